"""Streaming, engines and the synthetic corpus: same tables on every engine, every input
accounted for."""

from __future__ import annotations

import json
import logging
import os

import pandas as pd
import pytest

import cadrecast as cc
from cadrecast import engine as en
from cadrecast.errors import ColumnError, ConfigError
from cadrecast.pipeline import STAGES
from cadrecast.synthetic import synthetic_articles, synthetic_corpus, write_synthetic

#: every per-document stage, and a corpus-wide one between them
STAGES_RUN = ["corpus", "translations", "tokens", "sentiment", "stance", "entities"]
#: the stance stage's tables: per paragraph (made batch by batch), then corpus-wide
STANCE_TABLES = ["stance", "stance_by_document", "stance_by_source", "distinctive_words"]


def _assert_same(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=True, obj=name)


@pytest.fixture(scope="module")
def client():
    """A 2-worker LocalCluster shared by the module's dask tests."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory):
    """48 synthetic inputs, some empty, duplicated or not JSON."""
    return write_synthetic(tmp_path_factory.mktemp("syn") / "c.jsonl", 48, seed=5, defects=0.15)


@pytest.fixture(scope="module")
def local_tables(jsonl):
    return en.run_engine(jsonl, engine="local", batch_size=12, stages=STAGES_RUN,
                         progress=False, local_below=0)


# ---------------------------------------------------------------------------- engines

def test_local_engine_equals_in_memory_run_on_bundled_corpus():
    classic = cc.run(progress=False, stages=STAGES_RUN)
    batched = cc.run(progress=False, stages=STAGES_RUN, engine="local", batch_size=2)
    assert len(batched["rejected"]) == 0
    batched = {k: v for k, v in batched.items() if k != "rejected"}
    _assert_same(classic, {k: batched[k] for k in batched})


def test_processes_engine_gives_identical_tables(jsonl, local_tables):
    tables = en.run_engine(jsonl, engine="processes", workers=2, batch_size=12,
                           stages=STAGES_RUN, progress=False, local_below=0)
    _assert_same(local_tables, dict(tables))


def test_dask_engine_gives_identical_tables_and_loads_once_per_worker(jsonl, local_tables,
                                                                    client):
    tables = en.run_engine(jsonl, engine="dask", client=client, batch_size=12,
                           stages=STAGES_RUN, progress=False, local_below=0)
    _assert_same(local_tables, dict(tables))

    def builds() -> tuple[int, int]:
        from cadrecast import segment, stance_detection

        return (segment._default_tokenizer.cache_info().misses,
                stance_detection._pipeline_model.cache_info().misses)

    per_worker = client.run(builds)
    assert len(per_worker) == 2
    # one tokenizer and one stance model per worker process, however many batches
    assert all(n <= 1 for counts in per_worker.values() for n in counts)


def test_streamed_output_equals_in_memory_tables(jsonl, local_tables, client, tmp_path):
    out = tmp_path / "out"  # through the scheduler's address, as --scheduler does
    tables = en.run_engine(jsonl, out, engine="dask", scheduler=client.scheduler.address,
                           batch_size=12, stages=STAGES_RUN, progress=False, local_below=0)
    assert tables.is_streamed("tokens") and not tables.is_streamed("term_frequencies")
    n_batches = len(list((out / "documents").glob("part-*.parquet")))
    assert n_batches == 4  # 48 inputs, at most 12 per batch
    assert (out / "term_frequencies.csv").is_file() and (out / "rejected.csv").is_file()
    for name, df in local_tables.items():
        got = pd.read_parquet(out / name) if (out / name).is_dir() else tables[name]
        if (out / name).is_dir():
            pd.testing.assert_frame_equal(df, got, check_dtype=False, obj=name)
    parts = list(tables.stream("tokens"))
    assert len(parts) == n_batches and sum(map(len, parts)) == len(local_tables["tokens"])
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "engine: dask (2 workers), 4 batches" in readme
    assert "tokens/ (Parquet, 4 parts)" in readme


def test_workers_on_this_machine_write_their_own_parts(jsonl, local_tables, tmp_path):
    """processes (and a LocalCluster the engine starts) write parts in the workers."""
    local_out, proc_out = tmp_path / "local", tmp_path / "processes"
    en.run_engine(jsonl, local_out, engine="local", batch_size=12, stages=STAGES_RUN,
                  progress=False)
    (proc_out / "tokens").mkdir(parents=True)
    (proc_out / "tokens" / "part-00099.parquet").write_bytes(b"stale part of an earlier run")
    tables = en.run_engine(jsonl, proc_out, engine="processes", workers=2, batch_size=12,
                           stages=STAGES_RUN, progress=False, local_below=0)
    assert not (proc_out / ".staging").exists()
    for name in ("documents", "paragraphs", "tokens", "stance", "entities"):
        files = sorted(p.name for p in (proc_out / name).glob("part-*.parquet"))
        assert files == sorted(p.name for p in (local_out / name).glob("part-*.parquet")), name
        pd.testing.assert_frame_equal(pd.read_parquet(proc_out / name),
                                      pd.read_parquet(local_out / name), obj=name)
        pd.testing.assert_frame_equal(tables[name], local_tables[name], check_dtype=False,
                                      obj=name)


def _worker_settings() -> dict:
    import dask
    import distributed  # noqa: F401  (its defaults enter dask's configuration on import)

    settings = {k: dask.config.get(k) for k in en._QUIET_CLUSTER}
    return {**settings, "trim": os.environ.get("MALLOC_TRIM_THRESHOLD_")}


def test_a_cluster_the_engine_starts_keeps_its_workers_quiet():
    """The dashboard's samplers and monitors are off or slow: they take the GIL from batches."""
    before = _worker_settings()
    with en.make_engine("dask", workers=1) as engine:
        settings = engine.client.run(_worker_settings)
        trim = os.environ.get("MALLOC_TRIM_THRESHOLD_")  # the worker's own (from this process)
        assert list(settings.values()) == [{**en._QUIET_CLUSTER, "trim": trim}]
        assert engine._cluster.workers and engine.n_workers == 1
    assert _worker_settings() == before  # this process's settings are left as they were
    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") == trim


def test_stance_tables_equal_in_memory_run(local_tables):
    """Stance runs batch by batch (processes and dask equal local_tables, tested above)."""
    corpus = cc.Corpus(*(local_tables[n] for n in ("documents", "paragraphs", "sentences",
                                                   "removed")))
    memory = cc.run(corpus, progress=False, stages=["stance"])  # all of it at once
    for name in STANCE_TABLES:
        pd.testing.assert_frame_equal(memory[name], local_tables[name], obj=name)


def test_stance_streamed_per_batch_in_input_order(tmp_path):
    df = synthetic_corpus(24, seed=2).sample(frac=1, random_state=0)  # doc_ids unsorted
    src = tmp_path / "c.jsonl"
    src.write_text(df.to_json(orient="records", lines=True, force_ascii=False),
                   encoding="utf-8")
    memory = cc.run(src, progress=False, stages=["stance"])
    out = tmp_path / "out"
    tables = en.run_engine(src, out, batch_size=6, stages=["stance"], progress=False)
    assert tables.is_streamed("stance")
    assert len(list((out / "stance").glob("part-*.parquet"))) == 4
    assert not any(tables.is_streamed(n) for n in STANCE_TABLES[1:])
    assert (out / "stance_by_source.csv").is_file()
    for name in STANCE_TABLES:
        pd.testing.assert_frame_equal(memory[name], tables[name], obj=name)
    docs = tables["stance"]["doc_id"].drop_duplicates().tolist()
    assert docs == [d for d in df["doc_id"] if d in set(docs)]  # input order, not sorted


def test_rerun_in_same_folder_replaces_old_parts(tmp_path):
    src = write_synthetic(tmp_path / "c.parquet", 30, seed=1)
    out = tmp_path / "out"
    en.run_engine(src, out, batch_size=5, stages=["corpus"], progress=False)
    assert len(list((out / "paragraphs").glob("*.parquet"))) == 6
    tables = en.run_engine(src, out, batch_size=10, stages=["corpus"], progress=False)
    assert len(list((out / "paragraphs").glob("*.parquet"))) == 3
    assert tables.n_rows("documents") == 30


def test_small_corpus_falls_back_to_local_engine(caplog):
    with caplog.at_level(logging.INFO, logger="cadrecast"):
        tables = cc.run(progress=False, stages=["corpus"], engine="dask")
    assert "running on the local engine instead of dask" in caplog.text
    assert int((tables["documents"]["kind"] == "article").sum()) == 5


# ---------------------------------------------------------------------------- accounting

def _input_ids(path) -> list[str]:
    ids = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        try:
            ids.append(json.loads(line)["doc_id"])
        except json.JSONDecodeError:
            ids.append(f"row{n:06d}")
    return ids


def test_every_input_is_processed_or_rejected(jsonl, local_tables):
    ids = _input_ids(jsonl)
    docs = local_tables["documents"]
    processed = docs.loc[docs["kind"] == "article", "doc_id"].tolist()
    rejected = local_tables["rejected"]
    assert len(processed) + len(rejected) == len(ids)
    assert set(processed) | set(rejected["doc_id"]) == set(ids)
    assert {"duplicate", "empty", "invalid"} <= set(rejected["reason"])
    assert rejected.columns.tolist() == ["doc_id", "file", "reason", "detail"]
    # the first occurrence of a repeated id is processed, the repeat rejected
    dup = rejected[rejected["reason"] == "duplicate"]
    assert dup["doc_id"].isin(processed).all()


def test_folder_with_undecodable_files(tmp_path):
    folder = write_synthetic(tmp_path / "folder", 40, seed=3, defects=0.3)
    tables = en.run_engine(folder, batch_size=7, stages=["corpus"], progress=False)
    meta = pd.read_csv(folder / "metadata.csv", dtype=str, keep_default_na=False)
    docs = tables["documents"]
    n_articles = int((docs["kind"] == "article").sum())
    assert n_articles + len(tables["rejected"]) == len(meta) == 40
    assert "undecodable" in set(tables["rejected"]["reason"])
    assert set(docs["script"]) >= {"hans", "hant"}


def test_csv_and_parquet_inputs_read_in_chunks(tmp_path):
    df = synthetic_corpus(25, seed=9)
    df.to_csv(tmp_path / "c.csv", index=False)
    write_synthetic(tmp_path / "c.parquet", 25, seed=9)
    a = en.run_engine(tmp_path / "c.csv", batch_size=10, stages=["corpus"], progress=False)
    b = en.run_engine(tmp_path / "c.parquet", batch_size=10, stages=["corpus"], progress=False)
    keep = ["doc_id", "title", "date", "source", "script", "text"]
    pd.testing.assert_frame_equal(a["documents"][keep], b["documents"][keep])
    assert a["documents"]["doc_id"].tolist()[:25:12] == df["doc_id"].tolist()[::12]


def test_input_errors_are_clear(tmp_path):
    (tmp_path / "c.jsonl").write_text('{"body": "县长直播"}\n', encoding="utf-8")
    with pytest.raises(ColumnError, match="no text column 'text'"):
        en.run_engine(tmp_path / "c.jsonl", progress=False)
    with pytest.raises(ConfigError, match="engine="):
        cc.run(engine="spark", progress=False)
    with pytest.raises(ConfigError, match="batch_size"):
        cc.run(batch_size=0, progress=False)


# ---------------------------------------------------------------------------- pieces

def test_stage_flags():
    flags = {s.name: s.per_document for s in STAGES}
    assert flags["corpus"] and flags["tokens"] and not flags["translations"]
    finish = {s.name: s.finish for s in STAGES}
    assert flags["stance"] and finish["stance"] == "cadrecast.stance_detection:finish_stance"
    for s in STAGES:
        assert not s.finish or (s.per_document and callable(en._load_target(s.finish)))
    for s in STAGES:
        for table, target in s.merge.items():
            assert s.per_document, f"{s.name}: merged table {table} on a corpus-wide stage"
            assert callable(en._merge.__call__) and ":" in target


def test_merge_term_frequencies_equals_whole_corpus_count(local_tables):
    from cadrecast.segment import term_frequencies

    tokens = local_tables["tokens"]
    lang = local_tables["paragraphs"][["doc_id", "para_id", "language"]]
    tokens = tokens.merge(lang, on=["doc_id", "para_id"], how="left")
    docs = tokens["doc_id"].drop_duplicates().tolist()
    parts = [term_frequencies(tokens[tokens["doc_id"].isin(docs[i::3])], by="language")
             for i in range(3)]
    whole = term_frequencies(tokens, by="language")
    pd.testing.assert_frame_equal(en.merge_term_frequencies(parts), whole)
    pd.testing.assert_frame_equal(
        en.merge_term_frequencies([en.merge_term_frequencies(parts[:2]), parts[2]]), whole)


def test_engine_map_keeps_order(client):
    with en.make_engine("dask", client=client) as engine:
        assert engine.map(abs, [-3, 1, -2]) == [3, 1, 2]
    assert client.status == "running"  # a client we passed in is left open


def test_batches_keep_documents_whole_and_in_order():
    inputs, _ = en.iter_inputs()
    batches = list(en.iter_batches(inputs, batch_size=2))
    ids = [i.doc_id for b in batches for i in b.items]
    assert ids == sorted(ids) and len(ids) == 5
    small = list(en.iter_batches(en.iter_inputs()[0], batch_size=100, max_bytes=1))
    assert [len(b.items) for b in small] == [1] * 5


def test_corpus_object_runs_on_engine(corpus):
    tables = cc.run(corpus, progress=False, stages=["corpus"], engine="local", batch_size=2)
    pd.testing.assert_frame_equal(tables["documents"], corpus.documents.drop(columns=["raw"]))


def test_cli_engine_options(tmp_path, jsonl):
    from cadrecast.cli import main

    out = tmp_path / "out"
    code = main(["run", str(jsonl), "--out", str(out), "--engine", "local", "--batch-size",
                 "25", "--stages", "corpus", "-q"])
    assert code == 0
    assert not (out / "tokens").exists()  # only the stages asked for
    readme = (out / "README.txt").read_text(encoding="utf-8")
    n_parts = len(list((out / "documents").glob("part-*.parquet")))
    assert n_parts >= 2 and f"engine: local (1 worker), {n_parts} batches" in readme
    rejected = pd.read_csv(out / "rejected.csv", encoding="utf-8-sig")
    assert len(rejected) + len(pd.read_parquet(out / "documents").query("kind == 'article'")) == 48


# ---------------------------------------------------------------------------- synthetic

def test_synthetic_corpus_is_deterministic_and_mixed():
    a = synthetic_corpus(120, seed=11)
    pd.testing.assert_frame_equal(a, synthetic_corpus(120, seed=11))
    assert not a["text"].equals(synthetic_corpus(120, seed=12)["text"])
    assert a["doc_id"].is_unique
    shares = a["script"].value_counts(normalize=True)
    assert 0.25 < shares["hant"] < 0.55 and shares["hans"] > 0.35
    hant = a[a["script"] == "hant"]["text"]
    assert hant.map(lambda t: cc.detect_script(t) == "hant").mean() > 0.9
    assert a.loc[a["script"] != "en", "text"].str.contains("直播").mean() > 0.3


def test_synthetic_articles_validate_arguments():
    with pytest.raises(ConfigError):
        list(synthetic_articles(2, paragraphs=(0, 3)))
    with pytest.raises(ConfigError):
        list(synthetic_articles(2, hant_share=0.9, en_share=0.5))
    with pytest.raises(ConfigError):
        write_synthetic("x.jsonl", 2, defects=2)


def test_synthetic_formats_hold_the_same_articles(tmp_path):
    write_synthetic(tmp_path / "f", 12, seed=4)
    write_synthetic(tmp_path / "c.jsonl", 12, seed=4)
    write_synthetic(tmp_path / "c.parquet", 12, seed=4)
    from_folder = cc.load_corpus(tmp_path / "f").documents
    from_jsonl = cc.load_corpus(tmp_path / "c.jsonl").documents
    from_parquet = cc.load_corpus(tmp_path / "c.parquet").documents
    art = from_folder[from_folder["kind"] == "article"]
    assert art["doc_id"].tolist() == from_jsonl["doc_id"].tolist()
    assert from_jsonl["text"].tolist() == from_parquet["text"].tolist()
    assert art["text"].tolist() == from_jsonl["text"].tolist()


def test_topic_k_candidates_fit_on_the_engine_reproducibly(corpus, client):
    from cadrecast.topics import select_k

    tokens = cc.tokenize(corpus)
    zh = corpus.paragraphs.loc[corpus.paragraphs["language"] == "zh", ["doc_id", "para_id"]]
    tokens = tokens.merge(zh, on=["doc_id", "para_id"])
    kwargs = {"n_seeds": 2, "passes": 2, "iterations": 20, "random_state": 3}
    here = select_k(tokens, [2, 3], **kwargs)
    # a streamed token table (parts of whole documents): the workers of an existing
    # cluster, maybe on other machines, get the bag-of-words as compact integer arrays
    ids = list(dict.fromkeys(tokens["doc_id"]))
    parts = [tokens[tokens["doc_id"].isin(ids[i::3])] for i in range(3)]
    with en.make_engine("dask", client=client) as engine:
        on_dask = select_k(tokens, [2, 3], engine=engine, **kwargs)
        streamed = select_k(parts, [2, 3], engine=engine, **kwargs)
    pd.testing.assert_frame_equal(here, on_dask)
    pd.testing.assert_frame_equal(here, streamed, check_exact=True)
