//! `post_facts`: one row per post with everything the reports count — the responsible unit,
//! the deadline and how it was met, the verdict on the final reply, and whether the problem
//! came back. Every indicator, annual score, chart and notice is a sum over these rows.
//!
//! Decisions, and why:
//! - **Unit.** The unit of the post's first reply that names one (replies in `seq` order), else
//!   the unit the post was addressed to, else [`UNKNOWN_UNIT`]: the unit that answered is the
//!   one accountable for the answer.
//! - **First and final reply.** The first reply (earliest) decides acceptance (受理, rule 5 of
//!   `models::deadline`). A reply the scorer finds `interim` — a receipt, a forwarding note, a
//!   note that the case is still being handled — accepts a case without completing it (SPEC
//!   §4): the latest other reply completes it and decides the working days to reply,
//!   `replied`, on-time and overdue, so a post whose replies are all such notes is `answered`
//!   but not `replied`, and overdue once past its deadline: the date an interim reply committed
//!   to, if one did (a complex case, `committed_deadline`), else its kind's. The final reply (latest of all) gets the evasive / vague / acknowledgement-only /
//!   duplicate verdicts: a post whose only reply says "received, being handled" is `ack_only`.
//! - **As-of moment.** The latest time stamp of the replies and of the posts whose answering is
//!   known (see "Exports without replies"): the data cannot know about replies after it, so
//!   overdue and acceptance are judged at that moment. A likes export that runs on after the
//!   export of replies does not move it: judged at its last post, the last days of the replies'
//!   export would look unanswered (two real posts were overdue so, and their unit's 2020 score
//!   was 33.3 where it is 44.4).
//! - **On time** needs a final reply by the due time; posts with no reply are not on time.
//! - **Posts without a time** cannot be placed on a calendar: they are left out (ingest
//!   quarantines them, so this only happens with hand-made tables).
//! - **Exports without replies.** A post's `reply_known` is false when no post of its source
//!   file has a reply: a posts-only export (a likes export) says nothing of how the posts were
//!   answered, so its posts are never overdue or acceptance breaches, and the indicators and
//!   annual scores leave them out. A file with some replies of its own (from the file itself,
//!   or from a file of replies alone) is taken to carry them all; a reply that came with another
//!   export's copy of a post does not count for the post's file (see `carried_replies`).

use chrono::{DateTime, NaiveDateTime};
use models::calendar::WorkCalendar;
use models::deadline::{self, DeadlineRules};
use models::PostKind;
use polars::prelude::*;

use crate::tables::has_column;

pub use models::units::UNKNOWN_UNIT;

/// Errors of the reports built from the data folder's tables.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    #[error("the {table} table has no column {column:?} (hint: re-run the stage that writes it)")]
    MissingColumn { table: &'static str, column: String },
    #[error("the posts table is empty: ingest a file with posts first")]
    NoPosts,
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// The tables of the data folder the reports are built from.
pub struct ReportInputs {
    /// `posts`: post_id, subject, posted_at, unit, category, kind.
    pub posts: DataFrame,
    /// `replies`: reply_id, post_id, unit, replied_at, seq.
    pub replies: Option<DataFrame>,
    /// `scores/replies.parquet`: reply_id, evasive_level, vague_level, evasive, vague,
    /// reply_type, duplicate_group, and [`INTERIM_SCORE_COLUMNS`] when the scores have them.
    pub scores: Option<DataFrame>,
    /// `issues/clusters.parquet`: post_id, cluster_id.
    pub clusters: Option<DataFrame>,
}

/// The columns each input table must have.
pub const POST_COLUMNS: [&str; 6] = ["post_id", "subject", "posted_at", "unit", "category", "kind"];
pub const REPLY_COLUMNS: [&str; 5] = ["reply_id", "post_id", "unit", "replied_at", "seq"];
pub const SCORE_COLUMNS: [&str; 7] =
    ["reply_id", "evasive_level", "vague_level", "evasive", "vague", "reply_type", "duplicate_group"];
pub const CLUSTER_COLUMNS: [&str; 2] = ["post_id", "cluster_id"];
/// The columns of the scores that say whether a reply completes its case, used when present
/// (see `is_interim` and `committed_days`).
pub const INTERIM_SCORE_COLUMNS: [&str; 3] = ["interim", "committed_date", "committed_workdays"];

/// The column names of `post_facts`, in order.
pub const FACT_COLUMNS: [&str; 31] = [
    "post_id",
    "unit",
    "unit_type",
    "kind",
    "category",
    "subject",
    "posted_at",
    "year",
    "month",
    "due_at",
    "first_reply_at",
    "final_reply_at",
    "replies",
    "workdays_to_reply",
    "replied",
    "answered",
    "on_time",
    "overdue",
    "overdue_workdays",
    "acceptance_breach",
    "evasive",
    "vague",
    "ack_only",
    "duplicate_reply",
    "evasive_level",
    "vague_level",
    "in_recurring",
    "repeat_after_reply",
    "final_reply_id",
    "reply_known",
    "committed_deadline",
];

/// What `reply_type` calls a reply that only acknowledges receipt.
const ACK_ONLY: &str = "acknowledgement_only";

/// The reply types that accept a case without completing it (SPEC §4: "a reply that says it is
/// still being handled counts as acceptance, not completion"): a receipt ("留言已收悉，我们将尽快
/// 处理") and a forwarding note ("已转县教育局办理").
pub const INTERIM_TYPES: [&str; 2] = [ACK_ONLY, "forwarded"];

fn ms() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, None)
}

fn require(frame: &DataFrame, table: &'static str, columns: &[&str]) -> Result<(), FactsError> {
    for column in columns {
        if frame.column(column).is_err() {
            return Err(FactsError::MissingColumn { table, column: column.to_string() });
        }
    }
    Ok(())
}

/// Builds `post_facts` (the contract's schema, one row per timed post) from the inputs, with
/// the deadline rules and working-day calendar of the config.
pub fn post_facts(inputs: &ReportInputs, rules: &DeadlineRules, cal: &WorkCalendar) -> Result<DataFrame, FactsError> {
    require(&inputs.posts, "posts", &POST_COLUMNS)?;
    // The source file of each post, when the table has it (see "Exports without replies").
    let source = if has_column(&inputs.posts, "source") {
        col("source")
    } else {
        lit(NULL).cast(DataType::String).alias("source")
    };
    let blank_as_null =
        |name: &str| when(col(name).eq(lit(""))).then(lit(NULL).cast(DataType::String)).otherwise(col(name));
    let mut facts = inputs
        .posts
        .clone()
        .lazy()
        .select([
            col("post_id"),
            col("subject").fill_null(lit("")),
            col("posted_at").cast(ms()),
            blank_as_null("unit").alias("addressed_unit"),
            blank_as_null("category").alias("category"),
            col("kind").fill_null(lit(PostKind::Other.as_str())),
            source,
        ])
        .filter(col("posted_at").is_not_null());

    let mut latest_reply = None;
    let mut reply_units = None;
    match &inputs.replies {
        Some(replies) => {
            require(replies, "replies", &REPLY_COLUMNS)?;
            latest_reply = Some(max_millis(replies, "replied_at")?);
            let replies = &replies_after_their_post(replies, &inputs.posts)?;
            reply_units = Some(
                replies
                    .clone()
                    .lazy()
                    .select([col("post_id"), col("replied_at").cast(ms()).cast(DataType::Int64), col("unit")])
                    .collect()?,
            );
            let typed = match &inputs.scores {
                Some(scores) if has_column(scores, "reply_type") && has_column(scores, "reply_id") => {
                    let wanted = [&["reply_id", "reply_type"][..], &INTERIM_SCORE_COLUMNS].concat();
                    let present: Vec<&str> = wanted.into_iter().filter(|c| has_column(scores, c)).collect();
                    let verdicts = scores.select(present)?;
                    replies.clone().lazy().left_join(verdicts.lazy(), col("reply_id"), col("reply_id")).collect()?
                }
                _ => replies.clone(),
            };
            facts = facts.left_join(reply_summary(&typed)?.lazy(), col("post_id"), col("post_id"));
            facts = facts.left_join(committed_days(&typed, cal)?.lazy(), col("post_id"), col("post_id"));
            facts = match carried_replies(&inputs.posts, replies)? {
                Some(carried) => facts.left_join(carried.lazy(), col("post_id"), col("post_id")),
                // (without the tables' `source` columns, a post's own reply is what its file carried)
                None => facts.with_column(col("replies").fill_null(lit(0u32)).gt(lit(0u32)).alias("carried")),
            };
        }
        None => {
            facts = facts.with_columns([
                lit(0u32).alias("replies"),
                lit(NULL).cast(ms()).alias("first_reply_at"),
                lit(NULL).cast(ms()).alias("final_reply_at"),
                lit(NULL).cast(DataType::String).alias("final_reply_id"),
                lit(NULL).cast(DataType::String).alias("reply_unit"),
                lit(false).alias("carried"),
                lit(NULL).cast(DataType::Date).alias("committed_day"),
                lit(NULL).cast(ms()).alias("committed_at"),
            ])
        }
    }
    facts = facts.left_join(final_reply_verdicts(inputs.scores.as_ref())?, col("final_reply_id"), col("reply_id"));
    facts = facts.left_join(recurring_posts(inputs.clusters.as_ref())?, col("post_id"), col("post_id"));

    let no = |name: &str| col(name).fill_null(lit(false));
    let carried = no("carried");
    let facts = facts
        .with_columns([
            coalesce(&[col("reply_unit"), col("addressed_unit"), lit(UNKNOWN_UNIT)]).alias("unit"),
            col("posted_at").dt().year().alias("year"),
            col("posted_at").dt().strftime("%Y-%m").alias("month"),
            col("replies").fill_null(lit(0u32)).cast(DataType::UInt32),
            col("replies").fill_null(lit(0u32)).gt(lit(0u32)).alias("answered"),
            (carried.any(true).over([col("source")])?.or(col("replies").fill_null(lit(0u32)).gt(lit(0u32))))
                .alias("reply_known"),
            no("evasive"),
            no("vague"),
            no("ack_only"),
            no("duplicate_reply"),
            no("in_recurring"),
        ])
        .collect()?;
    if facts.height() == 0 {
        return Err(FactsError::NoPosts);
    }
    let repeats = repeats_after_the_unit_replied(&facts, reply_units.as_ref())?;
    let mut facts = facts.drop("cluster_id")?;
    facts.with_column(repeats)?;
    let as_of = as_of_moment(&facts, latest_reply)?.unwrap_or(0);
    let deadlines = deadline_columns(&facts, as_of, rules, cal)?;
    let unit_types = unit_type_column(facts.column("unit")?.str()?);
    let mut facts = facts.hstack(&deadlines)?;
    facts.with_column(unit_types)?;
    Ok(facts.select(FACT_COLUMNS)?)
}

/// The facts of the posts whose answering is known: without those of an export that carries
/// no replies (`reply_known` false). Facts written before the column existed are all kept.
pub fn answering_known(facts: &DataFrame) -> LazyFrame {
    let known_column = has_column(facts, "reply_known");
    let facts = facts.clone().lazy();
    if known_column {
        facts.filter(col("reply_known"))
    } else {
        facts
    }
}

/// The moment overdue posts and acceptance are judged at, in milliseconds (see "As-of moment"):
/// the latest of `latest_reply` and the `posted_at` of the facts whose `reply_known` holds; of
/// every post when none does (a folder of posts alone, where nothing is overdue) or the facts
/// have no such column (written before it). `None` when there is no time at all.
pub fn as_of_moment(facts: &DataFrame, latest_reply: Option<i64>) -> Result<Option<i64>, FactsError> {
    let posted = facts.column("posted_at")?.cast(&ms())?.cast(&DataType::Int64)?;
    let posted = posted.i64()?;
    let latest_known = match facts.column("reply_known").ok() {
        Some(known) => {
            let known = known.bool()?;
            posted.iter().zip(known.iter()).filter(|(_, known)| known.unwrap_or(false)).filter_map(|(at, _)| at).max()
        }
        None => None,
    };
    let latest_post = latest_known.or_else(|| posted.max());
    Ok(latest_post.into_iter().chain(latest_reply.filter(|at| *at > 0)).max())
}

/// The latest time stamp of a column, in milliseconds (0 when it is empty).
fn max_millis(frame: &DataFrame, column: &str) -> Result<i64, FactsError> {
    let times = frame.column(column)?.cast(&ms())?.cast(&DataType::Int64)?;
    Ok(times.i64()?.max().unwrap_or(0))
}

/// Per post: how many replies, the first and final reply times, the final reply's id (the last
/// in (`replied_at`, `seq`) order) and the first unit a reply names (in (`seq`, `replied_at`)
/// order, a missing `seq` first); of rows that tie, the final reply is the one stored last and
/// the unit the one stored first, as after a stable sort. One pass over the rows: polars'
/// per-group `sort_by` took a third of the stage's time at a million posts.
///
/// The posts whose file carried replies: with a reply from the post's own file, or from a file
/// of replies alone (one that holds no post). A reply that came with another export's copy of
/// the post (the same post in a likes export and in an export with replies, the copy kept being
/// the one ingested first) says nothing of the likes export's other posts: taking it as if it
/// did made every post of that export overdue when it happened to be ingested first (2,788 on
/// the real files), and none otherwise. `None` when a table has no `source` column.
fn carried_replies(posts: &DataFrame, replies: &DataFrame) -> Result<Option<DataFrame>, FactsError> {
    if !has_column(posts, "source") || !has_column(replies, "source") {
        return Ok(None);
    }
    let (post_ids, post_sources) = (posts.column("post_id")?.str()?, posts.column("source")?.str()?);
    let source_of: PlHashMap<&str, &str> =
        post_ids.iter().zip(post_sources.iter()).filter_map(|(id, source)| Some((id?, source.unwrap_or("")))).collect();
    let files_with_posts: PlHashSet<&str> = post_sources.iter().map(|s| s.unwrap_or("")).collect();
    let (reply_posts, reply_sources) = (replies.column("post_id")?.str()?, replies.column("source")?.str()?);
    let mut carried: Vec<&str> = reply_posts
        .iter()
        .zip(reply_sources.iter())
        .filter_map(|(post, source)| {
            let (post, source) = (post?, source.unwrap_or(""));
            let own = *source_of.get(post)?;
            (source == own || !files_with_posts.contains(source)).then_some(post)
        })
        .collect();
    carried.sort_unstable();
    carried.dedup();
    let n = carried.len();
    Ok(Some(DataFrame::new(
        n,
        vec![Column::new("post_id".into(), carried), Column::new("carried".into(), vec![true; n])],
    )?))
}

/// The replies not dated before their post. Ingest quarantines such a reply when it sees the
/// post, but a reply ingested before its post (a replies file ahead of the posts) stays in the
/// table; counted, it answered the post on its day 0, on time, and the indicators depended on
/// the order the files came in.
fn replies_after_their_post(replies: &DataFrame, posts: &DataFrame) -> Result<DataFrame, FactsError> {
    let posted = posts.clone().lazy().select([col("post_id"), col("posted_at").cast(ms()).alias("__posted_at")]);
    let kept = replies
        .clone()
        .lazy()
        .left_join(posted, col("post_id"), col("post_id"))
        .filter(col("__posted_at").is_null().or(col("replied_at").cast(ms()).gt_eq(col("__posted_at"))))
        .collect()?;
    Ok(kept.drop("__posted_at")?)
}

/// `replies` needs `reply_id`, `post_id`, `unit`, `replied_at` and `seq` ([`REPLY_COLUMNS`]).
/// Recurring issues read each post's first reply and unit from it too, so that an issue's units
/// are the ones the indicators count its posts against.
///
/// With the scorer's `interim` column (or, in scores written before it, its `reply_type`), the
/// final reply time (`final_reply_at`) is that of the latest reply that is not an acceptance only
/// (see `is_interim`), none when every reply is one: the case is accepted but not completed.
/// The final reply (`final_reply_id`, whose verdicts the post gets) is still the latest of all.
pub fn reply_summary(replies: &DataFrame) -> Result<DataFrame, FactsError> {
    let (ids, posts) = (replies.column("reply_id")?.str()?, replies.column("post_id")?.str()?);
    let interim = is_interim(replies)?;
    let units = replies.column("unit")?.str()?;
    let times = replies.column("replied_at")?.cast(&ms())?.cast(&DataType::Int64)?;
    let (times, seqs) = (times.i64()?, replies.column("seq")?.cast(&DataType::Int32)?);
    let seqs = seqs.i32()?;

    struct Summary<'a> {
        post: &'a str,
        replies: u32,
        first_at: i64,
        /// the latest reply that completes the case (not an acceptance only)
        final_at: Option<i64>,
        /// (time, seq) and id of the final reply so far; a missing seq sorts first
        final_reply: ((i64, Option<i32>), Option<&'a str>),
        /// (seq, time) and unit of the first reply naming one so far
        unit: Option<((Option<i32>, i64), &'a str)>,
    }
    let mut at_post: PlHashMap<&str, usize> = PlHashMap::with_capacity(replies.height());
    let mut summaries: Vec<Summary> = Vec::new();
    let rows = ids.iter().zip(posts.iter()).zip(units.iter()).zip(times.iter()).zip(seqs.iter()).zip(interim);
    for (((((id, post), unit), at), seq), interim) in rows {
        // a reply without a time is not counted; one without a post joins no post
        let (Some(post), Some(at)) = (post, at) else { continue };
        let k = *at_post.entry(post).or_insert_with(|| {
            let final_reply = ((at, seq), id);
            summaries.push(Summary { post, replies: 0, first_at: at, final_at: None, final_reply, unit: None });
            summaries.len() - 1
        });
        let summary = &mut summaries[k];
        summary.replies += 1;
        summary.first_at = summary.first_at.min(at);
        if !interim {
            summary.final_at = Some(summary.final_at.map_or(at, |final_at| final_at.max(at)));
        }
        if (at, seq) >= summary.final_reply.0 {
            summary.final_reply = ((at, seq), id);
        }
        if let Some(unit) = unit.filter(|u| !u.is_empty()) {
            if summary.unit.is_none_or(|(key, _)| (seq, at) < key) {
                summary.unit = Some(((seq, at), unit));
            }
        }
    }
    let column = |name: &str, values: Series| Column::from(values.with_name(name.into()));
    let of = |value: fn(&Summary) -> Option<i64>| -> Result<Series, FactsError> {
        Ok(Series::new("".into(), summaries.iter().map(value).collect::<Vec<_>>()).cast(&ms())?)
    };
    let (first_at, final_at) = (of(|s| Some(s.first_at))?, of(|s| s.final_at)?);
    let posts: Vec<&str> = summaries.iter().map(|s| s.post).collect();
    let counts: Vec<u32> = summaries.iter().map(|s| s.replies).collect();
    let final_ids: Vec<Option<&str>> = summaries.iter().map(|s| s.final_reply.1).collect();
    let units: Vec<Option<&str>> = summaries.iter().map(|s| s.unit.map(|(_, unit)| unit)).collect();
    Ok(DataFrame::new(
        summaries.len(),
        vec![
            column("post_id", Series::new("".into(), posts)),
            column("replies", Series::new("".into(), counts)),
            column("first_reply_at", first_at),
            column("final_reply_at", final_at),
            column("final_reply_id", Series::new("".into(), final_ids)),
            column("reply_unit", Series::new("".into(), units)),
        ],
    )?)
}

/// Whether each reply accepts its case without completing it (SPEC §4): the scorer's `interim`
/// (a receipt, a forwarding note, or a reply that says the case is still being handled), or, in
/// scores written before that column, a reply type of [`INTERIM_TYPES`]; none without either.
fn is_interim(replies: &DataFrame) -> Result<Vec<bool>, FactsError> {
    if let Ok(interim) = replies.column("interim") {
        return Ok(interim.bool()?.iter().map(|i| i.unwrap_or(false)).collect());
    }
    Ok(match replies.column("reply_type") {
        Ok(types) => types.str()?.iter().map(|t| t.is_some_and(|t| INTERIM_TYPES.contains(&t))).collect(),
        Err(_) => vec![false; replies.height()],
    })
}

/// The day each post's unit committed to complete it by (SPEC §4, complex cases), and when it
/// did (`committed_at`): that of the post's earliest reply naming a deadline (the scorer reads
/// one only from an interim reply) — a date as written, or working days after the reply's day
/// on the calendar. A unit that moves its own deadline later does not get the extension (and
/// one that commits after its kind's deadline has passed gets none:
/// `models::deadline::commitment_counts`). Posts with no commitment are not listed.
fn committed_days(replies: &DataFrame, cal: &WorkCalendar) -> Result<DataFrame, FactsError> {
    let mut earliest: PlHashMap<&str, (i64, chrono::NaiveDate)> = PlHashMap::new();
    if let (Ok(dates), Ok(workdays)) = (replies.column("committed_date"), replies.column("committed_workdays")) {
        let dates = dates.cast(&DataType::Int32)?;
        let (dates, workdays) = (dates.i32()?, workdays.cast(&DataType::Int32)?);
        let workdays = workdays.i32()?;
        let posts = replies.column("post_id")?.str()?;
        let times = replies.column("replied_at")?.cast(&ms())?.cast(&DataType::Int64)?;
        let times = times.i64()?;
        for (((post, at), date), days) in posts.iter().zip(times.iter()).zip(dates.iter()).zip(workdays.iter()) {
            let (Some(post), Some(at)) = (post, at) else { continue };
            let day = match (date.and_then(chrono::NaiveDate::from_epoch_days), days) {
                (Some(date), _) => date,
                (None, Some(days)) => cal.add_workdays(naive(at).date(), days.max(0) as u32),
                (None, None) => continue,
            };
            if earliest.get(post).is_none_or(|(first, _)| at < *first) {
                earliest.insert(post, (at, day));
            }
        }
    }
    let mut posts = Vec::with_capacity(earliest.len());
    let (mut days, mut times) = (Vec::with_capacity(earliest.len()), Vec::with_capacity(earliest.len()));
    for (post, (at, day)) in earliest {
        posts.push(post);
        days.push(day.to_epoch_days());
        times.push(at);
    }
    Ok(DataFrame::new(
        posts.len(),
        vec![
            Column::new("post_id".into(), posts),
            Column::new("committed_day".into(), days).cast(&DataType::Date)?,
            Column::new("committed_at".into(), times).cast(&ms())?,
        ],
    )?)
}

/// The scorer's verdict on each reply, named as the facts name them.
fn final_reply_verdicts(scores: Option<&DataFrame>) -> Result<LazyFrame, FactsError> {
    let Some(scores) = scores else {
        let empty = DataFrame::new(
            0,
            vec![
                Column::new_empty("reply_id".into(), &DataType::String),
                Column::new_empty("evasive".into(), &DataType::Boolean),
                Column::new_empty("vague".into(), &DataType::Boolean),
                Column::new_empty("ack_only".into(), &DataType::Boolean),
                Column::new_empty("duplicate_reply".into(), &DataType::Boolean),
                Column::new_empty("evasive_level".into(), &DataType::Int8),
                Column::new_empty("vague_level".into(), &DataType::Int8),
            ],
        )?;
        return Ok(empty.lazy());
    };
    require(scores, "scores", &SCORE_COLUMNS)?;
    Ok(scores.clone().lazy().select([
        col("reply_id"),
        col("evasive").fill_null(lit(false)),
        col("vague").fill_null(lit(false)),
        col("reply_type").eq(lit(ACK_ONLY)).fill_null(lit(false)).alias("ack_only"),
        col("duplicate_group").is_not_null().alias("duplicate_reply"),
        col("evasive_level").cast(DataType::Int8),
        col("vague_level").cast(DataType::Int8),
    ]))
}

/// Posts in a recurring issue, with the issue (the first, for a post in several).
fn recurring_posts(clusters: Option<&DataFrame>) -> Result<LazyFrame, FactsError> {
    let Some(clusters) = clusters else {
        let empty = DataFrame::new(
            0,
            vec![
                Column::new_empty("post_id".into(), &DataType::String),
                Column::new_empty("in_recurring".into(), &DataType::Boolean),
                Column::new_empty("cluster_id".into(), &DataType::String),
            ],
        )?;
        return Ok(empty.lazy());
    };
    require(clusters, "clusters", &CLUSTER_COLUMNS)?;
    Ok(clusters.clone().lazy().group_by([col("post_id")]).agg([
        len().gt(lit(0)).alias("in_recurring"),
        col("cluster_id").cast(DataType::String).first().alias("cluster_id"),
    ]))
}

/// `repeat_after_reply` of every post (SPEC §5: "came back after the unit replied"): the post is
/// in a recurring issue, and the unit it is counted against had replied to a strictly earlier
/// post of that issue by the time it was posted. The unit's reply is any reply that names it —
/// a forwarded case's answer too, though the case is counted against the unit that forwarded it
/// — or a reply that names no unit to a post counted against it. A reply by another unit does
/// not count against this one (the issue table's own `repeats_after_reply` counts any reply:
/// there the question is whether the problem came back at all). Posts of no known unit are all
/// 未知单位's, as in the indicators. `replies`: post_id, replied_at (ms), unit.
fn repeats_after_the_unit_replied(facts: &DataFrame, replies: Option<&DataFrame>) -> Result<Column, FactsError> {
    let n = facts.height();
    let clusters = facts.column("cluster_id")?.str()?;
    let units = facts.column("unit")?.str()?;
    let post_ids = facts.column("post_id")?.str()?;
    let posted = facts.column("posted_at")?.cast(&DataType::Int64)?;
    let posted = posted.i64()?;
    let unit_of = |row: usize| units.get(row).unwrap_or(UNKNOWN_UNIT);
    // the replies of each post in an issue: (time, the unit it counts for)
    let mut row_of: PlHashMap<&str, usize> = PlHashMap::new();
    for (row, (id, cluster)) in post_ids.iter().zip(clusters.iter()).enumerate() {
        if let (Some(id), Some(_)) = (id, cluster) {
            row_of.insert(id, row);
        }
    }
    let mut replies_of: PlHashMap<usize, Vec<(i64, &str)>> = PlHashMap::new();
    if let Some(replies) = replies {
        let ids = replies.column("post_id")?.str()?;
        let times = replies.column("replied_at")?.i64()?;
        let by = replies.column("unit")?.str()?;
        for ((id, at), by) in ids.iter().zip(times.iter()).zip(by.iter()) {
            let (Some(&row), Some(at)) = (id.and_then(|id| row_of.get(id)), at) else { continue };
            let by = by.filter(|u| !u.is_empty()).unwrap_or_else(|| unit_of(row));
            replies_of.entry(row).or_default().push((at, by));
        }
    }
    // the posts of each issue, in time order
    let mut issues: PlHashMap<&str, Vec<(i64, usize)>> = PlHashMap::new();
    for (row, cluster) in clusters.iter().enumerate() {
        if let (Some(cluster), Some(posted)) = (cluster, posted.get(row)) {
            issues.entry(cluster).or_default().push((posted, row));
        }
    }
    let mut repeat = vec![false; n];
    for mut posts in issues.into_values() {
        posts.sort_unstable();
        // each unit's earliest reply to the posts of the issue posted before the current one
        let mut earliest: PlHashMap<&str, i64> = PlHashMap::new();
        let mut earlier = 0;
        for &(at, row) in &posts {
            while earlier < posts.len() && posts[earlier].0 < at {
                for &(replied, by) in replies_of.get(&posts[earlier].1).into_iter().flatten() {
                    earliest.entry(by).and_modify(|e| *e = (*e).min(replied)).or_insert(replied);
                }
                earlier += 1;
            }
            repeat[row] = earliest.get(unit_of(row)).is_some_and(|&replied| replied <= at);
        }
    }
    Ok(Column::new("repeat_after_reply".into(), repeat))
}

/// The deadline facts of every post (rules of `models::deadline`), as of `as_of`: `due_at`
/// (the committed one where `committed_day` holds a day), `committed_deadline`,
/// `workdays_to_reply`, `replied`, `on_time`, `overdue`, `overdue_workdays`, `acceptance_breach`.
fn deadline_columns(
    facts: &DataFrame,
    as_of: i64,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> Result<Vec<Column>, FactsError> {
    let millis = |name: &str| -> Result<Int64Chunked, FactsError> {
        Ok(facts.column(name)?.cast(&DataType::Int64)?.i64()?.clone())
    };
    let (posted, first, last) = (millis("posted_at")?, millis("first_reply_at")?, millis("final_reply_at")?);
    let kinds = facts.column("kind")?.str()?;
    let known = facts.column("reply_known")?.bool()?;
    let committed = facts.column("committed_day")?.cast(&DataType::Int32)?;
    let committed = committed.i32()?;
    let committed_at = millis("committed_at")?;
    let as_of_time = naive(as_of);
    let n = facts.height();
    let mut due = Vec::with_capacity(n);
    let mut committed_deadline = Vec::with_capacity(n);
    let mut workdays: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut replied = Vec::with_capacity(n);
    let mut on_time = Vec::with_capacity(n);
    let mut overdue = Vec::with_capacity(n);
    let mut overdue_days: Vec<Option<i32>> = Vec::with_capacity(n);
    let mut breach = Vec::with_capacity(n);
    // Kinds repeat: parse each distinct text once.
    let mut last_kind: (Option<&str>, PostKind) = (None, PostKind::Other);
    let rows = posted.iter().zip(first.iter()).zip(last.iter()).zip(kinds.iter()).zip(known.iter());
    let rows = rows.zip(committed.iter()).zip(committed_at.iter());
    for ((((((posted, first), last), kind), known), committed), committed_at) in rows {
        let posted = naive(posted.unwrap_or(as_of));
        if last_kind.0 != kind {
            last_kind = (kind, kind.and_then(PostKind::parse).unwrap_or(PostKind::Other));
        }
        let kind = last_kind.1;
        let (first, last) = (first.map(naive), last.map(naive));
        // (a commitment made once the kind's deadline had passed leaves the case late)
        let committed = committed.and_then(chrono::NaiveDate::from_epoch_days).filter(|_| {
            committed_at.is_some_and(|at| deadline::commitment_counts(kind, posted, naive(at), rules, cal))
        });
        let allowed = deadline::allowed_workdays(kind, committed, posted, rules, cal);
        due.push(millis_of(deadline::due_at(allowed, posted, rules, cal)));
        committed_deadline.push(committed.is_some());
        workdays.push(last.map(|at| deadline::workdays_to_reply(posted, at, rules, cal) as f64));
        replied.push(last.is_some());
        on_time.push(last.is_some_and(|at| deadline::is_on_time(allowed, posted, at, rules, cal)));
        // A post of an export without replies: how it was answered is not known.
        let known = known.unwrap_or(true);
        let late = deadline::overdue_workdays(allowed, posted, last, as_of_time, rules, cal).filter(|_| known);
        overdue.push(late.is_some());
        overdue_days.push(late);
        breach.push(known && deadline::acceptance_breach(posted, first, as_of_time, rules, cal));
    }
    Ok(vec![
        Series::new("due_at".into(), due).cast(&ms())?.into(),
        Column::new("committed_deadline".into(), committed_deadline),
        Column::new("workdays_to_reply".into(), workdays),
        Column::new("replied".into(), replied),
        Column::new("on_time".into(), on_time),
        Column::new("overdue".into(), overdue),
        Column::new("overdue_workdays".into(), overdue_days),
        Column::new("acceptance_breach".into(), breach),
    ])
}

fn naive(ms: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc()).unwrap_or_default()
}

fn millis_of(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// What kind of unit a name is, from its suffix: "street" (街道, 乡镇, 办事处), "county" (a
/// district, county or city government), "department" (everything else), "unknown".
pub fn unit_type(unit: &str) -> &'static str {
    let name = unit.trim();
    let name = name.strip_suffix("人民政府").unwrap_or(name);
    if name.is_empty() || name == UNKNOWN_UNIT {
        "unknown"
    } else if ["街道", "街道办", "办事处", "镇", "乡"].iter().any(|s| name.ends_with(s)) {
        "street"
    } else if ["区", "县", "市", "政府"].iter().any(|s| name.ends_with(s)) {
        "county"
    } else {
        "department"
    }
}

fn unit_type_column(units: &StringChunked) -> Column {
    let types: Vec<&str> = units.iter().map(|u| unit_type(u.unwrap_or(""))).collect();
    Column::new("unit_type".into(), types)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The table the facts tests share: posts, replies and scores around National Day 2019.
    pub(crate) fn sample_inputs() -> ReportInputs {
        let at = |text: &str| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
                .map(millis_of)
                .expect("test times are YYYY-MM-DD HH:MM")
        };
        let times = |texts: &[&str]| -> Column {
            Series::new("t".into(), texts.iter().map(|t| at(t)).collect::<Vec<_>>()).cast(&ms()).expect("cast").into()
        };
        let posts = DataFrame::new(
            6,
            vec![
                Column::new("post_id".into(), ["p1", "p2", "p3", "p4", "p5", "p6"]),
                Column::new("subject".into(), ["调休日咨询", "国庆投诉", "两次答复", "无答复", "超时", "受理超时"]),
                times(&[
                    "2019-09-29 10:00",
                    "2019-09-30 10:00",
                    "2019-10-14 09:00",
                    "2019-10-21 09:00",
                    "2019-10-08 09:00",
                    "2019-10-08 09:00",
                ])
                .take_materialized_series()
                .with_name("posted_at".into())
                .into(),
                Column::new(
                    "unit".into(),
                    [Some("A市教育局"), Some("A3区洋湖街道办事处"), Some(""), None, Some("K4县"), None],
                ),
                Column::new("category".into(), [Some("教育"), None, Some("城建"), None, Some("交通"), None]),
                Column::new("kind".into(), ["咨询", "投诉", "投诉", "建议", "举报", "投诉"]),
            ],
        )
        .expect("posts");
        let replies = DataFrame::new(
            5,
            vec![
                Column::new("reply_id".into(), ["r1", "r2", "r3a", "r3b", "r6"]),
                Column::new("post_id".into(), ["p1", "p2", "p3", "p3", "p6"]),
                Column::new(
                    "unit".into(),
                    [None, Some("A3区住建局"), Some("A市住建局"), Some("A市城管局"), Some("A市公安局")],
                ),
                times(&[
                    "2019-09-29 16:00",
                    "2019-10-12 20:00",
                    "2019-10-14 10:00",
                    "2019-10-18 10:00",
                    "2019-10-12 09:00",
                ])
                .take_materialized_series()
                .with_name("replied_at".into())
                .into(),
                Column::new("seq".into(), [1i32, 1, 1, 2, 1]),
            ],
        )
        .expect("replies");
        let scores = DataFrame::new(
            5,
            vec![
                Column::new("reply_id".into(), ["r1", "r2", "r3a", "r3b", "r6"]),
                Column::new("evasive_level".into(), [0i8, 2, 0, 1, 0]),
                Column::new("vague_level".into(), [0i8, 0, 0, 2, 1]),
                Column::new("evasive".into(), [false, true, false, false, false]),
                Column::new("vague".into(), [false, false, false, true, false]),
                Column::new(
                    "reply_type".into(),
                    ["substantive", "deflection", "acknowledgement_only", "generic_policy", "acknowledgement_only"],
                ),
                Column::new("duplicate_group".into(), [None, None, None, Some("dup-1"), None]),
            ],
        )
        .expect("scores");
        let clusters = DataFrame::new(
            2,
            vec![
                Column::new("post_id".into(), ["p2", "p3"]),
                Column::new("cluster_id".into(), ["issue-p2", "issue-p2"]),
            ],
        )
        .expect("clusters");
        ReportInputs { posts, replies: Some(replies), scores: Some(scores), clusters: Some(clusters) }
    }

    /// One line per post with the facts named in `columns`, compared with `expected`.
    fn check(inputs: &ReportInputs, columns: &[&str], expected: &str) {
        let facts = post_facts(inputs, &DeadlineRules::default(), &WorkCalendar::default()).expect("facts");
        let columns: Vec<&str> = std::iter::once("post_id").chain(columns.iter().copied()).collect();
        assert_rows(&facts, &columns, None, expected);
    }

    /// The tables' tests' one comparison: a line per row of `frame` with the `columns` named
    /// (nulls as `-`, floats to `decimals` places when given), against the lines of `expected`.
    pub(crate) fn assert_rows(frame: &DataFrame, columns: &[&str], decimals: Option<usize>, expected: &str) {
        let mut lines = Vec::new();
        for i in 0..frame.height() {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| match frame.column(c).unwrap_or_else(|_| panic!("no column {c}")).get(i).expect("in range") {
                    AnyValue::Null => "-".to_string(),
                    AnyValue::String(s) => s.to_string(),
                    AnyValue::StringOwned(s) => s.to_string(),
                    AnyValue::Float64(x) if decimals.is_some() => format!("{x:.*}", decimals.unwrap_or_default()),
                    value => value.to_string(),
                })
                .collect();
            lines.push(cells.join(" "));
        }
        let expected: Vec<&str> = expected.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.join("\n"), expected.join("\n"));
    }

    #[test]
    fn the_unit_is_the_first_reply_naming_one_else_the_addressed_one() {
        check(
            &sample_inputs(),
            &["unit", "unit_type", "replies", "final_reply_id"],
            "
            p1 A市教育局 department 1 r1
            p2 A3区住建局 department 1 r2
            p3 A市住建局 department 2 r3b
            p4 未知单位 unknown 0 -
            p5 K4县 county 0 -
            p6 A市公安局 department 1 r6
            ",
        );
    }

    #[test]
    fn a_reply_dated_before_its_post_is_not_counted() {
        // r1's copy, given to p4: dated in September 2019, before p4 was posted in October (a
        // replies file ingested ahead of its posts keeps such a row).
        let mut inputs = sample_inputs();
        let replies = inputs.replies.take().expect("replies");
        let early = replies
            .slice(0, 1)
            .lazy()
            .with_columns([lit("r-early").alias("reply_id"), lit("p4").alias("post_id")])
            .collect()
            .expect("the early reply");
        inputs.replies = Some(replies.vstack(&early).expect("stacked"));
        check(
            &inputs,
            &["replies", "final_reply_id", "replied", "on_time"],
            "
            p1 1 r1 true true
            p2 1 r2 true true
            p3 2 r3b true true
            p4 0 - false false
            p5 0 - false false
            p6 1 r6 false false
            ",
        );
    }

    #[test]
    fn deadlines_follow_the_holiday_calendar() {
        // As of 2019-10-21 09:00, the latest time stamp. 29 Sep 2019 was a make-up Sunday
        // workday; 1–7 Oct the National Day holiday, 12 Oct a make-up Saturday. p2's reply
        // was on time (5 working days) but came too late to count as acceptance (> 3); so
        // did p6's (4); p5, unanswered, is 5 working days past its 14 Oct deadline, and so is
        // p6: its only reply is a receipt, which accepts the case but does not complete it.
        check(
            &sample_inputs(),
            &[
                "month",
                "due_at",
                "workdays_to_reply",
                "replied",
                "on_time",
                "overdue",
                "overdue_workdays",
                "acceptance_breach",
            ],
            "
            p1 2019-09 2019-09-29 23:59:59 0.0 true true false - false
            p2 2019-09 2019-10-12 23:59:59 5.0 true true false - true
            p3 2019-10 2019-10-21 23:59:59 4.0 true true false - false
            p4 2019-10 2019-10-21 23:59:59 - false false false - false
            p5 2019-10 2019-10-14 23:59:59 - false false true 5 true
            p6 2019-10 2019-10-14 23:59:59 - false false true 5 true
            ",
        );
    }

    #[test]
    fn the_final_reply_is_the_last_by_time_and_seq_and_the_unit_the_first_named_by_seq_and_time() {
        let at = |text: Option<&str>| {
            text.map(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").map(millis_of).expect("a test time"))
        };
        let times: Vec<Option<i64>> = [
            Some("2019-10-08 10:00"),
            Some("2019-10-08 10:00"),
            Some("2019-10-08 10:00"),
            None,
            Some("2019-10-08 09:00"),
            Some("2019-10-08 09:00"),
            Some("2019-10-08 08:00"),
        ]
        .into_iter()
        .map(at)
        .collect();
        let replies = DataFrame::new(
            7,
            vec![
                Column::new("reply_id".into(), ["a", "b", "c", "d", "e", "f", "g"]),
                Column::new("post_id".into(), ["q1", "q1", "q1", "q2", "q2", "q2", "q3"]),
                Column::new(
                    "unit".into(),
                    [Some(""), Some("B局"), Some("C局"), Some("D局"), Some("E局"), Some("F局"), None],
                ),
                Series::new("replied_at".into(), times).cast(&ms()).expect("times").into(),
                Column::new("seq".into(), [Some(2i32), Some(1), Some(2), Some(1), None, Some(1), Some(1)]),
            ],
        )
        .expect("replies");
        // q1: a and c tie on (time, seq), so the one stored later, c, is the final reply; b has the
        // lowest seq and names a unit. q2: d has no time and is not counted; e's missing seq sorts
        // first, so e names the unit and f (same time, seq 1) is the final reply.
        assert_rows(
            &reply_summary(&replies).expect("summary"),
            &["post_id", "replies", "final_reply_id", "reply_unit"],
            None,
            "
            q1 3 c B局
            q2 2 f E局
            q3 1 g -
            ",
        );
    }

    #[test]
    fn verdicts_are_those_of_the_final_reply() {
        check(
            &sample_inputs(),
            &[
                "evasive",
                "vague",
                "ack_only",
                "duplicate_reply",
                "evasive_level",
                "vague_level",
                "in_recurring",
                "repeat_after_reply",
            ],
            "
            p1 false false false false 0 0 false false
            p2 true false false false 2 0 true false
            p3 false true false true 1 2 true false
            p4 false false false false - - false false
            p5 false false false false - - false false
            p6 false false true false 0 1 false false
            ",
        );
    }

    #[test]
    fn a_receipt_or_a_forwarding_note_accepts_a_case_without_completing_it() {
        // p3's replies: r3a on 14 Oct, r3b on 18 Oct. When r3b is a forwarding note, the case
        // was completed by r3a (0 working days); when both are, it is accepted, not completed:
        // no final reply time, not replied, and past its 21 Oct deadline it would be overdue
        // (as of 21 Oct 09:00 it is still within it). Its verdicts stay those of the latest reply.
        let mut inputs = sample_inputs();
        let columns = ["final_reply_at", "workdays_to_reply", "replied", "answered", "overdue", "acceptance_breach"];
        let set_types = |inputs: &mut ReportInputs, types: [&str; 5]| {
            let scores = inputs.scores.as_mut().expect("scores");
            scores.with_column(Column::new("reply_type".into(), types)).expect("types");
        };
        set_types(&mut inputs, ["substantive", "deflection", "substantive", "forwarded", "acknowledgement_only"]);
        check_post(&inputs, "p3", &columns, "p3 2019-10-14 10:00:00 0.0 true true false false");
        set_types(
            &mut inputs,
            ["substantive", "deflection", "acknowledgement_only", "forwarded", "acknowledgement_only"],
        );
        check_post(&inputs, "p3", &columns, "p3 - - false true false false");
    }

    #[test]
    fn a_note_that_the_case_is_being_handled_accepts_it_and_its_deadline_is_the_post_s() {
        // p3, a complaint of Monday 14 Oct 2019 (due Monday 21 Oct): r3a that day, r3b on 18 Oct.
        let mut inputs = sample_inputs();
        let columns =
            ["due_at", "committed_deadline", "final_reply_at", "replied", "on_time", "overdue", "overdue_workdays"];
        let set = |inputs: &mut ReportInputs, interim: [bool; 5], dates: [Option<&str>; 5], days: [Option<i32>; 5]| {
            let scores = inputs.scores.as_mut().expect("scores");
            let dates: Vec<Option<i32>> = dates
                .iter()
                .map(|d| {
                    let day = d.map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a date"));
                    day.map(|day| day.to_epoch_days())
                })
                .collect();
            let dates = Column::new("committed_date".into(), dates).cast(&DataType::Date).expect("dates");
            for column in
                [Column::new("interim".into(), interim), dates, Column::new("committed_workdays".into(), days)]
            {
                scores.with_column(column).expect("column");
            }
        };
        // "正在调查核实，将于10个工作日内答复" then the answer: due ten working days after 14 Oct
        // (28 Oct), answered on the 18th, on time.
        let commits_10_days = [None, None, Some(10), None, None];
        set(&mut inputs, [false, false, true, false, false], [None; 5], commits_10_days);
        check_post(&inputs, "p3", &columns, "p3 2019-10-28 23:59:59 true 2019-10-18 10:00:00 true true false -");
        // a later note that moves the date does not move the deadline; two notes complete nothing
        // (as of 21 Oct, the data's last moment, the 28th has not come)
        let later_date = [None, None, None, Some("2019-12-31"), None];
        set(&mut inputs, [false, false, true, true, false], later_date, commits_10_days);
        check_post(&inputs, "p3", &columns, "p3 2019-10-28 23:59:59 true - false false false -");
        // a date that has passed: due 16 Oct, three working days overdue by the 21st
        let passed_date = [None, None, Some("2019-10-16"), None, None];
        set(&mut inputs, [false, false, true, true, false], passed_date, [None; 5]);
        check_post(&inputs, "p3", &columns, "p3 2019-10-16 23:59:59 true - false false true 3");
        // a note with no date: the kind's deadline; not overdue before its end
        set(&mut inputs, [false, false, true, true, false], [None; 5], [None; 5]);
        check_post(&inputs, "p3", &columns, "p3 2019-10-21 23:59:59 false - false false false -");
    }

    #[test]
    fn a_deadline_committed_to_after_the_kind_s_deadline_has_passed_extends_nothing() {
        // p3 as a consultation of Monday 14 Oct 2019: due that day. r3a that day, r3b on the 18th.
        let mut inputs = sample_inputs();
        let kinds = Column::new("kind".into(), ["咨询", "投诉", "咨询", "建议", "举报", "投诉"]);
        inputs.posts.with_column(kinds).expect("kinds");
        let columns =
            ["due_at", "committed_deadline", "final_reply_at", "replied", "on_time", "overdue", "overdue_workdays"];
        let set = |inputs: &mut ReportInputs, interim: [bool; 5], days: [Option<i32>; 5]| {
            let scores = inputs.scores.as_mut().expect("scores");
            let dates = Column::new("committed_date".into(), [None::<i32>; 5]).cast(&DataType::Date).expect("dates");
            for column in
                [Column::new("interim".into(), interim), dates, Column::new("committed_workdays".into(), days)]
            {
                scores.with_column(column).expect("column");
            }
        };
        // committed to on the day it was due: a complex case, due ten working days later
        set(&mut inputs, [false, false, true, true, false], [None, None, Some(10), None, None]);
        check_post(&inputs, "p3", &columns, "p3 2019-10-28 23:59:59 true - false false false -");
        // committed to four working days late: still due on the 14th, overdue by the 21st
        set(&mut inputs, [false, false, true, true, false], [None, None, None, Some(10), None]);
        check_post(&inputs, "p3", &columns, "p3 2019-10-14 23:59:59 false - false false true 5");
    }

    /// The facts of one post, as [`check`] gives them.
    fn check_post(inputs: &ReportInputs, post_id: &str, columns: &[&str], expected: &str) {
        let facts = post_facts(inputs, &DeadlineRules::default(), &WorkCalendar::default()).expect("facts");
        let facts = facts.lazy().filter(col("post_id").eq(lit(post_id))).collect().expect("filter");
        let columns: Vec<&str> = std::iter::once("post_id").chain(columns.iter().copied()).collect();
        assert_rows(&facts, &columns, None, expected);
    }

    #[test]
    fn a_post_repeats_after_a_reply_only_when_its_own_unit_gave_that_reply() {
        // p2 and p3 are one issue; A3区住建局 answered p2 before p3 came, but p3 is
        // A市住建局's (its first reply names it): no repeat is charged to A市住建局.
        let mut inputs = sample_inputs();
        check(&inputs, &["unit", "repeat_after_reply"], REPEAT_NOT_CHARGED);
        // When A3区住建局 also answers p3, p3 came back after that unit's reply to p2.
        let replies = inputs.replies.as_mut().expect("replies");
        let units = [None, Some("A3区住建局"), Some("A3区住建局"), Some("A市城管局"), Some("A市公安局")];
        replies.with_column(Column::new("unit".into(), units)).expect("units");
        check(
            &inputs,
            &["unit", "repeat_after_reply"],
            &REPEAT_NOT_CHARGED.replace("p3 A市住建局 false", "p3 A3区住建局 true"),
        );
    }

    #[test]
    fn the_unit_that_answered_a_forwarded_case_has_replied_to_it() {
        // p3 is A市住建局's (its first reply, a forwarding note, names it); A市城管局 answered it
        // on 10-18. p4, addressed to A市城管局 on 10-21, is the same issue: it came back after
        // that unit's reply (a session-35 reviewer found such repeats uncounted in the demo).
        let mut inputs = sample_inputs();
        let units = [Some("A市教育局"), Some("A3区洋湖街道办事处"), Some(""), Some("A市城管局"), Some("K4县"), None];
        inputs.posts.with_column(Column::new("unit".into(), units)).expect("units");
        inputs.clusters = Some(
            DataFrame::new(
                3,
                vec![
                    Column::new("post_id".into(), ["p2", "p3", "p4"]),
                    Column::new("cluster_id".into(), ["issue-p2", "issue-p2", "issue-p2"]),
                ],
            )
            .expect("clusters"),
        );
        check(
            &inputs,
            &["unit", "repeat_after_reply"],
            &REPEAT_NOT_CHARGED.replace("p4 未知单位 false", "p4 A市城管局 true"),
        );
    }

    const REPEAT_NOT_CHARGED: &str = "
            p1 A市教育局 false
            p2 A3区住建局 false
            p3 A市住建局 false
            p4 未知单位 false
            p5 K4县 false
            p6 A市公安局 false
            ";

    #[test]
    fn the_posts_of_an_export_without_replies_are_never_overdue() {
        // p4 and p5 come from a likes export, unanswered there: nothing says whether they
        // were answered, so no deadline is judged on them (p5 was overdue). The others come
        // from an export with replies.
        let mut inputs = sample_inputs();
        let sources = ["a.xlsx", "a.xlsx", "a.xlsx", "likes.xlsx", "likes.xlsx", "a.xlsx"];
        inputs.posts.with_column(Column::new("source".into(), sources)).expect("source");
        check(
            &inputs,
            &["replied", "overdue", "acceptance_breach", "reply_known"],
            "
            p1 true false false true
            p2 true false true true
            p3 true false false true
            p4 false false false false
            p5 false false false false
            p6 false true true true
            ",
        );
        let indicators = crate::indicators::indicators(
            &post_facts(&inputs, &DeadlineRules::default(), &WorkCalendar::default()).expect("facts"),
        )
        .expect("indicators");
        let city = indicators
            .lazy()
            .filter(col("scope").eq(lit("city")).and(col("period_type").eq(lit("year"))))
            .collect()
            .expect("city");
        let posts: i64 = city.column("posts").unwrap().i64().unwrap().sum().unwrap_or(0);
        assert_eq!(posts, 4, "the likes export's posts are not counted: {city}");
    }

    /// The reply export ends on 10-18 (r3b); a likes export runs on to November. Judged as of
    /// its last post, p6 (unanswered in the reply export) would be overdue by a month of working
    /// days that the data knows nothing about: it is judged as of 10-18.
    #[test]
    fn a_likes_export_that_runs_on_does_not_move_the_as_of_moment() {
        let overdue_p6 = |late_post_source: &str| {
            let mut inputs = sample_inputs();
            let sources = ["a.xlsx", "a.xlsx", "a.xlsx", late_post_source, "likes.xlsx", "a.xlsx"];
            inputs.posts.with_column(Column::new("source".into(), sources)).expect("source");
            let mut posted: Vec<Option<i64>> =
                inputs.posts.column("posted_at").unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().to_vec();
            posted[3] = Some(millis_of(NaiveDateTime::parse_from_str("2019-11-29 10:00", "%Y-%m-%d %H:%M").unwrap()));
            let posted = Series::new("posted_at".into(), posted).cast(&ms()).unwrap();
            inputs.posts.with_column(posted.into()).expect("posted_at");
            let facts = post_facts(&inputs, &DeadlineRules::default(), &WorkCalendar::default()).expect("facts");
            let as_of = as_of_moment(&facts, Some(max_millis(inputs.replies.as_ref().unwrap(), "replied_at").unwrap()));
            let p6 = facts.column("overdue_workdays").unwrap().i32().unwrap().get(5);
            (as_of.unwrap().map(naive), p6)
        };
        let (as_of, late) = overdue_p6("likes.xlsx");
        assert_eq!(as_of.map(|t| t.to_string()).as_deref(), Some("2019-10-18 10:00:00"));
        // due 10-14 (5 working days from 10-08, Saturday 10-12 a make-up workday): overdue by
        // 10-15, 10-16, 10-17 and 10-18
        assert_eq!(late, Some(4));
        // the same late post in the export with replies: an unanswered post of that export, the
        // data runs to it
        let (as_of, late) = overdue_p6("a.xlsx");
        assert_eq!(as_of.map(|t| t.to_string()).as_deref(), Some("2019-11-29 10:00:00"));
        assert!(late > Some(20), "{late:?}");
    }

    /// p6 is in the likes export and in the export with replies; its copy from the likes export
    /// was ingested first and kept, with the reply of the other. That reply says how p6 was
    /// answered, not that the likes export carries its posts' replies: p4 and p5 stay unknown,
    /// as they are when the export with replies is ingested first. A file of replies alone
    /// carries the replies of the posts file it answers.
    #[test]
    fn a_reply_of_another_export_s_copy_does_not_make_a_likes_export_answered() {
        let mut inputs = sample_inputs();
        let sources = ["a.xlsx", "a.xlsx", "a.xlsx", "likes.xlsx", "likes.xlsx", "likes.xlsx"];
        inputs.posts.with_column(Column::new("source".into(), sources)).expect("source");
        let replies = inputs.replies.as_mut().expect("replies");
        replies.with_column(Column::new("source".into(), ["a.xlsx"; 5])).expect("source");
        check(
            &inputs,
            &["replied", "overdue", "reply_known"],
            "
            p1 true false true
            p2 true false true
            p3 true false true
            p4 false false false
            p5 false false false
            p6 false true true
            ",
        );
        let mut inputs = sample_inputs();
        inputs.posts.with_column(Column::new("source".into(), ["posts.csv"; 6])).expect("source");
        let replies = inputs.replies.as_mut().expect("replies");
        replies.with_column(Column::new("source".into(), ["replies.csv"; 5])).expect("source");
        let facts = post_facts(&inputs, &DeadlineRules::default(), &WorkCalendar::default()).expect("facts");
        assert!(facts.column("reply_known").unwrap().bool().unwrap().all(), "{facts}");
    }

    #[test]
    fn a_folder_with_posts_only_gives_unreplied_facts() {
        let inputs = ReportInputs { replies: None, scores: None, clusters: None, ..sample_inputs() };
        check(
            &inputs,
            &["unit", "replies", "replied", "overdue"],
            "
            p1 A市教育局 0 false false
            p2 A3区洋湖街道办事处 0 false false
            p3 未知单位 0 false false
            p4 未知单位 0 false false
            p5 K4县 0 false false
            p6 未知单位 0 false false
            ",
        );
    }

    #[test]
    fn unit_types_come_from_the_name() {
        let cases = [
            ("A3区洋湖街道办事处", "street"),
            ("A5区黎托街道", "street"),
            ("K4县九龙镇人民政府", "street"),
            ("K4县", "county"),
            ("A3区人民政府", "county"),
            ("D12市", "county"),
            ("A市住房和城乡建设局", "department"),
            ("未知单位", "unknown"),
        ];
        let actual: Vec<(&str, &str)> = cases.iter().map(|(u, _)| (*u, unit_type(u))).collect();
        assert_eq!(actual, cases);
    }

    #[test]
    fn missing_columns_are_named() {
        let mut inputs = sample_inputs();
        inputs.posts = inputs.posts.drop("kind").expect("drop");
        let error = post_facts(&inputs, &DeadlineRules::default(), &WorkCalendar::default()).expect_err("an error");
        assert_eq!(error.to_string(), "the posts table has no column \"kind\" (hint: re-run the stage that writes it)");
    }
}
