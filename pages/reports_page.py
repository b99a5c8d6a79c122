"""报告: a report's text with every extracted number marked; choosing a fact scrolls to its sentence."""

from __future__ import annotations

import html
import json

import pandas as pd
import streamlit as st

from app import auth, manage, queries, state, ui
from app.highlight import highlight_html, scroll_script
from app.labels import (
    category_zh,
    format_value,
    level_zh,
    period_zh,
    qualifier_word,
    report_type_zh,
    scope_zh,
    tidy_text,
)

MAX_REPORTS = 500  # reports offered in the chooser
FLASH = "_rp_meta_done"  # the last metadata correction's confirmation, shown after the rerun


def _report_label(r) -> str:
    place = r.jurisdiction if isinstance(r.jurisdiction, str) and r.jurisdiction else "地区待确认"
    return (
        f"{place} · {period_zh(r.period_start, r.period_end)} · {report_type_zh(r.report_type)} · "
        f"{r.source_file}"
    )


def _meta_rows(meta: pd.Series) -> pd.DataFrame:
    delivered = meta.get("delivered")
    return pd.DataFrame(
        {
            "项目": [
                "标题",
                "地区",
                "层级",
                "上级",
                "省份",
                "期间",
                "类型",
                "报告日期",
                "文件",
                "字数",
                "数字",
            ],
            "内容": [
                str(meta.get("title") or "—"),
                str(meta.get("jurisdiction") or "—"),
                level_zh(meta.get("level")),
                str(meta.get("parent") or "—"),
                str(meta.get("province") or "—"),
                period_zh(meta.get("period_start"), meta.get("period_end")),
                report_type_zh(meta.get("report_type")),
                "—" if delivered is None or pd.isna(delivered) else f"{pd.Timestamp(delivered):%Y年%m月%d日}",
                str(meta.get("source_file") or "—"),
                "—" if pd.isna(meta.get("n_chars")) else f"{int(meta.get('n_chars')):,}",
                f"{int(meta.get('n_facts') or 0)} 条",
            ],
        }
    )


_FIELD_ZH = {"period": "期间", "jurisdiction": "地区", "delivered": "报告日期", "report_type": "类型"}
_SOURCE_ZH = {
    "dateline": "落款日期", "session": "会议届次", "stamp": "发布日期", "lianghui": "两会年份",
    "inferred": "正文年份推断", "heading": "小标题年份", "plan_heading": "计划部分年份",
    "year_is": "“某年是…”句", "past_sentence": "回顾语句年份", "plan_sentence": "计划语句年份",
    "review_phrase": "“回顾某年”", "dated_event": "事件日期", "span": "任期年份跨度",
    "term": "常委会届别", "title_or_header": "标题或开头", "body_names": "正文地名", "news": "新闻导语",
    "wording": "措辞",
    "learned_term": "同地其他报告所载届次",
}  # fmt: skip


def _evidence_rows(meta: pd.Series) -> pd.DataFrame | None:
    """Every metadata field with its evidence sentence and confidence (from the resolver, etl/dating.py)."""
    raw = meta.get("meta_evidence")
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return None
    try:
        evidence = json.loads(raw)
    except ValueError:
        return None
    rows = []
    for key, label in _FIELD_ZH.items():
        e = evidence.get(key) or {}
        sources = "、".join(_SOURCE_ZH.get(s, s) for s in str(e.get("source") or "").split(",") if s) or "—"
        conflicts = "；".join(f"{c.get('value')}（{_SOURCE_ZH.get(c.get('source'), c.get('source'))}）"
                             for c in e.get("conflicts") or [])  # fmt: skip
        if key == "report_type" and e.get("value"):
            e = {**e, "value": report_type_zh(e["value"])}  # a code, shown in words
        value = e.get("value") or (
            "待确认" + (f"（可能为 {e['suggested'][0]}–{e['suggested'][1]}）" if e.get("suggested") else "")
        )
        rows.append({
            "项目": label, "取值": str(value), "置信度": f"{float(e.get('confidence') or 0):.0%}",
            "依据": sources, "原句": str(e.get("sentence") or "—"), "矛盾线索": conflicts or "—",
        })  # fmt: skip
    return pd.DataFrame(rows)


def _period_text(start, end) -> str:
    if pd.isna(start):
        return ""
    return str(int(start)) if pd.isna(end) or int(end) == int(start) else f"{int(start)}-{int(end)}"


def _meta_form(meta: pd.Series) -> None:
    """Analysts set or confirm the report's jurisdiction, period, type and delivery date: each change is
    logged with who, when and why (更正记录) and re-applied on every write, like a fact correction."""
    rid = str(meta["report_id"])
    pending = str(meta.get("meta_pending") or "")
    done = st.session_state.pop(FLASH, None)
    if done:
        st.success(done, icon=":material/check_circle:")
    cur = {
        "jurisdiction": meta.get("jurisdiction") if isinstance(meta.get("jurisdiction"), str) else "",
        "period": _period_text(meta.get("period_start"), meta.get("period_end")),
        "report_type": meta.get("report_type")
        if meta.get("report_type") in manage.REPORT_TYPE_CHOICES
        else None,
        "delivered": "" if pd.isna(meta.get("delivered")) else f"{pd.Timestamp(meta['delivered']):%Y-%m-%d}",
    }
    title = "确认或更正报告信息（待确认）" if pending else "更正报告信息"
    with st.expander(title, expanded=bool(pending), icon=":material/edit_note:"):
        with st.form(f"rp_correct_meta_{rid}", border=False):
            jur = st.text_input(
                "地区（行政区划表中的正式名称）", value=cur["jurisdiction"], key=f"rp_correct_meta_j_{rid}"
            )
            per = st.text_input(
                "期间（一年写 2023，届期写 2018-2022）", value=cur["period"], key=f"rp_correct_meta_p_{rid}"
            )
            types = list(manage.REPORT_TYPE_CHOICES)
            rtype = st.selectbox(
                "报告类型",
                types,
                index=types.index(cur["report_type"]) if cur["report_type"] else 0,
                format_func=report_type_zh,
                key=f"rp_correct_meta_t_{rid}",
            )
            deliv = st.text_input(
                "报告日期（如 2024-01-13，可空）", value=cur["delivered"], key=f"rp_correct_meta_d_{rid}"
            )
            reason = st.text_input("理由（必填，记入更正记录）", key=f"rp_correct_meta_r_{rid}")
            saved = st.form_submit_button(
                "保存", icon=":material/save:", type="primary", key=f"rp_correct_meta_s_{rid}"
            )
        if not saved:
            return
        changes = {}
        # a pending field submitted as shown is a confirmation, and is logged too
        if jur.strip() and (jur.strip() != cur["jurisdiction"] or "jurisdiction" in pending):
            changes["jurisdiction"] = jur.strip()
        if per.strip() and (per.strip() != cur["period"] or "period" in pending):
            changes["period"] = per.strip()
        if rtype != cur["report_type"]:
            changes["report_type"] = rtype
        if deliv.strip() and deliv.strip() != cur["delivered"]:
            changes["delivered"] = deliv.strip()
        if not changes:
            st.info("没有改动。", icon=":material/info:")
            return
        rec, problem = manage.attempt(manage.correct_report_meta, rid, reason=reason, **changes)
        if problem:
            st.error(problem, icon=":material/error:")
            return
        st.session_state[FLASH] = f"已记录更正 {rec.correction_id}：{rec.summary()}（见“更正记录”页）"
        st.rerun()


def main() -> None:
    f = state.current_filters()
    st.title("报告")

    # 1. which report
    reports = queries.report_list(f, limit=MAX_REPORTS)
    if reports.empty:
        ui.no_data("当前筛选下没有报告。请放宽左侧的地区或年份筛选。")
        return
    if len(reports) == MAX_REPORTS and (total := queries.report_count(f)) > MAX_REPORTS:
        st.caption(
            f"共 {total} 份报告，列表仅显示最新的前{MAX_REPORTS}份，请用左侧的地区或年份筛选缩小范围。"
        )
    wanted = st.session_state.get("rp_r") or st.query_params.get("report")
    # a report beyond the list, or outside the sidebar's filters (a click on a chart of another level)
    if wanted and wanted not in set(reports["report_id"]):
        extra = queries.report_meta(str(wanted))
        if not extra.empty:
            reports = pd.concat([extra[reports.columns], reports], ignore_index=True)
    ids = reports["report_id"].tolist()
    labels_of = {r.report_id: _report_label(r) for r in reports.itertuples()}
    state.seed("rp_r", "report", ids, ids[0])
    rid = st.selectbox("报告", ids, key="rp_r", format_func=labels_of.get)
    state.keep("rp_r", "report")

    found = queries.report_meta(rid)
    if found.empty:  # an add replaced or removed it between the list and this read (each query reads anew);
        # the next run lists the reports again and the picker falls back to the first of them (state.seed)
        ui.no_data("这份报告刚被新版本替换或已删除：请重新选择报告。")
        return
    meta = found.iloc[0]
    text = queries.report_text(rid) or ""
    facts = queries.report_facts(rid)

    # 2. which fact
    fact_ids = facts["fact_id"].tolist()
    fact_label = {
        r.fact_id: f"{category_zh(r.category)} · {r.label_zh}：{format_value(r.value, r.unit, r.qualifier)}"
        + ("（已更正）" if r.corrected else "")
        for r in facts.itertuples()
    }
    state.seed("rp_f", "fact", ["", *fact_ids], "")
    left, right = st.columns([3, 2], gap="large")
    with right:
        fid = st.selectbox(
            "定位到一条数据（在原文中标出并滚动到该句）",
            ["", *fact_ids],
            key="rp_f",
            format_func=lambda v: fact_label.get(v, v) if v else "（不选）",
        )
    state.keep("rp_f", "fact")
    fid = fid or None
    if auth.is_analyst():
        # Only a signed-in analyst sees the way to 数据管理 (which checks again before any write).
        with right:
            if st.button(
                "更正这条数据" if fid else "补充遗漏的数据",
                key="rp_correct",
                icon=":material/edit:",
                help="在“数据管理”页更正、驳回或补充（需要填写理由）",
            ):
                st.session_state["_mg_target"] = {"report": rid, "fact": fid}
                st.switch_page("pages/manage_page.py")

    # 3. the text, highlighted (everything escaped before any tag is added)
    with left:
        st.caption(f"黄色为抽取出的数字（共 {len(facts)} 个），悬停可看指标名；橙色为所选数据的原句。")
        if fid is not None:
            sel = facts[facts["fact_id"] == fid].iloc[0]
            st.html(
                "<div style='border-left:4px solid #ff8c69;padding:6px 12px;background:#fff7f3'>"
                f"<b>{html.escape(sel['label_zh'])}："
                f"{html.escape(format_value(sel['value'], sel['unit'], sel['qualifier']))}</b>"
                f"（{html.escape(period_zh(sel['period_start'], sel['period_end']))}，"
                f"{html.escape(qualifier_word(sel['qualifier']))}"
                + (f"，{html.escape(scope_zh(sel['scope']))}" if isinstance(sel["scope"], str) else "")
                + "）"
                + (
                    " · <b style='color:#b03a2e'>已更正</b>（原因见“更正记录”页）"
                    if sel.get("corrected")
                    else ""
                )
                + f"<br>原文：{html.escape(tidy_text(sel['evidence']))}</div>"
            )
        marks = [
            {
                **r,
                "label": f"{r['label_zh']}：{format_value(r['value'], r['unit'], r['qualifier'])}"
                + ("（已更正）" if r.get("corrected") else ""),
            }
            for r in facts.to_dict("records")
        ]
        with st.container(height=640, key="report_text"):
            st.html(highlight_html(text, marks, fid))
        if fid is not None:
            st.html(scroll_script(fid), unsafe_allow_javascript=True)

    # 4. metadata and the facts list beside it
    with right:
        st.markdown("**报告信息**")
        st.dataframe(_meta_rows(meta), hide_index=True, width="stretch", height=36 * 12 + 4)
        source = queries.report_source(str(meta.get("source_file") or ""))
        if source and source.get("url"):
            st.markdown(f"来源：[{source.get('title') or source['url']}]({source['url']})")
        if meta.get("meta_status") == "pending":
            st.warning(
                "这份报告的元数据待确认：其数据暂未计入图表。请核对下方线索后更正。",
                icon=":material/pending:",
            )
        if auth.is_analyst():
            _meta_form(meta)
        evidence = _evidence_rows(meta)
        if evidence is not None:
            st.markdown("**元数据依据**")
            st.dataframe(evidence, hide_index=True, width="stretch")
        st.markdown("**本报告的数据**")
        if facts.empty:
            ui.no_data("这份报告没有抽取出数据。")
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "指标": facts["label_zh"],
                        "数值": [
                            format_value(v, u, q)
                            for v, u, q in zip(facts["value"], facts["unit"], facts["qualifier"], strict=True)
                        ],
                        "期间": [
                            period_zh(a, b)
                            for a, b in zip(facts["period_start"], facts["period_end"], strict=True)
                        ],
                        "已更正": facts["corrected"].fillna(False).astype(bool),
                        "原文": facts["evidence"].map(tidy_text),
                    }
                ),
                hide_index=True,
                width="stretch",
                height=380,
            )


main()
