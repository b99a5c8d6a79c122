"""Fault suite (issue 11): leftover DuckDB logs, long staging names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
from conftest import fetch

from etl.writer import staging_path, wal_path, write_lock


def _leave_wal(db) -> None:
    """A committed change that stays in DuckDB's log: the writer process dies before its checkpoint."""
    code = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1]); con.execute('CREATE TABLE t(x INT)'); con.execute('CHECKPOINT')\n"
        "con.execute('INSERT INTO t VALUES (1)'); os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)


def test_a_foreign_wal_beside_a_swapped_file_is_set_aside_on_open(tmp_path):
    old, new = tmp_path / "old.duckdb", tmp_path / "congress.duckdb"
    _leave_wal(old)
    assert wal_path(old).exists()  # the kill landed between COMMIT and CHECKPOINT
    con = duckdb.connect(str(new))
    con.execute("CREATE TABLE u(y INT)")
    con.close()
    shutil.move(wal_path(old), wal_path(new))  # what a swap without its log used to leave
    assert fetch(new, "SELECT count(*) FROM u") == [(0,)]
    assert not wal_path(new).exists() and list(tmp_path.glob("congress.duckdb.wal.orphaned-*"))


def test_a_writer_folds_the_files_own_wal_before_anything_else(tmp_path):
    db = tmp_path / "congress.duckdb"
    _leave_wal(db)
    assert wal_path(db).exists()
    with write_lock(db):
        pass
    assert not wal_path(db).exists() and fetch(db, "SELECT x FROM t") == [(1,)]


def test_long_file_names_stage_under_short_names(tmp_path):
    target = tmp_path / ("报" * 80 + ".txt")  # 243 bytes: legal, but name + staging suffix is not
    stage = staging_path(target, "-1")
    assert len(stage.name.encode()) < 100
    stage.write_bytes(b"x")
    os.replace(stage, target)
    assert target.read_bytes() == b"x"


def test_a_correct_whose_database_rename_fails_leaves_the_log_as_it_was(corpus_copy, monkeypatch):
    import pytest

    from etl import corrections as C

    db, _ = corpus_copy
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    real = os.replace

    def refuse(src, dst, *a, **k):  # an immutable database file: its rename is refused
        if str(dst) == str(db):
            raise PermissionError(1, "Operation not permitted", str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        C.correct_fact(db, fid, value=99, user="u", reason="r")
    monkeypatch.setattr(os, "replace", real)
    assert not C.corrections_path(db).exists() or C.read_log(C.corrections_path(db)) == []
    C.correct_fact(db, fid, value=98, user="u", reason="r")
    assert [e.summary.split()[-1] for e in C.list_corrections(db)] == ["98"]


def test_a_pending_jurisdiction_never_replaces_a_report(corpus_copy, tmp_path):
    import dataclasses

    from etl.lifecycle import NEW, plan_add, preview

    db, lib = corpus_copy
    src = lib / "000_c08ffb83924445c9.txt"  # 郑州市 2023
    other = tmp_path / "other.txt"
    other.write_text(src.read_text(encoding="utf-8") + "\n（另一版本）\n", encoding="utf-8")
    rep = preview(other, time_limit=None)
    assert plan_add([rep], db)[0].action == "replaces"  # resolved: a new version of the loaded report
    rep.meta = dataclasses.replace(rep.meta, status="pending", pending=["jurisdiction"])
    assert plan_add([rep], db)[0].action == NEW


# ---------------------------------------------------------------- item 3: one rule for report files

NOT_REPORTS = ("report.md", "report", "..txt", "~$report.docx", ".hidden.txt", "report.txt.bak")


def test_add_refuses_by_name_what_build_would_skip(corpus_copy, tmp_path):
    from etl.build import list_report_files
    from etl.lifecycle import REJECTED, add_reports

    db, lib = corpus_copy
    text = (lib / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8") + "\n（另一版本）\n"
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in NOT_REPORTS:
        (incoming / name).write_text(text, encoding="utf-8")
    before = sorted(p.name for p in lib.rglob("*"))
    generation = fetch(db, "SELECT value FROM build_info WHERE key = 'generation'")
    s = add_reports(sorted(incoming.iterdir()), db, lib, time_limit=None)
    assert {o.file: o.status for o in s.outcomes} == dict.fromkeys(NOT_REPORTS, REJECTED)
    assert all(o.message for o in s.outcomes)
    assert sorted(p.name for p in lib.rglob("*")) == before  # nothing stored that a build would skip
    assert fetch(db, "SELECT value FROM build_info WHERE key = 'generation'") == generation
    assert list_report_files(incoming) == []  # the same rule: build reads none of them


def test_upload_refuses_by_name_what_build_would_skip(tmp_path):
    import pytest

    from etl.errors import ReadError
    from etl.lifecycle import stage_upload
    from etl.readers import is_report_file, report_file_problem

    for name in NOT_REPORTS:
        with pytest.raises(ReadError) as err:
            stage_upload(name, b"x", folder=tmp_path)
        assert err.value.path == name and err.value.reason == report_file_problem(name)
        assert not is_report_file(name)
    assert list(tmp_path.iterdir()) == []
    long = "报" * 120 + ".txt"  # shortened, but never losing the extension builds look for
    assert is_report_file(stage_upload(long, b"x", folder=tmp_path))


# ---------------------------------------------------------------- item 5: formula injection

PAYLOADS = ('=HYPERLINK("http://example.invalid","点我")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
            "＝1+1", "=cmd|' /C calc'!A0")  # fmt: skip
DANGER = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _xlsx_cells(data: bytes):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def _assert_inert_xlsx(data: bytes) -> tuple[int, int]:
    texts = numbers = 0
    for cell in _xlsx_cells(data):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            texts += 1
            assert not cell.value.startswith(DANGER), (cell.coordinate, cell.value)
        elif isinstance(cell.value, int | float):
            numbers += 1
    return texts, numbers


def _assert_inert_csv(data: bytes, numeric: set[str]) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows
    for row in rows:
        for key, value in row.items():
            assert not key.startswith(DANGER)
            if key in numeric and value:
                float(value)  # a number stays a number
            else:
                assert not value.startswith(DANGER), (key, value)


def test_cli_exports_carry_no_live_formula(corpus_copy, tmp_path):
    import duckdb

    from etl.export import export_db

    db, _ = corpus_copy
    con = duckdb.connect(str(db))
    con.execute("UPDATE reports SET title = ?, source_file = ?, jurisdiction = ?",
                [PAYLOADS[0], PAYLOADS[3] + ".txt", PAYLOADS[1]])  # fmt: skip
    con.execute("UPDATE facts SET evidence = ?, unit = ?, value_text = ?", [PAYLOADS[5], PAYLOADS[6], "-7"])
    con.execute("UPDATE facts SET value = -value WHERE fact_id IN (SELECT fact_id FROM facts LIMIT 3)")
    con.close()
    n = export_db(db, "xlsx", tmp_path / "f.xlsx")
    texts, numbers = _assert_inert_xlsx((tmp_path / "f.xlsx").read_bytes())
    assert texts and numbers >= n  # every fact's value is still a number cell (negative ones too)
    export_db(db, "csv", tmp_path / "f.csv")
    numeric = {"value", "evidence_start", "evidence_end", "value_start", "value_end", "period_start",
               "period_end", "report_period_start", "report_period_end"}  # fmt: skip
    _assert_inert_csv((tmp_path / "f.csv").read_bytes(), numeric)
    raw = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in raw and ",-" in raw  # neutralized text kept whole; negative numbers kept


def test_dashboard_exports_carry_no_live_formula():
    import pandas as pd

    from app import export
    from app.charts import ChartData, Point, Series

    table = pd.DataFrame({"报告": list(PAYLOADS), "数值": [-1.5, 2, 3, -4, 5, 6, 7, 8],
                          PAYLOADS[0]: list(range(8))})  # fmt: skip
    _assert_inert_csv(export.frame_bytes(table, "csv"), {"数值", "'" + PAYLOADS[0]})
    texts, numbers = _assert_inert_xlsx(export.frame_bytes(table, "xlsx"))
    assert numbers == 16 and texts == 8 + 3
    chart = ChartData("k", PAYLOADS[0], PAYLOADS[3], "line", [PAYLOADS[1], "2023"],
                      [Series(PAYLOADS[2], [Point(-3.0, "件", evidence=PAYLOADS[4], report=PAYLOADS[7]),
                                            Point(4.0, note=PAYLOADS[5])])],
                      subtitle=PAYLOADS[6], sources=[PAYLOADS[0]])  # fmt: skip
    texts, numbers = _assert_inert_xlsx(export.charts_xlsx([chart]))
    assert numbers >= 2
