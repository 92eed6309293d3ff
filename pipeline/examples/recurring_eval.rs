//! Recurring-issue benchmark: clusters the posts of a data folder made from a synthetic corpus
//! (shared/bench/make_corpus.py) and compares the issues with the planted ones of its
//! truth.csv, pair by pair; prints the time taken and the found issues that mix planted
//! clusters or background posts, largest first, to show what went wrong.
//!
//!   wenzheng ingest CORPUS/posts.csv CORPUS/replies.csv --out DIR
//!   cargo run --release --example recurring_eval -- DIR CORPUS/truth.csv [SHOWN] [CONFIG.toml]
use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, Result};
use models::recurring::{cluster, pair_agreement, RecurringConfig, WrongPairs};
use pipeline::recurring::PostTable;
use pipeline::store::DataDir;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, truth, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: recurring_eval DATA_DIR TRUTH_CSV [SHOWN] [CONFIG.toml]");
    };
    let shown: usize = rest.first().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let config = match rest.get(1) {
        Some(path) => RecurringConfig::from_toml(&std::fs::read_to_string(path)?)?,
        None => RecurringConfig::default(),
    };

    let t = Instant::now();
    let dir = DataDir::open_read_only(std::path::Path::new(dir))?;
    let table = PostTable::read(&dir)?;
    let posts = table.posts()?;
    let planted = read_truth(truth)?;
    println!("read {} posts, {} planted clusters in {:.1} s", posts.len(), planted.len(), t.elapsed().as_secs_f64());

    let t = Instant::now();
    let issues = cluster(&posts, &config);
    let seconds = t.elapsed().as_secs_f64();

    let mut found: Vec<Option<usize>> = vec![None; posts.len()];
    for (k, members) in issues.iter().enumerate() {
        for &i in members {
            found[i] = Some(k);
        }
    }
    let truth: Vec<Option<&str>> = posts.iter().map(|p| planted.get(p.post_id).map(String::as_str)).collect();
    let agreement = pair_agreement(&found, &truth);
    let largest = issues.iter().map(Vec::len).max().unwrap_or(0);
    println!(
        "clustered in {seconds:.1} s: {} issues of {} posts (largest {largest}); pairs found {}, planted {}, shared {}",
        issues.len(),
        issues.iter().map(Vec::len).sum::<usize>(),
        agreement.found_pairs,
        agreement.true_pairs,
        agreement.shared_pairs
    );
    println!("pairwise precision {:.3} recall {:.3}", agreement.precision(), agreement.recall());

    // The issues that cost most precision, the most wrong pairs first, and where the wrong
    // pairs come from: two planted clusters merged, a planted cluster taking background posts,
    // or background posts grouped among themselves.
    let mut wrong = WrongPairs::default();
    let mut mixed: Vec<(u64, &Vec<usize>)> = Vec::new();
    for members in &issues {
        let of_issue = WrongPairs::of_issue(members, &truth);
        wrong += of_issue;
        if of_issue.total() > 0 {
            mixed.push((of_issue.total(), members));
        }
    }
    mixed.sort_by_key(|(wrong, _)| std::cmp::Reverse(*wrong));
    println!(
        "wrong pairs: {} of two planted clusters, {} planted with background, {} of background posts only",
        wrong.two_true, wrong.true_with_unrelated, wrong.unrelated
    );
    for (wrong, members) in mixed.iter().take(shown) {
        println!("\n{} posts, {wrong} wrong pairs:", members.len());
        for &i in members.iter().take(12) {
            let p = &posts[i];
            println!("  {} [{}] {} | {}", p.post_id, truth[i].unwrap_or("-"), p.region.unwrap_or("-"), p.subject);
        }
    }
    Ok(())
}

/// Post id → planted cluster id, from the `recurring` rows of truth.csv.
fn read_truth(path: &str) -> Result<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("cannot read {path}"))?;
    let mut planted = HashMap::new();
    for row in reader.records() {
        let row = row.with_context(|| format!("bad row in {path}"))?;
        if row.get(2) == Some("recurring") {
            planted.insert(row[0].to_string(), row[3].to_string());
        }
    }
    Ok(planted)
}
