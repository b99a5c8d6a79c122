"""Command line: build, extract, export, export-parquet, add, correct, corrections, backup, restore.

Each command parses arguments, calls the library, reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.errors import EtlError

DEFAULT_DB = Path("data/congress.duckdb")
DEFAULT_LIBRARY = Path("data/corpus")


def _waiting(pid: int | None) -> None:
    who = f"pid {pid}" if pid else "another process"
    print(f"waiting for another writer ({who}) to finish…", file=sys.stderr, flush=True)


def _max_bytes(args: argparse.Namespace) -> int:
    if args.max_mb <= 0:
        raise EtlError(f"--max-mb must be positive, not {args.max_mb:g}")
    return int(args.max_mb * 1024 * 1024)


def _cmd_build(args: argparse.Namespace) -> int:
    from etl.ops.build import build

    if args.time_limit < 0:
        raise EtlError(f"--time-limit must be 0 (none) or positive, not {args.time_limit:g}")
    summary = build(
        args.input, args.db, progress=not args.quiet, max_bytes=_max_bytes(args), on_wait=_waiting,
        workers=args.workers, time_limit=args.time_limit or None,
    )  # fmt: skip
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
    if summary.corrections_applied or summary.corrections_orphaned:
        print(f"corrections re-applied: {summary.corrections_applied}"
              f"  orphaned (their fact no longer exists): {summary.corrections_orphaned}", file=out)  # fmt: skip
    if not summary.ok:
        print(
            "error: no report could be loaded; the existing database (if any) was left unchanged",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from etl.extract.catalog import load_catalog
    from etl.extract.pipeline import process_file

    rep = process_file(args.file)
    m = rep.meta
    cat = load_catalog()
    print(
        f"file:         {rep.document.source_file} ({rep.document.file_format}, {rep.document.encoding or '-'})"
    )
    print(f"report_id:    {rep.report_id}")
    print(f"title:        {m.title or '-'}")
    print(
        f"jurisdiction: {m.jurisdiction or '-'} ({m.level or '-'}; parent {m.parent or '-'}; {m.province or '-'})"
    )
    print(
        f"period:       {m.period_start}–{m.period_end}   type: {m.report_type}   delivered: {m.delivered or '-'}"
    )
    print(
        "sections:     "
        + "; ".join(f"{s.kind}[{s.start}:{s.end}] {s.heading or ''}".strip() for s in rep.sections)
    )
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
    from etl.ops.export import export_db

    n = export_db(args.db, args.format, args.out)
    print(f"wrote {n} facts to {args.out}")
    return 0


def _cmd_export_parquet(args: argparse.Namespace) -> int:
    from etl.ops.parquet import export_db

    s = export_db(args.db, args.out, corrected=args.corrected)
    print(f"wrote {s.facts} facts and {s.reports} reports in {len(s.partitions)} province/year partitions "
          f"to {args.out} (facts/, reports/, problems.parquet: {s.problems} files not loaded)")  # fmt: skip
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    from etl.ops.add import add_reports

    library = None if args.no_library else args.library
    if args.time_limit < 0:
        raise EtlError(f"--time-limit must be 0 (none) or positive, not {args.time_limit:g}")
    summary = add_reports(args.files, args.db, library, max_bytes=_max_bytes(args),
                          time_limit=args.time_limit or None, on_wait=_waiting)  # fmt: skip
    for o in summary.outcomes:
        if o.status == "rejected":
            print(f"rejected   {o.file}: {o.message}")
            continue
        line = f"{o.status:<10} {o.file}: report {o.report_id}, {o.facts} facts"
        if o.replaced:
            line += "; replaces " + ", ".join(f"{name} (report {rid})" for rid, name in o.replaced)
        if o.library_file:
            line += f"; library file {o.library_file}"
        print(line)
        for note in ([o.message] if o.message else []) + o.warnings:
            print(f"           {note}")
    counts = {s: len(summary.with_status(s)) for s in ("added", "replaced", "unchanged", "rejected")}
    print(f"database: {summary.db_path}  " + "  ".join(f"{k}: {v}" for k, v in counts.items()))
    if not summary.ok:
        print("error: no file could be loaded; the database was left unchanged", file=sys.stderr)
        return 1
    return 0


def _cmd_correct(args: argparse.Namespace) -> int:
    from etl.ops import corrections as c

    common = {"user": args.user, "reason": args.reason}
    edits = {"value": args.value, "metric": args.metric, "period": args.period, "unit": args.unit,
             "qualifier": args.qualifier, "scope": args.scope}  # fmt: skip
    given = {k: v for k, v in edits.items() if v is not None}
    modes = [m for m in ("add", "reject", "revert") if getattr(args, m)] + (["set"] if args.fact and not (
        args.reject or args.add) else [])  # fmt: skip
    if args.report and not (args.add or args.fact or args.revert):
        modes.append("report")
    if len(modes) != 1:
        raise EtlError("say what to do: --fact ID with new values, --fact ID --reject, --add --report ID …, "
                       "or --revert CORRECTION_ID")  # fmt: skip
    mode = modes[0]
    if mode == "add":
        missing = [f"--{n}" for n in ("report", "metric", "value", "evidence") if getattr(args, n) is None]
        if missing or args.fact:
            raise EtlError(f"--add needs {', '.join(missing) or 'no --fact'}: --add --report ID --metric CODE "
                           "--value V --evidence SENTENCE")  # fmt: skip
        rec = c.add_fact(args.db, args.report, metric=args.metric, value=args.value, evidence=args.evidence,
                         value_text=args.value_text, unit=args.unit, qualifier=args.qualifier, period=args.period,
                         scope=args.scope, **common)  # fmt: skip
    elif mode == "report":
        meta = {"jurisdiction": args.jurisdiction, "period": args.period, "report_type": args.report_type,
                "delivered": args.delivered}  # fmt: skip
        if any(v is not None for k, v in edits.items() if k != "period"):
            raise EtlError("--report ID alone corrects report metadata: --jurisdiction, --period, --report-type, "
                           "--delivered (to add a fact, give --add)")  # fmt: skip
        rec = c.correct_report(
            args.db, args.report, **{k: v for k, v in meta.items() if v is not None}, **common
        )
        print(f"recorded {rec.correction_id} (report metadata) on report {rec.report_id}: {rec.summary()}")
        print(f"by {rec.user} at {rec.at}; log: {c.corrections_path(args.db)}")
        return 0
    elif mode == "reject":
        if not args.fact or given:
            raise EtlError("--reject takes --fact ID and no new values")
        rec = c.reject_fact(args.db, args.fact, **common)
    elif mode == "revert":
        if args.fact or given:
            raise EtlError("--revert takes only the correction id (see `python -m etl corrections`)")
        rec = c.revert_correction(args.db, args.revert, **common)
    else:
        rec = c.correct_fact(args.db, args.fact, **given, **common)
    print(f"recorded {rec.correction_id} ({rec.action}) on fact {rec.fact_id} of report {rec.report_id}: "
          f"{rec.summary()}")  # fmt: skip
    print(f"by {rec.user} at {rec.at}; log: {c.corrections_path(args.db)}")
    return 0


def _cmd_corrections(args: argparse.Namespace) -> int:
    import json

    from etl.ops.corrections import list_corrections, repair_log
    from etl.store.corrections_log import corrections_path, scan_log

    if args.repair:
        r = repair_log(args.db, on_wait=_waiting)
        if not r.quarantined:
            print(f"{r.log}: every line is a valid correction ({r.kept}); nothing to repair")
            return 0
        for b in r.quarantined:
            print(f"line {b.line}: {b.reason}")
        print(f"{len(r.quarantined)} bad lines moved, byte for byte, to {r.side_file}; {r.kept} corrections kept "
              f"in {r.log} and re-applied")  # fmt: skip
        return 0
    entries = list_corrections(args.db, status=args.status)
    _, bad = scan_log(corrections_path(args.db))
    if bad:
        print(f"warning: {corrections_path(args.db)} has {len(bad)} bad lines (line {bad[0].line}: "
              f"{bad[0].reason}); writes refuse it until `python -m etl corrections --repair`", file=sys.stderr)  # fmt: skip
    if args.json:
        for e in entries:
            d = {k: (v.isoformat() + "Z" if k == "at_utc" and v else v) for k, v in e.__dict__.items()}
            print(json.dumps(d, ensure_ascii=False))
        return 0
    if not entries:
        print("no corrections" + (f" with status {args.status}" if args.status else ""))
        return 0
    for e in entries:
        at = f"{e.at_utc:%Y-%m-%d %H:%M}Z" if e.at_utc else "?"
        where = " ".join(x for x in (e.source_file, e.jurisdiction) if x) or f"report {e.report_id}"
        print(
            f"{e.correction_id}  {at}  {e.user}  {e.action:<6} {e.status:<8} fact {e.fact_id or '-'}  [{where}]"
        )
        print(f"    {e.summary}  — {e.reason}")
        if e.status_note:
            print(f"    note: {e.status_note}")
    counts = {s: sum(1 for e in entries if e.status == s) for s in ("applied", "orphaned", "reverted")}
    print(f"{len(entries)} corrections: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from etl.ops.backup import backup, verify_backup

    folder = backup(args.db, args.out)
    print(f"backup: {folder}")
    try:
        m = verify_backup(folder, deep=False)  # backup() has just read it back whole
    except EtlError as exc:
        print(f"warning: this backup cannot be restored: {exc}; its files are kept for a rescue; rebuild the "
              "database (python -m etl build) or restore an older backup (python -m etl restore FOLDER)",
              file=sys.stderr)  # fmt: skip
        return 1
    c = m["counts"]
    print(
        f"reports: {c['reports']}  facts: {c['facts']}  corrections: {c['corrections']}  (sha256 in manifest.json)"
    )
    _warn_bad_log(folder / "corrections.jsonl", "the backup keeps the log as it was")
    return 0


def _warn_bad_log(path: Path, what: str) -> None:
    from etl.store.corrections_log import scan_log

    _, bad = scan_log(path)
    if bad:
        print(f"warning: {path} has {len(bad)} bad lines (line {bad[0].line}: {bad[0].reason}); {what}; "
              "run `python -m etl corrections --repair` to set them aside", file=sys.stderr)  # fmt: skip


def _cmd_restore(args: argparse.Namespace) -> int:
    from etl.ops.backup import restore

    r = restore(args.backup, args.db, safety_backup=not args.no_safety_backup)
    if r.safety_backup:
        print(f"the previous state was saved first: {r.safety_backup}")
    print(f"restored {r.db_path} from {r.restored_from}: reports {r.reports}, facts {r.facts}, "
          f"corrections {r.corrections}")  # fmt: skip
    if r.bad_lines:
        _warn_bad_log(
            Path(args.backup) / "corrections.jsonl", "they were restored as they were but not applied"
        )
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
    b.add_argument("--max-mb", type=float, default=50, help="refuse files larger than this (default 50)")
    b.add_argument("--time-limit", type=float, default=120,
                   help="seconds to read one file before it is stopped and listed (default 120; 0: no limit)")  # fmt: skip
    b.add_argument("--workers", type=int, default=None,
                   help="extraction processes (default: one per core)")  # fmt: skip
    b.set_defaults(func=_cmd_build)

    e = sub.add_parser("extract", help="print one report's metadata and facts with evidence",
                       description="Extract one report file and print its metadata, sections and facts with the "
                       "sentence each came from; writes nothing.")  # fmt: skip
    e.add_argument("file", type=Path, help="a report file")
    e.add_argument("--brief", action="store_true", help="omit evidence sentences")
    e.set_defaults(func=_cmd_extract)

    x = sub.add_parser(
        "export",
        help="export facts joined with report metadata and metric labels",
        description="Write the facts table joined with report metadata and metric labels.",
    )
    x.add_argument("--db", required=True, type=Path, help="DuckDB file to read")
    x.add_argument("--format", required=True, choices=["csv", "parquet", "xlsx"])
    x.add_argument("--out", required=True, type=Path, help="output file")
    x.set_defaults(func=_cmd_export)

    xp = sub.add_parser("export-parquet", help="write facts and reports as Parquet partitioned by province and year",
                        description="Write <out>/facts/province=<省>/year=<YYYY>/part-0.parquet, the same for "
                        "reports/, and problems.parquet: the Hive layout Spark, Trino and DuckDB read. province is "
                        "全国 for national reports and 未知 when unknown; year is the fact's period_end (else the "
                        "report's, else 未知). See docs/distributed.md.")  # fmt: skip
    xp.add_argument("--db", required=True, type=Path, help="DuckDB file to read")
    xp.add_argument("--out", required=True, type=Path, help="output folder (facts/ and reports/ replaced)")
    xp.add_argument("--corrected", action="store_true",
                    help="write facts with analysts' corrections applied (facts_current) instead of as extracted")  # fmt: skip
    xp.set_defaults(func=_cmd_export_parquet)

    a = sub.add_parser("add", help="add report files to the database (and the library) without a rebuild",
                       description="Read and extract each file like build, copy it into --library so a later build "
                       "reproduces it, and load it into --db. The same text again changes nothing; a new version "
                       "(same jurisdiction, period and type, or same file name) replaces the old one's facts. "
                       "Bad files are named with the reason; exits non-zero only when none could be loaded.")  # fmt: skip
    a.add_argument("files", nargs="+", type=Path, metavar="FILE", help="report files (txt, html, pdf, docx)")
    a.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    a.add_argument("--library", type=Path, default=DEFAULT_LIBRARY,
                   help=f"folder that keeps the report files (default {DEFAULT_LIBRARY})")  # fmt: skip
    a.add_argument("--no-library", action="store_true", help="load without copying the files anywhere")
    a.add_argument("--max-mb", type=float, default=50, help="refuse files larger than this (default 50)")
    a.add_argument("--time-limit", type=float, default=120,
                   help="seconds to read one file before it is refused (default 120; 0: no limit)")  # fmt: skip
    a.set_defaults(func=_cmd_add)

    c = sub.add_parser("correct", help="correct, reject or add a fact; or revert a correction",
                       description="Record a correction in the log beside the database and apply it. Corrections "
                       "survive rebuilds; each records who, when (UTC) and why.",
                       epilog="examples:\n"
                       "  python -m etl correct --fact 9b9e42e2 --value 12 --user wang --reason '原文为12次'\n"
                       "  python -m etl correct --fact 9b9e42e2 --period 2022 --user wang --reason '…'\n"
                       "  python -m etl correct --fact 9b9e42e2 --reject --user wang --reason '这是计划数'\n"
                       "  python -m etl correct --add --report 62066fd83ed1e7f7 --metric supervision.special_inquiries "
                       "--value 2 --evidence '专题询问2次' --user wang --reason '漏提'\n"
                       "  python -m etl correct --revert c20250301083000-ab12cd --user wang --reason '改错了'\n"
                       "  python -m etl correct --report 62066fd83ed1e7f7 --period 2019 --user wang --reason '十三届二次会议'",
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    c.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    c.add_argument("--fact", metavar="ID", help="the fact to correct or reject (its id or a unique prefix)")
    c.add_argument("--reject", action="store_true", help="hide the fact: it is wrong")
    c.add_argument("--add", action="store_true", help="add a fact the extractor missed")
    c.add_argument("--revert", metavar="CORRECTION_ID", help="undo an earlier correction")
    c.add_argument(
        "--report",
        metavar="ID",
        help="--add: the report it is stated in; alone: the report whose metadata to set or confirm",
    )
    c.add_argument(
        "--jurisdiction", metavar="NAME", help="--report: the reporting committee's place (许昌市)"
    )
    c.add_argument(
        "--report-type",
        choices=["annual_report", "report_excerpt", "news_summary", "term_review"],
        help="--report: the kind of text",
    )
    c.add_argument("--delivered", metavar="DATE", help="--report: the delivery date, 2024-01-13")
    c.add_argument("--metric", metavar="CODE", help="a catalog metric code")
    c.add_argument("--value", type=float, help="the number")
    c.add_argument("--period", metavar="YEARS", help="2023 or 2018-2022")
    c.add_argument("--unit", help="件, 次, 人次, %% …")
    c.add_argument("--qualifier", choices=["exact", "approx_at_least", "approx"])
    c.add_argument("--scope", choices=["city_level", "all_levels"])
    c.add_argument(
        "--evidence", metavar="SENTENCE", help="--add: the sentence that states it, as in the report"
    )
    c.add_argument("--value-text", metavar="TEXT", help="--add: the number as written, if it occurs twice")
    c.add_argument("--user", required=True, help="who makes the correction")
    c.add_argument("--reason", required=True, help="why")
    c.set_defaults(func=_cmd_correct)

    lc = sub.add_parser("corrections", help="list the corrections (the audit log) with their status",
                        description="Every correction ever recorded, oldest first: applied, orphaned (its fact no "
                        "longer exists after a rebuild) or reverted.")  # fmt: skip
    lc.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    lc.add_argument("--status", choices=["applied", "orphaned", "reverted"])
    lc.add_argument("--json", action="store_true", help="one JSON object per line")
    lc.add_argument("--repair", action="store_true",
                    help="move lines of the log that are not valid corrections (named with their line number) into "
                    "a side file <log>.quarantine-<UTC time>.jsonl, byte for byte, and keep the rest")  # fmt: skip
    lc.set_defaults(func=_cmd_corrections)

    bk = sub.add_parser("backup", help="copy the database and the corrections log into a timestamped folder",
                        description="Write <out>/<db name>-<UTC time>/ with database.duckdb, corrections.jsonl "
                        "and manifest.json (sha256 of each). Taken under the writer lock; readers carry on.")  # fmt: skip
    bk.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    bk.add_argument("--out", type=Path, help="folder for backups (default: backups/ beside the database)")
    bk.set_defaults(func=_cmd_backup)

    rs = sub.add_parser("restore", help="put a backup's database and corrections log back, atomically",
                        description="Verify the backup against its manifest, save the current state as a new "
                        "backup, then swap in the backup's database and corrections log together.")  # fmt: skip
    rs.add_argument("backup", type=Path, help="a folder written by `python -m etl backup`")
    rs.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"DuckDB file (default {DEFAULT_DB})")
    rs.add_argument("--no-safety-backup", action="store_true", help="do not back up the current state first")
    rs.set_defaults(func=_cmd_restore)

    from etl.poster_cmd import register as register_poster  # 数说 posters (app/poster.py)

    register_poster(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except EtlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # disk full, permissions: say which file, no traceback
        where = exc.filename or getattr(args, "db", None) or getattr(args, "out", None) or "?"
        print(f"error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a damaged database (DuckDB's own errors) and the like: a message, no traceback
        import duckdb

        if not isinstance(exc, duckdb.Error):
            raise
        where = getattr(args, "db", None) or getattr(args, "backup", None) or "the database"
        print(f"error: {where}: cannot use the database ({type(exc).__name__}: {str(exc)[:300]}); rebuild it "
              "(python -m etl build) or restore a backup (python -m etl restore)", file=sys.stderr)  # fmt: skip
        return 2
    except KeyboardInterrupt:
        print("interrupted; the database was left as it was", file=sys.stderr)
        return 130
