//! Search-mode cuts of the blocks a thread has met more than once, kept so that the text that
//! repeats across documents — the boilerplate of replies ("您反映的问题已收悉"), the set phrases
//! of complaints — goes through the dictionary once, not once per document.
//!
//! jieba cuts a text block by block. A block is a maximal run of ideographs, ASCII letters and
//! digits and `+#&._%-` (its `RE_HAN_DEFAULT`); everything between blocks becomes tokens of one
//! character. The words of a block depend on the block alone, so a remembered cut is exactly the
//! cut jieba would make: [`super::ChineseSegmenter::search_tokens_memo`] is tested against
//! [`super::ChineseSegmenter::search_tokens`] on every text of the real data.
//!
//! Memory is bounded. A block is remembered on its second sighting (a direct-mapped table of
//! hashes records the first), so the many blocks seen once — names, addresses, details — never
//! take room. When the remembered words fill their budget, the memo keeps the blocks looked up
//! since the last time it was full and forgets the others (or starts again empty, if all were).

/// Slots of the table of blocks seen once (8 bytes each).
const SEEN_SLOTS: usize = 1 << 18;
/// Slots of the table of remembered blocks (16 bytes each); the memo is full when half are taken,
/// so a look-up probes few slots.
const SLOTS: usize = 1 << 18;
/// Bytes of remembered blocks and their words before the memo is full.
const BUDGET_BYTES: usize = 12 << 20;
/// Longer blocks are cut every time: they rarely repeat, and a word's offsets fit in a `u16`.
pub(super) const LONGEST_BLOCK: usize = 1024;

/// Remembered cuts of one segmenter; see the module documentation.
pub struct CutMemo {
    /// The segmenter the cuts belong to ([`super::ChineseSegmenter`]'s id): another one's
    /// dictionary may cut the same block differently.
    owner: u64,
    /// Hash of a block seen once, at `hash % SEEN_SLOTS`.
    seen: Box<[u64]>,
    /// Open addressing, linear probing; a slot of hash 0 is empty.
    slots: Box<[Slot]>,
    taken: usize,
    /// Each remembered block's bytes, then its words as byte ranges in it (`u16` pairs, little
    /// endian): one place to read on a hit.
    memory: Vec<u8>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u64,
    at: u32,
    block_len: u16,
    /// The number of words (at most `LONGEST_BLOCK`), and [`USED`] once looked up.
    words: u16,
}

/// The bit of [`Slot::words`] that says the block was looked up since the memo was last full.
const USED: u16 = 1 << 15;

impl Default for CutMemo {
    fn default() -> Self {
        CutMemo {
            owner: 0,
            seen: vec![0; SEEN_SLOTS].into_boxed_slice(),
            slots: vec![Slot::default(); SLOTS].into_boxed_slice(),
            taken: 0,
            memory: Vec::new(),
        }
    }
}

/// What [`CutMemo::look_up`] says of a block.
pub(super) enum Lookup<'m> {
    /// The words of the block: byte ranges in it, as `u16` pairs in little-endian bytes.
    Known(Words<'m>),
    /// Not known; [`CutMemo::remember`] it once cut if `remember` (its second sighting).
    Unknown { hash: u64, remember: bool },
}

/// The remembered words of a block.
pub(super) struct Words<'m>(&'m [u8]);

impl Words<'_> {
    /// Each word's byte range in its block.
    pub(super) fn ranges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.0
            .chunks_exact(4)
            .map(|w| (u16::from_le_bytes([w[0], w[1]]) as usize, u16::from_le_bytes([w[2], w[3]]) as usize))
    }
}

impl CutMemo {
    /// Forgets every cut if they were made by another segmenter than `owner`.
    pub(super) fn serve(&mut self, owner: u64) {
        if self.owner != owner {
            self.clear();
            self.seen.fill(0);
            self.owner = owner;
        }
    }

    pub(super) fn look_up(&mut self, block: &str) -> Lookup<'_> {
        // 0 marks an empty slot, so no block hashes to it.
        let hash = block_hash(block.as_bytes()).max(1);
        let mut at = hash as usize % SLOTS;
        loop {
            let slot = &mut self.slots[at];
            if slot.hash == 0 {
                break;
            }
            if slot.hash == hash {
                let start = slot.at as usize;
                let words_start = start + slot.block_len as usize;
                if &self.memory[start..words_start] == block.as_bytes() {
                    slot.words |= USED;
                    let words_end = words_start + 4 * (slot.words & !USED) as usize;
                    return Lookup::Known(Words(&self.memory[words_start..words_end]));
                }
                // Another block with the same hash: cut this one every time.
                return Lookup::Unknown { hash, remember: false };
            }
            at = (at + 1) % SLOTS;
        }
        let seen = &mut self.seen[hash as usize % SEEN_SLOTS];
        let remember = *seen == hash;
        *seen = hash;
        Lookup::Unknown { hash, remember }
    }

    /// Keeps the cut of `block` (at most [`LONGEST_BLOCK`] bytes): `words` are its byte ranges.
    pub(super) fn remember(&mut self, hash: u64, block: &str, words: impl ExactSizeIterator<Item = (u16, u16)>) {
        debug_assert!(block.len() <= LONGEST_BLOCK);
        let full = |memo: &CutMemo| {
            memo.memory.len() + block.len() + 4 * words.len() > BUDGET_BYTES || memo.taken >= SLOTS / 2
        };
        if full(self) {
            self.keep_the_used();
            if full(self) {
                self.clear();
            }
        }
        let slot =
            Slot { hash, at: self.memory.len() as u32, block_len: block.len() as u16, words: words.len() as u16 };
        self.memory.extend_from_slice(block.as_bytes());
        for (start, end) in words {
            self.memory.extend_from_slice(&start.to_le_bytes());
            self.memory.extend_from_slice(&end.to_le_bytes());
        }
        self.put(slot);
    }

    fn put(&mut self, slot: Slot) {
        let mut at = slot.hash as usize % SLOTS;
        while self.slots[at].hash != 0 {
            at = (at + 1) % SLOTS;
        }
        self.slots[at] = slot;
        self.taken += 1;
    }

    /// Forgets the blocks not looked up since the memo was last full; the others stay, marked
    /// unused.
    fn keep_the_used(&mut self) {
        let mut used: Vec<Slot> = self.slots.iter().filter(|slot| slot.words & USED != 0).copied().collect();
        // Moved down in the order they were written, so each lands where nothing kept is yet
        // and the memory is compacted in place, not copied.
        used.sort_unstable_by_key(|slot| slot.at);
        let mut kept = 0;
        self.clear_slots();
        for mut slot in used {
            let start = slot.at as usize;
            slot.words &= !USED;
            let len = slot.block_len as usize + 4 * slot.words as usize;
            self.memory.copy_within(start..start + len, kept);
            slot.at = kept as u32;
            kept += len;
            self.put(slot);
        }
        self.memory.truncate(kept);
    }

    fn clear(&mut self) {
        self.clear_slots();
        self.memory.clear();
    }

    fn clear_slots(&mut self) {
        if self.taken > 0 {
            self.slots.fill(Slot::default());
        }
        self.taken = 0;
    }
}

/// A hash of a block's bytes, a 64-bit word at a time (the map's keys are these hashes, so they
/// must spread well: murmur3's finaliser mixes the result).
fn block_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8 bytes"));
        h = (h ^ word).wrapping_mul(K).rotate_left(31);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_remembered_on_its_second_sighting() {
        let mut memo = CutMemo::default();
        memo.serve(7);
        let Lookup::Unknown { remember: false, .. } = memo.look_up("您好") else { panic!("first sighting") };
        let Lookup::Unknown { hash, remember: true } = memo.look_up("您好") else { panic!("second sighting") };
        memo.remember(hash, "您好", [(0, 6)].into_iter());
        let Lookup::Known(words) = memo.look_up("您好") else { panic!("remembered") };
        assert_eq!(words.ranges().collect::<Vec<_>>(), [(0, 6)]);
    }

    #[test]
    fn a_full_memo_keeps_the_blocks_looked_up_since_it_was_last_full() {
        let mut memo = CutMemo::default();
        memo.serve(1);
        let block = |i: usize| format!("块{i}");
        let remember = |memo: &mut CutMemo, i: usize| {
            memo.look_up(&block(i));
            let Lookup::Unknown { hash, remember: true } = memo.look_up(&block(i)) else { panic!("block {i}") };
            memo.remember(hash, &block(i), [(0, 3), (3, block(i).len() as u16)].into_iter());
        };
        for i in 0..SLOTS / 2 {
            remember(&mut memo, i);
        }
        let used = [7, 8_000, 100_000, SLOTS / 2 - 1];
        for i in used {
            assert!(matches!(memo.look_up(&block(i)), Lookup::Known(_)));
        }
        remember(&mut memo, SLOTS);
        for i in used {
            let Lookup::Known(words) = memo.look_up(&block(i)) else { panic!("used block {i} stays") };
            assert_eq!(words.ranges().collect::<Vec<_>>(), [(0, 3), (3, block(i).len())]);
        }
        assert_eq!(memo.taken, used.len() + 1);
        assert!(matches!(memo.look_up(&block(8)), Lookup::Unknown { .. }), "an unused block goes");
        assert!(matches!(memo.look_up(&block(SLOTS)), Lookup::Known(_)), "the new block is there");
    }

    #[test]
    fn another_segmenter_starts_from_nothing() {
        let mut memo = CutMemo::default();
        memo.serve(1);
        memo.look_up("您好");
        let Lookup::Unknown { hash, .. } = memo.look_up("您好") else { panic!() };
        memo.remember(hash, "您好", [(0, 6)].into_iter());
        memo.serve(2);
        assert!(matches!(memo.look_up("您好"), Lookup::Unknown { remember: false, .. }));
    }

    #[test]
    fn hashes_of_near_blocks_differ() {
        assert_ne!(block_hash("已收悉".as_bytes()), block_hash("已收到".as_bytes()));
        assert_ne!(block_hash(b"12345678"), block_hash(b"123456780"));
        assert_ne!(block_hash(b""), block_hash(b"\0"));
    }
}
