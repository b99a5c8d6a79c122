"""Chinese words for stored codes (categories, levels, report types, qualifiers), read from labels.yaml.

Category names come from the metric catalog (etl/data/catalog.yaml), their one home.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from etl.extract.catalog import read_catalog

LABELS_FILE = Path(__file__).with_name("labels.yaml")
NATIONAL = "全国"  # the national jurisdiction's name (spec: jurisdiction 全国, level national)


@functools.cache
def labels() -> dict[str, Any]:
    """The whole labels file, with the catalog's category names (read once per process)."""
    with open(LABELS_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    data["categories"] = {code: c["label_zh"] for code, c in read_catalog()["categories"].items()}
    return data


@functools.cache
def _comparable() -> dict[str, dict[str, str]]:
    """Per metric: unit → the first unit of its catalog group of units that count the same thing."""
    out: dict[str, dict[str, str]] = {}
    for m in read_catalog()["metrics"]:
        for group in m.get("comparable_units") or ():
            out.setdefault(m["code"], {}).update({u: group[0] for u in group})
    return out


def unit_class(metric: str | None, unit: str | None) -> str:
    """The unit a value is compared in: 法规 counted in 部 beside others in 件 share an axis (the catalog's
    comparable_units); any other unit is its own."""
    u = unit if isinstance(unit, str) else ""
    return _comparable().get(metric or "", {}).get(u, u)


def category_zh(code: str | None) -> str:
    return labels()["categories"].get(code, code or "")


def category_order(code: str | None) -> int:
    keys = list(labels()["categories"])
    return keys.index(code) if code in keys else len(keys)


def level_zh(code: str | None) -> str:
    return labels()["levels"].get(code, code or "未知")


def level_order(code: str | None) -> int:
    keys = list(labels()["levels"])
    return keys.index(code) if code in keys else len(keys)


def report_type_zh(code: str | None) -> str:
    return labels()["report_types"].get(code, code or "未知")


def qualifier_mark(code: str | None) -> str:
    return labels()["qualifiers"].get(code, "")


def qualifier_word(code: str | None) -> str:
    return labels()["qualifier_words"].get(code, code or "")


def scope_zh(code: str | None) -> str:
    return labels()["scopes"].get(code, code or "")


def kind_zh(code: str | None) -> str:
    return labels()["metric_kinds"].get(code, code or "")


def _year(v) -> int | None:
    """A year from a DataFrame cell: None for a missing one (None, NaN, pd.NA)."""
    try:
        return None if v is None or v != v else int(v)
    except TypeError:  # pd.NA: its comparisons are ambiguous
        return None


def period_zh(start: int | None, end: int | None) -> str:
    """'2023年' for one year, '2018–2022年' for a span."""
    start, end = _year(start), _year(end)
    if start is None and end is None:
        return "期间不详"
    if start == end or end is None:
        return f"{start}年"
    if start is None:
        return f"{end}年"
    return f"{start}–{end}年"


def format_number(value: float | None) -> str:
    """12 → '12', 28513 → '28,513', 99.5 → '99.5'."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_value(value: float | None, unit: str | None = None, qualifier: str | None = None) -> str:
    """A value as a reader should see it: '≥70,000人次', '约5,000件', '100%'."""
    if value is None:
        return "—"
    return f"{qualifier_mark(qualifier)}{format_number(value)}{unit or ''}"


def measure_zh(code: str | None) -> str:
    """'流量' / '存量' / '比率' for metrics.measure (a missing one is a flow)."""
    return labels()["measures"].get(code or "flow", labels()["measures"]["flow"])["zh"]


def measure_period_word(code: str | None, term: bool) -> str:
    """What a figure of this measure is called for one year or a term: 当年数/届期合计, 年末数/届末数,
    比率."""
    m = labels()["measures"].get(code or "flow", labels()["measures"]["flow"])
    return m["term"] if term else m["year"]


def measure_note(code: str | None) -> str:
    return labels()["measures"].get(code or "flow", labels()["measures"]["flow"])["note"]


def definition_of(metric: str | None, evidence: str | None) -> str:
    """The wider definition a fact's sentence names ('含基本满意'), '' for the metric's own (labels.yaml)."""
    for d in labels().get("definitions", {}).get(metric or "", []):
        if evidence and any(w in evidence for w in d["words"]):
            return d["zh"]
    return ""


_SPACES = re.compile(r"\s+")
# a space next to a CJK character or CJK punctuation is layout, not text
_CJK = "[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
_LAYOUT_SPACE = re.compile(rf"(?<={_CJK}) | (?={_CJK})")


def tidy_text(text: str | None) -> str:
    """A sentence for reading: the spaces a PDF puts between CJK characters and line breaks removed.

    For display only; stored evidence and its offsets are untouched.
    """
    if not text:
        return ""
    return _tidy(str(text))


@functools.lru_cache(maxsize=16384)  # the same titles and sentences on every rerun (数据质量: 2,500 rows)
def _tidy(text: str) -> str:
    return _LAYOUT_SPACE.sub("", _SPACES.sub(" ", text).strip())


def check_zh(code: str | None) -> str:
    return labels().get("checks", {}).get(code, {}).get("zh", code or "")


def check_note(code: str | None) -> str:
    """What an analyst should look at for a check of this kind (labels.yaml)."""
    return labels().get("checks", {}).get(code, {}).get("note", "")
