"""The dashboard's read-only DuckDB access.

A writer may change the live file in place (one read-write DuckDB process at a time, and no readers
while it holds the file), so the dashboard takes the file for one query at a time (cursor()) and keeps it
attached afterwards only while nobody wants it: for HOLD_S seconds, and never once a writer has announced
an in-place write (see the hosts below).  Opening waits up to LOCK_WAIT_S while a writer commits.
Query results are cached by app/queries.py on the file's (path, inode, mtime), so a rerun whose queries
are all cached does not open the file at all, and a changed or swapped-in file is read afresh.  The file
is ATTACHed READ_ONLY to an in-memory DuckDB (and DETACHed after the query; the in-memory instances are
kept for the next queries): duckdb.connect(path) could hand back the process's cached instance of an old,
replaced file.
The first time a file version is opened, its tables and its schema version are checked once: a file
stamped with another etl/store/schema.sql (build_info.schema_sha256) is refused with 数据库版本过旧，请重建,
so app/queries.py has one SQL path (the schema's views and the aggregate tables every write refreshes).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from etl.store.aggregates import TABLES as AGGREGATE_TABLES
from etl.store.schema import schema_sha256
from etl.write.connect import attach_readonly
from etl.write.files import intent_path
from etl.write.lock import intent_alive

DEFAULT_DB = "data/congress.duckdb"
REQUIRED_TABLES = ("reports", "report_texts", "facts", "metrics")
# What every write of the current version leaves beside them: the schema's views and the aggregate tables.
DERIVED = {"facts_current", "facts_dated", "reports_placed", *AGGREGATE_TABLES}

DbVersion = tuple[str, int, int, int]


class DashboardDataError(Exception):
    """Something about the database stops the dashboard; the message tells the user what to do."""


class NoDatabaseError(DashboardDataError):
    """The database file does not exist yet."""


class OutdatedDatabaseError(DashboardDataError):
    """The database was written by another version of etl/store/schema.sql: the dashboard's queries (one path,
    over the schema's views and the aggregate tables every write refreshes) need it rebuilt."""


def db_path() -> Path:
    """The database file: $CONGRESS_DB, else data/congress.duckdb."""
    return Path(os.environ.get("CONGRESS_DB") or DEFAULT_DB)


def db_version(path: str | Path | None = None) -> DbVersion:
    """(absolute path, inode, mtime in ns, state of its .wal) of the database file; raises
    NoDatabaseError when it is missing."""
    p = Path(path) if path is not None else db_path()
    try:
        stat = os.stat(p)
    except FileNotFoundError:
        raise NoDatabaseError(
            f"还没有数据库（{p}）：请先运行 make run，"
            f"或 .venv/bin/python -m etl build --input data/corpus --db {p}"
        ) from None
    # A writer committing in place appends to the .wal file and leaves the main file alone until the
    # next checkpoint, so the WAL's state is part of the version too.
    try:
        wal = os.stat(f"{p}.wal")
        wal_state = wal.st_mtime_ns ^ (wal.st_size << 1) ^ wal.st_ino
    except FileNotFoundError:
        wal_state = 0
    return (str(p.resolve()), stat.st_ino, stat.st_mtime_ns, wal_state)


CATALOG = "congress"
LOCK_WAIT_S = 10.0  # how long to wait for a writer's transaction before saying the database is busy
_checked: set[DbVersion] = set()  # versions whose tables and schema version were verified once
_local = threading.local()  # this thread's open session (see session())


# In-memory DuckDB instances kept between queries: a query attaches the file to one (about 2 ms) instead of
# creating an instance for it (10–20 ms).  After a query the file stays attached to its host for HOLD_S
# seconds, so the next queries of the run (and of the next click) find DuckDB's buffers warm: a freshly
# attached file reads and decompresses every block a query touches again (at 10 M facts 20–40 % of a page's
# query time).  The file is let go at once when a writer announces an in-place write (<db>.writing, which
# every in-place write of etl/write leaves before it asks DuckDB for the file): the watcher thread checks
# every WATCH_S seconds, so a writer waits at most that long for an idle dashboard, as it waits for a query
# that is running.  A write from this process calls release() first.
HOSTS_KEPT = 4
HOLD_S = 3.0
WATCH_S = 0.05
_hosts: list[tuple[duckdb.DuckDBPyConnection, DbVersion | None, float]] = []  # idle: (host, attached, since)
_hosts_lock = threading.Lock()
_watcher: threading.Thread | None = None


def _host(version: DbVersion) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """An idle host, the one with ``version`` attached when there is one (True: attached already)."""
    with _hosts_lock:
        same = next((i for i, (_, attached, _) in enumerate(_hosts) if attached == version), None)
        if same is not None:
            return _hosts.pop(same)[0], True
        con, attached, _ = _hosts.pop() if _hosts else (None, None, 0.0)
    # outside the lock: creating an instance takes 10–20 ms
    if con is None or (attached is not None and not _detach(con)):
        return duckdb.connect(":memory:"), False
    return con, False


def _detach(con: duckdb.DuckDBPyConnection) -> bool:
    """Let go of the file attached to ``con`` (the file is then free); a connection that cannot detach
    is closed (False)."""
    try:
        con.execute("USE memory")
        con.execute(f"DETACH DATABASE IF EXISTS {CATALOG}")
        return True
    except duckdb.Error:
        con.close()
        return False


def _writer_waiting(path: str) -> bool:
    """Whether an in-place writer (another process) has announced itself for the file at ``path``."""
    try:
        return intent_alive(intent_path(path).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False


def _release(con: duckdb.DuckDBPyConnection, version: DbVersion | None = None) -> None:
    """Return ``con`` to the pool after a query: still attached to ``version`` for HOLD_S seconds unless a
    writer is waiting (then detached now); without a version, detached."""
    keep = version is not None and not _writer_waiting(version[0])
    if not keep and not _detach(con):
        return
    with _hosts_lock:
        if len(_hosts) < HOSTS_KEPT:
            _hosts.append((con, version if keep else None, time.monotonic()))
            if keep:
                _watch()
            return
    if keep:
        _detach(con)
    con.close()


def _watch() -> None:
    """Start the watcher that lets go of idle attachments (caller holds _hosts_lock)."""
    global _watcher
    if _watcher is None or not _watcher.is_alive():
        _watcher = threading.Thread(target=_watch_loop, name="congress-db-release", daemon=True)
        _watcher.start()


def _let_go(wanted) -> None:
    """Detach the idle hosts whose attachment ``wanted(version, since)`` says to let go; a host that
    cannot detach is closed and dropped.  The caller holds _hosts_lock."""
    now, kept = time.monotonic(), []
    for con, attached, since in _hosts:
        if attached is not None and wanted(attached, since):
            if not _detach(con):
                continue
            attached, since = None, now
        kept.append((con, attached, since))
    _hosts[:] = kept


def _watch_loop() -> None:
    """Every WATCH_S: detach the idle hosts held longer than HOLD_S or wanted by a writer; ends when no
    idle host holds the file."""
    global _watcher
    while True:
        time.sleep(WATCH_S)
        with _hosts_lock:
            waiting = {v[0]: _writer_waiting(v[0]) for _, v, _ in _hosts if v is not None}
            _let_go(lambda v, since, waiting=waiting: waiting[v[0]] or time.monotonic() - since > HOLD_S)
            if not any(attached is not None for _, attached, _ in _hosts):
                _watcher = None
                return


def release_all() -> None:
    """Let go of every idle attachment now (before a write in this process: DuckDB refuses to open a file
    read-write that this process has attached read-only)."""
    with _hosts_lock:
        _let_go(lambda _v, _since: True)


def _connect(version: DbVersion) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``version``'s file (release it with _release); retries while a writer
    holds the file's lock."""
    path = version[0]
    con, attached = _host(version)
    if attached:
        return con
    try:
        attach_readonly(con, path, alias=CATALOG, timeout=LOCK_WAIT_S)
    except duckdb.Error as exc:
        _release(con)
        raise DashboardDataError(
            f"无法打开数据库 {path}：{exc}。如果正在重建数据库，请稍候刷新页面；否则请重新运行 make run。"
        ) from exc
    except BaseException:
        _release(con)
        raise
    if version not in _checked:
        tables = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_catalog = ?", [CATALOG]
            ).fetchall()
        }
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            _release(con)
            raise DashboardDataError(
                f"数据库 {path} 缺少表 {'、'.join(missing)}：它不是本项目生成的，请重新运行 make run。"
            )
        if _schema_of(con, tables) != schema_sha256() or not DERIVED <= tables:
            _release(con)
            raise OutdatedDatabaseError(
                "数据库版本过旧，请重建：make build，或 "
                f".venv/bin/python -m etl build --input data --db {path}"
                "（数据库由旧版本程序写成，看板需要新版本的表结构和汇总表）。"
            )
        _checked.add(version)
    return con


def _schema_of(con: duckdb.DuckDBPyConnection, tables: set[str]) -> str | None:
    """The schema version every write stamps into build_info (etl/load.py), or None when there is none."""
    if "build_info" not in tables:
        return None
    row = con.execute(f"select value from {CATALOG}.build_info where key = 'schema_sha256'").fetchone()
    return None if row is None else row[0]


@contextlib.contextmanager
def session() -> Iterator[None]:
    """One script run (or any batch of queries): a memo of this run's query results (``run_memo``);
    connections are per query (see ``cursor``), so the file is never held while a run waits on anything
    else.  Nested sessions share the outer one."""
    if getattr(_local, "session", None) is not None:
        yield
        return
    _local.session = {}
    _local.memo = {}
    try:
        yield
    finally:
        opened: dict = _local.session
        _local.session = None
        _local.memo = None
        for con in opened.values():
            with contextlib.suppress(duckdb.Error):
                con.close()


def run_memo() -> dict | None:
    """This run's memo of query results (app/queries.py), or None outside a session(): a query asked
    twice in one run (the sidebar and a page, several charts) is answered once, not once per caller."""
    return getattr(_local, "memo", None)


def release() -> None:
    """Close this run's open connections and let go of the kept attachments now (before a write in this
    process); later queries reopen."""
    release_all()
    memo = getattr(_local, "memo", None)
    if memo:
        memo.clear()
    opened = getattr(_local, "session", None)
    if opened:
        for con in opened.values():
            with contextlib.suppress(duckdb.Error):
                con.close()
        opened.clear()


@contextlib.contextmanager
def cursor(version: DbVersion | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the database file (read-only), closed on exit.

    Each cursor takes a host with the file attached (or attaches it) and gives it back on exit, inside
    session() or not: the file stays attached to the idle host for HOLD_S seconds unless a writer is
    waiting (see _release and the watcher).
    """
    version = version or db_version()
    # A connection per query, never one per run: a run that held its connection while it waited on
    # something else (another session computing the cache entry it needs) kept an in-place writer out
    # for 30 s, and readers queued behind that writer in turn (issue 11, item 7).  A host given back keeps
    # the file only while no writer has announced itself.
    con = _connect(version)
    done = False
    try:
        cur = con.cursor()
        try:
            cur.execute(f"USE {CATALOG}")
            yield cur
        finally:
            cur.close()
        done = True
    finally:
        _release(con, version if done else None)  # after a failure: detached, never kept
