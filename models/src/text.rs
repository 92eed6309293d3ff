//! Cleaning of the texts exported by the platform: subjects, post bodies and replies.
//!
//! The exports wrap every post body in `\n\t\t\t\t\t\n\t\t\t\t\t … \n\t\t\t\t`, spell carriage
//! returns as the literal `_x000D_` (Excel's escape), indent paragraphs with two ideographic
//! spaces (U+3000) and pad signatures with runs of NBSP. None of that is part of what was written;
//! everything downstream (scoring evidence offsets, search, duplicate detection) works on the
//! cleaned text, so cleaning must never change a word, only the white space between words.

/// The common CJK ideographs: the unified block and extension A, where nearly every character
/// of the texts lies. A range test, cheaper than the Unicode tables, for code that meets every
/// character (the index's analyzer, the scorer's terms).
pub fn is_common_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// The export's escape for a carriage return (`\r`), found inside cells.
const ESCAPED_CR: &str = "_x000D_";

/// The text with the export's white space removed, words untouched.
///
/// Rules, read off the data (replies_dev.xlsx, posts_likes.xlsx, posts_unlabelled.xlsx):
/// - white space of any kind (`\t`, `\r`, `\n`, space, U+3000, NBSP, `_x000D_`) is removed at
///   both ends;
/// - inside, a run of white space becomes one `"\n"` when it holds a line break (`\n`, `\r`,
///   `_x000D_`) or two or more U+3000: "此致\u{3000}\u{3000}敬礼" and "监督！\u{3000}\u{3000}
///   2018年3月19日" are paragraph indents whose line break the export lost, and keeping the
///   break is what lets a signature be found at the end of a reply;
/// - any other run (tabs, spaces, one U+3000, NBSP) becomes one space when a neighbour is an
///   ASCII letter or digit ("楚A\u{a0}XC179" → "楚A XC179", "A市交通运输局 2019-05-09"
///   stays), and nothing when both neighbours are CJK characters or punctuation ("金毛地产
///   精装房" → "金毛地产精装房", "没处理！ 希望" → "没处理！希望"): Chinese is written without
///   spaces, and those spaces are line-wrapping debris.
///
/// One pass over the text, no allocation besides the result. The words between white-space
/// runs are found by their bytes and copied whole: most texts are long runs of Chinese with
/// no white space at all, and copying them character by character was 12% of ingest.
pub fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The white-space run before the next word: whether it breaks a line, how many U+3000 it
    // holds. Every word but the first follows one, since a word ends only at white space.
    let mut run_breaks_line = false;
    let mut run_ideographic = 0u32;
    let mut rest = text;
    loop {
        let word = &rest[..word_len(rest)];
        if let Some(&first) = word.as_bytes().first() {
            if !out.is_empty() {
                if run_breaks_line || run_ideographic >= 2 {
                    out.push('\n');
                } else if out.as_bytes().last().is_some_and(u8::is_ascii_alphanumeric) || first.is_ascii_alphanumeric()
                {
                    // A last byte is an ASCII letter or digit only when the last character is one.
                    out.push(' ');
                }
            }
            run_breaks_line = false;
            run_ideographic = 0;
            out.push_str(word);
            rest = &rest[word.len()..];
        }
        let Some(c) = rest.chars().next() else { break };
        // `rest` starts with white space (or `_x000D_`): one more piece of the run.
        let (width, breaks_line) = if rest.starts_with(ESCAPED_CR) {
            (ESCAPED_CR.len(), true)
        } else {
            (c.len_utf8(), c == '\n' || c == '\r')
        };
        run_breaks_line |= breaks_line;
        run_ideographic += u32::from(c == '\u{3000}');
        rest = &rest[width..];
    }
    out
}

/// The length in bytes of the word `text` starts with: everything before its first white space
/// or `_x000D_`.
fn word_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // `i` is always at the start of a character: the first byte says how long it is.
        let (starts_space, width) = match bytes[i] {
            // Other control characters (a stray \x02 of a copied cell) are no text: white space.
            b'\t'..=b'\r' | b' ' | 0x00..=0x08 | 0x0E..=0x1F | 0x7F => (true, 1),
            b'_' => (bytes[i..].starts_with(ESCAPED_CR.as_bytes()), 1),
            // Every non-ASCII white space starts with one of these bytes (U+0085 and U+00A0;
            // U+1680; U+2000–U+205F; U+3000), shared with common punctuation such as “ and 。.
            first @ (0xC2 | 0xE1 | 0xE2 | 0xE3) => {
                (text[i..].chars().next().is_some_and(char::is_whitespace), if first == 0xC2 { 2 } else { 3 })
            }
            0x00..=0x7F => (false, 1),
            0xC0..=0xDF => (false, 2),
            0xE0..=0xEF => (false, 3),
            _ => (false, 4),
        };
        if starts_space {
            return i;
        }
        i += width;
    }
    bytes.len()
}

/// Full-width ASCII forms (Ａ-Ｚ, ａ-ｚ, ０-９, ＃％－．／＠ …) and the ideographic space as
/// their half-width ASCII forms, for code that matches codes, numbers and Latin words.
///
/// The full-width marks that are ordinary Chinese punctuation stay as they are — ，！？：；（）
/// (and 。、《》“” which have no ASCII form anyway) — because they carry the sentence structure
/// that scoring reads.
pub fn normalize_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '，' | '！' | '？' | '：' | '；' | '（' | '）' => c,
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Spans (`start, end`) sorted, with overlapping ones merged into one: a word and its parts
/// highlighted once, a date matched by three patterns counted once.
pub fn merge_overlapping(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: &str) {
        assert_eq!(clean_text(raw), expected, "cleaning {raw:?}");
    }

    #[test]
    fn export_padding_around_post_bodies_goes() {
        check(
            "\n\t\t\t\t\t\n\t\t\t\t\t胡书记：您好，我想请问一下。\n\t\t\t\t\t\n\t\t\t\t\t\n\t\t\t\t",
            "胡书记：您好，我想请问一下。",
        );
        check("\u{3000}\u{a0} 反映A5区问题\u{3000}", "反映A5区问题");
        check("\n\t\t", "");
        check("", "");
    }

    #[test]
    fn line_breaks_and_escaped_carriage_returns_become_one_newline() {
        check("尊敬的易书记：_x000D_\n\u{3000}\u{3000}我爱人于2015年", "尊敬的易书记：\n我爱人于2015年");
        check("不予办理生育津贴。_x000D_\n\u{3000}\u{3000}本人就", "不予办理生育津贴。\n本人就");
        check("一_x000D_二", "一\n二");
        check("损害职工合法权益。\n\n\u{3000}\u{3000}M6州电业局", "损害职工合法权益。\nM6州电业局");
        check("期待事情能得到解决！\n                2019-08-11", "期待事情能得到解决！\n2019-08-11");
    }

    #[test]
    fn control_characters_are_not_text() {
        check("市城管局\u{2}", "市城管局");
        check("噪音\u{0}扰民\u{1b}[0m", "噪音扰民[0m");
        check("A\u{7f}B", "A B");
    }

    #[test]
    fn two_ideographic_spaces_are_a_lost_paragraph_break() {
        check("领导您好，\u{3000}\u{3000}关于实施", "领导您好，\n关于实施");
        check("理解与监督！\u{3000}\u{3000}\u{3000}\u{3000}2018年4月2日", "理解与监督！\n2018年4月2日");
        check("第四十八条\u{3000}修改控制性", "第四十八条修改控制性");
    }

    #[test]
    fn spaces_stay_only_beside_latin_letters_and_digits() {
        check("我要反应A市金毛地产 精装房劣质", "我要反应A市金毛地产精装房劣质");
        check("噪音问题一直没处理！ 希望相关", "噪音问题一直没处理！希望相关");
        check("包括水管\u{a0}电缆\u{a0}水泵", "包括水管电缆水泵");
        check("牌照：楚A\u{a0}XC179\u{a0}表示", "牌照：楚A XC179 表示");
        check("目前1. 2 3期近7000户", "目前1. 2 3期近7000户");
        check("的关心、监督与支持！ A市交通运输局 2019-05-09", "的关心、监督与支持！ A市交通运输局 2019-05-09");
        check("电话号码\t备注陈某明\t98500", "电话号码备注陈某明 98500");
        check("情况，督促加以解决。 \u{a0} \u{a0}凌君艳 \u{a0}2018年", "情况，督促加以解决。凌君艳 2018年");
    }

    #[test]
    fn words_and_underscores_are_never_touched() {
        check("file_x000 name_x000D", "file_x000 name_x000D");
        check("A3区洋湖街道\n2019年5月9日", "A3区洋湖街道\n2019年5月9日");
        check("é 字𠀀😀\u{a0}x“引”。", "é字𠀀😀 x“引”。");
    }

    #[test]
    fn every_white_space_character_is_found_by_its_first_byte() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|c| c.is_whitespace()) {
            let text = format!("字{c}词");
            assert_eq!(word_len(&text), "字".len(), "{c:?} not found");
        }
    }

    #[test]
    fn full_width_ascii_becomes_half_width_but_chinese_punctuation_stays() {
        assert_eq!(normalize_width("Ａ市Ｋ７县０７３１－８８８８"), "A市K7县0731-8888");
        assert_eq!(normalize_width("２０１８．９．１８，好！对吗？"), "2018.9.18，好！对吗？");
        assert_eq!(normalize_width("您好。收悉、谢谢：（略）；"), "您好。收悉、谢谢：（略）；");
        assert_eq!(normalize_width("ａ\u{3000}ｂ"), "a b");
    }
}
