//! Chinese word segmentation, shared by the whole product (search, recurring issues, scoring).
//!
//! The dictionary (about 350k words) takes a noticeable fraction of a second to load, so the
//! default segmenter lives in a static and is built once, on first use. Callers that know local
//! names (compounds, roads, companies) build their own segmenter with a user dictionary on top.
//!
//! The data masks place names as a Latin letter, digits and an administrative suffix ("A5区",
//! "K9县", "F9市"). The dictionary knows none of them and would split "A5区" into "A5" + "区",
//! which makes "A5区" and "A5" look alike to search and clustering; so masked place codes are
//! always kept whole, before the dictionary sees the text.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use regex::Regex;

/// A masked place code: a capital letter, up to two digits, an administrative suffix.
static PLACE_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Z][0-9]{0,2}(?:省|市|区|县|镇|乡)").expect("valid place-code pattern"));

static CHINESE: LazyLock<ChineseSegmenter> = LazyLock::new(|| ChineseSegmenter { jieba: Jieba::new() });

/// The shared segmenter with the default dictionary only.
pub fn chinese() -> &'static ChineseSegmenter {
    &CHINESE
}

/// Words of `text` in normal (precise) mode with the default dictionary.
pub fn tokens(text: &str) -> Vec<&str> {
    chinese().tokens(text)
}

/// Words of `text` in search mode (long words also cut into their dictionary parts).
pub fn search_tokens(text: &str) -> Vec<&str> {
    chinese().search_tokens(text)
}

/// A Chinese segmenter: the default dictionary plus optional local words.
#[derive(Clone)]
pub struct ChineseSegmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for ChineseSegmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChineseSegmenter").finish_non_exhaustive()
    }
}

impl ChineseSegmenter {
    /// The default dictionary plus the words of `user_dictionary` (see [`Self::add_user_words`]).
    pub fn with_user_words(user_dictionary: &str) -> Self {
        let mut segmenter = chinese().clone();
        segmenter.add_user_words(user_dictionary);
        segmenter
    }

    /// Adds local words, one a line: `word [frequency] [part-of-speech]`; `#` starts a comment.
    /// Without a frequency the word gets the one that makes it win over its parts.
    pub fn add_user_words(&mut self, user_dictionary: &str) {
        for line in user_dictionary.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut fields = line.split_whitespace();
            let Some(word) = fields.next() else { continue };
            let freq = fields.next().and_then(|f| f.parse::<usize>().ok());
            let tag = fields.next();
            self.jieba.add_word(word, freq, tag);
        }
    }

    /// Words of `text` in normal mode: every character belongs to exactly one token.
    pub fn tokens<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.cut(text, false)
    }

    /// Words of `text` in search mode: long words are also cut into their dictionary parts
    /// (so "公积金贷款" gives "公积", "公积金", "贷款", "公积金贷款"), for recall in an index.
    pub fn search_tokens<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.cut(text, true)
    }

    fn cut<'a>(&self, text: &'a str, search: bool) -> Vec<&'a str> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        let mut rest_start = 0;
        for code in PLACE_CODE.find_iter(text) {
            self.cut_plain(&text[rest_start..code.start()], search, &mut out);
            out.push(code.as_str());
            rest_start = code.end();
        }
        self.cut_plain(&text[rest_start..], search, &mut out);
        out
    }

    fn cut_plain<'a>(&self, text: &'a str, search: bool, out: &mut Vec<&'a str>) {
        if text.is_empty() {
            return;
        }
        let words = if search { self.jieba.cut_for_search(text, true) } else { self.jieba.cut(text, true) };
        out.extend(words.into_iter().map(|t| t.word));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(segmenter: &ChineseSegmenter, text: &str, expected: &[&str]) {
        assert_eq!(segmenter.tokens(text), expected, "segmenting {text:?}");
    }

    #[test]
    fn masked_place_codes_stay_whole() {
        check(chinese(), "A市A5区", &["A市", "A5区"]);
        check(chinese(), "K9县教育局", &["K9县", "教育局"]);
        check(chinese(), "家住F9市", &["家住", "F9市"]);
    }

    #[test]
    fn digits_and_latin_stay_together() {
        check(chinese(), "G240国道", &["G240", "国道"]);
        check(chinese(), "58车贷", &["58", "车贷"]);
    }

    #[test]
    fn user_words_join_local_names() {
        let local = ChineseSegmenter::with_user_words("58车贷\n# a compound\n融科东南海 10 ns\n");
        check(&local, "58车贷", &["58车贷"]);
        check(&local, "融科东南海北海小区", &["融科东南海", "北海", "小区"]);
        check(chinese(), "58车贷", &["58", "车贷"]);
    }

    #[test]
    fn normal_mode_covers_every_character() {
        let text = "投诉A7县星沙4号线公交车难等，8点40都没有车";
        assert_eq!(tokens(text).concat(), text);
    }

    #[test]
    fn search_mode_adds_the_parts_of_long_words() {
        let words = search_tokens("咨询公积金贷款买房问题");
        assert!(words.contains(&"公积金"), "{words:?}");
        assert!(words.contains(&"贷款"), "{words:?}");
    }
}
