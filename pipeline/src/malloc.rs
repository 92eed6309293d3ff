//! glibc's allocator, tuned where the stages need it. Elsewhere (musl, other systems) this
//! does nothing.
//!
//! Ingest runs without glibc's "fast bins" ([`FastBinsOff`]). Ingest allocates and frees
//! millions of small strings (cells, cleaned texts, ids) batch after batch. glibc keeps freed
//! small blocks in fast bins, unmerged, and merges them all at once (`malloc_consolidate`) when
//! a larger block is asked for — which every batch's column vectors do. A profile at 100k put
//! 9% of ingest's CPU in that merging (`malloc_consolidate`, `unlink_chunk`); with the fast
//! bins off (blocks merge as they are freed, the per-thread cache still serves the most recent
//! ones) ingest took about 12% less CPU, the same as `GLIBC_TUNABLES=glibc.malloc.mxfast=0`.
//!
//! After ingest in `wenzheng run`, the memory ingest freed is given back to the system
//! ([`give_back_free_memory`]) before the later stages start. glibc keeps the pages of freed
//! blocks in its heaps (one per thread that allocated, up to eight per core); `malloc_trim`
//! gives back those of free blocks, though not the free top of a thread's heap. So a full run
//! gives each later stage a process of its own (`commands::run`): in one process, from scratch
//! at a million posts, the run peaked at 2.9 GiB without this call and 2.1 GiB with it, where
//! no stage on its own passes 1.8 GiB. glibc's `arena_max=4` or a fixed `mmap_threshold` in
//! `GLIBC_TUNABLES` would have saved part of that too, for 15% more time (measured at 100k).

/// Turns the fast bins off until dropped, then restores glibc's default, so the stages that
/// run after ingest in the same process (`wenzheng run`) keep the allocator they were measured with.
pub struct FastBinsOff(());

#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
mod glibc {
    /// `M_MXFAST` of glibc's `malloc.h`: the largest request served from the fast bins.
    pub const M_MXFAST: i32 = 1;
    /// glibc's default for `M_MXFAST` on 64-bit systems (`64 * sizeof(size_t) / 4`).
    pub const DEFAULT_MXFAST: i32 = 128;

    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
        fn malloc_trim(pad: usize) -> i32;
    }

    pub fn trim() {
        // SAFETY: malloc_trim takes each heap's lock and only returns free pages to the system.
        unsafe {
            malloc_trim(0);
        }
    }

    pub fn set_max_fast(bytes: i32) {
        // SAFETY: mallopt only changes a setting of the allocator, and glibc takes its lock
        // (merging the fast bins first when they are turned off).
        unsafe {
            mallopt(M_MXFAST, bytes);
        }
    }
}

impl FastBinsOff {
    pub fn new() -> FastBinsOff {
        #[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
        glibc::set_max_fast(0);
        FastBinsOff(())
    }
}

impl Drop for FastBinsOff {
    fn drop(&mut self) {
        #[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
        glibc::set_max_fast(glibc::DEFAULT_MXFAST);
    }
}

/// Returns the free memory of every heap to the system: freed blocks stop counting in the
/// process's resident memory, and the next stage starts from what is still in use.
pub fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
    glibc::trim();
}
