"""Parts of a report and the period of each sentence; plans never yield facts."""

import pytest

from etl.extract.facts import extract_facts
from etl.metadata.sections import find_sections, sentence_period
from etl.models import Section
from etl.read.normalize import normalize


def _kinds(text, p0=2023, p1=2023, rtype="annual_report"):
    return [(s.kind, s.heading) for s in find_sections(text, p0, p1, rtype)]


def test_plan_heading_with_year_opens_plans():
    text = "2023年的主要工作\n开展执法检查7项。\n2024年的主要任务\n开展执法检查8项。"
    assert _kinds(text) == [("past_work", None), ("plans", "2024年的主要任务")]


@pytest.mark.parametrize(
    "heading",
    [
        "今年工作建议",
        "2024年工作安排",
        "今后一年的主要任务",
        "新的一年工作打算",
        "二、2024年主要任务",
        "今年工作的总体要求和主要任务",
        "2024年常委会工作的主要任务",
        "关于2024年工作的建议",
        "二、今年的主要任务",
    ],
)
def test_plan_headings(heading):
    text = f"过去一年的工作\n开展执法检查7项。\n{heading}\n开展执法检查8项。"
    assert ("plans", heading) in _kinds(text)


def test_bare_year_headings_split_past_and_plans():
    text = "引言。\n2020\n全年做出决议决定11项。\n2021\n2021年，区人大常委会将开展执法检查3项。"
    kinds = _kinds(text, 2020, 2020)
    assert kinds[-1] == ("plans", "2021")


def test_facts_never_come_from_plans():
    raw = (
        "2023年的主要工作\n\n开展执法检查7项。\n\n2024年的主要任务\n\n开展执法检查9项，听取审议工作报告20个。"
    )
    n = normalize(raw)
    secs = find_sections(n.text, 2023, 2023, "annual_report")
    facts = extract_facts(n, secs, "annual_report")
    assert [(f.metric, f.value) for f in facts] == [("supervision.law_inspections", 7)]


SEC = Section("past_work", 0, 100, None, 2018, 2022)


@pytest.mark.parametrize(
    "sentence,period",
    [
        ("2018年，先后对9个部门进行工作评议。", (2018, 2018)),
        ("在2019年，开展执法检查3次。", (2019, 2019)),
        ("2019年以来，开展执法检查3次。", (2019, 2022)),
        ("三年来，答复满意率达到99%以上。", (2020, 2022)),
        ("开展执法检查22次。", (2018, 2022)),
        ("2023年5月8日，市人大常委会举行活动。", (2018, 2022)),
        ("2023年，常委会将开展执法检查5次。", None),
        ("下一步，常委会将开展执法检查5次。", None),
    ],
)
def test_sentence_period(sentence, period):
    assert sentence_period(sentence, SEC, "term_review") == period


def test_term_total_inside_annual_report_is_not_an_annual_fact():
    sec = Section("past_work", 0, 100, None, 2023, 2023)
    assert sentence_period("本届以来，共制定地方性法规12件。", sec, "annual_report") is None


def test_counts_of_the_session_now_held_are_of_its_year():
    from etl.metadata.sections import sentence_period
    from etl.models import Section

    past = Section("past_work", 0, 100, None, 2023, 2023)
    assert sentence_period("本次会议共收到代表议案6件、建议230件。", past) == (2024, 2024)
    assert sentence_period("大会期间代表提出议案3件、建议186件。", past) == (2023, 2023)


# 鄂托克旗 2025 (http://www.etkrd.gov.cn/hyzt/rdh/202502/t20250208_3762697.html): a plans heading run in
# before its part's text on the same line opens the plans part there, with the period known or not.
_ETUOKE = (
    "李瑞敏说,2024年是中华人民共和国成立75周年,人民代表大会制度建立70周年。"
    "一年来,旗人大常委会坚持以习近平新时代中国特色社会主义思想为指导。\n"
    "李瑞敏从四个方面回顾了旗十八届人大常委会过去一年的工作:强化政治引领,在党的全面领导中把牢人大方向。\n"
    "2025年的主要工作:2025年是深入贯彻落实党的二十届三中全会的关键之年,旗人大常委会坚持以习近平新时代中国特色"
)


@pytest.mark.parametrize("period", [(2024, 2024), (None, None)])
def test_a_run_in_plans_heading_opens_the_plans_part(period):
    parts = find_sections(_ETUOKE, *period)
    assert [(s.kind, s.heading) for s in parts] == [("past_work", None), ("plans", "2025年的主要工作:")]
    assert parts[1].start == _ETUOKE.index("2025年的主要工作") and parts[1].period_end == 2025


def test_a_run_in_heading_naming_the_year_reviewed_stays_past_work():
    text = _ETUOKE.replace("2025年的主要工作:2025年", "2024年的主要工作:2024年")
    assert [s.kind for s in find_sections(text, 2024, 2024)] == ["past_work"]
    assert [s.kind for s in find_sections(text, None, None)] == ["past_work"]


@pytest.mark.parametrize("head", ["2025年工作安排:", "今年的主要任务是:", "二、2025年主要任务:"])
def test_whole_plans_headings_run_in_open_the_plans_part(head):
    text = _ETUOKE.replace("2025年的主要工作:", head)
    assert [(s.kind, s.heading) for s in find_sections(text, None, None)][-1] == ("plans", head)
