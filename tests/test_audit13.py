"""Audit 13 (emitted facts on 25 unseen pages, checked by hand): three general causes of wrong facts, each on
the real sentence (source URL beside it). A session's agenda is not the committee's work reports heard; a
government's own count of the deputies' suggestions it handled is not the committee's; 新区 (唐山, until
2002) is a past division named only by its kind, a generic word in reports, never a report's jurisdiction."""

from __future__ import annotations

from etl.extract.facts import extract_facts
from etl.metadata import extract_metadata
from etl.models import Section
from etl.read.normalize import normalize


def pairs(text: str, p0: int = 2023, p1: int = 2023, rtype: str = "annual_report") -> list[tuple[str, float]]:
    n = normalize(text)
    facts = extract_facts(n, [Section("past_work", 0, len(n.text), None, p0, p1)], rtype)
    return [(f.metric, f.value) for f in facts]


# 十二届全国人大二次会议, news of the opening:
# http://iecsufe-edu.cn/edu/fa18be64e6477c7d147bd20fd6ff761b.html
AGENDA_2014 = (
    "根据大会预备会议4日通过的议程,会议主要审议六项报告:听取和审议政府工作报告,审查和批准计划报告、预算报告,"
    "听取和审议全国常委会工作报告,听取和审议最高人民法院工作报告和最高人民工作报告。"
)


def test_a_sessions_agenda_is_not_work_reports_heard():
    assert not [p for p in pairs(AGENDA_2014, 2013, 2013, "news_summary") if p[0].startswith("supervision.")]


def test_work_reports_heard_by_the_committee_still_count():
    # http://www.fuyangtv.com/folder27662/folder27683/2025-06-12/2980007.html (富阳区 2025)
    got = pairs(
        "召开常委会会议9次、主任会议16次,听取审议“一府两院”专项工作报告14个,发出审议意见9份,"
        "作出决议决定17项。"
    )
    assert ("supervision.work_reports", 14) in got


# 湘阴县, the government's meeting on suggestions:
# http://www.xiangyin.gov.cn/31176/31178/content_1312811.html
XIANGYIN_2018 = (
    "2017年,县政府承办人大代表建议117件,其中重点督办建议7件。承办政协提案139件,其中重点督办提案5件。"
    "所有建议、提案均在2017年6月底办理完毕。"
    "今年,县政府承办县第十七届人大二次会议提出的代表建议88件,县政协第十届二次会议提出的委员提案107件。"
)


def test_the_governments_own_count_of_suggestions_it_handled_is_not_the_committees():
    got = pairs(XIANGYIN_2018, 2017, 2017, "news_summary")
    assert not [p for p in got if p[0].startswith("deputies.")]


def test_suggestions_the_committee_sent_to_the_government_still_count():
    got = pairs("交市政府及有关部门承办的代表建议356件,已全部办复。")
    assert ("deputies.suggestions", 356) in got
    got = pairs("审议办理代表议案6件，督办代表建议358件")
    assert ("deputies.suggestions", 358) in got


# https://m.koomao.com/baogao/gongzuobaogao/1621447.html (a template, the district's name blanked to xx区)
TEMPLATE_XXQU = (
    "第1篇 区人大会常务委员会工作报告\n各位代表:\n"
    "我受xx区第二届人民代表大会常务委员会委托,向大会报告工作,请予审议。\n"
    "xx年工作回顾\nxx年,是新一届人大常委会工作的开局年。一年来,在区委的正确领导下,区人大常委会认真学习贯彻党的xx大、"
    "区委一届四次全会及区人大二届一次会议决议精神,以科学发展观为统领,以改善民生促进和谐为重点,以支持和保障新区经济"
    "和社会事业健康发展为目标,紧紧围绕区委确定的工作重点,依法履职,注重实效。\n"
    "全年共举行常委会会议9次,审议议题23项,做出决定5项。\n"
)


def test_new_district_as_a_common_noun_is_not_the_jurisdiction():
    m = extract_metadata(normalize(TEMPLATE_XXQU).text)
    assert m.jurisdiction != "新区"
