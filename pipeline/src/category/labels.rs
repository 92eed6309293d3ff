//! Posts to train on, evaluate or classify, read from a csv / jsonl / xlsx file: a post id,
//! a category (`一级分类|category`, optional when classifying) and the post's text, raw
//! (`text`, or `subject` + `body` / `留言主题` + `留言详情`) or pre-segmented (`seg_text`).

use std::path::Path;

use anyhow::Result;
use models::category::Document;
use models::text;

use crate::ingest::source;
use crate::ingest::values::{self, Cell};
use crate::ingest::BadInput;

/// The text of a post as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum PostText {
    Raw(String),
    Segmented(String),
}

/// One post of the file.
#[derive(Debug, Clone)]
pub struct InputPost {
    /// The row a person opening the file would see (header = row 1).
    pub row: usize,
    /// `留言编号|post_id`, or the row number when the file has no id column.
    pub post_id: String,
    pub category: Option<String>,
    pub text: PostText,
    /// What decides the post's side of the train/test split: `seg_text` when the file has
    /// it (every row of the labelled set does), else the raw text.
    pub split_key: String,
}

impl InputPost {
    pub fn document(&self) -> Document<'_> {
        match &self.text {
            PostText::Raw(t) => Document::Raw(t),
            PostText::Segmented(t) => Document::Segmented(t),
        }
    }
}

/// Which text to classify when a row has both raw and segmented text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// The raw text, segmented as the product segments posts (the default: it is what
    /// ingest classifies).
    Raw,
    Segmented,
}

/// The posts of a file, and how many rows were left out because they had no text.
pub struct InputPosts {
    pub posts: Vec<InputPost>,
    pub without_text: usize,
    pub has_category: bool,
}

#[derive(Default)]
struct Columns {
    post_id: Option<usize>,
    category: Option<usize>,
    text: Option<usize>,
    seg_text: Option<usize>,
    subject: Option<usize>,
    body: Option<usize>,
}

fn normalise_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\u{3000}')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Columns {
    fn of(header: &[String]) -> Columns {
        let mut columns = Columns::default();
        for (i, h) in header.iter().enumerate() {
            let slot = match normalise_header(h).as_str() {
                "留言编号" | "postid" | "id" => &mut columns.post_id,
                "一级分类" | "category" => &mut columns.category,
                "text" => &mut columns.text,
                "segtext" => &mut columns.seg_text,
                "留言主题" | "subject" | "title" => &mut columns.subject,
                "留言详情" | "留言内容" | "body" => &mut columns.body,
                _ => continue,
            };
            slot.get_or_insert(i);
        }
        columns
    }
}

/// Reads every table of `path`. Refuses a file without text columns, or without a
/// category column when `need_category`.
pub fn read_posts(path: &Path, need_category: bool, prefer: Prefer) -> Result<InputPosts> {
    let bad = |reason: String| BadInput { file: path.display().to_string(), sheet: None, reason };
    let sources = source::open(path).map_err(bad)?;
    let mut out = InputPosts { posts: Vec::new(), without_text: 0, has_category: false };
    for mut table in sources {
        let columns = Columns::of(table.header());
        let sheet = table.sheet().map(str::to_string);
        let bad = |reason: String| BadInput { file: path.display().to_string(), sheet: sheet.clone(), reason };
        if columns.text.is_none() && columns.seg_text.is_none() && columns.subject.is_none() && columns.body.is_none() {
            return Err(bad(format!(
                "no text column among {}: use text, seg_text, or subject + body (留言主题 + 留言详情)",
                table.header().join(", ")
            ))
            .into());
        }
        if need_category && columns.category.is_none() {
            return Err(bad("no category column: name it 一级分类 or category".into()).into());
        }
        out.has_category |= columns.category.is_some();
        loop {
            let rows = table.next_batch(crate::ingest::BATCH_ROWS).map_err(&bad)?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let row = row.map_err(|(row, reason, _raw)| bad(format!("row {row}: {reason}")))?;
                let cell = |i: Option<usize>| -> String {
                    i.and_then(|i| row.cells.get(i))
                        .map(Cell::to_text)
                        .map(|t| text::clean_text(&t))
                        .unwrap_or_default()
                };
                let raw = match cell(columns.text) {
                    t if !t.is_empty() => t,
                    _ => [cell(columns.subject), cell(columns.body)].join("\n").trim().to_string(),
                };
                // Not cleaned: the cleaner drops the spaces between Chinese characters, and
                // here they are the segmentation ("公交 线路" would become one word).
                let segmented = columns
                    .seg_text
                    .and_then(|i| row.cells.get(i))
                    .map(|c| c.to_text().trim().to_string())
                    .unwrap_or_default();
                let split_key = if segmented.is_empty() { raw.clone() } else { segmented.clone() };
                let text = match (raw.is_empty(), segmented.is_empty(), prefer) {
                    (true, true, _) => {
                        out.without_text += 1;
                        continue;
                    }
                    (false, false, Prefer::Segmented) | (true, false, _) => PostText::Segmented(segmented),
                    _ => PostText::Raw(raw),
                };
                let id_cell = columns.post_id.and_then(|i| row.cells.get(i));
                out.posts.push(InputPost {
                    row: row.row,
                    post_id: id_cell.and_then(values::parse_id).unwrap_or_else(|| format!("row{}", row.row)),
                    category: Some(cell(columns.category)).filter(|c| !c.is_empty()),
                    text,
                    split_key,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(csv: &str, prefer: Prefer, expected: &[PostText]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.csv");
        std::fs::write(&path, csv).unwrap();
        let read = read_posts(&path, true, prefer).unwrap();
        let texts: Vec<PostText> = read.posts.into_iter().map(|p| p.text).collect();
        assert_eq!(texts, expected, "{csv}");
    }

    #[test]
    fn segmented_text_keeps_its_words_and_raw_text_is_cleaned() {
        let csv = "category,text,seg_text\n\
                   交通运输,,公交 线路  太少 \n\
                   交通运输,\"公交\t线路_x000D_太少\",公交 线路 太少\n";
        let seg = |t: &str| PostText::Segmented(t.to_string());
        let raw = |t: &str| PostText::Raw(t.to_string());
        check(csv, Prefer::Raw, &[seg("公交 线路  太少"), raw("公交线路\n太少")]);
        check(csv, Prefer::Segmented, &[seg("公交 线路  太少"), seg("公交 线路 太少")]);
    }
}
