//! `wenzheng recurring` and `wenzheng issues` on the real posts with likes.

use tests::{corpus_and_a_day, read_parquet, shared_file, wenzheng};

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
    // how many times, by how many citizens: what a notice publishes
    let columns: Vec<&str> = first.split('\t').collect();
    let (reported, citizens): (usize, usize) = (columns[3].parse().unwrap(), columns[4].parse().unwrap());
    assert!(reported >= 30 && reported <= posts && citizens >= 30 && citizens <= posts, "{first}");

    // The same table as JSON lines, for a script or a notice.
    let json = wenzheng(["issues", "--data", &d, "--top", "3", "--json"]).ok();
    let rows: Vec<serde_json::Value> =
        json.lines().map(|l| serde_json::from_str(l).expect("an issue as JSON")).collect();
    assert_eq!(rows.len(), 3, "{json}");
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["reported"].as_u64(), Some(reported as u64), "{json}");
    assert_eq!(rows[0]["post_ids"].as_array().map(Vec::len), Some(posts), "{json}");
    assert!(rows[0]["place"].as_str().unwrap_or("").contains("丽发新城"), "{json}");
    // and issues.parquet (so the API) keeps the same count
    let issues = read_parquet(&dir.path().join("data/issues/issues.parquet"));
    let ids = issues.column("cluster_id").unwrap().str().unwrap().clone();
    let kept = issues.column("reported").unwrap().i64().unwrap().clone();
    let top = (0..issues.height()).find(|&i| ids.get(i) == rows[0]["cluster_id"].as_str()).expect("the top issue");
    assert_eq!(kept.get(top), Some(reported as i64));

    // A period with no posts says so, and is not an error.
    let empty = wenzheng(["issues", "--data", &d, "--from", "2001-01-01", "--to", "2001-12-31"]).ok();
    assert!(empty.contains("no recurring issue in this period"), "{empty}");
}

#[test]
fn a_daily_rerun_reads_and_groups_only_the_new_posts_and_finds_what_a_run_from_scratch_finds() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    // The last days of posts come as a second file, as a daily export does.
    corpus_and_a_day(&corpus, 6000, 5);
    let data = dir.path().join("data");
    let d = data.display().to_string();
    let file = |name: &str| corpus.join(name).display().to_string();
    wenzheng(["ingest", &file("before.csv"), &file("replies.csv"), "--out", &d]).ok();
    let first = wenzheng(["recurring", "--data", &d]).ok();
    assert!(first.contains("(5700 posts read anew, 5700 grouped)"), "{first}");
    // The day's posts carry on from the grouping kept after the last post.
    wenzheng(["ingest", &file("day.csv"), "--out", &d]).ok();
    let daily = wenzheng(["recurring", "--data", &d]).ok();
    assert!(daily.contains("(300 posts read anew, 300 grouped)"), "{daily}");
    let clusters = read_parquet(&data.join("issues/clusters.parquet"));
    let issues = read_parquet(&data.join("issues/issues.parquet"));
    assert!(issues.height() > 50, "{issues}");

    let from_scratch = || {
        std::fs::remove_dir_all(data.join("issues/features")).unwrap();
        std::fs::remove_file(data.join("issues/grouping.bin")).unwrap();
        wenzheng(["recurring", "--data", &d]).ok()
    };
    let scratch = from_scratch();
    assert!(scratch.contains("(6000 posts read anew, 6000 grouped)"), "{scratch}");
    assert_eq!(daily.replace("(300 posts read anew, 300 grouped)", "(6000 posts read anew, 6000 grouped)"), scratch);
    assert!(read_parquet(&data.join("issues/clusters.parquet")).equals_missing(&clusters));
    assert!(read_parquet(&data.join("issues/issues.parquet")).equals_missing(&issues));

    // A features file cut short, its header whole: found out when its rows are read, and every
    // post's features are computed again; the issues are the same.
    let cached = std::fs::read_dir(data.join("issues/features"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "part"))
        .expect("a part's features file");
    let bytes = std::fs::read(&cached).unwrap();
    std::fs::write(&cached, &bytes[..bytes.len() - 4]).unwrap();
    let repaired = wenzheng(["recurring", "--data", &d]).ok();
    assert!(repaired.contains("(6000 posts read anew"), "{repaired}");
    assert_eq!(std::fs::read(&cached).unwrap(), bytes);
    assert!(read_parquet(&data.join("issues/clusters.parquet")).equals_missing(&clusters));
    assert!(read_parquet(&data.join("issues/issues.parquet")).equals_missing(&issues));

    // A post older than the last one grouped (a late delivery, a copy of an early post under
    // another id): every post is grouped again, and the issues are those of a run from scratch.
    let late = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import csv, sys\n\
             rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))\n\
             rows[1][0], rows[1][2] = 'late-1', rows[1][2] + '，再次反映'\n\
             csv.writer(open(sys.argv[2], 'w', newline='', encoding='utf-8')).writerows(rows[:2])\n",
        )
        .arg(corpus.join("before.csv"))
        .arg(corpus.join("late.csv"))
        .output()
        .expect("run python3");
    assert!(late.status.success(), "late.csv failed: {}", String::from_utf8_lossy(&late.stderr));
    wenzheng(["ingest", &file("late.csv"), "--out", &d]).ok();
    let regrouped = wenzheng(["recurring", "--data", &d]).ok();
    assert!(regrouped.contains("(1 posts read anew, 6001 grouped)"), "{regrouped}");
    let (clusters, issues) =
        (read_parquet(&data.join("issues/clusters.parquet")), read_parquet(&data.join("issues/issues.parquet")));
    let scratch = from_scratch();
    assert_eq!(regrouped.replace("(1 posts read anew", "(6001 posts read anew"), scratch);
    assert!(read_parquet(&data.join("issues/clusters.parquet")).equals_missing(&clusters));
    assert!(read_parquet(&data.join("issues/issues.parquet")).equals_missing(&issues));
}
