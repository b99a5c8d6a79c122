"""etl/aggregates.py: the pre-aggregated tables equal what facts_current says, after a full refresh and
after an incremental one; the dashboard shows the same numbers with them; app/db.py never holds the file."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import pytest

from app import db, queries
from app.filters import Filters
from etl.ops.corrections import correct_fact, reject_fact
from etl.store import aggregates
from etl.store.load import delete_report

POINT_KEY = ["report_id", "metric", "period_start", "period_end"]


def expected_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per report × metric × effective period, straight from facts_current: the count and the largest value
    (then the smallest fact id), computed in pandas."""
    df = con.execute(
        """
        select f.fact_id, f.report_id, f.metric, f.value, f.unit, f.corrected, f.period_start as fs,
            f.period_end as fe, r.period_start as rs, r.period_end as re, r.jurisdiction, r.report_type
        from facts_current f join reports r on r.report_id = f.report_id
        """
    ).df()
    df["period_start"] = df["fs"].fillna(df["rs"])
    df["period_end"] = df["fe"].fillna(df["fs"]).fillna(df["re"])
    key = POINT_KEY
    df = df.sort_values(["value", "fact_id"], ascending=[False, True], kind="stable")
    n = df.groupby(key, dropna=False).size().rename("n_facts").reset_index()
    top = df.drop_duplicates(key, keep="first")
    out = top.merge(n, on=key, how="left")
    cols = [*key, "jurisdiction", "report_type", "n_facts", "fact_id", "value", "unit", "corrected"]
    return _norm(out[cols])


def actual_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    cols = [*POINT_KEY, "jurisdiction", "report_type", "n_facts", "fact_id", "value", "unit", "corrected"]
    return _norm(con.execute(f"select {', '.join(cols)} from agg_report_points").df())


def expected_reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    df = con.execute(
        """
        select r.report_id,
            (select count(*) from facts_current f where f.report_id = r.report_id) as n_facts,
            (select min(period_start) from facts_current f where f.report_id = r.report_id
                and period_start is not null and period_end is not null) as y0,
            (select max(period_end) from facts_current f where f.report_id = r.report_id
                and period_start is not null and period_end is not null) as y1
        from reports r
        """
    ).df()
    return _norm(df)


def actual_reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _norm(con.execute("select report_id, n_facts, y0, y1 from agg_reports").df())


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if c in ("period_start", "period_end", "n_facts", "y0", "y1"):
            df[c] = df[c].astype("Float64")
        elif c == "corrected":
            df[c] = df[c].astype(bool)
        else:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.sort_values(list(df.columns[:4])).reset_index(drop=True)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) in ("str", "string"):
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def expected_summaries(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The small tables, computed directly: jurisdictions from reports, metric counts and the facts that
    corrections name from the facts themselves."""
    return {
        "agg_jurisdictions": con.execute(
            """
            select r.jurisdiction as name,
                coalesce(any_value(r.level), any_value(j.level)) as level,
                coalesce(any_value(r.province), any_value(j.province)) as province,
                coalesce(any_value(r.parent), any_value(j.parent)) as parent,
                count(distinct r.report_id) as n_reports,
                min(r.period_start) as first_year, max(r.period_end) as last_year
            from reports r
            left join jurisdictions j on j.name = r.jurisdiction
                and (r.province is null or j.province = r.province)
            where r.jurisdiction is not null
            group by r.jurisdiction
            """
        ).df(),
        "agg_metric_counts": con.execute(
            "select metric, count(*) as n_facts from facts_current group by metric"
        ).df(),
        "agg_correction_facts": con.execute(
            """
            select f.report_id, f.fact_id, f.metric, f.value, f.unit, f.period_start, f.period_end
            from facts f where f.fact_id in (select fact_id from corrections)
            """
        ).df(),
    }


def assert_in_step(con: duckdb.DuckDBPyConnection) -> None:
    pd.testing.assert_frame_equal(actual_points(con), expected_points(con), check_dtype=False)
    pd.testing.assert_frame_equal(actual_reports(con), expected_reports(con), check_dtype=False)
    for table, expected in expected_summaries(con).items():
        got = con.execute(f"select {', '.join(expected.columns)} from {table}").df()
        pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), check_dtype=False, obj=table)


def refreshed(path, report_ids=None) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("BEGIN")
        aggregates.refresh(con, report_ids)
        con.execute("COMMIT")
    finally:
        con.close()


def without_aggregates(path) -> None:
    """Drop the aggregate tables (the ETL may have made them): the dashboard then reads facts_current."""
    con = duckdb.connect(str(path))
    try:
        for t in aggregates.TABLES:
            con.execute(f"DROP TABLE IF EXISTS {t}")
    finally:
        con.close()


def fact_of(path, jurisdiction: str, metric: str) -> tuple[str, str, float]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select f.fact_id, f.report_id, f.value from facts_current f join reports r using (report_id) "
            "where r.jurisdiction = ? and f.metric = ? order by f.value desc limit 1",
            [jurisdiction, metric],
        ).fetchone()
    finally:
        con.close()


# --- the tables ------------------------------------------------------------------------------------------


def test_full_refresh_equals_facts_current(corpus_copy):
    path, _ = corpus_copy
    refreshed(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select count(*) from agg_report_points").fetchone()[0] > 0
        assert_in_step(con)
        total = con.execute("select sum(n_facts) from agg_reports").fetchone()[0]
        assert total == con.execute("select count(*) from facts_current").fetchone()[0]
    finally:
        con.close()


def test_full_refresh_is_idempotent(corpus_copy):
    path, _ = corpus_copy
    refreshed(path)
    refreshed(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert_in_step(con)
    finally:
        con.close()


def test_incremental_refresh_after_a_correction_a_rejection_and_a_deleted_report(corpus_copy):
    path, _ = corpus_copy
    refreshed(path)
    fid, rid_corrected, value = fact_of(path, "郑州市", "appointments.personnel")
    rej, rid_rejected, _ = fact_of(path, "鹤壁市", "deputies.suggestions")
    con = duckdb.connect(str(path))
    try:
        rid_deleted = con.execute(
            "select report_id from reports where report_id not in (?, ?) order by report_id limit 1",
            [rid_corrected, rid_rejected],
        ).fetchone()[0]
        # what a writer does before it refreshes: a corrected value, a rejected fact, a deleted report
        con.execute("BEGIN")
        con.execute("DELETE FROM fact_edits WHERE fact_id IN (?, ?)", [fid, rej])
        con.execute(
            "INSERT INTO fact_edits (fact_id, rejected, value, correction_id) VALUES (?, false, ?, 'c-test-1'), "
            "(?, true, null, 'c-test-2')",
            [fid, value + 1000, rej],
        )
        delete_report(con, rid_deleted)
        stale = con.execute("select max(value) from agg_report_points where fact_id = ?", [fid]).fetchone()[0]
        assert stale == value  # not refreshed yet
        aggregates.refresh(con, [rid_corrected, rid_rejected, rid_deleted])
        con.execute("COMMIT")
        assert_in_step(con)
        assert con.execute(
            "select value, corrected from agg_report_points where fact_id = ?", [fid]
        ).fetchone() == (
            value + 1000,
            True,
        )
        assert not con.execute("select count(*) from agg_report_points where fact_id = ?", [rej]).fetchone()[
            0
        ]
        for t in aggregates.REPORT_TABLES:
            assert not con.execute(f"select count(*) from {t} where report_id = ?", [rid_deleted]).fetchone()[
                0
            ]
    finally:
        con.close()


def test_the_writer_keeps_the_aggregates_in_step(corpus_copy):
    """Through the library (etl/load.py calls refresh): a correction and a rejection are in the tables."""
    path, _ = corpus_copy
    fid, _, value = fact_of(path, "郑州市", "appointments.personnel")
    correct_fact(path, fid, value=value + 1000, user="测试", reason="测试增量刷新")
    rej, _, _ = fact_of(path, "鹤壁市", "deputies.suggestions")
    reject_fact(path, rej, user="测试", reason="测试增量刷新")
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert_in_step(con)
    finally:
        con.close()


def test_incremental_refresh_of_nothing_or_unknown_reports_changes_nothing(corpus_copy):
    path, _ = corpus_copy
    refreshed(path)
    con = duckdb.connect(str(path))
    try:
        before = actual_points(con)
        aggregates.refresh(con, [])
        aggregates.refresh(con, ["r-no-such-report"])
        pd.testing.assert_frame_equal(actual_points(con), before)
    finally:
        con.close()


def test_refresh_runs_inside_the_callers_transaction(corpus_copy):
    path, _ = corpus_copy
    without_aggregates(path)
    con = duckdb.connect(str(path))
    try:
        con.execute("BEGIN")
        aggregates.refresh(con)
        con.execute("ROLLBACK")
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        assert "agg_report_points" not in tables
    finally:
        con.close()


# --- the dashboard's numbers are the same with and without them ----------------------------------------


FILTERS = [
    Filters(),
    Filters(level="prefecture"),
    Filters(jurisdictions=("郑州市", "鹤壁市"), year_from=2023, year_to=2023),
    Filters(category="liaison"),
    Filters(metrics=("appointments.personnel", "deputies.suggestions"), year_from=2018, year_to=2022),
]


def _answers(path, use_db) -> dict:
    use_db(path)
    out = {
        "catalog": queries.metrics_catalog(),
        "bounds": queries.year_bounds(),
        "summary": {k: v for k, v in queries.database_summary().items() if k != "build_info"},
        "reports": queries.report_list(Filters()),
    }
    for i, f in enumerate(FILTERS):
        out[f"points{i}"] = queries.metric_points(f)
        out[f"periods{i}"] = queries.periods(f)
        out[f"count{i}"] = queries.fact_count(f)
        out[f"rows{i}"] = queries.fact_rows(f, "place", limit=7)
        out[f"pc{i}"] = queries.point_counts(f)[["metric", "n_points", "n_with_jurisdiction"]]
        out[f"cc{i}"] = queries.category_counts(f)
    return out


def test_the_dashboard_shows_the_same_numbers_with_aggregates(corpus_copy, tmp_path, use_db):
    plain, _ = corpus_copy
    # a correction, so corrected values must come through the aggregates too
    fid, _, value = fact_of(plain, "郑州市", "appointments.personnel")
    correct_fact(plain, fid, value=value + 1, user="测试", reason="测试")
    agg = tmp_path / "with_aggregates.duckdb"
    shutil.copyfile(plain, agg)
    refreshed(agg)
    without_aggregates(plain)
    without = _answers(plain, use_db)
    assert not queries._use_aggregates()
    with_agg = _answers(agg, use_db)
    assert queries._use_aggregates()
    for key, expected in without.items():
        got = with_agg[key]
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
            )
        else:
            assert got == expected, key
    assert with_agg["points0"].loc[with_agg["points0"]["fact_id"] == fid, "value"].tolist() == [value + 1]


def test_stale_aggregates_are_not_used(corpus_copy, use_db):
    path, _ = corpus_copy
    refreshed(path)
    con = duckdb.connect(str(path))
    con.execute("INSERT OR REPLACE INTO build_info VALUES ('n_facts_current', '1')")
    con.close()
    use_db(path)
    assert not queries._use_aggregates()


# --- app/db.py does not keep the file open ---------------------------------------------------------------


def _open_read_write(path, hold_s: float = 0.0) -> subprocess.Popen:
    code = textwrap.dedent(
        f"""
        import sys, time, duckdb
        con = duckdb.connect({str(path)!r})
        con.execute("select count(*) from reports").fetchall()
        print("open", flush=True)
        time.sleep({hold_s})
        con.close()
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_the_dashboard_does_not_hold_the_file_after_a_query(corpus_copy, use_db):
    path, _ = corpus_copy
    use_db(path)
    assert queries.database_summary()["n_reports"] > 0
    with db.session():
        assert not queries.jurisdictions().empty
        assert queries.report_list(Filters()).shape[0] > 0
    proc = _open_read_write(path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip() == "open"


def test_a_query_waits_for_a_writer_that_holds_the_file(corpus_copy, use_db, monkeypatch):
    path, _ = corpus_copy
    use_db(path)
    writer = _open_read_write(path, hold_s=1.5)
    assert writer.stdout.readline().strip() == "open"  # the writer has the file now
    monkeypatch.setattr(db, "LOCK_WAIT_S", 20.0)
    with db.cursor() as cur:  # not cached: this must open the file, after the writer lets go
        assert cur.execute("select count(*) from reports").fetchone()[0] > 0
    writer.communicate(timeout=60)
    assert writer.returncode == 0


def test_a_writer_that_never_lets_go_gives_the_chinese_error(corpus_copy, use_db, monkeypatch):
    path, _ = corpus_copy
    use_db(path)
    writer = _open_read_write(path, hold_s=5)
    try:
        assert writer.stdout.readline().strip() == "open"
        monkeypatch.setattr(db, "LOCK_WAIT_S", 0.3)
        with pytest.raises(db.DashboardDataError, match="无法打开数据库"), db.cursor():
            pass
    finally:
        writer.kill()
        writer.communicate()


@pytest.mark.parametrize("page", ["overview", "trends", "compare", "data", "reports", "export"])
def test_every_page_reads_the_same_with_aggregates(corpus_db, tmp_path, monkeypatch, page):
    from conftest import assert_clean, figures, open_app, page_text

    agg = tmp_path / "with_aggregates.duckdb"
    shutil.copyfile(corpus_db, agg)
    refreshed(agg)
    plain = tmp_path / "plain.duckdb"
    shutil.copyfile(corpus_db, plain)
    without_aggregates(plain)
    plain_at = open_app(plain, monkeypatch, page)
    agg_at = open_app(agg, monkeypatch, page)
    assert_clean(agg_at)
    assert page_text(agg_at) == page_text(plain_at)
    assert figures(agg_at) == figures(plain_at)
    for a, b in zip(agg_at.dataframe, plain_at.dataframe, strict=True):
        pd.testing.assert_frame_equal(a.value, b.value)


@pytest.mark.parametrize("sort", ["place", "year_desc", "metric", "value_desc"])
def test_the_first_rows_of_the_data_table_are_the_head_of_the_full_table(corpus_copy, tmp_path, use_db, sort):
    plain, _ = corpus_copy
    agg = tmp_path / "with_aggregates.duckdb"
    shutil.copyfile(plain, agg)
    refreshed(agg)
    without_aggregates(plain)
    for f in FILTERS:
        use_db(plain)
        full = queries.fact_rows(f, sort)
        use_db(agg)
        assert queries._use_aggregates()
        for n in (1, 5, 23, 80, len(full) + 5):
            got = queries.fact_rows(f, sort, limit=n)
            pd.testing.assert_frame_equal(got.reset_index(drop=True), full.head(n).reset_index(drop=True))


def test_edits_fingerprint_names_the_reports_a_correction_changed(corpus_copy):
    path, _ = corpus_copy
    con = duckdb.connect(str(path))
    before = aggregates.edits_fingerprint(con)
    con.close()
    fid, rid, value = fact_of(path, "郑州市", "appointments.personnel")
    correct_fact(path, fid, value=value + 5, user="测试", reason="测试")
    con = duckdb.connect(str(path))
    try:
        after = aggregates.edits_fingerprint(con)
        assert aggregates.changed_reports(before, after) == {rid}
        assert aggregates.changed_reports(after, after) == set()
    finally:
        con.close()


def test_an_in_place_write_left_in_the_wal_is_seen_on_the_next_query(corpus_copy, use_db):
    path, _ = corpus_copy
    use_db(path)
    n = queries.database_summary()["n_reports"]
    code = textwrap.dedent(
        f"""
        import duckdb
        con = duckdb.connect({str(path)!r})
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("delete from reports where report_id = (select min(report_id) from reports)")
        con.close()
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert queries.database_summary()["n_reports"] == n - 1


# --- writes that used to leave the aggregates or the files behind ------------------------------------------


def test_a_hand_mended_log_line_reaches_the_aggregates_with_the_next_correction(corpus_copy):
    """A person mends a log line (read_log's errors tell them to); the next correction re-applies the log,
    and the dashboard's tables must show the mended value, not the one they were built with."""
    import json

    from etl.store.corrections_log import corrections_path

    path, _ = corpus_copy
    fid, _, value = fact_of(path, "郑州市", "appointments.personnel")
    correct_fact(path, fid, value=value + 1000, user="测试", reason="第一次更正")
    log = corrections_path(path)
    entry = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    entry["changes"]["value"][1] = value + 2000
    log.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    other, _, other_value = fact_of(path, "鹤壁市", "deputies.suggestions")
    correct_fact(path, other, value=other_value + 1, user="测试", reason="第二次更正")
    con = duckdb.connect(str(path), read_only=True)
    try:
        shown = con.execute("select value from agg_report_points where fact_id = ?", [fid]).fetchall()
        assert shown == [(value + 2000,)]
        assert_in_step(con)
    finally:
        con.close()


def test_an_add_to_a_file_without_aggregates_fills_them_for_every_report(corpus_copy, tmp_path):
    from etl.ops.add import add_reports
    from tools.synth import generate

    path, lib = corpus_copy
    without_aggregates(path)
    generate(1, tmp_path / "new", seed=4242, workers=1)
    (new,) = sorted((tmp_path / "new" / "docs").iterdir())
    summary = add_reports([new], path, lib, time_limit=None)
    assert [o.status for o in summary.outcomes] == ["added"], [o.message for o in summary.outcomes]
    con = duckdb.connect(str(path), read_only=True)
    try:
        n_reports, n_agg = con.execute(
            "select (select count(*) from reports), (select count(*) from agg_reports)"
        ).fetchone()
        assert n_agg == n_reports == 6
        assert_in_step(con)
    finally:
        con.close()


def test_a_backup_holds_changes_still_in_duckdbs_log(corpus_copy, tmp_path):
    from etl.ops.backup import backup

    path, _ = corpus_copy
    con = duckdb.connect(str(path))
    rid = con.execute("select min(report_id) from reports").fetchone()[0]
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    delete_report(con, rid)
    con.close()
    assert path.with_name(path.name + ".wal").exists()  # the delete is only in the log
    folder = backup(path, tmp_path / "backups")
    copy = duckdb.connect(str(folder / "database.duckdb"), read_only=True)
    try:
        assert copy.execute("select count(*) from reports where report_id = ?", [rid]).fetchone() == (0,)
        assert copy.execute("select count(*) from reports").fetchone() == (4,)
    finally:
        copy.close()


def test_a_writer_waits_for_a_reader_of_the_same_process(corpus_copy):
    """DuckDB 2 refuses a second handle on a file this process has open (not a lock error): the writer
    must wait for the reader to close, not call the file damaged."""
    import threading

    from etl.write.connect import connect_live, open_readonly

    path, _ = corpus_copy
    reader = open_readonly(path)
    timer = threading.Timer(0.3, reader.close)
    timer.start()
    try:
        writer = connect_live(path, timeout=10)
        assert writer.execute("select count(*) from reports").fetchone()[0] > 0
        writer.close()
    finally:
        timer.join()
