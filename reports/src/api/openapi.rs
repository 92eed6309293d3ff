//! The OpenAPI 3.1 document of the API, written by hand with `serde_json` (a dozen
//! endpoints do not justify a derive framework); a test checks that it lists every route.

use axum::Json;
use serde_json::{json, Value};

use super::params::{DEFAULT_LIMIT, MAX_LIMIT, MAX_SEARCH_LIMIT, YEARS};

fn param(name: &str, location: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": location, "required": location == "path", "schema": schema, "description": description })
}

fn date(name: &str, description: &str) -> Value {
    let (first, last) = (YEARS.start(), YEARS.end());
    let description = format!("{description} (YYYY-MM-DD, {first}-01-01 to {last}-12-31; another is a 400)");
    param(name, "query", json!({ "type": "string", "format": "date" }), &description)
}

fn year_param(description: &str) -> Value {
    let schema = json!({ "type": "integer", "minimum": YEARS.start(), "maximum": YEARS.end() });
    param("year", "query", schema, description)
}

/// `max_offset`: how deep a page may start (search stops at `index::MAX_OFFSET`).
fn page(max: usize, max_offset: Option<usize>) -> Vec<Value> {
    let mut offset = json!({ "type": "integer", "minimum": 0, "default": 0 });
    if let Some(max_offset) = max_offset {
        offset["maximum"] = json!(max_offset);
    }
    vec![
        param(
            "limit",
            "query",
            json!({ "type": "integer", "minimum": 1, "maximum": max, "default": DEFAULT_LIMIT }),
            "page size; more than the maximum is a 400 (page with offset)",
        ),
        param("offset", "query", offset, "rows to skip"),
    ]
}

fn operation(summary: &str, role: Option<&str>, parameters: Vec<Value>, content: &str) -> Value {
    let mut responses = json!({
        "200": { "description": "OK", "content": { content: { "schema": { "type": if content == "application/json" { "object" } else { "string" } } } } },
        "400": { "$ref": "#/components/responses/Error" },
    });
    if role.is_some() {
        responses["304"] = json!({ "description": "not modified (If-None-Match matched the ETag)" });
        responses["401"] = json!({ "$ref": "#/components/responses/Error" });
        responses["403"] = json!({ "$ref": "#/components/responses/Error" });
        responses["404"] = json!({ "$ref": "#/components/responses/Error" });
    }
    let mut op = json!({
        "summary": summary,
        "parameters": parameters,
        "responses": responses,
        "x-role": role.unwrap_or("none"),
    });
    if role.is_none() {
        op["security"] = json!([]);
    }
    json!({ "get": op })
}

/// The document as JSON.
pub fn spec() -> Value {
    let json_type = "application/json";
    let year = year_param("a calendar year the data holds (another is a 400); default every year");
    let ranking_year = year_param(
        "a calendar year the data holds (another is a 400); default the latest year that ranks a unit, else the \
         year with the most posts",
    );
    let unit_path = param("unit", "path", json!({ "type": "string" }), "unit name as in /api/units");
    let post_path = param("post_id", "path", json!({ "type": "string" }), "post id");
    let mut flagged = vec![
        param("unit", "query", json!({ "type": "string" }), "only this unit"),
        param(
            "kind",
            "query",
            json!({ "type": "string", "enum": ["evasive", "vague", "overdue"] }),
            "default: evasive or vague (level 2); overdue: posts past their deadline without a final reply",
        ),
        date("from", "replies given (overdue: posts due) on or after this day"),
        date("to", "… on or before this day"),
    ];
    flagged.extend(page(MAX_LIMIT, None));
    let mut issues = vec![date("from", "issues with posts on or after this day"), date("to", "… on or before")];
    issues.extend(page(MAX_LIMIT, None));
    let mut search = vec![
        param("q", "query", json!({ "type": "string" }), "words, \"phrases\", AND / OR / NOT; empty for all"),
        param(
            "unit",
            "query",
            json!({ "type": "string" }),
            "responsible or addressed unit, exactly; 未知单位 for none",
        ),
        param(
            "region",
            "query",
            json!({ "type": "string" }),
            "region or a region within it (A市 takes in A市A3区, A7县), at most 50 characters; one no case is in \
             is a 400 naming the regions like it",
        ),
        param(
            "category",
            "query",
            json!({ "type": "string" }),
            "category (一级分类), exactly; one no case is of is a 400 naming the categories like it",
        ),
        param(
            "kind",
            "query",
            json!({ "type": "string", "enum": ["咨询", "建议", "求助", "投诉", "举报", "其他", "consultation", "suggestion", "help", "complaint", "report", "other"] }),
            "the post's kind, in Chinese or English",
        ),
        date("from", "posted on or after this day"),
        date("to", "posted on or before this day"),
        param(
            "sort",
            "query",
            json!({ "type": "string", "enum": ["relevance", "newest", "oldest", "likes", "score"] }),
            "order",
        ),
        param(
            "flagged",
            "query",
            json!({ "type": "boolean" }),
            "true: only cases with an evasive or vague reply; false or absent: every case",
        ),
        param(
            "min_score",
            "query",
            json!({ "type": "number", "minimum": 0, "maximum": 1 }),
            "only cases whose reply scores at least this, evasive or vague (the CLI's --min-score)",
        ),
    ];
    search.extend(page(MAX_SEARCH_LIMIT, Some(index::MAX_OFFSET)));
    let similar_limit: Vec<Value> = page(MAX_SEARCH_LIMIT, None).into_iter().take(1).collect();
    let chart_path = param(
        "file",
        "path",
        json!({ "type": "string", "enum": ["ranking.svg", "monthly_volume.svg", "workdays_distribution.svg", "evasive_vague_by_unit.svg", "hot_issues.svg", "unit_trend.svg"] }),
        "chart name with .svg",
    );
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wenzheng dashboard API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Evasive and vague replies, recurring issues and units' performance (SPEC §6). Roles: viewer < analyst < supervisor; analysts see citizens' ids, phone and ID numbers masked. Errors: {\"error\": {\"code\", \"message\"}} with codes bad_parameter, bad_query, unauthorized, forbidden, unknown_unit, unknown_post, unknown_chart, unknown_path, unavailable, internal. Texts' offsets (evidence, highlights) count characters.",
        },
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/health": operation("liveness and what the data folder holds", None, vec![], json_type),
            "/api/units": operation("units with their type, number of posts, posts_in_indicators (those the indicators count: not the posts of an export without replies) and whether the unit is identified", Some("viewer"), vec![], json_type),
            "/api/units/{unit}/indicators": operation("a unit's annual score and yearly / monthly indicators", Some("viewer"), vec![unit_path, year.clone()], json_type),
            "/api/rankings": operation("annual scores and ranks of the units", Some("viewer"), vec![ranking_year], json_type),
            "/api/replies/flagged": operation("evasive / vague replies with evidence spans, or overdue posts, newest first", Some("supervisor"), flagged, json_type),
            "/api/issues": operation("recurring issues with posts in a period, hottest first", Some("analyst"), issues, json_type),
            "/api/search": operation("full-text search of past cases with highlighted snippets", Some("analyst"), search, json_type),
            "/api/cases/{post_id}": operation("a post, its replies and their scores", Some("analyst"), vec![post_path.clone()], json_type),
            "/api/cases/{post_id}/similar": operation("earlier cases most like this one, with their answers", Some("analyst"), [vec![post_path], similar_limit].concat(), json_type),
            "/charts/{file}": operation("a chart as SVG", Some("viewer"), vec![chart_path, year, param("unit", "query", json!({ "type": "string" }), "the unit of unit_trend, which needs one; other charts show every unit and refuse it (400)")], "image/svg+xml"),
            "/openapi.json": operation("this document", Some("viewer"), vec![], json_type),
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "responses": {
                "Error": {
                    "description": "an error with a stable code",
                    "content": { json_type: { "schema": {
                        "type": "object",
                        "required": ["error"],
                        "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
                            "code": { "type": "string" }, "message": { "type": "string" } } } }
                    } } }
                }
            }
        }
    });
    // What needs the search index or the report tables, which a folder may not hold yet.
    for path in ["/api/search", "/api/cases/{post_id}/similar", "/charts/{file}"] {
        doc["paths"][path]["get"]["responses"]["503"] = json!({
            "description": "unavailable: the data folder has no search index (run `wenzheng index`) or no reports yet",
            "content": { json_type: { "schema": { "$ref": "#/components/schemas/Error" } } },
        });
    }
    doc["components"]["schemas"]["Error"] =
        doc["components"]["responses"]["Error"]["content"][json_type]["schema"].clone();
    doc
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
