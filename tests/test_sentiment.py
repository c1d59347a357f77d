"""Sentiment: negation, degree and contrast in both scripts, empty text, tables, lexicons."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cadrecast as cc
from cadrecast.errors import ColumnError, ConfigError
from cadrecast.script import to_simplified
from cadrecast.sentiment_analysis import LexiconLicenceWarning, load_lexicon, score_text
from cadrecast.stance_detection import (
    stance_of_text,
)


@pytest.fixture(scope="module")
def sent_table(corpus):
    return cc.sentiment(corpus)


# --------------------------------------------------------------------------- sentiment rules
@pytest.mark.parametrize("text", ["并不值得提倡", "並不值得提倡"])
def test_negation_reverses(text):
    r = score_text(text)
    assert r.label == "negative" and r.score < -0.3
    assert all("不" in t.modifiers for t in r.terms if t.weight > 0)


@pytest.mark.parametrize("text", ["没有帮助农民增收", "沒有幫助農民增收"])
def test_negation_scope_covers_following_words(text):
    r = score_text(text)
    assert [t.value < 0 for t in r.terms] == [True, True]


@pytest.mark.parametrize("text", ["官员直播更不能作秀", "嚴禁層層攤派", "不要搞形式主义"])
def test_prohibition_does_not_turn_a_bad_word_good(text):
    r = score_text(text)
    bad = [t for t in r.terms if t.weight < 0]
    assert bad and all(t.value < 0 and "prohibit" in t.modifiers for t in bad)
    assert r.label != "positive"
    # a prohibition before a good word reverses it as any negator does
    (term,) = score_text("这种做法不应提倡").terms
    assert term.term == "提倡" and term.weight > 0 and term.value < 0


def test_double_negation_cancels():
    assert score_text("不能不好好干").score == score_text("好好干").score


@pytest.mark.parametrize(("plain", "strong", "weak"), [
    ("效果好", "效果非常好", "效果稍好"),
    ("效果好", "效果極其好", "效果略好"),
])
def test_degree_adverbs_scale(plain, strong, weak):
    p, s, w = (score_text(t) for t in (plain, strong, weak))
    assert s.positive > p.positive > w.positive > 0


def test_negated_degree_softens():
    r = score_text("效果不太好")
    assert r.label == "negative"
    assert abs(r.terms[0].value) < abs(score_text("效果不好").terms[0].value) + 1e-9


@pytest.mark.parametrize("text", ["不是作秀，而是实实在在帮农民", "不是作秀，而是實實在在幫農民"])
def test_contrast_weights_the_clause_after(text):
    r = score_text(text)
    assert r.label == "positive"
    after = [t for t in r.terms if "after:" in t.modifiers]
    before = [t for t in r.terms if "before:" in t.modifiers]
    assert after and before
    assert max(abs(t.value) for t in after) > max(abs(t.value) for t in before)


def test_contrast_flips_a_mixed_sentence():
    assert score_text("这种做法很好，但是效果却不佳").label == "negative"
    assert score_text("虽然存在一些问题，但总体效果很好").label == "positive"


@pytest.mark.parametrize(("hant", "hans"), [
    ("縣長直播帶貨助力鄉村振興，幫助農民增收", "县长直播带货助力乡村振兴，帮助农民增收"),
    ("有的地方搞攤派、刷單，形式主義嚴重，並不值得提倡", "有的地方搞摊派、刷单，形式主义严重，并不值得提倡"),
    ("這種做法雖然有些問題，但是總體上很受歡迎", "这种做法虽然有些问题，但是总体上很受欢迎"),
])
def test_traditional_scores_like_simplified(hant, hans):
    a, b, c = score_text(hant), score_text(hans), score_text(to_simplified(hant))
    assert a == b == c
    assert a.label != "neutral"


def test_traditional_paragraphs_score_like_their_conversion():
    trad = pd.DataFrame({"doc_id": ["t"] * 2, "para_id": [0, 1],
                         "text": ["官員直播帶貨，好處實實在在。", "但也要警惕形式主義和作秀。"]})
    simp = trad.assign(text=trad["text"].map(to_simplified))
    pd.testing.assert_frame_equal(cc.sentiment(trad), cc.sentiment(simp))
    pd.testing.assert_frame_equal(cc.stance(trad), cc.stance(simp))


def test_empty_text_and_empty_paragraphs():
    r = score_text("")
    assert (r.score, r.label, r.terms) == (0.0, "neutral", ())
    table = cc.sentiment(pd.DataFrame({"doc_id": ["d", "d", "d"], "para_id": [0, 1, 2],
                                       "text": ["", None, "很好"]}))
    assert table["para_id"].tolist() == [0, 1, 2]
    assert table.loc[:1, "score"].tolist() == [0.0, 0.0]
    assert table.loc[:1, "label"].tolist() == ["neutral", "neutral"]
    assert table.loc[:1, "evidence"].tolist() == ["", ""]
    assert stance_of_text("").stance == "neutral"


def test_not_negators():
    # 不仅 / 不断 are not negation
    assert score_text("不仅帮助农民，而且不断创新").label == "positive"


# --------------------------------------------------------------------------- sentiment tables
def test_sentiment_table_columns_and_keys(corpus, sent_table):
    assert sent_table.columns[:5].tolist() == ["doc_id", "para_id", "score", "label", "evidence"]
    zh = corpus.paragraphs[corpus.paragraphs["language"] == "zh"]
    assert len(sent_table) == len(zh)
    assert not sent_table.duplicated(["doc_id", "para_id"]).any()
    assert set(sent_table["label"]) <= {"positive", "neutral", "negative"}
    assert sent_table["score"].between(-1, 1).all()
    assert (sent_table["evidence"] != "").sum() == (sent_table["n_terms"] > 0).sum()


def test_sentiment_levels_are_consistent(corpus, sent_table):
    sents = cc.sentiment(corpus, level="sentence")
    docs = cc.sentiment(corpus, level="document")
    assert {"sent_id"} <= set(sents.columns) and "para_id" not in docs.columns
    np.testing.assert_allclose(sents["positive"].sum(), sent_table["positive"].sum())
    np.testing.assert_allclose(docs["negative"].sum(), sent_table["negative"].sum())
    # the critical comment pieces of 001 are more negative than the profile 002
    by_doc = docs.set_index("doc_id")["score"]
    assert by_doc["001_c3c5390778cc9c07"] < by_doc["002_7f015624ccaf9a2e"]


def test_sentiment_summary_by_source(corpus, sent_table):
    out = cc.sentiment_summary(sent_table, corpus, by="source")
    assert out["n"].sum() == len(sent_table)
    with pytest.raises(ConfigError):
        cc.sentiment_summary(sent_table, by="source")


def test_sentiment_terms_explain_scores(corpus):
    from cadrecast.sentiment_analysis import sentiment_terms

    t = sentiment_terms(pd.DataFrame({"doc_id": ["d"], "para_id": [0], "text": ["并不值得提倡"]}))
    assert t["value"].lt(0).all()
    tichang = t[t["term"] == "提倡"].iloc[0]
    assert tichang["weight"] > 0 and "不" in tichang["modifiers"]


# --------------------------------------------------------------------------- lexicons
def test_bundled_lexicon():
    lex = load_lexicon()
    assert len(lex) > 32_500
    assert "发展" not in lex.words and "不能" not in lex.words  # not evaluative / grammar
    assert lex.words["形式主义"] < 0 < lex.words["助农"]
    assert "不仅" not in lex.negators and "没有" in lex.negators


def test_user_lexicon_files(tmp_path):
    pos = tmp_path / "ntusd-positive.txt"
    neg = tmp_path / "ntusd-negative.txt"
    pos.write_text("帶貨\n給力\n", encoding="utf-8")
    neg.write_text("擺爛\n", encoding="utf-8")
    lex = load_lexicon(pos, negative=neg)
    assert lex.words == {"带货": 1.0, "给力": 1.0, "摆烂": -1.0}
    assert score_text("干部真给力", lexicon=lex).label == "positive"
    weighted = tmp_path / "mine.tsv"
    weighted.write_text("word\tweight\n摆烂\t-2\n", encoding="utf-8")
    assert load_lexicon(weighted, base="default").words["摆烂"] == -2.0
    with pytest.raises(ConfigError):
        load_lexicon(pos)  # no polarity for an unweighted list
    bad = tmp_path / "bad.tsv"
    bad.write_text("好\t1\n坏\tx\n", encoding="utf-8")
    with pytest.raises(ColumnError, match="line 2"):
        load_lexicon(bad)


def test_restricted_lexicon_warns(tmp_path):
    f = tmp_path / "HowNet_positive.txt"
    f.write_text("好\n", encoding="utf-8")
    with pytest.warns(LexiconLicenceWarning, match="HowNet"):
        load_lexicon(f, polarity="positive")
    g = tmp_path / "my_words.txt"
    g.write_text("好\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_lexicon(g, polarity="positive")


_PIECES = ["不", "没有", "很", "非常", "稍", "但是", "却", "虽然", "好", "坏", "作秀", "助农",
           "形式主义", "实实在在", "，", "。", "县长", "直播", "帶貨", "並不", "值得", "提倡"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_score_invariants(pieces):
    text = "".join(pieces)
    r = score_text(text)
    assert -1 < r.score < 1
    assert r.label == ("positive" if r.score >= 0.2 else "negative" if r.score <= -0.2
                       else "neutral")
    assert r.positive >= 0 and r.negative >= 0
    assert r.score == pytest.approx((r.positive - r.negative) / (r.positive + r.negative + 1),
                                    abs=1e-5)
    assert score_text(to_simplified(text)) == r
