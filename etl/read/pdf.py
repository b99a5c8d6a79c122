"""A PDF → the text of its text layer (PDFium); scanned or unmapped pages are refused."""

from __future__ import annotations

import pypdfium2 as pdfium

from etl.errors import FileTooLargeError, NoTextLayerError, ReadError
from etl.read.files import _normalize_newlines, _reason

# A PDF with fewer visible characters per page than this is treated as scanned images.
_PDF_MAX_PAGES = 2000
_PDF_MIN_CHARS_PER_PAGE = 5


def _read_pdf(data: bytes, name: str) -> str:
    """Text layer via PDFium (C, bounded time even on streams that inflate to tens of MB)."""
    pages: list[str] = []
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ReadError(name, "the PDF is password-protected; remove the password and try again") from exc
        raise ReadError(
            name, f"the PDF is damaged or not a real PDF and cannot be parsed ({_reason(exc)})"
        ) from exc
    try:
        if len(pdf) > _PDF_MAX_PAGES:
            raise FileTooLargeError(name, f"the PDF has {len(pdf)} pages; at most {_PDF_MAX_PAGES} are read")
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded() or "")
            textpage.close()
            page.close()
    except pdfium.PdfiumError as exc:
        raise ReadError(name, f"the PDF is damaged and its text cannot be read ({_reason(exc)})") from exc
    finally:
        pdf.close()
    text = _normalize_newlines("\n".join(p.replace("\x00", "") for p in pages))
    visible = sum(1 for c in text if not c.isspace())
    if not pages:
        raise NoTextLayerError(name, "the PDF has no pages")
    if visible < _PDF_MIN_CHARS_PER_PAGE * len(pages):
        raise NoTextLayerError(
            name,
            f"the PDF has no text layer (scanned?): {visible} characters on {len(pages)} page(s); "
            "run OCR first",
        )
    # Glyphs without a Unicode mapping come out as U+FFFD or private-use characters.
    unmapped = sum(1 for c in text if c == "\ufffd" or "\ue000" <= c <= "\uf8ff")
    if unmapped > visible / 2:
        raise NoTextLayerError(
            name, "the PDF's fonts have no Unicode mapping, so its text layer cannot be read; run OCR first"
        )
    return text
