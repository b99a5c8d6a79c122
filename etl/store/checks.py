"""Sanity checks after loading: each says which report broke which expectation; none edits a fact.

Every check is one SQL query that returns only the rows it flags; Python only words the messages.
Some compare reports of the same jurisdiction with each other: outliers across years, a term review's
totals against the sum of the annual reports (flows only), a 数说 news summary or an excerpt against the
full report of its year. A run covers the whole database (``report_ids=None``) or only what concerns some
reports: their own per-report checks plus, for the cross-report checks, every report of the same
jurisdictions, so that an incremental add costs about as much as the report itself:

    run_checks(con, report_ids)      the checks (all, or those concerning report_ids)
    replace_checks(con, report_ids)  delete the stored checks of that scope and write the new ones
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

# (part, total): the part can never exceed the total stated for the same report, period and scope.
# Deliberately absent: liaison.problems_resolved vs liaison.opinions_collected (a problem solved is
# not one of the opinions collected), and legislation.laws_amended vs the composite enacted-or-amended
# count (amendments are often counted in 件次, which a package amendment makes larger than 件).
PART_TOTAL_PAIRS: tuple[tuple[str, str], ...] = (
    ("deputies.suggestions_resolved", "deputies.suggestions"),
    ("legislation.laws_enacted", "legislation.laws_enacted_or_amended"),
)

# (rate %, resolved, total): a stated rate should equal resolved ÷ total.
RATE_PARTS: tuple[tuple[str, str, str], ...] = (
    ("deputies.suggestion_resolution_rate", "deputies.suggestions_resolved", "deputies.suggestions"),
)

RATE_TOLERANCE_PP = 1.5  # percentage points: stated rates are rounded, sometimes to whole numbers
OUTLIER_FACTOR = 10.0
OUTLIER_MIN_OTHER_YEARS = 3
PERCENT_UNITS = ("%", "％")

WARNING = "warning"
ERROR = "error"


@dataclass(frozen=True)
class Check:
    """One broken expectation; fields match the `checks` table."""

    report_id: str | None
    source_file: str | None
    check_name: str
    severity: str  # warning | error
    metric: str | None
    message: str


def _num(value: float | None) -> str:
    """229.0 → '229', 92.1 → '92.1' (messages quote numbers the way reports write them)."""
    if value is None:
        return "?"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


def _period(start: int | None, end: int | None) -> str:
    if start is None and end is None:
        return "period unknown"
    if start == end or end is None:
        return str(start)
    if start is None:
        return str(end)
    return f"{start}–{end}"


def _report_label(
    source_file: str | None,
    report_id: str | None,
    jurisdiction: str | None,
    period_start: int | None,
    period_end: int | None,
) -> str:
    """'002_x.txt (鹤壁市 2023)': the file a user can open, and what it is about."""
    name = source_file or f"report {report_id}"
    return f"{name} ({jurisdiction or 'jurisdiction unknown'} {_period(period_start, period_end)})"


def _warning(
    check_name: str,
    metric: str | None,
    report: tuple[str | None, str | None, str | None, int | None, int | None],
    detail: str,
) -> Check:
    """A warning about one report: (report_id, source_file, jurisdiction, period_start, period_end).

    The message starts with the report's label, then says what broke which expectation.
    """
    report_id, source_file, jurisdiction, period_start, period_end = report
    return Check(
        report_id=report_id,
        source_file=source_file,
        check_name=check_name,
        severity=WARNING,
        metric=metric,
        message=f"{_report_label(source_file, report_id, jurisdiction, period_start, period_end)}: {detail}",
    )


# --- where the checks read from ------------------------------------------------------------------------

# The fact columns the checks read (the scoped copy holds only these).
_FACT_COLUMNS = (
    "fact_id, report_id, metric, value, unit, qualifier, period_start, period_end, scope, evidence_start"
)
# place: the key that keeps two same-named districts apart (reports_placed in schema.sql); the checks that
# compare a report with others of its jurisdiction group by it, and report the bare jurisdiction.
_REPORT_COLUMNS = "report_id, source_file, jurisdiction, place, period_start, period_end, report_type"

# Temporary tables of a scoped run (private to the connection, dropped afterwards).
_SCOPE_IDS = "_checks_scope_ids"  # the reports asked about
_SCOPE_FACTS = "_checks_scope_facts"  # facts of those reports and of every report in their jurisdictions
_SCOPE_REPORTS = "_checks_scope_reports"  # the same reports' label fields

OUTLIER_CHECK = "outlier_across_years"
TERM_VS_ANNUAL_CHECK = "term_vs_annual"
SUMMARY_VS_FULL_CHECK = "summary_vs_full"
# Checks that compare a report with other reports of its jurisdiction: a scoped run covers (and replaces)
# them for every report of the jurisdictions concerned.
CROSS_REPORT_CHECKS = (OUTLIER_CHECK, TERM_VS_ANNUAL_CHECK, SUMMARY_VS_FULL_CHECK)


@dataclass(frozen=True)
class CheckScope:
    """What a check reads: the facts and reports relations, and which reports it may flag.

    Build one with ``check_scope``; ``report_ids`` None means the whole database.
    """

    facts: str = "facts"
    reports: str = "reports_placed"
    report_ids: tuple[str, ...] | None = None
    jurisdictions: tuple[str, ...] | None = None  # whose cross-report groups are covered (None: all)

    def only(self, column: str) -> str:
        """SQL condition: ``column`` (a report id) belongs to the reports asked about."""
        if self.report_ids is None:
            return "TRUE"
        return f"{column} IN (SELECT report_id FROM {_SCOPE_IDS})"


ALL = CheckScope()


def _jurisdictions_of(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str]) -> set[str]:
    """Jurisdictions of the given reports; for reports deleted in the open transaction, as committed.

    An in-place write deletes a replaced report before the checks are refreshed; a second connection to
    the same database still sees the last committed state, where that report and its jurisdiction exist.
    """
    if not report_ids:
        return set()
    query = "SELECT report_id, jurisdiction FROM reports WHERE report_id IN (SELECT unnest(?::VARCHAR[]))"
    rows = con.execute(query, [list(report_ids)]).fetchall()
    found = {jur for _rid, jur in rows if jur is not None}
    missing = set(report_ids) - {rid for rid, _jur in rows}
    if missing:
        with contextlib.suppress(duckdb.Error):
            cur = con.cursor()
            try:
                found |= {
                    jur for _rid, jur in cur.execute(query, [sorted(missing)]).fetchall() if jur is not None
                }
            finally:
                cur.close()
    return found


@contextlib.contextmanager
def check_scope(
    con: duckdb.DuckDBPyConnection,
    report_ids: Sequence[str] | None = None,
    jurisdictions: Iterable[str] = (),
) -> Iterator[CheckScope]:
    """The scope of a run: everything (None), or the given reports plus their jurisdictions' groups.

    A scoped run copies the few facts concerned (the given reports', and those of every report in the
    same jurisdictions, which the outlier check compares across years) into temporary tables with one
    scan of ``facts``; every check then reads those.  ``jurisdictions`` adds groups to cover (e.g. those
    of reports deleted outside a transaction, whose jurisdiction can no longer be looked up).
    """
    if report_ids is None:
        yield ALL
        return
    ids = sorted({str(r) for r in report_ids})
    jurs = sorted(_jurisdictions_of(con, ids) | {j for j in jurisdictions if j is not None})
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SCOPE_IDS} AS SELECT unnest(?::VARCHAR[]) AS report_id", [ids]
    )
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {_SCOPE_REPORTS} AS
            SELECT {_REPORT_COLUMNS} FROM reports_placed
            WHERE report_id IN (SELECT report_id FROM {_SCOPE_IDS})
               OR jurisdiction IN (SELECT unnest(?::VARCHAR[]))
            """,
            [jurs],
        )
        wanted = sorted(
            set(ids) | {r for (r,) in con.execute(f"SELECT report_id FROM {_SCOPE_REPORTS}").fetchall()}
        )
        # Two steps (row ids by report id, then the rows) read far less than one filtered scan of every
        # column.
        rowids = [
            r
            for (r,) in con.execute(
                "SELECT rowid FROM facts WHERE report_id IN (SELECT unnest(?::VARCHAR[]))", [wanted]
            ).fetchall()
        ]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_SCOPE_FACTS} AS SELECT {_FACT_COLUMNS} FROM facts "
            "WHERE rowid IN (SELECT unnest(?::BIGINT[]))",
            [rowids],
        )
        yield CheckScope(_SCOPE_FACTS, _SCOPE_REPORTS, tuple(ids), tuple(jurs))
    finally:
        for table in (_SCOPE_FACTS, _SCOPE_REPORTS, _SCOPE_IDS):
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP TABLE IF EXISTS temp.{table}")


ScopeArg = CheckScope | Sequence[str] | None


@contextlib.contextmanager
def _resolve(con: duckdb.DuckDBPyConnection, scope: ScopeArg) -> Iterator[CheckScope]:
    if isinstance(scope, CheckScope):
        yield scope
    else:
        with check_scope(con, scope) as s:
            yield s


# --- the checks -------------------------------------------------------------------------------------------


def check_rate_vs_parts(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """A stated rate disagrees with resolved ÷ total for the same report, period and scope."""
    out: list[Check] = []
    with _resolve(con, report_ids) as s:
        for rate_metric, part_metric, total_metric in RATE_PARTS:
            rows = con.execute(
                f"""
                WITH f AS (
                    SELECT report_id, metric, value, period_start, period_end, scope FROM {s.facts}
                    WHERE metric IN (?, ?, ?) AND {s.only("report_id")}
                ), hit AS (
                    SELECT rate.report_id, rate.period_start, rate.period_end,
                           rate.value AS rate, part.value AS part, total.value AS total
                    FROM f rate
                    JOIN f part ON part.report_id = rate.report_id AND part.metric = ?
                         AND part.period_start IS NOT DISTINCT FROM rate.period_start
                         AND part.period_end IS NOT DISTINCT FROM rate.period_end
                         AND part.scope IS NOT DISTINCT FROM rate.scope
                    JOIN f total ON total.report_id = rate.report_id AND total.metric = ?
                         AND total.period_start IS NOT DISTINCT FROM rate.period_start
                         AND total.period_end IS NOT DISTINCT FROM rate.period_end
                         AND total.scope IS NOT DISTINCT FROM rate.scope
                    WHERE rate.metric = ? AND total.value > 0
                      AND abs(rate.value - 100.0 * part.value / total.value) > ?
                )
                SELECT DISTINCT h.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end,
                       h.period_start, h.period_end, h.rate, h.part, h.total
                FROM hit h LEFT JOIN {s.reports} r ON r.report_id = h.report_id
                ORDER BY r.source_file, h.report_id, h.period_start, h.rate, h.part, h.total
                """,
                [rate_metric, part_metric, total_metric, part_metric, total_metric, rate_metric,
                 RATE_TOLERANCE_PP],
            ).fetchall()  # fmt: skip
            for rid, src, jur, r_start, r_end, p_start, p_end, rate, part, total in rows:
                computed = 100.0 * part / total
                out.append(
                    _warning(
                        "rate_vs_parts",
                        rate_metric,
                        (rid, src, jur, r_start, r_end),
                        f"{rate_metric} {_num(rate)}% "
                        f"≠ {part_metric} {_num(part)} ÷ {total_metric} {_num(total)} = {computed:.1f}% "
                        f"for {_period(p_start, p_end)} (differs by more than {_num(RATE_TOLERANCE_PP)} "
                        "percentage points)",
                    )
                )
    return out


def check_part_exceeds_total(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """A part (e.g. suggestions resolved) larger than its total for the same report, period and scope."""
    out: list[Check] = []
    with _resolve(con, report_ids) as s:
        for part_metric, total_metric in PART_TOTAL_PAIRS:
            rows = con.execute(
                f"""
                WITH f AS (
                    SELECT report_id, metric, value, period_start, period_end, scope FROM {s.facts}
                    WHERE metric IN (?, ?) AND {s.only("report_id")}
                ), hit AS (
                    SELECT part.report_id, part.period_start, part.period_end,
                           part.value AS part, total.value AS total
                    FROM f part
                    JOIN f total ON total.report_id = part.report_id AND total.metric = ?
                         AND total.period_start IS NOT DISTINCT FROM part.period_start
                         AND total.period_end IS NOT DISTINCT FROM part.period_end
                         AND total.scope IS NOT DISTINCT FROM part.scope
                    WHERE part.metric = ? AND part.value > total.value
                )
                SELECT DISTINCT h.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end,
                       h.period_start, h.period_end, h.part, h.total
                FROM hit h LEFT JOIN {s.reports} r ON r.report_id = h.report_id
                ORDER BY r.source_file, h.report_id, h.period_start, h.part, h.total
                """,
                [part_metric, total_metric, total_metric, part_metric],
            ).fetchall()
            for rid, src, jur, r_start, r_end, p_start, p_end, part, total in rows:
                out.append(
                    _warning(
                        "part_exceeds_total",
                        part_metric,
                        (rid, src, jur, r_start, r_end),
                        f"{part_metric} {_num(part)} > {total_metric} {_num(total)} "
                        f"for {_period(p_start, p_end)} "
                        "(a part cannot exceed its total)",
                    )
                )
    return out


def check_percentage_range(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """A percentage (stated unit %, or the catalog's unit % when none was stated) outside 0–100."""
    with _resolve(con, report_ids) as s:
        rows = con.execute(
            f"""
            WITH hit AS (
                SELECT f.fact_id, f.report_id, f.metric, f.value, f.period_start, f.period_end,
                       f.evidence_start
                FROM {s.facts} f LEFT JOIN metrics m ON m.code = f.metric
                WHERE (f.value < 0 OR f.value > 100) AND {s.only("f.report_id")}
                  AND (f.unit IN (?, ?) OR (f.unit IS NULL AND m.unit IN (?, ?)))
            )
            SELECT h.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end,
                   h.metric, h.value, h.period_start, h.period_end
            FROM hit h LEFT JOIN {s.reports} r ON r.report_id = h.report_id
            ORDER BY r.source_file, h.report_id, h.metric, h.period_start, h.evidence_start, h.fact_id
            """,
            [*PERCENT_UNITS, *PERCENT_UNITS],
        ).fetchall()
    return [
        _warning(
            "percentage_out_of_range",
            metric,
            (rid, src, jur, r_start, r_end),
            f"{metric} {_num(value)}% for {_period(p_start, p_end)} is outside 0–100%",
        )
        for rid, src, jur, r_start, r_end, metric, value, p_start, p_end in rows
    ]


# The median as statistics.median computes it (the mean of the two middle values of an even count),
# of a sorted, non-empty list expression.
def _median_sql(xs: str) -> str:
    return (
        f"CASE WHEN len({xs}) % 2 = 1 THEN {xs}[len({xs}) // 2 + 1] "
        f"ELSE ({xs}[len({xs}) // 2] + {xs}[len({xs}) // 2 + 1]) / 2 END"
    )


def check_outlier_across_years(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """An annual value >10× or <1/10 of the median of the same jurisdiction's other years.

    Only annual facts (period_start == period_end) take part, so a term total never meets the
    yearly values. Scope is part of the key: all-levels counts are legitimately far above
    city-level ones.  Each year counts once, with the median of the values stated for it.  A scoped
    run covers every group (jurisdiction, metric, scope) of the jurisdictions of the reports asked about.
    """
    with _resolve(con, report_ids) as s:
        rows = con.execute(
            f"""
            WITH a AS (   -- annual facts with a jurisdiction
                SELECT f.report_id, r.source_file, r.jurisdiction, r.place, r.period_start AS r_start,
                       r.period_end AS r_end, f.metric, f.scope, f.period_start AS year, f.value
                FROM {s.facts} f JOIN {s.reports} r ON r.report_id = f.report_id
                WHERE r.jurisdiction IS NOT NULL AND f.period_start IS NOT NULL
                  AND f.period_start = f.period_end
            ), y AS (     -- one row per group and year: the median of the values stated for that year
                SELECT place, metric, scope, year, list_sort(list(value)) AS vs
                FROM a GROUP BY place, metric, scope, year
            ), ym AS (    -- p: the year's position among its group's medians, smallest first
                SELECT place, metric, scope, year, {_median_sql("vs")} AS ymed,
                       row_number() OVER (PARTITION BY place, metric, scope ORDER BY ymed) AS p
                FROM y
            ), g AS (     -- groups with enough years: their year medians
                SELECT place, metric, scope,
                       list(ymed ORDER BY ymed) AS sorted_meds,
                       list({{'year': year, 'med': ymed}} ORDER BY year) AS by_year
                FROM ym GROUP BY place, metric, scope
                HAVING count(*) >= ? + 1
            ), loo AS (   -- each year: the median of the other years' medians
                SELECT ym.place, ym.metric, ym.scope, ym.year, g.by_year,
                       list_filter(g.sorted_meds, lambda x, i: i <> ym.p) AS others
                FROM ym JOIN g ON g.place = ym.place AND g.metric = ym.metric
                     AND g.scope IS NOT DISTINCT FROM ym.scope
            ), m AS (
                SELECT place, metric, scope, year, by_year, {_median_sql("others")} AS median
                FROM loo
            )
            SELECT DISTINCT a.report_id, a.source_file, a.jurisdiction, a.r_start, a.r_end, a.metric,
                   a.scope, a.year, a.value, m.median,
                   list_transform(list_filter(m.by_year, lambda x: x.year <> a.year), lambda x: x.year) AS oy,
                   list_transform(list_filter(m.by_year, lambda x: x.year <> a.year), lambda x: x.med) AS om
            FROM a JOIN m ON m.place = a.place AND m.metric = a.metric
                 AND m.scope IS NOT DISTINCT FROM a.scope AND m.year = a.year
            WHERE m.median > 0 AND (a.value > ? * m.median OR a.value < m.median / ?)
            ORDER BY a.jurisdiction, a.metric, a.scope NULLS FIRST, a.year, a.source_file, a.report_id,
                     a.value
            """,
            [OUTLIER_MIN_OTHER_YEARS, OUTLIER_FACTOR, OUTLIER_FACTOR],
        ).fetchall()

    out: list[Check] = []
    for rid, src, jur, r_start, r_end, metric, scope, year, value, median, oy, om in rows:
        if value > OUTLIER_FACTOR * median:
            relation = f"{value / median:.1f}× the"
        else:
            relation = f"less than 1/{_num(OUTLIER_FACTOR)} of the"
        listed = ", ".join(f"{y}: {_num(v)}" for y, v in zip(oy, om, strict=True))
        scope_note = f" [{scope}]" if scope else ""
        out.append(
            _warning(
                OUTLIER_CHECK,
                metric,
                (rid, src, jur, r_start, r_end),
                f"{jur} {metric}{scope_note} {_num(value)} in {year} is {relation} median {_num(median)} "
                f"of the other years ({listed}); expected within {_num(OUTLIER_FACTOR)}× either way",
            )
        )
    return out


def check_duplicate_disagreement(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """One report states different values for the same metric, period and scope."""
    with _resolve(con, report_ids) as s:
        rows = con.execute(
            f"""
            WITH d AS (
                SELECT report_id, metric, period_start, period_end, scope
                FROM {s.facts} WHERE {s.only("report_id")}
                GROUP BY report_id, metric, period_start, period_end, scope
                HAVING min(value) <> max(value)
            ), v AS (
                SELECT f.report_id, f.metric, f.period_start, f.period_end, f.scope,
                       list_sort(list_distinct(list(f.value))) AS vals
                FROM {s.facts} f SEMI JOIN d ON d.report_id = f.report_id AND d.metric = f.metric
                     AND d.period_start IS NOT DISTINCT FROM f.period_start
                     AND d.period_end IS NOT DISTINCT FROM f.period_end
                     AND d.scope IS NOT DISTINCT FROM f.scope
                GROUP BY f.report_id, f.metric, f.period_start, f.period_end, f.scope
            )
            SELECT v.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end,
                   v.metric, v.period_start, v.period_end, v.scope, v.vals
            FROM v LEFT JOIN {s.reports} r ON r.report_id = v.report_id
            ORDER BY r.source_file, v.report_id, v.metric, v.period_start, v.period_end, v.scope NULLS FIRST
            """
        ).fetchall()
    out: list[Check] = []
    for rid, src, jur, r_start, r_end, metric, p_start, p_end, scope, vals in rows:
        scope_note = f" [{scope}]" if scope else ""
        out.append(
            _warning(
                "duplicate_disagreement",
                metric,
                (rid, src, jur, r_start, r_end),
                f"{metric}{scope_note} for {_period(p_start, p_end)} has {len(vals)} different values "
                f"({', '.join(_num(v) for v in vals)}); expected one value per metric and period",
            )
        )
    return out


def check_report_without_facts(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """A loaded report from which no fact was extracted."""
    with _resolve(con, report_ids) as s:
        rows = con.execute(
            f"""
            SELECT r.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end
            FROM {s.reports} r
            WHERE {s.only("r.report_id")}
              AND NOT EXISTS (SELECT 1 FROM {s.facts} f WHERE f.report_id = r.report_id)
            ORDER BY r.source_file, r.report_id
            """
        ).fetchall()
    return [
        _warning(
            "report_without_facts", None, report, "no facts extracted; expected at least one stated count"
        )
        for report in rows
    ]


# -- reports checked against each other --------------------------------------------------------------------

# The period a fact covers: its own, else its report's (as the charts read it).
_FACTS_DATED = """
    SELECT f.report_id, f.metric, f.value, f.qualifier, f.scope,
           coalesce(f.period_start, r.period_start) AS p0,
           coalesce(f.period_end, f.period_start, r.period_end) AS p1,
           r.jurisdiction, r.place, r.report_type, r.source_file
    FROM {facts} f JOIN {reports} r ON r.report_id = f.report_id
    WHERE r.jurisdiction IS NOT NULL
"""
_CN_COUNT = dict(enumerate("一二三四五六七八九十", start=1))
_TYPE_ZH = {"annual_report": "年度报告", "term_review": "届期工作报告", "news_summary": "新闻稿",
            "report_excerpt": "报告摘要"}  # fmt: skip


def check_term_vs_annual(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """A term review's total of a flow metric differs from the sum of the same committee's annual reports.

    Compared only where every year of the term has an annual value (one per year: the annual report's,
    else an excerpt's, else a news summary's, else the year as a term review states it: the last year of a
    term has no annual report of its own, the review at the new congress's first session covers it), for
    the same metric and scope, all stated exactly. Stocks and rates are never summed (``metrics.measure``).
    Neither number is changed; the check sits on the review."""
    with _resolve(con, report_ids) as s:
        rows = con.execute(
            f"""
            WITH f AS ({_FACTS_DATED.format(facts=s.facts, reports=s.reports)}),
            term AS (
                SELECT DISTINCT f.report_id, f.place, f.metric, f.scope, f.p0, f.p1, f.value
                FROM f JOIN metrics m ON m.code = f.metric
                WHERE f.report_type = 'term_review' AND m.measure = 'flow' AND f.p1 > f.p0
                  AND f.qualifier = 'exact'
            ), per_report AS (
                SELECT place, metric, scope, p0 AS year, report_id, source_file, report_type,
                       max(value) AS value, bool_and(qualifier = 'exact') AS exact
                FROM f
                WHERE p0 = p1
                GROUP BY ALL
            ), yearly AS (
                SELECT *, row_number() OVER (
                    PARTITION BY place, metric, scope, year
                    ORDER BY CASE report_type WHEN 'annual_report' THEN 0 WHEN 'report_excerpt' THEN 1
                                              WHEN 'news_summary' THEN 2 ELSE 3 END,
                             source_file, report_id) AS rank
                FROM per_report
            ), compared AS (
                SELECT t.report_id, t.metric, t.scope, t.p0, t.p1, t.value,
                       sum(y.value) AS annual_total, count(DISTINCT y.year) AS n_years,
                       bool_and(y.exact) AS exact,
                       list({{'year': y.year, 'file': y.source_file, 'value': y.value}} ORDER BY y.year)
                           AS parts
                FROM term t JOIN yearly y ON y.rank = 1 AND y.place = t.place
                     AND y.metric = t.metric AND y.scope IS NOT DISTINCT FROM t.scope
                     AND y.year BETWEEN t.p0 AND t.p1
                GROUP BY t.report_id, t.metric, t.scope, t.p0, t.p1, t.value
            )
            SELECT c.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end,
                   c.metric, m.label_zh, c.scope, c.p0, c.p1, c.value, c.annual_total, c.parts
            FROM compared c JOIN {s.reports} r ON r.report_id = c.report_id
            LEFT JOIN metrics m ON m.code = c.metric
            WHERE c.n_years = c.p1 - c.p0 + 1 AND c.exact AND c.annual_total <> c.value
            ORDER BY r.source_file, c.report_id, c.metric, c.scope NULLS FIRST, c.p0, c.value
            """
        ).fetchall()
    out = []
    for rid, src, jur, r0, r1, metric, label, scope, p0, p1, value, annual, parts in rows:
        n = p1 - p0 + 1
        years = f"{_CN_COUNT.get(n, str(n))}年"
        listed = "；".join(f"{p['year']} {p['file']} {_num(p['value'])}" for p in parts)
        scope_note = f" [{scope}]" if scope else ""
        out.append(
            _warning(
                TERM_VS_ANNUAL_CHECK,
                metric,
                (rid, src, jur, r0, r1),
                f"{label or metric}（{metric}）{scope_note} {p0}–{p1}：{years}合计 {_num(value)}，"
                f"年度报告合计 {_num(annual)}，差 {_num(value - annual)}（{listed}）；"
                "两个数字均未改动，请核对",
            )
        )
    return out


def check_summary_vs_full(con: duckdb.DuckDBPyConnection, report_ids: ScopeArg = None) -> list[Check]:
    """A news summary (数说, 综述) or an excerpt states another value than the full report of the same
    committee for the same metric, period and scope (both stated exactly). The check sits on the summary."""
    with _resolve(con, report_ids) as s:
        rows = con.execute(
            f"""
            WITH f AS ({_FACTS_DATED.format(facts=s.facts, reports=s.reports)}),
            summary AS (
                SELECT DISTINCT report_id, report_type, place, metric, scope, p0, p1, value FROM f
                WHERE report_type IN ('news_summary', 'report_excerpt') AND qualifier = 'exact'
                      AND p0 IS NOT NULL
            ), full_report AS (
                SELECT report_id, source_file, report_type, place, metric, scope, p0, p1,
                       list_sort(list_distinct(list(value))) AS vals, bool_and(qualifier = 'exact') AS exact
                FROM f WHERE report_type IN ('annual_report', 'term_review')
                GROUP BY ALL
            )
            SELECT su.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end, su.report_type,
                   su.metric, m.label_zh, su.scope, su.p0, su.p1, su.value, fu.source_file, fu.report_type,
                   fu.vals
            FROM summary su JOIN full_report fu ON fu.place = su.place AND fu.metric = su.metric
                 AND fu.scope IS NOT DISTINCT FROM su.scope AND fu.p0 = su.p0 AND fu.p1 = su.p1
                 AND fu.report_id <> su.report_id
            JOIN {s.reports} r ON r.report_id = su.report_id
            LEFT JOIN metrics m ON m.code = su.metric
            WHERE fu.exact AND NOT list_contains(fu.vals, su.value)
            ORDER BY r.source_file, su.report_id, su.metric, su.scope NULLS FIRST, su.p0, su.value,
                     fu.source_file
            """
        ).fetchall()
    out = []
    for rid, src, jur, r0, r1, stype, metric, label, scope, p0, p1, value, full_src, ftype, vals in rows:
        scope_note = f" [{scope}]" if scope else ""
        out.append(
            _warning(
                SUMMARY_VS_FULL_CHECK,
                metric,
                (rid, src, jur, r0, r1),
                f"{label or metric}（{metric}）{scope_note} {_period(p0, p1)}：{_TYPE_ZH.get(stype, stype)} "
                f"{_num(value)}，{_TYPE_ZH.get(ftype, ftype)} {full_src} 为 "
                f"{'、'.join(_num(v) for v in vals)}，"
                "不一致；两个数字均未改动，请核对",
            )
        )
    return out


CheckFn = Callable[..., list[Check]]  # check(con, scope: CheckScope | Sequence[str] | None = None)

ALL_CHECKS: tuple[CheckFn, ...] = (
    check_rate_vs_parts,
    check_part_exceeds_total,
    check_percentage_range,
    check_outlier_across_years,
    check_duplicate_disagreement,
    check_report_without_facts,
    check_term_vs_annual,
    check_summary_vs_full,
)


def run_checks(
    con: duckdb.DuckDBPyConnection,
    report_ids: Sequence[str] | None = None,
    checks: Sequence[CheckFn] = ALL_CHECKS,
    *,
    jurisdictions: Iterable[str] = (),
) -> list[Check]:
    """Run the checks (read-only) and return what they found.

    ``report_ids`` None: over the whole database.  A list: only the checks concerning those reports,
    i.e. their per-report checks and the cross-report checks of every group (jurisdiction, metric,
    scope) in their jurisdictions; ``jurisdictions`` adds groups to cover.  Deleted reports may be in
    the list: they have nothing left to flag, but the groups they belonged to are covered when their
    jurisdiction can still be seen (inside the deleting transaction it can; see ``_jurisdictions_of``).
    """
    if report_ids is not None and isinstance(report_ids, str):
        raise TypeError("report_ids must be a sequence of report ids, not one string")
    found = []
    with check_scope(con, report_ids, jurisdictions) as scope:
        for check in checks:
            found.extend(check(con, scope))
    return found


_CHECK_COLUMNS = ("report_id", "source_file", "check_name", "severity", "metric", "message")


def write_checks(con: duckdb.DuckDBPyConnection, checks: Iterable[Check]) -> int:
    """Append checks to the `checks` table (one columnar insert); returns how many rows were written."""
    checks = list(checks)
    if not checks:
        return 0
    table = pa.table(
        {col: pa.array([getattr(c, col) for c in checks], type=pa.string()) for col in _CHECK_COLUMNS}
    )
    name = "_checks_rows_in"
    con.register(name, table)
    try:
        cols = ", ".join(_CHECK_COLUMNS)
        con.execute(f"INSERT INTO checks ({cols}) SELECT {cols} FROM {name}")
    finally:
        con.unregister(name)
    return len(checks)


def replace_checks(
    con: duckdb.DuckDBPyConnection,
    report_ids: Sequence[str] | None = None,
    *,
    jurisdictions: Iterable[str] = (),
) -> list[Check]:
    """Refresh the `checks` table for a scope and return the checks written.

    None: delete every row and run everything.  A list of report ids (written, replaced or deleted):
    delete the rows of those reports and the cross-report rows (``CROSS_REPORT_CHECKS``) of every report in
    their jurisdictions, then write what ``run_checks(con, report_ids)`` finds, so the table ends up as a
    full run would leave it.  Call it inside the transaction that changed the reports, after the change.
    """
    found: list[Check]
    if report_ids is None:
        found = run_checks(con)
        con.execute("DELETE FROM checks")
        write_checks(con, found)
        return found
    if isinstance(report_ids, str):
        raise TypeError("report_ids must be a sequence of report ids, not one string")
    found = []
    with check_scope(con, report_ids, jurisdictions) as scope:
        for check in ALL_CHECKS:
            found.extend(check(con, scope))
        con.execute(
            f"""
            DELETE FROM checks
            WHERE report_id IN (SELECT report_id FROM {_SCOPE_IDS})
               OR (check_name IN (SELECT unnest(?::VARCHAR[]))
                   AND report_id IN (SELECT report_id FROM {_SCOPE_REPORTS}))
            """,
            [list(CROSS_REPORT_CHECKS)],
        )
    write_checks(con, found)
    return found
