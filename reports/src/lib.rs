//! placeholder
pub mod annual;
pub mod api;
pub mod charts;
pub mod facts;
pub mod indicators;
pub mod masking;
pub mod notice;
pub mod report;
pub mod tables;
pub use facts::ReportInputs;
