//! `wenzheng recurring`: posts grouped into recurring issues → `DIR/issues/clusters.parquet`
//! and `DIR/issues/issues.parquet`; `wenzheng issues`: the hot-issue table.
//!
//! What is costly per post — reading its body, finding its places, sampling its bigrams — is
//! done once and kept (`crate::feature_cache`), and so is the grouping after the last post
//! (`crate::grouping_cache`): a daily run reads the bodies of the day's posts only and groups
//! them only, carrying on from yesterday's grouping, and gives exactly the issues a run from
//! scratch gives. The issues are summarised and written from the whole grouping on every run
//! (heat and repeats read every post and reply).

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use models::recurring::{self, Issue, IssuePost, RecurringConfig};
use polars::prelude::*;

use crate::feature_cache::Features;
use crate::grouping_cache;
use crate::progress::Progress;
use crate::store::{self, DataDir, StageRecord};
use crate::tables;

/// Bump when the clustering changes, so readers know the issues were recomputed.
pub const RECURRING_VERSION: &str = "8";

pub const CLUSTERS_FILE: &str = "issues/clusters.parquet";
pub const ISSUES_FILE: &str = "issues/issues.parquet";

#[derive(Debug, Default, serde::Serialize)]
pub struct RecurringReport {
    pub posts: usize,
    pub issues: usize,
    pub posts_in_issues: usize,
    pub repeats_after_reply: usize,
    /// Posts whose features were computed on this run; the others' came from the cache.
    pub features_computed: usize,
    /// Posts grouped on this run: the new ones when the kept grouping carried on, else all.
    pub posts_grouped: usize,
}

/// The post columns clustering reads, owned by one frame, and each post's first reply.
pub struct PostTable {
    frame: DataFrame,
    /// When each post (in the order of `frame`) was first answered, if it was.
    first_reply: Vec<Option<i64>>,
    /// The unit of each post's first reply that names one, as `post_facts` reads it
    /// (`reports::facts::reply_summary`), and each post's row in it: the unit the post is
    /// counted against is that one, else the unit it was addressed to.
    reply_units: Option<StringChunked>,
    replies_row: Vec<Option<u32>>,
}

impl PostTable {
    pub fn read(dir: &DataDir) -> Result<PostTable> {
        PostTable::read_columns(dir, true)
    }

    /// The table without the bodies (each post's body reads as ""): what clustering from
    /// cached features and the hot-issue table need, at a fraction of the memory.
    pub fn read_without_bodies(dir: &DataDir) -> Result<PostTable> {
        PostTable::read_columns(dir, false)
    }

    fn read_columns(dir: &DataDir, bodies: bool) -> Result<PostTable> {
        let columns = ["post_id", "user_id", "subject", "body", "posted_at", "unit", "region", "likes", "dislikes"];
        let columns: Vec<&str> = columns.into_iter().filter(|&c| bodies || c != "body").collect();
        let frame = tables::read_table(&dir.parts("posts"), &columns)?
            .context("the data folder has no posts: ingest a file with posts first")?;
        let replies = tables::read_table(&dir.parts("replies"), &reports::facts::REPLY_COLUMNS)?
            .map(|replies| reports::facts::reply_summary(&replies))
            .transpose()?;
        let (first_reply, replies_row) = first_replies(&frame, replies.as_ref())?;
        // Only the units are needed from here on; the rest of the summary is let go.
        let reply_units = replies.map(|r| r.column("reply_unit")?.str().cloned()).transpose()?;
        Ok(PostTable { frame, first_reply, reply_units, replies_row })
    }

    /// The posts, in the order of the table, borrowing from it. The columns are walked with
    /// their iterators: a lookup by row number searches the column's chunks on every call,
    /// and a million posts read from their parts come in dozens (52 row groups in the bench).
    pub fn posts(&self) -> Result<Vec<IssuePost<'_>>> {
        let f = &self.frame;
        let text = |name: &str| Ok::<_, PolarsError>(f.column(name)?.str()?.iter());
        let (mut users, mut subjects, mut units, mut regions) =
            (text("user_id")?, text("subject")?, text("unit")?, text("region")?);
        let mut bodies = f.column("body").ok().map(|c| c.str()).transpose()?.map(|b| b.iter());
        let times = f.column("posted_at")?.as_materialized_series().cast(&DataType::Int64)?;
        let mut times = times.i64()?.iter();
        let (mut likes, mut dislikes) = (f.column("likes")?.i64()?.iter(), f.column("dislikes")?.i64()?.iter());
        let mut posts = Vec::with_capacity(f.height());
        let reply_units = self.reply_units.as_ref();
        let rows = f.column("post_id")?.str()?.iter().zip(&self.first_reply).zip(&self.replies_row);
        for ((id, &first_reply_at), replies_row) in rows {
            let reply_unit = replies_row.and_then(|r| reply_units?.get(r as usize));
            let addressed = units.next().flatten();
            posts.push(IssuePost {
                post_id: id.unwrap_or_default(),
                user_id: users.next().flatten().unwrap_or_default(),
                subject: subjects.next().flatten().unwrap_or_default(),
                body: bodies.as_mut().and_then(|b| b.next().flatten()).unwrap_or_default(),
                posted_at: times.next().flatten().unwrap_or_default(),
                unit: reply_unit.or(addressed),
                region: regions.next().flatten(),
                likes: likes.next().flatten().unwrap_or_default(),
                dislikes: dislikes.next().flatten().unwrap_or_default(),
                first_reply_at,
            });
        }
        Ok(posts)
    }
}

/// A value for each post of the table, in its order.
type PerPost<T> = Vec<Option<T>>;

/// When each post of `posts` (in their order) was first answered, and its row in `replies`
/// (`reports::facts::reply_summary`). Post ids are unique in the table (ingest renames a
/// conflicting one, `<id>~<file>`).
fn first_replies(posts: &DataFrame, replies: Option<&DataFrame>) -> Result<(PerPost<i64>, PerPost<u32>)> {
    let mut first_reply = vec![None; posts.height()];
    let mut replies_row = vec![None; posts.height()];
    let Some(replies) = replies else { return Ok((first_reply, replies_row)) };
    let ids = posts.column("post_id")?.str()?;
    let row_of: PlHashMap<&str, usize> = ids.iter().enumerate().filter_map(|(row, id)| Some((id?, row))).collect();
    let times = replies.column("first_reply_at")?.cast(&DataType::Int64)?;
    let rows = replies.column("post_id")?.str()?.iter().zip(times.i64()?.iter());
    for (k, (id, at)) in rows.enumerate() {
        if let Some(&row) = id.and_then(|id| row_of.get(id)) {
            first_reply[row] = at;
            replies_row[row] = Some(k as u32);
        }
    }
    Ok((first_reply, replies_row))
}

/// Clusters every post of the data folder and writes the issues.
pub fn recurring(dir: &mut DataDir, config: &RecurringConfig) -> Result<RecurringReport> {
    let started = std::time::Instant::now();
    let seconds = || (started.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    // The posts' table is read while the features are loaded (or computed): neither needs
    // the other, and loading the kept features of a daily run takes one core.
    let (features, table) = std::thread::scope(|scope| {
        let table = scope.spawn(|| PostTable::read_without_bodies(dir));
        let features = Features::load_or_compute(dir, config);
        (features, table.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (mut features, table) = (features?, table?);
    tracing::info!(seconds = seconds(), computed = features.computed, "recurring: features ready");
    let posts = table.posts()?;
    tracing::info!(seconds = seconds(), "recurring: posts read");
    if !features.match_posts(&posts) {
        // The posts are not those the cache was made for (a part rewritten in place).
        Features::clear(dir)?;
        grouping_cache::clear(dir)?;
        features = Features::load_or_compute(dir, config)?;
        anyhow::ensure!(
            features.match_posts(&posts),
            "the posts table changed while recurring issues were computed: run `wenzheng recurring` again"
        );
    }
    let mut grouping = grouping_cache::load(dir, &features, &posts, config).unwrap_or_default();
    let posts_grouped = posts.len() - grouping.len();
    let mut progress = Progress::start("recurring", Some(posts_grouped as u64), "posts");
    grouping.extend(&posts, &features.table, &features.monthly, config);
    progress.advance(posts_grouped as u64);
    progress.finish();
    tracing::info!(seconds = seconds(), grouped = posts_grouped, "recurring: posts grouped");
    drop(std::mem::take(&mut features.table));
    let groups = grouping.groups(&posts, config);
    let issues = recurring::issues_of(&posts, &groups, config);

    write_issues(dir, &posts, &issues)?;
    // Kept after the issues are written: a run stopped in between carries on from the
    // grouping before, and writes the same issues again.
    if posts_grouped > 0 {
        grouping_cache::save(dir, &features, &grouping, config)?;
    }
    tracing::info!(seconds = seconds(), "recurring: issues written");
    let report = RecurringReport {
        posts: posts.len(),
        issues: issues.len(),
        posts_in_issues: issues.iter().map(|i| i.members.len()).sum(),
        repeats_after_reply: issues.iter().map(|i| i.repeats_after_reply).sum(),
        features_computed: features.computed,
        posts_grouped,
    };
    dir.record_stage(
        "recurring",
        StageRecord {
            version: RECURRING_VERSION.into(),
            finished_at: store::now_string(),
            detail: serde_json::to_value(&report)?,
        },
    )?;
    Ok(report)
}

fn write_issues(dir: &DataDir, posts: &[IssuePost], issues: &[Issue]) -> Result<()> {
    let members = || issues.iter().flat_map(|i| i.members.iter().map(move |m| (i, m)));
    let mut clusters = DataFrame::new(
        members().count(),
        vec![
            Column::new("cluster_id".into(), members().map(|(i, _)| i.cluster_id.as_str()).collect::<Vec<_>>()),
            Column::new("post_id".into(), members().map(|(_, m)| posts[m.index].post_id).collect::<Vec<_>>()),
            tables::datetime_column("posted_at", members().map(|(_, m)| posts[m.index].posted_at).collect())?,
            Column::new("repeat_after_reply".into(), members().map(|(_, m)| m.repeat_after_reply).collect::<Vec<_>>()),
        ],
    )?;
    let column =
        |name: &str, f: &dyn Fn(&Issue) -> i64| Column::new(name.into(), issues.iter().map(f).collect::<Vec<_>>());
    let mut summary = DataFrame::new(
        issues.len(),
        vec![
            Column::new("cluster_id".into(), issues.iter().map(|i| i.cluster_id.as_str()).collect::<Vec<_>>()),
            Column::new("title".into(), issues.iter().map(|i| i.title.as_str()).collect::<Vec<_>>()),
            Column::new("place".into(), issues.iter().map(|i| i.place.as_str()).collect::<Vec<_>>()),
            tables::datetime_column("first_at", issues.iter().map(|i| i.first_at).collect())?,
            tables::datetime_column("last_at", issues.iter().map(|i| i.last_at).collect())?,
            column("posts", &|i| i.members.len() as i64),
            column("reported", &|i| i.reported(posts) as i64),
            column("users", &|i| i.users as i64),
            column("likes", &|i| i.likes),
            column("dislikes", &|i| i.dislikes),
            Column::new("heat".into(), issues.iter().map(|i| i.heat).collect::<Vec<_>>()),
            Column::new("units".into(), issues.iter().map(|i| i.units.join("、")).collect::<Vec<_>>()),
            column("replied_posts", &|i| i.replied_posts as i64),
            column("repeats_after_reply", &|i| i.repeats_after_reply as i64),
            Column::new(
                "post_ids".into(),
                issues
                    .iter()
                    .map(|i| i.members.iter().map(|m| posts[m.index].post_id).collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    write_parquet(dir, CLUSTERS_FILE, &mut clusters)?;
    write_parquet(dir, ISSUES_FILE, &mut summary)
}

fn write_parquet(dir: &DataDir, relative: &str, frame: &mut DataFrame) -> Result<()> {
    let path = dir.path(relative);
    std::fs::create_dir_all(path.parent().expect("issues folder"))
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).with_compression(ParquetCompression::Zstd(None)).finish(frame)?;
    store::write_atomically(&path, &bytes)
}

/// Prints the hot-issue table: the issues with posts between `from` and `to` (inclusive
/// days), counted and heated on those posts only, as of the end of the period; hottest first.
/// A row says how many times the problem was reported (distinct submissions: not the same post
/// exported twice, nor a citizen's double submission), by how many citizens, how many posts came
/// after a reply, and the units addressed; with `json`, one JSON object per issue and line.
pub fn print_issues(
    dir: &DataDir,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    top: usize,
    config: &RecurringConfig,
    json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    if !dir.path(CLUSTERS_FILE).exists() {
        anyhow::bail!("no recurring issues yet: run `wenzheng recurring --data DIR` first");
    }
    let clusters = tables::read_table(&[dir.path(CLUSTERS_FILE)], &["cluster_id", "post_id"])?
        .context("no recurring issues yet: run `wenzheng recurring --data DIR` first")?;
    let table = PostTable::read_without_bodies(dir)?;
    let posts = table.posts()?;
    let start = from.map(|d| tables::millis(d.and_hms_opt(0, 0, 0).expect("midnight")));
    let end = to.map(|d| tables::millis(d.and_hms_opt(23, 59, 59).expect("end of day")));
    let in_period = |p: &IssuePost| start.is_none_or(|s| p.posted_at >= s) && end.is_none_or(|e| p.posted_at <= e);

    let index: HashMap<&str, usize> = posts.iter().enumerate().map(|(i, p)| (p.post_id, i)).collect();
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    let ids = clusters.column("cluster_id")?.str()?;
    let post_ids = clusters.column("post_id")?.str()?;
    for (cluster, post) in ids.iter().zip(post_ids.iter()) {
        if let (Some(cluster), Some(&i)) = (cluster, post.and_then(|p| index.get(p))) {
            if in_period(&posts[i]) {
                groups.entry(cluster).or_default().push(i);
            }
        }
    }
    let newest = posts.iter().map(|p| p.posted_at).max().unwrap_or_default();
    let as_of = end.map_or(newest, |e| e.min(newest));
    let mut issues: Vec<(&str, Issue)> = groups
        .into_iter()
        .map(|(id, members)| (id, recurring::summarise(&posts, &members, as_of, &config.heat)))
        .collect();
    issues.sort_by(|a, b| b.1.heat.total_cmp(&a.1.heat).then_with(|| a.0.cmp(b.0)));

    if !json {
        writeln!(
            out,
            "rank\tissue\theat\treported\tcitizens\tafter a reply\ttime range\tplace / group\tunits\tdescription\tposts"
        )?;
    }
    let day = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc().date().to_string()).unwrap_or_default()
    };
    for (rank, (id, issue)) in issues.iter().take(top).enumerate() {
        let ids: Vec<&str> = issue.members.iter().map(|m| posts[m.index].post_id).collect();
        let reported = issue.reported(&posts);
        if json {
            let row = serde_json::json!({
                "rank": rank + 1,
                "cluster_id": id,
                "heat": (issue.heat * 100.0).round() / 100.0,
                "reported": reported,
                "citizens": issue.users,
                "repeats_after_reply": issue.repeats_after_reply,
                "first_day": day(issue.first_at),
                "last_day": day(issue.last_at),
                "place": issue.place,
                "units": issue.units,
                "title": issue.title,
                "likes": issue.likes,
                "post_ids": ids,
            });
            writeln!(out, "{row}")?;
            continue;
        }
        writeln!(
            out,
            "{}\t{id}\t{:.2}\t{reported}\t{}\t{}\t{} ~ {}\t{}\t{}\t{}\t{}",
            rank + 1,
            issue.heat,
            issue.users,
            issue.repeats_after_reply,
            day(issue.first_at),
            day(issue.last_at),
            issue.place,
            issue.units.join("、"),
            issue.title,
            ids.join(" ")
        )?;
    }
    if issues.is_empty() && !json {
        writeln!(out, "(no recurring issue in this period)")?;
    }
    Ok(())
}

/// A date of the command line, `2019-07-01`.
pub fn parse_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").with_context(|| format!("bad date {text:?}: write it as 2019-07-01"))
}
