"""Stance towards officials selling online: support, critical or neutral, with evidence.

Each Chinese paragraph is matched against a **frame lexicon**: cue words of the
debate's frames, each tied to a side. The bundled frames
(``cadrecast/resources/stance/frames.csv``) are

* support: ``help_farmers`` (助农, 增收, 销路), ``poverty_relief`` (脱贫, 乡村振兴),
  ``close_to_people`` (亲民, 接地气, 公信力), ``service_innovation`` (政府服务, 创新);
* critical: ``formalism`` (形式主义, 作秀, 走过场), ``forced_quotas`` (摊派, 强制),
  ``fake_data`` (刷单, 造假, 注水), ``market_overreach`` (越位, 公平竞争, 寻租),
  ``not_sustainable`` (不可持续, 昙花一现), ``risks`` (风险, 隐患, 乱象),
  ``insufficient`` (仅靠, 光有, 不现实).

A cue adds its weight to its side (a cue repeated in a paragraph counts once); a
denial right before it (不是作秀, 并非形式主义) moves the weight to the other side; a
contrast marker (但是, 然而 ...) weights what follows it up (×1.5) and what precedes
it down (×0.3), as in :mod:`cadrecast.sentiment_analysis`.
The paragraph's ``score`` is ``(S - C) / (S + C + 2)`` for summed support ``S`` and
critical ``C`` weights, and ``stance`` is ``support`` when ``score >= threshold``,
``critical`` when ``score <= -threshold``, else ``neutral``.

A scholar can add frames, cues or sides' weights by editing a copy of ``frames.csv``
and passing it as ``stance(corpus, frames="my_frames.csv")``, and relabel paragraphs in
``corpus/stance_labels.csv`` to re-run :func:`evaluate_stance`, without touching code.

:func:`distinctive_words` compares the words of support and critical paragraphs with the
log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008),
computed as Scattertext does.

Examples
--------
>>> from cadrecast.stance_detection import stance_of_text
>>> stance_of_text("有的地方搞摊派，还有刷单造假，形式主义严重").stance
'critical'
>>> stance_of_text("县长直播带货帮助农民增收，助力脱贫攻坚").stance
'support'
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from .errors import ColumnError, ConfigError, CorpusError, check_choice
from .sentiment_analysis import (
    _PUNCT,
    SentimentLexicon,
    _Clauses,
    _default_tokenizer,
    _grammar,
    _match_terms,
    _Options,
    _units,
    split_sentences,
)

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus
    from .pipeline import RunContext

__all__ = [
    "FrameLexicon",
    "StanceModel",
    "StanceResult",
    "distinctive_words",
    "evaluate_stance",
    "finish_stance",
    "load_frames",
    "load_stance_labels",
    "stance",
    "stance_of_text",
    "stance_stage",
    "stance_summary",
]

SIDES = ("support", "critical")
#: Label splits: ``dev`` (the frame lexicon was tuned on it), ``test`` (held out, by a hash
#: of doc_id:para_id) and ``external`` (teasers of other articles, labelled afterwards).
SPLITS = ("dev", "test", "external")
STANCES = ("support", "critical", "neutral")

#: Denials that move a cue to the other side (不是作秀 argues against the critique).
#: Injunctions (不能, 不要, 避免, 防止) are not here: "不能只图热闹" still raises the critique.
DENIALS = frozenset({
    "不是", "并非", "并不是", "绝非", "绝不是", "而非", "没有", "并没有", "没", "并未", "从未",
    "从不", "不存在", "谈不上", "算不上", "称不上", "远非", "非",
})
#: Negators that turn a support cue to the critical side (并不值得提倡, 难以持续, 不应提倡,
#: 不能鼓励) but leave a critical cue where it is: 管理不规范, 不到位 and 官员直播不能作秀
#: still speak against; only the denials above (不是作秀) turn a critical cue around.
SUPPORT_NEGATORS = frozenset({"不", "并不", "未必", "难以", "不太", "不能", "不应", "不应该", "不该",
                              "不宜", "不可", "不要", "不得", "切忌", "严禁"})
#: Frames about how government itself behaves: a paragraph with a strong cue of one of them
#: (weight >= :data:`GOVERNMENT_CUE_WEIGHT`: 政绩工程, 层层摊派, 权力寻租) is on target even
#: when it names no official (一些地方把直播带货当成政绩工程，层层摊派观看任务).
GOVERNMENT_FRAMES = frozenset({"formalism", "forced_quotas", "market_overreach"})
GOVERNMENT_CUE_WEIGHT = 2.0
#: Frames about how government itself behaves: a paragraph that uses one of their cues is
#: on target even without naming officials (一些地方把直播带货当成政绩工程，层层摊派).
GOVERNMENT_FRAMES = frozenset({"formalism", "forced_quotas", "market_overreach", "service_innovation"})


# --------------------------------------------------------------------------- frames
@dataclass(frozen=True)
class FrameLexicon:
    """Cue words of the debate's frames (see :func:`load_frames`).

    Attributes
    ----------
    table : DataFrame
        ``frame``, ``side`` (support / critical), ``cue`` (Simplified), ``weight``,
        ``note``; one row per cue.
    source : str
        Where the frames came from.
    """

    table: pd.DataFrame
    source: str = "bundled"

    @functools.cached_property
    def cues(self) -> dict[str, tuple[str, str, float]]:
        """cue -> (frame, side, weight); a cue listed twice keeps its last row."""
        return {r.cue: (r.frame, r.side, float(r.weight)) for r in self.table.itertuples()}

    @functools.cached_property
    def max_chars(self) -> int:
        return max((len(c) for c in self.cues), default=1)

    @property
    def frames(self) -> list[str]:
        """Frame names, in file order."""
        return list(dict.fromkeys(self.table["frame"]))

    def __hash__(self) -> int:
        return id(self)


def load_frames(path: str | Path | None = None) -> FrameLexicon:
    """Read a frame lexicon CSV (default: the bundled ``stance/frames.csv``).

    The file is UTF-8 CSV with columns ``frame``, ``side``, ``cue``, ``weight`` and
    optionally ``note``; lines starting with ``#`` are comments. ``side`` is
    ``support`` or ``critical``; ``cue`` may be Simplified or Traditional (it is
    converted to Simplified); ``weight`` is a positive number (about 0.5 weak ... 2
    strong).

    Raises
    ------
    ColumnError
        A missing column, an unknown side or a weight that is not a positive number
        (the message names the file and line).

    Examples
    --------
    >>> frames = load_frames()
    >>> frames.cues["摊派"][:2]
    ('forced_quotas', 'critical')
    """
    from .script import to_simplified

    if path is None:
        from .resources import read_text

        text, source = read_text("stance/frames.csv"), "cadrecast/resources/stance/frames.csv"
    else:
        p = Path(path)
        if not p.is_file():
            from .errors import CorpusNotFoundError

            raise CorpusNotFoundError(f"Frame file {str(p)!r} does not exist.")
        text, source = p.read_text(encoding="utf-8-sig"), str(p)
    import csv
    import io

    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise CorpusError(f"{source}: no frames (the file is empty).")
    reader = csv.reader(io.StringIO("\n".join(ln for _, ln in lines)))
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in ("frame", "side", "cue", "weight") if c not in header]
    if missing:
        raise ColumnError(f"{source}: line {lines[0][0]}: the header lacks column(s) "
                          f"{', '.join(missing)} (need frame, side, cue, weight[, note]).")
    rows = []
    for (lineno, _), values in zip(lines[1:], reader, strict=False):
        rec = dict(zip(header, (v.strip() for v in values), strict=False))
        side = rec.get("side", "")
        if side not in SIDES:
            raise ColumnError(f"{source}: line {lineno}: side {side!r} is not 'support' or "
                              "'critical'.")
        try:
            weight = float(rec.get("weight", ""))
        except ValueError:
            weight = math.nan
        if not weight > 0:
            raise ColumnError(f"{source}: line {lineno}: weight {rec.get('weight')!r} is not "
                              "a positive number.")
        cue = to_simplified(rec.get("cue", ""))
        if not cue or not rec.get("frame"):
            raise ColumnError(f"{source}: line {lineno}: empty frame or cue.")
        rows.append((rec["frame"], side, cue, weight, rec.get("note", "")))
    table = pd.DataFrame(rows, columns=["frame", "side", "cue", "weight", "note"])
    return FrameLexicon(table, source)


# --------------------------------------------------------------------------- scoring
class Cue(NamedTuple):
    """One frame cue found in a text."""

    cue: str
    frame: str
    side: str  # the side the cue counted for (after denial)
    value: float
    modifiers: str


class StanceResult(NamedTuple):
    """The stance of one text (see :func:`stance_of_text`)."""

    stance: str
    score: float
    support: float
    critical: float
    cues: tuple[Cue, ...]

    @property
    def evidence(self) -> str:
        return _format_cues(self.cues)


def _sentence_cues(tokens: list[str], frames: FrameLexicon, lex: SentimentLexicon,
                   opt: _Options) -> list[Cue]:
    matches = _match_terms(tokens, frames.cues, frames.max_chars)
    if not matches:
        return []
    sentence = _Clauses(tokens, lex)
    clause = sentence.clause
    out = []
    for start, end, cue in matches:
        frame, side, weight = frames.cues[cue]
        value, mods = weight, []
        # a denial within two words before the cue, same clause
        for k in range(start - 1, max(-1, start - 3), -1):
            if clause[k] != clause[start]:
                break
            tok = tokens[k]
            if tok in SUPPORT_NEGATORS and k > 0 and tokens[k - 1] == tok[1:]:
                break  # 能不能实现增收: a question, not a denial
            if tok in DENIALS or (tok in SUPPORT_NEGATORS and side == "support"):
                side = "support" if side == "critical" else "critical"
                mods.append(tok)
                break
            if tok in SUPPORT_NEGATORS:
                break
        factor, mod = sentence.contrast(start, end, opt)
        if mod:
            value *= factor
            mods.append(mod)
        out.append(Cue(cue, frame, side, round(value, 6), "|".join(mods)))
    return out


def _decide(cues: Iterable[Cue], threshold: float, smoothing: float = 2.0,
            extra: tuple[float, float] = (0.0, 0.0)) -> tuple[str, float, float, float]:
    best: dict[tuple[str, str], float] = {}
    for c in cues:  # a cue repeated in a paragraph counts once, at its strongest
        key = (c.cue, c.side)
        best[key] = max(best.get(key, 0.0), c.value)
    s = sum(v for (_, side), v in best.items() if side == "support") + extra[0]
    k = sum(v for (_, side), v in best.items() if side == "critical") + extra[1]
    score = (s - k) / (s + k + smoothing)
    label = "support" if score >= threshold else "critical" if score <= -threshold else "neutral"
    return label, round(score, 6), round(s, 6), round(k, 6)


def _format_cues(cues: Iterable[Cue], limit: int = 6) -> str:
    best: dict[tuple[str, str], Cue] = {}
    for c in cues:
        key = (c.cue, c.side)
        if key not in best or c.value > best[key].value:
            best[key] = c
    ranked = sorted(best.values(), key=lambda c: -c.value)[:limit]
    parts = []
    for c in ranked:
        mods = f"|{c.modifiers}" if c.modifiers else ""
        sign = "+" if c.side == "support" else "-"
        parts.append(f"{c.cue}({c.frame}{mods}){sign}{c.value:.2f}")
    return "; ".join(parts)


def stance_of_text(
    text: str,
    *,
    frames: FrameLexicon | str | Path | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
    threshold: float = 0.2,
) -> StanceResult:
    """Stance of one text (Simplified or Traditional) from the frame lexicon.

    Examples
    --------
    >>> r = stance_of_text("不是作秀，而是实实在在帮农民增收")
    >>> r.stance, r.evidence
    ('support', '增收(help_farmers|after:而是)+2.25; 作秀(formalism|不是|before:而是)+0.60')
    """
    from .script import to_simplified

    fl = frames if isinstance(frames, FrameLexicon) else load_frames(frames)
    lex = _grammar_lexicon()
    cut = tokenizer or _default_tokenizer()
    cues: list[Cue] = []
    for sent in split_sentences(to_simplified(text or "")):
        cues.extend(_sentence_cues([t for t in cut(sent) if t.strip()], fl, lex, _Options()))
    label, score, s, k = _decide(cues, threshold)
    return StanceResult(label, score, s, k, tuple(cues))


@functools.lru_cache(maxsize=1)
def _grammar_lexicon() -> SentimentLexicon:
    negators, degree, contrast, concession = _grammar()
    return SentimentLexicon({}, negators, degree, contrast, concession, name="grammar")


def stance(
    corpus: Corpus | pd.DataFrame,
    *,
    frames: FrameLexicon | str | Path | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
    threshold: float = 0.2,
    target_context: int | None = 2,
) -> pd.DataFrame:
    """Stance of every Chinese paragraph towards officials selling online.

    Parameters
    ----------
    corpus : Corpus or DataFrame
        A :class:`~cadrecast.Corpus`, or a table with ``doc_id``, ``para_id`` and
        ``text`` / ``text_hans`` columns.
    frames : FrameLexicon or path, optional
        Your frame lexicon CSV (see :func:`load_frames`); default: the bundled one.
    tokenizer : callable, optional
        ``str -> list[str]``; default: cadrecast's word segmenter.
    threshold : float
        ``|score|`` needed to call a side (default 0.2).
    target_context : int or None
        A paragraph takes a side only if it names officials or government (the words of
        ``stance/targets.txt``: 官员, 干部, 县长, 政府 ...), or its document's title does,
        or one of the ``target_context`` paragraphs before it does; otherwise its stance
        is ``neutral`` (``on_target`` False; ``score`` and ``evidence`` are kept), since
        livestream selling by celebrities or firms is not the debate. ``None`` turns the
        check off.

    Returns
    -------
    DataFrame
        One row per paragraph: ``doc_id``, ``para_id``, ``stance`` (support / critical
        / neutral), ``score`` (in (-1, 1): ``(S - C) / (S + C + 2)``; > 0 leans
        support), ``evidence`` (the cues that fired: ``cue(frame|modifiers)±value``),
        ``support`` and ``critical`` (summed cue weights ``S`` and ``C``), ``frames``
        (the frames that fired, ``;``-joined, strongest first), ``n_cues`` and
        ``on_target`` (the paragraph or its context names officials; see
        ``target_context``). Documents come in input order, paragraphs by ``para_id``.
        A paragraph's row depends on its own document alone (its text, title and
        earlier paragraphs), so a batch of documents gives the same rows as the corpus.

    Examples
    --------
    >>> import cadrecast as cc
    >>> table = cc.stance(cc.load_corpus())                   # doctest: +SKIP
    >>> table["stance"].value_counts().index.tolist()         # doctest: +SKIP
    ['neutral', 'support', 'critical']
    """
    return _stance(corpus, frames, tokenizer, threshold, target_context)[0]


def _stance(
    corpus: Corpus | pd.DataFrame,
    frames: FrameLexicon | str | Path | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
    threshold: float = 0.2,
    target_context: int | None = 2,
) -> tuple[pd.DataFrame, dict[tuple, str]]:
    """:func:`stance`'s table, and each paragraph's Simplified text by (doc_id, para_id)."""
    fl = frames if isinstance(frames, FrameLexicon) else load_frames(frames)
    lex = _grammar_lexicon()
    cut = tokenizer or _default_tokenizer()
    opt = _Options()
    per_para: dict[tuple, list[Cue]] = {}
    texts: dict[tuple, str] = {}
    for row in _units(corpus).itertuples(index=False):
        text = row.text_hans if isinstance(row.text_hans, str) else ""
        cues = _sentence_cues([t for t in cut(text) if t.strip()], fl, lex, opt) if text else []
        key = (row.doc_id, row.para_id)
        per_para.setdefault(key, []).extend(cues)
        texts[key] = texts.get(key, "") + text
    governmental = {key for key, cues in per_para.items()
                    if any(c.frame in GOVERNMENT_FRAMES and fl.cues[c.cue][2] >= GOVERNMENT_CUE_WEIGHT
                           for c in cues)}
    on_target = _on_target(texts, _titles(corpus), target_context, governmental)
    rows = []
    for (doc_id, para_id), cues in per_para.items():
        label, score, s, k = _decide(cues, threshold)
        if not on_target[(doc_id, para_id)]:
            label = "neutral"
        weight: Counter[str] = Counter()
        for c in cues:
            weight[c.frame] += c.value
        rows.append((doc_id, int(para_id), label, score, _format_cues(cues), s, k,
                     ";".join(f for f, _ in weight.most_common()), len(cues),
                     on_target[(doc_id, para_id)]))
    cols = ["doc_id", "para_id", "stance", "score", "evidence", "support", "critical",
            "frames", "n_cues", "on_target"]
    df = pd.DataFrame(rows, columns=cols)
    df["para_id"] = df["para_id"].astype("int64")
    # documents in input order (as every per-paragraph table), paragraphs by para_id: a
    # batch's rows are then the whole corpus' rows for its documents, in the same order
    position = {d: i for i, d in enumerate(dict.fromkeys(df["doc_id"]))}
    df = (df.assign(_pos=df["doc_id"].map(position))
          .sort_values(["_pos", "para_id"], kind="stable").drop(columns="_pos"))
    return df.reset_index(drop=True), texts


@functools.lru_cache(maxsize=1)
def _targets() -> tuple[str, ...]:
    from .resources import read_text

    return tuple(w.strip() for w in read_text("stance/targets.txt").splitlines()
                 if w.strip() and not w.startswith("#"))


def _titles(corpus: Corpus | pd.DataFrame) -> dict[str, str]:
    """doc_id -> Simplified title (a corpus's title paragraphs; else the first paragraph)."""
    from .corpus import Corpus

    if isinstance(corpus, Corpus):
        paras = corpus.paragraphs
        titles = paras[paras["role"] == "title"]
        return dict(zip(titles["doc_id"], titles["text_hans"].fillna(""), strict=True))
    return {}


def _on_target(texts: Mapping[tuple, str], titles: Mapping[str, str],
               context: int | None, governmental: Collection[tuple] = ()) -> dict[tuple, bool]:
    if context is None:
        return dict.fromkeys(texts, True)
    targets = _targets()

    def names(text: str) -> bool:
        return any(t in text for t in targets)

    hits = {key: names(text) or key in governmental for key, text in texts.items()}
    out: dict[tuple, bool] = {}
    by_doc: dict[str, list] = {}
    for key in texts:
        by_doc.setdefault(key[0], []).append(key)
    for doc_id, keys in by_doc.items():
        keys.sort(key=lambda k: k[1])
        title_hit = names(titles.get(doc_id, "")) or hits[keys[0]]
        for i, key in enumerate(keys):
            out[key] = title_hit or any(hits[k] for k in keys[max(0, i - context):i + 1])
    return out


def stance_summary(table: pd.DataFrame, corpus: Corpus | None = None, *,
                   by: str = "doc_id") -> pd.DataFrame:
    """Count and weigh stances by document or source.

    Returns
    -------
    DataFrame
        One row per group: ``n``, ``n_support``, ``n_critical``, ``n_neutral``,
        ``share_support``, ``share_critical`` (of all paragraphs), ``balance``
        (``(n_support - n_critical) / (n_support + n_critical)``, 0 when neither) and
        ``mean_score``.

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "a"], "stance": ["support", "critical",
    ...                   "support"], "score": [0.5, -0.4, 0.3]})
    >>> stance_summary(t)[["doc_id", "n_support", "balance"]].values.tolist()
    [['a', 2, 0.333333]]
    """
    check_choice("by", by, ["doc_id", "source"])
    for col in ("doc_id", "stance", "score"):
        if col not in table.columns:
            raise ColumnError(f"stance_summary() needs column {col!r} (the table of stance()).")
    df = table
    if by == "source":
        if corpus is None:
            raise ConfigError("stance_summary(by='source') needs corpus= for the sources.")
        df = df.merge(corpus.documents[["doc_id", "source"]], on="doc_id", how="left")
        df["source"] = df["source"].fillna("(unknown)")
    out = df.groupby(by, sort=True).agg(
        n=("stance", "size"),
        n_support=("stance", lambda s: int((s == "support").sum())),
        n_critical=("stance", lambda s: int((s == "critical").sum())),
        n_neutral=("stance", lambda s: int((s == "neutral").sum())),
        mean_score=("score", "mean"),
    ).reset_index()
    out["share_support"] = (out["n_support"] / out["n"]).round(6)
    out["share_critical"] = (out["n_critical"] / out["n"]).round(6)
    sided = out["n_support"] + out["n_critical"]
    out["balance"] = ((out["n_support"] - out["n_critical"]) / sided.where(sided > 0)).fillna(0.0)
    out["balance"] = out["balance"].round(6)
    out["mean_score"] = out["mean_score"].round(6)
    return out


# --------------------------------------------------------------------------- labels
def load_stance_labels(path: str | Path | None = None) -> pd.DataFrame:
    """Read hand labels: ``doc_id``, ``para_id``, ``stance``, ``frame``, ``split``, ``note``.

    Default: ``stance_labels.csv`` of the bundled corpus (the seed paragraphs labelled by
    the guideline in ``docs/stance_guideline.md``). ``split`` (``dev`` / ``test``) is
    optional; rows without it are assigned by a hash of ``doc_id:para_id``.

    Examples
    --------
    >>> labels = load_stance_labels()
    >>> sorted(labels["stance"].unique())
    ['critical', 'neutral', 'support']
    """
    if path is None:
        from .corpus import bundled_corpus_path

        path = Path(str(bundled_corpus_path())) / "stance_labels.csv"
    p = Path(path)
    if not p.is_file():
        from .errors import CorpusNotFoundError

        raise CorpusNotFoundError(f"Stance label file {str(p)!r} does not exist.")
    df = pd.read_csv(p, dtype={"doc_id": str}, keep_default_na=False)
    missing = [c for c in ("doc_id", "para_id", "stance") if c not in df.columns]
    if missing:
        raise ColumnError(f"{p}: missing column(s) {', '.join(missing)} "
                          "(need doc_id, para_id, stance[, frame, split, note]).")
    bad = df.loc[~df["stance"].isin(STANCES)]
    if len(bad):
        first = bad.index[0]
        raise ColumnError(f"{p}: line {first + 2}: stance {bad['stance'].iloc[0]!r} is not one "
                          f"of {', '.join(STANCES)}.")
    df["para_id"] = df["para_id"].astype("int64")
    if "split" not in df.columns:
        df["split"] = ""
    df["split"] = [s if s in SPLITS else _hash_split(d, p_)
                   for s, d, p_ in zip(df["split"], df["doc_id"], df["para_id"], strict=True)]
    for col in ("frame", "note"):
        if col not in df.columns:
            df[col] = ""
    return df[["doc_id", "para_id", "stance", "frame", "split", "note"]]


def _hash_split(doc_id: str, para_id: int) -> str:
    h = int(hashlib.sha1(f"{doc_id}:{para_id}".encode()).hexdigest(), 16)
    return "test" if h % 2 else "dev"


def evaluate_stance(
    predicted: pd.DataFrame,
    labels: pd.DataFrame | str | Path | None = None,
    *,
    split: str | None = "test",
) -> dict[str, float]:
    """Compare predicted stances with hand labels.

    Parameters
    ----------
    predicted : DataFrame
        The table of :func:`stance` (``doc_id``, ``para_id``, ``stance``, ``score``).
    labels : DataFrame or path, optional
        Hand labels (see :func:`load_stance_labels`); default: the bundled ones.
    split : {"test", "dev", "external", None}
        Evaluate on the held-out ``test`` paragraphs (default), the ``dev`` paragraphs
        the frame lexicon was tuned on, the ``external`` teasers of other articles
        (labelled after the lexicon was written), or all (``None``).

    Returns
    -------
    dict
        ``n`` and ``accuracy`` / ``macro_f1`` over the three classes; ``n_sided`` and
        ``side_accuracy``: among paragraphs labelled support or critical, the share whose
        predicted side (the sign of ``score``; 0 counts as wrong) is right;
        ``sided_accuracy`` / ``sided_macro_f1``: the same paragraphs, counting a
        ``neutral`` prediction as wrong.

    Examples
    --------
    >>> import cadrecast as cc                                # doctest: +SKIP
    >>> evaluate_stance(cc.stance(cc.load_corpus()))["side_accuracy"] >= 0.85  # doctest: +SKIP
    True
    """
    gold = labels if isinstance(labels, pd.DataFrame) else load_stance_labels(labels)
    if split is not None:
        check_choice("split", split, SPLITS)
        gold = gold[gold["split"] == split]
    merged = gold.merge(predicted[["doc_id", "para_id", "stance", "score"]],
                        on=["doc_id", "para_id"], how="inner", suffixes=("_gold", ""))
    if merged.empty:
        raise ColumnError("evaluate_stance(): no labelled paragraph is in the predictions "
                          "(check doc_id / para_id).")
    y, p = merged["stance_gold"].tolist(), merged["stance"].tolist()
    sided = merged[merged["stance_gold"].isin(SIDES)]
    side_pred = ["support" if s > 0 else "critical" if s < 0 else "none" for s in sided["score"]]
    return {
        "n": len(merged),
        "accuracy": round(_accuracy(y, p), 6),
        "macro_f1": round(_macro_f1(y, p, STANCES), 6),
        "n_sided": len(sided),
        "side_accuracy": round(_accuracy(sided["stance_gold"].tolist(), side_pred), 6),
        "sided_accuracy": round(_accuracy(sided["stance_gold"].tolist(),
                                          sided["stance"].tolist()), 6),
        "sided_macro_f1": round(_macro_f1(sided["stance_gold"].tolist(),
                                          sided["stance"].tolist(), SIDES), 6),
    }


def _accuracy(y: list[str], p: list[str]) -> float:
    return sum(a == b for a, b in zip(y, p, strict=True)) / len(y) if y else math.nan


def _macro_f1(y: list[str], p: list[str], classes: Iterable[str]) -> float:
    f1s = []
    for c in classes:
        tp = sum(a == c and b == c for a, b in zip(y, p, strict=True))
        fp = sum(a != c and b == c for a, b in zip(y, p, strict=True))
        fn = sum(a == c and b != c for a, b in zip(y, p, strict=True))
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s) if f1s else math.nan


# --------------------------------------------------------------------------- model
class StanceModel:
    """A small supervised model for the side (support vs critical) of a paragraph.

    Logistic regression (scikit-learn) on TF-IDF character n-grams of the paragraph's
    Simplified text plus the frame lexicon's ``support``, ``critical`` and ``score``.
    It only decides the side: whether a paragraph takes a side at all stays the frame
    lexicon's call (``neutral`` when ``|score| < threshold``), so the model needs only
    support / critical labels. Trained by default on the ``dev`` split of the bundled
    labels, it can be compared with the lexicon on the held-out ``test`` split
    (``benchmarks/stance_eval.py``).

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    ngram_range : (int, int)
        Character n-gram lengths.
    frames : FrameLexicon or path, optional
        The frame lexicon whose scores are features (default: bundled).
    threshold : float
        Lexicon ``|score|`` below which a paragraph is ``neutral``.
    random_state : int
        Seed of the solver (the fit is deterministic).

    Attributes
    ----------
    classifier_ : sklearn LogisticRegression
    vectorizer_ : sklearn TfidfVectorizer
    n_train_ : int
        Number of labelled paragraphs used.

    Examples
    --------
    >>> import cadrecast as cc                                 # doctest: +SKIP
    >>> model = StanceModel().fit(cc.load_corpus())             # doctest: +SKIP
    >>> table = model.predict(cc.load_corpus())                 # doctest: +SKIP
    """

    def __init__(self, *, C: float = 10.0, ngram_range: tuple[int, int] = (1, 2),
                 frames: FrameLexicon | str | Path | None = None, threshold: float = 0.2,
                 random_state: int = 0) -> None:
        self.C = C
        self.ngram_range = ngram_range
        self.frames = frames
        self.threshold = threshold
        self.random_state = random_state

    def __repr__(self) -> str:
        return (f"StanceModel(C={self.C}, ngram_range={self.ngram_range}, "
                f"threshold={self.threshold})")

    def _table(self, corpus: Corpus | pd.DataFrame) -> pd.DataFrame:
        lexicon = stance(corpus, frames=self.frames, threshold=self.threshold)
        units = _units(corpus)
        text = (units.groupby(["doc_id", "para_id"], sort=False)["text_hans"]
                .agg(lambda s: "".join(x for x in s if isinstance(x, str))).reset_index())
        return lexicon.merge(text, on=["doc_id", "para_id"], how="left")

    def _features(self, table: pd.DataFrame, fit: bool = False) -> Any:
        import numpy as np
        from scipy.sparse import csr_matrix, hstack

        texts = table["text_hans"].fillna("")
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range,
                                               sublinear_tf=True)
            grams = self.vectorizer_.fit_transform(texts)
        else:
            grams = self.vectorizer_.transform(texts)
        lex = csr_matrix(np.c_[table["support"].to_numpy(float),
                               table["critical"].to_numpy(float),
                               table["score"].to_numpy(float)])
        return hstack([grams, lex]).tocsr()

    def fit(self, corpus: Corpus | pd.DataFrame, labels: pd.DataFrame | str | Path | None = None,
            *, split: str | None = "dev") -> StanceModel:
        """Train on the support / critical paragraphs of ``labels`` (default: bundled, dev split).

        Returns
        -------
        StanceModel
            ``self``, fitted.
        """
        try:
            from sklearn.linear_model import LogisticRegression
        except ImportError as err:
            from .errors import DependencyError

            raise DependencyError("StanceModel needs scikit-learn: pip install scikit-learn "
                                  f"({err}).") from err

        gold = labels if isinstance(labels, pd.DataFrame) else load_stance_labels(labels)
        if split is not None:
            check_choice("split", split, SPLITS)
            gold = gold[gold["split"] == split]
        gold = gold[gold["stance"].isin(SIDES)]
        table = self._table(corpus).merge(gold[["doc_id", "para_id", "stance"]],
                                          on=["doc_id", "para_id"], suffixes=("", "_gold"))
        if table["stance_gold"].nunique() < 2:
            raise CorpusError("StanceModel.fit(): the labelled paragraphs found in the corpus "
                              "do not include both support and critical ones.")
        self.classifier_ = LogisticRegression(C=self.C, max_iter=2000,
                                              random_state=self.random_state)
        self.classifier_.fit(self._features(table, fit=True), table["stance_gold"])
        self.n_train_ = len(table)
        return self

    def predict(self, corpus: Corpus | pd.DataFrame) -> pd.DataFrame:
        """Stance table like :func:`stance`; the side comes from the model.

        ``score`` is ``P(support) - P(critical)`` from the model; ``stance`` is
        ``neutral`` where the frame lexicon finds no side, else the model's side.
        ``evidence`` keeps the lexicon's cues and adds the model's probability.
        """
        from .errors import NotFittedError

        if not hasattr(self, "classifier_"):
            raise NotFittedError("StanceModel.predict() before fit(): call "
                                 "StanceModel().fit(corpus) first.")
        return self._predict_table(self._table(corpus))

    def _predict_table(self, table: pd.DataFrame) -> pd.DataFrame:
        """:meth:`predict` on a lexicon stance table with a ``text_hans`` column."""
        out = table.drop(columns=["text_hans"])
        if not len(table):  # no Chinese paragraph (a batch of English documents)
            out["score"] = out["score"].astype("float64")
            return out
        proba = self.classifier_.predict_proba(self._features(table))
        p_support = proba[:, list(self.classifier_.classes_).index("support")]
        out["score"] = (2 * p_support - 1).round(6)
        sided = out["stance"] != "neutral"
        out.loc[sided, "stance"] = ["support" if p >= 0.5 else "critical"
                                    for p in p_support[sided.to_numpy()]]
        out["evidence"] = [f"model P(support)={p:.2f}" + (f"; {e}" if e else "")
                           for p, e in zip(p_support, out["evidence"], strict=True)]
        return out


# --------------------------------------------------------------------------- comparison
def log_odds_dirichlet(
    counts_a: Mapping[str, int] | pd.Series,
    counts_b: Mapping[str, int] | pd.Series,
    prior: Mapping[str, float] | pd.Series | None = None,
    *,
    alpha: float = 1.0,
    prior_scale: str = "class-size",
) -> pd.DataFrame:
    """Log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008).

    Parameters
    ----------
    counts_a, counts_b : mapping or Series
        Word counts of the two groups.
    prior : mapping or Series, optional
        Background counts that shape the prior (default: ``counts_a + counts_b``); a
        word missing from it gets a pseudo-count of 0.01.
    alpha : float
        Prior strength. With ``prior_scale="class-size"`` (Scattertext's scaling) each
        group's prior pseudo-counts sum to ``alpha`` times that group's word count; with
        ``"fixed"`` (Monroe et al.'s) both groups share pseudo-counts summing to ``alpha``.
    prior_scale : {"class-size", "fixed"}

    Returns
    -------
    DataFrame
        Indexed by word: ``count_a``, ``count_b``, ``log_odds`` (δ, > 0 favours group
        a), ``variance`` and ``z`` (δ / sqrt(variance)).

    Examples
    --------
    >>> t = log_odds_dirichlet({"作秀": 5, "助农": 1}, {"作秀": 1, "助农": 6})
    >>> bool(t.loc["作秀", "z"] > 0 > t.loc["助农", "z"])
    True
    """
    import numpy as np

    check_choice("prior_scale", prior_scale, ["class-size", "fixed"])
    a = pd.Series(counts_a, dtype="float64")
    b = pd.Series(counts_b, dtype="float64")
    vocab = a.index.union(b.index)
    y_a = a.reindex(vocab, fill_value=0.0).to_numpy()
    y_b = b.reindex(vocab, fill_value=0.0).to_numpy()
    if prior is None:
        pri = y_a + y_b
    else:
        pri = pd.Series(prior, dtype="float64").reindex(vocab, fill_value=0.0).to_numpy()
    pri = np.where(pri > 0, pri, 0.01)
    n_a, n_b = y_a.sum(), y_b.sum()
    if n_a == 0 or n_b == 0:
        raise CorpusError("log_odds_dirichlet(): both groups need at least one word.")
    share = pri / pri.sum()
    if prior_scale == "class-size":
        a_wa, a_wb = share * n_a * alpha, share * n_b * alpha
    else:
        a_wa = a_wb = share * alpha
    a_0a, a_0b = a_wa.sum(), a_wb.sum()
    delta = (np.log((y_a + a_wa) / (n_a + a_0a - y_a - a_wa))
             - np.log((y_b + a_wb) / (n_b + a_0b - y_b - a_wb)))
    var = (1 / (y_a + a_wa) + 1 / (n_a + a_0a - y_a - a_wa)
           + 1 / (y_b + a_wb) + 1 / (n_b + a_0b - y_b - a_wb))
    return pd.DataFrame({"count_a": y_a.astype("int64"), "count_b": y_b.astype("int64"),
                         "log_odds": delta, "variance": var, "z": delta / np.sqrt(var)},
                        index=pd.Index(vocab, name="term"))


def distinctive_words(
    data: Corpus | pd.DataFrame,
    stances: pd.DataFrame | None = None,
    *,
    by: str = "stance",
    groups: tuple[str, str] = ("critical", "support"),
    tokenizer: Callable[[str], list[str]] | None = None,
    min_count: int = 2,
    top: int | None = 30,
    alpha: float = 1.0,
    prior_scale: str = "class-size",
    stopwords: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Words that distinguish two groups of paragraphs (default: critical vs support).

    Uses :func:`log_odds_dirichlet` with the word counts of all given paragraphs as the
    prior, which keeps rare words from topping the list on one or two occurrences.

    Parameters
    ----------
    data : Corpus or DataFrame
        A corpus (its Chinese paragraphs are classified with :func:`stance` unless
        ``stances`` is given), or a table with ``text`` / ``text_hans`` and the ``by``
        column.
    stances : DataFrame, optional
        A table with ``doc_id``, ``para_id`` and the ``by`` column (e.g. the result of
        :func:`stance`, or hand labels) to group the corpus's paragraphs.
    by : str
        The grouping column.
    groups : (str, str)
        The two groups compared; positive ``log_odds`` / ``z`` favour the first.
    min_count : int
        Keep words used at least this often in the two groups together.
    top : int or None
        Keep the ``top`` most distinctive words of each group (``None``: all).
    alpha, prior_scale
        See :func:`log_odds_dirichlet`.
    stopwords : iterable of str, optional
        Words to leave out (default: cadrecast's Chinese stop words when available,
        plus punctuation, digits and one-character function words).

    Returns
    -------
    DataFrame
        ``term``, ``group`` (the group it distinguishes), ``count_<a>``, ``count_<b>``,
        ``log_odds``, ``z`` and ``rank`` (1 = most distinctive within its group),
        sorted by group then rank.

    Examples
    --------
    >>> t = pd.DataFrame({"stance": ["critical", "support"] * 2,
    ...                   "text": ["摊派作秀", "助农增收", "摊派刷单", "助农脱贫"]})
    >>> distinctive_words(t, min_count=1, tokenizer=list)["term"].tolist()[:2]  # doctest: +SKIP
    ['摊', '派']
    """
    from .corpus import Corpus

    if len(groups) != 2 or groups[0] == groups[1]:
        raise ConfigError(f"groups={groups!r} must name two different groups.")
    if isinstance(data, Corpus):
        paras = data.paragraphs
        paras = paras[paras["language"] == "zh"][["doc_id", "para_id", "text_hans"]]
        if stances is None:
            stances = stance(data, tokenizer=tokenizer)
        if by not in stances.columns:
            raise ColumnError(f"distinctive_words(): the stances table has no {by!r} column.")
        table = paras.merge(stances[["doc_id", "para_id", by]], on=["doc_id", "para_id"])
        text_col = "text_hans"
    else:
        table = data
        if stances is not None:
            table = table.merge(stances[["doc_id", "para_id", by]], on=["doc_id", "para_id"])
        text_col = "text_hans" if "text_hans" in table.columns else "text"
        for col in (by, text_col):
            if col not in table.columns:
                raise ColumnError(f"distinctive_words() needs a {col!r} column; the table has "
                                  f"{', '.join(map(str, table.columns))}.")
    counter = _WordCounts(groups, tokenizer, stopwords)
    counter.add(table[text_col], table[by])
    return counter.distinctive(min_count=min_count, top=top, alpha=alpha,
                               prior_scale=prior_scale)


class _WordCounts:
    """Word counts of two groups of paragraphs, added up part by part (order-free)."""

    def __init__(self, groups: tuple[str, str],
                 tokenizer: Callable[[str], list[str]] | None = None,
                 stopwords: Iterable[str] | None = None) -> None:
        self.groups = groups
        self.cut = tokenizer or _default_tokenizer()
        self.stop = set(_stopwords() if stopwords is None else stopwords)
        self.counts: dict[str, Counter[str]] = {g: Counter() for g in groups}
        self.background: Counter[str] = Counter()
        self.found: set = set()

    def add(self, texts: Iterable[Any], groups: Iterable[Any]) -> None:
        from .script import to_simplified

        for text, grp in zip(texts, groups, strict=True):
            self.found.add(grp)
            if not isinstance(text, str):
                continue
            words = [w for w in self.cut(to_simplified(text))
                     if _is_word(w) and w not in self.stop]
            self.background.update(words)
            if grp in self.counts:
                self.counts[grp].update(words)

    def distinctive(self, *, min_count: int = 2, top: int | None = 30, alpha: float = 1.0,
                    prior_scale: str = "class-size") -> pd.DataFrame:
        """:func:`distinctive_words`'s table from the counts (same defaults)."""
        counts, background = self.counts, self.background
        a, b = self.groups
        if not counts[a] or not counts[b]:
            raise CorpusError(f"distinctive_words(): group {a if not counts[a] else b!r} has no "
                              f"words (groups found: {sorted(self.found)}).")
        res = log_odds_dirichlet(counts[a], counts[b], background, alpha=alpha,
                                 prior_scale=prior_scale)
        res = res[(res["count_a"] + res["count_b"]) >= min_count].reset_index()
        res["group"] = [a if z > 0 else b for z in res["z"]]
        res["rank"] = (res.assign(absz=res["z"].abs())
                       .groupby("group")["absz"].rank(ascending=False, method="first")
                       .astype("int64"))
        if top is not None:
            res = res[res["rank"] <= top]
        res = res.rename(columns={"count_a": f"count_{a}", "count_b": f"count_{b}"})
        res["log_odds"] = res["log_odds"].round(6)
        res["z"] = res["z"].round(6)
        order = {a: 0, b: 1}
        res = res.sort_values(["group", "rank"], key=lambda s: s.map(order) if s.name == "group"
                              else s).reset_index(drop=True)
        return res[["term", "group", f"count_{a}", f"count_{b}", "log_odds", "z", "rank"]]


def _is_word(w: str) -> bool:
    w = w.strip()
    if not w or all(ch in _PUNCT for ch in w):
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in w) or (w.isalpha() and len(w) > 1)


@functools.lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from .segment import load_stopwords

    return load_stopwords("zh") | frozenset("的了和是在也有与及或等而对为将被把就都又还并让从以于其这那个之")


# --------------------------------------------------------------------------- pipeline
#: The parts of the ``stance`` table the corpus-wide tables are computed from.
_WIDE_COLUMNS = ["doc_id", "para_id", "stance", "score"]


@functools.lru_cache(maxsize=1)
def _pipeline_model() -> StanceModel:
    """The pipeline's :class:`StanceModel`, trained once per process.

    It learns from every labelled support / critical paragraph of the bundled corpus
    (``corpus/stance_labels.csv``), whatever corpus is being analysed, so every batch on
    every engine gets the same model.
    """
    from .corpus import bundled_corpus_path, load_corpus

    return StanceModel().fit(load_corpus(bundled_corpus_path()), split=None)


def _paragraph_stance(corpus: Corpus, ctx: RunContext) -> pd.DataFrame:
    """The ``stance`` table: the frame lexicon's stance plus the pipeline model's side."""
    table, texts = _stance(corpus)
    try:
        model = _pipeline_model()
        keys = zip(table["doc_id"], table["para_id"], strict=True)
        pred = model._predict_table(table.assign(text_hans=[texts[k] for k in keys]))
        table["model_stance"] = pred["stance"].to_numpy()
        table["model_score"] = pred["score"].to_numpy()
        ctx.note(f"stance: model_stance / model_score come from StanceModel (logistic "
                 f"regression on character n-grams + frame scores) trained on all "
                 f"{model.n_train_} labelled support/critical seed paragraphs of the bundled "
                 "corpus (corpus/stance_labels.csv); on a held-out split it beat the "
                 "lexicon's side accuracy (docs/sentiment_stance.md).")
    except (CorpusError, FileNotFoundError, ImportError) as err:
        ctx.note(f"stance: no supervised model ({err})")
    return table


def _corpus_wide(table: pd.DataFrame, documents: pd.DataFrame,
                 paragraphs: Iterable[pd.DataFrame], ctx: RunContext) -> dict[str, pd.DataFrame]:
    """The stage's corpus-wide tables from the ``stance`` table (:data:`_WIDE_COLUMNS`
    suffice), the documents' ``doc_id`` and ``source``, and the paragraphs in parts."""
    from types import SimpleNamespace

    tables = {
        "stance_by_document": stance_summary(table, by="doc_id"),
        "stance_by_source": stance_summary(table, SimpleNamespace(documents=documents),
                                           by="source"),
    }
    stances = table.set_index(["doc_id", "para_id"])["stance"]
    try:
        counter = _WordCounts(("critical", "support"))
        for part in paragraphs:  # counts add up, so the parts may come one batch at a time
            zh = part.loc[part["language"] == "zh", ["doc_id", "para_id", "text_hans"]]
            side = stances.reindex(pd.MultiIndex.from_frame(zh[["doc_id", "para_id"]]))
            found = side.notna().to_numpy()  # Chinese paragraphs with a stance row
            counter.add(zh["text_hans"].to_numpy()[found], side.to_numpy()[found])
        tables["distinctive_words"] = counter.distinctive()
    except CorpusError as err:
        ctx.note(f"distinctive_words: not computed ({err})")
    try:
        scores = evaluate_stance(table)
        ctx.note("stance: frame lexicon cadrecast/resources/stance/frames.csv; on the held-out "
                 f"labelled seed paragraphs: accuracy {scores['accuracy']:.3f}, macro-F1 "
                 f"{scores['macro_f1']:.3f}, support-vs-critical accuracy "
                 f"{scores['side_accuracy']:.3f} (n={scores['n_sided']}).")
    except (ColumnError, FileNotFoundError):
        pass  # a corpus other than the bundled one has no labels
    return tables


def stance_stage(corpus: Corpus, ctx: RunContext) -> dict[str, pd.DataFrame]:
    """Pipeline stage: paragraph stance, summaries and distinctive words.

    On one batch of an engine run (``ctx.in_batch``) only the per-paragraph ``stance``
    table is made; :func:`finish_stance` makes the rest once, after all batches.
    """
    table = _paragraph_stance(corpus, ctx)
    if getattr(ctx, "in_batch", False):
        return {"stance": table}
    return {"stance": table,
            **_corpus_wide(table, corpus.documents, [corpus.paragraphs], ctx)}


def finish_stance(corpus: Corpus, ctx: RunContext) -> dict[str, pd.DataFrame]:
    """Corpus-wide tables of the ``stance`` stage, once, after an engine's batches.

    Reads the combined ``stance``, ``documents`` and ``paragraphs`` tables from
    ``ctx.results`` (only the columns needed; a streamed table part by part) and makes
    ``stance_by_document``, ``stance_by_source`` and ``distinctive_words``, and the
    held-out evaluation note, exactly as the in-memory :func:`stance_stage` does.

    Parameters
    ----------
    corpus : Corpus
        The whole corpus (used for the tables ``ctx.results`` lacks).
    ctx : RunContext
        Holds the combined ``stance`` table in ``ctx.results``; notes are added to it.

    Returns
    -------
    dict of str to DataFrame
        ``stance_by_document``, ``stance_by_source`` and (when both sides have words)
        ``distinctive_words``.

    Examples
    --------
    >>> import cadrecast as cc
    >>> from cadrecast.pipeline import RunContext
    >>> corpus = cc.load_corpus()
    >>> ctx = RunContext(out_dir=None, progress=False)
    >>> ctx.results["stance"] = cc.stance(corpus)
    >>> list(finish_stance(corpus, ctx))
    ['stance_by_document', 'stance_by_source', 'distinctive_words']
    """
    results = ctx.results
    table = _columns(results, "stance", _WIDE_COLUMNS)
    documents = (_columns(results, "documents", ["doc_id", "source"]) if "documents" in results
                 else corpus.documents)
    columns = ["doc_id", "para_id", "language", "text_hans"]
    paragraphs = (_parts(results, "paragraphs", columns) if "paragraphs" in results
                  else [corpus.paragraphs])
    return _corpus_wide(table, documents, paragraphs, ctx)


def _parts(results: Mapping[str, Any], name: str, columns: list[str]) -> Iterable[pd.DataFrame]:
    """Table ``name`` of ``results`` in parts (one per batch when it is streamed)."""
    if hasattr(results, "stream"):  # cadrecast.engine.Tables
        yield from results.stream(name, columns)
    else:
        yield results[name][columns]


def _columns(results: Mapping[str, Any], name: str, columns: list[str]) -> pd.DataFrame:
    """Some columns of table ``name`` of ``results``, read whole."""
    parts = list(_parts(results, name, columns))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
