//! The key that groups the same reply pasted under different posts.
//!
//! Units paste one text under many posts, changing only the citizen's id or name, the date, a
//! phone number or a place code. The key keeps the words and drops those, plus punctuation and
//! whitespace, so that the pipeline can hash it and give posts sharing a key a `duplicate_group`.

use super::normalize::{fold, is_content_char};

/// What varies between copies of one reply, as a regular expression: quoted names and ids, ids,
/// numbers with their date or time unit, place-code letters. [`varying_len`] matches it by hand
/// (a regex scan here took a twentieth of the scoring stage); the tests hold the two together.
#[cfg(test)]
const VARYING: &str = r#"[“"][^”"]{0,24}[”"]|(?:UU|A)[0-9]{3,}|[0-9]+(?:年|月|日|号|时|分|点)?|[A-Za-z]+"#;

/// Most characters between the quotes of a quoted name or id.
const QUOTED_CHARS: usize = 24;

/// The length in bytes of the varying part `VARYING` matches at the start of `text` (0: none),
/// its alternatives tried in order as the regex does.
fn varying_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits = |from: usize| bytes.get(from..).map_or(0, |b| b.iter().take_while(|b| b.is_ascii_digit()).count());
    let Some(first) = text.chars().next() else { return 0 };
    if matches!(first, '“' | '"') {
        let open = first.len_utf8();
        // nothing between the quotes closes them, so the first closing quote ends the match
        for (n, (i, c)) in text[open..].char_indices().enumerate() {
            if matches!(c, '”' | '"') {
                return open + i + c.len_utf8();
            }
            if n == QUOTED_CHARS {
                break;
            }
        }
    }
    if bytes.starts_with(b"UU") && digits(2) >= 3 {
        return 2 + digits(2);
    }
    if first == 'A' && digits(1) >= 3 {
        return 1 + digits(1);
    }
    let number = digits(0);
    if number > 0 {
        let unit =
            text[number..].chars().next().filter(|c| matches!(c, '年' | '月' | '日' | '号' | '时' | '分' | '点'));
        return number + unit.map_or(0, char::len_utf8);
    }
    bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count()
}

/// The reply's text with names, user ids, numbers, dates, phone numbers and punctuation removed.
pub fn duplicate_key(reply: &str) -> String {
    let folded = fold(reply);
    let mut key = String::with_capacity(folded.len());
    let mut rest = folded.as_str();
    loop {
        // a run of Chinese characters is kept whole: nothing that varies starts with one
        let run =
            rest.char_indices().find(|&(_, c)| !matches!(c, '\u{4E00}'..='\u{9FFF}')).map_or(rest.len(), |(i, _)| i);
        key.push_str(&rest[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else { break };
        let varying = varying_len(rest);
        if varying > 0 {
            rest = &rest[varying..];
            continue;
        }
        if is_content_char(c) {
            key.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, b: &str, same: bool) {
        assert_eq!(duplicate_key(a) == duplicate_key(b), same, "{:?} vs {:?}", duplicate_key(a), duplicate_key(b));
    }

    #[test]
    fn copies_differing_in_id_date_and_phone_share_a_key() {
        check(
            "“UU008285”您好！您的留言收悉，已转有关部门调查核处。2019年12月11日",
            "“邹建礼”您好! 您的留言收悉, 已转有关部门调查核处。2018年1月2日",
            true,
        );
        check("请致电0000-00000000咨询。", "请致电0731-84585111咨询。", true);
    }

    #[test]
    fn different_answers_have_different_keys() {
        check("已拆除违建。", "已立案调查。", false);
    }

    /// The key as the regular expression gives it.
    fn key_by_regex(reply: &str) -> String {
        let varying = regex::Regex::new(VARYING).unwrap();
        varying.replace_all(&fold(reply), "").chars().filter(|&c| is_content_char(c)).collect()
    }

    #[test]
    fn the_hand_scan_removes_what_the_pattern_matches() {
        for reply in [
            "“UU008285”您好！2019年12月11日",
            "\"\"空引号“”后“未闭合的引号",
            "“一二三四五六七八九十一二三四五六七八九十一二三四”二十四字“一二三四五六七八九十一二三四五六七八九十一二三四五”二十五字",
            "“名字\"直引号闭合”",
            "UU12 UU123 UUA1234 A12 A123B AB1234 UUU9999 uu1234",
            "12点半,3时05分,0731-84585111,第5号,2020年月",
            "K9县abcXYZ路A2区“A0012345”",
            "",
            "年月日",
        ] {
            assert_eq!(duplicate_key(reply), key_by_regex(reply), "{reply}");
        }
    }

    #[test]
    fn key_keeps_the_words() {
        assert_eq!(duplicate_key("网友“UU0081”：您好！已转K9县教育局。2019年1月2日"), "网友您好已转县教育局");
    }
}
