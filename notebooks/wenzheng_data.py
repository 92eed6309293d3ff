"""Reading a wenzheng data folder from the notebooks.

The folder comes from the environment variable WENZHENG_DATA (default: the folder
`wenzheng demo` writes, /tmp/wenzheng-demo/data). Tables kept as Parquet parts (posts,
replies, ...) are read through manifest.json, which lists the live parts: a part it does not
list belongs to a run that was interrupted and must not be read. The other outputs
(scores/, issues/, reports/) are single Parquet files.
"""

import html
import json
import os
import pathlib
import tomllib

import polars as pl

DEFAULT_DATA = "/tmp/wenzheng-demo/data"

# The unit written for a post whose replies and post name none (as the Rust reports do).
UNKNOWN_UNIT = "未知单位"

# Chinese names of the reply types and evidence kinds (as the criticism notice prints them).
REPLY_TYPES = {
    "acknowledgement_only": "仅告知收悉",
    "forwarded": "转办",
    "deflection": "推诿",
    "refusal_without_reason": "无理由拒绝",
    "generic_policy": "空泛政策",
    "partial": "部分答复",
    "off_topic": "答非所问",
    "substantive": "实质答复",
}
EVIDENCE_KINDS = {
    "acknowledgement": "仅告知收悉",
    "forwarded_to_unit": "转办（点名单位）",
    "forwarded_unnamed": "转“相关部门”",
    "deflection": "推诿",
    "refusal": "无理由拒绝",
    "generic_promise": "空泛承诺",
    "rule_quote": "照搬规定",
    "unanswered_question": "未回应的诉求",
    "off_topic": "答非所问",
    "pending": "办理中、未办结",
    "wording": "措辞（评分模型依据）",
    "nothing_specific": "无具体内容",
}


def data_dir() -> pathlib.Path:
    root = pathlib.Path(os.environ.get("WENZHENG_DATA", DEFAULT_DATA))
    if not (root / "manifest.json").is_file():
        raise FileNotFoundError(
            f"{root} is no wenzheng data folder (no manifest.json): run `wenzheng demo` "
            "or `wenzheng run FILES --out DIR`, then set WENZHENG_DATA=DIR"
        )
    return root


def annual_min_posts(root: pathlib.Path | None = None) -> int:
    """Posts a unit needs in a year to be ranked, as the annual scores rank: `[annual] min_posts`
    of the config file the commands read by default (DIR/wenzheng.toml), else the built-in 10."""
    config = (root or data_dir()) / "wenzheng.toml"
    if config.is_file():
        with open(config, "rb") as f:
            return int(tomllib.load(f).get("annual", {}).get("min_posts", 10))
    return 10


def manifest(root: pathlib.Path | None = None) -> dict:
    root = root or data_dir()
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def table(name: str, root: pathlib.Path | None = None) -> pl.DataFrame:
    """Every live part of a part table (posts, replies, quarantine, taxonomy) in one frame."""
    root = root or data_dir()
    parts = manifest(root)["tables"].get(name, [])
    if not parts:
        raise FileNotFoundError(f"the data folder {root} has no {name} table yet")
    return pl.concat([pl.read_parquet(root / p) for p in parts], how="diagonal_relaxed")


def output(relative: str, root: pathlib.Path | None = None) -> pl.DataFrame | None:
    """A single-file output such as scores/replies.parquet, or None when the stage has not run."""
    path = (root or data_dir()) / relative
    return pl.read_parquet(path) if path.is_file() else None


def responsible_units(posts: pl.DataFrame, replies: pl.DataFrame) -> pl.DataFrame:
    """post_id → unit: the unit of the post's first reply that names one, else the unit the
    post was addressed to, else 未知单位 (the rule of reports/post_facts.parquet)."""
    first = (
        replies.filter(pl.col("unit").is_not_null() & (pl.col("unit").str.strip_chars() != ""))
        .sort(["post_id", "seq", "replied_at"])
        .group_by("post_id", maintain_order=True)
        .agg(pl.col("unit").first().alias("reply_unit"))
    )
    return (
        posts.select("post_id", pl.col("unit").alias("post_unit"))
        .join(first, on="post_id", how="left")
        .select("post_id", pl.coalesce("reply_unit", "post_unit", pl.lit(UNKNOWN_UNIT)).alias("unit"))
    )


def answering_known(posts: pl.DataFrame, replies: pl.DataFrame) -> pl.DataFrame:
    """post_id → reply_known: whether the post's file says how posts were answered (the rule of
    reports/post_facts.parquet). A posts-only export (a likes export) carries no replies, so its
    posts are neither unanswered nor overdue: the indicators leave them out. A file carries
    replies when a reply came with one of its posts, from the file itself or from a file of
    replies alone; a reply that came with another export's copy of a post does not count."""
    if "source" not in posts.columns or "source" not in replies.columns:
        return posts.select("post_id", reply_known=pl.lit(True))
    post_source = posts.select("post_id", own=pl.col("source").fill_null(""))
    files_with_posts = post_source["own"].unique()
    carried = (
        replies.select("post_id", source=pl.col("source").fill_null(""))
        .join(post_source, on="post_id", how="inner")
        .filter((pl.col("source") == pl.col("own")) | ~pl.col("source").is_in(files_with_posts.implode()))
        .select("post_id")
        .unique()
        .with_columns(carried=pl.lit(True))
    )
    answered = replies.select("post_id").unique().with_columns(has_reply=pl.lit(True))
    return (
        post_source.join(carried, on="post_id", how="left")
        .join(answered, on="post_id", how="left")
        .with_columns(
            reply_known=pl.col("carried").fill_null(False).any().over("own") | pl.col("has_reply").fill_null(False)
        )
        .select("post_id", "reply_known")
    )


def highlight(text: str, evidence: list[dict], in_post: bool = False) -> str:
    """HTML of `text` with the evidence spans (character offsets) in <mark>, overlaps merged."""
    text = text or ""
    spans = sorted(
        (e["start"], e["end"])
        for e in evidence
        if (e.get("in") == "post") == in_post and 0 <= e["start"] < e["end"] <= len(text)
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(html.escape(text[at:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "<br>")


def use_cjk_font() -> str | None:
    """Makes matplotlib draw Chinese labels with an installed CJK font; returns its name."""
    import matplotlib
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK", "Noto Sans SC", "WenQuanYi", "Source Han Sans", "SimHei", "Microsoft YaHei", "PingFang")
    for font in font_manager.fontManager.ttflist:
        if any(font.name.startswith(w) for w in wanted):
            matplotlib.rcParams["font.sans-serif"] = [font.name, *matplotlib.rcParams["font.sans-serif"]]
            matplotlib.rcParams["axes.unicode_minus"] = False
            return font.name
    return None
