"""The report type: term review, annual report, excerpt of one, or news summary.

* **Report type** (classify_report): ``term_review`` when a term phrase (过去五年,
  本届以来, 五年来, 过去4年, 任期内 …) is in the title or a heading, or recurs in the body more
  often than annual phrases (一年来, 全年 …), or appears at all when the report was
  delivered at the first session of a new congress; it wins over the others. A phrase
  inside 换届以来 does not count, and a report delivered at a second or later session of
  its own congress is never a term review (the outgoing committee reviews its term at the
  new congress's first session; the new committee's first report, at the second, looks back
  on the months since the election). A term review spans the years the text states
  (任期的四年, 四年来, 六年来 when an election was put off: ``term_length``), else the constitutional
  five. Then
  ``report_excerpt`` for 摘编/摘要/出炉 … in the title or the first lines;
  ``news_summary`` for 综述/纪实 … in the title; ``annual_report`` when the text
  speaks to the deputies (各位代表: as an address, 请予审议) or carries a dateline (with or without a
  date); then a journalist's byline makes a write-up of one delivered report (a news
  sentence telling the delivery, 受…委托…向大会作…, or 工作报告 in the title) a
  ``report_excerpt`` and anything else a ``news_summary``; without a byline, the report's own
  frame in its first lines (the speaker line 徐汇区人大常委会主任 李新华, the heading 2024年的主要
  工作) makes an untitled opening an ``annual_report``; a bare third-person narrative
  of the delivery is a ``report_excerpt``; so is an untitled body (read past any heading line the
  page kept, 主要工作) that opens with the committee's own account of its year (2024年是…, 一年来…);
  an undated thematic article with none of
  these markers is a ``news_summary`` (with a warning). Other bodies' reports
  (市长向大会作政府工作报告) are removed before the narrative is looked for.
"""

from __future__ import annotations

import re

from etl.metadata.cues import Cues
from etl.metadata.delivery import _Delivery, _without_other_reports
from etl.metadata.text import _cn_int, _Text


def other_body_speaker(text: str, cues: Cues) -> str | None:
    """The speaker's words when the text is another body's own work report (我代表最高人民检察院向大会
    报告工作, 我代表政协…常务委员会,向大会报告工作) and nowhere speaks for a people's congress standing
    committee; None for everything else (a committee's report, a news item, a text without a speaker)."""
    compact = re.sub(r"\s+", "", text[: cues.speaker_chars * 2])[: cues.speaker_chars]
    if any(p.search(compact) for p in cues.own_speaker):
        return None
    for p in cues.other_body_speaker:
        m = p.search(compact)
        if m:
            return m.group(0)
    return None


def _is_heading(line: str) -> bool:
    return 0 < len(line) <= 30 and "。" not in line


def _masked(s: str, cues: Cues) -> str:
    """``s`` with the words that hide a term phrase (换届以来) blanked out."""
    for word in cues.term_masks:
        s = s.replace(word, "|" * len(word))
    return s


def is_term_review(text: _Text, title: str | None, session_number: int | None, cues: Cues) -> bool:
    """Whether the past-work part covers a whole term (see the module docstring).

    ``session_number`` is the number of the report's own congress session where the text states
    it (1 for the first session of a new congress)."""
    if session_number is not None and session_number >= 2:
        return False  # the new committee reports at the second session and later: never a term review
    first_session = session_number == 1
    heads = [_masked(h, cues) for h in [title or ""] + [line for line in text.lines if _is_heading(line)]]
    if any(p in h for h in heads for p in cues.term_heading_phrases):
        return True
    compact = _masked(text.compact, cues)
    term = sum(compact.count(p) for p in cues.term_phrases)
    annual = sum(text.compact.count(p) for p in cues.annual_phrases)
    if term >= cues.term_min_body_count and term > annual:
        return True
    # The first session of a new congress hears the outgoing committee's review of its whole term.
    return first_session and (term > 0 or annual == 0)


def term_length(text: _Text, default: int, cues: Cues) -> int:
    """The years a term review spans as its text states them (任期的四年, 四年来 → 4), the most often
    stated number winning (the longer one on a tie); ``default`` when none is stated."""
    counts: dict[int, int] = {}
    for m in cues.term_length.finditer(text.compact):
        n = _cn_int(m.group("n") or m.group("since"))
        counts[n] = counts.get(n, 0) + 1
    if not counts:
        return default
    return max(counts, key=lambda n: (counts[n], n))


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
    if delivery.dateline or any(p.search(compact) for p in cues.delivery_markers):
        return "annual_report"
    spoken = _without_other_reports(compact, cues)  # 市长向大会作政府工作报告 is not the committee's
    narrative = delivery.news or any(p.search(spoken) for p in cues.delivery_narrative)
    if any(p.search(text.dense) for p in cues.bylines):
        if narrative or (title and any(w in title for w in cues.report_title_words)):
            return "report_excerpt"
        return "news_summary"
    if any(p.match(line) for line in text.lines[: cues.report_frame_lines] for p in cues.report_frame_line):
        # The report's own speaker line or past-work heading; the page cut off its title and 各位代表.
        return "annual_report"
    if narrative:
        return "report_excerpt"
    # the body's first sentences, past a heading line the page kept (主要工作 / 2024年是…)
    lead = 0
    while lead < len(text.lines) and (not text.lines[lead] or _is_heading(text.lines[lead])):
        lead += 1
    opening = re.split(r"(?<=[。!?])", "".join(text.lines[lead:])[:300])[:2]
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
    if title and cues.report_page_title.match(title):
        # Titled as the committee's report, with no frame, byline or narrative: a page of the report
        # (江津区 2023: the newspaper's continued page, 上接第一版), not a journalist's item.
        warnings.append("标题即常委会工作报告，无署名或会议叙述：按报告摘要（report_excerpt）处理")
        return "report_excerpt"
    warnings.append("无标题、署名或报告会议标记：按专题新闻稿（news_summary）处理")
    return "news_summary"
