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
use models::units::UNKNOWN_UNIT;
use serde::{Deserialize, Serialize};
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, SortKeyComputer, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::cases::CaseIndex;
use crate::error::{Result, SearchError};
use crate::query::{self, QueryNode};
use crate::schema::{from_date, to_date, Fields};
use crate::snippet::Highlighter;

/// The most hits one page may hold, and the deepest a page may start.
pub const MAX_LIMIT: usize = 100;
pub const MAX_OFFSET: usize = 10_000;
/// The longest region a search filters by: names such as "A市A7县" are a few characters.
const MAX_REGION_CHARS: usize = 50;
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
    /// The responsible or the addressed unit, exactly; [`UNKNOWN_UNIT`] for the cases that name none.
    pub unit: Option<String>,
    /// A region and every region within it: "A市" also finds "A市A3区", "A3区" finds "A市A3区".
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
    /// When nothing matched: the query with a term that no text holds written as the texts
    /// write a term one character away ("噪音饶民" → "噪音扰民"), and how many cases that finds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

/// The longest term a suggestion is looked for (a place or a topic; a longer one is a phrase
/// of several words, each looked for on its own).
const MAX_SUGGESTED_CHARS: usize = 6;

/// The words one character away from a typed one that a suggestion tries, the most common first.
const MAX_SUGGESTIONS_TRIED: usize = 10;

/// A query to try instead of one that found nothing ([`SearchResults::suggestion`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub query: String,
    pub total: u64,
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
    /// The ids of the same post exported again under other ids (the same subject, body and
    /// time) folded into this hit for showing it ([`fold_twins`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
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
    /// The highlights as character offsets into `text`, as readers outside Rust count (the
    /// API and `search --json`; the evidence spans of scores count characters too).
    pub fn char_highlights(&self) -> Vec<(usize, usize)> {
        let at = |byte: usize| self.text.get(..byte.min(self.text.len())).map_or(0, |s| s.chars().count());
        self.highlights.iter().map(|&(start, end)| (at(start), at(end))).collect()
    }

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
        self.search_suggesting(request, true)
    }

    /// [`Self::search`]; with `suggest`, a query that finds nothing gets a suggestion.
    fn search_suggesting(&self, request: &SearchRequest, suggest: bool) -> Result<SearchResults> {
        check_page(request)?;
        let searcher = self.reader.searcher();
        let request = &self.resolved(&searcher, request)?;
        let node = query::parse(&request.query)?;
        let text_query = match &node {
            None => None,
            Some(node) => Some(query::to_tantivy(node, &self.fields, &self.analyzer).ok_or_else(|| {
                SearchError::bad_query("the query has no words to search for", "use Chinese words, digits or letters")
            })?),
        };
        let sort = match (request.sort, &text_query) {
            (SortBy::Relevance, None) => SortBy::Newest,
            (sort, _) => sort,
        };
        let text_query = text_query.unwrap_or_else(|| Box::new(AllQuery));
        let marked = node.as_ref().map(|node| query::marked_words(node, &self.analyzer)).unwrap_or_default();
        let mut clauses = filters(request, &self.fields)?;
        let filter_count = clauses.len();
        // Without filters the text query runs alone: wrapped in a boolean query, tantivy could
        // not skip blocks of low-scoring documents (block-WAND).
        let query: Box<dyn Query> = if clauses.is_empty() {
            text_query
        } else {
            clauses.push((Occur::Must, text_query));
            Box::new(BooleanQuery::new(clauses))
        };

        // tantivy skips blocks of documents only for a union of terms: one word in the three fields.
        let one_word = match &node {
            Some(QueryNode::Words(text)) => self.analyzer.query_words(text).len() == 1,
            _ => false,
        };
        let ranking = Ranking {
            searcher: &searcher,
            query: &*query,
            skips: one_word && filter_count == 0,
            offset: request.offset,
            limit: request.limit,
        };
        let (total, ranked) = match sort {
            SortBy::Relevance => ranking.by_relevance()?,
            SortBy::Newest | SortBy::Oldest => {
                let order = if sort == SortBy::Newest { Order::Desc } else { Order::Asc };
                ranking.by_key((SortByStaticFastValue::<DateTime>::for_field("posted_at"), order), |_| None)?
            }
            SortBy::Likes => {
                ranking.by_key((SortByStaticFastValue::<i64>::for_field("likes"), Order::Desc), |_| None)?
            }
            SortBy::Score => {
                ranking.by_key((SortByStaticFastValue::<f64>::for_field("score"), Order::Desc), |_| None)?
            }
        };
        let mut suggestion = None;
        if total == 0 {
            self.check_exact_filters(&searcher, request)?;
            if let Some(node) = node.as_ref().filter(|_| suggest) {
                suggestion = self.suggestion(&searcher, request, node)?;
            }
        }
        let snippets = Snippets::for_groups(&searcher, &marked, &self.fields)?;
        let hits = ranked
            .into_iter()
            .map(|(relevance, address)| self.hit(&searcher, address, relevance, &snippets))
            .collect::<Result<_>>()?;
        Ok(SearchResults { total: total as u64, offset: request.offset, hits, suggestion })
    }

    /// For a query that found nothing: the first term typed (a word, or a quoted phrase) that no
    /// subject or body holds as a word, of two to six Chinese characters, written as a word one
    /// character away ("饶民" → "扰民": a typo is most often a character of the same sound), when
    /// the query so written finds cases (with the same filters). Of the words one character away,
    /// the one whose term (the typed term so written, "噪音扰民") the most texts hold as written,
    /// else the most common word ("居民" is in more texts than "扰民", "噪音居民" in almost none).
    fn suggestion(&self, searcher: &Searcher, request: &SearchRequest, node: &QueryNode) -> Result<Option<Suggestion>> {
        let text_fields = [self.fields.subject, self.fields.body];
        let held = |word: &str| -> Result<bool> {
            for field in text_fields {
                if searcher.doc_freq(&Term::from_field_text(field, word))? > 0 {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        let count = |query: String| -> Result<u64> {
            let retry = SearchRequest { query, offset: 0, limit: 1, ..request.clone() };
            Ok(self.search_suggesting(&retry, false)?.total)
        };
        for (typed, _) in query::searched_texts(node) {
            let typed = typed.trim();
            // the term as typed, else each of its words no text holds
            let mut tried: Vec<String> = vec![typed.to_string()];
            tried.extend(self.analyzer.query_words(typed).into_iter().filter(|w| w != typed));
            for word in tried {
                let chars = word.chars().count();
                if !(2..=MAX_SUGGESTED_CHARS).contains(&chars)
                    || !word.chars().all(models::text::is_common_ideograph)
                    || held(&word)?
                {
                    continue;
                }
                let mut best: Option<(u64, String)> = None;
                for replacement in self.words_one_character_away(searcher, &word, &text_fields)? {
                    let written = count(format!("\"{}\"", typed.replacen(word.as_str(), &replacement, 1)))?;
                    if best.as_ref().is_none_or(|(most, _)| written > *most) {
                        best = Some((written, replacement));
                    }
                }
                let Some((_, replacement)) = best else { continue };
                let query = request.query.replacen(word.as_str(), &replacement, 1);
                let total = count(query.clone())?;
                if total > 0 {
                    return Ok(Some(Suggestion { query, total }));
                }
            }
        }
        Ok(None)
    }

    /// The words of the subjects and bodies that differ from `word` in one character (as many
    /// characters, the others in place), the most common first: at most
    /// [`MAX_SUGGESTIONS_TRIED`].
    fn words_one_character_away(&self, searcher: &Searcher, word: &str, fields: &[Field]) -> Result<Vec<String>> {
        let target: Vec<char> = word.chars().collect();
        let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for &field in fields {
            for segment in searcher.segment_readers() {
                let terms = segment.inverted_index(field)?;
                let mut stream = terms.terms().stream().map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                    if term.len() != word.len() {
                        continue; // (the same number of bytes: ideographs are three each)
                    }
                    let differ = term.chars().zip(&target).filter(|(a, b)| a != *b).count();
                    if differ == 1 {
                        *counts.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let mut words: Vec<(String, u64)> = counts.into_iter().collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(words.into_iter().take(MAX_SUGGESTIONS_TRIED).map(|(word, _)| word).collect())
    }

    /// `request` with its region written as the data writes regions ("a7县", "Ａ７县", "A7縣" are
    /// "A7县") and its unit by the name the tables use, when it was given by another name of the
    /// unit registry ("A7县城管局" for "A7县城市管理和行政执法局").
    fn resolved(&self, searcher: &Searcher, request: &SearchRequest) -> Result<SearchRequest> {
        let mut request = request.clone();
        if let Some(region) = &mut request.region {
            *region = crate::analyzer::normalized_place(region.trim());
        }
        if let Some(unit) = &mut request.unit {
            let held = |name: &str| searcher.doc_freq(&Term::from_field_text(self.fields.unit, name)).map(|n| n > 0);
            let trimmed = unit.trim();
            if trimmed != UNKNOWN_UNIT && !held(trimmed)? {
                let canonical = models::units::UnitRegistry::shared().canonical_name(trimmed, None);
                if let Some(canonical) = canonical.filter(|name| held(name).unwrap_or(false)) {
                    *unit = canonical;
                }
            }
        }
        Ok(request)
    }

    /// A search that found nothing because its unit, category or region is no case's (a typo, a
    /// name cut short) is refused, naming the values that contain what was typed: an empty page
    /// would read as "this unit has no such case".
    fn check_exact_filters(&self, searcher: &Searcher, request: &SearchRequest) -> Result<()> {
        let f = &self.fields;
        let unit = request.unit.as_deref().map(str::trim).filter(|unit| *unit != UNKNOWN_UNIT);
        let category = request.category.as_deref().map(str::trim);
        // a region holds its own cases and those of the regions within it
        let within = match request.region.as_deref() {
            None => None,
            Some(region) => Some(regex::Regex::new(&format!("^(?:{})$", regions_within(region))).map_err(|e| {
                SearchError::bad_request(
                    format!("cannot read the region {region:?}: {e}"),
                    "give a region as the data writes it, e.g. A市 or A7县",
                )
            })?),
        };
        // (the value itself, or for a region any within it)
        let filters = [
            (f.unit, "unit", unit, None),
            (f.category, "category", category, None),
            (f.region, "region", request.region.as_deref(), within.as_ref()),
        ];
        for (field, what, value, within) in filters {
            let Some(value) = value else { continue };
            let mut held = false;
            let mut any_held = false;
            let mut alike = std::collections::BTreeSet::new();
            for segment in searcher.segment_readers() {
                let terms = segment.inverted_index(field)?;
                let mut stream = terms.terms().stream().map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                    any_held = true;
                    held |= within.map_or(term == value, |within| within.is_match(term));
                    if is_alike(term, value) {
                        alike.insert(term.to_string());
                    }
                }
            }
            if !any_held && what == "category" {
                // (no name can be right: the posts were never categorised)
                return Err(SearchError::bad_request(
                    format!("no case has a category yet, so none is of the category {value:?}"),
                    "a post has a category when its export has a category column, or when it is ingested with `--category-model` (a model of `wenzheng category train`)",
                ));
            }
            if !held {
                return Err(unheld(what, value, alike));
            }
        }
        Ok(())
    }

    /// The cases most like `post_id` among those posted before it, best first: the post's
    /// subject and body give the query (their most distinctive words), answered cases only.
    pub fn similar(&self, post_id: &str, limit: usize) -> Result<Vec<Hit>> {
        if limit == 0 || limit > MAX_LIMIT {
            return Err(SearchError::bad_request(
                format!("a list of similar cases holds 1 to {MAX_LIMIT} cases, not {limit}"),
                "ask for fewer: the most similar come first",
            ));
        }
        let searcher = self.reader.searcher();
        let id_term = Term::from_field_text(self.fields.post_id, post_id);
        let found = searcher
            .search(&TermQuery::new(id_term, IndexRecordOption::Basic), &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(_, address)) = found.first() else {
            return Err(SearchError::UnknownPost { post_id: post_id.to_string() });
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        let posted_at = doc.get_first(self.fields.posted_at).and_then(|v| v.as_datetime()).unwrap_or(DateTime::MIN);
        let terms = self.distinctive_terms(&searcher, &doc)?;
        // a case sharing one word ("休息", "建议") is not like this one: at least two, of a post
        // with enough words to have two
        let must_share = terms.len().min(MIN_SHARED_TERMS);
        let like_this = BooleanQuery::with_minimum_required_clauses(
            terms
                .into_iter()
                .map(|term| {
                    (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>)
                })
                .collect(),
            must_share,
        );
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

    /// The words of a post's subject and body that best tell it apart, as a "more like this"
    /// query picks them: each word of at least two ideographs (four bytes: "G240" stays), place
    /// codes ("F9市") aside, by its count in the post times its rarity (BM25's idf), among words
    /// in at least 2 and at most a tenth of the cases; the best 25. Ties go by the word, so the
    /// same post always gives the same query (tantivy's `MoreLikeThisQuery` broke ties in hash
    /// order: the same `similar` differed from run to run).
    fn distinctive_terms(&self, searcher: &Searcher, doc: &TantivyDocument) -> Result<Vec<Term>> {
        const MAX_TERMS: usize = 25;
        let cases = searcher.num_docs() as f64;
        let max_cases = (searcher.num_docs() / 10).max(10);
        let mut scored: Vec<(f64, u32, String)> = Vec::new();
        for field in [self.fields.subject, self.fields.body] {
            let mut counts: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
            for text in doc.get_all(field).filter_map(|v| v.as_str()) {
                // (an address's "https", "baidu", "com" tell no post apart, however often pasted)
                let text = without_urls(text);
                // (a place code tells where, not what: two posts of "F9市" are about anything)
                // (nor does a word of one ideograph; a word of letters does: "KTV", "ETC")
                let letters = |w: &String| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_alphabetic());
                let telling = |w: &String| (w.len() >= 4 || letters(w)) && crate::analyzer::place_code(w).is_none();
                for word in self.analyzer.query_words(&text).into_iter().filter(telling) {
                    *counts.entry(word).or_default() += 1;
                }
            }
            for (word, count) in counts {
                let with_word = searcher.doc_freq(&Term::from_field_text(field, &word))?;
                if with_word < 2 || with_word > max_cases {
                    continue;
                }
                let with_word = with_word as f64;
                let idf = (1.0 + (cases - with_word + 0.5) / (with_word + 0.5)).ln();
                // a word said again counts less each time (a long complaint repeats its figures
                // and "不合格"), and the subject says what the post is about
                let tf = 1.0 + f64::from(count).ln();
                let weight = if field == self.fields.subject { SUBJECT_WEIGHT } else { 1.0 };
                scored.push((tf * idf * weight, field.field_id(), word));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| (a.1, &a.2).cmp(&(b.1, &b.2))));
        scored.truncate(MAX_TERMS);
        Ok(scored
            .into_iter()
            .map(|(_, field, word)| Term::from_field_text(Field::from_field_id(field), &word))
            .collect())
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
            also: Vec::new(),
        })
    }
}

/// How deep a tie of relevance at the end of a page is followed before ranking every match by
/// (relevance, post id) instead.
const MAX_TIE_DEPTH: usize = 1_000;

/// The matches of a query, to be ranked into one page.
///
/// Ties (equal relevance, the same time, likes or score) go by post id, as text, so a page is the
/// same on every run and pages never overlap. tantivy breaks ties by segment and document
/// number, and sorting by a text fast field reads text from the term dictionary for every
/// segment's best matches (most of a query's time); so ties are broken by the numeric fast field
/// `id_order` (the id's first 8 bytes), and by the id's text only when two ids at the page's
/// edge share those bytes.
///
/// Relevance is ranked by score alone, which lets tantivy skip blocks of documents that cannot
/// make the page (block-WAND); the top is fetched one deeper than the page, and when the match
/// after the page's last has the same score, deeper until the tie ends (or, past
/// [`MAX_TIE_DEPTH`], by (score, post id) outright). Each tie in the page is then put in post id order.
struct Ranking<'a> {
    searcher: &'a Searcher,
    query: &'a dyn Query,
    /// Whether tantivy can skip documents when ranking by relevance (see `search`).
    skips: bool,
    offset: usize,
    limit: usize,
}

impl Ranking<'_> {
    fn by_relevance(&self) -> Result<Page> {
        let want = self.offset + self.limit;
        let mut depth = want + 1;
        // Counting apart costs a pass without scores, and lets the ranking pass skip documents;
        // when it cannot skip, one pass counts and ranks.
        let (total, mut top) = if self.skips {
            (
                self.query.count(self.searcher)?,
                self.searcher.search(self.query, &TopDocs::with_limit(depth).order_by_score())?,
            )
        } else {
            self.searcher.search(self.query, &(Count, TopDocs::with_limit(depth).order_by_score()))?
        };
        while top.len() == depth && top[want - 1].0 == top[depth - 1].0 {
            if depth > MAX_TIE_DEPTH {
                return self.by_key(SortBySimilarityScore, |score| Some(*score));
            }
            depth = (depth * 8).min(MAX_TIE_DEPTH + 1);
            top = self.searcher.search(self.query, &TopDocs::with_limit(depth).order_by_score())?;
        }
        // Keep the page and the rest of its last tie, then order each tie in the page by post id.
        if let Some(&(last, _)) = top.get(want - 1) {
            let end = want + top[want..].iter().take_while(|(score, _)| *score == last).count();
            top.truncate(end);
        }
        let mut start = 0;
        while start < top.len().min(want) {
            let end = start + top[start..].iter().take_while(|(score, _)| *score == top[start].0).count();
            if end - start > 1 && end > self.offset {
                let mut tie: Vec<((u64, String), (f32, DocAddress))> = top[start..end]
                    .iter()
                    .map(|&hit| Ok(((id_order_of(self.searcher, hit.1)?, String::new()), hit)))
                    .collect::<Result<_>>()?;
                tie.sort_by(|a, b| a.0.cmp(&b.0));
                if tie.windows(2).any(|w| w[0].0 .0 == w[1].0 .0) {
                    for (key, hit) in &mut tie {
                        key.1 = post_id(self.searcher, hit.1)?;
                    }
                }
                tie.sort_by(|a, b| a.0.cmp(&b.0));
                for (slot, (_, hit)) in top[start..end].iter_mut().zip(tie) {
                    *slot = hit;
                }
            }
            start = end;
        }
        let page = top.into_iter().take(want).skip(self.offset).map(|(score, doc)| (Some(score), doc)).collect();
        Ok((total, page))
    }

    /// The page by `key`, then post id; `relevance` tells a hit's relevance from its key.
    fn by_key<S>(&self, key: S, relevance: fn(&S::SortKey) -> Option<f32>) -> Result<Page>
    where
        S: SortKeyComputer + Clone + Send + Sync + 'static,
        S::SortKey: PartialEq + Clone + Send + Sync + std::fmt::Debug + 'static,
    {
        let want = self.offset + self.limit;
        let by_order = (key.clone(), (SortByStaticFastValue::<u64>::for_field("id_order"), Order::Asc));
        let (total, top) =
            self.searcher.search(self.query, &(Count, TopDocs::with_limit(want + 1).order_by(by_order)))?;
        // Two ids sharing their first 8 bytes with equal keys, in the page or at its edges.
        let edges = top.get(self.offset.saturating_sub(1)..).unwrap_or_default();
        if !edges.windows(2).any(|w| w[0].0 == w[1].0) {
            let page = top.into_iter().take(want).skip(self.offset).map(|((k, _), doc)| (relevance(&k), doc));
            return Ok((total, page.collect()));
        }
        let by_id = (SortByString::for_field("post_id"), Order::Asc);
        let top = self.searcher.search(self.query, &TopDocs::with_limit(want).order_by((key, by_id)))?;
        Ok((total, top.into_iter().skip(self.offset).map(|((k, _), doc)| (relevance(&k), doc)).collect()))
    }
}

/// The `id_order` of a document, from the fast field.
fn id_order_of(searcher: &Searcher, address: DocAddress) -> Result<u64> {
    let column = searcher.segment_reader(address.segment_ord).fast_fields().u64("id_order")?;
    Ok(column.first(address.doc_id).unwrap_or_default())
}

/// The post id of a document, from the fast field.
fn post_id(searcher: &Searcher, address: DocAddress) -> Result<String> {
    let mut id = String::new();
    let fast = searcher.segment_reader(address.segment_ord).fast_fields();
    if let Some(ids) = fast.str("post_id")? {
        if let Some(ord) = ids.ords().first(address.doc_id) {
            ids.ord_to_str(ord, &mut id).map_err(tantivy::TantivyError::from)?;
        }
    }
    Ok(id)
}

/// A page of matches: the total, then each match's relevance (when computed) and address.
type Page = (usize, Vec<(Option<f32>, DocAddress)>);

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
    // A kind is one of six words (or their English names): a typo must not read as "no case".
    let kind = match request.kind.as_deref() {
        None => None,
        Some(text) => match models::PostKind::parse(text) {
            Some(kind) => Some(kind.as_str().to_string()),
            None => {
                return Err(SearchError::bad_request(
                    format!("no post kind is called {text:?}"),
                    "use one of 咨询 建议 求助 投诉 举报 其他 (or consultation, suggestion, help, complaint, report, other)",
                ));
            }
        },
    };
    for (field, value) in
        [(f.unit, &request.unit), (f.region, &request.region), (f.kind, &kind), (f.category, &request.category)]
    {
        let Some(value) = value.as_deref().map(str::trim) else { continue };
        if field == f.unit && value == UNKNOWN_UNIT {
            // The reports' name for "no unit": the cases that hold no unit term at all.
            let any_unit = RegexQuery::from_pattern(".+", f.unit)?;
            out.push(Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, Box::new(any_unit)),
            ])));
            continue;
        }
        if field == f.region {
            // (the pattern's automaton grows with the name: tantivy refuses one of about 480 bytes)
            if value.chars().count() > MAX_REGION_CHARS {
                return Err(SearchError::bad_request(
                    format!("a region is at most {MAX_REGION_CHARS} characters, not {}", value.chars().count()),
                    "give a region as the data writes it, e.g. A市 or A7县",
                ));
            }
            out.push(Box::new(RegexQuery::from_pattern(&regions_within(value), f.region)?));
            continue;
        }
        out.push(Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic)));
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
        // The index keeps nanoseconds in an i64 (years 1678 to 2261); a day beyond would wrap
        // and the bound cut the wrong side. Clamped, it still falls after (or before) every post.
        let (first, last) = (NaiveDate::from_ymd_opt(1678, 1, 1), NaiveDate::from_ymd_opt(2261, 12, 31));
        let start = |day: NaiveDate| {
            let day = day.clamp(first.unwrap_or(day), last.unwrap_or(day));
            Term::from_field_date(f.posted_at, to_date(day.and_hms_opt(0, 0, 0).unwrap_or_default()))
        };
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

/// The same post exported twice under two ids (the same subject, body and time: 196 pairs in
/// the real exports) as one hit: the answered copy, at the place of the first, naming the other
/// ids. For showing a page (the CLI, the API): the index itself ranks and pages every case.
/// (Within a page: the twin of a hit on another page is still listed there.)
pub fn fold_twins(hits: Vec<Hit>) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        let twin = out.iter_mut().find(|kept| {
            kept.posted_at == hit.posted_at && kept.subject.text == hit.subject.text && kept.body.text == hit.body.text
        });
        match twin {
            None => out.push(hit),
            Some(kept) if kept.reply.is_none() && hit.reply.is_some() => {
                let unanswered = std::mem::replace(kept, hit);
                kept.also.push(unanswered.post_id);
                kept.also.extend(unanswered.also);
            }
            Some(kept) => {
                kept.also.push(hit.post_id);
                kept.also.extend(hit.also);
            }
        }
    }
    out
}

/// "units", "regions", "categories".
fn plural(what: &str) -> String {
    match what.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{what}s"),
    }
}

/// Whether `name` is one to suggest for a `value` that names nothing: it contains the value, or
/// the value contains it.
pub fn is_alike(name: &str, value: &str) -> bool {
    name.contains(value) || value.contains(name)
}

/// What a refusal of `value` adds to name the `alike` ones (at most five, in order), e.g.
/// " (units with it in their name: A5区环保局)"; empty when there are none. The command line
/// and the API suggest names alike with it.
pub fn names_like_it(what: &str, alike: std::collections::BTreeSet<String>) -> String {
    match alike.len() {
        0 => String::new(),
        _ => format!(
            " ({} with it in their name: {})",
            plural(what),
            alike.into_iter().take(5).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The refusal of a filter value that no case holds, naming the values that contain it (or that
/// it contains).
fn unheld(what: &str, value: &str, alike: std::collections::BTreeSet<String>) -> SearchError {
    let alike = names_like_it(what, alike);
    SearchError::bad_request(
        format!("no case is of the {what} {value:?}{alike}"),
        "give the name exactly as the data writes it",
    )
}

/// The regions within `region`, as a pattern over the stored regions (`models::region`): a
/// district is written with its city ("A市A3区"), so a code anywhere in a region names it or a
/// region above it; a county or county-level city is written alone ("A7县", "A9市") and belongs
/// to the city of its letter, so "A市" takes in the regions whose code starts "A" and a digit.
fn regions_within(region: &str) -> String {
    let mut chars = region.chars();
    let city_letter = match (chars.next(), chars.next(), chars.next()) {
        (Some(letter), Some('市'), None) if letter.is_ascii_uppercase() => Some(letter),
        _ => None,
    };
    match city_letter {
        Some(letter) => format!("{letter}市.*|{letter}[0-9].*"),
        // Escaped as tantivy's regex syntax (regex-syntax) reads it: there a backslash before "<"
        // makes a word boundary, not a "<".
        None => format!(".*{}.*", regex::escape(region)),
    }
}

/// The words to mark in each text field, for one query.
struct Snippets {
    subject: Highlighter,
    body: Highlighter,
    reply: Highlighter,
}

impl Snippets {
    fn for_groups(searcher: &Searcher, groups: &[Vec<String>], f: &Fields) -> Result<Snippets> {
        Ok(Snippets {
            subject: Highlighter::for_groups(searcher, groups, f.subject)?,
            body: Highlighter::for_groups(searcher, groups, f.body)?,
            reply: Highlighter::for_groups(searcher, groups, f.reply)?,
        })
    }

    fn new(searcher: &Searcher, query: &dyn Query, f: &Fields) -> Result<Snippets> {
        Ok(Snippets {
            subject: Highlighter::new(searcher, query, f.subject)?,
            body: Highlighter::new(searcher, query, f.body)?,
            reply: Highlighter::new(searcher, query, f.reply)?,
        })
    }
}

impl Highlighter {
    /// The best-matching piece of `text` with its highlights; without a match, its start (at
    /// most `fallback_bytes`, cut at a character boundary). A subject is always whole.
    fn make(&self, text: &str, fallback_bytes: usize) -> Snippet {
        if fallback_bytes == usize::MAX {
            return Snippet { text: text.to_string(), highlights: self.whole(text), truncated: false };
        }
        let Some(found) = self.fragment(text, SNIPPET_BYTES) else {
            let mut end = fallback_bytes.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let end = past_number(text, end);
            return Snippet { text: text[..end].to_string(), highlights: Vec::new(), truncated: end < text.len() };
        };
        // A fragment ends with its last word: keep the punctuation that closes it.
        let range = found.fragment;
        let end = range.end + text[range.end..].find(char::is_alphanumeric).unwrap_or(text.len() - range.end);
        let (start, end) = (before_number(text, range.start), past_number(text, end));
        let shift = range.start - start;
        Snippet {
            text: text[start..end].to_string(),
            highlights: found.highlights.into_iter().map(|(a, b)| (a + shift, b + shift)).collect(),
            truncated: start > 0 || end < text.len(),
        }
    }
}

/// Most bytes a snippet's edge moves to take in the whole of a number it would cut.
const NUMBER_REACH: usize = 40;

/// An ASCII or full-width digit.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Whether `c` is part of a written number: a digit, or what stands between its groups
/// ("138 1234 5678", "0731-84561234", "+86", "（0731）").
fn in_number(c: char) -> bool {
    is_digit(c) || matches!(c, ' ' | '-' | '－' | '+' | '(' | ')' | '（' | '）' | 'X' | 'x')
}

/// Whether a cut at byte `at` falls inside a number: number characters on both sides, one of
/// them a digit.
fn inside_number(text: &str, at: usize) -> bool {
    match (text[..at].chars().next_back(), text[at..].chars().next()) {
        (Some(before), Some(after)) => in_number(before) && in_number(after) && (is_digit(before) || is_digit(after)),
        _ => false,
    }
}

/// `start`, moved back to the beginning of a number it falls inside. A snippet cut through a
/// phone or ID-card number would show digits the API's masking cannot recognise as one
/// ("…联系电话138123456"): the whole number is shown, and masked whole.
fn before_number(text: &str, start: usize) -> usize {
    if !inside_number(text, start) {
        return start;
    }
    text[..start]
        .char_indices()
        .rev()
        .take_while(|&(i, c)| in_number(c) && start - i <= NUMBER_REACH)
        .last()
        .map_or(start, |(i, _)| i)
}

/// `end`, moved on to the end of a number it falls inside (see [`before_number`]).
fn past_number(text: &str, end: usize) -> usize {
    if !inside_number(text, end) {
        return end;
    }
    text[end..]
        .char_indices()
        .take_while(|&(i, c)| in_number(c) && i <= NUMBER_REACH)
        .last()
        .map_or(end, |(i, c)| end + i + c.len_utf8())
}

/// How much more a word of the subject tells than one of the body, picking a post's words.
const SUBJECT_WEIGHT: f64 = 2.0;

/// Fewest of a post's distinctive words a case must share to be called similar.
const MIN_SHARED_TERMS: usize = 2;

/// `text` with its web addresses ("https://baidu.com/…") blanked out.
fn without_urls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("http") && !text.contains("www.") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["https://", "http://", "www."].iter().filter_map(|p| rest.find(p)).min() {
        out.push_str(&rest[..at]);
        let url = &rest[at..];
        let end = url.find(|c: char| !c.is_ascii_graphic()).unwrap_or(url.len());
        out.push(' ');
        rest = &url[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{before_number, past_number};

    #[test]
    fn a_snippet_edge_inside_a_number_moves_to_take_the_whole_number() {
        let text = "请联系电话13812345678，地址";
        let inside = text.find("456").unwrap();
        assert_eq!(&text[before_number(text, inside)..], "13812345678，地址");
        assert_eq!(&text[..past_number(text, inside)], "请联系电话13812345678");
        let id = "身份证430102 19900101 1234号";
        let at = id.find("1990").unwrap();
        assert_eq!(&id[before_number(id, at)..past_number(id, at)], "430102 19900101 1234");
    }

    #[test]
    fn an_edge_beside_a_number_or_between_words_stays() {
        let text = "电话 13812345678 请拨打";
        let after = text.find(" 请").unwrap() + 1;
        assert_eq!(past_number(text, after), after);
        let words = "油烟扰民，噪音";
        let at = words.find("噪").unwrap();
        assert_eq!(before_number(words, at), at);
        assert_eq!(past_number(words, at), at);
    }
}
