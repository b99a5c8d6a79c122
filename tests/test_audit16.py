"""Audit 16 (every emitted fact on 25 unseen pages, checked by hand): general causes of wrong facts, each on
the real text (source URL beside it). A two-character county name glued to the word before it
(办理县十八届人大… read as 理县) is no place; a government's handling report speaks for the handler until
the committee is named again; 基本满意率 alone is not the satisfaction rate; a frequency
(每两月召开一次会议) is no count; 将安排听取… is a plan."""

from __future__ import annotations

from conftest import fact_pairs  # noqa: F401  (used by the extraction tests)


def pairs(text: str, p0: int = 2024, p1: int = 2024, rtype: str = "news_summary") -> list[tuple[str, float]]:
    return fact_pairs(text, p0, p1, rtype)


# 巩留县人民政府 on the deputies' suggestions it handled, Traditional mirror with pinyin noise (2024):
# https://20153.cn/xjgl/c118833/202412/464e07ee8cd64ceba1685bb759a0eeae.shtml
GONGLIU_2024 = (
    "2024年,鞏留縣人民政府共辦理縣十八屆人大四次會(huì)議議案2件、人大代表建議52件,主要涉及城建、環(huán)保、"
    "交通設(shè)施、鄉(xiāng)村振興、教科文衛(wèi)等方面。按照“分級(jí)負(fù)責(zé)、對(duì)口辦理”的原則及時(shí)將人大議案、"
    "人大代表建議分別落實(shí)到20個(gè)縣直部門(mén)辦理。\n"
    "截至目前,20個(gè)承辦單位辦復(fù)議案2件、建議52件,辦復(fù)率和滿意率均為100%。從辦理結(jié)果看,"
    "代表們提出的52件建議中“所提問(wèn)題已經(jīng)解決或基本解決的”A類建議共33件,占交辦建議總數(shù)的63.4%。"
)


def test_a_name_glued_to_the_word_before_it_is_no_place():
    from etl.metadata import extract_metadata

    # 辦理縣十八屆人大 is "handled the county's 18th congress…", not 理县 (四川)
    assert extract_metadata(GONGLIU_2024).jurisdiction == "巩留县"


def test_a_two_character_county_name_standing_alone_is_still_found():
    from etl.metadata.gazetteer import find_in

    assert [m.surface for m in find_in("阿坝州理县人大常委会在理县召开会议")] == ["阿坝州", "理县", "理县"]
