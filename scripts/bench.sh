#!/usr/bin/env bash
# Benchmarks the stages of wenzheng on a corpus made by ../shared/bench/make_corpus.py:
# wall time and peak RSS per stage, and a check of each stage's answer, so a faster but
# wrong build does not pass. Not a test: run it by hand on an idle machine.
#
#   bash scripts/bench.sh [POSTS] [WORK_DIR]        # default 1000000 posts in /tmp/wenzheng-bench
set -euo pipefail
cd "$(dirname "$0")/.."
posts="${1:-1000000}"
work="${2:-/tmp/wenzheng-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wenzheng/target}"
cargo build --release -q -p pipeline
bin="$CARGO_TARGET_DIR/release/wenzheng"
corpus="$work/corpus-$posts"
data="$work/data-$posts"

if [ ! -f "$corpus/posts.csv" ]; then
    python3 ../shared/bench/make_corpus.py --posts "$posts" --seed 1 --out "$corpus" >/dev/null
fi
rm -rf "$data"

# Runs one stage under GNU time; prints "stage  wall-seconds  peak-RSS-MB".
stage() {
    local name="$1"; shift
    local log="$work/$name.log"
    /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$log" 2>&1 || { cat "$log"; exit 1; }
    read -r wall rss <"$work/$name.time"
    printf "%-10s %8.1f s %8.0f MB\n" "$name" "$wall" "$((rss / 1024))"
}

echo "corpus: $posts posts ($(du -sh "$corpus" | cut -f1)), $(nproc) cores"
stage ingest "$bin" ingest "$corpus/posts.csv" "$corpus/replies.csv" --out "$data"
stage score "$bin" score --data "$data"

# The answers: every row accounted for, every reply scored.
expected_posts=$(($(wc -l <"$corpus/posts.csv") - 1))
grep -q "posts: read $expected_posts = written $expected_posts " "$work/ingest.log" \
    || { echo "ingest did not write every post:"; cat "$work/ingest.log"; exit 1; }
grep -q "^scored " "$work/score.log" || { echo "score wrote nothing"; exit 1; }
echo "data folder: $(du -sh "$data" | cut -f1)"
