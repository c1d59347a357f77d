"""Topic models over the token table: gensim LDA with the scikit-learn habit.

A :class:`TopicModel` is fitted on the token table of :func:`cadrecast.tokenize` (one row
per token). By default every paragraph is one document: the bundled corpus has a few
articles but hundreds of paragraphs, and a paragraph usually carries one theme. Words are
modelled in Simplified script (``token_hans``), so a Traditional and a Simplified article
share their vocabulary; the output tables show each word's original spelling(s) too.

The pieces a scholar needs to defend a topic model are here:

* :func:`select_k` fits a range of topic counts with several seeds and reports coherence
  (``c_v`` and NPMI), perplexity and stability across seeds, with a documented rule that
  picks ``k`` (:func:`choose_k`).
* The same tokens and the same ``random_state`` give the same topics and the same
  document-topic proportions, byte for byte, whether :func:`select_k` runs in one
  process or several (``n_jobs``): every fit is a single-process gensim ``LdaModel`` with
  its own seed. (gensim's ``LdaMulticore`` is not used: its result depends on how the
  operating system schedules its workers.)
* Past one machine's memory: :meth:`TopicModel.fit` and :func:`select_k` also take a
  streamed token table (a :class:`~cadrecast.engine.PartitionedTable` — the ``tokens/``
  folder of Parquet parts of ``cadrecast run --engine`` — or any iterable of DataFrame
  parts holding whole documents). The parts are read once: the vocabulary is counted
  part by part (phrases too, with gensim's ``Phrases.add_vocab``), and the
  bag-of-words and the texts for coherence are written as integer arrays to
  files that gensim streams block by block. What stays in memory is one part at a
  time, the counts of the distinct words (and, with ``phrases=True``, gensim's counts
  of word pairs) and per-document numbers: the keys and the n_documents x k topic
  proportions. Coherence reads the same files, so it is computed on every document. The model is the same,
  bit for bit, as from the whole table in one DataFrame, and the ``select_k`` fits
  spread over an engine receive the corpus as file paths or compact arrays.
* :func:`compare_topics` estimates topic prevalence by any paragraph-level column
  (document, source, script, stance ...) with bootstrap intervals, and the difference
  between each level and the rest, in the spirit of the structural topic model's
  ``estimateEffect``.
* :meth:`TopicModel.save` writes plain files (NumPy arrays read with
  ``allow_pickle=False``, a TSV vocabulary and a JSON manifest with versions, seed,
  parameters and checksums); :meth:`TopicModel.load` never unpickles anything.
* :meth:`TopicModel.to_html` exports a self-contained pyLDAvis page (its JavaScript and
  CSS are inlined, so it opens offline).

Examples
--------
>>> import cadrecast as cc
>>> tokens = cc.tokenize(cc.load_corpus())                          # doctest: +SKIP
>>> model = cc.TopicModel(n_topics=6, random_state=0).fit(tokens)   # doctest: +SKIP
>>> model.topics(n=5)                                               # doctest: +SKIP
>>> model.document_topics()                                         # doctest: +SKIP
>>> from cadrecast.engine import PartitionedTable                    # doctest: +SKIP
>>> big = cc.TopicModel(n_topics=8).fit(PartitionedTable("out/tokens"))  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._version import __version__
from .errors import ColumnError, ConfigError, CorpusError, NotFittedError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .corpus import Corpus
    from .pipeline import RunContext

__all__ = [
    "DEFAULT_KS",
    "TopicModel",
    "choose_k",
    "compare_topics",
    "plot_k_selection",
    "plot_prevalence",
    "plot_topic_words",
    "select_k",
    "topics_stage",
]

#: Topic counts tried by :func:`select_k` and the ``topics`` stage when none are given.
DEFAULT_KS: tuple[int, ...] = (4, 5, 6, 7, 8, 10, 12)

#: Seeds (offsets added to ``random_state``) used to measure stability across seeds.
DEFAULT_N_SEEDS = 3

_UNITS = {
    "paragraph": ["doc_id", "para_id"],
    "document": ["doc_id"],
    "sentence": ["doc_id", "para_id", "sent_id"],
}

# a token that is only digits / number punctuation, optionally with one unit or counter
_NUMBER_RE = re.compile(
    r"^[\d０-９零〇一二三四五六七八九十百千万亿两.．,，%％+\-~～:：/]+"
    r"[年月日号時时点點分秒万亿億元塊块个個%％倍天岁歲次场場斤吨噸人户戶家台]?$"
)
_HAS_WORD_CHAR = re.compile(r"[^\W\d_]")  # a letter or a CJK character
_FORMAT_VERSION = 1


# --------------------------------------------------------------------------------------
# preparing documents from the token table
# --------------------------------------------------------------------------------------


@dataclass
class _Docs:
    """Documents built from a token table, as arrays (one entry per kept token)."""

    keys: pd.DataFrame  # one row per document, sorted by key; key columns + n_tokens
    doc: np.ndarray  # document index of each kept token, documents in order, text order within
    word: np.ndarray  # index into ``words`` of each kept token
    words: np.ndarray  # distinct Simplified, lower-cased words (object array)
    orig: np.ndarray  # index into ``origs`` of each kept token
    origs: np.ndarray  # distinct original spellings (object array)

    def texts(self) -> list[list[str]]:
        """The kept words of every document, as lists."""
        return _split(self.words[self.word], self.doc, len(self.keys))

    def forms(self) -> dict[str, Counter]:
        """Simplified word -> Counter of its original spellings."""
        n_orig = max(1, len(self.origs))
        pairs, counts = np.unique(self.word.astype(np.int64) * n_orig + self.orig,
                                  return_counts=True)
        forms: dict[str, Counter] = {}
        for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
            w, o = divmod(pair, n_orig)
            word = self.words[w]
            forms.setdefault(word, Counter())[self.origs[o] or word] += count
        return forms

    @classmethod
    def from_texts(cls, keys: pd.DataFrame, texts: list[list[str]]) -> _Docs:
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        flat = np.array([w for t in texts for w in t], dtype=object)
        codes, uniques = pd.factorize(flat) if len(flat) else (np.zeros(0, np.int64),
                                                                np.zeros(0, object))
        uniques = np.asarray(uniques, dtype=object)
        return cls(keys=keys, doc=np.repeat(np.arange(len(texts)), lengths),
                   word=codes.astype(np.int64), words=uniques,
                   orig=codes.astype(np.int64), origs=uniques)


def _split(values: np.ndarray, doc: np.ndarray, n_docs: int) -> list[list]:
    """Split ``values`` (grouped by the sorted ``doc``) into one list per document."""
    bounds = np.searchsorted(doc, np.arange(n_docs + 1))
    flat = values.tolist()
    return [flat[bounds[i]:bounds[i + 1]] for i in range(n_docs)]


def _pairs(doc: np.ndarray, word: np.ndarray, n_words: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (document, word) pairs of a token sequence and their counts."""
    pairs, counts = np.unique(doc.astype(np.int64) * max(1, n_words) + word,
                              return_counts=True)
    pair_doc, pair_word = np.divmod(pairs, max(1, n_words))
    return pair_doc, pair_word, counts


def _bow_arrays(pair_doc: np.ndarray, pair_term: np.ndarray, counts: np.ndarray, n_docs: int,
                n_terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The (document, term) pairs with a term (``pair_term >= 0``), sorted by document
    then term id (as gensim's ``doc2bow``), and every document's number of term tokens."""
    inside = pair_term >= 0
    pair_doc, pair_term, counts = pair_doc[inside], pair_term[inside], counts[inside]
    order = np.argsort(pair_doc * max(1, n_terms) + pair_term, kind="stable")
    pair_doc, pair_term, counts = pair_doc[order], pair_term[order], counts[order]
    sizes = np.bincount(pair_doc, weights=counts, minlength=n_docs).astype(np.int64)
    return pair_doc, pair_term, counts, sizes


def _bow(pair_doc: np.ndarray, pair_term: np.ndarray, counts: np.ndarray, n_docs: int,
         n_terms: int) -> tuple[list[list[tuple[int, int]]], np.ndarray]:
    """Bags of words (sorted by term id, as gensim's ``doc2bow``) of the documents with at
    least one term (``pair_term >= 0``), and every document's number of term tokens."""
    pair_doc, pair_term, counts, sizes = _bow_arrays(pair_doc, pair_term, counts, n_docs,
                                                     n_terms)
    entries = list(zip(pair_term.tolist(), counts.tolist(), strict=True))
    bounds = np.searchsorted(pair_doc, np.arange(n_docs + 1))
    bow = [entries[bounds[i]:bounds[i + 1]] for i in np.flatnonzero(sizes)]
    return bow, sizes


# --------------------------------------------------------------------------------------
# streamed token tables: parts in, a disk-backed bag-of-words out
# --------------------------------------------------------------------------------------

#: Documents read at a time when a streamed bag-of-words or text is iterated.
_BLOCK = 4096
#: Columns of the token table a topic model reads (the key columns come on top).
_TOKEN_COLUMNS = ("token_hans", "token", "is_stop", "token_id", "start")


class _WorkDir:
    """A temporary folder for a streamed fit's files, removed with its last user."""

    def __init__(self, parent: str | os.PathLike | None = None) -> None:
        import shutil
        import tempfile
        import weakref

        if parent is not None:
            Path(parent).mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix="cadrecast-topics-", dir=parent))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path),
                                           ignore_errors=True)

    def __repr__(self) -> str:
        return f"_WorkDir({str(self.path)!r})"

    def cleanup(self) -> None:
        """Remove the folder now (the lazy corpora reading from it stop working)."""
        self._finalizer()

    def __reduce__(self) -> tuple:
        # a pickled model does not own the folder (its lazy corpora pickle their data)
        return (type(None), ())

    def save(self, name: str, array: np.ndarray) -> Path:
        path = self.path / f"{name}.npy"
        np.save(path, array, allow_pickle=False)
        return path


def _int_dtype(max_value: int) -> type:
    return np.int32 if max_value < 2**31 - 1 else np.int64


class _DiskArray:
    """A one-dimensional ``.npy`` file read slice by slice with ordinary file reads.

    Unlike a memory map, the slices read are the only part in the process's memory
    (the operating system may still cache the file, as it does any file).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = str(path)
        with open(self.path, "rb") as fh:
            major, _ = np.lib.format.read_magic(fh)
            read = (np.lib.format.read_array_header_1_0 if major == 1
                    else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read(fh)
            self.offset = fh.tell()
        self.dtype = np.dtype(dtype)
        self.size = int(shape[0]) if shape else 0

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, item: slice) -> np.ndarray:
        start, stop, step = item.indices(self.size)
        if step != 1:  # pragma: no cover - internal use only
            raise ValueError("a _DiskArray reads contiguous slices only")
        count = max(0, stop - start)
        if not count:
            return np.zeros(0, self.dtype)
        with open(self.path, "rb") as fh:
            fh.seek(self.offset + start * self.dtype.itemsize)
            return np.fromfile(fh, dtype=self.dtype, count=count)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self[0:self.size]
        return whole if dtype is None else whole.astype(dtype)


def _open(path: str, whole: bool = False) -> np.ndarray | _DiskArray:
    """A saved array: read whole, or read slice by slice when used."""
    return np.load(path, allow_pickle=False) if whole else _DiskArray(path)


class _NpyWriter:
    """Write a one-dimensional ``.npy`` file of known size in any order, run by run."""

    def __init__(self, path: Path, dtype: type, size: int) -> None:
        self.path, self.dtype = path, np.dtype(dtype)
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False,
                  "shape": (int(size),)}
        self._fh = open(path, "w+b")  # closed by close()
        np.lib.format.write_array_header_1_0(self._fh, header)
        self.offset = self._fh.tell()
        self._fh.truncate(self.offset + int(size) * self.dtype.itemsize)

    def write(self, start: int, values: np.ndarray) -> None:
        self._fh.seek(self.offset + int(start) * self.dtype.itemsize)
        self._fh.write(np.ascontiguousarray(values, dtype=self.dtype).tobytes())

    def close(self) -> str:
        self._fh.close()
        return str(self.path)


def _write_documents(writers: Sequence[_NpyWriter], values: Sequence[np.ndarray],
                     sorted_doc: np.ndarray, n_part: int, dest: np.ndarray) -> None:
    """Write the entries of a part's documents (grouped by ``sorted_doc``) of parallel
    arrays, each document's at its destination ``dest[doc]``, in contiguous runs."""
    if not len(sorted_doc):
        return
    ptr = np.searchsorted(sorted_doc, np.arange(n_part + 1))
    docs = np.flatnonzero(np.diff(ptr))
    docs = docs[np.argsort(dest[docs], kind="stable")]
    lengths = ptr[docs + 1] - ptr[docs]
    ends = np.cumsum(lengths)
    gather = np.repeat(ptr[docs] - (ends - lengths), lengths) + np.arange(int(ends[-1]))
    starts = dest[docs]
    breaks = np.flatnonzero(starts[1:] != starts[:-1] + lengths[:-1]) + 1
    first = np.concatenate([[0], breaks])
    last = np.concatenate([breaks, [len(docs)]])
    bounds = np.concatenate([[0], ends])
    for writer, array in zip(writers, values, strict=True):
        ordered = array[gather]
        for a, b in zip(first.tolist(), last.tolist(), strict=True):
            writer.write(int(starts[a]), ordered[bounds[a]:bounds[b]])


class _Lazy:
    """Base of the streamed corpora: integer arrays in memory, or in files in ``home``.

    Pickling sends the arrays themselves (compact: 4 bytes per entry), or, after
    :meth:`portable` with ``by_path=True``, only the paths of their files (for workers on
    this machine, which then read the same files).
    """

    _arrays: tuple[str, ...] = ()

    def __init__(self, home: _WorkDir | None = None, files: Mapping[str, str] | None = None,
                 by_path: bool = False) -> None:
        self._home = home  # keeps the files alive as long as this object lives
        self._files = dict(files or {})
        self._by_path = by_path

    def portable(self, by_path: bool) -> _Lazy:
        """A copy that pickles by file path (``by_path``) or by value."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._by_path = bool(by_path and self._files)
        return clone

    def _extra(self) -> tuple:
        return ()

    def __reduce__(self) -> tuple:
        if self._by_path:
            return (_reopen, (type(self), self._files, self._extra()))
        arrays = {name: np.array(getattr(self, name)) for name in self._arrays}
        return (_rebuild, (type(self), arrays, self._extra()))

    def _bounds(self) -> Iterator[tuple[int, int, list[int]]]:
        """Blocks of documents: (first entry, last entry, bounds relative to the first)."""
        ptr = self.indptr  # type: ignore[attr-defined]
        n = len(ptr) - 1
        for s in range(0, n, _BLOCK):
            e = min(n, s + _BLOCK)
            a, b = int(ptr[s]), int(ptr[e])
            yield a, b, (np.asarray(ptr[s:e + 1]) - a).tolist()

    def __len__(self) -> int:
        return len(self.indptr) - 1  # type: ignore[attr-defined]


def _reopen(cls: type, files: Mapping[str, str], extra: tuple) -> _Lazy:
    return _rebuild(cls, {name: _open(path, whole=name == "indptr")
                          for name, path in files.items()}, extra, files=files)


def _rebuild(cls: type, arrays: Mapping[str, np.ndarray], extra: tuple,
             files: Mapping[str, str] | None = None) -> _Lazy:
    obj = object.__new__(cls)
    _Lazy.__init__(obj, None, files)
    for name, array in arrays.items():
        setattr(obj, name, array)
    obj._restore(*extra)
    return obj


class _BowCorpus(_Lazy):
    """A gensim corpus streamed from compressed-row arrays (one bag of words per document).

    Iterating yields each document's ``[(term_id, count), ...]`` (sorted by term id, as
    gensim's ``doc2bow``), reading :data:`_BLOCK` documents at a time, so a corpus on
    disk (:class:`_DiskArray`) is never in memory as a whole; ``len`` is the number of documents. gensim's
    ``LdaModel``, ``log_perplexity`` and ``CoherenceModel`` take it like a list.
    """

    _arrays = ("indptr", "indices", "counts")

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray,
                 home: _WorkDir | None = None, files: Mapping[str, str] | None = None) -> None:
        super().__init__(home, files)
        self.indptr, self.indices, self.counts = indptr, indices, counts

    def _restore(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<streamed bag-of-words: {len(self)} documents, {len(self.indices)} entries>"

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for a, b, bounds in self._bounds():
            entries = list(zip(self.indices[a:b].tolist(), self.counts[a:b].tolist(),
                               strict=True))
            for i in range(len(bounds) - 1):
                yield entries[bounds[i]:bounds[i + 1]]

    def __getitem__(self, i: int) -> list[tuple[int, int]]:
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        return list(zip(self.indices[a:b].tolist(), self.counts[a:b].tolist(), strict=True))


class _Texts(_Lazy):
    """The in-vocabulary words of every document, in text order, streamed from term ids.

    Iterating yields one list of words per document (what gensim's ``CoherenceModel``
    reads once per measure); ``len`` is the number of documents.
    """

    _arrays = ("indptr", "terms")

    def __init__(self, vocab: np.ndarray, indptr: np.ndarray, terms: np.ndarray,
                 home: _WorkDir | None = None, files: Mapping[str, str] | None = None) -> None:
        super().__init__(home, files)
        self.vocab, self.indptr, self.terms = vocab, indptr, terms

    def _extra(self) -> tuple:
        return (self.vocab,)

    def _restore(self, vocab: np.ndarray) -> None:
        self.vocab = vocab

    def __repr__(self) -> str:
        return f"<streamed texts: {len(self)} documents, {len(self.terms)} words>"

    def __iter__(self) -> Iterator[list[str]]:
        for a, b, bounds in self._bounds():
            words = self.vocab[np.asarray(self.terms[a:b])].tolist()
            for i in range(len(bounds) - 1):
                yield words[bounds[i]:bounds[i + 1]]

    def __getitem__(self, i: int) -> list[str]:
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.vocab[np.asarray(self.terms[a:b])].tolist()


def _portable(value: Any, by_path: bool) -> Any:
    return value.portable(by_path) if isinstance(value, _Lazy) else value


def _same_machine(engine: Any) -> bool:
    """True when an engine's workers run on this machine (they can map our files)."""
    name = getattr(engine, "name", "")
    return name == "processes" or (name == "dask" and getattr(engine, "_cluster", None)
                                   is not None)


def _stored_columns(table: Any) -> list[str] | None:
    """The columns of a streamed table, without reading it (``None``: unknown)."""
    columns = getattr(table, "columns", None)
    if columns is not None and not callable(columns):
        return list(columns)
    files = getattr(table, "files", None)
    if files:
        import pyarrow.parquet as pq

        return list(pq.read_schema(files[0]).names)
    return None


def _token_parts(tokens: Any, keys: list[str]) -> Iterator[pd.DataFrame] | None:
    """The parts of a streamed token table, or ``None`` for one DataFrame."""
    if isinstance(tokens, pd.DataFrame):
        return None
    if isinstance(tokens, str | os.PathLike):
        from .engine import PartitionedTable

        if not Path(tokens).is_dir():
            raise ColumnError(
                f"{tokens} is not a folder of Parquet parts (a streamed token table)."
            )
        tokens = PartitionedTable(tokens)
    partitions = getattr(tokens, "partitions", None)
    if callable(partitions):
        columns = _stored_columns(tokens)
        if columns is None:
            return iter(partitions())
        wanted = [c for c in (*keys, *_TOKEN_COLUMNS) if c in columns]
        return iter(partitions(list(dict.fromkeys(wanted))))
    if isinstance(tokens, Iterable) and not isinstance(tokens, str | bytes | Mapping):
        return iter(tokens)
    raise ColumnError(
        "tokens must be a pandas DataFrame (the table of cadrecast.tokenize), a "
        "PartitionedTable (a folder of Parquet parts) or an iterable of DataFrame parts, "
        f"not {type(tokens).__name__}."
    )


class _PartStore:
    """Each part's kept tokens as (document, word id) arrays: in memory, or in ``home``."""

    def __init__(self, home: _WorkDir | None) -> None:
        self.home = home
        self.parts: list[tuple[int, Any, Any]] = []

    def __len__(self) -> int:
        return len(self.parts)

    def put(self, index: int | None, n_docs: int, doc: np.ndarray, word: np.ndarray) -> None:
        if self.home is not None:
            dtype = _int_dtype(int(word.max()) if len(word) else 0)
            i = len(self.parts) if index is None else index
            doc = self.home.save(f"part-{i:06d}-doc", doc.astype(np.int32))
            word = self.home.save(f"part-{i:06d}-word", word.astype(dtype))
        if index is None:
            self.parts.append((n_docs, doc, word))
        else:
            self.parts[index] = (n_docs, doc, word)

    def get(self, index: int) -> tuple[int, np.ndarray, np.ndarray]:
        n_docs, doc, word = self.parts[index]
        if self.home is not None:
            doc = np.load(doc, allow_pickle=False).astype(np.int64)
            word = np.load(word, allow_pickle=False).astype(np.int64)
        return n_docs, doc, word

    def drop(self) -> None:
        if self.home is not None:
            for _, doc, word in self.parts:
                Path(doc).unlink(missing_ok=True)
                Path(word).unlink(missing_ok=True)
        self.parts = []


class _Counts:
    """Document and collection frequencies of word ids, summed over parts (as gensim's
    ``filter_extremes`` counts them), with the dictionary's position and pair totals."""

    def __init__(self) -> None:
        self.df = np.zeros(0, np.int64)
        self.cf = np.zeros(0, np.int64)
        self.num_pos = 0
        self.num_nnz = 0

    def add(self, doc: np.ndarray, word: np.ndarray, n_words: int) -> None:
        pair_doc, pair_word, pair_count = _pairs(doc, word, n_words)
        df = np.bincount(pair_word, minlength=n_words)
        cf = np.bincount(pair_word, weights=pair_count, minlength=n_words).astype(np.int64)
        if len(self.df) < n_words:
            self.df = np.concatenate([self.df, np.zeros(n_words - len(self.df), np.int64)])
            self.cf = np.concatenate([self.cf, np.zeros(n_words - len(self.cf), np.int64)])
        self.df[:n_words] += df
        self.cf[:n_words] += cf
        self.num_pos += len(word)
        self.num_nnz += len(pair_doc)

    def sized(self, n_words: int) -> tuple[np.ndarray, np.ndarray]:
        pad = max(0, n_words - len(self.df))
        return (np.concatenate([self.df, np.zeros(pad, np.int64)]),
                np.concatenate([self.cf, np.zeros(pad, np.int64)]))


def _word_ids(words: Sequence[str], index: dict[str, int]) -> np.ndarray:
    """Global ids of ``words`` (new words get the next ids)."""
    return np.fromiter((index.setdefault(w, len(index)) for w in words), dtype=np.int64,
                       count=len(words))


def _within(sorted_doc: np.ndarray) -> np.ndarray:
    """Position of every entry within its document (``sorted_doc`` is grouped)."""
    return np.arange(len(sorted_doc)) - np.searchsorted(sorted_doc, sorted_doc, side="left")


def _stopword_fallback() -> frozenset[str]:
    """cadrecast's Chinese and English stop words, for token tables without ``is_stop``."""
    from .segment import load_stopwords

    return load_stopwords("zh") | load_stopwords("en")


@functools.lru_cache(maxsize=1)
def generic_stopwords() -> frozenset[str]:
    """cadrecast's list of generic Chinese discourse words that carry no theme.

    Bundled as ``resources/topics/stopwords_generic.txt`` (``进行``, ``表示``, ``没有``
    ...); :class:`TopicModel` drops them when ``generic_stopwords=True``.

    Examples
    --------
    >>> "进行" in generic_stopwords()
    True
    """
    from .resources import read_text

    return frozenset(
        line.strip().lower() for line in read_text("topics/stopwords_generic.txt").splitlines()
        if line.strip() and not line.startswith("#")
    )


def _main_form(forms: Mapping[str, Counter], word: str) -> str:
    """A word's most frequent original spelling (ties: the first in code-point order, so
    that the choice does not depend on the order of the token table's rows or parts)."""
    counts = forms.get(word)
    if not counts:
        return word
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _keep_term(term: str, min_chars: int, drop_numbers: bool) -> bool:
    if len(term) < min_chars or not _HAS_WORD_CHAR.search(term):
        return False
    if any(ch.isspace() for ch in term):
        return False
    return not (drop_numbers and _NUMBER_RE.match(term))


def _prepare_docs(
    tokens: pd.DataFrame,
    keys: list[str],
    *,
    min_chars: int,
    drop_numbers: bool,
    stopwords: frozenset[str],
) -> _Docs:
    """Group the token table into documents of kept Simplified words (order preserved).

    Vectorised: words are normalised and tested once per distinct value, not per row.
    The result does not depend on the row order of ``tokens``.
    """
    if not isinstance(tokens, pd.DataFrame):
        raise ColumnError(
            f"tokens must be a pandas DataFrame (the table of cadrecast.tokenize), "
            f"not {type(tokens).__name__}."
        )
    word_col = "token_hans" if "token_hans" in tokens.columns else "token"
    needed = [*keys, word_col]
    missing = [c for c in needed if c not in tokens.columns]
    if missing:
        raise ColumnError(
            f"the token table lacks column(s) {missing}; it needs {needed} "
            "(make it with cadrecast.tokenize(corpus))."
        )
    orig_col = "token" if "token" in tokens.columns else word_col
    key_values = tokens[keys]
    if key_values.isna().any().any():
        bad = key_values.isna().any(axis=1).idxmax()
        raise ColumnError(f"the token table has a missing {keys} value in row {bad!r}.")
    n = len(tokens)
    if n == 0:
        return _Docs(keys=key_values.iloc[:0].assign(n_tokens=np.zeros(0, "int64")),
                     doc=np.zeros(0, np.int64), word=np.zeros(0, np.int64),
                     words=np.zeros(0, object), orig=np.zeros(0, np.int64),
                     origs=np.zeros(0, object))
    # documents in key order; tokens in position order within a document
    doc_index = key_values.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    position = next((tokens[c].to_numpy() for c in ("token_id", "start")
                     if c in tokens.columns), None)
    order = (np.lexsort((position, doc_index)) if position is not None
             else np.argsort(doc_index, kind="stable"))
    _, first = np.unique(doc_index, return_index=True)
    key_frame = key_values.iloc[first].reset_index(drop=True)
    n_tokens = np.bincount(doc_index, minlength=len(key_frame)).astype("int64")
    key_frame = key_frame.assign(n_tokens=n_tokens)

    raw_codes, raw_uniques = pd.factorize(tokens[word_col])
    norm = [str(u).strip().lower() for u in raw_uniques]
    norm_codes, words = pd.factorize(np.array(norm, dtype=object))
    words = np.asarray(words, dtype=object)
    if "is_stop" not in tokens.columns:
        stopwords = stopwords | _stopword_fallback()
    keep_word = np.fromiter(
        (w not in stopwords and _keep_term(w, min_chars, drop_numbers) for w in words),
        dtype=bool, count=len(words))
    word = np.where(raw_codes >= 0, norm_codes[np.maximum(raw_codes, 0)], -1)
    mask = (word >= 0) & keep_word[np.maximum(word, 0)]
    if "is_stop" in tokens.columns:
        mask &= ~tokens["is_stop"].fillna(False).astype(bool).to_numpy()
    if orig_col == word_col:
        orig, origs = word, words
    else:
        o_codes, o_uniques = pd.factorize(tokens[orig_col])
        o_norm = [str(u).strip() for u in o_uniques]
        o_norm_codes, origs = pd.factorize(np.array(o_norm, dtype=object))
        orig = np.where(o_codes >= 0, o_norm_codes[np.maximum(o_codes, 0)], -1)
        origs = np.asarray(origs, dtype=object)
    order = order[mask[order]]
    return _Docs(keys=key_frame, doc=doc_index[order].astype(np.int64),
                 word=word[order].astype(np.int64), words=words,
                 orig=np.maximum(orig[order], 0).astype(np.int64),
                 origs=origs if len(origs) else np.array([""], dtype=object))


def _auto_min_df(n_docs: int) -> int:
    """Minimum document frequency: 1 below 20 documents, else max(2, round(sqrt(n)/10))."""
    if n_docs < 20:
        return 1
    return max(2, round(math.sqrt(n_docs) / 10))


def _auto_max_df(n_docs: int) -> float:
    """Maximum document share: keep everything below 50 documents, else 0.5."""
    return 1.0 if n_docs < 50 else 0.5


def _digest(keys: pd.DataFrame, vocab: list[str], doc: np.ndarray | Iterable[np.ndarray],
            term: np.ndarray | Iterable[np.ndarray]) -> str:
    """sha256 of the modelled documents: their keys, the vocabulary and the term sequence.

    ``doc`` and ``term`` are arrays, or iterables of consecutive chunks of them (a
    streamed corpus): the checksum is the same either way.
    """
    h = hashlib.sha256()
    step = 200_000
    if len(keys) <= step:
        h.update(keys.to_csv(index=False).encode("utf-8"))
    else:  # the same text, a block of rows at a time
        for start in range(0, len(keys), step):
            h.update(keys.iloc[start:start + step].to_csv(index=False, header=start == 0)
                     .encode("utf-8"))
    h.update("\n".join(vocab).encode("utf-8"))
    for values in (doc, term):
        for chunk in ([values] if isinstance(values, np.ndarray) else values):
            h.update(np.ascontiguousarray(chunk, dtype="<i8").tobytes())
    return h.hexdigest()


# --------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------


def _train_lda(bow: list, dictionary: Dictionary, k: int, seed: int,
               params: Mapping[str, Any]) -> LdaModel:
    """One single-process LdaModel; the only place cadrecast trains LDA."""
    from gensim.models import LdaModel

    return LdaModel(
        corpus=bow,
        id2word=dictionary,
        num_topics=k,
        alpha=params["alpha"],
        eta=params["eta"],
        passes=params["passes"],
        iterations=params["iterations"],
        chunksize=params["chunksize"],
        update_every=1,
        eval_every=None,
        minimum_probability=0.0,
        random_state=seed,
    )


def _infer(lda: LdaModel, bow: list, seed: int) -> np.ndarray:
    """Document-topic proportions (rows sum to 1) with a fixed starting point."""
    if not bow:
        return np.zeros((0, lda.num_topics))
    saved = lda.random_state
    lda.random_state = np.random.RandomState(seed)
    try:
        gamma, _ = lda.inference(bow)
    finally:
        lda.random_state = saved
    gamma = np.asarray(gamma, dtype=np.float64)
    return gamma / gamma.sum(axis=1, keepdims=True)


def _topic_term(lda: LdaModel) -> np.ndarray:
    return np.asarray(lda.get_topics(), dtype=np.float64)


class TopicModel:
    """LDA topic model (gensim) over a token table, scikit-learn style.

    ``__init__`` only stores the parameters; :meth:`fit` learns and returns ``self``;
    what it learns lives in attributes ending in ``_``.

    Parameters
    ----------
    n_topics : int, default 8
        Number of topics (gensim's ``num_topics``). Choose it with :func:`select_k`.
    unit : {"paragraph", "document", "sentence"}, default "paragraph"
        What one topic-model document is. Paragraphs suit news articles.
    min_df : int, float or None, default None
        Drop terms in fewer documents than this (an int count, or a float share of the
        documents). ``None`` adapts to the corpus: 1 below 20 documents, otherwise
        ``max(2, round(sqrt(n_documents) / 10))`` (2 for 400 paragraphs, 14 for 20,000).
    max_df : float or None, default None
        Drop terms in more than this share of the documents. ``None``: 0.5, or 1.0
        (no limit) below 50 documents, where shares are too coarse to mean "too common".
    max_terms : int or None, default None
        Keep at most this many most frequent terms (gensim's ``keep_n``).
    min_chars : int, default 2
        Drop terms shorter than this. Most one-character Chinese words are function
        words or fragments; set ``1`` to keep them.
    stopwords : iterable of str, optional
        Extra words to drop (compared in Simplified, lower case), on top of the token
        table's ``is_stop`` (or cadrecast's Chinese and English stop-word lists,
        :func:`cadrecast.load_stopwords`, when the table has no ``is_stop`` column).
    generic_stopwords : bool, default True
        Also drop cadrecast's bundled list of generic discourse words (``进行``,
        ``表示``, ``没有`` ...; see :func:`generic_stopwords`), which otherwise crowd the
        top of every topic.
    drop_numbers : bool, default True
        Drop numbers, with or without a unit (``618``, ``2020年``, ``3万``).
    phrases : bool, default False
        Join frequent collocations into one term with gensim ``Phrases`` (NPMI scoring),
        e.g. ``直播_带货``.
    phrase_threshold : float, default 0.5
        NPMI threshold of ``Phrases`` (between -1 and 1; higher joins fewer pairs).
    alpha, eta : str, float or array, default "symmetric" and None
        gensim's document-topic and topic-word priors.
    passes : int, default 20
        Passes over the corpus.
    iterations : int, default 400
        Maximum inference iterations per document and pass.
    chunksize : int or None, default None
        Documents per online update. ``None`` adapts: a quarter of the documents, at
        least 64 and at most 2000, so a small corpus gets several updates per pass.
    random_state : int, default 0
        Seed of every random step. Same tokens and seed, same topics.

    Attributes
    ----------
    gensim_model_ : gensim.models.LdaModel
        The trained gensim model (topic ids are the same as in every table).
    dictionary_ : gensim.corpora.Dictionary
        The vocabulary after filtering.
    corpus_ : list of list of (int, int), or a streamed corpus
        The bag-of-words of each used document. After a fit on a streamed token table
        (see :meth:`fit`), an iterable gensim corpus with ``len`` that reads the
        documents block by block from files instead of a list.
    texts_ : list of list of str, or a streamed iterable of them
        The terms of each used document (for coherence); streamed like ``corpus_``.
    documents_ : DataFrame
        One row per input document: key columns, ``n_tokens`` (all tokens),
        ``n_terms`` (tokens kept in the vocabulary), ``used`` (``n_terms > 0``).
        Empty, one-word-unknown and all-stop-word documents have ``used=False`` and get
        no row in :meth:`document_topics`.
    labels_ : list of str
        A label per topic from its three most distinctive words (LDAvis relevance,
        lambda=0.6), leaving out background words among the ten most probable words of
        more than half of the topics (``直播``, ``带货`` in a corpus about livestream
        selling); replace with :meth:`set_labels`.
    min_df_, max_df_ : int and float
        The thresholds actually used.
    phrases_ : list of (str, str)
        The collocations joined (``phrases=True``), applied again by :meth:`transform`.
    corpus_sha256_ : str
        Checksum of the modelled documents (keys and terms), recorded by :meth:`save`.

    Examples
    --------
    >>> import pandas as pd
    >>> tokens = pd.DataFrame({
    ...     "doc_id": ["a"] * 4 + ["b"] * 4,
    ...     "para_id": [0, 0, 1, 1, 0, 0, 1, 1],
    ...     "token": ["直播", "带货", "扶贫", "农产品", "直播", "带货", "监管", "规范"],
    ... })
    >>> model = TopicModel(n_topics=2, random_state=0).fit(tokens)
    >>> model.document_topics().columns.tolist()
    ['doc_id', 'para_id', 'topic', 'proportion']
    """

    def __init__(
        self,
        n_topics: int = 8,
        *,
        unit: str = "paragraph",
        min_df: int | float | None = None,
        max_df: float | None = None,
        max_terms: int | None = None,
        min_chars: int = 2,
        stopwords: Iterable[str] | None = None,
        generic_stopwords: bool = True,
        drop_numbers: bool = True,
        phrases: bool = False,
        phrase_threshold: float = 0.5,
        alpha: Any = "symmetric",
        eta: Any = None,
        passes: int = 20,
        iterations: int = 400,
        chunksize: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.unit = unit
        self.min_df = min_df
        self.max_df = max_df
        self.max_terms = max_terms
        self.min_chars = min_chars
        self.stopwords = stopwords
        self.generic_stopwords = generic_stopwords
        self.drop_numbers = drop_numbers
        self.phrases = phrases
        self.phrase_threshold = phrase_threshold
        self.alpha = alpha
        self.eta = eta
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.random_state = random_state

    # ---- scikit-learn protocol --------------------------------------------------------

    _PARAMS = (
        "n_topics", "unit", "min_df", "max_df", "max_terms", "min_chars", "stopwords",
        "generic_stopwords", "drop_numbers", "phrases", "phrase_threshold", "alpha", "eta", "passes",
        "iterations", "chunksize", "random_state",
    )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters, as a dict (scikit-learn protocol)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> TopicModel:
        """Set constructor parameters; returns ``self`` (scikit-learn protocol)."""
        for name, value in params.items():
            if name not in self._PARAMS:
                check_choice("parameter", name, self._PARAMS)
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = TopicModel().get_params()
        changed = {k: v for k, v in self.get_params().items()
                   if k == "n_topics" or not _same(v, defaults[k])}
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"TopicModel({args})"

    # ---- fitting ----------------------------------------------------------------------

    def _validate(self) -> list[str]:
        check_choice("unit", self.unit, list(_UNITS))
        if not isinstance(self.n_topics, int | np.integer) or self.n_topics < 1:
            raise ConfigError(f"n_topics must be a positive integer, not {self.n_topics!r}.")
        for name in ("passes", "iterations", "chunksize", "min_chars"):
            value = getattr(self, name)
            if name == "chunksize" and value is None:
                continue
            if not isinstance(value, int | np.integer) or value < (0 if name == "min_chars"
                                                                  else 1):
                raise ConfigError(f"{name} must be a positive integer, not {value!r}.")
        if not isinstance(self.random_state, int | np.integer):
            raise ConfigError(
                f"random_state must be an int (a fixed seed), not {self.random_state!r}."
            )
        return _UNITS[self.unit]

    def _stopword_set(self) -> frozenset[str]:
        if isinstance(self.stopwords, str):
            raise ConfigError("stopwords must be a list of words, not one string.")
        extra = frozenset(w.strip().lower() for w in (self.stopwords or ()))
        return extra | generic_stopwords() if self.generic_stopwords else extra

    def _lda_params(self) -> dict[str, Any]:
        chunksize = self.chunksize
        if chunksize is None:
            n_docs = len(getattr(self, "corpus_", ())) or 2000
            chunksize = min(2000, max(64, math.ceil(n_docs / 4)))
        return {"alpha": self.alpha, "eta": self.eta, "passes": self.passes,
                "iterations": self.iterations, "chunksize": int(chunksize)}

    def _build(self, tokens: Any, work_dir: str | os.PathLike | None = None) -> None:
        """Prepare documents, phrases and the filtered dictionary (no training).

        One DataFrame is prepared in memory and gives a list bag-of-words. Parts (a
        :class:`~cadrecast.engine.PartitionedTable`, an iterable of DataFrames) are read
        once: each part's kept tokens go to compact files in a temporary folder inside
        ``work_dir`` while the counts are summed; the bag-of-words and the texts are then
        written, in the same document order as the DataFrame path, to files
        that the fits stream. Both give the same documents, vocabulary and counts.
        """
        keys = self._validate()
        parts = _token_parts(tokens, keys)
        home = _WorkDir(work_dir) if parts is not None else None
        try:
            self._build_parts(tokens, parts, keys, home)
        except BaseException:
            if home is not None:
                home.cleanup()
            raise

    def _build_parts(self, tokens: Any, parts: Iterator[pd.DataFrame] | None,
                     keys: list[str], home: _WorkDir | None) -> None:
        from gensim.corpora import Dictionary

        stopwords = self._stopword_set()
        streamed = parts is not None
        store = _PartStore(home)
        index: dict[str, int] = {}  # word -> id, over all parts
        forms: dict[str, Counter] = {}
        key_frames: list[pd.DataFrame] = []
        counts = _Counts()
        phraser = None
        if self.phrases:
            from gensim.models.phrases import Phrases

            # counts are summed part by part (add_vocab); min_count, which needs the
            # number of documents, is only used when the phrases are scored, at the end
            phraser = Phrases(min_count=2, threshold=self.phrase_threshold, scoring="npmi",
                              delimiter="\x1f")
        # pass 1: each part once -> kept tokens as word ids, counts, spellings, phrases
        for part in ([tokens] if parts is None else parts):
            docs = _prepare_docs(part, keys, min_chars=self.min_chars,
                                 drop_numbers=self.drop_numbers, stopwords=stopwords)
            if not len(docs.keys):
                continue
            key_frames.append(docs.keys)
            for w, c in docs.forms().items():
                if w in forms:
                    forms[w].update(c)
                else:
                    forms[w] = c
            ids = np.full(len(docs.words), -1, dtype=np.int64)
            present = np.unique(docs.word)
            ids[present] = _word_ids(docs.words[present].tolist(), index)
            word = ids[docs.word]
            if phraser is not None:
                phraser.add_vocab(docs.texts())
            else:
                counts.add(docs.doc, word, len(index))
            store.put(None, len(docs.keys), docs.doc, word)
        if not key_frames:
            raise CorpusError("the token table is empty: there is nothing to model.")
        if len(key_frames) == 1:
            all_keys = key_frames[0]
            rank = np.arange(len(all_keys))
        else:
            all_keys = pd.concat(key_frames, ignore_index=True)
            split = all_keys.duplicated(keys, keep=False)
            if split.any():
                first = all_keys.loc[split, keys].iloc[0].tolist()
                raise CorpusError(
                    f"the tokens of {dict(zip(keys, first, strict=True))} are in more than "
                    "one part of the token table; every part must hold whole documents "
                    "(the engines' batches do)."
                )
            # documents in key order, as the DataFrame path sorts them
            rank = all_keys[keys].groupby(keys, sort=True, observed=True).ngroup().to_numpy()
            all_keys = all_keys.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)
        del key_frames
        n_docs = len(all_keys)
        words = np.array(list(index), dtype=object)
        self.phrases_: list[tuple[str, str]] = []
        if phraser is not None:
            phraser.min_count = max(2, _auto_min_df(n_docs))
            pairs = [tuple(p.split("\x1f")) for p in phraser.export_phrases()]
            self.phrases_ = sorted((a, b) for a, b in pairs)
            del phraser
            # pass 2 (phrases): join the pairs in every part, then count
            joined: dict[str, int] = {}
            for p in range(len(store)):
                n_part, doc, word = store.get(p)
                texts = self._apply_phrases(_split(words[word], doc, n_part), forms)
                lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_part)
                flat = np.array([w for t in texts for w in t], dtype=object)
                codes, uniques = (pd.factorize(flat) if len(flat)
                                  else (np.zeros(0, np.int64), np.zeros(0, object)))
                word = _word_ids(list(uniques), joined)[codes]
                doc = np.repeat(np.arange(n_part), lengths)
                counts.add(doc, word, len(joined))
                store.put(p, n_part, doc, word)
            words = np.array(list(joined), dtype=object)
        n_words = len(words)
        df, cf = counts.sized(n_words)
        min_df = _auto_min_df(n_docs) if self.min_df is None else self.min_df
        if isinstance(min_df, float):
            min_df = max(1, math.ceil(min_df * n_docs))
        max_df = _auto_max_df(n_docs) if self.max_df is None else float(self.max_df)
        keep = (df >= int(min_df)) & (df <= int(max_df * n_docs)) & (cf > 0)
        candidates = np.flatnonzero(keep)
        if self.max_terms is not None and len(candidates) > self.max_terms:
            ranked = sorted(candidates.tolist(), key=lambda i: (-df[i], words[i]))
            candidates = np.array(ranked[: int(self.max_terms)], dtype=np.int64)
        vocab = sorted(words[candidates].tolist())
        if not vocab:
            store.drop()
            raise CorpusError(
                f"no terms are left after filtering {n_docs} documents "
                f"(min_df={min_df}, max_df={max_df}, min_chars={self.min_chars}); "
                "lower min_df or raise max_df, or check that the token table has content "
                "words that are not all stop words."
            )
        token2id = {w: i for i, w in enumerate(vocab)}
        new_id = np.full(n_words, -1, dtype=np.int64)
        for old in candidates.tolist():
            new_id[old] = token2id[words[old]]
        if streamed:
            bow, texts, n_terms, seq = self._assemble(store, new_id, rank, n_docs, vocab, home)
            self._texts = texts
            self._seq = None
        else:
            n_part, doc, word = store.get(0)
            pair_doc, pair_word, pair_count = _pairs(doc, word, n_words)
            bow, n_terms = _bow(pair_doc, new_id[pair_word], pair_count, n_docs, len(vocab))
            term = new_id[word]
            inside = term >= 0
            seq = self._seq = (doc[inside], term[inside])
            self._texts = None
        store.drop()
        dictionary = Dictionary()
        dictionary.token2id = token2id
        dictionary.dfs = {token2id[words[o]]: int(df[o]) for o in candidates.tolist()}
        dictionary.cfs = {token2id[words[o]]: int(cf[o]) for o in candidates.tolist()}
        dictionary.num_docs = n_docs
        dictionary.num_pos = counts.num_pos
        dictionary.num_nnz = counts.num_nnz
        used = n_terms > 0
        self.documents_ = all_keys.assign(n_terms=n_terms, used=used)
        self._used_index = np.flatnonzero(used)
        self._home = home
        self.corpus_ = bow
        self.dictionary_ = dictionary
        self.forms_ = {w: forms.get(w, Counter({w: 1})) for w in vocab}
        self.min_df_ = int(min_df)
        self.max_df_ = max_df
        self.keys_ = keys
        self.corpus_sha256_ = _digest(self.documents_.loc[used, keys], vocab, *seq)

    def _assemble(self, store: _PartStore, new_id: np.ndarray, rank: np.ndarray, n_docs: int,
                  vocab: list[str], home: _WorkDir
                  ) -> tuple[_BowCorpus, _Texts, np.ndarray, tuple[Iterator, Iterator]]:
        """Write the streamed bag-of-words and texts, documents in key order, to files
        in ``home`` (two passes over the parts: sizes, then entries)."""
        n_vocab = len(vocab)

        def part_terms(p: int) -> tuple[int, np.ndarray, tuple, tuple]:
            n_part, doc, word = store.get(p)
            pair_doc, pair_word, pair_count = _pairs(doc, word, len(new_id))
            bow = _bow_arrays(pair_doc, new_id[pair_word], pair_count, n_part, n_vocab)
            term = new_id[word]
            inside = term >= 0
            return n_part, doc, bow, (doc[inside], term[inside])

        starts = np.cumsum([0] + [n for n, _, _ in store.parts])
        n_terms = np.zeros(n_docs, np.int64)
        nnz = np.zeros(n_docs, np.int64)
        max_count = 0
        for p in range(len(store)):
            n_part, _, (pair_doc, _, pair_count, sizes), _ = part_terms(p)
            where = rank[starts[p]:starts[p] + n_part]
            n_terms[where] = sizes
            nnz[where] = np.bincount(pair_doc, minlength=n_part)
            max_count = max(max_count, int(pair_count.max()) if len(pair_count) else 0)
        used_index = np.flatnonzero(n_terms > 0)
        position = np.full(n_docs, -1, np.int64)
        position[used_index] = np.arange(len(used_index))
        bow_ptr = np.concatenate([[0], np.cumsum(nnz[used_index])]).astype(np.int64)
        text_ptr = np.concatenate([[0], np.cumsum(n_terms[used_index])]).astype(np.int64)
        term_dtype = _int_dtype(n_vocab)
        writers = {
            "bow_indices": _NpyWriter(home.path / "bow_indices.npy", term_dtype, bow_ptr[-1]),
            "bow_counts": _NpyWriter(home.path / "bow_counts.npy", _int_dtype(max_count),
                                     bow_ptr[-1]),
            "text_terms": _NpyWriter(home.path / "text_terms.npy", term_dtype, text_ptr[-1]),
        }
        try:
            for p in range(len(store)):
                n_part, _, (pair_doc, pair_term, pair_count, _), seq = part_terms(p)
                where = position[rank[starts[p]:starts[p] + n_part]]
                _write_documents([writers["bow_indices"], writers["bow_counts"]],
                                 [pair_term, pair_count], pair_doc, n_part,
                                 bow_ptr[np.maximum(where, 0)])
                _write_documents([writers["text_terms"]], [seq[1]], seq[0], n_part,
                                 text_ptr[np.maximum(where, 0)])
        finally:
            files = {name: w.close() for name, w in writers.items()}
        files["bow_indptr"] = str(home.save("bow_indptr", bow_ptr))
        files["text_indptr"] = str(home.save("text_indptr", text_ptr))
        bow = _BowCorpus(bow_ptr, _open(files["bow_indices"]), _open(files["bow_counts"]),
                         home, {"indptr": files["bow_indptr"], "indices": files["bow_indices"],
                                "counts": files["bow_counts"]})
        texts = _Texts(np.array(vocab, dtype=object), text_ptr, _open(files["text_terms"]),
                       home, {"indptr": files["text_indptr"], "terms": files["text_terms"]})

        def doc_chunks() -> Iterator[np.ndarray]:  # the document of every text word
            for s in range(0, len(used_index), _BLOCK):
                block = used_index[s:s + _BLOCK]
                yield np.repeat(block, n_terms[block])

        def term_chunks() -> Iterator[np.ndarray]:
            for s in range(0, len(used_index), _BLOCK):
                e = min(len(used_index), s + _BLOCK)
                yield np.asarray(texts.terms[text_ptr[s]:text_ptr[e]])

        return bow, texts, n_terms, (doc_chunks(), term_chunks())

    @property
    def texts_(self) -> list[list[str]] | _Texts:
        """The in-vocabulary words of every used document, in text order (for coherence).

        A list of lists after a fit on one DataFrame; after a streamed fit, an iterable
        of lists read block by block from a file (with ``len``).
        """
        self._check_built()
        if getattr(self, "_texts", None) is None:
            doc, term = self._seq
            vocab = np.array(self._vocab(), dtype=object)
            remap = np.full(len(self.documents_), -1, dtype=np.int64)
            remap[self._used_index] = np.arange(len(self._used_index))
            self._texts = _split(vocab[term], remap[doc], len(self._used_index))
        return self._texts

    def _check_built(self) -> None:
        if not hasattr(self, "dictionary_"):
            raise NotFittedError("this TopicModel is not fitted yet; call .fit(tokens).")

    def _apply_phrases(self, texts: list[list[str]], forms: dict[str, Counter]
                       ) -> list[list[str]]:
        """Join the learned pairs left to right (``直播`` ``带货`` -> ``直播_带货``)."""
        pairs = set(self.phrases_)
        joined = []
        for text in texts:
            out, i = [], 0
            while i < len(text):
                if i + 1 < len(text) and (text[i], text[i + 1]) in pairs:
                    term = f"{text[i]}_{text[i + 1]}"
                    if term not in forms:
                        left, right = _main_form(forms, text[i]), _main_form(forms, text[i + 1])
                        forms[term] = Counter({f"{left}_{right}": 1})
                    out.append(term)
                    i += 2
                else:
                    out.append(text[i])
                    i += 1
            joined.append(out)
        return joined

    def fit(self, tokens: pd.DataFrame | Any, y: None = None, *,
            work_dir: str | os.PathLike | None = None) -> TopicModel:
        """Learn the topics of the documents in a token table.

        Parameters
        ----------
        tokens : DataFrame, PartitionedTable, path or iterable of DataFrames
            The token table of :func:`cadrecast.tokenize`: ``doc_id``, ``para_id`` (for
            ``unit="paragraph"``), ``token`` and/or ``token_hans``, optionally
            ``is_stop``, ``token_id``. One DataFrame is modelled in memory. A streamed
            table — a :class:`~cadrecast.engine.PartitionedTable` (or the path of its
            folder of Parquet parts, as ``cadrecast run --engine`` writes ``tokens/``)
            or any iterable of DataFrame parts — is read one part at a time, and the
            bag-of-words the model trains on is streamed from files
            instead of held in memory. Every part must hold whole documents (all the
            tokens of a paragraph, for ``unit="paragraph"``). Both give the same model,
            bit for bit.
        y : None
            Ignored (scikit-learn protocol).
        work_dir : path, optional
            Where a streamed fit writes its files (in a new temporary folder, removed
            when the model is deleted). Default: the system's temporary folder
            (``TMPDIR``). Unused for a DataFrame.

        Returns
        -------
        TopicModel
            ``self``, fitted.

        Raises
        ------
        ColumnError
            A required column is missing.
        CorpusError
            No document has any term left after filtering, or a document's tokens are
            in more than one part.

        Examples
        --------
        >>> from cadrecast.engine import PartitionedTable                  # doctest: +SKIP
        >>> tokens = PartitionedTable("out/tokens")                         # doctest: +SKIP
        >>> model = TopicModel(n_topics=8, random_state=0).fit(tokens)      # doctest: +SKIP
        >>> model.corpus_                                                   # doctest: +SKIP
        <streamed bag-of-words: 20000 documents, 512345 entries>
        """
        self._build(tokens, work_dir)
        return self._train()

    def _train(self) -> TopicModel:
        """Train LDA on the built corpus (``_build`` ran)."""
        self._validate()
        if not self.corpus_:
            raise CorpusError(
                "every document is empty after removing stop words, numbers and rare "
                "terms; there is nothing to model."
            )
        self.gensim_model_ = _train_lda(self.corpus_, self.dictionary_, int(self.n_topics),
                                        int(self.random_state), self._lda_params())
        self._theta = None
        self.labels_ = self._auto_labels()
        return self

    #: what ``_build`` makes, shared by models fitted on the same documents
    _BUILT = ("documents_", "_used_index", "_seq", "_texts", "_home", "corpus_",
              "dictionary_", "forms_", "min_df_", "max_df_", "keys_", "corpus_sha256_",
              "phrases_")

    def _with_topics(self, n_topics: int) -> TopicModel:
        """A model with this one's parameters and documents, fitted with ``n_topics``
        (the documents are not prepared again)."""
        model = TopicModel(**{**self.get_params(), "n_topics": int(n_topics)})
        for name in self._BUILT:
            setattr(model, name, getattr(self, name))
        return model._train()

    def _release(self) -> None:
        """Delete a streamed fit's files now (the model can no longer use its corpus)."""
        home = getattr(self, "_home", None)
        if home is not None:
            home.cleanup()

    def fit_transform(self, tokens: pd.DataFrame | Any, y: None = None, *,
                      work_dir: str | os.PathLike | None = None) -> pd.DataFrame:
        """Fit, then return :meth:`document_topics`."""
        return self.fit(tokens, work_dir=work_dir).document_topics()

    def _check_fitted(self) -> None:
        if not hasattr(self, "gensim_model_"):
            raise NotFittedError(
                "this TopicModel is not fitted yet; call .fit(tokens) or TopicModel.load(path)."
            )

    # ---- learned quantities -----------------------------------------------------------

    @property
    def n_topics_(self) -> int:
        """Number of topics of the fitted model."""
        self._check_fitted()
        return int(self.gensim_model_.num_topics)

    @property
    def topic_term_(self) -> np.ndarray:
        """Topic-term probabilities, shape (n_topics, n_terms); rows sum to 1."""
        self._check_fitted()
        return _topic_term(self.gensim_model_)

    @property
    def theta_(self) -> np.ndarray:
        """Document-topic proportions of the used documents (rows sum to 1)."""
        self._check_fitted()
        if getattr(self, "_theta", None) is None:
            self._theta = _infer(self.gensim_model_, self.corpus_, int(self.random_state))
        return self._theta

    def _vocab(self) -> list[str]:
        d = self.dictionary_
        return [d[i] for i in range(len(d))]

    def _original(self, word: str) -> str:
        counts = self.forms_.get(word)
        if not counts:
            return word
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return "/".join(form for form, _ in ordered)

    def _relevance(self, lam: float = 0.6) -> np.ndarray:
        phi = self.topic_term_
        cf = np.array([self.dictionary_.cfs.get(i, 0) for i in range(phi.shape[1])], float)
        p_w = cf / cf.sum() if cf.sum() > 0 else np.full(phi.shape[1], 1 / phi.shape[1])
        with np.errstate(divide="ignore"):
            return lam * np.log(phi) + (1 - lam) * np.log(phi / np.maximum(p_w, 1e-12))

    def _auto_labels(self, n_words: int = 3) -> list[str]:
        """Three words per topic: highest relevance (lambda=0.6), leaving out background
        words that are among the ten most probable of more than half of the topics."""
        phi = self.topic_term_
        rel = self._relevance()
        vocab = self._vocab()
        k = phi.shape[0]
        top10 = np.argsort(-phi, axis=1, kind="stable")[:, :10]
        counts = np.bincount(top10.ravel(), minlength=phi.shape[1])
        background = counts > k / 2 if k >= 3 else np.zeros(phi.shape[1], bool)
        labels = []
        for t in range(k):
            order = np.argsort(-rel[t], kind="stable")
            picked = [i for i in order[: n_words + int(background.sum())]
                      if not background[i]][:n_words]
            labels.append(" / ".join(vocab[i] for i in picked))
        return labels

    def set_labels(self, labels: Sequence[str] | Mapping[int, str]) -> TopicModel:
        """Replace topic labels (a list with one label per topic, or ``{topic: label}``).

        Examples
        --------
        >>> model.set_labels({0: "扶贫助农"})  # doctest: +SKIP
        """
        self._check_fitted()
        new = list(self.labels_)
        items = labels.items() if isinstance(labels, Mapping) else enumerate(labels)
        for t, label in items:
            if not 0 <= int(t) < self.n_topics_:
                raise ConfigError(f"topic {t} does not exist; topics are 0..{self.n_topics_ - 1}.")
            new[int(t)] = str(label)
        if not isinstance(labels, Mapping) and len(labels) != self.n_topics_:
            raise ConfigError(f"give {self.n_topics_} labels, not {len(labels)}.")
        self.labels_ = new
        return self

    # ---- tidy outputs -----------------------------------------------------------------

    def topics(self, n: int = 10, *, relevance: float | None = None) -> pd.DataFrame:
        """The top words of every topic, one row per (topic, word).

        Parameters
        ----------
        n : int
            Words per topic.
        relevance : float in [0, 1], optional
            Rank by LDAvis relevance with this lambda instead of probability (lower
            values favour words distinctive of the topic).

        Returns
        -------
        DataFrame
            ``topic`` (int, 0-based, as in gensim), ``label``, ``rank`` (1-based),
            ``word`` (Simplified), ``word_original`` (the spelling(s) in the corpus, most
            frequent first, "/"-joined), ``weight`` (P(word | topic)).
        """
        self._check_fitted()
        phi = self.topic_term_
        score = phi if relevance is None else self._relevance(float(relevance))
        vocab = self._vocab()
        rows = []
        for t in range(phi.shape[0]):
            top = np.argsort(-score[t], kind="stable")[:n]
            for rank, i in enumerate(top, start=1):
                rows.append((t, self.labels_[t], rank, vocab[i], self._original(vocab[i]),
                             float(phi[t, i])))
        out = pd.DataFrame(rows, columns=["topic", "label", "rank", "word", "word_original",
                                          "weight"])
        return out.astype({"topic": "int64", "rank": "int64", "label": "string",
                           "word": "string", "word_original": "string"})

    def topic_info(self) -> pd.DataFrame:
        """One row per topic: ``topic``, ``label``, ``prevalence`` (mean proportion over
        documents), ``n_documents`` (documents where it is the largest topic),
        ``top_words`` (ten, space-separated)."""
        self._check_fitted()
        theta = self.theta_
        top = self.topics(n=10)
        words = top.groupby("topic")["word"].agg(" ".join)
        dominant = np.bincount(theta.argmax(axis=1), minlength=self.n_topics_) \
            if len(theta) else np.zeros(self.n_topics_, int)
        return pd.DataFrame({
            "topic": np.arange(self.n_topics_, dtype="int64"),
            "label": pd.array(self.labels_, dtype="string"),
            "prevalence": theta.mean(axis=0) if len(theta) else np.nan,
            "n_documents": dominant.astype("int64"),
            "top_words": pd.array(words.reindex(range(self.n_topics_)).tolist(),
                                  dtype="string"),
        })

    def _long(self, keys: pd.DataFrame, theta: np.ndarray) -> pd.DataFrame:
        k = theta.shape[1]
        out = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
        out["topic"] = np.tile(np.arange(k, dtype="int64"), len(keys))
        out["proportion"] = theta.reshape(-1)
        return out

    def document_topics(self) -> pd.DataFrame:
        """Topic proportions of every fitted document, one row per (document, topic).

        Returns
        -------
        DataFrame
            The key columns (``doc_id``, ``para_id`` for paragraphs), ``topic``,
            ``proportion`` (sums to 1 over a document's topics). Documents with no term
            in the vocabulary (see ``documents_``) have no rows.
        """
        self._check_fitted()
        return self._long(self._used_keys(), self.theta_)

    def transform(self, tokens: pd.DataFrame) -> pd.DataFrame:
        """Topic proportions of (new) documents under the fitted topics.

        The same input always gives the same output (inference starts from a point fixed
        by ``random_state``). Documents with no known term get no rows.

        Returns
        -------
        DataFrame
            As :meth:`document_topics`.
        """
        self._check_fitted()
        extra = self._stopword_set()
        docs = _prepare_docs(tokens, self.keys_, min_chars=self.min_chars,
                             drop_numbers=self.drop_numbers, stopwords=extra)
        if self.phrases_:
            docs = _Docs.from_texts(docs.keys, self._apply_phrases(docs.texts(), {}))
        token2id = self.dictionary_.token2id
        ids = np.array([token2id.get(w, -1) for w in docs.words], dtype=np.int64)
        term = ids[docs.word] if len(docs.word) else np.zeros(0, np.int64)
        inside = term >= 0
        pair_doc, pair_term, counts = _pairs(docs.doc[inside], term[inside], len(token2id))
        bow, n_terms = _bow(pair_doc, pair_term, counts, len(docs.keys), len(token2id))
        used = np.flatnonzero(n_terms)
        theta = _infer(self.gensim_model_, bow, int(self.random_state))
        keys = docs.keys.loc[used, self.keys_].reset_index(drop=True)
        return self._long(keys, theta)

    # ---- quality ----------------------------------------------------------------------

    def coherence(self, measures: Sequence[str] = ("c_v", "c_npmi"), *, top_n: int = 10
                  ) -> pd.DataFrame:
        """Coherence of every topic over the fitted documents.

        Returns
        -------
        DataFrame
            ``topic``, ``label`` and one column per measure (``c_v``, ``c_npmi``,
            ``u_mass`` or ``c_uci``).
        """
        self._check_fitted()
        if not getattr(self, "texts_", None):
            raise NotFittedError(
                "coherence needs the fitted documents, which a loaded model does not keep; "
                "refit on the token table."
            )
        out = pd.DataFrame({"topic": np.arange(self.n_topics_, dtype="int64"),
                            "label": pd.array(self.labels_, dtype="string")})
        for m in measures:
            check_choice("measure", m, ["c_v", "c_npmi", "u_mass", "c_uci"])
            out[m] = _coherence(self.gensim_model_, self.texts_, self.corpus_,
                                self.dictionary_, m, top_n)
        return out

    def perplexity(self) -> float:
        """Perplexity of the fitted documents (``2 ** -bound`` per word; lower is better)."""
        self._check_fitted()
        return _perplexity(self.gensim_model_, self.corpus_, int(self.random_state))

    # ---- paragraphs and covariates ----------------------------------------------------

    def representative_paragraphs(self, paragraphs: pd.DataFrame | Corpus | Any, n: int = 3, *,
                                  min_chars: int = 30, text_column: str = "text"
                                  ) -> pd.DataFrame:
        """The paragraphs where each topic is most prevalent.

        Parameters
        ----------
        paragraphs : DataFrame, Corpus, PartitionedTable or iterable of DataFrames
            A table with the key columns and ``text_column`` (``corpus.paragraphs``), or
            the same table in parts (a streamed run's ``paragraphs`` folder): parts are
            read one at a time and only each topic's best candidates are kept, so memory
            does not grow with the table.
        n : int
            Paragraphs per topic.
        min_chars : int
            Skip shorter paragraphs (titles, teasers); falls back to shorter ones when
            a topic has too few.

        Returns
        -------
        DataFrame
            ``topic``, ``label``, ``rank`` (1-based), the key columns, ``proportion``,
            ``text``. Paragraphs with identical text are shown once.

        Examples
        --------
        >>> reps = model.representative_paragraphs(corpus.paragraphs, n=2)  # doctest: +SKIP
        >>> reps[["topic", "rank", "proportion"]].head(2)  # doctest: +SKIP
        """
        self._check_fitted()
        keys = self._used_keys()
        index = pd.MultiIndex.from_frame(keys)
        theta = self.theta_
        k = theta.shape[1]
        order = ["topic", "_long", "proportion", *self.keys_]
        ascending = [True, False, False, *[True] * len(self.keys_)]
        best: pd.DataFrame | None = None
        for part in _table_parts(paragraphs, self.keys_, [text_column]):
            pos = index.get_indexer(pd.MultiIndex.from_frame(part[self.keys_]))
            hit = pos >= 0
            rows = part.loc[hit, self.keys_].reset_index(drop=True)
            text = part.loc[hit, text_column].astype("string").fillna("").reset_index(drop=True)
            cand = rows.loc[rows.index.repeat(k)].reset_index(drop=True)
            cand["topic"] = np.tile(np.arange(k, dtype="int64"), len(rows))
            cand["proportion"] = theta[pos[hit]].reshape(-1)
            cand["text"] = text.repeat(k).reset_index(drop=True)
            cand["_long"] = cand["text"].str.len() >= min_chars
            if best is not None:
                cand = pd.concat([best, cand], ignore_index=True)
            # the n best distinct texts of each topic so far: what is not among them in
            # a part cannot be among them in the whole table
            cand = cand.sort_values(order, ascending=ascending, kind="stable")
            cand = cand.drop_duplicates(["topic", "text"], keep="first")
            best = cand.groupby("topic", sort=True).head(n).reset_index(drop=True)
        columns = ["topic", "label", "rank", *self.keys_, "proportion", "text"]
        if best is None:
            return pd.DataFrame(columns=columns)
        top = best
        top["rank"] = top.groupby("topic").cumcount().astype("int64") + 1
        top["label"] = pd.array([self.labels_[t] for t in top["topic"]], dtype="string")
        return top[columns]

    def _used_keys(self) -> pd.DataFrame:
        """The key columns of the used documents, in the row order of :attr:`theta_`."""
        return self.documents_.loc[self.documents_["used"], self.keys_].reset_index(drop=True)

    def compare(self, covariates: pd.DataFrame | Corpus, by: str, **kwargs: Any
                ) -> pd.DataFrame:
        """Topic prevalence by a covariate, with bootstrap intervals.

        Shorthand for :func:`compare_topics` on :meth:`document_topics` with this model's
        labels; see there for the parameters and columns.
        """
        self._check_fitted()
        keys = self._used_keys()
        order = keys.sort_values(self.keys_, kind="stable").index.to_numpy()
        return _compare(keys.iloc[order].reset_index(drop=True), self.theta_[order],
                        list(range(self.n_topics_)), covariates, by,
                        **{"labels": self.labels_, **kwargs})

    # ---- interactive view -------------------------------------------------------------

    def to_html(self, path: str | os.PathLike | None = None, *, n_words: int = 30) -> str:
        """Export an interactive pyLDAvis view as one self-contained HTML page.

        d3, LDAvis' JavaScript and its CSS are inlined, so the page works offline.
        Topics are numbered as in the tables (0-based) and in this model's order.

        Parameters
        ----------
        path : path, optional
            Also write the page here (UTF-8).
        n_words : int
            Words shown per topic.

        Returns
        -------
        str
            The HTML page.
        """
        self._check_fitted()
        try:
            import pyLDAvis
            from pyLDAvis import _display, urls
        except ImportError as exc:  # pragma: no cover - depends on the installation
            from .errors import DependencyError

            raise DependencyError(
                "the interactive topic view needs pyLDAvis: pip install pyLDAvis"
            ) from exc
        vocab = self._vocab()
        cf = np.array([self.dictionary_.cfs.get(i, 0) for i in range(len(vocab))], float)
        doc_lengths = self.documents_.loc[self.documents_["used"], "n_terms"].to_numpy()
        vis = pyLDAvis.prepare(
            topic_term_dists=self.topic_term_, doc_topic_dists=self.theta_,
            doc_lengths=doc_lengths, vocab=vocab, term_frequency=cf, R=n_words,
            n_jobs=1, sort_topics=False, start_index=0,
        )
        body = _display.prepared_data_to_html(
            vis, d3_url="CADRECAST_D3", ldavis_url="CADRECAST_LDAVIS",
            ldavis_css_url="CADRECAST_CSS", template_type="simple", visid="cadrecast_topics",
        )
        css_local = getattr(urls, "LDAVIS_CSS_LOCAL", None)
        inline = {
            '<script type="text/javascript" src="CADRECAST_D3"></script>':
                f'<script type="text/javascript">\n{_read(urls.D3_LOCAL)}\n</script>',
            '<script type="text/javascript" src="CADRECAST_LDAVIS"></script>':
                f'<script type="text/javascript">\n{_read(urls.LDAVIS_LOCAL)}\n</script>',
            '<link rel="stylesheet" type="text/css" href="CADRECAST_CSS">':
                f"<style>\n{_read(css_local)}\n</style>",
        }
        for tag, replacement in inline.items():
            if tag not in body:  # pragma: no cover - a changed pyLDAvis template
                from .errors import DependencyError

                raise DependencyError(
                    "this pyLDAvis version writes a page cadrecast cannot make self-contained"
                )
            body = body.replace(tag, replacement)
        page = (
            '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            f"<title>cadrecast topics (k={self.n_topics_})</title>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n"
        )
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    # ---- persistence ------------------------------------------------------------------

    def save(self, path: str | os.PathLike, *, gensim_files: bool = True) -> Path:
        """Save the fitted model into folder ``path`` without pickle on the default path.

        Writes ``manifest.json`` (versions, seed, parameters, corpus checksum, file
        checksums), ``vocabulary.tsv``, ``forms.json``, ``documents.csv``, and NumPy
        arrays (``sstats.npy``, ``alpha.npy``, ``eta.npy``, ``theta.npy``) that
        :meth:`load` reads with ``allow_pickle=False``. With ``gensim_files=True`` it
        also writes gensim's own files into ``gensim/`` (``LdaModel.load`` reads them;
        they use pickle, so load them only from a source you trust).

        Returns
        -------
        Path
            The folder.
        """
        self._check_fitted()
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        lda = self.gensim_model_
        d = self.dictionary_
        files: dict[str, str] = {}

        def write_npy(name: str, array: np.ndarray) -> None:
            np.save(folder / name, np.asarray(array), allow_pickle=False)
            files[name] = _sha256(folder / name)

        write_npy("sstats.npy", lda.state.sstats)
        write_npy("alpha.npy", lda.alpha)
        write_npy("eta.npy", lda.eta)
        write_npy("theta.npy", self.theta_)
        vocab_lines = ["id\tword\tdf\tcf"]
        for i in range(len(d)):
            vocab_lines.append(f"{i}\t{d[i]}\t{d.dfs.get(i, 0)}\t{d.cfs.get(i, 0)}")
        (folder / "vocabulary.tsv").write_text("\n".join(vocab_lines) + "\n", encoding="utf-8")
        files["vocabulary.tsv"] = _sha256(folder / "vocabulary.tsv")
        forms = {w: dict(sorted(c.items())) for w, c in sorted(self.forms_.items())}
        (folder / "forms.json").write_text(json.dumps(forms, ensure_ascii=False, indent=0),
                                           encoding="utf-8")
        files["forms.json"] = _sha256(folder / "forms.json")
        self.documents_.to_csv(folder / "documents.csv", index=False, encoding="utf-8")
        files["documents.csv"] = _sha256(folder / "documents.csv")
        params = {k: (sorted(v) if k == "stopwords" and v is not None else v)
                  for k, v in self.get_params().items()}
        for k in ("alpha", "eta"):
            if isinstance(params[k], np.ndarray):
                params[k] = params[k].tolist()
        manifest = {
            "format": "cadrecast.TopicModel",
            "format_version": _FORMAT_VERSION,
            "params": params,
            "n_topics": self.n_topics_,
            "keys": self.keys_,
            "labels": self.labels_,
            "min_df_used": self.min_df_,
            "max_df_used": self.max_df_,
            "num_docs": int(d.num_docs),
            "num_pos": int(d.num_pos),
            "num_nnz": int(d.num_nnz),
            "lda_numdocs": int(lda.state.numdocs),
            "num_updates": int(getattr(lda, "num_updates", 0)),
            "dtype": str(np.dtype(lda.dtype)),
            "corpus_sha256": self.corpus_sha256_,
            "phrases": [list(p) for p in self.phrases_],
            "files": files,
            "versions": _versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if gensim_files:
            (folder / "gensim").mkdir(exist_ok=True)
            lda.save(str(folder / "gensim" / "lda.model"))
            manifest["gensim_files"] = sorted(p.name for p in (folder / "gensim").iterdir())
        (folder / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, default=_json_default) + "\n",
            encoding="utf-8",
        )
        return folder

    @classmethod
    def load(cls, path: str | os.PathLike) -> TopicModel:
        """Load a model written by :meth:`save` (no pickle; checksums verified).

        The loaded model has the same topics, labels and document-topic proportions and
        :meth:`transform` gives the same output as the saved one. It does not keep the
        documents' terms, so :meth:`coherence` needs a refit.

        Raises
        ------
        CorpusNotFoundError
            ``path`` is not a saved model.
        ChecksumError
            A file differs from the checksum in the manifest.
        """
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        from .errors import ChecksumError, CorpusNotFoundError

        folder = Path(path)
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise CorpusNotFoundError(
                f"{folder} is not a saved cadrecast TopicModel (no manifest.json)."
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != "cadrecast.TopicModel":
            raise ConfigError(f"{manifest_path} does not describe a cadrecast.TopicModel.")
        for name, digest in manifest["files"].items():
            if _sha256(folder / name) != digest:
                raise ChecksumError(
                    f"{folder / name} differs from the checksum in {manifest_path}; "
                    "the saved model was changed or is incomplete."
                )

        def read_npy(name: str) -> np.ndarray:
            return np.load(folder / name, allow_pickle=False)

        params = dict(manifest["params"])
        model = cls(**params)
        d = Dictionary()
        vocab = pd.read_csv(folder / "vocabulary.tsv", sep="\t", dtype={"word": str},
                            keep_default_na=False, quoting=3)
        d.token2id = {w: int(i) for i, w in zip(vocab["id"], vocab["word"], strict=True)}
        d.dfs = {int(i): int(v) for i, v in zip(vocab["id"], vocab["df"], strict=True)}
        d.cfs = {int(i): int(v) for i, v in zip(vocab["id"], vocab["cf"], strict=True)}
        d.num_docs, d.num_pos, d.num_nnz = (manifest["num_docs"], manifest["num_pos"],
                                            manifest["num_nnz"])
        sstats = read_npy("sstats.npy")
        dtype = np.dtype(manifest["dtype"])
        lda = LdaModel(id2word=d, num_topics=int(manifest["n_topics"]),
                       alpha=read_npy("alpha.npy"), eta=read_npy("eta.npy"),
                       passes=model.passes, iterations=model.iterations,
                       chunksize=model.chunksize or 2000, eval_every=None, minimum_probability=0.0,
                       random_state=int(model.random_state), dtype=dtype.type)
        lda.state.sstats = sstats.astype(dtype, copy=False)
        lda.state.numdocs = int(manifest["lda_numdocs"])
        lda.num_updates = int(manifest["num_updates"])
        lda.sync_state()
        keys = list(manifest["keys"])
        docs = pd.read_csv(folder / "documents.csv", dtype={"doc_id": str},
                           keep_default_na=False)
        model.documents_ = docs.astype({"used": bool, "n_tokens": "int64", "n_terms": "int64"})
        model.keys_ = keys
        model.dictionary_ = d
        model.gensim_model_ = lda
        model.corpus_ = []
        model._texts = []
        model._seq = None
        model._home = None
        model.phrases_ = [tuple(p) for p in manifest.get("phrases", [])]
        model._used_index = np.flatnonzero(model.documents_["used"].to_numpy())
        model._theta = read_npy("theta.npy")
        forms = json.loads((folder / "forms.json").read_text(encoding="utf-8"))
        model.forms_ = {w: Counter(c) for w, c in forms.items()}
        model.labels_ = list(manifest["labels"])
        model.min_df_ = int(manifest["min_df_used"])
        model.max_df_ = float(manifest["max_df_used"])
        model.corpus_sha256_ = manifest["corpus_sha256"]
        model.manifest_ = manifest
        return model


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (ValueError, TypeError):
        return False


def _read(path: str | None) -> str:
    if not path or not os.path.isfile(path):  # pragma: no cover - a broken pyLDAvis
        from .errors import DependencyError

        raise DependencyError(f"pyLDAvis' bundled file {path!r} is missing; reinstall pyLDAvis")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, frozenset | set | tuple):
        return sorted(obj)
    return str(obj)


def _versions() -> dict[str, str]:
    import gensim

    return {"cadrecast": __version__, "gensim": gensim.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "python": sys.version.split()[0]}


def _table_parts(table: Any, keys: list[str], needed: list[str]) -> Iterator[pd.DataFrame]:
    """A paragraph table (DataFrame, Corpus, PartitionedTable or iterable of DataFrames)
    one part at a time, each with the ``keys`` and ``needed`` columns."""
    if isinstance(table, pd.DataFrame) or hasattr(table, "paragraphs"):
        yield _paragraph_table(table, keys, needed)
        return
    partitions = getattr(table, "partitions", None)
    if callable(partitions):
        parts: Iterable[Any] = partitions(list(dict.fromkeys([*keys, *needed])))
    elif isinstance(table, Iterable) and not isinstance(table, str | bytes | Mapping):
        parts = table
    else:
        raise ColumnError(
            "give a DataFrame (e.g. corpus.paragraphs), a Corpus, a PartitionedTable or an "
            f"iterable of DataFrame parts, not {type(table).__name__}."
        )
    for part in parts:
        yield _paragraph_table(part, keys, needed)


def _paragraph_table(table: pd.DataFrame | Corpus, keys: list[str], needed: list[str]
                     ) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        table = getattr(table, "paragraphs", None) if len(keys) > 1 else \
            getattr(table, "documents", None)
        if not isinstance(table, pd.DataFrame):
            raise ColumnError("give a DataFrame (e.g. corpus.paragraphs) or a Corpus.")
    missing = [c for c in [*keys, *needed] if c not in table.columns]
    if missing:
        raise ColumnError(
            f"the table lacks column(s) {missing}; it needs {[*keys, *needed]} "
            f"(it has {list(table.columns)})."
        )
    return table


# --------------------------------------------------------------------------------------
# quality measures and k selection
# --------------------------------------------------------------------------------------


def _coherence(lda: LdaModel, texts: list[list[str]], bow: list, dictionary: Dictionary,
               measure: str, top_n: int) -> np.ndarray:
    import warnings

    from gensim.models import CoherenceModel

    kwargs: dict[str, Any] = {"coherence": measure, "topn": top_n, "dictionary": dictionary,
                              "processes": 1}
    if measure == "u_mass":
        kwargs["corpus"] = bow
    else:
        kwargs["texts"] = texts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) for never co-occurring pairs
        cm = CoherenceModel(model=lda, **kwargs)
        values = np.asarray(cm.get_coherence_per_topic(), dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


def _perplexity(lda: LdaModel, bow: list, seed: int) -> float:
    saved = lda.random_state
    lda.random_state = np.random.RandomState(seed)
    try:
        bound = lda.log_perplexity(bow)
    finally:
        lda.random_state = saved
    return float(np.exp2(-bound))


def _match_similarity(a: np.ndarray, b: np.ndarray, top_n: int = 10) -> tuple[float, float]:
    """Average best-match cosine similarity and top-word Jaccard between two topic sets."""
    from scipy.optimize import linear_sum_assignment

    an = a / np.linalg.norm(a, axis=1, keepdims=True)
    bn = b / np.linalg.norm(b, axis=1, keepdims=True)
    sim = an @ bn.T
    rows, cols = linear_sum_assignment(-sim)
    cos = float(sim[rows, cols].mean())
    ta = np.argsort(-a, axis=1, kind="stable")[:, :top_n]
    tb = np.argsort(-b, axis=1, kind="stable")[:, :top_n]
    jac = [len(set(ta[r]) & set(tb[c])) / len(set(ta[r]) | set(tb[c]))
           for r, c in zip(rows, cols, strict=True)]
    return cos, float(np.mean(jac))


# the data a select_k worker needs, sent once per process
_WORKER: dict[str, Any] = {}


def _init_worker(payload: dict[str, Any]) -> None:
    _WORKER.clear()
    _WORKER.update(payload)


def _fit_and_score(task: tuple[int, int]) -> dict[str, Any]:
    k, seed = task
    p = _WORKER
    lda = _train_lda(p["bow"], p["dictionary"], k, seed, p["params"])
    cv = _coherence(lda, p["texts"], p["bow"], p["dictionary"], "c_v", p["top_n"])
    npmi = _coherence(lda, p["texts"], p["bow"], p["dictionary"], "c_npmi", p["top_n"])
    return {"k": k, "seed": seed, "c_v": float(np.nanmean(cv)),
            "npmi": float(np.nanmean(npmi)),
            "perplexity": _perplexity(lda, p["bow"], seed), "phi": _topic_term(lda)}


def select_k(
    tokens: pd.DataFrame | Any,
    ks: Iterable[int] = DEFAULT_KS,
    *,
    n_seeds: int = DEFAULT_N_SEEDS,
    n_jobs: int = 1,
    top_n: int = 10,
    progress: bool = False,
    engine: Any = None,
    work_dir: str | os.PathLike | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Fit a range of topic counts and report the evidence for choosing one.

    For every ``k`` the model is fitted with ``n_seeds`` seeds (``random_state``,
    ``random_state + 1`` ...). Each fit is scored by topic coherence, ``c_v`` (Röder et
    al. 2015) and NPMI (Bouma 2009; Lau et al. 2014) over the top ``top_n`` words, and by
    perplexity on the fitted documents. Stability is the average best-match similarity
    between the topics of every pair of seeds (topics paired by the Hungarian
    algorithm): cosine of the topic-word distributions (``stability``) and Jaccard
    overlap of their top words (``stability_top``).

    The default choice (:func:`choose_k`): the ``k`` with the highest mean of ``c_v``,
    ``npmi`` and ``stability``, each min-max scaled over the ``ks`` tried; ties go to the
    smaller ``k``. Perplexity is reported but not used: on the training documents it
    falls as ``k`` grows and it does not track human judgements of topics (Chang et al.
    2009).

    Parameters
    ----------
    tokens : DataFrame, PartitionedTable, path or iterable of DataFrames
        The token table (see :meth:`TopicModel.fit`). A streamed table is read once;
        every fit then streams the same bag-of-words from disk, and the fits sent to
        an ``engine`` receive that corpus compactly (its files' paths for workers on
        this machine, its integer arrays otherwise), never as lists.
    ks : iterable of int
        Topic counts to try.
    n_seeds : int
        Seeds per ``k`` (at least 2 for stability).
    n_jobs : int
        Processes for the fits (``-1``: all cores). The result does not depend on it.
    top_n : int
        Words per topic for coherence and ``stability_top``.
    engine : cadrecast.engine.Engine, optional
        Run the fits on this engine's workers instead (a Dask cluster, a process pool;
        see ``cadrecast.engine.make_engine``); the ``cadrecast run`` engines pass theirs.
        The result does not depend on it either.
    work_dir : path, optional
        Where a streamed table's files go (see :meth:`TopicModel.fit`).
    **params
        :class:`TopicModel` parameters (``random_state``, ``passes``, ``min_df`` ...).

    Returns
    -------
    DataFrame
        One row per ``k``: ``k``, ``c_v``, ``c_v_sd``, ``npmi``, ``npmi_sd`` (mean and
        standard deviation over seeds), ``perplexity``, ``stability``,
        ``stability_top``, ``score``, ``chosen`` (bool, one row True).

    Examples
    --------
    >>> table = select_k(tokens, ks=[4, 6, 8], passes=10)        # doctest: +SKIP
    >>> int(table.loc[table["chosen"], "k"].iloc[0])             # doctest: +SKIP
    6
    >>> from cadrecast.engine import PartitionedTable                   # doctest: +SKIP
    >>> select_k(PartitionedTable("out/tokens"), ks=[4, 6, 8])         # doctest: +SKIP
    """
    ks = _check_ks(ks, n_seeds)
    base = _base_model(tokens, ks, params, work_dir)
    try:
        return _select_k(base, ks, n_seeds=n_seeds, n_jobs=n_jobs, top_n=top_n,
                         progress=progress, engine=engine)
    finally:
        base._release()


def _check_ks(ks: Iterable[int], n_seeds: int) -> list[int]:
    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 1:
        raise ConfigError(f"ks must hold positive topic counts, not {ks!r}.")
    if n_seeds < 1:
        raise ConfigError(f"n_seeds must be at least 1, not {n_seeds!r}.")
    return ks


def _base_model(tokens: Any, ks: list[int], params: dict[str, Any],
                work_dir: str | os.PathLike | None) -> TopicModel:
    """A model with the documents of ``tokens`` prepared (not trained)."""
    params = {k: v for k, v in params.items() if k != "n_topics"}
    base = TopicModel(n_topics=ks[0], **params)
    base._build(tokens, work_dir)
    return base


def _select_k(base: TopicModel, ks: list[int], *, n_seeds: int, n_jobs: int, top_n: int,
              progress: bool, engine: Any) -> pd.DataFrame:
    """:func:`select_k` on a model whose documents are prepared."""
    if not base.corpus_:
        raise CorpusError("every document is empty after filtering; nothing to model.")
    seed0 = int(base.random_state)
    tasks = [(k, seed0 + s) for k in ks for s in range(n_seeds)]
    payload = {"bow": base.corpus_, "texts": base.texts_, "dictionary": base.dictionary_,
               "params": base._lda_params(), "top_n": top_n}
    n_jobs = (os.cpu_count() or 1) if n_jobs in (-1, None) else max(1, int(n_jobs))
    n_jobs = min(n_jobs, len(tasks))
    results = _run_tasks(tasks, payload, n_jobs, progress, engine)
    rows = []
    for k in ks:
        runs = [r for r in results if r["k"] == k]
        pairs = [_match_similarity(a["phi"], b["phi"], top_n)
                 for i, a in enumerate(runs) for b in runs[i + 1:]]
        rows.append({
            "k": k,
            "c_v": float(np.mean([r["c_v"] for r in runs])),
            "c_v_sd": float(np.std([r["c_v"] for r in runs])),
            "npmi": float(np.mean([r["npmi"] for r in runs])),
            "npmi_sd": float(np.std([r["npmi"] for r in runs])),
            "perplexity": float(np.mean([r["perplexity"] for r in runs])),
            "stability": float(np.mean([p[0] for p in pairs])) if pairs else np.nan,
            "stability_top": float(np.mean([p[1] for p in pairs])) if pairs else np.nan,
        })
    table = pd.DataFrame(rows).astype({"k": "int64"})
    table["score"] = _score(table)
    best = choose_k(table)
    table["chosen"] = table["k"] == best
    table.attrs["n_documents"] = len(base.corpus_)
    table.attrs["n_terms"] = len(base.dictionary_)
    return table


def _fit_and_score_shared(payload: dict[str, Any], task: tuple[int, int]) -> dict[str, Any]:
    """One fit on an engine's worker (``payload`` arrives once per worker)."""
    if _WORKER.get("bow") is not payload["bow"]:
        _init_worker(payload)
    return _fit_and_score(task)


def _run_tasks(tasks: list[tuple[int, int]], payload: dict[str, Any], n_jobs: int,
               progress: bool, engine: Any = None) -> list[dict[str, Any]]:
    if engine is not None and getattr(engine, "n_workers", 1) > 1 and len(tasks) > 1:
        # the fits of every (k, seed) spread over the run's engine (cadrecast.engine):
        # each is a single-process LdaModel with its own seed, so the table is the same.
        # A streamed corpus travels as its files' paths to workers on this machine and
        # as its compact integer arrays to others, never as lists of tuples.
        by_path = _same_machine(engine)
        shared = {k: _portable(v, by_path) for k, v in payload.items()}
        return engine.map(_fit_and_score_shared, tasks, shared=shared)
    if n_jobs <= 1:
        _init_worker(payload)
        try:
            iterator = tasks
            if progress:
                from tqdm.auto import tqdm

                iterator = tqdm(tasks, desc="select_k", unit="fit")
            return [_fit_and_score(t) for t in iterator]
        finally:
            _WORKER.clear()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork (Linux) needs no `if __name__ == "__main__"` guard in the user's script;
    # elsewhere use the platform's default start method
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods and sys.platform == "linux"
                                      else None)
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(payload,)) as pool:
        return list(pool.map(_fit_and_score, tasks))


def _score(table: pd.DataFrame) -> np.ndarray:
    parts = []
    for col in ("c_v", "npmi", "stability"):
        v = table[col].to_numpy(dtype=float)
        if np.all(np.isnan(v)):
            continue
        lo, hi = np.nanmin(v), np.nanmax(v)
        scaled = np.ones_like(v) if hi - lo < 1e-12 else (v - lo) / (hi - lo)
        parts.append(np.nan_to_num(scaled, nan=0.0))
    return np.mean(parts, axis=0) if parts else np.zeros(len(table))


def choose_k(table: pd.DataFrame) -> int:
    """The ``k`` with the highest ``score`` of a :func:`select_k` table (ties: smaller k).

    Examples
    --------
    >>> choose_k(pd.DataFrame({"k": [4, 6, 8], "score": [0.2, 0.9, 0.9]}))
    6
    """
    if "score" not in table.columns or "k" not in table.columns:
        raise ColumnError("choose_k needs a select_k table with columns 'k' and 'score'.")
    ordered = table.sort_values(["score", "k"], ascending=[False, True], kind="stable")
    return int(ordered["k"].iloc[0])


# --------------------------------------------------------------------------------------
# covariates
# --------------------------------------------------------------------------------------


def compare_topics(
    document_topics: pd.DataFrame,
    covariates: pd.DataFrame | Corpus,
    by: str,
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    cluster: str | None = None,
    labels: Sequence[str] | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Topic prevalence by the levels of a covariate, with bootstrap intervals.

    For each level of ``by`` (any column of the paragraph table: ``doc_id``, ``source``,
    ``script``, a stance column merged in ...), the prevalence of a topic is the mean of
    its proportion over the level's paragraphs. Its interval is the percentile bootstrap
    interval over ``n_boot`` resamples of the level's paragraphs (or of its clusters,
    e.g. whole articles, with ``cluster="doc_id"``). The difference between the level
    and all other paragraphs is bootstrapped the same way, like an STM effect estimate
    of a binary covariate.

    Parameters
    ----------
    document_topics : DataFrame
        :meth:`TopicModel.document_topics` (key columns, ``topic``, ``proportion``).
    covariates : DataFrame or Corpus
        A table with the same key columns and ``by`` (``corpus.paragraphs``, or a stance
        table); a Corpus means its paragraphs.
    by : str
        The covariate column. Rows where it is missing are left out.
    n_boot : int
        Bootstrap resamples.
    ci : float
        Interval coverage (0.95 -> 2.5th and 97.5th percentiles).
    cluster : str, optional
        Resample whole clusters (a column, e.g. ``"doc_id"``) instead of paragraphs,
        because paragraphs of one article are not independent. A level with fewer than
        two clusters gets no interval (NaN).
    labels : list of str, optional
        Topic labels, to add a ``label`` column.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        One row per (level, topic): ``by`` (the covariate's name), ``level``, ``topic``,
        ``label``, ``n`` (paragraphs), ``n_clusters``, ``prevalence``, ``ci_low``,
        ``ci_high``, ``rest`` (prevalence in all other paragraphs), ``difference``
        (prevalence - rest), ``diff_low``, ``diff_high``, ``credible`` (the difference
        interval excludes 0).

    Examples
    --------
    >>> dt = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "para_id": [0, 0, 0, 0],
    ...                    "topic": [0, 1, 0, 1], "proportion": [0.9, 0.1, 0.2, 0.8]})
    >>> cov = pd.DataFrame({"doc_id": ["a", "b"], "para_id": [0, 0], "side": ["x", "y"]})
    >>> compare_topics(dt, cov, "side", n_boot=50)[["level", "topic", "prevalence"]].shape
    (4, 3)
    """
    for col in ("topic", "proportion"):
        if col not in document_topics.columns:
            raise ColumnError(f"document_topics lacks column {col!r} (use "
                              "TopicModel.document_topics()).")
    keys = [c for c in ("doc_id", "para_id", "sent_id") if c in document_topics.columns]
    if not keys:
        raise ColumnError("document_topics has no key column (doc_id, para_id ...).")
    wide = document_topics.pivot_table(index=keys, columns="topic", values="proportion",
                                       aggfunc="first", sort=True)
    return _compare(wide.index.to_frame(index=False), wide.to_numpy(dtype=np.float64),
                    list(wide.columns), covariates, by, n_boot=n_boot, ci=ci,
                    cluster=cluster, labels=labels, random_state=random_state)


def _compare(keys_frame: pd.DataFrame, theta_all: np.ndarray, topics: list, covariates: Any,
             by: str, *, n_boot: int = 1000, ci: float = 0.95, cluster: str | None = None,
             labels: Sequence[str] | None = None, random_state: int = 0) -> pd.DataFrame:
    """:func:`compare_topics` on a wide table: ``theta_all[i]`` are the topic proportions
    of the document whose keys are row ``i`` of ``keys_frame`` (rows sorted by the keys)."""
    keys = list(keys_frame.columns)
    if not 0 < ci < 1:
        raise ConfigError(f"ci must be between 0 and 1, not {ci!r}.")
    if n_boot < 1:
        raise ConfigError(f"n_boot must be positive, not {n_boot!r}.")
    if not isinstance(covariates, pd.DataFrame):
        covariates = _paragraph_table(covariates, keys, [by])
    extra = [c for c in (by, cluster) if c is not None]
    cov_keys = [k for k in keys if k in covariates.columns]
    missing = [c for c in extra if c not in covariates.columns]
    if missing or not cov_keys:
        raise ColumnError(
            f"the covariate table needs {['doc_id', *extra]} (and para_id for paragraphs); "
            f"it lacks {missing or keys}. Columns: {list(covariates.columns)}"
        )
    cov = covariates[list(dict.fromkeys([*cov_keys, *extra]))]
    if cov.duplicated(cov_keys).any():
        raise ColumnError(
            f"the covariate table has several rows for one {cov_keys}; give one row per "
            "document unit."
        )
    merged = keys_frame.assign(_row=np.arange(len(keys_frame))).merge(cov, on=cov_keys,
                                                                      how="inner")
    merged = merged[merged[by].notna()]
    theta = theta_all[merged["_row"].to_numpy()]
    level_values = np.array([str(v) for v in merged[by]], dtype=object)
    clusters = (merged[cluster].astype(str).to_numpy() if cluster
                else np.arange(len(merged)).astype(str))
    rng = np.random.default_rng(random_state)
    alpha = (1 - ci) / 2
    rows = []
    for level in sorted(pd.unique(level_values)):
        inside = level_values == level
        boot_in, n_cl_in = _bootstrap_means(theta[inside], clusters[inside], n_boot, rng)
        mean_in = theta[inside].mean(axis=0)
        has_rest = (~inside).any()
        if has_rest:
            boot_out, _ = _bootstrap_means(theta[~inside], clusters[~inside],
                                                  n_boot, rng)
            mean_out = theta[~inside].mean(axis=0)
        for j, t in enumerate(topics):
            lo, hi = _interval(boot_in, j, alpha)
            row = {"by": by, "level": level, "topic": int(t),
                   "label": labels[int(t)] if labels is not None else f"topic {int(t)}",
                   "n": int(inside.sum()), "n_clusters": n_cl_in,
                   "prevalence": float(mean_in[j]), "ci_low": lo, "ci_high": hi}
            if has_rest:
                diff = (boot_in[:, j] - boot_out[:, j]) if boot_in is not None and \
                    boot_out is not None else None
                dlo, dhi = (np.nan, np.nan) if diff is None else (
                    float(np.quantile(diff, alpha)), float(np.quantile(diff, 1 - alpha)))
                row.update(rest=float(mean_out[j]), difference=float(mean_in[j] - mean_out[j]),
                           diff_low=dlo, diff_high=dhi)
            else:
                row.update(rest=np.nan, difference=np.nan, diff_low=np.nan, diff_high=np.nan)
            row["credible"] = bool(row["diff_low"] > 0 or row["diff_high"] < 0)
            rows.append(row)
    out = pd.DataFrame(rows, columns=["by", "level", "topic", "label", "n", "n_clusters",
                                      "prevalence", "ci_low", "ci_high", "rest",
                                      "difference", "diff_low", "diff_high", "credible"])
    out.attrs.update(n_boot=n_boot, ci=ci, cluster=cluster, random_state=random_state)
    return out.astype({"by": "string", "level": "string", "label": "string",
                       "topic": "int64", "n": "int64", "n_clusters": "int64",
                       "credible": bool})


def _bootstrap_means(theta: np.ndarray, clusters: np.ndarray, n_boot: int,
                     rng: np.random.Generator) -> tuple[np.ndarray | None, int]:
    """Bootstrap means (n_boot x K) resampling clusters; None if under two clusters."""
    codes, uniq = pd.factorize(clusters, sort=True)
    n_cl = len(uniq)
    if n_cl < 2:
        return None, n_cl
    sums = np.zeros((n_cl, theta.shape[1]))
    np.add.at(sums, codes, theta)
    counts = np.bincount(codes, minlength=n_cl).astype(np.float64)
    out = np.empty((n_boot, theta.shape[1]))
    batch = max(1, 4_000_000 // n_cl)
    for start in range(0, n_boot, batch):
        b = min(n_boot, start + batch) - start
        # how often each cluster is drawn in each resample (row-offset bincount)
        draws = rng.integers(0, n_cl, size=(b, n_cl)) + (np.arange(b) * n_cl)[:, None]
        w = np.bincount(draws.ravel(), minlength=b * n_cl).reshape(b, n_cl).astype(np.float64)
        out[start:start + b] = (w @ sums) / (w @ counts)[:, None]
    return out, n_cl


def _interval(boot: np.ndarray | None, j: int, alpha: float) -> tuple[float, float]:
    if boot is None:
        return np.nan, np.nan
    return float(np.quantile(boot[:, j], alpha)), float(np.quantile(boot[:, j], 1 - alpha))


# --------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------


def _cjk() -> None:
    try:
        from .plotting import use_cjk_font
    except ImportError:  # pragma: no cover - plotting lands with the foundation
        return
    use_cjk_font()


def plot_k_selection(table: pd.DataFrame) -> Figure:
    """Coherence, stability and perplexity against ``k`` (a :func:`select_k` table).

    Returns
    -------
    matplotlib.figure.Figure
        Four panels; the chosen ``k`` is marked by a dotted line.

    Examples
    --------
    >>> fig = plot_k_selection(select_k(tokens, ks=[4, 6, 8]))   # doctest: +SKIP
    >>> fig.savefig("k.png")                                      # doctest: +SKIP
    """
    from matplotlib.figure import Figure

    _cjk()
    fig = Figure(figsize=(9, 6), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    panels = [("c_v", "c_v_sd", "coherence c_v (higher is better)"),
              ("npmi", "npmi_sd", "coherence NPMI (higher is better)"),
              ("stability", None, "stability across seeds (higher is better)"),
              ("perplexity", None, "perplexity (lower is better; not used)")]
    chosen = table.loc[table["chosen"], "k"] if "chosen" in table else pd.Series(dtype=int)
    for ax, (col, sd, title) in zip(axes.flat, panels, strict=True):
        if sd is not None:
            ax.errorbar(table["k"], table[col], yerr=table[sd], marker="o", capsize=3)
        else:
            ax.plot(table["k"], table[col], marker="o")
        if col == "stability" and "stability_top" in table:
            ax.plot(table["k"], table["stability_top"], marker="s", linestyle="--",
                    label="top-word Jaccard")
            ax.plot([], [], marker="o", color="C0", label="cosine")
            ax.legend(fontsize=8)
        for k in chosen:
            ax.axvline(k, color="grey", linestyle=":", linewidth=1)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("number of topics k")
    fig.suptitle(f"Choosing k (chosen: {', '.join(map(str, chosen)) or '-'})")
    return fig


def plot_topic_words(topics: pd.DataFrame, n: int = 8, *, ncols: int = 3) -> Figure:
    """Bar charts of each topic's top words (a :meth:`TopicModel.topics` table).

    Words are shown in Simplified, with their original spelling in brackets when it
    differs. Returns the :class:`~matplotlib.figure.Figure`.

    Examples
    --------
    >>> plot_topic_words(model.topics(n=8)).savefig("words.png")  # doctest: +SKIP
    """
    from matplotlib.figure import Figure

    _cjk()
    topic_ids = sorted(topics["topic"].unique())
    nrows = max(1, math.ceil(len(topic_ids) / ncols))
    fig = Figure(figsize=(4 * ncols, 2.6 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, t in zip(axes, topic_ids, strict=False):
        sub = topics[topics["topic"] == t].sort_values("rank").head(n)
        words = []
        for w, o in zip(sub["word"], sub["word_original"], strict=True):
            others = [f for f in str(o).split("/") if f != w]
            words.append(f"{w} ({'/'.join(others)})" if others else str(w))
        ax.barh(range(len(sub))[::-1], sub["weight"], color=f"C{t % 10}")
        ax.set_yticks(range(len(sub))[::-1], words, fontsize=8)
        label = sub["label"].iloc[0] if "label" in sub and len(sub) else ""
        ax.set_title(f"{t}: {label}", fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes[len(topic_ids):]:
        ax.set_visible(False)
    return fig


def plot_prevalence(comparison: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Topic prevalence with bootstrap intervals by level (a :func:`compare_topics` table).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_prevalence(model.compare(cc.stance(corpus), "stance"))  # doctest: +SKIP
    >>> ax.figure.savefig("prevalence.png")                               # doctest: +SKIP
    """
    _cjk()
    if ax is None:
        from matplotlib.figure import Figure

        n_topics = comparison["topic"].nunique()
        fig = Figure(figsize=(8, 0.6 + 0.55 * n_topics), layout="constrained")
        ax = fig.add_subplot()
    levels = list(dict.fromkeys(comparison["level"]))
    topic_ids = sorted(comparison["topic"].unique())
    height = 0.8 / max(1, len(levels))
    for i, level in enumerate(levels):
        sub = comparison[comparison["level"] == level].set_index("topic").reindex(topic_ids)
        y = np.arange(len(topic_ids)) - 0.4 + height * (i + 0.5)
        err = np.vstack([sub["prevalence"] - sub["ci_low"], sub["ci_high"] - sub["prevalence"]])
        err = np.nan_to_num(err, nan=0.0)
        ax.errorbar(sub["prevalence"], y, xerr=err, fmt="o", capsize=2, markersize=4,
                    label=f"{level} (n={int(sub['n'].iloc[0])})")
    labels = comparison.drop_duplicates("topic").set_index("topic").reindex(topic_ids)["label"]
    ax.set_yticks(np.arange(len(topic_ids)), [f"{t}: {lab}" for t, lab in
                                              zip(topic_ids, labels, strict=True)], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("topic prevalence (mean proportion, bootstrap interval)")
    by = comparison["by"].iloc[0] if len(comparison) else ""
    ax.set_title(f"Topic prevalence by {by}")
    ax.legend(fontsize=7, loc="best")
    return ax


# --------------------------------------------------------------------------------------
# pipeline stage
# --------------------------------------------------------------------------------------


def _stage_tokens(corpus: Corpus, ctx: RunContext) -> pd.DataFrame | _StageTokens:
    results = ctx.results
    is_streamed = getattr(results, "is_streamed", None)
    if callable(is_streamed) and is_streamed("tokens"):
        # an engine run wrote the token table as Parquet parts: stream it, never whole
        return _StageTokens(results, _zh_keys(corpus, results))
    tokens = results.get("tokens")
    if tokens is None:
        from .segment import tokenize

        tokens = tokenize(corpus)
    paragraphs = corpus.paragraphs
    if "language" in paragraphs.columns:
        zh = paragraphs.loc[paragraphs["language"] == "zh", ["doc_id", "para_id"]]
        tokens = tokens.merge(zh, on=["doc_id", "para_id"], how="inner")
    return tokens


def _zh_keys(corpus: Corpus, results: Any) -> pd.DataFrame | None:
    """``doc_id`` and ``para_id`` of the Chinese paragraphs (``None``: no language column),
    read without the paragraphs' text when the paragraph table is streamed."""
    if results.is_streamed("paragraphs"):
        columns = _stored_columns(dict.get(results, "paragraphs")) or []
        if "language" not in columns:
            return None
        parts = [p.loc[p["language"] == "zh", ["doc_id", "para_id"]]
                 for p in results.stream("paragraphs", ["doc_id", "para_id", "language"])]
        return pd.concat(parts, ignore_index=True)
    paragraphs = corpus.paragraphs
    if "language" not in paragraphs.columns:
        return None
    return paragraphs.loc[paragraphs["language"] == "zh", ["doc_id", "para_id"]]


class _StageTokens:
    """The streamed token table of an engine run, restricted to Chinese paragraphs, part
    by part (what :func:`_stage_tokens` gives for the in-memory table, streamed)."""

    def __init__(self, results: Any, zh: pd.DataFrame | None) -> None:
        self._results = results
        self.columns = _stored_columns(dict.get(results, "tokens"))
        self._zh = None
        if zh is not None:  # sorted by doc_id, to find a part's paragraphs quickly
            ids = zh["doc_id"].to_numpy(dtype=object)
            order = np.argsort(ids, kind="stable")
            self._zh = zh.iloc[order].reset_index(drop=True)
            self._ids = ids[order]

    def partitions(self, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        for part in self._results.stream("tokens", columns):
            if self._zh is not None:
                docs = np.asarray(pd.unique(part["doc_id"]), dtype=object)
                lo = np.searchsorted(self._ids, docs, side="left")
                hi = np.searchsorted(self._ids, docs, side="right")
                rows = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)]
                                      + [np.zeros(0, np.int64)])
                part = part.merge(self._zh.iloc[rows], on=["doc_id", "para_id"], how="inner")
            yield part


def topics_stage(corpus: Corpus, ctx: RunContext, *, ks: Iterable[int] = DEFAULT_KS,
                 n_seeds: int = DEFAULT_N_SEEDS, n_boot: int = 1000, **params: Any
                 ) -> dict[str, pd.DataFrame]:
    """Pipeline stage ``topics``: choose k, fit, and write tables, plots and the HTML view.

    Models the Chinese paragraphs (the English translation would form a topic of its
    own) with the run's seed. When the ``stance`` stage ran before, topic prevalence is
    also compared by paragraph stance.

    Tables: ``topic_k_selection``, ``topics``, ``document_topics``, ``topic_paragraphs``,
    ``topic_prevalence``. Files (with an output folder): ``topic_k_selection.png``,
    ``topic_words.png``, ``topic_prevalence_<by>.png``, ``topics_ldavis.html`` and
    ``topic_model/`` (:meth:`TopicModel.load`).

    Parameters
    ----------
    ks, n_seeds, **params
        Passed to :func:`select_k` and :class:`TopicModel` (for quick runs and tests).
    n_boot : int
        Bootstrap resamples of :func:`compare_topics`.
    """
    tokens = _stage_tokens(corpus, ctx)
    seed = int(ctx.seed)
    workers = getattr(ctx, "workers", None)
    n_jobs = min(2, os.cpu_count() or 1) if workers is None else max(1, int(workers))
    params = {**params, "random_state": seed}
    ks = _check_ks(ks, n_seeds)
    # a streamed token table's bag-of-words goes to a temporary folder in the output
    # folder (a system /tmp may be small, or held in memory); it is removed at the end
    work_dir = ctx.out_dir if isinstance(tokens, _StageTokens) else None
    try:
        # the documents are prepared once, for the k selection and the final model
        base = _base_model(tokens, ks, params, work_dir)
        selection = _select_k(base, ks, n_seeds=n_seeds, n_jobs=n_jobs,
                              progress=ctx.progress, engine=getattr(ctx, "engine", None),
                              top_n=10)
    except CorpusError as err:  # e.g. a corpus with no Chinese paragraph
        ctx.note(f"topics: not modelled ({err})")
        return {}
    try:
        return _stage_outputs(corpus, ctx, base, selection, n_seeds, n_boot, seed)
    finally:
        base._release()


def _stage_outputs(corpus: Corpus, ctx: RunContext, base: TopicModel,
                   selection: pd.DataFrame, n_seeds: int, n_boot: int, seed: int
                   ) -> dict[str, pd.DataFrame]:
    """The ``topics`` stage after k selection: the final model and its outputs."""
    k = choose_k(selection)
    model = base._with_topics(k)
    topics = model.topics(n=15)
    results = ctx.results
    streamed = _is_streamed(results, "paragraphs")
    if streamed:  # a streamed run: the paragraphs are read part by part, and only the
        # columns needed (no text for the covariates)
        reps = model.representative_paragraphs(
            results.stream("paragraphs", [*model.keys_, "text"]), n=3)
    else:
        reps = model.representative_paragraphs(corpus.paragraphs, n=3)
    if streamed and ctx.out_dir is not None:
        doc_topics: pd.DataFrame | Any = _write_document_topics(model, Path(ctx.out_dir))
    else:
        doc_topics = model.document_topics()
    # the modelled paragraphs' covariates (compare keeps only those anyway)
    covs = _stage_covariates(corpus, results).merge(model._used_keys(), on=model.keys_)
    comparisons = []
    for by in ("doc_id", "source", "script", "stance"):
        if by not in covs.columns:
            continue
        values = covs[by].replace("", pd.NA)
        n_levels = int(values.nunique())
        if not n_levels:
            continue
        if n_levels > MAX_COMPARED_LEVELS:
            ctx.note(f"topics: prevalence by {by} not compared: {n_levels:,} "
                     f"level{'s' * (n_levels != 1)} (at "
                     f"most {MAX_COMPARED_LEVELS}; TopicModel.compare does any covariate).")
            continue
        comparisons.append(model.compare(covs.assign(**{by: values}), by, n_boot=n_boot,
                                         random_state=seed))
    prevalence = pd.concat(comparisons, ignore_index=True) if comparisons else pd.DataFrame()
    ctx.note(
        f"topics: k={k} chosen from {list(selection['k'])} by the mean of scaled c_v, NPMI "
        f"and stability over {n_seeds} seeds; {len(model.corpus_)} Chinese paragraphs, "
        f"{len(model.dictionary_)} terms (min_df={model.min_df_}, max_df={model.max_df_}). "
        "Topics: " + "; ".join(f"{t}={lab}" for t, lab in enumerate(model.labels_))
    )
    if ctx.out_dir is not None:
        out = Path(ctx.out_dir)
        _save_fig(plot_k_selection(selection), out / "topic_k_selection.png")
        ctx.files["topic_k_selection.png"] = "coherence, stability and perplexity against k"
        _save_fig(plot_topic_words(topics), out / "topic_words.png")
        ctx.files["topic_words.png"] = "top words of each topic"
        for comp in comparisons:
            by = comp["by"].iloc[0]
            if comp["level"].nunique() > 12:
                continue
            ax = plot_prevalence(comp)
            _save_fig(ax.figure, out / f"topic_prevalence_{by}.png")
            ctx.files[f"topic_prevalence_{by}.png"] = (
                f"topic prevalence by {by} with 95% bootstrap intervals")
        model.to_html(out / "topics_ldavis.html")
        ctx.files["topics_ldavis.html"] = "interactive topic view (pyLDAvis, works offline)"
        model.save(out / "topic_model", gensim_files=False)
        ctx.files["topic_model/"] = "the fitted topic model (TopicModel.load reads it; no pickle)"
    return {"topic_k_selection": selection, "topics": topics, "document_topics": doc_topics,
            "topic_paragraphs": reps, "topic_prevalence": prevalence}


#: The ``topics`` stage compares topic prevalence by a covariate (``doc_id``, ``source``,
#: ``script``, ``stance``) only when it has at most this many levels: each level is
#: bootstrapped against all other paragraphs, so a large corpus's ``doc_id`` would take
#: hours and give a table nobody reads.
MAX_COMPARED_LEVELS = 100


def _is_streamed(results: Any, name: str) -> bool:
    is_streamed = getattr(results, "is_streamed", None)
    return callable(is_streamed) and bool(is_streamed(name))


def _stage_columns(results: Any, name: str, columns: Sequence[str],
                   fallback: Callable[[], pd.DataFrame | None]) -> pd.DataFrame | None:
    """Those of ``columns`` that table ``name`` has: read part by part (only these
    columns) when the run streamed it, else from ``fallback()``."""
    if _is_streamed(results, name):
        stored = _stored_columns(dict.get(results, name)) or []
        cols = [c for c in columns if c in stored]
        return pd.concat(list(results.stream(name, cols)), ignore_index=True)
    table = fallback()
    if not isinstance(table, pd.DataFrame):
        return None
    return table[[c for c in columns if c in table.columns]]


def _stage_covariates(corpus: Corpus, results: Any) -> pd.DataFrame:
    """One row per paragraph: keys, ``script``, ``source`` and ``stance`` where known."""
    keys = ["doc_id", "para_id"]
    covs = _stage_columns(results, "paragraphs", [*keys, "script", "source"],
                          lambda: corpus.paragraphs)
    if "source" not in covs.columns:
        docs = _stage_columns(results, "documents", ["doc_id", "source"],
                              lambda: corpus.documents)
        if docs is not None and "source" in docs.columns:
            covs = covs.merge(docs, on="doc_id", how="left")
    stance = _stage_columns(results, "stance", [*keys, "stance"],
                            lambda: results.get("stance"))
    if stance is not None and {*keys, "stance"} <= set(stance.columns):
        covs = covs.merge(stance, on=keys, how="left")
    return covs


def _write_document_topics(model: TopicModel, out: Path, rows_per_part: int = 1_000_000
                           ) -> Any:
    """``document_topics`` as a folder of Parquet parts (a streamed run's large table)."""
    from .engine import PartitionedTable, _clear, _write_part

    _clear(out / "document_topics")
    keys = model._used_keys()
    theta = model.theta_
    step = max(1, rows_per_part // max(theta.shape[1], 1))
    for i, start in enumerate(range(0, max(len(keys), 1), step)):
        part = model._long(keys.iloc[start:start + step].reset_index(drop=True),
                           theta[start:start + step])
        _write_part(out, "document_topics", i, part)
    return PartitionedTable(out / "document_topics")


def _save_fig(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=120, metadata={"Software": None})
