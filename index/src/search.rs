//! Searching the cases: a [`SearchRequest`] (query text, filters, sort, page) in, a page of
//! [`Hit`]s out, each with highlighted snippets of its subject, body and reply; and similar
//! earlier cases for a post.
//!
//! Highlights are byte ranges into the snippet's text ([`Snippet::highlights`]), not markup, so
//! each front end marks them its own way (ANSI on a terminal, `<mark>` on a web page after
//! escaping the text); [`Snippet::marked`] does the simple case. Stored documents are read only
//! for the hits of the requested page.

use std::ops::Bound;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, SortKeyComputer, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::cases::CaseIndex;
use crate::error::{Result, SearchError};
use crate::query;
use crate::schema::{from_date, to_date, Fields};

/// The most hits one page may hold, and the deepest a page may start.
pub const MAX_LIMIT: usize = 100;
pub const MAX_OFFSET: usize = 10_000;
/// Snippet length in bytes (about 80 Chinese characters).
const SNIPPET_BYTES: usize = 240;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Best match first; the newest first when the query has no words.
    #[default]
    Relevance,
    Newest,
    Oldest,
    Likes,
    /// The most evasive or vague reply first.
    Score,
}

impl SortBy {
    pub fn parse(text: &str) -> Option<SortBy> {
        Some(match text {
            "relevance" => SortBy::Relevance,
            "newest" | "date" => SortBy::Newest,
            "oldest" => SortBy::Oldest,
            "likes" => SortBy::Likes,
            "score" => SortBy::Score,
            _ => return None,
        })
    }
}

/// What to search for. `Default` is every case, best match first, first 20.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// Words, "phrases", AND / OR / NOT, brackets (see the `query` module); empty for all.
    pub query: String,
    /// The responsible or the addressed unit, exactly.
    pub unit: Option<String>,
    pub region: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    /// Posted on or after this day.
    pub from: Option<NaiveDate>,
    /// Posted on or before this day.
    pub to: Option<NaiveDate>,
    /// Only cases whose reply is flagged evasive or vague (level 2).
    pub flagged_only: bool,
    /// Only cases whose reply scores at least this, evasive or vague (0..1).
    pub min_score: Option<f64>,
    pub sort: SortBy,
    pub offset: usize,
    /// At most [`MAX_LIMIT`].
    pub limit: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            unit: None,
            region: None,
            kind: None,
            category: None,
            from: None,
            to: None,
            flagged_only: false,
            min_score: None,
            sort: SortBy::Relevance,
            offset: 0,
            limit: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Cases matching the query and filters, of which `hits` is one page.
    pub total: u64,
    pub offset: usize,
    pub hits: Vec<Hit>,
}

/// A case found: the post, a snippet of each text, and how it was answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub post_id: String,
    /// Relevance (BM25) when sorted by relevance.
    pub relevance: Option<f32>,
    pub subject: Snippet,
    pub body: Snippet,
    pub posted_at: NaiveDateTime,
    /// The responsible unit (the replying one, else the addressed one).
    pub unit: Option<String>,
    pub region: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub likes: i64,
    pub reply: Option<ReplySummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplySummary {
    pub text: Snippet,
    pub replied_at: Option<NaiveDateTime>,
    pub workdays_to_reply: Option<i64>,
    /// Levels and scores, when the reply has been scored.
    pub evasive_level: Option<u64>,
    pub vague_level: Option<u64>,
    pub evasive_score: Option<f64>,
    pub vague_score: Option<f64>,
    pub reply_type: Option<String>,
}

/// A piece of a text with the matched words marked by byte ranges into `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
    /// Whether `text` is cut from a longer one.
    pub truncated: bool,
}

impl Snippet {
    /// The text with every highlight between `open` and `close` (no escaping).
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * (open.len() + close.len()));
        let mut at = 0;
        for &(start, end) in &self.highlights {
            out.push_str(&self.text[at..start]);
            out.push_str(open);
            out.push_str(&self.text[start..end]);
            out.push_str(close);
            at = end;
        }
        out.push_str(&self.text[at..]);
        out
    }

    /// The highlighted words, in order.
    pub fn highlighted(&self) -> Vec<&str> {
        self.highlights.iter().map(|&(s, e)| &self.text[s..e]).collect()
    }
}

impl CaseIndex {
    /// One page of the cases matching `request`.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        check_page(request)?;
        let text_query = match query::parse(&request.query)? {
            None => None,
            Some(node) => Some(query::to_tantivy(&node, &self.fields, &self.analyzer).ok_or_else(|| {
                SearchError::bad_query("the query has no words to search for", "use Chinese words, digits or letters")
            })?),
        };
        let sort = match (request.sort, &text_query) {
            (SortBy::Relevance, None) => SortBy::Newest,
            (sort, _) => sort,
        };
        let mut clauses = filters(request, &self.fields)?;
        let highlight_query: Box<dyn Query> =
            text_query.as_ref().map_or_else(|| Box::new(AllQuery) as _, |q| q.box_clone());
        clauses.push((Occur::Must, text_query.unwrap_or_else(|| Box::new(AllQuery))));
        let query = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let page = TopDocs::with_limit(request.limit).and_offset(request.offset);
        // Ties (equal scores, the same day, likes or score) go by post id, so a page is the same
        // on every run and pages never overlap; otherwise their order follows segment layout.
        let by_id = (SortByString::for_field("post_id"), Order::Asc);
        let (total, ranked): (usize, Vec<(Option<f32>, DocAddress)>) = match sort {
            SortBy::Relevance => {
                let (total, top) = searcher.search(&query, &(Count, page.order_by((SortBySimilarityScore, by_id))))?;
                (total, top.into_iter().map(|((score, _), doc)| (Some(score), doc)).collect())
            }
            SortBy::Newest | SortBy::Oldest => {
                let order = if sort == SortBy::Newest { Order::Desc } else { Order::Asc };
                top_by(
                    &searcher,
                    &query,
                    page,
                    (SortByStaticFastValue::<DateTime>::for_field("posted_at"), order),
                    by_id,
                )?
            }
            SortBy::Likes => {
                top_by(&searcher, &query, page, (SortByStaticFastValue::<i64>::for_field("likes"), Order::Desc), by_id)?
            }
            SortBy::Score => {
                top_by(&searcher, &query, page, (SortByStaticFastValue::<f64>::for_field("score"), Order::Desc), by_id)?
            }
        };
        let snippets = Snippets::new(&searcher, &*highlight_query, &self.fields)?;
        let hits = ranked
            .into_iter()
            .map(|(relevance, address)| self.hit(&searcher, address, relevance, &snippets))
            .collect::<Result<_>>()?;
        Ok(SearchResults { total: total as u64, offset: request.offset, hits })
    }

    /// The cases most like `post_id` among those posted before it, best first: the post's
    /// subject and body give the query (their most distinctive words), answered cases only.
    pub fn similar(&self, post_id: &str, limit: usize) -> Result<Vec<Hit>> {
        check_page(&SearchRequest { limit, ..SearchRequest::default() })?;
        let searcher = self.reader.searcher();
        let id_term = Term::from_field_text(self.fields.post_id, post_id);
        let found = searcher
            .search(&TermQuery::new(id_term, IndexRecordOption::Basic), &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(_, address)) = found.first() else {
            return Err(SearchError::UnknownPost { post_id: post_id.to_string() });
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let text_of = |field: Field| {
            doc.get_all(field).filter_map(|v| v.as_str().map(|s| OwnedValue::Str(s.to_string()))).collect::<Vec<_>>()
        };
        let posted_at = doc.get_first(self.fields.posted_at).and_then(|v| v.as_datetime()).unwrap_or(DateTime::MIN);
        let like_this = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(2)
            .with_max_doc_frequency((searcher.num_docs() / 10).max(10))
            .with_min_term_frequency(1)
            .with_max_query_terms(25)
            // Bytes: drops single ideographs (3 bytes), keeps two-character words and codes like "G240".
            .with_min_word_length(4)
            .with_document_fields(vec![
                (self.fields.subject, text_of(self.fields.subject)),
                (self.fields.body, text_of(self.fields.body)),
            ]);
        let earlier =
            RangeQuery::new(Bound::Unbounded, Bound::Excluded(Term::from_field_date(self.fields.posted_at, posted_at)));
        let answered = tantivy::query::ExistsQuery::new("replied_at".to_string(), false);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like_this) as Box<dyn Query>),
            (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(earlier), 0.0))),
            (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(answered), 0.0))),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let snippets = Snippets::new(&searcher, &query, &self.fields)?;
        top.into_iter().map(|(score, address)| self.hit(&searcher, address, Some(score), &snippets)).collect()
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        relevance: Option<f32>,
        snippets: &Snippets,
    ) -> Result<Hit> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
        let date = |field: Field| doc.get_first(field).and_then(|v| v.as_datetime()).map(from_date);
        let int = |field: Field| doc.get_first(field).and_then(|v| v.as_i64());
        let uint = |field: Field| doc.get_first(field).and_then(|v| v.as_u64());
        let float = |field: Field| doc.get_first(field).and_then(|v| v.as_f64());
        let reply = text(f.reply).map(|body| ReplySummary {
            text: snippets.reply.make(&body, 120),
            replied_at: date(f.replied_at),
            workdays_to_reply: int(f.workdays),
            evasive_level: uint(f.evasive_level),
            vague_level: uint(f.vague_level),
            evasive_score: float(f.evasive_score),
            vague_score: float(f.vague_score),
            reply_type: text(f.reply_type),
        });
        Ok(Hit {
            post_id: text(f.post_id).unwrap_or_default(),
            relevance,
            subject: snippets.subject.make(&text(f.subject).unwrap_or_default(), usize::MAX),
            body: snippets.body.make(&text(f.body).unwrap_or_default(), SNIPPET_BYTES),
            posted_at: date(f.posted_at).unwrap_or_default(),
            unit: text(f.unit),
            region: text(f.region),
            kind: text(f.kind),
            category: text(f.category),
            likes: int(f.likes).unwrap_or_default(),
            reply,
        })
    }
}

/// A page of matches: the total, then each match's relevance (when computed) and address.
type Page = (usize, Vec<(Option<f32>, DocAddress)>);

/// The page of `query`'s matches ordered by `key`, ties by `tie` (relevance not computed).
fn top_by<K, T>(searcher: &Searcher, query: &dyn Query, page: TopDocs, key: K, tie: T) -> Result<Page>
where
    K: SortKeyComputer + Send + Sync + 'static,
    T: SortKeyComputer + Send + Sync + 'static,
    (K::SortKey, T::SortKey): 'static + Clone + Send + Sync + std::fmt::Debug,
{
    let (total, top) = searcher.search(query, &(Count, page.order_by((key, tie))))?;
    Ok((total, top.into_iter().map(|(_, doc)| (None, doc)).collect()))
}

fn check_page(request: &SearchRequest) -> Result<()> {
    if request.limit == 0 || request.limit > MAX_LIMIT {
        return Err(SearchError::bad_request(
            format!("a page holds 1 to {MAX_LIMIT} cases, not {}", request.limit),
            "ask for fewer and page with the offset",
        ));
    }
    if request.offset > MAX_OFFSET {
        return Err(SearchError::bad_request(
            format!("pages start at most {MAX_OFFSET} cases deep, not {}", request.offset),
            "narrow the search with words or filters",
        ));
    }
    Ok(())
}

/// The filter clauses of a request; they restrict, they do not change relevance.
fn filters(request: &SearchRequest, f: &Fields) -> Result<Vec<(Occur, Box<dyn Query>)>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    for (field, value) in
        [(f.unit, &request.unit), (f.region, &request.region), (f.kind, &request.kind), (f.category, &request.category)]
    {
        if let Some(value) = value {
            out.push(Box::new(TermQuery::new(Term::from_field_text(field, value.trim()), IndexRecordOption::Basic)));
        }
    }
    if let (Some(from), Some(to)) = (request.from, request.to) {
        if from > to {
            return Err(SearchError::bad_request(
                format!("the date range {from} to {to} is empty"),
                "put the earlier day first",
            ));
        }
    }
    if request.from.is_some() || request.to.is_some() {
        let start =
            |day: NaiveDate| Term::from_field_date(f.posted_at, to_date(day.and_hms_opt(0, 0, 0).unwrap_or_default()));
        let lower = request.from.map_or(Bound::Unbounded, |day| Bound::Included(start(day)));
        // Up to the end of the last day: before the start of the next one.
        let upper =
            request.to.and_then(|day| day.succ_opt()).map_or(Bound::Unbounded, |day| Bound::Excluded(start(day)));
        out.push(Box::new(RangeQuery::new(lower, upper)));
    }
    if request.flagged_only {
        let level_2 = |field: Field| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_u64(field, 2), IndexRecordOption::Basic))
        };
        out.push(Box::new(BooleanQuery::new(vec![
            (Occur::Should, level_2(f.evasive_level)),
            (Occur::Should, level_2(f.vague_level)),
        ])));
    }
    if let Some(min) = request.min_score {
        if !(0.0..=1.0).contains(&min) {
            return Err(SearchError::bad_request(
                format!("the minimum score {min} is outside 0 to 1"),
                "scores run from 0 to 1",
            ));
        }
        out.push(Box::new(RangeQuery::new(Bound::Included(Term::from_field_f64(f.score, min)), Bound::Unbounded)));
    }
    Ok(out.into_iter().map(|q| (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>)).collect())
}

/// A snippet generator per text field, for one query.
struct Snippets {
    subject: FieldSnippets,
    body: FieldSnippets,
    reply: FieldSnippets,
}

impl Snippets {
    fn new(searcher: &Searcher, query: &dyn Query, f: &Fields) -> Result<Snippets> {
        let make = |field| -> Result<FieldSnippets> {
            let mut generator = SnippetGenerator::create(searcher, query, field)?;
            generator.set_max_num_chars(SNIPPET_BYTES);
            Ok(FieldSnippets(generator))
        };
        Ok(Snippets { subject: make(f.subject)?, body: make(f.body)?, reply: make(f.reply)? })
    }
}

struct FieldSnippets(SnippetGenerator);

impl FieldSnippets {
    /// The best-matching piece of `text` with its highlights; without a match, its start (at
    /// most `fallback_bytes`, cut at a character boundary). A subject is always whole.
    fn make(&self, text: &str, fallback_bytes: usize) -> Snippet {
        if fallback_bytes == usize::MAX {
            let found = self.0.snippet(text);
            let shift = found.fragment_range().start;
            let highlights = if found.is_empty() { Vec::new() } else { merged(found.highlighted(), shift) };
            return Snippet { text: text.to_string(), highlights, truncated: false };
        }
        let found = self.0.snippet(text);
        if found.is_empty() || found.highlighted().is_empty() {
            let mut end = fallback_bytes.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            return Snippet { text: text[..end].to_string(), highlights: Vec::new(), truncated: end < text.len() };
        }
        // A fragment ends with its last word: keep the punctuation that closes it.
        let range = found.fragment_range();
        let end = range.end + text[range.end..].find(char::is_alphanumeric).unwrap_or(text.len() - range.end);
        Snippet {
            text: text[range.start..end].to_string(),
            highlights: merged(found.highlighted(), 0),
            truncated: range.start > 0 || end < text.len(),
        }
    }
}

/// Highlight ranges sorted, overlapping ones (a word and its parts) merged, shifted by `shift`.
fn merged(ranges: &[std::ops::Range<usize>], shift: usize) -> Vec<(usize, usize)> {
    let mut sorted: Vec<(usize, usize)> = ranges.iter().map(|r| (r.start + shift, r.end + shift)).collect();
    sorted.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        match out.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}
