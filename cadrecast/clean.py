"""Cleaning without loss: find web boilerplate and related-article teasers in a raw text.

Nothing is deleted from the raw text. :func:`clean_text` returns the kept paragraphs with
their offsets into the raw text, every removed span with its reason, and the teaser
blocks of *other* articles (相关焦点 / 相关阅读 lists) as separate records. Rules are
written once, in Simplified Chinese, and applied to the Simplified form of each line, so
they work on Traditional pages too.

Examples
--------
>>> raw = "縣長直播賣米\\n\\n來源:新華社\\n\\n正文第一段。\\n\\n返回頂部\\n"
>>> result = clean_text(raw)
>>> [p.text for p in result.paragraphs]
['縣長直播賣米', '正文第一段。']
>>> [(r.text, r.reason) for r in result.removed]
[('來源:新華社', 'metadata'), ('返回頂部', 'navigation')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .script import to_simplified

# ---------------------------------------------------------------------------- rules
# Each rule: (reason, compiled pattern over the Simplified, stripped line).

_META = re.compile(
    r"^(?:来源|原标题|本文来源|稿件来源|文章来源|信息来源|责任编辑|责编|编辑|文章编辑|作者|记者|"
    r"摄影|图片来源|校对|审核|出品|监制|发布时间|发布日期|时间|日期|字号|点击数|阅读数|浏览次数)"
    r"\s*[:：]"
    r"|^(?:Source|Editor|Responsible editor|Author|Reporter|Photo)\s*:",
    re.IGNORECASE,
)
_REPRINT = re.compile(
    r"^(?:本文由.{0,60}发布|本文(?:仅)?代表作者|如需转载|转载请|未经(?:授权|许可)|版权(?:声明|所有)|"
    r"免责声明|声明[:：]|(?:本文|文章)?(?:部分内容)?来源于网络|如有侵权|copyright|©|\(c\)\s*\d{4})",
    re.IGNORECASE,
)
_NAV_WORDS = (
    "上一篇|下一篇|上一条|下一条|相关推荐|我要回帖|返回顶部|随机推荐|返回首页|返回列表|点击提问|"
    "在线咨询|分享到|打开app|打开APP|查看原文|阅读原文|展开全文|点击查看|点击进入|收藏本文|收藏|"
    "点赞|评论|举报|登录|注册|首页|更多|热门文章|热门推荐|最新文章|推荐文章|加载更多|扫一扫|"
    "官网商城|关注我们|联系我们|网站地图|回到顶部|顶部|打印|关闭窗口|纠错"
)
_NAV = re.compile(rf"^(?:{_NAV_WORDS})(?:\s|[:：]|\d{{4}}年\d{{1,2}}月\d{{1,2}}日|\(\d+\)|\d+)*$")
_NAV_MORE = re.compile(r"^更多关于.{1,40}的(?:文章|问题|内容)$")
_QR = re.compile(r"二维码|扫一扫|扫码|长按识别|qrcode|关注.{0,12}(?:公众号|微信|微博)", re.IGNORECASE)
_PHONE = re.compile(r"(?:400|800)[- ]?\d{3}[- ]?\d{4}|(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-\d{7,8}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\[email\s*protected\]|邮箱[:：]|邮件[:：]", re.IGNORECASE)
_MASTHEAD = re.compile(
    r"邮发代号|国内统一刊号|国际标准刊号|ISSN\s*\d|CN\s*\d{2}-\d{4}|全国发行|每[月周期]\S{0,6}出版|"
    r"订阅热线|广告热线|新闻热线|版权所有|all rights reserved|ICP[备证]",
    re.IGNORECASE,
)
_FOOTER_START = re.compile(
    r"^(?:上一篇|下一篇|上一条|下一条|相关推荐|我要回帖|返回顶部|回到顶部|随机推荐|热门推荐|热门文章|"
    rf"最新文章|推荐文章|免责声明|版权声明|本文由|如需转载)|{_REPRINT.pattern}",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^(?:相关焦点|相关阅读|相关文章|相关新闻|相关报道|延伸阅读|猜你喜欢|推荐阅读|相关链接|"
    r"热点推荐|你可能感兴趣|为你推荐|相关资讯|Related(?: articles| stories| news)?)\s*[:：]?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•·●▪◆■□◇○\-*]|\d{1,2}[.、)])\s*")
_DATE_LINE = re.compile(
    r"^(?P<date>\d{4}[-/.年]\s*\d{1,2}[-/.月]\s*\d{1,2}日?)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s+(?P<outlet>[^\s\d][^\s]{1,20}))?$"
)

#: Reasons a span may be removed for (the ``reason`` column of ``corpus.removed``).
REASONS = ("metadata", "dateline", "reprint", "navigation", "contact", "qrcode", "masthead",
           "footer", "related")


@dataclass(frozen=True)
class Span:
    """A span of the raw text: ``raw[start:end] == text``."""

    start: int
    end: int
    text: str
    reason: str = ""


@dataclass
class RelatedTeaser:
    """A teaser of another article found in a related-articles block."""

    title: str
    text: str
    start: int  # offsets into the raw text of the page it was found on
    end: int
    paragraphs: list[Span] = field(default_factory=list)


@dataclass
class CleanResult:
    """What :func:`clean_text` found: kept paragraphs, removed spans, teasers, metadata."""

    paragraphs: list[Span]
    removed: list[Span]
    related: list[RelatedTeaser]
    metadata: dict[str, str]

    @property
    def text(self) -> str:
        """The cleaned text: kept paragraphs joined by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)


def _lines(raw: str) -> list[Span]:
    out, pos = [], 0
    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            out.append(Span(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(line)
    return out


def _classify(hans: str) -> str:
    """The removal reason for one line (Simplified, stripped), or "" to keep it."""
    if _META.match(hans):
        return "metadata"
    if _REPRINT.match(hans):
        return "reprint"
    if _NAV.match(hans) or _NAV_MORE.match(hans):
        return "navigation"
    if len(hans) <= 60 and _MASTHEAD.search(hans):
        return "masthead"
    if len(hans) <= 40 and _QR.search(hans):
        return "qrcode"
    phones = _PHONE.findall(hans) + _EMAIL.findall(hans)
    if phones:
        rest = _EMAIL.sub("", _PHONE.sub("", hans))
        rest = re.sub(r"[\s:：,，;；【】\[\]()（）转]|热线|电话|咨询|客服|投诉|支持|传真|联系", "", rest)
        if len(rest) <= 12 * len(phones) + 8:
            return "contact"
    return ""


def _is_shortish(hans: str) -> bool:
    return len(hans) < 50


def clean_text(raw: str) -> CleanResult:
    """Split a raw page into kept paragraphs, removed boilerplate and related teasers.

    Parameters
    ----------
    raw : str
        The decoded file text, untouched.

    Returns
    -------
    CleanResult
        ``paragraphs`` and ``removed`` are :class:`Span` objects with offsets into ``raw``
        (so ``raw[s.start:s.end] == s.text``); ``related`` holds the teasers of other
        articles; ``metadata`` holds ``title``, ``date``, ``outlet``, ``source``,
        ``original_title`` where the page header states them.

    Notes
    -----
    The rules: header lines that state metadata (来源:, 原标题:, 责任编辑:, a date line) are
    read into ``metadata`` and removed; lines that are navigation, reprint notices,
    contact numbers or QR-code prompts are removed wherever they stand; from the first
    footer marker (上一篇, 相关推荐, 本文由…发布 …) on, the rest of the page is removed as
    footer if it holds no paragraph of article length (50+ characters); a publication's
    masthead lines (邮发代号, 刊号, the outlet's name alone at the foot) are removed; a related-articles
    heading (相关焦点, 相关阅读 …) starts a block whose bulleted titles and teaser texts
    become :class:`RelatedTeaser` records.

    Examples
    --------
    >>> r = clean_text("标题\\n\\n正文。\\n\\n相关阅读\\n  • 另一篇\\n    另一篇的摘要。\\n")
    >>> [(t.title, t.text) for t in r.related]
    [('另一篇', '另一篇的摘要。')]
    """
    lines = _lines(raw)
    hans = [to_simplified(s.text) for s in lines]
    reason = [""] * len(lines)
    metadata: dict[str, str] = {}
    related: list[RelatedTeaser] = []

    if lines:
        metadata["title"] = lines[0].text
    # header metadata in the first lines
    for i in range(1, min(len(lines), 8)):
        h = hans[i]
        m = _DATE_LINE.match(h)
        if m and "date" not in metadata:
            metadata["date"] = _iso_date(m.group("date"))
            if m.group("outlet"):
                metadata["outlet"] = lines[i].text[m.start("outlet"):m.end("outlet")]
            reason[i] = "dateline"
            continue
        key = re.match(r"^(来源|原标题)\s*[:：]\s*(.+)$", h)
        if key:
            name = "source" if key.group(1) == "来源" else "original_title"
            value_start = lines[i].text.find(lines[i].text[key.start(2):key.end(2)])
            metadata.setdefault(name, lines[i].text[value_start:].strip())
            reason[i] = "metadata"

    outlet = to_simplified(metadata.get("outlet", "")).strip()
    for i, h in enumerate(hans):
        if not reason[i]:
            reason[i] = _classify(h)
        if not reason[i] and outlet and i >= 8 and h.strip("《》 ") == outlet:
            reason[i] = "masthead"  # the outlet's name standing alone at the foot of the page

    # related-article blocks
    i = 0
    while i < len(lines):
        if _RELATED.match(hans[i]):
            reason[i] = "related"
            j = i + 1
            current: RelatedTeaser | None = None
            while j < len(lines) and not (_FOOTER_START.match(hans[j]) and not _BULLET.match(lines[j].text)):
                raw_line = raw[raw.rfind("\n", 0, lines[j].start) + 1:lines[j].start]
                bullet = _BULLET.match(lines[j].text)
                indented = len(raw_line) >= 3 and current is not None and not bullet
                if bullet or current is None:
                    title_start = lines[j].start + (bullet.end() if bullet else 0)
                    title = raw[title_start:lines[j].end]
                    current = RelatedTeaser(title=title, text="", start=lines[j].start,
                                            end=lines[j].end)
                    current.paragraphs.append(Span(title_start, lines[j].end, title))
                    related.append(current)
                elif indented or current is not None:
                    current.paragraphs.append(lines[j])
                    current.text = (current.text + "\n\n" + lines[j].text).strip()
                    current.end = lines[j].end
                reason[j] = "related"
                j += 1
            i = j
            continue
        i += 1

    # footer: from the first footer marker on, if nothing article-like follows
    for i, h in enumerate(hans):
        if reason[i] in ("related",):
            continue
        if _FOOTER_START.match(h) or reason[i] in ("reprint", "navigation", "masthead"):
            rest = [k for k in range(i + 1, len(lines)) if reason[k] != "related"]
            if i > 0 and all(_is_shortish(hans[k]) or reason[k] for k in rest):
                for k in range(i, len(lines)):
                    if reason[k] != "related":
                        reason[k] = reason[k] or "footer"
                break

    paragraphs = [s for s, r in zip(lines, reason, strict=True) if not r]
    removed = [Span(s.start, s.end, s.text, r) for s, r in zip(lines, reason, strict=True)
               if r and r != "related"]
    # related blocks as removed spans too (they are kept, as records of their own)
    for t in related:
        removed.append(Span(t.start, t.end, raw[t.start:t.end], "related"))
    for span, r, h in zip(lines, reason, hans, strict=True):
        if r == "related" and _RELATED.match(h):
            removed.append(Span(span.start, span.end, span.text, "related"))
    removed.sort(key=lambda s: s.start)
    return CleanResult(paragraphs, removed, related, metadata)


def _iso_date(text: str) -> str:
    nums = re.findall(r"\d+", text)
    if len(nums) >= 3:
        y, m, d = (int(n) for n in nums[:3])
        if 1 <= m <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{m:02d}-{d:02d}"
    return ""
