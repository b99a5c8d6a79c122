"""Numbers never mislead by their company: one unit per axis, only like compared with like, stocks and
rates named as what they are (issue 12 items 1–3), on screen as in the AppTest-run pages."""

from __future__ import annotations

import re

import pytest
from conftest import assert_clean, figures, open_app

from app.views import ChartRequest, resolve


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


def test_compare_draws_one_unit_and_lists_the_other_apart(corpus_db, use_db):
    use_db(corpus_db)
    # 郑州 361名 (deputies reached) and 鹤壁 205人次 (contacts) are not the same count
    chart = resolve(
        ChartRequest("compare", "deputies.member_contacts", ("郑州市", "鹤壁市"), 2023, 2023, "prefecture")
    )
    assert [p.unit for s in chart.series for p in s.points] == [chart.unit]
    assert "单位或口径不同" in chart.subtitle and ("361名" in chart.subtitle or "205人次" in chart.subtitle)


def test_compare_keeps_a_wider_definition_apart(corpus_db, use_db):
    use_db(corpus_db)
    # 郑州 满意率 100% and 鹤壁 满意率和基本满意率 96%: same unit, not the same definition
    req = ChartRequest(
        "compare", "deputies.suggestion_satisfaction", ("郑州市", "鹤壁市"), 2023, 2023, "prefecture"
    )
    chart = resolve(req)
    assert chart.categories == ["郑州市"]
    assert "鹤壁市 2023年 96%" in chart.subtitle and "含基本满意" in chart.subtitle
    assert chart.title.startswith("代表建议办理满意率：2023年比率")


def test_session_attendance_with_committee_members_is_not_ranked_beside_deputies(corpus_db, use_db):
    use_db(corpus_db)
    req = ChartRequest(
        "compare", "deputies.session_attendance", ("郑州市", "鹤壁市"), 2023, 2023, "prefecture"
    )
    chart = resolve(req)
    assert len(chart.categories) == 1 and "另有 1 个数值" in chart.subtitle


def test_a_stock_is_a_level_at_the_end_of_the_term_never_a_sum(corpus_db, use_db):
    use_db(corpus_db)
    chart = resolve(ChartRequest("terms", "liaison.stations", ("郑州市",), 2016, 2023))
    assert chart.title == "人大代表联络站：届末数" and "不是多年相加" in chart.subtitle
    assert "届期合计" not in chart.title + chart.subtitle
    # in the averaged trend, a stock is marked at the term's last year with its own value, not ÷ 5
    trend = resolve(ChartRequest("trend", "liaison.stations", ("郑州市",), 2016, 2023, term_mode="average"))
    term = [s for s in trend.series if s.style == "term"]
    assert len(term) == 1 and term[0].values.count(None) == len(term[0].values) - 1
    assert 771.0 in term[0].values and "届末数" in term[0].name


def test_a_rate_is_never_summed_or_averaged(corpus_db, use_db):
    use_db(corpus_db)
    trend = resolve(
        ChartRequest(
            "trend", "deputies.suggestion_satisfaction", ("新郑市",), 2016, 2018, term_mode="average"
        )
    )
    term = [s for s in trend.series if s.style == "term"]
    assert term and {v for v in term[0].values if v is not None} == {99.0}
    assert "比率" in trend.title and "年均" not in " ".join(s.name for s in trend.series)
    terms = resolve(ChartRequest("terms", "deputies.suggestion_satisfaction", ("新郑市",), 2016, 2018))
    assert terms.title.endswith("届期比率") and "合计" not in terms.title
