"""Dashboard entry point: page config, the shared sidebar filters, navigation over pages/, the URL state.

Run with `make run` (or `CONGRESS_DB=data/congress.duckdb streamlit run dashboard.py`).
"""

from __future__ import annotations

import logging

import streamlit as st

from app import auth, db, queries, state, ui

st.set_page_config(page_title="人大常委会履职数据看板", page_icon=":material/account_balance:", layout="wide")

# Only the metric cards are restyled; Chinese text falls back to the system CJK font (fonts-noto-cjk).
st.html(
    """<style>
[data-testid="stMetricValue"] { color: #b03a2e; }
/* the file uploader's fixed English words, in Chinese (Streamlit offers no option for them) */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p \
{ font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "或把文件拖到这里 · txt、html、pdf、docx"; font-size: 0.875rem;
}
/* Plotly's tooltips are CSS (content: attr(data-title)); Streamlit's own fullscreen button has a fixed
   English title that Plotly's zh-CN locale (app/charts.py) does not reach */
.modebar-btn[data-title="Fullscreen"]::after { content: "全屏" !important; }
.modebar-btn[data-title="Close fullscreen"]::after { content: "退出全屏" !important; }
/* phones: headline cards two to a row, compact, without sparklines, so the first chart comes early */
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-flow: row wrap; gap: 0.4rem; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.4rem); min-width: calc(50% - 0.4rem); max-width: calc(50% - 0.2rem);
  }
  [data-testid="stMetric"] { padding: 0.3rem 0.5rem !important; }
  [data-testid="stMetric"] [data-testid="stMetricValue"] { font-size: 1.35rem; }
  [data-testid="stMetricChart"] { display: none !important; }
  [data-testid="stMetricDelta"] { font-size: 0.7rem; }
}
/* touch screens have no hover: the modebar would stay over the chart titles (downloads: 本图数据) */
@media (hover: none) {
  .modebar-container { display: none !important; }
}
</style>"""
)

# File names differ from the URL paths on purpose: Streamlit treats a pages/ folder as the old multipage
# layout until st.navigation first runs (and AppTest resets that on every run), and a file named like a
# URL path would then be run on its own, without this script's sidebar.
PAGES = [
    st.Page(
        "pages/overview_page.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True
    ),
    st.Page("pages/trends_page.py", title="趋势", icon=":material/show_chart:", url_path="trends"),
    st.Page("pages/compare_page.py", title="对比", icon=":material/bar_chart:", url_path="compare"),
    st.Page("pages/map_page.py", title="地图", icon=":material/map:", url_path="map"),
    st.Page("pages/data_page.py", title="数据", icon=":material/table:", url_path="data"),
    st.Page("pages/reports_page.py", title="报告", icon=":material/article:", url_path="reports"),
    st.Page("pages/export_page.py", title="简报导出", icon=":material/slideshow:", url_path="export"),
    st.Page("pages/audit_page.py", title="更正记录", icon=":material/history:", url_path="corrections"),
    st.Page("pages/metrics_page.py", title="指标说明", icon=":material/menu_book:", url_path="metrics"),
    st.Page("pages/quality_page.py", title="数据质量", icon=":material/rule:", url_path="quality"),
]
# Analysts only: a viewer gets LOGIN at the same address (and the page and every write check the session
# again).
MANAGE = st.Page("pages/manage_page.py", title="数据管理", icon=":material/upload_file:", url_path="manage")
# A visitor who opens /manage (a bookmark, a colleague's link) is told 请先登录 there, with the login form,
# instead of landing silently on 总览; the page holds no write action.
LOGIN = st.Page("pages/login_page.py", title="数据管理", icon=":material/lock:", url_path="manage")

log = logging.getLogger("dashboard")


def main() -> None:
    state.begin_run()
    ui.load_brief()
    analyst = auth.is_analyst()
    page = st.navigation(PAGES + [MANAGE if analyst else LOGIN])
    state.follow_request()  # a click on a chart or map in the last run opens its page here

    try:
        st.session_state["_filters"] = state.sidebar()
        ready = True
    except db.DashboardDataError as exc:
        st.session_state["_filters"] = None
        if page is not MANAGE:
            st.title("人大常委会履职数据看板")
            st.error(str(exc), icon=":material/database:")
        ready = False
    auth.sidebar_login()

    # An analyst may load the first reports into a missing database: 数据管理 runs even then.
    if ready or page is MANAGE:
        try:
            page.run()
        except db.DashboardDataError as exc:
            st.error(str(exc), icon=":material/database:")
        except Exception:  # noqa: BLE001 - the user gets a sentence, the log gets the traceback
            log.exception("page %s failed", page.title)
            st.error(
                "这个页面出错了。请调整筛选条件或刷新页面；如果问题持续，请把当前网址发给维护人员。",
                icon=":material/error:",
            )
        try:
            summary = queries.database_summary()
            st.sidebar.caption(
                f"数据库：{summary['n_reports']} 份报告 · {summary['n_facts']} 条数据 · "
                f"{summary['n_jurisdictions']} 个地区" + ui.last_write_words(summary["build_info"])
            )
            if summary["pending_reports"]:
                parts = []
                if summary["pending_period_reports"]:
                    parts.append(f"{summary['pending_period_reports']} 份报告待确认年份")
                if summary["pending_place_reports"]:
                    parts.append(f"{summary['pending_place_reports']} 份报告待确认地区")
                st.sidebar.warning(
                    "，".join(parts)
                    + f"，其 {summary['pending_facts']} 条数据暂未计入图表（缺少年份或地区，不是零）。"
                    "请在“数据质量”页查看线索并确认。",
                    icon=":material/pending:",
                )
            quality = queries.quality_counts()
            if quality["checks"]:
                st.sidebar.caption(
                    f"数据质量：{quality['checks']} 条检查提示、"
                    f"{quality['pending']} 份报告待确认（见“数据质量”页）"
                )
        except db.DashboardDataError:
            pass
        state.write_url()


# One database connection per run, opened by the first query the cache cannot answer and closed when the
# run ends (app/db.py): a writer may then open the file between reruns.
with db.session():
    main()
