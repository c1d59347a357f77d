"""Find which documents are translations of which, with or without metadata.

A translation keeps what a text *states*: its figures, dates and times. Two articles on
the same subject share a few common numbers (2020, 618) but not the dozens of exact
amounts, dates and counts a translation carries over. :func:`find_translations` reads
those anchors in both languages (``2692億元`` and ``269.2 billion yuan`` are the same
value; ``6月19日`` and ``June 19`` the same date), weights each by how rare it is in the
corpus, and pairs an English document with the Chinese document whose anchors match it
best, if the match is strong and clearly better than the runner-up.

Examples
--------
>>> import cadrecast as cc
>>> pairs = find_translations(cc.load_corpus(), use_metadata=False)
>>> pairs[["doc_id", "translation_of"]].values.tolist()
[['003_b9d991b649e0baf2', '000_1c59dac2740d956f']]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import pandas as pd

TRANSLATION_COLUMNS = ["doc_id", "translation_of", "score", "shared_anchors", "method"]

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_ZH_MULT = {"十": 10, "百": 100, "千": 1e3, "万": 1e4, "亿": 1e8, "萬": 1e4, "億": 1e8}
_EN_MULT = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}

_ZH_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")
_ZH_NUM = re.compile(r"(\d+(?:\.\d+)?)\s*([万亿千百萬億]*)")
_EN_DATE = re.compile(
    r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_EN_NUM = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(hundred|thousand|million|billion|trillion)?",
                     re.IGNORECASE)


def _value_key(value: float) -> str:
    return f"n:{float(f'{value:.6g}'):g}"


def anchors(text: str, language: str) -> Counter:
    """The figures and dates stated in ``text``, as comparable keys.

    Examples
    --------
    >>> sorted(anchors("6月19日,累计下单金额达到2692亿元", "zh"))
    ['d:6-19', 'n:2.692e+11']
    >>> sorted(anchors("On June 19, orders reached 269.2 billion yuan", "en"))
    ['d:6-19', 'n:2.692e+11']
    """
    keys: Counter = Counter()
    if language == "en":
        for m in _EN_DATE.finditer(text):
            month = (m.group(1) or m.group(4)).lower()
            day = int(m.group(2) or m.group(3))
            keys[f"d:{_MONTHS[month]}-{day}"] += 1
        text = _EN_DATE.sub(" ", text)
        for m in _EN_NUM.finditer(text):
            value = float(m.group(1).replace(",", ""))
            mult = _EN_MULT.get((m.group(2) or "").lower(), 1)
            _add_value(keys, value * mult, bool(m.group(2)))
        return keys
    from .script import to_simplified

    text = to_simplified(text)
    for m in _ZH_DATE.finditer(text):
        if m.group(1):
            _add_value(keys, float(m.group(1)), False)
        keys[f"d:{int(m.group(2))}-{int(m.group(3))}"] += 1
    text = _ZH_DATE.sub(" ", text)
    for m in _ZH_NUM.finditer(text):
        value = float(m.group(1))
        mult = 1.0
        for ch in m.group(2):
            mult *= _ZH_MULT[ch]
        _add_value(keys, value * mult, bool(m.group(2)))
    return keys


def _add_value(keys: Counter, value: float, has_multiplier: bool) -> None:
    # small bare integers (list numbers, "2 hours") say little about identity
    if value <= 12 and not has_multiplier and value == int(value):
        return
    keys[_value_key(value)] += 1


def find_translations(corpus: Any, *, min_score: float = 0.45, min_shared: int = 5,
                      margin: float = 1.5, use_metadata: bool = True) -> pd.DataFrame:
    """Pair each translated document with its original.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus; only ``kind == "article"`` documents are compared.
    min_score : float
        Least weighted F1 overlap of anchors (0-1) to accept a pair.
    min_shared : int
        Least number of distinct shared anchors.
    margin : float
        The best candidate's score must exceed the runner-up's by this factor.
    use_metadata : bool
        Report pairs the metadata states (``translation_of``) with ``method="metadata"``
        (their score is still computed); ``False`` detects every pair from the text.

    Returns
    -------
    DataFrame
        ``doc_id`` (the translation), ``translation_of`` (the original), ``score``,
        ``shared_anchors`` and ``method`` ("metadata" or "detected").

    Examples
    --------
    >>> import cadrecast as cc
    >>> find_translations(cc.load_corpus()).method.tolist()
    ['metadata']
    """
    docs = corpus.documents[corpus.documents["kind"] == "article"]
    bags = {row.doc_id: anchors(row.text, row.language) for row in docs.itertuples()}
    lang = dict(zip(docs["doc_id"], docs["language"], strict=True))
    n_docs = max(len(bags), 1)
    df = Counter(k for bag in bags.values() for k in bag)
    idf = {k: math.log(1 + n_docs / c) for k, c in df.items()}

    def weight(bag: Counter, keys=None) -> float:
        return sum(min(bag[k], 3) * idf[k] for k in (keys if keys is not None else bag))

    def score(a: str, b: str) -> tuple[float, int]:
        shared = set(bags[a]) & set(bags[b])
        if not shared:
            return 0.0, 0
        wa, wb = weight(bags[a]), weight(bags[b])
        hit = sum(min(bags[a][k], bags[b][k], 3) * idf[k] for k in shared)
        p, r = hit / wa if wa else 0, hit / wb if wb else 0
        return (2 * p * r / (p + r) if p + r else 0.0), len(shared)

    stated = {}
    if use_metadata and "translation_of" in docs.columns:
        stated = {d: t for d, t in zip(docs["doc_id"], docs["translation_of"], strict=True)
                  if isinstance(t, str) and t}
    rows = []
    for doc_id in bags:
        if doc_id in stated and stated[doc_id] in bags:
            s, n = score(doc_id, stated[doc_id])
            rows.append((doc_id, stated[doc_id], round(s, 4), n, "metadata"))
            continue
        if lang[doc_id] != "en":
            continue  # translations into Chinese are not detected (see README)
        cands = sorted(((score(doc_id, o), o) for o in bags if lang[o] != lang[doc_id]),
                       reverse=True)
        if not cands:
            continue
        (best, n), other = cands[0]
        runner_up = cands[1][0][0] if len(cands) > 1 else 0.0
        if best >= min_score and n >= min_shared and best >= margin * runner_up:
            rows.append((doc_id, other, round(best, 4), n, "detected"))
    return pd.DataFrame(rows, columns=TRANSLATION_COLUMNS)


def translations_stage(corpus: Any, ctx: Any) -> dict[str, pd.DataFrame]:
    """Pipeline stage: the translations table; fills ``documents.translation_of``."""
    pairs = find_translations(corpus)
    tables = {"translations": pairs}
    documents = ctx.results.get("documents")
    if documents is not None and len(pairs):
        found = dict(zip(pairs["doc_id"], pairs["translation_of"], strict=True))
        filled = documents["doc_id"].map(found)
        current = documents["translation_of"].fillna("").astype(str)
        tables["documents"] = documents.assign(
            translation_of=current.where(current != "", filled.fillna(""))
        )
    return tables
