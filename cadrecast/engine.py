"""Past one machine: stream a corpus in batches through the pipeline on a chosen engine.

``cadrecast run`` normally loads the whole corpus into memory. With an engine it reads the
input lazily (a folder of ``.txt`` files, a JSON Lines, Parquet or CSV table read in
chunks), cuts it into batches of whole documents and runs every *per-document* stage
(:attr:`cadrecast.pipeline.Stage.per_document`: corpus, tokens, sentiment, stance,
entities) batch by batch on

* ``local`` — this process, one batch after another;
* ``processes`` — a pool of worker processes on this machine;
* ``dask`` — a ``dask.distributed`` cluster: a :class:`~distributed.LocalCluster` started
  for the run, or an existing cluster (``scheduler="tcp://host:8786"``).

Each worker process keeps its tokenizer, dictionaries, gazetteers and the supervised
stance model in the stages' own caches, so they load (or train) once per worker, not once
per batch. Corpus-wide stages (translations, topics, the report) then run once on the
combined tables, and may spread independent fits over the same engine
(``ctx.engine.map``). The corpus-wide tables of per-document stages
(:attr:`~cadrecast.pipeline.Stage.finish`: ``sentiment_by_source``, the stance summaries
and distinctive words) are also computed once, from the combined tables.

The tables are identical whatever the engine: batches are cut from the input in input
order before any engine sees them and their tables are concatenated in batch order.
When an output folder is given and the corpus spans more than one batch, every
per-document table is written batch by batch as a folder of Parquet files
(``tokens/part-00000.parquet`` ...), so peak memory depends on the batch size, not on the
corpus size. Every input is accounted for: it is in ``documents``, or in ``rejected``
with the reason (``undecodable``, ``empty``, ``duplicate``, ``checksum``, ``invalid``).

Examples
--------
>>> import cadrecast as cc
>>> tables = cc.run(engine="local", batch_size=2, progress=False, stages=["corpus"])
>>> int((tables["documents"]["kind"] == "article").sum()), len(tables["rejected"])
(5, 0)
"""

from __future__ import annotations

import codecs
import itertools
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import CadrecastError, ColumnError, ConfigError, CorpusError, DependencyError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus, _Input

log = logging.getLogger("cadrecast")

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ENGINES",
    "Engine",
    "PartitionedTable",
    "Tables",
    "iter_batches",
    "iter_inputs",
    "make_engine",
    "merge_term_frequencies",
    "run_engine",
]

#: The engines of ``cadrecast run --engine``.
ENGINES = ("local", "processes", "dask")
#: Documents per batch (a batch is one task on the engine). Large enough that a task's
#: work (seconds) dwarfs its scheduling cost (milliseconds), small enough that a
#: batch's tables stay in the tens of megabytes.
DEFAULT_BATCH_SIZE = 500
#: A batch also closes once its inputs hold this many bytes (or characters): this keeps
#: one batch's tables bounded for corpora of very long documents.
MAX_BATCH_BYTES = 1_500_000
#: Below this many documents the ``processes`` and ``dask`` engines hand over to the
#: local engine: starting workers (about 2 s for a 2-worker Dask cluster, plus loading
#: each worker's dictionaries) would cost more than the parallel work saves.
LOCAL_BELOW = 2000
#: Stages whose tables every engine run writes, so that every input is accounted for.
_ALWAYS = ("corpus",)
_PART = "part-{:05d}.parquet"


# ---------------------------------------------------------------------------- tables

class PartitionedTable:
    """A table written batch by batch as a folder of Parquet files.

    Read it whole with :meth:`read` (or :func:`pandas.read_parquet` on the folder), or one
    part at a time with :meth:`partitions` to keep memory bounded.

    Parameters
    ----------
    path : str or Path
        The folder holding ``part-00000.parquet``, ``part-00001.parquet`` ...

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = Path(tempfile.mkdtemp()) / "t"
    >>> folder.mkdir()
    >>> pd.DataFrame({"a": [1, 2]}).to_parquet(folder / "part-00000.parquet")
    >>> pd.DataFrame({"a": [3]}).to_parquet(folder / "part-00001.parquet")
    >>> table = PartitionedTable(folder)
    >>> len(table), table.read()["a"].tolist()
    (3, [1, 2, 3])
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"PartitionedTable({str(self.path)!r}, {len(self.files)} parts)"

    @property
    def files(self) -> list[Path]:
        """The part files, in batch order."""
        return sorted(self.path.glob("part-*.parquet"))

    def __len__(self) -> int:
        import pyarrow.parquet as pq

        return sum(pq.read_metadata(f).num_rows for f in self.files)

    def partitions(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """Yield the parts one by one (in batch order)."""
        for f in self.files:
            yield pd.read_parquet(f, columns=list(columns) if columns is not None else None)

    def read(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The whole table (or some of its columns) as one DataFrame."""
        parts = [p for p in self.partitions(columns) if len(p.columns)]
        if not parts:
            return pd.DataFrame(columns=list(columns or []))
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


class Tables(dict):
    """The tables of a run, by name; streamed tables are read from disk when asked for.

    ``tables["tokens"]``, ``tables.items()``, ``tables.values()`` and ``dict(tables)``
    always give DataFrames (a :class:`PartitionedTable` is read whole when reached);
    :meth:`stream` gives a table part by part instead, in memory or on disk alike, and
    :meth:`stored` the objects as stored, unread.

    Examples
    --------
    >>> t = Tables(a=pd.DataFrame({"x": [1, 2]}))
    >>> [len(p) for p in t.stream("a")]
    [2]
    """

    def __getitem__(self, name: str) -> pd.DataFrame:
        value = super().__getitem__(name)
        return value.read() if isinstance(value, PartitionedTable) else value

    def __iter__(self) -> Iterator[str]:  # a dict subclass with its own __iter__ makes
        return super().__iter__()  # dict(tables) read values through __getitem__

    def items(self) -> Iterator[tuple[str, pd.DataFrame]]:  # type: ignore[override]
        return ((k, self[k]) for k in list(self.keys()))

    def values(self) -> Iterator[pd.DataFrame]:  # type: ignore[override]
        return (self[k] for k in list(self.keys()))

    def stored(self) -> dict[str, pd.DataFrame | PartitionedTable]:
        """The tables as stored: DataFrames and unread :class:`PartitionedTable` objects."""
        return {k: dict.__getitem__(self, k) for k in self.keys()}

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def is_streamed(self, name: str) -> bool:
        """True when table ``name`` lives on disk as a :class:`PartitionedTable`."""
        return isinstance(dict.get(self, name), PartitionedTable)

    def stream(self, name: str, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """Yield table ``name`` in parts (one part per batch when streamed)."""
        value = super().__getitem__(name)
        if isinstance(value, PartitionedTable):
            yield from value.partitions(columns)
        else:
            yield value if columns is None else value[list(columns)]

    def n_rows(self, name: str) -> int:
        """Rows of table ``name``, without reading a streamed table."""
        return len(super().__getitem__(name))


def _streamed_corpus(tables: Tables, rejected: pd.DataFrame, description: str) -> Corpus:
    """A :class:`Corpus` whose tables are read from the streamed output when used."""
    from .corpus import Corpus

    class StreamedCorpus(Corpus):
        """A corpus read lazily from a streamed run's Parquet parts (no ``raw`` column)."""

        def __init__(self) -> None:
            self.rejected = rejected
            self.source_description = description

        documents = property(lambda self: tables["documents"])
        paragraphs = property(lambda self: tables["paragraphs"])
        sentences = property(lambda self: tables["sentences"])
        removed = property(lambda self: tables["removed"])

        def __len__(self) -> int:
            return tables.n_rows("documents")

        def __repr__(self) -> str:
            return f"StreamedCorpus({len(self)} documents; {description})"

        def checksum(self) -> str:
            return _checksum(tables)

    return StreamedCorpus()


def finish_sentiment(corpus: Corpus, ctx: Any) -> dict[str, pd.DataFrame]:
    """Corpus-wide tables of the ``sentiment`` stage, from its combined batch tables."""
    from .sentiment_analysis import sentiment_summary

    return {"sentiment_by_source": sentiment_summary(ctx.results["sentiment"], corpus,
                                                     by="source")}


def merge_term_frequencies(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Merge per-batch term-frequency tables into the corpus-wide one.

    ``n`` and ``n_docs`` add up (batches hold different documents); ``share`` and
    ``rank`` are recomputed, so the result equals the table of the whole corpus.

    Examples
    --------
    >>> a = pd.DataFrame({"term": ["县长", "直播"], "n": [2, 1], "share": [2 / 3, 1 / 3],
    ...                   "n_docs": [1, 1], "rank": [1, 2]})
    >>> b = pd.DataFrame({"term": ["直播"], "n": [3], "share": [1.0], "n_docs": [2],
    ...                   "rank": [1]})
    >>> merge_term_frequencies([a, b])[["term", "n", "n_docs", "rank"]].values.tolist()
    [['直播', 4, 3, 1], ['县长', 2, 1, 2]]
    """
    parts = [p for p in parts if p is not None]
    if not parts:
        return pd.DataFrame(columns=["term", "n", "share", "n_docs", "rank"])
    cols = list(parts[0].columns)
    group = cols[:cols.index("term")]
    keys = [*group, "term"]
    df = pd.concat(parts, ignore_index=True)
    out = df.groupby(keys, sort=False, dropna=False)[["n", "n_docs"]].sum().reset_index()
    totals = out.groupby(group, sort=False)["n"].transform("sum") if group else out["n"].sum()
    out["share"] = out["n"] / totals
    out = out.sort_values([*group, "n", "term"],
                          ascending=[*([True] * len(group)), False, True], kind="stable")
    out["rank"] = out.groupby(group, sort=False).cumcount() + 1 if group else range(1, len(out) + 1)
    out = out[[*group, "term", "n", "share", "n_docs", "rank"]].reset_index(drop=True)
    return out.astype({"n": "int64", "n_docs": "int64", "rank": "int64"})


# ---------------------------------------------------------------------------- inputs

def _rejection(order: int, doc_id: str, file: str, reason: str, detail: str) -> dict:
    return {"doc_id": doc_id, "file": file, "reason": reason, "detail": detail, "_order": order}


def _row_input(n: int, row: dict, name: str, text_column: str, id_column: str | None
               ) -> _Input | dict:
    """One table row as an input (the rules of ``load_corpus`` for tables)."""
    from .corpus import _Input, _isna

    row = dict(row)
    text = row.pop(text_column, None)
    raw_id = row.pop(id_column, None) if id_column else None
    doc_id = str(raw_id) if id_column and not _isna(raw_id) and str(raw_id) else f"row{n:06d}"
    file = f"{name}#{n + 1}"
    if text is None or _isna(text):
        text = ""
    if not isinstance(text, str):
        return _rejection(n, doc_id, file, "invalid",
                          f"column {text_column!r} holds {type(text).__name__}, not text")
    meta = {k: ("" if _isna(v) else str(v)) for k, v in row.items()}
    return _Input(doc_id=doc_id, file=file, text=text, meta=meta)


def _pick_id(columns: Sequence[str], id_column: str | None, path: Path) -> str | None:
    from .corpus import _ID_CANDIDATES

    if id_column is None:
        return next((c for c in _ID_CANDIDATES if c in columns), None)
    if id_column not in columns:
        raise ColumnError(f"{path} has no id column {id_column!r}; its columns are "
                          f"{list(map(str, columns))}.")
    return id_column


def _need_text(columns: Sequence[str], text_column: str, path: Path) -> None:
    if text_column not in columns:
        raise ColumnError(
            f"{path} has no text column {text_column!r}; its columns are "
            f"{list(map(str, columns))}. Pass text_column='<name>' (--text-column)."
        )


def _jsonl_inputs(path: Path, text_column: str, id_column: str | None
                  ) -> Iterator[_Input | dict]:
    n = 0
    ids: str | bool | None = False  # False: not decided yet
    with path.open("rb") as fh:
        for line_no, line in enumerate(fh, start=1):
            if line_no == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8):]
            if not line.strip():
                continue
            where = f"{path.name}#{n + 1}"
            try:
                record = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield _rejection(n, f"row{n:06d}", where, "undecodable",
                                 f"line {line_no} is not UTF-8 (byte {exc.start})")
                n += 1
                continue
            except json.JSONDecodeError as exc:
                yield _rejection(n, f"row{n:06d}", where, "invalid",
                                 f"line {line_no} is not valid JSON ({exc.msg})")
                n += 1
                continue
            if not isinstance(record, dict):
                yield _rejection(n, f"row{n:06d}", where, "invalid",
                                 f"line {line_no} holds a JSON {type(record).__name__}, not an object")
                n += 1
                continue
            if ids is False:
                _need_text(list(record), text_column, path)
                ids = _pick_id(list(record), id_column, path)
            yield _row_input(n, record, path.name, text_column, ids or None)
            n += 1


def _parquet_inputs(path: Path, text_column: str, id_column: str | None,
                    chunk: int = 2000) -> Iterator[_Input | dict]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise CorpusError(f"{path} could not be read as a Parquet table: {exc}") from exc
    columns = pf.schema_arrow.names
    _need_text(columns, text_column, path)
    ids = _pick_id(columns, id_column, path)
    n = 0
    for batch in pf.iter_batches(batch_size=chunk):
        for row in batch.to_pylist():
            yield _row_input(n, row, path.name, text_column, ids)
            n += 1


def _csv_inputs(path: Path, text_column: str, id_column: str | None,
                chunk: int = 2000) -> Iterator[_Input | dict]:
    from .encoding import decode_bytes

    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    cut = head.rfind(b"\n") if len(head) == 1 << 20 else len(head)
    _, encoding = decode_bytes(head[:cut if cut > 0 else len(head)], str(path))
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    n = 0
    ids: str | bool | None = False
    reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding,
                         chunksize=chunk)
    for frame in reader:
        if ids is False:
            _need_text(list(frame.columns), text_column, path)
            ids = _pick_id(list(frame.columns), id_column, path)
        for row in frame.to_dict("records"):
            yield _row_input(n, row, path.name, text_column, ids or None)
            n += 1


def iter_inputs(path: str | os.PathLike | None = None, *, text_column: str = "text",
                id_column: str | None = None) -> tuple[Iterator[_Input | dict], str]:
    """Read a corpus lazily, one input at a time.

    Folders (and single ``.txt`` files, and the bundled corpus) are read file by file with
    :func:`cadrecast.load_corpus`'s rules (``metadata.csv``, checksums); JSON Lines,
    Parquet and CSV/TSV tables are read in chunks. An input that cannot be read as a
    document at all (a line that is not JSON, a text cell that is not text) comes as a
    ``rejected`` row (a dict) instead of failing the run.

    Parameters
    ----------
    path : str or Path, optional
        As for :func:`cadrecast.load_corpus`; ``None`` reads the bundled articles.
    text_column, id_column : str
        As for :func:`cadrecast.load_corpus`.

    Returns
    -------
    (iterator, str)
        The inputs (``cadrecast.corpus._Input`` objects and rejected-row dicts) and a
        description of the source.

    Examples
    --------
    >>> inputs, description = iter_inputs()
    >>> description, next(inputs).doc_id
    ('the bundled corpus', '000_1c59dac2740d956f')
    """
    from .corpus import _inputs

    if path is not None:
        p = Path(path).expanduser()
        suffix = p.suffix.lower()
        if p.is_file() and suffix in (".jsonl", ".ndjson"):
            return _jsonl_inputs(p, text_column, id_column), f"table {p}"
        if p.is_file() and suffix == ".parquet":
            return _parquet_inputs(p, text_column, id_column), f"table {p}"
        if p.is_file() and suffix in (".csv", ".tsv"):
            return _csv_inputs(p, text_column, id_column), f"table {p}"
    inputs, description, _ = _inputs(path, text_column, id_column)
    return inputs, description


@dataclass
class Batch:
    """A batch of whole documents, cut from the input in input order."""

    index: int
    items: list = field(default_factory=list)  # cadrecast.corpus._Input objects
    orders: list[int] = field(default_factory=list)  # input position of each item
    rejected: list[dict] = field(default_factory=list)  # rejected before loading
    corpus: Any = None  # a loaded Corpus instead of items

    @property
    def n_inputs(self) -> int:
        if self.corpus is not None:
            docs = self.corpus.documents
            return int((docs["kind"] == "article").sum()) + len(self.rejected)
        return len(self.items) + len(self.rejected)


def _item_size(item: Any) -> int:
    if item.data is not None:
        return len(item.data)
    return len(item.text or "")


def iter_batches(inputs: Iterable[Any], batch_size: int = DEFAULT_BATCH_SIZE,
                 max_bytes: int = MAX_BATCH_BYTES) -> Iterator[Batch]:
    """Cut inputs into batches of at most ``batch_size`` documents (or ``max_bytes``).

    A ``doc_id`` seen before goes to ``rejected`` as a ``duplicate`` (only its first
    occurrence is processed), as :func:`cadrecast.load_corpus` does.

    Examples
    --------
    >>> inputs, _ = iter_inputs()
    >>> [len(b.items) for b in iter_batches(inputs, batch_size=2)]
    [2, 2, 1]
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive int, not {batch_size!r}.")
    seen: set[str] = set()
    batch = Batch(0)
    size = 0
    for order, item in enumerate(inputs):
        if isinstance(item, dict):
            batch.rejected.append({**item, "_order": order})
            continue
        if item.doc_id in seen:
            batch.rejected.append(_rejection(order, item.doc_id, item.file, "duplicate",
                                             f"doc_id {item.doc_id!r} appears more than once"))
            continue
        seen.add(item.doc_id)
        batch.items.append(item)
        batch.orders.append(order)
        size += _item_size(item)
        if len(batch.items) >= batch_size or size >= max_bytes:
            yield batch
            batch, size = Batch(batch.index + 1), 0
    if batch.items or batch.rejected:
        yield batch


def _corpus_batches(corpus: Corpus, batch_size: int) -> Iterator[Batch]:
    """Batches of an already loaded corpus (an article and its teasers stay together)."""
    docs = corpus.documents
    parent = docs["parent_id"].where(docs["parent_id"].astype(str) != "", docs["doc_id"])
    groups = list(dict.fromkeys(parent.tolist()))
    by_group: dict[str, list[str]] = {}
    for doc_id, g in zip(docs["doc_id"], parent, strict=True):
        by_group.setdefault(g, []).append(doc_id)
    rejected = [{**r, "_order": -1} for r in corpus.rejected.to_dict("records")]
    for index, start in enumerate(range(0, max(len(groups), 1), batch_size)):
        ids = [d for g in groups[start:start + batch_size] for d in by_group[g]]
        sub = corpus.subset(ids)
        yield Batch(index, corpus=sub, rejected=rejected if index == 0 else [])


# ---------------------------------------------------------------------------- workers

@dataclass
class _Task:
    batch: Batch
    stages: list  # Stage objects, run in order
    seed: int
    split_related: bool
    keep_raw: bool
    #: a folder the worker can write to (workers on the driver's machine): the worker
    #: writes its per-document tables there as Parquet parts and returns only their row
    #: counts, so the tables never travel back to the driver
    stage_dir: str | None = None
    #: tables that go back to the driver whatever ``stage_dir`` says (merged tables)
    keep: frozenset = frozenset()


@dataclass
class _Result:
    index: int
    tables: dict[str, pd.DataFrame]
    notes: list[str]
    rejected: list[dict]
    n_inputs: int
    raw: pd.DataFrame | None = None
    seconds: float = 0.0
    #: CPU time of the thread that ran the batch (``seconds`` minus time spent waiting)
    cpu_seconds: float = 0.0
    pid: int = 0
    #: tables the worker wrote to the task's ``stage_dir``: name -> rows
    staged: dict[str, int] = field(default_factory=dict)


def _load_batch(batch: Batch, split_related: bool) -> tuple[Corpus | None, list[dict]]:
    """Decode and clean a batch's inputs (``load_corpus`` with ``errors="collect"``)."""
    import hashlib

    from .corpus import (
        DOCUMENT_COLUMNS,
        PARAGRAPH_COLUMNS,
        REMOVED_COLUMNS,
        SENTENCE_COLUMNS,
        Corpus,
        _add_document,
    )
    from .encoding import decode_bytes
    from .errors import DecodeError

    if batch.corpus is not None:
        return batch.corpus, list(batch.rejected)
    docs: list = []
    paras: list = []
    sents: list = []
    removed: list = []
    rejected = list(batch.rejected)
    for order, item in zip(batch.orders, batch.items, strict=True):
        meta = dict(item.meta)
        item = type(item)(doc_id=item.doc_id, file=item.file, data=item.data, text=item.text,
                          meta=meta)
        sha = hashlib.sha256(item.data).hexdigest() if item.data is not None else ""
        expected = str(meta.pop("sha256", "") or "")
        if expected and sha and expected != sha:
            rejected.append(_rejection(order, item.doc_id, item.file, "checksum",
                                       f"sha256 {sha} != recorded {expected}"))
            continue
        if item.data is not None:
            try:
                raw, encoding = decode_bytes(item.data, item.file)
            except DecodeError as exc:
                rejected.append(_rejection(order, item.doc_id, item.file, "undecodable", str(exc)))
                continue
        else:
            raw, encoding = item.text or "", ""
        if not raw.strip():
            rejected.append(_rejection(order, item.doc_id, item.file, "empty",
                                       "the document is empty or whitespace only"))
            continue
        _add_document(item, raw, encoding, sha, split_related, docs, paras, sents, removed)
    if not docs:
        return None, rejected
    extra = list(dict.fromkeys(k for d in docs for k in d if k not in DOCUMENT_COLUMNS))
    corpus = Corpus(
        documents=pd.DataFrame(docs, columns=DOCUMENT_COLUMNS + extra),
        paragraphs=pd.DataFrame(paras, columns=PARAGRAPH_COLUMNS),
        sentences=pd.DataFrame(sents, columns=SENTENCE_COLUMNS),
        removed=pd.DataFrame(removed, columns=REMOVED_COLUMNS),
    )
    return corpus, rejected


def _process_batch(task: _Task) -> _Result:
    """Run the per-document stages over one batch (in whichever process runs it)."""
    from .pipeline import RunContext

    t0, c0 = time.perf_counter(), time.thread_time()
    batch = task.batch
    corpus, rejected = _load_batch(batch, task.split_related)
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    raw = None
    if corpus is not None:
        ctx = RunContext(out_dir=None, seed=task.seed, progress=False, workers=1, in_batch=True)
        for stage in task.stages:
            try:
                out = stage.load()(corpus, ctx)
            except CadrecastError:
                raise
            except Exception as exc:
                ids = corpus.documents["doc_id"]
                raise CadrecastError(
                    f"stage {stage.name!r} failed on batch {batch.index} (documents "
                    f"{ids.iloc[0]} ... {ids.iloc[-1]}): {type(exc).__name__}: {exc}"
                ) from exc
            ctx.results.update(out)
        tables = {k: v for k, v in ctx.results.items() if k != "rejected"}
        notes = ctx.notes
        if task.keep_raw:
            raw = corpus.documents[["doc_id", "raw"]]
    staged: dict[str, int] = {}
    if task.stage_dir is not None:
        for name in list(tables):
            df = tables[name]
            if name not in task.keep and len(df):  # an empty table goes back: its columns
                _write_part(Path(task.stage_dir), name, batch.index, df)
                staged[name] = len(df)
                del tables[name]
    return _Result(batch.index, tables, notes, rejected, batch.n_inputs, raw,
                   time.perf_counter() - t0, time.thread_time() - c0, os.getpid(), staged)


def _warm_up(targets: Sequence[str] = ()) -> int:
    """Import the stages' modules in a worker (their caches then fill on first use)."""
    import importlib

    for target in targets:
        importlib.import_module(target.partition(":")[0])
    return os.getpid()


# ---------------------------------------------------------------------------- engines

class Engine:
    """Where batches run. Use :func:`make_engine`; close it (or use ``with``) when done.

    Attributes
    ----------
    name : str
        ``"local"``, ``"processes"`` or ``"dask"``.
    n_workers : int
        Worker processes (1 for ``local``).
    """

    name = "local"

    def __init__(self) -> None:
        self.n_workers = 1

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_workers={self.n_workers})"

    def map(self, func: Callable[..., Any], items: Iterable[Any], *, shared: Any = None) -> list:
        """``[func(x) for x in items]``, in parallel on the engine, results in order.

        ``func`` must be a module-level function (it is sent to other processes). With
        ``shared``, each call is ``func(shared, x)`` and ``shared`` (a model's corpus,
        say) is sent to each worker once where the engine allows (Dask scatters it).

        Examples
        --------
        >>> with make_engine("local") as engine:
        ...     engine.map(abs, [-1, 2, -3])
        [1, 2, 3]
        """
        if shared is not None:
            return [func(shared, x) for x in items]
        return [func(x) for x in items]

    def imap_unordered(self, func: Callable[[Any], Any], items: Iterable[Any],
                       in_flight: int | None = None) -> Iterator[Any]:
        """Yield ``func(x)`` for each item as they finish, with at most ``in_flight``
        items submitted at once (so a long stream is never all in memory)."""
        for x in items:
            yield func(x)

    def warm_up(self, targets: Sequence[str]) -> None:
        """Load the given stages' modules in every worker."""
        _warm_up(targets)

    def close(self) -> None:
        """Stop the workers this engine started."""


class LocalEngine(Engine):
    """Everything in this process, one batch after another."""


class ProcessEngine(Engine):
    """A pool of worker processes on this machine (:mod:`concurrent.futures`)."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        self.n_workers = _n_workers(workers)
        # forkserver (Linux) and spawn start clean processes: safe beside threads, and
        # each worker loads its dictionaries once, on its first batch.
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["cadrecast.engine", "pandas"])
        self._pool = ProcessPoolExecutor(max_workers=self.n_workers, mp_context=ctx)

    def map(self, func: Callable[..., Any], items: Iterable[Any], *, shared: Any = None) -> list:
        if shared is not None:
            import functools

            func = functools.partial(func, shared)
        return list(self._pool.map(func, items))

    def imap_unordered(self, func: Callable[[Any], Any], items: Iterable[Any],
                       in_flight: int | None = None) -> Iterator[Any]:
        from concurrent.futures import FIRST_COMPLETED, wait

        limit = in_flight or 2 * self.n_workers
        it = iter(items)
        pending = {self._pool.submit(func, x) for x in itertools.islice(it, limit)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
            pending |= {self._pool.submit(func, x) for x in itertools.islice(it, len(done))}

    def warm_up(self, targets: Sequence[str]) -> None:
        list(self._pool.map(_warm_up, [list(targets)] * self.n_workers))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


#: Dask settings for a ``LocalCluster`` started by cadrecast. A worker's timers wake its
#: event loop, which then takes the GIL from the thread running a batch: by default the
#: stack profiler every 10 ms, the "event loop blocked" tick every 20 ms, the memory
#: monitor every 100 ms and the system monitor every 500 ms (the nannies' monitors run in
#: the driver's process, beside the scheduler). They serve the dashboard, which a
#: cadrecast cluster does not start; fewer wake-ups leave the cores to the batches
#: (measured in benchmarks/bench_scale.py). Memory limits still apply, checked every second.
#: Nannies also start workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes the C
#: allocator hand freed memory back to the system at once: on batches that allocate and
#: free many small tables it tripled the system time and multiplied the page faults by
#: five (0.3 s -> 1.1 s of system time over 8 batches of 500 articles, one process),
#: so cadrecast's workers keep the allocator's default, as a process pool's workers do.
_QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


class DaskEngine(Engine):
    """A ``dask.distributed`` cluster: a new ``LocalCluster``, or an existing one."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 client: Any = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise DependencyError(
                "The dask engine needs dask.distributed: pip install 'cadrecast[dask]' "
                "(or pip install 'dask[distributed]')."
            ) from exc
        self._cluster = None
        self._own_client = client is None
        if client is not None:
            self.client = client
        elif scheduler:
            try:  # an address (tcp://host:8786), or a scheduler file (dask scheduler --scheduler-file)
                if Path(scheduler).expanduser().is_file():
                    self.client = Client(scheduler_file=str(Path(scheduler).expanduser()),
                                         timeout="30s")
                else:
                    self.client = Client(scheduler, timeout="30s")
            except OSError as exc:
                raise CadrecastError(
                    f"Could not reach a Dask scheduler at {scheduler!r}: {exc}. Check the "
                    "address (tcp://host:8786) and that the scheduler is running."
                ) from exc
        else:
            # the cluster's INFO lines (scheduler, nanny, worker start-up) would flood the
            # run's log: quiet them while our cluster lives, restore them on close()
            quiet = logging.getLogger("distributed")
            self._log_level = quiet.level
            quiet.setLevel(logging.WARNING)
            import dask

            with dask.config.set(_QUIET_CLUSTER):
                self._cluster = LocalCluster(
                    n_workers=_n_workers(workers), threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.WARNING,
                    # the scheduler serves /health and /metrics even without a dashboard,
                    # by default on port 8787: a free port on this machine instead, so that
                    # two runs (or another cluster) do not collide
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
            self.client = Client(self._cluster)
        info = self.client.scheduler_info()
        self.n_workers = max(len(info.get("workers", {})), 1)

    def map(self, func: Callable[..., Any], items: Iterable[Any], *, shared: Any = None) -> list:
        if shared is None:
            futures = self.client.map(func, list(items), pure=False)
        else:
            data = self.client.scatter(shared, broadcast=True)
            futures = [self.client.submit(func, data, x, pure=False) for x in items]
        return self.client.gather(futures)

    def imap_unordered(self, func: Callable[[Any], Any], items: Iterable[Any],
                       in_flight: int | None = None) -> Iterator[Any]:
        from dask.distributed import as_completed

        limit = in_flight or 2 * self.n_workers

        it = iter(items)
        first = [self.client.submit(func, x, pure=False) for x in itertools.islice(it, limit)]
        if not first:
            return
        pending = as_completed(first)
        for fut in pending:
            result = fut.result()
            fut.release()
            for x in itertools.islice(it, 1):
                pending.add(self.client.submit(func, x, pure=False))
            yield result

    def warm_up(self, targets: Sequence[str]) -> None:
        self.client.run(_warm_up, list(targets))

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
            logging.getLogger("distributed").setLevel(self._log_level)


def _n_workers(workers: int | None) -> int:
    if workers is None or workers <= 0:
        return os.cpu_count() or 1
    if not isinstance(workers, int):
        raise ConfigError(f"workers must be an int, not {workers!r}.")
    return workers


def make_engine(name: str = "local", *, workers: int | None = None,
                scheduler: str | None = None, client: Any = None) -> Engine:
    """Start an engine.

    Parameters
    ----------
    name : {"local", "processes", "dask"}
        Where batches run.
    workers : int, optional
        Worker processes for ``processes`` and a new Dask ``LocalCluster`` (default: one
        per CPU). An existing cluster keeps its own workers.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``), or the JSON file a
        scheduler started with ``--scheduler-file`` writes; implies ``dask``.
    client : dask.distributed.Client, optional
        A client you already made (it is left open).

    Examples
    --------
    >>> with make_engine("local") as engine:
    ...     engine.name, engine.n_workers
    ('local', 1)
    """
    if scheduler or client is not None:
        name = "dask" if name in (None, "local") else name
    check_choice("engine", name, ENGINES)
    if name == "processes":
        return ProcessEngine(workers)
    if name == "dask":
        return DaskEngine(workers, scheduler, client)
    return LocalEngine()


# ---------------------------------------------------------------------------- the run

def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None]
    if not parts:
        return pd.DataFrame()
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    non_empty = [p for p in parts if len(p)] or parts[:1]
    out = pd.concat(non_empty, ignore_index=True)
    return out


def _rejected_frame(rows: list[dict]) -> pd.DataFrame:
    from .corpus import REJECTED_COLUMNS

    df = pd.DataFrame(rows, columns=[*REJECTED_COLUMNS, "_order"])
    df = df.sort_values("_order", kind="stable").drop(columns="_order")
    return df.reset_index(drop=True).astype({c: "str" for c in REJECTED_COLUMNS})


def _write_part(out_dir: Path, name: str, index: int, df: pd.DataFrame) -> None:
    folder = out_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{_PART.format(index)}.tmp"
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    # a column empty in this batch has Arrow type null: store it as text, so that every
    # part of the folder has one schema and the folder reads as one table
    nulls = [i for i, f in enumerate(table.schema) if pa.types.is_null(f.type)]
    for i in nulls:
        f = table.schema.field(i)
        table = table.set_column(i, pa.field(f.name, pa.large_string()),
                                 pa.nulls(len(table), pa.large_string()))
    pq.write_table(table, tmp)
    tmp.replace(folder / _PART.format(index))


def run_engine(
    corpus: Corpus | str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    stages: Sequence[str] | None = None,
    seed: int | None = None,
    format: str = "csv",
    progress: bool = True,
    text_column: str = "text",
    id_column: str | None = None,
    split_related: bool = True,
    stream: bool | None = None,
    local_below: int = LOCAL_BELOW,
    client: Any = None,
) -> Tables:
    """Run the pipeline batch by batch on an engine; see :func:`cadrecast.run`.

    Parameters
    ----------
    corpus : Corpus, path or None
        A loaded corpus, a path read lazily by :func:`iter_inputs`, or ``None`` for the
        bundled articles.
    out : path, optional
        Output folder. ``None`` keeps every table in memory.
    engine : {"local", "processes", "dask"}
        Where per-document stages run.
    scheduler : str, optional
        Address of an existing Dask scheduler (implies ``engine="dask"``).
    workers : int, optional
        Worker processes of ``processes`` / a new ``LocalCluster`` (default one per CPU).
    batch_size : int
        Documents per batch (a batch also closes at :data:`MAX_BATCH_BYTES` of input).
    stages : list of str, optional
        Stages to run; the corpus tables (and ``rejected``) are always written.
    seed, format, progress, text_column, id_column, split_related
        As for :func:`cadrecast.run` / :func:`cadrecast.load_corpus`.
    stream : bool, optional
        Write per-document tables as folders of Parquet parts, batch by batch. Default:
        when ``out`` is given and the corpus spans more than one batch.
    local_below : int
        Fewer documents than this run on the local engine whatever ``engine`` says (the
        log says so); ``0`` always uses the engine asked for.
    client : dask.distributed.Client, optional
        An existing Dask client (left open).

    Returns
    -------
    Tables
        Every table by name (streamed tables are read from disk when accessed).
    """
    from . import pipeline
    from .corpus import Corpus

    seed = pipeline.DEFAULT_SEED if seed is None else seed
    check_choice("format", format, ["csv", "parquet"])
    if scheduler or client is not None:
        engine = "dask"
    check_choice("engine", engine, ENGINES)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive int, not {batch_size!r}.")
    names = pipeline.stage_names()
    wanted = list(stages) if stages is not None else names
    for name in wanted:
        check_choice("stage", name, names)
    chosen = [s for s in pipeline.STAGES if s.name in wanted or s.name in _ALWAYS]
    batch_stages = [s for s in chosen if s.per_document]
    # corpus-wide stages, and the corpus-wide ("finish") part of per-document stages
    wide_stages = [s for s in chosen if not s.per_document or s.finish]
    merges = {t: f for s in batch_stages for t, f in s.merge.items()}

    t_start = time.perf_counter()
    if isinstance(corpus, Corpus):
        batches: Iterator[Batch] = _corpus_batches(corpus, batch_size)
        description = corpus.source_description
    else:
        inputs, description = iter_inputs(corpus, text_column=text_column, id_column=id_column)
        batches = iter_batches(inputs, batch_size)

    # read ahead: is the corpus small (local engine) and does it span several batches?
    ahead: list[Batch] = []
    seen_docs = 0
    for b in batches:
        ahead.append(b)
        seen_docs += b.n_inputs
        if seen_docs >= max(local_below, 1) and len(ahead) >= 2:
            break
    exhausted = seen_docs < max(local_below, 1) or len(ahead) < 2
    if exhausted:
        rest = list(batches)
        ahead += rest
        seen_docs += sum(b.n_inputs for b in rest)
    all_batches = itertools.chain(ahead, batches)
    if engine != "local" and client is None and exhausted and seen_docs < local_below:
        log.info("cadrecast: %d documents are fewer than %d: running on the local engine "
                 "instead of %s (starting workers would cost more than it saves; pass "
                 "local_below=0 to force it).", seen_docs, local_below, engine)
        engine, scheduler = "local", None
    out_dir = Path(out) if out is not None else None
    if stream is None:
        stream = out_dir is not None and len(ahead) > 1
    if stream and out_dir is None:
        raise ConfigError("stream=True writes tables batch by batch: it needs an output folder (out=).")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    keep_raw = not stream and bool(wide_stages)

    eng = make_engine(engine, workers=workers, scheduler=scheduler, client=client)
    t_engine = time.perf_counter()
    stage_dir: Path | None = None
    try:
        if eng.name != "local":
            eng.warm_up([s.target for s in batch_stages])
        results: dict[int, _Result] = {}
        merge_parts: dict[str, list[pd.DataFrame]] = {t: [] for t in merges}
        streamed: set[str] = set()
        rejected_rows: list[dict] = []
        notes_by_batch: dict[int, list[str]] = {}
        names_by_batch: dict[int, list[str]] = {}
        empty_parts: dict[str, pd.DataFrame] = {}
        n_inputs = n_batches = 0
        # workers on this machine write their parts themselves (into a staging folder the
        # driver moves them from): the driver then neither receives nor writes the large
        # per-document tables, which on a few cores is its bottleneck
        if stream and (eng.name == "processes"
                       or (eng.name == "dask" and getattr(eng, "_cluster", None) is not None)):
            stage_dir = out_dir / ".staging"
            if stage_dir.exists():
                shutil.rmtree(stage_dir)
        tasks = (_Task(b, batch_stages, seed, split_related, keep_raw,
                       None if stage_dir is None else str(stage_dir), frozenset(merges))
                 for b in all_batches)
        done = eng.imap_unordered(_process_batch, tasks)
        if progress:
            from tqdm.auto import tqdm

            done = tqdm(done, desc=f"batches ({eng.name})", unit="batch", file=sys.stderr)
        for res in done:
            n_batches += 1
            n_inputs += res.n_inputs
            rejected_rows += res.rejected
            notes_by_batch[res.index] = res.notes
            names_by_batch[res.index] = list(dict.fromkeys([*res.staged, *res.tables]))
            for name in res.staged:
                if name not in streamed:
                    _clear(out_dir / name)
                    streamed.add(name)
                (out_dir / name).mkdir(parents=True, exist_ok=True)
                part = _PART.format(res.index)
                (stage_dir / name / part).replace(out_dir / name / part)
            for name, df in res.tables.items():
                if name in merges:
                    merge_parts[name].append(df)
                    if len(merge_parts[name]) >= 16:  # keep the parts few
                        merge_parts[name] = [_merge(merges[name], merge_parts[name])]
            if stream:
                for name, df in res.tables.items():
                    if name not in merges:
                        if name not in streamed:  # parts of an earlier run would mix in
                            _clear(out_dir / name)
                            streamed.add(name)
                        if len(df):  # an empty part would carry untyped columns
                            _write_part(out_dir, name, res.index, df)
                        elif name not in empty_parts:
                            empty_parts[name] = df
                res.tables = {}
            results[res.index] = res
        if stage_dir is not None and stage_dir.exists():
            shutil.rmtree(stage_dir)
        t_batches = time.perf_counter()

        tables = Tables()
        order = sorted(results)
        names = list(dict.fromkeys(n for i in order for n in names_by_batch[i]))
        for name in names:
            if name in merges:
                tables[name] = _merge(merges[name], merge_parts[name])
            elif stream:
                table = PartitionedTable(out_dir / name)
                if not table.files:  # no batch had rows: keep the columns
                    _write_part(out_dir, name, 0, empty_parts[name])
                tables[name] = table
            else:
                tables[name] = _concat([results[i].tables.get(name) for i in order])
        rejected = _rejected_frame(rejected_rows)
        tables["rejected"] = rejected
        if "documents" not in tables:
            raise CorpusError(f"No document could be loaded from {description}: all "
                              f"{len(rejected)} inputs were rejected ({_reasons(rejected)}).")

        n_docs = sum(int((p["kind"] == "article").sum())
                     for p in tables.stream("documents", ["kind"]))
        ctx = pipeline.RunContext(out_dir=out_dir, seed=seed, progress=progress, format=format)
        ctx.results = tables
        ctx.engine = eng
        ctx.notes += _batch_notes(notes_by_batch)
        if wide_stages:
            if stream:
                full = _streamed_corpus(tables, rejected, description)
            else:
                full = _combined_corpus(tables, results, order, rejected, description)
            for stage in wide_stages:
                t0 = time.perf_counter()
                if progress:
                    log.info("cadrecast: %s ...", stage.name)
                if stage.per_document:  # a per-document stage's corpus-wide tables
                    out_tables = _load_target(stage.finish)(full, ctx)
                else:
                    out_tables = stage.load()(full, ctx)
                out_tables.pop("rejected", None)
                for name in out_tables:
                    if tables.is_streamed(name):
                        _clear(out_dir / name)
                        (out_dir / name).rmdir()
                tables.update(out_tables)
                if progress:
                    log.info("cadrecast: %s done in %.1f s", stage.name, time.perf_counter() - t0)
        n_articles = n_inputs - len(rejected)
        ctx.note(
            f"engine: {eng.name} ({eng.n_workers} worker{'s' * (eng.n_workers != 1)}), "
            f"{n_batches} batch{'es' * (n_batches != 1)} of up to {batch_size} documents; "
            f"{n_inputs} inputs: {n_articles} processed, {len(rejected)} rejected"
            + (f" ({_reasons(rejected)}; see rejected.csv)" if len(rejected) else "") + "."
            + (" Per-document tables are folders of Parquet parts, one per batch." if stream else "")
        )
        if progress:
            log.info("cadrecast: %d inputs in %.1f s on %s (%d articles processed, %d rejected; "
                     "batches %.1f s)", n_inputs, time.perf_counter() - t_start, eng.name,
                     n_docs, len(rejected), t_batches - t_engine)
        if out_dir is not None:
            _write_outputs(out_dir, tables, ctx, format, description, stream)
    finally:
        eng.close()
        if stage_dir is not None and stage_dir.exists():  # a failed run's staged parts
            shutil.rmtree(stage_dir, ignore_errors=True)
    return tables


def _load_target(target: str) -> Callable:
    import importlib

    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)


def _merge(target: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    return _load_target(target)(parts)


def _reasons(rejected: pd.DataFrame) -> str:
    counts = rejected["reason"].value_counts()
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))


def _batch_notes(notes_by_batch: dict[int, list[str]]) -> list[str]:
    lists = [notes_by_batch[i] for i in sorted(notes_by_batch) if notes_by_batch[i]]
    if not lists:
        return []
    if all(n == lists[0] for n in lists):
        return list(lists[0])
    return [f"(first of {len(lists)} batches) {n}" for n in lists[0]]


def _combined_corpus(tables: Tables, results: dict[int, _Result], order: list[int],
                     rejected: pd.DataFrame, description: str) -> Corpus:
    from .corpus import DOCUMENT_COLUMNS, Corpus

    documents = tables["documents"]
    raw = _concat([results[i].raw for i in order])
    if len(raw):
        documents = documents.merge(raw, on="doc_id", how="left", validate="1:1")
        cols = [c for c in DOCUMENT_COLUMNS if c in documents.columns]
        documents = documents[cols + [c for c in documents.columns if c not in cols]]
    return Corpus(documents, tables["paragraphs"], tables["sentences"], tables["removed"],
                  rejected, description)


def _write_outputs(out_dir: Path, tables: Tables, ctx: Any, format: str, description: str,
                   stream: bool) -> None:
    from .pipeline import _write_manifest, write_table

    written: dict[str, str] = {}
    sizes: dict[str, Any] = {}
    for name, value in tables.stored().items():
        if isinstance(value, PartitionedTable):
            n_parts = len(value.files)
            written[name] = f"{name}/ (Parquet, {n_parts} part{'s' * (n_parts != 1)})"
            sizes[name] = value
        else:
            written[name] = write_table(value, out_dir, name, format)
            sizes[name] = value
    docs = pd.concat([p[p["kind"] == "article"] for p in
                      tables.stream("documents", ["kind", "sha256", "file"])])
    corpus_view = SimpleNamespace(
        source_description=description, documents=docs,
        checksum=lambda: _checksum(tables),
    )
    ctx_view = SimpleNamespace(seed=ctx.seed, results=sizes, files=ctx.files, notes=ctx.notes)
    _write_manifest(out_dir, corpus_view, ctx_view, written)


def _checksum(tables: Tables) -> str:
    import hashlib

    parts = [p[p["kind"] == "article"] for p in tables.stream("documents", ["doc_id", "kind", "sha256"])]
    arts = pd.concat(parts).sort_values("doc_id")
    h = hashlib.sha256()
    for doc_id, sha in zip(arts["doc_id"], arts["sha256"], strict=True):
        h.update(f"{doc_id}:{sha}\n".encode())
    return h.hexdigest()


def _clear(folder: Path) -> None:
    """Remove the Parquet parts an earlier run left in ``folder``."""
    if folder.is_dir():
        for f in folder.glob("part-*.parquet"):
            f.unlink()
