//! `wenzheng run`: on a daily update, scoring and the index run beside recurring issues, and
//! the folder ends up as the stages run one after the other leave it; otherwise each stage
//! after ingest runs in a process of its own, with the run's config.

use std::path::Path;

use tests::{corpus_and_a_day, manifest, read_parquet, wenzheng};

const DAILY: &str = "daily update: scoring and the index run beside recurring issues";

/// What a run leaves that a reader can compare: every table the stages wrote.
const OUTPUTS: [&str; 7] = [
    "scores/replies.parquet",
    "issues/clusters.parquet",
    "issues/issues.parquet",
    "reports/post_facts.parquet",
    "reports/indicators.parquet",
    "reports/annual.parquet",
    "reports/overdue.parquet",
];

fn stage_details(data: &Path) -> serde_json::Value {
    let mut stages = manifest(data)["stages"].clone();
    for stage in stages.as_object_mut().expect("stages").values_mut() {
        stage.as_object_mut().expect("a stage").remove("finished_at");
        let detail = stage["detail"].as_object_mut().expect("a stage's detail");
        // Times, and what depends on a file's time or a run's random name.
        for key in ["seconds", "inputs", "generation", "scores_generation"] {
            detail.remove(key);
        }
    }
    stages
}

#[test]
fn a_daily_run_scores_and_groups_side_by_side_and_leaves_what_one_stage_after_another_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let [before, replies, day] = corpus_and_a_day(&dir.path().join("corpus"), 3000, 7);
    let [side_by_side, one_by_one] = ["side-by-side", "one-by-one"].map(|name| dir.path().join(name));

    // The first run holds every row in each stage: one stage after another.
    let first =
        wenzheng(["run".as_ref(), before.as_os_str(), replies.as_os_str(), "--out".as_ref(), side_by_side.as_os_str()])
            .ok();
    assert!(!first.contains(DAILY), "{first}");
    let daily = wenzheng(["run".as_ref(), day.as_os_str(), "--out".as_ref(), side_by_side.as_os_str()]).ok();
    assert!(daily.contains(DAILY), "{daily}");
    assert!(daily.contains("(150 posts read anew, 150 grouped)"), "{daily}");
    assert!(daily.contains("index: 3000 cases (150 added, "), "{daily}");

    let d = one_by_one.display().to_string();
    for file in [vec![before, replies], vec![day]] {
        let mut ingest = vec!["ingest".to_string()];
        ingest.extend(file.iter().map(|f| f.display().to_string()));
        ingest.extend(["--out".to_string(), d.clone()]);
        wenzheng(&ingest).ok();
        for stage in ["score", "recurring", "indicators", "index"] {
            wenzheng([stage, "--data", &d]).ok();
        }
    }

    for output in OUTPUTS {
        let (a, b) = (read_parquet(&side_by_side.join(output)), read_parquet(&one_by_one.join(output)));
        assert!(a.equals_missing(&b), "{output} differs:\n{a}\n{b}");
    }
    // Each stage's record is kept, though two stages wrote the manifest at once.
    assert_eq!(stage_details(&side_by_side), stage_details(&one_by_one));
    let search = |data: &Path| {
        wenzheng(["search", "--data", &data.display().to_string(), "小区 噪音", "--limit", "50", "--json"]).ok()
    };
    let found = search(&side_by_side);
    assert_eq!(found.lines().count(), 50, "{found}");
    assert_eq!(found, search(&one_by_one));
}

/// A full run gives each stage after ingest a process of its own: each must get the run's
/// `--config`.
#[test]
fn a_full_run_gives_its_config_to_every_stage() {
    let dir = tempfile::tempdir().unwrap();
    let replies = tests::shared_file("replies_dev.xlsx").display().to_string();
    let issue_sizes = |data: &Path| -> Vec<i64> {
        let issues = read_parquet(&data.join("issues/issues.parquet"));
        issues.column("posts").unwrap().i64().unwrap().into_no_null_iter().collect()
    };
    let ranked = |data: &Path| {
        let annual = read_parquet(&data.join("reports/annual.parquet"));
        let rank = annual.column("rank").unwrap();
        rank.len() - rank.null_count()
    };

    // (the real replies name few units: none has the 10 posts a year a ranking needs by default)
    let lenient = dir.path().join("lenient.toml");
    std::fs::write(&lenient, "[annual]\nmin_posts = 2\n").unwrap();
    let plain = dir.path().join("plain");
    wenzheng(["--config", &lenient.display().to_string(), "run", &replies, "--out", &plain.display().to_string()]).ok();
    assert!(ranked(&plain) > 0);
    assert!(issue_sizes(&plain).contains(&2), "{:?}", issue_sizes(&plain));

    let config = dir.path().join("strict.toml");
    std::fs::write(&config, "[recurring]\nmin_posts = 3\n\n[annual]\nmin_posts = 1000000\n").unwrap();
    let strict = dir.path().join("strict");
    let c = config.display().to_string();
    wenzheng(["--config", &c, "run", &replies, "--out", &strict.display().to_string()]).ok();
    assert_eq!(ranked(&strict), 0);
    // Every issue of replies_dev.xlsx has two posts: none is left.
    assert!(issue_sizes(&strict).iter().all(|&posts| posts >= 3), "{:?}", issue_sizes(&strict));
}
