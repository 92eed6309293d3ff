//! glibc's allocator tuned for ingest while it runs: without its "fast bins".
//!
//! Ingest allocates and frees millions of small strings (cells, cleaned texts, ids) batch after
//! batch. glibc keeps freed small blocks in fast bins, unmerged, and merges them all at once
//! (`malloc_consolidate`) when a larger block is asked for — which every batch's column vectors
//! do. A profile at 100k put 9% of ingest's CPU in that merging (`malloc_consolidate`,
//! `unlink_chunk`); with the fast bins off (blocks merge as they are freed, the per-thread
//! cache still serves the most recent ones) ingest took about 12% less CPU, the same as
//! `GLIBC_TUNABLES=glibc.malloc.mxfast=0`. Elsewhere (musl, other systems) this does nothing.

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
