"""Benchmark: peak memory of TopicModel.fit from the whole token table vs streamed parts.

Writes a synthetic corpus (:func:`cadrecast.synthetic.write_synthetic`), tokenizes it
with ``cadrecast run --engine local`` into a folder of Parquet parts (``tokens/``, one
per batch), then fits the same topic model twice, each in a fresh process:

* ``in-memory``: the token table read whole (``PartitionedTable.read()``, what a
  corpus-wide stage got before) and ``TopicModel.fit(DataFrame)``;
* ``streamed``: ``TopicModel.fit(PartitionedTable)``, reading one part at a time and
  streaming the bag-of-words from files.

Each child reports its peak memory, both as the kernel's peak resident set
(``ru_maxrss``) and as the peak of anonymous memory sampled every 5 ms
(``RssAnon``: leaves out the interpreter's code and cached files), and the part of each
above what the child held after its imports. The ratios streamed / in-memory are printed
in one run, with a check that both models are the same bit for bit (topic-word matrix
and document-topic proportions). The machine may be shared: memory is not affected
much, times are.

Usage::

    .venv/bin/python benchmarks/bench_topics_stream.py            # ~1 minute
    .venv/bin/python benchmarks/bench_topics_stream.py --large    # 30,000 articles
    .venv/bin/python benchmarks/bench_topics_stream.py --articles 5000 --batch-size 250
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

LARGE = 30_000


def _rss_anon_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:  # not Linux: the sampled figure is not available
        pass
    return 0


class _Sampler(threading.Thread):
    """Peak of RssAnon, sampled every 5 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_anon_kb()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.005):
            self.peak = max(self.peak, _rss_anon_kb())

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return max(self.peak, _rss_anon_kb())


def child(mode: str, folder: str, params: dict) -> None:
    """Fit in this (fresh) process and print one JSON line of measurements."""
    import hashlib

    import gensim.models  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import cadrecast.topics  # noqa: F401 - imports count in the baseline
    from cadrecast.engine import PartitionedTable
    from cadrecast.topics import TopicModel

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base_anon = _rss_anon_kb()
    sampler = _Sampler()
    sampler.start()
    t0 = time.perf_counter()
    table = PartitionedTable(folder)
    tokens = table.read() if mode == "in-memory" else table
    model = TopicModel(**params).fit(tokens, work_dir=str(Path(folder).parent))
    theta = model.theta_
    seconds = time.perf_counter() - t0
    peak_anon = sampler.stop()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "mode": mode, "seconds": seconds,
        "base_rss": base_rss, "peak_rss": peak_rss,
        "base_anon": base_anon, "peak_anon": peak_anon,
        "documents": len(model.corpus_), "terms": len(model.dictionary_),
        "phi": hashlib.sha256(model.topic_term_.tobytes()).hexdigest(),
        "theta": hashlib.sha256(theta.tobytes()).hexdigest(),
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000,
                        help="synthetic articles (default 3000, about 20,000 paragraphs)")
    parser.add_argument("--large", action="store_true",
                        help=f"{LARGE:,} articles (several minutes)")
    parser.add_argument("--batch-size", type=int, default=250,
                        help="articles per batch, i.e. per Parquet part")
    parser.add_argument("--topics", type=int, default=8)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "FOLDER", "PARAMS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, folder, params = args.child
        child(mode, folder, json.loads(params))
        return

    import pandas as pd

    import cadrecast as cc
    from cadrecast.synthetic import write_synthetic

    n = LARGE if args.large else args.articles
    params = {"n_topics": args.topics, "passes": args.passes, "iterations": args.iterations,
              "random_state": 0}
    print(f"machine: {platform.machine()}, python {platform.python_version()}; "
          "the machine may be shared: times vary, memory much less")
    with tempfile.TemporaryDirectory(prefix="bench-topics-") as tmp:
        tmp_path = Path(tmp)
        t0 = time.perf_counter()
        source = write_synthetic(tmp_path / "corpus.parquet", n, seed=0)
        cc.run(source, tmp_path / "run", engine="local", batch_size=args.batch_size,
               stages=["corpus", "tokens"], progress=False, format="parquet")
        folder = tmp_path / "run" / "tokens"
        parts = sorted(folder.glob("part-*.parquet"))
        rows = sum(len(pd.read_parquet(p, columns=["doc_id"])) for p in parts)
        size = sum(p.stat().st_size for p in parts)
        print(f"corpus: {n:,} synthetic articles -> {rows:,} token rows in {len(parts)} "
              f"Parquet parts ({size / 2**20:.1f} MiB), prepared in "
              f"{time.perf_counter() - t0:.0f} s")
        print(f"model: k={args.topics}, passes={args.passes}, iterations={args.iterations}")
        results = {}
        for mode in ("in-memory", "streamed"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, str(folder), json.dumps(params)],
                check=True, capture_output=True, text=True)
            results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    mem, st = results["in-memory"], results["streamed"]
    print(f"documents: {mem['documents']:,} paragraphs, {mem['terms']:,} terms")
    print(f"{'':22s}{'in-memory':>12s}{'streamed':>12s}{'ratio':>8s}")

    def line(label: str, a: float, b: float, unit: str = "MiB") -> None:
        ratio = f"{b / a:8.2f}" if a > 0 else "       -"
        print(f"{label:22s}{a:10.1f} {unit[:1]}{b:10.1f} {unit[:1]}{ratio}")

    mib = 1 / 1024
    line("peak RSS", mem["peak_rss"] * mib, st["peak_rss"] * mib)
    line("  above import peak", (mem["peak_rss"] - mem["base_rss"]) * mib,
         (st["peak_rss"] - st["base_rss"]) * mib)
    if mem["peak_anon"]:
        line("peak RssAnon", mem["peak_anon"] * mib, st["peak_anon"] * mib)
        line("  above imports", (mem["peak_anon"] - mem["base_anon"]) * mib,
             (st["peak_anon"] - st["base_anon"]) * mib)
    line("time (read + fit)", mem["seconds"], st["seconds"], unit="s")
    print("(peak RSS counts the imports' own peak; 0 above it means the fit stayed below "
          "it. RssAnon leaves out code and cached files: the fit's working memory.)")
    same = mem["phi"] == st["phi"] and mem["theta"] == st["theta"]
    print(f"identical models (topic-word matrix and proportions, bit for bit): {same}")


if __name__ == "__main__":
    main()
