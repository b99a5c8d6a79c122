"""Report text → safe HTML with every extracted number marked and the chosen fact's sentence anchored.

All report text is html.escape()d before any tag is added: a report that contains "<script>" shows it
as text.  Offsets are the facts' value_start/value_end and evidence_start/evidence_end into norm_text.
escape_md() does the same for text shown in Markdown (captions, labels, help, messages).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

ANCHOR_ID = "sel-fact"

STYLE = """
<style>
.report-text { white-space: pre-wrap; line-height: 1.9; font-size: 15px;
  font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "SimSun", serif; }
.report-text mark.v { background: #fff1a8; padding: 0 1px; border-radius: 2px; }
.report-text .sel { background: #ffe0d6; box-shadow: 0 0 0 2px #ffb39b; border-radius: 3px; }
.report-text .sel mark.v.cur { background: #ff8c69; color: #fff; font-weight: 700; }
</style>
"""


def _clamp(x: object, n: int) -> int | None:
    try:
        v = int(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return max(0, min(n, v))


def highlight_html(text: str, facts: Iterable[Mapping], selected: str | None = None) -> str:
    """The report as HTML: values in <mark>, the selected fact's sentence in a span after an anchor.

    ``facts`` need fact_id, value_start, value_end, evidence_start, evidence_end and optionally a
    ``label`` for the mark's tooltip.
    """
    n = len(text)
    values: list[tuple[int, int, str, str]] = []  # start, end, fact_id, tooltip
    sel_span: tuple[int, int] | None = None
    for f in facts:
        vs, ve = _clamp(f.get("value_start"), n), _clamp(f.get("value_end"), n)
        if vs is not None and ve is not None and vs < ve:
            values.append((vs, ve, str(f.get("fact_id")), str(f.get("label") or "")))
        if selected is not None and str(f.get("fact_id")) == selected:
            es, ee = _clamp(f.get("evidence_start"), n), _clamp(f.get("evidence_end"), n)
            if es is not None and ee is not None and es < ee:
                sel_span = (es, ee)
    cuts = {0, n}
    for vs, ve, _, _ in values:
        cuts.update((vs, ve))
    if sel_span:
        cuts.update(sel_span)
    bounds = sorted(cuts)
    out = [STYLE, '<div class="report-text">']
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a >= b:
            continue
        seg = html.escape(text[a:b])
        covering = [v for v in values if v[0] <= a and b <= v[1]]
        if covering:
            tips = "；".join(dict.fromkeys(t for *_, t in covering if t))
            is_cur = any(v[2] == selected for v in covering)
            cls = "v cur" if is_cur else "v"
            seg = f'<mark class="{cls}" title="{html.escape(tips, quote=True)}">{seg}</mark>'
        if sel_span and sel_span[0] <= a and b <= sel_span[1]:
            seg = f'<span class="sel">{seg}</span>'
        if sel_span and a == sel_span[0]:
            seg = f'<span id="{ANCHOR_ID}"></span>' + seg
        out.append(seg)
    out.append("</div>")
    return "".join(out)


def scroll_script(token: str) -> str:
    """A tiny script that scrolls the anchored sentence into view (token makes each selection re-run it).

    No "<" may appear in it: st.html's DOMPurify drops a script whose text has "<" before a word character.
    """
    safe = html.escape(token, quote=True).replace("\\", "").replace("*/", "")
    # Scroll only the report's own box (its nearest scrollable ancestor), not the whole page.
    return (
        "<script>(function(){var tries=0;function go(){"
        f"var el=document.getElementById('{ANCHOR_ID}');"
        "if(!el){if(40>tries++){setTimeout(go,100);}return;}"
        "var box=el.parentElement;"
        "while(box&&!(box.scrollHeight>box.clientHeight+4&&getComputedStyle(box).overflowY!=='visible')){box=box.parentElement;}"
        "if(!box){el.scrollIntoView({block:'center'});return;}"
        "var dy=el.getBoundingClientRect().top-box.getBoundingClientRect().top;"
        "box.scrollTo({top:box.scrollTop+dy-box.clientHeight/3,behavior:'smooth'});}"
        f"go();}})(); /* {safe} */</script>"
    )


def escape_md(text: object) -> str:
    """Text for a Markdown-rendering element (labels, captions): every Markdown and HTML character escaped."""
    out = []
    for ch in str(text):
        if ch in "\\`*_{}[]()#+-.!|~<>$&:\"'=":
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)
