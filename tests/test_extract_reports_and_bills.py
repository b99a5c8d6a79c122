"""Wordings of the genre that used to mislead the extractor, in real sentences (source URL beside each):
bills the committee sent on to the full congress are not its laws enacted."""

from __future__ import annotations

import pytest

from etl.extract.facts import extract_facts
from etl.models import Section
from etl.read.normalize import normalize


def pairs(text: str, p0: int = 2023, p1: int = 2023, rtype: str = "annual_report") -> list[tuple[str, float]]:
    n = normalize(text)
    facts = extract_facts(n, [Section("past_work", 0, len(n.text), None, p0, p1)], rtype)
    return [(f.metric, f.value) for f in facts]


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
