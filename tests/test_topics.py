"""Tests of cadrecast.topics: reproducible LDA, k selection, covariates, persistence."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadrecast.errors import (
    ChecksumError,
    ColumnError,
    ConfigError,
    CorpusError,
    NotFittedError,
)
from cadrecast.topics import (
    TopicModel,
    choose_k,
    compare_topics,
    generic_stopwords,
    plot_k_selection,
    plot_prevalence,
    plot_topic_words,
    select_k,
    topics_stage,
)

FAST = {"passes": 4, "iterations": 50}


@pytest.fixture(scope="module")
def tokens(corpus) -> pd.DataFrame:
    """Token table of the bundled corpus's Chinese paragraphs."""
    from cadrecast.segment import tokenize

    tokens = tokenize(corpus)
    zh = corpus.paragraphs.loc[corpus.paragraphs["language"] == "zh", ["doc_id", "para_id"]]
    return tokens.merge(zh, on=["doc_id", "para_id"], how="inner")


@pytest.fixture(scope="module")
def model(tokens) -> TopicModel:
    return TopicModel(n_topics=5, random_state=7, **FAST).fit(tokens)


def _table(rows: list[tuple[str, int, str, str, bool]]) -> pd.DataFrame:
    """A token table from (doc_id, para_id, token, token_hans, is_stop) rows."""
    df = pd.DataFrame(rows, columns=["doc_id", "para_id", "token", "token_hans", "is_stop"])
    df["sent_id"] = 0
    df["token_id"] = df.groupby(["doc_id", "para_id"]).cumcount()
    return df


# paragraphs in both scripts on three themes, plus degenerate ones
_THEMES = {
    "farm": [("扶貧", "扶贫"), ("農產品", "农产品"), ("銷售", "销售"), ("縣長", "县长"),
             ("茶葉", "茶叶")],
    "rule": [("監管", "监管"), ("規範", "规范"), ("紀律", "纪律"), ("形式主義", "形式主义"),
             ("攤派", "摊派")],
    "shop": [("平台", "平台"), ("銷量", "销量"), ("訂單", "订单"), ("主播", "主播"),
             ("流量", "流量")],
}


def _small_tokens() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for d, (_theme, words) in enumerate(sorted(_THEMES.items()) * 4):
        hant = d % 2 == 0
        for p in range(3):
            for i in rng.integers(0, len(words), size=8):
                orig, hans = words[i]
                rows.append((f"doc{d}", p, orig if hant else hans, hans, False))
            rows.append((f"doc{d}", p, "的", "的", True))
    # empty (punctuation only), one word, all stop words
    rows += [("odd", 0, "。", "。", False), ("odd", 1, "監管", "监管", False),
             ("odd", 2, "的", "的", True), ("odd", 2, "了", "了", True)]
    return _table(rows)


# --------------------------------------------------------------------------- fitting


def test_fit_returns_self_and_tidy_tables(model, tokens):
    assert isinstance(model.gensim_model_.num_topics, int)
    assert model.n_topics_ == 5
    dt = model.document_topics()
    assert dt.columns.tolist() == ["doc_id", "para_id", "topic", "proportion"]
    sums = dt.groupby(["doc_id", "para_id"])["proportion"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-6)
    assert len(dt) == 5 * int(model.documents_["used"].sum())
    top = model.topics(n=7)
    assert top.columns.tolist() == ["topic", "label", "rank", "word", "word_original", "weight"]
    assert (top.groupby("topic").size() == 7).all()
    assert (top.groupby("topic")["weight"].diff().dropna() <= 0).all()
    # the Traditional articles' spelling is kept next to the Simplified word
    assert top["word_original"].str.contains("/").any() or (
        top["word"] != top["word_original"]).any()
    assert len(model.labels_) == 5 and all(" / " in lab for lab in model.labels_)


def test_traditional_and_simplified_share_terms():
    m = TopicModel(n_topics=3, random_state=0, **FAST).fit(_small_tokens())
    vocab = set(m.dictionary_.token2id)
    assert {"监管", "扶贫", "农产品"} <= vocab
    assert "監管" not in vocab
    words = m.topics(n=5).set_index("word")["word_original"]
    assert set(words["监管"].split("/")) == {"監管", "监管"}


def test_same_seed_same_bytes_different_seed_differs(tokens, model):
    again = TopicModel(n_topics=5, random_state=7, **FAST).fit(tokens)
    assert again.theta_.tobytes() == model.theta_.tobytes()
    assert again.topic_term_.tobytes() == model.topic_term_.tobytes()
    pd.testing.assert_frame_equal(again.topics(), model.topics(), check_exact=True)
    pd.testing.assert_frame_equal(again.document_topics(), model.document_topics(),
                                  check_exact=True)
    other = TopicModel(n_topics=5, random_state=8, **FAST).fit(tokens)
    assert other.topic_term_.tobytes() != model.topic_term_.tobytes()


def _fit_bytes(args: tuple[pd.DataFrame, int]) -> tuple[bytes, bytes]:
    tokens, seed = args
    m = TopicModel(n_topics=5, random_state=seed, **FAST).fit(tokens)
    return m.theta_.tobytes(), m.topic_term_.tobytes()


def test_same_bytes_in_another_process(tokens, model):
    with ProcessPoolExecutor(2, mp_context=get_context("fork")) as pool:
        results = list(pool.map(_fit_bytes, [(tokens, 7), (tokens, 7)]))
    for theta, phi in results:
        assert theta == model.theta_.tobytes()
        assert phi == model.topic_term_.tobytes()


def test_input_order_does_not_matter(tokens, model):
    shuffled = tokens.sample(frac=1.0, random_state=1)
    again = TopicModel(n_topics=5, random_state=7, **FAST).fit(shuffled)
    assert again.theta_.tobytes() == model.theta_.tobytes()


def test_transform_is_deterministic_and_matches_fit(tokens, model):
    a = model.transform(tokens)
    b = model.transform(tokens)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, model.document_topics(), check_exact=True)


def test_degenerate_paragraphs_are_handled():
    toks = _small_tokens()
    m = TopicModel(n_topics=3, random_state=0, **FAST).fit(toks)
    docs = m.documents_.set_index(["doc_id", "para_id"])
    assert not docs.loc[("odd", 0), "used"]  # punctuation only
    assert docs.loc[("odd", 1), "used"]  # one word
    assert docs.loc[("odd", 2), "n_terms"] == 0  # stop words only
    dt = m.document_topics()
    assert set(dt.loc[dt["doc_id"] == "odd", "para_id"]) == {1}
    one = m.transform(toks[toks["doc_id"] == "odd"])
    assert set(one["para_id"]) == {1}
    np.testing.assert_allclose(one["proportion"].sum(), 1.0, atol=1e-6)
    # a table with no usable paragraph at all is an error with a message, not a crash
    with pytest.raises(CorpusError, match="no terms"):
        TopicModel(n_topics=2).fit(toks[toks["doc_id"] == "odd"].assign(is_stop=True))
    with pytest.raises(CorpusError, match="empty"):
        TopicModel(n_topics=2).fit(toks.iloc[:0])
    empty = m.transform(toks.iloc[:0])
    assert empty.empty and "proportion" in empty.columns


def test_bad_input_and_parameters():
    with pytest.raises(ColumnError, match="para_id"):
        TopicModel().fit(pd.DataFrame({"doc_id": ["a"], "token": ["监管"]}))
    with pytest.raises(ConfigError, match="unit"):
        TopicModel(unit="page").fit(_small_tokens())
    with pytest.raises(ConfigError, match="random_state"):
        TopicModel(random_state=None).fit(_small_tokens())
    with pytest.raises(NotFittedError):
        TopicModel().topics()
    m = TopicModel(n_topics=4).set_params(passes=3)
    assert m.get_params()["passes"] == 3 and "n_topics=4" in repr(m)
    with pytest.raises(ConfigError):
        m.set_params(n_topic=3)


def test_unit_document_and_phrases():
    toks = _small_tokens()
    m = TopicModel(n_topics=2, unit="document", random_state=0, **FAST).fit(toks)
    assert m.document_topics().columns.tolist() == ["doc_id", "topic", "proportion"]
    rows = []
    for d in range(30):
        rows += [(f"d{d}", 0, "直播", "直播", False), (f"d{d}", 0, "带货", "带货", False),
                 (f"d{d}", 0, ["扶贫", "监管", "平台"][d % 3], ["扶贫", "监管", "平台"][d % 3],
                  False)]
    ph = TopicModel(n_topics=2, phrases=True, max_df=1.0, random_state=0, **FAST)
    ph.fit(_table(rows))
    assert "直播_带货" in ph.dictionary_.token2id


def test_filters_adapt_and_drop_numbers_and_generic_words(model):
    assert model.min_df_ == 2 and model.max_df_ == 0.5
    vocab = set(model.dictionary_.token2id)
    assert not any(w.isdigit() for w in vocab)
    assert "进行" in generic_stopwords() and "进行" not in vocab
    big = TopicModel()
    from cadrecast.topics import _auto_max_df, _auto_min_df

    assert _auto_min_df(10) == 1 and _auto_min_df(20_000) == 14
    assert _auto_max_df(10) == 1.0
    assert big.min_df is None


# --------------------------------------------------------------------------- k selection


@pytest.fixture(scope="module")
def selection(tokens) -> pd.DataFrame:
    return select_k(tokens, ks=[3, 5], n_seeds=2, random_state=1, **FAST)


def test_select_k_reports_evidence(selection):
    assert selection["k"].tolist() == [3, 5]
    for col in ("c_v", "c_v_sd", "npmi", "npmi_sd", "perplexity", "stability",
                "stability_top", "score", "chosen"):
        assert col in selection.columns
    assert selection["chosen"].sum() == 1
    assert selection["c_v"].between(0, 1).all() and selection["npmi"].between(-1, 1).all()
    assert selection["stability"].between(0, 1.000001).all()
    assert (selection["perplexity"] > 1).all()
    assert choose_k(selection) == int(selection.loc[selection["chosen"], "k"].iloc[0])


def test_select_k_same_in_one_or_two_processes(tokens, selection):
    two = select_k(tokens, ks=[3, 5], n_seeds=2, random_state=1, n_jobs=2, **FAST)
    pd.testing.assert_frame_equal(two, selection, check_exact=True)


def test_choose_k_rule():
    table = pd.DataFrame({"k": [4, 6, 8], "score": [0.2, 0.9, 0.9]})
    assert choose_k(table) == 6
    with pytest.raises(ColumnError):
        choose_k(pd.DataFrame({"k": [3]}))
    with pytest.raises(ConfigError):
        select_k(_small_tokens(), ks=[0])


# --------------------------------------------------------------------------- outputs


def test_representative_paragraphs(model, corpus):
    reps = model.representative_paragraphs(corpus.paragraphs, n=2)
    assert reps.columns.tolist() == ["topic", "label", "rank", "doc_id", "para_id",
                                     "proportion", "text"]
    assert (reps.groupby("topic").size() == 2).all()
    assert (reps["text"].str.len() >= 30).all()
    first = reps.groupby("topic")["proportion"].first()
    assert (first >= reps.groupby("topic")["proportion"].last()).all()
    assert model.representative_paragraphs(corpus, n=1)["topic"].tolist() == list(range(5))


def test_compare_by_covariate_returns_intervals(model, corpus):
    comp = model.compare(corpus.paragraphs, "doc_id", n_boot=200)
    assert {"level", "topic", "prevalence", "ci_low", "ci_high", "difference",
            "diff_low", "diff_high", "credible"} <= set(comp.columns)
    big = comp[comp["n"] >= 5]
    assert (big["ci_low"] <= big["prevalence"] + 1e-12).all()
    assert (big["prevalence"] <= big["ci_high"] + 1e-12).all()
    assert (big["ci_high"] > big["ci_low"]).all()
    # levels' prevalences are each a distribution over topics
    np.testing.assert_allclose(comp.groupby("level")["prevalence"].sum(), 1.0, atol=1e-6)
    again = model.compare(corpus.paragraphs, "doc_id", n_boot=200)
    pd.testing.assert_frame_equal(comp, again, check_exact=True)


def test_compare_any_paragraph_column_and_clusters(model, corpus):
    # a stance-like paragraph column from another stage, merged on the keys
    paras = corpus.paragraphs[["doc_id", "para_id"]]
    side = paras.assign(side=np.where(paras["para_id"] % 2 == 0, "support", "critical"))
    comp = compare_topics(model.document_topics(), side, "side", n_boot=100,
                          labels=model.labels_)
    assert sorted(comp["level"].unique()) == ["critical", "support"]
    assert comp["ci_low"].notna().all() and comp["diff_low"].notna().all()
    # support vs the rest is the mirror image of critical vs the rest
    s = comp[comp["level"] == "support"].set_index("topic")["difference"]
    c = comp[comp["level"] == "critical"].set_index("topic")["difference"]
    np.testing.assert_allclose(s, -c, atol=1e-12)
    by_doc = compare_topics(model.document_topics(), side, "side", cluster="doc_id",
                            n_boot=100)
    assert (by_doc["n_clusters"] > 1).all()
    one = side.assign(single="all")
    solo = compare_topics(model.document_topics(), one, "single", n_boot=50)
    assert solo["difference"].isna().all() and solo["ci_low"].notna().all()
    with pytest.raises(ColumnError, match="stance"):
        compare_topics(model.document_topics(), paras, "stance")


def test_save_and_load_round_trip(model, tokens, tmp_path):
    folder = model.save(tmp_path / "m")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["random_state"] == 7
    assert manifest["corpus_sha256"] == model.corpus_sha256_
    assert {"gensim", "numpy", "cadrecast"} <= set(manifest["versions"])
    assert not any(p.suffix in {".pkl", ".pickle"} for p in folder.iterdir())
    loaded = TopicModel.load(folder)
    pd.testing.assert_frame_equal(loaded.topics(), model.topics(), check_exact=True)
    pd.testing.assert_frame_equal(loaded.document_topics(), model.document_topics(),
                                  check_exact=True)
    pd.testing.assert_frame_equal(loaded.transform(tokens), model.transform(tokens),
                                  check_exact=True)
    assert loaded.labels_ == model.labels_
    # a changed file is refused
    (folder / "sstats.npy").write_bytes((folder / "sstats.npy").read_bytes()[:-8])
    with pytest.raises(ChecksumError):
        TopicModel.load(folder)


def test_html_view_is_self_contained_and_deterministic(model, tmp_path):
    page = model.to_html(tmp_path / "v.html")
    assert page == model.to_html()
    assert "<script" in page and "LDAvis" in page and 'charset="utf-8"' in page
    assert "src=\"http" not in page and "href=\"http" not in page
    assert (tmp_path / "v.html").read_text(encoding="utf-8") == page


def test_plots_render_without_warnings(model, selection, corpus, tmp_path):
    plot_k_selection(selection).savefig(tmp_path / "k.png")
    plot_topic_words(model.topics(n=5)).savefig(tmp_path / "w.png")
    comp = model.compare(corpus.paragraphs, "script", n_boot=50)
    ax = plot_prevalence(comp)
    ax.figure.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_stage_writes_tables_plots_and_html(corpus, tokens, tmp_path):
    from cadrecast.pipeline import RunContext

    ctx = RunContext(out_dir=tmp_path, seed=3, progress=False, workers=1)
    ctx.results["tokens"] = tokens
    paras = corpus.paragraphs[["doc_id", "para_id"]]
    ctx.results["stance"] = paras.assign(
        stance=np.where(paras["para_id"] % 3 == 0, "support", "neutral"))
    tables = topics_stage(corpus, ctx, ks=(3, 4), n_seeds=2, n_boot=200, **FAST)
    assert {"topics", "document_topics", "topic_k_selection", "topic_paragraphs",
            "topic_prevalence"} <= set(tables)
    assert tables["topic_k_selection"]["chosen"].sum() == 1
    assert set(tables["topic_prevalence"]["by"]) >= {"doc_id", "script", "stance"}
    for name in ("topic_k_selection.png", "topic_words.png", "topics_ldavis.html"):
        assert (tmp_path / name).stat().st_size > 0 and name in ctx.files
    assert TopicModel.load(tmp_path / "topic_model").n_topics_ in (3, 4)


def test_table_without_is_stop_uses_bundled_stop_words():
    toks = _small_tokens().drop(columns=["is_stop"])
    m = TopicModel(n_topics=2, random_state=0, min_chars=1, **FAST).fit(toks)
    assert "的" not in m.dictionary_.token2id and "监管" in m.dictionary_.token2id


_WORDS = ["监管", "扶贫", "平台", "農產品", "直播", "主播", "的", "。", "2020年", ""]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2), st.sampled_from(_WORDS)),
                min_size=1, max_size=40))
def test_any_small_table_gives_complete_proportions_or_a_clear_error(rows):
    toks = pd.DataFrame(rows, columns=["doc", "para_id", "token"])
    toks["doc_id"] = "d" + toks.pop("doc").astype(str)
    try:
        m = TopicModel(n_topics=2, random_state=0, passes=2, iterations=20).fit(toks)
    except CorpusError:
        return  # nothing usable: refused with a message
    dt = m.document_topics()
    used = m.documents_[m.documents_["used"]]
    assert len(dt) == 2 * len(used)
    np.testing.assert_allclose(dt.groupby(["doc_id", "para_id"])["proportion"].sum(), 1.0,
                               atol=1e-6)
    assert (dt["proportion"] >= 0).all()


def test_stage_skips_a_corpus_without_chinese_text(corpus):
    from cadrecast.pipeline import RunContext

    ctx = RunContext(out_dir=None, progress=False, workers=1)
    en = corpus.paragraphs[corpus.paragraphs["language"] == "en"][["doc_id", "para_id"]]
    ctx.results["tokens"] = pd.DataFrame({"doc_id": en["doc_id"], "para_id": en["para_id"],
                                          "token": "word", "token_hans": "word",
                                          "is_stop": False})
    assert topics_stage(corpus, ctx, ks=(2,), n_seeds=1, **FAST) == {}
    assert any("not modelled" in n for n in ctx.notes)


# --------------------------------------------------------------------------- streamed


def _parts(tokens: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    """The token table in ``n`` parts of whole documents, documents out of key order."""
    ids = list(dict.fromkeys(tokens["doc_id"]))[::-1]
    return [tokens[tokens["doc_id"].isin(ids[i::n])] for i in range(n)]


def _same_model(a: TopicModel, b: TopicModel) -> None:
    assert a.topic_term_.tobytes() == b.topic_term_.tobytes()
    assert a.theta_.tobytes() == b.theta_.tobytes()
    for table in ("topics", "document_topics"):
        pd.testing.assert_frame_equal(getattr(a, table)(), getattr(b, table)(),
                                      check_exact=True)
    pd.testing.assert_frame_equal(a.documents_, b.documents_, check_exact=True)
    assert list(b.corpus_) == list(a.corpus_) and list(b.texts_) == list(a.texts_)
    assert (a.corpus_sha256_, a.phrases_, a.labels_) == (b.corpus_sha256_, b.phrases_,
                                                         b.labels_)
    d, e = a.dictionary_, b.dictionary_
    assert (d.token2id, d.dfs, d.cfs, d.num_docs, d.num_pos, d.num_nnz) == (
        e.token2id, e.dfs, e.cfs, e.num_docs, e.num_pos, e.num_nnz)


def test_streamed_parts_give_the_same_model_bit_for_bit(tmp_path):
    import gc

    from cadrecast.engine import PartitionedTable

    toks = _small_tokens()
    memory = TopicModel(n_topics=3, random_state=0, **FAST).fit(toks)
    folder = tmp_path / "tokens"
    folder.mkdir()
    for i, part in enumerate(_parts(toks, 3)):
        part.to_parquet(folder / f"part-{i:05d}.parquet")
    streamed = TopicModel(n_topics=3, random_state=0, **FAST).fit(
        PartitionedTable(folder), work_dir=tmp_path / "work")
    assert not isinstance(streamed.corpus_, list)  # read from disk, block by block
    assert len(streamed.corpus_) == len(memory.corpus_)
    _same_model(memory, streamed)
    pd.testing.assert_frame_equal(memory.coherence(), streamed.coherence(), check_exact=True)
    assert memory.perplexity() == streamed.perplexity()
    # phrases are counted part by part too (gensim Phrases.add_vocab)
    rows = []
    for d in range(30):
        word = ["扶贫", "监管", "平台"][d % 3]
        rows += [(f"d{d}", 0, "直播", "直播", False), (f"d{d}", 0, "帶貨", "带货", False),
                 (f"d{d}", 0, word, word, False), (f"d{d}", 1, "带货", "带货", False),
                 (f"d{d}", 1, word, word, False)]
    ph = {"n_topics": 2, "phrases": True, "max_df": 1.0, "random_state": 0, **FAST}
    a = TopicModel(**ph).fit(_table(rows))
    b = TopicModel(**ph).fit(_parts(_table(rows), 4))
    assert "直播_带货" in b.dictionary_.token2id
    _same_model(a, b)
    # the files live as long as the model (and its corpus) do
    assert any((tmp_path / "work").iterdir())
    del streamed
    gc.collect()
    assert not any((tmp_path / "work").iterdir())


def test_streamed_parts_must_hold_whole_documents():
    toks = _small_tokens()
    one = toks[toks["doc_id"] == "doc0"]
    with pytest.raises(CorpusError, match="more than one part"):
        TopicModel(n_topics=2, **FAST).fit([toks, one])
    with pytest.raises(ColumnError, match="iterable of DataFrame parts"):
        TopicModel(n_topics=2).fit(42)
    with pytest.raises(CorpusError, match="empty"):
        TopicModel(n_topics=2).fit([toks.iloc[:0]])


def test_streamed_fit_is_reproducible_and_travels_compactly(tokens, model):
    import pickle

    parts = _parts(tokens, 3)
    again = TopicModel(n_topics=5, random_state=7, **FAST).fit(parts)
    _same_model(model, again)
    other = TopicModel(n_topics=5, random_state=8, **FAST).fit(parts)
    assert other.topic_term_.tobytes() != again.topic_term_.tobytes()
    # what engine workers receive: the files' paths, or the compact arrays, never lists
    from cadrecast.topics import _portable

    for by_path in (True, False):
        for lazy in (again.corpus_, again.texts_):
            data = pickle.dumps(_portable(lazy, by_path))
            assert list(pickle.loads(data)) == list(lazy)
            if by_path:
                assert len(data) < 2000 + 100 * len(again.dictionary_)


def test_select_k_and_stage_streamed_match_in_memory(corpus, tmp_path, monkeypatch):
    import tempfile

    from cadrecast.engine import PartitionedTable, Tables
    from cadrecast.pipeline import RunContext
    from cadrecast.segment import tokenize

    toks = _small_tokens()
    kw = {"ks": [2, 3], "n_seeds": 2, "random_state": 1, **FAST}
    pd.testing.assert_frame_equal(select_k(toks, **kw), select_k(_parts(toks, 3), **kw),
                                  check_exact=True)
    # the topics stage of an engine run: tokens and paragraphs as Parquet parts; the
    # English article's paragraphs are left out part by part
    sub = corpus.subset(["001_c3c5390778cc9c07", "003_b9d991b649e0baf2"])
    tokens = tokenize(sub)
    tables = Tables()
    for name, table in (("tokens", tokens), ("paragraphs", sub.paragraphs)):
        (tmp_path / name).mkdir()
        for i, part in enumerate(_parts(table, 2)):
            part.to_parquet(tmp_path / name / f"part-{i:05d}.parquet")
        tables[name] = PartitionedTable(tmp_path / name)
    args = {"ks": (2, 3), "n_seeds": 2, "n_boot": 50, **FAST}
    ctx = RunContext(out_dir=None, seed=3, progress=False, workers=1)
    ctx.results["tokens"] = tokens
    memory = topics_stage(sub, ctx, **args)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    ctx = RunContext(out_dir=None, seed=3, progress=False, workers=1)
    ctx.results = tables
    streamed = topics_stage(sub, ctx, **args)
    assert set(memory) == set(streamed)
    for name in memory:
        pd.testing.assert_frame_equal(memory[name], streamed[name], check_exact=True)
    assert not any((tmp_path / "tmp").iterdir())  # the stage removed its files
    # with an output folder, a streamed run's document_topics is itself a folder of parts
    ctx = RunContext(out_dir=tmp_path / "out", seed=3, progress=False, workers=1)
    (tmp_path / "out").mkdir()
    ctx.results = tables
    monkeypatch.setattr("cadrecast.topics.MAX_COMPARED_LEVELS", 0)  # as if far too many
    on_disk = topics_stage(sub, ctx, **args)
    assert isinstance(on_disk["document_topics"], PartitionedTable)
    pd.testing.assert_frame_equal(on_disk["document_topics"].read(), memory["document_topics"],
                                  check_exact=True)
    pd.testing.assert_frame_equal(on_disk["topic_paragraphs"], memory["topic_paragraphs"],
                                  check_exact=True)
    # a covariate with too many levels to compare is left out, and the notes say so
    assert set(memory["topic_prevalence"]["by"]) == {"doc_id", "source", "script"}
    assert on_disk["topic_prevalence"].empty
    for by in ("doc_id", "source", "script"):
        assert any(f"prevalence by {by} not compared: 1 level " in n for n in ctx.notes), by


def test_representative_paragraphs_and_compare_read_tables_in_parts(model, corpus):
    whole = model.representative_paragraphs(corpus.paragraphs, n=3)
    parts = _parts(corpus.paragraphs.sample(frac=1, random_state=0), 4)
    pd.testing.assert_frame_equal(model.representative_paragraphs(iter(parts), n=3), whole,
                                  check_exact=True)
    # the model's compare (no long table) gives exactly compare_topics on the long table
    for by, kw in (("doc_id", {}), ("script", {"cluster": "doc_id"})):
        pd.testing.assert_frame_equal(
            model.compare(corpus.paragraphs, by, n_boot=100, **kw),
            compare_topics(model.document_topics(), corpus.paragraphs, by, n_boot=100,
                           labels=model.labels_, **kw),
            check_exact=True)
    with pytest.raises(ColumnError, match="iterable of DataFrame parts"):
        model.representative_paragraphs(42)
