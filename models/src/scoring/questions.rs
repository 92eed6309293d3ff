//! Which sentences of a post ask something: the kinds of direct question it puts (能否 / 什么时候
//! / 多少 / 为什么 / 怎么办) and the sentences that ask or demand (请求 / 希望 …), the ones a
//! reply should answer.
//!
//! Some question words are as often part of a statement: "最近几年", "好几个月", "多少年来",
//! "无论如何", "不知道哪里". Those (`[questions] in_questions_only` in the lexicon) count only in
//! a sentence that is itself a question — it ends with "?" or holds a mark of asking ("请问",
//! "吗", "呢"). Otherwise a post that only tells its story would be read as asking a figure, and
//! its statement quoted as the question the reply left open.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::lexicon::{LexiconError, QuestionWords};
use super::normalize::{fold, is_content_char};

/// Marks that end a sentence of the folded post.
pub(crate) fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '!' | '?' | ';' | '\n')
}

/// Marks that end a clause within a sentence.
fn is_clause_end(c: char) -> bool {
    is_sentence_end(c) || matches!(c, ',' | '、' | ':')
}

/// Longest stretch of a sentence quoted as the question left open (characters).
const QUOTE_CHARS: usize = 80;

/// Fewest characters (Chinese, letters, digits) a demanding sentence holds besides its asking
/// words: fewer, and it is a closing ("特此请求", "请领导重视"), not a demand of its own.
const MIN_DEMAND_CHARS: usize = 4;

/// The question and demand words of the lexicon, compiled once.
pub(crate) struct Questions {
    words: AhoCorasick,
    /// the kinds of question (see `signals::ask`) each word asks; 0 for a demand word
    kinds: Vec<u8>,
    /// words that ask only in a sentence that is a question
    in_questions_only: Vec<bool>,
    interrogative: AhoCorasick,
    rhetorical: AhoCorasick,
}

impl Questions {
    pub fn new(q: &QuestionWords) -> Result<Self, LexiconError> {
        let lists: [(&[String], u8); 7] = [
            (&q.yes_no, super::signals::ask::YES_NO),
            (&q.when, super::signals::ask::WHEN),
            (&q.amount, super::signals::ask::AMOUNT),
            (&q.reason, super::signals::ask::REASON),
            (&q.how, super::signals::ask::HOW),
            (&q.where_to, super::signals::ask::HOW | super::signals::ask::WHERE),
            (&q.demands, 0),
        ];
        let only: Vec<String> = q.in_questions_only.iter().map(|w| fold(w)).collect();
        let mut words: Vec<String> = Vec::new();
        let mut kinds: Vec<u8> = Vec::new();
        for (list, kind) in lists {
            for word in list.iter().map(|w| fold(w)).filter(|w| !w.is_empty()) {
                match words.iter().position(|w| *w == word) {
                    Some(i) => kinds[i] |= kind,
                    None => {
                        words.push(word);
                        kinds.push(kind);
                    }
                }
            }
        }
        let in_questions_only = words.iter().map(|w| only.contains(w)).collect();
        let build = |list: &[String]| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(list)
                .map_err(|e| LexiconError::Invalid(format!("question words: {e}")))
        };
        let folded = |list: &[String]| list.iter().map(|w| fold(w)).filter(|w| !w.is_empty()).collect::<Vec<_>>();
        Ok(Questions {
            words: build(&words)?,
            kinds,
            in_questions_only,
            interrogative: build(&folded(&q.interrogative))?,
            rhetorical: build(&folded(&q.rhetorical))?,
        })
    }

    /// The sentences of a folded text as byte spans (each with its end mark).
    fn sentences(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut start = 0;
        let mut ends: Vec<usize> =
            text.char_indices().filter(|&(_, c)| is_sentence_end(c)).map(|(i, c)| i + c.len_utf8()).collect();
        if ends.last() != Some(&text.len()) {
            ends.push(text.len());
        }
        ends.into_iter().map(move |end| {
            let span = (start, end);
            start = end;
            span
        })
    }

    fn is_question(&self, sentence: &str) -> bool {
        sentence.trim_end_matches(['。', '!', ';', '\n']).ends_with('?') || self.interrogative.is_match(sentence)
    }

    /// The words that count in `sentence`: (kind, start, end) in bytes of the sentence.
    fn asking_words<'s>(&'s self, sentence: &'s str) -> impl Iterator<Item = (u8, usize, usize)> + 's {
        let question = std::cell::OnceCell::new();
        self.words.find_iter(sentence).filter_map(move |m| {
            let i = m.pattern().as_usize();
            let counts = !self.in_questions_only[i] || *question.get_or_init(|| self.is_question(sentence));
            counts.then_some((self.kinds[i], m.start(), m.end()))
        })
    }

    /// What a folded text asks, read in one pass over its sentences (the body of a post is read
    /// once for its questions and its demands).
    pub fn read(&self, text: &str) -> Asked {
        let mut asked = Asked { kinds: 0, quotes: Vec::new(), demanding: Vec::new() };
        for (s, e) in Self::sentences(text) {
            let sentence = &text[s..e];
            if self.rhetorical.is_match(sentence) {
                continue;
            }
            // (a demand word naming a person — "请求人：…", "建议人" — labels the asker)
            let words: Vec<(u8, usize, usize)> = self
                .asking_words(sentence)
                .filter(|&(kind, _, end)| kind != 0 || !sentence[end..].starts_with('人'))
                .collect();
            // what the sentence says besides its asking words: a closing formula ("特此请求。",
            // "恳请领导帮忙解决！") asks for nothing a reply could be checked against
            let said = |text: &str| text.chars().filter(|&c| is_content_char(c)).count();
            let asking: usize = words.iter().map(|&(_, start, end)| said(&sentence[start..end])).sum();
            let demands = said(sentence).saturating_sub(asking) >= MIN_DEMAND_CHARS;
            for (n, (kind, start, _)) in words.into_iter().enumerate() {
                if n == 0 && demands {
                    asked.demanding.push((s, quote_start(text, s, s + start), e));
                }
                // (a "where" is a kind of "how": quoted once with it)
                if kind & !asked.kinds & !super::signals::ask::WHERE != 0 {
                    let quote = (quote_start(text, s, s + start), quote_end(text, s + start, e));
                    asked.quotes.push((kind & !asked.kinds, quote.0, quote.1));
                }
                asked.kinds |= kind;
            }
        }
        asked
    }

    /// The kinds of direct question a folded text asks, and the quotes of [`Asked::quotes`].
    pub fn asks(&self, text: &str) -> (u8, Vec<(u8, usize, usize)>) {
        let asked = self.read(text);
        (asked.kinds, asked.quotes)
    }

    /// The sentences that ask or demand something (see [`Asked::demanding`]).
    #[cfg(test)]
    pub fn demanding_sentences(&self, text: &str) -> Vec<(usize, usize, usize)> {
        self.read(text).demanding
    }
}

/// What a folded text asks.
#[derive(Debug, Default)]
pub(crate) struct Asked {
    /// the kinds of direct question (see `signals::ask`)
    pub kinds: u8,
    /// for the first question of each kind, the span quoted when it is left open: from the
    /// start of the clause holding the question word to the end of its sentence (kind, start, end)
    pub quotes: Vec<(u8, usize, usize)>,
    /// the sentences that ask or demand something: (sentence start, quote start, end) in bytes,
    /// the quote starting at the clause of the first asking word
    pub demanding: Vec<(usize, usize, usize)>,
}

/// The start of the clause holding byte `at`, not before `sentence_start`.
fn quote_start(text: &str, sentence_start: usize, at: usize) -> usize {
    text[sentence_start..at].rfind(is_clause_end).map_or(sentence_start, |i| {
        let mark = text[sentence_start + i..].chars().next().map_or(1, char::len_utf8);
        sentence_start + i + mark
    })
}

/// The end of a quote starting near `from`: the sentence end, or a clause end at most
/// [`QUOTE_CHARS`] on (see [`super::normalize::quote_end`]).
fn quote_end(text: &str, from: usize, sentence_end: usize) -> usize {
    super::normalize::quote_end(text, from, sentence_end, QUOTE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Questions {
        let words = |list: &[&str]| list.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        Questions::new(&QuestionWords {
            yes_no: words(&["能否", "吗?"]),
            when: words(&["什么时候"]),
            amount: words(&["多少", "几年"]),
            reason: words(&["为什么"]),
            how: words(&["怎么"]),
            where_to: words(&["哪个部门"]),
            demands: words(&["希望"]),
            in_questions_only: words(&["多少", "几年", "怎么"]),
            interrogative: words(&["请问", "吗"]),
            rhetorical: words(&["难道", "何在"]),
        })
        .unwrap()
    }

    fn check(text: &str, expected_kinds: u8, expected_quotes: &[&str]) {
        let q = questions();
        let (kinds, spans) = q.asks(text);
        let quotes: Vec<&str> = spans.iter().map(|&(_, s, e)| &text[s..e]).collect();
        assert_eq!((kinds, quotes.as_slice()), (expected_kinds, expected_quotes), "{text}");
    }

    #[test]
    fn a_question_is_quoted_from_its_clause() {
        check("我在A市工作,请问什么时候能办?", 2, &["请问什么时候能办?"]);
        check("路灯坏了。能否修好?为什么没人管?", 1 | 8, &["能否修好?", "为什么没人管?"]);
    }

    #[test]
    fn words_that_also_tell_a_story_ask_only_in_a_question() {
        check("冠市镇最近几年治安很差,花了多少钱也没用。", 0, &[]);
        check("请问这几年一共收了多少钱?", 4, &["请问这几年一共收了多少钱?"]);
        check("这到底怎么回事?", 16, &["这到底怎么回事?"]);
    }

    #[test]
    fn a_question_asked_for_effect_asks_nothing() {
        check("难道就没人管了吗?", 0, &[]);
        check("路灯坏了。难道没人管吗?能否修好?", 1, &["能否修好?"]);
        let q = questions();
        assert!(q.demanding_sentences("天理何在,希望领导看看!").is_empty());
    }

    #[test]
    fn demands_are_sentences_that_ask_or_want() {
        let q = questions();
        let text = "小区路灯坏了好几年。希望尽快修好,谢谢。最近几年没人管。";
        let found: Vec<&str> = q.demanding_sentences(text).iter().map(|&(_, s, e)| &text[s..e]).collect();
        assert_eq!(found, ["希望尽快修好,谢谢。"]);
    }
}
