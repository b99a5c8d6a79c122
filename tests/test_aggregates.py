"""etl/store/aggregates.py and app/queries.py against an oracle: the pre-aggregated tables and the dashboard's
answers equal what plain Python computes from the raw rows (facts, fact_edits, added_facts, reports), after a
full refresh and after an incremental one; an older database is refused; app/db.py never holds the file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import duckdb
import pandas as pd
import pytest
from conftest import ROOT, district_report, run_etl

from app import db, queries
from app.filters import Filters
from etl.ops.corrections import add_fact, correct_fact, reject_fact
from etl.store import aggregates
from etl.store.load import delete_report

# --- the oracle: the same answers in plain Python, from the raw rows, never from the SQL under test -------

EDITABLE = ("metric", "value", "unit", "qualifier", "period_start", "period_end", "scope")


def rows(con: duckdb.DuckDBPyConnection, table: str) -> list[dict]:
    """Every row of a stored table as a dict (raw tables only: no view, no project SQL)."""
    cur = con.execute(f"select * from {table}")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def oracle_places(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """report_id → its place: the bare name, or parent + name where several divisions of the gazetteer
    share the name (北京市朝阳区) and the report has a parent."""
    names = [j["name"] for j in rows(con, "jurisdictions")]
    shared = {n for n in names if names.count(n) > 1}
    return {
        r["report_id"]: r["parent"] + r["jurisdiction"]
        if r["jurisdiction"] in shared and r["parent"] is not None
        else r["jurisdiction"]
        for r in rows(con, "reports")
    }


def oracle_facts(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The facts the dashboard counts, worked out by hand: an analyst's edit overrides the field it sets,
    a rejected fact is gone, an added fact of a report that still exists is in; a fact takes its report's
    place (oracle_places), and its report's period when it has none of its own (a start alone is that one
    year)."""
    reports = {r["report_id"]: r for r in rows(con, "reports")}
    places = oracle_places(con)
    edits = {e["fact_id"]: e for e in rows(con, "fact_edits")}
    current = []
    for f in rows(con, "facts"):
        e = edits.get(f["fact_id"])
        if e is not None and e["rejected"]:
            continue
        g = dict(f, corrected=e is not None, correction_id=e["correction_id"] if e else None)
        for k in EDITABLE:
            if e is not None and e[k] is not None:
                g[k] = e[k]
        current.append(g)
    current += [dict(a, corrected=True) for a in rows(con, "added_facts")]
    out = []
    for g in current:
        r = reports.get(g["report_id"])
        if r is None:
            continue
        start = g["period_start"] if g["period_start"] is not None else r["period_start"]
        if g["period_end"] is not None:
            end = g["period_end"]
        else:
            end = g["period_start"] if g["period_start"] is not None else r["period_end"]
        out.append(
            dict(g, period_start=start, period_end=end, own_start=g["period_start"], own_end=g["period_end"],
                 place=places[r["report_id"]], level=r["level"], province=r["province"],
                 report_type=r["report_type"], meta_status=r["meta_status"], jurisdiction=r["jurisdiction"],
                 parent=r["parent"], title=r["title"], source_file=r["source_file"],
                 report_period_start=r["period_start"], report_period_end=r["period_end"],
                 delivered=r["delivered"])
        )  # fmt: skip
    return out


def _best(group: list[dict]) -> dict:
    """A report's candidate: the committee's own figure (no scope) first, then the largest value, then
    the smallest fact id."""
    return min(group, key=lambda g: (g["scope"] is not None, -g["value"], g["fact_id"]))


def _groups(facts: list[dict], key) -> dict:
    out: dict = {}
    for g in facts:
        out.setdefault(key(g), []).append(g)
    return out


def expected_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per report × metric × effective period: the count and the report's candidate."""
    out = []
    for (rid, metric, p0, p1), group in _groups(
        oracle_facts(con), lambda g: (g["report_id"], g["metric"], g["period_start"], g["period_end"])
    ).items():
        b = _best(group)
        out.append({"report_id": rid, "metric": metric, "period_start": p0, "period_end": p1,
                    "place": b["place"], "report_type": b["report_type"], "n_facts": len(group),
                    "fact_id": b["fact_id"], "value": b["value"], "unit": b["unit"],
                    "corrected": b["corrected"],
                    **{k: b[k] for k in REPORT_FIELDS}})  # fmt: skip
    return _norm(pd.DataFrame(out, columns=POINT_COLUMNS))


# the report's own fields each row carries (the dashboard's points join no reports table)
REPORT_FIELDS = ["jurisdiction", "parent", "title", "source_file", "report_period_start", "report_period_end",
                 "delivered"]  # fmt: skip
POINT_COLUMNS = ["report_id", "metric", "period_start", "period_end", "place", "report_type",
                 "n_facts", "fact_id", "value", "unit", "corrected", *REPORT_FIELDS]  # fmt: skip


def actual_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _norm(con.execute(f"select {', '.join(POINT_COLUMNS)} from agg_report_points").df())


def expected_reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per report: its current facts, and the first and last year they are shown at."""
    by_report = _groups(oracle_facts(con), lambda g: g["report_id"])
    out = []
    for r in rows(con, "reports"):
        facts = by_report.get(r["report_id"], [])
        dated = [g for g in facts if g["period_start"] is not None and g["period_end"] is not None]
        out.append({"report_id": r["report_id"], "n_facts": len(facts),
                    "y0": min((g["period_start"] for g in dated), default=None),
                    "y1": max((g["period_end"] for g in dated), default=None)})  # fmt: skip
    return _norm(pd.DataFrame(out, columns=["report_id", "n_facts", "y0", "y1"]))


def actual_reports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _norm(con.execute("select report_id, n_facts, y0, y1 from agg_reports").df())


def _norm(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if c in ("period_start", "period_end", "n_facts", "y0", "y1", "value", "n_reports", "first_year",
                 "last_year", "n_points", "report_period_start", "report_period_end"):  # fmt: skip
            df[c] = df[c].astype("Float64")
        elif c == "delivered":
            df[c] = pd.to_datetime(df[c]).astype(object).where(df[c].notna(), None)
        elif c == "corrected":
            df[c] = df[c].astype(bool)
        else:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.sort_values(list(df.columns[:4])).reset_index(drop=True)


def expected_summaries(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The small tables by hand: each place with reports (its level, province and parent from its
    reports, else from the gazetteer), each metric's current fact count, the extracted facts corrections
    name."""
    gazetteer = rows(con, "jurisdictions")
    place_of = oracle_places(con)
    jurisdictions = []
    for name, reps in _groups(
        [r for r in rows(con, "reports") if r["jurisdiction"] is not None], lambda r: place_of[r["report_id"]]
    ).items():
        places = [j for j in gazetteer if any(
            j["name"] == r["jurisdiction"] and (r["province"] is None or j["province"] == r["province"])
            and (r["parent"] is None or j["parent"] == r["parent"]) for r in reps)]  # fmt: skip

        def first(field, name=name, reps=reps, places=places):
            own = {r[field] for r in reps if r[field] is not None}
            assert len(own) <= 1, (name, field, own)  # the fixtures never disagree
            return next(iter(own), next((j[field] for j in places if j[field] is not None), None))

        starts = [r["period_start"] for r in reps if r["period_start"] is not None]
        ends = [r["period_end"] for r in reps if r["period_end"] is not None]
        jurisdictions.append({"name": name, "level": first("level"), "province": first("province"),
                              "parent": first("parent"), "n_reports": len(reps),
                              "first_year": min(starts, default=None),
                              "last_year": max(ends, default=None)})  # fmt: skip
    counts = _groups(oracle_facts(con), lambda g: g["metric"])
    category_of = {m["code"]: m["category"] for m in rows(con, "metrics")}
    per_category = []
    for (rid, cat, p0, p1), group in _groups(
        oracle_facts(con),
        lambda g: (g["report_id"], category_of.get(g["metric"]), g["period_start"], g["period_end"]),
    ).items():
        per_category.append({"report_id": rid, "category": cat, "period_start": p0, "period_end": p1,
                             "place": group[0]["place"], "level": group[0]["level"],
                             "province": group[0]["province"], "n_points": len({g["metric"] for g in group}),
                             "n_facts": len(group)})  # fmt: skip
    category_columns = ["report_id", "category", "period_start", "period_end", "place", "level", "province",
                        "n_points", "n_facts"]  # fmt: skip
    named = {c["fact_id"] for c in rows(con, "corrections")}
    fields = ["report_id", "fact_id", "metric", "value", "unit", "period_start", "period_end"]
    return {
        "agg_jurisdictions": pd.DataFrame(jurisdictions),
        "agg_metric_counts": pd.DataFrame(
            [{"metric": m, "n_facts": len(g)} for m, g in counts.items()], columns=["metric", "n_facts"]
        ),
        "agg_report_categories": pd.DataFrame(per_category, columns=category_columns),
        "agg_correction_facts": pd.DataFrame(
            [{k: f[k] for k in fields} for f in rows(con, "facts") if f["fact_id"] in named], columns=fields
        ),
    }


def assert_in_step(con: duckdb.DuckDBPyConnection) -> None:
    pd.testing.assert_frame_equal(actual_points(con), expected_points(con), check_dtype=False)
    pd.testing.assert_frame_equal(actual_reports(con), expected_reports(con), check_dtype=False)
    for table, expected in expected_summaries(con).items():
        got = con.execute(f"select {', '.join(expected.columns)} from {table}").df()
        pd.testing.assert_frame_equal(_sorted(got), _sorted(expected), check_dtype=False, obj=table)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return _norm(df).sort_values(list(df.columns)).reset_index(drop=True)


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


def test_full_refresh_equals_the_oracle(corpus_copy):
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
            "INSERT INTO fact_edits (fact_id, rejected, value, correction_id) "
            "VALUES (?, false, ?, 'c-test-1'), "
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


# --- the dashboard's numbers are the oracle's ------------------------------------------------------------


FILTERS = [
    Filters(),
    Filters(level="prefecture"),
    Filters(jurisdictions=("郑州市", "鹤壁市"), year_from=2023, year_to=2023),
    Filters(category="liaison"),
    Filters(metrics=("appointments.personnel", "deputies.suggestions"), year_from=2018, year_to=2022),
    Filters(year_from=2019, year_to=2021),
    Filters(jurisdictions=("北京市朝阳区", "长春市朝阳区", "郑州市"), year_from=2023, year_to=2023),
    Filters(jurisdictions=("朝阳区",)),  # a shared name bare: no place of that key
]


def _shown(facts: list[dict], f: Filters, categories: dict[str, str]) -> list[dict]:
    """The oracle's facts that the sidebar's filters let through (a missing place or period never matches)."""
    y0 = -9999 if f.year_from is None else f.year_from
    y1 = 9999 if f.year_to is None else f.year_to

    def keep(g: dict) -> bool:
        return (
            (f.level is None or g["level"] == f.level)
            and (f.province is None or g["province"] == f.province)
            and (not f.jurisdictions or g["place"] in f.jurisdictions)
            and (f.category is None or categories.get(g["metric"]) == f.category)
            and (not f.metrics or g["metric"] in f.metrics)
            and g["period_start"] is not None
            and g["period_end"] is not None
            and g["period_end"] >= y0
            and g["period_start"] <= y1
        )

    return [g for g in facts if keep(g)]


def expected_answers(path) -> dict:
    """What the dashboard must answer, by hand from the raw rows."""
    from app.labels import labels

    con = duckdb.connect(str(path), read_only=True)
    try:
        facts = oracle_facts(con)
        reports = rows(con, "reports")
        categories = {m["code"]: m["category"] for m in rows(con, "metrics")}
    finally:
        con.close()
    rank = {k: int(v) for k, v in labels()["report_type_rank"].items()}
    dated = [g for g in facts if g["period_start"] is not None and g["period_end"] is not None]
    spans = [(g["period_start"], g["period_end"]) for g in dated] + [
        (r["period_start"], r["period_end"])
        for r in reports
        if r["period_start"] is not None and r["period_end"] is not None
    ]
    by_report = _groups(facts, lambda g: g["report_id"])
    out: dict = {
        "bounds": (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None,
        "n_facts": len(facts),
        "pending_facts": sum(g["meta_status"] == "pending" for g in facts),
        "report_facts": {r["report_id"]: len(by_report.get(r["report_id"], [])) for r in reports},
        "metric_facts": {m: len(g) for m, g in _groups(facts, lambda g: g["metric"]).items()},
    }
    for i, f in enumerate(FILTERS):
        shown = _shown(facts, f, categories)
        out[f"count{i}"] = len(shown)
        out[f"rows{i}"] = sorted(
            (g["fact_id"], g["value"], g["period_start"], g["period_end"]) for g in shown
        )
        points = []
        for (jur, metric, p0, p1), group in _groups(
            shown, lambda g: (g["place"], g["metric"], g["period_start"], g["period_end"])
        ).items():
            w = min(group, key=lambda g: (rank.get(g["report_type"], 9), g["scope"] is not None, -g["value"],
                                          g["fact_id"]))  # fmt: skip
            points.append((jur, metric, p0, p1, w["fact_id"], w["value"], len(group)))
        out[f"points{i}"] = sorted(points, key=repr)
        out[f"periods{i}"] = sorted(
            (p0, p1, len(group), len({g["place"] for g in group} - {None}))
            for (p0, p1), group in _groups(shown, lambda g: (g["period_start"], g["period_end"])).items()
        )
        out[f"cc{i}"] = sorted(
            (cat, len(group))
            for cat, group in _groups(
                list(
                    {
                        (g["report_id"], g["metric"], g["period_start"], g["period_end"]): g for g in shown
                    }.values()
                ),
                lambda g: categories.get(g["metric"]),
            ).items()
            if cat is not None
        )
        keys = {(p[1], p[0], p[2], p[3]) for p in points}  # metric, jurisdiction, period
        out[f"pc{i}"] = sorted(
            (m, sum(k[0] == m for k in keys), sum(k[0] == m and k[1] is not None for k in keys))
            for m in {k[0] for k in keys}
        )
    return out


def actual_answers(path, use_db) -> dict:
    use_db(path)
    summary = queries.database_summary()
    catalog = queries.metrics_catalog()
    reports = queries.report_list(Filters())
    out: dict = {
        "bounds": queries.year_bounds(),
        "n_facts": summary["n_facts"],
        "pending_facts": summary["pending_facts"],
        "report_facts": dict(zip(reports["report_id"], reports["n_facts"], strict=True)),
        "metric_facts": {c: n for c, n in zip(catalog["code"], catalog["n_facts"], strict=True) if n},
    }
    for i, f in enumerate(FILTERS):
        out[f"count{i}"] = queries.fact_count(f)
        full = queries.fact_rows(f)
        out[f"rows{i}"] = sorted(
            zip(full["fact_id"], full["value"], full["period_start"], full["period_end"], strict=True)
        )
        pts = queries.metric_points(f)
        out[f"points{i}"] = sorted(
            zip(pts["jurisdiction"], pts["metric"], pts["period_start"], pts["period_end"], pts["fact_id"],
                pts["value"], pts["n_candidates"], strict=True),
            key=repr,
        )  # fmt: skip
        per = queries.periods(f)
        out[f"periods{i}"] = sorted(
            zip(per["period_start"], per["period_end"], per["n_facts"], per["n_jurisdictions"], strict=True)
        )
        cc = queries.category_counts(f)
        out[f"cc{i}"] = sorted(zip(cc["category"], cc["n_points"], strict=True))
        pc = queries.point_counts(f)
        out[f"pc{i}"] = sorted(zip(pc["metric"], pc["n_points"], pc["n_with_jurisdiction"], strict=True))
    return _plain(out)


def _plain(x):
    """numpy scalars → Python ones, so the answers compare with the oracle's."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    if pd.isna(x) if not isinstance(x, str) else False:
        return None
    return x.item() if hasattr(x, "item") else x


def _corrected_corpus(path, lib) -> None:
    """The corpus build with what makes the rules work: a corrected value, a rejected fact, an added one,
    and facts without a period of their own (one with a start only)."""
    from conftest import fetch

    from etl.ops.corrections import add_fact

    fid, _, value = fact_of(path, "郑州市", "appointments.personnel")
    correct_fact(path, fid, value=value + 1, user="测试", reason="测试")
    rej, _, _ = fact_of(path, "鹤壁市", "deputies.suggestions")
    reject_fact(path, rej, user="测试", reason="测试")
    (rid,) = fetch(path, "select report_id from reports where source_file = '000_c08ffb83924445c9.txt'")[0]
    # a number the extractor does not take, in the 郑州 2023 report
    add_fact(path, rid, metric="self.requests_reports", value=5, evidence="全年向市委专题汇报5次",
             user="测试", reason="测试")  # fmt: skip
    con = duckdb.connect(str(path))
    try:
        undated = con.execute(
            "select fact_id from facts where period_start is not null order by fact_id limit 3"
        ).fetchall()
        con.execute(
            "update facts set period_start = null, period_end = null where fact_id in (?, ?, ?)",
            [r[0] for r in undated],
        )
        # a term review's fact that names only the year it began: that one year, not the term
        (term_fact,) = con.execute(
            "select min(f.fact_id) from facts f join reports r using (report_id) "
            "where r.period_start < r.period_end and f.fact_id not in (select fact_id from fact_edits)"
        ).fetchone()
        con.execute("update facts set period_start = 2020, period_end = null where fact_id = ?", [term_fact])
    finally:
        con.close()
    refreshed(path)


def test_the_dashboard_answers_what_the_oracle_computes(corpus_copy, use_db):
    path, lib = corpus_copy
    _corrected_corpus(path, lib)
    expected = expected_answers(path)
    assert expected["count0"] > 50 and any(p[6] > 1 for p in expected["points0"])
    got = actual_answers(path, use_db)
    for key, want in expected.items():
        assert got[key] == want, key


def test_two_districts_sharing_a_name_are_two_places_after_an_add(corpus_copy, use_db):
    """北京市朝阳区 and 长春市朝阳区 (same year, same metric) added to the corpus: the incremental refresh and
    the dashboard keep them apart, as the oracle does."""
    path, lib = corpus_copy
    new = lib.parent / "new"
    new.mkdir()
    for place, n in (("北京市朝阳区", 8), ("长春市朝阳区", 12)):
        (new / f"{place}.txt").write_text(district_report(place, n), encoding="utf-8")
    run_etl("add", *sorted(new.iterdir()), "--db", path, "--library", lib, check=True)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert_in_step(con)
    finally:
        con.close()
    expected = expected_answers(path)
    shown = {(p[0], p[5]) for p in expected["points6"] if p[1] == "meetings.standing_committee"}
    assert {("北京市朝阳区", 8), ("长春市朝阳区", 12)} <= shown
    got = actual_answers(path, use_db)
    for key, want in expected.items():
        assert got[key] == want, key


def test_the_dashboard_answers_what_the_oracle_computes_on_the_synthetic_database(synth_db, use_db):
    expected = expected_answers(synth_db)
    assert len({p[0] for p in expected["points0"]}) > 3
    got = actual_answers(synth_db, use_db)
    for key, want in expected.items():
        assert got[key] == want, key


def test_an_older_database_is_refused_with_the_rebuild_command(corpus_copy, use_db):
    path, _ = corpus_copy
    con = duckdb.connect(str(path))
    con.execute("update build_info set value = 'an older schema' where key = 'schema_sha256'")
    con.close()
    use_db(path)
    with pytest.raises(db.OutdatedDatabaseError, match="数据库版本过旧，请重建") as err:
        queries.database_summary()
    assert "make build" in str(err.value) and "python -m etl build" in str(err.value)


def test_a_database_without_the_aggregate_tables_is_refused(corpus_copy, use_db):
    path, _ = corpus_copy
    without_aggregates(path)
    use_db(path)
    with pytest.raises(db.OutdatedDatabaseError, match="数据库版本过旧"):
        queries.jurisdictions()


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


def _announced_write(path) -> subprocess.Popen:
    """Another process's in-place write as etl/write does it: the notice first, then the file read-write
    (retrying while readers hold it); prints how long the file took."""
    code = textwrap.dedent(
        f"""
        import time, duckdb
        from etl.write.lock import writing_in_place
        with writing_in_place({str(path)!r}):
            t = time.monotonic()
            while True:
                try:
                    con = duckdb.connect({str(path)!r})
                    break
                except duckdb.Error:
                    if time.monotonic() - t > 20:
                        raise
                    time.sleep(0.01)
            print(f"open {{time.monotonic() - t:.3f}}", flush=True)
            con.close()
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )


def _query_a_few(use_db, path) -> None:
    use_db(path)
    assert queries.database_summary()["n_reports"] > 0
    with db.session():
        assert not queries.jurisdictions().empty
        assert queries.report_list(Filters()).shape[0] > 0


def test_the_next_query_finds_the_file_still_attached(corpus_copy, use_db, monkeypatch):
    """A query after another within HOLD_S uses the attachment it left (DuckDB's buffers warm)."""
    path, _ = corpus_copy
    _query_a_few(use_db, path)
    attaches = []
    real = db.attach_readonly
    monkeypatch.setattr(db, "attach_readonly", lambda *a, **k: (attaches.append(a), real(*a, **k)))
    for _ in range(3):
        with db.cursor() as cur:
            assert cur.execute("select count(*) from reports").fetchone()[0] > 0
    assert attaches == []


def test_an_idle_dashboard_lets_go_of_the_file_after_hold_s(corpus_copy, use_db):
    path, _ = corpus_copy
    _query_a_few(use_db, path)
    time.sleep(db.HOLD_S + 10 * db.WATCH_S)
    proc = _open_read_write(path)  # not announced, no retry: the file must be free
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip() == "open"


def test_the_dashboard_lets_go_of_the_file_as_soon_as_a_writer_announces_itself(corpus_copy, use_db):
    path, _ = corpus_copy
    _query_a_few(use_db, path)
    proc = _announced_write(path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    waited = float(out.split()[1])
    assert waited < db.HOLD_S / 2, waited  # the watcher let go; it did not wait out the hold
    with db.cursor() as cur:  # and the next query attaches again
        assert cur.execute("select count(*) from reports").fetchone()[0] > 0


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


@pytest.mark.parametrize("sort", ["place", "year_desc", "metric", "value_desc"])
def test_the_first_rows_of_the_data_table_are_the_head_of_the_full_table(corpus_copy, use_db, sort):
    """A first page reads only the reports the aggregates say can hold it; the full table reads every fact."""
    path, _ = corpus_copy
    use_db(path)
    for f in FILTERS:
        full = queries.fact_rows(f, sort)
        for n in (1, 5, 23, 80, len(full) + 5):
            got = queries.fact_rows(f, sort, limit=n)
            pd.testing.assert_frame_equal(got.reset_index(drop=True), full.head(n).reset_index(drop=True))


def test_the_first_rows_hold_facts_a_correction_moved_into_the_metric_and_added_facts(corpus_copy, use_db):
    """The first page reads the facts of the chosen (report, metric) pairs through narrow columns: a fact
    whose metric a correction changed, and a fact an analyst added, are read like the others."""
    path, _ = corpus_copy
    use_db(path)
    moved, _, _ = fact_of(path, "郑州市", "appointments.personnel")
    correct_fact(path, moved, metric="supervision.law_inspections", user="测试", reason="测试")
    from conftest import fetch

    (rid,) = fetch(path, "select report_id from reports where source_file = '000_c08ffb83924445c9.txt'")[0]
    # a number the extractor does not take, in the 郑州 2023 report
    added = add_fact(path, rid, metric="self.requests_reports", value=5, evidence="全年向市委专题汇报5次",
                     user="测试", reason="测试").fact_id  # fmt: skip
    picked = ("supervision.law_inspections", "self.requests_reports")
    for f in (Filters(metrics=picked), Filters(jurisdictions=("郑州市",), metrics=picked)):
        full = queries.fact_rows(f)
        assert {moved, added} <= set(full["fact_id"])
        for n in (1, 3, len(full)):
            got = queries.fact_rows(f, limit=n)
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
        from pathlib import Path
        from etl.write.connect import connect_live
        from etl.write.lock import writing_in_place
        with writing_in_place({str(path)!r}):  # as an in-place writer does: announced, then the file
            con = connect_live(Path({str(path)!r}))
            con.execute("pragma disable_checkpoint_on_shutdown")
            con.execute("delete from reports where report_id = (select min(report_id) from reports)")
            con.close()
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
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
