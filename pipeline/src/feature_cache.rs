//! The per-post features of recurring-issue detection, kept between runs under
//! `DIR/issues/features/`, so that a daily run reads the bodies of the day's posts only.
//!
//! What is kept (see `models::recurring::features`): for each part file of the posts table,
//! the features of its rows (`<part>.part`), and for the whole table the document frequencies
//! of the bigrams per month (`months.bin`) with the list of parts they count (`parts.json`).
//! A part is named once and never rewritten (the manifest's `next_part`), so a part with the
//! same name, size and post ids holds the same posts: its features are still right. The
//! frequencies are a sum over posts, so the day's part is added to them; a part that is gone
//! or changed cannot be taken out, and then everything is computed again from the bodies.
//! Every cached file carries the features' fingerprint (version and the config fields they
//! depend on): a change of either recomputes them all.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result};
use models::recurring::features::{self, fingerprint};
use models::recurring::{FeatureTable, IssuePost, MonthlyFrequencies, RecurringConfig};

use polars::prelude::DataType;

use crate::store::{self, DataDir};
use crate::tables;

pub const FEATURES_DIR: &str = "issues/features";
const PARTS_FILE: &str = "issues/features/parts.json";
const FREQUENCIES_FILE: &str = "issues/features/months.bin";

/// Rows of a part whose bodies are read at once: bodies are most of a post's bytes.
const BODY_SLICE: usize = 100_000;

/// What the frequencies on disk count.
#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Counted {
    fingerprint: u64,
    /// Part (relative path, as in the manifest) → its size in bytes.
    parts: Vec<(String, u64)>,
}

/// The features of every post of the data folder, in the order of its parts and rows.
pub struct Features {
    pub table: FeatureTable,
    /// Bigram document frequencies per month (every post counted).
    pub monthly: MonthlyFrequencies,
    /// Posts whose features were computed on this run (the others came from the cache).
    pub computed: usize,
    /// Per part, in the order of the table's rows.
    parts: Vec<PartRows>,
}

/// A part of the posts table as the cache knows it: its name, size, rows and a hash of its
/// post ids.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartRows {
    pub part: String,
    pub bytes: u64,
    pub rows: usize,
    pub ids_hash: u64,
}

impl Features {
    /// The features of every part of the posts table: from the cache where it holds them,
    /// otherwise computed from the part's subjects and bodies.
    pub fn load_or_compute(dir: &DataDir, config: &RecurringConfig) -> Result<Features> {
        let parts = dir.manifest.tables.get("posts").cloned().unwrap_or_default();
        let print = fingerprint(config);
        let counted = read_counted(dir, print);
        let mut frequencies = counted.as_ref().and_then(|_| read_frequencies(dir));
        let mut reused: HashMap<String, PartRows> = HashMap::new();
        if let (Some(counted), Some(_)) = (&counted, &frequencies) {
            for (part, bytes) in &counted.parts {
                match read_header(dir, part, *bytes, print) {
                    Some(found) if parts.contains(part) && size_of(dir, part) == Some(*bytes) => {
                        reused.insert(part.clone(), found);
                    }
                    // A counted part gone or changed: its bigrams cannot be taken out.
                    _ => {
                        reused.clear();
                        frequencies = None;
                        break;
                    }
                }
            }
        }
        let mut frequencies = frequencies.unwrap_or_default();
        let (mut table, mut rows, mut computed) = (FeatureTable::default(), Vec::new(), 0);
        table.reserve(tables::count_rows(&dir.parts("posts"))?, config);
        let (mut buffer, count_tables) = (Vec::new(), features::CountTables::default());
        for part in &parts {
            let part_rows = match reused.remove(part) {
                Some(found) if append_part(dir, &found, print, &mut table, &mut buffer) => found,
                Some(_) => {
                    // A file whose body is not the table its header announces: the counts it
                    // went into cannot be taken apart, so every feature is computed again.
                    tracing::warn!(part = %part, "a cached features file is damaged: computing every post's features again");
                    Features::clear(dir)?;
                    return Features::load_or_compute(dir, config);
                }
                None => {
                    let first = table.len();
                    let (counts, part_rows) = compute_part(dir, part, config, &count_tables, &mut table)?;
                    frequencies.merge(&counts);
                    computed += part_rows.rows;
                    write_part(dir, &part_rows, &table.rows_to_bytes(first), print)?;
                    part_rows
                }
            };
            rows.push(part_rows);
        }
        if computed > 0 || counted.is_none() {
            // The list of counted parts goes first and comes back last: a run stopped between
            // the two writes leaves no list, so the next run counts every part anew instead of
            // adding the new parts' bigrams a second time.
            match std::fs::remove_file(dir.path(PARTS_FILE)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("cannot replace {}", dir.path(PARTS_FILE).display())),
            }
            // (with no posts no part made the folder)
            std::fs::create_dir_all(dir.path(FEATURES_DIR)).with_context(|| format!("cannot create {FEATURES_DIR}"))?;
            store::write_atomically(&dir.path(FREQUENCIES_FILE), &frequencies.to_bytes())?;
            // Features version 1 kept the counts of the whole table, not per month.
            let _ = std::fs::remove_file(dir.path("issues/features/frequencies.bin"));
            let counted =
                Counted { fingerprint: print, parts: rows.iter().map(|r| (r.part.clone(), r.bytes)).collect() };
            store::write_atomically(&dir.path(PARTS_FILE), &serde_json::to_vec_pretty(&counted)?)?;
        }
        remove_stale(dir, &parts);
        Ok(Features { table, monthly: frequencies, computed, parts: rows })
    }

    /// The parts these features cover, in the order of the table's rows.
    pub fn parts(&self) -> &[PartRows] {
        &self.parts
    }

    /// Whether `posts` (the posts table read part after part) are the posts these features
    /// were computed for, row for row.
    pub fn match_posts(&self, posts: &[IssuePost]) -> bool {
        let mut start = 0;
        for part in &self.parts {
            let Some(rows) = posts.get(start..start + part.rows) else { return false };
            if ids_hash(rows.iter().map(|p| p.post_id)) != part.ids_hash {
                return false;
            }
            start += part.rows;
        }
        start == posts.len()
    }

    /// Forgets the cache: the next run computes every feature again.
    pub fn clear(dir: &DataDir) -> Result<()> {
        let folder = dir.path(FEATURES_DIR);
        if folder.exists() {
            std::fs::remove_dir_all(&folder).with_context(|| format!("cannot remove {}", folder.display()))?;
        }
        Ok(())
    }
}

/// The bigram counts of one part, its bodies read a slice at a time; its features are appended
/// to `table`.
fn compute_part(
    dir: &DataDir,
    part: &str,
    config: &RecurringConfig,
    count_tables: &features::CountTables,
    table: &mut FeatureTable,
) -> Result<(MonthlyFrequencies, PartRows)> {
    let path = [dir.path(part)];
    let rows = tables::count_rows(&path)?;
    let mut frequencies = MonthlyFrequencies::default();
    let mut ids: Vec<String> = Vec::with_capacity(rows);
    let read = |offset: usize| {
        let columns = ["post_id", "subject", "body", "posted_at"];
        tables::read_table_slice(&path, &columns, Some((offset, BODY_SLICE)))
    };
    let offsets: Vec<usize> = (0..rows).step_by(BODY_SLICE).collect();
    // The next slice is read on a thread of its own while this one's features are computed: the
    // reading had left the cores of the computing a quarter idle.
    std::thread::scope(|scope| -> Result<()> {
        let mut next = offsets.first().map(|&offset| scope.spawn(move || read(offset)));
        for k in 0..offsets.len() {
            let Some(reading) = next.take() else { break };
            let frame = reading.join().map_err(|_| anyhow::anyhow!("the thread reading posts panicked"))??;
            next = offsets.get(k + 1).map(|&offset| scope.spawn(move || read(offset)));
            let Some(frame) = frame else { break };
            let s = |name: &str| frame.column(name).and_then(|c| c.str());
            let (id, subject, body) = (s("post_id")?, s("subject")?, s("body")?);
            let times = frame.column("posted_at")?.as_materialized_series().cast(&DataType::Int64)?;
            let times = times.i64()?;
            let posts: Vec<IssuePost> = (0..frame.height())
                .map(|i| IssuePost {
                    post_id: id.get(i).unwrap_or_default(),
                    subject: subject.get(i).unwrap_or_default(),
                    body: body.get(i).unwrap_or_default(),
                    posted_at: times.get(i).unwrap_or_default(),
                    ..IssuePost::default()
                })
                .collect();
            let (features, counts) = features::compute_with(&posts, config, count_tables);
            table.extend(&features);
            frequencies.merge(&counts);
            ids.extend(posts.iter().map(|p| p.post_id.to_string()));
        }
        Ok(())
    })?;
    let bytes = size_of(dir, part).with_context(|| format!("cannot read the size of {part}"))?;
    let rows =
        PartRows { part: part.to_string(), bytes, rows: ids.len(), ids_hash: ids_hash(ids.iter().map(String::as_str)) };
    Ok((frequencies, rows))
}

/// Header of a part's features file: fingerprint, part size, rows, ids hash (u64 each).
/// Keeps the features of a part (`features`: [`FeatureTable::to_bytes`] of its rows).
fn write_part(dir: &DataDir, rows: &PartRows, features: &[u8], print: u64) -> Result<()> {
    let path = cache_file(dir, &rows.part);
    std::fs::create_dir_all(dir.path(FEATURES_DIR)).with_context(|| format!("cannot create {FEATURES_DIR}"))?;
    let mut header = Vec::with_capacity(32);
    for word in [print, rows.bytes, rows.rows as u64, rows.ids_hash] {
        header.extend_from_slice(&word.to_le_bytes());
    }
    // The features of a 400,000-post part are over 200 MB: written after the header, not copied behind it.
    store::write_atomically_in_pieces(&path, &[&header, features])
}

/// The header of a part's features file, when it is that of `part` as it is now (`bytes` long)
/// and of this config (`print`).
fn read_header(dir: &DataDir, part: &str, bytes: u64, print: u64) -> Option<PartRows> {
    let mut header = [0; 32];
    File::open(cache_file(dir, part)).and_then(|mut file| file.read_exact(&mut header)).ok()?;
    parse_header(&header, part, bytes, print)
}

fn parse_header(data: &[u8], part: &str, bytes: u64, print: u64) -> Option<PartRows> {
    let word = |i: usize| data.get(8 * i..8 * i + 8).map(|w| u64::from_le_bytes(w.try_into().expect("eight bytes")));
    let (found_print, found_bytes, rows, ids_hash) = (word(0)?, word(1)?, word(2)? as usize, word(3)?);
    (found_print == print && found_bytes == bytes).then(|| PartRows { part: part.to_string(), bytes, rows, ids_hash })
}

/// Appends the features of a part's file to `table`, read through `buffer` (kept between parts,
/// so that its memory is not made anew for each); `false` when the file is not what its header
/// read before said.
fn append_part(dir: &DataDir, rows: &PartRows, print: u64, table: &mut FeatureTable, buffer: &mut Vec<u8>) -> bool {
    let read = |buffer: &mut Vec<u8>| -> std::io::Result<()> {
        let mut file = File::open(cache_file(dir, &rows.part))?;
        buffer.clear();
        buffer.reserve(file.metadata()?.len() as usize);
        file.read_to_end(buffer).map(|_| ())
    };
    if read(buffer).is_err() || parse_header(buffer, &rows.part, rows.bytes, print).as_ref() != Some(rows) {
        return false;
    }
    let before = table.len();
    table.append_bytes(&buffer[32..]) && table.len() - before == rows.rows
}

fn read_counted(dir: &DataDir, print: u64) -> Option<Counted> {
    let text = std::fs::read(dir.path(PARTS_FILE)).ok()?;
    let counted: Counted = serde_json::from_slice(&text).ok()?;
    (counted.fingerprint == print).then_some(counted)
}

fn read_frequencies(dir: &DataDir) -> Option<MonthlyFrequencies> {
    MonthlyFrequencies::from_bytes(&std::fs::read(dir.path(FREQUENCIES_FILE)).ok()?)
}

/// Removes the features of parts the table no longer has.
fn remove_stale(dir: &DataDir, parts: &[String]) {
    let live: Vec<PathBuf> = parts.iter().map(|p| cache_file(dir, p)).collect();
    let Ok(entries) = std::fs::read_dir(dir.path(FEATURES_DIR)) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "part") && !live.contains(&path) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `posts/year=2019/part-000001.parquet` → `DIR/issues/features/posts_year=2019_part-000001.parquet.part`.
fn cache_file(dir: &DataDir, part: &str) -> PathBuf {
    dir.path(FEATURES_DIR).join(format!("{}.part", part.replace(['/', '\\'], "_")))
}

fn size_of(dir: &DataDir, part: &str) -> Option<u64> {
    std::fs::metadata(dir.path(part)).ok().map(|m| m.len())
}

/// FNV-1a over the ids, each ended by a zero byte.
fn ids_hash<'a>(ids: impl Iterator<Item = &'a str>) -> u64 {
    let bytes = ids.flat_map(|id| id.bytes().chain([0]));
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
