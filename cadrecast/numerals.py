"""Numbers in Chinese news text: Arabic, full-width and Chinese numerals, units, qualifiers, dates.

News writes the same quantity many ways: ``2692亿元``, ``7000多萬元``, ``13.7万粉丝``, ``一百多元``,
``两万多元``, ``近160场``, ``七八个小时``, ``１，５００件``. This module reads them into numbers in
base units (yuan, person, mu, jin, hour ...) with a qualifier ("more than", "nearly", "about",
"less than", "range"), and tells dates (``二〇二〇年``, ``6月19日``) and times apart from
quantities. Words that merely contain a numeral character (一些, 一带一路, 统一零售价, 第一书记,
四川) give no number.

The functions accept Simplified and Traditional text (萬, 億, 兩, 幾, 餘 ... are read as 万, 亿, 两,
几, 余) and report spans as offsets into the string given.

Examples
--------
>>> parse_number("7000多萬")
70000000.0
>>> [(q.text, q.value, q.unit, q.qualifier) for q in find_quantities("累计销售额达7000多萬元")]
[('7000多萬元', 70000000.0, 'yuan', 'more than')]
>>> [d.iso for d in find_dates("二〇二〇年6月19日凌晨")]
['2020-06-19']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "DateMention",
    "Quantity",
    "find_dates",
    "find_quantities",
    "parse_number",
]

# Traditional -> Simplified for the characters this module reads (one to one, so spans hold).
_FOLD = str.maketrans({
    "萬": "万", "億": "亿", "兩": "两", "幾": "几", "餘": "余", "數": "数", "約": "约",
    "過": "过", "將": "将", "幣": "币", "個": "个", "場": "场", "畝": "亩", "種": "种", "臺": "台",
    "時": "时", "鐘": "钟", "週": "周", "頭": "头", "條": "条", "張": "张", "間": "间",
    "號": "号", "點": "点", "筆": "笔", "單": "单", "門": "门", "貳": "贰",
    "參": "叁", "陸": "陆", "級": "级", "歲": "岁", "噸": "吨", "裏": "里", "裡": "里",
    "於": "于", "達": "达", "後": "后", "來": "来",
    "撥": "拨", "贊": "赞", "讚": "赞", "觀": "观", "絲": "丝", "戶": "户", "際": "际",
    "額": "额", "銷": "销", "雙": "双",
    "．": ".", "，": ",", "％": "%", "～": "~", "－": "-", "—": "-", "–": "-",
    **{chr(0xFF10 + i): str(i) for i in range(10)},
})

_CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
    "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)

#: Unit words after a number: surface -> (base unit, factor).
UNITS: dict[str, tuple[str, float]] = {
    "美元": ("usd", 1), "港元": ("hkd", 1), "欧元": ("eur", 1), "块钱": ("yuan", 1),
    "元": ("yuan", 1), "块": ("yuan", 1),
    "人次": ("person-time", 1), "人": ("person", 1), "位": ("person", 1), "名": ("person", 1),
    "户": ("household", 1), "家": ("firm", 1),
    "个百分点": ("percentage point", 1), "%": ("percent", 1), "成": ("percent", 10), "倍": ("times", 1),
    "平方公里": ("m2", 1e6), "平方千米": ("m2", 1e6), "平方米": ("m2", 1), "平米": ("m2", 1),
    "公顷": ("mu", 15), "亩": ("mu", 1),
    "公斤": ("kg", 1), "千克": ("kg", 1), "吨": ("kg", 1000), "克": ("kg", 0.001), "斤": ("jin", 1),
    "公里": ("m", 1000), "千米": ("m", 1000), "米": ("m", 1),
    "个小时": ("hour", 1), "小时": ("hour", 1), "钟头": ("hour", 1), "分钟": ("minute", 1),
    "秒": ("second", 1), "天": ("day", 1), "个星期": ("week", 1), "星期": ("week", 1),
    "周": ("week", 1), "个月": ("month", 1), "年": ("year", 1), "岁": ("year", 1),
    "场": ("session", 1), "次": ("time", 1), "期": ("session", 1),
    "个": ("item", 1), "件": ("item", 1), "款": ("item", 1), "种": ("item", 1),
    "部": ("item", 1), "台": ("item", 1), "箱": ("item", 1), "份": ("item", 1),
    "条": ("item", 1), "只": ("item", 1), "头": ("item", 1), "瓶": ("item", 1),
    "盒": ("item", 1), "袋": ("item", 1), "包": ("item", 1), "单": ("order", 1),
    "套": ("item", 1), "张": ("item", 1), "项": ("item", 1), "类": ("item", 1),
    "批": ("item", 1), "株": ("item", 1), "棵": ("item", 1), "座": ("item", 1),
    "所": ("item", 1), "间": ("item", 1), "笔": ("item", 1),
    "段": ("item", 1), "篇": ("item", 1), "届": ("item", 1), "轮": ("item", 1),
}
#: Nouns that, right after a number, act as its unit (13.7万粉丝, 5亿用户, 103万人口).
NOUN_UNITS: dict[str, str] = {
    "粉丝": "person", "用户": "person", "网友": "person", "观众": "person", "消费者": "person",
    "网民": "person", "农户": "household", "贫困户": "household", "人口": "person",
    "员工": "person", "商家": "firm", "企业": "firm", "门店": "firm", "店铺": "firm",
}
_UNIT_RE = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
_NOUN_RE = "|".join(sorted(map(re.escape, NOUN_UNITS), key=len, reverse=True))

_ARABIC = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = f"[{_CN_CHARS}几]+"
# prefix qualifiers, longest first; value -> normalised qualifier
_PREFIX_Q = {
    "超过": "more than", "多于": "more than", "高于": "more than", "大于": "more than",
    "突破": "more than", "超": "more than", "逾": "more than", "过": "more than",
    "破": "more than", "上": "more than", "近": "nearly", "将近": "nearly", "接近": "nearly",
    "逼近": "nearly", "约": "about", "大约": "about", "大概": "about", "不到": "less than",
    "不足": "less than", "少于": "less than", "低于": "less than", "至少": "at least",
    "最少": "at least",
}
_SUFFIX_Q = {
    "多": "more than", "余": "more than", "以上": "more than", "之上": "more than",
    "开外": "more than", "左右": "about", "上下": "about", "以下": "less than",
    "以内": "less than", "之内": "less than",
}
_Q_ALTS = "|".join(sorted(map(re.escape, _PREFIX_Q), key=len, reverse=True))

_NUMBER = re.compile(
    rf"(?:(?P<pre>{_Q_ALTS})了?)?(?P<cur>人民币|新台币|港币|美金)?"
    rf"(?P<num>(?:{_ARABIC})(?:\s*[-~至到]\s*(?:{_ARABIC}))?(?:多|余|几)?[{_CN_CHARS}几多余]*"
    rf"|数[十百千万亿]+[万亿]?|几[十百千万亿]+[万亿]?|{_CN})"
    rf"(?P<mid>多|余)?"
    rf"(?P<unit>个[多余](?:小时|月|星期)|{_NOUN_RE}|{_UNIT_RE})?"
    rf"(?P<post>多|余|以上|之上|开外|左右|上下|以下|以内|之内)?"
)

_DATE = re.compile(
    r"(?P<y>(?:1[89]|20)\d{2}|[〇零○一二三四五六七八九]{4})年"
    r"(?:(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月"
    r"(?:(?P<d>3[01]|[12]\d|0?[1-9]|[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])[日号])?)?"
    r"|(?P<m2>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月"
    r"(?:(?P<d2>3[01]|[12]\d|0?[1-9]|[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])[日号]"
    r"|(?=份|初|底|中旬|上旬|下旬|末|的|[,，、。])|份)"
    r"|(?P<y2>\d{2})年(?=的|代|生)"
    r"|(?P<y3>(?:1[89]|20)\d{2})\s*[-~至到]\s*(?:(?:1[89]|20)\d{2})年"
)
_TIME = re.compile(r"\d{1,2}[:：]\d{2}(?:\s*[-~]\s*\d{1,2}[:：]\d{2})?|\d{1,2}时(?:\d{1,2}分)?(?=至|到|-|~)"
                   r"|\d{1,2}时(?=[,，。]|至|到)")
_FRACTION = re.compile(rf"(百分之|([{_CN_CHARS}\d.]+)分之)([{_CN_CHARS}\d.]+)")
# numbers glued to Latin letters (5G, C2M, Web1.0, TOP5, 100EC) or part of names (618, 双11)
_LATIN = re.compile(r"[A-Za-z]")
_FESTIVAL = re.compile(r"双\s*1[12]|双十[一二]|\d{1,2}·\d{1,2}|(?:6\.18|11\.11|12\.12)(?![\d万亿%元])"
                       r"|(?<!\d)(?:618|818|515|1111)(?![\d万亿%元])")
# words whose numeral character is not a number
_NOT_AFTER = set("第其初星周礼")
_LONE_ONE_UNITS = {"yuan", "usd", "hkd", "eur", "jin", "kg", "mu", "m2", "percent"}


@dataclass(frozen=True)
class Quantity:
    """A number with its unit and qualifier, found in a text.

    ``value`` is in base units (``"7000多萬元"`` -> 70,000,000 yuan); a range keeps its upper
    bound in ``high`` (``"七八个小时"`` -> value 7, high 8, qualifier ``"range"``).
    """

    start: int
    end: int
    text: str
    value: float
    unit: str
    qualifier: str = "exact"
    high: float | None = None
    unit_text: str = ""


@dataclass(frozen=True)
class DateMention:
    """A calendar date or month/year in a text; missing parts are ``None``."""

    start: int
    end: int
    text: str
    year: int | None
    month: int | None
    day: int | None

    @property
    def iso(self) -> str:
        """ISO 8601 form, as precise as the text (``2020``, ``2020-06``, ``--06-19``)."""
        if self.year is None:
            return f"--{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")
        out = f"{self.year:04d}"
        if self.month:
            out += f"-{self.month:02d}"
            if self.day:
                out += f"-{self.day:02d}"
        return out


def fold(text: str) -> str:
    """Fold Traditional numeral/unit characters and full-width digits; same length as ``text``."""
    return text.translate(_FOLD)


def _cn_int(s: str) -> float:
    """Value of a Chinese numeral made of digits and 十百千万亿 (no 多/几)."""
    if s and all(ch in _CN_DIGITS for ch in s) and len(s) >= 2:
        return float("".join(str(_CN_DIGITS[ch]) for ch in s))  # 二〇二〇 read digit by digit
    total = 0.0
    section = 0.0
    number = 0.0
    seen_digit = False
    for ch in s:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
            seen_digit = True
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            if not seen_digit and number == 0:
                number = 1  # 十二 = 12, 百元 = 100
            section += number * unit
            number = 0
            seen_digit = False
        elif ch in _CN_BIG:
            big = _CN_BIG[ch]
            section += number
            if section == 0:
                section = 1
            if big == 100_000_000:
                total = (total + section) * big
            else:
                total += section * big
            section = 0
            number = 0
            seen_digit = False
        else:
            raise ValueError(f"not a Chinese numeral character: {ch!r} in {s!r}")
    return total + section + number


def _scale(value: float, multipliers: str) -> float:
    for ch in multipliers:
        value *= _CN_SMALL.get(ch) or _CN_BIG[ch]
    return value


def _parse(num: str) -> tuple[float, float | None, str]:
    """Parse a numeral (folded) -> (value, high or None, qualifier from inside the numeral)."""
    s = num.replace(",", "").replace(" ", "")
    qualifier = "exact"
    # Arabic range: 3-5, 3~5万
    m = re.fullmatch(r"(\d+(?:\.\d+)?)[-~至到](\d+(?:\.\d+)?)([十百千万亿]*)", s)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        return _scale(lo, m.group(3)), _scale(hi, m.group(3)), "range"
    # 数百, 几十万: several
    m = re.fullmatch(r"[数几]([十百千万亿]+)", s)
    if m:
        base = _scale(1.0, m.group(1))
        return 2 * base, 9 * base, "range"
    # Arabic head with Chinese multipliers: 7000多万, 13.7万, 2692亿, 30余
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(多|余|几)?([十百千万亿]*)(多|余)?", s)
    if m:
        value = _scale(float(m.group(1)), m.group(3))
        if m.group(2) or m.group(4):
            qualifier = "more than"
        return value, None, qualifier
    # Chinese: ranges of neighbouring digits (七八, 一两, 十七八, 二三十, 五六万), 十几, 几十
    if "几" in s:
        head, _, tail = s.partition("几")
        if head and not tail:  # 十几 -> 11..19, 二十几 -> 21..29
            lo = _cn_int(head)
            return lo + 1, lo + 9, "range"
        if not head and tail:
            return _parse("几" + tail)
        lo_head = _cn_int(head) if head else 0
        return lo_head, None, "more than"
    if s.endswith(("多", "余")) or re.search(r"[多余][万亿]", s):
        qualifier = "more than"
        s = s.replace("多", "").replace("余", "")
    m = re.fullmatch(rf"(.*?)([{''.join(_CN_DIGITS)}])([{''.join(_CN_DIGITS)}])([十百千万亿]*)", s)
    if m and len(s) >= 2:
        a, b = _CN_DIGITS[m.group(2)], _CN_DIGITS[m.group(3)]
        consecutive = (b == a + 1 and a > 0) or (m.group(2), m.group(3)) in {("一", "两"), ("两", "三")}
        if consecutive and not (len(s) >= 3 and all(ch in _CN_DIGITS for ch in s)):
            head = m.group(1)
            mult = m.group(4)
            # 十七八 -> 17..18 ; 二三十 -> 20..30 ; 五六万 -> 50000..60000
            if head and head[-1] in _CN_SMALL:
                base = _cn_int(head)
                return base + a, base + b, "range"
            lo = _cn_int(m.group(2) + mult) if mult else float(a)
            hi = _cn_int(m.group(3) + mult) if mult else float(b)
            if head:
                prefix = _cn_int(head)
                lo, hi = prefix + lo, prefix + hi
            return lo, hi, "range"
    return _cn_int(s), None, qualifier


def parse_number(text: str) -> float:
    """Read one numeral (Arabic, full-width, Chinese or mixed) as a float.

    Qualifiers inside the numeral (多, 余) are dropped; a range gives its lower bound. Use
    :func:`find_quantities` to keep qualifiers, ranges and units.

    Parameters
    ----------
    text : str
        The numeral alone, e.g. ``"2692亿"``, ``"１３.７萬"``, ``"两万"``, ``"一百二十"``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``text`` is not a numeral.

    Examples
    --------
    >>> parse_number("2692億"), parse_number("两万多"), parse_number("一百二十")
    (269200000000.0, 20000.0, 120.0)
    """
    s = fold(text.strip())
    if not s or not re.fullmatch(rf"[\d.,\s~\-至到{_CN_CHARS}几多余数]+", s):
        raise ValueError(f"not a numeral: {text!r}")
    try:
        return _parse(s)[0]
    except (ValueError, KeyError) as exc:
        raise ValueError(f"not a numeral: {text!r}") from exc


def _cn_small_int(s: str | None) -> int | None:
    if not s:
        return None
    if s.isdigit():
        return int(s)
    return int(_cn_int(s))


def find_dates(text: str) -> list[DateMention]:
    """Find dates (年/月/日 forms, Arabic or Chinese numerals) in ``text``.

    Examples
    --------
    >>> [(d.text, d.iso) for d in find_dates("2020年6月1日0时至6月18日24时")]
    [('2020年6月1日', '2020-06-01'), ('6月18日', '--06-18')]
    """
    s = fold(text)
    out = []
    for m in _DATE.finditer(s):
        if m.start() > 0 and s[m.start() - 1].isdigit():
            continue
        if m.group("y3"):
            y, mo, d = int(m.group("y3")), None, None
        elif m.group("y2"):
            yy = int(m.group("y2"))
            y, mo, d = (1900 + yy if yy >= 30 else 2000 + yy), None, None
        elif m.group("y"):
            y = int(_cn_int(m.group("y")) if not m.group("y").isdigit() else m.group("y"))
            mo, d = _cn_small_int(m.group("m")), _cn_small_int(m.group("d"))
        else:
            y, mo, d = None, _cn_small_int(m.group("m2")), _cn_small_int(m.group("d2"))
            if m.group("m2") in {"一"} and not m.group("d2"):
                continue  # 一月 is rare; 一个月 is not matched anyway
        if (mo is not None and not 1 <= mo <= 12) or (d is not None and not 1 <= d <= 31):
            continue
        end = m.end()
        out.append(DateMention(m.start(), end, text[m.start():end], y, mo, d))
    return out


def _masks(s: str) -> list[tuple[int, int]]:
    spans = [(d.start, d.end) for d in find_dates(s)]
    spans += [m.span() for m in _TIME.finditer(s)]
    spans += [m.span() for m in _FESTIVAL.finditer(s)]
    spans += [m.span() for m in re.finditer(r"\d+(?:\.\d+)*[A-Za-z]+|[A-Za-z]+\d+(?:\.\d+)*", s)]
    spans += [m.span() for m in re.finditer(r"第[\d一二三四五六七八九十百千两]+", s)]
    return spans


def find_quantities(text: str) -> list[Quantity]:
    """Find every quantity (number + unit, or a number with 万/亿) in ``text``.

    Dates, times, ordinals (第一), numbers inside Latin words (5G, C2M) and festival names
    (618, 双11) are skipped, as are words that merely contain a numeral character (一些,
    统一, 一带一路, 四川). A bare Arabic number without unit is kept only after a metric word
    (``粉丝3000``).

    Parameters
    ----------
    text : str
        Simplified or Traditional Chinese.

    Returns
    -------
    list of Quantity
        In text order; ``start``/``end`` are offsets into ``text``.

    Examples
    --------
    >>> [(q.value, q.unit, q.qualifier) for q in find_quantities("近160场直播,600多万人次观看")]
    [(160.0, 'session', 'nearly'), (6000000.0, 'person-time', 'more than')]
    >>> find_quantities("一些地方统一零售价")
    []
    """
    s = fold(text)
    masked = _masks(s)
    out: list[Quantity] = []
    pos = 0
    for m in _NUMBER.finditer(s):
        if m.start() < pos:
            continue
        num = m.group("num")
        ns, ne = m.span("num")
        if any(a < ne and ns < b for a, b in masked):
            continue
        if ns > 0 and (s[ns - 1] in _NOT_AFTER or _LATIN.match(s[ns - 1])):
            continue
        if ns > 0 and (s[ns - 1].isdigit() or s[ns - 1] == "."):
            continue
        if ne < len(s) and _LATIN.match(s[ne]):
            continue
        metric_next = re.match(r"成交|销售|销量|粉丝|人次|观看|用户|流量|播放", s[ne:ne + 2]) is not None
        unit_text = m.group("unit") or ""
        unit_more = False
        drop_unit = False
        if re.fullmatch("个[多余].+", unit_text):
            unit_text, unit_more = "个" + unit_text[2:], True
        arabic = num[0].isdigit()
        pre = m.group("pre")
        if pre in {"上", "过", "破"} and not re.fullmatch("[十百千万亿]+", num):
            pre = None  # 上/过/破 qualify only bare multipliers: 上亿, 破千万, 过亿 (not 经过十几年)
        if num in {"几", "数"}:
            continue  # 几个月: a few, no number
        if unit_text == "成" and (not re.fullmatch(r"[一二三四五六七八九十两\d](?:\.\d)?|十", num)
                                 or s[m.end("unit"):m.end("unit") + 1] in set("交为功本果长立员就绩")):
            unit_text, drop_unit = "", True  # 百万成交, 又一成功: not 成 = tenths
            if not re.search(r"[万亿]", num) or (not arabic and not pre and not metric_next):
                continue
        # trim a trailing 多/余 that belongs to the following word (多地, 多个 is fine)
        if not unit_text and num[-1] in "多余" and not arabic:
            continue
        has_big = bool(re.search(r"[万亿]", num))
        starts_cn_mult = num[0] in "十百千万亿拾佰仟"
        if num[0] in "数几" and not unit_text and not has_big:
            continue
        if starts_cn_mult and num[0] != "十" and not pre and not unit_text and not (
                metric_next and re.fullmatch("[十百千万亿]+", num) and num[-1] in "万亿"):
            continue  # 百城, 万物, 亿万消费者, 千万 (adverb); but 百万成交, 上亿流量
        if starts_cn_mult and num[0] in "万亿" and not pre and not metric_next:
            continue  # 万一, 亿万
        if not arabic and num[0] not in "数几" and not unit_text and not (has_big and (pre or metric_next)):
            continue  # Chinese numerals need a unit: 四川, 三农, 一枝独秀
        if num == "一" and (not unit_text or UNITS.get(unit_text, ("",))[0] not in _LONE_ONE_UNITS):
            continue  # 一个, 一场疫情, 一种 ...
        if num in {"两", "万", "亿"} and not unit_text and not pre:
            continue
        if arabic and not unit_text and not has_big:
            before = s[max(0, ns - 6):ns]
            if not re.search(r"(粉丝|观看|点赞|获赞|订单|销量|人数|播放量|销售额|成交额)"
                             r"(?:数|量)?(?:达到?|超过?|突破|大于等于|约|近|为|有)?$", before):
                continue
        try:
            value, high, q_inner = _parse(num)
        except (ValueError, KeyError):
            continue
        unit, factor = "", 1.0
        if unit_text in UNITS:
            unit, factor = UNITS[unit_text]
        elif unit_text in NOUN_UNITS:
            unit = NOUN_UNITS[unit_text]
        value *= factor
        high = high * factor if high is not None else None
        cur = m.group("cur")
        if cur and unit == "yuan":
            unit = {"新台币": "twd", "港币": "hkd", "美金": "usd"}.get(cur, unit)
        qualifier = q_inner
        if qualifier == "exact" and (m.group("mid") or unit_more):
            qualifier = "more than"
        if pre and qualifier == "exact":
            qualifier = _PREFIX_Q[pre]
        post = None if drop_unit else m.group("post")
        end = ne if drop_unit else m.end()
        if post:
            if qualifier == "exact":
                qualifier = _SUFFIX_Q[post]
        # a trailing "per unit" (一百多元一斤, 69元/件) stays with the price
        per = re.match(rf"(?:/|每|一)({_UNIT_RE})", s[end:])
        if per and unit in {"yuan", "usd", "hkd", "eur"} and UNITS[per.group(1)][0] != unit:
            unit = f"{unit}/{UNITS[per.group(1)][0]}"
            end += per.end()
        start = m.start("pre") if pre else (m.start("cur") if m.group("cur") else ns)
        if pre and start < pos:
            start = ns
        out.append(Quantity(start, end, text[start:end], float(value), unit, qualifier,
                            None if high is None else float(high), unit_text))
        pos = end
    for m in _FRACTION.finditer(s):
        if any(q.start < m.end() and m.start() < q.end for q in out):
            continue
        try:
            den = 100.0 if m.group(1) == "百分之" else _parse(m.group(2))[0]
            numr = _parse(m.group(3))[0]
        except (ValueError, KeyError):
            continue
        if den:
            out.append(Quantity(m.start(), m.end(), text[m.start():m.end()],
                                100.0 * numr / den, "percent", "exact", None, m.group(1)))
    return sorted(out, key=lambda q: q.start)
