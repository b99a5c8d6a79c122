"""etl/parquet.py: facts and reports as Parquet partitioned by province and year (no Ray needed)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import fetch, insert_fact, insert_report, new_db, run_etl

from etl.errors import ExportError
from etl.ops.parquet import (
    NATIONAL,
    PARTITIONED_SCHEMAS,
    UNKNOWN,
    export_db,
    facts_with_partitions,
    province_partition,
    write_partitioned,
    year_partition,
)
from etl.store.records import ROW_SCHEMAS

FACT_COLS = ", ".join(ROW_SCHEMAS["facts"].names)
PART_FILE = re.compile(r"^(facts|reports)/province=[^/=]+/year=(\d{4}|未知)/part-0\.parquet$")


def parquet_files(root: Path) -> dict[str, Path]:
    """Every .parquet file under root, by its path relative to root (POSIX)."""
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.parquet"))}


def read_hive(root: Path, table: str, columns: str = "*", order: str = "report_id") -> list[tuple]:
    """Rows of DIR/<table> as DuckDB reads the layout: hive partitions, both as text."""
    sql = (
        f"SELECT {columns} FROM read_parquet('{root}/{table}/*/*/*.parquet', hive_partitioning = true, "
        f"hive_types = {{'province': VARCHAR, 'year': VARCHAR}}) ORDER BY {order}"
    )
    return duckdb.sql(sql).fetchall()


def test_partition_values():
    assert province_partition("河南省", "prefecture", "郑州市") == "河南省"
    assert province_partition(None, "national", "全国") == NATIONAL == "全国"
    assert province_partition(None, None, "全国") == NATIONAL
    assert province_partition(None, None, None) == UNKNOWN == "未知"
    assert province_partition("  ", "county", "某县") == UNKNOWN
    assert year_partition(2023) == "2023"
    assert year_partition(None, 2022) == "2022"  # the fact has no period: the report's
    assert year_partition(2022, 2023) == "2022"  # the fact's own period wins
    assert year_partition(None, None) == UNKNOWN


def test_export_round_trips_the_database(corpus_db, tmp_path):
    out = tmp_path / "pq"
    s = export_db(corpus_db, out)
    files = parquet_files(out)
    assert "problems.parquet" in files
    parts = sorted(k for k in files if k != "problems.parquet")
    assert parts and all(PART_FILE.match(k) for k in parts), parts
    assert s.facts == fetch(corpus_db, "SELECT count(*) FROM facts")[0][0] == len(read_hive(out, "facts"))
    assert not list(out.glob(".staging-*"))

    # every column of every fact, and its partition: the report's province, the fact's period_end
    want = fetch(
        corpus_db,
        f"SELECT {', '.join('f.' + c for c in ROW_SCHEMAS['facts'].names)}, r.province, "
        "CAST(coalesce(f.period_end, r.period_end) AS VARCHAR) FROM facts f JOIN reports r USING (report_id) "
        "ORDER BY f.report_id, f.fact_id",
    )
    assert read_hive(out, "facts", order="report_id, fact_id") == want

    # reports: every column but province (the partition), the same values
    cols = [c for c in ROW_SCHEMAS["reports"].names if c != "province"]
    got = read_hive(out, "reports", f"{', '.join(cols)}, province, year")
    assert got == fetch(corpus_db, f"SELECT {', '.join(cols)}, province, CAST(period_end AS VARCHAR) "
                        "FROM reports ORDER BY report_id")  # fmt: skip

    # within a file: sorted by (report_id, fact_id)
    for key, path in files.items():
        if key.startswith("facts/"):
            t = pq.read_table(path)
            ids = list(zip(t["report_id"].to_pylist(), t["fact_id"].to_pylist(), strict=True))
            assert ids == sorted(ids)
            assert "province" not in t.column_names and "year" not in t.column_names  # in the folder names


def _national_and_unknown_db(path: Path) -> Path:
    con = new_db(path)
    insert_report(con, "rnat", "national.txt", "全国", (2023, 2023), "annual_report",
                  title="全国人大常委会工作报告", level="national", parent=None, province=None)  # fmt: skip
    insert_report(
        con, "rhn", "zz.txt", "郑州市", (2018, 2022), "term_review", title="郑州市人大常委会工作报告"
    )
    con.execute(
        "INSERT INTO reports (report_id, source_file, jurisdiction, level, province, period_start, "
        "period_end, "
        "report_type) VALUES ('runk', 'unknown.txt', NULL, NULL, NULL, NULL, NULL, 'annual_report')"
    )
    ev = "常委会共召开常委会会议7次，制定法律6件。"
    insert_fact(con, "f1", "rnat", "meetings.standing_committee", 7, unit="次", evidence=ev, value_text="7",
                start=10, period=(2023, 2023))  # fmt: skip
    insert_fact(con, "f2", "rnat", "legislation.laws_enacted", 6, unit="件", evidence=ev, value_text="6",
                start=10)  # no period: the report's year  # fmt: skip
    insert_fact(con, "f3", "rhn", "legislation.laws_enacted", 30, unit="件", evidence="制定法规30件。",
                value_text="30", start=0, period=(2018, 2022))  # fmt: skip
    insert_fact(con, "f4", "rhn", "legislation.laws_amended", 5, unit="件", evidence="2021年修改法规5件。",
                value_text="5", start=0, period=(2021, 2021))  # fmt: skip
    insert_fact(con, "f5", "runk", "legislation.laws_enacted", 3, unit="件", evidence="制定地方性法规3件。",
                value_text="3", start=0)  # fmt: skip
    con.execute("INSERT INTO load_problems VALUES ('broken.pdf', 'not a PDF')")
    con.close()
    return path


def test_national_and_unknown_partitions(tmp_path):
    db = _national_and_unknown_db(tmp_path / "x.duckdb")
    out = tmp_path / "pq"
    s = export_db(db, out)
    assert s.partitions == [("全国", "2023"), ("未知", "未知"), ("河南省", "2021"), ("河南省", "2022")]
    assert set(parquet_files(out)) == {
        "facts/province=全国/year=2023/part-0.parquet",
        "facts/province=河南省/year=2021/part-0.parquet",
        "facts/province=河南省/year=2022/part-0.parquet",
        "facts/province=未知/year=未知/part-0.parquet",
        "reports/province=全国/year=2023/part-0.parquet",
        "reports/province=河南省/year=2022/part-0.parquet",
        "reports/province=未知/year=未知/part-0.parquet",
        "problems.parquet",
    }
    assert read_hive(out, "facts", "fact_id, province, year", "fact_id") == [
        ("f1", "全国", "2023"), ("f2", "全国", "2023"), ("f3", "河南省", "2022"), ("f4", "河南省", "2021"),
        ("f5", "未知", "未知"),
    ]  # fmt: skip
    # in reports/, the partition value stands for the NULL province
    assert read_hive(out, "reports", "report_id, jurisdiction, province, year") == [
        ("rhn", "郑州市", "河南省", "2022"), ("rnat", "全国", "全国", "2023"), ("runk", None, "未知", "未知"),
    ]  # fmt: skip
    assert pq.read_table(out / "problems.parquet").to_pylist() == [
        {"source_file": "broken.pdf", "reason": "not a PDF"}
    ]


def test_stream_of_batches_gives_the_same_files(tmp_path):
    """write_partitioned (what the distributed runner calls) = export_db, whatever the batches' order."""
    db = _national_and_unknown_db(tmp_path / "x.duckdb")
    export_db(db, tmp_path / "from_db")
    con = duckdb.connect(str(db), read_only=True)
    facts = con.sql(f"SELECT {FACT_COLS} FROM facts").to_arrow_table()
    reports = con.sql("SELECT * FROM reports").to_arrow_table()
    con.close()
    rows = facts_with_partitions(facts, reports)
    assert rows.schema == PARTITIONED_SCHEMAS["facts"]
    batches = rows.to_batches(max_chunksize=1)
    random.Random(7).shuffle(batches)
    write_partitioned(batches, tmp_path / "stream", "facts")
    a, b = parquet_files(tmp_path / "from_db" / "facts"), parquet_files(tmp_path / "stream" / "facts")
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].read_bytes() == b[key].read_bytes(), key
    assert write_partitioned([], tmp_path / "empty", "facts") == []
    with pytest.raises(ExportError):
        write_partitioned([rows.set_column(rows.schema.get_field_index("province"), "province",
                                           pa.array(["a/b"] * rows.num_rows))],
                          tmp_path / "bad", "facts")  # fmt: skip


def test_export_replaces_the_old_dataset(corpus_db, tmp_path):
    out = tmp_path / "pq"
    export_db(_national_and_unknown_db(tmp_path / "x.duckdb"), out)
    assert (out / "facts" / "province=全国").is_dir()
    export_db(corpus_db, out)
    assert not (out / "facts" / "province=全国").exists()  # no stale partition from the earlier export
    assert {p.name for p in (out / "facts").iterdir()} == {"province=河南省"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_export_errors(tmp_path):
    with pytest.raises(ExportError, match="no database"):
        export_db(tmp_path / "missing.duckdb", tmp_path / "out")


def test_cli_export_parquet(corpus_copy, tmp_path):
    db, _ = corpus_copy
    out = tmp_path / "pq"
    proc = run_etl("export-parquet", "--db", db, "--out", out, check=True)
    assert "province/year partitions" in proc.stdout
    n = fetch(db, "SELECT count(*) FROM facts")[0][0]
    assert len(read_hive(out, "facts")) == n

    # --corrected: analysts' corrections applied (facts_current); the default stays as extracted
    fact_id, value = fetch(db, "SELECT fact_id, value FROM facts ORDER BY fact_id LIMIT 1")[0]
    run_etl("correct", "--db", db, "--fact", fact_id, "--value", value + 1, "--user", "t", "--reason", "test",
            check=True)  # fmt: skip
    run_etl("export-parquet", "--db", db, "--out", out, check=True)
    assert read_hive(out, "facts", "value", "fact_id")[0] == (value,)
    run_etl("export-parquet", "--db", db, "--out", out, "--corrected", check=True)
    assert read_hive(out, "facts", "value, corrected", "fact_id")[0] == (value + 1, True)

    bad = run_etl("export-parquet", "--db", tmp_path / "nope.duckdb", "--out", out)
    assert bad.returncode == 2 and "no database" in bad.stderr
