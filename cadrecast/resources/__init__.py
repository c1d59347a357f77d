"""Data files that ship inside the package (dictionaries, stop words, lexicons, gazetteers).

Every file is listed with its source and licence in ``SOURCES.md`` beside this module.
Files are read lazily through :mod:`importlib.resources`, so they work from a source
checkout and from an installed wheel alike.

Examples
--------
>>> text = read_text("SOURCES.md")
>>> text.startswith("#")
True
"""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

__all__ = ["as_file", "read_text", "resource"]


def resource(relpath: str) -> Traversable:
    """Return the bundled resource at ``relpath`` (e.g. ``"stopwords/zh.txt"``)."""
    node = files(__name__)
    for part in relpath.split("/"):
        node = node / part
    if not node.is_file():
        from ..errors import CorpusNotFoundError

        raise CorpusNotFoundError(
            f"cadrecast's bundled resource {relpath!r} is missing from {files(__name__)}; "
            "reinstall cadrecast (pip install --force-reinstall cadrecast)."
        )
    return node


def read_text(relpath: str) -> str:
    """Read a bundled UTF-8 text resource."""
    return resource(relpath).read_text(encoding="utf-8")
