//! Whether the stages' outputs are as new as the tables they are made from. An `ingest` alone,
//! or a `run` killed after its ingest, leaves the scores, the recurring issues and the
//! indicators of the data before it: a notice, a report or the dashboard made from them looks
//! complete and is not. Each reader names the stages that are behind and what to run.

use anyhow::Result;
use serde_json::Value;

use crate::score::ScoreRecord;
use crate::store::DataDir;

/// The stages behind the tables, each with a sentence naming the command that brings it up to
/// date; empty when every stage has run since the last ingest.
pub fn stages_behind(dir: &DataDir) -> Result<Vec<(&'static str, String)>> {
    let data = dir.root().display();
    let mut behind = Vec::new();
    let replies = dir.live_parts("replies");
    if !replies.is_empty() {
        let scored = ScoreRecord::recorded(dir).and_then(|r| r.parts.get("replies").cloned()).unwrap_or_default();
        if scored != replies {
            behind.push((
                "score",
                format!(
                    "replies were ingested since the last `wenzheng score`: they are not judged yet (run `wenzheng \
                 score --data {data}`)"
                ),
            ));
        }
    }
    // Scores made with another lexicon than the config names now (or by an older scorer) judge
    // the replies by rules the office no longer uses.
    if let (Some(recorded), Ok(wanted)) =
        (dir.manifest.stages.get("score"), crate::score::FolderScorer::version_of(dir.root()))
    {
        if recorded.version != wanted && !behind.iter().any(|(stage, _)| *stage == "score") {
            let lexicon =
                if wanted.contains("+lexicon-") { "the lexicon the config names" } else { "the built-in lexicon" };
            behind.push((
                "score",
                format!(
                    "the replies were judged by scorer {} and {lexicon} is {wanted} (run `wenzheng score --data \
                     {data}`, with the same config)",
                    recorded.version
                ),
            ));
        }
    }
    let post_parts = dir.parts("posts");
    if post_parts.is_empty() {
        return Ok(behind);
    }
    let posts = crate::tables::count_rows(&post_parts)? as u64;
    let counted = |stage: &str| {
        dir.manifest.stages.get(stage).and_then(|s| s.detail.get("posts")).and_then(Value::as_u64).unwrap_or(0)
    };
    let grouped = counted("recurring");
    if grouped != posts {
        behind.push((
            "recurring",
            format!(
                "the recurring issues were found among {grouped} of the {posts} posts (run `wenzheng recurring --data \
             {data}`)"
            ),
        ));
    }
    let finished = |stage: &str| dir.manifest.stages.get(stage).map(|s| s.finished_at.clone());
    let indicators = finished("indicators");
    // (the times are written in one format, so they compare as text)
    let older_than = |stage: &str| finished(stage).is_some_and(|t| indicators.as_ref().is_none_or(|i| *i < t));
    if counted("indicators") != posts || older_than("score") || older_than("recurring") {
        behind.push((
            "indicators",
            format!(
                "the indicators were computed before the last posts, scores or issues (run `wenzheng indicators \
             --data {data}`)"
            ),
        ));
    }
    Ok(behind)
}

/// Warns of each stage behind the tables (see [`stages_behind`]) but `making`, the one about to
/// run, before a command reads them.
pub fn warn_if_behind(dir: &DataDir, reading: &str, making: Option<&str>) {
    match stages_behind(dir) {
        Ok(behind) => {
            for (_, what) in behind.into_iter().filter(|(stage, _)| Some(*stage) != making) {
                tracing::warn!("{reading} may be incomplete: {what}; or `wenzheng run` with the new files does it all");
            }
        }
        Err(e) => tracing::warn!("cannot tell whether the stages are up to date: {e:#}"),
    }
}
