"""指标说明: what each metric counts, in which unit, what kind of number it is, with the catalog's
examples."""

from __future__ import annotations

import streamlit as st

from app import state
from app.labels import category_order, category_zh, format_number, kind_zh, measure_note, measure_zh
from app.views import metric_definitions

ASKED = "_metrics_asked"  # the ?metric= / ?mcat= this page last opened at


def main() -> None:
    st.title("指标说明")
    st.caption(
        "每个指标的单位、性质和例句都来自指标目录（etl/catalog.yaml）。"
        "“流量”是期间内发生的数量，届期数为多年合计；“存量”是期末的水平（如联络站个数），不能跨年相加；"
        "“比率”是百分比，不能相加或平均。"
    )
    # a blocker (kind 'blocker', code _blocked.…) is a pattern that must never become a fact: no metric
    defs = [d for d in metric_definitions() if d["kind"] != "blocker"]
    cats = sorted({d["category"] for d in defs}, key=category_order)
    # the help icon of a card or chart opens this page at its metric (?metric=) or categories (?mcat=a,b),
    # on every visit, not only the session's first
    wanted = str(st.query_params.get("metric") or "")
    asked = wanted + "|" + str(st.query_params.get("mcat") or "")
    if asked != st.session_state.get(ASKED):
        st.session_state[ASKED] = asked
        first = next((d["category"] for d in defs if d["code"] == wanted), None)
        mcats = [c for c in str(st.query_params.get("mcat") or "").split(",") if c in cats]
        if first is not None or len(mcats) == 1:
            st.session_state["mt_cat"] = first or mcats[0]
        elif mcats:
            st.session_state["mt_cat"] = ""
    state.seed("mt_cat", "mcat", ["", *cats], "")
    category = st.selectbox(
        "类别", ["", *cats], key="mt_cat", format_func=lambda c: category_zh(c) if c else "全部类别"
    )
    state.keep("mt_cat", "mcat")
    known = {d["code"] for d in defs}
    state.set_param("metric", wanted if wanted in known else None)
    if wanted in known:
        # the metric asked for comes first, open, so the page opens at it
        defs = sorted(defs, key=lambda d: d["code"] != wanted)
    for d in defs:
        if category and d["category"] != category:
            continue
        with st.expander(
            f"{d['label_zh']} · {measure_zh(d['measure'])} · {d['units']}",
            expanded=d["code"] == wanted,
            key=f"mt_{d['code']}",
        ):
            st.markdown(
                f"**类别**：{category_zh(d['category'])}　**单位**：{d['units']}　"
                f"**性质**：{measure_zh(d['measure'])}（{measure_note(d['measure'])}）　"
                f"**类型**：{kind_zh(d['kind'])}　**数据库中**：{d['n_facts']} 条　`{d['code']}`"
            )
            if d["counts"]:
                st.markdown("**计入的写法**（例句 → 读出的数）")
                for text, value in d["counts"]:
                    st.markdown(f"- {text} → **{format_number(float(value))}**")
            if d["not_counted"]:
                st.markdown("**不计入的写法**")
                for text in d["not_counted"]:
                    st.markdown(f"- {text}")


main()
