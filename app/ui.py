"""Small Streamlit building blocks the pages share: a chart with its source line, empty states, briefing."""

from __future__ import annotations

import datetime as dt
import functools
import urllib.parse

import streamlit as st

from app import briefs, state
from app.charts import ChartData, picked_fact, plotly_config, screen_figure, source_truncated
from app.highlight import escape_md
from app.labels import category_zh, level_zh
from app.views import ChartRequest, group_categories

CURRENT = "_brief_id"  # the session's current brief (an id in app/briefs.py's file)
NOW = "_brief_now"  # that brief as read at the start of this run
BEIJING = dt.timezone(dt.timedelta(hours=8))
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLICKS = "_chart_clicks"  # click-throughs so far (part of each chart's key)
SUBTITLE_FITS = 40  # characters of a chart's subtitle that fit under the title of a half-width chart


def show_chart(
    chart: ChartData | None, key: str, empty: str = "所选范围内没有这项数据。", height: int | None = None
) -> bool:
    """Draw a chart with its source line, or a clear empty state; True when something was drawn."""
    if chart is None or chart.is_empty:
        title = f"**{escape_md(chart.title)}**：" if chart is not None else ""
        st.info(f"{title}{empty}缺少报告不等于数量为零。", icon=":material/info:")
        return False
    st.plotly_chart(
        screen_figure(chart, height=height),
        config=plotly_config(chart),
        # a new key after each click-through, so the chart is not drawn still selected on the way back
        key=f"{key}_{st.session_state.get(CLICKS, 0)}",
        width="stretch",
        on_select=functools.partial(_open_fact, chart, f"{key}_{st.session_state.get(CLICKS, 0)}"),
        selection_mode="points",
    )
    if "未画入" in chart.subtitle and len(chart.subtitle) > SUBTITLE_FITS:
        # the values kept apart, and why, must be read in full: a narrow figure cuts its subtitle
        st.caption(escape_md(chart.subtitle))
    if source_truncated(chart):
        st.caption(escape_md(chart.full_source_line))
    return True


def _open_fact(chart: ChartData, key: str) -> None:
    """A click on a bar or point: 报告, scrolled to the sentence the value was read from."""
    picked = picked_fact(chart, st.session_state.get(key))
    if picked is None:
        return
    st.session_state[CLICKS] = st.session_state.get(CLICKS, 0) + 1
    report_id, fact_id = picked
    state.request_page("pages/reports_page.py", rp_r=report_id, rp_f=fact_id)


def _brief_name() -> str:
    return f"简报 {dt.datetime.now(BEIJING):%m月%d日 %H:%M}"


def load_brief() -> briefs.Brief | None:
    """This session's current brief, read once per run (dashboard.py calls it first thing).

    The first run of a session adopts the brief named in the URL (``?brief=<id>``: a refresh or a shared
    link); a link from before briefs were saved (``?brief=<chart token>`` …) becomes a new saved brief.
    The brief's id is written back to the URL on every page, so a refresh anywhere keeps it.
    """
    current = None
    try:
        raw = state.url_once("brief", multi=True, split=False) or []
        if raw and all("~" in t for t in raw):
            tokens = [t for t in raw if ChartRequest.from_token(t) is not None]
            if tokens:
                st.session_state[CURRENT] = briefs.create("链接中的简报", tokens).brief_id
        elif raw:
            st.session_state[CURRENT] = raw[0]
        current = briefs.get(st.session_state.get(CURRENT))
    except briefs.BriefError as exc:
        st.sidebar.warning(str(exc), icon=":material/error:")
    if current is None:
        st.session_state.pop(CURRENT, None)
    st.session_state[NOW] = current
    state.set_param("brief", current.brief_id if current else None)
    return current


def current_brief() -> briefs.Brief | None:
    """The brief load_brief() read in this run."""
    return st.session_state.get(NOW)


def set_current_brief(brief_id: str | None) -> None:
    if brief_id:
        st.session_state[CURRENT] = brief_id
    else:
        st.session_state.pop(CURRENT, None)


def add_to_brief(req: ChartRequest, key: str) -> None:
    """A small button that adds this chart, as configured here, to the current saved brief (a new one
    when there is none yet)."""
    brief = current_brief()
    token = req.token()
    if brief is not None and token in brief.charts:
        st.button("已在简报中", key=key, disabled=True, icon=":material/check:")
        return
    where = f"“{brief.name}”" if brief else "一份新简报"
    if st.button(
        "加入简报",
        key=key,
        icon=":material/add_chart:",
        help=f"加入{where}，在“简报导出”页下载为 PPTX / XLSX / PNG",
    ):
        try:
            if brief is None:
                brief = briefs.create(_brief_name())
                set_current_brief(brief.brief_id)
            briefs.add_chart(brief.brief_id, token)
        except briefs.BriefError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.toast(f"已加入简报“{brief.name}”：" + req.describe())
        st.rerun()


WRITE_ZH = {"build": "重建", "add": "上传", "correction": "更正", "restore": "恢复备份", "revert": "撤销更正"}


def last_write_words(info: dict) -> str:
    """' · 最近更新 2026-12-07 10:48（北京时间，上传）' from build_info: the last write, not the first
    build."""
    raw = info.get("last_write_at_utc") or info.get("built_at") or ""
    try:
        t = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return ""
    if t.tzinfo is None:  # an older file's built_at: the building machine's local time
        t = t.astimezone()
    kind = WRITE_ZH.get(str(info.get("last_write") or ""), "")
    return f" · 最近更新 {t.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间{'，' + kind if kind else ''}）"


def chart_link(req: ChartRequest) -> str:
    """The address that shows exactly this chart (on 简报导出, drawn from the current data)."""
    return "/export?chart=" + urllib.parse.quote(req.token(), safe="~,")


def _table_bytes(chart: ChartData, fmt: str) -> bytes:
    from app.export import frame_bytes

    return frame_bytes(chart.long_frame(), fmt)


def metrics_query(req: ChartRequest) -> dict[str, str]:
    """What 指标说明 opens at for a chart: its metric, or for an overview chart its categories."""
    if req.kind == "category":
        return {"mcat": ",".join(group_categories(req.subject))}
    return {"metric": req.subject}


def metric_help(query: dict[str, str], key: str) -> None:
    """The help icon of a chart: 指标说明 at this chart's metric (a page switch, no reload)."""
    st.page_link(
        "pages/metrics_page.py",
        label="指标说明",
        icon=":material/help:",
        query_params=query,
        help="这个指标统计什么、单位、性质（流量 / 存量 / 比率）和例句",
    )


def chart_actions(req: ChartRequest, chart: ChartData, key: str) -> None:
    """Under a chart: 加入简报, the chart's own data (CSV / XLSX, built on click) with its link, and the
    help icon that opens 指标说明 at its metric."""
    # one horizontal row (not three columns: a page of 22 charts drew 66 column blocks for it)
    with st.container(horizontal=True, vertical_alignment="center"):
        add_to_brief(req, key=key)
        # lazy: opening the popover reruns the page, and only an open one holds its downloads and link
        # (总览 drew 66 such elements for its 22 charts on every run, 25 ms, for popovers nobody opened)
        data = st.popover(
            "本图数据",
            icon=":material/download:",
            help="这张图的数据、原文和来源，以及只看这张图的链接",
            key=f"{key}_data",
            on_change="rerun",
        )
        if data.open:
            with data:
                _chart_data(req, chart, key)
        metric_help(metrics_query(req), key=f"{key}_help")


def _chart_data(req: ChartRequest, chart: ChartData, key: str) -> None:
    for fmt, mime in (("csv", "text/csv"), ("xlsx", XLSX_MIME)):
        st.download_button(
            fmt.upper(),
            data=functools.partial(_table_bytes, chart, fmt),
            file_name=f"{chart.key}.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"{key}_dl_{fmt}",
        )
    st.markdown(f"[只看这张图 →]({chart_link(req)})")


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
