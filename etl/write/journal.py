"""The single writer: an exclusive lock per database, staged files, and a journal that swaps them in.

Every change to the database (build, add, correction, restore) runs inside ``write_lock``: writers
queue on ``fcntl.flock`` of ``<db>.lock`` instead of colliding.  A writer never touches the live files;
it prepares complete new versions next to them (``*.staging-PID``), then a ``Commit`` renames them over
the old ones.  One rename is atomic on its own; several (database + corrections file + library files)
are first listed in ``<db>.journal``, so a writer killed between two renames is finished ("rolled
forward") by the next writer before it does anything else.  Readers open the database read-only and only
ever see a whole old file or a whole new one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import EtlError

# Test hook: ETL_TEST_PAUSE=<point>[:seconds] makes a writer stop at that point so a test can kill it there.
PAUSE_ENV = "ETL_TEST_PAUSE"
PAUSE_POINTS = ("staged", "before_commit", "mid_commit")


class WriteLockTimeout(EtlError):
    """Another writer held the database for longer than the caller wanted to wait."""


class DiskFullError(EtlError):
    """Not enough free space for a write; the message names the folder and what to do."""


MIN_FREE = 1 << 20  # headroom every write keeps: DuckDB's log and checkpoint, the journal, lock files


def is_disk_full(exc: BaseException) -> bool:
    """An OSError or a DuckDB error that says the device (or the quota) is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk quota exceeded" in text or "not enough space" in text


def free_bytes(folder: str | Path) -> int | None:
    """Free bytes on the device holding ``folder`` (its nearest existing parent); None if unknown."""
    p = Path(folder).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return None


def _mb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1048576:.1f} MB"


def ensure_free(folder: str | Path, need: int, what: str) -> None:
    """Refuse a write before it stages anything when ``folder`` has less than ``need`` (+ headroom) free."""
    free = free_bytes(folder)
    if free is not None and free < need + MIN_FREE:
        raise DiskFullError(
            f"{folder}: {what} needs about {_mb(need + MIN_FREE)} free there, only {_mb(free)} is left; "
            "nothing was changed: free some space and try again"
        )


def disk_full(path: str | Path, exc: BaseException) -> DiskFullError:
    """The error for a write that ran out of space part-way (its staging files already removed)."""
    folder = Path(path).parent
    return DiskFullError(
        f"{path}: no space left on the device ({_mb(free_bytes(folder))} free in {folder}); the write was "
        "abandoned and its staging files removed, the live files are as they were: free some space and try again"
    )


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
    return target.with_name("." + _short(target.name) + suffix)


def building_path(db_path: str | Path) -> Path:
    """Where a build extracts into before it takes the lock: private to this process (``clean_stale``
    removes it only once that process is gone, since other writers may run meanwhile)."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.building-{os.getpid()}")


def _short(name: str) -> str:
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


# ---------------------------------------------------------------- readers and in-place writers

# DuckDB lets one process write a file or many read it, never both.  A writer that changes the live file
# in place announces itself in <db>.writing (its pid) before it asks DuckDB for the file; readers wait
# while that file names a live process, so a steady stream of readers cannot starve the writer.
WRITER_INTENT_WAIT = 30.0


def intent_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".writing")


@contextlib.contextmanager
def writing_in_place(db_path: str | Path) -> Iterator[None]:
    """Announce an in-place write for its duration (the caller holds the writer lock)."""
    path = intent_path(db_path)
    path.write_text(f"{os.getpid()} {process_start(os.getpid())}\n", encoding="ascii")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


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


# ---------------------------------------------------------------- the lock

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


def wal_path(db_path: str | Path) -> Path:
    """DuckDB's log of committed changes not yet folded into the file: part of the database."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".wal")


class ForeignWalError(EtlError):
    """A ``.wal`` beside the database that belongs to another file; the message says what to do."""


def is_foreign_wal_error(exc: BaseException) -> bool:
    return "WAL does not match" in str(exc) or "replaying WAL" in str(exc)


def set_wal_aside(db_path: str | Path) -> Path | None:
    """Move a log that does not belong to the database next to it under a dated name (never deleted)."""
    wal = wal_path(db_path)
    if not wal.exists():
        return None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = wal.with_name(f"{wal.name}.orphaned-{stamp}-{os.getpid()}")
    os.replace(wal, aside)
    fsync_dir(wal.parent)
    print(
        f"warning: {wal} did not belong to {Path(db_path).name} (left by an interrupted write); "
        f"moved aside to {aside.name}",
        file=sys.stderr,
    )
    return aside


def settle_wal(db_path: str | Path, wait: float = 2.0) -> None:
    """Fold a leftover ``.wal`` into its database, or set it aside if it is not that file's (lock held).

    An add killed after its COMMIT, or whose CHECKPOINT failed (a full disk), leaves committed data in
    the log; a later swap must not put a new file beside it, or every open fails.  While readers hold
    the file the fold waits a little and then leaves the log where it is (the swap moves it, see Commit).
    """
    import duckdb

    db_path = Path(db_path)
    wal = wal_path(db_path)
    if not wal.exists():
        return
    if not db_path.exists():
        set_wal_aside(db_path)
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            con = duckdb.connect(str(db_path))
        except duckdb.Error as exc:
            if is_foreign_wal_error(exc):
                set_wal_aside(db_path)
                return
            if "lock" in str(exc).lower() and time.monotonic() < deadline:
                time.sleep(0.02)
                continue
            return  # busy or damaged: the writer's own open says what is wrong
        try:
            con.execute("CHECKPOINT")
        except duckdb.Error:
            pass  # a full disk: the committed changes stay in the log, which is still the file's own
        finally:
            con.close()
        return


def try_recover(db_path: str | Path) -> bool:
    """Finish a dead writer's commit if no writer is running; never waits.  True if it ran."""
    if not journal_path(db_path).exists() and not wal_path(db_path).exists():
        return False
    try:
        with write_lock(db_path, timeout=0):
            return True
    except WriteLockTimeout:
        return False


# ---------------------------------------------------------------- staging and commit


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


@dataclass
class Commit:
    """Renames (and guarded deletes) that become visible together, in order, or not at all.

    ``replace(staged, target)``: the staged file must be complete and fsynced; since its name is unique,
    its existence means "not done yet", which makes a replay after a crash safe.
    ``unlink(path, sha256)``: removes the file only if it still has that content.
    """

    db_path: Path
    ops: list[list[str]] = field(default_factory=list)

    def replace(self, staged: str | Path, target: str | Path) -> None:
        self.ops.append(["replace", str(staged), str(target)])

    def unlink(self, path: str | Path, sha256: str) -> None:
        self.ops.append(["unlink", str(path), sha256])

    def staged_files(self) -> list[Path]:
        return [Path(op[1]) for op in self.ops if op[0] == "replace"]

    def abort(self) -> None:
        for path in self.staged_files():
            path.unlink(missing_ok=True)
        self.ops.clear()

    def _with_wal(self) -> None:
        """A staged database replaces the live one together with its ``.wal``: the old log is moved
        aside just before (its changes are in the staged copy, or were dropped on purpose by a
        build / restore), so the new file never meets a log written for another."""
        db = str(self.db_path)
        wal = wal_path(self.db_path)
        if wal.exists() and any(op[0] == "replace" and op[2] == db for op in self.ops):
            i = next(i for i, op in enumerate(self.ops) if op[0] == "replace" and op[2] == db)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            aside = wal.with_name(f"{wal.name}.replaced-{stamp}-{os.getpid()}")
            self.ops.insert(i, ["aside", str(wal), str(aside)])

    def prepare(self, requires_generation: int | None = None) -> None:
        """Write the journal durably (before the database commit of an in-place write).

        With ``requires_generation`` a later writer rolls the renames forward only if the database
        reached that generation (its COMMIT happened), and throws the staged files away otherwise.
        """
        jp = journal_path(self.db_path)
        tmp = jp.with_name(jp.name + ".tmp")
        entry: dict = {"pid": os.getpid(), "ops": self.ops}
        if requires_generation is not None:
            entry["requires_generation"] = requires_generation
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(entry, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, jp)
        fsync_dir(jp.parent)

    def finish(self) -> None:
        """Apply a prepared journal and remove it."""
        _apply(self.ops, pause_after_first=True)
        jp = journal_path(self.db_path)
        jp.unlink(missing_ok=True)
        fsync_dir(jp.parent)
        self.ops.clear()

    def discard(self) -> None:
        """The database commit failed: forget the prepared journal and the staged files."""
        journal_path(self.db_path).unlink(missing_ok=True)
        self.abort()

    def run(self) -> None:
        self._with_wal()
        if not self.ops:
            return
        if len(self.ops) == 1:
            _apply(self.ops)
            self.ops.clear()
            return
        self.prepare()
        db = str(self.db_path)
        # Up to the database's own rename nothing a reader sees has changed: a failure there (an
        # immutable or read-only file, a full disk) undoes the moves so far and the write fails whole,
        # the corrections log included.  After it, the journal finishes the rest.
        last = max((i for i, op in enumerate(self.ops) if op[0] == "replace" and op[2] == db), default=0)
        done: list[list[str]] = []
        for i, op in enumerate(self.ops):
            try:
                _apply([op])
            except OSError:
                if i > last:
                    raise  # the journal rolls forward at the next write
                for d in reversed(done):
                    if d[0] == "aside" and Path(d[2]).exists():
                        os.replace(d[2], d[1])
                journal_path(self.db_path).unlink(missing_ok=True)
                raise
            done.append(op)
            if i == 0:
                pause_point("mid_commit")
        jp = journal_path(self.db_path)
        jp.unlink()
        fsync_dir(jp.parent)
        self.ops.clear()


def _apply(ops: list[list[str]], *, pause_after_first: bool = False) -> None:
    dirs: set[Path] = set()
    for i, op in enumerate(ops):
        if op[0] == "replace":
            src, dst = Path(op[1]), Path(op[2])
            if src.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
                dirs.add(dst.parent)
        elif op[0] == "aside":
            src, dst = Path(op[1]), Path(op[2])
            if src.exists():
                os.replace(src, dst)
                dirs.add(dst.parent)
        elif op[0] == "unlink":
            path = Path(op[1])
            if path.is_file() and sha256_file(path) == op[2]:
                path.unlink()
                dirs.add(path.parent)
        if pause_after_first and i == 0:
            pause_point("mid_commit")
    for d in dirs:
        fsync_dir(d)


def recover(db_path: str | Path) -> bool:
    """Finish the commit a killed writer left in the journal (call with the lock held)."""
    jp = journal_path(db_path)
    jp.with_name(jp.name + ".tmp").unlink(missing_ok=True)  # never renamed: that commit had not begun
    if not jp.exists():
        return False
    try:
        entry = json.loads(jp.read_text(encoding="utf-8"))
        ops = entry["ops"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EtlError(
            f"{jp}: the commit journal is damaged ({exc}); move it aside after checking the files it names"
        ) from exc
    needed = entry.get("requires_generation")
    if needed is not None and _generation(db_path) < int(needed):
        # an in-place write killed before its COMMIT: the database is as it was; drop its staged files
        for op in ops:
            if op[0] == "replace":
                Path(op[1]).unlink(missing_ok=True)
        jp.unlink()
        fsync_dir(jp.parent)
        return False
    _apply(ops)
    jp.unlink()
    fsync_dir(jp.parent)
    return True


def _generation(db_path: str | Path) -> int:
    """build_info.generation of the file (its log replayed), -1 if it cannot be read."""
    import duckdb

    try:
        con = duckdb.connect(":memory:")
        try:
            con.execute("ATTACH ? AS g (READ_ONLY)", [str(db_path)])
            row = con.execute("SELECT value FROM g.build_info WHERE key = 'generation'").fetchone()
        finally:
            con.close()
        return int(row[0]) if row else 0
    except (duckdb.Error, ValueError):
        return -1


def clean_stale(
    db_path: str | Path | None, *, targets: tuple[Path, ...] = (), folders: tuple[Path, ...] = ()
) -> list[Path]:
    """Remove staging files left by writers that died; call with the lock held, before staging anything.

    Under the lock no other writer of this database exists, so every staging file of the database and of
    ``targets`` is stale.  In shared ``folders`` (a report library) only files of dead processes are removed.
    """
    stale: list[Path] = []
    if db_path is not None:
        stale.extend(Path(db_path).parent.glob(Path(db_path).name + ".staging-*"))
        for path in Path(db_path).parent.glob(f".{Path(db_path).name}.building-*"):
            pid = path.name.rsplit(".building-", 1)[-1].split(".")[0]
            if not pid.isdigit() or (int(pid) != os.getpid() and not pid_alive(int(pid))):
                stale.append(path)
    for target in targets:
        stale.extend(Path(target).parent.glob("." + _short(Path(target).name) + ".staging-*"))
    for folder in folders:
        if Path(folder).is_dir():
            for path in Path(folder).glob(".*.staging-*"):
                pid = path.name.rsplit(".staging-", 1)[-1].split("-")[0]
                if not pid.isdigit() or (int(pid) != os.getpid() and not pid_alive(int(pid))):
                    stale.append(path)
    removed = []
    for path in stale:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
