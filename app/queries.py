"""Every question the dashboard asks the database: one function each, parameterized SQL, DataFrames out.

This is the only module with SQL.  Results are cached per database version (path, inode, mtime), so a
rebuilt database is read afresh on the next rerun and a filter change on an unchanged one costs little.

Facts are read from ``facts_dated`` (etl/store/schema.sql): analysts' corrections applied, rejected facts left
out, added facts in, each row with ``corrected`` and ``correction_id``, its report's metadata and its
effective period.  Counts and chart points come from the pre-aggregated tables (etl/store/aggregates.py),
which every write refreshes.

A place is keyed by ``reports_placed.place`` (etl/store/schema.sql): the bare name (郑州市) where it
names one division, the parent-qualified one (北京市朝阳区, 长春市朝阳区) where several share it.  Every
frame here calls that key ``jurisdiction`` (what the pages filter, group, label and put in URLs by), and
every place filter and grouping uses it; the bare official name stays in ``reports.jurisdiction``
(report_meta's, beside ``parent``).  app/db.py refuses a database stamped with another schema version
(数据库版本过旧，请重建), so each question has one SQL path and no fallback for older files.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app import db
from app.filters import Filters
from app.labels import labels
from app.poster_queries import label_sql, points_cte, rank_params
from app.results import frame


def _execute(sql: str, params: dict, version: db.DbVersion) -> pd.DataFrame:
    with db.cursor(version) as cur:
        return frame(cur.execute(sql, params))


# Keyed on a digest of the parameters: Streamlit's own hashing walks a tuple element by element, 3–5 ms
# for the 2,800 jurisdiction names a county-level scope passes, on every call, hit or miss.
@st.cache_data(max_entries=512, show_spinner=False)
def _cached(sql: str, key: str, version: db.DbVersion, _params: tuple) -> pd.DataFrame:
    return _execute(sql, _thaw(_params), version)  # text columns as str / None (app/results.py)


def _df(sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run ``sql`` with named ``$params`` against the current database (cached per file version)."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
    # the repr of str, int, float, None and tuples of them names them unambiguously
    digest = hashlib.blake2b(repr(frozen).encode("utf-8"), digest_size=20).hexdigest()
    memo = db.run_memo()
    if memo is None:
        return _cached(sql, digest, db.db_version(), frozen)
    # Keyed on the file version too, so a write during the run is read afresh; each caller gets its own
    # copy, as from st.cache_data.
    version = db.db_version()
    key = (sql, frozen, version)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = _cached(sql, digest, version, frozen)
    return hit.copy()


def _thaw(params: tuple) -> dict:
    """Cache keys hold tuples; DuckDB wants its list parameters as lists."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params}


def _where(f: Filters, r: str = "r", m: str = "m", metric: str = "f.metric") -> str:
    """The sidebar's restrictions as SQL conditions (only those in force), for the $params of sql_params().
    ``r`` has the place key (reports_placed, facts_dated or an aggregate table).

    Lists are tested with list_contains, a plain filter that DuckDB pushes into the scan (through the
    facts_dated view's join too); an IN (subquery) would be a semi-join applied after that join."""
    out = []
    if f.level is not None:
        out.append(f"{r}.level = $level")
    if f.province is not None:
        out.append(f"{r}.province = $province")
    if f.jurisdictions:
        out.append(f"list_contains($jurs::varchar[], {r}.place)")
    if f.category is not None:
        out.append(f"{m}.category = $category")
    if f.metrics:
        out.append(f"list_contains($metrics::varchar[], {metric})")
    return "".join(f"\n      and {c}" for c in out)


def _params(f: Filters, *extra: dict) -> dict:
    """sql_params() without the parameters the SQL does not use (DuckDB rejects unused ones)."""
    p = f.sql_params()
    keep = {"y0", "y1"}
    keep |= {k for k, on in (("level", f.level is not None), ("province", f.province is not None),
                            ("jurs", bool(f.jurisdictions)), ("category", f.category is not None),
                            ("metrics", bool(f.metrics))) if on}  # fmt: skip
    out = {k: v for k, v in p.items() if k in keep}
    for e in extra:
        out |= e
    return out


def _metrics_join(f: Filters) -> str:
    """The join of ``metrics m`` that _where(f, "a", "m", …) needs: only for a category filter.  DuckDB keeps
    an unused left join, and over all 2.8 M aggregate rows at 10 M facts it cost 15 ms a query."""
    return "left join metrics m on m.code = a.metric" if f.category is not None else ""


# The facts under the sidebar's filters, with their metric's labels (facts_dated has the report's metadata
# and the effective period).  {source}: facts_dated, or a part of it that holds the rows wanted.
_FACTS_CTE = """
with base as (
    select
        f.fact_id, f.report_id, f.metric,
        {label} as label_zh,
        m.category, m.kind, coalesce(m.measure, 'flow') as measure, m.unit as metric_unit,
        f.value, f.unit, f.qualifier, f.period_start, f.period_end,
        f.scope, f.evidence, f.evidence_start, f.evidence_end, f.value_text, f.corrected, f.correction_id,
        f.place as jurisdiction, f.level, f.province, f.parent, f.report_type, f.title, f.source_file,
        f.report_period_start, f.report_period_end, f.delivered
    from {source} f
    left join metrics m on m.code = f.metric
    where true {where}
),
in_range as (
    select * from base where period_end >= $y0 and period_start <= $y1
)
"""


def _facts_cte(f: Filters, source: str = "facts_dated") -> str:
    return (
        _FACTS_CTE.replace("{where}", _where(f, "f"))
        .replace("{source}", source)
        .replace("{label}", label_sql("f.level", "f.metric"))
    )


# The 数据 page's orders (app/views.SORTS), each followed by the order the full table always had, so a
# limited first page is exactly the head of the full table.
_BASE_ORDER = "jurisdiction, period_start, period_end, category, metric, value desc, fact_id"
_SORT_SQL = {
    "place": "jurisdiction, period_start, period_end, category_rank, metric",
    "year_desc": "period_end desc, period_start desc, jurisdiction desc, metric desc",
    "metric": "category_rank, metric, jurisdiction, period_start",
    "value_desc": "value desc, jurisdiction desc",
}


def _category_params() -> dict:
    return {"cat_codes": list(labels()["categories"])}


def _contains_sql(contains: str) -> tuple[str, dict]:
    if not contains:
        return "", {}
    cond = "contains(coalesce({c}, ''), $needle)"
    sql = " or ".join(cond.format(c=c) for c in ("evidence", "label_zh", "jurisdiction"))
    return f"where ({sql})", {"needle": contains.strip()}


def fact_rows(f: Filters, sort: str = "place", contains: str = "", limit: int | None = None) -> pd.DataFrame:
    """Facts matching the filters (and the 数据 page's search), with metric labels and report metadata.

    In the 数据 page's ``sort`` order; ``limit`` keeps the first rows only (the page shows a first page
    and exports everything).
    """
    where, extra = _contains_sql(contains)
    source = "facts_dated"
    if limit is not None and not contains:
        source, more = _first_rows_source(f, sort, int(limit))
        extra = extra | more
    sql = (
        _facts_cte(f, source)
        + f"""
    select * exclude (category_rank) from (
        select *, coalesce(list_position($cat_codes::varchar[], category) - 1, len($cat_codes::varchar[]))
            as category_rank
        from in_range {where}
    )
    order by {_SORT_SQL.get(sort, _SORT_SQL["place"])}, {_BASE_ORDER}
    """
        + (f"limit {int(limit)}" if limit is not None else "")
    )
    return _df(sql, _params(f, _category_params(), extra))


_GROUP_SORT_SQL = {
    "place": "jurisdiction, period_start, period_end, category_rank, metric",
    "year_desc": "period_end desc, period_start desc, jurisdiction desc, metric desc",
    "metric": "category_rank, metric, jurisdiction, period_start",
}


def _first_rows_source(f: Filters, sort: str, limit: int) -> tuple[str, dict]:
    """The facts to read for the first ``limit`` rows of fact_rows(f, sort): a subquery over facts_dated
    restricted to the reports (or, for value_desc, the values) that can hold them, found in the aggregates.

    Rows are ordered by the sort key, which each aggregate row fixes (report, metric, period) or bounds
    (value: its largest); the aggregate rows up to the one where the running count reaches ``limit``, with
    every row tied with it, hold all of the first rows.  Reading every fact of a chosen (report, metric)
    only adds rows that the query's own filter, order and limit then place after them.
    """
    groups = f"""
        select a.report_id, a.place as jurisdiction, a.metric, a.period_start, a.period_end, a.n_facts,
            a.value,
            coalesce(list_position($cat_codes::varchar[], m.category) - 1, len($cat_codes::varchar[]))
                as category_rank
        from agg_report_points a left join metrics m on m.code = a.metric
        where a.period_end >= $y0 and a.period_start <= $y1 {_where(f, "a", "m", "a.metric")}
    """
    params = _params(f, _category_params(), {"lim": limit})
    if sort == "value_desc":
        sql = f"""
        with g as ({groups})
        select (select value from g order by value desc limit 1 offset $lim - 1) as threshold
        """
        threshold = _df(sql, params).iloc[0, 0]
        if pd.isna(threshold):
            return "facts_dated", {}
        return "(select * from facts_dated where value >= $threshold)", {"threshold": float(threshold)}
    key = _GROUP_SORT_SQL.get(sort, _GROUP_SORT_SQL["place"])
    cols = [c.split()[0] for c in key.split(", ")]
    same = " and ".join(f"g.{c} is not distinct from chosen.{c}" for c in cols if c != "jurisdiction")
    # The first $lim aggregate rows by key (a top-N, no full sort) hold every key up to the one where the
    # running count reaches $lim; every aggregate row with one of those keys is a candidate.
    # g is read again for the candidates; NOT MATERIALIZED: DuckDB would otherwise write all its rows (2.8 M
    # at 10 M facts, 300 MB) before the top-N, instead of scanning the aggregate again (190 → 60 ms
    # unfiltered).  The place is matched with = (the chosen places' range then prunes the scan of the
    # aggregate, which is ordered by place: 77 → 20 ms at county level), and rows without a place apart.
    sql = f"""
    with g as not materialized ({groups}),
    top as (select {", ".join(cols)}, n_facts from g order by {key} limit $lim),
    keys as (select {", ".join(cols)}, sum(n_facts) as n from top group by all),
    c as (select *, sum(n) over (order by {key}) - n as before from keys),
    chosen as (select {", ".join(cols)} from c where before < $lim)
    select g.report_id, g.metric from g semi join chosen
        on g.jurisdiction = chosen.jurisdiction and g.metric = chosen.metric and {same}
    union
    select g.report_id, g.metric from g semi join chosen
        on g.jurisdiction is null and chosen.jurisdiction is null and g.metric = chosen.metric and {same}
    order by report_id, metric
    """
    pairs = _df(sql, params)
    if pairs.empty:
        return "(select * from facts_dated where false)", {}
    rids = sorted(set(pairs["report_id"]))
    keys = [f"{r}|{m}" for r, m in zip(pairs["report_id"], pairs["metric"], strict=True)]
    # the chosen reports' corrected facts (a correction may change the metric: the pair keys, which name the
    # extracted one, would miss them), from the per-report list of corrected facts
    edited = _df(
        "select fact_id from agg_correction_facts where list_contains($rids::varchar[], report_id) "
        "order by 1",
        {"rids": rids},
    )["fact_id"].tolist()
    # One statement (a rowid is not kept across statements): the rows of facts with one of the chosen
    # (report, metric) pairs, the reports tested with list_contains in the scan (a semi-join of the list
    # cost twice as much: 53 reports' facts at county level, 27 → 9 ms); through the fact_id index, the
    # corrected ones; and the reports' added facts; then those rows alone (schema.sql,
    # facts_current.fact_row), joined to their reports alone (facts_dated_of).
    # Reading the narrow columns first keeps the wide rows read to about those shown.  The LIMIT keeps the
    # outer query's filters out of this subquery: pushed into the facts scan, a metric filter made DuckDB
    # scan all 10 M rows and join the row ids afterwards (70 → 420 ms).  The per-report `report_id = ?`
    # lookups this replaces fetched every fact of every report row by row (about 40 µs a fact) and, with
    # many reports, a union of that many scans that DuckDB 2.0 failed on ("dict-surviving cache").  Testing
    # each fact of the chosen reports against all corrections (`fact_id in fact_edits`) fetched its fact_id
    # too and cost three times the pairs' lookup (25 → 8 ms for 13 reports).
    rows = """
        select rowid from facts where list_contains($rids::varchar[], report_id)
            and list_contains($pair_keys::varchar[], report_id || '|' || metric)
        union
        select rowid from facts where fact_id in (select unnest($edited::varchar[]))
        union all
        select -1 - rowid from added_facts where list_contains($rids::varchar[], report_id)
    """
    sql = f"""(with r as materialized ({rows})
        select * from facts_dated_of($rids::varchar[]) where fact_row in (select * from r)
        limit 9223372036854775807)"""
    return sql, {"rids": rids, "pair_keys": keys, "edited": edited}


def _count_source(f: Filters) -> tuple[str, str]:
    """The aggregate (as ``a``) that counts facts and places under ``f``, with f's conditions on it: the
    per-category sums (agg_report_categories, a fifth of the rows) unless a metric filter needs the
    per-metric rows."""
    if not f.metrics:
        return "agg_report_categories a", _where(f, "a", "a")
    return f"agg_report_points a {_metrics_join(f)}", _where(f, "a", "m", "a.metric")


def fact_count(f: Filters, contains: str = "") -> int:
    """How many facts fact_rows(f, contains=contains) has without a limit."""
    if contains:  # the search reads the sentences themselves
        where, extra = _contains_sql(contains)
        sql = _facts_cte(f) + f"select count(*) as n from in_range {where}"
        return int(_df(sql, _params(f, extra)).iloc[0, 0])
    source, where = _count_source(f)
    sql = f"""
    select coalesce(sum(a.n_facts), 0)::bigint as n from {source}
    where a.period_end >= $y0 and a.period_start <= $y1 {where}
    """
    return int(_df(sql, _params(f)).iloc[0, 0])


_POINT_COLUMNS = f"""w.fact_id, w.report_id, w.metric, {label_sql("w.level", "w.metric")} as label_zh,
        m.category, m.kind, coalesce(m.measure, 'flow') as measure, m.unit as metric_unit,
        w.value, w.unit, w.qualifier,
        w.period_start, w.period_end, w.scope, w.evidence,
        w.evidence_start, w.evidence_end, w.value_text, w.corrected, w.correction_id, w.place as jurisdiction,
        w.level, w.province, w.parent, w.report_type, w.title, w.source_file,
        w.report_period_start, w.report_period_end, w.delivered"""


def metric_points(f: Filters) -> pd.DataFrame:
    """One value per place (the key, 北京市朝阳区 apart from 长春市朝阳区), metric and period: the one a chart
    draws.

    When several facts compete (two reports for one year, or a part and its total in one report), the
    report type ranked first in labels.yaml wins, then the committee's own figure (no scope), then the
    larger value, then the smaller fact id; n_candidates says how many there were, so the hover can say
    "另有 N 条".  Each report brings its own candidate (agg_report_points: its best value) and its count.
    """
    where = f"and a.period_end >= $y0 and a.period_start <= $y1 {_where(f, 'a', 'm', 'a.metric')}"
    # One place's rows lie together (agg_report_points is ordered by place): read them whole.  Any other
    # filter (a province's cities, a metric across places) finds candidates scattered over the table:
    # choose on the narrow columns, then read the winners (对比 of 河南省's cities: 60 → 35 ms at 10 M facts).
    late = len(f.jurisdictions) != 1
    sql = (
        points_cte(where, _metrics_join(f), late=late)
        + f"""
    select {_POINT_COLUMNS}, w.n_candidates
    from w
    left join metrics m on m.code = w.metric
    order by w.place, w.metric, w.period_start, w.period_end
    """
    )
    return _df(sql, _params(f, rank_params()))


def point_counts(f: Filters) -> pd.DataFrame:
    """Per metric: how many chart points metric_points(f) has (n_points) and how many of them name a
    jurisdiction (n_with_jurisdiction), with the metric's category and kind, most points first."""
    sql = f"""
    select p.metric, m.category, m.kind, count(*) as n_points, count(p.jurisdiction) as n_with_jurisdiction
    from (
        select a.place as jurisdiction, a.metric, a.period_start, a.period_end
        from agg_report_points a
        {_metrics_join(f)}
        where a.period_end >= $y0 and a.period_start <= $y1 {_where(f, "a", "m", "a.metric")}
        group by all
    ) p
    left join metrics m on m.code = p.metric
    group by all
    order by n_points desc, p.metric
    """
    return _df(sql, _params(f))


def category_counts(f: Filters) -> pd.DataFrame:
    """Per category with data under ``f``: n_points, how much it has, for choosing a default category.

    This counts report × metric × period rows (a light scan), not chart points: the two differ only where
    one jurisdiction has several reports for the same period, and the set of categories is the same.
    Without a metric filter the per-category sums (agg_report_categories) answer it.
    """
    if not f.metrics:
        sql = f"""
        select c.category, sum(c.n_points)::bigint as n_points
        from agg_report_categories c
        where c.period_end >= $y0 and c.period_start <= $y1 and c.category is not null {_where(f, "c", "c")}
        group by c.category
        order by c.category
        """
        return _df(sql, _params(f))
    sql = f"""
    select m.category, count(*) as n_points
    from agg_report_points a
    join metrics m on m.code = a.metric
    where a.period_end >= $y0 and a.period_start <= $y1 {_where(f, "a", "m", "a.metric")}
    group by m.category
    order by m.category
    """
    return _df(sql, _params(f))


def point_summary(f: Filters, period: tuple[int, int]) -> pd.DataFrame:
    """Which places and which metrics have a chart point (not a part: kind 'sub') for exactly ``period``
    under ``f``, without the points: rows (jurisdiction, None) for the places, (None, metric) for the
    metrics.  对比 asks this of thousands of places (a county-level scope), where the points themselves
    are tens of thousands of rows it would not draw."""
    sql = f"""
    select a.place as jurisdiction, a.metric
    from agg_report_points a
    left join metrics m on m.code = a.metric
    where a.period_start = $ps and a.period_end = $pe and coalesce(m.kind, '') <> 'sub'
      and a.place is not null {_where(f, "a", "m", "a.metric")}
    group by grouping sets ((a.place), (a.metric))
    order by 1, 2
    """
    params = {k: v for k, v in _params(f).items() if k not in ("y0", "y1")}
    return _df(sql, params | {"ps": period[0], "pe": period[1]})


def jurisdictions() -> pd.DataFrame:
    """Each place with reports (name: its key, 北京市朝阳区 where the bare name is shared): level, province,
    parent, how many reports and which years."""
    return _df(
        "select name, level, province, parent, n_reports, first_year, last_year "
        "from agg_jurisdictions order by name"
    )


def metrics_catalog() -> pd.DataFrame:
    """The metrics table with how many facts each metric has."""
    sql = """
    select m.code, m.category, m.label_zh, m.label_en, m.label_zh_national, m.unit, m.kind,
        coalesce(m.measure, 'flow') as measure, m.description,
        coalesce(sum(a.n_facts), 0)::bigint as n_facts
    from metrics m
    left join agg_metric_counts a on a.metric = m.code
    group by all
    order by m.category, m.code
    """
    return _df(sql)


def year_bounds() -> tuple[int, int] | None:
    """The first and last year any fact or report covers; None when the database holds no reports."""
    sql = """
    select min(y0), max(y1) from (
        select y0, y1 from agg_reports
        union all
        select period_start, period_end from reports
    ) t(y0, y1) where y0 is not null and y1 is not null
    """
    row = _df(sql).iloc[0]
    if pd.isna(row.iloc[0]):
        return None
    return int(row.iloc[0]), int(row.iloc[1])


def periods(f: Filters) -> pd.DataFrame:
    """The periods (one year or a term) that facts matching ``f`` cover, with how many facts each and how
    many places have them.  Without a metric filter the per-category sums (agg_report_categories) answer
    it."""
    source, where = _count_source(f)
    sql = f"""
    select a.period_start, a.period_end, sum(a.n_facts)::bigint as n_facts,
        count(distinct a.place) as n_jurisdictions
    from {source}
    where a.period_end >= $y0 and a.period_start <= $y1 {where}
    group by a.period_start, a.period_end
    order by (period_start = period_end) desc, period_end desc, period_start desc
    """
    return _df(sql, _params(f))


# A report's current fact count, as a column expression over reports r.
_N_FACTS = "coalesce((select a.n_facts from agg_reports a where a.report_id = r.report_id), 0)"


def report_list(f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Reports whose jurisdiction and period match the filters (category and metric ignored), latest
    first; ``limit`` keeps the first ones."""
    g = Filters(level=f.level, province=f.province, jurisdictions=f.jurisdictions, year_from=f.year_from,
                year_to=f.year_to)  # fmt: skip
    sql = f"""
    select r.report_id, r.source_file, r.title, r.place as jurisdiction, r.level, r.parent, r.province,
        r.period_start, r.period_end, r.report_type, r.delivered,
        {_N_FACTS} as n_facts
    from reports_placed r
    where coalesce(r.period_end, 9999) >= $y0 and coalesce(r.period_start, -9999) <= $y1 {_where(g)}
    order by r.period_end desc, r.period_start desc, r.place, r.source_file
    """ + (f"limit {int(limit)}" if limit is not None else "")
    return _df(sql, _params(g))


def report_count(f: Filters) -> int:
    """How many reports report_list(f) has without a limit."""
    g = Filters(level=f.level, province=f.province, jurisdictions=f.jurisdictions, year_from=f.year_from,
                year_to=f.year_to)  # fmt: skip
    sql = f"""
    select count(*) from reports_placed r
    where coalesce(r.period_end, 9999) >= $y0 and coalesce(r.period_start, -9999) <= $y1 {_where(g)}
    """
    return int(_df(sql, _params(g)).iloc[0, 0])


def report_meta(report_id: str) -> pd.DataFrame:
    """One report's metadata row (empty frame when the id is unknown): the reports columns (jurisdiction the
    bare official name, beside parent) and its place key."""
    sql = f"""
    select r.*, {_N_FACTS} as n_facts
    from reports_placed r where r.report_id = $rid
    """
    return _df(sql, {"rid": report_id})


def report_source(source_file: str) -> dict | None:
    """Where the report was found (url, title), when a sources.csv beside it says so."""
    df = _df("select url, title from report_sources where source_file = $f", {"f": source_file})
    return None if df.empty else {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].items()}


def report_text(report_id: str) -> str | None:
    """The normalized text the fact offsets point into."""
    out = _df("select norm_text from report_texts where report_id = $rid", {"rid": report_id})
    return None if out.empty else str(out.iloc[0, 0])


def report_facts(report_id: str) -> pd.DataFrame:
    """The facts of one report in text order, as corrected, with their metric labels."""
    sql = f"""
    select f.fact_id, f.metric, {label_sql("r.level", "f.metric")} as label_zh, m.category,
        f.value, f.unit, f.qualifier, f.period_start, f.period_end, f.scope,
        f.evidence, f.evidence_start, f.evidence_end, f.value_text, f.value_start, f.value_end, f.section,
        f.corrected, f.correction_id
    from facts_current f left join metrics m on m.code = f.metric
    left join reports r on r.report_id = f.report_id
    where f.report_id = $rid
    order by f.value_start, f.metric, f.fact_id
    """
    return _df(sql, {"rid": report_id})


def database_summary() -> dict:
    """Counts for the footer: reports, facts, places, build_info (the last write), and the reports
    (and their facts) that wait for an analyst (待确认) because their period or place is not resolved."""
    counts = _df(
        """
        select (select count(*) from reports) as n_reports,
            (select coalesce(sum(n_facts), 0)::bigint from agg_reports) as n_facts,
            (select coalesce(sum(a.n_facts), 0)::bigint from agg_reports a join reports r using (report_id)
                where r.meta_status = 'pending') as pending_facts,
            (select count(distinct place) from reports_placed) as n_jurisdictions,
            (select count(*) from reports where meta_status = 'pending') as pending_reports,
            (select count(*) from reports where meta_pending like '%period%') as pending_period_reports,
            (select count(*) from reports where meta_pending like '%jurisdiction%') as pending_place_reports
        """
    ).iloc[0]
    out: dict = {k: int(v) for k, v in counts.items()}
    info = _df("select key, value from build_info")
    out["build_info"] = dict(zip(info["key"], info["value"], strict=False))
    return out


def corrections_log() -> pd.DataFrame:
    """Every correction in log order with its status (applied / orphaned / reverted) and its report.

    For a rejected or added fact, the fact's metric, value, unit and period (from the extracted facts that
    corrections name, agg_correction_facts, or the added ones) so the audit can say what was rejected or
    added.
    """
    sql = """
    select c.correction_id, c.seq, c.action, c.fact_id, c.report_id, c.target_correction_id, c.changes,
        c.summary, c.evidence, c.user_name, c.at_utc, c.reason, c.status, c.status_note,
        r.source_file, r.place as jurisdiction, r.period_start as report_period_start,
        r.period_end as report_period_end,
        coalesce(f.metric, a.metric) as fact_metric, coalesce(f.value, a.value) as fact_value,
        coalesce(f.unit, a.unit) as fact_unit,
        coalesce(f.period_start, a.period_start) as fact_period_start,
        coalesce(f.period_end, a.period_end) as fact_period_end
    from corrections c
    left join reports_placed r on r.report_id = c.report_id
    left join agg_correction_facts f on f.fact_id = c.fact_id
    left join added_facts a on a.fact_id = c.fact_id
    order by c.seq
    """
    return _df(sql)


def metric_labels() -> dict[str, str]:
    """Metric code → Chinese label, from the database's metrics table."""
    cat = metrics_catalog()
    return dict(zip(cat["code"], cat["label_zh"], strict=False))


def quality_checks() -> pd.DataFrame:
    """The `checks` table (etl/checks.py) with each flagged report's place, period and title, warnings
    first."""
    sql = f"""
    select c.report_id, c.source_file, c.check_name, c.severity, c.metric, c.message,
        {label_sql("r.level", "c.metric")} as label_zh,
        r.place as jurisdiction, r.period_start, r.period_end, r.title, r.delivered, r.report_type,
        e.evidence
    from checks c
    left join (  -- the sentences behind each check: its report's facts of its metric, read once (only the
        -- checks' own report and metric pairs: the checked reports' every metric cost a fifth more)
        select f.report_id, f.metric, string_agg(distinct f.evidence, ' ｜ ') as evidence
        from facts_current f
        semi join (select distinct report_id, metric from checks where metric is not null) k
            on k.report_id = f.report_id and k.metric = f.metric
        group by all
    ) e on e.report_id = c.report_id and e.metric = c.metric
    left join reports_placed r on r.report_id = c.report_id
    left join metrics m on m.code = c.metric
    order by c.severity = 'error' desc, c.check_name, r.place, r.period_end, c.metric
    """
    return _df(sql)


def pending_reports() -> pd.DataFrame:
    """Reports 待确认 (their period or place unresolved), with their evidence and how many facts wait."""
    # the pending reports first, then their counts and openings: correlated subqueries over every report
    # read all 64,000 texts' openings (250 ms at 10 M facts with no report pending)
    sql = """
    with p as materialized (
        select r.report_id, r.source_file, r.title, r.place as jurisdiction, r.period_start, r.period_end,
            r.report_type, r.delivered, r.meta_pending, r.period_confidence, r.meta_evidence
        from reports_placed r
        where r.meta_status = 'pending'
    )
    select p.*, coalesce(a.n_facts, 0) as n_facts, left(t.norm_text, 160) as opening
    from p
    left join agg_reports a on a.report_id = p.report_id
    left join report_texts t on t.report_id = p.report_id
    order by n_facts desc, p.source_file
    """
    return _df(sql)


def metadata_warnings() -> pd.DataFrame:
    """Reports (not 待确认) whose reading warned about their metadata (inferred place, a year taken from the
    text, contradicting clues …): meta_evidence's ``warnings``."""
    sql = """
    select r.report_id, r.source_file, r.title, r.place as jurisdiction, r.period_start, r.period_end,
        r.report_type, r.delivered, r.meta_evidence
    from reports_placed r
    where coalesce(r.meta_status, 'ok') <> 'pending' and r.meta_evidence like '%"warnings"%'
    order by r.place, r.period_end, r.source_file
    """
    return _df(sql)


def quality_counts() -> dict[str, int]:
    """How many checks and 待确认 reports there are (the sidebar's and the 数据质量 page's counts)."""
    row = _df(
        "select (select count(*) from checks) as n_checks,"
        " (select count(*) from reports where meta_status = 'pending') as n_pending"
    ).iloc[0]
    return {"checks": int(row["n_checks"]), "pending": int(row["n_pending"])}
