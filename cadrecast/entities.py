"""Entities and figures: who (officials and other people), where, on which platform, sold what, how much.

Every pattern is written once for Simplified Chinese and applied to each paragraph's
``text_hans``; spans are mapped back to the paragraph's original ``text`` through its
``hans_map``, so Traditional articles work the same way and every table gives both forms.

- **officials**: name + title + jurisdiction from the ways news writes them
  (江西省丰城市委书记李晓楚, 河南南阳镇平县副县长王洪涛, 县委副书记、县长肖义, 安化县委常委、
  副县长陈灿平, 岫云村党支部书记李君, unnamed 柳州市副市长); later mentions of the same name in
  the document are linked to the titled mention. Scholars, journalists, executives, hosts and
  celebrities (教授, 大学院长, 记者, 董事长, 主播 ...) are ``person``, not ``official``.
- **places**: see :mod:`cadrecast.gazetteer` (resolved to province / prefecture / county with
  the division code; ambiguous names flagged, not guessed).
- **platforms**: a bundled lexicon (``resources/entities/platforms.tsv``).
- **products**: a bundled lexicon of about 1,000 goods officials sell (``products.tsv``: grain,
  fruit, vegetables, fungi, tea, meat, eggs, aquatic products, nuts, spices, processed specialty
  foods, herbs, crafts, textiles, tourism products; geographical-indication names such as
  五常大米 and 阳澄湖大闸蟹 as news writes them), matched wherever it is written, plus a product
  slot after a sales verb (推销, 销售, 售卖, 出售, 卖, 卖出, 带货, 推荐, 推介, 代言, 吆喝 ...) or in
  为X代言/带货: the slot reads past 了, determiners, quantities and places (当地的一款特色,
  3000斤, 宿迁的) and takes every goods of a coordinated list (香猪和百香果, 脐橙、柚子、茶叶).
  In a slot a product is a lexicon entry or a short noun phrase ending in a product head
  character (霸王蟹, 梅菜扣肉) with no function word, frequent verb or place name in it. Generic
  words (产品, 农产品, 特产, 好物) are never reported, not even as a category: a slot reads past
  them (特色农产品香猪). Consumer goods such as 手机, 家具, 服装 count only inside a slot; words in
  idioms, brands and platform names (吃螃蟹, 苹果手机, 蘑菇街) are not goods. ``normalized`` is
  the lexicon entry (Simplified), or the phrase as written for open-class goods.
- **figures**: every quantity (see :mod:`cadrecast.numerals`) with a metric class read from the
  words around it (sales, orders, viewers, followers, likes, users, population, area, count,
  percent, price, other) and the subject it is about (an official, place or platform).
- **events**: one row per livestream an official is reported to have held, gathering officials,
  place, platform, date, products, sales and viewers.

Examples
--------
>>> import cadrecast as cc
>>> corpus = cc.load_corpus()
>>> offs = cc.officials(corpus)
>>> row = offs[offs.name_hans == "李晓楚"].iloc[0]
>>> row["name"], row["title_hans"], row["jurisdiction"], row["province"]
('李曉楚', '市委书记', '丰城市', '江西省')
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import ColumnError
from .gazetteer import PlaceMention, load_gazetteer
from .numerals import Quantity, find_dates, find_quantities

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus
    from .pipeline import RunContext

__all__ = [
    "METRICS",
    "events",
    "extract_entities",
    "figures",
    "officials",
    "places",
]

#: Metric classes of figures.
METRICS = ("sales", "orders", "viewers", "followers", "likes", "users", "population", "area",
           "count", "percent", "price", "other")

# ----------------------------------------------------------------------------- lexicons

_SURNAMES_1 = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方邹熊白孟秦邱侯江尹薛闫阎段雷黎史龙陶贺顾毛郝"
    "龚邵万钱严覃武戴莫孔汤易常乔赖文柯左聂庞章齐倪葛殷欧阳裴辛甘童翟管卜饶温钮耿晏岳施宁祝"
    "穆申谷滕柴牛涂樊尤季关包鲍焦麦车蓝单米凌伍屈靳占邢褚房蒲丛卫全苗栾喻宫解习仇查邬冉阮艾游瞿"
    "竺符凤景桂詹阙蒙练沙尚敖甄邝刁洪郎霍虞娄巫俞鞠荣宗丘匡连晋佘蔺衡隋燕庄冷原桑闵闻戚缪"
)
_SURNAMES_2 = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "尉迟", "夏侯",
               "公孙", "长孙", "宇文", "轩辕", "端木", "独孤")
# a character that begins the word after a name, not a third character of the name
_AFTER_NAME = set("在是的和与同跟及等说称讲道也还就都为对向把被将从于了着过到让给曾已又再亦即便则而并均共"
                  "看坐站走拿抽唱跳买卖当获自今昨这那该其之所只更最很太")
_AFTER_WORDS = ("表示", "认为", "介绍", "指出", "强调", "出席", "任职", "完成", "正在", "带领", "带着",
                "带队", "率领", "率队", "领导", "亲自", "透露", "告诉", "接受", "提出", "提到", "谈到",
                "作为", "做客", "主持", "主动", "直播", "每天", "以及", "要求", "会见", "能够", "可以",
                "发布", "发表", "发起", "成为", "多次", "多位", "首次", "近日", "刚刚", "出镜", "现身",
                "来到", "走进", "开始", "上线", "一起", "一行", "同志", "先生", "女士", "教授", "博士",
                "院士", "老师", "书记", "县长", "市长", "考察", "调研", "视察", "表态", "坦言", "笑称",
                "指导", "参观", "推介", "推销", "带货", "卖货", "直言", "坐镇", "此前", "立刻", "参加",
                "参与", "化身", "变身", "对此", "回应", "说道", "分享", "讲解", "展示", "连线", "连麦",
                "报道", "摄影", "通讯员", "亮相", "登上", "品尝", "试吃", "呼吁", "号召", "宣传", "邀请")
# nouns that are not people although they begin with a surname character
_NOT_NAMES = {"高校", "高度", "高质", "高管", "高调", "高效", "全县", "全国", "全市", "全村", "全省",
              "全民", "全面", "全网", "全程", "全力", "全局", "万家", "万物", "方面", "方式", "方向",
              "方针", "文化", "文旅", "金融", "金牌", "江湖", "史上", "常态", "常务", "常委", "宁夏",
              "包括", "包装", "关注", "关于", "关系", "关键", "单位", "单品", "车间", "米面", "程度",
              "于是", "陶瓷", "龙头", "龙虾", "温度", "石油", "黄金", "苏宁", "马上", "白茶", "白色",
              "牛肉", "卫生", "卫视", "朱门", "安全", "黎明", "申请", "解决", "解读", "宫廷", "占据",
              "段子", "段时", "任何", "任务", "许多", "许可", "何时", "何况", "谢谢", "齐全", "齐心",
              "尤其", "管理", "管控", "管好", "柴米", "屈指", "易于", "易懂", "林业", "孔雀", "武隆",
              "蒋介", "杨柳", "石榴", "田间", "田园", "田地", "梁山", "严格", "严重", "严肃", "严把",
              "雷同", "周末", "周边", "周期", "周年", "龚滩", "牛羊", "马铃", "黄桃", "胡萝", "吴江",
              "钱包", "莫把", "向寨", "邓小", "毛尖", "焦点", "焦虑", "包媽", "包妈", "范围",
              "范式", "秦岭", "贾平", "邢台", "舒适", "童年", "顾客", "顾虑", "计划", "姜汁",
              "侯集", "韦尔"}

# Titles. Official cores, then organisations that may precede them.
_OFFICIAL_CORES = ("总书记", "第一书记", "党组书记", "村支书", "支书", "书记", "常委", "省长", "市长",
                   "县长", "区长", "州长", "旗长", "盟长", "镇长", "乡长", "村长", "村主任", "主任",
                   "局长", "厅长", "部长", "处长", "科长", "主席", "秘书长", "委员长", "总理", "署长",
                   "司长", "特派员", "巡视员", "调研员", "专员", "干部",
                   # contracted department heads: 宣传部长 = 宣传部部长
                   "宣传部长", "组织部长", "统战部长", "武装部长", "人武部长")
_GOV_ORGS = ("团省委", "团市委", "团县委", "团区委", "省委", "市委", "县委", "区委", "州委", "旗委",
             "盟委", "镇党委", "乡党委", "街道党工委", "党工委", "村党支部", "村党总支", "党支部",
             "党总支", "党委", "党组", "纪委", "监委", "人大常委会", "人大", "政协", "省政府", "市政府",
             "县政府", "区政府", "州政府", "镇政府", "乡政府", "政府", "村委会", "居委会", "宣传部",
             "组织部", "统战部", "商务局", "农业农村局", "农业局", "文旅局", "文化和旅游局", "扶贫办",
             "乡村振兴局", "网信办", "国资委", "发改委", "商务厅", "农业农村厅", "商务部", "农业农村部",
             "国务院", "中央", "中共中央", "新闻中心", "办公室", "工作队", "外办", "行署", "行政公署")
# roles of people who are not officials (scholars, journalists, executives, hosts, celebrities)
_PERSON_ROLES = ("副教授", "教授", "研究员", "学者", "专家", "院长", "副院长", "所长", "记者", "本报记者",
                 "编辑", "董事长", "总裁", "副总裁", "总经理", "创始人", "联合创始人", "CEO", "首席执行官",
                 "主播", "主持人", "网红", "明星", "演员", "歌手", "作家", "老师", "教师", "博士", "经理",
                 "负责人", "总负责人", "承包户", "茶农", "农民", "村民", "店主", "老板", "董事", "合伙人",
                 "工作人员", "分析师", "律师", "医生", "评论员", "作者")
_NON_GOV = re.compile(r"大学|学院|学校|研究院|研究所|研究中心|公司|集团|企业|协会|学会|医院|银行|报社|董事|"
                      r"电器|科技|股份|控股|传媒|基金会|"
                      r"电视台|卫视|平台|工作室|会客厅|机构|商会|基金")


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in set(words)), key=len, reverse=True))


_CORE_RE = _alt(_OFFICIAL_CORES)
_ORG_RE = _alt(_GOV_ORGS)
_ROLE_RE = _alt(_PERSON_ROLES)
_UNIT = rf"(?:(?:{_ORG_RE})*(?:常务副|副)?(?:{_CORE_RE}))"
_TITLE = re.compile(rf"{_UNIT}(?:[、，,和兼暨]{_UNIT})*")
_ROLE = re.compile(rf"(?:{_ROLE_RE})")
_SENT_END = re.compile(r"[。！？!?；;]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CLAUSE_END = re.compile(r"[。！？!?；;，,：:]")
_LIVESTREAM = re.compile(r"直播|带货|连麦|开播|主播|直播间")


@lru_cache(maxsize=1)
def _platforms() -> tuple[re.Pattern, dict[str, str]]:
    from .resources import read_text

    df = pd.read_csv(io.StringIO(read_text("entities/platforms.tsv")), sep="\t", comment="#",
                     dtype=str)
    canon = dict(zip(df["surface"], df["platform"], strict=True))
    return re.compile(rf"(?<![A-Za-z])(?:{_alt(canon)})(?![A-Za-z])"), canon


@lru_cache(maxsize=1)
def _products() -> tuple[re.Pattern, dict[str, str], dict[str, str]]:
    """The product lexicon: (pattern, category of each surface, canonical entry of each surface).

    Entries are read in Simplified (a Traditional entry is converted), and each entry's round
    trip through Traditional is matched too: OpenCC writes 菜薹 back as 菜苔, and a Traditional
    article's Simplified text has the latter; both give the listed entry.
    """
    from .resources import read_text
    from .script import to_simplified, to_traditional

    df = pd.read_csv(io.StringIO(read_text("entities/products.tsv")), sep="\t", comment="#",
                     dtype=str)
    cats: dict[str, str] = {}
    canon: dict[str, str] = {}
    for surface, cat in zip(df["surface"], df["category"], strict=True):
        entry = to_simplified(surface.strip())
        for form in (entry, to_simplified(to_traditional(entry))):
            canon.setdefault(form, entry)
            cats.setdefault(form, cat.strip())
    return re.compile(_alt(cats)), cats, canon


@lru_cache(maxsize=1)
def _people() -> tuple[re.Pattern, dict[str, str]]:
    from .resources import read_text

    df = pd.read_csv(io.StringIO(read_text("entities/people.tsv")), sep="\t", comment="#", dtype=str)
    roles = dict(zip(df["name"], df["role"], strict=True))
    return re.compile(_alt(roles)), roles


_SPEECH = re.compile(r"(?:说|表示|认为|介绍|告诉|指出|坦言|笑着说|回忆|感慨)")


def _speakers(hans: str) -> list[tuple[str, tuple[int, int]]]:
    """Names that open a clause and say something: 李首章告诉我们, 杨建国认为."""
    out = []
    for m in _SPEECH.finditer(hans):
        s = m.start()
        for n in (3, 2):
            a = s - n
            if a < 0:
                continue
            cand = hans[a:s]
            before = hans[a - 1] if a > 0 else ""
            if (not before or not _HAN.match(before) or before in "据") and _name_at(cand, 0) == cand:
                out.append((cand, (a, s)))
                break
    return out


#: lexicon categories that count only as the object of a sales verb (推销手机, 卖水泥): elsewhere
#: 手机, 家具, 服装 are not goods an official sells
_SLOT_ONLY = {"industrial", "household", "cosmetics", "electronics", "apparel"}
#: idioms, brands and names a lexicon word is part of, where it is not the goods (白菜价,
#: 第一个吃螃蟹的人, 苹果手机, 草莓音乐节, 丝绸之路, 人参与 = 人 + 参与)
_NOT_PRODUCT_CONTEXT = re.compile(
    r"苹果(?:公司|手机|电脑|产品|系统|商店|发布会|iPhone)|小米(?:公司|手机|集团|生态链|科技|创始人|汽车|之家)|"
    r"坚果(?:手机|Pro)|芒果(?:TV|超媒)|草莓音乐节|吃螃蟹|被河蟹|白菜价|打酱油|豆腐渣|柠檬精|释迦牟尼|"
    r"丝绸之路|炒鱿鱼|萝卜(?:章|招聘|快跑)|一个萝卜一个坑|拔出萝卜|瓜子二手车|鸡蛋里挑骨头|"
    r"画大?饼|丢了西瓜|咸鱼翻身|(?:番茄|芒果)台|[人党]参(?=与|加|观|赛|选|展|评)|雨后春笋|三七开|葡萄牙|"
    r"油菜花|地毯式|红米手机")
#: verbs that open a product slot: what follows them (after 了/着, determiners such as 当地的一款
#: 特色, a quantity such as 3000斤, or a generic word such as 农产品) is read as goods
_TRIGGER = re.compile(r"直播带货|直播销售|推销|销售|售卖|出售|叫卖|卖出|售出|带货|推介|推荐|代言|吆喝|上架|热销|"
                      r"抢购|滞销|卖")
_QTY = (r"(?:[0-9０-９.]+|[一二两三四五六七八九十百千万几]+)(?:多|余)?[万亿]?"
        r"(?:公斤|千克|斤|吨|箱|盒|单|件|份|袋|瓶|罐|只|头|条|个|筐|车|批|款|种|束|包|些)")
_SLOT_MOD = re.compile(
    r"(?:了|着|过|给大家|给网友|给粉丝|给观众|的|"
    r"当地|本地|家乡|老家|自家|本县|全县|该县|我县|本市|全市|我们|咱们|这款|这种|这些|那些|各种|各类|多种|"
    r"大量|自产|特色|优质|新鲜|生态|有机|绿色|地道|正宗|原生态|野生|农家|纯天然|高山|" + _QTY + ")")
#: generic words for goods: read past in a slot (销售农产品香猪, 香猪等特产), never reported
_GENERIC = re.compile(r"(?:农副产品|农特产品|土特产品|土特产|农产品|特色产品|特产|产品|商品|好物|货品|年货|山货|美食)"
                      r"(?:[—–-]{1,2}|：|:)?")
#: what joins coordinated goods: 香猪和百香果, 脐橙、柚子、茶叶, 大米以及小米
_COORD = re.compile(r"[，,]?(?:以及|还有|和|与|及|跟|同)|[、，,/／]")
#: last characters of a noun phrase that names goods (霸王蟹, 从江香猪, 高山茶)
_OPEN_HEADS = frozenset("茶米菜肉蛋酒蜜枣橙桃梨菇笋虾蟹鱼羊鸡鸭鹅鸽猪馕酱豆薯瓜"
                        "柚橘桔莓椒参菌螺饼糕糖醋粽蒜葱芋藕柿蕉粮果油")
#: characters that may follow a head inside the same noun phrase (猪肉, 鸡蛋, 鱼干, 虾酱)
_HEAD_EXT = frozenset("肉蛋干酱油粉丝片汁酒茶米饼糕脯")
#: two-character endings of words that end in a head character but are not goods
_NOT_ENDINGS = frozenset({
    "结果", "成果", "效果", "如果", "后果", "战果", "硕果", "恶果", "因果", "苦果", "加油", "石油", "汽油",
    "柴油", "机油", "燃油", "原油", "方米", "厘米", "毫米", "千米", "纳米", "小菜", "吃瓜", "傻瓜", "摸鱼",
    "咸鱼", "闺蜜", "甜蜜", "头羊", "罪羊", "菜鸡", "弱鸡", "吃鸡", "完蛋", "捣蛋", "笨蛋", "坏蛋", "混蛋",
    "滚蛋", "彩蛋", "喝酒", "敬酒", "喜酒", "画饼", "喝茶", "肌肉", "细菌", "病菌", "陀螺", "吃醋", "装蒜",
    "企鹅", "食粮"})
#: characters that never stand inside a product noun phrase (function words, pronouns, selling)
_NP_STOP = frozenset("的了着过是在把被将和与及或等为对从向给让使成到也都就还又再很最更不没有这那其之所个些们"
                     "您你我他她它啊吧呢吗于以而但卖售销购买播")
#: words the slot would take for goods but are not (推销方面, 带货领头羊)
_NOT_PRODUCTS = {"方面", "领头羊", "局面", "场面", "全面", "层面", "表面", "版面", "界面", "画面", "前面",
                 "后面", "外面", "里面", "上面", "下面", "对面", "正面", "负面", "粉丝", "铁粉", "蛋糕"}
_PRODUCT_HEAD = "(?:茶|米|果|菜|耳|肉|蛋|油|酒|蜜|枣|橙|桃|梨|菇|笋|虾|蟹|鱼|羊|鸡|鸭|馕|面|粉|酱|豆|薯|瓜|柚|橘|莓|椒)"
#: 为X代言 / 给X带货: goods written before the verb
_FOR_GOODS = re.compile(r"[为替给]")
_FOR_VERB = re.compile(r"(?:代言|带货|站台|吆喝|打call|打CALL|直播带货)")


def _goods_at(hans: str, i: int, place_end: dict[int, int]) -> tuple[int, int, str] | None:
    """The goods named at ``hans[i]``: ``(start, end, name)`` or ``None``.

    A lexicon entry (the longest at ``i``, its listed form as the name), or a short noun phrase
    (at most six characters) that ends in a product head character (霸王蟹, 梅菜扣肉, 生态鸡) and
    holds no function word, no frequent verb (扭转局面) and no non-product ending (结果, 加油);
    a phrase that is a place name (仙桃) is not goods. A place written right before the goods is
    part of an open phrase (宿迁霸王蟹, 梅州柚); before a lexicon entry the entry alone is reported.
    """
    lex, _, canon = _products()
    j = place_end.get(i, i)
    m = lex.match(hans, j)
    if m:
        return m.start(), m.end(), canon[m.group(0)]
    verbs = _common_verbs()
    last = None
    for k in range(j, min(len(hans), j + 6)):
        c = hans[k]
        if not _HAN.match(c) or c in _NP_STOP or (k > j and k in place_end) or hans[k:k + 2] in verbs:
            break
        m = lex.match(hans, k) if k > j else None
        if m:  # 霸王大闸蟹: the lexicon word is the goods
            if last is None:
                return m.start(), m.end(), canon[m.group(0)]
            break
        if c in _OPEN_HEADS and (k > j or j > i):
            last = k
    if last is None:
        return None
    e = last + 1
    while e < len(hans) and e - j < 6 and hans[e] in _HEAD_EXT and hans[e:e + 2] not in verbs:
        e += 1
    phrase = hans[j:e]
    gz = load_gazetteer()
    if (hans[last - 1:last + 1] in _NOT_ENDINGS or phrase[-2:] in _NOT_ENDINGS or phrase in _NOT_PRODUCTS
            or any(gz.lookup(phrase + suffix) for suffix in ("", "市", "县", "区", "镇", "乡"))
            or hans[e:e + 1] in set("场间台店铺园馆厂") or hans[e + 1:e + 2] in set("场间台")):
        return None
    return i, e, hans[i:e]


def _slot(hans: str, i: int, place_end: dict[int, int]) -> tuple[list[tuple[int, int, str]], int]:
    """The goods in the product slot opening at ``i`` (after a sales verb), and where it ends.

    Reads past 了/着, determiners and modifiers (当地的一款特色, 3000斤), a place followed by 的, and
    generic words (农产品, 特产: never reported), then a list of goods joined by 、/和/与/及/以及/
    还有/comma. A modifier that turns out to begin the goods (生态鸡, 高山茶) is given back.
    """
    lex = _products()[0]
    goods: list[tuple[int, int, str]] = []
    for _ in range(12):
        starts = [i]
        for _ in range(8):
            if lex.match(hans, i):
                break
            m = _SLOT_MOD.match(hans, i) or _GENERIC.match(hans, i)
            if m and m.end() > i:
                i = m.end()
            elif i in place_end and hans[place_end[i]:place_end[i] + 1] == "的":
                i = place_end[i] + 1
            else:
                break
            starts.append(i)
        item = None
        for s in reversed(starts):
            item = _goods_at(hans, s, place_end)
            if item:
                break
        if item is None:
            break
        goods.append(item)
        i = item[1]
        c = _COORD.match(hans, i)
        if not c:
            break
        i = c.end()
    return goods, (goods[-1][1] if goods else i)


def _find_products(hans: str, places: list[PlaceMention], person_spans: list[tuple[int, int]],
                   platform_spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Products in a paragraph's Simplified text: ``(start, end, name)``, sorted, not overlapping.

    - every lexicon entry of a goods category (farm produce, foods, herbs, crafts, textiles,
      tourism products) wherever it is written;
    - the goods in a product slot: after a sales verb (推销, 销售, 售卖, 出售, 卖, 卖出, 带货,
      推荐, 推介, 代言, 吆喝, 上架 ...) or between 为/给/替 and 代言/带货/站台 (为霸王蟹代言),
      with coordinated lists (销售香猪和百香果, 推介脐橙、柚子、茶叶): lexicon entries, also of the
      slot-only categories (手机, 家具, 服装), and open noun phrases ending in a product head
      (推荐霸王蟹);
    - generic words (产品, 农产品, 特产, 好物) are never products: a slot reads past them;
    - left out: a word inside an idiom, brand or name (吃螃蟹, 苹果手机, 草莓音乐节, 丝绸之路),
      inside or across a person's name, or overlapping a platform's name (蘑菇街, 西瓜视频).
    """
    lex, cats, canon = _products()
    place_end = {x.start: x.end for x in places}
    slot_goods: list[tuple[int, int, str]] = []
    for m in _TRIGGER.finditer(hans):
        slot_goods += _slot(hans, m.end(), place_end)[0]
    for m in _FOR_GOODS.finditer(hans):
        goods, end = _slot(hans, m.end(), place_end)
        if goods and _FOR_VERB.match(hans, end):
            slot_goods += goods
    in_slot = {(s, e) for s, e, _ in slot_goods}
    found = [(m.start(), m.end(), canon[m.group(0)]) for m in lex.finditer(hans)
             if cats[m.group(0)] not in _SLOT_ONLY or m.span() in in_slot]
    for s, e, name in slot_goods:
        if not any(a < e and s < b for a, b, _ in found):
            found.append((s, e, name))
    idioms = [m.span() for m in _NOT_PRODUCT_CONTEXT.finditer(hans)]
    out = []
    for s, e, name in sorted(found):
        if any(a < e and s < b for a, b in idioms) or any(a < e and s < b for a, b in platform_spans):
            continue
        if any(a < e and s < b and not (s <= a and b <= e) for a, b in person_spans):
            continue  # 王小米: inside a name; 苍溪雪梨 holds the name 雪梨 and stays goods
        if out and s < out[-1][1]:
            continue
        out.append((s, e, name))
    return out


# ----------------------------------------------------------------------------- metric cues

_METRIC_CUES: list[tuple[str, re.Pattern]] = [
    ("likes", re.compile(r"点赞|获赞|赞")),
    ("followers", re.compile(r"粉丝|关注者|订阅")),
    ("viewers", re.compile(r"观看|观众|围观|收看|在线人数|同时在线|播放量|播放|浏览|人气|看直播|流量|曝光")),
    ("orders", re.compile(r"订单|下单量|单量|下单数")),
    ("users", re.compile(r"用户|网民")),
    ("population", re.compile(r"人口|常住|户籍")),
    ("sales", re.compile(r"销售额|成交额|零售额|销售|销量|成交|卖出|售出|卖了|带货|下单金额|交易额|交易量|营业额|业绩|"
                         r"总规模|市场规模|交易规模|成交规模|经济规模|"
                         r"GMV|营收|卖货|售罄|销售总额|带动.{0,4}销售|总额")),
    ("price", re.compile(r"价格|售价|单价|定价|原价|零售价|价位|每[一]?[斤件个箱盒条只]|价值都|价(?!值)")),
]
_MONEY = {"yuan", "usd", "hkd", "eur", "twd"}
#: nouns written right after a number that say what it counts (13.7万粉丝, 5亿用户, 103万人口)
_NOUN_METRIC = {"粉丝": "followers", "用户": "users", "网民": "users", "网友": "users", "消费者": "users",
                "观众": "viewers", "人口": "population"}


@dataclass
class _Official:
    start: int
    end: int
    name: str  # hans
    title: str  # hans
    name_span: tuple[int, int] | None
    title_span: tuple[int, int] | None
    places: list[PlaceMention] = field(default_factory=list)
    official: bool = True
    mention: str = "title"
    role: str = ""


@lru_cache(maxsize=1)
def _common_verbs() -> frozenset[str]:
    """Frequent two-character verbs, adverbs and prepositions of jieba's dictionary (推荐, 正在 ...).

    A third character that begins one of them ends a name: 王强推荐 is 王强 + 推荐.
    """
    from pathlib import Path

    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a dependency
        return frozenset()
    words = set()
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and len(parts[0]) == 2 and int(parts[1]) >= 300 \
                    and (parts[2].startswith("v") or parts[2] in {"d", "p", "c"}):
                words.add(parts[0])
    return frozenset(words)


def _key(o: _Official) -> str:
    """How an official is referred to in other tables: the name, else jurisdiction + title."""
    if o.name:
        return o.name
    return (o.places[-1].name if o.places else "") + o.title


# ----------------------------------------------------------------------------- names

def _name_at(text: str, i: int) -> str | None:
    """A Chinese personal name starting at ``text[i]``, or ``None``."""
    if text[i:i + 2] in _SURNAMES_2:
        slen = 2
    elif i < len(text) and text[i] in _SURNAMES_1:
        slen = 1
    else:
        return None
    if _ROLE.match(text, i + slen) or _TITLE.match(text, i + slen) or text.startswith(("老师", "师傅"), i + slen):
        return None  # 王老师, 李主任: a surname with a title, not a name
    given = ""
    for k in range(2):
        j = i + slen + k
        if j >= len(text) or not ("\u4e00" <= text[j] <= "\u9fff"):
            break
        if k == 1 and (text[j] in _AFTER_NAME or text.startswith(_AFTER_WORDS, j)
                       or text[j:j + 2] in _common_verbs() or _TITLE.match(text, j) or _ROLE.match(text, j)):
            break
        if k == 0 and text[j] in "的在是和与了着们等说也都就为对将把被从于向":
            return None
        given += text[j]
    if not given:
        return None
    name = text[i:i + slen] + given
    if name[:2] in _NOT_NAMES or name in _NOT_NAMES:
        return None
    return name


def _glued(hans: str, a0: int) -> bool:
    """True if a title or role word runs into position ``a0`` (主任|王老师)."""
    for b in range(max(0, a0 - 3), a0):
        for rx in (_TITLE, _ROLE):
            mm = rx.match(hans, b)
            if mm and mm.end() > a0:
                return True
    return False


def _titled(hans: str, places: list[PlaceMention]) -> list[_Official]:
    """Titled people: official titles and non-official roles, with names and jurisdictions."""
    out: list[_Official] = []
    by_end: dict[int, list[PlaceMention]] = defaultdict(list)
    for p in places:
        by_end[p.end].append(p)
    taken = [False] * (len(hans) + 1)
    # name + 总书记 / 教授 / 博士 ... (习近平总书记, 张志安教授)
    for m in _TITLE.finditer(hans):
        s, e = m.span()
        title = m.group(0)
        # the place chain before the title: adjacent, one shared character (丰城市|市委), or 的
        chain: list[PlaceMention] = []
        cursor = s
        for back in (0, 1, -1):
            cands = by_end.get(s + back) or []
            if back == -1 and hans[s - 1:s] == "的":
                cands = by_end.get(s - 1) or []
            if cands:
                cursor = cands[0].start
                chain = [cands[0]]
                break
        while chain and by_end.get(cursor):
            chain.insert(0, by_end[cursor][0])
            cursor = chain[0].start
        pre = hans[max(0, s - 12):s]
        # a name after the title (spaces allowed), or before it (习近平总书记)
        j = e
        while j < len(hans) and hans[j] in " \u3000":
            j += 1
        name = _name_at(hans, j) if j < len(hans) else None
        name_span = (j, j + len(name)) if name else None
        if not name:
            # 李君, 村党支部书记 / 吴少华，柞水县县长: a name alone in the clause before
            k = (chain[0].start if chain else s) - 1
            while k >= 0 and hans[k] in " \u3000":
                k -= 1
            if k >= 1 and hans[k] in ",，":
                for n in (3, 2, 4):
                    a0 = k - n
                    cand = hans[max(0, a0):k]
                    if a0 >= 0 and (a0 == 0 or not _HAN.match(hans[a0 - 1])) \
                            and _name_at(cand, 0) == cand:
                        name, name_span = cand, (a0, k)
                        break
        if not name and title in {"总书记", "书记", "主席", "总理", "委员长"} and s >= 2:
            for k in (3, 2, 4):
                cand = hans[s - k:s]
                if len(cand) == k and _name_at(cand, 0) == cand:
                    name, name_span = cand, (s - k, s)
                    break
        core_only = re.fullmatch(rf"(?:常务副|副)?(?:{_CORE_RE})", title) is not None
        if title == "干部" or title.endswith("干部"):
            continue  # 领导干部, 扶贫干部: roles, not titles
        if not name and not chain:
            continue  # 有这样一位县长, 市长、县长: no one in particular
        if not name and core_only and title in {"主任", "部长", "处长", "科长", "主席", "委员"}:
            continue
        non_gov = _NON_GOV.search(pre.split("，")[-1].split(",")[-1]) and not chain
        official = not non_gov and not (core_only and title in {"主任", "处长", "科长", "部长"} and not chain
                                        and not re.search(_ORG_RE, pre[-6:]))
        start = chain[0].start if chain else s
        if name_span and name_span[0] < start:
            start = name_span[0]
        end = max(e, name_span[1]) if name_span else e
        if any(taken[start:end]):
            continue
        for k in range(start, end):
            taken[k] = True
        out.append(_Official(start, end, name or "", title, name_span, (s, e), chain, official,
                             role="" if official else title))
    # non-official roles: 教授徐行, 董事长伍勇, 本报记者 聂新鑫 陈昊, 张志安教授
    for m in _ROLE.finditer(hans):
        s, e = m.span()
        j = e
        names = []
        while True:
            while j < len(hans) and hans[j] in " \u3000、":
                j += 1
            name = _name_at(hans, j) if j < len(hans) else None
            if not name or any(taken[j:j + len(name)]):
                break
            names.append((name, (j, j + len(name))))
            j += len(name)
            if m.group(0) not in {"记者", "本报记者", "编辑"}:
                break
        if not names and m.group(0) in {"教授", "博士", "老师", "先生", "女士"}:
            for k in (3, 2):
                cand = hans[max(0, s - k):s]
                a0 = s - k
                # 班主任王老师: 任 ends the word 主任, it does not begin a name
                if len(cand) == k and not _glued(hans, a0) and _name_at(cand, 0) == cand \
                        and not any(taken[s - k:s]):
                    names.append((cand, (s - k, s)))
                    break
        for name, span in names:
            for k in range(*span):
                taken[k] = True
            out.append(_Official(min(s, span[0]), max(e, span[1]), name, m.group(0), span, (s, e),
                                 [], False, "title", m.group(0)))
    out.sort(key=lambda o: o.start)
    # one person, two posts in two places: 邢台市副市长、南和区委书记郑某某 (the name ends the chain)
    for a, b in itertools.pairwise(out):
        if not a.name and b.name and a.official and b.official and hans[a.end:b.start] in _POST_JOINERS:
            a.name, a.name_span = b.name, b.name_span  # the mention's own span stays the post
    return out


#: what joins two posts of one person when each names its own place (副市长、南和区委书记)
_POST_JOINERS = frozenset({"、", "，兼", ",兼", "、兼", "兼"})


# ----------------------------------------------------------------------------- paragraphs

@dataclass
class _Para:
    doc_id: str
    para_id: int
    text: str
    hans: str
    smap: Any
    script: str

    def orig(self, s: int, e: int) -> tuple[int, int, str]:
        a, b = self.smap.to_original(s, e)
        return a, b, self.text[a:b]


def _paragraphs(corpus: Any) -> list[_Para]:
    from .script import SpanMap

    paras = corpus.paragraphs if hasattr(corpus, "paragraphs") else corpus
    if not isinstance(paras, pd.DataFrame):
        raise ColumnError("expected a Corpus or its paragraphs table (a DataFrame)")
    needed = {"doc_id", "para_id", "text"}
    missing = needed - set(paras.columns)
    if missing:
        raise ColumnError(f"the paragraphs table lacks column(s) {sorted(missing)}; "
                          "pass cadrecast.load_corpus(...) or its .paragraphs")
    out = []
    from .script import to_simplified

    for row in paras.itertuples(index=False):
        lang = getattr(row, "language", "zh")
        if lang == "en":
            continue
        text = row.text if isinstance(row.text, str) else ""
        hans = getattr(row, "text_hans", None)
        code = getattr(row, "hans_map", "")
        if not isinstance(hans, str):
            from .script import convert_with_map

            hans, smap = convert_with_map(text, "t2s")
        else:
            smap = SpanMap.decode(code if isinstance(code, str) else "", len(hans))
        if not hans and text:
            hans = to_simplified(text)
            smap = SpanMap.decode("", len(hans))
        script = getattr(row, "script", None)
        if not isinstance(script, str) or not script:
            from .script import detect_script

            script = detect_script(text) if text else "hans"
        out.append(_Para(str(row.doc_id), int(row.para_id), text, hans, smap, script))
    return out


def _sentence_bounds(hans: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENT_END.finditer(hans):
        bounds.append((start, m.end()))
        start = m.end()
    if start < len(hans):
        bounds.append((start, len(hans)))
    return bounds or [(0, len(hans))]


def _sent_of(bounds: list[tuple[int, int]], pos: int) -> int:
    for k, (a, b) in enumerate(bounds):
        if a <= pos < b:
            return k
    return len(bounds) - 1


def _metric(hans: str, q: Quantity) -> str:
    """The metric class of a quantity, read from the words around it."""
    unit = q.unit
    if unit in {"percent", "percentage point"}:
        return "percent"
    if unit in {"mu", "m2"}:
        return "area"
    if "/" in unit:
        return "price"
    if q.unit_text in _NOUN_METRIC:
        return _NOUN_METRIC[q.unit_text]
    if unit == "order":
        return "orders"
    # the clause the figure stands in, and the words right after it
    left = hans[:q.start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(left)), default=0)
    before = left[max(cut, q.start - 24):]
    after_text = hans[q.end:q.end + 8]
    cut_after = _CLAUSE_END.search(after_text)
    after = after_text[:cut_after.start()] if cut_after else after_text
    found: list[tuple[int, str]] = []
    for metric, rx in _METRIC_CUES:
        for m in rx.finditer(before):
            found.append((len(before) - m.end(), metric))
        for m in rx.finditer(after):
            found.append((m.start() + 1, metric))
    if not found and unit in {"", "person", "person-time"}:
        # 围观人数从300万,减少到了100万: the clause before in the same sentence
        sent_start = max((m.end() for m in _SENT_END.finditer(left)), default=0)
        prev = left[sent_start:cut]
        for metric, rx in _METRIC_CUES:
            if rx.search(prev[-20:]):
                found.append((100, metric))
    if not unit and q.qualifier == "more than" and re.match(r"[破过超]", q.text) \
            and re.fullmatch(r"[破过超][千百万亿]+", q.text) and not [mt for _, mt in found if mt != "sales"]:
        # 直播间破亿, 带货过亿: in a sentence about livestream selling these are sales
        sent_start = max((m.end() for m in _SENT_END.finditer(left)), default=0)
        if re.search(r"直播|带货|成交|销|卖", hans[sent_start:q.end + 10]):
            return "sales"
    if unit in _MONEY:
        cands = [(d, mt) for d, mt in found if mt in {"sales", "price"}]
        if cands:
            return min(cands)[1]
        return "other"
    if unit in {"person", "person-time", "household", ""}:
        cands = [(d, mt) for d, mt in found if mt != "price"]
        if cands:
            best = min(cands)[1]
            if best == "sales" and unit in {"person", "person-time", "household"}:
                return "count"
            return best
        return "count" if unit else "other"
    if unit in {"item", "jin", "kg", "firm", "session", "time"}:
        near = hans[max(cut, q.start - 8):q.start]
        m = re.search(r"(?:卖出|售出|销售|卖了|带货|销量|售罄|卖)(?:了|出|共|总共|累计)?"
                      r"(?P<obj>[^的，,。、]{0,5})$", near)
        obj = m.group("obj") if m else ""
        if m and (not obj or obj in _products()[1] or re.search(_PRODUCT_HEAD + "$", obj)):
            return "sales"
        if unit == "time" and [mt for _, mt in found if mt == "viewers"]:
            return "viewers"
        return "count"
    return "other"


_DEFAULT_UNIT = {"sales": "yuan", "viewers": "person", "followers": "person", "users": "person",
                 "population": "person", "likes": "like", "orders": "order"}


# ----------------------------------------------------------------------------- extraction

def _extract(corpus: Any) -> dict[str, pd.DataFrame]:
    """Run every extractor once; return the five tables."""
    from .script import to_traditional

    paras = _paragraphs(corpus)
    gz = load_gazetteer()
    plat_re, plat_canon = _platforms()
    docs_meta = {}
    if hasattr(corpus, "documents"):
        for row in corpus.documents.itertuples(index=False):
            docs_meta[str(row.doc_id)] = getattr(row, "date", None)

    ent_rows: list[dict] = []
    off_rows: list[dict] = []
    place_rows: list[dict] = []
    fig_rows: list[dict] = []
    by_doc: dict[str, list[_Para]] = defaultdict(list)
    for p in paras:
        by_doc[p.doc_id].append(p)

    def native(p: _Para, s: str) -> str:
        return to_traditional(s) if p.script == "hant" and s else s

    for doc_id, doc_paras in by_doc.items():
        doc_codes: list[str] = []
        villages: dict[str, PlaceMention] = {}
        known: dict[str, dict] = {}  # name_hans -> first titled mention's info
        per_para: list[dict] = []
        # pass 1: places and titled people
        for p in doc_paras:
            pl = gz.find(p.hans, context=doc_codes, known_villages=villages)
            doc_codes.extend(x.adcode for x in pl if x.adcode)
            titled = _titled(p.hans, pl)
            per_para.append({"places": pl, "titled": titled})
            for name, _span in _speakers(p.hans):
                known.setdefault(name, {"official": False, "title": "", "places": [], "role": ""})
            for o in titled:
                if o.name and o.name not in known:
                    known[o.name] = {"official": o.official, "title": o.title, "places": o.places,
                                     "role": o.role}
                elif o.name and o.official and not known[o.name]["official"]:
                    known[o.name].update(official=True, title=o.title, places=o.places)
        county_counts = Counter(c for c in doc_codes if len(c) == 6 and not c.endswith("00"))
        main_county = county_counts.most_common(1)[0][0] if county_counts else ""
        last_official: str = ""
        year_hint: int | None = None
        date_val = docs_meta.get(doc_id)
        if isinstance(date_val, str) and date_val[:4].isdigit():
            year_hint = int(date_val[:4])
        # pass 2: everything, per paragraph
        for p, info in zip(doc_paras, per_para, strict=True):
            hans = p.hans
            bounds = _sentence_bounds(hans)
            pl: list[PlaceMention] = info["places"]
            people: list[_Official] = list(info["titled"])
            for o in people:  # 陈灿平博士 in an article where he is 副县长: still the official
                k0 = known.get(o.name)
                if o.name and not o.official and k0 and k0["official"]:
                    o.official, o.title, o.places, o.mention = True, k0["title"], k0["places"], "name"
                    o.title_span = None
            covered = [(o.start, o.end) for o in people]
            # later mentions of known names
            for name, k in known.items():
                for m in re.finditer(re.escape(name), hans):
                    if any(a < m.end() and m.start() < b for a, b in covered):
                        continue
                    people.append(_Official(m.start(), m.end(), name, k["title"], m.span(), None,
                                            k["places"], k["official"], "name", k["role"]))
                    covered.append(m.span())
            ppl_re, ppl_roles = _people()
            for m in ppl_re.finditer(hans):
                if any(a < m.end() and m.start() < b for a, b in covered):
                    continue
                people.append(_Official(m.start(), m.end(), m.group(0), "", m.span(), None, [], False,
                                        "name", ppl_roles[m.group(0)]))
                covered.append(m.span())
            people.sort(key=lambda o: o.start)
            person_spans = [(o.name_span or (o.start, o.end)) for o in people if o.name]
            # places (not inside a person's name, e.g. 周恩来 has no place, 江北 in a name)
            places_here = [x for x in pl if not any(a <= x.start and x.end <= b for a, b in person_spans)]
            for x in places_here:
                a, b, surf = p.orig(x.start, x.end)
                row = {"doc_id": doc_id, "para_id": p.para_id, "start": a, "end": b, "text": surf,
                       "text_hans": x.text, "name": native(p, x.name), "name_hans": x.name,
                       "level": x.level, "province": x.province, "prefecture": x.prefecture,
                       "county": x.county, "adcode": x.adcode, "ambiguous": x.ambiguous,
                       "candidates": ";".join(x.candidates) if x.ambiguous else "",
                       "lon": x.lon, "lat": x.lat}
                place_rows.append(row)
                ent_rows.append({**_ent(doc_id, p.para_id, a, b, surf, x.text, "place",
                                      _sent_of(bounds, x.start)),
                                 "normalized": x.name, "adcode": x.adcode, "level": x.level,
                                 "ambiguous": x.ambiguous})
            # platforms and products
            plats = []
            for m in plat_re.finditer(hans):
                if any(a <= m.start() < b for a, b in person_spans):
                    continue
                plats.append((m.start(), m.end(), plat_canon[m.group(0)]))
                a, b, surf = p.orig(*m.span())
                ent_rows.append({**_ent(doc_id, p.para_id, a, b, surf, m.group(0), "platform",
                                      _sent_of(bounds, m.start())),
                                 "normalized": plat_canon[m.group(0)]})
            prods = _find_products(hans, pl, person_spans, [(s, e) for s, e, _ in plats])
            for s, e, w in prods:
                a, b, surf = p.orig(s, e)
                ent_rows.append({**_ent(doc_id, p.para_id, a, b, surf, hans[s:e], "product",
                                      _sent_of(bounds, s)),
                                 "normalized": w})
            # dates
            dates = []
            for d in find_dates(hans):
                if d.year:
                    year_hint = d.year
                iso = d.iso
                if d.year is None and year_hint and d.month:
                    iso = f"{year_hint:04d}-{d.month:02d}" + (f"-{d.day:02d}" if d.day else "")
                dates.append((d.start, d.end, iso))
                a, b, surf = p.orig(d.start, d.end)
                ent_rows.append({**_ent(doc_id, p.para_id, a, b, surf, d.text, "date",
                                      _sent_of(bounds, d.start)),
                                 "normalized": iso})
            # officials and people
            para_officials = []
            for o in people:
                a, b, surf = p.orig(o.start, o.end)
                name_o = p.orig(*o.name_span)[2] if o.name_span else ""
                title_o = p.orig(*o.title_span)[2] if o.title_span else native(p, o.title)
                chain = o.places
                low = chain[-1] if chain else None
                juris, jcode, prov, source = "", "", "", ""
                if low is not None:
                    juris, jcode, prov, source = low.name, low.adcode, low.province, "text"
                    if low.level == "village":
                        jcode = ""
                elif o.official and main_county and re.search(r"县|区|市", o.title):
                    d = gz.division(main_county)
                    if d is not None and ("县" in o.title) == d.name.endswith("县"):
                        juris, jcode = d.name, d.adcode
                        prov, source = gz.parents(main_county)["province"], "document"
                if not prov and chain:
                    prov = chain[0].province
                k = _sent_of(bounds, o.start)
                sent = hans[bounds[k][0]:bounds[k][1]]
                plat_here = sorted({c for s2, _, c in plats if bounds[k][0] <= s2 < bounds[k][1]})
                label = "official" if o.official else "person"
                ent_rows.append({**_ent(doc_id, p.para_id, a, b, surf, hans[o.start:o.end], label, k),
                                 "normalized": o.name or o.title, "role": o.title if o.official else o.role,
                                 "adcode": jcode})
                if not o.official:
                    continue
                last_official = _key(o)
                para_officials.append((o, k))
                off_rows.append({
                    "doc_id": doc_id, "para_id": p.para_id, "sent_id": k, "start": a, "end": b,
                    "text": surf, "text_hans": hans[o.start:o.end], "name": name_o,
                    "name_hans": o.name, "title": title_o, "title_hans": o.title,
                    "jurisdiction": juris, "jurisdiction_adcode": jcode, "province": prov,
                    "jurisdiction_source": source, "mention": o.mention,
                    "platform": ";".join(plat_here),
                    "livestream": bool(_LIVESTREAM.search(sent)),
                })
            # figures
            spans_block = [(x.start, x.end) for x in pl] + [(d0, d1) for d0, d1, _ in dates]
            for q in find_quantities(hans):
                if any(a < q.end and q.start < b for a, b in spans_block):
                    continue
                metric = _metric(hans, q)
                unit = q.unit or _DEFAULT_UNIT.get(metric, "")
                k = _sent_of(bounds, q.start)
                subject, subject_label = _subject(hans, bounds[k], q.start, people, places_here, plats,
                                                  last_official)
                a, b, surf = p.orig(q.start, q.end)
                row = {"doc_id": doc_id, "para_id": p.para_id, "sent_id": k, "start": a, "end": b,
                       "text": surf, "text_hans": hans[q.start:q.end], "value": q.value,
                       "value_high": q.high, "unit": unit, "qualifier": q.qualifier,
                       "metric": metric, "subject": subject, "subject_label": subject_label}
                fig_rows.append(row)
                ent_rows.append({**_ent(doc_id, p.para_id, a, b, surf, hans[q.start:q.end], "figure", k),
                                 "normalized": f"{q.value:g} {unit}".strip(), "value": q.value,
                                 "unit": unit, "qualifier": q.qualifier, "metric": metric,
                                 "subject": subject})
            if para_officials:
                last_official = _key(para_officials[-1][0])

    ent = _frame(ent_rows, _ENT_COLS)
    off = _frame(off_rows, _OFF_COLS)
    plc = _frame(place_rows, _PLACE_COLS)
    fig = _frame(fig_rows, _FIG_COLS)
    ev = _events(off, fig, ent, docs_meta)
    return {"entities": ent, "officials": off, "places": plc, "figures": fig, "events": ev}


def _ent(doc_id: str, para_id: int, a: int, b: int, surf: str, hans: str, label: str,
         sent_id: int = 0) -> dict:
    return {"doc_id": doc_id, "para_id": para_id, "sent_id": sent_id, "start": a, "end": b,
            "text": surf, "text_hans": hans, "label": label}


def _subject(hans: str, sent: tuple[int, int], pos: int, people: list[_Official],
             places: list[PlaceMention], plats: list[tuple[int, int, str]],
             last_official: str) -> tuple[str, str]:
    """What a figure at ``pos`` is about: the nearest official, else platform/place, in its sentence."""
    a, _ = sent
    offs = [o for o in people if o.official and a <= o.start < pos]
    if offs:
        return _key(offs[-1]), "official"
    others: list[tuple[int, str, str]] = []
    others += [(s, c, "platform") for s, _, c in plats if a <= s < pos]
    others += [(x.start, x.name, "place") for x in places if a <= x.start < pos and not x.ambiguous
               and hans[x.end:x.end + 1] not in {"、", "等"} and hans[x.start - 1:x.start] != "、"]
    if others:
        _, name, label = max(others)
        return name, label
    if last_official and re.search(r"[他她]", hans[a:pos]):
        return last_official, "official"
    return "", ""


def _events(off: pd.DataFrame, fig: pd.DataFrame, ent: pd.DataFrame,
            docs_meta: dict[str, Any]) -> pd.DataFrame:
    """One row per livestream an official is reported to have held (officials in one sentence merge)."""
    rows = []
    if off.empty:
        return _frame(rows, _EV_COLS)
    for doc_id, g in off.groupby("doc_id", sort=False):
        live = g[g["livestream"]]
        if live.empty:
            continue
        # union officials that share a sentence
        parent: dict[str, str] = {}

        def find(x: str, parent: dict[str, str] = parent) -> str:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        keys = g.apply(lambda r: r["name_hans"] or f"{r['jurisdiction']}{r['title_hans']}", axis=1)
        g = g.assign(key=keys)
        for _, s in g.groupby(["para_id", "sent_id"]):
            ks = list(dict.fromkeys(s["key"]))
            for k in ks[1:]:
                parent[find(k)] = find(ks[0])
        live_keys = {find(k) for k in g.loc[live.index, "key"]}
        groups: dict[str, list[str]] = defaultdict(list)
        for k in dict.fromkeys(g["key"]):
            groups[find(k)].append(k)
        f = fig[fig["doc_id"] == doc_id]
        e = ent[ent["doc_id"] == doc_id]
        for root, members in groups.items():
            if root not in live_keys:
                continue
            rows_m = g[g["key"].isin(members)]
            paras = sorted(set(rows_m["para_id"]))
            live_paras = sorted(set(rows_m.loc[rows_m["livestream"], "para_id"]))
            fm = f[f["subject"].isin(members)]
            sales_all = fm[fm["metric"] == "sales"]
            sales = sales_all[sales_all["unit"] == "yuan"]
            viewers = fm[fm["metric"] == "viewers"]
            followers = fm[fm["metric"] == "followers"]
            ep = e[e["para_id"].isin(live_paras)]
            plats = list(dict.fromkeys(ep.loc[ep["label"] == "platform", "normalized"]))
            prods = list(dict.fromkeys(ep.loc[ep["label"] == "product", "normalized"]))
            live_sents = set(zip(rows_m.loc[rows_m["livestream"], "para_id"],
                                 rows_m.loc[rows_m["livestream"], "sent_id"], strict=True))
            ed = ep[ep["label"] == "date"]
            in_sent = [(pi, si) in live_sents for pi, si in zip(ed["para_id"], ed["sent_id"], strict=True)]
            dates = list(dict.fromkeys(ed.loc[in_sent, "normalized"]))
            titled = rows_m[rows_m["jurisdiction"] != ""]
            place = titled["jurisdiction"].iloc[0] if len(titled) else ""
            rows.append({
                "doc_id": doc_id, "event_id": f"{doc_id}:e{len([r for r in rows if r['doc_id'] == doc_id])}",
                "para_ids": ";".join(map(str, paras)),
                "officials": ";".join(dict.fromkeys(rows_m["key"])),
                "titles": ";".join(dict.fromkeys(rows_m["title_hans"])),
                "place": place,
                "adcode": titled["jurisdiction_adcode"].iloc[0] if len(titled) else "",
                "province": titled["province"].iloc[0] if len(titled) else "",
                "platform": ";".join(plats),
                "date": dates[0] if dates else "",
                "products": ";".join(prods),
                "sales": float(sales["value"].max()) if len(sales) else float("nan"),
                "sales_text": ";".join(sales_all["text"]),
                "viewers": float(viewers["value"].max()) if len(viewers) else float("nan"),
                "viewers_text": ";".join(viewers["text"]),
                "followers": float(followers["value"].max()) if len(followers) else float("nan"),
            })
    return _frame(rows, _EV_COLS)


_ENT_COLS = {"doc_id": "string", "para_id": "int64", "sent_id": "int64", "start": "int64", "end": "int64",
             "text": "string", "text_hans": "string", "label": "string", "normalized": "string",
             "role": "string", "value": "float64", "unit": "string", "qualifier": "string",
             "metric": "string", "subject": "string", "adcode": "string", "level": "string",
             "ambiguous": "boolean"}
_OFF_COLS = {"doc_id": "string", "para_id": "int64", "sent_id": "int64", "start": "int64",
             "end": "int64", "text": "string", "text_hans": "string", "name": "string",
             "name_hans": "string", "title": "string", "title_hans": "string",
             "jurisdiction": "string", "jurisdiction_adcode": "string", "province": "string",
             "jurisdiction_source": "string", "mention": "string", "platform": "string",
             "livestream": "bool"}
_PLACE_COLS = {"doc_id": "string", "para_id": "int64", "start": "int64", "end": "int64",
               "text": "string", "text_hans": "string", "name": "string", "name_hans": "string",
               "level": "string", "province": "string", "prefecture": "string", "county": "string",
               "adcode": "string", "ambiguous": "bool", "candidates": "string", "lon": "float64",
               "lat": "float64"}
_FIG_COLS = {"doc_id": "string", "para_id": "int64", "sent_id": "int64", "start": "int64",
             "end": "int64", "text": "string", "text_hans": "string", "value": "float64",
             "value_high": "float64", "unit": "string", "qualifier": "string", "metric": "string",
             "subject": "string", "subject_label": "string"}
_EV_COLS = {"doc_id": "string", "event_id": "string", "para_ids": "string", "officials": "string",
            "titles": "string", "place": "string", "adcode": "string", "province": "string",
            "platform": "string", "date": "string", "products": "string", "sales": "float64",
            "sales_text": "string", "viewers": "float64", "viewers_text": "string",
            "followers": "float64"}


def _frame(rows: list[dict], cols: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(cols))
    for c, t in cols.items():
        if t == "string":
            df[c] = pd.array(["" if v is None or (isinstance(v, float) and v != v) else str(v)
                              for v in df[c]], dtype="string")
        elif t == "int64":
            df[c] = df[c].astype("int64")
        elif t == "float64":
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        elif t == "bool":
            df[c] = pd.array([bool(v) if v is not None and v == v else False for v in df[c]], dtype=bool)
        elif t == "boolean":
            df[c] = pd.array([None if v is None or v != v else bool(v) for v in df[c]], dtype="boolean")
    return df.reset_index(drop=True)


_CACHE: dict[Any, tuple[Any, dict[str, pd.DataFrame]]] = {}


def _cache_key(corpus: Any) -> Any:
    """The same corpus (same documents, same paragraphs) gives the same tables."""
    if hasattr(corpus, "checksum") and hasattr(corpus, "paragraphs"):
        paras = corpus.paragraphs
        return ("corpus", corpus.checksum(), len(paras), int(paras["text"].str.len().sum()))
    return ("frame", id(corpus))


def _tables(corpus: Any) -> dict[str, pd.DataFrame]:
    key = _cache_key(corpus)
    hit = _CACHE.get(key)
    if hit is not None and (key[0] == "corpus" or hit[0] is corpus):
        return hit[1]
    tables = _extract(corpus)
    _CACHE.clear()
    _CACHE[key] = (corpus, tables)
    return tables


def _copy(df: pd.DataFrame) -> pd.DataFrame:
    return df.copy()


# ----------------------------------------------------------------------------- public API

def extract_entities(corpus: Corpus | pd.DataFrame) -> pd.DataFrame:
    """Every entity and figure mention in the corpus, one row per mention.

    Parameters
    ----------
    corpus : Corpus or DataFrame
        A corpus from :func:`cadrecast.load_corpus`, or its ``paragraphs`` table (columns
        ``doc_id``, ``para_id``, ``text``; ``text_hans``/``hans_map`` are used when present).
        English paragraphs are skipped.

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id``, ``sent_id``, ``start``, ``end`` (offsets into the
        paragraph's ``text``), ``text`` (original script), ``text_hans``, ``label`` (official, person, place,
        platform, product, figure, date), ``normalized`` (canonical name, ISO date, or
        value and unit), ``role`` (title or role of a person), ``value``, ``unit``,
        ``qualifier``, ``metric``, ``subject`` (figures), ``adcode``, ``level``,
        ``ambiguous`` (places).

    Examples
    --------
    >>> import cadrecast as cc
    >>> ents = cc.extract_entities(cc.load_corpus())
    >>> sorted(set(ents.label))
    ['date', 'figure', 'official', 'person', 'place', 'platform', 'product']
    """
    return _copy(_tables(corpus)["entities"])


def officials(corpus: Corpus | pd.DataFrame) -> pd.DataFrame:
    """Officials named (or titled) in the corpus, one row per mention.

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id``, ``sent_id``, ``start``, ``end``, ``text``, ``text_hans``,
        ``name`` / ``name_hans`` (empty for an unnamed official such as 柳州市副市长),
        ``title`` / ``title_hans``, ``jurisdiction`` (the place the office governs, canonical
        Simplified name), ``jurisdiction_adcode``, ``province``, ``jurisdiction_source``
        (``"text"``: written before the title; ``"document"``: the county the article is about;
        ``""``: unknown), ``mention`` (``"title"`` or ``"name"``: a later mention by name only),
        ``platform`` (platforms named in the same sentence), ``livestream`` (the sentence
        speaks of livestreaming).

    Examples
    --------
    >>> import cadrecast as cc
    >>> offs = cc.officials(cc.load_corpus())
    >>> "陈灿平" in set(offs.name_hans)
    True
    """
    return _copy(_tables(corpus)["officials"])


def places(corpus: Corpus | pd.DataFrame) -> pd.DataFrame:
    """Places named in the corpus, resolved to administrative divisions, one row per mention.

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id``, ``start``, ``end``, ``text``, ``text_hans``, ``name``
        (canonical name in the paragraph's script), ``name_hans``, ``level`` (province,
        prefecture, county, township, village), ``province``, ``prefecture``, ``county``,
        ``adcode`` (empty when ambiguous or a village), ``ambiguous``, ``candidates`` (codes of
        the divisions an ambiguous name may mean), ``lon``, ``lat``.

    Examples
    --------
    >>> import cadrecast as cc
    >>> pl = cc.places(cc.load_corpus())
    >>> pl.loc[pl.name_hans == "尉犁县", "adcode"].iloc[0]
    '652823'
    """
    return _copy(_tables(corpus)["places"])


def figures(corpus: Corpus | pd.DataFrame) -> pd.DataFrame:
    """Every quantity in the corpus with its normalised value, unit, qualifier, metric and subject.

    Returns
    -------
    DataFrame
        ``doc_id``, ``para_id``, ``sent_id``, ``start``, ``end``, ``text``, ``text_hans``,
        ``value`` (float, base units: 7000多万元 -> 7e7), ``value_high`` (upper bound of a
        range, else NaN), ``unit`` (yuan, person, person-time, item, mu, jin, hour, session,
        percent ...), ``qualifier`` (exact, more than, nearly, about, less than, at least,
        range), ``metric`` (one of :data:`METRICS`), ``subject`` and ``subject_label``
        (official, place or platform the figure is about, when the sentence says so).

    Examples
    --------
    >>> import cadrecast as cc
    >>> fig = cc.figures(cc.load_corpus())
    >>> fig.loc[fig.text == "2692億元", ["value", "metric", "subject"]].values.tolist()
    [[269200000000.0, 'sales', '京东']]
    """
    return _copy(_tables(corpus)["figures"])


def events(corpus: Corpus | pd.DataFrame) -> pd.DataFrame:
    """Livestreams held by officials, one row per event.

    An event gathers the officials named together in a sentence about livestreaming, and from
    the paragraphs where they appear in such a sentence: their place, platform, products, the
    first date written in one of those sentences, and the sales, viewer and follower figures
    whose subject is one of them (the largest when several).

    Returns
    -------
    DataFrame
        ``doc_id``, ``event_id``, ``para_ids``, ``officials`` (names, or jurisdiction + title
        for unnamed officials), ``titles``, ``place``,
        ``adcode``, ``province``, ``platform``, ``date``, ``products`` (``;``-joined when
        several), ``sales`` (yuan: the largest money sales figure), ``sales_text`` (every
        sales figure, money or goods), ``viewers``, ``viewers_text``, ``followers``.

    Examples
    --------
    >>> import cadrecast as cc
    >>> ev = cc.events(cc.load_corpus())
    >>> float(ev.loc[ev.officials.str.contains("李晓楚"), "sales"].iloc[0])
    70000000.0
    """
    return _copy(_tables(corpus)["events"])


def entities_stage(corpus: Corpus, ctx: RunContext) -> dict[str, pd.DataFrame]:
    """Pipeline stage: write entities, officials, places, figures and events tables."""
    tables = {k: v.copy() for k, v in _tables(corpus).items()}
    ctx.note("entities: start/end are offsets into each paragraph's text; figures' values are in "
             "base units (yuan, person ...); places carry NBS 2023 division codes, and names "
             "several divisions share are flagged ambiguous instead of guessed.")
    return tables
