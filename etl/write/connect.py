"""Opening the live database: read-only connections that wait for an in-place writer, and the
writer's own connection."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from etl.errors import EtlError
from etl.write.files import wal_path
from etl.write.journal import ForeignWalError, is_foreign_wal_error, set_wal_aside  # fmt: skip
from etl.write.lock import try_recover, wait_for_writer

READER_INTENT_WAIT = 1.0  # a reader waits this long for an in-place writer, then tries the file itself


LIVE_LOCK_WAIT = 30.0  # seconds a writer waits for dashboard readers to let go of the live file


def is_busy_error(exc: BaseException) -> bool:
    """The file is held by another connection: a lock held by another process, or (DuckDB 2) the same
    file already open in this process with another configuration.  Worth waiting for, not a damaged file."""
    return isinstance(exc, duckdb.ResourceInUseException) or (
        isinstance(exc, duckdb.Error) and "lock" in str(exc).lower()
    )


def open_readonly(
    db_path: str | Path, *, alias: str = "db", timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection that always sees the file now at ``db_path`` (attached as ``alias``).

    ``duckdb.connect(path)`` reuses an instance this process already has open for the same path, even
    after a writer has swapped a new file in: that connection would show the old data.  Attaching the
    file to a fresh in-memory database never goes through that cache.  While a writer holds the file,
    it waits up to ``timeout`` seconds (default LIVE_LOCK_WAIT) and then raises DuckDB's error.
    """
    con = duckdb.connect(":memory:")
    try:
        attach_readonly(con, db_path, alias=alias, timeout=timeout)
    except BaseException:
        con.close()
        raise
    return con


def attach_readonly(
    con: duckdb.DuckDBPyConnection, db_path: str | Path, *, alias: str = "db", timeout: float | None = None
) -> None:
    """ATTACH the file now at ``db_path`` READ_ONLY as ``alias`` to the in-memory connection ``con`` and
    USE it, waiting for an in-place writer as open_readonly() does.

    For a caller that keeps in-memory connections to attach a file to and DETACH it from again (creating
    a DuckDB instance costs 10–20 ms, attaching a file to an open one about 2 ms); ``con`` is left as it
    was when this raises."""
    db_path = Path(db_path)
    deadline = time.monotonic() + (LIVE_LOCK_WAIT if timeout is None else timeout)
    recovered = False
    while True:
        wait_for_writer(db_path, min(READER_INTENT_WAIT, max(0.0, deadline - time.monotonic())))
        try:
            con.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(db_path)])
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            if is_foreign_wal_error(exc):
                # a log left beside a swapped-in file: any writer sets it aside; be that writer if none runs
                if not recovered and try_recover(db_path):
                    recovered = True
                    continue
                raise ForeignWalError(
                    f"{wal_path(db_path)} does not belong to {db_path.name} (left by an interrupted "
                    "write); run `python -m etl corrections` once no write is running (it moves the log "
                    "aside), or move that file aside by hand"
                ) from exc
            if not is_busy_error(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)  # a writer took the file between the check and the attach
            continue
        try:
            con.execute(f"USE {alias}")
        except BaseException:
            con.execute(f"DETACH {alias}")
            raise
        return


def read_build_info(db_path: str | Path) -> dict[str, str]:
    """build_info of the database file at db_path ({} when there is none or it cannot be read)."""
    if not Path(db_path).is_file():
        return {}
    try:
        con = open_readonly(db_path)
    except duckdb.Error:
        return {}
    try:
        return dict(con.execute("SELECT key, value FROM build_info").fetchall())
    except duckdb.Error:
        return {}
    finally:
        con.close()


def connect_live(db_path: Path, timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the live file, waiting while readers hold DuckDB's file lock."""
    deadline = time.monotonic() + (LIVE_LOCK_WAIT if timeout is None else timeout)
    while True:
        try:
            return duckdb.connect(str(db_path))
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            if not is_busy_error(exc) or time.monotonic() >= deadline:
                raise EtlError(f"{db_path}: cannot open the database for writing ({exc})") from exc
            time.sleep(0.02)
        except duckdb.Error as exc:
            if is_foreign_wal_error(exc) and set_wal_aside(db_path) is not None:
                continue
            raise EtlError(
                f"{db_path}: cannot open the database ({exc}); rebuild it (python -m etl build) "
                "or restore a backup (python -m etl restore)"
            ) from exc
