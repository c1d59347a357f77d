"""Tests for cadrecast.segment: domain segmentation, spans, stop words, backends, workers."""

from __future__ import annotations

import functools
import pickle

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cadrecast as cc
from cadrecast.errors import ColumnError, ConfigError
from cadrecast.segment import TOKEN_COLUMNS, Tokenizer, cache_dir, load_stopwords, tokenize

HANT_DOCS = ("000_1c59dac2740d956f", "002_7f015624ccaf9a2e")
HANS_DOCS = ("001_c3c5390778cc9c07", "004_5dfa56896c172637")
EN_DOC = "003_b9d991b649e0baf2"


@functools.cache
def corpus():
    return cc.load_corpus()


@functools.cache
def tokenizer(backend: str) -> Tokenizer:
    return Tokenizer(backend)


@functools.cache
def tokens(backend: str = "jieba") -> pd.DataFrame:
    return tokenize(corpus(), tokenizer=tokenizer(backend))


def boundaries(toks: pd.DataFrame) -> dict[tuple[str, int], set[int]]:
    out: dict[tuple[str, int], set[int]] = {}
    for d, p, s, e in toks[["doc_id", "para_id", "start", "end"]].itertuples(index=False):
        b = out.setdefault((d, p), set())
        b.add(s)
        b.add(e)
    return out


def occurrences_split(toks: pd.DataFrame, term: str, docs: tuple[str, ...]) -> tuple[int, int]:
    """(occurrences of ``term`` in the paragraphs' original text, how many a token boundary
    cuts through). A term inside a longer token (黑茶 in 安化黑茶) counts as whole."""
    paras = corpus().paragraphs
    paras = paras[paras["doc_id"].isin(docs)]
    bounds = boundaries(toks)
    found = cut = 0
    for d, p, text in paras[["doc_id", "para_id", "text"]].itertuples(index=False):
        i = text.find(term)
        while i >= 0:
            found += 1
            b = bounds.get((d, p), set())
            if any(i < x < i + len(term) for x in b):
                cut += 1
            i = text.find(term, i + 1)
    return found, cut


# --------------------------------------------------------------------------- the table

def test_columns_and_dtypes():
    t = tokens()
    assert tuple(t.columns) == TOKEN_COLUMNS
    assert t["start"].dtype == "int64" and t["is_stop"].dtype == bool
    assert t["token"].dtype == "str"
    assert t["doc_id"].nunique() == corpus().paragraphs["doc_id"].nunique()
    assert (t.groupby(["doc_id", "para_id"])["token_id"]
            .apply(lambda s: s.tolist() == list(range(len(s)))).all())


def test_spans_map_back_exactly_to_the_original_characters():
    t = tokens().merge(corpus().paragraphs[["doc_id", "para_id", "text", "text_hans"]],
                       on=["doc_id", "para_id"])
    assert len(t) == len(tokens())
    orig = [text[s:e] for text, s, e in t[["text", "start", "end"]].itertuples(index=False)]
    hans = [text[s:e] for text, s, e in t[["text_hans", "start", "end"]].itertuples(index=False)]
    assert orig == t["token"].tolist()
    assert hans == t["token_hans"].tolist()  # t2s keeps lengths on the seeds
    # Traditional documents really are shown in the original script
    hant = t[t["doc_id"] == HANT_DOCS[0]]
    assert (hant["token"] != hant["token_hans"]).sum() > 500


def test_tokens_cover_the_text_without_gaps_except_spaces():
    t = tokens()
    paras = corpus().paragraphs.set_index(["doc_id", "para_id"])["text"]
    for (d, p), g in t.groupby(["doc_id", "para_id"]):
        text = paras[(d, p)]
        pos = 0
        for s, e in zip(g["start"], g["end"], strict=True):
            assert text[pos:s].strip() == "", (d, p, text[pos:s])
            pos = e
        assert text[pos:].strip() == ""


@pytest.mark.parametrize("term", ["直播帶貨", "副縣長", "市委書記", "安化黑茶", "消費扶貧",
                                  "帶貨", "鄉村振興", "脫貧攻堅", "京東", "抖音", "縣委常委"])
@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_domain_terms_come_out_whole_in_traditional(term, backend):
    found, cut = occurrences_split(tokens(backend), term, HANT_DOCS)
    assert found > 0
    assert cut == 0, f"{term}: {cut} of {found} occurrences split"


@pytest.mark.parametrize("term", ["直播带货", "带货", "领导干部", "消费扶贫", "政务直播",
                                  "乡村振兴", "形式主义", "抖音", "快手", "淘宝", "拼多多"])
@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_domain_terms_come_out_whole_in_simplified(term, backend):
    found, cut = occurrences_split(tokens(backend), term, HANS_DOCS)
    assert found > 0
    assert cut == 0, f"{term}: {cut} of {found} occurrences split"


@pytest.mark.parametrize("name", ["陳燦平", "李曉楚", "楊珊", "王洪濤", "聶新鑫", "陳昊",
                                  "魏延安", "楊建國", "徐雷", "習近平"])
def test_officials_names_are_single_tokens(name):
    docs = (*HANT_DOCS, *HANS_DOCS)
    for backend in ("jieba", "rjieba"):
        found, cut = occurrences_split(tokens(backend), name, docs)
        assert found > 0
        assert cut == 0, f"{name} split {cut}/{found} times ({backend})"


def test_zhunong_whole_but_not_inside_bangzhu_nongmin():
    # 助农 is a key term, but 帮助农民 is 帮助 / 农民
    for backend in ("jieba", "rjieba"):
        assert tokenizer(backend).cut("县长直播助农，帮助农民") == [
            "县长", "直播", "助农", "，", "帮助", "农民"]


def test_both_scripts_segment_alike():
    tk = tokenizer("jieba")
    for hant, hans in [("副縣長陳燦平在抖音直播帶貨安化黑茶", "副县长陈灿平在抖音直播带货安化黑茶"),
                       ("豐城市委書記參與消費扶貧", "丰城市委书记参与消费扶贫")]:
        a, b = tk.spans(hant), tk.spans(hans)
        assert [x[1] for x in a] == [x[1] for x in b]
        assert [x[2:] for x in a] == [x[2:] for x in b]
        assert [x[0] for x in a] == tk.cut(hant)


def test_place_names_and_short_forms_from_the_gazetteer():
    tk = tokenizer("jieba")
    assert tk.cut("湖南省安化县") == ["湖南省", "安化县"]
    assert "柞水" in tk.cut("柞水木耳和柞水的干部")
    assert "峨边" in tk.cut("峨边的茶叶")  # 峨边彝族自治县 -> 峨边
    assert tk.cut("黔东南州州长直播")[0] == "黔东南州"
    assert tk.cut("恩施州的干部")[0] in ("恩施", "恩施州")


def test_stop_words_and_punctuation_flags():
    t = tokens()
    flags = t.drop_duplicates("token_hans").set_index("token_hans")
    assert flags.loc["的", "is_stop"] and not flags.loc["的", "is_punct"]
    assert flags.loc[",", "is_stop"] and flags.loc[",", "is_punct"]
    assert not flags.loc["直播带货", "is_stop"]
    en = t[t["doc_id"] == EN_DOC].drop_duplicates("token").set_index("token")
    assert en.loc["the", "is_stop"] and not en.loc["cadres", "is_stop"]
    assert len(load_stopwords("zh")) > 790 and "的" in load_stopwords("zh")
    assert "the" in load_stopwords("en")


def test_english_documents_are_tokenized_as_english():
    t = tokens()
    en = t[t["doc_id"] == EN_DOC]
    assert (en["token"] == en["token_hans"]).all()
    assert {"Leading", "cadres", "e-commerce", "618"} <= set(en["token"])
    words = Tokenizer("jieba").cut("Officials' live-streams sold 2,000 kg (US$1.5m) of rice.")
    assert words == ["Officials", "'", "live-streams", "sold", "2,000", "kg", "(", "US", "$",
                     "1.5", "m", ")", "of", "rice", "."]


def test_sentence_ids_follow_corpus_sentences():
    t = tokens()
    paras = corpus().paragraphs[["doc_id", "para_id", "start"]]
    sents = corpus().sentences.merge(paras, on=["doc_id", "para_id"], suffixes=("", "_p"))
    sents = sents.assign(s=sents["start"] - sents["start_p"], e=sents["end"] - sents["start_p"])
    m = t.merge(sents[["doc_id", "para_id", "sent_id", "s", "e"]],
                on=["doc_id", "para_id", "sent_id"], how="left")
    assert m["s"].notna().all()
    assert ((m["start"] >= m["s"]) & (m["end"] <= m["e"])).mean() > 0.999
    assert t["sent_id"].max() > 5


def test_frame_input_matches_corpus_input():
    paras = corpus().paragraphs
    sub = paras[paras["doc_id"] == HANT_DOCS[1]]
    from_frame = tokenize(sub[["doc_id", "para_id", "text"]], tokenizer=tokenizer("jieba"))
    expected = tokens()
    expected = expected[expected["doc_id"] == HANT_DOCS[1]].reset_index(drop=True)
    pd.testing.assert_frame_equal(from_frame, expected)


def test_small_frames_in_both_scripts():
    df = pd.DataFrame({"doc_id": ["a", "b"],
                       "text": ["網紅縣長直播帶貨，助農增收。", "网红县长直播带货，助农增收。"]})
    t = tokenize(df, tokenizer=tokenizer("jieba"))
    a, b = t[t["doc_id"] == "a"], t[t["doc_id"] == "b"]
    assert a["token_hans"].tolist() == b["token_hans"].tolist()
    assert a["token"].tolist() == ["網紅縣長", "直播帶貨", "，", "助農增收", "。"]
    assert (t["para_id"] == 0).all()
    empty = tokenize(df.iloc[:0], tokenizer=tokenizer("jieba"))
    assert list(empty.columns) == list(TOKEN_COLUMNS) and len(empty) == 0


def test_keep_space():
    df = pd.DataFrame({"doc_id": ["a"], "text": ["縣長 直播\u3000帶貨"]})
    t = tokenize(df, tokenizer=tokenizer("jieba"))
    assert t["token"].tolist() == ["縣長", "直播", "帶貨"]
    ts = tokenize(df, tokenizer=tokenizer("jieba"), keep_space=True)
    assert "".join(ts["token"]) == "縣長 直播\u3000帶貨"


# --------------------------------------------------------------------------- tokenizers

def test_user_word_changes_only_that_tokenizer():
    import jieba

    text = "带货还需带人带产业"
    default = Tokenizer("jieba").cut(text)
    assert "带人带产业" not in default
    mine = Tokenizer("jieba", user_words=["带人带产业"])
    assert mine.cut(text)[-1] == "带人带产业"
    assert Tokenizer("jieba").cut(text) == default
    assert tokenizer("jieba").cut(text) == default
    assert "带人带产业" not in jieba.dt.FREQ  # jieba's global tokenizer untouched
    other = Tokenizer("jieba")
    other.add_word("还需", tag="v")
    assert "还需" in other.cut(text) and "还需" not in Tokenizer("jieba").cut(text)
    rj = Tokenizer("rjieba")
    rj.add_word("带人带产业")
    assert rj.cut(text)[-1] == "带人带产业"
    assert Tokenizer("rjieba").cut(text) == tokenizer("rjieba").cut(text)


def test_user_words_in_traditional_and_user_dicts(tmp_path):
    d = tmp_path / "my.txt"
    d.write_text("# my words\n帶人帶產業 5000 n\n需带\n", encoding="utf-8")
    for backend in ("jieba", "rjieba"):
        tk = Tokenizer(backend, user_dicts=[d])
        assert tk.cut("帶貨還需帶人帶產業") == ["帶貨", "還", "需", "帶人帶產業"]
        assert tk.cut("需帶") == ["需帶"]
    tk = Tokenizer("jieba")
    tk.load_userdict(d)
    assert tk.cut("带人带产业")[0] == "带人带产业"
    assert tk.tag(["带人带产业"]) == ["n"]


def test_domain_dictionary_can_be_switched_off():
    assert Tokenizer("jieba", domain=False).cut("安化黑茶") != ["安化黑茶"]
    assert Tokenizer("jieba").cut("安化黑茶") == ["安化黑茶"]


def test_custom_stop_words():
    tk = Tokenizer("jieba", stopwords=["县长"], extra_stopwords=["直播"])
    t = tokenize(pd.DataFrame({"doc_id": ["a"], "text": ["县长的直播"]}), tokenizer=tk)
    assert t.set_index("token")["is_stop"].to_dict() == {"县长": True, "的": False,
                                                          "直播": True}
    none = Tokenizer("jieba", stopwords=None)
    assert none.flags("的") == (False, False) and none.flags("，") == (True, True)


def test_tokenizer_pickles_by_configuration():
    tk = Tokenizer("jieba", user_words=[("带人带产业", 100, "n")])
    tk.add_word("还需")
    clone = pickle.loads(pickle.dumps(tk))
    text = "带货还需带人带产业"
    assert clone.cut(text) == tk.cut(text)
    assert "rjieba" in repr(Tokenizer("rjieba"))


def test_pos_tags_do_not_change_the_tokens():
    df = corpus().paragraphs
    df = df[df["doc_id"].isin([HANT_DOCS[1], HANS_DOCS[0]])]
    plain = tokenize(df, tokenizer=tokenizer("jieba"))
    tagged = tokenize(df, tokenizer=tokenizer("jieba"), pos=True)
    assert tagged.columns[-1] == "pos"
    pd.testing.assert_frame_equal(tagged.drop(columns="pos"), plain)
    tags = tagged.drop_duplicates("token_hans").set_index("token_hans")["pos"]
    assert tags["带货"] == "v" and tags["陈灿平"] == "nr" and tags[","] == "x"
    assert tags["安化"] == "ns"


def test_cache_dir_is_per_user_and_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("CADRECAST_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c" and (tmp_path / "c").is_dir()
    monkeypatch.delenv("CADRECAST_CACHE_DIR")
    assert "cadrecast" in str(cache_dir())


# --------------------------------------------------------------------------- backends, workers

def test_rjieba_agrees_with_jieba_on_the_corpus():
    a, b = tokens("jieba"), tokens("rjieba")
    key = ["doc_id", "para_id", "start", "end"]
    same = len(a[key].merge(b[key], on=key))
    assert same / len(a) >= 0.995


def test_default_backend_and_default_tokenizer():
    t = tokenize(pd.DataFrame({"doc_id": ["a"], "text": ["县长直播带货"]}))
    assert t["token"].tolist() == ["县长", "直播带货"]
    assert cc.segment.DEFAULT_BACKEND in cc.segment.BACKENDS


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_parallel_workers_give_identical_tables(backend):
    one = tokens(backend)
    two = tokenize(corpus(), tokenizer=tokenizer(backend), workers=2)
    pd.testing.assert_frame_equal(one, two)


# --------------------------------------------------------------------------- term frequencies

def test_term_frequencies():
    t = tokens()
    tf = cc.term_frequencies(t)
    assert list(tf.columns) == ["term", "n", "share", "n_docs", "rank"]
    kept = t[~t["is_stop"]]
    assert tf["n"].sum() == len(kept)
    assert tf.set_index("term").loc["直播带货", "n"] == (kept["token_hans"] == "直播带货").sum()
    assert tf["rank"].tolist() == list(range(1, len(tf) + 1))
    assert tf["share"].sum() == pytest.approx(1.0)
    by_doc = cc.term_frequencies(t, by="doc_id")
    assert by_doc.groupby("doc_id")["share"].sum().round(6).eq(1.0).all()
    assert (by_doc["n_docs"] == 1).all()
    with pytest.raises(ColumnError, match="token_hans"):
        cc.term_frequencies(t.drop(columns="token_hans"))


def test_tokens_stage_in_the_pipeline():
    tables = cc.run(corpus(), progress=False, stages=["corpus", "tokens"])
    assert {"tokens", "term_frequencies"} <= set(tables)
    tf = tables["term_frequencies"]
    assert set(tf["language"]) == {"zh", "en"}
    top = tf[tf["language"] == "zh"].head(5)["term"].tolist()
    assert "直播带货" in top


# --------------------------------------------------------------------------- errors

def test_errors_are_clear():
    with pytest.raises(ConfigError, match="rjieba"):
        Tokenizer("rjeiba")
    with pytest.raises(ColumnError, match="doc_id"):
        tokenize(pd.DataFrame({"text": ["x"]}))
    with pytest.raises(TypeError, match="Corpus or a paragraph DataFrame"):
        tokenize(["县长"])
    with pytest.raises(ConfigError, match="spaces"):
        Tokenizer("jieba", user_words=["直播 带货"])
    with pytest.raises(ConfigError, match="freq"):
        Tokenizer("jieba", user_words=[("直播带货", -1)])
    with pytest.raises(ConfigError, match="does not exist"):
        Tokenizer("jieba", user_dicts=["/no/such/dict.txt"])
    with pytest.raises(ConfigError, match="stopwords"):
        Tokenizer("jieba", stopwords="zh")


# --------------------------------------------------------------------------- invariants

_ALPHABET = st.sampled_from(list("縣长長带帶貨货直播的了，。！「」 \n\t\u3000abcXYZ019-.%《》安化黑茶王"))


@settings(max_examples=100, deadline=None)
@given(st.text(_ALPHABET, max_size=40))
def test_spans_are_lossless_for_any_text(text):
    for backend in ("jieba", "rjieba"):
        spans = tokenizer(backend).spans(text, keep_space=True)
        assert "".join(s[0] for s in spans) == text
        pos = 0
        for tok, _hans, s, e in spans:
            assert s == pos and text[s:e] == tok
            pos = e
        kept = tokenizer(backend).spans(text)
        assert all(not t.isspace() for t, _, _, _ in kept)


_ALPHABET_WIDE = st.sampled_from(list("縣長县带帶貨的，。 \n\u3000abc019-é𠀀😀「」后後臺台"))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(_ALPHABET_WIDE, max_size=30), min_size=1, max_size=4))
def test_token_table_is_lossless_for_any_paragraphs(texts):
    df = pd.DataFrame({"doc_id": ["d"] * len(texts), "para_id": range(len(texts)),
                       "text": texts})
    for backend in ("jieba", "rjieba"):
        t = tokenize(df, tokenizer=tokenizer(backend), keep_space=True)
        for p, text in enumerate(texts):
            g = t[t["para_id"] == p]
            assert "".join(g["token"]) == text
            assert [text[s:e] for s, e in zip(g["start"], g["end"], strict=True)] == \
                g["token"].tolist()
        dropped = tokenize(df, tokenizer=tokenizer(backend))
        assert not dropped["token"].str.isspace().any()
