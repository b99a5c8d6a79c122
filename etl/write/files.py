"""The files of one database and how they are written: names beside it, fsync, staged copies, and the
test pause hook."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from pathlib import Path

# Test hook: ETL_TEST_PAUSE=<point>[:seconds] makes a writer stop at that point so a test can kill it there.
PAUSE_ENV = "ETL_TEST_PAUSE"


PAUSE_POINTS = ("staged", "before_commit", "mid_commit")


def lock_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def journal_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".journal")


def staging_path(target: str | Path, tag: str = "") -> Path:
    """Where a new version of ``target`` is prepared: same folder (so the rename stays atomic), hidden name.

    The database keeps the historic ``<db>.staging-PID`` name; other files get a leading dot so that a
    stale one is never mistaken for a report by a build.
    """
    target = Path(target)
    suffix = f".staging-{os.getpid()}{tag}"
    if target.suffix == ".duckdb":
        return target.with_name(target.name + suffix)
    return target.with_name("." + short_name(target.name) + suffix)


def building_path(db_path: str | Path) -> Path:
    """Where a build extracts into before it takes the lock: private to this process (``clean_stale``
    removes it only once that process is gone, since other writers may run meanwhile)."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.building-{os.getpid()}")


def short_name(name: str) -> str:
    """A staging stem that never nears the 255-byte limit of a file name: a long name becomes a hash."""
    if len(name.encode("utf-8")) <= 64:
        return name
    return "h" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]


def pause_point(point: str, spec: str | None = None) -> None:
    """Stop here for a while when the ETL_TEST_PAUSE hook names this point (used by the kill tests).

    ``spec`` stands in for the environment variable in a child process that cannot see the caller's.
    """
    wanted = os.environ.get(PAUSE_ENV, "") if spec is None else spec
    name, _, seconds = wanted.partition(":")
    if name != point:
        return
    print(f"ETL_TEST_PAUSE: paused at {point} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(float(seconds or 60))


def intent_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".writing")


def wal_path(db_path: str | Path) -> Path:
    """DuckDB's log of committed changes not yet folded into the file: part of the database."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".wal")


def fsync_file(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems refuse to fsync a directory; the rename stands
        fsync_file(path)


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_staged(target: str | Path, data: bytes, tag: str = "") -> Path:
    """Write ``data`` to a staging file for ``target`` and flush it to disk; returns the staging path."""
    stage = staging_path(target, tag)
    stage.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(stage, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:  # a full disk part-way: remove the partial file, and name it
        stage.unlink(missing_ok=True)
        if exc.filename is None:
            exc.filename = str(stage)
        raise
    return stage


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
