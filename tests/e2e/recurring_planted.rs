//! `wenzheng recurring` on a generated corpus with planted recurring issues
//! (../shared/bench/make_corpus.py writes them to truth.csv): found again pair by pair.

use std::collections::HashMap;
use std::process::Command;

use models::recurring::pair_agreement;
use tests::{read_parquet, shared_data, wenzheng};

/// Posts generated: about 10 % of them in planted issues of 3 to 15 posts.
const POSTS: &str = "100000";

#[test]
fn planted_recurring_issues_are_found_with_pairwise_precision_and_recall_of_at_least_0_9() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let script = shared_data().join("../bench/make_corpus.py");
    let made = Command::new("python3")
        .arg(&script)
        .args(["--posts", POSTS, "--seed", "3", "--out"])
        .arg(&corpus)
        .output()
        .expect("run python3");
    assert!(made.status.success(), "make_corpus.py failed: {}", String::from_utf8_lossy(&made.stderr));

    let data = dir.path().join("data");
    let file = |name: &str| corpus.join(name).display().to_string();
    wenzheng(["ingest", &file("posts.csv"), &file("replies.csv"), "--out", &data.display().to_string()]).ok();
    wenzheng(["recurring", "--data", &data.display().to_string()]).ok();

    // Post id → found issue, and post id → planted cluster.
    let clusters = read_parquet(&data.join("issues/clusters.parquet"));
    let found: HashMap<String, String> = clusters
        .column("post_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .zip(clusters.column("cluster_id").unwrap().str().unwrap().iter())
        .map(|(post, issue)| (post.unwrap().to_string(), issue.unwrap().to_string()))
        .collect();
    let truth_text = std::fs::read_to_string(corpus.join("truth.csv")).unwrap();
    let planted: HashMap<String, String> = truth_text
        .lines()
        .skip(1)
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|fields| fields[2] == "recurring")
        .map(|fields| (fields[0].to_string(), fields[3].to_string()))
        .collect();
    assert!(planted.len() > 5_000, "{} planted posts", planted.len());

    let mut posts: Vec<&String> = found.keys().chain(planted.keys()).collect();
    posts.sort();
    posts.dedup();
    let found_groups: Vec<Option<&String>> = posts.iter().map(|p| found.get(*p)).collect();
    let planted_groups: Vec<Option<&String>> = posts.iter().map(|p| planted.get(*p)).collect();
    let agreement = pair_agreement(&found_groups, &planted_groups);
    assert!(
        agreement.precision() >= 0.9 && agreement.recall() >= 0.9,
        "pairwise precision {:.3}, recall {:.3} ({agreement:?})",
        agreement.precision(),
        agreement.recall()
    );
}
