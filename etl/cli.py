"""Command line: build, extract, export.  Each command parses arguments, calls the library, reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import EtlError


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    summary = build(args.input, args.db, progress=not args.quiet)
    out = sys.stdout
    print(f"database: {summary.db_path}", file=out)
    print(f"files: {summary.files}  reports loaded: {summary.reports}  facts: {summary.facts}"
          f"  time: {summary.seconds:.1f}s", file=out)  # fmt: skip
    if summary.problems:
        print(f"problems ({len(summary.problems)}): these files were not loaded", file=out)
        for name, reason in summary.problems:
            print(f"  {name}: {reason}", file=out)
    if summary.warnings:
        print(f"warnings ({len(summary.warnings)}):", file=out)
        for name, msg in summary.warnings:
            print(f"  {name}: {msg}", file=out)
    if summary.checks:
        print(f"checks ({len(summary.checks)}):", file=out)
        for c in summary.checks:
            print(f"  [{c.severity}] {c.message}", file=out)
    if not summary.ok:
        print("error: no report could be loaded; the existing database (if any) was left unchanged", file=sys.stderr)
        return 1
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from .catalog import load_catalog
    from .pipeline import process_file

    rep = process_file(args.file)
    m = rep.meta
    cat = load_catalog()
    print(f"file:         {rep.document.source_file} ({rep.document.file_format}, {rep.document.encoding or '-'})")
    print(f"report_id:    {rep.report_id}")
    print(f"title:        {m.title or '-'}")
    print(f"jurisdiction: {m.jurisdiction or '-'} ({m.level or '-'}; parent {m.parent or '-'}; {m.province or '-'})")
    print(f"period:       {m.period_start}–{m.period_end}   type: {m.report_type}   delivered: {m.delivered or '-'}")
    print(f"sections:     " + "; ".join(f"{s.kind}[{s.start}:{s.end}] {s.heading or ''}".strip() for s in rep.sections))
    for w in rep.warnings:
        print(f"warning:      {w}")
    print(f"\nfacts ({len(rep.facts)}):")
    for f in rep.facts:
        label = cat.metrics[f.metric].label_zh if f.metric in cat.metrics else f.metric
        qual = {"approx_at_least": "≥", "approx": "≈"}.get(f.qualifier, "")
        print(f"  {f.metric:<42} {label:<16} {qual}{f.value:g} {f.unit or ''}  {f.period_start}–{f.period_end}"
              f"  [{f.evidence_start}:{f.evidence_end}]")  # fmt: skip
        if not args.brief:
            print(f"      «{f.evidence.strip()}»")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export_db

    n = export_db(args.db, args.format, args.out)
    print(f"wrote {n} facts to {args.out}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m etl",
        description="人大常委会工作报告 → facts with provenance → DuckDB.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the database from a folder of report files",
                       description="Read every report file (txt, html, pdf, docx) under --input, extract facts and "
                       "write a new database that replaces --db in one rename. Broken files are listed, "
                       "the others load; exits non-zero only when nothing could be loaded.")  # fmt: skip
    b.add_argument("--input", required=True, type=Path, help="folder of report files")
    b.add_argument("--db", required=True, type=Path, help="DuckDB file to write (replaced atomically)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=_cmd_build)

    e = sub.add_parser("extract", help="print one report's metadata and facts with evidence",
                       description="Extract one report file and print its metadata, sections and facts with the "
                       "sentence each came from; writes nothing.")  # fmt: skip
    e.add_argument("file", type=Path, help="a report file")
    e.add_argument("--brief", action="store_true", help="omit evidence sentences")
    e.set_defaults(func=_cmd_extract)

    x = sub.add_parser("export", help="export facts joined with report metadata and metric labels",
                       description="Write the facts table joined with report metadata and metric labels.")
    x.add_argument("--db", required=True, type=Path, help="DuckDB file to read")
    x.add_argument("--format", required=True, choices=["csv", "parquet", "xlsx"])
    x.add_argument("--out", required=True, type=Path, help="output file")
    x.set_defaults(func=_cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except EtlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the database was left as it was", file=sys.stderr)
        return 130
