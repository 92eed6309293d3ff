#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: first installs what the tests need,
# then format and lint checks, then the whole test suite on a release build (the data
# tests are heavy). `.ci/run` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build output lives outside the clone, so CI can cache it between runs.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wenzheng/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

install_test_tools() {
    # Debian packages: a CJK font for the charts' PNGs.
    local need=()
    fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || need+=(fonts-wqy-microhei)
    if [ ${#need[@]} -gt 0 ]; then
        echo "installing: ${need[*]}"
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
        fi
    fi
}

if [ ! -d ../shared/data ]; then
    echo "error: ../shared/data is missing: the tests read the real data from ../shared beside the project" >&2
    exit 1
fi

install_test_tools
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --release -- -D warnings
echo "== build"
cargo build --release --workspace --all-targets
echo "== tests"
cargo test --release --workspace
