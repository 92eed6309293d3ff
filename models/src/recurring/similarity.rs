//! How alike two posts read: weighted Jaccard over character bigrams.
//!
//! Character bigrams stand in for words: Chinese words are mostly two characters, bigrams
//! need no dictionary, and hashing them is fast enough for millions of posts (jieba over
//! every body is not). Each bigram is weighted by its inverse document frequency over the
//! posts of the months before (see [`super::monthly`]), so "搅拌" and "油烟" count and "领导"
//! and "问题" barely do.
//!
//! A post is reduced to a [`Profile`] of two bottom-k sketches (the k smallest bigram hashes):
//! - `subject`: the bigrams of the subject, places removed (the block already shares the
//!   place); subjects are short, so this is nearly always the whole set;
//! - `content`: the bigrams of subject and body head, leaving out the very common ones.
//!
//! Bottom-k samples are consistent (two near-duplicates keep the same hashes), so the
//! weighted Jaccard of two samples estimates that of the whole texts in O(k), with memory
//! bounded per post whatever its length.

/// Bits of the document-frequency table. Collisions only make a rare bigram look commoner.
const TABLE_BITS: u32 = 22;
const TABLE_MASK: u32 = (1 << TABLE_BITS) - 1;

/// The distinct bigram hashes of `text`, sorted, appended to `out` (which is cleared).
/// Only CJK ideographs make bigrams; punctuation, spaces, Latin letters and digits break them
/// (masked place codes "A2区" and numbers say nothing about the problem).
pub fn bigrams(text: &str, out: &mut Vec<u32>) {
    out.clear();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let counts = ('\u{3400}'..='\u{9fff}').contains(&c);
        if let (Some(p), true) = (previous, counts) {
            out.push(hash_pair(p, c));
        }
        previous = counts.then_some(c);
    }
    out.sort_unstable();
    out.dedup();
}

fn hash_pair(a: char, b: char) -> u32 {
    let x = (u64::from(a as u32) << 32 | u64::from(b as u32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 32) as u32 ^ x as u32
}

/// Documents assumed not to hold any given bigram, besides the corpus (see [`DocumentFrequencies::idf`]).
const PRIOR_DOCS: f32 = 1000.0;

/// How many posts each bigram occurs in (hashed into a fixed table).
#[derive(Clone, PartialEq)]
pub struct DocumentFrequencies {
    counts: Vec<u32>,
    docs: u32,
}

impl Default for DocumentFrequencies {
    fn default() -> Self {
        DocumentFrequencies { counts: vec![0; 1 << TABLE_BITS], docs: 0 }
    }
}

impl DocumentFrequencies {
    /// Counts one post, given its distinct bigrams.
    pub fn add(&mut self, distinct: &[u32]) {
        self.docs += 1;
        for &h in distinct {
            let slot = &mut self.counts[(h & TABLE_MASK) as usize];
            *slot = slot.saturating_add(1);
        }
    }

    /// Counts one post like [`Self::add`], and appends to `first` the slots it is the first to
    /// count in: with them, [`Self::take_slots`] empties the table again without reading all of it.
    pub(super) fn add_noting_first(&mut self, distinct: &[u32], first: &mut Vec<u32>) {
        self.docs += 1;
        for &h in distinct {
            let at = h & TABLE_MASK;
            let slot = &mut self.counts[at as usize];
            if *slot == 0 {
                first.push(at);
            }
            *slot = slot.saturating_add(1);
        }
    }

    /// The posts counted and the counts of `slots` (every slot counted in, as noted by
    /// [`Self::add_noting_first`]), as [`Self::nonzero_slots`] gives them; the table is left
    /// empty and `slots` cleared. A month of a small corpus touches a few thousand of the
    /// table's four million slots, which were all cleared and scanned every month.
    pub(super) fn take_slots(&mut self, slots: &mut Vec<u32>) -> (u32, Vec<(u32, u32)>) {
        slots.sort_unstable();
        let counted = slots.iter().map(|&slot| (slot, std::mem::take(&mut self.counts[slot as usize]))).collect();
        slots.clear();
        (std::mem::take(&mut self.docs), counted)
    }

    /// Adds the counts of another table (built on another thread).
    pub fn merge(&mut self, other: &DocumentFrequencies) {
        self.docs += other.docs;
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(*b);
        }
    }

    /// Posts counted.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// The table as bytes (little-endian), for the cache: its count of posts, then the counts.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 * (self.counts.len() + 1));
        out.extend_from_slice(&self.docs.to_le_bytes());
        self.counts.iter().for_each(|c| out.extend_from_slice(&c.to_le_bytes()));
        out
    }

    /// The table written by [`DocumentFrequencies::to_bytes`]; `None` when the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<DocumentFrequencies> {
        if bytes.len() != 4 * ((1 << TABLE_BITS) + 1) {
            return None;
        }
        let mut words = bytes.chunks_exact(4).map(|w| u32::from_le_bytes(w.try_into().expect("four bytes")));
        let docs = words.next()?;
        Some(DocumentFrequencies { docs, counts: words.collect() })
    }

    /// The slots counted in at least one post, with their counts, by slot.
    pub(super) fn nonzero_slots(&self) -> Vec<(u32, u32)> {
        let counted = self.counts.iter().enumerate().filter(|(_, &c)| c > 0);
        counted.map(|(slot, &c)| (slot as u32, c)).collect()
    }

    /// Adds `docs` posts holding the bigrams of `slots` (from [`Self::nonzero_slots`]).
    pub(super) fn add_slots(&mut self, docs: u32, slots: &[(u32, u32)]) {
        self.docs += docs;
        for &(slot, count) in slots {
            let counted = &mut self.counts[slot as usize];
            *counted = counted.saturating_add(count);
        }
    }

    /// Whether `slot` is a slot of the table.
    pub(super) fn holds_slot(slot: u32) -> bool {
        slot <= TABLE_MASK
    }

    pub fn df(&self, h: u32) -> u32 {
        self.counts[(h & TABLE_MASK) as usize]
    }

    /// Inverse document frequency, `ln((docs + PRIOR_DOCS) / (df + 1))`. The prior counts
    /// documents assumed not to hold the bigram, so that in a small corpus (a test, a town's
    /// first week) a word shared by every post is not taken for a common one; in a large corpus
    /// it is the usual IDF.
    pub fn idf(&self, h: u32) -> f32 {
        idf_of(self.docs, self.df(h))
    }
}

/// [`DocumentFrequencies::idf`] of a count. Not inlined: a call the compiler cannot see into is
/// one it does not make for the counts that do not need it (see [`IdfTable::idf`]).
#[inline(never)]
fn idf_of(docs: u32, df: u32) -> f32 {
    ((docs as f32 + PRIOR_DOCS) / (df as f32 + 1.0)).ln().max(0.05)
}

impl std::fmt::Debug for DocumentFrequencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = self.counts.iter().filter(|&&c| c > 0).count();
        write!(f, "DocumentFrequencies {{ docs: {}, bigrams: {used} }}", self.docs)
    }
}

/// [`DocumentFrequencies::idf`] with the logarithms of the small counts computed once: a month's
/// posts are weighed by looking their bigrams' counts up, most of them small.
pub struct IdfTable<'a> {
    frequencies: &'a DocumentFrequencies,
    small: Vec<f32>,
}

impl IdfTable<'_> {
    pub fn of(frequencies: &DocumentFrequencies) -> IdfTable<'_> {
        // (A weight per slot of the counts, made for every month, was sixteen megabytes to
        // fill a month however few posts it had.)
        const SMALL: u32 = 4096;
        let small = (0..SMALL).map(|df| idf_of(frequencies.docs, df)).collect();
        IdfTable { frequencies, small }
    }

    pub fn idf(&self, h: u32) -> f32 {
        let df = self.frequencies.df(h);
        self.small.get(df as usize).copied().unwrap_or_else(|| idf_of(self.frequencies.docs, df))
    }
}

/// What a post is compared by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub subject: Vec<u32>,
    pub content: Vec<u32>,
}

impl Profile {
    /// The profile of a post from the bigrams of its subject and of its whole text (both
    /// with places removed, sorted, distinct): a bottom-k sample of each, by hash value.
    /// Bigrams in more than `common_share` of all posts ("问题", "领导") are left out of the
    /// content sample: they would fill it with words every post shares.
    pub fn new(
        subject: &[u32],
        text: &[u32],
        frequencies: &DocumentFrequencies,
        subject_bigrams: usize,
        content_bigrams: usize,
        common_share: f32,
    ) -> Profile {
        Profile {
            subject: subject.iter().copied().take(subject_bigrams).collect(),
            content: content_sample(text, &CommonBigrams::of(frequencies, common_share), content_bigrams).collect(),
        }
    }
}

/// The bigrams in more than a share of all posts, as a bitmap of table slots (512 KB: it
/// stays in cache, where the counts do not).
#[derive(Default)]
pub struct CommonBigrams(Vec<u64>);

impl CommonBigrams {
    pub fn of(frequencies: &DocumentFrequencies, common_share: f32) -> CommonBigrams {
        let mut common = CommonBigrams::default();
        common.refill(frequencies, common_share);
        common
    }

    /// Makes this bitmap that of `frequencies`, in place (one a month: a new one was a page
    /// fault per page each time).
    pub fn refill(&mut self, frequencies: &DocumentFrequencies, common_share: f32) {
        let common = ((frequencies.docs as f32 + PRIOR_DOCS) * common_share) as u32;
        self.0.clear();
        let words = frequencies.counts.chunks_exact(64).map(|counts| {
            counts.iter().enumerate().fold(0u64, |word, (bit, &df)| word | u64::from(df > common) << bit)
        });
        self.0.extend(words);
    }

    pub fn contains(&self, h: u32) -> bool {
        let slot = (h & TABLE_MASK) as usize;
        self.0[slot / 64] >> (slot % 64) & 1 == 1
    }
}

/// The first `k` hashes of `text` (sorted) that are not common.
pub fn content_sample<'a>(text: &'a [u32], common: &'a CommonBigrams, k: usize) -> impl Iterator<Item = u32> + 'a {
    text.iter().copied().filter(move |&h| !common.contains(h)).take(k)
}

/// Weighted Jaccard of two bottom-`k` samples (sorted hash lists): within the `k` smallest
/// hashes of their union, the IDF weight in both over the weight in either. When neither
/// sample was cut (short subjects) this is the exact weighted Jaccard; otherwise an estimate
/// whose error shrinks like 1/√k. 0 when both are empty.
pub fn weighted_jaccard(a: &[u32], b: &[u32], k: usize, frequencies: &IdfTable) -> f32 {
    let weigh = |sample: &[u32]| sample.iter().map(|&h| (h, frequencies.idf(h))).collect::<Vec<_>>();
    weighted_jaccard_of(&weigh(a), &weigh(b), k)
}

/// [`weighted_jaccard`] of samples that carry their weights: comparing two posts then reads
/// their samples only, not a table far away in memory.
pub fn weighted_jaccard_of(a: &[(u32, f32)], b: &[(u32, f32)], k: usize) -> f32 {
    let (mut i, mut j, mut taken) = (0, 0, 0);
    let (mut shared, mut union) = (0.0f32, 0.0f32);
    while taken < k && (i < a.len() || j < b.len()) {
        let weight = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                i += 1;
                j += 1;
                shared += x.1;
                x.1
            }
            (Some(x), Some(y)) if x.0 < y.0 => {
                i += 1;
                x.1
            }
            (Some(x), None) => {
                i += 1;
                x.1
            }
            (_, Some(y)) => {
                j += 1;
                y.1
            }
            (None, None) => unreachable!("loop condition"),
        };
        union += weight;
        taken += 1;
    }
    if union > 0.0 {
        shared / union
    } else {
        0.0
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The document frequencies of a corpus of texts.
    pub(in crate::recurring) fn frequencies(corpus: &[&str]) -> DocumentFrequencies {
        let mut table = DocumentFrequencies::default();
        let mut buffer = Vec::new();
        for text in corpus {
            bigrams(text, &mut buffer);
            table.add(&buffer);
        }
        table
    }

    fn check(corpus: &[&str], a: &str, b: &str, expected: std::ops::RangeInclusive<f32>) {
        let table = frequencies(corpus);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        bigrams(a, &mut x);
        bigrams(b, &mut y);
        let similarity = weighted_jaccard(&x, &y, 64, &IdfTable::of(&table));
        assert!(expected.contains(&similarity), "{a:?} ~ {b:?} = {similarity}, expected {expected:?}");
    }

    const CORPUS: &[&str] =
        &["临街门面油烟扰民", "门面油烟太大", "停车位不够问题", "问题何时解决", "问题严重", "咨询问题", "路灯不亮问题"];

    #[test]
    fn the_same_text_is_fully_similar_and_disjoint_texts_not_at_all() {
        check(CORPUS, "门面油烟扰民", "门面油烟扰民", 1.0..=1.0);
        check(CORPUS, "门面油烟扰民", "停车位不够", 0.0..=0.0);
        check(CORPUS, "", "", 0.0..=0.0);
    }

    #[test]
    fn samples_of_near_duplicates_estimate_their_similarity() {
        let table = DocumentFrequencies::default();
        let text: String = (0..400).map(|i| char::from_u32(0x4e00 + i * 7).expect("cjk")).collect();
        let reworded: String = text.chars().take(300).chain("另外一些完全不同的话语".chars()).collect();
        let sample = |t: &str| {
            let mut all = Vec::new();
            bigrams(t, &mut all);
            Profile::new(&[], &all, &table, 0, 64, 1.0).content
        };
        let estimate = weighted_jaccard(&sample(&text), &sample(&reworded), 64, &IdfTable::of(&table));
        // Exact: 299 shared bigrams out of 399 + 11 = 410.
        assert!((estimate - 299.0 / 410.0).abs() < 0.15, "estimate {estimate}");
    }

    #[test]
    fn rare_shared_words_count_more_than_common_ones() {
        // Both pairs share one bigram of five; "问题" is in most posts, "油烟" in two.
        let mut corpus = vec!["问题何时解决"; 3000];
        corpus.extend(CORPUS);
        check(&corpus, "油烟扰民", "油烟太大", 0.15..=0.3);
        check(&corpus, "路灯问题", "停车问题", 0.0..=0.05);
    }

    #[test]
    fn the_idf_table_gives_what_the_frequencies_give() {
        let mut corpus = vec!["问题何时解决"; 30];
        corpus.extend(CORPUS);
        let table = frequencies(&corpus);
        let idf = IdfTable::of(&table);
        let mut all = Vec::new();
        bigrams(&corpus.concat(), &mut all);
        for h in all {
            assert_eq!(idf.idf(h), table.idf(h));
        }
        assert_eq!(DocumentFrequencies::from_bytes(&table.to_bytes()), Some(table));
        assert_eq!(DocumentFrequencies::from_bytes(&[0; 8]), None);
    }

    #[test]
    fn the_slots_noted_while_counting_are_the_counted_ones_and_taking_them_empties_the_table() {
        let (mut noted, mut first, mut buffer) = (DocumentFrequencies::default(), Vec::new(), Vec::new());
        for text in CORPUS {
            bigrams(text, &mut buffer);
            noted.add_noting_first(&buffer, &mut first);
        }
        let counted = frequencies(CORPUS);
        assert_eq!(noted, counted);
        assert_eq!(noted.take_slots(&mut first), (counted.docs(), counted.nonzero_slots()));
        assert!(noted == DocumentFrequencies::default() && first.is_empty());
    }

    #[test]
    fn a_refilled_bitmap_of_common_bigrams_is_that_of_its_last_counts() {
        let mut corpus = vec!["问题何时解决"; 3000];
        corpus.extend(CORPUS);
        let (common, rare) = (frequencies(&corpus), frequencies(CORPUS));
        let mut bitmap = CommonBigrams::of(&common, 0.5);
        let mut all = Vec::new();
        bigrams(&corpus.concat(), &mut all);
        assert!(all.iter().any(|&h| bitmap.contains(h)));
        bitmap.refill(&rare, 0.5);
        let fresh = CommonBigrams::of(&rare, 0.5);
        assert!(all.iter().all(|&h| bitmap.contains(h) == fresh.contains(h)));
        assert_eq!(bitmap.0, fresh.0);
    }

    #[test]
    fn punctuation_breaks_bigrams() {
        let mut out = Vec::new();
        bigrams("油烟，扰民！", &mut out);
        assert_eq!(out.len(), 2);
    }
}
