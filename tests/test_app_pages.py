"""Every dashboard page under AppTest: it renders on the bundled corpus, filters change it, the URL
restores it."""

from __future__ import annotations

import duckdb
import pytest
from conftest import (
    assert_clean,
    fetch,
    figure_titles,
    figures,
    metric_label,
    new_db,
    open_app,
    page_text,
    stamp_as_written,
)

PAGES = ["overview", "trends", "compare", "data", "reports", "export"]
TITLES = {
    "overview": "总览",
    "trends": "趋势",
    "compare": "对比",
    "data": "数据",
    "reports": "报告",
    "export": "简报导出",
}


# --- every page renders on the real corpus ------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_bundled_corpus(corpus_db, monkeypatch, page):
    at = open_app(corpus_db, monkeypatch, page)
    assert_clean(at)
    assert at.title[0].value == TITLES[page]
    # the shared sidebar is drawn on every page
    assert [s.label for s in at.sidebar.selectbox] == ["层级", "省份", "类别"]
    assert [m.label for m in at.sidebar.multiselect] == ["地区", "指标"]
    if page in ("overview", "trends", "compare"):
        assert figures(at), f"{page} shows no chart"
    if page == "export":  # never a chart nobody picked: it says how to add one
        assert not figures(at) and "加入简报" in page_text(at)
    if page == "data":
        assert len(at.dataframe[0].value) > 0


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_multi_year_database(synth_db, monkeypatch, page):
    at = open_app(synth_db, monkeypatch, page)
    assert_clean(at)


def test_missing_database_says_what_to_do(tmp_path, monkeypatch):
    at = open_app(tmp_path / "nope.duckdb", monkeypatch)
    assert not at.exception
    assert "还没有数据库" in at.error[0].value and "make run" in at.error[0].value


def test_a_file_that_is_not_a_database_is_a_friendly_error(tmp_path, monkeypatch):
    bad = tmp_path / "bad.duckdb"
    bad.write_text("这不是数据库", encoding="utf-8")
    at = open_app(bad, monkeypatch)
    assert not at.exception
    assert "无法打开数据库" in at.error[0].value


def test_an_empty_database_shows_empty_states(tmp_path, monkeypatch):
    db = tmp_path / "empty.duckdb"
    con = new_db(db)
    stamp_as_written(con)
    con.close()
    for page in PAGES:
        at = open_app(db, monkeypatch, page)
        assert_clean(at)
        assert at.info, f"{page}: no empty-state message"


# --- 总览 ----------------------------------------------------------------------------------------------


def label(db, code: str) -> str:
    """A metric's Chinese label as the database's metrics table has it."""
    return fetch(db, "select label_zh from metrics where code = ?", [code])[0][0]


def test_overview_shows_headline_cards_from_the_database(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch)
    assert at.subheader[0].value == "郑州市 · 2023年"
    cards = {m.label: m.value for m in at.metric}
    assert cards[label(corpus_db, "appointments.personnel")] == "303人次"
    assert cards[label(corpus_db, "deputies.suggestions")] == "358件"
    assert cards[label(corpus_db, "deputies.suggestion_satisfaction")] == "100%"


def test_overview_changes_with_the_chosen_jurisdiction(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch)
    before = page_text(at)
    at.selectbox(key="ov_j").select("鹤壁市").run()
    assert_clean(at)
    assert at.subheader[0].value == "鹤壁市 · 2023年"
    assert page_text(at) != before
    assert {m.label: m.value for m in at.metric}[label(corpus_db, "appointments.personnel")] == "102人次"
    # one source of truth: the sidebar's 地区 and the URL's j follow the overview's choice
    assert at.sidebar.multiselect(key="f_jurs").value == ["鹤壁市"]
    assert at.query_params["j"] == "鹤壁市" and "focus" not in at.query_params
    # and the sidebar drives the overview
    at.sidebar.multiselect(key="f_jurs").set_value(["郑州市"]).run()
    assert at.selectbox(key="ov_j").value == "郑州市" and at.subheader[0].value.startswith("郑州市")


def test_overview_sidebar_level_filter_narrows_the_jurisdictions(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch)
    at.sidebar.selectbox(key="f_level").select("county").run()
    assert_clean(at)
    assert set(at.selectbox(key="ov_j").options) == {"中原区", "新郑市"}
    assert at.query_params["level"] == "county"


def test_overview_term_period_is_labelled_and_has_no_yearly_change(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, query={"focus": "郑州市", "years": "2018-2022"})
    assert_clean(at)
    assert "届期" in at.subheader[0].value
    cards = {m.label: m.value for m in at.metric}
    assert cards[label(corpus_db, "appointments.personnel") + "（届期合计）"] == "767人次"
    # a stock is the level at the term's end, never a term total
    assert cards[label(corpus_db, "liaison.stations") + "（届末数）"] == "771个"
    assert all(not m.delta for m in at.metric)


def test_overview_shows_change_on_previous_year(synth_db, monkeypatch):
    at = open_app(synth_db, monkeypatch, query={"focus": "郑州市", "years": "2023"})
    con = duckdb.connect(str(synth_db), read_only=True)
    v2022 = con.execute(
        "select value from facts f join reports r using (report_id) where r.jurisdiction='郑州市' "
        "and f.metric='appointments.personnel' and f.period_start=2022 and f.period_end=2022"
    ).fetchone()[0]
    con.close()
    card = next(m for m in at.metric if m.label == label(synth_db, "appointments.personnel"))
    assert card.delta == f"+{int(303 - v2022)}人次"


def test_overview_url_restores_state(corpus_db, monkeypatch):
    query = {"level": "prefecture", "focus": "鹤壁市", "years": "2023", "cat": "liaison"}
    at = open_app(corpus_db, monkeypatch, query=query)
    assert_clean(at)
    assert at.sidebar.selectbox(key="f_level").value == "prefecture"
    assert at.sidebar.selectbox(key="f_cat").value == "liaison"
    assert at.selectbox(key="ov_j").value == "鹤壁市"
    assert at.subheader[0].value == "鹤壁市 · 2023年"
    # one chart per unit and kind: the stations (a stock, 个) apart from the visits (人次) and issues (件)
    titles = figure_titles(at)
    assert "联系群众：鹤壁市 2023年年末数（个）" in titles
    assert all(t.startswith("联系群众：鹤壁市 2023年") for t in titles)
    assert {k: at.query_params[k] for k in query} == query  # and it is written back unchanged


def test_overview_period_is_the_sidebars_years_with_no_picker_of_its_own(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, query={"j": "郑州市"})
    assert_clean(at)
    # one choice of period: the sidebar's 年份; 总览 has no year / term picker beside it
    assert [s.label for s in at.main.selectbox] == ["地区"] and not at.main.slider
    assert at.subheader[0].value == "郑州市 · 2023年"  # the range's last year with data
    # the sidebar's range set to exactly a term: 总览 shows that term, and the URL says so
    at.sidebar.slider(key="f_years").set_value((2018, 2022)).run()
    assert_clean(at)
    assert at.subheader[0].value == "郑州市 · 2018–2022年（届期）"
    assert at.query_params["years"] == "2018-2022"
    # the period buttons move the sidebar's years (not a second state): back to 2023
    at.button(key="ov_go_2023").click().run()
    assert_clean(at)
    assert at.subheader[0].value == "郑州市 · 2023年"
    lo, hi = at.sidebar.slider(key="f_years").value
    assert hi == 2023 and at.query_params["years"].endswith("2023")
    assert at.button(key="ov_go_2023").proto.type == "primary"  # the one shown


def test_overview_old_period_links_still_open_their_period(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, query={"focus": "郑州市", "period": "2018-2022"})
    assert_clean(at)
    assert at.subheader[0].value == "郑州市 · 2018–2022年（届期）"
    assert at.sidebar.slider(key="f_years").value == (2018, 2022) and at.query_params["years"] == "2018-2022"


def test_invalid_url_values_fall_back_to_defaults(corpus_db, monkeypatch):
    at = open_app(
        corpus_db, monkeypatch, query={"level": "galaxy", "focus": "火星市", "years": "abc", "m": "x.y"}
    )
    assert_clean(at)
    assert at.sidebar.selectbox(key="f_level").value == ""
    assert at.subheader[0].value == "郑州市 · 2023年"


# --- 趋势 ----------------------------------------------------------------------------------------------


def test_trends_filter_change_changes_the_chart(synth_db, monkeypatch):
    at = open_app(synth_db, monkeypatch, "trends")
    first = figure_titles(at)
    at.sidebar.multiselect(key="f_metrics").set_value(["petitions.letters_visits", "liaison.stations"]).run()
    assert_clean(at)
    titles = figure_titles(at)
    assert titles != first
    assert any(t.startswith(metric_label("petitions.letters_visits")) for t in titles)
    assert any(t.startswith(metric_label("liaison.stations")) for t in titles)


def test_trends_never_draws_a_term_total_as_a_year(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "trends", {"m": "appointments.personnel", "j": "郑州市"})
    assert_clean(at)
    figs = figures(at)
    line = figs[0]
    values = [y for tr in line["data"] for y in tr["y"] if y is not None]
    assert values == [303]  # the 2023 annual value only; 767 is 2018–2022
    terms = figs[1]
    assert "届期合计" in terms["layout"]["title"]["text"] and terms["data"][0]["x"] == [767]


def test_trends_term_average_mode_is_labelled(corpus_db, monkeypatch):
    at = open_app(
        corpus_db, monkeypatch, "trends", {"m": "appointments.personnel", "j": "郑州市", "term": "average"}
    )
    assert_clean(at)
    traces = figures(at)[0]["data"]
    term = [t for t in traces if "届期年均" in t["name"]]
    assert term and term[0]["line"]["dash"] == "dash"
    assert max(y for y in term[0]["y"] if y is not None) == pytest.approx(767 / 5)


def test_trends_url_restores_state(synth_db, monkeypatch):
    query = {
        "j": ["郑州市", "鹤壁市"],
        "m": "appointments.personnel",
        "years": "2019-2022",
        "term": "average",
    }
    at = open_app(synth_db, monkeypatch, "trends", query)
    assert_clean(at)
    assert at.sidebar.multiselect(key="f_jurs").value == ["郑州市", "鹤壁市"]
    assert at.sidebar.slider(key="f_years").value == (2019, 2022)
    assert at.radio(key="tr_term").value == "average"
    fig = figures(at)[0]
    assert fig["data"][0]["x"] == ["2019", "2020", "2021", "2022"]
    assert {t["name"] for t in fig["data"]} >= {"郑州市", "鹤壁市"}


def test_trends_metric_without_data_shows_an_empty_state(synth_db, monkeypatch):
    at = open_app(synth_db, monkeypatch, "trends", {"j": "中原区", "m": "legislation.laws_enacted"})
    assert_clean(at)
    assert "缺少报告不等于数量为零" in at.info[0].value
    assert not figures(at)


# --- 对比 ----------------------------------------------------------------------------------------------


def test_compare_ranks_one_level_with_coverage(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "compare", {"cat": "supervision"})
    assert_clean(at)
    assert at.radio(key="cmp_level").value == "prefecture"
    text = page_text(at)
    assert "数据覆盖：2/2 个地市级地区" in text
    assert "不代表工作质量" in text
    work_reports = label(corpus_db, "supervision.work_reports")
    fig = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith(work_reports))
    assert dict(zip(fig["data"][0]["y"], fig["data"][0]["x"], strict=True)) == {"郑州市": 25, "鹤壁市": 27}


def test_compare_level_change_changes_output(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "compare", {"cat": "supervision"})
    before = page_text(at)
    at.radio(key="cmp_level").set_value("county").run()
    assert_clean(at)
    assert page_text(at) != before
    assert "县级" in at.subheader[0].value


def test_compare_url_restores_state(synth_db, monkeypatch):
    query = {"clevel": "county", "period": "2021", "cat": "appointments"}
    at = open_app(synth_db, monkeypatch, "compare", query)
    assert_clean(at)
    assert at.subheader[0].value == "任免 · 2021年 · 县级"
    fig = figures(at)[0]
    assert set(fig["data"][0]["y"]) == {"中原区", "新郑市"}
    assert {k: at.query_params[k] for k in query} == query


def test_compare_shows_missing_jurisdictions(synth_db, monkeypatch):
    at = open_app(synth_db, monkeypatch, "compare", {"clevel": "county", "period": "2020", "cat": "meetings"})
    assert_clean(at)
    assert "1/2 个县级地区" in page_text(at) and "无数据：中原区" in page_text(at)


# --- 数据 ----------------------------------------------------------------------------------------------


def test_data_table_follows_every_filter(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "data")
    n_all = len(at.dataframe[0].value)
    con = duckdb.connect(str(corpus_db), read_only=True)
    assert n_all == con.execute("select count(*) from facts").fetchone()[0]
    n_liaison = con.execute(
        "select count(*) from facts f join metrics m on m.code = f.metric "
        "join reports r using (report_id) where m.category = 'liaison' and r.jurisdiction = '郑州市'"
    ).fetchone()[0]
    con.close()
    at.sidebar.selectbox(key="f_cat").select("liaison").run()
    at.sidebar.multiselect(key="f_jurs").set_value(["郑州市"]).run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) == n_liaison
    assert set(table["类别"]) == {"联系群众"} and set(table["地区"]) == {"郑州市"}


def test_data_sort_and_search_are_in_the_url(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "data", {"sort": "value_desc", "q": "满意率"})
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) > 0 and all(
        "满意率" in f"{e}{m}" for e, m in zip(table["原文"], table["指标"], strict=True)
    )
    assert list(table["数值"]) == sorted(table["数值"], reverse=True)
    at.text_input(key="data_q").input("").run()
    assert len(at.dataframe[0].value) > len(table)
    assert "q" not in at.query_params and at.query_params["sort"] == "value_desc"


def test_data_download_is_exactly_the_table_shown(corpus_db, monkeypatch):
    import io

    import pandas as pd

    from app.export import frame_bytes

    at = open_app(corpus_db, monkeypatch, "data", {"cat": "deputies", "sort": "year_desc"})
    shown = at.dataframe[0].value
    csv = frame_bytes(shown, "csv")
    assert csv.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert list(back.columns) == list(shown.columns)
    assert back["事实ID"].tolist() == shown["事实ID"].tolist()


# --- 报告 ----------------------------------------------------------------------------------------------


def _report_html(at) -> str:
    return next(h.proto.body for h in at.get("html") if "report-text" in h.proto.body)


def test_reports_highlight_numbers_and_mark_the_chosen_fact(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "reports")
    assert_clean(at)
    body = _report_html(at)
    assert body.count('<mark class="v"') >= 10
    facts = at.selectbox(key="rp_f").options
    at.selectbox(key="rp_f").select_index(3).run()
    assert_clean(at)
    body = _report_html(at)
    assert 'id="sel-fact"' in body and 'class="v cur"' in body and '<span class="sel">' in body
    assert any("scrollIntoView" in h.proto.body for h in at.get("html"))
    assert at.query_params["fact"] and len(facts) > 3


def test_reports_url_restores_report_and_fact(corpus_db, monkeypatch):
    import html
    import re

    con = duckdb.connect(str(corpus_db), read_only=True)
    rid, fid, sentence = con.execute(
        "select r.report_id, f.fact_id, "
        "substr(t.norm_text, f.evidence_start + 1, f.evidence_end - f.evidence_start) "
        "from facts f join reports r using (report_id) join report_texts t using (report_id) "
        "where r.jurisdiction = '鹤壁市' and f.metric = 'appointments.personnel'"
    ).fetchone()
    con.close()
    at = open_app(corpus_db, monkeypatch, "reports", {"report": rid, "fact": fid})
    assert_clean(at)
    assert at.selectbox(key="rp_r").value == rid and at.selectbox(key="rp_f").value == fid
    marked = "".join(re.findall(r'<span class="sel">(.*?)</span>', _report_html(at)))
    assert html.unescape(re.sub(r"<[^>]+>", "", marked)) == sentence


def test_reports_render_markup_in_report_text_as_text(synth_db, monkeypatch):
    con = duckdb.connect(str(synth_db), read_only=True)
    rid = con.execute("select report_id from report_texts where raw_text like '%<script>%'").fetchone()[0]
    con.close()
    at = open_app(synth_db, monkeypatch, "reports", {"report": rid})
    assert_clean(at)
    body = _report_html(at)
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in body
    assert "<script>" not in body and "<b>" not in body


# --- 简报导出 -------------------------------------------------------------------------------------------


def test_export_page_restores_the_briefing_from_an_old_link(synth_db, monkeypatch):
    # a link from before briefs were saved lists the charts: it becomes a saved brief, the URL its id
    tokens = [
        "trend~appointments.personnel~郑州市,鹤壁市~2019~2023~~separate",
        "compare~decisions.resolutions~中原区,新郑市~2021~2021~county~separate",
    ]
    at = open_app(synth_db, monkeypatch, "export", {"brief": tokens})
    assert_clean(at)
    titles = figure_titles(at)
    assert titles[0].startswith("任免国家机关工作人员（2019–2023年）")
    assert titles[1].startswith("作出决议决定：2021年各地比较")
    assert "~" not in at.query_params["brief"]


def test_add_to_briefing_from_trends_then_export(synth_db, monkeypatch):
    at = open_app(synth_db, monkeypatch, "trends", {"m": "petitions.letters_visits", "j": "郑州市"})
    at.button(key="tr_brief_petitions.letters_visits").click().run()
    assert_clean(at)
    brief_id = at.query_params["brief"]
    at.switch_page("pages/export_page.py").run()
    assert_clean(at)
    assert figure_titles(at)[0].startswith(metric_label("petitions.letters_visits"))
    assert at.query_params["brief"] == brief_id


def test_data_shows_the_qualifier_beside_the_number_and_no_none(corpus_db, monkeypatch):
    """1200余条 must not read as an exact 1,200: 限定 is on screen next to 数值 and 单位."""
    at = open_app(corpus_db, monkeypatch, "data", {"q": "余"})
    assert_clean(at)
    frame = at.dataframe[0]
    order = list(frame.proto.column_order)
    assert order[order.index("数值") : order.index("数值") + 3] == ["数值", "单位", "限定"]
    table = frame.value
    rows = table[table["原文"].str.contains(r"\d余", regex=True)]
    assert len(rows) > 0 and (rows["限定"] != "").all()
    assert not table.isin(["None"]).any().any() and table["更正ID"].notna().all()


def test_downloads_say_yes_or_no_where_the_screen_ticks_a_box(corpus_db, monkeypatch):
    import io

    import openpyxl
    import pandas as pd

    from app.export import frame_bytes

    at = open_app(corpus_db, monkeypatch, "data")
    shown = at.dataframe[0].value
    back = pd.read_csv(io.BytesIO(frame_bytes(shown, "csv")), encoding="utf-8-sig")
    assert set(back["已更正"]) <= {"是", "否"}
    ws = openpyxl.load_workbook(io.BytesIO(frame_bytes(shown, "xlsx"))).active
    header = [c.value for c in ws[1]]
    col = header.index("已更正")
    assert {row[col] for row in ws.iter_rows(min_row=2, values_only=True)} <= {"是", "否"}
