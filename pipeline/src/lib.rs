//! Ingest, batch orchestration and the `wenzheng` command line.

pub mod commands;
pub mod eval;
pub mod ingest;
pub mod progress;
pub mod recurring;
pub mod score;
pub mod search;
pub mod store;
pub mod synth;
pub mod tables;
