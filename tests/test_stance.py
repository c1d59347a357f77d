"""Stance: frames in both scripts, labels, held-out accuracy, distinctive words, stages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cadrecast as cc
from cadrecast.errors import ColumnError, ConfigError
from cadrecast.sentiment_analysis import score_text
from cadrecast.stance_detection import (
    distinctive_words,
    evaluate_stance,
    load_frames,
    load_stance_labels,
    log_odds_dirichlet,
    stance_of_text,
)


@pytest.fixture(scope="module")
def stance_table(corpus):
    return cc.stance(corpus)


# --------------------------------------------------------------------------- stance
@pytest.mark.parametrize(("text", "expected"), [
    ("有的地方搞摊派，还有刷单造假，形式主义严重", "critical"),
    ("有的地方搞攤派，還有刷單造假，形式主義嚴重", "critical"),
    ("县长直播带货帮助农民增收，助力脱贫攻坚", "support"),
    ("縣長直播帶貨幫助農民增收，助力脫貧攻堅", "support"),
    ("不是作秀，而是实实在在帮农民增收", "support"),
    ("干部带货，影响公平竞争，有越位之嫌", "critical"),
    ("政府官员直播带货不是长久之计", "critical"),
    ("今天天气晴朗", "neutral"),
    # a denied or forbidden good is criticism; a negated bad stays bad
    ("有的干部热衷当网红，这种做法并不值得提倡", "critical"),
    ("這種做法並不值得提倡", "critical"),
    ("干部直播不应鼓励", "critical"),
    ("管理不规范、不到位的问题逐渐暴露", "critical"),
    ("官员直播更不能作秀", "critical"),
    ("贫困群众能不能实现增产又增收", "support"),  # a question, not a denial
])
def test_stance_of_text(text, expected):
    r = stance_of_text(text)
    assert r.stance == expected
    if expected != "neutral":
        assert r.evidence


def test_on_target_check():
    off = pd.DataFrame({"doc_id": ["x", "x"], "para_id": [0, 1],
                        "text": ["明星直播带货，销量火爆，刷新纪录", "县长直播带货，销量火爆"]})
    table = cc.stance(off)
    assert table["on_target"].tolist() == [False, True]
    assert table["stance"].tolist() == ["neutral", "support"]
    assert cc.stance(off, target_context=None)["stance"].tolist() == ["support", "support"]


def test_stance_table(corpus, stance_table):
    assert stance_table.columns[:5].tolist() == ["doc_id", "para_id", "stance", "score",
                                                 "evidence"]
    assert set(stance_table["stance"]) == {"support", "critical", "neutral"}
    sided = stance_table[stance_table["stance"] != "neutral"]
    assert (sided["evidence"] != "").all() and (sided["n_cues"] > 0).all()
    by = cc.stance_summary(stance_table, corpus, by="source")
    assert by["n"].sum() == len(stance_table)


def test_frames_file_is_editable(tmp_path, corpus):
    frames = tmp_path / "frames.csv"
    frames.write_text("frame,side,cue,weight,note\n# a comment\nmine,critical,錦鯉,2,\n",
                      encoding="utf-8")
    assert stance_of_text("锦鲤", frames=frames).stance == "critical"
    fl = load_frames(frames)
    assert fl.cues == {"锦鲤": ("mine", "critical", 2.0)}
    bad = tmp_path / "bad.csv"
    bad.write_text("frame,side,cue,weight\nx,against,y,1\n", encoding="utf-8")
    with pytest.raises(ColumnError, match="line 2"):
        load_frames(bad)


def test_labels_file():
    labels = load_stance_labels()
    assert set(labels["split"]) == {"dev", "test", "external"}
    assert not labels.duplicated(["doc_id", "para_id"]).any()
    sided = labels[labels["stance"] != "neutral"]
    assert len(sided) >= 80 and sided["frame"].ne("").all()


def test_held_out_stance_accuracy(corpus, stance_table):
    """The frame lexicon was tuned on the dev split only; the test split is held out."""
    test = evaluate_stance(stance_table, split="test")
    assert test["n_sided"] >= 40
    assert test["side_accuracy"] >= 0.85
    assert test["accuracy"] >= 0.65 and test["macro_f1"] >= 0.55
    dev = evaluate_stance(stance_table, split="dev")
    assert dev["side_accuracy"] >= 0.85
    assert test["accuracy"] >= 0.8 and test["macro_f1"] >= 0.7  # with the on-target check
    ungated = evaluate_stance(cc.stance(corpus, target_context=None), split="test")
    assert ungated["accuracy"] < test["accuracy"]


# --------------------------------------------------------------------------- distinctive words
def _scattertext_reference(y_i, y_j, priors, alpha_w):
    """Scattertext's LogOddsRatioInformativeDirichletPrior.get_zeta_i_j_given_separate_counts."""
    n_i, n_j = y_i.sum(), y_j.sum()
    a_wi = priors * (n_i * alpha_w / priors.sum())
    a_wj = priors * (n_j * alpha_w / priors.sum())
    a_0i, a_0j = a_wi.sum(), a_wj.sum()
    delta = (np.log((y_i + a_wi) / (n_i + a_0i - y_i - a_wi))
             - np.log((y_j + a_wj) / (n_j + a_0j - y_j - a_wj)))
    var = (1 / (y_i + a_wi) + 1 / (n_i + a_0i - y_i - a_wi)
           + 1 / (y_j + a_wj) + 1 / (n_j + a_0j - y_j - a_wj))
    return delta / np.sqrt(var)


@pytest.mark.parametrize("alpha", [0.01, 1.0, 10.0])
def test_log_odds_matches_scattertext(alpha):
    a = {"作秀": 7, "摊派": 4, "农民": 3, "直播": 10}
    b = {"助农": 9, "农民": 6, "直播": 12, "作秀": 1}
    prior = {"作秀": 9, "摊派": 5, "农民": 12, "直播": 30, "助农": 11}
    ours = log_odds_dirichlet(a, b, prior, alpha=alpha)
    terms = ours.index
    ref = _scattertext_reference(
        np.array([a.get(t, 0) for t in terms], float), np.array([b.get(t, 0) for t in terms], float),
        np.array([prior[t] for t in terms], float), alpha)
    np.testing.assert_allclose(ours["z"].to_numpy(), ref, rtol=1e-12)


def test_log_odds_fixed_prior_is_monroe():
    ours = log_odds_dirichlet({"x": 3, "y": 1}, {"x": 1, "y": 3}, {"x": 1, "y": 1}, alpha=2.0,
                              prior_scale="fixed")
    # alpha_w = 1 for each word, alpha_0 = 2, n = 4 in both groups:
    # delta_x = log((3+1)/(4+2-3-1)) - log((1+1)/(4+2-1-1)) = log 2 - log 0.5 = log 4
    assert ours.loc["x", "log_odds"] == pytest.approx(np.log(4))
    assert ours.loc["y", "log_odds"] == pytest.approx(-np.log(4))


def test_distinctive_words(corpus, stance_table):
    dw = distinctive_words(corpus, stance_table, top=20)
    assert dw.columns.tolist() == ["term", "group", "count_critical", "count_support",
                                   "log_odds", "z", "rank"]
    crit = dw[dw["group"] == "critical"]
    sup = dw[dw["group"] == "support"]
    assert (crit["z"] > 0).all() and (sup["z"] < 0).all()
    assert {"摊派", "公平竞争"} & set(crit["term"])
    # by hand labels instead of predictions
    labels = load_stance_labels()
    by_labels = distinctive_words(corpus, labels, top=10)
    assert set(by_labels["group"]) == {"critical", "support"}
    with pytest.raises(ConfigError):
        distinctive_words(corpus, stance_table, groups=("support", "support"))


def test_pipeline_stages(corpus):
    from cadrecast.pipeline import RunContext
    from cadrecast.sentiment_analysis import sentiment_stage
    from cadrecast.stance_detection import finish_stance, stance_stage

    ctx = RunContext(out_dir=None, progress=False)
    tables = {**sentiment_stage(corpus, ctx), **stance_stage(corpus, ctx)}
    assert {"sentiment", "stance", "distinctive_words"} <= set(tables)
    assert any("support-vs-critical accuracy" in n for n in ctx.notes)
    # on an engine's batch: only the per-paragraph table; finish_stance makes the rest
    batch = RunContext(out_dir=None, progress=False, in_batch=True)
    per_batch = stance_stage(corpus, batch)
    assert list(per_batch) == ["stance"]
    pd.testing.assert_frame_equal(per_batch["stance"], tables["stance"])
    batch.results.update(per_batch)
    wide = finish_stance(corpus, batch)
    assert list(wide) == ["stance_by_document", "stance_by_source", "distinctive_words"]
    for name, df in wide.items():
        pd.testing.assert_frame_equal(df, tables[name], obj=name)
    # a batch without Chinese paragraphs
    english = corpus.documents.loc[corpus.documents["language"] == "en", "doc_id"]
    empty = stance_stage(corpus.subset(english.tolist()), batch)["stance"]
    assert len(empty) == 0 and empty.columns.tolist() == tables["stance"].columns.tolist()


def test_government_frames_are_on_target_without_naming_officials():
    t = pd.DataFrame({"doc_id": ["a", "b"], "para_id": [0, 0],
                      "text": ["一些地方把直播带货当成政绩工程，层层摊派观看任务",
                               "直播带货的火热，到底是一阵风还是风口？"]})
    table = cc.stance(t)
    assert table["on_target"].tolist() == [True, False]
    assert table["stance"].tolist() == ["critical", "neutral"]


def test_public_functions_are_not_shadowed_by_modules():
    import cadrecast.sentiment_analysis as mod
    import cadrecast.stance_detection  # noqa: F401

    assert callable(cc.sentiment) and callable(cc.stance)
    assert type(cc.sentiment).__name__ == "function" and type(cc.stance).__name__ == "function"
    assert mod.score_text is score_text


def test_stance_model_beats_or_matches_lexicon_held_out(corpus, stance_table):
    from cadrecast.errors import NotFittedError
    from cadrecast.stance_detection import StanceModel

    with pytest.raises(NotFittedError):
        StanceModel().predict(corpus)
    model = StanceModel().fit(corpus)  # dev split only
    pred = model.predict(corpus)
    assert pred.columns.tolist() == stance_table.columns.tolist()
    assert (pred["stance"] == "neutral").equals(stance_table["stance"] == "neutral")
    test = evaluate_stance(pred, split="test")
    assert test["side_accuracy"] >= 0.85
    assert test["side_accuracy"] >= evaluate_stance(stance_table, split="test")["side_accuracy"]
