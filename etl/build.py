"""Build the database from a folder of reports: load → process → save → check, swapped in atomically."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .checks import Check, run_checks, write_checks
from .errors import EtlError
from .load import load_reference_tables, open_writer, write_report
from .pipeline import ExtractedReport, process_document
from .readers import DEFAULT_MAX_BYTES, is_report_file, read_document


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

    @property
    def ok(self) -> bool:
        """A build fails only when nothing at all could be loaded."""
        return self.reports > 0


def list_report_files(input_dir: str | Path) -> list[Path]:
    root = Path(input_dir)
    if not root.is_dir():
        raise EtlError(f"input folder {root} does not exist or is not a folder")
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and is_report_file(p) and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )  # fmt: skip


def extract_all(
    paths: list[Path], summary: BuildSummary, progress: bool = True, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ExtractedReport]:
    """Extract every file; a broken file becomes a problem line, never an abort."""
    from tqdm import tqdm

    reports: list[ExtractedReport] = []
    seen: dict[str, str] = {}
    for path in tqdm(paths, desc="extracting", unit="file", disable=not progress, leave=False):
        try:
            rep = process_document(read_document(path, max_bytes=max_bytes))
        except EtlError as exc:
            summary.problems.append((path.name, getattr(exc, "reason", str(exc))))
            continue
        except Exception as exc:  # a bug must not lose the other files; it is reported by name
            summary.problems.append((path.name, f"unexpected error: {type(exc).__name__}: {exc}"))
            continue
        if rep.report_id in seen:
            summary.problems.append((path.name, f"same text as {seen[rep.report_id]}: loaded once"))
            continue
        seen[rep.report_id] = path.name
        summary.warnings.extend((path.name, w.removeprefix(f"{path.name}: ")) for w in rep.warnings)
        reports.append(rep)
    return reports


def save(con, reports: list[ExtractedReport], summary: BuildSummary) -> None:
    for rep in reports:
        write_report(con, rep)
        summary.reports += 1
        summary.facts += len(rep.facts)
    if summary.problems:
        con.executemany("INSERT INTO load_problems VALUES (?, ?)", summary.problems)


def build(
    input_dir: str | Path,
    db_path: str | Path,
    *,
    progress: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lock_timeout: float | None = None,
    on_wait=None,
) -> BuildSummary:
    """Every report file under input_dir into a new database that replaces db_path in one rename.

    Extraction runs before the writer lock is taken; the corrections log is re-applied to the new facts.
    """
    started = dt.datetime.now()
    summary = BuildSummary(db_path=str(db_path))
    paths = list_report_files(input_dir)
    summary.files = len(paths)
    reports = extract_all(paths, summary, progress, max_bytes)
    if not reports:
        summary.seconds = (dt.datetime.now() - started).total_seconds()
        return summary  # nothing loadable: the existing database is left as it was
    with open_writer(db_path, kind="build", lock_timeout=lock_timeout, on_wait=on_wait) as w:
        con = w.con
        load_reference_tables(con)
        save(con, reports, summary)
        summary.checks = run_checks(con)
        write_checks(con, summary.checks)
        con.executemany(
            "INSERT INTO build_info VALUES (?, ?)",
            [("built_at", started.isoformat(timespec="seconds")), ("etl_version", __version__),
             ("input", str(Path(input_dir).resolve()))],
        )  # fmt: skip
    summary.corrections_applied = w.applied.count("applied")
    summary.corrections_orphaned = w.applied.count("orphaned")
    summary.seconds = (dt.datetime.now() - started).total_seconds()
    return summary
