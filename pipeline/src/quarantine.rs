//! `wenzheng quarantine`: what ingest set aside, and the way back in.
//!
//! Every row ingest could not use is kept in `DIR/quarantine/` with the file, row, field and
//! reason, and the row itself as JSON under the file's own headers (`raw`). Those JSON objects
//! are lines ingest reads: written to a `.jsonl` file, corrected, and given to `wenzheng ingest`
//! again, they are taken in like the rows of the original export (a post already written is a
//! duplicate and dropped, so a row whose reply alone was set aside adds the reply). The
//! quarantine is a log: its rows stay after they are ingested again, and rows still wrong in the
//! corrected file are set aside under that file's name, so `--file` picks one round's rows.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::ingest::BadInput;
use crate::store::{write_atomically, DataDir};
use crate::tables::read_table;

/// One row of the quarantine table.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantinedRow {
    pub file: String,
    pub sheet: Option<String>,
    pub row: i64,
    pub record: String,
    pub field: String,
    pub reason: String,
    pub raw: String,
}

impl QuarantinedRow {
    /// Whether ingest read the row into cells: `raw` is then a JSON object under the file's
    /// headers (a line that is not CSV, JSON or UTF-8 keeps its text instead).
    fn has_cells(&self) -> bool {
        matches!(serde_json::from_str(&self.raw), Ok(serde_json::Value::Object(_)))
    }
}

/// The quarantined rows of the data folder, of one input file when `file` is given (its name
/// as ingest printed it), in the order they were set aside.
pub fn read(dir: &DataDir, file: Option<&str>) -> Result<Vec<QuarantinedRow>> {
    let columns = ["file", "sheet", "row", "record", "field", "reason", "raw"];
    let Some(frame) = read_table(&dir.parts("quarantine"), &columns)? else { return Ok(Vec::new()) };
    let text = |name: &str| -> Result<Vec<Option<String>>> {
        Ok(frame.column(name)?.str()?.iter().map(|v| v.map(str::to_string)).collect())
    };
    let (files, sheets, records, fields, reasons, raws) =
        (text("file")?, text("sheet")?, text("record")?, text("field")?, text("reason")?, text("raw")?);
    let rows: Vec<Option<i64>> = frame.column("row")?.i64()?.iter().collect();
    let mut out = Vec::with_capacity(rows.len());
    for i in 0..rows.len() {
        let row = QuarantinedRow {
            file: files[i].clone().unwrap_or_default(),
            sheet: sheets[i].clone(),
            row: rows[i].unwrap_or(0),
            record: records[i].clone().unwrap_or_default(),
            field: fields[i].clone().unwrap_or_default(),
            reason: reasons[i].clone().unwrap_or_default(),
            raw: raws[i].clone().unwrap_or_default(),
        };
        if file.is_none_or(|name| row.file == name) {
            out.push(row);
        }
    }
    if out.is_empty() {
        if let Some(name) = file {
            let ingested = |path: &str| Path::new(path).file_name().is_some_and(|n| n.to_string_lossy() == name);
            if dir.manifest.inputs.iter().any(|input| ingested(&input.path)) {
                return Ok(out);
            }
            let known: BTreeSet<String> = files.into_iter().flatten().collect();
            let known =
                if known.is_empty() { "none".to_string() } else { known.into_iter().collect::<Vec<_>>().join(", ") };
            return Err(BadInput {
                file: dir.root().display().to_string(),
                sheet: None,
                reason: format!(
                    "no file {name:?} was ingested into this folder (files with rows in the quarantine: {known})"
                ),
            }
            .into());
        }
    }
    Ok(out)
}

/// Counts by file and field, each with the first reason met: what to correct, at a glance.
pub fn print_summary(rows: &[QuarantinedRow], out: &mut impl Write) -> Result<()> {
    if rows.is_empty() {
        writeln!(out, "quarantine: empty (every row read was written or was a duplicate)")?;
        return Ok(());
    }
    let mut groups: BTreeMap<(&str, &str, &str), (usize, &str)> = BTreeMap::new();
    for row in rows {
        let entry = groups.entry((&row.file, &row.record, &row.field)).or_insert((0, &row.reason));
        entry.0 += 1;
    }
    let files: BTreeSet<&str> = rows.iter().map(|r| r.file.as_str()).collect();
    writeln!(out, "quarantine: {} set aside, from {}", count(rows.len(), "row"), count(files.len(), "file"))?;
    writeln!(out, "{:<32} {:<8} {:<14} {:>7}  first reason", "file", "record", "field", "rows")?;
    for ((file, record, field), (count, reason)) in groups {
        writeln!(out, "{file:<32} {record:<8} {field:<14} {count:>7}  {}", first_line(reason, 120))?;
    }
    Ok(())
}

/// Every row: file, sheet, row (as a spreadsheet numbers it), record, field and reason.
pub fn print_rows(rows: &[QuarantinedRow], out: &mut impl Write) -> Result<()> {
    writeln!(out, "file\tsheet\trow\trecord\tfield\treason")?;
    for r in rows {
        let sheet = r.sheet.as_deref().unwrap_or("");
        writeln!(
            out,
            "{}\t{sheet}\t{}\t{}\t{}\t{}",
            r.file,
            r.row,
            r.record,
            r.field,
            first_line(&r.reason, usize::MAX)
        )?;
    }
    Ok(())
}

/// What [`write_jsonl`] wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Export {
    /// Lines written: one per source row, however many of its records were set aside.
    pub lines: usize,
    /// Rows ingest could not read into cells: to be corrected in the original file, where the
    /// row numbers point.
    pub unreadable: Vec<(String, i64)>,
    /// Edited copies of records the folder holds: not written, since a folder keeps the version
    /// first ingested and would set the corrected line aside again.
    pub edited_copies: Vec<(String, i64)>,
}

/// Writes each quarantined row that ingest read into cells as one JSON line, under its file's
/// own headers, for correcting and ingesting again. A row whose post and reply were both set
/// aside is written once; an edited copy of a record held is not written (see
/// [`Export::edited_copies`]). The file is written whole or not at all.
pub fn write_jsonl(rows: &[QuarantinedRow], path: &Path) -> Result<Export> {
    let mut export = Export::default();
    let mut seen = BTreeSet::new();
    let mut text = String::new();
    for row in rows {
        if !seen.insert((&row.file, &row.sheet, row.row)) {
            continue;
        }
        if row.reason.contains(crate::ingest::EDITED_COPY) {
            export.edited_copies.push((row.file.clone(), row.row));
        } else if row.has_cells() {
            // As ingest kept it: compact JSON, one line.
            text.push_str(row.raw.trim());
            text.push('\n');
            export.lines += 1;
        } else {
            export.unreadable.push((row.file.clone(), row.row));
        }
    }
    write_atomically(path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(export)
}

/// The first ten of `rows` as "file row N", joined, with "…" when there are more.
pub fn first_rows(rows: &[(String, i64)]) -> String {
    let first: Vec<String> = rows.iter().take(10).map(|(file, row)| format!("{file} row {row}")).collect();
    format!("{}{}", first.join(", "), if rows.len() > 10 { ", …" } else { "" })
}

/// "1 row", "3 rows".
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn first_line(text: &str, max_chars: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= max_chars {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(max_chars).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, row: i64, record: &str, field: &str, raw: &str) -> QuarantinedRow {
        QuarantinedRow {
            file: file.into(),
            sheet: None,
            row,
            record: record.into(),
            field: field.into(),
            reason: format!("bad {field}"),
            raw: raw.into(),
        }
    }

    #[test]
    fn a_row_set_aside_twice_is_written_once_and_an_unreadable_line_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("fix.jsonl");
        let raw = r#"{"留言编号":"7","留言时间":"2019-13-01","答复时间":"x"}"#;
        let rows = [
            row("a.xlsx", 3, "post", "posted_at", raw),
            row("a.xlsx", 3, "reply", "replied_at", raw),
            row("b.csv", 9, "row", "row", "7,\"unclosed"),
        ];
        let export = write_jsonl(&rows, &path).expect("written");
        assert_eq!(export, Export { lines: 1, unreadable: vec![("b.csv".into(), 9)], edited_copies: vec![] });
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, "{\"留言编号\":\"7\",\"留言时间\":\"2019-13-01\",\"答复时间\":\"x\"}\n");
    }

    #[test]
    fn the_summary_counts_by_file_record_and_field() {
        let rows = [
            row("a.xlsx", 3, "post", "posted_at", "{}"),
            row("a.xlsx", 5, "post", "posted_at", "{}"),
            row("a.xlsx", 6, "reply", "body", "{}"),
        ];
        let mut out = Vec::new();
        print_summary(&rows, &mut out).expect("printed");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with("quarantine: 3 rows set aside, from 1 file\n"), "{text}");
        assert!(
            text.contains("a.xlsx                           post     posted_at            2  bad posted_at"),
            "{text}"
        );
        assert!(text.contains("a.xlsx                           reply    body                 1  bad body"), "{text}");
    }
}
