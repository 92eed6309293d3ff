-- The yearly indicators of each unit (SPEC §5), in plain SQL over reports/post_facts.parquet,
-- for analysts who check the numbers with their own tools (DuckDB, or any engine that reads
-- Parquet). It gives the same numbers as the rows of reports/indicators.parquet with
-- scope = 'unit' and period_type = 'year'; tests/e2e/indicators_sql.rs keeps the two in step.
--
-- Run it with DuckDB after replacing {post_facts} with the file's path:
--   sed "s|{post_facts}|DIR/reports/post_facts.parquet|" sql/indicators.sql | duckdb
--
-- Definitions: a rate is NULL when its denominator is 0. On-time counts only posts whose
-- outcome is known (replied, or overdue with no reply); the reply-quality rates are shares of
-- the answered posts (any reply: a receipt or a forwarding note answers a post, and accepts
-- it, but only another reply completes it and makes it replied); the repeat rate is a share of
-- all posts. Posts of an export without
-- replies (reply_known false) are left out: nothing says how they were answered.
SELECT
    unit,
    CAST(year AS VARCHAR) AS period,
    COUNT(*) AS posts,
    SUM(CASE WHEN replied THEN 1 ELSE 0 END) AS replied,
    SUM(CASE WHEN answered THEN 1 ELSE 0 END) AS answered,
    CAST(SUM(CASE WHEN replied THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS response_rate,
    SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS on_time,
    CAST(SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN replied OR overdue THEN 1 ELSE 0 END), 0) AS on_time_rate,
    SUM(CASE WHEN overdue THEN 1 ELSE 0 END) AS overdue,
    SUM(CASE WHEN acceptance_breach THEN 1 ELSE 0 END) AS acceptance_breaches,
    CAST(SUM(CASE WHEN answered AND evasive THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS evasive_rate,
    CAST(SUM(CASE WHEN answered AND vague THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS vague_rate,
    CAST(SUM(CASE WHEN answered AND ack_only THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS ack_only_rate,
    CAST(SUM(CASE WHEN answered AND duplicate_reply THEN 1 ELSE 0 END) AS DOUBLE)
        / NULLIF(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) AS duplicate_reply_rate,
    CAST(SUM(CASE WHEN repeat_after_reply THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS repeat_rate
FROM read_parquet('{post_facts}')
WHERE reply_known
GROUP BY unit, year
ORDER BY unit, period;
