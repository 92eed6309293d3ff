//! Readers for the three input formats, each yielding a header and numbered rows of
//! cells in batches. CSV and JSONL are streamed; an xlsx sheet is read whole, as the
//! format requires. [`read_ahead`] reads the next batch on a thread of its own while the
//! caller works on the last one.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use calamine::{open_workbook_auto, Data, DataType as _, Reader};

use super::values::Cell;

/// A row of an input file. `row` is the number a person opening the file would see:
/// the header is row 1 of a spreadsheet or CSV, the first line of a JSONL file is row 1.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub row: usize,
    pub cells: Vec<Cell>,
}

/// Why a whole file (or sheet) cannot be read. Row-level problems are not errors.
pub type SourceError = String;

/// A row, or the number and reason of a row that could not be parsed at all.
/// A row, or why it cannot be read: its row number, the reason and its raw text (empty when
/// the source cannot give it).
pub type SourceRow = Result<RawRow, (usize, String, String)>;

/// One table of an input file: a CSV or JSONL file, or one sheet of a workbook.
pub trait RowSource: Send {
    fn header(&self) -> &[String];
    /// The sheet name, for workbooks.
    fn sheet(&self) -> Option<&str>;
    /// Up to `max` more rows; rows that cannot be parsed at all come back as
    /// `Err((row, reason))` so they can be quarantined.
    fn next_batch(&mut self, max: usize) -> Result<Vec<SourceRow>, SourceError>;
    /// Rows above the header that were not read (a sheet's title lines): row number and text.
    fn rows_above_header(&self) -> &[(usize, String)] {
        &[]
    }
    /// The rows below the header, when known before reading (a sheet's).
    fn rows_below_header(&self) -> Option<usize> {
        None
    }
}

/// Rows a sheet may have above its header (a title, the export date, a note): exports from
/// the platforms often start with one or two.
const ROWS_BEFORE_HEADER: usize = 10;

/// Opens every table in `path`, by its extension.
pub fn open(path: &Path) -> Result<Vec<Box<dyn RowSource>>, SourceError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => open_workbook(path),
        "csv" | "tsv" | "txt" => Ok(vec![Box::new(CsvSource::open(path, ext == "tsv")?)]),
        "jsonl" | "ndjson" => Ok(vec![Box::new(JsonlSource::open(path)?)]),
        _ => Err(format!("unsupported file type {ext:?}: use .xlsx, .csv or .jsonl")),
    }
}

/// Hands `work` the batches of up to `max` rows of `source`, in order, each read on a thread of
/// its own while `work` is busy with the one before. Stops at the end, at `work`'s first error
/// or at a read error (made `E` by `unreadable`). Reading, decoding and splitting a CSV file
/// into cells was done between batches, with one core idle: this puts it on the other core.
pub fn read_ahead<E>(
    source: &mut dyn RowSource,
    max: usize,
    unreadable: impl Fn(SourceError) -> E,
    mut work: impl FnMut(Vec<SourceRow>) -> Result<(), E>,
) -> Result<(), E> {
    std::thread::scope(|scope| {
        let (sender, batches) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || loop {
            let batch = source.next_batch(max);
            let last = !matches!(&batch, Ok(rows) if !rows.is_empty());
            // a closed channel: the work stopped early, nothing more to read
            if sender.send(batch).is_err() || last {
                break;
            }
        });
        for batch in batches {
            let rows = batch.map_err(&unreadable)?;
            if rows.is_empty() {
                break;
            }
            work(rows)?;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------- xlsx

struct SheetSource {
    sheet: String,
    header: Vec<String>,
    above: Vec<(usize, String)>,
    rows: std::vec::IntoIter<RawRow>,
}

fn open_workbook(path: &Path) -> Result<Vec<Box<dyn RowSource>>, SourceError> {
    let mut workbook = open_workbook_auto(path).map_err(|e| format!("not a readable workbook: {e}"))?;
    let mut sources: Vec<Box<dyn RowSource>> = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|e| format!("sheet {name:?} cannot be read: {e}"))?;
        let (first_row, _) = range.start().unwrap_or((0, 0));
        // calamine's range may not start at A1; a row number counts from the sheet's first line.
        let row_number = |i: usize| first_row as usize + i + 1;
        let texts = |cells: &[Data]| -> Vec<String> { cells.iter().map(|c| cell_of(c).to_text()).collect() };
        let filled: Vec<(usize, &[Data])> = range
            .rows()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
            .take(ROWS_BEFORE_HEADER + 1)
            .collect();
        let Some(&(first, _)) = filled.first() else {
            continue; // an empty sheet holds nothing to ingest
        };
        // The header is the first row that names columns the ingest knows; when none does, the
        // first row, whose columns the error then lists.
        let header_at =
            filled.iter().find(|(_, r)| super::columns::known_columns(&texts(r)) >= 2).map_or(first, |&(i, _)| i);
        let mut header = Vec::new();
        let mut above = Vec::new();
        let mut body = Vec::new();
        for (i, cells) in range.rows().enumerate() {
            if i < header_at {
                if cells.iter().any(|c| !c.is_empty()) {
                    let text: Vec<String> = texts(cells).into_iter().filter(|t| !t.is_empty()).collect();
                    above.push((row_number(i), text.join(" ")));
                }
            } else if i == header_at {
                header = texts(cells);
            } else {
                body.push(RawRow { row: row_number(i), cells: cells.iter().map(cell_of).collect() });
            }
        }
        sources.push(Box::new(SheetSource { sheet: name, header, above, rows: body.into_iter() }));
    }
    if sources.is_empty() {
        return Err("the workbook has no sheet with data".to_string());
    }
    Ok(sources)
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::String(s) => Cell::Str(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(dt) => Cell::DateTime(dt),
            None => Cell::Float(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Str(s.clone()),
        Data::Error(e) => Cell::Str(format!("#{e:?}")),
        Data::Empty => Cell::Empty,
    }
}

impl RowSource for SheetSource {
    fn header(&self) -> &[String] {
        &self.header
    }
    fn sheet(&self) -> Option<&str> {
        Some(&self.sheet)
    }
    fn rows_above_header(&self) -> &[(usize, String)] {
        &self.above
    }
    fn rows_below_header(&self) -> Option<usize> {
        Some(self.rows.len())
    }
    fn next_batch(&mut self, max: usize) -> Result<Vec<SourceRow>, SourceError> {
        Ok(self.rows.by_ref().take(max).map(Ok).collect())
    }
}

// ---------------------------------------------------------------- csv

struct CsvSource {
    header: Vec<String>,
    reader: csv::Reader<Box<dyn Read + Send>>,
    /// Every row is read into this one record: a new record per row cost two allocations.
    record: csv::ByteRecord,
    delimiter: u8,
    /// The row and line of the last row read, when one of its cells holds lines that look like
    /// rows (see `next_batch`).
    swallowing: Option<(usize, usize)>,
}

/// How many bytes are looked at to tell UTF-8 from GB18030.
const SNIFF_BYTES: usize = 1 << 16;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl CsvSource {
    fn open(path: &Path, tabs: bool) -> Result<CsvSource, SourceError> {
        let mut file = File::open(path).map_err(|e| e.to_string())?;
        let mut head = vec![0; SNIFF_BYTES];
        let n = read_up_to(&mut file, &mut head).map_err(|e| e.to_string())?;
        head.truncate(n);
        let reader: Box<dyn Read + Send> = if looks_like_utf8(&head, n < SNIFF_BYTES) {
            // Read as it is: each cell is checked as UTF-8 once, when it becomes text (see
            // `cell_of_bytes`). Decoding the whole stream first checked and copied every byte
            // once more.
            let bom = if head.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
            head.drain(..bom);
            Box::new(std::io::Cursor::new(head).chain(file))
        } else {
            let raw = std::io::Cursor::new(head).chain(file);
            Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(encoding_rs::GB18030)).build(raw))
        };
        let delimiter = if tabs { b'\t' } else { b',' };
        let mut reader =
            csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(reader);
        let header = reader
            .byte_headers()
            .map_err(|e| format!("the header row cannot be read: {e}"))?
            .iter()
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        Ok(CsvSource { header, reader, record: csv::ByteRecord::new(), delimiter, swallowing: None })
    }
}

/// A CSV cell as text. Bytes that are not UTF-8 become U+FFFD, as decoding the whole file did.
fn cell_of_bytes(bytes: &[u8]) -> Cell {
    if bytes.is_empty() {
        return Cell::Empty;
    }
    // Chinese text takes the standard library's checker off its ASCII fast path (about 8% of
    // ingest's CPU went there); the SIMD one checks a cell at memory speed.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Cell::Str(text.to_string()),
        // Rare, and slower: the lossy conversion's own check is a third slower than `from_utf8`.
        Err(_) => Cell::Str(String::from_utf8_lossy(bytes).into_owned()),
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// UTF-8 unless invalid sequences are more than one in twenty of the characters beyond
/// ASCII (a sequence cut at the end of the sample does not count, unless the sample is the whole
/// file). Chinese in GB18030 read as UTF-8 is invalid at nearly every character; a UTF-8 export
/// with one stray byte or a character cut in two is still UTF-8, and decoding it all as GB18030
/// garbled every text. The stray bytes become U+FFFD in their cells (`cell_of_bytes`).
fn looks_like_utf8(bytes: &[u8], whole_file: bool) -> bool {
    let wide = |text: &str| text.chars().filter(|c| !c.is_ascii()).count();
    let (mut valid_wide, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                valid_wide += wide(text);
                break;
            }
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                valid_wide += std::str::from_utf8(good).map_or(0, wide);
                match e.error_len() {
                    Some(len) => {
                        invalid += 1;
                        rest = &after[len..];
                    }
                    None => {
                        invalid += usize::from(whole_file);
                        break;
                    }
                }
            }
        }
    }
    invalid == 0 || invalid * 20 <= valid_wide
}

impl RowSource for CsvSource {
    fn header(&self) -> &[String] {
        &self.header
    }
    fn sheet(&self) -> Option<&str> {
        None
    }
    fn next_batch(&mut self, max: usize) -> Result<Vec<SourceRow>, SourceError> {
        let mut batch = Vec::with_capacity(max.min(65_536));
        while batch.len() < max {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    if let Some((row, line)) = self.swallowing {
                        return Err(format!(
                            "row {row} (line {line}): a quoted cell opened in this row is never closed, so every \
                             line after it, to the end of the file, was read as that one cell: a stray quote \
                             (\"); a quote inside a cell must be doubled (\"\"). Fix the row and ingest again"
                        ));
                    }
                    break;
                }
                Ok(true) => {
                    // The row as a spreadsheet shows it: the header is row 1, each record one
                    // row however many lines its cells take (a line number is off for every
                    // multi-line cell above, and csv counts a CRLF file's lines one short).
                    let row = self.record.position().map_or(0, |p| p.record() as usize + 1);
                    let line = self.record.position().map_or(0, |p| p.line() as usize);
                    // A row of the right width with lines in a cell that look like rows: if it
                    // is the last row, a stray quote opened in its last cell swallowed every row
                    // after it (checked at the end of the file, below).
                    let rows_inside = self.record.len() == self.header.len()
                        && self.header.len() > 1
                        && self.record.iter().any(|cell| {
                            cell.split(|&b| b == b'\n')
                                .skip(1)
                                .any(|l| l.iter().filter(|&&b| b == self.delimiter).count() + 1 >= self.header.len())
                        });
                    self.swallowing = rows_inside.then_some((row, line));
                    if self.record.len() != self.header.len() {
                        // A row of the wrong width that runs over several lines is a quote never
                        // closed: every line after it, to the next quote or the end of the file,
                        // was read as one cell. Quarantining it would hide those rows in one.
                        let next_line = self.reader.position().line() as usize;
                        if next_line > line + 1 {
                            return Err(format!(
                                "row {row} (line {line}): a quoted cell opened in this row runs on to line {} and the row then \
                                 has {} cells, not {}: a stray quote (\") that CSV reads as opening a cell; a \
                                 quote inside a cell must be doubled (\"\"). Fix the row and ingest again",
                                next_line - 1,
                                self.record.len(),
                                self.header.len()
                            ));
                        }
                    }
                    let cells = self.record.iter().map(cell_of_bytes).collect();
                    batch.push(Ok(RawRow { row, cells }));
                }
                Err(e) => {
                    let row = e.position().map_or(0, |p| p.record() as usize + 1);
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Err(format!("read failed at row {row}: {e}"));
                    }
                    batch.push(Err((row, format!("malformed CSV: {e}"), String::new())));
                }
            }
        }
        Ok(batch)
    }
}

// ---------------------------------------------------------------- jsonl

struct JsonlSource {
    header: Vec<String>,
    lines: std::iter::Enumerate<std::io::Split<BufReader<File>>>,
}

impl JsonlSource {
    /// The header is every key of every object, in the order first met: a file whose first
    /// object lacks a key (a null left out) still has its later values read. Lines that are not
    /// objects are skipped here and quarantined when the rows are read.
    fn open(path: &Path) -> Result<JsonlSource, SourceError> {
        let file = File::open(path).map_err(|e| e.to_string())?;
        let mut header: Vec<String> = Vec::new();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let (mut text_lines, mut other_lines) = (0usize, 0usize);
        for (i, line) in BufReader::new(file).split(b'\n').enumerate() {
            let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
            // A line that is not UTF-8 is quarantined when the rows are read, not here.
            let Ok(line) = std::str::from_utf8(&line) else {
                other_lines += 1;
                continue;
            };
            text_lines += 1;
            let line = line.trim_start_matches('\u{feff}');
            if let Ok(object) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line) {
                for key in object.into_iter().map(|(key, _)| key) {
                    if seen.insert(key.clone()) {
                        header.push(key);
                    }
                }
            }
        }
        // A damaged line is one row to quarantine; a file of them is in another encoding.
        if other_lines > text_lines {
            return Err(format!(
                "{other_lines} of {} lines are not UTF-8: JSON Lines must be UTF-8 (convert the file, e.g. \
                 `iconv -f GB18030 -t UTF-8`)",
                other_lines + text_lines
            ));
        }
        if header.is_empty() {
            return Err("the file holds no JSON object (one per line)".to_string());
        }
        let file = File::open(path).map_err(|e| e.to_string())?;
        Ok(JsonlSource { header, lines: BufReader::new(file).split(b'\n').enumerate() })
    }
}

fn cells_of(header: &[String], object: &serde_json::Map<String, serde_json::Value>) -> Vec<Cell> {
    header
        .iter()
        .map(|key| match object.get(key) {
            None | Some(serde_json::Value::Null) => Cell::Empty,
            Some(serde_json::Value::String(s)) => Cell::Str(s.clone()),
            Some(serde_json::Value::Bool(b)) => Cell::Bool(*b),
            Some(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(i) => Cell::Int(i),
                None => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Some(other) => Cell::Str(other.to_string()),
        })
        .collect()
}

impl RowSource for JsonlSource {
    fn header(&self) -> &[String] {
        &self.header
    }
    fn sheet(&self) -> Option<&str> {
        None
    }
    fn next_batch(&mut self, max: usize) -> Result<Vec<SourceRow>, SourceError> {
        let mut batch = Vec::with_capacity(max.min(65_536));
        while batch.len() < max {
            let Some((i, bytes)) = self.lines.next() else { break };
            let bytes = bytes.map_err(|e| format!("line {}: {e}", i + 1))?;
            let line = match std::str::from_utf8(&bytes) {
                Ok(line) => line.trim_start_matches('\u{feff}'),
                Err(e) => {
                    let raw = String::from_utf8_lossy(&bytes).into_owned();
                    batch.push(Err((i + 1, format!("not UTF-8 text: {e}"), raw)));
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line) {
                Ok(object) => batch.push(Ok(RawRow { row: i + 1, cells: cells_of(&self.header, &object) })),
                Err(e) => batch.push(Err((i + 1, format!("not a JSON object: {e}"), line.to_string()))),
            }
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_told_from_gb18030() {
        let text = "留言编号,留言主题\n1,噪音扰民\n";
        assert!(looks_like_utf8(text.as_bytes(), true));
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert!(!looks_like_utf8(&gb, true));
        // one stray byte among Chinese text in UTF-8 is a damaged UTF-8 file, not GB18030
        let mut damaged = "留言编号,留言主题\n".repeat(20).into_bytes();
        damaged.insert(26, 0xB5); // at the start of the second line
        assert!(looks_like_utf8(&damaged, true));
        // A multi-byte character cut by the end of the sample is still UTF-8.
        let cut = &text.as_bytes()[..text.len() - 5];
        assert!(looks_like_utf8(cut, false));
    }

    #[test]
    fn a_utf8_csv_loses_its_bom_and_its_bad_bytes_become_what_decoding_made_of_them() {
        // The bad bytes come after the sniffed head, so the file is read as UTF-8.
        let mut bytes = b"\xEF\xBB\xBF\xE7\x95\x99\xE8\xA8\x80\xE7\xBC\x96\xE5\x8F\xB7,subject\n".to_vec();
        while bytes.len() <= SNIFF_BYTES {
            bytes.extend_from_slice("1,噪音扰民\n".as_bytes());
        }
        let bad_cells: [&[u8]; 3] = [b"a\xE4", b"\xE4\xB8", b"\xFF\xE5\x99\xAA\xC0\xAF"];
        for cell in bad_cells {
            bytes.extend_from_slice(b"2,\"");
            bytes.extend_from_slice(cell);
            bytes.extend_from_slice(b"\"\n");
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("posts.csv");
        std::fs::write(&path, &bytes).expect("the file is written");
        let mut source = CsvSource::open(&path, false).expect("the file opens");
        assert_eq!(source.header(), ["留言编号", "subject"]);
        let rows: Vec<RawRow> = source.next_batch(usize::MAX).expect("rows").into_iter().map(Result::unwrap).collect();
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].cells, [Cell::Str("1".into()), Cell::Str("噪音扰民".into())]);
        let last: Vec<&Cell> = rows[rows.len() - 3..].iter().map(|r| &r.cells[1]).collect();
        for (cell, bytes) in last.into_iter().zip(bad_cells) {
            let (decoded, _) = encoding_rs::UTF_8.decode_without_bom_handling(bytes);
            assert_eq!(cell, &Cell::Str(decoded.into_owned()), "{bytes:?}");
        }
    }
}
