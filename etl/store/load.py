"""Putting an extracted report's rows into a connection: delete, insert, buffered bulk loads."""

from __future__ import annotations

import duckdb

from etl.extract.pipeline import ExtractedReport
from etl.store.records import TABLES, rows_of, to_arrow


def delete_report(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    for table in ("facts", "sections", "report_texts", "checks", "reports"):
        con.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])


def write_report(con: duckdb.DuckDBPyConnection, rep: ExtractedReport) -> None:
    """Replace one report and all its rows in a single transaction: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        delete_report(con, rep.report_id)
        insert_rows(con, rows_of(rep))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def insert_rows(con: duckdb.DuckDBPyConnection, rows: dict[str, list[tuple]]) -> None:
    """Append row tuples (records.rows_of layout), or Arrow tables made from them, one scan per table."""
    for table in TABLES:
        batch = rows.get(table)
        if batch is None or len(batch) == 0:
            continue
        data = batch if hasattr(batch, "column_names") else to_arrow(table, batch)  # rows, or Arrow already
        names = ", ".join(data.column_names)
        con.register("_rows_in", data)
        try:
            con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _rows_in")
        finally:
            con.unregister("_rows_in")


class RowBuffer:
    """Rows of many reports gathered and written in large batches (a build streams through one)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, max_rows: int = 100_000, max_chars: int = 16_000_000):
        self.con = con
        self.max_rows = max_rows
        self.max_chars = max_chars
        self._rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
        self._n = 0
        self._chars = 0

    def add(self, rows: dict[str, list[tuple]]) -> None:
        for table, batch in rows.items():
            self._rows[table].extend(batch)
            self._n += len(batch)
        for _, raw, norm in rows.get("report_texts", ()):
            self._chars += len(raw) + len(norm)
        if self._n >= self.max_rows or self._chars >= self.max_chars:
            self.flush()

    def flush(self) -> None:
        if self._n:
            insert_rows(self.con, self._rows)
        self._rows = {t: [] for t in TABLES}
        self._n = self._chars = 0
