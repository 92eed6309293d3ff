//! Terms shared between a post and its reply, without segmenting either.
//!
//! A term is a pair of neighbouring characters (two Chinese characters, or a masked place code's
//! letter and what follows it: "A2", "K9"). Pairs are a cheap stand-in for words that is good
//! enough to tell whether a reply talks about the post's compound, road, school or company:
//! those names are rare pairs ("梅园", "松雅"), while the platform's common pairs ("问题",
//! "小区", "部门") are excluded. Sets are fixed 65,536-bit tables on the stack: no allocation,
//! and a false match rate of a few percent, well under what moves a judgement.

use crate::text::is_common_ideograph;

const WORDS: usize = 1024;

/// A set of character pairs, hashed into 2^16 bits.
#[derive(Clone)]
pub struct TermSet {
    bits: [u64; WORDS],
}

impl std::fmt::Debug for TermSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        f.debug_struct("TermSet").field("bits_set", &count).finish()
    }
}

fn is_term(a: char, b: char) -> bool {
    (is_common_ideograph(a) && is_common_ideograph(b))
        || (a.is_ascii_uppercase() && (b.is_ascii_digit() || is_common_ideograph(b)))
}

fn key(a: char, b: char) -> u16 {
    let x = ((a as u64) << 21 ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 48) as u16
}

/// The terms of `text` as (byte offset of the pair, key).
fn terms(text: &str) -> impl Iterator<Item = (usize, usize, u16)> + '_ {
    let mut chars = text.char_indices();
    let mut next = chars.next();
    std::iter::from_fn(move || loop {
        let (i, a) = next?;
        next = chars.next();
        let (j, b) = next?;
        if is_term(a, b) {
            return Some((i, j, key(a, b)));
        }
    })
}

/// The keys of the term pairs of `text`, in order (repeats included).
pub(crate) fn pairs_of(text: &str) -> impl Iterator<Item = u16> + '_ {
    terms(text).map(|(_, _, k)| k)
}

impl TermSet {
    pub fn new() -> Self {
        TermSet { bits: [0; WORDS] }
    }

    /// The set of terms of `words` (each word contributes all its pairs).
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = TermSet::new();
        for word in words {
            set.add_text(word);
        }
        set
    }

    pub fn add_text(&mut self, text: &str) {
        for (_, _, k) in terms(text) {
            self.insert(k);
        }
    }

    fn insert(&mut self, k: u16) -> bool {
        let (w, b) = (k as usize / 64, k % 64);
        let new = self.bits[w] & (1 << b) == 0;
        self.bits[w] |= 1 << b;
        new
    }

    /// Adds the pairs of `text` whose both characters pass `keep` (byte offsets).
    pub(crate) fn add_text_where(&mut self, text: &str, keep: impl Fn(usize) -> bool) {
        for (i, j, k) in terms(text) {
            if keep(i) && keep(j) {
                self.insert(k);
            }
        }
    }

    pub(crate) fn contains(&self, k: u16) -> bool {
        self.bits[k as usize / 64] & (1 << (k % 64)) != 0
    }

    /// Distinct uncommon terms of `reply` (only pairs whose both characters pass `keep`), and
    /// how many of them are also in this set.
    pub fn overlap(&self, reply: &str, keep: impl Fn(usize) -> bool, common: &TermSet) -> (usize, usize) {
        let mut seen = TermSet::new();
        let (mut total, mut shared) = (0, 0);
        for (i, j, k) in terms(reply) {
            if !keep(i) || !keep(j) || common.contains(k) || !seen.insert(k) {
                continue;
            }
            total += 1;
            shared += usize::from(self.contains(k));
        }
        (total, shared)
    }
}

impl Default for TermSet {
    fn default() -> Self {
        TermSet::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(post: &str, reply: &str, common: &str, expected: (usize, usize)) {
        let mut set = TermSet::new();
        set.add_text(post);
        let common = TermSet::from_words(common.split_whitespace());
        assert_eq!(set.overlap(reply, |_| true, &common), expected, "{post} / {reply}");
    }

    #[test]
    fn counts_the_post_terms_a_reply_repeats() {
        check("东岸梅园小区车库", "梅园小区停车", "小区", (4, 2));
        check("A2区赤岭路", "A2区的路", "", (3, 1));
        check("公交线路", "学校", "", (1, 0));
    }
}
