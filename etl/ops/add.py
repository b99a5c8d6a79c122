"""Adding reports without a rebuild: preview, plan (new / unchanged / replaces), copy into the library, load.

Every write goes through ``etl.write.writer.open_writer`` (one writer at a time, staged files or one
transaction, one swap), so the dashboard keeps serving while these run.  The functions here are what
both the CLI and the dashboard's 数据管理 page call:

    preview(path) / stage_upload(name, data)   read + extract, no writes
    plan_add(reports, db)                      what adding would do: new / unchanged / replaces …
    add_reports(paths, db, library)            extract, copy into the library, load incrementally
    load_extracted(items, db, library)         the same for reports already previewed
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.errors import EtlError, ReadError
from etl.extract.pipeline import ExtractedReport
from etl.ops.extract_one import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, extract_one
from etl.read import DEFAULT_MAX_BYTES, report_file_problem
from etl.store.checks import run_checks, write_checks
from etl.store.load import delete_report, insert_rows, write_report
from etl.store.records import rows_of, to_arrow
from etl.store.schema import load_reference_tables
from etl.write.connect import open_readonly
from etl.write.disk import ensure_free
from etl.write.files import sha256_file, write_staged
from etl.write.journal import clean_stale
from etl.write.writer import open_writer

SUPERSEDED_DIR = ".superseded"  # inside the library: old versions of replaced reports (builds skip it)


NEW, UNCHANGED, REPLACES = "new", "unchanged", "replaces"


ADDED, REPLACED, REJECTED = "added", "replaced", "rejected"


ProgressFn = Callable[[int, int, str], None]  # (files done, files in all, current file name)


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
    return extract_one(
        path, max_bytes=max_bytes, time_limit=time_limit, memory_limit=memory_limit, isolate=True
    )


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
    """Reports this one supersedes: same jurisdiction (name and parent: 北京市朝阳区 never replaces
    长春市朝阳区) + period + type, or the same file name (unless the two files name different jurisdictions:
    then they are different reports that share a name)."""
    m = rep.meta
    if {"jurisdiction", "period"} & set(getattr(m, "pending", None) or ()):
        # a guessed jurisdiction or period (待确认) never replaces a report: only the very same file
        # name with the same resolved jurisdiction does
        return con.execute(
            "SELECT report_id, source_file, file_sha256 FROM reports WHERE report_id <> ?"
            " AND source_file = ? AND jurisdiction IS NOT DISTINCT FROM ?::VARCHAR"
            " AND parent IS NOT DISTINCT FROM ?::VARCHAR ORDER BY report_id",
            [rep.report_id, rep.document.source_file, m.jurisdiction, m.parent],
        ).fetchall()
    return con.execute(
        "SELECT report_id, source_file, file_sha256 FROM reports WHERE report_id <> ? AND ("
        " (jurisdiction = ? AND parent IS NOT DISTINCT FROM ?::VARCHAR"
        "  AND period_start = ? AND period_end = ? AND report_type = ?)"
        " OR (source_file = ? AND (jurisdiction IS NULL OR ?::VARCHAR IS NULL"
        "  OR (jurisdiction = ? AND parent IS NOT DISTINCT FROM ?::VARCHAR))))"
        " ORDER BY report_id",
        [rep.report_id, m.jurisdiction, m.parent, m.period_start, m.period_end, m.report_type,
         rep.document.source_file, m.jurisdiction, m.jurisdiction, m.parent],
    ).fetchall()  # fmt: skip


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
    files = [Path(p) for p in paths]
    rejected: list[FileOutcome] = []
    items: list[tuple[str | Path, ExtractedReport]] = []
    for i, path in enumerate(files):
        if on_progress:
            on_progress(i, len(files), path.name)
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
        on_progress(len(files), len(files), "")
    summary = load_extracted(items, db_path, library, lock_timeout=lock_timeout, on_wait=on_wait)
    summary.outcomes = rejected + summary.outcomes
    order = {p.name: i for i, p in enumerate(files)}
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
        self.pending: dict[
            str, tuple[str | None, Path, Path]
        ] = {}  # report_id → (sha256, staged file, target)

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
    return sha256_file(path)
