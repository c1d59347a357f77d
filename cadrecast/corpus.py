"""Load a corpus into tidy tables: documents, paragraphs, sentences.

:func:`load_corpus` reads the bundled articles (no argument), a folder of ``.txt`` files,
one ``.txt`` file, or a CSV / JSON Lines / Parquet table with a text column. Every file's
encoding is detected and recorded; the raw text is kept untouched beside the cleaned
text; boilerplate that cleaning removed is listed in :attr:`Corpus.removed`; teasers of
other articles become documents of their own (``kind="related"``).

Examples
--------
>>> corpus = load_corpus()
>>> len(corpus.documents[corpus.documents.kind == "article"])
5
>>> corpus.paragraphs.columns.tolist()[:4]
['doc_id', 'para_id', 'role', 'start']
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .clean import clean_text
from .encoding import decode_bytes
from .errors import (
    ChecksumError,
    ColumnError,
    CorpusError,
    CorpusNotFoundError,
    DecodeError,
    EmptyDocumentError,
    check_choice,
)
from .script import convert_with_map, detect_script

#: Columns of :attr:`Corpus.documents`, in order.
DOCUMENT_COLUMNS = [
    "doc_id", "file", "kind", "parent_id", "translation_of", "title", "date", "source",
    "language", "script", "encoding", "sha256", "n_chars", "raw_start", "raw_end", "raw", "text",
]
#: Columns of :attr:`Corpus.paragraphs`, in order.
PARAGRAPH_COLUMNS = [
    "doc_id", "para_id", "role", "start", "end", "raw_start", "raw_end", "text", "text_hans",
    "hans_map", "script", "language",
]
#: Columns of :attr:`Corpus.sentences`, in order.
SENTENCE_COLUMNS = ["doc_id", "para_id", "sent_id", "start", "end", "text", "text_hans"]
REMOVED_COLUMNS = ["doc_id", "start", "end", "reason", "text"]
REJECTED_COLUMNS = ["doc_id", "file", "reason", "detail"]

TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".json", ".ndjson", ".parquet"}
_ID_CANDIDATES = ("doc_id", "id", "article_id", "uid")


@dataclass
class Corpus:
    """A loaded corpus: tidy tables keyed by ``doc_id`` / ``para_id`` / ``sent_id``.

    Attributes
    ----------
    documents : DataFrame
        One row per document. ``doc_id``, ``file``, ``kind`` ("article", or "related"
        for a teaser of another article found on the page), ``parent_id`` (the page a
        teaser came from), ``translation_of``, ``title``, ``date`` (ISO, or empty when
        unknown), ``source``, ``language`` ("zh"/"en"), ``script``
        ("hant"/"hans"/"en"/"mixed"), ``encoding`` (as detected), ``sha256`` (of the file
        bytes), ``n_chars``, ``raw_start``/``raw_end`` (the span of ``raw`` this record
        covers; a teaser covers part of its page), ``raw`` (the decoded text, untouched)
        and ``text`` (cleaned: kept paragraphs joined by blank lines).
    paragraphs : DataFrame
        One row per paragraph: ``doc_id``, ``para_id`` (0-based), ``role``
        ("title"/"body"), ``start``/``end`` (offsets into the document's ``text``),
        ``raw_start``/``raw_end`` (offsets into its ``raw``), ``text`` (original script),
        ``text_hans`` (Simplified), ``hans_map`` (a :class:`cadrecast.SpanMap` code from
        ``text_hans`` offsets back to ``text`` offsets; empty when they coincide),
        ``script``, ``language``.
    sentences : DataFrame
        One row per sentence: ``doc_id``, ``para_id``, ``sent_id`` (0-based within the
        paragraph), ``start``/``end`` (offsets into the document's ``text``), ``text``,
        ``text_hans``.
    removed : DataFrame
        Every span cleaning took out: ``doc_id``, ``start``/``end`` (offsets into
        ``raw``), ``reason`` and ``text``.
    rejected : DataFrame
        Inputs that were not loaded (only with ``errors="collect"``): ``doc_id``,
        ``file``, ``reason`` ("undecodable", "empty", "checksum"), ``detail``.
    """

    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    removed: pd.DataFrame
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECTED_COLUMNS))
    source_description: str = ""

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        kinds = self.documents["kind"].value_counts().to_dict() if len(self.documents) else {}
        return (f"Corpus({kinds.get('article', 0)} articles, {kinds.get('related', 0)} related "
                f"teasers, {len(self.paragraphs)} paragraphs; {self.source_description})")

    def checksum(self) -> str:
        """sha256 over the documents' file checksums, in ``doc_id`` order.

        Examples
        --------
        >>> len(load_corpus().checksum())
        64
        """
        arts = self.documents[self.documents["kind"] == "article"].sort_values("doc_id")
        h = hashlib.sha256()
        for doc_id, sha in zip(arts["doc_id"], arts["sha256"], strict=True):
            h.update(f"{doc_id}:{sha}\n".encode())
        return h.hexdigest()

    def subset(self, doc_ids: Iterable[str]) -> Corpus:
        """A corpus of only the given documents (all tables filtered alike).

        Examples
        --------
        >>> small = load_corpus().subset(["002_7f015624ccaf9a2e"])
        >>> small.documents.doc_id.tolist()
        ['002_7f015624ccaf9a2e']
        """
        keep = set(doc_ids)

        def pick(df: pd.DataFrame) -> pd.DataFrame:
            return df[df["doc_id"].isin(keep)].reset_index(drop=True)

        return Corpus(pick(self.documents), pick(self.paragraphs), pick(self.sentences),
                      pick(self.removed), self.rejected.copy(), self.source_description)


# ---------------------------------------------------------------------------- inputs

@dataclass
class _Input:
    doc_id: str
    file: str
    data: bytes | None = None  # file bytes, or None when text came from a table
    text: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def bundled_corpus_path() -> Path:
    """Folder of the bundled corpus (from a checkout or an installed wheel).

    Examples
    --------
    >>> (bundled_corpus_path() / "metadata.csv").is_file()
    True
    """
    candidates = []
    try:  # an installed wheel or editable install ships corpus/ as cadrecast._corpus_data
        candidates.append(Path(str(files("cadrecast._corpus_data"))))
    except (ModuleNotFoundError, TypeError):
        pass
    candidates.append(Path(__file__).resolve().parents[1] / "corpus")  # a source checkout
    path = next((p for p in candidates if (p / "metadata.csv").is_file()), candidates[-1])
    if not (path / "metadata.csv").is_file():
        raise CorpusNotFoundError(
            f"The bundled corpus is missing from {path}. Reinstall cadrecast, or pass the path "
            "of a corpus folder to load_corpus()."
        )
    return path


def _read_metadata(path: Path) -> pd.DataFrame:
    text, _ = decode_bytes(path.read_bytes(), str(path))
    meta = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if "file" not in meta.columns:
        raise ColumnError(
            f"{path}: a corpus metadata table needs a 'file' column naming each text file; "
            f"it has {list(meta.columns)}."
        )
    return meta


def _folder_inputs(folder: Path) -> Iterator[_Input]:
    meta_path = folder / "metadata.csv"
    meta = _read_metadata(meta_path) if meta_path.is_file() else None
    by_file = {row["file"]: row for row in meta.to_dict("records")} if meta is not None else {}
    txts = sorted(p for p in folder.rglob("*.txt") if p.is_file())
    if meta is not None:
        missing = [f for f in by_file if not (folder / f).is_file()]
        if missing:
            raise CorpusNotFoundError(
                f"{meta_path} lists files that are not in {folder}: {missing[:5]}"
            )
    if not txts:
        raise CorpusNotFoundError(f"{folder} holds no .txt files (looked in all subfolders).")
    for p in txts:
        rel = p.relative_to(folder).as_posix()
        row = dict(by_file.get(rel, {}))
        doc_id = row.pop("doc_id", "") or rel[:-4].replace("/", "__")
        yield _Input(doc_id=doc_id, file=rel, data=p.read_bytes(), meta=row)


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        text, _ = decode_bytes(path.read_bytes(), str(path))
        if suffix in (".csv", ".tsv"):
            return pd.read_csv(io.StringIO(text), sep="\t" if suffix == ".tsv" else ",",
                               dtype=str, keep_default_na=False)
        if suffix in (".jsonl", ".ndjson"):
            rows = []
            for n, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise CorpusError(
                            f"{path}, line {n}: not valid JSON ({exc.msg}). Each line of a JSON "
                            "Lines file must be one JSON object."
                        ) from None
            return pd.DataFrame(rows)
        data = json.loads(text)
        return pd.DataFrame(data if isinstance(data, list) else data.get("documents", data))
    except (CorpusError, CorpusNotFoundError):
        raise
    except Exception as exc:  # parse errors from pandas/pyarrow
        raise CorpusError(f"{path} could not be read as a {suffix[1:]} table: {exc}") from exc


def _table_inputs(path: Path, text_column: str, id_column: str | None) -> Iterator[_Input]:
    table = _read_table(path)
    if text_column not in table.columns:
        raise ColumnError(
            f"{path} has no text column {text_column!r}; its columns are "
            f"{list(map(str, table.columns))}. Pass text_column='<name>' to load_corpus()."
        )
    if id_column is None:
        id_column = next((c for c in _ID_CANDIDATES if c in table.columns), None)
    elif id_column not in table.columns:
        raise ColumnError(f"{path} has no id column {id_column!r}; its columns are "
                          f"{list(map(str, table.columns))}.")
    if id_column is not None:
        ids = table[id_column].astype(str)
        dup = ids[ids.duplicated()].unique().tolist()
        if dup:
            raise ColumnError(f"{path}: column {id_column!r} repeats ids {dup[:5]}; ids must be "
                              "unique (or pass id_column=None to number the rows).")
    for n, row in enumerate(table.to_dict("records")):
        text = row.pop(text_column)
        doc_id = str(row.pop(id_column)) if id_column else f"row{n:06d}"
        meta = {k: ("" if _isna(v) else str(v)) for k, v in row.items()}
        if _isna(text):
            text = ""
        if not isinstance(text, str):
            raise ColumnError(f"{path}, row {n + 1}: column {text_column!r} holds "
                              f"{type(text).__name__}, not text.")
        yield _Input(doc_id=doc_id, file=f"{path.name}#{n + 1}", text=text, meta=meta)


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _inputs(path: str | os.PathLike | None, text_column: str,
            id_column: str | None) -> tuple[Iterator[_Input], str, bool]:
    if path is None:
        env = os.environ.get("CADRECAST_CORPUS")
        if env:
            path = env
        else:
            folder = bundled_corpus_path()
            return _folder_inputs(folder), "the bundled corpus", True
    p = Path(path).expanduser()
    if not p.exists():
        raise CorpusNotFoundError(f"No corpus at {p}: the path does not exist.")
    if p.is_dir():
        return _folder_inputs(p), f"folder {p}", True
    if p.suffix.lower() in TABLE_SUFFIXES:
        return _table_inputs(p, text_column, id_column), f"table {p}", False
    if p.suffix.lower() == ".txt":
        return iter([_Input(doc_id=p.stem, file=p.name, data=p.read_bytes())]), f"file {p}", True
    raise CorpusError(
        f"{p}: cadrecast reads a folder of .txt files, a .txt file, or a table "
        f"({', '.join(sorted(TABLE_SUFFIXES))}); {p.suffix or 'no suffix'} is none of these."
    )


# ---------------------------------------------------------------------------- sentences

_ZH_SENT = re.compile(r"[^。！？!?；;…]*(?:[。！？!?；;]+|…+|$)[」』”’\"'）)】]*")
_EN_SENT = re.compile(r"\S.*?(?:[.!?]+[\"')\]]*(?=\s+[A-Z0-9\"'(\[])|$)", re.S)


def split_sentences(text: str, language: str = "zh") -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of a paragraph.

    Chinese splits after 。！？；… (and closing quotes); English after . ! ? followed by
    a capital or digit.

    Examples
    --------
    >>> t = "县长直播。卖了大米！"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['县长直播。', '卖了大米！']
    >>> t = "He sold rice. It sold out."
    >>> [t[s:e] for s, e in split_sentences(t, "en")]
    ['He sold rice.', 'It sold out.']
    """
    spans = []
    pattern = _EN_SENT if language == "en" else _ZH_SENT
    for m in pattern.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


# ---------------------------------------------------------------------------- loading

def load_corpus(
    path: str | os.PathLike | None = None,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    split_related: bool = True,
    progress: bool = False,
) -> Corpus:
    """Load a corpus and return its tidy tables.

    Parameters
    ----------
    path : str or Path, optional
        ``None`` loads the bundled articles (or the folder in the ``CADRECAST_CORPUS``
        environment variable). A folder is read as all its ``.txt`` files (subfolders
        included; a ``metadata.csv`` beside them with a ``file`` column adds metadata and,
        with a ``sha256`` column, checksums that are verified). A ``.csv``, ``.tsv``,
        ``.jsonl``, ``.json`` or ``.parquet`` file is read as a table with one document
        per row; its other columns become document metadata.
    text_column : str
        The text column of a table input.
    id_column : str, optional
        The id column of a table input; default the first of ``doc_id``, ``id``,
        ``article_id``, ``uid`` present, else rows are numbered ``row000000`` ...
    errors : {"raise", "collect"}
        ``"raise"`` (default) stops at the first undecodable, empty or corrupted
        document with an error naming it; ``"collect"`` loads the rest and lists those
        in :attr:`Corpus.rejected`.
    split_related : bool
        Split teaser lists of other articles (相关焦点 ...) into ``kind="related"``
        documents (default); ``False`` drops them from the article but still lists them
        in :attr:`Corpus.removed`.
    progress : bool
        Show a progress bar (on standard error) while loading.

    Returns
    -------
    Corpus

    Raises
    ------
    DecodeError, EmptyDocumentError, ChecksumError, ColumnError, CorpusNotFoundError

    Examples
    --------
    >>> c = load_corpus()
    >>> c.documents.set_index("doc_id").loc["003_b9d991b649e0baf2", "translation_of"]
    '000_1c59dac2740d956f'
    """
    check_choice("errors", errors, ["raise", "collect"])
    inputs, description, _from_files = _inputs(path, text_column, id_column)
    docs, paras, sents, removed, rejected = [], [], [], [], []
    empty: list[str] = []
    seen: set[str] = set()
    if progress:
        from tqdm.auto import tqdm

        inputs = tqdm(inputs, desc="loading documents", unit="doc", leave=False)
    for item in inputs:
        if item.doc_id in seen:
            _reject(rejected, errors, item, "duplicate",
                    f"doc_id {item.doc_id!r} appears more than once",
                    CorpusError(f"{item.file}: doc_id {item.doc_id!r} appears more than once."))
            continue
        seen.add(item.doc_id)
        sha = hashlib.sha256(item.data).hexdigest() if item.data is not None else ""
        expected = str(item.meta.pop("sha256", "") or "")
        if expected and sha and expected != sha:
            _reject(rejected, errors, item, "checksum", f"sha256 {sha} != recorded {expected}",
                    ChecksumError(
                        f"{item.file}: its sha256 is {sha}, but the metadata records {expected}. "
                        "The file changed since the metadata was written: restore it, or update "
                        "the sha256 column if the change is intended."))
            continue
        if item.data is not None:
            try:
                raw, encoding = decode_bytes(item.data, item.file)
            except DecodeError as exc:
                _reject(rejected, errors, item, "undecodable", str(exc), exc)
                continue
        else:
            raw, encoding = item.text or "", ""
        if not raw.strip():
            empty.append(item.file)
            rejected.append({"doc_id": item.doc_id, "file": item.file, "reason": "empty",
                             "detail": "the document is empty or whitespace only"})
            continue
        _add_document(item, raw, encoding, sha, split_related, docs, paras, sents, removed)
    if empty and errors == "raise":
        raise EmptyDocumentError(
            f"{len(empty)} document(s) are empty or whitespace only: {empty[:10]}. Remove them, "
            "or load with errors='collect' to skip them (they are listed in corpus.rejected).",
            documents=empty,
        )
    if not docs:
        raise CorpusNotFoundError(f"No document could be loaded from {description}.")
    extra = list(dict.fromkeys(k for d in docs for k in d if k not in DOCUMENT_COLUMNS))
    documents = pd.DataFrame(docs, columns=DOCUMENT_COLUMNS + extra)
    return Corpus(
        documents=documents,
        paragraphs=pd.DataFrame(paras, columns=PARAGRAPH_COLUMNS),
        sentences=pd.DataFrame(sents, columns=SENTENCE_COLUMNS),
        removed=pd.DataFrame(removed, columns=REMOVED_COLUMNS),
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
        source_description=description,
    )


def _reject(rejected: list, errors: str, item: _Input, reason: str, detail: str,
            exc: Exception) -> None:
    if errors == "raise":
        raise exc
    rejected.append({"doc_id": item.doc_id, "file": item.file, "reason": reason,
                     "detail": detail})


def _add_document(item: _Input, raw: str, encoding: str, sha: str, split_related: bool,
                  docs: list, paras: list, sents: list, removed: list) -> None:
    result = clean_text(raw)
    meta = item.meta
    found = result.metadata
    source = meta.get("source") or " / ".join(
        v for v in (found.get("outlet"), found.get("source")) if v)
    base = {
        "file": item.file,
        "translation_of": meta.get("translation_of", ""),
        "date": meta.get("date") or found.get("date", ""),
        "source": source,
        "encoding": encoding,
    }
    pieces = [p.text for p in result.paragraphs]
    raw_spans = [(p.start, p.end) for p in result.paragraphs]
    title = meta.get("title") or found.get("title", "")
    script = _add_text_record(
        item.doc_id, "article", "", title, pieces, raw_spans, (0, len(raw)), raw, sha, base,
        meta, docs, paras, sents,
    )
    for span in result.removed:
        removed.append({"doc_id": item.doc_id, "start": span.start, "end": span.end,
                            "reason": span.reason, "text": span.text})
    if not split_related:
        return
    for n, teaser in enumerate(result.related, start=1):
        texts = [s.text for s in teaser.paragraphs]
        spans = [(s.start - teaser.start, s.end - teaser.start) for s in teaser.paragraphs]
        tmeta = {"language": meta.get("language", ""), "script": ""}
        _add_text_record(
            f"{item.doc_id}#r{n:02d}", "related", item.doc_id, teaser.title, texts, spans,
            (teaser.start, teaser.end), raw[teaser.start:teaser.end], "",
            {**base, "translation_of": "", "date": "", "source": ""}, tmeta, docs, paras, sents,
            default_script=script,
        )


def _add_text_record(doc_id: str, kind: str, parent: str, title: str, pieces: list[str],
                     raw_spans: list[tuple[int, int]], raw_range: tuple[int, int], raw: str,
                     sha: str, base: dict, meta: dict, docs: list, paras: list, sents: list,
                     default_script: str = "hans") -> str:
    text = "\n\n".join(pieces)
    script = meta.get("script") or detect_script(text, default=default_script)
    language = meta.get("language") or ("en" if script == "en" else "zh")
    extra = {k: v for k, v in meta.items() if k not in DOCUMENT_COLUMNS and k != "notes"}
    docs.append({
        "doc_id": doc_id, "kind": kind, "parent_id": parent, "title": title,
        "language": language, "script": script, "sha256": sha, "n_chars": len(text),
        "raw_start": raw_range[0], "raw_end": raw_range[1], "raw": raw, "text": text,
        **base, **extra,
    })
    pos = 0
    doc_default = script if script in ("hans", "hant") else "hans"
    for para_id, (piece, (rs, re_)) in enumerate(zip(pieces, raw_spans, strict=True)):
        start, end = pos, pos + len(piece)
        pos = end + 2
        if language == "en":
            pscript = detect_script(piece, default=doc_default)
            hans, code = piece, ""
            if pscript not in ("en", "unknown"):
                hans, smap = convert_with_map(piece, "t2s")
                code = smap.encode()
        else:
            pscript = detect_script(piece, default=doc_default)
            hans, smap = convert_with_map(piece, "t2s")
            code = smap.encode()
        plang = "en" if pscript == "en" else ("zh" if language == "zh" or pscript != "unknown"
                                             else language)
        role = "title" if (para_id == 0 and kind == "related") or (
            para_id == 0 and title and piece.strip() == title.strip()) else "body"
        paras.append({
            "doc_id": doc_id, "para_id": para_id, "role": role, "start": start, "end": end,
            "raw_start": rs, "raw_end": re_, "text": piece, "text_hans": hans,
            "hans_map": code, "script": pscript, "language": plang,
        })
        lang = "en" if plang == "en" else "zh"
        for sent_id, (ss, se) in enumerate(split_sentences(piece, lang)):
            sent = piece[ss:se]
            sents.append({
                "doc_id": doc_id, "para_id": para_id, "sent_id": sent_id,
                "start": start + ss, "end": start + se, "text": sent,
                "text_hans": sent if lang == "en" and plang == "en" else
                _slice_hans(hans, code, piece, ss, se),
            })
    return script


def _slice_hans(hans: str, code: str, piece: str, ss: int, se: int) -> str:
    if not code:
        return hans[ss:se]
    from .script import to_simplified

    return to_simplified(piece[ss:se])


# ---------------------------------------------------------------------------- the stage

def corpus_stage(corpus: Corpus, ctx: Any) -> dict[str, pd.DataFrame]:
    """Pipeline stage: the corpus tables (``raw`` is left out of the written table)."""
    documents = corpus.documents.drop(columns=["raw"])
    tables = {
        "documents": documents,
        "paragraphs": corpus.paragraphs,
        "sentences": corpus.sentences,
        "removed": corpus.removed,
    }
    if len(corpus.rejected):
        tables["rejected"] = corpus.rejected
        ctx.note(f"{len(corpus.rejected)} input(s) were rejected: see rejected.csv.")
    return tables
