"""数说 posters (app/poster.py, `python -m etl poster`): every number from the database, flows compared
only."""

from __future__ import annotations

import io
import re

import pytest
from conftest import fetch, insert_fact, insert_report, new_db, run_etl, stamp_as_written

from app import poster
from app.export import static_export_status
from etl.write.connect import open_readonly

needs_renderer = pytest.mark.skipif(not static_export_status()[0], reason="no Kaleido/Chromium/CJK font")


def _data(db, jur: str, period: str) -> poster.PosterData:
    con = open_readonly(db)
    try:
        return poster.poster_data(con, jur, poster.parse_period(period))
    finally:
        con.close()


def _all_text(data: poster.PosterData) -> str:
    parts = [data.jurisdiction, data.period_label, *data.sources]
    for c in data.cards:
        parts += [c.label, c.value, c.tag, c.change]
    for ch in data.charts:
        parts += [ch.title, ch.unit, *ch.labels, *ch.texts]
    return "\n".join(parts)


def test_zhengzhou_2023_numbers_are_the_databases(corpus_db):
    data = _data(corpus_db, "郑州市", "2023")
    assert data.cards and 2 <= len(data.charts) <= 3
    for metric, value, unit in data.numbers:
        # the dashboard's choice: delivered report first, the committee's own figure, then the larger value
        rows = fetch(
            corpus_db,
            "select f.value from facts_current f join reports r using (report_id) "
            "where r.jurisdiction = '郑州市' and f.metric = ? "
            "and coalesce(f.period_start, r.period_start) = 2023 "
            "and coalesce(f.period_end, r.period_end) = 2023 "
            "order by case r.report_type when 'annual_report' then 0 when 'term_review' then 0 "
            "when 'report_excerpt' then 1 else 2 end, f.scope is not null, f.value desc limit 1",
            [metric],
        )
        assert rows[0][0] == value, metric
        assert unit, metric
    # every card's value carries its unit
    assert all(re.search(r"\d[^\d,.]+$", c.value) for c in data.cards), [c.value for c in data.cards]
    text = _all_text(data)
    assert "None" not in text and "nan" not in text
    assert not re.search(r"\.txt|[0-9a-f]{16}", text), data.sources
    assert any("郑州市人民代表大会常务委员会工作报告（2024年2月3日）" == s for s in data.sources), (
        data.sources
    )


def test_unknown_place_or_year_says_what_exists(corpus_db):
    with pytest.raises(poster.PosterError, match="有数据的年份"):
        _data(corpus_db, "郑州市", "1999")
    with pytest.raises(poster.PosterError, match="没有“火星市”"):
        _data(corpus_db, "火星市", "2023")


def test_has_points_says_exactly_when_a_poster_has_something_on_it(corpus_db):
    """总览's poster check asks has_points() (no point chosen): true exactly where poster_points() finds
    the period's points, false where it raises, for every place and period of the corpus and a few the
    corpus lacks (a place's other years, a pending report's)."""
    from app import poster_queries

    con = open_readonly(corpus_db)
    try:
        combos = con.execute(
            "select distinct a.place, a.period_start, a.period_end from agg_report_points a "
            "where a.place is not null and a.period_start is not null and a.period_end is not null"
        ).fetchall()
        combos += [(place, p0 - 1, p1 - 1) for place, p0, p1 in combos[:10]] + [("火星市", 2023, 2023)]
        seen = set()
        for place, p0, p1 in combos:
            try:
                poster.poster_points(con, place, (p0, p1))
                drawn = True
            except poster.PosterError:
                drawn = False
            assert poster_queries.has_points(con, place, (p0, p1)) is drawn, (place, p0, p1)
            seen.add(drawn)
        assert seen == {True, False}
    finally:
        con.close()


def test_parse_period():
    assert poster.parse_period("2023") == (2023, 2023)
    assert poster.parse_period("2018-2022") == (2018, 2022)
    with pytest.raises(poster.PosterError):
        poster.parse_period("去年")


@pytest.fixture
def small_db(tmp_path):
    """Two years of one city: a flow, a stock and a rate each year; a pending report; a correction."""
    db = tmp_path / "p.duckdb"
    con = new_db(db)
    con.executemany(
        "insert into metrics (code, category, label_zh, label_en, unit, kind, measure) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [
            ("legislation.laws_enacted", "legislation", "制定地方性法规", "laws", "件", "core", "flow"),
            ("supervision.law_inspections", "supervision", "执法检查", "inspections", "项", "core", "flow"),
            ("liaison.stations", "liaison", "人大代表联络站", "stations", "个", "core", "stock"),
            (
                "deputies.suggestion_satisfaction",
                "deputies",
                "代表建议办理满意率",
                "sat",
                "%",
                "core",
                "rate",
            ),
        ],
    )
    for rid, year, title, delivered in (
        ("r22", 2022, "甲市人大常委会工作报告", "2023-02-01"),
        ("r23", 2023, "甲市人大常委会工作报告", "2024-02-03"),
    ):
        insert_report(con, rid, f"{rid}_0123456789abcdef.txt", "甲市", (year, year), "annual_report",
                      title=title, delivered=delivered)  # fmt: skip
    insert_report(con, "rp", "pending.txt", "甲市", (2023, 2023), "annual_report", title="待确认报告")
    con.execute("update reports set meta_status = case when report_id = 'rp' then 'pending' else 'ok' end")
    facts = [
        ("f1", "r22", "legislation.laws_enacted", 5, "件"),
        ("f2", "r23", "legislation.laws_enacted", 8, "件"),
        ("f3", "r22", "liaison.stations", 100, "个"),
        ("f4", "r23", "liaison.stations", 120, "个"),
        ("f5", "r22", "deputies.suggestion_satisfaction", 95, "%"),
        ("f6", "r23", "deputies.suggestion_satisfaction", 99, "%"),
        ("f7", "r22", "supervision.law_inspections", 4, "项"),
        ("f8", "r23", "supervision.law_inspections", 6, "项"),
        ("fp", "rp", "legislation.laws_enacted", 999, "件"),
    ]
    for i, (fid, rid, metric, value, unit) in enumerate(facts):
        insert_fact(con, fid, rid, metric, value, unit=unit, evidence=f"共{value}{unit}。",
                    value_text=str(value), start=10 * i)  # fmt: skip
    # an analyst corrected 执法检查 2023 from 6 to 7
    con.execute(
        "insert into fact_edits (fact_id, rejected, value, correction_id) values ('f8', false, 7, 'c1')"
    )
    stamp_as_written(con)  # the posters read the aggregate tables every write leaves
    con.close()
    return db


def test_change_on_last_year_for_flows_only(small_db):
    data = _data(small_db, "甲市", "2023")
    cards = {c.label: c for c in data.cards}
    assert cards["制定地方性法规"].value == "8件"  # the pending report's 999 is left out
    assert cards["制定地方性法规"].change == "较2022年 +3件"
    assert cards["人大代表联络站"].change == "" and "期末数" in cards["人大代表联络站"].tag
    assert cards["代表建议办理满意率"].change == "" and "比率" in cards["代表建议办理满意率"].tag
    assert cards["执法检查"].value == "7项" and "已更正" in cards["执法检查"].tag  # facts_current
    assert cards["执法检查"].change == "较2022年 +3项"
    assert "999" not in _all_text(data) and "待确认报告" not in _all_text(data)
    assert data.sources == [
        "甲市人大常委会工作报告（2023年2月1日）",
        "甲市人大常委会工作报告（2024年2月3日）",
    ]
    # stocks and rates never stand on a bar beside the counts
    for ch in data.charts:
        assert "人大代表联络站" not in ch.labels and "代表建议办理满意率" not in ch.labels


def test_an_approximate_value_is_quoted_not_subtracted(small_db):
    con = __import__("duckdb").connect(str(small_db))
    con.execute("update facts set qualifier = 'approx_at_least' where fact_id = 'f1'")
    stamp_as_written(con)
    con.close()
    cards = {c.label: c for c in _data(small_db, "甲市", "2023").cards}
    assert cards["制定地方性法规"].change == "2022年：≥5件"


@needs_renderer
def test_png_and_pdf_are_a4(small_db, tmp_path):
    from PIL import Image

    data = _data(small_db, "甲市", "2023")
    png = poster.render(data, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png))
    assert img.size == (poster.WIDTH * poster.PNG_SCALE, poster.HEIGHT * poster.PNG_SCALE) == (2480, 3508)
    pdf = poster.render(data, "pdf")
    assert pdf[:5] == b"%PDF-"
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf)
    assert box, "no MediaBox"
    w, h = float(box.group(1)), float(box.group(2))
    assert (w, h) == pytest.approx(poster.A4_PT, abs=0.5)  # an A4 page, portrait
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    text = doc[0].get_textpage().get_text_range()
    doc.close()
    assert "8件" in text and "单位：件" in text  # vector text, not a picture


@needs_renderer
def test_cli_one_poster_and_all(corpus_db, tmp_path):
    out = tmp_path / "p.png"
    proc = run_etl("poster", "--db", corpus_db, "--jurisdiction", "郑州市", "--year", "2023", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"
    proc = run_etl("poster", "--db", corpus_db, "--all", "--out-dir", tmp_path / "all")
    assert proc.returncode == 0, proc.stderr
    expected = fetch(
        corpus_db,
        "select count(*) from (select distinct r.jurisdiction, coalesce(f.period_start, r.period_start), "
        "coalesce(f.period_end, f.period_start, r.period_end) "
        "from facts_current f join reports r using (report_id) "
        "where r.jurisdiction is not null and coalesce(r.meta_status, 'ok') <> 'pending')",
    )[0][0]
    made = sorted(p.name for p in (tmp_path / "all").glob("*.png"))
    assert len(made) == expected and "数说_郑州市_2023.png" in made


def test_cli_errors_are_one_line(corpus_db, tmp_path):
    proc = run_etl(
        "poster", "--db", corpus_db, "--jurisdiction", "火星市", "--year", "2023", "--out", tmp_path / "x.png"
    )
    assert proc.returncode == 2 and "火星市" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_etl(
        "poster", "--db", corpus_db, "--jurisdiction", "郑州市", "--year", "2023", "--out", tmp_path / "x.gif"
    )
    assert proc.returncode == 2 and ".png or .pdf" in proc.stderr
    proc = run_etl("poster", "--db", corpus_db, "--all")
    assert proc.returncode == 2 and "--out-dir" in proc.stderr


def test_poster_buttons_on_overview_and_export(corpus_db, monkeypatch):
    from conftest import assert_clean, open_app

    at = open_app(corpus_db, monkeypatch, "overview", {"focus": "郑州市", "period": "2023"})
    assert_clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    if static_export_status()[0]:
        assert "数说海报 PNG" in labels and "数说海报 PDF" in labels
    else:
        assert any("数说海报" in c.value for c in at.caption)
    at = open_app(corpus_db, monkeypatch, "export")
    assert_clean(at)
    assert at.selectbox(key="ex_poster_j").options


def test_the_export_pages_poster_opens_on_the_sidebars_place_and_years(corpus_db, monkeypatch):
    from conftest import open_app

    at = open_app(corpus_db, monkeypatch, "export", {"j": "郑州市", "years": "2023-2023"})
    assert at.selectbox(key="ex_poster_j").value == "郑州市"
    assert tuple(at.selectbox(key="ex_poster_p").value) == (2023, 2023)
    other = open_app(corpus_db, monkeypatch, "export", {"j": "鹤壁市"})
    assert other.selectbox(key="ex_poster_j").value == "鹤壁市"
