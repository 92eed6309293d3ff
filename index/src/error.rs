//! The one error type of the crate. Messages are lowercase and end with a hint of what to do;
//! they are safe to show to a user (no internal paths beyond the index folder).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query text cannot be understood (unbalanced quotes or brackets, a dangling operator).
    #[error("cannot read the query: {message} (hint: {hint})")]
    BadQuery { message: String, hint: &'static str },
    /// A filter, sort or page that is out of range.
    #[error("bad search request: {message} (hint: {hint})")]
    BadRequest { message: String, hint: &'static str },
    /// No case with this post id is in the index.
    #[error(
        "no case {post_id} in the search index (hint: check the id, or re-run `wenzheng index` after ingesting it)"
    )]
    UnknownPost { post_id: String },
    #[error("no search index at {} (hint: build it with `wenzheng index --data <DIR>`)", path.display())]
    Missing { path: PathBuf },
    #[error("the search index at {} cannot be read: {reason} (hint: re-run `wenzheng index --data <DIR>`, which rebuilds it)", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("search index failure: {0} (hint: re-run `wenzheng index --data <DIR>`; if it persists, delete the index folder)")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchError {
    pub(crate) fn bad_query(message: impl Into<String>, hint: &'static str) -> SearchError {
        SearchError::BadQuery { message: message.into(), hint }
    }

    pub(crate) fn bad_request(message: impl Into<String>, hint: &'static str) -> SearchError {
        SearchError::BadRequest { message: message.into(), hint }
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;
