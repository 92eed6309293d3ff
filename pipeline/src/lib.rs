//! Ingest, batch orchestration and the `wenzheng` command line.

pub mod category;
pub mod commands;
pub mod config;
#[cfg(test)]
mod daily_tests;
pub mod eval;
pub mod feature_cache;
pub mod grouping_cache;
pub mod index_update;
pub mod indicators;
pub mod ingest;
mod malloc;
pub mod notice;
pub mod progress;
pub mod recurring;
pub mod report;
pub mod score;
pub mod search;
pub mod serve;
pub mod store;
pub mod synth;
pub mod tables;
