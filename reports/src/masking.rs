//! Masking of citizens' personal data: user ids (`A0002****`), mobile numbers
//! (`138****5678`, also `138 1234 5678`, `+86 138…`), landlines with an area code or after 电话 /
//! 手机 (`0731-****5678`, `（0731）****5678`) and ID-card numbers (`430***********123X`, the old
//! 15-digit ones too), whether written in ASCII or full-width digits. The API masks them for
//! roles below supervisor; charts and the annual report, which viewers and the public may see,
//! always.
//!
//! Every masked character is replaced one for one by a character of the same width in bytes (an
//! ASCII digit or letter by `*`, a full-width digit by `＊`), so a masked text has the same
//! length in bytes and in characters: evidence offsets (characters) and search highlights
//! (bytes) computed on the original text stay right on the masked one.

/// Characters of a user id left visible.
const USER_ID_SHOWN: usize = 5;

/// Most digits a personal number has (an ID card), so a run of groups is read no further.
const MOST_DIGITS: usize = 18;

/// A citizen's user id with all but its first characters masked: "A00023583" → "A0002****".
pub fn mask_user_id(id: &str) -> String {
    id.chars().enumerate().map(|(i, c)| if i < USER_ID_SHOWN { c } else { '*' }).collect()
}

/// The value of an ASCII or full-width digit.
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

/// Letters and digits, which a personal number must not be glued to.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || digit(c).is_some()
}

/// What may stand between the groups of one number: "138 1234 5678", "0731-84561234",
/// "（0731）84561234", "+86 138…".
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '-' | '－' | '—' | '–' | ')' | '）')
}

/// `text` with phone numbers, ID-card numbers and user ids masked.
pub fn mask_text(text: &str) -> String {
    // Most texts hold no run of 5 digits: return them untouched without copying.
    if text.chars().filter(|c| digit(*c).is_some()).nth(4).is_none() {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut hidden = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i]) || (i > 0 && is_word(chars[i - 1])) {
            i += 1;
            continue;
        }
        let letters = chars[i..].iter().take_while(|c| c.is_ascii_uppercase()).count();
        if letters > 0 {
            let digits = chars[i + letters..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = i + letters + digits;
            if (1..=2).contains(&letters) && digits >= 5 && !chars.get(end).is_some_and(|c| is_word(*c)) {
                hidden[i + USER_ID_SHOWN..end].fill(true);
            }
            i = end + chars[end..].iter().take_while(|c| is_word(**c)).count();
            continue;
        }
        if digit(chars[i]).is_none() {
            // A word of lowercase letters, or letters after a digit ("wx13812345678" is no phone).
            i += 1 + chars[i + 1..].iter().take_while(|c| is_word(**c)).count();
            continue;
        }
        let groups = digit_groups(&chars, i);
        // The longest run of groups that is a personal number; the groups after it, or all but
        // the first when none is, may start one of their own.
        let found =
            (1..=groups.len()).rev().find_map(|n| personal_number(&chars, &groups[..n], text_before(&chars, i)));
        match found {
            Some((positions, end)) => {
                for p in positions {
                    hidden[p] = true;
                }
                i = end;
            }
            None => i = groups[0].1,
        }
    }
    chars
        .iter()
        .zip(&hidden)
        .map(|(&c, &hide)| match (hide, digit(c).is_some() && !c.is_ascii()) {
            (false, _) => c,
            (true, true) => '＊',
            (true, false) => '*',
        })
        .collect()
}

/// The groups of digits from `start` (char indices, end exclusive) joined by one or two
/// separators, up to [`MOST_DIGITS`] digits.
fn digit_groups(chars: &[char], start: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut at = start;
    let mut digits = 0;
    loop {
        let len = chars[at..].iter().take_while(|c| digit(**c).is_some()).count();
        groups.push((at, at + len));
        digits += len;
        let gap = chars[at + len..].iter().take(2).take_while(|c| is_separator(**c)).count();
        let next = at + len + gap;
        if gap == 0 || digits >= MOST_DIGITS || chars.get(next).is_none_or(|c| digit(*c).is_none()) {
            return groups;
        }
        at = next;
    }
}

/// The few characters before `at`, where a word may say the number is a phone's.
fn text_before(chars: &[char], at: usize) -> String {
    chars[at.saturating_sub(6)..at].iter().collect()
}

/// When the digits of `groups` are a personal number: the char indices to hide and where the
/// number ends.
fn personal_number(chars: &[char], groups: &[(usize, usize)], before: String) -> Option<(Vec<usize>, usize)> {
    let positions: Vec<usize> = groups.iter().flat_map(|&(from, to)| from..to).collect();
    let d: Vec<u8> = positions.iter().filter_map(|&p| digit(chars[p])).collect();
    if d.is_empty() {
        return None;
    }
    let mut end = groups.last()?.1;
    let x_follows = chars.get(end).is_some_and(|c| matches!(c, 'X' | 'x' | 'Ｘ'));
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    let (first, n) = (groups[0].1 - groups[0].0, d.len());
    // (the digits hidden, as a range of the number's digits)
    let hide = if n == 17 && x_follows {
        end += 1;
        3..14
    } else if n == 18 || mobile(&d) {
        3..n - 4
    } else if n == 13 && d[..2] == [8, 6] && mobile(&d[2..]) {
        5..9
    } else if n == 15 && (1..=8).contains(&d[0]) && is_birth_date(&d[8..12]) {
        3..11
    } else if d[0] == 0 && groups.len() == 2 && (3..=4).contains(&first) && (7..=8).contains(&(n - first)) {
        first..n - 4
    } else if d[0] == 0 && groups.len() == 1 && (10..=12).contains(&n) {
        4..n - 4
    } else if (7..=8).contains(&n) && after_phone_word(&before) {
        0..n - 4
    } else {
        return None;
    };
    if chars.get(end).is_some_and(|c| is_word(*c)) {
        return None;
    }
    Some((positions[hide].to_vec(), end))
}

/// Whether four digits are a month and a day ("0101"), as in a 15-digit ID card.
fn is_birth_date(mmdd: &[u8]) -> bool {
    let (month, day) = (mmdd[0] * 10 + mmdd[1], mmdd[2] * 10 + mmdd[3]);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Whether a 7–8 digit number follows a word that says it is a phone number (within a few
/// characters: "电话：", "手机号码为 ").
fn after_phone_word(before: &str) -> bool {
    ["电话", "手机", "联系方式", "号码", "热线", "座机", "Tel", "tel"].iter().any(|word| before.contains(word))
}

/// Masks the text when `masked`, else returns it as is.
pub fn maybe(text: &str, masked: bool) -> String {
    if masked {
        mask_text(text)
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let masked = mask_text(text);
        assert_eq!(masked, expected, "{text}");
        assert_eq!(masked.len(), text.len(), "same bytes: {text}");
        assert_eq!(masked.chars().count(), text.chars().count(), "same characters: {text}");
    }

    #[test]
    fn personal_numbers_are_masked_and_lengths_kept() {
        check("我的电话13812345678，请回电", "我的电话138****5678，请回电");
        check("手机:19912345678", "手机:199****5678");
        check("身份证430102199001011234。", "身份证430***********1234。");
        check("身份证43010219900101123X。", "身份证430***********123X。");
        check("座机0731-84561234找王", "座机0731-****1234找王");
        check("座机073184561234找王", "座机0731****1234找王");
        check("联系电话：84561234", "联系电话：****1234");
        check("“A00023583”：您好！", "“A0002****”：您好！");
        check("网友UU0082204你好", "网友UU008****你好");
    }

    proptest::proptest! {
        /// Any text: no panic, and the same length in bytes and characters (the offsets of
        /// evidence and highlights depend on it). Texts made of what numbers and ids are made of.
        #[test]
        fn any_text_is_masked_without_changing_its_length(text in "[0-9０-９a-zA-Z Xx+（）()－—–\\-电话号码：,]{0,40}") {
            let masked = mask_text(&text);
            proptest::prop_assert_eq!(masked.len(), text.len());
            proptest::prop_assert_eq!(masked.chars().count(), text.chars().count());
        }
    }

    #[test]
    fn words_of_lowercase_letters_are_read_past() {
        // (a lowercase word at a run of digits made the scan index an empty number and panic)
        check("abc 13812345678", "abc 138****5678");
        check("wx13812345678 微信", "wx13812345678 微信");
        check("qq号12345678，电话13812345678", "qq号12345678，电话138****5678");
        check("xyz", "xyz");
    }

    #[test]
    fn numbers_written_in_groups_or_full_width_are_masked_too() {
        check("联系电话：189 7318 7780", "联系电话：189 **** 7780");
        check("手机138-1234-5678。", "手机138-****-5678。");
        check("电话+8613812345678", "电话+86138****5678");
        check("电话+86 138 1234 5678", "电话+86 138 **** 5678");
        check("手机１３８１２３４５６７８", "手机１３８＊＊＊＊５６７８");
        check("座机0731—84561234", "座机0731—****1234");
        check("座机0731 84561234", "座机0731 ****1234");
        check("座机（0731）84561234", "座机（0731）****1234");
        check("身份证430102 19900101 1234", "身份证430*** ******** 1234");
        check("身份证４３０１０２１９９００１０１１２３Ｘ", "身份证４３０＊＊＊＊＊＊＊＊＊＊＊１２３Ｘ");
        check("老身份证430102900101123", "老身份证430********1123");
        // A number after another is read on its own.
        check("2019年 13812345678", "2019年 138****5678");
        check("编号 2019 13812345678", "编号 2019 138****5678");
    }

    #[test]
    fn other_numbers_stay() {
        for text in [
            "2019年4月25日",
            "留言编号188799",
            "G240国道",
            "A5区政府",
            "共84561234元",                // no phone word before it
            "12345热线",                   // a hotline, not a citizen's number
            "订单号123456789012345678901", // too long for an ID card
            "10086",
            "2019-04-25 10:30",
            "面积 120 平方米，100 户",
            "１２３４５",
            "",
        ] {
            check(text, text);
        }
    }

    #[test]
    fn user_ids_show_their_first_characters() {
        assert_eq!(mask_user_id("A00023583"), "A0002****");
        assert_eq!(mask_user_id("UU00812"), "UU008**");
        assert_eq!(mask_user_id("A01"), "A01");
    }
}
