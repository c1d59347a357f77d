"""Build cadrecast/resources/encoding/common_chars.txt: the 4,000 most frequent Han characters.

Frequencies are summed over the words of jieba 0.42.1's dictionary (jieba/dict.txt, MIT licence),
weighted by each word's frequency; the Traditional forms (OpenCC s2t, s2tw, s2hk) of those characters
are added, so the list serves both scripts. Used to tell GB18030 from Big5 when both decode a file.

Run: .venv/bin/python scripts/build_common_chars.py
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import jieba

from cadrecast.script import convert

OUT = Path(__file__).resolve().parents[1] / "cadrecast" / "resources" / "encoding" / "common_chars.txt"


def main() -> None:
    counts: Counter = Counter()
    dict_path = Path(jieba.__file__).parent / "dict.txt"
    for line in dict_path.read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split(" ")
        for ch in word:
            if "\u4e00" <= ch <= "\u9fff":
                counts[ch] += int(freq)
    top = [ch for ch, _ in counts.most_common(4000)]
    chars = set(top)
    for cfg in ("s2t", "s2tw", "s2hk"):
        chars.update(ch for ch in convert("".join(top), cfg) if "\u4e00" <= ch <= "\u9fff")
    body = "".join(sorted(chars))
    lines = [body[i:i + 100] for i in range(0, len(body), 100)]
    OUT.write_text(
        "# The 4,000 most frequent Han characters in jieba 0.42.1's dict.txt (MIT), plus their\n"
        "# Traditional forms (OpenCC s2t/s2tw/s2hk). Built by scripts/build_common_chars.py.\n"
        + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    print(f"{len(chars)} characters -> {OUT}")


if __name__ == "__main__":
    main()
