//! The dashboard API of `wenzheng serve` (SPEC §6): JSON over HTTP with an OpenAPI document,
//! bearer tokens with roles, and the web page at `/`.
//!
//! The caller (the pipeline, which knows the data folder) loads the tables and opens the
//! index; [`AppState::new`] prepares everything requests need, and [`router`] gives the axum
//! `Router`. Every request goes through `guard`: the role its path needs, the token's role,
//! the `ETag` / `304` of the data, and one log line (method, path, status, role, latency —
//! never the token).

pub mod auth;
mod cache;
mod columns;
pub mod data;
pub mod error;
mod handlers;
pub mod openapi;
pub mod params;
mod web;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub use auth::{Access, AccessConfig, AccessError, Role, TokenEntry, TOKENS_VAR};
pub use data::{ApiTables, FlagKind};
pub use error::ApiError;

/// Draws a chart on request: `(name, year, unit)` → SVG text; `Ok(None)` for an unknown name.
pub type ChartRenderer = Arc<dyn Fn(&str, Option<i32>, Option<&str>) -> Result<Option<String>, ApiError> + Send + Sync>;

/// Where `/charts/{name}.svg` comes from.
#[derive(Clone)]
pub enum Charts {
    /// Drawn per request (year and unit honoured), by the charts module.
    Render(ChartRenderer),
    /// The files the `indicators` stage wrote (DIR/reports/charts), as they are.
    Folder(PathBuf),
    None,
}

impl Charts {
    /// Charts drawn by [`crate::charts::render_svg`] from the report tables.
    pub fn drawn_from(reports: crate::tables::ReportTables) -> Charts {
        use crate::charts::{render_svg, ChartError};
        let reports = Arc::new(reports);
        Charts::Render(Arc::new(move |name, year, unit| match render_svg(name, &reports, year, unit) {
            Ok(svg) => Ok(Some(svg)),
            Err(ChartError::UnknownChart(_)) => Ok(None),
            Err(e @ ChartError::MissingUnit) => Err(ApiError::bad_parameter(e.to_string())),
            Err(e) => Err(ApiError::unavailable(format!("cannot draw the chart: {e}"))),
        }))
    }
}

impl ApiTables {
    /// These tables with the report tables (post facts, indicators, annual scores, overdue
    /// posts, issues) of the `indicators` stage.
    pub fn with_reports(mut self, reports: &crate::tables::ReportTables) -> ApiTables {
        self.post_facts = Some(reports.post_facts.clone());
        self.indicators = Some(reports.indicators.clone());
        self.annual = Some(reports.annual.clone());
        self.overdue = Some(reports.overdue.clone());
        if reports.issues.is_some() {
            self.issues = reports.issues.clone();
        }
        self
    }
}

/// Everything a request may read, shared by all requests.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    data: data::Data,
    index: Option<Arc<index::CaseIndex>>,
    access: Access,
    /// The strong validator of every data response: the data folder's content hash.
    etag: String,
    charts: Charts,
    /// Drawn charts by (name, year, unit): the data does not change while serving.
    chart_cache: std::sync::Mutex<std::collections::HashMap<String, Arc<String>>>,
    /// Whole answers by role and request, for the same reason.
    answers: cache::AnswerCache,
}

/// Memory for answers kept by `cache::AnswerCache`: the dashboard's usual pages, many times over.
pub const ANSWER_CACHE_BYTES: usize = 64 << 20;

impl AppState {
    /// Prepares the tables (indexes by post, unit and kind; sorted flagged lists) once.
    /// `data_hash` identifies the data folder's content (its manifest's hash): it makes the
    /// `ETag`s, so a new run invalidates what browsers cached.
    pub fn new(
        tables: &ApiTables,
        index: Option<index::CaseIndex>,
        access: Access,
        data_hash: &str,
        charts: Charts,
    ) -> Result<AppState, ApiError> {
        let mut data = data::Data::build(tables)?;
        // An index being built, or left behind by an ingest, answers for fewer posts than the
        // tables hold: say so, or an empty search reads as "no such case".
        if let Some(cases) = index.as_ref().map(index::CaseIndex::num_cases) {
            let posts = data.posts.id.len() as u64;
            if cases != posts {
                data.notes.push(format!(
                    "the search index holds {cases} cases for {posts} posts: it is being built or is behind the \
                     data (run `wenzheng index --data DIR`, then restart the server)"
                ));
            }
        }
        let etag: String = data_hash.chars().filter(char::is_ascii_alphanumeric).take(32).collect();
        Ok(AppState(Arc::new(Inner {
            data,
            index: index.map(Arc::new),
            access,
            etag,
            charts,
            chart_cache: Default::default(),
            answers: cache::AnswerCache::new(ANSWER_CACHE_BYTES),
        })))
    }

    /// The same state with `bytes` of memory for kept answers (0: every request is answered
    /// afresh — for measuring what the answers cost). A setting of startup: panics when the
    /// state has been cloned already (by a router), since answers may then be kept in it.
    pub fn with_answer_memory(self, bytes: usize) -> AppState {
        let mut inner = Arc::try_unwrap(self.0).unwrap_or_else(|_| panic!("set before the state is shared"));
        inner.answers = cache::AnswerCache::new(bytes);
        AppState(Arc::new(inner))
    }

    /// What is missing from the data folder (each with the command that makes it).
    pub fn notes(&self) -> &[String] {
        &self.0.data.notes
    }

    pub fn has_index(&self) -> bool {
        self.0.index.is_some()
    }
}

/// The routes of SPEC §6, the page and its assets, behind `guard`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(web::page))
        .route("/assets/{file}", get(web::asset))
        .route("/openapi.json", get(openapi::document))
        .route("/api/health", get(handlers::health))
        .route("/api/units", get(handlers::units))
        .route("/api/units/{unit}/indicators", get(handlers::unit_indicators))
        .route("/api/rankings", get(handlers::rankings))
        .route("/api/replies/flagged", get(handlers::flagged))
        .route("/api/issues", get(handlers::issues))
        .route("/api/search", get(handlers::search))
        .route("/api/cases/{post_id}", get(handlers::case))
        .route("/api/cases/{post_id}/similar", get(handlers::similar))
        .route("/charts/{file}", get(handlers::chart))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// The role of the request's token, as handlers see it (open paths: `None`).
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Option<Role>);

impl Caller {
    /// Whether personal data must be masked for this caller.
    pub fn masked(self) -> bool {
        self.0.is_none_or(Role::masked)
    }
}

/// Authentication, authorisation, conditional requests and the request log.
async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    if handlers::has_stray_percent(&path) {
        let message = format!("bad path: {path:?} is not percent-encoded (a \"%\" begins an escape such as %25)");
        return ApiError::bad_parameter(message).into_response();
    }
    let needed = auth::required_role(&path);
    let authorization = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let role = state.0.access.role_of_header(authorization);

    let response = match (needed, role) {
        (None, _) => {
            request.extensions_mut().insert(Caller(role));
            next.run(request).await
        }
        (Some(_), None) => ApiError::unauthorized().into_response(),
        (Some(needed), Some(have)) if have < needed => {
            ApiError::forbidden(needed.as_str(), have.as_str()).into_response()
        }
        (Some(_), Some(have)) if !matches!(method, Method::GET | Method::HEAD) => {
            // The router answers 405; no cache, no validator: a kept GET answer is not a POST's.
            request.extensions_mut().insert(Caller(Some(have)));
            next.run(request).await
        }
        (Some(_), Some(have)) => {
            // A representation depends on the data and on the role (masking).
            let etag = format!("\"{}-{}\"", state.0.etag, have.as_str());
            let matches =
                request.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                    v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
                });
            request.extensions_mut().insert(Caller(Some(have)));
            let mut response = answer(&state, have, request, next).await;
            // Only a request that would be answered 200 is "not modified": a bad parameter or an
            // unknown path still gets its 400 or 404, whatever validator it sends.
            if response.status() == StatusCode::OK && !state.0.etag.is_empty() {
                if matches {
                    response = StatusCode::NOT_MODIFIED.into_response();
                }
                cache_headers(&mut response, &etag);
            }
            response
        }
    };
    // The router's own 405 has no body: every error of the API is JSON with a message.
    let response = if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut json = ApiError::method_not_allowed(method.as_str()).into_response();
        if let Some(allow) = allow {
            json.headers_mut().insert(header::ALLOW, allow);
        }
        json
    } else {
        response
    };
    tracing::info!(
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        role = role.map_or("-", Role::as_str),
        ms = started.elapsed().as_micros() as f64 / 1000.0,
        "request"
    );
    response
}

/// The handler's answer, or the same answer kept from an earlier identical request (a role
/// sees its own masking, so the method and the role are part of the key). Only whole `200` answers of a known
/// size are kept.
async fn answer(state: &AppState, role: Role, request: Request, next: Next) -> Response {
    let cache = &state.0.answers;
    // HEAD's answer has no body: it must never be served for a GET.
    let key = format!("{}|{}|{}", request.method(), role.as_str(), request.uri());
    if let Some(kept) = cache.get(&key) {
        let mut response = Response::new(axum::body::Body::from(kept.body));
        if let Some(content_type) = kept.content_type {
            response.headers_mut().insert(header::CONTENT_TYPE, content_type);
        }
        return response;
    }
    let response = next.run(request).await;
    let size = axum::body::HttpBody::size_hint(response.body()).exact().map(|n| n as usize);
    let Some(size) = size.filter(|&n| response.status() == StatusCode::OK && cache.admits(n)) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, size).await {
        Ok(body) => {
            let content_type = parts.headers.get(header::CONTENT_TYPE).cloned();
            cache.put(key, cache::Answer { body: body.clone(), content_type });
            Response::from_parts(parts, axum::body::Body::from(body))
        }
        Err(e) => ApiError::internal(format!("cannot read the answer: {e}")).into_response(),
    }
}

fn cache_headers(response: &mut Response, etag: &str) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    // Per user (masking differs by role), revalidated after a minute.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
    headers.insert(header::VARY, HeaderValue::from_static("Authorization"));
}
