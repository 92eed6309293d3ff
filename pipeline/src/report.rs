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

/// Writes the report of `year` (the latest year that ranks a unit when `None`) to `out`.
pub fn write_report(data: &Path, year: Option<i32>, out: &Path) -> Result<()> {
    let dir = DataDir::open_read_only(data)?;
    let tables = read_report_tables(&dir)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    reports::report::write_report(&tables, year, out).map_err(|e| match e {
        reports::report::ReportError::NoScores(_) => {
            anyhow::Error::from(BadInput { file: data.display().to_string(), sheet: None, reason: e.to_string() })
        }
        e => anyhow::Error::from(e),
    })?;
    crate::say!("report written to {}", out.display());
    Ok(())
}
