"""An HTML page → its main text: boilerplate dropped, blocks on their own lines, title first."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

from etl.read.files import _normalize_newlines

_HTML_HEAD = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s", re.I)
_HTML_TAG = re.compile(r"</?(?:p|div|br|span|table|tr|td|h[1-6]|a|font|strong)\b[^<>]{0,300}>", re.I)

_SKIP_TAGS = frozenset(
    "script style noscript nav header footer aside form iframe frame frameset template svg math object "
    "embed applet canvas select button textarea input label map audio video dialog head title".split()
)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr table thead tbody tfoot caption section article main "
    "blockquote pre center figure figcaption hr address fieldset legend details summary".split()
)
_CELL_TAGS = frozenset(("td", "th"))
# Boxes around the text that are not the text: navigation, sharing, comments, footers.
_BOILERPLATE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|menus|breadcrumbs?|crumbs?|share|bdshare|sharebox|comments?|"
    r"footer|foot|sidebar|side-bar|copyright|toolbar|pager|pagination|pages?nav|advert|ads|related|"
    r"recommend|qrcode|ewm|login|search|social|print|topbar|top-bar)(?:$|[-_\s\d])",
    re.I,
)
_BOILERPLATE_ROLES = frozenset(("navigation", "contentinfo", "complementary", "search", "banner"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_SEGMENT_BREAK = re.compile(
    r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])[ \t\r\n\f]*\n[ \t\r\n\f]*"
    r"(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])"
)
_WS_RUN = re.compile(r"[ \t\r\n\f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_WEIGHED_ELEMENTS = 200_000  # real report pages have a few thousand
_BLOCK_EDGE = "\x00"  # control characters are stripped from the input, so this cannot collide
_BLOCK_EDGES = re.compile(r"[ \t]*\x00[\x00 \t]*")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜| - | — |--)\s*")


def _looks_like_html(text: str) -> bool:
    head = text[:4096]
    if _HTML_HEAD.search(head):
        return True
    if head.lstrip().startswith("<") and _HTML_TAG.search(head):
        return True
    return len(_HTML_TAG.findall(text[:20000])) >= 6


def _cjk_count(text: str | None) -> int:
    if not text or text.isascii():
        return 0
    return len(_CJK.findall(text))


def _html_to_text(raw: str) -> str:
    """The main text of a page: boilerplate dropped, blocks on their own lines, title first."""
    # libxml2 rejects control characters; a browser would not show them either.
    cleaned = _CONTROL.sub("", _normalize_newlines(raw))
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml_html.document_fromstring(cleaned.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return ""
    title = _page_title(root)
    body = root.find("body")
    if body is None:
        body = root

    # Collected before boilerplate goes: an article's <h1> often sits in a <header>.
    h1s = [(text, list(h.iterancestors())) for h in _first(body.iter("h1"), 20) if (text := _inline_text(h))]
    etree.strip_elements(body, *_SKIP_TAGS, with_tail=False)
    if body.xpath("count(.//*)") > _MAX_WEIGHED_ELEMENTS:
        container = body  # too big to weigh its boxes quickly: keep all visible text
    else:
        total, _ = _cjk_tally(body)
        _drop_boilerplate(body, total)
        container = _main_container(body, *_cjk_tally(body))
    text = _render(container)

    if container.find(".//h1") is not None or container.find(".//h2") is not None:
        return text
    heading = _pick_heading(h1s, container, body, title)
    if heading and _squash(heading) not in _squash(text[:1000]):
        text = heading + "\n" + text
    return text


def _pick_heading(h1s: list, container, body, title: str | None) -> str | None:
    """The report's title for a body that lacks it: its own <h1>, else the one <title> names, else <title>."""
    if container is not body:
        for text, ancestors in h1s:
            if container in ancestors:
                return text
    if title:
        return next((text for text, _ in h1s if _squash(text) in _squash(title)), title)
    return h1s[0][0] if h1s else None


def _page_title(root) -> str | None:
    node = root.find(".//title")
    if node is None:
        return None
    title = _WS_RUN.sub(" ", node.text_content()).strip()
    if not title:
        return None
    # "报告标题_某某日报_某某网": the article's own title is the longest part.
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    return max(parts, key=len) if parts else title


def _inline_text(el) -> str:
    return _WS_RUN.sub(" ", el.text_content()).strip()


def _squash(text: str) -> str:
    return "".join(text.split())


def _is_boilerplate(el) -> bool:
    tag = el.tag
    if tag in _SKIP_TAGS:
        return True
    # Some pages hide the body until a script runs; the text is still the text.
    if tag in ("html", "body", "article", "main"):
        return False
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    if (el.get("role") or "").lower() in _BOILERPLATE_ROLES:
        return True
    marks = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
    return bool(marks) and bool(_BOILERPLATE.search(marks))


def _first(items: Iterator, n: int) -> Iterator:
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item


def _cjk_tally(root) -> tuple[dict, dict]:
    """CJK characters under each element, in all its text and in its <p> text, in one pass.

    One bottom-up pass rather than text_content() per element, which is quadratic on deep pages.
    """
    total: dict = {}
    in_p: dict = {}
    open_counts: list[list[int]] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            open_counts.append([_cjk_count(el.text), 0])
            continue
        n, p = open_counts.pop()
        if el.tag == "p":
            p = n
        total[el] = n
        in_p[el] = p
        if open_counts:
            parent = open_counts[-1]
            parent[0] += n + _cjk_count(el.tail)
            parent[1] += p
    return total, in_p


def _drop_boilerplate(body, total: dict) -> None:
    page_total = total.get(body, 0)
    doomed = []
    walker = etree.iterwalk(body, events=("start",))
    for _, el in walker:
        # A class name is only a hint: never drop a box that holds most of the page's text.
        if _is_boilerplate(el) and total.get(el, 0) <= page_total / 2:
            doomed.append(el)
            walker.skip_subtree()
    for el in doomed:
        el.drop_tree()  # keeps the text that follows the element


def _main_container(body, total: dict, in_p: dict):
    page_total = total.get(body, 0)
    if not page_total:
        return body
    for tag in ("article", "main"):
        best = max(body.iter(tag), key=lambda el: total.get(el, 0), default=None)
        if best is not None and total.get(best, 0) >= page_total / 2:
            return best
    for el in body.iter():
        if el.get("role") == "main" and total.get(el, 0) >= page_total / 2:
            return el
    # The smallest element that holds nearly all paragraph text: the content box of a news page.
    p_total = in_p.get(body, 0)
    if p_total < 0.3 * page_total:
        return body
    node = body
    while True:
        child = next((c for c in node if in_p.get(c, 0) >= 0.9 * p_total), None)
        if child is None:
            return node
        node = child


def _render(container) -> str:
    parts: list[str] = []
    pre_depth = 0

    def add_text(text: str | None) -> None:
        if not text:
            return
        if pre_depth:
            parts.append(text)
        else:
            parts.append(_WS_RUN.sub(" ", _CJK_SEGMENT_BREAK.sub("", text)))

    # Block edges become a marker, so that </p><p> makes one line break while <br><br> keeps a blank line.
    # iterwalk rather than recursion: deeply nested pages must not hit Python's recursion limit.
    for event, el in etree.iterwalk(container, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag == "br":
                parts.append("\n")
            elif tag in _BLOCK_TAGS:
                parts.append(_BLOCK_EDGE)
            if tag == "pre":
                pre_depth += 1
            add_text(el.text)
            continue
        if tag == "pre":
            pre_depth -= 1
        if tag in _BLOCK_TAGS and tag != "br":
            parts.append(_BLOCK_EDGE)
        elif tag in _CELL_TAGS:
            parts.append("\t")
        if el is not container:
            add_text(el.tail)
    return _tidy_lines(_BLOCK_EDGES.sub("\n", "".join(parts)))


def _tidy_lines(text: str) -> str:
    lines = [line.strip(" \t") for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line or line.isspace():
            if out and out[-1]:
                out.append("")
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
