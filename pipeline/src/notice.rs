//! `wenzheng notice`: the criticism notice (通报) of a period, from a data folder, as an Excel
//! workbook or Markdown text (reports::notice builds and renders it).

use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::{DataFrame, ParquetReader, SerReader};
use reports::notice::{self, Notice, NoticeError, NoticeInputs};

use crate::ingest::BadInput;
use crate::score::SCORES_FILE;
use crate::store::DataDir;
use crate::tables;

/// What `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeFormat {
    Xlsx,
    Markdown,
}

impl NoticeFormat {
    pub fn parse(text: &str) -> Option<NoticeFormat> {
        match text.to_ascii_lowercase().as_str() {
            "xlsx" | "excel" => Some(NoticeFormat::Xlsx),
            "md" | "markdown" => Some(NoticeFormat::Markdown),
            _ => None,
        }
    }
}

/// The overdue lists of the indicators stage, preferred in this order when present.
const FACTS_FILES: [&str; 2] = ["reports/post_facts.parquet", "reports/overdue.parquet"];

/// Builds the notice of `from..=to` from the data folder and writes it to `out`.
pub fn write_notice(dir: &DataDir, from: NaiveDate, to: NaiveDate, out: &Path, format: NoticeFormat) -> Result<Notice> {
    if from > to {
        return Err(bad_input("--from/--to", &NoticeError::BadRange { from, to }.to_string()));
    }
    let root = dir.root().display().to_string();
    let posts = tables::read_table(&dir.parts("posts"), &["post_id", "subject", "posted_at", "kind", "unit"])?
        .ok_or_else(|| bad_input(&root, "the data folder has no posts: run `wenzheng run <FILES> --out DIR` first"))?;
    let replies = tables::read_table(&dir.parts("replies"), &["reply_id", "post_id", "unit", "body", "replied_at"])?
        .ok_or_else(|| bad_input(&root, "the data folder has no replies: ingest a file with replies first"))?;
    let scores_path = dir.path(SCORES_FILE);
    if !scores_path.exists() {
        return Err(bad_input(&root, "the replies are not scored yet: run `wenzheng score --data DIR` first"));
    }
    let scores = tables::read_table(
        std::slice::from_ref(&scores_path),
        &["reply_id", "evasive_level", "vague_level", "reply_type", "evidence"],
    )?
    .context("scores vanished")?;
    let facts = read_facts(dir)?;
    let inputs = NoticeInputs { posts: &posts, replies: &replies, scores: &scores, facts: facts.as_ref() };
    let config = crate::config::Config::load(dir.root())?;
    // The period was checked above: what fails here is a table without a column it needs.
    let notice = notice::build_notice(&inputs, from, to, &config.deadlines, &config.calendar.calendar())?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    match format {
        NoticeFormat::Xlsx => notice::write_xlsx(&notice, out)?,
        NoticeFormat::Markdown => crate::store::write_atomically(out, notice::to_markdown(&notice).as_bytes())?,
    }
    Ok(notice)
}

/// The first of reports/post_facts.parquet and reports/overdue.parquet that exists; `None`
/// (overdue posts computed from the posts and replies) when neither does.
fn read_facts(dir: &DataDir) -> Result<Option<DataFrame>> {
    let Some(path) = FACTS_FILES.iter().map(|f| dir.path(f)).find(|p| p.exists()) else { return Ok(None) };
    let file = std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let frame = ParquetReader::new(file).finish().with_context(|| format!("cannot read {}", path.display()))?;
    tracing::info!(file = %path.display(), "overdue posts from the indicators stage");
    Ok(Some(frame))
}

fn bad_input(file: &str, reason: &str) -> anyhow::Error {
    BadInput { file: file.to_string(), sheet: None, reason: reason.to_string() }.into()
}
