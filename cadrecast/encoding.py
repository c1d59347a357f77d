"""Detect and decode the encodings Chinese text files arrive in.

Supported: UTF-8 (with or without BOM), UTF-16 (with BOM, or little/big endian without),
GB18030 (and its subsets GBK / GB2312) and Big5. Detection restricts the candidates, as a
general detector guesses Korean or Japanese code pages for short Chinese text.

Examples
--------
>>> decode_bytes("縣長直播".encode("big5"))
('縣長直播', 'big5')
>>> decode_bytes("县长直播".encode("gb18030"))
('县长直播', 'gb18030')
"""

from __future__ import annotations

import codecs
import functools

from .errors import DecodeError

#: Encodings cadrecast detects, in the names it records.
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "big5")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 without BOM from the share of zero bytes in even/odd positions."""
    if len(data) < 4 or len(data) % 2:
        return None
    even = data[0::2].count(0) / (len(data) / 2)
    odd = data[1::2].count(0) / (len(data) / 2)
    # ASCII-heavy text has zeros in the high byte; Chinese text rarely has zero bytes at
    # all, so also accept decodable text whose code points are mostly CJK.
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or ch in "，。、\n ")
        if cjk / max(len(text), 1) > 0.6:
            return enc
    return None


@functools.cache
def _common_chars() -> frozenset[str]:
    from .resources import read_text

    lines = read_text("encoding/common_chars.txt").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def _cjk_score(text: str) -> float:
    """Share of characters that are ASCII, CJK punctuation or common Han characters."""
    common = _common_chars()
    good = 0
    for ch in text:
        cp = ord(ch)
        if cp < 0x80 or ch in common or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF:
            good += 1
    return good / max(len(text), 1)


def decode_bytes(data: bytes, path: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    Parameters
    ----------
    data : bytes
        The file content.
    path : str, optional
        Used in the error message only.

    Returns
    -------
    (str, str)
        The text and the encoding name (one of :data:`ENCODINGS`).

    Raises
    ------
    DecodeError
        When no supported encoding decodes the bytes; the message names the file and the
        byte offset where UTF-8 decoding failed.

    Examples
    --------
    >>> decode_bytes("直播".encode("utf-16"))
    ('直播', 'utf-16')
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise _error(path, exc, enc) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        first_error = utf8_error
    guess = _utf16_without_bom(data)
    if guess:
        return data.decode(guess), guess
    candidates: dict[str, str] = {}
    for enc in ("gb18030", "big5"):
        try:
            candidates[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise _error(path, first_error, "utf-8")
    if len(candidates) == 1:
        enc, text = next(iter(candidates.items()))
        return text, enc
    # Both decode: GB18030 accepts almost any byte pair, so Big5 text decodes "cleanly"
    # into rare characters. Ask charset-normalizer, restricted to the two, then check
    # that its answer reads as common Chinese.
    best = None
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
        if match is not None:
            best = "big5" if "big5" in match.encoding else "gb18030"
    except ImportError:  # pragma: no cover
        best = None
    scores = {enc: _cjk_score(text) for enc, text in candidates.items()}
    top = max(scores, key=lambda e: (scores[e], e == best))
    return candidates[top], top


def _error(path: str | None, exc: UnicodeDecodeError, enc: str) -> DecodeError:
    where = f"File {path!r}" if path else "The input"
    bad = exc.object[exc.start:exc.start + 4].hex(" ")
    return DecodeError(
        f"{where} could not be decoded: byte offset {exc.start} (bytes {bad}) is not valid "
        f"{enc}, and the file is not GB18030, Big5 or UTF-16 either. Re-save it as UTF-8 "
        "(in a text editor: Save As... / Encoding: UTF-8) or remove it from the corpus.",
        path=path,
        offset=exc.start,
    )
