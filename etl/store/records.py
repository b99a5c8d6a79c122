"""One extracted report as plain table rows: the only place that knows how a report maps to columns.

The local build (load.py), the Parquet writer and the distributed runner all go through these
functions, so every path produces the same rows for the same report.  ``ROW_SCHEMAS`` gives the Arrow
type of every column; ``to_arrow`` turns a list of row tuples into a table DuckDB or Parquet can take.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import pyarrow as pa

from etl.extract.pipeline import ExtractedReport, fact_id_for

ROW_SCHEMAS: dict[str, pa.Schema] = {
    "reports": pa.schema([
        ("report_id", pa.string()), ("source_file", pa.string()), ("title", pa.string()),
        ("jurisdiction", pa.string()), ("level", pa.string()), ("parent", pa.string()),
        ("province", pa.string()), ("period_start", pa.int32()), ("period_end", pa.int32()),
        ("report_type", pa.string()), ("delivered", pa.date32()), ("file_sha256", pa.string()),
        ("file_format", pa.string()), ("encoding", pa.string()), ("n_chars", pa.int32()),
        ("loaded_at", pa.timestamp("us")), ("meta_status", pa.string()), ("meta_pending", pa.string()),
        ("period_confidence", pa.float64()), ("meta_evidence", pa.string()),
    ]),
    "report_texts": pa.schema([
        ("report_id", pa.string()), ("raw_text", pa.string()), ("norm_text", pa.string()),
    ]),
    "sections": pa.schema([
        ("report_id", pa.string()), ("seq", pa.int32()), ("kind", pa.string()), ("heading", pa.string()),
        ("start_offset", pa.int32()), ("end_offset", pa.int32()), ("period_start", pa.int32()),
        ("period_end", pa.int32()),
    ]),
    "facts": pa.schema([
        ("fact_id", pa.string()), ("report_id", pa.string()), ("metric", pa.string()),
        ("value", pa.float64()), ("unit", pa.string()), ("qualifier", pa.string()),
        ("period_start", pa.int32()), ("period_end", pa.int32()), ("scope", pa.string()),
        ("evidence", pa.string()),
        ("evidence_start", pa.int32()), ("evidence_end", pa.int32()), ("value_text", pa.string()),
        ("value_start", pa.int32()), ("value_end", pa.int32()), ("raw_start", pa.int32()),
        ("raw_end", pa.int32()), ("section", pa.string()), ("pattern", pa.string()),
    ]),
}  # fmt: skip
TABLES = tuple(ROW_SCHEMAS)


def report_row(rep: ExtractedReport, loaded_at: dt.datetime | None = None) -> tuple:
    m, d = rep.meta, rep.document
    return (
        rep.report_id, d.source_file, m.title, m.jurisdiction, m.level, m.parent, m.province,
        m.period_start, m.period_end, m.report_type, m.delivered, d.file_sha256, d.file_format,
        d.encoding, len(rep.norm.text), loaded_at or dt.datetime.now(), m.status, ",".join(m.pending) or None,
        (m.evidence.get("period") or {}).get("confidence"),
        json.dumps(_with_warnings(m.evidence, rep.warnings, d.source_file), ensure_ascii=False, default=str),
    )  # fmt: skip


def _with_warnings(evidence: dict, warnings: Sequence[str], source_file: str) -> dict:
    """The metadata evidence with what the reading warned about (地区由正文地名推断 …), so that 数据质量
    lists it after the build's console is gone."""
    said = [w.removeprefix(f"{source_file}: ") for w in warnings]
    return {**evidence, "warnings": said} if said else evidence


def text_row(rep: ExtractedReport) -> tuple:
    return (rep.report_id, rep.norm.raw, rep.norm.text)


def section_rows(rep: ExtractedReport) -> list[tuple]:
    return [
        (rep.report_id, i, s.kind, s.heading, s.start, s.end, s.period_start, s.period_end)
        for i, s in enumerate(rep.sections)
    ]


def fact_rows(rep: ExtractedReport) -> list[tuple]:
    return [
        (
            fact_id_for(rep.report_id, f), rep.report_id, f.metric, f.value, f.unit, f.qualifier,
            f.period_start, f.period_end, f.scope, f.evidence, f.evidence_start, f.evidence_end,
            f.value_text, f.value_start, f.value_end, f.raw_start, f.raw_end, f.section, f.pattern,
        )
        for f in rep.facts
    ]  # fmt: skip


def rows_of(rep: ExtractedReport, loaded_at: dt.datetime | None = None) -> dict[str, list[tuple]]:
    """Every row one report contributes, by table."""
    return {
        "reports": [report_row(rep, loaded_at)],
        "report_texts": [text_row(rep)],
        "sections": section_rows(rep),
        "facts": fact_rows(rep),
    }


def to_arrow(table: str, rows: list[tuple]) -> pa.Table:
    """Row tuples of ``table`` as an Arrow table with the column types of ROW_SCHEMAS."""
    schema = ROW_SCHEMAS[table]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.table([_column(table, col, f) for col, f in zip(columns, schema, strict=True)], schema=schema)


# Whole report texts: Arrow converts a long non-ASCII str several times slower than str.encode(),
# so these arrive as UTF-8 bytes (valid by construction) and Arrow only copies them.
_LONG_TEXT = frozenset({("report_texts", "raw_text"), ("report_texts", "norm_text")})


def _column(table: str, values: Sequence, field: pa.Field) -> pa.Array:
    if (table, field.name) in _LONG_TEXT:
        values = [None if v is None else v.encode("utf-8") for v in values]
    return pa.array(values, type=field.type)
