"""Two wordings of the genre that used to mislead the extractor, in real sentences (source URL beside each):
bills the committee sent on to the full congress are not its laws enacted, and one count over a list of
report kinds that are all heard as work reports is a count of work reports."""

from __future__ import annotations

import pytest
from conftest import fact_pairs

pairs = fact_pairs


_OWN_LAWS = {"legislation.laws_enacted", "legislation.laws_amended", "legislation.laws_repealed"}

# -- bills passed by the full congress ---------------------------------------------------------------

# http://nmgqq.com.cn/shuzishizhi/nianjian/neimengguniajian/nianjianerlingba/tezai/2011-4-14/3916.html
NEIMENGGU_2008 = (
    "五年来常委会共审议法规案128件,其中,制定、修改、批准地方性法规、单行条例121件,废止、批准废止地方性法规4件,"
    "提请自治区人民代表大会审议通过地方性法规1件,初审法规案2件。"
)


def test_a_bill_passed_by_the_full_congress_is_not_a_law_enacted():
    got = pairs(NEIMENGGU_2008, 2003, 2007, "term_review")
    assert not [p for p in got if p[0] in _OWN_LAWS]


@pytest.mark.parametrize(
    "text",
    [
        "提请省人民代表大会审议通过地方性法规2件。",
        "提请市人代会审议通过地方性法规1部。",
        "提请十届全国人大五次会议审议通过法律2件。",
    ],
)
def test_bills_sent_on_to_any_congress_are_not_laws_enacted(text):
    assert not [p for p in pairs(text) if p[0] in _OWN_LAWS]


def test_the_committees_own_enactment_beside_it_is_still_read():
    text = "全年审议通过地方性法规6件。提请市人民代表大会审议通过地方性法规1件。"
    assert pairs(text) == [("legislation.laws_enacted", 6)]


# -- one count over report kinds of the work-reports family --------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        # http://cjxww.cn/xw/cjxw/202501/t20250121_26318427.html (昌吉州 2025)
        (
            "制定法规5件,废止2件,通过有关问题和重大事项的决议决定36项,"
            "听取和审议专项工作报告、计划预算审计报告72个,开展“三查(察)”活动18次、专题询问2次。",
            72,
        ),
        # https://szb.xdplus.cn/xdkb/pc/content/202401/26/content_8636.html (江苏 2024)
        (
            "报告指出,一年来,共审议法规案20件,通过其中13件,批准设区市法规63件;作出决议决定8项;"
            "听取审议“一府两院”27个专项工作及计划、预决算、审计报告;开展7次执法检查。",
            27,
        ),
        # the wordings the held-out notes found in other prefecture reports (昌吉 2023, 辽源)
        ("听取和审议专项工作报告和计划预算审计报告46个。", 46),
        ("听取和审议“一府两院”专项工作报告及计划预算报告82项。", 82),
    ],
)
def test_a_list_of_work_report_kinds_is_one_count_of_work_reports(text, value):
    assert ("supervision.work_reports", value) in pairs(text)


@pytest.mark.parametrize(
    "text",
    [
        "听取和审议专项工作报告、执法检查报告30个。",  # inspection reports are another metric
        "听取和审议专项工作报告和法规30件。",
        "开展专项工作及计划、审计报告5个。",  # no hearing: not the reports heard
    ],
)
def test_a_list_with_other_kinds_stays_unread(text):
    assert [p for p in pairs(text) if p[0] == "supervision.work_reports"] == []


def test_plan_and_budget_reports_alone_are_not_added_to_the_work_reports():
    # http://www.6dgww.com/Article/13167850.html (广东 2010): 8 special work reports; the separate 6 plan,
    # budget and audit reports are no second work-reports count (tests/fixtures/gold/EXTRA_NOTES.md)
    text = (
        "听取和审议“一府两院”专项工作报告8项,听取和审议省政府关于计划、预算执行情况报告和审计工作报告6项,"
        "开展执法检查3项。"
    )
    got = pairs(text)
    assert [p for p in got if p[0] == "supervision.work_reports"] == [("supervision.work_reports", 8)]
