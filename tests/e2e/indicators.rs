//! `wenzheng run` on the real replies, then the report tables it writes: every post counted
//! once, every cut adding up to the city, rates in range, ranks 1..n.

use std::path::Path;

use polars::prelude::*;
use tests::{read_parquet, shared_file, wenzheng};

pub fn read_report(data: &Path, name: &str) -> DataFrame {
    read_parquet(&data.join("reports").join(name))
}

/// The real data folder of these tests, written by `wenzheng run`.
pub fn run_real(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let stdout =
        wenzheng(["run", &shared_file("replies_dev.xlsx").display().to_string(), "--out", &data.display().to_string()])
            .ok();
    assert!(stdout.contains("\nindicators: 1463 posts"), "{stdout}");
    data
}

fn sums(frame: &DataFrame, scope: &str, period_type: &str) -> DataFrame {
    frame
        .clone()
        .lazy()
        .filter(col("scope").eq(lit(scope)).and(col("period_type").eq(lit(period_type))))
        .group_by([col("period")])
        .agg([col("posts").sum(), col("replied").sum(), col("overdue").sum()])
        .sort(["period"], SortMultipleOptions::default())
        .collect()
        .unwrap()
}

#[test]
fn the_report_tables_of_a_real_run_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = run_real(dir.path());
    for name in ["post_facts.parquet", "indicators.parquet", "annual.parquet", "overdue.parquet"] {
        assert!(data.join("reports").join(name).is_file(), "{name} is missing");
    }

    // One fact per post, each post once.
    let facts = read_report(&data, "post_facts.parquet");
    assert_eq!(facts.height(), 1463);
    assert_eq!(facts.column("post_id").unwrap().as_materialized_series().n_unique().unwrap(), 1463);

    // Units, kinds and categories each split the city's posts, month by month and year by year.
    let indicators = read_report(&data, "indicators.parquet");
    for period_type in ["month", "year"] {
        let city = sums(&indicators, "city", period_type);
        for scope in ["unit", "kind", "category"] {
            assert_eq!(sums(&indicators, scope, period_type), city, "{scope} by {period_type}");
        }
        let total: i64 = city.column("posts").unwrap().i64().unwrap().sum().unwrap();
        assert_eq!(total, 1463, "{period_type}");
    }
    for rate in [
        "response_rate",
        "on_time_rate",
        "evasive_rate",
        "vague_rate",
        "ack_only_rate",
        "duplicate_reply_rate",
        "repeat_rate",
    ] {
        let values = indicators.column(rate).unwrap().f64().unwrap();
        assert!(values.iter().flatten().all(|r| (0.0..=1.0).contains(&r)), "{rate} out of [0, 1]");
        assert!(values.iter().flatten().count() > 100, "{rate} is almost never defined");
    }

    // Each year's ranked units are ranked 1..n, with enough posts and a score out of 100.
    let annual = read_report(&data, "annual.parquet");
    let years: Vec<i32> = annual.column("year").unwrap().i32().unwrap().unique().unwrap().into_no_null_iter().collect();
    for year in years {
        let ranked = annual
            .clone()
            .lazy()
            .filter(col("year").eq(lit(year)).and(col("ranked")))
            .sort(["rank"], SortMultipleOptions::default())
            .collect()
            .unwrap();
        let ranks: Vec<i32> = ranked.column("rank").unwrap().i32().unwrap().into_no_null_iter().collect();
        assert_eq!(ranks, (1..=ranks.len() as i32).collect::<Vec<_>>(), "{year}");
        assert!(ranked.column("posts").unwrap().i64().unwrap().into_no_null_iter().all(|n| n >= 10), "{year}");
        let scores = ranked.column("score").unwrap().f64().unwrap();
        assert!(scores.into_no_null_iter().all(|s| (0.0..=100.0).contains(&s)), "{year}");
        let unit_posts: i64 = annual
            .clone()
            .lazy()
            .filter(col("year").eq(lit(year)))
            .collect()
            .unwrap()
            .column("posts")
            .unwrap()
            .i64()
            .unwrap()
            .sum()
            .unwrap();
        let year_facts = facts.column("year").unwrap().i32().unwrap().iter().filter(|y| *y == Some(year)).count();
        assert_eq!(unit_posts as usize, year_facts, "{year}: every post belongs to one unit");
    }
    // The real replies carry no unit column, and most name no answering body, or only what kind
    // of body of which place ("K7县某局", "K8县某单位"): no unit has the 10 posts a year a
    // ranking needs, and none of those is ever ranked.
    let units = annual.column("unit").unwrap().str().unwrap();
    let ranked = annual.column("ranked").unwrap().bool().unwrap();
    for (unit, ranked) in units.iter().zip(ranked.iter()) {
        let unit = unit.unwrap();
        if unit.contains('某') || unit == "未知单位" {
            assert_eq!(ranked, Some(false), "{unit} is not a unit one can rank");
        }
    }

    // The overdue list is the overdue facts.
    let overdue = read_report(&data, "overdue.parquet");
    let overdue_facts = facts.column("overdue").unwrap().bool().unwrap().sum().unwrap_or(0) as usize;
    assert_eq!(overdue.height(), overdue_facts);
}

#[test]
fn indicators_rerun_on_a_data_folder_and_summarise_a_chosen_year() {
    let dir = tempfile::tempdir().unwrap();
    let data = run_real(dir.path());
    let before = read_report(&data, "indicators.parquet");
    // 2018: no unit of the real replies has the posts to be ranked (see above); the summary says
    // so rather than print an empty table. (Until session 23, 13 posts that said "我市" made
    // "A市人民政府" the year's one ranked unit.)
    let stdout = wenzheng(["indicators", "--data", &data.display().to_string(), "--year", "2018"]).ok();
    assert!(stdout.contains("annual 2018: 0 units ranked") && !stdout.contains("  1. "), "{stdout}");
    // Most 2018 posts came from units that name no known body: the ranking says nothing of them,
    // and the summary says how many they are.
    assert!(
        stdout.contains("of no known unit (") && stdout.contains("% of the year's, in no unit's ranking)"),
        "{stdout}"
    );
    assert_eq!(read_report(&data, "indicators.parquet"), before, "the same data gives the same table");
    let leftovers: Vec<_> = std::fs::read_dir(data.join("reports"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A year the posts do not reach is refused before anything is rewritten: its summary and
    // charts would be blank, which reads as a year without complaints.
    let charts = data.join("reports/charts/ranking.svg");
    let chart_before = std::fs::read(&charts).unwrap();
    let empty_year = wenzheng(["indicators", "--data", &data.display().to_string(), "--year", "2031"]);
    assert_eq!(empty_year.code(), 2, "{}", empty_year.stderr());
    assert!(
        empty_year.stderr().contains("--year 2031: no post of the folder is of that year"),
        "{}",
        empty_year.stderr()
    );
    assert_eq!(std::fs::read(&charts).unwrap(), chart_before, "the charts are those of before");

    let missing = wenzheng(["indicators", "--data", &dir.path().join("nowhere").display().to_string()]);
    assert_eq!(missing.code(), 2, "{}", missing.stderr());
    assert!(missing.stderr().contains("not a wenzheng data folder"), "{}", missing.stderr());
}

/// 13 posts are in both posts_unlabelled.xlsx (no replies) and replies_dev.xlsx: the copy kept
/// is the one ingested first. Either way the likes-less export says nothing of how its other
/// 2,788 posts were answered, so none is overdue; before, ingesting it first made them all
/// overdue (its 13 copies had replies, so the file was taken to carry its replies). The posts
/// overdue are those of replies_dev.xlsx whose only replies are receipts or forwarding notes:
/// accepted, never completed (SPEC §4).
#[test]
fn the_order_of_the_files_does_not_change_the_indicators() {
    let dir = tempfile::tempdir().unwrap();
    let (unlabelled, replies) = (
        shared_file("posts_unlabelled.xlsx").display().to_string(),
        shared_file("replies_dev.xlsx").display().to_string(),
    );
    let mut summaries = Vec::new();
    for (name, files) in [("a", [&replies, &unlabelled]), ("b", [&unlabelled, &replies])] {
        let data = dir.path().join(name).display().to_string();
        let stdout = wenzheng(["run", files[0], files[1], "--out", &data]).ok();
        let line = stdout.lines().find(|l| l.starts_with("indicators: ")).unwrap().to_string();
        let facts = read_report(Path::new(&data), "post_facts.parquet");
        let known = facts.column("reply_known").unwrap().bool().unwrap().sum().unwrap_or(0);
        summaries.push((line.split(" in ").next().unwrap().to_string(), known));
    }
    assert_eq!(summaries[0], summaries[1]);
    let facts = read_report(&dir.path().join("b"), "post_facts.parquet")
        .lazy()
        .filter(col("overdue"))
        .select([col("post_id"), col("answered"), col("replied"), col("ack_only"), col("reply_known")])
        .collect()
        .unwrap();
    assert!(summaries[0].0.contains(&format!(" {} overdue posts", facts.height())), "{summaries:?}");
    assert!(facts.height() > 100, "{facts}");
    for name in ["answered", "reply_known"] {
        assert!(facts.column(name).unwrap().bool().unwrap().all(), "an overdue post not {name}: {facts}");
    }
    assert!(!facts.column("replied").unwrap().bool().unwrap().any(), "{facts}");
}

/// posts_likes.xlsx runs to 2020-01-26, the replies of replies_dev.xlsx to 2020-01-08 17:22: a
/// deadline after the last reply cannot be known to be missed (two posts were overdue so).
#[test]
fn no_post_is_overdue_on_a_deadline_the_replies_do_not_reach() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").display().to_string();
    let (replies, likes) = (shared_file("replies_dev.xlsx"), shared_file("posts_likes.xlsx"));
    wenzheng(["run", &replies.display().to_string(), &likes.display().to_string(), "--out", &data]).ok();
    let facts = read_report(Path::new(&data), "post_facts.parquet");
    let millis = |name: &str| col(name).cast(DataType::Int64);
    let latest = |name: &str| facts.column(name).unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().max();
    // (the last reply is a receipt, a post's first reply: no final reply is as late)
    let last_reply = latest("first_reply_at").max(latest("final_reply_at")).unwrap();
    assert_eq!(last_reply, 1_578_504_146_000, "2020-01-08 17:22:26 in milliseconds");
    let late = facts
        .lazy()
        .filter(col("overdue").and(millis("due_at").gt_eq(lit(last_reply))))
        .select([col("post_id"), col("posted_at"), col("due_at"), col("overdue_workdays")])
        .collect()
        .unwrap();
    assert_eq!(late.height(), 0, "overdue on a deadline after the last reply ({last_reply}): {late}");
}
