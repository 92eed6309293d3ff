//! `wenzheng index` and `wenzheng search`: the posts, their final replies and the replies'
//! scores → `DIR/index` (tantivy, through the `index` crate), and queries against it.
//!
//! Incremental: every case's fingerprint is kept in the index; a case whose post, final reply
//! or scores changed is replaced, a new one added, one whose post is gone deleted, the rest
//! left alone. Scores are used only when they were computed for the reply as it is now (same
//! content hash); otherwise the case is indexed without them until `wenzheng score` runs.
//! A corrupt index (or one built by another version) is rebuilt, with a warning.
//!
//! Local words for the segmenter, beyond the built-in ones, may be put in `DIR/local_words.txt`
//! (one a line, `word [frequency] [tag]`); changing them re-indexes every case.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDateTime};
use index::{CaseIndex, Hit, IndexDoc, IndexedReply, ReplyLevels, SearchError, SearchRequest, SearchResults};
use models::calendar::WorkCalendar;
use models::deadline::{self, DeadlineRules};
use polars::prelude::*;
use rayon::prelude::*;

use crate::progress::Progress;
use crate::score::SCORES_FILE;
use crate::store::{self, DataDir, StageRecord};
use crate::tables;

pub const INDEX_FOLDER: &str = "index";
pub const LOCAL_WORDS_FILE: &str = "local_words.txt";

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct IndexReport {
    pub cases: usize,
    pub added: u64,
    pub replaced: u64,
    pub deleted: u64,
    pub unchanged: usize,
    /// Cases indexed with their reply's scores.
    pub with_scores: usize,
    /// The previous index could not be read and was rebuilt.
    pub rebuilt: bool,
    pub seconds: f64,
    /// A hash of what the index was built from (see `inputs_print`): equal means up to date.
    pub inputs: String,
    /// A hash of the index version and local words: a daily update needs them unchanged.
    pub base: String,
    /// The live parts of `posts` and `replies` indexed: a daily update reads only the parts
    /// added since (`index_update`).
    pub parts: BTreeMap<String, Vec<String>>,
    /// The score stage's generation and the reply parts it had scored when the index was
    /// updated: replies scored since have new scores to index.
    pub scores_generation: Option<String>,
    pub scored_parts: Vec<String>,
}

/// The columns of a post that its case is made of.
pub(crate) const POST_COLUMNS: [&str; 9] =
    ["post_id", "subject", "body", "posted_at", "unit", "category", "kind", "likes", "region"];

/// Posts per slice: the posts, their final replies and the documents made of them are held
/// one slice at a time, so memory does not grow with the tables.
const SLICE_ROWS: usize = 100_000;

/// Builds or updates `DIR/index` from the tables, and records the stage in the manifest.
///
/// When the inputs are those of the last build (the same live parts, the same scores file,
/// local words and index version: parts are never rewritten, only added or replaced under
/// new names) nothing is read: the update costs a few milliseconds.
pub fn build_index(dir: &mut DataDir) -> Result<IndexReport> {
    let started = Instant::now();
    let timing = Timing::of(&crate::config::Config::load(dir.root())?);
    let words = local_words(dir)?;
    let path = dir.path(INDEX_FOLDER);
    let mut report = IndexReport::default();
    let cases = match CaseIndex::open_or_create(&path, &words) {
        Err(SearchError::Corrupt { reason, .. }) => {
            tracing::warn!(index = %path.display(), %reason, "the search index cannot be read: rebuilding it");
            std::fs::remove_dir_all(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            report.rebuilt = true;
            CaseIndex::open_or_create(&path, &words)?
        }
        other => other?,
    };
    report.inputs = inputs_print(dir, &words, &timing)?;
    report.base = base_print(&words, &timing);
    let last = last_build(dir);
    let plan = last
        .as_ref()
        .filter(|_| !report.rebuilt)
        .and_then(|l| crate::index_update::plan(dir, l, &report.base, cases.num_cases()));
    match (last, plan) {
        (Some(last), _) if last.inputs == report.inputs && last.cases as u64 == cases.num_cases() => {
            report = IndexReport { unchanged: last.cases, cases: last.cases, with_scores: last.with_scores, ..report };
        }
        (Some(last), Some(plan)) => {
            crate::index_update::apply(dir, &cases, &words, &timing, &plan, &last, &mut report)?
        }
        _ => update(dir, &cases, &words, &timing, &mut report)?,
    }
    report.parts = ["posts", "replies"].map(|t| (t.to_string(), dir.live_parts(t))).into_iter().collect();
    let scores = crate::score::ScoreRecord::recorded(dir);
    report.scores_generation = scores.as_ref().and_then(|s| s.generation.clone());
    report.scored_parts = scores.and_then(|s| s.parts.get("replies").cloned()).unwrap_or_default();
    report.seconds = started.elapsed().as_secs_f64();
    dir.record_stage(
        "index",
        StageRecord {
            version: index::schema::INDEX_VERSION.into(),
            finished_at: store::now_string(),
            detail: serde_json::to_value(&report)?,
        },
    )?;
    Ok(report)
}

/// Compares every case with its indexed fingerprint, slice by slice, and adds, replaces or
/// deletes what differs. Documents are made on all cores; tantivy's writer threads cut them.
fn update(dir: &DataDir, cases: &CaseIndex, words: &str, timing: &Timing, report: &mut IndexReport) -> Result<()> {
    let mut indexed = cases.fingerprints()?;
    let replies = FinalReplies::read(dir, None)?;
    let scores = Scores::read(dir, None)?;
    let post_parts = dir.parts("posts");
    let total = tables::count_rows(&post_parts)?;
    if total == 0 {
        anyhow::bail!("the data folder has no posts: ingest a file with posts first");
    }
    let mut progress = Progress::start("index", Some(total as u64), "cases");
    let mut updater = cases.updater()?;
    for offset in (0..total).step_by(SLICE_ROWS) {
        let posts = tables::read_table_slice(&post_parts, &POST_COLUMNS, Some((offset, SLICE_ROWS)))?
            .with_context(|| format!("{} has no posts", dir.root().display()))?;
        let docs = CaseSlice::read(posts, &replies, &scores, timing)?.printed_docs(words);
        for (doc, print) in &docs {
            report.with_scores += doc.reply.as_ref().is_some_and(|r| r.levels.is_some()) as usize;
            match indexed.remove(&doc.post_id) {
                None => updater.add_printed(doc, *print)?,
                Some(old) if old != *print => updater.replace_printed(doc, *print)?,
                Some(_) => report.unchanged += 1,
            }
        }
        report.cases += docs.len();
        progress.advance(docs.len() as u64);
    }
    // What is left was indexed but is no longer among the posts.
    for post_id in indexed.keys() {
        updater.delete(post_id)?;
    }
    let update = updater.finish()?;
    progress.finish();
    (report.added, report.replaced, report.deleted) = (update.added, update.replaced, update.deleted);
    Ok(())
}

/// How the working days to reply that each case shows are counted: the config's deadline rules
/// and calendar, as the indicators count them.
pub struct Timing {
    rules: DeadlineRules,
    calendar: WorkCalendar,
    /// The config's sections they come from, as text: what a change of them is seen by.
    key: String,
}

impl Timing {
    pub fn of(config: &crate::config::Config) -> Timing {
        let key = serde_json::to_string(&(&config.deadlines, &config.calendar)).unwrap_or_default();
        Timing { rules: config.deadlines.clone(), calendar: config.calendar.calendar(), key }
    }
}

/// What the index is built from, as one hash: the index version, local words, the config's
/// deadline rules and calendar, the live parts of posts and replies (immutable files: a change
/// adds or replaces a part), and the scores file's size and modification time.
fn inputs_print(dir: &DataDir, words: &str, timing: &Timing) -> Result<String> {
    let mut hasher = std::hash::DefaultHasher::new();
    (index::schema::INDEX_VERSION, index::analyzer::LOCAL_WORDS, words, &timing.key).hash(&mut hasher);
    for table in ["posts", "replies"] {
        (table, dir.manifest.tables.get(table)).hash(&mut hasher);
    }
    let scores = dir.path(SCORES_FILE);
    if let Ok(meta) = std::fs::metadata(&scores) {
        let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        (meta.len(), modified).hash(&mut hasher);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

/// What every case is made with besides the tables: the index version, the local words and the
/// counting of working days (a change of any is a change of every case: they are compared again).
fn base_print(words: &str, timing: &Timing) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    (index::schema::INDEX_VERSION, index::analyzer::LOCAL_WORDS, words, &timing.key).hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Opens `DIR/index` for searching (keep it open to serve many queries: opening loads the
/// dictionary, a fraction of a second).
pub fn open_index(dir: &DataDir) -> Result<CaseIndex> {
    let data = dir.root().display();
    let words = local_words(dir)?;
    match CaseIndex::open(&dir.path(INDEX_FOLDER), &words) {
        Ok(cases) => {
            let has_posts = !dir.parts("posts").is_empty();
            if cases.num_cases() == 0 && has_posts {
                // (a first build killed before its commit leaves an index of no case: every
                // search would say "no case matches")
                anyhow::bail!(
                    "the search index of {data} holds no case yet (its first build did not finish): run `wenzheng \
                     index --data {data}` first"
                );
            }
            if !index_is_current(dir, &words) {
                // Still searchable, but a reply scored again since (`wenzheng score` alone,
                // a new lexicon) shows its old levels, and new posts are missing.
                tracing::warn!(
                    "the posts, replies, scores or the config's deadlines changed since the search index was \
                     built: results may show earlier levels or working days, or miss new posts; run \
                     `wenzheng index --data {data}` to bring it up to date"
                );
            }
            Ok(cases)
        }
        Err(SearchError::Missing { .. }) => {
            anyhow::bail!("{data} has no search index yet: run `wenzheng index --data {data}` first")
        }
        Err(SearchError::Corrupt { reason, .. }) => anyhow::bail!(
            "the search index in {data} cannot be read ({reason}): re-run `wenzheng index --data {data}` to rebuild it"
        ),
        Err(e) => Err(e.into()),
    }
}

/// What the last `wenzheng index` recorded of its build, if it ran.
fn last_build(dir: &DataDir) -> Option<IndexReport> {
    dir.manifest.stages.get("index").and_then(|s| serde_json::from_value(s.detail.clone()).ok())
}

/// Whether the index was last built from the tables and scores the folder holds now.
fn index_is_current(dir: &DataDir, words: &str) -> bool {
    let Ok(config) = crate::config::Config::load(dir.root()) else { return false };
    let timing = Timing::of(&config);
    last_build(dir).is_some_and(|last| inputs_print(dir, words, &timing).is_ok_and(|now| now == last.inputs))
}

/// One page of cases matching `request`.
pub fn search(dir: &DataDir, request: &SearchRequest) -> Result<SearchResults> {
    let mut results = open_index(dir)?.search(request)?;
    results.hits = index::fold_twins(results.hits);
    Ok(results)
}

/// The cases most like `post_id` posted before it, with how they were answered.
pub fn similar(dir: &DataDir, post_id: &str, limit: usize) -> Result<Vec<Hit>> {
    Ok(index::fold_twins(open_index(dir)?.similar(post_id, limit)?))
}

fn local_words(dir: &DataDir) -> Result<String> {
    let path = dir.path(LOCAL_WORDS_FILE);
    if !path.exists() {
        return Ok(String::new());
    }
    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
}

/// Each post's final reply (highest `seq`, then latest), as its row in the replies table.
pub(crate) struct FinalReplies {
    parts: Vec<PathBuf>,
    by_post: HashMap<String, usize>,
}

impl FinalReplies {
    /// Of every post, or of the posts `only`.
    pub(crate) fn read(dir: &DataDir, only: Option<&HashSet<String>>) -> Result<FinalReplies> {
        let parts = dir.parts("replies");
        let mut best: HashMap<String, ((i32, i64), usize)> = HashMap::new();
        let total = tables::count_rows(&parts)?;
        for offset in (0..total).step_by(SLICE_ROWS * 4) {
            let Some(frame) =
                tables::read_table_slice(&parts, &["post_id", "seq", "replied_at"], Some((offset, SLICE_ROWS * 4)))?
            else {
                break;
            };
            let frame = frame.lazy().with_column(col("replied_at").cast(DataType::Int64)).collect()?;
            let (post_ids, seqs, times) =
                (frame.column("post_id")?.str()?, frame.column("seq")?.i32()?, frame.column("replied_at")?.i64()?);
            for r in 0..frame.height() {
                let Some(post_id) = post_ids.get(r) else { continue };
                if only.is_some_and(|only| !only.contains(post_id)) {
                    continue;
                }
                let key = (seqs.get(r).unwrap_or(1), times.get(r).unwrap_or_default());
                match best.get_mut(post_id) {
                    Some(held) if held.0 >= key => {}
                    Some(held) => *held = (key, offset + r),
                    None => {
                        best.insert(post_id.to_string(), (key, offset + r));
                    }
                }
            }
        }
        Ok(FinalReplies { parts, by_post: best.into_iter().map(|(id, (_, row))| (id, row)).collect() })
    }
}

/// The scores of `DIR/scores/replies.parquet` by reply id, with a hash of the content they
/// were computed for (kept small: one entry per reply of a million-post folder).
pub(crate) struct Scores {
    by_reply: HashMap<String, (u64, ReplyLevels)>,
}

impl Scores {
    /// Of every reply, or of the replies to the posts `only`.
    pub(crate) fn read(dir: &DataDir, only: Option<&HashSet<String>>) -> Result<Scores> {
        let path = dir.path(SCORES_FILE);
        let mut by_reply = HashMap::new();
        if !path.exists() {
            return Ok(Scores { by_reply });
        }
        let columns =
            ["reply_id", "content_hash", "evasive_level", "vague_level", "evasive_score", "vague_score", "reply_type"];
        let scores = match only {
            None => tables::read_table(&[path], &columns)?,
            Some(posts) => tables::read_rows_where(&[path], "post_id", &|id| posts.contains(id), &columns)?,
        };
        let Some(scores) = scores else {
            return Ok(Scores { by_reply });
        };
        let s = |name: &str| scores.column(name).and_then(|c| c.str().cloned());
        let (ids, hashes, types) = (s("reply_id")?, s("content_hash")?, s("reply_type")?);
        let (evasive, vague) = (scores.column("evasive_level")?.i8()?, scores.column("vague_level")?.i8()?);
        let (evasive_score, vague_score) =
            (scores.column("evasive_score")?.f64()?, scores.column("vague_score")?.f64()?);
        by_reply.reserve(scores.height());
        for i in 0..scores.height() {
            let (Some(id), Some(hash)) = (ids.get(i), hashes.get(i)) else { continue };
            let levels = ReplyLevels {
                evasive_level: evasive.get(i).unwrap_or_default().max(0) as u8,
                vague_level: vague.get(i).unwrap_or_default().max(0) as u8,
                evasive_score: evasive_score.get(i).unwrap_or_default(),
                vague_score: vague_score.get(i).unwrap_or_default(),
                reply_type: types.get(i).unwrap_or_default().to_string(),
            };
            by_reply.insert(id.to_string(), (hash_of(hash), levels));
        }
        Ok(Scores { by_reply })
    }

    /// The levels of a reply, when they were computed for its content as it is now.
    fn of(&self, reply_id: &str, content_hash: &str) -> Option<ReplyLevels> {
        let (hash, levels) = self.by_reply.get(reply_id)?;
        (*hash == hash_of(content_hash)).then(|| levels.clone())
    }
}

fn hash_of(text: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// One slice of the posts with their final replies and the replies' current scores.
pub(crate) struct CaseSlice<'t> {
    posts: DataFrame,
    /// The final reply of each post of the slice, by post row.
    replies: Vec<Option<ReplyRow>>,
    timing: &'t Timing,
}

struct ReplyRow {
    body: String,
    unit: Option<String>,
    replied_at: NaiveDateTime,
    levels: Option<ReplyLevels>,
}

impl<'t> CaseSlice<'t> {
    /// The cases of `posts` (columns [`POST_COLUMNS`]), their final replies read from the table.
    pub(crate) fn read(
        posts: DataFrame,
        finals: &FinalReplies,
        scores: &Scores,
        timing: &'t Timing,
    ) -> Result<CaseSlice<'t>> {
        let posts = posts.lazy().with_column(col("posted_at").cast(DataType::Int64)).collect()?;
        // The rows of the replies table needed, in order; read in chunks over their span, skipping
        // chunks that hold none (ingest writes replies in about the order of their posts).
        let wanted: Vec<Option<usize>> = posts
            .column("post_id")?
            .str()?
            .iter()
            .map(|id| id.and_then(|id| finals.by_post.get(id).copied()))
            .collect();
        let mut rows: Vec<usize> = wanted.iter().flatten().copied().collect();
        rows.sort_unstable();
        let mut found: HashMap<usize, ReplyRow> = HashMap::with_capacity(rows.len());
        let mut at = 0;
        while at < rows.len() {
            let start = rows[at];
            let Some(chunk) = tables::read_table_slice(
                &finals.parts,
                &["reply_id", "unit", "body", "replied_at", "content_hash"],
                Some((start, SLICE_ROWS)),
            )?
            else {
                break;
            };
            let chunk = chunk.lazy().with_column(col("replied_at").cast(DataType::Int64)).collect()?;
            let (ids, units, bodies, times, hashes) = (
                chunk.column("reply_id")?.str()?,
                chunk.column("unit")?.str()?,
                chunk.column("body")?.str()?,
                chunk.column("replied_at")?.i64()?,
                chunk.column("content_hash")?.str()?,
            );
            while at < rows.len() && rows[at] < start + chunk.height().max(1) {
                let r = rows[at] - start;
                at += 1;
                let Some(replied_at) = times.get(r).and_then(DateTime::from_timestamp_millis) else { continue };
                let levels = ids.get(r).zip(hashes.get(r)).and_then(|(id, hash)| scores.of(id, hash));
                found.insert(
                    start + r,
                    ReplyRow {
                        body: bodies.get(r).unwrap_or_default().to_string(),
                        unit: units.get(r).map(str::to_string),
                        replied_at: replied_at.naive_utc(),
                        levels,
                    },
                );
            }
        }
        let replies = wanted.into_iter().map(|row| row.and_then(|r| found.remove(&r))).collect();
        Ok(CaseSlice { posts, replies, timing })
    }

    /// Every case of the slice with its fingerprint, built on both cores. As
    /// `cases.fingerprint(&doc)`, without sharing the index between threads.
    pub(crate) fn printed_docs(&self, words: &str) -> Vec<(IndexDoc, u64)> {
        (0..self.len())
            .into_par_iter()
            .map(|row| {
                let doc = self.doc(row);
                let print = doc.fingerprint(words);
                (doc, print)
            })
            .collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.posts.height()
    }

    pub(crate) fn doc(&self, row: usize) -> IndexDoc {
        let p = &self.posts;
        let text = |name: &str| -> Option<String> { p.column(name).ok()?.str().ok()?.get(row).map(str::to_string) };
        let posted_at = p
            .column("posted_at")
            .ok()
            .and_then(|c| c.i64().ok()?.get(row))
            .and_then(DateTime::from_timestamp_millis)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        let reply = self.replies[row].as_ref().map(|r| IndexedReply {
            body: r.body.clone(),
            replied_at: r.replied_at,
            unit: r.unit.clone(),
            workdays_to_reply: deadline::workdays_to_reply(
                posted_at,
                r.replied_at,
                &self.timing.rules,
                &self.timing.calendar,
            ),
            levels: r.levels.clone(),
        });
        IndexDoc {
            post_id: text("post_id").unwrap_or_default(),
            subject: text("subject").unwrap_or_default(),
            body: text("body").unwrap_or_default(),
            posted_at,
            unit: text("unit"),
            region: text("region"),
            kind: text("kind"),
            category: text("category"),
            likes: p.column("likes").ok().and_then(|c| c.i64().ok()?.get(row)).unwrap_or_default(),
            reply,
        }
    }
}

/// Prints hits for a reader: number, id, date, unit, kind, likes; the subject and a snippet of
/// the body with the matched words marked (bold on a terminal when `ansi`, else `[...]`); the
/// reply's date, working days, levels and a snippet. With `json`, one JSON object per hit and
/// line instead (highlights as character ranges into each snippet's text, as the API gives them).
pub fn print_hits(out: &mut dyn Write, hits: &[Hit], first_number: usize, json: bool, ansi: bool) -> Result<()> {
    if json {
        for hit in hits {
            let mut hit = hit.clone();
            for snippet in [&mut hit.subject, &mut hit.body].into_iter().chain(hit.reply.as_mut().map(|r| &mut r.text))
            {
                snippet.highlights = snippet.char_highlights();
            }
            serde_json::to_writer(&mut *out, &hit)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    let (open, close) = if ansi { ("\x1b[1;33m", "\x1b[0m") } else { ("[", "]") };
    let mut number = first_number;
    for hit in hits {
        let unit = hit.unit.as_deref().unwrap_or(models::units::UNKNOWN_UNIT);
        let kind = hit.kind.as_deref().unwrap_or("");
        writeln!(
            out,
            "{number}. #{}  {}  {unit}  {kind}  ♥{}",
            hit.post_id,
            hit.posted_at.format("%Y-%m-%d %H:%M"),
            hit.likes
        )?;
        if !hit.also.is_empty() {
            let ids: Vec<String> = hit.also.iter().map(|id| format!("#{id}")).collect();
            writeln!(out, "   (the same post exported again as {})", ids.join(", "))?;
        }
        // (a twin folded into this hit keeps its number, so pages number on as they count)
        number += 1 + hit.also.len();
        writeln!(out, "   {}", one_line(&hit.subject.marked(open, close)))?;
        let ellipsis = if hit.body.truncated { "…" } else { "" };
        writeln!(out, "   {}{ellipsis}", one_line(&hit.body.marked(open, close)))?;
        match &hit.reply {
            None => writeln!(out, "   reply: none yet")?,
            Some(reply) => {
                let when = reply.replied_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
                let days = reply.workdays_to_reply.map(|d| format!(" after {d} working days")).unwrap_or_default();
                let levels = match (reply.evasive_level, reply.vague_level) {
                    (Some(e), Some(v)) => {
                        format!("evasive {e}/2, vague {v}/2, {}", reply.reply_type.as_deref().unwrap_or(""))
                    }
                    _ => "not scored yet".to_string(),
                };
                writeln!(out, "   reply {when}{days}: {levels}")?;
                let ellipsis = if reply.text.truncated { "…" } else { "" };
                writeln!(out, "   > {}{ellipsis}", one_line(&reply.text.marked(open, close)))?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Prints a page of results: the hits ([`print_hits`]), then how many cases matched. With
/// `json` the hits' lines stay JSON alone and the count goes to `count_out` (the CLI's
/// standard error), so a script reading the hits learns the total too.
pub fn print_results(
    out: &mut dyn Write,
    count_out: &mut dyn Write,
    results: &SearchResults,
    json: bool,
    ansi: bool,
) -> Result<()> {
    print_hits(out, &results.hits, results.offset + 1, json, ansi)?;
    let count_out: &mut dyn Write = if json { count_out } else { &mut *out };
    let shown: usize = results.hits.iter().map(|hit| 1 + hit.also.len()).sum();
    match shown {
        0 if results.total == 0 => match &results.suggestion {
            Some(suggestion) => {
                writeln!(count_out, "no case matches; did you mean {} ({} cases)?", suggestion.query, suggestion.total)?
            }
            None => writeln!(count_out, "no case matches")?,
        },
        0 => writeln!(
            count_out,
            "{} cases match; this page (from {}) is past the last",
            results.total,
            results.offset + 1
        )?,
        _ => writeln!(count_out, "cases {}–{} of {}", results.offset + 1, results.offset + shown, results.total)?,
    }
    Ok(())
}

/// Line breaks and runs of spaces (common in the exports) as single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::LazyLock;

    use chrono::NaiveDate;
    use index::SortBy;

    use super::*;
    use crate::ingest::ingest;

    fn data(file: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(file)
    }

    /// A data folder with the given files ingested (and scored when `score`), indexed.
    fn built(files: &[&str], score: bool) -> (tempfile::TempDir, DataDir, IndexReport) {
        let temp = tempfile::tempdir().expect("a temp folder");
        let mut dir = DataDir::open(&temp.path().join("data"), true).expect("a data folder");
        ingest(&mut dir, &files.iter().map(|f| data(f)).collect::<Vec<_>>()).expect("ingested");
        if score {
            crate::score::score(&mut dir).expect("scored");
        }
        let report = build_index(&mut dir).expect("indexed");
        (temp, dir, report)
    }

    /// Posts with likes and the replied posts, scored and indexed once for the read-only tests.
    static REAL: LazyLock<(tempfile::TempDir, DataDir, IndexReport)> =
        LazyLock::new(|| built(&["posts_likes.xlsx", "replies_dev.xlsx"], true));

    fn query(text: &str) -> SearchRequest {
        SearchRequest { query: text.to_string(), limit: 100, ..SearchRequest::default() }
    }

    /// Searches the real data and compares the first ids (or the error) with `expected`;
    /// `expected` lists ids that must all be among the first `expected.len() + slack` hits (or
    /// the twins folded into them: the same post exported again).
    fn check(request: SearchRequest, slack: usize, expected: &[&str]) -> SearchResults {
        let results = search(&REAL.1, &request).expect("results");
        let top: Vec<&str> = results
            .hits
            .iter()
            .take(expected.len() + slack)
            .flat_map(|h| std::iter::once(&h.post_id).chain(&h.also).map(String::as_str))
            .collect();
        for id in expected {
            assert!(top.contains(id), "{request:?}: {id} not among {top:?}");
        }
        results
    }

    #[test]
    fn every_post_is_indexed_with_its_reply_and_scores() {
        let report = &REAL.2;
        assert_eq!(report.cases, 4326 + 1463, "{report:?}");
        assert_eq!(report.added as usize, report.cases);
        assert_eq!(report.with_scores, 1463);
        assert_eq!(REAL.1.manifest.stages["index"].version, index::schema::INDEX_VERSION);
    }

    /// The working days a case shows are counted as the indicators count them: by the config's
    /// deadline rules and calendar, and a change of those brings the index up to date.
    #[test]
    fn the_working_days_shown_follow_the_config() {
        let (_temp, mut dir, first) = built(&["replies_dev.xlsx"], false);
        let newest = SearchRequest { sort: SortBy::Newest, limit: 100, ..SearchRequest::default() };
        let workdays = |dir: &DataDir| -> HashMap<String, i64> {
            let hits = search(dir, &newest).expect("results").hits;
            hits.into_iter().filter_map(|h| Some((h.post_id, h.reply?.workdays_to_reply?))).collect()
        };
        let before = workdays(&dir);
        // An office that closes at 08:00 receives nearly every post on the next working day.
        std::fs::write(dir.root().join("wenzheng.toml"), "[deadlines]\noffice_close = \"08:00\"\n").unwrap();
        assert!(!index_is_current(&dir, &local_words(&dir).unwrap()), "the change is seen");
        let second = build_index(&mut dir).expect("updated");
        assert!(second.replaced > 0 && second.added == 0, "{first:?} then {second:?}");
        let after = workdays(&dir);
        assert_eq!(before.len(), after.len());
        let fewer = before.iter().filter(|(id, days)| after[*id] < **days).count();
        assert!(fewer > before.len() / 2, "{fewer} of {} count a day less", before.len());
        assert!(before.iter().all(|(id, days)| after[id] <= *days && after[id] >= days - 1));
    }

    #[test]
    fn a_compound_and_its_nuisance_find_the_residents_posts() {
        // 19 posts speak of both (subject or body): all among the first 20.
        let results = check(query("魅力之城 油烟"), 17, &["189381", "195095", "236798"]);
        assert!((19..=25).contains(&results.total), "{}", results.total);
        for hit in &results.hits {
            let text = format!("{}{}", hit.subject.text, hit.body.text);
            assert!(hit.subject.highlighted().len() + hit.body.highlighted().len() > 0, "{text}");
        }
        // 195095 and 360100 are the same post exported twice under two ids: they score the
        // same, and ties come back in either order, so both must lead.
        check(query("\"魅力之城\" \"油烟直排\""), 0, &["195095", "360100"]);
    }

    #[test]
    fn a_school_and_the_question_find_the_case() {
        check(query("东业晨曦小学 班主任"), 0, &["16450", "17739"]);
        check(query("跳马佳兆小学 天桥"), 0, &["4467"]);
        check(query("泉塘小学 上学"), 0, &["188799"]);
    }

    #[test]
    fn filters_and_date_ranges_cut_correctly() {
        let all = search(&REAL.1, &query("噪音")).expect("results");
        let from = NaiveDate::from_ymd_opt(2019, 6, 1).expect("a day");
        let to = NaiveDate::from_ymd_opt(2019, 8, 31).expect("a day");
        let summer =
            search(&REAL.1, &SearchRequest { from: Some(from), to: Some(to), ..query("噪音") }).expect("results");
        assert!(summer.total > 0 && summer.total < all.total, "{} of {}", summer.total, all.total);
        assert!(summer.hits.iter().all(|h| h.posted_at.date() >= from && h.posted_at.date() <= to));

        let flagged = SearchRequest { flagged_only: true, sort: SortBy::Newest, ..query("") };
        let flagged = search(&REAL.1, &flagged).expect("results");
        assert!(flagged.total > 0);
        for hit in &flagged.hits {
            let reply = hit.reply.as_ref().expect("a flagged case has a reply");
            assert!(reply.evasive_level == Some(2) || reply.vague_level == Some(2), "{hit:?}");
        }
        let unit = flagged.hits.iter().find_map(|h| h.unit.clone()).expect("a flagged case with a unit");
        let of_unit = search(&REAL.1, &SearchRequest { unit: Some(unit.clone()), ..query("") }).expect("results");
        assert!(of_unit.total > 0 && of_unit.hits.iter().all(|h| h.unit.as_deref() == Some(unit.as_str())));
        let newest = search(&REAL.1, &SearchRequest { sort: SortBy::Newest, ..query("油烟") }).expect("results");
        assert!(newest.hits.windows(2).all(|w| w[0].posted_at >= w[1].posted_at));
    }

    #[test]
    fn similar_cases_come_earlier_with_their_answers() {
        let similar = similar(&REAL.1, "16450", 5).expect("similar cases");
        assert!(
            similar.iter().any(|h| h.post_id == "17739"),
            "{:?}",
            similar.iter().map(|h| &h.post_id).collect::<Vec<_>>()
        );
        assert!(similar.iter().all(|h| h.reply.is_some()));
    }

    #[test]
    fn an_update_after_a_second_ingest_touches_only_what_changed() {
        let (_temp, mut dir, first) = built(&["replies_dev.xlsx"], false);
        assert_eq!((first.added, first.with_scores), (1463, 0));

        ingest(&mut dir, &[data("posts_unlabelled.xlsx")]).expect("ingested");
        let second = build_index(&mut dir).expect("updated");
        assert_eq!((second.added as usize, second.replaced, second.deleted), (second.cases - 1463, 0, 0));
        assert_eq!(second.unchanged, 1463);

        // Scores arrive: exactly the replied cases change.
        crate::score::score(&mut dir).expect("scored");
        let third = build_index(&mut dir).expect("updated");
        assert_eq!((third.added, third.replaced, third.with_scores), (0, 1463, 1463));

        let fourth = build_index(&mut dir).expect("nothing to do");
        assert_eq!((fourth.added, fourth.replaced, fourth.deleted, fourth.unchanged), (0, 0, 0, fourth.cases));
        assert_eq!(open_index(&dir).expect("opened").num_cases() as usize, fourth.cases);
    }

    #[test]
    fn a_missing_or_corrupt_index_says_to_run_wenzheng_index() {
        let (temp, mut dir, _) = built(&["replies_dev.xlsx"], false);
        let data = temp.path().join("data");
        let meta = dir.path(INDEX_FOLDER).join("meta.json");
        std::fs::write(&meta, "not json").expect("corrupted");
        let error = search(&dir, &query("小学")).expect_err("a corrupt index").to_string();
        let rerun = format!("re-run `wenzheng index --data {}` to rebuild it", data.display());
        assert!(error.starts_with("the search index in ") && error.ends_with(&rerun), "{error}");

        let report = build_index(&mut dir).expect("rebuilt");
        assert!(report.rebuilt && report.added == 1463, "{report:?}");
        assert!(search(&dir, &query("小学")).expect("searchable again").total > 0);

        std::fs::remove_dir_all(dir.path(INDEX_FOLDER)).expect("removed");
        let error = search(&dir, &query("小学")).expect_err("no index").to_string();
        assert_eq!(
            error,
            format!("{} has no search index yet: run `wenzheng index --data {}` first", data.display(), data.display())
        );
    }

    #[test]
    fn results_print_for_people_and_as_json_lines() {
        let results = search(&REAL.1, &SearchRequest { limit: 2, ..query("跳马佳兆小学 天桥") }).expect("results");
        let (mut text, mut nothing) = (Vec::new(), Vec::new());
        print_results(&mut text, &mut nothing, &results, false, false).expect("printed");
        assert!(nothing.is_empty(), "read by people, the count ends the hits");
        let text = String::from_utf8(text).expect("utf-8");
        assert!(text.starts_with("1. #4467  2018-10-09 15:24  "), "{text}");
        assert!(text.contains("[跳马]") || text.contains("[跳马佳兆小学]") || text.contains("[天桥]"), "{text}");
        assert!(text.contains("   reply 2018-"), "{text}");
        assert!(text.trim_end().ends_with(&format!("of {}", results.total)), "{text}");

        let (mut lines, mut count) = (Vec::new(), Vec::new());
        print_results(&mut lines, &mut count, &results, true, false).expect("printed");
        let lines = String::from_utf8(lines).expect("utf-8");
        let first: Hit = serde_json::from_str(lines.lines().next().expect("a line")).expect("a hit as JSON");
        assert_eq!(first.post_id, "4467");
        assert_eq!(lines.lines().count(), results.hits.len());
        // as JSON lines, the hits alone; the total apart (standard error)
        assert_eq!(
            String::from_utf8(count).expect("utf-8"),
            format!("cases 1–{} of {}\n", results.hits.len(), results.total)
        );
    }
}
