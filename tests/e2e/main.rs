//! End-to-end tests: the real `wenzheng` binary in temporary folders, on the real data
//! in ../shared/data and on files the tests write.

mod ingest_fixtures;
mod ingest_real;
mod ingest_safety;
mod recurring;
mod score;
mod search;
