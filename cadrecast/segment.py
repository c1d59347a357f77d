"""Word segmentation that knows the domain: jieba (or rjieba) with a domain dictionary.

A :class:`Tokenizer` owns its own segmentation engine — a private ``jieba.Tokenizer``
(``backend="jieba"``) or an ``rjieba.Jieba`` (``backend="rjieba"``, a Rust port of the
same algorithm over the same dictionary) — loaded with cadrecast's bundled domain
dictionary (official titles, platforms, the debate's key terms, farm products and
China's place names). Words you add go into that tokenizer only; jieba's global
tokenizer and every other :class:`Tokenizer` stay unchanged.

Chinese text is segmented through its Simplified form (``text_hans``) and every token
keeps its span in the paragraph's original text, so a token table can show either
script. English paragraphs are tokenized as English.

Examples
--------
>>> import cadrecast as cc
>>> tk = cc.Tokenizer()
>>> tk.cut("副縣長陳燦平直播帶貨安化黑茶")
['副縣長', '陳燦平', '直播帶貨', '安化黑茶']
>>> tokens = cc.tokenize(cc.load_corpus())
>>> tokens.columns.tolist()
['doc_id', 'para_id', 'sent_id', 'token_id', 'token', 'token_hans', 'start', 'end', 'is_stop', 'is_punct']
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from .errors import ColumnError, ConfigError, CorpusError, DependencyError, check_choice

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "TOKEN_COLUMNS",
    "Tokenizer",
    "cache_dir",
    "load_stopwords",
    "term_frequencies",
    "tokenize",
    "tokens_stage",
]

Backend = Literal["jieba", "rjieba"]

#: The segmentation engines a :class:`Tokenizer` can use.
BACKENDS: tuple[str, ...] = ("jieba", "rjieba")

#: The backend used when none is given: ``"rjieba"``, because on the bundled corpus
#: (domain dictionary loaded) it reproduces 99.9 % of the jieba backend's tokens (the
#: issue's bar is 99.5 %; the differences are Latin/number runs such as ``2019-2020``)
#: and runs many times faster. See ``docs/segment.md`` and ``benchmarks/bench_tokenize.py``.
DEFAULT_BACKEND: str = "rjieba"

#: Columns of the token table, in order (``pos`` is added when POS tagging is asked for).
TOKEN_COLUMNS: tuple[str, ...] = (
    "doc_id", "para_id", "sent_id", "token_id", "token", "token_hans", "start", "end",
    "is_stop", "is_punct",
)

_DOMAIN_DICT = "segment/domain_dict.txt"
_STOPWORDS = {"zh": "segment/stopwords_zh.txt", "en": "segment/stopwords_en.txt"}

# English tokens: words (with inner apostrophes/hyphens), numbers (with separators, %),
# runs of Han characters (segmented as Chinese), and any other single visible character.
_EN_TOKEN = re.compile(
    r"(?P<han>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+)"
    r"|(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)*)"
    r"|(?P<num>\d+(?:[.,:]\d+)*%?)"
    r"|(?P<other>\S)"
)

log = logging.getLogger("cadrecast")

# Person names that jieba splits into surname + a dictionary word (王/洪涛, 魏/延安,
# 郭/广昌) are joined when the context marks a person: a title or role just before the
# name (副县长王洪涛, 专家魏延安), or a title or reporting verb just after it (王洪涛认为).
# A name joined once is joined everywhere else in the same document.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦付邹孟熊秦邱尹薛闫段雷侯龙史陶黎贺顾郝龚邵钱严"
    "覃戴莫孔汤聂柴谷阎文常牛侯易倪郁葛俞秦庞蒲纪欧阳"
) | frozenset({"欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "令狐", "慕容", "夏侯"})
_TITLE_SUFFIXES = (
    "长", "书记", "记者", "专家", "主任", "老师", "创始人", "经理", "总裁", "教授", "研究员",
    "主播", "委员", "干部", "代表", "博士", "院士", "总监", "主席", "负责人", "官员", "学者",
    "作家", "演员", "歌手", "明星", "网红", "老板", "支书", "常委", "编辑", "评论员", "律师",
    "医生", "村民", "农民", "果农", "茶农", "农户", "社员", "会长", "股东", "董事",
)
_NOT_TITLES = frozenset({"增长", "成长", "延长", "擅长", "生长", "漫长", "很长", "较长", "特长",
                         "专长", "见长", "助长", "消长", "家长", "更长", "最长"})
_NAME_AFTER = frozenset({
    "认为", "表示", "说", "介绍", "指出", "看来", "称", "告诉", "坦言", "强调", "透露", "回忆",
    "解释", "提到", "建议", "笑着说", "感慨", "直言", "说道", "表态", "呼吁", "分析", "谈到",
    "坦承", "提出", "说明", "补充", "举例", "同志", "先生", "女士",
})


# --------------------------------------------------------------------------- resources

def cache_dir() -> Path:
    """The per-user folder where jieba's dictionary cache is kept.

    ``$CADRECAST_CACHE_DIR`` if set, else ``%LOCALAPPDATA%\\cadrecast`` on Windows,
    ``$XDG_CACHE_HOME/cadrecast`` or ``~/.cache/cadrecast`` elsewhere. If that folder
    cannot be created or written, a per-user folder under the system temporary
    directory is used. jieba writes its cache atomically (temporary file + rename), so
    two processes sharing this folder do not corrupt it.

    Examples
    --------
    >>> cache_dir().is_dir()
    True
    """
    env = os.environ.get("CADRECAST_CACHE_DIR")
    if env:
        candidates = [Path(env)]
    elif sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        candidates = [Path(base) / "cadrecast"]
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        candidates = [Path(base) / "cadrecast"]
    user = os.environ.get("USER") or os.environ.get("USERNAME") or str(os.getuid()
                                                                       if hasattr(os, "getuid")
                                                                       else "user")
    candidates.append(Path(tempfile.gettempdir()) / f"cadrecast-{user}")
    for path in candidates:
        try:
            path.mkdir(parents=True, exist_ok=True)
            if os.access(path, os.W_OK):
                return path
        except OSError:
            continue
    raise ConfigError(
        f"no writable cache folder for cadrecast (tried {', '.join(map(str, candidates))}); "
        "set CADRECAST_CACHE_DIR to a folder you can write."
    )


def _parse_dict_lines(text: str, source: str) -> list[tuple[str, int | None, str | None]]:
    """Parse jieba dictionary lines ``word [freq] [tag]`` (``#`` lines are comments)."""
    rows: list[tuple[str, int | None, str | None]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        rest = parts[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
        if rest:
            tag = rest[0]
        if len(parts) > 3 or (len(rest) > 1):
            raise CorpusError(
                f"{source}, line {lineno}: {line!r} is not a jieba dictionary line "
                "('word', 'word freq', 'word tag' or 'word freq tag'; words have no spaces)."
            )
        rows.append((word, freq, tag))
    return rows


@functools.cache
def _domain_entries() -> tuple[tuple[str, int | None, str | None], ...]:
    from .resources import read_text

    return tuple(_parse_dict_lines(read_text(_DOMAIN_DICT), _DOMAIN_DICT))


@functools.cache
def load_stopwords(language: str = "zh") -> frozenset[str]:
    """The bundled stop-word list for ``language`` (``"zh"`` or ``"en"``).

    The Chinese list is stopwords-iso's (MIT, 794 entries, Simplified) plus cadrecast's
    domain function words; the English list is scikit-learn's ``ENGLISH_STOP_WORDS``
    (BSD-3-Clause). Compare Chinese tokens in their Simplified form (``token_hans``).

    Examples
    --------
    >>> "的" in load_stopwords("zh"), "the" in load_stopwords("en")
    (True, True)
    """
    from .resources import read_text

    check_choice("language", language, list(_STOPWORDS))
    words = (w.strip() for w in read_text(_STOPWORDS[language]).splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


@contextlib.contextmanager
def _quiet_jieba() -> Iterator[None]:
    """Silence jieba's "Building prefix dict ..." lines, restoring its logger after."""
    import jieba

    logger = jieba.default_logger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _import(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError as exc:  # pragma: no cover - broken installs only
        raise DependencyError(
            f"backend {name!r} needs the {name} package: pip install {name}"
        ) from exc


def _jieba_set_word(tk: Any, word: str, freq: int, tag: str | None) -> None:
    """Add ``word`` to a private jieba.Tokenizer (no global side effects).

    Unlike ``jieba.Tokenizer.add_word(word, 0)``, a frequency of 0 does not touch
    jieba's process-wide HMM force-split table.
    """
    FREQ = tk.FREQ
    old = FREQ.get(word, 0)
    FREQ[word] = freq
    tk.total += freq - old
    if tag:
        tk.user_word_tag_tab[word] = tag
    for i in range(1, len(word)):
        FREQ.setdefault(word[:i], 0)


def _jieba_suggest(tk: Any, word: str) -> int:
    """Frequency that keeps ``word`` whole under ``tk`` (jieba's ``suggest_freq``)."""
    freq = 1.0
    total = float(tk.total)
    for seg in tk.cut(word, HMM=False):
        freq *= tk.FREQ.get(seg, 1) / total
    return max(int(freq * total) + 1, tk.FREQ.get(word, 1))


@functools.cache
def _jieba_base(domain: bool) -> Any:
    """The process-wide *template* jieba tokenizer (main dictionary [+ domain words]).

    Never handed out: each :class:`Tokenizer` copies its word table, so dictionary
    loading happens once per process and per configuration.
    """
    jieba = _import("jieba")
    tk = jieba.Tokenizer()
    tk.tmp_dir = str(cache_dir())
    with _quiet_jieba():
        tk.initialize()
    if domain:
        for word, freq, tag in _domain_entries():
            _jieba_set_word(tk, word, freq if freq is not None else _jieba_suggest(tk, word),
                            tag)
    return tk


@functools.cache
def _jieba_tags() -> dict[str, str]:
    """Word -> POS tag from jieba's main dictionary (for ``pos=True``)."""
    import jieba

    tags: dict[str, str] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 3:
                tags[parts[0]] = parts[2]
    for word, _, tag in _domain_entries():
        if tag:
            tags[word] = tag
    return tags


# --------------------------------------------------------------------------- characters

def _is_punct(token: str) -> bool:
    """True for tokens made only of punctuation/symbols (Unicode categories P*, S*)."""
    return all(unicodedata.category(ch)[0] in "PS" for ch in token)


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x2FA1F)


def _is_title(word: str) -> bool:
    return word not in _NOT_TITLES and len(word) >= 2 and word.endswith(_TITLE_SUFFIXES)


def _name_at(words: Sequence[str], i: int, stops: frozenset[str]) -> str | None:
    """The person name starting at ``words[i]`` (surname + given name), if any."""
    given = words[i + 1]
    if (words[i] not in _SURNAMES or not 1 <= len(given) <= 2
            or not all(_is_han(ch) for ch in given) or given in stops or _is_title(given)
            or given in _NAME_AFTER):
        return None
    return words[i] + given


def _positions(words: list[str], targets: Iterable[str]) -> list[int]:
    """Sorted indexes of ``words`` equal to any of ``targets`` (scans in C)."""
    out = []
    for t in targets:
        i = -1
        index = words.index
        while True:
            try:
                i = index(t, i + 1)
            except ValueError:
                break
            out.append(i)
    out.sort()
    return out


def _find_names(words: list[str], stops: frozenset[str]) -> set[str]:
    """Names marked by their context (a title before, a title or reporting verb after)."""
    found: set[str] = set()
    cands = _SURNAMES.intersection(words)
    if not cands:
        return found
    last = len(words) - 1
    for i in _positions(words, cands):
        if i >= last:
            continue
        name = _name_at(words, i, stops)
        if name is None:
            continue
        before = words[i - 1] if i else ""
        after = words[i + 2] if i + 2 <= last else ""
        if _is_title(before) or after in _NAME_AFTER or _is_title(after):
            found.add(name)
    return found


@functools.lru_cache(maxsize=4096)
def _name_surnames(names: frozenset[str]) -> frozenset[str]:
    return frozenset(n[:k] for n in names for k in (1, 2) if n[:k] in _SURNAMES)


def _join_names(words: list[str], names: set[str] | frozenset[str]) -> list[str]:
    """Join ``surname`` + ``given`` token pairs that spell one of ``names``."""
    if not names:
        return words
    cands = _name_surnames(frozenset(names)).intersection(words)
    if not cands:
        return words
    last = len(words) - 1
    hits = [i for i in _positions(words, cands) if i < last and words[i] + words[i + 1] in names]
    if not hits:
        return words
    out: list[str] = []
    prev = 0
    for i in hits:
        if i < prev:  # overlapping with the previous join
            continue
        out += words[prev:i]
        out.append(words[i] + words[i + 1])
        prev = i + 2
    out += words[prev:]
    return out


# --------------------------------------------------------------------------- Tokenizer

@dataclass(frozen=True)
class _Config:
    backend: str
    hmm: bool
    domain: bool
    words: tuple[tuple[str, int | None, str | None], ...]
    stopwords: frozenset[str]
    join_names: bool = True


class Tokenizer:
    """A word segmenter with its own dictionary, stop words and (optional) POS tags.

    Parameters
    ----------
    backend : {"jieba", "rjieba"}, optional
        ``"jieba"`` (a private ``jieba.Tokenizer``) or ``"rjieba"`` (an ``rjieba.Jieba``,
        the Rust port: same algorithm and dictionary, many times faster). Default
        :data:`DEFAULT_BACKEND`.
    hmm : bool
        Let jieba's HMM join unknown words (names, new words). Default ``True``.
    domain : bool
        Load cadrecast's bundled domain dictionary (titles, platforms, key terms, farm
        products, place names). Default ``True``.
    user_words : iterable, optional
        Extra words: strings, or ``(word, freq)`` / ``(word, freq, tag)`` tuples. A word
        without a frequency gets the smallest frequency that keeps it whole.
    user_dicts : iterable of paths, optional
        jieba-format dictionary files (``word [freq] [tag]`` per line, UTF-8).
    stopwords : "default", None or iterable of str
        ``"default"``: the bundled Chinese (stopwords-iso + domain function words) and
        English lists; ``None``: no stop words; or your own words (Simplified Chinese /
        English, compared case-insensitively).
    extra_stopwords : iterable of str
        Words added to the stop list.
    join_names : bool
        Join person names that jieba splits into a surname and a dictionary word
        (王/洪涛 -> 王洪涛) when a title or role comes before the name (副县长王洪涛) or a
        title or reporting verb after it (王洪涛认为); the joined name is then joined
        everywhere in the same document. Default ``True``.

    Attributes
    ----------
    backend, hmm, domain : as given.
    stopwords : frozenset of str
        The stop words in use (Simplified / lower case).

    Notes
    -----
    The dictionary is loaded once per process and configuration (about 2 s for jieba,
    0.5 s for rjieba, domain dictionary included); more jieba tokenizers copy the loaded
    table (about 0.03 s). jieba keeps its
    dictionary cache in :func:`cache_dir`. Tokenizers pickle by configuration, so they
    can be sent to worker processes.

    Examples
    --------
    >>> tk = Tokenizer(user_words=["带人带产业"])
    >>> tk.cut("带货还需带人带产业")
    ['带货', '还', '需', '带人带产业']
    >>> Tokenizer().cut("带货还需带人带产业")
    ['带货', '还', '需带', '人带', '产业']
    """

    def __init__(
        self,
        backend: str | None = None,
        *,
        hmm: bool = True,
        domain: bool = True,
        user_words: Iterable[str | tuple] | None = None,
        user_dicts: Iterable[str | os.PathLike] | None = None,
        stopwords: str | Iterable[str] | None = "default",
        extra_stopwords: Iterable[str] = (),
        join_names: bool = True,
    ) -> None:
        backend = DEFAULT_BACKEND if backend is None else backend
        check_choice("backend", backend, BACKENDS)
        words: list[tuple[str, int | None, str | None]] = []
        for path in user_dicts or ():
            p = Path(path)
            if not p.is_file():
                raise ConfigError(f"user dictionary {str(p)!r} does not exist or is not a file")
            words += [_word_entry(e) for e in
                      _parse_dict_lines(p.read_text(encoding="utf-8-sig"), str(p))]
        for item in user_words or ():
            words.append(_word_entry(item))
        if isinstance(stopwords, str):
            if stopwords != "default":
                raise ConfigError(
                    f"stopwords={stopwords!r} is not valid; use 'default', None, or a list "
                    "of words."
                )
            stops = set(load_stopwords("zh")) | set(load_stopwords("en"))
        elif stopwords is None:
            stops = set()
        else:
            stops = {str(w).lower() for w in stopwords}
        stops |= {str(w).lower() for w in extra_stopwords}
        self._config = _Config(backend, bool(hmm), bool(domain), tuple(words), frozenset(stops),
                               bool(join_names))
        self._engine: Any = None
        self._memo: dict[str, tuple[bool, bool]] = {}
        self._tags: dict[str, str] = {}

    # -- configuration --------------------------------------------------------------
    @property
    def backend(self) -> str:
        return self._config.backend

    @property
    def hmm(self) -> bool:
        return self._config.hmm

    @property
    def domain(self) -> bool:
        return self._config.domain

    @property
    def stopwords(self) -> frozenset[str]:
        return self._config.stopwords

    def __repr__(self) -> str:
        c = self._config
        return (f"Tokenizer(backend={c.backend!r}, hmm={c.hmm}, domain={c.domain}, "
                f"user_words={len(c.words)}, stopwords={len(c.stopwords)})")

    def __getstate__(self) -> dict:
        return {"config": self._config}

    def __setstate__(self, state: dict) -> None:
        self._config = state["config"]
        self._engine = None
        self._memo = {}
        self._tags = {}

    # -- engine ---------------------------------------------------------------------
    @property
    def engine(self) -> Any:
        """The underlying ``jieba.Tokenizer`` or ``rjieba.Jieba`` (built on first use)."""
        if self._engine is None:
            self._engine = self._build()
        return self._engine

    def _build(self) -> Any:
        c = self._config
        if c.backend == "jieba":
            jieba = _import("jieba")
            base = _jieba_base(c.domain)
            tk = jieba.Tokenizer()
            tk.tmp_dir = base.tmp_dir
            tk.FREQ = dict(base.FREQ)
            tk.total = base.total
            tk.user_word_tag_tab = dict(base.user_word_tag_tab)
            tk.initialized = True
            self._engine = tk
        else:
            self._engine = _rjieba_engine(c.domain)
        for word, freq, tag in c.words:
            self._add(word, freq, tag)
        return self._engine

    def _add(self, word: str, freq: int | None, tag: str | None) -> None:
        eng = self._engine
        if self._config.backend == "jieba":
            _jieba_set_word(eng, word, freq if freq is not None else _jieba_suggest(eng, word),
                            tag)
        else:
            if freq is None:
                freq = _rjieba_suggest(eng, word)
            eng.add_word(word, freq, tag)
        if tag:
            self._tags[word] = tag
        self._memo.pop(word, None)

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        """Add ``word`` to this tokenizer only (Simplified form; Traditional text is
        segmented through its Simplified form).

        Parameters
        ----------
        word : str
            The word (no whitespace).
        freq : int, optional
            Dictionary frequency; default: the smallest that keeps the word whole.
        tag : str, optional
            Part-of-speech tag (jieba/ICTCLAS tags: ``n``, ``nr``, ``ns``, ``nt``, ``v`` ...).

        Examples
        --------
        >>> tk = Tokenizer()
        >>> tk.add_word("需带")
        >>> "需带" in tk.cut("带货还需带人")
        True
        """
        word, freq, tag = _word_entry((word, freq, tag))
        self.engine  # noqa: B018 - build first, so the word lands after the dictionaries
        c = self._config
        self._config = _Config(c.backend, c.hmm, c.domain, (*c.words, (word, freq, tag)),
                               c.stopwords, c.join_names)
        self._add(word, freq, tag)

    def load_userdict(self, path: str | os.PathLike) -> None:
        """Add every word of a jieba-format dictionary file to this tokenizer."""
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"user dictionary {str(p)!r} does not exist or is not a file")
        for word, freq, tag in _parse_dict_lines(p.read_text(encoding="utf-8-sig"), str(p)):
            self.add_word(word, freq, tag)

    # -- segmentation ---------------------------------------------------------------
    def _cut_hans(self, text: str) -> list[str]:
        eng = self.engine
        if self._config.backend == "jieba":
            return eng.lcut(text, HMM=self._config.hmm)
        return eng.cut(text, self._config.hmm)

    def cut(self, text: str, *, keep_space: bool = False) -> list[str]:
        """Segment one text (either script); return tokens in the text's own script.

        Examples
        --------
        >>> Tokenizer().cut("市委書記直播帶貨")
        ['市委書記', '直播帶貨']
        """
        return [t for t, _, _, _ in self.spans(text, keep_space=keep_space)]

    def spans(self, text: str, *, keep_space: bool = False,
              language: str | None = None) -> list[tuple[str, str, int, int]]:
        """Tokens of ``text`` as ``(token, token_hans, start, end)``, offsets into ``text``.

        Parameters
        ----------
        text : str
            Chinese (either script) or English.
        keep_space : bool
            Keep whitespace tokens (dropped by default).
        language : {"zh", "en"}, optional
            ``"en"`` tokenizes as English (words, numbers, punctuation; Han runs are still
            segmented as Chinese). Default: English if ``text`` has no Han character.

        Examples
        --------
        >>> Tokenizer().spans("縣長帶貨")
        [('縣長', '县长', 0, 2), ('帶貨', '带货', 2, 4)]
        """
        from .script import convert_with_map

        if not isinstance(text, str):
            raise TypeError(f"spans() expects a str, got {type(text).__name__}")
        if language is None:
            language = "zh" if any(_is_han(ch) for ch in text) else "en"
        if language == "en":
            return self._spans_en(text, keep_space)
        hans, smap = convert_with_map(text, "t2s")
        return self._spans_zh(text, hans, None if smap.is_identity else smap, keep_space)

    def _para_tokens(self, text: str, hans: str, smap: Any, words: list[str],
                     names: frozenset[str] | set[str] | None) -> tuple[list, list, list, list]:
        """(Simplified tokens, original tokens, starts, ends) of one Chinese text."""
        if self._config.join_names:
            if names is None:
                names = _find_names(words, self._config.stopwords)
            words = _join_names(words, names)
        ends = list(itertools.accumulate(map(len, words)))
        starts = [0, *ends[:-1]]
        if smap is None:
            orig = words if text == hans else [text[a:b] for a, b in zip(starts, ends,
                                                                          strict=True)]
        else:
            oi = smap.original_index
            starts = [oi(x) for x in starts]
            ends = [max(oi(x), a) for x, a in zip(ends, starts, strict=True)]
            orig = [text[a:b] for a, b in zip(starts, ends, strict=True)]
        return words, orig, starts, ends

    def _spans_zh(self, text: str, hans: str, smap: Any, keep_space: bool,
                  offset: int = 0) -> list[tuple[str, str, int, int]]:
        w, o, s, e = self._para_tokens(text, hans, smap, self._cut_hans(hans), None)
        return [(a, b, c + offset, d + offset) for a, b, c, d in zip(o, w, s, e, strict=True)
                if keep_space or not b.isspace()]

    def _spans_en(self, text: str, keep_space: bool) -> list[tuple[str, str, int, int]]:
        from .script import convert_with_map

        out: list[tuple[str, str, int, int]] = []
        last = 0
        for m in _EN_TOKEN.finditer(text):
            if keep_space and m.start() > last:
                out.append((text[last:m.start()],) * 2 + (last, m.start()))
            if m.lastgroup == "han":
                piece = m.group()
                hans, smap = convert_with_map(piece, "t2s")
                out += self._spans_zh(piece, hans, None if smap.is_identity else smap,
                                      keep_space, offset=m.start())
            else:
                out.append((m.group(), m.group(), m.start(), m.end()))
            last = m.end()
        if keep_space and last < len(text):
            out.append((text[last:],) * 2 + (last, len(text)))
        return out

    # -- flags and tags ---------------------------------------------------------------
    def flags(self, token_hans: str) -> tuple[bool, bool]:
        """``(is_stop, is_punct)`` of a token (Simplified form).

        Punctuation and symbol tokens count as stop words.

        Examples
        --------
        >>> Tokenizer().flags("的"), Tokenizer().flags("，"), Tokenizer().flags("县长")
        ((True, False), (True, True), (False, False))
        """
        hit = self._memo.get(token_hans)
        if hit is None:
            punct = _is_punct(token_hans)
            hit = (punct or token_hans.lower() in self._config.stopwords, punct)
            self._memo[token_hans] = hit
        return hit

    def tag(self, tokens_hans: Sequence[str]) -> list[str]:
        """Part-of-speech tags for tokens this tokenizer produced (jieba's tag set).

        The tokens are not re-segmented (``jieba.posseg`` would cut differently): each
        token gets its dictionary tag (user words, domain dictionary, jieba's main
        dictionary); a token not in any dictionary gets ``m`` (numbers), ``eng`` (Latin
        words), ``x`` (punctuation, spaces) or, for Chinese, the tag jieba's POS HMM gives
        its characters (most often ``nr`` for names).

        Examples
        --------
        >>> Tokenizer().tag(["副县长", "陈灿平", "直播带货", "安化黑茶", "618"])
        ['n', 'nr', 'vn', 'nz', 'm']
        """
        table = _jieba_tags()
        out = []
        for t in tokens_hans:
            tag = self._tags.get(t) or table.get(t)
            if tag is None:
                tag = _oov_tag(t)
            out.append(tag)
        return out

    # -- tables -----------------------------------------------------------------------
    def tokenize(self, corpus_or_frame: Corpus | pd.DataFrame, *, pos: bool = False,
                 keep_space: bool = False, workers: int = 1,
                 progress: bool = False, sentences: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
        """Token table of a corpus or paragraph table; see :func:`tokenize`."""
        return tokenize(corpus_or_frame, tokenizer=self, pos=pos, keep_space=keep_space,
                        workers=workers, progress=progress, sentences=sentences)


def _word_entry(item: str | tuple) -> tuple[str, int | None, str | None]:
    if isinstance(item, str):
        word, freq, tag = item, None, None
    else:
        item = tuple(item)
        if not 1 <= len(item) <= 3:
            raise ConfigError(f"user word {item!r}: use 'word', (word, freq) or "
                              "(word, freq, tag)")
        word, freq, tag = (*item, None, None)[:3]
    if not isinstance(word, str) or not word or any(ch.isspace() for ch in word):
        raise ConfigError(f"user word {word!r} must be a non-empty string without spaces")
    if freq is not None:
        if isinstance(freq, bool) or not isinstance(freq, int) or freq < 0:
            raise ConfigError(f"user word {word!r}: freq must be a non-negative int, "
                              f"got {freq!r}")
    from .script import to_simplified

    return to_simplified(word), freq, tag


def _rjieba_suggest(eng: Any, word: str) -> int:
    return max(int(eng.suggest_freq(word)), 1)


@functools.cache
def _rjieba_words(domain: bool) -> tuple[tuple[str, int, str | None], ...]:
    """Domain entries with frequencies resolved (shared by every rjieba engine)."""
    if not domain:
        return ()
    rj = _import("rjieba")
    probe = rj.Jieba()
    out = []
    for word, freq, tag in _domain_entries():
        if freq is None:
            freq = _rjieba_suggest(probe, word)
        out.append((word, freq, tag))
    return tuple(out)


def _rjieba_engine(domain: bool) -> Any:
    rj = _import("rjieba")
    eng = rj.Jieba()
    for word, freq, tag in _rjieba_words(domain):
        eng.add_word(word, freq, tag)
    return eng


@functools.lru_cache(maxsize=100_000)
def _oov_tag(token: str) -> str:
    if not token or token.isspace() or _is_punct(token):
        return "x"
    if any(ch.isdigit() for ch in token) and not any(_is_han(ch) for ch in token):
        return "m"
    if not any(_is_han(ch) for ch in token):
        return "eng"
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P
    from jieba.posseg.viterbi import viterbi

    _, path = viterbi(token, char_state_tab_P, start_P, trans_P, emit_P)
    tags = [t for _, t in path]
    return max(sorted(set(tags)), key=tags.count)


@functools.lru_cache(maxsize=16)
def _default_tokenizer(backend: str) -> Tokenizer:
    """Shared default tokenizer per backend (never exposed for mutation)."""
    return Tokenizer(backend)


# --------------------------------------------------------------------------- tables

def _paragraph_frame(corpus_or_frame: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    from .corpus import Corpus

    if isinstance(corpus_or_frame, Corpus):
        return corpus_or_frame.paragraphs, corpus_or_frame.sentences
    if isinstance(corpus_or_frame, pd.DataFrame):
        return corpus_or_frame, None
    raise TypeError(
        "tokenize() expects a cadrecast Corpus or a paragraph DataFrame (columns doc_id, "
        f"text [, para_id, text_hans, hans_map, language]); got {type(corpus_or_frame).__name__}"
    )


def _work_items(paras: pd.DataFrame, sentences: pd.DataFrame | None) -> list[tuple]:
    """One tuple per paragraph: (doc_id, para_id, text, hans, map, lang, sentence starts)."""
    from .corpus import split_sentences

    missing = [c for c in ("doc_id", "text") if c not in paras.columns]
    if missing:
        raise ColumnError(
            f"tokenize() needs a paragraph table with columns 'doc_id' and 'text'; missing "
            f"{missing}. Pass cadrecast.load_corpus(...) or its .paragraphs table."
        )
    n = len(paras)
    doc = paras["doc_id"].astype(str).tolist()
    para = paras["para_id"].astype("int64").tolist() if "para_id" in paras else [0] * n
    text = paras["text"].tolist()
    for i, t in enumerate(text):
        if not isinstance(t, str):
            if pd.isna(t):
                text[i] = ""
            else:
                raise ColumnError(f"row {i} (doc_id {doc[i]!r}): 'text' is not a string: {t!r}")
    hans = paras["text_hans"].tolist() if "text_hans" in paras else [None] * n
    maps = paras["hans_map"].tolist() if "hans_map" in paras else [None] * n
    lang = paras["language"].tolist() if "language" in paras else [None] * n
    starts: dict[tuple[str, int], list[int]] = {}
    if sentences is not None and len(sentences):
        pstart = (dict(zip(zip(doc, para, strict=True), paras["start"].astype("int64"),
                           strict=True)) if "start" in paras else {})
        for d, p, s in zip(sentences["doc_id"].astype(str), sentences["para_id"],
                           sentences["start"], strict=True):
            base = pstart.get((d, int(p)), 0)
            starts.setdefault((d, int(p)), []).append(int(s) - base)
    items = []
    for i in range(n):
        lg = lang[i] if isinstance(lang[i], str) else None
        if lg is None:
            lg = "zh" if any(_is_han(ch) for ch in text[i]) else "en"
        key = (doc[i], int(para[i]))
        if key in starts:
            st = sorted(starts[key])
        else:
            st = [s for s, _ in split_sentences(text[i], "en" if lg == "en" else "zh")] or [0]
        h = hans[i] if isinstance(hans[i], str) else None
        m = maps[i] if isinstance(maps[i], str) else None
        items.append((doc[i], int(para[i]), text[i], h, m, lg, st))
    return items


def _utf8_offsets(text: str, char_offsets: Any) -> Any:
    """Byte offsets in ``text.encode("utf-8")`` of the given character offsets."""
    import numpy as np

    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    width = (1 + (cps >= 0x80) + (cps >= 0x800) + (cps >= 0x10000)).astype(np.int64)
    cum = np.zeros(len(cps) + 1, dtype=np.int64)
    np.cumsum(width, out=cum[1:])
    return cum[char_offsets]


def _string_array(text: str, bounds: Any) -> Any:
    """pyarrow strings ``text[bounds[i]:bounds[i+1]]`` built straight from buffers."""
    import numpy as np
    import pyarrow as pa

    data = text.encode("utf-8")
    offsets = _utf8_offsets(text, bounds).astype(np.int64)
    return pa.LargeStringArray.from_buffers(
        len(bounds) - 1, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)
    ).cast(pa.string())


def _tokenize_items(tk: Tokenizer, items: Sequence[tuple], pos: bool,
                    keep_space: bool) -> Any:
    """Segment work items into a pyarrow Table with the token columns.

    Tokens cover each paragraph without gaps (whitespace tokens included until the
    end), so Python only handles token *lengths*: the token strings are cut out of the
    concatenated texts as pyarrow buffers, and offsets, flags, ``token_id`` and
    ``sent_id`` are computed with numpy/pyarrow over the whole chunk.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .script import SpanMap, convert_with_map

    hans_parts: list[str] = []   # Simplified text of each paragraph
    orig_parts: list[str] = []   # original text of each paragraph
    hans_ends: list[int] = []    # token ends, offsets into the paragraph's Simplified text
    orig_ends: list[int] = []    # token ends, offsets into the paragraph's original text
    counts: list[int] = []
    sent_all: list[int] = []
    sent_counts: list[int] = []
    stops = tk.stopwords
    join = tk._config.join_names
    accumulate = itertools.accumulate

    def emit(prepared: list[tuple], names: frozenset[str]) -> None:
        for text, hans, smap, words, sent_starts in prepared:
            if words is None:  # English
                toks = tk._spans_en(text, True)
                hans = "".join([t[1] for t in toks])
                he = list(accumulate(len(t[1]) for t in toks))
                oe = [t[3] for t in toks]
            else:
                if join and names:
                    words = _join_names(words, names)
                he = list(accumulate(map(len, words)))
                if smap is None:
                    oe = he
                else:
                    oi = smap.original_index
                    oe = [oi(x) for x in he]
            hans_parts.append(hans)
            orig_parts.append(text)
            hans_ends.extend(he)
            orig_ends.extend(oe)
            counts.append(len(he))
            sent_all.extend(sent_starts)
            sent_counts.append(len(sent_starts))

    prepared: list[tuple] = []
    names: set[str] = set()
    for k, (doc_id, para_id, text, hans, code, lang, sent_starts) in enumerate(items):
        if k and doc_id != items[k - 1][0]:
            # a new document: emit the previous one with the names found in all of it
            emit(prepared, frozenset(names))
            prepared, names = [], set()
        if lang == "en":
            prepared.append((text, None, None, None, sent_starts))
            continue
        if hans is None:
            hans, smap = convert_with_map(text, "t2s")
            smap = None if smap.is_identity else smap
        elif code:
            smap = SpanMap.decode(code, len(hans))
        else:
            smap = None
            if len(hans) != len(text):
                raise ColumnError(
                    f"doc_id {doc_id!r}, para_id {para_id}: text_hans and text differ in "
                    "length but hans_map is empty; recompute text_hans with "
                    "cadrecast.script.convert_with_map."
                )
        words = tk._cut_hans(hans)
        if join:
            names |= _find_names(words, stops)
        prepared.append((text, hans, smap, words, sent_starts))
    emit(prepared, frozenset(names))

    n_par = len(items)
    counts_arr = np.array(counts, dtype=np.int64)
    par_idx = np.repeat(np.arange(n_par, dtype=np.int64), counts_arr)
    he = np.array(hans_ends, dtype=np.int64)
    oe = np.array(orig_ends, dtype=np.int64)
    # token starts: the previous token's end within the paragraph, 0 for the first
    first_tok = np.zeros(len(he), dtype=bool)
    tok_base = np.r_[0, np.cumsum(counts_arr)[:-1]].astype(np.int64)
    first_tok[tok_base[counts_arr > 0]] = True
    hs = np.where(first_tok, 0, np.r_[0, he[:-1]])
    starts = np.where(first_tok, 0, np.r_[0, oe[:-1]])
    ends = oe
    # strings cut out of the concatenated paragraphs
    hans_len = np.array([len(h) for h in hans_parts], dtype=np.int64)
    orig_len = np.array([len(t) for t in orig_parts], dtype=np.int64)
    hans_base = np.r_[0, np.cumsum(hans_len)[:-1]].astype(np.int64)
    orig_base = np.r_[0, np.cumsum(orig_len)[:-1]].astype(np.int64)
    words_arr = _string_array("".join(hans_parts),
                              np.r_[hans_base[par_idx] + hs, (hans_base[par_idx] + he)[-1:]]
                              if len(he) else np.zeros(1, dtype=np.int64))
    orig_arr = _string_array("".join(orig_parts),
                             np.r_[orig_base[par_idx] + starts, (orig_base[par_idx] + ends)[-1:]]
                             if len(he) else np.zeros(1, dtype=np.int64))
    if not keep_space and len(words_arr):
        keep = pc.invert(pc.utf8_is_space(words_arr)).to_numpy(zero_copy_only=False)
        if not keep.all():
            par_idx, starts, ends = par_idx[keep], starts[keep], ends[keep]
            mask = pa.array(keep)
            words_arr = words_arr.filter(mask)
            orig_arr = orig_arr.filter(mask)
    n = len(par_idx)
    idx = np.arange(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    if n:
        change = np.r_[True, par_idx[1:] != par_idx[:-1]]
        first = np.maximum.accumulate(np.where(change, idx, 0))
    token_id = idx - first
    # sentences: offsets made global by giving each paragraph its own range
    lengths = orig_len + 1
    base = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    sent_par = np.repeat(np.arange(n_par, dtype=np.int64), sent_counts)
    sent_global = np.array(sent_all, dtype=np.int64) + base[sent_par]
    sent_first = np.r_[0, np.cumsum(sent_counts)[:-1]].astype(np.int64)
    j = np.searchsorted(sent_global, base[par_idx] + starts, side="right") - 1
    sent_id = np.maximum(j - sent_first[par_idx], 0)
    punct = pc.match_substring_regex(words_arr, r"^[\pP\pS]+$")
    is_stop = pc.or_(pc.is_in(pc.utf8_lower(words_arr), value_set=_stop_array(stops)), punct)
    doc_ids = pa.array([it[0] for it in items], pa.string())
    para_ids = np.array([it[1] for it in items], dtype=np.int64)
    cols = {
        "doc_id": doc_ids.take(pa.array(par_idx)),
        "para_id": pa.array(para_ids[par_idx]),
        "sent_id": pa.array(sent_id),
        "token_id": pa.array(token_id),
        "token": orig_arr,
        "token_hans": words_arr,
        "start": pa.array(starts),
        "end": pa.array(ends),
        "is_stop": is_stop,
        "is_punct": punct,
    }
    if pos:
        cols["pos"] = pa.array(tk.tag(words_arr.to_pylist()), pa.string())
    return pa.table(cols)


@functools.lru_cache(maxsize=8)
def _stop_array(stops: frozenset[str]) -> Any:
    import pyarrow as pa

    return pa.array(sorted(stops), pa.string())


def _empty_table(tk: Tokenizer, pos: bool) -> pd.DataFrame:
    return _frame(_tokenize_items(tk, [], pos, False))


def _frame(table: Any) -> pd.DataFrame:
    df = table.to_pandas()
    return df.astype({"doc_id": "str", "token": "str", "token_hans": "str",
                      **({"pos": "str"} if "pos" in df else {})})


# worker-process state: the tokenizer each worker loaded once (a per-process cache)
_WORKER: dict[str, Tokenizer] = {}


def _worker_init(tk: Tokenizer) -> None:
    tk.engine  # noqa: B018 - load the dictionary once per worker
    _WORKER["tk"] = tk


def _worker_run(args: tuple[Sequence[tuple], bool, bool]) -> Any:
    items, pos, keep_space = args
    return _tokenize_items(_WORKER["tk"], items, pos, keep_space)


def _chunks(items: list[tuple], n_chunks: int) -> list[list[tuple]]:
    """Split work into contiguous chunks of similar text size, never splitting a doc."""
    total = sum(len(it[2]) for it in items) or 1
    target = total / max(n_chunks, 1)
    chunks: list[list[tuple]] = [[]]
    size = 0
    for i, it in enumerate(items):
        new_doc = i > 0 and it[0] != items[i - 1][0]
        if new_doc and size >= target and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].append(it)
        size += len(it[2])
    return chunks


def tokenize(
    corpus_or_frame: Corpus | pd.DataFrame,
    *,
    tokenizer: Tokenizer | None = None,
    backend: str | None = None,
    pos: bool = False,
    keep_space: bool = False,
    workers: int = 1,
    progress: bool = False,
    sentences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Segment every paragraph into a tidy token table.

    Chinese paragraphs are segmented through their Simplified form (``text_hans``) and
    each token keeps its span in the paragraph's original ``text``; English paragraphs
    (``language == "en"``) are tokenized as English words, numbers and punctuation.

    Parameters
    ----------
    corpus_or_frame : Corpus or DataFrame
        A :class:`cadrecast.Corpus` (its ``paragraphs`` and ``sentences``), or a
        paragraph table with ``doc_id`` and ``text`` and optionally ``para_id``,
        ``text_hans`` + ``hans_map`` (computed if missing), ``language`` and ``start``.
    tokenizer : Tokenizer, optional
        The tokenizer to use (its dictionary, user words and stop words). Default: a
        shared default :class:`Tokenizer` for ``backend``.
    backend : {"jieba", "rjieba"}, optional
        Backend of the default tokenizer (ignored when ``tokenizer`` is given).
    pos : bool
        Add a ``pos`` column (jieba tag set) tagging the tokens produced, without
        re-segmenting (see :meth:`Tokenizer.tag`). Off by default.
    keep_space : bool
        Keep whitespace tokens (dropped by default; ``token_id`` counts kept tokens).
    workers : int
        Worker processes (``1``: this process; ``0`` or negative: one per CPU). Each
        worker loads the dictionary once; the table is identical to the one-process run.
    progress : bool
        Show a progress bar (tqdm) on standard error.
    sentences : DataFrame, optional
        Sentence table (``doc_id``, ``para_id``, ``start`` as offsets into the document
        text, like ``Corpus.sentences``) for a paragraph-table input; by default a
        Corpus's own sentences, or cadrecast's sentence splitter.

    Returns
    -------
    DataFrame
        One row per token, in text order:

        - ``doc_id`` (str), ``para_id`` (int), ``sent_id`` (int, 0-based within the
          paragraph, from ``Corpus.sentences``), ``token_id`` (int, 0-based within the
          paragraph);
        - ``token`` (str, the original script) and ``token_hans`` (str, Simplified; the
          same as ``token`` for English);
        - ``start``, ``end`` (int): offsets into the **paragraph's** ``text`` (original
          script), so ``paragraph.text[start:end] == token``; add the paragraph's
          ``start`` for offsets into the document text;
        - ``is_stop`` (bool): a stop word (compared in Simplified, case-insensitively)
          or punctuation — the tokens counts usually drop; ``is_punct`` (bool):
          punctuation / symbol only;
        - ``pos`` (str), only when ``pos=True``.

    Examples
    --------
    >>> import pandas as pd
    >>> paras = pd.DataFrame({"doc_id": ["a"], "text": ["安化縣副縣長直播帶貨。"]})
    >>> toks = tokenize(paras)
    >>> toks[["token", "token_hans", "start", "end", "is_stop"]].values.tolist()[:2]
    [['安化縣', '安化县', 0, 3, False], ['副縣長', '副县长', 3, 6, False]]
    >>> toks["token"].tolist()
    ['安化縣', '副縣長', '直播帶貨', '。']
    """
    paras, corpus_sents = _paragraph_frame(corpus_or_frame)
    tk = tokenizer if tokenizer is not None else _default_tokenizer(
        check_choice("backend", DEFAULT_BACKEND if backend is None else backend, BACKENDS))
    if not isinstance(tk, Tokenizer):
        raise TypeError(f"tokenizer must be a cadrecast Tokenizer, got {type(tk).__name__}")
    if not isinstance(workers, int) or isinstance(workers, bool):
        raise ConfigError(f"workers must be an int, got {workers!r}")
    items = _work_items(paras, sentences if sentences is not None else corpus_sents)
    if not items:
        return _empty_table(tk, pos)
    if workers <= 0:
        workers = os.cpu_count() or 1
    workers = min(workers, len(items))
    if workers == 1:
        parts = _run_local(tk, items, pos, keep_space, progress)
    else:
        parts = _run_parallel(tk, items, pos, keep_space, progress, workers)
    import pyarrow as pa

    return _frame(pa.concat_tables(parts) if len(parts) > 1 else parts[0])


def _run_local(tk: Tokenizer, items: list[tuple], pos: bool, keep_space: bool,
               progress: bool) -> list[Any]:
    if not progress:
        return [_tokenize_items(tk, items, pos, keep_space)]
    from tqdm.auto import tqdm

    chunks = _chunks(items, max(len(items) // 200, 1))
    return [_tokenize_items(tk, ch, pos, keep_space)
            for ch in tqdm(chunks, desc="tokenize", unit="chunk", file=sys.stderr)]


def _run_parallel(tk: Tokenizer, items: list[tuple], pos: bool, keep_space: bool,
                  progress: bool, workers: int) -> list[Any]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # On Linux with Python 3.11, fork lets workers inherit the loaded dictionary. From
    # Python 3.12 fork warns in multi-threaded processes (pyarrow runs threads), so there
    # each worker (forkserver / spawn) rebuilds the tokenizer from its configuration once.
    if sys.platform.startswith("linux"):
        method = "fork" if sys.version_info < (3, 12) else "forkserver"
    else:
        method = "spawn"
    ctx = mp.get_context(method)
    tk.engine  # noqa: B018 - load once here so forked workers inherit it
    chunks = _chunks(items, workers * 16)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                             initargs=(tk,)) as pool:
        results = pool.map(_worker_run, [(ch, pos, keep_space) for ch in chunks])
        if progress:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(chunks), desc="tokenize", unit="chunk",
                           file=sys.stderr)
        return list(results)


# --------------------------------------------------------------------------- counts

def term_frequencies(
    tokens: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    include_stop: bool = False,
    column: str = "token_hans",
    lowercase: bool = True,
) -> pd.DataFrame:
    """Count terms in a token table.

    Parameters
    ----------
    tokens : DataFrame
        A table from :func:`tokenize` (needs ``doc_id``, ``column`` and ``is_stop``
        unless ``include_stop``).
    by : str or list of str, optional
        Count within groups (e.g. ``"doc_id"``); default: the whole table.
    include_stop : bool
        Count stop words and punctuation too (dropped by default).
    column : str
        ``"token_hans"`` (default: both scripts count as one term) or ``"token"``.
    lowercase : bool
        Lower-case Latin letters (``APP`` and ``app`` count together).

    Returns
    -------
    DataFrame
        Columns ``[*by, "term", "n", "share", "n_docs", "rank"]``: ``n`` occurrences,
        ``share`` = ``n`` / all counted tokens of the group, ``n_docs`` documents that
        use the term (within the group), ``rank`` 1 = most frequent. Sorted by group,
        ``n`` descending then ``term``.

    Examples
    --------
    >>> import pandas as pd
    >>> toks = tokenize(pd.DataFrame({"doc_id": ["a", "b"],
    ...                               "text": ["县长直播带货。", "縣長帶貨"]}))
    >>> term_frequencies(toks)[["term", "n", "n_docs"]].values.tolist()
    [['县长', 2, 2], ['带货', 1, 1], ['直播带货', 1, 1]]
    """
    group = [] if by is None else ([by] if isinstance(by, str) else list(by))
    need = ["doc_id", column, *group, *([] if include_stop else ["is_stop"])]
    missing = [c for c in need if c not in tokens.columns]
    if missing:
        raise ColumnError(f"term_frequencies() needs columns {missing} in the token table; "
                          "pass the output of cadrecast.tokenize().")
    df = tokens if include_stop else tokens[~tokens["is_stop"].astype(bool)]
    terms = df[column].astype("str")
    if lowercase:
        terms = terms.str.lower()
    df = pd.DataFrame({**{g: df[g].to_numpy() for g in group},
                       "_doc": df["doc_id"].to_numpy(), "term": terms.to_numpy()})
    keys = [*group, "term"]
    out = (df.groupby(keys, sort=False, dropna=False)
             .agg(n=("_doc", "size"), n_docs=("_doc", "nunique"))
             .reset_index())
    totals = (out.groupby(group, sort=False)["n"].transform("sum") if group
              else out["n"].sum())
    out["share"] = out["n"] / totals
    out = out.sort_values([*group, "n", "term"], ascending=[*([True] * len(group)), False,
                                                            True], kind="stable")
    out["rank"] = (out.groupby(group, sort=False).cumcount() + 1 if group
                   else range(1, len(out) + 1))
    out = out[[*group, "term", "n", "share", "n_docs", "rank"]].reset_index(drop=True)
    return out.astype({"n": "int64", "n_docs": "int64", "rank": "int64"})


# --------------------------------------------------------------------------- pipeline

#: Corpora with more characters than this are tokenized with one worker per CPU.
PARALLEL_MIN_CHARS = 2_000_000


def tokens_stage(corpus: Corpus, ctx: Any) -> dict[str, pd.DataFrame]:
    """Pipeline stage ``tokens``: the token table and term frequencies per language.

    Uses the default tokenizer (:data:`DEFAULT_BACKEND`, domain dictionary). A corpus of
    more than :data:`PARALLEL_MIN_CHARS` characters is tokenized with one worker process
    per CPU unless ``ctx.workers`` says otherwise (``1`` inside an engine's workers).
    """
    tk = _default_tokenizer(DEFAULT_BACKEND)
    n_chars = int(corpus.paragraphs["text"].str.len().sum()) if len(corpus.paragraphs) else 0
    # ctx.workers: None lets this stage decide; 1 inside an engine's (already parallel)
    # workers; another number is the processes the user allows
    workers = getattr(ctx, "workers", None)
    if workers is None:
        workers = 0 if n_chars > PARALLEL_MIN_CHARS else 1
    tokens = tokenize(corpus, tokenizer=tk, workers=workers, progress=ctx.progress)
    lang = corpus.paragraphs[["doc_id", "para_id", "language"]]
    with_lang = tokens.merge(lang, on=["doc_id", "para_id"], how="left", validate="m:1")
    freqs = term_frequencies(with_lang, by="language")
    ctx.note(
        f"tokens: {len(tokens)} tokens from {tokens['doc_id'].nunique()} documents, "
        f"segmented with {tk.backend} (HMM {'on' if tk.hmm else 'off'}) and cadrecast's "
        f"domain dictionary ({len(_domain_entries())} words); start/end are offsets into "
        "the paragraph's text; is_stop marks stop words and punctuation."
    )
    return {"tokens": tokens, "term_frequencies": freqs}
