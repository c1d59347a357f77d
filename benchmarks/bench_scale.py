"""Throughput and peak memory of the engines on a generated corpus, from one run.

Generates ``--n`` synthetic articles (:func:`cadrecast.synthetic.write_synthetic`: real
paragraphs of the bundled articles recombined, Simplified and Traditional, 5% English)
as one JSON Lines file, then runs the per-document stages of ``cadrecast run`` over it
with each engine — ``local``, ``processes`` (``--workers`` processes) and ``dask`` (a
``LocalCluster`` of ``--workers`` processes) — each in a fresh Python process, writing
streamed Parquet output. For each engine it prints documents per second (wall time of
the whole run, start-up included), the peak memory of the run's whole process tree
(driver and workers, sampled every 0.2 s) and the ratio to the local engine; then the
cost of the dask engine on the bundled corpus (where it hands over to the local engine)
and of a forced 2-worker cluster there.

A shared virtual machine's cores drift in speed, and two vCPUs do not always give twice the
work of one. So the local engine runs first *and* last (the baseline is the mean of the two
runs, both printed), and the machine's own ceiling is printed at the start and the end: the
speed-up of a plain Python loop run in 2 processes at once over 1 process (``--workers``
processes; 2.0 x is perfect). An engine's ratio can only be read against that ceiling.

Targets (issue 8): the 2-worker engines >= 1.7 x the local engine's documents/s; peak
memory of the 100,000-article run < 2 GB; on the bundled corpus the dask engine costs no
more than its cluster start-up.

Run::

    .venv/bin/python benchmarks/bench_scale.py [--n 100000] [--workers 2]
        [--batch-size 500] [--stages corpus,tokens,entities,sentiment] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class PeakMemory:
    """Peak summed RSS of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.proc))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss(self.proc))


def child(args: argparse.Namespace) -> None:
    """One engine's run, in its own process; prints one JSON line."""
    from cadrecast.engine import run_engine

    stages = args.stages.split(",") if args.stages else None
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        tables = run_engine(args.corpus or None, args.out, engine=args.engine,
                            workers=args.workers, batch_size=args.batch_size, stages=stages,
                            progress=False, local_below=args.local_below)
        seconds = time.perf_counter() - t0
    docs = tables.n_rows("documents") if tables.is_streamed("documents") else int(
        (tables["documents"]["kind"] == "article").sum())
    print(json.dumps({"engine": args.engine, "seconds": seconds, "documents": docs,
                      "rejected": len(tables["rejected"]), "peak_bytes": mem.peak}))


def run_child(engine: str, corpus: str, out: Path, opts: argparse.Namespace,
              local_below: int = 0, batch_size: int | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", "--engine", engine, "--corpus", corpus,
           "--out", str(out), "--workers", str(opts.workers), "--batch-size",
           str(batch_size or opts.batch_size), "--stages", opts.stages,
           "--local-below", str(local_below)]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if res.returncode:
        sys.stderr.write(res.stderr[-4000:])
        raise SystemExit(f"{engine} run failed")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _spin(n: int) -> float:
    t0 = time.perf_counter()
    s = 0
    for i in range(n):
        s += i * i % 7
    return time.perf_counter() - t0


def machine_ceiling(workers: int, n: int = 20_000_000, repeats: int = 3) -> float:
    """Median speed-up of ``workers`` processes over one on a plain CPU-bound loop."""
    import statistics
    from concurrent.futures import ProcessPoolExecutor

    ratios = []
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_spin, [1000] * workers))  # the processes are up
        for _ in range(repeats):
            one = _spin(n)
            t0 = time.perf_counter()
            list(pool.map(_spin, [n] * workers))
            ratios.append(workers * one / (time.perf_counter() - t0))
    return statistics.median(ratios)


def default_stages() -> str:
    from cadrecast.pipeline import STAGES

    return ",".join(s.name for s in STAGES if s.per_document)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="articles to generate")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--stages", default=None,
                    help="stages to run (default: every per-document stage)")
    ap.add_argument("--engines", default="local,processes,dask")
    ap.add_argument("--keep", default=None, help="folder for the corpus and outputs (kept)")
    ap.add_argument("--seed", type=int, default=0)
    # child mode
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", default="", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--local-below", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    args.stages = args.stages or default_stages()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)

    import psutil

    from cadrecast.synthetic import write_synthetic

    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, "
          f"Python {platform.python_version()}")
    print(f"stages: {args.stages}; batch size {args.batch_size}; workers {args.workers}")
    corpus = work / f"synthetic_{args.n}.jsonl"
    t0 = time.perf_counter()
    if not corpus.is_file():
        write_synthetic(corpus, args.n, seed=args.seed)
    print(f"generated {args.n:,} articles ({corpus.stat().st_size / 1e6:.0f} MB JSON Lines) "
          f"in {time.perf_counter() - t0:.1f} s")

    ceiling = [machine_ceiling(args.workers)]
    print(f"machine ceiling at the start: {args.workers} processes do {ceiling[0]:.2f} x the "
          "work of one on a plain Python loop", flush=True)
    engines = args.engines.split(",")
    if "local" in engines and len(engines) > 1:  # the baseline before and after the others
        engines = ["local", *[e for e in engines if e != "local"], "local (again)"]
    results: dict[str, dict] = {}
    for engine in engines:
        r = run_child(engine.split()[0], str(corpus), work / f"out_{engine.split()[0]}", args)
        results[engine] = r
        print(f"{engine:>13}: {r['documents']:>7,} docs in {r['seconds']:7.1f} s = "
              f"{r['documents'] / r['seconds']:7.1f} docs/s; peak memory "
              f"{r['peak_bytes'] / 2**20:6.0f} MiB", flush=True)
    ceiling.append(machine_ceiling(args.workers))
    print(f"machine ceiling at the end: {ceiling[1]:.2f} x")
    if "local" in results:
        locals_ = [r for e, r in results.items() if e.startswith("local")]
        base = sum(r["documents"] / r["seconds"] for r in locals_) / len(locals_)
        print(f"local baseline: {base:.1f} docs/s (mean of {len(locals_)} runs)")
        for engine, r in results.items():
            if not engine.startswith("local"):
                ratio = r["documents"] / r["seconds"] / base
                print(f"scaling {engine}/local: {ratio:.2f} x (target >= 1.7; machine ceiling "
                      f"{min(ceiling):.2f}-{max(ceiling):.2f} x)")
    worst = max(r["peak_bytes"] for r in results.values())
    print(f"peak memory, worst engine: {worst / 2**30:.2f} GiB (target < 2 GiB)")

    # the bundled corpus: the dask engine hands over to local; a forced cluster's cost
    bundled = {}
    for label, engine, below in (("local", "local", 0), ("dask (auto)", "dask", 2000),
                                 ("dask (forced)", "dask", 0)):
        bundled[label] = run_child(engine, "", work / f"bundled_{engine}_{below}", args,
                                   local_below=below, batch_size=500)
    from dask.distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        startup = time.perf_counter() - t0
    for label, r in bundled.items():
        extra = r["seconds"] - bundled["local"]["seconds"]
        print(f"bundled corpus, {label:>13}: {r['seconds']:5.1f} s (+{extra:4.1f} s over local)")
    print(f"a {args.workers}-worker LocalCluster starts (and stops) in {startup:.1f} s here")


if __name__ == "__main__":
    main()
