"""总览: one jurisdiction and period at a glance: headline cards with the change on last year, a chart
per category."""

from __future__ import annotations

import streamlit as st

from app import poster_ui, queries, state, ui
from app.charts import report_label
from app.filters import Filters
from app.highlight import escape_md
from app.labels import (
    format_number,
    format_value,
    labels,
    measure_note,
    measure_period_word,
    period_zh,
    tidy_text,
)
from app.views import (
    ChartRequest,
    category_requests,
    fact_link,
    group_categories,
    headline_cards,
    period_key,
    period_options,
)


def _period_label(p: tuple[int, int]) -> str:
    return period_zh(*p) if p[0] == p[1] else f"{period_zh(*p)}（届期）"


def _delta(cur, prev) -> tuple[str | None, str]:
    """('+12件', arrow) when both years have an annual value in the same unit, else (None, 'off')."""
    if prev is None:
        return None, "off"
    diff = float(cur["value"]) - float(prev["value"])
    unit = "个百分点" if cur["unit"] == "%" else (cur["unit"] or "")
    if diff == 0:
        return f"持平（0{unit}）", "off"
    return f"{'+' if diff > 0 else '-'}{format_number(abs(diff))}{unit}", "auto"


def _pin_jurisdiction() -> None:
    """The overview's 地区 becomes the sidebar's (before the next run draws the sidebar)."""
    st.session_state["f_jurs"] = [st.session_state["ov_j"]]


def overview_period(options: list[tuple[int, int]], f: Filters) -> tuple[int, int]:
    """The period 总览 shows for the sidebar's years: the term the range is exactly, else its last year."""
    if (f.year_from, f.year_to) in options and f.year_from != f.year_to:
        return (f.year_from, f.year_to)
    years = [p for p in options if p[0] == p[1]]
    return max(years) if years else options[0]


def _show_period(p: tuple[int, int], f: Filters, terms: set[tuple[int, int]]) -> None:
    """Set the sidebar's 年份 so that 总览 shows ``p`` (a callback: runs before the sidebar is drawn)."""
    st.session_state["f_years"] = state.years_for_period(p, f, terms)


def _period_buttons(every: list[tuple[int, int]], current: tuple[int, int] | None, f: Filters) -> None:
    """The jurisdiction's other years and terms, one click each; they move the sidebar's 年份 (the one
    choice of period, not a second one)."""
    if "f_years" not in st.session_state or len(every) < 2:
        return
    terms = {p for p in every if p[0] != p[1]}
    with st.container(horizontal=True, gap="small", key="ov_periods"):
        st.caption("年份随左侧“年份”：")
        for p in every:
            st.button(
                _period_label(p),
                key=f"ov_go_{period_key(p)}",
                type="primary" if p == current else "tertiary",
                on_click=_show_period,
                args=(p, f, terms),
                help=None if p == current else "把左侧“年份”设为这一期",
            )


def main() -> None:
    f = state.current_filters()
    st.title("总览")
    old_link = state.url_once("period")  # a link from before 总览 followed the sidebar's years
    if old_link and "years" not in st.query_params:
        try:
            state.request_page(None, f_years=state.parse_years(old_link))
            st.rerun()
        except ValueError:
            pass

    # 1. which jurisdiction and period: one source of truth with the sidebar.  The sidebar's 地区 is the
    # overview's when it names one; choosing here sets the sidebar (and the URL's j) to that one.
    pinned = f.jurisdictions[0] if len(f.jurisdictions) == 1 else None
    scope = state.jurisdictions_in_scope(f if len(f.jurisdictions) > 1 else f.with_(jurisdictions=()))
    if not scope:
        ui.no_data("当前筛选下没有任何地区的报告。请放宽左侧的层级、省份或地区筛选。")
        return
    state.seed("ov_j", "focus", scope, pinned or scope[0])
    if pinned in scope:
        st.session_state["ov_j"] = pinned
    jur = st.selectbox(
        "地区",
        scope,
        key="ov_j",
        on_change=_pin_jurisdiction,
        help="与左侧“地区”是同一个选择：总览一次看一个地区",
    )
    state.keep("ov_j", None if pinned else "focus")
    if len(f.jurisdictions) > 1:
        st.caption(f"左侧选了 {len(f.jurisdictions)} 个地区，总览一次看一个：在上面切换。")
    # the period is the sidebar's 年份 (one choice, in the URL as years): a range that is exactly one of the
    # jurisdiction's terms shows that term, any other range its last year with data
    every = period_options(Filters(jurisdictions=(jur,), category=f.category))
    options = [p for p in every if f.year_from is None or (f.year_from <= p[0] and p[1] <= f.year_to)]
    if not options:
        ui.no_data(f"{jur} 在 {f.year_from}–{f.year_to} 年没有可显示的数据。请调整左侧的年份范围或类别。")
        _period_buttons(every, None, f)
        return
    ps, pe = overview_period(options, f)

    # 2. headline cards (数说 style): value as written, change on last year, a sparkline of past years
    st.subheader(f"{jur} · {_period_label((ps, pe))}")
    _period_buttons(every, (ps, pe), f)
    if ps != pe:
        st.caption(
            f"以下为 {ps}–{pe} 年的届期数，不是某一年的数：数量为届期合计，"
            "联络站等存量为届末数，比率按报告所述，不相加。"
        )
    cards = headline_cards(jur, (ps, pe), f.category)
    if not cards:
        ui.no_data("这一期没有可显示的指标。")
        return
    for start in range(0, len(cards), 4):
        for col, card in zip(st.columns(4), cards[start : start + 4], strict=False):
            r, prev = card["row"], card["previous"]
            delta, arrow = _delta(r, prev)
            corrected = bool(r.get("corrected"))
            measure = r.get("measure") or "flow"
            kind = f"（{measure_period_word(measure, ps != pe)}）" if measure == "stock" or ps != pe else ""
            col.metric(
                r["label_zh"] + kind + ("（已更正）" if corrected else ""),
                format_value(r["value"], r["unit"], r["qualifier"]),
                delta=delta,
                delta_color="off",
                delta_arrow=arrow,
                delta_description=f"较{int(prev['period_start'])}年" if delta else None,
                help=("分析员更正过此数值，原因见“更正记录”页。\n\n" if corrected else "")
                + (f"{measure_note(measure)}。\n\n" if measure != "flow" else "")
                + f"原文：{escape_md(tidy_text(r['evidence']))}\n\n"
                + f"[在报告中查看原句 →]({fact_link(r['report_id'], r['fact_id'])})　"
                + f"[这个指标怎么算 →](/metrics?metric={r['metric']})",
                border=True,
                chart_data=card["history"] if len(card["history"]) > 1 else None,
                chart_type="line",
            )
    st.caption(
        "“≥”表示原文为“余/多/以上”；增减只在两年都有年度数值、单位相同时显示。数量多少不代表工作质量高低。"
    )
    poster_ui.poster_buttons(jur, (ps, pe), key="ov_poster")

    # 3. compact charts per category group, two per row: one chart per unit and kind, never two units on
    # one axis (制定法规 2件 beside 收集意见 1,200条 would be an invisible sliver)
    st.subheader("分类概况")
    st.caption("每张图只含一种单位；存量（如联络站个数）和比率单独成图。")
    groups = [g["title"] for g in labels()["overview_groups"]]
    if f.category:
        groups = [g for g in groups if f.category in group_categories(g)]
    drawn, empty = [], []
    for title in groups:
        parts = [(r, c) for r, c in category_requests(ChartRequest("category", title, (jur,), ps, pe))]
        parts = [(r, c) for r, c in parts if not c.is_empty]
        if not parts:
            empty.append(title)
        drawn.extend((title, r, c) for r, c in parts)
    for start in range(0, len(drawn), 2):
        for col, (title, req, chart) in zip(st.columns(2), drawn[start : start + 2], strict=False):
            with col:
                ui.show_chart(chart, key=f"ov_chart_{title}_{req.part}")
                ui.chart_actions(req, chart, key=f"ov_brief_{title}_{req.part}")
    if empty:
        st.caption(f"这一期报告未写明数量的类别：{'、'.join(empty)}（未写明不等于零）。")

    # 4. sources
    reports = queries.report_list(Filters(jurisdictions=(jur,), year_from=ps, year_to=pe))
    if not reports.empty:
        st.caption("来源报告：" + "；".join(escape_md(report_label(r)) for r in reports.to_dict("records")))


main()
