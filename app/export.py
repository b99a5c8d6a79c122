"""Briefing exports drawn from ChartData: native PPTX charts, XLSX of every chart's data, PNG/SVG, tables.

PPTX: python-pptx's font.name only sets the Latin typeface, so every run and every chart's text also
gets an East Asian (a:ea) typeface; otherwise WPS/PowerPoint may pick a font without the glyphs.
PNG/SVG: Kaleido needs a Chrome/Chromium and a CJK font; static_export_status() checks both so the UI
can say why it cannot render instead of exporting empty boxes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from lxml import etree
from openpyxl.styles import Alignment, Font
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from app.charts import CORRECTED_MARK, PALETTE, TERM_COLOR, ChartData, plotly_figure, to_plotly
from etl.ops.export import neutralize, neutralize_frame, write_frame

EA_FONT = "Microsoft YaHei"  # East Asian typeface written into the PPTX (WPS/PowerPoint substitute if absent)
LATIN_FONT = "Microsoft YaHei"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


# --- tables ------------------------------------------------------------------------------------------


def frame_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """A table as csv (UTF-8 with BOM, for Excel), xlsx or parquet bytes, written by etl.export.write_frame."""
    if fmt in ("csv", "xlsx"):  # a reader's words, not TRUE/FALSE (Parquet keeps the booleans)
        df = df.assign(**{c: df[c].map({True: "是", False: "否"}) for c in df.columns if df[c].dtype == bool})
    buf = io.BytesIO()
    write_frame(df, fmt, buf, sheet_name="数据")
    return buf.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", title)[:28] or "图表"
    name, i = base, 2
    while name in used:
        name = f"{base[:26]}_{i}"
        i += 1
    used.add(name)
    return name


def charts_xlsx(charts: Sequence[ChartData]) -> bytes:
    """One sheet per chart (title, unit, source, then one row per point) plus an index sheet."""
    buf = io.BytesIO()
    used: set[str] = {"目录"}
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        index_rows = []
        names = []
        for chart in charts:
            name = _sheet_name(chart.title, used)
            names.append(name)
            index_rows.append(
                {
                    "工作表": name,
                    "图表": chart.title,
                    "单位": chart.unit,
                    "年份": chart.years,
                    "说明": chart.subtitle,
                    "来源": "；".join(chart.sources),
                }
            )
        neutralize_frame(pd.DataFrame(index_rows)).to_excel(xw, sheet_name="目录", index=False)
        for chart, name in zip(charts, names, strict=True):
            frame = neutralize_frame(chart.long_frame())  # no text cell may run as a formula
            frame.to_excel(xw, sheet_name=name, index=False, startrow=5)
            ws = xw.sheets[name]
            ws["A1"] = neutralize(chart.title)
            ws["A1"].font = Font(bold=True, size=14)
            ws["A2"] = neutralize(f"单位：{chart.unit}")
            ws["A3"] = neutralize(chart.subtitle)
            ws["A4"] = neutralize(chart.full_source_line)
            ws["A4"].alignment = Alignment(wrap_text=False)
            for col, width in zip("ABCDEFGH", (16, 24, 10, 8, 14, 30, 60, 50), strict=True):
                ws.column_dimensions[col].width = width
        xw.sheets["目录"].column_dimensions["B"].width = 40
    return buf.getvalue()


def read_chart_sheet(data: bytes, sheet: str) -> pd.DataFrame:
    """Read back one chart sheet written by charts_xlsx (for tests and round trips)."""
    return pd.read_excel(io.BytesIO(data), sheet_name=sheet, skiprows=5)


# --- PPTX --------------------------------------------------------------------------------------------


def _set_ea(rpr, typeface: str = EA_FONT) -> None:
    """Give an a:rPr / a:defRPr element an East Asian typeface, keeping the schema's child order."""
    for tag in ("a:ea", "a:cs"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    latin = rpr.find(qn("a:latin"))
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", typeface)
    cs = etree.SubElement(rpr, qn("a:cs"))
    cs.set("typeface", typeface)
    # a:latin, a:ea, a:cs must follow the fill/effect elements and precede a:sym / a:hlinkClick / a:extLst.
    if latin is not None:
        latin.addnext(ea)
        ea.addnext(cs)
    else:
        followers = [
            rpr.find(qn(t)) for t in ("a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")
        ]
        first = next((f for f in followers if f is not None), None)
        if first is not None:
            first.addprevious(ea)
            ea.addnext(cs)


def _style_run(run, size: int, bold: bool = False, color: str | None = None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN_FONT
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    _set_ea(run._r.get_or_add_rPr())


def _text_box(slide, left, top, width, height, lines: list[tuple[str, int, bool, str | None]]):
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for i, (text, size, bold, color) in enumerate(lines):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        run = para.add_run()
        run.text = text
        _style_run(run, size, bold, color)
    return box


def _cjk_font(font, size: int) -> None:
    """A python-pptx Font (of a run, an axis or data labels) with size, Latin and East Asian typefaces."""
    font.size = Pt(size)
    font.name = LATIN_FONT
    _set_ea(font._rPr)


def _chart_fonts(chart, size: int = 12) -> None:
    chart.font.size = Pt(size)
    chart.font.name = LATIN_FONT
    defrpr = chart._chartSpace.get_or_add_txPr().p_lst[0].get_or_add_pPr().get_or_add_defRPr()
    _set_ea(defrpr)


def _number_format(values: Sequence[float | None], unit: str = "") -> str:
    """An Excel number format that never ends in a bare dot ('#,##0.##' shows 37 as '37.'), with the unit."""
    whole = all(v is None or float(v).is_integer() for v in values)
    base = "#,##0" if whole else "#,##0.0#"
    return base + (f'"{unit}"' if unit else "")


def point_label(p) -> str:
    """A data label as the screen writes it: unit, ≥ for 余/多/以上, 约 for 近/约, and the 已更正 mark."""
    return f"{p.label}（{CORRECTED_MARK}）" if p.corrected else p.label


def _add_native_chart(slide, chart: ChartData, left, top, width, height):
    values = [v for s in chart.series for v in s.values]
    data = CategoryChartData(number_format=_number_format(values))
    data.categories = chart.categories
    for s in chart.series:
        data.add_series(s.name, s.values)
    if chart.kind == "line":
        xl_type = XL_CHART_TYPE.LINE_MARKERS
    else:
        xl_type = XL_CHART_TYPE.BAR_CLUSTERED
    gframe = slide.shapes.add_chart(xl_type, left, top, width, height, data)
    ch = gframe.chart
    _chart_fonts(ch)
    ch.has_legend = len(chart.series) > 1
    if ch.has_legend:
        ch.legend.position = XL_LEGEND_POSITION.BOTTOM
        ch.legend.include_in_layout = False
    ch.has_title = False
    plot = ch.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    # the fallback format of any label PowerPoint regenerates carries the unit too
    labels.number_format = _number_format(values, chart.unit)
    labels.number_format_is_linked = False
    _cjk_font(labels.font, 10)
    if chart.kind != "line":
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        plot.gap_width = 60
    for i, (series, s) in enumerate(zip(plot.series, chart.series, strict=True)):
        color = RGBColor.from_string(
            (TERM_COLOR if s.style == "term" else PALETTE[i % len(PALETTE)]).lstrip("#")
        )
        if chart.kind == "line":
            series.format.line.color.rgb = color
            series.format.line.width = Pt(2.25)
            series.smooth = False
            if s.style == "term":
                series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = color
        # each label is the value as written on screen ('≥1,200条', '约5,000件', '12项（已更正）')
        for j, p in enumerate(s.points):
            if p.value is None:
                continue
            dl = series.points[j].data_label
            dl.text_frame.text = point_label(p)
            for para in dl.text_frame.paragraphs:
                for run in para.runs:
                    _style_run(run, 10, color="B03A2E" if p.corrected else None)
            if chart.kind != "line":
                dl.position = XL_LABEL_POSITION.OUTSIDE_END
    value_axis = ch.value_axis
    value_axis.has_major_gridlines = True
    _cjk_font(value_axis.tick_labels.font, 10)
    value_axis.tick_labels.number_format = _number_format(values)
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = f"单位：{chart.unit or '—'}"
    for para in value_axis.axis_title.text_frame.paragraphs:
        for run in para.runs:
            _style_run(run, 10)
    _cjk_font(ch.category_axis.tick_labels.font, 11)
    if ch.has_legend:
        _cjk_font(ch.legend.font, 11)
    return gframe


MAP_PX = (820, 540)  # the map picture in CSS pixels, drawn at 2.5×: 7.6 × 5.0 inches, text legible
TABLE_ROWS = 18  # rows per block of the values table beside the map


def map_picture(chart: ChartData) -> bytes:
    """The map of a kind-'map' chart as a PNG for a slide: the figure without its title and source line
    (the slide prints both), the 无数据 key kept."""
    fig = go.Figure(plotly_figure(chart.figure))  # a copy: the chart's own figure is left as it is
    fig.layout.annotations = [a for a in fig.layout.annotations if a.name != "source"]
    fig.update_layout(
        title={"text": "", "subtitle": {"text": ""}}, margin={"t": 40, "b": 10, "l": 10, "r": 10}
    )
    return _render(fig, "png", *MAP_PX, scale=2.5)


def _add_map(slide, chart: ChartData, left, top, width, height) -> None:
    """A map slide's body: the map as a picture (Kaleido), the values as a table beside it (无数据 too)."""
    pic_w = int(height * MAP_PX[0] / MAP_PX[1])
    try:
        if chart.figure is None:
            raise RuntimeError("没有地图边界文件（请运行 `make geo`），这里只列出数值。")
        slide.shapes.add_picture(io.BytesIO(map_picture(chart)), left, top, width=pic_w, height=height)
    except RuntimeError as exc:
        _text_box(slide, left, top + Inches(2.0), pic_w, Inches(1.0), [(str(exc), 14, False, "999999")])
    rows = [
        (name, point_label(p) if p.value is not None else "无数据", p.value is None)
        for name, p in zip(chart.categories, chart.series[0].points, strict=True)
    ]
    blocks = [rows[i : i + TABLE_ROWS] for i in range(0, len(rows), TABLE_ROWS)] or [[]]
    gap = Inches(0.1)
    x0, room = left + pic_w + Inches(0.2), width - pic_w - Inches(0.2)
    block_w = int((room - gap * (len(blocks) - 1)) / len(blocks))
    size = 10 if len(blocks) == 1 else 9
    for b, block in enumerate(blocks):
        n = len(block) + 1
        shape = slide.shapes.add_table(
            n, 2, x0 + b * (block_w + gap), top, block_w, min(height, Inches(0.27) * n)
        )
        table = shape.table
        table.columns[0].width = int(block_w * 0.55)
        table.columns[1].width = block_w - int(block_w * 0.55)
        for c, head in enumerate(("地区", f"数值（{chart.unit or '—'}）")):
            table.cell(0, c).text = head
        for r, (name, label, _) in enumerate(block, start=1):
            table.cell(r, 0).text = name
            table.cell(r, 1).text = label
        for r in range(n):
            table.rows[r].height = min(int(height / n), Inches(0.27))
            for c in range(2):
                cell = table.cell(r, c)
                cell.margin_top = cell.margin_bottom = Inches(0.02)
                for para in cell.text_frame.paragraphs:
                    for run in para.runs:
                        grey = r > 0 and block[r - 1][2]
                        _style_run(run, size, bold=r == 0, color="999999" if grey else None)


def _source_note(chart: ChartData) -> str:
    srcs = "；".join(chart.sources) if chart.sources else "无"
    points = [p for s in chart.series for p in s.points if p.value is not None]
    marks = []
    if any(p.qualifier == "approx_at_least" for p in points):
        marks.append("“≥”表示报告原文为“余/多/以上”")
    if any(p.qualifier == "approx" for p in points):
        marks.append("“约”表示报告原文为“近/约”")
    if any(p.corrected for p in points):
        marks.append(f"“{CORRECTED_MARK}”表示分析员更正过该数值，原因见“更正记录”")
    return f"来源：{srcs}。年份：{chart.years}。" + ("；".join(marks) + "。" if marks else "")


def deck_summary(charts: Sequence[ChartData]) -> tuple[str, list[str]]:
    """What a deck is about, from its charts (never the sidebar's filters): ('郑州市 · 2023年', the slide
    titles)."""
    places = list(dict.fromkeys(p for c in charts if not c.is_empty for p in c.places if p))
    years = list(dict.fromkeys(c.years for c in charts if not c.is_empty and c.years))
    shown = "、".join(places[:6]) + (f"等 {len(places)} 个地区" if len(places) > 6 else "")
    head = " · ".join(x for x in (shown, "、".join(years[:4]) + ("等" if len(years) > 4 else "")) if x)
    return head or "（所选图表没有数据）", [c.title for c in charts]


def charts_pptx(
    charts: Sequence[ChartData], title: str = "人大常委会履职数据简报", subtitle: str = ""
) -> bytes:
    """A 16:9 deck: a cover saying what the slides show, then one slide per chart with a native (editable)
    chart, units on every label and axis, and its sources.  ``subtitle``: e.g. the brief's name."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    W = prs.slide_width

    head, titles = deck_summary(charts)
    cover = prs.slides.add_slide(blank)
    _text_box(cover, Inches(0.8), Inches(1.6), W - Inches(1.6), Inches(1.2), [(title, 36, True, "C0392B")])
    listing = "；".join(titles[:8]) + (f" 等 {len(titles)} 张" if len(titles) > 8 else "")
    _text_box(
        cover,
        Inches(0.8),
        Inches(2.9),
        W - Inches(1.6),
        Inches(3.5),
        [
            (head, 24, True, "333333"),
            *([(subtitle, 16, False, "555555")] if subtitle else []),
            (f"共 {len(titles)} 张图表：{listing}", 14, False, "555555"),
            ("数据来自各级人大常委会工作报告，每个数字均可追溯到报告原文。", 14, False, "777777"),
            (f"生成日期：{dt.date.today():%Y年%m月%d日}", 14, False, "777777"),
        ],
    )

    for chart in charts:
        slide = prs.slides.add_slide(blank)
        _text_box(
            slide,
            Inches(0.5),
            Inches(0.3),
            W - Inches(1.0),
            Inches(0.8),
            [
                (chart.title, 26, True, "222222"),
                (
                    f"单位：{chart.unit or '—'}" + (f"　{chart.subtitle}" if chart.subtitle else ""),
                    13,
                    False,
                    "666666",
                ),
            ],
        )
        if chart.kind == "map":
            _add_map(slide, chart, Inches(0.5), Inches(1.35), W - Inches(1.0), Inches(5.0))
        elif chart.is_empty:
            _text_box(
                slide,
                Inches(0.8),
                Inches(3.0),
                W - Inches(1.6),
                Inches(1.0),
                [("所选范围内没有数据（缺报告不等于零）", 20, False, "999999")],
            )
        else:
            _add_native_chart(slide, chart, Inches(0.5), Inches(1.35), W - Inches(1.0), Inches(5.0))
        _text_box(
            slide,
            Inches(0.5),
            Inches(6.5),
            W - Inches(1.0),
            Inches(0.9),
            [(_source_note(chart), 10, False, "777777")],
        )
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- PNG / SVG -----------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    """The browser Kaleido will drive: $BROWSER_PATH if set, else the first Chrome/Chromium on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@functools.lru_cache(maxsize=1)
def cjk_font_available() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and bool(out.stdout.strip())


def static_export_status() -> tuple[bool, str]:
    """(can render, why not): PNG/SVG need Kaleido, a Chromium and a CJK font, or they come out as boxes."""
    try:
        import kaleido  # noqa: F401 - only its presence matters here
    except ImportError:
        return False, "服务器未安装 kaleido，无法导出 PNG/SVG；请用 PPTX 或图表右上角的下载按钮。"
    chrome = find_chromium()
    if not chrome:
        return (
            False,
            "服务器上没有 Chrome/Chromium，无法导出 PNG/SVG（请安装 chromium 或设置 BROWSER_PATH）。",
        )
    if not cjk_font_available():
        return (
            False,
            "服务器没有中文字体（fc-list :lang=zh 为空），导出的图片会出现方框，因此不提供 PNG/SVG；请安装 fonts-noto-cjk。",
        )
    return True, chrome


def chart_image(
    chart: ChartData, fmt: str = "png", width: int = 1200, height: int | None = None, scale: int = 3
) -> bytes:
    """Render a chart to PNG or SVG with Kaleido; raises RuntimeError with the reason when it cannot."""
    ok, info = static_export_status()
    if not ok:
        raise RuntimeError(info)
    fig = to_plotly(chart, full_source=True)
    h = height or int(fig.layout.height or 500)
    return _render(fig, fmt, width, h, scale)


def _render(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    ok, info = static_export_status()
    if not ok:
        raise RuntimeError(info)
    os.environ.setdefault("BROWSER_PATH", info)
    # a map's geo subplot reads its (empty) world outline from here instead of Plotly's CDN: offline
    from app.geo import TOPOJSON_URL

    pio.defaults.topojson = TOPOJSON_URL
    return fig.to_image(format=fmt, width=width, height=height, scale=scale if fmt == "png" else 1)
