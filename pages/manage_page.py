"""数据管理 (analysts only): upload report files — preview, then confirm — and correct, reject or add facts.

dashboard.py registers this page only for a signed-in analyst; the page checks again on every run, and
every write in app/manage.py checks a third time just before it calls the library.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import streamlit as st

from app import auth, db, manage, queries
from app.filters import Filters
from app.highlight import escape_md, highlight_html
from app.labels import format_value, period_zh, qualifier_word, report_type_zh, scope_zh

FLASH = "_mg_flash"
UPLOADS = "_mg_uploads"
GENERATION = "_mg_gen"
TARGET = "_mg_target"  # set by the 报告 page's "更正这条数据": {"report": id, "fact": id}
WRITES = "_mg_writes"  # corrections made in this session: part of the fact list's key (see below)
CHOSEN_FACT = "_mg_fact"
SECTIONS = {"upload": "上传报告", "correct": "更正数据"}
FORM_KEYS = ("mg_c_", "mg_r_", "mg_a_")
MAX_REPORTS = 500  # the latest reports offered in the chooser (a report chosen elsewhere is added)


def _code(text: object) -> str:
    """Text for inside a Markdown code span (backslashes show as they are there; backticks cannot)."""
    return str(text).replace("`", "'")


def flash(kind: str, text: str) -> None:
    """A message for the next run (writes end with st.rerun so every list shows the new database)."""
    st.session_state[FLASH] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(FLASH, (None, None))
    if kind:
        getattr(st, kind)(text, icon=":material/check_circle:" if kind == "success" else None)


# --- 1. upload ---------------------------------------------------------------------------------------


def _extract_new(files) -> dict[str, manage.Upload]:
    """Extract the files not seen before in this session (with progress); forget removed ones."""
    cache: dict[str, manage.Upload] = st.session_state.setdefault(UPLOADS, {})
    keys = [f.file_id for f in files]
    for k in [k for k in cache if k not in keys]:
        manage.discard(cache.pop(k))
    todo = [f for f in files if f.file_id not in cache]
    if todo:
        with st.status(f"正在读取并抽取 {len(todo)} 个文件……", expanded=True) as status:
            bar = st.progress(0.0)
            for i, f in enumerate(todo):
                bar.progress(i / len(todo), text=f"{i + 1}/{len(todo)}：{escape_md(f.name)}")
                cache[f.file_id] = manage.extract_upload(f.file_id, f.name, f.getvalue())
            bar.progress(1.0, text="抽取完成")
            bad = sum(1 for f in todo if not cache[f.file_id].ok)
            status.update(
                label=f"已抽取 {len(todo)} 个文件" + (f"，{bad} 个未通过检查" if bad else ""),
                state="error" if bad == len(todo) else "complete",
                expanded=False,
            )
    return {k: cache[k] for k in keys if k in cache}


META_FIELDS = {
    "jurisdiction": "地区（正式名称）",
    "period": "期间（2023 或 2018-2022）",
    "report_type": "报告类型",
    "delivered": "报告日期（2024-01-13）",
}


def _meta_fields(up: manage.Upload) -> None:
    """Optional: set the report's metadata as it loads (logged like any report correction, with a reason)."""
    if not st.toggle(
        "载入时更正报告信息", key=f"mg_meta_on_{up.key}", help="地区、期间、类型或日期识别有误或待确认时使用"
    ):
        return
    cols = st.columns(4)
    for col, (name, label) in zip(cols, META_FIELDS.items(), strict=True):
        with col:
            if name == "report_type":
                st.selectbox(
                    label,
                    ["", *manage.REPORT_TYPE_CHOICES],
                    format_func=lambda v: report_type_zh(v) if v else "（不改）",
                    key=f"mg_meta_{name}_{up.key}",
                )
            else:
                st.text_input(label, key=f"mg_meta_{name}_{up.key}", placeholder="（不改）")
    st.text_input("更正理由（必填）", key=f"mg_meta_reason_{up.key}")


def _meta_changes(up: manage.Upload) -> tuple[dict, str]:
    """The metadata an analyst set for this upload in the preview, and why ({} when none)."""
    if not st.session_state.get(f"mg_meta_on_{up.key}"):
        return {}, ""
    changes = {n: str(st.session_state.get(f"mg_meta_{n}_{up.key}") or "").strip() for n in META_FIELDS}
    return {k: v for k, v in changes.items() if v}, str(
        st.session_state.get(f"mg_meta_reason_{up.key}") or ""
    )


def _preview(up: manage.Upload, planned) -> bool:
    """One report's preview; returns whether the analyst wants it loaded."""
    rep = up.report
    action = planned.action if planned else manage.PLAN_NEW
    label = f"{escape_md(up.name)} · {manage.ACTION_ZH.get(action, action)} · {len(rep.facts)} 条数据"
    with st.expander(label, expanded=True, icon=":material/description:"):
        color = {manage.PLAN_NEW: "green", manage.PLAN_UNCHANGED: "gray", manage.PLAN_REPLACES: "orange"}.get(
            action, "blue"
        )
        st.badge(manage.ACTION_ZH.get(action, action), color=color)
        if planned and planned.replaces:
            st.caption(
                "将替换："
                + "；".join(escape_md(manage.replaced_label(rid, name)) for rid, name in planned.replaces)
                + "。旧版本的数据会被删除，旧文件移到报告库的 .superseded/ 下保存。"
            )
            old = pd.concat([queries.report_facts(rid) for rid, _ in planned.replaces], ignore_index=True)
            diff = manage.version_diff(up, old)
            changed = diff[diff["变化"] != "不变"]
            st.markdown(
                f"**新版本的变化**：{len(changed)} 项有变化（改变 {int((diff['变化'] == '改变').sum())}、"
                f"新增 {int((diff['变化'] == '新增').sum())}、删除 {int((diff['变化'] == '删除').sum())}），"
                f"{int((diff['变化'] == '不变').sum())} 项不变"
            )
            st.dataframe(diff, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(diff)))
        take = st.checkbox(
            "载入这份报告",
            value=action != manage.PLAN_UNCHANGED,
            key=f"mg_take_{up.key}",
            help="相同内容已经载入时，再次载入不会改动任何数据。"
            if action == manage.PLAN_UNCHANGED
            else None,
        )
        _meta_fields(up)
        left, right = st.columns([2, 3], gap="medium")
        with left:
            meta = manage.preview_meta(up)
            st.dataframe(meta, hide_index=True, width="stretch", height=36 * (len(meta) + 1) + 4)
            if up.warnings:
                st.warning(
                    "抽取提示：\n" + "\n".join(f"- {escape_md(w)}" for w in up.warnings),
                    icon=":material/info:",
                )
        with right:
            facts = manage.preview_facts(up)
            if facts.empty:
                st.info("这份报告没有抽取出数据。载入后可以在“更正数据”中补充。", icon=":material/info:")
            else:
                st.dataframe(
                    facts,
                    hide_index=True,
                    width="stretch",
                    height=min(560, 38 + 35 * len(facts)),
                    column_config={"原文": st.column_config.TextColumn("原文", width="large")},
                )
    return take


def upload_section() -> None:
    lib = manage.library_path()
    st.caption(
        f"支持 txt、html、pdf、docx，单个文件不超过 {manage.max_bytes() / 1048576:g} MB。"
        "先抽取并预览，确认后才写入数据库；写入时看板照常可用。"
        f"文件会保存到报告库 `{_code(lib)}`，重建数据库时一并重建。"
    )
    gen = st.session_state.setdefault(GENERATION, 0)
    files = st.file_uploader(
        "选择报告文件（可多选）",
        type=manage.UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"mg_files_{gen}",
        # the browser refuses bigger files itself; the library checks again on the server
        max_upload_size=math.ceil(manage.max_bytes() / 1048576),
    )
    uploads = list(_extract_new(files or []).values())
    if not uploads:
        return

    # 1a. refused files, with their reasons (the others go on)
    bad = [u for u in uploads if not u.ok]
    if bad:
        st.error(
            "以下文件未通过检查，不会载入（其他文件不受影响）：\n"
            + "\n".join(f"- **{escape_md(u.name)}**：{u.problem}（{escape_md(u.detail)}）" for u in bad),
            icon=":material/block:",
        )

    # 1b. a preview of each good one, and whether it is new, unchanged or a new version
    good = [u for u in uploads if u.ok]
    if not good:
        return
    try:
        planned = manage.plan(good)
    except Exception as exc:  # noqa: BLE001 - an unreadable database: say so, keep the page
        st.error(f"无法与现有数据库比对：{escape_md(exc)}", icon=":material/database:")
        return
    chosen = [u for u in good if _preview(u, planned.get(u.report.report_id))]

    # 1c. confirm: the library loads them (one write, swapped in at once)
    if st.button(
        f"确认载入 {len(chosen)} 份报告",
        type="primary",
        disabled=not chosen,
        key="mg_confirm",
        icon=":material/database_upload:",
    ):
        edits = {u.report.report_id: (u.name, *_meta_changes(u)) for u in chosen}
        # the versions about to be replaced, named as the preview named them (gone from the database after)
        replaced = {
            rid: manage.replaced_label(rid, name) for plan in planned.values() for rid, name in plan.replaces
        }
        missing = [name for name, changes, why in edits.values() if changes and not why.strip()]
        if missing:
            st.error("请填写更正理由：" + "、".join(escape_md(n) for n in missing), icon=":material/error:")
            return
        with st.spinner("正在载入……"):
            summary, problem = manage.attempt(manage.load, chosen)
        if problem:
            st.error(problem, icon=":material/error:")
            return
        lines = []
        for o in summary.outcomes:
            name, changes, why = edits.get(o.report_id, ("", {}, ""))
            if changes and o.status in ("added", "replaced", "unchanged"):
                rec, problem = manage.attempt(manage.correct_report_meta, o.report_id, reason=why, **changes)
                o.message = f"{o.message + '；' if o.message else ''}" + (
                    f"报告信息已更正（{rec.summary()}）" if rec else f"报告信息未能更正：{problem}"
                )
        for o in summary.outcomes:
            line = f"- **{escape_md(o.file)}**：{manage.OUTCOME_ZH.get(o.status, o.status)}"
            if o.status in ("added", "replaced"):
                line += f"（{o.facts} 条数据，报告ID {o.report_id}）"
            if o.replaced:
                line += "；替换了 " + "、".join(
                    escape_md(replaced.get(rid) or f"文件 {name}") for rid, name in o.replaced
                )
            if o.message:
                line += f"；{escape_md(o.message)}"
            lines.append(line)
        kind = "success" if summary.loaded else "info"
        head = f"已载入 {len(summary.loaded)} 份报告" if summary.loaded else "没有新的数据需要载入"
        flash(kind, head + "：\n" + "\n".join(lines) + "\n\n到“数据”或“报告”页查看。")
        for u in bad:
            manage.discard(u)
        st.session_state[UPLOADS] = {}
        st.session_state[GENERATION] = gen + 1  # a fresh, empty uploader
        st.rerun()


# --- 2. corrections ----------------------------------------------------------------------------------


def _report_label(r) -> str:
    return (
        f"{r.jurisdiction or '未识别地区'} · {period_zh(r.period_start, r.period_end)} · "
        f"{report_type_zh(r.report_type)} · {r.source_file}"
    )


def _fact_label(r) -> str:
    mark = "（已更正）" if r.corrected else ""
    return (
        f"{r.label_zh}：{format_value(r.value, r.unit, r.qualifier)} · "
        f"{period_zh(r.period_start, r.period_end)}{mark}"
    )


def _period_text(start, end) -> str:
    if start is None or start != start:  # None or NaN
        return ""
    return str(int(start)) if start == end else f"{int(start)}-{int(end)}"


def _fact_card(fact) -> None:
    """The chosen fact as it stands, with its sentence (all text escaped)."""
    corrected = (
        f"<span style='color:#b03a2e;font-weight:700'>已更正</span>"
        f"（更正ID {html.escape(str(fact.correction_id))}）"
        if fact.corrected
        else "抽取结果，未更正"
    )
    scope = f"，{html.escape(scope_zh(fact.scope))}" if isinstance(fact.scope, str) else ""
    st.html(
        "<div style='border-left:4px solid #b03a2e;padding:6px 12px;background:#fbf3f2'>"
        f"<b>{html.escape(str(fact.label_zh))}："
        f"{html.escape(format_value(fact.value, fact.unit, fact.qualifier))}</b>"
        f"（{html.escape(period_zh(fact.period_start, fact.period_end))}，"
        f"{html.escape(qualifier_word(fact.qualifier))}{scope}）"
        f" · {corrected}<br>原文：{html.escape(str(fact.evidence))}"
        f"<br><span style='color:#888;font-size:12px'>事实ID {html.escape(str(fact.fact_id))}</span></div>"
    )


def _metric_format(code: str) -> str:
    return f"{manage.metric_labels().get(code, code)}（{code}）"


def _run_write(what: str, call) -> None:
    """Run one write; on success leave a message for the next run and rerun, else show why not."""
    rec, problem = manage.attempt(call)
    if problem:
        st.error(problem, icon=":material/error:")
        return
    for key in [k for k in st.session_state if str(k).startswith(FORM_KEYS) and "_submit" not in str(k)]:
        del st.session_state[key]  # the forms start empty again for the next correction
    st.session_state[WRITES] = st.session_state.get(WRITES, 0) + 1
    flash("success", f"{what}（更正ID {rec.correction_id}，记录人 {escape_md(rec.user)}）。已写入更正记录。")
    st.rerun()


def _correct_form(fact) -> None:
    metrics = manage.correctable_metrics()
    if fact.metric not in metrics:
        metrics = [fact.metric, *metrics]
    quals = manage.QUALIFIER_CHOICES
    value_text = format_value(fact.value, None, None).replace(",", "")
    period_text = _period_text(fact.period_start, fact.period_end)
    with st.form(f"mg_correct_{fact.fact_id}", border=True):
        st.markdown("**更正数值、指标或期间**")
        c1, c2 = st.columns(2)
        value = c1.text_input("数值", value=value_text, key=f"mg_c_value_{fact.fact_id}")
        unit = c2.text_input("单位", value=fact.unit or "", key=f"mg_c_unit_{fact.fact_id}")
        metric = st.selectbox(
            "指标",
            metrics,
            index=metrics.index(fact.metric),
            format_func=_metric_format,
            key=f"mg_c_metric_{fact.fact_id}",
        )
        c3, c4 = st.columns(2)
        period = c3.text_input(
            "期间",
            value=period_text,
            key=f"mg_c_period_{fact.fact_id}",
            help="一个年份（2023）或起止年份（2018-2022）",
        )
        qualifier = c4.selectbox(
            "限定",
            quals,
            index=quals.index(fact.qualifier) if fact.qualifier in quals else 0,
            format_func=qualifier_word,
            key=f"mg_c_qualifier_{fact.fact_id}",
        )
        reason = st.text_area(
            "更正理由（必填）",
            key=f"mg_c_reason_{fact.fact_id}",
            placeholder="例如：原文为“12件”，抽取成了 2 件",
        )
        if not st.form_submit_button(
            "保存更正", type="primary", icon=":material/edit:", key=f"mg_c_submit_{fact.fact_id}"
        ):
            return
    changes = {
        "value": value.strip() if value.strip() != value_text else None,
        "unit": unit.strip() if unit.strip() != (fact.unit or "") and unit.strip() else None,
        "metric": metric if metric != fact.metric else None,
        "period": period.strip() if period.strip() != period_text and period.strip() else None,
        "qualifier": qualifier if qualifier != fact.qualifier else None,
    }
    if not any(v is not None for v in changes.values()):
        st.warning("没有改动：请修改数值、单位、指标、期间或限定后再保存。", icon=":material/info:")
        return
    _run_write("已更正这条数据", lambda: manage.correct(fact.fact_id, reason=reason, **changes))


def _reject_form(fact) -> None:
    with st.form(f"mg_reject_{fact.fact_id}", border=True):
        st.markdown("**驳回这条数据**")
        st.caption("驳回后它不再出现在图表、表格和导出中；抽取结果和更正记录都保留，可在“更正记录”页撤销。")
        reason = st.text_area(
            "驳回理由（必填）",
            key=f"mg_r_reason_{fact.fact_id}",
            placeholder="例如：这是明年计划数，不是当年完成数",
        )
        if not st.form_submit_button(
            "驳回这条数据", icon=":material/block:", key=f"mg_r_submit_{fact.fact_id}"
        ):
            return
    _run_write("已驳回这条数据", lambda: manage.reject(fact.fact_id, reason=reason))


def _add_form(report_id: str) -> None:
    metrics = manage.correctable_metrics()
    with st.form(f"mg_add_{report_id}", border=True):
        st.markdown("**补充抽取遗漏的数据**")
        st.caption("原文须从这份报告中逐字复制（可在下方“报告原文”中找到），并写明所填的数值；系统会核对。")
        metric = st.selectbox(
            "指标",
            metrics,
            index=None,
            placeholder="选择指标",
            format_func=_metric_format,
            key=f"mg_a_metric_{report_id}",
        )
        c1, c2, c3 = st.columns(3)
        value = c1.text_input("数值", key=f"mg_a_value_{report_id}", placeholder="例如 12")
        unit = c2.text_input("单位（可不填）", key=f"mg_a_unit_{report_id}", placeholder="按原文，例如 件")
        period = c3.text_input("期间（可不填）", key=f"mg_a_period_{report_id}", placeholder="默认按所在段落")
        evidence = st.text_area("原文句子（必填）", key=f"mg_a_evidence_{report_id}")
        reason = st.text_area("补充理由（必填）", key=f"mg_a_reason_{report_id}")
        if not st.form_submit_button("补充这条数据", icon=":material/add:", key=f"mg_a_submit_{report_id}"):
            return
    if metric is None:
        st.error("请选择指标。", icon=":material/error:")
        return
    if not value.strip():
        st.error("请填写数值。", icon=":material/error:")
        return
    _run_write(
        "已补充这条数据",
        lambda: manage.add_missing(
            report_id,
            metric=metric,
            value=value.strip(),
            evidence=evidence,
            reason=reason,
            period=period.strip() or None,
            unit=unit.strip() or None,
        ),
    )


def correction_section() -> None:
    try:
        db.db_version()
    except db.NoDatabaseError as exc:
        st.info(str(exc), icon=":material/database:")
        return
    reports = queries.report_list(Filters(), limit=MAX_REPORTS)
    if reports.empty:
        st.info("数据库里还没有报告：先在“上传报告”中载入。", icon=":material/info:")
        return

    # 2a. which report and which fact (the 报告 page's "更正这条数据" preselects both)
    target = st.session_state.pop(TARGET, None)
    for wanted in ((target or {}).get("report"), st.session_state.get("mg_r")):
        if wanted and wanted not in set(reports["report_id"]):  # beyond the latest MAX_REPORTS
            extra = queries.report_meta(str(wanted))
            if not extra.empty:
                reports = pd.concat([extra[reports.columns], reports], ignore_index=True)
    ids = reports["report_id"].tolist()
    if target and target.get("report") in ids:
        st.session_state["mg_r"] = target["report"]
        st.session_state[CHOSEN_FACT] = target.get("fact") or ""
    if st.session_state.get("mg_r") not in ids:
        st.session_state["mg_r"] = ids[0]
    labels = {r.report_id: _report_label(r) for r in reports.itertuples()}
    rid = st.selectbox("报告", ids, key="mg_r", format_func=labels.get)
    facts = queries.report_facts(rid)
    fact_ids = ["", *facts["fact_id"].tolist()]
    # After a write the list shows new values; a new key makes the browser redraw the chosen entry too.
    key = f"mg_f_{st.session_state.get(WRITES, 0)}"
    if st.session_state.get(key) not in fact_ids:
        chosen = st.session_state.get(CHOSEN_FACT)
        st.session_state[key] = chosen if chosen in fact_ids else ""
    fact_labels = {r.fact_id: _fact_label(r) for r in facts.itertuples()}
    fid = st.selectbox(
        f"数据（本报告 {len(facts)} 条，当前值）",
        fact_ids,
        key=key,
        format_func=lambda v: fact_labels.get(v, v) if v else "（不选：补充遗漏的数据）",
    )
    st.session_state[CHOSEN_FACT] = fid

    # 2b. correct or reject the chosen fact
    if fid:
        fact = next(facts[facts["fact_id"] == fid].itertuples())
        _fact_card(fact)
        left, right = st.columns([3, 2], gap="medium")
        with left:
            _correct_form(fact)
        with right:
            _reject_form(fact)

    # 2c. add a fact the extractor missed, with the report's text beside it to copy from
    _add_form(rid)
    with st.expander("报告原文（黄色为已抽取的数字）", icon=":material/article:"):
        with st.container(height=420):
            marks = [
                {**r, "label": f"{r['label_zh']}：{format_value(r['value'], r['unit'], r['qualifier'])}"}
                for r in facts.to_dict("records")
            ]
            st.html(highlight_html(queries.report_text(rid) or "", marks, fid or None))


# --- the page ----------------------------------------------------------------------------------------


def main() -> None:
    st.title("数据管理")
    # 0. analysts only: checked here on every run, whatever the navigation showed
    if auth.current_analyst() is None:
        if not auth.configured_analysts():
            st.info(auth.HOW_TO_ADD, icon=":material/person_add:")
        else:
            st.warning("数据管理只对登录的分析员开放：请在左侧栏“分析员登录”中登录。", icon=":material/lock:")
        return
    show_flash()
    if st.session_state.get(TARGET):
        st.session_state["mg_section"] = "correct"
    if st.session_state.get("mg_section") not in SECTIONS:
        st.session_state["mg_section"] = "upload"
    section = st.radio(
        "操作",
        list(SECTIONS),
        key="mg_section",
        format_func=SECTIONS.get,
        horizontal=True,
        label_visibility="collapsed",
    )
    if section == "upload":
        upload_section()
    else:
        correction_section()
    st.caption(
        f"更正记录保存在 `{_code(manage.corrections_file())}`（与数据库分开，重建后自动重新应用）；"
        "所有更正见“更正记录”页。"
    )


main()
