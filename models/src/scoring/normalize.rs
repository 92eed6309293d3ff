//! The text the scorer matches on: whitespace removed and full-width ASCII folded to half-width,
//! with a map back to character offsets of the original, so evidence points into what the
//! citizen and the unit actually wrote.
//!
//! Folding first makes the judgement blind to "，" vs "," and to stray `\t\n` runs and
//! `_x000D_` left by spreadsheet exports: the same reply must score the same however typed.

use std::cell::OnceCell;

/// Folds one character: `None` drops it (whitespace), otherwise the character to match on.
pub fn fold_char(c: char) -> Option<char> {
    match c {
        // the common Chinese block first: most characters, and none is whitespace
        '\u{4E00}'..='\u{9FFF}' => Some(c),
        c if c.is_whitespace() => None,
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{200B}' | '\u{FEFF}' => None,
        c => Some(c),
    }
}

/// Folds a lexicon phrase (or a whole reply, for its duplicate key) the same way as the text it
/// is matched against, `_x000D_` kept.
pub fn fold(text: &str) -> String {
    folded_by_bytes(text, false)
}

/// A folded text, and the way back to character offsets of the original.
#[derive(Debug, Default)]
pub struct Folded<'a> {
    pub text: String,
    original: &'a str,
    /// `orig_at[b]` = original char index of the character covering folded byte `b`; one extra
    /// entry at the end holds the original length in chars. Built on first use: most texts
    /// (every post subject, most post bodies) never map evidence back, and the map is four
    /// bytes per byte of text.
    orig_at: OnceCell<Vec<u32>>,
}

const CARRIAGE_RETURN_ESCAPE: &str = "_x000D_";

/// Every character of `original`: its byte offset, its char index, the character, and what
/// folding makes of it (`None`: dropped — whitespace, and every character of a `_x000D_`).
fn folding(original: &str) -> impl Iterator<Item = (usize, u32, char, Option<char>)> + '_ {
    let mut skip_until = 0;
    original.char_indices().enumerate().map(move |(index, (byte, c))| {
        if byte >= skip_until && c == '_' && original[byte..].starts_with(CARRIAGE_RETURN_ESCAPE) {
            skip_until = byte + CARRIAGE_RETURN_ESCAPE.len();
        }
        let folded = if byte < skip_until { None } else { fold_char(c) };
        (byte, index as u32, c, folded)
    })
}

/// The text [`folding`] keeps of `original` (`escapes`: without them, `_x000D_` stays, as in
/// [`fold`]), read from its bytes. The characters that fold to themselves are stepped over by
/// their first byte without being decoded: ASCII other than white space and `_` (which may
/// start `_x000D_`), and the three-byte characters led by E4..E9 (U+4000..U+9FFF, none of them
/// white space). Only the others are decoded and folded. Most of a reply is such characters;
/// folding every character was a tenth of scoring's instructions (callgrind, 10k replies).
fn folded_by_bytes(original: &str, escapes: bool) -> String {
    let bytes = original.as_bytes();
    let mut out = String::with_capacity(original.len());
    // `run`: where the characters copied whole start; `at`: the character looked at
    let (mut run, mut at) = (0, 0);
    while let Some(&lead) = bytes.get(at) {
        match lead {
            b'_' => {}
            0..=0x7F if !(lead as char).is_whitespace() => {
                at += 1;
                continue;
            }
            0xE4..=0xE9 => {
                at += 3;
                continue;
            }
            _ => {}
        }
        let c = original[at..].chars().next().expect("a character starts at a lead byte");
        let (folded, len) = if escapes && original[at..].starts_with(CARRIAGE_RETURN_ESCAPE) {
            (None, CARRIAGE_RETURN_ESCAPE.len())
        } else {
            (fold_char(c), c.len_utf8())
        };
        if folded != Some(c) {
            out.push_str(&original[run..at]);
            out.extend(folded);
            run = at + len;
        }
        at += len;
    }
    out.push_str(&original[run..]);
    out
}

impl<'a> Folded<'a> {
    pub fn new(original: &'a str) -> Self {
        Folded { text: folded_by_bytes(original, true), original, orig_at: OnceCell::new() }
    }

    fn orig_at(&self) -> &[u32] {
        self.orig_at.get_or_init(|| {
            let mut orig_at = Vec::with_capacity(self.text.len() + 1);
            let mut count = 0;
            for (_, index, _, folded) in folding(self.original) {
                if let Some(f) = folded {
                    orig_at.extend(std::iter::repeat_n(index, f.len_utf8()));
                }
                count = index + 1;
            }
            orig_at.push(count);
            orig_at
        })
    }

    /// The original character range of the folded byte range `start..end` (end exclusive).
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let orig_at = self.orig_at();
        if start >= end {
            let at = orig_at[start] as usize;
            return (at, at);
        }
        (orig_at[start] as usize, orig_at[end - 1] as usize + 1)
    }
}

/// The characters `start..end` (in chars) of `text`.
pub fn char_slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end.saturating_sub(start)).collect()
}

/// Characters that carry content: Chinese, letters, digits.
pub fn is_content_char(c: char) -> bool {
    // the common Chinese block first, then ASCII and the common Chinese punctuation:
    // `is_alphanumeric` takes a slow table lookup for every character outside ASCII
    match c {
        '\u{4E00}'..='\u{9FFF}' => true,
        c if c.is_ascii() => c.is_ascii_alphanumeric(),
        '。' | '、' | '“' | '”' | '‘' | '’' | '《' | '》' | '…' | '—' | '【' | '】' | '·' => false,
        c => c.is_alphanumeric(),
    }
}

/// Where a quote of `text[from..end]` ends when it may hold at most `max_chars` characters: at
/// `end` when it fits, else at the end of the last clause within the first `max_chars` that
/// keeps at least half of them (a quote cut mid-word, "…就是" for "…就是大事故啊", misquotes the citizen),
/// else at `max_chars`.
pub(crate) fn quote_end(text: &str, from: usize, end: usize, max_chars: usize) -> usize {
    let Some((limit, _)) = text[from..end].char_indices().nth(max_chars) else { return end };
    let half = text[from..].char_indices().nth(max_chars / 2).map_or(end, |(i, _)| from + i);
    text[from..from + limit]
        .char_indices()
        .filter(|&(_, c)| matches!(c, ',' | '，' | '、' | ';' | '；' | ':' | '：' | '。' | '!' | '！' | '?' | '？'))
        .map(|(i, _)| from + i)
        .rfind(|&at| at >= half)
        .unwrap_or(from + limit)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_long_quote_ends_with_a_clause_not_mid_word() {
        let text = "这个路口没有红绿灯，车速又快，老人小孩过马路非常危险，万一出了事就是大事故啊";
        // fits: whole
        assert_eq!(quote_end(text, 0, text.len(), 100), text.len());
        // cut: after "非常危险" (the last clause end within 28 characters), not after "就是"
        let end = quote_end(text, 0, text.len(), 28);
        assert_eq!(&text[..end], "这个路口没有红绿灯，车速又快，老人小孩过马路非常危险");
        // no clause end in the second half of the limit: cut at the limit
        let run = "一二三四五，六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯";
        assert_eq!(&run[..quote_end(run, 0, run.len(), 20)], "一二三四五，六七八九十甲乙丙丁戊己庚辛壬");
    }

    fn check(original: &str, folded: &str, span: (usize, usize), expected: &str) {
        let f = Folded::new(original);
        assert_eq!(f.text, folded);
        let (start, end) = f.original_span(span.0, span.1);
        assert_eq!(char_slice(original, start, end), expected);
    }

    #[test]
    fn folds_width_and_drops_whitespace() {
        check("您好！　已转\tA2区。", "您好!已转A2区。", (0, 7), "您好！");
        check("a_x000D_\nb，c", "ab,c", (1, 4), "b，c");
    }

    #[test]
    fn the_folded_text_is_what_the_map_is_built_from() {
        for original in [
            "",
            "_x000D_",
            "a_x000D_",
            "_x000D_b",
            "__x000D__x000D_",
            "_x000",
            "_x000D",
            "您好！　已转\tA2区。\u{200B}",
            "经 查",
            "\u{0B}\u{0C}\r\n\u{1C}\u{85}\u{A0}\u{2028}\u{FEFF}",
            "\u{4000}\u{4DFF}\u{9FFF}\u{A000}𠀀😀é①",
            "Ｇ２４０ｋｍ，５０％　＿ｘ０００Ｄ＿",
        ] {
            let kept: String = folding(original).filter_map(|(_, _, _, f)| f).collect();
            assert_eq!(Folded::new(original).text, kept, "{original:?}");
        }
    }

    proptest! {
        #[test]
        fn folding_by_bytes_keeps_what_folding_keeps(
            original in "[\\x00-\\x7F\u{85}\u{A0}\u{3000}\u{3400}-\u{4E10}\u{9FF0}-\u{A010}\u{FF01}-\u{FF5E}\u{200B}\u{FEFF}😀_x0D]{0,40}"
        ) {
            let kept: String = folding(&original).filter_map(|(_, _, _, f)| f).collect();
            prop_assert_eq!(folded_by_bytes(&original, true), kept);
            prop_assert_eq!(fold(&original), original.chars().filter_map(fold_char).collect::<String>());
        }
    }

    #[test]
    fn content_characters_are_the_alphanumeric_ones() {
        for c in [
            '经', 'A', 'z', '7', '。', '、', '“', '”', '‘', '’', '《', '》', '…', '—', '【', '】', '·', ',', ' ', '々',
            '〇', 'é', '①',
        ] {
            assert_eq!(is_content_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn spans_cover_whole_characters() {
        let f = Folded::new("经 查，属实");
        let start = f.text.find("属实").unwrap();
        assert_eq!(f.original_span(start, start + "属实".len()), (4, 6));
    }
}
