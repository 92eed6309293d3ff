//! `wenzheng synth`: a realistic sample corpus of a fictional city's inquiry platform, with
//! known structure planted in it, for the demo, tests and benchmarks.
//!
//! It writes `posts.csv`, `replies.csv`, `units.csv` (each unit's planted speed and quality) and
//! `truth.csv` (what was planted: recurring clusters, evasive and vague replies, forwards, late
//! and weekend replies, posts without reply or without unit). Everything is streamed: memory
//! holds the city, the templates and the recurring clusters still open, whatever `posts` is.
//! The same options give byte-identical files.
//!
//! | file | columns |
//! |---|---|
//! | posts.csv | post_id, user_id, subject, body, posted_at, unit (empty for ~3%), kind, likes, dislikes, category (empty for ~20%) |
//! | replies.csv | reply_id, post_id, unit, body, replied_at (a forwarded post has two replies, in time order) |
//! | truth.csv | post_id, reply_id, planted ([`Planted::as_str`]), cluster_id, detail (cluster place, forward target, pasted group) |
//! | units.csv | unit, level, district, speed_factor, p_evasive, p_vague |
//!
//! Times are ISO 8601 local time (`+08:00`). Every reply has one truth row naming its kind;
//! posts and replies get further rows for each other fact planted on them.
//!
//! The templates are the project's own; nothing is read from outside at build or run time.

mod city;
mod clock;
mod generator;
mod output;
mod places;
mod post;
mod problems;
mod recurring;
mod reply;
mod rng;
mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{ensure, Result};
use chrono::NaiveDate;

use reply::ReplyKind;

#[derive(Clone, Debug)]
pub struct SynthOptions {
    pub posts: usize,
    pub seed: u64,
    /// First posting day.
    pub start: NaiveDate,
    /// Length of the posting period; replies may fall after it.
    pub days: u32,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            posts: 5000,
            seed: 1,
            start: NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date"),
            days: 730,
        }
    }
}

/// A planted fact, as `truth.csv` names it in its `planted` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Planted {
    /// Post in a recurring cluster (`cluster_id` set, `detail` = the shared place).
    Recurring,
    /// Recurring post made after a reply to an earlier post of its cluster.
    RepeatAfterReply,
    /// Post that never gets a reply.
    NoReply,
    /// Post whose `unit` column is empty; the text names the place and district.
    UnitMissing,
    Substantive,
    /// Specific in part, generic promises for the rest (vague 1).
    Mixed,
    /// Entirely generic promises (vague 2).
    Generic,
    /// A unit's canned generic text, the same under many posts (`detail` = its group).
    Pasted,
    AcknowledgementOnly,
    /// 已转{unit} (`detail` = the unit); that unit's answer is the post's next reply.
    NamedForward,
    UnnamedForward,
    Deflection,
    RefusalWithoutReason,
    /// 正在调查处理中, most with a deadline ("将于10个工作日内答复您"); the unit's answer is the
    /// post's next reply.
    ProgressNote,
    /// Final reply more than 15 weekdays (Monday–Friday, holidays not modelled) after the post.
    Late,
    /// Reply made on a Saturday or Sunday.
    WeekendReply,
}

impl Planted {
    pub const ALL: [Planted; 16] = [
        Planted::Recurring,
        Planted::RepeatAfterReply,
        Planted::NoReply,
        Planted::UnitMissing,
        Planted::Substantive,
        Planted::Mixed,
        Planted::Generic,
        Planted::Pasted,
        Planted::AcknowledgementOnly,
        Planted::NamedForward,
        Planted::UnnamedForward,
        Planted::Deflection,
        Planted::RefusalWithoutReason,
        Planted::ProgressNote,
        Planted::Late,
        Planted::WeekendReply,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Planted::Recurring => "recurring",
            Planted::RepeatAfterReply => "repeat_after_reply",
            Planted::NoReply => "no_reply",
            Planted::UnitMissing => "unit_missing",
            Planted::Substantive => "substantive",
            Planted::Mixed => "mixed",
            Planted::Generic => "generic",
            Planted::Pasted => "pasted",
            Planted::AcknowledgementOnly => "acknowledgement_only",
            Planted::NamedForward => "named_forward",
            Planted::UnnamedForward => "unnamed_forward",
            Planted::Deflection => "deflection",
            Planted::RefusalWithoutReason => "refusal_without_reason",
            Planted::ProgressNote => "progress_note",
            Planted::Late => "late",
            Planted::WeekendReply => "weekend_reply",
        }
    }

    fn of_reply(kind: ReplyKind) -> Planted {
        match kind {
            ReplyKind::Substantive => Planted::Substantive,
            ReplyKind::Mixed => Planted::Mixed,
            ReplyKind::Generic => Planted::Generic,
            ReplyKind::Pasted => Planted::Pasted,
            ReplyKind::Acknowledgement => Planted::AcknowledgementOnly,
            ReplyKind::NamedForward => Planted::NamedForward,
            ReplyKind::UnnamedForward => Planted::UnnamedForward,
            ReplyKind::Deflection => Planted::Deflection,
            ReplyKind::Refusal => Planted::RefusalWithoutReason,
            ReplyKind::ProgressNote => Planted::ProgressNote,
        }
    }
}

/// What `generate` wrote: row counts and how many rows of `truth.csv` each planted kind has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthSummary {
    pub posts: usize,
    pub replies: usize,
    pub units: usize,
    pub clusters: usize,
    pub planted: BTreeMap<Planted, usize>,
}

impl SynthSummary {
    pub fn count(&self, planted: Planted) -> usize {
        self.planted.get(&planted).copied().unwrap_or(0)
    }
}

/// Writes a sample corpus of `opts.posts` posts into `out_dir` (created if missing).
pub fn generate(opts: &SynthOptions, out_dir: &Path) -> Result<SynthSummary> {
    ensure!(opts.days > 0, "the posting period must be at least one day\nhint: pass days > 0");
    generator::Generator::new(opts, output::Output::create(out_dir)?).run(opts)
}
