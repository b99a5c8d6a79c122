"""数据质量 → the fix form: 去处理 switches page in the same session, so the analyst stays signed in and
lands on the report with its correction forms (a link would open a new tab, a new session, signed out)."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import analyst_secrets, assert_clean, login, open_app


@pytest.mark.parametrize("table", ["dq_checks", "dq_pending"])
def test_go_fix_opens_the_report_in_this_session_signed_in(corpus_db, tmp_path, monkeypatch, table):
    db = tmp_path / "congress.duckdb"
    shutil.copy(corpus_db, db)
    with duckdb.connect(str(db)) as con:  # one report 待确认 (its period unresolved)
        con.execute(
            "update reports set meta_status = 'pending', meta_pending = 'period' "
            "where report_id = (select min(report_id) from reports)"
        )
    at = login(open_app(db, monkeypatch, "quality", secrets=analyst_secrets()))
    assert_clean(at)
    # no link to a new tab left in the tables
    assert all("去处理" not in d.value.columns for d in at.dataframe)
    pick = at.selectbox(key=f"{table}_pick")
    rid = pick.value
    assert rid
    at.button(key=f"{table}_go").click().run()
    assert_clean(at)
    assert at.title[0].value == "报告"
    assert at.selectbox(key="rp_r").value == rid
    # still signed in: the analyst's fix forms are there
    assert "rp_correct" in {b.key for b in at.button}
    assert f"rp_correct_meta_s_{rid}" in {b.key for b in at.button}
