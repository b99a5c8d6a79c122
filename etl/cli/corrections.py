"""Analysts' corrections: correct (set, reject, add a fact; set a report's metadata; revert) and corrections
(the audit log, and --repair for its bad lines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from etl.cli.shared import command, db_option, lock_timeout_option, waiting, warn
from etl.errors import EtlError
from etl.ops import corrections as c
from etl.store.corrections_log import corrections_path, scan_log

EXAMPLES = """\b
examples:
  python -m etl correct --fact 9b9e42e2 --value 12 --user wang --reason '原文为12次'
  python -m etl correct --fact 9b9e42e2 --period 2022 --user wang --reason '…'
  python -m etl correct --fact 9b9e42e2 --reject --user wang --reason '这是计划数'
  python -m etl correct --add --report 62066fd83ed1e7f7 --metric supervision.special_inquiries \\
      --value 2 --evidence '专题询问2次' --user wang --reason '漏提'
  python -m etl correct --revert c20250301083000-ab12cd --user wang --reason '改错了'
  python -m etl correct --report 62066fd83ed1e7f7 --period 2019 --user wang --reason '十三届二次会议'
"""


@command("correct", short_help="correct, reject or add a fact; or revert a correction", epilog=EXAMPLES)
@db_option()
@click.option("--fact", metavar="ID", help="the fact to correct or reject (its id or a unique prefix)")
@click.option("--reject", is_flag=True, help="hide the fact: it is wrong")
@click.option("--add", is_flag=True, help="add a fact the extractor missed")
@click.option("--revert", metavar="CORRECTION_ID", help="undo an earlier correction")
@click.option(
    "--report",
    metavar="ID",
    help="--add: the report it is stated in; alone: the report whose metadata to set or confirm",
)
@click.option("--jurisdiction", metavar="NAME", help="--report: the reporting committee's place (许昌市)")
@click.option(
    "--report-type",
    type=click.Choice(["annual_report", "report_excerpt", "news_summary", "term_review"]),
    help="--report: the kind of text",
)
@click.option("--delivered", metavar="DATE", help="--report: the delivery date, 2024-01-13")
@click.option("--metric", metavar="CODE", help="a catalog metric code")
@click.option("--value", type=float, help="the number")
@click.option("--period", metavar="YEARS", help="2023 or 2018-2022")
@click.option("--unit", help="件, 次, 人次, % …")
@click.option("--qualifier", type=click.Choice(["exact", "approx_at_least", "approx"]))
@click.option("--scope", type=click.Choice(["city_level", "all_levels"]))
@click.option("--evidence", metavar="SENTENCE", help="--add: the sentence that states it, as in the report")
@click.option("--value-text", metavar="TEXT", help="--add: the number as written, if it occurs twice")
@click.option("--user", required=True, help="who makes the correction")
@click.option("--reason", required=True, help="why")
@lock_timeout_option()
def correct_cmd(
    db: Path,
    fact: str | None,
    reject: bool,
    add: bool,
    revert: str | None,
    report: str | None,
    jurisdiction: str | None,
    report_type: str | None,
    delivered: str | None,
    metric: str | None,
    value: float | None,
    period: str | None,
    unit: str | None,
    qualifier: str | None,
    scope: str | None,
    evidence: str | None,
    value_text: str | None,
    user: str,
    reason: str,
    lock_timeout: float | None,
) -> int:
    """Record a correction in the log beside the database and apply it. Corrections survive rebuilds;
    each records who, when (UTC) and why."""
    common: dict[str, Any] = {"user": user, "reason": reason, "lock_timeout": lock_timeout}
    edits = {
        "value": value,
        "metric": metric,
        "period": period,
        "unit": unit,
        "qualifier": qualifier,
        "scope": scope,
    }
    given: dict[str, Any] = {k: v for k, v in edits.items() if v is not None}
    modes = [m for m, on in (("add", add), ("reject", reject), ("revert", revert)) if on]
    if fact and not (reject or add):
        modes.append("set")
    if report and not (add or fact or revert):
        modes.append("report")
    if len(modes) != 1:
        raise EtlError(
            "say what to do: --fact ID with new values, --fact ID --reject, --add --report ID …, "
            "or --revert CORRECTION_ID"
        )
    mode = modes[0]
    if mode == "add":
        needed = {"--report": report, "--metric": metric, "--value": value, "--evidence": evidence}
        missing = [name for name, v in needed.items() if v is None]
        if report is None or metric is None or value is None or evidence is None or fact:
            raise EtlError(
                f"--add needs {', '.join(missing) or 'no --fact'}: --add --report ID --metric CODE "
                "--value V --evidence SENTENCE"
            )
        rec = c.add_fact(
            db,
            report,
            metric=metric,
            value=value,
            evidence=evidence,
            value_text=value_text,
            unit=unit,
            qualifier=qualifier,
            period=period,
            scope=scope,
            **common,
        )
    elif mode == "report":
        if any(v is not None for k, v in edits.items() if k != "period"):
            raise EtlError(
                "--report ID alone corrects report metadata: --jurisdiction, --period, --report-type, "
                "--delivered (to add a fact, give --add)"
            )
        assert report is not None  # the mode is "report" only when --report is given
        meta: dict[str, Any] = {
            "jurisdiction": jurisdiction,
            "period": period,
            "report_type": report_type,
            "delivered": delivered,
        }
        rec = c.correct_report(db, report, **{k: v for k, v in meta.items() if v is not None}, **common)
        click.echo(
            f"recorded {rec.correction_id} (report metadata) on report {rec.report_id}: {rec.summary()}"
        )
        click.echo(f"by {rec.user} at {rec.at}; log: {corrections_path(db)}")
        return 0
    elif mode == "reject":
        if not fact or given:
            raise EtlError("--reject takes --fact ID and no new values")
        rec = c.reject_fact(db, fact, **common)
    elif mode == "revert":
        if fact or given:
            raise EtlError("--revert takes only the correction id (see `python -m etl corrections`)")
        assert revert is not None  # the mode is "revert" only when --revert is given
        rec = c.revert_correction(db, revert, **common)
    else:
        assert fact is not None  # the mode is "set" only when --fact is given
        rec = c.correct_fact(db, fact, **given, **common)
    click.echo(
        f"recorded {rec.correction_id} ({rec.action}) on fact {rec.fact_id} of report {rec.report_id}: "
        f"{rec.summary()}"
    )
    click.echo(f"by {rec.user} at {rec.at}; log: {corrections_path(db)}")
    return 0


@command("corrections", short_help="list the corrections (the audit log) with their status")
@db_option()
@click.option("--status", type=click.Choice(["applied", "orphaned", "reverted"]))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.option(
    "--repair",
    is_flag=True,
    help="move lines of the log that are not valid corrections (named with their line number) into a side "
    "file <log>.quarantine-<UTC time>.jsonl, byte for byte, and keep the rest",
)
@lock_timeout_option()
def corrections_cmd(
    db: Path, status: str | None, as_json: bool, repair: bool, lock_timeout: float | None
) -> int:
    """Every correction ever recorded, oldest first: applied, orphaned (its fact no longer exists after
    a rebuild) or reverted."""
    if repair:
        r = c.repair_log(db, on_wait=waiting, lock_timeout=lock_timeout)
        if not r.quarantined:
            click.echo(f"{r.log}: every line is a valid correction ({r.kept}); nothing to repair")
            return 0
        for b in r.quarantined:
            click.echo(f"line {b.line}: {b.reason}")
        click.echo(
            f"{len(r.quarantined)} bad lines moved, byte for byte, to {r.side_file}; {r.kept} corrections "
            f"kept in {r.log} and re-applied"
        )
        return 0
    entries = c.list_corrections(db, status=status)
    _, bad = scan_log(corrections_path(db))
    if bad:
        first = f"line {bad[0].line}: {bad[0].reason}"
        warn(
            f"{corrections_path(db)} has {len(bad)} bad lines ({first}); writes refuse it until "
            "`python -m etl corrections --repair`"
        )
    if as_json:
        for e in entries:
            d = {k: (v.isoformat() + "Z" if k == "at_utc" and v else v) for k, v in e.__dict__.items()}
            click.echo(json.dumps(d, ensure_ascii=False))
        return 0
    if not entries:
        click.echo("no corrections" + (f" with status {status}" if status else ""))
        return 0
    for e in entries:
        at = f"{e.at_utc:%Y-%m-%d %H:%M}Z" if e.at_utc else "?"
        where = " ".join(x for x in (e.source_file, e.jurisdiction) if x) or f"report {e.report_id}"
        click.echo(
            f"{e.correction_id}  {at}  {e.user}  {e.action:<6} {e.status:<8} fact {e.fact_id or '-'}  "
            f"[{where}]"
        )
        click.echo(f"    {e.summary}  — {e.reason}")
        if e.status_note:
            click.echo(f"    note: {e.status_note}")
    counts = {s: sum(1 for e in entries if e.status == s) for s in ("applied", "orphaned", "reverted")}
    click.echo(f"{len(entries)} corrections: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0
