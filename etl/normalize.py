"""Normalization of report text for matching, with a map back to the original offsets.

The raw text is never edited.  ``normalize`` builds a new string and, for every character of it,
the index of the raw character it came from, so evidence can always be cut from the text as written.

Steps, all character-level so the map stays exact:
1. traditional → simplified characters (OpenCC, per line; per character where a phrase changes length);
2. full-width ASCII (digits, letters, punctuation) → half-width; ideographic space → space;
3. whitespace inside Chinese text dropped (``共 依 法 作 出 决 议 决 定 53 项``);
4. line breaks inside sentences joined (PDF/newspaper columns, page breaks), paragraph breaks kept.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import lru_cache

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
    import opencc

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


def _halfwidth(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if ch in "\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff\t\r\x0b\x0c":
        return " "
    return ch


def _is_cjkish(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch)) or ch in _CJK_PUNCT


def _drop_inner_spaces(chars: list[str], idx: list[int]) -> tuple[list[str], list[int]]:
    """Remove runs of spaces that touch Chinese text on either side (keep them between ASCII words)."""
    out_c: list[str] = []
    out_i: list[int] = []
    n = len(chars)
    i = 0
    while i < n:
        if chars[i] == " ":
            j = i
            while j < n and chars[j] == " ":
                j += 1
            prev = out_c[-1] if out_c else "\n"
            nxt = chars[j] if j < n else "\n"
            cjk_p, cjk_n = _is_cjkish(prev), _is_cjkish(nxt)
            drop = (cjk_p and (cjk_n or nxt.isdigit())) or (cjk_n and prev.isdigit())
            keep = not (drop or prev == "\n" or nxt == "\n")
            if keep:
                out_c.append(" ")
                out_i.append(idx[i])
            i = j
            continue
        out_c.append(chars[i])
        out_i.append(idx[i])
        i += 1
    return out_c, out_i


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
    raw_lines = raw.split("\n")
    # Steps 1-2 are 1:1 per character.
    conv_lines = ["".join(_halfwidth(c) for c in _to_simplified(line)) for line in raw_lines]
    width = _wrap_width([line.strip() for line in conv_lines])

    chars: list[str] = []
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
                    chars.append("\n")
                    idx.append(p)
            pending_break = []
        for k, ch in enumerate(line):
            chars.append(ch)
            idx.append(pos + k)
        prev_line = stripped
        pos += len(line) + 1

    chars, idx = _drop_inner_spaces(chars, idx)
    idx.append(len(raw))
    return Normalized(raw=raw, text="".join(chars), to_raw=tuple(idx))


_SENT_END = re.compile(r"[。！？!?]+[”’」』]?|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences in normalized text: split at 。！？ and line breaks, trimmed."""
    spans = []
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
