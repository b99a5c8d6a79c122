"""Tests for etl.read: formats judged by content, encodings detected, bad files rejected with clear errors."""

from __future__ import annotations

import hashlib
import html
import io
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from etl.errors import (
    BinaryFileError,
    EmptyFileError,
    FileTooLargeError,
    NoTextLayerError,
    ReadError,
    UndecodableError,
    UnsupportedFormatError,
)
from etl.read import SUPPORTED_SUFFIXES, is_report_file, read_document

# Digits (half- and full-width), full-width punctuation, as reports write them.
SIMPLIFIED = "2023年，市人大常委会共审议法规草案12件，听取专项报告８个（含预算）。"
SHORT = "常委会全年召开会议15次，审议议题48项。"  # ~20 characters: where detectors usually fail
TRADITIONAL = "臺灣地區立法機關審議預算案共計15件，通過決議３項。"
LONG = (
    "各位代表：\n"
    "受市第十六届人民代表大会常务委员会的委托，我向大会报告工作，请予审议。\n"
    "一年来，常委会共召开会议10次，制定和批准地方性法规7件，听取和审议专项工作报告18个，"
    "开展执法检查5次、专题询问2次，办理代表建议356件。\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- encodings


CODECS = [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"),  # Python writes a BOM
    ("utf-16-le", "utf-16-le"),  # no BOM: found from the bytes
    ("utf-16-be", "utf-16-be"),
    ("utf-32", "utf-32"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),  # GB18030 is the superset, so it is what gets reported
    ("gb2312", "gb18030"),
]
TEXTS = {"simplified": SIMPLIFIED, "short": SHORT, "long": LONG, "traditional": TRADITIONAL}


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        pytest.param(text, codec, expected, id=f"{label}-{codec}")
        for label, text in TEXTS.items()
        for codec, expected in CODECS
        if not (codec == "gb2312" and label == "traditional")  # GB2312 has no traditional characters
    ],
)
def test_unicode_and_gb_encodings_round_trip(tmp_path, text, codec, expected):
    doc = read_document(write(tmp_path, "report.txt", text.encode(codec)))
    assert doc.text == text
    assert doc.encoding == expected
    assert doc.file_format == "txt"


@pytest.mark.parametrize(
    "text", [TRADITIONAL, "本會審議通過條例草案３項，聽取報告12個。", "立法院第十屆會期"]
)
def test_big5_round_trips(tmp_path, text):
    doc = read_document(write(tmp_path, "tw.txt", text.encode("big5")))
    assert doc.text == text
    assert doc.encoding in ("big5", "cp950", "big5hkscs")


def test_gbk_detected_on_short_strings_from_real_reports(tmp_path):
    # Every 20-character window of a real report, in GBK and in UTF-16 without BOM.
    corpus = (CORPUS / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8").replace("\n", "")
    for start in range(0, 2000, 97):
        window = corpus[start : start + 20]
        for codec in ("gbk", "utf-16-le"):
            doc = read_document(write(tmp_path, "w.txt", window.encode(codec)))
            assert doc.text == window, (codec, window)


def test_line_breaks_normalized_and_nothing_else_changed(tmp_path):
    raw = "第一行  两个空格\r\n第二行\t制表符\r第三行\n　　全角缩进\r\n"
    doc = read_document(write(tmp_path, "r.txt", raw.encode("gb18030")))
    assert doc.text == "第一行  两个空格\n第二行\t制表符\n第三行\n　　全角缩进\n"


def test_sha256_of_the_bytes(tmp_path):
    data = SIMPLIFIED.encode("gbk")
    doc = read_document(write(tmp_path, "r.text", data))
    assert doc.file_sha256 == hashlib.sha256(data).hexdigest()
    assert doc.source_file == "r.text"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no bundled corpus")
@pytest.mark.parametrize(
    "path", sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else [], ids=lambda p: p.name
)
def test_bundled_reports_read_exactly(path):
    doc = read_document(path)
    assert doc.text == path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    assert doc.file_format == "txt"
    assert doc.encoding == "utf-8"


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}">
<title>郑州市人民代表大会常务委员会工作报告_郑州人大网</title>
<style>p {{ color: red }} .STYLE_TEXT {{}}</style>
<script>var secret = "SCRIPT_TEXT"; document.write("<p>脚本段落</p>");</script>
</head>
<body>
<div class="header"><h1>郑州人大网</h1><div class="menu"><a href="/">首页</a><a>人大新闻</a></div></div>
<nav><ul><li>导航栏目</li></ul></nav>
<div class="main">
 <div class="position">当前位置：首页 &gt; 工作报告</div>
 <div class="TRS_Editor">
  <p>　　各位代表：</p>
  <p>　　受市第十六届人民代表大会常务委员会的委托，我向大会报告工作，
  请予审议。</p>
  <p>　　一年来，共审议法规草案12件&nbsp;，听取专项报告８个&amp;开展执法检查3次。</p>
  <table><tr><td>项目</td><td>数量</td></tr><tr><td>代表建议</td><td>356件</td></tr></table>
  <p>以上报告，请予审议。<br>谢谢！</p>
 </div>
 <div class="bdshare">分享到：微信 微博</div>
 <div id="comments">网友评论：写得好</div>
</div>
<div class="footer">主办：市人大常委会办公厅 备案号：豫ICP备123号</div>
<noscript>请开启JavaScript</noscript>
<script>alert("SCRIPT_TWO")</script>
</body></html>
"""


@pytest.mark.parametrize(
    ("charset", "codec"), [("utf-8", "utf-8"), ("gb2312", "gb18030"), ("gbk", "gb18030")]
)
def test_html_main_text_only(tmp_path, charset, codec):
    doc = read_document(write(tmp_path, "page.html", PAGE.format(charset=charset).encode(codec)))
    assert doc.file_format == "html"
    assert doc.encoding == codec
    for junk in ("SCRIPT_TEXT", "SCRIPT_TWO", "脚本段落", "STYLE_TEXT", "color", "导航栏目", "首页", "分享到",
                 "网友评论", "备案号", "JavaScript"):  # fmt: skip
        assert junk not in doc.text
    lines = doc.text.split("\n")
    assert lines[0] == "郑州市人民代表大会常务委员会工作报告"  # the title, as the body lacks it
    body = [
        "　　各位代表：",
        "　　受市第十六届人民代表大会常务委员会的委托，我向大会报告工作，请予审议。",
        "　　一年来，共审议法规草案12件\xa0，听取专项报告８个&开展执法检查3次。",  # entities decoded
        "项目\t数量",
        "代表建议\t356件",
        "以上报告，请予审议。",
        "谢谢！",
    ]
    assert lines[1:] == body


def test_html_big5_with_meta_charset(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head>'
        f"<body><p>{TRADITIONAL}</p></body></html>"
    )
    doc = read_document(write(tmp_path, "tw.htm", page.encode("big5")))
    assert doc.text == TRADITIONAL
    assert doc.encoding in ("big5", "cp950", "big5hkscs")


def test_html_meta_charset_ignored_when_inconsistent(tmp_path):
    # Saved as UTF-8 by a browser that kept the page's old declaration.
    page = f'<html><head><meta charset="gb2312"></head><body><p>{SIMPLIFIED}</p></body></html>'
    doc = read_document(write(tmp_path, "p.html", page.encode("utf-8")))
    assert doc.text == SIMPLIFIED
    assert doc.encoding == "utf-8"


def test_html_prefers_article_and_keeps_its_heading(tmp_path):
    page = (
        "<html><head><title>站点首页</title></head><body>"
        "<div>最新动态 热点新闻 专题专栏 图片新闻 视频新闻 这是一大段不属于正文的站点文字</div>"
        "<article><header><h1>常委会工作报告</h1></header><p>第一段正文内容较长，共审议法规草案12件。</p>"
        "<p>第二段正文。</p><div class='share-box'>分享</div></article>"
        "<aside>侧栏推荐阅读</aside></body></html>"
    )
    doc = read_document(write(tmp_path, "a.html", page.encode("utf-8")))
    assert doc.text.split("\n") == [
        "常委会工作报告",
        "第一段正文内容较长，共审议法规草案12件。",
        "第二段正文。",
    ]


def test_html_without_paragraphs_keeps_br_lines(tmp_path):
    page = "<html><body><div id='content'>第一行内容<br/>第二行内容<br><br>第三行内容</div></body></html>"
    doc = read_document(write(tmp_path, "b.html", page.encode("gb18030")))
    assert doc.text == "第一行内容\n第二行内容\n\n第三行内容"


def test_html_in_txt_and_text_in_html_read_by_content(tmp_path):
    as_txt = read_document(
        write(tmp_path, "page.txt", b"<html><body><p>\xe6\xad\xa3\xe6\x96\x87</p></body></html>")
    )
    assert (as_txt.file_format, as_txt.text) == ("html", "正文")
    as_html = read_document(write(tmp_path, "plain.html", SHORT.encode("utf-8")))
    assert (as_html.file_format, as_html.text) == ("txt", SHORT)


def test_html_with_only_scripts_is_empty(tmp_path):
    page = (
        b"<html><head><script>var a = 1;</script></head>"
        b"<body><script>document.write('x')</script></body></html>"
    )
    with pytest.raises(EmptyFileError, match="only.html"):
        read_document(write(tmp_path, "only.html", page))


def test_deeply_nested_html_does_not_crash(tmp_path):
    # Deeper than Python's recursion limit; the parser itself stops at 2048 levels.
    page = "<html><body>" + "<div>" * 1500 + "深层正文" + "</div>" * 1500 + "</body></html>"
    assert read_document(write(tmp_path, "deep.html", page.encode("utf-8"))).text == "深层正文"
    page = "<html><body>" + "<div><span>" * 100_000 + "太深了" + "</body></html>"
    with pytest.raises(EmptyFileError):
        read_document(write(tmp_path, "deeper.html", page.encode("utf-8")))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no bundled corpus")
def test_bundled_report_as_a_news_page(tmp_path):
    # A real report laid out as a typical government news page, saved in GBK.
    report = (CORPUS / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in report.split("\n") if line.strip()]
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
    page = (
        '<html><head><meta charset="gbk"><title>工作报告_郑州日报</title></head><body>'
        '<div id="nav"><a>首页</a><a>人大要闻</a><a>代表工作</a></div>'
        f'<div class="content"><div class="TRS_Editor">{paragraphs}</div></div>'
        '<ul class="related"><li>相关新闻：某某会议召开</li></ul>'
        '<div class="copyright">版权所有 郑州日报社</div></body></html>'
    )
    doc = read_document(write(tmp_path, "report.html", page.encode("gb18030")))
    assert doc.text.split("\n") == lines


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no bundled corpus")
def test_bundled_report_as_docx(tmp_path):
    report = (CORPUS / "001_e5195fff5a83099a.txt").read_text(encoding="utf-8")
    document = docx.Document()
    for line in report.split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "report.docx"
    document.save(str(path))
    assert read_document(path).text == report


# ---------------------------------------------------------------- PDF


def make_pdf(
    path: Path, lines: list[str], *, pages: int = 1, rectangle: bool = False, encrypt: str | None = None
) -> Path:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), encrypt=encrypt)
    for _ in range(pages):
        c.setFont("STSong-Light", 12)
        y = 800
        for line in lines:
            c.drawString(50, y, line)
            y -= 20
        if rectangle:
            c.rect(100, 100, 200, 200, fill=1)
        c.showPage()
    c.save()
    return path


def test_pdf_text_layer(tmp_path):
    path = make_pdf(tmp_path / "report.pdf", ["郑州市人大常委会工作报告", SIMPLIFIED])
    doc = read_document(path)
    assert doc.file_format == "pdf"
    assert doc.encoding is None
    assert doc.text == "郑州市人大常委会工作报告\n" + SIMPLIFIED


def test_pdf_pages_joined_in_order(tmp_path):
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "two.pdf"
    c = canvas.Canvas(str(path))
    for text in ("第一页的正文内容", "第二页的正文内容"):
        c.setFont("STSong-Light", 12)
        c.drawString(50, 800, text)
        c.showPage()
    c.save()
    assert read_document(path).text == "第一页的正文内容\n第二页的正文内容"


def test_pdf_without_text_is_scanned(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [], pages=3, rectangle=True)
    with pytest.raises(NoTextLayerError, match=r"scan\.pdf.*no text layer"):
        read_document(path)


def test_pdf_with_a_handful_of_characters_is_scanned(tmp_path):
    path = make_pdf(tmp_path / "nums.pdf", ["1"], pages=4, rectangle=True)
    with pytest.raises(NoTextLayerError):
        read_document(path)


def test_encrypted_pdf(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", ["秘密"], encrypt="secret")
    with pytest.raises(ReadError, match=r"locked\.pdf.*password") as info:
        read_document(path)
    assert info.value.__cause__ is not None


def test_damaged_pdf(tmp_path):
    with pytest.raises(ReadError, match=r"broken\.pdf") as info:
        read_document(
            write(tmp_path, "broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ngarbage")
        )
    assert info.value.__cause__ is not None


def test_pdf_named_docx_is_read_by_content(tmp_path):
    path = make_pdf(tmp_path / "misnamed.docx", ["内容决定格式"])
    doc = read_document(path)
    assert (doc.file_format, doc.text) == ("pdf", "内容决定格式")


# ---------------------------------------------------------------- DOCX


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("市人大常委会工作报告", level=1)
    document.add_paragraph("各位代表：")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).text = "数量"
    table.cell(1, 0).text = "代表建议"
    table.cell(1, 1).text = "356件"
    paragraph = document.add_paragraph("共审议法规草案")
    paragraph.add_run("12件").bold = True
    paragraph.add_run("，听取报告８个。")
    document.save(str(path))
    return path


def test_docx_paragraphs_and_table_in_order(tmp_path):
    doc = read_document(make_docx(tmp_path / "report.docx"))
    assert doc.file_format == "docx"
    assert doc.encoding is None
    assert doc.text.split("\n") == [
        "市人大常委会工作报告",
        "各位代表：",
        "项目\t数量",
        "代表建议\t356件",
        "共审议法规草案12件，听取报告８个。",
    ]


def test_empty_docx(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyFileError, match=r"blank\.docx"):
        read_document(path)


def test_docx_zip_bomb_total_size(tmp_path):
    # 300 MB of zeros deflates to about 1.3 MB: refused from the directory, never inflated.
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        with zf.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(chunk)
    with pytest.raises(FileTooLargeError, match=r"bomb\.docx.*zip bomb"):
        read_document(path)


def test_docx_zip_bomb_ratio(tmp_path):
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("word/media/zeros.bin", b"\0" * (20 << 20))
    with pytest.raises(FileTooLargeError, match=r"ratio\.docx.*compressed"):
        read_document(path)


def test_docx_with_too_many_members(tmp_path):
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(5001):
            zf.writestr(f"m/{i}", b"")
    with pytest.raises(FileTooLargeError, match=r"many\.docx.*5002 members"):
        read_document(path)


def test_corrupt_docx(tmp_path):
    data = make_docx(tmp_path / "good.docx").read_bytes()
    with pytest.raises(ReadError, match=r"cut\.docx") as info:
        read_document(write(tmp_path, "cut.docx", data[: len(data) // 2]))
    assert info.value.__cause__ is not None


def test_docx_with_broken_xml(tmp_path):
    path = tmp_path / "badxml.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><unclosed>")
    with pytest.raises(ReadError, match=r"badxml\.docx.*damaged"):
        read_document(path)


def test_xlsx_named_docx(tmp_path):
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnsupportedFormatError, match=r"sheet\.docx.*Excel"):
        read_document(path)


# ---------------------------------------------------------------- bad inputs


def test_empty_file(tmp_path):
    with pytest.raises(EmptyFileError, match=r"empty\.txt"):
        read_document(write(tmp_path, "empty.txt", b""))


@pytest.mark.parametrize(
    "data", [b"  \r\n\t \n", "\u3000\u3000\n".encode("gb18030"), b"\xef\xbb\xbf", b"\xff\xfe \x00\n\x00"]
)
def test_whitespace_or_bom_only_is_empty(tmp_path, data):
    with pytest.raises(EmptyFileError, match=r"blank\.txt"):
        read_document(write(tmp_path, "blank.txt", data))


def test_random_binary(tmp_path):
    data = bytes(range(256)) * 8
    with pytest.raises((BinaryFileError, UndecodableError), match=r"noise\.txt"):
        read_document(write(tmp_path, "noise.txt", data))


def test_undecodable_high_bytes(tmp_path):
    data = bytes([0x80, 0xFF] * 50)  # invalid lead bytes in every supported encoding
    with pytest.raises((UndecodableError, BinaryFileError), match=r"odd\.txt"):
        read_document(write(tmp_path, "odd.txt", data))


@pytest.mark.parametrize(
    ("name", "data", "error", "says"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + bytes(50), BinaryFileError, "PNG image"),
        ("scan.pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(50), BinaryFileError, "JPEG image"),
        ("anim.html", b"GIF89a" + bytes(50), BinaryFileError, "GIF image"),
        ("tool.docx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(100), BinaryFileError, "Windows program"),
        ("prog.pdf", b"\x7fELF\x02\x01\x01" + bytes(100), BinaryFileError, "ELF"),
        (
            "old.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
            UnsupportedFormatError,
            "old Microsoft Office",
        ),
        ("rich.txt", b"{\\rtf1\\ansi hello}", UnsupportedFormatError, "RTF"),
    ],
)
def test_binary_formats_named_as_documents(tmp_path, name, data, error, says):
    with pytest.raises(error) as info:
        read_document(write(tmp_path, name, data))
    message = str(info.value)
    assert message.startswith(name)
    assert says in message


def test_zip_named_pdf(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(BinaryFileError, match=r"^report\.pdf: .*\.pdf but the content is a ZIP archive"):
        read_document(write(tmp_path, "report.pdf", buf.getvalue()))


def test_html_error_page_named_pdf(tmp_path):
    page = b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>"
    with pytest.raises(UnsupportedFormatError, match=r"report\.pdf.*HTML"):
        read_document(write(tmp_path, "report.pdf", page))


def test_text_named_docx(tmp_path):
    with pytest.raises(UnsupportedFormatError, match=r"notes\.docx.*plain text"):
        read_document(write(tmp_path, "notes.docx", SIMPLIFIED.encode("gbk")))


def test_too_large(tmp_path):
    path = write(tmp_path, "big.txt", SIMPLIFIED.encode("utf-8") * 100)
    with pytest.raises(FileTooLargeError, match=r"big\.txt.*limit"):
        read_document(path, max_bytes=1000)
    assert read_document(path, max_bytes=10_000).text.startswith(SIMPLIFIED)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match=r"^ghost\.txt: file not found") as info:
        read_document(tmp_path / "ghost.txt")
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_directory(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(ReadError, match=r"folder\.txt.*directory"):
        read_document(tmp_path / "folder.txt")


# ---------------------------------------------------------------- listing


def test_is_report_file(tmp_path):
    for name in ("a.txt", "b.TEXT", "c.htm", "d.HTML", "e.pdf", "f.docx"):
        assert is_report_file(write(tmp_path, name, b"x")), name
    for name in (".DS_Store", ".hidden.txt", "~$draft.docx", "g.doc", "h.xlsx", "i.md", "noext"):
        assert not is_report_file(write(tmp_path, name, b"x")), name
    (tmp_path / "dir.txt").mkdir()
    assert not is_report_file(tmp_path / "dir.txt")
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".text", ".htm", ".html", ".pdf", ".docx"}


# ---------------------------------------------------------------- fuzz

FUZZ = settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _returns_document_or_read_error(tmp_path: Path, name: str, data: bytes) -> None:
    path = write(tmp_path, name, data)
    try:
        doc = read_document(path)
    except ReadError as exc:
        assert str(exc).startswith(name)
    else:
        assert doc.source_file == name
        assert doc.file_format in ("txt", "html", "pdf", "docx")
        assert "\r" not in doc.text


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=4096))
def test_fuzz_arbitrary_bytes(tmp_path, suffix, data):
    _returns_document_or_read_error(tmp_path, "fuzz" + suffix, data)


@pytest.mark.parametrize(
    "prefix",
    [
        b"%PDF-1.4\n",
        b"PK\x03\x04",
        b"\xef\xbb\xbf<html><body>",
        b"\xff\xfe",
        b"<p>",
        b"<html><meta charset=gbk>",
    ],
)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_fuzz_bytes_behind_magic(tmp_path, prefix, data):
    _returns_document_or_read_error(
        tmp_path, "fuzz.pdf" if prefix.startswith(b"%PDF") else "fuzz.html", prefix + data
    )


@FUZZ
@given(text=st.text(max_size=300), codec=st.sampled_from(["utf-8", "gb18030", "utf-16", "big5"]))
def test_fuzz_text(tmp_path, text, codec):
    data = text.encode(codec, errors="ignore")
    _returns_document_or_read_error(tmp_path, "fuzz.txt", data)
