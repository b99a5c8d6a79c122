"""The working views of the pipeline's normalized text that every metadata rule reads.

* **Text.** Metadata reads the pipeline's one normalization (``etl.read.normalize``: traditional →
  simplified, full width → half width, wrapped lines joined) and the parts it found in it
  (``find_sections`` before any period is known); it never re-normalizes. Matching runs on views
  of that text: whitespace removed (``compact``) so that a line break or the letter-spacing of a
  newspaper page does not split a phrase, and the lines as they are (``plain``), where
  2023-03-03 10:23:07 keeps its space. A map leads from the views back to the normalized text, so
  the plans part found by the pipeline is the plans part here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from etl.metadata import dating
from etl.read.normalize import Normalized

_DASHES = "—–─━-‐‑‒―~～ "
_TRAD_PROBE_CHARS = 3000


@dataclass(frozen=True)
class _Text:
    lines: tuple[str, ...]  # cleaned lines: no inner whitespace, leading dashes removed
    subtitles: frozenset[int]  # indices of lines that began with a dash (——…工作报告摘编)
    dense: str  # the lines joined by newlines
    compact: str  # no whitespace at all
    plain: tuple[str, ...]  # the normalized lines as they are, stripped: 2023-03-03 10:23:07
    to_norm: tuple[int, ...] = ()  # for each character of ``dense``, its offset in the normalized text

    def dense_span(self, start: int, end: int) -> tuple[int, int]:
        """A [start, end) span of the normalized text (a section) in ``dense`` coordinates."""
        return bisect.bisect_left(self.to_norm, start), bisect.bisect_left(self.to_norm, end)


_CJK_UNIFIED = re.compile("[\u4e00-\u9fff]")


def _was_traditional(norm: Normalized, probe_chars: int = _TRAD_PROBE_CHARS) -> bool:
    """Whether normalize() converted enough of the opening from traditional script to say so."""
    text = norm.text[:probe_chars]
    cjk = changed = 0
    for i, ch in enumerate(text):
        if _CJK_UNIFIED.match(ch):
            cjk += 1
            changed += norm.raw[norm.to_raw[i]] != ch
    return changed >= 3 and changed / max(cjk, 1) >= 0.02


def _prepare(norm: Normalized, warnings: list[str]) -> _Text:
    """The working views of the pipeline's normalized text (no second normalization: see normalize.py)."""
    if _was_traditional(norm):
        warnings.append("正文为繁体：按规范化（normalize，OpenCC t2s）后的简体文本读取元数据")
    text = norm.text
    plain: list[str] = []
    lines: list[str] = []
    subtitles: set[int] = set()
    to_norm: list[int] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        if i:
            to_norm.append(pos - 1)  # the line break
        plain.append(line.strip())
        kept = [(j, ch) for j, ch in enumerate(line) if not ch.isspace()]
        if kept and kept[0][1] in "—–─━―-~":
            subtitles.add(i)
        while kept and kept[0][1] in _DASHES:
            kept.pop(0)
        lines.append("".join(ch for _, ch in kept))
        to_norm.extend(pos + j for j, _ in kept)
        pos += len(line) + 1
    dense = "\n".join(lines)
    return _Text(
        tuple(lines), frozenset(subtitles), dense, dense.replace("\n", ""), tuple(plain), tuple(to_norm)
    )


_cn_int = dating.cn_int  # Arabic or Chinese numerals (十六, 二〇一九); 0 if malformed


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
