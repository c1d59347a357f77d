"""The HTML report: self-contained, its figures load in a real browser, every table shows.

The browser test renders ``report.html`` in headless Chromium with the network switched
off (every host resolves to nothing) and reads back, through ``--dump-dom``, what a small
script saw once the page had loaded: how many images there are and how many decoded
(``naturalWidth > 0``). It is skipped only when no Chromium/Chrome binary exists
(``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import cadrecast as cc
from cadrecast.errors import ColumnError, ConfigError
from cadrecast.report import align_translation, side_by_side, write_report

PROBE = """
<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var urls = Array.prototype.slice.call(document.querySelectorAll("[src],[href]"))
    .map(function (e) { return e.getAttribute("src") || e.getAttribute("href"); })
    .filter(function (u) { return /^(https?:)?\\/\\//i.test(u); });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({
    n: imgs.length,
    loaded: imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length,
    widths: imgs.map(function (i) { return i.naturalWidth; }),
    external: urls
  });
  document.body.appendChild(out);
});
</script>
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


@pytest.fixture(scope="module")
def tables(corpus) -> dict[str, pd.DataFrame]:
    """Every table the pipeline makes, with a small topic model (fast settings)."""
    from cadrecast import entities, topics

    tables = dict(cc.run(corpus, stages=["corpus", "translations", "tokens", "sentiment",
                                         "stance"], progress=False))
    tables["entities"] = entities.extract_entities(corpus)
    for name in ("officials", "places", "figures", "events"):
        tables[name] = getattr(entities, name)(corpus)
    zh = corpus.paragraphs.loc[corpus.paragraphs["language"] == "zh", ["doc_id", "para_id"]]
    tokens = tables["tokens"].merge(zh, on=["doc_id", "para_id"])
    fast = {"passes": 3, "iterations": 50, "random_state": 0}
    tables["topic_k_selection"] = topics.select_k(tokens, ks=[3, 4], n_seeds=2, **fast)
    model = topics.TopicModel(n_topics=3, **fast).fit(tokens)
    tables["topics"] = model.topics(n=10)
    tables["document_topics"] = model.document_topics()
    tables["topic_paragraphs"] = model.representative_paragraphs(corpus.paragraphs, n=2)
    return tables


@pytest.fixture(scope="module")
def report_html(tables, tmp_path_factory) -> Path:
    return write_report(tables, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_the_last_stage_and_run_writes_it(corpus, tmp_path):
    from cadrecast.pipeline import stage_names

    assert stage_names()[-1] == "report"
    cc.run(corpus, out=tmp_path, stages=["corpus", "report"], progress=False)
    assert (tmp_path / "report.html").is_file()
    assert "report.html" in (tmp_path / "README.txt").read_text(encoding="utf-8")


def test_report_is_self_contained_and_has_every_section(report_html):
    text = report_html.read_text(encoding="utf-8")
    body = text.split("<body>", 1)[1]
    # no remote resource of any kind: no URL in src/href/url(), no script
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text, re.IGNORECASE)
    assert "<script" not in text
    assert re.findall(r"url\((?!data:)", text) == []
    assert "could not be drawn" not in text and "not summarised" not in text
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', body)
    declared = int(re.search(r"(\d+) figures", body).group(1))
    assert declared == len(images) >= 14
    for section in ("The corpus", "Translations", "Words", "Who, where, what and how much",
                    "Themes (topic model)", "The debate: stance and sentiment"):
        assert f">{html.escape(section)}</h2>" in body, section
    # facts from the articles, in their original script
    for fact in ("領導幹部走進618電商直播間", "疫情背景下的直播带货景象", "陈灿平", "安化县",
                 "formalism"):
        assert fact in body, fact
    assert "Table: " not in body  # every table of the pipeline has its own section


def test_report_embeds_a_font_with_every_chinese_character_it_shows(report_html):
    import base64
    import io

    from fontTools.ttLib import TTFont

    text = report_html.read_text(encoding="utf-8")
    data = re.search(r"url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)", text).group(1)
    assert len(data) < 2_000_000  # a subset, not the 19 MB collection
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    shown = set(re.sub(r"data:[^)\"]+", "", text))
    han = {ch for ch in shown if "\u4e00" <= ch <= "\u9fff"}
    assert len(han) > 500
    assert {ch for ch in han if ord(ch) not in cmap} == set()
    assert all(ord(ch) in cmap for ch in "領導幹部领导干部618")


def test_report_opens_in_chromium_and_its_images_load(report_html, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium or Chrome binary found (install Debian's `chromium`; "
                    ".ci/run does this)")
    page = report_html.read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=10000",
           "--dump-dom", probe.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.DOTALL)
    assert match, f"Chromium did not render the page (exit {proc.returncode}):\n" \
                  f"{proc.stderr[-2000:]}"
    status = json.loads(html.unescape(match.group(1)))
    n_png = page.count("data:image/png;base64,")
    assert status["n"] == n_png >= 14
    assert status["loaded"] == status["n"], status["widths"]
    assert min(status["widths"]) > 100
    assert status["external"] == []


def test_write_report_covers_any_table_and_is_deterministic(corpus, tmp_path):
    tables = {"documents": corpus.documents, "paragraphs": corpus.paragraphs,
              "removed": corpus.removed,
              "my_table": pd.DataFrame({"縣": ["安化縣", "丰城市"], "n": [3, 1]})}
    a = write_report(tables, tmp_path / "a.html", title="測試 <report>",
                     notes=["a note & more"], links={"x.csv": "a file"})
    b = write_report(tables, tmp_path / "b.html", title="測試 <report>",
                     notes=["a note & more"], links={"x.csv": "a file"})
    text = a.read_text(encoding="utf-8")
    assert text == b.read_text(encoding="utf-8")
    assert "<title>測試 &lt;report&gt;</title>" in text
    assert "Table: my_table" in text and "安化縣" in text
    assert "a note &amp; more" in text and '<a href="x.csv">' in text


def test_write_report_embeds_given_images(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    png = tmp_path / "extra.png"
    fig.savefig(png)
    text = write_report({}, tmp_path / "r.html", images={"an extra plot": png}) \
        .read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 1 and "an extra plot" in text


def test_report_stage_without_output_folder_writes_nothing(corpus):
    from cadrecast.pipeline import RunContext
    from cadrecast.report import report_stage

    ctx = RunContext(out_dir=None)
    assert report_stage(corpus, ctx) == {} and ctx.files == {}


# ---- reading views -------------------------------------------------------------------


def test_translation_is_aligned_with_its_original(corpus):
    aligned = align_translation(corpus, "003_b9d991b649e0baf2")
    assert list(aligned.columns) == ["pair", "kind", "original_para_ids",
                                     "translation_para_ids", "original", "original_hans",
                                     "translation", "shared_anchors", "length_ratio"]
    # every paragraph of both documents appears once, in order
    def ids(col):
        return [int(i) for v in aligned[col] if v for i in v.split(",")]
    paras = corpus.paragraphs
    assert ids("original_para_ids") == paras.loc[paras.doc_id == "000_1c59dac2740d956f",
                                                 "para_id"].tolist()
    assert ids("translation_para_ids") == paras.loc[paras.doc_id == "003_b9d991b649e0baf2",
                                                    "para_id"].tolist()
    one = aligned[aligned["kind"] == "1-1"]
    assert len(one) >= 0.75 * len(aligned)
    # the paragraph stating the 2692億元 record is paired with "269.2 billion yuan"
    row = aligned[aligned["original"].str.contains("2692億元")].iloc[0]
    assert "269.2 billion yuan" in row["translation"]
    assert "2692亿元" in row["original_hans"]
    # the last paragraph (the reporters' names) closes both documents
    assert "聶新鑫" in aligned["original"].iloc[-1]
    assert "Nie Xinxin" in aligned["translation"].iloc[-1]


def test_alignment_on_a_hand_made_pair_in_both_scripts():
    paras = pd.DataFrame({
        "doc_id": ["zh"] * 4 + ["en"] * 3,
        "para_id": [0, 1, 2, 3, 0, 1, 2],
        "language": ["zh"] * 4 + ["en"] * 3,
        "text": ["2020年6月18日，縣長直播賣出3.5萬單茶葉。", "网友称赞。",
                 "銷售額達到1200萬元，觀眾超過80萬人次。", "專家提醒要防止形式主義。",
                 "On June 18, 2020, the county head sold 35,000 orders of tea live. "
                 "Netizens praised it.",
                 "Sales reached 12 million yuan and more than 800,000 people watched.",
                 "Experts warned against formalism."],
    })
    aligned = align_translation(paras, "en", original="zh")
    assert aligned["kind"].tolist() == ["2-1", "1-1", "1-1"]
    assert aligned.loc[1, "shared_anchors"] == 2


def test_alignment_errors_name_the_problem(corpus):
    with pytest.raises(ConfigError, match="no paragraphs for doc_id 'nope'"):
        align_translation(corpus, "nope", original="000_1c59dac2740d956f")
    with pytest.raises(ConfigError, match="original of '001_c3c5390778cc9c07' is not known"):
        align_translation(corpus, "001_c3c5390778cc9c07")
    with pytest.raises(ColumnError, match="text"):
        align_translation(pd.DataFrame({"doc_id": ["a"], "para_id": [0]}), "a", "b")


def test_side_by_side_quotes_both_scripts(corpus):
    st = cc.stance(corpus.paragraphs[corpus.paragraphs["language"] == "zh"])
    view = side_by_side(st.assign(strength=st["score"].abs()), corpus, score="strength", n=3)
    assert view.columns.tolist() == ["rank", "support", "support_hans", "support_source",
                                     "critical", "critical_hans", "critical_source"]
    assert len(view) == 3
    paras = corpus.paragraphs.set_index(["doc_id", "para_id"])
    for side in ("support", "critical"):
        for quote, hans, source in zip(view[side], view[f"{side}_hans"],
                                       view[f"{side}_source"], strict=True):
            doc_id, para = source.split(" ¶")
            assert paras.loc[(doc_id, int(para)), "text"] == quote
            assert paras.loc[(doc_id, int(para)), "text_hans"] == hans
    # ranked by strength, highest first
    merged = view.merge(st.assign(support_source=st["doc_id"] + " ¶" + st["para_id"].astype(str)),
                        on="support_source")
    assert merged["score"].tolist() == sorted(merged["score"], reverse=True)
    with pytest.raises(ColumnError, match="stance"):
        side_by_side(st.drop(columns="stance"), corpus)


def test_frame_arguments_quote_each_side(corpus):
    from cadrecast.report import frame_arguments

    st = cc.stance(corpus)
    args = frame_arguments(st, corpus, n=2)
    frames = cc.load_frames().table.drop_duplicates("frame").set_index("frame")["side"]
    assert args.columns.tolist() == ["side", "frame", "paragraphs", "documents", "cues", "rank",
                                     "quote", "quote_hans", "source"]
    assert args["side"].tolist() == sorted(args["side"], key=["support", "critical"].index)
    for row in args.itertuples():
        assert frames[row.frame] == row.side
        assert row.rank in (1, 2) and row.quote and row.quote_hans
        doc_id, para = row.source.split(" ¶")
        hit = st[(st["doc_id"] == doc_id) & (st["para_id"] == int(para))].iloc[0]
        assert hit["frames"].split(";")[0] == row.frame  # the frame is that paragraph's main one
        # the quote argues the frame's side whenever some paragraph of that frame does
        main = st[st["frames"].str.split(";").str[0] == row.frame]
        if (main["stance"] == row.side).any():
            assert hit["stance"] == row.side
        assert row.paragraphs == len(main) and row.documents == main["doc_id"].nunique()
    formalism = args[args["frame"] == "formalism"]
    assert len(formalism) and "作秀" in formalism["cues"].iloc[0]
    with pytest.raises(ColumnError, match="frames"):
        frame_arguments(st.drop(columns="frames"), corpus)


def test_report_of_a_small_corpus_in_both_scripts(tmp_path):
    src = tmp_path / "articles"
    src.mkdir()
    (src / "hant.txt").write_text(
        "縣長直播帶貨\n\n2021年5月3日，湖南省安化縣副縣長陳燦平在抖音直播推銷安化黑茶，"
        "銷售額超過1500萬元，助力脫貧攻堅。\n\n也有人批評這是形式主義和作秀，搞攤派。\n",
        encoding="utf-8")
    (src / "hans.txt").write_text(
        "干部直播带货要防止走过场\n\n一些地方搞摊派，要求干部拉人头刷单，数据造假。\n\n"
        "但也有县长直播帮助农民增收，拓宽农产品销路。\n", encoding="utf-8")
    out = tmp_path / "out"
    cc.run(src, out=out, stages=["corpus", "tokens", "sentiment", "stance", "report"],
           progress=False)
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "could not be drawn" not in text and "not summarised" not in text
    assert ">The debate: stance and sentiment</h2>" in text
    assert "縣長直播帶貨" in text and "干部直播带货要防止走过场" in text
    assert text.count("data:image/png;base64,") >= 5
