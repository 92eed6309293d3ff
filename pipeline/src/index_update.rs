//! The daily update of `DIR/index`: only the cases that new parts touch are made and compared.
//!
//! The index stage records the parts of posts and replies it has indexed, and the score stage's
//! generation and scored reply parts (`IndexReport`). Parts are immutable and a day's ingest adds
//! new ones, so what can differ from the index is: the posts of new post parts, the posts that
//! the replies of new reply parts answer, and the posts whose replies were scored since (their
//! parts are in the score record). Only those cases are made (their post, final reply and
//! scores read by row, the final reply chosen among all the post's replies) and compared by
//! fingerprint with what the index holds. Anything else — a part gone (ingest rewrote every
//! `seq`), scores recomputed in full (a new generation), other local words or index version,
//! or an index that does not hold the cases recorded — goes through the full comparison
//! (`search::update`), which reads every case. Both give the same index.

use std::collections::HashSet;

use anyhow::Result;
use index::CaseIndex;

use crate::score::{ScoreRecord, SCORES_FILE};
use crate::search::{CaseSlice, FinalReplies, IndexReport, Scores, Timing, POST_COLUMNS};
use crate::store::DataDir;
use crate::tables;

/// The parts an update reads: post parts added since the last update, and reply parts added or
/// scored since.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    pub post_parts: Vec<String>,
    pub reply_parts: Vec<String>,
}

/// What changed since the update recorded in `last`, or `None` when only a full comparison can
/// tell (see the module's documentation). `base` is the hash of index version and local words,
/// `held` the number of cases in the index.
pub fn plan(dir: &DataDir, last: &IndexReport, base: &str, held: u64) -> Option<Plan> {
    if last.base != base || last.cases as u64 != held {
        return None;
    }
    let post_parts = dir.parts_since("posts", last.parts.get("posts")?)?;
    let mut reply_parts = dir.parts_since("replies", last.parts.get("replies")?)?;
    let scores = ScoreRecord::recorded(dir);
    let generation = scores.as_ref().and_then(|s| s.generation.clone());
    // Scores of a generation unknown to the index (every reply judged again since) may all differ.
    if generation != last.scores_generation || (generation.is_none() && dir.path(SCORES_FILE).exists()) {
        return None;
    }
    let live = dir.live_parts("replies");
    let scored = scores.and_then(|s| s.parts.get("replies").cloned()).unwrap_or_default();
    for part in scored.into_iter().filter(|p| !last.scored_parts.contains(p)) {
        if !live.contains(&part) {
            return None;
        }
        if !reply_parts.contains(&part) {
            reply_parts.push(part);
        }
    }
    Some(Plan { post_parts, reply_parts })
}

/// Makes the cases the plan's parts touch, and adds or replaces those that differ from the
/// index; `report` gets the counts of the whole index.
pub fn apply(
    dir: &DataDir,
    cases: &CaseIndex,
    words: &str,
    timing: &Timing,
    plan: &Plan,
    last: &IndexReport,
    report: &mut IndexReport,
) -> Result<()> {
    let new_posts = tables::read_table(&dir.paths_of(&plan.post_parts), &POST_COLUMNS)?;
    let mut touched: HashSet<String> = HashSet::new();
    if let Some(posts) = &new_posts {
        touched.extend(posts.column("post_id")?.str()?.iter().flatten().map(str::to_string));
    }
    let new_in_posts = touched.len();
    if let Some(replies) = tables::read_table(&dir.paths_of(&plan.reply_parts), &["post_id"])? {
        touched.extend(replies.column("post_id")?.str()?.iter().flatten().map(str::to_string));
    }
    // Posts answered by new replies but stored before: found in the parts seen.
    let mut posts = new_posts;
    if touched.len() > new_in_posts {
        let fresh: HashSet<&str> = match &posts {
            Some(p) => p.column("post_id")?.str()?.iter().flatten().collect(),
            None => HashSet::new(),
        };
        let older: HashSet<&str> = touched.iter().map(String::as_str).filter(|id| !fresh.contains(id)).collect();
        let seen = dir.parts_other_than("posts", &plan.post_parts);
        let found = tables::read_rows_where(&seen, "post_id", &|id| older.contains(id), &POST_COLUMNS)?;
        posts = tables::stacked(posts, found)?;
    }
    report.cases = last.cases;
    report.unchanged = last.cases;
    report.with_scores = last.with_scores;
    let Some(posts) = posts else { return Ok(()) };

    let finals = FinalReplies::read(dir, Some(&touched))?;
    let scores = Scores::read(dir, Some(&touched))?;
    let docs = CaseSlice::read(posts, &finals, &scores, timing)?.printed_docs(words);
    let held = cases.cases_of(docs.iter().map(|(doc, _)| doc.post_id.as_str()))?;
    let mut updater = cases.updater()?;
    for (doc, print) in &docs {
        let scored = doc.reply.as_ref().is_some_and(|r| r.levels.is_some());
        match held.get(&doc.post_id) {
            None => {
                updater.add_printed(doc, *print)?;
                report.with_scores += usize::from(scored);
            }
            Some(old) if old.fingerprint != *print => {
                updater.replace_printed(doc, *print)?;
                report.with_scores = report.with_scores + usize::from(scored) - usize::from(old.scored);
            }
            Some(_) => {}
        }
    }
    let update = updater.finish()?;
    (report.added, report.replaced, report.deleted) = (update.added, update.replaced, update.deleted);
    report.cases += update.added as usize;
    report.unchanged -= update.replaced as usize;
    Ok(())
}
