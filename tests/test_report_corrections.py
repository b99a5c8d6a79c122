"""Analysts set or confirm report metadata (python -m etl correct --report ID …): logged like fact
corrections, re-applied on every write, so a rebuild keeps them and a revert gives back the extractor's."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import ROOT, run_etl

from etl.ops.corrections import correct_report, revert_correction
from etl.store.corrections_log import CorrectionError

REAL = ROOT / "data" / "corpus-real"


@pytest.fixture
def real_copy(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(REAL, lib)
    db = tmp_path / "c.duckdb"
    run_etl("build", "--input", lib, "--db", db, "--quiet", check=True)
    return db, lib


def _report(db, source_file):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT report_id, jurisdiction, level, parent, meta_status, meta_pending, period_start"
            " FROM reports WHERE source_file = ?",
            [source_file],
        ).fetchone()
    finally:
        con.close()


def test_a_pending_jurisdiction_set_by_an_analyst_survives_a_rebuild_and_a_revert_restores_it(real_copy):
    db, lib = real_copy
    rid, place, *_rest, status, pending, _p0 = _report(db, "xuchang-2026.txt")
    assert (place, status, pending) == (None, "pending", "jurisdiction")
    rec = correct_report(db, rid, jurisdiction="许昌市", user="王分析", reason="页面来自许昌人大网")
    assert _report(db, "xuchang-2026.txt")[1:6] == (rid and "许昌市", "prefecture", "河南省", "ok", None)
    run_etl("build", "--input", lib, "--db", db, "--quiet", check=True)
    assert _report(db, "xuchang-2026.txt")[1] == "许昌市"
    revert_correction(db, rec.correction_id, user="王分析", reason="核对有误")
    assert _report(db, "xuchang-2026.txt")[1:6] == (None, None, None, "pending", "jurisdiction")


def test_the_cli_sets_a_period_and_the_log_names_who_and_why(real_copy):
    db, _lib = real_copy
    rid = _report(db, "national-2019.txt")[0]
    proc = run_etl(
        "correct", "--db", db, "--report", rid, "--period", "2017", "--user", "李", "--reason", "测试"
    )
    assert proc.returncode == 0, proc.stderr
    assert _report(db, "national-2019.txt")[6] == 2017
    assert "李" in (db.parent / "c.corrections.jsonl").read_text(encoding="utf-8")


def test_a_place_outside_the_division_table_is_refused(real_copy):
    db, _lib = real_copy
    rid = _report(db, "xuchang-2026.txt")[0]
    with pytest.raises(CorrectionError, match="division table"):
        correct_report(db, rid, jurisdiction="东京都", user="王分析", reason="…")
