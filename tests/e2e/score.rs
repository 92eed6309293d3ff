//! `wenzheng score` and `wenzheng eval` on the real replies.

use polars::prelude::*;
use tests::{read_parquet, read_table, shared_file, wenzheng};

fn scored_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.display().to_string();
    wenzheng(["ingest", &shared_file("replies_dev.xlsx").display().to_string(), "--out", &d]).ok();
    let stdout = wenzheng(["score", "--data", &d]).ok();
    assert!(stdout.contains("scored 1463 replies (1463 new or changed, 0 unchanged)"), "{stdout}");
    (dir, data)
}

#[test]
fn every_real_reply_is_scored_with_evidence_inside_its_text() {
    let (_dir, data) = scored_folder();
    let scores = read_parquet(&data.join("scores/replies.parquet"));
    assert_eq!(scores.height(), 1463);
    let replies = read_table(&data, "replies");
    let bodies: std::collections::HashMap<String, String> = replies
        .column("reply_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .zip(replies.column("body").unwrap().str().unwrap().iter())
        .map(|(id, body)| (id.unwrap().to_string(), body.unwrap().to_string()))
        .collect();
    let ids = scores.column("reply_id").unwrap().str().unwrap();
    let evasive = scores.column("evasive_level").unwrap().i8().unwrap();
    let vague = scores.column("vague_level").unwrap().i8().unwrap();
    let evasive_score = scores.column("evasive_score").unwrap().f64().unwrap();
    let evidence = scores.column("evidence").unwrap().str().unwrap();
    let flagged = scores.column("evasive").unwrap().bool().unwrap();
    for i in 0..scores.height() {
        let (e, v) = (evasive.get(i).unwrap(), vague.get(i).unwrap());
        assert!((0..=2).contains(&e) && (0..=2).contains(&v));
        assert_eq!(flagged.get(i).unwrap(), e == 2);
        assert!((0.0..=1.0).contains(&evasive_score.get(i).unwrap()));
        let body: Vec<char> = bodies[ids.get(i).unwrap()].chars().collect();
        let spans: Vec<serde_json::Value> = serde_json::from_str(evidence.get(i).unwrap()).unwrap();
        for span in spans.iter().filter(|s| s.get("in").is_none()) {
            let (start, end) = (span["start"].as_u64().unwrap() as usize, span["end"].as_u64().unwrap() as usize);
            let text: String = body[start..end].iter().collect();
            assert_eq!(text, span["text"].as_str().unwrap(), "evidence span of reply {}", ids.get(i).unwrap());
        }
    }
    // The real data pastes the same reply under many posts: found as duplicate groups.
    let groups = scores.column("duplicate_group").unwrap();
    assert!(groups.len() - groups.null_count() >= 20, "duplicate groups: {}", groups.len() - groups.null_count());
}

#[test]
fn rescoring_reuses_unchanged_scores_and_eval_reports_agreement() {
    let (_dir, data) = scored_folder();
    let d = data.display().to_string();
    let again = wenzheng(["score", "--data", &d]).ok();
    assert!(again.contains("(0 new or changed, 1463 unchanged)"), "{again}");

    let labels = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/labels/replies_dev_tune.jsonl");
    let report = wenzheng(["eval", "--data", &d, "--labels", &labels.display().to_string()]).ok();
    assert!(report.contains("labels: 105 (105 matched"), "{report}");
    for label in ["evasive", "vague"] {
        let line = report.lines().find(|l| l.starts_with(&format!("{label}: quadratic-weighted kappa"))).unwrap();
        let kappa: f64 = line.split_whitespace().nth(3).unwrap().trim_end_matches(',').parse().unwrap();
        assert!(kappa > 0.5, "{line}");
    }
    assert!(report.contains("human \\ scorer"));

    // A label that agrees on both levels but not on the type is listed among the disagreements.
    let scores = read_parquet(&data.join("scores/replies.parquet"));
    let row = scores.column("post_id").unwrap().str().unwrap().iter().position(|p| p == Some("2554")).unwrap();
    let level = |name: &str| scores.column(name).unwrap().get(row).unwrap().to_string();
    let scorer_type = scores.column("reply_type").unwrap().str().unwrap().get(row).unwrap().to_string();
    let other_type = if scorer_type == "partial" { "substantive" } else { "partial" };
    let type_only = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    // (and an id of no reply of the folder, mistyped, is named so that it can be mended)
    let csv = format!(
        "id,evasive,vague,type\n2554,{},{},{other_type}\n13697O,0,0,substantive\n",
        level("evasive_level"),
        level("vague_level")
    );
    std::fs::write(type_only.path(), csv).unwrap();
    let report = wenzheng(["eval", "--data", &d, "--labels", &type_only.path().display().to_string()]).ok();
    assert!(report.contains("labels: 2 (1 matched, 1 not in the data folder)"), "{report}");
    assert!(report.contains("  not in the data folder: 13697O\n"), "{report}");
    assert!(report.contains("disagreements (levels or type): 1"), "{report}");
    assert!(report.contains("  2554 (reply ") && report.contains(other_type), "{report}");

    let bad = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
    std::fs::write(bad.path(), "id,evasive,vague\n2554,3,0\n").unwrap();
    let run = wenzheng(["eval", "--data", &d, "--labels", &bad.path().display().to_string()]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("row 2") && run.stderr().contains("evasive"), "{}", run.stderr());
}

/// A supervision office extends the lexicon without a rebuild: `wenzheng config --lexicon`
/// prints the built-in one, the config names the edited copy, and every reply is judged again
/// with it (and again whenever the file changes); a broken file stops the stage, naming it.
#[test]
fn a_lexicon_of_ones_own_judges_every_reply_again() {
    let (dir, data) = scored_folder();
    let d = data.display().to_string();
    let reply_type_of_post = |post: &str| {
        let scores = read_parquet(&data.join("scores/replies.parquet"));
        tests::lookup(&scores, "post_id", post, "reply_type").unwrap()
    };
    // post 68512 was answered "此事正在调查处理中。" and nothing else: only a progress note
    assert_eq!(reply_type_of_post("68512"), "acknowledgement_only");

    let built_in = wenzheng(["config", "--lexicon"]).ok();
    // this office reads "being investigated", with nothing found, as a refusal to answer
    let own = built_in.replacen("\"不予受理\",", "\"不予受理\", \"正在调查处理中\",", 1);
    assert_ne!(own, built_in, "the refusal list moved: update this test");
    let lexicon = dir.path().join("our-lexicon.toml");
    std::fs::write(&lexicon, &own).unwrap();
    std::fs::write(data.join("wenzheng.toml"), "[scoring]\nlexicon = \"../our-lexicon.toml\"\n").unwrap();
    let run = wenzheng(["score", "--data", &d]).ok();
    assert!(run.contains("(1463 new or changed, 0 unchanged)"), "{run}");
    assert_eq!(reply_type_of_post("68512"), "refusal_without_reason");
    let again = wenzheng(["score", "--data", &d]).ok();
    assert!(again.contains("(0 new or changed, 1463 unchanged)"), "{again}");

    // Scores made with that lexicon, read once the config names none: each reader says so.
    std::fs::rename(data.join("wenzheng.toml"), dir.path().join("aside.toml")).unwrap();
    let labels = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/labels/replies_dev_tune.jsonl");
    let eval = wenzheng(["eval", "--data", &d, "--labels", &labels.display().to_string()]);
    eval.ok();
    let eval = eval.stderr();
    let built_in_version = format!("the built-in lexicon is {}", pipeline::score::SCORER_VERSION);
    assert!(eval.contains("may not be the current scorer's") && eval.contains(&built_in_version), "{eval}");
    std::fs::rename(dir.path().join("aside.toml"), data.join("wenzheng.toml")).unwrap();

    std::fs::write(&lexicon, format!("{own}\n[refusal\n")).unwrap();
    let broken = wenzheng(["score", "--data", &d]);
    assert_eq!(broken.code(), 2);
    assert!(
        broken.stderr().contains("our-lexicon.toml") && broken.stderr().contains("config --lexicon"),
        "{}",
        broken.stderr()
    );
    // `run` finds it before it ingests anything: the folder is as it was.
    let manifest = std::fs::read(data.join("manifest.json")).unwrap();
    let posts = shared_file("posts_likes.xlsx").display().to_string();
    let run = wenzheng(["run", &posts, "--out", &d]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("our-lexicon.toml"), "{}", run.stderr());
    assert_eq!(std::fs::read(data.join("manifest.json")).unwrap(), manifest, "nothing was ingested");

    // A pattern that does not compile is named with its section and the line it is written on.
    let good = "'(?:回复|答复|说明|反馈|函复)如下[:。]?'";
    let line = own[..own.find(good).expect("the pattern moved: update this test")].matches('\n').count() + 1;
    std::fs::write(&lexicon, own.replacen(good, "'(?:回复|答复如下['", 1)).unwrap();
    let broken = wenzheng(["score", "--data", &d]);
    assert_eq!(broken.code(), 2);
    let message = broken.stderr();
    assert!(
        message.contains("our-lexicon.toml")
            && message.contains("[courtesy]")
            && message.contains(&format!("(line {line})")),
        "{message}"
    );
}

/// Posts with likes and no replies (posts_likes.xlsx) go through every stage of `run`: nothing is
/// judged, but the issues, the index and the reports are made (indicators with no rows: nothing
/// says how those posts were answered); replies added later are judged
/// as they would have been from the start.
#[test]
fn a_folder_of_posts_alone_runs_every_stage_and_judges_replies_added_later() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.display().to_string();
    let posts = shared_file("posts_likes.xlsx").display().to_string();
    let replies = shared_file("replies_dev.xlsx").display().to_string();
    let stdout = wenzheng(["run", &posts, "--out", &d]).ok();
    assert!(stdout.contains("scored 0 replies: the data folder holds posts only"), "{stdout}");
    assert_eq!(read_parquet(&data.join("scores/replies.parquet")).height(), 0);
    assert!(read_parquet(&data.join("issues/issues.parquet")).height() > 0, "no recurring issues: {stdout}");
    // Nothing says how a likes export's posts were answered: the facts say so, and the
    // indicators, which measure answering, count none of them (none is overdue).
    let facts = read_parquet(&data.join("reports/post_facts.parquet"));
    assert_eq!(facts.height(), 4326);
    assert!(!facts.column("reply_known").unwrap().bool().unwrap().any(), "{stdout}");
    assert!(!facts.column("overdue").unwrap().bool().unwrap().any(), "{stdout}");
    assert_eq!(read_parquet(&data.join("reports/indicators.parquet")).height(), 0, "{stdout}");
    let found = wenzheng(["search", "--data", &d, "--limit", "1", "噪音"]).ok();
    assert!(found.contains("reply: none yet"), "{found}");

    let stdout = wenzheng(["run", &replies, "--out", &d]).ok();
    assert!(stdout.contains("scored 1463 replies (1463 new or changed, 0 unchanged)"), "{stdout}");
    let both_dir = tempfile::tempdir().unwrap();
    let both = both_dir.path().join("data");
    wenzheng(["run", &posts, &replies, "--out", &both.display().to_string()]).ok();
    let sorted = |frame: DataFrame| {
        frame.drop("duplicate_group").unwrap().sort(["reply_id"], SortMultipleOptions::default()).unwrap()
    };
    let later = sorted(read_parquet(&data.join("scores/replies.parquet")));
    let at_once = sorted(read_parquet(&both.join("scores/replies.parquet")));
    assert!(later.equals_missing(&at_once), "replies judged later differ from replies judged at once");
}

/// `wenzheng config` prints the defaults, and with `--config FILE` that file's values (it printed
/// the defaults whatever the file said, and took a missing file without a word).
#[test]
fn config_prints_the_values_of_the_file_given() {
    assert!(wenzheng(["config"]).ok().contains("complaint_days = 5"));
    let file = tempfile::NamedTempFile::with_suffix(".toml").unwrap();
    std::fs::write(file.path(), "[deadlines]\ncomplaint_days = 3\n").unwrap();
    let path = file.path().display().to_string();
    assert!(wenzheng(["config", "--config", &path]).ok().contains("complaint_days = 3"));
    let missing = wenzheng(["config", "--config", "/nonexistent/wenzheng.toml"]);
    assert_eq!(missing.code(), 2, "{}", missing.stderr());
    // commands that read nothing of the config refuse a missing one too, instead of running on
    for command in
        [vec!["search", "--data", "/nonexistent", "路灯"], vec!["eval", "--data", "/nonexistent", "--labels", "x.csv"]]
    {
        let run = wenzheng([vec!["--config", "/nonexistent/wenzheng.toml"], command].concat());
        assert_eq!(run.code(), 2, "{}", run.stderr());
        assert!(run.stderr().contains("/nonexistent/wenzheng.toml: cannot read the config file"), "{}", run.stderr());
    }
}
