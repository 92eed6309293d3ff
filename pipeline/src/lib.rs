//! Ingest, batch orchestration and the `wenzheng` command line.

/// `println!` for what a command tells its user, minus the panic when nobody reads standard
/// output any more (`wenzheng run … | head`): the job goes on, its messages are dropped.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod category;
pub mod commands;
pub mod config;
#[cfg(test)]
mod daily_tests;
pub mod eval;
pub mod feature_cache;
pub mod freshness;
pub mod grouping_cache;
pub mod index_update;
pub mod indicators;
pub mod ingest;
pub mod notice;
pub mod progress;
pub mod quarantine;
pub mod recurring;
pub mod report;
pub mod score;
pub mod search;
pub mod serve;
pub mod store;
pub mod synth;
pub mod tables;
