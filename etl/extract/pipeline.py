"""One report file → metadata, sections and facts: read, normalize, describe, split, extract."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import NotAReportError
from etl.extract.facts import extract_facts
from etl.metadata import extract_metadata, load_cues, other_body_speaker
from etl.metadata.sections import find_sections
from etl.models import Document, Fact, ReportMeta, Section
from etl.read import read_document
from etl.read.normalize import Normalized, normalize

# A congress report names the congress or its standing committee somewhere.
_REPORT_SIGNAL = re.compile(r"人大|人民代表大会|常委会|常务委员会")


@dataclass
class ExtractedReport:
    report_id: str
    document: Document
    norm: Normalized
    meta: ReportMeta
    sections: list[Section]
    facts: list[Fact]
    warnings: list[str] = field(default_factory=list)


def report_id_for(text: str) -> str:
    """Stable id from the content: the same text gives the same id whatever the file is called."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fact_id_for(report_id: str, fact: Fact) -> str:
    key = f"{report_id}|{fact.metric}|{fact.value_start}|{fact.value_end}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def process_document(doc: Document) -> ExtractedReport:
    """Extract one already-read document; raises NotAReportError when it is not a congress report."""
    norm = normalize(doc.text)
    if not _REPORT_SIGNAL.search(norm.text):
        raise NotAReportError(
            doc.source_file,
            "no people's congress wording (人大/人民代表大会/常委会) found: not a work report",
        )
    speaker = other_body_speaker(norm.text, load_cues())
    if speaker is not None:
        raise NotAReportError(
            doc.source_file,
            f"another body's own work report (「{speaker}」): not a people's congress standing committee's",
        )
    # Normalize once, find the parts, resolve the metadata from them, then date the parts.
    parts = find_sections(norm.text, None, None)
    meta = extract_metadata(norm, doc.source_file, parts)
    sections = find_sections(norm.text, meta.period_start, meta.period_end, meta.report_type)
    facts = extract_facts(norm, sections, meta.report_type)
    warnings = list(meta.warnings)
    if meta.jurisdiction is None:
        warnings.append("未识别出所属地区")
    if meta.period_start is None:
        warnings.append("未识别出报告期：抽取的数据未标注年份")
    return ExtractedReport(report_id_for(doc.text), doc, norm, meta, sections, facts, warnings)


def process_file(path: str | Path) -> ExtractedReport:
    """Read and extract one report file; raises ReadError or NotAReportError naming the file."""
    return process_document(read_document(path))
