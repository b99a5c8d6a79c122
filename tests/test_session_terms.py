"""Local congress terms learned in the database (etl/session_terms.py): a report that states its session and
its year, or an analyst's confirmation, dates the reports of the same place that state only the session.

The reports are made up, in the genre's usual shapes; no sentence is copied from a bundled report."""

from __future__ import annotations

import json

import duckdb
import pytest

from etl.ops.add import add_reports
from etl.ops.build import build
from etl.ops.corrections import correct_report, revert_correction
from etl.store import session_terms

# 新乡市: one report names its session and dates it; another names only a later session of the same term.
STATED = (
    "新乡市人民代表大会常务委员会工作报告\n"
    "——2023年1月8日在新乡市第十五届人民代表大会第二次会议上\n"
    "各位代表：\n现在，我代表市人大常委会向大会报告工作，请予审议。\n"
    "一年来，市人大常委会共制定地方性法规3件，听取审议专项工作报告9个。\n"
)
ORDINAL_ONLY = (
    "新乡市人民代表大会常务委员会工作报告\n"
    "——在新乡市第十五届人民代表大会第四次会议上\n"
    "各位代表：\n受市人大常委会委托，我向大会报告工作。\n"
    "过去一年，市人大常委会共制定地方性法规4件，开展执法检查6次。\n"
)
# 获嘉县: two reports name only their sessions; an analyst confirms the period of one.
COUNTY_THIRD = (
    "获嘉县人民代表大会常务委员会工作报告\n"
    "——在获嘉县第十七届人民代表大会第三次会议上\n"
    "各位代表：\n过去一年，县人大常委会共审议议案5件，开展执法检查3次。\n"
)
COUNTY_FIFTH = (
    "获嘉县人大常委会工作报告\n"
    "县第十七届人民代表大会第五次会议今天开幕。县人大常委会主任向大会作工作报告。\n"
    "一年来，县人大常委会共开展执法检查4次，听取专项工作报告7个。\n"
)


def _write(folder, files: dict[str, str]):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _build(tmp_path, files: dict[str, str]):
    lib, db = tmp_path / "lib", tmp_path / "c.duckdb"
    _write(lib, files)
    summary = build(lib, db, progress=False, workers=1)
    assert summary.reports == len(files), summary.problems
    return lib, db


def _report(db, source_file):
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT report_id, period_start, period_end, meta_status, meta_pending, period_confidence,"
            " meta_evidence FROM reports WHERE source_file = ?",
            [source_file],
        ).fetchone()
    finally:
        con.close()
    rid, p0, p1, status, pending, conf, ev = row
    return {"id": rid, "period": (p0, p1), "status": status, "pending": pending, "confidence": conf,
            "evidence": json.loads(ev)}  # fmt: skip


def _terms(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT jurisdiction, term, first_year, learned_from, source_reports, used FROM session_terms"
            " ORDER BY jurisdiction, term"
        ).fetchall()
    finally:
        con.close()


def test_a_report_stating_session_and_year_dates_one_stating_only_the_session(tmp_path):
    _lib, db = _build(tmp_path, {"xx-2023.txt": STATED, "xx-later.txt": ORDINAL_ONLY})
    [(jur, term, first, how, sources, used)] = _terms(db)
    assert (jur, term, first, how, used) == ("新乡市", 15, 2022, "stated", True)
    assert [s["source_file"] for s in json.loads(sources)] == ["xx-2023.txt"]
    later = _report(db, "xx-later.txt")
    assert later["period"] == (2024, 2024)  # 第四次会议 of a term that began in 2022 → 2025, reviewing 2024
    assert (later["status"], later["pending"]) == ("ok", None)
    period = later["evidence"]["period"]
    assert period["source"] == "learned_term"
    assert "xx-2023.txt" in period["learned"] and "第十五届" in period["sentence"]
    assert period["learned_from"][0]["how"] == "stated"
    assert _report(db, "xx-2023.txt")["period"] == (2022, 2022)  # the teacher keeps its own evidence


def test_rebuilding_learns_the_same_and_applies_it_once(tmp_path):
    lib, db = _build(tmp_path, {"xx-2023.txt": STATED, "xx-later.txt": ORDINAL_ONLY})
    first = (_terms(db), _report(db, "xx-later.txt"))
    build(lib, db, progress=False, workers=1)
    assert (_terms(db), _report(db, "xx-later.txt")) == first
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM session_term_uses").fetchone()[0] == 1
        # the facts of the dated report are in the charts' table under the learned year
        years = con.execute(
            "SELECT DISTINCT p.period_start FROM agg_report_points p JOIN reports r USING (report_id)"
            " WHERE r.source_file = 'xx-later.txt'"
        ).fetchall()
    finally:
        con.close()
    assert years == [(2024,)]


def test_adding_the_teacher_dates_the_waiting_report_and_only_its_jurisdiction(tmp_path):
    lib, db = _build(tmp_path, {"xx-later.txt": ORDINAL_ONLY, "hj-3.txt": COUNTY_THIRD})
    assert _report(db, "xx-later.txt")["pending"] == "period"
    assert _terms(db) == []
    src = tmp_path / "incoming"
    _write(src, {"xx-2023.txt": STATED})
    summary = add_reports([src / "xx-2023.txt"], db, lib)
    assert summary.ok, summary.outcomes
    assert _report(db, "xx-later.txt")["period"] == (2024, 2024)
    assert _report(db, "hj-3.txt")["pending"] == "period"  # another place's numbering is not borrowed
    assert [t[:3] for t in _terms(db)] == [("新乡市", 15, 2022)]


def test_an_analysts_confirmation_teaches_the_term_and_a_revert_forgets_it(tmp_path):
    _lib, db = _build(tmp_path, {"hj-3.txt": COUNTY_THIRD, "hj-5.txt": COUNTY_FIFTH})
    third, fifth = _report(db, "hj-3.txt"), _report(db, "hj-5.txt")
    assert third["pending"] == fifth["pending"] == "period"
    rec = correct_report(db, third["id"], period=2023, user="王分析", reason="县人大网：2024年1月召开")
    # 第三次会议 in 2024 → 第十七届 began in 2022 → 第五次会议 in 2026, reviewing 2025
    assert [t[:4] for t in _terms(db)] == [("获嘉县", 17, 2022, "confirmed")]
    fifth = _report(db, "hj-5.txt")
    assert fifth["period"] == (2025, 2025) and fifth["status"] == "ok"
    assert "hj-3.txt（分析人员确认报告期）" in fifth["evidence"]["period"]["learned"]
    revert_correction(db, rec.correction_id, user="王分析", reason="核对有误")
    assert _terms(db) == []
    assert _report(db, "hj-5.txt")["pending"] == "period"
    assert _report(db, "hj-5.txt")["period"] == (None, None)


def _lesson(year, how, name):
    return session_terms.Lesson("某县", 17, year, how, name, f"{name}.txt")


def test_a_confirmation_outweighs_stated_reports_and_a_tie_is_not_used():
    [row] = session_terms.learn([_lesson(2021, "stated", "a"), _lesson(2021, "stated", "b"),
                                 _lesson(2022, "confirmed", "c")])  # fmt: skip
    assert (row.first_year, row.learned_from, row.usable) == (2022, "confirmed", True)
    assert [d.report_id for d in row.disputed] == ["a", "b"]
    [tie] = session_terms.learn([_lesson(2021, "stated", "a"), _lesson(2022, "stated", "b")])
    assert not tie.usable
    [one] = session_terms.learn([_lesson(2021, "stated", "a")])
    assert one.usable and one.named() == "a.txt（写明届次与年份）"


@pytest.mark.parametrize(
    "report_type, session_year, period",
    [("annual_report", 2025, (2024, 2024)), ("term_review", 2027, (2022, 2026))],
)
def test_the_period_of_a_session(report_type, session_year, period):
    assert session_terms._period_of(session_year, report_type, None, 7, 5) == period


def test_editing_another_field_of_a_dated_report_keeps_the_extractors_values_as_extracted(tmp_path):
    """The corrections keep a snapshot of what the extractor said: never the learned period."""
    _lib, db = _build(tmp_path, {"xx-2023.txt": STATED, "xx-later.txt": ORDINAL_ONLY})
    later = _report(db, "xx-later.txt")
    correct_report(db, later["id"], report_type="report_excerpt", user="王分析", reason="是摘要")
    # a second write re-applies the log to the database as it is, learned period included
    correct_report(db, later["id"], delivered="2025-01-09", user="王分析", reason="会议日期")
    assert _report(db, "xx-later.txt")["period"] == (2024, 2024)
    con = duckdb.connect(str(db), read_only=True)
    try:
        snapshot = con.execute(
            "SELECT period_start, period_end, meta_status, meta_pending FROM reports_as_extracted"
            " WHERE report_id = ?",
            [later["id"]],
        ).fetchone()
    finally:
        con.close()
    assert snapshot == (None, None, "pending", "period")


def test_a_term_learned_in_one_district_never_dates_its_namesake_in_another_city(tmp_path):
    """朝阳区 of 北京市 teaches its term; 朝阳区 of 长春市, stating only its session, stays 待确认."""
    beijing = (
        "北京市朝阳区人民代表大会常务委员会工作报告\n"
        "——2023年1月8日在朝阳区第十七届人民代表大会第二次会议上\n"
        "各位代表：\n一年来，区人大常委会共听取审议专项工作报告9个。\n"
    )
    changchun = (
        "长春市朝阳区人民代表大会常务委员会工作报告\n"
        "——在朝阳区第十七届人民代表大会第四次会议上\n"
        "各位代表：\n过去一年，区人大常委会共开展执法检查6次。\n"
    )
    _lib, db = _build(tmp_path, {"bj.txt": beijing, "cc.txt": changchun})
    assert _report(db, "bj.txt")["period"] == (2022, 2022)
    cc = _report(db, "cc.txt")
    assert cc["period"] == (None, None) and "period" in (cc["pending"] or "")


# 新乡市's outgoing committee reviews a four-year term at the first session of the next congress (terms cut
# short to join the 2016–17 round: 石家庄 "市十三届人大常委会任期的四年…四年来"), naming only the session.
FOUR_YEAR_REVIEW = (
    "新乡市人民代表大会常务委员会工作报告\n"
    "——在新乡市第十五届人民代表大会第一次会议上\n"
    "各位代表：\n我受新乡市第十四届人民代表大会常务委员会委托，向大会报告工作，请予审议。\n"
    "市十四届人大常委会任期的四年，是不平凡的四年。四年来，常委会共制定地方性法规11件，废止5件。\n"
)


def test_a_term_review_dated_by_a_learned_term_spans_the_years_its_text_states(tmp_path):
    _lib, db = _build(tmp_path, {"xx-2023.txt": STATED, "xx-review.txt": FOUR_YEAR_REVIEW})
    review = _report(db, "xx-review.txt")
    assert review["evidence"]["period"]["source"] == "learned_term"
    # the first session of a term that began in 2022 reviews four years, not five
    assert review["period"] == (2018, 2021)


@pytest.mark.parametrize("years, period", [(None, (2022, 2026)), (4, (2023, 2026)), (3, (2024, 2026))])
def test_a_term_reviews_stated_length_wins_over_the_constitutional_five(years, period):
    assert session_terms._period_of(2027, "term_review", None, 7, 5, stated_years=years) == period
