//! The tables every report is built from (`DIR/reports/*.parquet` and the recurring issues),
//! read once and handed to the charts, the HTML report and the API.
//!
//! The column readers below turn a polars column into plain vectors, cast to the type the
//! caller wants: the reports work row by row on small aggregates, and a cast tolerates the
//! small differences between a stage's output and a hand-built frame (i32 / i64, u32 / f64).

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

/// The files of `DIR/reports/` (SPEC §3 and the reports contract).
pub const POST_FACTS_FILE: &str = "post_facts.parquet";
pub const INDICATORS_FILE: &str = "indicators.parquet";
pub const ANNUAL_FILE: &str = "annual.parquet";
pub const OVERDUE_FILE: &str = "overdue.parquet";
/// The files of `DIR/issues/`.
pub const ISSUES_FILE: &str = "issues.parquet";
pub const CLUSTERS_FILE: &str = "clusters.parquet";

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{} is missing: run `wenzheng indicators --data DIR` first", path.display())]
    Missing { path: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: PolarsError },
    #[error("table {table} has no usable column {column:?}: {source}")]
    Column { table: &'static str, column: String, source: PolarsError },
    #[error("cannot combine the issue clusters with the post facts: {0}")]
    Join(PolarsError),
}

/// The frames a report is drawn from: one row per post (`post_facts`), the indicators per
/// scope and period, the annual scores, the overdue warnings, and the recurring issues when
/// `wenzheng recurring` has run.
#[derive(Clone, Debug, Default)]
pub struct ReportTables {
    pub post_facts: DataFrame,
    pub indicators: DataFrame,
    pub annual: DataFrame,
    pub overdue: DataFrame,
    pub issues: Option<DataFrame>,
}

impl ReportTables {
    /// Reads the four tables of `reports_dir` and the issues of `issues_dir` (optional).
    ///
    /// When `issues_dir` holds `clusters.parquet` and the post facts have no `cluster_id`,
    /// each post's `cluster_id` is joined in: the hot-issue timeline needs every post of an
    /// issue, and `issues.parquet` holds only its first and last dates.
    pub fn read(reports_dir: &Path, issues_dir: &Path) -> Result<ReportTables, TableError> {
        let required = |name: &str| {
            read_parquet(&reports_dir.join(name))?.ok_or_else(|| TableError::Missing { path: reports_dir.join(name) })
        };
        let written = ReportTables {
            post_facts: required(POST_FACTS_FILE)?,
            indicators: required(INDICATORS_FILE)?,
            annual: required(ANNUAL_FILE)?,
            overdue: read_parquet(&reports_dir.join(OVERDUE_FILE))?.unwrap_or_default(),
            issues: None,
        };
        written.with_issues(issues_dir)
    }

    /// Reads the issues of `issues_dir` (optional) into the tables and joins each post's
    /// `cluster_id` in, as [`ReportTables::read`] does: for tables just computed and still in
    /// memory, which need not be read back.
    pub fn with_issues(mut self, issues_dir: &Path) -> Result<ReportTables, TableError> {
        self.issues = read_parquet(&issues_dir.join(ISSUES_FILE))?;
        if self.post_facts.column("cluster_id").is_err() {
            if let Some(clusters) = read_parquet(&issues_dir.join(CLUSTERS_FILE))? {
                self.post_facts = with_cluster_ids(self.post_facts, clusters)?;
            }
        }
        Ok(self)
    }

    /// The years the annual table covers, oldest first (those of the posts when it is empty).
    pub fn years(&self) -> Result<Vec<i32>, TableError> {
        let years = years_in(&self.annual, "annual")?;
        if years.is_empty() {
            return years_in(&self.post_facts, "post_facts");
        }
        Ok(years)
    }

    /// The years held, as an error about a year not among them says it: "2011 to 2020",
    /// "only 2019" or "none" (`years` sorted).
    pub fn years_held(years: &[i32]) -> String {
        match (years.first(), years.last()) {
            (Some(first), Some(last)) if first == last => format!("only {first}"),
            (Some(first), Some(last)) => format!("{first} to {last}"),
            _ => "none".to_string(),
        }
    }

    /// The year a report is about: the one asked for, else [`default_year`], else (a folder of
    /// posts with no replies has no annual rows) the year with the most posts, as
    /// [`default_year`] chooses when no unit is ranked.
    pub fn report_year(&self, year: Option<i32>) -> Result<Option<i32>, TableError> {
        if year.is_some() {
            return Ok(year);
        }
        if let Some(year) = default_year(&self.annual)? {
            return Ok(Some(year));
        }
        if self.post_facts.column("year").is_err() {
            return Ok(None);
        }
        let years = i64s(&self.post_facts, "post_facts", "year")?;
        Ok(busiest_year(years.into_iter().flatten().map(|year| (year, 1.0))))
    }
}

/// Where reports and the dashboard open when no year is asked for: the latest year that ranks a
/// unit, else (an export that names few units ranks none) the year with the most posts, the
/// latest of equals. The latest year alone opened the real replies on 2020, a year of 2 posts.
pub fn default_year(annual: &DataFrame) -> Result<Option<i32>, TableError> {
    if let Some(ranked) = latest_ranked_year(annual)? {
        return Ok(Some(ranked));
    }
    if annual.column("posts").is_err() || annual.column("year").is_err() {
        return Ok(None);
    }
    let years = i64s(annual, "annual", "year")?;
    let posts = f64s(annual, "annual", "posts")?;
    Ok(busiest_year(years.into_iter().zip(posts).filter_map(|(year, posts)| Some((year?, posts.unwrap_or(0.0))))))
}

/// The year with the most posts of `(year, posts)` pairs, the latest of equals.
fn busiest_year(posts: impl Iterator<Item = (i64, f64)>) -> Option<i32> {
    let mut posts_of: std::collections::BTreeMap<i64, f64> = Default::default();
    for (year, posts) in posts {
        *posts_of.entry(year).or_default() += posts;
    }
    // (later years win ties: the map is in year order and max_by keeps the last of equals)
    posts_of.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|(year, _)| year as i32)
}

/// The latest year in which `annual` ranks a unit: where reports and the dashboard open by
/// default (a year of posts no unit answered for ranks none).
pub fn latest_ranked_year(annual: &DataFrame) -> Result<Option<i32>, TableError> {
    if annual.column("ranked").is_err() {
        return Ok(None);
    }
    let years = i64s(annual, "annual", "year")?;
    let ranked = bools(annual, "annual", "ranked")?;
    Ok(years
        .into_iter()
        .zip(ranked)
        .filter_map(|(y, r)| if r == Some(true) { y } else { None })
        .max()
        .map(|y| y as i32))
}

fn read_parquet(path: &Path) -> Result<Option<DataFrame>, TableError> {
    if !path.exists() {
        return Ok(None);
    }
    let file = File::open(path).map_err(|e| TableError::Read { path: path.into(), source: e.into() })?;
    ParquetReader::new(file).finish().map(Some).map_err(|source| TableError::Read { path: path.into(), source })
}

/// Joins each post's `cluster_id` in, and `repeat_in_issue`: whether it came after a reply by
/// any unit to an earlier post of its issue (the issue's view, for the hot-issue tables; the
/// facts' `repeat_after_reply` counts only the same unit's reply, for the unit's indicators).
fn with_cluster_ids(post_facts: DataFrame, clusters: DataFrame) -> Result<DataFrame, TableError> {
    let repeat = if has_column(&clusters, "repeat_after_reply") {
        col("repeat_after_reply").cast(DataType::Boolean)
    } else {
        lit(NULL).cast(DataType::Boolean)
    };
    let clusters = clusters
        .lazy()
        .select([
            col("post_id").cast(DataType::String),
            col("cluster_id").cast(DataType::String),
            repeat.alias("repeat_in_issue"),
        ])
        .unique(Some(cols(["post_id"])), UniqueKeepStrategy::First);
    post_facts
        .lazy()
        .join(clusters, [col("post_id")], [col("post_id")], JoinArgs::new(JoinType::Left))
        .collect()
        .map_err(TableError::Join)
}

fn column(df: &DataFrame, table: &'static str, name: &str, dtype: &DataType) -> Result<Series, TableError> {
    let error = |source| TableError::Column { table, column: name.to_string(), source };
    let column = df.column(name).map_err(error)?;
    column.as_materialized_series().cast(dtype).map_err(error)
}

/// The values of a text column (absent cells as `None`).
pub fn strs(df: &DataFrame, table: &'static str, name: &str) -> Result<Vec<Option<String>>, TableError> {
    let series = column(df, table, name, &DataType::String)?;
    let values = series.str().map_err(|source| TableError::Column { table, column: name.into(), source })?;
    Ok(values.iter().map(|v| v.map(str::to_string)).collect())
}

/// The values of a numeric column as f64.
pub fn f64s(df: &DataFrame, table: &'static str, name: &str) -> Result<Vec<Option<f64>>, TableError> {
    let series = column(df, table, name, &DataType::Float64)?;
    let values = series.f64().map_err(|source| TableError::Column { table, column: name.into(), source })?;
    Ok(values.iter().collect())
}

/// The distinct values of the `year` column of `table`, oldest first.
pub fn years_in(df: &DataFrame, table: &'static str) -> Result<Vec<i32>, TableError> {
    let mut years: Vec<i32> = i64s(df, table, "year")?.into_iter().flatten().map(|y| y as i32).collect();
    years.sort_unstable();
    years.dedup();
    Ok(years)
}

/// The values of an integer column (or a datetime column, as its raw count) as i64.
pub fn i64s(df: &DataFrame, table: &'static str, name: &str) -> Result<Vec<Option<i64>>, TableError> {
    let series = column(df, table, name, &DataType::Int64)?;
    let values = series.i64().map_err(|source| TableError::Column { table, column: name.into(), source })?;
    Ok(values.iter().collect())
}

/// The values of a boolean column.
pub fn bools(df: &DataFrame, table: &'static str, name: &str) -> Result<Vec<Option<bool>>, TableError> {
    let series = column(df, table, name, &DataType::Boolean)?;
    let values = series.bool().map_err(|source| TableError::Column { table, column: name.into(), source })?;
    Ok(values.iter().collect())
}

/// Whether a frame has a column (optional columns such as `satisfaction` or `cluster_id`).
pub fn has_column(df: &DataFrame, name: &str) -> bool {
    df.column(name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_open_on_the_latest_year_that_ranks_a_unit() {
        let annual = DataFrame::new(
            3,
            vec![Column::new("year".into(), [2018i32, 2019, 2020]), Column::new("ranked".into(), [true, true, false])],
        )
        .unwrap();
        assert_eq!(latest_ranked_year(&annual).unwrap(), Some(2019));
        let tables = ReportTables { annual, ..Default::default() };
        assert_eq!(tables.report_year(None).unwrap(), Some(2019));
        assert_eq!(tables.report_year(Some(2020)).unwrap(), Some(2020));
        let nobody_ranked = DataFrame::new(1, vec![Column::new("year".into(), [2020i32])]).unwrap();
        assert_eq!(latest_ranked_year(&nobody_ranked).unwrap(), None);
        // none ranked: the year with the most posts, not a last year of two posts
        let nobody_ranked = DataFrame::new(
            4,
            vec![
                Column::new("year".into(), [2018i32, 2019, 2019, 2020]),
                Column::new("ranked".into(), [false, false, false, false]),
                Column::new("posts".into(), [300i64, 200, 150, 2]),
            ],
        )
        .unwrap();
        assert_eq!(default_year(&nobody_ranked).unwrap(), Some(2019));
    }

    #[test]
    fn the_issue_tables_count_a_repeat_after_any_unit_s_reply() {
        // p2 came back after another unit answered p1: no repeat for its own unit's indicators,
        // but a repeat of the issue.
        let post_facts = DataFrame::new(
            2,
            vec![Column::new("post_id".into(), ["p1", "p2"]), Column::new("repeat_after_reply".into(), [false, false])],
        )
        .unwrap();
        let clusters = DataFrame::new(
            2,
            vec![
                Column::new("post_id".into(), ["p1", "p2"]),
                Column::new("cluster_id".into(), ["issue-p1", "issue-p1"]),
                Column::new("repeat_after_reply".into(), [false, true]),
            ],
        )
        .unwrap();
        let facts = with_cluster_ids(post_facts, clusters).unwrap();
        assert_eq!(bools(&facts, "post_facts", "repeat_in_issue").unwrap(), [Some(false), Some(true)]);
        assert_eq!(bools(&facts, "post_facts", "repeat_after_reply").unwrap(), [Some(false), Some(false)]);
    }

    #[test]
    fn a_folder_of_posts_without_replies_opens_on_the_year_with_the_most_posts() {
        let post_facts = DataFrame::new(4, vec![Column::new("year".into(), [2018i32, 2018, 2018, 2020])]).unwrap();
        let tables = ReportTables { post_facts, ..Default::default() };
        assert_eq!(tables.report_year(None).unwrap(), Some(2018));
        assert_eq!(tables.report_year(Some(2020)).unwrap(), Some(2020));
        assert_eq!(ReportTables::default().report_year(None).unwrap(), None);
    }
}
