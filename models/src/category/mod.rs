//! Post categories (一级分类): a linear text classifier trained in-process from labelled posts.
//!
//! Features are TF-IDF weighted words, word pairs and character n-grams ([`features`]); the
//! model is one linear SVM per category over Naive-Bayes-scaled features ([`train`]), whose
//! scores become probabilities through a softmax with a temperature fitted on a held-out
//! share of the training posts. A prediction explains
//! itself with the words of the post that pushed most towards the predicted category.
//! Models are stored in a small versioned binary file ([`mod@format`]); this crate only turns
//! models into bytes and back.

pub mod features;
pub mod format;
pub mod metrics;
pub mod misrouted;
pub mod train;

use std::collections::BTreeSet;

pub use features::{Document, FeatureConfig};
pub use format::{ModelFormatError, FORMAT_VERSION};
pub use metrics::ConfusionMatrix;
pub use misrouted::{misrouted_hint, usual_categories, UsualCategories};
pub use train::{Loss, SolverOptions};

use features::{FeatureKind, SparseVector, Vectorizer};
use train::LinearWeights;

/// How a model is trained.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainOptions {
    pub features: FeatureConfig,
    pub solver: SolverOptions,
    /// Share of the training posts held out to fit the temperature (then trained on too).
    pub calibration_share: f64,
    /// Weight of a multinomial logistic regression (on the same features, without the
    /// Naive-Bayes scaling) in the scores: the model's scores are `(1 − a)·SVM + a·LR`
    /// (0: the SVM alone). Both are linear in the features, so the blend is one linear model.
    pub logistic_weight: f32,
    /// AdaGrad's base step for that logistic regression.
    pub logistic_learning_rate: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureConfig::default(),
            solver: SolverOptions::default(),
            calibration_share: 0.15,
            logistic_weight: 0.0,
            logistic_learning_rate: 0.5,
        }
    }
}

impl TrainOptions {
    /// The weights these options learn from `xs` labelled `ys`: the SVM's, blended with the
    /// logistic regression's when [`Self::logistic_weight`] > 0.
    fn fit(&self, xs: &[SparseVector], ys: &[usize], features: usize, classes: usize) -> LinearWeights {
        let svm = train::fit(xs, ys, features, classes, &self.solver);
        let a = self.logistic_weight;
        if a <= 0.0 {
            return svm;
        }
        let logistic = SolverOptions {
            loss: Loss::Softmax,
            learning_rate: self.logistic_learning_rate,
            nb_smoothing: 0.0,
            ..self.solver.clone()
        };
        let lr = train::fit(xs, ys, features, classes, &logistic);
        let blend =
            |s: &[f32], l: &[f32]| -> Vec<f32> { s.iter().zip(l).map(|(s, l)| (1.0 - a) * s + a * l).collect() };
        LinearWeights { classes, w: blend(&svm.w, &lr.w), bias: blend(&svm.bias, &lr.bias) }
    }
}

/// A labelled post.
#[derive(Debug, Clone, Copy)]
pub struct Example<'a> {
    pub document: Document<'a>,
    pub category: &'a str,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error("no labelled post to learn from: the file needs a category column (一级分类 or category) with values")]
    NoExamples,
    #[error("every labelled post has the category {0:?}: a classifier needs at least two categories")]
    OneCategory(String),
}

/// A category, how likely it is, and the words that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub category: String,
    /// Calibrated probability of `category`.
    pub probability: f64,
    /// Words of the post that pushed most towards `category`, strongest first.
    pub top_words: Vec<String>,
}

/// A trained category classifier.
#[derive(Debug, Clone)]
pub struct CategoryModel {
    pub(crate) vectorizer: Vectorizer,
    /// The categories, sorted.
    pub classes: Vec<String>,
    pub(crate) weights: LinearWeights,
    pub temperature: f32,
    /// How many labelled posts it was trained on.
    pub trained_on: usize,
}

/// How many explaining words a prediction carries.
pub const TOP_WORDS: usize = 5;

impl CategoryModel {
    /// Trains on `examples`. The result depends only on the examples (in their order) and
    /// the options: training twice gives the same model file.
    pub fn train(examples: &[Example], options: &TrainOptions) -> Result<CategoryModel, TrainError> {
        let classes: Vec<String> =
            examples.iter().map(|e| e.category.to_string()).collect::<BTreeSet<_>>().into_iter().collect();
        match classes.len() {
            0 => return Err(TrainError::NoExamples),
            1 => return Err(TrainError::OneCategory(classes[0].clone())),
            _ => {}
        }
        let ys: Vec<usize> =
            examples.iter().map(|e| classes.binary_search(&e.category.to_string()).unwrap_or(0)).collect();
        let words: Vec<Vec<String>> = examples.iter().map(|e| features::words(e.document)).collect();

        // Temperature: a model trained without every k-th post scores those posts.
        let mut temperature = 1.0;
        let every =
            if options.calibration_share > 0.0 { (1.0 / options.calibration_share).round() as usize } else { 0 };
        if every >= 2 && examples.len() >= 10 * every {
            let held_out = |i: usize| i % every == every / 2;
            let (fit_idx, cal_idx): (Vec<usize>, Vec<usize>) = (0..examples.len()).partition(|i| !held_out(*i));
            let fit_words: Vec<Vec<String>> = fit_idx.iter().map(|&i| words[i].clone()).collect();
            let vectorizer = Vectorizer::fit(&fit_words, &options.features);
            let xs: Vec<SparseVector> = fit_words.iter().map(|w| vectorizer.transform(w)).collect();
            let fit_ys: Vec<usize> = fit_idx.iter().map(|&i| ys[i]).collect();
            let weights = options.fit(&xs, &fit_ys, vectorizer.len(), classes.len());
            let logits: Vec<Vec<f32>> =
                cal_idx.iter().map(|&i| weights.logits(&vectorizer.transform(&words[i]))).collect();
            let cal_ys: Vec<usize> = cal_idx.iter().map(|&i| ys[i]).collect();
            temperature = train::fit_temperature(&logits, &cal_ys);
        }

        let vectorizer = Vectorizer::fit(&words, &options.features);
        let xs: Vec<SparseVector> = words.iter().map(|w| vectorizer.transform(w)).collect();
        let weights = options.fit(&xs, &ys, vectorizer.len(), classes.len());
        let model = CategoryModel { vectorizer, classes, weights, temperature, trained_on: examples.len() };
        // The file stores 16-bit weights: the model returned is the one a file gives back,
        // so that it predicts exactly as it will once saved.
        Ok(CategoryModel::from_bytes(&model.to_bytes()).expect("a model reads back its own bytes"))
    }

    /// The category of a post, its probability and the words that explain it. A post with no
    /// known word gets the category the model finds most common, with a low probability.
    pub fn predict(&self, document: Document) -> Prediction {
        let words = features::words(document);
        let x = self.vectorizer.transform(&words);
        let mut p = self.weights.logits(&x);
        train::softmax(&mut p, self.temperature);
        let best = (0..p.len()).fold(0, |b, c| if p[c] > p[b] { c } else { b });
        Prediction {
            category: self.classes[best].clone(),
            probability: p[best] as f64,
            top_words: self.explain(&x, best),
        }
    }

    /// Calibrated probabilities of every class (in the order of [`Self::classes`]).
    pub fn probabilities(&self, document: Document) -> Vec<f64> {
        let x = self.vectorizer.transform(&features::words(document));
        let mut p = self.weights.logits(&x);
        train::softmax(&mut p, self.temperature);
        p.into_iter().map(f64::from).collect()
    }

    /// The words of `x` whose weight for `class`, above their average weight over all
    /// classes, adds most to the score of `class`.
    fn explain(&self, x: &SparseVector, class: usize) -> Vec<String> {
        let classes = self.classes.len();
        let mut contributions: Vec<(f32, &str)> = x
            .iter()
            .filter(|(j, _)| self.vectorizer.features[*j as usize].kind == FeatureKind::Word)
            .map(|&(j, value)| {
                let row = &self.weights.w[j as usize * classes..(j as usize + 1) * classes];
                let mean = row.iter().sum::<f32>() / classes as f32;
                (value * (row[class] - mean), self.vectorizer.features[j as usize].text.as_str())
            })
            .filter(|(c, _)| *c > 0.0)
            .collect();
        contributions.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        contributions.into_iter().take(TOP_WORDS).map(|(_, w)| w.to_string()).collect()
    }

    /// How many features (words, word pairs, character n-grams) the model knows.
    pub fn features(&self) -> usize {
        self.vectorizer.len()
    }

    pub fn feature_config(&self) -> &FeatureConfig {
        &self.vectorizer.config
    }
}

/// Whether a labelled post belongs to the fixed test share (`percent` of 100) of a labelled
/// set, decided by a hash of its text alone: the same post is always on the same side, and
/// identical texts (the labelled set repeats some) never straddle the split.
pub fn in_test_split(text: &str, percent: u64) -> bool {
    split_bucket(text, 0) < percent
}

/// A second, independent split of the same kind (another salt): the validation share of the
/// training part, used to tune options without ever looking at the test share.
pub fn in_validation_split(text: &str, percent: u64) -> bool {
    split_bucket(text, 1) < percent
}

fn split_bucket(text: &str, salt: u64) -> u64 {
    // FNV-1a over the text without white space, so "a b" and "ab" land together, then a
    // SplitMix64 finaliser per salt, so that the two splits are independent.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let mut buf = [0u8; 4];
        for &byte in c.encode_utf8(&mut buf).as_bytes() {
            hash ^= byte as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    train::SplitMix64(hash ^ salt.wrapping_mul(0xd6e8_feb8_6659_fd93)).next_u64() % 100
}

#[cfg(test)]
mod tests;
