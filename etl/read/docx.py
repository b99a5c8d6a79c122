"""A ZIP container → the text of a Word (.docx) document, after zip-bomb checks; other Office files named."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.oxml import parse_xml

from etl.errors import BinaryFileError, EmptyFileError, FileTooLargeError, ReadError, UnsupportedFormatError
from etl.read.files import _has_text, _mismatch, _normalize_newlines, _reason, _size

# Zip-bomb guards, checked on the central directory before any member is inflated.
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_RATIO = 200
DOCX_MAX_MEMBERS = 5000
# Small members can legitimately compress very well (repetitive XML); only big ones are a threat.
_RATIO_MIN_SIZE = 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OTHER_ZIPS = (
    ("xl/workbook.xml", "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
)


def _read_zip(data: bytes, name: str, suffix: str) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # BadZipFile, but also struct/OverflowError on mangled headers
        raise ReadError(
            name,
            f"the file is a damaged ZIP container (a .docx is one) and cannot be opened ({_reason(exc)})",
        ) from exc
    with zf:
        if len(infos) > DOCX_MAX_MEMBERS:
            raise FileTooLargeError(
                name,
                f"the ZIP container has {len(infos)} members (limit {DOCX_MAX_MEMBERS}); "
                "refusing it as a possible zip bomb",
            )
        members = {info.filename for info in infos}
        if "word/document.xml" not in members:
            raise _not_a_docx(zf, members, name, suffix)
        _check_zip_bomb(infos, name)
        return _docx_text(zf, data, name)


def _not_a_docx(zf: zipfile.ZipFile, members: set[str], name: str, suffix: str) -> ReadError:
    for member, description in _OTHER_ZIPS:
        if member in members:
            return UnsupportedFormatError(
                name, _mismatch(suffix, description, "save the report as .docx or .pdf")
            )
    if "mimetype" in members:
        try:
            with zf.open("mimetype") as fh:  # read a few bytes only: the member could be a bomb
                mimetype = fh.read(100).decode("ascii", "replace")
        except Exception:
            mimetype = ""
        if "opendocument" in mimetype:
            return UnsupportedFormatError(name, _mismatch(suffix, "an OpenDocument file", "save it as .docx"))
        if "epub" in mimetype:
            return UnsupportedFormatError(name, _mismatch(suffix, "an EPUB e-book"))
    if suffix == ".docx":
        return BinaryFileError(name, _mismatch(suffix, "a ZIP archive without word/document.xml"))
    return BinaryFileError(name, _mismatch(suffix, "a ZIP archive", "unzip it and read the files inside"))


def _check_zip_bomb(infos: list[zipfile.ZipInfo], name: str) -> None:
    total = sum(info.file_size for info in infos)
    if total > DOCX_MAX_UNCOMPRESSED:
        raise FileTooLargeError(
            name,
            f"the Word file would unpack to {_size(total)} (limit {_size(DOCX_MAX_UNCOMPRESSED)}); "
            "refusing it as a possible zip bomb",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _RATIO_MIN_SIZE and ratio > DOCX_MAX_RATIO:
            raise FileTooLargeError(
                name,
                f"the member {info.filename} is compressed {ratio:.0f}:1 (limit {DOCX_MAX_RATIO}:1); "
                "refusing it as a possible zip bomb",
            )


def _docx_text(zf: zipfile.ZipFile, data: bytes, name: str) -> str:
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:
        # python-docx insists on a .docx content type; macro-enabled or template files, or a missing
        # [Content_Types].xml, still hold a readable word/document.xml, parsed with its safe parser.
        try:
            body = parse_xml(zf.read("word/document.xml")).find(f"{_W}body")
        except Exception:
            body = None
        if body is None:
            raise ReadError(
                name, f"the Word document is damaged and cannot be opened ({_reason(exc)})"
            ) from exc
    try:
        lines = list(_docx_blocks(body))
    except Exception as exc:  # malformed XML trees can surprise python-docx's element classes
        raise ReadError(name, f"the Word document's text cannot be read ({_reason(exc)})") from exc
    text = _normalize_newlines("\n".join(lines))
    if not _has_text(text):
        raise EmptyFileError(name, "the Word document contains no text")
    return text


def _docx_blocks(container) -> Iterator[str]:
    """Paragraph and table-row lines of a body, cell or content control, in document order."""
    for child in container.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            yield from _docx_paragraph(child)
        elif tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                if next(row.iterancestors(f"{_W}tbl"), None) is not child:
                    continue  # rows of a nested table come out with their cell
                cells = ["\n".join(_docx_blocks(cell)) for cell in row.iterchildren(f"{_W}tc")]
                yield "\t".join(cells)
        elif tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}sdtContent", f"{_W}ins", f"{_W}smartTag"):
            yield from _docx_blocks(child)


def _docx_paragraph(p) -> Iterator[str]:
    parts: list[str] = []
    boxes: list = []
    stack = [p]
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == f"{_W}t":
            parts.append(el.text or "")
            continue
        if tag == f"{_W}tab":
            parts.append("\t")
            continue
        if tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
            continue
        if tag == f"{_W}noBreakHyphen":
            parts.append("\u2011")
            continue
        if tag == f"{_W}txbxContent":
            boxes.append(el)  # a text box: its own paragraphs, after this one
            continue
        # Deleted revisions, field codes and the duplicate fallback of a drawing are not visible text.
        if tag in (f"{_W}del", f"{_W}instrText", f"{_W}delText", f"{_MC}Fallback", f"{_W}pPr", f"{_W}rPr"):
            continue
        stack.extend(reversed(el))
    yield "".join(parts)
    for box in boxes:
        yield from _docx_blocks(box)
