//! `wenzheng report`: the annual report of a data folder as one self-contained HTML file
//! (`reports::report`), from the tables `wenzheng indicators` wrote.

use std::path::Path;

use anyhow::{Context, Result};
use reports::tables::ReportTables;

use crate::ingest::BadInput;
use crate::store::DataDir;

/// The report tables of a data folder. A folder without them is input to fix (exit 2):
/// the message says which stage to run.
pub fn read_report_tables(dir: &DataDir) -> Result<ReportTables> {
    ReportTables::read(&dir.path("reports"), &dir.path("issues")).map_err(|e| {
        anyhow::Error::from(BadInput { file: dir.root().display().to_string(), sheet: None, reason: e.to_string() })
    })
}

/// Writes the report of `year` (when `None`, the latest year that ranks a unit, else the year
/// with the most posts) to `out`.
pub fn write_report(data: &Path, year: Option<i32>, out: &Path) -> Result<()> {
    let bad_out =
        |reason: String| anyhow::Error::from(BadInput { file: out.display().to_string(), sheet: None, reason });
    if out.is_dir() || out.as_os_str().to_string_lossy().ends_with(std::path::MAIN_SEPARATOR) {
        return Err(bad_out("is a folder: give the report a file name, such as report.html".into()));
    }
    // A name like "report.pdf" would get HTML under a name that says otherwise.
    if out.extension().is_some_and(|e| !e.eq_ignore_ascii_case("html") && !e.eq_ignore_ascii_case("htm")) {
        return Err(bad_out("the report is HTML: name the file .html (print it to PDF from a browser)".into()));
    }
    let dir = DataDir::open_read_only(data)?;
    crate::freshness::warn_if_behind(&dir, "the report", None);
    let tables = read_report_tables(&dir)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    reports::report::write_report(&tables, year, out).map_err(|e| match e {
        reports::report::ReportError::NoScores(_) | reports::report::ReportError::NoSuchYear { .. } => {
            anyhow::Error::from(BadInput { file: data.display().to_string(), sheet: None, reason: e.to_string() })
        }
        e => anyhow::Error::from(e),
    })?;
    crate::say!("report written to {}", out.display());
    Ok(())
}
