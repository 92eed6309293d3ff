//! Masking of citizens' personal data for roles below supervisor: user ids (`A0002****`),
//! mobile numbers (`138****5678`), landlines with an area code or after 电话 / 手机
//! (`0731-****5678`) and ID-card numbers (`430***********123X`).
//!
//! Every masked character is an ASCII digit or letter replaced by `*`, one for one, so a
//! masked text has the same length in bytes and in characters: evidence offsets (characters)
//! and search highlights (bytes) computed on the original text stay right on the masked one.
//! Only ASCII digits are considered: full-width digits are rare in the exports and masking
//! them would change byte lengths.

/// Characters of a user id left visible.
const USER_ID_SHOWN: usize = 5;

/// A citizen's user id with all but its first characters masked: "A00023583" → "A0002****".
pub fn mask_user_id(id: &str) -> String {
    id.chars().enumerate().map(|(i, c)| if i < USER_ID_SHOWN { c } else { '*' }).collect()
}

/// `text` with phone numbers, ID-card numbers and user ids masked.
pub fn mask_text(text: &str) -> String {
    let bytes = text.as_bytes();
    // Most texts hold no run of 5 digits: return them untouched without copying twice.
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        // A token of ASCII letters and digits starting here (and a landline's "-" part).
        let letters = bytes[i..].iter().take_while(|b| b.is_ascii_uppercase()).count();
        let digits_at = i + letters;
        let digits = bytes[digits_at..].iter().take_while(|b| b.is_ascii_digit()).count();
        let mut end = digits_at + digits;
        let masked: Option<(usize, usize)> = if letters == 0 {
            let run = &bytes[i..end];
            let x_follows = bytes.get(end).is_some_and(|b| *b == b'X' || *b == b'x');
            let mobile = digits == 11 && run[0] == b'1' && (b'3'..=b'9').contains(&run[1]);
            if digits == 17 && x_follows {
                end += 1;
                Some((i + 3, end - 4))
            } else if digits == 18 || mobile {
                Some((i + 3, end - 4))
            } else if run.first() == Some(&b'0') && (3..=4).contains(&digits) && bytes.get(end) == Some(&b'-') {
                let local = bytes[end + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
                if (7..=8).contains(&local) {
                    end += 1 + local;
                    Some((end - local, end - 4))
                } else {
                    None
                }
            } else if run.first() == Some(&b'0') && (10..=12).contains(&digits) {
                Some((i + 4, end - 4))
            } else if (7..=8).contains(&digits) && after_phone_word(&text[..i]) {
                Some((i, end - 4))
            } else {
                None
            }
        } else if (1..=2).contains(&letters) && digits >= 5 {
            Some((i + USER_ID_SHOWN, end))
        } else {
            None
        };
        let next_alnum = bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric());
        if let (Some((from, to)), false) = (masked, next_alnum) {
            let buffer = out.get_or_insert_with(|| bytes.to_vec());
            buffer[from..to].fill(b'*');
        }
        i = end.max(i + 1);
    }
    match out {
        // Only ASCII bytes were replaced by ASCII bytes: still UTF-8.
        Some(buffer) => String::from_utf8(buffer).unwrap_or_else(|_| text.to_string()),
        None => text.to_string(),
    }
}

/// Whether a 7–8 digit number follows a word that says it is a phone number (within a few
/// characters: "电话：", "手机号码为 ").
fn after_phone_word(before: &str) -> bool {
    let start = before.char_indices().rev().nth(5).map_or(0, |(i, _)| i);
    let tail = &before[start..];
    ["电话", "手机", "联系方式", "号码", "热线", "Tel", "tel"].iter().any(|word| tail.contains(word))
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
