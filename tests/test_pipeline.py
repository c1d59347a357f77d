"""The main command: tables, formats, manifest, errors, import time."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import cadrecast as cc
from cadrecast.cli import main
from cadrecast.errors import ConfigError


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert main(["run", "--out", str(out), "--quiet", "--stages", "corpus,translations"]) == 0
    return out


def test_run_writes_tables_and_readme(output):
    docs = pd.read_csv(output / "documents.csv", dtype=str, keep_default_na=False)
    for col in ["doc_id", "file", "kind", "parent_id", "translation_of", "title", "date", "source",
                "language", "script", "encoding"]:
        assert col in docs.columns
    assert "raw" not in docs.columns
    paras = pd.read_csv(output / "paragraphs.csv")
    assert {"doc_id", "para_id", "text", "text_hans", "script"} <= set(paras.columns)
    trans = pd.read_csv(output / "translations.csv")
    assert trans[["doc_id", "translation_of"]].values.tolist() == [
        ["003_b9d991b649e0baf2", "000_1c59dac2740d956f"]]
    assert (output / "documents.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    readme = (output / "README.txt").read_text(encoding="utf-8")
    assert "documents.csv" in readme and cc.__version__ in readme and "seed" in readme
    assert cc.load_corpus().checksum() in readme


def test_run_is_byte_identical_twice(output, tmp_path):
    assert main(["run", "--out", str(tmp_path), "--quiet", "--stages", "corpus,translations"]) == 0
    for f in output.iterdir():
        assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name


def test_parquet_format_and_user_folder(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("县长直播带货。\n\n卖出大米一万斤。", encoding="utf-8")
    out = tmp_path / "out"
    tables = cc.run(src, out, format="parquet", progress=False, stages=["corpus"])
    assert (out / "paragraphs.parquet").is_file()
    assert pd.read_parquet(out / "paragraphs.parquet").text.tolist() == tables["paragraphs"].text.tolist()


def test_cli_reports_errors_clearly(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing"), "--out", str(tmp_path / "o"), "--quiet"]) == 1
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="Did you mean 'csv'"):
        cc.run(format="cvs", progress=False)


def test_version_and_help():
    out = subprocess.run([sys.executable, "-m", "cadrecast", "--version"], capture_output=True, text=True)
    assert out.stdout.strip() == f"cadrecast {cc.__version__}"
    out = subprocess.run([sys.executable, "-m", "cadrecast", "run", "--help"], capture_output=True, text=True)
    assert "--out" in out.stdout and "--quiet" in out.stdout


def test_import_loads_no_heavy_library():
    # import time itself is measured by benchmarks/bench_import.py, not here
    code = ("import sys, cadrecast; "
            "print([m for m in ('gensim', 'matplotlib', 'jieba', 'pandas', 'opencc', 'sklearn') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
