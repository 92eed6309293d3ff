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

install_test_tools() {
    local missing=()
    for entry in "${DEBIAN_NEEDS[@]}"; do
        local command="${entry%%:*}" package="${entry#*:}"
        command -v "$command" >/dev/null 2>&1 || missing+=("$package")
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
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --release -- -D warnings
echo "== build"
cargo build --release --workspace --all-targets
echo "== tests"
cargo test --release --workspace
