"""The bundled corpus and resources load from an installed wheel, not only from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(out)],
        check=True, capture_output=True, text=True,
    )
    return next(out.glob("cadrecast-*.whl"))


def test_wheel_contains_corpus_and_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus_files = {n for n in names if n.startswith("cadrecast/_corpus_data/")}
    assert "cadrecast/_corpus_data/metadata.csv" in corpus_files
    assert len([n for n in corpus_files if n.endswith(".txt")]) >= 5
    assert "cadrecast/resources/SOURCES.md" in names
    assert "cadrecast/py.typed" in names
    # every file under cadrecast/resources in the checkout is in the wheel
    for path in (ROOT / "cadrecast" / "resources").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert path.relative_to(ROOT).as_posix() in names, path


def test_installed_wheel_loads_the_bundled_corpus(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, text=True)
    code = (
        "import cadrecast, cadrecast.corpus as m; "
        "c = cadrecast.load_corpus(); "
        "print(cadrecast.__file__); print(m.bundled_corpus_path()); "
        "print(int((c.documents.kind == 'article').sum()))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, check=True)
    module_file, corpus_path, n = out.stdout.split()
    assert module_file.startswith(str(site)) and corpus_path.startswith(str(site))
    assert n == "5"
