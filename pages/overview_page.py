"""总览: one jurisdiction and period at a glance: headline cards with the change on last year, a chart per category."""

from __future__ import annotations

import streamlit as st

from app import poster_ui, queries, state, ui
from app.filters import Filters
from app.highlight import escape_md
from app.labels import format_number, format_value, labels, period_zh
from app.views import (
    ChartRequest,
    group_categories,
    headline_cards,
    parse_period,
    period_key,
    period_options,
    resolve,
)


def _period_label(p: tuple[int, int]) -> str:
    return period_zh(*p) if p[0] == p[1] else f"{period_zh(*p)}（届期合计）"


def _delta(cur, prev) -> tuple[str | None, str]:
    """('+12件', arrow) when both years have an annual value in the same unit, else (None, 'off')."""
    if prev is None:
        return None, "off"
    diff = float(cur["value"]) - float(prev["value"])
    unit = "个百分点" if cur["unit"] == "%" else (cur["unit"] or "")
    if diff == 0:
        return f"持平（0{unit}）", "off"
    return f"{'+' if diff > 0 else '-'}{format_number(abs(diff))}{unit}", "auto"


def main() -> None:
    f = state.current_filters()
    st.title("总览")

    # 1. which jurisdiction and period
    scope = state.jurisdictions_in_scope(f)
    if not scope:
        ui.no_data("当前筛选下没有任何地区的报告。请放宽左侧的层级、省份或地区筛选。")
        return
    c1, c2 = st.columns(2)
    state.seed("ov_j", "focus", scope, scope[0])
    with c1:
        jur = st.selectbox("地区", scope, key="ov_j")
    state.keep("ov_j", "focus")
    options = period_options(
        Filters(jurisdictions=(jur,), year_from=f.year_from, year_to=f.year_to, category=f.category)
    )
    if not options:
        ui.no_data(f"{jur} 在 {f.year_from}–{f.year_to} 年没有可显示的数据。请调整左侧的年份范围或类别。")
        return
    keys = [period_key(p) for p in options]
    state.seed("ov_p", "period", keys, keys[0])
    with c2:
        pkey = st.selectbox(
            "年份 / 届期", keys, key="ov_p", format_func=lambda k: _period_label(parse_period(k))
        )
    state.keep("ov_p", "period")
    ps, pe = parse_period(pkey)

    # 2. headline cards (数说 style): value as written, change on last year, a sparkline of past years
    st.subheader(f"{jur} · {_period_label((ps, pe))}")
    if ps != pe:
        st.caption(f"以下为 {ps}–{pe} 年届期合计数，不是某一年的数。")
    cards = headline_cards(jur, (ps, pe), f.category)
    if not cards:
        ui.no_data("这一期没有可显示的指标。")
        return
    for start in range(0, len(cards), 4):
        for col, card in zip(st.columns(4), cards[start : start + 4], strict=False):
            r, prev = card["row"], card["previous"]
            delta, arrow = _delta(r, prev)
            corrected = bool(r.get("corrected"))
            col.metric(
                r["label_zh"] + ("（已更正）" if corrected else ""),
                format_value(r["value"], r["unit"], r["qualifier"]),
                delta=delta,
                delta_color="off",
                delta_arrow=arrow,
                delta_description=f"较{int(prev['period_start'])}年" if delta else None,
                help=("分析员更正过此数值，原因见“更正记录”页。\n\n" if corrected else "")
                + f"原文：{escape_md(r['evidence'])}",
                border=True,
                chart_data=card["history"] if len(card["history"]) > 1 else None,
                chart_type="line",
            )
    st.caption(
        "“≥”表示原文为“余/多/以上”；增减只在两年都有年度数值、单位相同时显示。数量多少不代表工作质量高低。"
    )
    poster_ui.poster_buttons(jur, (ps, pe), key="ov_poster")

    # 3. a compact chart per category group, two per row
    st.subheader("分类概况")
    groups = [g["title"] for g in labels()["overview_groups"]]
    if f.category:
        groups = [g for g in groups if f.category in group_categories(g)]
    drawn, empty = [], []
    for title in groups:
        req = ChartRequest("category", title, (jur,), ps, pe)
        chart = resolve(req)
        (empty if chart is None or chart.is_empty else drawn).append((title, req, chart))
    for start in range(0, len(drawn), 2):
        for col, (title, req, chart) in zip(st.columns(2), drawn[start : start + 2], strict=False):
            with col:
                ui.show_chart(chart, key=f"ov_chart_{title}")
                ui.add_to_brief(req, key=f"ov_brief_{title}")
    if empty:
        st.caption(f"这一期报告未写明数量的类别：{'、'.join(t for t, _, _ in empty)}（未写明不等于零）。")

    # 4. sources
    reports = queries.report_list(Filters(jurisdictions=(jur,), year_from=ps, year_to=pe))
    if not reports.empty:
        st.caption(
            "来源报告："
            + "；".join(
                f"{escape_md(t)}（{escape_md(s)}）"
                for t, s in zip(reports["title"], reports["source_file"], strict=True)
            )
        )


main()
