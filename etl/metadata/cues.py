"""The metadata vocabulary: ``etl/data/metadata_cues.yaml`` read, checked and compiled once (load_cues)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from etl import vocab
from etl.errors import EtlError
from etl.metadata import dating

CUES_FILE = Path(__file__).parent.parent / "data" / "metadata_cues.yaml"

_YEAR = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})"
_MONTH_DAY = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = rf"(?P<y>{_YEAR})年(?P<m>{_MONTH_DAY})月(?P<d>{_MONTH_DAY})日"
_MAYBE_DATE = rf"(?:(?P<y>{_YEAR})年)?(?P<m>{_MONTH_DAY})月(?P<d>{_MONTH_DAY})日"
_YEAR_MONTH = rf"(?P<y>{_YEAR})年(?P<m>{_MONTH_DAY})月"


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
    upload_site: re.Pattern
    news_date: re.Pattern
    not_delivery_after: re.Pattern
    past_session_after: re.Pattern
    delivery_window: int
    delivery_verbs: tuple[str, ...]
    committee_words: tuple[str, ...]
    other_reports: tuple[str, ...]
    other_before: tuple[str, ...]
    other_after: tuple[str, ...]
    toc_entry_after: re.Pattern
    term_heading_phrases: tuple[str, ...]
    term_phrases: tuple[str, ...]
    term_min_body_count: int
    term_masks: tuple[str, ...]
    term_length: re.Pattern
    annual_phrases: tuple[str, ...]
    excerpt_words: tuple[str, ...]
    summary_words: tuple[str, ...]
    bylines: tuple[re.Pattern, ...]
    report_title_words: tuple[str, ...]
    delivery_markers: tuple[re.Pattern, ...]  # 各位代表: (an address, not 号召各位代表…)
    other_body_speaker: tuple[re.Pattern, ...]  # 我代表最高人民检察院向大会报告工作
    own_speaker: tuple[re.Pattern, ...]  # 我代表…人大常委会, 受…常务委员会委托
    speaker_chars: int
    delivery_narrative: tuple[re.Pattern, ...]
    report_frame_line: tuple[re.Pattern, ...]
    report_frame_lines: int
    report_page_title: re.Pattern  # 某区人民代表大会常务委员会工作报告
    past_year_headings: tuple[re.Pattern, ...]
    plan_phrases: tuple[re.Pattern, ...]
    five_year_plans: dating.PlanYears
    past_heading_year: re.Pattern
    year_sentence: re.Pattern
    plan_words: tuple[str, ...]
    deadline_words: tuple[str, ...]
    neutral_words: tuple[str, ...]
    late_session_month: int
    late_term_month: int
    term_years: int
    header_chars: int
    lead_chars: int
    party_plenums: dating.Plenums


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
            upload_site=pattern(raw["upload_site_markers"], "upload_site_markers"),
            news_date=re.compile(_MAYBE_DATE),
            not_delivery_after=pattern(raw["not_delivery_after_date"], "not_delivery_after_date"),
            delivery_window=number("delivery_window_sentences"),
            past_session_after=pattern(raw["past_session_after"], "past_session_after"),
            delivery_verbs=words("delivery_verbs"),
            committee_words=words("committee_words"),
            other_reports=words("other_reports"),
            other_before=words("other_committee_before"),
            other_after=words("other_committee_after"),
            toc_entry_after=pattern(raw["toc_entry_after"], "toc_entry_after"),
            term_heading_phrases=words("heading_phrases", term),
            term_phrases=words("heading_phrases", term) + words("phrases", term),
            term_min_body_count=int(term.get("min_body_count", 2)),
            term_masks=words("not_phrases", term),
            term_length=pattern(term["length_pattern"], "term_review.length_pattern"),
            annual_phrases=words("annual_phrases"),
            excerpt_words=words("excerpt_title_words"),
            summary_words=words("summary_title_words"),
            bylines=patterns("byline_patterns"),
            report_title_words=words("report_title_words"),
            delivery_markers=patterns("delivery_marker_patterns"),
            other_body_speaker=patterns("other_body_speaker_patterns"),
            own_speaker=patterns("own_speaker_patterns"),
            speaker_chars=number("speaker_chars"),
            delivery_narrative=patterns("delivery_narrative_patterns"),
            report_frame_line=patterns("report_frame_line_patterns"),
            report_frame_lines=number("report_frame_lines"),
            report_page_title=pattern(raw["report_page_title_pattern"], "report_page_title_pattern"),
            past_year_headings=patterns("past_year_heading_patterns"),
            plan_phrases=patterns("plan_phrase_patterns"),
            five_year_plans=dating.PlanYears(
                reference_plan=raw["five_year_plans"]["reference_plan"],
                reference_start=raw["five_year_plans"]["reference_start"],
                plan_years=raw["five_year_plans"]["plan_years"],
                first_phases=words("first_phases", raw["five_year_plans"]),
                last_phases=words("last_phases", raw["five_year_plans"]),
                patterns=tuple(
                    pattern(p, "five_year_plans.patterns") for p in raw["five_year_plans"]["patterns"]
                ),
                relative_years=words("relative_years", raw["five_year_plans"]),
            ),
            past_heading_year=pattern(raw["past_heading_year_pattern"], "past_heading_year_pattern"),
            year_sentence=pattern(raw["year_sentence_pattern"], "year_sentence_pattern"),
            plan_words=words("plan_words"),
            deadline_words=words("deadline_words"),
            neutral_words=words("neutral_words"),
            late_session_month=number("late_session_month"),
            late_term_month=number("late_term_month"),
            term_years=dating.load_terms().term_years,  # one copy: congress_terms.yaml
            header_chars=number("header_chars"),
            lead_chars=number("lead_chars"),
            party_plenums=dating.Plenums(
                pattern=pattern(raw["party_plenums"]["pattern"], "party_plenums.pattern"),
                dates={
                    k: (int(v[:4]), int(v[5:7]), int(v[8:10]))
                    for k, v in raw["party_plenums"]["dates"].items()
                },
            ),
        )
    except KeyError as exc:
        raise MetadataCuesError(
            f"{path}: missing key {exc}; compare with the file in the repository"
        ) from exc
    for group in ("inner", "ordinal"):
        if group not in cues.session.groupindex:
            raise MetadataCuesError(f"{path}: session_pattern needs a named group `{group}`")
    for key, p in (
        [("past_heading_year_pattern", cues.past_heading_year)]
        + [("past_year_heading_patterns", p) for p in cues.past_year_headings]
        + [("plan_phrase_patterns", p) for p in cues.plan_phrases]
    ):
        if "year" not in p.groupindex:
            raise MetadataCuesError(f"{path}: {key} needs a named group `year`")
    if not {"term", "list"} <= set(cues.party_plenums.pattern.groupindex):
        raise MetadataCuesError(f"{path}: party_plenums.pattern needs named groups `term` and `list`")
    for p in cues.five_year_plans.patterns:
        if not {"plan", "phase"} <= set(p.groupindex):
            raise MetadataCuesError(f"{path}: five_year_plans.patterns need named groups `plan` and `phase`")
    if not {"n", "since"} <= set(cues.term_length.groupindex):
        raise MetadataCuesError(f"{path}: term_review.length_pattern needs named groups `n` and `since`")
    for p in cues.publication_stamps:
        if not {"y", "m", "d"} <= set(p.groupindex):
            raise MetadataCuesError(f"{path}: publication_stamp_patterns need named groups `y`, `m`, `d`")
    return cues
