"""Versions of cadrecast and its dependencies, for output manifests and bug reports."""

from __future__ import annotations

import platform
from importlib import metadata

from ._version import __version__

_PACKAGES = ("pandas", "numpy", "opencc", "jieba", "rjieba", "gensim", "matplotlib",
             "pyarrow", "charset-normalizer")


def versions() -> dict[str, str]:
    """Versions of Python, cadrecast and the packages it uses (``"-"`` if absent).

    Examples
    --------
    >>> "cadrecast" in versions()
    True
    """
    info = {"python": platform.python_version(), "cadrecast": __version__}
    for name in _PACKAGES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "-"
    return info
