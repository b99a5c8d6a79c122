"""Numbers never mislead by their company: one unit per axis, only like compared with like, stocks and
rates named as what they are (issue 12 items 1–3), on screen as in the AppTest-run pages."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import assert_clean, figures, open_app

from app import charts


def _units_of(fig: dict) -> set[str]:
    """The unit each drawn label ends with ('≥1,200条' → 条), over every trace of a figure."""
    out = set()
    for trace in fig["data"]:
        for text in trace.get("text") or []:
            if text:
                out.add(re.sub(r"（已更正）$", "", text).lstrip("≥约").lstrip("0123456789,."))
    return out


@pytest.mark.parametrize(
    "query", [{"focus": "郑州市", "period": "2023"}, {"focus": "郑州市", "period": "2018-2022"}]
)
def test_overview_never_puts_two_units_on_one_axis(corpus_db, monkeypatch, query):
    at = open_app(corpus_db, monkeypatch, query=query)
    assert_clean(at)
    figs = figures(at)
    assert len(figs) > 4
    for fig in figs:
        units = _units_of(fig)
        axis = fig["layout"]["xaxis"]["title"]["text"]
        assert units == {axis}, (fig["layout"]["title"]["text"], units, axis)


def _points(*rows: dict) -> pd.DataFrame:
    """Chart points as queries.metric_points() returns them, from a few fields per row (the rest defaulted):
    these tests state the situation themselves instead of depending on what the extractor reads."""
    base = {"metric": "m", "label_zh": "指标", "measure": "flow", "unit": "件", "qualifier": "exact",
            "scope": None, "evidence": "", "period_start": 2023, "period_end": 2023, "corrected": False,
            "n_candidates": 1, "title": "工作报告", "delivered": None, "report_type": "annual_report",
            "report_period_start": 2023, "report_period_end": 2023}  # fmt: skip
    out = []
    for i, r in enumerate(rows):
        row = {**base, **r, "fact_id": f"f{i}", "report_id": f"r{r['jurisdiction']}"}
        out.append(row)
    return pd.DataFrame(out)


CONTACTS = {"code": "deputies.member_contacts", "label_zh": "常委会组成人员联系代表", "unit": "人次/名/人"}
SATISFACTION = {"code": "deputies.suggestion_satisfaction", "label_zh": "代表建议办理满意率", "unit": "%",
                "measure": "rate"}  # fmt: skip
STATIONS = {"code": "liaison.stations", "label_zh": "人大代表联络站", "unit": "个/家/处", "measure": "stock"}


def test_compare_draws_one_unit_and_lists_the_other_apart():
    # 郑州 361名 (deputies reached) and 鹤壁 205人次 (contacts) are not the same count; 许昌 has 人次 too
    pts = _points(
        {"jurisdiction": "郑州市", "metric": CONTACTS["code"], "value": 361, "unit": "名"},
        {"jurisdiction": "鹤壁市", "metric": CONTACTS["code"], "value": 205, "unit": "人次"},
        {"jurisdiction": "许昌市", "metric": CONTACTS["code"], "value": 150, "unit": "人次"},
    )
    chart = charts.compare_chart(pts, CONTACTS, (2023, 2023), ["郑州市", "鹤壁市", "许昌市"], "地市级")
    assert chart.unit == "人次" and chart.categories == ["许昌市", "鹤壁市"]
    assert (
        "郑州市 2023年 361名（单位为名）" in chart.subtitle and "2/3 个地市级地区有可比数据" in chart.subtitle
    )


def test_compare_keeps_a_wider_definition_apart():
    # 郑州 满意率 100% and 鹤壁 满意率和基本满意率 96%: the same unit, not the same definition
    pts = _points(
        {"jurisdiction": "郑州市", "metric": SATISFACTION["code"], "value": 100, "unit": "%",
         "evidence": "办结率和满意率均为百分之百"},
        {"jurisdiction": "鹤壁市", "metric": SATISFACTION["code"], "value": 96, "unit": "%",
         "evidence": "代表对建议办理工作的满意率和基本满意率达到了96%"},
    )  # fmt: skip
    chart = charts.compare_chart(pts, SATISFACTION, (2023, 2023), ["郑州市", "鹤壁市"], "地市级")
    assert chart.categories == ["郑州市"]
    assert "鹤壁市 2023年 96%" in chart.subtitle and "含基本满意" in chart.subtitle
    assert chart.title == "代表建议办理满意率：2023年比率各地比较"


def test_a_different_scope_is_not_ranked_beside_the_committees_own():
    pts = _points(
        {
            "jurisdiction": "郑州市",
            "metric": STATIONS["code"],
            "value": 771,
            "unit": "个",
            "scope": "all_levels",
        },
        {"jurisdiction": "鹤壁市", "metric": STATIONS["code"], "value": 74, "unit": "个"},
        {"jurisdiction": "许昌市", "metric": STATIONS["code"], "value": 60, "unit": "个"},
    )
    chart = charts.compare_chart(pts, STATIONS, (2023, 2023), ["郑州市", "鹤壁市", "许昌市"])
    assert chart.categories == ["许昌市", "鹤壁市"] and "全市各级" in chart.subtitle
    assert chart.title == "人大代表联络站：2023年年末数各地比较"


def test_a_stock_is_a_level_at_the_end_of_the_term_never_a_sum():
    pts = _points(
        {"jurisdiction": "郑州市", "metric": STATIONS["code"], "value": 771, "unit": "个",
         "period_start": 2018, "period_end": 2022},
        {"jurisdiction": "郑州市", "metric": STATIONS["code"], "value": 760, "unit": "个"},
    )  # fmt: skip
    terms = charts.term_chart(pts, STATIONS)
    assert terms.title == "人大代表联络站：届末数" and "不是多年相加" in terms.subtitle
    assert "届期合计" not in terms.title + terms.subtitle
    # in the averaged trend, a stock is marked at the term's last year with its own value, not ÷ 5
    trend = charts.trend_chart(pts, STATIONS, (2016, 2023), ["郑州市"], "average")
    (term,) = [s for s in trend.series if s.style == "term"]
    assert term.values == [None] * 6 + [771.0, None] and term.name == "郑州市 2022年届末数"


def test_a_rate_is_never_summed_or_averaged():
    pts = _points(
        {"jurisdiction": "新郑市", "metric": SATISFACTION["code"], "value": 99, "unit": "%",
         "period_start": 2016, "period_end": 2018},
    )  # fmt: skip
    trend = charts.trend_chart(pts, SATISFACTION, (2016, 2018), ["新郑市"], "average")
    (term,) = [s for s in trend.series if s.style == "term"]
    assert term.values == [99.0, 99.0, 99.0] and "年均" not in term.name and "比率" in trend.title
    terms = charts.term_chart(pts, SATISFACTION)
    assert terms.title.endswith("届期比率") and "合计" not in terms.title


def test_a_trend_draws_one_unit_and_lists_the_others():
    pts = _points(
        {"jurisdiction": "郑州市", "metric": CONTACTS["code"], "value": 300, "unit": "人次",
         "period_start": 2022, "period_end": 2022},
        {"jurisdiction": "郑州市", "metric": CONTACTS["code"], "value": 361, "unit": "名"},
        {"jurisdiction": "鹤壁市", "metric": CONTACTS["code"], "value": 205, "unit": "人次"},
    )  # fmt: skip
    chart = charts.trend_chart(pts, CONTACTS, (2022, 2023), ["郑州市", "鹤壁市"])
    assert chart.unit == "人次" and {p.unit for s in chart.series for p in s.points if p.value} == {"人次"}
    assert "361名" in chart.subtitle
