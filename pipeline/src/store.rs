//! The data folder (SPEC §3): where every table lives, the manifest that says which
//! Parquet parts are live, and the commit protocol that keeps a killed run from leaving
//! the folder half-written.
//!
//! Protocol: a run writes new parts under hidden `.tmp` names, renames them to their
//! final `part-*.parquet` names, then replaces `manifest.json` (write to a temporary
//! name, fsync, rename). The manifest is the commit point. A part file that the
//! manifest does not list belongs to a run that died before its commit: the next run
//! removes it (`DataDir::open` rolls back), so the folder is always as it was before the
//! run or as it is after it. Only `pipeline` knows this layout.
//!
//! Posts and replies are hive-partitioned by year, so that any engine (DuckDB, polars, Spark,
//! Trino) reads `DIR/posts` as one dataset with a `year` column and skips the years it does not
//! need: `posts/year=2019/part-000007.parquet` holds the posts of part 7 posted in 2019, and
//! `replies/year=2019/…` the replies of part 7 *replied* in 2019 (a reply's own time, not its
//! post's: a reply is then placed from its own row alone, and "what was answered in 2019" reads
//! one folder). A run's part is written whole under a temporary name, then split by year as it
//! is committed ([`DataDir::commit`]). Folders written before partitioning hold flat
//! `posts/part-*.parquet` parts: the manifest lists them as they are, and they are read as well.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// Version of the Parquet schemas this build writes; the notebooks read it from the manifest.
pub const SCHEMA_VERSION: u32 = 1;

/// Tables kept as sets of parts, appended to by ingest.
pub const PART_TABLES: [&str; 4] = ["posts", "replies", "quarantine", "taxonomy"];

/// The tables written hive-partitioned by year, and the time column that gives the year.
pub const YEAR_PARTITIONED: [(&str, &str); 2] = [("posts", "posted_at"), ("replies", "replied_at")];

/// The partition folder of rows whose time is missing (Hive's name, read as null by engines).
pub const NO_YEAR: &str = "__HIVE_DEFAULT_PARTITION__";

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Manifest {
    pub schema_version: u32,
    /// Every input file ingested, in order.
    pub inputs: Vec<InputRecord>,
    /// For each table, its live part files, relative to the data folder.
    pub tables: BTreeMap<String, Vec<String>>,
    /// For each stage that has run: its version and when it last ran.
    pub stages: BTreeMap<String, StageRecord>,
    /// Next part number, so part names never repeat.
    pub next_part: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputRecord {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub layout: String,
    pub rows: u64,
    pub posts_written: u64,
    pub replies_written: u64,
    pub quarantined: u64,
    pub duplicates: u64,
    pub ingested_at: String,
    /// Rows above a sheet's header, not read (`sheet!row: text`), and sheets taken for notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_title_rows: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_sheets: Vec<String>,
    /// Columns not read: headers the ingest does not know, and columns with no header that hold
    /// data (`column 6 (no header)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageRecord {
    pub version: String,
    pub finished_at: String,
    #[serde(default)]
    pub detail: serde_json::Value,
}

pub struct DataDir {
    root: PathBuf,
    pub manifest: Manifest,
}

/// Set by `run` for the stages it starts in processes of their own: the folder (canonical path)
/// whose lock the parent holds for them.
pub const LOCK_HELD_BY_PARENT: &str = "WENZHENG_LOCK_HELD";

/// Beside [`LOCK_HELD_BY_PARENT`]: the process id of the `run` that holds the lock.
pub const LOCK_PARENT_PID: &str = "WENZHENG_LOCK_PARENT";

/// A stage writing under its parent's lock must not outlive the parent: the lock goes with the
/// parent, and a new run would then write beside the orphan (found by killing `run` alone).
mod parent {
    use anyhow::{bail, Result};

    use super::LOCK_PARENT_PID;

    /// Asks the kernel to kill this process when its parent ends, then checks that the parent
    /// that holds the lock is still the parent (it may have ended before the ask).
    pub fn bind() -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            const PR_SET_PDEATHSIG: i32 = 1;
            const SIGKILL: u64 = 9;
            extern "C" {
                fn prctl(option: i32, ...) -> i32;
            }
            // SAFETY: PR_SET_PDEATHSIG takes one integer argument and only sets a signal
            // the kernel sends this process when its parent thread ends.
            unsafe {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
            }
        }
        let expected = std::env::var(LOCK_PARENT_PID).ok().and_then(|pid| pid.parse::<u32>().ok());
        #[cfg(unix)]
        if expected.is_some_and(|pid| pid != std::os::unix::process::parent_id()) {
            bail!("the `wenzheng run` that started this stage has ended, and its lock with it: run it again");
        }
        let _ = expected;
        Ok(())
    }
}

/// The file whose lock a writer holds (`DIR/.lock`).
const LOCK_FILE: &str = ".lock";

/// One writer at a time: a second one would roll back the first one's uncommitted parts as a
/// killed run's and commit a manifest that lists parts it never finished. The lock is the
/// kernel's (`flock`), so a killed run leaves none behind; it is taken once per process and
/// folder (a daily run's stages share it on their threads) and held until the process ends.
/// Readers take none: they see the last committed manifest.
fn lock_for_writing(root: &Path) -> Result<()> {
    static HELD: Mutex<Vec<(PathBuf, fs::File)>> = Mutex::new(Vec::new());
    let root = fs::canonicalize(root).with_context(|| format!("cannot resolve {}", root.display()))?;
    if std::env::var_os(LOCK_HELD_BY_PARENT).is_some_and(|held| Path::new(&held) == root) {
        return parent::bind();
    }
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    if held.iter().any(|(path, _)| *path == root) {
        return Ok(());
    }
    let path = root.join(LOCK_FILE);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => bail!(
            "{} is being written by another wenzheng run (it holds {LOCK_FILE}): wait for that run to \
             end, then run this again",
            root.display()
        ),
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    held.push((root, file));
    Ok(())
}

impl DataDir {
    /// Opens (creating when `create`) a data folder to write to, rolling back any part a
    /// killed run left.
    pub fn open(root: &Path, create: bool) -> Result<DataDir> {
        let dir = DataDir::load(root, create)?;
        lock_for_writing(&dir.root)?;
        dir.roll_back_uncommitted()?;
        if !dir.root.join("manifest.json").exists() {
            // A new folder gets its (empty) manifest before any part: a first run killed between
            // moving its parts into place and writing the manifest leaves parts that the next
            // run rolls back, not a folder of parts without a manifest, which is refused.
            dir.save_manifest()?;
        }
        Ok(dir)
    }

    /// Opens a data folder to read only: it changes nothing on disk, so a query never
    /// removes the temporary parts of a run still writing. Readers see the committed state
    /// whatever is left beside it, since they go through the manifest.
    pub fn open_read_only(root: &Path) -> Result<DataDir> {
        DataDir::load(root, false)
    }

    fn load(root: &Path, create: bool) -> Result<DataDir> {
        if !root.exists() {
            if !create {
                return Err(not_a_data_folder(root, "there is no such folder"));
            }
            fs::create_dir_all(root).with_context(|| format!("cannot create the data folder {}", root.display()))?;
        }
        let manifest_path = root.join("manifest.json");
        let manifest = if manifest_path.exists() {
            let text = fs::read_to_string(&manifest_path)
                .with_context(|| format!("cannot read {}", manifest_path.display()))?;
            serde_json::from_str(&text).with_context(|| {
                format!("{} is not a wenzheng manifest (hint: was it edited by hand?)", manifest_path.display())
            })?
        } else if !create {
            let why = if root.is_file() { "it is a file" } else { "it holds no manifest.json" };
            return Err(not_a_data_folder(root, why));
        } else if let Some(parts) = parts_without_manifest(root) {
            // Without the manifest every part would look like a killed run's leftover and be
            // removed: a folder whose manifest was lost (a copy, a restore) would lose its data.
            return Err(crate::ingest::BadInput {
                file: root.display().to_string(),
                sheet: None,
                reason: format!(
                    "it holds {parts} table parts (posts/, replies/ …) but no manifest.json, the list of what \
                     is committed: nothing was written or removed (hint: restore manifest.json from where the \
                     folder came from, or give --out a new folder and ingest every export again)"
                ),
            }
            .into());
        } else {
            Manifest { schema_version: SCHEMA_VERSION, ..Manifest::default() }
        };
        Ok(DataDir { root: root.to_path_buf(), manifest })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The live parts of a table, as full paths.
    pub fn parts(&self, table: &str) -> Vec<PathBuf> {
        self.manifest
            .tables
            .get(table)
            .map(|parts| parts.iter().map(|p| self.root.join(p)).collect())
            .unwrap_or_default()
    }

    /// The paths of `parts`, given relative to the data folder.
    pub fn paths_of(&self, parts: &[String]) -> Vec<PathBuf> {
        parts.iter().map(|p| self.root.join(p)).collect()
    }

    /// The paths of the live parts of `table` other than `new`: what a daily run had read before.
    pub fn parts_other_than(&self, table: &str, new: &[String]) -> Vec<PathBuf> {
        let seen: Vec<String> = self.live_parts(table).into_iter().filter(|p| !new.contains(p)).collect();
        self.paths_of(&seen)
    }

    /// The live parts of a table, relative to the data folder, in the order they were added.
    pub fn live_parts(&self, table: &str) -> Vec<String> {
        self.manifest.tables.get(table).cloned().unwrap_or_default()
    }

    /// What a stage that has consumed the parts `seen` of `table` has yet to read: the live
    /// parts it has not seen, in order. `None` when a part it saw is no longer live (replaced,
    /// as when ingest rewrites every reply's `seq`): the stage must then recompute in full.
    /// Parts are immutable, so this is all that can have changed in the table.
    pub fn parts_since(&self, table: &str, seen: &[String]) -> Option<Vec<String>> {
        let live = self.live_parts(table);
        if !seen.iter().all(|part| live.contains(part)) {
            return None;
        }
        Some(live.into_iter().filter(|part| !seen.contains(part)).collect())
    }

    /// Removes temporary files and parts that no manifest lists: leftovers of a run that
    /// was killed before its commit, or of one that stopped on an error.
    pub(crate) fn roll_back_uncommitted(&self) -> Result<()> {
        self.roll_back(RollBack::Leftovers)
    }

    /// [`Self::roll_back_uncommitted`], saying whose files they are.
    pub(crate) fn roll_back(&self, whose: RollBack) -> Result<()> {
        for table in PART_TABLES {
            let live: Vec<&String> = self.manifest.tables.get(table).map(|v| v.iter().collect()).unwrap_or_default();
            for (relative, path) in table_files(&self.root, table) {
                let is_temp = relative.ends_with(".tmp");
                let is_orphan_part = relative.ends_with(".parquet") && !live.iter().any(|l| **l == relative);
                if is_temp || is_orphan_part {
                    match whose {
                        RollBack::Leftovers => {
                            tracing::warn!(file = %relative, "removing a file left by an interrupted run")
                        }
                        RollBack::ThisRun => tracing::debug!(file = %relative, "removing a part of this run"),
                    }
                    fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
                }
            }
        }
        Ok(())
    }

    /// A fresh part path for `table`, and its temporary twin to write first. Parts of a
    /// year-partitioned table are written here whole and split by year at [`Self::commit`].
    pub fn new_part(&mut self, table: &str) -> Result<PendingPart> {
        self.manifest.next_part += 1;
        part_in(&self.root, table, table, self.manifest.next_part)
    }

    /// A new part number for a year-partitioned table whose rows are written straight into
    /// their year folders (see [`YearParts::part`]), so that the commit has nothing to split.
    pub fn new_year_parts(&mut self, table: &str) -> YearParts {
        self.manifest.next_part += 1;
        YearParts { root: self.root.clone(), table: table.to_string(), number: self.manifest.next_part }
    }

    /// Commits a run: renames its parts into place (split by year first for the tables of
    /// [`YEAR_PARTITIONED`]), then writes the manifest that lists them (and drops the parts
    /// they replace). The rename of the manifest is the commit.
    pub fn commit(&mut self, added: Vec<PendingPart>, replaced: &[(String, Vec<String>)]) -> Result<()> {
        let mut files = Vec::with_capacity(added.len());
        for part in added {
            let already_split = part.relative.starts_with(&format!("{}/year=", part.table));
            match YEAR_PARTITIONED.iter().find(|(table, _)| *table == part.table) {
                Some(_) if already_split => files.push(part),
                Some((table, time_column)) => {
                    let parts = YearParts {
                        root: self.root.clone(),
                        table: table.to_string(),
                        number: part_number(&part.relative),
                    };
                    let years = crate::tables::split_by_year(&part.temp, time_column, parts)?;
                    fs::remove_file(&part.temp).with_context(|| format!("cannot remove {}", part.temp.display()))?;
                    files.extend(years);
                }
                None => files.push(part),
            }
        }
        for (table, old) in replaced {
            if let Some(parts) = self.manifest.tables.get_mut(table) {
                parts.retain(|p| !old.contains(p));
            }
        }
        for part in &files {
            fs::rename(&part.temp, &part.path)
                .with_context(|| format!("cannot move {} into place", part.temp.display()))?;
            self.manifest.tables.entry(part.table.clone()).or_default().push(part.relative.clone());
        }
        self.save_manifest()?;
        for (_, old) in replaced {
            for relative in old {
                let _ = fs::remove_file(self.root.join(relative));
            }
        }
        Ok(())
    }

    /// Records that `stage` has run. The manifest is read again from disk first and only this
    /// stage's record changes, so that stages running side by side in one process (`wenzheng
    /// run` on a daily update) keep each other's records, and a stage never writes back the
    /// inputs and tables it read when it started over an ingest committed since.
    pub fn record_stage(&mut self, stage: &str, record: StageRecord) -> Result<()> {
        static MANIFEST: Mutex<()> = Mutex::new(());
        let _one_writer = MANIFEST.lock().unwrap_or_else(PoisonError::into_inner);
        if self.root.join("manifest.json").exists() {
            let on_disk = DataDir::load(&self.root, false)?.manifest;
            let next_part = self.manifest.next_part.max(on_disk.next_part);
            self.manifest = Manifest { next_part, ..on_disk };
        }
        self.manifest.stages.insert(stage.to_string(), record);
        self.save_manifest()
    }

    pub fn save_manifest(&self) -> Result<()> {
        let json = serde_json::to_vec_pretty(&self.manifest)?;
        write_atomically(&self.root.join("manifest.json"), &json)
    }
}

/// Bad usage (exit 2): `--data` names no data folder. The hint names the data folders just
/// below it, when it is their parent, and otherwise how to make one.
/// Whose uncommitted files a roll-back removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RollBack {
    /// a run killed before its commit (found by the next run)
    Leftovers,
    /// this run's own, as it stops on an error
    ThisRun,
}

/// How many Parquet parts the table folders of `root` hold (a temporary file aside), when any:
/// a data folder whose manifest is missing.
fn parts_without_manifest(root: &Path) -> Option<usize> {
    let parts = PART_TABLES
        .iter()
        .flat_map(|table| table_files(root, table))
        .filter(|(relative, _)| relative.ends_with(".parquet"))
        .count();
    (parts > 0).then_some(parts)
}

/// The files of a table's folder and of its partition folders (`year=2019`), one level deep:
/// their paths relative to the data folder, as the manifest lists parts, and in full.
fn table_files(root: &Path, table: &str) -> Vec<(String, PathBuf)> {
    let mut folders = vec![table.to_string()];
    let Ok(entries) = fs::read_dir(root.join(table)) else { return Vec::new() };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("year=") && entry.path().is_dir() {
            folders.push(format!("{table}/{name}"));
        }
    }
    let mut files = Vec::new();
    for folder in folders {
        let Ok(entries) = fs::read_dir(root.join(&folder)) else { continue };
        for entry in entries.flatten().filter(|e| e.path().is_file()) {
            files.push((format!("{folder}/{}", entry.file_name().to_string_lossy()), entry.path()));
        }
    }
    files
}

fn not_a_data_folder(root: &Path, why: &str) -> anyhow::Error {
    let mut below: Vec<String> = fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("manifest.json").is_file())
        .map(|e| e.path().display().to_string())
        .collect();
    below.sort();
    let hint = match below.as_slice() {
        [] => "give --data the folder `wenzheng run <FILES> --out DIR` wrote, or make one that way".to_string(),
        [one] => format!("did you mean --data {one}?"),
        many => format!("the data folders in it: {}", many.join(", ")),
    };
    crate::ingest::BadInput {
        file: root.display().to_string(),
        sheet: None,
        reason: format!("not a wenzheng data folder: {why} ({hint})"),
    }
    .into()
}

/// The time column that gives the year of a row of a [`YEAR_PARTITIONED`] table.
pub fn year_column(table: &str) -> Option<&'static str> {
    YEAR_PARTITIONED.iter().find(|(name, _)| *name == table).map(|(_, column)| *column)
}

/// One part number of a year-partitioned table, spread over its year folders.
pub struct YearParts {
    root: PathBuf,
    table: String,
    number: u64,
}

impl YearParts {
    /// The part of `year` (`None`: rows without a time), its folder created.
    pub fn part(&self, year: Option<i32>) -> Result<PendingPart> {
        let year = year.map_or(NO_YEAR.to_string(), |y| y.to_string());
        part_in(&self.root, &self.table, &format!("{}/year={year}", self.table), self.number)
    }
}

/// A part being written: `temp` now, `path` once committed.
#[derive(Debug)]
pub struct PendingPart {
    pub table: String,
    pub relative: String,
    pub temp: PathBuf,
    pub path: PathBuf,
}

/// Part `number` of `table` in `folder` (relative to `root`: the table's folder or one of its
/// partitions), its folder created.
fn part_in(root: &Path, table: &str, folder: &str, number: u64) -> Result<PendingPart> {
    let full = root.join(folder);
    fs::create_dir_all(&full).with_context(|| format!("cannot create {}", full.display()))?;
    let name = format!("part-{number:06}.parquet");
    Ok(PendingPart {
        table: table.to_string(),
        relative: format!("{folder}/{name}"),
        temp: full.join(format!(".{name}.tmp")),
        path: full.join(name),
    })
}

/// The number in a part's name (`posts/part-000007.parquet` → 7).
fn part_number(relative: &str) -> u64 {
    let name = relative.rsplit('/').next().unwrap_or_default();
    name.trim_start_matches("part-").trim_end_matches(".parquet").parse().unwrap_or_default()
}

/// Writes a whole file so that readers see the old content or the new, never a mix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_in_pieces(path, &[bytes])
}

/// [`write_atomically`] for a file made of several pieces, written one after the other: a large
/// file is not first copied into one buffer.
pub fn write_atomically_in_pieces(path: &Path, pieces: &[&[u8]]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.tmp"));
    let mut file = fs::File::create(&temp).with_context(|| format!("cannot write {}", temp.display()))?;
    for piece in pieces {
        file.write_all(piece)?;
    }
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The time stamps written to the manifest.
pub fn now_string() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;
    use crate::tables::{self, PartWriter};

    /// A part of `table` with posts `ids` posted at the given times (ms), written and pending.
    fn part(dir: &mut DataDir, table: &str, ids: &[&str], times: &[Option<i64>]) -> PendingPart {
        let time: Column = Series::new("posted_at".into(), times.to_vec())
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .expect("a time column")
            .into();
        let frame = DataFrame::new(ids.len(), vec![Column::new("post_id".into(), ids), time]).expect("a frame");
        let mut writer = PartWriter::create(dir.new_part(table).expect("a part"), frame.schema()).expect("a writer");
        writer.write(frame).expect("written");
        writer.finish().expect("finished")
    }

    const Y2018: i64 = 1_530_000_000_000;
    const Y2019: i64 = 1_560_000_000_000;

    #[test]
    fn posts_are_committed_in_year_folders_and_flat_parts_still_read() {
        let temp = tempfile::tempdir().expect("a temp folder");
        let mut dir = DataDir::open(temp.path(), true).expect("a data folder");
        // A folder from before partitioning: a flat part, listed as it is.
        let flat = part(&mut dir, "quarantine", &["old"], &[Some(Y2018)]);
        fs::create_dir_all(temp.path().join("posts")).expect("a folder");
        fs::rename(&flat.temp, temp.path().join("posts/part-000001.parquet")).expect("moved");
        dir.manifest.tables.insert("posts".into(), vec!["posts/part-000001.parquet".into()]);

        let new = part(&mut dir, "posts", &["a", "b", "c", "d"], &[Some(Y2019), Some(Y2018), None, Some(Y2019)]);
        dir.commit(vec![new], &[]).expect("committed");
        assert_eq!(
            dir.manifest.tables["posts"],
            [
                "posts/part-000001.parquet",
                "posts/year=__HIVE_DEFAULT_PARTITION__/part-000002.parquet",
                "posts/year=2018/part-000002.parquet",
                "posts/year=2019/part-000002.parquet",
            ]
        );
        let all = tables::read_table(&dir.parts("posts"), &["post_id"]).expect("read").expect("rows");
        let mut ids: Vec<&str> = all.column("post_id").unwrap().str().unwrap().iter().flatten().collect();
        ids.sort();
        assert_eq!(ids, ["a", "b", "c", "d", "old"]);
        assert!(!temp.path().join("posts/.part-000002.parquet.tmp").exists());

        // A killed run's leftovers inside a year folder are rolled back; live parts stay.
        fs::write(temp.path().join("posts/year=2019/part-000009.parquet"), "orphan").expect("written");
        fs::write(temp.path().join("posts/year=2019/.part-000010.parquet.tmp"), "temp").expect("written");
        let dir = DataDir::open(temp.path(), false).expect("reopened");
        let left: Vec<String> = fs::read_dir(temp.path().join("posts/year=2019"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(left, ["part-000002.parquet"]);
        assert_eq!(dir.parts("posts").len(), 4);
    }

    #[test]
    fn a_folder_of_parts_without_its_manifest_is_refused_not_emptied() {
        let temp = tempfile::tempdir().expect("a temp folder");
        let mut dir = DataDir::open(temp.path(), true).expect("a data folder");
        let posts = part(&mut dir, "posts", &["a", "b"], &[Some(Y2019), Some(Y2018)]);
        dir.commit(vec![posts], &[]).expect("committed");
        drop(dir);
        fs::remove_file(temp.path().join("manifest.json")).expect("the manifest lost in a copy");
        let refused = DataDir::open(temp.path(), true).err().expect("refused");
        let message = format!("{refused:#}");
        assert!(message.contains("holds 2 table parts (posts/, replies/ …) but no manifest.json"), "{message}");
        assert_eq!(crate::commands::exit_code(&refused), 2);
        assert!(temp.path().join("posts/year=2019/part-000001.parquet").exists(), "nothing removed");
    }

    #[test]
    fn a_first_run_killed_before_its_manifest_is_rolled_back_by_the_next() {
        let temp = tempfile::tempdir().expect("a temp folder");
        let mut dir = DataDir::open(temp.path(), true).expect("a data folder");
        assert!(temp.path().join("manifest.json").exists(), "a new folder gets its manifest first");
        // killed after moving a part into place, before listing it
        let posts = part(&mut dir, "posts", &["a"], &[Some(Y2019)]);
        fs::create_dir_all(temp.path().join("posts/year=2019")).expect("a folder");
        fs::rename(&posts.temp, temp.path().join("posts/year=2019/part-000001.parquet")).expect("moved");
        drop(dir);
        let dir = DataDir::open(temp.path(), true).expect("reopened");
        assert!(!temp.path().join("posts/year=2019/part-000001.parquet").exists());
        assert!(dir.parts("posts").is_empty());
    }

    #[test]
    fn a_stage_records_itself_without_undoing_an_ingest_committed_since_it_started() {
        let temp = tempfile::tempdir().expect("a temp folder");
        let mut stage = DataDir::open(temp.path(), true).expect("a data folder");
        stage.save_manifest().expect("an empty manifest");
        // Meanwhile another writer (a rerun, after this stage's parent was killed) commits posts.
        let mut ingest = DataDir::load(temp.path(), false).expect("the same folder");
        let new = part(&mut ingest, "posts", &["a"], &[Some(Y2019)]);
        ingest.commit(vec![new], &[]).expect("committed");

        let record = StageRecord { version: "1".into(), finished_at: "now".into(), detail: serde_json::Value::Null };
        stage.record_stage("score", record).expect("recorded");
        let on_disk = DataDir::load(temp.path(), false).expect("reloaded").manifest;
        assert_eq!(on_disk.tables["posts"], ["posts/year=2019/part-000001.parquet"]);
        assert!(on_disk.stages.contains_key("score"));
        assert_eq!(on_disk.next_part, 1);
    }
}
