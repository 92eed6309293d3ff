//! `wenzheng`: the command line of the product (SPEC §1).
//!
//! Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input that stopped the run.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pipeline::commands;

/// mimalloc rather than the system's allocator. At a million posts, glibc's kept up to 1.7–2.0 GiB
/// resident in the index stage where mimalloc keeps 1.3 GiB (freed blocks stayed in glibc's
/// per-thread heaps), and ingest, which allocates and frees millions of small strings, took
/// 18–23 s against 14–17 s (eight runs each).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Evidence from the records of an online government-inquiry platform (网络问政):
/// evasive and vague replies, recurring problems, and each unit's performance.
#[derive(Parser)]
#[command(name = "wenzheng", version, about, propagate_version = true)]
struct Cli {
    /// The config file (thresholds, weights); default DIR/wenzheng.toml, else built-in defaults.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read xlsx / csv / jsonl exports into the Parquet tables of a data folder.
    /// Files already ingested (same content) add nothing.
    Ingest {
        /// Input files: .xlsx, .csv (UTF-8 or GB18030) or .jsonl, with Chinese or English headers.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The data folder (created when missing).
        #[arg(long)]
        out: PathBuf,
        /// A model of `wenzheng category train` that fills in the category of posts without one.
        #[arg(long)]
        category_model: Option<PathBuf>,
    },
    /// The main job: ingest the inputs, then run every later stage on the data folder.
    Run {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// A model of `wenzheng category train` that fills in the category of posts without one.
        #[arg(long)]
        category_model: Option<PathBuf>,
    },
    /// Post categories (一级分类): train a classifier, evaluate it, categorise posts.
    Category {
        #[command(subcommand)]
        command: pipeline::category::CategoryCommand,
    },
    /// Judge every reply against its post: evasive and vague levels, type, evidence.
    Score {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
    },
    /// Find recurring issues (the same problem at the same place, again and again) → DIR/issues/.
    Recurring {
        #[arg(long)]
        data: PathBuf,
    },
    /// Unit indicators, annual scores, the overdue list and charts → DIR/reports/.
    Indicators {
        #[arg(long)]
        data: PathBuf,
        /// The year the summary (and the charts) show; default: the latest year that ranks a
        /// unit (a year whose units all had too few posts ranks none), else the year with the most posts.
        #[arg(long)]
        year: Option<i32>,
    },
    /// The hot-issue table: rank, issue, heat, times reported, citizens, posts after a reply, time
    /// range, place / group, units, description, post ids.
    Issues {
        #[arg(long)]
        data: PathBuf,
        /// Only the posts of this period (YYYY-MM-DD), heat as of its end.
        #[arg(long, value_parser = parse_day)]
        from: Option<chrono::NaiveDate>,
        #[arg(long, value_parser = parse_day)]
        to: Option<chrono::NaiveDate>,
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// One JSON object per issue (JSON lines) instead of the tab-separated table.
        #[arg(long)]
        json: bool,
    },
    /// The rows ingest set aside (file, row, field, reason), and a way to correct them and
    /// ingest them again: `--out FILE.jsonl` writes them as JSON lines under their files' headers.
    Quarantine {
        #[arg(long)]
        data: PathBuf,
        /// Only the rows of this input file, named as ingest printed it (e.g. posts.csv).
        #[arg(long)]
        file: Option<String>,
        /// List every row instead of the counts by file and field.
        #[arg(long, conflicts_with = "out")]
        rows: bool,
        /// Write the rows as JSON lines to this file, to correct and give to `wenzheng ingest`.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build or update the full-text index of past cases (DIR/index), incrementally.
    Index {
        #[arg(long)]
        data: PathBuf,
    },
    /// Search past cases: words, "quoted phrases", AND / OR / NOT, with filters.
    Search {
        #[arg(long)]
        data: PathBuf,
        #[command(flatten)]
        filters: SearchArgs,
        /// One JSON object per result on standard output; how many cases matched on standard error.
        #[arg(long)]
        json: bool,
    },
    /// The earlier cases most similar to a post, and how they were answered.
    Similar {
        #[arg(long)]
        data: PathBuf,
        post_id: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Agreement of the scorer with human labels (csv, tab-separated, jsonl or a JSON array: id, evasive, vague, type).
    Eval {
        #[arg(long)]
        data: PathBuf,
        /// The labels: a reply id or post id (`id`, `reply_id` or `post_id`), `evasive`, `vague`, optional `type`.
        #[arg(long)]
        labels: PathBuf,
    },
    /// Print the default config file: every threshold and weight with its default (with
    /// `--config FILE`: with that file's values).
    Config {
        /// Print the built-in reply-scoring lexicon instead: a start for one's own, named in the
        /// config by `[scoring] lexicon = "FILE"`.
        #[arg(long, conflicts_with_all = ["units", "kinds"])]
        lexicon: bool,
        /// Print the built-in unit registry instead (names, aliases, levels): a start for one's
        /// own, named in the config by `[ingest] units = "FILE"`.
        #[arg(long, conflicts_with = "kinds")]
        units: bool,
        /// Print the built-in rules that derive a post's kind instead: a start for one's own,
        /// named in the config by `[ingest] kinds = "FILE"`.
        #[arg(long)]
        kinds: bool,
    },
    /// Write a realistic sample corpus (posts.csv, replies.csv and the planted truth).
    Synth {
        #[arg(long, default_value_t = 5000)]
        posts: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// The criticism notice (通报) of a period: evasive and vague replies (level 2) and overdue
    /// posts, grouped by unit, with the evidence.
    Notice {
        #[arg(long)]
        data: PathBuf,
        /// First day of the period (YYYY-MM-DD), by reply date (overdue posts: by due date).
        #[arg(long, value_parser = parse_day)]
        from: chrono::NaiveDate,
        /// Last day of the period (YYYY-MM-DD), included.
        #[arg(long, value_parser = parse_day)]
        to: chrono::NaiveDate,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// xlsx (a summary sheet, then one sheet per unit) or md (Markdown text); by default
        /// the --out file's extension says (.xlsx or .md; a name without one gets xlsx, a name
        /// with another, such as .pdf, is refused).
        #[arg(long)]
        format: Option<String>,
    },
    /// The annual report for leadership: one self-contained HTML file (ranking, trends, charts,
    /// recurring issues, overdue warnings), from the tables `wenzheng indicators` wrote.
    Report {
        #[arg(long)]
        data: PathBuf,
        /// The year reported on (default: the latest year that ranks a unit, else the year with
        /// the most posts).
        #[arg(long)]
        year: Option<i32>,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// The dashboard: JSON API and web page over a data folder, until Ctrl-C. Tokens from
    /// WENZHENG_TOKENS="supervisor:<token>,viewer:<token>" or the [access] section of the config.
    // (The doc comment is the `--help` text, written for a terminal, not for rustdoc.)
    #[allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]
    Serve {
        #[arg(long)]
        data: PathBuf,
        /// Address to listen on; port 0 picks a free one (the address is printed).
        #[arg(long, default_value = pipeline::serve::DEFAULT_ADDR)]
        addr: String,
    },
    /// Generate a sample corpus and run every stage on it.
    Demo {
        #[arg(long, default_value_t = 5000)]
        posts: usize,
        /// Where to put the corpus and the data folder (default: a folder under the system's temp dir); the
        /// folders of an earlier demo there are cleared, a folder holding anything else is refused.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Where the dashboard listens at the end (port 0: a free one).
        #[arg(long, default_value = pipeline::serve::DEFAULT_ADDR)]
        addr: String,
        /// Stop after the run instead of serving the dashboard.
        #[arg(long)]
        no_serve: bool,
    },
}

/// The query and filters of `wenzheng search`.
#[derive(clap::Args)]
struct SearchArgs {
    /// The query; empty for every case (with filters).
    // (a query may start with an excluded word: "-施工 噪音")
    #[arg(default_value = "", allow_hyphen_values = true)]
    query: String,
    /// Only cases of this unit (replying or addressed), exactly; 未知单位 for the cases of no known unit.
    #[arg(long)]
    unit: Option<String>,
    /// Only cases of this region or a region within it ("A市" also finds "A市A3区").
    #[arg(long)]
    region: Option<String>,
    /// 咨询 / 建议 / 求助 / 投诉 / 举报 / 其他.
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// Posted on or after this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    from: Option<chrono::NaiveDate>,
    /// Posted on or before this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    to: Option<chrono::NaiveDate>,
    /// Only cases whose reply is evasive or vague (level 2).
    #[arg(long)]
    flagged: bool,
    /// Only cases whose reply scores at least this (0..1), evasive or vague.
    #[arg(long, allow_negative_numbers = true)]
    min_score: Option<f64>,
    /// relevance, newest, oldest, likes or score.
    #[arg(long, default_value = "relevance")]
    sort: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
}

impl SearchArgs {
    fn request(self) -> Result<index::SearchRequest, String> {
        let sort = index::SortBy::parse(&self.sort)
            .ok_or_else(|| format!("unknown --sort {:?}: use relevance, newest, oldest, likes or score", self.sort))?;
        Ok(index::SearchRequest {
            query: self.query,
            unit: self.unit,
            region: self.region,
            kind: self.kind,
            category: self.category,
            from: self.from,
            to: self.to,
            flagged_only: self.flagged,
            min_score: self.min_score,
            sort,
            offset: self.offset,
            limit: self.limit,
        })
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    init_logging();
    if let Some(path) = cli.config {
        // Read once here, whatever the command: a command that takes nothing from the config
        // (search, eval, report) would otherwise run on with a file that is not there or wrong.
        if let Err(error) = pipeline::config::set_explicit(path) {
            let _ = writeln!(std::io::stderr(), "error: {error:#}");
            return ExitCode::from(commands::exit_code(&error));
        }
    }
    let result = match cli.command {
        Command::Config { lexicon, units, kinds } => {
            // (with --config: that file's values, every key present, so a user sees what it changes)
            let text = match pipeline::config::explicit_config() {
                _ if lexicon => models::scoring::DEFAULT_LEXICON.to_string(),
                _ if units => models::units::DEFAULT_UNITS.to_string(),
                _ if kinds => models::kind_rules::DEFAULT_RULES.to_string(),
                Some(config) => config.to_toml(),
                None => pipeline::config::Config::defaults_toml(),
            };
            let _ = std::io::stdout().write_all(text.as_bytes());
            Ok(())
        }
        Command::Ingest { inputs, out, category_model } => {
            if let Some(model) = category_model {
                pipeline::category::use_model_for_ingest(model);
            }
            commands::ingest(&inputs, &out)
        }
        Command::Run { inputs, out, category_model } => {
            if let Some(model) = category_model {
                pipeline::category::use_model_for_ingest(model);
            }
            commands::run(&inputs, &out)
        }
        Command::Category { command } => commands::category(command),
        Command::Score { data } => commands::score(&data),
        Command::Index { data } => commands::index(&data),
        Command::Quarantine { data, file, rows, out } => {
            commands::quarantine(&data, file.as_deref(), rows, out.as_deref())
        }
        Command::Recurring { data } => commands::recurring(&data),
        Command::Indicators { data, year } => commands::indicators(&data, year),
        Command::Issues { data, from, to, top, json } => commands::issues(&data, from, to, top, json),
        Command::Search { data, filters, json } => match filters.request() {
            Ok(request) => commands::search(&data, &request, json),
            Err(message) => {
                let _ = writeln!(std::io::stderr(), "error: {message}");
                return ExitCode::from(2);
            }
        },
        Command::Similar { data, post_id, limit, json } => commands::similar(&data, &post_id, limit, json),
        Command::Eval { data, labels } => commands::eval(&data, &labels),
        Command::Synth { posts, seed, out } => commands::synth(posts, seed, &out),
        Command::Serve { data, addr } => commands::serve(&data, &addr),
        Command::Demo { posts, dir, addr, no_serve } => {
            commands::demo(posts, dir, (!no_serve).then_some(addr.as_str()))
        }
        Command::Report { data, year, out } => pipeline::report::write_report(&data, year, &out),
        Command::Notice { data, from, to, out, format } => commands::notice(&data, from, to, &out, format.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A closed pipe (`wenzheng … | head`) is not a failure.
            if error
                .chain()
                .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
            {
                return ExitCode::SUCCESS;
            }
            let _ = std::io::stdout().flush();
            let _ = writeln!(std::io::stderr(), "error: {error:#}");
            ExitCode::from(commands::exit_code(&error))
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WENZHENG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| LogWriter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// Standard error that never fails: the job must not stop, or panic, because nobody reads its
/// log any more (`wenzheng run … 2>&1 | head`, `2>/dev/full`).
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// A day given on the command line: YYYY-MM-DD, also written with slashes or dots
/// (2019/1/2, 2019.01.02), as the exports write them.
fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    let normal: String = text.trim().chars().map(|c| if matches!(c, '/' | '.') { '-' } else { c }).collect();
    chrono::NaiveDate::parse_from_str(&normal, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a day: write it as YYYY-MM-DD, for example 2019-01-31"))
}
