//! Chooses the category classifier's options by k-fold cross-validation on the TRAINING part
//! of a labelled set, and scores the chosen options once on the test share.
//!
//! ```text
//! cargo run --release --example category_tune -- FILE [SETS | final[:SET]] [FOLDS]
//! ```
//! - SETS: option sets, `;` between sets, `,` between changes to the defaults, e.g.
//!   `default;pairs=1;loss=softmax,lr=0.5,nb=0` (keys: pairs chars min_char cw pw min_df epochs
//!   lr l2 nb beta loss lr_weight lr_lr cal);
//! - `final`: trains on the whole training part with the defaults (`final:SET`: with SET) and
//!   scores the test share — what `wenzheng category train --split train` then `eval --split
//!   test` print, on the same posts in the same order. Run it once, after choosing;
//! - FOLDS: 2 to 5 (default 5).
//!
//! The posts are read by the command line's own reader (`pipeline::category`), so the
//! training part, the test share and the text of every post are the command line's. Each
//! fold is a fifth of the training part chosen by a second, independent hash of the post's
//! text ([`category::in_validation_split`]); fold 0 is the 20% validation share of earlier
//! figures. For each option set it prints the macro-F1 over the folds (mean ± standard
//! deviation, then each fold), the accuracy, the mean F1 of each category, the training time
//! of one fold and the model file's size.

use std::time::Instant;

use models::category::{self, features, CategoryModel, ConfusionMatrix, Document, Example, Loss, TrainOptions};
use pipeline::category::{examples, labelled_posts, InputPost, Split};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "../shared/data/categories_labelled.csv".into());
    let what = args.next().unwrap_or_else(|| "default".into());
    let folds: u64 = args.next().map(|f| f.parse().expect("a number of folds, 2 to 5")).unwrap_or(5);
    assert!((2..=5).contains(&folds), "folds: 2 to 5");
    let path = std::path::Path::new(&path);

    if let Some(changes) = what.strip_prefix("final") {
        return final_score(path, &parse_options(changes.trim_start_matches(':'), &TrainOptions::default()));
    }

    let train_part = labelled_posts(path, Split::Train)?;
    // Segmented once: a post's words joined by spaces read back as the same words, so the
    // folds train on exactly what the raw text gives, without running jieba per option set.
    let words: Vec<String> = train_part.iter().map(|p| features::words(p.document()).join(" ")).collect();
    let categories: Vec<&str> = train_part.iter().map(|p| p.category.as_deref().unwrap_or_default()).collect();
    println!("{} posts in the training part of {}, {folds} folds", train_part.len(), path.display());

    // Without the temperature fit, which changes probabilities but never a category.
    let base = TrainOptions { calibration_share: 0.0, ..TrainOptions::default() };
    for set in what.split(';') {
        let options = parse_options(set, &base);
        let (mut f1, mut accuracy, mut seconds, mut size) = (Vec::new(), Vec::new(), 0.0, 0);
        let mut per_class: Vec<f64> = Vec::new();
        let mut classes = Vec::new();
        for k in 0..folds {
            let held = |p: &InputPost| fold_of(p, folds) == k;
            let fit: Vec<Example> = (0..train_part.len())
                .filter(|&i| !held(&train_part[i]))
                .map(|i| Example { document: Document::Segmented(&words[i]), category: categories[i] })
                .collect();
            let started = Instant::now();
            let model = CategoryModel::train(&fit, &options).expect("trains");
            seconds += started.elapsed().as_secs_f64();
            size = model.to_bytes().len() / 1024;
            let held_out: Vec<usize> = (0..train_part.len()).filter(|&i| held(&train_part[i])).collect();
            let predicted: Vec<String> =
                held_out.iter().map(|&i| model.predict(Document::Segmented(&words[i])).category).collect();
            let matrix =
                ConfusionMatrix::from_pairs(held_out.iter().zip(&predicted).map(|(&i, p)| (categories[i], p.as_str())));
            f1.push(matrix.macro_f1());
            accuracy.push(matrix.accuracy());
            per_class.resize(matrix.classes.len(), 0.0);
            for (sum, s) in per_class.iter_mut().zip(matrix.per_class()) {
                *sum += s.f1 / folds as f64;
            }
            classes = matrix.classes;
        }
        let (mean_f1, sd_f1) = mean_sd(&f1);
        let folds_f1: Vec<String> = f1.iter().map(|f| format!("{f:.4}")).collect();
        let per_class: Vec<String> = classes.iter().zip(&per_class).map(|(c, f)| format!("{c} {f:.3}")).collect();
        println!(
            "{set:<32} macro-F1 {mean_f1:.4} ± {sd_f1:.4} [{}]  accuracy {:.4}  train {:.1} s  {size} KiB\n    {}",
            folds_f1.join(" "),
            mean_sd(&accuracy).0,
            seconds / folds as f64,
            per_class.join(", "),
        );
    }
    Ok(())
}

/// The fold (0 to `folds - 1`) of a post of the training part: buckets of a hash of its text
/// independent of the test split's.
fn fold_of(post: &InputPost, folds: u64) -> u64 {
    let width = 100 / folds;
    (0..folds).find(|k| category::in_validation_split(&post.split_key, width * (k + 1))).unwrap_or(folds - 1)
}

/// What `wenzheng category train --split train` and `eval --split test` report, with `options`.
fn final_score(path: &std::path::Path, options: &TrainOptions) -> anyhow::Result<()> {
    let train = labelled_posts(path, Split::Train)?;
    let test = labelled_posts(path, Split::Test)?;
    let started = Instant::now();
    let model = CategoryModel::train(&examples(&train), options)?;
    let seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let predictions: Vec<_> = test.iter().map(|p| model.predict(p.document())).collect();
    let per_second = test.len() as f64 / started.elapsed().as_secs_f64();
    let label = |p: &InputPost| p.category.clone().unwrap_or_default();
    let labels: Vec<String> = test.iter().map(label).collect();
    let matrix =
        ConfusionMatrix::from_pairs(labels.iter().zip(&predictions).map(|(l, p)| (l.as_str(), p.category.as_str())));
    println!(
        "test: {} posts, macro-F1 {:.4}, accuracy {:.4}; trained on {} posts in {seconds:.1} s; {per_second:.0} posts/s on one thread",
        test.len(),
        matrix.macro_f1(),
        matrix.accuracy(),
        train.len()
    );
    for s in matrix.per_class() {
        println!("  {} P {:.3} R {:.3} F1 {:.3} n {}", s.category, s.precision, s.recall, s.f1, s.support);
    }
    // Calibration: in 10 bins of probability, how far the mean probability is from the share
    // of right categories (expected calibration error, weighted by the bins' sizes).
    let mut bins = [(0f64, 0usize); 10];
    for (p, l) in predictions.iter().zip(&labels) {
        let bin = &mut bins[((p.probability * 10.0) as usize).min(9)];
        bin.0 += p.probability;
        bin.1 += usize::from(&p.category == l);
    }
    let ece: f64 = bins.iter().map(|(p, right)| (p - *right as f64).abs()).sum::<f64>() / test.len() as f64;
    let mean_p = predictions.iter().map(|p| p.probability).sum::<f64>() / test.len() as f64;
    println!(
        "  temperature {:.3}; mean probability {mean_p:.3} vs accuracy {:.3}; calibration error {ece:.3}; {} features; model file {} KiB",
        model.temperature,
        matrix.accuracy(),
        model.features(),
        model.to_bytes().len().div_ceil(1024)
    );
    Ok(())
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, variance.sqrt())
}

/// `key=value,key=value` changes to `base` ("default" or nothing: none).
fn parse_options(set: &str, base: &TrainOptions) -> TrainOptions {
    let mut o = base.clone();
    for pair in set.split(',').filter(|p| !p.is_empty() && *p != "default") {
        let (key, value) = pair.split_once('=').expect("option sets are key=value pairs");
        let f = || value.parse::<f32>().expect("a number");
        let n = || value.parse::<usize>().expect("a whole number");
        match key {
            "pairs" => o.features.word_pairs = n() > 0,
            "chars" => o.features.max_char_gram = n(),
            "min_char" => o.features.min_char_gram = n(),
            "min_df" => o.features.min_df = n() as u32,
            "cw" => o.features.char_weight = f(),
            "pw" => o.features.pair_weight = f(),
            "epochs" => o.solver.epochs = n(),
            "lr" => o.solver.learning_rate = f(),
            "l2" => o.solver.l2 = f(),
            "nb" => o.solver.nb_smoothing = f(),
            "beta" => o.solver.nb_interpolation = f(),
            "loss" => {
                o.solver.loss = match value {
                    "softmax" => Loss::Softmax,
                    "sqhinge" => Loss::OneVsRestSquaredHinge,
                    _ => panic!("loss: softmax or sqhinge"),
                }
            }
            "lr_weight" => o.logistic_weight = f(),
            "lr_lr" => o.logistic_learning_rate = f(),
            "cal" => o.calibration_share = f() as f64,
            _ => panic!("unknown option {key}"),
        }
    }
    o
}
