"""Small Streamlit building blocks the pages share: a chart with its source line, empty states, briefing."""

from __future__ import annotations

import streamlit as st

from app import state
from app.charts import ChartData, plotly_config, source_truncated, to_plotly
from app.highlight import escape_md
from app.labels import category_zh, level_zh
from app.views import ChartRequest

BRIEF = "_brief_tokens"


def show_chart(
    chart: ChartData | None, key: str, empty: str = "所选范围内没有这项数据。", height: int | None = None
) -> bool:
    """Draw a chart with its source line, or a clear empty state; True when something was drawn."""
    if chart is None or chart.is_empty:
        title = f"**{escape_md(chart.title)}**：" if chart is not None else ""
        st.info(f"{title}{empty}缺少报告不等于数量为零。", icon=":material/info:")
        return False
    st.plotly_chart(to_plotly(chart, height=height), config=plotly_config(chart), key=key, width="stretch")
    if source_truncated(chart):
        st.caption(escape_md(chart.full_source_line))
    return True


def brief_tokens() -> list[str]:
    if BRIEF not in st.session_state:
        st.session_state[BRIEF] = []
    return st.session_state[BRIEF]


def add_to_brief(req: ChartRequest, key: str) -> None:
    """A small button that adds this chart, as configured here, to the 简报导出 page."""
    tokens = brief_tokens()
    token = req.token()
    if token in tokens:
        st.button("已在简报中", key=key, disabled=True, icon=":material/check:")
        return
    if st.button(
        "加入简报", key=key, icon=":material/add_chart:", help="在“简报导出”页下载为 PPTX / XLSX / PNG"
    ):
        tokens.append(token)
        st.toast("已加入简报：" + req.describe())
        st.rerun()


def no_data(message: str) -> None:
    st.info(message, icon=":material/search_off:")


def filters_caption() -> str:
    """The current sidebar selection in words (shown on pages and on the PPTX cover)."""
    f = state.current_filters()
    parts = []
    if f.level:
        parts.append(level_zh(f.level))
    if f.province:
        parts.append(f.province)
    parts.append("、".join(f.jurisdictions) if f.jurisdictions else "全部地区")
    if f.year_from is not None:
        parts.append(f"{f.year_from}–{f.year_to}年")
    if f.category:
        parts.append(category_zh(f.category))
    return " · ".join(parts)
