"""The dashboard's read-only DuckDB connection: cached, and reopened when the database file is replaced.

The build writes a new file and swaps it in with os.replace, so the cache is keyed on the file's
(path, inode, mtime): a new build gets a new connection on the next rerun, and nothing here ever takes a
write lock.  Each version is ATTACHed READ_ONLY to its own in-memory DuckDB instance: duckdb.connect(path)
would hand back the process's cached instance of the old, replaced file.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import streamlit as st

DEFAULT_DB = "data/congress.duckdb"
REQUIRED_TABLES = ("reports", "report_texts", "facts", "metrics")

DbVersion = tuple[str, int, int]


class DashboardDataError(Exception):
    """Something about the database stops the dashboard; the message tells the user what to do."""


class NoDatabaseError(DashboardDataError):
    """The database file does not exist yet."""


def db_path() -> Path:
    """The database file: $CONGRESS_DB, else data/congress.duckdb."""
    return Path(os.environ.get("CONGRESS_DB") or DEFAULT_DB)


def db_version(path: str | Path | None = None) -> DbVersion:
    """(absolute path, inode, mtime in ns) of the database file; raises NoDatabaseError when it is missing."""
    p = Path(path) if path is not None else db_path()
    try:
        stat = os.stat(p)
    except FileNotFoundError:
        raise NoDatabaseError(
            f"还没有数据库（{p}）：请先运行 make run，"
            f"或 .venv/bin/python -m etl build --input data/corpus --db {p}"
        ) from None
    return (str(p.resolve()), stat.st_ino, stat.st_mtime_ns)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass


CATALOG = "congress"


@st.cache_resource(max_entries=3, show_spinner=False, on_release=_close)
def _open(version: DbVersion) -> duckdb.DuckDBPyConnection:
    path = version[0]
    try:
        con = duckdb.connect(":memory:")
        con.execute(f"ATTACH ? AS {CATALOG} (READ_ONLY)", [path])
        con.execute(f"USE {CATALOG}")
    except duckdb.Error as exc:
        raise DashboardDataError(
            f"无法打开数据库 {path}：{exc}。如果正在重建数据库，请稍候刷新页面；否则请重新运行 make run。"
        ) from exc
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = ?", [CATALOG]
        ).fetchall()
    }
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        con.close()
        raise DashboardDataError(
            f"数据库 {path} 缺少表 {'、'.join(missing)}：它不是本项目生成的，请重新运行 make run。"
        )
    return con


def connection(version: DbVersion | None = None) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection for the current database file (query through cursor())."""
    return _open(version or db_version())


def cursor(version: DbVersion | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor of its own for this thread, on the attached database (close it when done)."""
    cur = connection(version).cursor()
    cur.execute(f"USE {CATALOG}")
    return cur
