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
