"""When the report was delivered: its dateline or a news sentence, the page's publication stamp, the
session year.

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
  ``stamp_lines`` lines (2023-03-03 10:23:07, 发布日期:2022-02-16, a mirror's day-first
  27.04.2017 09:13). Never a delivery
  date, and none on a document-sharing site (``upload_site_markers``: 网友上传, 范文), whose page date is
  the upload's. When nothing else dates a delivered report (one that speaks to the deputies or
  tells its delivery), the session is taken to be in the stamp's year and month, with
  a warning; for other texts it is the last resort for the period (below).
* **Session year** (when only month and day are stated): the latest year among
  sentences that start with a year (or follow reported speech: 报告指出,2017年,…) and
  speak of plans (2021年,区人大常委会将…) or are neutral (2023年是…开局之年), the years
  of dated events (2024年1月5日,…), and past-year sentences plus one (2020年,… → 2021).
  A year stated in a past-work heading (2023年的主要工作) plus one also counts, and so
  does the year opening the first sentence under a yearless past-work heading (过去一年的
  主要工作 / 2022年是…之年 → 2022, not neutral). Deadlines (2025年底前, 目标) are
  ignored. A neutral year told after the year before it (2019年是… then 2020年是…收官之年) is a
  plan year. From ``late_session_month`` on, past years count as they are and plan years as
  the year before (a December session plans for the next year). Without a
  stated date, the session year is the latest plan year, else the publication stamp's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from etl.metadata.cues import Cues
from etl.metadata.text import _cn_int, _make_date, _Text

_TITLE_SPLIT = re.compile(r"[—–─━―]+|-{2,}|~{2,}")  # headline——subtitle


@dataclass(frozen=True)
class _Years:
    past: tuple[int, ...]  # years opening past-work sentences, in order
    dated: tuple[int, ...]  # years of full dates opening a sentence (2023年5月8日,…): events
    plan: tuple[int, ...]
    neutral: tuple[int, ...]
    headings: tuple[int, ...]  # years named in past-work headings or the title


def _years(text: _Text, title: str | None, cues: Cues) -> _Years:
    past: list[int] = []
    dated: list[int] = []
    plan: list[int] = []
    neutral: list[int] = []
    headings: list[int] = []
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
            # 2019年是…之年 … 2020年是…收官之年: a year told after the year before it speaks of the coming
            # year (the review comes first), whatever month the session is in
            if year - 1 in neutral or year - 1 in past:
                plan.append(year)
            elif _told_done(text.dense, m.end()):
                # 2025年,是“十四五”收官之年…。县人大常委会…圆满完成了…任务: the year the next sentence
                # reports done is the one reviewed (the session is in the year after it)
                past.append(year)
            else:
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


# What a sentence reports as done (圆满完成了…任务, 取得了…成效), and its future (将…): a year said to be
# something (2025年,是…收官之年) followed by a sentence telling its work done is the year reviewed.
_DONE = re.compile(r"完成了|取得了|实现了|作出了|圆满完成")
_WILL = re.compile(r"将(?!近)")


def _told_done(dense: str, end: int) -> bool:
    """Whether the sentence after the one ending past ``end`` reports work done, without plan words."""
    stop = dense.find("。", end)
    if stop < 0:
        return False
    nxt_end = dense.find("。", stop + 1)
    nxt = dense[stop + 1 : nxt_end if nxt_end >= 0 else len(dense)]
    return bool(_DONE.search(nxt)) and not _WILL.search(nxt)


def _session_year(years: _Years, month: int | None, cues: Cues) -> int | None:
    """The year of a session whose date states only month and day."""
    late = month is not None and month >= cues.late_session_month
    shift = 0 if late else 1
    # a session late in the year (December) plans for the year after its own
    options = [y + shift - 1 for y in years.plan] + list(years.neutral) + list(years.dated)
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
    if any(cues.upload_site.search(line) for line in lines):
        return None  # a document site's upload date (时间:2022-02-12 over a 2008 report)
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
    year: int | None
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
                from_stamp, page_date = None, ""
                if stamp is not None:  # published on or after the delivery
                    from_stamp = stamp.year if (month, day) <= (stamp.month, stamp.day) else stamp.year - 1
                    page_date = stamp.isoformat()
                if year is None and from_stamp is not None:
                    year = from_stamp
                    warnings.append(f"报告年份{year}年由发布日期{page_date}推断")
                elif year is None:
                    warnings.append(f"报告于{month}月{day}日作出，但无法推断年份")
                    return _Delivery(None, ordinal, news=True, month=month, day=day)
                else:
                    warnings.append(f"报告年份{year}年由正文中出现的年份推断")
                    if from_stamp is not None and from_stamp != year:
                        warnings.append(f"发布日期{page_date}提示报告年份为{from_stamp}年")
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


def session_day(compact: str, cues: Cues) -> tuple[int, int | None] | None:
    """The month and day of a congress session the header tells being held (12月9日上午,东山县第十八届人民
    代表大会第一次会议举行…), whether or not it says the committee's report was delivered there."""
    for m in cues.news_date.finditer(compact, 0, cues.header_chars):
        if cues.not_delivery_after.match(compact, m.end()):
            continue
        if _held_session(_sentences_from(compact, m.start(), 1)[:160], cues):
            month = _cn_int(m.group("m"))
            day = _cn_int(m.group("d")) if m.group("d") else None
            return (month, day) if 1 <= month <= 12 else None
    return None


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


def _is_delivered_text(text: _Text, delivery: _Delivery, cues: Cues) -> bool:
    """Whether the text is (or retells) a report delivered to a congress session."""
    addressed = any(p.search(text.compact) for p in cues.delivery_markers)  # 各位代表:
    if delivery.ordinal is not None or delivery.news or addressed:
        return True
    return any(p.search(_without_other_reports(text.compact, cues)) for p in cues.delivery_narrative)


def _without_other_reports(text: str, cues: Cues) -> str:
    for other in cues.other_reports:
        text = text.replace(other, "")
    return text
