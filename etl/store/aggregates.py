"""Pre-aggregated tables for the dashboard at national scale (10 M facts): DDL in aggregates.sql.

``refresh(con)`` rebuilds them from ``facts_dated`` (etl/store/schema.sql: corrections applied, effective
periods); ``refresh(con, report_ids)`` replaces only the rows of those reports (added, replaced, deleted or
with a changed correction): it deletes their rows and re-inserts what facts_dated now has for them, so it
costs about as much as those reports' facts, not a rebuild.  Both run inside the caller's transaction (no
BEGIN or COMMIT here) and leave every other table alone.

Call it after the facts and the corrections of a write are final, e.g. in etl/write/writer.py open_writer
after apply_corrections().  A report id that no longer exists simply loses its rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

import duckdb

DDL_PATH = Path(__file__).with_name("aggregates.sql")
# rows keyed by report_id
REPORT_TABLES = ("agg_report_points", "agg_report_categories", "agg_reports", "agg_correction_facts")
SUMMARY_TABLES = ("agg_jurisdictions", "agg_metric_counts")  # small, rebuilt whole by every refresh
TABLES = REPORT_TABLES + SUMMARY_TABLES
PER_REPORT_MAX = 64  # up to this many reports, their facts are read report by report through the index

# Every fact with its effective period (the facts_dated view of etl/store/schema.sql, the dashboard's too).
# Within a report × metric × period the candidate is the largest value, then the smallest id.
_POINTS = """
SELECT report_id, place, level, province, report_type, metric, period_start, period_end,
    count(*) OVER g AS n_facts, fact_id, value, unit, qualifier, scope, evidence, evidence_start,
    evidence_end, value_text, corrected, correction_id, jurisdiction, parent, title, source_file,
    report_period_start, report_period_end, delivered
FROM facts_dated f
{where}
WINDOW g AS (PARTITION BY report_id, metric, period_start, period_end)
-- The committee's own figure first (scope NULL); a figure of another scope (全市五级) only when alone.
QUALIFY row_number() OVER (g ORDER BY scope IS NOT NULL, value DESC, fact_id) = 1
"""

# agg_report_points summed per report, category and period (read after agg_report_points is refreshed).
_CATEGORIES = """
SELECT a.report_id, any_value(a.place), any_value(a.level), any_value(a.province), m.category,
    a.period_start, a.period_end, count(*) AS n_points, sum(a.n_facts)::BIGINT AS n_facts
FROM agg_report_points a
LEFT JOIN metrics m ON m.code = a.metric
{where}
GROUP BY a.report_id, m.category, a.period_start, a.period_end
"""

_REPORTS = """
SELECT r.report_id, count(f.report_id) AS n_facts,
    min(f.period_start) FILTER (WHERE f.period_start IS NOT NULL AND f.period_end IS NOT NULL) AS y0,
    max(f.period_end) FILTER (WHERE f.period_start IS NOT NULL AND f.period_end IS NOT NULL) AS y1
FROM reports r
LEFT JOIN facts_dated f ON f.report_id = r.report_id {on}
{where}
GROUP BY r.report_id
"""


# The facts that corrections name, as extracted (a rejected fact too), for the 更正记录 page.
_CORRECTION_FACTS = """
SELECT f.report_id, f.fact_id, f.metric, f.value, f.unit, f.period_start, f.period_end
FROM {facts} f
WHERE f.fact_id IN (SELECT fact_id FROM corrections WHERE fact_id IS NOT NULL)
"""

# What app/queries.jurisdictions() shows: computed once per write here, and by the dashboard itself only
# for a file without this table.
JURISDICTIONS_SQL = """
SELECT r.place AS name,
    coalesce(any_value(r.level), any_value(j.level)) AS level,
    coalesce(any_value(r.province), any_value(j.province)) AS province,
    coalesce(any_value(r.parent), any_value(j.parent)) AS parent,
    count(DISTINCT r.report_id) AS n_reports,
    min(r.period_start) AS first_year, max(r.period_end) AS last_year
FROM reports_placed r
LEFT JOIN jurisdictions j ON j.name = r.jurisdiction AND (r.province IS NULL OR j.province = r.province)
    AND (r.parent IS NULL OR j.parent = r.parent)
WHERE r.place IS NOT NULL
GROUP BY r.place
ORDER BY r.place
"""


def _present(con: duckdb.DuckDBPyConnection, names) -> set[str]:
    """Which of ``names`` are tables or views of the current database and schema (one query)."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name IN (SELECT unnest($n::VARCHAR[])) "
        "AND table_catalog = current_database() AND table_schema = current_schema()",
        {"n": list(names)},
    ).fetchall()
    return {r[0] for r in rows}


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in _present(con, [name])


def _refresh_summaries(con: duckdb.DuckDBPyConnection) -> None:
    """The small tables: every place with reports, and each metric's fact count."""
    con.execute("DELETE FROM agg_jurisdictions")
    con.execute(f"INSERT INTO agg_jurisdictions {JURISDICTIONS_SQL}")
    con.execute("DELETE FROM agg_metric_counts")
    con.execute(
        "INSERT INTO agg_metric_counts SELECT metric, sum(n_facts)::BIGINT FROM agg_report_points "
        "GROUP BY metric ORDER BY metric"
    )


def _complete(con: duckdb.DuckDBPyConnection, ids: list[str]) -> bool:
    """The aggregate tables exist and, apart from the reports about to be refreshed, agg_reports has a
    row for every report (each refresh keeps it so)."""
    if _present(con, TABLES) != set(TABLES):
        return False
    ((complete,),) = con.execute(
        "SELECT (SELECT count(*) FROM agg_reports WHERE report_id NOT IN (SELECT unnest($ids::VARCHAR[])))"
        " = (SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT unnest($ids::VARCHAR[])))",
        {"ids": ids},
    ).fetchall()
    return bool(complete)


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The aggregate tables, if they are not there yet (empty)."""
    con.execute(DDL_PATH.read_text(encoding="utf-8"))


def refresh(con: duckdb.DuckDBPyConnection, report_ids: Iterable[str] | None = None) -> None:
    """Bring the aggregate tables in step with facts_current: all of them (None) or those reports' rows.

    A file whose aggregate tables are missing (built by an older version) or do not cover every report
    is refreshed whole: a scoped refresh only makes the rows it touches right.
    """
    ids = None if report_ids is None else sorted({str(r) for r in report_ids if r is not None})
    if ids is not None and not _complete(con, ids):
        ids = None
    create_tables(con)
    if ids is None:
        for t in TABLES:
            con.execute(f"DELETE FROM {t}")
        con.execute(
            f"INSERT INTO agg_report_points {_POINTS.format(where='')} "
            "ORDER BY place, metric, period_start, period_end"
        )
        # ordered so a level's or a province's rows lie together (their filters skip the rest)
        con.execute(
            f"INSERT INTO agg_report_categories {_CATEGORIES.format(where='')} ORDER BY 3, 4, 2, 6, 7, 5"
        )
        con.execute(f"INSERT INTO agg_reports {_REPORTS.format(on='', where='')} ORDER BY report_id")
        if _has_table(con, "corrections"):
            con.execute(
                f"INSERT INTO agg_correction_facts {_CORRECTION_FACTS.format(facts='facts')} ORDER BY fact_id"
            )
        _refresh_summaries(con)
        return
    if not ids:
        return
    # The reports' current facts first, with the ids as a semi-join: DuckDB pushes it into the scans of
    # facts and added_facts as a join filter, so this costs a filtered scan, not a rebuild (a literal IN
    # list on the facts_dated view becomes a mark join over every fact).  Then the same SQL as a full
    # rebuild, over just those rows.
    params = {"ids": ids}
    if len(ids) <= PER_REPORT_MAX:  # a few reports: one index lookup each (facts_report_id)
        con.execute("CREATE OR REPLACE TEMP TABLE _agg_facts AS SELECT * FROM facts_dated LIMIT 0")
        for rid in ids:
            con.execute(
                "INSERT INTO temp.main._agg_facts SELECT * FROM facts_dated WHERE report_id = ?", [rid]
            )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _agg_facts AS "
            "SELECT * FROM facts_dated WHERE report_id IN (SELECT unnest($ids::VARCHAR[]))",
            params,
        )
    try:
        for t in REPORT_TABLES:
            con.execute(f"DELETE FROM {t} WHERE report_id IN (SELECT unnest($ids::VARCHAR[]))", params)
        con.execute(
            "INSERT INTO agg_report_points "
            + _POINTS.format(where="").replace("FROM facts_dated f", "FROM temp.main._agg_facts f")
        )
        con.execute(
            "INSERT INTO agg_report_categories "
            + _CATEGORIES.format(where="WHERE a.report_id IN (SELECT unnest($ids::VARCHAR[]))"),
            params,
        )
        con.execute(
            "INSERT INTO agg_reports "
            + _REPORTS.format(on="", where="WHERE r.report_id IN (SELECT unnest($ids::VARCHAR[]))").replace(
                "JOIN facts_dated f", "JOIN temp.main._agg_facts f"
            ),
            params,
        )
        if _has_table(con, "corrections"):
            # the reports' extracted facts that corrections name: by index as above (few reports), else
            # a semi-join of the (few) corrected fact ids
            if len(ids) <= PER_REPORT_MAX:
                for rid in ids:
                    con.execute(
                        "INSERT INTO agg_correction_facts "
                        + _CORRECTION_FACTS.format(facts="(SELECT * FROM facts WHERE report_id = $rid)"),
                        {"rid": rid},
                    )
            else:
                con.execute(
                    "INSERT INTO agg_correction_facts "
                    + _CORRECTION_FACTS.format(facts="facts")
                    + " AND f.report_id IN (SELECT unnest($ids::VARCHAR[]))",
                    params,
                )
        _refresh_summaries(con)
    finally:  # after an error the transaction is aborted and this fails too: keep the first error
        with contextlib.suppress(duckdb.Error):
            con.execute("DROP TABLE IF EXISTS temp.main._agg_facts")


def edits_fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """report_id → a hash of the corrections in force for its facts (fact_edits and added_facts).

    Take it before and after apply_corrections(); changed_reports() of the two says which reports'
    facts_current rows the corrections changed (a new, reverted, orphaned or carried-over correction).
    """
    rows = con.execute(
        """
        SELECT report_id, md5(string_agg(row_text, '|' ORDER BY row_text)) FROM (
            SELECT f.report_id, 'e' || CAST(e AS VARCHAR) AS row_text
            FROM fact_edits e JOIN facts f ON f.fact_id = e.fact_id
            UNION ALL
            SELECT a.report_id, 'a' || CAST(a AS VARCHAR) FROM added_facts a
            UNION ALL
            SELECT r.report_id, 'r' || CAST(r AS VARCHAR) FROM report_edits r
        ) GROUP BY report_id
        """
    ).fetchall()
    return dict(rows)


def changed_reports(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """The reports whose corrections differ between two edits_fingerprint() results."""
    return {r for r in before.keys() | after.keys() if before.get(r) != after.get(r)}
