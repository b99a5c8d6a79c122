"""Typed errors: each names the file and says what went wrong, in words a user can act on."""

from __future__ import annotations


class EtlError(Exception):
    """Base class for every error the pipeline raises on purpose."""


class ReadError(EtlError):
    """A report file could not be turned into text."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EmptyFileError(ReadError):
    """The file has no bytes or only whitespace."""


class BinaryFileError(ReadError):
    """The file is binary data that is not a supported document format."""


class UndecodableError(ReadError):
    """No supported Chinese encoding decodes the bytes cleanly."""


class NoTextLayerError(ReadError):
    """A PDF whose pages carry no extractable text (scanned images)."""


class UnsupportedFormatError(ReadError):
    """A format the readers do not handle."""


class FileTooLargeError(ReadError):
    """The file, or an archive member inside it, exceeds the size limit."""


class NotAReportError(EtlError):
    """Text was read but nothing in it looks like a congress work report."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class CatalogError(EtlError):
    """The metric catalog data file is malformed."""


class ExportError(EtlError):
    """Facts could not be exported: unknown format, missing database or unwritable output."""
