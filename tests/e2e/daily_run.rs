//! `wenzheng run` on a daily update: scoring and the index run beside recurring issues, and
//! the folder ends up as the stages run one after the other leave it.

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
