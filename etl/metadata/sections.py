"""Parts of a report (past work, term review, plans) and the period each sentence's counts cover.

Plans for the coming year never yield facts.  Headings are recognized by their wording (data in
sections.yaml); a heading opens a part that runs until the next heading of another kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl import vocab
from etl.models import Section
from etl.read.numbers import NumberError, parse_number

CUES_PATH = Path(__file__).parent.parent / "data" / "sections.yaml"


@dataclass(frozen=True)
class Cues:
    plan_heading: re.Pattern
    past_heading: re.Pattern
    run_in_heading: re.Pattern
    bare_year: re.Pattern
    plan_sentence: re.Pattern
    sentence_year: re.Pattern
    years_back: re.Pattern
    term_phrase: re.Pattern
    this_session: re.Pattern
    max_heading_len: int


@lru_cache(maxsize=1)
def cues() -> Cues:
    data = vocab.load(CUES_PATH, "sections")
    return Cues(
        plan_heading=re.compile(data["plan_heading"]),
        past_heading=re.compile(data["past_heading"]),
        run_in_heading=re.compile(data["run_in_heading"]),
        bare_year=re.compile(data["bare_year"]),
        plan_sentence=re.compile(data["plan_sentence"]),
        sentence_year=re.compile(data["sentence_year"]),
        years_back=re.compile(data["years_back"]),
        term_phrase=re.compile(data["term_phrase"]),
        this_session=re.compile(data["this_session"]),
        max_heading_len=int(data["max_heading_len"]),
    )


def _heading_kind(line: str, period_end: int | None) -> tuple[str, int | None] | None:
    """('plans'|'past', year) when the line is a heading of a part, else None."""
    c = cues()
    s = line.strip()
    if not s or len(s) > c.max_heading_len or "。" in s[:-1]:
        return None
    year: int | None
    m = c.bare_year.fullmatch(s)
    if m:
        year = int(m.group(1))
        if period_end is None:
            return None
        return ("plans" if year > period_end else "past"), year
    m = c.plan_heading.search(s)
    if m:
        year = plan_heading_year(m)
        if year is not None and period_end is not None and year <= period_end:
            return "past", year
        return "plans", year
    m = c.past_heading.search(s)
    if m:
        year = int(m.group("y")) if m.groupdict().get("y") else None
        if year is not None and period_end is not None and year > period_end:
            return "plans", year
        return "past", year
    return None


_STATED_YEAR = re.compile(r"((?:19|20)\d{2})年")


def run_in_plan_headings(text: str, period_end: int | None = None) -> list[tuple[int, int | None, str]]:
    """(offset, year, heading) of each plans heading run in at a sentence's start (2025年的主要工作:…).

    The words before the colon are a whole plans heading (2024年工作安排, 今年的主要任务是), or a year's
    主要工作 naming a year after the reviewed one: after ``period_end`` when it is known, else right after
    the last year the text stated before it (…2024年是…;…过去一年的工作。2025年的主要工作:)."""
    c = cues()
    out: list[tuple[int, int | None, str]] = []
    for m in c.run_in_heading.finditer(text):
        head = m.group("head")
        year: int | None
        if (pm := c.plan_heading.match(head)) and pm.end() == len(head):
            year = plan_heading_year(pm)
            if year is not None and period_end is not None and year <= period_end:
                continue  # the year reviewed: not the plans
        elif (pm := c.past_heading.match(head)) and pm.groupdict().get("y"):
            year = int(pm.group("y"))
            if period_end is not None:
                if year <= period_end:
                    continue
            else:
                stated = _STATED_YEAR.findall(text, 0, m.start())
                if not stated or int(stated[-1]) != year - 1:
                    continue
        else:
            continue
        out.append((m.start(), year, m.group(0)))
    return out


def plan_heading_year(m: re.Match) -> int | None:
    """The year a plans heading names (2024年的主要任务, 展望2024年), if any."""
    y = m.groupdict().get("y") or m.groupdict().get("y2")
    return int(y) if y else None


def find_sections(
    text: str, period_start: int | None, period_end: int | None, report_type: str | None = None
) -> list[Section]:
    """Split normalized text into parts; unheaded text counts as past work (or the term review)."""
    past_kind = "term_review" if report_type == "term_review" else "past_work"
    sections: list[Section] = []
    kind, heading, year, start = past_kind, None, None, 0
    run_in = run_in_plan_headings(text, period_end)
    pos = 0
    for line in text.split("\n"):
        found = _heading_kind(line, period_end)
        if found is not None:
            new_kind = "plans" if found[0] == "plans" else past_kind
            if new_kind != kind:
                if pos > start:
                    sections.append(_section(kind, start, pos, heading, year, period_start, period_end))
                kind, heading, year, start = new_kind, line.strip(), found[1], pos
        else:
            # a plans heading run in at a sentence's start opens the plans part there
            for at, y, head in run_in:
                if pos <= at < pos + len(line) and kind != "plans":
                    if at > start:
                        sections.append(_section(kind, start, at, heading, year, period_start, period_end))
                    kind, heading, year, start = "plans", head, y, at
        pos += len(line) + 1
    if len(text) > start or not sections:
        sections.append(_section(kind, start, len(text), heading, year, period_start, period_end))
    return sections


def _section(kind, start, end, heading, year, p0, p1) -> Section:
    if kind == "plans":
        y = year if year is not None else (p1 + 1 if p1 is not None else None)
        return Section(kind, start, end, heading, y, y)
    return Section(kind, start, end, heading, p0, p1)


def section_at(sections: list[Section], offset: int) -> Section:
    for s in sections:
        if s.start <= offset < s.end:
            return s
    return sections[-1]


def sentence_period(
    sentence: str, section: Section, report_type: str | None = None
) -> tuple[int | None, int | None] | None:
    """The years a sentence's counts cover, or None when the sentence is a plan (no facts).

    ``2018年,…`` names its year; ``2019年以来`` runs to the section's end; ``三年来`` counts back;
    a later year than the section's, or 将/计划 wording about next year, marks a plan.
    """
    c = cues()
    p0, p1 = section.period_start, section.period_end
    if section.kind == "plans":
        return None
    if c.plan_sentence.search(sentence):
        return None
    m = c.sentence_year.match(sentence)
    if m:
        y = int(m.group("y"))
        if p1 is not None and y > p1:
            return None
        if m.group("since"):
            return (y, p1 if p1 is not None else y)
        if p0 is None or y >= p0 - 1:
            return (y, y)
    if c.this_session.search(sentence) and p1 is not None and section.kind == "past_work":
        # 本次会议共收到代表议案6件: what the session now held received, in the year it is held
        return (p1 + 1, p1 + 1)
    m = c.years_back.match(sentence)
    if m and p1 is not None:
        try:
            n = int(parse_number(m.group("n")).value)
        except NumberError:
            n = 0
        if 1 < n <= 10:
            return (p1 - n + 1, p1)
    if report_type != "term_review" and c.term_phrase.search(sentence):
        # A term total inside an annual report: its years are unknown, so it is not charted as one year.
        return None
    return (p0, p1)
