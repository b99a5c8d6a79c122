"""趋势: one or more metrics over the years for one or more jurisdictions; term totals kept apart."""

from __future__ import annotations

import streamlit as st

from app import state, ui
from app.views import ChartRequest, default_metric, metric_info, points_frame, resolve

TERM_MODES = {"separate": "届期合计单独成图", "average": "折算为年均（虚线）"}
MAX_CHARTS = 6
MAX_LINES = 12  # jurisdictions drawn when none is chosen


def main() -> None:
    f = state.current_filters()
    st.title("趋势")
    scope = state.jurisdictions_in_scope(f)
    if not scope:
        ui.no_data("当前筛选下没有任何地区。请放宽左侧的层级、省份或地区筛选。")
        return

    if len(scope) > MAX_LINES:
        st.caption(
            f"当前筛选下有 {len(scope)} 个地区，图中仅画前 {MAX_LINES} 个（高层级、报告多的在前），"
            "请在左侧“地区”中选择要比较的地区。"
        )
        scope = scope[:MAX_LINES]

    # 1. which metrics
    metrics = list(f.metrics)
    if not metrics:
        m = default_metric(f, scope)
        if m is None:
            ui.no_data("所选地区和年份里没有任何指标数据。请调整左侧的年份或类别。")
            return
        metrics = [m]
        st.caption(f"未选择指标，显示数据最多的“{metric_info(m)['label_zh']}”。在左侧“指标”中可以多选。")
    if len(metrics) > MAX_CHARTS:
        st.caption(f"已选 {len(metrics)} 项指标，这里显示前 {MAX_CHARTS} 项。")
        metrics = metrics[:MAX_CHARTS]

    # 2. how term figures are shown
    state.seed("tr_term", "term", list(TERM_MODES), "separate")
    mode = st.radio(
        "届期数字（如 2018–2022 五年合计）",
        list(TERM_MODES),
        key="tr_term",
        horizontal=True,
        format_func=TERM_MODES.get,
        help="五年合计不是某一年的数，不会画成年度值",
    )
    state.keep("tr_term", "term", to_url=lambda v: None if v == "separate" else v)
    y0, y1 = f.year_from, f.year_to

    # 3. one chart per metric
    for code in metrics:
        req = ChartRequest("trend", code, tuple(scope), y0, y1, f.level or "", mode)
        chart = resolve(req)
        if ui.show_chart(chart, key=f"tr_{code}"):
            ui.chart_actions(req, chart, key=f"tr_brief_{code}")
        if mode == "separate":
            treq = ChartRequest("terms", code, tuple(scope), y0, y1, f.level or "")
            tchart = resolve(treq)
            if tchart is not None and not tchart.is_empty:
                ui.show_chart(tchart, key=f"tr_terms_{code}", height=220)
                ui.chart_actions(treq, tchart, key=f"tr_tbrief_{code}")
        if chart is not None and not chart.is_empty:
            with st.expander("图表数据与原文"):
                st.dataframe(points_frame(chart), hide_index=True, width="stretch")


main()
