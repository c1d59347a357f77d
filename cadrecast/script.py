"""Script detection and Traditional <-> Simplified conversion (OpenCC).

Conversion goes through the official OpenCC binding (``pip install opencc``), one cached
converter per configuration. Because some OpenCC phrase conversions change the length of
the text (``的士`` -> ``計程車`` under ``s2twp``), every conversion can also return a
:class:`SpanMap` that maps character offsets in the converted text back to the original.

Examples
--------
>>> to_simplified("領導幹部直播帶貨")
'领导干部直播带货'
>>> to_traditional("软件", region="twp")
'軟體'
>>> detect_script("縣長直播帶貨")
'hant'
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from .errors import ConfigError, DependencyError, check_choice

#: The OpenCC configurations cadrecast offers; every one passes OpenCC's own test cases.
CONFIGS: tuple[str, ...] = (
    "s2t", "t2s", "s2tw", "tw2s", "s2twp", "tw2sp", "s2hk", "hk2s", "s2hkp", "hk2sp",
    "t2tw", "tw2t", "t2hk", "hk2t", "t2jp", "jp2t",
)

Script = Literal["hans", "hant", "en", "mixed", "unknown"]

_TO_TRADITIONAL = {None: "s2t", "tw": "s2tw", "twp": "s2twp", "hk": "s2hk", "hkp": "s2hkp"}
_TO_SIMPLIFIED = {None: "t2s", "tw": "tw2s", "twp": "tw2sp", "hk": "hk2s", "hkp": "hk2sp"}

_FIX = (
    "Reinstall the official binding in this environment:\n"
    "    pip uninstall -y opencc-python-reimplemented opencc && pip install opencc\n"
    "(opencc-python-reimplemented installs a module with the same name, `opencc`, and fails "
    "most of OpenCC's own test cases; cadrecast needs the official binding.)"
)


@functools.cache
def _opencc_module():
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover - exercised only in broken installs
        raise DependencyError(f"The OpenCC package is not installed. {_FIX}") from exc
    # The official binding exposes CONFIGS and a compiled extension; the pure-Python
    # reimplementation (same import name) has neither.
    if not hasattr(opencc, "CONFIGS") or "t2s.json" not in getattr(opencc, "CONFIGS", ()):
        where = getattr(opencc, "__file__", "?")
        raise DependencyError(
            f"The `opencc` module found at {where} is not the official OpenCC binding "
            f"(probably opencc-python-reimplemented overwrote it). {_FIX}"
        )
    return opencc


@functools.cache
def converter(config: str):
    """Return the cached OpenCC converter for ``config`` (one per process and config).

    Parameters
    ----------
    config : str
        One of :data:`CONFIGS`, e.g. ``"t2s"``.

    Examples
    --------
    >>> converter("t2s").convert("臺灣")
    '台湾'
    """
    check_choice("config", config, CONFIGS)
    return _opencc_module().OpenCC(f"{config}.json")


def convert(text: str, config: str) -> str:
    """Convert ``text`` with the OpenCC configuration ``config``.

    Examples
    --------
    >>> convert("鼠标和软件", "s2twp")
    '滑鼠和軟體'
    """
    if not isinstance(text, str):
        raise TypeError(f"convert() expects a str, got {type(text).__name__}")
    return converter(config).convert(text)


def _region_config(region: str | None, table: dict) -> str:
    if region not in table:
        valid = ", ".join(repr(k) for k in table)
        raise ConfigError(f"region={region!r} is not valid; use one of: {valid}.")
    return table[region]


def to_simplified(text: str, region: str | None = None) -> str:
    """Convert Traditional Chinese to Simplified.

    Parameters
    ----------
    text : str
        The text; characters that are already Simplified, Latin letters and digits pass
        through unchanged.
    region : {None, "tw", "twp", "hk", "hkp"}
        ``None`` uses OpenCC ``t2s``; ``"tw"``/``"hk"`` read Taiwan/Hong Kong character
        variants (``tw2s``/``hk2s``); ``"twp"``/``"hkp"`` also convert regional phrases
        (``tw2sp``/``hk2sp``: 滑鼠 -> 鼠标).

    Examples
    --------
    >>> to_simplified("豐城市委書記")
    '丰城市委书记'
    >>> to_simplified("滑鼠", region="twp")
    '鼠标'
    """
    return convert(text, _region_config(region, _TO_SIMPLIFIED))


def to_traditional(text: str, region: str | None = None) -> str:
    """Convert Simplified Chinese to Traditional.

    Parameters
    ----------
    text : str
    region : {None, "tw", "twp", "hk", "hkp"}
        ``None`` uses OpenCC ``s2t`` (OpenCC's standard Traditional); ``"tw"``/``"hk"``
        use Taiwan/Hong Kong character forms, ``"twp"``/``"hkp"`` also regional phrases.

    Examples
    --------
    >>> to_traditional("直播带货")
    '直播帶貨'
    >>> to_traditional("软件", region="twp")
    '軟體'
    """
    return convert(text, _region_config(region, _TO_TRADITIONAL))


# --------------------------------------------------------------------------- span maps

@dataclass(frozen=True)
class SpanMap:
    """Map character offsets of a converted text back to the original text.

    Stored as anchors ``(converted_index, original_index)``: between two anchors the
    offsets advance together. An identity map has no anchors; :meth:`encode` gives a
    compact string (``""`` for the identity) that fits in a CSV cell.

    Examples
    --------
    >>> converted, smap = convert_with_map("坐的士去", "s2twp")
    >>> converted
    '坐計程車去'
    >>> smap.to_original(1, 4)   # the span of 計程車 in the converted text
    (1, 3)
    """

    converted_length: int
    original_length: int
    anchors: tuple[tuple[int, int], ...] = ()

    @property
    def is_identity(self) -> bool:
        return not self.anchors and self.converted_length == self.original_length

    def original_index(self, i: int) -> int:
        """The original offset of converted offset ``i`` (0 <= i <= converted_length)."""
        if not 0 <= i <= self.converted_length:
            raise IndexError(f"offset {i} outside 0..{self.converted_length}")
        if not self.anchors:
            return i
        k = bisect.bisect_right([a[0] for a in self.anchors], i) - 1
        if k < 0:
            return i
        h, o = self.anchors[k]
        value = o + (i - h)
        # never run past the next anchor (positions of an inserted character share one)
        if k + 1 < len(self.anchors):
            value = min(value, self.anchors[k + 1][1])
        return min(value, self.original_length)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the converted span ``[start, end)`` to a span of the original text."""
        s = self.original_index(start)
        e = self.original_index(end)
        return s, max(s, e)

    def encode(self) -> str:
        """A compact text form: ``""`` for the identity, else ``"len|h:o,h:o,..."``."""
        if self.is_identity:
            return ""
        body = ",".join(f"{h}:{o}" for h, o in self.anchors)
        return f"{self.converted_length}>{self.original_length}|{body}"

    @classmethod
    def decode(cls, code: str, length: int | None = None) -> SpanMap:
        """Rebuild a map from :meth:`encode`'s string (``length`` needed for ``""``)."""
        if not code:
            if length is None:
                raise ValueError("an empty span map needs the text length")
            return cls(length, length)
        lengths, _, body = code.partition("|")
        clen, _, olen = lengths.partition(">")
        anchors = tuple(
            (int(h), int(o)) for h, o in (p.split(":") for p in body.split(",") if p)
        )
        return cls(int(clen), int(olen), anchors)

    @classmethod
    def from_positions(cls, positions: list[int], original_length: int) -> SpanMap:
        """Build from ``positions[i]`` = original offset of converted offset ``i``."""
        anchors = []
        prev = None
        for i, o in enumerate(positions):
            if prev is None or o != prev + 1:
                if not (prev is None and o == 0):
                    anchors.append((i, o))
            prev = o
        n = len(positions) - 1
        smap = cls(n, original_length, tuple(anchors))
        if not anchors and n == original_length:
            return cls(n, original_length)
        return smap


# Delimiters OpenCC phrases never span: whitespace and punctuation.
_DELIM = re.compile(r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\u2000-\u206f!-/:-@\[-`{-~]+")


def _align_chunk(orig: str, conv: str, config: str, base_o: int, out: list[int]) -> None:
    """Append original positions for each character of ``conv`` (a converted chunk)."""
    if len(orig) == len(conv):
        out.extend(range(base_o, base_o + len(orig)))
        return
    cv = converter(config)
    per_char = [cv.convert(ch) for ch in orig]
    flat, owner = [], []
    for j, piece in enumerate(per_char):
        flat.extend(piece)
        owner.extend([j] * len(piece))
    sm = difflib.SequenceMatcher(None, "".join(flat), conv, autojunk=False)
    pos = [None] * len(conv)
    for a, b, size in sm.get_matching_blocks():
        for t in range(size):
            pos[b + t] = owner[a + t]
    # fill unmatched runs proportionally between their neighbours
    i = 0
    while i < len(conv):
        if pos[i] is not None:
            i += 1
            continue
        j = i
        while j < len(conv) and pos[j] is None:
            j += 1
        left = pos[i - 1] + 1 if i > 0 else 0
        right = pos[j] if j < len(conv) else len(orig)
        span = max(right - left, 0)
        for t in range(i, j):
            pos[t] = left + (span * (t - i)) // max(j - i, 1) if span else min(left, len(orig) - 1)
        i = j
    # keep monotonic
    for t in range(1, len(pos)):
        pos[t] = max(pos[t], pos[t - 1])
    out.extend(base_o + p for p in pos)


def convert_with_map(text: str, config: str) -> tuple[str, SpanMap]:
    """Convert ``text`` and return the result with a :class:`SpanMap` back to ``text``.

    Examples
    --------
    >>> convert_with_map("縣長帶貨", "t2s")[0]
    '县长带货'
    >>> convert_with_map("縣長帶貨", "t2s")[1].is_identity
    True
    """
    converted = convert(text, config)
    if len(converted) == len(text):
        return converted, SpanMap(len(text), len(text))
    positions: list[int] = []
    pieces: list[str] = []
    last = 0
    bounds = [(m.start(), m.end()) for m in _DELIM.finditer(text)]
    spans = []
    for s, e in bounds:
        if s > last:
            spans.append((last, s, False))
        spans.append((s, e, True))
        last = e
    if last < len(text):
        spans.append((last, len(text), False))
    cv = converter(config)
    for s, e, _is_delim in spans:
        chunk = text[s:e]
        conv = cv.convert(chunk)
        pieces.append(conv)
        _align_chunk(chunk, conv, config, s, positions)
    joined = "".join(pieces)
    if joined != converted:
        # chunking changed OpenCC's segmentation: align the whole text instead
        positions = []
        _align_chunk(text, converted, config, 0, positions)
    positions.append(len(text))
    return converted, SpanMap.from_positions(positions, len(text))


# --------------------------------------------------------------------------- detection

def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F
        or 0xF900 <= cp <= 0xFAFF
    )


def _changed(text: str, converted: str) -> int:
    if len(text) == len(converted):
        return sum(1 for a, b in zip(text, converted, strict=True) if a != b)
    sm = difflib.SequenceMatcher(None, text, converted, autojunk=False)
    return sum(i2 - i1 for tag, i1, i2, _, _ in sm.get_opcodes() if tag != "equal")


def script_profile(text: str) -> dict[str, int]:
    """Count the evidence for each script in ``text``.

    Returns a dict with ``han`` (Han characters), ``latin`` (Latin letters),
    ``hant`` (characters that only Traditional writing uses: changed by ``t2s``) and
    ``hans`` (characters that only Simplified writing uses: changed by ``s2t``); these
    two are counted over the first 4,000 Han characters.

    Examples
    --------
    >>> script_profile("縣長 county head")
    {'han': 2, 'latin': 10, 'hant': 2, 'hans': 0}
    """
    han = sum(1 for ch in text if _is_han(ch))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    latin += sum(
        1 for ch in text
        if not ch.isascii() and ch.isalpha() and not _is_han(ch)
        and unicodedata.name(ch, "").startswith("LATIN")
    )
    hant = hans = 0
    if han:
        # a sample of up to 4,000 Han characters decides as well as the whole text
        only_han = "".join(ch for ch in text if _is_han(ch))[:4000]
        hant = _changed(only_han, convert(only_han, "t2s"))
        hans = _changed(only_han, convert(only_han, "s2t"))
    return {"han": han, "latin": latin, "hant": hant, "hans": hans}


def detect_script(text: str, default: Script = "hans") -> Script:
    """Tell whether ``text`` is Traditional, Simplified or English (or mixed).

    Parameters
    ----------
    text : str
    default : str
        Returned for Chinese text with no character that tells the scripts apart
        (``"直播"`` is written the same way in both). Paragraph detection passes the
        document's script here.

    Returns
    -------
    str
        ``"hant"``, ``"hans"``, ``"en"``, ``"mixed"`` (both Chinese scripts, or Chinese
        and English in similar amounts) or ``"unknown"`` (no letters at all).

    Examples
    --------
    >>> detect_script("领导干部直播带货")
    'hans'
    >>> detect_script("Officials sell rice online")
    'en'
    >>> detect_script("直播")
    'hans'
    """
    p = script_profile(text)
    letters = p["han"] + p["latin"] / 4  # ~4 Latin letters carry what one Han character does
    if letters == 0:
        return "unknown"
    han_share = p["han"] / letters
    if han_share < 0.3:
        return "en"
    if han_share < 0.7 and p["latin"] >= 40:
        return "mixed"
    hant, hans = p["hant"], p["hans"]
    if hant == 0 and hans == 0:
        return default if default in ("hans", "hant") else "hans"
    if hant and hans and min(hant, hans) / max(hant, hans) > 0.34 and min(hant, hans) >= 3:
        return "mixed"
    return "hant" if hant >= hans else "hans"
