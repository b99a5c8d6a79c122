"""地图: one level of divisions inside a parent, coloured by one metric for one period; click opens 总览."""

from __future__ import annotations

import streamlit as st

from app import db, geo, state, ui
from app.charts import PLOTLY_LOCALE
from app.filters import Filters
from app.labels import period_zh
from app.views import ChartRequest, parse_period, period_key, period_options


@st.cache_data(max_entries=64, show_spinner=False)
def _parents(version) -> list[str]:
    with db.cursor(version) as con:
        return geo.map_parents(con)


@st.cache_data(max_entries=64, show_spinner=False)
def _choices(parent: str, version):
    with db.cursor(version) as con:
        return geo.map_choices(con, parent)


# A resource, not data: st.cache_data would unpickle the figure (the country's boundaries, ~240 KB) on every
# run, 30–100 ms; the view is only read (st.plotly_chart and the exports copy its figure).
@st.cache_resource(max_entries=64, show_spinner=False)
def _view(parent: str, metric: str, period: tuple[int, int], with_figure: bool, version, geo_stamp):
    with db.cursor(version) as con:
        return geo.map_view(con, parent, metric, period, with_figure=with_figure)


def _open_overview(jurisdiction: str, period: tuple[int, int]) -> None:
    """总览 for this division and period: the sidebar's 地区 and 年份 set to them (the one choice 总览
    follows), its level and province cleared so that the division is among the choices."""
    f = state.current_filters()
    terms = {p for p in period_options(Filters(jurisdictions=(jurisdiction,))) if p[0] != p[1]}
    state.request_page(
        "pages/overview_page.py",
        f_level="",
        f_province="",
        f_jurs=[jurisdiction],
        ov_j=jurisdiction,
        f_years=state.years_for_period(period, f, terms),
    )
    st.rerun()


def main() -> None:
    st.title("地图")
    st.caption(
        "一个上级地区下辖的同级地区，按一项指标着色。灰色为无数据：没有报告写明，不等于零。"
        "点击有数据的地区打开它的总览。本页不使用左侧筛选。"
    )
    version = db.db_version()

    # 1. parent, metric, period
    parents = _parents(version)
    c1, c2, c3 = st.columns([1, 2, 1])
    state.seed("map_parent", "parent", parents, "河南省" if "河南省" in parents else parents[0])
    with c1:
        parent = st.selectbox("上级地区", parents, key="map_parent",
                              format_func=lambda p: "全国（各省）" if p == geo.NATIONAL_NAME else p)  # fmt: skip
    state.keep("map_parent", "parent")
    choices = _choices(parent, version)
    if choices.empty:
        ui.no_data(f"{parent} 下辖地区还没有报告数据。")
        return
    metrics = list(dict.fromkeys(choices["metric"]))
    labels = dict(zip(choices["metric"], choices["label_zh"], strict=False))
    state.seed("map_metric", "metric", metrics, metrics[0])
    with c2:
        metric = st.selectbox("指标", metrics, key="map_metric", format_func=lambda m: labels.get(m, m))
    state.keep("map_metric", "metric")
    mine = choices[choices["metric"] == metric]
    keys = [
        period_key((int(a), int(b))) for a, b in zip(mine["period_start"], mine["period_end"], strict=True)
    ]
    counts = dict(zip(keys, mine["n"], strict=True))
    state.seed("map_period", "period", keys, keys[0])
    with c3:
        pkey = st.selectbox("年份 / 届期", keys, key="map_period",
                            format_func=lambda k: f"{period_zh(*parse_period(k))}（{counts[k]} 个地区有数据）")  # fmt: skip
    state.keep("map_period", "period")
    period = parse_period(pkey)

    # 2. the map (or, without boundaries, why not) and the click-through
    stamp = geo.geo_dir().stat().st_mtime_ns if geo.geo_dir().exists() else 0
    try:
        view = _view(parent, metric, period, True, version, stamp)
    except geo.BoundariesMissing as exc:
        st.warning(str(exc), icon=":material/map:")
        view = _view(parent, metric, period, False, version, stamp)
    if view.figure is not None:
        event = st.plotly_chart(
            view.figure,
            key="map_chart",
            on_select="rerun",
            selection_mode="points",
            width="stretch",
            config={
                "topojsonURL": geo.TOPOJSON_URL,
                "displaylogo": False,
                "scrollZoom": False,
                "toImageButtonOptions": {"format": "png", "scale": 3, "filename": view.file_stem},
                **PLOTLY_LOCALE,
            },
        )
        picked = geo.picked_jurisdiction(view, event)
        if picked:
            _open_overview(picked, period)
        if view.missing_boundaries:
            st.caption("边界数据中没有：" + "、".join(view.missing_boundaries) + "（只列在下表中）。")

    # 3. the values as a table, with a way to open 总览 without the mouse
    st.subheader(f"{view.title}（{view.coverage}）")
    st.dataframe(
        view.table[["地区", "显示", "限定", "原文", "来源"]].rename(columns={"显示": f"数值（{view.unit}）"}),
        hide_index=True,
        width="stretch",
    )
    with_data = view.table[view.table["has_data"]]["地区"].tolist()
    if with_data:
        o1, o2 = st.columns([2, 1], vertical_alignment="bottom")
        target = o1.selectbox("打开总览", with_data, key="map_open")
        if o2.button("在总览中查看", icon=":material/dashboard:"):
            _open_overview(target, period)
    st.caption(
        "数量多少不代表工作质量高低；各地报告的写法和口径不同。"
        + ("来源：" + "；".join(view.sources) + "。" if view.sources else "")
    )

    # 4. into a brief (a slide with the map and this table), and the map as an image
    b1, b2 = st.columns([1, 3], vertical_alignment="center")
    with b1:
        ui.add_to_brief(ChartRequest("map", metric, (parent,), *period), key="map_brief")
    if view.figure is not None:
        ok, why = geo.static_ready()
        if not ok:
            b2.caption(why)
        elif b2.button("生成 PNG / SVG 图片", icon=":material/image:"):
            with st.spinner("正在生成图片…"):
                png, svg = geo.map_image(view, "png"), geo.map_image(view, "svg")
            d1, d2 = st.columns(2)
            d1.download_button("下载 PNG", png, f"{view.file_stem}.png", "image/png")
            d2.download_button("下载 SVG", svg, f"{view.file_stem}.svg", "image/svg+xml")


main()
