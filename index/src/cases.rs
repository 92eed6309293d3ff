//! The index of past cases on disk: opening it (with the Chinese tokenizer registered),
//! what it holds (post id → fingerprint), and updating it in batches.
//!
//! Updates never rebuild: a new case is added, a changed one is deleted by `post_id` and added
//! again, in the same commit. Commits come every [`COMMIT_EVERY`] documents and at the end, never
//! per document; a run killed between commits leaves the last committed state, and the next run
//! sees (by fingerprints) what is still missing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tantivy::directory::MmapDirectory;
use tantivy::indexer::LogMergePolicy;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Term, TERMINATED};

use crate::analyzer::{ChineseAnalyzer, ChineseTokenizer, TOKENIZER_NAME};
use crate::error::{Result, SearchError};
use crate::schema::{build_schema, Fields, IndexDoc};

/// Documents between two commits. Each commit closes a segment per writer thread, so a fresh
/// build of a million cases makes about ten segments of 100,000.
pub const COMMIT_EVERY: usize = 200_000;
/// Writer memory, split between its threads (tantivy wants at least 15 MB per thread): enough
/// for a thread's 100,000 cases between commits, so segments are not cut smaller.
pub const WRITER_MEMORY: usize = 800_000_000;
pub const WRITER_THREADS: usize = 2;
/// Segments of about one size are merged once there are this many: more than a fresh build of a
/// million cases makes, so its segments are not merged again (a merge re-writes every posting,
/// and ten segments search about as fast as four); small segments of updates still are.
pub const MERGE_AT: usize = 12;

/// An opened index of cases.
pub struct CaseIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) analyzer: ChineseAnalyzer,
    extra_words: String,
    path: Option<PathBuf>,
}

impl CaseIndex {
    /// Opens an existing index folder; `extra_words` are local words beyond the built-in ones
    /// (the same text must be given when building and searching).
    pub fn open(path: &Path, extra_words: &str) -> Result<CaseIndex> {
        if !path.join("meta.json").exists() {
            return Err(SearchError::Missing { path: path.to_path_buf() });
        }
        let corrupt =
            |e: &dyn std::fmt::Display| SearchError::Corrupt { path: path.to_path_buf(), reason: e.to_string() };
        let directory = MmapDirectory::open(path).map_err(|e| corrupt(&e))?;
        let index = Index::open(directory).map_err(|e| corrupt(&e))?;
        let (schema, _) = build_schema();
        if index.schema() != schema {
            return Err(corrupt(&"it was built by another version of wenzheng"));
        }
        Self::prepare(index, extra_words, Some(path)).map_err(|e| match e {
            SearchError::Tantivy(e) => corrupt(&e),
            other => other,
        })
    }

    /// Opens the index folder, creating an empty index when there is none.
    pub fn open_or_create(path: &Path, extra_words: &str) -> Result<CaseIndex> {
        if path.join("meta.json").exists() {
            return Self::open(path, extra_words);
        }
        std::fs::create_dir_all(path).map_err(|e| SearchError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("cannot create the folder: {e}"),
        })?;
        let index = Index::create_in_dir(path, build_schema().0)?;
        Self::prepare(index, extra_words, Some(path))
    }

    /// An index in memory, for tests and one-off use.
    pub fn in_memory(extra_words: &str) -> Result<CaseIndex> {
        Self::prepare(Index::create_in_ram(build_schema().0), extra_words, None)
    }

    fn prepare(index: Index, extra_words: &str, path: Option<&Path>) -> Result<CaseIndex> {
        let analyzer = ChineseAnalyzer::new(extra_words);
        index.tokenizers().register(TOKENIZER_NAME, ChineseTokenizer { analyzer: analyzer.clone() });
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let (_, fields) = build_schema();
        Ok(CaseIndex {
            index,
            reader,
            fields,
            analyzer,
            extra_words: extra_words.to_string(),
            path: path.map(Path::to_path_buf),
        })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn num_cases(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The fingerprint [`Self::fingerprints`] will report for `doc` once it is indexed.
    pub fn fingerprint(&self, doc: &IndexDoc) -> u64 {
        doc.fingerprint(&self.extra_words)
    }

    /// Every indexed case: post id → fingerprint, read from fast fields (no stored document).
    pub fn fingerprints(&self) -> Result<HashMap<String, u64>> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::with_capacity(searcher.num_docs() as usize);
        let mut id = String::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let Some(ids) = fast.str("post_id")? else { continue };
            let prints = fast.u64("fingerprint")?;
            for doc in segment.doc_ids_alive() {
                let (Some(ord), Some(print)) = (ids.ords().first(doc), prints.first(doc)) else { continue };
                if ids.ord_to_str(ord, &mut id).map_err(tantivy::TantivyError::from)? {
                    out.insert(id.clone(), print);
                }
            }
        }
        Ok(out)
    }

    /// What the index holds of the cases `post_ids` (those it holds): their fingerprint and
    /// whether they were indexed with scores. Looks each id up in the `post_id` terms, so a daily
    /// update reads a few thousand entries, not a million ([`Self::fingerprints`]).
    pub fn cases_of<'a>(&self, post_ids: impl IntoIterator<Item = &'a str>) -> Result<HashMap<String, IndexedCase>> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::new();
        let segments = searcher.segment_readers();
        let mut readers = Vec::with_capacity(segments.len());
        for segment in segments {
            let fast = segment.fast_fields();
            readers.push((
                segment,
                segment.inverted_index(self.fields.post_id)?,
                fast.u64("fingerprint")?,
                fast.u64("evasive_level")?,
            ));
        }
        for post_id in post_ids {
            let term = Term::from_field_text(self.fields.post_id, post_id);
            for (segment, terms, prints, levels) in &readers {
                let postings =
                    terms.read_postings(&term, IndexRecordOption::Basic).map_err(tantivy::TantivyError::from)?;
                let Some(mut postings) = postings else { continue };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !segment.is_deleted(doc) {
                        if let Some(fingerprint) = prints.first(doc) {
                            let scored = levels.first(doc).is_some();
                            out.insert(post_id.to_string(), IndexedCase { fingerprint, scored });
                        }
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(out)
    }

    /// A writer for a batch of changes; nothing is visible until [`CaseUpdater::finish`].
    pub fn updater(&self) -> Result<CaseUpdater<'_>> {
        let writer = self.index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)?;
        let mut merges = LogMergePolicy::default();
        merges.set_min_num_segments(MERGE_AT);
        writer.set_merge_policy(Box::new(merges));
        Ok(CaseUpdater { cases: self, writer, pending: 0, report: UpdateReport::default() })
    }
}

/// A case as the index holds it ([`CaseIndex::cases_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexedCase {
    pub fingerprint: u64,
    /// Indexed with its reply's scores.
    pub scored: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct UpdateReport {
    pub added: u64,
    pub replaced: u64,
    pub deleted: u64,
    pub commits: u64,
}

pub struct CaseUpdater<'a> {
    cases: &'a CaseIndex,
    writer: IndexWriter,
    pending: usize,
    report: UpdateReport,
}

impl CaseUpdater<'_> {
    /// Adds a case not yet in the index.
    pub fn add(&mut self, doc: &IndexDoc) -> Result<()> {
        self.add_printed(doc, self.cases.fingerprint(doc))
    }

    /// Replaces the indexed case with the same post id.
    pub fn replace(&mut self, doc: &IndexDoc) -> Result<()> {
        self.replace_printed(doc, self.cases.fingerprint(doc))
    }

    /// [`Self::add`] with the doc's [`CaseIndex::fingerprint`] already computed (the caller
    /// computed it to compare, on several threads).
    pub fn add_printed(&mut self, doc: &IndexDoc, fingerprint: u64) -> Result<()> {
        self.writer.add_document(self.cases.fields.document(doc, fingerprint))?;
        self.report.added += 1;
        self.step()
    }

    /// [`Self::replace`] with the doc's fingerprint already computed.
    pub fn replace_printed(&mut self, doc: &IndexDoc, fingerprint: u64) -> Result<()> {
        let fields = &self.cases.fields;
        self.writer.delete_term(Term::from_field_text(fields.post_id, &doc.post_id));
        self.writer.add_document(fields.document(doc, fingerprint))?;
        self.report.replaced += 1;
        self.step()
    }

    /// Removes a case (its post is no longer in the tables).
    pub fn delete(&mut self, post_id: &str) -> Result<()> {
        self.writer.delete_term(Term::from_field_text(self.cases.fields.post_id, post_id));
        self.report.deleted += 1;
        self.step()
    }

    fn step(&mut self) -> Result<()> {
        self.pending += 1;
        if self.pending >= COMMIT_EVERY {
            self.commit()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        self.report.commits += 1;
        self.pending = 0;
        Ok(())
    }

    /// Commits what is pending, waits for background merges, and makes the changes searchable.
    pub fn finish(mut self) -> Result<UpdateReport> {
        if self.pending > 0 {
            self.commit()?;
        }
        let report = self.report;
        self.writer.wait_merging_threads()?;
        self.cases.reader.reload()?;
        Ok(report)
    }
}
