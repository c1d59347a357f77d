"""Plots: Chinese renders in both scripts with no missing glyph, and every plot function
draws real tables of the bundled corpus."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from cadrecast import plotting
from cadrecast.errors import ColumnError

LABELS_HANS = ["领导干部直播带货", "县长带货助农", "形式主义与摊派"]
LABELS_HANT = ["領導幹部直播帶貨", "縣長帶貨助農", "形式主義與攤派"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _bar_figure(labels: list[str], title: str):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(range(len(labels)), [3, 2, 1])
    ax.set_yticks(range(len(labels)), labels)
    ax.set_title(title)
    ax.set_xlabel("−1 to 1, 县长 livestream")
    return fig


@pytest.mark.parametrize("script", ["hans", "hant"])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_chinese_labels_render_without_missing_glyphs(script, fmt, tmp_path):
    family = plotting.use_cjk_font(script)
    assert family == ("Noto Sans CJK TC" if script == "hant" else "Noto Sans CJK SC")
    labels = LABELS_HANT if script == "hant" else LABELS_HANS
    fig = _bar_figure(labels, "官员直播带货 / 官員直播帶貨")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / f"labels.{fmt}", format=fmt)
    glyph = [w for w in caught if "Glyph" in str(w.message)]
    assert glyph == []
    assert (tmp_path / f"labels.{fmt}").stat().st_size > 1000


def test_the_glyph_guard_catches_a_latin_only_font(tmp_path):
    """Without the CJK font, the same figure raises: the check above can fail."""
    import matplotlib

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = _bar_figure(LABELS_HANS, "官员直播带货")
        with plotting.glyph_warnings_as_errors(), pytest.raises(UserWarning, match="Glyph"):
            fig.savefig(tmp_path / "tofu.png")


def test_short_label_counts_cjk_as_wide():
    assert plotting.short_label("abc") == "abc"
    assert plotting.short_label("縣長直播帶貨助農增收", width=8) == "縣長直…"
    assert plotting.short_label(None) == ""


@pytest.fixture(scope="module")
def tables(corpus):
    import cadrecast as cc

    paras = corpus.paragraphs
    zh = paras[paras["language"] == "zh"]
    return {"stance": cc.stance(zh), "sentiment": cc.sentiment(zh)}


def _draw(ax, tmp_path, name):
    with plotting.glyph_warnings_as_errors():
        ax.figure.savefig(tmp_path / f"{name}.png")
    assert (tmp_path / f"{name}.png").stat().st_size > 2000
    return ax


def test_corpus_plots(corpus, tmp_path):
    ax = _draw(plotting.plot_scripts(corpus.paragraphs, documents=corpus.documents),
               tmp_path, "scripts")
    articles = corpus.documents[corpus.documents["kind"] == "article"]
    assert len(ax.get_yticklabels()) == len(articles)
    ax = _draw(plotting.plot_cleaning(corpus.documents, corpus.removed), tmp_path, "cleaning")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "removed: related" in legend
    # every article's bar (kept + removed) is as long as its file's text
    widths = pd.Series(0.0, index=range(len(articles)))
    for patch in ax.patches:
        widths[round(patch.get_y() + patch.get_height() / 2)] += patch.get_width()
    raw = articles["raw"].str.len().to_numpy()
    assert widths.to_numpy() == pytest.approx(raw)


def test_counts_stacked_by_a_column(tmp_path):
    t = pd.DataFrame({"platform": ["抖音", "淘寶", "抖音", "快手", "抖音"],
                      "stance": ["support", "critical", "critical", "neutral", "support"]})
    ax = _draw(plotting.plot_counts(t, "platform", by="stance"), tmp_path, "counts")
    assert ax.get_yticklabels()[0].get_text() == "抖音"
    assert sum(p.get_width() for p in ax.patches) == 5
    with pytest.raises(ColumnError, match="platform"):
        plotting.plot_counts(t.drop(columns="platform"), "platform")


def test_stance_and_sentiment_plots(tables, corpus, tmp_path):
    st = tables["stance"]
    ax = _draw(plotting.plot_stance(st, documents=corpus.documents), tmp_path, "stance")
    assert len(ax.get_yticklabels()) == st["doc_id"].nunique()
    by_source = plotting.plot_stance(st, by="source", documents=corpus.documents)
    names = [x.get_text() for x in by_source.get_yticklabels()]
    assert "(none)" in names and "中國周刊" in names
    _draw(by_source, tmp_path, "stance_source")
    ax = _draw(plotting.plot_sentiment(tables["sentiment"], documents=corpus.documents),
               tmp_path, "sentiment")
    assert ax.get_xlim() == (-1.05, 1.05)
    with pytest.raises(ColumnError, match="source"):
        plotting.plot_stance(st, by="source")


def test_distinctive_words_plot(corpus, tables, tmp_path):
    import cadrecast as cc

    words = cc.distinctive_words(corpus, tables["stance"])
    ax = _draw(plotting.plot_distinctive_words(words, n=10), tmp_path, "words")
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(widths, reverse=True)
    assert any(w > 0 for w in widths) and any(w < 0 for w in widths)


def test_topic_prevalence_plot(tmp_path):
    dt = pd.DataFrame({"doc_id": ["a", "a", "b", "b", "b", "b"], "para_id": [0, 0, 0, 0, 1, 1],
                       "topic": [0, 1, 0, 1, 0, 1],
                       "proportion": [0.9, 0.1, 0.2, 0.8, 0.4, 0.6]})
    ax = _draw(plotting.plot_topic_prevalence(dt, labels={0: "助農", 1: "形式主义"}),
               tmp_path, "topics")
    b_bars = [p.get_width() for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - 1) < 0.01]
    assert b_bars == pytest.approx([0.3, 0.7])


@pytest.fixture(scope="module")
def entity_tables(corpus):
    import cadrecast as cc

    return {"places": cc.places(corpus), "figures": cc.figures(corpus)}


def test_place_map_and_provinces(entity_tables, tmp_path):
    places = entity_tables["places"]
    ax = _draw(plotting.plot_place_map(places), tmp_path, "map")
    with_coords = places.dropna(subset=["lon", "lat"])
    # every mention with coordinates is counted once, at its place
    assert f"({len(with_coords)} mentions" in ax.get_title()
    lon_lo, lon_hi = ax.get_xlim()
    assert lon_lo < with_coords["lon"].astype(float).min() <= with_coords["lon"].astype(float).max() < lon_hi
    labels = {t.get_text() for t in ax.texts}
    top = with_coords["name_hans"].value_counts().index[0]
    assert top in labels
    ax = _draw(plotting.plot_provinces(places), tmp_path, "provinces")
    names = [t.get_text() for t in ax.get_yticklabels()]
    counts = places.loc[places["province"].fillna("") != "", "province"].value_counts()
    assert names[0] == counts.index[0]
    assert sum(p.get_width() for p in ax.patches) == pytest.approx(counts.head(20).sum())


def test_figures_on_a_log_scale(entity_tables, corpus, tmp_path):
    figs = entity_tables["figures"]
    ax = _draw(plotting.plot_figures(figs, documents=corpus.documents), tmp_path, "figures")
    assert ax.get_xscale() == "log"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert "sales (yuan)" in rows
    assert all(r.split(" (")[0] in plotting.FIGURE_METRICS for r in rows)
    drawn = sum(len(c.get_offsets()) for c in ax.collections)
    expected = figs[figs["metric"].isin(plotting.FIGURE_METRICS) & (figs["value"] > 0)]
    assert drawn == len(expected)
    with pytest.raises(ColumnError, match="metric"):
        plotting.plot_figures(figs.drop(columns="metric"))


@pytest.mark.slow
def test_single_face_font_file_for_wordcloud_and_pil(tmp_path, monkeypatch):
    from PIL import ImageFont

    monkeypatch.setenv("CADRECAST_CACHE_DIR", str(tmp_path))
    path = plotting.cjk_font_file("hans")
    assert path.parent == tmp_path and path.suffix == ".otf"
    assert plotting.cjk_font_file("hans") == path  # cached
    font = ImageFont.truetype(str(path), 24)
    assert font.getname() == ("Noto Sans CJK SC", "Regular")
    # PIL draws the Simplified form from this file (face 0 of the collection is Japanese)
    assert font.getbbox("县长直播带货")[2] > 100
    from cadrecast.errors import ConfigError

    with pytest.raises(ConfigError, match="script"):
        plotting.cjk_font_file("jp")
