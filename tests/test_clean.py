"""Cleaning rules on small pages in both scripts (the seed articles are covered in test_corpus)."""

from __future__ import annotations

import pytest

from cadrecast.clean import clean_text

PAGE_HANS = """县长直播卖苹果 一天卖出三万斤

2021-05-06 10:30 某某网

来源:人民日报

责任编辑:王五

5月5日,某县县长走进直播间推介当地苹果,两小时销售额超过20万元。

县长说,直播只是开始,关键是把产业做起来。

扫描二维码关注我们

相关阅读
  • 另一位市长直播带货
    另一位市长在抖音直播,销售茶叶。
  • 直播带货要防形式主义
    专家认为,直播带货不能搞摊派。

上一篇:某某新闻
下一篇:另一条新闻
客服电话:010-12345678
版权所有 © 2021 某某网 京ICP备12345678号
"""


def _check(result, raw):
    for span in result.paragraphs + result.removed:
        assert raw[span.start:span.end] == span.text


@pytest.mark.parametrize("script", ["hans", "hant"])
def test_page_in_both_scripts(script):
    from cadrecast.script import to_traditional

    raw = PAGE_HANS if script == "hans" else to_traditional(PAGE_HANS)
    r = clean_text(raw)
    _check(r, raw)
    assert len(r.paragraphs) == 3  # title + two body paragraphs
    assert r.metadata["date"] == "2021-05-06"
    assert r.metadata["outlet"] in ("某某网", "某某網")
    assert r.metadata["source"] in ("人民日报", "人民日報")
    reasons = {s.reason for s in r.removed}
    assert {"dateline", "metadata", "qrcode", "related", "contact"} <= reasons
    assert [t.title for t in r.related] == [_same(raw, "另一位市长直播带货"), _same(raw, "直播带货要防形式主义")]
    assert r.related[1].text == _same(raw, "专家认为,直播带货不能搞摊派。")
    text = r.text
    for needle in ("二维码", "二維碼", "上一篇", "010-12345678", "ICP"):
        assert needle not in text


def _same(raw: str, hans: str) -> str:
    from cadrecast.script import to_traditional

    return hans if "县长" in raw else to_traditional(hans)


def test_article_text_that_looks_like_navigation_is_kept():
    raw = ("标题\n\n评论一:领导干部直播带货,要防止形式主义。这是一段足够长的评论内容,"
           "讨论了干部直播的利弊,以及如何让直播带货形成长效机制,而不是一阵风。\n\n更多精彩内容请见下文。\n")
    r = clean_text(raw)
    assert any("评论一" in p.text for p in r.paragraphs)


def test_footer_is_not_cut_when_article_text_follows():
    long_para = "这是正文的一段很长的内容," * 6
    raw = f"标题\n\n{long_para}\n\n上一篇\n\n{long_para}结束。\n"
    r = clean_text(raw)
    assert sum(1 for p in r.paragraphs if "结束" in p.text) == 1


def test_empty_and_plain_text():
    assert clean_text("").paragraphs == []
    r = clean_text("只有一句话。")
    assert [p.text for p in r.paragraphs] == ["只有一句话。"] and r.removed == []
