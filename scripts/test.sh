#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: first installs what the tests need,
# then format and lint checks, then the whole test suite on a release build (the data
# tests are heavy). `.ci/run` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build output lives outside the clone, so CI can cache it between runs.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wenzheng/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Debian packages the tests need, by the command that shows they are there. Today the tests
# need only the Rust toolchain; charts (a CJK font) and the browser test (chromium) add theirs here.
DEBIAN_NEEDS=()
# The CJK font of the PNG charts (a file, not a command: checked with -e).
DEBIAN_NEEDS+=("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc:fonts-wqy-microhei")
# the dashboard test (tests/e2e/dashboard.rs) drives a headless browser
DEBIAN_NEEDS+=("chromium:chromium" "chromedriver:chromium-driver")

install_test_tools() {
    local missing=()
    for entry in "${DEBIAN_NEEDS[@]}"; do
        local command="${entry%%:*}" package="${entry#*:}"
        [ -e "$command" ] || command -v "$command" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

if [ ! -d ../shared/data ]; then
    echo "error: ../shared/data is missing: the tests read the real data from ../shared beside the project" >&2
    exit 1
fi

install_test_tools
# Python packages the tests need: DuckDB runs sql/indicators.sql (tests/e2e/indicators_sql.rs).
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install --quiet duckdb
# The analysts' notebooks and their runner (notebooks/run_all.py).
python3 -m pip install --quiet -r notebooks/requirements.txt
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --release -- -D warnings
echo "== cargo doc"
# Broken intra-doc links and malformed doc comments fail here, not on docs.rs later.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
echo "== build"
cargo build --release --workspace --all-targets
echo "== tests"
cargo test --release --workspace
echo "== notebooks"
# Every notebook runs against a fresh sample folder (what `wenzheng demo` makes, without serving).
notebook_dir="$(mktemp -d)"
trap 'rm -rf "$notebook_dir"' EXIT
"$CARGO_TARGET_DIR/release/wenzheng" synth --posts 3000 --seed 1 --out "$notebook_dir/corpus" >/dev/null
"$CARGO_TARGET_DIR/release/wenzheng" run "$notebook_dir/corpus/posts.csv" "$notebook_dir/corpus/replies.csv" \
    --out "$notebook_dir/data" >/dev/null
python3 notebooks/run_all.py "$notebook_dir/data"
# unit_trends' own indicators (a folder without reports/) must equal the Rust ones.
python3 notebooks/check_fallback.py "$notebook_dir/data"
