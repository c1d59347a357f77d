"""Synthetic corpora for benchmarks and tests: real paragraphs, recombined.

:func:`synthetic_articles` builds any number of articles by drawing body paragraphs of a
corpus (the bundled articles by default) and a headline from its titles, in Simplified
or Traditional script (converted with OpenCC) or in English. The text is real news
prose, so segmentation, entity and stance stages do realistic work; the combinations
are new, so no two articles are the same. Everything follows from ``seed``: the same
seed gives the same corpus, byte for byte.

:func:`write_synthetic` writes such a corpus as a folder of ``.txt`` files (with a
``metadata.csv``), a JSON Lines file or a Parquet file, streaming (memory does not grow
with ``n``), optionally with a share of defective inputs (empty, duplicate ids,
undecodable bytes, broken JSON lines) to exercise the ``rejected`` table.

Examples
--------
>>> df = synthetic_corpus(4, seed=1)
>>> df.columns.tolist()
['doc_id', 'title', 'date', 'source', 'language', 'script', 'text']
>>> synthetic_corpus(4, seed=1).equals(df)
True
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import ConfigError, CorpusError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus

__all__ = ["SYNTHETIC_COLUMNS", "synthetic_articles", "synthetic_corpus", "write_synthetic"]

#: Columns of :func:`synthetic_corpus`.
SYNTHETIC_COLUMNS = ["doc_id", "title", "date", "source", "language", "script", "text"]
#: Kinds of defective input :func:`write_synthetic` can add, by format.
DEFECTS = {
    "folder": ("empty", "duplicate", "undecodable"),
    "jsonl": ("empty", "duplicate", "invalid"),
    "parquet": ("empty", "duplicate"),
}
_MIN_PARAGRAPH_CHARS = 12


@dataclass(frozen=True)
class _Pool:
    zh_paragraphs: tuple[str, ...]  # Simplified
    zh_titles: tuple[str, ...]  # Simplified
    en_paragraphs: tuple[str, ...]
    en_titles: tuple[str, ...]
    sources: tuple[str, ...]


def _pool_from(corpus: Corpus) -> _Pool:
    paras = corpus.paragraphs
    docs = corpus.documents
    body = paras[(paras["role"] == "body") & (paras["text"].str.len() >= _MIN_PARAGRAPH_CHARS)]
    zh = body[body["language"] == "zh"]
    en = body[body["language"] == "en"]
    titles = docs[docs["title"].astype(str).str.len() > 0]
    zh_titles = titles[titles["language"] == "zh"]["title"].tolist()
    from .script import to_simplified

    sources = sorted({s for s in docs["source"].astype(str) if s and s != "nan"})
    return _Pool(
        zh_paragraphs=tuple(dict.fromkeys(zh["text_hans"].tolist())),
        zh_titles=tuple(dict.fromkeys(to_simplified(t) for t in zh_titles)),
        en_paragraphs=tuple(dict.fromkeys(en["text"].tolist())),
        en_titles=tuple(dict.fromkeys(titles[titles["language"] == "en"]["title"].tolist())),
        sources=tuple(sources) or ("cadrecast synthetic",),
    )


@functools.cache
def _bundled_pool() -> _Pool:
    from .corpus import load_corpus

    return _pool_from(load_corpus())


def synthetic_articles(
    n: int,
    *,
    seed: int = 0,
    corpus: Corpus | None = None,
    paragraphs: tuple[int, int] = (3, 10),
    hant_share: float = 0.4,
    en_share: float = 0.05,
    start: str = "2019-01-01",
    end: str = "2023-12-31",
) -> Iterator[dict[str, str]]:
    """Yield ``n`` synthetic articles (dicts with the :data:`SYNTHETIC_COLUMNS`).

    Parameters
    ----------
    n : int
        Number of articles.
    seed : int
        Seed of every choice (script, paragraphs, headline, date, source).
    corpus : Corpus, optional
        Where paragraphs and headlines come from; default the bundled articles.
    paragraphs : (int, int)
        Fewest and most body paragraphs per article (drawn uniformly).
    hant_share, en_share : float
        Shares of Traditional-script and English articles; the rest are Simplified.
    start, end : str
        ISO dates between which publication dates are drawn.

    Yields
    ------
    dict
        ``doc_id`` (``syn0000000_<hash>``), ``title``, ``date`` (ISO), ``source``,
        ``language`` ("zh"/"en"), ``script`` ("hans"/"hant"/"en") and ``text`` (the
        headline, then the paragraphs, separated by blank lines).

    Examples
    --------
    >>> arts = list(synthetic_articles(3, seed=7, hant_share=1.0, en_share=0.0))
    >>> [a["script"] for a in arts]
    ['hant', 'hant', 'hant']
    """
    if not isinstance(n, int) or n < 0:
        raise ConfigError(f"n must be a non-negative int, not {n!r}.")
    lo, hi = paragraphs
    if not 1 <= lo <= hi:
        raise ConfigError(f"paragraphs must be (fewest, most) with 1 <= fewest <= most, not {paragraphs!r}.")
    if not (0 <= hant_share <= 1 and 0 <= en_share <= 1 and hant_share + en_share <= 1):
        raise ConfigError("hant_share and en_share must be shares (0-1) adding up to at most 1.")
    pool = _bundled_pool() if corpus is None else _pool_from(corpus)
    if not pool.zh_paragraphs:
        raise CorpusError("The corpus has no Chinese body paragraphs to recombine.")
    if en_share and not pool.en_paragraphs:
        en_share = 0.0
    from .script import to_traditional

    day0 = dt.date.fromisoformat(start).toordinal()
    span = dt.date.fromisoformat(end).toordinal() - day0
    rng = random.Random(seed)
    for i in range(n):
        roll = rng.random()
        script = "en" if roll < en_share else ("hant" if roll < en_share + hant_share else "hans")
        k = rng.randint(lo, hi)
        if script == "en":
            body = rng.sample(pool.en_paragraphs, min(k, len(pool.en_paragraphs)))
            title = rng.choice(pool.en_titles) if pool.en_titles else body[0][:60]
        else:
            body = rng.sample(pool.zh_paragraphs, min(k, len(pool.zh_paragraphs)))
            title = rng.choice(pool.zh_titles) if pool.zh_titles else body[0][:20]
            if script == "hant":
                title, body = to_traditional(title), [to_traditional(p) for p in body]
        date = dt.date.fromordinal(day0 + rng.randint(0, max(span, 0))).isoformat()
        source = rng.choice(pool.sources)
        text = "\n\n".join([title, *body])
        digest = hashlib.sha256(f"{seed}:{i}:{text}".encode()).hexdigest()[:12]
        yield {"doc_id": f"syn{i:07d}_{digest}", "title": title, "date": date,
               "source": source, "language": "en" if script == "en" else "zh",
               "script": script, "text": text}


def synthetic_corpus(n: int, *, seed: int = 0, **kwargs: Any) -> pd.DataFrame:
    """``n`` synthetic articles as a table (see :func:`synthetic_articles`).

    Examples
    --------
    >>> synthetic_corpus(10, seed=3)["script"].isin(["hans", "hant", "en"]).all()
    np.True_
    """
    return pd.DataFrame(list(synthetic_articles(n, seed=seed, **kwargs)),
                        columns=SYNTHETIC_COLUMNS)


def _with_defects(records: Iterator[dict], share: float, kinds: tuple[str, ...],
                  seed: int) -> Iterator[tuple[dict, str]]:
    rng = random.Random(f"defects:{seed}")
    previous: dict | None = None
    for rec in records:
        kind = ""
        if share and rng.random() < share:
            kind = rng.choice(kinds)
            if kind == "duplicate" and previous is None:
                kind = "empty"
        if kind == "empty":
            rec = {**rec, "text": rng.choice(["", "  \n\n  "])}
        elif kind == "duplicate":
            rec = {**rec, "doc_id": previous["doc_id"]}
        yield rec, kind
        previous = rec


def write_synthetic(
    path: str | os.PathLike,
    n: int,
    *,
    format: str | None = None,
    seed: int = 0,
    defects: float = 0.0,
    **kwargs: Any,
) -> Path:
    """Write ``n`` synthetic articles to ``path``; return it.

    Parameters
    ----------
    path : str or Path
        A folder (``format="folder"``: ``.txt`` files in subfolders of 1,000 plus a
        ``metadata.csv``), or a ``.jsonl`` / ``.parquet`` file.
    n : int
        Number of inputs written (defective ones included).
    format : {"folder", "jsonl", "parquet"}, optional
        Default from the suffix of ``path`` (no suffix: folder).
    seed : int
        Seed of the articles and of the defects.
    defects : float
        Share of inputs made defective, for testing the ``rejected`` table: empty texts
        and repeated ids in every format, undecodable bytes in a folder, lines that are
        not JSON in JSON Lines. Their positions follow from ``seed``.
    **kwargs
        Passed to :func:`synthetic_articles` (``hant_share``, ``paragraphs`` ...).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> out = write_synthetic(Path(tempfile.mkdtemp()) / "c.jsonl", 5, seed=2)
    >>> len(out.read_text(encoding="utf-8").splitlines())
    5
    """
    path = Path(path)
    if format is None:
        format = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}.get(
            path.suffix.lower(), "folder")
    check_choice("format", format, list(DEFECTS))
    if not 0 <= defects <= 1:
        raise ConfigError(f"defects must be a share between 0 and 1, not {defects!r}.")
    records = _with_defects(synthetic_articles(n, seed=seed, **kwargs), defects,
                            DEFECTS[format], seed)
    if format == "folder":
        _write_folder(path, records)
    elif format == "jsonl":
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for rec, kind in records:
                line = json.dumps(rec, ensure_ascii=False)
                fh.write((line[: len(line) // 2] if kind == "invalid" else line) + "\n")
    else:
        _write_parquet(path, records)
    return path


def _write_folder(path: Path, records: Iterator[tuple[dict, str]]) -> None:
    import csv

    path.mkdir(parents=True, exist_ok=True)
    with (path / "metadata.csv").open("w", encoding="utf-8", newline="") as meta:
        writer = csv.writer(meta)
        writer.writerow(["file", "doc_id", "title", "date", "source", "language"])
        for i, (rec, kind) in enumerate(records):
            rel = f"{i // 1000:04d}/{i:07d}.txt"
            f = path / rel
            f.parent.mkdir(exist_ok=True)
            data = rec["text"].encode("utf-8")
            if kind == "undecodable":  # bytes no supported encoding reads
                data = bytes(range(128, 256)) * 3
            f.write_bytes(data)
            writer.writerow([rel, rec["doc_id"], rec["title"], rec["date"], rec["source"],
                             rec["language"]])


def _write_parquet(path: Path, records: Iterator[tuple[dict, str]], chunk: int = 5000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([(c, pa.string()) for c in SYNTHETIC_COLUMNS])
    with pq.ParquetWriter(path, schema) as writer:
        rows: list[dict] = []
        for rec, _ in records:
            rows.append(rec)
            if len(rows) >= chunk:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
