"""The main job: run every pipeline stage over a corpus and write tidy tables.

Each stage is a function ``stage(corpus, ctx) -> dict[str, DataFrame]`` registered in
:data:`STAGES`. The tables it returns are written to the output folder under their names
(``documents`` -> ``documents.csv``) and are available to later stages through
``ctx.results``. Later capabilities add their stage to :data:`STAGES`; the command line,
the output writer and the ``README.txt`` manifest need no change.

Examples
--------
>>> import tempfile, cadrecast as cc
>>> with tempfile.TemporaryDirectory() as out:
...     tables = cc.run(out=out, progress=False, stages=["corpus"])
>>> sorted(tables)[:3]
['documents', 'paragraphs', 'removed']
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._version import __version__
from .errors import check_choice

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus

log = logging.getLogger("cadrecast")

#: Default seed for every random step of the main job.
DEFAULT_SEED = 20201220

#: Tables whose rows are many (tokens ...) are written as Parquet above this many rows
#: even when CSV is asked for; the manifest says so.
LARGE_TABLE_ROWS = 200_000


@dataclass
class RunContext:
    """What a stage may read: options, the output folder and earlier stages' tables."""

    out_dir: Path | None
    seed: int = DEFAULT_SEED
    progress: bool = True
    format: str = "csv"
    results: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # extra files a stage wrote
    #: the engine running this job (:class:`cadrecast.engine.Engine`; ``None``: this process
    #: only). A corpus-wide stage may spread independent tasks over it (``engine.map``).
    engine: Any = None
    #: processes a stage may start itself: ``None`` lets the stage decide; ``1`` (inside an
    #: engine's workers, which already run in parallel) means none.
    workers: int | None = None
    #: True while a per-document stage runs on one batch of an engine run: the stage may
    #: then leave out its corpus-wide tables, which its ``finish`` computes after all batches.
    in_batch: bool = False

    def note(self, text: str) -> None:
        """Add a line to the output folder's ``README.txt``."""
        self.notes.append(text)


@dataclass(frozen=True)
class Stage:
    """One step of the main job."""

    name: str
    target: str  # "module:function", imported only when the stage runs
    description: str
    #: True when a document's rows depend on that document alone (and on earlier
    #: per-document stages): the engines then run the stage batch by batch, in parallel.
    #: False (the safe default) runs it once, after all batches, on the combined tables.
    per_document: bool = False
    #: tables of a per-document stage that summarise the whole corpus (not one row per
    #: document), each with the "module:function" merging its per-batch parts:
    #: ``merge(parts: list[DataFrame]) -> DataFrame``, associative and order-free.
    merge: dict[str, str] = field(default_factory=dict, hash=False)
    #: "module:function" ``finish(corpus, ctx) -> dict[str, DataFrame]`` computing a
    #: per-document stage's corpus-wide tables once, after all batches, from the combined
    #: tables in ``ctx.results``; they replace the batch tables of the same names.
    finish: str = ""

    def load(self) -> Callable[[Corpus, RunContext], dict[str, pd.DataFrame]]:
        module, _, func = self.target.partition(":")
        return getattr(importlib.import_module(module), func)


#: The stages of ``cadrecast run``, in order.
STAGES: list[Stage] = [
    Stage("corpus", "cadrecast.corpus:corpus_stage",
          "documents, paragraphs, sentences, removed boilerplate, rejected inputs",
          per_document=True),
    Stage("translations", "cadrecast.translations:translations_stage",
          "pairs of a translation and its original"),
    Stage("tokens", "cadrecast.segment:tokens_stage",
          "word segmentation (domain dictionary, stop words) and term frequencies",
          per_document=True,
          merge={"term_frequencies": "cadrecast.engine:merge_term_frequencies"}),
    Stage("sentiment", "cadrecast.sentiment_analysis:sentiment_stage",
          "lexicon sentiment (negation, degree, contrast) by sentence, paragraph, document",
          per_document=True, finish="cadrecast.engine:finish_sentiment"),
    Stage("stance", "cadrecast.stance_detection:stance_stage",
          "support / critical / neutral stance per paragraph, summaries, distinctive words",
          per_document=True, finish="cadrecast.stance_detection:finish_stance"),
    Stage("topics", "cadrecast.topics:topics_stage",
          "LDA topics: k chosen by coherence and stability, prevalence by covariate"),
    # >>> later stages register here, in pipeline order <<<
    Stage("entities", "cadrecast.entities:entities_stage",
          "officials, people, places (division codes), platforms, products, figures, events",
          per_document=True),
    Stage("report", "cadrecast.report:report_stage",  # keep last: it reads every table above
          "report.html: the run's tables and figures in one self-contained web page"),
]

#: What each output table holds, for the output folder's README.txt.
TABLE_DOCS: dict[str, str] = {
    "entities": "one row per entity or figure mention in Chinese paragraphs: doc_id, para_id, "
                "start/end (offsets into the paragraph's text), text, text_hans, label "
                "(official, person, place, platform, product, figure, date), normalized, role, "
                "value, unit, qualifier, metric, subject, adcode, level, ambiguous",
    "officials": "one row per mention of an official: doc_id, para_id, sent_id, start/end, "
                 "text, text_hans, name, name_hans, title, title_hans, jurisdiction, "
                 "jurisdiction_adcode, province, jurisdiction_source, mention (title/name), "
                 "platform, livestream",
    "places": "one row per place mention: doc_id, para_id, start/end, text, text_hans, name, "
              "name_hans, level, province, prefecture, county, adcode (NBS 2023), ambiguous, "
              "candidates, lon, lat",
    "figures": "one row per quantity: doc_id, para_id, sent_id, start/end, text, text_hans, "
               "value (base units), value_high (ranges), unit, qualifier, metric (sales, "
               "orders, viewers, followers, likes, users, population, area, count, percent, "
               "price, other), subject, subject_label",
    "events": "one row per livestream held by officials: doc_id, event_id, para_ids, "
              "officials, titles, place, adcode, province, platform, date, products, sales, "
              "sales_text, viewers, viewers_text, followers",
    "documents": "one row per document (articles and split-out related-article teasers): "
                 "doc_id, file, kind, parent_id, translation_of, title, date, source, "
                 "language, script, encoding, sha256, n_chars, raw_start/raw_end (the "
                 "cleaned text's extent in the file's text), text (cleaned)",
    "paragraphs": "one row per paragraph: doc_id, para_id, role, start/end (offsets into the "
                  "document's cleaned text), raw_start/raw_end (offsets into the file's text), "
                  "text, text_hans (Simplified), hans_map (Simplified->original offsets), "
                  "script, language",
    "sentences": "one row per sentence: doc_id, para_id, sent_id, start/end, text, text_hans",
    "removed": "every span cleaning removed from a file's text (offsets into the raw text) "
               "and why",
    "rejected": "inputs that could not be used, and why: doc_id, file, reason (undecodable, "
                "empty, duplicate, checksum, invalid), detail",
    "translations": "doc_id, translation_of, score, shared_anchors, method: a translated "
                    "document and its original",
    "tokens": "one row per token: doc_id, para_id, sent_id, token_id (0-based in the "
              "paragraph), token (original script), token_hans (Simplified), start/end "
              "(offsets into the paragraph's text), is_stop (stop word or punctuation), "
              "is_punct",
    "term_frequencies": "one row per language and term (Simplified, lower-cased; stop "
                        "words and punctuation left out): language, term, n, share, n_docs, "
                        "rank",
    "sentiment": "one row per Chinese paragraph: doc_id, para_id, score ((P-N)/(P+N+1) "
                 "in (-1, 1)), label (positive/neutral/negative), evidence (terms that drove "
                 "the score, with negators/degree/contrast applied), positive (P), negative "
                 "(N), n_terms, n_tokens",
    "sentiment_sentences": "the same columns per sentence (plus sent_id)",
    "sentiment_documents": "the same columns per document (pooled over its paragraphs)",
    "sentiment_terms": "every sentiment word found: doc_id, para_id, sent_id, term, weight "
                       "(lexicon), modifiers, value (after negation, degree, contrast)",
    "sentiment_by_source": "paragraph sentiment summarised by source: n, n_positive, "
                           "n_neutral, n_negative, mean_score, share_positive, "
                           "share_negative, score (pooled)",
    "stance": "one row per Chinese paragraph: doc_id, para_id, stance (support/critical/"
              "neutral towards officials selling online), score ((S-C)/(S+C+2), > 0 leans "
              "support), evidence (frame cues that fired), support (S), critical (C), "
              "frames, n_cues, on_target (the paragraph or its context names officials; "
              "off-target paragraphs are neutral), model_stance and model_score "
              "(supervised StanceModel's side; neutral where the lexicon finds none)",
    "stance_by_document": "stance counts by document: n, n_support, n_critical, n_neutral, "
                          "mean_score, share_support, share_critical, balance",
    "stance_by_source": "the same by source",
    "distinctive_words": "words distinguishing critical from support paragraphs (log-odds "
                         "ratio, informative Dirichlet prior): term, group, count_critical, "
                         "count_support, log_odds, z, rank",
    "topic_k_selection": "one row per number of topics k tried: c_v and npmi (mean "
                         "coherence over seeds) with their sd, perplexity, stability (mean "
                         "best-match cosine of topics between seeds), stability_top (top-word "
                         "Jaccard), score (mean of scaled c_v, npmi, stability), chosen",
    "topics": "top words of each topic: topic (0-based), label, rank, word (Simplified), "
              "word_original (spelling(s) in the corpus), weight (P(word | topic))",
    "document_topics": "topic proportions per Chinese paragraph: doc_id, para_id, topic, "
                       "proportion (sums to 1 over a paragraph's topics)",
    "topic_paragraphs": "the paragraphs most about each topic: topic, label, rank, doc_id, "
                        "para_id, proportion, text",
    "topic_prevalence": "topic prevalence by covariate (doc_id, source, script, stance): by, "
                        "level, topic, label, n, n_clusters, prevalence, ci_low/ci_high (95% "
                        "bootstrap), rest, difference (level - rest), diff_low/diff_high, "
                        "credible",
}


def stage_names() -> list[str]:
    """Names of the registered stages, in order."""
    return [s.name for s in STAGES]


def run(
    corpus: Corpus | str | Path | None = None,
    out: str | Path | None = None,
    *,
    format: str = "csv",
    seed: int = DEFAULT_SEED,
    progress: bool = True,
    stages: Sequence[str] | None = None,
    text_column: str = "text",
    engine: str | None = None,
    scheduler: str | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the pipeline and (when ``out`` is given) write its tables to ``out``.

    Parameters
    ----------
    corpus : Corpus, path or None
        A loaded corpus, a path for :func:`cadrecast.load_corpus`, or ``None`` for the
        bundled articles.
    out : path, optional
        Output folder (created if missing). ``None`` returns the tables without writing.
    format : {"csv", "parquet"}
        CSV files are UTF-8 with a byte-order mark, so Excel shows Chinese correctly.
    seed : int
        Seed for every random step (topic models ...). Same seed, same numbers.
    progress : bool
        Show progress bars on standard error.
    stages : list of str, optional
        Run only these stages (and whatever they need); default all.
    text_column : str
        Text column when ``corpus`` is a CSV / JSON Lines / Parquet file.
    engine : {"local", "processes", "dask"}, optional
        Stream the corpus in batches through :mod:`cadrecast.engine`: ``local`` (this
        process), ``processes`` (a worker pool) or ``dask`` (a ``LocalCluster``, or the
        cluster at ``scheduler``). Per-document tables then become folders of Parquet
        parts when the corpus spans several batches, and ``rejected`` lists every input
        not processed. ``None`` (default) loads the whole corpus in memory.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``); implies ``dask``.
    batch_size : int, optional
        Documents per batch (default :data:`cadrecast.engine.DEFAULT_BATCH_SIZE`).
    workers : int, optional
        Worker processes of ``processes`` / a new Dask cluster (default: one per CPU).

    Returns
    -------
    dict of str to DataFrame
        Every table written, by name.
    """
    from .corpus import Corpus, load_corpus

    if engine is not None or scheduler or batch_size is not None or workers is not None:
        from .engine import DEFAULT_BATCH_SIZE, run_engine

        return run_engine(corpus, out, engine=engine or "local", scheduler=scheduler,
                          workers=workers,
                          batch_size=DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
                          stages=stages, seed=seed, format=format, progress=progress,
                          text_column=text_column)
    check_choice("format", format, ["csv", "parquet"])
    wanted = list(stages) if stages is not None else stage_names()
    for name in wanted:
        check_choice("stage", name, stage_names())
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus, text_column=text_column, progress=progress)
    out_dir = Path(out) if out is not None else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(out_dir=out_dir, seed=seed, progress=progress, format=format)
    timings: dict[str, float] = {}
    for stage in STAGES:
        if stage.name not in wanted:
            continue
        t0 = time.perf_counter()
        if progress:
            log.info("cadrecast: %s ...", stage.name)
        tables = stage.load()(corpus, ctx)
        ctx.results.update(tables)
        timings[stage.name] = time.perf_counter() - t0
        if progress:
            log.info("cadrecast: %s done in %.1f s", stage.name, timings[stage.name])
    if out_dir is not None:
        written = {name: write_table(df, out_dir, name, format) for name, df in ctx.results.items()}
        _write_manifest(out_dir, corpus, ctx, written)
    return ctx.results


def write_table(df: pd.DataFrame, out_dir: Path, name: str, format: str = "csv") -> str:
    """Write one table; return the file name used.

    CSV is written as UTF-8 with BOM. A table with more than :data:`LARGE_TABLE_ROWS`
    rows is written as Parquet whatever the format.
    """
    if format == "parquet" or len(df) > LARGE_TABLE_ROWS:
        fname = f"{name}.parquet"
        df.to_parquet(out_dir / fname, index=False)
    else:
        fname = f"{name}.csv"
        df.to_csv(out_dir / fname, index=False, encoding="utf-8-sig")
    return fname


def _write_manifest(out_dir: Path, corpus: Any, ctx: RunContext,
                    written: dict[str, str]) -> None:
    from ._meta import versions

    lines = [
        "cadrecast output",
        "================",
        f"Made by cadrecast {__version__} with seed {ctx.seed} (the same corpus, seed and "
        "versions give byte-identical tables).",
        f"Corpus: {corpus.source_description}",
        f"Corpus checksum (sha256 of the documents' sha256s, in doc_id order): "
        f"{corpus.checksum()}",
        "",
        "Files",
        "-----",
    ]
    for name, fname in written.items():
        doc = TABLE_DOCS.get(name, "")
        lines.append(f"{fname} ({len(ctx.results[name])} rows): {doc}")
    for fname, doc in ctx.files.items():
        lines.append(f"{fname}: {doc}")
    lines += ["", "CSV files are UTF-8 with a byte-order mark (Excel opens Chinese correctly).",
              "", "Per-document checksums (sha256 of the file bytes)", "-" * 49]
    docs = corpus.documents
    for row in docs[docs["kind"] == "article"].itertuples():
        lines.append(f"{row.sha256}  {row.file}")
    if ctx.notes:
        lines += ["", "Notes", "-----", *ctx.notes]
    lines += ["", "Versions", "--------"]
    lines += [f"{k}: {v}" for k, v in versions().items()]
    (out_dir / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
