//! The annual evaluation (年度考核) of each unit: a score out of 100 and a rank per year →
//! `reports/annual.parquet`. The scheme follows Beijing's 接诉即办 evaluation (response 10%,
//! resolution 50%, satisfaction 40%), adapted to what this data records:
//!
//! | component | measures | rates (shrunk, see below) | default weight |
//! |---|---|---|---|
//! | `response` | accepted in time, answered at all | mean of 1 − acceptance_breach_rate and response_rate | 0.10 |
//! | `timeliness` | answered by the deadline | on_time_rate | 0.15 |
//! | `quality` | a real answer, not a dodge | 1 − mean of evasive_rate and vague_rate | 0.20 |
//! | `resolution` | the problem did not come back | 1 − repeat_rate | 0.15 |
//! | `satisfaction` | the citizen's own rating | none in this data | 0.40 |
//!
//! Beijing's resolution half is split over timeliness, quality and resolution: a problem is
//! solved when it is answered on time, substantively, and does not come back. The data has no
//! satisfaction rating (点赞 / 反对 are other citizens' support for the post, not the poster's
//! verdict on the reply), so that weight is dropped and the others renormalised to sum to 1;
//! `components_json` says so for every score.
//!
//! Small units: each rate is shrunk toward the city's rate of the year (the posts of named units;
//! empirical Bayes with a
//! beta prior worth `prior_posts` posts: (count + k·city) / (denominator + k)), so that a unit
//! with three perfect posts does not top the ranking; and units with fewer than `min_posts`
//! posts in the year are scored but not ranked. [`UNKNOWN_UNIT`] is never ranked, nor is a unit
//! known only by its region and kind ("K7县某局", `models::units::is_identified`).

use std::collections::HashMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::facts::UNKNOWN_UNIT;
use crate::tables::has_column;

/// The `[annual]` section of the config file.
///
/// ```toml
/// [annual]
/// prior_posts = 20     # strength of the pull toward the city rate, in posts
/// min_posts = 10       # fewer posts in the year: scored, not ranked
/// [annual.weights]     # renormalised over the components the data has
/// response = 0.10
/// timeliness = 0.15
/// quality = 0.20
/// resolution = 0.15
/// satisfaction = 0.40
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnualConfig {
    pub weights: AnnualWeights,
    /// Each rate is pulled toward the city's rate as if the unit had this many more posts at it.
    pub prior_posts: f64,
    /// Units with fewer posts in the year are listed with their score but not ranked.
    pub min_posts: u32,
}

impl AnnualConfig {
    /// Weights and the prior are amounts: a negative one is a mistake to name, not a zero.
    pub fn check(&self) -> Result<(), String> {
        let w = &self.weights;
        let weights = [
            ("response", w.response),
            ("timeliness", w.timeliness),
            ("quality", w.quality),
            ("resolution", w.resolution),
            ("satisfaction", w.satisfaction),
        ];
        for (name, value) in weights {
            if !(value >= 0.0 && value.is_finite()) {
                return Err(format!("[annual.weights] {name} = {value}: a weight is a number of 0 or more"));
            }
        }
        if weights.iter().all(|(_, value)| *value == 0.0) {
            return Err("[annual.weights]: every weight is 0, so no unit could be scored; give at least one \
                        component a weight above 0 (the defaults: response 0.10, timeliness 0.15, quality 0.20, \
                        resolution 0.15, satisfaction 0.40)"
                .to_string());
        }
        // (the data has no satisfaction rating: its weight alone scores nobody)
        if weights.iter().all(|(name, value)| *value == 0.0 || *name == "satisfaction") {
            return Err("[annual.weights]: only satisfaction has a weight above 0, and the data has no satisfaction \
                        rating (点赞 / 反对 are other citizens' support, not the poster's verdict), so no unit could \
                        be scored; give response, timeliness, quality or resolution a weight above 0"
                .to_string());
        }
        if !(self.prior_posts >= 0.0 && self.prior_posts.is_finite()) {
            return Err(format!("[annual] prior_posts = {}: a number of posts, 0 or more", self.prior_posts));
        }
        Ok(())
    }
}

impl Default for AnnualConfig {
    fn default() -> Self {
        AnnualConfig { weights: AnnualWeights::default(), prior_posts: 20.0, min_posts: 10 }
    }
}

/// The weight of each component; any non-negative numbers (they are renormalised).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnualWeights {
    pub response: f64,
    pub timeliness: f64,
    pub quality: f64,
    pub resolution: f64,
    pub satisfaction: f64,
}

impl Default for AnnualWeights {
    fn default() -> Self {
        AnnualWeights { response: 0.10, timeliness: 0.15, quality: 0.20, resolution: 0.15, satisfaction: 0.40 }
    }
}

/// Why the satisfaction component is missing.
const NO_SATISFACTION: &str =
    "the data has no satisfaction rating (likes and dislikes are support for the post, not the poster's verdict on the reply)";

/// The counts a year's score is made of, for a unit or the city.
#[derive(Debug, Clone, Default)]
struct Counts {
    posts: u64,
    replied: u64,
    /// posts with any reply, an acceptance only included: what the reply quality is judged on
    answered: u64,
    on_time: u64,
    decided: u64,
    breaches: u64,
    evasive: u64,
    vague: u64,
    repeats: u64,
}

impl Counts {
    /// Each rate of the scheme: name, count, denominator, whether a higher rate is better.
    fn rates(&self) -> [(&'static str, &'static str, u64, u64, bool); 6] {
        [
            ("response", "response_rate", self.replied, self.posts, true),
            ("response", "acceptance_breach_rate", self.breaches, self.posts, false),
            ("timeliness", "on_time_rate", self.on_time, self.decided, true),
            ("quality", "evasive_rate", self.evasive, self.answered, false),
            ("quality", "vague_rate", self.vague, self.answered, false),
            ("resolution", "repeat_rate", self.repeats, self.posts, false),
        ]
    }
}

fn ratio(count: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| count as f64 / of as f64)
}

/// The annual score and rank of every unit in every year of `facts` (post_facts).
pub fn annual(facts: &DataFrame, config: &AnnualConfig) -> PolarsResult<DataFrame> {
    // Posts of an export without replies say nothing of how a unit answered (see `facts`).
    let facts = &crate::facts::answering_known(facts).collect()?;
    let sum = |name: &str| col(name).cast(DataType::Int64).sum().alias(name);
    // (facts written before `answered` existed: every reply completed its case)
    let answered = if has_column(facts, "answered") { sum("answered") } else { sum("replied").alias("answered") };
    let aggregates = [
        len().cast(DataType::Int64).alias("posts"),
        sum("replied"),
        answered,
        sum("on_time"),
        sum("overdue"),
        sum("acceptance_breach"),
        sum("evasive"),
        sum("vague"),
        sum("repeat_after_reply"),
    ];
    let units = facts
        .clone()
        .lazy()
        .group_by([col("unit"), col("year")])
        .agg([vec![col("unit_type").first()], aggregates.to_vec()].concat())
        .sort(["year", "unit"], SortMultipleOptions::default())
        .collect()?;
    // The city is the named units: posts no unit answered for (未知单位: a posts-only export, or
    // no unit given) are not a rate any unit could have met, and thousands of them would pull
    // every unit's shrunk rates toward nothing.
    let city = facts
        .clone()
        .lazy()
        .filter(col("unit").neq(lit(UNKNOWN_UNIT)))
        .group_by([col("year")])
        .agg(aggregates)
        .collect()?;

    let city_counts: HashMap<i32, Counts> = (0..city.height())
        .map(|i| Ok((city.column("year")?.i32()?.get(i).unwrap_or_default(), counts_at(&city, i)?)))
        .collect::<PolarsResult<_>>()?;
    let names = units.column("unit")?.str()?;
    let types = units.column("unit_type")?.str()?;
    let years = units.column("year")?.i32()?;
    let mut rows: Vec<Row> = Vec::with_capacity(units.height());
    for i in 0..units.height() {
        let (unit, year) = (names.get(i).unwrap_or(UNKNOWN_UNIT), years.get(i).unwrap_or_default());
        let counts = counts_at(&units, i)?;
        let city = city_counts.get(&year).cloned().unwrap_or_default();
        let mut row = evaluate(unit, year, &counts, &city, config);
        row.unit_type = types.get(i).map(str::to_string);
        rows.push(row);
    }
    rank(&mut rows);
    table(&rows)
}

fn counts_at(frame: &DataFrame, i: usize) -> PolarsResult<Counts> {
    let get = |name: &str| -> PolarsResult<u64> { Ok(frame.column(name)?.i64()?.get(i).unwrap_or(0).max(0) as u64) };
    let (replied, overdue) = (get("replied")?, get("overdue")?);
    Ok(Counts {
        posts: get("posts")?,
        replied,
        answered: get("answered")?,
        on_time: get("on_time")?,
        decided: replied + overdue,
        breaches: get("acceptance_breach")?,
        evasive: get("evasive")?,
        vague: get("vague")?,
        repeats: get("repeat_after_reply")?,
    })
}

/// One unit's evaluation in one year.
#[derive(Debug)]
struct Row {
    unit: String,
    unit_type: Option<String>,
    year: i32,
    posts: u64,
    score: Option<f64>,
    raw_score: Option<f64>,
    /// Component values in [0, 1] by name (shrunk rates), `None` when the data has none.
    components: [(&'static str, Option<f64>); 5],
    ranked: bool,
    rank: Option<i32>,
    score_change: Option<f64>,
    explanation: serde_json::Value,
}

/// A rate before and after shrinkage toward the city's rate.
type RawAndShrunk = (Option<f64>, Option<f64>);

const COMPONENTS: [&str; 5] = ["response", "timeliness", "quality", "resolution", "satisfaction"];

fn evaluate(unit: &str, year: i32, counts: &Counts, city: &Counts, config: &AnnualConfig) -> Row {
    let k = config.prior_posts.max(0.0);
    let mut parts: HashMap<&str, Vec<RawAndShrunk>> = HashMap::new();
    let mut rate_notes = Vec::new();
    for ((component, name, count, of, higher_is_better), (_, _, city_count, city_of, _)) in
        counts.rates().into_iter().zip(city.rates())
    {
        let raw = ratio(count, of);
        let city_rate = ratio(city_count, city_of);
        // (a rate of no post is not the city's: shrunk, 0 of 0 would give a unit that answered
        // nothing the city's quality; it is dropped, as the raw rate is)
        let shrunk = match city_rate {
            Some(c) if k > 0.0 && of > 0 => Some((count as f64 + k * c) / (of as f64 + k)),
            _ => raw,
        };
        let good = |r: Option<f64>| r.map(|r| if higher_is_better { r } else { 1.0 - r });
        parts.entry(component).or_default().push((good(raw), good(shrunk)));
        rate_notes.push(json!({
            "component": component, "rate": name, "count": count, "of": of,
            "raw": round(raw), "city": round(city_rate), "shrunk": round(shrunk),
        }));
    }
    let mean = |values: Vec<f64>| (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
    let weights = &config.weights;
    let weight_of = |name: &str| {
        match name {
            "response" => weights.response,
            "timeliness" => weights.timeliness,
            "quality" => weights.quality,
            "resolution" => weights.resolution,
            _ => weights.satisfaction,
        }
        .max(0.0)
    };
    let value = |name: &str, pick: fn(&RawAndShrunk) -> Option<f64>| {
        parts.get(name).and_then(|p| mean(p.iter().filter_map(pick).collect()))
    };
    let shrunk_values = COMPONENTS.map(|name| (name, value(name, |p| p.1)));
    let raw_values = COMPONENTS.map(|name| (name, value(name, |p| p.0)));
    let weighted = |values: &[(&str, Option<f64>); 5]| {
        let total: f64 = values.iter().filter(|(_, v)| v.is_some()).map(|(n, _)| weight_of(n)).sum();
        (total > 0.0)
            .then(|| 100.0 * values.iter().filter_map(|(n, v)| v.map(|v| weight_of(n) * v)).sum::<f64>() / total)
    };
    let (score, raw_score) = (weighted(&shrunk_values), weighted(&raw_values));
    let total_weight: f64 = shrunk_values.iter().filter(|(_, v)| v.is_some()).map(|(n, _)| weight_of(n)).sum();
    let components: Vec<serde_json::Value> = shrunk_values
        .iter()
        .map(|(name, v)| match v {
            Some(v) => {
                let weight = weight_of(name) / total_weight;
                json!({"name": name, "value": round(Some(*v)), "weight": round(Some(weight)),
                       "points": round(Some(100.0 * weight * v))})
            }
            None if *name == "satisfaction" => json!({"name": name, "value": null, "weight": 0.0,
                "note": format!("{NO_SATISFACTION}: its weight {} is spread over the others", weights.satisfaction)}),
            None => json!({"name": name, "value": null, "weight": 0.0,
                "note": "no post to measure it on: its weight is spread over the others"}),
        })
        .collect();
    let identified = is_known_body(unit);
    let ranked = counts.posts >= u64::from(config.min_posts) && identified && score.is_some();
    let ranking_note = if unit == UNKNOWN_UNIT {
        "not ranked: the posts of no known unit".to_string()
    } else if !identified {
        "not ranked: unsigned replies of some body of this region (我局, 我镇…), which one is not known".to_string()
    } else if !ranked {
        format!("not ranked: {} posts, fewer than the minimum {}", counts.posts, config.min_posts)
    } else {
        "ranked".to_string()
    };
    let explanation = json!({
        "score": round(score), "raw_score": round(raw_score), "posts": counts.posts,
        "prior_posts": k, "min_posts": config.min_posts, "ranking": ranking_note,
        "formula": "score = 100 × Σ weight × component; each rate shrunk as (count + prior_posts × city rate) / (of + prior_posts)",
        "components": components, "rates": rate_notes,
    });
    Row {
        unit: unit.to_string(),
        unit_type: None,
        year,
        posts: counts.posts,
        score,
        raw_score,
        components: shrunk_values,
        ranked,
        rank: None,
        score_change: None,
        explanation,
    }
}

/// 4 decimals in the explanation: enough to redo the sums by hand.
fn round(x: Option<f64>) -> Option<f64> {
    x.map(|x| (x * 10_000.0).round() / 10_000.0)
}

/// Ranks the ranked units of each year (1 = best score; ties by more posts, then name) and
/// sets each unit's change of score since the year before.
fn rank(rows: &mut [Row]) {
    let mut by_year: HashMap<i32, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| r.ranked) {
        by_year.entry(row.year).or_default().push(i);
    }
    for indices in by_year.values_mut() {
        indices.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            b.score
                .unwrap_or(0.0)
                .total_cmp(&a.score.unwrap_or(0.0))
                .then(b.posts.cmp(&a.posts))
                .then(a.unit.cmp(&b.unit))
        });
        for (place, &i) in indices.iter().enumerate() {
            rows[i].rank = Some(place as i32 + 1);
        }
    }
    let scores: HashMap<(String, i32), f64> =
        rows.iter().filter_map(|r| r.score.map(|s| ((r.unit.clone(), r.year), s))).collect();
    for row in rows.iter_mut() {
        let before = scores.get(&(row.unit.clone(), row.year - 1));
        row.score_change = row.score.zip(before).map(|(now, before)| now - before);
    }
}

fn table(rows: &[Row]) -> PolarsResult<DataFrame> {
    let mut order: Vec<&Row> = rows.iter().collect();
    order.sort_by(|a, b| {
        a.year.cmp(&b.year).then(a.rank.unwrap_or(i32::MAX).cmp(&b.rank.unwrap_or(i32::MAX))).then(a.unit.cmp(&b.unit))
    });
    let f = |name: &str, get: &dyn Fn(&Row) -> Option<f64>| {
        Column::new(name.into(), order.iter().map(|r| get(r)).collect::<Vec<_>>())
    };
    let component = |i: usize| move |r: &Row| r.components[i].1.map(|v| 100.0 * v);
    let mut columns = vec![
        Column::new("unit".into(), order.iter().map(|r| r.unit.as_str()).collect::<Vec<_>>()),
        Column::new("unit_type".into(), order.iter().map(|r| r.unit_type.as_deref()).collect::<Vec<_>>()),
        Column::new("year".into(), order.iter().map(|r| r.year).collect::<Vec<_>>()),
        f("score", &|r| r.score),
        Column::new("rank".into(), order.iter().map(|r| r.rank).collect::<Vec<_>>()),
    ];
    for (i, name) in COMPONENTS.iter().enumerate() {
        columns.push(f(name, &component(i)));
    }
    columns.extend([
        Column::new("posts".into(), order.iter().map(|r| r.posts as i64).collect::<Vec<_>>()),
        f("raw_score", &|r| r.raw_score),
        Column::new(
            "shrunk".into(),
            order
                .iter()
                .map(|r| r.score.zip(r.raw_score).is_some_and(|(s, raw)| (s - raw).abs() >= 1.0))
                .collect::<Vec<_>>(),
        ),
        Column::new("ranked".into(), order.iter().map(|r| r.ranked).collect::<Vec<_>>()),
        f("score_change", &|r| r.score_change),
        Column::new("components_json".into(), order.iter().map(|r| r.explanation.to_string()).collect::<Vec<_>>()),
    ]);
    DataFrame::new(order.len(), columns)
}

/// Whether `unit` names one body that can be ranked: not 未知单位, not "K7县某局" (some bureau
/// of the region, which one unknown).
pub fn is_known_body(unit: &str) -> bool {
    unit != UNKNOWN_UNIT && models::units::is_identified(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Post facts for the annual tests: per (unit, year), `posts` rows of which the first
    /// `replied` are replied, the first `on_time` on time, and so on.
    /// Counts: posts, replied, on_time, overdue, acceptance breaches, evasive, vague, repeats.
    fn facts(groups: &[(&str, i32, [usize; 8])]) -> DataFrame {
        let mut columns: Vec<(&str, Vec<bool>)> =
            ["replied", "on_time", "overdue", "acceptance_breach", "evasive", "vague", "repeat_after_reply"]
                .map(|name| (name, Vec::new()))
                .to_vec();
        let (mut units, mut years) = (Vec::new(), Vec::new());
        for (unit, year, counts) in groups {
            for i in 0..counts[0] {
                units.push(*unit);
                years.push(*year);
                for (column, count) in columns.iter_mut().zip(&counts[1..]) {
                    // Overdue posts are the unreplied ones, after the replied.
                    let set = if column.0 == "overdue" { i >= counts[1] && i < counts[1] + count } else { i < *count };
                    column.1.push(set);
                }
            }
        }
        let types: Vec<&str> = units.iter().map(|u| crate::facts::unit_type(u)).collect();
        let mut frame = vec![
            Column::new("unit".into(), &units),
            Column::new("unit_type".into(), types),
            Column::new("year".into(), years),
        ];
        frame.extend(columns.into_iter().map(|(name, values)| Column::new(name.into(), values)));
        DataFrame::new(units.len(), frame).expect("facts")
    }

    /// Two good units, one with 4 perfect posts, the posts of no known unit, and one prior year.
    fn sample() -> DataFrame {
        facts(&[
            ("A市教育局", 2018, [10, 10, 10, 0, 0, 0, 0, 0]),
            ("A市教育局", 2019, [20, 20, 20, 0, 0, 2, 0, 0]),
            ("A市城管局", 2019, [20, 10, 10, 10, 10, 0, 0, 2]),
            ("A市公安局", 2019, [4, 4, 4, 0, 0, 0, 0, 0]),
            ("未知单位", 2019, [2, 0, 0, 2, 2, 0, 0, 0]),
        ])
    }

    /// One line per unit and year: score, rank, the components (0–100), ranked, shrunk, change.
    fn check(config: &AnnualConfig, expected: &str) {
        let table = annual(&sample(), config).expect("annual");
        let columns = [
            "unit",
            "year",
            "score",
            "rank",
            "response",
            "timeliness",
            "quality",
            "resolution",
            "satisfaction",
            "ranked",
            "shrunk",
            "score_change",
        ];
        crate::facts::tests::assert_rows(&table, &columns, Some(2), expected);
    }

    #[test]
    fn without_shrinkage_the_score_is_the_weighted_rates() {
        // No satisfaction data: weights 0.10, 0.15, 0.20, 0.15 over their sum 0.60.
        // 教育局 2019: response (1 + 1)/2, on time 1, quality 1 − (2/20 + 0)/2 = 0.95, no repeat:
        //   100 × (0.10 + 0.15 + 0.20 × 0.95 + 0.15) / 0.60 = 98.33; 100 in 2018: change −1.67.
        // 城管局: response (0.5 + 0.5)/2, on time 10/(10 + 10 overdue), quality 1, 1 − 2/20:
        //   100 × (0.05 + 0.075 + 0.20 + 0.135) / 0.60 = 76.67.
        // 公安局 would top the year with 4 perfect posts: below the minimum of 10, not ranked.
        // 未知单位: no reply, so no quality: 100 × (0 + 0 + 0.15 × 1) / 0.40 = 37.50, not ranked.
        let config = AnnualConfig { prior_posts: 0.0, ..AnnualConfig::default() };
        check(
            &config,
            "
            A市教育局 2018 100.00 1 100.00 100.00 100.00 100.00 - true false -
            A市教育局 2019 98.33 1 100.00 100.00 95.00 100.00 - true false -1.67
            A市城管局 2019 76.67 2 50.00 50.00 100.00 90.00 - true false -
            A市公安局 2019 100.00 - 100.00 100.00 100.00 100.00 - false false -
            未知单位 2019 37.50 - 0.00 0.00 - 100.00 - false false -
            ",
        );
    }

    #[test]
    fn small_units_are_pulled_toward_the_city() {
        // k = 20; the city in 2019 is the named units (未知单位's 2 posts left out): 44 posts,
        // 34 replied, 34 on time of 44 decided, 10 breaches, 2 evasive and 0 vague of 34
        // replied, 2 repeats. 公安局's response rate becomes (4 + 20 × 34/44) / (4 + 20) =
        // 0.8106, and so on: 100 → 90.34, below 教育局. 未知单位 has no reply to judge: no
        // quality, as without shrinkage (the city's would give it 97 for answering nothing),
        // 100 × (0.10 × 0.7025 + 0.15 × 0.7025 + 0.15 × 0.9587) / 0.40 = 79.86.
        check(
            &AnnualConfig::default(),
            "
            A市教育局 2018 100.00 1 100.00 100.00 100.00 100.00 - true false -
            A市教育局 2019 93.37 1 88.64 88.64 96.03 97.73 - true true -6.63
            A市城管局 2019 82.38 2 63.64 63.64 98.04 92.73 - true true -
            A市公安局 2019 90.34 - 81.06 81.06 97.55 96.21 - false true -
            未知单位 2019 79.86 - 70.25 70.25 - 95.87 - false true -
            ",
        );
    }

    #[test]
    fn components_json_shows_the_sums() {
        let table = annual(&sample(), &AnnualConfig::default()).expect("annual");
        let json: serde_json::Value =
            serde_json::from_str(table.column("components_json").unwrap().str().unwrap().get(3).unwrap()).unwrap();
        assert_eq!(json["ranking"], "not ranked: 4 posts, fewer than the minimum 10");
        let components = json["components"].as_array().unwrap();
        let points: f64 = components.iter().filter_map(|c| c["points"].as_f64()).sum();
        assert!((points - 90.34).abs() < 0.01, "{json}");
        assert_eq!(components[0]["weight"], 0.1667);
        assert!(components[4]["note"].as_str().unwrap().starts_with("the data has no satisfaction rating"));
        let response_rate = &json["rates"][0];
        assert_eq!(
            (response_rate["count"].as_u64(), response_rate["of"].as_u64(), response_rate["shrunk"].as_f64()),
            (Some(4), Some(4), Some(0.8106))
        );
    }

    #[test]
    fn a_unit_known_only_by_region_and_kind_is_scored_not_ranked() {
        // "A市某局": unsigned replies saying "我局" under A市's posts; which bureau is unknown.
        let table = annual(
            &facts(&[("A市教育局", 2019, [20, 20, 20, 0, 0, 2, 0, 0]), ("A市某局", 2019, [30, 30, 30, 0, 0, 0, 0, 0])]),
            &AnnualConfig { prior_posts: 0.0, ..AnnualConfig::default() },
        )
        .expect("annual");
        crate::facts::tests::assert_rows(
            &table,
            &["unit", "score", "rank", "ranked"],
            Some(2),
            "
            A市教育局 98.33 1 true
            A市某局 100.00 - false
            ",
        );
        let json: serde_json::Value =
            serde_json::from_str(table.column("components_json").unwrap().str().unwrap().get(1).unwrap()).unwrap();
        assert!(json["ranking"].as_str().unwrap().starts_with("not ranked: unsigned replies"), "{json}");
    }

    #[test]
    fn a_weight_on_satisfaction_alone_is_refused_as_the_data_has_no_rating() {
        let weights =
            AnnualWeights { response: 0.0, timeliness: 0.0, quality: 0.0, resolution: 0.0, satisfaction: 0.4 };
        let error = AnnualConfig { weights, ..AnnualConfig::default() }.check().unwrap_err();
        assert!(error.contains("only satisfaction has a weight"), "{error}");
    }

    #[test]
    fn the_config_section_names_its_mistakes() {
        let config: AnnualConfig =
            serde_json::from_str(r#"{"min_posts": 3, "weights": {"satisfaction": 0.5}}"#).expect("a partial config");
        assert_eq!((config.min_posts, config.prior_posts, config.weights.quality), (3, 20.0, 0.20));
        let error = serde_json::from_str::<AnnualConfig>(r#"{"minimum_posts": 3}"#).unwrap_err().to_string();
        assert!(error.starts_with("unknown field `minimum_posts`"), "{error}");
    }
}
