"""Precision and recall of cadrecast's entities against the hand-made gold file.

The gold file ``tests/gold/entities_gold.csv`` was made by reading the bundled articles
(every official, person who is not an official, place, and sales / orders / viewers /
followers / likes / users figure). Matching:

- ``official``: the official's name (Simplified), or jurisdiction + title when unnamed, per
  paragraph (a person predicted as an official who is not one is a false positive);
- ``person``: people who are not officials, by name, per paragraph;
- ``place``: canonical division name, per paragraph;
- ``figure``: metric and value (relative tolerance 1e-6) per paragraph, counting repeats;
  only predicted figures whose metric is one the gold covers are scored.

Run: ``.venv/bin/python benchmarks/eval_entities.py`` (prints a table; ``--errors`` lists
the misses and false positives).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "entities_gold.csv"
FIGURE_METRICS = {"sales", "orders", "viewers", "followers", "likes", "users"}


def load_gold(path: Path = GOLD) -> pd.DataFrame:
    import io

    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return pd.read_csv(io.StringIO("\n".join(lines)), dtype={"doc_id": str, "key": str, "metric": str},
                       keep_default_na=False)


def predicted(corpus=None) -> dict[str, Counter]:
    """Predicted items per label, as counters of hashable keys."""
    import cadrecast as cc

    corpus = corpus if corpus is not None else cc.load_corpus()
    off = cc.officials(corpus)
    ents = cc.extract_entities(corpus)
    pl = cc.places(corpus)
    fig = cc.figures(corpus)
    keys = [n if n else f"{j}{t}" for n, j, t in
            zip(off["name_hans"], off["jurisdiction"], off["title_hans"], strict=True)]
    out = {
        "official": Counter(set(zip(off["doc_id"], off["para_id"], keys, strict=True))),
        "person": Counter(set(zip(*(ents.loc[ents["label"] == "person", c]
                                    for c in ("doc_id", "para_id", "normalized")), strict=True))),
        "place": Counter(set(zip(pl["doc_id"], pl["para_id"], pl["name_hans"], strict=True))),
    }
    f = fig[fig["metric"].isin(FIGURE_METRICS)]
    out["figure"] = Counter(zip(f["doc_id"], f["para_id"], f["metric"],
                                (round(v, 6) for v in f["value"].astype(float)), strict=True))
    return out


def gold_items(gold: pd.DataFrame) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for label in ("official", "person", "place"):
        g = gold[gold["label"] == label]
        out[label] = Counter(set(zip(g["doc_id"], g["para_id"].astype(int), g["key"], strict=True)))
    g = gold[gold["label"] == "figure"]
    out["figure"] = Counter(zip(g["doc_id"], g["para_id"].astype(int), g["metric"],
                                (round(float(v), 6) for v in g["value"]), strict=True))
    return out


def score(corpus=None, gold_path: Path = GOLD) -> tuple[pd.DataFrame, dict[str, dict[str, Counter]]]:
    """Per-label precision, recall, F1, and the errors (``missed``, ``spurious``)."""
    gold = gold_items(load_gold(gold_path))
    pred = predicted(corpus)
    rows, errors = [], {}
    for label in ("official", "place", "figure", "person"):
        g, p = gold[label], pred[label]
        tp = sum((g & p).values())
        n_p, n_g = sum(p.values()), sum(g.values())
        prec = tp / n_p if n_p else 0.0
        rec = tp / n_g if n_g else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows.append({"label": label, "gold": n_g, "predicted": n_p, "correct": tp,
                     "precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3)})
        errors[label] = {"missed": g - p, "spurious": p - g}
    # a non-official predicted as an official is also scored above; report them separately
    return pd.DataFrame(rows), errors


def main(argv: list[str]) -> None:
    table, errors = score()
    print(table.to_string(index=False))
    if "--errors" in argv:
        for label, errs in errors.items():
            for kind, items in errs.items():
                for item in sorted(items.elements(), key=str):
                    print(f"{label:9} {kind:9} {item}")


if __name__ == "__main__":
    main(sys.argv[1:])
