//! The Parquet tables of the data folder (SPEC §3): column builders for the records a
//! stage produces, and a part writer that streams them to disk in row groups.

use std::fs::File;

use anyhow::{Context as _, Result};
use chrono::NaiveDateTime;
use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::{
    col, len, Column, DataFrame, DataType, IdxCa, IdxSize, IntoLazy, LazyFrame, NamedFrom, ParquetCompression,
    ParquetWriter, PlRefPath, ScanArgsParquet, Schema, Series, TimeUnit,
};
use polars::prelude::{BooleanChunked, HiveOptions};

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use crate::store::{PendingPart, YearParts};

/// Rows per slice when a part is split by year: a bounded amount in memory at a time.
const SPLIT_ROWS: usize = 200_000;

/// Milliseconds since the epoch of a local (Asia/Shanghai) time, as Parquet stores it.
pub fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// The local time of [`millis`]; `None` out of chrono's range.
pub fn from_millis(ms: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc())
}

pub fn datetime_column(name: &str, values: Vec<i64>) -> Result<Column> {
    Ok(Series::new(name.into(), values).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?.into())
}

/// Zstd level 1: most of level 3's size for far less time; ingest is compression-bound.
pub fn compression() -> ParquetCompression {
    ParquetCompression::Zstd(ZstdLevel::try_new(1).ok())
}

/// Streams data frames of one schema into a part file, one row group per batch. Encoding
/// and compression run on a thread of their own, so that the next batch is read and
/// derived meanwhile: ingest would otherwise wait on zstd.
pub struct PartWriter {
    pub part: PendingPart,
    sender: Option<std::sync::mpsc::SyncSender<DataFrame>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
    pub rows: u64,
}

impl PartWriter {
    pub fn create(part: PendingPart, schema: &Schema) -> Result<PartWriter> {
        let file = File::create(&part.temp).with_context(|| format!("cannot create {}", part.temp.display()))?;
        let mut writer = ParquetWriter::new(file)
            .with_compression(compression())
            .batched(schema)
            .with_context(|| format!("cannot start {}", part.temp.display()))?;
        // Two batches in flight at most: memory stays bounded when the disk is slow.
        let (sender, receiver) = std::sync::mpsc::sync_channel::<DataFrame>(2);
        let temp = part.temp.clone();
        let thread = std::thread::spawn(move || -> Result<()> {
            for frame in receiver {
                writer.write_batch(&frame).with_context(|| format!("cannot write {}", temp.display()))?;
            }
            writer.finish().with_context(|| format!("cannot finish {}", temp.display()))?;
            File::open(&temp)?.sync_all()?;
            Ok(())
        });
        Ok(PartWriter { part, sender: Some(sender), thread: Some(thread), rows: 0 })
    }

    pub fn write(&mut self, frame: DataFrame) -> Result<()> {
        if frame.height() == 0 {
            return Ok(());
        }
        self.rows += frame.height() as u64;
        let sent = self.sender.as_ref().map(|s| s.send(frame));
        if !matches!(sent, Some(Ok(()))) {
            // The writing thread stopped: its error says why.
            self.sender = None;
            return Err(self
                .join()
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("the writer of {} stopped", self.part.temp.display())));
        }
        Ok(())
    }

    fn join(&mut self) -> Result<()> {
        match self.thread.take() {
            Some(thread) => {
                thread.join().map_err(|_| anyhow::anyhow!("the writer of {} panicked", self.part.temp.display()))?
            }
            None => Ok(()),
        }
    }

    /// Finishes the file (footer written, data synced); it is committed by the caller.
    pub fn finish(mut self) -> Result<PendingPart> {
        self.sender = None;
        self.join()?;
        Ok(self.part)
    }
}

/// Reads the given columns of every live part of a table into one frame, or `None` when
/// the table has no part yet.
pub fn read_table(parts: &[std::path::PathBuf], columns: &[&str]) -> Result<Option<DataFrame>> {
    read_table_slice(parts, columns, None)
}

/// Which of `columns` the table has (from the footer of its first part): for columns that files
/// written by an older version lack.
pub fn present_columns<'c>(parts: &[std::path::PathBuf], columns: &[&'c str]) -> Result<Vec<&'c str>> {
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let schema = scan(&parts[..1])?.collect_schema()?;
    Ok(columns.iter().copied().filter(|c| schema.contains(c)).collect())
}

/// The number of rows of a table, from the Parquet footers.
pub fn count_rows(parts: &[std::path::PathBuf]) -> Result<usize> {
    let Some(frame) = read_table_slice(parts, &[], None)? else { return Ok(0) };
    Ok(frame.column("rows")?.get(0)?.extract::<u64>().unwrap_or(0) as usize)
}

/// Like [`read_table`], for the rows `offset..offset + len` only: large tables are
/// processed slice by slice so that memory stays bounded.
pub fn read_table_slice(
    parts: &[std::path::PathBuf],
    columns: &[&str],
    slice: Option<(usize, usize)>,
) -> Result<Option<DataFrame>> {
    if parts.is_empty() {
        return Ok(None);
    }
    let mut frame = scan(parts)?;
    if let Some((offset, len)) = slice {
        frame = frame.slice(offset as i64, len as IdxSize);
    }
    let frame = if columns.is_empty() {
        frame.select([len().alias("rows")])
    } else {
        frame.select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
    };
    let frame = frame.collect().with_context(|| {
        format!("cannot read {} (hint: a part may be corrupt; re-ingest into a new folder)", parts[0].display())
    })?;
    Ok(Some(frame))
}

/// Rows read per slice by [`read_rows`]: wanted rows closer than this share one read.
const ROWS_SPAN: usize = 50_000;

/// The rows at the given positions (row numbers over the parts in order, as
/// [`read_table_slice`] counts them) of the given columns, in ascending position order.
/// For a few rows of a large table: the key columns are read first to find them, then only
/// the slices holding them are read, instead of every text of the table.
pub fn read_rows(parts: &[std::path::PathBuf], columns: &[&str], mut rows: Vec<usize>) -> Result<Option<DataFrame>> {
    rows.sort_unstable();
    rows.dedup();
    let mut frames: Vec<DataFrame> = Vec::new();
    let mut at = 0;
    while at < rows.len() {
        let start = rows[at];
        let mut end = at;
        while end < rows.len() && rows[end] < start + ROWS_SPAN {
            end += 1;
        }
        let Some(slice) = read_table_slice(parts, columns, Some((start, rows[end - 1] - start + 1)))? else {
            return Ok(None);
        };
        let wanted: Vec<IdxSize> = rows[at..end].iter().map(|r| (r - start) as IdxSize).collect();
        frames.push(slice.take(&IdxCa::from_vec("rows".into(), wanted))?);
        at = end;
    }
    let mut frames = frames.into_iter();
    let Some(mut all) = frames.next() else {
        return Ok(if parts.is_empty() { None } else { read_table_slice(parts, columns, Some((0, 0)))? });
    };
    for frame in frames {
        all.vstack_mut_owned(frame)?;
    }
    Ok(Some(all))
}

/// The rows of both frames (of the same columns), one after the other.
pub fn stacked(first: Option<DataFrame>, second: Option<DataFrame>) -> Result<Option<DataFrame>> {
    Ok(match (first, second) {
        (Some(mut first), Some(second)) => {
            first.vstack_mut_owned(second)?;
            Some(first)
        }
        (first, second) => first.or(second),
    })
}

/// The rows of `parts` whose `key` column passes `wanted`, in table order (`None` when none
/// does): the key column is read whole, then only the slices holding the rows found.
pub fn read_rows_where(
    parts: &[std::path::PathBuf],
    key: &str,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    columns: &[&str],
) -> Result<Option<DataFrame>> {
    let Some(keys) = read_table(parts, &[key])? else { return Ok(None) };
    let keys = keys.column(key)?.str()?;
    let rows: Vec<usize> = keys.iter().enumerate().filter(|(_, k)| k.is_some_and(wanted)).map(|(i, _)| i).collect();
    if rows.is_empty() {
        return Ok(None);
    }
    read_rows(parts, columns, rows)
}

/// The given part files as one lazy table. Hive partition columns are not added: the
/// manifest lists the files, and a flat part of an older folder reads alongside them.
fn scan(parts: &[std::path::PathBuf]) -> Result<LazyFrame> {
    let paths: Vec<PlRefPath> = parts.iter().map(|p| PlRefPath::from(p.to_string_lossy().as_ref())).collect();
    let args = ScanArgsParquet {
        hive_options: HiveOptions { enabled: Some(false), ..HiveOptions::default() },
        ..ScanArgsParquet::default()
    };
    Ok(LazyFrame::scan_parquet_files(paths.into_iter().collect(), args)?)
}

/// Streams a year-partitioned table (SPEC §3 change: `posts/year=2019/…`): the rows of each
/// frame go straight to the part of their year, so nothing is read back and split later.
pub struct YearPartWriter {
    parts: YearParts,
    time_column: &'static str,
    schema: Schema,
    writers: BTreeMap<Option<i32>, PartWriter>,
    pub rows: u64,
}

impl YearPartWriter {
    pub fn create(parts: YearParts, time_column: &'static str, schema: &Schema) -> YearPartWriter {
        YearPartWriter { parts, time_column, schema: schema.clone(), writers: BTreeMap::new(), rows: 0 }
    }

    pub fn write(&mut self, frame: DataFrame) -> Result<()> {
        self.rows += frame.height() as u64;
        for (year, rows) in by_year(frame, self.time_column)? {
            let writer = match self.writers.entry(year) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(PartWriter::create(self.parts.part(year)?, &self.schema)?),
            };
            writer.write(rows)?;
        }
        Ok(())
    }

    /// Finishes the part of every year that got rows (none when nothing was written).
    pub fn finish(self) -> Result<Vec<PendingPart>> {
        self.writers.into_values().map(PartWriter::finish).collect()
    }
}

/// The rows of `frame` by the year of `time_column` (`None`: rows without a time), in year
/// order; a frame of one year is given back whole.
fn by_year(frame: DataFrame, time_column: &str) -> Result<Vec<(Option<i32>, DataFrame)>> {
    if frame.height() == 0 {
        return Ok(Vec::new());
    }
    let of_row = frame.clone().lazy().select([col(time_column).dt().year().alias("__year")]).collect()?;
    let of_row = of_row.column("__year")?.i32()?.clone();
    let mut years: Vec<Option<i32>> = of_row.iter().collect();
    years.sort_unstable();
    years.dedup();
    if years.len() == 1 {
        return Ok(vec![(years[0], frame)]);
    }
    years
        .into_iter()
        .map(|y| {
            let mask: BooleanChunked = of_row.iter().map(|of| of == y).collect();
            Ok((y, frame.filter(&mask)?))
        })
        .collect()
}

/// Writes the rows of the part file `source` again into the year parts `parts`, one file
/// per year of `time_column` (`None`: rows without a time); returns those parts, not yet
/// committed. Reads `source` slice by slice. (Ingest writes its parts by year already; this is
/// for parts written whole, such as replies whose `seq` was rewritten.)
pub fn split_by_year(
    source: &std::path::Path,
    time_column: &'static str,
    parts: YearParts,
) -> Result<Vec<PendingPart>> {
    let sources = [source.to_path_buf()];
    let cannot_read = || format!("cannot read {}", source.display());
    let schema = scan(&sources)?.collect_schema().with_context(cannot_read)?;
    let mut writer = YearPartWriter::create(parts, time_column, &schema);
    for offset in (0..count_rows(&sources)?).step_by(SPLIT_ROWS) {
        writer
            .write(scan(&sources)?.slice(offset as i64, SPLIT_ROWS as IdxSize).collect().with_context(cannot_read)?)?;
    }
    writer.finish()
}
