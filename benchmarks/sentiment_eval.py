"""Sentiment lexicons and grammar rules, checked against the stance labels of the seeds.

There is no sentiment gold standard for this debate, so this measures a proxy: on the
seed paragraphs hand-labelled ``support`` or ``critical`` (corpus/stance_labels.csv), how
often the sentiment score's sign agrees (support -> score > 0, critical -> score < 0),
for the bundled lexicons with and without cadrecast's negation / degree / contrast rules.
It also times the scorer against plain lexicon counting measured in the same run.
Run: ``.venv/bin/python benchmarks/sentiment_eval.py``.
"""

from __future__ import annotations

import time

import cadrecast as cc
from cadrecast.sentiment_analysis import load_lexicon
from cadrecast.stance_detection import SIDES, load_stance_labels


def agreement(table, labels) -> tuple[float, float, int]:
    m = labels[labels["stance"].isin(SIDES)].merge(table, on=["doc_id", "para_id"])
    sign = m["score"].gt(0).map({True: "support", False: "critical"}).where(m["score"] != 0)
    decided = sign.notna()
    return ((sign == m["stance"]).mean(), (sign[decided] == m["stance"][decided]).mean(),
            len(m))


def main() -> None:
    corpus = cc.load_corpus()
    labels = load_stance_labels()
    rules = {"grammar rules": {}, "no rules (plain counting)":
             {"negation_scope": 0, "degree_window": 0, "contrast_before": 1.0,
              "contrast_after": 1.0}}
    timings = {}
    for lex_name in ("jionlp", "default"):
        lex = load_lexicon(lex_name)
        for rule_name, kw in rules.items():
            t0 = time.perf_counter()
            table = cc.sentiment(corpus, lexicon=lex, **kw)
            timings[(lex_name, rule_name)] = time.perf_counter() - t0
            all_acc, decided_acc, n = agreement(table, labels)
            print(f"{lex.name:<52} {rule_name:<26} sign agrees with stance: "
                  f"{all_acc:.3f} of {n} (zero counts wrong), {decided_acc:.3f} of non-zero")
    base = timings[("default", "no rules (plain counting)")]
    print(f"time, default lexicon with rules: {timings[('default', 'grammar rules')]:.2f} s "
          f"= {timings[('default', 'grammar rules')] / base:.2f}x plain counting ({base:.2f} s)")


if __name__ == "__main__":
    main()
