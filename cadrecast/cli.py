"""The ``cadrecast`` command: ``cadrecast run [CORPUS] --out DIR``.

Examples
--------
>>> main(["--version"])  # doctest: +ELLIPSIS
cadrecast ...
0
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ._version import __version__
from .errors import CadrecastError


def _parser() -> argparse.ArgumentParser:
    from .pipeline import DEFAULT_SEED, stage_names

    parser = argparse.ArgumentParser(
        prog="cadrecast",
        description="Text mining for the Chinese news debate on officials selling goods "
                    "in livestreams.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser(
        "run", help="run the whole pipeline and write its tables",
        description="Run every pipeline stage over a corpus and write tidy tables (and a "
                    "README.txt describing them) into the output folder.",
    )
    run.add_argument("corpus", nargs="?", default=None,
                     help="a folder of .txt files, a .txt file, or a CSV / JSON Lines / Parquet "
                          "table; default: the bundled articles")
    run.add_argument("--out", "-o", default="cadrecast-output",
                     help="output folder (default: %(default)s)")
    run.add_argument("--format", choices=["csv", "parquet"], default="csv",
                     help="table format (default: csv, UTF-8 with BOM for Excel)")
    run.add_argument("--text-column", default="text",
                     help="text column of a table input (default: %(default)s)")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED,
                     help="seed for every random step (default: %(default)s)")
    run.add_argument("--stages", default=None,
                     help=f"comma-separated stages to run (default: all: {','.join(stage_names())})")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    scale = run.add_argument_group(
        "scaling out", "stream the corpus in batches (per-document tables become folders of "
                       "Parquet parts; every input is in documents or rejected)")
    scale.add_argument("--engine", choices=["local", "processes", "dask"], default=None,
                       help="local: this process; processes: a worker pool on this machine; "
                            "dask: a dask.distributed cluster (default: load everything in "
                            "memory)")
    scale.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a running Dask scheduler: its address (tcp://host:8786) or its "
                            "scheduler file (dask scheduler --scheduler-file); implies --engine dask")
    scale.add_argument("--batch-size", type=int, default=None, metavar="N",
                       help="documents per batch (default: 500)")
    scale.add_argument("--workers", type=int, default=None, metavar="N",
                       help="worker processes for --engine processes/dask (default: one per "
                            "CPU)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cadrecast`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"cadrecast {__version__}")
        return 0
    if args.command != "run":
        parser.print_help()
        return 0 if args.command is None else 2
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    from .pipeline import run

    stages = args.stages.split(",") if args.stages else None
    try:
        tables = run(args.corpus, args.out, format=args.format, seed=args.seed,
                     progress=not args.quiet, stages=stages, text_column=args.text_column,
                     engine=args.engine, scheduler=args.scheduler, batch_size=args.batch_size,
                     workers=args.workers)
    except CadrecastError as exc:
        print(f"cadrecast: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"Wrote {len(tables)} tables to {args.out} (see {args.out}/README.txt).",
              file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
