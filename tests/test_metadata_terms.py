"""Term reviews: which reports review a whole term, how many years the term spans, and page stamps that
date a report with no other year. Real openings (source URL beside each) and made-up ones in their shape."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.metadata import extract_metadata, load_cues
from etl.metadata.delivery import publication_stamp
from etl.metadata.kind import term_length
from etl.metadata.text import _prepare
from etl.read.normalize import normalize

# http://www.blzq.gov.cn/ztzl/blzqygdzt/2018blzqlh/201802/t20180228_1926007.html (巴林左旗, 2018): the new
# committee's first report, delivered at the second session, looking back on the months since the election.
BALINZUOQI = (
    "——2018年2月27日在巴林左旗第十七届人民代表大会第二次会议上\n"
    "人大常委会主任 赵国新\n各位代表:\n"
    "现在,我代表旗人大常委会向大会报告旗十七届人大一次会议以来的工作,请予审议。\n"
    "一、换届以来工作简要回顾\n"
    "旗人大常委会坚持以党的十九大精神为指导,在旗委的正确领导下,认真履行宪法和法律赋予的各项职责。"
    "共召开主任会议3次,常委会会议3次。\n"
    "换届以来,新一届常委会组成人员积极工作,认真履行法定职责,各项工作开局良好。\n"
    "二、2018年工作安排\n"
)

# https://shijiazhuang.baogaosu.com/xinwen/…/56879219 (石家庄, 2017, mirrored from 石家庄新闻网): a term
# cut to four years to join the 2016–17 round; the only year is the mirror's day-first page stamp.
SHIJIAZHUANG = (
    "石家庄市人民代表大会常务委员会工作报告\n\n27.04.2017  09:13\n\n(来源:石家庄新闻网)\n\n各位代表:\n\n"
    "我受石家庄市第十三届人民代表大会常务委员会委托,向大会报告工作,请予审议,并请列席会议的同志提出意见。\n\n"
    "市十三届人大常委会任期的四年,是我市转型升级、跨越赶超、各项事业取得重大进展的四年,"
    "也是我市社会主义民主法治建设取得显著成效的四年。四年来,市人大常委会在中共石家庄市委的领导下,"
    "认真履行宪法和法律赋予的职责。\n\n"
    "一、扎实推进地方立法,着力优化改革发展法制环境\n\n"
    "四年来,制定和修订地方性法规11部,废止5部,规范性文件备案审查185件。\n"
)


def meta_of(text: str):
    return extract_metadata(normalize(text).text)


# -- 换届以来 and the session a report is delivered at ----------------------------------------------


def test_the_new_committees_first_report_is_not_a_term_review():
    meta = meta_of(BALINZUOQI)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("annual_report", 2017, 2017)
    assert meta.delivered == dt.date(2018, 2, 27)


def test_since_the_election_is_not_a_term_phrase():
    # without its dateline the text names no session: 换届以来 alone must not make it a term review
    body = BALINZUOQI.split("\n", 1)[1]
    assert meta_of(body).report_type != "term_review"


@pytest.mark.parametrize("session", ["第二次", "第三次", "第五次"])
def test_a_report_at_a_later_session_is_never_a_term_review(session):
    text = (
        "某市人民代表大会常务委员会工作报告\n"
        f"——2019年1月10日在某市第十五届人民代表大会{session}会议上\n各位代表:\n"
        "本届以来,常委会坚持党的领导。本届以来,常委会共制定地方性法规8件。\n"
    )
    meta = meta_of(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("annual_report", 2018, 2018)


def test_a_first_session_still_hears_the_term_review():
    text = (
        "某市人民代表大会常务委员会工作报告\n"
        "——2022年1月10日在某市第十六届人民代表大会第一次会议上\n各位代表:\n"
        "本届以来,常委会坚持党的领导。本届以来,常委会共制定地方性法规8件。\n"
    )
    meta = meta_of(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2017, 2021)


# -- terms of four (or three) years ------------------------------------------------------------------


def test_a_four_year_term_review_dated_by_a_day_first_page_stamp():
    meta = meta_of(SHIJIAZHUANG)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2013, 2016)
    assert meta.delivered is None
    assert any("发布日期2017-04-27" in w for w in meta.warnings)


def test_a_four_year_term_review_with_a_dateline():
    head, body = SHIJIAZHUANG.split("各位代表:", 1)
    text = (
        "石家庄市人民代表大会常务委员会工作报告\n"
        "——2017年4月25日在石家庄市第十四届人民代表大会第一次会议上\n各位代表:" + body
    )
    meta = meta_of(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2013, 2016)


def test_a_four_year_review_heading_is_enough():
    # the heading as 澧县's 2016 report words it; the rest made up
    text = (
        "某县人民代表大会常务委员会工作报告\n"
        "——2016年12月20日在某县第十八届人民代表大会第一次会议上\n各位代表:\n"
        "一、过去4年工作回顾\n县人大常委会坚持党的领导,共召开常委会会议30次。\n"
    )
    meta = meta_of(text)
    # a December session: the years reviewed end with the session's own
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2013, 2016)


# http://jzrd.gov.cn/464/10804.html (荆州, 2017): an election put off by a year, a six-year term reviewed.
JINGZHOU = (
    "荆州市人民代表大会常务委员会工作报告\n\n日期:2017-01-22 来源:荆州市人大常委会办公室\n\n"
    "(2017年1月9日在荆州市第五届人民代表大会第一次会议上)\n\n荆州市人大常委会副主任 陈爱平\n\n各位代表:\n\n"
    "现在,我受市四届人大常委会委托,向大会报告工作,请予审议。\n\n六年工作回顾\n\n"
    "根据省人大常委会的决定,市四届人大换届推迟了一年。六年来,在市委的坚强领导下,市人大常委会认真贯彻落实"
    "党的十八大和十八届三中、四中、五中、六中全会精神。先后制定地方性法规2部,组织执法检查22次。\n"
)

# https://news.sohu.com/20070210/n248157423.shtml (哈尔滨, 2007): a four-year term, its heading worded
# 四年工作的回顾; the page's opening prints no year at all.
HARBIN = (
    "各位代表:\n我受市第十二届人民代表大会常务委员会的委托,向大会报告工作,请予审议。\n四年工作的回顾\n"
    "过去的四年,是哈尔滨市经济和社会事业快速发展、全面建设小康社会的四年,也是人大工作不断创新发展的四年。\n"
    "一、加强立法工作,提高立法质量\n"
    "常委会把加强立法工作、提高立法质量作为首要任务,共制定、修订地方性法规46部,废止了4部。\n"
)


def test_a_six_year_term_review():
    meta = meta_of(JINGZHOU)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2011, 2016)


def test_a_review_heading_with_de_is_a_term_heading():
    meta = meta_of(HARBIN)
    assert meta.report_type == "term_review"
    assert meta.period_start is None  # no year in the text: the report waits for an analyst


@pytest.mark.parametrize(
    "text, years",
    [
        (SHIJIAZHUANG, 4),
        ("过去五年,常委会……五年来,共制定法规20件。", 5),
        ("本届以来,常委会……", 5),  # nothing stated: the constitutional five
        ("县十届人大常委会任期的三年,……三年来,共召开常委会会议18次。", 3),
        (JINGZHOU, 6),
        (HARBIN, 4),
        # a five-year review that mentions three years of an epidemic once
        ("五年来,常委会……过去三年,抗击疫情……五年来,共审议法规案40件。", 5),
    ],
)
def test_term_length_follows_the_text(text, years):
    prepared = _prepare(normalize(text), [])
    assert term_length(prepared, 5, load_cues()) == years


def test_an_annual_report_speaking_of_four_years_once_stays_annual():
    text = (
        "某市人民代表大会常务委员会工作报告\n"
        "——2024年1月10日在某市第十六届人民代表大会第二次会议上\n各位代表:\n"
        "一、过去一年的主要工作\n一年来,常委会召开会议8次。条例实施四年来,成效明显。全年审议法规案5件。\n"
    )
    meta = meta_of(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("annual_report", 2023, 2023)


# -- day-first page stamps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, date",
    [
        ("27.04.2017  09:13", dt.date(2017, 4, 27)),
        ("03.02.2016 10:00", dt.date(2016, 2, 3)),  # day first, as the mirror writes it
        ("2017.04.27", dt.date(2017, 4, 27)),  # year first still reads as before
        ("1.2.2017.5", None),  # a version or a number run, not a date
        ("32.01.2017", None),
    ],
)
def test_day_first_page_stamps(line, date):
    prepared = _prepare(normalize(f"某市人大常委会工作报告\n{line}\n各位代表:"), [])
    assert publication_stamp(prepared, load_cues()) == date


def test_a_page_stamp_never_outranks_the_dateline():
    text = (
        "某市人民代表大会常务委员会工作报告\n27.04.2019  09:13\n"
        "——2017年1月10日在某市第十五届人民代表大会第三次会议上\n各位代表:\n一年来,常委会召开会议8次。\n"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end, meta.delivered) == (2016, 2016, dt.date(2017, 1, 10))
