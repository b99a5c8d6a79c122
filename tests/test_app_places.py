"""A name several divisions share is two places: 北京市朝阳区 and 长春市朝阳区 never merge in the dashboard.

``reports`` keeps the bare official name (朝阳区, parent beside it); the dashboard keys every point, filter,
list and label by the place (etl/store/schema.sql reports_placed): the parent-qualified name where the
division table has the name more than once, the bare name elsewhere (郑州市 stays 郑州市).
"""

from __future__ import annotations

import shutil

import pytest
from conftest import CORPUS, district_report, fetch, open_app, run_etl

from app import geo, queries
from app.filters import Filters
from etl.write.connect import open_readonly

MEETINGS = "meetings.standing_committee"
ZHENGZHOU = "000_c08ffb83924445c9.txt"  # 郑州市 2023
BEIJING, CHANGCHUN = "北京市朝阳区", "长春市朝阳区"


def write_library(lib, places: dict[str, int]):
    lib.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / ZHENGZHOU, lib / ZHENGZHOU)
    for place, meetings in places.items():
        (lib / f"{place}.txt").write_text(district_report(place, meetings), encoding="utf-8")
    return lib


@pytest.fixture(scope="module")
def two_chaoyang(tmp_path_factory):
    """郑州市 2023 and the two 朝阳区 2023, built together."""
    root = tmp_path_factory.mktemp("places")
    lib = write_library(root / "lib", {BEIJING: 8, CHANGCHUN: 12})
    db = root / "congress.duckdb"
    run_etl("build", "--input", lib, "--db", db, "--quiet", check=True)
    return db


def test_reports_keep_the_bare_name_and_the_parent(two_chaoyang):
    rows = sorted(fetch(two_chaoyang, "select jurisdiction, parent from reports"))
    assert rows == [("朝阳区", "北京市"), ("朝阳区", "长春市"), ("郑州市", "河南省")]


def test_each_chaoyang_is_a_place_with_its_own_value(two_chaoyang, use_db):
    use_db(two_chaoyang)
    pts = queries.metric_points(Filters(metrics=(MEETINGS,), year_from=2023, year_to=2023))
    values = dict(zip(pts["jurisdiction"], pts["value"], strict=True))
    assert values[BEIJING] == 8 and values[CHANGCHUN] == 12
    assert "朝阳区" not in values
    assert (pts[pts["jurisdiction"].isin([BEIJING, CHANGCHUN])]["n_candidates"] == 1).all()
    # a filter on one of them draws its own value only
    one = queries.metric_points(Filters(jurisdictions=(CHANGCHUN,), metrics=(MEETINGS,)))
    assert one[["jurisdiction", "value", "parent"]].values.tolist() == [[CHANGCHUN, 12.0, "长春市"]]


def test_the_sidebar_lists_the_qualified_names(two_chaoyang, use_db):
    use_db(two_chaoyang)
    jur = queries.jurisdictions().set_index("name")
    assert sorted(jur.index) == sorted([BEIJING, CHANGCHUN, "郑州市"])
    assert jur.loc[BEIJING, "parent"] == "北京市" and jur.loc[BEIJING, "province"] == "北京市"
    assert jur.loc[CHANGCHUN, "parent"] == "长春市" and jur.loc[CHANGCHUN, "province"] == "吉林省"
    assert (jur["n_reports"] == 1).all()
    assert queries.database_summary()["n_jurisdictions"] == 3
    per = queries.periods(Filters(year_from=2023, year_to=2023))
    assert per["n_jurisdictions"].tolist() == [3]


def test_report_lists_and_fact_rows_filter_and_label_by_place(two_chaoyang, use_db):
    use_db(two_chaoyang)
    for place, n in ((BEIJING, 8), (CHANGCHUN, 12)):
        f = Filters(jurisdictions=(place,))
        reports = queries.report_list(f)
        assert reports["jurisdiction"].tolist() == [place] and queries.report_count(f) == 1
        assert reports["source_file"].tolist() == [f"{place}.txt"]
        rows = queries.fact_rows(f.with_(metrics=(MEETINGS,)))
        assert rows[["jurisdiction", "value"]].values.tolist() == [[place, n]]
        assert queries.fact_rows(f, limit=1)["jurisdiction"].tolist() == [place]
        assert queries.fact_count(f) == len(queries.fact_rows(f))
        summary = queries.point_summary(f, (2023, 2023))
        assert set(summary["jurisdiction"].dropna()) == {place}
        assert MEETINGS in set(summary["metric"].dropna())
        # the report's own row keeps the public columns: the bare name beside its parent
        meta = queries.report_meta(str(reports["report_id"].iloc[0])).iloc[0]
        assert (meta["jurisdiction"], meta["parent"], meta["place"]) == ("朝阳区", place[:3], place)
    # the search finds a place by its qualified name
    assert set(queries.fact_rows(Filters(), contains=BEIJING)["jurisdiction"]) == {BEIJING}


def test_an_unambiguous_place_is_unchanged(two_chaoyang, use_db):
    use_db(two_chaoyang)
    f = Filters(jurisdictions=("郑州市",))
    assert queries.report_list(f)["jurisdiction"].tolist() == ["郑州市"]
    assert set(queries.metric_points(f)["jurisdiction"]) == {"郑州市"}
    expected = fetch(
        two_chaoyang,
        "select count(*) from facts_current f join reports r using (report_id) "
        "where r.jurisdiction = '郑州市'",
    )[0][0]
    assert queries.fact_count(f) == expected > 0


def test_an_old_link_with_the_bare_shared_name_matches_nothing(two_chaoyang, use_db):
    use_db(two_chaoyang)
    f = Filters(jurisdictions=("朝阳区",))
    assert queries.metric_points(f).empty and queries.report_list(f).empty and queries.fact_count(f) == 0


def test_an_added_report_gets_its_own_place_too(tmp_path, use_db):
    """Incremental refreshes qualify the name as a build does (from the division table, not the reports
    loaded): 北京市朝阳区 alone is already 北京市朝阳区, and 长春市朝阳区 added later stands beside it."""
    lib = write_library(tmp_path / "lib", {BEIJING: 8})
    db = tmp_path / "congress.duckdb"
    run_etl("build", "--input", lib, "--db", db, "--quiet", check=True)
    extra = tmp_path / "new" / f"{CHANGCHUN}.txt"
    extra.parent.mkdir()
    extra.write_text(district_report(CHANGCHUN, 12), encoding="utf-8")
    run_etl("add", extra, "--db", db, "--library", lib, check=True)
    use_db(db)
    assert sorted(queries.jurisdictions()["name"]) == sorted([BEIJING, CHANGCHUN, "郑州市"])
    pts = queries.metric_points(Filters(metrics=(MEETINGS,)))
    assert dict(zip(pts["jurisdiction"], pts["value"], strict=True)) == {BEIJING: 8, CHANGCHUN: 12}


def test_the_map_opens_the_division_clicked(two_chaoyang):
    """A county map keys its rows by place, so a click on 北京市's 朝阳区 opens 北京市朝阳区's 总览."""
    con = open_readonly(two_chaoyang)
    try:
        view = geo.map_view(con, "北京市", MEETINGS, (2023, 2023), with_figure=False)
    finally:
        con.close()
    t = view.table.set_index("地区")
    assert t.loc[BEIJING, "has_data"] and t.loc[BEIJING, "数值"] == 8
    assert "朝阳区" not in t.index and not t.loc["东城区", "has_data"]
    code = t.loc[BEIJING, "code"]
    assert geo.picked_jurisdiction(view, {"selection": {"points": [{"location": code}]}}) == BEIJING


def test_a_link_to_a_qualified_place_opens_it_and_a_bare_shared_name_opens_none(two_chaoyang, monkeypatch):
    at = open_app(two_chaoyang, monkeypatch, query={"j": BEIJING})
    assert not at.exception
    assert at.sidebar.multiselect(key="f_jurs").value == [BEIJING]
    assert at.subheader[0].value == f"{BEIJING} · 2023年"
    assert {m.label: m.value for m in at.metric} == {"召开常委会会议": "8次"}
    # an old link with the bare 朝阳区 names no place any more; 郑州市's keeps working
    at = open_app(two_chaoyang, monkeypatch, query={"j": "朝阳区"})
    assert not at.exception and at.sidebar.multiselect(key="f_jurs").value == []
    at = open_app(two_chaoyang, monkeypatch, query={"j": "郑州市"})
    assert at.sidebar.multiselect(key="f_jurs").value == ["郑州市"]


def test_posters_are_per_place(two_chaoyang):
    from app import poster, poster_queries

    con = open_readonly(two_chaoyang)
    try:
        places = set(poster_queries.poster_periods(con)["jurisdiction"])
        assert {BEIJING, CHANGCHUN} <= places and "朝阳区" not in places
        values = {}
        for place in (BEIJING, CHANGCHUN):
            pts = poster_queries.jurisdiction_points(con, place, 2023)
            values[place] = pts[pts["metric"] == MEETINGS]["value"].tolist()
            assert poster.poster_data(con, place, (2023, 2023)).jurisdiction == place
    finally:
        con.close()
    assert values == {BEIJING: [8.0], CHANGCHUN: [12.0]}
