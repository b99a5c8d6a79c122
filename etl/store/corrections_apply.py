"""Folding the corrections log into a database: every write re-applies it after loading, so corrections
survive rebuilds."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb

from etl.read.normalize import normalize
from etl.store.corrections_log import APPLIED, EDITABLE_FIELDS, ORPHANED, REPORT_FIELDS, REVERTED, Correction


@dataclass
class ApplyResult:
    status: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id → (status, note)

    def count(self, status: str) -> int:
        return sum(1 for s, _ in self.status.values() if s == status)


_FACT_COLS = ("fact_id", "report_id", "metric", "value", "unit", "qualifier", "period_start", "period_end",
              "scope", "evidence", "evidence_start", "evidence_end", "value_text", "value_start", "value_end",
              "raw_start", "raw_end", "section", "pattern")  # fmt: skip


def apply_corrections(con: duckdb.DuckDBPyConnection, records: list[Correction]) -> ApplyResult:
    """Rebuild the corrections, fact_edits and added_facts tables from the whole log (idempotent)."""
    result = ApplyResult()
    # Only the facts and reports the log names are looked up: the cost follows the log, not the database.
    fact_ids = _existing(con, "facts", "fact_id", {r.fact_id for r in records if r.fact_id} | {
        (r.fact or {}).get("fact_id") for r in records if r.action == "add"})  # fmt: skip
    report_ids = _existing(con, "reports", "report_id", {r.report_id for r in records if r.report_id})
    by_id = {r.correction_id: r for r in records}
    reverted = {r.target for r in records if r.action == "revert" and r.target in by_id}
    edits: dict[str, dict] = {}  # fact_id → {field: value, rejected, correction_id}
    added: dict[str, dict] = {}  # fact_id → fact row
    texts: dict[str, tuple[str, str] | None] = {}

    def text_of(report_id: str) -> tuple[str, str] | None:
        if report_id not in texts:
            row = con.execute("SELECT raw_text, norm_text FROM report_texts WHERE report_id = ?", [report_id])
            texts[report_id] = row.fetchone()
        return texts[report_id]

    report_edits: dict[str, dict] = {}  # report_id → {field: value, correction_id}
    for rec in records:
        cid = rec.correction_id
        if rec.action == "report":
            if cid in reverted:
                result.status[cid] = (REVERTED, None)
            elif rec.report_id not in report_ids:
                result.status[cid] = (
                    ORPHANED,
                    "its report is no longer in the database (replaced or removed)",
                )
            else:
                e = report_edits.setdefault(rec.report_id, {})
                e.update({k: new for k, (_, new) in rec.changes.items()})
                e["correction_id"] = cid
                result.status[cid] = (APPLIED, None)
            continue
        if rec.action == "revert":
            ok = rec.target in by_id
            result.status[cid] = (
                (APPLIED, None) if ok else (ORPHANED, f"no correction {rec.target} in the log")
            )
            continue
        if cid in reverted:
            result.status[cid] = (REVERTED, None)
            continue
        if rec.action == "add":
            fact = dict(rec.fact or {})
            if rec.report_id not in report_ids:
                result.status[cid] = (
                    ORPHANED,
                    "its report is no longer in the database (replaced or removed)",
                )
                continue
            note = _anchor(fact, text_of(rec.report_id))
            if note:
                result.status[cid] = (ORPHANED, note)
                continue
            fid = fact["fact_id"]
            if fid in fact_ids:  # the extractor has since found the same number: the analyst's fields win
                e = edits.setdefault(fid, {"rejected": False})
                e.update({k: fact.get(k) for k in EDITABLE_FIELDS})
                e["correction_id"] = cid
                result.status[cid] = (APPLIED, "the extractor now finds this fact too")
            else:
                fact["correction_id"] = cid
                added[fid] = fact
                result.status[cid] = (APPLIED, None)
            continue
        fid = rec.fact_id
        note = None
        if fid not in added and fid not in fact_ids and (moved := _carry_over(con, rec)):
            fid, note = moved, f"carried over to fact {moved} in the new version of its report"
            fact_ids.add(moved)  # found in facts just now
        if fid in added:
            if rec.action == "reject":
                del added[fid]
            else:
                added[fid].update({k: new for k, (_, new) in rec.changes.items()})
                added[fid]["correction_id"] = cid
            result.status[cid] = (APPLIED, None)
        elif fid in fact_ids:
            e = edits.setdefault(fid, {"rejected": False})
            if rec.action == "reject":
                e["rejected"] = True
            else:
                e.update({k: new for k, (_, new) in rec.changes.items()})
            e["correction_id"] = cid
            result.status[cid] = (APPLIED, note)
        else:
            result.status[cid] = (
                ORPHANED,
                "the fact no longer exists (its report was replaced or re-extracted)",
            )

    _apply_report_edits(con, report_edits)
    con.execute("DELETE FROM corrections")
    con.execute("DELETE FROM fact_edits")
    con.execute("DELETE FROM added_facts")
    rows = []
    for seq, rec in enumerate(records):
        status, note = result.status[rec.correction_id]
        evidence = (rec.fact or {}).get("evidence") or (rec.before or {}).get("evidence")
        rows.append((
            rec.correction_id, seq, rec.action, rec.fact_id, rec.report_id, rec.target,
            json.dumps(rec.changes, ensure_ascii=False), rec.summary(), evidence, rec.user,
            _parse_at(rec.at), rec.reason, status, note,
        ))  # fmt: skip
    if rows:
        con.executemany("INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    edit_rows = [
        (fid, e["rejected"], *(e.get(k) for k in EDITABLE_FIELDS), e["correction_id"])
        for fid, e in edits.items()
    ]
    if edit_rows:
        con.executemany("INSERT INTO fact_edits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", edit_rows)
    add_rows = [tuple(f.get(k) for k in _FACT_COLS) + (f["correction_id"],) for f in added.values()]
    if add_rows:
        marks = ", ".join("?" * (len(_FACT_COLS) + 1))
        con.executemany(f"INSERT INTO added_facts ({', '.join(_FACT_COLS)}, correction_id) VALUES ({marks})",
                        add_rows)  # fmt: skip
    return result


def _apply_report_edits(con: duckdb.DuckDBPyConnection, edits: dict[str, dict]) -> None:
    """Put the extractor's metadata back, then the analysts' on top (idempotent: the log is the truth).

    A field an analyst set is no longer pending; a report with nothing pending is no longer 待确认."""
    cols = ", ".join(REPORT_FIELDS)
    restore = ", ".join(f"{c} = o.{c}" for c in (*REPORT_FIELDS, "meta_status", "meta_pending"))
    con.execute(
        f"UPDATE reports SET {restore} FROM reports_as_extracted o WHERE reports.report_id = o.report_id"
    )
    con.execute("DELETE FROM reports_as_extracted")
    con.execute("DELETE FROM report_edits")
    for rid, e in edits.items():
        con.execute(
            f"INSERT INTO reports_as_extracted SELECT report_id, {cols}, meta_status, meta_pending "
            "FROM reports WHERE report_id = ?",
            [rid],
        )
        row = con.execute("SELECT meta_pending FROM reports WHERE report_id = ?", [rid]).fetchone()
        pending = [p for p in (row[0] or "").split(",") if p] if row else []
        if "jurisdiction" in e:
            pending = [p for p in pending if p != "jurisdiction"]
        if "period_start" in e or "period_end" in e:
            pending = [p for p in pending if p != "period"]
        fields = [k for k in REPORT_FIELDS if k in e]
        sets = ", ".join(f"{k} = ?" for k in fields)
        con.execute(
            f"UPDATE reports SET {sets}{', ' if sets else ''}meta_status = ?, meta_pending = ?"
            " WHERE report_id = ?",
            [*(e[k] for k in fields), "pending" if pending else "ok", ",".join(pending) or None, rid],
        )
        con.execute(
            f"INSERT INTO report_edits (report_id, {', '.join(fields)}{', ' if fields else ''}correction_id) "
            f"VALUES ({', '.join('?' * (len(fields) + 2))})",
            [rid, *(e[k] for k in fields), e["correction_id"]],
        )


def _existing(con: duckdb.DuckDBPyConnection, table: str, column: str, ids: set) -> set[str]:
    """Which of ``ids`` are in ``table`` now."""
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return set()
    rows = con.execute(
        f"SELECT {column} FROM {table} WHERE {column} IN (SELECT unnest(?::VARCHAR[]))", [wanted]
    )
    return {r[0] for r in rows.fetchall()}


def _carry_over(con: duckdb.DuckDBPyConnection, rec: Correction) -> str | None:
    """The fact a correction meant, in a new version of its report: same sentence, number and metric.

    Only when exactly one fact of a report with the same file name, or the same jurisdiction, period and
    type, quotes the very same sentence; otherwise the correction stays orphaned for a person to look at.
    """
    b = rec.before or {}
    rep = b.get("report") or {}
    if not b.get("evidence") or not b.get("value_text") or not rep:
        return None
    rows = con.execute(
        "SELECT f.fact_id FROM facts f JOIN reports r USING (report_id)"
        " WHERE f.metric = ? AND f.value_text = ? AND f.evidence = ?"
        " AND (r.source_file = ? OR (r.jurisdiction = ? AND r.period_start = ? AND r.period_end = ?"
        " AND r.report_type = ?))",
        [b.get("fact_metric") or b.get("metric"), b["value_text"], b["evidence"], rep.get("source_file"),
         rep.get("jurisdiction"), rep.get("period_start"), rep.get("period_end"), rep.get("report_type")],
    ).fetchall()  # fmt: skip
    return rows[0][0] if len(rows) == 1 else None


def _parse_at(at: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(dt.UTC).replace(tzinfo=None)
    except ValueError:
        return None


def _anchor(fact: dict, texts: tuple[str, str] | None) -> str | None:
    """Check an added fact's offsets against the report text, re-finding its sentence if they moved."""
    if texts is None:
        return "its report's text is missing"
    raw, norm = texts
    ev = fact.get("evidence_norm") or ""
    a, b = fact.get("evidence_start"), fact.get("evidence_end")
    vs, ve, vt = fact.get("value_start"), fact.get("value_end"), fact.get("value_text")
    if (
        isinstance(a, int)
        and isinstance(b, int)
        and norm[a:b] == ev
        and isinstance(vs, int)
        and norm[vs:ve] == vt
    ):
        return None
    pos = norm.find(ev) if ev else -1
    if pos < 0:
        return "its evidence sentence is no longer in the report's text"
    if isinstance(a, int) and isinstance(vs, int) and isinstance(ve, int):
        vs, ve = vs + pos - a, ve + pos - a
    else:  # offsets missing from the record: the value is found again inside its sentence
        k = ev.find(vt) if isinstance(vt, str) and vt else -1
        if k < 0 or not isinstance(vt, str):
            return "its value is no longer in its evidence sentence"
        vs, ve = pos + k, pos + k + len(vt)
    fact.update(evidence_start=pos, evidence_end=pos + len(ev), value_start=vs, value_end=ve)

    nm = normalize(raw)
    if nm.text == norm:
        fact["raw_start"], fact["raw_end"] = nm.raw_span(pos, pos + len(ev))
    return None
