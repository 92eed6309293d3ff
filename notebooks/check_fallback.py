#!/usr/bin/env python3
"""Checks unit_trends.ipynb's own monthly indicators against the Rust ones.

    python3 notebooks/check_fallback.py DIR

unit_trends computes the monthly unit indicators itself when a folder has no
reports/indicators.parquet (the `indicators` stage has not run). This runs that code on a copy
of DIR without its reports and compares every unit × month row with DIR's
reports/indicators.parquet: posts, replied, answered and the evasive and vague rates must be
equal (the fallback has no working-day calendar, so the durations are not compared). Exits 1
on a difference.
"""

import json
import os
import pathlib
import shutil
import sys
import tempfile

import polars as pl

HERE = pathlib.Path(__file__).resolve().parent
COMPARED = ["posts", "replied", "answered", "evasive_rate", "vague_rate"]


def fallback_monthly(data: pathlib.Path) -> pl.DataFrame:
    """The notebook's `monthly` frame: its code cells run up to the one that makes it."""
    os.environ["WENZHENG_DATA"] = str(data)
    sys.path.insert(0, str(HERE))
    notebook = json.loads((HERE / "unit_trends.ipynb").read_text(encoding="utf-8"))
    scope: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), scope)
            if "monthly" in scope:
                break
    assert scope.get("source", "").startswith("posts + replies"), f"the notebook read {scope.get('source')}"
    return scope["monthly"]


def main() -> int:
    data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else os.environ["WENZHENG_DATA"]).resolve()
    expected = pl.read_parquet(data / "reports" / "indicators.parquet").filter(
        pl.col("scope") == "unit", pl.col("period_type") == "month"
    )
    with tempfile.TemporaryDirectory() as scratch:
        copy = pathlib.Path(scratch) / "data"
        shutil.copytree(data, copy, ignore=shutil.ignore_patterns("reports", "index"))
        got = fallback_monthly(copy)
    both = got.join(expected.select("unit", "period", *COMPARED), on=["unit", "period"], how="full", suffix="_rust")
    differ = both.filter(
        pl.any_horizontal(
            [(pl.col(c).cast(pl.Float64).fill_null(-1) - pl.col(f"{c}_rust").cast(pl.Float64).fill_null(-1)).abs() > 1e-9
             for c in COMPARED]
        )
    )
    print(f"unit_trends' own indicators: {got.height} unit-months, reports/indicators.parquet: {expected.height}, "
          f"{differ.height} differ")
    if differ.height:
        print(differ.head(20))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
