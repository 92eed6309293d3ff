//! The six charts drawn with plotters, on any backend (the SVG of the API and the report,
//! the PNG of the data folder). Category labels (units, issues) are drawn by hand beside
//! their bars, truncated to the room there is, so long unit names never overlap.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{
    label_style, left_aligned, right_aligned, small_style, text_ems, title_style, truncate, BLUE, FONT_FAMILY, GREEN,
    GREY, GRID, INK, MUTED, ORANGE, RED,
};
use super::data::{IssueTimeline, MonthPoint, UnitRates, WorkdayCounts, MAX_WORKDAYS};

pub type Area<DB> = DrawingArea<DB, Shift>;
pub type DrawResult = Result<(), String>;

pub const WIDTH: u32 = 1000;
const HEADER: u32 = 78;
const ROW: u32 = 30;
/// The widest category label, in ems of the label font.
const LABEL_EMS: f64 = 13.0;
const LABEL_EM_PX: f64 = 17.0 / 1.24;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Height of a chart with one row per category.
pub fn rows_height(rows: usize) -> u32 {
    HEADER + 70 + ROW * rows.max(3) as u32
}

/// Title, subtitle and a legend on top; returns the area left for the plot.
pub fn header<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    subtitle: &str,
    legend: &[(&str, RGBColor)],
) -> Result<Area<DB>, String> {
    root.fill(&WHITE).map_err(err)?;
    root.draw_text(title, &title_style(), (24, 16)).map_err(err)?;
    root.draw_text(subtitle, &small_style(), (24, 50)).map_err(err)?;
    let mut x = WIDTH as i32 - 24 - legend.iter().map(|(t, _)| (text_ems(t) * 15.0 / 1.24) as i32 + 34).sum::<i32>();
    for (text, color) in legend {
        root.draw(&Rectangle::new([(x, 54), (x + 14, 66)], color.filled())).map_err(err)?;
        root.draw_text(text, &small_style().color(&INK), (x + 19, 52)).map_err(err)?;
        x += (text_ems(text) * 15.0 / 1.24) as i32 + 34;
    }
    Ok(root.clone().split_vertically(HEADER).1)
}

/// "暂无数据" in the middle of the plot area.
pub fn no_data<DB: DrawingBackend>(area: &Area<DB>) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let style = (FONT_FAMILY, 22).into_font().color(&MUTED).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    ));
    area.draw_text("暂无数据", &style, (w as i32 / 2, h as i32 / 2)).map_err(err)
}

/// How many labels a count axis from 0 to `top` asks plotters for: at most 6, and never more
/// than the whole numbers on it, so the ticks plotters picks (steps of 1, 2, 5 × 10ⁿ, the
/// finest that fit) are whole numbers. Asking for 6 on an axis up to 1.15 got ticks every 0.2,
/// printed "0 0 0 1 1 1".
pub fn count_labels(top: f64) -> usize {
    (top.max(0.0).floor() as usize + 1).min(6)
}

/// A count-axis label: a whole number.
fn count(v: &f64) -> String {
    format!("{v:.0}")
}

fn percent(v: &f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// The x-axis label of month `i`: "2019-04" at whole indices, nothing between.
fn month_tick(months: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    months.get(i as usize).cloned().unwrap_or_default()
}

/// A label area wide enough for the longest (truncated) label.
fn label_area(labels: &[String]) -> u32 {
    let widest = labels.iter().map(|l| text_ems(l)).fold(4.0, f64::max);
    (widest * LABEL_EM_PX) as u32 + 24
}

/// Category labels right-aligned at the left edge of the plot, one per row centre.
fn row_labels<DB: DrawingBackend>(
    root: &Area<DB>,
    at: impl Fn(f64) -> (i32, i32),
    labels: &[(String, RGBColor)],
) -> DrawResult {
    let n = labels.len();
    for (i, (label, color)) in labels.iter().enumerate() {
        let (x, y) = at((n - i) as f64 - 0.5);
        root.draw_text(label, &right_aligned(label_style().color(color)), (x - 10, y)).map_err(err)?;
    }
    Ok(())
}

/// A bar of the ranking.
pub struct RankBar {
    pub label: String,
    pub score: Option<f64>,
    pub color: RGBColor,
}

/// Horizontal bars of the annual score, one row per unit (a row without a score is a gap).
pub fn ranking<DB: DrawingBackend>(root: &Area<DB>, area: &Area<DB>, bars: &[RankBar]) -> DrawResult {
    if bars.is_empty() {
        return no_data(area);
    }
    let n = bars.len();
    let labels: Vec<(String, RGBColor)> = bars
        .iter()
        .map(|b| (truncate(&b.label, LABEL_EMS + 3.0), if b.score.is_some() { INK } else { MUTED }))
        .collect();
    let names: Vec<String> = labels.iter().map(|l| l.0.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .margin_right(50)
        .margin_left(16)
        .x_label_area_size(44)
        .y_label_area_size(label_area(&names))
        .build_cartesian_2d(0.0..100.0, 0.0..n as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .label_style(label_style())
        .axis_desc_style(small_style())
        .x_desc("年度得分（0–100）")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(err)?;
    let rows = bars.iter().enumerate().filter_map(|(i, b)| Some((i, b.score?, b.color)));
    chart
        .draw_series(rows.clone().map(|(i, score, color)| {
            let y = (n - i) as f64;
            Rectangle::new([(0.0, y - 0.18), (score.clamp(0.0, 100.0), y - 0.82)], color.filled())
        }))
        .map_err(err)?;
    chart
        .draw_series(rows.map(|(i, score, _)| {
            Text::new(
                format!("{score:.1}"),
                (score.clamp(0.0, 100.0) + 0.8, (n - i) as f64 - 0.5),
                left_aligned(label_style()),
            )
        }))
        .map_err(err)?;
    row_labels(root, |y| chart.backend_coord(&(0.0, y)), &labels)
}

/// Posts per month (bars) and the on-time rate (line, right axis); with `evasive`, the
/// evasive rate too (a unit's trend).
pub fn monthly<DB: DrawingBackend>(area: &Area<DB>, points: &[MonthPoint], evasive: bool) -> DrawResult {
    if points.iter().all(|p| p.posts == 0.0) {
        return no_data(area);
    }
    let months: Vec<String> = points.iter().map(|p| p.month.clone()).collect();
    let n = points.len() as f64;
    let top = points.iter().map(|p| p.posts).fold(1.0, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .right_y_label_area_size(72)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..top)
        .map_err(err)?
        .set_secondary_coord(-0.5..n - 0.5, 0.0..1.05);
    let tick = |x: &f64| month_tick(&months, *x);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(points.len().min(12))
        .y_labels(count_labels(top))
        .x_label_formatter(&tick)
        .y_label_formatter(&count)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .label_style(label_style())
        .axis_desc_style(small_style())
        .y_desc("留言数（条）")
        .draw()
        .map_err(err)?;
    chart
        .configure_secondary_axes()
        .y_labels(6)
        .y_label_formatter(&percent)
        .axis_style(MUTED.stroke_width(1))
        .label_style(label_style())
        .axis_desc_style(small_style())
        .y_desc(if evasive { "按时办结率 / 推诿率" } else { "按时办结率" })
        .draw()
        .map_err(err)?;
    let half = if points.len() > 40 { 0.42 } else { 0.34 };
    chart
        .draw_series(
            points.iter().enumerate().map(|(i, p)| {
                Rectangle::new([(i as f64 - half, 0.0), (i as f64 + half, p.posts)], BLUE.mix(0.8).filled())
            }),
        )
        .map_err(err)?;
    let mut lines = vec![(GREEN, points.iter().map(|p| p.on_time_rate).collect::<Vec<_>>())];
    if evasive {
        lines.push((RED, points.iter().map(|p| p.evasive_rate).collect()));
    }
    for (color, values) in lines {
        let pts: Vec<(f64, f64)> = values.iter().enumerate().filter_map(|(i, v)| Some((i as f64, (*v)?))).collect();
        // a month with no rate (no post due, none answered) breaks the line: drawn through, it
        // showed a rate for months that had none
        for run in pts.chunk_by(|a, b| b.0 - a.0 == 1.0) {
            chart.draw_secondary_series(LineSeries::new(run.to_vec(), color.stroke_width(3))).map_err(err)?;
        }
        chart.draw_secondary_series(pts.into_iter().map(|p| Circle::new(p, 4, color.filled()))).map_err(err)?;
    }
    Ok(())
}

/// The deadlines drawn over the histogram: (bar edge, label).
const DEADLINES: [(f64, &str); 4] = [(0.5, "当日时限"), (3.5, "3日目标"), (5.5, "5日时限"), (15.5, "15日上限")];

/// Working days to the final reply: stacked bars for the two deadline classes, with the
/// deadlines as dashed lines.
pub fn workdays<DB: DrawingBackend>(area: &Area<DB>, counts: &WorkdayCounts) -> DrawResult {
    let totals: Vec<u32> = counts.same_day.iter().zip(&counts.five_days).map(|(a, b)| a + b).collect();
    if totals.iter().all(|t| *t == 0) {
        return no_data(area);
    }
    let top = *totals.iter().max().unwrap_or(&1) as f64 * 1.18;
    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(30)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5..MAX_WORKDAYS as f64 + 0.5, 0.0..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(MAX_WORKDAYS + 1)
        .y_labels(count_labels(top))
        .x_label_formatter(&|x| match x.round() as usize {
            d if d == MAX_WORKDAYS => format!("{d}+"),
            d => d.to_string(),
        })
        .y_label_formatter(&count)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .label_style(label_style())
        .axis_desc_style(small_style())
        .x_desc("收到后第几个工作日答复（0 = 当日）")
        .y_desc("留言数（条）")
        .draw()
        .map_err(err)?;
    let bar = |d: usize, from: u32, to: u32, color: RGBColor| {
        Rectangle::new([(d as f64 - 0.38, from as f64), (d as f64 + 0.38, to as f64)], color.filled())
    };
    chart.draw_series(counts.same_day.iter().enumerate().map(|(d, c)| bar(d, 0, *c, BLUE))).map_err(err)?;
    chart
        .draw_series(
            counts
                .five_days
                .iter()
                .enumerate()
                .map(|(d, c)| bar(d, counts.same_day[d], counts.same_day[d] + c, ORANGE)),
        )
        .map_err(err)?;
    for (x, label) in DEADLINES {
        chart.draw_series(DashedLineSeries::new([(x, 0.0), (x, top * 0.9)], 6, 4, RED.stroke_width(2))).map_err(err)?;
        chart
            .draw_series([Text::new(
                label,
                (x, top * 0.95),
                small_style().color(&RED).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                )),
            )])
            .map_err(err)?;
    }
    Ok(())
}

/// Evasive and vague rates per unit: two bars per row.
pub fn unit_rates<DB: DrawingBackend>(root: &Area<DB>, area: &Area<DB>, rows: &[UnitRates]) -> DrawResult {
    if rows.is_empty() {
        return no_data(area);
    }
    let n = rows.len();
    let labels: Vec<(String, RGBColor)> = rows.iter().map(|r| (truncate(&r.unit, LABEL_EMS), INK)).collect();
    let names: Vec<String> = labels.iter().map(|l| l.0.clone()).collect();
    let top = rows.iter().map(|r| r.evasive_rate.max(r.vague_rate)).fold(0.05, f64::max).min(1.0) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .margin_right(50)
        .margin_left(16)
        .x_label_area_size(44)
        .y_label_area_size(label_area(&names))
        .build_cartesian_2d(0.0..top, 0.0..n as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(8)
        .x_label_formatter(&percent)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .label_style(label_style())
        .axis_desc_style(small_style())
        .x_desc("占该单位答复的比例")
        .draw()
        .map_err(err)?;
    for (offset, color, vague) in [(0.0, RED, false), (0.36, ORANGE, true)] {
        let bars = rows.iter().enumerate().map(|(i, r)| {
            let y = (n - i) as f64 - 0.14 - offset;
            (y, if vague { r.vague_rate } else { r.evasive_rate })
        });
        chart
            .draw_series(bars.clone().map(|(y, v)| Rectangle::new([(0.0, y), (v, y - 0.34)], color.filled())))
            .map_err(err)?;
        chart
            .draw_series(bars.map(|(y, v)| {
                Text::new(percent(&v), (v + top * 0.008, y - 0.17), left_aligned(small_style().color(&INK)))
            }))
            .map_err(err)?;
    }
    row_labels(root, |y| chart.backend_coord(&(0.0, y)), &labels)
}

/// The hottest recurring issues on a month axis: one row each, a bubble per month sized by
/// its posts, a line from the first month to the last.
pub fn hot_issues<DB: DrawingBackend>(
    root: &Area<DB>,
    area: &Area<DB>,
    issues: &[IssueTimeline],
    months: &[String],
) -> DrawResult {
    if issues.is_empty() || months.is_empty() {
        return no_data(area);
    }
    let n = issues.len();
    let labels: Vec<(String, RGBColor)> = issues.iter().map(|i| (truncate(&i.title, LABEL_EMS + 3.0), INK)).collect();
    let names: Vec<String> = labels.iter().map(|l| l.0.clone()).collect();
    let m = months.len() as f64;
    let mut chart = ChartBuilder::on(area)
        .margin_right(70)
        .margin_left(16)
        .x_label_area_size(44)
        .y_label_area_size(label_area(&names))
        .build_cartesian_2d(-0.5..m - 0.5, 0.0..n as f64)
        .map_err(err)?;
    let tick = |x: &f64| month_tick(months, *x);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(months.len().min(12))
        .x_label_formatter(&tick)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .label_style(label_style())
        .draw()
        .map_err(err)?;
    let most = issues.iter().flat_map(|i| i.by_month.values()).copied().max().unwrap_or(1).max(1) as f64;
    for (row, issue) in issues.iter().enumerate() {
        let y = (n - row) as f64 - 0.5;
        let line = [(issue.span.0 as f64, y), (issue.span.1 as f64, y)];
        chart.draw_series(LineSeries::new(line, GREY.stroke_width(3))).map_err(err)?;
        chart
            .draw_series(issue.by_month.iter().map(|(i, c)| {
                Circle::new((*i as f64, y), (4.0 + 10.0 * (*c as f64 / most).sqrt()) as u32, RED.mix(0.75).filled())
            }))
            .map_err(err)?;
        let (x, py) = chart.backend_coord(&(m - 0.5, y));
        root.draw_text(&format!("{}条", issue.posts), &left_aligned(small_style().color(&INK)), (x + 10, py))
            .map_err(err)?;
    }
    row_labels(root, |y| chart.backend_coord(&(-0.5, y)), &labels)
}
