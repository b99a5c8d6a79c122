"""DuckDB schema and writes: reference tables, one transaction per report, atomic file swaps."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from .catalog import Catalog, load_catalog
from .pipeline import ExtractedReport, fact_id_for

SCHEMA_PATH = Path(__file__).with_name("schema.sql")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))


def load_reference_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog | None = None) -> None:
    """The metric catalog and the gazetteer, replaced whole."""
    from .gazetteer import all_jurisdictions

    catalog = catalog or load_catalog()
    con.execute("DELETE FROM metrics")
    con.executemany(
        "INSERT INTO metrics (code, category, label_zh, label_en, unit, kind, description) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (m.code, m.category, m.label_zh, m.label_en, m.unit, m.kind, catalog.categories[m.category]["label_zh"])
            for m in catalog.fact_metrics()
        ],
    )
    con.execute("DELETE FROM jurisdictions")
    con.executemany(
        "INSERT INTO jurisdictions (name, level, parent, province, code) VALUES (?, ?, ?, ?, ?)",
        [(j.name, j.level, j.parent, j.province, j.code) for j in all_jurisdictions()],
    )


def delete_report(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    for table in ("facts", "sections", "report_texts", "checks", "reports"):
        con.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])


def write_report(con: duckdb.DuckDBPyConnection, rep: ExtractedReport) -> None:
    """Replace one report and all its rows in a single transaction: all or nothing."""
    m = rep.meta
    con.execute("BEGIN TRANSACTION")
    try:
        delete_report(con, rep.report_id)
        con.execute(
            "INSERT INTO reports (report_id, source_file, title, jurisdiction, level, parent, province,"
            " period_start, period_end, report_type, delivered, file_sha256, file_format, encoding,"
            " n_chars, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rep.report_id, rep.document.source_file, m.title, m.jurisdiction, m.level, m.parent,
                m.province, m.period_start, m.period_end, m.report_type, m.delivered,
                rep.document.file_sha256, rep.document.file_format, rep.document.encoding,
                len(rep.norm.text), dt.datetime.now(),
            ],
        )  # fmt: skip
        con.execute(
            "INSERT INTO report_texts (report_id, raw_text, norm_text) VALUES (?, ?, ?)",
            [rep.report_id, rep.norm.raw, rep.norm.text],
        )
        _insert_many(
            con,
            "INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (rep.report_id, i, s.kind, s.heading, s.start, s.end, s.period_start, s.period_end)
                for i, s in enumerate(rep.sections)
            ],
        )
        _insert_many(
            con,
            "INSERT INTO facts (fact_id, report_id, metric, value, unit, qualifier, period_start, period_end,"
            " scope, evidence, evidence_start, evidence_end, value_text, value_start, value_end,"
            " raw_start, raw_end, section, pattern) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    fact_id_for(rep.report_id, f), rep.report_id, f.metric, f.value, f.unit, f.qualifier,
                    f.period_start, f.period_end, f.scope, f.evidence, f.evidence_start, f.evidence_end,
                    f.value_text, f.value_start, f.value_end, f.raw_start, f.raw_end, f.section, f.pattern,
                )
                for f in rep.facts
            ],
        )  # fmt: skip
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert_many(con: duckdb.DuckDBPyConnection, sql: str, rows: list[tuple]) -> None:
    if rows:  # DuckDB refuses executemany with no rows
        con.executemany(sql, rows)


@contextlib.contextmanager
def staged_database(db_path: str | Path, *, copy_existing: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a new database file that replaces ``db_path`` with one rename on success.

    Readers of the old file are never blocked and never see a half-written database; if the
    writer fails or is killed, the old file is untouched and the staging file is removed (or left
    as an orphan ``*.staging-PID`` that the next write clears).
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for orphan in db_path.parent.glob(db_path.name + ".staging-*"):
        pid = orphan.name.rsplit("-", 1)[-1].split(".")[0]
        if not pid.isdigit() or not _alive(int(pid)):
            orphan.unlink(missing_ok=True)
    stage = db_path.with_name(f"{db_path.name}.staging-{os.getpid()}")
    stage.unlink(missing_ok=True)
    if copy_existing and db_path.exists():
        import shutil

        shutil.copyfile(db_path, stage)
    con = duckdb.connect(str(stage))
    try:
        create_schema(con)
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.replace(stage, db_path)
    except BaseException:
        with contextlib.suppress(Exception):
            con.close()
        stage.unlink(missing_ok=True)
        Path(str(stage) + ".wal").unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
