//! `wenzheng report`: the annual report for leadership as one self-contained HTML file —
//! the summary, the ranking with each unit's score components, change and monthly trend,
//! the charts inline as SVG, the recurring issues and the overdue warnings. No scripts, no
//! external files; print CSS keeps tables and charts whole on A4 pages.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::masking::mask_text;

use crate::charts::{self, data, ChartError};
use crate::tables::{f64s, has_column, i64s, strs, ReportTables, TableError};
use polars::prelude::{col, DataType, IntoLazy};

/// The score components of `annual.parquet`, with their Chinese names (satisfaction is
/// optional: not every platform records it).
const COMPONENTS: [(&str, &str); 5] = [
    ("response", "响应"),
    ("timeliness", "时效"),
    ("quality", "质量"),
    ("resolution", "解决"),
    ("satisfaction", "满意"),
];
/// The units whose trend chart the report shows in full: the last ranked ones.
const FOCUS_UNITS: usize = 3;
const OVERDUE_LISTED: usize = 20;
const ISSUES_LISTED: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("no annual scores{}: run `wenzheng indicators --data DIR` first", .0.map(|y| format!(" for {y}")).unwrap_or_default())]
    NoScores(Option<i32>),
    #[error("--year {year}: no post of the folder is of that year (years held: {held}); leave --year out for the latest ranked year")]
    NoSuchYear { year: i32, held: String },
    // the cause is the error's source, which the caller prints after it
    #[error("cannot write {}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_else(|| "—".into())
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
}

/// One row of the indicators table, by column name.
type Row = HashMap<&'static str, f64>;

/// The indicators of `scope` for the year, and per month, keyed by the scope's key.
struct Indicators {
    year: HashMap<String, Row>,
    months: HashMap<String, HashMap<String, Row>>,
}

const MEASURES: [&str; 8] =
    ["posts", "replied", "response_rate", "on_time_rate", "evasive_rate", "vague_rate", "overdue", "median_workdays"];

fn indicators(tables: &ReportTables, scope: &str, year: i32) -> Result<Indicators, TableError> {
    let t = &tables.indicators;
    let (scopes, keys, types, periods) = (
        strs(t, "indicators", "scope")?,
        strs(t, "indicators", "key")?,
        strs(t, "indicators", "period_type")?,
        strs(t, "indicators", "period")?,
    );
    let mut values = Vec::new();
    for name in MEASURES {
        values.push(if has_column(t, name) { f64s(t, "indicators", name)? } else { vec![None; t.height()] });
    }
    let (year_s, month_prefix) = (year.to_string(), format!("{year}-"));
    let mut out = Indicators { year: HashMap::new(), months: HashMap::new() };
    for i in 0..t.height() {
        let (Some(key), Some(period)) = (&keys[i], &periods[i]) else { continue };
        if scopes[i].as_deref() != Some(scope) {
            continue;
        }
        let row: Row = MEASURES.iter().zip(&values).filter_map(|(name, v)| Some((*name, v[i]?))).collect();
        match types[i].as_deref() {
            Some("year") if *period == year_s => {
                out.year.insert(key.clone(), row);
            }
            Some("month") if period.starts_with(&month_prefix) => {
                out.months.entry(key.clone()).or_default().insert(period.clone(), row);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A small inline SVG of a unit's months: posts as bars, the on-time rate as a line.
fn sparkline(months: &[String], by_month: Option<&HashMap<String, Row>>) -> String {
    let (w, h) = (132.0, 30.0);
    let empty = HashMap::new();
    let by_month = by_month.unwrap_or(&empty);
    let posts: Vec<f64> =
        months.iter().map(|m| by_month.get(m).and_then(|r| r.get("posts")).copied().unwrap_or(0.0)).collect();
    let most = posts.iter().copied().fold(1.0, f64::max);
    let step = w / months.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img"><title>每月留言数与按时办结率</title>"#
    );
    for (i, p) in posts.iter().enumerate() {
        let bar = (p / most) * (h - 4.0);
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#9dbde3"/>"##,
            i as f64 * step + 1.0,
            h - bar,
            (step - 2.0).max(1.0),
            bar
        );
    }
    let rates: Vec<(usize, f64)> =
        months.iter().enumerate().filter_map(|(i, m)| Some((i, *by_month.get(m)?.get("on_time_rate")?))).collect();
    // (a month without a rate breaks the line, as in the charts; a month alone is a dot)
    let at = |&(i, rate): &(usize, f64)| (i as f64 * step + step / 2.0, h - 2.0 - rate * (h - 4.0));
    for run in rates.chunk_by(|a, b| b.0 == a.0 + 1) {
        if let [alone] = run {
            let (x, y) = at(alone);
            let _ = write!(svg, r##"<circle cx="{x:.1}" cy="{y:.1}" r="1.5" fill="#2e9e6b"/>"##);
            continue;
        }
        let points: Vec<String> = run.iter().map(at).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ =
            write!(svg, r##"<polyline points="{}" fill="none" stroke="#2e9e6b" stroke-width="2"/>"##, points.join(" "));
    }
    svg.push_str("</svg>");
    svg
}

fn change(v: Option<f64>) -> String {
    match v {
        Some(v) if v > 0.05 => format!(r#"<span class="up">▲ {v:.1}</span>"#),
        Some(v) if v < -0.05 => format!(r#"<span class="down">▼ {:.1}</span>"#, -v),
        Some(_) => "—".into(),
        None => r#"<span class="muted">新</span>"#.into(),
    }
}

/// The annual report of `year` (the latest year that ranks a unit when `None`) as HTML.
pub fn render_html(tables: &ReportTables, year: Option<i32>) -> Result<String, ReportError> {
    let year = tables.report_year(year)?.ok_or(ReportError::NoScores(None))?;
    let ranking = data::ranking(tables, year)?;
    if ranking.is_empty() {
        let years = tables.years()?;
        if !years.contains(&year) {
            return Err(ReportError::NoSuchYear { year, held: ReportTables::years_held(&years) });
        }
        return Err(ReportError::NoScores(Some(year)));
    }
    let months = data::months(tables, Some(year))?;
    let units = indicators(tables, "unit", year)?;
    let city = indicators(tables, "city", year)?;
    let city_year = city.year.get("全市").cloned().unwrap_or_default();
    let components: Vec<(&str, &str)> =
        COMPONENTS.iter().copied().filter(|(c, _)| has_column(&tables.annual, c)).collect();

    // The annual columns of each unit of the year.
    let a = &tables.annual;
    let (a_units, a_years) = (strs(a, "annual", "unit")?, i64s(a, "annual", "year")?);
    let mut a_values = Vec::new();
    for (name, _) in &components {
        a_values.push(f64s(a, "annual", name)?);
    }
    let a_change =
        if has_column(a, "score_change") { f64s(a, "annual", "score_change")? } else { vec![None; a.height()] };
    let mut by_unit: HashMap<&str, usize> = HashMap::new();
    for i in 0..a.height() {
        if a_years[i] == Some(year as i64) {
            if let Some(unit) = a_units[i].as_deref() {
                by_unit.insert(unit, i);
            }
        }
    }

    let mut html = String::new();
    let title = format!("{year}年网络问政办理情况年度报告");
    let _ = write!(html, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"/><title>{}</title><style>{CSS}</style></head><body>", escape(&title));
    let _ = write!(
        html,
        "<header><h1>{}</h1><p class=\"muted\">统计期：{year}年{}；{}。</p></header>",
        escape(&title),
        months
            .first()
            .zip(months.last())
            .map(|(a, b)| format!("（{}至{}）", data::month_label(a), data::month_label(b)))
            .unwrap_or_default(),
        as_of(tables)?
    );

    // Summary.
    let ranked = ranking.iter().filter(|r| r.ranked).count();
    let stat = |label: &str, value: String| {
        format!("<div class=\"stat\"><div class=\"value\">{value}</div><div class=\"label\">{label}</div></div>")
    };
    let _ = write!(
        html,
        "<section><h2>一、总体情况</h2><div class=\"stats\">{}{}{}{}{}{}</div></section>",
        stat("留言总数", format!("{:.0}", city_year.get("posts").copied().unwrap_or(0.0))),
        stat("答复率", pct(city_year.get("response_rate").copied())),
        stat("按时办结率", pct(city_year.get("on_time_rate").copied())),
        stat("推诿答复率", pct(city_year.get("evasive_rate").copied())),
        stat("敷衍答复率", pct(city_year.get("vague_rate").copied())),
        stat("超时警告", format!("<span class=\"down\">{}</span> 件", overdue_rows_of(tables, year)?.len())),
    );

    // Ranking table.
    let unknown_posts = data::unknown_unit_posts(&ranking).map(|s| format!("{s}；")).unwrap_or_default();
    let _ = write!(
        html,
        "<section><h2>二、承办单位年度排名</h2><p>{}；{unknown_posts}未排名的单位列于表末。得分满分 100，各分项亦为 0–100。</p>",
        data::ranking_counts(&ranking)
    );
    html.push_str("<table class=\"ranking\"><thead><tr><th>排名</th><th>承办单位</th><th>得分</th><th>同比</th>");
    for (_, label) in &components {
        let _ = write!(html, "<th>{label}</th>");
    }
    html.push_str(
        "<th>留言</th><th>按时办结率</th><th>推诿率</th><th>敷衍率</th><th>月度趋势</th></tr></thead><tbody>",
    );
    for row in &ranking {
        let i = by_unit.get(row.unit.as_str()).copied();
        let ind = units.year.get(&row.unit);
        let get = |name: &str| ind.and_then(|r| r.get(name)).copied();
        let class = if row.ranked { "" } else { " class=\"unranked\"" };
        let rank = if row.ranked { row.rank.map(|r| r.to_string()).unwrap_or_default() } else { "未排名".into() };
        let _ = write!(
            html,
            "<tr{class}><td>{rank}</td><td class=\"unit\">{}</td><td class=\"score\">{:.1}</td><td>{}</td>",
            escape(&row.unit),
            row.score,
            change(i.and_then(|i| a_change[i]))
        );
        for values in &a_values {
            let _ = write!(html, "<td>{}</td>", num(i.and_then(|i| values[i])));
        }
        let posts = get("posts").unwrap_or(row.posts);
        let _ = write!(
            html,
            "<td>{posts:.0}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            pct(get("on_time_rate")),
            pct(get("evasive_rate")),
            pct(get("vague_rate")),
            sparkline(&months, units.months.get(&row.unit))
        );
    }
    html.push_str("</tbody></table><p class=\"muted\">月度趋势：柱为每月留言数，绿线为按时办结率。</p>");
    html.push_str(&scoring_method(tables, year)?);
    html.push_str("</section>");

    // Charts.
    html.push_str("<section><h2>三、图表</h2>");
    for name in ["ranking", "monthly_volume", "workdays_distribution", "evasive_vague_by_unit", "hot_issues"] {
        let _ =
            write!(html, "<figure class=\"chart\">{}</figure>", charts::render_svg(name, tables, Some(year), None)?);
    }
    html.push_str("</section>");

    // The last ranked units, in full: at most FOCUS_UNITS, and only from the lower half, so that
    // no unit is singled out as the last that is also among the first (the real data's 2018
    // ranks one unit).
    let focus: Vec<&data::RankingRow> =
        ranking.iter().filter(|r| r.ranked).rev().take(FOCUS_UNITS.min(ranked / 2)).collect();
    if focus.is_empty() {
        let _ = write!(
            html,
            "<section><h2>四、重点关注单位</h2><p>参与排名的单位仅 {ranked} 个，不列末位单位。</p></section>"
        );
    } else {
        html.push_str("<section><h2>四、重点关注单位</h2><p>得分排名末位的单位逐月情况：</p>");
        for row in focus {
            let _ = write!(
                html,
                "<figure class=\"chart\">{}</figure>",
                charts::render_svg("unit_trend", tables, Some(year), Some(&row.unit))?
            );
        }
        html.push_str("</section>");
    }

    issues_section(&mut html, tables, &months)?;
    overdue_section(&mut html, tables, year)?;
    html.push_str("<footer class=\"muted\">由 wenzheng 生成。每个单位得分的分项、比率与权重见 annual.parquet 的 components_json 列。</footer></body></html>\n");
    Ok(html)
}

/// What a unit's score is made of, in words a reader of the ranking can check it by: the
/// components and their weights, the satisfaction weight spread over the others, the pull of
/// small units toward the city, a component with nothing to measure, who is not ranked. Read
/// from the year's `components_json` (the weights as the config gave them); empty without it.
fn scoring_method(tables: &ReportTables, year: i32) -> Result<String, ReportError> {
    let a = &tables.annual;
    if !has_column(a, "components_json") {
        return Ok(String::new());
    }
    let (years, explanations) = (i64s(a, "annual", "year")?, strs(a, "annual", "components_json")?);
    let of_year = years
        .iter()
        .zip(&explanations)
        .filter(|(y, _)| **y == Some(i64::from(year)))
        .filter_map(|(_, e)| e.as_deref().and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok()));
    // the weights of a unit that has every component the data can measure
    let Some(full) = of_year
        .max_by_key(|e| e["components"].as_array().map_or(0, |c| c.iter().filter(|c| c["value"].is_number()).count()))
    else {
        return Ok(String::new());
    };
    let what = |name: &str| match name {
        "response" => "响应（按时受理、有答复）",
        "timeliness" => "时效（在时限内办结）",
        "quality" => "质量（答复不推诿、不敷衍）",
        "resolution" => "解决（同一问题答复后未再反映）",
        _ => "满意",
    };
    let mut weights = Vec::new();
    let mut spread = String::new();
    for c in full["components"].as_array().into_iter().flatten() {
        let name = c["name"].as_str().unwrap_or_default();
        match c["value"].as_f64() {
            Some(_) => weights.push(format!("{}{:.1}%", what(name), 100.0 * c["weight"].as_f64().unwrap_or(0.0))),
            None if name == "satisfaction" => {
                spread = "数据中没有留言人对答复的评价（点赞、反对是其他网民对留言的支持），满意分项不计，其权重按比例分给其余分项，故“满意”列为“—”。".into()
            }
            None => {}
        }
    }
    if weights.is_empty() {
        return Ok(String::new());
    }
    let prior = full["prior_posts"].as_f64().unwrap_or(0.0);
    let shrink = if prior > 0.0 {
        format!(
            "各比率按 {prior:.0} 条留言的分量向全市比率收缩：（本单位计数 + {prior:.0} × 全市比率）÷（本单位条数 + {prior:.0}），\
             留言少的单位得分接近全市水平，故分项分值可与本单位的原始比率（如按时办结率）不同。"
        )
    } else {
        String::new()
    };
    let unranked = match full["min_posts"].as_u64() {
        Some(n) => format!("年内留言不足 {n} 条的单位、承办单位不明的单位（未知单位、“某局”）计分但不排名。"),
        None => "承办单位不明的单位（未知单位、“某局”）计分但不排名。".to_string(),
    };
    Ok(format!(
        "<p class=\"muted\">评分方法：得分 = 100 × Σ 权重 × 分项（各分项 0–1）。分项与权重：{}。{spread}{shrink}\
         某分项无可计的留言时（如没有答复则无质量）该分项不计，权重分给其余分项。{unranked}</p>",
        weights.join("，")
    ))
}

fn issues_section(html: &mut String, tables: &ReportTables, months: &[String]) -> Result<(), ReportError> {
    let top = data::hot_issues(tables, months, ISSUES_LISTED)?;
    html.push_str("<section><h2>五、高频重复问题</h2>");
    if top.is_empty() {
        html.push_str("<p>本年度没有识别出反复出现的问题。</p></section>");
        return Ok(());
    }
    let Some(issues) = &tables.issues else { return Ok(()) };
    let (titles, places, units) =
        (strs(issues, "issues", "title")?, strs(issues, "issues", "place")?, strs(issues, "issues", "units")?);
    // (the year's posts that came back after a reply, beside the year's posts; the issue's
    // count over every year only when the facts do not list the members)
    let repeats = if has_column(issues, "repeats_after_reply") {
        f64s(issues, "issues", "repeats_after_reply")?
    } else {
        vec![None; issues.height()]
    };
    html.push_str("<table><thead><tr><th>序号</th><th>问题</th><th>地点</th><th>本年留言</th><th>答复后再次反映</th><th>热度</th><th>涉及单位</th></tr></thead><tbody>");
    for (n, issue) in top.iter().enumerate() {
        let i = titles.iter().position(|t| t.as_deref() == Some(issue.title.as_str()));
        let cell = |v: &Vec<Option<String>>| escape(i.and_then(|i| v[i].as_deref()).unwrap_or(""));
        let again = match issue.repeats {
            Some(in_year) => in_year.to_string(),
            None => i.and_then(|i| repeats[i]).map(|r| format!("{r:.0}（各年合计）")).unwrap_or_else(|| "—".into()),
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{again}</td><td>{:.1}</td><td>{}</td></tr>",
            n + 1,
            escape(&mask_text(&issue.title)),
            cell(&places),
            issue.posts,
            issue.heat,
            cell(&units)
        );
    }
    html.push_str("</tbody></table></section>");
    Ok(())
}

/// What the data runs to: its newest post and newest reply ("数据截至2020年1月26日（最新留言）、
/// 2020年1月27日（最新答复）"). Overdue posts and working days are counted as of then, and a
/// reader of an old report must know it.
fn as_of(tables: &ReportTables) -> Result<String, ReportError> {
    let f = &tables.post_facts;
    let newest = |column: &str| -> Result<Option<chrono::NaiveDate>, ReportError> {
        if !has_column(f, column) {
            return Ok(None);
        }
        let max = f
            .clone()
            .lazy()
            .select([col(column).max().dt().date().alias("day")])
            .collect()
            .map_err(|source| TableError::Column { table: "post_facts", column: column.into(), source })?;
        let day = max
            .column("day")
            .and_then(|c| c.date().map(|d| d.as_date_iter().next().flatten()))
            .map_err(|source| TableError::Column { table: "post_facts", column: column.into(), source })?;
        Ok(day)
    };
    let day = |d: chrono::NaiveDate| d.format("%Y年%-m月%-d日").to_string();
    Ok(match (newest("posted_at")?, newest("final_reply_at")?) {
        (Some(post), Some(reply)) => format!("数据截至{}（最新留言）、{}（最新答复）", day(post), day(reply)),
        (Some(post), None) => format!("数据截至{}（最新留言）", day(post)),
        // (tables written before post facts kept the times)
        (None, _) => "数据截至各表最新记录".to_string(),
    })
}

/// The rows of the overdue list whose post is of `year`: the report speaks of the year's posts
/// (the list itself holds every year's, as of the data's latest date).
fn overdue_rows_of(tables: &ReportTables, year: i32) -> Result<Vec<usize>, ReportError> {
    let o = &tables.overdue;
    if o.height() == 0 {
        return Ok(Vec::new());
    }
    let years = o
        .clone()
        .lazy()
        .select([col("posted_at").dt().year().cast(DataType::Int32).alias("year")])
        .collect()
        .map_err(|source| TableError::Column { table: "overdue", column: "posted_at".into(), source })?;
    let years = years.column("year").and_then(|c| c.i32().cloned()).map_err(|source| TableError::Column {
        table: "overdue",
        column: "posted_at".into(),
        source,
    })?;
    Ok(years.iter().enumerate().filter(|(_, y)| *y == Some(year)).map(|(i, _)| i).collect())
}

fn overdue_section(html: &mut String, tables: &ReportTables, year: i32) -> Result<(), ReportError> {
    let o = &tables.overdue;
    let rows = overdue_rows_of(tables, year)?;
    let _ = write!(
        html,
        "<section><h2>六、超时警告</h2><p>{year}年的留言中，截至数据最新日期超过办理时限仍未答复的共 <strong>{}</strong> 件",
        rows.len()
    );
    if rows.is_empty() {
        html.push_str("。</p></section>");
        return Ok(());
    }
    let (ids, units, kinds, subjects) = (
        strs(o, "overdue", "post_id")?,
        strs(o, "overdue", "unit")?,
        strs(o, "overdue", "kind")?,
        strs(o, "overdue", "subject")?,
    );
    let late = f64s(o, "overdue", "overdue_workdays")?;
    let mut order = rows.clone();
    order.sort_by(|a, b| late[*b].unwrap_or(0.0).total_cmp(&late[*a].unwrap_or(0.0)));
    let mut per_unit: HashMap<&str, usize> = HashMap::new();
    for unit in rows.iter().filter_map(|&i| units[i].as_deref()) {
        *per_unit.entry(unit).or_default() += 1;
    }
    let mut per_unit: Vec<(&str, usize)> = per_unit.into_iter().collect();
    per_unit.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let worst: Vec<String> = per_unit.iter().take(5).map(|(u, n)| format!("{}（{n} 件）", escape(u))).collect();
    let _ = write!(html, "，较多的单位：{}。超时最久的 {} 件：</p>", worst.join("、"), order.len().min(OVERDUE_LISTED));
    html.push_str("<table><thead><tr><th>留言编号</th><th>承办单位</th><th>类型</th><th>主题</th><th>超时（工作日）</th></tr></thead><tbody>");
    for i in order.into_iter().take(OVERDUE_LISTED) {
        let cell = |v: &Vec<Option<String>>| escape(v[i].as_deref().unwrap_or(""));
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cell(&ids),
            cell(&units),
            cell(&kinds),
            escape(&mask_text(subjects[i].as_deref().unwrap_or(""))),
            late[i].map(|d| format!("{d:.0}")).unwrap_or_default()
        );
    }
    html.push_str("</tbody></table></section>");
    Ok(())
}

/// Writes the report to `out` (under a temporary name, then renamed).
pub fn write_report(tables: &ReportTables, year: Option<i32>, out: &Path) -> Result<(), ReportError> {
    let html = render_html(tables, year)?;
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let temp = out.with_file_name(format!(".{name}.tmp"));
    let error = |source| ReportError::Write { path: out.into(), source };
    std::fs::write(&temp, html).map_err(error)?;
    std::fs::rename(&temp, out).map_err(error)
}

const CSS: &str = r#"
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif; color: #333; max-width: 1080px; margin: 24px auto; padding: 0 24px; line-height: 1.6; }
h1 { font-size: 28px; margin: 0 0 4px; } h2 { font-size: 21px; border-left: 5px solid #2f6db5; padding-left: 10px; margin-top: 36px; }
.muted { color: #888; font-size: 13px; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; }
.stat { flex: 1 1 140px; border: 1px solid #e4e4e4; border-radius: 6px; padding: 10px 14px; }
.stat .value { font-size: 26px; font-weight: bold; color: #2f6db5; } .stat .label { font-size: 13px; color: #666; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 6px; text-align: right; white-space: nowrap; }
th { background: #f3f6fa; text-align: center; } td.unit, td:nth-child(2) { text-align: left; white-space: normal; }
td.score { font-weight: bold; } tr.unranked td { color: #999; }
.up { color: #2e9e6b; } .down { color: #d04a3f; }
figure.chart { margin: 16px 0; } figure.chart svg { max-width: 100%; height: auto; }
svg.spark { vertical-align: middle; }
footer { margin-top: 40px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; } figure.chart, .stats, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::{check_xml, fixture};

    #[test]
    fn the_report_holds_the_ranking_the_charts_and_the_warnings() {
        let html = render_html(&fixture(), Some(2019)).unwrap();
        for expected in [
            "2019年网络问政办理情况年度报告",
            "<td class=\"unit\">A市住房和城乡建设局</td><td class=\"score\">86.5</td>",
            "▲ 6.5",
            "<td>未排名</td><td class=\"unit\">K7县人民政府</td>",
            "A市A5区洋湖街道办事处 月度趋势",
            "洋湖街道某小区夜间施工噪音扰民问题反复出现",
            "共 <strong>2</strong> 件",
            "@media print",
        ] {
            assert!(html.contains(expected), "no {expected:?}");
        }
        assert_eq!(
            html.matches("<figure class=\"chart\"><svg").count(),
            5 + 1,
            "five charts and the trend of the last of three ranked units (the lower half), inline"
        );
        assert!(
            html.contains("<th>响应</th><th>时效</th><th>质量</th><th>解决</th><th>留言</th>"),
            "components present, satisfaction absent"
        );
        assert!(html.contains("&lt;script&gt;局") && !html.contains("<script>"), "unit names are escaped");
        assert!(html.contains("违建&lt;未处理&gt;"), "subjects are escaped");
        // the year's overdue posts and the year's repeats, not every year's
        assert!(
            html.contains("<span class=\"down\">2</span> 件") && !html.contains("去年的路灯"),
            "2018's overdue post"
        );
        assert!(html.contains("<td>A市A5区</td><td>10</td><td>3</td>"), "the 2019 posts of c1 and their repeats");
        check_xml(html.trim_start_matches("<!DOCTYPE html>\n")).unwrap();
    }

    #[test]
    fn the_report_says_what_a_score_is_made_of() {
        let mut tables = fixture();
        let explained = r#"{"components": [
            {"name": "response", "value": 0.9, "weight": 0.1667}, {"name": "timeliness", "value": 0.6, "weight": 0.25},
            {"name": "quality", "value": 0.9, "weight": 0.3333}, {"name": "resolution", "value": 1.0, "weight": 0.25},
            {"name": "satisfaction", "value": null, "weight": 0.0}],
            "prior_posts": 20.0, "min_posts": 10, "ranking": "not ranked: 4 posts, fewer than the minimum 10"}"#;
        let n = tables.annual.height();
        let column = polars::prelude::Column::new("components_json".into(), vec![explained; n]);
        tables.annual.with_column(column).unwrap();
        let html = render_html(&tables, Some(2019)).unwrap();
        for expected in
            ["质量（答复不推诿、不敷衍）33.3%", "满意分项不计", "按 20 条留言的分量向全市比率收缩", "不足 10 条"]
        {
            assert!(html.contains(expected), "no {expected:?}");
        }
        // (without the explanations, no paragraph of empty weights)
        assert!(!render_html(&fixture(), Some(2019)).unwrap().contains("评分方法"));
    }

    #[test]
    fn the_latest_year_is_the_default_and_a_year_without_posts_is_an_error() {
        let html = render_html(&fixture(), None).unwrap();
        assert!(html.contains("<h1>2019年网络问政办理情况年度报告</h1>"));
        let error = render_html(&fixture(), Some(2030)).unwrap_err().to_string();
        assert_eq!(
            error,
            "--year 2030: no post of the folder is of that year (years held: 2018 to 2019); leave --year out for \
             the latest ranked year"
        );
    }

    #[test]
    fn the_report_says_what_day_its_data_runs_to() {
        let mut tables = fixture();
        // the newest post of 2020-01-26 evening, its reply the next day
        let at =
            |day: &str| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().and_hms_opt(19, 47, 0).unwrap();
        let times = |last: &str| {
            let mut times = vec![Some(at("2019-06-01")); tables.post_facts.height()];
            times[3] = Some(at(last));
            times[4] = None;
            times
        };
        let (posted, replied) = (times("2020-01-26"), times("2020-01-27"));
        let facts = &mut tables.post_facts;
        facts.with_column(polars::prelude::Column::new("posted_at".into(), posted)).unwrap();
        facts.with_column(polars::prelude::Column::new("final_reply_at".into(), replied)).unwrap();
        let html = render_html(&tables, Some(2019)).unwrap();
        assert!(html.contains("数据截至2020年1月26日（最新留言）、2020年1月27日（最新答复）"), "{html}");
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
