"""The real gold set (30 public report openings in data/corpus-real, gold in tests/fixtures/gold/real_*),
scored as the judge scores it: a fact matches when report, metric and value agree and its period (its
own, else its report's) overlaps the gold period; a fact with no period at all is missed, not matched
(no year on the dashboard would show it); optional rows do not count against recall.

Source URLs of every text are in data/corpus-real/sources.csv.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import duckdb
import pytest
from conftest import ROOT, gold_rows, run_etl, score_against_gold

from etl.extract.catalog import CORE_CODES

REAL = ROOT / "data" / "corpus-real"
# A second set of 172 report openings from 31 provinces (Henan only in two held-out session items;
# provincial, city and county, 2004–2026), gathered and annotated later by other examiners:
# tests/fixtures/gold/EXTRA_NOTES.md.
EXTRA = ROOT / "data" / "corpus-extra"
META = ("jurisdiction", "level", "period_start", "period_end", "report_type")
SETS = {"real": REAL, "extra": EXTRA}
# The metadata floor of each set. The extra set holds held-out pages that print neither year nor place in
# their opening (a page of the report's middle, 云南 2019 and 内蒙古 2017; 西安 2025 naming only its
# 第十七届…第六次会议): misses no text-reading rule can fix, kept in the gold as the limits they are
# (EXTRA_NOTES.md, the fourteenth batch: held-out set 13).
META_FLOOR = {"real": 0.95, "extra": 0.94}


@pytest.fixture(scope="module", params=sorted(SETS))
def scored(request, tmp_path_factory):
    return request.param, _build(SETS[request.param], tmp_path_factory)


@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    return _build(REAL, tmp_path_factory)


def _build(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp(corpus.name) / "real.duckdb"
    run_etl("build", "--input", corpus, "--db", db, "--quiet", check=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        reports = {
            r[0]: dict(zip(("source_file", *META, "meta_status"), r[1:], strict=True))
            for r in con.execute(
                "SELECT report_id, source_file, jurisdiction, level, period_start, period_end, report_type,"
                " meta_status FROM reports"
            ).fetchall()
        }
        facts = defaultdict(set)
        for rid, metric, value, p0, p1 in con.execute(
            "SELECT report_id, metric, value, period_start, period_end FROM facts"
        ).fetchall():
            rep = reports[rid]
            if metric in CORE_CODES:
                p0 = rep["period_start"] if p0 is None else p0
                p1 = rep["period_end"] if p1 is None else p1
                facts[rep["source_file"]].add((metric, float(value), p0, p1))
    finally:
        con.close()
    return {r["source_file"]: r for r in reports.values()}, facts


def test_precision_and_recall_on_real_gold(scored):
    name, (_, facts) = scored
    tp, fp, fn, missed, wrong = score_against_gold(facts, name)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.97, f"precision {precision:.3f}; wrong: {wrong}"
    assert recall >= 0.90, f"recall {recall:.3f}; missed: {missed}"


def test_metadata_on_real_gold(scored):
    name, (reports, _) = scored
    ok = total = 0
    misses = []
    for row in gold_rows(f"{name}_docs.csv"):
        got = reports[row["file"]]
        for field in META:
            if row[field] == "":
                continue
            total += 1
            have = None if got[field] is None else str(got[field])
            if have in row[field].split("|"):
                ok += 1
            else:
                misses.append((row["file"], field, row[field], have))
    assert ok / total >= META_FLOOR[name], f"metadata {ok / total:.3f}: {misses}"


def test_a_report_without_a_resolvable_place_waits_for_an_analyst(real_db):
    reports, _ = real_db
    # xuchang-2026 never names its city (only 市人大常委会): loaded, marked 待确认, never guessed
    rep = reports["xuchang-2026.txt"]
    assert rep["jurisdiction"] is None and rep["meta_status"] == "pending"


@pytest.mark.parametrize("corpus", [REAL, EXTRA], ids=["real", "extra"])
def test_every_real_text_has_its_source_recorded(corpus):
    with (corpus / "sources.csv").open(encoding="utf-8") as fh:
        listed = {r["file"]: r["url"] for r in csv.DictReader(fh)}
    texts = {p.name for p in corpus.glob("*.txt")}
    assert texts == set(listed)


def test_the_build_records_each_reports_source_url(tmp_path):
    db = tmp_path / "s.duckdb"
    run_etl("build", "--input", REAL, "--db", db, "--quiet", check=True)
    con = duckdb.connect(str(db), read_only=True)
    try:
        url = con.execute(
            "SELECT url FROM report_sources WHERE source_file = 'national-2019.txt'"
        ).fetchone()[0]
    finally:
        con.close()
    assert url.startswith("http://opinion.people.com.cn/")
