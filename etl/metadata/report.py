"""Report-level metadata from a work report's text: title, whose committee reports, delivery date,
period, type.

The vocabulary (committee names, title cues, report-type words, term-review phrases,
heading patterns) lives in ``etl/data/metadata_cues.yaml`` (read by cues.py); the places come from
``etl.metadata.gazetteer``. Every rule is written for the genre (national, provincial,
prefecture and county reports, full texts and news write-ups), not for one file.

The rules, in the order extract_metadata() applies them; each module's docstring states its own:

* text.py: the views of the pipeline's one normalization (no second one) and the map back to it.
* title.py: the title line (find_title) and its span.
* jurisdiction.py: whose standing committee reports (find_jurisdiction); places only from the
  dated division table.
* delivery.py: the delivery date and session (find_delivered), the publication stamp, the session year.
* period.py: the period weighed from every cue (resolve_period, with ``etl/metadata/dating.py``), and
  whether the report reviews a whole term (kind.is_term_review).
* kind.py: the report type (classify_report).
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.metadata import dating
from etl.metadata.cues import load_cues
from etl.metadata.delivery import _years, find_delivered, publication_stamp
from etl.metadata.jurisdiction import find_jurisdiction
from etl.metadata.kind import classify_report
from etl.metadata.period import _span_text, resolve_period
from etl.metadata.sections import find_sections
from etl.metadata.text import _make_date, _prepare
from etl.metadata.title import find_title, title_span
from etl.models import ReportMeta, Section
from etl.read.normalize import Normalized, normalize


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
        "value": None if res.period is None else _span_text(*res.period),
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
        if res.stated_term_years:
            meta.evidence["session"]["term_years"] = res.stated_term_years
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
