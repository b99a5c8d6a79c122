"""Facts and reports as Hive-partitioned Parquet, the layout Spark, Trino and DuckDB all read.

Layout under an output folder ``DIR``::

    DIR/facts/province=<省>/year=<YYYY>/part-0.parquet     the spec's facts columns (etl/schema.sql)
    DIR/reports/province=<省>/year=<YYYY>/part-0.parquet   the reports columns but province
    DIR/problems.parquet                                   files that were not loaded: source_file, reason

Partition values (strings, in the folder names only, not inside the files):

* ``province``: the province of the report's jurisdiction (河南省 for 郑州市, 中原区 and 河南省 itself);
  ``全国`` for a national report; ``未知`` when the jurisdiction or its province is not known.  In
  ``reports/`` this replaces the reports' own province column, so a NULL province reads back as 全国 or 未知.
* ``year``: the fact's ``period_end`` (the last year the count covers: 2022 for a 2018–2022 term
  review), else the report's ``period_end``, else ``未知``.  For ``reports/``: the report's ``period_end``.

Each partition is one file, ``part-0.parquet``, sorted by (report_id, fact_id) — reports by report_id —
so the same facts give the same files whichever engine produced them.  Two ways in: ``export_db`` reads a
DuckDB database built by ``python -m etl build``; ``write_partitioned`` takes a stream of Arrow tables or
record batches (what a distributed runner produces) and ``write_partition`` writes one partition's rows
(what each distributed worker does).  Outputs are written into a staging folder inside ``DIR`` and moved
into place at the end, so a failed run never leaves half a dataset where the old one was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.errors import ExportError
from etl.extract.pipeline import ExtractedReport
from etl.ops.export import missing_tables, open_for_export
from etl.store.records import ROW_SCHEMAS, fact_rows, report_row, to_arrow

PARTITION_COLUMNS: tuple[str, str] = ("province", "year")
NATIONAL = "全国"
UNKNOWN = "未知"
PART_FILE = "part-0.parquet"
PROBLEMS_FILE = "problems.parquet"
COMPRESSION = "zstd"  # read by Spark ≥ 2.4, Trino, DuckDB, pyarrow, polars

_PARTITION_FIELDS = [pa.field("province", pa.string()), pa.field("year", pa.string())]

# What each table's files hold (the partition columns live in the folder names) and its sort key.
FILE_SCHEMAS: dict[str, pa.Schema] = {
    "facts": ROW_SCHEMAS["facts"],
    "reports": pa.schema([f for f in ROW_SCHEMAS["reports"] if f.name != "province"]),
}
# The rows handed to the writers: the file columns plus the partition columns.
PARTITIONED_SCHEMAS: dict[str, pa.Schema] = {
    name: pa.schema(list(schema) + _PARTITION_FIELDS) for name, schema in FILE_SCHEMAS.items()
}
SORT_KEYS: dict[str, tuple[str, ...]] = {"facts": ("report_id", "fact_id"), "reports": ("report_id",)}
TABLES = tuple(FILE_SCHEMAS)
PROBLEMS_SCHEMA = pa.schema([("source_file", pa.string()), ("reason", pa.string())])

# A province value is a folder name: these would break the path or its key=value reading.
_BAD_VALUE_CHARS = set("/\\=\0")


# --- partition values ------------------------------------------------------------------------------------


def province_partition(province: str | None, level: str | None, jurisdiction: str | None) -> str:
    """The province folder of a report: its province, 全国 for a national report, else 未知."""
    if province and province.strip():
        return province.strip()
    if level == "national" or jurisdiction == NATIONAL:
        return NATIONAL
    return UNKNOWN


def year_partition(period_end: int | None, fallback: int | None = None) -> str:
    """The year folder: period_end, else the fallback (the report's period_end), else 未知."""
    year = period_end if period_end is not None else fallback
    return UNKNOWN if year is None else str(int(year))


def _check_value(column: str, value: str) -> str:
    if not value or set(value) & _BAD_VALUE_CHARS or value in (".", ".."):
        raise ExportError(f"cannot use {value!r} as a {column} partition folder name")
    return value


# --- rows with their partition columns -------------------------------------------------------------------


def _append_partitions(table: pa.Table, provinces: list[str], years: list[str]) -> pa.Table:
    table = table.append_column(_PARTITION_FIELDS[0], pa.array(provinces, pa.string()))
    return table.append_column(_PARTITION_FIELDS[1], pa.array(years, pa.string()))


def reports_with_partitions(reports: pa.Table) -> pa.Table:
    """Reports rows (ROW_SCHEMAS['reports'] columns) → PARTITIONED_SCHEMAS['reports']."""
    rows = reports.select(["province", "level", "jurisdiction", "period_end"]).to_pylist()
    provinces = [province_partition(r["province"], r["level"], r["jurisdiction"]) for r in rows]
    years = [year_partition(r["period_end"]) for r in rows]
    body = reports.select(FILE_SCHEMAS["reports"].names).cast(FILE_SCHEMAS["reports"])
    return _append_partitions(body, provinces, years)


def facts_with_partitions(facts: pa.Table, reports: pa.Table) -> pa.Table:
    """Facts rows (ROW_SCHEMAS['facts'] columns) → PARTITIONED_SCHEMAS['facts'].

    ``reports`` needs report_id, province, level, jurisdiction and period_end for every fact's report.
    """
    by_id = {
        r["report_id"]: r
        for r in reports.select(["report_id", "province", "level", "jurisdiction", "period_end"]).to_pylist()
    }
    provinces: list[str] = []
    years: list[str] = []
    for report_id, period_end in zip(
        facts.column("report_id").to_pylist(), facts.column("period_end").to_pylist(), strict=True
    ):
        r = by_id.get(report_id) or {}
        provinces.append(province_partition(r.get("province"), r.get("level"), r.get("jurisdiction")))
        years.append(year_partition(period_end, r.get("period_end")))
    body = facts.select(FILE_SCHEMAS["facts"].names).cast(FILE_SCHEMAS["facts"])
    return _append_partitions(body, provinces, years)


def report_tables(rep: ExtractedReport, loaded_at: dt.datetime | None = None) -> dict[str, pa.Table]:
    """One extracted report as partitioned 'facts' and 'reports' tables (through etl.store.records)."""
    reports = to_arrow("reports", [report_row(rep, loaded_at)])
    return {
        "facts": facts_with_partitions(to_arrow("facts", fact_rows(rep)), reports),
        "reports": reports_with_partitions(reports),
    }


# --- writing ---------------------------------------------------------------------------------------------


def partition_dir(out_dir: str | Path, table: str, province: str, year: str) -> Path:
    return (
        Path(out_dir)
        / table
        / f"province={_check_value('province', province)}"
        / f"year={_check_value('year', year)}"
    )


def write_partition(
    table: pa.Table, out_dir: str | Path, name: str, file_schema: pa.Schema | None = None
) -> dict:
    """Write the rows of ONE partition (every row has the same province and year) as its part-0.parquet.

    Rows are sorted by SORT_KEYS[name]; the partition columns go into the folder names.  Returns
    {"table", "province", "year", "rows", "path"}.  This is what each distributed worker calls.
    ``file_schema`` overrides FILE_SCHEMAS[name] (the columns the file holds).
    """
    keys = {
        (p, y)
        for p, y in zip(table.column("province").to_pylist(), table.column("year").to_pylist(), strict=True)
    }
    if len(keys) != 1:
        raise ExportError(f"write_partition needs the rows of exactly one partition, got {sorted(keys)}")
    province, year = keys.pop()
    schema = file_schema or FILE_SCHEMAS[name]
    body = table.select(schema.names).cast(schema)
    body = body.sort_by([(k, "ascending") for k in SORT_KEYS[name]]).replace_schema_metadata(None)
    folder = partition_dir(out_dir, name, province, year)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PART_FILE
    pq.write_table(body, path, compression=COMPRESSION)
    return {"table": name, "province": province, "year": year, "rows": body.num_rows, "path": str(path)}


def _as_table(item: pa.Table | pa.RecordBatch, schema: pa.Schema) -> pa.Table:
    t = pa.Table.from_batches([item]) if isinstance(item, pa.RecordBatch) else item
    return t.select(schema.names).cast(schema)


def write_partitioned(
    batches: Iterable[pa.Table | pa.RecordBatch],
    out_dir: str | Path,
    name: str,
    file_schema: pa.Schema | None = None,
) -> list[dict]:
    """Write a stream of partitioned rows (PARTITIONED_SCHEMAS[name] columns) as DIR/<name>/province=/year=/.

    The rows of a partition may come in any order and spread over any batches: each partition is
    written once, sorted.  Returns one dict per file written (see write_partition).
    """
    file_schema = file_schema or FILE_SCHEMAS[name]
    schema = pa.schema(list(file_schema) + _PARTITION_FIELDS)
    tables = [_as_table(b, schema) for b in batches]
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return []
    whole = pa.concat_tables(tables)
    keys = whole.select(list(PARTITION_COLUMNS)).group_by(list(PARTITION_COLUMNS)).aggregate([]).to_pylist()
    written = []
    for key in sorted(keys, key=lambda k: (k["province"], k["year"])):
        mask = pc.and_(pc.equal(whole["province"], key["province"]), pc.equal(whole["year"], key["year"]))
        written.append(write_partition(whole.filter(mask), out_dir, name, file_schema))
    return written


def write_problems(problems: Sequence[tuple[str, str]], out_dir: str | Path) -> Path:
    """(source_file, reason) rows, in the order given, as DIR/problems.parquet."""
    path = Path(out_dir) / PROBLEMS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(zip(*problems, strict=True)) if problems else [(), ()]
    table = pa.table([pa.array(c, pa.string()) for c in cols], schema=PROBLEMS_SCHEMA)
    pq.write_table(table, path, compression=COMPRESSION)
    return path


# --- staging: a new dataset replaces the old one only once it is complete --------------------------------


def new_staging(out_dir: str | Path) -> Path:
    """A fresh folder inside out_dir to write a whole dataset into (hidden: readers skip it)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = out / f".staging-{uuid.uuid4().hex[:12]}"
        stage.mkdir()
    except OSError as exc:
        raise ExportError(
            f"cannot write to {out}: {exc.strerror or exc}: choose another output folder"
        ) from exc
    return stage


def commit_staging(stage: Path, out_dir: str | Path) -> None:
    """Move facts/, reports/ and problems.parquet from the staging folder into out_dir, replacing the old.

    Each one is swapped in with a rename; the old ones are deleted afterwards.
    """
    out = Path(out_dir)
    old = stage / ".old"
    old.mkdir(exist_ok=True)
    for name in (*TABLES, PROBLEMS_FILE):
        new, target = stage / name, out / name
        if target.exists():
            os.replace(target, old / name)
        if new.exists():
            os.replace(new, target)
        elif name in TABLES:
            target.mkdir()  # an empty table is an empty folder
    shutil.rmtree(stage, ignore_errors=True)


def discard_staging(stage: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)


# --- from a DuckDB database ------------------------------------------------------------------------------


@dataclass
class ParquetSummary:
    out_dir: str
    reports: int = 0
    facts: int = 0
    problems: int = 0
    files: list[dict] = field(default_factory=list)

    @property
    def partitions(self) -> list[tuple[str, str]]:
        return sorted({(f["province"], f["year"]) for f in self.files if f["table"] == "facts"})


_FACTS_CURRENT_EXTRA = pa.schema([("corrected", pa.bool_()), ("correction_id", pa.string())])


def _read_db(con: duckdb.DuckDBPyConnection, corrected: bool) -> tuple[pa.Table, pa.Table, list[tuple]]:
    reports = con.sql(f"SELECT {', '.join(ROW_SCHEMAS['reports'].names)} FROM reports ORDER BY report_id")
    reports = reports.to_arrow_table().cast(ROW_SCHEMAS["reports"])
    source = "facts_current" if corrected else "facts"
    cols = ROW_SCHEMAS["facts"].names + (_FACTS_CURRENT_EXTRA.names if corrected else [])
    facts = con.sql(f"SELECT {', '.join(cols)} FROM {source} ORDER BY report_id, fact_id").to_arrow_table()
    problems = con.execute("SELECT source_file, reason FROM load_problems").fetchall()
    return reports, facts, problems


def export_db(db_path: str | Path, out_dir: str | Path, *, corrected: bool = False) -> ParquetSummary:
    """The database at db_path (opened read-only) → DIR/facts, DIR/reports, DIR/problems.parquet.

    ``facts`` is the extractor's output as built, the same whichever engine ran it; ``corrected=True``
    writes ``facts_current`` instead (analysts' corrections applied, plus corrected and correction_id).
    """
    con = open_for_export(Path(db_path))
    db = Path(db_path)
    try:
        reports, facts, problems = _read_db(con, corrected)
    except duckdb.CatalogException as exc:
        raise missing_tables(db, exc) from exc
    finally:
        con.close()
    extra = facts.select(_FACTS_CURRENT_EXTRA.names).cast(_FACTS_CURRENT_EXTRA) if corrected else None
    facts = facts_with_partitions(facts, reports)
    if extra is not None:
        for f in _FACTS_CURRENT_EXTRA:
            facts = facts.append_column(f, extra.column(f.name))
    summary = ParquetSummary(
        str(out_dir), reports=reports.num_rows, facts=facts.num_rows, problems=len(problems)
    )
    stage = new_staging(out_dir)
    try:
        summary.files += _write_facts(facts, stage, with_corrections=corrected)
        summary.files += write_partitioned([reports_with_partitions(reports)], stage, "reports")
        write_problems(problems, stage)
        commit_staging(stage, out_dir)
    except OSError as exc:
        raise ExportError(
            f"cannot write {out_dir}: {exc.strerror or exc}: choose another output folder"
        ) from exc
    finally:
        discard_staging(stage)
    for f in summary.files:  # paths as they are after the move out of the staging folder
        f["path"] = str(Path(out_dir) / Path(f["path"]).relative_to(stage))
    return summary


def _write_facts(facts: pa.Table, out_dir: Path, *, with_corrections: bool) -> list[dict]:
    schema = pa.schema(list(FILE_SCHEMAS["facts"]) + list(_FACTS_CURRENT_EXTRA)) if with_corrections else None
    return write_partitioned([facts], out_dir, "facts", schema)
