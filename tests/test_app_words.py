"""The Chinese UI's words: Beijing time and the last write in the sidebar, Plotly in Chinese, evidence
shown as a tidy sentence (issue 12 items 11–12)."""

from __future__ import annotations

import datetime as dt
import json

from conftest import assert_clean, fetch, open_app

from app.labels import tidy_text


def test_sidebar_shows_the_last_write_in_beijing_time(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch)
    assert_clean(at)
    (utc,) = fetch(corpus_db, "select value from build_info where key = 'last_write_at_utc'")[0]
    bj = dt.datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(hours=8)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert f"最近更新 {bj:%Y-%m-%d %H:%M}（北京时间，重建）" in captions
    assert "构建于" not in captions


def test_plotly_speaks_chinese_and_its_modebar_shows_on_hover_only(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch)
    config = json.loads(at.get("plotly_chart")[0].proto.config)
    assert config["locale"] == "zh-CN" and config["displayModeBar"] == "hover"
    assert config["locales"]["zh-CN"]["dictionary"]["Download plot as a png"] == "下载为 PNG 图片"


def test_evidence_is_shown_without_pdf_spacing():
    assert tidy_text("本 届 以 来 ，共 依 法\n制定 12 件 法规") == "本届以来，共依法制定12件法规"
    assert tidy_text("全年 receiving 120 people") == "全年receiving 120 people"
    assert tidy_text(None) == ""


def test_metric_definitions_page_explains_each_metric_from_the_catalog(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "metrics", {"metric": "liaison.stations"})
    assert_clean(at)
    assert at.title[0].value == "指标说明"
    assert at.selectbox(key="mt_cat").value == "liaison"
    opened = [e for e in at.expander if e.label.startswith("人大代表联络站 ·")]
    assert opened and "存量" in opened[0].label
    text = "\n".join(m.value for m in at.markdown)
    assert "各级代表联络站771个" in text and "不计入的写法" in text and "新建代表联络站12个" in text


def test_a_card_links_to_its_metric_definition(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, query={"j": "郑州市", "period": "2023"})
    assert any("/metrics?metric=legislation.laws_enacted" in (m.help or "") for m in at.metric)


def test_every_number_leads_to_its_sentence(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "data", {"j": "郑州市"})
    assert_clean(at)
    shown = at.dataframe[0].value
    row = shown.iloc[0]
    assert row["原句"] == f"/reports?report={row['报告ID']}&fact={row['事实ID']}"
    # the link opens 报告 with that fact's sentence marked
    rep = open_app(corpus_db, monkeypatch, "reports", {"report": row["报告ID"], "fact": row["事实ID"]})
    assert_clean(rep)
    assert rep.selectbox(key="rp_f").value == row["事实ID"]
    cards = open_app(corpus_db, monkeypatch, query={"j": "郑州市", "period": "2023"})
    assert all("/reports?report=" in (m.help or "") for m in cards.metric)


def test_quality_page_lists_pending_reports_and_checks_with_a_way_to_fix_them(corpus_db, monkeypatch):
    at = open_app(corpus_db, monkeypatch, "quality")
    assert_clean(at)
    assert at.title[0].value == "数据质量"
    n_checks = fetch(corpus_db, "select count(*) from checks")[0][0]
    n_pending = fetch(corpus_db, "select count(*) from reports where meta_status = 'pending'")[0][0]
    tables = [d.value for d in at.dataframe]
    checks = tables[-1]
    assert len(checks) == n_checks > 0
    assert (
        not checks["说明"].str.contains("expected", regex=False).any()
    )  # Chinese, not the library's English
    with_metric = checks[checks["指标"] != "—"]
    assert len(with_metric) > 0 and (with_metric["原句"] != "—").all()  # the sentences behind each check
    for note, sentences in zip(with_metric["说明"], with_metric["原句"], strict=True):
        if "涉及数值：" in note:  # every value the check names is in one of its sentences
            values = note.split("涉及数值：")[1].rstrip("）").split("、")
            assert all(v.split(".")[0] in sentences for v in values), (note, sentences)
    if n_pending:
        assert len(tables[0]) == n_pending  # each opens in this session (tests/test_app_quality.py)
    assert f"数据质量：{n_checks} 条检查提示" in " ".join(c.value for c in at.sidebar.caption)
