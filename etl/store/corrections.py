"""Analysts' corrections: an append-only log beside the database, re-applied to the facts on every write.

The log (``<db stem>.corrections.jsonl``, one JSON object per line) is the truth: extracted facts are
never edited.  Every write to the database (build, add, correct, restore) folds the whole log into
three derived tables: ``corrections`` (the audit log with a status per entry), ``fact_edits`` and
``added_facts``, which the ``facts_current`` view lays over ``facts``.  A correction whose fact no
longer exists after a rebuild stays in the log and is marked ``orphaned``; nothing is ever dropped.

Actions: ``set`` (change value, metric, unit, qualifier, period or scope), ``reject`` (hide a wrong
fact), ``add`` (a fact the extractor missed, anchored to its evidence sentence in the report text),
``revert`` (undo an earlier correction; the log keeps both).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from etl.errors import EtlError

LOG_FORMAT = 1
ACTIONS = ("set", "reject", "add", "revert", "report")
REPORT_FIELDS = ("jurisdiction", "level", "parent", "province", "period_start", "period_end", "report_type",
                 "delivered")  # fmt: skip
REPORT_TYPES = ("annual_report", "report_excerpt", "news_summary", "term_review")
EDITABLE_FIELDS = ("metric", "value", "unit", "qualifier", "period_start", "period_end", "scope")
QUALIFIERS = ("exact", "approx_at_least", "approx")
SCOPES = ("city_level", "all_levels")
MIN_YEAR, MAX_YEAR = 1949, 2100
APPLIED, ORPHANED, REVERTED = "applied", "orphaned", "reverted"
_MAX_TEXT = 2000  # user names and reasons are short; a pasted document is a mistake


class CorrectionError(EtlError):
    """A correction that cannot be recorded as asked; the message says what to change."""


@dataclass(frozen=True)
class Correction:
    """One entry of the corrections log."""

    correction_id: str
    action: str  # set | reject | add | revert
    user: str
    at: str  # when, UTC, ISO 8601: 2025-03-01T08:30:00Z
    reason: str
    fact_id: str | None = None
    report_id: str | None = None
    changes: dict[str, list] = field(default_factory=dict)  # field → [old, new]
    before: dict[str, Any] | None = None  # the fact as it stood (kept for the audit if the fact disappears)
    fact: dict[str, Any] | None = None  # add: every field of the new fact
    target: str | None = None  # revert: the correction it undoes

    def to_json(self) -> str:
        d = {"v": LOG_FORMAT, **dataclasses.asdict(self)}
        return json.dumps(d, ensure_ascii=False, sort_keys=True, allow_nan=False)

    @classmethod
    def from_dict(cls, d: dict, where: str = "") -> Correction:
        if not isinstance(d, dict) or d.get("action") not in ACTIONS:
            raise CorrectionError(f"{where}: not a correction (unknown or missing action)")
        names = {f.name for f in dataclasses.fields(cls)}
        missing = [k for k in ("correction_id", "user", "at", "reason") if not d.get(k)]
        if missing:
            raise CorrectionError(f"{where}: the correction lacks {', '.join(missing)}")
        return cls(**{k: v for k, v in d.items() if k in names})

    def summary(self) -> str:
        """One line for the audit view: what changed, from what to what."""
        if self.action == "reject":
            b = self.before or {}
            return f"rejected {b.get('metric', '?')} = {_num(b.get('value'))}"
        if self.action == "revert":
            return f"reverted {self.target}"
        if self.action == "add":
            f = self.fact or {}
            return (f"added {f.get('metric')} = {_num(f.get('value'))} {f.get('unit') or ''}"
                    f" ({_period(f.get('period_start'), f.get('period_end'))})").replace("  ", " ")  # fmt: skip
        parts = []
        ch = dict(self.changes)
        if "period_start" in ch or "period_end" in ch:
            b = self.before or {}
            old = (b.get("period_start"), b.get("period_end"))
            new = (ch.get("period_start", [None, old[0]])[1], ch.get("period_end", [None, old[1]])[1])
            parts.append(f"period {_period(*old)} → {_period(*new)}")
            ch.pop("period_start", None)
            ch.pop("period_end", None)
        for name, (old, new) in ch.items():
            parts.append(f"{name} {_num(old)} → {_num(new)}")
        return "; ".join(parts)


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "∅" if v is None else str(v)


def _period(start: Any, end: Any) -> str:
    if start is None and end is None:
        return "no period"
    return str(start) if start == end else f"{start}–{end}"


# ---------------------------------------------------------------- the log file


def corrections_path(db_path: str | Path) -> Path:
    """The log beside the database: data/congress.duckdb → data/congress.corrections.jsonl."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".corrections.jsonl")


SCHEMA_PATH = Path(__file__).parent.parent / "data" / "schemas" / "corrections.schema.json"
REPAIR_HINT = (
    "fix that line, or run `python -m etl corrections --repair` to move every bad line into a side file "
    "(kept, never deleted)"
)


@functools.cache
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)  # the schema itself is checked in the tests


@dataclass(frozen=True)
class BadLine:
    """A line of the log that is not a valid correction: where, why, and its exact bytes."""

    line: int
    reason: str
    raw: bytes


def _problem(d: Any) -> str | None:
    """What is wrong with one decoded line, by the schema (etl/data/schemas/corrections.schema.json), or None."""
    from jsonschema.exceptions import best_match

    err = best_match(_validator().iter_errors(d))
    if err is None:
        return None
    where = "/".join(str(p) for p in err.absolute_path) or "the line"
    msg = err.message if len(err.message) <= 200 else err.message[:200] + "…"
    return f"{where}: {msg}"


def scan_log(path: str | Path) -> tuple[list[tuple[Correction, bytes]], list[BadLine]]:
    """Every line of the log checked on its own: (correction, its bytes) for the good ones, and the bad ones.

    Lines are split on bytes, so one non-UTF-8 byte or a truncated last line spoils only its own line.
    """
    path = Path(path)
    if not path.exists():
        return [], []
    data = path.read_bytes()
    good: list[tuple[Correction, bytes]] = []
    bad: list[BadLine] = []
    seen: set[str] = set()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        body = raw.removeprefix(b"\xef\xbb\xbf") if n == 1 else raw  # a BOM an editor added
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append(
                BadLine(
                    n,
                    f"not UTF-8 text (byte {exc.start + 1} of the line is {body[exc.start : exc.start + 1]!r})",
                    raw,
                )
            )
            continue
        try:
            d = json.loads(text)
        except ValueError as exc:
            cut = (
                " (the line is cut short: a write interrupted?)"
                if n == len(lines) and not data.endswith(b"\n")
                else ""
            )
            bad.append(BadLine(n, f"not valid JSON ({exc}){cut}", raw))
            continue
        problem = _problem(d)
        if problem is None and d["correction_id"] in seen:
            problem = f"correction id {d['correction_id']} appears twice"
        if problem is not None:
            bad.append(BadLine(n, problem, raw))
            continue
        seen.add(d["correction_id"])
        good.append((Correction.from_dict(d, f"{path}, line {n}"), raw))
    return good, bad


def read_log(path: str | Path, *, skip_bad: list[BadLine] | None = None) -> list[Correction]:
    """Every correction in the log, oldest first.

    A line that does not fit the schema is an error naming the file, the line and what is wrong, unless
    ``skip_bad`` is given: then such lines are left out and listed there (restore and repair, which must
    work whatever the log holds).
    """
    path = Path(path)
    good, bad = scan_log(path)
    if bad and skip_bad is None:
        b = bad[0]
        more = f" ({len(bad) - 1} more bad lines after it)" if len(bad) > 1 else ""
        raise CorrectionError(f"{path}, line {b.line}: {b.reason}{more}; {REPAIR_HINT}")
    if skip_bad is not None:
        skip_bad.extend(bad)
    return [rec for rec, _ in good]


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
    import os

    from etl.store.load import open_writer
    from etl.write.journal import Commit, fsync_dir, write_lock, write_staged

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


def encode_log(records: Iterable[Correction]) -> bytes:
    return "".join(r.to_json() + "\n" for r in records).encode("utf-8")


def new_id(now: dt.datetime) -> str:
    return f"c{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# ---------------------------------------------------------------- folding the log into the database


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
            f"UPDATE reports SET {sets}{', ' if sets else ''}meta_status = ?, meta_pending = ? WHERE report_id = ?",
            [*(e[k] for k in fields), "pending" if pending else "ok", ",".join(pending) or None, rid],
        )
        con.execute(
            f"INSERT INTO report_edits (report_id, {', '.join(fields)}{', ' if fields else ''}correction_id) "
            f"VALUES ({', '.join('?' * (len(fields) + 2))})",
            [rid, *(e[k] for k in fields), e["correction_id"]],
        )


def _existing(con: duckdb.DuckDBPyConnection, table: str, column: str, ids: set) -> set[str]:
    """Which of ``ids`` are in ``table`` now."""
    ids = sorted(i for i in ids if i)
    if not ids:
        return set()
    rows = con.execute(f"SELECT {column} FROM {table} WHERE {column} IN (SELECT unnest(?::VARCHAR[]))", [ids])
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
    shift = pos - a
    fact.update(evidence_start=pos, evidence_end=pos + len(ev), value_start=vs + shift, value_end=ve + shift)
    from etl.read.normalize import normalize

    nm = normalize(raw)
    if nm.text == norm:
        fact["raw_start"], fact["raw_end"] = nm.raw_span(pos, pos + len(ev))
    return None


# ---------------------------------------------------------------- validation helpers


def _clean_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise CorrectionError(f"a correction needs {what}: say who made it and why")
    if len(text) > _MAX_TEXT or any(ord(c) < 32 and c not in "\t\n" for c in text):
        raise CorrectionError(f"{what} must be plain text of at most {_MAX_TEXT} characters")
    return text


def check_metric(code: str) -> str:
    from etl.extract.catalog import load_catalog

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


# ---------------------------------------------------------------- recording corrections


def _resolve_fact(con: duckdb.DuckDBPyConnection, fact_id: str) -> str:
    """A full fact id from an id or a unique prefix of at least 6 characters."""
    fact_id = (fact_id or "").strip()
    sql = (
        "SELECT fact_id FROM facts WHERE fact_id = ? UNION SELECT fact_id FROM added_facts WHERE fact_id = ?"
    )
    if con.execute(sql, [fact_id, fact_id]).fetchone():
        return fact_id
    if len(fact_id) >= 6:
        like = "SELECT fact_id FROM facts WHERE starts_with(fact_id, ?) UNION SELECT fact_id FROM added_facts WHERE starts_with(fact_id, ?)"
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
        "SELECT source_file, jurisdiction, period_start, period_end, report_type FROM reports WHERE report_id = ?",
        [cur["report_id"]],
    ).fetchone()
    keys = ("source_file", "jurisdiction", "period_start", "period_end", "report_type")
    cur["report"] = dict(zip(keys, rep, strict=True)) if rep else {}
    return cur


def _record(db_path, build_record, *, lock_timeout: float | None, on_wait=None) -> Correction:
    """Validate against the latest database and append to the log, in one locked write."""
    from etl.store.load import open_writer

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
    """Set or confirm a report's metadata (a pending 待确认 field, or a wrong one); logged like fact corrections.

    A jurisdiction must be an entry of the division table (its level, parent and province come with it)."""
    from etl.metadata import gazetteer

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
                           value_text=value_text, unit=unit, qualifier=qualifier, period=period, scope=scope)  # fmt: skip
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
    from etl.extract.pipeline import fact_id_for
    from etl.models import Fact
    from etl.read.normalize import normalize, sentences
    from etl.read.numbers import NUM, PCT, NumberError, parse_number

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
    if period is None:
        period = sec_period if sec_period[0] is not None else (rep_start, rep_end)
    raw_a, raw_b = nm.raw_span(a, b)
    f = Fact(metric=metric, value=float(value), unit=unit, qualifier=qualifier or parsed_qual,
             period_start=period[0], period_end=period[1], evidence=raw[raw_a:raw_b], evidence_start=a,
             evidence_end=b, value_text=norm_text[vs:ve], value_start=vs, value_end=ve, raw_start=raw_a,
             raw_end=raw_b, scope=scope, section=section, pattern="correction")  # fmt: skip
    d = dataclasses.asdict(f)
    d.update(fact_id=fact_id_for(rid, f), report_id=rid, evidence_norm=sentence)
    return d


def _unit_after(text: str, end: int, metric: str) -> str | None:
    from etl.extract.catalog import load_catalog

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


# ---------------------------------------------------------------- reading the audit log


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
    from etl.store.load import open_readonly
    from etl.write.journal import try_recover

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
            "SELECT c.correction_id, c.seq, c.action, c.fact_id, c.report_id, c.target_correction_id, c.changes,"
            " c.summary, c.evidence, c.user_name, c.at_utc, c.reason, c.status, c.status_note,"
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
    return [AuditEntry(*r[:6], json.loads(r[6] or "{}"), *r[7:]) for r in rows]
