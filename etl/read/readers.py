"""Read report files (txt, html, pdf, docx) into text, judging the format by content and detecting the encoding."""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import re
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

from etl.errors import (
    BinaryFileError,
    EmptyFileError,
    FileTooLargeError,
    NoTextLayerError,
    ReadError,
    UndecodableError,
    UnsupportedFormatError,
)
from etl.models import Document

SUPPORTED_SUFFIXES = (".txt", ".text", ".htm", ".html", ".pdf", ".docx")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Zip-bomb guards, checked on the central directory before any member is inflated.
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_RATIO = 200
DOCX_MAX_MEMBERS = 5000
# Small members can legitimately compress very well (repetitive XML); only big ones are a threat.
_RATIO_MIN_SIZE = 1024 * 1024

# A PDF with fewer visible characters per page than this is treated as scanned images.
_PDF_MAX_PAGES = 2000
_PDF_MIN_CHARS_PER_PAGE = 5

# Detection works on a prefix: enough to judge, cheap even for a 50 MB file.
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_CHARS = 20_000

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


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# ---------------------------------------------------------------- format sniffing

# (magic, offset, description); formats the readers cannot use, recognised so the error can say what the file is.
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


def _has_text(text: str) -> bool:
    return any(not c.isspace() and c not in "\ufeff\u200b\u200c\u200d\u2060" for c in text)


def _normalize_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for sep in ("\u2028", "\u2029", "\x85"):
        if sep in text:
            text = text.replace(sep, "\n")
    return text


# ---------------------------------------------------------------- encodings

# Labels seen in <meta charset> and detectors; WHATWG maps the GB family to GB18030 as well.
_GB_LABELS = frozenset(
    "gb2312 gbk x-gbk cp936 ms936 windows-936 gb-2312 gb-2312-80 gb2312-80 csgb2312 iso-ir-58 chinese "
    "euc-cn euccn gb18030 gb-18030 936".split()
)
_BIG5_LABELS = frozenset("big5 big-5 cn-big5 csbig5 x-x-big5 x-big5 cp950 ms950 big5-hkscs big5hkscs".split())
_BIG5_CODECS = ("big5", "cp950", "big5hkscs")
_CHINESE_CODECS = frozenset(("gb18030", "big5", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)


def _decode(data: bytes, name: str, suffix: str) -> tuple[str, str]:
    """Decode text bytes: a BOM decides; else strict UTF-8; else the most plausible Chinese-first candidate."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise UndecodableError(
                    name, f"starts with a {codec.upper()} byte-order mark but is not valid {codec.upper()}"
                ) from exc
            _check_plausible(text, name, suffix, codec)
            return text, codec

    sample = data[:_SAMPLE_BYTES]
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and _control_ratio_text(utf8[:_SAMPLE_CHARS]) <= 0.02:
        return utf8, "utf-8"

    # Either not UTF-8, or "UTF-8" full of control characters: BOM-less UTF-16 looks like that,
    # since its ASCII characters leave NULs and pure-CJK stretches can be all 7-bit bytes.
    candidates: list[str] = []
    if len(data) % 2 == 0:
        candidates += ["utf-16-le", "utf-16-be"]
    if len(data) % 4 == 0 and b"\x00\x00" in sample:
        candidates += ["utf-32-le", "utf-32-be"]
    declared = None
    if utf8 is None:
        declared = _declared_charset(sample)
        if declared in (None, "gb18030"):
            # The mainland default first: real GB text scores ~1.0 (Big5 or random bytes read as GB18030
            # score far below), so a near-perfect score needs no contest with the other codecs.
            sure = _strict_decode(data, "gb18030")
            if sure is not None and _control_ratio_text(sure[0][:_SAMPLE_CHARS]) <= 0.02:
                if _plausibility(sure[0][:_SAMPLE_CHARS]) >= _SURE_SCORE:
                    return sure
        candidates += ["gb18030", "big5"]
        if declared and declared not in candidates and _ascii_compatible(declared):
            candidates.append(declared)
        for guess in _charset_normalizer_guesses(sample):
            if guess not in candidates:
                candidates.append(guess)

    best: tuple[float, str, str] | None = None
    for candidate in candidates:
        decoded = _strict_decode(data, candidate)
        if decoded is None:
            continue
        text, codec = decoded
        head = text[:_SAMPLE_CHARS]
        if _control_ratio_text(head) > 0.02:
            continue
        score = _plausibility(head)
        # Ties go to the mainland default, and a page's own declaration breaks near-ties;
        # a non-Chinese codec (a detector's guess of Shift-JIS, cp1252...) must win clearly.
        if candidate == "gb18030":
            score += 0.02
        elif candidate not in _CHINESE_CODECS:
            score -= 0.15
        if candidate == declared:
            score += 0.1
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] < _MIN_SCORE:
        if b"\x00" in sample or _control_ratio(sample) > 0.01:
            raise BinaryFileError(name, _mismatch(suffix, "binary data"))
        raise UndecodableError(
            name,
            "cannot decode the text: it is not UTF-8, UTF-16, GB18030/GBK or Big5 (or it is binary data)",
        )
    return best[1], best[2]


def _declared_charset(sample: bytes) -> str | None:
    """The encoding an HTML/XML head declares, mapped to the codec this module would try."""
    if b"<" not in sample:
        return None
    head = sample[:8192]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").strip().lower()
    return _codec_for_label(label)


def _codec_for_label(label: str) -> str | None:
    label = label.lower().replace("_", "-")
    if label in _GB_LABELS or label.replace("-", "") in _GB_LABELS:
        return "gb18030"  # superset of GB2312 and GBK, so always the safer decoder
    if label in _BIG5_LABELS:
        return "big5"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _charset_normalizer_guesses(sample: bytes) -> list[str]:
    # Cut at a line end so the detector does not see a half character at the end of the sample.
    cut = sample.rfind(b"\n")
    if cut > len(sample) // 2:
        sample = sample[: cut + 1]
    try:
        from charset_normalizer import from_bytes

        matches = from_bytes(sample)
    except Exception:  # the detector is only a hint; the scoring below decides
        return []
    guesses = []
    for match in list(matches)[:4]:
        codec = _codec_for_label(match.encoding)
        if codec and codec not in guesses and _ascii_compatible(codec):
            guesses.append(codec)
    return guesses


@functools.cache
def _ascii_compatible(codec: str) -> bool:
    # Rules out EBCDIC and the like: a Chinese report's digits and markup are plain ASCII bytes.
    probe = "Aa09<>/=\n "
    try:
        return probe.encode(codec) == probe.encode("ascii")
    except (LookupError, UnicodeError):
        return False


def _strict_decode(data: bytes, candidate: str) -> tuple[str, str] | None:
    codecs_to_try = _BIG5_CODECS if candidate == "big5" else (candidate,)
    for codec in codecs_to_try:
        try:
            return data.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    return None


@functools.cache
def _common_hanzi() -> frozenset[str]:
    """GB2312 level 1 and Big5 level 1: the everyday simplified and traditional characters."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if lead == 0xC6 and trail > 0x7E:
                break
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(c for c in chars if "\u4e00" <= c <= "\u9fff")


# Weight of each kind of character in a plausible Chinese report. Mojibake from a wrong
# Chinese codec lands on rare hanzi, kana, box drawing, private use or Hangul.
_MIN_SCORE = 0.55
_SURE_SCORE = 0.97  # GB18030 text this plausible is taken without trying the other codecs
_MIN_BOM_SCORE = 0.3  # a byte-order mark is strong evidence by itself
_WEIGHT_RANGES: tuple[tuple[int, int, float], ...] = (
    (0x00A0, 0x00BF, 0.8),  # Latin-1 punctuation: · × ° § ±
    (0x00C0, 0x024F, 0.3),  # Latin letters with accents (also pinyin)
    (0x0370, 0x04FF, 0.0),  # Greek, Cyrillic
    (0x1100, 0x11FF, -1.0),  # Hangul jamo
    (0x2000, 0x206F, 1.0),  # general punctuation: — “ ” …
    (0x2070, 0x20CF, 0.5),
    (0x2100, 0x22FF, 0.5),  # letterlike (℃ №), number forms (Ⅰ), arrows, maths
    (0x2460, 0x24FF, 0.8),  # ① ⑴ ⒈
    (0x2500, 0x257F, 0.0),  # box drawing
    (0x25A0, 0x26FF, 0.5),  # □ ■ ● ★
    (0x3000, 0x303F, 1.0),  # CJK punctuation: 、。〈〉《》「」
    (0x3040, 0x30FF, -0.5),  # kana
    (0x3100, 0x312F, -0.5),  # bopomofo
    (0x3130, 0x318F, -1.0),  # Hangul compatibility jamo
    (0x3200, 0x32FF, 0.5),  # ㈠ ㊣
    (0x3400, 0x4DBF, -0.5),  # CJK extension A: rare
    (0x4E00, 0x9FFF, 0.25),  # other hanzi (the common ones score 1 below)
    (0xA000, 0xA4CF, -1.0),  # Yi
    (0xAC00, 0xD7AF, -1.0),  # Hangul syllables
    (0xE000, 0xF8FF, -2.0),  # private use
    (0xF900, 0xFAFF, -1.0),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F, 0.5),  # vertical forms
    (0xFF01, 0xFF60, 1.0),  # full-width ASCII: ，（）：１２
    (0xFF61, 0xFF9F, -0.5),  # half-width kana
    (0xFFE0, 0xFFE6, 1.0),  # ￥ ￡
    (0xFFF0, 0xFFFF, -3.0),  # specials, U+FFFD
    (0x20000, 0x3FFFF, -1.0),  # CJK extensions B+
)


_INVISIBLE = re.compile("[ \t\n\r\x0c\x0b\u3000\xa0\ufeff]+")


@functools.cache
def _weight_classes() -> tuple[tuple[re.Pattern, float], ...]:
    """Each character kind as one regex class: counting them is a few C passes, not a Python loop."""
    common = "".join(sorted(_common_hanzi()))
    classes = [
        ("A-Za-z", 0.6),  # letters count less: mojibake of CJK yields stray ASCII letters
        ("!-@\\[-`{-~", 1.0),
        ("\x00-\x1f\x7f-\x9f", -3.0),
        (re.escape(common), 1.0),
    ]
    for lo, hi, weight in _WEIGHT_RANGES:
        if lo == 0x4E00:  # other hanzi: the common ones are counted above
            weight_other = weight
            classes.append((f"{chr(lo)}-{chr(hi)}", weight_other))
            classes.append((re.escape(common), -weight_other))
        elif weight:
            classes.append((f"{re.escape(chr(lo))}-{re.escape(chr(hi))}", weight))
    return tuple((re.compile(f"[{body}]"), w) for body, w in classes)


def _plausibility(text: str) -> float:
    """Mean weight of the visible characters: near 1 for real Chinese or ASCII text, low for mojibake."""
    text = _INVISIBLE.sub("", text)
    if not text:
        return 1.0
    total = sum(weight * len(rx.findall(text)) for rx, weight in _weight_classes())
    return total / len(text)


def _control_ratio(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1A, 0x1B))
    return controls / len(sample) if sample else 0.0


# C0 controls but tab, newline, form feed, carriage return, SUB and ESC; DEL and the C1 controls.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x19\x1c-\x1f\x7f-\x9f]")


def _control_ratio_text(text: str) -> float:
    return len(_CONTROL_CHARS.findall(text)) / len(text) if text else 0.0


def _check_plausible(text: str, name: str, suffix: str, codec: str) -> None:
    # Valid UTF-8 (or a BOM) does not make bytes text: control characters give binary away, and
    # random bytes behind a UTF-16 BOM decode to a soup of unrelated scripts.
    head = text[:_SAMPLE_CHARS]
    if _control_ratio_text(head) > 0.02:
        raise BinaryFileError(name, _mismatch(suffix, "binary data (many control characters)"))
    if codec not in ("utf-8", "utf-8-sig") and _plausibility(head) < _MIN_BOM_SCORE:
        raise UndecodableError(
            name, f"has a {codec.upper()} byte-order mark but the bytes do not decode to readable text"
        )


# ---------------------------------------------------------------- HTML

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
    r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])[ \t\r\n\f]*\n[ \t\r\n\f]*(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])"
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
    from lxml import etree
    from lxml import html as lxml_html

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
    from lxml import etree

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
    from lxml import etree

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
    from lxml import etree

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


# ---------------------------------------------------------------- PDF


def _read_pdf(data: bytes, name: str) -> str:
    """Text layer via PDFium (C, bounded time even on streams that inflate to tens of MB)."""
    import pypdfium2 as pdfium

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
            f"the PDF has no text layer (scanned?): {visible} characters on {len(pages)} page(s); run OCR first",
        )
    # Glyphs without a Unicode mapping come out as U+FFFD or private-use characters.
    unmapped = sum(1 for c in text if c == "\ufffd" or "\ue000" <= c <= "\uf8ff")
    if unmapped > visible / 2:
        raise NoTextLayerError(
            name, "the PDF's fonts have no Unicode mapping, so its text layer cannot be read; run OCR first"
        )
    return text


# ---------------------------------------------------------------- DOCX

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
                f"the ZIP container has {len(infos)} members (limit {DOCX_MAX_MEMBERS}); refusing it as a possible zip bomb",
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
            with zf.open("mimetype") as member:  # read a few bytes only: the member could be a bomb
                mimetype = member.read(100).decode("ascii", "replace")
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
            f"the Word file would unpack to {_size(total)} (limit {_size(DOCX_MAX_UNCOMPRESSED)}); refusing it as a possible zip bomb",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _RATIO_MIN_SIZE and ratio > DOCX_MAX_RATIO:
            raise FileTooLargeError(
                name,
                f"the member {info.filename} is compressed {ratio:.0f}:1 (limit {DOCX_MAX_RATIO}:1); refusing it as a possible zip bomb",
            )


def _docx_text(zf: zipfile.ZipFile, data: bytes, name: str) -> str:
    import docx
    from docx.oxml import parse_xml

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
