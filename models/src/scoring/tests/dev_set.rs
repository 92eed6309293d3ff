//! The real development set: every reply scores without panic with valid evidence, and the
//! scorer agrees with the tuning labels (tests/data/labels/replies_dev_tune*.jsonl).
//!
//! Only the tuning labels are read here; the held-out labels measure the product elsewhere.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

use super::super::agreement::{quadratic_weighted_kappa, Confusion};
use super::super::normalize::char_slice;
use super::super::ReplyType;
use super::scorer;

pub(super) struct Row {
    pub id: String,
    pub subject: String,
    pub body: String,
    pub reply: String,
}

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub(super) fn dev_rows() -> Vec<Row> {
    let path = repo_path("../../shared/data/replies_dev.xlsx");
    let mut workbook = open_workbook_auto(&path).expect("replies_dev.xlsx opens");
    let range = workbook.worksheet_range_at(0).expect("a first sheet").expect("the sheet reads");
    let cell = |c: Option<&Data>| c.map(|d| d.to_string()).unwrap_or_default();
    range
        .rows()
        .skip(1)
        .map(|r| Row { id: cell(r.first()), subject: cell(r.get(2)), body: cell(r.get(4)), reply: cell(r.get(5)) })
        .collect()
}

/// A batch is scanned a pattern at a time instead of a reply at a time; what each reply gets must
/// not change, whatever the batch holds and however long it is.
#[test]
fn scoring_a_batch_gives_each_reply_what_scoring_it_alone_gives() {
    let rows = dev_rows();
    let scorer = scorer();
    let alone: Vec<_> = rows.iter().map(|r| scorer.score(&r.subject, &r.body, &r.reply)).collect();
    let triples: Vec<_> = rows.iter().map(|r| (r.subject.as_str(), r.body.as_str(), r.reply.as_str())).collect();
    for batch in [1, 7, super::super::SCORE_BATCH] {
        let batched: Vec<_> = triples.chunks(batch).flat_map(|b| scorer.score_all(b)).collect();
        assert_eq!(batched.len(), alone.len());
        for ((row, a), b) in rows.iter().zip(&alone).zip(&batched) {
            assert_eq!(a, b, "reply {} in batches of {batch}", row.id);
        }
    }
    assert!(scorer.score_all(&[]).is_empty());
}

#[test]
fn every_dev_reply_scores_with_valid_evidence() {
    let rows = dev_rows();
    assert_eq!(rows.len(), 1463);
    for row in &rows {
        let score = scorer().score(&row.subject, &row.body, &row.reply);
        assert!((0.0..=1.0).contains(&score.evasive_score) && (0.0..=1.0).contains(&score.vague_score));
        for e in &score.evidence {
            let source = if e.in_post { &row.body } else { &row.reply };
            assert!(e.start <= e.end && e.end <= source.chars().count(), "{} span {e:?}", row.id);
            assert_eq!(char_slice(source, e.start, e.end), e.text, "{} span", row.id);
        }
    }
}

/// A notice publishes the level-2 replies with their evidence: each must quote something of the
/// reply, and no quote of a promise is a bare word ("加强", "下一步") out of its clause.
#[test]
fn every_published_dev_reply_quotes_its_reply() {
    for row in &dev_rows() {
        let score = scorer().score(&row.subject, &row.body, &row.reply);
        if score.evasive_level == 2 || score.vague_level == 2 {
            assert!(
                score.evidence.iter().any(|e| !e.in_post),
                "{}: no quote of the reply in {:?}",
                row.id,
                score.evidence
            );
        }
        for e in score.evidence.iter().filter(|e| e.kind == super::SignalKind::GenericPromise) {
            assert!(e.text.chars().count() > 3, "{}: a bare promise word {e:?}", row.id);
        }
    }
}

/// Every level above 0 says why: a quote of the reply, or of the post's question it leaves open
/// (57 of the 606 real replies at vague 1 or 2 had no evidence at all, session 36: the level
/// model's phrases had raised them; they are quoted now as `wording`).
#[test]
fn every_flagged_dev_reply_has_evidence() {
    let mut wording = 0;
    for row in &dev_rows() {
        let score = scorer().score(&row.subject, &row.body, &row.reply);
        if score.evasive_level > 0 || score.vague_level > 0 {
            assert!(
                !score.evidence.is_empty(),
                "{}: levels {}/{} without evidence",
                row.id,
                score.evasive_level,
                score.vague_level
            );
        }
        wording += score.evidence.iter().any(|e| e.kind == super::SignalKind::Wording) as usize;
    }
    // quoted only where nothing else is
    assert!((50..300).contains(&wording), "{wording} replies quoted by their wording");
}

#[derive(serde::Deserialize)]
struct Label {
    id: String,
    evasive: u8,
    vague: u8,
    #[serde(rename = "type")]
    reply_type: String,
}

/// Agreement of the scorer with one label file.
struct Agreement {
    evasive: Vec<(u8, u8)>,
    vague: Vec<(u8, u8)>,
    same_type: usize,
}

impl Agreement {
    fn qwk(&self) -> (f64, f64) {
        (quadratic_weighted_kappa(&self.evasive), quadratic_weighted_kappa(&self.vague))
    }

    fn print(&self, name: &str) {
        let (qwk_e, qwk_v) = self.qwk();
        println!("{name}: {} labelled replies", self.evasive.len());
        println!("evasive QWK {qwk_e:.3}\n{}", Confusion::from_pairs(&self.evasive));
        println!("vague QWK {qwk_v:.3}\n{}", Confusion::from_pairs(&self.vague));
        println!("type accuracy {:.3}", self.same_type as f64 / self.evasive.len().max(1) as f64);
    }
}

/// Scores the labelled replies of `file` (under tests/data/labels) that `include`; `details`
/// says whether their disagreements are printed in full (SCORING_DEV_REPORT=1). None when the
/// file is absent.
fn agreement(
    file: &str,
    rows: &HashMap<String, Row>,
    include: impl Fn(&str) -> bool,
    details: bool,
) -> Option<Agreement> {
    let text = std::fs::read_to_string(repo_path(&format!("../tests/data/labels/{file}"))).ok()?;
    let labels: Vec<Label> =
        text.lines().filter(|l| !l.trim().is_empty()).filter_map(|l| serde_json::from_str(l).ok()).collect();
    let mut out = Agreement { evasive: Vec::new(), vague: Vec::new(), same_type: 0 };
    let verbose = std::env::var_os("SCORING_DEV_REPORT").is_some();
    for label in &labels {
        let Some(row) = rows.get(&label.id).filter(|_| include(&label.id)) else { continue };
        let s = scorer().score(&row.subject, &row.body, &row.reply);
        out.evasive.push((label.evasive, s.evasive_level));
        out.vague.push((label.vague, s.vague_level));
        out.same_type += usize::from(ReplyType::parse(&label.reply_type) == Some(s.reply_type));
        if verbose && details {
            let (f, asks) = scorer().findings(&row.subject, &row.body, &row.reply);
            println!(
                "FEAT {} {}/{} {} scorer {}/{} {} cc{} p{} a{} r{} d{} m{} pu{} ans{} asks{} sh{}/{} fwd{} defl{}",
                label.id,
                label.evasive,
                label.vague,
                label.reply_type,
                s.evasive_level,
                s.vague_level,
                s.reply_type.as_str(),
                f.content_chars,
                f.promises,
                f.actions,
                f.rules,
                f.dates,
                f.amounts,
                f.place_units,
                f.answers,
                asks,
                f.shared_terms,
                f.reply_terms,
                u8::from(f.forwarded_named) + 2 * u8::from(f.forwarded_unnamed),
                u8::from(f.deflection) + 2 * u8::from(f.refusal_without_reason)
            );
        }
        if verbose && details && (label.evasive != s.evasive_level || label.vague != s.vague_level) {
            let (mut f, asks) = scorer().findings(&row.subject, &row.body, &row.reply);
            f.signals.clear();
            println!(
                "MISS {} human {}/{} {} scorer {}/{} {} ({:.2}/{:.2})\n  SUBJECT {}\n  REPLY {}\n  FOUND {:?} asks {}",
                label.id,
                label.evasive,
                label.vague,
                label.reply_type,
                s.evasive_level,
                s.vague_level,
                s.reply_type.as_str(),
                s.evasive_score,
                s.vague_score,
                row.subject,
                row.reply.chars().filter(|c| !c.is_whitespace()).take(260).collect::<String>(),
                f,
                asks
            );
        }
    }
    Some(out)
}

/// Tuning items of the second file kept unseen: their disagreements are never printed, so
/// their agreement shows how rules tuned on the rest carry to new replies.
fn kept_unseen(id: &str) -> bool {
    id.parse::<u64>().is_ok_and(|n| n % 3 == 0)
}

#[test]
fn agrees_with_the_tuning_labels() {
    let rows: HashMap<String, Row> = dev_rows().into_iter().map(|r| (r.id.clone(), r)).collect();
    let tune = agreement("replies_dev_tune.jsonl", &rows, |_| true, true).expect("tuning labels exist");
    tune.print("tune");
    let file2 = "replies_dev_tune2.jsonl";
    if let Some(tune2) = agreement(file2, &rows, |_| true, false) {
        tune2.print("tune2, all");
        agreement(file2, &rows, |id| !kept_unseen(id), true).expect("read above").print("tune2, looked at");
        agreement(file2, &rows, kept_unseen, false).expect("read above").print("tune2, kept unseen");
    }
    if let Some(tune3) = agreement("replies_dev_tune3.jsonl", &rows, |_| true, true) {
        tune3.print("tune3");
    }
    let tune4 = agreement("replies_dev_tune4.jsonl", &rows, |_| true, true).expect("tuning labels exist");
    tune4.print("tune4");
    let (qwk_e, qwk_v) = tune.qwk();
    assert!(tune.evasive.len() >= 20, "too few tuning labels matched the dev set");
    assert!(qwk_e >= 0.75 && qwk_v >= 0.72, "agreement fell: evasive {qwk_e:.3}, vague {qwk_v:.3}");
    // The largest file (725 replies), a little below version 21's 0.810 / 0.860: a change that
    // loses more than a few replies' worth of agreement there stops here.
    let (qwk_e, qwk_v) = tune4.qwk();
    assert!(qwk_e >= 0.79 && qwk_v >= 0.84, "tune4 agreement fell: evasive {qwk_e:.3}, vague {qwk_v:.3}");
}
