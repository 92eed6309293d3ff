//! The kind of a post (咨询 / 建议 / 求助 / 投诉 / 举报 / 其他): its reply deadline depends on it.

use serde::{Deserialize, Serialize};

/// What a citizen's post is, as the platform's rules distinguish it (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PostKind {
    /// 咨询: a question; answered the same working day.
    Consultation,
    /// 建议: a suggestion; answered the same working day.
    Suggestion,
    /// 求助: an (urgent) request for help; answered the same working day.
    Help,
    /// 投诉: a complaint; within 5 working days (3 is the target).
    Complaint,
    /// 举报: a report of wrongdoing; within 5 working days.
    Report,
    /// 其他: anything else; within 5 working days.
    Other,
}

impl PostKind {
    pub const ALL: [PostKind; 6] = [
        PostKind::Consultation,
        PostKind::Suggestion,
        PostKind::Help,
        PostKind::Complaint,
        PostKind::Report,
        PostKind::Other,
    ];

    /// The Chinese name used in the data and the Parquet `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Consultation => "咨询",
            PostKind::Suggestion => "建议",
            PostKind::Help => "求助",
            PostKind::Complaint => "投诉",
            PostKind::Report => "举报",
            PostKind::Other => "其他",
        }
    }

    /// Parses a kind given in a data file: the Chinese names, or English ones.
    pub fn parse(s: &str) -> Option<PostKind> {
        let s = s.trim();
        // "投诉类", "建议类": a platform's name of the class is the kind with 类 after it
        let s = s.strip_suffix('类').filter(|k| !k.is_empty()).unwrap_or(s);
        PostKind::ALL.into_iter().find(|k| k.as_str() == s).or(match s.to_ascii_lowercase().as_str() {
            // Names other platforms' exports use for the same kinds (投诉举报: both have the
            // complaint's deadline).
            "意见建议" | "意见" | "建言献策" => Some(PostKind::Suggestion),
            "投诉举报" => Some(PostKind::Complaint),
            "求助咨询" | "求决" => Some(PostKind::Help),
            "其它" | "表扬" | "感谢" => Some(PostKind::Other),
            "consultation" | "question" => Some(PostKind::Consultation),
            "suggestion" => Some(PostKind::Suggestion),
            "help" | "request" => Some(PostKind::Help),
            "complaint" => Some(PostKind::Complaint),
            "report" => Some(PostKind::Report),
            "other" => Some(PostKind::Other),
            _ => None,
        })
    }
}

#[cfg(test)]
mod parse_tests {
    use super::PostKind;

    #[test]
    fn other_platforms_names_of_the_kinds() {
        for (text, kind) in [
            ("投诉", PostKind::Complaint),
            ("complaint", PostKind::Complaint),
            ("其它", PostKind::Other),
            ("意见建议", PostKind::Suggestion),
            ("投诉举报", PostKind::Complaint),
            ("求助咨询", PostKind::Help),
            ("投诉类", PostKind::Complaint),
            ("建议类", PostKind::Suggestion),
            ("举报类", PostKind::Report),
            ("咨询类", PostKind::Consultation),
            ("求助类", PostKind::Help),
            ("求决", PostKind::Help),
            ("表扬", PostKind::Other),
        ] {
            assert_eq!(PostKind::parse(text), Some(kind), "{text}");
        }
        assert_eq!(PostKind::parse("投拆"), None);
        assert_eq!(PostKind::parse("类"), None);
    }
}
