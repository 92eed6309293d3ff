//! A killed ingest leaves the data folder as it was before the run or as it is after it.

use std::process::Command;
use std::time::Duration;

use tests::{manifest, read_table, wenzheng, wenzheng_binary};

#[test]
fn a_killed_ingest_never_leaves_a_half_written_folder() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    wenzheng(["synth", "--posts", "60000", "--seed", "7", "--out", &corpus.display().to_string()]).ok();
    let inputs = [corpus.join("posts.csv"), corpus.join("replies.csv")];

    // The reference: the same ingest, never interrupted.
    let reference = dir.path().join("reference");
    wenzheng([
        "ingest",
        &inputs[0].display().to_string(),
        &inputs[1].display().to_string(),
        "--out",
        &reference.display().to_string(),
    ])
    .ok();
    let expected_posts = read_table(&reference, "posts").height();
    let expected_replies = read_table(&reference, "replies").height();

    for (attempt, delay_ms) in [50u64, 400, 1200, 2500].into_iter().enumerate() {
        let data = dir.path().join(format!("killed-{attempt}"));
        let mut child = Command::new(wenzheng_binary())
            .args([
                "ingest",
                &inputs[0].display().to_string(),
                &inputs[1].display().to_string(),
                "--out",
                &data.display().to_string(),
            ])
            .env("WENZHENG_LOG", "error")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();

        // Before: no manifest, or a manifest whose every part is whole. After: complete.
        if data.join("manifest.json").exists() {
            let m = manifest(&data);
            for parts in m["tables"].as_object().unwrap().values() {
                for part in parts.as_array().unwrap() {
                    assert!(data.join(part.as_str().unwrap()).is_file(), "listed part missing: {part}");
                }
            }
            if m["tables"].get("posts").is_some() {
                assert_eq!(read_table(&data, "posts").height(), expected_posts, "a committed run is complete");
            }
        }
        // Whatever the kill left, the next run rolls it back and completes the job.
        wenzheng([
            "ingest",
            &inputs[0].display().to_string(),
            &inputs[1].display().to_string(),
            "--out",
            &data.display().to_string(),
        ])
        .ok();
        assert_eq!(read_table(&data, "posts").height(), expected_posts);
        assert_eq!(read_table(&data, "replies").height(), expected_replies);
        for table in ["posts", "replies"] {
            for entry in std::fs::read_dir(data.join(table)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().to_string();
                assert!(!name.ends_with(".tmp"), "temporary file left behind: {table}/{name}");
            }
        }
    }
}

#[test]
fn a_run_whose_output_nobody_reads_still_does_its_job() {
    // `wenzheng run … 2>&1 | head -1`: the reader goes away after a line. The run used to panic
    // (exit 101) at its next log line, before scoring.
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    wenzheng(["synth", "--posts", "300", "--seed", "3", "--out", &corpus.display().to_string()]).ok();
    let data = dir.path().join("data");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = Command::new(wenzheng_binary())
        .args([
            "run",
            &corpus.join("posts.csv").display().to_string(),
            &corpus.join("replies.csv").display().to_string(),
        ])
        .args(["--out", &data.display().to_string()])
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
    let stages = manifest(&data)["stages"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(stages, ["index", "indicators", "ingest", "recurring", "score"]);
}

/// `demo --dir` clears the folders of its own earlier demo, and refuses a folder holding work it
/// did not make instead of deleting it.
#[test]
fn the_demo_never_clears_a_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine");
    let corpus = dir.path().join("corpus");
    wenzheng(["synth", "--posts", "200", "--out", &corpus.display().to_string()]).ok();
    wenzheng([
        "ingest",
        &corpus.join("posts.csv").display().to_string(),
        "--out",
        &mine.join("data").display().to_string(),
    ])
    .ok();
    let refused = wenzheng(["demo", "--posts", "200", "--no-serve", "--dir", &mine.display().to_string()]);
    assert_eq!(refused.code(), 2, "{}", refused.stderr());
    assert!(refused.stderr().contains("did not make"), "{}", refused.stderr());
    assert_eq!(read_table(&mine.join("data"), "posts").height(), 200);

    let demo = dir.path().join("demo");
    for _ in 0..2 {
        let run = wenzheng(["demo", "--posts", "200", "--no-serve", "--dir", &demo.display().to_string()]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
    }
}
