"""数据质量: what waits for an analyst: reports 待确认 (period or place unresolved) and the load checks,
each with its evidence and a button to where it is fixed (报告 page: set the metadata, or correct the fact).

The way there is a page switch in this session, not a link: a link opens a new tab, a new session, where
the analyst is no longer signed in and no fix form appears."""

from __future__ import annotations

import json
import re

import pandas as pd
import streamlit as st

from app import auth, queries, state
from app.charts import records, report_label
from app.labels import check_note, check_zh, period_zh, tidy_text

FIELD_ZH = {"period": "年份", "jurisdiction": "地区"}


def _evidence(raw, field: str) -> str:
    try:
        e = (json.loads(raw) or {}).get(field) or {}
    except (TypeError, ValueError):
        return "—"
    words = str(e.get("sentence") or "—")
    if e.get("suggested"):
        words += f"（可能为 {e['suggested'][0]}–{e['suggested'][1]}年）"
    return words


def _clues(r: dict, fields: list[str]) -> str:
    """The sentence metadata weighed for each unresolved field; for a field it kept none for, the report's
    opening words (its title, its dateline), which an analyst reads first."""
    opening = " ".join(str(r.get("opening") or "").split())
    words = []
    for f in fields:
        w = _evidence(r["meta_evidence"], f)
        if w == "—" and opening:
            w = f"开头 {opening[:120]}…"
        words.append(f"{FIELD_ZH.get(f, f)}：{w}")
    return "；".join(words) or "—"


def _warnings(raw) -> list[str]:
    try:
        found = (json.loads(raw) or {}).get("warnings") or []
    except (TypeError, ValueError, AttributeError):
        return []
    return [str(w) for w in found if w]


def _words(name: str, message: str) -> str:
    """The check's note in Chinese, with the values the library's message names ('数值：2、6')."""
    found = re.search(r"\(([\d.,% ]+)\)", str(message or ""))
    values = "、".join(v.strip() for v in found.group(1).split(",")) if found else ""
    return check_note(name) + (f"（涉及数值：{values}）" if values else "")


def _go_fix(records: list[dict], what: str, key: str, names: list[str] | None = None) -> None:
    """去处理: pick one of the table's reports and open it on the 报告 page in this session, signed in.
    ``names``: the records' report labels when the table has them already."""
    names = names if names is not None else [report_label(r) for r in records]
    labels = {r["report_id"]: n for r, n in zip(records, names, strict=True) if r["report_id"]}
    ids = list(labels)
    if not ids:
        return
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    rid = c1.selectbox("去处理", ids, format_func=lambda i: labels.get(i, i), key=f"{key}_pick")
    c2.button(
        what,
        key=f"{key}_go",
        icon=":material/edit_note:",
        on_click=state.request_page,
        args=("pages/reports_page.py",),
        kwargs={"rp_r": rid, "rp_f": ""},
    )


def main() -> None:
    st.title("数据质量")
    counts = queries.quality_counts()
    st.caption(
        f"{counts['pending']} 份报告待确认 · {counts['checks']} 条检查提示。"
        + (
            "在表下“去处理”中选报告并打开，在“确认或更正报告信息”或“更正这条数据”中处理（需要填写理由，记入更正记录）。"
            if auth.is_analyst()
            else "处理需要分析员登录（左侧“分析员登录”）。"
        )  # fmt: skip
    )

    # 1. reports 待确认: their facts are in no chart until an analyst sets the field
    st.subheader(f"待确认的报告（{counts['pending']}）")
    pending = queries.pending_reports()
    if pending.empty:
        st.success("没有待确认的报告。", icon=":material/check_circle:")
    else:
        rows, pending_rows = [], records(pending)
        for r in pending_rows:
            fields = [f for f in str(r["meta_pending"] or "").split(",") if f]
            rows.append(
                {
                    "报告": report_label(r),
                    "待确认": "、".join(FIELD_ZH.get(f, f) for f in fields),
                    "暂未计入的数据": int(r["n_facts"]),
                    "线索（原句）": _clues(r, fields),
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        _go_fix(pending_rows, "打开报告确认", key="dq_pending")

    # 2. what the reading warned about in the other reports' metadata (an inferred place, a year from text)
    warned = records(queries.metadata_warnings())
    rows = [
        {"报告": report_label(r), "提示": "；".join(ws)}
        for r in warned
        if (ws := _warnings(r["meta_evidence"]))
    ]
    title = f"元数据提示（{len(rows)} 份报告）：地区、年份或类型由正文推断，值得核对"
    with st.expander(title, expanded=False):
        if rows:
            st.dataframe(
                pd.DataFrame(rows),
                hide_index=True,
                width="stretch",
                column_config={"提示": st.column_config.TextColumn("提示", width="large")},
            )
            _go_fix(warned, "打开报告核对", key="dq_warned")
        else:
            st.caption("没有元数据提示。")

    # 3. the load checks (etl/checks.py): which report broke which expectation
    st.subheader(f"检查提示（{counts['checks']}）")
    checks = queries.quality_checks()
    if checks.empty:
        st.success("没有检查提示。", icon=":material/check_circle:")
        return
    kinds = sorted(set(checks["check_name"]))
    chosen = st.multiselect(
        "类型", kinds, format_func=check_zh, key="dq_kinds", placeholder="全部类型", select_all=False
    )
    if chosen:
        checks = checks[checks["check_name"].isin(chosen)]
    check_rows = records(checks)
    names = [report_label(r) for r in check_rows]
    table = pd.DataFrame(
        {
            "类型": checks["check_name"].map(check_zh),
            "报告": names,
            "期间": [
                period_zh(a, b) for a, b in zip(checks["period_start"], checks["period_end"], strict=True)
            ],
            "指标": checks["label_zh"].fillna("—"),
            "说明": [_words(n, m) for n, m in zip(checks["check_name"], checks["message"], strict=True)],
            "原句": [tidy_text(e) or "—" for e in checks["evidence"]],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "说明": st.column_config.TextColumn("说明", width="large"),
            "原句": st.column_config.TextColumn("原句", width="large"),
        },
    )
    _go_fix(check_rows, "打开报告", key="dq_checks", names=names)
    st.caption("检查只提示可能的问题，不会改动任何数据；核对无误的提示可以不处理。")


main()
