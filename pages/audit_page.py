"""更正记录: every correction — who, when, what changed, why, and whether it is still in force.

Open to viewers, read only: the charts mark corrected values, and anyone should be able to see why a
number differs from the report's text.  Signed-in analysts can also revert a correction here.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app import auth, queries, ui
from app.export import frame_bytes
from app.views import STATUS_ZH, audit_display

MAX_SHOWN = 1000  # corrections in the on-screen table


def _revert_form(log) -> None:
    """Analysts only: undo a correction that is in force (the log keeps both)."""
    live = log[(log["status"] == "applied") & (log["action"] != "revert")].sort_values("seq", ascending=False)
    if live.empty:
        return
    st.subheader("撤销一条更正")
    labels = {
        r.correction_id: f"{r.correction_id} · {r.user_name} · {r.reason[:30]}" for r in live.itertuples()
    }
    with st.form("au_revert", border=True):
        cid = st.selectbox("更正", list(labels), format_func=labels.get, key="au_cid")
        reason = st.text_area("撤销理由（必填）", key="au_reason")
        if not st.form_submit_button("撤销这条更正", icon=":material/undo:", key="au_submit"):
            return
    from app import manage

    rec, problem = manage.attempt(manage.revert, cid, reason=reason)
    if problem:
        st.error(problem, icon=":material/error:")
        return
    st.session_state["_au_flash"] = f"已撤销更正 {cid}（撤销记录 {rec.correction_id}）。"
    st.session_state.pop("au_reason", None)
    st.rerun()


def main() -> None:
    st.title("更正记录")
    if msg := st.session_state.pop("_au_flash", None):
        st.success(msg, icon=":material/check_circle:")
    # 1. the log, newest first
    log = queries.corrections_log()
    if log.empty:
        ui.no_data("还没有更正。分析员登录后可在“数据管理”页更正、驳回或补充数据。")
        return
    counts = log["status"].value_counts()
    st.caption(
        f"共 {len(log)} 条更正："
        + " · ".join(f"{STATUS_ZH[s]} {int(counts.get(s, 0))}" for s in STATUS_ZH)
        + "。更正单独保存，重建数据库后自动重新应用；原数据已不存在的更正标为“失效”，仍保留在记录中。"
    )
    state_choice = st.segmented_control(
        "状态", ["全部", *STATUS_ZH.values()], default="全部", key="au_status", label_visibility="collapsed"
    )
    labels = queries.metric_labels()
    full_log = log
    if state_choice and state_choice != "全部":
        log = log[log["status"].map(STATUS_ZH).fillna(log["status"]) == state_choice]
    # the newest MAX_SHOWN on screen (worded row by row, so a long log is slow to show whole); the CSV
    # holds every one
    newest = log.nlargest(MAX_SHOWN, "seq") if len(log) > MAX_SHOWN else log
    table = audit_display(newest, labels)
    if len(log) > MAX_SHOWN:
        st.caption(f"下表显示最新的 {MAX_SHOWN} 条；下载的 CSV 包含全部 {len(log)} 条。")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "变更": st.column_config.TextColumn("变更", width="medium"),
            "原文": st.column_config.TextColumn("原文", width="large"),
            "理由": st.column_config.TextColumn("理由", width="medium"),
        },
    )
    st.download_button(
        "下载 CSV",
        data=(lambda: frame_bytes(table, "csv"))
        if len(log) <= MAX_SHOWN
        else (lambda: frame_bytes(audit_display(log, labels), "csv")),
        file_name=f"更正记录_{dt.date.today():%Y%m%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="au_csv",
    )

    # 2. analysts may undo a correction; viewers only read
    if auth.current_analyst() is not None:
        _revert_form(full_log)


main()
