//! Question coverage: which of the post's direct questions and demands the reply talks about.
//!
//! A post often makes several points ("1、… 2、… 3、…", "请问…? 能否…? 希望…") and a reply
//! that answers one of them precisely can still skip the one the citizen cared about. The post
//! is cut into sentences; a sentence that asks (能否, 什么时候, 多少, 为什么 …) or demands
//! (请求, 希望, 要求 …) is a demand, and its uncommon character pairs (see `terms`) are what
//! a reply about it would repeat. A demand is covered when the reply's content repeats enough
//! of them. No segmentation: the pairs are looked up in the reply content's term set.

use super::terms::{pairs_of, TermSet};

/// One demand of the post: a byte span of the folded post text and its distinct uncommon
/// character pairs.
#[derive(Debug, Clone)]
pub(crate) struct Demand {
    pub start: usize,
    pub end: usize,
    terms: Vec<u16>,
}

/// Most demands kept per post: long petitions repeat themselves.
const MAX_DEMANDS: usize = 8;

/// A demand is covered when the reply repeats at least this many of its pairs ...
const MIN_SHARED: usize = 2;
/// ... and at least this share of them (a long sentence needs more than two pairs).
const MIN_SHARED_SHARE: f64 = 0.2;

/// Sentences shorter than this (in bytes of folded text) are headings or fragments.
const MIN_SENTENCE_BYTES: usize = 9;

/// Longest quote of a demand shown as evidence (characters).
const QUOTE_CHARS: usize = 80;

/// The demands of a folded post text: the sentences that ask or demand (`sentences`, as
/// `Questions::read` finds them) with at least one uncommon pair. A demand's span is the quote
/// shown when it is left open: from the clause of its first asking word, at most [`QUOTE_CHARS`]
/// long; its terms are the sentence's.
pub(crate) fn demands(post: &str, sentences: &[(usize, usize, usize)], common: &TermSet) -> Vec<Demand> {
    let mut out = Vec::new();
    for &(sentence_start, quote_start, end) in sentences {
        let sentence = &post[sentence_start..end];
        if sentence.len() < MIN_SENTENCE_BYTES {
            continue;
        }
        let mut terms: Vec<u16> = pairs_of(sentence).filter(|k| !common.contains(*k)).collect();
        terms.sort_unstable();
        terms.dedup();
        if terms.is_empty() {
            continue;
        }
        let quote_end = super::normalize::quote_end(post, quote_start, end, QUOTE_CHARS);
        out.push(Demand { start: quote_start, end: quote_end, terms });
        if out.len() == MAX_DEMANDS {
            break;
        }
    }
    out
}

impl Demand {
    /// Whether a reply whose content terms are `reply` talks about this demand.
    pub fn covered_by(&self, reply: &TermSet) -> bool {
        let shared = self.terms.iter().filter(|&&k| reply.contains(k)).count();
        shared >= MIN_SHARED && shared as f64 >= MIN_SHARED_SHARE * self.terms.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexicon::QuestionWords;
    use super::super::questions::Questions;
    use super::*;

    fn check(post: &str, reply: &str, expected: &[bool]) {
        let words = |list: &[&str]| list.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let questions = Questions::new(&QuestionWords {
            yes_no: words(&["能否"]),
            when: words(&["什么时候"]),
            demands: words(&["希望"]),
            ..QuestionWords::default()
        })
        .unwrap();
        let common = TermSet::from_words(["问题", "希望"]);
        let found = demands(post, &questions.demanding_sentences(post), &common);
        let mut terms = TermSet::new();
        terms.add_text(reply);
        let covered: Vec<bool> = found.iter().map(|d| d.covered_by(&terms)).collect();
        assert_eq!(covered, expected, "{post} / {reply}");
    }

    #[test]
    fn each_question_is_covered_by_a_reply_that_talks_about_it() {
        let post = "小区门口路灯坏了三个月。什么时候能修好路灯?能否在东门加装监控探头?";
        check(post, "经查，东门路灯已于5月3日修好。", &[true, false]);
        check(post, "东门监控探头已列入今年加装计划，路灯已修好。", &[true, true]);
    }

    #[test]
    fn sentences_that_ask_nothing_are_not_demands() {
        check("小区门口路灯坏了三个月。垃圾没人清理。", "已修复。", &[]);
    }
}
