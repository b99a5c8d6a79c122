"""The seed gold set, scored as the judge scores it: precision, recall and metadata on the bundled corpus.

The gold copies live in tests/fixtures/gold (hand-annotated facts for the five bundled reports).
A fact matches when report, metric and value agree and its period overlaps the gold period;
duplicates of one fact count once; optional gold rows do not count against recall.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pytest
from conftest import GOLD_META_FIELDS, gold_rows, score_against_gold

from etl.extract.catalog import CORE_CODES


@pytest.fixture(scope="module")
def extracted(corpus_db):
    con = duckdb.connect(str(corpus_db), read_only=True)
    reports = {r[1]: r for r in con.execute(
        "SELECT report_id, source_file, jurisdiction, level, parent, province, period_start, period_end,"
        " report_type, CAST(delivered AS VARCHAR) FROM reports").fetchall()}  # fmt: skip
    facts = defaultdict(set)
    by_id = {r[0]: r[1] for r in reports.values()}
    for rid, metric, value, p0, p1 in con.execute(
        "SELECT f.report_id, f.metric, f.value, coalesce(f.period_start, r.period_start),"
        " coalesce(f.period_end, r.period_end) FROM facts f JOIN reports r USING (report_id)"
    ).fetchall():
        if metric in CORE_CODES:
            facts[by_id[rid]].add((metric, float(value), p0, p1))
    con.close()
    return reports, facts


def test_precision_and_recall_on_seed_gold(extracted):
    _, facts = extracted
    tp, fp, fn, missed, wrong = score_against_gold(facts, "seeds")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.97, f"precision {precision:.3f}; wrong: {wrong}"
    assert recall >= 0.95, f"recall {recall:.3f}; missed: {missed}"


@pytest.mark.parametrize("row", gold_rows("seeds_docs.csv"), ids=lambda r: r["report_file"])
def test_metadata_matches_gold(extracted, row):
    reports, _ = extracted
    got = reports[row["report_file"]]
    values = dict(zip(("report_id", "source_file", *GOLD_META_FIELDS), got, strict=True))
    for field in GOLD_META_FIELDS:
        want = row[field].split("|")
        if row[field] == "":
            want = [None, ""]
        have = values[field]
        have = str(have) if have is not None else None
        assert have in want or (have is None and "" in want), f"{field}: want {row[field]!r}, got {have!r}"
