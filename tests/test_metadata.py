"""Report metadata: whose committee, which years, what kind of text, when delivered."""

from __future__ import annotations

import datetime as dt

import opencc
import pytest
from conftest import CORPUS, GOLD_META_FIELDS, gold_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.metadata import CUES_FILE, MetadataCuesError, extract_metadata, load_cues
from etl.metadata.sections import find_sections
from etl.metadata.text import _prepare
from etl.read.normalize import normalize


def _as_gold(meta) -> dict[str, str]:
    """A ReportMeta in the gold file's spelling: strings, '' for None, ISO dates."""
    out = {}
    for f in GOLD_META_FIELDS:
        v = getattr(meta, f)
        out[f] = "" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v)
    return out


# -- the five seeds ----------------------------------------------------------------------


@pytest.mark.parametrize("as_given", ["raw", "normalized"])
@pytest.mark.parametrize("row", gold_rows("seeds_docs.csv"), ids=lambda r: r["report_file"][:3])
def test_seed_metadata_matches_gold(row, as_given):
    raw = (CORPUS / row["report_file"]).read_text(encoding="utf-8")
    text = raw if as_given == "raw" else normalize(raw).text  # the pipeline passes the latter
    got = _as_gold(extract_metadata(text, row["report_file"]))
    wrong = {f: (got[f], row[f]) for f in GOLD_META_FIELDS if got[f] not in row[f].split("|")}
    assert not wrong, wrong


@pytest.mark.parametrize(
    "name, title",
    [
        ("000_c08ffb83924445c9.txt", "郑州市人民代表大会常务委员会工作报告"),
        ("001_e5195fff5a83099a.txt", None),
        ("002_abb6607c4697feab.txt", "2023年市人大常委会工作综述"),
        ("003_efef9b415da91c47.txt", "郑州市人民代表大会常务委员会工作报告摘编"),
        ("004_66608173c0941186.txt", "中原区人大常委会工作报告出炉"),
    ],
)
def test_seed_titles(name, title):
    raw = (CORPUS / name).read_text(encoding="utf-8")
    for text in (raw, normalize(raw).text):
        meta = extract_metadata(text, name)
        assert meta.title == title
        assert (meta.title is None) == any("未找到标题行" in w for w in meta.warnings)


def test_seed_codes_and_warnings():
    meta = extract_metadata((CORPUS / "002_abb6607c4697feab.txt").read_text(encoding="utf-8"))
    assert meta.code == "410600000000"
    # 鹤壁 is never written before 人大常委会 in that summary: say so
    assert any("由正文地名推断" in w for w in meta.warnings)
    clean = extract_metadata((CORPUS / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8"))
    assert clean.warnings == []


# -- openings of other reports (made up, in the genre's usual form) ------------------------

NATIONAL = """全国人民代表大会常务委员会工作报告
——2024年3月8日在第十四届全国人民代表大会第二次会议上
全国人民代表大会常务委员会委员长 赵乐际
各位代表：
我代表全国人民代表大会常务委员会，向大会报告工作，请予审议。
一、过去一年的主要工作
2023年是全面贯彻党的二十大精神的开局之年。一年来，全国人大常委会在以习近平同志为核心的党中央坚强领导下，审议法律案34件。
二、今后一年的主要任务
2024年，常委会将……"""

NATIONAL_TERM = """全国人民代表大会常务委员会工作报告
——2023年3月7日在第十四届全国人民代表大会第一次会议上
各位代表：
我代表十三届全国人大常委会向大会报告工作，请予审议。
一、过去五年的主要工作
十三届全国人大常委会任期的五年，是极不寻常、极不平凡的五年。五年来，常委会共审议法律案、决定草案等。
二、对今后工作的建议"""

PROVINCIAL = """河南省人民代表大会常务委员会工作报告
——2024年1月27日在河南省第十四届人民代表大会第二次会议上
河南省人民代表大会常务委员会副主任 张某某
各位代表：
受省人大常委会委托，我向大会报告工作，请予审议。
一、2023年主要工作
2023年，省人大常委会在省委坚强领导下，服务郑州国家中心城市和郑州都市圈建设，指导郑州、洛阳等市人大常委会开展工作……"""

COUNTY = """中牟县人民代表大会常务委员会工作报告
——2024年1月12日在中牟县第十七届人民代表大会第四次会议上
县人大常委会主任 王某某
各位代表：
现在，我代表县人大常委会向大会报告工作，请予审议。
2023年，在县委的坚强领导下，县人大常委会配合郑州市人大常委会开展执法检查，全县……"""

AUTONOMOUS_PREFECTURE = """延边朝鲜族自治州人民代表大会常务委员会工作报告
——2024年1月10日在延边朝鲜族自治州第十六届人民代表大会第三次会议上
各位代表：
受州人大常委会委托，我向大会报告工作，请予审议。
2023年，州人大常委会在州委领导下，认真贯彻吉林省委部署，全州……"""

DISTRICT_DUPLICATE = """鼓楼区人大常委会工作报告（摘要）
1月8日上午，在鼓楼区第十届人民代表大会第四次会议上，区人大常委会主任李某受区人大常委会委托向大会作工作报告。
2023年，区人大常委会紧紧围绕福州建设现代化国际城市和福建省委部署，全区……
2024年，区人大常委会将……"""

DISTRICT_OF_MUNICIPALITY = """朝阳区人民代表大会常务委员会工作报告
——2024年1月5日在北京市朝阳区第十七届人民代表大会第四次会议上
各位代表：
过去一年，区人大常委会在区委领导下……"""

COUNTY_TERM_DECEMBER = """新县人民代表大会常务委员会工作报告
——2021年12月20日在新县第十七届人民代表大会第一次会议上
各位代表：
本届以来，县人大常委会在县委领导下……
一、过去五年工作回顾
"""

CITY_TERM = """鹤壁市人民代表大会常务委员会工作报告
（二〇二二年一月八日在鹤壁市第十二届人民代表大会第一次会议上）
各位代表：
市第十一届人民代表大会常务委员会任期即将届满。受市十一届人大常委会委托，我向大会报告工作，请予审议。
一、过去五年的工作回顾
2017年至2021年，市人大常委会共制定地方性法规12件……"""

NEWS_SUMMARY = """依法履职显担当
——2023年县人大常委会工作综述
本报记者 张三
2023年，中牟县人大常委会紧紧围绕县委中心工作，全县……一年来，县人大常委会召开常委会会议9次。
2023年5月8日，县人大常委会举行人大代表志愿服务活动启动仪式。"""

NEWS_EXCERPT = """区人大常委会工作报告出炉
记者 王五 通讯员 赵六
1月6日，在中原区第十七届人民代表大会第三次会议上，中原区人大常委会主任受区人大常委会委托，向大会报告工作。
2023年，区人大常委会配合郑州市人大常委会开展执法检查2项。2024年，区人大常委会将……"""

# The session line on its own, the delivery date in parentheses on the next line.
SPLIT_DATELINE = """温州市人大常委会工作报告
——在温州市第十三届人民代表大会第五次会议上
(2020 年 4 月 22 日)
温州市人大常委会主任 葛某某
2019 年以来的主要工作
2019 年是新中国成立 70 周年。一年来,共召开常委会会议 10 次。
2020年工作任务
2020年常委会将继续努力。"""

# No title: a web page's time stamp, the speaker, then a yearless past-work heading.
WEB_STAMP_NO_TITLE = """2023-03-03 10:23:07
衢州市人大常委会主任 吴某某
各位代表:
我受市八届人民代表大会常务委员会委托,向大会报告工作,请予审议。
过去一年的主要工作
2022年是党的二十大召开之年,也是市八届人大常委会的开局之年。一年来,召开常委会会议10次。
今年的主要任务
2023年是全面贯彻落实党的二十大精神的开局之年。"""

# A news agency's digest, in traditional script: the dispatch date is not the delivery.
NATIONAL_DIGEST_TRADITIONAL = (
    "全國人民代表大會常務委員會工作報告(摘要)\n"
    "新華社北京3月8日電 受十四屆全國人大常委會委託,全國人大常委會委員長趙某某3月8日向十四屆全國人大二次會議"
    "作《全國人民代表大會常務委員會工作報告》。報告摘要如下:\n"
    "過去一年的工作\n"
    "2023年是全面貫徹黨的二十大精神的開局之年。過去一年,常委會審議法律案34件。"
)

# Normalization joins the heading to the sentence before it.
PROVINCIAL_JOINED_HEADING = """浙江省人民代表大会常务委员会工作报告
2024年1月23日在浙江省第十四届人民代表大会第二次会议上浙江省人民代表大会常务委员会副主任某某
各位代表:
现在,我受省人大常委会委托,向大会报告工作,请予审议。过去一年的主要工作
2023年,是全面贯彻党的二十大精神的开局之年。一年来,省人大常委会制定地方性法规15件。"""

CITY_TERM_2022 = """湖州市人民代表大会常务委员会工作报告
——2022年1月8日在湖州市第九届人民代表大会第一次会议上
各位代表:
我受湖州市第八届人民代表大会常务委员会委托,向大会报告工作,请予审议。
一、过去五年工作回顾
八届人大常委会任期内,常委会共召开常委会会议50次。
二、今后五年工作建议"""

COUNTY_NEWS_BRIEF = """本报讯 1月6日,宁陵县十八届人大三次会议召开,县人大常委会主任张某作工作报告。
报告指出,2023年,县人大常委会紧紧围绕县委中心工作,召开常委会会议9次。
2024年,县人大常委会将继续依法履职。"""

TITLE_NAMES_THE_YEAR = """2021年余姚市人民代表大会常务委员会工作报告
各位代表:
我受余姚市第十七届人民代表大会常务委员会委托,向大会报告工作,请予审议。
一年来,常委会召开会议8次。全年审议议题30项。"""

# A generic title (自治州…) and a publication stamp before the dateline.
AUTONOMOUS_PREFECTURE_GENERIC_TITLE = """自治州人民代表大会常务委员会工作报告
发布时间:2025-01-21 10:09:13 来源:昌吉日报
——2025年1月10日在昌吉回族自治州第十六届人民代表大会第五次会议上
自治州人大常委会主任 马某某
各位代表:
2024年主要工作
刚刚过去的2024年,州人大常委会全年召开常委会会议11次。"""

BANNER = """科尔沁右翼前旗人民代表大会常务委员会工作报告
——2024年1月9日在科尔沁右翼前旗第十八届人民代表大会第三次会议上
各位代表:
2023年,旗人大常委会在旗委领导下,全旗……"""

MUNICIPAL_DISTRICT_FULL_NAME = """北京市朝阳区人民代表大会常务委员会工作报告
——2024年1月8日在北京市朝阳区第十七届人民代表大会第四次会议上
各位代表:
过去一年的主要工作
2023年,区人大常委会……"""

LEAGUE = """锡林郭勒盟人大工委工作综述
本报记者 某某
2023年,盟人大工委在盟委领导下,围绕全盟中心工作依法履职……"""


@pytest.mark.parametrize(
    "text, expected",
    [
        (NATIONAL, ("全国", "national", None, None, 2023, 2023, "annual_report", dt.date(2024, 3, 8))),
        (NATIONAL_TERM, ("全国", "national", None, None, 2018, 2022, "term_review", dt.date(2023, 3, 7))),
        (
            PROVINCIAL,
            ("河南省", "provincial", "全国", "河南省", 2023, 2023, "annual_report", dt.date(2024, 1, 27)),
        ),
        (COUNTY, ("中牟县", "county", "郑州市", "河南省", 2023, 2023, "annual_report", dt.date(2024, 1, 12))),
        (
            AUTONOMOUS_PREFECTURE,
            (
                "延边朝鲜族自治州",
                "prefecture",
                "吉林省",
                "吉林省",
                2023,
                2023,
                "annual_report",
                dt.date(2024, 1, 10),
            ),
        ),
        (
            DISTRICT_DUPLICATE,
            ("鼓楼区", "county", "福州市", "福建省", 2023, 2023, "report_excerpt", dt.date(2024, 1, 8)),
        ),
        (
            DISTRICT_OF_MUNICIPALITY,
            ("朝阳区", "county", "北京市", "北京市", 2023, 2023, "annual_report", dt.date(2024, 1, 5)),
        ),
        (
            COUNTY_TERM_DECEMBER,  # a session late in the year reviews the term up to that year
            ("新县", "county", "信阳市", "河南省", 2017, 2021, "term_review", dt.date(2021, 12, 20)),
        ),
        (
            CITY_TERM,
            ("鹤壁市", "prefecture", "河南省", "河南省", 2017, 2021, "term_review", dt.date(2022, 1, 8)),
        ),
        (NEWS_SUMMARY, ("中牟县", "county", "郑州市", "河南省", 2023, 2023, "news_summary", None)),
        (
            NEWS_EXCERPT,
            ("中原区", "county", "郑州市", "河南省", 2023, 2023, "report_excerpt", dt.date(2024, 1, 6)),
        ),
        (
            SPLIT_DATELINE,
            ("温州市", "prefecture", "浙江省", "浙江省", 2019, 2019, "annual_report", dt.date(2020, 4, 22)),
        ),
        (WEB_STAMP_NO_TITLE, ("衢州市", "prefecture", "浙江省", "浙江省", 2022, 2022, "annual_report", None)),
        (
            NATIONAL_DIGEST_TRADITIONAL,
            ("全国", "national", None, None, 2023, 2023, "report_excerpt", dt.date(2024, 3, 8)),
        ),
        (
            PROVINCIAL_JOINED_HEADING,
            ("浙江省", "provincial", "全国", "浙江省", 2023, 2023, "annual_report", dt.date(2024, 1, 23)),
        ),
        (
            CITY_TERM_2022,
            ("湖州市", "prefecture", "浙江省", "浙江省", 2017, 2021, "term_review", dt.date(2022, 1, 8)),
        ),
        (
            COUNTY_NEWS_BRIEF,
            ("宁陵县", "county", "商丘市", "河南省", 2023, 2023, "report_excerpt", dt.date(2024, 1, 6)),
        ),
        (TITLE_NAMES_THE_YEAR, ("余姚市", "county", "宁波市", "浙江省", 2021, 2021, "annual_report", None)),
        (
            AUTONOMOUS_PREFECTURE_GENERIC_TITLE,
            (
                "昌吉回族自治州",
                "prefecture",
                "新疆维吾尔自治区",
                "新疆维吾尔自治区",
                2024,
                2024,
                "annual_report",
                dt.date(2025, 1, 10),
            ),
        ),
        (
            BANNER,
            (
                "科尔沁右翼前旗",
                "county",
                "兴安盟",
                "内蒙古自治区",
                2023,
                2023,
                "annual_report",
                dt.date(2024, 1, 9),
            ),
        ),
        (
            MUNICIPAL_DISTRICT_FULL_NAME,
            ("朝阳区", "county", "北京市", "北京市", 2023, 2023, "annual_report", dt.date(2024, 1, 8)),
        ),
        (
            LEAGUE,
            ("锡林郭勒盟", "prefecture", "内蒙古自治区", "内蒙古自治区", 2023, 2023, "news_summary", None),
        ),
    ],
    ids=[
        "national",
        "national-term",
        "provincial",
        "county",
        "autonomous-prefecture",
        "district-duplicate-name",
        "district-of-municipality",
        "county-term-december",
        "city-term-chinese-numerals",
        "news-summary",
        "news-excerpt",
        "split-dateline",
        "web-stamp-no-title",
        "national-digest-traditional",
        "provincial-joined-heading",
        "city-term-2022",
        "county-news-brief",
        "title-names-the-year",
        "autonomous-prefecture-generic-title",
        "banner",
        "municipal-district-full-name",
        "league",
    ],
)
def test_openings(text, expected):
    for as_given in (text, normalize(text).text):  # as written, and as the pipeline passes it
        meta = extract_metadata(as_given)
        got = tuple(getattr(meta, f) for f in GOLD_META_FIELDS)
        assert got == expected, meta.warnings


def test_duplicate_name_is_reported_in_warnings():
    meta = extract_metadata(DISTRICT_DUPLICATE)
    assert meta.code == "350102000000"
    assert any("鼓楼区" in w and "上下文" in w for w in meta.warnings)


def test_traditional_opening_converted_to_simplified():
    """The pipeline's normalization converts script; a plain string given to extract_metadata is normalized
    the same way, and the warning says the text was traditional."""
    trad = opencc.OpenCC("s2t").convert(
        "郑州市人民代表大会常务委员会工作报告\n——2024年2月3日在郑州市第十六届人民代表大会第二次会议上\n"
        "各位代表：\n受郑州市第十六届人民代表大会常务委员会的委托，我向大会报告工作，请予审议。\n2023年的主要工作\n"
    )
    assert "鄭州" in trad and "會" in trad
    simplified = opencc.OpenCC("t2s").convert(trad)
    for text in (simplified, trad):
        meta = extract_metadata(text)
        assert (meta.jurisdiction, meta.level, meta.parent) == ("郑州市", "prefecture", "河南省")
        assert (meta.period_start, meta.period_end, meta.delivered) == (2023, 2023, dt.date(2024, 2, 3))
        assert meta.title == "郑州市人民代表大会常务委员会工作报告"
    assert any("繁体" in w for w in extract_metadata(trad).warnings)


def test_full_width_digits_and_punctuation():
    text = (
        "新郑市人民代表大会常务委员会工作报告\n——２０２４年１月１６日在新郑市第十七届人民代表大会第四次会议上\n"
        "各位代表：\n２０２３年，市人大常委会……"
    )
    meta = extract_metadata(text)
    assert (meta.jurisdiction, meta.parent, meta.level) == ("新郑市", "郑州市", "county")
    assert meta.delivered == dt.date(2024, 1, 16)
    assert (meta.period_start, meta.period_end) == (2023, 2023)


# -- rules, one at a time --------------------------------------------------------------------


def test_generic_title_takes_place_from_the_dateline():
    meta = extract_metadata(
        "市人大常委会工作报告\n——2024年2月1日在鹤壁市第十二届人民代表大会第二次会议上\n各位代表："
    )
    assert meta.jurisdiction == "鹤壁市"


@pytest.mark.parametrize(
    "text, jurisdiction",
    [
        # a district report names its city and province: still the district's
        (
            "区人大常委会工作报告\n1月6日，在中原区第十七届人民代表大会第三次会议上，区人大常委会主任向大会报告工作。\n"
            "2023年，区人大常委会在郑州市人大常委会和河南省人大常委会指导下，全区……",
            "中原区",
        ),
        # a city report names its province, the national committee and 郑州都市圈
        (
            "郑州市人民代表大会常务委员会工作报告\n各位代表：\n一年来，在全国人大常委会和河南省人大常委会指导下，"
            "紧扣郑州都市圈建设，会同开封、许昌市人大常委会开展协同立法……",
            "郑州市",
        ),
        # a summary that never names its own committee, but visits another city's
        (
            "奋楫扬帆新征程\n——2023年市人大常委会工作综述\n本报记者 马飞\n一年来，市人大常委会……"
            "推进中国式现代化建设鹤壁实践。审议通过《鹤壁市卫河保护条例》。我市……"
            "先后赴许昌市人大常委会学习考察。打造新时代鹤壁样板，鹤壁市……",
            "鹤壁市",
        ),
    ],
    ids=["district-names-its-city", "city-names-province-and-nation", "summary-visits-another-city"],
)
def test_places_mentioned_in_passing_do_not_win(text, jurisdiction):
    assert extract_metadata(text).jurisdiction == jurisdiction


# A compilation page opens with its table of contents: other provinces' report titles with page
# numbers or leaders. Those are other documents, never the author (北京 2020,
# http://xjzclk.com.cn/index/article/detail/detail_id/6119.html; 北京 2023,
# https://360docx.cn/f/2859413a5cdb444d.html — both were read as 天津 and 广西).
_TOC_BEIJING_2020 = """2020年全国各省市人大常委会工作报告

天津市人民代表大会常务委员会工作报告19

重庆市人民代表大会常务委员会工作报告36

山西省人民代表大会常务委员会工作报告53

——2020年1月14日在第十五届人民代表大会第三次会议上

北京市人大常委会主任李伟

各位代表:

我受北京市第十五届人民代表大会常务委员会委托,向大会报告工作,请予审议。

过去一年的主要工作

2019年是首都北京全面建成小康社会的关键一年。市人大常委会在中共北京市委领导下,认真执行市十五届人大二次会议各项决议。一年来,共召开常委会会议7次。"""

_TOC_BEIJING_2023 = """目录
28.广西壮族自治区人民代表大会常务委员会工作报告-----
29.新疆维吾尔自治区人民代表大会常务委员会工作报告-----
——2023年1月17日在北京市第十六届人民代表大会第一次会议上
北京市人大常委会主任 李伟
各位代表:
我受北京市第十五届人民代表大会常务委员会委托,向大会报告工作,请予审议。
过去五年工作回顾
五年来,常委会召开会议47次、安排议题463项;制定法规37件。"""


@pytest.mark.parametrize("text", [_TOC_BEIJING_2020, _TOC_BEIJING_2023], ids=["page-numbers", "leaders"])
def test_a_compilations_table_of_contents_names_other_committees(text):
    meta = extract_metadata(text)
    assert meta.jurisdiction == "北京市"
    assert meta.title is None or "天津" not in meta.title and "广西" not in meta.title


def test_a_count_after_a_committees_report_is_not_a_contents_entry():
    # 工作报告 followed by a count (听取…工作报告20项) is a sentence, not a page number
    cues = load_cues()
    assert cues.toc_entry_after.match("工作报告19重庆市")
    assert cues.toc_entry_after.match("工作报告-----")
    assert not cues.toc_entry_after.match("工作报告20项")
    assert not cues.toc_entry_after.match("工作报告2次")


def test_division_upgraded_since_resolves_to_its_current_entry():
    # 宁乡县 became the county-level city 宁乡市 in 2017: the dated division table knows both
    meta = extract_metadata(
        "宁乡市人民代表大会常务委员会工作报告\n——2024年1月10日在宁乡市第十八届人民代表大会第四次会议上\n各位代表："
    )
    assert (meta.jurisdiction, meta.level, meta.parent, meta.province, meta.code) == (
        "宁乡市", "county", "长沙市", "湖南省", "430182000000",
    )  # fmt: skip


def test_a_past_name_resolves_to_its_historical_entry():
    meta = extract_metadata(
        "宁乡县人民代表大会常务委员会工作报告\n——2010年1月12日在宁乡县第十五届人民代表大会第五次会议上\n各位代表："
    )
    assert (meta.jurisdiction, meta.level, meta.parent, meta.code) == (
        "宁乡县",
        "county",
        "长沙市",
        "430124000000",
    )
    assert (meta.period_start, meta.period_end) == (2009, 2009)


def test_a_name_outside_the_division_table_is_never_the_author():
    # no such district: the jurisdiction is never a string assembled from the title; the report waits
    meta = extract_metadata("深圳市前海区人民代表大会常务委员会工作报告\n各位代表：\n2023年，区人大常委会……")
    assert meta.jurisdiction is None
    assert "jurisdiction" in meta.pending and meta.status == "pending"


@pytest.mark.parametrize("title", ["全区人大常委会工作要点", "市区人大常委会工作报告"])
def test_generic_words_are_not_division_names(title):
    assert extract_metadata(title).jurisdiction is None


def test_unknown_place_gives_a_warning():
    meta = extract_metadata("人大常委会工作情况\n一年来，常委会依法履职。")
    assert meta.jurisdiction is None and meta.level is None
    assert any("未找到所属地区" in w for w in meta.warnings)


@pytest.mark.parametrize(
    "dateline, date",
    [
        ("——2024年2月3日在郑州市第十六届人民代表大会第二次会议上", dt.date(2024, 2, 3)),
        ("(2024年1月10日在郑州市第十六届人民代表大会第二次会议上)", dt.date(2024, 1, 10)),
        ("——二〇二四年一月十日在郑州市第十六届人民代表大会第二次会议上", dt.date(2024, 1, 10)),
        ("——2024年1月10日上午在郑州市十六届人大二次会议上", dt.date(2024, 1, 10)),
    ],
)
def test_datelines(dateline, date):
    text = f"郑州市人民代表大会常务委员会工作报告\n{dateline}\n各位代表：\n2023年的主要工作\n"
    assert extract_metadata(text).delivered == date


def test_publication_stamps_and_photo_captions_are_not_deliveries():
    text = (
        "郑州市人民代表大会常务委员会工作报告\n2024-02-08 08:42:26 来源:郑州日报\n"
        "2023年5月8日，市人大常委会举行人大代表助力创建全国文明城市志愿服务活动启动仪式。\n"
        "各位代表：\n2023年的主要工作\n"
    )
    assert extract_metadata(text).delivered is None


def test_government_report_date_is_not_the_committees():
    text = (
        "鹤壁市人大常委会工作综述\n1月5日上午，鹤壁市第十二届人民代表大会第二次会议开幕，市长向大会作政府工作报告。\n"
        "2023年，市人大常委会……"
    )
    assert extract_metadata(text).delivered is None


@pytest.mark.parametrize(
    "header",
    [
        "——在温州市第十四届人民代表大会第二次会议上\n(2024年1月10日)",
        "——在温州市第十四届人民代表大会第二次会议上\n（２０２４年１月１０日）",
        "——在温州市第十四届人民代表大会第二次会议上\n温州市人大常委会主任 某某\n2024年1月10日",
        "(2024年1月10日)\n——在温州市第十四届人民代表大会第二次会议上",
        "——在温州市第十四届人民代表大会第二次会议上(2024年1月10日)",
        "——在温州市第十四届人民代表大会第二次会议上\n（二〇二四年一月十日）",
    ],
    ids=["after", "full-width", "after-speaker", "before", "same-line", "chinese-numerals"],
)
def test_dateline_split_over_lines(header):
    text = f"温州市人大常委会工作报告\n{header}\n一年来,常委会召开会议10次。"
    for as_given in (text, normalize(text).text):
        meta = extract_metadata(as_given)
        assert meta.delivered == dt.date(2024, 1, 10)
        assert (meta.report_type, meta.period_start, meta.period_end) == ("annual_report", 2023, 2023)


def test_session_line_without_a_date_marks_a_delivered_report():
    text = (
        "湖州市人民代表大会常务委员会工作报告\n——在湖州市第九届人民代表大会第一次会议上\n"
        "八届人大常委会任期内,常委会共召开常委会会议50次。2021年,常委会……\n2022年,常委会将……"
    )
    meta = extract_metadata(text)
    assert meta.delivered is None
    # the first session of a new congress: the outgoing committee reviews its term
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2017, 2021)
    assert any("未写日期" in w for w in meta.warnings)


def test_dateline_with_month_only_dates_the_session_not_the_delivery():
    text = (
        "深圳市人大常委会工作报告\n——2026年2月在深圳市第七届人民代表大会第七次会议上\n"
        "过去一年的主要工作\n一年来,全年共召开市人大常委会会议7次。"
    )
    meta = extract_metadata(text)
    assert meta.delivered is None
    assert (meta.report_type, meta.period_start, meta.period_end) == ("annual_report", 2025, 2025)


def test_dispatch_lines_and_stamps_are_not_the_delivery():
    text = (
        "新华社受权播发全国人大常委会工作报告\n2018年03月24日 13:26 来源:新华网\n"
        "新华社北京3月24日电 新华社受权于24日全文播发十二届全国人大常委会委员长受十二届全国人大常委会委托,"
        "向十三届全国人大一次会议所作的《全国人民代表大会常务委员会工作报告》。"
        "十三届全国人大一次会议3月20日表决通过了关于全国人大常委会工作报告的决议。\n"
        "报告共分三个部分:过去五年的主要工作;五年工作的主要体会;今后一年工作的建议。\n报告说,2018年是全面贯彻落实党的十九大精神的开局之年。"
    )
    meta = extract_metadata(text)
    assert meta.delivered is None
    # delivered at a first session, published in 2018: the term 2013–2017
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2013, 2017)


def test_session_referred_back_to_is_not_the_delivery_session():
    text = (
        "人大常委会工作报告\n各位代表:\n我受某某市第五届人民代表大会常务委员会的委托,"
        "向大会报告市五届人大一次会议以来的工作,请予审议。\n"
        "过去的一年,是新一届常委会开展工作的第一年。一年来,常委会回顾五年来的经验,依法履职。"
    )
    # 一次会议以来 looks back to the first session: this is not delivered at one
    assert extract_metadata(text).report_type == "annual_report"


def test_delivery_told_sentences_after_the_date():
    text = (
        "1月10日上午,凉山彝族自治州第十二届人民代表大会第一次会议举行第二次全体会议。\n"
        "大会应到代表404人,实到395人,符合法定人数。\n"
        "受州十一届人大常委会委托,州人大常委会主任某某作州人大常委会工作报告。\n"
        "某某说,过去五年,常委会……五年来……\n2022年,州人大常委会将……"
    )
    meta = extract_metadata(text)
    assert (meta.jurisdiction, meta.delivered) == ("凉山彝族自治州", dt.date(2022, 1, 10))
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2017, 2021)


def test_delivery_of_another_day_is_not_taken_for_the_date():
    text = (
        "1月5日上午,丽水市第五届人民代表大会第四次会议开幕,市长向大会作政府工作报告。"
        "1月7日上午,市五届人大四次会议举行第二次全体会议。受市人大常委会委托,市人大常委会主任某某向大会作工作报告。\n"
        "2023年,市人大常委会……"
    )
    assert extract_metadata(text).delivered == dt.date(2024, 1, 7)


def test_reported_speech_year_dates_a_news_write_up():
    text = (
        "1月20日上午,富阳区第十五届人民代表大会第五次会议举行第二次全体会议。区人大常委会主任某某作区人大常委会工作报告。\n"
        "在回顾过去一年的工作时,某某说,2015年,区人大常委会全年共召开常委会会议10次。"
    )
    meta = extract_metadata(normalize(text).text)
    assert (meta.jurisdiction, meta.delivered) == ("富阳区", dt.date(2016, 1, 20))
    assert (meta.period_start, meta.period_end, meta.report_type) == (2015, 2015, "report_excerpt")


def test_goal_year_after_reported_speech_is_not_a_past_year():
    text = (
        "中原区人大常委会工作报告出炉\n2月2日,在中原区第十六届人民代表大会第六次会议上,"
        "中原区人大常委会主任受区人大常委会委托,向大会报告工作。\n"
        "2020年,区人大常委会全年做出决议决定11项。总书记强调,2035年基本实现社会主义现代化。"
    )
    assert extract_metadata(text).delivered == dt.date(2021, 2, 2)


def test_government_report_narrative_does_not_make_an_excerpt():
    text = (
        "1月8日上午,丽水市第五届人民代表大会第四次会议开幕,市长向大会作政府工作报告。\n2023年,市人大常委会……"
    )
    meta = extract_metadata(text)
    assert meta.delivered is None and meta.report_type == "news_summary"


@pytest.mark.parametrize(
    "stamp, period",
    [
        ("2023-03-03 10:23:07", 2022),
        ("发布日期:2023-12-26", 2023),
        ("2023年3月3日 10:23 来源:衢州日报", 2022),
    ],
)
def test_publication_stamp_dates_a_delivered_report_with_no_other_date(stamp, period):
    text = f"{stamp}\n衢州市人大常委会主任 某某\n各位代表:\n过去一年的主要工作\n一年来,召开常委会会议10次。"
    meta = extract_metadata(text)
    assert (meta.period_start, meta.period_end, meta.delivered) == (period, period, None)
    assert any("发布日期" in w for w in meta.warnings)


# http://www.xuhuinews.com/news.php?id=10426 (徐汇区 2025): the page starts at the speaker line
XUHUI_OPENING = (
    "上海市徐汇区人大常委会主任 李新华\n2024年的主要工作\n一年来,区人大常委会共召集人民代表大会会议2次,"
    "召开常委会全体会议8次, 主任会议18次,听取和审议专项工作报告36项。"
)


@pytest.mark.parametrize(
    "text",
    [
        XUHUI_OPENING,
        # the heading of the past-work part alone
        XUHUI_OPENING.split("\n", 1)[1],
    ],
)
def test_untitled_opening_with_the_reports_own_frame_is_an_annual_report(text):
    meta = extract_metadata(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("annual_report", 2024, 2024)


# https://szb.rmdbw.cn/content/202501/20/content_30419.html (山西 2025, 人民代表报): the page keeps only the
# bare heading 主要工作 above the committee's own account of its year.
SHANXI_OPENING = (
    "主要工作\n2024年是中华人民共和国成立75周年。在省委的坚强领导下,省人大常委会坚持以习近平新时代中国特色"
    "社会主义思想为指导,为奋力谱写中国式现代化山西篇章贡献了人大力量。\n"
    "一年来,常委会突出重点、注重实效、稳中求进推动各项工作,共审议法规草案31件,通过其中28件。"
)


def test_a_committees_own_account_under_a_bare_heading_is_no_news_summary():
    meta = extract_metadata(SHANXI_OPENING)
    assert meta.report_type in ("annual_report", "report_excerpt")
    assert (meta.period_start, meta.period_end) == (2024, 2024)


def test_a_bylined_write_up_with_a_speaker_line_is_not_the_report():
    text = "本报记者 某某\n上海市徐汇区人大常委会主任 李新华\n2024年,区人大常委会召开常委会全体会议8次。"
    assert extract_metadata(text).report_type != "annual_report"


def test_publication_stamp_does_not_date_a_news_summary_that_names_its_year():
    # a mid-year article: written in 2023 about 2023, not a report delivered in 2023
    text = (
        "2023-07-01 09:00\n某某市人大常委会工作回眸\n本报记者 某某\n"
        "2023年,鹤壁市人大常委会召开常委会会议5次。"
    )
    meta = extract_metadata(text)
    assert (meta.period_start, meta.period_end, meta.report_type) == (2023, 2023, "news_summary")


def test_yearless_past_heading_takes_the_year_of_its_first_sentence():
    text = (
        "郑州市人大常委会工作报告\n各位代表:\n一、过去一年的主要工作\n"
        "2022年是党的二十大召开之年。一年来,常委会……\n二、今年的主要任务\n2023年是开局之年。"
    )
    meta = extract_metadata(text)
    assert (meta.period_start, meta.period_end) == (2022, 2022)


@pytest.mark.parametrize(
    "body, period",
    [
        ("一、过去一年的主要工作\n一年来，……", (2023, 2023)),
        ("一、2023年工作回顾\n……\n二、2024年主要工作\n……", (2023, 2023)),
        ("一、2024年主要工作\n……", (2023, 2023)),  # a heading for the session year is a plan
        # the new committee at its second session cannot review a whole term, whatever it says
        ("一、过去五年的主要工作\n五年来，……", (2023, 2023)),
        ("本届以来，常委会……本届以来，共制定法规20件……", (2023, 2023)),
    ],
)
def test_periods_follow_the_delivery_year(body, period):
    text = (
        "郑州市人民代表大会常务委员会工作报告\n"
        f"——2024年1月10日在郑州市第十六届人民代表大会第二次会议上\n各位代表：\n{body}"
    )
    meta = extract_metadata(text)
    assert (meta.period_start, meta.period_end) == period


@pytest.mark.parametrize(
    "body",
    [
        "一、过去五年的主要工作\n五年来，……",
        "本届以来，常委会……本届以来，共制定法规20件……",
        "一、过去五年工作回顾\n2018年至2022年，常委会……",
    ],
)
def test_term_periods_follow_the_first_session_year(body):
    text = (
        "郑州市人民代表大会常务委员会工作报告\n"
        f"——2023年1月5日在郑州市第十六届人民代表大会第一次会议上\n各位代表：\n{body}"
    )
    meta = extract_metadata(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2018, 2022)


def test_plan_heading_phrase_does_not_make_a_term_review():
    text = (
        "郑州市人民代表大会常务委员会工作报告\n——2022年1月10日在郑州市第十五届人民代表大会第六次会议上\n各位代表：\n"
        "一、2021年主要工作\n一年来，常委会……全年……\n二、2022年主要任务\n（一）确保届内立法规划全面完成\n"
    )
    meta = extract_metadata(text)
    assert meta.report_type == "annual_report"
    assert (meta.period_start, meta.period_end) == (2021, 2021)


def test_first_session_report_with_a_term_phrase_is_a_term_review():
    text = (
        "郑州市人民代表大会常务委员会工作报告\n——2023年1月5日在郑州市第十六届人民代表大会第一次会议上\n各位代表：\n"
        "市十五届人大常委会任期内，常委会……一年来……\n"
    )
    meta = extract_metadata(text)
    assert meta.report_type == "term_review"
    assert (meta.period_start, meta.period_end) == (2018, 2022)


@pytest.mark.parametrize(
    "text, report_type",
    [
        (
            "市人大常委会工作报告(摘要)\n——2024年1月10日在鹤壁市第十二届人民代表大会第二次会议上\n",
            "report_excerpt",
        ),
        ("郑州市人大常委会工作报告摘编\n各位代表：\n", "report_excerpt"),
        ("人大工作巡礼\n——2023年鹤壁市人大常委会工作纪实\n", "news_summary"),
        ("鹤壁市人大常委会一年工作回眸\n本报记者 马飞\n一年来，市人大常委会……", "news_summary"),
        ("本报讯(记者 李四)近日，鹤壁市人大常委会召开会议……", "news_summary"),
        (
            "聚焦民生 依法履职\n本报记者 马飞\n"
            "1月5日，鹤壁市第十二届人民代表大会第二次会议举行第二次全体会议，"
            "市人大常委会主任受市人大常委会委托向大会作工作报告。",
            "report_excerpt",
        ),
        (
            "鹤壁市人民代表大会常务委员会工作报告\n各位代表：\n现在，我代表市人大常委会报告工作，请予审议。",
            "annual_report",
        ),
        ("近年来，新郑市人大常委会积极探索实践，以“五个强化”开启人大工作新模式。", "news_summary"),
    ],
)
def test_report_types(text, report_type):
    assert extract_metadata(text).report_type == report_type


# http://lysrd.henanrd.gov.cn/2008/05-04/119402.html (西工区 2008, session news): the government's report
# "号召各位代表在党的十七大精神指引下" — the deputies as an object, not addressed; the page is news.
XIGONG_NEWS = (
    "西工区第十二届人民代表大会第二次会议胜利闭幕\n"
    "瑞雪兆丰年,新春谋新篇。1月28日上午,在雄壮的国歌声中,为期4天的西工区第十二届人民代表大会第二次会议胜利闭幕。\n"
    "报告对建设文明和谐西工、加快建设学习型、效能型政府提出了新的要求,号召各位代表在党的十七大精神指引下,"
    "为实现西工区经济社会又好又快发展而努力奋斗。"
)


@pytest.mark.parametrize(
    "address",
    [
        "各位代表:\n我受区人大常委会委托,向大会报告工作。",  # 武昌区 2025 and most openings
        "各位代表、同志们:\n现在,我代表县人大常委会报告工作。",  # 琼中 2021
        "各位代表,一分耕耘,一分收获。",  # 郑州 seed
    ],
)
def test_the_deputies_addressed_mark_the_delivered_report(address):
    text = "某某区人民代表大会常务委员会工作报告\n" + address
    assert extract_metadata(text).report_type == "annual_report"


def test_a_write_ups_title_naming_the_years_work_looked_back_on_is_news():
    # http://news.tjbh.com/bhnews/system/2018/01/09/030314498.shtml (滨海新区 2018, 滨海时报): the title has
    # the year between the committee and 工作回眸, so no title was found and the body's own account made it
    # an excerpt
    text = (
        "您当前的位置 : 津滨网  >  滨海新闻  >  要闻\n\n"
        "牢记使命承重任 履职尽责显担当 ——滨海新区人大常委会2017年工作回眸\n\n"
        "稿源:滨海时报 编辑:白璐 2018-01-09 07:45\n\n"
        "  津滨网讯 2017年是滨海新区第三届人大常委会履职的开局之年,"
        "也是滨海新区站在新的历史起点砥砺前行的一年。"
        "2017年,区人大常委会分别就环境保护、学前教育等重点领域问题开展了三次专题询问。"
    )
    meta = extract_metadata(normalize(text).text)
    assert meta.report_type == "news_summary" and meta.title.endswith("2017年工作回眸")


def test_the_deputies_as_an_object_do_not_make_news_the_report():
    assert extract_metadata(XIGONG_NEWS).report_type in ("news_summary", "report_excerpt")


@pytest.mark.parametrize(
    "byline", ["记者 张三 通讯员 李四", "□本报记者 马飞", "本报讯(记者 李四)近日,", "郑州全媒体记者 袁帅"]
)
def test_bylines_are_found_with_or_without_spaces(byline):
    raw = f"代表履职进行时\n\n{byline}\n\n一年来,中原区人大常委会组织代表开展活动。"
    for text in (raw, normalize(raw).text):
        meta = extract_metadata(text)
        assert meta.report_type == "news_summary"
        assert not any("署名" in w for w in meta.warnings), (text, meta.warnings)


def test_undated_text_uses_years_named_for_past_work():
    text = "近年来，新郑市人大常委会积极探索。在2018年，先后对9个部门进行工作评议。2018年，组织代表活动13次。"
    meta = extract_metadata(text)
    assert (meta.period_start, meta.period_end, meta.delivered) == (2018, 2018, None)
    assert any("未注明日期" in w for w in meta.warnings)


def test_month_day_delivery_takes_the_year_of_the_plans():
    text = (
        "中原区人大常委会工作报告出炉\n记者 张三\n2月2日,在中原区第十六届人民代表大会第六次会议上,"
        "中原区人大常委会主任受区人大常委会委托,向大会报告工作。\n"
        "2020年是“十三五”收官之年。2021年是建党100周年。\n2020年,区人大常委会全年做出决议决定11项。\n"
        "2021年,区人大常委会将增强“四个意识”。"
    )
    meta = extract_metadata(text)
    assert meta.delivered == dt.date(2021, 2, 2)
    assert (meta.period_start, meta.period_end) == (2020, 2020)
    assert any("推断" in w for w in meta.warnings)


def test_deadline_years_do_not_move_the_session_year():
    text = (
        "郑州市人大常委会工作报告摘编\n1月5日上午，郑州市第十六届人民代表大会第二次会议举行全体会议，"
        "市人大常委会主任受市人大常委会委托向大会作工作报告。\n2023年，常委会……\n2035年远景目标……。"
        "2025年底前全面完成……。2024年，常委会将……"
    )
    assert extract_metadata(text).delivered == dt.date(2024, 1, 5)


_PIECES = list(
    "市区县省州旗人大常委会工作报告第十一二三〇届人民代表大会次会议上年月日在—-,。\n 2031郑州中原鼓楼全国"
)
_PIECES += [
    "综述",
    "摘编",
    "记者",
    "过去五年",
    "本届以来",
    "各位代表",
    "将",
    "是",
    "受委托",
    "向大会报告工作",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=80).map("".join))
def test_any_text_gives_well_formed_metadata(text):
    meta = extract_metadata(text)
    assert meta.report_type in {"annual_report", "report_excerpt", "news_summary", "term_review"}
    assert meta.level in {None, "national", "provincial", "prefecture", "county"}
    assert (meta.period_start is None) == (meta.period_end is None)
    if meta.period_start is not None:
        assert meta.period_start <= meta.period_end


# -- the vocabulary file ------------------------------------------------------------------


def test_cues_file_loads_and_is_complete():
    cues = load_cues()
    assert "人大常委会" in cues.committee.pattern
    assert cues.term_years == 5 and 1 <= cues.late_session_month <= 12
    assert set(cues.term_heading_phrases) <= set(cues.term_phrases)
    assert {"inner", "ordinal"} <= set(cues.session.groupindex)
    for p in cues.past_year_headings:
        assert "year" in p.groupindex
    assert "year" in cues.past_heading_year.groupindex
    assert cues.publication_stamps and all(
        {"y", "m", "d"} <= set(p.groupindex) for p in cues.publication_stamps
    )
    assert cues.date_line_distance >= 1 and cues.delivery_window >= 1


def test_cues_file_patterns_need_their_groups(tmp_path):
    text = CUES_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "cues.yaml"
    bad.write_text(text.replace("(?P<d>", "(?P<day>"), encoding="utf-8")
    with pytest.raises(MetadataCuesError, match="publication_stamp_patterns"):
        load_cues.__wrapped__(bad)


def test_broken_cues_file_fails_loudly(tmp_path):
    bad = tmp_path / "cues.yaml"
    bad.write_text("committee_phrases: []\n", encoding="utf-8")
    with pytest.raises(MetadataCuesError, match="committee_phrases"):
        load_cues.__wrapped__(bad)


# -- one normalization, the pipeline's parts ---------------------------------------------------

PLANS_WITHOUT_YEAR = (
    "某县人民代表大会常务委员会工作报告\n各位代表：\n一年来，县人大常委会依法履职，审议议题多项。\n"
    "今后一年的主要任务\n2025年是本届县人大常委会履职的关键一年。\n"
)


def test_metadata_reads_the_plans_part_the_pipeline_found():
    """A "YYYY年是…" sentence under a yearless plans heading names the coming year, because the parts the
    pipeline found say it stands in the plans; without those parts it would read as the reviewed year."""
    norm = normalize(PLANS_WITHOUT_YEAR)
    parts = find_sections(norm.text, None, None)
    assert [p.kind for p in parts] == ["past_work", "plans"]
    assert extract_metadata(norm, "x.txt", parts).period_end == 2024
    assert extract_metadata(norm, "x.txt", []).period_end == 2025  # the parts are really what is read
    assert extract_metadata(PLANS_WITHOUT_YEAR).period_end == 2024  # a string: normalized and split here


def test_views_map_back_to_the_normalized_text():
    norm = normalize("——某县 人大 常委会 工作报告\n  今后一年 的主要任务\n正文")
    view = _prepare(norm, [])
    assert view.lines == ("某县人大常委会工作报告", "今后一年的主要任务", "正文")
    assert view.subtitles == {0}
    start = norm.text.index("今后")
    a, b = view.dense_span(start, len(norm.text))
    assert view.dense[a:b] == "今后一年的主要任务\n正文"
    assert all(norm.text[view.to_norm[i]] == ch for i, ch in enumerate(view.dense))


# http://epaper.cqjjnet.com/PC/jjrb/202302/10/content_22494.html (江津区 2023, 江津日报 page 4): the report's
# text continued from page 1, titled as the report, with no 各位代表, byline or session narrative.
_JIANGJIN_PAGE = (
    "重庆市江津区人民代表大会常务委员会工作报告\n\n"
    "版次:04    作者:2023年02月10日\n\n"
    "(上接第一版)“一府两院”和各镇人大组织宪法宣誓70人次。\n\n"
    "三、坚持正确监督有效监督依法监督,着力推动经济社会高质量发展\n\n"
    "加强高质量发展监督。围绕打造消费品工业高质量发展示范区,听取和审议了区政府关于消费品工业发展情况报告,"
    "对区政府8个职能部门开展询问,并进行了满意度测评,结果均为满意。"
)


def test_a_page_titled_as_the_committees_report_is_the_report_not_news():
    assert extract_metadata(normalize(_JIANGJIN_PAGE).text).report_type == "report_excerpt"


def test_a_page_titled_as_a_resolution_on_the_report_stays_news():
    text = _JIANGJIN_PAGE.replace(
        "重庆市江津区人民代表大会常务委员会工作报告", "关于重庆市江津区人民代表大会常务委员会工作报告的决议"
    )
    assert extract_metadata(normalize(text).text).report_type == "news_summary"


def test_a_newspaper_pages_issue_line_is_its_stamp():
    # the issue date after 版次 is the page's own: the session of 2023 reviewed 2022 (was undated: the date
    # was read as an event of 2023)
    meta = extract_metadata(normalize(_JIANGJIN_PAGE).text)
    assert (meta.period_start, meta.period_end) == (2022, 2022)
