//! The API's errors: a status, a stable code scripts can match on, and a message for people
//! (lowercase, with a hint of what to do), sent as `{"error": {"code", "message"}}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    /// A method no route serves (405 `method_not_allowed`): the API only reads.
    pub fn method_not_allowed(method: &str) -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not served: the API only answers GET (and HEAD)"),
        )
    }

    /// A query or path parameter that cannot be used (400 `bad_parameter`).
    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", message)
    }

    /// A search query the index cannot read (400 `bad_query`).
    pub fn bad_query(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_query", message)
    }

    /// No such post, unit, chart or path (404; `code` says which).
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid token is needed: send the header Authorization: Bearer <token>",
        )
    }

    pub fn forbidden(needed: &str, have: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this needs the role {needed} or above; the token given is of the role {have}"),
        )
    }

    /// A 403 whose reason is not the endpoint's role but what was asked of it.
    pub fn forbidden_for(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// A part of the data folder the request needs is not there (503 `unavailable`).
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// A failure of the server itself (500 `internal`), logged; never for user input.
    pub fn internal(message: impl Into<String>) -> ApiError {
        let message = message.into();
        tracing::error!(%message, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            // A 401 names the scheme it wants (RFC 9110 §11.6.1), so a client knows to send a token.
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<index::SearchError> for ApiError {
    fn from(error: index::SearchError) -> ApiError {
        use index::SearchError as E;
        match &error {
            E::BadQuery { .. } => ApiError::bad_query(error.to_string()),
            E::BadRequest { .. } => ApiError::bad_parameter(error.to_string()),
            E::UnknownPost { .. } => ApiError::not_found("unknown_post", error.to_string()),
            E::Missing { .. } | E::Corrupt { .. } => ApiError::unavailable(error.to_string()),
            E::Tantivy(_) => ApiError::internal(error.to_string()),
        }
    }
}

impl From<polars::prelude::PolarsError> for ApiError {
    fn from(error: polars::prelude::PolarsError) -> ApiError {
        ApiError::internal(format!("table failure: {error}"))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
