"""简报导出: the charts added on other pages → PPTX with native charts, XLSX of their data, PNG/SVG."""

from __future__ import annotations

import datetime as dt
import functools

import streamlit as st

from app import export, poster_ui, state, ui
from app.views import ChartRequest, default_metric, resolve

MAX_LINES = 12  # jurisdictions in a default trend when none is chosen (as on 趋势)


def _default_requests() -> list[ChartRequest]:
    """When nothing was added yet: each chosen metric's trend (and its term totals, if any)."""
    f = state.current_filters()
    scope = tuple(state.jurisdictions_in_scope(f))[:MAX_LINES]
    metrics = list(f.metrics[:6]) or [m for m in [default_metric(f, list(scope))] if m]
    out = []
    for m in metrics:
        out.append(ChartRequest("trend", m, scope, f.year_from, f.year_to, f.level or ""))
        terms = ChartRequest("terms", m, scope, f.year_from, f.year_to, f.level or "")
        chart = resolve(terms)
        if chart is not None and not chart.is_empty:
            out.append(terms)
    return out


def main() -> None:
    st.title("简报导出")
    poster_ui.poster_section()
    tokens = ui.brief_tokens()

    # 1. the briefing list (kept in the URL, so a link reproduces it)
    from_url = state.url_once("brief", multi=True, split=False)
    if from_url and not tokens:
        tokens.extend(t for t in from_url if ChartRequest.from_token(t) is not None)
    requests = [r for r in (ChartRequest.from_token(t) for t in tokens) if r is not None]
    if not requests:
        requests = _default_requests()
        if requests:
            st.info(
                "还没有从其他页面加入图表，下面是按左侧筛选生成的趋势图。在“总览”“趋势”“对比”页点“加入简报”可以添加。"
            )
        else:
            ui.no_data("简报里还没有图表。请在“总览”“趋势”“对比”页点“加入简报”，或在左侧选择指标。")
            return
    state.set_param("brief", [r.token() for r in requests] if tokens else None)

    labels = {r.token(): r.describe() for r in requests}
    chosen = st.multiselect(
        "放进简报的图表（按顺序）", list(labels), default=list(labels), format_func=labels.get, key="ex_pick"
    )
    if tokens and st.button("清空简报", icon=":material/delete:"):
        tokens.clear()
        st.rerun()
    charts = [c for c in (resolve(ChartRequest.from_token(t)) for t in chosen) if c is not None]
    if not charts:
        ui.no_data("没有选中图表。")
        return

    # 2. downloads
    stem = f"人大履职简报_{dt.date.today():%Y%m%d}"
    subtitle = "筛选：" + ui.filters_caption()
    c1, c2 = st.columns(2)
    c1.download_button(
        "下载 PPTX（可编辑的原生图表）",
        data=lambda: export.charts_pptx(charts, subtitle=subtitle),
        file_name=f"{stem}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        on_click="ignore",
        icon=":material/slideshow:",
        type="primary",
        key="dl_pptx",
    )
    c2.download_button(
        "下载 XLSX（每张图的数据）",
        data=lambda: export.charts_xlsx(charts),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/table:",
        key="dl_xlsx_charts",
    )
    ok, why = export.static_export_status()
    if not ok:
        st.warning(f"不提供 PNG/SVG：{why}", icon=":material/image_not_supported:")

    # 3. preview, with per-chart images where the server can render them
    for i, chart in enumerate(charts):
        st.divider()
        ui.show_chart(chart, key=f"ex_chart_{i}")
        if ok:
            b1, b2, _ = st.columns([1, 1, 3])
            for col, fmt, mime in ((b1, "png", "image/png"), (b2, "svg", "image/svg+xml")):
                col.download_button(
                    fmt.upper(),
                    data=functools.partial(export.chart_image, chart, fmt),
                    file_name=f"{chart.key}.{fmt}",
                    mime=mime,
                    on_click="ignore",
                    icon=":material/image:",
                    key=f"{fmt}_{i}",
                )


main()
