#!/usr/bin/env bash
# Benchmarks wenzheng beside the Python reference (../shared/bench/reference_pipeline.py) on
# corpora made by ../shared/bench/make_corpus.py, and writes the side-by-side table to
# BENCHMARKS.md: per stage wall time, CPU time (user + sys) and peak RSS, and the ratios.
# Each stage's answer is checked, so a faster but wrong build does not pass. Not a test: run
# it by hand, on an idle machine for figures to publish.
#
#   bash scripts/bench.sh [SIZES] [WORK_DIR]     # default "10000 100000" in /tmp/wenzheng-bench
#   bash scripts/bench.sh "10000 100000 1000000" # 1M too (the reference then takes ~25 min, 19 GB)
#   SKIP_REFERENCE=1 bash scripts/bench.sh 1000000   # wenzheng only
#   REFERENCE_RESULTS=old/results.tsv bash scripts/bench.sh   # the reference's rows of an earlier
#       run instead of running it again (it takes ~5 min at 100k, ~25 min at 1M; its code does not
#       change with ours). Compare CPU times then: the two runs' machine load may differ.
#
# The reference needs: pip install pandas pyarrow jieba scikit-learn psutil (and the correctness
# tables polars)
# At 1M the reference runs with --seg-sample 0.05 (plain jieba timed on 5% of the documents and
# extrapolated; see its header). Its per-stage peak RSS is its own sampling (psutil).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-10000 100000}"
work="${2:-/tmp/wenzheng-bench}"
mkdir -p "$work"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wenzheng/target}"
bin="${WENZHENG_BIN:-}"      # a binary to measure instead of building this tree
if [ -z "$bin" ]; then
    cargo build --release -q --workspace
    bin="$CARGO_TARGET_DIR/release/wenzheng"
fi
results="$work/results.tsv"     # size, who, stage, wall s, cpu s, peak MB
: >"$results"

# Runs one wenzheng stage under GNU time; records and prints wall, CPU and peak RSS.
stage() {
    local size="$1" name="$2"; shift 2
    local log="$work/$size-$name.log"
    /usr/bin/time -f "%e %U %S %M" -o "$work/$size-$name.time" "$@" >"$log" 2>&1 || { cat "$log"; exit 1; }
    read -r wall user sys rss <"$work/$size-$name.time"
    local cpu; cpu=$(echo "$user + $sys" | bc)
    printf "%s\twenzheng\t%s\t%s\t%s\t%s\n" "$size" "$name" "$wall" "$cpu" "$((rss / 1024))" >>"$results"
    printf "%8s %-10s %8.1f s wall %8.1f s cpu %7d MB\n" "$size" "$name" "$wall" "$cpu" "$((rss / 1024))"
}

for size in $sizes; do
    corpus="$work/corpus-$size"
    data="$work/data-$size"
    if [ ! -f "$corpus/posts.csv" ]; then
        python3 ../shared/bench/make_corpus.py --posts "$size" --seed 1 --out "$corpus" >/dev/null
    fi
    rm -rf "$data"
    stage "$size" ingest "$bin" ingest "$corpus/posts.csv" "$corpus/replies.csv" --out "$data"
    stage "$size" score "$bin" score --data "$data"
    stage "$size" recurring "$bin" recurring --data "$data"
    stage "$size" index "$bin" index --data "$data"
    if "$bin" help indicators >/dev/null 2>&1; then
        stage "$size" indicators "$bin" indicators --data "$data"
    fi
    stage "$size" index-again "$bin" index --data "$data"

    # The daily rerun: one more day (5,000 posts and their replies, on the day after the corpus
    # ends, ids past the corpus's) added to the folder by `run`, which redoes only what changed.
    day="$work/day-5000"
    if [ ! -f "$day/posts.csv" ]; then
        python3 ../shared/bench/make_corpus.py --posts 5000 --seed 2 --start 2021-01-01 --days 1 --out "$day.raw" >/dev/null
        mkdir -p "$day"
        python3 - "$day.raw" "$day" <<'PY'
import csv, sys
# make_corpus numbers posts from 100000 and replies from 1 in every corpus: move this day's
# ids past any corpus's so that they are new posts, not conflicts.
src, dst, shift = sys.argv[1], sys.argv[2], 50_000_000
for name, columns in (("posts.csv", ["post_id"]), ("replies.csv", ["reply_id", "post_id"])):
    with open(f"{src}/{name}", encoding="utf-8", newline="") as f, open(f"{dst}/{name}", "w", encoding="utf-8", newline="") as g:
        rows = csv.DictReader(f)
        out = csv.DictWriter(g, fieldnames=rows.fieldnames)
        out.writeheader()
        for row in rows:
            for c in columns:
                row[c] = str(int(row[c]) + shift)
            out.writerow(row)
PY
    fi
    stage "$size" day "$bin" run "$day/posts.csv" "$day/replies.csv" --out "$data"
    grep -q "posts: read 5000 = written 5000 " "$work/$size-day.log" \
        || { echo "the day's run did not add its 5,000 posts:"; cat "$work/$size-day.log"; exit 1; }

    # The answers: every row accounted for, every reply scored, every case indexed.
    expected_posts=$(($(wc -l <"$corpus/posts.csv") - 1))
    grep -q "posts: read $expected_posts = written $expected_posts " "$work/$size-ingest.log" \
        || { echo "ingest did not write every post:"; cat "$work/$size-ingest.log"; exit 1; }
    grep -q "^scored " "$work/$size-score.log" || { echo "score wrote nothing"; exit 1; }
    "$bin" search --data "$data" --limit 1 "噪音" | grep -q "cases 1–1 of" \
        || { echo "the index finds nothing"; exit 1; }

    if [ -n "${REFERENCE_RESULTS:-}" ]; then
        awk -F'\t' -v size="$size" '$1 == size && $2 == "reference"' "$REFERENCE_RESULTS" >>"$results"
    elif [ -z "${SKIP_REFERENCE:-}" ]; then
        sample=1.0
        [ "$size" -ge 1000000 ] && sample=0.05
        rm -rf "$work/ref-$size"
        mkdir -p "$work/ref-$size"
        /usr/bin/time -f "%e %U %S %M" -o "$work/$size-reference.time" \
            python3 ../shared/bench/reference_pipeline.py --data "$corpus" --work "$work/ref-$size" \
            --report "$work/ref-$size/report.json" --seg-sample "$sample" >"$work/$size-reference.log" 2>&1 \
            || { cat "$work/$size-reference.log"; exit 1; }
        read -r wall user sys rss <"$work/$size-reference.time"
        printf "%s\treference\ttotal\t%s\t%s\t%s\n" "$size" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" >>"$results"
        python3 - "$work/ref-$size/report.json" "$size" >>"$results" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for s in report["stages"]:
    print(f"{sys.argv[2]}\treference\t{s['stage']}\t{s['wall_s']}\t\t{round(s['peak_rss_mb'])}")
PY
    fi
done

# The tables of the sizes run replace theirs in BENCHMARKS.md; the sessions' notes and the tables
# of sizes not rerun are kept (scripts/bench_merge.py). The file is replaced whole at the end.
python3 scripts/bench_table.py "$results" "$work" >"$work/tables.md"
if [ -f BENCHMARKS.md ]; then
    python3 scripts/bench_merge.py BENCHMARKS.md "$work/tables.md" >"$work/BENCHMARKS.md"
else
    cp "$work/tables.md" "$work/BENCHMARKS.md"
fi
cp "$work/BENCHMARKS.md" BENCHMARKS.md.tmp && mv BENCHMARKS.md.tmp BENCHMARKS.md
echo "wrote the tables of sizes $sizes into BENCHMARKS.md (its notes and other sizes kept; add this run's note by hand)"
