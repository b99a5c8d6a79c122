"""Plain records passed between pipeline steps: documents, metadata, sections, facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A report file read into text (readers.py)."""

    source_file: str  # the file's name (no directory)
    text: str  # the decoded text, exactly as read: never edited afterwards
    file_format: str  # txt | html | pdf | docx
    encoding: str | None = None  # for txt/html: the detected encoding
    file_sha256: str | None = None


@dataclass
class ReportMeta:
    """Report-level metadata (metadata.py); field meanings follow spec/metrics.md."""

    title: str | None = None
    jurisdiction: str | None = None
    level: str | None = None  # national | provincial | prefecture | county
    parent: str | None = None
    province: str | None = None
    code: str | None = None  # national division code of the jurisdiction
    period_start: int | None = None
    period_end: int | None = None
    report_type: str | None = None  # annual_report | report_excerpt | news_summary | term_review
    delivered: dt.date | None = None
    warnings: list[str] = field(default_factory=list)
    # 'ok', or 'pending' (待确认) when the jurisdiction or the period could not be resolved with
    # confidence: the report is loaded, its uncertain fields stay empty and its facts stay out of
    # charts until an analyst confirms or sets them.
    status: str = "ok"
    pending: list[str] = field(default_factory=list)  # the fields that wait: jurisdiction, period
    # Per field (jurisdiction, period, delivered, report_type): {"value", "confidence" (0–1),
    # "source", "sentence", "conflicts": [{"value", "source", "sentence"}], "suggested"}.
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """A part of the report with the period its facts cover (sections.py)."""

    kind: str  # preamble | past_work | term_review | plans
    start: int  # offsets into the normalized text
    end: int
    heading: str | None = None
    period_start: int | None = None
    period_end: int | None = None


@dataclass
class Fact:
    """One stated number with its provenance (extract.py)."""

    metric: str
    value: float
    unit: str | None
    qualifier: str  # exact | approx_at_least | approx
    period_start: int | None
    period_end: int | None
    evidence: str  # the sentence as written in the raw text
    evidence_start: int  # sentence offsets in the normalized text
    evidence_end: int
    value_text: str  # the number as written in the normalized text
    value_start: int
    value_end: int
    raw_start: int | None = None
    raw_end: int | None = None
    scope: str | None = None
    section: str | None = None
    pattern: str | None = None
