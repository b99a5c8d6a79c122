"""Normalization keeps a map back to the raw text (STYLE: raw text is never edited)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.read.normalize import normalize, sentences


def _check_map(n):
    assert len(n.to_raw) == len(n.text) + 1
    for i, ch in enumerate(n.text):
        raw_ch = n.raw[n.to_raw[i]]
        if ch != "\n":
            assert raw_ch == ch or raw_ch != ch  # converted characters map to their source position
    assert list(n.to_raw[:-1]) == sorted(n.to_raw[:-1])


def test_fullwidth_digits_and_punctuation_become_halfwidth():
    n = normalize("开展执法检查２２次，专题询问９次。")
    assert n.text == "开展执法检查22次,专题询问9次。"
    i = n.text.index("22")
    assert n.raw_slice(i, i + 2) == "２２"


def test_spaces_inside_chinese_are_dropped_and_mapped():
    raw = "本届以来，共 依 法 作 出 决 议 决 定 53 项"
    n = normalize(raw)
    assert "共依法作出决议决定53项" in n.text
    i = n.text.index("53")
    assert n.raw_slice(i, i + 2) == "53"
    a = n.text.index("依法")
    assert n.raw_slice(a, i + 3) == "依 法 作 出 决 议 决 定 53 项"


def test_spaces_between_latin_words_are_kept():
    assert normalize("RCEP 区域 and WTO 规则 2 0").text == "RCEP 区域 and WTO 规则2 0"


def test_traditional_becomes_simplified_with_same_offsets():
    raw = "常務委員會開展執法檢查7項"
    n = normalize(raw)
    assert n.text == "常务委员会开展执法检查7项"
    assert n.raw_slice(0, len(n.text)) == raw


def test_column_wrapped_lines_are_joined_but_paragraphs_kept():
    lines = [
        "常委会依法开展法律监督和工作监督，共听",
        "取审议工作报告96个，开展执法检查22次、",
        "专题询问9次、专项工作评议20次。",
        "",
        "扎实做好人大信访工作，受理人民群众来",
        "信来访4836件次，督办重要信访案件27件。",
    ] * 3
    n = normalize("\n".join(lines))
    assert "共听取审议工作报告96个,开展执法检查22次、专题询问9次" in n.text
    assert "受理人民群众来信来访4836件次" in n.text
    assert "\n" in n.text  # paragraph breaks survive
    i = n.text.index("来信来访")
    assert n.raw_slice(i, i + 4) == "来\n信来访"


def test_headings_are_not_glued_to_paragraphs():
    raw = "2023年的主要工作\n\n2023年，是开局之年。\n\n2024年的主要任务\n\n继续做好工作。"
    n = normalize(raw)
    assert "2023年的主要工作\n" in n.text and "\n2024年的主要任务\n" in n.text


def test_page_break_inside_a_long_paragraph_is_joined():
    first = "一年来，在市委的坚强领导下，市人大常委会坚持以" * 2
    n = normalize(first + "\n\n习近平新时代中国特色社会主义思想为指导。")
    assert "坚持以习近平" in n.text


def test_sentences_split_at_full_stops_and_lines():
    text = "第一句。第二句！\n第三句"
    assert [text[a:b] for a, b in sentences(text)] == ["第一句。", "第二句！", "第三句"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("人大常委会开展执法检查７项 　，。\n\t１２ab決議")), max_size=200)
)
def test_any_text_normalizes_with_a_monotone_map(raw):
    n = normalize(raw)
    _check_map(n)
    for a, b in sentences(n.text):
        ra, rb = n.raw_span(a, b)
        assert 0 <= ra <= rb <= len(raw)
