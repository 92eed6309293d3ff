//! `wenzheng ingest`: xlsx / csv / jsonl exports → the Parquet tables of the data folder.
//!
//! Every row read ends in exactly one place per record it holds: written, quarantined
//! (with file, sheet, row, field and reason) or dropped as a duplicate of a post already
//! held, so `read = written + quarantined + duplicates` for posts and for replies alike.
//! A post id reused for different content is a conflict: both are kept, the later one
//! under `<id>~<source file stem>`.

mod batch;
pub use batch::EDITED_COPY;
pub mod columns;
mod known;
mod records;
pub mod source;
pub mod values;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use models::kind_rules::KindRules;
use models::units::UnitRegistry;
use sha2::{Digest, Sha256};

use crate::progress::Progress;
use crate::store::{self, DataDir, InputRecord, RollBack};
use batch::Batcher;
use columns::{ColumnMap, Layout};
use known::KnownRecords;

/// How many rows are read, derived and written together.
pub const BATCH_ROWS: usize = 20_000;

/// Counts for one kind of record (posts or replies) of one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecordCounts {
    pub read: u64,
    pub written: u64,
    pub quarantined: u64,
    pub duplicates: u64,
    /// Written under a new id because their id was taken by different content.
    pub conflicts: u64,
    /// Duplicates of posts held whose likes, dislikes or unit differ from the held ones (a later
    /// export of the same posts): not updated, the values first ingested are kept.
    pub differing: u64,
    /// Replies written whose post the folder does not hold (yet): a later file may bring it,
    /// or the reply's post id is mistyped.
    pub without_post: u64,
}

impl RecordCounts {
    pub fn add(&mut self, other: &RecordCounts) {
        self.read += other.read;
        self.written += other.written;
        self.quarantined += other.quarantined;
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
        self.differing += other.differing;
        self.without_post += other.without_post;
    }

    /// The accounting every run must satisfy.
    pub fn balances(&self) -> bool {
        self.read == self.written + self.quarantined + self.duplicates
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FileReport {
    pub path: String,
    pub layout: String,
    /// Data rows in the file (header excluded), blank rows included.
    pub rows: u64,
    pub blank_rows: u64,
    /// Rows that could not be parsed at all (malformed CSV or JSON).
    pub unreadable_rows: u64,
    pub posts: RecordCounts,
    pub replies: RecordCounts,
    pub taxonomy: u64,
    pub ignored_columns: Vec<String>,
    /// Columns with no header that hold data: column number (from 1) and the rows that fill it.
    #[serde(skip)]
    pub unnamed_with_data: std::collections::BTreeMap<usize, u64>,
    /// Rows above a sheet's header, not read: `sheet!row: text` (an export's title lines).
    pub skipped_title_rows: Vec<String>,
    /// Sheets of a workbook that name no column the ingest knows, beside one that does, with
    /// few rows (a "说明" sheet of notes): `sheet (N rows)`.
    pub skipped_sheets: Vec<String>,
    /// The same content was ingested before: nothing was read.
    pub already_ingested: bool,
}

/// The most rows a sheet of a workbook may have below its first row and still be taken for
/// notes, not a table, when it names no known column. A bigger one is refused: it may be data
/// whose headers are spelt in a way the ingest does not know.
const NOTES_SHEET_ROWS: usize = 20;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestReport {
    pub files: Vec<FileReport>,
    pub posts: RecordCounts,
    pub replies: RecordCounts,
    /// Replies by how their unit was found (given / signature / text / region / unknown).
    pub unit_sources: std::collections::BTreeMap<String, u64>,
    pub seq_rewritten: bool,
}

/// Ingests `inputs` into the data folder. Files already ingested (same content hash)
/// add nothing. Fails before writing anything when a file cannot be read or is not a
/// posts, replies or taxonomy table.
pub fn ingest(dir: &mut DataDir, inputs: &[PathBuf]) -> Result<IngestReport> {
    // Posts without a category get one from the model set with `--category-model`.
    let category_model = crate::category::ingest_model()?;
    let mut report = IngestReport::default();
    let mut planned = Vec::new();
    for path in inputs {
        let bytes = file_size(path)?;
        // Only a file as long as one ingested before (or planned in this run) can hold the same
        // content: that one is hashed before anything else is done with it. Any other file is
        // new, and is hashed on a thread of its own while it is read (the hash is only recorded
        // in the manifest); hashing first took a fifth of the stage's time, on one core.
        let sha256 = if dir.manifest.inputs.iter().any(|i| i.bytes == bytes)
            || planned.iter().any(|p: &PlannedFile| p.bytes == bytes)
        {
            for p in planned.iter_mut().filter(|p| p.bytes == bytes) {
                p.sha256.resolve()?;
            }
            ContentHash::Known(hash_file(path)?)
        } else {
            let path = path.clone();
            ContentHash::Pending(std::thread::spawn(move || hash_file(&path)))
        };
        let seen = sha256.known().is_some_and(|hash| {
            dir.manifest.inputs.iter().any(|i| i.sha256 == hash)
                || planned.iter().any(|p| p.sha256.known() == Some(hash))
        });
        if seen {
            tracing::info!(file = %path.display(), "already ingested, skipped");
            report.files.push(FileReport {
                path: path.display().to_string(),
                already_ingested: true,
                ..Default::default()
            });
            continue;
        }
        let sources = source::open(path).map_err(|e| bad_input(path, None, &e))?;
        let mut tables = Vec::new();
        let mut notes = Vec::new();
        let mapped: Vec<_> = sources
            .into_iter()
            .map(|source| (ColumnMap::from_header_of(source.header(), source.keyed()), source))
            .collect();
        let any_known = mapped.iter().any(|(map, _)| map.is_ok());
        for (map, source) in mapped {
            match map {
                Ok(map) => tables.push((source, map)),
                Err(_)
                    if any_known
                        && columns::known_columns(source.header()) == 0
                        && source.rows_below_header().is_some_and(|n| n <= NOTES_SHEET_ROWS) =>
                {
                    let rows = source.rows_below_header().unwrap_or(0) + 1;
                    notes.push(format!("{} ({rows} rows)", source.sheet().unwrap_or_default()));
                }
                Err(e) => return Err(bad_input(path, source.sheet(), &e)),
            }
        }
        planned.push(PlannedFile { path: path.clone(), sha256, bytes, tables, notes });
    }
    // Posts before replies-only files, so a reply's post (and its region) is known.
    planned.sort_by_key(|p| p.tables.iter().all(|(_, m)| m.layout == Layout::Replies));

    let files = planned.len();
    let known = KnownRecords::load(dir)?;
    let mut batcher = Batcher::new(dir, known)?.with_category_model(category_model);
    // A file that stops the run (exit 2) leaves nothing behind: the parts written so far are
    // removed now, not by the next run.
    let finished = match read_planned(planned, &mut batcher, &mut report) {
        Ok(()) => batcher.finish(dir),
        Err(e) => {
            drop(batcher); // its part files closed before they are removed
            Err(e)
        }
    };
    let finished = match finished {
        Ok(finished) => finished,
        Err(e) => {
            if let Err(cleanup) = dir.roll_back(RollBack::ThisRun) {
                tracing::warn!("{cleanup:#}");
            }
            if files > 1 {
                // (the files read before the one that stopped it are not kept either)
                tracing::warn!(
                    "nothing of this run was written: once the file is fixed, ingest all {files} files again"
                );
            }
            return Err(e);
        }
    };
    report.unit_sources = finished.unit_sources;
    report.seq_rewritten = finished.seq_rewritten;
    Ok(report)
}

/// Reads the planned files into the batcher, file by file.
fn read_planned(planned: Vec<PlannedFile>, batcher: &mut Batcher, report: &mut IngestReport) -> Result<()> {
    for file in planned {
        let mut file_report = FileReport { path: file.path.display().to_string(), ..Default::default() };
        let source_name = file.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let file_bytes = file.bytes;
        for sheet in &file.notes {
            tracing::warn!(file = %source_name, "sheet {sheet} names no column of posts, replies or a taxonomy: taken for notes and not read");
        }
        file_report.skipped_sheets = file.notes.clone();
        for (mut table, map) in file.tables {
            for (row, text) in table.rows_above_header() {
                let (at, place) = match table.sheet() {
                    Some(sheet) => (format!("{sheet} row {row}"), format!("{sheet}!{row}")),
                    None => (format!("line {row}"), format!("line {row}")),
                };
                tracing::warn!(file = %source_name, "{at} is above the header and not read: {text}");
                file_report.skipped_title_rows.push(format!("{place}: {text}"));
            }
            file_report.layout = map.layout.name().to_string();
            file_report.ignored_columns.extend(map.ignored.iter().cloned());
            for column in &map.ignored {
                match columns::near_miss(column) {
                    Some(known) => tracing::warn!(
                        file = %source_name,
                        "column {column} is not read: is it {known}? Rename the column and ingest the file again \
                         (a post already held is kept as first ingested)"
                    ),
                    None => tracing::info!(file = %source_name, "column {column} is not used"),
                }
            }
            let header = table.header().to_vec();
            let sheet = table.sheet().map(str::to_string);
            let mut progress = Progress::start("ingest", None, "rows");
            let origin = batch::Origin { file: &source_name, sheet: sheet.as_deref(), header: &header, map: &map };
            let unreadable = |reason: String| bad_input(&file.path, sheet.as_deref(), &reason);
            source::read_ahead(table.as_mut(), BATCH_ROWS, unreadable, |rows| {
                progress.advance(rows.len() as u64);
                batcher.process(&origin, rows, &mut file_report)
            })?;
            progress.finish();
            for (column, rows) in std::mem::take(&mut file_report.unnamed_with_data) {
                tracing::warn!(
                    file = %source_name,
                    "column {column} has no header but holds data in {rows} rows: not read (a header merged over two \
                     columns, or a column added by hand?); give it its header and ingest the file again"
                );
                file_report.ignored_columns.push(format!("column {column} (no header, {rows} rows)"));
            }
        }
        tracing::info!(
            file = %source_name,
            rows = file_report.rows,
            posts_written = file_report.posts.written,
            replies_written = file_report.replies.written,
            quarantined = file_report.posts.quarantined + file_report.replies.quarantined + file_report.unreadable_rows,
            duplicates = file_report.posts.duplicates + file_report.replies.duplicates,
            "read (written when every file of the run is read)"
        );
        batcher.record_input(InputRecord {
            path: file.path.display().to_string(),
            sha256: file.sha256.finish()?,
            bytes: file_bytes,
            layout: file_report.layout.clone(),
            rows: file_report.rows,
            posts_written: file_report.posts.written,
            replies_written: file_report.replies.written,
            quarantined: file_report.posts.quarantined + file_report.replies.quarantined + file_report.unreadable_rows,
            duplicates: file_report.posts.duplicates + file_report.replies.duplicates,
            ingested_at: store::now_string(),
            skipped_title_rows: file_report.skipped_title_rows.clone(),
            skipped_sheets: file_report.skipped_sheets.clone(),
            ignored_columns: file_report.ignored_columns.clone(),
        });
        report.posts.add(&file_report.posts);
        report.replies.add(&file_report.replies);
        report.files.push(file_report);
    }
    Ok(())
}

struct PlannedFile {
    path: PathBuf,
    sha256: ContentHash,
    bytes: u64,
    tables: Vec<(Box<dyn source::RowSource>, ColumnMap)>,
    /// Sheets taken for notes and not read (see [`NOTES_SHEET_ROWS`]).
    notes: Vec<String>,
}

/// The SHA-256 of an input file, or the thread computing it.
enum ContentHash {
    Known(String),
    Pending(std::thread::JoinHandle<Result<String>>),
}

impl ContentHash {
    fn known(&self) -> Option<&str> {
        match self {
            ContentHash::Known(hash) => Some(hash),
            ContentHash::Pending(_) => None,
        }
    }

    /// Waits for the thread, if there is one, so that the hash is known.
    fn resolve(&mut self) -> Result<()> {
        if let ContentHash::Pending(_) = self {
            let pending = std::mem::replace(self, ContentHash::Known(String::new()));
            *self = ContentHash::Known(pending.finish()?);
        }
        Ok(())
    }

    fn finish(self) -> Result<String> {
        match self {
            ContentHash::Known(hash) => Ok(hash),
            ContentHash::Pending(thread) => {
                thread.join().map_err(|_| anyhow::anyhow!("the thread hashing an input file panicked"))?
            }
        }
    }
}

fn file_size(path: &Path) -> Result<u64> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(meta.len()),
        _ => bail!(BadInput { file: path.display().to_string(), sheet: None, reason: "no such file".into() }),
    }
}

/// An input the run cannot use at all: exit code 2, nothing written.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {reason}", sheet.as_ref().map(|s| format!(" (sheet {s})")).unwrap_or_default())]
pub struct BadInput {
    pub file: String,
    pub sheet: Option<String>,
    pub reason: String,
}

/// The unit registry ingest resolves units by: the file the config of `root` names
/// (`[ingest] units`), else the built-in one. A file that does not read or parse is input to
/// fix, named.
pub fn unit_registry(root: &Path) -> Result<UnitRegistry> {
    let Some(path) = crate::config::Config::load(root)?.ingest.units else { return Ok(UnitRegistry::default()) };
    let text = crate::config::read_user_file(&path, "the unit registry named by [ingest] in the config")?;
    UnitRegistry::from_toml_str(&text).map_err(|e| {
        bad_input(&path, None, &format!("{e}; `wenzheng config --units` prints the built-in registry to start from"))
    })
}

/// The kind rules ingest derives a post's kind by: the file the config of `root` names
/// (`[ingest] kinds`), else `None`, the built-in ones. As [`unit_registry`].
pub fn kind_rules(root: &Path) -> Result<Option<KindRules>> {
    let Some(path) = crate::config::Config::load(root)?.ingest.kinds else { return Ok(None) };
    let text = crate::config::read_user_file(&path, "the kind rules named by [ingest] in the config")?;
    let rules = KindRules::from_toml_str(&text).map_err(|e| {
        bad_input(&path, None, &format!("{e}; `wenzheng config --kinds` prints the built-in rules to start from"))
    })?;
    Ok(Some(rules))
}

fn bad_input(path: &Path, sheet: Option<&str>, reason: &str) -> anyhow::Error {
    BadInput { file: path.display().to_string(), sheet: sheet.map(str::to_string), reason: reason.to_string() }.into()
}

fn hash_file(path: &Path) -> Result<String> {
    if !path.is_file() {
        bail!(BadInput { file: path.display().to_string(), sheet: None, reason: "no such file".into() });
    }
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = file.read(&mut buffer).with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTS: &str = "post_id,user_id,subject,body,posted_at,unit,kind\n\
                         1,U1,路灯不亮,路灯坏了一个月,2024-05-06T09:00:00+08:00,市城管局,投诉\n";

    /// Which of the files were skipped as already ingested, by file name.
    fn skipped(report: &IngestReport) -> Vec<(String, bool)> {
        let mut files: Vec<(String, bool)> = report
            .files
            .iter()
            .map(|f| (Path::new(&f.path).file_name().unwrap().to_string_lossy().to_string(), f.already_ingested))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_file_is_known_by_its_content_whether_hashed_first_or_while_it_is_read() {
        let temp = tempfile::tempdir().expect("a temp folder");
        let write = |name: &str, text: &str| {
            let path = temp.path().join(name);
            std::fs::write(&path, text).expect("an input file");
            path
        };
        let (first, copy) = (write("a.csv", POSTS), write("copy.csv", POSTS));
        // as long as the others, other content (post 2): hashed before it is read, and new
        let other = write("other.csv", &POSTS.replace("\n1,U1", "\n2,U1"));
        let root = temp.path().join("data");

        let mut dir = DataDir::open(&root, true).expect("a data folder");
        // a.csv is new (nothing of its length was ingested): hashed while it is read;
        // copy.csv, as long as a.csv, waits for that hash and is found to be the same file
        let report = ingest(&mut dir, &[first, copy.clone()]).expect("ingested");
        assert_eq!(skipped(&report), [("a.csv".into(), false), ("copy.csv".into(), true)]);
        let report = ingest(&mut dir, &[copy, other]).expect("ingested");
        assert_eq!(skipped(&report), [("copy.csv".into(), true), ("other.csv".into(), false)]);

        let dir = DataDir::open(&root, false).expect("reopened");
        let recorded: Vec<&str> = dir.manifest.inputs.iter().map(|i| i.sha256.as_str()).collect();
        let expected = [POSTS.to_string(), POSTS.replace("\n1,U1", "\n2,U1")].map(|t| hex::encode(Sha256::digest(t)));
        assert_eq!(recorded, expected);
        assert!(dir.manifest.inputs.iter().all(|i| i.bytes == POSTS.len() as u64));
    }
}
