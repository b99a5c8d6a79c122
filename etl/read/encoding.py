"""Text bytes → str: a byte-order mark, strict UTF-8, else the most plausible Chinese-first codec."""

from __future__ import annotations

import codecs
import functools
import re

from charset_normalizer import from_bytes

from etl.errors import BinaryFileError, UndecodableError
from etl.read.files import _BOMS, _mismatch

# Detection works on a prefix: enough to judge, cheap even for a 50 MB file.
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_CHARS = 20_000


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
    """Decode text bytes: a BOM decides; else strict UTF-8; else the most plausible Chinese-first
    candidate."""
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
