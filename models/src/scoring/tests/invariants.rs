//! Invariants: scores stay in [0, 1]; width and whitespace do not move a judgement.

use proptest::prelude::*;

use super::scorer;

/// Replies built from pieces real replies are made of.
fn reply_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "网友“UU008285”您好！",
        "您的留言已收悉。",
        "现将有关情况回复如下：",
        "经查，该路段路灯已于2019年5月3日修复。",
        "已转K9县教育局办理。",
        "已转相关部门调查核处。",
        "我局将进一步加强管理，尽快研究解决。",
        "该问题超出我局职权范围，请向有关部门反映。",
        "根据《A市住房公积金管理办法》规定，最高可贷60万元。",
        "感谢您对我们工作的支持、理解与监督！",
        "2019年12月11日",
        " \t\n",
        "（电话：0731-84585111）；",
    ])
}

fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

proptest! {
    #[test]
    fn scores_stay_in_range(pieces in prop::collection::vec(reply_piece(), 0..8), noise in "\\PC{0,40}") {
        let reply = format!("{}{}", pieces.concat(), noise);
        let s = scorer().score("小区路灯不亮", "请问什么时候能修好？", &reply);
        prop_assert!((0.0..=1.0).contains(&s.evasive_score));
        prop_assert!((0.0..=1.0).contains(&s.vague_score));
        prop_assert!(s.evasive_level <= 2 && s.vague_level <= 2);
        // a published flag quotes something, and no quote is empty
        prop_assert!(s.evidence.iter().all(|e| !e.text.trim().is_empty()), "{:?}", s.evidence);
        if reply.chars().any(|c| !c.is_whitespace()) && (s.evasive_level == 2 || s.vague_level == 2) {
            prop_assert!(s.evidence.iter().any(|e| !e.in_post), "{:?}", s.evidence);
        }
    }

    #[test]
    fn width_and_whitespace_do_not_move_the_judgement(
        pieces in prop::collection::vec(reply_piece(), 1..8),
        spaces in prop::collection::vec(0usize..6, 0..4),
    ) {
        let reply = pieces.concat();
        let mut respaced = to_half_width(&reply);
        for at in spaces {
            let at = respaced.char_indices().nth(at * 7).map_or(respaced.len(), |(i, _)| i);
            respaced.insert_str(at, " \n\t");
        }
        let post = ("小区路灯不亮", "请问什么时候能修好？能否尽快？");
        let a = scorer().score(post.0, post.1, &reply);
        let b = scorer().score(post.0, &to_half_width(post.1), &respaced);
        prop_assert_eq!((a.evasive_level, a.vague_level, a.reply_type), (b.evasive_level, b.vague_level, b.reply_type));
        prop_assert_eq!(a.evasive_score, b.evasive_score);
        prop_assert_eq!(a.vague_score, b.vague_score);
    }
}
