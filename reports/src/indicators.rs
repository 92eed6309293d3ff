//! The indicators of SPEC §5, summed from `post_facts`: per unit, for the whole city (全市),
//! per post kind and per category, each by month and by year → `reports/indicators.parquet`;
//! and the overdue warning list (超时警告) → `reports/overdue.parquet`.
//!
//! Definitions (counts are posts; "replied" posts have a reply that completes the case,
//! "answered" posts have any reply — a receipt or a forwarding note accepts a case without
//! completing it, SPEC §4):
//! - `response_rate` = replied / posts.
//! - `on_time_rate` = on_time / (replied + overdue): only posts whose outcome is known count;
//!   a post still within its deadline with no reply yet is neither on time nor late.
//! - `median_workdays`, `p90_workdays`: of `workdays_to_reply` over replied posts (linear
//!   interpolation between ranks, as numpy's default).
//! - `evasive_rate`, `vague_rate`, `ack_only_rate`, `duplicate_reply_rate` = posts whose final
//!   (latest) reply is so / answered.
//! - `repeat_rate` = posts of a recurring issue posted after the same unit had replied to an
//!   earlier post of it / posts: the problem came back after the unit answered it.
//!
//! Posts of an export without replies (`reply_known` false, see `facts`) are left out: nothing
//! says how they were answered. Every rate is null when its denominator is 0. `sql/indicators.sql` computes the unit rows
//! (monthly and yearly) the same way in plain SQL; a test keeps the two in step.

use polars::prelude::*;

/// The key of the city-wide rows.
pub const CITY: &str = "全市";
/// The key of posts with no category.
pub const NO_CATEGORY: &str = "未分类";

/// The columns of `indicators.parquet`, in order.
pub const INDICATOR_COLUMNS: [&str; 28] = [
    "scope",
    "key",
    "period_type",
    "period",
    "unit",
    "unit_type",
    "year",
    "posts",
    "replied",
    "answered",
    "response_rate",
    "on_time",
    "on_time_rate",
    "overdue",
    "acceptance_breaches",
    "median_workdays",
    "p90_workdays",
    "evasive",
    "vague",
    "ack_only",
    "duplicate_replies",
    "repeats",
    "evasive_rate",
    "vague_rate",
    "ack_only_rate",
    "duplicate_reply_rate",
    "repeat_rate",
    "acceptance_breach_rate",
];

/// Every indicator for every scope (unit, city, kind, category) and period (month, year).
pub fn indicators(facts: &DataFrame) -> PolarsResult<DataFrame> {
    let facts = crate::facts::answering_known(facts).with_columns([
        col("year").cast(DataType::String).alias("period_year"),
        col("month").alias("period_month"),
        col("category").fill_null(lit(NO_CATEGORY)),
    ]);
    let mut frames = Vec::new();
    for (period_type, period) in [("month", "period_month"), ("year", "period_year")] {
        for (scope, key) in
            [("unit", Some("unit")), ("city", None), ("kind", Some("kind")), ("category", Some("category"))]
        {
            frames.push(scope_rows(facts.clone(), scope, key, period_type, period));
        }
    }
    let all = concat(frames, UnionArgs::default())?
        .with_columns(rates())
        .select(INDICATOR_COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .sort(["scope", "period_type", "period", "key"], SortMultipleOptions::default().with_maintain_order(true));
    all.collect()
}

/// The counts of one scope and period type; `key` is the column grouped on (none: the city).
fn scope_rows(facts: LazyFrame, scope: &str, key: Option<&str>, period_type: &str, period: &str) -> LazyFrame {
    let mut by = vec![col(period).alias("period")];
    if let Some(key) = key {
        by.push(col(key).alias("key"));
    }
    let unit_type = if scope == "unit" { col("unit_type").first() } else { lit(NULL).cast(DataType::String) };
    let grouped = facts.group_by(by).agg([
        unit_type.alias("unit_type"),
        col("year").first().alias("year"),
        len().cast(DataType::Int64).alias("posts"),
        count("replied"),
        count("answered"),
        count("on_time"),
        count("overdue"),
        count("acceptance_breach").alias("acceptance_breaches"),
        col("workdays_to_reply").median().alias("median_workdays"),
        col("workdays_to_reply").quantile(lit(0.9), QuantileMethod::Linear).alias("p90_workdays"),
        count("evasive"),
        count("vague"),
        count("ack_only"),
        count("duplicate_reply").alias("duplicate_replies"),
        count("repeat_after_reply").alias("repeats"),
    ]);
    let key = match key {
        Some(_) => col("key"),
        None => lit(CITY).alias("key"),
    };
    let unit = if matches!(scope, "unit" | "city") { key.clone() } else { lit(NULL).cast(DataType::String) };
    // The same columns in the same order for every scope, so that the frames stack.
    let counts = INDICATOR_COLUMNS.iter().filter(|c| !c.ends_with("_rate")).map(|c| col(*c)).collect::<Vec<_>>();
    grouped
        .with_columns([lit(scope).alias("scope"), key, unit.alias("unit"), lit(period_type).alias("period_type")])
        .select(counts)
}

fn count(name: &str) -> Expr {
    col(name).cast(DataType::Int64).sum().alias(name)
}

/// `numerator / denominator` as f64, null when the denominator is 0.
fn rate(numerator: Expr, denominator: Expr) -> Expr {
    when(denominator.clone().gt(lit(0)))
        .then(numerator.cast(DataType::Float64) / denominator.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

fn rates() -> Vec<Expr> {
    vec![
        rate(col("replied"), col("posts")).alias("response_rate"),
        rate(col("on_time"), col("replied") + col("overdue")).alias("on_time_rate"),
        rate(col("evasive"), col("answered")).alias("evasive_rate"),
        rate(col("vague"), col("answered")).alias("vague_rate"),
        rate(col("ack_only"), col("answered")).alias("ack_only_rate"),
        rate(col("duplicate_replies"), col("answered")).alias("duplicate_reply_rate"),
        rate(col("repeats"), col("posts")).alias("repeat_rate"),
        rate(col("acceptance_breaches"), col("posts")).alias("acceptance_breach_rate"),
    ]
}

/// The overdue warning list (超时警告): posts past their deadline with no final reply as of
/// the data's as-of moment, the latest first among the most overdue.
pub fn overdue(facts: &DataFrame) -> PolarsResult<DataFrame> {
    facts
        .clone()
        .lazy()
        .filter(col("overdue"))
        .select([
            col("post_id"),
            col("unit"),
            col("kind"),
            col("subject"),
            col("posted_at"),
            col("due_at"),
            col("overdue_workdays"),
        ])
        .sort(
            ["overdue_workdays", "posted_at"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]).with_maintain_order(true),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{post_facts, tests::assert_rows, tests::sample_inputs};
    use models::calendar::WorkCalendar;
    use models::deadline::DeadlineRules;

    fn sample() -> DataFrame {
        post_facts(&sample_inputs(), &DeadlineRules::default(), &WorkCalendar::default()).expect("facts")
    }

    /// The rows of `scope` and `period` with the columns named, one line each, against `expected`.
    fn check(table: &DataFrame, scope: &str, period: &str, columns: &[&str], expected: &str) {
        let rows = table
            .clone()
            .lazy()
            .filter(col("scope").eq(lit(scope)).and(col("period").eq(lit(period))))
            .collect()
            .expect("filter");
        let columns: Vec<&str> = std::iter::once("key").chain(columns.iter().copied()).collect();
        assert_rows(&rows, &columns, Some(3), expected);
    }

    #[test]
    fn yearly_counts_per_unit_and_city() {
        // See facts::tests: p1 on time the same (make-up) day, p2 on time over National Day
        // but accepted late, p3 two replies, p4 not due yet, p5 overdue, p6 accepted late.
        check(
            &indicators(&sample()).expect("indicators"),
            "unit",
            "2019",
            &[
                "unit_type",
                "posts",
                "replied",
                "response_rate",
                "on_time",
                "on_time_rate",
                "overdue",
                "acceptance_breaches",
            ],
            "
            A3区住建局 department 1 1 1.000 1 1.000 0 1
            A市住建局 department 1 1 1.000 1 1.000 0 0
            A市公安局 department 1 0 0.000 0 0.000 1 1
            A市教育局 department 1 1 1.000 1 1.000 0 0
            K4县 county 1 0 0.000 0 0.000 1 1
            未知单位 unknown 1 0 0.000 0 - 0 0
            ",
        );
        check(
            &indicators(&sample()).expect("indicators"),
            "city",
            "2019",
            &["unit", "posts", "replied", "response_rate", "on_time", "on_time_rate", "overdue", "acceptance_breaches"],
            "全市 全市 6 3 0.500 3 0.600 2 3",
        );
    }

    #[test]
    fn reply_quality_rates_are_over_replied_posts() {
        // Final replies: p1 substantive, p2 evasive, p3 vague and reused, p6 acknowledgement only.
        // p3 came after A3区住建局 had answered p2 of its issue, but p3 is A市住建局's: no repeat.
        check(
            &indicators(&sample()).expect("indicators"),
            "city",
            "2019",
            &["evasive_rate", "vague_rate", "ack_only_rate", "duplicate_reply_rate", "repeats", "repeat_rate"],
            "全市 0.250 0.250 0.250 0.250 0 0.000",
        );
    }

    #[test]
    fn workday_quantiles_interpolate() {
        // Replied posts took 0, 5 and 4 working days (p6's receipt completes nothing): median 4,
        // p90 between 4 and 5.
        check(
            &indicators(&sample()).expect("indicators"),
            "city",
            "2019",
            &["median_workdays", "p90_workdays"],
            "全市 4.000 4.800",
        );
    }

    #[test]
    fn months_kinds_and_categories_are_cut_the_same_way() {
        let table = indicators(&sample()).expect("indicators");
        check(&table, "city", "2019-09", &["period_type", "posts", "replied"], "全市 month 2 2");
        check(&table, "city", "2019-10", &["period_type", "posts", "replied", "answered"], "全市 month 4 1 2");
        check(
            &table,
            "kind",
            "2019",
            &["unit", "posts", "on_time", "overdue"],
            "
            举报 - 1 0 1
            咨询 - 1 1 0
            建议 - 1 0 0
            投诉 - 3 2 1
            ",
        );
        check(
            &table,
            "category",
            "2019",
            &["posts", "replied"],
            "
            交通 1 0
            城建 1 1
            教育 1 1
            未分类 3 1
            ",
        );
    }

    #[test]
    fn the_overdue_list_holds_the_unanswered_posts_past_due() {
        let list = overdue(&sample()).expect("overdue");
        let ids: Vec<Option<&str>> = list.column("post_id").expect("post_id").str().expect("str").iter().collect();
        // p6's only reply is a receipt: accepted, never completed
        assert_eq!(ids, [Some("p5"), Some("p6")]);
        assert_eq!(list.column("overdue_workdays").expect("days").i32().expect("i32").get(0), Some(5));
    }
}
