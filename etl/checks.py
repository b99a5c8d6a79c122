"""Sanity checks after loading: each says which report broke which expectation; none edits a fact."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import duckdb

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


# Every fact joined with its report's label fields; report columns are NULL for orphan facts.
_FACTS_WITH_REPORT = """
    SELECT f.fact_id, f.report_id, r.source_file, r.jurisdiction,
           r.period_start AS r_start, r.period_end AS r_end,
           f.metric, f.value, f.unit, f.qualifier, f.period_start, f.period_end, f.scope,
           f.evidence_start
    FROM facts f LEFT JOIN reports r ON r.report_id = f.report_id
"""


def check_rate_vs_parts(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """A stated rate disagrees with resolved ÷ total for the same report, period and scope."""
    out: list[Check] = []
    for rate_metric, part_metric, total_metric in RATE_PARTS:
        rows = con.execute(
            f"""
            WITH f AS ({_FACTS_WITH_REPORT})
            SELECT DISTINCT rate.report_id, rate.source_file, rate.jurisdiction, rate.r_start, rate.r_end,
                   rate.period_start, rate.period_end, rate.value, part.value, total.value
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
            ORDER BY rate.source_file, rate.report_id, rate.period_start, rate.value, part.value, total.value
            """,
            [part_metric, total_metric, rate_metric, RATE_TOLERANCE_PP],
        ).fetchall()
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


def check_part_exceeds_total(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """A part (e.g. suggestions resolved) larger than its total for the same report, period and scope."""
    out: list[Check] = []
    for part_metric, total_metric in PART_TOTAL_PAIRS:
        rows = con.execute(
            f"""
            WITH f AS ({_FACTS_WITH_REPORT})
            SELECT DISTINCT part.report_id, part.source_file, part.jurisdiction, part.r_start, part.r_end,
                   part.period_start, part.period_end, part.value, total.value
            FROM f part
            JOIN f total ON total.report_id = part.report_id AND total.metric = ?
                 AND total.period_start IS NOT DISTINCT FROM part.period_start
                 AND total.period_end IS NOT DISTINCT FROM part.period_end
                 AND total.scope IS NOT DISTINCT FROM part.scope
            WHERE part.metric = ? AND part.value > total.value
            ORDER BY part.source_file, part.report_id, part.period_start, part.value, total.value
            """,
            [total_metric, part_metric],
        ).fetchall()
        for rid, src, jur, r_start, r_end, p_start, p_end, part, total in rows:
            out.append(
                _warning(
                    "part_exceeds_total",
                    part_metric,
                    (rid, src, jur, r_start, r_end),
                    f"{part_metric} {_num(part)} > {total_metric} {_num(total)} for {_period(p_start, p_end)} "
                    "(a part cannot exceed its total)",
                )
            )
    return out


def check_percentage_range(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """A percentage (stated unit %, or the catalog's unit % when none was stated) outside 0–100."""
    rows = con.execute(
        f"""
        WITH f AS ({_FACTS_WITH_REPORT})
        SELECT f.report_id, f.source_file, f.jurisdiction, f.r_start, f.r_end,
               f.metric, f.value, f.period_start, f.period_end
        FROM f LEFT JOIN metrics m ON m.code = f.metric
        WHERE (f.unit IN (?, ?) OR (f.unit IS NULL AND m.unit IN (?, ?)))
          AND (f.value < 0 OR f.value > 100)
        ORDER BY f.source_file, f.report_id, f.metric, f.period_start, f.evidence_start, f.fact_id
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


def check_outlier_across_years(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """An annual value >10× or <1/10 of the median of the same jurisdiction's other years.

    Only annual facts (period_start == period_end) take part, so a term total never meets the
    yearly values. Scope is part of the key: all-levels counts are legitimately far above
    city-level ones.
    """
    rows = con.execute(
        f"""
        WITH f AS ({_FACTS_WITH_REPORT})
        SELECT report_id, source_file, jurisdiction, r_start, r_end, metric, scope, period_start, value
        FROM f
        WHERE jurisdiction IS NOT NULL AND period_start IS NOT NULL AND period_start = period_end
        ORDER BY jurisdiction, metric, scope NULLS FIRST, period_start, source_file, report_id, value
        """
    ).fetchall()

    # (jurisdiction, metric, scope) → year → values (several reports may state the same year)
    series: dict[tuple, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for _rid, _src, jur, _rs, _re, metric, scope, year, value in rows:
        series[(jur, metric, scope)][year].append(value)

    out: list[Check] = []
    seen: set[tuple] = set()
    for rid, src, jur, r_start, r_end, metric, scope, year, value in rows:
        key = (rid, metric, scope, year, value)
        if key in seen:
            continue
        seen.add(key)
        years = series[(jur, metric, scope)]
        others = {y: statistics.median(vals) for y, vals in years.items() if y != year}
        if len(others) < OUTLIER_MIN_OTHER_YEARS:
            continue
        median = statistics.median(others.values())
        if median <= 0:
            continue  # a ratio to zero says nothing
        if value > OUTLIER_FACTOR * median:
            relation = f"{value / median:.1f}× the"
        elif value < median / OUTLIER_FACTOR:
            relation = f"less than 1/{_num(OUTLIER_FACTOR)} of the"
        else:
            continue
        listed = ", ".join(f"{y}: {_num(v)}" for y, v in sorted(others.items()))
        scope_note = f" [{scope}]" if scope else ""
        out.append(
            _warning(
                "outlier_across_years",
                metric,
                (rid, src, jur, r_start, r_end),
                f"{jur} {metric}{scope_note} {_num(value)} in {year} is {relation} median {_num(median)} "
                f"of the other years ({listed}); expected within {_num(OUTLIER_FACTOR)}× either way",
            )
        )
    return out


def check_duplicate_disagreement(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """One report states different values for the same metric, period and scope."""
    rows = con.execute(
        f"""
        WITH f AS ({_FACTS_WITH_REPORT})
        SELECT report_id, any_value(source_file), any_value(jurisdiction), any_value(r_start),
               any_value(r_end), metric, period_start, period_end, scope,
               list_sort(list_distinct(list(value))) AS vals
        FROM f
        GROUP BY report_id, metric, period_start, period_end, scope
        HAVING count(DISTINCT value) > 1
        ORDER BY any_value(source_file), report_id, metric, period_start, period_end, scope NULLS FIRST
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


def check_report_without_facts(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """A loaded report from which no fact was extracted."""
    rows = con.execute(
        """
        SELECT r.report_id, r.source_file, r.jurisdiction, r.period_start, r.period_end
        FROM reports r
        WHERE NOT EXISTS (SELECT 1 FROM facts f WHERE f.report_id = r.report_id)
        ORDER BY r.source_file, r.report_id
        """
    ).fetchall()
    return [
        _warning(
            "report_without_facts", None, report, "no facts extracted; expected at least one stated count"
        )
        for report in rows
    ]


ALL_CHECKS: tuple[Callable[[duckdb.DuckDBPyConnection], list[Check]], ...] = (
    check_rate_vs_parts,
    check_part_exceeds_total,
    check_percentage_range,
    check_outlier_across_years,
    check_duplicate_disagreement,
    check_report_without_facts,
)


def run_checks(
    con: duckdb.DuckDBPyConnection,
    checks: Sequence[Callable[[duckdb.DuckDBPyConnection], list[Check]]] = ALL_CHECKS,
) -> list[Check]:
    """Run every check over the loaded tables (read-only) and return what they found."""
    found: list[Check] = []
    for check in checks:
        found.extend(check(con))
    return found


def write_checks(con: duckdb.DuckDBPyConnection, checks: Iterable[Check]) -> int:
    """Append checks to the `checks` table; returns how many rows were written."""
    rows = [(c.report_id, c.source_file, c.check_name, c.severity, c.metric, c.message) for c in checks]
    if rows:
        con.executemany(
            "INSERT INTO checks (report_id, source_file, check_name, severity, metric, message) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)
