//! The report charts: pure functions from the report tables to an SVG (`render_svg`, for
//! the API and the HTML report), and `write_charts`, which writes every chart of a year to
//! `DIR/reports/charts/` as SVG, and as PNG when a CJK font is installed.
//!
//! | name | shows |
//! |---|---|
//! | `ranking` | the annual score of the top and bottom units, unranked units in grey |
//! | `monthly_volume` | posts per month, with the city's on-time rate |
//! | `workdays_distribution` | working days to the final reply, with the deadlines |
//! | `evasive_vague_by_unit` | evasive and vague rates of the ranked units, worst first |
//! | `hot_issues` | the hottest recurring issues, their posts month by month |
//! | `unit_trend` | one unit: posts, on-time rate and evasive rate per month |

mod canvas;
pub mod data;
mod draw;

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::prelude::*;

pub use canvas::{cjk_font, text_ems, truncate, FONT_ENV, FONT_FAMILY};
use canvas::{Measured, BLUE, GREEN, GREY, ORANGE, RED};
use data::Period;
use draw::{Area, RankBar, WIDTH};

use crate::tables::{ReportTables, TableError};

/// Every chart, in the order `write_charts` writes them; `unit_trend` needs a unit.
pub const CHART_NAMES: [&str; 6] =
    ["ranking", "monthly_volume", "workdays_distribution", "evasive_vague_by_unit", "hot_issues", "unit_trend"];

/// How many units the ranking shows at each end, and how many issues the timeline.
pub const RANKING_ENDS: usize = 10;
pub const UNITS_SHOWN: usize = 20;
pub const ISSUES_SHOWN: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("unknown chart {0:?}: use ranking, monthly_volume, workdays_distribution, evasive_vague_by_unit, hot_issues or unit_trend")]
    UnknownChart(String),
    #[error("chart unit_trend needs a unit: pass the unit's name")]
    MissingUnit,
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("cannot draw chart {chart}: {message}")]
    Draw { chart: String, message: String },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// A chart ready to draw: its numbers, size and header.
struct Prepared {
    title: String,
    subtitle: String,
    height: u32,
    body: Body,
}

enum Body {
    Ranking(Vec<RankBar>),
    Monthly { points: Vec<data::MonthPoint>, evasive: bool },
    Workdays(data::WorkdayCounts),
    UnitRates(Vec<data::UnitRates>),
    HotIssues { issues: Vec<data::IssueTimeline>, months: Vec<String> },
}

fn prepare(name: &str, tables: &ReportTables, year: Option<i32>, unit: Option<&str>) -> Result<Prepared, ChartError> {
    if !CHART_NAMES.contains(&name) {
        return Err(ChartError::UnknownChart(name.to_string()));
    }
    let months = data::months(tables, year)?;
    let period = Period::new(year, &months);
    // Unit comparisons are about one year: the one asked for, else the latest.
    let unit_year = tables.report_year(year)?;
    let unit_period = Period::new(unit_year, &months);
    let chart = |title: &str, subtitle: String, height: u32, body: Body| Prepared {
        title: title.to_string(),
        subtitle,
        height,
        body,
    };
    Ok(match name {
        "ranking" => {
            let rows = match unit_year {
                Some(y) => data::ranking(tables, y)?,
                None => Vec::new(),
            };
            let bars = ranking_bars(&rows);
            let grey = if bars.is_empty() { "" } else { "（灰色）" };
            let subtitle = format!("{}{grey}", data::ranking_counts(&rows));
            chart(
                &format!("{} 承办单位年度得分排名", unit_period.label),
                subtitle,
                draw::rows_height(bars.len()),
                Body::Ranking(bars),
            )
        }
        "monthly_volume" => {
            let points = data::monthly(tables, "city", "全市", &months)?;
            let total: f64 = points.iter().map(|p| p.posts).sum();
            // The data holds more posts than the indicators when an export had no replies.
            let subtitle = match data::posts_without_replies(tables, &months)? {
                0 => format!("共 {total:.0} 条留言"),
                n => format!("共 {total:.0} 条留言（另有 {n} 条来自不含答复的导出，无从计算办结，未计入）"),
            };
            chart(
                &format!("{} 全市每月留言量与按时办结率", period.label),
                subtitle,
                520,
                Body::Monthly { points, evasive: false },
            )
        }
        "workdays_distribution" => {
            let counts = data::workdays(tables, year)?;
            let total: u32 = counts.same_day.iter().chain(&counts.five_days).sum();
            let subtitle = format!("已答复 {total} 条；咨询、建议、求助当日办结，投诉、举报、其他 5 个工作日内");
            chart(&format!("{} 答复用时分布（工作日）", period.label), subtitle, 520, Body::Workdays(counts))
        }
        "evasive_vague_by_unit" => {
            let (mut rows, of_ranked) = match unit_year {
                Some(y) => data::unit_rates(tables, y)?,
                None => (Vec::new(), false),
            };
            let all = rows.len();
            rows.truncate(UNITS_SHOWN);
            let among = if of_ranked {
                format!("参与排名的 {all} 个单位中")
            } else {
                // (units known only by their place, "K7县某局", are never compared: say so, or
                // "0 个单位" reads as if no unit had that many posts)
                format!("本年无单位参与排名；单位明确、留言达 {} 条的 {all} 个单位中", data::MIN_POSTS_FOR_RATES)
            };
            let subtitle = format!("{among}推诿、敷衍率合计最高的 {} 个", rows.len());
            chart(
                &format!("{} 各单位推诿、敷衍答复率", unit_period.label),
                subtitle,
                draw::rows_height(rows.len()) + 10,
                Body::UnitRates(rows),
            )
        }
        "hot_issues" => {
            let mut issues = data::hot_issues(tables, &months, ISSUES_SHOWN)?;
            // Titles are citizens' subjects, and a chart is shown to every role.
            for issue in &mut issues {
                issue.title = crate::masking::mask_text(&issue.title);
            }
            let subtitle = format!("热度最高的 {} 个反复出现的问题，圆点大小表示当月留言数", issues.len());
            chart(
                &format!("{} 高频重复问题时间线", period.label),
                subtitle,
                draw::rows_height(issues.len()),
                Body::HotIssues { issues, months },
            )
        }
        _ => {
            let unit = unit.ok_or(ChartError::MissingUnit)?;
            let points = data::monthly(tables, "unit", unit, &months)?;
            let total: f64 = points.iter().map(|p| p.posts).sum();
            chart(
                &format!("{} {} 月度趋势", period.label, truncate(unit, 20.0)),
                format!("共 {total:.0} 条留言；柱：留言数，线：按时办结率、推诿率"),
                480,
                Body::Monthly { points, evasive: true },
            )
        }
    })
}

/// The top and bottom `RANKING_ENDS` ranked units (all of them when few), a gap row between,
/// then the unranked units in grey.
fn ranking_bars(rows: &[data::RankingRow]) -> Vec<RankBar> {
    let ranked: Vec<&data::RankingRow> = rows.iter().filter(|r| r.ranked).collect();
    if ranked.is_empty() {
        // (a "ranking" of unranked units alone put "B市某单位 77.2" on top of the real data's
        // 2019: with nobody ranked the chart says so, and its subtitle why)
        return Vec::new();
    }
    let bar = |r: &data::RankingRow, color| RankBar {
        label: format!("{}. {}", r.rank.map(|k| k.to_string()).unwrap_or("—".into()), r.unit),
        score: Some(r.score),
        color,
    };
    let mut bars = Vec::new();
    if ranked.len() <= 2 * RANKING_ENDS {
        let half = ranked.len().div_ceil(2);
        bars.extend(ranked.iter().enumerate().map(|(i, r)| bar(r, if i < half { BLUE } else { RED })));
    } else {
        bars.extend(ranked[..RANKING_ENDS].iter().map(|r| bar(r, BLUE)));
        let hidden = ranked.len() - 2 * RANKING_ENDS;
        bars.push(RankBar { label: format!("… 中间 {hidden} 个单位 …"), score: None, color: GREY });
        bars.extend(ranked[ranked.len() - RANKING_ENDS..].iter().map(|r| bar(r, RED)));
    }
    let unranked: Vec<&data::RankingRow> = rows.iter().filter(|r| !r.ranked).collect();
    for r in unranked.iter().take(RANKING_ENDS) {
        bars.push(RankBar { label: format!("{}（未排名）", r.unit), score: Some(r.score), color: GREY });
    }
    if unranked.len() > RANKING_ENDS {
        bars.push(RankBar {
            label: format!("… 另有 {} 个未排名单位", unranked.len() - RANKING_ENDS),
            score: None,
            color: GREY,
        });
    }
    bars
}

fn legend(body: &Body) -> Vec<(&'static str, RGBColor)> {
    match body {
        Body::Ranking(_) => vec![("前列", BLUE), ("末位", RED), ("未排名", GREY)],
        Body::Monthly { evasive: false, .. } => vec![("留言数", BLUE), ("按时办结率", GREEN)],
        Body::Monthly { evasive: true, .. } => vec![("留言数", BLUE), ("按时办结率", GREEN), ("推诿率", RED)],
        Body::Workdays(_) => vec![("咨询·建议·求助", BLUE), ("投诉·举报·其他", ORANGE)],
        Body::UnitRates(_) => vec![("推诿率", RED), ("敷衍率", ORANGE)],
        Body::HotIssues { .. } => vec![("当月留言", RED)],
    }
}

fn draw_on<DB: DrawingBackend>(chart: &Prepared, root: &Area<DB>) -> Result<(), String> {
    let area = draw::header(root, &chart.title, &chart.subtitle, &legend(&chart.body))?;
    match &chart.body {
        Body::Ranking(bars) => draw::ranking(root, &area, bars),
        Body::Monthly { points, evasive } => draw::monthly(&area, points, *evasive),
        Body::Workdays(counts) => draw::workdays(&area, counts),
        Body::UnitRates(rows) => draw::unit_rates(root, &area, rows),
        Body::HotIssues { issues, months } => draw::hot_issues(root, &area, issues, months),
    }?;
    root.present().map_err(|e| e.to_string())
}

/// The chart `name` as an SVG document. `year` limits it to one year (unit comparisons use
/// the latest year when none is given); `unit` is the unit of `unit_trend`.
pub fn render_svg(
    name: &str,
    reports: &ReportTables,
    year: Option<i32>,
    unit: Option<&str>,
) -> Result<String, ChartError> {
    let chart = prepare(name, reports, year, unit)?;
    svg_of(name, &chart)
}

fn svg_of(name: &str, chart: &Prepared) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = Measured(SVGBackend::with_string(&mut svg, (WIDTH, chart.height))).into_drawing_area();
        draw_on(chart, &root).map_err(|message| ChartError::Draw { chart: name.to_string(), message })?;
    }
    Ok(svg)
}

/// Writes every chart but `unit_trend` to `out_dir` as `<name>.svg`, and `<name>.png` when a
/// CJK font is found (see [`cjk_font`]); each file is written under a temporary name and
/// renamed. Returns the files written.
pub fn write_charts(reports: &ReportTables, out_dir: &Path, year: Option<i32>) -> Result<Vec<PathBuf>, ChartError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ChartError::Write { path: out_dir.into(), source })?;
    let font = cjk_font();
    if font.is_none() {
        static SKIPPED: Once = Once::new();
        SKIPPED.call_once(|| tracing::warn!("no CJK font found (install fonts-wqy-microhei or set {FONT_ENV}): charts written as SVG only, PNGs skipped"));
    }
    let mut written = Vec::new();
    for name in CHART_NAMES.iter().filter(|n| **n != "unit_trend") {
        let chart = prepare(name, reports, year, None)?;
        let svg_path = out_dir.join(format!("{name}.svg"));
        write_atomically(&svg_path, svg_of(name, &chart)?.as_bytes())?;
        written.push(svg_path);
        if font.is_some() {
            let png_path = out_dir.join(format!("{name}.png"));
            // The encoder picks the format from the extension, so the temporary name keeps it.
            let temp = out_dir.join(format!(".{name}.tmp.png"));
            {
                let root = BitMapBackend::new(&temp, (WIDTH, chart.height)).into_drawing_area();
                draw_on(&chart, &root).map_err(|message| ChartError::Draw { chart: name.to_string(), message })?;
            }
            std::fs::rename(&temp, &png_path).map_err(|source| ChartError::Write { path: png_path.clone(), source })?;
            written.push(png_path);
        }
    }
    Ok(written)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ChartError> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.tmp"));
    let error = |source| ChartError::Write { path: path.into(), source };
    std::fs::write(&temp, bytes).map_err(error)?;
    std::fs::rename(&temp, path).map_err(error)
}

#[cfg(test)]
pub(crate) mod tests;
