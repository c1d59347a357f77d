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


@functools.cache
def _common_chars() -> frozenset[str]:
    from .resources import read_text

    lines = read_text("encoding/common_chars.txt").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def _cjk_score(text: str) -> float:
    """Share of characters that are ASCII, CJK punctuation or common Han characters.

    A carriage return not followed by a line feed counts against the reading: in Chinese
    read with the wrong codec it is a stray byte (UTF-16 ``0D 4E`` is "不").
    """
    common = _common_chars()
    good = 0
    for ch in text:
        cp = ord(ch)
        if (0x20 <= cp < 0x7F or ch in "\t\n\r" or ch in common or 0x3000 <= cp <= 0x303F
                or 0xFF00 <= cp <= 0xFFEF or 0x2010 <= cp <= 0x2027):
            good += 1
    good -= text.count("\r") - text.count("\r\n")
    return good / max(len(text), 1)


def _ascii_noise(text: str) -> bool:
    """True when a reading is mostly ASCII yet has no space or line feed.

    That is what Chinese in UTF-16 without a BOM looks like through an 8-bit codec: many
    UTF-16 code units of common characters are two ASCII bytes ("不" is ``0D 4E``, "中" is
    ``2D 4E``), while real ASCII text of four or more characters has a space or a line break.
    """
    ascii_chars = [ch for ch in text if ord(ch) < 0x80]
    return len(text) >= 4 and len(ascii_chars) >= 0.5 * len(text) and not any(
        ch in " \n" for ch in ascii_chars)


def _pure_han(text: str) -> bool:
    """True when a reading is common Han characters (at least 80 %) and CJK punctuation only."""
    common = _common_chars()
    han = sum(ch in common for ch in text)
    punct = sum(0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF for ch in text)
    return bool(text) and han + punct == len(text) and han >= 0.8 * len(text)


def _utf16_reading(data: bytes) -> tuple[str, str] | None:
    """The UTF-16 (no BOM) reading of ``data`` if it is made of common Han characters."""
    if len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            reading = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _pure_han(reading):
            return reading, enc
    return None


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
    >>> decode_bytes("不大不大".encode("utf-16-le"))  # ASCII bytes only, but not ASCII text
    ('不大不大', 'utf-16-le')
    >>> decode_bytes(b"Ndrfbg")[1]
    'utf-8'
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise _error(path, exc, enc) from None
    first_error: UnicodeDecodeError | None = None
    try:
        text = data.decode("utf-8")
        if "\x00" not in text:  # text files hold no NUL; UTF-16 without BOM often does
            utf16 = _utf16_reading(data) if _ascii_noise(text) else None
            return utf16 if utf16 is not None else (text, "utf-8")
    except UnicodeDecodeError as utf8_error:
        first_error = utf8_error
    candidates: dict[str, str] = {}
    for enc in ("gb18030", "big5", "utf-16-le", "utf-16-be"):
        if enc.startswith("utf-16") and len(data) % 2:
            continue
        try:
            candidates[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    # UTF-16 decodes almost any even-length bytes: keep it only if it reads as text
    for enc in ("utf-16-le", "utf-16-be"):
        if enc in candidates and _cjk_score(candidates[enc]) < 0.8:
            del candidates[enc]
    if not candidates:
        if first_error is None:  # valid UTF-8 with NUL characters, and nothing better
            return data.decode("utf-8"), "utf-8"
        raise _error(path, first_error, "utf-8")
    if len(candidates) == 1:
        enc, text = next(iter(candidates.items()))
        return text, enc
    eight_bit = [text for enc, text in candidates.items() if not enc.startswith("utf-16")]
    if eight_bit and all(_ascii_noise(text) for text in eight_bit):
        utf16 = _utf16_reading(data)
        if utf16 is not None:
            return utf16
    # Several decode: GB18030 accepts almost any byte pair, so Big5 (or UTF-16) text
    # decodes "cleanly" into rare characters. The reading made of common characters
    # wins; charset-normalizer (restricted to GB18030/Big5) breaks ties.
    best = None
    if "gb18030" in candidates and "big5" in candidates:
        try:
            from charset_normalizer import from_bytes

            match = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
            if match is not None:
                best = "big5" if "big5" in match.encoding else "gb18030"
        except ImportError:  # pragma: no cover
            best = None
    order = ["gb18030", "big5", "utf-16-le", "utf-16-be"]
    scores = {enc: _cjk_score(text) for enc, text in candidates.items()}
    top = max(scores, key=lambda e: (round(scores[e], 3), e == best, -order.index(e)))
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
