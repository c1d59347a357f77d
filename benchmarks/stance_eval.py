"""Evaluate stance classification on the hand-labelled seed paragraphs.

Protocol (fixed split): corpus/stance_labels.csv assigns every labelled paragraph to
``dev`` or ``test`` by a hash of ``doc_id:para_id``; the related-article teasers (other
articles) are a third split, ``external``, labelled after the frame lexicon was written.
The frame lexicon and the on-target check were tuned by reading errors on ``dev``
only; the supervised model's settings are chosen by 5-fold cross-validation on ``dev``,
it is trained on ``dev``, and both are scored on ``test`` and ``external``.
Run: ``.venv/bin/python benchmarks/stance_eval.py``.
"""

from __future__ import annotations

import itertools
import time

import cadrecast as cc
from cadrecast.stance_detection import SIDES, StanceModel, evaluate_stance, load_stance_labels


def main() -> None:
    t0 = time.perf_counter()
    corpus = cc.load_corpus()
    labels = load_stance_labels()
    lexicon = cc.stance(corpus)
    print(f"labelled paragraphs: {len(labels)} "
          f"({labels['stance'].value_counts().to_dict()}); split sizes "
          f"{labels.groupby(['split', 'stance']).size().to_dict()}")
    for split in ("dev", "test", "external"):
        print(f"lexicon  {split:>8}: {evaluate_stance(lexicon, labels, split=split)}")
    ungated = cc.stance(corpus, target_context=None)
    for split in ("dev", "test", "external"):
        print(f"lexicon without on-target check {split:>8}: "
              f"{evaluate_stance(ungated, labels, split=split)}")

    # model selection by 5-fold cross-validation on dev (side accuracy)
    dev = labels[(labels["split"] == "dev") & labels["stance"].isin(SIDES)].reset_index(drop=True)
    folds = [dev.index[i::5] for i in range(5)]
    best = None
    for c, ngr in itertools.product((1.0, 10.0, 100.0), ((1, 2), (1, 3))):
        right = 0
        for k in range(5):
            train = dev.drop(folds[k])
            held = dev.loc[folds[k]].assign(split="test")
            model = StanceModel(C=c, ngram_range=ngr).fit(corpus, train, split=None)
            right += evaluate_stance(model.predict(corpus), held)["side_accuracy"] * len(held)
        acc = right / len(dev)
        print(f"cv dev   C={c:<5} ngrams={ngr}: side accuracy {acc:.3f}")
        if best is None or acc > best[0]:
            best = (acc, c, ngr)
    _, c, ngr = best
    model = StanceModel(C=c, ngram_range=ngr).fit(corpus, labels, split="dev")
    pred = model.predict(corpus)
    for split in ("test", "external"):
        print(f"model (C={c}, ngrams={ngr}, trained on {model.n_train_} dev paragraphs) "
              f"{split}: {evaluate_stance(pred, labels, split=split)}")
    print(f"elapsed {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
