//! The criticism notice (通报) a supervision office publishes for a period: every reply judged
//! clearly evasive or clearly vague (level 2, RUBRIC.md) and every post left without a reply past
//! its deadline (超时未答复), grouped by the responsible unit, each with its evidence.
//!
//! [`build_notice`] is a pure function of the data folder's tables; [`write_xlsx`] and
//! [`to_markdown`] render the result. Which items a period holds:
//! - a flagged reply belongs to the period of its reply date (`replied_at`);
//! - an overdue post belongs to the period of its due date: the notice of a month lists the posts
//!   whose deadline fell in that month and that still had no reply as of the data's as-of date.
//!
//! A notice is published: citizens' phone, ID-card numbers and user ids in subjects and replies
//! are masked ([`crate::masking`]).

mod build;
mod markdown;
#[cfg(test)]
mod tests;
mod xlsx;

use chrono::{NaiveDate, NaiveDateTime};

pub use build::{build_notice, NoticeInputs};
pub use markdown::to_markdown;
pub use xlsx::{sheet_names, write_xlsx};

use crate::annual::is_known_body;
/// The unit written for an item whose post and reply name no unit: the facts' own.
pub use crate::facts::UNKNOWN_UNIT;

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("bad date range: the start {from} is after the end {to} (hint: swap --from and --to)")]
    BadRange { from: NaiveDate, to: NaiveDate },
    #[error("the {table} table has no usable column `{column}` (hint: re-run `wenzheng run` on the data folder)")]
    MissingColumn { table: &'static str, column: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// What kind of unit answers: the notice counts departments and street offices apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitType {
    /// 部门: a government department (and anything not a government, street office or town).
    Department,
    /// 人民政府: the government of a city, district or county ("A市人民政府", "K7县人民政府").
    /// (It was "区县（市）政府", which a prefecture-level city's government is not.)
    Government,
    /// 街道（乡镇）: a street office, town or township.
    Street,
    /// The unit is not known.
    Unknown,
}

impl UnitType {
    /// By the name's suffix, as the indicators type units (`facts::unit_type`): 街道 / 镇 / 乡 /
    /// 办事处 (also "…镇人民政府") → street office; a district's, county's or city's 人民政府 →
    /// government; else department.
    pub fn of(unit: &str) -> UnitType {
        match crate::facts::unit_type(unit) {
            "street" => UnitType::Street,
            "county" => UnitType::Government,
            "unknown" => UnitType::Unknown,
            _ => UnitType::Department,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitType::Department => "部门",
            UnitType::Government => "人民政府",
            UnitType::Street => "街道（乡镇）",
            UnitType::Unknown => "单位不明",
        }
    }
}

/// A notice for the period `from..=to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The latest time stamp in the data: overdue posts are overdue as of this moment.
    pub as_of: Option<NaiveDateTime>,
    /// The earliest time stamp in the data: a period before it was not looked at either.
    pub data_from: Option<NaiveDateTime>,
    /// Units with at least one item, the most items first (then by name).
    pub units: Vec<UnitSection>,
    /// Flagged replies of the period whose post is not in the data: a reply is judged against
    /// what the post asked, so with no post to show they are left out, and counted.
    pub replies_without_post: usize,
    /// Flagged replies of the period that a reply not flagged followed (a forwarding note, then
    /// the answer): the case is judged by its final reply, so they are left out, and counted.
    pub answered_later: usize,
}

/// One unit's part of the notice.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSection {
    pub unit: String,
    pub unit_type: UnitType,
    /// Flagged replies by reply date, then overdue posts by due date.
    pub items: Vec<NoticeItem>,
}

/// One entry: a flagged reply, or an overdue post (no reply).
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeItem {
    pub post_id: String,
    pub subject: String,
    /// 咨询 / 建议 / 求助 / 投诉 / 举报 / 其他.
    pub kind: String,
    pub posted_at: Option<NaiveDateTime>,
    /// The flagged reply; `None` for an overdue post that has none.
    pub reply: Option<FlaggedReply>,
    /// Working days from receipt to the reply (or to the as-of moment for an overdue post).
    pub workdays_taken: Option<i32>,
    /// Working days past the deadline: for a reply that came late, or a post still unanswered.
    pub overdue_workdays: Option<i32>,
    /// Whether the post had no final reply by its deadline as of the data's as-of date: none
    /// at all (超时未答复), or only replies that accept it without completing it — a receipt, a
    /// forwarding note, a note that it is still being handled (超时未办结, SPEC §4).
    pub overdue: bool,
    /// Whether the post has a reply, however little it says: an overdue post that has one was
    /// accepted but not completed (超时未办结), not left unanswered.
    pub answered: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedReply {
    pub reply_id: String,
    pub body: String,
    pub replied_at: NaiveDateTime,
    /// SPEC §3 `reply_type` (substantive / acknowledgement_only / …).
    pub reply_type: String,
    pub evasive_level: i8,
    pub vague_level: i8,
    pub evidence: Vec<EvidenceSpan>,
}

/// A span of the scorer's evidence; offsets in characters of the reply (of the post when `in_post`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceSpan {
    pub kind: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub in_post: bool,
}

impl NoticeItem {
    pub fn evasive(&self) -> bool {
        self.reply.as_ref().is_some_and(|r| r.evasive_level >= 2)
    }

    pub fn vague(&self) -> bool {
        self.reply.as_ref().is_some_and(|r| r.vague_level >= 2)
    }

    /// What became of an overdue post with no flagged reply, as the notice writes it after
    /// "截至 …": 仅受理、未办结 (a receipt, a forwarding note or a note that the case is being
    /// handled came, and nothing after it) or 未答复.
    pub fn overdue_state(&self) -> &'static str {
        if self.answered {
            "仅受理、未办结"
        } else {
            "未答复"
        }
    }

    /// What the notice criticises, in Chinese: 推诿回避 / 内容空泛 / 超时未答复 (超时未办结 when a
    /// receipt, a forwarding note or a note that the case is being handled came and nothing after
    /// it) / 答复超期, joined by 、.
    pub fn problems(&self) -> String {
        let mut problems = Vec::new();
        if self.evasive() {
            problems.push("推诿回避");
        }
        if self.vague() {
            problems.push("内容空泛");
        }
        if self.overdue && self.answered {
            problems.push("超时未办结");
        } else if self.overdue {
            problems.push("超时未答复");
        } else if self.overdue_workdays.is_some() {
            problems.push("答复超期");
        }
        problems.join("、")
    }
}

impl UnitSection {
    /// Flagged replies (evasive or vague, level 2).
    pub fn flagged_replies(&self) -> usize {
        self.items.iter().filter(|i| i.reply.is_some()).count()
    }
    pub fn evasive(&self) -> usize {
        self.items.iter().filter(|i| i.evasive()).count()
    }
    pub fn vague(&self) -> usize {
        self.items.iter().filter(|i| i.vague()).count()
    }
    pub fn overdue(&self) -> usize {
        self.items.iter().filter(|i| i.overdue).count()
    }
}

impl Notice {
    /// N: flagged replies in the period.
    pub fn flagged_replies(&self) -> usize {
        self.units.iter().map(UnitSection::flagged_replies).sum()
    }

    pub fn overdue_posts(&self) -> usize {
        self.units.iter().map(UnitSection::overdue).sum()
    }

    /// How many units of a type have at least one flagged reply.
    /// Units of a type with flagged replies, counting only units the data names: "B9市某局" (some
    /// bureau of B9市, the export having masked which) is not a department anyone can act on.
    pub fn units_with_flagged_replies(&self, unit_type: UnitType) -> usize {
        self.units
            .iter()
            .filter(|u| u.unit_type == unit_type && u.flagged_replies() > 0 && is_known_body(&u.unit))
            .count()
    }

    /// Flagged replies per reply type, as (Chinese label, count), the most frequent first.
    pub fn reply_type_counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for reply in self.units.iter().flat_map(|u| &u.items).filter_map(|i| i.reply.as_ref()) {
            let label = reply_type_label(&reply.reply_type);
            match counts.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => counts.push((label, 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }

    /// The first lines of the notice: "共通报 N 条敷衍答复，涉及 M 个部门、K 个街道（乡镇）。…"
    pub fn headline(&self) -> String {
        let mut text = self.findings();
        if self.answered_later > 0 {
            text.push_str(&format!(
                "另有 {} 条被评为敷衍的答复（如转办说明）其后已有未被评为敷衍的答复，按最终答复判断，未列入通报。",
                self.answered_later
            ));
        }
        if self.replies_without_post > 0 {
            text.push_str(&format!(
                "另有 {} 条被评为敷衍的答复在数据中找不到所答的留言，无从核对，未列入通报。",
                self.replies_without_post
            ));
        }
        text
    }

    fn findings(&self) -> String {
        let (replies, overdue) = (self.flagged_replies(), self.overdue_posts());
        if replies == 0 && overdue == 0 {
            // A period after the data, or before it, is not a clean bill: nothing was looked at.
            if let Some(as_of) = self.as_of.filter(|as_of| as_of.date() < self.from) {
                return format!(
                    "{} 至 {} 期间没有数据：数据截至 {}，所选期间在其后，未作任何判断。",
                    self.from.format("%Y-%m-%d"),
                    self.to.format("%Y-%m-%d"),
                    as_of.format("%Y-%m-%d")
                );
            }
            if let Some(data_from) = self.data_from.filter(|from| from.date() > self.to) {
                return format!(
                    "{} 至 {} 期间没有数据：数据始于 {}，所选期间在其前，未作任何判断。",
                    self.from.format("%Y-%m-%d"),
                    self.to.format("%Y-%m-%d"),
                    data_from.format("%Y-%m-%d")
                );
            }
            return format!(
                "{} 至 {} 期间未发现需通报的敷衍答复或超时未答复留言。",
                self.from.format("%Y-%m-%d"),
                self.to.format("%Y-%m-%d")
            );
        }
        let governments = match self.units_with_flagged_replies(UnitType::Government) {
            0 => String::new(),
            n => format!("{n} 个人民政府、"),
        };
        let mut text = format!(
            "共通报 {replies} 条敷衍答复，涉及 {} 个部门、{governments}{} 个街道（乡镇）",
            self.units_with_flagged_replies(UnitType::Department),
            self.units_with_flagged_replies(UnitType::Street)
        );
        let unknown: usize =
            self.units.iter().filter(|u| u.unit_type == UnitType::Unknown).map(UnitSection::flagged_replies).sum();
        let placeholders: Vec<&UnitSection> = self
            .units
            .iter()
            .filter(|u| u.unit_type != UnitType::Unknown && u.flagged_replies() > 0 && !is_known_body(&u.unit))
            .collect();
        if let Some(example) = placeholders.first() {
            let replies: usize = placeholders.iter().map(|u| u.flagged_replies()).sum();
            text.push_str(&format!("，另有 {replies} 条答复只知所在地区、不知具体单位（如“{}”）", example.unit));
        }
        if unknown > 0 {
            let also = if placeholders.is_empty() { "另有 " } else { "" };
            text.push_str(&format!("，{also}{unknown} 条答复单位不明"));
        }
        text.push('。');
        if overdue > 0 {
            let units = self.units.iter().filter(|u| u.overdue() > 0).count();
            text.push_str(&format!("超时未答复留言 {overdue} 件，涉及 {units} 个单位"));
            let accepted: usize = self.units.iter().flat_map(|u| &u.items).filter(|i| i.overdue && i.answered).count();
            if accepted > 0 {
                text.push_str(&format!("（其中 {accepted} 件仅有受理、转办或办理中回复、未办结）"));
            }
            text.push('。');
        }
        text
    }
}

/// The Chinese name of a reply type (SPEC §3 `reply_type`), as the notice prints it.
pub fn reply_type_label(reply_type: &str) -> &'static str {
    match reply_type {
        "acknowledgement_only" => "仅告知收悉",
        "forwarded" => "转办",
        "deflection" => "推诿",
        "refusal_without_reason" => "无理由拒绝",
        "generic_policy" => "空泛政策",
        "partial" => "部分答复",
        "off_topic" => "答非所问",
        "substantive" => "实质答复",
        _ => "其他",
    }
}

/// The Chinese name of an evidence kind (models::scoring::SignalKind).
pub fn evidence_kind_label(kind: &str) -> &'static str {
    match kind {
        "acknowledgement" => "仅告知收悉",
        "forwarded_to_unit" => "转办（点名单位）",
        "forwarded_unnamed" => "转“相关部门”",
        "deflection" => "推诿",
        "refusal" => "无理由拒绝",
        "generic_promise" => "空泛承诺",
        "rule_quote" => "照搬规定",
        "pending" => "办理中、未办结",
        // a question or a demand of the post ("请问…？", "建议…", "恳请…") the reply leaves open
        "unanswered_question" => "未回应的诉求",
        "off_topic" => "答非所问",
        "wording" => "措辞（评分模型依据）",
        "nothing_specific" => "无具体内容",
        _ => "其他",
    }
}

/// The reply cut into (text, highlighted) pieces: the evidence spans in the reply highlighted,
/// overlapping spans merged; spans that do not fit the text are ignored.
pub fn highlight_pieces(body: &str, evidence: &[EvidenceSpan]) -> Vec<(String, bool)> {
    let chars: Vec<char> = body.chars().collect();
    let mut spans: Vec<(usize, usize)> = evidence
        .iter()
        .filter(|e| !e.in_post && e.start < e.end && e.end <= chars.len())
        .map(|e| (e.start, e.end))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end) in merged {
        if start > at {
            pieces.push((chars[at..start].iter().collect(), false));
        }
        pieces.push((chars[start..end].iter().collect(), true));
        at = end;
    }
    if at < chars.len() || pieces.is_empty() {
        pieces.push((chars[at..].iter().collect(), false));
    }
    pieces
}

/// "2019-04-25 09:32", or "" when unknown.
pub(crate) fn format_time(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// Writes a whole file under a temporary name, then renames it: readers see the old file or the
/// new one, never half of one.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), NoticeError> {
    use std::io::Write as _;
    let error = |e: std::io::Error| NoticeError::Write { path: path.display().to_string(), reason: e.to_string() };
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&temp).map_err(error)?;
    file.write_all(bytes).map_err(error)?;
    file.sync_all().map_err(error)?;
    drop(file);
    std::fs::rename(&temp, path).map_err(error)
}
