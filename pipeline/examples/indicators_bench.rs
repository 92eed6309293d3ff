//! Times the indicators stage: post facts (the deadline maths of every post), indicators,
//! annual scores and the overdue list.
//!
//! `cargo run --release --example indicators_bench -- [POSTS]` builds POSTS synthetic posts
//! (default 1,000,000) in memory, with 1.2 replies each, scores and recurring clusters;
//! `-- --data DIR` times a real data folder instead (`wenzheng run` first). Checks its
//! answer: every post is in the facts and the unit rows add up to the city's.

use std::time::Instant;

use models::calendar::WorkCalendar;
use models::deadline::DeadlineRules;
use pipeline::store::DataDir;
use polars::prelude::*;
use reports::annual::AnnualConfig;
use reports::ReportInputs;

/// A small deterministic generator (SplitMix64), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn datetimes(name: &str, values: Vec<i64>) -> Column {
    Series::new(name.into(), values).cast(&DataType::Datetime(TimeUnit::Milliseconds, None)).expect("cast").into()
}

fn synthetic(posts: usize) -> ReportInputs {
    let mut rng = Rng(1);
    let units: Vec<String> = (0..300)
        .map(|i| match i % 3 {
            0 => format!("A市第{i}局"),
            1 => format!("A{}区第{i}街道办事处", i % 9),
            _ => format!("A{}区", i % 9),
        })
        .collect();
    let kinds = ["咨询", "建议", "求助", "投诉", "举报", "其他"];
    let start = 1_514_764_800_000i64; // 2018-01-01
    let span = 3 * 365 * 86_400_000i64;
    let (mut ids, mut subjects, mut times, mut post_units, mut categories, mut post_kinds) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut reply_ids, mut reply_posts, mut reply_units, mut reply_times, mut seqs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut cluster_posts, mut cluster_ids) = (Vec::new(), Vec::new());
    for i in 0..posts {
        let id = format!("p{i}");
        let posted = start + (rng.below(span as u64) as i64);
        let unit = &units[(rng.below(300) * rng.below(300) / 300) as usize];
        ids.push(id.clone());
        subjects.push("关于小区噪音扰民的问题");
        times.push(posted);
        post_units.push((rng.below(4) > 0).then(|| unit.clone()));
        categories.push((rng.below(5) > 0).then_some("城乡建设"));
        post_kinds.push(kinds[rng.below(6) as usize]);
        let replies = [0, 1, 1, 1, 1, 1, 1, 2, 2, 3][rng.below(10) as usize];
        let mut at = posted;
        for seq in 1..=replies {
            at += rng.below(12 * 86_400_000) as i64;
            reply_ids.push(format!("{id}-{seq}"));
            reply_posts.push(id.clone());
            reply_units.push(unit.clone());
            reply_times.push(at);
            seqs.push(seq);
        }
        if rng.below(20) == 0 {
            cluster_posts.push(id);
            cluster_ids.push(format!("issue-{}", rng.below(5_000)));
        }
    }
    let n_replies = reply_ids.len();
    let levels: Vec<i8> = (0..n_replies).map(|_| [0, 0, 0, 0, 0, 0, 1, 1, 2, 2][rng.below(10) as usize]).collect();
    let types: Vec<&str> =
        (0..n_replies).map(|_| if rng.below(10) == 0 { "acknowledgement_only" } else { "substantive" }).collect();
    let groups: Vec<Option<&str>> = (0..n_replies).map(|_| (rng.below(50) == 0).then_some("dup-1")).collect();
    let scores = DataFrame::new(
        n_replies,
        vec![
            Column::new("reply_id".into(), reply_ids.clone()),
            Column::new("evasive_level".into(), levels.clone()),
            Column::new("vague_level".into(), levels.iter().rev().copied().collect::<Vec<_>>()),
            Column::new("evasive".into(), levels.iter().map(|l| *l == 2).collect::<Vec<_>>()),
            Column::new("vague".into(), levels.iter().rev().map(|l| *l == 2).collect::<Vec<_>>()),
            Column::new("reply_type".into(), types),
            Column::new("duplicate_group".into(), groups),
        ],
    )
    .expect("scores");
    let replies = DataFrame::new(
        n_replies,
        vec![
            Column::new("reply_id".into(), reply_ids),
            Column::new("post_id".into(), reply_posts),
            Column::new("unit".into(), reply_units),
            datetimes("replied_at", reply_times),
            Column::new("seq".into(), seqs),
        ],
    )
    .expect("replies");
    let posts = DataFrame::new(
        posts,
        vec![
            Column::new("post_id".into(), ids),
            Column::new("subject".into(), subjects),
            datetimes("posted_at", times),
            Column::new("unit".into(), post_units),
            Column::new("category".into(), categories),
            Column::new("kind".into(), post_kinds),
        ],
    )
    .expect("posts");
    let clusters = DataFrame::new(
        cluster_posts.len(),
        vec![Column::new("post_id".into(), cluster_posts), Column::new("cluster_id".into(), cluster_ids)],
    )
    .expect("clusters");
    ReportInputs { posts, replies: Some(replies), scores: Some(scores), clusters: Some(clusters) }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let inputs = match args.iter().position(|a| a == "--data") {
        Some(i) => {
            let dir = DataDir::open_read_only(std::path::Path::new(&args[i + 1]))?;
            pipeline::indicators::read_inputs(&dir)?
        }
        None => synthetic(args.first().map(|n| n.parse()).transpose()?.unwrap_or(1_000_000)),
    };
    let posts = inputs.posts.height();
    println!(
        "inputs: {posts} posts, {} replies in {:.2} s",
        inputs.replies.as_ref().map_or(0, |r| r.height()),
        started.elapsed().as_secs_f64()
    );

    let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());
    let t = Instant::now();
    let facts = reports::facts::post_facts(&inputs, &rules, &cal)?;
    let facts_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let indicators = reports::indicators::indicators(&facts)?;
    let indicators_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let annual = reports::annual::annual(&facts, &AnnualConfig::default())?;
    let annual_seconds = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let overdue = reports::indicators::overdue(&facts)?;
    let overdue_seconds = t.elapsed().as_secs_f64();

    // The answer: every post once, and the unit rows of each year add up to the city's.
    assert_eq!(facts.height(), posts);
    let yearly = |scope: &str| -> i64 {
        indicators
            .clone()
            .lazy()
            .filter(col("scope").eq(lit(scope)).and(col("period_type").eq(lit("year"))))
            .collect()
            .expect("filter")
            .column("posts")
            .expect("posts")
            .i64()
            .expect("i64")
            .sum()
            .unwrap_or(0)
    };
    assert_eq!(yearly("unit"), posts as i64);
    assert_eq!(yearly("city"), posts as i64);

    println!("post_facts: {:.2} s ({posts} rows)", facts_seconds);
    println!("indicators: {:.2} s ({} rows)", indicators_seconds, indicators.height());
    println!("annual:     {:.2} s ({} rows)", annual_seconds, annual.height());
    println!("overdue:    {:.2} s ({} rows)", overdue_seconds, overdue.height());
    println!(
        "total:      {:.2} s for {posts} posts",
        facts_seconds + indicators_seconds + annual_seconds + overdue_seconds
    );
    Ok(())
}
