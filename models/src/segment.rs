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

mod memo;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use jieba_rs::Jieba;
use regex::Regex;

pub use memo::CutMemo;
use memo::{Lookup, LONGEST_BLOCK};

/// A masked place code: a capital letter, up to two digits, an administrative suffix.
static PLACE_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Z][0-9]{0,2}(?:省|市|区|县|镇|乡)").expect("valid place-code pattern"));

static CHINESE: LazyLock<ChineseSegmenter> =
    LazyLock::new(|| ChineseSegmenter { jieba: Jieba::new(), id: new_dictionary_id() });

/// Each dictionary's id, for [`CutMemo`]: cuts remembered for one are not the cuts of another.
fn new_dictionary_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

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
    /// Which dictionary this is (a clone shares it; added words make a new one).
    id: u64,
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
        self.id = new_dictionary_id();
    }

    /// Whether the dictionary (with the local words) holds `word`: a word it does not hold was
    /// joined by the HMM, and texts may cut it otherwise.
    pub fn knows(&self, word: &str) -> bool {
        self.jieba.has_word(word)
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

    /// The words of [`Self::search_tokens`], the same ones, with the cuts of blocks met before
    /// taken from `memo` (see [`CutMemo`]): for many texts that repeat each other's phrases.
    pub fn search_tokens_memo<'a>(&self, text: &'a str, memo: &mut CutMemo) -> Vec<&'a str> {
        memo.serve(self.id);
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.each_piece(text, &mut out, |piece, out| self.cut_search_memo(piece, memo, out));
        out
    }

    fn cut<'a>(&self, text: &'a str, search: bool) -> Vec<&'a str> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.each_piece(text, &mut out, |piece, out| self.cut_plain(piece, search, out));
        out
    }

    /// Cuts the text between masked place codes with `cut`; each code is a word.
    fn each_piece<'a>(&self, text: &'a str, out: &mut Vec<&'a str>, mut cut: impl FnMut(&'a str, &mut Vec<&'a str>)) {
        let mut rest_start = 0;
        for code in PLACE_CODE.find_iter(text) {
            cut(&text[rest_start..code.start()], out);
            out.push(code.as_str());
            rest_start = code.end();
        }
        cut(&text[rest_start..], out);
    }

    /// Search mode, block by block (see [`CutMemo`]). Between blocks jieba makes every character
    /// a word, except that "\r\n" stays one.
    fn cut_search_memo<'a>(&self, text: &'a str, memo: &mut CutMemo, out: &mut Vec<&'a str>) {
        let mut rest = text;
        while let Some(first) = rest.chars().next() {
            let in_block = is_block_character(first);
            let (run, after) = rest.split_at(run_length(rest, in_block));
            rest = after;
            if !in_block {
                let mut chars = run.char_indices().peekable();
                while let Some((at, c)) = chars.next() {
                    let end = match chars.peek() {
                        Some(&(next, '\n')) if c == '\r' => {
                            chars.next();
                            next + 1
                        }
                        Some(&(next, _)) => next,
                        None => run.len(),
                    };
                    out.push(&run[at..end]);
                }
                continue;
            }
            if run.len() > LONGEST_BLOCK {
                self.cut_plain(run, true, out);
                continue;
            }
            match memo.look_up(run) {
                Lookup::Known(words) => out.extend(words.ranges().map(|(start, end)| &run[start..end])),
                Lookup::Unknown { hash, remember } => {
                    let first_word = out.len();
                    self.cut_plain(run, true, out);
                    if remember {
                        let base = run.as_ptr() as usize;
                        let words = out[first_word..].iter().map(|w| {
                            let start = w.as_ptr() as usize - base;
                            (start as u16, (start + w.len()) as u16)
                        });
                        memo.remember(hash, run, words);
                    }
                }
            }
        }
    }

    fn cut_plain<'a>(&self, text: &'a str, search: bool, out: &mut Vec<&'a str>) {
        if text.is_empty() {
            return;
        }
        let words = if search { self.jieba.cut_for_search(text, true) } else { self.jieba.cut(text, true) };
        out.extend(words.into_iter().map(|t| t.word));
    }
}

/// The length in bytes of the characters that start `text` and are in a block if `in_block`, or
/// out of one if not. Read by the lead byte where it says enough: ASCII, and E5..E9, which
/// start the ideographs U+5000..U+9FFF.
fn run_length(text: &str, in_block: bool) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&lead) = bytes.get(at) {
        let (is_block, len) = match lead {
            0..=0x7F => (is_block_character(lead as char), 1),
            0xE5..=0xE9 => (true, 3),
            _ => {
                let c = text[at..].chars().next().expect("a character at a character boundary");
                (is_block_character(c), c.len_utf8())
            }
        };
        if is_block != in_block {
            break;
        }
        at += len;
    }
    at
}

/// The characters of jieba's blocks (its `RE_HAN_DEFAULT`): ideographs, ASCII letters and digits,
/// `+#&._%-`. Runs of them are cut by the dictionary; any other character is a word of its own.
pub fn is_block_character(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-');
    }
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2B73F}'
        | '\u{2B740}'..='\u{2B81F}'
        | '\u{2B820}'..='\u{2CEAF}'
        | '\u{2CEB0}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
    )
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

    /// Cuts `texts` twice with one memo (the second round from memory) and checks each cut
    /// against the plain one.
    fn check_memo(segmenter: &ChineseSegmenter, texts: &[&str]) {
        let mut memo = CutMemo::default();
        for round in 0..2 {
            for text in texts {
                let plain = segmenter.search_tokens(text);
                let remembered = segmenter.search_tokens_memo(text, &mut memo);
                assert_eq!(remembered, plain, "round {round}, text {text:?}");
                let offsets = |words: &[&str]| words.iter().map(|w| w.as_ptr() as usize).collect::<Vec<_>>();
                assert_eq!(offsets(&remembered), offsets(&plain), "offsets, round {round}, text {text:?}");
            }
        }
    }

    #[test]
    fn remembered_cuts_are_the_cuts() {
        check_memo(
            chinese(),
            &[
                "您好！您反映的问题已收悉，您好！您反映的问题已收悉。",
                "投诉A7县星沙4号线公交车难等，8点40都没有车",
                "型号WES-5.4.5的设备，网址www.example.com，费用50%，C++与C#",
                "第一行\r\n第二行\n\r第三行\t  结束",
                "咨询公积金贷款买房问题：公积金贷款额度？",
                "ＡＢＣ１２３全角，𠀀𠀁扩展字，㐀㐁，豈更",
                "",
                "，。！",
                "公积金",
            ],
        );
        let local = ChineseSegmenter::with_user_words("融科东南海 10 ns\n");
        check_memo(&local, &["融科东南海北海小区", "融科东南海北海小区"]);
    }

    #[test]
    fn a_memo_follows_the_dictionary_it_serves() {
        let mut memo = CutMemo::default();
        let local = ChineseSegmenter::with_user_words("58车贷\n");
        for _ in 0..3 {
            assert_eq!(chinese().search_tokens_memo("58车贷", &mut memo), ["58", "车贷"]);
            assert_eq!(local.search_tokens_memo("58车贷", &mut memo), ["58车贷"]);
        }
    }

    #[test]
    fn remembered_cuts_are_the_cuts_on_the_real_data() {
        let mut texts = Vec::new();
        for (file, columns) in [
            ("replies_dev.xlsx", &["留言主题", "留言详情", "答复意见"][..]),
            ("posts_likes.xlsx", &["留言主题", "留言详情"][..]),
        ] {
            let rows = crate::units::test_data::rows(file);
            for column in columns {
                let found: Vec<String> = rows.iter().filter_map(|row| row.get(*column).cloned()).collect();
                assert!(found.len() > 1000, "{file} has its column {column}");
                texts.extend(found);
            }
        }
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        check_memo(chinese(), &texts);
    }

    proptest::proptest! {
        #[test]
        fn remembered_cuts_are_the_cuts_of_any_text(
            parts in proptest::collection::vec("[您好问题已收悉公积金贷款A-Z0-9a-z.%_\\-，。！ \r\n县市区]{0,12}", 1..8)
        ) {
            let texts: Vec<String> = parts.iter().map(|p| format!("{p}{}", parts[0])).collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            check_memo(chinese(), &texts);
        }
    }
}
