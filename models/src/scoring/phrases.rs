//! The level model's phrases: character n-grams of a reply's content, each with a learned
//! weight towards evasive and towards vague.
//!
//! The rules count what the lexicon names; careful readers also react to wording no list holds
//! ("待…出台后", "争取早日", "做好解释工作"). `fit_levels.py` learns a weight for every n-gram that
//! several tuning replies share and writes the ones that matter to
//! `models/data/scoring/phrases.tsv` (compiled in). A reply's phrase score is the sum of the
//! weights of the distinct n-grams of its content (courtesy, receipt, forwarding and deflection
//! formulas already blanked by the signals), added to the level model's weighted features.
//!
//! The text the n-grams come from ([`phrase_text`]) is what `fit_levels.py` reads, so both
//! sides cut the same n-grams: runs of content characters, digits folded to `0` and ASCII
//! letters to `A` ("A3区2019年" → "A0区0000年": masked places and dates generalise), runs
//! separated by one space, n-grams never crossing a run.

use std::ops::RangeInclusive;

use super::lexicon::LexiconError;
use super::normalize::is_content_char;

/// The shipped phrase weights, compiled in.
pub const DEFAULT_PHRASES: &str = include_str!("../../data/scoring/phrases.tsv");

/// Lengths of the n-grams the model knows, in characters (2–3: as good as 2–4 in
/// cross-validation, with a third fewer lookups per reply).
pub const NGRAM_LENGTHS: RangeInclusive<usize> = 2..=3;

/// A character as the phrase model reads it — digits folded to `0`, ASCII letters to `A` — or
/// `None` where a run of content ends (characters outside the basic plane end one too: an
/// n-gram key packs 16 bits a character).
fn phrase_char(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some('0'),
        'a'..='z' | 'A'..='Z' => Some('A'),
        c if is_content_char(c) && u32::from(c) <= 0xFFFF => Some(c),
        _ => None,
    }
}

/// The runs of content characters of `text` the n-grams are cut from (see the module docs);
/// what `fit_levels.py` reads.
pub fn phrase_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for c in text.chars() {
        match phrase_char(c) {
            Some(c) => {
                if !in_run && !out.is_empty() {
                    out.push(' ');
                }
                in_run = true;
                out.push(c);
            }
            None => in_run = false,
        }
    }
    out
}

/// Every n-gram of `text` as the phrase model reads it (the same as those of its
/// [`phrase_text`], with no string built), as its packed key: a character per 16 bits, first
/// character lowest; no character is 0, so n-grams of different lengths never share a key.
fn ngram_keys(text: &str, mut each: impl FnMut(u64)) {
    // the last characters of the run, the latest lowest: window[0] is the current one
    let mut window = [0u64; 3];
    let mut run = 0usize;
    for c in text.chars() {
        let Some(c) = phrase_char(c) else {
            run = 0;
            continue;
        };
        window = [u64::from(u32::from(c)), window[0], window[1]];
        run += 1;
        if run >= 2 {
            each(window[1] | window[0] << 16);
        }
        if run >= 3 {
            each(window[2] | window[1] << 16 | window[0] << 32);
        }
    }
}

fn key_of(ngram: &str) -> Option<u64> {
    let chars: Vec<char> = ngram.chars().collect();
    let valid = NGRAM_LENGTHS.contains(&chars.len()) && phrase_text(ngram) == ngram;
    valid.then(|| chars.iter().enumerate().fold(0, |key, (i, &c)| key | u64::from(u32::from(c)) << (16 * i)))
}

/// Most phrases a file may hold: a phrase's number takes 16 bits of its slot in the index.
const MAX_PHRASES: usize = 1 << 16;

/// The bits of a slot that hold the n-gram's key (three characters of 16 bits).
const KEY_MASK: u64 = (1 << 48) - 1;

/// The n-gram index: open addressing with linear probing, each slot one `u64` holding the key
/// (low 48 bits) and the phrase's number (high 16 bits); 0 is an empty slot (no key is 0).
/// It is probed for every n-gram of every reply and most n-grams of a reply are known phrases:
/// a hash map of (key, number) pairs took twice the memory and two cache lines a probe, and
/// the probes were most of the phrase model's time.
#[derive(Debug, Clone, Default)]
struct KeyIndex {
    slots: Vec<u64>,
    len: usize,
}

impl KeyIndex {
    /// The first slot to probe for `key` (a multiplicative hash: keys are well-spread codes).
    fn home(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut at = self.home(key);
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if slot & KEY_MASK == key {
                return Some((slot >> 48) as u32);
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds `key` as phrase `number` (below [`MAX_PHRASES`]); false if the key is there already.
    fn insert(&mut self, key: u64, number: usize) -> bool {
        if self.get(key).is_some() {
            return false;
        }
        // at most half full, so that a probe ends soon
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            for slot in old.into_iter().filter(|&s| s != 0) {
                self.place(slot);
            }
        }
        self.place(key | (number as u64) << 48);
        self.len += 1;
        true
    }

    fn place(&mut self, slot: u64) {
        let mask = self.slots.len() - 1;
        let mut at = self.home(slot & KEY_MASK);
        while self.slots[at] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = slot;
    }
}

/// The phrase weights: n-gram → (evasive, vague).
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    index: KeyIndex,
    weights: Vec<(f32, f32)>,
}

impl Phrases {
    /// Parses a phrases file written like `models/data/scoring/phrases.tsv`: `#` comments, then
    /// `ngram<TAB>evasive_weight<TAB>vague_weight` lines.
    pub fn from_tsv_str(text: &str) -> Result<Self, LexiconError> {
        let mut phrases = Phrases::default();
        for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: String| {
                LexiconError::Invalid(format!(
                    "phrases file line {number}: {why}; hint: lines are `ngram<TAB>evasive_weight<TAB>vague_weight`, \
                     written by models/data/scoring/fit_levels.py"
                ))
            };
            let fields: Vec<&str> = line.split('\t').collect();
            let [ngram, evasive, vague] = fields[..] else {
                return Err(bad(format!("expected 3 tab-separated fields, found {}", fields.len())));
            };
            let Some(key) = key_of(ngram) else {
                return Err(bad(format!(
                    "{ngram:?} is not an n-gram of {}–{} content characters (digits as 0, ASCII letters as A)",
                    NGRAM_LENGTHS.start(),
                    NGRAM_LENGTHS.end()
                )));
            };
            let weight = |name: &str, s: &str| match s.trim().parse::<f32>() {
                Ok(w) if w.is_finite() => Ok(w),
                _ => Err(bad(format!("{name} weight {s:?} of {ngram:?} is not a number"))),
            };
            let pair = (weight("evasive", evasive)?, weight("vague", vague)?);
            if phrases.weights.len() == MAX_PHRASES {
                return Err(bad(format!("more than {MAX_PHRASES} phrases")));
            }
            if !phrases.index.insert(key, phrases.weights.len()) {
                return Err(bad(format!("{ngram:?} is listed twice")));
            }
            phrases.weights.push(pair);
        }
        Ok(phrases)
    }

    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Where the known n-grams of `text` (of characters, not digits or Latin letters) are whose
    /// weight towards evasive (`evasive`) or vague (otherwise) is positive: byte spans of `text`
    /// with that weight, the heaviest first, only inside the `runs` of content (byte spans of
    /// `text`, as [`Self::score`] reads the content with the rest blanked). What a level the
    /// phrases raised is quoted by.
    pub fn weighing_spans(&self, text: &str, runs: &[(usize, usize)], evasive: bool) -> Vec<(usize, usize, f32)> {
        let mut found = Vec::new();
        for &(start, end) in runs {
            // the last characters of the run with their starts, the latest first
            let mut window = [(0u64, 0usize); 3];
            let mut run = 0usize;
            for (i, c) in text[start..end].char_indices() {
                let Some(c) = phrase_char(c) else {
                    run = 0;
                    continue;
                };
                // (a folded digit or letter is no wording: "0731-…" weighs as "000")
                if matches!(c, '0' | 'A') {
                    run = 0;
                    continue;
                }
                window = [(u64::from(u32::from(c)), start + i), window[0], window[1]];
                let after = start + i + text[start + i..].chars().next().map_or(0, char::len_utf8);
                run += 1;
                let mut look = |key: u64, from: usize| {
                    if let Some(n) = self.index.get(key) {
                        let (we, wv) = self.weights[n as usize];
                        let weight = if evasive { we } else { wv };
                        if weight > 0.0 {
                            found.push((from, after, weight));
                        }
                    }
                };
                if run >= 2 {
                    look(window[1].0 | window[0].0 << 16, window[1].1);
                }
                if run >= 3 {
                    look(window[2].0 | window[1].0 << 16 | window[0].0 << 32, window[2].1);
                }
            }
        }
        found.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        found
    }

    /// The summed (evasive, vague) weights of the distinct known n-grams of `text` (read as
    /// its [`phrase_text`]: a reply's content, or that text itself).
    pub fn score(&self, text: &str) -> (f64, f64) {
        if self.weights.is_empty() {
            return (0.0, 0.0);
        }
        let mut hits = Vec::new();
        ngram_keys(text, |key| {
            if let Some(i) = self.index.get(key) {
                hits.push(i);
            }
        });
        // presence, not count: an n-gram repeated in a reply weighs once, as in the fit; the
        // weights are summed in the order of the file (a bit per phrase, read in order, sorts
        // the hits without a sort)
        let mut seen = vec![0u64; self.weights.len().div_ceil(64)];
        for &i in &hits {
            seen[i as usize / 64] |= 1 << (i % 64);
        }
        let mut sum = (0.0, 0.0);
        for (word, &bits) in seen.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let i = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let (we, wv) = self.weights[i];
                sum = (sum.0 + f64::from(we), sum.1 + f64::from(wv));
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(file: &str, expected_error: &str) {
        let err = Phrases::from_tsv_str(file).unwrap_err().to_string();
        assert!(err.contains(expected_error), "{err}");
    }

    /// The n-grams `fit_levels.py` cuts from the same text (`python3 fit_levels.py --ngrams TEXT`).
    #[test]
    fn ngrams_match_the_fit_script() {
        let reply = "您好！经核查，A3区2019年已拆除。Ok";
        let text = phrase_text(reply);
        assert_eq!(text, "您好 经核查 A0区0000年已拆除 AA");
        let from_script = "您好 经核 核查 经核查 A0 0区 A0区 区0 0区0 00 区00 00 000 00 000 0年 00年 年已 0年已 \
                           已拆 年已拆 拆除 已拆除 AA";
        let expected: Vec<u64> = from_script.split(' ').map(|g| key_of(g).unwrap()).collect();
        // the reply itself and its phrase text give the same keys: the scorer builds no string
        for source in [reply, text.as_str()] {
            let mut keys = Vec::new();
            ngram_keys(source, |k| keys.push(k));
            assert_eq!(keys, expected, "{source}");
        }
    }

    #[test]
    fn a_reply_weighs_each_phrase_once() {
        let phrases = Phrases::from_tsv_str("# test\n已拆除\t-1.0\t-0.5\n研究\t0.25\t0.5\n").unwrap();
        assert_eq!(phrases.len(), 2);
        assert_eq!(phrases.score("将研究，再研究。已拆除"), (-0.75, 0.0));
        assert_eq!(phrases.score(""), (0.0, 0.0));
    }

    #[test]
    fn shipped_phrases_parse() {
        let phrases = Phrases::from_tsv_str(DEFAULT_PHRASES).unwrap();
        // every phrase is found under its own number, through the index's growth
        let ngrams = DEFAULT_PHRASES.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        for (number, line) in ngrams.enumerate() {
            let key = key_of(line.split('\t').next().unwrap()).unwrap();
            assert_eq!(phrases.index.get(key), Some(number as u32), "{line}");
        }
        assert_eq!(phrases.index.get(key_of("的的的").unwrap()), None);
    }

    #[test]
    fn bad_files_are_rejected_with_the_line() {
        check("研究\t0.1\n", "line 1: expected 3 tab-separated fields, found 2");
        check("# c\n研究\t0.1\tx\n", "line 2: vague weight \"x\" of \"研究\" is not a number");
        check("研\t0.1\t0.1\n", "\"研\" is not an n-gram of 2–3");
        check("加强巡查\t0.1\t0.1\n", "is not an n-gram of 2–3");
        check("研究,\t0.1\t0.1\n", "is not an n-gram");
        check("A3区\t0.1\t0.1\n", "digits as 0");
        check("研究\t0.1\t0.1\n研究\t0.2\t0.2\n", "line 2: \"研究\" is listed twice");
        check("研究\tNaN\t0.1\n", "evasive weight \"NaN\"");
    }
}
