"""Throughput of cadrecast.tokenize against plain jieba.lcut, from one run.

Builds a corpus of about ``--mb`` MB (UTF-8 of the Simplified text) by repeating the
Chinese paragraphs of the bundled articles (each copy under a new doc_id), then times:

1. plain ``jieba.lcut`` (the global tokenizer, HMM on) over the Simplified paragraphs;
2. ``cadrecast.tokenize`` with the jieba backend on one core, from the *original* text
   (Traditional -> Simplified conversion, span mapping, stop words, table included);
3. the same with ``workers=2`` (worker processes);
4. ``cadrecast.tokenize`` with the rjieba backend on one core (and ``workers=2``);

and prints MB/s and the ratios the segmentation issue asks for (targets: jieba backend
>= 0.7 x plain jieba; 2 workers >= 1.7 x one core; rjieba backend >= 5 x plain jieba).
Dictionary loading is done before timing (it is reported separately). It also prints the
token-level agreement of the rjieba backend with the jieba backend on the bundled corpus.

Run::

    .venv/bin/python benchmarks/bench_tokenize.py [--mb 10] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import pandas as pd


def build(mb: float) -> tuple[pd.DataFrame, list[str], float]:
    import cadrecast as cc

    paras = cc.load_corpus().paragraphs
    zh = paras[paras["language"] == "zh"]
    unit_bytes = sum(len(t.encode("utf-8")) for t in zh["text_hans"])
    copies = max(1, round(mb * 1e6 / unit_bytes))
    frames = []
    for k in range(copies):
        frames.append(zh[["doc_id", "para_id", "text"]].assign(
            doc_id=zh["doc_id"] + f"~{k}"))
    df = pd.concat(frames, ignore_index=True)
    hans = zh["text_hans"].tolist() * copies
    return df, hans, unit_bytes * copies / 1e6


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def agreement() -> tuple[int, int, int, int]:
    """Token spans of the jieba backend that the rjieba backend reproduces exactly."""
    import cadrecast as cc

    corpus = cc.load_corpus()
    a = cc.tokenize(corpus, tokenizer=cc.Tokenizer("jieba"))
    b = cc.tokenize(corpus, tokenizer=cc.Tokenizer("rjieba"))
    key = ["doc_id", "para_id", "start", "end"]
    same = len(a[key].merge(b[key], on=key))
    pa = a.groupby(["doc_id", "para_id"])["token"].apply(tuple)
    pb = b.groupby(["doc_id", "para_id"])["token"].apply(tuple)
    both = pa.index.intersection(pb.index)
    differ = int((pa[both] != pb[both]).sum())
    return len(a), same, differ, len(both)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N timings (default 1)")
    ap.add_argument("--skip-parallel", action="store_true")
    args = ap.parse_args()

    import jieba

    import cadrecast as cc

    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print(f"load average at start: {load[0]:.2f} (parallel ratios are only meaningful "
              f"when this is well below {os.cpu_count()})")
    df, hans, mb = build(args.mb)
    print(f"corpus: {len(df)} paragraphs, {mb:.2f} MB (UTF-8, Simplified)")

    t0 = time.perf_counter()
    jieba.setLogLevel(30)
    jieba.initialize()
    t_init_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    tk_j = cc.Tokenizer("jieba")
    tk_j.engine  # noqa: B018
    t_init_j = time.perf_counter() - t0
    t0 = time.perf_counter()
    tk_r = cc.Tokenizer("rjieba")
    tk_r.engine  # noqa: B018
    t_init_r = time.perf_counter() - t0
    print(f"start-up: jieba.initialize {t_init_plain:.2f} s; Tokenizer('jieba') "
          f"{t_init_j:.2f} s; Tokenizer('rjieba') {t_init_r:.2f} s (domain dictionary incl.)")

    def plain() -> None:
        lcut = jieba.lcut
        for t in hans:
            lcut(t)

    results = {}
    results["plain jieba.lcut"] = timed(plain, args.repeat)
    results["tokenize jieba 1 core"] = timed(
        lambda: cc.tokenize(df, tokenizer=tk_j), args.repeat)
    if not args.skip_parallel:
        results["tokenize jieba 2 workers"] = timed(
            lambda: cc.tokenize(df, tokenizer=tk_j, workers=2), args.repeat)
    results["tokenize rjieba 1 core"] = timed(
        lambda: cc.tokenize(df, tokenizer=tk_r), args.repeat)
    if not args.skip_parallel:
        results["tokenize rjieba 2 workers"] = timed(
            lambda: cc.tokenize(df, tokenizer=tk_r, workers=2), args.repeat)

    ref = None
    if not args.skip_parallel:
        # the machine's own reference: jieba's enable_parallel(2) on the same text
        text = "\n".join(hans)
        one = timed(lambda: jieba.lcut(text), 1)
        jieba.enable_parallel(2)
        two = timed(lambda: list(jieba.cut(text)), 1)
        jieba.disable_parallel()
        ref = one / two

    base = results["plain jieba.lcut"]
    print(f"\n{'run':<28}{'seconds':>9}{'MB/s':>8}{'x plain':>9}")
    for name, sec in results.items():
        print(f"{name:<28}{sec:>9.2f}{mb / sec:>8.3f}{base / sec:>9.2f}")
    j1 = results["tokenize jieba 1 core"]
    r1 = results["tokenize rjieba 1 core"]
    print("\nratios (target):")
    print(f"  jieba backend, 1 core / plain jieba   = {base / j1:.2f}  (>= 0.7)")
    if not args.skip_parallel:
        j2 = results["tokenize jieba 2 workers"]
        r2 = results["tokenize rjieba 2 workers"]
        print(f"  jieba backend, 2 workers / 1 core     = {j1 / j2:.2f}  (>= 1.7; jieba's own "
              f"enable_parallel(2) on this machine, same run: {ref:.2f})")
        print(f"  rjieba backend, 2 workers / 1 core    = {r1 / r2:.2f}")
    print(f"  rjieba backend, 1 core / plain jieba  = {base / r1:.2f}  (>= 5)")

    if load:
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
    n, same, differ, paras = agreement()
    print(f"\nagreement on the bundled corpus (domain dictionary loaded): {same}/{n} jieba "
          f"tokens reproduced by rjieba = {100 * same / n:.2f} %; {differ} of {paras} "
          "paragraphs segmented differently")


if __name__ == "__main__":
    main()
