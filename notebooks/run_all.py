#!/usr/bin/env python3
"""Executes every notebook of this folder against a data folder; exits 1 if any cell fails.

    python3 notebooks/run_all.py DIR [--out FOLDER]

DIR is the data folder (default: $WENZHENG_DATA, else /tmp/wenzheng-demo/data); each notebook
gets it as WENZHENG_DATA. With --out, the executed notebooks (with their outputs) are written
there; the notebooks in this folder are left unchanged, outputs cleared.
"""

import argparse
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = pathlib.Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=os.environ.get("WENZHENG_DATA", "/tmp/wenzheng-demo/data"))
    parser.add_argument("--out", type=pathlib.Path, help="write the executed notebooks here")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may take")
    args = parser.parse_args()

    data = pathlib.Path(args.data).resolve()
    if not (data / "manifest.json").is_file():
        print(f"error: {data} is no wenzheng data folder (no manifest.json): run `wenzheng demo` first", file=sys.stderr)
        return 2
    # The kernel inherits this environment: the notebooks read the folder from it, and draw
    # charts without a display into the notebook's outputs (the inline backend: "Agg" drew
    # nothing, so the executed notebooks written with --out had no charts).
    os.environ["WENZHENG_DATA"] = str(data)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)

    failed = []
    for path in sorted(HERE.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook, timeout=args.timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
        )
        started = time.monotonic()
        try:
            client.execute()
            status = "ok"
        except CellExecutionError as error:
            failed.append(path.name)
            status = f"FAILED\n{error}"
        print(f"{path.name}: {status} ({time.monotonic() - started:.1f} s)", flush=True)
        if args.out:
            nbformat.write(notebook, args.out / path.name)
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
