"""The SQL behind the 数说 poster (app/poster.py) and the 地图 page (app/geo.py): plain DuckDB, no Streamlit.

(Kept apart from app/queries.py, whose functions read through the dashboard's Streamlit cache.)

Both run from the command line (`python -m etl poster`) as well as from the dashboard, so they take a
connection instead of going through app/queries.py's Streamlit cache.  They follow the dashboard's
rules: facts as corrected (facts_current), reports waiting for an analyst (meta_status = 'pending')
left out, and one point per jurisdiction, metric and period chosen as app/queries.metric_points does
(report type rank from labels.yaml, then the committee's own figure before another scope, then the larger
value).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from app.labels import labels

_LEGACY = "(select *, false as corrected, cast(null as varchar) as correction_id from facts)"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database()"
    ).fetchall()
    return {r[0] for r in rows}


def _facts_source(con: duckdb.DuckDBPyConnection) -> str:
    return "facts_current" if "facts_current" in _tables(con) else _LEGACY


def _rank_params() -> dict:
    ranks = labels()["report_type_rank"]
    return {"rt_codes": list(ranks), "rt_ranks": [int(v) for v in ranks.values()]}


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    df = con.execute(sql, params).df()
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype) in ("str", "string"):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


_POINTS = """
with base as (
    select f.fact_id, f.report_id, f.metric,
        coalesce(m.label_zh, f.metric) as label_zh, m.category, m.kind, m.measure,
        f.value, coalesce(f.unit, m.unit) as unit, f.qualifier, f.scope, f.evidence, f.corrected,
        coalesce(f.period_start, r.period_start) as period_start,
        coalesce(f.period_end, f.period_start, r.period_end) as period_end,
        r.jurisdiction, r.report_type, r.delivered,
        r.period_start as report_period_start, r.period_end as report_period_end,
        coalesce(nullif(trim(r.title), ''), nullif(trim(s.title), '')) as report_title,
        coalesce(list_extract($rt_ranks::integer[], list_position($rt_codes::varchar[], r.report_type)), 9)
            as type_rank
    from {facts} f
    join reports r on r.report_id = f.report_id
    left join metrics m on m.code = f.metric
    left join report_sources s on s.source_file = r.source_file
    where r.jurisdiction is not null and coalesce(r.meta_status, 'ok') <> 'pending' {where}
)
select * exclude (type_rank),
    count(*) over (partition by jurisdiction, metric, period_start, period_end) as n_candidates
from base
where period_start is not null and period_end is not null
qualify row_number() over (
    partition by jurisdiction, metric, period_start, period_end
    order by type_rank, scope is not null, value desc, fact_id) = 1
order by jurisdiction, metric, period_start, period_end
"""


def _points(con: duckdb.DuckDBPyConnection, where: str, params: dict) -> pd.DataFrame:
    sql = _POINTS.replace("{facts}", _facts_source(con)).replace("{where}", where)
    if "report_sources" not in _tables(con):
        sql = sql.replace(
            "left join report_sources s on s.source_file = r.source_file",
            "left join (select null::varchar as source_file, null::varchar as title) s on false",
        )
    return _frame(con, sql, params | _rank_params())


def jurisdiction_points(con: duckdb.DuckDBPyConnection, jurisdiction: str, up_to: int) -> pd.DataFrame:
    """Every chart point of one jurisdiction whose period ends by ``up_to`` (the poster's year and its
    past)."""
    return _points(con, "and r.jurisdiction = $jur", {"jur": jurisdiction}).query("period_end <= @up_to")


def poster_periods(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every jurisdiction and period with at least one point: what `etl poster --all` draws."""
    sql = f"""
    select distinct r.jurisdiction,
        coalesce(f.period_start, r.period_start) as period_start,
        coalesce(f.period_end, f.period_start, r.period_end) as period_end
    from {_facts_source(con)} f join reports r on r.report_id = f.report_id
    where r.jurisdiction is not null and coalesce(r.meta_status, 'ok') <> 'pending'
        and coalesce(f.period_start, r.period_start) is not null
    order by 1, 2, 3
    """
    return _frame(con, sql, {})


def level_points(
    con: duckdb.DuckDBPyConnection, parent: str, metric: str, period: tuple[int, int]
) -> pd.DataFrame:
    """The map's values: one point per jurisdiction whose parent is ``parent``, for one metric and period."""
    where = "and r.parent = $parent and f.metric = $metric"
    pts = _points(con, where, {"parent": parent, "metric": metric})
    return pts[(pts["period_start"] == period[0]) & (pts["period_end"] == period[1])].reset_index(drop=True)


def children_with_data(con: duckdb.DuckDBPyConnection, parent: str) -> pd.DataFrame:
    """Per metric and period: how many of ``parent``'s children have a point (the map's choices)."""
    pts = _points(con, "and r.parent = $parent", {"parent": parent})
    if pts.empty:
        return pd.DataFrame(columns=["metric", "label_zh", "unit", "period_start", "period_end", "n"])
    return (
        pts.groupby(["metric", "label_zh", "period_start", "period_end"], as_index=False)
        .agg(n=("jurisdiction", "nunique"), unit=("unit", "first"))
        .sort_values(["n", "period_end", "metric"], ascending=[False, False, True], kind="stable")
        .reset_index(drop=True)
    )


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
