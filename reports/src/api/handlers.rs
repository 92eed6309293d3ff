//! The endpoints: each reads its parameters ([`Params`]), answers from the prepared data in
//! time proportional to its page, and masks personal data for roles below supervisor.
//! Search and similar cases go to the index on a blocking thread.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::columns::{day_end, day_start, time_text};
use super::data::{FlagKind, NO_REPLIES, NO_REPORTS, NO_SCORES};
use super::error::{ApiError, ApiResult};
use super::params::{Params, MAX_LIMIT, MAX_SEARCH_LIMIT};
use super::{AppState, Caller, Charts};
use crate::annual::is_known_body;
use crate::masking::{mask_text, mask_user_id, maybe};
use crate::tables::ReportTables;

type Answer = ApiResult<Json<Value>>;

/// A path segment, or a 400 when it is not valid UTF-8 after decoding. (A "%" that begins no
/// escape is refused by `guard` before routing: after decoding, "%25" and a stray "%" look
/// alike.)
fn segment(path: Result<Path<String>, PathRejection>) -> ApiResult<String> {
    path.map(|Path(p)| p).map_err(|e| ApiError::bad_parameter(format!("bad path: {}", e.body_text())))
}

/// Whether a raw (not yet decoded) path holds a "%" that begins no escape ("%ZZ"): bad
/// encoding, as in a query, not an unknown name.
pub(crate) fn has_stray_percent(raw_path: &str) -> bool {
    let bytes = raw_path.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// Open: liveness, what the folder holds, and the role of the token sent (if any), so the
/// page can tell a valid token from a wrong one and show what the role may see.
pub async fn health(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    Params::parse(raw.as_deref(), &[])?;
    let data = &state.0.data;
    Ok(Json(json!({
        "status": "ok",
        "role": caller.0.map(super::Role::as_str),
        "posts": data.posts.id.len(),
        "replies": data.replies.as_ref().map_or(0, |r| r.id.len()),
        "search_index": state.0.index.is_some(),
        "notes": data.notes,
    })))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("unknown_path", "no such endpoint: see /openapi.json for the list")
}

pub async fn units(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Answer {
    Params::parse(raw.as_deref(), &[])?;
    Ok(Json(json!({ "units": state.0.data.units })))
}

/// The name the data gives `unit`: itself, or the unit registry's name for it when it is another
/// name of a unit ("A7县城管局" → "A7县城市管理和行政执法局"); an error when the data has neither.
fn known_unit(state: &AppState, unit: &str) -> ApiResult<String> {
    let data = &state.0.data;
    let known = |unit: &str| {
        data.unit_names.contains(unit)
            || data.unit_annual.contains_key(unit)
            || data.unit_indicators.contains_key(unit)
            || data.flagged.keys().any(|(_, u)| u.as_deref() == Some(unit))
    };
    if known(unit) {
        return Ok(unit.to_string());
    }
    match data.unit_registry.canonical_name(unit, None) {
        Some(canonical) if known(&canonical) => Ok(canonical),
        _ => {
            // the names that contain it or that it contains, as the command line suggests them
            let alike = data
                .unit_names
                .iter()
                .filter(|name| !unit.is_empty() && index::search::is_alike(name, unit))
                .cloned()
                .collect();
            let alike = index::search::names_like_it("unit", alike);
            Err(ApiError::not_found(
                "unknown_unit",
                format!("no unit named {unit:?}{alike}: see /api/units for the names"),
            ))
        }
    }
}

fn of_year(rows: Option<&Vec<Map<String, Value>>>, year: Option<i32>, field: &str) -> Vec<Map<String, Value>> {
    let matches = |row: &Map<String, Value>| match (year, row.get(field)) {
        (None, _) => true,
        (Some(y), Some(Value::Number(n))) => n.as_i64() == Some(y as i64),
        (Some(y), Some(Value::String(p))) => p.starts_with(&y.to_string()),
        _ => false,
    };
    rows.map(|rows| rows.iter().filter(|r| matches(r)).cloned().collect()).unwrap_or_default()
}

pub async fn unit_indicators(
    State(state): State<AppState>,
    unit: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let unit = segment(unit)?;
    let params = Params::parse(raw.as_deref(), &["year"])?;
    let year = held_year(&state, params.year()?)?;
    let unit = known_unit(&state, &unit)?;
    let data = &state.0.data;
    let rows = of_year(data.unit_indicators.get(&unit), year, "period");
    let of_type = |kind: &str| -> Vec<&Map<String, Value>> {
        rows.iter().filter(|r| r.get("period_type").and_then(Value::as_str) == Some(kind)).collect()
    };
    let mut answer = json!({
        "unit": unit,
        "year": year,
        "annual": of_year(data.unit_annual.get(&unit), year, "year"),
        "years": of_type("year"),
        "months": of_type("month"),
    });
    if data.rankings.is_empty() && data.unit_indicators.is_empty() {
        answer["note"] = NO_REPORTS.into();
    }
    Ok(Json(answer))
}

pub async fn rankings(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Answer {
    let params = Params::parse(raw.as_deref(), &["year"])?;
    let data = &state.0.data;
    let year = held_year(&state, params.year()?)?.or(data.default_year);
    let rows = year.and_then(|y| data.rankings.get(&y)).cloned().unwrap_or_default();
    let note = no_ranking_note(&rows, year);
    let mut answer = json!({ "year": year, "years": data.rankings.keys().collect::<Vec<_>>(), "rankings": rows });
    if data.rankings.is_empty() {
        answer["note"] = NO_REPORTS.into();
    } else if let Some(note) = note {
        answer["note"] = note.into();
    }
    Ok(Json(answer))
}

/// A year asked for that the data does not reach is a bad parameter, as on the command line: an
/// empty answer for it reads as a year without complaints.
fn held_year(state: &AppState, year: Option<i32>) -> ApiResult<Option<i32>> {
    let held = &state.0.data.rankings;
    match (year, held.keys().next(), held.keys().next_back()) {
        (Some(y), Some(&first), Some(&last)) if !held.contains_key(&y) => Err(ApiError::bad_parameter(format!(
            "year {y}: no post of the data is of that year (years held: {})",
            ReportTables::years_held(&[first, last])
        ))),
        _ => Ok(year),
    }
}

/// What a year's ranking that ranks no unit must say, or the page shows an empty ranking as if
/// every unit were equal: how many of the year's posts name no known unit (an export without a
/// unit column), and that the others' units have too few posts.
fn no_ranking_note(rows: &[Map<String, Value>], year: Option<i32>) -> Option<String> {
    if rows.is_empty() || rows.iter().any(|r| r.get("ranked").and_then(Value::as_bool) == Some(true)) {
        return None;
    }
    let posts = |r: &Map<String, Value>| r.get("posts").and_then(Value::as_f64).unwrap_or(0.0);
    let unknown = |r: &&Map<String, Value>| !r.get("unit").and_then(Value::as_str).is_some_and(is_known_body);
    let total: f64 = rows.iter().map(posts).sum();
    let of_no_unit: f64 = rows.iter().filter(unknown).map(posts).sum();
    let year = year.map_or_else(String::new, |y| format!("{y}年"));
    Some(format!(
        "{year}没有单位参与排名：{of_no_unit:.0} 条留言（占 {:.1}%）不知承办单位，其余单位的留言均不足排名所需条数",
        if total > 0.0 { 100.0 * of_no_unit / total } else { 0.0 }
    ))
}

pub async fn flagged(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Answer {
    let params = Params::parse(raw.as_deref(), &["unit", "kind", "from", "to", "limit", "offset"])?;
    let kind = match params.text("kind") {
        None => FlagKind::Flagged,
        Some(text) => FlagKind::parse(text).ok_or_else(|| {
            ApiError::bad_parameter(format!(
                "unknown kind {text:?}: use evasive, vague or overdue (or leave it out for both evasive and vague)"
            ))
        })?,
    };
    let (from, to) = params.period()?;
    let (limit, offset) = params.page(MAX_LIMIT)?;
    let unit = params.text("unit").map(|unit| known_unit(&state, unit)).transpose()?;
    let data = &state.0.data;
    let list = data.flagged.get(&(kind, unit.clone()));
    let range = list.map_or(0..0, |l| l.range(from.map_or(i64::MIN, day_start), to.map_or(i64::MAX, day_end)));
    let total = range.len();
    let page: Vec<u32> =
        list.map_or_else(Vec::new, |l| l.rows[range.clone()].iter().skip(offset).take(limit).copied().collect());
    let items: Vec<Value> = match kind {
        FlagKind::Overdue => page.iter().map(|&row| overdue_item(&state, row)).collect(),
        _ => page.iter().map(|&row| reply_item(&state, row, false, true)).collect(),
    };
    let mut answer = json!({ "kind": kind_name(kind), "unit": unit, "total": total, "offset": offset, "limit": limit, "items": items });
    if kind == FlagKind::Overdue && data.overdue.is_none() {
        answer["note"] = NO_REPORTS.into();
    } else if kind != FlagKind::Overdue && data.replies.is_none() {
        answer["note"] = NO_REPLIES.into();
    } else if kind != FlagKind::Overdue && data.scores.is_none() {
        answer["note"] = NO_SCORES.into();
    }
    Ok(Json(answer))
}

fn kind_name(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::Flagged => "flagged",
        FlagKind::Evasive => "evasive",
        FlagKind::Vague => "vague",
        FlagKind::Overdue => "overdue",
    }
}

/// A reply with its scores and evidence (offsets in characters of `body`), and, when
/// `with_post`, its post's subject and time.
fn reply_item(state: &AppState, row: u32, masked: bool, with_post: bool) -> Value {
    let data = &state.0.data;
    let Some(replies) = &data.replies else { return Value::Null };
    let r = row as usize;
    let post_id = replies.post_id.get(r).unwrap_or_default();
    let mut item = json!({
        "reply_id": replies.id.get(r),
        "post_id": post_id,
        // (filed under 未知单位 when no unit is known, as the lists and the overdue items have it)
        "unit": data.reply_unit(row).unwrap_or(crate::facts::UNKNOWN_UNIT),
        "seq": replies.seq.get(r),
        "replied_at": time_text(replies.replied_at.get(r)),
        "body": maybe(replies.body.get(r).unwrap_or_default(), masked),
    });
    let score = data.score_of_reply.get(r).copied().flatten().zip(data.scores.as_ref());
    if let Some((s, scores)) = score {
        let s = s as usize;
        let evidence: Value = scores.evidence.get(s).and_then(|e| serde_json::from_str(e).ok()).unwrap_or(json!([]));
        let evidence = match evidence {
            Value::Array(spans) if masked => spans
                .into_iter()
                .map(|mut span| {
                    if let Some(text) = span.get("text").and_then(Value::as_str).map(|t| maybe(t, true)) {
                        span["text"] = text.into();
                    }
                    span
                })
                .collect(),
            other => other,
        };
        let levels = (scores.evasive_level.get(s), scores.vague_level.get(s));
        let mut flags = Vec::new();
        if levels.0 == Some(2) {
            flags.push("evasive");
        }
        if levels.1 == Some(2) {
            flags.push("vague");
        }
        item["flags"] = flags.into();
        item["score"] = json!({
            "evasive_level": levels.0,
            "vague_level": levels.1,
            "evasive_score": scores.evasive_score.get(s),
            "vague_score": scores.vague_score.get(s),
            "reply_type": scores.reply_type.get(s),
            "evidence": evidence,
        });
    } else {
        item["score"] = Value::Null;
    }
    if with_post {
        if let Some(&p) = data.post_row.get(post_id) {
            item["subject"] = maybe(data.posts.subject.get(p as usize).unwrap_or_default(), masked).into();
            item["posted_at"] = time_text(data.posts.posted_at.get(p as usize));
        }
    }
    item
}

fn overdue_item(state: &AppState, row: u32) -> Value {
    let Some(o) = &state.0.data.overdue else { return Value::Null };
    let r = row as usize;
    json!({
        "post_id": o.post_id.get(r),
        "unit": o.unit.get(r),
        "kind": o.kind.get(r),
        "subject": o.subject.get(r),
        "posted_at": time_text(o.posted_at.get(r)),
        "due_at": time_text(o.due_at.get(r)),
        "overdue_workdays": o.overdue_workdays.get(r),
    })
}

pub async fn issues(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let params = Params::parse(raw.as_deref(), &["from", "to", "limit", "offset"])?;
    let (from, to) = params.period()?;
    let (limit, offset) = params.page(MAX_LIMIT)?;
    let data = &state.0.data;
    let (start, end) = (from.map_or(i64::MIN, day_start), to.map_or(i64::MAX, day_end));
    let whole = from.is_none() && to.is_none();
    // Issues with posts in the period, hottest first (heat of the whole issue), with how
    // many of their posts fall in it.
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for (i, times) in data.issue_times.iter().enumerate() {
        let in_period = times.partition_point(|&t| t < end) - times.partition_point(|&t| t < start);
        if in_period > 0 || (whole && times.is_empty()) {
            chosen.push((i, in_period));
        }
    }
    let total = chosen.len();
    let masked = caller.masked();
    let issues: Vec<Value> = chosen
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(i, in_period)| {
            let mut issue = data.issues[i].clone();
            issue.insert("posts_in_period".into(), in_period.into());
            for field in ["title", "place"] {
                if let Some(text) = issue.get(field).and_then(Value::as_str).map(|t| maybe(t, masked)) {
                    issue.insert(field.into(), text.into());
                }
            }
            Value::Object(issue)
        })
        .collect();
    let mut answer =
        json!({ "from": from, "to": to, "total": total, "offset": offset, "limit": limit, "issues": issues });
    if data.issue_times.is_empty() && data.notes.iter().any(|n| n.contains("recurring")) {
        answer["note"] = super::data::NO_ISSUES.into();
    }
    Ok(Json(answer))
}

fn index_of(state: &AppState) -> ApiResult<std::sync::Arc<index::CaseIndex>> {
    state.0.index.clone().ok_or_else(|| {
        ApiError::unavailable(
            "the data folder has no search index: run `wenzheng index --data DIR`, then restart serve",
        )
    })
}

/// Runs index work on a blocking thread (tantivy is synchronous).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> ApiResult<T> + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::internal(format!("search task failed: {e}")))?
}

pub async fn search(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let params = Params::parse(
        raw.as_deref(),
        &["q", "unit", "region", "category", "from", "to", "limit", "offset", "sort", "kind", "flagged", "min_score"],
    )?;
    let query = params.text("q").unwrap_or("");
    // The answers mask citizens' numbers for this role; finding their posts by the number would
    // undo it.
    if caller.masked() && mask_text(query) != query {
        return Err(ApiError::forbidden_for(
            "searching by a citizen's phone, ID-card number or user id needs the role supervisor: leave the number out of q",
        ));
    }
    let (from, to) = params.period()?;
    let (limit, offset) = params.page(MAX_SEARCH_LIMIT)?;
    let sort = match params.text("sort") {
        None => index::SortBy::Relevance,
        Some(text) => index::SortBy::parse(text).ok_or_else(|| {
            ApiError::bad_parameter(format!("unknown sort {text:?}: use relevance, newest, oldest, likes or score"))
        })?,
    };
    let flagged_only = match params.text("flagged") {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => return Err(ApiError::bad_parameter(format!("bad flagged {other:?}: use true or false"))),
    };
    let min_score = params.score("min_score")?;
    // An unknown unit is a 404 here as on the other endpoints, not an empty page of cases.
    let unit = params.text("unit").map(|unit| known_unit(&state, unit)).transpose()?;
    let request = index::SearchRequest {
        query: query.to_string(),
        unit,
        region: params.text("region").map(str::to_string),
        category: params.text("category").map(str::to_string),
        kind: params.text("kind").map(str::to_string),
        from,
        to,
        flagged_only,
        min_score,
        sort,
        offset,
        limit,
    };
    let cases = index_of(&state)?;
    let mut results = blocking(move || Ok(cases.search(&request)?)).await?;
    results.hits = index::fold_twins(results.hits);
    let masked = caller.masked();
    let hits: Vec<Value> = results.hits.iter().map(|h| hit_json(h, masked)).collect();
    let mut answer = json!({ "total": results.total, "offset": results.offset, "limit": limit, "hits": hits });
    if let Some(suggestion) = &results.suggestion {
        // (nothing found: a query one character away that finds cases, "噪音扰民" for "噪音饶民")
        answer["suggestion"] = json!({ "q": suggestion.query, "total": suggestion.total });
    }
    Ok(Json(answer))
}

/// A search hit with its snippets masked as needed and highlights in characters.
fn hit_json(hit: &index::Hit, masked: bool) -> Value {
    let snippet = |s: &index::Snippet| {
        json!({
            "text": maybe(&s.text, masked),
            "highlights": s.char_highlights(),
            "truncated": s.truncated,
        })
    };
    let reply = hit.reply.as_ref().map(|r| {
        json!({
            "text": snippet(&r.text),
            "replied_at": r.replied_at.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
            "workdays_to_reply": r.workdays_to_reply,
            "evasive_level": r.evasive_level,
            "vague_level": r.vague_level,
            "evasive_score": r.evasive_score,
            "vague_score": r.vague_score,
            "reply_type": r.reply_type,
        })
    });
    json!({
        "post_id": hit.post_id,
        "relevance": hit.relevance,
        "subject": snippet(&hit.subject),
        "body": snippet(&hit.body),
        "posted_at": hit.posted_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        "unit": hit.unit,
        "region": hit.region,
        "kind": hit.kind,
        "category": hit.category,
        "likes": hit.likes,
        "reply": reply,
        // the same post exported again under these ids (folded into this hit)
        "also": hit.also,
    })
}

pub async fn case(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    post_id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let post_id = segment(post_id)?;
    Params::parse(raw.as_deref(), &[])?;
    let data = &state.0.data;
    let Some(&row) = data.post_row.get(&post_id) else {
        return Err(ApiError::not_found(
            "unknown_post",
            format!("no post {post_id:?} in the data folder: check the id"),
        ));
    };
    let masked = caller.masked();
    let p = row as usize;
    let posts = &data.posts;
    let user = posts.user.get(p).map(|u| if masked { mask_user_id(u) } else { u.to_string() });
    let post = json!({
        "post_id": post_id,
        "user_id": user,
        "subject": maybe(posts.subject.get(p).unwrap_or_default(), masked),
        "body": maybe(posts.body.get(p).unwrap_or_default(), masked),
        "posted_at": time_text(posts.posted_at.get(p)),
        "unit": posts.unit.get(p),
        "kind": posts.kind.get(p),
        "category": posts.category.get(p),
    });
    let replies: Vec<Value> = data.replies_of(row).iter().map(|&r| reply_item(&state, r, masked, false)).collect();
    let facts = match (&data.post_facts, data.facts_row.get(p).copied().flatten()) {
        (Some(frame), Some(f)) => super::columns::rows_json(&frame.slice(f as i64, 1))?.pop().map(Value::Object),
        _ => None,
    };
    Ok(Json(json!({ "post": post, "replies": replies, "facts": facts })))
}

pub async fn similar(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    post_id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let post_id = segment(post_id)?;
    let params = Params::parse(raw.as_deref(), &["limit"])?;
    let (limit, _) = params.page(MAX_SEARCH_LIMIT)?;
    if !state.0.data.post_row.contains_key(&post_id) {
        return Err(ApiError::not_found(
            "unknown_post",
            format!("no post {post_id:?} in the data folder: check the id"),
        ));
    }
    let cases = index_of(&state)?;
    let id = post_id.clone();
    let hits = index::fold_twins(blocking(move || Ok(cases.similar(&id, limit)?)).await?);
    let masked = caller.masked();
    Ok(Json(json!({ "post_id": post_id, "hits": hits.iter().map(|h| hit_json(h, masked)).collect::<Vec<_>>() })))
}

pub async fn chart(
    State(state): State<AppState>,
    file: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let file = segment(file)?;
    let params = Params::parse(raw.as_deref(), &["year", "unit"])?;
    let (year, unit) = (held_year(&state, params.year()?)?, params.text("unit").map(str::to_string));
    let unknown =
        || ApiError::not_found("unknown_chart", format!("no chart {file:?}: see /openapi.json for the names"));
    let name = file
        .strip_suffix(".svg")
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .ok_or_else(unknown)?;
    // Only unit_trend is drawn for one unit; a unit given to another chart would be silently
    // ignored, and the chart shown as if it were that unit's.
    if unit.is_some() && name != "unit_trend" {
        return Err(ApiError::bad_parameter(format!(
            "unit applies only to the chart unit_trend; {name} shows every unit: leave unit out"
        )));
    }
    let unit = unit.map(|unit| known_unit(&state, &unit)).transpose()?;
    let svg: std::sync::Arc<String> = match &state.0.charts {
        Charts::Render(render) => {
            let key = format!("{name}|{year:?}|{unit:?}");
            let cached = state.0.chart_cache.lock().ok().and_then(|c| c.get(&key).cloned());
            match cached {
                Some(svg) => svg,
                None => {
                    let (render, name_owned, unit_owned) = (render.clone(), name.to_string(), unit.clone());
                    let drawn = blocking(move || render(&name_owned, year, unit_owned.as_deref()))
                        .await?
                        .ok_or_else(unknown)?;
                    let drawn = std::sync::Arc::new(drawn);
                    if let Ok(mut cache) = state.0.chart_cache.lock() {
                        if cache.len() < 1000 {
                            cache.insert(key, drawn.clone());
                        }
                    }
                    drawn
                }
            }
        }
        Charts::Folder(folder) => {
            let path = folder.join(format!("{name}.svg"));
            match std::fs::read_to_string(&path) {
                Ok(text) => std::sync::Arc::new(text),
                Err(_) => return Err(unknown()),
            }
        }
        Charts::None => return Err(ApiError::unavailable(NO_REPORTS)),
    };
    let mut response = svg.as_str().to_string().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml; charset=utf-8"));
    Ok(response)
}
