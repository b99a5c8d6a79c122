"""Genre tests for the period resolver (etl/dating.py via extract_metadata): each kind of evidence, worded
unlike the gold sentences. Made-up openings in the shape of real reports; the few real excerpts carry their
source URL."""

from __future__ import annotations

import re

import pytest

from etl.metadata import dating, extract_metadata, load_cues
from etl.read.normalize import normalize


def meta_of(text: str):
    return extract_metadata(normalize(text).text)


@pytest.mark.parametrize(
    "body, term, number, year",
    [
        ("全国", 10, 3, 2005),
        ("全国", 13, 2, 2019),
        ("全国", 14, 4, 2026),
        ("河南省", 11, 1, 2008),
        ("海南省", 7, 2, 2024),  # founded in 1988: numbers its congresses apart from the rest
        ("重庆市", 6, 1, 2023),
        ("天津市", 18, 3, 2025),
    ],
)
def test_term_table_numbers_sessions(body, term, number, year):
    terms = dating.load_terms()
    assert terms.start(body, term) + number - 1 == year


# 山东 十三届 held extra sessions: its 五次 sat in 2021-02 (山东 2021, below), its 七次 in 2022-01
# (https://wap.265xx.com/w411/92691.html: "2022年1月25日在山东省第十三届人民代表大会第七次会议上").
@pytest.mark.parametrize(
    "body, term, number, year",
    [("山东省", 13, 5, 2021), ("山东省", 13, 7, 2022), ("山东省", 13, 2, 2019), ("河南省", 13, 5, 2022)],
)
def test_a_listed_extra_session_moves_only_the_sessions_it_names(body, term, number, year):
    assert dating.load_terms().session_year(body, term, number) == year


def test_a_local_congress_is_never_numbered_by_assumption():
    assert dating.load_terms().start("新乡市", 14) is None
    assert dating.load_terms().start("新乡市", 14, {("新乡市", 14): 2022}) == 2022


@pytest.mark.parametrize(
    "text, period",
    [
        # only the session names the year
        (
            "新华社北京3月6日电 十二届全国人大三次会议今天举行全体会议，张某作全国人大常委会工作报告。"
            "过去一年，常委会审议法律草案20件。",
            (2014, 2014),
        ),
        (
            "在第十三届全国人民代表大会第四次会议上，委员长作常委会工作报告。一年来，常委会依法履职。",
            (2020, 2020),
        ),
        # the reviewed year said outright
        (
            "某市人大常委会工作报告解读\n回顾2021年 亮点纷呈\n全年召开常委会会议9次。\n"
            "展望2022年 奋楫笃行\n常委会将……",
            (2021, 2021),
        ),
        # 'YYYY年是…' opening the review names the reviewed year
        (
            "过去一年的主要工作\n2016年是“十三五”开局之年。一年来，县人大常委会在县委领导下依法履职。",
            (2016, 2016),
        ),
        # reported speech
        ("记者 某某\n委员长说，2012年常委会共审议法律草案15件，通过其中10件。", (2012, 2012)),
        # a Chinese-numeral dateline
        (
            "某省人民代表大会常务委员会工作报告\n——二〇一九年一月十五日在某省第十三届人民代表大会第二次会议上\n各位代表：",
            (2018, 2018),
        ),
    ],
)
def test_period_from_the_evidence_the_text_gives(text, period):
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == period, meta.warnings


def test_a_year_in_an_aside_is_not_the_period():
    text = (
        "新华社北京3月9日电 十一届全国人大二次会议9日举行第二次全体会议，委员长作常委会工作报告。"
        "他回顾说，1982年通过了现行宪法。过去一年，常委会审议法律草案12件。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2008, 2008)


def test_a_coming_year_in_the_plans_part_is_not_the_reviewed_year():
    text = (
        "某县人民代表大会常务委员会工作报告\n——2021年1月8日在某县第十七届人民代表大会第五次会议上\n各位代表：\n"
        "一、过去一年的主要工作\n一年来，县人大常委会召开常委会会议8次。\n二、今年的主要任务\n"
        "2021年是“十四五”开局之年，常委会将紧扣全县中心工作。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2020, 2020)


def test_a_page_stamp_dates_a_yearless_write_up():
    text = (
        "某市人大常委会工作报告获通过\n2025-01-19 10:02:11 来源：某日报\n"
        "1月18日，市十五届人大三次会议举行第二次全体会议，市人大常委会主任向大会作工作报告。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2024, 2024)
    assert meta.delivered is not None and meta.delivered.isoformat() == "2025-01-18"


def test_the_first_session_of_a_new_congress_hears_a_term_review():
    text = (
        "3月5日下午，第十二届全国人民代表大会第一次会议举行第二次全体会议，听取全国人大常委会工作报告。"
        "共办理代表议案2000件。"
    )
    meta = meta_of(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2008, 2012)


def test_the_reviewing_committees_term_dates_a_term_review():
    text = (
        "各位代表：我受第十一届全国人大常委会委托，向大会报告五年来的主要工作，请予审议。"
        "五年来，共审议法律草案100件。"
    )
    meta = meta_of(text)
    assert (meta.report_type, meta.period_start, meta.period_end) == ("term_review", 2008, 2012)


def test_no_evidence_leaves_the_period_pending():
    meta = meta_of("县人大常委会坚持党的领导，认真履行法定职责，召开常委会会议6次。")
    assert meta.period_start is None and "period" in meta.pending and meta.status == "pending"
    assert any("待确认" in w for w in meta.warnings)


def test_conflicting_evidence_is_reported_not_silently_resolved():
    text = (
        "新华社北京3月9日电 十三届全国人大三次会议今天举行全体会议，委员长作常委会工作报告。\n"
        "2016年常委会审议法律草案20件。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2019, 2019)
    assert meta.evidence["period"]["conflicts"] or any("矛盾" in w for w in meta.warnings)
    assert meta.evidence["period"]["confidence"] < 1.0


# 孝昌县 2019, a news write-up of a report delivered in December of the year it reviews
# (http://xiaochang.cjyun.org/p/63743.html): the year told second is the coming one.
XIAOCHANG_2019 = (
    "孝昌县六届人大四次会议第二次全体会议召开\n"
    "12月27日上午,县六届人大四次会议第二次全体会议召开。\n"
    "县人大常委会主任王超群向大会作人大常委会工作报告。王超群说,2019年是中华人民共和国成立70周年,"
    "是地方人大设立常委会40周年,也是孝昌决胜脱贫摘帽之年。全年共召开常委会会议7次。\n"
    "王超群指出,2020年是全面建成小康社会和“十三五”规划收官之年。"
)


def test_a_year_told_after_the_year_before_it_is_the_coming_year():
    meta = meta_of(XIAOCHANG_2019)
    assert (meta.period_start, meta.period_end) == (2019, 2019)


def test_a_background_year_before_the_reviewed_one_does_not_make_it_the_coming_year():
    """Text order alone never turns a year into the coming one: a report without a dateline that names
    the year before its own first (2018年是改革开放40周年) still reviews 2019 (constructed in the genre's
    wording).  The December news item above is dated by its session (delivery.py), not by this."""
    text = (
        "某某县人大常委会工作报告\n各位代表：\n现在，我代表县人大常委会向大会报告工作，请予审议。\n"
        "一、过去一年的主要工作\n2018年是改革开放40周年，常委会深入总结地方人大工作经验。"
        "2019年是新中国成立70周年，是全面建成小康社会关键之年。一年来，常委会共召开常委会会议8次。\n"
        "二、今年的主要任务\n2020年是全面建成小康社会和“十三五”规划收官之年。常委会将继续开展执法检查。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2019, 2019)


def test_a_december_session_plans_for_the_year_after_its_own():
    meta = meta_of(XIAOCHANG_2019)
    assert str(meta.delivered) == "2019-12-27"


def test_a_january_session_still_reviews_the_year_before_the_plans():
    text = (
        "1月10日上午,县十七届人大三次会议举行第二次全体会议。县人大常委会主任向大会作常委会工作报告。"
        "他说,2019年是新中国成立70周年。全年共召开常委会会议7次。\n他指出,2020年是决胜之年。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2019, 2019)
    assert str(meta.delivered) == "2020-01-10"


# 保定市 2021, a term review delivered at a summer session (http://bd.hebei.com.cn/system/2021/08/31/100754762.shtml):
# the term ran into the year of the session, so its span ends in 2021, not 2020.
BAODING_2021 = (
    "保定市第十五届人民代表大会常务委员会工作报告\n"
    "——2021年8月24日在保定市第十六届人民代表大会第一次会议上\n"
    "保定市人大常委会主任 李双喜\n"
    "本届以来的工作回顾\n"
    "保定市十五届人大一次会议以来,市人大常委会高举习近平新时代中国特色社会主义思想伟大旗帜,依法履职尽责。\n"
    "本届共召开常委会会议34次,制定地方性法规9部;开展执法检查45次;任免国家机关工作人员468人次。"
)


def test_a_term_review_delivered_mid_year_ends_in_its_own_year():
    meta = meta_of(BAODING_2021)
    assert meta.report_type == "term_review"
    assert meta.period_end == 2021
    assert meta.period_start in (2016, 2017)


def test_a_term_review_delivered_in_january_still_ends_the_year_before():
    meta = meta_of(BAODING_2021.replace("2021年8月24日", "2021年1月24日"))
    assert (meta.report_type, meta.period_end) == ("term_review", 2020)


def test_an_annual_report_delivered_mid_year_still_reviews_the_year_before():
    text = (
        "杭州市人民代表大会常务委员会工作报告\n——2021年6月3日在杭州市第十三届人民代表大会第六次会议上\n"
        "过去一年的主要工作\n一年来,共召开常委会会议8次。"
    )
    meta = meta_of(text)
    assert meta.period_end == 2020


# 云霄县 2017, news of a term review whose only year is the one the report plans for
# (http://annemusicshop.com/Article/details?infoid=987, a Traditional mirror): the facts of
# 五年来 were undated.
_YUNXIAO_2017 = (
    "云霄縣第十七屆人民代表大會第一次會議在人民會堂繼續舉行第二次全體會議,會議聽取審議《云霄縣第十六屆"
    "人民代表大會常務委員會工作報告》。\n"
    "會上,縣十六屆人大常委會主任鄭俊生代表縣十六屆人大常委會向大會作《云霄縣第十六屆人民代表大會常務委員會"
    "工作報告》,回顧了縣十六屆人大常務會5年來的主要工作,提出2017年的工作建議。\n"
    "鄭俊生同志說:五年來,縣人大常委會共召開42次會議,聽取和審議“一府兩院”58個專項工作報告。"
)


def test_a_write_up_that_names_only_the_planned_year_dates_the_term_before_it():
    meta = extract_metadata(normalize(_YUNXIAO_2017).text)
    assert (meta.period_start, meta.period_end) == (2012, 2016)


def test_the_planned_year_of_a_write_up_dates_an_annual_report():
    text = (
        "会上,县人大常委会主任向大会作常委会工作报告,回顾了过去一年的主要工作,提出2019年的工作安排。"
        "一年来,县人大常委会共召开常委会会议8次。"
    )
    meta = extract_metadata(text)
    assert (meta.period_start, meta.period_end) == (2018, 2018)


def test_a_year_whose_work_was_deployed_is_not_read_as_planned():
    # 部署2019年工作 may be told of the year under review: only 提出 + a plans noun counts
    cues = load_cues()
    vocab = dating.YearWords((), re.compile("(?!)"), ("将",), cues.plan_phrases)
    dense = "年初,常委会召开会议部署2019年工作。"
    assert not [c for c in dating.year_candidates(dense, (dense,), None, [], vocab) if c.session_year == 2019]
    dense = "报告回顾了过去一年的工作,提出2019年的工作建议。"
    assert [c.end for c in dating.year_candidates(dense, (dense,), None, [], vocab)] == [2018]


# 余杭区 2008 on a document-sharing site (https://gwyoo.com/article/zhongjibaogao/gzhb/200902/160649.html):
# the page's 时间:2022-02-12 is the upload date and the site masks the report's own years (20*年); read as a
# stamp it put 共举行9次常委会会议 under 2021.
_YUHANG_2008 = (
    "人大常委会工作报告\n\n时间:2022-02-12 11:55:00\n\n"
    "导语:人大常委会工作报告一文来源于网友上传,不代表本站观点,若需要原创文章可咨询客服老师,欢迎参考。\n\n"
    "人大常委会工作报告\n\n各位代表:\n\n"
    "我受杭州市余杭区人民代表大会常务委员会的委托,向大会报告区十三届人大一次会议以来的主要工作,请予审议。\n\n"
    "一年来,共举行9次常委会会议,审议了40多项议题,作出决议、决定4项,提出审议意见18项。"
)


def test_a_document_sites_upload_date_is_no_publication_stamp():
    meta = extract_metadata(normalize(_YUHANG_2008).text)
    assert meta.period_start is None and meta.period_end is None


def test_a_news_pages_stamp_still_dates_a_yearless_report():
    lines = [line for line in _YUHANG_2008.split("\n") if not line.startswith("导语")]
    meta = extract_metadata(normalize("\n".join(lines)).text)
    assert (meta.period_start, meta.period_end) == (2021, 2021)


# 新疆 2020 news (https://hts.gov.cn/xinxigongkai/show.php?itemid=4789): the year follows 据了解, and was not
# read as the reviewed year; the facts of 2019 were undated.
_XINJIANG_2020 = (
    "据了解,2019年自治区人大常委会共制定和修改自治区法规5件,做出法规性决议、决定5件,审查批准地方性法规22件,"
    "立法工作更加规范、更加完善、更有质量。\n"
    "此外,自治区人大常委会加强备案审查制度和能力建设。一年来,主动审查规范性文件41件。\n"
    "2020年,自治区人大常委会将制定自治区旅游促进条例、气候资源保护利用和开发条例等法规,修改自治区实施农村土地"
)


def test_a_year_after_a_news_lead_is_the_reviewed_year():
    meta = extract_metadata(normalize(_XINJIANG_2020).text)
    assert (meta.period_start, meta.period_end) == (2019, 2019)


# 河北 2023, a journalist's write-up of the term (https://heb.hebei.com.cn/system/2023/01/08/101085145.shtml):
# its subtitle names the committee and 五年工作综述; read as a yearly news item it was left undated.
_HEBEI_2023 = (
    "依法履职担使命 砥砺奋进新征程\n——省十三届人大常委会五年工作综述\n"
    "翻开五年履职记录,省十三届人大常委会交出一份优异工作答卷:\n"
    "出台省本级地方性法规83部,其中创制性法规56部,立法数量历届最多,立法质量显著提升;\n"
    "连续5年开展联动监督,组织执法检查51次,听取审议报告131项,人大监督更有力量;\n"
    "在省委正确领导下,省十三届人大常委会深入践行“河北发展、人大尽责”理念,认真履行职责。\n"
    "2022年10月22日,中国共产党第二十次全国代表大会在北京胜利闭幕。\n"
    "五年来,省十三届人大常委会牢牢把握坚持党的领导这一最高政治原则。"
)


def test_a_five_year_write_up_of_a_provincial_committee_is_its_term():
    meta = meta_of(_HEBEI_2023)
    assert meta.report_type == "term_review"
    assert (meta.period_start, meta.period_end) == (2018, 2022)


# 广东 2024 news (http://www.dutenews.com/p/7964347.html): no year printed, only the session whose tasks the
# year carried out (完成省十四届人大一次会议确定的目标任务 = 2023); the six counts were undated.
_GUANGDONG_2024 = (
    "1月24日上午,广东省人大常委会工作报告在部署今年工作时提出,今年预安排审议省级法规22件。\n"
    "报告展示了过去一年省人大常委会的履职“成绩单”:听取审议“一府两院”20个报告,检查8部法律法规实施情况;"
    "任免国家机关工作人员166人次,顺利完成省十四届人大一次会议确定的目标任务,实现本届履职良好开局。"
)


def test_the_own_provincial_session_referred_back_to_is_the_reviewed_year():
    meta = extract_metadata(normalize(_GUANGDONG_2024).text)
    assert (meta.period_start, meta.period_end) == (2023, 2023)


def test_a_local_session_referred_back_to_dates_nothing():
    text = "各位代表:\n一年来,市人大常委会召开常委会会议7次,圆满完成了市十五届人大三次会议确定的各项任务。"
    meta = extract_metadata(normalize(text).text)
    assert meta.period_start is None


# 山东 2021 on a forum mirror that deleted every digit of its years
# (http://bbs.shandongshengzx.com/archiver/showtopic-10908.aspx): only the session dates it, and counting
# one session a year put 十三届五次 in 2022, the six counts of 2020 under 2021.
_SHANDONG_2021 = (
    "山东省人民代表大会常务委员会工作报告\n——年2月4日在山东省第十三届人民代表大会第五次会议上\n"
    "-02-08来源:大众日报04版\n山东省人大常委会副主任于晓明\n各位代表:\n过去一年的主要工作\n"
    "年是全面建成小康社会和“十三五”规划的收官之年,也是极不平凡的一年。全年共召开常委会会议9次,"
    "修改法规19件,听取审议专项工作报告20项,开展执法检查6次、专题询问3次,作出决议决定4项。"
)


def test_a_session_an_extra_one_moved_dates_its_report():
    meta = meta_of(_SHANDONG_2021)
    assert (meta.period_start, meta.period_end) == (2020, 2020)


# -- five-year plans name a year ------------------------------------------------------------------

# 江西 2022 on a forum mirror that deleted every digit of its years
# (http://bbs.yichunzx.com/showtopic-17029.aspx): "实现“十四五”良好开局" is the only year it still tells.
_JIANGXI_2022 = (
    "省人大常委会副主任赵力平\n各位代表:\n受省人大常委会委托,我向大会报告工作,请予审议。\n过去一年的主要工作\n"
    "年是党和国家历史上具有里程碑意义的一年。我们党隆重庆祝建党周年,从容应对百年变局和世纪疫情,"
    "奋力完成改革发展艰巨任务,实现“十四五”良好开局;党中央首次召开人大工作会议,习近平总书记发表重要讲话。"
    "一年来,在中共江西省委领导下,省人大常委会全面依法履职尽责,共制定修改地方性法规29件,"
    "检查4部法律法规实施情况,作出决定决议12项。"
)
# 山东 2021 (the mirror above, _SHANDONG_2021), without its dateline and session: the plan's last year alone.
_SHANDONG_2021_BODY = (
    "过去一年的主要工作\n年是全面建成小康社会和“十三五”规划的收官之年,也是极不平凡的一年。"
    "一年来,常委会坚持以习近平新时代中国特色社会主义思想为指导,全年共召开常委会会议9次。"
)


@pytest.mark.parametrize(
    "plan, phase, year",
    [(11, "开局", 2006), (11, "收官", 2010), (12, "开局", 2011), (13, "开篇", 2016), (13, "收官", 2020),
     (14, "开局", 2021), (14, "收官", 2025), (15, "开局", 2026), (13, "谋篇", None)],
)  # fmt: skip
def test_a_five_year_plans_phase_names_its_year(plan, phase, year):
    assert load_cues().five_year_plans.year(plan, phase) == year


@pytest.mark.parametrize("text, period", [(_JIANGXI_2022, (2021, 2021)), (_SHANDONG_2021_BODY, (2020, 2020))])
def test_a_five_year_plans_year_dates_a_text_whose_years_were_deleted(text, period):
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == period
    assert "plan_year" in meta.evidence["period"]["source"]


def test_a_five_year_plans_year_in_the_plans_part_is_the_coming_year():
    # 中原区 2021 (seed 004), its plans sentence with the digits deleted as the mirrors above delete them
    text = (
        "过去一年的主要工作\n一年来,区人大常委会依法履职,全年召开常委会会议8次。\n今后一年的主要任务\n"
        "年是中国共产党建党周年,也是“十四五”规划开局之年。区人大常委会将树牢以人民为中心的发展思想。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2020, 2020)


def _plan_votes(text: str) -> list[dating.Candidate]:
    cues = load_cues()
    words = dating.YearWords((), re.compile("(?!)"), cues.plan_words, (), cues.five_year_plans)
    return dating.plan_year_candidates(normalize(text).text, [], words, cues.five_year_plans)


@pytest.mark.parametrize(
    "sentence",
    [
        # 甘孜州 2014 (http://kbcmw.com/html/xw/dzyw/12272.html): 明年 names a year relative to an unknown one
        "明年是全面推进依法治国的开局之年,是全面深化改革的关键之年,是“十二五”规划的收官之年。",
        # 天津 2007 (corpus-extra tianjin-2007): the sentence states its year; the year sentence votes
        "2006年,天津市人大常委会在市委的领导下,实现“十一五”规划的良好开局,依法履行职责。",
        # a purpose, not a fact: 为实现…开局奠定基础
        "常委会依法履职,为实现“十五五”良好开局奠定坚实基础。",
    ],
)
def test_a_plans_phrase_with_a_stated_or_relative_year_or_a_purpose_gives_no_vote(sentence):
    assert _plan_votes(sentence) == []


def test_a_five_year_plans_year_never_overrides_a_stated_year():
    # the 江西 sentence beside a year the text states (made-up): the stated year wins
    text = _JIANGXI_2022.replace("一年来,在中共江西省委领导下,", "2019年,在中共江西省委领导下,")
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2019, 2019)


def test_a_report_that_states_its_year_is_not_moved_by_a_plans_phrase():
    # 中原区 2021 (seed 004): both years stated, the plan phrases agree with them
    text = (
        "过去一年的主要工作\n2020年是“十三五”收官之年,也是中原区发展进程中极不平凡的一年。"
        "一年来,区人大常委会依法履职。\n今后一年的主要任务\n"
        "2021年是中国共产党建党100周年,也是“十四五”规划开局之年。区人大常委会将树牢以人民为中心的发展思想。"
    )
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == (2020, 2020)
    assert _plan_votes(text) == []


# 太原 2025, a 综述 on a big5 mirror (http://digpreneur.com/system/2025/02/22/030857624.shtml):
# 目标任务 inside what the year is said to be (实现…规划目标任务的关键之年) made it the coming year, the
# five counts of 2024 sat under 2023.
_TAIYUAN_2025 = (
    "修改地方性法规5件,听取和审议专项工作报告20项;作出决议决定3项……\n"
    "2024年是中华人民共和国成立75周年,是实现“十四五”规划目标任务的关键之年,也是全国人民代表大会成立70周年。"
    "这一年,市人大常委会坚持以习近平新时代中国特色社会主义思想为指导,依法履职尽责。"
)
# 舞阳县 2024 (http://m.computernetworkingdegrees.com/wuyangdongtai/zhengwuyaowen/20240228/89987.html):
# the same words, and then the plans: the coming year.
_WUYANG_2024 = (
    "王铁良指出,2023年是全面贯彻落实党的二十大精神开局之年。一年来,县人大常委会在县委正确领导下依法履职。\n"
    "王铁良指出,2024年是实现“十四五”规划目标任务的关键一年,县人大常委会2024年工作总体要求是:"
    "以习近平新时代中国特色社会主义思想为指导。"
)


@pytest.mark.parametrize("text, period", [(_TAIYUAN_2025, (2024, 2024)), (_WUYANG_2024, (2023, 2023))])
def test_a_plan_word_in_what_the_year_is_said_to_be_does_not_make_it_the_coming_year(text, period):
    meta = meta_of(text)
    assert (meta.period_start, meta.period_end) == period


def test_the_parts_a_report_is_divided_into_are_not_a_sentence_about_a_year():
    # 友谊县 2024 (https://www.hljyy.gov.cn/yy/15136/202401/c07_190327.shtml): "工作回顾," ends a part's name,
    # not reported speech; 2024年主要工作 is the plans part, never the year reviewed
    text = (
        "在热烈的掌声中,县长张成亮代表友谊县人民政府向大会作《政府工作报告》。\n"
        "报告分为2023年工作回顾,2024年主要工作和全面加强政府自身建设三部分。"
    )
    meta = meta_of(text)
    assert meta.period_end != 2024


# 新浪转新华网 2006-02-26 (http://news.sina.com.cn/o/2006-02-26/20228307176s.shtml): the page's topic link
# "相关专题:2006年全国两会" names the sessions' year; it once dated the draft report's 2005 counts 2006.
_NATIONAL_2006 = (
    "人大常委会分组审议工作报告稿 吴邦国参加 | |\n---|---|\n"
    "http://www.sina.com.cn 2006年02月26日20:22 新华网 | |\n"
    "新华网北京2月26日电(记者邹声文、田雨)十届全国人大常委会第二十次会议26日下午分组审议常委会工作报告稿。"
    "在谈到监督工作时,常委会组成人员表示,一年来,全国人大常委会按照围绕中心、以人为本、突出重点、讲求实效的思路,"
    "检查了6部法律的实施情况,听取了“一府两院”的10个专题工作报告,监督工作取得明显成效。"
    " 26日上午的分组会议还审议了农产品质量安全法草案。(完) 相关专题:2006年全国两会 |"
)


def test_a_topic_link_naming_the_sessions_is_not_a_reviewed_year():
    meta = extract_metadata(normalize(_NATIONAL_2006).text)
    assert (meta.period_start, meta.period_end) == (2005, 2005)
    assert not any(c.source == "past_sentence" for c in _year_votes(_NATIONAL_2006))


# 廊坊日报 2024-01-30 (http://www3.lf.gov.cn/Item/136756.aspx): "蒋洪江说,2024年,是…75周年,…70周年。
# 市人大常委会将坚持…" speaks of the coming year (the next sentence's subject will act); it outvoted
# "他说,2023年,在市委的坚强领导下,…" and dated the 2023 report 2024.
_LANGFANG_2024 = (
    "2024年01月30日 评论(0) 来源: 《廊坊日报》 作者: 记者 贾树敏\n"
    "\n"
    "1月29日下午,市八届人大六次会议举行第二次全体会议。\n"
    "\n"
    "大会执行主席李国勇、刘媛、蒋洪江、常彦明、马志永、薛宏、邵二玲、温九州、梁宝杰、王建民、陶俊强在主席台执行主席席就座。大会由主席团常务主席、执行主席薛宏主持。\n"
    "\n"
    "张海川、李波、熊厚、宋立功、张平、孙丽娜、侯晓平、韩世春、范维山、李桂强、齐德旺、薛振泽、张春燕、房欣、丁凌、赵静波、李清涛、马大壮、罗云鹤等在主席台就座。\n"
    "\n"
    "廊坊市第八届人民代表大会现有代表371名,实际到会代表341名,符合法定人数。\n"
    "\n"
    "市人大常委会主任蒋洪江受市八届人大常委会委托向大会作工作报告。他说,2023年,在市委的坚强领导下,市人大常委会坚持以习近平新时代中国特色社会主义思想为指导,认真落实党中央决策部署和省、市委工作要求,依法履职行权,主动担当作为,为推动廊坊在京津冀协同发展上走在全省前列作出了积极贡献。\n"
    "\n"
    "蒋洪江报告了一年来市八届人大常委会的主要工作。一、坚持党的全面领导,坚定正确政治方向。二、发挥立法引领作用,持续以良法促善治。三、紧盯重点领域监督,助力改革发展大局。四、尊重代表主体地位,支持代表依法履职。五、深入抓好自身建设,着力夯实履职基础。\n"
    "\n"
    "蒋洪江说,2024年,是中华人民共和国成立75周年,是人民代表大会制度确立70周年。市人大常委会将坚持以习近平新时代中国特色社会主义思想为指引,全面贯彻"
)


def test_a_year_whose_next_sentence_says_what_the_committee_will_do_is_the_coming_year():
    meta = extract_metadata(normalize(_LANGFANG_2024).text)
    assert (meta.period_start, meta.period_end) == (2023, 2023)


def test_a_year_followed_by_the_committees_past_work_stays_the_reviewed_year():
    # 太原 2025 (corpus-extra taiyuan-2025): "这一年,市人大常委会坚持…" after the 是…之年 sentence
    text = (
        "2024年是中华人民共和国成立75周年,是实现“十四五”规划目标任务的关键之年,也是全国人民代表大会成立70周年。"
        "这一年,市人大常委会坚持以习近平新时代中国特色社会主义思想为指导,依法履职尽责。"
    )
    votes = [c for c in _year_votes(text) if c.source == "year_is"]
    assert votes and all((c.start, c.end) == (2024, 2024) for c in votes)


def _year_votes(text: str) -> list[dating.Candidate]:
    cues = load_cues()
    words = dating.YearWords((), re.compile("(?!)"), cues.plan_words, cues.plan_phrases)
    dense = normalize(text).text
    return dating.year_candidates(dense, tuple(dense.split("\n")), None, [], words)


def test_looking_back_on_a_years_work_names_the_reviewed_year():
    # 拉萨 2017 write-up (https://0797bf.com/html/.wdjszzjs....zdgzfzjs201802t20180202_73237.html): its counts
    # open with "在过去的一年"; only "回首2017年工作," names the year (was undated)
    text = (
        "在过去的一年,拉萨市人大常委会审议修订地方性法规2件,组织开展执法检查3次,作出决议、决定7个。\n"
        "回首2017年工作,拉萨市人大常委会坚持党的领导、人民当家作主、依法治国有机统一,全面履行宪法法律赋予的职责。"
    )
    assert (meta_of(text).period_start, meta_of(text).period_end) == (2017, 2017)


# 鄂托克旗 2025 session news (http://www.etkrd.gov.cn/hyzt/rdh/202502/t20250208_3762697.html): the plans part
# opens with a heading run in before its text, "2025年的主要工作:2025年是…关键之年"; read as a past sentence
# it contested "李瑞敏说,2024年是…" and the report was undated.
_ETUOKE_2025 = (
    "受旗十八届人大常委会委托,李瑞敏在会上作鄂托克旗人民代表大会常务委员会工作报告。\n"
    "李瑞敏说,2024年是中华人民共和国成立75周年,人民代表大会制度建立70周年,也是深入实施“十四五”规划的攻坚之年。"
    "一年来,旗人大常委会坚持以习近平新时代中国特色社会主义思想为指导,圆满完成旗十八届人大三次会议确定的目标任务。\n"
    "李瑞敏从四个方面回顾了旗十八届人大常委会过去一年的工作:强化政治引领,在党的全面领导中把牢人大方向;"
    "优化自身建设,在忠诚担当尽责中展现人大形象。\n"
    "2025年的主要工作:2025年是深入贯彻落实党的二十届三中全会的关键之年,也是“十四五”规划收官冲刺、"
    "“十五五”规划谋篇布局的关键之年,旗人大常委会坚持以习近平新时代中国特色"
)


def test_a_run_in_plans_heading_names_the_coming_year():
    meta = extract_metadata(normalize(_ETUOKE_2025).text)
    assert (meta.period_start, meta.period_end) == (2024, 2024)
    votes = _year_votes(_ETUOKE_2025)
    assert any(c.source == "plan_heading" and (c.start, c.session_year) == (2024, 2025) for c in votes)
    assert not any(c.start == 2025 for c in votes)


@pytest.mark.parametrize(
    "text",
    [
        # 靖边县 2021 (corpus-extra jingbian-2021): the year's work named inside a sentence, not a heading
        "县人大常委会副主任王建华受靖边县人大常委会委托,向大会报告工作。"
        "王建华从四个方面回顾了2020年的主要工作:一、聚焦中心工作,依法决定重大事项;二、认真履行职责,依法开展有效监督。",
        # the year's work as the first thing the text says of a year: the year reviewed, not a plans heading
        "2020年的主要工作:一、聚焦中心工作,依法决定重大事项;二、认真履行职责,依法开展有效监督。",
    ],
)
def test_a_years_main_work_not_after_the_year_before_is_no_plans_heading(text):
    assert not any(c.source == "plan_heading" for c in _year_votes(text))


# 人民网甘肃频道 2025-01-12 (兰州 session news, Traditional): the page's stamp "2025年01月12日09:11" is the
# page's date, not an event of the year reviewed; it outvoted the stamp itself and left the text undated.
_LANZHOU_2025 = (
    "蘭州市第十七屆人民代表大會第五次會議隆重開幕\n\n劉超\n2025年01月12日09:11 |\n小字號\n\n"
    "1月11日上午,蘭州市第十七屆人民代表大會第五次會議在甘肅大劇院隆重開幕。\n\n"
    "本次會議應到代表331人,出席會議的代表296人,符合法定人數。\n\n"
    "隨后,在熱烈的掌聲中,市長劉建勛走上發言席,代表市政府向大會作政府工作報告。\n\n"
)


def test_the_pages_own_stamp_is_not_an_event_of_the_year_reviewed():
    meta = extract_metadata(normalize(_LANZHOU_2025).text)
    assert (meta.period_start, meta.period_end) == (2024, 2024)


@pytest.mark.parametrize(
    "sentence, period",
    [
        # 吉安县 2026, big5 mirror: http://m.west-technical-inc.com/news/12369f3c98fc48b841e61c82cc5ce7ea.html
        (
            "******人民政府向大會(huì)作政府工作報(bào)告。報(bào)告共分為2025年和“十四五”時(shí)期發(fā)展回顧、"
            "“十五五”發(fā)展的主要考量、2026年工作安排和加強(qiáng)政府自身建設(shè)四個(gè)部分。",
            (2025, 2025),
        ),
        # 人民网 兰州 2025
        ("報告共分為2024年工作回顧、2025年工作安排、加強政府自身建設三個部分。", (2024, 2024)),
        # 友谊县 2024 (corpus-extra youyi-2024)
        ("报告分为2023年工作回顾,2024年主要工作和全面加强政府自身建设三部分。", (2023, 2023)),
    ],
)
def test_a_reports_parts_listed_name_the_session_year_after_the_review(sentence, period):
    meta = extract_metadata(normalize("某县第十七届人民代表大会第六次会议开幕\n" + sentence).text)
    assert (meta.period_start, meta.period_end) == period


@pytest.mark.parametrize(
    "sentence, period",
    [
        # 黔西县 2018 closing news (WeChat mirror): https://freewechat.com/a/MzI4NjY4NjQ2OA==/2247488339/{{href}}
        (
            "会议表决通过关于政府工作报告的决议。决议指出,会议充分肯定县人民政府2017年的工作,"
            "同意报告提出的2018年政府工作目标任务,决定批准这个报告。",
            (2017, 2017),
        ),
        # 西宁 2015 closing news: http://xining.baogaosu.com/xinwen/…/29274795/
        (
            "决议中指出,本次会议充分肯定了市人民政府过去一年的工作,"
            "同意报告提出的2015年工作总体部署和主要任务,决定批准这个报告。",
            (2014, 2014),
        ),
    ],
)
def test_a_session_resolution_approving_a_years_work_names_the_session_year(sentence, period):
    meta = extract_metadata(normalize("某县第十七届人民代表大会第二次会议胜利闭幕\n" + sentence).text)
    assert (meta.period_start, meta.period_end) == period
