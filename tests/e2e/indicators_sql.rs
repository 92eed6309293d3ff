//! `sql/indicators.sql`, run by DuckDB on `reports/post_facts.parquet` of a real run, gives the
//! unit rows of `reports/indicators.parquet`, monthly and yearly, every column SPEC §5 names: the
//! SQL an analyst reads is the definition the product computes.

use std::process::Command;

use polars::prelude::*;

use crate::indicators::{read_report, run_real};

/// Runs the SQL file with DuckDB's Python package and returns its rows as JSON objects.
fn duckdb_rows(sql_file: &std::path::Path, post_facts: &std::path::Path) -> Vec<serde_json::Value> {
    let script = "import duckdb, json, sys\n\
        sql = open(sys.argv[1], encoding='utf-8').read()\n\
        sql = sql.replace('{post_facts}', \"read_parquet('%s')\" % sys.argv[2])\n\
        rel = duckdb.sql(sql)\n\
        print(json.dumps([dict(zip(rel.columns, row)) for row in rel.fetchall()], ensure_ascii=False))\n";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(sql_file)
        .arg(post_facts)
        .output()
        .expect("python3 runs (the SQL test needs Python 3 with `pip install duckdb`)");
    assert!(
        output.status.success(),
        "duckdb failed (hint: `pip install duckdb`; scripts/test.sh installs it):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

#[test]
fn the_sql_file_gives_the_unit_indicators() {
    let dir = tempfile::tempdir().unwrap();
    let data = run_real(dir.path());
    let sql = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sql/indicators.sql");
    let rows = duckdb_rows(&sql, &data.join("reports/post_facts.parquet"));

    let expected = read_report(&data, "indicators.parquet")
        .lazy()
        .filter(col("scope").eq(lit("unit")))
        .sort(["unit", "period_type", "period"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    assert_eq!(rows.len(), expected.height());
    assert!(rows.len() > 500, "only {} unit rows", rows.len());
    let columns = [
        "unit",
        "period_type",
        "period",
        "posts",
        "replied",
        "answered",
        "response_rate",
        "on_time",
        "on_time_rate",
        "overdue",
        "acceptance_breaches",
        "acceptance_breach_rate",
        "median_workdays",
        "p90_workdays",
        "evasive_rate",
        "vague_rate",
        "ack_only_rate",
        "duplicate_reply_rate",
        "repeat_rate",
    ];
    for (i, row) in rows.iter().enumerate() {
        for name in columns {
            let ours = expected.column(name).unwrap().get(i).unwrap();
            let theirs = &row[name];
            let same = match (&ours, theirs) {
                (AnyValue::Null, serde_json::Value::Null) => true,
                (AnyValue::String(s), serde_json::Value::String(t)) => s == t,
                (AnyValue::Int64(n), serde_json::Value::Number(m)) => m.as_i64() == Some(*n),
                (AnyValue::Float64(x), serde_json::Value::Number(y)) => (x - y.as_f64().unwrap()).abs() < 1e-12,
                _ => false,
            };
            assert!(same, "row {i} ({}), {name}: polars {ours:?}, SQL {theirs}", row["unit"]);
        }
    }
}
