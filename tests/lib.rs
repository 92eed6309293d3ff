//! Helpers for the end-to-end tests: the real `wenzheng` binary, the real data in
//! `../shared/data`, and reading what a run wrote.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polars::prelude::*;

/// The folder of real public data shared with the project (never copied into it).
pub fn shared_data() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    assert!(
        dir.is_dir(),
        "the shared data folder {} is missing: the tests need ../shared beside the project",
        dir.display()
    );
    dir
}

pub fn shared_file(name: &str) -> PathBuf {
    shared_data().join(name)
}

/// The `wenzheng` binary of the same build as this test (`cargo build -p pipeline` first;
/// `.ci/run` does).
pub fn wenzheng_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/e2e-… → target/<profile>/wenzheng
    let profile_dir = exe.parent().and_then(Path::parent).expect("target folder");
    let binary = profile_dir.join("wenzheng");
    assert!(
        binary.is_file(),
        "{} is missing: build it with `cargo build -p pipeline` in the same profile as the tests",
        binary.display()
    );
    binary
}

/// A finished run of the binary.
pub struct Run {
    pub output: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).to_string()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).to_string()
    }
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> String {
        assert_eq!(self.code(), 0, "wenzheng failed.\nstdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr());
        self.stdout()
    }
}

pub fn wenzheng<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = Command::new(wenzheng_binary()).args(args).env("WENZHENG_LOG", "warn").output().expect("run wenzheng");
    Run { output }
}

/// Every live part of a table of a data folder, read into one frame (as the notebooks do).
pub fn read_table(data: &Path, table: &str) -> DataFrame {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("manifest.json")).expect("manifest")).expect("json");
    let parts: Vec<PlRefPath> = manifest["tables"][table]
        .as_array()
        .map(|a| a.iter().map(|p| PlRefPath::from(data.join(p.as_str().unwrap()).to_string_lossy().as_ref())).collect())
        .unwrap_or_default();
    assert!(!parts.is_empty(), "table {table} has no part in {}", data.display());
    LazyFrame::scan_parquet_files(parts.into_iter().collect(), ScanArgsParquet::default())
        .and_then(|lf| lf.collect())
        .unwrap_or_else(|e| panic!("cannot read {table}: {e}"))
}

pub fn manifest(data: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(data.join("manifest.json")).expect("manifest")).expect("json")
}

/// The value of a string column in the row where `key_column == key`.
pub fn lookup(frame: &DataFrame, key_column: &str, key: &str, column: &str) -> Option<String> {
    let keys = frame.column(key_column).ok()?.str().ok()?;
    let idx = keys.iter().position(|k| k == Some(key))?;
    let value = frame.column(column).ok()?.get(idx).ok()?;
    match value {
        AnyValue::Null => None,
        AnyValue::String(s) => Some(s.to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        other => Some(other.to_string()),
    }
}

/// A corpus of `posts` posts from `../shared/bench/make_corpus.py`, with the posts of its last
/// days cut off into a file of their own, as a daily export brings them: returns the files
/// (earlier posts, all replies, the day's posts). Replies to the day's posts are in the first
/// delivery, their posts a day later.
pub fn corpus_and_a_day(folder: &Path, posts: usize, seed: u64) -> [PathBuf; 3] {
    let made = Command::new("python3")
        .arg(shared_data().join("../bench/make_corpus.py"))
        .args(["--posts", &posts.to_string(), "--seed", &seed.to_string(), "--out"])
        .arg(folder)
        .output()
        .expect("run python3");
    assert!(made.status.success(), "make_corpus.py failed: {}", String::from_utf8_lossy(&made.stderr));
    let split = Command::new("python3")
        .arg("-c")
        .arg(
            "import csv, sys\n\
             rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))\n\
             head, body = rows[0], sorted(rows[1:], key=lambda r: r[4])\n\
             cut = len(body) * 19 // 20\n\
             for name, part in ((sys.argv[2], body[:cut]), (sys.argv[3], body[cut:])):\n\
             \x20   w = csv.writer(open(name, 'w', newline='', encoding='utf-8'))\n\
             \x20   w.writerow(head); w.writerows(part)\n",
        )
        .arg(folder.join("posts.csv"))
        .arg(folder.join("before.csv"))
        .arg(folder.join("day.csv"))
        .output()
        .expect("run python3");
    assert!(split.status.success(), "split failed: {}", String::from_utf8_lossy(&split.stderr));
    [folder.join("before.csv"), folder.join("replies.csv"), folder.join("day.csv")]
}

/// A Parquet file read whole.
pub fn read_parquet(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    ParquetReader::new(file).finish().unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
