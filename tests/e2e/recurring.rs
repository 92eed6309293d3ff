//! `wenzheng recurring` and `wenzheng issues` on the real posts with likes.

use tests::{shared_file, wenzheng};

#[test]
fn the_known_hot_issue_of_posts_likes_tops_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data").display().to_string();
    wenzheng(["ingest", &shared_file("posts_likes.xlsx").display().to_string(), "--out", &d]).ok();
    let stdout = wenzheng(["recurring", "--data", &d]).ok();
    assert!(stdout.starts_with("recurring: "), "{stdout}");
    assert!(dir.path().join("data/issues/issues.parquet").is_file());
    assert!(dir.path().join("data/issues/clusters.parquet").is_file());

    // Many residents of 丽发新城 reporting the mixing plant over weeks: the hottest issue.
    let table = wenzheng(["issues", "--data", &d, "--top", "10"]).ok();
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with("rank\tissue\theat"), "{table}");
    let first = lines.next().unwrap();
    assert!(first.starts_with("1\t") && first.contains("丽发新城"), "{first}");
    let posts = first.rsplit('\t').next().unwrap().split_whitespace().count();
    // 55 posts name the plant; most are one issue, whether placed at "A市" or at "A市A2区".
    // (A share of the issue alone split them into a dozen issues, the largest of 12.)
    assert!(posts >= 30, "{first}");
    assert_eq!(table.lines().count(), 11);

    // A period with no posts says so, and is not an error.
    let empty = wenzheng(["issues", "--data", &d, "--from", "2001-01-01", "--to", "2001-12-31"]).ok();
    assert!(empty.contains("no recurring issue in this period"), "{empty}");
}
