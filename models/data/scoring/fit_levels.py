#!/usr/bin/env python3
"""Fits levels.toml: the reply scorer's level model (one cumulative-link model per judgement).

    cargo run --release --example scoring_features > /tmp/features.csv
    python3 models/data/scoring/fit_levels.py /tmp/features.csv > models/data/scoring/levels.toml

Reads the features of every dev reply (the `scoring_features` example) and the TUNING labels
only (tests/data/labels/replies_dev_tune*.jsonl; the held-out file is never opened). Replies
the rules judge alone (bare formulas, off-topic) are left out of the fit. The L2 penalty is
chosen by repeated 5-fold cross-validation on quadratic weighted kappa; the model is then
refitted on all tuning labels and written as TOML on stdout, with the cross-validated figures
in its header. Needs numpy.
"""
import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, "../../../tests/data/labels")
TUNING_FILES = ["replies_dev_tune.jsonl", "replies_dev_tune2.jsonl", "replies_dev_tune3.jsonl"]
PENALTIES = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
FOLDS, REPEATS, SEED = 5, 4, 7


def read_features(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = [c for c in rows[0] if c not in ("id", "evasive_level", "vague_level", "reply_type", "fixed")]
    return rows, names


def read_labels():
    labels = {}
    for name in TUNING_FILES:
        with open(os.path.join(LABELS, name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    labels[d["id"]] = (d["evasive"], d["vague"])
    return labels


def qwk(human, scorer):
    m = np.zeros((3, 3))
    for h, s in zip(human, scorer):
        m[h, s] += 1
    n = m.sum()
    w = np.array([[(i - j) ** 2 / 4 for j in range(3)] for i in range(3)])
    expected = np.outer(m.sum(1), m.sum(0)) / n
    return 1 - (w * m).sum() / (w * expected).sum() if (w * expected).sum() else 1.0


def sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def fit(x, y, penalty, steps=3000, rate=0.05):
    """Cumulative logit: P(y >= k) = sigmoid(x.w - t_k); L2 on w; Adam on the mean NLL."""
    n, d = x.shape
    params = np.zeros(d + 2)
    params[d], params[d + 1] = 0.0, 0.0  # t1, log(t2 - t1)
    m, v = np.zeros_like(params), np.zeros_like(params)
    for step in range(1, steps + 1):
        w, t1, gap = params[:d], params[d], np.exp(params[d + 1])
        s = x @ w
        p1, p2 = sigmoid(s - t1), sigmoid(s - t1 - gap)
        # d(-log P(y))/d(s - t) for each cumulative term
        eps = 1e-9
        g1 = np.where(y == 0, p1, np.where(y == 1, -p1 * (1 - p1) / (p1 - p2 + eps), 0.0))
        g2 = np.where(y == 1, p2 * (1 - p2) / (p1 - p2 + eps), np.where(y == 2, -(1 - p2), 0.0))
        grad_s = (g1 + g2) / n
        grad = np.concatenate([x.T @ grad_s + penalty * w, [-(g1 + g2).sum() / n, -g2.sum() / n * gap]])
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        params -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return params[:d], params[d], params[d] + np.exp(params[d + 1])


def predict(x, w, t1, t2):
    s = x @ w
    return np.where(s < t1, 0, np.where(s < t2, 1, 2))


def cross_validate(x, y, fixed_pred, learned, penalty):
    """Mean QWK over repeated folds; rules-alone replies keep the rules' level."""
    rng = np.random.default_rng(SEED)
    scores = []
    for _ in range(REPEATS):
        order = rng.permutation(len(y))
        pred = fixed_pred.copy()
        for k in range(FOLDS):
            test = order[k::FOLDS]
            train = np.setdiff1d(order, test)
            train = train[learned[train]]
            mu, sd = x[train].mean(0), x[train].std(0) + 1e-9
            w, t1, t2 = fit((x[train] - mu) / sd, y[train], penalty)
            sel = test[learned[test]]
            pred[sel] = predict((x[sel] - mu) / sd, w, t1, t2)
        scores.append(qwk(y, pred))
    return float(np.mean(scores)), pred


def main():
    rows, names = read_features(sys.argv[1])
    labels = read_labels()
    rows = [r for r in rows if r["id"] in labels]
    x = np.array([[float(r[n]) for n in names] for r in rows])
    learned = np.array([r["fixed"] == "0" for r in rows])
    out = ["version = 1", ""]
    header = []
    for dim, col in (("evasive", 0), ("vague", 1)):
        y = np.array([labels[r["id"]][col] for r in rows])
        rules = np.array([int(r[f"{dim}_level"]) for r in rows])
        cv = {p: cross_validate(x, y, rules, learned, p) for p in PENALTIES}
        best = max(cv, key=lambda p: cv[p][0])
        mu, sd = x[learned].mean(0), x[learned].std(0) + 1e-9
        w, t1, t2 = fit((x[learned] - mu) / sd, y[learned], best)
        raw_w = w / sd
        shift = float((w * mu / sd).sum())
        pred = rules.copy()
        pred[learned] = predict(x[learned] @ np.diag(1 / sd) - mu / sd, w, t1, t2)
        header.append(
            f"# {dim}: penalty {best}, cross-validated QWK {cv[best][0]:.3f} "
            f"(by penalty: {', '.join(f'{p}: {cv[p][0]:.3f}' for p in PENALTIES)}); "
            f"in-sample QWK {qwk(y, pred):.3f} on {len(y)} tuning labels"
        )
        out += [f"[{dim}]", f"thresholds = [{t1 + shift:.6f}, {t2 + shift:.6f}]", "", f"[{dim}.weights]"]
        out += [f"{n} = {wi:.6f}" for n, wi in zip(names, raw_w) if abs(wi) > 1e-6]
        out.append("")
    print(
        "# Level model of the reply scorer: weights of a cumulative-link (ordinal logistic) model per\n"
        "# judgement over the features of models/src/scoring/model.rs (FEATURES).\n"
        "# score = sum of weight * feature; level 0 below thresholds[0], 1 below thresholds[1], else 2.\n"
        "# Written by models/data/scoring/fit_levels.py on the tuning labels; do not edit by hand.\n"
        + "\n".join(header)
        + "\n"
    )
    print("\n".join(out))


if __name__ == "__main__":
    main()
