"""Build the database from a folder of reports: load → process → save → check, swapped in atomically.

Extraction is a pure function of one file (``extract_file``), run on every core in a process pool;
the parent streams the rows into the staged database in Arrow batches, so memory stays flat however
many reports there are, and the live database is replaced in one rename at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import multiprocessing as mp
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from tqdm import tqdm

from etl import __version__
from etl.errors import EtlError
from etl.ops.extract_one import DEFAULT_TIME_LIMIT, try_extract
from etl.read import DEFAULT_MAX_BYTES, is_report_file
from etl.store.checks import Check, run_checks, write_checks
from etl.store.load import RowBuffer
from etl.store.records import rows_of
from etl.store.schema import create_schema, load_reference_tables
from etl.write.disk import ensure_free
from etl.write.files import building_path
from etl.write.writer import open_writer

# Below this many files a pool costs more than it saves.
POOL_MIN_FILES = 16


@dataclass
class BuildSummary:
    db_path: str
    files: int = 0
    reports: int = 0
    facts: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, message)
    checks: list[Check] = field(default_factory=list)
    corrections_applied: int = 0
    corrections_orphaned: int = 0
    seconds: float = 0.0
    workers: int = 1
    input_bytes: int = 0

    @property
    def ok(self) -> bool:
        """A build fails only when nothing at all could be loaded."""
        return self.reports > 0


@dataclass
class Extracted:
    """What one file gave: its rows by table, or the reason it gave none."""

    file: str
    report_id: str | None = None
    rows: dict[str, list[tuple]] | None = None
    warnings: list[str] = field(default_factory=list)
    problem: str | None = None
    n_bytes: int = 0


def list_report_files(input_dir: str | Path) -> list[Path]:
    root = Path(input_dir)
    if not root.is_dir():
        raise EtlError(f"input folder {root} does not exist or is not a folder")
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and is_report_file(p)
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )  # fmt: skip


def extract_file(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    loaded_at: dt.datetime | None = None,
    time_limit: float | None = None,
) -> Extracted:
    """One file → its rows; a broken file, or one that takes over ``time_limit`` s, becomes a problem."""
    try:
        n_bytes = path.stat().st_size
    except OSError:
        n_bytes = 0
    rep, problem = try_extract(path, max_bytes=max_bytes, time_limit=time_limit)
    if rep is None:
        return Extracted(path.name, problem=problem, n_bytes=n_bytes)
    warnings = [w.removeprefix(f"{path.name}: ") for w in rep.warnings]
    return Extracted(path.name, rep.report_id, rows_of(rep, loaded_at), warnings, n_bytes=n_bytes)


def _extract_job(job: tuple[Path, int, dt.datetime, float | None]) -> Extracted:
    return extract_file(*job)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def extract_files(
    paths: list[Path],
    *,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    loaded_at: dt.datetime | None = None,
    time_limit: float | None = None,
) -> Iterator[Extracted]:
    """Extract every file, in the order given, on ``workers`` processes (default: every core)."""  # fmt: skip
    workers = workers or default_workers()
    jobs = [(p, max_bytes, loaded_at or dt.datetime.now(), time_limit) for p in paths]
    if workers <= 1 or len(paths) < POOL_MIN_FILES:
        return map(_extract_job, jobs)
    # fork is cheapest, but forking a threaded process (the dashboard) can deadlock a child.  Decided
    # now, at the call, not when the results are first read: a progress bar's monitor thread may
    # have started by then.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    return _pooled(jobs, workers, method)


def _pooled(jobs: list, workers: int, method: str) -> Iterator[Extracted]:
    chunk = max(1, min(32, len(jobs) // (workers * 8)))
    with mp.get_context(method).Pool(workers) as pool:
        yield from pool.imap(_extract_job, jobs, chunksize=chunk)


def collect(
    results: Iterable[Extracted], summary: BuildSummary, progress: bool = True
) -> Iterator[Extracted]:
    """Record problems, warnings and duplicate texts in the summary; yield the reports to load."""
    seen: dict[str, str] = {}
    for ex in tqdm(
        results, total=summary.files, desc="extracting", unit="file", disable=not progress, leave=False
    ):
        summary.input_bytes += ex.n_bytes
        if ex.problem is not None:
            summary.problems.append((ex.file, ex.problem))
            continue
        if ex.report_id in seen:
            summary.problems.append((ex.file, f"same text as {seen[ex.report_id]}: loaded once"))
            continue
        seen[ex.report_id] = ex.file
        summary.warnings.extend((ex.file, w) for w in ex.warnings)
        yield ex


def read_sources(input_dir: str | Path) -> list[tuple[str, str | None, str | None]]:
    """(file, url, title) from every sources.csv under input_dir (not hidden folders); a malformed file is
    skipped with its name on stderr: a missing URL never stops a build."""
    out: dict[str, tuple[str, str | None, str | None]] = {}
    root = Path(input_dir)
    for path in sorted(root.rglob("sources.csv")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    name = (row.get("file") or "").strip()
                    if name:
                        out[name] = (
                            name,
                            (row.get("url") or "").strip() or None,
                            (row.get("title") or "").strip() or None,
                        )
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            print(f"warning: {path}: cannot read report sources ({exc})", file=sys.stderr)
    return list(out.values())


def build(
    input_dir: str | Path,
    db_path: str | Path,
    *,
    progress: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lock_timeout: float | None = None,
    on_wait=None,
    workers: int | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> BuildSummary:
    """Every report file under input_dir into a new database that replaces db_path in one rename.

    Load → process → save: the reports are extracted and streamed into a private scratch database
    *before* the writer lock is taken (other writers and readers carry on meanwhile); a file that takes
    over ``time_limit`` seconds is stopped and listed, like ``add`` does.  Under the lock the scratch
    file becomes the staged database, the corrections log is re-applied, and it is swapped in.  If no
    file can be loaded, the existing database is left as it was.
    """
    started = dt.datetime.now()
    summary = BuildSummary(db_path=str(db_path))
    paths = list_report_files(input_dir)
    summary.files = len(paths)
    summary.workers = workers or default_workers()
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    scratch = building_path(db_path)
    try:
        _extract_into(scratch, paths, input_dir, summary, started, max_bytes, time_limit, progress)
        if not summary.reports:
            summary.seconds = (dt.datetime.now() - started).total_seconds()
            return summary
        with open_writer(db_path, kind="build", source=scratch, adopt_source=True,
                         lock_timeout=lock_timeout, on_wait=on_wait) as w:  # fmt: skip
            pass  # under the lock: only the corrections, the aggregates, the stamp and the swap
    finally:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
    summary.corrections_applied = w.applied.count("applied")
    summary.corrections_orphaned = w.applied.count("orphaned")
    summary.seconds = (dt.datetime.now() - started).total_seconds()
    return summary


def _extract_into(
    scratch: Path,
    paths: list[Path],
    input_dir: str | Path,
    summary: BuildSummary,
    started: dt.datetime,
    max_bytes: int,
    time_limit: float | None,
    progress: bool,
) -> None:
    """Extract every file into a new database at ``scratch`` (no lock: nobody else knows this file)."""
    ensure_free(
        scratch.parent, sum(p.stat().st_size for p in paths if p.is_file()), f"building {scratch.name}"
    )
    scratch.unlink(missing_ok=True)
    con = duckdb.connect(str(scratch))
    try:
        create_schema(con)
        load_reference_tables(con)
        buffer = RowBuffer(con)
        results = extract_files(paths, workers=summary.workers, max_bytes=max_bytes, loaded_at=started,
                                time_limit=time_limit)  # fmt: skip
        for ex in collect(results, summary, progress):
            assert ex.rows is not None  # collect() yields only files that gave rows
            buffer.add(ex.rows)
            summary.reports += 1
            summary.facts += len(ex.rows["facts"])
        buffer.flush()
        if not summary.reports:
            return
        if summary.problems:
            con.executemany("INSERT INTO load_problems VALUES (?, ?)", summary.problems)
        sources = read_sources(input_dir)
        if sources:
            con.executemany("INSERT OR REPLACE INTO report_sources VALUES (?, ?, ?)", sources)
        summary.checks = run_checks(con)
        write_checks(con, summary.checks)
        con.executemany(
            "INSERT INTO build_info VALUES (?, ?)",
            [
                ("built_at", started.isoformat(timespec="seconds")),
                ("etl_version", __version__),
                ("input", str(Path(input_dir).resolve())),
            ],  # fmt: skip
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
