//! `wenzheng indicators`: post facts, unit indicators, annual scores and the overdue list →
//! `DIR/reports/{post_facts,indicators,annual,overdue}.parquet`, then the charts drawn from
//! them → `DIR/reports/charts/`.
//!
//! The four tables are recomputed from the whole folder on every run (they are sums over
//! every post, and a run takes seconds even at a million posts). They are written all or
//! nothing: every table goes to a temporary file first, and only when all four are written
//! are they renamed into place, so a failed or killed run leaves the previous tables.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use models::calendar::WorkCalendar;
use models::deadline::DeadlineRules;
use polars::prelude::*;
use reports::annual::AnnualConfig;
use reports::facts::{self, ReportInputs};

use crate::recurring::CLUSTERS_FILE;
use crate::score::SCORES_FILE;
use crate::store::{self, DataDir, StageRecord};
use crate::tables;

/// Bump when a definition changes, so readers know the tables were recomputed (2: `repeat_rate`
/// counts a repeat only after the same unit's reply; 3: a receipt or a forwarding note accepts a
/// post without completing it; 4: so does a note that the case is still being handled, and the
/// deadline such a note commits to is the post's).
pub const INDICATORS_VERSION: &str = "4";

pub const REPORTS_DIR: &str = "reports";
pub const POST_FACTS_FILE: &str = "reports/post_facts.parquet";
pub const INDICATORS_FILE: &str = "reports/indicators.parquet";
pub const ANNUAL_FILE: &str = "reports/annual.parquet";
pub const OVERDUE_FILE: &str = "reports/overdue.parquet";
pub const CHARTS_DIR: &str = "reports/charts";

/// The thresholds the stage reads from the config file.
#[derive(Debug, Clone, Default)]
pub struct IndicatorsConfig {
    pub deadlines: DeadlineRules,
    pub calendar: WorkCalendar,
    pub annual: AnnualConfig,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct IndicatorsReport {
    pub posts: usize,
    pub units: usize,
    pub indicator_rows: usize,
    pub overdue: usize,
    /// Chart files written under DIR/reports/charts/.
    pub charts: usize,
    pub seconds: f64,
    /// The year summarised: the one asked for, else the latest that ranks a unit.
    pub year: Option<i32>,
    /// The year's ranked units, best first: (rank, unit, score, posts).
    pub ranking: Vec<(i32, String, f64, i64)>,
    /// Units of the year not ranked because they name no known body (未知单位, "K7县某局").
    pub unranked_unknown: usize,
    /// Units of the year with too few posts to rank.
    pub unranked_few: usize,
    /// The year's posts, and those of units that name no known body: in no unit's ranking,
    /// which a reader of the ranking must know (on the real data, over half of them).
    pub year_posts: i64,
    pub unknown_unit_posts: i64,
}

/// The tables the reports are built from, read from the data folder.
pub fn read_inputs(dir: &DataDir) -> Result<ReportInputs> {
    let columns = [&facts::POST_COLUMNS[..], &["source"]].concat();
    let posts = tables::read_table(&dir.parts("posts"), &columns)?
        .context("the data folder has no posts: ingest a file with posts first")?;
    // (with the file each reply came from: see `reports::facts` "Exports without replies")
    let reply_columns = [&facts::REPLY_COLUMNS[..], &["source"]].concat();
    let replies = tables::read_table(&dir.parts("replies"), &reply_columns)?;
    let optional = |relative: &str, columns: &[&str]| -> Result<Option<DataFrame>> {
        let path = dir.path(relative);
        if !path.exists() {
            return Ok(None);
        }
        tables::read_table(&[path], columns)
    };
    // (the interim verdicts only in scores written since scorer version 16)
    let scores_path = dir.path(SCORES_FILE);
    let scored_columns = match scores_path.exists() {
        true => tables::present_columns(&[scores_path], &facts::INTERIM_SCORE_COLUMNS)?,
        false => Vec::new(),
    };
    let scores = optional(SCORES_FILE, &[&facts::SCORE_COLUMNS[..], &scored_columns].concat())?;
    let clusters = optional(CLUSTERS_FILE, &facts::CLUSTER_COLUMNS)?;
    if scores.is_none() {
        tracing::warn!("no reply scores yet: evasive and vague rates will be 0 (run `wenzheng score` first)");
    }
    Ok(ReportInputs { posts, replies, scores, clusters })
}

/// Computes and writes the four report tables; `year` chooses the year summarised.
pub fn indicators(dir: &mut DataDir, year: Option<i32>, config: &IndicatorsConfig) -> Result<IndicatorsReport> {
    let started = Instant::now();
    let inputs = read_inputs(dir)?;
    let mut post_facts = facts::post_facts(&inputs, &config.deadlines, &config.calendar)?;
    drop(inputs);
    let mut indicators = reports::indicators::indicators(&post_facts)?;
    let mut annual = reports::annual::annual(&post_facts, &config.annual)?;
    let mut overdue = reports::indicators::overdue(&post_facts)?;
    if let Some(year) = year {
        check_year(dir, year, &post_facts)?;
    }

    std::fs::create_dir_all(dir.path(REPORTS_DIR))
        .with_context(|| format!("cannot create {}", dir.path(REPORTS_DIR).display()))?;
    let outputs: [(&str, &mut DataFrame); 4] = [
        (POST_FACTS_FILE, &mut post_facts),
        (INDICATORS_FILE, &mut indicators),
        (ANNUAL_FILE, &mut annual),
        (OVERDUE_FILE, &mut overdue),
    ];
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (relative, frame) in outputs {
        let path = dir.path(relative);
        match write_temp(&path, frame) {
            Ok(temp) => written.push((temp, path)),
            Err(error) => {
                for (temp, _) in &written {
                    let _ = std::fs::remove_file(temp);
                }
                return Err(error);
            }
        }
    }
    for (temp, path) in &written {
        std::fs::rename(temp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    }

    // The charts draw on the tables as written, with each post's recurring issue joined in.
    let tables = reports::tables::ReportTables { post_facts, indicators, annual, overdue, issues: None }
        .with_issues(&dir.path("issues"))?;
    let report = summarise(&tables, year, started)?;
    let charts = reports::charts::write_charts(&tables, &dir.path(CHARTS_DIR), report.year)?;
    let report = IndicatorsReport { charts: charts.len(), seconds: started.elapsed().as_secs_f64(), ..report };
    dir.record_stage(
        "indicators",
        StageRecord {
            version: INDICATORS_VERSION.into(),
            finished_at: store::now_string(),
            detail: serde_json::json!({
                "posts": report.posts, "units": report.units, "overdue": report.overdue, "seconds": report.seconds,
            }),
        },
    )?;
    Ok(report)
}

/// Refuses a `--year` the posts do not reach, before anything is written: its summary and
/// charts would be empty, which reads as a year without complaints.
fn check_year(dir: &DataDir, year: i32, post_facts: &DataFrame) -> Result<()> {
    let years = reports::tables::years_in(post_facts, "post_facts")?;
    if years.contains(&year) {
        return Ok(());
    }
    // (the report's own words for a year it has nothing of)
    let held = reports::tables::ReportTables::years_held(&years);
    let reason = reports::report::ReportError::NoSuchYear { year, held }.to_string();
    Err(crate::ingest::BadInput { file: dir.root().display().to_string(), sheet: None, reason }.into())
}

/// Writes a table beside its final name, synced, and returns the temporary path.
fn write_temp(path: &Path, frame: &mut DataFrame) -> Result<PathBuf> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.tmp"));
    let file = std::fs::File::create(&temp).with_context(|| format!("cannot write {}", temp.display()))?;
    ParquetWriter::new(file)
        .with_compression(tables::compression())
        .finish(frame)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", temp.display()))?;
    std::fs::File::open(&temp)?.sync_all()?;
    Ok(temp)
}

fn summarise(tables: &reports::tables::ReportTables, year: Option<i32>, started: Instant) -> Result<IndicatorsReport> {
    let (post_facts, annual) = (&tables.post_facts, &tables.annual);
    let years = annual.column("year")?.i32()?;
    // the year the report and the dashboard open on
    let year = tables.report_year(year)?;
    let (units, ranks, scores, posts) = (
        annual.column("unit")?.str()?,
        annual.column("rank")?.i32()?,
        annual.column("score")?.f64()?,
        annual.column("posts")?.i64()?,
    );
    let mut ranking = Vec::new();
    let (mut unranked_unknown, mut unranked_few, mut year_posts, mut unknown_unit_posts) = (0, 0, 0, 0);
    for i in 0..annual.height() {
        if years.get(i) != year {
            continue;
        }
        let unit_posts = posts.get(i).unwrap_or(0);
        year_posts += unit_posts;
        match (ranks.get(i), units.get(i), scores.get(i)) {
            (Some(rank), Some(unit), Some(score)) => ranking.push((rank, unit.to_string(), score, unit_posts)),
            (_, unit, _) if !unit.is_some_and(reports::annual::is_known_body) => {
                unranked_unknown += 1;
                unknown_unit_posts += unit_posts;
            }
            _ => unranked_few += 1,
        }
    }
    ranking.sort_by_key(|r| r.0);
    let distinct_units = post_facts.column("unit")?.as_materialized_series().n_unique()?;
    Ok(IndicatorsReport {
        posts: post_facts.height(),
        units: distinct_units,
        indicator_rows: tables.indicators.height(),
        overdue: tables.overdue.height(),
        charts: 0,
        seconds: started.elapsed().as_secs_f64(),
        year,
        ranking,
        unranked_unknown,
        unranked_few,
        year_posts,
        unknown_unit_posts,
    })
}

/// The lines `wenzheng indicators` prints: counts, then the best and worst ranked units.
pub fn summary_lines(report: &IndicatorsReport, show: usize) -> Vec<String> {
    let mut lines = vec![format!(
        "indicators: {} posts, {} units, {} indicator rows, {} overdue posts, {} chart files in {:.1} s",
        report.posts, report.units, report.indicator_rows, report.overdue, report.charts, report.seconds
    )];
    let Some(year) = report.year else { return lines };
    let mut annual = format!(
        "annual {year}: {} units ranked, {} with too few posts to rank",
        report.ranking.len(),
        report.unranked_few
    );
    if report.unranked_unknown > 0 {
        let share = 100.0 * report.unknown_unit_posts as f64 / report.year_posts.max(1) as f64;
        annual += &format!(
            ", {} of no known unit ({} posts, {share:.1}% of the year's, in no unit's ranking)",
            report.unranked_unknown, report.unknown_unit_posts
        );
    }
    lines.push(annual);
    let line = |(rank, unit, score, posts): &(i32, String, f64, i64)| {
        format!("  {rank:>3}. {unit}  {score:.1} ({posts} posts)")
    };
    let n = report.ranking.len();
    if n <= 2 * show {
        lines.extend(report.ranking.iter().map(line));
    } else {
        lines.push("  top:".into());
        lines.extend(report.ranking[..show].iter().map(line));
        lines.push("  bottom:".into());
        lines.extend(report.ranking[n - show..].iter().map(line));
    }
    lines
}
