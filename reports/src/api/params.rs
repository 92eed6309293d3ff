//! Query-string parameters, read by hand so that every mistake gets a 400 that names the
//! parameter and says what is expected (a typed `Query<T>` would answer with a generic text):
//! unknown names, bad dates, bad numbers, pages out of range.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::error::{ApiError, ApiResult};

/// The largest page of the table endpoints (flagged replies, issues). Asking for more is a
/// 400, not a silent clamp: a script that wants everything must page.
pub const MAX_LIMIT: usize = 200;
/// The search endpoints' page, bounded by the index.
pub const MAX_SEARCH_LIMIT: usize = index::MAX_LIMIT;
pub const DEFAULT_LIMIT: usize = 20;

/// The decoded parameters of one request.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Decodes a raw query string, refusing names not in `allowed` and repeated names.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> ApiResult<Params> {
        let mut values = HashMap::new();
        for (name, value) in form_pairs(raw.unwrap_or(""))? {
            if !allowed.contains(&name.as_str()) {
                let known = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err(ApiError::bad_parameter(format!(
                    "unknown parameter {name:?}: this endpoint takes {known}"
                )));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(ApiError::bad_parameter(format!("the parameter {name:?} is given twice: give it once")));
            }
        }
        Ok(Params { values })
    }

    /// A text parameter; an empty value counts as absent.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A day `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> ApiResult<Option<NaiveDate>> {
        self.text(name)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| ApiError::bad_parameter(format!("bad date {v:?} for {name}: write it as 2019-07-01")))
            })
            .transpose()
    }

    /// `from` and `to` (inclusive days), checked to be in order.
    pub fn period(&self) -> ApiResult<(Option<NaiveDate>, Option<NaiveDate>)> {
        let (from, to) = (self.date("from")?, self.date("to")?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(ApiError::bad_parameter(format!("from {f} is after to {t}: put the earlier day first")));
            }
        }
        Ok((from, to))
    }

    pub fn year(&self) -> ApiResult<Option<i32>> {
        self.text("year")
            .map(|v| match v.parse::<i32>() {
                Ok(year) if (1990..=2100).contains(&year) => Ok(year),
                _ => Err(ApiError::bad_parameter(format!("bad year {v:?}: give four digits, like 2019"))),
            })
            .transpose()
    }

    /// A non-negative whole number.
    pub fn count(&self, name: &str) -> ApiResult<Option<usize>> {
        self.text(name)
            .map(|v| {
                v.parse::<usize>()
                    .map_err(|_| ApiError::bad_parameter(format!("bad {name} {v:?}: give a whole number, 0 or more")))
            })
            .transpose()
    }

    /// `limit` (1 to `max`, default [`DEFAULT_LIMIT`]) and `offset` (0 or more).
    pub fn page(&self, max: usize) -> ApiResult<(usize, usize)> {
        let limit = self.count("limit")?.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > max {
            return Err(ApiError::bad_parameter(format!(
                "limit {limit} is out of range: a page holds 1 to {max}; page with offset for more"
            )));
        }
        Ok((limit, self.count("offset")?.unwrap_or(0)))
    }
}

/// `application/x-www-form-urlencoded` pairs: `+` is a space, `%XX` a byte, UTF-8 required.
fn form_pairs(raw: &str) -> ApiResult<Vec<(String, String)>> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

fn decode(text: &str) -> ApiResult<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                    ApiError::bad_parameter("bad percent-encoding in the query string: write %XX with two hex digits")
                })?;
                out.push(byte);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| ApiError::bad_parameter("the query string is not UTF-8: percent-encode UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: Result<(usize, usize), &str>) {
        let got = Params::parse(Some(raw), &["limit", "offset", "from", "to"]).and_then(|p| {
            p.period()?;
            p.page(MAX_LIMIT)
        });
        match (got, expected) {
            (Ok(page), Ok(want)) => assert_eq!(page, want, "{raw}"),
            (Err(e), Err(part)) => assert!(e.message.contains(part), "{raw}: {}", e.message),
            (got, want) => panic!("{raw}: got {got:?}, expected {want:?}"),
        }
    }

    #[test]
    fn pages_periods_and_mistakes() {
        check("", Ok((20, 0)));
        check("limit=200&offset=400", Ok((200, 400)));
        check("limit=&offset=", Ok((20, 0)));
        check("limit=201", Err("a page holds 1 to 200"));
        check("limit=0", Err("a page holds 1 to 200"));
        check("offset=-1", Err("bad offset \"-1\""));
        check("limit=ten", Err("bad limit \"ten\""));
        check("from=2019-13-01", Err("bad date \"2019-13-01\" for from"));
        check("from=2019-05-01&to=2019-04-01", Err("put the earlier day first"));
        check("limt=5", Err("unknown parameter \"limt\""));
        check("limit=5&limit=6", Err("given twice"));
        check("from=%zz", Err("percent-encoding"));
        check("from=%ff", Err("not UTF-8"));
    }

    #[test]
    fn chinese_text_is_decoded() {
        let params = Params::parse(Some("q=%E6%B2%B9%E7%83%9F+%E5%99%AA%E9%9F%B3"), &["q"]).expect("valid");
        assert_eq!(params.text("q"), Some("油烟 噪音"));
    }
}
