"""Shared fixtures: the bundled corpus is loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus():
    """The bundled corpus (do not mutate its tables)."""
    import cadrecast as cc

    return cc.load_corpus()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed articles as collected (../shared/seeds), else the bundled copies."""
    seeds = SHARED / "seeds"
    return seeds if seeds.is_dir() else ROOT / "corpus"
