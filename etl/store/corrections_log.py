"""Analysts' corrections: an append-only log beside the database, re-applied to the facts on every write.

The log (``<db stem>.corrections.jsonl``, one JSON object per line) is the truth: extracted facts are
never edited.  Every write to the database (build, add, correct, restore) folds the whole log into
three derived tables: ``corrections`` (the audit log with a status per entry), ``fact_edits`` and
``added_facts``, which the ``facts_current`` view lays over ``facts``.  A correction whose fact no
longer exists after a rebuild stays in the log and is marked ``orphaned``; nothing is ever dropped.

Actions: ``set`` (change value, metric, unit, qualifier, period or scope), ``reject`` (hide a wrong
fact), ``add`` (a fact the extractor missed, anchored to its evidence sentence in the report text),
``revert`` (undo an earlier correction; the log keeps both)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

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
            text = f"added {f.get('metric')} = {_num(f.get('value'))} {f.get('unit') or ''}"
            return (text + f" ({_period(f.get('period_start'), f.get('period_end'))})").replace("  ", " ")
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
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)  # the schema itself is checked in the tests


@dataclass(frozen=True)
class BadLine:
    """A line of the log that is not a valid correction: where, why, and its exact bytes."""

    line: int
    reason: str
    raw: bytes


def _problem(d: Any) -> str | None:
    """What is wrong with one decoded line, by its schema (data/schemas/corrections.schema.json), or None."""
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
            byte = body[exc.start : exc.start + 1]
            bad.append(BadLine(n, f"not UTF-8 text (byte {exc.start + 1} of the line is {byte!r})", raw))
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


def encode_log(records: Iterable[Correction]) -> bytes:
    return "".join(r.to_json() + "\n" for r in records).encode("utf-8")


def new_id(now: dt.datetime) -> str:
    return f"c{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
