"""Audit 16 (every emitted fact on 25 unseen pages, checked by hand): general causes of wrong facts, each on
the real text (source URL beside it). A two-character county name glued to the word before it
(办理县十八届人大… read as 理县) is no place; a government's handling report speaks for the handler until
the committee is named again; 基本满意率 alone is not the satisfaction rate; a frequency
(每两月召开一次会议) is no count; 将安排听取… is a plan."""

from __future__ import annotations

from conftest import fact_pairs


def pairs(text: str, p0: int = 2024, p1: int = 2024, rtype: str = "news_summary") -> list[tuple[str, float]]:
    return fact_pairs(text, p0, p1, rtype)


def deputies(text: str, **kw) -> list[tuple[str, float]]:
    return [p for p in pairs(text, **kw) if p[0].startswith("deputies.")]


# 巩留县人民政府 on the deputies' suggestions it handled, Traditional mirror with pinyin noise (2024):
# https://20153.cn/xjgl/c118833/202412/464e07ee8cd64ceba1685bb759a0eeae.shtml
GONGLIU_2024 = (
    "2024年,鞏留縣人民政府共辦理縣十八屆人大四次會(huì)議議案2件、人大代表建議52件,主要涉及城建、環(huán)保、"
    "交通設(shè)施、鄉(xiāng)村振興、教科文衛(wèi)等方面。按照“分級(jí)負(fù)責(zé)、對(duì)口辦理”的原則及時(shí)將人大議案、"
    "人大代表建議分別落實(shí)到20個(gè)縣直部門(mén)辦理。\n"
    "截至目前,20個(gè)承辦單位辦復(fù)議案2件、建議52件,辦復(fù)率和滿意率均為100%。從辦理結(jié)果看,"
    "代表們提出的52件建議中“所提問(wèn)題已經(jīng)解決或基本解決的”A類建議共33件,占交辦建議總數(shù)的63.4%。"
)


def test_a_name_glued_to_the_word_before_it_is_no_place():
    from etl.metadata import extract_metadata

    # 辦理縣十八屆人大 is "handled the county's 18th congress…", not 理县 (四川)
    assert extract_metadata(GONGLIU_2024).jurisdiction == "巩留县"


def test_a_two_character_county_name_standing_alone_is_still_found():
    from etl.metadata.gazetteer import find_in

    assert [m.surface for m in find_in("阿坝州理县人大常委会在理县召开会议")] == ["阿坝州", "理县", "理县"]


def test_a_governments_handling_report_speaks_for_the_handler_to_its_end():
    assert deputies(GONGLIU_2024) == []


def test_the_committee_named_again_takes_its_counts_back():
    text = (
        "市政府共办理代表建议120件,已全部办结。\n"
        "一年来,市人大常委会督办代表建议135件,其中已解决或基本解决的98件。"
    )
    got = deputies(text, rtype="annual_report")
    assert ("deputies.suggestions", 135) in got and ("deputies.suggestions_resolved", 98) in got


# 四川省政府 on the deputies' suggestions of 省十二届人大五次会议 (华西都市报 2017-11-29):
# https://m.yybnet.net/sichuan/news/201712/6779749.html
SICHUAN_2017 = (
    "记者从报告中获悉,截至8月14日,归属省政府系统组织办理的778件建议已全部办理完毕,目前,人大代表反馈满意率"
    "为90%,基本满意率为10%。\n"
    "记者了解到,省十二届人大五次会议期间,代表共提出建议856件,其中归属省政府系统组织办理的建议778件,"
    "占建议总数的91%。收到建议后,省政府及时组织6个市(州)政府及46个省直有关部门(单位)办理。截至8月14日,"
    "778件建议已全部办理完毕,其中所提问题已解决或基本解决的232件、占30%。"
)


def test_the_governments_share_and_what_became_of_it_are_not_the_committees():
    got = deputies(SICHUAN_2017, p0=2017, p1=2017)
    assert got == [("deputies.suggestions", 856)]  # the whole the deputies put forward stays


def test_basic_satisfaction_alone_is_not_the_satisfaction_rate():
    text = "常委会督办代表建议310件,代表对办理工作满意率为90%,基本满意率为10%。"
    got = deputies(text, rtype="annual_report")
    assert ("deputies.suggestion_satisfaction", 90) in got
    assert ("deputies.suggestion_satisfaction", 10) not in got


def test_satisfaction_and_basic_satisfaction_together_still_count():
    got = deputies("代表对建议办理工作的满意率和基本满意率达到了96%", rtype="annual_report")
    assert ("deputies.suggestion_satisfaction", 96) in got


# 新疆维吾尔自治区人民政府 on the national deputies' suggestions it handled (2024-12-05):
# https://ebonypicts.com/xinjiang/c114830/202412/8bebfbe3260a4493b406274726f22afe.shtml
XINJIANG_GOV_2024 = (
    "一、总体情况\n\n2024自治区人民政府办理全国十四届人大二次会议代表建议4其中:协3件、参阅1均为代表个人建议,"
    "涉及清洁能源产业发展、对外交流发展能源产业的建议。所有建议均在规定时间内办理完成协商率、办结率均为100%。"
)


def test_a_government_opening_its_clause_with_the_items_it_handled_is_the_handler():
    assert deputies(XINJIANG_GOV_2024) == []


def test_suggestions_the_committee_urged_the_government_to_handle_still_count():
    got = deputies("督促市政府办理代表建议245件,办结率100%。", rtype="annual_report")
    assert ("deputies.suggestions", 245) in got


# 永登县志, 常务委员会会议 (a county gazetteer):
# https://mooc1.chaoxing.com/mooc-ans/ztnodedetailcontroller/visitnodedetail?courseId=83299202&knowledgeId=83299779
YONGDENG = (
    "人大常委会每两月召开一次会议,主要听取并审议政府、法、检两院关于农业生产、工业生产、人民生活、文化卫生、"
    "科技教育、城镇建设、乡镇企业、普法教育、社会治安、法制建设以及改革开放发展经济等方面的工作。"
)


def test_a_frequency_is_no_count():
    assert not [p for p in pairs(YONGDENG, rtype="annual_report") if p[0] == "meetings.standing_committee"]


def test_meetings_held_still_count():
    got = pairs(
        "从第十二届常委会至十五届常委会共召开180多次会议,听取390多项工作汇报。", rtype="annual_report"
    )
    assert ("meetings.standing_committee", 180) in got
    assert ("meetings.standing_committee", 6) in pairs("一年来,共召开常委会会议6次。", rtype="annual_report")


# 北京市人大常委会 2007年工作要点 press conference (搜狐 2007-03-28):
# https://news.sohu.com/20070328/n249028906.shtml
BEIJING_2007 = (
    "在监督方面,2007年市人大常委会将安排听取审议“一府两院”8个专项工作报告,听取和审议2006年市级预算执行和"
    "其他财政收支的审计工作报告,以及2007年上半年计划、预算执行情况的报告。"
)


def test_what_the_committee_will_arrange_to_hear_is_a_plan():
    assert not [p for p in pairs(BEIJING_2007, 2007, 2007) if p[0] == "supervision.work_reports"]


def test_reports_heard_as_arranged_still_count():
    got = pairs("常委会按照年度工作安排,听取审议专项工作报告8个。", rtype="annual_report")
    assert ("supervision.work_reports", 8) in got


# the same page's subtitles: each heads the plan paragraph under it
BEIJING_2007_SUBTITLED = "听取审议8项专项工作报告\n" + BEIJING_2007


def test_a_subtitle_over_a_plan_paragraph_is_the_plans():
    assert not [p for p in pairs(BEIJING_2007_SUBTITLED, 2007, 2007) if p[0] == "supervision.work_reports"]


def test_a_subtitle_over_past_work_still_counts():
    text = "听取审议8项专项工作报告\n一年来,常委会围绕全市中心工作,认真开展监督。"
    assert ("supervision.work_reports", 8) in pairs(text, rtype="annual_report")
