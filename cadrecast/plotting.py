"""Plots of cadrecast's tables, with a CJK font so Chinese labels render (no tofu boxes).

:func:`use_cjk_font` registers Noto Sans CJK (from the ``noto-cjk-sans-otc`` package,
OFL-1.1) with matplotlib and returns a family name to use. It changes
``matplotlib.rcParams`` only as far as fonts go (``set_default=True``, the default, puts
the family first in the sans-serif list, makes sans-serif the default family and draws
minus signs as "-", which every CJK font has), so it never surprises the rest of a
notebook.

Every plot function takes a tidy table first and keyword-only options, draws on the
``ax`` it is given (or on a new pyplot figure, which a notebook shows inline), and returns
the :class:`~matplotlib.axes.Axes`; none calls ``plt.show()``:

* the corpus: :func:`plot_scripts`, :func:`plot_cleaning`;
* counts of anything: :func:`plot_counts`;
* places and figures: :func:`plot_place_map`, :func:`plot_provinces`,
  :func:`plot_figures` (log scale);
* themes: :func:`plot_topic_prevalence` (see also :mod:`cadrecast.topics`' own plots);
* the debate: :func:`plot_stance`, :func:`plot_sentiment`, :func:`plot_distinctive_words`.

Examples
--------
>>> family = use_cjk_font()
>>> family
'Noto Sans CJK SC'
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import DependencyError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "FIGURE_METRICS",
    "STANCE_COLORS",
    "cjk_font_file",
    "document_labels",
    "glyph_warnings_as_errors",
    "plot_cleaning",
    "plot_counts",
    "plot_distinctive_words",
    "plot_figures",
    "plot_place_map",
    "plot_provinces",
    "plot_scripts",
    "plot_sentiment",
    "plot_stance",
    "plot_topic_prevalence",
    "short_label",
    "use_cjk_font",
]

#: Families tried in order when the bundled font package is not installed.
_SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Source Han Sans SC",
                    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
                    "PingFang SC", "Heiti SC")


@functools.cache
def _register(script: str) -> str:
    from matplotlib import font_manager

    try:
        import noto_cjk_sans_otc

        font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
        return "Noto Sans CJK TC" if script == "hant" else "Noto Sans CJK SC"
    except ImportError:
        pass
    for family in _SYSTEM_FAMILIES:
        try:
            font_manager.findfont(family, fallback_to_default=False)
            return family
        except ValueError:
            continue
    raise DependencyError(
        "No font with Chinese characters was found for matplotlib. Install one with "
        "`pip install noto-cjk-sans-otc` (cadrecast's default) and restart the kernel."
    )


def use_cjk_font(script: str = "hans", *, set_default: bool = True) -> str:
    """Register a CJK font with matplotlib and return its family name.

    Parameters
    ----------
    script : {"hans", "hant"}
        Which regional glyph forms to prefer (Simplified or Traditional Chinese).
    set_default : bool
        Also put the family first in ``rcParams["font.sans-serif"]`` (and make
        ``font.family`` sans-serif), so every later plot uses it.

    Returns
    -------
    str
        The font family name.

    Examples
    --------
    >>> use_cjk_font("hant", set_default=False)
    'Noto Sans CJK TC'
    """
    import matplotlib

    family = _register(script)
    if set_default:
        current = [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
        matplotlib.rcParams["font.sans-serif"] = [family, *current]
        matplotlib.rcParams["font.family"] = ["sans-serif"]
        matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def cjk_font_file(script: str = "hans") -> Path:
    """A single-face OpenType file of Noto Sans CJK, for tools that take a font path.

    ``noto-cjk-sans-otc`` ships a font *collection*; tools such as ``wordcloud`` or PIL
    open its first face, which has the Japanese glyph forms. This writes the Simplified
    (``"hans"``) or Traditional (``"hant"``) face once into cadrecast's cache folder
    (``$CADRECAST_CACHE_DIR``, else ``~/.cache/cadrecast``; about 16 MB) and returns its
    path; later calls return the cached file.

    Parameters
    ----------
    script : {"hans", "hant"}

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> path = cjk_font_file("hans")            # doctest: +SKIP
    >>> WordCloud(font_path=str(path))          # doctest: +SKIP
    """
    import os

    from .errors import check_choice
    from .segment import cache_dir

    check_choice("script", script, ["hans", "hant"])
    try:
        import noto_cjk_sans_otc
        from fontTools.ttLib import TTCollection
    except ImportError as exc:
        raise DependencyError(
            "cjk_font_file needs the noto-cjk-sans-otc package (and fontTools, which "
            "matplotlib installs): pip install noto-cjk-sans-otc"
        ) from exc
    family = "Noto Sans CJK TC" if script == "hant" else "Noto Sans CJK SC"
    source = Path(noto_cjk_sans_otc.FONT_PATH)
    target = cache_dir() / f"{family.replace(' ', '')}-Regular-{source.stat().st_size}.otf"
    if target.is_file():
        return target
    collection = TTCollection(str(source), lazy=True)
    try:
        face = next((f for f in collection.fonts if f["name"].getDebugName(1) == family), None)
        if face is None:
            raise DependencyError(f"{source} has no face named {family!r}; reinstall "
                                  "noto-cjk-sans-otc.")
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        face.save(str(tmp))
    finally:
        collection.close()
    os.replace(tmp, target)  # atomic: a concurrent reader never sees half a file
    return target


class _GlyphGuard:
    """Turns "Glyph ... missing" warnings into errors inside a ``with`` block."""

    def __enter__(self) -> _GlyphGuard:
        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.filterwarnings("error", message=r"(?s).*Glyph .* missing")
        return self

    def __exit__(self, *exc: object) -> bool | None:
        return self._ctx.__exit__(*exc)


def glyph_warnings_as_errors() -> _GlyphGuard:
    """A context manager that turns matplotlib's "Glyph ... missing" warnings into errors.

    Examples
    --------
    >>> with glyph_warnings_as_errors():
    ...     pass
    """
    return _GlyphGuard()


# --------------------------------------------------------------------------------------
# plots: every function is ``f(table, *, ..., ax=None) -> Axes`` and never calls show()
# --------------------------------------------------------------------------------------

#: Colours of the stance labels, used by every plot that shows a side of the debate.
STANCE_COLORS: dict[str, str] = {"support": "#1b9e77", "critical": "#d95f02",
                                 "neutral": "#9e9e9e", "mixed": "#7570b3"}

_SCRIPT_COLORS = {"hant": "#4c72b0", "hans": "#dd8452", "en": "#55a868", "mixed": "#8172b3",
                  "unknown": "#937860"}


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """Return ``ax``, or the axes of a new pyplot figure (shown inline in a notebook)."""
    use_cjk_font()
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    from .errors import ColumnError

    if not isinstance(table, pd.DataFrame):
        raise ColumnError(f"{what} needs a pandas DataFrame, got {type(table).__name__}.")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ColumnError(
            f"{what} needs the column(s) {missing}; the table has {list(table.columns)}."
        )


def short_label(text: object, width: int = 14) -> str:
    """Shorten a label for an axis: at most ``width`` characters, with an ellipsis.

    CJK characters count as two (they are twice as wide as Latin letters).

    Examples
    --------
    >>> short_label("000_1c59dac2740d956f")
    '000_1c59dac27…'
    >>> short_label("領導幹部走進618電商直播間", width=12)
    '領導幹部走…'
    """
    text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    used, out = 0, []
    for ch in text:
        w = 2 if ord(ch) >= 0x2E80 else 1
        if used + w > width - 1:
            return "".join(out) + "…"
        out.append(ch)
        used += w
    return text


def document_labels(doc_ids: Iterable[str], documents: pd.DataFrame | None = None, *,
                    width: int = 26) -> dict[str, str]:
    """Readable axis labels for documents: the start of the doc_id and of the title.

    Parameters
    ----------
    doc_ids : iterable of str
    documents : DataFrame, optional
        A ``documents`` table (``doc_id``, ``title``); without it the doc_id is used.
    width : int
        Maximum label width (CJK characters count as two).

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["000_1c59dac2740d956f"],
    ...                      "title": ["領導幹部走進618電商直播間"]})
    >>> document_labels(["000_1c59dac2740d956f"], docs)
    {'000_1c59dac2740d956f': '000 領導幹部走進618電商直…'}
    """
    titles: dict[str, str] = {}
    if documents is not None and {"doc_id", "title"} <= set(documents.columns):
        titles = dict(zip(documents["doc_id"].astype(str), documents["title"], strict=True))
    out = {}
    for d in doc_ids:
        d = str(d)
        head = d.split("_", 1)[0] if "_" in d and len(d) > 12 else d
        if "#" in d:
            head += "#" + d.split("#", 1)[1]
        title = titles.get(d)
        label = f"{head} {title}" if isinstance(title, str) and title else d
        out[d] = short_label(label, width)
    return out


def plot_cleaning(documents: pd.DataFrame, removed: pd.DataFrame | None = None, *,
                  ax: Axes | None = None) -> Axes:
    """Characters of each file kept and removed by cleaning (stacked horizontal bars).

    A bar is as long as the file's text; its segments are the characters removed for
    each reason (``related``: teasers of other articles, split out as documents of their
    own) and, first, the characters kept.

    Parameters
    ----------
    documents : DataFrame
        The ``documents`` table (``doc_id``, ``kind``, and ``raw``, ``raw_start`` /
        ``raw_end`` or ``n_chars`` for the length; ``title`` for labels). Related-article
        teasers are counted with the page they were on.
    removed : DataFrame, optional
        The ``removed`` table (``doc_id``, ``start``, ``end``, ``reason``); one segment
        per reason.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import cadrecast as cc
    >>> corpus = cc.load_corpus()
    >>> ax = plot_cleaning(corpus.documents, corpus.removed)
    >>> ax.get_xlabel()
    'characters of the file'
    """
    _require(documents, ["doc_id"], "plot_cleaning")
    docs = documents
    if "kind" in docs.columns:
        docs = docs[docs["kind"] == "article"]
    order = list(docs["doc_id"].astype(str))
    index = docs["doc_id"].astype(str)
    if "raw" in docs.columns:
        size = docs["raw"].astype(str).str.len().set_axis(index)
    elif {"raw_start", "raw_end"} <= set(docs.columns):
        size = (docs["raw_end"] - docs["raw_start"]).set_axis(index)
    else:
        _require(documents, ["n_chars"], "plot_cleaning")
        size = docs["n_chars"].set_axis(index)
    size = size.astype(float).reindex(order)
    by = pd.DataFrame(index=order)
    if removed is not None and len(removed):
        _require(removed, ["doc_id", "start", "end", "reason"], "plot_cleaning")
        rem = removed.assign(n=(removed["end"] - removed["start"]).astype(float),
                             doc=removed["doc_id"].astype(str).str.split("#").str[0])
        by = rem.pivot_table(index="doc", columns="reason", values="n", aggfunc="sum",
                             fill_value=0.0).reindex(index=order, fill_value=0.0)
    kept = (size - by.sum(axis=1)).clip(lower=0.0)
    ax = _new_axes(ax, (8, 0.9 + 0.45 * len(order)))
    y = np.arange(len(order))
    ax.barh(y, kept.to_numpy(), color="#4c72b0", label="kept")
    left = kept.to_numpy().copy()
    reasons = list(by.sum().sort_values(ascending=False, kind="stable").index)
    cmap = _colormap("tab20")
    for i, reason in enumerate(reasons):
        vals = by[reason].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=cmap((2 * i + 2) % 20), label=f"removed: {reason}")
        left = left + vals
    labels = document_labels(order, documents)
    ax.set_yticks(y, [labels[d] for d in order], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("characters of the file")
    ax.set_title("What cleaning kept and removed, per file")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def _colormap(name: str) -> Any:
    import matplotlib

    return matplotlib.colormaps[name]


def plot_scripts(paragraphs: pd.DataFrame, *, documents: pd.DataFrame | None = None,
                 ax: Axes | None = None) -> Axes:
    """Paragraphs per document, coloured by the script detected for each paragraph.

    Parameters
    ----------
    paragraphs : DataFrame
        The ``paragraphs`` table (``doc_id``, ``script``).
    documents : DataFrame, optional
        For labels (``title``) and to leave out related teasers (``kind``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> paras = pd.DataFrame({"doc_id": ["a", "a", "b"], "script": ["hant", "hans", "en"]})
    >>> len(plot_scripts(paras).patches)
    6
    """
    _require(paragraphs, ["doc_id", "script"], "plot_scripts")
    paras = paragraphs
    if documents is not None and "kind" in documents.columns:
        keep = documents.loc[documents["kind"] == "article", "doc_id"]
        paras = paras[paras["doc_id"].isin(keep)]
    counts = pd.crosstab(paras["doc_id"].astype(str), paras["script"].astype(str))
    ax = _new_axes(ax, (8, 0.9 + 0.45 * len(counts)))
    y = np.arange(len(counts))
    left = np.zeros(len(counts))
    for script in counts.columns:
        vals = counts[script].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=_SCRIPT_COLORS.get(script, "#cccccc"), label=script)
        left += vals
    labels = document_labels(counts.index, documents)
    ax.set_yticks(y, [labels[d] for d in counts.index], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("paragraphs")
    ax.set_title("Paragraphs per document by script (hant = Traditional, hans = Simplified)")
    ax.legend(fontsize=8, title="script", title_fontsize=8)
    return ax


def plot_counts(table: pd.DataFrame, column: str, *, weight: str | None = None, n: int = 15,
                by: str | None = None, max_levels: int = 8,
                documents: pd.DataFrame | None = None, title: str | None = None,
                ax: Axes | None = None) -> Axes:
    """The most frequent values of a column as horizontal bars (officials, platforms ...).

    Parameters
    ----------
    table : DataFrame
        Any table, e.g. an entity table with one row per mention.
    column : str
        The column whose values are counted.
    weight : str, optional
        Sum this column instead of counting rows.
    n : int
        Show the ``n`` largest values.
    by : str, optional
        Stack the bars by this column (e.g. ``"doc_id"`` or ``"stance"``).
    max_levels : int
        At most this many levels of ``by`` get their own colour; the rest are summed as
        "(other)".
    documents : DataFrame, optional
        A ``documents`` table: when the ``by`` values are doc_ids, the legend shows
        their titles.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"platform": ["抖音", "淘寶", "抖音", "快手"]})
    >>> ax = plot_counts(t, "platform", n=2)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['抖音', '快手']
    """
    cols = [column] + ([weight] if weight else []) + ([by] if by else [])
    _require(table, cols, "plot_counts")
    data = table.dropna(subset=[column])
    values = data[weight].astype(float) if weight else pd.Series(1.0, index=data.index)
    totals = values.groupby(data[column].astype(str)).sum().sort_values(ascending=False,
                                                                        kind="stable")
    top = list(totals.index[:n])
    ax = _new_axes(ax, (7, 0.9 + 0.32 * max(1, len(top))))
    y = np.arange(len(top))
    if by:
        sub = data[data[column].astype(str).isin(top)]
        grid = values.loc[sub.index].groupby([sub[column].astype(str), sub[by].astype(str)]) \
            .sum().unstack(fill_value=0.0).reindex(top, fill_value=0.0)
        if grid.shape[1] > max_levels:
            keep = list(grid.sum().sort_values(ascending=False, kind="stable")
                        .index[:max(1, max_levels - 1)])
            other = grid.drop(columns=keep).sum(axis=1)
            grid = grid[keep].assign(**{"(other)": other})
        names = {lvl: short_label(lvl, 24) for lvl in grid.columns}
        if documents is not None and "doc_id" in documents.columns:
            known = set(documents["doc_id"].astype(str))
            named = [lvl for lvl in grid.columns if lvl in known]
            names.update(document_labels(named, documents))
        left = np.zeros(len(top))
        for i, level in enumerate(grid.columns):
            vals = grid[level].to_numpy(dtype=float)
            color = ("#bbbbbb" if level == "(other)"
                     else STANCE_COLORS.get(level, _colormap("tab10")(i % 10)))
            ax.barh(y, vals, left=left, color=color, label=names[level])
            left += vals
        ax.legend(fontsize=7, title=by, title_fontsize=7, loc="lower right")
    else:
        ax.barh(y, totals.iloc[:n].to_numpy(), color="#4c72b0")
    ax.set_yticks(y, [short_label(t, 28) for t in top], fontsize=8)
    ax.invert_yaxis()
    ax.margins(x=0.04)
    ax.set_xlabel(f"sum of {weight}" if weight else "mentions")
    ax.set_title(title or f"Most frequent {column}")
    return ax


def plot_topic_prevalence(document_topics: pd.DataFrame, *, by: str = "doc_id",
                          labels: pd.Series | dict | None = None,
                          documents: pd.DataFrame | None = None,
                          ax: Axes | None = None) -> Axes:
    """Topic proportions by document (or any other column), as stacked horizontal bars.

    Parameters
    ----------
    document_topics : DataFrame
        One row per (unit, topic): ``topic``, ``proportion`` and the ``by`` column, e.g.
        :meth:`cadrecast.TopicModel.document_topics` (paragraphs of each document).
    by : str
        Group units by this column; the bar of a group is the mean proportion of each
        topic over its units (so it sums to 1).
    labels : mapping of topic to label, optional
        Topic labels for the legend.
    documents : DataFrame, optional
        A ``documents`` table, for readable labels when ``by="doc_id"``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> dt = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "topic": [0, 1, 0, 1],
    ...                    "proportion": [0.9, 0.1, 0.2, 0.8]})
    >>> ax = plot_topic_prevalence(dt, labels={0: "助农", 1: "作秀"})
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['0: 助农', '1: 作秀']
    """
    _require(document_topics, [by, "topic", "proportion"], "plot_topic_prevalence")
    mean = document_topics.pivot_table(index=by, columns="topic", values="proportion",
                                       aggfunc="mean", fill_value=0.0)
    mean = mean.div(mean.sum(axis=1).replace(0, 1), axis=0)
    ax = _new_axes(ax, (8, 1.2 + 0.42 * len(mean)))
    y = np.arange(len(mean))
    left = np.zeros(len(mean))
    labels = dict(labels) if labels is not None else {}
    cmap = _colormap("tab20" if mean.shape[1] > 10 else "tab10")
    for i, topic in enumerate(mean.columns):
        vals = mean[topic].to_numpy(dtype=float)
        name = f"{topic}: {labels[topic]}" if topic in labels else str(topic)
        ax.barh(y, vals, left=left, color=cmap(i % cmap.N), label=short_label(name, 30))
        left += vals
    if by == "doc_id":
        doc_names = document_labels(mean.index, documents)
        names = [doc_names[str(k)] for k in mean.index]
    else:
        names = [short_label(k, 26) for k in mean.index]
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("mean topic proportion")
    ax.set_title(f"Topics by {by}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), title="topic",
              title_fontsize=7)
    return ax


def _with_group(table: pd.DataFrame, by: str, documents: pd.DataFrame | None,
                what: str) -> pd.DataFrame:
    """``table`` with the column ``by``, merged in from ``documents`` when needed."""
    if by in table.columns:
        return table
    if documents is not None and by in documents.columns and "doc_id" in table.columns:
        merged = table.merge(documents[["doc_id", by]], on="doc_id", how="left")
        values = merged[by].astype("string").fillna("").str.strip()
        return merged.assign(**{by: values.mask(values == "", "(none)")})
    from .errors import ColumnError

    raise ColumnError(f"{what}: no column {by!r} in the table ({list(table.columns)}); pass "
                      "documents= to group by a documents column such as 'source'.")


def _group_labels(keys: Sequence[Any], by: str, documents: pd.DataFrame | None) -> list[str]:
    if by == "doc_id":
        names = document_labels(keys, documents)
        return [names[str(k)] for k in keys]
    return [short_label(k, 26) for k in keys]


def plot_stance(stance: pd.DataFrame, *, by: str = "doc_id",
                documents: pd.DataFrame | None = None, column: str = "stance",
                ax: Axes | None = None) -> Axes:
    """Share of support, neutral and critical paragraphs by document (or source ...).

    Parameters
    ----------
    stance : DataFrame
        One row per paragraph with ``doc_id`` and the label ``column``, e.g. the table of
        :func:`cadrecast.stance`.
    by : str
        Group by this column (of ``stance``, or of ``documents`` such as ``"source"``).
    documents : DataFrame, optional
        A ``documents`` table: readable labels, and columns to group by.
    column : str
        The label column (values ``support`` / ``neutral`` / ``critical``; other values
        are drawn too).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar per group, divided by label, with the number of paragraphs at the end.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"],
    ...                   "stance": ["support", "critical", "neutral"]})
    >>> ax = plot_stance(t)
    >>> [float(p.get_width()) for p in ax.patches][:2]
    [0.5, 0.0]
    """
    _require(stance, [column], "plot_stance")
    data = _with_group(stance, by, documents, "plot_stance")
    counts = pd.crosstab(data[by].astype(str), data[column].astype(str))
    order = [s for s in ("support", "neutral", "critical") if s in counts.columns]
    order += [s for s in counts.columns if s not in order]
    counts = counts.reindex(columns=order, fill_value=0)
    if "support" in counts.columns and "critical" in counts.columns:
        n = counts.sum(axis=1)
        balance = (counts["support"] - counts["critical"]) / n
        counts = counts.loc[balance.sort_values(ascending=False, kind="stable").index]
    shares = counts.div(counts.sum(axis=1).replace(0, 1), axis=0)
    ax = _new_axes(ax, (8, 1.2 + 0.42 * len(shares)))
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    for i, label in enumerate(shares.columns):
        vals = shares[label].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=STANCE_COLORS.get(label, f"C{i % 10}"), label=label)
        left += vals
    for yi, n in zip(y, counts.sum(axis=1), strict=True):
        ax.text(1.01, yi, f"n={int(n)}", va="center", fontsize=7,
                transform=ax.get_yaxis_transform())
    ax.set_yticks(y, _group_labels(list(shares.index), by, documents), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of paragraphs")
    ax.set_title(f"Stance of paragraphs by {by}")
    ax.legend(fontsize=8, ncol=len(shares.columns), loc="lower center",
              bbox_to_anchor=(0.5, 1.06), frameon=False)
    return ax


def plot_sentiment(sentiment: pd.DataFrame, *, by: str = "doc_id",
                   documents: pd.DataFrame | None = None, score: str = "score",
                   ax: Axes | None = None) -> Axes:
    """Sentiment scores of paragraphs by document (or source ...): points and means.

    Parameters
    ----------
    sentiment : DataFrame
        One row per paragraph (or sentence) with the ``score`` column, e.g. the table of
        :func:`cadrecast.sentiment`.
    by : str
        Group by this column (of ``sentiment``, or of ``documents``).
    documents : DataFrame, optional
        A ``documents`` table: readable labels, and columns to group by.
    score : str
        The score column (from -1, negative, to +1, positive).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Every unit as a point (jittered vertically, seeded), each group's mean as a black
        bar.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"], "score": [0.5, -0.1, 0.0]})
    >>> [float(x) for x in plot_sentiment(t).get_xlim()]
    [-1.05, 1.05]
    """
    _require(sentiment, [score], "plot_sentiment")
    data = _with_group(sentiment, by, documents, "plot_sentiment")
    keys = data[by].astype(str)
    means = data[score].astype(float).groupby(keys).mean().sort_values(ascending=False,
                                                                       kind="stable")
    ax = _new_axes(ax, (8, 1.2 + 0.42 * len(means)))
    pos = {k: i for i, k in enumerate(means.index)}
    rng = np.random.default_rng(0)
    y = keys.map(pos).to_numpy(dtype=float) + rng.uniform(-0.25, 0.25, len(data))
    vals = data[score].astype(float).to_numpy()
    colors = np.where(vals > 0, STANCE_COLORS["support"],
                      np.where(vals < 0, STANCE_COLORS["critical"], STANCE_COLORS["neutral"]))
    ax.scatter(vals, y, s=10, c=colors, alpha=0.6, linewidths=0)
    ax.scatter(means.to_numpy(), np.arange(len(means)), marker="|", s=300, c="black",
               label="mean")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(np.arange(len(means)), _group_labels(list(means.index), by, documents),
                  fontsize=8)
    ax.set_ylim(len(means) - 0.5, -0.5)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("sentiment score (negative < 0 < positive)")
    ax.set_title(f"Sentiment of paragraphs by {by}")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_distinctive_words(words: pd.DataFrame, *, n: int = 15, value: str = "z",
                           ax: Axes | None = None) -> Axes:
    """The words that most distinguish two groups, as a diverging bar chart.

    Parameters
    ----------
    words : DataFrame
        ``term``, ``group`` and ``value`` (positive favours one group, negative the
        other), e.g. the table of :func:`cadrecast.distinctive_words`.
    n : int
        Words shown per group.
    value : str
        The column drawn (``z`` or ``log_odds``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"term": ["摊派", "助农"], "group": ["critical", "support"],
    ...                   "z": [2.5, -3.0]})
    >>> [t.get_text() for t in plot_distinctive_words(w).get_yticklabels()]
    ['摊派', '助农']
    """
    _require(words, ["term", "group", value], "plot_distinctive_words")
    parts = []
    for _, sub in words.groupby("group", sort=False):
        parts.append(sub.reindex(sub[value].abs().sort_values(ascending=False,
                                                              kind="stable").index).head(n))
    data = pd.concat(parts) if parts else words.head(0)
    data = data.sort_values(value, ascending=False, kind="stable")
    ax = _new_axes(ax, (7, 1.0 + 0.26 * max(1, len(data))))
    y = np.arange(len(data))
    colors = [STANCE_COLORS.get(str(g), f"C{i % 10}") for i, g in enumerate(data["group"])]
    ax.barh(y, data[value].astype(float).to_numpy(), color=colors)
    ax.set_yticks(y, [short_label(t, 20) for t in data["term"]], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="grey", linewidth=0.8)
    pos = data.loc[data[value] > 0, "group"]
    neg = data.loc[data[value] < 0, "group"]
    left = str(neg.iloc[0]) if len(neg) else ""
    right = str(pos.iloc[0]) if len(pos) else ""
    ax.set_xlabel(f"{value}:  ← {left}    {right} →")
    ax.set_title("Distinctive words")
    return ax


def _gazetteer_points() -> pd.DataFrame | None:
    """Coordinates of every county-level division in the bundled gazetteer, if there."""
    import io

    try:
        from .resources import read_text

        table = pd.read_csv(io.StringIO(read_text("gazetteer/divisions.tsv")), sep="\t",
                            dtype={"adcode": str})
    except Exception:  # the gazetteer is optional for plotting: no background then
        return None
    if not {"lon", "lat", "level"} <= set(table.columns):
        return None
    table = table[table["level"] == "county"]
    return table.dropna(subset=["lon", "lat"])


def plot_place_map(places: pd.DataFrame, *, label_top: int = 12, background: bool = True,
                   name: str = "name_hans", ax: Axes | None = None) -> Axes:
    """Places mentioned, on a longitude/latitude map; dot size = number of mentions.

    Parameters
    ----------
    places : DataFrame
        One row per place mention with ``lon``, ``lat``, the ``name`` column and
        ``province`` (e.g. the table of :func:`cadrecast.places`). Mentions without
        coordinates (ambiguous names, villages) are left out.
    label_top : int
        Write the names of this many most-mentioned places.
    background : bool
        Draw every county of the bundled gazetteer as a faint grey dot, which outlines
        where China's counties are (there is no coastline or border in the package).
    name : str
        The column with the place names to count and write.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"name_hans": ["安化县", "安化县", "丰城市"],
    ...                   "province": ["湖南省", "湖南省", "江西省"],
    ...                   "lon": [111.2, 111.2, 115.8], "lat": [28.4, 28.4, 28.2]})
    >>> ax = plot_place_map(p, background=False)
    >>> sorted(t.get_text() for t in ax.texts)
    ['丰城市', '安化县']
    """
    _require(places, ["lon", "lat", name], "plot_place_map")
    data = places.dropna(subset=["lon", "lat"])
    data = data.assign(lon=data["lon"].astype(float), lat=data["lat"].astype(float))
    group = [name, "lon", "lat"] + (["province"] if "province" in data.columns else [])
    counts = (data.groupby(group, dropna=False).size().rename("n").reset_index()
              .sort_values(["n", name], ascending=[False, True], kind="stable"))
    ax = _new_axes(ax, (8, 6.5))
    if background:
        bg = _gazetteer_points()
        if bg is not None:
            ax.scatter(bg["lon"], bg["lat"], s=1.5, color="#d0d0d0", linewidths=0,
                       label="every county (gazetteer)", zorder=1)
    provinces = list(dict.fromkeys(counts["province"].astype(str))) \
        if "province" in counts.columns else [""]
    cmap = _colormap("tab20")
    for i, prov in enumerate(provinces):
        sub = counts[counts["province"].astype(str) == prov] if prov else counts
        ax.scatter(sub["lon"], sub["lat"], s=20 + 30 * np.sqrt(sub["n"].to_numpy(float)),
                   color=cmap(i % 20), alpha=0.8, edgecolors="white", linewidths=0.5,
                   label=short_label(prov, 16) if prov else None, zorder=3)
    for row in counts.head(label_top).itertuples(index=False):
        ax.annotate(str(getattr(row, name)), (row.lon, row.lat), xytext=(4, 3),
                    textcoords="offset points", fontsize=8, zorder=4)
    lat0 = float(np.nanmean(counts["lat"])) if len(counts) else 35.0
    ax.set_aspect(1 / max(np.cos(np.radians(lat0)), 0.2))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(f"Places mentioned ({int(counts['n'].sum())} mentions with coordinates)")
    if len(provinces) <= 20 and provinces != [""]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), markerscale=0.6)
    return ax


def plot_provinces(places: pd.DataFrame, *, by: str | None = "level", n: int = 20,
                   ax: Axes | None = None) -> Axes:
    """Place mentions per province, stacked by level (province, prefecture, county ...).

    Parameters
    ----------
    places : DataFrame
        One row per place mention with ``province`` (e.g. :func:`cadrecast.places`).
        Mentions whose province is unknown (ambiguous names) are left out.
    by : str or None
        Stack the bars by this column (``level`` by default; ``doc_id`` also works).
    n : int
        Show the ``n`` provinces with most mentions.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"province": ["湖南省", "湖南省", "江西省", ""],
    ...                   "level": ["county", "province", "county", "county"]})
    >>> [t.get_text() for t in plot_provinces(p).get_yticklabels()]
    ['湖南省', '江西省']
    """
    _require(places, ["province"] + ([by] if by else []), "plot_provinces")
    known = places[places["province"].astype("string").fillna("").str.strip() != ""]
    return plot_counts(known, "province", by=by, n=n, ax=ax,
                       title="Place mentions by province")


#: Metrics drawn by :func:`plot_figures` unless others are asked for.
FIGURE_METRICS: tuple[str, ...] = ("sales", "orders", "viewers", "followers", "likes", "users")


def plot_figures(figures: pd.DataFrame, *, metrics: Sequence[str] | None = FIGURE_METRICS,
                 documents: pd.DataFrame | None = None, label_top: int = 1,
                 ax: Axes | None = None) -> Axes:
    """Sales, audience and other figures on a logarithmic scale, one row per metric.

    Parameters
    ----------
    figures : DataFrame
        One row per figure with ``value`` (a number), ``metric`` and ``unit``, and
        optionally ``text`` (as written) and ``doc_id`` (e.g. :func:`cadrecast.figures`).
    metrics : sequence of str or None
        Metrics to draw (``None``: all). Each (metric, unit) pair is a row, so yuan and
        items sold are never mixed on one line.
    documents : DataFrame, optional
        A ``documents`` table, for the legend's labels (points are coloured by article;
        a related-article teaser takes its page's colour).
    label_top : int
        Write the original text of this many largest figures of each row.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"value": [7e7, 2.692e11, 6e6], "metric": ["sales", "sales",
    ...                   "viewers"], "unit": ["yuan", "yuan", "person"],
    ...                   "text": ["7000多萬元", "2692億元", "600多萬人次"]})
    >>> ax = plot_figures(f)
    >>> ax.get_xscale(), [t.get_text() for t in ax.get_yticklabels()]
    ('log', ['sales (yuan)', 'viewers (person)'])
    """
    _require(figures, ["value", "metric", "unit"], "plot_figures")
    data = figures
    if metrics is not None:
        data = data[data["metric"].isin(list(metrics))]
    data = data[pd.to_numeric(data["value"], errors="coerce") > 0]
    rows = [f"{m} ({u})" for m, u in zip(data["metric"], data["unit"], strict=True)]
    data = data.assign(_row=rows, value=data["value"].astype(float))
    order = list(data.groupby("_row")["value"].median().sort_values(ascending=False,
                                                                    kind="stable").index)
    if metrics is not None:
        rank = {m: i for i, m in enumerate(metrics)}
        order.sort(key=lambda r: rank.get(r.split(" (")[0], len(rank)))
    ax = _new_axes(ax, (8, 1.4 + 0.55 * max(1, len(order))))
    pos = {r: i for i, r in enumerate(order)}
    rng = np.random.default_rng(0)
    y = data["_row"].map(pos).to_numpy(float) + rng.uniform(-0.18, 0.18, len(data))
    if "doc_id" in data.columns:
        docs = data["doc_id"].astype(str).str.split("#").str[0]
        names = document_labels(list(dict.fromkeys(docs)), documents)
        for i, d in enumerate(dict.fromkeys(docs)):
            mask = (docs == d).to_numpy()
            ax.scatter(data["value"].to_numpy()[mask], y[mask], s=28, color=f"C{i % 10}",
                       alpha=0.8, label=names[d], zorder=3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), title="article",
                  title_fontsize=7)
    else:
        ax.scatter(data["value"], y, s=28, color="C0", alpha=0.8, zorder=3)
    if "text" in data.columns and label_top > 0:
        ys = pd.Series(y, index=data.index)
        for _, sub in data.groupby("_row"):
            for idx, row in sub.nlargest(label_top, "value").iterrows():
                ax.annotate(short_label(row["text"], 16), (row["value"], ys[idx]),
                            xytext=(0, 6), textcoords="offset points", fontsize=7,
                            ha="center", zorder=4)
    ax.set_xscale("log")
    ax.set_yticks(range(len(order)), order, fontsize=8)
    ax.set_ylim(len(order) - 0.5, -0.7)
    ax.grid(axis="x", which="major", color="#e5e5e5", zorder=0)
    ax.set_xlabel("value (log scale)")
    ax.set_title("Figures reported in the articles")
    return ax
