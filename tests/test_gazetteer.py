"""Place resolution: short forms, Traditional input, titles, ambiguity, context."""

from __future__ import annotations

import pytest

from cadrecast.gazetteer import find_places, load_gazetteer
from cadrecast.resources import read_text
from cadrecast.script import to_simplified


def names(text: str) -> list[tuple[str, str, str]]:
    return [(p.text, p.name, p.adcode) for p in find_places(to_simplified(text))]


def test_bundled_gazetteer_has_every_level():
    df = load_gazetteer().divisions
    counts = df["level"].value_counts()
    assert counts["province"] == 34  # 31 + Hong Kong, Macao, Taiwan
    assert counts["prefecture"] > 330 and counts["county"] > 2800 and counts["township"] > 38000
    sources = read_text("SOURCES.md")
    assert "gazetteer/divisions.tsv" in sources and "gazetteer/townships.tsv" in sources


@pytest.mark.parametrize(("text", "expected"), [
    ("丰城", ("丰城市", "360981")),
    ("尉犁", ("尉犁县", "652823")),
    ("廣西", ("广西壮族自治区", "450000")),
    ("内蒙古", ("内蒙古自治区", "150000")),
    ("湘西", ("湘西土家族苗族自治州", "433100")),
    ("秭歸縣", ("秭归县", "420527")),
    ("豐城市", ("丰城市", "360981")),
])
def test_short_forms_and_traditional(text, expected):
    ((_, name, code),) = names(text)
    assert (name, code) == expected


def test_title_is_not_swallowed():
    assert names("秭归县县长") == [("秭归县", "秭归县", "420527")]
    assert names("秭歸縣縣長") == [("秭归县", "秭归县", "420527")]


def test_title_is_not_a_place():
    assert names("县长来自江苏省") == [("江苏省", "江苏省", "320000")]


def test_chain_reads_prefecture_then_county():
    assert names("河南南阳镇平县副县长") == [
        ("河南", "河南省", "410000"), ("南阳", "南阳市", "411300"), ("镇平县", "镇平县", "411324")]


def test_ambiguous_district_is_flagged_not_guessed():
    (p,) = find_places("朝阳区")
    assert p.ambiguous and p.adcode == "" and len(p.candidates) >= 2
    (p,) = find_places("江北")
    assert p.ambiguous and p.province == ""


def test_context_resolves_ambiguity():
    places = find_places("北京市朝阳区")
    assert places[-1].adcode == "110105" and not places[-1].ambiguous
    places = find_places("重庆市副市长与云阳、荣昌、武隆、江北四个区县领导连麦")
    assert {p.name: p.adcode for p in places}["江北区"] == "500105"
    # context from elsewhere in the document
    (p,) = find_places("江北", context=["330200"])
    assert p.adcode == "330205"


@pytest.mark.parametrize("text", [
    "中山大学传播与设计学院", "南开大学教授", "平台安排上架", "京东明星直播间", "郭广昌直播不带货",
    "将效应最大化", "大江南北", "娱乐至死", "抖音小程序商城", "城市和县域政府",
])
def test_no_place_inside_other_words(text):
    assert find_places(text) == []


def test_villages_follow_their_county_or_town():
    places = find_places("四川省苍溪县岫云村党支部书记李君")
    village = places[-1]
    assert (village.name, village.level, village.county, village.province) == (
        "岫云村", "village", "苍溪县", "四川省")
    towns = find_places("陕西省柞水县小岭镇金米村")
    assert [p.level for p in towns] == ["province", "county", "township", "village"]
    assert towns[2].adcode == "611026104"


def test_spans_and_levels():
    text = "吉林省延边朝鲜族自治州和龙市市长"
    places = find_places(text)
    assert [text[p.start:p.end] for p in places] == ["吉林省", "延边朝鲜族自治州", "和龙市"]
    assert [p.level for p in places] == ["province", "prefecture", "county"]
    assert places[-1].prefecture == "延边朝鲜族自治州"
