#!/usr/bin/env python3
"""Writes BENCHMARKS.md from scripts/bench.sh's results.tsv: wenzheng's stages beside the
reference's, per corpus size, with ratios, how to reproduce, and the machine.

    python3 scripts/bench_table.py RESULTS_TSV WORK_DIR > BENCHMARKS.md
"""
import collections
import os
import platform
import subprocess
import sys

rows = collections.defaultdict(list)
for line in open(sys.argv[1], encoding="utf-8"):
    size, who, stage, wall, cpu, rss = line.rstrip("\n").split("\t")
    rows[int(size)].append((who, stage, float(wall), float(cpu) if cpu else None, int(rss)))


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


cpu_model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
memory = sh("free -g | awk '/Mem:/ {print $2}'")
note = os.environ.get("BENCH_NOTE", "")

print("# Benchmarks\n")
print("wenzheng beside the Python reference (`../shared/bench/reference_pipeline.py`: pandas + jieba +")
print("scikit-learn + SQLite FTS5, the way published solutions work) on the same synthetic corpora")
print("(`make_corpus.py --posts N --seed 1`). Wall time, CPU time (user + sys) and peak RSS per stage;")
print("`ratio` = reference ÷ wenzheng for the whole job.\n")
print(f"Machine: {sh('nproc')} cores ({cpu_model}), {memory} GB memory, {platform.system()} {platform.release()}.")
if note:
    print(f"\n**{note}**")
print()
for size in sorted(rows):
    print(f"## {size:,} posts\n")
    ours = [r for r in rows[size] if r[0] == "wenzheng"]
    ref = [r for r in rows[size] if r[0] == "reference"]
    print("| wenzheng stage | wall s | CPU s | peak RSS MB |")
    print("| --- | ---: | ---: | ---: |")
    job = [r for r in ours if r[1] not in ("index-again", "day")]
    names = {"index-again": "index (no change)", "day": "one more day: `run` with 5,000 new posts (incremental)"}
    for _, stage, wall, cpu, rss in ours:
        name = names.get(stage, stage)
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {rss} |")
    total_wall = sum(r[2] for r in job)
    total_cpu = sum(r[3] or 0 for r in job)
    peak = max(r[4] for r in job)
    print(f"| **whole job** (ingest to indicators, without the two reruns) | **{total_wall:.1f}** | **{total_cpu:.1f}** | **{peak}** |\n")
    if ref:
        print("| reference stage | wall s | peak RSS MB |")
        print("| --- | ---: | ---: |")
        total = None
        for _, stage, wall, cpu, rss in ref:
            if stage == "total":
                total = (wall, cpu, rss)
            else:
                print(f"| {stage} | {wall:.1f} | {rss} |")
        if total:
            print(f"| **whole job** (CPU {total[1]:.1f} s) | **{total[0]:.1f}** | **{total[2]}** |\n")
            print(f"Ratio (reference ÷ wenzheng): wall **{total[0] / total_wall:.1f}×**, "
                  f"CPU **{total[1] / max(total_cpu, 0.01):.1f}×**, peak RSS **{total[2] / max(peak, 1):.1f}×**.\n")
print("## How to reproduce\n")
print("```")
print("pip install pandas pyarrow jieba scikit-learn psutil")
print("bash scripts/bench.sh                          # 10k and 100k")
print('bash scripts/bench.sh "10000 100000 1000000"   # and 1M (the reference alone ~50 min, 18 GB)')
print("```")
print("\nThe script builds the release binary, makes the corpora, runs each stage under `/usr/bin/time`,")
print("checks each stage's answer, runs the reference, and rewrites this file.")
