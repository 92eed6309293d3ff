//! Tunes the category classifier's options by 5-fold cross-validation on the TRAINING part
//! of the labelled set; the test share (`wenzheng category eval --split test`) is read only
//! with `final`.
//!
//! ```text
//! cargo run --release --example category_tune -- FILE [raw|seg] [NAMES | SETS | final] [FOLDS]
//! ```
//! - NAMES: prefixes of the built-in candidates, comma-separated (`default,nb`); none: all;
//! - SETS: option sets written out, `;` between sets, e.g. `loss=softmax,lr=0.5,nb=0;pairs=1`
//!   (keys: pairs chars min_df cw pw epochs lr l2 nb loss);
//! - FOLDS: 1 to 5 (default 5); fold 0 alone is the 20% validation share of earlier figures.
//!
//! Prints, for each option set, the mean macro-F1 and accuracy over the folds, each fold's
//! macro-F1, the mean per-category F1 (categories sorted) and the training time. Training
//! here skips the temperature fit, which changes probabilities but no category. (A tiny CSV
//! reader keeps `models` free of file-format crates.)

use std::time::Instant;

use models::category::{
    self, CategoryModel, ConfusionMatrix, Document, Example, FeatureConfig, Loss, SolverOptions, TrainOptions,
};

const TEST_PERCENT: u64 = 20;

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
    let folds: u64 = args.next().map(|f| f.parse().expect("a number of folds, 1 to 5")).unwrap_or(5);
    let rows = read_labelled(&std::fs::read_to_string(&path).expect("readable labelled file"));
    let train_part: Vec<&Row> = rows.iter().filter(|r| !category::in_test_split(&r.seg_text, TEST_PERCENT)).collect();
    println!(
        "{} rows; {} in the training part, cross-validated in {folds} fold(s) of 20% (prefer seg_text: {prefer_seg})",
        rows.len(),
        train_part.len(),
    );

    if let Some(changes) = only.as_deref().and_then(|o| o.strip_prefix("final")) {
        // Once, after tuning: the default options on the whole training part, scored on the
        // test share (what `wenzheng category eval --split test` reports). `final:SET` scores
        // other options the same way (the options before issue 9, to compare under the same
        // machine load).
        let options = parse_options(changes.trim_start_matches(':'), &TrainOptions::default());
        let test: Vec<&Row> = rows.iter().filter(|r| category::in_test_split(&r.seg_text, TEST_PERCENT)).collect();
        let train: Vec<Example> = rows
            .iter()
            .filter(|r| !category::in_test_split(&r.seg_text, TEST_PERCENT))
            .map(|r| Example { document: document(r, prefer_seg), category: &r.category })
            .collect();
        let started = Instant::now();
        let model = CategoryModel::train(&train, &options).expect("trains");
        let seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let predictions: Vec<_> = test.iter().map(|r| model.predict(document(r, prefer_seg))).collect();
        let per_second = test.len() as f64 / started.elapsed().as_secs_f64();
        let predicted: Vec<String> = predictions.iter().map(|p| p.category.clone()).collect();
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
        // Calibration: in 10 bins of probability, how far the mean probability is from the
        // share of right categories (expected calibration error, weighted by the bins' sizes).
        let mut bins = [(0usize, 0f64, 0usize); 10];
        for (p, r) in predictions.iter().zip(&test) {
            let bin = &mut bins[((p.probability * 10.0) as usize).min(9)];
            bin.0 += 1;
            bin.1 += p.probability;
            bin.2 += usize::from(p.category == r.category);
        }
        let ece: f64 = bins.iter().map(|(_, p, right)| (p - *right as f64).abs()).sum::<f64>() / test.len() as f64;
        let mean_p = predictions.iter().map(|p| p.probability).sum::<f64>() / test.len() as f64;
        println!(
            "  temperature {:.3}; mean probability {mean_p:.3} vs accuracy {:.3}; calibration error {ece:.3}; model file {} KiB",
            model.temperature,
            matrix.accuracy(),
            model.to_bytes().len() / 1024
        );
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
    let base = TrainOptions { calibration_share: 0.0, ..TrainOptions::default() };
    // Either option sets written out ("lr=0.1,nb=0;epochs=20": `;` between sets) or the
    // names (prefixes, `,` between them) of the built-in candidates.
    let chosen: Vec<(String, TrainOptions)> = match only.as_deref() {
        Some(spec) if spec.contains('=') => {
            spec.split(';').map(|set| (set.to_string(), parse_options(set, &base))).collect()
        }
        _ => candidates(&base)
            .into_iter()
            .filter(|(name, _)| only.as_ref().is_none_or(|o| o.split(',').any(|o| name.starts_with(o))))
            .collect(),
    };
    for (name, options) in chosen {
        // Fold k of the training part: validation buckets [20k, 20k + 20) (fold 0 is the
        // validation share above).
        let (mut f1, mut accuracy, mut seconds, mut size) = (Vec::new(), Vec::new(), 0.0, 0);
        let mut per_class: Vec<f64> = Vec::new();
        for k in 0..folds {
            let in_fold = |r: &Row| {
                category::in_validation_split(&r.seg_text, 20 * (k + 1))
                    && !category::in_validation_split(&r.seg_text, 20 * k)
            };
            let (held, fit): (Vec<&Row>, Vec<&Row>) = train_part.iter().partition(|r| in_fold(r));
            let examples: Vec<Example> =
                fit.iter().map(|r| Example { document: document(r, prefer_seg), category: &r.category }).collect();
            let started = Instant::now();
            let model = CategoryModel::train(&examples, &options).expect("trains");
            seconds += started.elapsed().as_secs_f64();
            size = model.to_bytes().len() / 1024;
            let predicted: Vec<String> = held.iter().map(|r| model.predict(document(r, prefer_seg)).category).collect();
            let matrix = ConfusionMatrix::from_pairs(
                held.iter().zip(&predicted).map(|(r, p)| (r.category.as_str(), p.as_str())),
            );
            f1.push(matrix.macro_f1());
            accuracy.push(matrix.accuracy());
            per_class.resize(per_class.len().max(matrix.classes.len()), 0.0);
            for (sum, s) in per_class.iter_mut().zip(matrix.per_class()) {
                *sum += s.f1 / folds as f64;
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let folds_f1: Vec<String> = f1.iter().map(|f| format!("{f:.4}")).collect();
        let per_class: Vec<String> = per_class.iter().map(|f| format!("{f:.3}")).collect();
        println!(
            "{name:<24} macro-F1 {:.4}  accuracy {:.4}  [{}]  per class [{}]  train {:.1} s  {size} KiB",
            mean(&f1),
            mean(&accuracy),
            folds_f1.join(" "),
            per_class.join(" "),
            seconds / folds as f64,
        );
    }
}

/// `key=value,key=value` changes to `base` ("default": none).
fn parse_options(set: &str, base: &TrainOptions) -> TrainOptions {
    let mut o = base.clone();
    // "default" alone (or nothing) is `base` unchanged.
    for pair in set.split(',').filter(|p| !p.is_empty() && *p != "default") {
        let (key, value) = pair.split_once('=').expect("option sets are key=value pairs");
        let f = || value.parse::<f32>().expect("a number");
        let n = || value.parse::<usize>().expect("a whole number");
        match key {
            "pairs" => o.features.word_pairs = n() > 0,
            "chars" => o.features.max_char_gram = n(),
            "min_df" => o.features.min_df = n() as u32,
            "cw" => o.features.char_weight = f(),
            "pw" => o.features.pair_weight = f(),
            "epochs" => o.solver.epochs = n(),
            "lr" => o.solver.learning_rate = f(),
            "l2" => o.solver.l2 = f(),
            "nb" => o.solver.nb_smoothing = f(),
            "loss" => {
                o.solver.loss = match value {
                    "softmax" => Loss::Softmax,
                    "sqhinge" => Loss::OneVsRestSquaredHinge,
                    _ => panic!("loss: softmax or sqhinge"),
                }
            }
            _ => panic!("unknown option {key}"),
        }
    }
    o
}

/// The option sets compared: the default, then one change at a time.
fn candidates(base: &TrainOptions) -> Vec<(String, TrainOptions)> {
    let fc = base.features.clone();
    let so = base.solver.clone();
    let features = |f: FeatureConfig| TrainOptions { features: f, ..base.clone() };
    let solver = |s: SolverOptions| TrainOptions { solver: s, ..base.clone() };
    let mut candidates: Vec<(String, TrainOptions)> = vec![("default".into(), base.clone())];
    candidates
        .push(("words only".into(), features(FeatureConfig { word_pairs: false, max_char_gram: 0, ..fc.clone() })));
    candidates.push(("pairs".into(), features(FeatureConfig { word_pairs: true, ..fc.clone() })));
    candidates.push(("chars 3".into(), features(FeatureConfig { max_char_gram: 3, ..fc.clone() })));
    for min_df in [1, 3] {
        candidates.push((format!("min_df {min_df}"), features(FeatureConfig { min_df, ..fc.clone() })));
    }
    for w in [0.3, 0.7] {
        candidates.push((format!("char w {w}"), features(FeatureConfig { char_weight: w, ..fc.clone() })));
    }
    for epochs in [8, 20] {
        candidates.push((format!("epochs {epochs}"), solver(SolverOptions { epochs, ..so.clone() })));
    }
    for learning_rate in [0.03, 0.1] {
        candidates.push((format!("lr {learning_rate}"), solver(SolverOptions { learning_rate, ..so.clone() })));
    }
    for nb_smoothing in [0.0, 0.01, 0.1] {
        candidates.push((format!("nb {nb_smoothing}"), solver(SolverOptions { nb_smoothing, ..so.clone() })));
    }
    // The model before issue 9: softmax, no Naive-Bayes scaling.
    candidates.push((
        "softmax".into(),
        solver(SolverOptions { loss: Loss::Softmax, learning_rate: 0.5, nb_smoothing: 0.0, ..so.clone() }),
    ));
    candidates
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
