//! Highlighted snippets of a hit's subject, body and reply, found without segmenting the text.
//!
//! tantivy's `SnippetGenerator` cuts every text of every hit with the tokenizer; with jieba that
//! was most of a query's time (about 60 texts of up to a few KB per page). The words to mark are
//! known from the query, so they are looked for directly in the text, normalized like the
//! indexed tokens (full-width forms half-width, Latin lowercased). A word is marked wherever it
//! occurs, also inside a longer word: the index holds the parts of long words too, so that is
//! where it matched. A word that starts or ends with a Latin letter or digit ("g240", "58") is
//! marked only where it is not part of a longer run of letters and digits.
//!
//! The fragment shown is the stretch of at most the asked bytes holding the most weight of
//! matched words (a rare word weighs more, as in tantivy: 1 / (1 + document frequency)), the
//! earliest on a tie, moved back to the start of its sentence when the words still fit.

use std::ops::Range;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::analyzer::HalfWidth;
use crate::error::Result;

/// The words of a query to mark in one text field, with their weights.
pub(crate) struct Highlighter {
    /// a word, or words that stand together (written together, or with a space between)
    words: Vec<(Vec<String>, f32)>,
}

/// A piece of a text: its byte range, and the marked words' byte ranges in the text (sorted,
/// overlaps merged).
pub(crate) struct Found {
    pub fragment: Range<usize>,
    pub highlights: Vec<(usize, usize)>,
}

impl Highlighter {
    /// The terms of `query` in `field` that occur in the index.
    pub fn new(searcher: &Searcher, query: &dyn Query, field: Field) -> Result<Highlighter> {
        let mut terms: Vec<&Term> = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field && !terms.contains(&term) {
                terms.push(term);
            }
        });
        let mut words = Vec::with_capacity(terms.len());
        for term in terms {
            let value = term.value();
            let Some(text) = value.as_str() else { continue };
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 && !text.is_empty() {
                words.push((vec![text.to_string()], 1.0 / (1.0 + doc_freq as f32)));
            }
        }
        Ok(Highlighter { words })
    }

    /// The `groups` of words a search marks ([`crate::query::marked_words`]), weighted by how
    /// rare they are in `field`: as one word of the index, or as pieces that are all indexed.
    pub fn for_groups(searcher: &Searcher, groups: &[Vec<String>], field: Field) -> Result<Highlighter> {
        let mut words = Vec::with_capacity(groups.len());
        for group in groups {
            let doc_freq = |word: &str| searcher.doc_freq(&Term::from_field_text(field, word));
            let whole = doc_freq(&group.concat())?;
            let pieces = match group.len() {
                1 => 0,
                _ => group
                    .iter()
                    .map(|w| doc_freq(w))
                    .collect::<tantivy::Result<Vec<u64>>>()?
                    .into_iter()
                    .min()
                    .unwrap_or(0),
            };
            // (a name no text holds as a word, found where the texts cut it otherwise — "梅溪"
            // in 梅 + 溪湖 — is marked where it is written, as the rarest of words)
            let doc_freq = if whole > 0 { whole } else { pieces };
            if !group.concat().is_empty() {
                words.push((group.clone(), 1.0 / (1.0 + doc_freq as f32)));
            }
        }
        Ok(Highlighter { words })
    }

    /// Every occurrence of a query word in `text`: (byte range in `text`, weight), by start.
    fn matches(&self, text: &str) -> Vec<(Range<usize>, f32)> {
        if self.words.is_empty() {
            return Vec::new();
        }
        let normal = HalfWidth::of(text);
        let lower = normal.text.to_ascii_lowercase();
        let mut out = Vec::new();
        for (group, weight) in &self.words {
            let together = group.concat();
            let spaced = (group.len() > 1).then(|| group.join(" "));
            for word in std::iter::once(&together).chain(&spaced) {
                let (latin_start, latin_end) = (starts_latin(word), ends_latin(word));
                for (at, _) in lower.match_indices(word.as_str()) {
                    let end = at + word.len();
                    if (latin_start && lower[..at].chars().next_back().is_some_and(is_latin))
                        || (latin_end && lower[end..].chars().next().is_some_and(is_latin))
                    {
                        continue;
                    }
                    out.push((normal.original_offset(at)..normal.original_offset(end), *weight));
                }
            }
        }
        out.sort_by_key(|(range, _)| (range.start, range.end));
        out
    }

    /// The words of `text` marked, the whole text kept (a subject).
    pub fn whole(&self, text: &str) -> Vec<(usize, usize)> {
        merged(self.matches(text).iter().map(|(r, _)| r.clone()), 0)
    }

    /// The best piece of `text` of at most `max_bytes`, or `None` when no query word occurs.
    pub fn fragment(&self, text: &str, max_bytes: usize) -> Option<Found> {
        let matches = self.matches(text);
        // Windows start at a match; the best holds the most weight, the earliest on a tie.
        let mut best: Option<(f32, usize, usize)> = None;
        for (i, (first, _)) in matches.iter().enumerate() {
            let limit = first.start + max_bytes;
            let (mut weight, mut last) = (0.0, i);
            for (j, (range, w)) in matches.iter().enumerate().skip(i) {
                if range.end > limit {
                    break;
                }
                weight += w;
                last = j;
            }
            if best.is_none_or(|(w, _, _)| weight > w) {
                best = Some((weight, i, last));
            }
        }
        let (_, first, last) = best?;
        let (first_start, last_end) = (matches[first].0.start, matches[last].0.end.max(matches[first].0.end));
        let start = sentence_start(text, first_start, last_end.saturating_sub(max_bytes));
        let mut end = (start + max_bytes).min(text.len()).max(last_end);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let inside = matches.iter().filter(|(r, _)| r.start >= start && r.end <= end).map(|(r, _)| r.clone());
        Some(Found { fragment: start..end, highlights: merged(inside, start) })
    }
}

/// The start of the sentence holding `at`, if not before `earliest`; else `at`.
fn sentence_start(text: &str, at: usize, earliest: usize) -> usize {
    let before = &text[..at];
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    if start >= earliest {
        start
    } else {
        at
    }
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn starts_latin(word: &str) -> bool {
    word.chars().next().is_some_and(is_latin)
}

fn ends_latin(word: &str) -> bool {
    word.chars().next_back().is_some_and(is_latin)
}

/// Ranges sorted, overlapping ones (a word and its parts) merged, made relative to `base`.
fn merged(ranges: impl Iterator<Item = Range<usize>>, base: usize) -> Vec<(usize, usize)> {
    models::text::merge_overlapping(ranges.map(|r| (r.start - base, r.end - base)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marks the fragment of `text` (at most `max_bytes`) for `words` as `[word]`.
    fn check(words: &[(&str, f32)], text: &str, max_bytes: usize, expected: &str) {
        let highlighter = Highlighter { words: words.iter().map(|&(w, f)| (vec![w.to_string()], f)).collect() };
        let actual = match highlighter.fragment(text, max_bytes) {
            None => "(none)".to_string(),
            Some(found) => {
                let piece = &text[found.fragment.clone()];
                let mut out = String::new();
                let mut at = 0;
                for (s, e) in found.highlights {
                    out.push_str(&piece[at..s]);
                    out.push_str(&format!("[{}]", &piece[s..e]));
                    at = e;
                }
                out.push_str(&piece[at..]);
                out
            }
        };
        assert_eq!(actual, expected, "{words:?} in {text:?}");
    }

    #[test]
    fn words_are_marked_where_they_occur() {
        check(&[("油烟", 1.0)], "油烟直排，窗户都不能开。", 240, "[油烟]直排，窗户都不能开。");
        check(&[("净化", 1.0), ("设备", 1.0)], "已安装油烟净化设备。", 240, "已安装油烟[净化][设备]。");
        check(&[("噪音", 1.0)], "油烟直排。", 240, "(none)");
    }

    #[test]
    fn full_width_and_capital_forms_match() {
        check(&[("g240", 1.0)], "Ｇ２４０国道坑洼", 240, "[Ｇ２４０]国道坑洼");
        check(&[("g240", 1.0)], "G2401号线与G240国道", 240, "G2401号线与[G240]国道");
    }

    #[test]
    fn the_fragment_holds_the_most_weight_from_its_sentence_start() {
        let text = "第一句讲噪音。第二句讲别的事情。第三句讲油烟和噪音。";
        // 12 bytes hold one word; the rarer one (油烟) wins.
        check(&[("噪音", 0.1), ("油烟", 0.5)], text, 12, "[油烟]和噪");
        // 36 bytes hold both words of the third sentence, shown from its start.
        check(&[("噪音", 0.1), ("油烟", 0.5)], text, 36, "第三句讲[油烟]和[噪音]。");
    }
}
