"""Normalization of report text for matching, with a map back to the original offsets.

The raw text is never edited.  ``normalize`` builds a new string and, for every character of it,
the index of the raw character it came from, so evidence can always be cut from the text as written.

Steps, all character-level so the map stays exact:
1. traditional → simplified characters (OpenCC, per line; per character where a phrase changes length);
2. full-width ASCII (digits, letters, punctuation) → half-width; ideographic space → space;
3. whitespace inside Chinese text dropped (``共 依 法 作 出 决 议 决 定 53 项``); pinyin glosses that big5
   mirror sites glue after characters dropped (``聽(tīng)取`` → ``聽取``);
4. line breaks inside sentences joined (PDF/newspaper columns, page breaks), paragraph breaks kept.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import lru_cache

import opencc

# Ends of a sentence or a clause that may end a line legitimately.
LINE_END_OK = set("。！？!?；;：:”」』)）】》…—.")
# Starts of a line that begin something new (headings, bullets, datelines).
HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.]|第[一二三四五六七八九十]+|"
    r"[★☆●○■□◆◇▲△·•※—-]|各位代表|附件)"
)
CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_CJK_PUNCT = set("，。、；：？！“”‘’（）《》【】「」『』—…·")


@dataclass(frozen=True)
class Normalized:
    """Normalized text plus, for each of its characters, the raw offset it came from."""

    raw: str
    text: str
    to_raw: tuple[int, ...]  # len(text) + 1 entries; the last maps the end

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalized text to the raw text."""
        if start >= end:
            pos = self.to_raw[start]
            return pos, pos
        return self.to_raw[start], self.to_raw[end - 1] + 1

    def raw_slice(self, start: int, end: int) -> str:
        """The raw text behind a span of the normalized text."""
        a, b = self.raw_span(start, end)
        return self.raw[a:b]


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


def _to_simplified(line: str) -> str:
    """Convert a line to simplified characters without changing its length."""
    if line.isascii():
        return line
    conv = _t2s().convert(line)
    if len(conv) == len(line):
        return conv
    # A phrase mapping changed the length: fall back to character by character.
    out = []
    for ch in line:
        c = _t2s().convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)


# Full-width ASCII → half-width; the odd spaces and control characters → a plain space (1:1).
_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    ord(ch): " " for ch in "\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff\t\r\x0b\x0c"
}


def _to_simplified_text(raw: str) -> str:
    """The whole text in simplified characters, same length (line by line where a phrase changes length)."""
    if raw.isascii():
        return raw
    conv = _t2s().convert(raw)
    if len(conv) == len(raw):
        return conv
    return "\n".join(_to_simplified(line) for line in raw.split("\n"))


def _is_cjkish(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch)) or ch in _CJK_PUNCT


_SPACES = re.compile(" +")
# A pinyin gloss glued after a character by big5 mirror sites: 報(bào)告, 經(jīng)濟, 執(zhí)法 (tone marks
# required, so (a)/(b) list markers and English in brackets stay).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_GLOSS = re.compile(rf"(?<=[{CJK}])\((?=[a-zü{_TONED}]*[{_TONED}])[a-zü{_TONED}]{{1,7}}\)")


def _cut(text: str, idx: list[int], cuts) -> tuple[str, list[int]]:
    """``text`` without the spans ``cuts`` yields as (start, end, keep); a cut with ``keep`` leaves one
    space in its place. ``idx`` (a raw offset per character) follows the text."""
    parts: list[str] = []
    out_i: list[int] = []
    last = 0
    for i, j, keep in cuts:
        parts.append(text[last:i])
        out_i.extend(idx[last:i])
        if keep:
            parts.append(" ")
            out_i.append(idx[i])
        last = j
    if not last:
        return text, idx
    parts.append(text[last:])
    out_i.extend(idx[last:])
    return "".join(parts), out_i


def _drop_glosses(text: str, idx: list[int]) -> tuple[str, list[int]]:
    if "(" not in text:
        return text, idx
    return _cut(text, idx, ((m.start(), m.end(), False) for m in _GLOSS.finditer(text)))


def _inner_space_cuts(text: str):
    for m in _SPACES.finditer(text):
        i, j = m.span()
        prev = text[i - 1] if i else "\n"
        nxt = text[j] if j < len(text) else "\n"
        cjk_p, cjk_n = _is_cjkish(prev), _is_cjkish(nxt)
        drop = (cjk_p and (cjk_n or nxt.isdigit())) or (cjk_n and prev.isdigit())
        yield i, j, not (drop or prev == "\n" or nxt == "\n")


def _drop_inner_spaces(text: str, idx: list[int]) -> tuple[str, list[int]]:
    """Remove runs of spaces that touch Chinese text on either side (keep them between ASCII words)."""
    if " " not in text:
        return text, idx
    return _cut(text, idx, _inner_space_cuts(text))


def _wrap_width(lines: list[str]) -> int | None:
    """The column width of a hard-wrapped text, or None when lines are whole paragraphs."""
    lengths = [len(s) for s in lines if s.strip()]
    if len(lengths) < 12:
        return None
    med = statistics.median(lengths)
    if med > 45:
        return None
    near = sum(1 for x in lengths if abs(x - med) <= max(3, med * 0.2))
    return int(med) if near >= 0.5 * len(lengths) else None


def _should_join(prev: str, nxt: str, blank_between: bool, width: int | None) -> bool:
    prev = prev.rstrip()
    nxt = nxt.lstrip()
    if not prev or not nxt:
        return False
    if prev[-1] in LINE_END_OK or HEADING_START.match(nxt):
        return False
    if not (_is_cjkish(prev[-1]) or prev[-1] in ",(" or prev[-1].isalnum()):
        return False
    if not (_is_cjkish(nxt[0]) or nxt[0].isdigit()):
        return False
    if width is not None:
        # A wrapped column line is about as long as the column; a short line ends a paragraph.
        return len(prev) >= (0.9 if blank_between else 0.75) * width
    # Paragraph-per-line text: only a long line cut mid-sentence (page or column break).
    return len(prev) >= 40


def normalize(raw: str) -> Normalized:
    """Normalize report text for matching; see the module docstring for the steps."""
    # Steps 1-2 are 1:1 per character.
    conv_lines = _to_simplified_text(raw).translate(_WIDTH_TABLE).split("\n")
    width = _wrap_width([line.strip() for line in conv_lines])

    parts: list[str] = []
    idx: list[int] = []
    pos = 0  # raw offset of the current line's start
    pending_break: list[int] = []  # raw offsets of newlines not yet emitted
    prev_line = ""
    for li, line in enumerate(conv_lines):
        stripped = line.strip()
        if li > 0:
            pending_break.append(pos - 1)
        if not stripped:
            pos += len(line) + 1
            continue
        if pending_break:
            blank_between = len(pending_break) > 1
            if prev_line and _should_join(prev_line, stripped, blank_between, width):
                pass  # join: drop the line breaks
            else:
                for p in pending_break[: 2 if blank_between else 1]:
                    parts.append("\n")
                    idx.append(p)
            pending_break = []
        parts.append(line)
        idx.extend(range(pos, pos + len(line)))
        prev_line = stripped
        pos += len(line) + 1

    text, idx = _drop_glosses("".join(parts), idx)
    text, idx = _drop_inner_spaces(text, idx)
    idx.append(len(raw))
    return Normalized(raw=raw, text=text, to_raw=tuple(idx))


_SENT_END = re.compile(r"[。！？!?]+[”’」』]?|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences in normalized text: split at 。！？ and line breaks, trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end() if m.group().strip() else m.start()
        _append_trimmed(text, start, end, spans)
        start = m.end()
    _append_trimmed(text, start, len(text), spans)
    return spans


def _append_trimmed(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a] in " \n":
        a += 1
    while b > a and text[b - 1] in " \n":
        b -= 1
    if b > a:
        spans.append((a, b))
