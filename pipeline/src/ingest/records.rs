//! A raw row, given meaning by its column map: a post, a reply, a taxonomy entry, or the
//! problems that make it unusable. Nothing here knows about files on disk.

use chrono::{Datelike, NaiveDateTime};
use models::kind_rules::KindRules;
use models::units::{UnitRegistry, UnitSource};
use models::{region, text, PostKind};
use sha2::{Digest, Sha256};

use super::columns::{ColumnMap, Field};
use super::source::RawRow;
use super::values::{self, Cell};

#[derive(Debug, Clone)]
pub struct PostRecord {
    pub post_id: String,
    pub user_id: String,
    pub subject: String,
    pub body: String,
    pub posted_at: NaiveDateTime,
    pub unit: Option<String>,
    pub category: Option<String>,
    /// `given` when the file had a category, `predicted` when the category model filled it in.
    pub category_source: Option<&'static str>,
    /// The model's calibrated probability of a predicted category.
    pub category_prob: Option<f64>,
    pub kind: PostKind,
    /// `given` when the file had a kind column, else `derived`.
    pub kind_source: &'static str,
    pub likes: i64,
    pub dislikes: i64,
    pub region: Option<String>,
    pub source: String,
    /// Identifies the post's content (subject, body, time), to tell a repeated export of
    /// the same post from an unrelated post that reuses its id.
    pub content_hash: String,
    pub row: usize,
}

#[derive(Debug, Clone)]
pub struct ReplyRecord {
    pub reply_id: String,
    pub post_id: String,
    /// Unit as given in the file; resolved from the text later when absent.
    pub unit: Option<String>,
    pub unit_source: UnitSource,
    pub body: String,
    pub replied_at: NaiveDateTime,
    pub source: String,
    pub content_hash: String,
    pub row: usize,
}

#[derive(Debug, Clone)]
pub struct TaxonomyRecord {
    pub category: String,
    pub subcategory: String,
    pub leaf: String,
}

/// A row, or a part of it, that cannot be used: it goes to the quarantine.
#[derive(Debug, Clone)]
pub struct Problem {
    pub row: usize,
    /// `post`, `reply` or `row`: which record of the row was rejected.
    pub record: &'static str,
    pub field: String,
    pub reason: String,
    pub raw: String,
}

/// What one row turned into. A posts+replies row yields a post and a reply record,
/// each of which may be rejected alone.
#[derive(Debug, Default)]
pub struct RowOutcome {
    pub post: Option<PostRecord>,
    pub reply: Option<ReplyRecord>,
    pub taxonomy: Option<TaxonomyRecord>,
    pub problems: Vec<Problem>,
    /// True when every cell was empty: nothing to ingest, nothing lost.
    pub blank: bool,
}

pub fn content_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..8])
}

pub struct RowReader<'a> {
    pub map: &'a ColumnMap,
    pub header: &'a [String],
    pub source: &'a str,
    /// The latest time a row may hold: a day after the ingest started (a post "made" later is a
    /// typo: kept, it would move every as-of date and overdue count to its year).
    pub latest: NaiveDateTime,
    /// The rules a post's kind is derived by when the export gives none.
    pub kinds: &'a KindRules,
}

/// [`RowReader::latest`] for an ingest starting now.
pub fn latest_time_now() -> NaiveDateTime {
    chrono::Local::now().naive_local() + chrono::Duration::days(1)
}

/// The first year a row may be of: no online inquiry platform is older (a post "made" in 1900
/// is an empty date some export filled in, or a typo, and would stretch every trend back to it).
const EARLIEST_YEAR: i32 = 1990;

/// A time of a row later than `latest`, or before [`EARLIEST_YEAR`], refused as the
/// quarantine's reason.
fn not_in_the_future(at: NaiveDateTime, latest: NaiveDateTime, what: &str) -> Result<(), String> {
    if at > latest {
        return Err(format!(
            "{what} {at} is later than the ingest (a mistyped year?): correct the time and ingest the row again"
        ));
    }
    if at.year() < EARLIEST_YEAR {
        return Err(format!(
            "{what} {at} is before {EARLIEST_YEAR}, older than any online platform (a mistyped year, or an empty \
             date filled in by the export?): correct the time and ingest the row again"
        ));
    }
    Ok(())
}

/// An id holding a control character (a NUL or a line break from a damaged export) would be
/// kept as written and match no other row: refused, naming the character.
fn printable_id(id: &str, field: &'static str) -> Result<(), (&'static str, String)> {
    match id.chars().find(|c| c.is_control()) {
        Some(c) => Err((
            field,
            format!(
                "{field} {:?} holds the control character U+{:04X}: correct the id and ingest the row again",
                id, c as u32
            ),
        )),
        None => Ok(()),
    }
}

impl RowReader<'_> {
    fn cell<'c>(&self, row: &'c RawRow, field: Field) -> &'c Cell {
        const EMPTY: &Cell = &Cell::Empty;
        // (the first filled of the field's columns: JSON lines may each name it their own way)
        let mut cells = self.map.indices(field).filter_map(|i| row.cells.get(i));
        let first = cells.next().unwrap_or(EMPTY);
        if first.is_empty() {
            cells.find(|c| !c.is_empty()).unwrap_or(first)
        } else {
            first
        }
    }

    /// The first of `fields` whose cell is a workbook's error ("#N/A" from a failed VLOOKUP, as
    /// a workbook types it or as Excel writes it into a CSV): a problem of that field, never text
    /// to store.
    fn excel_error(&self, row: &RawRow, fields: &[Field]) -> Result<(), (&'static str, String)> {
        // (one pass over the row's columns, not one per field)
        let read =
            self.map.fields.iter().enumerate().filter_map(|(i, f)| f.filter(|f| fields.contains(f)).map(|f| (i, f)));
        for (i, field) in read {
            if let Some(name) = row.cells.get(i).and_then(Cell::excel_error) {
                let header = self.header.get(i).map_or("", String::as_str);
                return Err((
                    field.name(),
                    format!(
                        "{} ({header}) is the Excel error {name}, a formula that failed in the export: correct the \
                         cell (or clear it) and ingest the row again",
                        field.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn text(&self, row: &RawRow, field: Field) -> String {
        match self.cell(row, field) {
            Cell::Str(s) => text::clean_text(s),
            other => text::clean_text(&other.to_text()),
        }
    }

    fn optional(&self, row: &RawRow, field: Field) -> Option<String> {
        Some(self.text(row, field)).filter(|s| !s.is_empty())
    }

    fn raw_json(&self, row: &RawRow) -> String {
        let object: serde_json::Map<String, serde_json::Value> = self
            .header
            .iter()
            .zip(&row.cells)
            .filter(|(_, c)| !c.is_empty())
            .map(|(h, c)| (h.clone(), c.to_json()))
            .collect();
        serde_json::Value::Object(object).to_string()
    }

    pub fn read(&self, row: &RawRow) -> RowOutcome {
        let mut out = RowOutcome::default();
        if row.cells.iter().all(Cell::is_empty) {
            out.blank = true;
            return out;
        }
        let problem = |record: &'static str, field: &str, reason: String, out: &mut RowOutcome| {
            out.problems.push(Problem {
                row: row.row,
                record,
                field: field.to_string(),
                reason,
                raw: self.raw_json(row),
            })
        };
        use super::columns::Layout;
        match self.map.layout {
            Layout::Taxonomy => {
                let category = self.text(row, Field::Category);
                if let Err((field, reason)) = self.excel_error(row, &[Field::Category, Field::Subcategory, Field::Leaf])
                {
                    problem("row", field, reason, &mut out);
                } else if category.is_empty() {
                    problem("row", "category", "missing 一级分类".into(), &mut out);
                } else {
                    out.taxonomy = Some(TaxonomyRecord {
                        category,
                        subcategory: self.text(row, Field::Subcategory),
                        leaf: self.text(row, Field::Leaf),
                    });
                }
            }
            Layout::Posts => match self.read_post(row) {
                Ok(post) => out.post = Some(post),
                Err((field, reason)) => problem("post", field, reason, &mut out),
            },
            Layout::Replies => match self.read_reply(row, None) {
                Ok(reply) => out.reply = reply,
                Err((field, reason)) => problem("reply", field, reason, &mut out),
            },
            Layout::PostsWithReplies => {
                match self.read_post(row) {
                    Ok(post) => out.post = Some(post),
                    Err((field, reason)) => problem("post", field, reason, &mut out),
                }
                let posted_at = out.post.as_ref().map(|p| p.posted_at);
                match self.read_reply(row, posted_at) {
                    // Without its post the reply would be stored under whichever post holds the
                    // id already, or none: it goes to quarantine with the row.
                    Ok(Some(_)) if out.post.is_none() => {
                        let field = out.problems.last().map_or("post_id", |p| p.field.as_str()).to_string();
                        let reason =
                            format!("the post of this row was quarantined (field {field}), so its reply is too");
                        problem("reply", &field, reason, &mut out)
                    }
                    Ok(reply) => out.reply = reply,
                    Err((field, reason)) => problem("reply", field, reason, &mut out),
                }
            }
        }
        out
    }

    fn read_post(&self, row: &RawRow) -> Result<PostRecord, (&'static str, String)> {
        use Field::*;
        self.excel_error(
            row,
            &[PostId, UserId, Subject, Body, FullText, PostedAt, Likes, Dislikes, Category, Unit, Kind],
        )?;
        if self.map.layout == super::columns::Layout::PostsWithReplies {
            // (the unit a post waits on may be read from 答复单位, below)
            self.excel_error(row, &[ReplyUnit])?;
        }
        let post_id = values::parse_id(self.cell(row, Field::PostId))
            .ok_or(("post_id", "missing post_id (留言编号)".to_string()))?;
        printable_id(&post_id, "post_id")?;
        let mut subject = self.text(row, Field::Subject);
        let mut body = self.text(row, Field::Body);
        if body.is_empty() {
            // Labelled sets hold subject and body as one `text`, subject first.
            let full = self.text(row, Field::FullText);
            body = match full.strip_prefix(subject.as_str()) {
                Some(rest) if !subject.is_empty() => rest.trim_start().to_string(),
                _ => full,
            };
        }
        if subject.is_empty() && body.is_empty() {
            return Err(("subject", "the post has neither subject (留言主题) nor body (留言详情)".into()));
        }
        if subject.is_empty() {
            subject = body.chars().take(30).collect();
        }
        let posted_at = values::parse_datetime(self.cell(row, Field::PostedAt))
            .map_err(|e| ("posted_at", format!("posted_at (留言时间) {e}")))?;
        not_in_the_future(posted_at, self.latest, "posted_at (留言时间)").map_err(|e| ("posted_at", e))?;
        let kind_cell = self.text(row, Field::Kind);
        let (kind, kind_source) = match PostKind::parse(&kind_cell) {
            Some(kind) => (kind, "given"),
            None if kind_cell.is_empty() => (self.kinds.derive(&subject, &body), "derived"),
            None => return Err(("kind", format!("unknown kind {kind_cell:?}: use 咨询/建议/求助/投诉/举报/其他 (also read: 投诉类 and the like, 意见建议, 投诉举报, 求助咨询, 求决, 表扬, 其它; or leave the cell empty to have the kind derived from the text)"))),
        };
        let likes = values::parse_count(self.cell(row, Field::Likes)).map_err(|e| ("likes", e))?;
        let dislikes = values::parse_count(self.cell(row, Field::Dislikes)).map_err(|e| ("dislikes", e))?;
        let posted = values::seconds_text(posted_at);
        let category = self.optional(row, Field::Category);
        Ok(PostRecord {
            content_hash: content_hash(&[&subject, &body, &posted]),
            region: region::extract_region(&subject, &body),
            user_id: self.text(row, Field::UserId),
            // In a posts+replies export a row not answered yet still names the unit it waits on
            // in 答复单位: the post's unit, so that its overdue warning goes to that unit.
            unit: self.optional(row, Field::Unit).or_else(|| {
                (self.map.layout == super::columns::Layout::PostsWithReplies)
                    .then(|| self.optional(row, Field::ReplyUnit))
                    .flatten()
            }),
            category_source: category.as_ref().map(|_| "given"),
            category_prob: None,
            category,
            post_id,
            subject,
            body,
            posted_at,
            kind,
            kind_source,
            likes,
            dislikes,
            source: self.source.to_string(),
            row: row.row,
        })
    }

    /// `Ok(None)` for a post row whose reply cells are all empty: not answered yet.
    fn read_reply(
        &self,
        row: &RawRow,
        posted_at: Option<NaiveDateTime>,
    ) -> Result<Option<ReplyRecord>, (&'static str, String)> {
        let body = self.text(row, Field::Reply);
        let time_cell = self.cell(row, Field::RepliedAt);
        if body.is_empty() && time_cell.is_empty() {
            return if self.map.layout == super::columns::Layout::Replies {
                Err(("body", "the reply has no text".into()))
            } else {
                Ok(None)
            };
        }
        self.excel_error(row, &[Field::ReplyId, Field::Reply, Field::RepliedAt, Field::ReplyUnit, Field::PostId])?;
        if body.is_empty() {
            return Err(("reply", "a reply time (答复时间) but no reply text (答复意见)".into()));
        }
        let post_id = values::parse_id(self.cell(row, Field::PostId))
            .ok_or(("post_id", "missing post_id (留言编号) of the reply".to_string()))?;
        printable_id(&post_id, "post_id")?;
        let replied_at =
            values::parse_datetime(time_cell).map_err(|e| ("replied_at", format!("replied_at (答复时间) {e}")))?;
        not_in_the_future(replied_at, self.latest, "replied_at (答复时间)").map_err(|e| ("replied_at", e))?;
        let replied_at = match posted_at {
            Some(posted_at) => match date_only_on_the_day(replied_at, posted_at) {
                Some(same_day) => same_day,
                None if replied_at < posted_at => {
                    return Err((
                        "replied_at",
                        format!("replied at {replied_at} before the post was made at {posted_at}"),
                    ))
                }
                None => replied_at,
            },
            None => replied_at,
        };
        let replied = values::seconds_text(replied_at);
        let content_hash = content_hash(&[&post_id, &body, &replied]);
        let reply_id = values::parse_id(self.cell(row, Field::ReplyId))
            // No id in the export: the post id and the reply's content identify it, so the
            // same reply in two exports gets the same id.
            .unwrap_or_else(|| format!("{post_id}-{}", &content_hash[..8]));
        printable_id(&reply_id, "reply_id")?;
        let unit = self.optional(row, Field::ReplyUnit).or_else(|| {
            // In a posts+replies export, 承办单位 is the unit that handled (and answered) it.
            (self.map.layout != super::columns::Layout::Posts).then(|| self.optional(row, Field::Unit)).flatten()
        });
        Ok(Some(ReplyRecord {
            unit_source: if unit.is_some() { UnitSource::Given } else { UnitSource::Unknown },
            reply_id,
            post_id,
            unit,
            body,
            replied_at,
            source: self.source.to_string(),
            content_hash,
            row: row.row,
        }))
    }
}

/// A reply dated the post's day with no time ("2019/3/5" to a post of 2019/3/5 9:32): answered that
/// day, at a time the export does not give. Read as the post's own time (a same-day answer),
/// not as midnight, hours before the post. `None` for any other reply time.
pub fn date_only_on_the_day(replied_at: NaiveDateTime, posted_at: NaiveDateTime) -> Option<NaiveDateTime> {
    let midnight = replied_at.time() == chrono::NaiveTime::MIN;
    (midnight && replied_at.date() == posted_at.date() && replied_at < posted_at).then_some(posted_at)
}

/// Resolves the replying unit from the reply's text when the file did not name it.
pub fn resolve_unit(reply: &mut ReplyRecord, registry: &UnitRegistry, post_region: Option<&str>) {
    if reply.unit.is_none() {
        let (unit, source) = registry.resolve_reply_unit(&reply.body, post_region);
        reply.unit = unit;
        reply.unit_source = source;
    }
}
