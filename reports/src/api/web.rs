//! The dashboard page: one HTML, one script and one style sheet compiled into the binary
//! (vanilla JavaScript, no build step, nothing fetched from elsewhere).

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

use super::error::ApiError;

const PAGE: &str = include_str!("web/index.html");
const SCRIPT: &str = include_str!("web/app.js");
const STYLE: &str = include_str!("web/app.css");

pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        "app.css" => (STYLE, "text/css; charset=utf-8"),
        _ => return ApiError::not_found("unknown_path", format!("no asset {file:?}")).into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use models::scoring::SignalKind;

    use crate::notice::evidence_kind_label;

    #[test]
    fn the_dashboard_names_evidence_as_the_notice_does() {
        for kind in SignalKind::ALL {
            let label = evidence_kind_label(kind.as_str());
            assert_ne!(label, "其他", "the notice has no name for {kind:?}");
            let entry = format!("{}: \"{label}\"", kind.as_str());
            assert!(super::SCRIPT.contains(&entry), "app.js's SIGNAL_NAMES lacks {entry}");
        }
    }
}
