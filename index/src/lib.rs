//! Full-text search of past cases: each post with its final reply and the reply's scores, in a
//! tantivy index with Chinese word segmentation, filters, sorts, highlighted snippets and
//! similar earlier cases.
//!
//! Architecture invariant: this crate knows nothing of Parquet, polars or the data folder; the
//! pipeline hands it [`IndexDoc`]s and a folder to keep the index in.

pub mod analyzer;
pub mod cases;
pub mod error;
pub mod query;
pub mod schema;
pub mod search;
mod snippet;

pub use cases::{CaseIndex, CaseUpdater, IndexedCase, UpdateReport};
pub use error::SearchError;
pub use schema::{IndexDoc, IndexedReply, ReplyLevels};
pub use search::{fold_twins, Hit, ReplySummary, SearchRequest, SearchResults, Snippet, SortBy, MAX_LIMIT, MAX_OFFSET};
