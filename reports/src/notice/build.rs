//! [`build_notice`]: the flagged replies and overdue posts of a period, from the data folder's
//! tables, grouped by unit.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use models::calendar::WorkCalendar;
use models::deadline::{self, DeadlineRules};
use models::kind::PostKind;
use polars::prelude::*;

use crate::masking::mask_text;

use super::{EvidenceSpan, FlaggedReply, Notice, NoticeError, NoticeItem, UnitSection, UnitType, UNKNOWN_UNIT};

/// The tables a notice is built from (SPEC §3; `facts` per the reports contract).
pub struct NoticeInputs<'a> {
    /// `post_id`, `subject`, `posted_at`, `kind`, `unit`.
    pub posts: &'a DataFrame,
    /// `reply_id`, `post_id`, `unit`, `body`, `replied_at`.
    pub replies: &'a DataFrame,
    /// scores/replies.parquet: `reply_id`, `evasive_level`, `vague_level`, `reply_type`, `evidence`.
    pub scores: &'a DataFrame,
    /// reports/post_facts.parquet (rows with `overdue` true are used) or reports/overdue.parquet:
    /// `post_id`, `unit`, `overdue_workdays`, and each post's `due_at` when the table has it (a
    /// complex case's is the date committed to). When absent the overdue posts are computed here:
    /// a post with no reply at all as of the latest time stamp in the data, past its deadline.
    pub facts: Option<&'a DataFrame>,
}

/// The notice of the period `from..=to` (days, inclusive).
pub fn build_notice(
    inputs: &NoticeInputs,
    from: NaiveDate,
    to: NaiveDate,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> Result<Notice, NoticeError> {
    if from > to {
        return Err(NoticeError::BadRange { from, to });
    }
    let posts = Posts::read(inputs.posts)?;
    let replies = Replies::read(inputs.replies)?;
    let as_of = match inputs.facts {
        // the indicators' moment, which left out the posts of exports without replies
        Some(facts) if facts.column("reply_known").is_ok() => {
            let latest_reply = replies.replied_at.iter().flatten().max().map(|t| t.and_utc().timestamp_millis());
            crate::facts::as_of_moment(facts, latest_reply)
                .map_err(|_| missing("posted_at"))?
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.naive_utc())
        }
        _ => posts.posted_at.iter().chain(replies.replied_at.iter()).flatten().max().copied(),
    };
    let data_from = posts.posted_at.iter().chain(replies.replied_at.iter()).flatten().min().copied();
    let in_period = |t: NaiveDateTime| (from..=to).contains(&t.date());

    // Each post's deadline: the indicators stage's (a complex case's is the one its unit
    // committed to), else its kind's.
    let due_in_facts = match inputs.facts {
        Some(facts) => due_from_facts(facts)?,
        None => HashMap::new(),
    };
    let due_of = |post: &str, kind: PostKind, posted_at: NaiveDateTime| {
        due_in_facts
            .get(post)
            .copied()
            .unwrap_or_else(|| deadline::due_at(rules.allowed_workdays(kind), posted_at, rules, cal))
    };

    let mut by_unit: BTreeMap<String, Vec<NoticeItem>> = BTreeMap::new();
    let (mut replies_without_post, mut answered_later) = (0, 0);
    let flagged = flagged_replies(inputs.scores, &replies)?;
    let flagged_ids: HashSet<&str> = flagged.iter().map(|(reply, _)| reply.reply_id.as_str()).collect();
    for (reply, unit) in &flagged {
        if !in_period(reply.replied_at) {
            continue;
        }
        let post = replies.post_id[&reply.reply_id].as_str();
        let Some(row) = posts.row_of.get(post).copied() else {
            replies_without_post += 1;
            continue;
        };
        // A forwarding or interim note that a reply not flagged came after: the case is judged
        // by its final reply (RUBRIC: "judge the substantive part").
        let final_reply = replies.final_reply.get(post).map(|(_, id)| id.as_str());
        if final_reply.is_some_and(|id| id != reply.reply_id && !flagged_ids.contains(id)) {
            answered_later += 1;
            continue;
        }
        let posted_at = posts.posted_at[row];
        let kind = posts.kind(row);
        let workdays = posted_at.map(|p| deadline::workdays_to_reply(p, reply.replied_at, rules, cal));
        // (the working days a reply may take are those up to its due day)
        let allowed = posted_at.map(|p| deadline::workdays_to_reply(p, due_of(post, kind, p), rules, cal));
        let late = workdays.zip(allowed).map(|(w, allowed)| w - allowed).filter(|late| *late > 0);
        let unit = unit.clone().or_else(|| posts.unit[row].clone()).unwrap_or_else(|| UNKNOWN_UNIT.into());
        by_unit.entry(unit).or_default().push(NoticeItem {
            post_id: post.to_string(),
            subject: mask_text(&posts.subject[row]),
            kind: kind.as_str().to_string(),
            posted_at,
            reply: Some(reply.clone()),
            workdays_taken: workdays,
            overdue_workdays: late,
            overdue: false,
            answered: true,
        });
    }

    let overdue = match inputs.facts {
        Some(facts) => overdue_from_facts(facts)?,
        None => overdue_computed(&posts, &replies, as_of, rules, cal),
    };
    // where each flagged post's entry is (of a post with several flagged replies, one carries the
    // overdue)
    let flagged_at: HashMap<String, (String, usize)> = by_unit
        .iter()
        .flat_map(|(unit, items)| {
            items.iter().enumerate().map(move |(i, item)| (item.post_id.clone(), (unit.clone(), i)))
        })
        .collect();
    for (post_id, unit, overdue_workdays) in overdue {
        let Some(&row) = posts.row_of.get(post_id.as_str()) else { continue };
        let Some(posted_at) = posts.posted_at[row] else { continue };
        let kind = posts.kind(row);
        if !in_period(due_of(post_id.as_str(), kind, posted_at)) {
            continue;
        }
        // A post whose only reply, a receipt or a forwarding note, is flagged: one entry with
        // both problems, not two.
        if let Some((unit, i)) = flagged_at.get(post_id.as_str()) {
            if let Some(item) = by_unit.get_mut(unit.as_str()).and_then(|items| items.get_mut(*i)) {
                (item.overdue, item.overdue_workdays) = (true, overdue_workdays);
            }
            continue;
        }
        let taken = as_of.map(|as_of| deadline::workdays_to_reply(posted_at, as_of, rules, cal));
        let unit = unit.or_else(|| posts.unit[row].clone()).unwrap_or_else(|| UNKNOWN_UNIT.into());
        let answered = replies.final_reply.contains_key(post_id.as_str());
        by_unit.entry(unit).or_default().push(NoticeItem {
            post_id,
            subject: mask_text(&posts.subject[row]),
            kind: kind.as_str().to_string(),
            posted_at: Some(posted_at),
            reply: None,
            workdays_taken: taken,
            overdue_workdays,
            overdue: true,
            answered,
        });
    }

    let mut units: Vec<UnitSection> = by_unit
        .into_iter()
        .map(|(unit, mut items)| {
            items.sort_by(|a, b| {
                let key = |i: &NoticeItem| (i.reply.is_none(), i.reply.as_ref().map(|r| r.replied_at), i.posted_at);
                key(a).cmp(&key(b)).then_with(|| a.post_id.cmp(&b.post_id))
            });
            UnitSection { unit_type: UnitType::of(&unit), unit, items }
        })
        .collect();
    units.sort_by(|a, b| b.items.len().cmp(&a.items.len()).then_with(|| a.unit.cmp(&b.unit)));
    Ok(Notice { from, to, as_of, data_from, units, replies_without_post, answered_later })
}

/// The posts, by row, with an index by id.
struct Posts {
    row_of: HashMap<String, usize>,
    subject: Vec<String>,
    kind: Vec<Option<String>>,
    unit: Vec<Option<String>>,
    posted_at: Vec<Option<NaiveDateTime>>,
}

impl Posts {
    fn read(frame: &DataFrame) -> Result<Posts, NoticeError> {
        let ids = strings(frame, "posts", "post_id")?;
        Ok(Posts {
            row_of: ids.into_iter().enumerate().filter_map(|(i, id)| Some((id?, i))).collect(),
            subject: strings(frame, "posts", "subject")?.into_iter().map(Option::unwrap_or_default).collect(),
            kind: optional_strings(frame, "kind", frame.height()),
            unit: optional_strings(frame, "unit", frame.height()),
            posted_at: times(frame, "posts", "posted_at")?,
        })
    }

    /// An unknown kind gets the 5-working-day deadline of 其他.
    fn kind(&self, row: usize) -> PostKind {
        self.kind[row].as_deref().and_then(PostKind::parse).unwrap_or(PostKind::Other)
    }
}

struct Replies {
    post_id: HashMap<String, String>,
    unit: HashMap<String, Option<String>>,
    body: HashMap<String, String>,
    at: HashMap<String, NaiveDateTime>,
    replied_at: Vec<Option<NaiveDateTime>>,
    /// Posts with at least one reply, and when the first came.
    first_reply: HashMap<String, NaiveDateTime>,
    /// Each post's final reply (the latest; ties by id): its time and id.
    final_reply: HashMap<String, (NaiveDateTime, String)>,
}

impl Replies {
    fn read(frame: &DataFrame) -> Result<Replies, NoticeError> {
        let ids = strings(frame, "replies", "reply_id")?;
        let posts = strings(frame, "replies", "post_id")?;
        let units = optional_strings(frame, "unit", frame.height());
        let bodies = strings(frame, "replies", "body")?;
        let replied_at = times(frame, "replies", "replied_at")?;
        let mut replies = Replies {
            post_id: HashMap::new(),
            unit: HashMap::new(),
            body: HashMap::new(),
            at: HashMap::new(),
            replied_at: replied_at.clone(),
            first_reply: HashMap::new(),
            final_reply: HashMap::new(),
        };
        for (i, id) in ids.into_iter().enumerate() {
            let (Some(id), Some(post)) = (id, posts[i].clone()) else { continue };
            if let Some(at) = replied_at[i] {
                replies.at.insert(id.clone(), at);
                let first = replies.first_reply.entry(post.clone()).or_insert(at);
                *first = (*first).min(at);
                let last = replies.final_reply.entry(post.clone()).or_insert_with(|| (at, id.clone()));
                if (at, &id) > (last.0, &last.1) {
                    *last = (at, id.clone());
                }
            }
            replies.post_id.insert(id.clone(), post);
            replies.unit.insert(id.clone(), units[i].clone());
            replies.body.insert(id, bodies[i].clone().unwrap_or_default());
        }
        Ok(replies)
    }
}

/// Replies judged evasive or vague at level 2, with the unit that wrote them (when known).
fn flagged_replies(scores: &DataFrame, replies: &Replies) -> Result<Vec<(FlaggedReply, Option<String>)>, NoticeError> {
    let ids = strings(scores, "scores", "reply_id")?;
    let evasive = levels(scores, "evasive_level")?;
    let vague = levels(scores, "vague_level")?;
    let types = strings(scores, "scores", "reply_type")?;
    let evidence = strings(scores, "scores", "evidence")?;
    let mut flagged = Vec::new();
    for (i, id) in ids.into_iter().enumerate() {
        let (Some(id), e, v) = (id, evasive[i].unwrap_or(0), vague[i].unwrap_or(0)) else { continue };
        if e < 2 && v < 2 {
            continue;
        }
        // A score whose reply is gone (or has no date) cannot be placed in a period.
        let (Some(body), Some(&replied_at)) = (replies.body.get(&id), replies.at.get(&id)) else { continue };
        let reply = FlaggedReply {
            reply_id: id.clone(),
            // Published: citizens' numbers quoted in a reply are masked (same length, so the
            // evidence offsets still hold).
            body: mask_text(body),
            replied_at,
            reply_type: types[i].clone().unwrap_or_default(),
            evasive_level: e,
            vague_level: v,
            evidence: parse_evidence(evidence[i].as_deref().unwrap_or("[]")),
        };
        flagged.push((reply, replies.unit.get(&id).cloned().flatten().filter(|u| !u.trim().is_empty())));
    }
    Ok(flagged)
}

/// The evidence JSON of scores/replies.parquet; a malformed list is shown as no evidence.
pub(super) fn parse_evidence(json: &str) -> Vec<EvidenceSpan> {
    let spans: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    spans
        .iter()
        .filter_map(|s| {
            Some(EvidenceSpan {
                kind: s.get("kind")?.as_str()?.to_string(),
                text: mask_text(s.get("text")?.as_str()?),
                start: s.get("start").and_then(|v| v.as_u64()).unwrap_or(0) as usize,
                end: s.get("end").and_then(|v| v.as_u64()).unwrap_or(0) as usize,
                in_post: s.get("in").and_then(|v| v.as_str()) == Some("post"),
            })
        })
        .collect()
}

/// An overdue post: its id, its responsible unit when known, and how many working days late.
type OverduePost = (String, Option<String>, Option<i32>);

/// The posts the indicators stage found overdue.
fn overdue_from_facts(facts: &DataFrame) -> Result<Vec<OverduePost>, NoticeError> {
    let ids = strings(facts, "post_facts", "post_id")?;
    let units = optional_strings(facts, "unit", facts.height());
    let flags: Vec<bool> = match facts.column("overdue") {
        Ok(c) => c.bool().map(|b| b.iter().map(|v| v.unwrap_or(false)).collect()).map_err(|_| missing("overdue"))?,
        Err(_) => vec![true; facts.height()], // overdue.parquet: every row is overdue
    };
    let late: Vec<Option<i32>> = match facts.column("overdue_workdays") {
        Ok(c) => {
            let c = c.cast(&DataType::Int32).map_err(|_| missing("overdue_workdays"))?;
            c.i32().map_err(|_| missing("overdue_workdays"))?.iter().collect()
        }
        Err(_) => vec![None; facts.height()],
    };
    Ok((0..facts.height())
        .filter(|&i| flags[i])
        .filter_map(|i| Some((ids[i].clone()?, units[i].clone().filter(|u| !u.trim().is_empty()), late[i])))
        .collect())
}

/// Each post's `due_at` in the facts, when they have the column.
fn due_from_facts(facts: &DataFrame) -> Result<HashMap<String, NaiveDateTime>, NoticeError> {
    if facts.column("due_at").is_err() {
        return Ok(HashMap::new());
    }
    let ids = strings(facts, "post_facts", "post_id")?;
    let due = times(facts, "post_facts", "due_at")?;
    Ok(ids.into_iter().zip(due).filter_map(|(id, due)| Some((id?, due?))).collect())
}

/// Posts with no reply at all as of `as_of` whose deadline has passed (rule 6 of
/// models::deadline); any reply counts as final here.
fn overdue_computed(
    posts: &Posts,
    replies: &Replies,
    as_of: Option<NaiveDateTime>,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> Vec<OverduePost> {
    let Some(as_of) = as_of else { return Vec::new() };
    let replied: HashSet<&str> =
        replies.first_reply.iter().filter(|(_, at)| **at <= as_of).map(|(p, _)| p.as_str()).collect();
    let mut overdue = Vec::new();
    for (post_id, &row) in &posts.row_of {
        let Some(posted_at) = posts.posted_at[row] else { continue };
        if replied.contains(post_id.as_str()) {
            continue;
        }
        let allowed = rules.allowed_workdays(posts.kind(row));
        if let Some(late) = deadline::overdue_workdays(allowed, posted_at, None, as_of, rules, cal) {
            overdue.push((post_id.clone(), None, Some(late)));
        }
    }
    overdue
}

fn missing(column: &str) -> NoticeError {
    NoticeError::MissingColumn { table: "post_facts", column: column.to_string() }
}

fn strings(frame: &DataFrame, table: &'static str, name: &str) -> Result<Vec<Option<String>>, NoticeError> {
    let column = frame.column(name).ok().and_then(|c| c.str().ok());
    let column = column.ok_or_else(|| NoticeError::MissingColumn { table, column: name.to_string() })?;
    Ok(column.iter().map(|v| v.map(str::to_string)).collect())
}

/// A string column that may be missing (then all `None`).
fn optional_strings(frame: &DataFrame, name: &str, rows: usize) -> Vec<Option<String>> {
    match frame.column(name).ok().and_then(|c| c.str().ok()) {
        Some(column) => column.iter().map(|v| v.map(str::to_string).filter(|s| !s.trim().is_empty())).collect(),
        None => vec![None; rows],
    }
}

fn levels(frame: &DataFrame, name: &str) -> Result<Vec<Option<i8>>, NoticeError> {
    let missing = || NoticeError::MissingColumn { table: "scores", column: name.to_string() };
    let column = frame.column(name).map_err(|_| missing())?.cast(&DataType::Int8).map_err(|_| missing())?;
    Ok(column.i8().map_err(|_| missing())?.iter().collect())
}

/// A datetime column (any unit) as local times: Parquet stores Asia/Shanghai wall-clock times.
fn times(frame: &DataFrame, table: &'static str, name: &str) -> Result<Vec<Option<NaiveDateTime>>, NoticeError> {
    let missing = || NoticeError::MissingColumn { table, column: name.to_string() };
    let millis = frame
        .column(name)
        .map_err(|_| missing())?
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(|_| missing())?;
    let millis = millis.i64().map_err(|_| missing())?;
    Ok(millis.iter().map(|ms| ms.and_then(chrono::DateTime::from_timestamp_millis).map(|t| t.naive_utc())).collect())
}
