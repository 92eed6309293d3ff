//! `wenzheng score`: every reply judged against its post → `DIR/scores/replies.parquet`.
//!
//! Incremental: the stage records the parts of posts and replies it has scored (parts are
//! immutable: new rows come in new parts). A later run judges only the replies of the parts it
//! has not seen, and those whose post arrived in a new part (they were judged without it);
//! the other rows are copied from the stored file, their `duplicate_group` recomputed from the
//! stored duplicate keys (a new reply can join an old group), without reading any text. When a
//! part it scored is gone (ingest rewrote every reply's `seq`) or the scorer version changed,
//! every reply is judged again, reusing a stored score whose content hash is unchanged.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::Datelike;
use models::scoring::{self, Commitment, ReplyScore, Scorer};
use polars::prelude::*;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

mod daily;

use crate::progress::Progress;
use crate::store::{self, DataDir, StageRecord};
use crate::tables;

// Hashed with foldhash, as polars does: the default SipHash was 3.5% of a day's scoring at a
// million replies (a million duplicate keys and reply ids go through these maps).
type HashMap<K, V> = PlHashMap<K, V>;
type HashSet<V> = PlHashSet<V>;

/// Bump when the scorer's judgement changes, so old scores are recomputed.
pub const SCORER_VERSION: &str = "23";

pub const SCORES_FILE: &str = "scores/replies.parquet";

/// The scorer a data folder's replies are judged by, and the version its scores are recorded
/// under: the built-in lexicon, or the one the config names (`[scoring] lexicon`). A lexicon of
/// one's own is a version of its own (its text's hash), so that scores made with another lexicon
/// are never kept: every reply is judged again when the file changes.
pub struct FolderScorer {
    pub scorer: Scorer,
    pub version: String,
}

impl FolderScorer {
    pub fn of(root: &std::path::Path) -> Result<FolderScorer> {
        let Some((path, text)) = own_lexicon(root)? else {
            return Ok(FolderScorer { scorer: Scorer::default(), version: SCORER_VERSION.into() });
        };
        let bad = |reason: String| crate::ingest::BadInput { file: path.display().to_string(), sheet: None, reason };
        let lexicon = scoring::Lexicon::from_toml_str(&text)
            .map_err(|e| bad(format!("{e}; `wenzheng config --lexicon` prints the built-in lexicon to start from")))?;
        let scorer = Scorer::try_new(lexicon).map_err(|e| bad(e.to_string()))?;
        Ok(FolderScorer { scorer, version: lexicon_version(&text) })
    }

    /// The version alone (reads the lexicon file, builds nothing).
    pub fn version_of(root: &std::path::Path) -> Result<String> {
        Ok(own_lexicon(root)?.map_or_else(|| SCORER_VERSION.to_string(), |(_, text)| lexicon_version(&text)))
    }
}

/// The lexicon file the config of `root` names, and its text.
fn own_lexicon(root: &std::path::Path) -> Result<Option<(std::path::PathBuf, String)>> {
    let Some(path) = crate::config::Config::load(root)?.scoring.lexicon else { return Ok(None) };
    let text = crate::config::read_user_file(&path, "the lexicon named by [scoring] lexicon in the config")?;
    Ok(Some((path, text)))
}

fn lexicon_version(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{SCORER_VERSION}+lexicon-{hex}")
}

#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ScoreReport {
    pub replies: usize,
    pub scored: usize,
    pub reused: usize,
    pub evasive: usize,
    pub vague: usize,
    pub duplicate_groups: usize,
}

impl ScoreReport {
    /// Counts the rows at evasive and at vague level 2.
    fn count_flagged(&mut self, rows: &[Row]) {
        for row in rows {
            self.evasive += usize::from(row.score.evasive_level == 2);
            self.vague += usize::from(row.score.vague_level == 2);
        }
    }
}

/// `scores/replies.parquet` being written: batches go to a temporary file beside it, which
/// replaces it only once complete and on disk, so a run stopped halfway leaves the old file.
struct ScoresWriter {
    path: std::path::PathBuf,
    temp: std::path::PathBuf,
    writer: polars::io::parquet::write::BatchedWriter<std::fs::File>,
}

impl ScoresWriter {
    fn create(path: &std::path::Path) -> Result<ScoresWriter> {
        let temp = path.with_file_name(".replies.parquet.tmp");
        let file = std::fs::File::create(&temp).with_context(|| format!("cannot write {}", temp.display()))?;
        let writer = ParquetWriter::new(file).with_compression(tables::compression()).batched(&scores_schema())?;
        Ok(ScoresWriter { path: path.to_path_buf(), temp, writer })
    }

    fn write(&mut self, batch: &DataFrame) -> Result<()> {
        self.writer.write_batch(batch)?;
        Ok(())
    }

    fn finish(self) -> Result<()> {
        self.writer.finish()?;
        std::fs::File::open(&self.temp)?.sync_all()?;
        std::fs::rename(&self.temp, &self.path).with_context(|| format!("cannot replace {}", self.path.display()))
    }
}

/// One scored reply, as stored.
struct Row {
    /// Scores carried over from the previous run.
    reused: bool,
    reply_id: String,
    post_id: String,
    unit: Option<String>,
    replied_at: i64,
    seq: i32,
    content_hash: String,
    score: StoredScore,
    duplicate_key: String,
}

#[derive(Clone)]
struct StoredScore {
    evasive_level: i8,
    vague_level: i8,
    evasive_score: f64,
    vague_score: f64,
    reply_type: String,
    answers_question: bool,
    evidence: String,
    interim: bool,
    commitment: Option<Commitment>,
}

impl From<ReplyScore> for StoredScore {
    fn from(s: ReplyScore) -> StoredScore {
        StoredScore {
            evasive_level: s.evasive_level as i8,
            vague_level: s.vague_level as i8,
            evasive_score: s.evasive_score,
            vague_score: s.vague_score,
            reply_type: s.reply_type.as_str().to_string(),
            answers_question: s.answers_question,
            evidence: serde_json::to_string(&s.evidence).unwrap_or_else(|_| "[]".into()),
            interim: s.interim,
            commitment: s.commitment,
        }
    }
}

impl Row {
    /// The date the reply commits the case to, when it names one (a date with no year is read
    /// against the reply's), as days since 1970-01-01.
    fn committed_date(&self) -> Option<i32> {
        let replied_on = tables::from_millis(self.replied_at)?.date();
        let date = self.score.commitment?.date(replied_on)?;
        Some(date.to_epoch_days())
    }

    /// The working days after the reply's day the reply commits the case to, when it says so.
    fn committed_workdays(&self) -> Option<i32> {
        match self.score.commitment? {
            Commitment::Workdays(days) => Some(days as i32),
            Commitment::Date { .. } => None,
        }
    }
}

/// Replies are read, scored and written this many at a time, so memory stays bounded
/// whatever the size of the folder.
const CHUNK: usize = 50_000;

/// What the stage records in the manifest: its counts, the parts it has scored, and a
/// generation that other stages compare to know whether stored scores may have changed.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ScoreRecord {
    #[serde(flatten)]
    pub report: ScoreReport,
    /// The live parts of `posts` and `replies` (relative paths) when the scores were written.
    pub parts: BTreeMap<String, Vec<String>>,
    /// Set anew whenever replies scored before may have been judged again (every reply
    /// rescored, or a reply whose post came late); kept when only new replies were judged, so
    /// that the index knows the scores of the parts it has seen stand.
    pub generation: Option<String>,
}

impl ScoreRecord {
    /// The record of the last run, when it was made by this scorer `version` and its file is there.
    pub fn current(dir: &DataDir, version: &str) -> Option<ScoreRecord> {
        Self::recorded(dir).filter(|_| dir.manifest.stages.get("score").is_some_and(|s| s.version == version))
    }

    /// The record of the scores file there is, whatever scorer made it (its generation tells
    /// the index whether the scores it holds still stand).
    pub fn recorded(dir: &DataDir) -> Option<ScoreRecord> {
        let stage = dir.manifest.stages.get("score")?;
        if !dir.path(SCORES_FILE).exists() {
            return None;
        }
        serde_json::from_value(stage.detail.clone()).ok()
    }
}

/// The columns of a reply that judging it needs.
const REPLY_COLUMNS: [&str; 7] = ["reply_id", "post_id", "unit", "body", "replied_at", "seq", "content_hash"];

/// The [`REPLY_COLUMNS`] of one frame of replies, as both score paths read them.
struct ReplyColumns<'a> {
    ids: &'a StringChunked,
    post_ids: &'a StringChunked,
    units: &'a StringChunked,
    bodies: &'a StringChunked,
    times: Int64Chunked,
    seqs: &'a Int32Chunked,
    hashes: &'a StringChunked,
}

impl<'a> ReplyColumns<'a> {
    fn of(replies: &'a DataFrame) -> Result<ReplyColumns<'a>> {
        Ok(ReplyColumns {
            ids: replies.column("reply_id")?.str()?,
            post_ids: replies.column("post_id")?.str()?,
            units: replies.column("unit")?.str()?,
            bodies: replies.column("body")?.str()?,
            times: replies.column("replied_at")?.cast(&DataType::Int64)?.i64()?.clone(),
            seqs: replies.column("seq")?.i32()?,
            hashes: replies.column("content_hash")?.str()?,
        })
    }

    fn reply_id(&self, i: usize) -> &'a str {
        self.ids.get(i).unwrap_or_default()
    }

    fn post_id(&self, i: usize) -> &'a str {
        self.post_ids.get(i).unwrap_or_default()
    }

    fn body(&self, i: usize) -> &'a str {
        self.bodies.get(i).unwrap_or_default()
    }

    fn content_hash(&self, i: usize) -> &'a str {
        self.hashes.get(i).unwrap_or_default()
    }

    /// The stored row of reply `i`, with its score and duplicate key.
    fn row(&self, i: usize, reused: bool, score: StoredScore, duplicate_key: String) -> Row {
        Row {
            reused,
            reply_id: self.reply_id(i).to_string(),
            post_id: self.post_id(i).to_string(),
            unit: self.units.get(i).map(str::to_string),
            replied_at: self.times.get(i).unwrap_or_default(),
            seq: self.seqs.get(i).unwrap_or(1),
            content_hash: self.content_hash(i).to_string(),
            score,
            duplicate_key,
        }
    }
}

/// The columns of a post that judging its replies needs.
const POST_TEXT_COLUMNS: [&str; 3] = ["post_id", "subject", "body"];

pub fn score(dir: &mut DataDir) -> Result<ScoreReport> {
    let FolderScorer { scorer, version } = FolderScorer::of(dir.root())?;
    let last = ScoreRecord::current(dir, &version);
    let unseen = last.as_ref().and_then(|last| {
        let seen = |table: &str| dir.parts_since(table, last.parts.get(table)?);
        Some((seen("replies")?, seen("posts")?))
    });
    let (report, generation) = match (last, unseen) {
        (Some(last), Some((replies, posts))) => daily::score_new(dir, &scorer, last, &replies, &posts)?,
        _ => (score_all(dir, &scorer, &version)?, Some(new_generation())),
    };
    let parts = ["posts", "replies"].map(|t| (t.to_string(), dir.live_parts(t))).into_iter().collect();
    let record = ScoreRecord { report: report.clone(), parts, generation };
    dir.record_stage(
        "score",
        StageRecord { version, finished_at: store::now_string(), detail: serde_json::to_value(&record)? },
    )?;
    Ok(report)
}

/// A generation name no earlier run has used.
fn new_generation() -> String {
    format!("{}", chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default())
}

/// Every reply judged again (a stored score whose content hash is unchanged is reused).
fn score_all(dir: &mut DataDir, scorer: &Scorer, version: &str) -> Result<ScoreReport> {
    let reply_parts = dir.parts("replies");
    // A folder of posts alone (posts with likes, say) gets an empty scores file: recurring
    // issues, the index and the indicators still have the posts to work on.
    let total = tables::count_rows(&reply_parts)?;
    let post_parts = dir.parts("posts");
    let post_ids = tables::read_table(&post_parts, &["post_id"])?;
    let post_rows = PostRows::new(post_ids.as_ref())?;
    let previous = read_previous(dir, version)?;

    // Pass 1, cheap: the duplicate key of every reply, so that groups are known before
    // the scores are written.
    let mut keys: Vec<(String, String)> = Vec::with_capacity(total);
    for start in (0..total).step_by(CHUNK) {
        let chunk = tables::read_table_slice(
            &reply_parts,
            &["reply_id", "post_id", "body", "content_hash"],
            Some((start, CHUNK)),
        )?
        .context("replies vanished while scoring")?;
        let (ids, posts, bodies, hashes) = (
            chunk.column("reply_id")?.str()?,
            chunk.column("post_id")?.str()?,
            chunk.column("body")?.str()?,
            chunk.column("content_hash")?.str()?,
        );
        let chunk_keys: Vec<(String, String)> = (0..chunk.height())
            .into_par_iter()
            .map(|i| {
                let reused = previous
                    .get(ids.get(i).unwrap_or_default())
                    .filter(|p| Some(p.content_hash.as_str()) == hashes.get(i));
                let key = match reused {
                    Some(previous) => previous.duplicate_key.clone(),
                    None => short_hash(&scoring::duplicate_key(bodies.get(i).unwrap_or_default())),
                };
                (key, posts.get(i).unwrap_or_default().to_string())
            })
            .collect();
        keys.extend(chunk_keys);
    }
    let groups = duplicate_groups(keys.iter().map(|(key, post)| (key.as_str(), post.as_str())));

    // Pass 2: score what is new or changed, reuse the rest, write slice by slice.
    let mut report = ScoreReport { replies: total, ..Default::default() };
    let mut progress = Progress::start("score", Some(total as u64), "replies");
    let path = dir.path(SCORES_FILE);
    std::fs::create_dir_all(path.parent().expect("scores folder"))?;
    let mut writer = ScoresWriter::create(&path)?;
    for start in (0..total).step_by(CHUNK) {
        let chunk = tables::read_table_slice(&reply_parts, &REPLY_COLUMNS, Some((start, CHUNK)))?
            .context("replies vanished while scoring")?;
        let columns = ReplyColumns::of(&chunk)?;
        let posts = post_rows.read(&post_parts, (0..chunk.height()).map(|i| columns.post_id(i)))?;
        let post_text = PostTexts::new(posts.as_ref())?;
        // each reply's stored score, looked up once: whether it is judged again follows from it
        let stored: Vec<Option<&StoredScore>> = (0..chunk.height())
            .into_par_iter()
            .map(|i| {
                let previous = previous.get(columns.reply_id(i))?;
                (previous.content_hash == columns.content_hash(i)).then_some(&previous.score)
            })
            .collect();
        let judged = judge_in_batches(scorer, chunk.height(), |i| {
            stored[i].is_none().then(|| {
                let (subject, post_body) = post_text.get(columns.post_id(i));
                (subject, post_body, columns.body(i))
            })
        });
        let rows: Vec<Row> = judged
            .into_par_iter()
            .zip(stored)
            .enumerate()
            .map(|(i, (judged, stored))| {
                let (score, reused) = match (judged, stored) {
                    (Some(score), _) => (StoredScore::from(score), false),
                    (None, stored) => (stored.expect("a reply not judged has a stored score").clone(), true),
                };
                columns.row(i, reused, score, keys[start + i].0.clone())
            })
            .collect();
        let reused = rows.iter().filter(|row| row.reused).count();
        report.reused += reused;
        report.scored += rows.len() - reused;
        report.count_flagged(&rows);
        writer.write(&scores_frame(&rows, &groups)?)?;
        progress.advance(rows.len() as u64);
    }
    writer.finish()?;
    progress.finish();
    report.duplicate_groups = groups.values().collect::<HashSet<_>>().len();
    Ok(report)
}

/// The scores of the replies `texts` gives a post's subject and body and a reply for (those it
/// gives `None` for are not judged), on all cores, a batch at a time: [`Scorer::score_all`]
/// scans a batch a pattern at a time, 40% faster than reply by reply.
fn judge_in_batches<'t>(
    scorer: &Scorer,
    replies: usize,
    texts: impl Fn(usize) -> Option<(&'t str, &'t str, &'t str)> + Sync,
) -> Vec<Option<ReplyScore>> {
    let rows: Vec<usize> = (0..replies).collect();
    // a few replies (a day's, the real data's 1,463) are still shared among all cores
    let batch = scoring::SCORE_BATCH.min(replies.div_ceil(rayon::current_num_threads()).max(1));
    rows.par_chunks(batch)
        .flat_map_iter(|batch| {
            let texts: Vec<_> = batch.iter().map(|&i| texts(i)).collect();
            let to_judge: Vec<_> = texts.iter().flatten().copied().collect();
            let mut scores = scorer.score_all(&to_judge).into_iter();
            let judged: Vec<Option<ReplyScore>> = texts.iter().map(|t| t.and_then(|_| scores.next())).collect();
            judged
        })
        .collect()
}

/// The row of every post in the posts table, by id. Scoring reads the texts of a chunk's posts
/// only ([`PostRows::read`]): all of them at once would be most of the stage's memory (about
/// 1 GB of subjects and bodies at a million posts).
struct PostRows<'a> {
    rows: HashMap<&'a str, usize>,
}

impl<'a> PostRows<'a> {
    /// From the `post_id` column of the posts table.
    fn new(post_ids: Option<&'a DataFrame>) -> Result<PostRows<'a>> {
        let Some(post_ids) = post_ids else { return Ok(PostRows { rows: HashMap::default() }) };
        let rows = post_ids.column("post_id")?.str()?.iter().enumerate().filter_map(|(row, id)| Some((id?, row)));
        Ok(PostRows { rows: rows.collect() })
    }

    /// The id, subject and body of the posts `post_ids` name (those in the table). Ingest writes
    /// replies in about the order of their posts, so a chunk's posts lie in a few slices of
    /// the table, and only those are read.
    fn read<'i>(&self, parts: &[PathBuf], post_ids: impl Iterator<Item = &'i str>) -> Result<Option<DataFrame>> {
        let rows: Vec<usize> = post_ids.filter_map(|id| self.rows.get(id).copied()).collect();
        if rows.is_empty() {
            return Ok(None);
        }
        tables::read_rows(parts, &POST_TEXT_COLUMNS, rows)
    }
}

/// The subject and body of every post, by id, borrowed from the posts frame.
struct PostTexts<'a> {
    index: HashMap<&'a str, (&'a str, &'a str)>,
}

impl<'a> PostTexts<'a> {
    fn new(posts: Option<&'a DataFrame>) -> Result<PostTexts<'a>> {
        let Some(posts) = posts else { return Ok(PostTexts { index: HashMap::default() }) };
        let ids = posts.column("post_id")?.str()?;
        let subjects = posts.column("subject")?.str()?;
        let bodies = posts.column("body")?.str()?;
        let index = ids
            .iter()
            .zip(subjects.iter())
            .zip(bodies.iter())
            .map(|((id, subject), body)| {
                (id.unwrap_or_default(), (subject.unwrap_or_default(), body.unwrap_or_default()))
            })
            .collect();
        Ok(PostTexts { index })
    }

    /// A reply whose post is not in the folder is judged on its own text.
    fn get(&self, post_id: &str) -> (&'a str, &'a str) {
        self.index.get(post_id).copied().unwrap_or(("", ""))
    }
}

fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// The same reply text (names, ids, numbers and dates removed) under two or more
/// different posts forms a group, named after its key.
/// Takes (duplicate key, post id) pairs.
fn duplicate_groups<'a>(keys: impl Iterator<Item = (&'a str, &'a str)>) -> HashMap<String, String> {
    // Per key: its first post, and whether another post has come (no set per key: a million
    // keys are mostly alone).
    let mut first_post: HashMap<&str, (&str, bool)> = HashMap::default();
    for (key, post_id) in keys {
        let (first, shared) = first_post.entry(key).or_insert((post_id, false));
        *shared |= *first != post_id;
    }
    first_post
        .into_iter()
        .filter(|(_, (_, shared))| *shared)
        .map(|(key, _)| (key.to_string(), format!("dup-{}", &key[..10.min(key.len())])))
        .collect()
}

struct PreviousScore {
    content_hash: String,
    duplicate_key: String,
    score: StoredScore,
}

/// Scores of the previous run, when they were made by this scorer `version`.
fn read_previous(dir: &DataDir, version: &str) -> Result<HashMap<String, PreviousScore>> {
    let path = dir.path(SCORES_FILE);
    let current = dir.manifest.stages.get("score").is_some_and(|s| s.version == version);
    if !path.exists() || !current {
        return Ok(HashMap::default());
    }
    let Some(frame) = tables::read_table(
        &[path],
        &[
            "reply_id",
            "content_hash",
            "duplicate_key",
            "evasive_level",
            "vague_level",
            "evasive_score",
            "vague_score",
            "reply_type",
            "answers_question",
            "evidence",
            "interim",
            "committed_date",
            "committed_workdays",
        ],
    )?
    else {
        return Ok(HashMap::default());
    };
    let s = |name: &str| frame.column(name).and_then(|c| c.str().cloned());
    let (ids, hashes, keys, types, evidence) =
        (s("reply_id")?, s("content_hash")?, s("duplicate_key")?, s("reply_type")?, s("evidence")?);
    let evasive_level = frame.column("evasive_level")?.i8()?.clone();
    let vague_level = frame.column("vague_level")?.i8()?.clone();
    let evasive_score = frame.column("evasive_score")?.f64()?.clone();
    let vague_score = frame.column("vague_score")?.f64()?.clone();
    let answers = frame.column("answers_question")?.bool()?.clone();
    let interim = frame.column("interim")?.bool()?.clone();
    let committed_date = frame.column("committed_date")?.date()?.physical().clone();
    let committed_workdays = frame.column("committed_workdays")?.i32()?.clone();
    // a date stored is the date itself: read back with its year, it resolves to itself
    let commitment = |i: usize| -> Option<Commitment> {
        if let Some(days) = committed_workdays.get(i) {
            return Some(Commitment::Workdays(days as u32));
        }
        let date = chrono::NaiveDate::from_epoch_days(committed_date.get(i)?)?;
        Some(Commitment::Date { year: Some(date.year()), month: date.month(), day: Some(date.day()) })
    };
    Ok((0..frame.height())
        .map(|i| {
            (
                ids.get(i).unwrap_or_default().to_string(),
                PreviousScore {
                    content_hash: hashes.get(i).unwrap_or_default().to_string(),
                    duplicate_key: keys.get(i).unwrap_or_default().to_string(),
                    score: StoredScore {
                        evasive_level: evasive_level.get(i).unwrap_or_default(),
                        vague_level: vague_level.get(i).unwrap_or_default(),
                        evasive_score: evasive_score.get(i).unwrap_or_default(),
                        vague_score: vague_score.get(i).unwrap_or_default(),
                        reply_type: types.get(i).unwrap_or_default().to_string(),
                        answers_question: answers.get(i).unwrap_or_default(),
                        evidence: evidence.get(i).unwrap_or("[]").to_string(),
                        interim: interim.get(i).unwrap_or_default(),
                        commitment: commitment(i),
                    },
                },
            )
        })
        .collect())
}

/// The names of the stored columns, in the file's order.
fn scores_columns() -> Vec<String> {
    scores_schema().iter_names().map(|name| name.to_string()).collect()
}

fn scores_schema() -> Schema {
    let datetime = DataType::Datetime(TimeUnit::Milliseconds, None);
    Schema::from_iter([
        Field::new("reply_id".into(), DataType::String),
        Field::new("post_id".into(), DataType::String),
        Field::new("unit".into(), DataType::String),
        Field::new("replied_at".into(), datetime),
        Field::new("seq".into(), DataType::Int32),
        Field::new("evasive_level".into(), DataType::Int8),
        Field::new("vague_level".into(), DataType::Int8),
        Field::new("evasive_score".into(), DataType::Float64),
        Field::new("vague_score".into(), DataType::Float64),
        Field::new("evasive".into(), DataType::Boolean),
        Field::new("vague".into(), DataType::Boolean),
        Field::new("reply_type".into(), DataType::String),
        Field::new("answers_question".into(), DataType::Boolean),
        Field::new("duplicate_group".into(), DataType::String),
        Field::new("evidence".into(), DataType::String),
        Field::new("interim".into(), DataType::Boolean),
        Field::new("committed_date".into(), DataType::Date),
        Field::new("committed_workdays".into(), DataType::Int32),
        Field::new("content_hash".into(), DataType::String),
        Field::new("duplicate_key".into(), DataType::String),
    ])
}

fn scores_frame(rows: &[Row], groups: &HashMap<String, String>) -> Result<DataFrame> {
    let str_col =
        |name: &str, f: &dyn Fn(&Row) -> &str| Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>());
    let columns = vec![
        str_col("reply_id", &|r| &r.reply_id),
        str_col("post_id", &|r| &r.post_id),
        Column::new("unit".into(), rows.iter().map(|r| r.unit.as_deref()).collect::<Vec<_>>()),
        tables::datetime_column("replied_at", rows.iter().map(|r| r.replied_at).collect())?,
        Column::new("seq".into(), rows.iter().map(|r| r.seq).collect::<Vec<_>>()),
        Column::new("evasive_level".into(), rows.iter().map(|r| r.score.evasive_level).collect::<Vec<_>>()),
        Column::new("vague_level".into(), rows.iter().map(|r| r.score.vague_level).collect::<Vec<_>>()),
        Column::new("evasive_score".into(), rows.iter().map(|r| r.score.evasive_score).collect::<Vec<_>>()),
        Column::new("vague_score".into(), rows.iter().map(|r| r.score.vague_score).collect::<Vec<_>>()),
        Column::new("evasive".into(), rows.iter().map(|r| r.score.evasive_level == 2).collect::<Vec<_>>()),
        Column::new("vague".into(), rows.iter().map(|r| r.score.vague_level == 2).collect::<Vec<_>>()),
        str_col("reply_type", &|r| &r.score.reply_type),
        Column::new("answers_question".into(), rows.iter().map(|r| r.score.answers_question).collect::<Vec<_>>()),
        Column::new(
            "duplicate_group".into(),
            rows.iter().map(|r| groups.get(&r.duplicate_key).map(String::as_str)).collect::<Vec<_>>(),
        ),
        str_col("evidence", &|r| &r.score.evidence),
        Column::new("interim".into(), rows.iter().map(|r| r.score.interim).collect::<Vec<_>>()),
        Column::new("committed_date".into(), rows.iter().map(Row::committed_date).collect::<Vec<_>>())
            .cast(&DataType::Date)?,
        Column::new("committed_workdays".into(), rows.iter().map(Row::committed_workdays).collect::<Vec<_>>()),
        str_col("content_hash", &|r| &r.content_hash),
        str_col("duplicate_key", &|r| &r.duplicate_key),
    ];
    Ok(DataFrame::new(rows.len(), columns)?)
}
