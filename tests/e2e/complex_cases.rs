//! SPEC §4 complex cases, end to end on a generated corpus: the progress notes `synth` plants
//! ("此事正在调查处理中，我们将在15个工作日内办结并回复您", before the unit's answer) accept a post
//! without completing it, and the deadline a note commits to is the post's.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;
use tests::{read_parquet, wenzheng};

/// reply_id → what `synth` planted in it, from truth.csv.
fn planted_replies(corpus: &std::path::Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(corpus.join("truth.csv")).expect("truth.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("post_id,reply_id,planted,cluster_id,detail"), "truth.csv header changed");
    lines
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            Some((fields[1].to_string(), fields[2].to_string())).filter(|(id, _)| !id.is_empty() && id != "0")
        })
        .collect()
}

#[test]
fn progress_notes_keep_a_case_open_and_their_deadline_is_the_post_s() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, data) = (dir.path().join("corpus"), dir.path().join("data"));
    wenzheng(["synth", "--posts", "3000", "--seed", "5", "--out", &corpus.display().to_string()]).ok();
    let (posts, replies) = (corpus.join("posts.csv"), corpus.join("replies.csv"));
    let files = [posts.display().to_string(), replies.display().to_string()];
    wenzheng(["run", &files[0], &files[1], "--out", &data.display().to_string()]).ok();

    let planted = planted_replies(&corpus);
    let scores = read_parquet(&data.join("scores/replies.parquet"));
    let column = |name: &str| scores.column(name).unwrap().clone();
    let (ids, posts_of, interim) = (column("reply_id"), column("post_id"), column("interim"));
    let (ids, posts_of, interim) = (ids.str().unwrap(), posts_of.str().unwrap(), interim.bool().unwrap());
    let committed = column("committed_date").is_not_null() | column("committed_workdays").is_not_null();
    let (mut notes, mut notes_open, mut answers_open) = (0, 0, 0);
    let mut committed_posts = HashSet::new();
    for i in 0..scores.height() {
        let what = planted.get(ids.get(i).unwrap()).map(String::as_str);
        let open = interim.get(i).unwrap();
        match what {
            Some("progress_note") => {
                notes += 1;
                notes_open += usize::from(open);
            }
            Some("substantive" | "mixed" | "generic" | "pasted" | "deflection" | "refusal_without_reason") => {
                answers_open += usize::from(open);
            }
            _ => {}
        }
        if committed.get(i).unwrap() {
            assert!(open, "reply {} commits to a deadline but completes its case", ids.get(i).unwrap());
            committed_posts.insert(posts_of.get(i).unwrap().to_string());
        }
    }
    // (every note is found at 3,000 posts; the margin is for notes a future template words
    // differently)
    assert!(notes > 50 && notes_open as f64 >= 0.95 * notes as f64, "{notes_open} of {notes} progress notes found");
    assert_eq!(answers_open, 0, "answers read as progress notes");
    assert!(committed_posts.len() > 30, "only {} posts with a committed deadline", committed_posts.len());

    // The facts hold those posts, and only those, to the date committed to — those whose note
    // came by their kind's deadline (a note sent once it had passed extends nothing: the unit
    // test `a_deadline_committed_to_after_the_kind_s_deadline_has_passed_extends_nothing`) —
    // and judge their final reply against their due time.
    let facts = read_parquet(&data.join("reports/post_facts.parquet"));
    let facts = facts.lazy().select([
        col("post_id"),
        col("committed_deadline"),
        col("on_time"),
        col("final_reply_at").lt_eq(col("due_at")).fill_null(lit(false)).alias("by_due"),
    ]);
    let facts = facts.collect().unwrap();
    let (post_ids, flags) =
        (facts.column("post_id").unwrap().str().unwrap(), facts.column("committed_deadline").unwrap());
    let (on_time, by_due) = (facts.column("on_time").unwrap().bool().unwrap(), facts.column("by_due").unwrap());
    let (flags, by_due) = (flags.bool().unwrap(), by_due.bool().unwrap());
    let mut held_to_commitment = 0;
    for i in 0..facts.height() {
        let post = post_ids.get(i).unwrap();
        if flags.get(i).unwrap() {
            assert!(committed_posts.contains(post), "post {post} has a committed deadline but no note naming one");
            held_to_commitment += 1;
        }
        assert_eq!(on_time.get(i), by_due.get(i), "post {post}: on time is by its due time");
    }
    // (synth sends most notes in time, some days late)
    assert!(
        held_to_commitment * 2 > committed_posts.len() && held_to_commitment < committed_posts.len(),
        "{held_to_commitment} of {} posts with a commitment are held to it",
        committed_posts.len()
    );
}
