"""Numerals: every form news uses, qualifiers, ranges, dates that are not numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadrecast.numerals import find_dates, find_quantities, parse_number
from cadrecast.script import to_traditional


def one(text: str):
    qs = find_quantities(text)
    assert len(qs) == 1, (text, qs)
    q = qs[0]
    return q.value, q.unit, q.qualifier


@pytest.mark.parametrize(("text", "value", "unit", "qualifier"), [
    ("累计销售额达7000多萬元", 7e7, "yuan", "more than"),
    ("累计销售额达7000多万元", 7e7, "yuan", "more than"),
    ("下单金额达到2692億元", 2.692e11, "yuan", "exact"),
    ("在抖音有13.7萬粉絲", 1.37e5, "person", "exact"),
    ("鲜叶可以卖到一百多元", 100.0, "yuan", "more than"),
    ("纯收入也就两万多元", 2e4, "yuan", "more than"),
    ("纯收入也就兩萬多元", 2e4, "yuan", "more than"),
    ("养殖水面1.5萬畝", 1.5e4, "mu", "exact"),
    ("吸引了600多万人次观看", 6e6, "person-time", "more than"),
    ("进入全国30余个城市", 30.0, "item", "more than"),
    ("举办了近160场直播", 160.0, "session", "nearly"),
    ("观看人次超过1.5亿人次", 1.5e8, "person-time", "more than"),
    ("逾3000人参加", 3000.0, "person", "more than"),
    ("约5万元", 5e4, "yuan", "about"),
    ("共１，５００件商品", 1500.0, "item", "exact"),
    ("成交額２０５６萬元", 2.056e7, "yuan", "exact"),
    ("同比增长近四成", 40.0, "percent", "nearly"),
    ("出口下降了11.4%", 11.4, "percent", "exact"),
    ("占比百分之六十二", 62.0, "percent", "exact"),
    ("帶貨總額超過了1500萬元", 1.5e7, "yuan", "more than"),
    ("直播带货破亿", 1e8, "", "more than"),
    ("话题就有上亿流量", 1e8, "", "more than"),
    ("拉动了百万成交", 1e6, "", "exact"),
    ("一亩茶园", 1.0, "mu", "exact"),
    ("体重掉了12斤", 12.0, "jin", "exact"),
    ("售价69元以下", 69.0, "yuan", "less than"),
    ("直播3个多小时", 3.0, "hour", "more than"),
    ("成交规模将逼近6000亿", 6e11, "", "nearly"),
    ("一百二十万元", 1.2e6, "yuan", "exact"),
    ("三千五百万人", 3.5e7, "person", "exact"),
    ("一亿五千万元", 1.5e8, "yuan", "exact"),
    ("价格为4000万美元", 4e7, "usd", "exact"),
])
def test_quantity_forms(text, value, unit, qualifier):
    assert one(text) == (pytest.approx(value), unit, qualifier)


@pytest.mark.parametrize(("text", "low", "high", "unit"), [
    ("每天直播七八个小时", 7, 8, "hour"),
    ("每天直播七八個小時", 7, 8, "hour"),
    ("直播兩三個小時", 2, 3, "hour"),
    ("产品上3-5个就可以了", 3, 5, "item"),
    ("经过十几年的发展", 11, 19, "year"),
    ("县长直播就有数百场", 200, 900, "session"),
    ("五六万元", 5e4, 6e4, "yuan"),
])
def test_ranges(text, low, high, unit):
    (q,) = find_quantities(text)
    assert (q.value, q.high, q.unit, q.qualifier) == (low, high, unit, "range")


def test_per_unit_price():
    (q,) = find_quantities("好的明前茶鲜叶可以卖到一百多元一斤")
    assert (q.value, q.unit, q.qualifier) == (100.0, "yuan/jin", "more than")


@pytest.mark.parametrize("text", [
    "一些地方", "一带一路", "统一零售价", "第一书记", "四川省", "十堰市", "三农学者", "一枝独秀",
    "万紫千红", "亿万消费者", "千万不要", "百城县长", "一场疫情", "京东618全球年中购物节", "5G网络",
    "商品C2M", "Web1.0模式", "双11", "天猫6·18", "中午12:00-14:00", "二〇二〇年", "2020年6月1日",
    "今年4月", "几个月前", "又一成功案例", "文件一一落实", "其一", "万一失败",
])
def test_not_numbers(text):
    assert find_quantities(text) == []
    assert find_quantities(to_traditional(text)) == []


def test_spans_point_into_the_given_text():
    text = "6個直播間總共吸引了600多萬人次觀看,累計銷售額達7000多萬元。"
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text


@pytest.mark.parametrize(("text", "iso"), [
    ("二〇二〇年是", ["2020"]),
    ("2020年6月1日0时至6月18日24时", ["2020-06-01", "--06-18"]),
    ("6月19日凌晨", ["--06-19"]),
    ("2018年10月13日", ["2018-10-13"]),
    ("在剛剛過去的八月十五日", ["--08-15"]),
    ("2019-2020年618期间", ["2019"]),
    ("今年4月的第一天", ["--04"]),
])
def test_dates(text, iso):
    assert [d.iso for d in find_dates(text)] == iso


@pytest.mark.parametrize(("text", "value"), [
    ("2692亿", 2.692e11), ("１３.７萬", 1.37e5), ("两万", 2e4), ("一百二十", 120), ("十二", 12),
    ("二〇二〇", 2020), ("7000多万", 7e7), ("零", 0), ("3,500", 3500), ("百", 100),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "大米", "十堰"])
def test_parse_number_rejects(bad):
    with pytest.raises(ValueError, match="not a numeral"):
        parse_number(bad)


_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """Write 0 < n < 10**8 in Chinese numerals (independent of the code under test)."""
    def below_10k(m: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = m // value % 10
            if d:
                if zero and out:
                    out += "零"
                out += _DIGITS[d] + unit
                zero = False
            else:
                zero = True
        return out
    high, low = divmod(n, 10_000)
    if not high:
        return below_10k(low)
    text = below_10k(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + below_10k(low)
    return text


@given(st.integers(min_value=1, max_value=99_999_999))
def test_property_chinese_integers(n):
    assert parse_number(chinese(n)) == n
    (q,) = find_quantities(f"共计{chinese(n)}元。")
    assert (q.value, q.unit) == (n, "yuan")


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["元", "人", "件", "亩"]))
def test_property_arabic_and_fullwidth(n, unit):
    for digits in (str(n), str(n).translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})):
        (q,) = find_quantities(f"达到{digits}{unit},")
        assert q.value == n
