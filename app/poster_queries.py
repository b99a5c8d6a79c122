"""The SQL behind the 数说 poster (app/poster.py) and the 地图 page (app/geo.py): plain DuckDB, no Streamlit.

Both run from the command line (`python -m etl poster`) as well as from the dashboard, so they take a
connection instead of going through app/queries.py's Streamlit cache.  They draw the dashboard's points,
without reports waiting for an analyst (meta_status 'pending'):
the aggregate table agg_report_points (each report's candidate per metric and effective period, from the
facts_dated view: corrections applied, the one period rule), one point per place, metric and period chosen
as app/queries.metric_points does: report type rank from labels.yaml, then the committee's own figure
before another scope, then the larger value, then the smaller fact id.  A place is the dashboard's key
(etl/store/schema.sql reports_placed: 北京市朝阳区 where several divisions share the bare name); the points
carry it as ``jurisdiction`` and the bare name as ``division``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from app.labels import labels
from app.results import frame


def label_sql(level: str, code: str) -> str:
    """A metric's label as SQL (metrics joined as m): 全国's own word where the catalog has one (制定法律, not
    制定地方性法规), else the label, else the code.  app/queries.py uses it too."""
    return f"coalesce(case when {level} = 'national' then m.label_zh_national end, m.label_zh, {code})"


def rank_params() -> dict:
    """The report type ranks (labels.yaml) as the $rt_codes / $rt_ranks parameters of points_cte()."""
    ranks = labels()["report_type_rank"]
    return {"rt_codes": list(ranks), "rt_ranks": [int(v) for v in ranks.values()]}


def points_cte(where: str, joins: str = "", *, late: bool = False) -> str:
    """The chart-point rule as the CTEs ``cand`` and ``w`` (w: one row per place, metric and period, with
    n_candidates): among the candidates of agg_report_points (as ``a``, ``joins`` added, ``where`` = more
    `and …` conditions), the report type ranked first, then the committee's own figure (no scope), then the
    larger value, then the smaller fact id.  The one place this rule is written; needs rank_params().

    ``late``: choose on the narrow columns, then read the winners' rows (evidence and the rest) by row id in
    the same statement; for a selective filter that agg_report_points' order (by place) does not serve,
    such as 地图's one metric and period across places, where reading every column of the scattered
    candidates cost more than choosing (120 → 55 ms at 10 M facts)."""
    rank = """coalesce(
            list_extract($rt_ranks::integer[], list_position($rt_codes::varchar[], a.report_type)), 9
        ) as type_rank"""
    choose = """sum(n_facts) over (partition by place, metric, period_start, period_end)::bigint
        as n_candidates
    from cand
    qualify row_number() over (
        partition by place, metric, period_start, period_end
        order by type_rank, scope is not null, value desc, fact_id) = 1"""
    if not late:
        return f"""
with cand as (
    select a.*, {rank}
    from agg_report_points a {joins}
    where true {where}
),
w as (
    select *, {choose}
)
"""
    return f"""
with cand as (
    select a.rowid as arow, a.place, a.metric, a.period_start, a.period_end, a.scope, a.value, a.fact_id,
        a.n_facts, {rank}
    from agg_report_points a {joins}
    where true {where}
),
w0 as (
    select arow, {choose}
),
w as (select a.*, w0.n_candidates from w0 join agg_report_points a on a.rowid = w0.arow)
"""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    return frame(con.execute(sql, params))  # text columns as str / None (app/results.py)


_POINTS = """
select w.fact_id, w.report_id, w.metric,
    {label} as label_zh, m.category, m.kind, m.measure,
    w.value, coalesce(w.unit, m.unit) as unit, w.qualifier, w.scope, w.evidence, w.corrected,
    w.period_start, w.period_end, w.place as jurisdiction, w.jurisdiction as division, w.report_type,
    w.delivered, w.report_period_start, w.report_period_end,
    coalesce(nullif(trim(w.title), ''), nullif(trim(s.title), '')) as report_title,
    w.n_candidates
from w
left join metrics m on m.code = w.metric
left join report_sources s on s.source_file = w.source_file
order by w.place, w.metric, w.period_start, w.period_end
"""


def _candidates(where: str) -> str:
    """The conditions on agg_report_points (as ``a``) that make a row a candidate for these points:
    a place and a period, ``where``, and a report not waiting for an analyst."""
    return (
        "and a.place is not null and a.period_start is not null and a.period_end is not null"
        f" {where} and a.report_id not in (select report_id from reports where meta_status = 'pending')"
    )


def _points(con: duckdb.DuckDBPyConnection, where: str, params: dict, *, late: bool = False) -> pd.DataFrame:
    sql = points_cte(_candidates(where), late=late) + _POINTS.replace(
        "{label}", label_sql("w.level", "w.metric")
    )
    return _frame(con, sql, params | rank_params())


def has_points(con: duckdb.DuckDBPyConnection, jurisdiction: str, period: tuple[int, int]) -> bool:
    """Whether the jurisdiction has a point of a metric that is not a sub-metric for exactly this period:
    what the poster needs (every group of candidates makes one point, so no point has to be chosen)."""
    where = (
        "and a.place = $jur and a.period_start = $p0 and a.period_end = $p1 and m.kind is distinct from 'sub'"
    )
    sql = f"""
    select exists (
        select 1 from agg_report_points a left join metrics m on m.code = a.metric
        where true {_candidates(where)}
    )
    """
    return bool(con.execute(sql, {"jur": jurisdiction, "p0": period[0], "p1": period[1]}).fetchone()[0])


def jurisdiction_points(con: duckdb.DuckDBPyConnection, jurisdiction: str, up_to: int) -> pd.DataFrame:
    """Every chart point of one jurisdiction whose period ends by ``up_to`` (the poster's year and its
    past)."""
    where = "and a.place = $jur and a.period_end <= $up_to"
    return _points(con, where, {"jur": jurisdiction, "up_to": up_to})


def poster_periods(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every jurisdiction and period with at least one point: what `etl poster --all` draws."""
    sql = """
    select distinct place as jurisdiction, period_start, period_end
    from agg_report_points
    where place is not null and period_start is not null and period_end is not null
        and report_id not in (select report_id from reports where meta_status = 'pending')
    order by 1, 2, 3
    """
    return _frame(con, sql, {})


def level_points(
    con: duckdb.DuckDBPyConnection, parent: str, metric: str, period: tuple[int, int]
) -> pd.DataFrame:
    """The map's values: one point per jurisdiction whose parent is ``parent``, for one metric and period."""
    # the report's parent is a column of the aggregate: a plain filter in its scan, not a semi-join of the
    # reports table (at 10 M facts: 31–48 → 22–32 ms; children_with_data 43–48 → 14–21 ms)
    where = "and a.metric = $metric and a.period_start = $p0 and a.period_end = $p1 and a.parent = $parent"
    params = {"parent": parent, "metric": metric, "p0": period[0], "p1": period[1]}
    return _points(con, where, params, late=True)


def children_with_data(con: duckdb.DuckDBPyConnection, parent: str) -> pd.DataFrame:
    """Per metric and period: how many of ``parent``'s children have a point (the map's choices), most
    first, with the unit most of them state.  Every group of candidates makes one point, so this counts
    places without choosing the points."""
    sql = """
    select a.metric, coalesce(m.label_zh, a.metric) as label_zh, a.period_start, a.period_end,
        mode(coalesce(a.unit, m.unit)) as unit, count(distinct a.place) as n
    from agg_report_points a
    left join metrics m on m.code = a.metric
    where a.place is not null and a.period_start is not null and a.period_end is not null
        and a.parent = $parent
        and a.report_id not in (select report_id from reports where meta_status = 'pending')
    group by all
    order by n desc, a.period_end desc, a.metric, a.period_start
    """
    return _frame(con, sql, {"parent": parent})


def divisions(con: duckdb.DuckDBPyConnection, parent: str) -> pd.DataFrame:
    """The divisions under ``parent`` (the jurisdictions table, from etl/data/divisions.csv), with their
    codes."""
    sql = (
        "select distinct name, level, parent, province, code from jurisdictions "
        "where parent = $p order by code"
    )
    return _frame(con, sql, {"p": parent})


def division_code(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = con.execute(
        "select code from jurisdictions where name = $n order by code limit 1", {"n": name}
    ).fetchone()
    return row[0] if row else None


def reporting_parents(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Parents with at least one reporting child (pending reports left out), provinces first."""
    rows = con.execute(
        "select r.parent, "
        "min(case r.level when 'provincial' then 0 when 'prefecture' then 1 else 2 end) as o "
        "from reports r where r.parent is not null and r.jurisdiction is not null "
        "and coalesce(r.meta_status, 'ok') <> 'pending' group by 1 order by 2, 1"
    ).fetchall()
    return [r[0] for r in rows]


def metric_label_unit(con: duckdb.DuckDBPyConnection, metric: str) -> tuple[str, str | None] | None:
    """(label_zh, usual unit) of a catalog metric, or None."""
    return con.execute("select label_zh, unit from metrics where code = $m", {"m": metric}).fetchone()
