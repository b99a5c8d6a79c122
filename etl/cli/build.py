"""Reports in: build (a folder into a new database), add (a few files in place), extract (one file, shown)."""

from __future__ import annotations

from pathlib import Path

import click

from etl.cli.shared import (
    DEFAULT_LIBRARY,
    PATH,
    command,
    db_option,
    lock_timeout_option,
    max_mb_option,
    time_limit_option,
    waiting,
)
from etl.extract.catalog import load_catalog
from etl.extract.pipeline import process_file
from etl.ops.add import add_reports
from etl.ops.build import build


@command("build", short_help="build the database from a folder of report files")
@click.option("--input", "input_dir", required=True, type=PATH, help="folder of report files")
@db_option(required=True, help="DuckDB file to write (replaced atomically)")
@click.option("--quiet", is_flag=True, help="no progress bar")
@max_mb_option()
@time_limit_option(then="stopped and listed")
@click.option("--workers", type=int, default=None, help="extraction processes (default: one per core)")
@lock_timeout_option()
def build_cmd(
    input_dir: Path,
    db: Path,
    quiet: bool,
    max_bytes: int,
    time_limit: float | None,
    workers: int | None,
    lock_timeout: float | None,
) -> int:
    """Read every report file (txt, html, pdf, docx) under --input, extract facts and write a new
    database that replaces --db in one rename. Broken files are listed, the others load; exits non-zero
    only when nothing could be loaded."""
    summary = build(
        input_dir,
        db,
        progress=not quiet,
        max_bytes=max_bytes,
        on_wait=waiting,
        workers=workers,
        time_limit=time_limit,
        lock_timeout=lock_timeout,
    )
    click.echo(f"database: {summary.db_path}")
    click.echo(
        f"files: {summary.files}  reports loaded: {summary.reports}  facts: {summary.facts}"
        f"  time: {summary.seconds:.1f}s"
    )
    if summary.problems:
        click.echo(f"problems ({len(summary.problems)}): these files were not loaded")
        for name, reason in summary.problems:
            click.echo(f"  {name}: {reason}")
    if summary.warnings:
        click.echo(f"warnings ({len(summary.warnings)}):")
        for name, msg in summary.warnings:
            click.echo(f"  {name}: {msg}")
    if summary.checks:
        click.echo(f"checks ({len(summary.checks)}):")
        for c in summary.checks:
            click.echo(f"  [{c.severity}] {c.message}")
    if summary.corrections_applied or summary.corrections_orphaned:
        click.echo(
            f"corrections re-applied: {summary.corrections_applied}"
            f"  orphaned (their fact no longer exists): {summary.corrections_orphaned}"
        )
    if not summary.ok:
        click.echo(
            "error: no report could be loaded; the existing database (if any) was left unchanged", err=True
        )
        return 1
    return 0


@command("add", short_help="add report files to the database (and the library) without a rebuild")
@click.argument("files", nargs=-1, required=True, type=PATH, metavar="FILE...")
@db_option()
@click.option(
    "--library",
    type=PATH,
    default=DEFAULT_LIBRARY,
    show_default=True,
    help="folder that keeps the report files",
)
@click.option("--no-library", is_flag=True, help="load without copying the files anywhere")
@max_mb_option()
@time_limit_option(then="refused")
@lock_timeout_option()
def add_cmd(
    files: tuple[Path, ...],
    db: Path,
    library: Path,
    no_library: bool,
    max_bytes: int,
    time_limit: float | None,
    lock_timeout: float | None,
) -> int:
    """Read and extract each FILE (txt, html, pdf, docx) like build, copy it into --library so a later
    build reproduces it, and load it into --db. The same text again changes nothing; a new version (same
    jurisdiction, period and type, or same file name) replaces the old one's facts. Bad files are named
    with the reason; exits non-zero only when none could be loaded."""
    summary = add_reports(
        list(files),
        db,
        None if no_library else library,
        max_bytes=max_bytes,
        time_limit=time_limit,
        on_wait=waiting,
        lock_timeout=lock_timeout,
    )
    for o in summary.outcomes:
        if o.status == "rejected":
            click.echo(f"rejected   {o.file}: {o.message}")
            continue
        line = f"{o.status:<10} {o.file}: report {o.report_id}, {o.facts} facts"
        if o.replaced:
            line += "; replaces " + ", ".join(f"{name} (report {rid})" for rid, name in o.replaced)
        if o.library_file:
            line += f"; library file {o.library_file}"
        click.echo(line)
        for note in ([o.message] if o.message else []) + o.warnings:
            click.echo(f"           {note}")
    counts = {s: len(summary.with_status(s)) for s in ("added", "replaced", "unchanged", "rejected")}
    click.echo(f"database: {summary.db_path}  " + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    if not summary.ok:
        click.echo("error: no file could be loaded; the database was left unchanged", err=True)
        return 1
    return 0


@command("extract", short_help="print one report's metadata and facts with evidence")
@click.argument("file", type=PATH)
@click.option("--brief", is_flag=True, help="omit evidence sentences")
def extract_cmd(file: Path, brief: bool) -> int:
    """Extract one report FILE and print its metadata, sections and facts with the sentence each came
    from; writes nothing."""
    rep = process_file(file)
    m, doc = rep.meta, rep.document
    cat = load_catalog()
    click.echo(f"file:         {doc.source_file} ({doc.file_format}, {doc.encoding or '-'})")
    click.echo(f"report_id:    {rep.report_id}")
    click.echo(f"title:        {m.title or '-'}")
    place = f"{m.level or '-'}; parent {m.parent or '-'}; {m.province or '-'}"
    click.echo(f"jurisdiction: {m.jurisdiction or '-'} ({place})")
    period = f"{m.period_start}–{m.period_end}"
    click.echo(f"period:       {period}   type: {m.report_type}   delivered: {m.delivered or '-'}")
    sections = "; ".join(f"{s.kind}[{s.start}:{s.end}] {s.heading or ''}".strip() for s in rep.sections)
    click.echo(f"sections:     {sections}")
    for w in rep.warnings:
        click.echo(f"warning:      {w}")
    click.echo(f"\nfacts ({len(rep.facts)}):")
    for f in rep.facts:
        label = cat.metrics[f.metric].label_zh if f.metric in cat.metrics else f.metric
        qual = {"approx_at_least": "≥", "approx": "≈"}.get(f.qualifier, "")
        click.echo(
            f"  {f.metric:<42} {label:<16} {qual}{f.value:g} {f.unit or ''}  {f.period_start}–{f.period_end}"
            f"  [{f.evidence_start}:{f.evidence_end}]"
        )
        if not brief:
            click.echo(f"      «{f.evidence.strip()}»")
    return 0
