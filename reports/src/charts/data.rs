//! The numbers each chart shows, taken from the report tables: plain structs, so the drawing
//! code knows nothing of polars and the selection (which year, which units) is tested alone.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::tables::{bools, f64s, has_column, i64s, strs, ReportTables, TableError};

/// Units are compared on their rates only when they had this many posts in the year and the
/// annual table says nothing about who is ranked.
pub const MIN_POSTS_FOR_RATES: f64 = 10.0;

/// The longest working-day wait the histogram shows apart; longer ones share the last bar.
pub const MAX_WORKDAYS: usize = 20;

/// The kinds due on the day they are received (SPEC §4); the others have 5 working days.
pub const SAME_DAY_KINDS: [&str; 3] = ["咨询", "建议", "求助"];

/// What a chart covers: one year, or everything the tables hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Period {
    pub year: Option<i32>,
    /// For titles: "2019年", or "2018年1月—2019年12月".
    pub label: String,
}

impl Period {
    pub fn new(year: Option<i32>, months: &[String]) -> Period {
        let label = match (year, months.first(), months.last()) {
            (Some(year), _, _) => format!("{year}年"),
            (None, Some(first), Some(last)) if first != last => format!("{}—{}", month_label(first), month_label(last)),
            (None, Some(only), _) => month_label(only),
            (None, None, _) => "全部".to_string(),
        };
        Period { year, label }
    }

    pub fn holds_month(&self, month: &str) -> bool {
        self.year.is_none_or(|year| month.starts_with(&format!("{year}-")))
    }
}

/// "2019-04" → "2019年4月".
pub fn month_label(month: &str) -> String {
    match month.split_once('-') {
        Some((year, m)) => format!("{year}年{}月", m.trim_start_matches('0')),
        None => month.to_string(),
    }
}

/// The months of the period with posts, in order ("2019-04").
pub fn months(tables: &ReportTables, year: Option<i32>) -> Result<Vec<String>, TableError> {
    let all: BTreeSet<String> = strs(&tables.post_facts, "post_facts", "month")?.into_iter().flatten().collect();
    let period = Period { year, label: String::new() };
    Ok(all.into_iter().filter(|m| period.holds_month(m)).collect())
}

/// Posts of `months` from exports without replies (`reply_known` false, see `facts`): in the
/// data, but not in the indicators, which cannot say how they were answered.
pub fn posts_without_replies(tables: &ReportTables, months: &[String]) -> Result<usize, TableError> {
    let f = &tables.post_facts;
    if !has_column(f, "reply_known") {
        return Ok(0);
    }
    let months: HashSet<&str> = months.iter().map(String::as_str).collect();
    let in_months = strs(f, "post_facts", "month")?;
    let known = bools(f, "post_facts", "reply_known")?;
    Ok(in_months
        .iter()
        .zip(known)
        .filter(|(month, known)| *known == Some(false) && month.as_deref().is_some_and(|m| months.contains(m)))
        .count())
}

#[derive(Clone, Debug, PartialEq)]
pub struct RankingRow {
    pub unit: String,
    pub score: f64,
    pub rank: Option<i32>,
    pub ranked: bool,
    pub posts: f64,
}

impl RankingRow {
    /// Not ranked because the unit names no known body (未知单位, "K7县某局"), however many its
    /// posts: not for too few posts.
    pub fn of_no_known_unit(&self) -> bool {
        !self.ranked && !crate::annual::is_known_body(&self.unit)
    }
}

/// "参与排名 2 个单位，未排名 110 个（单位不明 3 个，因留言少未排名 107 个）": who is ranked, and why
/// the others are not (a unit of no known body is never ranked, however many its posts).
pub fn ranking_counts(rows: &[RankingRow]) -> String {
    let ranked = rows.iter().filter(|r| r.ranked).count();
    let unknown = rows.iter().filter(|r| r.of_no_known_unit()).count();
    let few = rows.len() - ranked - unknown;
    // ("留言数不足 107 个" read as a threshold of 107 posts)
    let reasons: Vec<String> = [(unknown, "单位不明"), (few, "因留言少未排名")]
        .into_iter()
        .filter(|&(n, _)| n > 0)
        .map(|(n, why)| format!("{why} {n} 个"))
        .collect();
    if reasons.is_empty() {
        format!("参与排名 {ranked} 个单位")
    } else {
        format!("参与排名 {ranked} 个单位，未排名 {} 个（{}）", rows.len() - ranked, reasons.join("，"))
    }
}

/// "单位不明的留言 812 条，占全年 55.6%，不计入任何单位的排名": the posts of units that name no known
/// body, which a ranking of units says nothing about; `None` when there are none.
pub fn unknown_unit_posts(rows: &[RankingRow]) -> Option<String> {
    let total: f64 = rows.iter().map(|r| r.posts).sum();
    let unknown: f64 = rows.iter().filter(|r| r.of_no_known_unit()).map(|r| r.posts).sum();
    (unknown > 0.0 && total > 0.0).then(|| {
        format!("单位不明的留言 {unknown:.0} 条，占全年 {:.1}%，不计入任何单位的排名", 100.0 * unknown / total)
    })
}

/// The annual scores of a year, ranked units first by rank, then the unranked by score.
pub fn ranking(tables: &ReportTables, year: i32) -> Result<Vec<RankingRow>, TableError> {
    let a = &tables.annual;
    let (units, years, scores, ranks) = (
        strs(a, "annual", "unit")?,
        i64s(a, "annual", "year")?,
        f64s(a, "annual", "score")?,
        i64s(a, "annual", "rank")?,
    );
    let ranked = if has_column(a, "ranked") {
        bools(a, "annual", "ranked")?
    } else {
        ranks.iter().map(|r| Some(r.is_some())).collect()
    };
    let posts = if has_column(a, "posts") { f64s(a, "annual", "posts")? } else { vec![None; a.height()] };
    let mut rows: Vec<RankingRow> = (0..a.height())
        .filter(|&i| years[i] == Some(year as i64))
        .filter_map(|i| {
            Some(RankingRow {
                unit: units[i].clone()?,
                score: scores[i]?,
                rank: ranks[i].map(|r| r as i32),
                ranked: ranked[i].unwrap_or(false),
                posts: posts[i].unwrap_or(0.0),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.ranked
            .cmp(&a.ranked)
            .then(a.rank.unwrap_or(i32::MAX).cmp(&b.rank.unwrap_or(i32::MAX)))
            .then(b.score.total_cmp(&a.score))
            .then(a.unit.cmp(&b.unit))
    });
    Ok(rows)
}

/// One month of an indicator series; rates in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct MonthPoint {
    pub month: String,
    pub posts: f64,
    pub on_time_rate: Option<f64>,
    pub evasive_rate: Option<f64>,
}

/// The monthly indicators of one scope and key ("city"/"全市", "unit"/a unit name) over the
/// months of the period; a month without a row has no posts.
pub fn monthly(
    tables: &ReportTables,
    scope: &str,
    key: &str,
    months: &[String],
) -> Result<Vec<MonthPoint>, TableError> {
    let t = &tables.indicators;
    let (scopes, keys, types, periods) = (
        strs(t, "indicators", "scope")?,
        strs(t, "indicators", "key")?,
        strs(t, "indicators", "period_type")?,
        strs(t, "indicators", "period")?,
    );
    let (posts, on_time, evasive) = (
        f64s(t, "indicators", "posts")?,
        f64s(t, "indicators", "on_time_rate")?,
        f64s(t, "indicators", "evasive_rate")?,
    );
    let mut by_month: HashMap<&str, MonthPoint> = HashMap::new();
    for i in 0..t.height() {
        if scopes[i].as_deref() == Some(scope)
            && keys[i].as_deref() == Some(key)
            && types[i].as_deref() == Some("month")
        {
            if let Some(month) = periods[i].as_deref() {
                let point = MonthPoint {
                    month: month.to_string(),
                    posts: posts[i].unwrap_or(0.0),
                    on_time_rate: on_time[i],
                    evasive_rate: evasive[i],
                };
                by_month.insert(month, point);
            }
        }
    }
    Ok(months
        .iter()
        .map(|m| {
            by_month.remove(m.as_str()).unwrap_or(MonthPoint {
                month: m.clone(),
                posts: 0.0,
                on_time_rate: None,
                evasive_rate: None,
            })
        })
        .collect())
}

/// Working days to the final reply, counted per whole day, for the two deadline classes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkdayCounts {
    /// \[days\] → posts due the same day (咨询 / 建议 / 求助); the last bucket holds every longer wait.
    pub same_day: Vec<u32>,
    /// The same for 投诉 / 举报 / 其他 (5 working days).
    pub five_days: Vec<u32>,
}

pub fn workdays(tables: &ReportTables, year: Option<i32>) -> Result<WorkdayCounts, TableError> {
    let f = &tables.post_facts;
    let (days, kinds, years) =
        (f64s(f, "post_facts", "workdays_to_reply")?, strs(f, "post_facts", "kind")?, i64s(f, "post_facts", "year")?);
    let mut counts = WorkdayCounts { same_day: vec![0; MAX_WORKDAYS + 1], five_days: vec![0; MAX_WORKDAYS + 1] };
    for i in 0..f.height() {
        let Some(d) = days[i].filter(|d| d.is_finite() && *d >= 0.0) else { continue };
        if year.is_some_and(|y| years[i] != Some(y as i64)) {
            continue;
        }
        let bucket = (d.floor() as usize).min(MAX_WORKDAYS);
        let same_day = kinds[i].as_deref().is_some_and(|k| SAME_DAY_KINDS.contains(&k));
        let class = if same_day { &mut counts.same_day } else { &mut counts.five_days };
        class[bucket] += 1;
    }
    Ok(counts)
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnitRates {
    pub unit: String,
    pub posts: f64,
    pub evasive_rate: f64,
    pub vague_rate: f64,
}

/// The evasive and vague rates of the year for every ranked unit, worst first, and whether they
/// are the ranked units: in a year that ranks none, those of the units of a known body with
/// [`MIN_POSTS_FOR_RATES`] posts.
pub fn unit_rates(tables: &ReportTables, year: i32) -> Result<(Vec<UnitRates>, bool), TableError> {
    let t = &tables.indicators;
    let (scopes, keys, types, periods) = (
        strs(t, "indicators", "scope")?,
        strs(t, "indicators", "key")?,
        strs(t, "indicators", "period_type")?,
        strs(t, "indicators", "period")?,
    );
    let (posts, evasive, vague) =
        (f64s(t, "indicators", "posts")?, f64s(t, "indicators", "evasive_rate")?, f64s(t, "indicators", "vague_rate")?);
    let ranked: HashSet<String> = ranking(tables, year)?.into_iter().filter(|r| r.ranked).map(|r| r.unit).collect();
    let year = year.to_string();
    let mut rows: Vec<UnitRates> = (0..t.height())
        .filter(|&i| {
            scopes[i].as_deref() == Some("unit")
                && types[i].as_deref() == Some("year")
                && periods[i].as_deref() == Some(year.as_str())
        })
        .filter_map(|i| {
            let unit = keys[i].clone()?;
            let enough = if ranked.is_empty() {
                posts[i].unwrap_or(0.0) >= MIN_POSTS_FOR_RATES && crate::annual::is_known_body(&unit)
            } else {
                ranked.contains(&unit)
            };
            enough.then(|| UnitRates {
                unit,
                posts: posts[i].unwrap_or(0.0),
                evasive_rate: evasive[i].unwrap_or(0.0),
                vague_rate: vague[i].unwrap_or(0.0),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.evasive_rate + b.vague_rate).total_cmp(&(a.evasive_rate + a.vague_rate)).then(a.unit.cmp(&b.unit))
    });
    Ok((rows, !ranked.is_empty()))
}

/// One recurring issue on the timeline: its posts per month of the period.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueTimeline {
    pub title: String,
    pub heat: f64,
    /// Posts per month index (into the period's months); empty when the post facts have no
    /// `cluster_id` (then `span` is all there is).
    pub by_month: BTreeMap<usize, u32>,
    /// The first and last month index of the issue within the period.
    pub span: (usize, usize),
    pub posts: u32,
    /// Of those posts, how many came back after an earlier post of the issue was answered;
    /// `None` when the post facts have no members (then only the issue's whole count is known).
    pub repeats: Option<u32>,
}

/// The `top` hottest issues with posts in the period, hottest first.
pub fn hot_issues(tables: &ReportTables, months: &[String], top: usize) -> Result<Vec<IssueTimeline>, TableError> {
    let Some(issues) = &tables.issues else { return Ok(Vec::new()) };
    let index: HashMap<&str, usize> = months.iter().enumerate().map(|(i, m)| (m.as_str(), i)).collect();
    let mut per_issue: HashMap<String, BTreeMap<usize, u32>> = HashMap::new();
    let mut repeats_in_period: HashMap<String, u32> = HashMap::new();
    let f = &tables.post_facts;
    let with_members = has_column(f, "cluster_id");
    if with_members {
        // (a reply by any unit: whether the problem came back, not whom it counts against)
        let repeats = if has_column(f, "repeat_in_issue") {
            bools(f, "post_facts", "repeat_in_issue")?
        } else if has_column(f, "repeat_after_reply") {
            bools(f, "post_facts", "repeat_after_reply")?
        } else {
            vec![None; f.height()]
        };
        let rows = strs(f, "post_facts", "cluster_id")?.into_iter().zip(strs(f, "post_facts", "month")?).zip(repeats);
        for ((cluster, month), repeat) in rows {
            if let (Some(cluster), Some(&i)) = (cluster, month.as_deref().and_then(|m| index.get(m))) {
                if repeat == Some(true) {
                    *repeats_in_period.entry(cluster.clone()).or_default() += 1;
                }
                *per_issue.entry(cluster).or_default().entry(i).or_default() += 1;
            }
        }
    }
    let (ids, titles, heats) =
        (strs(issues, "issues", "cluster_id")?, strs(issues, "issues", "title")?, f64s(issues, "issues", "heat")?);
    let (firsts, lasts, posts) =
        (i64s(issues, "issues", "first_at")?, i64s(issues, "issues", "last_at")?, f64s(issues, "issues", "posts")?);
    let month_of = |ms: Option<i64>| {
        let at = chrono::DateTime::from_timestamp_millis(ms?)?.naive_utc();
        Some(at.format("%Y-%m").to_string())
    };
    let mut rows = Vec::new();
    for i in 0..issues.height() {
        let Some(id) = ids[i].as_deref() else { continue };
        let by_month = per_issue.remove(id).unwrap_or_default();
        if with_members && by_month.is_empty() {
            continue; // no post in the period
        }
        let span = if let (Some(first), Some(last)) = (by_month.keys().next(), by_month.keys().next_back()) {
            (*first, *last)
        } else {
            // Without the members, the issue's first and last post clipped to the period.
            let (Some(first), Some(last)) = (month_of(firsts[i]), month_of(lasts[i])) else { continue };
            let inside: Vec<usize> =
                months.iter().enumerate().filter(|(_, m)| **m >= first && **m <= last).map(|(i, _)| i).collect();
            match (inside.first(), inside.last()) {
                (Some(a), Some(b)) => (*a, *b),
                _ => continue,
            }
        };
        let total = if by_month.is_empty() { posts[i].unwrap_or(0.0) as u32 } else { by_month.values().sum() };
        rows.push(IssueTimeline {
            title: titles[i].clone().unwrap_or_default(),
            heat: heats[i].unwrap_or(0.0),
            repeats: with_members.then(|| repeats_in_period.get(id).copied().unwrap_or(0)),
            by_month,
            span,
            posts: total,
        });
    }
    rows.sort_by(|a, b| b.heat.total_cmp(&a.heat).then(b.posts.cmp(&a.posts)).then(a.title.cmp(&b.title)));
    rows.truncate(top);
    Ok(rows)
}
