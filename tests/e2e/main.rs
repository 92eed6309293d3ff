//! End-to-end tests: the real `wenzheng` binary in temporary folders, on the real data
//! in ../shared/data and on files the tests write.

mod category;
mod complex_cases;
mod daily_run;
mod dashboard;
mod hive;
mod indicators;
mod indicators_sql;
mod ingest_fixtures;
mod ingest_real;
mod ingest_safety;
mod notice;
mod planted_truth;
mod recurring;
mod recurring_planted;
mod report;
mod score;
mod search;
