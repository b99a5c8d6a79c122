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


def test_a_pending_report_without_a_clue_sentence_shows_its_opening_words(tmp_path, monkeypatch):
    from conftest import open_app, run_etl

    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "noplace.txt").write_text(
        "郑州市人民代表大会常务委员会工作报告\n过去的一年，市人大常委会在市委领导下依法履职。\n"
        "常委会共召开常委会会议8次，听取审议专项工作报告12项。\n",
        encoding="utf-8",
    )
    db = tmp_path / "congress.duckdb"
    run_etl("build", "--input", lib, "--db", db, "--quiet", check=True)
    at = open_app(db, monkeypatch, "quality")
    pending = at.dataframe[0].value
    assert len(pending) == 1 and pending["待确认"].iloc[0] == "年份"  # no year anywhere in it
    assert "开头 郑州市人民代表大会常务委员会工作报告" in pending["线索（原句）"].iloc[0]
    assert pending["暂未计入的数据"].iloc[0] == 2  # 会议8次, 专项工作报告12项: on no chart until it is dated


def test_metadata_warnings_are_listed_after_the_build(corpus_db, monkeypatch):
    """What the build printed about a report's metadata (鹤壁市 inferred from the body's place names) stays in
    the database and is listed on 数据质量, with a way to the report."""
    from conftest import fetch, open_app

    at = open_app(corpus_db, monkeypatch, "quality")
    tables = [d.value for d in at.dataframe]
    warned = next(t for t in tables if "提示" in t.columns)
    n = fetch(
        corpus_db,
        "select count(*) from reports where coalesce(meta_status, 'ok') <> 'pending' "
        "and meta_evidence like '%\"warnings\"%'",
    )[0][0]
    assert len(warned) == n > 0
    assert warned["提示"].str.contains("由正文地名推断").any()
    assert at.selectbox(key="dq_warned_pick") is not None
