"""全国 makes 法律, not 地方性法规: a national figure is labelled with the catalog's label_zh_national.

Real reports (data/corpus-real, URLs in its sources.csv): the national committee's 2026 report and
河南省's 2023 report (its term review), built together.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, run_etl

from app import queries, views
from app.filters import Filters
from etl.extract.catalog import load_catalog

ENACTED = "legislation.laws_enacted"
REAL = ROOT / "data" / "corpus-real"


@pytest.fixture(scope="module")
def national_and_henan(tmp_path_factory):
    lib = tmp_path_factory.mktemp("national") / "lib"
    lib.mkdir()
    for name in ("national-2026.txt", "henan-2023.txt"):
        shutil.copyfile(REAL / name, lib / name)
    db = lib.parent / "congress.duckdb"
    run_etl("build", "--input", lib, "--db", db, "--quiet", check=True)
    return db


def test_national_points_carry_the_national_word_and_local_ones_their_own(national_and_henan, use_db):
    use_db(national_and_henan)
    m = load_catalog().metrics[ENACTED]
    assert m.label_zh_national and m.label_zh_national != m.label_zh
    pts = queries.metric_points(Filters(metrics=(ENACTED,)))
    labels = dict(zip(pts["jurisdiction"], pts["label_zh"], strict=False))
    assert labels["全国"] == m.label_zh_national and labels["河南省"] == m.label_zh
    rows = queries.fact_rows(Filters(metrics=(ENACTED,)))
    assert set(rows[rows["jurisdiction"] == "全国"]["label_zh"]) == {m.label_zh_national}


def test_a_chart_of_the_nation_is_titled_with_its_word_and_a_mixed_one_with_both(national_and_henan, use_db):
    use_db(national_and_henan)
    m = load_catalog().metrics[ENACTED]
    alone = views.resolve(views.ChartRequest("trend", ENACTED, ("全国",), 2015, 2026))
    assert m.label_zh_national in alone.title and m.label_zh not in alone.title
    both = views.resolve(views.ChartRequest("trend", ENACTED, ("全国", "河南省"), 2015, 2026))
    assert m.label_zh_national in both.title and m.label_zh in both.title
    local = views.resolve(views.ChartRequest("trend", ENACTED, ("河南省",), 2015, 2026))
    assert m.label_zh in local.title and m.label_zh_national not in local.title


def test_laws_counted_in_bu_share_the_axis_with_those_in_jian(national_and_henan, use_db):
    """执法检查 of 法律: 检查5件法律 and 检查6部法律 count the same thing (comparable_units), so a trend draws
    both; an inspection counted in 项 is another thing and stays apart."""
    import pandas as pd

    from app import charts

    rows = pd.DataFrame(
        [
            {"jurisdiction": "全国", "metric": "supervision.law_inspections", "value": v, "unit": u,
             "period_start": y, "period_end": y, "scope": None, "evidence": "", "qualifier": "exact"}
            for y, v, u in ((2021, 6, "部"), (2022, 5, "件"), (2023, 6, "件"), (2024, 4, "项"))
        ]
    )  # fmt: skip
    use_db(national_and_henan)
    drawn, apart = charts.split_like(rows, views.metric_info("supervision.law_inspections"))
    assert sorted(drawn["period_start"]) == [2021, 2022, 2023]
    assert apart["unit"].tolist() == ["项"]
