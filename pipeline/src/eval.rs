//! `wenzheng eval`: how well the scorer agrees with a supervision office's own audit
//! labels. Labels are csv (or tab-separated), jsonl or a JSON array, with an id (a reply id,
//! or a post id standing for the post's final reply), `evasive` and `vague` levels and an
//! optional `type`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use models::scoring::agreement::{quadratic_weighted_kappa, Confusion};
use models::scoring::ReplyType;

use crate::ingest::BadInput;
use crate::score::SCORES_FILE;
use crate::store::DataDir;
use crate::tables;

#[derive(Debug, Clone)]
pub struct Label {
    pub id: String,
    pub evasive: u8,
    pub vague: u8,
    pub reply_type: Option<String>,
}

/// The columns a label's id is read from, the first present.
const ID_COLUMNS: [&str; 4] = ["reply_id", "id", "post_id", "留言编号"];

/// A label's type as the scorer writes it: the rubric's name, or the Chinese name the notice
/// prints ("转办" is `forwarded`), which a reader copying from a notice writes.
fn reply_type_of(written: &str) -> Option<String> {
    ReplyType::ALL
        .iter()
        .map(|t| t.as_str())
        .find(|t| *t == written || reports::notice::reply_type_label(t) == written)
        .map(str::to_string)
}

/// Reads a labels file; a row that cannot be used stops the run, naming file, row and field.
pub fn read_labels(path: &Path) -> Result<Vec<Label>> {
    let whole =
        |reason: String| -> anyhow::Error { BadInput { file: path.display().to_string(), sheet: None, reason }.into() };
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if matches!(extension.as_str(), "xlsx" | "xls" | "xlsm" | "ods") {
        return Err(whole(
            "labels are read from CSV or JSONL: save the sheet as CSV (UTF-8 or Excel's Chinese encoding both do)"
                .into(),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read the label file: {e}")))?;
    // Excel on Chinese Windows saves CSV in GB18030 (GBK); anything not UTF-8 is read as that.
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
    };
    let bad = |row: usize, reason: String| -> anyhow::Error {
        BadInput { file: path.display().to_string(), sheet: None, reason: format!("row {row}: {reason}") }.into()
    };
    let fields_of = |object: serde_json::Map<String, serde_json::Value>| -> HashMap<String, String> {
        object.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect()
    };
    let mut records: Vec<(usize, HashMap<String, String>)> = Vec::new();
    if text.trim_start().starts_with('[') {
        // a JSON array of label objects (what a script or a spreadsheet add-in exports): row n is
        // the n-th object
        let objects: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&text)
            .map_err(|e| whole(format!("not a JSON array of label objects: {e} (or write one object per line)")))?;
        records.extend(objects.into_iter().enumerate().map(|(i, object)| (i + 1, fields_of(object))));
    } else if path.extension().is_some_and(|e| e == "jsonl" || e == "ndjson") || text.trim_start().starts_with('{') {
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let object: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(line).map_err(|e| bad(i + 1, format!("not a JSON object: {e}")))?;
            records.push((i + 1, fields_of(object)));
        }
    } else {
        // comma-separated, or tab-separated as a sheet copied out of Excel is
        let header_line = text.lines().next().unwrap_or("");
        let delimiter = if header_line.contains('\t') && !header_line.contains(',') { b'\t' } else { b',' };
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers()?.iter().map(|h| h.trim().to_string()).collect();
        let has = |names: &[&str]| names.iter().any(|n| header.iter().any(|h| h == n));
        if !has(&ID_COLUMNS) || !has(&["evasive"]) || !has(&["vague"]) {
            return Err(whole(format!(
                "its columns ({}) are not labels: a label file has an id column (reply_id, id, post_id or 留言编号), \
                 evasive and vague (0, 1 or 2), and may have type",
                header.join(", ")
            )));
        }
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| bad(i + 2, e.to_string()))?;
            records.push((i + 2, header.iter().cloned().zip(record.iter().map(str::to_string)).collect()));
        }
    }
    let level = |row: usize, fields: &HashMap<String, String>, name: &str| -> Result<u8> {
        let value = fields.get(name).ok_or_else(|| bad(row, format!("field {name} is missing")))?;
        // (a spreadsheet writes its numbers as "2.0")
        match value.trim().trim_end_matches(".0") {
            "0" => Ok(0),
            "1" => Ok(1),
            "2" => Ok(2),
            other => Err(bad(row, format!("field {name} must be 0, 1 or 2, not {other:?}"))),
        }
    };
    let mut labels: Vec<Label> = Vec::with_capacity(records.len());
    // The row each id was first labelled on: an audit sample labels a reply once.
    let mut first_row: HashMap<String, (usize, usize)> = HashMap::new();
    for (row, fields) in records {
        let id = ID_COLUMNS
            .iter()
            .find_map(|k| fields.get(*k))
            .map(|s| s.trim().trim_end_matches(".0").to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad(row, "no id (reply_id, id or post_id)".into()))?;
        labels.push(Label {
            id,
            evasive: level(row, &fields, "evasive")?,
            vague: level(row, &fields, "vague")?,
            reply_type: match fields.get("type").map(|t| t.trim()).filter(|t| !t.is_empty()) {
                None => None,
                Some(written) => Some(reply_type_of(written).ok_or_else(|| {
                    bad(
                        row,
                        format!(
                            "type {written:?} is none of {} (or their Chinese names)",
                            ReplyType::ALL.map(ReplyType::as_str).join(", ")
                        ),
                    )
                })?),
            },
        });
        let label = labels.last().expect("just pushed");
        if let Some(&(earlier_row, earlier)) = first_row.get(&label.id) {
            let before = &labels[earlier];
            let same =
                (before.evasive, before.vague, &before.reply_type) == (label.evasive, label.vague, &label.reply_type);
            if !same {
                return Err(bad(
                    row,
                    format!(
                        "id {} is labelled again, differently from row {earlier_row}: keep one label per reply",
                        label.id
                    ),
                ));
            }
            tracing::warn!(file = %path.display(), "row {row}: id {} repeats row {earlier_row}; counted once", label.id);
            labels.pop();
        } else {
            first_row.insert(label.id.clone(), (row, labels.len() - 1));
        }
    }
    if labels.is_empty() {
        bail!(BadInput { file: path.display().to_string(), sheet: None, reason: "no labels in the file".into() });
    }
    Ok(labels)
}

/// The scorer's judgement of one reply, as stored in the scores table.
struct Scored {
    reply_id: String,
    evasive: u8,
    vague: u8,
    reply_type: String,
    evidence: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct BinaryAgreement {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Agreement on one label: confusion matrix (human rows × scorer columns), kappa, and
/// precision/recall/F1 of the flags at level ≥ 1 and at level 2.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LevelAgreement {
    pub confusion: [[u32; 3]; 3],
    pub kappa: f64,
    pub exact: f64,
    pub at_least_1: BinaryAgreement,
    pub level_2: BinaryAgreement,
}

pub fn level_agreement(pairs: &[(u8, u8)]) -> LevelAgreement {
    let confusion = Confusion::from_pairs(pairs);
    let binary = |threshold: u8| {
        let tp = pairs.iter().filter(|(h, s)| *h >= threshold && *s >= threshold).count() as f64;
        let predicted = pairs.iter().filter(|(_, s)| *s >= threshold).count() as f64;
        let actual = pairs.iter().filter(|(h, _)| *h >= threshold).count() as f64;
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if actual > 0.0 { tp / actual } else { 0.0 };
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        BinaryAgreement { precision, recall, f1 }
    };
    LevelAgreement {
        confusion: confusion.counts,
        kappa: quadratic_weighted_kappa(pairs),
        exact: confusion.accuracy(),
        at_least_1: binary(1),
        level_2: binary(2),
    }
}

pub fn eval(dir: &DataDir, labels_path: &Path, out: &mut impl Write) -> Result<()> {
    let labels = read_labels(labels_path)?;
    let path = dir.path(SCORES_FILE);
    if !path.exists() {
        bail!("{} is missing: run `wenzheng score --data {}` first", path.display(), dir.root().display());
    }
    let frame = tables::read_table(
        &[path],
        &["reply_id", "post_id", "seq", "evasive_level", "vague_level", "reply_type", "evidence"],
    )?
    .context("the scores table is empty")?;
    let reply_ids = frame.column("reply_id")?.str()?;
    let post_ids = frame.column("post_id")?.str()?;
    let seqs = frame.column("seq")?.i32()?;
    let evasive = frame.column("evasive_level")?.i8()?;
    let vague = frame.column("vague_level")?.i8()?;
    let types = frame.column("reply_type")?.str()?;
    let evidence = frame.column("evidence")?.str()?;
    let mut by_reply: HashMap<&str, usize> = HashMap::new();
    // A post id stands for the post's final reply (highest seq).
    let mut by_post: HashMap<&str, (i32, usize)> = HashMap::new();
    for i in 0..frame.height() {
        by_reply.insert(reply_ids.get(i).unwrap_or_default(), i);
        let seq = seqs.get(i).unwrap_or(1);
        let entry = by_post.entry(post_ids.get(i).unwrap_or_default()).or_insert((seq, i));
        if seq >= entry.0 {
            *entry = (seq, i);
        }
    }
    let mut matched: Vec<(&Label, Scored)> = Vec::new();
    let mut unmatched = Vec::new();
    for label in &labels {
        let row = by_reply.get(label.id.as_str()).copied().or_else(|| by_post.get(label.id.as_str()).map(|(_, i)| *i));
        match row {
            Some(i) => matched.push((
                label,
                Scored {
                    reply_id: reply_ids.get(i).unwrap_or_default().to_string(),
                    evasive: evasive.get(i).unwrap_or_default() as u8,
                    vague: vague.get(i).unwrap_or_default() as u8,
                    reply_type: types.get(i).unwrap_or_default().to_string(),
                    evidence: evidence.get(i).unwrap_or("[]").to_string(),
                },
            )),
            None => unmatched.push(label.id.clone()),
        }
    }
    if matched.is_empty() {
        bail!(BadInput {
            file: labels_path.display().to_string(),
            sheet: None,
            reason: "none of the labelled ids is a reply or post id of this data folder".into()
        });
    }
    writeln!(out, "labels: {} ({} matched, {} not in the data folder)", labels.len(), matched.len(), unmatched.len())?;
    if !unmatched.is_empty() {
        // (named, so that a mistyped id can be found and mended)
        const SHOWN: usize = 20;
        let more = unmatched.len().saturating_sub(SHOWN);
        let shown = unmatched.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        writeln!(out, "  not in the data folder: {shown}{more}")?;
    }
    for (name, pairs) in [
        ("evasive", matched.iter().map(|(l, s)| (l.evasive, s.evasive)).collect::<Vec<_>>()),
        ("vague", matched.iter().map(|(l, s)| (l.vague, s.vague)).collect::<Vec<_>>()),
    ] {
        let a = level_agreement(&pairs);
        writeln!(out, "\n{name}: quadratic-weighted kappa {:.3}, exact agreement {:.1}%", a.kappa, 100.0 * a.exact)?;
        writeln!(out, "  human \\ scorer      0      1      2")?;
        for (level, row) in a.confusion.iter().enumerate() {
            writeln!(out, "  {level:<15} {:>6} {:>6} {:>6}", row[0], row[1], row[2])?;
        }
        for (label, b) in [("level ≥ 1", a.at_least_1), ("level 2", a.level_2)] {
            writeln!(out, "  {label:<10} precision {:.3}  recall {:.3}  F1 {:.3}", b.precision, b.recall, b.f1)?;
        }
    }
    let typed: Vec<_> = matched.iter().filter_map(|(l, s)| l.reply_type.as_ref().map(|t| (t, &s.reply_type))).collect();
    if !typed.is_empty() {
        let same = typed.iter().filter(|(h, s)| h == s).count();
        writeln!(out, "\ntype: {same}/{} agree ({:.1}%)", typed.len(), 100.0 * same as f64 / typed.len() as f64)?;
    }
    // A label's type, when given, is judged too: a type alone that differs is listed as well.
    let type_differs = |l: &Label, s: &Scored| l.reply_type.as_ref().is_some_and(|t| *t != s.reply_type);
    let disagreements: Vec<_> =
        matched.iter().filter(|(l, s)| l.evasive != s.evasive || l.vague != s.vague || type_differs(l, s)).collect();
    writeln!(out, "\ndisagreements (levels or type): {}", disagreements.len())?;
    for (label, scored) in disagreements {
        let kinds: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&scored.evidence)
            .unwrap_or_default()
            .iter()
            .map(|e| format!("{}:{}", e["kind"].as_str().unwrap_or("?"), e["text"].as_str().unwrap_or("")))
            .collect();
        writeln!(
            out,
            "  {} (reply {}): human evasive {} vague {}{} | scorer evasive {} vague {} {} | evidence: {}",
            label.id,
            scored.reply_id,
            label.evasive,
            label.vague,
            label.reply_type.as_ref().map(|t| format!(" {t}")).unwrap_or_default(),
            scored.evasive,
            scored.vague,
            scored.reply_type,
            if kinds.is_empty() { "-".to_string() } else { kinds.join("; ") }
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels_of(name: &str, bytes: &[u8]) -> Result<Vec<Label>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        read_labels(&path)
    }

    /// A label file as an office saves it from Excel: GB18030, the notice's Chinese type names.
    #[test]
    fn labels_saved_by_excel_in_chinese_are_read() {
        let text = "留言编号,evasive,vague,type\n126550,0,1,实质答复\n33281,1,2,转办\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let labels = labels_of("labels.csv", &gb).unwrap();
        let read: Vec<_> = labels.iter().map(|l| (l.id.as_str(), l.reply_type.as_deref())).collect();
        assert_eq!(read, [("126550", Some("substantive")), ("33281", Some("forwarded"))]);
    }

    /// The same two labels as a sheet copied out of Excel (tab-separated, numbers as "2.0"), as a
    /// JSON array, and as JSON lines in a file named .json.
    #[test]
    fn labels_are_read_from_tabs_a_json_array_and_json_lines() {
        let expected = [("74320", 2, 2, Some("generic_policy")), ("35713", 2, 1, None)];
        let files: [(&str, &str); 3] = [
            ("l.tsv", "id\tevasive\tvague\ttype\n74320\t2.0\t2.0\tgeneric_policy\n35713\t2\t1\t\n"),
            (
                "l.json",
                r#"[{"id": 74320, "evasive": 2, "vague": 2.0, "type": "generic_policy"}, {"id": "35713", "evasive": "2", "vague": 1}]"#,
            ),
            ("l.json", "{\"id\": 74320, \"evasive\": 2, \"vague\": 2, \"type\": \"generic_policy\"}\n{\"id\": 35713, \"evasive\": 2, \"vague\": 1}\n"),
        ];
        for (name, text) in files {
            let labels = labels_of(name, text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            let read: Vec<_> =
                labels.iter().map(|l| (l.id.as_str(), l.evasive, l.vague, l.reply_type.as_deref())).collect();
            assert_eq!(read, expected, "{text}");
        }
        let err = labels_of("l.json", b"[{\"id\": 1, \"evasive\": 0, \"vague\": 0},]").unwrap_err().to_string();
        assert!(err.contains("not a JSON array of label objects"), "{err}");
        let err = labels_of("l.json", b"[{\"id\": 1, \"evasive\": 3, \"vague\": 0}]").unwrap_err().to_string();
        assert!(err.contains("row 1: field evasive must be 0, 1 or 2, not \"3\""), "{err}");
    }

    #[test]
    fn a_file_that_is_not_labels_is_refused_as_a_whole() {
        let err = labels_of("l.csv", "编号,推诿,空泛\n1,0,0\n".as_bytes()).unwrap_err().to_string();
        assert!(err.contains("its columns (编号, 推诿, 空泛) are not labels"), "{err}");
        let err = labels_of("l.csv", "id,evasive,vague,type\n1,0,0,转给别人\n".as_bytes()).unwrap_err().to_string();
        assert!(err.contains("row 2: type \"转给别人\" is none of substantive"), "{err}");
        let err = labels_of("l.xlsx", b"PK").unwrap_err().to_string();
        assert!(err.contains("save the sheet as CSV"), "{err}");
    }

    #[test]
    fn a_reply_labelled_twice_counts_once_or_is_refused_when_the_labels_differ() {
        let labels = labels_of("l.csv", b"id,evasive,vague\n7,1,2\n8,0,0\n7,1,2\n").unwrap();
        assert_eq!(labels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["7", "8"]);
        let err = labels_of("l.csv", b"id,evasive,vague\n7,1,2\n8,0,0\n7,2,2\n").unwrap_err().to_string();
        assert!(err.contains("row 4: id 7 is labelled again, differently from row 2"), "{err}");
        // a file that is not there is input to fix (exit 2), named
        let err = read_labels(Path::new("/nowhere/labels.csv")).unwrap_err();
        assert!(err.downcast_ref::<BadInput>().is_some() && err.to_string().contains("/nowhere/labels.csv"), "{err}");
    }

    #[test]
    fn agreement_figures_on_a_hand_computed_matrix() {
        // human → scorer: (0,0)×3, (1,1), (2,2)×2, (2,1), (0,2)
        let pairs = [(0, 0), (0, 0), (0, 0), (1, 1), (2, 2), (2, 2), (2, 1), (0, 2)];
        let a = level_agreement(&pairs);
        assert_eq!(a.confusion, [[3, 0, 1], [0, 1, 0], [0, 1, 2]]);
        assert!((a.exact - 6.0 / 8.0).abs() < 1e-9);
        // level 2: scorer flags 3 (2 right), humans 3 → precision = recall = 2/3.
        assert!((a.level_2.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((a.level_2.recall - 2.0 / 3.0).abs() < 1e-9);
        // level ≥ 1: scorer flags 5 (4 right), humans 4 → precision 0.8, recall 1.
        assert!((a.at_least_1.precision - 0.8).abs() < 1e-9);
        assert!((a.at_least_1.recall - 1.0).abs() < 1e-9);
    }
}
