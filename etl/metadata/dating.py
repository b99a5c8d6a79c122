"""The report's period and session year, resolved by weighing evidence instead of taking the first match.

Every cue the text offers becomes a *candidate* with a weight and the sentence it came from:

* ``dateline``      the report's own dateline or a news sentence with a full date (2024年1月10日)
                    → session year
* ``session``       a congress session being held (十三届全国人大二次会议 → 2019), numbered by the
                    term table (data/congress_terms.yaml) or by what was learned for a local congress
* ``stamp``         a web or newspaper page date (2026-02-10 来源:新乡日报) → session year, weakly
* ``heading``       a heading or title naming the reviewed year (2023年的主要工作, 回顾2023年)
* ``plan_heading``  a heading naming the coming year (展望2024年, 2024年的主要任务, or run in at a sentence's
                    start: 2025年的主要工作:2025年是…) → reviewed year + 1
                    (and ``plan_sentence``: a news sentence telling it, 提出2017年的工作建议)
* ``year_is``       "2009年是…的一年" opening the review (the reviewed year), or in the plans part / followed
                    by 将… (the coming year)
* ``plan_year``     a five-year plan's first or last year named without a year (年是…“十三五”规划的收官之年
                    → 2020, 实现“十四五”良好开局 → 2021), read like ``year_is`` and weighed below it
* ``past_sentence`` a past-work sentence opening with a year (2014年常委会…, 他说,2018年…, 据了解,2019年…)
* ``past_session``  the report's own congress's previous session referred back to (完成省十四届人大一次会议
                    确定的目标任务 → 2023), numbered by the term table: the year an annual report reviews
* ``span``          a stated span of a term review (2018年至2022年)
* ``plenum``        the latest Party plenum the text cites (十九届…六中全会精神: after 2021-11-11), read
                    with the session's day (12月9日上午,…第一次会议): the session year, when the text
                    offers no other
* ``term``          the reviewing committee's term (受十届全国人大常委会委托 → 2003–2007), or a first
                    session of a new congress (the outgoing committee reviews its term)

Session-year candidates are turned into reviewed-year votes (an annual report delivered in year S
reviews S−1, or S itself from ``late_session_month``); the votes are summed per year, the best year
wins, and its confidence is its share of all the weight, damped when the support is thin. Conflicting
evidence is never settled silently: the losers are kept as ``conflicts`` and reported. A period whose
confidence is below ``MIN_CONFIDENCE`` is not set: the report waits for an analyst (待确认).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl import vocab
from etl.errors import EtlError
from etl.metadata.sections import plan_heading_year, run_in_plan_headings

TERMS_FILE = Path(__file__).parent.parent / "data" / "congress_terms.yaml"
MIN_CONFIDENCE = 0.5
_FULL_SUPPORT = 0.6  # support at which a lone candidate counts as sure

_CN = {**dict(zip("〇一二三四五六七八九", range(10), strict=True)), "○": 0, "零": 0, "两": 2}
_YEAR = r"(?P<year>(?:19|20)\d{2}|[〇○零一二][〇○零一二三四五六七八九]{3})"
_NUM = r"[一二三四五六七八九十]{1,3}|\d{1,2}"
# The reviewing committee named with its term: 受十届全国人大常委会委托, 省十一届人大常委会任期
COMMITTEE_TERM = re.compile(
    rf"(?:第)?(?P<term>{_NUM})届(?P<inner>[\u4e00-\u9fff]{{0,8}}?)(?:人大常委会|人民代表大会常务委员会|人大及其常委会)"
)
_SPAN = re.compile(r"((?:19|20)\d{2})年?(?:至|到|-|—|~)((?:19|20)\d{2})年")
_PAST_WORDS = re.compile(
    r"了|坚持|完成|召开了|审议|制定|取得|实现|聚焦|紧扣|围绕|在[^。]{0,12}领导下|一年来|过去"
)
_SINCE = re.compile(r"^(?:以来|来|起|初|底前|以前|之前|前)")
_REVIEW_PHRASE = re.compile(rf"(?:^|(?<=[。!?;\n]))(?:回顾|回眸|回首|盘点){_YEAR}年?(?:的?工作)?(?=[,:，])")
# 【聚焦2024河南两会】, 2026两会|…: the year of the annual sessions, i.e. the session year
LIANGHUI = re.compile(rf"{_YEAR}年?(?:[\u4e00-\u9fff]{{0,4}}?)(?:两会|人代会|人大会议)")
# Reported speech (他说,2019年…; 据了解,2019年…) opens a sentence too; a part's name ending in 回顾 does not
# (报告分为2023年工作回顾,2024年主要工作…: a list of the parts, the second year the plans').
_SENTENCE_YEAR = re.compile(
    rf"(?:^|(?<=[。!?;\n:]))(?:[一二三四五六七八九十]+[、.])?(?:在|于)?{_YEAR}年(?P<rest>[^。!?;\n]{{0,80}})"
    rf"|(?:(?<=[说出示绍调解悉][,:])|(?<=[^作展况绩]回顾[,:])){_YEAR.replace('<year>', '<year2>')}年"
    rf"(?P<rest2>[^。!?;\n]{{0,80}})"
)
# What a year is said to be (…是实现“十四五”规划目标任务的关键之年): a plan word inside it describes the year
# and says nothing of whether the sentence speaks of the coming one.
_YEAR_ATTRIBUTE = re.compile(r"是[^,。;!?]*?(?:之年|一年)")
# 2024年,是…75周年,是…70周年。市人大常委会将坚持…: the next sentence's subject will act, so the year is the
# coming one (蒋洪江说, 廊坊 2024); 这一年,市人大常委会坚持… keeps it the reviewed year
_NEXT_WILL = re.compile(r"[^,。;!?\n]{0,10}?将")
# 相关专题:2006年全国两会 (a news page's topic link): the year of the sessions, never a year the text reviews
_SESSION_NAMED = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:两会|人代会|人大会议)")


class TermsError(EtlError):
    """The congress-term table is missing or malformed."""


def cn_int(s: str) -> int:
    """Arabic or Chinese numerals up to 999 (or a year written digit by digit: 二〇一九); 0 if malformed."""
    if s.isdigit():
        return int(s)
    try:
        if "十" not in s and "百" not in s:
            return int("".join(str(_CN[c]) for c in s))
        total, rest = 0, s
        if "百" in rest:
            h, _, rest = rest.partition("百")
            total += (_CN[h] if h else 1) * 100
        if "十" in rest:
            t, _, rest = rest.partition("十")
            total += (_CN[t] if t else 1) * 10
        if rest:
            total += _CN[rest.lstrip("零")] if rest.lstrip("零") else 0
        return total
    except (KeyError, ValueError):
        return 0


# -- the term table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    term_years: int
    national: tuple[int, int]  # (reference term, its first year)
    provinces: dict[str, tuple[int, int]]
    # (province, term, session ordinal) → year, for sessions an extra one pushed off the count
    held: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def start(self, body: str, term: int, learned: dict[tuple[str, int], int] | None = None) -> int | None:
        """The first year of congress term ``term`` of ``body`` (全国, a province, or a learned local
        body)."""
        if body == "全国":
            ref = self.national
        elif body in self.provinces:
            ref = self.provinces[body]
        else:
            if learned and (body, term) in learned:
                return learned[(body, term)]
            return None
        if not 1 <= term <= 30:
            return None
        return ref[1] + self.term_years * (term - ref[0])

    def session_year(
        self, body: str, term: int, number: int, learned: dict[tuple[str, int], int] | None = None
    ) -> int | None:
        """The year session ``number`` of term ``term`` sat in: a listed one's (an extra session moved it),
        else one session a year from the term's first."""
        if (body, term, number) in self.held:
            return self.held[(body, term, number)]
        start = self.start(body, term, learned)
        return start + number - 1 if start is not None else None


@functools.lru_cache(maxsize=1)
def load_terms(path: Path = TERMS_FILE) -> Terms:
    raw = vocab.load(path, "congress_terms", error=TermsError)
    years = raw["term_years"]
    nat = (raw["national"]["reference_term"], raw["national"]["reference_start"])
    provs = {name: (v["reference_term"], v["reference_start"]) for name, v in raw["provinces"].items()}
    held = {
        (name, h["term"], h["session"]): h["year"]
        for name, v in raw["provinces"].items()
        for h in v.get("held", ())
    }
    return Terms(years, nat, provs, held)


# -- candidates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One piece of evidence: a vote for a reviewed year (or span) with its weight."""

    source: str
    start: int  # the period it implies
    end: int
    weight: float
    sentence: str
    session_year: int | None = None  # what it says of the session year, when it says it


@dataclass
class Resolution:
    period_start: int | None = None
    period_end: int | None = None
    session_year: int | None = None
    confidence: float = 0.0
    chosen: list[Candidate] = field(default_factory=list)
    conflicts: list[Candidate] = field(default_factory=list)
    suggested: tuple[int, int] | None = None  # the best guess when not confident enough
    term_start_learned: tuple[str, int, int] | None = None  # (body, term, first year) a report taught
    local_session: Session | None = None  # the report's own local session, not numbered by the term table
    stated_term_years: int | None = None  # a term review's length as its text states it (任期的四年 → 4)

    @property
    def period(self) -> tuple[int, int] | None:
        """(first year, last year) when the period is resolved, else None (the two are set together)."""
        if self.period_start is None or self.period_end is None:
            return None
        return self.period_start, self.period_end


@dataclass(frozen=True)
class PlanYears:
    """Five-year-plan phrases that name a year (from metadata_cues.yaml ``five_year_plans``)."""

    reference_plan: int  # 11: 十一五 …
    reference_start: int  # … began in 2006
    plan_years: int
    first_phases: tuple[str, ...]  # 开局: the plan's first year
    last_phases: tuple[str, ...]  # 收官: its last
    patterns: tuple[re.Pattern, ...]  # named groups ``plan`` (十三) and ``phase``
    relative_years: tuple[str, ...]  # 明年是…: the phrase names a year relative to an unknown one

    def year(self, plan: int, phase: str) -> int | None:
        """The year a phase of plan ``plan`` names (十三五 收官 → 2020), None for a phase not listed."""
        start = self.reference_start + self.plan_years * (plan - self.reference_plan)
        if phase in self.first_phases:
            return start
        if phase in self.last_phases:
            return start + self.plan_years - 1
        return None


@dataclass(frozen=True)
class Plenums:
    """The Party plenums a text cites (from metadata_cues.yaml ``party_plenums``)."""

    pattern: re.Pattern  # named groups ``term`` (十九) and ``list`` (二中、三中、…六中)
    dates: dict[str, tuple[int, int, int]]  # 十九届六中 → (2021, 11, 11), its closing day

    def session_year(self, compact: str, month: int, day: int | None = None) -> tuple[int, float, str] | None:
        """(session year, weight, sentence) from the latest plenum cited and the session's month (and day),
        or None when the latest plenum cited is not listed."""
        latest: tuple[int, int, str, int] | None = None  # (term, plenum, name, position)
        for m in self.pattern.finditer(compact):
            term = cn_int(m.group("term"))
            for n in re.findall(r"([一二三四五六七])中", m.group("list")):
                key = (term, cn_int(n))
                if latest is None or key > latest[:2]:
                    latest = (*key, f"{m.group('term')}届{n}中", m.start())
        if latest is None or latest[2] not in self.dates:
            return None
        year, p_month, p_day = self.dates[latest[2]]
        sentence = sentence_at(compact, latest[3])
        return (year if (month, day or 1) > (p_month, p_day) else year + 1), 0.4, sentence


@dataclass(frozen=True)
class YearWords:
    """The vocabulary year sentences are read with (from metadata_cues.yaml and sections.yaml)."""

    review_headings: tuple[re.Pattern, ...]  # headings naming the reviewed year (group ``year``)
    plan_heading: re.Pattern  # the plans heading of sections.yaml (2024年的主要任务, 展望2024年)
    plan_words: tuple[str, ...]  # 将, 工作任务 …: a sentence about the coming year
    plan_phrases: tuple[re.Pattern, ...] = ()  # 提出2017年的工作建议: the coming year, in a news sentence
    five_year_plans: PlanYears | None = None  # “十三五”收官之年: a year named without its digits

    def plans(self, text: str) -> bool:
        return any(w in text for w in self.plan_words)


@dataclass(frozen=True)
class Session:
    term: int
    number: int
    body: str | None  # 全国, a province, or the report's own jurisdiction (local congress)
    year: int | None
    pos: int
    sentence: str


def sentence_at(text: str, pos: int, limit: int = 160) -> str:
    a = max(text.rfind(p, 0, pos) for p in "。!?\n") + 1
    ends = [e for e in (text.find(p, pos) for p in "。!?\n") if e != -1]
    b = min(ends) + 1 if ends else len(text)
    s = text[a:b].strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def year_of(m: re.Match) -> int:
    y = m.group("year")
    return int(y) if y.isdigit() else cn_int(y)


def sessions(
    compact: str,
    session: re.Pattern,
    referred: re.Pattern,
    jurisdiction: str | None,
    level: str | None,
    province_of: Callable[[str, str], str | None],
    terms: Terms,
    learned: dict[tuple[str, int], int] | None,
    limit: int,
    referred_back: bool = False,
) -> list[Session]:
    """Congress sessions being held, in the first ``limit`` characters, with their years where known.

    ``session`` is the vocabulary's session pattern (groups ``term``, ``inner``, ``ordinal``); a session
    followed by ``referred`` (以来, 确定, 主席团交付 …) is referred back to, not held: with
    ``referred_back`` only those are returned.

    ``province_of(text_before, inner)`` names the province a session belongs to when the text says so
    (河南省第十四届…, 省十四届…); a session of no named body belongs to the report's own congress."""
    out = []
    for m in session.finditer(compact, 0, min(len(compact), limit)):
        if bool(referred.match(compact, m.end())) != referred_back:
            continue  # 五届人大一次会议以来: referred back to, not held
        term, number = cn_int(m.group("term")), cn_int(m.group("ordinal"))
        if not (term and number) or number > 8:
            continue
        inner = m.group("inner")
        before = compact[max(0, m.start() - 12) : m.start()]
        body: str | None
        if "全国" in inner or before.endswith("全国"):
            body = "全国"
        else:
            body = province_of(before, inner)
            if body is None:
                kind = before[-1:] if before else ""
                if kind == "省" and level == "provincial":
                    body = jurisdiction
                elif level not in ("national", "provincial") and jurisdiction:
                    named = inner or before
                    body = jurisdiction if (not inner or jurisdiction[:2] in named) else None
                elif level == "provincial" and not inner and kind not in "市区县":
                    body = jurisdiction
        year = terms.session_year(body, term, number, learned) if body else None
        out.append(Session(term, number, body, year, m.start(), sentence_at(compact, m.start())))
    return out


def committee_terms(compact: str, province_of, jurisdiction, level, terms: Terms, learned) -> list[Candidate]:
    """受十届全国人大常委会委托 / 省十一届人大常委会任期: the reviewing committee's whole term."""
    out = []
    for m in COMMITTEE_TERM.finditer(compact, 0, min(len(compact), 1500)):
        after = compact[m.end() : m.end() + 12]
        before = compact[max(0, m.start() - 12) : m.start()]
        if not (
            before.endswith("受")
            or after.startswith("委托")
            or re.match(r"(?:任期|[^。]{0,6}(?:五年|5年|任期|以来))", after)
        ):
            continue
        inner = m.group("inner")
        body: str | None
        if "全国" in inner or before.endswith("全国"):
            body = "全国"
        else:
            body = province_of(before, inner) or (jurisdiction if level == "provincial" else None)
        term = cn_int(m.group("term"))
        start = terms.start(body, term, learned) if body else None
        if start is None:
            continue
        out.append(
            Candidate("term", start, start + terms.term_years - 1, 0.8, sentence_at(compact, m.start()))
        )
    return out


def span_candidates(compact: str, last: int | None, terms: Terms) -> list[Candidate]:
    """A term review's stated span (2018年至2022年) ending at or just before the last session year."""
    out = []
    for m in _SPAN.finditer(compact):
        a, b = int(m.group(1)), int(m.group(2))
        if 3 <= b - a <= terms.term_years and (last is None or b in (last - 1, last)):
            out.append(Candidate("span", a, b, 0.9, sentence_at(compact, m.start())))
    return out


def _in_plans(pos: int, plans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in plans)


def year_candidates(
    dense: str,
    lines: tuple[str, ...],
    title: str | None,
    plans: list[tuple[int, int]],
    vocabulary: YearWords,
    skip_dates: frozenset[int] = frozenset(),
    page_date: dt.date | None = None,
) -> list[Candidate]:
    """Years the text states about the reviewed or the coming year (see the module docstring).

    ``page_date`` is the page's publication stamp: the same date in the text (2025年01月12日09:11) is the
    stamp, not an event of the year reviewed."""
    out: list[Candidate] = []
    heads = [title] if title else []
    heads += [p for p in re.split(r"[—–─━―|｜\s]+|-{2,}", title or "") if p and p != title]
    heads += [ln for ln in lines if _is_heading(ln)]
    seen_heads = set()
    for h in heads:
        h2 = re.sub(r"^[\[【(（][^\]】)）]{1,12}[\]】)）]", "", h)  # [中原网] 回顾2014 …
        if h2 in seen_heads:
            continue
        seen_heads.add(h2)
        if m := next((hm for p in vocabulary.review_headings if (hm := p.search(h2))), None):
            y = year_of(m)
            out.append(Candidate("heading", y, y, 0.8, h))
        elif (m := vocabulary.plan_heading.search(h2)) and (sy := plan_heading_year(m)):
            out.append(Candidate("plan_heading", sy - 1, sy - 1, 0.6, h, session_year=sy))
    run_in = run_in_plan_headings(dense)  # 2025年的主要工作:2025年是…: the coming year's, like a heading
    for at, sy, _head in run_in:
        if sy is not None:
            sentence = sentence_at(dense, at)
            out.append(Candidate("plan_heading", sy - 1, sy - 1, 0.6, sentence, session_year=sy))
    run_in_at = {at for at, _, _ in run_in}
    for m in _REVIEW_PHRASE.finditer(dense):  # 回顾2014,郑州市人大常委会…: the year reviewed
        if not _in_plans(m.start(), plans):
            y = year_of(m)
            out.append(Candidate("review_phrase", y, y, 0.6, sentence_at(dense, m.start())))
    for p in vocabulary.plan_phrases:  # 提出2017年的工作建议: the session's year, the one before reviewed
        for m in p.finditer(dense):
            sy = year_of(m)
            out.append(
                Candidate(
                    "plan_sentence", sy - 1, sy - 1, 0.5, sentence_at(dense, m.start()), session_year=sy
                )
            )
    past_weight: dict[int, float] = defaultdict(float)
    dated_weight: dict[int, float] = defaultdict(float)
    first_sentence_end = dense.find("。") if "。" in dense else len(dense)
    for m in _SENTENCE_YEAR.finditer(dense):
        ystr = m.group("year") or m.group("year2")
        rest = m.group("rest") if m.group("rest") is not None else (m.group("rest2") or "")
        y = int(ystr) if ystr.isdigit() else cn_int(ystr)
        if not 1990 <= y <= 2100 or re.match(r"[-—~至到]", rest) or _SINCE.match(rest):
            continue  # a span, 2019年以来, 2025年底前
        if _SESSION_NAMED.match(rest):
            continue  # 2006年全国两会: the session's year (read by period.py as a 两会 cue)
        # 2014年10月22日,…: an event of the year reviewed, weakly
        if md := re.match(r"(\d{1,2})月(?:(\d{1,2})日)?", rest):
            if page_date is not None and (y, int(md.group(1)), int(md.group(2) or 0)) == (
                page_date.year,
                page_date.month,
                page_date.day,
            ):
                continue  # the page's own stamp
            if not _in_plans(m.start(), plans) and y not in skip_dates and dated_weight[y] < 0.3:
                dated_weight[y] += 0.15
                out.append(Candidate("dated_event", y, y, 0.15, sentence_at(dense, m.start())))
            continue
        pos = m.start()
        if pos in run_in_at:
            continue  # a run-in plans heading: read above
        sentence = sentence_at(dense, pos)
        line_start = dense.rfind("\n", 0, pos) + 1
        whole_line = dense[line_start : dense.find("\n", pos) if dense.find("\n", pos) != -1 else len(dense)]
        if _is_heading(whole_line):
            continue  # a heading: read above
        in_plans = _in_plans(pos, plans)
        if rest.startswith(("是", ",是")):
            if _of_coming_year(dense, m.end(), rest, in_plans, vocabulary):
                out.append(Candidate("year_is", y - 1, y - 1, 0.5, sentence, session_year=y))
            else:
                opening = pos <= first_sentence_end + 1 or _after_past_heading(dense, pos)
                out.append(Candidate("year_is", y, y, 0.6 if opening else 0.4, sentence))
            continue
        if in_plans or vocabulary.plans(rest[:40]):  # 2024年,常委会将…: the coming year, weakly
            out.append(Candidate("plan_sentence", y - 1, y - 1, 0.2, sentence, session_year=y))
            continue
        past_weight[y] += 0.3
        if past_weight[y] <= 0.6:
            out.append(Candidate("past_sentence", y, y, 0.3, sentence))
    if vocabulary.five_year_plans is not None:
        named = plan_year_candidates(dense, plans, vocabulary, vocabulary.five_year_plans)
        if out:  # the text states years: a plan's year only supports one of them, never contradicts
            stated = {(c.start, c.end) for c in out}
            named = [
                Candidate(c.source, c.start, c.end, 0.1, c.sentence, c.session_year)
                for c in named
                if (c.start, c.end) in stated
            ]
        out += named
    return out


_STATED_YEAR = re.compile(rf"{_YEAR}年")


def _of_coming_year(dense: str, end: int, rest: str, in_plans: bool, vocabulary: YearWords) -> bool:
    """Whether a year said to be something (2024年是…之年, “十三五”收官之年, the phrase ending at ``end``,
    ``rest`` the sentence after it) is the coming year: in the plans part; a plan word in the rest of the
    sentence (not one inside what the year is said to be: …实现“十四五”规划目标任务的关键之年); a plan word
    right after that is not past work; or a next sentence saying what the committee will do (…将…)."""
    following = dense[end : end + 30]
    nxt = dense.find("。", end)
    return (
        in_plans
        or vocabulary.plans(_YEAR_ATTRIBUTE.sub("", rest)[:50])
        or (vocabulary.plans(following) and not _PAST_WORDS.search(following))
        or (nxt >= 0 and bool(_NEXT_WILL.match(dense, nxt + 1)))
    )


def plan_year_candidates(
    dense: str, plans: list[tuple[int, int]], vocabulary: YearWords, five: PlanYears
) -> list[Candidate]:
    """A five-year plan's first or last year named without a year (…是“十三五”规划的收官之年 → 2020).

    Read like a ``year_is`` sentence (the past-work part: the reviewed year; the plans part or a sentence
    going on with 将…: the coming year), weighed below it, and only where the sentence states no year of
    its own: 2020年是…收官之年 is the year sentence's vote, 明年是…收官之年 names a year relative to one
    the phrase does not give."""
    out: list[Candidate] = []
    seen: set[int] = set()
    for p in five.patterns:
        for m in p.finditer(dense):
            plan = cn_int(m.group("plan"))
            y = five.year(plan, m.group("phase")) if plan >= 3 else None
            if y is None:
                continue
            start = max(dense.rfind(c, 0, m.start()) for c in "。!?;\n") + 1
            if start in seen:
                continue  # one vote a sentence
            before = dense[start : m.start()]
            if _STATED_YEAR.search(before) or any(w in before for w in five.relative_years):
                continue
            seen.add(start)
            ends = [e for e in (dense.find(c, m.end()) for c in "。!?;\n") if e != -1]
            rest = dense[m.end() : min(ends) if ends else len(dense)]
            sentence = sentence_at(dense, m.start())
            if _of_coming_year(dense, m.end(), rest, _in_plans(m.start(), plans), vocabulary):
                out.append(Candidate("plan_year", y - 1, y - 1, 0.3, sentence, session_year=y))
            else:
                out.append(Candidate("plan_year", y, y, 0.35, sentence))
    return out


def _is_heading(line: str) -> bool:
    """A short line without sentence punctuation: a title or a heading."""
    return bool(line) and len(line) <= 40 and not re.search(r"[。,;,;!?]", line)


def _after_past_heading(dense: str, pos: int) -> bool:
    prev_line_end = dense.rfind("\n", 0, pos)
    if prev_line_end == -1:
        return True
    prev = dense[dense.rfind("\n", 0, prev_line_end) + 1 : prev_line_end]
    return bool(re.search(r"过去的?一年|一年来|主要工作|工作回顾", prev)) and len(prev) <= 40


# -- resolution ----------------------------------------------------------------------------


def resolve(
    candidates: list[Candidate],
    session_candidates: list[tuple[str, int, float, str]],
    term: bool,
    late: bool,
    terms: Terms,
    term_years: int | None = None,
) -> Resolution:
    """Weigh reviewed-year votes and session-year evidence into one period with a confidence.

    ``session_candidates`` are (source, session year, weight, sentence); ``candidates`` vote for
    reviewed years or spans directly. A term review spans ``term_years`` (the text's 任期的四年),
    by default the term table's five."""
    votes: list[Candidate] = list(candidates)
    n_years = term_years or terms.term_years
    for source, year, weight, sentence in session_candidates:
        if term:
            last = year if late else year - 1
            votes.append(Candidate(source, last - n_years + 1, last, weight, sentence, session_year=year))
        else:
            reviewed = year if late else year - 1
            votes.append(Candidate(source, reviewed, reviewed, weight, sentence, session_year=year))
    if term:
        # a term review: single-year votes say nothing of the span, except a year that opens the review
        votes = [v for v in votes if v.end - v.start >= 2 or v.source in ("span", "term")] or [
            Candidate(v.source, v.end - n_years + 1, v.end, v.weight * 0.7, v.sentence, v.session_year)
            for v in votes
            if v.source in ("heading", "year_is", "past_sentence", "plan_sentence", "plan_heading")
        ]
    strong = max((v.weight for v in votes
                  if v.session_year is not None and v.source in ("dateline", "session")),
                 default=0.0)  # fmt: skip
    if (
        strong >= 0.9
    ):  # a held session or a dated dateline: years far from it are asides (1982年通过了现行宪法)
        ref = max((v for v in votes if v.source in ("dateline", "session")), key=lambda v: v.weight)
        votes = [v for v in votes if ref.end - n_years - 1 <= v.end <= ref.end + 1]
    if not votes:
        return Resolution()
    key = (lambda v: v.end) if term else (lambda v: (v.start, v.end))
    by_key: dict = defaultdict(float)
    for v in votes:
        by_key[key(v)] += v.weight
    best_key = max(by_key, key=lambda k: (by_key[k], k if isinstance(k, int) else k[1]))
    support, total = by_key[best_key], sum(by_key.values())
    confidence = round((support / total) * min(1.0, support / _FULL_SUPPORT), 3)
    chosen = [v for v in votes if key(v) == best_key]
    conflicts = [v for v in votes if key(v) != best_key]
    if term:
        spans = [v for v in chosen if v.source in ("span", "term")]
        best = max(spans, key=lambda v: v.weight) if spans else max(chosen, key=lambda v: v.weight)
        start, end = best.start, best.end
    else:
        start, end = best_key
    session = next((v.session_year for v in sorted(chosen, key=lambda v: -v.weight) if v.session_year), None)
    if session is None or late:  # a session late in the year reviews its own year (plans name the next)
        session = end if late else end + 1
    res = Resolution(session_year=session, confidence=confidence, chosen=chosen, conflicts=conflicts)
    if confidence >= MIN_CONFIDENCE:
        res.period_start, res.period_end = start, end
    else:
        res.suggested = (start, end)
    return res


def stamp_session_year(stamp: dt.date, month: int | None, day: int | None) -> int:
    """The session's year from a page published on or after it (2月9日 on a page of 2026-02-10 → 2026)."""
    if month is None:
        return stamp.year
    return stamp.year if (month, day or 1) <= (stamp.month, stamp.day) else stamp.year - 1


def days_before(stamp: dt.date, month: int, day: int) -> int | None:
    """How many days before the page's ``stamp`` a yearless month and day fell (its latest occurrence on or
    before the stamp), or None when the day does not exist."""
    for year in (stamp.year, stamp.year - 1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            return None
        if d <= stamp:
            return (stamp - d).days
    return None


def describe(c: Candidate) -> dict:
    span = f"{c.start}" if c.start == c.end else f"{c.start}–{c.end}"
    return {"value": span, "source": c.source, "weight": c.weight, "sentence": c.sentence}
