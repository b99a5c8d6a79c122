"""Numerals, multipliers and qualifiers, converted only on the matched span."""

import pytest

from etl.read.numbers import NumberError, parse_number


@pytest.mark.parametrize(
    "span,post,value,qualifier",
    [
        ("303", "", 303, "exact"),
        ("三百零三", "", 303, "exact"),
        ("两", "", 2, "exact"),
        ("十", "", 10, "exact"),
        ("7万余", "", 70000, "approx_at_least"),
        ("1.2万", "", 12000, "exact"),
        ("1200余", "", 1200, "approx_at_least"),
        ("二十余", "", 20, "approx_at_least"),
        ("千余", "", 1000, "approx_at_least"),
        ("近万", "", 10000, "approx"),
        ("约300", "", 300, "approx"),
        ("超过500", "", 500, "approx_at_least"),
        ("1,237", "", 1237, "exact"),
        ("300", "以上", 300, "approx_at_least"),
        ("300", "左右", 300, "approx"),
        ("96%", "", 96, "exact"),
        ("99%", "以上", 99, "approx_at_least"),
        ("百分之百", "", 100, "exact"),
        ("百分之九十六", "", 96, "exact"),
        ("百分之九十九点五", "", 99.5, "exact"),
    ],
)
def test_parse_number(span, post, value, qualifier):
    p = parse_number(span, post)
    assert p.value == pytest.approx(value)
    assert p.qualifier == qualifier


def test_percent_flag():
    assert parse_number("96%").is_percent and not parse_number("96").is_percent


@pytest.mark.parametrize("span", ["", "余", "abc", "统一"])
def test_not_numbers(span):
    with pytest.raises(NumberError):
        parse_number(span)
