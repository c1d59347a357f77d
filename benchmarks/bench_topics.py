"""Benchmark: TopicModel.fit against gensim's plain LdaModel on the same bag-of-words.

Builds about 20,000 paragraph-documents by repeating the bundled corpus's Chinese
paragraphs (each copy gets its own doc_id), then times, in the same run:

* ``TopicModel(...).fit(tokens)``: from the token table (stop words, filters,
  dictionary, bag-of-words) to the trained model;
* ``gensim.models.LdaModel(bow, ...)``: training only, on the bag-of-words and the
  dictionary the wrapper built, with the same parameters and seed.

It prints both times and the wrapper's overhead (target: under 10 %), and checks that the
two models are identical (same topic-word matrix, byte for byte).

Usage::

    .venv/bin/python benchmarks/bench_topics.py [--docs 20000] [--topics 10] [--passes 5]
                                                [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd


def build_tokens(n_docs: int) -> pd.DataFrame:
    import cadrecast as cc
    from cadrecast.segment import tokenize

    corpus = cc.load_corpus()
    tokens = tokenize(corpus)
    zh = corpus.paragraphs.loc[corpus.paragraphs["language"] == "zh", ["doc_id", "para_id"]]
    tokens = tokens.merge(zh, on=["doc_id", "para_id"], how="inner")
    n_para = tokens[["doc_id", "para_id"]].drop_duplicates().shape[0]
    copies = max(1, -(-n_docs // n_para))
    parts = [tokens.assign(doc_id=tokens["doc_id"] + f"~{i:03d}") for i in range(copies)]
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--topics", type=int, default=10)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3,
                        help="time each side this many times and keep the fastest")
    args = parser.parse_args()

    from gensim.models import LdaModel

    from cadrecast.topics import TopicModel

    tokens = build_tokens(args.docs)
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, "
          f"python {platform.python_version()}")
    params = {"n_topics": args.topics, "passes": args.passes, "iterations": args.iterations,
              "random_state": 0}
    # warm up imports and caches outside the timings
    TopicModel(**{**params, "passes": 1}).fit(tokens.head(5000))

    def fit_wrapper() -> TopicModel:
        return TopicModel(**params).fit(tokens)

    def fit_plain(model: TopicModel) -> LdaModel:
        lda_params = model._lda_params()
        return LdaModel(
            corpus=model.corpus_, id2word=model.dictionary_, num_topics=args.topics,
            alpha=lda_params["alpha"], eta=lda_params["eta"], passes=args.passes,
            iterations=args.iterations, chunksize=lda_params["chunksize"], update_every=1,
            eval_every=None, minimum_probability=0.0, random_state=0,
        )

    # the machine may be shared: alternate which side runs first, keep each side's fastest
    model = fit_wrapper()
    wrapper_times, plain_times = [], []
    for i in range(args.repeat):
        for side in (("plain", "wrapper") if i % 2 == 0 else ("wrapper", "plain")):
            t0 = time.perf_counter()
            if side == "wrapper":
                model = fit_wrapper()
                wrapper_times.append(time.perf_counter() - t0)
            else:
                plain = fit_plain(model)
                plain_times.append(time.perf_counter() - t0)
    lda_params = model._lda_params()
    wrapper, baseline = min(wrapper_times), min(plain_times)
    same = np.array_equal(plain.get_topics(), model.gensim_model_.get_topics())
    print(f"documents: {len(model.corpus_):,} paragraphs, {len(tokens):,} token rows, "
          f"{len(model.dictionary_):,} terms (min_df={model.min_df_}, "
          f"max_df={model.max_df_}), chunksize {lda_params['chunksize']}")
    print(f"k={args.topics}, passes={args.passes}, iterations={args.iterations}")
    print(f"fastest of {args.repeat} runs each, order alternated")
    print(f"gensim LdaModel (bag-of-words given): {baseline:8.2f} s  "
          f"(all: {', '.join(f'{t:.1f}' for t in plain_times)})")
    print(f"cadrecast TopicModel.fit (tokens):    {wrapper:8.2f} s  "
          f"(all: {', '.join(f'{t:.1f}' for t in wrapper_times)})")
    overhead = wrapper / baseline - 1
    print(f"ratio {wrapper / baseline:.3f}  -> overhead {overhead:+.1%} "
          f"({'within' if overhead < 0.10 else 'OVER'} the 10 % budget)")
    print(f"identical topic-word matrices: {same}")


if __name__ == "__main__":
    main()
