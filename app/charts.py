"""Chart builders shared by the pages and the exporters: query results → ChartData → Plotly figure.

A ChartData holds everything a chart says (title, unit, categories, series with each point's qualifier
and evidence, the source line and the reports behind it).  The screen (to_plotly) and the briefing
exports (app/export.py: native PPTX charts, XLSX, PNG/SVG) are drawn from the same ChartData, so what a
user sees is what they download.
"""

from __future__ import annotations

import functools
import html
import textwrap
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from app.labels import (
    category_zh,
    definition_of,
    format_number,
    format_value,
    measure_note,
    measure_period_word,
    period_zh,
    qualifier_word,
    report_type_zh,
    scope_zh,
    tidy_text,
    unit_class,
)

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#c0392b", "#2e6da4", "#e08e0b", "#3a9d5d", "#7b4fa0", "#16a2b8", "#8c564b", "#d6559b"]
TERM_COLOR = "#7f7f7f"


@dataclass
class Point:
    """One drawn value and where it came from."""

    value: float | None
    unit: str | None = None
    qualifier: str | None = None
    evidence: str | None = None
    report: str | None = None  # e.g. '郑州市 2023年 年度工作报告（000_….txt）'
    note: str | None = None  # e.g. '届期合计 767人次 ÷ 5年' or '另有 1 条数值'
    corrected: bool = False  # an analyst corrected or added this value (etl/corrections.py)
    report_id: str | None = None  # the fact behind the value: a click opens 报告 at its sentence
    fact_id: str | None = None

    @property
    def label(self) -> str:
        return format_value(self.value, self.unit, self.qualifier)


@dataclass
class Series:
    name: str
    points: list[Point]  # aligned with ChartData.categories
    style: str = "annual"  # annual | term

    @property
    def values(self) -> list[float | None]:
        return [p.value for p in self.points]


@dataclass
class ChartData:
    key: str  # file-name friendly id: 趋势_任免国家机关工作人员_2018-2023
    title: str
    unit: str
    kind: str  # line | barh | map
    categories: list[str]
    series: list[Series]
    category_title: str = ""
    subtitle: str = ""  # coverage, caveats: shown under the title on screen and on the slide
    sources: list[str] = field(default_factory=list)  # one line per report behind the chart
    years: str = ""  # the years the chart covers, in words
    places: list[str] = field(default_factory=list)  # the jurisdictions drawn (the PPTX cover names them)
    measure: str = "flow"  # flow | stock | rate (metrics.measure) of what is drawn
    figure: go.Figure | None = None  # drawn elsewhere (kind 'map': app/geo.py), shown instead of to_plotly's

    @property
    def is_empty(self) -> bool:
        return not any(p.value is not None for s in self.series for p in s.points)

    @property
    def n_corrected(self) -> int:
        """How many drawn values analysts corrected (the figure says so under its title)."""
        return sum(1 for s in self.series for p in s.points if p.value is not None and p.corrected)

    @property
    def full_source_line(self) -> str:
        """Every report behind the chart (static images, XLSX, slides)."""
        return f"来源：{'；'.join(self.sources)}。" if self.sources else "来源：无"

    @property
    def source_line(self) -> str:
        if not self.sources:
            return "来源：无"
        shown = "；".join(self.sources[:4])
        more = f" 等 {len(self.sources)} 份报告" if len(self.sources) > 4 else ""
        return f"来源：{shown}{more}。"

    def long_frame(self) -> pd.DataFrame:
        """The chart's data, one row per drawn point (the XLSX sheets and the tests read this)."""
        rows = []
        for s in self.series:
            for cat, p in zip(self.categories, s.points, strict=True):
                if p.value is None:
                    continue
                rows.append(
                    {
                        self.category_title or "类别": cat,
                        "系列": s.name,
                        "数值": p.value,
                        "单位": p.unit,
                        "原文写法": p.label,
                        "限定": qualifier_word(p.qualifier),
                        "说明": p.note,
                        "原文": p.evidence,
                        "来源报告": p.report,
                        "已更正": p.corrected,
                    }
                )
        return pd.DataFrame(rows)


# --- from query rows to ChartData -------------------------------------------------------------------


def _missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or array is not missing
        return False


def report_label(row) -> str:
    """A report as a reader names it: its title and date ('郑州市《…工作报告》（2024年2月3日）'), never a
    file name."""
    jur = row.get("jurisdiction")
    jur = "地区待确认" if _missing(jur) or not jur else str(jur)
    title = row.get("title")
    title = "" if _missing(title) else tidy_text(str(title))
    delivered = row.get("delivered")
    date = "日期不详" if _missing(delivered) else _date_zh(delivered)
    if title:
        name = f"《{title}》" if jur in title else f"{jur}《{title}》"
    else:
        start = row.get("report_period_start", row.get("period_start"))
        period = period_zh(start, row.get("report_period_end", row.get("period_end")))
        name = f"{jur} {period}{report_type_zh(row.get('report_type'))}"
    return f"{name}（{date}）"


@functools.lru_cache(maxsize=4096)
def _date_zh(day) -> str:
    return f"{pd.Timestamp(day):%Y年%-m月%-d日}"


def _point(row, value: float | None = None, note: str | None = None) -> Point:
    scope = _str(row.get("scope"))
    notes = [n for n in (note, scope_zh(scope) if scope else None) if n]
    n_other = int(row.get("n_candidates", 1) or 1) - 1
    if n_other > 0:
        notes.append(f"同期另有 {n_other} 条数值，见“数据”页")
    return Point(
        value=float(row["value"]) if value is None else value,
        unit=row.get("unit"),
        qualifier=row.get("qualifier"),
        evidence=tidy_text(row.get("evidence")) or None,
        report=report_label(row),
        note="；".join(notes) or None,
        corrected=bool(row.get("corrected") or False),
        report_id=_str(row.get("report_id")) or None,
        fact_id=_str(row.get("fact_id")) or None,
    )


def records(rows: pd.DataFrame) -> list[dict]:
    """The rows as dicts, as DataFrame.to_dict("records") gives them (the same Python values: int, float,
    bool, str, None, Timestamp), column by column: 3–4× faster, which a page of charts (each reading its
    rows two or three times) and 数据质量's thousands of checks notice."""
    cols = list(rows.columns)
    values = zip(*(rows[c].tolist() for c in cols), strict=True)
    return [dict(zip(cols, vals, strict=True)) for vals in values]


def _sources(rows: pd.DataFrame | list[dict]) -> list[str]:
    """The reports behind the rows, one each (its first row), by place then the report's period end."""
    recs = rows if isinstance(rows, list) else records(rows)
    seen, ids = [], set()
    for r in recs:
        if r["report_id"] not in ids:
            ids.add(r["report_id"])
            seen.append(r)
    seen.sort(key=lambda r: (_text_key(r.get("jurisdiction")), _number_key(r.get("report_period_end"))))
    return [report_label(r) for r in seen]


def _text_key(v) -> tuple[bool, str]:
    """A text for sorting, a missing one (None or NaN) last, as pandas sorts."""
    return (True, "") if not isinstance(v, str) else (False, v)


def _number_key(v) -> tuple[bool, float]:
    """A number for sorting, a missing one (None or NaN) last, as pandas sorts."""
    return (True, 0.0) if v is None or v != v else (False, float(v))


def _unit_of(rows: pd.DataFrame | list[dict], fallback: str | None) -> str:
    """The rows' units in order of first appearance ('件', or '件/部' where both occur), else ``fallback``."""
    recs = rows if isinstance(rows, list) else records(rows)
    units = list(dict.fromkeys(u for r in recs if isinstance(u := r.get("unit"), str) and u))
    if units:
        return "/".join(units)
    return fallback or ""


def _str(v) -> str:
    """A text cell as a string: '' for None and for pandas' NaN (which is truthy)."""
    return v if isinstance(v, str) else ""


def _like_key(r: dict, definition: bool) -> tuple[str, str, str]:
    unit = unit_class(r.get("metric"), _str(r.get("unit")))  # 部 beside 件 where they count the same thing
    scope = _str(r.get("scope"))
    return (
        unit,
        scope if definition else "",
        definition_of(r.get("metric"), r.get("evidence")) if definition else "",
    )


def split_like(
    rows: pd.DataFrame, metric: dict, definition: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(drawn, apart): the rows that say the same thing (unit, and with ``definition`` also scope and
    definition) as most jurisdictions' rows, and the rest, which a chart shows apart with a note.

    Ties go to the key with more values, then the metric's first catalog unit, then the plainer
    definition.  Units that count the same thing (the catalog's comparable_units: 法规 in 件 or 部) are one.
    """
    if rows.empty:
        return rows, rows
    mask = _like_mask(records(rows), metric, definition)
    return rows[mask], rows[[not m for m in mask]]


def split_like_records(
    recs: list[dict], metric: dict, definition: bool = True
) -> tuple[list[dict], list[dict]]:
    """split_like() of row dicts."""
    mask = _like_mask(recs, metric, definition)
    drawn = [r for r, m in zip(recs, mask, strict=True) if m]
    return drawn, [r for r, m in zip(recs, mask, strict=True) if not m]


def _like_mask(recs: list[dict], metric: dict, definition: bool) -> list[bool]:
    """For each row: does it say the same thing as most jurisdictions' rows (split_like's rule)?"""
    if not recs:
        return []
    keys = [_like_key(r, definition) for r in recs]
    units = [u for u in str(metric.get("unit") or "").split("/") if u]
    counts: dict[tuple, set] = {}
    for k, r in zip(keys, recs, strict=True):
        counts.setdefault(k, set()).add(r.get("jurisdiction"))
    n_rows = Counter(keys)
    best = max(
        counts,
        key=lambda k: (
            len(counts[k]),
            n_rows[k],  # one place's trend: the unit most of its years are stated in
            -(units.index(k[0]) if k[0] in units else len(units)),
            not k[1],
            not k[2],
        ),
    )
    return [k == best for k in keys]


def apart_note(apart: pd.DataFrame | list[dict]) -> str:
    """'另有 1 个数值单位或口径不同，未画入：鹤壁市 2023年 205人次（单位为人次）' (empty when none)."""
    recs = apart if isinstance(apart, list) else records(apart)
    if not recs:
        return ""
    items = []
    for r in recs[:4]:
        why = [f"单位为{_str(r.get('unit')) or '—'}"]
        if _str(r.get("scope")):
            why.append(scope_zh(r["scope"]))
        d = definition_of(r.get("metric"), r.get("evidence"))
        if d:
            why.append(d)
        items.append(
            f"{r.get('jurisdiction') or '地区待确认'} {period_zh(r['period_start'], r['period_end'])} "
            f"{format_value(r['value'], r.get('unit'), r.get('qualifier'))}（{'，'.join(why)}）"
        )
    more = "等" if len(apart) > 4 else ""
    return f"另有 {len(apart)} 个数值单位或口径不同，不能放在一起比较，未画入：{'；'.join(items)}{more}"


def _measure(metric: dict) -> str:
    m = metric.get("measure")
    return m if isinstance(m, str) and m in ("flow", "stock", "rate") else "flow"


def trend_chart(
    points: pd.DataFrame,
    metric: dict,
    years: tuple[int, int],
    jurisdictions: list[str],
    term_mode: str = "separate",
) -> ChartData:
    """Annual values of one metric over ``years``, one line per jurisdiction, in one unit.

    Term figures (period_start != period_end) are never drawn as a year's value.  With
    term_mode='average' a flow's term total becomes a dashed segment at total ÷ years, a stock's term
    figure a mark at the term's last year (the level then), a rate's a dashed segment at its own value;
    otherwise they are left to term_chart().  Values in another unit than most are listed, not drawn.
    """
    y0, y1 = years
    cats = [str(y) for y in range(y0, y1 + 1)]
    measure = _measure(metric)
    candidates = points[points["jurisdiction"].isin(jurisdictions)]
    if term_mode != "average":
        candidates = candidates[candidates["period_start"] == candidates["period_end"]]
    drawn, apart = split_like(candidates, metric, definition=False)
    series: list[Series] = []
    used = []
    for jur in jurisdictions:
        rows = drawn[drawn["jurisdiction"] == jur]
        annual = rows[rows["period_start"] == rows["period_end"]]
        by_year = {int(r["period_start"]): r for r in records(annual)}
        if by_year:
            pts = [_point(by_year[y]) if y in by_year else Point(None) for y in range(y0, y1 + 1)]
            series.append(Series(jur, pts))
            used.append(annual)
        if term_mode == "average":
            for r in records(rows[rows["period_start"] != rows["period_end"]]):
                ps, pe = int(r["period_start"]), int(r["period_end"])
                n = pe - ps + 1
                total = format_value(r["value"], r.get("unit"), r.get("qualifier"))
                if measure == "stock":
                    note = f"{ps}–{pe}年 届末数 {total}（存量，是届末的水平，不折算）"
                    pts = [_point(r, None, note) if y == pe else Point(None) for y in range(y0, y1 + 1)]
                    name = f"{jur} {pe}年届末数"
                elif measure == "rate":
                    note = f"{ps}–{pe}年 届期比率 {total}（比率，不折算）"
                    pts = [_point(r, None, note) if ps <= y <= pe else Point(None) for y in range(y0, y1 + 1)]
                    name = f"{jur} {ps}–{pe}届期比率"
                else:
                    avg = float(r["value"]) / n
                    note = f"{ps}–{pe}年 届期合计 {total} ÷ {n}年 = 年均 {format_number(round(avg, 1))}"
                    pts = [_point(r, avg, note) if ps <= y <= pe else Point(None) for y in range(y0, y1 + 1)]
                    name = f"{jur} {ps}–{pe}届期年均（合计{total}）"
                series.append(Series(name, pts, style="term"))
                used.append(rows[rows["fact_id"] == r["fact_id"]])
    used_rows = pd.concat(used) if used else points.iloc[0:0]
    unit = _unit_of(used_rows, metric.get("unit"))
    label = metric.get("label_zh") or metric.get("code", "")
    drawn_places = set(used_rows.get("jurisdiction", []))
    missing = [j for j in jurisdictions if j not in drawn_places]
    subtitle = f"{len(jurisdictions) - len(missing)}/{len(jurisdictions)} 个地区有数据"
    if missing:
        subtitle += f"（无：{'、'.join(missing[:4])}{'等' if len(missing) > 4 else ''}；缺报告不等于零）"
    if measure != "flow":
        subtitle += f" · {measure_note(measure)}"
    if term_mode == "average" and any(s.style == "term" for s in series):
        subtitle += {
            "flow": " · 虚线为届期合计折算的年均值，不是当年数",
            "stock": " · 空心菱形为届末数（届末的水平）",
            "rate": " · 虚线为届期比率，不是当年数",
        }[measure]
    apart = apart[apart["period_start"] >= y0] if not apart.empty else apart
    if not apart.empty:
        subtitle += " · " + apart_note(apart)
    word = measure_period_word(measure, False)
    return ChartData(
        key=f"趋势_{label}_{y0}-{y1}",
        title=f"{label}（{y0}–{y1}年{'' if measure == 'flow' else '，' + word}）",
        unit=unit,
        kind="line",
        categories=cats,
        series=series,
        category_title="年份",
        subtitle=subtitle,
        sources=_sources(used_rows),
        years=f"{y0}–{y1}年",
        places=[s.name for s in series if s.style != "term"] or sorted(drawn_places),
        measure=measure,
    )


def term_chart(points: pd.DataFrame, metric: dict) -> ChartData | None:
    """Term figures of one metric as bars of their own, never mixed with annual values: a flow's
    five-year total, a stock's level at the term's end, a rate as stated; in one unit."""
    rows = points[points["period_start"] != points["period_end"]]
    if rows.empty:
        return None
    rows, apart = split_like(rows, metric, definition=False)
    rows = rows.sort_values(["jurisdiction", "period_start"])
    recs = records(rows)
    measure = _measure(metric)
    word = measure_period_word(measure, True)
    cats = [f"{r['jurisdiction'] or '地区待确认'} {r['period_start']}–{r['period_end']}" for r in recs]
    pts = [_point(r) for r in recs]
    label = metric.get("label_zh") or metric.get("code", "")
    years = sorted({int(y) for y in rows["period_start"]} | {int(y) for y in rows["period_end"]})
    subtitle = {
        "flow": "多年合计，不可与年度值直接比较",
        "stock": "届末数：届期结束时的水平（存量），不是多年相加",
        "rate": "届期比率：报告所述的比率，不是相加或平均",
    }[measure]
    if not apart.empty:
        subtitle += " · " + apart_note(apart)
    return ChartData(
        key=f"{word}_{label}",
        title=f"{label}：{word}",
        unit=_unit_of(rows, metric.get("unit")),
        kind="barh",
        categories=cats,
        series=[Series(word, pts, style="term")],
        category_title="地区与届期",
        subtitle=subtitle,
        sources=_sources(rows),
        years=f"{years[0]}–{years[-1]}年",
        places=sorted({r["jurisdiction"] for r in recs if r["jurisdiction"]}),
        measure=measure,
    )


def compare_chart(
    points: pd.DataFrame | list[dict],
    metric: dict,
    period: tuple[int, int],
    jurisdictions: list[str],
    level_zh: str = "",
) -> ChartData:
    """One metric for one period across jurisdictions, largest first, with coverage in the subtitle.

    Only like is compared with like: values in another unit, scope or definition than most are listed
    apart under the title, not drawn as bars beside the others.  ``points``: the metric's chart points, a
    frame or its rows as dicts.
    """
    ps, pe = period
    wanted = set(jurisdictions)
    recs = [
        r
        for r in (points if isinstance(points, list) else records(points))
        if r["period_start"] == ps and r["period_end"] == pe and r["jurisdiction"] in wanted
    ]
    rows, apart = split_like_records(recs, metric)
    rows.sort(key=lambda r: r["value"])
    label = metric.get("label_zh") or metric.get("code", "")
    measure = _measure(metric)
    have = {r["jurisdiction"] for r in recs}
    missing = [j for j in jurisdictions if j not in have]
    subtitle = f"{len(rows)}/{len(jurisdictions)} 个{level_zh}地区有可比数据"
    if missing:
        subtitle += f"（无：{'、'.join(missing[:4])}{'等' if len(missing) > 4 else ''}）"
    if apart:
        subtitle += " · " + apart_note(apart)
    subtitle += " · 数量多少不代表工作质量高低"
    kind_word = measure_period_word(measure, ps != pe) if (ps != pe or measure != "flow") else ""
    return ChartData(
        key=f"对比_{label}_{ps}" + (f"-{pe}" if pe != ps else ""),
        title=f"{label}：{period_zh(ps, pe)}{kind_word}各地比较",
        unit=_unit_of(rows, metric.get("unit")),
        kind="barh",
        categories=[r["jurisdiction"] for r in rows],
        series=[
            Series(
                period_zh(ps, pe) + kind_word,
                [_point(r) for r in rows],
                style="term" if ps != pe else "annual",
            )
        ],
        category_title="地区",
        subtitle=subtitle,
        sources=_sources(rows),
        years=period_zh(ps, pe),
        places=[r["jurisdiction"] for r in rows],
        measure=measure,
    )


MEASURE_ORDER = {"flow": 0, "stock": 1, "rate": 2}


def _part_of(r: dict) -> tuple[str, str]:
    return (r.get("measure") or "flow", r.get("unit") or "")


def _parts(recs: list[dict]) -> list[tuple[str, str]]:
    """The (measure, unit) groups of a category's points, each drawn as its own chart (flows first)."""
    counts: dict[tuple[str, str], int] = {}
    for r in recs:
        k = _part_of(r)
        counts[k] = counts.get(k, 0) + 1
    return sorted(counts, key=lambda k: (MEASURE_ORDER.get(k[0], 9), -counts[k], k[1]))


def part_token(part: tuple[str, str]) -> str:
    return f"{part[0]}:{part[1]}"


def parse_part(token: str) -> tuple[str, str] | None:
    measure, sep, unit = str(token or "").partition(":")
    return (measure, unit) if sep and measure in MEASURE_ORDER else None


def category_chart(
    recs: list[dict],
    title: str,
    jurisdiction: str,
    period: tuple[int, int],
    part: tuple[str, str] | None = None,
) -> ChartData:
    """The metrics of one category group for one jurisdiction and period in one unit and of one kind
    (总览's compact charts): ``part`` = (measure, unit), by default the first group (flows first).
    ``recs``: the chart points as row dicts (records())."""
    return category_charts(recs, title, jurisdiction, period, [part])[0][1]


def category_charts(
    recs: list[dict],
    title: str,
    jurisdiction: str,
    period: tuple[int, int],
    parts: list[tuple[str, str] | None] | None = None,
) -> list[tuple[tuple[str, str], ChartData]]:
    """category_chart() for several parts at once (all of them by default), reading the points once: 总览
    draws two dozen of these per run."""
    ps, pe = period
    recs = [
        r
        for r in recs
        if r["jurisdiction"] == jurisdiction and r["period_start"] == ps and r["period_end"] == pe
    ]
    found = _parts(recs)
    out = []
    for part in found if parts is None else parts:
        if part is None or part not in found:
            part = found[0] if found else ("flow", "")
        out.append((part, _category_chart(recs, found, title, jurisdiction, period, part)))
    return out


def _year_key(v) -> int:
    """A year for sorting, -1 for a missing one (None or NaN)."""
    try:
        return -1 if v is None or v != v else int(v)
    except (TypeError, ValueError):
        return -1


def _category_chart(
    recs: list[dict],
    parts: list[tuple[str, str]],
    title: str,
    jurisdiction: str,
    period: tuple[int, int],
    part: tuple[str, str],
) -> ChartData:
    ps, pe = period
    measure, unit = part
    rows = sorted((r for r in recs if _part_of(r) == part), key=lambda r: r["value"])
    word = measure_period_word(measure, ps != pe) if (ps != pe or measure != "flow") else ""
    others = len(parts) - 1
    subtitle = measure_note(measure) if measure != "flow" else ""
    if others > 0:
        more = f"同类另有 {others} 张图（单位或性质不同，分开画）"
        subtitle = f"{subtitle} · {more}" if subtitle else more
    seen = sorted(  # one per report, as _sources() lists them (the place is the same for all)
        {r["report_id"]: r for r in reversed(rows)}.values(),
        key=lambda r: (_year_key(r.get("report_period_end")), r["report_id"]),
    )
    return ChartData(
        key=f"总览_{jurisdiction}_{title}_{unit or '无单位'}_{ps}" + (f"-{pe}" if pe != ps else ""),
        title=f"{title}：{jurisdiction} {period_zh(ps, pe)}{word}（{unit or '—'}）",
        unit=unit,
        kind="barh",
        categories=[r["label_zh"] for r in rows],
        series=[
            Series(
                f"{jurisdiction} {period_zh(ps, pe)}{word}",
                [_point(r) for r in rows],
                style="term" if ps != pe else "annual",
            )
        ],
        category_title="指标",
        subtitle=subtitle,
        sources=[report_label(r) for r in seen],
        years=period_zh(ps, pe),
        places=[jurisdiction],
        measure=measure,
    )


def category_title(categories: list[str]) -> str:
    return "、".join(category_zh(c) for c in categories)


# --- ChartData → Plotly -----------------------------------------------------------------------------


def _wrap(text: str | None, width: int = 26, limit: int = 160) -> str:
    if not text:
        return "（无原文）"
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width))


CORRECTED_MARK = "已更正"
CORRECTED_HOVER = f"<br><b style='color:#b03a2e'>{CORRECTED_MARK}</b>：分析员更正过此数值，原因见“更正记录”页"


def _customdata(points: list[Point]) -> list[list[str]]:
    return [
        [
            html.escape(p.label)
            + (f"（{qualifier_word(p.qualifier)}）" if p.qualifier and p.qualifier != "exact" else ""),
            _wrap(p.evidence),
            html.escape(p.report or ""),
            (CORRECTED_HOVER if p.corrected else "") + (("<br>" + html.escape(p.note)) if p.note else ""),
        ]
        for p in points
    ]


def _text(p: Point) -> str:
    """The label drawn beside a bar: the value, and a mark when an analyst corrected it."""
    if p.value is None:
        return ""
    return html.escape(f"{p.label}（{CORRECTED_MARK}）" if p.corrected else p.label)


HOVER = (
    "<b>%{fullData.name}</b> · %{CAT}<br>数值：%{customdata[0]}%{customdata[3]}"
    "<br><span style='color:#666'>原文：%{customdata[1]}</span>"
    "<br><span style='color:#999'>%{customdata[2]}</span><br><i>点击打开报告中的原句</i><extra></extra>"
)


MAX_SCREEN_SOURCES = 4


def source_truncated(chart: ChartData) -> bool:
    """True when the figure names only some of its reports (the page then lists them all below it)."""
    return len(chart.sources) > MAX_SCREEN_SOURCES


def _text_width(text: str) -> int:
    """Rough pixel width at 13px: CJK glyphs are square, Latin digits and letters about half as wide."""
    return sum(13 if ord(ch) > 0x2E80 else 7 for ch in text)


def _white_template() -> dict:
    """The plotly_white template as plain JSON, built once (validating it costs ~20 ms per figure)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        import plotly.io as pio

        full = pio.templates["plotly_white"].to_plotly_json()
        # only the trace types drawn here: the others' defaults were half of every figure's JSON
        _TEMPLATE = {"layout": full["layout"], "data": {k: full["data"][k] for k in ("bar", "scatter")}}
    return _TEMPLATE


_TEMPLATE: dict | None = None


def _whole_counts(chart: ChartData) -> bool:
    """True when every drawn value is a whole number (a count, not a rate): ticks are then whole too."""
    values = [v for s in chart.series for v in s.values if v is not None]
    return bool(values) and chart.unit != "%" and all(float(v).is_integer() for v in values)


def to_plotly(chart: ChartData, height: int | None = None, full_source: bool = False) -> go.Figure:
    """The Plotly figure for a chart: title with unit, hover with value, qualifier and evidence, source line.

    On screen a long source line is shortened (the page prints it in full below); a static image
    (full_source=True) carries every source, wrapped.

    The figure is assembled from plain dicts (figure_spec) and handed to Plotly without its property
    validation (which cost ~50 ms a figure and made a page of charts slow); the dicts are what validation
    would produce.
    """
    if chart.figure is not None:
        return plotly_figure(chart.figure)
    spec = figure_spec(chart, height, full_source)
    return go.Figure(data=spec["data"], layout=spec["layout"], _validate=False)


class ScreenFigure(go.Figure):
    """A chart's figure for st.plotly_chart, kept as the dict it was built as.

    Streamlit serialises a figure through ``to_dict()``, which for a go.Figure deep-copies every trace
    (1–2 ms a chart, a fifth of 总览's run with its 22 charts); this one hands over its spec as built.
    Only for the screen: exports use to_plotly's real figure (Kaleido and python-pptx read its objects).
    """

    def __init__(self, spec: dict) -> None:  # go.Figure's machinery is never built: to_dict is all it serves
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec

    def __reduce__(self):  # pickled and copied as its spec (go.Figure's reads attributes never built here)
        return (self.__class__, (self._spec,))

    def __repr__(self) -> str:
        return f"ScreenFigure({len(self._spec['data'])} traces)"


def plotly_figure(fig: go.Figure) -> go.Figure:
    """A real go.Figure (for Kaleido and the slides) of a figure that may be a ScreenFigure."""
    if isinstance(fig, ScreenFigure):
        spec = fig.to_dict()
        return go.Figure(data=spec["data"], layout=spec["layout"], _validate=False)
    return fig


def screen_figure(chart: ChartData, height: int | None = None) -> go.Figure:
    """What the screen draws: a map's figure as drawn elsewhere, a chart's as a ScreenFigure."""
    if chart.figure is not None:
        return chart.figure
    return ScreenFigure(figure_spec(chart, height))


def figure_spec(chart: ChartData, height: int | None = None, full_source: bool = False) -> dict:
    """The plain-dict figure (``{"data": [...], "layout": {...}}``) to_plotly and the screen draw."""
    n_cats = len(chart.categories)
    traces: list[dict] = []
    layout: dict = {}
    if chart.kind == "line":
        for i, s in enumerate(chart.series):
            color = TERM_COLOR if s.style == "term" else PALETTE[i % len(PALETTE)]
            traces.append(
                {
                    "type": "scatter",
                    "x": list(chart.categories),
                    "y": s.values,
                    "name": s.name,
                    "mode": "lines+markers",
                    "line": {"color": color, "width": 2.5, "dash": "dash" if s.style == "term" else "solid"},
                    "marker": {"size": 9, "symbol": "diamond-open" if s.style == "term" else "circle"},
                    "text": [_text(p) for p in s.points],
                    "customdata": _customdata(s.points),
                    "hovertemplate": HOVER.replace("%{CAT}", "%{x}年"),
                    "connectgaps": False,
                }
            )
        layout["xaxis"] = {"type": "category", "title": {"text": chart.category_title}}
        layout["yaxis"] = {"title": {"text": chart.unit}, "rangemode": "tozero"}
        if _whole_counts(chart):
            top = max((v for s in chart.series for v in s.values if v is not None), default=0)
            layout["yaxis"]["tickformat"] = ",d"
            if top <= 8:
                layout["yaxis"]["dtick"] = 1
        height = height or 420
    else:
        for i, s in enumerate(chart.series):
            color = TERM_COLOR if s.style == "term" else PALETTE[i % len(PALETTE)]
            traces.append(
                {
                    "type": "bar",
                    "y": list(chart.categories),
                    "x": s.values,
                    "name": s.name,
                    "orientation": "h",
                    "marker": {"color": color, "pattern": {"shape": "/" if s.style == "term" else ""}},
                    "text": [_text(p) for p in s.points],
                    "textposition": "outside",
                    "cliponaxis": False,
                    "customdata": _customdata(s.points),
                    "hovertemplate": HOVER.replace("%{CAT}", "%{y}"),
                }
            )
        layout["yaxis"] = {"type": "category", "automargin": True}
        xaxis: dict = {}
        top = max((v for s in chart.series for v in s.values if v is not None), default=0)
        if top > 0:
            # room on the right for the "5,362人次" labels drawn outside the bars
            xaxis["range"] = [0, top * 1.22]
        xaxis["title"] = {"text": chart.unit}
        xaxis["rangemode"] = "tozero"
        if _whole_counts(chart):
            xaxis["tickformat"] = ",d"  # 2件 is never on an axis of 0.5, 1.5 …
            if top <= 8:
                xaxis["dtick"] = 1
        layout["xaxis"] = xaxis
        height = height or max(240, 110 + 34 * n_cats)
        layout["bargap"] = 0.5 if n_cats <= 2 else 0.25
    title = (
        f"{html.escape(chart.title)}<span style='font-size:13px;color:#666'>"
        f"　单位：{html.escape(chart.unit or '—')}</span>"
    )
    subtitle = html.escape(chart.subtitle)
    if chart.n_corrected:
        note = f"含 {chart.n_corrected} 个{CORRECTED_MARK}的数值（悬停查看）"
        subtitle = f"{subtitle} · {note}" if subtitle else note
    if full_source:
        lines = textwrap.wrap(chart.full_source_line, 90)
    else:
        lines = textwrap.wrap(chart.source_line, 100 if chart.kind == "line" else 58)
    source_text = "<br>".join(html.escape(x) for x in lines)
    extra = 16 * (len(lines) - 1)
    height += extra
    two_lines = chart.kind == "line" and len(chart.series) > 1
    layout.update(
        {
            "title": {
                "text": title,
                "x": 0.01,
                "xanchor": "left",
                "subtitle": {"text": subtitle, "font": {"size": 12, "color": "#666"}},
            },
            "font": {"family": FONT_FAMILY, "size": 13},
            "template": _white_template(),
            "height": height,
            "margin": {
                "l": 10,
                "r": 40,
                "t": 80 if subtitle else 60,
                "b": (110 if two_lines else 80) + extra,
            },
            "legend": {
                "orientation": "h",
                "yanchor": "top",
                "y": -0.18 if chart.kind == "line" else -0.12,
                "x": 0,
            },
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 12}, "align": "left", "bgcolor": "white"},
            "showlegend": len(chart.series) > 1,
            "separators": ".,",
            "annotations": [
                {
                    "text": source_text,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0,
                    "y": 0,
                    "yshift": -95 if two_lines else (-62 if chart.kind == "line" else -48),
                    # the plot area starts after the category labels of a bar chart: start the line under them
                    "xshift": 0
                    if chart.kind == "line"
                    else -min(250, max(map(_text_width, chart.categories), default=0)),
                    "xanchor": "left",
                    "yanchor": "top",
                    "showarrow": False,
                    "align": "left",
                    "font": {"size": 11, "color": "#777"},
                }
            ],
        }
    )
    return {"data": traces, "layout": layout}


# Plotly's modebar and messages in Chinese: the locale is handed over with the figure (config.locales),
# as Streamlit's Plotly bundle registers no locale but English.
ZH_CN = {
    "dictionary": {
        "Download plot as a png": "下载为 PNG 图片",
        "Download plot as a PNG": "下载为 PNG 图片",
        "Download plot as a SVG": "下载为 SVG 图片",
        "Download plot as JSON": "下载为 JSON",
        "Image download succeeded": "图片已下载",
        "Preparing image - this may take a few seconds": "正在生成图片，请稍候",
        "Sorry, there was a problem downloading your image!": "抱歉，图片下载失败。",
        "Reset": "重置",
        "Fullscreen": "全屏",  # Streamlit's own modebar button
        "Close fullscreen": "退出全屏",
        "Cancel": "取消",
        "Double-click on legend to isolate one trace": "双击图例只看这一项",
        "Click to enter Plot subtitle": "点击输入副标题",
        "Download plot": "下载图表",
        "Zoom": "缩放",
        "Pan": "平移",
        "Box Select": "框选",
        "Lasso Select": "套索选择",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "Autoscale": "自动缩放",
        "Reset axes": "重置坐标轴",
        "Reset view": "重置视图",
        "Toggle Spike Lines": "显示或隐藏参考线",
        "Show closest data on hover": "悬停时显示最近的数据",
        "Compare data on hover": "悬停时比较数据",
        "Toggle show closest data on hover": "切换悬停显示方式",
        "Double-click to zoom back out": "双击恢复原始大小",
        "Snapshot succeeded": "图片已生成",
        "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
        "Sorry, there was a problem downloading your snapshot!": "抱歉，图片下载失败。",
        "Click to enter Colorscale title": "点击输入色标标题",
        "Click to enter Component A title": "点击输入标题",
        "Click to enter Plot title": "点击输入图表标题",
        "Click to enter X axis title": "点击输入横轴标题",
        "Click to enter Y axis title": "点击输入纵轴标题",
        "Produced with Plotly.js": "由 Plotly.js 生成",
        "trace": "系列",
        "new text": "新文本",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d",
        "decimal": ".",
        "thousands": ",",
    },
}


def picked_fact(chart: ChartData, event) -> tuple[str, str] | None:
    """(report_id, fact_id) of the bar or point a click selected (st.plotly_chart's selection), or None.

    A trace is a series (to_plotly draws them in order) and a point's index is its category's.
    """
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points or []:
        curve, idx = p.get("curve_number"), p.get("point_index", p.get("point_number"))
        if curve is None or idx is None or not 0 <= curve < len(chart.series):
            continue
        pts = chart.series[curve].points
        if 0 <= idx < len(pts) and pts[idx].value is not None and pts[idx].report_id and pts[idx].fact_id:
            return pts[idx].report_id, pts[idx].fact_id
    return None


PLOTLY_LOCALE = {"locale": "zh-CN", "locales": {"zh-CN": ZH_CN}}  # for every st.plotly_chart config


def plotly_config(chart: ChartData) -> dict:
    """st.plotly_chart config: briefing-quality PNG with a meaningful file name, no Plotly logo, the
    modebar in Chinese and only on hover (it never covers a title on a phone)."""
    if chart.kind == "map":
        from app.geo import TOPOJSON_URL  # the map draws offline (see app/geo.py)

        return {"topojsonURL": TOPOJSON_URL, "displaylogo": False, "scrollZoom": False,
                "toImageButtonOptions": {"format": "png", "scale": 3, "filename": chart.key},
                **PLOTLY_LOCALE}  # fmt: skip
    return {
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": chart.key},
        "displaylogo": False,
        "displayModeBar": "hover",
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "toggleSpikelines"],
        **PLOTLY_LOCALE,
    }
