//! Recurring issues straight from a make_corpus.py folder (posts.csv, truth.csv), without a
//! data folder: pairwise precision and recall against the planted clusters, and the time
//! taken by the clustering.
//!
//!   cargo run --release --example recurring_planted -- CORPUS_DIR [SHOWN] [CONFIG.toml]
//!
//! With RECURRING_DUMP=PATH it also writes every issue found, one post a line (TSV), with the
//! places its subject names (generic ones marked `*`).
use std::collections::HashMap;
use std::time::Instant;

use models::recurring::{cluster, pair_agreement, IssuePost, RecurringConfig, WrongPairs};

/// The fields of a CSV text (RFC 4180 quoting), row by row.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    rows
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: recurring_planted CORPUS_DIR");
    let t = Instant::now();
    let rows = csv_rows(&std::fs::read_to_string(format!("{dir}/posts.csv")).expect("posts.csv"));
    let truth = csv_rows(&std::fs::read_to_string(format!("{dir}/truth.csv")).expect("truth.csv"));
    let planted: HashMap<&str, &str> =
        truth.iter().filter(|r| r[2] == "recurring").map(|r| (r[0].as_str(), r[3].as_str())).collect();
    let rows = &rows[1..];
    let regions: Vec<Option<String>> = rows.iter().map(|r| models::region::extract_region(&r[2], &r[3])).collect();
    let posts: Vec<IssuePost> = rows
        .iter()
        .zip(&regions)
        .map(|(r, region)| IssuePost {
            post_id: &r[0],
            user_id: &r[1],
            subject: &r[2],
            body: &r[3],
            posted_at: chrono::DateTime::parse_from_rfc3339(&r[4])
                .expect("posted_at")
                .naive_local()
                .and_utc()
                .timestamp_millis(),
            region: region.as_deref(),
            ..IssuePost::default()
        })
        .collect();
    println!("read {} posts in {:.1} s", posts.len(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let config = match std::env::args().nth(3) {
        Some(path) => {
            RecurringConfig::from_toml(&std::fs::read_to_string(&path).expect("config")).expect("valid config")
        }
        None => RecurringConfig::default(),
    };
    let issues = cluster(&posts, &config);
    let seconds = t.elapsed().as_secs_f64();
    let mut found: Vec<Option<usize>> = vec![None; posts.len()];
    for (k, members) in issues.iter().enumerate() {
        for &i in members {
            found[i] = Some(k);
        }
    }
    let truth: Vec<Option<&str>> = posts.iter().map(|p| planted.get(p.post_id).copied()).collect();
    let a = pair_agreement(&found, &truth);
    println!(
        "clustered in {seconds:.1} s: {} issues, largest {}; pairwise precision {:.3} recall {:.3} ({a:?})",
        issues.len(),
        issues.iter().map(Vec::len).max().unwrap_or(0),
        a.precision(),
        a.recall()
    );
    // Where the wrong pairs come from: two planted clusters merged, a planted cluster taking
    // background posts, or background posts grouped among themselves.
    let mut wrong = WrongPairs::default();
    let mut costly: Vec<(u64, &Vec<usize>)> = Vec::new();
    for members in &issues {
        let of_issue = WrongPairs::of_issue(members, &truth);
        wrong += of_issue;
        costly.push((of_issue.total(), members));
    }
    println!(
        "wrong pairs: {} of two planted clusters, {} planted with background, {} of background posts only",
        wrong.two_true, wrong.true_with_unrelated, wrong.unrelated
    );
    let shown: usize = std::env::args().nth(2).map_or(3, |s| s.parse().expect("SHOWN"));
    costly.sort_by_key(|(wrong, _)| std::cmp::Reverse(*wrong));
    for (wrong, members) in costly.iter().take(shown) {
        println!("{} posts, {wrong} wrong pairs:", members.len());
        for &i in members.iter().take(12) {
            println!("  {} [{}] {:?} {}", posts[i].post_id, truth[i].unwrap_or("-"), posts[i].region, posts[i].subject);
        }
    }
    // Every issue found, one post a line, for counting wrong pairs by cause elsewhere.
    if let Ok(path) = std::env::var("RECURRING_DUMP") {
        let mut out = String::from("issue\tpost_id\tcluster\tregion\tsubject\tplaces\n");
        for (k, members) in issues.iter().enumerate() {
            for &i in members {
                let (id, cluster, region) = (posts[i].post_id, truth[i].unwrap_or("-"), posts[i].region.unwrap_or("-"));
                let places = models::recurring::places::all_places_in(posts[i].subject, 4);
                let keys: Vec<String> =
                    places.iter().map(|p| format!("{}{}", p.key, if p.generic { "*" } else { "" })).collect();
                out.push_str(&format!("{k}\t{id}\t{cluster}\t{region}\t{}\t{}\n", posts[i].subject, keys.join("/")));
            }
        }
        std::fs::write(&path, out).expect("RECURRING_DUMP: writable path");
    }
    // What costs precision: the largest issues, a few subjects each.
    let mut largest: Vec<&Vec<usize>> = issues.iter().collect();
    largest.sort_by_key(|g| std::cmp::Reverse(g.len()));
    for members in largest.iter().take(3) {
        println!("{} posts:", members.len());
        for &i in members.iter().take(8) {
            println!("  {} [{}] {:?} {}", posts[i].post_id, truth[i].unwrap_or("-"), posts[i].region, posts[i].subject);
        }
    }
}
