//! Reply-scoring throughput on one core: scores every reply of shared/data/replies_dev.xlsx
//! repeatedly, in the pipeline's batches and then one by one, and prints replies per second.
//! Checks its answer (the count of level-2 replies is the same on every pass and both ways), so
//! a faster-but-wrong change shows.
//!
//! `cargo run --release -p models --example score_throughput [passes]`

use std::path::Path;
use std::time::Instant;

use calamine::{open_workbook_auto, Data, Reader};
use models::scoring::{ReplyScore, Scorer, SCORE_BATCH};

fn main() {
    let passes: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/replies_dev.xlsx");
    let mut workbook = open_workbook_auto(&path).expect("replies_dev.xlsx opens");
    let range = workbook.worksheet_range_at(0).expect("a first sheet").expect("the sheet reads");
    let cell = |c: Option<&Data>| c.map(|d| d.to_string()).unwrap_or_default();
    let rows: Vec<(String, String, String)> =
        range.rows().skip(1).map(|r| (cell(r.get(2)), cell(r.get(4)), cell(r.get(5)))).collect();

    let built = Instant::now();
    let scorer = Scorer::default();
    println!("scorer built in {:.1} ms", built.elapsed().as_secs_f64() * 1e3);

    let triples: Vec<(&str, &str, &str)> = rows.iter().map(|(s, b, r)| (s.as_str(), b.as_str(), r.as_str())).collect();
    let flagged = |scores: &[ReplyScore]| scores.iter().filter(|s| s.evasive_level == 2 || s.vague_level == 2).count();
    let chars: usize = rows.iter().map(|r| r.2.chars().count()).sum::<usize>() / rows.len();
    let mut flagged_per_pass = None;
    // the pipeline's way (batches scanned a pattern at a time), then reply by reply
    for (way, batch) in [("in batches of SCORE_BATCH", SCORE_BATCH), ("one by one", 1)] {
        let started = Instant::now();
        for _ in 0..passes {
            let scores: Vec<ReplyScore> = triples.chunks(batch).flat_map(|b| scorer.score_all(b)).collect();
            let flagged = flagged(&scores);
            assert_eq!(*flagged_per_pass.get_or_insert(flagged), flagged, "scores changed between passes");
        }
        let seconds = started.elapsed().as_secs_f64();
        let replies = rows.len() * passes;
        println!(
            "{way}: {replies} replies (mean {chars} chars) in {seconds:.2} s: {:.0} replies/s on one core; {} flagged per pass",
            replies as f64 / seconds,
            flagged_per_pass.unwrap_or(0)
        );
    }
}
