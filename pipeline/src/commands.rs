//! The commands of the CLI as plain functions: parse nothing, print results to stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::ingest::{self, BadInput, IngestReport};
use crate::store::DataDir;
use crate::synth;

/// 2 for input the user must fix, 1 for everything else.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.chain().any(|e| e.downcast_ref::<BadInput>().is_some()) {
        2
    } else {
        1
    }
}

pub fn ingest(inputs: &[PathBuf], out: &Path) -> Result<()> {
    let started = Instant::now();
    let new_folder = !out.exists();
    let mut dir = DataDir::open(out, true)?;
    let report = match ingest::ingest(&mut dir, inputs) {
        Ok(report) => report,
        Err(e) => {
            // Nothing was committed; a folder this run made holds only its empty manifest, which
            // would pass for a data folder with no posts.
            drop(dir);
            if new_folder {
                let _ = std::fs::remove_dir_all(out);
            }
            return Err(e);
        }
    };
    // The ingest is committed: a report nobody can read (a closed pipe, a full disk) is no
    // reason to stop a run before its other stages.
    if let Err(e) = print_ingest_report(&report, &mut std::io::stdout().lock()) {
        tracing::warn!(error = %e, "the ingest report could not be written to standard output");
    }
    let set_aside = report.posts.quarantined + report.replies.quarantined;
    let unreadable: u64 = report.files.iter().map(|f| f.unreadable_rows).sum();
    if set_aside + unreadable > 0 {
        crate::say!(
            "{} set aside: `wenzheng quarantine --data {}` says why; `--out FILE.jsonl` writes them to correct and ingest again",
            crate::quarantine::count((set_aside + unreadable) as usize, "row"),
            out.display()
        );
    }
    let misrouted = crate::category::write_misrouted(&dir)?;
    if misrouted > 0 {
        crate::say!(
            "{misrouted} posts whose predicted category is unusual for their unit: categories/misrouted.parquet"
        );
    }
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "ingest finished");
    Ok(())
}

/// Ingest, then every later stage. On a daily update (see `is_daily_update`) scoring and
/// then the index run beside recurring issues, on a thread each: each of these stages then
/// does little work on each row and leaves a core idle for much of its time (at a million
/// posts the day took 18 s on 1.2 cores one after the other). Indicators come last, as they
/// read both the scores and the issues. Otherwise each stage runs in a process of its own
/// (see `in_own_process`).
pub fn run(inputs: &[PathBuf], out: &Path) -> Result<()> {
    // A config or a lexicon of one's own that does not read stops the run before ingest writes
    // anything (exit 2), not at the score stage with the files already added.
    if crate::config::Config::load(out)?.scoring.lexicon.is_some() {
        crate::score::FolderScorer::of(out)?;
    }
    crate::ingest::unit_registry(out)?;
    crate::ingest::kind_rules(out)?;
    let inputs_before = DataDir::open_read_only(out).map_or(0, |dir| dir.manifest.inputs.len());
    ingest(inputs, out)?;
    if !is_daily_update(&DataDir::open_read_only(out)?, inputs_before) {
        for stage in ["score", "recurring", "indicators", "index"] {
            in_own_process(stage, out)?;
        }
        return Ok(());
    }
    crate::say!("daily update: scoring and the index run beside recurring issues");
    std::thread::scope(|scope| {
        let grouping = scope.spawn(|| recurring(out));
        let scoring = score(out).and_then(|()| index(out));
        let grouping = grouping.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        scoring.and(grouping)
    })?;
    indicators(out, None)
}

/// Runs `wenzheng STAGE --data DIR` (with this run's `--config`) in a process of its own, so
/// that the stage starts from a fresh heap and the run needs no more memory than its largest
/// stage. In one process, an allocator keeps pages the earlier stages freed (glibc's did even
/// when told to give them back): from scratch at a million posts, one process peaked at
/// 2,982 MiB, where no stage on its own passed 1,800 MiB.
fn in_own_process(stage: &str, data: &Path) -> Result<()> {
    let binary = std::env::current_exe().context("cannot find the wenzheng binary to run a stage with")?;
    let mut command = std::process::Command::new(&binary);
    if let Some(config) = crate::config::explicit() {
        command.arg("--config").arg(config);
    }
    // The stage writes under the lock this run holds (`DataDir::open` took it).
    if let Ok(root) = std::fs::canonicalize(data) {
        command
            .env(crate::store::LOCK_HELD_BY_PARENT, root)
            .env(crate::store::LOCK_PARENT_PID, std::process::id().to_string());
    }
    let status = command
        .arg(stage)
        .arg("--data")
        .arg(data)
        .status()
        .with_context(|| format!("cannot start `{} {stage}`", binary.display()))?;
    let config = crate::config::explicit().map(|c| format!("--config {} ", c.display())).unwrap_or_default();
    anyhow::ensure!(
        status.success(),
        "the {stage} stage stopped ({status}); its message is above. The stages before it are kept: \
         `wenzheng {config}{stage} --data {}` goes on from there",
        data.display()
    );
    Ok(())
}

/// At most this many rows (posts and replies) added by one ingest make a daily update.
pub const DAILY_UPDATE_ROWS: u64 = 100_000;

/// Whether the ingest that just ran (the inputs after the first `inputs_before`) added few
/// rows to a folder that scoring and recurring issues have both seen: then each carries on
/// from what it kept and holds little beyond it, so the two fit in memory side by side. A
/// first run, a new scorer or a large load holds the whole tables in each stage: those run
/// one after the other, so that the peak stays that of the largest stage.
fn is_daily_update(dir: &DataDir, inputs_before: usize) -> bool {
    let rows = |inputs: &[crate::store::InputRecord]| -> u64 {
        inputs.iter().map(|input| input.posts_written + input.replies_written).sum()
    };
    let added = rows(dir.manifest.inputs.get(inputs_before..).unwrap_or_default());
    let kept = rows(&dir.manifest.inputs) - added;
    let current = |stage: &str, version: &str| dir.manifest.stages.get(stage).is_some_and(|s| s.version == version);
    // (a lexicon that cannot be read is reported by the score stage itself)
    let scorer_version = crate::score::FolderScorer::version_of(dir.root()).unwrap_or_default();
    added <= DAILY_UPDATE_ROWS
        && added <= kept
        && current("score", &scorer_version)
        && current("recurring", crate::recurring::RECURRING_VERSION)
        && dir.path(crate::grouping_cache::GROUPING_FILE).exists()
}

/// Unit indicators, annual scores and the overdue list → DIR/reports/, then a short summary.
pub fn indicators(data: &Path, year: Option<i32>) -> Result<()> {
    let config = crate::config::Config::load(data)?;
    let mut dir = DataDir::open(data, false)?;
    crate::freshness::warn_if_behind(&dir, "the indicators", Some("indicators"));
    let stage_config = crate::indicators::IndicatorsConfig {
        deadlines: config.deadlines.clone(),
        calendar: config.calendar.calendar(),
        annual: config.annual.clone(),
    };
    let report = crate::indicators::indicators(&mut dir, year, &stage_config)?;
    for line in crate::indicators::summary_lines(&report, 3) {
        crate::say!("{line}");
    }
    Ok(())
}

pub fn recurring(data: &Path) -> Result<()> {
    let config = crate::config::Config::load(data)?;
    let mut dir = DataDir::open(data, false)?;
    let report = crate::recurring::recurring(&mut dir, &config.recurring)?;
    crate::say!(
        "recurring: {} issues from {} of {} posts; {} posts came back after a reply ({} posts read anew, {} grouped)",
        report.issues,
        report.posts_in_issues,
        report.posts,
        report.repeats_after_reply,
        report.features_computed,
        report.posts_grouped
    );
    Ok(())
}

pub fn issues(
    data: &Path,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    top: usize,
    json: bool,
) -> Result<()> {
    if let (Some(from), Some(to)) = (from, to) {
        check_period(data, from, to)?;
    }
    let config = crate::config::Config::load(data)?;
    let dir = DataDir::open_read_only(data)?;
    // (a run killed while recurring issues were written may leave its clusters beside the issue
    // table of the run before: the manifest, written last, still counts the earlier posts)
    if let Ok(behind) = crate::freshness::stages_behind(&dir) {
        for (_, what) in behind.into_iter().filter(|(stage, _)| *stage == "recurring") {
            tracing::warn!("the hot-issue table may be incomplete: {what}");
        }
    }
    crate::recurring::print_issues(&dir, from, to, top, &config.recurring, json, &mut std::io::stdout().lock())
}

pub fn quarantine(data: &Path, file: Option<&str>, every_row: bool, out: Option<&Path>) -> Result<()> {
    let dir = DataDir::open_read_only(data)?;
    let rows = crate::quarantine::read(&dir, file)?;
    let Some(path) = out else {
        let mut stdout = std::io::stdout().lock();
        return if every_row {
            crate::quarantine::print_rows(&rows, &mut stdout)
        } else {
            crate::quarantine::print_summary(&rows, &mut stdout)
        };
    };
    if rows.is_empty() {
        crate::say!("no row set aside: nothing written to {}", path.display());
        return Ok(());
    }
    let export = crate::quarantine::write_jsonl(&rows, path)?;
    crate::say!(
        "{} written to {}: correct them there, then `wenzheng ingest {} --out {}`",
        crate::quarantine::count(export.lines, "row"),
        path.display(),
        path.display(),
        data.display()
    );
    if !export.edited_copies.is_empty() {
        crate::say!(
            "{} not written: edited copies of posts or replies the folder holds ({}); a folder keeps the version \
             first ingested, so a corrected copy would be set aside again",
            crate::quarantine::count(export.edited_copies.len(), "row"),
            crate::quarantine::first_rows(&export.edited_copies)
        );
    }
    if !export.unreadable.is_empty() {
        crate::say!(
            "{} could not be read into cells (a broken line, not UTF-8): correct them in the original file ({})",
            crate::quarantine::count(export.unreadable.len(), "row"),
            crate::quarantine::first_rows(&export.unreadable)
        );
    }
    Ok(())
}

pub fn index(data: &Path) -> Result<()> {
    let mut dir = DataDir::open(data, false)?;
    let report = crate::search::build_index(&mut dir)?;
    crate::say!(
        "index: {} cases ({} added, {} replaced, {} deleted, {} unchanged) in {:.1} s",
        report.cases,
        report.added,
        report.replaced,
        report.deleted,
        report.unchanged,
        report.seconds
    );
    Ok(())
}

pub fn search(data: &Path, request: &index::SearchRequest, json: bool) -> Result<()> {
    let dir = DataDir::open_read_only(data)?;
    let results = crate::search::search(&dir, request).map_err(as_bad_input)?;
    let mut out = std::io::stdout().lock();
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    crate::search::print_results(&mut out, &mut std::io::stderr(), &results, json, ansi)
}

pub fn similar(data: &Path, post_id: &str, limit: usize, json: bool) -> Result<()> {
    let dir = DataDir::open_read_only(data)?;
    let hits = crate::search::similar(&dir, post_id, limit).map_err(as_bad_input)?;
    let mut out = std::io::stdout().lock();
    crate::search::print_hits(&mut out, &hits, 1, json, std::io::IsTerminal::is_terminal(&std::io::stdout()))
}

/// A query the index refuses (bad syntax, unknown post, paging past the limits) is the
/// user's input to fix: exit code 2.
fn as_bad_input(error: anyhow::Error) -> anyhow::Error {
    let user_error = error.chain().any(|e| {
        matches!(
            e.downcast_ref::<index::SearchError>(),
            Some(
                index::SearchError::BadQuery { .. }
                    | index::SearchError::BadRequest { .. }
                    | index::SearchError::UnknownPost { .. }
            )
        )
    });
    if user_error {
        let reason = format!("{error:#}");
        BadInput { file: "query".into(), sheet: None, reason }.into()
    } else {
        error
    }
}

pub fn score(data: &Path) -> Result<()> {
    let started = Instant::now();
    let mut dir = DataDir::open(data, false)?;
    let report = crate::score::score(&mut dir)?;
    if report.replies == 0 {
        crate::say!("scored 0 replies: the data folder holds posts only (ingest a file with replies to judge them)");
    } else {
        crate::say!(
            "scored {} replies ({} new or changed, {} unchanged): {} evasive, {} vague (level 2), {} duplicate-reply groups",
            report.replies, report.scored, report.reused, report.evasive, report.vague, report.duplicate_groups
        );
    }
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "score finished");
    Ok(())
}

/// A reversed period is input to fix (exit code 2), not an empty answer.
fn check_period(data: &Path, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<()> {
    if from > to {
        let reason = format!("--from {from} is after --to {to}: the period is empty (hint: swap them)");
        return Err(BadInput { file: data.display().to_string(), sheet: None, reason }.into());
    }
    Ok(())
}

/// `wenzheng notice`: an unknown format, a reversed period or a folder with nothing to report
/// on is input to fix (exit code 2).
pub fn notice(
    data: &Path,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    out: &Path,
    format: Option<&str>,
) -> Result<()> {
    use crate::notice::NoticeFormat;
    let bad = |reason: String| anyhow::Error::from(BadInput { file: data.display().to_string(), sheet: None, reason });
    let written_extension = out.extension().and_then(|e| e.to_str());
    let extension = written_extension.and_then(NoticeFormat::parse);
    // A name like "通报.pdf" or "通报.docx" would get a workbook under a name that says
    // otherwise, which the office's reader then refuses to open.
    if written_extension.is_some() && extension.is_none() {
        return Err(bad(format!(
            "cannot write a notice as {}: name the file .xlsx (Excel; print it to PDF from there) or .md (Markdown)",
            out.display()
        )));
    }
    let format = match format {
        None => extension.unwrap_or(NoticeFormat::Xlsx),
        Some(text) => {
            let format =
                NoticeFormat::parse(text).ok_or_else(|| bad(format!("unknown --format {text:?}: use xlsx or md")))?;
            if extension.is_some_and(|e| e != format) {
                return Err(bad(format!(
                    "--format {text} does not match the file name {}: give the file the format's extension, \
                     or leave --format out to follow the extension",
                    out.display()
                )));
            }
            format
        }
    };
    check_period(data, from, to)?;
    let dir = DataDir::open_read_only(data).map_err(|e| bad(format!("{e:#}")))?;
    crate::freshness::warn_if_behind(&dir, "the notice", None);
    let notice = crate::notice::write_notice(&dir, from, to, out, format)?;
    crate::say!("{}", notice.headline());
    crate::say!("notice written to {}", out.display());
    Ok(())
}

/// `wenzheng category train | eval | predict`.
pub fn category(command: crate::category::CategoryCommand) -> Result<()> {
    crate::category::run_command(command, &mut std::io::stdout().lock())
}

pub fn eval(data: &Path, labels: &Path) -> Result<()> {
    let dir = DataDir::open_read_only(data)?;
    if let Ok(behind) = crate::freshness::stages_behind(&dir) {
        for (_, what) in behind.into_iter().filter(|(stage, _)| *stage == "score") {
            tracing::warn!("the agreement below may not be the current scorer's: {what}");
        }
    }
    crate::eval::eval(&dir, labels, &mut std::io::stdout().lock())
}

pub fn synth(posts: usize, seed: u64, out: &Path) -> Result<()> {
    let options = synth::SynthOptions { posts, seed, ..synth::SynthOptions::default() };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let summary = synth::generate(&options, out)?;
    crate::say!(
        "wrote {} posts and {} replies from {} units to {}",
        summary.posts,
        summary.replies,
        summary.units,
        out.display()
    );
    Ok(())
}

pub fn serve(data: &Path, addr: &str) -> Result<()> {
    crate::serve::serve(data, addr)
}

/// The file that marks a folder as the demo's own (see [`demo`]).
const DEMO_MARK: &str = ".wenzheng-demo";

/// Generates a sample, runs every stage, then (with `serve_at`) serves the dashboard until Ctrl-C.
pub fn demo(posts: usize, dir: Option<PathBuf>, serve_at: Option<&str>) -> Result<()> {
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("wenzheng-demo"));
    let corpus = dir.join("corpus");
    let data = dir.join("data");
    // A demo always starts from its own fresh sample, but never clears a folder it did not make
    // (`--dir` pointed at one's own work).
    let mark = dir.join(DEMO_MARK);
    if (data.exists() || corpus.exists()) && !mark.exists() {
        return Err(crate::ingest::BadInput {
            file: dir.display().to_string(),
            sheet: None,
            reason: "holds a data or corpus folder the demo did not make, which it would overwrite: \
                     give `--dir` a new or empty folder"
                .into(),
        }
        .into());
    }
    if data.exists() {
        std::fs::remove_dir_all(&data).with_context(|| format!("cannot clear {}", data.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(&mark, "made by `wenzheng demo`: its data and corpus folders are cleared on the next demo\n")
        .with_context(|| format!("cannot write {}", mark.display()))?;
    synth(posts, 1, &corpus)?;
    // The category model is trained on the sample's own labelled posts (never on ../shared),
    // then fills in the categories the sample leaves out.
    let model = dir.join("category.model");
    crate::category::train(&corpus.join("posts.csv"), &model, crate::category::Split::All, &mut std::io::stdout())?;
    crate::category::use_model_for_ingest(model);
    run(&[corpus.join("posts.csv"), corpus.join("replies.csv")], &data)?;
    crate::say!("demo data folder: {}", data.display());
    crate::say!("try: wenzheng issues --data {} --top 10", data.display());
    crate::say!("     wenzheng search --data {} \"噪音\" --flagged", data.display());
    if let Some(addr) = serve_at {
        // A token for this demo only, unless the user brought their own.
        if std::env::var(reports::api::TOKENS_VAR).is_err() {
            let token = demo_token();
            // Set before the server starts; no other thread reads the environment.
            std::env::set_var(reports::api::TOKENS_VAR, format!("supervisor:{token}"));
            crate::say!("dashboard token (role supervisor): {token}");
        }
        crate::say!("open the dashboard at the address below; Ctrl-C stops it");
        crate::serve::serve(&data, addr)?;
    }
    Ok(())
}

pub fn print_ingest_report(report: &IngestReport, out: &mut impl Write) -> Result<()> {
    writeln!(
        out,
        "{:<36} {:>14} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "file", "layout", "rows", "written", "quarant.", "dupl.", "blank", "conflict"
    )?;
    for file in &report.files {
        let name = Path::new(&file.path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if file.already_ingested {
            writeln!(out, "{name:<36} {:>14}", "already ingested")?;
            continue;
        }
        let written = file.posts.written + file.replies.written + file.taxonomy;
        let quarantined = file.posts.quarantined + file.replies.quarantined + file.unreadable_rows;
        let duplicates = file.posts.duplicates + file.replies.duplicates;
        let conflicts = file.posts.conflicts + file.replies.conflicts;
        // (a blank row holds nothing in the columns read: every cell empty, or "{}" in JSON Lines)
        writeln!(
            out,
            "{name:<36} {:>14} {:>8} {written:>8} {quarantined:>8} {duplicates:>8} {:>8} {conflicts:>8}",
            file.layout, file.rows, file.blank_rows
        )?;
    }
    for file in report.files.iter().filter(|f| !f.ignored_columns.is_empty()) {
        let name = Path::new(&file.path).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let columns: Vec<String> = file
            .ignored_columns
            .iter()
            .map(|c| match crate::ingest::columns::near_miss(c) {
                Some(known) => format!("{c} (is it {known}?)"),
                None => c.clone(),
            })
            .collect();
        writeln!(out, "{name}: columns not read: {}", columns.join(", "))?;
    }
    for (label, counts) in [("posts", &report.posts), ("replies", &report.replies)] {
        writeln!(
            out,
            "{label}: read {} = written {} + quarantined {} + duplicates dropped {}{}",
            counts.read,
            counts.written,
            counts.quarantined,
            counts.duplicates,
            if counts.conflicts > 0 {
                format!(" ({} with a reused id kept as <id>~<source>)", counts.conflicts)
            } else {
                String::new()
            }
        )?;
    }
    if report.replies.without_post > 0 {
        writeln!(
            out,
            "{} replies answer a post the folder does not hold: kept, and joined to their post when a later file \
             brings it; a mistyped post id leaves them without one (`wenzheng quarantine` does not list them)",
            report.replies.without_post
        )?;
    }
    if report.posts.differing > 0 {
        writeln!(
            out,
            "{} posts held already come again with other likes, dislikes or unit: not updated, the values first \
             ingested are kept (a later export's counts are not read into a folder)",
            report.posts.differing
        )?;
    }
    if !report.unit_sources.is_empty() {
        let total: u64 = report.unit_sources.values().sum();
        let parts: Vec<String> = report
            .unit_sources
            .iter()
            .map(|(source, n)| format!("{source} {n} ({:.1}%)", 100.0 * *n as f64 / total.max(1) as f64))
            .collect();
        writeln!(out, "reply units: {}", parts.join(", "))?;
    }
    Ok(())
}

/// A one-off token for a local demo (the clock and process id, hashed); real deployments set
/// their own tokens in the config file.
fn demo_token() -> String {
    use sha2::{Digest, Sha256};
    let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
    hex::encode(&Sha256::digest(seed.as_bytes())[..12])
}
