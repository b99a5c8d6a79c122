"""Every question the dashboard asks the database: one function each, parameterized SQL, DataFrames out.

This is the only module with SQL.  Results are cached per database version (path, inode, mtime), so a
rebuilt database is read afresh on the next rerun and a filter change on an unchanged one costs little.

Facts are read from ``facts_current`` (etl/schema.sql): analysts' corrections applied, rejected facts
left out, added facts in, each row with ``corrected`` and ``correction_id``.  A database built before
corrections existed has only ``facts``; it is read as it is, every row ``corrected = false``.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from app import db
from app.filters import Filters
from app.labels import labels


def _rank_params() -> dict:
    ranks = labels()["report_type_rank"]
    return {"rt_codes": list(ranks), "rt_ranks": [int(v) for v in ranks.values()]}


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(sql: str, params: tuple, version: db.DbVersion) -> pd.DataFrame:
    with db.cursor(version) as cur:
        df = cur.execute(sql, _thaw(params)).df()
    # pandas 3 marks a missing string as NaN (a truthy float); the pages and charts expect None.
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype) in ("str", "string"):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def _df(sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run ``sql`` with named ``$params`` against the current database (cached per file version)."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
    return _cached(sql, frozen, db.db_version())


def _thaw(params: tuple) -> dict:
    """Cache keys hold tuples; DuckDB wants its list parameters as lists."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params}


# Corrections-aware databases have the view; older files are read as "nothing corrected".
_CURRENT = "facts_current"
_LEGACY = "(select *, false as corrected, cast(null as varchar) as correction_id from facts)"


def _tables() -> set[str]:
    """Tables and views of the current database file."""
    sql = "select table_name from information_schema.tables where table_catalog = $cat"
    return set(_df(sql, {"cat": db.CATALOG})["table_name"])


def has_corrections() -> bool:
    """True when the database records corrections (facts_current and the audit table exist)."""
    return {"facts_current", "corrections"} <= _tables()


def _facts(sql: str) -> str:
    """``sql`` with its {facts} placeholder naming the corrected facts (or the plain facts of an old file)."""
    return sql.replace("{facts}", _CURRENT if "facts_current" in _tables() else _LEGACY)


_FACTS_CTE = """
with base as (
    select
        f.fact_id, f.report_id, f.metric,
        coalesce(m.label_zh, f.metric) as label_zh,
        m.category, m.kind, m.unit as metric_unit,
        f.value, f.unit, f.qualifier,
        coalesce(f.period_start, r.period_start) as period_start,
        coalesce(f.period_end, f.period_start, r.period_end) as period_end,
        f.scope, f.evidence, f.evidence_start, f.evidence_end, f.value_text, f.corrected, f.correction_id,
        r.jurisdiction, r.level, r.province, r.parent, r.report_type, r.title, r.source_file,
        r.period_start as report_period_start, r.period_end as report_period_end, r.delivered,
        coalesce(list_extract($rt_ranks::integer[], list_position($rt_codes::varchar[], r.report_type)), 9)
            as type_rank
    from {facts} f
    join reports r on r.report_id = f.report_id
    left join metrics m on m.code = f.metric
    where ($level::varchar is null or r.level = $level)
      and ($province::varchar is null or r.province = $province)
      and (len($jurs::varchar[]) = 0 or list_contains($jurs::varchar[], r.jurisdiction))
      and ($category::varchar is null or m.category = $category)
      and (len($metrics::varchar[]) = 0 or list_contains($metrics::varchar[], f.metric))
),
in_range as (
    select * from base where period_end >= $y0 and period_start <= $y1
)
"""


def fact_rows(f: Filters) -> pd.DataFrame:
    """Every fact matching the filters, with its metric's labels and its report's metadata (数据 page)."""
    sql = (
        _FACTS_CTE
        + """
    select * exclude (type_rank) from in_range
    order by jurisdiction, period_start, period_end, category, metric, value desc
    """
    )
    return _df(_facts(sql), f.sql_params() | _rank_params())


def metric_points(f: Filters) -> pd.DataFrame:
    """One value per jurisdiction, metric and period: the one a chart draws.

    When several facts compete (two reports for one year, or a part and its total in one report), the
    report type ranked first in labels.yaml wins, then the larger value; n_candidates says how many there
    were, so the hover can say "另有 N 条".
    """
    sql = (
        _FACTS_CTE
        + """
    select * exclude (type_rank),
        count(*) over (partition by jurisdiction, metric, period_start, period_end) as n_candidates
    from in_range
    qualify row_number() over (
        partition by jurisdiction, metric, period_start, period_end
        order by type_rank, value desc, fact_id) = 1
    order by jurisdiction, metric, period_start, period_end
    """
    )
    return _df(_facts(sql), f.sql_params() | _rank_params())


def jurisdictions() -> pd.DataFrame:
    """Each jurisdiction with reports: level, province, parent, how many reports and which years."""
    sql = """
    select r.jurisdiction as name,
        coalesce(any_value(r.level), any_value(j.level)) as level,
        coalesce(any_value(r.province), any_value(j.province)) as province,
        coalesce(any_value(r.parent), any_value(j.parent)) as parent,
        count(distinct r.report_id) as n_reports,
        min(r.period_start) as first_year, max(r.period_end) as last_year
    from reports r
    left join jurisdictions j on j.name = r.jurisdiction and (r.province is null or j.province = r.province)
    where r.jurisdiction is not null
    group by r.jurisdiction
    order by r.jurisdiction
    """
    return _df(sql)


def metrics_catalog() -> pd.DataFrame:
    """The metrics table with how many facts each metric has."""
    sql = """
    select m.code, m.category, m.label_zh, m.label_en, m.unit, m.kind,
        count(f.fact_id) as n_facts
    from metrics m
    left join {facts} f on f.metric = m.code
    group by all
    order by m.category, m.code
    """
    return _df(_facts(sql))


def year_bounds() -> tuple[int, int] | None:
    """The first and last year any fact or report covers; None when the database holds no reports."""
    sql = """
    select min(y0), max(y1) from (
        select period_start as y0, period_end as y1 from {facts}
        union all
        select period_start, period_end from reports
    ) where y0 is not null and y1 is not null
    """
    row = _df(_facts(sql)).iloc[0]
    if pd.isna(row.iloc[0]):
        return None
    return int(row.iloc[0]), int(row.iloc[1])


def periods(f: Filters) -> pd.DataFrame:
    """The periods (one year or a term) that facts matching ``f`` cover, with how many facts each."""
    sql = (
        _FACTS_CTE
        + """
    select period_start, period_end, count(*) as n_facts, count(distinct jurisdiction) as n_jurisdictions
    from in_range
    group by period_start, period_end
    order by (period_start = period_end) desc, period_end desc, period_start desc
    """
    )
    return _df(_facts(sql), f.sql_params() | _rank_params())


def report_list(f: Filters) -> pd.DataFrame:
    """Reports whose jurisdiction and period match the filters (category and metric ignored)."""
    sql = """
    select r.report_id, r.source_file, r.title, r.jurisdiction, r.level, r.parent, r.province,
        r.period_start, r.period_end, r.report_type, r.delivered,
        (select count(*) from {facts} f where f.report_id = r.report_id) as n_facts
    from reports r
    where ($level::varchar is null or r.level = $level)
      and ($province::varchar is null or r.province = $province)
      and (len($jurs::varchar[]) = 0 or list_contains($jurs::varchar[], r.jurisdiction))
      and coalesce(r.period_end, 9999) >= $y0 and coalesce(r.period_start, -9999) <= $y1
    order by r.period_end desc, r.period_start desc, r.jurisdiction, r.source_file
    """
    p = f.sql_params()
    return _df(_facts(sql), {k: p[k] for k in ("level", "province", "jurs", "y0", "y1")})


def report_meta(report_id: str) -> pd.DataFrame:
    """One report's metadata row (empty frame when the id is unknown)."""
    sql = """
    select r.*, (select count(*) from {facts} f where f.report_id = r.report_id) as n_facts
    from reports r where r.report_id = $rid
    """
    return _df(_facts(sql), {"rid": report_id})


def report_text(report_id: str) -> str | None:
    """The normalized text the fact offsets point into."""
    out = _df("select norm_text from report_texts where report_id = $rid", {"rid": report_id})
    return None if out.empty else str(out.iloc[0, 0])


def report_facts(report_id: str) -> pd.DataFrame:
    """The facts of one report in text order, as corrected, with their metric labels."""
    sql = """
    select f.fact_id, f.metric, coalesce(m.label_zh, f.metric) as label_zh, m.category,
        f.value, f.unit, f.qualifier, f.period_start, f.period_end, f.scope,
        f.evidence, f.evidence_start, f.evidence_end, f.value_text, f.value_start, f.value_end, f.section,
        f.corrected, f.correction_id
    from {facts} f left join metrics m on m.code = f.metric
    where f.report_id = $rid
    order by f.value_start, f.metric, f.fact_id
    """
    return _df(_facts(sql), {"rid": report_id})


def database_summary() -> dict:
    """Counts for the footer: reports, facts, jurisdictions, and when the database was built."""
    counts = _df(
        _facts(
            """
        select (select count(*) from reports) as n_reports,
               (select count(*) from {facts}) as n_facts,
               (select count(distinct jurisdiction) from reports) as n_jurisdictions
        """
        )
    ).iloc[0]
    out = {k: int(v) for k, v in counts.items()}
    try:
        info = _df("select key, value from build_info")
        out["build_info"] = dict(zip(info["key"], info["value"], strict=False))
    except duckdb.Error:  # build_info is optional for databases built elsewhere
        out["build_info"] = {}
    return out


def corrections_log() -> pd.DataFrame:
    """Every correction in log order with its status (applied / orphaned / reverted) and its report.

    For a rejected or added fact, the fact's metric, value, unit and period (from the extracted facts or
    the added ones) so the audit can say what was rejected or added; empty for an old database.
    """
    if not has_corrections():
        return pd.DataFrame(
            columns=["correction_id", "seq", "action", "fact_id", "report_id", "target_correction_id",
                     "changes", "summary", "evidence", "user_name", "at_utc", "reason", "status",
                     "status_note", "source_file", "jurisdiction", "report_period_start",
                     "report_period_end", "fact_metric", "fact_value", "fact_unit", "fact_period_start",
                     "fact_period_end"]
        )  # fmt: skip
    sql = """
    select c.correction_id, c.seq, c.action, c.fact_id, c.report_id, c.target_correction_id, c.changes,
        c.summary, c.evidence, c.user_name, c.at_utc, c.reason, c.status, c.status_note,
        r.source_file, r.jurisdiction, r.period_start as report_period_start,
        r.period_end as report_period_end,
        coalesce(f.metric, a.metric) as fact_metric, coalesce(f.value, a.value) as fact_value,
        coalesce(f.unit, a.unit) as fact_unit,
        coalesce(f.period_start, a.period_start) as fact_period_start,
        coalesce(f.period_end, a.period_end) as fact_period_end
    from corrections c
    left join reports r on r.report_id = c.report_id
    left join facts f on f.fact_id = c.fact_id
    left join added_facts a on a.fact_id = c.fact_id
    order by c.seq
    """
    return _df(sql)


def metric_labels() -> dict[str, str]:
    """Metric code → Chinese label, from the database's metrics table."""
    cat = metrics_catalog()
    return dict(zip(cat["code"], cat["label_zh"], strict=False))
