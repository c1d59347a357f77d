"""cadrecast: text mining for the Chinese news debate on officials selling goods online.

The public API is re-exported here and imported lazily, so ``import cadrecast`` stays
fast; heavy libraries (gensim, matplotlib, jieba) load only when a function needs them.

Examples
--------
>>> import cadrecast as cc
>>> corpus = cc.load_corpus()                  # the bundled articles
>>> articles = corpus.documents[corpus.documents.kind == "article"]
>>> articles[["doc_id", "script"]].head(2).values.tolist()
[['000_1c59dac2740d956f', 'hant'], ['001_c3c5390778cc9c07', 'hans']]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

# public name -> module that defines it (one line per name; keep sorted by module)
_EXPORTS: dict[str, str] = {
    # corpus
    "Corpus": "cadrecast.corpus",
    "load_corpus": "cadrecast.corpus",
    "decode_bytes": "cadrecast.encoding",
    # cleaning
    "clean_text": "cadrecast.clean",
    # script conversion
    "detect_script": "cadrecast.script",
    "to_simplified": "cadrecast.script",
    "to_traditional": "cadrecast.script",
    "convert": "cadrecast.script",
    "SpanMap": "cadrecast.script",
    # translations
    "find_translations": "cadrecast.translations",
    # the main job
    "run": "cadrecast.pipeline",
    # errors
    "CadrecastError": "cadrecast.errors",
    # >>> later stages add their exports below this line <<<
    "make_engine": "cadrecast.engine",
    "PartitionedTable": "cadrecast.engine",
    "synthetic_corpus": "cadrecast.synthetic",
    "write_synthetic": "cadrecast.synthetic",
    "extract_entities": "cadrecast.entities",
    "officials": "cadrecast.entities",
    "places": "cadrecast.entities",
    "figures": "cadrecast.entities",
    "events": "cadrecast.entities",
    "find_places": "cadrecast.gazetteer",
    "load_gazetteer": "cadrecast.gazetteer",
    "parse_number": "cadrecast.numerals",
    "find_quantities": "cadrecast.numerals",
    "find_dates": "cadrecast.numerals",
    "align_translation": "cadrecast.report",
    "frame_arguments": "cadrecast.report",
    "side_by_side": "cadrecast.report",
    "write_report": "cadrecast.report",
    "use_cjk_font": "cadrecast.plotting",
    "Tokenizer": "cadrecast.segment",
    "tokenize": "cadrecast.segment",
    "term_frequencies": "cadrecast.segment",
    "load_stopwords": "cadrecast.segment",
    "sentiment": "cadrecast.sentiment_analysis",
    "load_lexicon": "cadrecast.sentiment_analysis",
    "score_text": "cadrecast.sentiment_analysis",
    "sentiment_summary": "cadrecast.sentiment_analysis",
    "stance": "cadrecast.stance_detection",
    "load_frames": "cadrecast.stance_detection",
    "stance_summary": "cadrecast.stance_detection",
    "evaluate_stance": "cadrecast.stance_detection",
    "distinctive_words": "cadrecast.stance_detection",
    "TopicModel": "cadrecast.topics",
    "select_k": "cadrecast.topics",
    "choose_k": "cadrecast.topics",
    "compare_topics": "cadrecast.topics",
}

__all__ = ["__version__", "show_versions", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cadrecast' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def show_versions() -> dict[str, str]:
    """Return (and print) the versions of Python, cadrecast and its main dependencies.

    Examples
    --------
    >>> versions = show_versions()  # doctest: +SKIP
    """
    from ._meta import versions

    info = versions()
    for key, value in info.items():
        print(f"{key:>12}: {value}")
    return info


if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus, load_corpus  # noqa: F401
