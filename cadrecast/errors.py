"""Exceptions raised by cadrecast.

Every error the library raises on purpose derives from :class:`CadrecastError`, so a
notebook can catch them all with one ``except``. Each also derives from the built-in
exception a Python programmer would expect (``ValueError``, ``FileNotFoundError`` ...).

::

    CadrecastError
    ├── CorpusError (ValueError)
    │   ├── DecodeError            a file whose bytes no supported encoding can read
    │   ├── EmptyDocumentError     a document with no text
    │   ├── ColumnError            a table without the expected column(s)
    │   └── ChecksumError          a bundled file that differs from its recorded sha256
    ├── CorpusNotFoundError (FileNotFoundError)
    ├── ConfigError (ValueError)   an unknown option value (lists the valid ones)
    ├── DependencyError (ImportError)  a broken or conflicting installation
    └── NotFittedError (ValueError, AttributeError)  a model used before ``fit``
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CadrecastError(Exception):
    """Base class of every error raised by cadrecast on purpose."""


class CorpusError(CadrecastError, ValueError):
    """A problem with the input corpus (a file, a row or a column)."""


class DecodeError(CorpusError):
    """A file whose bytes cannot be decoded with any supported encoding."""

    def __init__(self, message: str, *, path: str | None = None, offset: int | None = None):
        super().__init__(message)
        self.path = path
        self.offset = offset


class EmptyDocumentError(CorpusError):
    """One or more documents have no text (empty or whitespace only)."""

    def __init__(self, message: str, *, documents: list[str] | None = None):
        super().__init__(message)
        self.documents = documents or []


class ColumnError(CorpusError):
    """A table lacks a required column, or a column has the wrong content."""


class ChecksumError(CorpusError):
    """A corpus file whose content differs from the checksum in its metadata."""


class CorpusNotFoundError(CadrecastError, FileNotFoundError):
    """The corpus path does not exist or holds nothing cadrecast can read."""


class ConfigError(CadrecastError, ValueError):
    """An option was given a value that is not one of the valid choices."""


class DependencyError(CadrecastError, ImportError):
    """A required package is missing, broken, or overwritten by a conflicting one."""


class NotFittedError(CadrecastError, ValueError, AttributeError):
    """A model was used before :meth:`fit` was called."""


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise :class:`ConfigError`.

    The message lists the valid choices and suggests the closest one.

    Examples
    --------
    >>> check_choice("format", "csv", ["csv", "parquet"])
    'csv'
    """
    options = list(choices)
    if isinstance(value, str) and value in options:
        return value
    hint = difflib.get_close_matches(str(value), options, n=1)
    did_you_mean = f" Did you mean {hint[0]!r}?" if hint else ""
    raise ConfigError(
        f"{name}={value!r} is not a valid choice; use one of: {', '.join(map(repr, options))}."
        f"{did_you_mean}"
    )
