"""Local congress terms learned from the reports themselves, stored in the database and used to date others.

Prefecture and county congresses number their terms by place (新乡市第十五届 need not start when
郑州市第十六届 did), so ``data/congress_terms.yaml`` never guesses them. Instead, a step of the write
path, after the corrections are applied, reads what the loaded reports teach:

* **stated**: a report that names its own session and dates it (——2023年1月8日在新乡市第十五届人民代表大会
  第二次会议上) says that term 15 of 新乡市 began in 2022; the extractor keeps this as
  ``meta_evidence.learned_term``;
* **confirmed**: an analyst set or confirmed the period (``etl correct --report ID --period …``) of a report
  that names its session; its session year (the delivery date's year, or the year after the period) minus the
  session's number gives the first year. A confirmation outweighs any number of stated reports.

What was learned goes into ``session_terms`` (one row per jurisdiction and term, with the reports it came
from). A report of the same jurisdiction still waiting for its period (待确认) that states only its
session (市第十五届人民代表大会第三次会议) then gets the period from that row, with evidence naming the
reports it was learned from; a term review spans the years its text states (四年来, kept with the
session by the extractor), else five. Terms are never extrapolated (a county's terms were three years
long before 2004). Sources that disagree without a confirmation to settle them leave the term
``disputed`` and unused.

Idempotent: what a previous write filled in is put back first (``undo``, before the corrections are applied,
so the corrections' snapshot of a report never holds a learned value), then learned and filled again
(``learn_and_apply``). Both take the jurisdictions to cover: None for the whole database (builds,
corrections), or those of the reports an ``add`` touched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from etl.metadata import dating, load_cues
from etl.store.checks import _jurisdictions_of

CONFIDENCE = 0.8  # a period dated by a learned term: the ordinal is stated, the term's start learned
CONFIRMED_WEIGHT = 10  # one analyst's confirmation outweighs this many stated reports
LOCAL_LEVELS = ("prefecture", "county")
_SCOPE = "_session_terms_scope"


@dataclass
class Lesson:
    """What one report teaches: term ``term`` of ``jurisdiction`` began in ``first_year``."""

    jurisdiction: str
    term: int
    first_year: int
    how: str  # stated | confirmed
    report_id: str
    source_file: str
    sentence: str | None = None


@dataclass
class Learned:
    """One row of ``session_terms``."""

    jurisdiction: str
    term: int
    first_year: int
    learned_from: str  # confirmed when a confirmation supports the chosen year, else stated
    sources: list[Lesson] = field(default_factory=list)
    disputed: list[Lesson] = field(default_factory=list)  # lessons for other years

    @property
    def usable(self) -> bool:
        """Whether the chosen year outweighs every other year taught (a tie is no answer)."""
        others: dict[int, int] = defaultdict(int)
        for lesson in self.disputed:
            others[lesson.first_year] += _weight([lesson])
        return _weight(self.sources) > max(others.values(), default=0)

    def named(self) -> str:
        """The reports it was learned from, in words: 'a.txt（写明届次与年份）、b.txt（分析人员确认）'."""
        how = {"stated": "写明届次与年份", "confirmed": "分析人员确认报告期"}
        return "、".join(f"{s.source_file}（{how[s.how]}）" for s in self.sources)


def _weight(lessons: Iterable[Lesson]) -> int:
    return sum(CONFIRMED_WEIGHT if x.how == "confirmed" else 1 for x in lessons)


# -- scope -------------------------------------------------------------------------------------


def jurisdictions_of(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str]) -> set[str]:
    """The jurisdictions of the given reports (of deleted ones too, as last committed)."""
    return _jurisdictions_of(con, list(report_ids))


def _where(column: str, jurisdictions: Iterable[str] | None) -> str:
    return "TRUE" if jurisdictions is None else f"{column} IN (SELECT j FROM {_SCOPE})"


def _set_scope(con: duckdb.DuckDBPyConnection, jurisdictions: Iterable[str] | None) -> None:
    if jurisdictions is not None:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_SCOPE} AS SELECT unnest(?::VARCHAR[]) AS j",
            [sorted(set(jurisdictions))],
        )


# -- undo: what the last write filled in -----------------------------------------------------------


def undo(con: duckdb.DuckDBPyConnection, jurisdictions: Iterable[str] | None = None) -> set[str]:
    """Put back the fields a previous write filled from a learned term; returns those reports' ids.

    Call it before the corrections are applied, so their snapshot of a report is the extractor's."""
    jurisdictions = None if jurisdictions is None else sorted(set(jurisdictions))
    if jurisdictions == []:
        return set()
    _set_scope(con, jurisdictions)
    where = _where("u.jurisdiction", jurisdictions)
    ids = {r for (r,) in con.execute(f"SELECT report_id FROM session_term_uses u WHERE {where}").fetchall()}
    con.execute(
        f"""
        UPDATE reports SET period_start = u.was_period_start, period_end = u.was_period_end,
               meta_status = u.was_meta_status, meta_pending = u.was_meta_pending,
               period_confidence = u.was_period_confidence, meta_evidence = u.was_meta_evidence
        FROM session_term_uses u
        WHERE reports.report_id = u.report_id AND {where}
        """
    )
    con.execute(
        f"DELETE FROM session_term_uses u WHERE {where} OR u.report_id NOT IN (SELECT report_id FROM reports)"
    )
    return ids


# -- learn -----------------------------------------------------------------------------------------


def _evidence(raw: str | None) -> dict:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _own_session(evidence: dict, jurisdiction: str | None) -> dict | None:
    """The report's own local session from its evidence, when it belongs to ``jurisdiction``."""
    sess = evidence.get("session")
    if not isinstance(sess, dict) or not jurisdiction:
        return None
    if sess.get("body") not in (None, jurisdiction):
        return None
    try:
        term, number = int(sess["term"]), int(sess["number"])
    except (KeyError, TypeError, ValueError):
        return None
    return {**sess, "term": term, "number": number} if term > 0 and number > 0 else None


def lessons(con: duckdb.DuckDBPyConnection, jurisdictions: Iterable[str] | None = None) -> list[Lesson]:
    """Every lesson the reports in scope teach (stated by the text, or confirmed by an analyst)."""
    out: list[Lesson] = []
    where = _where("r.jurisdiction", jurisdictions)
    levels = ", ".join(f"'{x}'" for x in LOCAL_LEVELS)
    stated = con.execute(
        f"""
        SELECT r.report_id, r.source_file, r.jurisdiction, r.meta_evidence FROM reports r
        WHERE {where} AND r.level IN ({levels}) AND r.meta_evidence LIKE '%"learned_term"%'
          AND r.report_id NOT IN (SELECT report_id FROM report_edits
                                  WHERE period_start IS NOT NULL OR jurisdiction IS NOT NULL)
        ORDER BY r.report_id
        """
    ).fetchall()
    for rid, src, jur, raw in stated:
        ev = _evidence(raw)
        taught = ev.get("learned_term")
        if not (isinstance(taught, list) and len(taught) == 3 and taught[0] == jur):
            continue
        sentence = (ev.get("session") or {}).get("sentence")
        out.append(Lesson(jur, int(taught[1]), int(taught[2]), "stated", rid, src, sentence))
    confirmed = con.execute(
        f"""
        SELECT r.report_id, r.source_file, r.jurisdiction, r.period_end, r.delivered, r.meta_evidence
        FROM reports r JOIN report_edits e ON e.report_id = r.report_id
        WHERE {where} AND r.level IN ({levels}) AND r.period_end IS NOT NULL
          AND (e.period_start IS NOT NULL OR e.period_end IS NOT NULL)
          AND r.meta_evidence LIKE '%"session"%'
        ORDER BY r.report_id
        """
    ).fetchall()
    for rid, src, jur, period_end, delivered, raw in confirmed:
        sess = _own_session(_evidence(raw), jur)
        if sess is None:
            continue
        session_year = delivered.year if isinstance(delivered, dt.date) else period_end + 1
        first = session_year - sess["number"] + 1
        out.append(Lesson(jur, sess["term"], first, "confirmed", rid, src, sess.get("sentence")))
    return out


def learn(found: list[Lesson]) -> list[Learned]:
    """One row per jurisdiction and term: the best-supported first year, the others kept as disputed."""
    groups: dict[tuple[str, int], list[Lesson]] = defaultdict(list)
    for lesson in found:
        groups[(lesson.jurisdiction, lesson.term)].append(lesson)
    out = []
    for (jur, term), group in sorted(groups.items()):
        by_year: dict[int, list[Lesson]] = defaultdict(list)
        for lesson in group:
            by_year[lesson.first_year].append(lesson)
        year = max(by_year, key=lambda y: (_weight(by_year[y]), -y))
        chosen = by_year[year]
        how = "confirmed" if any(x.how == "confirmed" for x in chosen) else "stated"
        others = [x for y, xs in sorted(by_year.items()) if y != year for x in xs]
        out.append(Learned(jur, term, year, how, chosen, others))
    return out


def _lesson_json(lessons: list[Lesson]) -> str | None:
    if not lessons:
        return None
    return json.dumps(
        [
            {"report_id": x.report_id, "source_file": x.source_file, "how": x.how, "first_year": x.first_year}
            for x in lessons
        ],
        ensure_ascii=False,
    )


_USE_COLUMNS = (
    "report_id", "jurisdiction", "term", "period_start", "period_end", "was_period_start", "was_period_end",
    "was_meta_status", "was_meta_pending", "was_period_confidence", "was_meta_evidence", "first_year",
)  # fmt: skip


def _arrow(columns: dict[str, Sequence]):
    return pa.table({k: list(v) for k, v in columns.items()})


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, Sequence]) -> None:
    """One columnar insert or replace (executemany costs milliseconds per row)."""
    name = f"_session_terms_{table}_in"
    con.register(name, _arrow(columns))
    try:
        cols = ", ".join(columns)
        con.execute(f"INSERT OR REPLACE INTO {table} ({cols}) SELECT {cols} FROM {name}")
    finally:
        con.unregister(name)


# -- apply -----------------------------------------------------------------------------------------


def _period_of(
    session_year: int,
    report_type: str | None,
    delivered,
    late_month: int,
    years: int,
    stated_years: int | None = None,
):
    """The period a report delivered at a session of ``session_year`` covers (as etl/dating.py reads it).

    A term review spans ``stated_years`` when its text states its term's length (任期的四年, 四年来: the city
    and county terms cut short to join the 2016–17 round), else the constitutional ``years``."""
    late = isinstance(delivered, dt.date) and delivered.month >= late_month
    last = session_year if late else session_year - 1
    if report_type == "term_review":
        return last - (stated_years or years) + 1, last
    return last, last


def learn_and_apply(con: duckdb.DuckDBPyConnection, jurisdictions: Iterable[str] | None = None) -> set[str]:
    """Refresh ``session_terms`` for the jurisdictions in scope and date the pending reports it can.

    Returns the ids of the reports whose period was filled (their checks and aggregates need refreshing)."""
    jurisdictions = None if jurisdictions is None else sorted(set(jurisdictions))
    if jurisdictions == []:
        return set()
    _set_scope(con, jurisdictions)
    learned = learn(lessons(con, jurisdictions))
    con.execute(f"DELETE FROM session_terms WHERE {_where('jurisdiction', jurisdictions)}")
    if learned:
        _insert(
            con,
            "session_terms",
            {
                "jurisdiction": [x.jurisdiction for x in learned],
                "term": [x.term for x in learned],
                "first_year": [x.first_year for x in learned],
                "learned_from": [x.learned_from for x in learned],
                "source_reports": [_lesson_json(x.sources) for x in learned],
                "disputed": [_lesson_json(x.disputed) for x in learned],
                "used": [x.usable for x in learned],
            },
        )
    table = {(x.jurisdiction, x.term): x for x in learned if x.usable}
    if not table:
        return set()
    late_month, years = load_cues().late_session_month, dating.load_terms().term_years
    rows = con.execute(
        f"""
        SELECT report_id, jurisdiction, report_type, delivered, period_start, period_end, meta_status,
               meta_pending, period_confidence, meta_evidence, parent
        FROM reports r
        WHERE {_where("r.jurisdiction", jurisdictions)} AND meta_pending LIKE '%period%'
          AND meta_evidence LIKE '%"session"%'
        ORDER BY report_id
        """
    ).fetchall()
    # a term is taught by reports of one division: 朝阳区 under 北京市 never dates 朝阳区 under 长春市
    taught = sorted({lesson.report_id for learned_row in table.values() for lesson in learned_row.sources})
    sql = "SELECT report_id, parent FROM reports WHERE list_contains(?::VARCHAR[], report_id)"
    parent_of = dict(con.execute(sql, [taught]).fetchall())
    filled: set[str] = set()
    updates: list[tuple] = []
    uses: list[tuple] = []
    for rid, jur, rtype, delivered, p0, p1, status, pending, conf, raw, parent in rows:
        ev = _evidence(raw)
        sess = _own_session(ev, jur)
        row = table.get((jur, sess["term"])) if sess else None
        if sess is None or row is None or rid in {x.report_id for x in row.sources}:
            continue
        if any(parent_of.get(x.report_id) != parent for x in row.sources):
            continue
        session_year = row.first_year + sess["number"] - 1
        stated = sess.get("term_years")
        stated = stated if isinstance(stated, int) and 0 < stated <= years else None
        start, end = _period_of(session_year, rtype, delivered, late_month, years, stated)
        before = ev.get("period") or {}
        ev["period"] = {
            "value": f"{start}年" if start == end else f"{start}–{end}年",
            "confidence": CONFIDENCE,
            "source": "learned_term",
            "sentence": sess.get("sentence"),
            "learned": (
                f"{jur}第{sess['term']}届人大始于{row.first_year}年（据 {row.named()}），"
                f"第{sess['number']}次会议在{session_year}年"
            ),
            "learned_from": json.loads(_lesson_json(row.sources) or "[]"),
            "conflicts": before.get("conflicts") or [],
            "suggested": None,
            "session_year": session_year,
            "before": before,
        }
        left = [p for p in (pending or "").split(",") if p and p != "period"]
        updates.append((rid, start, end, ",".join(left) or None, "pending" if left else "ok",
                        json.dumps(ev, ensure_ascii=False)))  # fmt: skip
        uses.append((rid, jur, sess["term"], start, end, p0, p1, status, pending, conf, raw, row.first_year))
        filled.add(rid)
    if updates:
        cols = ("report_id", "period_start", "period_end", "meta_pending", "meta_status", "meta_evidence")
        name = "_session_terms_updates"
        con.register(name, _arrow(dict(zip(cols, zip(*updates, strict=True), strict=True))))
        try:
            con.execute(
                f"""
                UPDATE reports SET period_start = u.period_start, period_end = u.period_end,
                       period_confidence = {CONFIDENCE}, meta_pending = u.meta_pending,
                       meta_status = u.meta_status, meta_evidence = u.meta_evidence
                FROM {name} u WHERE reports.report_id = u.report_id
                """
            )
        finally:
            con.unregister(name)
        _insert(con, "session_term_uses", dict(zip(_USE_COLUMNS, zip(*uses, strict=True), strict=True)))
    return filled
