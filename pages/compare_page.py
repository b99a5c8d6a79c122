"""对比: jurisdictions of one level side by side for one period and one category, with coverage shown."""

from __future__ import annotations

import streamlit as st

from app import queries, state, ui
from app.labels import category_order, category_zh, level_order, level_zh, period_zh
from app.views import (
    ChartRequest,
    compare_table,
    metric_order,
    most_documented_category,
    parse_period,
    period_key,
    period_options,
    resolve,
)


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
    scope = [j for j in scope if j in set(jur[jur["level"] == level]["name"])]

    # 2. which category and period
    catalog = queries.metrics_catalog()
    category = f.category
    base = f.with_(jurisdictions=tuple(scope), level=None)
    if category is None:
        pts_all = queries.metric_points(base)
        present = sorted({c for c in pts_all["category"].dropna()}, key=category_order)
        if not present:
            ui.no_data(f"{level_zh(level)}地区在所选年份没有数据。")
            return
        category = most_documented_category(pts_all, present)
        st.caption(f"未选择类别，显示“{category_zh(category)}”类；可在左侧“类别”中切换。")
    options = period_options(base.with_(category=category))
    if not options:
        ui.no_data(f"{level_zh(level)}地区在所选年份没有“{category_zh(category)}”类数据。")
        return
    keys = [period_key(p) for p in options]
    state.seed("cmp_p", "period", keys, keys[0])
    pkey = st.selectbox(
        "年份 / 届期",
        keys,
        key="cmp_p",
        format_func=lambda k: period_zh(*parse_period(k)) + ("（届期合计）" if "-" in k else ""),
    )
    state.keep("cmp_p", "period")
    ps, pe = parse_period(pkey)

    # 3. which metrics: the chosen ones, else every metric of the category with data in this period
    pts = queries.metric_points(base.with_(category=category, year_from=ps, year_to=pe))
    pts = pts[(pts["period_start"] == ps) & (pts["period_end"] == pe) & (pts["kind"] != "sub")]
    metrics = [m for m in f.metrics if m in set(pts["metric"])] if f.metrics else []
    if not metrics:
        order = metric_order(catalog[catalog["category"] == category])
        metrics = [m for m in order if m in set(pts["metric"])]
    have = sorted(set(pts["jurisdiction"]))
    st.subheader(f"{category_zh(category)} · {period_zh(ps, pe)} · {level_zh(level)}")
    st.markdown(
        f"**数据覆盖：{len(have)}/{len(scope)} 个{level_zh(level)}地区有这一期的{category_zh(category)}数据**"
        + (f"（无数据：{'、'.join(j for j in scope if j not in have)}）" if len(have) < len(scope) else "")
    )
    st.caption("排名只反映报告中写明的数量，数量多少不代表工作质量高低；缺报告不等于零。")
    if not metrics:
        ui.no_data("这一期没有可比较的指标。")
        return

    # 4. side-by-side table
    st.dataframe(compare_table(pts, metrics, scope), width="stretch")

    # 5. one bar chart per metric
    cols = st.columns(2)
    for i, code in enumerate(metrics):
        req = ChartRequest("compare", code, tuple(scope), ps, pe, level)
        with cols[i % 2]:
            if ui.show_chart(resolve(req), key=f"cmp_{code}"):
                ui.add_to_brief(req, key=f"cmp_brief_{code}")


main()
