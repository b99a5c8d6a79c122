"""The report's title line and where it stands in the text.

* **Title** (find_title): the first short line (≤ ``max_title_chars``) among the
  first 80 that contains the strongest title cue (常务委员会工作报告 before 工作报告
  before 综述), minus leading dashes. None when no line qualifies.
"""

from __future__ import annotations

import re

from etl.metadata.cues import Cues
from etl.metadata.text import _Text


def find_title(text: _Text, cues: Cues) -> tuple[str | None, int | None]:
    """The title line and its index among the lines (see the module docstring)."""
    window = [(i, line) for i, line in enumerate(text.lines[:80]) if line]
    tails = "|".join(map(re.escape, cues.excerpt_words + cues.summary_words))
    for cue in cues.title_cues:
        for i, line in window:
            if cue not in line:
                continue
            if len(line) > cues.max_title_chars or "。" in line:
                # A subtitle run together with the next sentence (——…工作报告摘编1月5日上午,…):
                # keep it up to the cue and a digest word after it.
                cut = re.match(rf"(.{{0,50}}?{re.escape(cue)}(?:[((]?(?:{tails})[))]?)?)", line)
                if i not in text.subtitles or not cut or "。" in cut.group(1):
                    continue
                line = cut.group(1)
            if any(p.search(line) for p in cues.not_title):
                continue
            return line, i
    return None, None


def title_span(text: _Text, title: str | None, index: int | None) -> tuple[int, int] | None:
    """Offsets of the title in the compact text (the title is a prefix of its line)."""
    if title is None or index is None:
        return None
    start = sum(len(line) for line in text.lines[:index])
    return start, start + len(title)
