"""Places in Chinese text, resolved to China's administrative divisions.

The bundled gazetteer (``resources/gazetteer/``, NBS 2023 codes) holds 34 province-level units,
prefecture-level units, county-level units (with short forms: 丰城 for 丰城市, 尉犁 for 尉犁县,
广西 for 广西壮族自治区) and about 38,000 towns, townships and sub-districts. :func:`find_places`
matches them in a text (Simplified; convert Traditional text first, or use
:func:`cadrecast.places`, which does it for you), picks the best non-overlapping reading
(南阳 + 镇平县 rather than 南阳镇 + 平县), and resolves each name to one division:

- a name that several divisions share (朝阳区, 江北) is resolved by the places around it
  (重庆 ... 江北 -> 重庆市江北区); when the context does not decide, the mention is flagged
  ``ambiguous`` and only the levels all candidates share are filled in - never guessed;
- official titles are not places: in 秭归县县长 the place is 秭归县, and 县长 alone resolves to
  nothing;
- villages (岫云村) written after their county or town are kept, with the parent's codes.

Examples
--------
>>> [(p.text, p.name, p.adcode) for p in find_places("河南南阳镇平县副县长")]
[('河南', '河南省', '410000'), ('南阳', '南阳市', '411300'), ('镇平县', '镇平县', '411324')]
>>> p = find_places("朝阳区")[0]
>>> p.ambiguous, p.adcode
(True, '')
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

__all__ = ["Gazetteer", "PlaceMention", "find_places", "load_gazetteer"]

LEVELS = ("province", "prefecture", "county", "township", "village")
_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}
MUNICIPALITIES = {"11", "12", "31", "50"}

# A name followed by one of these is part of an organisation's or a street's name, not a place
# mention on its own (中山大学, 南开大学, 长安汽车, 江西路).
_NOT_BEFORE = re.compile(
    r"(?:大学|学院|学校|中学|小学|大道|大街|路|街(?!道)|银行|集团|公司|日报|晚报|卫视|电视台|"
    r"汽车|医院|研究院|科技|股份|酒店|宾馆|机场|火车站|高铁站|站)"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Division:
    """One administrative division."""

    adcode: str
    name: str
    level: str
    lon: float | None = None
    lat: float | None = None


@dataclass
class PlaceMention:
    """A place named in a text and the division it resolves to."""

    start: int
    end: int
    text: str
    name: str  # canonical full name (丰城市), or the surface form when ambiguous
    level: str
    adcode: str
    province: str
    prefecture: str
    county: str
    ambiguous: bool = False
    candidates: tuple[str, ...] = field(default=())
    lon: float | None = None
    lat: float | None = None


class Gazetteer:
    """China's administrative divisions with their names and short forms.

    Use :func:`load_gazetteer` to get the bundled one (loaded once per process).

    Examples
    --------
    >>> gz = load_gazetteer()
    >>> [d.name for d in gz.lookup("尉犁")]
    ['尉犁县']
    """

    def __init__(self, divisions: pd.DataFrame, townships: pd.DataFrame | None = None):
        self._by_code: dict[str, Division] = {}
        self._names: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # surface -> (code, alias)
        for row in divisions.itertuples(index=False):
            lon = float(row.lon) if isinstance(row.lon, str) and row.lon else None
            lat = float(row.lat) if isinstance(row.lat, str) and row.lat else None
            div = Division(row.adcode, row.name, row.level, lon, lat)
            self._by_code[row.adcode] = div
            self._names[row.name].append((row.adcode, False))
            aliases = row.aliases if isinstance(row.aliases, str) else ""
            for alias in filter(None, aliases.split(",")):
                if alias != row.name:
                    self._names[alias].append((row.adcode, True))
        if townships is not None:
            for code, name in zip(townships["code"], townships["name"], strict=True):
                self._by_code[code] = Division(code, name, "township")
                self._names[name].append((code, False))
        self.max_len = max(map(len, self._names))
        lens: dict[str, set[int]] = defaultdict(set)
        for name in self._names:
            if len(name) >= 2:
                lens[name[0]].add(len(name))
        self._lens = {ch: sorted(v, reverse=True) for ch, v in lens.items()}

    # ------------------------------------------------------------------ lookups
    def division(self, code: str) -> Division | None:
        """The division with this code (6 digits, 9 for townships), or ``None``."""
        return self._by_code.get(code)

    def lookup(self, name: str) -> list[Division]:
        """Divisions whose full name or short form is ``name`` (Simplified)."""
        return [self._by_code[c] for c, _ in self._names.get(name, [])]

    def parents(self, code: str) -> dict[str, str]:
        """Names of the province, prefecture and county a code belongs to."""
        out = {"province": "", "prefecture": "", "county": ""}
        prov = self._by_code.get(code[:2] + "0000")
        if prov:
            out["province"] = prov.name
        pref = self._by_code.get(code[:4] + "00")
        if pref and pref.level == "prefecture":
            out["prefecture"] = pref.name
        elif code[:2] in MUNICIPALITIES and prov and len(code) >= 6 and code[2:] != "0000":
            out["prefecture"] = prov.name  # districts of 北京, 天津, 上海, 重庆
        if len(code) >= 6:
            county = self._by_code.get(code[:6])
            if county and county.level == "county":
                out["county"] = county.name
        return out

    @property
    def divisions(self) -> pd.DataFrame:
        """All divisions: ``adcode``, ``name``, ``level``, ``province``, ``prefecture``, ``county``."""
        rows = []
        for code, d in self._by_code.items():
            rows.append({"adcode": code, "name": d.name, "level": d.level, **self.parents(code),
                         "lon": d.lon, "lat": d.lat})
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ matching
    def _candidates(self, text: str) -> list[tuple[int, int, list[tuple[str, bool]]]]:
        found = []
        n = len(text)
        names, lens = self._names, self._lens
        for i in range(n):
            for length in lens.get(text[i], ()):
                if i + length > n:
                    continue
                entries = names.get(text[i:i + length])
                if entries:
                    found.append((i, i + length, entries))
        return found

    @staticmethod
    def _best_cover(cands: list[tuple[int, int, list]]) -> list[tuple[int, int, list]]:
        """Non-overlapping matches covering the most characters (then fewest, then full names)."""
        if not cands:
            return []
        cands = sorted(cands, key=lambda c: (c[1], c[0]))
        ends = [c[1] for c in cands]
        import bisect

        best: list[tuple[tuple[int, int, int], list[int]]] = [((0, 0, 0), [])]
        for k, (s, e, entries) in enumerate(cands):
            j = bisect.bisect_right(ends, s, 0, k)  # matches ending at or before s
            prev_score, prev_sel = best[j]
            full = 0 if all(alias for _, alias in entries) else 1
            score = (prev_score[0] + (e - s), prev_score[1] - 1, prev_score[2] + full)
            take = (score, [*prev_sel, k])
            best.append(max(best[-1], take, key=lambda t: t[0]))
        return [cands[k] for k in best[-1][1]]

    def find(self, text: str, context: list[str] | None = None,
             tokens: list[str] | None = None,
             known_villages: dict[str, PlaceMention] | None = None) -> list[PlaceMention]:
        """Find and resolve the places in ``text`` (Simplified Chinese).

        Parameters
        ----------
        text : str
        context : list of str, optional
            Codes of places known from elsewhere in the document (e.g. earlier paragraphs);
            they break ties between divisions that share a name.
        tokens : list of str, optional
            The words of ``text`` (joined they must give ``text``). A short form (丰城) or a
            two-character name (和县) counts only where it starts a word and ends one (or begins
            a longer word, 安化 in 安化黑茶), so 平台安排 holds no 台安 and 京东明星 no 东明.
            Default: :class:`cadrecast.Tokenizer` with its domain dictionary.
        known_villages : dict, optional
            Villages found earlier in the document (name -> mention); later bare mentions of
            them (岫云村 without its county) are found too. Updated in place.

        Returns
        -------
        list of PlaceMention
        """
        if tokens is None or "".join(tokens) != text:
            tokens = _default_tokens(text)
        starts, ends, tok_end = set(), set(), {}
        pos = 0
        single_surname = set()
        for tok in tokens:
            starts.add(pos)
            tok_end[pos] = pos + len(tok)
            if len(tok) == 1 and tok in _SURNAME_CHARS:
                single_surname.add(pos + 1)  # a name: 郭|广昌 is not the county 广昌
            pos += len(tok)
            ends.add(pos)

        def word_aligned(s: int, e: int, entries: list) -> bool:
            if e - s >= 3 and not all(alias for _, alias in entries):
                return True  # a full name with its suffix (镇平县, 侯集镇)
            if s not in starts or s in single_surname:
                return False
            if e - s == 2 and not all(alias for _, alias in entries):
                # 和县, 应县, 临县: only after a higher division (安徽省和县, 甘肃礼县) or a boundary
                if s > 0 and _HAN.match(text[s - 1]) and text[s - 1] not in "省市州盟" \
                        and s not in higher_ends:
                    return False
                if e < len(text) and text[e] in "域级城里长委政乡区市镇场":
                    return False
            return e in ends or tok_end.get(s, e) > e

        raw = self._candidates(text)
        higher_ends = {e for _, e, entries in raw
                       if any(self._by_code[c].level in {"province", "prefecture"} for c, _ in entries)}
        cands = [c for c in raw if not _NOT_BEFORE.match(text, c[1]) and word_aligned(*c)]
        chosen = self._best_cover(cands)
        # unambiguous codes anchor the others (the paragraph, then the document)
        anchors: list[str] = []
        for _, _, entries in chosen:
            codes = {c for c, _ in entries}
            if len(codes) == 1:
                anchors.append(next(iter(codes)))
        ctx = list(context or [])
        out: list[PlaceMention] = []
        prev_code = ""
        prev_end = -1
        for s, e, entries in chosen:
            codes = list(dict.fromkeys(c for c, _ in entries))
            code = self._resolve(codes, prev_code if prev_end == s else "", anchors, ctx)
            mention = self._mention(text, s, e, code, codes)
            out.append(mention)
            prev_code, prev_end = (mention.adcode or prev_code), e
        out.extend(self._villages(text, out, known_villages))
        return sorted(out, key=lambda m: m.start)

    def _related(self, a: str, b: str) -> bool:
        """True if one code contains the other (same province/prefecture/county prefix)."""
        a6, b6 = a.rstrip("0"), b.rstrip("0")
        a6 = a6 if len(a6) % 2 == 0 else a6 + "0"
        b6 = b6 if len(b6) % 2 == 0 else b6 + "0"
        return a6.startswith(b6) or b6.startswith(a6)

    def _resolve(self, codes: list[str], prev: str, anchors: list[str], ctx: list[str]) -> str:
        if len(codes) == 1:
            return codes[0]
        for pool in ([prev] if prev else [], anchors, ctx):
            scores = [sum(self._related(c, a) for a in pool if a and a != c) for c in codes]
            top = max(scores) if scores else 0
            if top > 0 and scores.count(top) == 1:
                return codes[scores.index(top)]
        # one clearly higher-level division (吉林省 over 吉林市 for 吉林) wins
        ranks = [_RANK[self._by_code[c].level] for c in codes]
        if ranks.count(min(ranks)) == 1 and min(ranks) <= _RANK["prefecture"]:
            return codes[ranks.index(min(ranks))]
        return ""

    def _mention(self, text: str, s: int, e: int, code: str, codes: list[str]) -> PlaceMention:
        surface = text[s:e]
        if code:
            d = self._by_code[code]
            par = self.parents(code)
            return PlaceMention(s, e, surface, d.name, d.level, code, par["province"],
                                par["prefecture"], par["county"], False, tuple(codes), d.lon, d.lat)
        # ambiguous: keep only what every candidate shares
        pars = [self.parents(c) for c in codes]
        levels = {self._by_code[c].level for c in codes}
        shared = {k: pars[0][k] if all(p[k] == pars[0][k] for p in pars) else "" for k in pars[0]}
        return PlaceMention(s, e, surface, surface, levels.pop() if len(levels) == 1 else "",
                            "", shared["province"], shared["prefecture"], shared["county"], True,
                            tuple(codes))

    def _villages(self, text: str, places: list[PlaceMention],
                  known: dict[str, PlaceMention] | None = None) -> list[PlaceMention]:
        out: list[PlaceMention] = []
        known = {} if known is None else known
        for p in places:
            if p.level not in {"county", "township"} or p.ambiguous:
                continue
            m = re.match(r"([\u4e00-\u9fff]{1,3}?村)(?!民|委|里|庄|镇|级|信|经|电|振|治)", text[p.end:p.end + 5])
            if m and not re.search(r"[的在是和与全该本各每农乡]", m.group(1)):
                s, e = p.end, p.end + m.end(1)
                v = PlaceMention(s, e, text[s:e], text[s:e], "village", "",
                                 p.province, p.prefecture,
                                 p.county or (p.name if p.level == "county" else ""),
                                 False, (), p.lon, p.lat)
                out.append(v)
                known.setdefault(v.name, v)
        taken = [(m.start, m.end) for m in places + out]
        for name, v in known.items():
            for m in re.finditer(re.escape(name), text):
                if not any(a < m.end() and m.start() < b for a, b in taken):
                    out.append(PlaceMention(m.start(), m.end(), name, name, "village", "", v.province,
                                            v.prefecture, v.county, False, (), v.lon, v.lat))
                    taken.append(m.span())
        return out


_SURNAME_CHARS = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方邹熊白孟秦邱侯江尹薛闫阎段雷黎史龙陶贺顾毛郝"
    "龚邵万钱严覃武戴莫孔汤易常乔赖文柯左聂庞章齐倪葛殷欧裴辛甘童翟管卜饶温钮耿晏岳施宁祝"
    "穆申谷滕柴牛涂樊尤季关包鲍焦麦车蓝单米凌伍屈靳占邢褚房蒲丛卫全苗栾喻宫解习仇查邬冉阮艾游瞿"
    "竺符凤景桂詹阙蒙练沙尚敖甄邝刁洪郎霍虞娄巫俞鞠荣宗丘匡连晋佘蔺衡隋燕庄冷原桑闵闻戚缪"
)


@lru_cache(maxsize=1)
def _tokenizer():
    from .segment import Tokenizer

    return Tokenizer()


def _default_tokens(text: str) -> list[str]:
    words = _tokenizer().cut(text, keep_space=True)
    return words if "".join(words) == text else list(text)


@lru_cache(maxsize=1)
def load_gazetteer(townships: bool = True) -> Gazetteer:
    """Load the bundled gazetteer (cached: loaded once per process).

    Parameters
    ----------
    townships : bool
        Include the ~38,000 towns, townships and sub-districts (default). Without them, only
        provinces, prefectures and counties are matched.

    Examples
    --------
    >>> gz = load_gazetteer()
    >>> gz.parents("360981")["province"]
    '江西省'
    """
    import io

    from .resources import read_text

    div = pd.read_csv(io.StringIO(read_text("gazetteer/divisions.tsv")), sep="\t", dtype=str,
                      keep_default_na=False)
    towns = None
    if townships:
        towns = pd.read_csv(io.StringIO(read_text("gazetteer/townships.tsv")), sep="\t", dtype=str,
                            keep_default_na=False)
    return Gazetteer(div, towns)


def find_places(text: str, context: list[str] | None = None) -> list[PlaceMention]:
    """Find the places in a Simplified Chinese ``text`` and resolve them (see module doc).

    Examples
    --------
    >>> [(p.name, p.level) for p in find_places("秭归县县长来自江苏省")]
    [('秭归县', 'county'), ('江苏省', 'province')]
    """
    return load_gazetteer().find(text, context)
