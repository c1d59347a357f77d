"""Lexicon-based sentiment for Chinese news text, with the terms that drove each score.

Each sentence is segmented into words, its sentiment words are looked up in a weighted
lexicon, and their weights are adjusted by the grammar around them:

* **negation** (不, 没有, 未, 非, 无 ...): a sentiment word within the negation scope after a
  negator in the same clause has its weight reversed (并不值得提倡 is negative); two
  negators cancel (不能不); a *prohibition* (不能, 不要, 不得, 严禁 …) before a negative word
  does not make it positive: 更不能作秀 / 严禁摊派 admonish against something bad, so the
  word keeps its sign at half its weight (modifier ``prohibit``);
* **degree adverbs** (很, 非常, 极其, 稍 ...): multiply the next sentiment word's weight;
  a negator right before a degree adverb (不太好, 不是很好) softens instead of reversing;
* **contrast** (但是, 然而, 却, 而是 ...): in a sentence with a contrast marker, what comes
  after it counts ``contrast_after`` times (1.5) and what comes before it
  ``contrast_before`` times (0.3), so 不是作秀，而是实实在在帮农民 is positive; a concession
  clause (虽然 / 尽管 ...) counts ``contrast_before`` times.

Traditional text is converted to Simplified (OpenCC t2s) before scoring, so a
Traditional sentence scores exactly like its Simplified conversion.

A sentence's score is ``(P - N) / (P + N + 1)``, where ``P`` and ``N`` are the summed
weights of its positive and negative terms after adjustment: 0 when there is no
sentiment, near +1 / -1 when the text is strongly one-sided, about ±0.5 for one mild
word. Paragraph and document scores apply the same formula to the sums of ``P`` and
``N`` over their sentences. ``label`` is ``positive`` / ``negative`` when the score is at
least ``threshold`` (0.2) away from 0, else ``neutral``.

The bundled lexicon is JioNLP's weighted sentiment word list (Apache-2.0, 33,034
words) plus cadrecast's supplement of debate vocabulary; NTUSD, HowNet, DUTIR and
others can be loaded from files with :func:`load_lexicon`.

Examples
--------
>>> from cadrecast.sentiment_analysis import score_text
>>> score_text("并不值得提倡").label
'negative'
>>> score_text("不是作秀，而是实实在在帮农民").label
'positive'
>>> score_text("縣長直播帶貨助力鄉村振興").score == score_text("县长直播带货助力乡村振兴").score
True
"""

from __future__ import annotations

import csv
import functools
import re
import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from .errors import ColumnError, ConfigError, CorpusError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus
    from .pipeline import RunContext

__all__ = [
    "LexiconLicenceWarning",
    "SentimentLexicon",
    "SentimentResult",
    "load_lexicon",
    "score_text",
    "sentiment",
    "sentiment_stage",
    "sentiment_summary",
    "sentiment_terms",
]

#: Lexicons with academic-only or unclear redistribution terms: cadrecast never ships them
#: and warns when one is loaded from a file (matched on the file name, case-insensitive).
RESTRICTED_LEXICONS: dict[str, str] = {
    "hownet": "HowNet (知网) sentiment lists: academic use terms from its authors",
    "知网": "HowNet (知网) sentiment lists: academic use terms from its authors",
    "dutir": "DUTIR affective lexicon (大连理工情感词汇本体): academic use only, by application",
    "大连理工": "DUTIR affective lexicon (大连理工情感词汇本体): academic use only, by application",
    "tsinghua": "Tsinghua praise/degrade lexicon (清华褒贬义词典): no stated licence",
    "清华": "Tsinghua praise/degrade lexicon (清华褒贬义词典): no stated licence",
    "boson": "BosonNLP sentiment scores: no redistribution licence",
}

LABELS = ("positive", "neutral", "negative")
#: Negators that forbid rather than deny: before a negative word the sentence still names
#: something bad (不能作秀, 不要搞形式主义, 严禁摊派), so the word is not turned positive.
PROHIBITIVES = frozenset({"不能", "不要", "不可", "不宜", "不该", "不应", "不应该", "不得", "别", "莫", "勿",
                          "切忌", "切勿", "严禁", "禁止", "杜绝", "防止", "避免", "谨防", "反对"})
_PUNCT = set("，,。.！!？?；;：:、…—～~\"'“”‘’「」『』（）()《》〈〉【】[]·\n\r\t ")
_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;…])|\n+")


class LexiconLicenceWarning(UserWarning):
    """A lexicon whose licence restricts use or redistribution was loaded."""


# --------------------------------------------------------------------------- lexicon
@dataclass(frozen=True)
class SentimentLexicon:
    """Sentiment words with weights, plus the grammar words the scorer uses.

    Build one with :func:`load_lexicon`; all words are Simplified Chinese.

    Attributes
    ----------
    words : mapping of str to float
        Sentiment word -> weight (positive > 0, negative < 0).
    negators : frozenset of str
        Words that reverse the weight of the sentiment words after them.
    degree : mapping of str to float
        Degree adverb -> multiplier.
    contrast : frozenset of str
        Contrast markers (但是, 然而, 却 ...).
    concession : frozenset of str
        Concession markers (虽然, 尽管 ...).
    name : str
        Where the words came from (shown in the output README).
    """

    words: Mapping[str, float]
    negators: frozenset[str] = frozenset()
    degree: Mapping[str, float] = field(default_factory=dict)
    contrast: frozenset[str] = frozenset()
    concession: frozenset[str] = frozenset()
    name: str = "custom"

    @functools.cached_property
    def max_chars(self) -> int:
        """Length of the longest sentiment word (bounds the word-merging search)."""
        return max((len(w) for w in self.words), default=1)

    def __len__(self) -> int:
        return len(self.words)

    def __hash__(self) -> int:
        return id(self)

    def with_words(self, words: Mapping[str, float], name: str | None = None) -> SentimentLexicon:
        """Return a copy with ``words`` added (they override existing weights).

        Examples
        --------
        >>> lex = load_lexicon().with_words({"带货王": 1.5})
        >>> lex.words["带货王"]
        1.5
        """
        merged = dict(self.words)
        merged.update({_simplify(w): float(v) for w, v in words.items()})
        return replace(self, words=merged, name=name or f"{self.name}+custom")


def _simplify(word: str) -> str:
    from .script import to_simplified

    return to_simplified(word.strip())


def _resource_lines(relpath: str) -> list[str]:
    from .resources import read_text

    return [ln for ln in read_text(relpath).splitlines() if ln.strip() and not ln.startswith("#")]


@functools.lru_cache(maxsize=1)
def _grammar() -> tuple[frozenset[str], dict[str, float], frozenset[str], frozenset[str]]:
    negators = frozenset(ln.strip() for ln in _resource_lines("sentiment/negators.txt"))
    degree = {}
    for ln in _resource_lines("sentiment/degree.tsv"):
        word, mult = ln.split("\t")[:2]
        degree[word.strip()] = float(mult)
    contrast, concession = set(), set()
    for ln in _resource_lines("sentiment/contrast.tsv"):
        word, kind = (p.strip() for p in ln.split("\t")[:2])
        (contrast if kind == "contrast" else concession).add(word)
    return negators, degree, frozenset(contrast), frozenset(concession)


def _without_grammar(words: dict[str, float]) -> dict[str, float]:
    """Drop negators, degree adverbs and contrast markers: the scorer treats them as grammar."""
    negators, degree, contrast, concession = _grammar()
    grammar = negators | set(degree) | contrast | concession
    return {w: v for w, v in words.items() if w not in grammar}


@functools.lru_cache(maxsize=4)
def _bundled(name: str) -> SentimentLexicon:
    words: dict[str, float] = {}
    for ln in _resource_lines("sentiment/jionlp_sentiment_words.txt"):
        word, _, weight = ln.strip().partition("\t")
        if word and weight:
            words[word.strip()] = float(weight)  # JioNLP's own loader: a later duplicate wins
    if name == "default":
        for ln in _resource_lines("sentiment/supplement.tsv"):
            parts = ln.split("\t")
            words[parts[0].strip()] = float(parts[1])
    if name == "default":
        for ln in _resource_lines("sentiment/neutral_words.txt"):
            words.pop(ln.strip(), None)
    negators, degree, contrast, concession = _grammar()
    words = _without_grammar(words)
    label = "JioNLP sentiment words (Apache-2.0)"
    if name == "default":
        label += " + cadrecast supplement"
    return SentimentLexicon(types.MappingProxyType(words), negators,
                            types.MappingProxyType(degree), contrast, concession, name=label)


def load_lexicon(
    source: str | Path = "default",
    *,
    polarity: str | None = None,
    negative: str | Path | None = None,
    weight: float = 1.0,
    name: str | None = None,
    base: str | None = None,
) -> SentimentLexicon:
    """Load a sentiment lexicon: the bundled one, or your own from files.

    Parameters
    ----------
    source : {"default", "jionlp"} or path
        ``"default"``: JioNLP's weighted list plus cadrecast's supplement of debate
        words (形式主义, 摊派, 刷单, 助农 ...). ``"jionlp"``: JioNLP's list alone. A path:
        a UTF-8 text file with one word per line (give ``polarity``), or a TSV/CSV
        with ``word`` and ``weight`` columns (a header line is optional).
    polarity : {"positive", "negative"}, optional
        For a one-word-a-line file: the polarity of its words (weight ``+weight`` or
        ``-weight``). With ``negative`` given, ``source`` is the positive list.
    negative : path, optional
        A second one-word-a-line file of negative words (e.g. NTUSD's 負面詞 list).
    weight : float
        Weight given to the words of unweighted lists.
    name : str, optional
        A name for the lexicon (default: the file name).
    base : {"default", "jionlp"}, optional
        Add the file's words to this bundled lexicon (the file's weights win) instead
        of using the file alone.

    Returns
    -------
    SentimentLexicon
        Words converted to Simplified Chinese (Traditional lists such as NTUSD work);
        negators, degree adverbs and contrast markers are cadrecast's.

    Warns
    -----
    LexiconLicenceWarning
        When the file name shows a lexicon with restricted terms (HowNet, DUTIR,
        Tsinghua, BosonNLP): cadrecast does not ship these; check their licence before
        publishing results or sharing the file.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> lex.words["形式主义"] < 0 < lex.words["助农"]
    True
    """
    if isinstance(source, str) and source in ("default", "jionlp"):
        if negative is not None or polarity is not None:
            raise ConfigError("polarity= and negative= apply to lexicon files, not to "
                              f"the bundled {source!r} lexicon.")
        return _bundled(source)
    words: dict[str, float] = {}
    files = [(Path(source), polarity if negative is None else "positive")]
    if negative is not None:
        files.append((Path(negative), "negative"))
    for path, pol in files:
        _warn_if_restricted(path)
        words.update(_read_lexicon_file(path, pol, weight))
    if not words:
        raise CorpusError(f"The lexicon file(s) {[str(p) for p, _ in files]} hold no words.")
    negators, degree, contrast, concession = _grammar()
    words = _without_grammar(words)
    label = name or " + ".join(p.name for p, _ in files)
    if base is not None:
        check_choice("base", base, ["default", "jionlp"])
        merged = dict(_bundled(base).words)
        merged.update(words)
        words, label = merged, f"{_bundled(base).name} + {label}"
    return SentimentLexicon(types.MappingProxyType(words), negators,
                            types.MappingProxyType(degree), contrast, concession, name=label)


def _warn_if_restricted(path: Path) -> None:
    lowered = path.name.lower()
    for key, what in RESTRICTED_LEXICONS.items():
        if key in lowered:
            warnings.warn(
                f"{path.name}: {what}. cadrecast does not ship this lexicon; check that "
                "your use and any sharing of results or files respects its terms.",
                LexiconLicenceWarning,
                stacklevel=3,
            )
            return


def _read_lexicon_file(path: Path, polarity: str | None, weight: float) -> dict[str, float]:
    if not path.is_file():
        from .errors import CorpusNotFoundError

        raise CorpusNotFoundError(f"Lexicon file {str(path)!r} does not exist.")
    text = path.read_text(encoding="utf-8-sig")
    delim = "\t" if "\t" in text else ("," if path.suffix.lower() == ".csv" else None)
    words: dict[str, float] = {}
    for lineno, row in enumerate(csv.reader(text.splitlines(), delimiter=delim or "\t"), 1):
        if not row or not row[0].strip() or row[0].startswith("#"):
            continue
        word = _simplify(row[0])
        if delim and len(row) >= 2 and row[1].strip():
            try:
                words[word] = float(row[1])
            except ValueError:
                if lineno == 1:  # a header line
                    continue
                raise ColumnError(
                    f"{path}: line {lineno}: weight {row[1]!r} of {row[0]!r} is not a number."
                ) from None
        else:
            if polarity is None:
                raise ConfigError(
                    f"{path} lists words without weights: pass polarity='positive' or "
                    "'negative' (or negative=<file> for a pair of lists)."
                )
            check_choice("polarity", polarity, ["positive", "negative"])
            words[word] = weight if polarity == "positive" else -weight
    return words


# --------------------------------------------------------------------------- tokenizer
@functools.lru_cache(maxsize=1)
def _default_tokenizer() -> Callable[[str], list[str]]:
    """cadrecast's word segmenter (domain dictionary included), shared by the scorers."""
    from .segment import Tokenizer

    return Tokenizer().cut


# --------------------------------------------------------------------------- scoring
class Term(NamedTuple):
    """One sentiment word found in a sentence, with its adjusted value."""

    term: str
    token: int  # index of the word's first token in the sentence
    weight: float  # lexicon weight
    value: float  # after negation, degree and contrast
    modifiers: str  # e.g. "不|很|after:但是"


class SentimentResult(NamedTuple):
    """The sentiment of one text (see :func:`score_text`)."""

    score: float
    label: str
    positive: float
    negative: float
    n_tokens: int
    terms: tuple[Term, ...]

    @property
    def evidence(self) -> str:
        """The terms that drove the score, strongest first."""
        return format_evidence(self.terms)


@dataclass(frozen=True)
class _Options:
    negation_scope: int = 4
    degree_window: int = 3
    contrast_before: float = 0.3
    contrast_after: float = 1.5
    threshold: float = 0.2
    max_evidence: int = 5


def _match_terms(tokens: list[str], vocab: Mapping[str, Any], max_chars: int) -> list[tuple[int, int, str]]:
    """Longest match of vocabulary entries over runs of up to 4 tokens: (start, end, word)."""
    out = []
    i, n = 0, len(tokens)
    while i < n:
        best = None
        joined = ""
        for j in range(i, min(n, i + 4)):
            joined += tokens[j]
            if len(joined) > max_chars:
                break
            if joined in vocab:
                best = (i, j + 1, joined)
        if best is not None:
            out.append(best)
            i = best[1]
        else:
            i += 1
    return out


def _split_prefixes(tokens: list[str], lex: SentimentLexicon,
                    vocab: Mapping[str, Any]) -> list[str]:
    """Split leading negators / degree adverbs off words the segmenter kept whole.

    不太好 -> 不 太 好 when 好 is a sentiment word and 不太好 is not (up to two prefixes).
    """
    grammar = lex.negators | set(lex.degree)
    out: list[str] = []
    for tok in tokens:
        if len(tok) < 2 or tok in vocab or tok in grammar:
            out.append(tok)
            continue
        parts = _peel(tok, grammar, vocab, 2)
        out.extend(parts if parts else [tok])
    return out


def _peel(tok: str, grammar: set[str] | frozenset[str], vocab: Mapping[str, Any],
          depth: int) -> list[str] | None:
    if tok in vocab:
        return [tok]
    if depth == 0:
        return None
    for k in range(min(3, len(tok) - 1), 0, -1):
        head = tok[:k]
        if head in grammar:
            rest = _peel(tok[k:], grammar, vocab, depth - 1)
            if rest:
                return [head, *rest]
    return None


class _Clauses:
    """A segmented sentence's clauses and contrast markers (shared by sentiment and stance)."""

    def __init__(self, tokens: list[str], lex: SentimentLexicon) -> None:
        self.tokens = tokens
        self.clause: list[int] = []  # clause index of each token
        c = 0
        for t in tokens:
            self.clause.append(c)
            if t and all(ch in _PUNCT for ch in t):
                c += 1
        self.contrast_at = [k for k, t in enumerate(tokens) if t in lex.contrast]
        self.concession_at = [k for k, t in enumerate(tokens) if t in lex.concession]

    def contrast(self, start: int, end: int, opt: _Options) -> tuple[float, str]:
        """Weight factor and modifier of the word at ``tokens[start:end]``: before a
        contrast marker (or in a concession clause) it counts ``contrast_before`` times,
        after one ``contrast_after`` times; ``(1.0, "")`` otherwise."""
        before = [k for k in self.contrast_at if k >= end]
        if before:
            return opt.contrast_before, f"before:{self.tokens[before[0]]}"
        if any(self.clause[k] == self.clause[start] for k in self.concession_at):
            return opt.contrast_before, "concession"
        after = [k for k in self.contrast_at if k < start]
        if after:
            return opt.contrast_after, f"after:{self.tokens[after[-1]]}"
        return 1.0, ""


def _sentence_terms(tokens: list[str], lex: SentimentLexicon, opt: _Options,
                    vocab: Mapping[str, float] | None = None) -> list[Term]:
    vocab = lex.words if vocab is None else vocab
    tokens = _split_prefixes(tokens, lex, vocab)
    matches = _match_terms(tokens, vocab, lex.max_chars)
    if not matches:
        return []
    sentence = _Clauses(tokens, lex)
    clause = sentence.clause
    matched_tokens = {k for s, e, _ in matches for k in range(s, e)}
    terms = []
    prev_end = 0
    for start, end, word in matches:
        weight = float(vocab[word])
        value = weight
        mods: list[str] = []
        # degree: nearest degree adverb within the window, same clause, after the last term
        neg_count = 0
        softened = False
        prohibit = False
        lo = max(prev_end, start - opt.negation_scope)
        degree_used = False
        for k in range(start - 1, lo - 1, -1):
            if clause[k] != clause[start] or k in matched_tokens:
                break
            tok = tokens[k]
            if tok in lex.degree and not degree_used and start - k <= opt.degree_window:
                value *= lex.degree[tok]
                mods.append(tok)
                degree_used = True
                if k > 0 and tokens[k - 1] in lex.negators and clause[k - 1] == clause[start]:
                    softened = True  # 不太好 / 不很好: softened, not reversed
            elif tok in lex.negators or tok in PROHIBITIVES:
                if neg_count == 0:
                    prohibit = tok in PROHIBITIVES  # the negator nearest the word decides
                neg_count += 1
                mods.append(tok)
        # negation scope also reaches over earlier terms of the same clause (并不值得提倡)
        if neg_count == 0:
            k0 = max(0, start - opt.negation_scope)
            for k in range(start - 1, k0 - 1, -1):
                if clause[k] != clause[start]:
                    break
                if (tokens[k] in lex.negators or tokens[k] in PROHIBITIVES) and k < prev_end:
                    neg_count += 1
                    prohibit = tokens[k] in PROHIBITIVES
                    mods.append(tokens[k])
                    break
        if softened:
            value = -0.5 * weight
            neg_count = 0
        elif neg_count % 2 == 1 and prohibit and weight < 0:
            value = 0.5 * value  # 不能作秀: still about something bad
        elif neg_count % 2 == 1:
            value = -value
        mods.reverse()  # negators and degree adverbs in text order, then contrast
        if neg_count % 2 == 1 and prohibit and weight < 0:
            mods.append("prohibit")
        factor, mod = sentence.contrast(start, end, opt)
        if mod:
            value *= factor
            mods.append(mod)
        terms.append(Term(word, start, weight, round(value, 6), "|".join(mods)))
        prev_end = end
    return terms


def _score(pos: float, neg: float) -> float:
    return (pos - neg) / (pos + neg + 1.0)


def _label(score: float, threshold: float) -> str:
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


def format_evidence(terms: Iterable[Term], limit: int = 5) -> str:
    """Format terms as ``word[modifiers]+0.00; ...``, strongest first.

    Examples
    --------
    >>> format_evidence([Term("作秀", 1, -1.5, 0.75, "不是|before:而是")])
    '作秀[不是|before:而是]+0.75'
    """
    ranked = sorted(terms, key=lambda t: (-abs(t.value), t.token))[:limit]
    return "; ".join(
        f"{t.term}[{t.modifiers}]{t.value:+.2f}" if t.modifiers else f"{t.term}{t.value:+.2f}"
        for t in ranked
    )


def split_sentences(text: str) -> list[str]:
    """Split Chinese text into sentences at 。！？；… and line breaks (punctuation kept)."""
    return [s for s in (p.strip() for p in _SENT_SPLIT.split(text)) if s]


def score_text(
    text: str,
    *,
    lexicon: SentimentLexicon | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
    negation_scope: int = 4,
    degree_window: int = 3,
    contrast_before: float = 0.3,
    contrast_after: float = 1.5,
    threshold: float = 0.2,
) -> SentimentResult:
    """Score one text (any script) with negation, degree and contrast.

    Parameters
    ----------
    text : str
        Chinese text, Simplified or Traditional (converted with OpenCC t2s first).
    lexicon : SentimentLexicon, optional
        Default: :func:`load_lexicon` ``("default")``.
    tokenizer : callable, optional
        ``str -> list[str]``; default: cadrecast's segmenter.
    negation_scope : int
        A negator reverses sentiment words up to this many words after it (same clause).
    degree_window : int
        A degree adverb modifies a sentiment word up to this many words after it.
    contrast_before, contrast_after : float
        Weights of sentiment before / after a contrast marker in the same sentence.
    threshold : float
        ``|score|`` needed for a ``positive`` / ``negative`` label.

    Returns
    -------
    SentimentResult
        ``score`` in (-1, 1), ``label``, summed ``positive`` and ``negative`` weights,
        ``n_tokens``, and the matched ``terms`` (``.evidence`` formats them).

    Examples
    --------
    >>> r = score_text("这个做法非常好，但是效果却不佳")
    >>> r.label, r.evidence
    ('negative', '不佳[after:却]-1.65; 好[非常|before:但是]+0.81')
    """
    from .script import to_simplified

    lex = lexicon or load_lexicon()
    opt = _Options(negation_scope, degree_window, contrast_before, contrast_after, threshold)
    cut = tokenizer or _default_tokenizer()
    hans = to_simplified(text or "")
    terms: list[Term] = []
    n_tokens = 0
    for sent in split_sentences(hans):
        tokens = [t for t in cut(sent) if t.strip()]
        n_tokens += sum(1 for t in tokens if not all(ch in _PUNCT for ch in t))
        terms.extend(_sentence_terms(tokens, lex, opt))
    pos = sum(t.value for t in terms if t.value > 0)
    neg = -sum(t.value for t in terms if t.value < 0)
    score = round(_score(pos, neg), 6)  # label the rounded score: 1.1/5.5 is 0.2, not 0.1999…
    return SentimentResult(score, _label(score, threshold), round(pos, 6),
                           round(neg, 6), n_tokens, tuple(terms))


# --------------------------------------------------------------------------- tables
def _units(data: Corpus | pd.DataFrame) -> pd.DataFrame:
    """Sentences to score: doc_id, para_id, sent_id, text_hans (Chinese paragraphs only)."""
    from .corpus import Corpus
    from .script import to_simplified

    if isinstance(data, Corpus):
        paras = data.paragraphs
        zh = paras.loc[paras["language"] == "zh", ["doc_id", "para_id"]]
        sents = data.sentences.merge(zh, on=["doc_id", "para_id"], how="inner")
        return sents[["doc_id", "para_id", "sent_id", "text_hans"]].reset_index(drop=True)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"sentiment() takes a Corpus or a DataFrame, not {type(data).__name__}.")
    missing = [c for c in ("doc_id", "para_id") if c not in data.columns]
    text_col = "text_hans" if "text_hans" in data.columns else "text"
    if missing or text_col not in data.columns:
        raise ColumnError(
            "sentiment() needs a table with doc_id, para_id and text (or text_hans) "
            f"columns; missing: {', '.join(missing + ([] if text_col in data.columns else ['text']))}."
        )
    rows = []
    df = data
    if "language" in df.columns:
        df = df[df["language"].fillna("zh") == "zh"]
    has_sent = "sent_id" in df.columns
    for row in df.itertuples(index=False):
        text = to_simplified(str(getattr(row, text_col) or ""))
        if has_sent:
            rows.append((row.doc_id, row.para_id, row.sent_id, text))
        else:
            sents = split_sentences(text) or [""]
            rows.extend((row.doc_id, row.para_id, k, s) for k, s in enumerate(sents))
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "text_hans"])


def _score_units(units: pd.DataFrame, lex: SentimentLexicon, opt: _Options,
                 cut: Callable[[str], list[str]]) -> tuple[list[tuple], list[tuple]]:
    sent_rows, term_rows = [], []
    for row in units.itertuples(index=False):
        text = row.text_hans if isinstance(row.text_hans, str) else ""
        tokens = [t for t in cut(text) if t.strip()] if text else []
        terms = _sentence_terms(tokens, lex, opt)
        pos = sum(t.value for t in terms if t.value > 0)
        neg = -sum(t.value for t in terms if t.value < 0)
        n_tok = sum(1 for t in tokens if not all(ch in _PUNCT for ch in t))
        sent_rows.append((row.doc_id, row.para_id, row.sent_id, pos, neg, n_tok, len(terms),
                          tuple(terms)))
        term_rows.extend((row.doc_id, row.para_id, row.sent_id, t.term, t.weight, t.modifiers,
                          t.value) for t in terms)
    return sent_rows, term_rows


def sentiment(
    corpus: Corpus | pd.DataFrame,
    *,
    level: str = "paragraph",
    lexicon: SentimentLexicon | str | Path | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
    negation_scope: int = 4,
    degree_window: int = 3,
    contrast_before: float = 0.3,
    contrast_after: float = 1.5,
    threshold: float = 0.2,
    max_evidence: int = 5,
) -> pd.DataFrame:
    """Sentiment of every Chinese sentence, paragraph or document, with its evidence.

    Parameters
    ----------
    corpus : Corpus or DataFrame
        A :class:`~cadrecast.Corpus` (its Chinese paragraphs are scored, sentence by
        sentence), or a table with ``doc_id``, ``para_id`` and ``text`` / ``text_hans``
        (optionally ``sent_id``) columns.
    level : {"paragraph", "sentence", "document"}
        One row per paragraph (default), sentence or document.
    lexicon : SentimentLexicon, str or path, optional
        A lexicon, a bundled name, or a file for :func:`load_lexicon`.
    tokenizer : callable, optional
        ``str -> list[str]``; default: cadrecast's word segmenter.
    negation_scope, degree_window, contrast_before, contrast_after, threshold
        See :func:`score_text`.
    max_evidence : int
        How many terms ``evidence`` lists (strongest first).

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id`` (paragraph and sentence levels), ``sent_id`` (sentence
        level), then ``score`` (in (-1, 1): ``(P - N) / (P + N + 1)``), ``label``
        (positive / neutral / negative), ``evidence`` (the terms that drove the score,
        e.g. ``好[非常]+2.70; 作秀[不是|before:而是]+0.45``), ``positive`` (P) and
        ``negative`` (N) summed adjusted weights, ``n_terms`` and ``n_tokens``.
        An empty paragraph scores 0 (``neutral``, no evidence).

    Examples
    --------
    >>> import cadrecast as cc
    >>> table = cc.sentiment(cc.load_corpus())               # doctest: +SKIP
    >>> table.columns[:5].tolist()                           # doctest: +SKIP
    ['doc_id', 'para_id', 'score', 'label', 'evidence']
    """
    check_choice("level", level, ["paragraph", "sentence", "document"])
    lex = lexicon if isinstance(lexicon, SentimentLexicon) else load_lexicon(lexicon or "default")
    opt = _Options(negation_scope, degree_window, contrast_before, contrast_after, threshold,
                   max_evidence)
    cut = tokenizer or _default_tokenizer()
    units = _units(corpus)
    sent_rows, _ = _score_units(units, lex, opt, cut)
    return _aggregate(sent_rows, level, opt)


def _aggregate(sent_rows: list[tuple], level: str, opt: _Options) -> pd.DataFrame:
    keys = {"sentence": 3, "paragraph": 2, "document": 1}[level]
    groups: dict[tuple, list] = {}
    for row in sent_rows:
        key = row[:keys]
        g = groups.setdefault(key, [0.0, 0.0, 0, 0, []])
        g[0] += row[3]
        g[1] += row[4]
        g[2] += row[5]
        g[3] += row[6]
        g[4].extend(row[7])
    out = []
    for key, (pos, neg, n_tok, n_terms, terms) in groups.items():
        score = round(_score(pos, neg), 6)
        out.append((*key, score, _label(score, opt.threshold),
                    format_evidence(terms, opt.max_evidence), round(pos, 6), round(neg, 6),
                    n_terms, n_tok))
    key_cols = ["doc_id", "para_id", "sent_id"][:keys]
    cols = [*key_cols, "score", "label", "evidence", "positive", "negative", "n_terms", "n_tokens"]
    df = pd.DataFrame(out, columns=cols)
    for c in ("para_id", "sent_id"):
        if c in df.columns:
            df[c] = df[c].astype("int64")
    return df.sort_values(key_cols, kind="stable").reset_index(drop=True)


def sentiment_terms(
    corpus: Corpus | pd.DataFrame,
    *,
    lexicon: SentimentLexicon | str | Path | None = None,
    tokenizer: Callable[[str], list[str]] | None = None,
) -> pd.DataFrame:
    """Every sentiment word found, one row per occurrence, with how grammar changed it.

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id``, ``sent_id``, ``term``, ``weight`` (lexicon weight),
        ``modifiers`` (negators, degree adverbs and contrast applied, ``|``-joined),
        ``value`` (the adjusted weight that entered the score).

    Examples
    --------
    >>> import pandas as pd
    >>> t = sentiment_terms(pd.DataFrame({"doc_id": ["d"], "para_id": [0],
    ...                                   "text": ["并不值得提倡"]}))
    >>> t[["term", "value"]].values.tolist()
    [['不值得', -1.1], ['提倡', -1.3]]
    """
    lex = lexicon if isinstance(lexicon, SentimentLexicon) else load_lexicon(lexicon or "default")
    _, term_rows = _score_units(_units(corpus), lex, _Options(), tokenizer or _default_tokenizer())
    return pd.DataFrame(term_rows, columns=["doc_id", "para_id", "sent_id", "term", "weight",
                                            "modifiers", "value"])


def sentiment_summary(
    table: pd.DataFrame,
    corpus: Corpus | None = None,
    *,
    by: str = "doc_id",
) -> pd.DataFrame:
    """Summarise a paragraph sentiment table by document or by source.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`sentiment` (paragraph or sentence level).
    corpus : Corpus, optional
        Needed for ``by="source"`` (and to add titles): the documents table.
    by : {"doc_id", "source"}
        Group by document or by the publishing source.

    Returns
    -------
    DataFrame
        One row per group: ``n`` (rows), ``n_positive``, ``n_neutral``, ``n_negative``,
        ``share_positive``, ``share_negative``, ``mean_score``, and ``score`` (the
        pooled ``(P - N) / (P + N + 1)`` over the group).

    Examples
    --------
    >>> t = pd.DataFrame({"doc_id": ["a", "a"], "para_id": [0, 1], "score": [0.5, -0.2],
    ...                   "label": ["positive", "negative"], "positive": [1.0, 0.3],
    ...                   "negative": [0.0, 0.6]})
    >>> sentiment_summary(t)[["doc_id", "n", "n_positive", "score"]].values.tolist()
    [['a', 2, 1, 0.241379]]
    """
    check_choice("by", by, ["doc_id", "source"])
    _require(table, ["doc_id", "score", "label", "positive", "negative"], "sentiment_summary")
    df = table
    if by == "source":
        if corpus is None:
            raise ConfigError("sentiment_summary(by='source') needs corpus= for the sources.")
        src = corpus.documents[["doc_id", "source"]]
        df = df.merge(src, on="doc_id", how="left")
        df["source"] = df["source"].fillna("(unknown)")
    grouped = df.groupby(by, sort=True)
    out = grouped.agg(
        n=("label", "size"),
        n_positive=("label", lambda s: int((s == "positive").sum())),
        n_neutral=("label", lambda s: int((s == "neutral").sum())),
        n_negative=("label", lambda s: int((s == "negative").sum())),
        mean_score=("score", "mean"),
        P=("positive", "sum"),
        N=("negative", "sum"),
    ).reset_index()
    out["share_positive"] = (out["n_positive"] / out["n"]).round(6)
    out["share_negative"] = (out["n_negative"] / out["n"]).round(6)
    out["score"] = [round(_score(p, n), 6) for p, n in zip(out["P"], out["N"], strict=True)]
    out["mean_score"] = out["mean_score"].round(6)
    return out.drop(columns=["P", "N"])


def _require(df: pd.DataFrame, cols: list[str], func: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{func}() takes a DataFrame, not {type(df).__name__}.")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ColumnError(f"{func}() needs column(s) {', '.join(missing)}; the table has "
                          f"{', '.join(map(str, df.columns))}.")


# --------------------------------------------------------------------------- pipeline
def sentiment_stage(corpus: Corpus, ctx: RunContext) -> dict[str, pd.DataFrame]:
    """Pipeline stage: sentiment by sentence, paragraph and document."""
    lex = load_lexicon()
    opt = _Options()
    cut = _default_tokenizer()
    sent_rows, term_rows = _score_units(_units(corpus), lex, opt, cut)
    paragraphs = _aggregate(sent_rows, "paragraph", opt)
    ctx.note(f"sentiment: lexicon {lex.name} ({len(lex):,} words); score = (P - N) / (P + N + 1) "
             "over adjusted term weights; labels at |score| >= 0.2.")
    return {
        "sentiment": paragraphs,
        "sentiment_sentences": _aggregate(sent_rows, "sentence", opt),
        "sentiment_documents": _aggregate(sent_rows, "document", opt),
        "sentiment_terms": pd.DataFrame(term_rows, columns=["doc_id", "para_id", "sent_id",
                                                            "term", "weight", "modifiers",
                                                            "value"]),
        "sentiment_by_source": sentiment_summary(paragraphs, corpus, by="source"),
    }
