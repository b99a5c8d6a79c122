"""One report file → a Document: bytes read, format sniffed from content, the format's reader chosen."""

from __future__ import annotations

import hashlib
from pathlib import Path

from etl.errors import BinaryFileError, EmptyFileError, ReadError, UnsupportedFormatError
from etl.models import Document
from etl.read.docx import _read_zip
from etl.read.encoding import _decode
from etl.read.files import DEFAULT_MAX_BYTES, _has_text, _mismatch, _normalize_newlines, _read_bytes, _sniff
from etl.read.html import _html_to_text, _looks_like_html
from etl.read.pdf import _read_pdf


def read_document(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one report file into a Document; every failure is a ReadError naming the file."""
    path = Path(path)
    name = path.name or str(path)
    data = _read_bytes(path, name, max_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    text, file_format, encoding = _to_text(data, name, path.suffix.lower())
    return Document(
        source_file=name, text=text, file_format=file_format, encoding=encoding, file_sha256=sha256
    )


def _to_text(data: bytes, name: str, suffix: str) -> tuple[str, str, str | None]:
    kind, description, advice = _sniff(data)
    if kind == "pdf":
        return _read_pdf(data, name), "pdf", None
    if kind == "zip":
        return _read_zip(data, name, suffix), "docx", None
    if kind == "unsupported":
        raise UnsupportedFormatError(name, _mismatch(suffix, description, advice))
    if kind == "binary":
        raise BinaryFileError(name, _mismatch(suffix, description))
    if suffix in (".pdf", ".docx"):
        _reject_text_as_binary_format(data, name, suffix)
    raw, encoding = _decode(data, name, suffix)
    raw = raw.removeprefix("\ufeff")
    if _looks_like_html(raw):
        text = _html_to_text(raw)
        if not _has_text(text):
            raise EmptyFileError(name, "the HTML page has no readable text (only markup or scripts)")
        return text, "html", encoding
    text = _normalize_newlines(raw)
    if not _has_text(text):
        raise EmptyFileError(name, "the file contains only whitespace")
    return text, "txt", encoding


def _reject_text_as_binary_format(data: bytes, name: str, suffix: str) -> None:
    # A .pdf/.docx holding text is nearly always an error page saved by a failed download:
    # reading it as the report would be wrong, so say what it is instead.
    head = data[:4096].lower()
    if b"<html" in head or b"<!doctype" in head or b"<body" in head:
        raise UnsupportedFormatError(
            name, _mismatch(suffix, "an HTML web page", "perhaps a failed download was saved under this name")
        )
    try:
        raw, _ = _decode(data, name, suffix)
    except ReadError as exc:
        raise type(exc)(name, _mismatch(suffix, "unrecognised binary data")) from exc
    if _has_text(raw):
        raise UnsupportedFormatError(
            name, _mismatch(suffix, "plain text", "rename it to .txt if it is the report")
        )
    raise EmptyFileError(name, _mismatch(suffix, "only whitespace"))
