"""Shared fixtures: the bundled corpus is loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

try:  # property tests draw the same examples on every run (set HYPOTHESIS_PROFILE=explore to search)
    from hypothesis import settings as _hsettings

    _hsettings.register_profile("ci", derandomize=True, database=None)
    _hsettings.register_profile("explore", database=None)
    _hsettings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - hypothesis is in the dev extra
    pass

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
