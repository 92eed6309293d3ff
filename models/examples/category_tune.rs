//! Tunes the category classifier's options on a validation share of the TRAINING part of the
//! labelled set; the test share (`wenzheng category eval --split test`) is never read here.
//!
//! `cargo run --release -p models --example category_tune -- ../shared/data/categories_labelled.csv [raw|seg] [name prefix]`
//!
//! Prints, for each candidate option set, macro-F1 and accuracy on the validation share and
//! the training time. (A tiny CSV reader keeps `models` free of file-format crates.)

use std::time::Instant;

use models::category::{
    self, CategoryModel, ConfusionMatrix, Document, Example, FeatureConfig, SolverOptions, TrainOptions,
};

const TEST_PERCENT: u64 = 20;
const VALIDATION_PERCENT: u64 = 20;

struct Row {
    category: String,
    text: String,
    seg_text: String,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "../shared/data/categories_labelled.csv".into());
    let prefer_seg = args.next().as_deref() == Some("seg");
    let only = args.next();
    let rows = read_labelled(&std::fs::read_to_string(&path).expect("readable labelled file"));
    let train: Vec<&Row> = rows.iter().filter(|r| !category::in_test_split(&r.seg_text, TEST_PERCENT)).collect();
    let (validation, fit): (Vec<&Row>, Vec<&Row>) =
        train.into_iter().partition(|r| category::in_validation_split(&r.seg_text, VALIDATION_PERCENT));
    println!(
        "{} rows; fit on {}, validate on {} (prefer seg_text: {prefer_seg})",
        rows.len(),
        fit.len(),
        validation.len()
    );
    let examples: Vec<Example> =
        fit.iter().map(|r| Example { document: document(r, prefer_seg), category: &r.category }).collect();

    if only.as_deref() == Some("final") {
        // Once, after tuning: the default options on the whole training part, scored on the
        // test share (what `wenzheng category eval --split test` reports).
        let test: Vec<&Row> = rows.iter().filter(|r| category::in_test_split(&r.seg_text, TEST_PERCENT)).collect();
        let train: Vec<Example> = rows
            .iter()
            .filter(|r| !category::in_test_split(&r.seg_text, TEST_PERCENT))
            .map(|r| Example { document: document(r, prefer_seg), category: &r.category })
            .collect();
        let started = Instant::now();
        let model = CategoryModel::train(&train, &TrainOptions::default()).expect("trains");
        let seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let predicted: Vec<String> = test.iter().map(|r| model.predict(document(r, prefer_seg)).category).collect();
        let per_second = test.len() as f64 / started.elapsed().as_secs_f64();
        let matrix =
            ConfusionMatrix::from_pairs(test.iter().zip(&predicted).map(|(r, p)| (r.category.as_str(), p.as_str())));
        println!(
            "test: {} posts, macro-F1 {:.4}, accuracy {:.4}; trained on {} in {seconds:.1} s; {per_second:.0} posts/s on one thread",
            test.len(),
            matrix.macro_f1(),
            matrix.accuracy(),
            train.len()
        );
        for s in matrix.per_class() {
            println!("  {} P {:.3} R {:.3} F1 {:.3} n {}", s.category, s.precision, s.recall, s.f1, s.support);
        }
        // The test posts that have raw text, read raw (as ingest reads) and pre-segmented.
        let with_raw: Vec<&&Row> = test.iter().filter(|r| !r.text.is_empty()).collect();
        for (name, seg) in [("raw text", false), ("seg_text", true)] {
            let predicted: Vec<String> = with_raw.iter().map(|r| model.predict(document(r, seg)).category).collect();
            let matrix = ConfusionMatrix::from_pairs(
                with_raw.iter().zip(&predicted).map(|(r, p)| (r.category.as_str(), p.as_str())),
            );
            println!(
                "  {} test posts with raw text, read as {name}: macro-F1 {:.4}, accuracy {:.4}",
                with_raw.len(),
                matrix.macro_f1(),
                matrix.accuracy()
            );
        }
        return;
    }
    let base = TrainOptions::default();
    let fc = base.features.clone();
    let so = base.solver.clone();
    let features = |f: FeatureConfig| TrainOptions { features: f, ..base.clone() };
    let solver = |s: SolverOptions| TrainOptions { solver: s, ..base.clone() };
    let mut candidates: Vec<(String, TrainOptions)> = vec![("default".into(), base.clone())];
    candidates
        .push(("words only".into(), features(FeatureConfig { word_pairs: false, max_char_gram: 0, ..fc.clone() })));
    candidates.push(("no pairs".into(), features(FeatureConfig { word_pairs: false, ..fc.clone() })));
    candidates.push(("chars 2".into(), features(FeatureConfig { max_char_gram: 2, ..fc.clone() })));
    candidates.push(("chars 4".into(), features(FeatureConfig { max_char_gram: 4, ..fc.clone() })));
    candidates.push(("min_df 1".into(), features(FeatureConfig { min_df: 1, ..fc.clone() })));
    candidates.push(("min_df 3".into(), features(FeatureConfig { min_df: 3, ..fc.clone() })));
    candidates.push(("char w 0.5".into(), features(FeatureConfig { char_weight: 0.5, ..fc.clone() })));
    candidates.push(("pair w 1.0".into(), features(FeatureConfig { pair_weight: 1.0, ..fc.clone() })));
    for epochs in [6, 20, 30] {
        candidates.push((format!("epochs {epochs}"), solver(SolverOptions { epochs, ..so.clone() })));
    }
    for learning_rate in [0.2, 1.0] {
        candidates.push((format!("lr {learning_rate}"), solver(SolverOptions { learning_rate, ..so.clone() })));
    }
    for l2 in [0.0, 1e-4, 1e-3] {
        candidates.push((format!("l2 {l2}"), solver(SolverOptions { l2, ..so.clone() })));
    }
    for (name, options) in candidates {
        if only.as_ref().is_some_and(|o| !name.starts_with(o.as_str())) {
            continue;
        }
        let started = Instant::now();
        let model = CategoryModel::train(&examples, &options).expect("trains");
        let seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let predicted: Vec<String> =
            validation.iter().map(|r| model.predict(document(r, prefer_seg)).category).collect();
        let per_second = validation.len() as f64 / started.elapsed().as_secs_f64();
        let matrix = ConfusionMatrix::from_pairs(
            validation.iter().zip(&predicted).map(|(r, p)| (r.category.as_str(), p.as_str())),
        );
        println!(
            "{name:<12} macro-F1 {:.4}  accuracy {:.4}  features {:>7}  T {:.2}  train {seconds:.1} s  {per_second:.0} posts/s  {} KiB",
            matrix.macro_f1(),
            matrix.accuracy(),
            model.features(),
            model.temperature,
            model.to_bytes().len() / 1024
        );
    }
}

fn document(r: &Row, prefer_seg: bool) -> Document<'_> {
    if r.text.is_empty() || prefer_seg {
        Document::Segmented(&r.seg_text)
    } else {
        Document::Raw(&r.text)
    }
}

/// The rows of the labelled CSV (`row_index, category, 留言编号, 留言用户, 留言主题, 留言时间,
/// text, seg_text`), quoted fields and all.
fn read_labelled(csv: &str) -> Vec<Row> {
    let records = parse_csv(csv);
    let header = &records[0];
    let col = |name: &str| header.iter().position(|h| h.trim_start_matches('\u{feff}') == name).expect(name);
    let (c, t, s) = (col("category"), col("text"), col("seg_text"));
    records[1..]
        .iter()
        .filter(|r| r.len() > s && !r[c].is_empty())
        .map(|r| Row { category: r[c].clone(), text: r[t].trim().to_string(), seg_text: r[s].clone() })
        .collect()
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}
