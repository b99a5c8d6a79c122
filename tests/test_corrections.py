"""Corrections: set, reject, add, revert; recorded with who/when/why, applied over facts, surviving
rebuilds."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import fetch, run_etl

from etl.errors import EtlError
from etl.ops import corrections as C
from etl.ops.add import add_reports
from etl.ops.build import build
from etl.ops.export import export_db
from etl.store import corrections_log as CL

ZZ = "000_c08ffb83924445c9.txt"  # 郑州市 2023 annual report
MISSED = "全年向市委专题汇报5次"  # a number the extractor does not take (no catalog pattern for it)


def fact(db, metric, value, source=ZZ):
    rows = fetch(db, "SELECT f.fact_id FROM facts f JOIN reports r USING (report_id) "
                 "WHERE f.metric = ? AND f.value = ? AND r.source_file = ?",
                 [metric, value, source])  # fmt: skip
    assert len(rows) == 1, rows
    return rows[0][0]


def report_id(db, source=ZZ):
    return fetch(db, "SELECT report_id FROM reports WHERE source_file = ?", [source])[0][0]


def current(db, fact_id):
    rows = fetch(db, "SELECT metric, value, period_start, period_end, corrected, correction_id "
                 "FROM facts_current WHERE fact_id = ?", [fact_id])  # fmt: skip
    return rows[0] if rows else None


# ---------------------------------------------------------------- set


def test_correcting_a_value_records_who_when_why_and_shows_in_facts_current(corpus_copy):
    db, _ = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rec = C.correct_fact(db, fid, value=8, user="王分析", reason="原文为8项")
    assert current(db, fid) == ("supervision.law_inspections", 8.0, 2023, 2023, True, rec.correction_id)
    assert fetch(db, "SELECT value FROM facts WHERE fact_id = ?", [fid]) == [
        (7.0,)
    ]  # extracted fact untouched
    (e,) = C.list_corrections(db)
    assert (e.correction_id, e.action, e.fact_id, e.user, e.reason, e.status) == (
        rec.correction_id, "set", fid, "王分析", "原文为8项", "applied")  # fmt: skip
    assert e.changes == {"value": [7.0, 8.0]} and e.summary == "value 7 → 8"
    assert before <= e.at_utc <= dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=1)
    assert e.source_file == ZZ and e.jurisdiction == "郑州市" and "开展执法检查7项" in e.evidence
    line = json.loads(CL.corrections_path(db).read_text(encoding="utf-8"))
    assert line["user"] == "王分析" and line["at"].endswith("Z") and line["changes"] == {"value": [7.0, 8.0]}


def test_metric_and_period_corrections_and_a_chain_of_values(corpus_copy):
    db, _ = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    C.correct_fact(db, fid, value=8, user="a", reason="r1")
    C.correct_fact(
        db, fid[:8], metric="supervision.research_studies", period="2022-2023", user="b", reason="r2"
    )
    last = C.correct_fact(db, fid, value=9, user="c", reason="r3")
    assert current(db, fid) == ("supervision.research_studies", 9.0, 2022, 2023, True, last.correction_id)
    entries = C.list_corrections(db)
    assert [e.summary for e in entries] == [
        "value 7 → 8",
        "period 2023 → 2022–2023; metric supervision.law_inspections → supervision.research_studies",
        "value 8 → 9",
    ]
    assert [e.user for e in entries] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"value": 8, "user": "", "reason": "r"}, "needs a user"),
        ({"value": 8, "user": "u", "reason": "  "}, "needs a reason"),
        ({"value": -1, "user": "u", "reason": "r"}, "finite number ≥ 0"),
        ({"value": float("nan"), "user": "u", "reason": "r"}, "finite number"),
        (
            {"metric": "supervision.law_inspection", "user": "u", "reason": "r"},
            "did you mean supervision.law_inspections",
        ),
        ({"period": "2023-2018", "user": "u", "reason": "r"}, "start ≤ end"),
        ({"period": "去年", "user": "u", "reason": "r"}, "write a year"),
        ({"value": 7, "user": "u", "reason": "r"}, "already has those values"),
        ({"user": "u", "reason": "r"}, "nothing to correct"),
    ],
)
def test_bad_corrections_are_refused_and_nothing_is_written(corpus_copy, kwargs, message):
    db, _ = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    before = db.read_bytes()
    with pytest.raises(CL.CorrectionError, match=message):
        C.correct_fact(db, fid, **kwargs)
    assert db.read_bytes() == before
    assert not CL.corrections_path(db).exists()
    assert not list(db.parent.glob("*staging*")) and not list(db.parent.glob(".*staging*"))


def test_unknown_fact_id_says_where_to_find_ids(corpus_copy):
    db, _ = corpus_copy
    with pytest.raises(CL.CorrectionError, match="no fact with id 'nope'.*export or the dashboard"):
        C.correct_fact(db, "nope", value=1, user="u", reason="r")


def test_correcting_without_a_database_says_to_build(tmp_path):
    with pytest.raises(EtlError, match="no database at .*build"):
        C.correct_fact(tmp_path / "none.duckdb", "abc", value=1, user="u", reason="r")
    assert not (tmp_path / "none.duckdb").exists()


# ---------------------------------------------------------------- reject and revert


def test_rejected_fact_leaves_facts_current_but_stays_in_facts_and_revert_brings_it_back(corpus_copy):
    db, _ = corpus_copy
    fid = fact(db, "supervision.special_inquiries", 2)
    n = fetch(db, "SELECT count(*) FROM facts_current")[0][0]
    rej = C.reject_fact(db, fid, user="u", reason="wrong")
    assert current(db, fid) is None
    assert fetch(db, "SELECT count(*) FROM facts WHERE fact_id = ?", [fid]) == [(1,)]
    assert fetch(db, "SELECT count(*) FROM facts_current")[0][0] == n - 1
    with pytest.raises(
        CL.CorrectionError, match=f"rejected by correction {rej.correction_id}: revert that first"
    ):
        C.correct_fact(db, fid, value=3, user="u", reason="r")
    C.revert_correction(db, rej.correction_id, user="u", reason="it was right")
    assert current(db, fid) == ("supervision.special_inquiries", 2.0, 2023, 2023, False, None)
    statuses = [(e.action, e.status) for e in C.list_corrections(db)]
    assert statuses == [("reject", "reverted"), ("revert", "applied")]
    with pytest.raises(CL.CorrectionError, match="already been reverted"):
        C.revert_correction(db, rej.correction_id, user="u", reason="again")


# ---------------------------------------------------------------- add


def test_added_fact_is_anchored_in_the_text_with_offsets_that_contain_its_value(corpus_copy):
    db, _ = corpus_copy
    rid = report_id(db)
    rec = C.add_fact(
        db, rid, metric="self.requests_reports", value=5, evidence=MISSED, user="u", reason="missed"
    )
    row = fetch(db, """
        SELECT a.value, a.unit, a.period_start, a.evidence, a.evidence_start, a.evidence_end, a.value_text,
               a.value_start, a.value_end, t.norm_text, t.raw_text, a.raw_start, a.raw_end, c.corrected
        FROM added_facts a JOIN report_texts t USING (report_id) JOIN facts_current c USING (fact_id)
        WHERE a.fact_id = ?""", [rec.fact_id])[0]  # fmt: skip
    value, unit, year, evidence, es, ee, vt, vs, ve, norm, raw, rs, re_, corrected = row
    assert (value, unit, year, vt, corrected) == (5.0, "次", 2023, "5", True)
    assert es <= vs < ve <= ee and norm[vs:ve] == "5"
    assert MISSED in norm[es:ee] and raw[rs:re_] == evidence  # widened to the whole sentence, as extracted
    assert len(rec.fact_id) == 16 and not fetch(db, "SELECT 1 FROM facts WHERE fact_id = ?", [rec.fact_id])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"value": 6, "evidence": MISSED},
            r"value 6 does not appear in the evidence sentence \(numbers in it: 5",
        ),
        ({"value": 5, "evidence": "本报告中没有这句话"}, "does not occur in report"),
        ({"value": 5, "evidence": MISSED, "metric": "not.a.code"}, "unknown metric code"),
        ({"value": 5, "evidence": "  "}, "needs its evidence"),
        (
            {"value": 7, "evidence": "开展执法检查7项", "metric": "supervision.law_inspections"},
            "already has this fact",
        ),
    ],
)
def test_adding_a_fact_checks_evidence_value_and_metric(corpus_copy, kwargs, message):
    db, _ = corpus_copy
    args = {"metric": "self.requests_reports", "user": "u", "reason": "r", **kwargs}
    with pytest.raises(CL.CorrectionError, match=message):
        C.add_fact(db, report_id(db), **args)
    assert not CL.corrections_path(db).exists()


def test_added_fact_can_be_corrected_and_rejected_like_any_other(corpus_copy):
    db, _ = corpus_copy
    rec = C.add_fact(
        db, report_id(db), metric="self.requests_reports", value=5, evidence=MISSED, user="u", reason="r"
    )
    with pytest.raises(CL.CorrectionError, match="already added by correction"):
        C.add_fact(
            db, report_id(db), metric="self.requests_reports", value=5, evidence=MISSED, user="u", reason="r"
        )
    C.correct_fact(db, rec.fact_id, period=2022, user="u", reason="r")
    assert current(db, rec.fact_id)[2:4] == (2022, 2022)
    C.reject_fact(db, rec.fact_id, user="u", reason="r")
    assert current(db, rec.fact_id) is None


# ---------------------------------------------------------------- surviving rebuilds


def test_corrections_survive_a_rebuild(corpus_copy):
    db, lib = corpus_copy
    fid_set = fact(db, "supervision.law_inspections", 7)
    fid_rej = fact(db, "supervision.special_inquiries", 2)
    s = C.correct_fact(db, fid_set, value=8, user="u", reason="r")
    C.reject_fact(db, fid_rej, user="u", reason="r")
    add = C.add_fact(
        db, report_id(db), metric="self.requests_reports", value=5, evidence=MISSED, user="u", reason="r"
    )
    summary = build(lib, db, progress=False)
    assert (summary.corrections_applied, summary.corrections_orphaned) == (3, 0)
    assert current(db, fid_set) == ("supervision.law_inspections", 8.0, 2023, 2023, True, s.correction_id)
    assert current(db, fid_rej) is None and fetch(
        db, "SELECT count(*) FROM facts WHERE fact_id = ?", [fid_rej]
    ) == [(1,)]
    assert current(db, add.fact_id)[1] == 5.0
    assert [e.status for e in C.list_corrections(db)] == ["applied"] * 3


def test_a_correction_whose_report_disappears_is_kept_and_marked_orphaned(corpus_copy):
    db, lib = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    rec = C.correct_fact(db, fid, value=8, user="u", reason="r")
    add = C.add_fact(
        db, report_id(db), metric="self.requests_reports", value=5, evidence=MISSED, user="u", reason="r"
    )
    moved = lib.parent / ZZ
    (lib / ZZ).rename(moved)
    summary = build(lib, db, progress=False)
    assert summary.corrections_orphaned == 2
    entries = {e.correction_id: e for e in C.list_corrections(db, status="orphaned")}
    assert set(entries) == {rec.correction_id, add.correction_id}
    assert "no longer exists" in entries[rec.correction_id].status_note
    assert "开展执法检查7项" in entries[rec.correction_id].evidence  # still readable in the audit
    assert fetch(db, "SELECT count(*) FROM facts_current WHERE corrected")[0][0] == 0
    assert len(CL.read_log(CL.corrections_path(db))) == 2  # never dropped from the log
    moved.rename(lib / ZZ)
    build(lib, db, progress=False)
    assert current(db, fid)[1] == 8.0 and current(db, add.fact_id)[1] == 5.0


def test_a_correction_carries_over_to_a_new_version_of_its_report(corpus_copy, tmp_path):
    db, lib = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    C.correct_fact(db, fid, value=8, user="u", reason="r")
    v2 = tmp_path / "new" / ZZ
    v2.parent.mkdir()
    v2.write_text((lib / ZZ).read_text(encoding="utf-8") + "\n附：本报告已于会后校订。\n", encoding="utf-8")
    out = add_reports([v2], db, lib)
    assert [o.status for o in out.outcomes] == ["replaced"]
    (e,) = C.list_corrections(db)
    assert e.status == "applied" and "carried over to fact" in e.status_note
    new_fid = fetch(db, "SELECT fact_id FROM facts_current WHERE corrected")[0][0]
    assert new_fid != fid and current(db, new_fid)[1] == 8.0


# ---------------------------------------------------------------- the log file


def test_a_damaged_log_stops_writes_with_the_line_number(corpus_copy):
    db, _ = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    C.correct_fact(db, fid, value=8, user="u", reason="r")
    log = CL.corrections_path(db)
    log.write_text(log.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    before = db.read_bytes()
    with pytest.raises(CL.CorrectionError, match=r"corrections.jsonl, line 2: not valid JSON"):
        C.correct_fact(db, fid, value=9, user="u", reason="r")
    assert db.read_bytes() == before


def test_the_log_is_append_only(corpus_copy):
    db, _ = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    C.correct_fact(db, fid, value=8, user="u", reason="r")
    first = CL.corrections_path(db).read_bytes()
    C.correct_fact(db, fid, value=9, user="u", reason="r")
    assert CL.corrections_path(db).read_bytes().startswith(first)


# ---------------------------------------------------------------- export


def test_export_marks_corrected_values_and_leaves_out_rejected_facts(corpus_copy, tmp_path):
    db, _ = corpus_copy
    fid_set = fact(db, "supervision.law_inspections", 7)
    fid_rej = fact(db, "supervision.special_inquiries", 2)
    C.correct_fact(db, fid_set, value=8, user="u", reason="r")
    C.reject_fact(db, fid_rej, user="u", reason="r")
    add = C.add_fact(
        db, report_id(db), metric="self.requests_reports", value=5, evidence=MISSED, user="u", reason="r"
    )
    out = tmp_path / "facts.csv"
    n = export_db(db, "csv", out)
    df = pd.read_csv(out, encoding="utf-8-sig").set_index("fact_id")
    assert n == len(df) == fetch(db, "SELECT count(*) FROM facts")[0][0]  # one rejected, one added
    assert df.loc[fid_set, "value"] == 8 and bool(df.loc[fid_set, "corrected"]) is True
    assert df.loc[fid_set, "correction_id"].startswith("c")
    assert fid_rej not in df.index
    assert bool(df.loc[add.fact_id, "corrected"]) is True and df.loc[add.fact_id, "value"] == 5
    assert df["corrected"].sum() == 2


# ---------------------------------------------------------------- the command line


def test_cli_correct_reject_add_and_list(corpus_copy):
    db, _ = corpus_copy
    fid = fact(db, "supervision.law_inspections", 7)
    p = run_etl("correct", "--db", db, "--fact", fid, "--value", "8", "--user", "wang", "--reason", "typo")
    assert p.returncode == 0, p.stderr
    assert "value 7 → 8" in p.stdout
    p = run_etl("correct", "--db", db, "--fact", fact(db, "supervision.special_inquiries", 2), "--reject",
            "--user", "wang", "--reason", "plan")  # fmt: skip
    assert p.returncode == 0, p.stderr
    p = run_etl("correct", "--db", db, "--add", "--report", report_id(db),
            "--metric", "self.requests_reports", "--value", "5", "--evidence", MISSED,
            "--user", "wang", "--reason", "missed")  # fmt: skip
    assert p.returncode == 0, p.stderr
    p = run_etl("corrections", "--db", db)
    assert p.returncode == 0 and "3 corrections: 3 applied, 0 orphaned, 0 reverted" in p.stdout
    assert "wang" in p.stdout and "typo" in p.stdout
    lines = [json.loads(x) for x in run_etl("corrections", "--db", db, "--json").stdout.splitlines()]
    assert [x["action"] for x in lines] == ["set", "reject", "add"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fact", "x", "--reject", "--value", "3"], "--reject takes --fact ID and no new values"),
        ([], "say what to do"),
        (["--add", "--report", "r"], "--add needs --metric, --value, --evidence"),
        (["--fact", "nope", "--value", "3"], "no fact with id 'nope'"),
    ],
)
def test_cli_correct_refuses_unclear_requests(corpus_copy, args, message):
    db, _ = corpus_copy
    p = run_etl("correct", "--db", db, *args, "--user", "u", "--reason", "r")
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr
