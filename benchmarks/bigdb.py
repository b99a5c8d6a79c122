"""A national-scale synthetic database (10 M facts, 64,000 reports) for the dashboard benchmarks.

Every row is generated inside DuckDB with SQL (range() and hash()), on the project's real schema
(etl.store.schema.create_schema) and reference tables (etl.store.schema.load_reference_tables: the metric
catalog and the national gazetteer).  Reports are spread over the real jurisdictions (so the level mix is
the gazetteer's: about 90 % county, 10 % prefecture, a few provinces and the national one), years 2005–2025,
the four report types.  Facts use the catalog's metrics with core ones dominant, realistic values, units,
qualifiers (余/约), scopes and periods (term reviews carry term totals).  Every fact's evidence sentence is
part of its report's text (report_texts.norm_text) at evidence_start..evidence_end, and value_text is at
value_start..value_end inside it, so the 报告 page highlights them as it does real reports.  A few thousand
facts are corrected, rejected or added (fact_edits, added_facts, corrections) so facts_current does real work.

    .venv/bin/python -m benchmarks.bigdb --out /tmp/big.duckdb --facts 10000000
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import duckdb

from etl.store.schema import create_schema, load_reference_tables, schema_sha256

YEAR_FIRST, YEAR_LAST = 2005, 2025
# metric kind → weight (core metrics dominate, as in real reports)
KIND_WEIGHT = {"core": 8, "composite": 2, "extended": 2, "sub": 1}
VERBS = ["全年", "本年度", "一年来", "共", "累计", "先后"]


def make_big_db(
    path: str | Path, n_facts: int = 10_000_000, n_reports: int = 64_000, seed: int = 0, *, aggregates=False
) -> Path:
    """Create ``path`` (replacing it) and fill it; returns the path.  ``aggregates``: also refresh them."""
    path = Path(path)
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        create_schema(con)
        load_reference_tables(con)
        _fill(con, n_facts, n_reports, seed)
        if aggregates:
            from etl.store import aggregates as agg

            agg.refresh(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def _fill(con: duckdb.DuckDBPyConnection, n_facts: int, n_reports: int, seed: int) -> None:
    s = int(seed)
    # Jurisdictions numbered in code order; duplicate names (铁西区 in two cities) are kept, as in China.
    con.execute(
        "create temp table jur as select row_number() over (order by code, name) - 1 as j, name, level, "
        "parent, province from jurisdictions"
    )
    n_jur = con.execute("select count(*) from jur").fetchone()[0]
    slots = max(1, math.ceil(n_reports / n_jur))
    # metrics, repeated by weight, as one list to index into
    rows = con.execute(
        "select code, label_zh, coalesce(unit, '件'), kind from metrics order by code"
    ).fetchall()
    weighted = [r for r in rows for _ in range(KIND_WEIGHT.get(r[3], 1))]
    con.execute(
        "create temp table mw as select unnest($c) as code, unnest($l) as label_zh, unnest($u) as unit, "
        "generate_subscripts($c, 1) - 1 as w",
        {
            "c": [r[0] for r in weighted],
            "l": [r[1] for r in weighted],
            "u": [r[2].split("/")[0] for r in weighted],
        },
    )
    n_w = len(weighted)

    # 1. reports: jurisdiction i mod n_jur, one slot (year) per round, 85 % annual reports
    con.execute(
        f"""
        create temp table rep as
        with base as (
            select i, i % {n_jur} as j, i // {n_jur} as slot,
                   hash(i, {s}, 'type') % 100 as t
            from range({n_reports}) t(i)
        )
        select b.i as rep, 'r' || substr(md5(b.i::varchar || '-{s}'), 1, 16) as report_id,
            jur.name as jurisdiction, jur.level, jur.parent, jur.province,
            case when {slots} <= {YEAR_LAST - YEAR_FIRST + 1}
                 then {YEAR_LAST} - (b.slot * {YEAR_LAST - YEAR_FIRST}) // {max(1, slots - 1)}
                 else {YEAR_FIRST} + b.slot % {YEAR_LAST - YEAR_FIRST + 1} end as year,
            case when b.t < 85 then 'annual_report' when b.t < 90 then 'term_review'
                 when b.t < 95 then 'report_excerpt' else 'news_summary' end as report_type
        from base b join jur on jur.j = b.j
        """
    )
    con.execute(
        """
        insert into reports
        select report_id, 'synthetic/' || report_id || '.txt',
            jurisdiction || '人大常委会' || (case when report_type = 'term_review'
                then (year - 4)::varchar || '—' || year::varchar || '年届期' else year::varchar || '年' end)
                || '工作报告',
            jurisdiction, level, parent, province,
            case when report_type = 'term_review' then year - 4 else year end, year, report_type,
            make_date(least(year + 1, 2025), 1 + (rep % 3), 1 + (rep % 27)),
            md5(report_id), 'txt', 'utf-8', 0, timestamp '2025-01-01 00:00:00', 'ok', null, 1.0, null
        from rep
        """
    )

    # 2. facts: report = floor(i * n_reports / n_facts), so facts are stored report by report
    con.execute(
        f"""
        create temp table f0 as
        with g as (
            select i, (i * {n_reports}) // {n_facts} as rep,
                (hash(i, {s}, 'm') % {n_w})::bigint as w,
                (hash(i, {s}, 'v') % 1000)::bigint as hv,
                (hash(i, {s}, 'q') % 100)::bigint as hq,
                (hash(i, {s}, 'p') % 100)::bigint as hp,
                (hash(i, {s}, 's') % 100)::bigint as hs,
                hash(i, {s}, 'x') % {len(VERBS)} as hx
            from range({n_facts}) t(i)
        ), v as (
            select g.*, r.report_id, r.year, r.report_type, mw.code as metric, mw.label_zh, mw.unit,
                case when mw.unit = '%' then 80 + (hv % 21)
                     when hv < 600 then 1 + hv % 30
                     when hv < 900 then 30 + (hv * 7) % 470
                     else 500 + (hv * 131) % 20000 end as value
            from g join rep r on r.rep = g.rep join mw on mw.w = g.w
        )
        select i, rep, report_id, metric, value::double as value,
            case when unit = '%' then '%' else unit end as unit,
            case when hq < 80 then 'exact' when hq < 95 then 'approx_at_least' else 'approx' end as qualifier,
            case when report_type = 'term_review' and hp < 60 then year - 4
                 when hp < 8 then null else year end as period_start,
            case when report_type = 'term_review' and hp < 60 then year
                 when hp < 8 then null else year end as period_end,
            case when hs < 5 then 'city_level' when hs < 8 then 'all_levels' else null end as scope,
            list_extract($verbs, (hx + 1)::bigint) || label_zh as prefix,
            case when hq < 80 then value::bigint::varchar
                 when hq < 95 then value::bigint::varchar || '余'
                 else '约' || value::bigint::varchar end as value_text
        from v
        """,
        {"verbs": VERBS},
    )
    con.execute(
        """
        create temp table f1 as
        select *, prefix || value_text || coalesce(unit, '') || '。' as evidence
        from f0
        """
    )
    con.execute("drop table f0")
    con.execute(
        """
        create temp table f2 as
        select *, length('标题' || rep::varchar || '\n') as h,
            sum(length(evidence)) over (partition by rep order by i) - length(evidence) as before
        from f1
        """
    )
    con.execute("drop table f1")
    con.execute(
        """
        insert into facts
        select substr(md5(report_id || '#' || i::varchar), 1, 16), report_id, metric, value, unit, qualifier,
            period_start, period_end, scope, evidence,
            h + before, h + before + length(evidence),
            value_text, h + before + length(prefix), h + before + length(prefix) + length(value_text),
            h + before, h + before + length(evidence), 'past_work', 'synthetic'
        from f2 order by i
        """
    )

    # 3. texts: a header line, then the facts' sentences in order (offsets above point into it)
    con.execute(
        """
        insert into report_texts
        select r.report_id, t.txt, t.txt
        from rep r join (
            select rep, '标题' || rep::varchar || '\n' || string_agg(evidence, '' order by i) as txt
            from f2 group by rep
        ) t using (rep)
        """
    )
    con.execute(
        "update reports set n_chars = length(t.norm_text) from report_texts t "
        "where t.report_id = reports.report_id"
    )
    con.execute(
        "insert into sections select report_id, 0, 'past_work', null, 0, n_chars, period_start, period_end "
        "from reports"
    )

    # 4. corrections: 0.05 % of facts set to a new value, 0.02 % rejected, and a few added facts
    n_set, n_rej = max(1, n_facts // 2000), max(1, n_facts // 5000)
    con.execute(
        f"""
        create temp table picked as
        select fact_id, report_id, value, row_number() over (order by hash(fact_id, {s})) as k
        from facts using sample {n_set + n_rej} rows (reservoir, {s})
        """
    )
    con.execute(
        """
        insert into corrections
        select 'c2025' || lpad(k::varchar, 8, '0'), k, case when k <= $n_set then 'set' else 'reject' end,
            fact_id, report_id, null,
            case when k <= $n_set then '{"value": [' || value::varchar || ', ' || (value + 1)::varchar || ']}'
                 else null end,
            case when k <= $n_set then 'value ' || value::varchar || ' → ' || (value + 1)::varchar
                 else 'rejected' end,
            null, '基准测试', timestamp '2025-03-01 08:00:00', '合成更正', 'applied', null
        from picked
        """,
        {"n_set": n_set},
    )
    con.execute(
        """
        insert into fact_edits
        select fact_id, k > $n_set, null, case when k <= $n_set then value + 1 end,
            null, null, null, null, null, 'c2025' || lpad(k::varchar, 8, '0')
        from picked
        """,
        {"n_set": n_set},
    )
    n_add = max(1, n_facts // 20000)
    con.execute(
        f"""
        insert into added_facts
        select 'a' || substr(md5(f.fact_id), 1, 15), f.report_id, f.metric, f.value, f.unit, f.qualifier,
            f.period_start, f.period_end, f.scope, f.evidence, f.evidence_start, f.evidence_end,
            f.value_text, f.value_start, f.value_end, f.raw_start, f.raw_end, f.section, 'added',
            'c2026' || lpad(row_number() over ()::varchar, 8, '0')
        from facts f using sample {n_add} rows (reservoir, {s + 1})
        """
    )
    con.execute(
        """
        insert into corrections
        select correction_id, 1000000 + row_number() over (), 'add', fact_id, report_id, null, null,
            'added', evidence, '基准测试', timestamp '2025-03-02 08:00:00', '合成补充', 'applied', null
        from added_facts
        """
    )
    con.execute(
        """
        insert into build_info values ('generation', '1'), ('last_write', 'build'),
            ('built_at', '2025-01-01T00:00:00Z'), ('last_write_at_utc', '2025-01-01T00:00:00Z'),
            ('synthetic', 'benchmarks.bigdb'), ('schema_sha256', $schema)
        """,
        {"schema": schema_sha256()},
    )
    for t in ("f2", "picked", "rep", "mw", "jur"):
        con.execute(f"drop table {t}")
    add_checks(con, seed)


CHECK_NAMES = (
    ("outlier_across_years", "warning"),
    ("duplicate_disagreement", "warning"),
    ("part_exceeds_total", "error"),
    ("rate_vs_parts", "warning"),
    ("percentage_out_of_range", "error"),
    ("report_without_facts", "warning"),
)


def add_checks(con: duckdb.DuckDBPyConnection, seed: int = 0, per_mille: int = 40) -> int:
    """Load-check warnings for about ``per_mille`` ‰ of the reports (the 数据质量 page's table; the real
    checks, etl/store/checks.py, would flag most synthetic reports, whose values are drawn at random),
    each naming one of the report's metrics and the values it quotes; returns how many."""
    s = int(seed)
    names = [n for n, _ in CHECK_NAMES]
    sev = [v for _, v in CHECK_NAMES]
    con.execute("delete from checks")
    con.execute(
        f"""
        insert into checks
        select r.report_id, r.source_file, list_extract($names::varchar[], k + 1),
            list_extract($sev::varchar[], k + 1),
            case when k = 5 then null else a.metric end,
            case when k = 5 then 'no facts extracted; expected at least one stated count'
                 else a.metric || ' for ' || a.period_start || ' has 2 different values ('
                      || (h % 90 + 2) || ', ' || (h % 900 + 20)
                      || '); expected one value per metric and period'
            end
        from (
            select report_id, source_file, hash(report_id, {s}, 'check') as h,
                (hash(report_id, {s}, 'kind') % {len(names)})::integer as k
            from reports
        ) r
        join (select f.report_id, min(f.metric) as metric,
                  min(coalesce(f.period_start, p.period_start)) as period_start
              from facts f join reports p using (report_id)
              where hash(f.report_id, {s}, 'check') % 1000 < {int(per_mille)}
              group by f.report_id) a using (report_id)
        where r.h % 1000 < {int(per_mille)}
        """,
        {"names": names, "sev": sev},
    )
    return int(con.execute("select count(*) from checks").fetchone()[0])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="make a national-scale synthetic database for benchmarks")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--facts", type=int, default=10_000_000)
    ap.add_argument("--reports", type=int, default=None, help="default: facts / 156.25 (64,000 for 10 M)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-aggregates", action="store_true", help="leave the aggregate tables empty")
    args = ap.parse_args(argv)
    n_reports = args.reports or max(1, round(args.facts * 64_000 / 10_000_000))
    t0 = time.perf_counter()
    make_big_db(args.out, args.facts, n_reports, args.seed, aggregates=not args.no_aggregates)
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.out}: {args.facts:,} facts, {n_reports:,} reports, {size:,.0f} MB, "
        f"{time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
