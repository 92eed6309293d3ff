//! Cell values as the readers hand them over, and their conversion to the typed
//! fields of a record: ids, counts and local date-times in every form real exports use.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// One cell of an input row, before it is given a meaning by its column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A cell the spreadsheet itself typed as a date-time.
    DateTime(NaiveDateTime),
    /// A workbook's error cell, by the name Excel shows ("#N/A", "#REF!"): a formula that
    /// failed in the export, never data.
    Error(&'static str),
}

/// What Excel shows in a cell whose formula failed; a CSV saved by Excel holds them as text.
const EXCEL_ERRORS: [&str; 8] = ["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"];

impl Cell {
    /// The Excel error the cell holds, typed as one by the workbook or written as its text.
    pub fn excel_error(&self) -> Option<&str> {
        match self {
            Cell::Error(name) => Some(name),
            // (a text cell is looked at only when it starts with "#": most cells of a file are text)
            Cell::Str(s) if s.trim_start().starts_with('#') => EXCEL_ERRORS.iter().copied().find(|e| s.trim() == *e),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Str(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, the way a person reading the sheet would see it.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Str(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => format_float(*f),
            Cell::Bool(b) => b.to_string(),
            Cell::DateTime(dt) => seconds_text(*dt),
            Cell::Error(name) => (*name).to_string(),
        }
    }

    /// JSON for the quarantine's `raw` column.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Cell::Empty => serde_json::Value::Null,
            Cell::Int(i) => (*i).into(),
            Cell::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
            Cell::Bool(b) => (*b).into(),
            other => other.to_text().into(),
        }
    }
}

/// A date-time as `%Y-%m-%d %H:%M:%S`, the form content hashes are taken of. Written field by
/// field: chrono's formatter reads its pattern again on every call (1% of ingest's CPU).
pub fn seconds_text(dt: NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    if !(0..=9999).contains(&dt.year()) {
        return dt.format("%Y-%m-%d %H:%M:%S").to_string();
    }
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second())
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An identifier: trimmed text, with the `.0` that spreadsheets and pandas exports add to
/// integer ids removed ("24.0" → "24"), since the same post is "24" in another export.
pub fn parse_id(cell: &Cell) -> Option<String> {
    let text = match cell {
        Cell::Str(s) => std::borrow::Cow::Borrowed(s.as_str()),
        Cell::Float(f) => format_float(*f).into(),
        other => other.to_text().into(),
    };
    // (an id typed in full-width digits, or carrying an invisible character a copy-paste left —
    // a zero-width space, a byte-order mark — is the same id as in every other export)
    let text = if !text.is_ascii() {
        std::borrow::Cow::Owned(
            text.chars()
                .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
                .map(|c| match c {
                    '\u{FF01}'..='\u{FF5E}' if c.is_alphanumeric() => {
                        char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c)
                    }
                    _ => c,
                })
                .collect(),
        )
    } else {
        text
    };
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let text = match text.strip_suffix(".0") {
        Some(int) if !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) => int,
        _ => text,
    };
    Some(text.to_string())
}

/// More than anyone could click (likes, dislikes): a count this big is a damaged cell.
const MAX_COUNT: i64 = 1_000_000_000;

/// A non-negative count such as likes; empty (or a dash, as exports write "none") means 0;
/// thousands may be grouped ("1,000").
pub fn parse_count(cell: &Cell) -> Result<i64, String> {
    match cell {
        Cell::Empty => Ok(0),
        Cell::Int(i) if (0..MAX_COUNT).contains(i) => Ok(*i),
        // (a float beyond what a count can be, 1e20, would saturate to i64::MAX)
        Cell::Float(f) if *f >= 0.0 && f.fract() == 0.0 && *f < MAX_COUNT as f64 => Ok(*f as i64),
        Cell::Str(s) if matches!(s.trim(), "" | "-" | "—" | "--") => Ok(0),
        Cell::Str(s) => {
            let t: String = s.trim().chars().filter(|c| !matches!(c, ',' | '，')).collect();
            let t = t.strip_suffix(".0").unwrap_or(&t);
            t.parse::<i64>().ok().filter(|n| (0..MAX_COUNT).contains(n)).ok_or_else(|| format!("not a count: {s:?}"))
        }
        other => Err(format!("not a count: {:?}", other.to_text())),
    }
}

/// Excel serial dates count days from 1899-12-30 (after Lotus' leap-year bug).
/// Serials are accepted only in a plausible range (1982–2064) so that an id or a
/// count in a date column is rejected instead of turned into a date.
fn excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(30_000.0..60_000.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    // To the nearest second: a serial is a float, and 09:30:00 comes back as 09:29:59.997,
    // which a text export of the same post ("9:30:00") would then contradict.
    let seconds = (serial * 86_400.0).round() as i64;
    Some(epoch + Duration::seconds(seconds))
}

/// A date cell of a workbook, to the nearest second (see [`excel_serial`]); a cell of a time
/// alone (the day 1899-12-31 or before) is no date.
fn excel_datetime(dt: NaiveDateTime) -> Result<NaiveDateTime, String> {
    if dt.year() < 1900 {
        return Err(format!("{} is a time without a date", dt.time().format("%H:%M:%S")));
    }
    let rounded = dt + Duration::milliseconds(500);
    Ok(rounded.with_nanosecond(0).unwrap_or(rounded))
}

/// Offset of Asia/Shanghai: China has had no daylight saving time since 1991.
const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

/// Parses a date-time as found in the exports into Asia/Shanghai local time:
/// `2019/4/25 9:32:09`, `2018/4/24`, `2019-04-25 09:32`, `2019年4月25日 9时32分`,
/// ISO 8601 with or without an offset (an offset is converted to +08:00), and Excel
/// serial numbers, whether typed as numbers or as text.
pub fn parse_datetime(cell: &Cell) -> Result<NaiveDateTime, String> {
    match cell {
        Cell::DateTime(dt) => excel_datetime(*dt),
        Cell::Float(f) => excel_serial(*f).ok_or_else(|| format!("number {f} is not a date")),
        Cell::Int(i) => excel_serial(*i as f64).ok_or_else(|| format!("number {i} is not a date")),
        Cell::Str(s) => parse_datetime_text(s),
        Cell::Empty => Err("missing".to_string()),
        Cell::Bool(b) => Err(format!("{b} is not a date")),
        Cell::Error(name) => Err(format!("is the Excel error {name}, not a date")),
    }
}

fn parse_datetime_text(raw: &str) -> Result<NaiveDateTime, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("missing".to_string());
    }
    // (ISO 8601, and the offset written without its colon, "2019-03-05 14:22:05 +0800")
    let with_offset = DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z"));
    if let Ok(dt) = with_offset {
        let local = dt.with_timezone(&chrono::FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).expect("valid offset"));
        return Ok(local.naive_local());
    }
    // "20190425", a date written without separators (a number too big for an Excel serial)
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(date) = NaiveDate::parse_from_str(s, "%Y%m%d").ok().filter(|d| (1990..2100).contains(&d.year())) {
            return Ok(date.and_time(NaiveTime::MIN));
        }
    }
    if let Ok(serial) = s.parse::<f64>() {
        return excel_serial(serial).ok_or_else(|| format!("{raw:?} is not a date"));
    }
    // WPS and Excel in Chinese write the 12-hour clock as "2019/5/6 下午3:20" (上午12:05 is 00:05).
    let marker = |markers: &[&str]| markers.iter().find_map(|m| s.find(m).map(|at| (at, m.len())));
    let (s, half) = match (marker(&["下午", "晚上", "PM", "pm"]), marker(&["上午", "早上", "凌晨", "AM", "am"]))
    {
        (Some((at, len)), _) => (format!("{} {}", &s[..at], &s[at + len..]), Some(12)),
        (None, Some((at, len))) => (format!("{} {}", &s[..at], &s[at + len..]), Some(0)),
        (None, None) => (s.to_string(), None),
    };
    let clock = |dt: NaiveDateTime| match half {
        Some(half) => dt.with_hour(dt.hour() % 12 + half).unwrap_or(dt),
        None => dt,
    };
    // Bring the Chinese and slash forms to one shape: "Y-M-D H:M:S".
    let mut normalized = String::with_capacity(s.len());
    // A dot separates the date's parts ("2019.4.25") before the time begins, and the fraction of
    // a second after it ("09:32:09.5").
    let mut in_time = false;
    for c in s.trim().chars() {
        in_time |= matches!(c, ':' | '：' | '时' | '点');
        match c {
            '.' if in_time => normalized.push('.'),
            '/' | '年' | '月' | '.' => normalized.push('-'),
            '日' => normalized.push(' '),
            '时' | '点' | '分' | '：' => normalized.push(':'),
            '秒' => {}
            'T' => normalized.push(' '),
            _ => normalized.push(c),
        }
    }
    let normalized = normalized.split_whitespace().collect::<Vec<_>>().join(" ");
    let normalized = normalized.trim_end_matches(':');
    const FORMATS: [&str; 3] = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d %H"];
    for format in FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(normalized, format) {
            return Ok(clock(dt));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(normalized.trim_end_matches('-'), "%Y-%m-%d") {
        return Ok(date.and_time(NaiveTime::MIN));
    }
    Err(format!(
        "{raw:?} is not a date-time (read: 2019/4/25 9:32:09, 2019-04-25 09:32, 2019年4月25日 9时32分, \
         2019/4/25 下午3:20, 20190425, ISO 8601, Excel dates)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_date(cell: Cell, expected: &str) {
        let got = parse_datetime(&cell).unwrap_or_else(|e| panic!("{cell:?}: {e}"));
        assert_eq!(got.format("%Y-%m-%d %H:%M:%S").to_string(), expected, "{cell:?}");
    }

    #[test]
    fn an_id_is_the_same_in_full_width_digits_or_with_an_invisible_character() {
        assert_eq!(parse_id(&Cell::Str("６００５".into())).as_deref(), Some("6005"));
        assert_eq!(parse_id(&Cell::Str("6006\u{200b}".into())).as_deref(), Some("6006"));
        assert_eq!(parse_id(&Cell::Str("\u{feff}Ａ12".into())).as_deref(), Some("A12"));
        assert_eq!(parse_id(&Cell::Str("24.0".into())).as_deref(), Some("24"));
        assert_eq!(parse_id(&Cell::Str("\u{200b}".into())), None);
    }

    #[test]
    fn dates_in_every_form_of_the_exports() {
        check_date(Cell::Str("2019/4/25 9:32:09".into()), "2019-04-25 09:32:09");
        check_date(Cell::Str("2018/4/24".into()), "2018-04-24 00:00:00");
        check_date(Cell::Str(" 2019/12/31 22:21:59 ".into()), "2019-12-31 22:21:59");
        check_date(Cell::Str("2023-03-14T09:32:10+08:00".into()), "2023-03-14 09:32:10");
        check_date(Cell::Str("2023-03-14T01:32:10Z".into()), "2023-03-14 09:32:10");
        check_date(Cell::Str("2019-03-05 14:22:05 +0800".into()), "2019-03-05 14:22:05");
        check_date(Cell::Str("2019-03-05T06:22:05+0000".into()), "2019-03-05 14:22:05");
        check_date(Cell::Str("2023-03-14T09:32:10".into()), "2023-03-14 09:32:10");
        check_date(Cell::Str("2023-03-14 09:32".into()), "2023-03-14 09:32:00");
        check_date(Cell::Str("2024-05-07T09:00:00.5".into()), "2024-05-07 09:00:00");
        check_date(Cell::Str("2019-04-25 09:32:09.0".into()), "2019-04-25 09:32:09");
        check_date(Cell::Str("2019.4.25 9:32:09".into()), "2019-04-25 09:32:09");
        check_date(Cell::Str("2019年4月25日 9时32分".into()), "2019-04-25 09:32:00");
        check_date(Cell::Str("2019年4月25日".into()), "2019-04-25 00:00:00");
        // the 12-hour clock of WPS and Excel in Chinese, and a date without separators
        check_date(Cell::Str("2019/5/6 下午3:20".into()), "2019-05-06 15:20:00");
        check_date(Cell::Str("2019/5/6 上午9:05".into()), "2019-05-06 09:05:00");
        check_date(Cell::Str("2019/5/6 下午12:10".into()), "2019-05-06 12:10:00");
        check_date(Cell::Str("2019/5/6 3:20 PM".into()), "2019-05-06 15:20:00");
        check_date(Cell::Str("2019/5/6 上午12:05".into()), "2019-05-06 00:05:00");
        check_date(Cell::Str("20190506".into()), "2019-05-06 00:00:00");
        // 43580.5 is noon on 2019-04-25 in Excel's serial numbering.
        check_date(Cell::Float(43580.5), "2019-04-25 12:00:00");
        check_date(Cell::Str("43580.5".into()), "2019-04-25 12:00:00");
        check_date(Cell::Int(43580), "2019-04-25 00:00:00");
        // Float noise of a workbook's 09:30:00 comes back as 09:30:00, not 09:29:59.997.
        check_date(Cell::Float(43468.3958333), "2019-01-03 09:30:00");
        let noisy = NaiveDateTime::parse_from_str("2019-01-02 09:29:59.997", "%Y-%m-%d %H:%M:%S%.f").unwrap();
        check_date(Cell::DateTime(noisy), "2019-01-02 09:30:00");
    }

    #[test]
    fn what_is_not_a_date_says_why() {
        assert_eq!(parse_datetime(&Cell::Empty), Err("missing".into()));
        assert!(parse_datetime(&Cell::Str("昨天".into())).unwrap_err().contains("昨天"));
        assert!(parse_datetime(&Cell::Int(216065)).is_err());
        assert!(parse_datetime(&Cell::Str("2019/13/45".into())).is_err());
        let time_only = NaiveDate::from_ymd_opt(1899, 12, 31).unwrap().and_hms_opt(9, 30, 0).unwrap();
        assert_eq!(parse_datetime(&Cell::DateTime(time_only)), Err("09:30:00 is a time without a date".into()));
    }

    #[test]
    fn seconds_text_is_chronos_format() {
        for text in ["2019-04-25 09:32:09.750", "0001-01-01 00:00:00", "9999-12-31 23:59:59", "1982-02-03 04:05:06"] {
            let dt = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").expect("a date-time");
            assert_eq!(seconds_text(dt), dt.format("%Y-%m-%d %H:%M:%S").to_string());
        }
        for year in [-1, 10_000] {
            let dt = NaiveDate::from_ymd_opt(year, 5, 6).expect("a date").and_time(NaiveTime::MIN);
            assert_eq!(seconds_text(dt), dt.format("%Y-%m-%d %H:%M:%S").to_string());
        }
    }

    #[test]
    fn ids_lose_the_float_suffix_of_spreadsheets() {
        assert_eq!(parse_id(&Cell::Str("24.0".into())), Some("24".into()));
        assert_eq!(parse_id(&Cell::Float(2554.0)), Some("2554".into()));
        assert_eq!(parse_id(&Cell::Int(2554)), Some("2554".into()));
        assert_eq!(parse_id(&Cell::Str(" A-7.0 ".into())), Some("A-7.0".into()));
        assert_eq!(parse_id(&Cell::Str("  ".into())), None);
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count(&Cell::Empty), Ok(0));
        assert_eq!(parse_count(&Cell::Str("12".into())), Ok(12));
        assert_eq!(parse_count(&Cell::Float(3.0)), Ok(3));
        assert!(parse_count(&Cell::Str("-1".into())).is_err());
        assert!(parse_count(&Cell::Str("很多".into())).is_err());
        assert_eq!(parse_count(&Cell::Str("1,000".into())), Ok(1000));
        assert_eq!(parse_count(&Cell::Str("-".into())), Ok(0));
        assert!(parse_count(&Cell::Str("NaN".into())).is_err());
    }
}
