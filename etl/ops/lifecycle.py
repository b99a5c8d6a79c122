"""Living with the data: preview and add report files, back up and restore database and corrections.

Every write goes through ``load.open_writer`` (one writer at a time, staged files, one swap), so the
dashboard keeps serving while these run.  The functions here are what both the CLI and the dashboard's
数据管理 page call:

    preview(path) / stage_upload(name, data)   read + extract, no writes
    plan_add(reports, db)                      what adding would do: new / unchanged / replaces …
    add_reports(paths, db, library)            extract, copy into the library, load incrementally
    load_extracted(items, db, library)         the same for reports already previewed
    backup(db, out_dir) / restore(backup, db)  database + corrections log, verified by sha256
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import __version__
from etl.errors import EtlError, ReadError
from etl.extract.pipeline import ExtractedReport, process_document
from etl.read import DEFAULT_MAX_BYTES, read_document, report_file_problem
from etl.store.corrections import BadLine, read_log, scan_log
from etl.write.journal import PAUSE_ENV, pause_point

SUPERSEDED_DIR = ".superseded"  # inside the library: old versions of replaced reports (builds skip it)
DEFAULT_TIME_LIMIT = 120.0  # seconds to read and extract one file
DEFAULT_MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for that work
BACKUP_FORMAT = 1

NEW, UNCHANGED, REPLACES = "new", "unchanged", "replaces"
ADDED, REPLACED, REJECTED = "added", "replaced", "rejected"

ProgressFn = Callable[[int, int, str], None]  # (files done, files in all, current file name)


class BackupError(EtlError):
    """A backup that cannot be written, read or trusted; the message names the file."""


# ---------------------------------------------------------------- preview (no writes)


class ExtractionLimitError(ReadError):
    """Reading a file took too long or too much memory (a decompression bomb, a pathological file)."""


def preview(
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> ExtractedReport:
    """Read and extract one report file without writing anything.

    Raises a ReadError subclass (too large, empty, binary, disguised type, zip bomb, PDF without text …)
    or NotAReportError, each naming the file and the reason.  With a ``time_limit`` (the default) the
    work runs in a child process that is stopped after that many seconds or past ``memory_limit`` bytes,
    so no single upload can hang the dashboard or the command line (a 50 KB PDF whose stream inflates to
    48 MB used to keep a pure-Python parser busy for minutes).  ``time_limit=None`` runs in this process.
    """
    if time_limit is None:
        return _extract(path, max_bytes)
    return _extract_isolated(Path(path), max_bytes, time_limit, memory_limit)


def _extract(path: str | Path, max_bytes: int) -> ExtractedReport:
    return process_document(read_document(path, max_bytes=max_bytes))


_FORKSERVER = None


def _context():
    """Where the extraction child comes from.

    A single-threaded process (the command line) forks: the child starts at once with the modules
    already imported.  A threaded one (Streamlit) must not fork (a child could inherit a lock another
    thread holds), so it uses a forkserver: a clean, single-threaded parent started once.
    """
    global _FORKSERVER
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        from etl.extract import pipeline  # noqa: F401  imported once here, inherited by every child

        return multiprocessing.get_context("fork")
    if _FORKSERVER is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(
            ["etl.extract.pipeline", "etl.read", "etl.extract.facts", "etl.metadata.report"]
        )
        _FORKSERVER = ctx
    return _FORKSERVER


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _blank_main():
    """Hide the running program's ``__main__`` from multiprocessing while a child starts.

    A forkserver child first imports the parent's ``__main__`` file.  Under Streamlit that is the
    dashboard script (and Streamlit's test runner leaves it there), so the child would run the whole
    dashboard before extracting and then hit its memory limit.  The child needs nothing from it.
    """
    with _MAIN_LOCK:
        saved = sys.modules.get("__main__")
        blank = sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:  # unless another thread (a Streamlit rerun) has set its own meanwhile
            if saved is not None and sys.modules.get("__main__") is blank:
                sys.modules["__main__"] = saved


def _child(conn, path: str, max_bytes: int, memory_limit: int | None, pause: str = "") -> None:
    if memory_limit:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    try:
        pause_point("extract-" + Path(path).name, pause)  # test hook: a reader stuck on a hostile file
        conn.send(("ok", _extract(path, max_bytes)))
    except EtlError as exc:
        conn.send(("error", type(exc).__name__, getattr(exc, "reason", str(exc))))
    except MemoryError:
        conn.send(("limit", f"reading it needs more than {(memory_limit or 0) >> 20} MB of memory; refused"))
    except BaseException as exc:  # reported by name in the parent, like build does
        conn.send(("error", "", f"unexpected error: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _extract_isolated(
    path: Path, max_bytes: int, time_limit: float, memory_limit: int | None
) -> ExtractedReport:
    from etl import errors

    name = path.name or str(path)
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    pause = os.environ.get(PAUSE_ENV, "")  # the forkserver's children do not see later changes to os.environ
    proc = ctx.Process(target=_child, args=(sender, str(path), max_bytes, memory_limit, pause), daemon=True)
    with _blank_main():
        proc.start()
    sender.close()
    try:
        if not receiver.poll(time_limit):
            raise ExtractionLimitError(
                name, f"reading it took longer than {time_limit:g} s and was stopped (a decompression bomb or a "
                "pathological file?); convert it to .txt or .docx and try again"
            )  # fmt: skip
        try:
            msg = receiver.recv()
        except EOFError:
            proc.join(5)
            raise ReadError(name, f"the reader crashed on this file (exit code {proc.exitcode})") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        receiver.close()
    if msg[0] == "ok":
        return msg[1]
    if msg[0] == "limit":
        raise ExtractionLimitError(name, msg[1])
    cls = getattr(errors, msg[1], None) if msg[1] else None
    if isinstance(cls, type) and issubclass(cls, (ReadError, errors.NotAReportError)):
        raise cls(name, msg[2])
    raise ReadError(name, msg[2])


def safe_name(name: str) -> str:
    """An uploaded file's name reduced to a plain file name (no folders, no control characters)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    if not base or base in {".", ".."}:
        raise ReadError(name or "(no name)", "the upload has no usable file name")
    # in bytes: a file name may have 255 and the library adds -<id> or a stamp; the extension decides
    # whether builds read the file, so the stem is shortened, never the extension
    if len(base.encode("utf-8")) > 200:
        suffix = Path(base).suffix[:16]
        stem = base.encode("utf-8")[: 200 - len(suffix.encode("utf-8"))].decode("utf-8", "ignore")
        base = stem + suffix
    return base


def stage_upload(name: str, data: bytes, *, folder: str | Path | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Path:  # fmt: skip
    """Save an uploaded file under its own name in a new private temporary folder; returns its path.

    The dashboard then calls ``preview(path)`` and, once confirmed, ``add_reports([path], …)``.
    """
    given = re.split(r"[\\/]", name or "")[-1].strip()
    if problem := report_file_problem(given):  # judged on the name as given: "..txt" is refused, not renamed
        raise ReadError(given or "(no name)", problem)
    base = safe_name(given)
    if problem := report_file_problem(base):  # control characters dropped: judge what is stored
        raise ReadError(base, problem)
    if len(data) > max_bytes:
        raise ReadError(
            base, f"the file is {len(data) / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit"
        )
    tmp = Path(tempfile.mkdtemp(prefix="etl-upload-", dir=folder))
    path = tmp / base
    path.write_bytes(data)
    return path


@dataclass(frozen=True)
class PlannedAdd:
    """What adding one previewed report would do to the current database."""

    report_id: str
    source_file: str
    action: str  # new | unchanged | replaces
    replaces: tuple[tuple[str, str], ...] = ()  # (report_id, source_file) of the versions it replaces


def plan_add(reports: Sequence[ExtractedReport], db_path: str | Path) -> list[PlannedAdd]:
    """For the preview: whether each report is new, already loaded, or a new version of loaded ones."""
    from etl.store.load import open_readonly

    db_path = Path(db_path)
    if not db_path.is_file():
        return [PlannedAdd(r.report_id, r.document.source_file, NEW) for r in reports]
    con = open_readonly(db_path)
    try:
        out = []
        for rep in reports:
            if _exists(con, rep.report_id):
                out.append(PlannedAdd(rep.report_id, rep.document.source_file, UNCHANGED))
                continue
            olds = tuple((r[0], r[1]) for r in _older_versions(con, rep))
            out.append(PlannedAdd(rep.report_id, rep.document.source_file, REPLACES if olds else NEW, olds))
        return out
    finally:
        con.close()


def _exists(con: duckdb.DuckDBPyConnection, report_id: str) -> bool:
    return con.execute("SELECT 1 FROM reports WHERE report_id = ?", [report_id]).fetchone() is not None


def _older_versions(
    con: duckdb.DuckDBPyConnection, rep: ExtractedReport
) -> list[tuple[str, str, str | None]]:
    """Reports this one supersedes: same jurisdiction + period + type, or the same file name (unless the
    two files name different jurisdictions: then they are different reports that share a name)."""
    m = rep.meta
    if {"jurisdiction", "period"} & set(getattr(m, "pending", None) or ()):
        # a guessed jurisdiction or period (待确认) never replaces a report: only the very same file
        # name with the same resolved jurisdiction does
        return con.execute(
            "SELECT report_id, source_file, file_sha256 FROM reports WHERE report_id <> ?"
            " AND source_file = ? AND jurisdiction IS NOT DISTINCT FROM ?::VARCHAR ORDER BY report_id",
            [rep.report_id, rep.document.source_file, m.jurisdiction],
        ).fetchall()
    return con.execute(
        "SELECT report_id, source_file, file_sha256 FROM reports WHERE report_id <> ? AND ("
        " (jurisdiction = ? AND period_start = ? AND period_end = ? AND report_type = ?)"
        " OR (source_file = ? AND (jurisdiction IS NULL OR ?::VARCHAR IS NULL OR jurisdiction = ?)))"
        " ORDER BY report_id",
        [rep.report_id, m.jurisdiction, m.period_start, m.period_end, m.report_type,
         rep.document.source_file, m.jurisdiction, m.jurisdiction],
    ).fetchall()  # fmt: skip


# ---------------------------------------------------------------- add


@dataclass
class FileOutcome:
    """What happened to one file given to add."""

    file: str  # the file's name
    status: str  # added | replaced | unchanged | rejected
    report_id: str | None = None
    facts: int = 0
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (report_id, source_file)
    library_file: str | None = None  # where the file now is in the library
    message: str = ""  # the reason for a rejection, or a note (stored under another name …)
    warnings: list[str] = field(default_factory=list)


@dataclass
class AddSummary:
    db_path: str
    library: str | None
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def with_status(self, status: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def loaded(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status in (ADDED, REPLACED)]

    @property
    def ok(self) -> bool:
        """False only when files were given and every one of them was rejected."""
        return not self.outcomes or any(o.status != REJECTED for o in self.outcomes)


def add_reports(
    paths: Iterable[str | Path],
    db_path: str | Path,
    library: str | Path | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    on_progress: ProgressFn | None = None,
    lock_timeout: float | None = None,
    on_wait=None,
) -> AddSummary:
    """Extract each file, copy it into ``library`` (so a rebuild reproduces it) and load it incrementally.

    Same text as a loaded report → unchanged, nothing written.  A new version (same jurisdiction, period
    and type, or same file name) replaces the old report's facts; the old file moves to
    ``library/.superseded/``.  A bad file is rejected with its reason; the others still load.
    """
    paths = [Path(p) for p in paths]
    rejected: list[FileOutcome] = []
    items: list[tuple[Path, ExtractedReport]] = []
    for i, path in enumerate(paths):
        if on_progress:
            on_progress(i, len(paths), path.name)
        if problem := report_file_problem(path.name):  # what a build would skip is never loaded
            rejected.append(FileOutcome(path.name, REJECTED, message=problem))
            continue
        try:
            items.append((path, preview(path, max_bytes=max_bytes, time_limit=time_limit)))
        except EtlError as exc:
            rejected.append(FileOutcome(path.name, REJECTED, message=getattr(exc, "reason", str(exc))))
        except Exception as exc:  # a bug in one reader must not stop the other files; it is named
            rejected.append(
                FileOutcome(path.name, REJECTED, message=f"unexpected error: {type(exc).__name__}: {exc}")
            )
    if on_progress:
        on_progress(len(paths), len(paths), "")
    summary = load_extracted(items, db_path, library, lock_timeout=lock_timeout, on_wait=on_wait)
    summary.outcomes = rejected + summary.outcomes
    order = {p.name: i for i, p in enumerate(paths)}
    summary.outcomes.sort(key=lambda o: order.get(o.file, len(order)))
    return summary


def load_extracted(
    items: Sequence[tuple[str | Path, ExtractedReport]],
    db_path: str | Path,
    library: str | Path | None = None,
    *,
    lock_timeout: float | None = None,
    on_wait=None,
) -> AddSummary:
    """Load reports already extracted by ``preview`` (the dashboard's confirm step); see add_reports."""
    from etl.store.checks import run_checks, write_checks
    from etl.store.load import delete_report, insert_rows, load_reference_tables, open_writer, write_report
    from etl.store.records import rows_of, to_arrow
    from etl.write.journal import clean_stale, write_staged

    started = time.monotonic()
    db_path = Path(db_path)
    lib = Path(library) if library is not None else None
    summary = AddSummary(str(db_path), str(lib) if lib else None)
    if not items:
        return summary
    fresh = not db_path.exists()
    # Rows as Arrow tables before the lock: converting them (and the first conversion's imports, a second
    # in a fresh process) must not happen while an in-place write keeps readers out of the file.
    arrow = {rep.report_id: {t: to_arrow(t, b) for t, b in rows_of(rep).items() if b} for _, rep in items}
    if lib is not None:
        from etl.write.journal import ensure_free

        sizes = [Path(p).stat().st_size for p, _ in items if Path(p).is_file()]
        ensure_free(lib, sum(sizes), f"copying {len(sizes)} report files into the library")
    with open_writer(
        db_path, copy_existing=True, kind="add", lock_timeout=lock_timeout, on_wait=on_wait, in_place=True
    ) as w:
        con = w.con
        if lib is not None:
            clean_stale(None, folders=(lib, lib / SUPERSEDED_DIR))
        if fresh:
            load_reference_tables(con)
        files = _LibraryPlan(lib, w.commit, write_staged) if lib is not None else None
        loaded_ids: dict[str, FileOutcome] = {}
        for path, rep in items:
            path = Path(path)
            out = FileOutcome(rep.document.source_file, UNCHANGED, rep.report_id, len(rep.facts),
                              warnings=list(rep.warnings))  # fmt: skip
            if problem := report_file_problem(rep.document.source_file):
                summary.outcomes.append(FileOutcome(rep.document.source_file, REJECTED, message=problem))
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                summary.outcomes.append(
                    FileOutcome(path.name, REJECTED, message=f"cannot read the file ({exc})")
                )
                continue
            if rep.document.file_sha256 and hashlib.sha256(data).hexdigest() != rep.document.file_sha256:
                out.status, out.message = (
                    REJECTED,
                    "the file changed after it was previewed: preview it again",
                )
                summary.outcomes.append(out)
                continue
            if _exists(con, rep.report_id):
                if files is not None:
                    files.keep(con, rep, data, out)
                summary.outcomes.append(out)
                continue
            olds = _older_versions(con, rep)
            for old_id, old_file, old_sha in olds:
                delete_report(con, old_id)
                w.touched.add(old_id)
                if old_id in loaded_ids:
                    loaded_ids[old_id].message = f"replaced later in this batch by {out.file}"
                    if files is not None:
                        files.forget(old_id)
                elif files is not None and old_file != rep.document.source_file:
                    files.retire(old_file, old_sha)  # same name: put() below keeps a copy and overwrites
            if w.in_place:  # already inside the writer's transaction
                delete_report(con, rep.report_id)
                insert_rows(con, arrow[rep.report_id])
            else:
                write_report(con, rep)
            w.touched.add(rep.report_id)
            out.status = REPLACED if olds else ADDED
            out.replaced = [(o[0], o[1]) for o in olds]
            loaded_ids[rep.report_id] = out
            if files is not None:
                files.put(rep, data, out, replacing={o[1] for o in olds})
            summary.outcomes.append(out)
        if summary.loaded:
            if not w.in_place:  # in place, the writer refreshes the checks of the touched reports
                con.execute("DELETE FROM checks")
                write_checks(con, run_checks(con))
        else:
            w.keep_database()  # nothing new: readers keep their connection, mtime stays
    summary.seconds = time.monotonic() - started
    return summary


class _LibraryPlan:
    """Staged changes to the report library, committed together with the database."""

    def __init__(self, lib: Path, commit, write_staged):
        self.lib = lib
        self.commit = commit
        self.write_staged = write_staged
        self.n = 0
        self.stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        self.pending: dict[str, tuple[str, Path, Path]] = {}  # report_id → (sha256, staged file, target)

    def _stage(self, target: Path, data: bytes) -> Path:
        self.n += 1
        staged = self.write_staged(target, data, f"-{self.n}")
        self.commit.replace(staged, target)
        return staged

    def forget(self, report_id: str) -> None:
        """A report added earlier in this batch was replaced by a later file: do not store it after all."""
        if report_id in self.pending:
            _, staged, _ = self.pending.pop(report_id)
            self.commit.ops = [
                op for op in self.commit.ops if not (op[0] == "replace" and op[1] == str(staged))
            ]
            staged.unlink(missing_ok=True)

    def _same(self, path: Path, sha: str | None) -> bool:
        return path.is_file() and sha is not None and _sha256(path) == sha

    def keep(self, con, rep: ExtractedReport, data: bytes, out: FileOutcome) -> None:
        """An unchanged report: make sure the library holds its file, so a rebuild keeps it."""
        row = con.execute(
            "SELECT source_file, file_sha256 FROM reports WHERE report_id = ?", [rep.report_id]
        ).fetchone()
        for sha, _, target in self.pending.values():
            if sha == rep.document.file_sha256:  # the same file came earlier in this batch
                out.library_file = str(target)
                return
        for name in {row[0], rep.document.source_file} if row else {rep.document.source_file}:
            if self._same(self.lib / name, rep.document.file_sha256) or (
                row and self._same(self.lib / name, row[1])
            ):
                out.library_file = str(self.lib / name)
                return
        self.put(rep, data, out, replacing=set())
        out.message = "already loaded; its file was missing from the library and has been copied there"

    def retire(self, old_file: str, old_sha: str | None) -> None:
        """Move a replaced version out of the library (kept under .superseded/, never deleted)."""
        path = self.lib / old_file
        if not self._same(path, old_sha):
            return
        self._stage(self.lib / SUPERSEDED_DIR / f"{self.stamp}-{old_file}", path.read_bytes())
        self.commit.unlink(path, old_sha)

    def put(self, rep: ExtractedReport, data: bytes, out: FileOutcome, *, replacing: set[str]) -> None:
        name = rep.document.source_file
        target = self.lib / name
        sha = rep.document.file_sha256
        if target.exists() and not self._same(target, sha):
            if name in replacing:  # the old version of this very report: keep a copy, then overwrite
                self._stage(self.lib / SUPERSEDED_DIR / f"{self.stamp}-{name}", target.read_bytes())
            else:
                p = Path(name)
                target = self.lib / f"{p.stem}-{rep.report_id[:8]}{p.suffix}"
                out.message = (f"the library already has a different file named {name}; "
                               f"this one is stored as {target.name}")  # fmt: skip
        if not self._same(target, sha):
            self.pending[rep.report_id] = (sha, self._stage(target, data), target)
        out.library_file = str(target)


def _sha256(path: Path) -> str:
    from etl.write.journal import sha256_file

    return sha256_file(path)


# ---------------------------------------------------------------- backup and restore


@dataclass(frozen=True)
class RestoreSummary:
    restored_from: Path
    db_path: Path
    safety_backup: Path | None
    reports: int
    facts: int
    corrections: int
    bad_lines: tuple[BadLine, ...] = ()  # lines of the restored log left out (see corrections --repair)


def backup(
    db_path: str | Path, out_dir: str | Path | None = None, *, lock_timeout: float | None = None
) -> Path:
    """Copy the database and its corrections log into a new timestamped folder with a sha256 manifest.

    Taken under the writer lock, so the two files belong together; readers are not disturbed.
    Returns the backup folder (default: ``<db folder>/backups/<db stem>-<UTC time>``).
    """
    from etl.store.corrections import corrections_path
    from etl.store.load import connect_live, open_readonly
    from etl.write.journal import (
        disk_full,
        ensure_free,
        fsync_dir,
        fsync_file,
        is_disk_full,
        wal_path,
        write_lock,
    )

    db_path = Path(db_path)
    out = Path(out_dir) if out_dir is not None else db_path.parent / "backups"
    with write_lock(db_path, timeout=lock_timeout):
        if not db_path.is_file():
            raise BackupError(f"no database at {db_path}: nothing to back up")
        sizes = [
            p.stat().st_size for p in (db_path, wal_path(db_path), corrections_path(db_path)) if p.exists()
        ]
        ensure_free(out, sum(sizes) + sizes[0], f"a backup of {db_path.name} (and its check)")
        now = dt.datetime.now(dt.UTC)
        final = out / f"{db_path.stem}-{now:%Y%m%dT%H%M%SZ}"
        n = 1
        while final.exists():
            n += 1
            final = out / f"{db_path.stem}-{now:%Y%m%dT%H%M%SZ}-{n}"
        partial = final.with_name("." + final.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        try:
            if db_path.with_name(db_path.name + ".wal").exists():
                # committed changes still in DuckDB's log (an add interrupted before its checkpoint):
                # fold them into the file, which is all a backup copies
                con = connect_live(db_path, lock_timeout)
                try:
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
            db_copy = partial / "database.duckdb"
            shutil.copyfile(db_path, db_copy)
            corr = corrections_path(db_path)
            log_copy = partial / "corrections.jsonl"
            shutil.copyfile(corr, log_copy) if corr.exists() else log_copy.write_bytes(b"")
            try:  # a damaged database is still copied (restore refuses it; a person may rescue it)
                check_database(db_copy, partial)  # garbage in a late block is found now, not at restore
                con = open_readonly(db_copy)
                try:
                    counts, readable = _counts(con), None
                    info = dict(con.execute("SELECT key, value FROM build_info").fetchall())
                finally:
                    con.close()
            except duckdb.Error as exc:
                counts, info, readable = {}, {}, f"{type(exc).__name__}: {exc}"[:500]
            manifest = {
                "format": BACKUP_FORMAT,
                "created_at_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "etl_version": __version__,
                "source_database": str(db_path.resolve()),
                "generation": info.get("generation"),
                "database_error": readable,
                "counts": {**counts, "corrections": _log_size(log_copy)},
                "files": {
                    p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in (db_copy, log_copy)
                },
            }
            (partial / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")  # fmt: skip
            for p in partial.iterdir():
                fsync_file(p)
            os.replace(partial, final)
            fsync_dir(out)
        except BaseException as exc:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(exc, OSError | duckdb.Error) and is_disk_full(exc):
                raise disk_full(partial, exc) from exc
            raise
    return final


def _log_size(path: Path) -> int | None:
    """Valid corrections in the log (a bad line is copied as it is; restore and --repair name it)."""
    return len(scan_log(path)[0])


def check_database(path: Path, scratch_dir: Path) -> dict[str, int]:
    """Read a database back whole: every row of every table, then every index; rows per table.

    Raises DuckDB's error at the first damaged block.  Indexes are only read when a committed change
    touches them, so that part runs on a scratch copy in ``scratch_dir`` (removed afterwards): every row
    of every indexed table is deleted there, which walks each index entirely.
    """
    from etl.store.load import open_readonly

    con = open_readonly(path)
    try:
        rows = read_every_table(con)
    finally:
        con.close()
    try:
        fd, name = tempfile.mkstemp(prefix=".verify-", suffix=".duckdb", dir=scratch_dir)
    except OSError:  # a read-only backup folder
        fd, name = tempfile.mkstemp(prefix=".verify-", suffix=".duckdb")
    os.close(fd)
    scratch = Path(name)
    try:
        shutil.copyfile(path, scratch)
        con = duckdb.connect(str(scratch))
        try:
            indexed = con.execute(
                "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE database_name = current_database()"
                " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') UNION SELECT table_name FROM duckdb_indexes()"
                " WHERE database_name = current_database() ORDER BY 1"
            ).fetchall()
            for (table,) in indexed:
                con.execute(f'DELETE FROM "{table}"')
        finally:
            con.close()
    finally:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
    return rows


def read_every_table(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Read every row and column of every table (DuckDB checks each block's checksum as it reads it), in
    batches so memory stays flat; rows per table.  Raises DuckDB's error at the first damaged block."""
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
    ).fetchall()
    rows = {}
    for (table,) in tables:
        reader = con.sql(f'SELECT * FROM "{table}"').to_arrow_reader(65_536)
        rows[table] = sum(batch.num_rows for batch in reader)
    return rows


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for table in ("reports", "facts", "facts_current"):
        try:
            out[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except duckdb.CatalogException:
            out[table] = None
    return out


def verify_backup(backup_dir: str | Path, *, deep: bool = True) -> dict:
    """Check a backup folder against its manifest (files present, sha256) and, ``deep``, read its database
    back whole (``check_database``; ``backup`` has just done that); returns the manifest."""

    folder = Path(backup_dir)
    mf = folder / "manifest.json"
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
        files = manifest["files"]
    except FileNotFoundError:
        raise BackupError(
            f"{folder}: no manifest.json: not a backup made by `python -m etl backup`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{mf}: the manifest is unreadable ({exc})") from exc
    if manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{mf}: backup format {manifest.get('format')!r} is not one this version reads")
    if manifest.get("database_error"):
        raise BackupError(
            f"{folder}: the database was already unreadable when this backup was taken "
            f"({manifest['database_error']}); restore an older backup"
        )
    for name in ("database.duckdb", "corrections.jsonl"):
        path = folder / name
        if name not in files or not path.is_file():
            raise BackupError(f"{folder}: {name} is missing from the backup")
        if _sha256(path) != files[name]["sha256"]:
            raise BackupError(f"{path}: its sha256 does not match the manifest: the backup is damaged")
    if not deep:
        return manifest
    try:
        check_database(folder / "database.duckdb", folder)
    except duckdb.Error as exc:
        raise BackupError(
            f"{folder / 'database.duckdb'}: the backup's database is damaged ({type(exc).__name__}: "
            f"{str(exc)[:300]}); restore an older backup"
        ) from exc
    return manifest


def restore(
    backup_dir: str | Path,
    db_path: str | Path,
    *,
    safety_backup: bool = True,
    lock_timeout: float | None = None,
) -> RestoreSummary:
    """Put a backup's database and corrections log back in place, together, through the single writer.

    The backup is verified first.  Unless ``safety_backup`` is False, the current state is backed up
    before it is replaced, so a restore never loses the newest corrections.
    """
    from etl.store.load import open_writer
    from etl.write.journal import write_lock

    folder = Path(backup_dir)
    db_path = Path(db_path)
    verify_backup(folder)
    log_file = folder / "corrections.jsonl"
    with write_lock(db_path, timeout=lock_timeout):
        safety = backup(db_path) if safety_backup and db_path.is_file() else None
        with open_writer(db_path, source=folder / "database.duckdb", kind="restore") as w:
            bad: list[BadLine] = []  # restored byte for byte; bad lines are skipped when applied
            w.replace_log(read_log(log_file, skip_bad=bad), log_file.read_bytes())
            counts = _counts(w.con)
    return RestoreSummary(
        folder, db_path, safety, counts["reports"] or 0, counts["facts"] or 0, len(w.corrections), tuple(bad)
    )


def list_backups(out_dir: str | Path) -> list[tuple[Path, dict]]:
    """Backups in a folder, newest first, with their manifests (unreadable ones are skipped)."""
    found = []
    for d in Path(out_dir).glob("*/manifest.json"):
        try:
            found.append((d.parent, json.loads(d.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    # two backups in one second are named …Z and …Z-2: the name breaks the tie
    return sorted(found, key=lambda x: (str(x[1].get("created_at_utc", "")), x[0].name), reverse=True)
