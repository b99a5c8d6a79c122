"""Audit 14 (emitted facts on 25 more unseen pages, checked by hand): two general causes of wrong facts, each
on the real sentence (source URL beside it). Liaison stations newly set up (新设2家人大代表联络站) are a
change, not the stock of stations; a count of deputies' suggestions taken together with CPPCC members'
proposals (人大代表建议和政协委员提案88件, 其中已经解决…42件) is a joint count of two bodies' items
handled by the government's offices, never the committee's count of deputies' suggestions."""

from __future__ import annotations

from conftest import fact_pairs


def pairs(text: str, p0: int = 2024, p1: int = 2024, rtype: str = "annual_report") -> list[tuple[str, float]]:
    return fact_pairs(text, p0, p1, rtype)


# 静安区人大常委会 2024, a Traditional mirror with pinyin noise:
# http://zgkjsz.com/page/2025/0119/25261273.shtml
JINGAN_2025 = (
    "推動14個“代表之家”升級為人大推進全過程人民民主基層實踐站點,新設(shè)2家人大代表聯(lián)絡(luò)站,"
    "推進“家站點”與社區(qū)各類服務(wù)陣地融合共建。"
)


def test_stations_newly_set_up_are_not_the_stock_of_stations():
    assert not [p for p in pairs(JINGAN_2025, rtype="news_summary") if p[0] == "liaison.stations"]


def test_the_stock_of_stations_still_counts():
    got = pairs("建成15个市级全过程人民民主基层示范点和74个代表联络站。")
    assert ("liaison.stations", 74) in got


# A speech at a city's meeting on suggestions and proposals (2021):
# https://m.wenke99.com/p-5679236.html
WENKE99_2021 = (
    "一年来,全市各承办单位以对人大代表、政协委员和全市人民群众高度负责的精神,对人大代表建议和政协委员提案"
    "进行了仔细的办理,共承办人大代表建议和政协委员提案88件,其中已经解决或基本解决的有42件,占总数的47.7%;"
    "正在进一步讨论落实或列入规划逐步解决的有20件,占总数的22.7%。"
)


def test_suggestions_counted_with_cppcc_proposals_are_not_the_committees():
    assert not [p for p in pairs(WENKE99_2021, 2021, 2021, "news_summary") if p[0].startswith("deputies.")]


def test_the_committees_own_suggestions_still_count():
    got = pairs("代表提出的229件建议，其中已解决或基本解决的211件，正在解决或者列入计划逐步解决的18件。")
    assert ("deputies.suggestions_resolved", 211) in got
