"""Dashboard speed at national scale: every page's queries and whole page runs, under AppTest.

    .venv/bin/python -m benchmarks.bigdb --out /tmp/big10m.duckdb --facts 10000000
    .venv/bin/python -m benchmarks.bench_dashboard /tmp/big10m.duckdb --repeats 20 > bench.md

For every page the dashboard is driven through a realistic sequence of filter changes in one AppTest session:
the sidebar's (level, province, jurisdictions, year range, category, metric, and back), or, on the pages
that do not follow the sidebar, their own (地图: parent, metric, period; 指标说明: category; 数据质量: check
types), with CONGRESS_DB pointing at the database.  The caches are cleared before every run, so each run
pays for its queries as a user's first visit to that filter combination does ("cold").  Reported:

* page runs: p50 / p95 of AppTest's run() (the whole server-side script run, nothing subtracted; the
  scripts' bytecode is compiled once and reused, as the server's ScriptCache does);
* queries: every app.queries function the runs called, p50 / p95 of its execution inside the app (SQL,
  DataFrame conversion) and of the same SQL with the same parameters on a bare DuckDB connection;
* the cost of opening the database read-only (what the dashboard now does once per script run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboard.py"
# Every page a visitor can open (数据管理 is for analysts only), in the navigation's order.
PAGE_URLS = {
    "overview": "",
    "trends": "trends",
    "compare": "compare",
    "map": "map",
    "data": "data",
    "reports": "reports",
    "export": "export",
    "corrections": "corrections",
    "metrics": "metrics",
    "quality": "quality",
}
QUERY_INTERNALS = {"_execute", "_cached", "_df", "_facts", "<lambda>"}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def _steps(
    page: str, jurs: tuple[str, ...], province: str, maps: list[tuple[str, str, str]]
) -> list[tuple[str, Callable]]:
    """A realistic sequence of filter changes for ``page``; each callable changes the AppTest's widgets.

    Pages that follow the sidebar get sidebar changes; 地图, 指标说明 and 数据质量 do not use the sidebar
    and get changes of their own choices (``maps``: (parent, metric, period) that exist in the database).
    """
    if page == "map":
        return _map_steps(maps)
    if page == "metrics":
        return [
            (f"类别={c or '全部'}", lambda at, c=c: at.selectbox(key="mt_cat").select(c))
            for c in ("supervision", "legislation", "deputies", "")
        ]
    if page == "quality":
        kinds = (["outlier_across_years"], ["outlier_across_years", "part_exceeds_total"], [])
        return [
            (f"类型={'、'.join(k) or '全部'}", lambda at, k=k: at.multiselect(key="dq_kinds").set_value(k))
            for k in kinds
        ]

    def sel(key: str, value):
        return lambda at: at.sidebar.selectbox(key=key).select(value)

    def multi(key: str, values):
        return lambda at: at.sidebar.multiselect(key=key).set_value(list(values))

    def years(a: int, b: int):
        return lambda at: at.sidebar.slider(key="f_years").set_range(a, b)

    return [
        ("层级=地市级", sel("f_level", "prefecture")),
        (f"省份={province}", sel("f_province", province)),
        (f"地区={'、'.join(jurs)}", multi("f_jurs", jurs)),
        ("年份=2015–2020", years(2015, 2020)),
        ("类别=监督", sel("f_cat", "supervision")),
        ("指标=执法检查", multi("f_metrics", ["supervision.law_inspections"])),
        ("清空地区·指标", lambda at: (multi("f_jurs", [])(at), multi("f_metrics", [])(at))),
        ("层级=县级·全部省份", lambda at: (sel("f_level", "county")(at), sel("f_province", "")(at))),
        ("年份=2005–2025·全部类别", lambda at: (years(2005, 2025)(at), sel("f_cat", "")(at))),
        ("层级=全部", sel("f_level", "")),
    ]


def _map_steps(maps: list[tuple[str, str, str]]) -> list[tuple[str, Callable]]:
    """地图: parent, metric and period, each a choice the page offers at that point (see _map_choices)."""

    def sel(key: str, value):
        return lambda at: at.selectbox(key=key).select(value)

    out = []
    for parent, metric, period in maps:
        out.append((f"上级={parent}", sel("map_parent", parent)))
        out.append((f"指标={metric}", sel("map_metric", metric)))
        out.append((f"年份={period}", sel("map_period", period)))
    return out


def _map_choices(db_path: Path) -> list[tuple[str, str, str]]:
    """For a few parents (a province, a prefecture, the country): a metric other than the page's default
    and one of its periods other than the default, as the page's choices list them."""
    from app import geo
    from app.views import period_key

    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS b (READ_ONLY)", [str(db_path)])
    con.execute("USE b")
    out = []
    try:
        for parent in ("河南省", "郑州市", geo.NATIONAL_NAME, "广东省"):
            choices = geo.map_choices(con, parent)
            metrics = list(dict.fromkeys(choices["metric"]))
            if len(metrics) < 2:
                continue
            mine = choices[choices["metric"] == metrics[1]]
            spans = zip(mine["period_start"], mine["period_end"], strict=True)
            periods = [period_key((int(a), int(b))) for a, b in spans]
            out.append((parent, metrics[1], periods[min(1, len(periods) - 1)]))
    finally:
        con.close()
    return out


class _Recorder:
    """Wraps app.queries._execute: which query function ran which SQL, and how long it took in the app."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.sql: dict[str, tuple[str, dict]] = {}
        self.slowest: dict[str, float] = {}
        self.page = ""
        self.active = True  # record query times (the cold runs only)

    def install(self) -> Callable[[], None]:
        from app import queries

        original = queries._execute

        def timed(sql, params, *args, **kwargs):
            if not self.active:
                return original(sql, params, *args, **kwargs)
            name = _caller()
            t0 = time.perf_counter()
            try:
                return original(sql, params, *args, **kwargs)
            finally:
                key = f"{self.page} · {name}"
                ms = (time.perf_counter() - t0) * 1000
                self.times[key].append(ms)
                if ms >= self.slowest.get(key, -1.0):  # the bare replay uses the slowest call's SQL
                    self.slowest[key] = ms
                    self.sql[key] = (sql, dict(params))

        queries._execute = timed
        return lambda: setattr(queries, "_execute", original)


def _caller() -> str:
    f = sys._getframe(2)
    while f is not None:
        code = f.f_code
        if (
            code.co_filename.endswith(os.path.join("app", "queries.py"))
            and code.co_name not in QUERY_INTERNALS
        ):
            return code.co_name
        f = f.f_back
    return "?"


def _open_cost(db_path: Path, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        con = duckdb.connect(":memory:")
        con.execute("ATTACH ? AS congress (READ_ONLY)", [str(db_path)])
        con.execute("USE congress")
        con.execute("select count(*) from reports").fetchall()
        con.close()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _bare(db_path: Path, sql: str, params: dict, repeats: int) -> list[float]:
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS congress (READ_ONLY)", [str(db_path)])
    con.execute("USE congress")
    out = []
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            con.execute(sql, params).fetchall()
            out.append((time.perf_counter() - t0) * 1000)
    finally:
        con.close()
    return out


def _share_script_cache() -> Callable[[], None]:
    """Compile the scripts once, as the server does (its Runtime keeps one ScriptCache for every session
    and rerun); AppTest makes a new ScriptCache for every run, which adds 15–50 ms of parsing and
    compiling dashboard.py and the page to each timed run.  Returns the undo."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    saved = (app_test.ScriptCache, local_script_runner.ScriptCache)
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]

    def undo() -> None:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved  # type: ignore[misc]

    return undo


def _clear_caches() -> None:
    """Empty Streamlit's caches: query results (cache_data) and the 地图 page's views (cache_resource)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _filter_changes(page: str, steps: list, repeats: int) -> list[float]:
    """Full page runs after each filter change, as a user meets them: passes over the step sequence, each
    from an emptied cache and one untimed first view, so each timed run is a new filter combination."""
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    times: list[float] = []
    while len(times) < repeats:
        _clear_caches()
        at = AppTest.from_file(str(DASHBOARD), default_timeout=600)
        if PAGE_URLS[page]:
            at._page_hash = calc_hash(PAGE_URLS[page])
        at.run()  # the first view: not timed
        ran = 0
        for _, change in steps:
            if len(times) >= repeats:
                break
            try:
                change(at)
            except Exception:  # noqa: BLE001 - a widget the page does not draw now
                continue
            t0 = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t0) * 1000)
            ran += 1
        if not ran:
            break
    return times


def run(db_path: Path, repeats: int = 20, pages: list[str] | None = None) -> str:
    """Drive every page at ``db_path`` and return a Markdown section with the timings."""
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    db_path = Path(db_path).resolve()
    size_mb = db_path.stat().st_size / 1e6
    os.environ["CONGRESS_DB"] = str(db_path)
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS b (READ_ONLY)", [str(db_path)])
    n_facts, n_reports = con.execute(
        "select (select count(*) from b.facts), (select count(*) from b.reports)"
    ).fetchone()
    province, jurs = "河南省", ("郑州市", "洛阳市")
    con.close()
    maps = _map_choices(db_path)

    rec = _Recorder()
    uninstall = rec.install()
    unshare = _share_script_cache()
    page_times: dict[str, list[float]] = {}
    change_times: dict[str, list[float]] = {}
    page_notes: dict[str, str] = {}
    try:
        for page in pages or list(PAGE_URLS):
            rec.page = page
            times: list[float] = []
            steps = _steps(page, jurs, province, maps)
            at = None
            failures = 0
            while len(times) < repeats:
                if at is None:
                    at = AppTest.from_file(str(DASHBOARD), default_timeout=600)
                    if PAGE_URLS[page]:
                        at._page_hash = calc_hash(PAGE_URLS[page])
                    change = None
                else:
                    change = steps[(len(times) - 1) % len(steps)][1]
                    try:
                        change(at)
                    except Exception as exc:  # noqa: BLE001 - a widget the page does not draw now
                        failures += 1
                        page_notes[page] = f"{failures} change(s) skipped ({type(exc).__name__})"
                        if failures > 3 * repeats:
                            break
                        at = None
                        continue
                _clear_caches()
                t0 = time.perf_counter()
                at.run()
                times.append((time.perf_counter() - t0) * 1000)
                if at.exception:
                    page_notes[page] = "exception: " + str(at.exception[0].value)[:120]
            page_times[page] = times
            rec.active = False
            change_times[page] = _filter_changes(page, steps, repeats)
            rec.active = True
            print(f"{page}: p50 {_pct(times, 0.5):,.0f} ms, p95 {_pct(times, 0.95):,.0f} ms", file=sys.stderr)
    finally:
        uninstall()
        unshare()

    lines = [
        f"### Dashboard at {n_facts:,} facts / {n_reports:,} reports",
        "",
        f"Database `{db_path.name}` ({size_mb:,.0f} MB); {repeats} runs per page over a sequence of "
        "filter changes: the sidebar's (level, province, jurisdictions, years, category, metric, and back) "
        "on the pages that follow it; on 地图 its parent, metric and period, on 指标说明 its category, on "
        "数据质量 its check types.",
        "",
        "- **filter change**: what a user waits for after changing a filter. The page was open (its "
        "filter-independent queries, such as the sidebar's lists, are cached as they are after the first "
        "view), and every run is the first visit of its filter combination, so every filter-dependent "
        "query misses the cache. The cache is emptied before each pass over the sequence.",
        "- **cold**: the query cache emptied before every run, so every query of the page runs "
        "(the first view after the database changes).",
        "- Both include the whole script run (dashboard.py, the sidebar, the page); the scripts are compiled "
        "once, as the server's ScriptCache does (AppTest would compile them again for every run).",
        "",
        "| page | filter change p50 ms | filter change p95 ms | cold p50 ms | cold p95 ms | runs | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for page, times in page_times.items():
        ch = change_times.get(page, [])
        lines.append(
            f"| {page} | {_pct(ch, 0.5):,.0f} | {_pct(ch, 0.95):,.0f} | {_pct(times, 0.5):,.0f} | "
            f"{_pct(times, 0.95):,.0f} | {len(times)} | {page_notes.get(page, '')} |"
        )
    opens = _open_cost(db_path, max(5, repeats))
    lines += [
        "",
        f"Opening the database read-only (connect + ATTACH + first query + close, once per script run): "
        f"p50 {_pct(opens, 0.5):.1f} ms, p95 {_pct(opens, 0.95):.1f} ms.",
        "",
        "Queries (cache misses only; bare DuckDB = the slowest call's SQL replayed on an open connection):",
        "",
        "| page · query | calls | app p50 ms | app p95 ms | bare DuckDB p50 ms | bare p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key in sorted(rec.times):
        sql, params = rec.sql[key]
        bare = _bare(db_path, sql, params, min(5, repeats))
        t = rec.times[key]
        lines.append(
            f"| {key} | {len(t)} | {_pct(t, 0.5):,.1f} | {_pct(t, 0.95):,.1f} | "
            f"{_pct(bare, 0.5):,.1f} | {_pct(bare, 0.95):,.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="dashboard timings on a (big) database")
    ap.add_argument("db", type=Path)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--pages", nargs="*", default=None, choices=list(PAGE_URLS))
    args = ap.parse_args(argv)
    print(run(args.db, args.repeats, args.pages))


if __name__ == "__main__":
    main()
