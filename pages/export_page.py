"""简报导出: saved briefs (named lists of charts added on other pages) → PPTX with native charts, XLSX, PNG/SVG."""

from __future__ import annotations

import datetime as dt
import functools

import streamlit as st

from app import briefs, export, poster_ui, state, ui
from app.views import ChartRequest, resolve

SINGLE = "_single_chart_token"


def _when(iso: str) -> str:
    try:
        t = dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return "—"
    return f"{t.astimezone(ui.BEIJING):%Y-%m-%d %H:%M}（北京时间）"


def _share_link(brief_id: str) -> str:
    """The address that opens this brief on this page, for anyone who can open the dashboard."""
    url = str(getattr(st.context, "url", "") or "")
    base = url.split("?", 1)[0].rstrip("/")
    if base.endswith("/export"):
        base = base[: -len("/export")]
    return f"{base}/export?brief={brief_id}"


def _pick_brief(saved: list[briefs.Brief], current: briefs.Brief | None) -> briefs.Brief | None:
    """1. which saved brief: a list of every brief on the server, opened only when the user picks one.

    A session starts with no brief (or the one its URL names); it never adopts a saved brief by itself,
    so a new visitor or a single-chart link never sees, nor adds to, someone else's brief.
    """
    if not saved:
        return None
    ids = [b.brief_id for b in saved]
    by_id = {b.brief_id: b for b in saved}
    chosen = st.selectbox(
        "已保存的简报",
        ids,
        index=ids.index(current.brief_id) if current and current.brief_id in ids else None,
        format_func=lambda i: (
            f"{by_id[i].name} · {len(by_id[i].charts)} 张图 · 更新于 {_when(by_id[i].updated)}"
        ),
        placeholder="选择一份已保存的简报打开",
        key=f"ex_brief_{current.brief_id if current else ''}",
    )
    if chosen is not None and (current is None or chosen != current.brief_id):
        ui.set_current_brief(chosen)
        st.rerun()
    return by_id[chosen] if chosen is not None else None


def _manage(brief: briefs.Brief) -> None:
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    name = c1.text_input(
        "简报名称", value=brief.name, max_chars=briefs.MAX_NAME, key=f"ex_name_{brief.brief_id}"
    )
    if c2.button("保存名称", key="ex_rename", disabled=name.strip() == brief.name):
        briefs.update(brief.brief_id, name=name)
        st.rerun()
    if c3.button("新建简报", key="ex_new", icon=":material/add:"):
        ui.set_current_brief(briefs.create(ui._brief_name()).brief_id)
        st.rerun()
    st.caption(
        f"分享链接（打开即是这份简报，图表按当时的数据重新绘制）：`{_share_link(brief.brief_id)}`"
        "　简报保存在服务器上，刷新页面或重建数据库都不会丢失。"
    )
    with st.popover("删除这份简报", icon=":material/delete:"):
        st.write(f"删除“{brief.name}”（{len(brief.charts)} 张图）？删除后链接失效，不能恢复。")
        if st.button("确认删除", key="ex_delete", type="primary"):
            briefs.delete(brief.brief_id)
            ui.set_current_brief(None)
            st.rerun()


def _order(brief: briefs.Brief, requests: list[ChartRequest]) -> None:
    """2. the charts in slide order, each movable and removable."""
    for i, req in enumerate(requests):
        c0, c1, c2, c3 = st.columns([8, 1, 1, 1], vertical_alignment="center")
        c0.markdown(f"{i + 1}. {req.describe()}")
        up = c1.button("", key=f"ex_up_{i}", icon=":material/arrow_upward:", help="上移", disabled=i == 0)
        down = c2.button(
            "",
            key=f"ex_down_{i}",
            icon=":material/arrow_downward:",
            help="下移",
            disabled=i == len(requests) - 1,
        )
        drop = c3.button("", key=f"ex_drop_{i}", icon=":material/close:", help="从简报中移除")
        if up or down or drop:
            tokens = list(brief.charts)
            if drop:
                tokens.pop(i)
            else:
                tokens = briefs.move(tokens, i, -1 if up else 1)
            briefs.update(brief.brief_id, charts=tokens)
            st.rerun()


def _single_chart() -> None:
    """A link to exactly one chart (``?chart=<token>``, from 本图数据 under any chart): that chart first."""
    token = state.url_once("chart")
    if token:
        st.session_state[SINGLE] = token
    token = st.session_state.get(SINGLE)
    req = ChartRequest.from_token(token) if token else None
    if req is None:
        return
    state.set_param("chart", token)
    st.subheader("链接中的图表")
    chart = resolve(req)
    if ui.show_chart(chart, key="ex_single"):
        ui.chart_actions(req, chart, key="ex_single_brief")
    if st.button("关闭这张图", key="ex_single_close", icon=":material/close:"):
        st.session_state.pop(SINGLE, None)
        st.rerun()
    st.divider()


def main() -> None:
    st.title("简报导出")
    poster_ui.poster_section()
    _single_chart()
    try:
        saved = briefs.list_briefs()
    except briefs.BriefError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    brief = _pick_brief(saved, ui.current_brief())
    if brief is None:
        ui.no_data(
            ("本次会话还没有打开简报：可在上面选择一份已保存的简报，或" if saved else "还没有保存的简报。")
            + "在“总览”“趋势”“对比”“地图”页点“加入简报”，所选图表会存成一份新简报，在这里排序、命名、下载和分享。"
        )
        return
    _manage(brief)

    requests = [r for r in (ChartRequest.from_token(t) for t in brief.charts) if r is not None]
    if not requests:
        ui.no_data("这份简报里还没有图表。请在“总览”“趋势”“对比”“地图”页点“加入简报”。")
        return
    st.subheader(f"图表顺序（{len(requests)} 张，即幻灯片顺序）")
    _order(brief, requests)
    drawn = [(r, resolve(r)) for r in requests]
    charts = [c for _, c in drawn if c is not None]
    gone = [r for r, c in drawn if c is None]
    if gone:
        st.warning(
            "以下图表在当前数据中已无法绘制（地区或指标已不在数据库中），不会放进下载文件："
            + "；".join(r.describe() for r in gone),
            icon=":material/warning:",
        )
    if not charts:
        return

    # 3. downloads
    stem = f"{brief.name}_{dt.date.today():%Y%m%d}".replace("/", "_").replace(" ", "_")
    c1, c2 = st.columns(2)
    c1.download_button(
        "下载 PPTX（可编辑的原生图表）",
        data=lambda: export.charts_pptx(charts, subtitle=brief.name),
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

    # 4. preview, with per-chart images where the server can render them
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
