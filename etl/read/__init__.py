"""Reading: report files (txt, html, pdf, docx; any Chinese encoding) → normalized text, numerals.

document.py reads one file (the entry point); files.py decides which files are reports, reads their bytes
and sniffs their format; encoding.py, html.py, pdf.py and docx.py turn each format into text;
normalize.py and numbers.py work on that text.
"""

from etl.read.document import read_document
from etl.read.docx import DOCX_MAX_MEMBERS, DOCX_MAX_RATIO, DOCX_MAX_UNCOMPRESSED
from etl.read.files import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, is_report_file, report_file_problem

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DOCX_MAX_MEMBERS",
    "DOCX_MAX_RATIO",
    "DOCX_MAX_UNCOMPRESSED",
    "SUPPORTED_SUFFIXES",
    "is_report_file",
    "read_document",
    "report_file_problem",
]
