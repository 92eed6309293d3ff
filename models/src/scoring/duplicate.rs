//! The key that groups the same reply pasted under different posts.
//!
//! Units paste one text under many posts, changing only the citizen's id or name, the date, a
//! phone number or a place code. The key keeps the words and drops those, plus punctuation and
//! whitespace, so that the pipeline can hash it and give posts sharing a key a `duplicate_group`.

use std::sync::LazyLock;

use regex::Regex;

use super::normalize::{fold, is_content_char};

/// What varies between copies of one reply: quoted names and ids, ids, numbers with their date
/// or time unit, place-code letters.
static VARYING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[“"][^”"]{0,24}[”"]|(?:UU|A)[0-9]{3,}|[0-9]+(?:年|月|日|号|时|分|点)?|[A-Za-z]+"#)
        .expect("valid duplicate-key pattern")
});

/// The reply's text with names, user ids, numbers, dates, phone numbers and punctuation removed.
pub fn duplicate_key(reply: &str) -> String {
    let folded = fold(reply);
    let stripped = VARYING.replace_all(&folded, "");
    stripped.chars().filter(|&c| is_content_char(c)).collect()
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

    #[test]
    fn key_keeps_the_words() {
        assert_eq!(duplicate_key("网友“UU0081”：您好！已转K9县教育局。2019年1月2日"), "网友您好已转县教育局");
    }
}
