"""Build cadrecast/resources/gazetteer/*.tsv from China's administrative-division tables.

Inputs (see ../shared/gazetteer/README.md):

- ``provinces.csv``, ``cities.csv``, ``areas.csv``, ``streets.csv``: NBS 2023 division codes as
  compiled by modood/Administrative-divisions-of-China (commit 57a0aa9c, ``dist/``), WTFPL v2;
- ``cpca_adcodes_with_coordinates.csv``: coordinates from DQinYuan/chinese_province_city_area_mapper
  (commit 9bdfd6e8, ``cpca/resources/adcodes.csv``), MIT.

Outputs:

- ``divisions.tsv``: provinces, prefecture-level units and county-level units:
  ``adcode`` (6 digits, GB/T 2260 style), ``name``, ``level``, ``aliases`` (short forms,
  comma-separated), ``lon``, ``lat``;
- ``townships.tsv``: towns, townships, sub-districts and sumu (镇/乡/街道/苏木; development
  zones, state farms and other generic units are left out): ``code`` (9 digits; its first 6 digits are the
  county's adcode), ``name``.

Short forms (丰城 for 丰城市, 尉犁 for 尉犁县, 广西 for 广西壮族自治区 ...) drop the level
suffix and any ethnic-autonomy words; a short form is kept only when it has at least two
characters and is not a common Chinese word (jieba's dictionary: a non-place word more frequent
than a threshold, e.g. 和平, 合作, 通道).

Run: ``.venv/bin/python scripts/build_gazetteer.py [path/to/shared/gazetteer]``
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "gazetteer"
OUT = ROOT / "cadrecast" / "resources" / "gazetteer"

PSEUDO = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
#: Full names too generic to match in running text.
GENERIC = {"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "中区", "新区"}
#: Short forms that are everyday words or names in news text (阿里 = Alibaba, 来宾 = guest).
DENY = {"阿里", "来宾", "安康", "白银", "平安", "和平", "新华", "城关", "商城", "江南", "开发", "高新",
        "新区", "城中", "城东", "城西", "城南", "城北", "市中", "郊区", "矿区", "东区", "西区"}
#: Special administrative regions and Taiwan (not in the NBS tables): GB/T 2260 codes.
EXTRA_PROVINCES = [("710000", "台湾省", ["台湾"]), ("810000", "香港特别行政区", ["香港"]),
                   ("820000", "澳门特别行政区", ["澳门"])]

#: China's 56 ethnic groups (names as used in autonomous-area names, without 族).
NATIONALITIES = (
    "维吾尔 哈萨克 柯尔克孜 塔吉克 乌孜别克 塔塔尔 俄罗斯 鄂温克 鄂伦春 达斡尔 土家 布依 仡佬 仫佬 "
    "傈僳 拉祜 纳西 景颇 毛南 锡伯 撒拉 布朗 普米 阿昌 德昂 保安 裕固 门巴 独龙 赫哲 高山 珞巴 基诺 "
    "朝鲜 哈尼 蒙古 东乡 汉 壮 回 满 苗 彝 藏 侗 瑶 白 黎 傣 畲 佤 水 羌 土 怒 京"
).split()
ETHNIC = re.compile("(?:(?:" + "|".join(NATIONALITIES) + ")族?)+$")
SUFFIXES = {
    "province": ["特别行政区", "自治区", "省", "市"],
    "prefecture": ["自治州", "地区", "盟", "市"],
    "county": ["自治县", "自治旗", "林区", "特区", "县", "市", "区", "旗"],
}


def short_forms(name: str, level: str, common: dict[str, tuple[int, str]]) -> list[str]:
    """Short forms of a division name, without its level suffix and ethnic words."""
    out = []
    for suf in SUFFIXES[level]:
        if name.endswith(suf) and len(name) > len(suf):
            stem = name[: -len(suf)]
            if suf.startswith("自治"):
                stripped = ETHNIC.sub("", stem)
                stem = stripped if len(stripped) >= 2 else stem  # 内蒙古, 西藏 stay whole
            if len(stem) >= 2 and stem != name:
                out.append(stem)
                if suf in {"自治州", "自治县", "自治旗"}:
                    out.append(stem + suf[-1])  # 恩施州, 通道县: how news writes them
            break
    kept = []
    for s in out:
        if len(s) >= 3 and s[-1] in "州县旗" and s[:-1] in out:
            kept.append(s)  # 通道县 is safe even where 通道 is a common word
            continue
        if s in DENY:
            continue
        if level != "county":
            kept.append(s)  # province and prefecture short forms are the usual names
            continue
        freq, tag = common.get(s, (0, ""))
        limit = 500 if tag in {"nr", "nz"} else 100
        if tag != "ns" and freq >= limit:
            continue  # a common word (和平, 合作, 通道 ...): do not match the short form
        kept.append(s)
    return kept


def jieba_words() -> dict[str, tuple[int, str]]:
    import jieba

    words = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and 2 <= len(parts[0]) <= 4:
                words[parts[0]] = (int(parts[1]), parts[2])
    return words


def read(name: str) -> list[dict[str, str]]:
    with open(SRC / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main() -> None:
    common = jieba_words()
    coords = {}
    for row in read("cpca_adcodes_with_coordinates.csv"):
        coords[row["adcode"][:6]] = (row["longitude"], row["latitude"])

    rows = []
    for p in read("provinces.csv"):
        code = p["code"].ljust(6, "0")
        rows.append((code, p["name"], "province", short_forms(p["name"], "province", common)))
    for code, name, aliases in EXTRA_PROVINCES:
        rows.append((code, name, "province", aliases))
    for c in read("cities.csv"):
        if c["name"] in PSEUDO:
            continue
        rows.append((c["code"].ljust(6, "0"), c["name"], "prefecture",
                     short_forms(c["name"], "prefecture", common)))
    for a in read("areas.csv"):
        if a["name"] in PSEUDO or a["name"] in GENERIC:
            continue
        rows.append((a["code"], a["name"], "county", short_forms(a["name"], "county", common)))

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "divisions.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write("adcode\tname\tlevel\taliases\tlon\tlat\n")
        for code, name, level, aliases in sorted(rows):
            lon, lat = coords.get(code, ("", ""))
            f.write(f"{code}\t{name}\t{level}\t{','.join(aliases)}\t{lon}\t{lat}\n")
    n_towns = 0
    with open(OUT / "townships.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write("code\tname\n")
        for s in sorted(read("streets.csv"), key=lambda r: r["code"]):
            if len(s["name"]) < 3 or not s["name"].endswith(("镇", "乡", "街道", "苏木")):
                continue  # development zones, farms, 地区 units: too generic to match in text
            f.write(f"{s['code']}\t{s['name']}\n")
            n_towns += 1
    print(f"divisions.tsv: {len(rows)} rows; townships.tsv: {n_towns} rows -> {OUT}")


if __name__ == "__main__":
    main()
