//! The heart of ingest: a batch of raw rows becomes records (in parallel), is checked
//! against what the folder already holds (duplicates, conflicting ids, reply order) and
//! is appended to the new parts of the posts, replies, quarantine and taxonomy tables.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::NaiveDateTime;
use models::category::{CategoryModel, Document};
use models::kind_rules::KindRules;
use models::units::UnitRegistry;
use polars::prelude::*;
use rayon::prelude::*;

use super::columns::ColumnMap;
use super::known::{HashMap, HashSet, KnownRecords, ReplyTimes};
use super::records::{self, PostRecord, Problem, ReplyRecord, RowReader, TaxonomyRecord};
use super::source::SourceRow;
use super::values;
use super::FileReport;
use crate::store::{DataDir, InputRecord, PendingPart};
use crate::tables::{self, millis, PartWriter, YearPartWriter};

/// Where a batch comes from, for the records' `source` and the quarantine.
pub struct Origin<'a> {
    pub file: &'a str,
    pub sheet: Option<&'a str>,
    pub header: &'a [String],
    pub map: &'a ColumnMap,
}

pub struct Finished {
    pub unit_sources: BTreeMap<String, u64>,
    pub seq_rewritten: bool,
}

pub struct Batcher {
    known: KnownRecords,
    registry: UnitRegistry,
    /// The config's kind rules, if it names its own (else the built-in ones).
    kinds: Option<KindRules>,
    posts: YearPartWriter,
    replies: YearPartWriter,
    quarantine: PartWriter,
    taxonomy: PartWriter,
    inputs: Vec<InputRecord>,
    unit_sources: BTreeMap<String, u64>,
    /// Posts whose replies arrived out of time order: their `seq` is reassigned at the end.
    reseq: HashSet<String>,
    /// Fills in the category of posts that have none (`--category-model`).
    category_model: Option<CategoryModel>,
    /// Posts of this run stored under another id (a conflict's rename): their id in the export
    /// → the id they are stored under and their time. A replies file of the same run (read
    /// after the posts) answers these posts, not the older ones whose id they reused.
    renamed_posts: HashMap<String, (String, NaiveDateTime)>,
    /// The latest time a row may hold (see `RowReader::latest`).
    latest: NaiveDateTime,
}

impl Batcher {
    pub fn new(dir: &mut DataDir, known: KnownRecords) -> Result<Batcher> {
        Ok(Batcher {
            known,
            registry: super::unit_registry(dir.root())?,
            kinds: super::kind_rules(dir.root())?,
            posts: year_parts(dir, "posts", &posts_schema()),
            replies: year_parts(dir, "replies", &replies_schema()),
            quarantine: PartWriter::create(dir.new_part("quarantine")?, &quarantine_schema())?,
            taxonomy: PartWriter::create(dir.new_part("taxonomy")?, &taxonomy_schema())?,
            inputs: Vec::new(),
            unit_sources: BTreeMap::new(),
            reseq: HashSet::default(),
            category_model: None,
            renamed_posts: HashMap::default(),
            latest: super::records::latest_time_now(),
        })
    }

    pub fn with_category_model(mut self, model: Option<CategoryModel>) -> Batcher {
        self.category_model = model;
        self
    }

    pub fn record_input(&mut self, input: InputRecord) {
        self.inputs.push(input);
    }

    pub fn process(&mut self, origin: &Origin, rows: Vec<SourceRow>, report: &mut FileReport) -> Result<()> {
        report.rows += rows.len() as u64;
        // (a column with no header is read by no field: its data would be lost without a word)
        let unnamed: Vec<usize> = (0..origin.header.len())
            .filter(|&i| origin.header[i].trim().trim_start_matches('\u{feff}').is_empty())
            .collect();
        if !unnamed.is_empty() {
            for row in rows.iter().flatten() {
                for &i in &unnamed {
                    if row.cells.get(i).is_some_and(|c| !c.is_empty()) {
                        *report.unnamed_with_data.entry(i + 1).or_default() += 1;
                    }
                }
            }
        }
        let reader = RowReader {
            map: origin.map,
            header: origin.header,
            source: origin.file,
            latest: self.latest,
            kinds: self.kinds.as_ref().unwrap_or_else(|| KindRules::default_rules()),
        };
        let outcomes: Vec<_> = rows
            .par_iter()
            .map(|row| match row {
                Ok(row) => Ok(reader.read(row)),
                Err((row, reason, raw)) => Err(Problem {
                    row: *row,
                    record: "row",
                    field: "-".into(),
                    reason: reason.clone(),
                    raw: raw.clone(),
                }),
            })
            .collect();

        let records = outcomes.iter().flatten();
        self.known.look_up(
            records.clone().filter_map(|o| o.post.as_ref()).map(|p| p.post_id.as_str()),
            records.clone().filter_map(|o| o.reply.as_ref()).map(|r| r.reply_id.as_str()),
            records.filter_map(|o| o.reply.as_ref()).map(|r| r.post_id.as_str()),
        )?;

        let mut posts = Vec::new();
        let mut replies = Vec::new();
        let mut taxonomy = Vec::new();
        let mut problems = Vec::new();
        for outcome in outcomes {
            let outcome = match outcome {
                Ok(outcome) => outcome,
                Err(problem) => {
                    report.unreadable_rows += 1;
                    problems.push(problem);
                    continue;
                }
            };
            if outcome.blank {
                report.blank_rows += 1;
                continue;
            }
            for problem in outcome.problems {
                match problem.record {
                    "post" => {
                        report.posts.read += 1;
                        report.posts.quarantined += 1;
                    }
                    "reply" => {
                        report.replies.read += 1;
                        report.replies.quarantined += 1;
                    }
                    _ => report.unreadable_rows += 1,
                }
                problems.push(problem);
            }
            // The id the row's post is stored under (a conflict's rename), for the row's reply.
            let mut post_stored_as = None;
            // The row's post was set aside as a copy of the post held: its reply answers that
            // post, and is compared with that post's time, not the copy's.
            let mut answers_the_held_post = false;
            if let Some(post) = outcome.post {
                report.posts.read += 1;
                let (exported_as, posted_at) = (post.post_id.clone(), post.posted_at);
                match self.admit_post(post, &mut report.posts) {
                    Ok((id, post)) => {
                        if id != exported_as {
                            self.renamed_posts.insert(exported_as, (id.clone(), posted_at));
                        }
                        post_stored_as = Some(id);
                        posts.extend(post);
                    }
                    Err(revision) => {
                        // (the row's reply, if any, answers the post held under the id)
                        report.posts.quarantined += 1;
                        problems.push(revision);
                        post_stored_as = Some(exported_as);
                        answers_the_held_post = true;
                    }
                }
            }
            if let Some(mut reply) = outcome.reply {
                let from_replies_file = post_stored_as.is_none();
                match (post_stored_as, self.renamed_posts.get(&reply.post_id)) {
                    (Some(id), _) => reply.post_id = id,
                    // A reply written before the renamed post cannot answer it: the old post keeps it.
                    (None, Some((id, posted_at))) if reply.replied_at >= *posted_at => reply.post_id = id.clone(),
                    (None, _) => {}
                }
                // A reply of a later run to an id two posts hold (one kept as `<id>~<source>`)
                // cannot tell which it answers: attached to the first, it could be another
                // citizen's post, scored against the wrong text, the right one left "unanswered".
                let held = self.known.replies.contains_key(&reply.reply_id);
                let copies = self.known.renamed.get(&reply.post_id).filter(|_| from_replies_file && !held);
                if let Some(copies) = copies.filter(|_| !self.renamed_posts.contains_key(&reply.post_id)) {
                    report.replies.read += 1;
                    report.replies.quarantined += 1;
                    let reason = format!(
                        "post id {0} is held by more than one post ({0}, {1}: an id another export reused, kept under a \
                         new name), and the reply does not say which it answers: put the id of the post it answers in \
                         post_id and ingest the reply again",
                        reply.post_id,
                        copies.join(", ")
                    );
                    problems.push(reply_problem(&reply, "post_id", reason));
                    continue;
                }
                // A row's own post was compared when the row was read; a post of another file
                // or run is compared here.
                let posted = self.known.post_times.get(&reply.post_id).copied();
                let compare = from_replies_file || answers_the_held_post;
                if let Some(posted_at) = posted.and_then(tables::from_millis).filter(|_| compare) {
                    if let Some(same_day) = records::date_only_on_the_day(reply.replied_at, posted_at) {
                        reply.replied_at = same_day;
                    }
                }
                if let Some(posted) = posted.filter(|posted| compare && millis(reply.replied_at) < *posted) {
                    report.replies.read += 1;
                    report.replies.quarantined += 1;
                    problems.push(replied_before_post(&reply, posted));
                    continue;
                }
                report.replies.read += 1;
                let orphan = from_replies_file && !self.known.posts.contains_key(&reply.post_id);
                match self.admit_reply(reply, &mut report.replies) {
                    Ok(Some(reply)) => {
                        report.replies.without_post += u64::from(orphan);
                        replies.push(reply)
                    }
                    Ok(None) => {}
                    Err(revision) => {
                        report.replies.quarantined += 1;
                        problems.push(revision);
                    }
                }
            }
            taxonomy.extend(outcome.taxonomy);
        }
        report.taxonomy += taxonomy.len() as u64;
        if let Some(model) = &self.category_model {
            posts.par_iter_mut().filter(|p| p.category.is_none()).for_each(|post| {
                let text = format!("{}\n{}", post.subject, post.body);
                let prediction = model.predict(Document::Raw(&text));
                post.category = Some(prediction.category);
                post.category_source = Some("predicted");
                post.category_prob = Some(prediction.probability);
            });
        }

        // Units are resolved after the batch's posts are known, so their regions help.
        let regions = &self.known.regions;
        let registry = &self.registry;
        replies.par_iter_mut().for_each(|reply| {
            let region = regions.get(&reply.post_id).map(String::as_str);
            records::resolve_unit(reply, registry, region);
        });
        let mut seqs = Vec::with_capacity(replies.len());
        for reply in &replies {
            *self.unit_sources.entry(reply.unit_source.as_str().to_string()).or_default() += 1;
            seqs.push(self.assign_seq(reply));
        }

        self.posts.write(posts_frame(&posts)?)?;
        self.replies.write(replies_frame(&replies, &seqs)?)?;
        self.quarantine.write(quarantine_frame(origin, &problems)?)?;
        self.taxonomy.write(taxonomy_frame(origin.file, &taxonomy)?)?;
        Ok(())
    }

    /// The id the post is stored under, and the post if it is to be written (not a duplicate);
    /// or, for an edited copy of a post held, its quarantine entry.
    fn admit_post(
        &mut self,
        mut post: PostRecord,
        counts: &mut super::RecordCounts,
    ) -> Result<(String, Option<PostRecord>), Problem> {
        // Saved again by a spreadsheet, an export writes its times to the minute (or the day):
        // the post held with the time it rounds is the same post, not a conflict.
        let held = self.known.posts.get(&post.post_id).filter(|hash| **hash != post.content_hash);
        let held_at = self.known.post_times.get(&post.post_id).and_then(|ms| tables::from_millis(*ms));
        if let (Some(held), Some(held_at)) = (held, held_at) {
            // this post's text at the held post's time: equal to the held hash when the text is the same
            let same_text = records::content_hash(&[&post.subject, &post.body, &values::seconds_text(held_at)]);
            if rounds_to(held_at, post.posted_at) && same_text == *held {
                post.content_hash = same_text.clone();
            }
            // The same id at the same time with other text is this post edited (a phone number
            // masked afterwards, a line added), not another post: kept as a second post
            // `<id>~<file>`, it had none of the replies and was listed as overdue.
            if at_or_rounded(held_at, post.posted_at) && post.content_hash != *held {
                return Err(revised_post(&post, held_at));
            }
            // The same id with the same text at another time is the post held given another
            // time (a quarantined row corrected in its post's time instead of its reply's): kept
            // as a second post `<id>~<file>`, the citizen's post was in the tables twice.
            if !at_or_rounded(held_at, post.posted_at) && same_text == *held {
                return Err(retimed_post(&post, held_at));
            }
        }
        let (id, new) =
            admit(&mut self.known.posts, &post.post_id, &post.content_hash, &post.source, post.row, "post", counts);
        if !new {
            if let Some((likes, dislikes, unit)) = self.known.post_values.get(&id) {
                let unit_changed = post.unit.is_some() && post.unit != *unit;
                if post.likes != *likes || post.dislikes != *dislikes || unit_changed {
                    counts.differing += 1;
                }
            }
            return Ok((id, None));
        }
        post.post_id = id.clone();
        self.known.post_times.insert(id.clone(), millis(post.posted_at));
        if let Some(region) = &post.region {
            self.known.regions.insert(post.post_id.clone(), region.clone());
        }
        Ok((id, Some(post)))
    }

    /// The reply if it is to be written (not a duplicate); or, for an edited copy of a reply
    /// held, its quarantine entry.
    fn admit_reply(
        &mut self,
        mut reply: ReplyRecord,
        counts: &mut super::RecordCounts,
    ) -> Result<Option<ReplyRecord>, Problem> {
        // A reply held with the time this one's rounds (a re-export to the minute) is this reply.
        if self.known.replies.get(&reply.reply_id) != Some(&reply.content_hash) {
            let held = self.known.reply_times.get(&reply.post_id).into_iter().flatten();
            let mut revised = None;
            for (ms, held_id) in held {
                let Some(held_at) = tables::from_millis(*ms) else { continue };
                if rounds_to(held_at, reply.replied_at) {
                    let same = records::content_hash(&[&reply.post_id, &reply.body, &values::seconds_text(held_at)]);
                    if self.known.replies.get(held_id) == Some(&same) {
                        // (a duplicate of one held reply is not an edit of another)
                        (reply.reply_id, reply.content_hash, revised) = (held_id.clone(), same, None);
                        break;
                    }
                }
                if revised.is_none() && edits(held_id, held_at, &reply) {
                    revised = Some((held_id.clone(), held_at));
                }
            }
            if let Some((held_id, held_at)) = revised {
                return Err(revised_reply(&reply, &held_id, held_at));
            }
        }
        let (id, new) = admit(
            &mut self.known.replies,
            &reply.reply_id,
            &reply.content_hash,
            &reply.source,
            reply.row,
            "reply",
            counts,
        );
        reply.reply_id = id;
        Ok(new.then_some(reply))
    }

    /// `seq` = the reply's place among its post's replies in time order. A reply older
    /// than one already stored shifts the later ones: their post is reassigned at the end.
    fn assign_seq(&mut self, reply: &ReplyRecord) -> i32 {
        let key = (millis(reply.replied_at), reply.reply_id.clone());
        let times = self.known.reply_times.entry(reply.post_id.clone()).or_default();
        let position = times.partition_point(|t| *t < key);
        if position < times.len() {
            self.reseq.insert(reply.post_id.clone());
        }
        times.insert(position, key);
        position as i32 + 1
    }

    /// Finishes the parts and commits the run.
    pub fn finish(self, dir: &mut DataDir) -> Result<Finished> {
        let mut added = self.posts.finish()?;
        let mut replies_parts = self.replies.finish()?;
        // (the first run keeps its quarantine part even when empty, so `quarantine/*.parquet`
        // always names a table, as SPEC §3 has it, and a reader's glob finds it on clean data)
        let quarantine_held = dir.manifest.tables.get("quarantine").is_some_and(|parts| !parts.is_empty());
        for (writer, keep_empty) in [(self.quarantine, !quarantine_held), (self.taxonomy, false)] {
            let rows = writer.rows;
            let part = writer.finish()?;
            if rows == 0 && !keep_empty {
                std::fs::remove_file(&part.temp)?;
            } else {
                added.push(part);
            }
        }
        let mut replaced = Vec::new();
        let seq_rewritten = !self.reseq.is_empty();
        if seq_rewritten {
            // Rare: an export delivered an earlier reply after a later one was stored.
            let mut sources: Vec<std::path::PathBuf> = dir.parts("replies");
            let old: Vec<String> = dir.manifest.tables.get("replies").cloned().unwrap_or_default();
            sources.extend(replies_parts.drain(..).map(|p| p.temp));
            let part = rewrite_seq(dir, &sources, &self.known.reply_times, &self.reseq)?;
            for source in &sources {
                if source.extension().is_some_and(|e| e == "tmp") {
                    std::fs::remove_file(source)?;
                }
            }
            added.push(part);
            replaced.push(("replies".to_string(), old));
        }
        added.extend(replies_parts);
        dir.manifest.inputs.extend(self.inputs);
        dir.manifest.stages.insert(
            "ingest".into(),
            crate::store::StageRecord {
                version: env!("CARGO_PKG_VERSION").into(),
                finished_at: crate::store::now_string(),
                detail: serde_json::json!({ "unit_sources": self.unit_sources }),
            },
        );
        dir.commit(added, &replaced)?;
        Ok(Finished { unit_sources: self.unit_sources, seq_rewritten })
    }
}

/// The quarantine entry of a reply dated before its post, a post of another file or run.
fn replied_before_post(reply: &ReplyRecord, posted_ms: i64) -> Problem {
    let posted = tables::from_millis(posted_ms).map_or(String::new(), |t| t.to_string());
    let reason = format!("replied at {} before post {} was made at {posted}", reply.replied_at, reply.post_id);
    reply_problem(reply, "replied_at", reason)
}

/// The quarantine entry of a reply set aside after it was read (its row is gone by then: the
/// reply's fields stand for it).
fn reply_problem(reply: &ReplyRecord, field: &str, reason: String) -> Problem {
    Problem {
        row: reply.row,
        record: "reply",
        field: field.into(),
        reason,
        raw: {
            let mut raw = serde_json::json!({
                "reply_id": reply.reply_id,
                "post_id": reply.post_id,
                "replied_at": reply.replied_at.to_string(),
                "body": reply.body,
            });
            // (the unit as the file gave it: one resolved from the text is resolved again)
            if let Some(unit) = reply.unit.as_ref().filter(|_| reply.unit_source == models::units::UnitSource::Given) {
                raw["unit"] = unit.as_str().into();
            }
            raw.to_string()
        },
    }
}

/// How the quarantine's reason names an edited copy of a record held (see
/// [`crate::quarantine::write_jsonl`], which does not offer such rows for correction).
pub const EDITED_COPY: &str = "this is an edited copy";

/// The quarantine entry of an edited copy of a post held: same id, same time, other text.
fn revised_post(post: &PostRecord, held_at: NaiveDateTime) -> Problem {
    let reason = format!(
        "post {} posted at {held_at} is already held with other text: {EDITED_COPY} of it; the version ingested \
         first is kept, with its replies and scores",
        post.post_id
    );
    post_problem(post, "body", reason)
}

/// The quarantine entry of a post held given another time: same id, same text.
fn retimed_post(post: &PostRecord, held_at: NaiveDateTime) -> Problem {
    let reason = format!(
        "post {} is already held with the same text, posted at {held_at}: {EDITED_COPY} of it, posted at {}; the \
         time ingested first is kept (a reply set aside as dated before its post is corrected in its own time, \
         答复时间)",
        post.post_id, post.posted_at
    );
    post_problem(post, "posted_at", reason)
}

/// The quarantine entry of a post set aside after it was read (its row is gone by then: the
/// post's fields stand for it).
fn post_problem(post: &PostRecord, field: &str, reason: String) -> Problem {
    Problem {
        row: post.row,
        record: "post",
        field: field.into(),
        reason,
        raw: serde_json::json!({
            "post_id": post.post_id,
            "posted_at": post.posted_at.to_string(),
            "subject": post.subject,
            "body": post.body,
        })
        .to_string(),
    }
}

/// Whether `reply` is an edited copy of the held reply `held_id` of its post, written at
/// `held_at`: the same id at the same time (to the minute or the day, as a re-export rounds
/// it), or — for replies exported without an id, whose id comes from their text — the same
/// time to the second, other than midnight (two replies of a post at the same second do not
/// happen; at midnight the time is a date alone, which two replies of a day share).
fn edits(held_id: &str, held_at: NaiveDateTime, reply: &ReplyRecord) -> bool {
    use chrono::Timelike;
    if held_id == reply.reply_id {
        return at_or_rounded(held_at, reply.replied_at);
    }
    let derived = |id: &str| {
        id.strip_prefix(reply.post_id.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|hash| hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    derived(held_id)
        && derived(&reply.reply_id)
        && held_at == reply.replied_at
        && held_at.time() != chrono::NaiveTime::MIN
        && held_at.nanosecond() == 0
}

/// The quarantine entry of an edited copy of a reply held.
fn revised_reply(reply: &ReplyRecord, held_id: &str, held_at: NaiveDateTime) -> Problem {
    let reason = format!(
        "reply {held_id} to post {} at {held_at} is already held with other text: {EDITED_COPY} of it; the \
         version ingested first is kept, with its score",
        reply.post_id
    );
    reply_problem(reply, "body", reason)
}

/// Whether `given` is `held`, or `held` rounded as a re-export writes it ([`rounds_to`]).
fn at_or_rounded(held: NaiveDateTime, given: NaiveDateTime) -> bool {
    held == given || rounds_to(held, given)
}

/// Whether `given` is `held` written to the minute or to the day, as a spreadsheet saves a time
/// it shows that way (and not `held` itself).
fn rounds_to(held: NaiveDateTime, given: NaiveDateTime) -> bool {
    use chrono::Timelike;
    let to_minute = held.with_second(0).and_then(|t| t.with_nanosecond(0));
    let to_day = held.date().and_hms_opt(0, 0, 0);
    held != given && (to_minute == Some(given) || to_day == Some(given))
}

/// The writer of a year-partitioned table: rows go to their year's folder as they come.
fn year_parts(dir: &mut DataDir, table: &str, schema: &Schema) -> YearPartWriter {
    let time_column = crate::store::year_column(table).expect("a year-partitioned table");
    YearPartWriter::create(dir.new_year_parts(table), time_column, schema)
}

/// Decides whether a record is new, a duplicate of one held (same id, same content: dropped)
/// or a conflict (same id, other content: kept as `<id>~<source file stem>`, then `~2`, `~3`, …
/// if that name is taken too), and returns the id it is (or, for a duplicate, was) stored under
/// and whether it is to be written.
fn admit(
    known: &mut HashMap<String, String>,
    id: &str,
    content_hash: &str,
    source: &str,
    row: usize,
    what: &str,
    counts: &mut super::RecordCounts,
) -> (String, bool) {
    let id = match known.get(id) {
        None => id.to_string(),
        Some(hash) if hash == content_hash => {
            counts.duplicates += 1;
            return (id.to_string(), false);
        }
        Some(_) => {
            // The same record kept under another name before (a cumulative export delivering
            // again the second of two rows that share an id: "250005~day1") is a duplicate too.
            let kept_as = known
                .iter()
                .find(|(held, hash)| *hash == content_hash && super::known::renamed_from(held).any(|base| base == id));
            if let Some((held, _)) = kept_as {
                counts.duplicates += 1;
                return (held.clone(), false);
            }
            let stem = source.rsplit_once('.').map_or(source, |(stem, _)| stem);
            let mut renamed = format!("{id}~{stem}");
            for n in 2.. {
                match known.get(&renamed) {
                    None => break,
                    Some(hash) if hash == content_hash => {
                        counts.duplicates += 1;
                        return (renamed, false);
                    }
                    Some(_) => renamed = format!("{id}~{stem}~{n}"),
                }
            }
            tracing::warn!(%id, kept_as = %renamed, source, row, "{what} id already used by a different {what}; both kept");
            counts.conflicts += 1;
            renamed
        }
    };
    counts.written += 1;
    known.insert(id.clone(), content_hash.to_string());
    (id, true)
}

/// Writes all replies again, with `seq` of the posts `reseq` from the complete time order of
/// their replies (`times` holds every reply of those); other replies keep theirs.
fn rewrite_seq(
    dir: &mut DataDir,
    sources: &[std::path::PathBuf],
    times: &ReplyTimes,
    reseq: &HashSet<String>,
) -> Result<PendingPart> {
    let part = dir.new_part("replies")?;
    let mut writer = PartWriter::create(part, &replies_schema())?;
    for source in sources {
        let Some(mut frame) = tables::read_table(
            std::slice::from_ref(source),
            &replies_schema().iter_names().map(|n| n.as_str()).collect::<Vec<_>>(),
        )?
        else {
            continue;
        };
        let ids = frame.column("reply_id")?.str()?.clone();
        let posts = frame.column("post_id")?.str()?.clone();
        let stored = frame.column("seq")?.i32()?.clone();
        let seq: Vec<i32> = ids
            .iter()
            .zip(posts.iter())
            .zip(stored.iter())
            .map(|((id, post), stored)| {
                let post = post.unwrap_or_default();
                if !reseq.contains(post) {
                    return stored.unwrap_or(1);
                }
                let list = times.get(post).map(Vec::as_slice).unwrap_or_default();
                list.iter().position(|(_, r)| Some(r.as_str()) == id).map_or(1, |p| p as i32 + 1)
            })
            .collect();
        frame.replace("seq", Column::new("seq".into(), seq))?;
        // A part of several row groups reads as several chunks per column; the new `seq` is one.
        // The writer cuts record batches by chunk, so the columns must be chunked alike.
        frame.rechunk_mut_par();
        writer.write(frame)?;
    }
    writer.finish()
}

fn datetime() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, None)
}

pub fn posts_schema() -> Schema {
    Schema::from_iter([
        Field::new("post_id".into(), DataType::String),
        Field::new("user_id".into(), DataType::String),
        Field::new("subject".into(), DataType::String),
        Field::new("body".into(), DataType::String),
        Field::new("posted_at".into(), datetime()),
        Field::new("unit".into(), DataType::String),
        Field::new("category".into(), DataType::String),
        Field::new("category_source".into(), DataType::String),
        Field::new("category_prob".into(), DataType::Float64),
        Field::new("kind".into(), DataType::String),
        Field::new("kind_source".into(), DataType::String),
        Field::new("likes".into(), DataType::Int64),
        Field::new("dislikes".into(), DataType::Int64),
        Field::new("region".into(), DataType::String),
        Field::new("source".into(), DataType::String),
        Field::new("content_hash".into(), DataType::String),
    ])
}

pub fn replies_schema() -> Schema {
    Schema::from_iter([
        Field::new("reply_id".into(), DataType::String),
        Field::new("post_id".into(), DataType::String),
        Field::new("unit".into(), DataType::String),
        Field::new("unit_source".into(), DataType::String),
        Field::new("body".into(), DataType::String),
        Field::new("replied_at".into(), datetime()),
        Field::new("seq".into(), DataType::Int32),
        Field::new("source".into(), DataType::String),
        Field::new("content_hash".into(), DataType::String),
    ])
}

pub fn quarantine_schema() -> Schema {
    Schema::from_iter([
        Field::new("file".into(), DataType::String),
        Field::new("sheet".into(), DataType::String),
        Field::new("row".into(), DataType::Int64),
        Field::new("record".into(), DataType::String),
        Field::new("field".into(), DataType::String),
        Field::new("reason".into(), DataType::String),
        Field::new("raw".into(), DataType::String),
    ])
}

pub fn taxonomy_schema() -> Schema {
    Schema::from_iter([
        Field::new("category".into(), DataType::String),
        Field::new("subcategory".into(), DataType::String),
        Field::new("leaf_category".into(), DataType::String),
        Field::new("source".into(), DataType::String),
    ])
}

fn strings<T>(items: &[T], f: impl Fn(&T) -> &str) -> Vec<&str> {
    items.iter().map(f).collect()
}

fn opt_strings<T>(items: &[T], f: impl Fn(&T) -> Option<&str>) -> Vec<Option<&str>> {
    items.iter().map(f).collect()
}

fn posts_frame(posts: &[PostRecord]) -> Result<DataFrame> {
    let columns = vec![
        Column::new("post_id".into(), strings(posts, |p| &p.post_id)),
        Column::new("user_id".into(), strings(posts, |p| &p.user_id)),
        Column::new("subject".into(), strings(posts, |p| &p.subject)),
        Column::new("body".into(), strings(posts, |p| &p.body)),
        tables::datetime_column("posted_at", posts.iter().map(|p| millis(p.posted_at)).collect())?,
        Column::new("unit".into(), opt_strings(posts, |p| p.unit.as_deref())),
        Column::new("category".into(), opt_strings(posts, |p| p.category.as_deref())),
        Column::new("category_source".into(), opt_strings(posts, |p| p.category_source)),
        Column::new("category_prob".into(), posts.iter().map(|p| p.category_prob).collect::<Vec<_>>()),
        Column::new("kind".into(), strings(posts, |p| p.kind.as_str())),
        Column::new("kind_source".into(), strings(posts, |p| p.kind_source)),
        Column::new("likes".into(), posts.iter().map(|p| p.likes).collect::<Vec<_>>()),
        Column::new("dislikes".into(), posts.iter().map(|p| p.dislikes).collect::<Vec<_>>()),
        Column::new("region".into(), opt_strings(posts, |p| p.region.as_deref())),
        Column::new("source".into(), strings(posts, |p| &p.source)),
        Column::new("content_hash".into(), strings(posts, |p| &p.content_hash)),
    ];
    Ok(DataFrame::new(posts.len(), columns)?)
}

fn replies_frame(replies: &[ReplyRecord], seqs: &[i32]) -> Result<DataFrame> {
    let columns = vec![
        Column::new("reply_id".into(), strings(replies, |r| &r.reply_id)),
        Column::new("post_id".into(), strings(replies, |r| &r.post_id)),
        Column::new("unit".into(), opt_strings(replies, |r| r.unit.as_deref())),
        Column::new("unit_source".into(), strings(replies, |r| r.unit_source.as_str())),
        Column::new("body".into(), strings(replies, |r| &r.body)),
        tables::datetime_column("replied_at", replies.iter().map(|r| millis(r.replied_at)).collect())?,
        Column::new("seq".into(), seqs.to_vec()),
        Column::new("source".into(), strings(replies, |r| &r.source)),
        Column::new("content_hash".into(), strings(replies, |r| &r.content_hash)),
    ];
    Ok(DataFrame::new(replies.len(), columns)?)
}

fn quarantine_frame(origin: &Origin, problems: &[Problem]) -> Result<DataFrame> {
    let columns = vec![
        Column::new("file".into(), vec![origin.file; problems.len()]),
        Column::new("sheet".into(), vec![origin.sheet; problems.len()]),
        Column::new("row".into(), problems.iter().map(|p| p.row as i64).collect::<Vec<_>>()),
        Column::new("record".into(), strings(problems, |p| p.record)),
        Column::new("field".into(), strings(problems, |p| &p.field)),
        Column::new("reason".into(), strings(problems, |p| &p.reason)),
        Column::new("raw".into(), strings(problems, |p| &p.raw)),
    ];
    Ok(DataFrame::new(problems.len(), columns)?)
}

fn taxonomy_frame(source: &str, entries: &[TaxonomyRecord]) -> Result<DataFrame> {
    let columns = vec![
        Column::new("category".into(), strings(entries, |t| &t.category)),
        Column::new("subcategory".into(), strings(entries, |t| &t.subcategory)),
        Column::new("leaf_category".into(), strings(entries, |t| &t.leaf)),
        Column::new("source".into(), vec![source; entries.len()]),
    ];
    Ok(DataFrame::new(entries.len(), columns)?)
}
