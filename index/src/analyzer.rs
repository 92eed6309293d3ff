//! How the index cuts Chinese text into words, for documents and for queries alike.
//!
//! Documents are cut in search mode, for recall: a long word is indexed together with its
//! dictionary parts ("公积金贷款" also as "公积金" and "贷款"). The parts take the position of
//! the word they belong to, so the positions count the words of the normal (precise) cut, and
//! a quoted phrase — cut in normal mode at query time — finds the same consecutive positions.
//!
//! Before cutting, full-width Latin letters, digits and punctuation become half-width, so
//! "Ｇ２４０" finds "G240"; offsets still point into the original text, for highlights. (A text
//! whose only full-width forms are punctuation is cut as it is: the words come out the same.) Latin
//! letters are lowercased after cutting (the masked place codes "A5区" are recognised by their
//! capital letter). Tokens without a letter, digit or ideograph (punctuation, spaces) are dropped
//! and take no position.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use models::segment::{is_block_character, ChineseSegmenter, CutMemo};
use models::text::is_common_ideograph;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under in the index.
pub const TOKENIZER_NAME: &str = "zh";

thread_local! {
    /// Each indexing thread's memory of the phrases it has cut (under 20 MB): the replies and
    /// posts of a platform repeat their set phrases endlessly.
    static CUT_MEMO: RefCell<CutMemo> = RefCell::new(CutMemo::default());
}

/// Local names (compounds, schools, roads) kept whole; see the file's header.
pub const LOCAL_WORDS: &str = include_str!("local_words.txt");

/// The segmenter of the index: the default dictionary plus local words. Loading it costs a
/// fraction of a second and some tens of MB, so one is built per opened index and shared.
#[derive(Clone, Debug)]
pub struct ChineseAnalyzer {
    segmenter: Arc<ChineseSegmenter>,
}

impl ChineseAnalyzer {
    /// The default dictionary, [`LOCAL_WORDS`] and the caller's `extra_words` (same format).
    pub fn new(extra_words: &str) -> ChineseAnalyzer {
        let mut segmenter = ChineseSegmenter::with_user_words(LOCAL_WORDS);
        segmenter.add_user_words(extra_words);
        ChineseAnalyzer { segmenter: Arc::new(segmenter) }
    }

    /// Tokens to index: search-mode words with original byte offsets, positions as above.
    pub fn index_tokens(&self, text: &str) -> Vec<Token> {
        let mut stream = self.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
        tokens
    }

    fn token_stream<'a>(&self, text: &'a str) -> ChineseTokenStream<'a> {
        let normal = HalfWidth::of(text);
        let words = CUT_MEMO.with_borrow_mut(|memo| self.segmenter.search_tokens_memo(&normal.text, memo));
        // Search mode emits each word's parts before the word itself; walking backwards meets the
        // word first, and every later (earlier in the text) token inside its span is one of its
        // parts, which takes the word's position. Counting words from the end gives each token
        // its position once the number of words is known.
        let mut cuts = Vec::with_capacity(words.len());
        let mut word_span = (usize::MAX, usize::MAX);
        let mut words_from_end = 0;
        for word in words.iter().rev() {
            let start = word.as_ptr() as usize - normal.text.as_ptr() as usize;
            let end = start + word.len();
            let is_part = start >= word_span.0 && end <= word_span.1 && (start, end) != word_span;
            if !is_part {
                word_span = (start, end);
            }
            if is_searchable(word) {
                words_from_end += !is_part as usize;
                cuts.push(Cut { start, end, words_from_end });
            }
        }
        ChineseTokenStream { normal, cuts, words: words_from_end, token: Token::default() }
    }

    /// Words of a query in normal mode, normalized like the indexed tokens, in order.
    pub fn query_words(&self, text: &str) -> Vec<String> {
        let normal = HalfWidth::of(text);
        let text = capitalize_place_codes(&normal.text);
        let lowercase = |word: &str| {
            let mut out = String::with_capacity(word.len());
            push_lowercase(&mut out, word);
            out
        };
        self.segmenter.tokens(&text).into_iter().filter(|w| is_searchable(w)).map(lowercase).collect()
    }

    /// Whether the dictionary holds `word` (see [`ChineseSegmenter::knows`]).
    pub fn knows(&self, word: &str) -> bool {
        self.segmenter.knows(word)
    }

    /// The parts of a query word that the dictionary holds whole ("拖欠工资" → "拖欠", "工资";
    /// "乱收费" → "乱收", "收费"), when they cover every character of it: the search-mode parts
    /// the index also holds for each occurrence of the word. `None` for a word of fewer than
    /// three ideographs, or one whose parts leave a character out ("物业费": only "物业").
    ///
    /// A text cuts a compound the dictionary holds into one word, but writes the same thing
    /// with a word between as two ("拖欠农民工工资"), so the compound alone would miss it while a
    /// compound the dictionary lacks ("噪音扰民") is searched as its words.
    pub fn word_parts(&self, word: &str) -> Option<Vec<String>> {
        if word.chars().count() < 3 || !word.chars().all(is_common_ideograph) {
            return None;
        }
        let mut parts: Vec<(usize, usize)> = self
            .segmenter
            .search_tokens(word)
            .into_iter()
            .filter(|part| part.len() < word.len() && part.chars().count() >= 2)
            .map(|part| {
                let start = part.as_ptr() as usize - word.as_ptr() as usize;
                (start, start + part.len())
            })
            .collect();
        parts.sort_unstable();
        // the fewest parts that cover the word, left to right: at each character not yet
        // covered, the part that reaches furthest
        let mut cover = Vec::new();
        let mut covered = 0;
        while covered < word.len() {
            let reach = parts.iter().filter(|&&(start, end)| start <= covered && end > covered).max_by_key(|p| p.1)?;
            cover.push(word[reach.0..reach.1].to_string());
            covered = reach.1;
        }
        Some(cover)
    }
}

/// Traditional characters and their simplified forms ([`simplified`]).
const TRADITIONAL: &str = include_str!("traditional.tsv");

/// `text` with its traditional characters in their simplified forms ("噪音擾民" → "噪音扰民"), for
/// a query typed in traditional characters: the platforms' texts are simplified. Borrowed when
/// nothing changes.
pub fn simplified(text: &str) -> Cow<'_, str> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<char, char>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let pair = |line: &str| {
            let mut chars = line.split('\t').map(|c| c.chars().next());
            Some((chars.next()??, chars.next()??))
        };
        TRADITIONAL.lines().filter(|l| !l.starts_with('#')).filter_map(pair).collect()
    });
    if !text.chars().any(|c| table.contains_key(&c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| table.get(&c).copied().unwrap_or(c)).collect())
}

/// A place as the data writes it, from one typed in lowercase, in full-width forms or in
/// traditional characters ("a7县", "Ａ７县", "A7縣" → "A7县").
pub fn normalized_place(place: &str) -> String {
    let normal = HalfWidth::of(place);
    let simple = simplified(&normal.text).into_owned();
    capitalize_place_codes(&simple).into_owned()
}

/// A masked place code as a query word holds it, lowercased: "a7县", "j10县", "a市". Split at its
/// suffix, `(code, suffix)`.
pub fn place_code(word: &str) -> Option<(&str, &str)> {
    let bytes = word.as_bytes();
    let digits = bytes.iter().skip(1).take_while(|b| b.is_ascii_digit()).count();
    let suffix = word.get(1 + digits..)?;
    let mut suffix_chars = suffix.chars();
    let is_code = bytes.first().is_some_and(u8::is_ascii_lowercase)
        && digits <= 2
        && suffix_chars.next().is_some_and(|c| PLACE_SUFFIXES.contains(&c))
        && suffix_chars.next().is_none();
    is_code.then(|| word.split_at(1 + digits))
}

/// What a masked place code ends with, after its letter and at most two digits ("A7县", "A市").
const PLACE_SUFFIXES: [char; 6] = ['省', '市', '区', '县', '镇', '乡'];

/// A query's place codes typed in lowercase ("a7县", "a市") with their capital, as the data
/// writes them: the segmenter keeps a code whole by its capital letter, and the index holds
/// "A7县" as the one word "a7县" (Latin letters are lowercased after cutting), which "a7" +
/// "县" would miss.
fn capitalize_place_codes(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let is_code_at = |i: usize| {
        let digits = bytes[i + 1..].iter().take(2).take_while(|b| b.is_ascii_digit()).count();
        let rest = &text[i + 1 + digits..];
        rest.starts_with(PLACE_SUFFIXES)
    };
    let starts_code =
        |i: usize| bytes[i].is_ascii_lowercase() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) && is_code_at(i);
    if !(0..bytes.len()).any(starts_code) {
        return Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    for i in 0..bytes.len() {
        if starts_code(i) {
            out[i] = bytes[i].to_ascii_uppercase();
        }
    }
    // Only ASCII letters changed, each to another ASCII letter: still UTF-8.
    Cow::Owned(String::from_utf8(out).expect("ASCII letters swapped for ASCII letters"))
}

fn is_searchable(word: &str) -> bool {
    // Most words start with an ideograph of U+5000..U+9FFF (lead bytes E5..E9) or an ASCII
    // letter or digit: searchable by their first byte. (E4 also leads the hexagram symbols.)
    word.as_bytes().first().is_some_and(|&lead| matches!(lead, 0xE5..=0xE9) || lead.is_ascii_alphanumeric())
        || has_searchable_character(word)
}

/// Whether `word` holds a letter, a digit or an ideograph, read character by character.
fn has_searchable_character(word: &str) -> bool {
    word.chars().any(|c| {
        c.is_ascii_alphanumeric()
            || is_common_ideograph(c)
            || (!c.is_ascii() && !is_punctuation(c) && c.is_alphanumeric())
    })
}

/// The punctuation of Chinese text (general punctuation, CJK punctuation, full-width forms): no
/// letter or digit among them, which spares the punctuation tokens, a tenth of all, the Unicode
/// tables.
fn is_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{206F}'
        | '\u{3000}'..='\u{3004}'
        | '\u{3008}'..='\u{3020}'
        | '\u{FF00}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}'
    )
}

/// The bytes that may start a character with a lowercase form: ASCII capitals and the lead
/// bytes other than E4..E9 (a table: one load a byte, where the ranges took several compares).
const MAY_HAVE_LOWERCASE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'A'..=b'Z' | 0xC0..=0xE3 | 0xEA..=0xFF);
        b += 1;
    }
    table
};

/// Appends `word` lowercased; ideographs and ASCII without the Unicode tables.
fn push_lowercase(out: &mut String, word: &str) {
    // Most words are ideographs (lead bytes E4..E9 encode U+4000..U+9FFF, where no character has
    // a lowercase form) or lowercase ASCII: copied as they are.
    if !word.bytes().any(|b| MAY_HAVE_LOWERCASE[b as usize]) {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_common_ideograph(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// A text with full-width ASCII forms made half-width, and the way back to original offsets.
pub(crate) struct HalfWidth<'a> {
    pub(crate) text: Cow<'a, str>,
    /// The offsets in `text` of the characters made half-width, in order. Each was 3 bytes in
    /// the original and is 1 now, so an offset moves back by 2 for each of them before it.
    /// (Chinese text has full-width punctuation in nearly every sentence, so this is made for
    /// most texts: a few numbers, not one offset per byte.)
    narrowed: Vec<u32>,
}

impl<'a> HalfWidth<'a> {
    pub(crate) fn of(text: &'a str) -> HalfWidth<'a> {
        if !has_narrowing_that_matters(text) {
            return HalfWidth { text: Cow::Borrowed(text), narrowed: Vec::new() };
        }
        let mut out = String::with_capacity(text.len());
        let mut narrowed = Vec::new();
        for c in text.chars() {
            match half_width(c) {
                Some(narrow) => {
                    narrowed.push(out.len() as u32);
                    out.push(narrow);
                }
                None => out.push(c),
            }
        }
        HalfWidth { text: Cow::Owned(out), narrowed }
    }

    /// The offset in the original text of offset `at` of `text` (a character boundary).
    pub(crate) fn original_offset(&self, at: usize) -> usize {
        at + 2 * self.narrowed.partition_point(|&n| (n as usize) < at)
    }
}

/// Whether narrowing `text` changes how it is cut: it holds a full-width form whose half-width
/// character the segmenter reads as part of a word (a letter, a digit or one of `+#&._%-`, which
/// it keeps inside runs like "3.5" or "50%"). The other full-width forms are punctuation ("，",
/// "！", "（"): the segmenter makes each of them, full-width or not, a token of its own, which
/// is not searchable and takes no position; so nearly every Chinese text, whose commas are
/// full-width, is cut as it is, without a copy.
///
/// Read from the UTF-8 bytes: U+FF01..U+FF3F are EF BC 81..BF and U+FF40..U+FF5E are EF BD
/// 80..9E (a lead byte is never a continuation byte, so a match is always a whole character).
fn has_narrowing_that_matters(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at + 2 < bytes.len() {
        if bytes[at] == 0xEF && matches!(bytes[at + 1], 0xBC | 0xBD) {
            let c = 0xFF00 + ((bytes[at + 1] as u32 & 0x3) << 6) + (bytes[at + 2] as u32 & 0x3F);
            if char::from_u32(c).and_then(half_width).is_some_and(is_block_character) {
                return true;
            }
        }
        at += 1;
    }
    false
}

/// The half-width form of a full-width ASCII character (U+FF01..U+FF5E) or the ideographic space.
fn half_width(c: char) -> Option<char> {
    match c {
        '\u{3000}' => Some(' '),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// The analyzer as a tantivy tokenizer (registered as [`TOKENIZER_NAME`]).
#[derive(Clone)]
pub struct ChineseTokenizer {
    pub analyzer: ChineseAnalyzer,
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = ChineseTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ChineseTokenStream<'a> {
        self.analyzer.token_stream(text)
    }
}

/// A token to come: its bytes in the half-width text, and how many words (not parts) there
/// are from it to the end of the text, itself included.
struct Cut {
    start: usize,
    end: usize,
    words_from_end: usize,
}

/// The tokens of one text, made one at a time into one reused [`Token`] (no allocation per
/// token: a million posts make hundreds of millions of them).
pub struct ChineseTokenStream<'a> {
    normal: HalfWidth<'a>,
    /// Last token first: `advance` pops them.
    cuts: Vec<Cut>,
    words: usize,
    token: Token,
}

impl TokenStream for ChineseTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(cut) = self.cuts.pop() else { return false };
        let token = &mut self.token;
        token.offset_from = self.normal.original_offset(cut.start);
        token.offset_to = self.normal.original_offset(cut.end);
        token.position = self.words - cut.words_from_end;
        token.position_length = 1;
        token.text.clear();
        push_lowercase(&mut token.text, &self.normal.text[cut.start..cut.end]);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    static ANALYZER: LazyLock<ChineseAnalyzer> = LazyLock::new(|| ChineseAnalyzer::new("融科东南海\n"));

    #[test]
    fn every_character_is_lowercased_as_unicode_lowercases_it() {
        for c in ('\0'..='\u{FFFF}').chain(['𠀀', '😀', '𐐀']) {
            for word in [c.to_string(), format!("经{c}"), format!("{c}a")] {
                let mut out = String::new();
                push_lowercase(&mut out, &word);
                assert_eq!(out, word.to_lowercase(), "{word:?}");
            }
        }
    }

    #[test]
    fn the_first_byte_says_what_the_characters_say_of_every_word_start() {
        for c in ('\0'..='\u{FFFF}').chain(['𠀀', '😀']) {
            for word in [c.to_string(), format!("{c}。"), format!("{c}经")] {
                assert_eq!(is_searchable(&word), has_searchable_character(&word), "{word:?}");
            }
        }
    }

    #[test]
    fn a_compound_the_dictionary_holds_is_also_searched_as_the_parts_the_index_holds() {
        let parts = |word: &str| ANALYZER.word_parts(word).map(|p| p.join(" "));
        assert_eq!(parts("拖欠工资").as_deref(), Some("拖欠 工资"));
        assert_eq!(parts("乱收费").as_deref(), Some("乱收 收费"));
        assert_eq!(parts("中华人民共和国").as_deref(), Some("中华 人民 共和国"));
        // a character no part holds ("费"), two characters, a word not of ideographs: none
        assert_eq!(parts("物业费"), None);
        assert_eq!(parts("工资"), None);
        assert_eq!(parts("ktv"), None);
        // every part is one the index holds for the word itself, at a text's every occurrence
        for word in ["拖欠工资", "乱收费", "中华人民共和国", "违章建筑", "环境污染"] {
            let indexed: Vec<String> = ANALYZER.index_tokens(word).into_iter().map(|t| t.text).collect();
            for part in ANALYZER.word_parts(word).unwrap() {
                assert!(indexed.contains(&part), "{word}: {part} not in {indexed:?}");
            }
        }
    }

    /// Compares the indexed tokens of `text`, written `word@position` and space-separated, with
    /// `expected`; every token's offsets must point back at its word in `text`.
    fn check(text: &str, expected: &str) {
        let tokens = ANALYZER.index_tokens(text);
        for t in &tokens {
            let original = &text[t.offset_from..t.offset_to];
            let half: String = original.chars().map(|c| half_width(c).unwrap_or(c)).collect();
            assert_eq!(half.to_lowercase(), t.text, "offsets of {t:?} in {text:?}");
        }
        let actual: Vec<String> = tokens.iter().map(|t| format!("{}@{}", t.text, t.position)).collect();
        assert_eq!(actual.join(" "), expected, "indexing {text:?}");
    }

    #[test]
    fn masked_place_codes_are_one_word() {
        check("A市A5区", "a市@0 a5区@1");
        check("K9县教育局", "k9县@0 教育@1 教育局@1");
    }

    #[test]
    fn a_complaint_about_street_lights_keeps_the_street_lights() {
        check("小区路灯不亮", "小区@0 路灯@1 不亮@2");
        check("信号灯不亮", "信号@0 信号灯@0 不亮@1");
    }

    #[test]
    fn place_codes_typed_in_lowercase_are_the_codes() {
        assert_eq!(ANALYZER.query_words("a7县教育局"), ["a7县", "教育局"]);
        assert_eq!(ANALYZER.query_words("ａ市Ａ５区"), ["a市", "a5区"]);
        assert_eq!(ANALYZER.query_words("A7县"), ["a7县"]);
        // Not a code: a letter inside a Latin word, or no administrative suffix.
        assert_eq!(capitalize_place_codes("wifi市"), "wifi市");
        assert_eq!(capitalize_place_codes("a7路"), "a7路");
        assert_eq!(capitalize_place_codes("b123县"), "b123县");
    }

    #[test]
    fn digits_and_latin_stay_together() {
        check("58车贷", "58@0 车贷@1");
        check("G240国道", "g240@0 国道@1");
    }

    #[test]
    fn full_width_forms_index_like_half_width() {
        check("Ｇ２４０国道", "g240@0 国道@1");
        check("５８车贷，还款！", "58@0 车贷@1 还款@2");
    }

    #[test]
    fn full_width_forms_are_found_in_the_bytes_as_in_the_characters() {
        for text in [
            "",
            "ａ",
            "Ｇ２４０国道",
            "油烟，噪音。",
            "！",
            "～",
            "｟",
            "｀",
            "＿",
            "　",
            "、。",
            "ＡＢ",
            "ｚ",
            "abc",
            "国道",
        ] {
            let by_chars = text.chars().any(|c| half_width(c).is_some_and(is_block_character));
            assert_eq!(has_narrowing_that_matters(text), by_chars, "{text:?}");
        }
        assert!(matches!(HalfWidth::of("油烟，噪音！（三楼）").text, Cow::Borrowed(_)));
        assert!(matches!(HalfWidth::of("3．5米，").text, Cow::Owned(_)));
        let normal = HalfWidth::of("Ｇ２国道，ab");
        assert_eq!(normal.text, "G2国道,ab");
        let offsets: Vec<usize> = [0, 1, 2, 5, 8, 9, 10, 11].iter().map(|&at| normal.original_offset(at)).collect();
        assert_eq!(offsets, [0, 3, 6, 9, 12, 15, 16, 17]);
    }

    #[test]
    fn full_width_punctuation_alone_cuts_like_half_width() {
        for (full, half) in [
            ("油烟，噪音！（三楼）：扰民？", "油烟,噪音!(三楼):扰民?"),
            ("限速６０，３．５米", "限速60,3.5米"),
            ("达到５０％；", "达到50%;"),
        ] {
            let words =
                |text| ANALYZER.index_tokens(text).into_iter().map(|t| (t.text, t.position)).collect::<Vec<_>>();
            assert_eq!(words(full), words(half), "{full}");
        }
    }

    #[test]
    fn the_punctuation_ranges_hold_no_letter_or_digit() {
        let all = (0x2000..=0x206F).chain(0x3000..=0x3020).chain(0xFF00..=0xFF65);
        for c in all.filter_map(char::from_u32).filter(|&c| is_punctuation(c)) {
            assert!(!c.is_alphanumeric(), "{c:?} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn punctuation_and_spaces_take_no_position() {
        check("油烟，噪音。　扰民！", "油烟@0 噪音@1 扰民@2");
    }

    #[test]
    fn parts_of_long_words_share_the_word_position() {
        check("公积金贷款买房", "公积@0 积金@0 公积金@0 贷款@1 买房@2");
    }

    #[test]
    fn local_words_stay_whole() {
        check("万科魅力之城小区油烟", "万科@0 魅力@1 之城@1 魅力之城@1 小区@2 油烟@3");
        check("融科东南海北海", "东南@0 南海@0 融科东南海@0 北海@1");
    }

    #[test]
    fn queries_are_cut_in_normal_mode() {
        assert_eq!(ANALYZER.query_words("魅力之城 油烟！"), ["魅力之城", "油烟"]);
        assert_eq!(ANALYZER.query_words("Ｇ２４０"), ["g240"]);
        assert_eq!(ANALYZER.query_words("公积金贷款"), ["公积金", "贷款"]);
    }
}
