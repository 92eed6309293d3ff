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
    /// Whether the header is the keys of JSON lines, each line naming its fields its own way.
    fn keyed(&self) -> bool {
        false
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

/// What a file that does not open as a workbook looks like, for the message: an .xlsx is a zip
/// archive (it starts with "PK"); a text file renamed .xlsx, an empty file or a cut-off download
/// are told apart by their first bytes.
fn what_it_is(path: &Path) -> String {
    let mut head = [0u8; 512];
    let n = File::open(path).and_then(|mut f| read_up_to(&mut f, &mut head)).unwrap_or(0);
    let head = &head[..n];
    if n == 0 {
        "; the file is empty (0 bytes): export it again".to_string()
    } else if head.starts_with(b"PK") {
        "; it is a zip archive but not a whole workbook: a download cut off, or a damaged file? Export it again"
            .to_string()
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        String::new()
    } else if std::str::from_utf8(head).is_ok() || head.iter().all(|&b| b >= 0x09) {
        "; it holds text, not a workbook: a CSV saved under an .xlsx name? Rename it .csv and ingest that".to_string()
    } else {
        String::new()
    }
}

fn open_workbook(path: &Path) -> Result<Vec<Box<dyn RowSource>>, SourceError> {
    let mut workbook =
        open_workbook_auto(path).map_err(|e| format!("not a readable workbook: {e}{}", what_it_is(path)))?;
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
        Data::Error(e) => Cell::Error(excel_error_name(e)),
        Data::Empty => Cell::Empty,
    }
}

/// The name Excel shows for an error cell (calamine's own names are "NA", "Div0" …).
fn excel_error_name(error: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType as E;
    match error {
        E::Div0 => "#DIV/0!",
        E::NA => "#N/A",
        E::Name => "#NAME?",
        E::Null => "#NULL!",
        E::Num => "#NUM!",
        E::Ref => "#REF!",
        E::Value => "#VALUE!",
        E::GettingData => "#GETTING_DATA",
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
    /// Rows of a UTF-8 file with cells that are not (see `cells_of_mixed_row`), told once at
    /// the end.
    gb18030_rows: Vec<usize>,
    told_gb18030: bool,
    /// The file's name, for the log.
    file: String,
    /// Title lines above the header, not read: line number and text.
    above: Vec<(usize, String)>,
}

/// How many bytes are looked at to tell UTF-8 from GB18030.
const SNIFF_BYTES: usize = 1 << 16;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl CsvSource {
    fn open(path: &Path, tabs: bool) -> Result<CsvSource, SourceError> {
        let (mut reader, delimiter) = Self::reader(path, tabs)?;
        let read_header = |reader: &mut csv::Reader<Box<dyn Read + Send>>| -> Result<Vec<String>, SourceError> {
            Ok(reader
                .byte_headers()
                .map_err(|e| format!("the header row cannot be read: {e}"))?
                .iter()
                .map(|name| String::from_utf8_lossy(name).into_owned())
                .collect())
        };
        let mut header = read_header(&mut reader)?;
        // An export's title lines above the header ("某市网络问政平台留言导出（2019年3月）"), as a
        // sheet may have: the header is the first line that names two columns the ingest knows.
        let mut above = Vec::new();
        if super::columns::known_columns(&header) < 2 {
            let mut lines = vec![header.clone()];
            let mut record = csv::ByteRecord::new();
            while lines.len() <= ROWS_BEFORE_HEADER && reader.read_byte_record(&mut record).unwrap_or(false) {
                let cells: Vec<String> = record.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
                if super::columns::known_columns(&cells) >= 2 {
                    for (i, line) in lines.iter().enumerate() {
                        let text: Vec<&str> = line.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
                        if !text.is_empty() {
                            above.push((i + 1, text.join(" ")));
                        }
                    }
                    header = cells;
                    break;
                }
                lines.push(cells);
            }
            if header == lines[0] {
                // no header below either: read from the first line again, whose columns the
                // error then lists
                (reader, _) = Self::reader(path, tabs)?;
                header = read_header(&mut reader)?;
            }
        }
        Ok(CsvSource {
            above,
            header,
            reader,
            record: csv::ByteRecord::new(),
            delimiter,
            swallowing: None,
            gb18030_rows: Vec::new(),
            told_gb18030: false,
            file: path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
        })
    }

    /// The file's CSV reader (UTF-8 or GB18030, comma or tab) and its delimiter.
    fn reader(path: &Path, tabs: bool) -> Result<(csv::Reader<Box<dyn Read + Send>>, u8), SourceError> {
        let mut file = File::open(path).map_err(|e| e.to_string())?;
        let mut head = vec![0; SNIFF_BYTES];
        let n = read_up_to(&mut file, &mut head).map_err(|e| e.to_string())?;
        head.truncate(n);
        // Excel's "Unicode text" is UTF-16: every other byte of its ASCII is zero.
        let zeros = head.iter().take(4096).filter(|&&b| b == 0).count();
        if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") || zeros * 4 > head.len().min(4096) {
            return Err(
                "the file is UTF-16 text (Excel's \"Unicode text\"), not CSV: save it as \"CSV UTF-8\" (or CSV) \
                        and ingest that"
                    .to_string(),
            );
        }
        // A ".csv" whose first line has tabs and no comma is tab-separated (as ".txt" often is).
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let tabs = tabs || (first_line.contains(&b'\t') && !first_line.contains(&b','));
        let reader: Box<dyn Read + Send> = if first_wide_line_is_utf8(&head) || looks_like_utf8(&head, n < SNIFF_BYTES)
        {
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
        let reader =
            csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(reader);
        Ok((reader, delimiter))
    }
}

/// A CSV cell as text, or `None` when it is not UTF-8.
fn cell_of_bytes(bytes: &[u8]) -> Option<Cell> {
    if bytes.is_empty() {
        return Some(Cell::Empty);
    }
    // Chinese text takes the standard library's checker off its ASCII fast path (about 8% of
    // ingest's CPU went there); the SIMD one checks a cell at memory speed.
    simdutf8::basic::from_utf8(bytes).ok().map(|text| Cell::Str(text.to_string()))
}

/// The cells of a row of a file read as UTF-8 whose cells are not all UTF-8. A cell of UTF-8
/// with a stray byte keeps its text, the byte as U+FFFD; a cell appended from a GB18030 export
/// (two exports joined) is read as GB18030 when it decodes so. Otherwise the reason to
/// quarantine the row, naming the column. Read as UTF-8, GB18030 rows had been kept as U+FFFD
/// throughout, and scored and published.
fn cells_of_mixed_row(record: &csv::ByteRecord, header: &[String]) -> Result<Vec<Cell>, String> {
    // (judged on the whole row: a short cell alone, "\xE4\xB8", is as much a character of
    // either cut in two)
    let utf8 = looks_like_utf8(record.as_slice(), true);
    record
        .iter()
        .enumerate()
        .map(|(i, bytes)| match cell_of_bytes(bytes) {
            Some(cell) => Ok(cell),
            None if utf8 => Ok(Cell::Str(String::from_utf8_lossy(bytes).into_owned())),
            None => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|text| Cell::Str(text.into_owned()))
                .ok_or_else(|| {
                    let column = header.get(i).map_or_else(|| format!("column {}", i + 1), |h| h.trim().to_string());
                    format!(
                        "{column} is neither UTF-8 nor GB18030 text (a damaged cell, or a file of another encoding \
                         pasted in): save the export in one encoding and ingest it again"
                    )
                }),
        })
        .collect()
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

/// Whether the first line with a byte beyond ASCII (the header, or a title above it) is whole
/// UTF-8: then the file is, whatever rows of another encoding were joined to it (read row by
/// row, `cells_of_mixed_row`). A GB18030 export's Chinese header is never valid UTF-8.
fn first_wide_line_is_utf8(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n')
        .find(|line| line.iter().any(|b| !b.is_ascii()))
        .is_some_and(|line| std::str::from_utf8(line).is_ok() && line.len() < head.len())
}

/// UTF-8 unless invalid sequences are more than one in twenty of the characters beyond
/// ASCII (a sequence cut at the end of the sample does not count, unless the sample is the whole
/// file). Chinese in GB18030 read as UTF-8 is invalid at nearly every character; a UTF-8 export
/// with one stray byte or a character cut in two is still UTF-8, and decoding it all as GB18030
/// garbled every text. A row that is not UTF-8 is read cell by cell (`cells_of_mixed_row`).
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

impl CsvSource {
    /// Whether a line inside one of the current record's cells starts like the record itself:
    /// as many cells as the header, the first an id of the same form as the record's first cell
    /// ("1003" in a row whose own first cell is "1001"). Legitimate multi-line texts with commas
    /// (real replies hold lists) do not; a row swallowed by a stray quote does.
    fn holds_a_row_like_this_one(&self) -> bool {
        let id_like = |cell: &[u8]| {
            !cell.is_empty()
                && cell.len() <= 40
                && cell.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        };
        let Some(first) = self.record.get(0).map(<[u8]>::trim_ascii) else {
            return false;
        };
        if !id_like(first) {
            return false;
        }
        let digits = |cell: &[u8]| cell.iter().all(u8::is_ascii_digit);
        self.record.iter().any(|cell| {
            cell.split(|&b| b == b'\n').skip(1).any(|line| {
                let mut cells = line.split(|&b| b == self.delimiter);
                let lead = cells.next().map(<[u8]>::trim_ascii).unwrap_or_default();
                cells.count() + 1 == self.header.len() && id_like(lead) && digits(lead) == digits(first)
            })
        })
    }
}

/// A record as a line of its file, cells joined by the delimiter and quoted where they must be,
/// so that a row set aside can be read back cell by cell (its bytes alone run the cells together).
fn csv_line(record: &csv::ByteRecord, delimiter: u8) -> String {
    let mut line = String::new();
    for (i, cell) in record.iter().enumerate() {
        if i > 0 {
            line.push(delimiter as char);
        }
        let cell = String::from_utf8_lossy(cell);
        if cell.contains([delimiter as char, '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&cell);
        }
    }
    line
}

impl RowSource for CsvSource {
    fn header(&self) -> &[String] {
        &self.header
    }
    fn rows_above_header(&self) -> &[(usize, String)] {
        &self.above
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
                             (\"; a quote inside a cell must be doubled, \"\"), or the file was cut off inside the \
                             cell (a truncated export). Fix the row and ingest again"
                        ));
                    }
                    if !self.gb18030_rows.is_empty() && !self.told_gb18030 {
                        self.told_gb18030 = true;
                        let rows = &self.gb18030_rows;
                        let shown: Vec<String> = rows.iter().take(10).map(usize::to_string).collect();
                        let rows = match shown.len() {
                            1 => format!("row {} is", shown[0]),
                            _ => format!("rows {}{} are", shown.join(", "), if rows.len() > 10 { " …" } else { "" }),
                        };
                        tracing::warn!(
                            file = %self.file,
                            "{rows} not all UTF-8 like the rest of the file: read as GB18030 (two exports joined?), \
                             a stray byte as �; check their texts, or save the file in one encoding"
                        );
                    }
                    break;
                }
                Ok(true) => {
                    // The row as a spreadsheet shows it: the header is row 1, each record one
                    // row however many lines its cells take (a line number is off for every
                    // multi-line cell above, and csv counts a CRLF file's lines one short).
                    let row = self.record.position().map_or(0, |p| p.record() as usize + 1);
                    let line = self.record.position().map_or(0, |p| p.line() as usize);
                    // Lines in a cell that look like rows (as many delimiters as the header).
                    let rows_inside = self.header.len() > 1
                        && self.record.iter().any(|cell| {
                            cell.split(|&b| b == b'\n')
                                .skip(1)
                                .any(|l| l.iter().filter(|&&b| b == self.delimiter).count() + 1 >= self.header.len())
                        });
                    // In a row of the right width: if it is the last row, a stray quote opened in
                    // its last cell swallowed every row after it (checked at the end of the file,
                    // below).
                    let width_kept = self.record.len() == self.header.len();
                    self.swallowing = (width_kept && rows_inside).then_some((row, line));
                    let raw = |record: &csv::ByteRecord| csv_line(record, self.delimiter);
                    if width_kept && rows_inside && self.holds_a_row_like_this_one() {
                        // Not the last row: a stray quote opened in one of its cells and closed in a
                        // later row took the rows between into that cell. Read as it is, those rows
                        // would be lost without a word; set aside, they are all in its raw text.
                        let reason = format!(
                            "row {row} (line {line}): a cell of this row runs over lines that look like rows of their \
                             own (as many commas as the header): a stray quote (\") opened here and closed in a later \
                             row takes the rows between into this cell; a quote inside a cell must be doubled (\"\"). \
                             Fix the quotes and ingest the rows again"
                        );
                        batch.push(Err((row, reason, raw(&self.record))));
                        continue;
                    }
                    if !width_kept {
                        // In a row of the wrong width: a quote never closed, every line after it,
                        // to the next quote or the end of the file, read as one cell. Quarantining
                        // it would hide those rows in one.
                        let next_line = self.reader.position().line() as usize;
                        if next_line > line + 1 && rows_inside {
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
                    // (extra cells that are empty are a trailing delimiter, not a broken row)
                    let extra = self.record.iter().skip(self.header.len()).any(|cell| !cell.is_empty());
                    if self.record.len() < self.header.len() || extra {
                        // Cut short (a truncated export) or split by a comma that was not quoted:
                        // read as it is, its reply or time would be taken as missing.
                        let why = if extra { "a comma inside a cell that is not quoted?" } else { "a truncated row?" };
                        let reason =
                            format!("the row has {} cells, the header {}: {why}", self.record.len(), self.header.len());
                        batch.push(Err((row, reason, raw(&self.record))));
                        continue;
                    }
                    let cells = match self.record.iter().map(cell_of_bytes).collect::<Option<Vec<_>>>() {
                        Some(cells) => cells,
                        None => match cells_of_mixed_row(&self.record, &self.header) {
                            Ok(cells) => {
                                self.gb18030_rows.push(row);
                                cells
                            }
                            Err(reason) => {
                                batch.push(Err((row, reason, raw(&self.record))));
                                continue;
                            }
                        },
                    };
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
            // (a JSON array of objects, as many tools save "JSON", is one value, not lines)
            let mut start = [0u8; 64];
            let n = File::open(path).and_then(|mut f| read_up_to(&mut f, &mut start)).unwrap_or(0);
            let array =
                String::from_utf8_lossy(&start[..n]).trim_start_matches('\u{feff}').trim_start().starts_with('[');
            return Err(if array {
                "the file is one JSON array, not JSON Lines (one object per line): write one object a line, e.g. \
                 `jq -c '.[]' FILE > FILE.jsonl`, and ingest that"
                    .to_string()
            } else {
                "the file holds no JSON object (one per line)".to_string()
            });
        }
        let file = File::open(path).map_err(|e| e.to_string())?;
        Ok(JsonlSource { header, lines: BufReader::new(file).split(b'\n').enumerate() })
    }
}

/// The cells of a JSON line; a list or an object where a value belongs is the reason to
/// quarantine it (kept as its JSON text, it was scored and indexed as if it were the text).
fn cells_of(header: &[String], object: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<Cell>, String> {
    header
        .iter()
        .map(|key| match object.get(key) {
            None | Some(serde_json::Value::Null) => Ok(Cell::Empty),
            Some(serde_json::Value::String(s)) => Ok(Cell::Str(s.clone())),
            Some(serde_json::Value::Bool(b)) => Ok(Cell::Bool(*b)),
            Some(serde_json::Value::Number(n)) => Ok(match n.as_i64() {
                Some(i) => Cell::Int(i),
                None => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
            }),
            Some(serde_json::Value::Array(_)) => Err(format!("{key} holds a JSON list, not a text or a number")),
            Some(serde_json::Value::Object(_)) => Err(format!("{key} holds a JSON object, not a text or a number")),
        })
        .collect()
}

impl RowSource for JsonlSource {
    fn header(&self) -> &[String] {
        &self.header
    }
    fn keyed(&self) -> bool {
        true
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
                Ok(object) => batch.push(match cells_of(&self.header, &object) {
                    Ok(cells) => Ok(RawRow { row: i + 1, cells }),
                    Err(reason) => Err((i + 1, reason, line.to_string())),
                }),
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
    fn a_utf16_file_is_refused_and_a_tab_separated_csv_is_read_by_its_tabs() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let text = "留言编号\t留言主题\n1\t噪音扰民\n";
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let path = dir.path().join("unicode.csv");
        std::fs::write(&path, utf16).expect("written");
        let refused = CsvSource::open(&path, false).err().expect("refused");
        assert!(refused.starts_with("the file is UTF-16 text"), "{refused}");
        let path = dir.path().join("tabs.csv");
        std::fs::write(&path, text).expect("written");
        let mut source = CsvSource::open(&path, false).expect("opens");
        assert_eq!(source.header(), ["留言编号", "留言主题"]);
        let rows = source.next_batch(10).expect("rows");
        assert_eq!(rows[0].as_ref().expect("a row").cells[1], Cell::Str("噪音扰民".into()));
    }

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
    fn a_utf8_csv_loses_its_bom_and_its_rows_in_another_encoding_are_read_or_quarantined() {
        // The odd rows come after the sniffed head, so the file is read as UTF-8.
        let mut bytes = b"\xEF\xBB\xBF\xE7\x95\x99\xE8\xA8\x80\xE7\xBC\x96\xE5\x8F\xB7,subject\n".to_vec();
        while bytes.len() <= SNIFF_BYTES {
            bytes.extend_from_slice("1,噪音扰民\n".as_bytes());
        }
        // UTF-8 with one stray byte: kept, the byte as U+FFFD
        bytes.extend_from_slice("2,小区门口的烧烤店噪音扰民".as_bytes());
        bytes.extend_from_slice(b"\xB5");
        bytes.extend_from_slice("晚上无法入睡，请有关部门处理\n".as_bytes());
        // a row of a GB18030 export joined to this one: read as GB18030
        bytes.extend_from_slice(b"3,");
        bytes.extend_from_slice(&encoding_rs::GB18030.encode("油烟直排扰民").0);
        bytes.push(b'\n');
        // neither: quarantined, naming the column
        bytes.extend_from_slice(b"4,\xFF\xFE\xFF\n");
        // cut short, or split by a comma not quoted: quarantined
        bytes.extend_from_slice("5\n6,噪音,扰民\n7,噪音,\n".as_bytes());
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("posts.csv");
        std::fs::write(&path, &bytes).expect("the file is written");
        let mut source = CsvSource::open(&path, false).expect("the file opens");
        assert_eq!(source.header(), ["留言编号", "subject"]);
        let rows = source.next_batch(usize::MAX).expect("rows");
        let first = rows[0].as_ref().expect("a row");
        assert_eq!(first.row, 2);
        assert_eq!(first.cells, [Cell::Str("1".into()), Cell::Str("噪音扰民".into())]);
        let last: Vec<String> = rows[rows.len() - 6..]
            .iter()
            .map(|row| match row {
                Ok(row) => format!("{:?}", row.cells[1]),
                Err((_, reason, _)) => format!("quarantined: {reason}"),
            })
            .collect();
        assert_eq!(
            last,
            [
                format!("{:?}", Cell::Str("小区门口的烧烤店噪音扰民\u{FFFD}晚上无法入睡，请有关部门处理".into())),
                format!("{:?}", Cell::Str("油烟直排扰民".into())),
                "quarantined: subject is neither UTF-8 nor GB18030 text (a damaged cell, or a file of another \
                 encoding pasted in): save the export in one encoding and ingest it again"
                    .to_string(),
                "quarantined: the row has 1 cells, the header 2: a truncated row?".to_string(),
                "quarantined: the row has 3 cells, the header 2: a comma inside a cell that is not quoted?".to_string(),
                format!("{:?}", Cell::Str("噪音".into())),
            ]
        );
        assert_eq!(source.gb18030_rows.len(), 2);
    }
}
