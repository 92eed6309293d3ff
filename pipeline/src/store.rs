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

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// Version of the Parquet schemas this build writes; the notebooks read it from the manifest.
pub const SCHEMA_VERSION: u32 = 1;

/// Tables kept as sets of parts, appended to by ingest.
pub const PART_TABLES: [&str; 4] = ["posts", "replies", "quarantine", "taxonomy"];

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

impl DataDir {
    /// Opens (creating when `create`) a data folder to write to, rolling back any part a
    /// killed run left.
    pub fn open(root: &Path, create: bool) -> Result<DataDir> {
        let dir = DataDir::load(root, create)?;
        dir.roll_back_uncommitted()?;
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
                bail!(
                    "no data folder at {}: run `wenzheng ingest <FILES> --out {}` first",
                    root.display(),
                    root.display()
                );
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
            bail!(
                "{} holds no manifest.json: run `wenzheng ingest <FILES> --out {}` first",
                root.display(),
                root.display()
            );
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

    /// Removes temporary files and parts that no manifest lists: leftovers of a run that
    /// was killed before its commit.
    fn roll_back_uncommitted(&self) -> Result<()> {
        for table in PART_TABLES {
            let folder = self.root.join(table);
            let Ok(entries) = fs::read_dir(&folder) else { continue };
            let live: Vec<&String> = self.manifest.tables.get(table).map(|v| v.iter().collect()).unwrap_or_default();
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                let relative = format!("{table}/{name}");
                let is_temp = name.ends_with(".tmp");
                let is_orphan_part = name.ends_with(".parquet") && !live.iter().any(|l| **l == relative);
                if is_temp || is_orphan_part {
                    tracing::warn!(file = %relative, "removing a file left by an interrupted run");
                    fs::remove_file(entry.path())
                        .with_context(|| format!("cannot remove {}", entry.path().display()))?;
                }
            }
        }
        Ok(())
    }

    /// A fresh part path for `table`, and its temporary twin to write first.
    pub fn new_part(&mut self, table: &str) -> Result<PendingPart> {
        let folder = self.root.join(table);
        fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
        self.manifest.next_part += 1;
        let name = format!("part-{:06}.parquet", self.manifest.next_part);
        Ok(PendingPart {
            table: table.to_string(),
            relative: format!("{table}/{name}"),
            temp: folder.join(format!(".{name}.tmp")),
            path: folder.join(name),
        })
    }

    /// Commits a run: renames its parts into place, then writes the manifest that lists
    /// them (and drops the parts they replace). The rename of the manifest is the commit.
    pub fn commit(&mut self, added: Vec<PendingPart>, replaced: &[(String, Vec<String>)]) -> Result<()> {
        for (table, old) in replaced {
            if let Some(parts) = self.manifest.tables.get_mut(table) {
                parts.retain(|p| !old.contains(p));
            }
        }
        for part in &added {
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

    pub fn save_manifest(&self) -> Result<()> {
        let json = serde_json::to_vec_pretty(&self.manifest)?;
        write_atomically(&self.root.join("manifest.json"), &json)
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

/// Writes a whole file so that readers see the old content or the new, never a mix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.tmp"));
    let mut file = fs::File::create(&temp).with_context(|| format!("cannot write {}", temp.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The time stamps written to the manifest.
pub fn now_string() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}
