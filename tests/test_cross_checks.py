"""Reports checked against each other (etl/checks.py): a term review's totals against the annual reports of
the same committee, and a 数说 news summary against the full report of its year.

A small made-up corpus of one city committee's term: four annual reports, a 数说 summary for the last
year, the term review, and a summary that misquotes one number of an annual report. No sentence is copied
from a bundled report."""

from __future__ import annotations

import duckdb
import pytest

from etl.ops.add import add_reports
from etl.ops.build import build
from etl.store.checks import SUMMARY_VS_FULL_CHECK, TERM_VS_ANNUAL_CHECK, run_checks


def _annual(year: int, session: str, laws: int, reports: int, homes: int) -> str:
    return (
        "洛阳市人民代表大会常务委员会工作报告\n"
        f"——{year + 1}年1月10日在洛阳市第十五届人民代表大会第{session}次会议上\n"
        "各位代表：\n现在，我代表市人大常委会向大会报告工作，请予审议。\n"
        f"{year}年，市人大常委会制定地方性法规{laws}件，听取审议专项工作报告{reports}个，"
        f"建成人大代表家站{homes}个。\n"
    )


TERM = (
    "洛阳市人民代表大会常务委员会工作报告\n"
    "——2022年1月12日在洛阳市第十六届人民代表大会第一次会议上\n"
    "各位代表：\n现在，我代表市第十五届人大常委会向大会报告过去五年的工作，请予审议。\n"
    "过去五年，市人大常委会共制定地方性法规47件，听取审议专项工作报告60个，建成人大代表家站120个。\n"
)
SUMMARY_2021 = (
    "数说2021年洛阳市人大常委会工作\n记者 王某\n"
    "2021年，洛阳市人大常委会制定地方性法规9件，听取审议专项工作报告12个。\n"
)
SUMMARY_2019 = (
    "数说2019年洛阳市人大常委会工作\n记者 李某\n"
    "2019年，洛阳市人大常委会制定地方性法规8件，听取审议专项工作报告13个。\n"
)

CORPUS = {
    "ly-2017.txt": _annual(2017, "二", 9, 12, 100),
    "ly-2018.txt": _annual(2018, "三", 10, 12, 105),
    "ly-2019.txt": _annual(2019, "四", 8, 12, 110),
    "ly-2020.txt": _annual(2020, "五", 9, 12, 115),
    "ly-2021-shushuo.txt": SUMMARY_2021,
    "ly-term.txt": TERM,
    "ly-2019-shushuo.txt": SUMMARY_2019,
}


def _build(tmp_path, files):
    lib, db = tmp_path / "lib", tmp_path / "c.duckdb"
    lib.mkdir()
    for name, text in files.items():
        (lib / name).write_text(text, encoding="utf-8")
    summary = build(lib, db, progress=False, workers=1)
    assert summary.reports == len(files), summary.problems
    return lib, db


def _checks(db, name):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT source_file, metric, message FROM checks WHERE check_name = ? "
            "ORDER BY source_file, metric",
            [name],
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("cross"), CORPUS)


def test_the_corpus_reads_as_intended(corpus_db):
    _lib, db = corpus_db
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = dict(
            con.execute("SELECT source_file, (report_type, period_start, period_end) FROM reports").fetchall()
        )
    finally:
        con.close()
    assert got["ly-term.txt"] == ("term_review", 2017, 2021)
    assert got["ly-2019.txt"] == ("annual_report", 2019, 2019)
    assert got["ly-2021-shushuo.txt"] == ("news_summary", 2021, 2021)


def test_a_term_total_that_the_annual_reports_do_not_add_up_to_is_reported_with_both_numbers(corpus_db):
    _lib, db = corpus_db
    [(source, metric, message)] = _checks(db, TERM_VS_ANNUAL_CHECK)
    assert (source, metric) == ("ly-term.txt", "legislation.laws_enacted")
    assert "五年合计 47，年度报告合计 45，差 2" in message
    for name in ("ly-2017.txt", "ly-2018.txt", "ly-2019.txt", "ly-2020.txt", "ly-2021-shushuo.txt"):
        assert name in message  # every year's report is named with its number
    assert "2019 ly-2019.txt 8" in message  # the annual report wins over the summary of the same year
    # 专项工作报告 add up (60); 代表家站 is a stock (120 at the end of the term) and is never summed


def test_a_summary_that_misquotes_the_full_report_is_reported_with_both_reports(corpus_db):
    _lib, db = corpus_db
    [(source, metric, message)] = _checks(db, SUMMARY_VS_FULL_CHECK)
    assert (source, metric) == ("ly-2019-shushuo.txt", "supervision.work_reports")
    assert "新闻稿 13" in message and "年度报告 ly-2019.txt 为 12" in message


def test_the_last_year_may_come_from_the_term_review_itself(tmp_path):
    """The last year of a term has no annual report: the review delivered at the new congress states it."""
    term = TERM.replace("各位代表：\n", "各位代表：\n2021年，市人大常委会制定地方性法规9件。\n")
    files = {k: v for k, v in CORPUS.items() if k != "ly-2021-shushuo.txt"} | {"ly-term.txt": term}
    _lib, db = _build(tmp_path, files)
    [(_source, _metric, message)] = _checks(db, TERM_VS_ANNUAL_CHECK)
    assert "五年合计 47，年度报告合计 45，差 2" in message and "2021 ly-term.txt 9" in message


def test_a_term_not_covered_year_by_year_is_not_compared(tmp_path):
    files = {k: v for k, v in CORPUS.items() if k != "ly-2020.txt"}
    _lib, db = _build(tmp_path, files)
    assert _checks(db, TERM_VS_ANNUAL_CHECK) == []


def test_adding_the_missing_year_brings_the_check_and_a_scoped_run_finds_it(tmp_path):
    files = {k: v for k, v in CORPUS.items() if k != "ly-2020.txt"}
    lib, db = _build(tmp_path, files)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "ly-2020.txt").write_text(CORPUS["ly-2020.txt"], encoding="utf-8")
    assert add_reports([incoming / "ly-2020.txt"], db, lib).ok
    [(source, _metric, message)] = _checks(db, TERM_VS_ANNUAL_CHECK)
    assert source == "ly-term.txt" and "差 2" in message
    con = duckdb.connect(str(db), read_only=True)
    try:
        rid = con.execute("SELECT report_id FROM reports WHERE source_file = 'ly-2020.txt'").fetchone()[0]
        scoped = [c for c in run_checks(con, [rid]) if c.check_name == TERM_VS_ANNUAL_CHECK]
    finally:
        con.close()
    assert [c.source_file for c in scoped] == ["ly-term.txt"]  # found from the annual report's side too
