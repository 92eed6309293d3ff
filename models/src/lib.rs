//! Domain types and the scoring algorithms of wenzheng.
//!
//! Architecture invariant: this crate does no IO. It knows nothing of files, polars,
//! tantivy or HTTP; lexicons, registries and weights are data files compiled in with
//! `include_str!` and can be replaced by the caller with their own text.

pub mod calendar;
pub mod category;
pub mod deadline;
pub mod kind;
pub mod kind_rules;
pub mod recurring;
pub mod region;
pub mod scoring;
pub mod segment;
pub mod text;
pub mod units;

pub use kind::PostKind;
