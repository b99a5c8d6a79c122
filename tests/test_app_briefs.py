"""Saved briefs (app/briefs.py, the 简报导出 page): a brief outlives the session, is named, listed,
reordered, deleted, shared by link, and survives a rebuild of the database."""

from __future__ import annotations

import shutil

from conftest import assert_clean, figure_titles, metric_label, open_app, run_etl

from app import briefs


def _add_from_trends(db, monkeypatch, metric: str, jur: str = "郑州市"):
    at = open_app(db, monkeypatch, "trends", {"m": metric, "j": jur})
    at.button(key=f"tr_brief_{metric}").click().run()
    assert_clean(at)
    return at


def test_a_brief_survives_a_new_session(synth_db, monkeypatch):
    at = _add_from_trends(synth_db, monkeypatch, "petitions.letters_visits")
    at.button(key="tr_brief_petitions.letters_visits")  # now "已在简报中"
    brief_id = at.query_params["brief"]
    # F5 / a new tab: a new session with only the URL
    again = open_app(synth_db, monkeypatch, "export", {"brief": brief_id})
    assert_clean(again)
    assert figure_titles(again)[0].startswith(metric_label("petitions.letters_visits"))
    assert [b.brief_id for b in briefs.list_briefs()] == [brief_id]


def test_a_second_chart_joins_the_same_brief_and_order_can_change(synth_db, monkeypatch):
    at = _add_from_trends(synth_db, monkeypatch, "petitions.letters_visits")
    brief_id = at.query_params["brief"]
    at.sidebar.multiselect(key="f_metrics").set_value(["appointments.personnel"]).run()
    at.button(key="tr_brief_appointments.personnel").click().run()
    assert at.query_params["brief"] == brief_id
    assert len(briefs.get(brief_id).charts) == 2

    at = open_app(synth_db, monkeypatch, "export", {"brief": brief_id})
    first = figure_titles(at)
    at.button(key="ex_down_0").click().run()
    assert_clean(at)
    assert figure_titles(at) == [first[1], first[0]]
    assert briefs.get(brief_id).charts[0].startswith("trend~appointments.personnel~")
    # remove one, rename the brief
    at.button(key="ex_drop_0").click().run()
    assert len(briefs.get(brief_id).charts) == 1
    at.text_input(key=f"ex_name_{brief_id}").set_value("郑州信访").run()
    at.button(key="ex_rename").click().run()
    assert briefs.get(brief_id).name == "郑州信访"


def test_briefs_are_listed_and_deletable(synth_db, monkeypatch):
    one = briefs.create("甲", ["trend~appointments.personnel~郑州市~2019~2023~~separate"])
    two = briefs.create("乙", ["trend~petitions.letters_visits~郑州市~2019~2023~~separate"])
    at = open_app(synth_db, monkeypatch, "export", {"brief": one.brief_id})
    assert_clean(at)
    picker = at.selectbox(key=f"ex_brief_{one.brief_id}")
    assert sorted(o.split(" · ")[0] for o in picker.options) == ["乙", "甲"]
    at.button(key="ex_delete").click().run()
    assert_clean(at)
    assert [b.brief_id for b in briefs.list_briefs()] == [two.brief_id]
    # a deleted brief's link says nothing is there instead of failing
    gone = open_app(synth_db, monkeypatch, "export", {"brief": one.brief_id})
    assert_clean(gone)


def test_a_brief_survives_a_rebuild(tmp_path, monkeypatch, corpus_db):
    monkeypatch.delenv("CONGRESS_BRIEFS")
    db = tmp_path / "congress.duckdb"
    shutil.copy(corpus_db, db)
    monkeypatch.setenv("CONGRESS_DB", str(db))
    b = briefs.create("留存", ["trend~appointments.personnel~郑州市~2018~2023~~separate"])
    assert briefs.briefs_path() == tmp_path / "congress.briefs.json"
    run_etl("build", "--input", "data", "--db", str(db), check=True)
    assert briefs.get(b.brief_id).charts == ["trend~appointments.personnel~郑州市~2018~2023~~separate"]
    at = open_app(db, monkeypatch, "export", {"brief": b.brief_id})
    assert_clean(at)
    assert figure_titles(at)[0].startswith("任免国家机关工作人员")


def test_each_chart_offers_its_data_and_a_link_to_exactly_that_chart(synth_db, monkeypatch):
    import io
    import urllib.parse

    import pandas as pd

    from app import ui
    from app.views import ChartRequest, resolve

    at = open_app(synth_db, monkeypatch, "trends", {"m": "petitions.letters_visits", "j": "郑州市"})
    assert_clean(at)
    # the downloads are made when the chart's 本图数据 is opened (a lazy popover: a rerun)
    assert not at.get("download_button")
    at.session_state["tr_brief_petitions.letters_visits_data"] = True
    at.run()
    assert_clean(at)
    keys = {b.proto.id for b in at.get("download_button")}
    assert any("tr_brief_petitions.letters_visits_dl_csv" in k for k in keys)
    link = next(m.value for m in at.markdown if "只看这张图" in m.value)
    token = urllib.parse.unquote(link.split("chart=", 1)[1].rstrip(")"))
    req = ChartRequest.from_token(token)
    assert req.kind == "trend" and req.subject == "petitions.letters_visits"
    # the data is the chart's own points
    monkeypatch.setenv("CONGRESS_DB", str(synth_db))
    chart = resolve(req)
    back = pd.read_csv(io.BytesIO(ui._table_bytes(chart, "csv")), encoding="utf-8-sig")
    assert back["数值"].tolist() == chart.long_frame()["数值"].tolist()
    # the link opens that chart alone, without any brief
    single = open_app(synth_db, monkeypatch, "export", {"chart": token})
    assert_clean(single)
    assert figure_titles(single)[0].startswith(metric_label("petitions.letters_visits"))
    assert briefs.list_briefs() == []


def test_a_new_session_never_adopts_someone_elses_brief(synth_db, monkeypatch):
    other = briefs.create(
        "别人的简报",
        [
            "trend~appointments.personnel~郑州市~2019~2023~~separate",
            "trend~petitions.letters_visits~郑州市~2019~2023~~separate",
        ],
    )
    # /export with no ?brief=: the saved brief is listed, not opened
    at = open_app(synth_db, monkeypatch, "export")
    assert_clean(at)
    assert "brief" not in at.query_params
    assert figure_titles(at) == []
    picker = at.selectbox(key="ex_brief_")
    assert picker.value is None and picker.options[0].startswith("别人的简报")
    assert not [b for b in at.button if b.key == "dl_pptx"]
    # opening it is an explicit choice
    picker.set_value(other.brief_id).run()
    assert_clean(at)
    assert at.query_params["brief"] == other.brief_id
    assert len(figure_titles(at)) == 2


def test_a_single_chart_link_shows_that_chart_only(synth_db, monkeypatch):
    briefs.create("别人的简报", ["trend~appointments.personnel~郑州市~2019~2023~~separate"])
    token = "trend~petitions.letters_visits~郑州市~2019~2023~~separate"
    at = open_app(synth_db, monkeypatch, "export", {"chart": token})
    assert_clean(at)
    assert "brief" not in at.query_params
    assert at.query_params["chart"] == token
    assert len(figure_titles(at)) == 1
    assert figure_titles(at)[0].startswith(metric_label("petitions.letters_visits"))
    assert not [b for b in at.button if b.key in ("dl_pptx", "ex_drop_0")]
    # 加入简报 under the linked chart starts this session's own brief, never writes into the saved one
    at.button(key="ex_single_brief").click().run()
    assert_clean(at)
    mine = briefs.get(at.query_params["brief"])
    assert mine is not None and mine.name != "别人的简报" and mine.charts == [token]
    assert [b.charts for b in briefs.list_briefs() if b.name == "别人的简报"] == [
        ["trend~appointments.personnel~郑州市~2019~2023~~separate"]
    ]
