//! The four CSV files of a sample corpus, written as rows are made (nothing is held back).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use anyhow::{anyhow, Context, Result};

use super::city::{City, AREAS};
use super::Planted;

type Sink = csv::Writer<BackgroundFile>;

/// Bytes handed to the writing thread at a time.
const CHUNK: usize = 4 << 20;

/// A file written by its own thread: the generator fills a buffer, the thread does the system
/// calls. Copying a gigabyte into the page cache costs about as much as making it, so this
/// roughly halves the time of a large corpus on two cores; the bytes are the same.
struct BackgroundFile {
    buf: Vec<u8>,
    send: Option<SyncSender<Vec<u8>>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl BackgroundFile {
    fn new(mut file: File) -> BackgroundFile {
        let (send, receive) = sync_channel::<Vec<u8>>(2);
        let thread = std::thread::spawn(move || {
            for chunk in receive {
                file.write_all(&chunk)?;
            }
            file.flush()
        });
        BackgroundFile { buf: Vec::with_capacity(CHUNK), send: Some(send), thread: Some(thread) }
    }

    fn hand_over(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        let send = self.send.as_ref().ok_or_else(|| io::Error::other("file already closed"))?;
        if send.send(chunk).is_err() {
            // The thread stopped on an error; `close` reports it.
            return self.close();
        }
        Ok(())
    }

    /// Writes what is left and waits for the thread; returns its first error.
    fn close(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() && self.send.is_some() {
            let chunk = std::mem::take(&mut self.buf);
            let _ = self.send.as_ref().map(|s| s.send(chunk));
        }
        self.send = None;
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| io::Error::other("writer thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Write for BackgroundFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.hand_over()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for BackgroundFile {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

pub const POSTS_HEADER: [&str; 10] =
    ["post_id", "user_id", "subject", "body", "posted_at", "unit", "kind", "likes", "dislikes", "category"];
pub const REPLIES_HEADER: [&str; 5] = ["reply_id", "post_id", "unit", "body", "replied_at"];
pub const TRUTH_HEADER: [&str; 5] = ["post_id", "reply_id", "planted", "cluster_id", "detail"];
pub const UNITS_HEADER: [&str; 6] = ["unit", "level", "district", "speed_factor", "p_evasive", "p_vague"];

/// One post row; numbers already formatted by the caller's reusable buffers.
pub struct PostRow<'a> {
    pub post_id: u64,
    pub user_id: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub posted_at: &'a str,
    pub unit: &'a str,
    pub kind: &'a str,
    pub likes: u32,
    pub dislikes: u32,
    pub category: &'a str,
}

pub struct Output {
    posts: Sink,
    replies: Sink,
    truth: Sink,
    dir: PathBuf,
    /// Scratch for number formatting, so rows allocate nothing.
    nums: [String; 4],
}

fn open(dir: &Path, name: &str, header: &[&str]) -> Result<Sink> {
    let path = dir.join(name);
    let file = File::create(&path)
        .with_context(|| format!("cannot create {}\nhint: check that the folder is writable", path.display()))?;
    let mut sink = csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(BackgroundFile::new(file));
    sink.write_record(header)?;
    Ok(sink)
}

fn set_num(buf: &mut String, n: u64) {
    use std::fmt::Write as _;
    buf.clear();
    let _ = write!(buf, "{n}");
}

impl Output {
    pub fn create(dir: &Path) -> Result<Output> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}\nhint: choose a writable --out", dir.display()))?;
        Ok(Output {
            posts: open(dir, "posts.csv", &POSTS_HEADER)?,
            replies: open(dir, "replies.csv", &REPLIES_HEADER)?,
            truth: open(dir, "truth.csv", &TRUTH_HEADER)?,
            dir: dir.to_path_buf(),
            nums: Default::default(),
        })
    }

    pub fn post(&mut self, row: &PostRow) -> Result<()> {
        let [id, likes, dislikes, _] = &mut self.nums;
        set_num(id, row.post_id);
        set_num(likes, row.likes.into());
        set_num(dislikes, row.dislikes.into());
        self.posts.write_record([
            id.as_str(),
            row.user_id,
            row.subject,
            row.body,
            row.posted_at,
            row.unit,
            row.kind,
            likes.as_str(),
            dislikes.as_str(),
            row.category,
        ])?;
        Ok(())
    }

    pub fn reply(&mut self, reply_id: u64, post_id: u64, unit: &str, body: &str, replied_at: &str) -> Result<()> {
        let [rid, pid, _, _] = &mut self.nums;
        set_num(rid, reply_id);
        set_num(pid, post_id);
        self.replies.write_record([rid.as_str(), pid.as_str(), unit, body, replied_at])?;
        Ok(())
    }

    /// One planted fact; `reply_id` and `cluster_id` are 0 when the fact has none.
    pub fn truth(
        &mut self,
        post_id: u64,
        reply_id: u64,
        planted: Planted,
        cluster_id: u32,
        detail: &str,
    ) -> Result<()> {
        let [pid, rid, cid, _] = &mut self.nums;
        set_num(pid, post_id);
        rid.clear();
        if reply_id > 0 {
            set_num(rid, reply_id);
        }
        cid.clear();
        if cluster_id > 0 {
            set_num(cid, cluster_id.into());
        }
        self.truth.write_record([pid.as_str(), rid.as_str(), planted.as_str(), cid.as_str(), detail])?;
        Ok(())
    }

    /// Writes units.csv and flushes everything.
    pub fn finish(self, city: &City) -> Result<()> {
        let mut units = open(&self.dir, "units.csv", &UNITS_HEADER)?;
        for unit in &city.units {
            let district = unit.area.map_or("", |a| AREAS[a].name);
            units.write_record([
                unit.name.as_str(),
                unit.level.as_str(),
                district,
                &format!("{:.4}", unit.speed_factor),
                &format!("{:.4}", unit.p_evasive),
                &format!("{:.4}", unit.p_vague),
            ])?;
        }
        for (name, sink) in [("posts", self.posts), ("replies", self.replies), ("truth", self.truth), ("units", units)]
        {
            let mut file = sink.into_inner().map_err(|e| anyhow!("cannot write {name}.csv: {}", e.error()))?;
            file.close().with_context(|| format!("cannot write {name}.csv\nhint: is the disk full?"))?;
        }
        Ok(())
    }
}
