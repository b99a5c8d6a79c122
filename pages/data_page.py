"""数据: the facts table under every filter, sortable, downloadable as CSV / XLSX / Parquet exactly as
shown."""

from __future__ import annotations

import datetime as dt
import functools

import streamlit as st

from app import queries, state, ui
from app.export import frame_bytes
from app.views import SORTS, fact_links, facts_display

# One download button each: label, format (also the file suffix), MIME type.
DOWNLOADS = (
    ("下载 CSV（Excel 可直接打开）", "csv", "text/csv"),
    ("下载 XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("下载 Parquet", "parquet", "application/vnd.apache.parquet"),
)


MAX_ROWS = 2000  # rows on screen; the downloads hold every matching row


def _full_export(f, sort: str, contains: str, fmt: str) -> bytes:
    """Every row the filters match, as the table shows them (run when the download is clicked)."""
    from app import db

    with db.session():
        return frame_bytes(facts_display(queries.fact_rows(f, sort, contains), sort, contains), fmt)


# 限定 beside 数值 and 单位: 1200余条 reads ≥1,200 only with its qualifier (the number column is bare)
SHOWN_FIRST = ["地区", "层级", "期间", "类别", "指标", "数值", "单位", "限定", "已更正"]
SHOWN_LATER = {*SHOWN_FIRST, "原文"}


def main() -> None:
    f = state.current_filters()
    st.title("数据")

    # 1. the table's own controls
    c1, c2 = st.columns([1, 2])
    state.seed("data_sort", "sort", list(SORTS), "place")
    with c1:
        sort = st.selectbox("排序", list(SORTS), key="data_sort", format_func=SORTS.get)
    state.keep("data_sort", "sort", to_url=lambda v: None if v == "place" else v)
    state.seed("data_q", "q", None, "")
    with c2:
        contains = st.text_input(
            "原文、指标或地区包含", key="data_q", placeholder="例如：执法检查、满意率、郑州"
        )
    state.keep("data_q", "q")

    # 2. the facts: the first MAX_ROWS in the chosen order on screen, every matching row in the downloads
    total = queries.fact_count(f, contains)
    table = facts_display(queries.fact_rows(f, sort, contains, limit=MAX_ROWS), sort, contains)
    n_corrected = int(table["已更正"].sum()) if not table.empty else 0
    truncated = total > len(table)
    st.caption(
        f"{ui.filters_caption()} · 共 {total} 条"
        + (
            f"，{'前' + str(len(table)) + '行中' if truncated else '其中'} "
            f"{n_corrected} 条已由分析员更正或补充"
            "（“已更正”列，原因见“更正记录”页）"
            if n_corrected
            else ""
        )
        + "。下载的文件与下表的列一致、包含全部筛选结果，顺序按上方“排序”（点击表头排序只改变屏幕显示）。"
    )
    if truncated:
        st.warning(
            f"仅显示前{len(table)}行，请用筛选缩小范围；下载文件包含全部 {total} 条。",
            icon=":material/filter_alt:",
        )
    if table.empty:
        ui.no_data("当前筛选下没有数据。请放宽左侧筛选或清空搜索词。")
        return
    st.dataframe(
        # on screen only: each row opens 报告 at its sentence (the downloads keep the ids instead)
        table.assign(原句=fact_links(table)),
        hide_index=True,
        width="stretch",
        height=560,
        column_order=[*SHOWN_FIRST, "原句", "原文", *(c for c in table.columns if c not in SHOWN_LATER)],
        column_config={
            "原句": st.column_config.LinkColumn("原句", display_text="在报告中查看", width="small"),
            "数值": st.column_config.NumberColumn("数值", format="localized"),
            "已更正": st.column_config.CheckboxColumn(
                "已更正", help="分析员更正或补充过这条数据（原因见“更正记录”页）", width="small"
            ),
            "期间": st.column_config.TextColumn("期间", width=100),
            "原文": st.column_config.TextColumn("原文", width="large"),
        },
    )

    # 3. downloads of exactly that table (no rerun on click)
    stem = f"人大履职数据_{dt.date.today():%Y%m%d}"
    for col, (label, fmt, mime) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS, strict=True):
        col.download_button(
            label,
            data=functools.partial(frame_bytes, table, fmt)
            if not truncated
            else functools.partial(_full_export, f, sort, contains, fmt),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"dl_{fmt}",
        )


main()
