//! Query-string parameters, read by hand so that every mistake gets a 400 that names the
//! parameter and says what is expected (a typed `Query<T>` would answer with a generic text):
//! unknown names, bad dates, bad numbers, pages out of range.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::error::{ApiError, ApiResult};

/// The largest page of the table endpoints (flagged replies, issues). Asking for more is a
/// 400, not a silent clamp: a script that wants everything must page.
pub const MAX_LIMIT: usize = 200;
/// The search endpoints' page, bounded by the index.
pub const MAX_SEARCH_LIMIT: usize = index::MAX_LIMIT;
pub const DEFAULT_LIMIT: usize = 20;
/// The years a `year`, `from` or `to` may name. Beyond them a day no longer fits the index's
/// timestamps, and no platform's records are there.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// The decoded parameters of one request.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
    /// Whether the endpoint takes `offset`, so a page too large may say to page with it.
    pages: bool,
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
        Ok(Params { values, pages: allowed.contains(&"offset") })
    }

    /// A text parameter; an empty value counts as absent.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A day `YYYY-MM-DD` of a year 1990–2100 (`YEARS`).
    pub fn date(&self, name: &str) -> ApiResult<Option<NaiveDate>> {
        self.text(name)
            .map(|v| match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(day) if YEARS.contains(&day.year()) => Ok(day),
                Ok(_) => Err(ApiError::bad_parameter(format!(
                    "date {v:?} for {name} is out of range: give a day from {}-01-01 to {}-12-31",
                    YEARS.start(),
                    YEARS.end()
                ))),
                Err(_) => Err(ApiError::bad_parameter(format!("bad date {v:?} for {name}: write it as 2019-07-01"))),
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
                Ok(year) if YEARS.contains(&year) => Ok(year),
                Ok(_) => Err(ApiError::bad_parameter(format!(
                    "year {v} is out of range: give a year from {} to {}",
                    YEARS.start(),
                    YEARS.end()
                ))),
                Err(_) => Err(ApiError::bad_parameter(format!("bad year {v:?}: give four digits, like 2019"))),
            })
            .transpose()
    }

    /// A reply's score, from 0 to 1 (`min_score=0.5`).
    pub fn score(&self, name: &str) -> ApiResult<Option<f64>> {
        self.text(name)
            .map(|v| match v.parse::<f64>() {
                Ok(score) if (0.0..=1.0).contains(&score) => Ok(score),
                _ => Err(ApiError::bad_parameter(format!(
                    "bad {name} {v:?}: give a reply's score from 0 to 1, like 0.5"
                ))),
            })
            .transpose()
    }

    /// A whole number in `range`; `expected` says which in the error ("0 or more").
    fn count(&self, name: &str, range: std::ops::RangeInclusive<usize>, expected: &str) -> ApiResult<Option<usize>> {
        self.text(name)
            .map(|v| match v.parse::<usize>() {
                Ok(n) if range.contains(&n) => Ok(n),
                _ => Err(ApiError::bad_parameter(format!("bad {name} {v:?}: give a whole number {expected}"))),
            })
            .transpose()
    }

    /// `limit` (1 to `max`, default [`DEFAULT_LIMIT`]) and `offset` (0 or more).
    pub fn page(&self, max: usize) -> ApiResult<(usize, usize)> {
        let more = if self.pages { "; page with offset for more" } else { "" };
        let limit = self.count("limit", 1..=max, &format!("from 1 to {max} (a page){more}"))?.unwrap_or(DEFAULT_LIMIT);
        Ok((limit, self.count("offset", 0..=usize::MAX, "of 0 or more")?.unwrap_or(0)))
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
        check("limit=201", Err("from 1 to 200 (a page); page with offset for more"));
        check("limit=0", Err("from 1 to 200"));
        check("limit=-5", Err("from 1 to 200"));
        check("limit=99999999999999999999999", Err("from 1 to 200"));
        check("offset=-1", Err("bad offset \"-1\": give a whole number of 0 or more"));
        check("limit=ten", Err("bad limit \"ten\""));
        check("from=2019-13-01", Err("bad date \"2019-13-01\" for from"));
        // Beyond these the index's timestamps would wrap and the filter match everything.
        check("from=3000-01-01", Err("from 1990-01-01 to 2100-12-31"));
        check("to=1000-01-01", Err("out of range"));
        check("from=-2019-01-01", Err("for from"));
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

    #[test]
    fn a_page_too_large_says_to_page_only_where_offset_is_taken() {
        let paged = Params::parse(Some("limit=500"), &["limit", "offset"]).unwrap().page(200).unwrap_err();
        assert!(paged.message.contains("page with offset"), "{}", paged.message);
        let one_page = Params::parse(Some("limit=500"), &["limit"]).unwrap().page(100).unwrap_err();
        assert!(!one_page.message.contains("offset"), "{}", one_page.message);
    }

    #[test]
    fn a_year_out_of_range_names_the_range() {
        let error = Params::parse(Some("year=9999"), &["year"]).unwrap().year().unwrap_err();
        assert!(error.message.contains("from 1990 to 2100"), "{}", error.message);
    }
}
