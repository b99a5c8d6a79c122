"""The dashboard's library: connection cache, queries, chart builders, chart requests, text highlighting."""

from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import make_synthetic_db, stamp_as_written

from app import charts, db, queries, views
from app.filters import Filters
from app.highlight import ANCHOR_ID, highlight_html
from app.labels import LABELS_FILE, format_value, labels
from app.views import (
    ChartRequest,
    category_requests,
    compare_charts,
    facts_display,
    metric_info,
    points_for,
    resolve,
)

# --- connection -------------------------------------------------------------------------------------


def test_connection_is_read_only(synth_db, use_db):
    use_db(synth_db)
    with db.cursor() as cur, pytest.raises(duckdb.Error):
        cur.execute("delete from facts")


def test_a_rebuilt_database_swapped_in_with_os_replace_is_picked_up(tmp_path, use_db):
    live = make_synthetic_db(tmp_path / "congress.duckdb")
    use_db(live)
    assert queries.database_summary()["n_reports"] == 20
    # the build writes a new file next to the old one and swaps it in
    new = tmp_path / "congress.duckdb.new"
    shutil.copy(live, new)
    con = duckdb.connect(str(new))
    con.execute(
        "delete from facts where report_id in (select report_id from reports where jurisdiction = '中原区')"
    )
    con.execute("delete from reports where jurisdiction = '中原区'")
    stamp_as_written(con)
    con.close()
    os.replace(new, live)
    summary = queries.database_summary()
    assert summary["n_reports"] == 16
    assert "中原区" not in queries.jurisdictions()["name"].tolist()


def test_missing_database_raises_a_typed_error_with_the_next_step(tmp_path, use_db):
    use_db(tmp_path / "none.duckdb")
    with pytest.raises(db.NoDatabaseError, match="make run"):
        queries.jurisdictions()


# --- queries ----------------------------------------------------------------------------------------


def test_queries_are_parameterized_not_formatted(synth_db, use_db):
    use_db(synth_db)
    evil = "郑州市' or 1=1 --"
    assert queries.fact_rows(Filters(jurisdictions=(evil,))).empty
    assert queries.report_meta("x' or '1'='1").empty


def test_metric_points_prefer_the_committees_own_figure(corpus_db, use_db):
    use_db(corpus_db)
    pts = queries.metric_points(Filters(jurisdictions=("鹤壁市",), metrics=("liaison.opinions_collected",)))
    assert len(pts) == 1
    row = pts.iloc[0]
    # 2493条 were collected by the deputies of all five levels (五级人大代表…, the sentence's subject), 86条
    # by the committee itself: a chart point is the committee's own figure; both stay on the 数据 page
    assert row["value"] == 86 and row["scope"] is None and row["n_candidates"] == 2
    assert (
        len(queries.fact_rows(Filters(jurisdictions=("鹤壁市",), metrics=("liaison.opinions_collected",))))
        == 2
    )


def test_missing_strings_are_none_not_nan(corpus_db, use_db):
    use_db(corpus_db)
    rows = queries.fact_rows(Filters())
    assert all(s is None or isinstance(s, str) for s in rows["scope"])


def test_year_range_keeps_terms_that_overlap(corpus_db, use_db):
    use_db(corpus_db)
    pts = queries.metric_points(Filters(jurisdictions=("郑州市",), year_from=2021, year_to=2021))
    assert set(zip(pts["period_start"], pts["period_end"], strict=True)) == {(2018, 2022)}


# --- charts -----------------------------------------------------------------------------------------


def test_trend_chart_keeps_term_totals_out_of_the_years(corpus_db, use_db):
    use_db(corpus_db)
    req = ChartRequest("trend", "appointments.personnel", ("郑州市", "鹤壁市"), 2018, 2023)
    chart = resolve(req)
    assert chart.categories == ["2018", "2019", "2020", "2021", "2022", "2023"]
    by_name = {s.name: s.values for s in chart.series}
    assert by_name["郑州市"] == [None, None, None, None, None, 303]
    assert by_name["鹤壁市"] == [None, None, None, None, None, 102]
    terms = resolve(ChartRequest("terms", "appointments.personnel", ("郑州市",), 2018, 2023))
    assert terms.series[0].values == [767] and terms.categories == ["郑州市 2018–2022"]


def test_trend_average_mode_divides_counts_but_not_rates(corpus_db, use_db):
    use_db(corpus_db)
    count = resolve(
        ChartRequest("trend", "decisions.resolutions", ("郑州市",), 2018, 2023, term_mode="average")
    )
    term = next(s for s in count.series if s.style == "term")
    assert term.values[:5] == [pytest.approx(53 / 5)] * 5 and term.values[5] is None
    assert "年均" in term.name and "53" in term.name
    rate = resolve(
        ChartRequest(
            "trend", "deputies.suggestion_satisfaction", ("新郑市",), 2016, 2018, term_mode="average"
        )
    )
    rterm = next(s for s in rate.series if s.style == "term")
    assert set(v for v in rterm.values if v is not None) == {99}


def test_hover_shows_qualifier_and_evidence(corpus_db, use_db):
    use_db(corpus_db)
    chart = resolve(ChartRequest("terms", "liaison.constituents_received", ("郑州市",), 2018, 2023))
    fig = charts.to_plotly(chart)
    custom = fig.data[0].customdata[0]
    assert custom[0].startswith("≥70,000人次")
    assert "接待群众" in custom[1]
    assert "来源" in fig.layout.annotations[0].text
    assert "单位：人次" in fig.layout.title.text


def test_plotly_download_button_is_briefing_quality(synth_db, use_db):
    use_db(synth_db)
    chart = resolve(ChartRequest("trend", "appointments.personnel", ("郑州市",), 2019, 2023))
    cfg = charts.plotly_config(chart)
    assert cfg["toImageButtonOptions"]["scale"] >= 3 and cfg["displaylogo"] is False
    assert cfg["toImageButtonOptions"]["filename"] == chart.key and "2019-2023" in chart.key


def test_compare_chart_states_coverage_and_caveat(synth_db, use_db):
    use_db(synth_db)
    chart = resolve(
        ChartRequest("compare", "meetings.standing_committee", ("中原区", "新郑市"), 2020, 2020, "county")
    )
    assert chart.categories == ["新郑市"]
    assert "1/2" in chart.subtitle and "中原区" in chart.subtitle and "不代表工作质量" in chart.subtitle


def test_compare_charts_from_the_pages_wider_points_equal_their_own_query(synth_db, use_db):
    """对比 draws its charts from the points it read for the whole scope: the same points, and the same
    charts, as a query of the shown places and charted metrics alone."""
    use_db(synth_db)
    jurs = tuple(queries.jurisdictions().query("level == 'county'")["name"])
    for year in (2019, 2020, 2021):
        wider = queries.metric_points(Filters(jurisdictions=jurs, year_from=year, year_to=year))
        shown = tuple(sorted(set(wider["jurisdiction"])))[:1]
        assert len(set(wider["jurisdiction"])) > len(shown)
        metrics = sorted(set(wider["metric"]))[:6]
        reqs = [ChartRequest("compare", m, shown, year, year, "county") for m in metrics]
        own, derived = points_for(reqs), points_for(reqs, within=wider)
        assert not own.empty
        pd.testing.assert_frame_equal(own.reset_index(drop=True), derived.reset_index(drop=True))
        for req in reqs:
            assert resolve(req, own).long_frame().equals(resolve(req, derived).long_frame())
        # the page draws them all from its points at once: each chart as resolve() draws it alone
        for req, chart in zip(reqs, compare_charts(reqs, derived), strict=True):
            assert chart == resolve(req)


def test_point_summary_names_the_places_and_metrics_the_points_have(corpus_db, use_db):
    """对比's light question for a wide scope (which places and metrics have a point of exactly this period,
    parts left out) answers what its points would: for every level, category and period of the corpus."""
    use_db(corpus_db)
    jur = queries.jurisdictions()
    checked = 0
    for level in sorted(set(jur["level"].dropna())):
        scope = tuple(jur[jur["level"] == level]["name"])
        for category in (None, "supervision", "deputies"):
            f = Filters(jurisdictions=scope, category=category)
            for row in queries.periods(f).itertuples():
                ps, pe = int(row.period_start), int(row.period_end)
                pts = queries.metric_points(f.with_(year_from=ps, year_to=pe))
                pts = pts[(pts["period_start"] == ps) & (pts["period_end"] == pe) & (pts["kind"] != "sub")]
                summary = queries.point_summary(f.with_(year_from=ps, year_to=pe), (ps, pe))
                assert set(summary["jurisdiction"].dropna()) == set(pts["jurisdiction"]), (level, ps, pe)
                assert set(summary["metric"].dropna()) == set(pts["metric"]), (level, ps, pe)
                checked += bool(len(pts))
    assert checked >= 10


def test_points_of_many_places_are_each_places_own(corpus_db, use_db):
    """metric_points() of several places (read late: chosen on narrow columns, then the winners' rows) are,
    row for row, the points each place's own query reads whole."""
    use_db(corpus_db)
    jur = queries.jurisdictions()
    for level in sorted(set(jur["level"].dropna())):
        scope = tuple(jur[jur["level"] == level]["name"])
        for years in ((None, None), (2019, 2023)):
            f = Filters(jurisdictions=scope, year_from=years[0], year_to=years[1])
            together = queries.metric_points(f)
            apart = pd.concat([queries.metric_points(f.with_(jurisdictions=(p,))) for p in scope])
            key = ["jurisdiction", "metric", "period_start", "period_end"]
            assert not together.empty
            pd.testing.assert_frame_equal(
                together.sort_values(key).reset_index(drop=True),
                apart.sort_values(key).reset_index(drop=True),
            )


def test_the_screen_sends_plotly_the_figure_the_exports_draw(corpus_db, use_db):
    """st.plotly_chart serialises a figure through to_dict(): the screen's ScreenFigure (its spec, not
    deep-copied) gives Streamlit the same JSON as the validated-free go.Figure the exports use."""
    import json

    import plotly.io as pio
    import plotly.tools

    use_db(corpus_db)
    sent = 0
    for place in queries.jurisdictions()["name"]:
        for ps, pe in views.period_options(Filters(jurisdictions=(place,)))[:2]:
            drawn = [c for g in ("立法", "监督", "代表工作") for _, c in category_requests(
                ChartRequest("category", g, (place,), ps, pe))]  # fmt: skip
            drawn.append(resolve(ChartRequest("trend", "supervision.law_inspections", (place,), ps - 5, pe)))
            for chart in drawn:
                if chart is None or chart.is_empty:
                    continue
                as_sent = [
                    json.loads(
                        pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, True), validate=False)
                    )
                    for fig in (charts.screen_figure(chart), charts.to_plotly(chart))
                ]
                assert as_sent[0] == as_sent[1]
                sent += 1
    assert sent > 30


def test_a_screen_figure_pickles_and_copies_as_its_spec():
    """A map's ScreenFigure travels in caches and briefs: pickled or deep-copied it is the same figure, and
    plotly_figure() makes a real go.Figure of it for Kaleido and the slides."""
    import copy
    import pickle

    spec = {"data": [{"type": "bar", "x": [1, 2], "y": ["a", "b"]}], "layout": {"height": 300}}
    fig = charts.ScreenFigure(spec)
    for other in (pickle.loads(pickle.dumps(fig)), copy.deepcopy(fig)):
        assert isinstance(other, charts.ScreenFigure) and other.to_dict() == spec
    real = charts.plotly_figure(fig)
    assert not isinstance(real, charts.ScreenFigure) and real.layout.height == 300
    assert list(real.data[0].x) == [1, 2]


def test_empty_chart_is_reported_as_empty(synth_db, use_db):
    use_db(synth_db)
    chart = resolve(ChartRequest("trend", "legislation.laws_enacted", ("中原区",), 2019, 2022))
    assert chart.is_empty


def test_format_value_marks_approximations():
    assert format_value(70000, "人次", "approx_at_least") == "≥70,000人次"
    assert format_value(5000, "件", "approx") == "约5,000件"
    assert format_value(99.5, "%", "exact") == "99.5%"


# --- chart requests ---------------------------------------------------------------------------------


def test_chart_request_token_round_trip():
    req = ChartRequest("compare", "supervision.work_reports", ("郑州市", "鹤壁市"), 2023, 2023, "prefecture")
    assert ChartRequest.from_token(req.token()) == req


@pytest.mark.parametrize(
    "token", ["", "trend", "pie~a~b~1~2~~separate", "trend~m~j~x~2~~separate", "trend~m~j~5~2~~s"]
)
def test_malformed_chart_tokens_are_ignored(token):
    assert ChartRequest.from_token(token) is None


def test_metric_labels_come_from_the_database(corpus_db, use_db):
    use_db(corpus_db)
    con = duckdb.connect(str(corpus_db), read_only=True)
    want = con.execute("select label_zh from metrics where code = 'petitions.letters_visits'").fetchone()[0]
    con.close()
    assert metric_info("petitions.letters_visits")["label_zh"] == want
    chart = resolve(ChartRequest("trend", "petitions.letters_visits", ("郑州市",), 2023, 2023))
    assert chart.title.startswith(want)


# --- labels data file ------------------------------------------------------------------------------


def test_labels_file_covers_every_category_and_level(corpus_db):
    data = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    con = duckdb.connect(str(corpus_db), read_only=True)
    cats = {r[0] for r in con.execute("select distinct category from metrics").fetchall()}
    codes = {r[0] for r in con.execute("select code from metrics").fetchall()}
    con.close()
    categories = labels()["categories"]  # from the catalog, their one home
    assert cats <= set(categories)
    assert set(data["levels"]) == {"national", "provincial", "prefecture", "county"}
    assert set(data["headline_metrics"]) <= codes
    grouped = {c for g in data["overview_groups"] for c in g["categories"]}
    assert grouped == set(categories)
    assert labels() == {**data, "categories": categories}


# --- report text -----------------------------------------------------------------------------------


def test_highlight_escapes_report_text_and_marks_values():
    text = "开展执法检查7项。<script>alert(1)</script>专题询问2次。"
    two = text.index("2次")
    facts = [
        {
            "fact_id": "a",
            "value_start": 6,
            "value_end": 7,
            "evidence_start": 0,
            "evidence_end": 9,
            "label": "执法检查：7项",
        },
        {
            "fact_id": "b",
            "value_start": two,
            "value_end": two + 1,
            "evidence_start": two - 4,
            "evidence_end": two + 3,
            "label": "询问",
        },
    ]
    out = highlight_html(text, facts, selected="a")
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<mark class="v cur" title="执法检查：7项">7</mark>' in out
    assert '<mark class="v" title="询问">2</mark>' in out
    assert out.index(f'id="{ANCHOR_ID}"') < out.index("开展")


def test_highlight_survives_bad_offsets():
    out = highlight_html(
        "短文本", [{"fact_id": "x", "value_start": 50, "value_end": 2, "evidence_start": None}], "x"
    )
    assert "短文本" in out


def test_evidence_offsets_in_the_real_build_point_at_the_value(corpus_db, use_db):
    use_db(corpus_db)
    rows = queries.fact_rows(Filters())
    for rid in rows["report_id"].unique()[:5]:
        text = queries.report_text(rid)
        for r in queries.report_facts(rid).itertuples():
            assert text[r.value_start : r.value_end] == r.value_text
            assert r.evidence_start <= r.value_start and r.value_end <= r.evidence_end


# --- the 数据 table ---------------------------------------------------------------------------------


def test_facts_display_sorts_and_searches(synth_db, use_db):
    use_db(synth_db)
    rows = queries.fact_rows(Filters())
    table = facts_display(rows, "value_desc", "联络站")
    assert len(table) > 0 and list(table["数值"]) == sorted(table["数值"], reverse=True)
    assert all(
        "联络站" in f"{a}{b}{c}" for a, b, c in zip(table["原文"], table["指标"], table["地区"], strict=True)
    )
    assert list(table.columns[:6]) == ["地区", "层级", "期间", "类别", "指标", "数值"]


def test_scroll_script_survives_the_html_sanitizer():
    from app.highlight import scroll_script

    script = scroll_script("f123")
    body = script.removeprefix("<script>").removesuffix("</script>")
    assert "<" not in body and ANCHOR_ID in body and "scrollIntoView" in body


def test_records_are_what_to_dict_gives_value_for_value_and_type(corpus_db, use_db):
    """charts.records() builds the row dicts column by column: the same values and Python types as
    DataFrame.to_dict("records") (None stays None, NaN and NaT stay, int32 becomes int, dates Timestamps)."""
    use_db(corpus_db)
    frames = [queries.metric_points(Filters()), queries.report_list(Filters()), queries.fact_rows(Filters())]
    frames.append(
        pd.DataFrame({"a": [1, None], "b": [None, "x"], "c": [True, False], "d": [1.5, float("nan")]})
    )
    for df in frames:
        assert len(df) > 1
        want, got = df.to_dict("records"), charts.records(df)
        assert len(want) == len(got)
        for w, g in zip(want, got, strict=True):
            assert list(w) == list(g)
            for k in w:
                assert type(w[k]) is type(g[k]), (k, w[k], g[k])
                assert w[k] == g[k] or (pd.isna(w[k]) and pd.isna(g[k]))
