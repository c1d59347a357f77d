"""Entities: officials, people, places, platforms, products, figures, events (both scripts)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import cadrecast as cc
from cadrecast.errors import ColumnError
from cadrecast.script import convert_with_map, detect_script, to_traditional

ROOT = Path(__file__).resolve().parents[1]


def frame(*texts: str) -> pd.DataFrame:
    """A paragraphs table made from hand-written texts (one document each)."""
    rows = []
    for i, t in enumerate(texts):
        hans, smap = convert_with_map(t, "t2s")
        rows.append({"doc_id": f"d{i}", "para_id": 0, "text": t, "text_hans": hans,
                     "hans_map": smap.encode(), "language": "zh", "script": detect_script(t)})
    return pd.DataFrame(rows)


def both(text: str) -> list[str]:
    return [text, to_traditional(text)]


@pytest.fixture(scope="module")
def tables(corpus):
    return {"officials": cc.officials(corpus), "places": cc.places(corpus),
            "figures": cc.figures(corpus), "entities": cc.extract_entities(corpus),
            "events": cc.events(corpus)}


# ----------------------------------------------------------------------------- gold standard

def test_gold_precision_and_recall(corpus):
    spec = importlib.util.spec_from_file_location("eval_entities", ROOT / "benchmarks" / "eval_entities.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    table, errors = mod.score(corpus)
    scores = table.set_index("label")
    print(table.to_string(index=False))
    for label in ("official", "place", "figure"):
        assert scores.loc[label, "gold"] > 25
        assert scores.loc[label, "precision"] >= 0.9, errors[label]["spurious"]
        assert scores.loc[label, "recall"] >= 0.9, errors[label]["missed"]


# ----------------------------------------------------------------------------- officials

@pytest.mark.parametrize(("text", "name", "title", "jurisdiction", "province"), [
    ("江西省豐城市委書記李曉楚坐在桌子前", "李晓楚", "市委书记", "丰城市", "江西省"),
    ("河南南陽鎮平縣副縣長王洪濤完成了第一條視頻", "王洪涛", "副县长", "镇平县", "河南省"),
    ("安化縣委常委、副縣長陳燦平", "陈灿平", "县委常委、副县长", "安化县", "湖南省"),
    ("四川省蒼溪縣岫雲村黨支部書記李君在抖音有粉絲", "李君", "村党支部书记", "岫云村", "四川省"),
    ("延安宜川县的县委书记左怀理立刻就进入了新角色", "左怀理", "县委书记", "宜川县", "陕西省"),
    ("重庆市政府副市长李波出席大会", "李波", "市政府副市长", "重庆市", "重庆市"),
    ("甘肃礼县县长王彬在网上直播推销苹果", "王彬", "县长", "礼县", "甘肃省"),
    ("湖南省通道县县长胡建华化身主播", "胡建华", "县长", "通道侗族自治县", "湖南省"),
    ("贵州省黔东南州副州长吴晓晖在直播间", "吴晓晖", "副州长", "黔东南苗族侗族自治州", "贵州省"),
    ("江苏省宿迁市沭阳县常务副县长王磊表示", "王磊", "常务副县长", "沭阳县", "江苏省"),
    ("湖北省省长王晓东与主播连麦", "王晓东", "省长", "湖北省", "湖北省"),
    ("北京市朝阳区区长文献在直播中介绍", "文献", "区长", "朝阳区", "北京市"),
    # contracted department heads in a chain (宣传部长 = 宣传部部长)
    ("甘肃省陇南市委常委、宣传部长王军在快手直播", "王军", "市委常委、宣传部长", "陇南市", "甘肃省"),
    ("云南省元阳县商务局局长李华走进直播间", "李华", "商务局局长", "元阳县", "云南省"),
])
def test_title_patterns(text, name, title, jurisdiction, province):
    for t in both(text):
        off = cc.officials(frame(t))
        assert len(off) == 1, off
        row = off.iloc[0]
        assert (row["name_hans"], row["title_hans"], row["jurisdiction"], row["province"]) == (
            name, title, jurisdiction, province)
        assert t[row["start"]:row["end"]] == row["text"]
        assert row["name"] in t and row["title"] in t  # original-script forms


def test_title_before_name_with_comma_and_name_first():
    off = cc.officials(frame("县委副书记、县长肖义(左)参与直播带货", "李君, 村党支部书记, 在抖音直播",
                             "习近平总书记在陕西考察"))
    assert set(off["name_hans"]) == {"肖义", "李君", "习近平"}
    assert off.loc[off.name_hans == "肖义", "title_hans"].item() == "县委副书记、县长"
    assert off.loc[off.name_hans == "李君", "title_hans"].item() == "村党支部书记"
    assert off.loc[off.name_hans == "习近平", "title_hans"].item() == "总书记"
    for t in both("吴少华，柞水县县长，他说木耳是脱贫产业。"):
        (row,) = cc.officials(frame(t)).itertuples()
        assert (row.name_hans, row.title_hans, row.jurisdiction) == ("吴少华", "县长", "柞水县")


def test_two_posts_in_two_places_name_one_person():
    for t in both("河北省邢台市副市长、南和区委书记郑某某表示，要防止直播带货变成摊派。"):
        off = cc.officials(frame(t))
        assert list(off["title_hans"]) == ["副市长", "区委书记"]
        assert list(off["jurisdiction"]) == ["邢台市", "南和区"]
        assert set(off["name_hans"]) == {"郑某某"}
    # two people: each post has its own name
    off = cc.officials(frame("柳州市副市长张三、十堰市副市长李四在直播中连麦"))
    assert list(off["name_hans"]) == ["张三", "李四"]


def test_unnamed_officials_need_a_jurisdiction():
    for t in both("柳州市副市长与湖北十堰市副市长在微博直播中连麦互动"):
        off = cc.officials(frame(t))
        assert list(off["name_hans"]) == ["", ""]
        assert list(off["jurisdiction"]) == ["柳州市", "十堰市"]
        assert list(off["title_hans"]) == ["副市长", "副市长"]
    assert cc.officials(frame("有超过300位市长、县长走进直播间", "有这样一位县长")).empty


def test_later_mentions_by_name_link_to_the_titled_one(tables):
    off = tables["officials"]
    yang = off[off.name_hans == "杨珊"]
    assert set(yang["mention"]) == {"title", "name"} and len(yang) >= 4
    assert set(yang["jurisdiction"]) == {"丰城市"}
    chen = off[(off.name_hans == "陈灿平") & (off.para_id == 8)]  # 西南民族大学扶贫干部陈灿平博士
    assert len(chen) == 1


@pytest.mark.parametrize(("text", "name", "role"), [
    ("中山大學傳播與設計學院院長、廣州直播電商研究院院長張志安教授認為", "张志安", "院长"),
    ("南开大学周恩来政府管理学院教授徐行说", "徐行", "教授"),
    ("四川大學公共管理學院副教授雷尚清表示", "雷尚清", "副教授"),
    ("據土流網董事長伍勇介紹", "伍勇", "董事长"),
    ("(本報記者 聶新鑫 陳昊)", "聂新鑫", "记者"),
    ("抖音主播李佳琦在直播间卖口红", "李佳琦", "主播"),
    ("阿里巴巴董事局主席张勇说", "张勇", "主席"),
    ("格力电器董事长董明珠在快手直播", "董明珠", "董事长"),
])
def test_people_who_are_not_officials(text, name, role):
    for t in both(text):
        df = frame(t)
        assert cc.officials(df).empty
        ents = cc.extract_entities(df)
        people = ents[ents.label == "person"]
        assert name in set(people["normalized"])
        assert role in people.loc[people.normalized == name, "role"].iloc[0]


def test_journalists_are_both_found():
    ents = cc.extract_entities(frame("(本報記者 聶新鑫 陳昊)"))
    assert set(ents.loc[ents.label == "person", "normalized"]) == {"聂新鑫", "陈昊"}


# ----------------------------------------------------------------------------- places

def test_places_table(tables):
    pl = tables["places"]
    row = pl[pl.name_hans == "镇平县"].iloc[0]
    assert (row["adcode"], row["level"], row["prefecture"], row["province"]) == (
        "411324", "county", "南阳市", "河南省")
    trad = pl[pl.doc_id == "000_1c59dac2740d956f"]
    assert "豐城市" in set(trad["name"]) and "丰城市" in set(trad["name_hans"])
    assert not pl["ambiguous"].any()


def test_peer_failures_on_places():
    for t in both("秭归县县长在直播间卖脐橙,县长来自江苏省"):
        pl = cc.places(frame(t))
        assert list(pl["name_hans"]) == ["秭归县", "江苏省"]
    pl = cc.places(frame("朝阳区的特色产品"))
    assert pl["ambiguous"].item() and pl["adcode"].item() == ""


# ----------------------------------------------------------------------------- figures

@pytest.mark.parametrize(("text", "surface", "value", "unit", "qualifier", "metric", "subject"), [
    ("丰城市委书记李晓楚出镜。在李晓楚带领的推销团大力推销下,6个直播间总共吸引了600多万人次观看,累计销售额达7000多万元。",
     "7000多万元", 7e7, "yuan", "more than", "sales", "李晓楚"),
    ("丰城市委书记李晓楚出镜。在李晓楚带领的推销团大力推销下,6个直播间总共吸引了600多万人次观看,累计销售额达7000多万元。",
     "600多万人次", 6e6, "person-time", "more than", "viewers", "李晓楚"),
    ("京东公布数据显示,京东618全球年中购物节累计下单金额达到2692亿元。", "2692亿元", 2.692e11, "yuan",
     "exact", "sales", "京东"),
    ("四川省苍溪县岫云村党支部书记李君在抖音有13.7万粉丝,发布的242件作品获赞129.1万。", "13.7万粉丝",
     1.37e5, "person", "exact", "followers", "李君"),
    ("四川省苍溪县岫云村党支部书记李君在抖音有13.7万粉丝,发布的242件作品获赞129.1万。", "129.1万",
     1.291e6, "like", "exact", "likes", "李君"),
    ("养殖水面1.5万亩,年销售额达8亿元。", "1.5万亩", 1.5e4, "mu", "exact", "area", ""),
    ("2020年中国在线直播用户规模将达到5.24亿人。", "5.24亿人", 5.24e8, "person", "exact", "users", ""),
    ("全县103万人口中有36万从事与茶有关的行业。", "103万人口", 1.03e6, "person", "exact", "population", ""),
    ("好的明前茶鲜叶可以卖到一百多元一斤。", "一百多元一斤", 100, "yuan/jin", "more than", "price", ""),
    ("浙大扶贫干部变身主播卖货,10分钟卖出3000斤豌豆。", "3000斤", 3000, "jin", "exact", "sales", ""),
    ("今年一季度,我国的出口同比下降了11.4%。", "11.4%", 11.4, "percent", "exact", "percent", ""),
    ("有超过300位市长、县长走进直播间。", "超过300位", 300, "person", "more than", "count", ""),
])
def test_figures_with_metric_and_subject(text, surface, value, unit, qualifier, metric, subject):
    for t in both(text):
        fig = cc.figures(frame(t))
        row = fig[fig.text_hans == surface]
        assert len(row) == 1, fig
        row = row.iloc[0]
        assert (row["value"], row["unit"], row["qualifier"], row["metric"], row["subject"]) == (
            pytest.approx(value), unit, qualifier, metric, subject)
        assert t[row["start"]:row["end"]] == row["text"]


def test_no_false_numbers_in_words():
    for t in both("一些地方把一带一路和统一零售价写进第一书记的工作,四川省十堰市"):
        assert cc.figures(frame(t)).empty


def test_range_keeps_both_bounds():
    fig = cc.figures(frame("陳燦平每天直播七八個小時"))
    assert fig[["value", "value_high", "qualifier"]].values.tolist() == [[7.0, 8.0, "range"]]


def test_pronoun_subject_is_the_official_of_the_paragraph():
    fig = cc.figures(frame("安化县委常委、副县长陈灿平开始直播。他僅半年就直播260多場,帶貨總額超過了1500萬元。"))
    assert set(fig["subject"]) == {"陈灿平"}


# ----------------------------------------------------------------------------- other labels

def test_platforms_products_dates(tables):
    ents = tables["entities"]
    a = ents[ents.doc_id == "000_1c59dac2740d956f"]
    assert {"京东", "快手", "抖音", "微博"} <= set(a.loc[a.label == "platform", "normalized"])
    assert {"大米", "锦鲤"} <= set(a.loc[a.label == "product", "normalized"])
    assert "2020-06-19" in set(a.loc[a.label == "date", "normalized"])
    d = cc.extract_entities(frame("4月20日,县长在淘宝直播间推销当地一款特色小米粥"))
    assert set(d.loc[d.label == "platform", "normalized"]) == {"淘宝"}


@pytest.mark.parametrize(("text", "products"), [
    # the goods after a sales verb, and every goods of a coordinated list
    ("贵州省从江县委书记在拼多多直播间销售香猪和百香果", ["香猪", "百香果"]),
    ("江苏宿迁市长在京东直播间推荐霸王蟹", ["霸王蟹"]),  # open noun phrase ending in 蟹
    ("湖北秭归县长在抖音直播间推介秭归脐橙、香菇和茶叶等农产品", ["秭归脐橙", "香菇", "茶叶"]),
    ("副市长在淘宝直播推介五常大米、赣南脐橙、盱眙龙虾以及西湖龙井", ["五常大米", "赣南脐橙", "盱眙龙虾", "西湖龙井"]),
    ("她为家乡带货，推销柞水木耳、安吉白茶、文山三七和天麻", ["柞水木耳", "安吉白茶", "文山三七", "天麻"]),
    ("市长在快手卖出了3000斤宿迁霸王蟹和500盒阳澄湖大闸蟹", ["宿迁霸王蟹", "阳澄湖大闸蟹"]),
    ("副县长化身主播，向网友推荐梅州柚、客家娘酒和梅菜扣肉", ["梅州柚", "客家娘酒", "梅菜扣肉"]),
    ("县长推销当地的生态鸡和土鸡蛋", ["生态鸡", "土鸡蛋"]),
    ("县委书记为从江香猪和椪柑代言", ["从江香猪", "椪柑"]),
    ("县长在直播间卖景区门票和民宿", ["景区门票", "民宿"]),
    ("县长推介蜀锦、苗绣等非遗产品", ["蜀锦", "苗绣"]),
    ("县长推荐的土特产包括腊肉、香肠和米酒", ["腊肉", "香肠", "米酒"]),
    ("县长推荐给网友的是当地特产——高山茶", ["高山茶"]),
    ("县长直播推销手机、沙发和化肥", ["手机", "沙发", "化肥"]),  # slot-only goods in a list
])
def test_products_in_unseen_sentences(text, products):
    for t in both(text):
        ents = cc.extract_entities(frame(t))
        prod = ents[ents.label == "product"]
        assert list(prod["normalized"]) == products, (t, prod)
        for row in prod.itertuples():
            assert t[row.start:row.end] == row.text


def test_coordinated_products_reach_the_event():
    for t in both("贵州省从江县委书记在拼多多直播间销售香猪和百香果"):
        (ev,) = cc.events(frame(t)).itertuples()
        assert (ev.place, ev.platform, ev.products) == ("从江县", "拼多多", "香猪;百香果")
    for t in both("江苏宿迁市长在京东直播间推荐霸王蟹"):
        (ev,) = cc.events(frame(t)).itertuples()
        assert (ev.place, ev.platform, ev.products) == ("宿迁市", "京东", "霸王蟹")


@pytest.mark.parametrize("text", [
    "带货直播不是架起手机转型李佳琦",  # 手机 is goods only as the object of a sales verb
    "做第一个吃螃蟹的人，县长走进直播间",  # idiom
    "直播带货成为经济全面恢复快车道上最耀眼的一道风景",
    "公司依靠短视频带货扭转局面",
    "官员直播带货的效果如何，还需要观察",
    "很多人参与了直播",  # 人参 + 与 is 人 + 参与
    "各种直播犹如雨后春笋般出现",
    "县长来到仙桃市，推荐仙桃的特色美食",  # a place name ending in 桃
    "镇长推销当地特色产品和农产品",  # generic words are never products
    "以白菜价出售苹果手机",
    "警方展开地毯式排查",
    "这位县长被网友称为带货达人",
    "数据来自快手、蘑菇街、西瓜视频等平台",  # platforms, not 蘑菇 / 西瓜
])
def test_no_products_where_none_are_named(text):
    for t in both(text):
        ents = cc.extract_entities(frame(t))
        assert ents[ents.label == "product"].empty, (t, ents[ents.label == "product"])


def test_product_lexicon_is_broad_and_matches_in_both_scripts():
    from cadrecast.entities import _products
    from cadrecast.gazetteer import load_gazetteer
    from cadrecast.script import to_simplified

    lex, cats, canon = _products()
    entries = set(canon.values())
    assert len(entries) >= 600
    assert {"grain", "fruit", "vegetable", "fungus", "tea", "meat", "egg", "aquatic", "nut", "spice",
            "processed food", "herb", "craft", "textile", "tourism"} <= set(cats.values())
    gz = load_gazetteer()
    for w in entries:
        for form in (w, to_simplified(to_traditional(w))):
            m = lex.fullmatch(form)
            assert m and canon[m.group(0)] == w, (w, form)
        assert not gz.lookup(w), f"{w} is a place name"


def test_events(tables):
    ev = tables["events"]
    li = ev[ev.officials.str.contains("李晓楚")].iloc[0]
    assert "杨珊" in li["officials"]  # named together in one sentence
    assert (li["platform"].split(";")[0], li["place"], li["sales"], li["viewers"]) == (
        "京东", "丰城市", 7e7, 6e6)
    assert "大米" in li["products"] and li["date"] == "2020-06-18"
    chen = ev[ev.officials == "陈灿平"].iloc[0]
    assert (chen["sales"], chen["followers"], chen["place"]) == (1.5e7, 4e5, "安化县")
    assert "抖音" in chen["platform"]


# ----------------------------------------------------------------------------- contract

def test_columns_and_offsets(tables, corpus):
    off = tables["officials"]
    assert list(off.columns[:12]) == ["doc_id", "para_id", "sent_id", "start", "end", "text", "text_hans",
                                      "name", "name_hans", "title", "title_hans", "jurisdiction"]
    assert {"name", "name_hans", "level", "province", "prefecture", "county", "adcode",
            "ambiguous"} <= set(tables["places"].columns)
    assert {"start", "end", "text", "value", "unit", "qualifier", "metric", "subject"} <= set(
        tables["figures"].columns)
    assert set(tables["figures"]["metric"]) <= set(cc.entities.METRICS)
    paras = corpus.paragraphs.set_index(["doc_id", "para_id"])["text"]
    ents = tables["entities"]
    for row in ents.sample(min(len(ents), 300), random_state=0).itertuples():
        assert paras[(row.doc_id, row.para_id)][row.start:row.end] == row.text


def test_inputs_are_not_mutated_and_bad_input_raises(corpus):
    before = corpus.paragraphs.copy()
    cc.figures(corpus)
    pd.testing.assert_frame_equal(before, corpus.paragraphs)
    with pytest.raises(ColumnError, match="lacks column"):
        cc.officials(pd.DataFrame({"text": ["县长"]}))


def test_stage_writes_the_five_tables(tmp_path, corpus):
    tables = cc.run(corpus, out=tmp_path, progress=False, stages=["entities"])
    for name in ("entities", "officials", "places", "figures", "events"):
        assert (tmp_path / f"{name}.csv").exists()
        assert len(tables[name]) > 0


def test_public_figures_and_speakers_are_people_not_officials():
    for t in both("李首章告诉我们,茶叶没有销路。罗永浩和李佳琦都在直播带货。"):
        df = frame(t)
        ents = cc.extract_entities(df)
        assert set(ents.loc[ents.label == "person", "normalized"]) == {"李首章", "罗永浩", "李佳琦"}
        assert cc.officials(df).empty
    # a speaker who is an official elsewhere in the document stays an official
    off = cc.officials(frame("陈灿平表示,直播是新农活。安化县委常委、副县长陈灿平开始直播。"))
    assert list(off["name_hans"]) == ["陈灿平", "陈灿平"]


def test_titles_that_are_not_names_or_offices():
    df = frame("班主任王老师说,孩子们很喜欢。", "市委书记、市长们纷纷走进直播间。",
               "由市场监管部门牵头,政府官员和基层干部一起直播。")
    assert cc.officials(df).empty
    ents = cc.extract_entities(df)
    assert "任王" not in set(ents["normalized"])


def test_currency_and_orders():
    fig = cc.figures(frame("雲林縣長張麗善在臉書直播,銷售額突破新臺幣300萬元,一天賣出1.2萬單。"))
    rows = fig.set_index("text_hans")
    assert (rows.loc["突破新台币300万元", "unit"], rows.loc["突破新台币300万元", "metric"]) == ("twd", "sales")
    assert (rows.loc["1.2万单", "value"], rows.loc["1.2万单", "metric"]) == (12000.0, "orders")
