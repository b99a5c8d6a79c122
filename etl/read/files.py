"""Which files are reports, their bytes read within a size limit, and their format judged by content."""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from etl.errors import EmptyFileError, FileTooLargeError, ReadError

SUPPORTED_SUFFIXES = (".txt", ".text", ".htm", ".html", ".pdf", ".docx")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# What a suffix promises, for messages: "... not a PDF file".
_FORMAT_NAMES = {".txt": "a text", ".text": "a text", ".htm": "an HTML", ".html": "an HTML", ".pdf": "a PDF"}
_FORMAT_NAMES[".docx"] = "a Word (.docx)"


def report_file_problem(name: str) -> str | None:
    """Why a file of this name is not a report file, or None if it is.

    The one rule for ``build`` (which files it reads), ``add`` and the dashboard's upload (which files they
    accept): a file one of them took that a later build skips would vanish with its corrections.
    """
    if not name or name in (".", ".."):
        return "the file has no usable name"
    if name.startswith("."):
        return "a hidden file (its name starts with '.'), which builds skip: rename it without the dot"
    if name.startswith("~$"):  # the lock file Word leaves next to an open document
        return "an editor's lock file (~$…), not a document: give the document itself"
    suffix = Path(name).suffix.lower()
    if not suffix:
        return f"unsupported file type: the name has no extension; name it {', '.join(SUPPORTED_SUFFIXES)}"
    if suffix not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {suffix}: report files are {', '.join(SUPPORTED_SUFFIXES)}"
    return None


def is_report_file(path: str | Path) -> bool:
    """True for a file a build should read (see ``report_file_problem``) that is not a folder."""
    p = Path(path)
    if report_file_problem(p.name) is not None:
        return False
    return not p.exists() or p.is_file()


# ---------------------------------------------------------------- bytes


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise ReadError(name, f"file not found ({path})") from exc
    except OSError as exc:
        raise ReadError(name, f"cannot access the file ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(name, f"is a directory, not a report file ({path})")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(name, "is not a regular file (device, pipe or socket)")
    # Checked before reading so a huge file never gets loaded into memory.
    if st.st_size > max_bytes:
        raise FileTooLargeError(name, f"the file is {_size(st.st_size)}, over the {_size(max_bytes)} limit")
    if st.st_size == 0:
        raise EmptyFileError(name, "the file is empty (0 bytes)")
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise ReadError(name, f"cannot read the file ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:  # the file grew after stat
        raise FileTooLargeError(name, f"the file is over the {_size(max_bytes)} limit")
    if not data:
        raise EmptyFileError(name, "the file is empty (0 bytes)")
    return data


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# ---------------------------------------------------------------- format sniffing

# (magic, offset, description); formats the readers cannot use, recognised so the error can say what the
# file is.
_BINARY_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"II*\x00", 0, "a TIFF image"),
    (b"MM\x00*", 0, "a TIFF image"),
    (b"\x7fELF", 0, "a Linux/Unix executable (ELF)"),
    (b"\xfe\xed\xfa\xce", 0, "a macOS executable (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", 0, "a macOS executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", 0, "a macOS executable (Mach-O)"),
    (b"\xcf\xfa\xed\xfe", 0, "a macOS executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", 0, "a Java class file or macOS universal binary"),
    (b"\x00asm", 0, "a WebAssembly module"),
    (b"\x1f\x8b", 0, "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"\xfd7zXZ\x00", 0, "an xz-compressed file"),
    (b"SQLite format 3\x00", 0, "an SQLite database"),
    (b"OggS", 0, "an Ogg audio/video file"),
    (b"\x1a\x45\xdf\xa3", 0, "a Matroska/WebM video"),
    (b"ftyp", 4, "an MP4/MOV/HEIC media file"),
)
_UNSUPPORTED_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Microsoft Office file (.doc/.xls/.ppt)",
        "save it as .docx or .pdf",
    ),
    (b"{\\rtf", "an RTF document", "save it as .docx or .txt"),
    (b"%!PS", "a PostScript file", "convert it to PDF"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"\x84\x31\x95\x33", "gb18030"),
)


def _sniff(data: bytes) -> tuple[str, str, str]:
    """(kind, description, advice): kind is pdf, zip, unsupported, binary or text."""
    if data[:1024].lstrip(b" \t\r\n\x0c")[:5] == b"%PDF-":
        return "pdf", "a PDF document", ""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip", "a ZIP archive", ""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return "text", "text", ""
    for magic, offset, description in _BINARY_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return "binary", description, ""
    for magic, description, advice in _UNSUPPORTED_MAGIC:
        if data.startswith(magic):
            return "unsupported", description, advice
    head = data[:64]
    # "MZ" alone is too weak (a text may start with it); a PE header also has NULs right away.
    if head.startswith(b"MZ") and len(head) == 64 and b"\x00" in head:
        return "binary", "a Windows program or library (EXE/DLL)", ""
    if head.startswith(b"BM") and len(head) >= 26 and head[6:10] == b"\x00\x00\x00\x00":
        return "binary", "a BMP image", ""
    if head.startswith(b"RIFF") and len(head) >= 12:
        return "binary", f"a RIFF media file ({head[8:12].decode('latin-1').strip()})", ""
    if head.startswith(b"ID3") and len(head) > 3 and head[3] in (2, 3, 4):
        return "binary", "an MP3 audio file", ""
    return "text", "text", ""


def _mismatch(suffix: str, description: str, advice: str = "") -> str:
    """Say what the content really is, against what the name promised, and what to do about it."""
    if suffix in _FORMAT_NAMES:
        message = (
            f"the name ends in {suffix} but the content is {description}, not {_FORMAT_NAMES[suffix]} file"
        )
    else:
        message = f"the content is {description}"
    return f"{message}; {advice}" if advice else message


def _has_text(text: str) -> bool:
    return any(not c.isspace() and c not in "\ufeff\u200b\u200c\u200d\u2060" for c in text)


def _normalize_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for sep in ("\u2028", "\u2029", "\x85"):
        if sep in text:
            text = text.replace(sep, "\n")
    return text
