#!/usr/bin/env python3
"""Fits the reply scorer's level model: levels.toml and phrases.tsv (beside this script).

    cargo run --release -p models --example scoring_features > /tmp/features.csv
    python3 models/data/scoring/fit_levels.py /tmp/features.csv

One cumulative-link (ordinal logistic) model per judgement over the rules' dense features
(levels.toml) and the character n-grams of the reply's content (phrases.tsv: binary presence of
every n-gram found in at least MIN_REPLIES tuning replies). Reads the features of every dev
reply (the `scoring_features` example) and the TUNING labels only
(tests/data/labels/replies_dev_tune*.jsonl; the held-out files are never opened). Replies the
rules judge alone (bare formulas, off-topic) keep the rules' levels and are left out of the fit;
an evasive 2 needs evidence (`shows_evasion`), and the rubric's hard cases keep the rules' levels
(`rubric_overrides`, as `model::RubricOverrides` in Rust), as in `Scorer::score`.

The L2 penalties (one for the dense features, one for the phrases) are chosen by repeated
5-fold cross-validation on quadratic weighted kappa over all tuning labels; the script prints
the cross-validated QWK of the rules alone, the dense model and the dense model with phrases,
and ships a judgement's model only if it beats the rules by at least SHIP_MARGIN (otherwise
that judgement keeps the rules' levels: identity weights, zero phrase weights). Needs numpy
and scipy.

    python3 models/data/scoring/fit_levels.py --ngrams TEXT
prints the n-grams of a phrase text, in the order the Rust side cuts them (its unit test).
"""
import csv
import json
import os
import sys

# one BLAS thread: on a shared machine a threaded L-BFGS step is 30 times slower, not faster
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, "../../../tests/data/labels")
TUNING_FILES = [
    "replies_dev_tune.jsonl",
    "replies_dev_tune2.jsonl",
    "replies_dev_tune3.jsonl",
    "replies_dev_tune4.jsonl",
]
DENSE_PENALTIES = [0.003, 0.01, 0.03, 0.1, 0.3]
PHRASE_PENALTIES = [0.003, 0.01, 0.03, 0.1]
NGRAM_LENGTHS = (2, 3)  # models/src/scoring/phrases.rs NGRAM_LENGTHS
MIN_REPLIES = 3
PRUNE_BELOW = 0.01
SHIP_MARGIN = 0.02
# The judgements whose fitted model may ship (when it clears SHIP_MARGIN with the overrides on).
SHIP_JUDGEMENTS = ("evasive", "vague")
# Replies whose rules' vague 2 stands (rubric: "pure acknowledgements and pure forwarding notes
# are vague 2", as is the anchoring deflection). The features file's reply_type is the scorer's,
# which for these types is the rules' own (the level model only moves substantive / partial /
# generic_policy).
VAGUE_2_TYPES = ("acknowledgement_only", "forwarded", "deflection")
# The lexicon's [levels] long_post_chars / long_post_figures / long_post_findings.
LONG_POST_CHARS, LONG_POST_FIGURES, LONG_POST_FINDINGS = 500, 2, 2
# models/src/scoring/model.rs CLEAR_ANSWER_CHARS
CLEAR_ANSWER_CHARS = 100
FOLDS, REPEATS, SEED = 5, 5, 7
NOT_FEATURES = ("id", "evasive_level", "vague_level", "reply_type", "fixed", "shows_evasion",
                "reply_phrases", "subject_phrases")


def ngrams(phrase_text):
    """The n-grams of a phrase text: for each character, those ending at it, shortest first."""
    out = []
    for run in phrase_text.split(" "):
        for end in range(1, len(run) + 1):
            for n in NGRAM_LENGTHS:
                if end >= n:
                    out.append(run[end - n:end])
    return out


def read_features(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = [c for c in rows[0] if c not in NOT_FEATURES]
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


def fit(x, y, penalties, start=None):
    """Cumulative logit: P(y >= k) = sigmoid(x.w - t_k); mean NLL + penalty/2 |w|^2 with one
    penalty per column (`penalties`), minimised by L-BFGS. Returns w, t1, t2."""
    n, d = x.shape
    xt = x.T.tocsr() if sparse.issparse(x) else x.T
    eps = 1e-12

    def objective(params):
        w, t1, gap = params[:d], params[d], np.exp(params[d + 1])
        s = x @ w
        p1, p2 = sigmoid(s - t1), sigmoid(s - t1 - gap)
        mid = np.maximum(p1 - p2, eps)
        nll = np.where(y == 0, -np.log(np.maximum(1 - p1, eps)),
                       np.where(y == 1, -np.log(mid), -np.log(np.maximum(p2, eps))))
        ga = np.where(y == 0, p1, np.where(y == 1, -p1 * (1 - p1) / mid, 0.0))
        gb = np.where(y == 1, p2 * (1 - p2) / mid, np.where(y == 2, -(1 - p2), 0.0))
        grad_s = (ga + gb) / n
        grad = np.concatenate([xt @ grad_s + penalties * w, [-grad_s.sum(), -gb.sum() / n * gap]])
        return nll.mean() + 0.5 * (penalties * w * w).sum(), grad

    params = np.zeros(d + 2) if start is None else start
    result = minimize(objective, params, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    p = result.x
    return p[:d], p[d], p[d] + np.exp(p[d + 1])


def predict(x, w, t1, t2):
    s = x @ w
    return np.where(s < t1, 0, np.where(s < t2, 1, 2))


class Data:
    """The tuning replies of one fit: dense features, phrase texts, the rules' levels."""

    def __init__(self, rows, names, labels):
        self.ids = [r["id"] for r in rows]
        self.names = names
        self.dense = np.array([[float(r[n]) for n in names] for r in rows])
        self.learned = np.array([r["fixed"] == "0" for r in rows])
        self.shows = np.array([r["shows_evasion"] == "1" for r in rows])
        self.vague_2_type = np.array([r["reply_type"] in VAGUE_2_TYPES for r in rows])
        # every distinct n-gram gets a number; a reply holds the numbers of its n-grams
        self.gram_names = {}
        number = lambda grams: np.array(sorted({self.gram_names.setdefault(g, len(self.gram_names)) for g in grams}), int)
        self.grams = [number(ngrams(r["reply_phrases"])) for r in rows]
        self.subject_grams = [number("s:" + g for g in ngrams(r["subject_phrases"])) for r in rows]
        col = names.index
        self.rules = {
            dim: (self.dense[:, col(f"rule_{dim}_1")] + self.dense[:, col(f"rule_{dim}_2")]).astype(int)
            for dim in ("evasive", "vague")
        }
        self.y = {dim: np.array([labels[i][k] for i in self.ids]) for k, dim in enumerate(("evasive", "vague"))}


def gram_numbers(data, i, subject):
    return np.concatenate([data.grams[i], data.subject_grams[i]]) if subject else data.grams[i]


def vocabulary(data, rows, subject):
    """The n-grams present in at least MIN_REPLIES of `rows`: the column of every n-gram
    number (-1: not in the vocabulary)."""
    counts = np.bincount(np.concatenate([gram_numbers(data, i, subject) for i in rows]),
                         minlength=len(data.gram_names))
    kept = counts >= MIN_REPLIES
    column = np.full(len(data.gram_names), -1)
    column[kept] = np.arange(kept.sum())
    return column


def design(data, vocab, rows, mu, sd, subject):
    """Standardised dense features beside binary phrase columns, for `rows`."""
    dense = (data.dense[rows] - mu) / sd
    if vocab is None:
        return dense
    cols = [vocab[gram_numbers(data, i, subject)] for i in rows]
    r = np.concatenate([np.full(len(c), k) for k, c in enumerate(cols)])
    c = np.concatenate(cols)
    keep = c >= 0
    width = int(vocab.max()) + 1
    phrases = sparse.csr_matrix((np.ones(keep.sum()), (r[keep], c[keep])), shape=(len(rows), width))
    return sparse.hstack([sparse.csr_matrix(dense), phrases]).tocsr()


def rubric_overrides(data, dim, rows, pred):
    """The model's levels with the rubric's hard cases put back (`model::RubricOverrides`):
    evasive: every rules' evasive 2 stays (acknowledgement only, deflection, unnamed forward, bare
    refusal, the general rule unapplied, as in the 杏坛中学 example); a reply of promises only
    (nothing found, no date or amount) and a long post answered in part by the rules are not
    lowered. vague: the rules' vague 2 of an acknowledgement, a forwarding note, a deflection or a
    reply of promises only stays; a reply that answers yes or no, gives a procedure or directions,
    or a date or an amount is never made vague 2, and when its content is shorter than
    CLEAR_ANSWER_CHARS keeps the rules' vague 0."""
    pred = pred.copy()
    rule = data.rules[dim][rows]
    x = lambda name: data.dense[rows, data.names.index(name)]
    promises_only = (x("promises") > 0) & (x("outcomes") == 0) & (x("dates_amounts") == 0)
    if dim == "evasive":
        long_post_in_part = ((rule == 1) & (x("post_chars") > np.log(1 + LONG_POST_CHARS))
                             & (x("dates_amounts") <= LONG_POST_FIGURES) & (x("outcomes") <= LONG_POST_FINDINGS))
        pred[promises_only] = np.maximum(pred[promises_only], rule[promises_only])
        pred[long_post_in_part] = np.maximum(pred[long_post_in_part], 1)
        pred[rule == 2] = 2
    else:
        pred[(rule == 2) & (data.vague_2_type[rows] | promises_only)] = 2
        answers = (x("answered_yes_no") > 0) | (x("procedures") > 0) | (x("dates_amounts") > 0)
        pred[(rule <= 1) & answers] = np.minimum(pred[(rule <= 1) & answers], 1)
        pred[(rule == 0) & answers & (x("content") < np.log(1 + CLEAR_ANSWER_CHARS))] = 0
    return pred


def fit_on(data, dim, train, dense_penalty, phrase_penalty, subject=False, keep_fixed=True):
    """Fits one judgement on the `train` rows; returns a function predicting rows."""
    if keep_fixed:
        train = train[data.learned[train]]
    mu, sd = data.dense[train].mean(0), data.dense[train].std(0) + 1e-9
    vocab = None
    if phrase_penalty is not None:
        vocab = vocabulary(data, train, subject)
    x = design(data, vocab, train, mu, sd, subject)
    penalties = np.full(x.shape[1], dense_penalty)
    penalties[len(data.names):] = phrase_penalty if phrase_penalty is not None else 0.0
    w, t1, t2 = fit(x, data.y[dim][train], penalties)

    def predict_rows(rows, evidence=True, overrides=True):
        pred = data.rules[dim][rows].copy()
        sel = data.learned[rows] if keep_fixed else np.ones(len(rows), bool)
        if sel.any():
            pred[sel] = predict(design(data, vocab, rows[sel], mu, sd, subject), w, t1, t2)
        if dim == "evasive" and evidence:
            pred[(pred == 2) & ~data.shows[rows] & data.learned[rows]] = 1
        return rubric_overrides(data, dim, rows, pred) if overrides else pred

    return predict_rows, (w, t1, t2, mu, sd, vocab)


def cross_validate(data, dim, dense_penalty, phrase_penalty, subject=False, keep_fixed=True, evidence=True,
                   overrides=True):
    """Mean QWK over REPEATS times FOLDS folds."""
    rng = np.random.default_rng(SEED)
    n = len(data.ids)
    scores = []
    for _ in range(REPEATS):
        order = rng.permutation(n)
        pred = np.zeros(n, int)
        for k in range(FOLDS):
            test = np.sort(order[k::FOLDS])
            train = np.setdiff1d(order, test)
            predict_rows, _ = fit_on(data, dim, train, dense_penalty, phrase_penalty, subject, keep_fixed)
            pred[test] = predict_rows(test, evidence, overrides)
        scores.append(qwk(data.y[dim], pred))
    return float(np.mean(scores))


def log(message):
    print(message, file=sys.stderr, flush=True)


def choose(data, dim):
    """Cross-validates the variants of one judgement; returns the report lines and the choice."""
    rules = qwk(data.y[dim], data.rules[dim])
    by_dense = {p: cross_validate(data, dim, p, None) for p in DENSE_PENALTIES}
    dense_best = max(by_dense, key=by_dense.get)
    log(f"{dim}: rules {rules:.3f}; dense {by_dense}")
    by_phrase = {p: cross_validate(data, dim, dense_best, p) for p in PHRASE_PENALTIES}
    phrase_best = max(by_phrase, key=by_phrase.get)
    log(f"{dim}: dense+phrases {by_phrase}")
    best = by_phrase[phrase_best]
    checks = {
        "without the rubric's overrides": cross_validate(data, dim, dense_best, phrase_best, overrides=False),
        "with the post's subject n-grams": cross_validate(data, dim, dense_best, phrase_best, subject=True),
        "fitted on bare formulas and off-topic replies too": cross_validate(
            data, dim, dense_best, phrase_best, keep_fixed=False),
    }
    if dim == "evasive":
        checks["without the evidence rule for evasive 2"] = cross_validate(
            data, dim, dense_best, phrase_best, evidence=False)
    log(f"{dim}: checks {checks}")
    ship = best >= rules + SHIP_MARGIN and dim in SHIP_JUDGEMENTS
    lines = [
        f"# {dim}: cross-validated QWK ({REPEATS}x{FOLDS}-fold, {len(data.ids)} tuning labels): rules alone "
        f"{rules:.3f}; dense model {by_dense[dense_best]:.3f} (penalty {dense_best}); dense + phrases "
        f"{best:.3f} (phrase penalty {phrase_best}; by penalty: "
        + ", ".join(f"{p}: {q:.3f}" for p, q in by_phrase.items()) + ")",
        f"#   variants at those penalties: " + "; ".join(f"{k} {q:.3f}" for k, q in checks.items()),
        f"#   shipped: {'dense + phrases' if ship else 'the rules (' + ('held back, see SHIP_JUDGEMENTS' if best >= rules + SHIP_MARGIN else 'the model does not beat them by ' + str(SHIP_MARGIN)) + ')'}",
    ]
    return lines, ship, dense_best, phrase_best


def main():
    if sys.argv[1:2] == ["--ngrams"]:
        print(" ".join(ngrams(sys.argv[2])))
        return
    rows, names = read_features(sys.argv[1])
    labels = read_labels()
    rows = [r for r in rows if r["id"] in labels]
    data = Data(rows, names, labels)
    everything = np.arange(len(data.ids))
    header, levels, phrase_weights = [], ["version = 2", ""], {}
    for dim in ("evasive", "vague"):
        lines, ship, dense_penalty, phrase_penalty = choose(data, dim)
        header += lines
        levels += [f"[{dim}]"]
        if not ship:
            levels += ["thresholds = [0.5, 1.5]", "", f"[{dim}.weights]", f"rule_{dim}_1 = 1.0", f"rule_{dim}_2 = 1.0", ""]
            continue
        predict_rows, (w, t1, t2, mu, sd, vocab) = fit_on(data, dim, everything, dense_penalty, phrase_penalty)
        d = len(names)
        raw_w = w[:d] / sd
        shift = float((w[:d] * mu / sd).sum())
        names_of = {j: g for g, j in data.gram_names.items()}
        inverse = [names_of[j] for j in np.flatnonzero(vocab >= 0)]
        for g, wg in zip(inverse, w[d:]):
            phrase_weights.setdefault(g, {})[dim] = float(wg)
        header.append(f"#   in-sample QWK {qwk(data.y[dim], predict_rows(everything)):.3f}")
        levels += [f"thresholds = [{t1 + shift:.6f}, {t2 + shift:.6f}]", "", f"[{dim}.weights]"]
        levels += [f"{n} = {wi:.6f}" for n, wi in zip(names, raw_w) if abs(wi) > 1e-6]
        levels.append("")
    kept = sorted(
        (g for g, ws in phrase_weights.items() if max(abs(v) for v in ws.values()) >= PRUNE_BELOW),
        key=lambda g: -max(abs(v) for v in phrase_weights[g].values()),
    )
    fitted_on = ", ".join(TUNING_FILES)
    with open(os.path.join(HERE, "levels.toml"), "w", encoding="utf-8") as f:
        f.write(
            "# Level model of the reply scorer: weights of a cumulative-link (ordinal logistic) model per\n"
            "# judgement over the features of models/src/scoring/model.rs (FEATURES), plus the summed weights\n"
            "# of the reply's phrases (phrases.tsv, fitted with it).\n"
            "# score = sum of weight * feature + phrases; level 0 below thresholds[0], 1 below thresholds[1],\n"
            "# else 2. Written by models/data/scoring/fit_levels.py on the tuning labels; do not edit by hand.\n"
            f"# Fitted on {fitted_on}.\n" + "\n".join(header) + "\n\n" + "\n".join(levels)
        )
    with open(os.path.join(HERE, "phrases.tsv"), "w", encoding="utf-8") as f:
        f.write(
            "# Phrase weights of the reply scorer's level model: ngram<TAB>evasive_weight<TAB>vague_weight.\n"
            f"# Character n-grams ({min(NGRAM_LENGTHS)}-{max(NGRAM_LENGTHS)}) of the reply's content (digits as 0, ASCII letters as A),\n"
            f"# binary presence, in at least {MIN_REPLIES} tuning replies; L2-penalised cumulative logit fitted with\n"
            f"# levels.toml by models/data/scoring/fit_levels.py on {fitted_on};\n"
            f"# weights below {PRUNE_BELOW} in both judgements pruned. Do not edit by hand.\n"
        )
        for g in kept:
            ws = phrase_weights[g]
            f.write(f"{g}\t{ws.get('evasive', 0.0):.4f}\t{ws.get('vague', 0.0):.4f}\n")
    log(f"wrote levels.toml and phrases.tsv ({len(kept)} phrases of {len(phrase_weights)})")
    print("\n".join(header))


if __name__ == "__main__":
    main()
