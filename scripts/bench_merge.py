#!/usr/bin/env python3
"""Merges the tables bench_table.py just wrote into the BENCHMARKS.md the project already has, so
a rerun replaces the tables it measured and keeps the rest: the sessions' notes above the tables
(what was measured when, what was tried and not kept) and the tables of sizes not rerun (a 1M
table stays when only 10k and 100k were run).

    python3 scripts/bench_merge.py OLD_BENCHMARKS NEW_TABLES > BENCHMARKS.md

The files are read as sections: the head (up to the first "## " heading), then one section per
heading. A size section is headed "## 10,000 posts" (anything may follow the size); the new file's
size sections replace the old ones of the same size, except that a size rerun without the reference
(SKIP_REFERENCE=1) keeps its last table beside the reference: the reference takes ~25 min at 1M and
its figures do not change with ours. The head and "How to reproduce" come from
the new file, with the old head's notes (from its first bold paragraph on) after the machine line.
"""

import re
import sys


def sections(text):
    """(head, [(heading, body)]) with the heading line inside body."""
    parts = re.split(r"(?m)^(?=## )", text)
    head, rest = parts[0], parts[1:]
    return head, [(part.splitlines()[0], part) for part in rest]


def size_of(heading):
    found = re.match(r"## ([\d,]+) posts", heading)
    return int(found.group(1).replace(",", "")) if found else None


def beside_reference(body):
    """Whether a size section has the reference's table."""
    return "| reference stage" in body


def notes_of(head):
    """The old head's notes: its paragraphs from the first bold one ("**Session …") on."""
    found = re.search(r"(?m)^\*\*", head)
    return head[found.start():].rstrip() + "\n\n" if found else ""


def merged(old, new):
    old_head, old_sections = sections(old)
    new_head, new_sections = sections(new)
    measured = {size_of(h) for h, _ in new_sections} - {None}
    measured_beside = {size_of(h) for h, body in new_sections if beside_reference(body)} - {None}
    new_sizes = [(h, body) for h, body in new_sections if size_of(h) is not None]
    kept = [
        (h, body)
        for h, body in old_sections
        if size_of(h) is not None
        and (size_of(h) not in measured or (beside_reference(body) and size_of(h) not in measured_beside))
    ]
    rest = [(h, body) for h, body in new_sections if size_of(h) is None]
    # Stable: of one size, the new table comes first, then the kept one beside the reference.
    by_size = sorted(new_sizes + kept, key=lambda s: size_of(s[0]))
    out = new_head.rstrip() + "\n\n" + notes_of(old_head)
    out += "".join(body.rstrip() + "\n\n" for _, body in by_size + rest)
    return out.rstrip() + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        old = f.read()
    with open(sys.argv[2], encoding="utf-8") as f:
        new = f.read()
    sys.stdout.write(merged(old, new))
