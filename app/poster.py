"""数说 one-pager: one jurisdiction and period on a portrait A4 poster (PNG at 300 dpi, or PDF).

load → compose → render: poster_data() reads the points from the database (app/poster_queries.py: the
corrected facts, pending reports left out), compose() lays out the headline cards, two or three small
charts, the source line and the caveat as one Plotly figure, and render() has Kaleido draw it.  The CLI
(`python -m etl poster`) and the dashboard's download buttons call the same functions.

Rules the poster keeps: every number is a point the dashboard would draw; a change on the previous year
is shown only for flows (metrics.measure = 'flow'), both years annual and in the same unit (a stated
"≥12件" is quoted, not subtracted); stocks and rates are labelled as such and never compared; the sources
are the reports' titles and dates, never file names.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from app import poster_queries
from app.charts import FONT_FAMILY
from app.labels import format_number, format_value, labels, period_zh, report_type_zh, scope_zh

# A4 portrait: 1240 × 1754 layout pixels; PNG drawn at scale 2 is 2480 × 3508 (300 dpi).
WIDTH, HEIGHT, PNG_SCALE = 1240, 1754, 2
RED, RED_DARK, GREY, INK, MUTED, CARD_BG = "#c0392b", "#b03a2e", "#b8b8b8", "#222222", "#666666", "#f7f2f1"
MAX_CARDS = 8
MAX_BARS = 6
CAVEAT = "数量多少不代表工作质量高低，各地报告的写法和口径不同。"
NOTES = (
    "“≥”表示原文为“余/多/以上”，“约”表示原文为约数。与上年比较只对两年都有年度数、单位相同的累计量"
    "（件、次、人次等）作出；期末数（如联络站个数）和比率不作加减比较。"
)
MEASURE_TAG = {"stock": "期末数", "rate": "比率"}


class PosterError(Exception):
    """No poster can be made (no such jurisdiction, no data for the period); the message says what to do."""


@dataclass
class Card:
    label: str
    value: str  # '≥70,000人次', as written
    tag: str = ""  # 期末数 / 比率 / 届期合计 / 全市各级 / 已更正
    change: str = ""  # '较2022年 +3件'; '' when not comparable


@dataclass
class SmallChart:
    title: str
    unit: str
    kind: str  # barh | line | compare
    labels: list[str]
    values: list[float | None]
    texts: list[str]
    previous: list[float | None] = field(default_factory=list)  # compare: last year's values
    highlight: int | None = None  # line: the poster's year


@dataclass
class PosterData:
    jurisdiction: str
    period: tuple[int, int]
    cards: list[Card]
    charts: list[SmallChart]
    sources: list[str]  # '郑州市人民代表大会常务委员会工作报告（2024年2月3日）'
    numbers: list[tuple[str, float, str | None]] = field(default_factory=list)  # (metric, value, unit) shown

    @property
    def period_label(self) -> str:
        ps, pe = self.period
        return f"{ps}年" if ps == pe else f"{ps}–{pe}年（届期合计）"

    @property
    def file_stem(self) -> str:
        ps, pe = self.period
        return f"数说_{self.jurisdiction}_{ps}" + (f"-{pe}" if pe != ps else "")


def parse_period(text: str | int) -> tuple[int, int]:
    """'2023' → (2023, 2023); '2018-2022' (or –) → (2018, 2022)."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–—~至]\s*(\d{4}))?\s*", str(text))
    if not m:
        raise PosterError(f"年份应写作 2023 或 2018-2022，而不是 {text!r}")
    ps = int(m.group(1))
    pe = int(m.group(2) or ps)
    if pe < ps:
        raise PosterError(f"年份范围 {text!r} 的结束年早于开始年")
    return ps, pe


# --- load --------------------------------------------------------------------------------------------


def _date_zh(value) -> str:
    if value is None or pd.isna(value):
        return "日期未载"
    d = pd.Timestamp(value)
    return f"{d.year}年{d.month}月{d.day}日"


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def source_label(row) -> str:
    """A report as a reader knows it: its title (or place, period and type) and the date it was delivered."""
    title = row.get("report_title")
    if not title or str(title).strip().lower() in ("none", "nan"):
        title = (
            f"{row['jurisdiction']}人大常委会"
            f"{period_zh(row['report_period_start'], row['report_period_end'])}"
            f"{report_type_zh(row['report_type'])}"
        )
    # many bundled copies come from big5 mirror sites: the title is shown in simplified characters
    return f"{_t2s().convert(str(title).strip())}（{_date_zh(row.get('delivered'))}）"


def _is_exact(q) -> bool:
    return q in (None, "exact")


def _change(cur, prev) -> str:
    """'较2022年 +3件' / '较2022年持平' / '2022年：≥12件' (a stated bound is quoted, not subtracted)."""
    year = int(prev["period_start"])
    if not (_is_exact(cur["qualifier"]) and _is_exact(prev["qualifier"])):
        return f"{year}年：{format_value(prev['value'], prev['unit'], prev['qualifier'])}"
    diff = float(cur["value"]) - float(prev["value"])
    unit = cur["unit"] or ""
    if diff == 0:
        return f"较{year}年持平"
    return f"较{year}年 {'+' if diff > 0 else '-'}{format_number(abs(diff))}{unit}"


def _order(codes: list[str]) -> list[str]:
    head = [c for c in labels()["headline_metrics"] if c in codes]
    return head + sorted(c for c in codes if c not in head)


def poster_points(
    con: duckdb.DuckDBPyConnection, jurisdiction: str, period: tuple[int, int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The jurisdiction's chart points up to the period's end (sub-metrics left out) and those of the
    period itself; raises PosterError when the period has none (the poster would have nothing on it)."""
    ps, pe = period
    pts = poster_queries.jurisdiction_points(con, jurisdiction, pe)
    pts = pts[pts["kind"] != "sub"]
    now = pts[(pts["period_start"] == ps) & (pts["period_end"] == pe)]
    if now.empty:
        have = poster_queries.poster_periods(con)
        have = have[have["jurisdiction"] == jurisdiction]
        if have.empty:
            raise PosterError(
                f"数据库中没有“{jurisdiction}”的报告数据（待确认的报告不计入）。请检查地区名称。"
            )
        years = "、".join(
            period_zh(a, b) for a, b in zip(have["period_start"], have["period_end"], strict=True)
        )
        raise PosterError(f"{jurisdiction} 在 {period_zh(ps, pe)} 没有数据；有数据的年份：{years}")
    return pts, now


def poster_data(con: duckdb.DuckDBPyConnection, jurisdiction: str, period: tuple[int, int]) -> PosterData:
    """Everything the poster says, read from the database; raises PosterError when there is nothing."""
    ps, pe = period
    pts, now = poster_points(con, jurisdiction, period)
    annual = pts[pts["period_start"] == pts["period_end"]]
    rows = {r["metric"]: r for r in now.to_dict("records")}
    used: dict[str, dict] = {}  # report_id → a row of it (for the source line)

    def use(row) -> None:
        used.setdefault(row["report_id"], row)

    def previous(row):
        if ps != pe or row.get("measure") != "flow":
            return None
        hit = annual[
            (annual["metric"] == row["metric"])
            & (annual["period_start"] == ps - 1)
            & (annual["unit"].fillna("") == (row["unit"] or ""))
        ]
        return hit.iloc[0].to_dict() if not hit.empty else None

    # 1. headline cards
    cards, numbers = [], []
    for code in _order(list(rows))[:MAX_CARDS]:
        r = rows[code]
        use(r)
        tags = []
        if r.get("measure") in MEASURE_TAG:  # a level or a rate is never a term's sum
            tags.append(MEASURE_TAG[r["measure"]])
        elif ps != pe:
            tags.append("届期合计")
        if r.get("scope") == "all_levels":
            tags.append(scope_zh(r["scope"]))
        if r.get("corrected"):
            tags.append("已更正")
        prev = previous(r)
        if prev is not None:
            use(prev)
        cards.append(
            Card(
                label=r["label_zh"],
                value=format_value(r["value"], r["unit"], r["qualifier"]),
                tag=" · ".join(tags),
                change=_change(r, prev) if prev is not None else "",
            )
        )
        numbers.append((code, float(r["value"]), r["unit"]))

    # 2. small charts (flows only: a stock or rate is never put on a bar beside counts)
    charts: list[SmallChart] = []
    flows = [rows[c] for c in _order(list(rows)) if rows[c].get("measure") == "flow"]
    by_unit: dict[str, list[dict]] = {}
    for r in flows:
        by_unit.setdefault(r["unit"] or "", []).append(r)
    groups = sorted((g for g in by_unit.values() if len(g) >= 2), key=len, reverse=True)

    def bars(group: list[dict]) -> SmallChart:
        group = group[:MAX_BARS]
        for r in group:
            use(r)
        unit = group[0]["unit"] or ""
        return SmallChart(
            title=f"{period_zh(ps, pe)}以“{unit}”计的各项",
            unit=unit,
            kind="barh",
            labels=[r["label_zh"] for r in group],
            values=[float(r["value"]) for r in group],
            texts=[format_value(r["value"], r["unit"], r["qualifier"]) for r in group],
        )

    def trend() -> SmallChart | None:
        if ps != pe:
            return None
        best = None
        for r in flows:
            hist = annual[
                (annual["metric"] == r["metric"]) & (annual["unit"].fillna("") == (r["unit"] or ""))
            ]
            hist = hist.sort_values("period_start").tail(8)
            hist = hist[hist["period_start"] >= ps - 9]
            if len(hist) >= 2 and (best is None or len(hist) > len(best[1])):
                best = (r, hist)
        if best is None:
            return None
        r, hist = best
        recs = {int(h["period_start"]): h for h in hist.to_dict("records")}
        for h in recs.values():
            use(h)
        # every year of the span, a gap where no report states the number (the line breaks there)
        years = list(range(min(recs), ps + 1))
        return SmallChart(
            title=f"{r['label_zh']}：历年",
            unit=r["unit"] or "",
            kind="line",
            labels=[f"{y}" for y in years],
            values=[float(recs[y]["value"]) if y in recs else None for y in years],
            texts=[
                format_value(recs[y]["value"], recs[y]["unit"], recs[y]["qualifier"]) if y in recs else ""
                for y in years
            ],  # fmt: skip
            highlight=years.index(ps),
        )

    def compare() -> SmallChart | None:
        for group in groups:
            pairs = [(r, previous(r)) for r in group]
            pairs = [(r, p) for r, p in pairs if p is not None][:MAX_BARS]
            if len(pairs) >= 2:
                for r, p in pairs:
                    use(r)
                    use(p)
                return SmallChart(
                    title=f"与{ps - 1}年比较",
                    unit=pairs[0][0]["unit"] or "",
                    kind="compare",
                    labels=[r["label_zh"] for r, _ in pairs],
                    values=[float(r["value"]) for r, _ in pairs],
                    texts=[format_value(r["value"], r["unit"], r["qualifier"]) for r, _ in pairs],
                    previous=[float(p["value"]) for _, p in pairs],
                )
        return None

    if groups:
        charts.append(bars(groups[0]))
    for make in (trend, compare):
        c = make()
        if c is not None:
            charts.append(c)
    for g in groups[1:]:
        charts.append(bars(g))
    counts = now.groupby("category", dropna=False)["metric"].nunique()
    if len(charts) < 2 and len(counts) >= 2:
        cats = labels()["categories"]
        order = [c for c in cats if c in counts.index]
        charts.append(
            SmallChart(
                title="报告写明数量的指标（按类别）",
                unit="项",
                kind="barh",
                labels=[cats[c] for c in order],
                values=[float(counts[c]) for c in order],
                texts=[f"{int(counts[c])}项" for c in order],
            )
        )
        for r in now.to_dict("records"):
            use(r)
    charts = charts[:3]

    sources = []
    for row in sorted(used.values(), key=lambda r: (int(r["report_period_end"] or 0), str(r["report_id"]))):
        label = source_label(row)
        if label not in sources:
            sources.append(label)
    return PosterData(jurisdiction, (ps, pe), cards, charts, sources, numbers)


# --- compose -----------------------------------------------------------------------------------------


def _w(text: str, size: float) -> float:
    """Rough width in pixels: CJK glyphs are square, digits and Latin letters about 0.55 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def wrap_px(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (CJK text breaks anywhere)."""
    lines, cur = [], ""
    for ch in text:
        if _w(cur + ch, size) > width and cur:
            lines.append(cur)
            cur = ""
        cur += ch
    if cur:
        lines.append(cur)
    return lines


def _fit(text: str, size: float, width: float) -> float:
    """The largest font size ≤ ``size`` at which ``text`` fits in ``width`` pixels."""
    while size > 10 and _w(text, size) > width:
        size -= 1
    return size


class _Canvas:
    """Pixel coordinates (from the top left) on a margin-less figure, turned into paper fractions."""

    def __init__(self) -> None:
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []
        self.traces: list[dict] = []
        self.axes: dict = {}
        self.n_axes = 0

    @staticmethod
    def x(px: float) -> float:
        return px / WIDTH

    @staticmethod
    def y(px: float) -> float:
        return 1 - px / HEIGHT

    def rect(self, x0, y0, x1, y1, fill: str, line: str | None = None) -> None:
        self.shapes.append(
            {
                "type": "rect", "xref": "paper", "yref": "paper", "layer": "below",
                "x0": self.x(x0), "x1": self.x(x1), "y0": self.y(y1), "y1": self.y(y0),
                "fillcolor": fill, "line": {"width": 1 if line else 0, "color": line or fill},
            }
        )  # fmt: skip

    def text(
        self, x, y, text: str, size: float, color: str = INK, bold: bool = False, anchor: str = "left"
    ) -> None:
        body = html.escape(text).replace("\n", "<br>")
        self.annotations.append(
            {
                "text": f"<b>{body}</b>" if bold else body,
                "xref": "paper", "yref": "paper", "x": self.x(x), "y": self.y(y),
                "xanchor": anchor, "yanchor": "top", "showarrow": False, "align": anchor,
                "font": {"size": size, "color": color, "family": FONT_FAMILY},
            }
        )  # fmt: skip

    def axes_pair(self, x0, y0, x1, y1) -> tuple[str, str]:
        self.n_axes += 1
        n = "" if self.n_axes == 1 else str(self.n_axes)
        self.axes[f"xaxis{n}"] = {"domain": [self.x(x0), self.x(x1)], "anchor": f"y{n}"}
        self.axes[f"yaxis{n}"] = {"domain": [self.y(y1), self.y(y0)], "anchor": f"x{n}"}
        return f"x{n}", f"y{n}"


def _draw_chart(cv: _Canvas, c: SmallChart, x0: float, y0: float, x1: float, y1: float) -> None:
    cv.rect(x0, y0, x1, y1, "#ffffff", line="#e6e6e6")
    title_size = _fit(c.title, 22, x1 - x0 - 40 - _w(f"（单位：{c.unit}）", 16))
    cv.text(x0 + 18, y0 + 14, c.title, title_size, INK, bold=True)
    cv.text(x1 - 18, y0 + 18, f"单位：{c.unit}", 16, MUTED, anchor="right")
    top, bottom = y0 + 58, y1 - 18
    if c.kind in ("barh", "compare"):
        size = 16
        names = [n if _w(n, size) <= 200 else n[:11] + "…" for n in c.labels]
        label_w = max(_w(n, size) for n in names) + 16
        xa, ya = cv.axes_pair(x0 + 18 + label_w, top, x1 - 24, bottom - (30 if c.kind == "compare" else 0))
        top_v = max(c.values + [v for v in c.previous if v is not None], default=0) or 1
        axis = cv.axes[f"xaxis{xa[1:]}"]
        axis.update(
            {"range": [0, top_v * 1.45], "showticklabels": False, "showgrid": False, "zeroline": True,
             "zerolinecolor": "#999999", "fixedrange": True}
        )  # fmt: skip
        cv.axes[f"yaxis{ya[1:]}"].update(
            {"type": "category", "autorange": "reversed", "tickfont": {"size": size, "color": INK},
             "ticklabelstandoff": 8,
             "showgrid": False, "ticks": "", "fixedrange": True}
        )  # fmt: skip
        # bars at most ~44 px thick however tall the box: a two-bar chart is not two slabs
        dom_h = (bottom - (30 if c.kind == "compare" else 0) - top) / max(1, len(names))
        width = min(0.7, 44 / dom_h) if c.kind == "barh" else min(0.36, 26 / dom_h)
        bar = {"type": "bar", "orientation": "h", "y": names, "xaxis": xa, "yaxis": ya, "cliponaxis": False,
               "width": width}  # fmt: skip
        if c.kind == "compare":
            bar["offset"] = -width
            cv.traces.append(
                bar | {"x": c.previous, "name": "上年", "marker": {"color": GREY},
                       "text": [format_number(v) for v in c.previous], "textposition": "outside",
                       "textfont": {"size": 14, "color": MUTED}}
            )  # fmt: skip
        if c.kind == "compare":
            bar["offset"] = 0.02
        cv.traces.append(
            bar | {"x": c.values, "name": "本年", "marker": {"color": RED}, "text": c.texts,
                   "textposition": "outside", "textfont": {"size": 16, "color": INK}}
        )  # fmt: skip
        if c.kind == "compare":
            cv.text(x0 + 18, bottom - 26, "红色：本年　灰色：上年", 14, MUTED)
    else:
        xa, ya = cv.axes_pair(x0 + 70, top + 16, x1 - 40, bottom - 34)
        top_v = max(v for v in c.values if v is not None) or 1
        cv.axes[f"xaxis{xa[1:]}"].update(
            {"type": "category", "tickfont": {"size": 15}, "showgrid": False, "fixedrange": True}
        )
        cv.axes[f"yaxis{ya[1:]}"].update(
            {"range": [0, top_v * 1.3], "tickfont": {"size": 13, "color": MUTED}, "gridcolor": "#eeeeee",
             "fixedrange": True, "separatethousands": True, "tickformat": ","}
        )  # fmt: skip
        colors = [RED if i == c.highlight else "#d98880" for i in range(len(c.values))]
        sizes = [14 if i == c.highlight else 9 for i in range(len(c.values))]
        cv.traces.append(
            {"type": "scatter", "mode": "lines+markers+text", "x": c.labels, "y": c.values, "xaxis": xa,
             "yaxis": ya, "line": {"color": RED, "width": 3}, "marker": {"color": colors, "size": sizes},
             "text": c.texts, "textposition": "top center", "textfont": {"size": 14, "color": INK},
             "cliponaxis": False, "connectgaps": False}
        )  # fmt: skip
        if any(v is None for v in c.values):
            cv.text(x0 + 18, bottom - 4, "断开处：当年没有报告写明这个数。", 13, MUTED)


def _need(c: SmallChart) -> float:
    """The height a chart needs in pixels: title, then ~52 px a bar (~70 a pair), or a fixed line chart."""
    if c.kind == "line":
        return 400
    return 110 + len(c.labels) * (72 if c.kind == "compare" else 52) + (30 if c.kind == "compare" else 0)


def compose(data: PosterData, generated: dt.date | None = None) -> go.Figure:
    """The poster as one Plotly figure, laid out in A4 pixels."""
    cv = _Canvas()
    margin = 50
    inner = WIDTH - 2 * margin

    # header band
    cv.rect(0, 0, WIDTH, 190, RED_DARK)
    cv.text(margin, 30, "数说", 26, "#f5d6d2", bold=True)
    title = f"{data.jurisdiction}人大常委会"
    cv.text(margin, 66, title, _fit(title, 50, inner), "#ffffff", bold=True)
    cv.text(margin, 136, f"{data.period_label}履职数据一览", 28, "#ffffff")
    cv.text(WIDTH - margin, 142, f"依据 {len(data.sources)} 份报告", 18, "#f5d6d2", anchor="right")

    # headline cards: two columns
    gap, card_h, y = 24, 146, 220
    card_w = (inner - gap) / 2
    for i, card in enumerate(data.cards):
        col, row = i % 2, i // 2
        x0 = margin + col * (card_w + gap)
        y0 = y + row * (card_h + 16)
        cv.rect(x0, y0, x0 + card_w, y0 + card_h, CARD_BG)
        cv.rect(x0, y0, x0 + 6, y0 + card_h, RED)
        tag_w = _w(card.tag, 15) + 10 if card.tag else 0
        cv.text(x0 + 24, y0 + 14, card.label, _fit(card.label, 21, card_w - 40 - tag_w), "#444444")
        if card.tag:
            cv.text(x0 + card_w - 16, y0 + 17, card.tag, 15, MUTED, anchor="right")
        cv.text(x0 + 22, y0 + 40, card.value, _fit(card.value, 46, card_w - 40), RED_DARK, bold=True)
        if card.change:
            cv.text(x0 + 24, y0 + 110, card.change, _fit(card.change, 18, card_w - 40), MUTED)
    rows = (len(data.cards) + 1) // 2
    charts_top = y + rows * (card_h + 16) + 14

    # footer: caveat, notes, sources, generated
    foot_size, src_size = 16, 15
    caveat = wrap_px("注：" + CAVEAT, foot_size, inner)
    notes = wrap_px(NOTES, src_size, inner)
    sources = wrap_px("来源：" + "；".join(data.sources) + "。", src_size, inner)
    stamp = f"人大常委会工作报告履职数据 · 生成于 {(generated or dt.date.today()).isoformat()}"
    line = 1.55
    foot_h = (len(caveat) * foot_size + (len(notes) + len(sources) + 1) * src_size) * line + 50
    foot_top = HEIGHT - foot_h
    cv.rect(0, foot_top - 16, WIDTH, HEIGHT, "#f4f4f4")
    yy = foot_top
    cv.text(margin, yy, "\n".join(caveat), foot_size, RED_DARK, bold=True)
    yy += len(caveat) * foot_size * line + 8
    cv.text(margin, yy, "\n".join(sources), src_size, "#444444")
    yy += len(sources) * src_size * line + 6
    cv.text(margin, yy, "\n".join(notes), src_size, MUTED)
    yy += len(notes) * src_size * line + 6
    cv.text(margin, yy, stamp, 13, "#999999")

    # charts between the cards and the footer: two side by side, a third across the page; each row as
    # tall as its charts need (a two-bar chart is not stretched over half a page), a little more if room
    charts = data.charts
    rows_of = [charts[:1]] if len(charts) == 1 else [charts[:2], charts[2:3]] if charts else []
    rows_of = [r for r in rows_of if r]
    needs = [max(_need(c) for c in r) for r in rows_of]
    room = foot_top - 40 - charts_top - 20 * max(0, len(rows_of) - 1)
    grow = min(room / sum(needs), 1.35) if needs else 1
    y0 = charts_top
    half = (inner - gap) / 2
    for r, need in zip(rows_of, needs, strict=True):
        h = need * grow
        if len(r) == 1:
            _draw_chart(cv, r[0], margin, y0, WIDTH - margin, y0 + h)
        else:
            _draw_chart(cv, r[0], margin, y0, margin + half, y0 + h)
            _draw_chart(cv, r[1], margin + half + gap, y0, WIDTH - margin, y0 + h)
        y0 += h + 20

    layout = {
        "width": WIDTH,
        "height": HEIGHT,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT_FAMILY, "size": 14, "color": INK},
        "showlegend": False,
        "barmode": "group",
        "bargap": 0.3,
        "bargroupgap": 0.08,
        "shapes": cv.shapes,
        "annotations": cv.annotations,
        "separators": ".,",
        **cv.axes,
    }
    if not cv.axes:  # no chart at all: keep the default axes out of sight
        layout["xaxis"] = {"visible": False}
        layout["yaxis"] = {"visible": False}
    return go.Figure(data=cv.traces, layout=layout)


# --- render ------------------------------------------------------------------------------------------


def _static_ready() -> None:
    from app.export import static_export_status

    ok, info = static_export_status()
    if not ok:
        raise PosterError(info)
    os.environ.setdefault("BROWSER_PATH", info)


def render(data: PosterData, fmt: str = "png") -> bytes:
    """The poster as PNG (2480 × 3508, A4 at 300 dpi) or PDF (A4, vector) bytes."""
    if fmt not in ("png", "pdf"):
        raise PosterError(f"海报格式只能是 png 或 pdf，而不是 {fmt!r}")
    _static_ready()
    fig = compose(data)
    out = fig.to_image(format=fmt, width=WIDTH, height=HEIGHT, scale=PNG_SCALE if fmt == "png" else 1)
    return to_a4(out) if fmt == "pdf" else out


A4_PT = (595.28, 841.89)


def to_a4(pdf: bytes) -> bytes:
    """Kaleido's PDF page is the figure's pixels at 96 dpi (930 × 1316 pt); put it on an A4 page, scaled
    as a vector drawing, so the file prints at its size without "fit to page"."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(pdf)
    dst = pdfium.PdfDocument.new()
    try:
        w, h = src[0].get_size()
        page = dst.new_page(*A4_PT)
        obj = src.page_as_xobject(0, dst).as_pageobject()
        obj.transform(pdfium.PdfMatrix().scale(A4_PT[0] / w, A4_PT[1] / h))
        page.insert_obj(obj)
        page.gen_content()
        buf = io.BytesIO()
        dst.save(buf)
        return buf.getvalue()
    finally:
        dst.close()
        src.close()


def write_many(items: list[tuple[PosterData, Path]]) -> None:
    """Render many posters with one browser (much faster than one to_image per poster)."""
    import plotly.io as pio

    if not items:
        return
    _static_ready()
    by_fmt: dict[str, list[tuple[go.Figure, Path]]] = {}
    for data, path in items:
        by_fmt.setdefault(path.suffix.lstrip(".").lower(), []).append((compose(data), path))
    for fmt, pairs in by_fmt.items():
        pio.write_images(
            [f for f, _ in pairs],
            [str(p) for _, p in pairs],
            format=fmt,
            width=WIDTH,
            height=HEIGHT,
            scale=PNG_SCALE if fmt == "png" else 1,
        )
        if fmt == "pdf":
            for _, path in pairs:
                path.write_bytes(to_a4(path.read_bytes()))


def all_periods(con: duckdb.DuckDBPyConnection) -> list[tuple[str, tuple[int, int]]]:
    """Every jurisdiction and period the database has a point for (待确认 reports left out)."""
    df = poster_queries.poster_periods(con)
    return [
        (j, (int(a), int(b)))
        for j, a, b in zip(df["jurisdiction"], df["period_start"], df["period_end"], strict=True)
    ]
