"""Correcting the data: correct, reject or add a fact, correct a report's metadata, revert, repair the
log, list the audit trail.

Each call checks its arguments, appends one record to the corrections log and re-applies it, in one write
(etl.write.open_writer): the extractor's values are never changed, the log is replayed on every build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from etl.extract.catalog import load_catalog
from etl.extract.pipeline import fact_id_for
from etl.metadata import gazetteer
from etl.models import Fact
from etl.read.normalize import normalize, sentences
from etl.read.numbers import NUM, PCT, NumberError, parse_number
from etl.store.corrections_apply import apply_corrections
from etl.store.corrections_log import (
    _MAX_TEXT,
    EDITABLE_FIELDS,
    MAX_YEAR,
    MIN_YEAR,
    QUALIFIERS,
    REPORT_FIELDS,
    REPORT_TYPES,
    SCOPES,
    BadLine,
    Correction,
    CorrectionError,
    _num,
    corrections_path,
    new_id,
    scan_log,
    utc_now,
)
from etl.write.connect import open_readonly
from etl.write.files import fsync_dir, write_staged
from etl.write.journal import Commit
from etl.write.lock import try_recover, write_lock
from etl.write.writer import open_writer


@dataclass
class RepairSummary:
    log: Path
    kept: int
    quarantined: list[BadLine]
    side_file: Path | None


def repair_log(db_path: str | Path, *, lock_timeout: float | None = None, on_wait=None) -> RepairSummary:
    """Move the log's bad lines, byte for byte, into ``<log>.quarantine-<UTC>.jsonl``; keep the good ones.

    Under the writer lock: the side file is written and renamed into place first (so the bad lines exist
    somewhere at every moment), then the log without them is swapped in with the database re-applied.
    """
    db_path = Path(db_path)
    path = corrections_path(db_path)
    with write_lock(db_path, timeout=lock_timeout, on_wait=on_wait):
        good, bad = scan_log(path)
        if not bad:
            return RepairSummary(path, len(good), [], None)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        side = path.with_name(f"{path.stem}.quarantine-{stamp}.jsonl")
        n = 1
        while side.exists():
            n += 1
            side = path.with_name(f"{path.stem}.quarantine-{stamp}-{n}.jsonl")
        os.replace(write_staged(side, b"".join(b.raw + b"\n" for b in bad)), side)
        fsync_dir(side.parent)
        data = b"".join(raw + b"\n" for _, raw in good)
        if db_path.exists():
            with open_writer(db_path, copy_existing=True, kind="repair") as w:
                w.replace_log([rec for rec, _ in good], data)
        else:
            commit = Commit(db_path)
            commit.replace(write_staged(path, data), path)
            commit.run()
    return RepairSummary(path, len(good), bad, side)


def _clean_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise CorrectionError(f"a correction needs {what}: say who made it and why")
    if len(text) > _MAX_TEXT or any(ord(c) < 32 and c not in "\t\n" for c in text):
        raise CorrectionError(f"{what} must be plain text of at most {_MAX_TEXT} characters")
    return text


def check_metric(code: str) -> str:
    metrics = {m.code for m in load_catalog().fact_metrics()}
    code = (code or "").strip()
    if code not in metrics:
        near = difflib.get_close_matches(code, sorted(metrics), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else "; see the metrics table for the codes"
        raise CorrectionError(f"unknown metric code {code!r}{hint}")
    return code


def check_value(value: float | int | str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise CorrectionError(f"the value {value!r} is not a number") from None
    if not math.isfinite(v) or v < 0:
        raise CorrectionError(f"the value {value!r} must be a finite number ≥ 0")
    return v


def check_unit(unit: str) -> str:
    text = (unit or "").strip()
    if not text or len(text) > 10 or not text.isprintable():
        raise CorrectionError(f"unit {unit!r}: write it as the report does (件, 次, 人次, % …)")
    return text


def check_period(period: tuple[int, int] | int | str | None) -> tuple[int, int] | None:
    """2023, (2018, 2022) or '2018-2022' → (start, end) of whole years."""
    if period is None:
        return None
    if isinstance(period, str):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–~至]\s*(\d{4})\s*)?", period)
        if not m:
            raise CorrectionError(f"period {period!r}: write a year (2023) or a range (2018-2022)")
        start, end = int(m[1]), int(m[2] or m[1])
    elif isinstance(period, int):
        start = end = period
    else:
        start, end = (int(x) for x in period)
    if not (MIN_YEAR <= start <= end <= MAX_YEAR):
        raise CorrectionError(f"period {start}–{end}: years must be {MIN_YEAR}–{MAX_YEAR}, start ≤ end")
    return start, end


def _check_choice(value: str | None, choices: tuple[str, ...], what: str) -> str | None:
    if value is not None and value not in choices:
        raise CorrectionError(f"{what} {value!r}: choose one of {', '.join(choices)}")
    return value


def _resolve_fact(con: duckdb.DuckDBPyConnection, fact_id: str) -> str:
    """A full fact id from an id or a unique prefix of at least 6 characters."""
    fact_id = (fact_id or "").strip()
    sql = (
        "SELECT fact_id FROM facts WHERE fact_id = ? UNION SELECT fact_id FROM added_facts WHERE fact_id = ?"
    )
    if con.execute(sql, [fact_id, fact_id]).fetchone():
        return fact_id
    if len(fact_id) >= 6:
        like = (
            "SELECT fact_id FROM facts WHERE starts_with(fact_id, ?)"
            " UNION SELECT fact_id FROM added_facts WHERE starts_with(fact_id, ?)"
        )
        found = [r[0] for r in con.execute(like, [fact_id, fact_id]).fetchall()]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise CorrectionError(
                f"fact id {fact_id!r} is ambiguous ({len(found)} facts start with it): give more of it"
            )
    raise CorrectionError(
        f"no fact with id {fact_id!r} in the database: copy the id from an export or the dashboard"
    )


def _current_fact(con: duckdb.DuckDBPyConnection, fact_id: str) -> dict:
    """The fact as analysts see it now, plus what identifies it in a later version of its report."""
    cols = ", ".join(EDITABLE_FIELDS + ("report_id", "evidence", "value_text"))
    row = con.execute(f"SELECT {cols} FROM facts_current WHERE fact_id = ?", [fact_id]).fetchone()
    if row is None:
        rej = con.execute(
            "SELECT correction_id FROM fact_edits WHERE fact_id = ? AND rejected", [fact_id]
        ).fetchone()
        if rej:
            raise CorrectionError(
                f"fact {fact_id} was rejected by correction {rej[0]}: revert that first "
                f"(python -m etl correct --revert {rej[0]} --user … --reason …)"
            )
        raise CorrectionError(f"no fact with id {fact_id!r} in the database")
    cur = dict(zip(EDITABLE_FIELDS + ("report_id", "evidence", "value_text"), row, strict=True))
    extracted = con.execute("SELECT metric FROM facts WHERE fact_id = ?", [fact_id]).fetchone()
    cur["fact_metric"] = extracted[0] if extracted else None
    rep = con.execute(
        "SELECT source_file, jurisdiction, period_start, period_end, report_type FROM reports"
        " WHERE report_id = ?",
        [cur["report_id"]],
    ).fetchone()
    keys = ("source_file", "jurisdiction", "period_start", "period_end", "report_type")
    cur["report"] = dict(zip(keys, rep, strict=True)) if rep else {}
    return cur


def _record(db_path, build_record, *, lock_timeout: float | None, on_wait=None) -> Correction:
    """Validate against the latest database and append to the log, in one locked write."""
    with open_writer(db_path, copy_existing=True, require_existing=True, kind="correction",
                     lock_timeout=lock_timeout, on_wait=on_wait) as w:  # fmt: skip
        apply_corrections(w.con, w.corrections)  # the copy reflects the log, whatever happened before
        now = utc_now()
        rec = build_record(w.con, new_id(now), now.strftime("%Y-%m-%dT%H:%M:%SZ"), w.corrections)
        w.add_correction(rec)
    return rec


def correct_fact(
    db_path: str | Path,
    fact_id: str,
    *,
    user: str,
    reason: str,
    value: float | None = None,
    metric: str | None = None,
    period: tuple[int, int] | int | str | None = None,
    unit: str | None = None,
    qualifier: str | None = None,
    scope: str | None = None,
    lock_timeout: float | None = None,
) -> Correction:
    """Change fields of a fact (extracted or added); the old values are kept in the log."""
    user, reason = _clean_text(user, "a user"), _clean_text(reason, "a reason")
    wanted: dict[str, Any] = {}
    if value is not None:
        wanted["value"] = check_value(value)
    if metric is not None:
        wanted["metric"] = check_metric(metric)
    if (p := check_period(period)) is not None:
        wanted["period_start"], wanted["period_end"] = p
    if unit is not None:
        wanted["unit"] = check_unit(unit)
    if qualifier is not None:
        wanted["qualifier"] = _check_choice(qualifier, QUALIFIERS, "qualifier")
    if scope is not None:
        wanted["scope"] = _check_choice(scope, SCOPES, "scope")
    if not wanted:
        raise CorrectionError(
            "nothing to correct: give a new value, metric, period, unit, qualifier or scope"
        )

    def build(con, cid, at, _log):
        fid = _resolve_fact(con, fact_id)
        cur = _current_fact(con, fid)
        changes = {k: [cur[k], v] for k, v in wanted.items() if cur[k] != v}
        if not changes:
            raise CorrectionError(f"nothing to correct: fact {fid} already has those values")
        return Correction(cid, "set", user, at, reason, fact_id=fid, report_id=cur["report_id"],
                          changes=changes, before=cur)  # fmt: skip

    return _record(db_path, build, lock_timeout=lock_timeout)


def correct_report(
    db_path: str | Path,
    report_id: str,
    *,
    user: str,
    reason: str,
    jurisdiction: str | None = None,
    period: tuple[int, int] | int | str | None = None,
    report_type: str | None = None,
    delivered: str | dt.date | None = None,
    lock_timeout: float | None = None,
) -> Correction:
    """Set or confirm a report's metadata (a pending 待确认 field, or a wrong one), logged like facts'.

    A jurisdiction must be an entry of the division table (its level, parent and province come with it)."""
    user, reason = _clean_text(user, "a user"), _clean_text(reason, "a reason")
    wanted: dict[str, Any] = {}
    if jurisdiction is not None:
        found = gazetteer.candidates(jurisdiction.strip())
        exact = [j for j in found if j.name == jurisdiction.strip()] or found
        if len(exact) != 1:
            raise CorrectionError(
                f"jurisdiction {jurisdiction!r} is "
                + ("not in the division table" if not exact else f"ambiguous ({len(exact)} divisions)")
                + ": give the full official name, e.g. 许昌市 or 郑州市中原区's 中原区"
            )
        j = exact[0]
        wanted.update(jurisdiction=j.name, level=j.level, parent=j.parent, province=j.province)
    if (p := check_period(period)) is not None:
        wanted["period_start"], wanted["period_end"] = p
    if report_type is not None:
        wanted["report_type"] = _check_choice(report_type, REPORT_TYPES, "report type")
    if delivered is not None:
        try:
            wanted["delivered"] = (
                delivered if isinstance(delivered, dt.date) else dt.date.fromisoformat(str(delivered).strip())
            ).isoformat()
        except ValueError as exc:
            raise CorrectionError(f"delivered {delivered!r} is not a date: write it as 2024-01-13") from exc
    if not wanted:
        raise CorrectionError(
            "nothing to correct: give --jurisdiction, --period, --report-type or --delivered"
        )

    def build(con, cid, at, _log):
        rid = (report_id or "").strip()
        cur = con.execute(
            f"SELECT {', '.join(REPORT_FIELDS)}, meta_pending FROM reports WHERE report_id = ?", [rid]
        ).fetchone()
        if cur is None:
            raise CorrectionError(
                f"no report with id {rid!r} in the database: copy the id from the 报告 page"
            )
        before = dict(zip((*REPORT_FIELDS, "meta_pending"), cur, strict=True))
        before["delivered"] = None if before["delivered"] is None else str(before["delivered"])
        pending = before["meta_pending"] or ""
        # a pending field set to the value already shown is a confirmation: it is recorded too
        changes = {k: [before[k], v] for k, v in wanted.items()
                   if before[k] != v or (k.startswith("period") and "period" in pending)
                   or (k == "jurisdiction" and "jurisdiction" in pending)}  # fmt: skip
        if not changes:
            raise CorrectionError(f"nothing to correct: report {rid} already has those values")
        return Correction(cid, "report", user, at, reason, report_id=rid, changes=changes, before=before)

    return _record(db_path, build, lock_timeout=lock_timeout)


def reject_fact(db_path: str | Path, fact_id: str, *, user: str, reason: str,
                lock_timeout: float | None = None) -> Correction:  # fmt: skip
    """Hide a wrong fact from facts_current (it stays in facts and in the log)."""
    user, reason = _clean_text(user, "a user"), _clean_text(reason, "a reason")

    def build(con, cid, at, _log):
        fid = _resolve_fact(con, fact_id)
        cur = _current_fact(con, fid)
        return Correction(cid, "reject", user, at, reason, fact_id=fid, report_id=cur["report_id"],
                          changes={"rejected": [False, True]}, before=cur)  # fmt: skip

    return _record(db_path, build, lock_timeout=lock_timeout)


def revert_correction(db_path: str | Path, correction_id: str, *, user: str, reason: str,
                      lock_timeout: float | None = None) -> Correction:  # fmt: skip
    """Undo an earlier correction; both stay in the log."""
    user, reason = _clean_text(user, "a user"), _clean_text(reason, "a reason")

    def build(con, cid, at, log):
        by_id = {r.correction_id: r for r in log}
        target = by_id.get((correction_id or "").strip())
        if target is None:
            raise CorrectionError(
                f"no correction {correction_id!r} in the log: list them with `python -m etl corrections`"
            )
        if target.action == "revert":
            raise CorrectionError(f"{correction_id} is itself a revert: record the correction again instead")
        if any(r.action == "revert" and r.target == target.correction_id for r in log):
            raise CorrectionError(f"{correction_id} has already been reverted")
        return Correction(cid, "revert", user, at, reason, fact_id=target.fact_id, report_id=target.report_id,
                          target=target.correction_id)  # fmt: skip

    return _record(db_path, build, lock_timeout=lock_timeout)


def add_fact(
    db_path: str | Path,
    report_id: str,
    *,
    metric: str,
    value: float,
    evidence: str,
    user: str,
    reason: str,
    value_text: str | None = None,
    unit: str | None = None,
    qualifier: str | None = None,
    period: tuple[int, int] | int | str | None = None,
    scope: str | None = None,
    lock_timeout: float | None = None,
) -> Correction:
    """Add a fact the extractor missed; its evidence must occur in the report and contain the value."""
    user, reason = _clean_text(user, "a user"), _clean_text(reason, "a reason")
    metric = check_metric(metric)
    value = check_value(value)
    period = check_period(period)
    _check_choice(qualifier, QUALIFIERS, "qualifier")
    _check_choice(scope, SCOPES, "scope")
    unit = check_unit(unit) if unit is not None else None
    if not (evidence or "").strip():
        raise CorrectionError("an added fact needs its evidence: the sentence of the report that states it")

    def build(con, cid, at, _log):
        fact = locate_fact(con, report_id, metric=metric, value=value, evidence=evidence,
                           value_text=value_text, unit=unit, qualifier=qualifier, period=period,
                           scope=scope)  # fmt: skip
        fid = fact["fact_id"]
        if con.execute("SELECT 1 FROM facts WHERE fact_id = ?", [fid]).fetchone():
            raise CorrectionError(
                f"the extractor already has this fact (id {fid}): correct that fact instead"
            )
        dup = con.execute("SELECT correction_id FROM added_facts WHERE fact_id = ?", [fid]).fetchone()
        if dup:
            raise CorrectionError(f"this fact was already added by correction {dup[0]} (fact id {fid})")
        return Correction(cid, "add", user, at, reason, fact_id=fid, report_id=fact["report_id"], fact=fact)

    return _record(db_path, build, lock_timeout=lock_timeout)


def locate_fact(
    con: duckdb.DuckDBPyConnection,
    report_id: str,
    *,
    metric: str,
    value: float,
    evidence: str,
    value_text: str | None = None,
    unit: str | None = None,
    qualifier: str | None = None,
    period: tuple[int, int] | None = None,
    scope: str | None = None,
) -> dict:
    """Anchor a new fact in a report: find the evidence, the number in it, its unit and period (no writes)."""
    row = con.execute(
        "SELECT r.report_id, t.raw_text, t.norm_text, r.period_start, r.period_end FROM reports r "
        "JOIN report_texts t USING (report_id) WHERE r.report_id = ?",
        [(report_id or "").strip()],
    ).fetchone()
    if row is None:
        raise CorrectionError(f"no report with id {report_id!r} in the database")
    rid, raw, norm_text, rep_start, rep_end = row
    nm = normalize(raw)
    if nm.text != norm_text:  # normalization changed since the build: offsets must match the stored text
        raise CorrectionError(f"report {rid} was built with another version of the normalizer: rebuild first")
    ev = evidence.strip()
    pos = norm_text.find(ev)
    if pos < 0:
        ev = normalize(ev).text.strip()
        pos = norm_text.find(ev) if ev else -1
    if pos < 0:
        raise CorrectionError(
            f"the evidence does not occur in report {rid}: copy the sentence exactly from the report's text"
        )
    # Widen the quoted words to the whole sentence(s) they sit in, as extracted facts quote them.
    spans = sentences(norm_text)
    a = next((s for s, e in spans if s <= pos < e), pos)
    b = next((e for s, e in spans if s < pos + len(ev) <= e), pos + len(ev))
    b = max(b, pos + len(ev))
    sentence = norm_text[a:b]

    found: list[tuple[int, int, float, str, bool]] = []
    if value_text is not None:
        vt = normalize(value_text.strip()).text.strip()
        i = sentence.find(vt) if vt else -1
        if i < 0:
            raise CorrectionError(f"the value text {value_text!r} does not occur in the evidence sentence")
        try:
            p = parse_number(vt)
            found.append((a + i, a + i + len(vt), p.value, p.qualifier, p.is_percent))
        except NumberError as exc:
            raise CorrectionError(f"the value text {value_text!r} is not a number ({exc})") from None
    else:
        for rx in (PCT, NUM):
            for m in re.finditer(rx, sentence):
                try:
                    p = parse_number(m.group())
                except NumberError:
                    continue
                found.append((a + m.start(), a + m.end(), p.value, p.qualifier, p.is_percent))
    match = [f for f in sorted(found) if abs(f[2] - value) < 1e-9 * max(1.0, abs(value))]
    if not match:
        stated = ", ".join(sorted({_num(f[2]) for f in found})) or "none"
        raise CorrectionError(
            f"the value {_num(value)} does not appear in the evidence sentence (numbers in it: {stated}); "
            "quote the sentence that states it"
        )
    vs, ve, _, parsed_qual, is_pct = match[0]
    if unit is None:
        unit = "%" if is_pct else _unit_after(norm_text, ve, metric)
    section, sec_period = _section_at(con, rid, vs)
    when: tuple[int | None, int | None] = period or (
        sec_period if sec_period[0] is not None else (rep_start, rep_end)
    )
    raw_a, raw_b = nm.raw_span(a, b)
    f = Fact(metric=metric, value=float(value), unit=unit, qualifier=qualifier or parsed_qual,
             period_start=when[0], period_end=when[1], evidence=raw[raw_a:raw_b], evidence_start=a,
             evidence_end=b, value_text=norm_text[vs:ve], value_start=vs, value_end=ve, raw_start=raw_a,
             raw_end=raw_b, scope=scope, section=section, pattern="correction")  # fmt: skip
    d = dataclasses.asdict(f)
    d.update(fact_id=fact_id_for(rid, f), report_id=rid, evidence_norm=sentence)
    return d


def _unit_after(text: str, end: int, metric: str) -> str | None:
    units = sorted(load_catalog().metrics[metric].units, key=len, reverse=True)
    tail = text[end : end + 6].lstrip("余多 ")
    return next((u for u in units if tail.startswith(u)), None)


def _section_at(con, report_id: str, offset: int) -> tuple[str | None, tuple[int | None, int | None]]:
    row = con.execute(
        "SELECT kind, period_start, period_end FROM sections WHERE report_id = ? AND start_offset <= ? "
        "AND ? < end_offset ORDER BY seq LIMIT 1",
        [report_id, offset, offset],
    ).fetchone()
    return (row[0], (row[1], row[2])) if row else (None, (None, None))


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit view: a correction, its effect and whether it is in force."""

    correction_id: str
    seq: int
    action: str
    fact_id: str | None
    report_id: str | None
    target_correction_id: str | None
    changes: dict
    summary: str
    evidence: str | None
    user: str
    at_utc: dt.datetime | None
    reason: str
    status: str  # applied | orphaned | reverted
    status_note: str | None
    source_file: str | None = None
    jurisdiction: str | None = None


def list_corrections(db_path: str | Path, *, status: str | None = None) -> list[AuditEntry]:
    """The audit log as the database has applied it (oldest first), optionally one status only."""
    db_path = Path(db_path)
    try_recover(db_path)
    if not db_path.exists():
        raise CorrectionError(f"no database at {db_path}: run `python -m etl build` first")
    try:
        con = open_readonly(db_path)
    except duckdb.Error as exc:
        raise CorrectionError(
            f"{db_path}: cannot open the database ({exc}); restore a backup or rebuild"
        ) from exc
    try:
        rows = con.execute(
            "SELECT c.correction_id, c.seq, c.action, c.fact_id, c.report_id, c.target_correction_id,"
            " c.changes, c.summary, c.evidence, c.user_name, c.at_utc, c.reason, c.status, c.status_note,"
            " r.source_file, r.jurisdiction FROM corrections c LEFT JOIN reports r USING (report_id)"
            " WHERE ? IS NULL OR c.status = ? ORDER BY c.seq",
            [status, status],
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise CorrectionError(
            f"the database {db_path} predates corrections: rebuild it (python -m etl build)"
        ) from exc
    finally:
        con.close()
    names = [f.name for f in dataclasses.fields(AuditEntry)]
    return [
        AuditEntry(**dict(zip(names, (*r[:6], json.loads(r[6] or "{}"), *r[7:]), strict=False))) for r in rows
    ]
