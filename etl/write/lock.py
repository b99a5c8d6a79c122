"""The writer lock: one writer per database at a time (``fcntl.flock`` of ``<db>.lock``), and the notice
an in-place writer leaves for readers.

Taking the lock first finishes what a dead writer left: its journal, its DuckDB log, its staging files."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from etl.errors import EtlError
from etl.write.files import intent_path, journal_path, lock_path, pid_alive, wal_path
from etl.write.journal import clean_stale, recover, settle_wal


class WriteLockTimeout(EtlError):
    """Another writer held the database for longer than the caller wanted to wait."""


# DuckDB lets one process write a file or many read it, never both.  A writer that changes the live file
# in place announces itself in <db>.writing (its pid) before it asks DuckDB for the file; readers wait
# while that file names a live process, so a steady stream of readers cannot starve the writer.
WRITER_INTENT_WAIT = 30.0


# Readers waiting on one in-place write get their turn before the next one announces itself: back-to-back
# adds (a script, a batch of uploads) would otherwise take the file again within milliseconds, and a reader
# that polls for the notice to go could wait through one write after another (issue 11, item 7).  The turn
# is as long as the last write held the file (at least READERS_TURN, at most MAX_READERS_TURN): on a busy
# machine a write takes longer, and so do the readers that queued behind it.
READERS_TURN = 0.25
MAX_READERS_TURN = 2.0


@contextlib.contextmanager
def writing_in_place(db_path: str | Path) -> Iterator[None]:
    """Announce an in-place write for its duration (the caller holds the writer lock).

    When it ends the notice says ``done <end time> <seconds held>`` rather than vanishing, so that the
    next writer can leave the readers their turn first."""
    path = intent_path(db_path)
    _let_readers_in(path)
    path.write_text(f"{os.getpid()} {process_start(os.getpid())}\n", encoding="ascii")
    started = time.time()
    try:
        yield
    finally:
        ended = time.time()
        try:
            path.write_text(f"done {ended:.3f} {ended - started:.3f}\n", encoding="ascii")
        except OSError:  # a full disk: no notice is as good as a finished one
            path.unlink(missing_ok=True)


def readers_turn(notice: str) -> float:
    """Seconds from now until the readers' turn after the write a ``done`` notice describes ends (0 when
    it has, or the notice is a live writer's or a crashed one's)."""
    parts = notice.split()
    if len(parts) != 3 or parts[0] != "done":
        return 0.0
    try:
        ended, held = float(parts[1]), float(parts[2])
    except ValueError:
        return 0.0
    turn = min(MAX_READERS_TURN, max(READERS_TURN, held))
    return min(turn, max(0.0, ended + turn - time.time()))  # a clock set back never makes it longer


def _let_readers_in(path: Path) -> None:
    """Sleep out what is left of the readers' turn after the last in-place write."""
    try:
        notice = path.read_text(encoding="ascii")
    except (OSError, ValueError):
        return
    time.sleep(readers_turn(notice))


def process_start(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from /proc), '' where that is unknown.

    A pid alone is not an identity: after a crash the number may belong to some other process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def intent_alive(text: str) -> bool:
    """Whether the ``.writing`` content names a writer that is still running (not a reused pid)."""
    parts = text.split()
    if not parts or not parts[0].isdigit():
        return False
    pid = int(parts[0])
    if pid == os.getpid() or not pid_alive(pid):
        return False
    if len(parts) > 1 and parts[1]:
        now = process_start(pid)
        return not now or now == parts[1]
    return True


def wait_for_writer(db_path: str | Path, timeout: float = WRITER_INTENT_WAIT) -> None:
    """Return once no live writer is changing ``db_path`` in place (or after ``timeout`` seconds)."""
    path = intent_path(db_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            return  # no writer
        if not intent_alive(text):
            return  # a writer killed before it could remove the file (its pid maybe reused): no wait
        time.sleep(0.01)


_held = threading.local()  # paths this thread already holds: the lock is re-entrant within a thread


@contextlib.contextmanager
def write_lock(db_path: str | Path, *, timeout: float | None = None, on_wait=None) -> Iterator[None]:
    """Hold the exclusive writer lock of ``db_path``; waits for other writers (forever by default).

    ``on_wait(holder_pid)`` is called once if the lock is busy, so a CLI can say what it is waiting for.
    On entry the journal of a writer that died mid-commit is finished and stale staging files are removed.
    """
    key = str(Path(db_path).resolve())
    held: set[str] = getattr(_held, "paths", None) or set()
    _held.paths = held
    if key in held:
        yield
        return
    lp = lock_path(db_path)
    lp.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lp, timeout, on_wait)
        try:
            with contextlib.suppress(OSError):  # who holds it, for messages; a full disk must not stop here
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
            held.add(key)
            settle_wal(db_path)
            recover(db_path)
            clean_stale(db_path)
            yield
        finally:
            held.discard(key)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock if it is free; False if another writer holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise
        return False


def _acquire(fd: int, lp: Path, timeout: float | None, on_wait) -> None:
    if _try_lock(fd):
        return
    if on_wait is not None:
        on_wait(_holder(lp))
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            raise WriteLockTimeout(
                f"{lp.with_suffix('')}: another writer (pid {_holder(lp) or '?'}) has held the database for "
                f"over {timeout:g}s; try again when it has finished"
            )
        time.sleep(0.05)


def _holder(lp: Path) -> int | None:
    try:
        text = lp.read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def try_recover(db_path: str | Path) -> bool:
    """Finish a dead writer's commit if no writer is running; never waits.  True if it ran."""
    if not journal_path(db_path).exists() and not wal_path(db_path).exists():
        return False
    try:
        with write_lock(db_path, timeout=0):
            return True
    except WriteLockTimeout:
        return False
