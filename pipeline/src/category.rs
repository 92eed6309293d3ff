//! `wenzheng category train | eval | predict`: the post-category classifier of
//! `models::category` on files, and the model ingest uses to fill in missing categories.
//!
//! Model files are read and written here (models only turns them into bytes). The labelled
//! set is split by a hash of each post's text into a fixed 20% test share and the rest
//! (`--split test|train`), so that a model can be evaluated on posts it never saw.

mod labels;
pub mod misrouted;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::{Context, Result};
use models::category::{self, CategoryModel, ConfusionMatrix, Example, Prediction, TrainOptions};
use rayon::prelude::*;

pub use labels::{read_posts, InputPost, InputPosts, PostText, Prefer};
pub use misrouted::{write_misrouted, MISROUTED_FILE};

use crate::ingest::BadInput;
use crate::store;

/// Share (in percent) of a labelled set kept for testing by `--split test`.
pub const TEST_PERCENT: u64 = 20;

/// Which posts of a labelled file a command uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    /// Every labelled post.
    All,
    /// The posts outside the fixed 20% test share.
    Train,
    /// The fixed 20% test share (decided by a hash of each post's text).
    Test,
}

impl Split {
    pub fn keeps(self, post: &InputPost) -> bool {
        match self {
            Split::All => true,
            Split::Train => !category::in_test_split(&post.split_key, TEST_PERCENT),
            Split::Test => category::in_test_split(&post.split_key, TEST_PERCENT),
        }
    }
}

/// `wenzheng category …`.
#[derive(Debug, clap::Subcommand)]
pub enum CategoryCommand {
    /// Train a model on labelled posts (csv / jsonl / xlsx with a category column and text).
    Train {
        /// Labelled posts: 一级分类|category, and text, seg_text or subject + body.
        #[arg(long)]
        labels: PathBuf,
        /// The model file to write.
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "all")]
        split: Split,
    },
    /// Accuracy, macro-F1, per-category precision / recall / F1 and the confusion matrix.
    Eval {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        labels: PathBuf,
        #[arg(long, value_enum, default_value = "all")]
        split: Split,
    },
    /// Categorise posts: post_id, category, probability, top words → csv or jsonl (by --out's extension).
    Predict {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run_command(command: CategoryCommand, out: &mut impl Write) -> Result<()> {
    match command {
        CategoryCommand::Train { labels, out: model, split } => train(&labels, &model, split, out),
        CategoryCommand::Eval { model, labels, split } => eval(&model, &labels, split, out).map(|_| ()),
        CategoryCommand::Predict { model, input, out: file } => predict(&model, &input, &file, out),
    }
}

/// Reads the labelled posts of `path` on the `split` side.
pub fn labelled_posts(path: &Path, split: Split) -> Result<Vec<InputPost>> {
    let read = read_posts(path, true, Prefer::Raw)?;
    let posts: Vec<InputPost> = read.posts.into_iter().filter(|p| p.category.is_some() && split.keeps(p)).collect();
    if read.without_text > 0 {
        tracing::warn!(file = %path.display(), rows = read.without_text, "rows without any text left out");
    }
    Ok(posts)
}

pub fn examples(posts: &[InputPost]) -> Vec<Example<'_>> {
    posts
        .iter()
        .filter_map(|p| p.category.as_deref().map(|category| Example { document: p.document(), category }))
        .collect()
}

pub fn train(labels: &Path, model_path: &Path, split: Split, out: &mut impl Write) -> Result<()> {
    let posts = labelled_posts(labels, split)?;
    let started = Instant::now();
    let model = CategoryModel::train(&examples(&posts), &TrainOptions::default()).map_err(|e| BadInput {
        file: labels.display().to_string(),
        sheet: None,
        reason: e.to_string(),
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes = model.to_bytes();
    save_model(model_path, &bytes)?;
    writeln!(
        out,
        "trained on {} posts ({} categories, {} features) in {seconds:.1} s; temperature {:.2}",
        model.trained_on,
        model.classes.len(),
        model.features(),
        model.temperature
    )?;
    writeln!(out, "model written to {} ({} KiB)", model_path.display(), bytes.len().div_ceil(1024))?;
    Ok(())
}

pub fn save_model(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    store::write_atomically(path, bytes)
}

/// Reads a model file; a file that is not a model of this build is input to fix (exit 2).
pub fn load_model(path: &Path) -> Result<CategoryModel> {
    let bad = |reason: String| BadInput { file: format!("model file {}", path.display()), sheet: None, reason };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    Ok(CategoryModel::from_bytes(&bytes).map_err(|e| bad(e.to_string()))?)
}

/// Predictions for many posts, in parallel, in their order.
pub fn predict_posts(model: &CategoryModel, posts: &[InputPost]) -> Vec<Prediction> {
    posts.par_iter().map(|p| model.predict(p.document())).collect()
}

/// The figures of `wenzheng category eval`.
pub struct EvalReport {
    pub matrix: ConfusionMatrix,
    pub posts_per_second: f64,
}

pub fn eval(model_path: &Path, labels: &Path, split: Split, out: &mut impl Write) -> Result<EvalReport> {
    let model = load_model(model_path)?;
    let posts = labelled_posts(labels, split)?;
    let started = Instant::now();
    let predictions = predict_posts(&model, &posts);
    let posts_per_second = posts.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let pairs: Vec<(&str, &str)> = posts
        .iter()
        .zip(&predictions)
        .map(|(p, q)| (p.category.as_deref().unwrap_or_default(), q.category.as_str()))
        .collect();
    let matrix = ConfusionMatrix::from_pairs(pairs.iter().copied());
    print_eval(&matrix, out)?;
    writeln!(out, "{} posts classified at {posts_per_second:.0} posts/s", posts.len())?;
    Ok(EvalReport { matrix, posts_per_second })
}

fn print_eval(matrix: &ConfusionMatrix, out: &mut impl Write) -> Result<()> {
    writeln!(out, "posts {}  accuracy {:.4}  macro-F1 {:.4}", matrix.total(), matrix.accuracy(), matrix.macro_f1())?;
    writeln!(out, "\n{} {:>9} {:>9} {:>9} {:>8}", pad("category", 16), "precision", "recall", "F1", "posts")?;
    for s in matrix.per_class() {
        writeln!(
            out,
            "{} {:>9.4} {:>9.4} {:>9.4} {:>8}",
            pad(&s.category, 16),
            s.precision,
            s.recall,
            s.f1,
            s.support
        )?;
    }
    writeln!(out, "\nconfusion matrix (rows: label, columns: predicted, in the order above)")?;
    for (i, row) in matrix.counts.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|n| format!("{n:>6}")).collect();
        writeln!(out, "{} {}", pad(&matrix.classes[i], 16), cells.join(""))?;
    }
    Ok(())
}

/// `text` padded to `width` columns, counting a CJK character as two.
fn pad(text: &str, width: usize) -> String {
    let columns: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

pub fn predict(model_path: &Path, input: &Path, file: &Path, out: &mut impl Write) -> Result<()> {
    let model = load_model(model_path)?;
    let read = read_posts(input, false, Prefer::Raw)?;
    let started = Instant::now();
    let predictions = predict_posts(&model, &read.posts);
    let seconds = started.elapsed().as_secs_f64();
    let jsonl = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("json"));
    let bytes = if jsonl { to_jsonl(&read.posts, &predictions)? } else { to_csv(&read.posts, &predictions)? };
    save_model(file, &bytes)?;
    writeln!(
        out,
        "{} posts categorised in {seconds:.2} s ({:.0} posts/s) → {}",
        read.posts.len(),
        read.posts.len() as f64 / seconds.max(1e-9),
        file.display()
    )?;
    if read.without_text > 0 {
        writeln!(out, "{} rows without any text left out", read.without_text)?;
    }
    Ok(())
}

fn to_csv(posts: &[InputPost], predictions: &[Prediction]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["post_id", "category", "probability", "top_words"])?;
    for (post, p) in posts.iter().zip(predictions) {
        writer.write_record([
            post.post_id.as_str(),
            &p.category,
            &format!("{:.4}", p.probability),
            &p.top_words.join(" "),
        ])?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("cannot write csv: {e}"))
}

fn to_jsonl(posts: &[InputPost], predictions: &[Prediction]) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for (post, p) in posts.iter().zip(predictions) {
        let line = serde_json::json!({
            "post_id": post.post_id,
            "category": p.category,
            "probability": (p.probability * 1e4).round() / 1e4,
            "top_words": p.top_words,
        });
        serde_json::to_writer(&mut bytes, &line)?;
        bytes.push(b'\n');
    }
    Ok(bytes)
}

/// The model ingest uses to fill in missing categories (`--category-model`), set once by the
/// command line before ingest runs. Process-wide like `--config`: it applies to whatever
/// ingest the command runs (`ingest`, `run`, `demo`), and threading it through each would
/// only repeat it.
static INGEST_MODEL: OnceLock<PathBuf> = OnceLock::new();

pub fn use_model_for_ingest(path: PathBuf) {
    let _ = INGEST_MODEL.set(path);
}

/// The model set for ingest, read from its file, or `None`.
pub fn ingest_model() -> Result<Option<CategoryModel>> {
    INGEST_MODEL.get().map(|path| load_model(path)).transpose()
}
