"""Audit 15 (emitted facts on 26 more unseen pages, checked by hand): general causes of wrong facts,
each on the real text (source URL beside it). The resolutions a congress session votes on the work reports
(会议表决通过关于吉林市人民政府工作报告等6项决议) are the session's, not the standing committee's decisions,
and the statutory reports alone (听取审议法定报告14项、专项报告10项) are a part of the reports heard, not the
work reports."""

from __future__ import annotations

from conftest import fact_pairs


def pairs(text: str, p0: int = 2023, p1: int = 2023, rtype: str = "news_summary") -> list[tuple[str, float]]:
    return fact_pairs(text, p0, p1, rtype)


# 吉林市十七届人大四次会议 news (吉林日报 2024-01-19):
# http://jlrbszb.dajilin.com/pc/paper/c/202401/19/content_43949.html
JILINSHI_2024 = (
    "1月16日至17日,吉林市第十七届人民代表大会第四次会议召开。会议回顾和总结了过去一年的工作,以无记名投票方式,"
    "补选了吉林市监察委员会主任,吉林市中级人民法院院长和吉林市十七届人大常委会委员等。"
    "会议表决通过关于吉林市人民政府工作报告等6项决议。"
)


def test_resolutions_on_the_work_reports_are_the_sessions_not_the_committees():
    assert not [p for p in pairs(JILINSHI_2024) if p[0] == "decisions.resolutions"]


def test_the_committees_resolutions_still_count():
    assert ("decisions.resolutions", 8) in pairs(
        "作出关于加强生态环境保护的决定等8项决议决定", rtype="annual_report"
    )


# 武隆区人大常委会 2019 (2018 work): http://cqwulong.cn/Content/2019-03/12/content_510859.htm
WULONG_2019 = (
    "全年召开常委会会议11次,听取审议法定报告14项、专项报告10项,开展工作评议2项、执法检查3项,"
    "作出决议决定12项,组织代表集中视察4次,圆满完成了区十八届人大二次会议确定的各项任务。"
)


def test_statutory_reports_alone_are_not_the_work_reports_heard():
    got = pairs(WULONG_2019, 2018, 2018, "annual_report")
    assert not [p for p in got if p[0] == "supervision.work_reports"]
    # the rest of the sentence still counts
    assert ("meetings.standing_committee", 11) in got
    assert ("supervision.law_inspections", 3) in got


def test_work_reports_heard_still_count():
    assert ("supervision.work_reports", 21) in pairs(
        "全年共召开常委会会议10次、主任会议18次,听取审议“一府两院”专项工作报告21项,作出决议决定9项",
        2017,
        2017,
        "annual_report",
    )
