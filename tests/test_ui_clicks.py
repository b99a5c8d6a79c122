"""A click on a chart names the fact behind the bar or point (charts.picked_fact), and 指标说明 opens at the
metric a help link names, on every visit (issue 12: 13, 16)."""

from __future__ import annotations

from conftest import open_app

from app.charts import ChartData, Point, Series, picked_fact


def _chart() -> ChartData:
    a = Point(3, "件", report_id="r1", fact_id="f1")
    b = Point(None)
    c = Point(5, "件", report_id="r2", fact_id="f2")
    return ChartData("k", "t", "件", "barh", ["甲", "乙"], [Series("s1", [a, b]), Series("s2", [b, c])])


def test_a_click_names_the_fact_of_its_series_and_category():
    chart = _chart()
    click = {"selection": {"points": [{"curve_number": 1, "point_index": 1}]}}
    assert picked_fact(chart, click) == ("r2", "f2")
    assert picked_fact(chart, {"selection": {"points": [{"curve_number": 0, "point_number": 0}]}}) == (
        "r1",
        "f1",
    )
    # nothing behind it: an empty slot, a trace that is not a series, no selection
    assert picked_fact(chart, {"selection": {"points": [{"curve_number": 0, "point_index": 1}]}}) is None
    assert picked_fact(chart, {"selection": {"points": [{"curve_number": 7, "point_index": 0}]}}) is None
    assert picked_fact(chart, {"selection": {"points": []}}) is None and picked_fact(chart, None) is None


def test_metrics_page_opens_at_the_metric_asked_for(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "overview")
    at.switch_page("pages/metrics_page.py").run()  # a first visit, with no metric named
    at.switch_page("pages/trends_page.py").run()
    at.switch_page("pages/metrics_page.py")  # then a chart's help link (st.page_link: same session)
    at.query_params["metric"] = "deputies.suggestions"
    at.run()
    first = at.main.expander[0]
    assert "代表建议" in first.label and at.selectbox(key="mt_cat").value == "deputies"
    assert at.query_params["metric"] == "deputies.suggestions"


def test_metrics_page_leaves_out_blockers(corpus_db, monkeypatch):
    """A blocker (a pattern that must never become a fact, code like _blocked.…) is no metric to explain."""
    from etl.extract.catalog import load_catalog

    blockers = [m for m in load_catalog().metrics.values() if m.kind == "blocker"]
    assert blockers
    at = open_app(corpus_db, monkeypatch, "metrics")
    assert not at.exception
    shown = " ".join(e.label for e in at.main.expander) + " ".join(m.value for m in at.markdown)
    for m in blockers:
        assert m.code not in shown and m.label_zh not in shown
    assert "blocker" not in shown and "类型：blocker" not in shown
    # and a link naming a blocker opens the page at no entry
    at = open_app(corpus_db, monkeypatch, "metrics", {"metric": blockers[0].code})
    assert not at.exception and "metric" not in at.query_params
