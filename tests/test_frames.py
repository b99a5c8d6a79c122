"""Clause frames: one lexicon entry finds a metric in every word order reports use (etl/frames.py)."""

from __future__ import annotations

import pytest

from etl.errors import CatalogError
from etl.extract import catalog as catalog_module
from etl.extract.catalog import _parse
from etl.extract.facts import extract_facts
from etl.extract.frames import frame_templates, list_head_holds
from etl.models import Section
from etl.read.normalize import normalize

# A made-up metric described only by a lexicon: no regex anywhere.
LEXICON = {
    "categories": {"supervision": {"label_zh": "监督", "label_en": "Supervision"}},
    "metrics": [
        {
            "code": "supervision.hearings",
            "category": "supervision",
            "kind": "extended",
            "measure": "flow",
            "label_zh": "听证会",
            "label_en": "Hearings",
            "units": ["场", "次"],
            "frames": [
                {"verbs": ["举行", "召开"], "nouns": ["立法听证会", "听证会"], "list_nouns": ["听证"]}
            ],
        }
    ],
}


def _values(text: str, data: dict = LEXICON) -> list[float]:
    return [f.value for f in _extract(text, data)]


def _extract(text: str, data: dict):
    real = catalog_module.CORE_CODES
    try:
        catalog_module.CORE_CODES = ()  # the test lexicon has no core codes
        cat = _parse(data)
    finally:
        catalog_module.CORE_CODES = real
    norm = normalize(text)
    return extract_facts(
        norm, [Section("past_work", 0, len(norm.text), None, 2023, 2023)], "annual_report", cat
    )


@pytest.mark.parametrize(
    "text,value",
    [
        ("全年举行立法听证会3场。", 3),  # verb + noun + count
        ("全年举行了4场立法听证会。", 4),  # verb + count + noun
        ("立法听证会共举行5场。", 5),  # noun + verb + count
        ("召开主任会议12次、听证会6场。", 6),  # noun + count sharing the list's verb
        ("对7场听证会的组织情况进行了召开", 7),  # 对 + count + noun + 进行 + verb (odd but the order holds)
    ],
)
def test_one_lexicon_entry_reads_every_word_order(text, value):
    assert value in _values(text)


@pytest.mark.parametrize(
    "text",
    [
        "明年将举行立法听证会3场。",  # a plan
        "配合省人大举行立法听证会2场。",  # another body's work
        "听证会3场。",  # a noun with a verb frame but no verb
        "举行座谈会、听证会5场。",  # one count shared with an uncounted item
    ],
)
def test_rules_written_once_hold_for_a_new_metric(text):
    assert _values(text) == []


def test_list_head_needs_a_run_of_counted_items():
    s = "召开主任会议12次、党组会议10次,常委会会议8次"
    assert list_head_holds(s, s.index("常委会会议"), ("召开",))
    s2 = "召开主任会议研究工作,常委会会议8次"
    assert not list_head_holds(s2, s2.index("常委会会议"), ("召开",))


def test_frames_are_validated_with_the_entry_named():
    bad = {**LEXICON, "metrics": [{**LEXICON["metrics"][0], "frames": [{"verbs": ["举行"], "nounz": ["x"]}]}]}
    with pytest.raises(CatalogError, match="supervision.hearings frame 0"):
        _extract("举行听证会3场", bad)
    with pytest.raises(ValueError, match="orders"):
        frame_templates({"nouns": ["听证会"], "orders": ["sideways"]})


def test_a_run_on_sentence_is_read_whole_in_bounded_pieces():
    text = "，".join(f"召开常委会会议{i + 1}次" for i in range(3000)) + "。"
    norm = normalize(text)
    facts = extract_facts(norm, [Section("past_work", 0, len(norm.text), None, 2023, 2023)], "annual_report")
    assert facts and max(f.evidence_end - f.evidence_start for f in facts) <= 600
    assert max(f.value_start for f in facts) > len(norm.text) - 700  # the end of the text is read too
