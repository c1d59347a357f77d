"""Reading views and the self-contained HTML report of ``cadrecast run``.

Two kinds of things live here:

* **views for reading**: :func:`align_translation` lines up a translated document with
  its original paragraph by paragraph; :func:`side_by_side` puts paragraphs of two sides
  of the debate (e.g. ``support`` and ``critical``) next to each other with their quotes
  in the original script and in Simplified.
* **the report**: :func:`write_report` turns whatever tables a run produced
  (``documents``, ``paragraphs``, ``removed``, ``translations``, ``tokens``, entities,
  figures, topics, sentiment, stance ...) into one ``report.html`` whose figures are
  embedded as base64 PNG: no external URL, no CDN, no JavaScript library, so it opens
  offline and can be mailed as one file. :func:`report_stage` is the last stage of
  ``cadrecast run``.

A section is written for each table that is present, so the report grows as the
pipeline does; a table that is missing is listed as such rather than failing.

Examples
--------
>>> import tempfile, pathlib, cadrecast as cc
>>> corpus = cc.load_corpus()
>>> tables = {"documents": corpus.documents, "paragraphs": corpus.paragraphs,
...           "removed": corpus.removed}
>>> with tempfile.TemporaryDirectory() as out:
...     path = write_report(tables, pathlib.Path(out) / "report.html")
...     html = path.read_text(encoding="utf-8")
>>> "data:image/png;base64," in html and "http://" not in html.split("<body>")[1]
True
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._version import __version__
from .errors import ColumnError, ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .corpus import Corpus
    from .pipeline import RunContext

__all__ = [
    "ALIGN_COLUMNS",
    "align_translation",
    "frame_arguments",
    "report_stage",
    "side_by_side",
    "write_report",
]

#: Columns of :func:`align_translation`'s table, in order.
ALIGN_COLUMNS: tuple[str, ...] = (
    "pair", "kind", "original_para_ids", "translation_para_ids", "original",
    "original_hans", "translation", "shared_anchors", "length_ratio",
)

# ----------------------------------------------------------------------------------------
# aligning a translation with its original
# ----------------------------------------------------------------------------------------

# Bead types (original paragraphs, translated paragraphs) and their fixed costs, after
# Gale & Church (1993): one-to-one is the norm, merges and splits cost a little, a
# paragraph left unmatched costs more.
_BEADS: tuple[tuple[int, int, float], ...] = (
    (1, 1, 0.0), (1, 2, 1.0), (2, 1, 1.0), (1, 0, 2.0), (0, 1, 2.0),
)


def _paragraph_rows(corpus: Corpus | pd.DataFrame, doc_id: str) -> pd.DataFrame:
    paras = corpus.paragraphs if hasattr(corpus, "paragraphs") else corpus
    if not isinstance(paras, pd.DataFrame):
        raise ColumnError("align_translation needs a Corpus or a paragraphs DataFrame.")
    missing = [c for c in ("doc_id", "para_id", "text") if c not in paras.columns]
    if missing:
        raise ColumnError(f"align_translation: the paragraphs table lacks {missing}; it has "
                          f"{list(paras.columns)}.")
    rows = paras[paras["doc_id"] == doc_id].sort_values("para_id")
    if rows.empty:
        known = sorted(paras["doc_id"].astype(str).unique())[:10]
        raise ConfigError(f"align_translation: no paragraphs for doc_id {doc_id!r}; "
                          f"some doc_ids there are: {known}.")
    return rows


def _language(rows: pd.DataFrame) -> str:
    if "language" in rows.columns and rows["language"].notna().any():
        return str(rows["language"].mode().iloc[0])
    text = "".join(rows["text"].astype(str))
    latin = sum(ch.isascii() and ch.isalpha() for ch in text)
    return "en" if latin > 0.5 * max(1, len(text)) else "zh"


def _size(text: str) -> float:
    """Length in a unit comparable across languages: Han characters, or Latin words."""
    han = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
    words = len(re.findall(r"[A-Za-z]+(?:['’\-][A-Za-z]+)*", text))
    digits = len(re.findall(r"\d+(?:[.,]\d+)*", text))
    return float(han + words + digits)


def align_translation(corpus: Corpus | pd.DataFrame, doc_id: str,
                      original: str | None = None) -> pd.DataFrame:
    """Line up a translated document with its original, paragraph by paragraph.

    A dynamic-programming alignment in the manner of Gale & Church: consecutive
    paragraphs are matched one-to-one, one-to-two or two-to-one (or left unmatched),
    minimising a cost that rewards the figures and dates both sides state (the anchors
    of :func:`cadrecast.translations.anchors`: ``2692億元`` = ``269.2 billion yuan``) and
    penalises a length ratio far from the document's overall ratio (Han characters
    against English words). The order of paragraphs is kept.

    Parameters
    ----------
    corpus : Corpus or DataFrame
        A corpus, or its ``paragraphs`` table (``doc_id``, ``para_id``, ``text``;
        ``text_hans`` and ``language`` are used when present).
    doc_id : str
        The translated document.
    original : str, optional
        The original; by default the document's ``translation_of`` (from the corpus's
        documents table, or found with :func:`cadrecast.find_translations`).

    Returns
    -------
    DataFrame
        One row per aligned group: ``pair`` (0-based), ``kind`` ("1-1", "1-2", "2-1",
        "1-0" original only, "0-1" translation only), ``original_para_ids`` and
        ``translation_para_ids`` (para_ids joined by ","), ``original`` (original
        script), ``original_hans`` (Simplified), ``translation``, ``shared_anchors``
        (figures and dates found on both sides), ``length_ratio`` (the pair's length
        ratio over the document's: near 1 is typical).

    Raises
    ------
    ConfigError
        If a doc_id has no paragraphs, or no original is known.

    Examples
    --------
    >>> import cadrecast as cc
    >>> pairs = align_translation(cc.load_corpus(), "003_b9d991b649e0baf2")
    >>> row = pairs[pairs["shared_anchors"] >= 3].iloc[0]
    >>> row["original"][:6], row["translation"][:28]
    ('6月19日凌', 'In the early morning of June')
    """
    from .translations import anchors

    if original is None:
        original = _original_of(corpus, doc_id)
    trans = _paragraph_rows(corpus, doc_id)
    orig = _paragraph_rows(corpus, original)
    t_lang, o_lang = _language(trans), _language(orig)
    t_text = trans["text"].astype(str).tolist()
    o_text = orig["text"].astype(str).tolist()
    o_hans = (orig["text_hans"] if "text_hans" in orig.columns else orig["text"]).astype(str)
    o_hans = o_hans.tolist()
    t_anch = [anchors(t, t_lang) for t in t_text]
    o_anch = [anchors(t, o_lang) for t in o_text]
    t_size = [max(_size(t), 1.0) for t in t_text]
    o_size = [max(_size(t), 1.0) for t in o_text]
    ratio = sum(t_size) / sum(o_size)

    def cost(i: int, a: int, j: int, b: int, fixed: float) -> tuple[float, int, float]:
        if a == 0 or b == 0:
            return fixed, 0, math.nan
        oa = sum((o_anch[k] for k in range(i, i + a)), Counter())
        ta = sum((t_anch[k] for k in range(j, j + b)), Counter())
        shared = len(set(oa) & set(ta))
        union = len(set(oa) | set(ta))
        r = (sum(t_size[j:j + b]) / sum(o_size[i:i + a])) / ratio
        # anchors both sides state pull a pair together; anchors only one side states
        # (figures the other side lacks) push it apart
        agree = (2.0 * shared - (union - shared)) / union if union else 0.0
        c = fixed + 1.5 * abs(math.log(r)) - agree
        return c, shared, r

    n, m = len(o_text), len(t_text)
    best = np.full((n + 1, m + 1), np.inf)
    back: dict[tuple[int, int], tuple[int, int, int, float]] = {}
    best[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if not np.isfinite(best[i, j]):
                continue
            for a, b, fixed in _BEADS:
                if i + a > n or j + b > m:
                    continue
                c, shared, r = cost(i, a, j, b, fixed)
                if best[i, j] + c < best[i + a, j + b]:
                    best[i + a, j + b] = best[i, j] + c
                    back[(i + a, j + b)] = (a, b, shared, r)
    beads = []
    i, j = n, m
    while (i, j) != (0, 0):
        a, b, shared, r = back[(i, j)]
        beads.append((i - a, a, j - b, b, shared, r))
        i, j = i - a, j - b
    beads.reverse()
    o_ids = orig["para_id"].tolist()
    t_ids = trans["para_id"].tolist()
    rows = []
    for pair, (i, a, j, b, shared, r) in enumerate(beads):
        rows.append((
            pair, f"{a}-{b}",
            ",".join(str(o_ids[k]) for k in range(i, i + a)),
            ",".join(str(t_ids[k]) for k in range(j, j + b)),
            "\n\n".join(o_text[i:i + a]), "\n\n".join(o_hans[i:i + a]),
            "\n\n".join(t_text[j:j + b]), shared, r,
        ))
    out = pd.DataFrame(rows, columns=list(ALIGN_COLUMNS))
    return out.astype({"pair": "int64", "shared_anchors": "int64", "length_ratio": "float64"})


def _original_of(corpus: Any, doc_id: str) -> str:
    docs = getattr(corpus, "documents", None)
    if docs is not None and "translation_of" in docs.columns:
        stated = docs.loc[docs["doc_id"] == doc_id, "translation_of"]
        if len(stated) and isinstance(stated.iloc[0], str) and stated.iloc[0]:
            return stated.iloc[0]
        from .translations import find_translations

        pairs = find_translations(corpus)
        found = pairs.loc[pairs["doc_id"] == doc_id, "translation_of"]
        if len(found):
            return str(found.iloc[0])
    raise ConfigError(f"align_translation: the original of {doc_id!r} is not known; pass "
                      "original=<doc_id of the original>.")


# ----------------------------------------------------------------------------------------
# the two sides of the debate next to each other
# ----------------------------------------------------------------------------------------


def side_by_side(labels: pd.DataFrame, paragraphs: pd.DataFrame | Corpus, *,
                 column: str = "stance", sides: Sequence[str] = ("support", "critical"),
                 n: int = 5, score: str | None = None, width: int | None = None
                 ) -> pd.DataFrame:
    """The paragraphs most typical of each side, next to each other.

    Parameters
    ----------
    labels : DataFrame
        One row per paragraph with ``doc_id``, ``para_id`` and the label ``column``
        (e.g. the table of :func:`cadrecast.stance`).
    paragraphs : DataFrame or Corpus
        The ``paragraphs`` table (``text``; ``text_hans`` if present).
    column : str
        The label column.
    sides : sequence of str
        The label values to put in columns, left to right.
    n : int
        Rows: the ``n`` highest-scoring paragraphs of each side.
    score : str, optional
        Rank paragraphs by this column of ``labels`` (highest first; e.g. a confidence or
        margin column); default: the order of ``labels``.
    width : int, optional
        Shorten each quote to this many characters (with "…"); default: whole paragraphs.

    Returns
    -------
    DataFrame
        ``rank`` and, for each side ``s``: ``s`` (quote in the original script),
        ``s_hans`` (Simplified), ``s_source`` ("doc_id ¶para_id"). A side with fewer
        than ``rank`` paragraphs has empty cells there.

    Examples
    --------
    >>> import pandas as pd
    >>> paras = pd.DataFrame({"doc_id": ["a", "a"], "para_id": [0, 1],
    ...                       "text": ["縣長帶貨助農", "作秀擾民"],
    ...                       "text_hans": ["县长带货助农", "作秀扰民"]})
    >>> lab = pd.DataFrame({"doc_id": ["a", "a"], "para_id": [0, 1],
    ...                     "stance": ["support", "critical"]})
    >>> side_by_side(lab, paras).loc[0, ["support", "critical_hans"]].tolist()
    ['縣長帶貨助農', '作秀扰民']
    """
    paras = paragraphs.paragraphs if hasattr(paragraphs, "paragraphs") else paragraphs
    for name, table, cols in (("labels", labels, ["doc_id", "para_id", column]),
                              ("paragraphs", paras, ["doc_id", "para_id", "text"])):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ColumnError(f"side_by_side: the {name} table lacks {missing}; it has "
                              f"{list(table.columns)}.")
    if score is not None and score not in labels.columns:
        raise ColumnError(f"side_by_side: score column {score!r} is not in the labels table "
                          f"({list(labels.columns)}).")
    keep = ["doc_id", "para_id", "text"] + (["text_hans"] if "text_hans" in paras.columns else [])
    lab_cols = ["doc_id", "para_id", column] + ([score] if score else [])
    merged = labels[lab_cols].merge(paras[keep], on=["doc_id", "para_id"], how="inner")
    if "text_hans" not in merged.columns:
        merged["text_hans"] = merged["text"]

    def cut(s: str) -> str:
        return s if width is None or len(s) <= width else s[: width - 1] + "…"

    out = pd.DataFrame({"rank": np.arange(1, n + 1, dtype="int64")})
    for side in sides:
        sub = merged[merged[column] == side]
        if score:
            sub = sub.sort_values(score, ascending=False, kind="stable")
        sub = sub.head(n).reset_index(drop=True)
        pad = n - len(sub)
        out[side] = [cut(str(t)) for t in sub["text"]] + [""] * pad
        out[f"{side}_hans"] = [cut(str(t)) for t in sub["text_hans"]] + [""] * pad
        out[f"{side}_source"] = [f"{d} ¶{p}" for d, p in zip(sub["doc_id"], sub["para_id"],
                                                            strict=True)] + [""] * pad
    return out


_CUE = re.compile(r"([^\s;()]+)\(([A-Za-z0-9_]+)")


def frame_arguments(stance: pd.DataFrame, paragraphs: pd.DataFrame | Corpus, *,
                    frames: Any = None, n: int = 1, width: int | None = None) -> pd.DataFrame:
    """The arguments each side makes: every frame with its cue words and quotes.

    A paragraph's main frame is the strongest frame that fired in it (the first of the
    ``frames`` column of :func:`cadrecast.stance`). For each frame, the table counts the
    paragraphs and documents where it is the main frame, lists the cue words that
    raised it most often, and quotes the paragraphs that argue it most clearly (main
    frame, stance on the frame's side, largest ``|score|``), in the original script and
    in Simplified.

    Parameters
    ----------
    stance : DataFrame
        The table of :func:`cadrecast.stance` (``doc_id``, ``para_id``, ``stance``,
        ``score``, ``frames``, ``evidence``).
    paragraphs : DataFrame or Corpus
        The ``paragraphs`` table (``text``; ``text_hans`` if present).
    frames : FrameLexicon or path, optional
        The frame lexicon used for ``stance`` (for each frame's side); default: the
        bundled one.
    n : int
        Quotes per frame (one row each).
    width : int, optional
        Shorten quotes to this many characters.

    Returns
    -------
    DataFrame
        One row per (frame, quote): ``side``, ``frame``, ``paragraphs``, ``documents``,
        ``cues`` (the most frequent cue words, "、"-joined), ``rank``, ``quote``,
        ``quote_hans``, ``source`` ("doc_id ¶para_id"). Support frames first, then
        critical; within a side, the most used frame first. Frames that never fired
        are left out.

    Examples
    --------
    >>> import cadrecast as cc
    >>> corpus = cc.load_corpus()
    >>> args = frame_arguments(cc.stance(corpus), corpus)
    >>> sorted(set(args["side"]))
    ['critical', 'support']
    """
    from .stance_detection import FrameLexicon, load_frames

    need = ["doc_id", "para_id", "stance", "score", "frames", "evidence"]
    missing = [c for c in need if c not in stance.columns]
    if missing:
        raise ColumnError(f"frame_arguments: the stance table lacks {missing} (use the table "
                          "of cadrecast.stance).")
    fl = frames if isinstance(frames, FrameLexicon) else load_frames(frames)
    side_of = dict(zip(fl.table["frame"], fl.table["side"], strict=True))
    main = stance["frames"].fillna("").astype(str).str.split(";").str[0]
    table = stance.assign(_main=main, _strength=stance["score"].abs())
    rows = []
    for frame in fl.frames:
        sub = table[table["_main"] == frame]
        if sub.empty:
            continue
        side = side_of.get(frame, "")
        cues: Counter[str] = Counter()
        for ev in sub["evidence"].fillna(""):
            cues.update(c for c, f in _CUE.findall(str(ev)) if f == frame)
        best = sub[sub["stance"] == side]
        if best.empty:
            best = sub
        quotes = side_by_side(best.assign(_side="q"), paragraphs, column="_side", sides=["q"],
                              n=min(n, len(best)), score="_strength", width=width)
        for q in quotes.itertuples(index=False):
            rows.append((side, frame, len(sub), sub["doc_id"].nunique(),
                         "、".join(c for c, _ in cues.most_common(6)), int(q.rank), q.q,
                         q.q_hans, q.q_source))
    out = pd.DataFrame(rows, columns=["side", "frame", "paragraphs", "documents", "cues",
                                      "rank", "quote", "quote_hans", "source"])
    order = {"support": 0, "critical": 1}
    out = out.assign(_o=out["side"].map(order).fillna(2))
    out = out.sort_values(["_o", "paragraphs", "frame", "rank"],
                          ascending=[True, False, True, True], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# the HTML report
# ----------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
"cadrecast CJK","Noto Sans CJK SC","Noto Sans CJK TC","Source Han Sans SC","PingFang SC",
"Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:0 auto;max-width:1100px;
padding:1em 2em;color:#222;line-height:1.5}
h1{border-bottom:2px solid #4c72b0}h2{border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1em}
th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f3f5f9}tr:nth-child(even) td{background:#fafafa}
td.num{text-align:right}figure{margin:1em 0}figure img{max-width:100%;height:auto}
figcaption{font-size:.85em;color:#555}.note{color:#555;font-size:.9em}
nav ul{columns:2;font-size:.9em}.quote{max-width:32em}code{background:#f3f3f3}
"""

_IMG_DATA = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")

#: Longest cell text shown in a report table (longer text ends with "…").
MAX_CELL = 160
#: Most rows shown for a table in the report (the full table is in the output folder).
MAX_ROWS = 25


# ---- an embedded font, so Chinese text shows on machines without a CJK font --------------

_FONT_FAMILY = "cadrecast CJK"


def _font_css(text: str, script: str = "hans") -> str:
    """``@font-face`` CSS with Noto Sans CJK cut down to the characters of ``text``.

    The subset (a few hundred kB for a report) is embedded as a ``data:`` URL, so the
    page shows Chinese even where the browser has no CJK font. Returns "" when the font
    package or fontTools is missing (the page then relies on the reader's fonts).
    """
    try:
        import noto_cjk_sans_otc
        from fontTools import subset
        from fontTools.ttLib import TTCollection
    except ImportError:
        return ""
    wanted = "Noto Sans CJK TC" if script == "hant" else "Noto Sans CJK SC"
    if not any(ord(ch) >= 0x2E80 for ch in text):
        return ""
    # every character of the page, Latin letters and digits too: a browser may pick one
    # font for a whole run of mixed text (領導幹部走進618電商), and that font must have it all
    codepoints = sorted({ord(ch) for ch in text} | set(range(0x20, 0x7F)))
    buf = io.BytesIO()
    try:
        collection = TTCollection(str(noto_cjk_sans_otc.FONT_PATH), lazy=True)
        try:
            font = next((f for f in collection.fonts if f["name"].getDebugName(1) == wanted),
                        collection.fonts[0])
            options = subset.Options()
            options.layout_features = ["*"]
            options.hinting = False
            options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=codepoints)
            subsetter.subset(font)
            font.recalcTimestamp = False  # same page, same bytes
            font.save(buf)
        finally:
            collection.close()
    except Exception:  # a damaged font file must not lose the report
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face{{font-family:"{_FONT_FAMILY}";font-weight:100 900;'
            f'src:url(data:font/otf;base64,{data}) format("opentype");}}\n')


class _Html:
    """Collects the sections of the report."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.toc: list[tuple[str, str]] = []
        self.n_figures = 0

    def h2(self, anchor: str, title: str) -> None:
        self.toc.append((anchor, title))
        self.parts.append(f'<h2 id="{anchor}">{html.escape(title)}</h2>')

    def p(self, text: str, cls: str | None = None) -> None:
        c = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{c}>{html.escape(text)}</p>")

    def raw(self, fragment: str) -> None:
        self.parts.append(fragment)

    def table(self, df: pd.DataFrame, *, max_rows: int = MAX_ROWS, caption: str | None = None,
              width: int = MAX_CELL) -> None:
        self.parts.append(_table_html(df, max_rows=max_rows, caption=caption, width=width))

    def figure(self, fig: Figure, caption: str) -> None:
        self.parts.append(_figure_html(fig, caption))
        self.n_figures += 1

    def png(self, data: bytes, caption: str) -> None:
        self.parts.append(_img_html(data, caption))
        self.n_figures += 1


def _cell(value: Any, width: int) -> tuple[str, bool]:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), False
    if isinstance(value, int | np.integer):
        return f"{int(value):,}", True
    if isinstance(value, float | np.floating):
        v = float(value)
        text = f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:.4g}"
        return text, True
    text = str(value)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text, False


def _table_html(df: pd.DataFrame, *, max_rows: int = MAX_ROWS, caption: str | None = None,
                width: int = MAX_CELL) -> str:
    rows = ["<table>"]
    if caption:
        rows.append(f"<caption>{html.escape(caption)}</caption>")
    rows.append("<thead><tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
                + "</tr></thead><tbody>")
    for rec in df.head(max_rows).itertuples(index=False, name=None):
        cells = []
        for value in rec:
            text, num = _cell(value, width)
            cls = ' class="num"' if num else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append("</tbody></table>")
    if len(df) > max_rows:
        rows.append(f'<p class="note">First {max_rows} of {len(df):,} rows.</p>')
    return "".join(rows)


def _png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _img_html(data: bytes, caption: str) -> str:
    b64 = base64.b64encode(data).decode("ascii")
    alt = html.escape(caption, quote=True)
    return (f'<figure><img src="data:image/png;base64,{b64}" alt="{alt}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _figure_html(fig: Figure, caption: str) -> str:
    return _img_html(_png_bytes(fig), caption)


def _new_figure(width: float = 8.0, height: float = 4.0) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    from .plotting import use_cjk_font

    use_cjk_font()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _plot(doc: _Html, caption: str, draw: Callable[[Any], Any], *, width: float = 8.0,
          height: float = 4.0) -> None:
    """Draw one figure into the report; a plot that fails is reported, not fatal."""
    try:
        fig, ax = _new_figure(width, height)
        draw(ax)
        doc.figure(fig, caption)
    except Exception as exc:  # a broken plot must not lose the report
        doc.p(f"(figure “{caption}” could not be drawn: {type(exc).__name__}: {exc})", "note")


def _articles(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    docs = tables.get("documents")
    if docs is None:
        return None
    return docs[docs["kind"] == "article"] if "kind" in docs.columns else docs


# ---- sections ----------------------------------------------------------------------------


def _section_corpus(doc: _Html, t: Mapping[str, pd.DataFrame]) -> set[str]:
    from .plotting import document_labels, plot_cleaning, plot_scripts

    docs = t.get("documents")
    if docs is None:
        return set()
    doc.h2("corpus", "The corpus")
    arts = _articles(t)
    n_related = int((docs["kind"] == "related").sum()) if "kind" in docs.columns else 0
    doc.p(f"{len(arts)} articles"
          + (f" and {n_related} related-article teasers split out of their pages" if n_related
             else "") + ".")
    cols = [c for c in ("doc_id", "title", "date", "source", "language", "script",
                        "translation_of", "n_chars") if c in arts.columns]
    doc.table(arts[cols], max_rows=100)
    paras = t.get("paragraphs")
    sents = t.get("sentences")
    if paras is not None:
        doc.p(f"{len(paras):,} paragraphs"
              + (f" and {len(sents):,} sentences" if sents is not None else "") + ".")
    if paras is not None and {"doc_id", "script"} <= set(paras.columns):
        n = arts["doc_id"].nunique()
        _plot(doc, "Paragraphs per article, by the script detected for each paragraph",
              lambda ax: plot_scripts(paras, documents=docs, ax=ax), height=1.2 + 0.45 * n)
    removed = t.get("removed")
    if removed is not None and "n_chars" in arts.columns:
        n = arts["doc_id"].nunique()
        _plot(doc, "Characters kept and removed by cleaning (removed spans by reason)",
              lambda ax: plot_cleaning(docs, removed, ax=ax), height=1.2 + 0.5 * n)
        if len(removed):
            rem = removed.assign(chars=removed["end"] - removed["start"])
            summary = (rem.groupby("reason").agg(spans=("reason", "size"),
                                                 chars=("chars", "sum"))
                       .sort_values("chars", ascending=False).reset_index())
            doc.table(summary, caption="What cleaning removed, by reason")
    if n_related:
        rel = docs[docs["kind"] == "related"]
        labels = document_labels(rel["parent_id"].astype(str), docs)
        view = pd.DataFrame({"page": rel["parent_id"].astype(str).map(labels),
                             "teaser title": rel["title"]})
        doc.table(view, max_rows=10, caption="Related-article teasers (kind = related)")
    return {"documents", "paragraphs", "sentences", "removed", "rejected"}


def _section_translations(doc: _Html, t: Mapping[str, pd.DataFrame]) -> set[str]:
    pairs = t.get("translations")
    if pairs is None:
        return set()
    doc.h2("translations", "Translations")
    if pairs.empty:
        doc.p("No document was found to be a translation of another.")
        return {"translations"}
    doc.table(pairs)
    paras = t.get("paragraphs")
    if paras is not None:
        row = pairs.iloc[0]
        try:
            aligned = align_translation(paras, row["doc_id"], row["translation_of"])
        except Exception as exc:  # shown in the report instead
            doc.p(f"(alignment failed: {exc})", "note")
        else:
            doc.p(f"{row['doc_id']} aligned with its original {row['translation_of']}, "
                  f"paragraph by paragraph ({len(aligned)} groups; "
                  f"{int((aligned['kind'] == '1-1').sum())} one-to-one). The first groups:")
            doc.table(aligned[["kind", "original", "translation", "shared_anchors"]],
                      max_rows=8, width=240)
    return {"translations"}


def _section_terms(doc: _Html, t: Mapping[str, pd.DataFrame]) -> set[str]:
    from .plotting import plot_counts

    tf = t.get("term_frequencies")
    tokens = t.get("tokens")
    if tf is None and tokens is None:
        return set()
    doc.h2("words", "Words")
    if tokens is not None:
        n_tok = len(tokens)
        n_content = int((~tokens["is_stop"].astype(bool)).sum()) if "is_stop" in tokens else n_tok
        doc.p(f"{n_tok:,} tokens, {n_content:,} of them content words (not stop words or "
              "punctuation).")
    if tf is not None and {"term", "n"} <= set(tf.columns):
        langs = (list(dict.fromkeys(tf["language"])) if "language" in tf.columns else [None])
        for lang in langs:
            sub = tf if lang is None else tf[tf["language"] == lang]
            if sub.empty:
                continue
            name = {"zh": "Chinese", "en": "English"}.get(str(lang), str(lang or ""))
            _plot(doc, f"Most frequent {name} terms (Simplified; stop words left out)",
                  lambda ax, sub=sub: plot_counts(sub, "term", weight="n", n=25, ax=ax,
                                                  title="Most frequent terms"),
                  height=7.0)
    return {"tokens", "term_frequencies"}


def _section_entities(doc: _Html, t: Mapping[str, pd.DataFrame]) -> set[str]:
    from .plotting import plot_counts, plot_figures, plot_place_map, plot_provinces

    names = {"entities", "officials", "places", "figures", "events"}
    if not names & set(t):
        return set()
    doc.h2("who-where-what", "Who, where, what and how much")
    docs = t.get("documents")
    ents = t.get("entities")
    if ents is not None and "label" in ents.columns:
        counts = ents["label"].value_counts()
        doc.p("Mentions found: " + ", ".join(f"{k} {int(v)}" for k, v in counts.items()) + ".")
    off = t.get("officials")
    if off is not None and {"name_hans", "title_hans"} <= set(off.columns) and len(off):
        keys = [c for c in ("name_hans", "title_hans", "jurisdiction", "province")
                if c in off.columns]
        named = off[off["name_hans"].fillna("") != ""]
        table = (named.groupby(keys, dropna=False).agg(
            mentions=("name_hans", "size"), documents=("doc_id", "nunique"))
            .reset_index().sort_values("mentions", ascending=False, kind="stable"))
        doc.table(table, caption="Named officials (Simplified), with their jurisdiction")
        off_pages = off.assign(page=off["doc_id"].astype(str).str.split("#").str[0])
        n = off["title_hans"].nunique()
        _plot(doc, "Officials' titles (mentions), by the page they are on",
              lambda ax: plot_counts(off_pages, "title_hans", by="page", documents=docs,
                                     title="Officials' titles", ax=ax),
              height=1.2 + 0.3 * min(n, 15))
    places = t.get("places")
    if places is not None and len(places):
        if {"lon", "lat"} <= set(places.columns) and places["lon"].notna().any():
            _plot(doc, "Places mentioned, at their gazetteer coordinates (dot size: mentions; "
                       "grey: every county, for orientation)",
                  lambda ax: plot_place_map(places, ax=ax), width=8.5, height=6.5)
        if "province" in places.columns:
            n = places["province"].nunique()
            _plot(doc, "Place mentions by province and level",
                  lambda ax: plot_provinces(places, by="level" if "level" in places.columns
                                            else None, ax=ax),
                  height=1.2 + 0.3 * min(n, 20))
    if ents is not None and {"label", "normalized", "doc_id"} <= set(ents.columns):
        for label, title in (("platform", "Platforms named"), ("product", "Products named")):
            sub = ents[ents["label"] == label]
            if len(sub):
                sub = sub.assign(page=sub["doc_id"].astype(str).str.split("#").str[0])
                n = sub["normalized"].nunique()
                _plot(doc, f"{title}, by the page they are on",
                      lambda ax, sub=sub, title=title: plot_counts(
                          sub, "normalized", by="page", documents=docs, title=title, ax=ax),
                      height=1.2 + 0.3 * min(n, 15))
    figs = t.get("figures")
    if figs is not None and {"value", "metric", "unit"} <= set(figs.columns) and len(figs):
        _plot(doc, "Sales, audience and other figures the articles report (log scale)",
              lambda ax: plot_figures(figs, documents=docs, ax=ax), height=5.5)
        cols = [c for c in ("doc_id", "text", "value", "unit", "qualifier", "metric",
                            "subject") if c in figs.columns]
        money = figs[figs["metric"].isin(["sales", "viewers", "followers", "orders"])]
        doc.table(money.sort_values("value", ascending=False, kind="stable")[cols],
                  max_rows=15, caption="The largest sales and audience figures")
    ev = t.get("events")
    if ev is not None:
        cols = [c for c in ev.columns if c not in ("event_id",)]
        doc.table(ev[cols], caption="Livestreams held by officials (events)")
    return names


def _section_topics(doc: _Html, t: Mapping[str, pd.DataFrame]) -> set[str]:
    topics = t.get("topics")
    if topics is None:
        return set()
    doc.h2("topics", "Themes (topic model)")
    sel = t.get("topic_k_selection")
    if sel is not None and len(sel):
        if "chosen" in sel.columns and sel["chosen"].any():
            doc.p(f"k = {int(sel.loc[sel['chosen'], 'k'].iloc[0])} topics, chosen from "
                  f"{', '.join(map(str, sel['k']))} by coherence and stability.")
        doc.table(sel, caption="Choosing k")
    if {"topic", "word", "rank"} <= set(topics.columns):
        words = topics.sort_values(["topic", "rank"])
        col = "word_original" if "word_original" in words.columns else "word"
        top = (words.groupby("topic").agg(
            label=("label", "first") if "label" in words.columns else ("word", "first"),
            words=(col, lambda s: " · ".join(map(str, s.head(12))))).reset_index())
        doc.table(top, caption="The topics and their top words", width=400)
    dt = t.get("document_topics")
    if dt is not None and {"doc_id", "topic", "proportion"} <= set(dt.columns):
        from .plotting import plot_topic_prevalence

        labels = None
        if "label" in topics.columns:
            labels = topics.drop_duplicates("topic").set_index("topic")["label"]
        docs = t.get("documents")
        arts = _article_rows(dt, t)
        n = arts["doc_id"].nunique()
        if n:
            _plot(doc, "Topic prevalence by article (mean topic proportion of its paragraphs; "
                       "related-article teasers left out)",
                  lambda ax: plot_topic_prevalence(arts, labels=labels, documents=docs, ax=ax),
                  height=1.5 + 0.45 * min(n, 40))
    reps = t.get("topic_paragraphs")
    if reps is not None and len(reps):
        doc.table(reps, max_rows=12, caption="Representative paragraphs of each topic",
                  width=200)
    return {"topics", "topic_k_selection", "document_topics", "topic_paragraphs",
            "topic_prevalence"}


def _article_rows(table: pd.DataFrame, t: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows of ``table`` that belong to articles (not to related-article teasers)."""
    arts = _articles(t)
    if arts is None or "doc_id" not in table.columns:
        return table
    return table[table["doc_id"].isin(arts["doc_id"])]


def _section_debate(doc: _Html, t: Mapping[str, pd.DataFrame]) -> set[str]:
    from .plotting import plot_distinctive_words, plot_sentiment, plot_stance

    names = {"stance", "stance_by_document", "stance_by_source", "distinctive_words",
             "sentiment", "sentiment_sentences", "sentiment_documents", "sentiment_terms",
             "sentiment_by_source"}
    if not names & set(t):
        return set()
    doc.h2("debate", "The debate: stance and sentiment")
    docs = t.get("documents")
    st = t.get("stance")
    if st is not None and {"doc_id", "stance"} <= set(st.columns):
        counts = st["stance"].value_counts()
        doc.p("Paragraph stance towards officials selling online: "
              + ", ".join(f"{k} {int(v)}" for k, v in counts.items()) + ".")
        arts = _article_rows(st, t)
        if len(arts):
            n = arts["doc_id"].nunique()
            _plot(doc, "Share of support, neutral and critical paragraphs per article",
                  lambda ax: plot_stance(arts, documents=docs, ax=ax), height=1.5 + 0.45 * n)
        if docs is not None and "source" in docs.columns:
            n = docs["source"].nunique()
            _plot(doc, "Stance of paragraphs by source (teasers have no source)",
                  lambda ax: plot_stance(st, by="source", documents=docs, ax=ax),
                  height=1.5 + 0.45 * n)
        paras = t.get("paragraphs")
        if paras is not None and "score" in st.columns:
            view = side_by_side(st.assign(_strength=st["score"].abs()), paras,
                                score="_strength", n=5, width=220)
            cols = [c for c in view.columns if not c.endswith("_hans")]
            doc.table(view[cols], caption="The most clearly supportive and critical "
                      "paragraphs, side by side (original script)", width=240)
        if {"frames", "evidence", "score"} <= set(st.columns) and paras is not None:
            try:
                args = frame_arguments(st, paras, n=1, width=220)
            except Exception as exc:  # e.g. a stance table made with other frames
                doc.p(f"(arguments not summarised: {exc})", "note")
            else:
                doc.table(args.drop(columns=["rank", "quote_hans"]), width=240,
                          caption="The arguments (frames) each side makes, with the "
                                  "paragraph that argues each most clearly")
    by_doc = t.get("stance_by_document")
    if by_doc is not None:
        doc.table(_article_rows(by_doc, t), caption="Stance by article")
    dw = t.get("distinctive_words")
    if dw is not None and {"term", "group", "z"} <= set(dw.columns) and len(dw):
        _plot(doc, "Words that distinguish critical from supportive paragraphs (log-odds "
                   "with an informative Dirichlet prior, z-scores)",
              lambda ax: plot_distinctive_words(dw, n=15, ax=ax), width=7.0, height=8.5)
    sent = t.get("sentiment")
    if sent is not None and {"doc_id", "score"} <= set(sent.columns):
        arts = _article_rows(sent, t)
        if len(arts):
            n = arts["doc_id"].nunique()
            _plot(doc, "Sentiment of paragraphs per article (points) and its mean (bar)",
                  lambda ax: plot_sentiment(arts, documents=docs, ax=ax),
                  height=1.5 + 0.45 * n)
    for name, caption in (("sentiment_documents", "Sentiment by document"),
                          ("sentiment_by_source", "Sentiment by source"),
                          ("stance_by_source", "Stance by source")):
        table = t.get(name)
        if table is not None:
            doc.table(_article_rows(table, t), caption=caption)
    return names


def _generic(doc: _Html, name: str, df: pd.DataFrame) -> None:
    doc.h2(f"table-{re.sub(r'[^a-z0-9]+', '-', name.lower())}", f"Table: {name}")
    doc.p(f"{len(df):,} rows; columns: {', '.join(map(str, df.columns))}.")
    doc.table(df, max_rows=10)


#: Section builders, in report order. Each takes the report and the tables, writes a
#: section if its tables are present and returns the names of the tables it covered.
SECTIONS: list[Callable[[_Html, Mapping[str, pd.DataFrame]], set[str]]] = [
    _section_corpus,
    _section_translations,
    _section_terms,
    _section_entities,
    _section_topics,
    _section_debate,
]


def write_report(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
                 title: str = "cadrecast report", notes: Sequence[str] = (),
                 images: Mapping[str, str | Path] | None = None,
                 links: Mapping[str, str] | None = None, embed_font: bool = True) -> Path:
    """Write a self-contained HTML report of a run's tables.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The tables of a run (``cadrecast.run(...)``'s result, or any subset). Known
        tables get their own section (corpus, translations, words, entities, figures,
        topics, sentiment, stance); any other table is shown as a preview.
    path : path
        The HTML file to write (its folder must exist).
    title : str
    notes : sequence of str
        Lines shown under "Notes" (e.g. the run's README notes).
    images : mapping of caption to path, optional
        PNG files to embed as well (e.g. plots other stages wrote).
    links : mapping of file name to description, optional
        Other files of the output folder, listed with relative links.
    embed_font : bool
        Embed Noto Sans CJK, cut down to the characters the page uses (typically
        0.2-0.5 MB), so that Chinese shows even where the reader has no Chinese font.

    Returns
    -------
    pathlib.Path
        The file written. Every figure is a base64 PNG inside the file; it loads no
        script, style sheet, font or image from anywhere else.
    """
    path = Path(path)
    doc = _Html()
    covered: set[str] = set()
    for section in SECTIONS:
        covered |= section(doc, tables)
    for name, df in tables.items():
        if name not in covered and isinstance(df, pd.DataFrame):
            _generic(doc, name, df)
    if images:
        doc.h2("more-figures", "More figures from the run")
        for caption, img in images.items():
            data = Path(img).read_bytes()
            doc.png(data, caption)
    if notes:
        doc.h2("notes", "Notes")
        doc.raw("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
    if links:
        doc.h2("files", "Other files in this folder")
        doc.raw("<ul>" + "".join(
            f'<li><a href="{html.escape(f, quote=True)}">{html.escape(f)}</a>: '
            f"{html.escape(d)}</li>" for f, d in links.items()) + "</ul>")
    toc = "".join(f'<li><a href="#{a}">{html.escape(tt)}</a></li>' for a, tt in doc.toc)
    css = _CSS
    if embed_font:
        text = title + "".join(doc.parts) + "".join(tt for _, tt in doc.toc)
        css = _font_css(_IMG_DATA.sub("", text)) + _CSS
    page = (
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<p class="note">Made by cadrecast {html.escape(__version__)}. '
        f"{doc.n_figures} figures, {len(tables)} tables. Tables show their first rows; "
        "the full tables are the CSV/Parquet files beside this report.</p>\n"
        f"<nav><ul>{toc}</ul></nav>\n" + "\n".join(doc.parts) + "\n</body>\n</html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path


def report_stage(corpus: Corpus, ctx: RunContext) -> dict[str, pd.DataFrame]:
    """Pipeline stage ``report``: write ``report.html`` from every table of the run.

    Runs last. Writes nothing and returns no table when the run has no output folder.
    PNG files earlier stages wrote (``ctx.files``) are embedded too; other files are
    linked.
    """
    if ctx.out_dir is None:
        return {}
    out = Path(ctx.out_dir)
    tables = dict(ctx.results)
    for name in ("documents", "paragraphs", "removed"):
        if name not in tables and hasattr(corpus, name):
            tables[name] = getattr(corpus, name)
    images = {}
    links = {}
    for fname, desc in ctx.files.items():
        f = out / fname
        if fname.lower().endswith(".png") and f.is_file():
            images[f"{desc} ({fname})"] = f
        else:
            links[fname] = desc
    source = getattr(corpus, "source_description", "")
    write_report(tables, out / "report.html",
                 title=f"cadrecast report: {source}" if source else "cadrecast report",
                 notes=list(ctx.notes), images=images, links=links)
    ctx.files["report.html"] = ("the analysis as one self-contained web page (tables and "
                                "figures; opens offline)")
    return {}
