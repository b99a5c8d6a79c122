"""Report-level metadata from a work report's text: title, whose committee reports, delivery date, period, type.

The vocabulary (committee names, title cues, report-type words, term-review phrases,
heading patterns) lives in ``data/metadata_cues.yaml``; the places come from
``etl.gazetteer``. Every rule below is written for the genre (national, provincial,
prefecture and county reports, full texts and news write-ups), not for one file.

Rules, in the order extract_metadata() applies them:

* **Text.** Metadata reads the pipeline's one normalization (``etl.normalize``: traditional →
  simplified, full width → half width, wrapped lines joined) and the parts it found in it
  (``find_sections`` before any period is known); it never re-normalizes. Matching runs on views
  of that text: whitespace removed (``compact``) so that a line break or the letter-spacing of a
  newspaper page does not split a phrase, and the lines as they are (``plain``), where
  2023-03-03 10:23:07 keeps its space. A map leads from the views back to the normalized text, so
  the plans part found by the pipeline is the plans part here.
* **Title** (find_title): the first short line (≤ ``max_title_chars``) among the
  first 80 that contains the strongest title cue (常务委员会工作报告 before 工作报告
  before 综述), minus leading dashes. None when no line qualifies.
* **Jurisdiction** (find_jurisdiction): every place named right before a committee
  phrase (郑州市人民代表大会常务委员会, 全国人大常委会) or at a congress session
  (在中原区第十六届人民代表大会第六次会议上) is a candidate. It scores 100 in the
  title, 50 at a session in the header (``header_chars``), 10 before a committee
  phrase in the lead (``lead_chars``), 2–3 deeper in, plus 15 when its suffix agrees
  with the committee's own generic self-reference (市人大常委会, 区人大常委会 … and
  我市/全区, counted where no place is named). The author is the best candidate
  named in the title, at a header session, or in the lead with the right suffix;
  one named only deeper in, with words that show another committee (赴许昌市人大常委会
  学习, 配合郑州市人大常委会, 在全国人大常委会指导下), or of the wrong kind (省人大
  常委会 in a 市 text) is a mention. A name that several divisions share
  (鼓楼区) is resolved with the places written before it (南京市鼓楼区) and the
  other places the text names. Without such an author, the place of the
  self-reference's kind that the text names most wins (鹤壁 in a 市人大常委会 summary),
  with a warning.
* **Delivered** (find_delivered), read in the header only, first match wins:
  a dateline (——2024年2月3日在…人民代表大会…会议上, (2024年1月10日)在…, also in
  Chinese numerals); a dateline on its own lines, the date alone (in parentheses or
  not) up to ``date_line_distance`` lines before or after the session line (——在温州市
  第十三届人民代表大会第五次会议上 / (2020年4月22日)), or at the end of it; a dateline
  with year and month only (——2026年2月在…: session year and month, no date); a news
  sentence whose date is followed, within ``delivery_window_sentences`` sentences and
  before the next date, by a session being held (not 五届人大一次会议以来), a delivery verb
  (作工作报告, 向大会报告工作, 作《…常务委员会工作报告》) and the committee (1月5日上午,…
  第一次会议举行第二次全体会议,…向大会作工作报告). Dispatch lines and stamps (新华社北京
  3月24日电, 2018年03月24日13:26) are skipped for the next date. A missing year is
  inferred as the session year (below), else from the publication stamp. Without any
  date, a bare session line (——在…第五次会议上) or a sentence telling the delivery at a
  session (…向十三届全国人大一次会议所作的《…工作报告》) still gives the session's number.
  Photo captions (no session) never match.
* **Publication stamp** (publication_stamp): a web or newspaper date among the first
  ``stamp_lines`` lines (2023-03-03 10:23:07, 发布日期:2022-02-16). Never a delivery
  date. When nothing else dates a delivered report (one that speaks to the deputies or
  tells its delivery), the session is taken to be in the stamp's year and month, with
  a warning; for other texts it is the last resort for the period (below).
* **Session year** (when only month and day are stated): the latest year among
  sentences that start with a year (or follow reported speech: 报告指出,2017年,…) and
  speak of plans (2021年,区人大常委会将…) or are neutral (2023年是…开局之年), the years
  of dated events (2024年1月5日,…), and past-year sentences plus one (2020年,… → 2021).
  A year stated in a past-work heading (2023年的主要工作) plus one also counts, and so
  does the year opening the first sentence under a yearless past-work heading (过去一年的
  主要工作 / 2022年是…之年 → 2022, not neutral). Deadlines (2025年底前, 目标) are
  ignored. From ``late_session_month`` on, past years count as they are. Without a
  stated date, the session year is the latest plan year, else the publication stamp's.
* **Report type** (classify_report): ``term_review`` when a term phrase (过去五年,
  本届以来, 五年来, 任期内 …) is in the title or a heading, or recurs in the body more
  often than annual phrases (一年来, 全年 …), or appears at all when the report was
  delivered at the first session of a new congress; it wins over the others. Then
  ``report_excerpt`` for 摘编/摘要/出炉 … in the title or the first lines;
  ``news_summary`` for 综述/纪实 … in the title; ``annual_report`` when the text
  speaks to the deputies (各位代表, 请予审议) or carries a dateline (with or without a
  date); then a journalist's byline makes a write-up of one delivered report (a news
  sentence telling the delivery, 受…委托…向大会作…, or 工作报告 in the title) a
  ``report_excerpt`` and anything else a ``news_summary``; a bare third-person narrative
  of the delivery is a ``report_excerpt``; an undated thematic article with none of
  these markers is a ``news_summary`` (with a warning). Other bodies' reports
  (市长向大会作政府工作报告) are removed before the narrative is looked for.
* **Period** (resolve_period, weighed in ``etl/dating.py``): every cue is a candidate with a weight and
  its sentence: the dateline, held sessions (numbered by ``data/congress_terms.yaml``), the page stamp,
  a 两会 year in the title, review and plan headings, year sentences read with the part they stand in,
  a term review's span or the reviewing committee's term. The best-supported period wins with a
  confidence; disagreeing evidence is reported, and below ``dating.MIN_CONFIDENCE`` the period is left
  empty and the report is pending (待确认).
* **Places** come from the dated division table (``etl.gazetteer``, past names included); a name
  outside it is never the author: the jurisdiction is left empty and the report is pending.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from etl import vocab
from etl.errors import EtlError
from etl.metadata import dating, gazetteer
from etl.metadata.gazetteer import Jurisdiction, PlaceMention
from etl.metadata.sections import cues as section_cues
from etl.metadata.sections import find_sections
from etl.models import ReportMeta, Section
from etl.read.normalize import Normalized, normalize

CUES_FILE = Path(__file__).parent.parent / "data" / "metadata_cues.yaml"

_DASHES = "—–─━-‐‑‒―~～ "
_TITLE_SPLIT = re.compile(r"[—–─━―]+|-{2,}|~{2,}")  # headline——subtitle
_CN_DIGITS = {**dict(zip("〇一二三四五六七八九", range(10), strict=True)), "○": 0, "零": 0}
_YEAR = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})"
_MONTH_DAY = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = rf"(?P<y>{_YEAR})年(?P<m>{_MONTH_DAY})月(?P<d>{_MONTH_DAY})日"
_MAYBE_DATE = rf"(?:(?P<y>{_YEAR})年)?(?P<m>{_MONTH_DAY})月(?P<d>{_MONTH_DAY})日"
_YEAR_MONTH = rf"(?P<y>{_YEAR})年(?P<m>{_MONTH_DAY})月"
_ORDINAL_BEFORE = re.compile(r"第?[一二三四五六七八九十百\d]+届$")
_GENERIC_TYPES = ("自治区", "自治州", "自治县", "省", "市", "区", "县", "州", "旗", "盟")
_SELF_WORDS = {"我": 1.0, "全": 0.5, "本": 0.5}  # 我市, 全区, 本县: the committee's own territory
_TRAD_PROBE_CHARS = 3000


class MetadataCuesError(EtlError):
    """The metadata vocabulary file is missing or malformed."""


@dataclass(frozen=True)
class Cues:
    """The compiled contents of metadata_cues.yaml."""

    committee: re.Pattern
    session: re.Pattern
    title_cues: tuple[str, ...]
    max_title_chars: int
    not_title: tuple[re.Pattern, ...]
    dateline: re.Pattern
    dateline_month: re.Pattern
    date_line: re.Pattern
    session_line: re.Pattern
    date_line_distance: int
    publication_stamps: tuple[re.Pattern, ...]
    stamp_lines: int
    news_date: re.Pattern
    not_delivery_after: re.Pattern
    past_session_after: re.Pattern
    delivery_window: int
    delivery_verbs: tuple[str, ...]
    committee_words: tuple[str, ...]
    other_reports: tuple[str, ...]
    other_before: tuple[str, ...]
    other_after: tuple[str, ...]
    term_heading_phrases: tuple[str, ...]
    term_phrases: tuple[str, ...]
    term_min_body_count: int
    annual_phrases: tuple[str, ...]
    excerpt_words: tuple[str, ...]
    summary_words: tuple[str, ...]
    bylines: tuple[re.Pattern, ...]
    report_title_words: tuple[str, ...]
    delivery_markers: tuple[str, ...]
    delivery_narrative: tuple[re.Pattern, ...]
    past_year_headings: tuple[re.Pattern, ...]
    past_heading_year: re.Pattern
    year_sentence: re.Pattern
    plan_words: tuple[str, ...]
    deadline_words: tuple[str, ...]
    neutral_words: tuple[str, ...]
    late_session_month: int
    term_years: int
    header_chars: int
    lead_chars: int


@functools.lru_cache(maxsize=1)
def load_cues(path: Path = CUES_FILE) -> Cues:
    """Read and compile the vocabulary file once."""
    raw = vocab.load(path, "metadata_cues", error=MetadataCuesError)  # its schema: keys, types, lists

    def words(key: str, section: dict | None = None) -> tuple[str, ...]:
        return tuple((section if section is not None else raw)[key])

    def pattern(text: str, key: str) -> re.Pattern:
        try:
            return re.compile(text)
        except re.error as exc:
            raise MetadataCuesError(f"{path}: `{key}` is not a valid regular expression: {exc}") from exc

    def patterns(key: str) -> tuple[re.Pattern, ...]:
        return tuple(pattern(p, key) for p in words(key))

    def number(key: str) -> int:
        return raw[key]

    try:
        committee = sorted(words("committee_phrases"), key=len, reverse=True)
        term = raw["term_review"]
        cues = Cues(
            committee=re.compile("|".join(map(re.escape, committee))),
            session=pattern(raw["session_pattern"], "session_pattern"),
            title_cues=words("title_cues"),
            max_title_chars=number("max_title_chars"),
            not_title=patterns("not_title_patterns"),
            dateline=pattern(raw["dateline_pattern"].replace("{date}", _DATE), "dateline_pattern"),
            dateline_month=pattern(
                raw["dateline_month_pattern"].replace("{year_month}", _YEAR_MONTH), "dateline_month_pattern"
            ),
            date_line=pattern(raw["date_line_pattern"].replace("{date}", _DATE), "date_line_pattern"),
            session_line=pattern(
                raw["session_line_pattern"].replace("{date}", _DATE), "session_line_pattern"
            ),
            date_line_distance=number("date_line_distance"),
            publication_stamps=patterns("publication_stamp_patterns"),
            stamp_lines=number("stamp_lines"),
            news_date=re.compile(_MAYBE_DATE),
            not_delivery_after=pattern(raw["not_delivery_after_date"], "not_delivery_after_date"),
            delivery_window=number("delivery_window_sentences"),
            past_session_after=pattern(raw["past_session_after"], "past_session_after"),
            delivery_verbs=words("delivery_verbs"),
            committee_words=words("committee_words"),
            other_reports=words("other_reports"),
            other_before=words("other_committee_before"),
            other_after=words("other_committee_after"),
            term_heading_phrases=words("heading_phrases", term),
            term_phrases=words("heading_phrases", term) + words("phrases", term),
            term_min_body_count=int(term.get("min_body_count", 2)),
            annual_phrases=words("annual_phrases"),
            excerpt_words=words("excerpt_title_words"),
            summary_words=words("summary_title_words"),
            bylines=patterns("byline_patterns"),
            report_title_words=words("report_title_words"),
            delivery_markers=words("delivery_markers"),
            delivery_narrative=patterns("delivery_narrative_patterns"),
            past_year_headings=patterns("past_year_heading_patterns"),
            past_heading_year=pattern(raw["past_heading_year_pattern"], "past_heading_year_pattern"),
            year_sentence=pattern(raw["year_sentence_pattern"], "year_sentence_pattern"),
            plan_words=words("plan_words"),
            deadline_words=words("deadline_words"),
            neutral_words=words("neutral_words"),
            late_session_month=number("late_session_month"),
            term_years=dating.load_terms().term_years,  # one copy: congress_terms.yaml
            header_chars=number("header_chars"),
            lead_chars=number("lead_chars"),
        )
    except KeyError as exc:
        raise MetadataCuesError(
            f"{path}: missing key {exc}; compare with the file in the repository"
        ) from exc
    for group in ("inner", "ordinal"):
        if group not in cues.session.groupindex:
            raise MetadataCuesError(f"{path}: session_pattern needs a named group `{group}`")
    for key, p in [("past_heading_year_pattern", cues.past_heading_year)] + [
        ("past_year_heading_patterns", p) for p in cues.past_year_headings
    ]:
        if "year" not in p.groupindex:
            raise MetadataCuesError(f"{path}: {key} needs a named group `year`")
    for p in cues.publication_stamps:
        if not {"y", "m", "d"} <= set(p.groupindex):
            raise MetadataCuesError(f"{path}: publication_stamp_patterns need named groups `y`, `m`, `d`")
    return cues


# -- text preparation --------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    lines: tuple[str, ...]  # cleaned lines: no inner whitespace, leading dashes removed
    subtitles: frozenset[int]  # indices of lines that began with a dash (——…工作报告摘编)
    dense: str  # the lines joined by newlines
    compact: str  # no whitespace at all
    plain: tuple[str, ...]  # the normalized lines as they are, stripped: 2023-03-03 10:23:07
    to_norm: tuple[int, ...] = ()  # for each character of ``dense``, its offset in the normalized text

    def dense_span(self, start: int, end: int) -> tuple[int, int]:
        """A [start, end) span of the normalized text (a section) in ``dense`` coordinates."""
        return bisect.bisect_left(self.to_norm, start), bisect.bisect_left(self.to_norm, end)


_CJK_UNIFIED = re.compile("[\u4e00-\u9fff]")


def _was_traditional(norm: Normalized, probe_chars: int = _TRAD_PROBE_CHARS) -> bool:
    """Whether normalize() converted enough of the opening from traditional script to say so."""
    text = norm.text[:probe_chars]
    cjk = changed = 0
    for i, ch in enumerate(text):
        if _CJK_UNIFIED.match(ch):
            cjk += 1
            changed += norm.raw[norm.to_raw[i]] != ch
    return changed >= 3 and changed / max(cjk, 1) >= 0.02


def _prepare(norm: Normalized, warnings: list[str]) -> _Text:
    """The working views of the pipeline's normalized text (no second normalization: see normalize.py)."""
    if _was_traditional(norm):
        warnings.append("正文为繁体：按规范化（normalize，OpenCC t2s）后的简体文本读取元数据")
    text = norm.text
    plain: list[str] = []
    lines: list[str] = []
    subtitles: set[int] = set()
    to_norm: list[int] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        if i:
            to_norm.append(pos - 1)  # the line break
        plain.append(line.strip())
        kept = [(j, ch) for j, ch in enumerate(line) if not ch.isspace()]
        if kept and kept[0][1] in "—–─━―-~":
            subtitles.add(i)
        while kept and kept[0][1] in _DASHES:
            kept.pop(0)
        lines.append("".join(ch for _, ch in kept))
        to_norm.extend(pos + j for j, _ in kept)
        pos += len(line) + 1
    dense = "\n".join(lines)
    return _Text(
        tuple(lines), frozenset(subtitles), dense, dense.replace("\n", ""), tuple(plain), tuple(to_norm)
    )


_cn_int = dating.cn_int  # Arabic or Chinese numerals (十六, 二〇一九); 0 if malformed


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# -- title -----------------------------------------------------------------------------


def find_title(text: _Text, cues: Cues) -> tuple[str | None, int | None]:
    """The title line and its index among the lines (see the module docstring)."""
    window = [(i, line) for i, line in enumerate(text.lines[:80]) if line]
    tails = "|".join(map(re.escape, cues.excerpt_words + cues.summary_words))
    for cue in cues.title_cues:
        for i, line in window:
            if cue not in line:
                continue
            if len(line) > cues.max_title_chars or "。" in line:
                # A subtitle run together with the next sentence (——…工作报告摘编1月5日上午,…):
                # keep it up to the cue and a digest word after it.
                cut = re.match(rf"(.{{0,50}}?{re.escape(cue)}(?:[((]?(?:{tails})[))]?)?)", line)
                if i not in text.subtitles or not cut or "。" in cut.group(1):
                    continue
                line = cut.group(1)
            if any(p.search(line) for p in cues.not_title):
                continue
            return line, i
    return None, None


# -- jurisdiction ----------------------------------------------------------------------


@dataclass
class _Candidate:
    mention: PlaceMention
    score: float = 0.0
    in_title: bool = False
    at_header_session: bool = False
    in_header: bool = False
    strong: bool = False
    hits: int = 0  # how often it is named at a committee phrase or session
    prefix: tuple[str, ...] = ()  # places written right before it: 南京市 in 南京市鼓楼区


def _prefix_chain(compact: str, start: int) -> tuple[str, ...]:
    names = []
    while len(names) < 3:
        m = gazetteer.name_ending_at(compact, start)
        if not m:
            break
        names.append(m.surface)
        start = m.start
    return tuple(names)


def _generic_type(compact: str, end: int) -> str | None:
    """The kind of committee in a generic phrase ending at ``end``: 市 in 市人大常委会.

    Lists of kinds (各县区人大常委会, 县市区人大常委会) name other committees, not the
    reporting one, and give None.
    """
    head = compact[max(0, end - 3) : end]
    for t in _GENERIC_TYPES:
        if head.endswith(t):
            before = compact[end - len(t) - 1] if end - len(t) >= 1 else ""
            if len(t) == 1 and before and before in "省市区县州旗盟各":
                return None
            return t
    return None


def _names_another_committee(compact: str, place: PlaceMention, phrase_end: int, cues: Cues) -> bool:
    """赴许昌市人大常委会学习, 会同开封、许昌市人大常委会, 在全国人大常委会指导下: not the author."""
    start = place.start
    while (outer := gazetteer.name_ending_at(compact, start)) is not None:  # 河南省许昌市
        start = outer.start
    before = re.split(r"[,;:。!?]", compact[max(0, start - 10) : start])[-1]
    after = re.split(r"[,;:。!?]", compact[phrase_end : phrase_end + 8])[0]
    return any(w in before for w in cues.other_before) or any(w in after for w in cues.other_after)


def _committee_refs(compact: str, cues: Cues) -> tuple[list[tuple[int, PlaceMention, bool]], Counter]:
    """Places named right before a committee phrase (and whether the wording shows another
    committee than the author), and generic self-references by kind."""
    named: list[tuple[int, PlaceMention, bool]] = []
    generic: Counter[str] = Counter()
    for m in cues.committee.finditer(compact):
        end = m.start()
        ordinal = _ORDINAL_BEFORE.search(compact[max(0, end - 8) : end])
        if ordinal:  # 郑州市第十六届人民代表大会常务委员会, 市十五届人大常委会
            end -= len(ordinal.group(0))
        place = _place_before(compact, end)
        before = compact[place.start - 1] if place and place.start > 0 else ""
        if place and gazetteer.is_common_word(place.surface) and before and before in "各全本该":
            place = None  # 各城区人大常委会: a kind of committee, not a place
        if place:
            named.append((m.start(), place, _names_another_committee(compact, place, m.end(), cues)))
        else:
            kind = _generic_type(compact, end)
            if kind:
                generic[kind] += 1
    for word, weight in _SELF_WORDS.items():
        for t in ("市", "区", "县", "州", "省", "旗", "盟"):
            generic[t] += weight * compact.count(word + t)
    return named, generic


def _place_before(compact: str, end: int) -> PlaceMention | None:
    """The place written right before ``end``.

    The division table is dated and keeps past names (宁乡县 and 宁乡市 are both entries), so a name
    is never assembled from a short form and a suffix: 某某作区 is a chairman's name, not a district."""
    return gazetteer.name_ending_at(compact, end)


def _session_refs(compact: str, cues: Cues) -> list[tuple[int, PlaceMention | None, str | None]]:
    """Congress sessions with the place they belong to (or the generic kind: 市十六届人大二次会议)."""
    out = []
    for m in cues.session.finditer(compact):
        inner = m.group("inner")
        place = None
        if inner:
            found = gazetteer.candidates(inner)
            if found:
                place = PlaceMention(inner, m.start("inner"), m.end("inner"), tuple(found[:1]), "full")
        if place is None:
            place = _place_before(compact, m.start())
        kind = None if place else _generic_type(compact, m.start())
        out.append((m.start(), place, kind))
    return out


def _fits(j: Jurisdiction, kind: str) -> bool:
    """Whether a division is of the kind a generic self-reference names (市 → 郑州市, 新郑市)."""
    if kind == "省":
        return j.level == "provincial" and j.name.endswith("省")
    if kind == "区":
        return j.level == "county" and j.name.endswith("区")
    if kind == "州":
        return j.name.endswith("州") and j.level == "prefecture"
    return j.level != "national" and j.name.endswith(kind)


def _unique(m: PlaceMention) -> Jurisdiction | None:
    return m.candidates[0] if len(m.candidates) == 1 else None


def find_jurisdiction(
    text: _Text, title_span: tuple[int, int] | None, cues: Cues, warnings: list[str]
) -> tuple[Jurisdiction | None, bool]:
    """Whose standing committee reports (see the module docstring for the scores), and whether it was
    only inferred from the places the body names (no committee named with its place up front)."""
    compact = text.compact
    header_end = cues.header_chars
    named, generic = _committee_refs(compact, cues)
    sessions = _session_refs(compact, cues)
    for _pos, _place, kind in sessions:
        if kind:
            generic[kind] += 1
    top = generic.most_common(1)
    own_kind = top[0][0] if top and top[0][1] >= 2 else None  # 市 from 市人大常委会 …, 我市, 全市

    pool: dict[tuple, _Candidate] = {}

    def add(pos: int, place: PlaceMention, session: bool, other: bool = False) -> None:
        key = tuple(j.code for j in place.candidates)  # 郑州市 and 郑州 add up
        cand = pool.setdefault(key, _Candidate(place, prefix=_prefix_chain(compact, place.start)))
        cand.hits += 1
        if other:  # 赴许昌市人大常委会学习: a mention wherever it stands
            cand.score += 2
        elif title_span and title_span[0] <= pos < title_span[1]:
            cand.score += 100
            cand.in_title = True
        elif pos < (header_end if session else cues.lead_chars) or (
            title_span and title_span[1] <= pos < title_span[1] + cues.lead_chars
        ):
            cand.score += 50 if session else 10
            cand.at_header_session |= session
            cand.in_header = True
        else:
            cand.score += 3 if session else 2

    for pos, place, other in named:
        add(pos, place, False, other)
    for pos, place, _kind in sessions:
        if place:
            add(pos, place, True)
    for cand in pool.values():
        fits = own_kind is None or any(_fits(j, own_kind) for j in cand.mention.candidates)
        if own_kind and fits:
            cand.score += 15
        # Named in the opening, but of another kind than the committee calls itself
        # (在全国人大常委会和省人大常委会指导下 in a 市人大常委会 text): a mention, not the author.
        cand.strong = cand.in_title or cand.at_header_session or (cand.in_header and fits)

    if any(c.strong for c in pool.values()):
        best = max(pool.values(), key=lambda c: c.score)
        # The places named in the whole text: only needed (and only scanned for) when the name is ambiguous.
        found = _resolve(best, lambda: gazetteer.context_names(compact), warnings)
        if not found:
            warnings.append(f"地区名“{best.mention.surface}”有歧义：未选定地区")
        return found, False

    unknown = _unknown_division(compact, title_span, cues)
    if unknown:  # never a string assembled from the title: the report waits for an analyst
        warnings.append(f"地区待确认：标题中的“{unknown}”不在行政区划表中（含历史名称）")
        return None, False

    # No committee is named with its place in the header: the place of the committee's kind
    # that the text names most, where naming it at a committee phrase counts as a mention too
    # (a report that visits 许昌市人大常委会 once is still 鹤壁's if it names 鹤壁 throughout).
    counts: Counter[str] = Counter()
    for m in gazetteer.find_in(compact):
        j = _unique(m)
        if j is None or (own_kind and not _fits(j, own_kind)):
            continue
        counts[j.code] += 2 if m.kind == "full" else 1
    for cand in pool.values():
        j = _unique(cand.mention)
        if j is not None and (not own_kind or _fits(j, own_kind)):
            counts[j.code] += 2 * cand.hits
    if counts:
        code, _n = counts.most_common(1)[0]
        j = gazetteer.by_code(code)
        warnings.append(f"地区“{j.name}”由正文地名推断：标题和开头未写明常委会所属地区")
        return j, True
    warnings.append("未找到所属地区：未写明常委会所属地区，正文也未提到同级地名")
    return None, False


def _unknown_division(compact: str, span: tuple[int, int] | None, cues: Cues) -> str | None:
    """The name of a division the table does not know, written in the title before the committee
    phrase (深圳市前海区人大常委会工作报告 → 前海区): never the author, but worth a warning."""
    if span is None:
        return None
    title = compact[span[0] : span[1]]
    phrase = cues.committee.search(title)
    if not phrase:
        return None
    # the whole run of Chinese characters before the phrase, not after a number (2023年市…)
    head = re.search(r"(?<![\u4e00-\u9fff\d])[\u4e00-\u9fff]{2,12}$", title[: phrase.start()])
    if not head or head.group(0)[-1] not in "区县市旗州盟" or head.group(0)[0] in "全我本各该省市区县州旗盟":
        return None  # 全区人大常委会, 市区人大常委会: generic, not a name
    name = head.group(0)
    while True:  # strip the known places written before it: 深圳市 in 深圳市前海区
        prefix = next((m for m in gazetteer.find_in(name, include_common_words=True) if m.start == 0), None)
        if prefix is None or prefix.end >= len(name) or len(prefix.candidates) != 1:
            break
        name = name[prefix.end :]
    if len(name) < 2 or gazetteer.candidates(name):
        return None
    return name


def _resolve(cand: _Candidate, context: Callable[[], list[str]], warnings: list[str]) -> Jurisdiction | None:
    m = cand.mention
    if len(m.candidates) == 1:
        return m.candidates[0]
    j = gazetteer.resolve(m.surface, list(cand.prefix) * 5 + context())
    if j:
        warnings.append(f"“{m.surface}”对应{len(m.candidates)}个行政区划：根据上下文选定{j.parent}{j.name}")
    return j


def title_span(text: _Text, title: str | None, index: int | None) -> tuple[int, int] | None:
    """Offsets of the title in the compact text (the title is a prefix of its line)."""
    if title is None or index is None:
        return None
    start = sum(len(line) for line in text.lines[:index])
    return start, start + len(title)


# -- dates and years ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Years:
    past: tuple[int, ...]  # years opening past-work sentences, in order
    dated: tuple[int, ...]  # years of full dates opening a sentence (2023年5月8日,…): events
    plan: tuple[int, ...]
    neutral: tuple[int, ...]
    headings: tuple[int, ...]  # years named in past-work headings or the title


def _years(text: _Text, title: str | None, cues: Cues) -> _Years:
    past, dated, plan, neutral, headings = [], [], [], [], []
    # 过去一年的主要工作 / 2022年是…: the year that opens the section is the one reviewed
    after_heading = {
        m.start("year"): int(m.group("year")) for m in cues.past_heading_year.finditer(text.dense)
    }
    for m in cues.year_sentence.finditer(text.dense):
        year, rest = int(m.group("year")), m.group("rest")
        if m.start("year") in after_heading:
            continue
        if any(w in rest[:12] for w in cues.deadline_words):
            continue
        if re.match(r"\d{1,2}月", rest):  # 2023年5月8日,… an event (or the dateline itself)
            dated.append(year)
        elif any(rest.startswith(w) for w in cues.neutral_words):
            neutral.append(year)
        elif any(w in rest[:40] for w in cues.plan_words):
            plan.append(year)
        else:
            past.append(year)
    lines = [line for line in text.lines if line and len(line) <= cues.max_title_chars]
    if title:
        lines[:0] = [title] + [p for p in _TITLE_SPLIT.split(title) if p and p != title]
    for line in lines:
        for p in cues.past_year_headings:
            hm = p.search(line)
            if hm:
                headings.append(int(hm.group("year")))
                break
    headings += after_heading.values()
    return _Years(tuple(past), tuple(dated), tuple(plan), tuple(neutral), tuple(headings))


def _session_year(years: _Years, month: int | None, cues: Cues) -> int | None:
    """The year of a session whose date states only month and day."""
    late = month is not None and month >= cues.late_session_month
    shift = 0 if late else 1
    options = list(years.plan) + list(years.neutral) + list(years.dated)
    options += [y + shift for y in years.past] + [y + shift for y in years.headings]
    return max(options) if options else None


def _header_regions(text: _Text, span: tuple[int, int] | None, cues: Cues) -> list[tuple[int, int]]:
    """Where a report states its own facts: the opening, and the lines after the title."""
    regions = [(0, min(cues.header_chars, len(text.compact)))]
    if span and span[0] >= regions[0][1] - cues.header_chars // 2:
        regions.append((max(0, span[0] - 200), min(len(text.compact), span[1] + cues.header_chars // 2)))
    return regions


@dataclass(frozen=True)
class _Delivery:
    """When the report was delivered, as far as the text says."""

    date: dt.date | None = None
    ordinal: str | None = None  # the session's number: 一 for the first session of a new congress
    dateline: bool = False  # stated by the report's own dateline
    news: bool = False  # told by a news sentence (1月5日上午,…向大会作工作报告)
    year: int | None = None  # the session's year and month, also from a dateline without a day
    month: int | None = None
    day: int | None = None  # the day when the date has no year
    explicit: bool = False  # the year is written in the date itself (not inferred)


def _header_lines(text: _Text, regions: list[tuple[int, int]]) -> list[int]:
    """Indices of the non-empty lines that start inside one of the header regions."""
    out, offset = [], 0
    for i, line in enumerate(text.lines):
        if line and any(a <= offset < b for a, b in regions):
            out.append(i)
        offset += len(line)
    return out


def _date_of(m: re.Match) -> dt.date | None:
    return _make_date(_cn_int(m.group("y")), _cn_int(m.group("m")), _cn_int(m.group("d")))


def _line_dateline(text: _Text, regions: list[tuple[int, int]], cues: Cues) -> _Delivery | None:
    """A dateline on its own lines: (2020年4月22日) before or after ——在温州市第十三届人民代表大会
    第五次会议上, or the date in parentheses at the end of the session line. A session line
    without any date still marks a delivered report and numbers its session (``date`` None)."""
    header = _header_lines(text, regions)
    undated = None
    for k, i in enumerate(header):
        line = text.lines[i]
        at_session = cues.session_line.match(line)
        if at_session:
            session = cues.session.search(line)
            ordinal = session.group("ordinal") if session else None
            date = _date_of(at_session) if at_session.group("y") else None
            if date:
                return _Delivery(
                    date, ordinal, dateline=True, year=date.year, month=date.month, explicit=True
                )
            undated = undated or _Delivery(None, ordinal, dateline=True)
        m = cues.date_line.match(line)
        if not m or not (date := _date_of(m)):
            continue
        lo, hi = max(0, k - cues.date_line_distance), k + cues.date_line_distance + 1
        for j in header[lo:k] + header[k + 1 : hi]:
            if cues.session_line.match(text.lines[j]):
                session = cues.session.search(text.lines[j])
                ordinal = session.group("ordinal") if session else None
                return _Delivery(
                    date, ordinal, dateline=True, year=date.year, month=date.month, explicit=True
                )
    return undated


def publication_stamp(text: _Text, cues: Cues) -> dt.date | None:
    """A web or newspaper publication date among the first lines (2023-03-03 10:23:07)."""
    lines = [line for line in text.plain if line][: cues.stamp_lines]
    for line in lines:
        for p in cues.publication_stamps:
            for m in p.finditer(line):
                date = _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
                if date:
                    return date
    return None


def find_delivered(
    text: _Text,
    span: tuple[int, int] | None,
    years: _Years,
    stamp: dt.date | None,
    cues: Cues,
    warnings: list[str],
) -> _Delivery:
    """The delivery date and session, from the report's dateline or a news sentence.

    Only the header regions are read: a date deeper in the text is an event.
    """
    compact = text.compact
    regions = _header_regions(text, span, cues)
    for start, end in regions:
        for m in cues.dateline.finditer(compact, start, end):
            date = _date_of(m)
            if date:
                session = cues.session.search(m.group(0))
                ordinal = session.group("ordinal") if session else None
                return _Delivery(
                    date, ordinal, dateline=True, year=date.year, month=date.month, explicit=True
                )
    on_lines = _line_dateline(text, regions, cues)
    if on_lines and on_lines.date:
        return on_lines
    for start, end in regions:
        for m in cues.dateline_month.finditer(compact, start, end):
            year, month = _cn_int(m.group("y")), _cn_int(m.group("m"))
            if 1900 < year and 1 <= month <= 12:
                session = cues.session.search(m.group(0))
                warnings.append(f"落款写明{year}年{month}月但未写日：报告日期留空")
                ordinal = session.group("ordinal") if session else None
                return _Delivery(None, ordinal, dateline=True, year=year, month=month, explicit=True)

    for start, end in regions:
        dates = list(cues.news_date.finditer(compact, start, end))
        for k, m in enumerate(dates):
            if cues.not_delivery_after.match(compact, m.end()):
                continue  # 新华社北京3月8日电, 2018年03月24日13:26 来源:…
            window = _sentences_from(compact, m.start(), cues.delivery_window)
            if k + 1 < len(dates):  # up to the next date: another day's events
                window = window[: max(0, dates[k + 1].start() - m.start())]
            session = _held_session(window[:160], cues)
            if not session or not _tells_delivery(window, cues):
                continue
            month, day = _cn_int(m.group("m")), _cn_int(m.group("d"))
            ordinal = session.group("ordinal")
            year = _cn_int(m.group("y")) if m.group("y") else None
            explicit = year is not None
            if year is None:
                year = _session_year(years, month, cues)
                from_stamp = None
                if stamp is not None:  # published on or after the delivery
                    from_stamp = stamp.year if (month, day) <= (stamp.month, stamp.day) else stamp.year - 1
                if year is None and from_stamp is not None:
                    year = from_stamp
                    warnings.append(f"报告年份{year}年由发布日期{stamp.isoformat()}推断")
                elif year is None:
                    warnings.append(f"报告于{month}月{day}日作出，但无法推断年份")
                    return _Delivery(None, ordinal, news=True, month=month, day=day)
                else:
                    warnings.append(f"报告年份{year}年由正文中出现的年份推断")
                    if from_stamp is not None and from_stamp != year:
                        warnings.append(f"发布日期{stamp.isoformat()}提示报告年份为{from_stamp}年")
            date = _make_date(year, month, day)
            return _Delivery(date, ordinal, news=True, year=year, month=month, explicit=explicit)
    if on_lines:  # ——在温州市第十三届人民代表大会第五次会议上, with no date anywhere
        warnings.append("落款写明了会议但未写日期")
        return on_lines
    # No date, but the header tells the delivery at a session (…向十三届全国人大一次会议所作的
    # 《全国人民代表大会常务委员会工作报告》): its number still says whether a term ended.
    for start, end in regions:
        for sentence in re.split(r"(?<=[。!?])", compact[start:end]):
            session = _held_session(sentence, cues)
            if session and _tells_delivery(sentence, cues):
                return _Delivery(None, session.group("ordinal"), news=True)
    return _Delivery()


def _held_session(text: str, cues: Cues) -> re.Match | None:
    """The first session in ``text`` that is being held, not one referred back to
    (市五届人大一次会议以来, 十五届人大四次会议确定的任务)."""
    for m in cues.session.finditer(text):
        if not cues.past_session_after.match(text, m.end()):
            return m
    return None


def _tells_delivery(window: str, cues: Cues) -> bool:
    """Whether one sentence of ``window`` says the committee's report was delivered."""
    for sentence in re.split(r"(?<=[。!?])", window):
        sentence = _without_other_reports(sentence, cues)
        if any(v in sentence for v in cues.delivery_verbs) and any(
            w in sentence for w in cues.committee_words
        ):
            return True
    return False


def _sentences_from(compact: str, start: int, count: int) -> str:
    end = start
    for _ in range(count):
        nxt = re.search(r"[。!?]", compact[end:])
        if not nxt:
            return compact[start:]
        end += nxt.end()
    return compact[start:end]


# -- report type -------------------------------------------------------------------------


def _is_heading(line: str) -> bool:
    return 0 < len(line) <= 30 and "。" not in line


def is_term_review(text: _Text, title: str | None, first_session: bool, cues: Cues) -> bool:
    """Whether the past-work part covers a whole term (see the module docstring)."""
    heads = [title or ""] + [line for line in text.lines if _is_heading(line)]
    if any(p in h for h in heads for p in cues.term_heading_phrases):
        return True
    term = sum(text.compact.count(p) for p in cues.term_phrases)
    annual = sum(text.compact.count(p) for p in cues.annual_phrases)
    if term >= cues.term_min_body_count and term > annual:
        return True
    # The first session of a new congress hears the outgoing committee's review of its whole term.
    return first_session and (term > 0 or annual == 0)


def classify_report(
    text: _Text, title: str | None, term: bool, delivery: _Delivery, cues: Cues, warnings: list[str]
) -> str:
    """One of term_review, report_excerpt, news_summary, annual_report (order in the module docstring)."""
    if term:
        return "term_review"
    head_lines = [title or ""] + [line for line in text.lines[:8] if _is_heading(line)]
    if any(w in line for line in head_lines for w in cues.excerpt_words):
        return "report_excerpt"
    if title and any(w in title for w in cues.summary_words):
        return "news_summary"
    compact = text.compact
    if delivery.dateline or any(w in compact for w in cues.delivery_markers):
        return "annual_report"
    spoken = _without_other_reports(compact, cues)  # 市长向大会作政府工作报告 is not the committee's
    narrative = delivery.news or any(p.search(spoken) for p in cues.delivery_narrative)
    if any(p.search(text.dense) for p in cues.bylines):
        if narrative or (title and any(w in title for w in cues.report_title_words)):
            return "report_excerpt"
        return "news_summary"
    if narrative:
        return "report_excerpt"
    opening = re.split(r"(?<=[。!?])", compact[:300])[:2]
    if (
        title is None
        and not cues.session.search(compact[:300])
        and any(re.match(r"\d{4}年是", s) or s.startswith(cues.annual_phrases) for s in opening)
        and any(w in compact[:400] for w in cues.committee_words)
    ):
        # No title, byline or frame, but the committee's own account of its year (市人大常委会坚持…):
        # the body of a report posted without its frame.
        warnings.append("无标题、署名或报告会议标记，正文为常委会工作陈述：按报告摘要（report_excerpt）处理")
        return "report_excerpt"
    warnings.append("无标题、署名或报告会议标记：按专题新闻稿（news_summary）处理")
    return "news_summary"


# -- period ------------------------------------------------------------------------------


def _province_of(before: str, inner: str) -> str | None:
    """The province a session or committee phrase names (河南省第十四届…, 十四届河南省人大…)."""
    for part in (inner, before):
        if not part:
            continue
        found = [m for m in gazetteer.find_in(part) if len(m.candidates) == 1]
        if found and found[-1].candidates[0].level == "provincial":
            return found[-1].candidates[0].name
    return None


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
    first_session = (delivery.ordinal is not None and _cn_int(delivery.ordinal) == 1) or (
        bool(held) and held[0].number == 1
    )
    term = is_term_review(prepared, title, first_session, cues)
    late = delivery.month is not None and delivery.month >= cues.late_session_month

    session_votes: list[tuple[str, int, float, str]] = []
    if delivery.explicit and delivery.year:
        session_votes.append(("dateline", delivery.year, 1.0, _evidence_of_date(prepared, delivery)))
    for sess in held:
        if sess.year is None:
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
        year = dating.stamp_session_year(stamp, delivery.month, day)
        if delivery.month is None and stamp.month >= cues.late_session_month:
            year += 1  # published late in the year: the year it reviews is its own
        stamp_vote = ("stamp", year, 0.5, f"发布日期 {stamp.isoformat()}")
        if _is_delivered_text(prepared, delivery, cues):
            session_votes.append(stamp_vote)
            stamp_vote = None

    plans = [prepared.dense_span(sec.start, sec.end) for sec in parts if sec.kind == "plans"]
    skip = frozenset({delivery.year} if delivery.explicit and delivery.year else set())
    vocabulary = dating.YearWords(cues.past_year_headings, section_cues().plan_heading, cues.plan_words)
    votes = dating.year_candidates(dense, prepared.lines, title, plans, vocabulary, skip)
    if term:
        last = max((v[1] for v in session_votes), default=None)
        votes += dating.span_candidates(compact, last, terms)
        votes += dating.committee_terms(compact, _province_of, name, level, terms, None)
    if stamp_vote and not votes and not session_votes:  # an article's page date: the last resort
        session_votes.append(stamp_vote)
    res = dating.resolve(votes, session_votes, term, late, terms)
    sources = {c.source for c in res.chosen}
    if res.period_end is not None and sources == {"stamp"}:
        warnings.append(
            f"报告期{_span_text(res.period_start, res.period_end)}由发布日期{stamp.isoformat()}推断"
        )
    elif res.period_end is not None and not sources & {
        "dateline",
        "session",
        "stamp",
        "lianghui",
        "inferred",
    }:
        warnings.append(
            f"正文未注明日期：报告期{_span_text(res.period_start, res.period_end)}取自回顾工作语句或标题中的年份"
        )
    # The report's own local congress session, which the term table cannot number (市第十五届…第三次会议):
    # kept in the evidence, so the database can date it from what other reports taught (session_terms).
    if (
        held
        and held[0].year is None
        and held[0].body in (None, name)
        and level not in ("national", "provincial")
    ):
        res.local_session = held[0]
    # A local congress that states both its session and the year teaches the term table.
    local = [
        s for s in held if s.year is None and s.body and s.body == name and level in ("prefecture", "county")
    ]
    if (
        local
        and res.period_end is not None
        and res.confidence >= 0.8
        and any(v.source in ("dateline", "stamp") for v in res.chosen)
    ):
        sess = local[0]
        res.term_start_learned = (name, sess.term, res.session_year - sess.number + 1)
    if res.conflicts and res.period_end is not None:
        others = sorted({dating.describe(c)["value"] for c in res.conflicts})
        warnings.append(
            f"报告期有相互矛盾的线索：取{_span_text(res.period_start, res.period_end)}，另有{'、'.join(others)}"
        )
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


# -- entry point -------------------------------------------------------------------------


def extract_metadata(
    text: Normalized | str, source_file: str = "", parts: Sequence[Section] | None = None
) -> ReportMeta:
    """Report metadata (title, jurisdiction, period, type, delivery date) from a report's text.

    ``text`` is the pipeline's normalized text (``normalize()``'s result); a plain string is
    normalized here the same way. ``parts`` are the report's parts found in that text before any
    period is known (``find_sections(norm.text, None, None)``); found here when not given. Anything
    uncertain is listed in ``warnings`` (without the file name: ``source_file`` is accepted so callers
    can pass it, and the caller attaches the warnings to its report). A field that cannot be resolved
    with confidence is left empty and listed in ``pending``.
    """
    cues = load_cues()
    warnings: list[str] = []
    norm = text if isinstance(text, Normalized) else normalize(text)
    if parts is None:
        parts = find_sections(norm.text, None, None)
    prepared = _prepare(norm, warnings)
    title, title_index = find_title(prepared, cues)
    if title is None:
        warnings.append("未找到标题行")

    span = title_span(prepared, title, title_index)
    jurisdiction, inferred_place = find_jurisdiction(prepared, span, cues, warnings)
    years = _years(prepared, title, cues)
    stamp = publication_stamp(prepared, cues)
    delivery = find_delivered(prepared, span, years, stamp, cues, warnings)

    res, term = resolve_period(prepared, title, jurisdiction, delivery, stamp, cues, warnings, parts)
    report_type = classify_report(prepared, title, term, delivery, cues, warnings)
    delivered = delivery.date
    if delivered is not None and not delivery.explicit and res.session_year and res.period_end is not None:
        if delivered.year != res.session_year:  # the year was a guess: the weighed session year wins
            delivered = _make_date(res.session_year, delivered.month, delivered.day)
    elif (
        delivered is None
        and delivery.month
        and delivery.day
        and res.session_year
        and res.period_end is not None
    ):
        delivered = _make_date(res.session_year, delivery.month, delivery.day)

    meta = ReportMeta(
        title=title,
        period_start=res.period_start,
        period_end=res.period_end,
        report_type=report_type,
        delivered=delivered,
        warnings=warnings,
    )
    meta.evidence["period"] = {
        "value": None if res.period_end is None else _span_text(res.period_start, res.period_end),
        "confidence": res.confidence,
        "source": ",".join(sorted({c.source for c in res.chosen})) or None,
        "sentence": max(res.chosen, key=lambda c: c.weight).sentence if res.chosen else None,
        "conflicts": [dating.describe(c) for c in res.conflicts],
        "suggested": None if res.suggested is None else list(res.suggested),
        "session_year": res.session_year,
    }
    if res.term_start_learned:
        meta.evidence["learned_term"] = list(res.term_start_learned)
    if res.local_session is not None:
        sess = res.local_session
        meta.evidence["session"] = {
            "term": sess.term,
            "number": sess.number,
            "body": sess.body,
            "sentence": sess.sentence,
        }
    if res.period_end is None:
        meta.pending.append("period")
    j_conf = 0.0
    if jurisdiction:
        meta.jurisdiction = jurisdiction.name
        meta.level = jurisdiction.level
        meta.parent = jurisdiction.parent
        meta.province = jurisdiction.province
        meta.code = jurisdiction.code or None
        j_conf = 0.6 if inferred_place else (0.7 if not jurisdiction.code else 0.95)
    else:
        meta.pending.append("jurisdiction")
    meta.evidence["jurisdiction"] = {
        "value": meta.jurisdiction,
        "confidence": j_conf,
        "source": "body_names" if inferred_place else ("title_or_header" if jurisdiction else None),
        "sentence": title,
    }
    meta.evidence["delivered"] = {
        "value": delivered.isoformat() if delivered else None,
        "confidence": 1.0 if delivery.explicit else (0.7 if delivered else 0.0),
        "source": "dateline" if delivery.dateline else ("news" if delivery.news else None),
    }
    meta.evidence["report_type"] = {"value": report_type, "confidence": 0.8, "source": "wording"}
    meta.status = "pending" if meta.pending else "ok"
    return meta


def _is_delivered_text(text: _Text, delivery: _Delivery, cues: Cues) -> bool:
    """Whether the text is (or retells) a report delivered to a congress session."""
    if delivery.ordinal is not None or delivery.news or any(w in text.compact for w in cues.delivery_markers):
        return True
    return any(p.search(_without_other_reports(text.compact, cues)) for p in cues.delivery_narrative)


def _without_other_reports(text: str, cues: Cues) -> str:
    for other in cues.other_reports:
        text = text.replace(other, "")
    return text
