"""Fuzzing every reader and the extractor: a valid result or a typed EtlError, never a crash, never a hang."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from etl.errors import EtlError
from etl.extract.pipeline import ExtractedReport, process_document
from etl.models import Document
from etl.ops.add import preview, safe_name
from etl.ops.corrections import check_period, check_value
from etl.read import SUPPORTED_SUFFIXES, read_document
from etl.store.corrections_log import Correction, CorrectionError

SECONDS = 10  # per example: far above any real file of this size; only a hang reaches it
# FUZZ_EXAMPLES=2000 for a longer campaign; the default keeps the suite fast.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])  # fmt: skip


class Hang(Exception):
    pass


@contextlib.contextmanager
def no_hang(seconds: int = SECONDS):
    """Fail (rather than wait forever) when one call runs longer than ``seconds``."""

    def alarm(*_):
        raise Hang(f"no result after {seconds}s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def read_or_error(path: Path):
    with no_hang():
        try:
            return read_document(path, max_bytes=64 * 1024)
        except EtlError as exc:
            assert str(exc).startswith(path.name), exc  # the message names the file
            return exc


def extract_or_error(doc: Document):
    with no_hang():
        try:
            rep = process_document(doc)
        except EtlError as exc:
            return exc
    assert isinstance(rep, ExtractedReport)
    for f in rep.facts:  # a result is a valid one: every fact points into the text it came from
        assert rep.norm.text[f.value_start : f.value_end] == f.value_text
        assert f.evidence_start <= f.value_start < f.value_end <= f.evidence_end
    return rep


# ---------------------------------------------------------------- readers

MAGIC = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<html>",
         b"<!DOCTYPE html>", b"\x89PNG\r\n\x1a\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1",
         b"\x1f\x8b", b"MZ"]  # fmt: skip


@FUZZ
@given(
    suffix=st.sampled_from(SUPPORTED_SUFFIXES), prefix=st.sampled_from(MAGIC), data=st.binary(max_size=4096)
)
def test_arbitrary_bytes_under_every_suffix(tmp_path, suffix, prefix, data):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(prefix + data)
    result = read_or_error(path)
    assert isinstance(result, (Document, EtlError))


@st.composite
def zips(draw):
    """ZIP containers shaped like a .docx, with random members and random (often broken) XML."""
    buf = io.BytesIO()
    names = draw(st.lists(st.sampled_from(["word/document.xml", "[Content_Types].xml", "word/styles.xml",
                                           "xl/workbook.xml", "mimetype", "word/../../evil.xml"]),
                          min_size=1, max_size=4, unique=True))  # fmt: skip
    with zipfile.ZipFile(buf, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as zf:
        for name in names:
            body = draw(st.one_of(
                st.binary(max_size=512),
                st.text(max_size=200).map(lambda t: (
                    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                    f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:body></w:document>"
                ).encode("utf-8", "surrogatepass")),
            ))  # fmt: skip
            zf.writestr(name, body)
    data = buf.getvalue()
    cut = draw(st.integers(min_value=len(data) // 2, max_value=len(data)))  # sometimes truncated
    return data[:cut]


@FUZZ
@given(data=zips(), suffix=st.sampled_from([".docx", ".txt", ".pdf"]))
def test_broken_word_files(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    assert isinstance(read_or_error(path), (Document, EtlError))


@st.composite
def pdfs(draw):
    """PDF-looking files: a header, random objects, sometimes a text stream, random truncation."""
    objs = draw(st.lists(st.sampled_from([
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n",
        b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R /MediaBox [0 0 612 792] >> endobj\n",
        b"4 0 obj << /Length 44 >> stream\nBT /F1 12 Tf 72 712 Td (Hello) Tj ET\nendstream endobj\n",
        b"5 0 obj << /Length 999999 /Filter /FlateDecode >> stream\nxx\nendstream endobj\n",
        b"6 0 obj << /Encrypt 7 0 R >> endobj\n",
    ]), max_size=6))  # fmt: skip
    junk = draw(st.binary(max_size=256))
    tail = draw(
        st.sampled_from([b"", b"trailer << /Root 1 0 R >>\n%%EOF", b"xref\n0 1\n0000000000 65535 f \n"])
    )
    return b"%PDF-1.4\n" + b"".join(objs) + junk + tail


@FUZZ
@given(data=pdfs())
def test_broken_pdfs(tmp_path, data):
    path = tmp_path / "fuzz.pdf"
    path.write_bytes(data)
    assert isinstance(read_or_error(path), (Document, EtlError))


@FUZZ
@given(
    body=st.lists(st.one_of(
        st.text(max_size=40),
        st.sampled_from(["<script>", "</script>", "<style>", "<p>", "</p>", "<div>", "<br>", "<!--", "-->",
                         "<h1>", "<table><tr><td>", "&nbsp;", "&#x0;", "<![CDATA[", "人大常委会",
                         "开展执法检查7项。"]),
    ), max_size=40),
    codec=st.sampled_from(["utf-8", "gb18030", "utf-16"]),
)  # fmt: skip
def test_arbitrary_html(tmp_path, body, codec):
    path = tmp_path / "fuzz.html"
    path.write_bytes(("<html><body>" + "".join(body) + "</body></html>").encode(codec, "replace"))
    assert isinstance(read_or_error(path), (Document, EtlError))


# ---------------------------------------------------------------- extractor

REPORT_WORDS = ["人大常委会", "常务委员会", "各位代表", "一、", "过去一年", "2023年", "2018年以来", "今年",
                "工作安排", "开展执法检查", "专题询问", "代表建议", "件", "次", "项", "人次", "%", "百分之",
                "余", "近", "第",
                "7", "七", "十二", "3万", "，", "。", "\n", "；", "（", "）", "全市五级", "其中"]  # fmt: skip


@FUZZ
@given(text=st.text(max_size=2000))
def test_arbitrary_text_through_the_extractor(text):
    assume(text.strip())
    result = extract_or_error(Document("fuzz.txt", text, "txt"))
    assert isinstance(result, (ExtractedReport, EtlError))


@FUZZ
@given(
    parts=st.lists(st.one_of(st.sampled_from(REPORT_WORDS), st.text(max_size=5)), min_size=1, max_size=300)
)
def test_report_like_text_through_the_extractor(parts):
    text = "郑州市人大常委会工作报告\n" + "".join(parts)
    result = extract_or_error(Document("fuzz.txt", text, "txt"))
    assert isinstance(result, (ExtractedReport, EtlError))


@FUZZ
@given(suffix=st.sampled_from(SUPPORTED_SUFFIXES), data=st.binary(max_size=2048))
def test_preview_end_to_end(tmp_path, suffix, data):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + "市人大常委会开展执法检查7项。".encode() + data)
    with no_hang():
        try:
            rep = preview(path, max_bytes=64 * 1024, time_limit=None)
        except EtlError:
            return
    assert isinstance(rep, ExtractedReport)


# ---------------------------------------------------------------- what analysts type


@FUZZ
@given(value=st.one_of(st.text(max_size=20), st.floats(allow_nan=True), st.integers()))
def test_correction_values_are_numbers_or_a_clear_error(value):
    try:
        v = check_value(value)
    except CorrectionError:
        return
    assert v >= 0 and v == v and v != float("inf")


@FUZZ
@given(period=st.one_of(st.text(max_size=12), st.integers(), st.tuples(st.integers(), st.integers())))
def test_correction_periods_are_years_or_a_clear_error(period):
    try:
        p = check_period(period)
    except CorrectionError:
        return
    assert 1949 <= p[0] <= p[1] <= 2100


@FUZZ
@given(d=st.dictionaries(st.sampled_from(["action", "correction_id", "user", "at", "reason", "fact_id", "x"]),
                         st.one_of(st.text(max_size=10), st.none(), st.integers())))  # fmt: skip
def test_log_lines_are_corrections_or_a_clear_error(d):
    try:
        rec = Correction.from_dict(d, "log line 1")
    except CorrectionError as exc:
        assert "log line 1" in str(exc)
        return
    assert rec.action in ("set", "reject", "add", "revert")


@FUZZ
@given(name=st.text(max_size=60))
def test_upload_names_never_escape_their_folder(name):
    try:
        base = safe_name(name)
    except EtlError:
        return
    assert "/" not in base and "\\" not in base and not base.startswith(".") and base


def test_the_hang_guard_itself_works():
    with pytest.raises(Hang), no_hang(1):
        signal.pause()
