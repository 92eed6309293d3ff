//! `wenzheng serve`: the dashboard API and web page (SPEC §6) over a data folder.
//!
//! Reads the tables once (posts, replies, scores, issues, and the report tables of the
//! `indicators` stage when they are there), opens the search index read-only, and serves
//! until Ctrl-C. Tokens come from the `[access]` section of the config file and from
//! `WENZHENG_TOKENS`; without any, every request but the open ones would be refused, so the
//! command stops with a hint instead.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use polars::prelude::*;
use reports::api::{self, Access, ApiTables, AppState, Charts, TOKENS_VAR};
use sha2::{Digest, Sha256};

use crate::ingest::BadInput;
use crate::store::DataDir;
use crate::tables;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Megabytes of memory for answers kept by the API (default 64; 0 turns keeping off, which
/// is how the load test measures the cost of requests the server has not answered before).
pub const ANSWER_MEMORY_VAR: &str = "WENZHENG_ANSWER_MEMORY_MB";

/// Serves `data` on `addr` until Ctrl-C; prints `listening on http://ADDR` (the real port
/// when `addr` asks for port 0) once requests can be taken.
pub fn serve(data: &Path, addr: &str) -> Result<()> {
    let bad = |reason: String| anyhow::Error::from(BadInput { file: data.display().to_string(), sheet: None, reason });
    let addr: SocketAddr = addr
        .parse()
        .map_err(|_| bad(format!("bad --addr {addr:?}: write it as 127.0.0.1:8080 (port 0 picks a free one)")))?;
    let dir = DataDir::open_read_only(data)?;
    let access = access(data)?;
    if access.is_empty() {
        return Err(bad(format!(
            "no access tokens: set {TOKENS_VAR}=\"supervisor:<token>,viewer:<token>\" or add [access] tokens to the config file"
        )));
    }
    let mut state = load_state(&dir, access)?;
    if let Ok(megabytes) = std::env::var(ANSWER_MEMORY_VAR) {
        let megabytes: usize = megabytes.trim().parse().map_err(|_| {
            bad(format!(
                "bad {ANSWER_MEMORY_VAR} {megabytes:?}: write the megabytes for kept answers, e.g. 64 (0: none)"
            ))
        })?;
        state = state.with_answer_memory(megabytes << 20);
    }
    for note in state.notes() {
        tracing::warn!("{note}");
    }

    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the server")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        crate::say!("listening on http://{local}");
        std::io::stdout().flush()?;
        axum::serve(listener, api::router(state))
            .with_graceful_shutdown(stop_requested())
            .await
            .context("the server stopped")
    })
}

/// Resolves on Ctrl-C, or on SIGTERM (what systemd, Docker and `kill` send): either way the
/// requests in flight are answered before the server stops.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

/// The tokens of `[access]` in the config file (`--config`, else DIR/wenzheng.toml) and of
/// the environment.
fn access(data: &Path) -> Result<Access> {
    let config = crate::config::Config::load(data)?;
    let env = std::env::var(TOKENS_VAR).ok();
    Access::new(&config.access, env.as_deref())
        .map_err(|e| BadInput { file: TOKENS_VAR.into(), sheet: None, reason: e.to_string() }.into())
}

/// Reads the tables and prepares the API's state.
pub fn load_state(dir: &DataDir, access: Access) -> Result<AppState> {
    let started = Instant::now();
    let posts = tables::read_table(
        &dir.parts("posts"),
        &["post_id", "user_id", "subject", "body", "posted_at", "unit", "kind", "category"],
    )?
    .with_context(|| format!("{} has no posts: run `wenzheng ingest` first", dir.root().display()))?;
    let replies =
        tables::read_table(&dir.parts("replies"), &["reply_id", "post_id", "unit", "body", "replied_at", "seq"])?;
    let scores_path = dir.path(crate::score::SCORES_FILE);
    let scores = if scores_path.exists() {
        tables::read_table(
            &[scores_path],
            &["reply_id", "evasive_level", "vague_level", "evasive_score", "vague_score", "reply_type", "evidence"],
        )?
    } else {
        None
    };
    let mut api_tables = ApiTables {
        posts,
        replies,
        scores,
        issues: read_file(&dir.path(crate::recurring::ISSUES_FILE))?,
        // (a stage not run since an ingest: the answers look complete and are not)
        notes: crate::freshness::stages_behind(dir)?.into_iter().map(|(_, what)| what).collect(),
        unit_registry: Some(crate::ingest::unit_registry(dir.root())?),
        ..ApiTables::default()
    };
    let charts = match reports::tables::ReportTables::read(&dir.path("reports"), &dir.path("issues")) {
        Ok(report_tables) => {
            api_tables = api_tables.with_reports(&report_tables);
            Charts::drawn_from(report_tables)
        }
        Err(e) => {
            tracing::warn!("no report tables ({e}): rankings, indicators and charts will be empty");
            Charts::None
        }
    };
    let index = match crate::search::open_index(dir) {
        Ok(index) => Some(index),
        Err(e) => {
            tracing::warn!("search is off: {e:#}");
            None
        }
    };
    let state = AppState::new(&api_tables, index, access, &data_hash(dir)?, charts)
        .map_err(|e| anyhow::anyhow!("cannot prepare the data: {}", e.message))?;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "data loaded");
    Ok(state)
}

fn read_file(path: &Path) -> Result<Option<DataFrame>> {
    if !path.exists() {
        return Ok(None);
    }
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Some(ParquetReader::new(file).finish().map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?))
}

/// The content hash behind the ETags: the manifest (inputs and stage runs) and the size and
/// time of the files the stages rewrite whole.
fn data_hash(dir: &DataDir) -> Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(std::fs::read(dir.path("manifest.json")).context("cannot read manifest.json")?);
    for relative in [
        crate::score::SCORES_FILE,
        crate::recurring::ISSUES_FILE,
        "reports/post_facts.parquet",
        "reports/annual.parquet",
        "reports/indicators.parquet",
        "reports/overdue.parquet",
    ] {
        if let Ok(meta) = std::fs::metadata(dir.path(relative)) {
            let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            hasher.update(format!("{relative}:{}:{modified:?}", meta.len()));
        }
    }
    Ok(hex::encode(&hasher.finalize()[..12]))
}
