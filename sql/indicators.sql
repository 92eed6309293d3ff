-- The indicators of each unit (SPEC §5), by month and by year, in plain SQL over
-- reports/post_facts.parquet, for analysts who check the numbers with their own tools and for
-- engines other than wenzheng (DuckDB, Spark SQL, DataFusion: anything that reads Parquet). It
-- gives the same numbers as the rows of reports/indicators.parquet with scope = 'unit' (both
-- period types; the city, kind and category rows are the same sums grouped by another key);
-- tests/e2e/indicators_sql.rs keeps the two in step with DuckDB.
--
-- {post_facts} stands for the table of post facts; replace it with what the engine reads a
-- Parquet file as:
--   DuckDB (CLI):    sed "s|{post_facts}|read_parquet('DIR/reports/post_facts.parquet')|" sql/indicators.sql | duckdb
--   DuckDB (Python, `pip install duckdb`), one line:
--     python3 -c "import duckdb; print(duckdb.sql(open('sql/indicators.sql').read().replace('{post_facts}', \"read_parquet('DIR/reports/post_facts.parquet')\")))"
--   DataFusion (Python): ctx.register_parquet('post_facts', 'DIR/reports/post_facts.parquet'),
--                    then post_facts (checked with datafusion 55: every number equal but
--                    p90_workdays, within 0.0001: its PERCENTILE_CONT is approximate)
--   Spark SQL 3.3+:  parquet.`DIR/reports/post_facts.parquet` (not tested here)
-- (Trino has no PERCENTILE_CONT: its approx_percentile gives close, not equal, quantiles.)
--
-- Definitions: a rate is NULL when its denominator is 0. On-time counts only posts whose
-- outcome is known (replied, or overdue with no reply); the reply-quality rates are shares of
-- the answered posts (any reply: a receipt or a forwarding note answers a post, and accepts
-- it, but only another reply completes it and makes it replied); the repeat and acceptance
-- breach rates are shares of all posts. The working days are those of the replied posts,
-- quantiles interpolated linearly between ranks. Posts of an export without replies
-- (reply_known false) are left out: nothing says how they were answered.
WITH facts AS (
    SELECT * FROM {post_facts} WHERE reply_known
),
periods AS (
    SELECT 'month' AS period_type, month AS period, facts.* FROM facts
    UNION ALL
    SELECT 'year' AS period_type, CAST(year AS VARCHAR) AS period, facts.* FROM facts
)
SELECT
    unit,
    period_type,
    period,
    COUNT(*) AS posts,
    SUM(CASE WHEN replied THEN 1 ELSE 0 END) AS replied,
    SUM(CASE WHEN answered THEN 1 ELSE 0 END) AS answered,
    CAST(SUM(CASE WHEN replied THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS response_rate,
    SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS on_time,
    CAST(SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN replied OR overdue THEN 1 ELSE 0 END), 0) AS on_time_rate,
    SUM(CASE WHEN overdue THEN 1 ELSE 0 END) AS overdue,
    SUM(CASE WHEN acceptance_breach THEN 1 ELSE 0 END) AS acceptance_breaches,
    CAST(SUM(CASE WHEN acceptance_breach THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(COUNT(*), 0)
        AS acceptance_breach_rate,
    PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY workdays_to_reply) AS median_workdays,
    PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY workdays_to_reply) AS p90_workdays,
    CAST(SUM(CASE WHEN answered AND evasive THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS evasive_rate,
    CAST(SUM(CASE WHEN answered AND vague THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS vague_rate,
    CAST(SUM(CASE WHEN answered AND ack_only THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS ack_only_rate,
    CAST(SUM(CASE WHEN answered AND duplicate_reply THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS duplicate_reply_rate,
    CAST(SUM(CASE WHEN repeat_after_reply THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS repeat_rate
FROM periods
GROUP BY unit, period_type, period
ORDER BY unit, period_type, period;
