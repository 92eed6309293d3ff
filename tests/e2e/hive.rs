//! Posts and replies are hive-partitioned by year (`posts/year=2019/part-….parquet`), so another
//! engine reads a table folder as one dataset: polars here, DuckDB from Python below.

use std::path::Path;
use std::process::Command;

use polars::prelude::*;
use tests::{manifest, read_table, wenzheng};

fn ingested(dir: &Path) -> std::path::PathBuf {
    let corpus = dir.join("corpus");
    wenzheng(["synth", "--posts", "3000", "--seed", "5", "--out", &corpus.display().to_string()]).ok();
    let data = dir.join("data");
    let (posts, replies) = (corpus.join("posts.csv"), corpus.join("replies.csv"));
    wenzheng([
        "ingest",
        &posts.display().to_string(),
        &replies.display().to_string(),
        "--out",
        &data.display().to_string(),
    ])
    .ok();
    data
}

#[test]
fn every_live_part_sits_in_the_folder_of_its_rows_year() {
    let dir = tempfile::tempdir().unwrap();
    let data = ingested(dir.path());
    for (table, time) in [("posts", "posted_at"), ("replies", "replied_at")] {
        let parts = manifest(&data)["tables"][table].as_array().unwrap().clone();
        assert!(parts.len() > 1, "{table}: one part per year expected, got {parts:?}");
        for part in parts {
            let part = part.as_str().unwrap();
            let year: i32 = part
                .strip_prefix(&format!("{table}/year="))
                .and_then(|rest| rest.split('/').next())
                .and_then(|y| y.parse().ok())
                .unwrap_or_else(|| panic!("{part} is not {table}/year=YYYY/part-….parquet"));
            let years = LazyFrame::scan_parquet(
                PlRefPath::from(data.join(part).to_string_lossy().as_ref()),
                Default::default(),
            )
            .unwrap()
            .select([col(time).dt().year().unique()])
            .collect()
            .unwrap();
            let years: Vec<Option<i32>> = years.column(time).unwrap().i32().unwrap().iter().collect();
            assert_eq!(years, [Some(year)], "{part}");
        }
    }
}

#[test]
fn polars_reads_the_posts_folder_hive_style_with_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = ingested(dir.path());
    let expected = read_table(&data, "posts").height();
    let args = ScanArgsParquet {
        hive_options: HiveOptions { enabled: Some(true), ..HiveOptions::default() },
        ..ScanArgsParquet::default()
    };
    let by_year = LazyFrame::scan_parquet(PlRefPath::from(data.join("posts").to_string_lossy().as_ref()), args)
        .unwrap()
        .group_by([col("year")])
        .agg([
            len().alias("posts"),
            col("posted_at").dt().year().min().alias("first"),
            col("posted_at").dt().year().max().alias("last"),
        ])
        .collect()
        .unwrap();
    let posts: u32 = by_year.column("posts").unwrap().u32().unwrap().sum().unwrap();
    assert_eq!(posts as usize, expected);
    let ints = |name: &str| -> Vec<Option<i32>> {
        let column = by_year.column(name).unwrap().cast(&DataType::Int32).unwrap();
        column.i32().unwrap().iter().collect()
    };
    assert!(ints("year").len() > 1, "several years expected");
    assert_eq!(ints("year"), ints("first"));
    assert_eq!(ints("year"), ints("last"));
}

/// DuckDB (`pip install duckdb`) reads DIR/posts and DIR/replies with `hive_partitioning`.
#[test]
fn duckdb_reads_the_folders_hive_style_with_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = ingested(dir.path());
    let script = r#"
import sys, duckdb
data = sys.argv[1]
for table, time in (("posts", "posted_at"), ("replies", "replied_at")):
    rows, wrong = duckdb.sql(f"""
        select count(*), count(*) filter (where year <> extract(year from {time}))
        from read_parquet('{data}/{table}/*/*.parquet', hive_partitioning = true)""").fetchall()[0]
    print(table, rows, wrong)
"#;
    let output = Command::new("python3").arg("-c").arg(script).arg(&data).output().expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "DuckDB could not read the folders (hint: pip install duckdb): {stderr}");
    let expected = format!(
        "posts {} 0\nreplies {} 0\n",
        read_table(&data, "posts").height(),
        read_table(&data, "replies").height()
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
}
