//! Typed, single-chunk columns taken out of the caller's DataFrames once, at startup, so that
//! a request reads a row by index in constant time; and rows of small tables as JSON.

use chrono::{DateTime, NaiveDate};
use polars::prelude::*;
use serde_json::{Map, Value};

use super::error::ApiResult;

/// A text column; all nulls when the frame has no such column (an older folder).
pub fn strings(frame: &DataFrame, name: &str) -> ApiResult<StringChunked> {
    Ok(match frame.column(name) {
        Ok(c) => c.cast(&DataType::String)?.str()?.rechunk().into_owned(),
        Err(_) => StringChunked::full_null(name.into(), frame.height()),
    })
}

/// A time column as milliseconds since the epoch of the local time (as the tables store it).
pub fn millis(frame: &DataFrame, name: &str) -> ApiResult<Int64Chunked> {
    Ok(match frame.column(name) {
        Ok(c) => {
            let c = match c.dtype() {
                DataType::Datetime(_, _) => c.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?,
                _ => c.clone(),
            };
            c.cast(&DataType::Int64)?.i64()?.rechunk().into_owned()
        }
        Err(_) => Int64Chunked::full_null(name.into(), frame.height()),
    })
}

pub fn integers(frame: &DataFrame, name: &str) -> ApiResult<Int64Chunked> {
    Ok(match frame.column(name) {
        Ok(c) => c.cast(&DataType::Int64)?.i64()?.rechunk().into_owned(),
        Err(_) => Int64Chunked::full_null(name.into(), frame.height()),
    })
}

pub fn floats(frame: &DataFrame, name: &str) -> ApiResult<Float64Chunked> {
    Ok(match frame.column(name) {
        Ok(c) => c.cast(&DataType::Float64)?.f64()?.rechunk().into_owned(),
        Err(_) => Float64Chunked::full_null(name.into(), frame.height()),
    })
}

/// `2019-04-25T09:32:09` for milliseconds of local time.
pub fn time_text(ms: Option<i64>) -> Value {
    ms.and_then(DateTime::from_timestamp_millis)
        .map_or(Value::Null, |t| Value::String(t.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string()))
}

/// The first millisecond of a day, and the first of the day after it.
pub fn day_start(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_millis()
}

pub fn day_end(day: NaiveDate) -> i64 {
    day.succ_opt().map_or(i64::MAX, day_start)
}

/// A cell as JSON: times as text, NaN as null, anything unusual as its text.
pub fn json_value(value: AnyValue) -> Value {
    match value {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => b.into(),
        AnyValue::String(s) => s.into(),
        AnyValue::StringOwned(s) => s.as_str().into(),
        AnyValue::Int8(x) => x.into(),
        AnyValue::Int16(x) => x.into(),
        AnyValue::Int32(x) => x.into(),
        AnyValue::Int64(x) => x.into(),
        AnyValue::UInt8(x) => x.into(),
        AnyValue::UInt16(x) => x.into(),
        AnyValue::UInt32(x) => x.into(),
        AnyValue::UInt64(x) => x.into(),
        AnyValue::Float32(x) => serde_json::Number::from_f64(x as f64).map_or(Value::Null, Value::Number),
        AnyValue::Float64(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => time_text(Some(match unit {
            TimeUnit::Milliseconds => v,
            TimeUnit::Microseconds => v / 1_000,
            TimeUnit::Nanoseconds => v / 1_000_000,
        })),
        AnyValue::Date(days) => NaiveDate::from_epoch_days(days).map_or(Value::Null, |d| Value::String(d.to_string())),
        other => Value::String(other.to_string()),
    }
}

/// Every row of a (small) frame as a JSON object; `components_json` is parsed into
/// `components` beside it, so a page need not parse JSON in a string.
pub fn rows_json(frame: &DataFrame) -> ApiResult<Vec<Map<String, Value>>> {
    let columns = frame.columns();
    let mut rows = Vec::with_capacity(frame.height());
    for row in 0..frame.height() {
        let mut object = Map::new();
        for column in columns {
            let value = json_value(column.get(row)?);
            if column.name().as_str() == "components_json" {
                if let Some(parsed) = value.as_str().and_then(|s| serde_json::from_str::<Value>(s).ok()) {
                    object.insert("components".into(), parsed);
                }
            }
            object.insert(column.name().to_string(), value);
        }
        rows.push(object);
    }
    Ok(rows)
}
