"""对比: jurisdictions of one level side by side for one period and one category, with coverage shown."""

from __future__ import annotations

import streamlit as st

from app import queries, state, ui
from app.labels import category_order, category_zh, level_order, level_zh, period_zh
from app.views import (
    ChartRequest,
    compare_charts,
    compare_table,
    metric_order,
    most_documented_category,
    parse_period,
    period_coverage,
    period_key,
    period_options,
    points_for,
    resolve,
)

MAX_SHOWN = 40  # jurisdictions in the table and the bar charts
MAX_NAMED = 200  # jurisdictions named in the coverage line
MAX_CHARTS = 6  # bar charts drawn by default (each metric of the category is in the table)


def main() -> None:
    f = state.current_filters()
    st.title("对比")

    # 1. one level only
    jur = queries.jurisdictions()
    scope = state.jurisdictions_in_scope(f)
    levels_here = sorted({lv for lv in jur[jur["name"].isin(scope)]["level"].dropna()}, key=level_order)
    if not levels_here:
        ui.no_data("当前筛选下没有任何地区。请放宽左侧的筛选。")
        return
    if f.level:
        level = f.level
    else:
        counts = jur[jur["name"].isin(scope)].groupby("level")["name"].count()
        default = max(levels_here, key=lambda lv: (counts.get(lv, 0), -level_order(lv)))
        state.seed("cmp_level", "clevel", levels_here, default)
        level = st.radio(
            "比较层级",
            levels_here,
            key="cmp_level",
            horizontal=True,
            format_func=level_zh,
            help="只在同一层级内比较，避免把区县和地市排在一起",
        )
        state.keep("cmp_level", "clevel")
    at_level = set(jur[jur["level"] == level]["name"])
    scope = [j for j in scope if j in at_level]

    # 2. which category and period
    catalog = queries.metrics_catalog()
    category = f.category
    # the chosen places by name; all of a level (and province) by the level itself: the same rows as the
    # 2,847 names of a county-level scope, found by a plain filter instead of a list lookup in every row
    base = f.with_(jurisdictions=tuple(scope), level=None) if f.jurisdictions else f.with_(level=level)
    if category is None:
        counts = queries.category_counts(base)
        present = sorted({c for c in counts["category"].dropna()}, key=category_order)
        if not present:
            ui.no_data(f"{level_zh(level)}地区在所选年份没有数据。")
            return
        category = most_documented_category(counts, present)
        st.caption(f"未选择类别，显示“{category_zh(category)}”类；可在左侧“类别”中切换。")
    options = period_options(base.with_(category=category))
    if not options:
        ui.no_data(f"{level_zh(level)}地区在所选年份没有“{category_zh(category)}”类数据。")
        return
    keys = [period_key(p) for p in options]
    # default: the period most of these jurisdictions have data for (the latest one may have only one)
    coverage = period_coverage(base.with_(category=category))
    best = max(keys, key=lambda k: (coverage.get(k, 0), -keys.index(k)))
    state.seed("cmp_p", "period", keys, best)
    pkey = st.selectbox(
        "年份 / 届期",
        keys,
        key="cmp_p",
        format_func=lambda k: (
            period_zh(*parse_period(k))
            + ("（届期）" if "-" in k else "")
            + f"　{coverage.get(k, 0)} 个地区有数据"
        ),
    )
    state.keep("cmp_p", "period")
    best_words = f"{period_zh(*parse_period(best))}（{coverage.get(best, 0)}/{len(scope)} 个地区有数据）"
    st.caption(
        f"默认显示数据覆盖最多的一期：{best_words}。"
        if pkey == best
        else f"数据覆盖最多的一期是 {best_words}，可在上面切换。"
    )
    ps, pe = parse_period(pkey)

    # 3. which metrics: the chosen ones, else every metric of the category with data in this period
    in_period = base.with_(category=category, year_from=ps, year_to=pe)
    many = len(scope) > MAX_SHOWN
    # many jurisdictions: which ones and which metrics have a point comes from a light query, and only the
    # jurisdictions shown get their points
    if many:
        summary = queries.point_summary(in_period, (ps, pe))
        with_points = set(summary["metric"].dropna())
        have = sorted(set(summary["jurisdiction"].dropna()) & set(scope))
    else:  # a few places: read by name (agg_report_points is ordered by place, so names prune its scan)
        in_scope = queries.metric_points(in_period.with_(jurisdictions=tuple(scope)))
        pts = in_scope[
            (in_scope["period_start"] == ps) & (in_scope["period_end"] == pe) & (in_scope["kind"] != "sub")
        ]
        with_points = set(pts["metric"])
        have = sorted(set(pts["jurisdiction"]))
    metrics = [m for m in f.metrics if m in with_points] if f.metrics else []
    if not metrics:
        order = metric_order(catalog[catalog["category"] == category])
        metrics = [m for m in order if m in with_points]
    have_set = set(have)
    missing = [j for j in scope if j not in have_set]
    st.subheader(f"{category_zh(category)} · {period_zh(ps, pe)} · {level_zh(level)}")
    st.markdown(
        f"**数据覆盖：{len(have)}/{len(scope)} 个{level_zh(level)}地区有这一期的{category_zh(category)}数据**"
        + (
            f"（无数据：{'、'.join(missing[:MAX_NAMED])}"
            f"{f'等 {len(missing)} 个' if len(missing) > MAX_NAMED else ''}）"
            if missing
            else ""
        )
    )
    st.caption("排名只反映报告中写明的数量，数量多少不代表工作质量高低；缺报告不等于零。")
    if not metrics:
        ui.no_data("这一期没有可比较的指标。")
        return

    # 4. side-by-side table (at most MAX_SHOWN jurisdictions: those with data first, in scope order)
    shown = scope
    if many:
        shown = ([j for j in scope if j in have_set] + [j for j in scope if j not in have_set])[:MAX_SHOWN]
        st.caption(
            f"地区较多（{len(scope)} 个），表格和图表仅显示前 {MAX_SHOWN} 个有数据的地区，"
            "请用左侧的省份或地区筛选缩小范围。"
        )
        in_scope = queries.metric_points(in_period.with_(jurisdictions=tuple(shown)))
        pts = in_scope[
            (in_scope["period_start"] == ps) & (in_scope["period_end"] == pe) & (in_scope["kind"] != "sub")
        ]
    st.dataframe(compare_table(pts, metrics, shown), width="stretch")
    st.caption("表中照录报告原文的数值和单位；单位或口径不同的数值不能直接比较，图中分开列出并说明。")

    # 5. one bar chart per metric
    # (one query for every chart's points; the first MAX_CHARTS metrics unless the user asks for all: the
    # table above already has every metric)
    charted = metrics
    if len(metrics) > MAX_CHARTS:
        everything = st.toggle(
            f"显示全部 {len(metrics)} 个指标的图表",
            key="cmp_all_charts",
            help=f"默认只画前 {MAX_CHARTS} 个指标，上表包含全部指标",
        )
        if not everything:
            charted = metrics[:MAX_CHARTS]
    reqs = [ChartRequest("compare", code, tuple(shown), ps, pe, level) for code in charted]
    points = points_for(reqs, within=in_scope)  # the points read above: no second query
    drawn = compare_charts(reqs, points) if points is not None else [resolve(req) for req in reqs]
    cols = st.columns(2)
    for i, (code, req, chart) in enumerate(zip(charted, reqs, drawn, strict=True)):
        with cols[i % 2]:
            if ui.show_chart(chart, key=f"cmp_{code}"):
                ui.chart_actions(req, chart, key=f"cmp_brief_{code}")


main()
