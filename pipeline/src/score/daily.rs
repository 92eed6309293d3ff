//! The daily case of `wenzheng score`: only the replies of parts the last run did not see are
//! judged (and stored replies whose post has just arrived); every other stored row is copied
//! with its duplicate group recomputed from the stored keys.

use anyhow::{Context, Result};
use models::scoring::{self, Scorer};
use polars::prelude::*;
use rayon::prelude::*;

use super::{
    duplicate_groups, judge_in_batches, new_generation, scores_columns, scores_frame, short_hash, HashSet, PostTexts,
    ReplyColumns, Row, ScoreRecord, ScoreReport, ScoresWriter, StoredScore, CHUNK, POST_TEXT_COLUMNS, REPLY_COLUMNS,
    SCORES_FILE,
};
use crate::store::DataDir;
use crate::tables;

/// Judges the replies of the parts `reply_parts` (not seen by the last run) and the stored
/// replies whose post is in `post_parts` (they were judged without their post), and writes
/// them after the other stored rows. Returns the report and the generation to record.
pub(super) fn score_new(
    dir: &DataDir,
    scorer: &Scorer,
    last: ScoreRecord,
    reply_parts: &[String],
    post_parts: &[String],
) -> Result<(ScoreReport, Option<String>)> {
    let mut generation = last.generation.clone();
    if reply_parts.is_empty() && post_parts.is_empty() {
        let report = ScoreReport { scored: 0, reused: last.report.replies, ..last.report };
        return Ok((report, generation));
    }
    let path = dir.path(SCORES_FILE);
    let stored = tables::read_table(std::slice::from_ref(&path), &["reply_id", "post_id", "duplicate_key"])?
        .with_context(|| format!("cannot read {}", path.display()))?;
    let new_posts = tables::read_table(&dir.paths_of(post_parts), &POST_TEXT_COLUMNS)?;
    let arrived: HashSet<&str> = match &new_posts {
        Some(posts) => posts.column("post_id")?.str()?.iter().flatten().collect(),
        None => HashSet::default(),
    };
    // Stored replies whose post has just arrived were judged on their own text: again now.
    let (stored_ids, stored_posts) = (stored.column("reply_id")?.str()?, stored.column("post_id")?.str()?);
    let late: HashSet<String> = (0..stored.height())
        .filter(|&i| stored_posts.get(i).is_some_and(|p| arrived.contains(p)))
        .filter_map(|i| stored_ids.get(i).map(str::to_string))
        .collect();
    let mut fresh = tables::read_table(&dir.paths_of(reply_parts), &REPLY_COLUMNS)?;
    if !late.is_empty() {
        generation = Some(new_generation());
        let seen = dir.parts_other_than("replies", reply_parts);
        let late_replies = tables::read_rows_where(&seen, "reply_id", &|id| late.contains(id), &REPLY_COLUMNS)?;
        fresh = tables::stacked(fresh, late_replies)?;
    }
    let Some(fresh) = fresh else {
        // New posts, none of them answered yet and no stored reply waiting for one.
        let report = ScoreReport { scored: 0, reused: last.report.replies, ..last.report };
        return Ok((report, generation));
    };

    // The texts of the other posts answered: looked up in the parts seen before.
    let missing: HashSet<String> = fresh
        .column("post_id")?
        .str()?
        .iter()
        .flatten()
        .filter(|id| !arrived.contains(id))
        .map(str::to_string)
        .collect();
    let earlier_posts = if missing.is_empty() {
        None
    } else {
        let seen = dir.parts_other_than("posts", post_parts);
        tables::read_rows_where(&seen, "post_id", &|id| missing.contains(id), &POST_TEXT_COLUMNS)?
    };
    drop(arrived); // it borrows from `new_posts`
    let posts = tables::stacked(new_posts, earlier_posts)?;
    let texts = PostTexts::new(posts.as_ref())?;
    let judged = judge(scorer, &fresh, &texts)?;
    // The stored rows judged again: the late ones, and any of a run killed between writing the
    // scores and recording them (its parts come again as unseen).
    let again: HashSet<&str> = judged.iter().map(|r| r.reply_id.as_str()).collect();
    let dropped = (0..stored.height()).filter(|&i| stored_ids.get(i).is_some_and(|id| again.contains(id))).count();

    // Duplicate groups over every reply: the stored keys, then the fresh ones.
    let stored_keys = stored.column("duplicate_key")?.str()?;
    let kept = (0..stored.height()).filter(|&i| !stored_ids.get(i).is_some_and(|id| again.contains(id)));
    let groups = duplicate_groups(
        kept.map(|i| (stored_keys.get(i).unwrap_or_default(), stored_posts.get(i).unwrap_or_default()))
            .chain(judged.iter().map(|r| (r.duplicate_key.as_str(), r.post_id.as_str()))),
    );

    let mut report = ScoreReport { replies: stored.height() - dropped + judged.len(), ..Default::default() };
    report.reused = stored.height() - dropped;
    report.scored = judged.len();
    let mut writer = ScoresWriter::create(&path)?;
    let columns = scores_columns();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    for start in (0..stored.height()).step_by(CHUNK) {
        let chunk = tables::read_table_slice(std::slice::from_ref(&path), &columns, Some((start, CHUNK)))?
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut chunk = if dropped == 0 {
            chunk
        } else {
            let ids = chunk.column("reply_id")?.str()?;
            let keep: BooleanChunked = ids.iter().map(|id| !id.is_some_and(|id| again.contains(id))).collect();
            chunk.filter(&keep)?
        };
        let group: Vec<Option<&str>> = chunk
            .column("duplicate_key")?
            .str()?
            .iter()
            .map(|key| key.and_then(|k| groups.get(k)).map(String::as_str))
            .collect();
        chunk.replace("duplicate_group", Column::new("duplicate_group".into(), group))?;
        report.evasive += chunk.column("evasive")?.bool()?.sum().unwrap_or_default() as usize;
        report.vague += chunk.column("vague")?.bool()?.sum().unwrap_or_default() as usize;
        // The writer walks the columns chunk by chunk: the filtered ones and the new group
        // column must be cut alike.
        chunk.align_chunks();
        writer.write(&chunk)?;
    }
    report.count_flagged(&judged);
    writer.write(&scores_frame(&judged, &groups)?)?;
    writer.finish()?;
    report.duplicate_groups = groups.values().collect::<HashSet<_>>().len();
    Ok((report, generation))
}

/// Judges every reply of `replies` (columns [`REPLY_COLUMNS`]) against its post's subject and
/// body in `texts`.
fn judge(scorer: &Scorer, replies: &DataFrame, texts: &PostTexts) -> Result<Vec<Row>> {
    let columns = ReplyColumns::of(replies)?;
    let judged = judge_in_batches(scorer, replies.height(), |i| {
        let (subject, post_body) = texts.get(columns.post_id(i));
        Some((subject, post_body, columns.body(i)))
    });
    Ok(judged
        .into_par_iter()
        .enumerate()
        .map(|(i, score)| {
            let score = StoredScore::from(score.expect("every reply is judged"));
            columns.row(i, false, score, short_hash(&scoring::duplicate_key(columns.body(i))))
        })
        .collect())
}
