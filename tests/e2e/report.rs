//! `wenzheng run` writes the charts, `wenzheng report` the annual HTML report, on the real
//! replies.

use polars::prelude::*;
use tests::{read_parquet, shared_file, wenzheng};

const CHARTS: [&str; 5] = ["ranking", "monthly_volume", "workdays_distribution", "evasive_vague_by_unit", "hot_issues"];

/// The year a report opens on — the latest that ranks a unit, else the one with the most posts
/// of `annual.parquet` (the latest of equals) — and the units scored in it.
fn report_year(data: &std::path::Path) -> (i32, usize) {
    let annual = read_parquet(&data.join("reports/annual.parquet"));
    let years = annual.column("year").unwrap().cast(&DataType::Int32).unwrap();
    let years: Vec<Option<i32>> = years.i32().unwrap().iter().collect();
    let ranked: Vec<Option<bool>> = annual.column("ranked").unwrap().bool().unwrap().iter().collect();
    let posts: Vec<Option<i64>> = annual.column("posts").unwrap().i64().unwrap().iter().collect();
    let ranking = years.iter().zip(&ranked).filter(|(_, r)| **r == Some(true)).filter_map(|(y, _)| *y).max();
    let mut posts_of = std::collections::BTreeMap::<i32, i64>::new();
    for (year, posts) in years.iter().zip(&posts) {
        *posts_of.entry(year.expect("a year")).or_default() += posts.unwrap_or(0);
    }
    let busiest = posts_of.into_iter().max_by_key(|&(_, posts)| posts).map(|(year, _)| year);
    let year = ranking.or(busiest).expect("a scored year");
    (year, years.iter().filter(|y| **y == Some(year)).count())
}

#[test]
fn the_annual_report_of_the_real_replies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.display().to_string();
    wenzheng(["run", &shared_file("replies_dev.xlsx").display().to_string(), "--out", &d]).ok();
    for chart in CHARTS {
        let svg = std::fs::read_to_string(data.join(format!("reports/charts/{chart}.svg")))
            .unwrap_or_else(|e| panic!("{chart}.svg: {e}"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{chart}.svg");
    }

    let out = dir.path().join("out/report.html");
    let stdout = wenzheng(["report", "--data", &d, "--out", &out.display().to_string()]).ok();
    assert!(stdout.contains("report written to"), "{stdout}");
    let html = std::fs::read_to_string(&out).unwrap();
    let (year, units) = report_year(&data);
    assert!(
        html.contains(&format!("<h1>{year}年网络问政办理情况年度报告</h1>")),
        "the latest year that ranks a unit, else the year with the most posts, by default"
    );
    assert_eq!(html.matches("<td class=\"unit\">").count(), units, "one ranking row per scored unit");
    assert!(html.matches("<figure class=\"chart\"><svg").count() >= CHARTS.len(), "the charts are inline");
    assert!(!html.contains("src=\"http") && !html.contains("<script"), "self-contained, no scripts");

    // A year the posts do not reach is input to fix, and the message says which years they do.
    let run = wenzheng(["report", "--data", &d, "--year", "1999", "--out", &out.display().to_string()]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("--year 1999: no post of the folder is of that year (years held: 2011 to 2020)"),
        "{}",
        run.stderr()
    );
    // So is an --out that is a folder, or names another format than HTML.
    for (bad_out, expected) in [
        (dir.path().display().to_string(), "is a folder: give the report a file name"),
        (dir.path().join("report.pdf").display().to_string(), "the report is HTML: name the file .html"),
    ] {
        let run = wenzheng(["report", "--data", &d, "--out", &bad_out]);
        assert_eq!(run.code(), 2, "{}", run.stderr());
        assert!(run.stderr().contains(expected), "{}", run.stderr());
    }
}

#[test]
fn a_folder_without_indicators_names_the_stage_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data").display().to_string();
    wenzheng(["ingest", &shared_file("replies_dev.xlsx").display().to_string(), "--out", &d]).ok();
    let run = wenzheng(["report", "--data", &d, "--out", &dir.path().join("r.html").display().to_string()]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("wenzheng indicators"), "{}", run.stderr());
}
