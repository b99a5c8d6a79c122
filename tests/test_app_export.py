"""Briefing exports: the PPTX charts and the XLSX sheets hold the database's numbers; PNG/SVG only when
safe."""

from __future__ import annotations

import io

import pytest
from conftest import assert_clean, fetch, open_app
from pptx import Presentation
from pptx.oxml.ns import qn

from app import export
from app.views import ChartRequest, category_requests, resolve

TREND = ChartRequest("trend", "appointments.personnel", ("郑州市", "鹤壁市"), 2019, 2023)
COMPARE = ChartRequest("compare", "supervision.work_reports", ("郑州市", "鹤壁市"), 2023, 2023, "prefecture")
CATEGORY = ChartRequest("category", "联系群众", ("鹤壁市",), 2023, 2023)


def db_annual(db, metric: str, jurisdiction: str, y0: int, y1: int) -> dict[str, float]:
    """Straight from the facts table, independently of the dashboard's queries: year → value."""
    rows = fetch(
        db,
        "select f.period_start, f.value from facts f join reports r using (report_id) "
        "where f.metric = ? and r.jurisdiction = ? and f.period_start = f.period_end "
        "and f.period_start between ? and ?",
        [metric, jurisdiction, y0, y1],
    )
    return {str(y): v for y, v in rows}


def db_values(db, metric: str, period: tuple[int, int], jurisdictions: list[str]) -> dict[str, float]:
    return dict(
        fetch(
            db,
            "select r.jurisdiction, max(f.value) from facts f join reports r using (report_id) "
            "where f.metric = ? and f.period_start = ? and f.period_end = ? "
            "and list_contains(?, r.jurisdiction) group by r.jurisdiction",
            [metric, period[0], period[1], jurisdictions],
        )
    )


def chart_shapes(slide):
    return [sh for sh in slide.shapes if sh.has_chart]


def slide_text(slide) -> str:
    return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


# --- PPTX -------------------------------------------------------------------------------------------


def test_pptx_trend_series_equal_the_database(synth_db, use_db):
    use_db(synth_db)
    chart = resolve(TREND)
    prs = Presentation(io.BytesIO(export.charts_pptx([chart])))
    slide = prs.slides[1]
    (frame,) = chart_shapes(slide)
    plot = frame.chart.plots[0]
    assert list(plot.categories) == ["2019", "2020", "2021", "2022", "2023"]
    for series in plot.series:
        want = db_annual(synth_db, "appointments.personnel", series.name, 2019, 2023)
        got = {y: v for y, v in zip(plot.categories, series.values, strict=True) if v is not None}
        assert got == want, series.name
    assert {s.name for s in plot.series} == {"郑州市", "鹤壁市"}


def test_pptx_compare_chart_equals_the_database_on_the_bundled_corpus(corpus_db, use_db):
    use_db(corpus_db)
    prs = Presentation(io.BytesIO(export.charts_pptx([resolve(COMPARE)])))
    plot = chart_shapes(prs.slides[1])[0].chart.plots[0]
    got = dict(zip(plot.categories, plot.series[0].values, strict=True))
    assert got == db_values(corpus_db, "supervision.work_reports", (2023, 2023), ["郑州市", "鹤壁市"])
    assert got == {"郑州市": 25, "鹤壁市": 27}


def test_pptx_charts_are_native_with_chinese_labels_and_east_asian_fonts(corpus_db, use_db):
    use_db(corpus_db)
    prs = Presentation(io.BytesIO(export.charts_pptx([resolve(COMPARE), resolve(CATEGORY)])))
    assert len(prs.slides) == 3
    for slide in list(prs.slides)[1:]:
        (frame,) = chart_shapes(slide)
        space = frame.chart._chartSpace
        assert space.xpath(".//a:ea/@typeface"), "chart text has no East Asian typeface"
        for shape in slide.shapes:
            if shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    for run in para.runs:
                        ea = run._r.get_or_add_rPr().find(qn("a:ea"))
                        assert ea is not None and ea.get("typeface"), run.text
    cats = list(chart_shapes(prs.slides[2])[0].chart.plots[0].categories)
    assert cats and all(any("\u4e00" <= ch <= "\u9fff" for ch in c) for c in cats)


def test_every_slide_names_its_sources_and_years(corpus_db, use_db):
    use_db(corpus_db)
    prs = Presentation(io.BytesIO(export.charts_pptx([resolve(COMPARE), resolve(TREND)])))
    for slide in list(prs.slides)[1:]:
        text = slide_text(slide)
        assert "来源：" in text and "年份：" in text
    # a source names the report's title and date, never a hashed file name
    assert "《郑州市人民代表大会常务委员会工作报告》（2024年2月3日）" in slide_text(prs.slides[1])
    assert ".txt" not in slide_text(prs.slides[1])
    assert "鹤壁市《2023年市人大常委会工作综述》（日期不详）" in slide_text(prs.slides[1])


def test_an_empty_chart_becomes_a_slide_that_says_so(synth_db, use_db):
    use_db(synth_db)
    empty = resolve(ChartRequest("trend", "legislation.laws_enacted", ("中原区",), 2019, 2022))
    prs = Presentation(io.BytesIO(export.charts_pptx([empty])))
    assert not chart_shapes(prs.slides[1]) and "没有数据" in slide_text(prs.slides[1])


# --- XLSX -------------------------------------------------------------------------------------------


def test_xlsx_sheets_hold_every_charts_data(synth_db, use_db):
    use_db(synth_db)
    charts = [
        resolve(TREND),
        resolve(ChartRequest("compare", "decisions.resolutions", ("中原区", "新郑市"), 2021, 2021)),
    ]
    data = export.charts_xlsx(charts)
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "目录" and len(book.sheetnames) == 3
    trend = export.read_chart_sheet(data, book.sheetnames[1])
    for jur in ("郑州市", "鹤壁市"):
        rows = trend[trend["系列"] == jur]
        got = dict(zip(rows["年份"].astype(str), rows["数值"], strict=True))
        assert got == db_annual(synth_db, "appointments.personnel", jur, 2019, 2023)
    assert trend["原文"].notna().all() and trend["来源报告"].notna().all()
    compare = export.read_chart_sheet(data, book.sheetnames[2])
    assert dict(zip(compare["地区"], compare["数值"], strict=True)) == db_values(
        synth_db, "decisions.resolutions", (2021, 2021), ["中原区", "新郑市"]
    )
    assert book[book.sheetnames[1]]["A1"].value == charts[0].title


def test_table_downloads_use_utf8_bom_csv_and_round_trip(corpus_db, use_db):
    import pandas as pd

    from app import queries
    from app.filters import Filters
    from app.views import facts_display

    use_db(corpus_db)
    table = facts_display(queries.fact_rows(Filters()))
    csv = export.frame_bytes(table, "csv")
    assert csv[:3] == b"\xef\xbb\xbf" and "郑州市".encode() in csv
    back = pd.read_excel(io.BytesIO(export.frame_bytes(table, "xlsx")))
    assert len(back) == len(table) and list(back.columns) == list(table.columns)
    parquet = pd.read_parquet(io.BytesIO(export.frame_bytes(table, "parquet")))
    assert parquet["事实ID"].tolist() == table["事实ID"].tolist()


# --- PNG / SVG --------------------------------------------------------------------------------------


def test_static_export_refuses_without_chromium(monkeypatch):
    monkeypatch.setattr(export, "find_chromium", lambda: None)
    ok, why = export.static_export_status()
    assert not ok and "Chromium" in why
    with pytest.raises(RuntimeError, match="Chromium"):
        export.chart_image(None, "png")  # type: ignore[arg-type]


def test_static_export_refuses_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(export, "find_chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(export, "cjk_font_available", lambda: False)
    ok, why = export.static_export_status()
    assert not ok and "中文字体" in why


def test_export_page_says_why_there_is_no_png(synth_db, monkeypatch):
    monkeypatch.setattr(export, "find_chromium", lambda: None)
    at = open_app(synth_db, monkeypatch, "export", {"brief": [TREND.token()]})
    assert_clean(at)
    assert any("不提供 PNG/SVG" in w.value for w in at.warning)


@pytest.mark.skipif(not export.static_export_status()[0], reason="no Chromium or no CJK font on this machine")
def test_png_and_svg_render_with_chinese_text(synth_db, use_db):
    use_db(synth_db)
    chart = resolve(TREND)
    png = export.chart_image(chart, "png", width=900, scale=2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    svg = export.chart_image(chart, "svg", width=900).decode("utf-8")
    assert "任免" in svg or "&#" in svg


# --- the deck says what the screen says (issue 12 item 4) ---------------------------------------------


def _point_labels(frame) -> list[str]:
    """Every data label's own text (the per-point c:dLbl rich text) of a native chart."""
    out = []
    for plot in frame.chart.plots:
        for series in plot.series:
            for dlbl in series._element.iter(qn("c:dLbl")):
                out.append("".join(t.text or "" for t in dlbl.iter(qn("a:t"))))
    return out


def test_every_pptx_label_and_axis_carries_a_unit_and_the_cover_matches(corpus_db, use_db):
    use_db(corpus_db)
    # 总览's charts of 郑州市 2023 (one per unit, whatever units the extractor finds) and a comparison
    parts = category_requests(ChartRequest("category", "联系群众", ("郑州市",), 2023, 2023))
    parts += category_requests(ChartRequest("category", "立法", ("郑州市",), 2023, 2023))
    charts = [c for _, c in parts if not c.is_empty][:3] + [resolve(COMPARE)]
    assert len(charts) == 4
    prs = Presentation(io.BytesIO(export.charts_pptx(charts, subtitle="郑州 2023 简报")))
    cover = slide_text(prs.slides[0])
    # the cover describes the slides (places, years, titles), not the sidebar's filters
    assert "郑州市" in cover and "2023年" in cover and "鹤壁市" in cover
    assert "共 4 张图表" in cover and all(c.title in cover for c in charts)
    assert "筛选" not in cover
    for chart, slide in zip(charts, list(prs.slides)[1:], strict=True):
        (frame,) = chart_shapes(slide)
        labels = _point_labels(frame)
        drawn = [p for s in chart.series for p in s.points if p.value is not None]
        assert len(labels) == len(drawn)
        assert all(lbl.removesuffix("（已更正）").endswith(chart.unit) for lbl in labels), labels
        axis = frame.chart.value_axis
        assert axis.axis_title.text_frame.text == f"单位：{chart.unit}"
        assert not axis.tick_labels.number_format.endswith(".##")
        text = slide_text(slide)
        assert "None" not in text and ".txt" not in text


def test_a_corrected_value_is_marked_on_its_pptx_label():
    from app.charts import ChartData, Point, Series

    chart = ChartData(
        key="k",
        title="制定地方性法规",
        unit="件",
        kind="barh",
        categories=["郑州市", "鹤壁市", "许昌市"],
        series=[
            Series(
                "2023年",
                [
                    Point(12, "件", corrected=True),
                    Point(37, "件", "approx"),
                    Point(1200, "件", "approx_at_least"),
                ],
            )
        ],
        sources=["郑州市《工作报告》（2024年2月3日）"],
        years="2023年",
        places=["郑州市", "鹤壁市"],
    )
    prs = Presentation(io.BytesIO(export.charts_pptx([chart])))
    labels = _point_labels(chart_shapes(prs.slides[1])[0])
    assert labels == ["12件（已更正）", "约37件", "≥1,200件"]
    note = slide_text(prs.slides[1])
    assert (
        "已更正" in note and "“约”表示报告原文为“近/约”" in note and "“≥”表示报告原文为“余/多/以上”" in note
    )
