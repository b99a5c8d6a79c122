"""The metric catalog is data: every entry is complete, and its example sentences really extract."""

import re
from pathlib import Path

import pytest

from etl.extract.catalog import CORE_CODES, DEFAULT_PRIORITY, load_catalog
from etl.extract.facts import extract_facts
from etl.models import Section
from etl.read.normalize import normalize
from etl.vocab import validator

CATALOG = load_catalog()
EXAMPLES = [(m.code, ex["text"], ex["value"]) for m in CATALOG.metrics.values() for ex in m.examples]


# The spec (../shared/spec/metrics.md) lists the 24 core codes; the catalog is their one copy in the project.
SPEC = Path(__file__).resolve().parents[1].parent / "shared" / "spec" / "metrics.md"


def test_the_catalog_holds_the_24_core_codes():
    assert len(CATALOG.core_codes) == 24
    assert CORE_CODES == CATALOG.core_codes


@pytest.mark.skipif(not SPEC.exists(), reason="the spec is not beside this checkout")
def test_core_codes_are_spelled_as_in_the_spec():
    table = SPEC.read_text(encoding="utf-8").split("## Core metrics")[1].split("\n## ")[0]
    assert set(re.findall(r"^\| ([a-z_]+\.[a-z_]+) \|", table, re.M)) == set(CATALOG.core_codes)


def test_every_kind_has_a_default_priority():
    kinds = validator("catalog").schema["$defs"]["metric"]["properties"]["kind"]["enum"]
    assert set(DEFAULT_PRIORITY) == set(kinds)


@pytest.mark.parametrize("code", sorted(CATALOG.metrics))
def test_entry_is_complete(code):
    m = CATALOG.metrics[code]
    assert m.label_zh and m.label_en and m.units and m.patterns
    assert m.category in CATALOG.categories
    assert any(ex["value"] is not None for ex in m.examples), "needs a positive example sentence"


def _extract(text):
    n = normalize(text)
    return extract_facts(n, [Section("past_work", 0, len(n.text), None, 2023, 2023)], "annual_report")


@pytest.mark.parametrize("code,text,value", EXAMPLES)
def test_catalog_examples(code, text, value):
    got = [f.value for f in _extract(text) if f.metric == code]
    if code.startswith("_blocked"):
        assert all(f.value != value for f in _extract(text))
    elif value is None:
        assert got == [], f"{code} must not match: {text}"
    else:
        assert value in got, f"{code} should give {value} from: {text}"
