"""Numbers as reports write them: Arabic and Chinese numerals, 万/亿 multipliers, percentages, qualifiers.

Only the span a pattern matched is converted (never a whole sentence: a converter run over prose
rewrites words such as 统一 → 统1).  Qualifier words are moved out of the span first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_ARABIC = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A Chinese numeral must hold a digit word, or be a bare 十/百/千/万 (十余次, 百余件, 近万人次).
_CHINESE = (
    r"[零〇一二两三四五六七八九][零〇一二两三四五六七八九十百千万亿]*"
    r"|[十百千万][零〇一二两三四五六七八九十百千万亿]*"
)

PREFIX_APPROX = ("将近", "接近", "大约", "近", "约")
PREFIX_AT_LEAST = ("超过", "多于", "逾")
SUFFIX_AT_LEAST = ("余", "多")
POST_AT_LEAST = ("以上", "多")
POST_APPROX = ("左右", "上下")

# Regex fragments for the catalog's pattern language ({N}, {P}); groups are named by the caller.
NUM = (
    r"(?:(?:将近|接近|大约|近|约|超过|多于|逾))?"
    rf"(?<![\d.{CN_DIGITS}第])(?:(?:{_ARABIC})(?:千|万|亿)?|(?:{_CHINESE}))(?![\d.])"
    r"(?:余|多)?"
)
PCT = (
    r"(?:(?:将近|接近|大约|近|约|超过|逾))?"
    rf"(?:(?<![\d.])(?:{_ARABIC})\s?%|百分之(?:百|[零〇一二两三四五六七八九十点]+))"
)
POST_WORDS = "以上|左右|上下"


class NumberError(ValueError):
    """A span that is not a number this module understands."""


@dataclass(frozen=True)
class Parsed:
    value: float
    qualifier: str  # exact | approx_at_least | approx
    is_percent: bool = False


def _qualifier(prefix: str, suffix: str, post: str) -> str:
    if prefix in PREFIX_APPROX or post in POST_APPROX:
        return "approx"
    if prefix in PREFIX_AT_LEAST or suffix in SUFFIX_AT_LEAST or post in POST_AT_LEAST:
        return "approx_at_least"
    return "exact"


def _chinese_value(s: str) -> float:
    if s in ("十", "百", "千", "万", "亿"):
        return {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 1e8}[s]
    s = s.replace("〇", "零")
    if s[0] in "百千万亿":  # 百二十 is rare; 千余 handled by the caller
        s = "一" + s
    try:
        return float(cn2an.cn2an(s, "smart"))
    except Exception:
        # Digit-by-digit numerals (二〇二三) are years, not counts; refuse them rather than guess.
        raise NumberError(f"not a Chinese numeral: {s!r}") from None


def parse_number(span: str, post: str = "") -> Parsed:
    """Parse a matched number span such as ``7万余``, ``近千``, ``三百零三``, ``96%``, ``百分之百``.

    ``post`` is the text after the unit (以上 / 左右), which also sets the qualifier.
    """
    s = span.strip().replace(" ", "")
    if not s:
        raise NumberError("empty number")
    prefix = next((p for p in PREFIX_APPROX + PREFIX_AT_LEAST if s.startswith(p)), "")
    s = s[len(prefix) :]
    is_pct = False
    if s.endswith("%"):
        is_pct, s = True, s[:-1]
    elif s.startswith("百分之"):
        is_pct, s = True, s[3:]
        if s == "百":
            return Parsed(100.0, _qualifier(prefix, "", post), True)
        if "点" in s:
            whole, frac = s.split("点", 1)
            digits = "".join(str(int(_chinese_value(c))) for c in frac)
            return Parsed(float(f"{int(_chinese_value(whole))}.{digits}"), _qualifier(prefix, "", post), True)
    suffix = ""
    if s and s[-1] in SUFFIX_AT_LEAST:
        suffix, s = s[-1], s[:-1]
    if not s:
        raise NumberError(f"no digits in {span!r}")
    mult = 1.0
    if re.fullmatch(rf"(?:{_ARABIC})(?:千|万|亿)", s):
        mult = {"千": 1000.0, "万": 10000.0, "亿": 1e8}[s[-1]]
        s = s[:-1]
    if re.fullmatch(_ARABIC, s):
        value = float(s.replace(",", "")) * mult
    elif re.fullmatch(f"[{CN_DIGITS}]+", s):
        value = _chinese_value(s)
    else:
        raise NumberError(f"not a number: {span!r}")
    return Parsed(value, _qualifier(prefix, suffix, post), is_pct)
