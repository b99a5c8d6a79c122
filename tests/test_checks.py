"""Sanity checks: each broken expectation is reported once, naming the report; facts stay untouched."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pytest
from conftest import insert_fact, insert_metrics, insert_report, new_db

from etl.store.checks import (
    PART_TOTAL_PAIRS,
    Check,
    check_duplicate_disagreement,
    check_outlier_across_years,
    check_part_exceeds_total,
    check_percentage_range,
    check_rate_vs_parts,
    check_report_without_facts,
    replace_checks,
    run_checks,
    write_checks,
)
from etl.store.schema import load_reference_tables

_ids = itertools.count()


@pytest.fixture
def con(tmp_path: Path):
    """A temporary DuckDB file with the schema applied and a few catalog rows."""
    c = new_db(tmp_path / "checks.duckdb")
    insert_metrics(
        c,
        [
            ("deputies.suggestions", "deputies", "代表建议", "Deputies' suggestions", "件", "core"),
            (
                "deputies.suggestions_resolved",
                "deputies",
                "建议已解决或基本解决",
                "Suggestions resolved",
                "件",
                "core",
            ),
            (
                "deputies.suggestion_resolution_rate",
                "deputies",
                "建议解决率",
                "Suggestion resolution rate",
                "%",
                "extended",
            ),
            (
                "deputies.suggestion_satisfaction",
                "deputies",
                "建议办理满意率",
                "Suggestion satisfaction",
                "%",
                "core",
            ),
        ],
    )
    yield c
    c.close()


def add_report(
    con: duckdb.DuckDBPyConnection,
    source_file: str,
    jurisdiction: str = "鹤壁市",
    period: tuple[int, int] = (2023, 2023),
    report_type: str = "annual_report",
) -> str:
    report_id = f"r{next(_ids):016x}"
    insert_report(
        con,
        report_id,
        source_file,
        jurisdiction,
        period,
        report_type,
        title=f"{jurisdiction}人大常委会工作报告",
    )
    return report_id


def add_fact(
    con: duckdb.DuckDBPyConnection,
    report_id: str,
    metric: str,
    value: float,
    unit: str | None = "件",
    period: tuple[int, int] = (2023, 2023),
    scope: str | None = None,
) -> None:
    n = next(_ids)
    value_text = f"{value:g}"
    insert_fact(
        con,
        f"f{n:016x}",
        report_id,
        metric,
        value,
        unit=unit,
        evidence=f"……{value_text}{unit or ''}……",
        value_text=value_text,
        start=n * 100,
        period=period,
        scope=scope,
    )


def names(checks: list[Check]) -> list[str]:
    return [c.check_name for c in checks]


def hebi(con: duckdb.DuckDBPyConnection, *, total=229, resolved=211, rate=None) -> str:
    rid = add_report(con, "002_hebi.txt")
    add_fact(con, rid, "deputies.suggestions", total)
    add_fact(con, rid, "deputies.suggestions_resolved", resolved)
    if rate is not None:
        add_fact(con, rid, "deputies.suggestion_resolution_rate", rate, unit="%")
    return rid


# 1. rate vs parts ---------------------------------------------------------------------------


def test_stated_rate_that_agrees_with_parts_passes(con):
    hebi(con, rate=92.1)  # 211 / 229 = 92.14 %
    assert check_rate_vs_parts(con) == []
    assert run_checks(con) == []


@pytest.mark.parametrize("rate", [92.1, 91.0, 93.6])
def test_rate_within_tolerance_passes(con, rate):
    hebi(con, rate=rate)
    assert check_rate_vs_parts(con) == []


def test_stated_rate_that_disagrees_is_a_warning(con):
    rid = hebi(con, rate=50)
    (check,) = check_rate_vs_parts(con)
    assert (check.report_id, check.source_file, check.check_name, check.severity) == (
        rid,
        "002_hebi.txt",
        "rate_vs_parts",
        "warning",
    )
    assert check.metric == "deputies.suggestion_resolution_rate"
    assert check.message.startswith("002_hebi.txt (鹤壁市 2023): ")
    assert "50%" in check.message and "211" in check.message and "229" in check.message
    assert "92.1%" in check.message


def test_rate_is_not_compared_across_periods(con):
    rid = add_report(con, "003_zz.txt", "郑州市", (2018, 2022), "term_review")
    add_fact(con, rid, "deputies.suggestions", 1000, period=(2018, 2022))
    add_fact(con, rid, "deputies.suggestions_resolved", 900, period=(2018, 2022))
    add_fact(con, rid, "deputies.suggestion_resolution_rate", 50, unit="%", period=(2022, 2022))
    assert check_rate_vs_parts(con) == []


# 2. parts larger than their total -----------------------------------------------------------


def test_part_larger_than_total_is_a_warning(con):
    rid = hebi(con, resolved=250)
    (check,) = check_part_exceeds_total(con)
    assert (check.report_id, check.check_name, check.severity, check.metric) == (
        rid,
        "part_exceeds_total",
        "warning",
        "deputies.suggestions_resolved",
    )
    assert check.message.startswith(
        "002_hebi.txt (鹤壁市 2023): deputies.suggestions_resolved 250 > deputies.suggestions 229"
    )


def test_part_equal_to_total_passes(con):
    hebi(con, resolved=229)
    assert check_part_exceeds_total(con) == []


def test_problems_resolved_versus_opinions_is_not_a_part_total_rule(con):
    assert ("liaison.problems_resolved", "liaison.opinions_collected") not in PART_TOTAL_PAIRS
    rid = add_report(con, "000_zz.txt", "郑州市")
    add_fact(con, rid, "liaison.opinions_collected", 2493, unit="条")
    add_fact(con, rid, "liaison.problems_resolved", 10148)
    assert run_checks(con) == []


def test_part_and_total_of_different_periods_or_scopes_are_not_compared(con):
    rid = add_report(con, "003_zz.txt", "郑州市", (2018, 2022), "term_review")
    add_fact(con, rid, "deputies.suggestions", 229, period=(2022, 2022))
    add_fact(con, rid, "deputies.suggestions_resolved", 1500, period=(2018, 2022))
    add_fact(con, rid, "deputies.suggestions", 300, period=(2018, 2022), scope="city_level")
    assert check_part_exceeds_total(con) == []


# 3. percentages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "flagged"),
    [(96, "%", False), (100, "%", False), (0, "%", False), (105, "%", True), (-3, "%", True)],
)
def test_percentage_outside_0_100(con, value, unit, flagged):
    rid = add_report(con, "000_zz.txt", "郑州市")
    add_fact(con, rid, "deputies.suggestion_satisfaction", value, unit=unit)
    found = check_percentage_range(con)
    assert len(found) == int(flagged)
    if flagged:
        assert found[0].message.startswith("000_zz.txt (郑州市 2023): deputies.suggestion_satisfaction")
        assert "outside 0–100%" in found[0].message


def test_percentage_known_from_the_catalog_when_the_fact_has_no_unit(con):
    rid = add_report(con, "000_zz.txt", "郑州市")
    add_fact(con, rid, "deputies.suggestion_satisfaction", 960, unit=None)
    add_fact(con, rid, "deputies.suggestions", 960, unit=None)  # a count, not a percentage
    (check,) = check_percentage_range(con)
    assert check.metric == "deputies.suggestion_satisfaction"


# 4. outliers across years -------------------------------------------------------------------


def zhengzhou_years(con, values: dict[int, float], metric: str = "deputies.suggestions") -> dict[int, str]:
    ids = {}
    for year, value in values.items():
        rid = add_report(con, f"zz_{year}.txt", "郑州市", (year, year))
        add_fact(con, rid, metric, value, period=(year, year))
        ids[year] = rid
    return ids


def test_one_hundredfold_year_is_flagged_and_term_total_is_not(con):
    ids = zhengzhou_years(con, {2019: 350, 2020: 340, 2021: 35000, 2022: 360, 2023: 355})
    term = add_report(con, "003_zz_term.txt", "郑州市", (2018, 2022), "term_review")
    add_fact(con, term, "deputies.suggestions", 90000, period=(2018, 2022))  # far above any year
    found = check_outlier_across_years(con)
    assert len(found) == 1
    (check,) = found
    assert (check.report_id, check.source_file, check.check_name, check.severity) == (
        ids[2021],
        "zz_2021.txt",
        "outlier_across_years",
        "warning",
    )
    assert check.message.startswith("zz_2021.txt (郑州市 2021): ")
    assert "35000 in 2021" in check.message and "median 352.5" in check.message
    assert all(c.report_id != term for c in run_checks(con))


def test_a_tenth_of_the_other_years_is_flagged(con):
    zhengzhou_years(con, {2019: 350, 2020: 340, 2021: 30, 2022: 360, 2023: 355})
    (check,) = check_outlier_across_years(con)
    assert "30 in 2021" in check.message and "less than 1/10" in check.message


def test_outlier_needs_three_other_years(con):
    zhengzhou_years(con, {2021: 35000, 2022: 360, 2023: 355})
    assert check_outlier_across_years(con) == []


def test_ordinary_variation_is_not_an_outlier(con):
    zhengzhou_years(con, {2019: 100, 2020: 250, 2021: 900, 2022: 120, 2023: 300})
    assert check_outlier_across_years(con) == []


def test_outliers_compare_one_jurisdiction_and_one_scope(con):
    zhengzhou_years(con, {2019: 79, 2020: 80, 2022: 81, 2023: 82}, metric="liaison.stations")
    rid = add_report(con, "zz_2021_all.txt", "郑州市", (2021, 2021))
    add_fact(con, rid, "liaison.stations", 7710, unit="个", period=(2021, 2021), scope="all_levels")
    other = add_report(con, "hebi_2021.txt", "鹤壁市", (2021, 2021))
    add_fact(con, other, "liaison.stations", 5000, unit="个", period=(2021, 2021))
    assert check_outlier_across_years(con) == []


def test_two_districts_of_one_name_are_compared_only_with_their_own_years(con):
    """北京市朝阳区 and 长春市朝阳区 share a name: each is compared only with its own years."""
    load_reference_tables(con)  # the division table: 朝阳区 is 北京市's and 长春市's
    assert con.execute("SELECT count(*) FROM shared_division_names WHERE name = '朝阳区'").fetchone()[0]

    def chaoyang(parent: str, year: int, value: float) -> None:
        rid = f"r{next(_ids):016x}"
        province = "北京市" if parent == "北京市" else "吉林省"
        insert_report(
            con,
            rid,
            f"{parent}_{year}.txt",
            "朝阳区",
            (year, year),
            "annual_report",
            title="朝阳区人大常委会工作报告",
            level="county",
            parent=parent,
            province=province,
        )
        add_fact(con, rid, "deputies.suggestions", value, period=(year, year))

    for year in (2019, 2020, 2021, 2022):
        chaoyang("北京市", year, 900)
        chaoyang("长春市", year, 30)
    assert check_outlier_across_years(con) == []
    chaoyang("长春市", 2023, 900)  # 30× its own other years
    assert [c.source_file for c in check_outlier_across_years(con)] == ["长春市_2023.txt"]


# 5. duplicates that disagree ----------------------------------------------------------------


def test_same_metric_and_period_with_two_values_is_a_warning(con):
    rid = add_report(con, "000_zz.txt", "郑州市")
    add_fact(con, rid, "legislation.laws_amended", 33)
    add_fact(con, rid, "legislation.laws_amended", 8)
    add_fact(con, rid, "legislation.laws_amended", 33)
    (check,) = check_duplicate_disagreement(con)
    assert (check.report_id, check.metric, check.check_name) == (
        rid,
        "legislation.laws_amended",
        "duplicate_disagreement",
    )
    assert check.message.startswith("000_zz.txt (郑州市 2023): legislation.laws_amended")
    assert "(8, 33)" in check.message


def test_repeated_equal_values_and_other_scopes_are_not_disagreements(con):
    rid = add_report(con, "000_zz.txt", "郑州市")
    add_fact(con, rid, "liaison.stations", 760, unit="个")
    add_fact(con, rid, "liaison.stations", 760, unit="个")
    add_fact(con, rid, "liaison.stations", 79, unit="个", scope="city_level")
    add_fact(con, rid, "liaison.stations", 700, unit="个", period=(2018, 2022))
    assert check_duplicate_disagreement(con) == []


# 6. reports without facts -------------------------------------------------------------------


def test_report_without_facts_is_a_warning(con):
    hebi(con)
    empty = add_report(con, "004_empty.txt", "新郑市", (2018, 2019), "news_summary")
    (check,) = check_report_without_facts(con)
    assert (check.report_id, check.source_file, check.metric, check.severity) == (
        empty,
        "004_empty.txt",
        None,
        "warning",
    )
    assert check.message.startswith("004_empty.txt (新郑市 2018–2019): no facts")


# run_checks / write_checks ------------------------------------------------------------------


def test_empty_database_has_nothing_to_report(con):
    assert run_checks(con) == []
    assert write_checks(con, []) == 0


def test_run_and_write_checks_leave_facts_untouched(con):
    hebi(con, resolved=250, rate=50)
    add_report(con, "004_empty.txt", "新郑市")
    before = con.execute("SELECT * FROM facts ORDER BY fact_id").fetchall()

    found = run_checks(con)
    assert sorted(names(found)) == ["part_exceeds_total", "rate_vs_parts", "report_without_facts"]
    assert write_checks(con, found) == 3

    assert con.execute("SELECT * FROM facts ORDER BY fact_id").fetchall() == before
    stored = con.execute(
        "SELECT report_id, source_file, check_name, severity, metric, message FROM checks"
    ).fetchall()
    assert sorted(stored, key=str) == sorted(
        [(c.report_id, c.source_file, c.check_name, c.severity, c.metric, c.message) for c in found], key=str
    )


def test_messages_are_safe_with_quotes_in_file_names(con):
    rid = add_report(con, 'it\'s "quoted"; DROP TABLE facts.txt')
    add_fact(con, rid, "deputies.suggestion_satisfaction", 120, unit="%")
    found = run_checks(con)
    write_checks(con, found)
    assert con.execute("SELECT source_file FROM checks").fetchall() == [(found[0].source_file,)]
    assert con.execute("SELECT count(*) FROM facts").fetchone() == (1,)


# scoped runs and replace_checks -------------------------------------------------------------


def stored_checks(con) -> list[tuple]:
    rows = con.execute(
        "SELECT report_id, source_file, check_name, severity, metric, message FROM checks"
    ).fetchall()
    return sorted(rows, key=str)


def as_rows(found: list[Check]) -> list[tuple]:
    return sorted(
        [(c.report_id, c.source_file, c.check_name, c.severity, c.metric, c.message) for c in found], key=str
    )


def test_scoped_run_covers_the_reports_and_their_jurisdictions_groups(con):
    ids = zhengzhou_years(con, {2019: 350, 2020: 340, 2021: 35000, 2022: 360, 2023: 355})
    hebi_id = hebi(con, resolved=250, rate=50)  # part > total and rate ≠ parts, in 鹤壁市
    full = run_checks(con)
    # 2019's report is not the outlier, but 2021 is in the same group: the scoped run finds it
    scoped = run_checks(con, [ids[2019]])
    assert names(scoped) == ["outlier_across_years"] and scoped[0].report_id == ids[2021]
    assert sorted(names(run_checks(con, [hebi_id]))) == ["part_exceeds_total", "rate_vs_parts"]
    assert as_rows(run_checks(con, [*ids.values(), hebi_id])) == as_rows(full)
    assert run_checks(con, []) == []
    assert check_outlier_across_years(con, [hebi_id]) == []


def test_replace_checks_none_rewrites_the_whole_table(con):
    hebi(con, resolved=250, rate=50)
    con.execute("INSERT INTO checks VALUES ('gone', 'gone.txt', 'old', 'warning', NULL, 'stale')")
    found = replace_checks(con)
    assert stored_checks(con) == as_rows(found) == as_rows(run_checks(con))


def test_incremental_scoped_replace_equals_a_full_run(con):
    """Add, alter (replace) and delete reports in transactions; the table always matches a full run."""
    years = zhengzhou_years(con, {2019: 350, 2020: 340, 2022: 360, 2023: 355})
    hebi(con)
    replace_checks(con)
    assert stored_checks(con) == []

    def step(change) -> None:
        con.execute("BEGIN TRANSACTION")
        touched = change()
        replace_checks(con, touched)
        con.execute("COMMIT")
        assert stored_checks(con) == as_rows(run_checks(con))

    def delete(rid: str) -> None:
        for table in ("facts", "checks", "reports"):
            con.execute(f"DELETE FROM {table} WHERE report_id = ?", [rid])

    # add an outlying year: flags the new report
    added: dict[str, str] = {}

    def add_outlier():
        added["2021"] = add_report(con, "zz_2021.txt", "郑州市", (2021, 2021))
        add_fact(con, added["2021"], "deputies.suggestions", 35000, period=(2021, 2021))
        return [added["2021"]]

    step(add_outlier)
    assert con.execute(
        "SELECT count(*) FROM checks WHERE check_name = 'outlier_across_years'"
    ).fetchone() == (1,)

    # replace 2019 with a version whose value drags the other years' median: rows of other reports change
    def alter_2019():
        delete(years[2019])
        years[2019] = add_report(con, "zz_2019_v2.txt", "郑州市", (2019, 2019))
        add_fact(con, years[2019], "deputies.suggestions", 3, period=(2019, 2019))
        add_fact(con, years[2019], "deputies.suggestions", 4, period=(2019, 2019))  # a disagreement
        return [years[2019], "r-old-2019-gone"]

    step(alter_2019)

    # delete the outlying report: the flags it caused on others go too (found through the snapshot)
    def delete_2021():
        delete(added["2021"])
        return [added["2021"]]

    step(delete_2021)

    def add_empty_and_bad():
        empty = add_report(con, "004_empty.txt", "新郑市")
        bad = add_report(con, "005_bad.txt", "新郑市")
        add_fact(con, bad, "deputies.suggestion_satisfaction", 120, unit="%")
        return [empty, bad]

    step(add_empty_and_bad)
    assert sorted(set(names(run_checks(con)))) == [
        "duplicate_disagreement",
        "outlier_across_years",
        "percentage_out_of_range",
        "report_without_facts",
    ]


def test_incremental_replace_on_the_corpus_build_equals_a_full_run(corpus_copy):
    """The bundled corpus build: re-check one report, replace one, delete one; always as a full run."""
    db, _lib = corpus_copy
    c = duckdb.connect(str(db))
    try:
        replace_checks(c)
        full = stored_checks(c)
        rids = [r for (r,) in c.execute("SELECT report_id FROM reports ORDER BY source_file").fetchall()]
        assert len(rids) == 5
        # re-checking any one report leaves the table as it was
        for rid in rids:
            replace_checks(c, [rid])
            assert stored_checks(c) == full

        c.execute("BEGIN TRANSACTION")
        # alter: the first report comes back under a new id with one value changed tenfold
        old = rids[0]
        new = "r" + "f" * 16
        c.execute(
            "INSERT INTO reports SELECT * REPLACE (? AS report_id) FROM reports WHERE report_id = ?",
            [new, old],
        )
        c.execute(
            "INSERT INTO facts SELECT * REPLACE ('x' || fact_id AS fact_id, ? AS report_id, "
            "CASE WHEN row_number() OVER (ORDER BY fact_id) = 1 THEN value * 100 ELSE value END AS value) "
            "FROM facts WHERE report_id = ?",
            [new, old],
        )
        for table in ("facts", "checks", "reports"):
            c.execute(f"DELETE FROM {table} WHERE report_id = ?", [old])
        # and delete another one
        for table in ("facts", "checks", "reports"):
            c.execute(f"DELETE FROM {table} WHERE report_id = ?", [rids[1]])
        replace_checks(c, [new, old, rids[1]])
        c.execute("COMMIT")
        assert stored_checks(c) == as_rows(run_checks(c))
    finally:
        c.close()


def test_write_checks_handles_many_rows_and_nulls(con):
    many = [Check(None if i % 7 == 0 else f"r{i}", None, "x", "warning", None, f"m{i}") for i in range(5000)]
    assert write_checks(con, many) == 5000
    assert stored_checks(con) == as_rows(many)
