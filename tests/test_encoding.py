"""Encoding detection: each supported encoding round-trips; undecodable bytes name the offset."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadrecast.encoding import decode_bytes
from cadrecast.errors import DecodeError

TRAD = "縣長直播帶貨,推銷當地農產品,兩小時賣出一萬多單。"
SIMP = "县长直播带货,推销当地农产品,两小时卖出一万多单。"


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    (SIMP, "utf-8", "utf-8"), (SIMP, "utf-8-sig", "utf-8-sig"), (TRAD, "utf-16", "utf-16"),
    (SIMP, "utf-16-le", "utf-16-le"), (SIMP, "gb18030", "gb18030"), (SIMP, "gbk", "gb18030"),
    (TRAD, "big5", "big5"), ("縣長", "big5", "big5"), ("县长", "gb18030", "gb18030"),
    (TRAD, "gb18030", "gb18030"),
])
def test_round_trip(text, encoding, expected):
    assert decode_bytes(text.encode(encoding)) == (text, expected)


# common characters that exist in both GBK and Big5 code pages
_CHARS = st.sampled_from(list("直播大米縣長帶貨農產品銷售萬元人民政府服務中國的一是在不了有和這為個"))


@settings(max_examples=1500, deadline=None)
@given(st.text(_CHARS, min_size=6, max_size=60), st.sampled_from(["big5", "utf-8", "utf-16", "utf-16-le", "gb18030"]))
def test_traditional_text_round_trips(text, encoding):
    decoded, _ = decode_bytes(text.encode(encoding))
    assert decoded == text


def test_undecodable_bytes():
    with pytest.raises(DecodeError, match=r"'x.txt'.*byte offset 3") as info:
        decode_bytes(b"abc" + b"\xff\xfe\xfa\x00\x81\x80" * 2, "x.txt")
    assert info.value.offset == 3 and info.value.path == "x.txt"


@pytest.mark.parametrize("text", ["不不不不不不", "大不大不", "中國服有在是"])
def test_utf16_made_of_ascii_bytes(text):
    # every byte of these UTF-16 encodings is ASCII, so the bytes are valid UTF-8 too
    for enc in ("utf-16-le", "utf-16-be"):
        data = text.encode(enc)
        assert all(b < 0x80 for b in data)
        assert decode_bytes(data) == (text, enc)


@pytest.mark.parametrize("text", ["Hello world", "line\nline", "abcdefgh", "2020", "A-1"])
def test_ascii_text_stays_utf8(text):
    assert decode_bytes(text.encode("ascii")) == (text, "utf-8")
