"""Loading: the bundled corpus, metadata, checksums, user folders and tables, bad input."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

import cadrecast as cc
from cadrecast.corpus import DOCUMENT_COLUMNS, PARAGRAPH_COLUMNS, SENTENCE_COLUMNS, bundled_corpus_path
from cadrecast.errors import (
    CadrecastError,
    ChecksumError,
    ColumnError,
    CorpusError,
    CorpusNotFoundError,
    DecodeError,
    EmptyDocumentError,
)
from cadrecast.script import SpanMap

EXPECTED = {
    "000_1c59dac2740d956f": ("hant", "zh", "2020-12-20", ""),
    "001_c3c5390778cc9c07": ("hans", "zh", "2021-10-11", ""),
    "002_7f015624ccaf9a2e": ("hant", "zh", "2021-01-08", ""),
    "003_b9d991b649e0baf2": ("en", "en", "", "000_1c59dac2740d956f"),
    "004_5dfa56896c172637": ("hans", "zh", "", ""),
}


def test_bundled_articles_load_with_script_and_metadata(corpus):
    docs = corpus.documents
    assert list(docs.columns) == DOCUMENT_COLUMNS
    arts = docs[docs.kind == "article"].set_index("doc_id")
    assert sorted(arts.index) == sorted(EXPECTED)
    for doc_id, (script, language, date, translation_of) in EXPECTED.items():
        row = arts.loc[doc_id]
        assert (row.script, row.language, row.date, row.translation_of) == (
            script, language, date, translation_of), doc_id
        assert row.encoding == "utf-8"
    assert "中國周刊" in arts.loc["002_7f015624ccaf9a2e", "source"]
    assert "中央紀委國家監委" in arts.loc["000_1c59dac2740d956f", "source"]


def test_bundled_files_are_byte_identical_to_seeds(seeds_dir):
    folder = bundled_corpus_path()
    for seed in sorted(seeds_dir.glob("*.txt")):
        assert (folder / seed.name).read_bytes() == seed.read_bytes()


def test_checksums_recorded_and_verified(corpus):
    folder = bundled_corpus_path()
    arts = corpus.documents[corpus.documents.kind == "article"]
    for row in arts.itertuples():
        assert row.sha256 == hashlib.sha256((folder / row.file).read_bytes()).hexdigest()


def test_checksum_mismatch_is_an_error(tmp_path):
    folder = bundled_corpus_path()
    for f in folder.glob("*.txt"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "metadata.csv").write_bytes((folder / "metadata.csv").read_bytes())
    target = tmp_path / "002_7f015624ccaf9a2e.txt"
    target.write_bytes(target.read_bytes() + "多一句。".encode())
    with pytest.raises(ChecksumError, match=r"002_7f015624ccaf9a2e\.txt: its sha256"):
        cc.load_corpus(tmp_path)
    collected = cc.load_corpus(tmp_path, errors="collect")
    assert collected.rejected.reason.tolist() == ["checksum"]
    assert "002_7f015624ccaf9a2e" not in set(collected.documents.doc_id)


def test_raw_text_is_untouched(corpus, seeds_dir):
    arts = corpus.documents[corpus.documents.kind == "article"]
    for row in arts.itertuples():
        assert row.raw == (seeds_dir / row.file).read_text(encoding="utf-8")


def test_paragraph_offsets(corpus):
    docs = corpus.documents.set_index("doc_id")
    paras = corpus.paragraphs
    assert list(paras.columns) == PARAGRAPH_COLUMNS
    for row in paras.itertuples():
        doc = docs.loc[row.doc_id]
        assert doc.text[row.start:row.end] == row.text
        assert doc.raw[row.raw_start:row.raw_end] == row.text
        smap = SpanMap.decode(row.hans_map, len(row.text_hans))
        assert smap.original_index(len(row.text_hans)) == len(row.text)
    assert paras.groupby("doc_id").para_id.apply(lambda s: list(s) == list(range(len(s)))).all()


def test_paragraph_scripts_and_simplified(corpus):
    paras = corpus.paragraphs.set_index(["doc_id", "para_id"])
    p = paras.loc[("002_7f015624ccaf9a2e", 0)]
    assert p.text == "直播帶貨背後的政府服務創新" and p.text_hans == "直播带货背后的政府服务创新"
    assert p.role == "title" and p.script == "hant"
    en = paras.loc["003_b9d991b649e0baf2"]
    assert (en.language == "en").all() and (en.text == en.text_hans).all()


def test_sentences_have_offsets_into_document_text(corpus):
    sents = corpus.sentences
    assert list(sents.columns) == SENTENCE_COLUMNS
    docs = corpus.documents.set_index("doc_id")
    for row in sents.sample(200, random_state=0).itertuples():
        assert docs.loc[row.doc_id, "text"][row.start:row.end] == row.text
    first = sents[(sents.doc_id == "001_c3c5390778cc9c07") & (sents.para_id == 2)]
    assert len(first) == 4 and first.text.iloc[0].endswith("助力。")


def test_related_teasers_are_their_own_records(corpus):
    docs = corpus.documents
    rel = docs[docs.kind == "related"]
    assert set(rel.parent_id) == {"000_1c59dac2740d956f", "002_7f015624ccaf9a2e"}
    assert len(rel[rel.parent_id == "000_1c59dac2740d956f"]) == 20
    first = rel[rel.doc_id == "000_1c59dac2740d956f#r01"].iloc[0]
    assert first.title == "領導幹部直播帶貨要為「造血式興農」賦能"
    assert "十幾年的發展" in first.text
    # the teaser text is gone from the parent article
    parent = docs[docs.doc_id == "000_1c59dac2740d956f"].iloc[0]
    assert "造血式興農" not in parent.text and "相關焦點" not in parent.text
    # and its span in the parent's raw text is recorded
    assert parent.raw[first.raw_start:first.raw_end] == first.raw


BOILERPLATE = [
    "相關焦點", "相关推荐", "返回顶部", "我要回帖", "随机推荐", "400-800-1605", "13911161943",
    "微信扫一扫", "qrcode_web", "本文由 TCHD", "如需转载", "上一篇", "下一篇", "来源:", "來源:",
    "原標題:", "郵發代號", "全國發行", "更多关于", "文章编辑", "技术售后", "关注天创恒达微信公众号",
    "Source: Zhang Zutao",
]


def test_no_boilerplate_survives_cleaning(corpus):
    arts = corpus.documents[corpus.documents.kind == "article"]
    for row in arts.itertuples():
        for needle in BOILERPLATE:
            assert needle not in row.text, (row.doc_id, needle)


def test_every_removed_span_is_recoverable(corpus):
    raw = corpus.documents.set_index("doc_id")["raw"]
    removed = corpus.removed
    assert set(removed.reason) <= {"metadata", "dateline", "reprint", "navigation", "contact",
                                   "qrcode", "masthead", "footer", "related"}
    for row in removed.itertuples():
        assert raw[row.doc_id][row.start:row.end] == row.text
    # nothing is lost: every non-blank raw line is kept, removed, or part of a teaser
    for doc_id in corpus.documents[corpus.documents.kind == "article"].doc_id:
        text = raw[doc_id]
        covered = [False] * len(text)
        for s, e in zip(corpus.paragraphs.query("doc_id == @doc_id").raw_start,
                        corpus.paragraphs.query("doc_id == @doc_id").raw_end, strict=True):
            covered[s:e] = [True] * (e - s)
        for row in removed[removed.doc_id == doc_id].itertuples():
            covered[row.start:row.end] = [True] * (row.end - row.start)
        lost = "".join(ch for ch, c in zip(text, covered, strict=True) if not c and not ch.isspace())
        assert lost.strip("•") == "", (doc_id, lost[:80])


def test_metadata_found_without_metadata_table(tmp_path):
    (tmp_path / "a.txt").write_text(
        "縣長直播賣米\n\n2021-03-05 某某日報\n\n來源:新華社\n\n正文第一段,縣長介紹大米。\n\n返回頂部\n",
        encoding="utf-8")
    c = cc.load_corpus(tmp_path)
    row = c.documents.iloc[0]
    assert (row.doc_id, row.title, row.date, row.script) == ("a", "縣長直播賣米", "2021-03-05", "hant")
    assert row.source == "某某日報 / 新華社"
    assert row.text == "縣長直播賣米\n\n正文第一段,縣長介紹大米。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk", "big5"])
def test_folder_files_in_each_encoding_decode_to_the_same_text(tmp_path, encoding):
    text = "縣長直播帶貨\n\n他在直播間推銷當地大米,兩個小時賣出一萬多單。\n"
    if encoding in ("gb18030", "gbk"):
        text = cc.to_simplified(text)
    (tmp_path / "doc.txt").write_bytes(text.encode(encoding))
    c = cc.load_corpus(tmp_path)
    row = c.documents.iloc[0]
    assert row.raw == text
    expected = {"gbk": "gb18030", "utf-16": "utf-16"}.get(encoding, encoding)
    assert row.encoding == expected


def test_undecodable_file_names_file_and_offset(tmp_path):
    (tmp_path / "ok.txt").write_text("县长直播带货。", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes("县长".encode() + b"\xff\xfe\xfa\x00\x81" * 3 + b"\x80")
    with pytest.raises(DecodeError, match=r"bad\.txt.*byte offset 6") as info:
        cc.load_corpus(tmp_path)
    assert info.value.offset == 6
    c = cc.load_corpus(tmp_path, errors="collect")
    assert c.rejected[["doc_id", "reason"]].values.tolist() == [["bad", "undecodable"]]
    assert c.documents.doc_id.tolist() == ["ok"]


def test_empty_documents_are_reported(tmp_path):
    (tmp_path / "ok.txt").write_text("县长直播带货。", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blank.txt").write_text(" \n\u3000\n", encoding="utf-8")
    with pytest.raises(EmptyDocumentError, match=r"2 document\(s\) are empty") as info:
        cc.load_corpus(tmp_path)
    assert sorted(info.value.documents) == ["blank.txt", "empty.txt"]
    c = cc.load_corpus(tmp_path, errors="collect")
    assert sorted(c.rejected.doc_id) == ["blank", "empty"] and c.documents.doc_id.tolist() == ["ok"]


def _table(tmp_path, kind):
    df = pd.DataFrame({"id": ["a1", "b2"], "headline": ["甲", "乙"],
                       "body": ["縣長直播帶貨。", "县长直播带货。"], "outlet": ["X報", "Y报"]})
    path = tmp_path / f"t.{kind}"
    if kind == "csv":
        df.to_csv(path, index=False)
    elif kind == "jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in df.to_dict("records")),
                        encoding="utf-8")
    else:
        df.to_parquet(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
def test_table_inputs(tmp_path, kind):
    path = _table(tmp_path, kind)
    c = cc.load_corpus(path, text_column="body")
    docs = c.documents
    assert docs.doc_id.tolist() == ["a1", "b2"]
    assert docs.script.tolist() == ["hant", "hans"]
    assert docs.outlet.tolist() == ["X報", "Y报"]  # other columns are kept as metadata
    assert c.paragraphs.text_hans.tolist() == ["县长直播带货。", "县长直播带货。"]


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
def test_wrong_text_column_is_a_clear_error(tmp_path, kind):
    path = _table(tmp_path, kind)
    with pytest.raises(ColumnError, match=r"has no text column 'text'; its columns are .*'body'"):
        cc.load_corpus(path)


def test_bad_paths(tmp_path):
    with pytest.raises(CorpusNotFoundError, match="does not exist"):
        cc.load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusNotFoundError, match=r"no \.txt files"):
        cc.load_corpus(tmp_path)
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(CorpusError, match="docx is none of these"):
        cc.load_corpus(tmp_path / "x.docx")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "甲"}\n{oops\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="line 2: not valid JSON"):
        cc.load_corpus(bad)
    assert issubclass(ColumnError, CadrecastError) and issubclass(ColumnError, ValueError)


def test_subset_and_checksum(corpus):
    small = corpus.subset(["003_b9d991b649e0baf2"])
    assert small.paragraphs.doc_id.unique().tolist() == ["003_b9d991b649e0baf2"]
    assert corpus.checksum() == cc.load_corpus().checksum()
