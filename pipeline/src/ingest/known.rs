//! What the data folder already holds, as far as ingest needs to know: the content hash of every
//! stored post and reply (duplicates and conflicting ids), the posts' regions (units of later
//! replies) and the times of each post's replies (`seq`).
//!
//! Looked up batch by batch for the ids the batch holds ([`KnownRecords::look_up`]), not loaded
//! whole: a day's file into a folder of a million posts then reads the stored id columns once
//! (Arrow strings, no map) and the hashes of the few rows that match, instead of hashing two
//! million rows into maps (most of such a run's time before).

use std::path::PathBuf;

use anyhow::Result;
use polars::prelude::*;

use crate::store::DataDir;
use crate::tables;

// Hashed with foldhash, as polars does: the default SipHash of these maps was 2% of ingest.
pub type HashMap<K, V> = PlHashMap<K, V>;
pub type HashSet<V> = PlHashSet<V>;

/// post_id → its replies' (time in ms, reply_id), sorted: what `seq` is computed from.
pub type ReplyTimes = HashMap<String, Vec<(i64, String)>>;

pub struct KnownRecords {
    /// post_id → content hash, of the posts looked up or written by this run.
    pub posts: HashMap<String, String>,
    /// post_id → region, to resolve "我镇"-style signatures of later replies.
    pub regions: HashMap<String, String>,
    /// post_id → when it was posted (ms), to refuse a reply of another file dated before it.
    pub post_times: HashMap<String, i64>,
    /// An id held by more than one post (an export reused it: the later post was kept as
    /// `<id>~<source>`) → the renamed copies held, of the ids looked up.
    pub renamed: HashMap<String, Vec<String>>,
    /// post_id → (likes, dislikes, unit) of the stored posts looked up: what a later export of
    /// the same post may have changed.
    pub post_values: HashMap<String, (i64, i64, Option<String>)>,
    /// reply_id → content hash.
    pub replies: HashMap<String, String>,
    /// post_id → its replies' (time, reply_id), complete for every post in `timed`.
    pub reply_times: ReplyTimes,
    /// Posts whose stored replies' times are in `reply_times`.
    timed: HashSet<String>,
    stored: Stored,
}

/// The id columns of the stored tables, read once.
struct Stored {
    post_parts: Vec<PathBuf>,
    reply_parts: Vec<PathBuf>,
    post_ids: Option<StringChunked>,
    reply_ids: Option<StringChunked>,
    reply_posts: Option<StringChunked>,
}

impl KnownRecords {
    pub fn load(dir: &DataDir) -> Result<KnownRecords> {
        let (post_parts, reply_parts) = (dir.parts("posts"), dir.parts("replies"));
        let column = |frame: &Option<DataFrame>, name: &str| -> Result<Option<StringChunked>> {
            Ok(match frame {
                Some(frame) => Some(frame.column(name)?.str()?.clone()),
                None => None,
            })
        };
        let posts = tables::read_table(&post_parts, &["post_id"])?;
        let replies = tables::read_table(&reply_parts, &["reply_id", "post_id"])?;
        let stored = Stored {
            post_ids: column(&posts, "post_id")?,
            reply_ids: column(&replies, "reply_id")?,
            reply_posts: column(&replies, "post_id")?,
            post_parts,
            reply_parts,
        };
        Ok(KnownRecords {
            posts: HashMap::default(),
            regions: HashMap::default(),
            post_times: HashMap::default(),
            renamed: HashMap::default(),
            post_values: HashMap::default(),
            replies: HashMap::default(),
            reply_times: HashMap::default(),
            timed: HashSet::default(),
            stored,
        })
    }

    /// Loads what the folder holds of the posts `post_ids`, the replies `reply_ids` and the
    /// posts `replied` (answered by replies of the batch): their hashes, regions and reply
    /// times. A stored record under a conflict's name (`<id>~<source>`) is loaded with its id.
    pub fn look_up<'a>(
        &mut self,
        post_ids: impl IntoIterator<Item = &'a str>,
        reply_ids: impl IntoIterator<Item = &'a str>,
        replied: impl IntoIterator<Item = &'a str>,
    ) -> Result<()> {
        let replied: HashSet<&str> = replied.into_iter().filter(|id| !self.timed.contains(*id)).collect();
        let posts: HashSet<&str> =
            post_ids.into_iter().chain(replied.iter().copied()).filter(|id| !self.posts.contains_key(*id)).collect();
        let replies: HashSet<&str> = reply_ids.into_iter().filter(|id| !self.replies.contains_key(*id)).collect();
        self.timed.extend(replied.iter().map(|id| id.to_string()));

        if let Some(ids) = self.stored.post_ids.as_ref().filter(|_| !posts.is_empty()) {
            let rows = matching(ids, &|id| held_as(id, &posts));
            let columns = ["post_id", "content_hash", "region", "posted_at", "likes", "dislikes", "unit"];
            if let Some(found) = read(&self.stored.post_parts, &columns, rows)? {
                let (ids, hashes, regions) = (
                    found.column("post_id")?.str()?,
                    found.column("content_hash")?.str()?,
                    found.column("region")?.str()?,
                );
                let times = found.column("posted_at")?.cast(&DataType::Int64)?;
                let times = times.i64()?;
                let (likes, dislikes) = (found.column("likes")?.i64()?, found.column("dislikes")?.i64()?);
                let units = found.column("unit")?.str()?;
                for i in 0..found.height() {
                    let id = ids.get(i).unwrap_or_default();
                    self.post_values.entry(id.to_string()).or_insert_with(|| {
                        (likes.get(i).unwrap_or(0), dislikes.get(i).unwrap_or(0), units.get(i).map(str::to_string))
                    });
                    if let Some(region) = regions.get(i) {
                        self.regions.entry(id.to_string()).or_insert_with(|| region.to_string());
                    }
                    if let Some(time) = times.get(i) {
                        self.post_times.entry(id.to_string()).or_insert(time);
                    }
                    if !self.posts.contains_key(id) {
                        for base in renamed_from(id).filter(|base| posts.contains(base)) {
                            self.renamed.entry(base.to_string()).or_default().push(id.to_string());
                        }
                    }
                    self.posts.entry(id.to_string()).or_insert_with(|| hashes.get(i).unwrap_or_default().to_string());
                }
            }
        }
        let (Some(ids), Some(posts_of)) = (&self.stored.reply_ids, &self.stored.reply_posts) else { return Ok(()) };
        if replies.is_empty() && replied.is_empty() {
            return Ok(());
        }
        let rows: Vec<usize> = ids
            .iter()
            .zip(posts_of.iter())
            .enumerate()
            .filter(|(_, (id, post))| {
                id.is_some_and(|id| held_as(id, &replies)) || post.is_some_and(|p| replied.contains(p))
            })
            .map(|(i, _)| i)
            .collect();
        let columns = ["reply_id", "post_id", "content_hash", "replied_at"];
        let Some(found) = read(&self.stored.reply_parts, &columns, rows)? else { return Ok(()) };
        let (ids, post_ids, hashes) =
            (found.column("reply_id")?.str()?, found.column("post_id")?.str()?, found.column("content_hash")?.str()?);
        let times = found.column("replied_at")?.cast(&DataType::Int64)?;
        let times = times.i64()?;
        for i in 0..found.height() {
            let id = ids.get(i).unwrap_or_default();
            if held_as(id, &replies) {
                self.replies.entry(id.to_string()).or_insert_with(|| hashes.get(i).unwrap_or_default().to_string());
            }
            let post = post_ids.get(i).unwrap_or_default();
            if replied.contains(post) {
                // (its hash too: a re-export's reply whose time lost its seconds is told from it)
                self.replies.entry(id.to_string()).or_insert_with(|| hashes.get(i).unwrap_or_default().to_string());
                self.reply_times
                    .entry(post.to_string())
                    .or_default()
                    .push((times.get(i).unwrap_or_default(), id.to_string()));
            }
        }
        for post in &replied {
            if let Some(times) = self.reply_times.get_mut(*post) {
                times.sort();
            }
        }
        Ok(())
    }
}

/// Whether a stored id is one of `wanted`, or a conflict's rename of one (`<id>~<source>`).
fn held_as(stored: &str, wanted: &HashSet<&str>) -> bool {
    wanted.contains(stored) || renamed_from(stored).any(|id| wanted.contains(id))
}

/// The ids a stored id may be a renamed copy of: "216065~posts_unlabelled~2" → "216065",
/// "216065~posts_unlabelled" (a record whose id was taken is kept as `<id>~<source>`).
pub(super) fn renamed_from(stored: &str) -> impl Iterator<Item = &str> {
    stored.match_indices('~').map(|(at, _)| &stored[..at])
}

/// The positions of the ids that pass `wanted`.
fn matching(ids: &StringChunked, wanted: &dyn Fn(&str) -> bool) -> Vec<usize> {
    ids.iter().enumerate().filter(|(_, id)| id.is_some_and(wanted)).map(|(i, _)| i).collect()
}

fn read(parts: &[PathBuf], columns: &[&str], rows: Vec<usize>) -> Result<Option<DataFrame>> {
    if rows.is_empty() {
        return Ok(None);
    }
    tables::read_rows(parts, columns, rows)
}
