"""The commit journal: staged files renamed over the live ones together, rolled forward after a crash;
DuckDB's log kept with its file.

A writer never touches the live files; it prepares complete new versions next to them
(``*.staging-PID``), then a ``Commit`` renames them over the old ones.  One rename is atomic on its own;
several (database + corrections file + library files) are first listed in ``<db>.journal``, so a writer
killed between two renames is finished ("rolled forward") by the next writer before it does anything
else."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.errors import EtlError
from etl.write.files import fsync_dir, journal_path, pause_point, pid_alive, sha256_file, short_name, wal_path


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
        stale.extend(Path(target).parent.glob("." + short_name(Path(target).name) + ".staging-*"))
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
