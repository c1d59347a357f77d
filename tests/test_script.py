"""Script conversion against OpenCC's own published test cases, span maps, detection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cadrecast as cc
from cadrecast import script
from cadrecast.errors import ConfigError, DependencyError

CASES_FILE = Path(__file__).resolve().parents[2] / "shared" / "opencc" / "testcases.json"
GOLDEN = Path(__file__).parent / "golden" / "opencc_testcases.json"


def _load_cases() -> list[tuple[str, str, str, str]]:
    path = CASES_FILE if CASES_FILE.is_file() else GOLDEN
    text = re.sub(r",(\s*[}\]])", r"\1", path.read_text(encoding="utf-8"))
    out = []
    for case in json.loads(text)["cases"]:
        for config, expected in case["expected"].items():
            out.append((case["id"], config, case["input"], expected))
    return out


CASES = _load_cases()


def test_every_offered_config_has_cases():
    configs = {c for _, c, _, _ in CASES}
    assert configs == set(script.CONFIGS)
    assert len(CASES) == 543


@pytest.mark.parametrize(("case_id", "config", "text", "expected"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_opencc_published_cases(case_id, config, text, expected):
    assert script.convert(text, config) == expected


def test_golden_copy_matches_shared_file():
    # the repo keeps a copy so the test also runs where ../shared is absent
    if not CASES_FILE.is_file():
        pytest.skip("../shared/opencc/testcases.json not present")
    assert GOLDEN.read_bytes() == CASES_FILE.read_bytes()


def test_region_variants():
    assert cc.to_traditional("软件和鼠标", region="twp") == "軟體和滑鼠"
    assert cc.to_simplified("軟體和滑鼠", region="twp") == "软件和鼠标"
    assert cc.to_traditional("头发") == "頭髮"
    assert cc.to_simplified("領導幹部") == "领导干部"
    with pytest.raises(ConfigError, match="region='xx' is not valid"):
        cc.to_traditional("x", region="xx")
    with pytest.raises(ConfigError, match="Did you mean 't2s'"):
        script.converter("t2ss")


def test_converter_is_cached():
    assert script.converter("t2s") is script.converter("t2s")


def test_span_map_length_changing_conversion():
    text = "我们坐的士去鼠标店，再坐的士回来。"
    converted, smap = script.convert_with_map(text, "s2twp")
    assert len(converted) != len(text)
    # every converted span maps back to a span whose conversion contains it
    i = converted.index("計程車")
    s, e = smap.to_original(i, i + 3)
    assert text[s:e] == "的士"
    j = converted.rindex("回來")
    assert text[slice(*smap.to_original(j, j + 2))] == "回来"
    assert script.SpanMap.decode(smap.encode()) == smap


def test_span_map_identity_is_empty_code():
    converted, smap = script.convert_with_map("縣長直播帶貨", "t2s")
    assert converted == "县长直播带货" and smap.is_identity and smap.encode() == ""
    assert script.SpanMap.decode("", 6).to_original(2, 4) == (2, 4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["的士", "鼠标", "软件", "县长", "，", "带货", " ", "a1", "。", "信息"]),
                max_size=12))
def test_span_map_is_monotonic_and_bounded(parts):
    text = "".join(parts)
    converted, smap = script.convert_with_map(text, "s2twp")
    positions = [smap.original_index(i) for i in range(len(converted) + 1)]
    assert positions == sorted(positions)
    assert positions[0] == 0 and positions[-1] == len(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("縣長直播帶貨，賣出了很多農產品。", "hant"),
    ("县长直播带货，卖出了很多农产品。", "hans"),
    ("The county head sold rice in a livestream.", "en"),
    ("縣長直播帶貨，县长直播带货，賣出了很多農產品，卖出了很多农产品。", "mixed"),
    ("", "unknown"),
    ("2020 · 618", "unknown"),
])
def test_detect_script(text, expected):
    assert cc.detect_script(text) == expected


def test_reimplementation_is_detected(monkeypatch):
    import types

    fake = types.ModuleType("opencc")  # the reimplementation has no CONFIGS
    monkeypatch.setitem(__import__("sys").modules, "opencc", fake)
    script._opencc_module.cache_clear()
    try:
        with pytest.raises(DependencyError, match="pip install opencc"):
            script._opencc_module()
    finally:
        monkeypatch.undo()
        script._opencc_module.cache_clear()
        script._opencc_module()
