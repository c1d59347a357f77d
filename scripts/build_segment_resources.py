"""Build cadrecast/resources/segment/ from the curated lists and public sources.

Writes
------
- ``domain_dict.txt``: jieba user dictionary (``word freq tag`` per line) made of the curated
  lists in ``scripts/segment_lists/`` (titles, platforms, terms, products, people), generated
  official titles (level x office, 副-/常务副- forms), and China's administrative divisions
  (provinces, prefecture-level cities, counties/districts with their short forms, townships)
  from the gazetteer (modood/Administrative-divisions-of-China, WTFPL).
- ``stopwords_zh.txt``: stopwords-iso Chinese list (via the ``stopwordsiso`` package, MIT)
  plus ``segment_lists/function_words.txt``.
- ``stopwords_en.txt``: scikit-learn's ``ENGLISH_STOP_WORDS`` (BSD-3-Clause; from the
  Glasgow Information Retrieval Group list).

Run from the repository root::

    .venv/bin/python scripts/build_segment_resources.py [--gazetteer /work/shared/gazetteer]

The output is deterministic (sorted, no timestamps).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LISTS = Path(__file__).resolve().parent / "segment_lists"
OUT = ROOT / "cadrecast" / "resources" / "segment"

LEVELS = "县市省区镇乡村州旗"
#: administrative suffixes stripped to make a place's short form (longest first)
SUFFIXES = (
    "各族自治县", "自治县", "自治旗", "自治州", "特别行政区", "维吾尔自治区", "壮族自治区",
    "回族自治区", "自治区", "林区", "特区", "地区", "盟", "县", "市", "旗", "省",
)
#: the 56 officially recognised ethnic groups (names used in autonomous-area names)
ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
MINORITIES = re.compile(
    "(?:" + "|".join(sorted((e + "族" for e in ETHNIC), key=len, reverse=True)) + ")+$"
)


def read_list(name: str) -> list[tuple[str, int, str]]:
    rows = []
    for line in (LISTS / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 else 1000
        tag = parts[2] if len(parts) > 2 else "n"
        rows.append((word, freq, tag))
    return rows


def generated_titles() -> list[tuple[str, int, str]]:
    rows = []
    for lv in LEVELS:
        rows += [(f"副{lv}长", 3000, "n"), (f"常务副{lv}长", 1000, "n"),
                 (f"{lv}委书记", 5000, "n"), (f"{lv}委副书记", 2000, "n"),
                 (f"{lv}委常委", 3000, "n"), (f"{lv}长", 5000, "n")]
    return rows


def jieba_dict() -> dict[str, tuple[int, str]]:
    import jieba

    path = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    return out


def short_form(name: str) -> str | None:
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            stem = name[: -len(suf)]
            if "自治" in suf:
                stem = MINORITIES.sub("", stem.removesuffix("各族")) or stem
            return stem if len(stem) >= 2 else None
    return None


def places(gaz: Path, base: dict[str, tuple[int, str]]) -> list[tuple[str, int, str]]:
    rows: list[tuple[str, int, str]] = []

    def read(fname: str) -> list[str]:
        with open(gaz / fname, encoding="utf-8") as fh:
            return [r["name"] for r in csv.DictReader(fh)]

    def add_short(full: str, freq: int) -> None:
        short = short_form(full)
        if not short:
            return
        known = base.get(short)
        # a short form that is also a common non-place word (和平, 新华 ...) stays out
        if known and not known[1].startswith("ns") and known[0] >= 300:
            return
        if known and known[1].startswith("ns") and known[0] >= freq:
            return
        rows.append((short, freq, "ns"))

    for name in read("provinces.csv"):
        rows.append((name, 5000, "ns"))
        add_short(name, 20000)
    for name in read("cities.csv"):
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        rows.append((name, 3000, "ns"))
        add_short(name, 3000)
    for name in read("areas.csv"):
        rows.append((name, 1000, "ns"))
        if not name.endswith("区"):  # district short forms (朝阳, 鼓楼 ...) are too ambiguous
            add_short(name, 800)
    for name in read("streets.csv"):
        if (len(name) >= 3 and name[-1] in "镇乡") or name.endswith("街道"):
            rows.append((name, 100, "ns"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gazetteer", default="/work/shared/gazetteer", type=Path)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    base = jieba_dict()

    entries: dict[str, tuple[int, str]] = {}
    # later sources do not override earlier ones: curated lists win over the gazetteer
    for rows in (
        read_list("titles.txt"), generated_titles(), read_list("platforms.txt"),
        read_list("terms.txt"), read_list("products.txt"), read_list("people.txt"),
        places(args.gazetteer, base),
    ):
        for word, freq, tag in rows:
            if word not in entries:
                entries[word] = (freq, tag)
    header = (
        "# cadrecast domain dictionary for jieba (word freq tag). Built by "
        "scripts/build_segment_resources.py;\n# sources and licences: "
        "cadrecast/resources/SOURCES.md. Do not edit by hand.\n"
    )
    lines = [f"{w} {f} {t}" for w, (f, t) in sorted(entries.items())]
    (OUT / "domain_dict.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")

    import stopwordsiso

    zh = set(stopwordsiso.stopwords("zh"))
    zh |= {w for w, _, _ in read_list("function_words.txt")}
    (OUT / "stopwords_zh.txt").write_text(
        "# Chinese stop words: stopwords-iso 'zh' (stopwordsiso 0.7.1, MIT) + cadrecast domain "
        "function words (MIT).\n" + "\n".join(sorted(zh)) + "\n", encoding="utf-8")

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    (OUT / "stopwords_en.txt").write_text(
        "# English stop words: scikit-learn ENGLISH_STOP_WORDS (BSD-3-Clause; Glasgow IR "
        "group list).\n" + "\n".join(sorted(ENGLISH_STOP_WORDS)) + "\n", encoding="utf-8")
    print(f"domain_dict.txt: {len(entries)} entries; stopwords_zh.txt: {len(zh)}; "
          f"stopwords_en.txt: {len(ENGLISH_STOP_WORDS)}")


if __name__ == "__main__":
    main()
