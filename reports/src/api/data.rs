//! What the API serves, prepared once at startup from the caller's tables so that each
//! request costs about the size of its page: posts by id, each post's replies, each reply's
//! scores, flagged replies (and overdue posts) sorted newest first per unit and kind,
//! rankings per year and indicators per unit.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;
use serde_json::{Map, Value};

use super::columns::{floats, integers, millis, rows_json, strings};
use super::error::{ApiError, ApiResult};

/// The tables the API reads, as the caller loaded them from the data folder. Only `posts` is
/// required; a missing table gives empty answers with a note saying which stage to run.
#[derive(Default, Clone)]
pub struct ApiTables {
    /// posts: post_id, user_id, subject, body, posted_at, unit, kind, category.
    pub posts: DataFrame,
    /// replies: reply_id, post_id, unit, body, replied_at, seq.
    pub replies: Option<DataFrame>,
    /// scores/replies.parquet.
    pub scores: Option<DataFrame>,
    /// issues/issues.parquet.
    pub issues: Option<DataFrame>,
    /// reports/post_facts.parquet, indicators.parquet, annual.parquet, overdue.parquet.
    pub post_facts: Option<DataFrame>,
    pub indicators: Option<DataFrame>,
    pub annual: Option<DataFrame>,
    pub overdue: Option<DataFrame>,
    /// What the loader found behind the tables (a stage not run since an ingest), for /api/health.
    pub notes: Vec<String>,
    /// The unit registry the folder was ingested with (a config's own, with its local names),
    /// by which a unit asked for by another of its names is found; the built-in one when `None`.
    pub unit_registry: Option<models::units::UnitRegistry>,
}

/// What a flagged-replies request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagKind {
    /// Evasive or vague (level 2): the default.
    Flagged,
    Evasive,
    Vague,
    /// Posts past their deadline without a final reply (from reports/overdue.parquet).
    Overdue,
}

impl FlagKind {
    pub fn parse(text: &str) -> Option<FlagKind> {
        Some(match text {
            "evasive" => FlagKind::Evasive,
            "vague" => FlagKind::Vague,
            "overdue" => FlagKind::Overdue,
            "flagged" | "evasive,vague" | "any" => FlagKind::Flagged,
            _ => return None,
        })
    }
}

/// Rows of one list (reply rows, or overdue rows), newest first, with their times.
#[derive(Debug, Default)]
pub struct FlagList {
    pub rows: Vec<u32>,
    /// Descending, beside `rows`.
    pub times: Vec<i64>,
}

impl FlagList {
    /// The index range of the rows whose time falls in `[start, end)`.
    pub fn range(&self, start: i64, end: i64) -> std::ops::Range<usize> {
        // Times descend: the first index with time < end, to the first with time < start.
        let from = self.times.partition_point(|&t| t >= end);
        let to = self.times.partition_point(|&t| t >= start);
        from..to.max(from)
    }
}

pub struct Posts {
    pub id: StringChunked,
    pub user: StringChunked,
    pub subject: StringChunked,
    pub body: StringChunked,
    pub posted_at: Int64Chunked,
    pub unit: StringChunked,
    pub kind: StringChunked,
    pub category: StringChunked,
}

pub struct Replies {
    pub id: StringChunked,
    pub post_id: StringChunked,
    pub unit: StringChunked,
    pub body: StringChunked,
    pub replied_at: Int64Chunked,
    pub seq: Int64Chunked,
}

pub struct Scores {
    pub evasive_level: Int64Chunked,
    pub vague_level: Int64Chunked,
    pub evasive_score: Float64Chunked,
    pub vague_score: Float64Chunked,
    pub reply_type: StringChunked,
    pub evidence: StringChunked,
}

pub struct Overdue {
    pub post_id: StringChunked,
    pub unit: StringChunked,
    pub kind: StringChunked,
    pub subject: StringChunked,
    pub posted_at: Int64Chunked,
    pub due_at: Int64Chunked,
    pub overdue_workdays: Int64Chunked,
}

pub struct Data {
    pub posts: Posts,
    pub post_row: HashMap<String, u32>,
    pub replies: Option<Replies>,
    /// Reply rows of each post (by post row), first reply first: `reply_rows[starts[p]..starts[p + 1]]`.
    reply_starts: Vec<u32>,
    reply_rows: Vec<u32>,
    pub scores: Option<Scores>,
    /// Score row of each reply row.
    pub score_of_reply: Vec<Option<u32>>,
    pub overdue: Option<Overdue>,
    /// (kind, unit or None for all) → list.
    pub flagged: HashMap<(FlagKind, Option<String>), FlagList>,
    /// Units with their type and number of posts, most posts first.
    pub units: Vec<Map<String, Value>>,
    pub unit_names: std::collections::HashSet<String>,
    /// Ranking rows per year, by rank.
    pub rankings: BTreeMap<i32, Vec<Map<String, Value>>>,
    /// The year `/api/rankings` answers for when none is asked: the one reports open on.
    pub default_year: Option<i32>,
    /// Indicator rows (scope unit) and annual rows per unit.
    pub unit_indicators: HashMap<String, Vec<Map<String, Value>>>,
    pub unit_annual: HashMap<String, Vec<Map<String, Value>>>,
    pub issues: Vec<Map<String, Value>>,
    /// Posted times of each issue's posts (beside `issues`), for counting them in a period.
    pub issue_times: Vec<Vec<i64>>,
    pub post_facts: Option<DataFrame>,
    pub facts_row: Vec<Option<u32>>,
    /// What is missing from the data folder and which stage makes it.
    pub notes: Vec<String>,
    /// See [`ApiTables::unit_registry`].
    pub unit_registry: models::units::UnitRegistry,
}

pub const NO_REPORTS: &str = "no unit indicators yet (DIR/reports/ is missing): run `wenzheng indicators --data DIR`";
pub const NO_SCORES: &str = "no reply scores yet (DIR/scores/ is missing): run `wenzheng score --data DIR`";
/// The note of a folder of posts alone: there is nothing to score, and nothing to run.
pub const NO_REPLIES: &str = "the data folder holds posts only: no reply to judge (ingest a file with replies)";
pub const NO_ISSUES: &str = "no recurring issues yet (DIR/issues/ is missing): run `wenzheng recurring --data DIR`";

impl Data {
    pub fn build(tables: &ApiTables) -> ApiResult<Data> {
        let p = &tables.posts;
        let posts = Posts {
            id: strings(p, "post_id")?,
            user: strings(p, "user_id")?,
            subject: strings(p, "subject")?,
            body: strings(p, "body")?,
            posted_at: millis(p, "posted_at")?,
            unit: strings(p, "unit")?,
            kind: strings(p, "kind")?,
            category: strings(p, "category")?,
        };
        let post_row: HashMap<String, u32> =
            posts.id.iter().enumerate().filter_map(|(i, id)| Some((id?.to_string(), i as u32))).collect();
        let mut notes = tables.notes.clone();

        let replies = tables
            .replies
            .as_ref()
            .map(|r| -> ApiResult<Replies> {
                Ok(Replies {
                    id: strings(r, "reply_id")?,
                    post_id: strings(r, "post_id")?,
                    unit: strings(r, "unit")?,
                    body: strings(r, "body")?,
                    replied_at: millis(r, "replied_at")?,
                    seq: integers(r, "seq")?,
                })
            })
            .transpose()?;
        let (reply_starts, reply_rows) = group_replies(&posts, &post_row, replies.as_ref());

        let (scores, score_of_reply) = match (&tables.scores, &replies) {
            (Some(s), Some(r)) => {
                let ids = strings(s, "reply_id")?;
                let score_index: HashMap<&str, u32> =
                    ids.iter().enumerate().filter_map(|(i, id)| Some((id?, i as u32))).collect();
                let of_reply = r.id.iter().map(|id| id.and_then(|id| score_index.get(id).copied())).collect();
                let scores = Scores {
                    evasive_level: integers(s, "evasive_level")?,
                    vague_level: integers(s, "vague_level")?,
                    evasive_score: floats(s, "evasive_score")?,
                    vague_score: floats(s, "vague_score")?,
                    reply_type: strings(s, "reply_type")?,
                    evidence: strings(s, "evidence")?,
                };
                (Some(scores), of_reply)
            }
            (_, None) => {
                notes.push(NO_REPLIES.to_string());
                (None, Vec::new())
            }
            (None, Some(_)) => {
                notes.push(NO_SCORES.to_string());
                (None, Vec::new())
            }
        };

        let overdue = tables
            .overdue
            .as_ref()
            .map(|o| -> ApiResult<Overdue> {
                Ok(Overdue {
                    post_id: strings(o, "post_id")?,
                    unit: strings(o, "unit")?,
                    kind: strings(o, "kind")?,
                    subject: strings(o, "subject")?,
                    posted_at: millis(o, "posted_at")?,
                    due_at: millis(o, "due_at")?,
                    overdue_workdays: integers(o, "overdue_workdays")?,
                })
            })
            .transpose()?;
        if tables.annual.is_none() || tables.indicators.is_none() {
            notes.push(NO_REPORTS.to_string());
        }

        let mut data = Data {
            posts,
            post_row,
            replies,
            reply_starts,
            reply_rows,
            scores,
            score_of_reply,
            overdue,
            flagged: HashMap::new(),
            units: Vec::new(),
            unit_names: Default::default(),
            rankings: BTreeMap::new(),
            default_year: None,
            unit_indicators: HashMap::new(),
            unit_annual: HashMap::new(),
            issues: Vec::new(),
            issue_times: Vec::new(),
            post_facts: tables.post_facts.clone(),
            facts_row: Vec::new(),
            notes,
            unit_registry: tables.unit_registry.clone().unwrap_or_default(),
        };
        data.flagged = data.flag_lists();
        data.facts_row = data.facts_rows()?;
        data.units = data.unit_list(tables)?;
        data.unit_names = data.units.iter().filter_map(|u| u["unit"].as_str().map(str::to_string)).collect();
        data.read_reports(tables)?;
        data.read_issues(tables)?;
        Ok(data)
    }

    /// The reply rows of a post row, first reply first.
    pub fn replies_of(&self, post: u32) -> &[u32] {
        match (self.reply_starts.get(post as usize), self.reply_starts.get(post as usize + 1)) {
            (Some(&a), Some(&b)) => &self.reply_rows[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The unit a flagged reply is counted against: the reply's own, else the post's.
    pub fn reply_unit(&self, reply: u32) -> Option<&str> {
        let replies = self.replies.as_ref()?;
        replies.unit.get(reply as usize).or_else(|| {
            let post = self.post_row.get(replies.post_id.get(reply as usize)?)?;
            self.posts.unit.get(*post as usize)
        })
    }

    /// The final reply of the post of reply `reply`: the latest, ties by reply id (as the
    /// notice has it).
    fn final_reply(&self, reply: u32) -> Option<u32> {
        let replies = self.replies.as_ref()?;
        let post = *self.post_row.get(replies.post_id.get(reply as usize)?)?;
        let key = |r: u32| (replies.replied_at.get(r as usize).unwrap_or(i64::MIN), replies.id.get(r as usize));
        self.replies_of(post).iter().copied().max_by(|&a, &b| key(a).cmp(&key(b)))
    }

    fn flag_lists(&self) -> HashMap<(FlagKind, Option<String>), FlagList> {
        // (time, row) of each flagged reply, by kind and unit (None: every unit).
        let mut lists: HashMap<_, Vec<(i64, u32)>> = HashMap::new();
        let mut push = |kind: FlagKind, unit: Option<&str>, time: i64, row: u32| {
            lists.entry((kind, None)).or_default().push((time, row));
            if let Some(unit) = unit {
                lists.entry((kind, Some(unit.to_string()))).or_default().push((time, row));
            }
        };
        if let (Some(replies), Some(scores)) = (&self.replies, &self.scores) {
            let levels = |r: usize| {
                let s = self.score_of_reply.get(r).copied().flatten()? as usize;
                Some((scores.evasive_level.get(s) == Some(2), scores.vague_level.get(s) == Some(2)))
            };
            let flagged = |r: usize| levels(r).is_some_and(|(evasive, vague)| evasive || vague);
            for r in 0..self.score_of_reply.len() {
                let Some((evasive, vague)) = levels(r) else { continue };
                if !(evasive || vague) {
                    continue;
                }
                // As the notice does: a case is judged by its final reply, so a flagged reply
                // that a reply not flagged followed (a forwarding note, then the answer) is
                // left out.
                let superseded =
                    self.final_reply(r as u32).is_some_and(|last| last != r as u32 && !flagged(last as usize));
                if superseded {
                    continue;
                }
                let time = replies.replied_at.get(r).unwrap_or(i64::MIN);
                // A reply no unit is known for is filed under 未知单位, as the units list has it.
                let unit = self.reply_unit(r as u32).or(Some(crate::facts::UNKNOWN_UNIT));
                push(FlagKind::Flagged, unit, time, r as u32);
                if evasive {
                    push(FlagKind::Evasive, unit, time, r as u32);
                }
                if vague {
                    push(FlagKind::Vague, unit, time, r as u32);
                }
            }
        }
        if let Some(overdue) = &self.overdue {
            for row in 0..overdue.post_id.len() {
                let time = overdue.due_at.get(row).unwrap_or(i64::MIN);
                push(FlagKind::Overdue, overdue.unit.get(row), time, row as u32);
            }
        }
        lists
            .into_iter()
            .map(|(key, mut items)| {
                // Newest first; ties by row, so pages are stable.
                items.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                let list =
                    FlagList { times: items.iter().map(|i| i.0).collect(), rows: items.iter().map(|i| i.1).collect() };
                (key, list)
            })
            .collect()
    }

    fn facts_rows(&self) -> ApiResult<Vec<Option<u32>>> {
        let Some(facts) = &self.post_facts else { return Ok(Vec::new()) };
        let mut rows = vec![None; self.posts.id.len()];
        for (i, id) in strings(facts, "post_id")?.iter().enumerate() {
            if let Some(&post) = id.and_then(|id| self.post_row.get(id)) {
                rows[post as usize] = Some(i as u32);
            }
        }
        Ok(rows)
    }

    /// Units from the post facts (responsible unit and its type) when there, else from the
    /// posts' and replies' units.
    fn unit_list(&self, tables: &ApiTables) -> ApiResult<Vec<Map<String, Value>>> {
        let mut counts: HashMap<String, (String, u64)> = HashMap::new();
        // Of each unit's posts, those the indicators count: not the posts of an export without
        // replies (`reply_known` false), which say nothing of how they were answered.
        let mut in_indicators: HashMap<String, u64> = HashMap::new();
        if let Some(facts) = &tables.post_facts {
            let (units, types) = (strings(facts, "unit")?, strings(facts, "unit_type")?);
            let known: Vec<bool> = match facts.column("reply_known") {
                Ok(column) => column.bool()?.iter().map(|v| v.unwrap_or(true)).collect(),
                Err(_) => vec![true; facts.height()],
            };
            for ((unit, kind), known) in units.iter().zip(types.iter()).zip(known) {
                let unit = unit.unwrap_or("未知单位");
                let entry = counts.entry(unit.to_string()).or_insert((String::new(), 0));
                entry.0 = kind.unwrap_or("unknown").to_string();
                entry.1 += 1;
                *in_indicators.entry(unit.to_string()).or_default() += u64::from(known);
            }
        } else {
            for post in 0..self.posts.id.len() as u32 {
                let first_reply_unit = self.replies_of(post).iter().find_map(|&r| self.reply_unit(r));
                let unit = first_reply_unit.or_else(|| self.posts.unit.get(post as usize)).unwrap_or("未知单位");
                counts.entry(unit.to_string()).or_insert((String::new(), 0)).1 += 1;
            }
        }
        let mut units: Vec<(String, (String, u64))> = counts.into_iter().collect();
        units.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then_with(|| a.0.cmp(&b.0)));
        Ok(units
            .into_iter()
            .map(|(unit, (kind, posts))| {
                let mut row = Map::new();
                // "K7县某局", 未知单位: a place or nothing, not a body one can hold to account
                let identified = crate::annual::is_known_body(&unit);
                row.insert("unit_type".into(), if kind.is_empty() { Value::Null } else { kind.into() });
                let counted = if tables.post_facts.is_some() {
                    in_indicators.get(&unit).copied().unwrap_or(0).into()
                } else {
                    Value::Null
                };
                row.insert("unit".into(), unit.into());
                row.insert("posts".into(), posts.into());
                row.insert("posts_in_indicators".into(), counted);
                row.insert("identified".into(), identified.into());
                row
            })
            .collect())
    }

    fn read_reports(&mut self, tables: &ApiTables) -> ApiResult<()> {
        if let Some(annual) = &tables.annual {
            for row in rows_json(annual)? {
                let year = row.get("year").and_then(Value::as_i64).unwrap_or_default() as i32;
                if let Some(unit) = row.get("unit").and_then(Value::as_str) {
                    self.unit_annual.entry(unit.to_string()).or_default().push(row.clone());
                }
                self.rankings.entry(year).or_default().push(row);
            }
            for rows in self.rankings.values_mut() {
                // Ranked units by rank, then the unranked ones (too few posts) by score.
                let rank = |r: &Map<String, Value>| r.get("rank").and_then(Value::as_i64).unwrap_or(i64::MAX);
                let score = |r: &Map<String, Value>| r.get("score").and_then(Value::as_f64).unwrap_or(f64::MIN);
                rows.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| score(b).total_cmp(&score(a))));
            }
            let default = crate::tables::default_year(annual).map_err(|e| ApiError::internal(e.to_string()))?;
            self.default_year = default.or_else(|| self.rankings.keys().next_back().copied());
        }
        if let Some(indicators) = &tables.indicators {
            for row in rows_json(indicators)? {
                let scope = row.get("scope").and_then(Value::as_str).unwrap_or("unit");
                let unit = row.get("unit").or_else(|| row.get("key")).and_then(Value::as_str);
                if let (Some(unit), "unit") = (unit, scope) {
                    self.unit_indicators.entry(unit.to_string()).or_default().push(row.clone());
                }
            }
        }
        Ok(())
    }

    fn read_issues(&mut self, tables: &ApiTables) -> ApiResult<()> {
        let Some(issues) = &tables.issues else {
            self.notes.push(NO_ISSUES.to_string());
            return Ok(());
        };
        let mut rows = rows_json(issues)?;
        let heat = |r: &Map<String, Value>| r.get("heat").and_then(Value::as_f64).unwrap_or_default();
        rows.sort_by(|a, b| heat(b).total_cmp(&heat(a)));
        for row in &mut rows {
            let ids: Vec<String> = row
                .get("post_ids")
                .and_then(Value::as_str)
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            let mut times: Vec<i64> = ids
                .iter()
                .filter_map(|id| self.post_row.get(id))
                .filter_map(|&p| self.posts.posted_at.get(p as usize))
                .collect();
            times.sort_unstable();
            self.issue_times.push(times);
            row.insert("post_ids".into(), ids.into_iter().map(Value::String).collect::<Vec<_>>().into());
        }
        self.issues = rows;
        Ok(())
    }
}

/// Reply rows grouped by post row, each group by `seq` then time.
fn group_replies(posts: &Posts, post_row: &HashMap<String, u32>, replies: Option<&Replies>) -> (Vec<u32>, Vec<u32>) {
    let n = posts.id.len();
    let Some(replies) = replies else { return (vec![0; n + 1], Vec::new()) };
    let mut keyed: Vec<(u32, i64, i64, u32)> = replies
        .post_id
        .iter()
        .enumerate()
        .filter_map(|(r, id)| {
            let post = *post_row.get(id?)?;
            Some((
                post,
                replies.seq.get(r).unwrap_or(i64::MAX),
                replies.replied_at.get(r).unwrap_or_default(),
                r as u32,
            ))
        })
        .collect();
    keyed.sort_unstable();
    let mut starts = vec![0u32; n + 1];
    for &(post, ..) in &keyed {
        starts[post as usize + 1] += 1;
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    (starts, keyed.into_iter().map(|k| k.3).collect())
}
