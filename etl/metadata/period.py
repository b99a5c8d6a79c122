"""The period a report covers, weighed from every cue, and whether it reviews a whole term.

* **Period** (resolve_period, weighed in ``etl/metadata/dating.py``): every cue is a candidate with a
  weight and its sentence: the dateline, held sessions (numbered by ``etl/data/congress_terms.yaml``), the
  page stamp, a 两会 year in the title, review and plan headings, year sentences read with the part they
  stand in, a term review's span or the reviewing committee's term. The best-supported period wins with a
  confidence; disagreeing evidence is reported, and below ``dating.MIN_CONFIDENCE`` the period is left
  empty and the report is pending (待确认).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from etl.metadata import dating, gazetteer
from etl.metadata.cues import Cues
from etl.metadata.delivery import _Delivery, _is_delivered_text, session_day
from etl.metadata.gazetteer import Jurisdiction
from etl.metadata.kind import is_term_review, term_length
from etl.metadata.sections import cues as section_cues
from etl.metadata.text import _cn_int, _Text
from etl.models import Section

_NEAR_DAYS = 7  # a page this many days after the session it tells dates that session


def _province_of(before: str, inner: str) -> str | None:
    """The province a session or committee phrase names (河南省第十四届…, 十四届河南省人大…)."""
    for part in (inner, before):
        if not part:
            continue
        found = [m for m in gazetteer.find_in(part) if len(m.candidates) == 1]
        if found and found[-1].candidates[0].level == "provincial":
            return found[-1].candidates[0].name
    return None


def _past_session(compact: str, name: str | None, level: str | None, terms, cues: Cues) -> list:
    """The report's own congress's previous session, referred back to (顺利完成省十四届人大一次会议确定的
    目标任务, 省十四届人大二次会议以来): its year, from the term table, is the year an annual report reviews.
    Only a national or provincial congress's (a local one's sessions are not in the table) and only the
    report's own (市十五届人大三次会议 in a county report says nothing of the county's year)."""
    if name is None or level not in ("national", "provincial"):
        return []
    referred = dating.sessions(
        compact, cues.session, cues.past_session_after, name, level, _province_of, terms, None,
        cues.header_chars, referred_back=True,
    )  # fmt: skip
    for sess in referred:
        if sess.year is not None and sess.body == name:
            return [dating.Candidate("past_session", sess.year, sess.year, 0.5, sess.sentence)]
    return []


def resolve_period(
    prepared: _Text,
    title: str | None,
    jurisdiction: Jurisdiction | None,
    delivery: _Delivery,
    stamp: dt.date | None,
    cues: Cues,
    warnings: list[str],
    parts: Sequence[Section] = (),
) -> tuple[dating.Resolution, bool]:
    """The period (with its evidence and confidence) and whether the report is a term review.

    ``parts`` are the report's parts as the pipeline found them in the normalized text (offsets into
    it): years stated in the plans part speak of the coming year."""
    terms = dating.load_terms()
    compact, dense = prepared.compact, prepared.dense
    name = jurisdiction.name if jurisdiction else None
    level = jurisdiction.level if jurisdiction else None
    held = dating.sessions(
        compact,
        cues.session,
        cues.past_session_after,
        name,
        level,
        _province_of,
        terms,
        None,  # local terms are learned in the database after loading (etl/session_terms.py)
        cues.header_chars,
    )
    # The number of the session the report was delivered at: its dateline's or news sentence's, else
    # the first session held in the header (a first one of any body, as before; a later one only when it
    # is the report's own congress: 市十五届人大三次会议 in a county report says nothing of the county's).
    session_number: int | None = None
    if delivery.ordinal is not None:
        session_number = _cn_int(delivery.ordinal) or None
    elif held and (held[0].number == 1 or (name is not None and held[0].body == name)):
        session_number = held[0].number
    term = is_term_review(prepared, title, session_number, cues)
    years = term_length(prepared, terms.term_years, cues) if term else terms.term_years
    # A session late in the year reviews its own year; a term review delivered mid-year (an election held
    # in the summer) ends its term in its own year too.
    late_month = cues.late_term_month if term else cues.late_session_month
    # the session's month and day: the delivery's, else a session the header tells being held
    # (12月9日上午,…第一次会议)
    held_on: tuple[int, int | None] | None = session_day(compact, cues)
    if delivery.month is not None:
        held_on = (delivery.month, delivery.date.day if delivery.date else delivery.day)
    month = held_on[0] if held_on else None
    late = month is not None and month >= late_month

    session_votes: list[tuple[str, int, float, str]] = []
    if delivery.explicit and delivery.year:
        session_votes.append(("dateline", delivery.year, 1.0, _evidence_of_date(prepared, delivery)))
    for sess in held:
        if sess.year is None:
            continue
        if sess.body == "全国" and level is not None and level != "national":
            # the national congress's session in a local text (十三届全国人大五次会议召开期间,内蒙古代表团…
            # in a province's yearbook): the delegation's, not the session the local report was delivered at
            continue
        first = not any(v[0] == "session" for v in session_votes)
        weight = (0.9 if sess.body == "全国" or sess.body in terms.provinces else 0.7) if first else 0.2
        session_votes.append(("session", sess.year, weight, sess.sentence))
    for line in ([title] if title else []) + [ln for ln in prepared.lines[:3] if ln and len(ln) <= 60]:
        if m := dating.LIANGHUI.search(line):
            session_votes.append(("lianghui", dating.year_of(m), 0.6, line))
            break
    if delivery.year and not delivery.explicit:  # inferred by find_delivered from the text's years
        session_votes.append(("inferred", delivery.year, 0.5 if term else 0.3, "由正文年份推断的会议年份"))
    stamp_vote = None
    if stamp is not None:
        day = delivery.date.day if delivery.date else delivery.day
        s_month = delivery.month
        if s_month is None and held_on is not None:
            s_month, day = held_on  # the session the header tells being held (12月18日上午,…第四次会议开幕)
        year = dating.stamp_session_year(stamp, s_month, day)
        if s_month is None and stamp.month >= cues.late_session_month:
            year += 1  # published late in the year: the year it reviews is its own
        # A page published within days of the session it tells being held (发布时间:2024年12月19日 over
        # 12月18日上午,…第四次会议开幕) dates that session as surely as a dateline would.
        near = (
            delivery.month is None
            and held_on is not None
            and held_on[1] is not None
            and (d := dating.days_before(stamp, held_on[0], held_on[1])) is not None
            and d <= _NEAR_DAYS
        )
        stamp_vote = ("stamp", year, 0.9 if near else 0.5, f"发布日期 {stamp.isoformat()}")
        if near or _is_delivered_text(prepared, delivery, cues):
            session_votes.append(stamp_vote)
            stamp_vote = None

    plans = [prepared.dense_span(sec.start, sec.end) for sec in parts if sec.kind == "plans"]
    skip = frozenset({delivery.year} if delivery.explicit and delivery.year else set())
    vocabulary = dating.YearWords(
        cues.past_year_headings,
        section_cues().plan_heading,
        cues.plan_words,
        cues.plan_phrases,
        cues.five_year_plans,
    )
    votes = dating.year_candidates(dense, prepared.lines, title, plans, vocabulary, skip, stamp)
    if not term:
        votes += _past_session(compact, name, level, terms, cues)
    if term:
        last = max((v[1] for v in session_votes), default=None)
        votes += dating.span_candidates(compact, last, terms)
        votes += dating.committee_terms(compact, _province_of, name, level, terms, None)
    if stamp_vote and not votes and not session_votes:  # an article's page date: the last resort
        session_votes.append(stamp_vote)
    if held_on is not None and not votes and not session_votes:
        # no year, session or page date at all (a county's first session, 12月9日上午,…): the latest Party
        # plenum the text cites, read with the session's month and day
        if plenum := cues.party_plenums.session_year(compact, *held_on):
            session_votes.append(("plenum", *plenum))
    res = dating.resolve(votes, session_votes, term, late, terms, years)
    sources = {c.source for c in res.chosen}
    period = res.period
    if period is not None and "plenum" in sources and not sources & {"dateline", "session", "stamp"}:
        warnings.append(f"报告期{_span_text(*period)}由文中引用的最近一次中央全会推断：正文未注明年份")
    elif period is not None and sources == {"stamp"} and stamp is not None:
        warnings.append(f"报告期{_span_text(*period)}由发布日期{stamp.isoformat()}推断")
    elif period is not None and not sources & {
        "dateline",
        "session",
        "stamp",
        "lianghui",
        "inferred",
    }:
        warnings.append(f"正文未注明日期：报告期{_span_text(*period)}取自回顾工作语句或标题中的年份")
    # The report's own local congress session, which the term table cannot number (市第十五届…第三次会议):
    # kept in the evidence, so the database can date it from what other reports taught (session_terms).
    if (
        held
        and held[0].year is None
        and held[0].body in (None, name)
        and level not in ("national", "provincial")
    ):
        res.local_session = held[0]
        if term and (stated := term_length(prepared, 0, cues)):
            # kept with the session: a period filled from a learned term spans what the text says (四年来)
            res.stated_term_years = stated
    # A local congress that states both its session and the year teaches the term table.
    local = [
        s for s in held if s.year is None and s.body and s.body == name and level in ("prefecture", "county")
    ]
    if (
        local
        and name is not None
        and period is not None
        and res.session_year is not None
        and res.confidence >= 0.8
        and any(v.source in ("dateline", "stamp") for v in res.chosen)
    ):
        sess = local[0]
        res.term_start_learned = (name, sess.term, res.session_year - sess.number + 1)
    if res.conflicts and period is not None:
        others = sorted({dating.describe(c)["value"] for c in res.conflicts})
        warnings.append(f"报告期有相互矛盾的线索：取{_span_text(*period)}，另有{'、'.join(others)}")
    if res.period_end is None:
        if res.suggested:
            warnings.append(
                f"报告期待确认：线索不足或相互矛盾（可能为{_span_text(*res.suggested)}，置信度{res.confidence:.2f}）"
            )
        else:
            warnings.append("报告期待确认：未找到年份、会议届次或发布日期")
    return res, term


def _span_text(a: int, b: int) -> str:
    return f"{a}年" if a == b else f"{a}–{b}年"


def _evidence_of_date(text: _Text, delivery: _Delivery) -> str:
    if delivery.date is None:
        return f"{delivery.year}年{delivery.month}月"
    return delivery.date.isoformat()
