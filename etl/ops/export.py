"""Facts joined with report metadata and metric labels, written as CSV, XLSX or Parquet.

XLSX is streamed (openpyxl's write-only mode: each row goes to disk as it is appended, so memory stays
flat however many rows there are), and a table longer than Excel's 1,048,576 rows per sheet goes on in
further sheets (数据1, 数据2, …), each with the header.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from etl.errors import ExportError
from etl.write.connect import open_readonly

FORMATS = ("csv", "xlsx", "parquet")

# The export's public column order: report, metric, the number, its provenance.
COLUMNS: tuple[str, ...] = (
    "fact_id",
    "report_id",
    "source_file",
    "title",
    "jurisdiction",
    "level",
    "parent",
    "province",
    "report_type",
    "delivered",
    "report_period_start",
    "report_period_end",
    "metric",
    "category",
    "label_zh",
    "label_en",
    "value",
    "unit",
    "qualifier",
    "period_start",
    "period_end",
    "scope",
    "evidence",
    "evidence_start",
    "evidence_end",
    "value_text",
    "value_start",
    "value_end",
    "section",
    "corrected",
    "correction_id",
)

# Facts as analysts corrected them (facts_current); a database built before corrections existed has
# only `facts`, exported with corrected = false.
_FACTS_SQL = """
    SELECT f.fact_id, f.report_id, r.source_file, r.title, r.jurisdiction, r.level, r.parent,
           r.province, r.report_type, r.delivered,
           r.period_start AS report_period_start, r.period_end AS report_period_end,
           f.metric, m.category, m.label_zh, m.label_en,
           f.value, f.unit, f.qualifier, f.period_start, f.period_end, f.scope,
           f.evidence, f.evidence_start, f.evidence_end,
           f.value_text, f.value_start, f.value_end, f.section, {corrected}
    FROM {facts} f
    LEFT JOIN reports r ON r.report_id = f.report_id
    LEFT JOIN metrics m ON m.code = f.metric
    ORDER BY r.jurisdiction NULLS LAST, f.period_start NULLS LAST, f.period_end NULLS LAST, f.metric,
             r.source_file NULLS LAST, f.evidence_start, f.value_start, f.fact_id
"""

EXCEL_MAX_ROWS = 1_048_576  # rows per worksheet, the header included (Excel's limit)
XLSX_BATCH_ROWS = 10_000  # rows read from the database at a time by export_db's XLSX stream
XLSX_DUCKDB_MEMORY = "192MB"  # DuckDB sorts them in this, one thread (less fails at 1 M facts)
_XLSX_WIDTH_SAMPLE = 2_000  # column widths are measured on the first rows (the sheet's head is written first)
_XLSX_MAX_WIDTH = 60  # evidence sentences are long: wrap them rather than fill the screen
_XLSX_MIN_WIDTH = 6
_XLSX_BAD_SHEET_CHARS = set("[]:*?/\\")


# OWASP's CSV-injection guidance: a text cell that starts with one of these is read as a formula by Excel,
# LibreOffice or Google Sheets (=HYPERLINK(…) from a report's text or file name); a leading apostrophe makes
# it text.  The full-width forms are there because some spreadsheets fold them to ASCII when a cell is edited.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralize(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ' ; every other value
    unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and header neutralized (see ``neutralize``); numbers stay numbers."""
    out = df.copy()
    out.columns = [neutralize(c) for c in df.columns]
    for i, dtype in enumerate(df.dtypes):
        if (
            pd.api.types.is_object_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(dtype)
        ):
            out.isetitem(i, df.iloc[:, i].astype(object).map(neutralize, na_action="ignore"))
    return out


def _int_as_nullable(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    # Years and offsets with a NULL would otherwise turn into floats ('2023.0' in the CSV).
    return pd.Int64Dtype() if pa.types.is_integer(arrow_type) else None


def _facts_sql(con: duckdb.DuckDBPyConnection) -> str:
    has_current = con.execute(
        "SELECT count(*) FROM duckdb_views() "
        "WHERE view_name = 'facts_current' AND database_name = current_database()"
    ).fetchall()[0][0]
    if has_current:
        sql = _FACTS_SQL.format(facts="facts_current", corrected="f.corrected, f.correction_id")
    else:
        sql = _FACTS_SQL.format(facts="facts", corrected="false AS corrected, NULL::VARCHAR AS correction_id")
    return sql


def facts_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per fact (corrections applied) with its report's metadata and its metric's labels, in
    COLUMNS order."""
    table = con.sql(_facts_sql(con)).to_arrow_table()
    df = table.to_pandas(types_mapper=_int_as_nullable, date_as_object=True)
    return df.loc[:, list(COLUMNS)]


def facts_batches(con: duckdb.DuckDBPyConnection, rows: int = XLSX_BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """facts_frame() a few thousand rows at a time, as DuckDB streams the result."""
    reader = con.sql(_facts_sql(con)).to_arrow_reader(rows)
    for batch in reader:
        yield batch.to_pandas(types_mapper=_int_as_nullable, date_as_object=True).loc[:, list(COLUMNS)]


def _check_format(fmt: str) -> str:
    norm = (fmt or "").strip().lower().lstrip(".")
    if norm not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return norm


def _display_width(value: object) -> int:
    """Columns an Excel cell needs: CJK characters are twice as wide as Latin ones."""
    text = str(value)
    line = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _cell(value: object) -> object:
    """A pandas/numpy value → what openpyxl can write (None for every kind of missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalar → python
    return value


def _sheet_names(base: str, n: int) -> list[str]:
    """``base`` for one sheet; base1, base2 … (shortened to Excel's 31 characters) for more."""
    if n == 1:
        return [base]
    return [f"{base[: 31 - len(str(i))]}{i}" for i in range(1, n + 1)]


def _column_widths(headers: list[str], sample: pd.DataFrame) -> list[int]:
    """Display width of each column over its header and the sample's cells."""
    widths = [_display_width(h) for h in headers]
    for row in sample.itertuples(index=False, name=None):
        for i, v in enumerate(row):
            v = _cell(v)
            if v is None:
                continue
            w = 19 if isinstance(v, dt.datetime) else 10 if isinstance(v, dt.date) else _display_width(v)
            widths[i] = max(widths[i], w)
    return widths


def write_xlsx(
    columns: Sequence[str],
    batches: Iterable[pd.DataFrame],
    out: str | Path | BinaryIO,
    sheet_name: str,
    *,
    max_rows: int = EXCEL_MAX_ROWS,
) -> int:
    """Stream ``batches`` (frames with ``columns``, text already neutralized) into an XLSX; returns the rows.

    openpyxl's write-only mode keeps no cell in memory.  Every sheet has the header (bold, frozen, with a
    filter); column widths come from the first rows, and a column wider than the maximum wraps.  More than
    ``max_rows`` rows (header included) go on in another sheet: then the sheets are ``sheet_name`` 1, 2 ….
    """

    if not sheet_name or len(sheet_name) > 31 or _XLSX_BAD_SHEET_CHARS & set(sheet_name):
        raise ExportError(f"invalid sheet name {sheet_name!r}: use 1–31 characters without any of []:*?/\\")
    if max_rows < 2:
        raise ValueError("a sheet holds the header and at least one row")
    headers = [str(c) for c in columns]
    last_col = get_column_letter(max(len(headers), 1))
    wb = Workbook(write_only=True)
    sheets: list = []
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    widths: list[int] | None = None
    wrapped: set[int] = set()
    state = {"rows": 0}  # rows in the current sheet, header included

    def new_sheet():
        ws = wb.create_sheet(title=f"_{len(sheets) + 1}")  # named at the end, when the count is known
        for i, width in enumerate(widths or [_display_width(h) for h in headers], start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(
                max(width + 2, _XLSX_MIN_WIDTH), _XLSX_MAX_WIDTH
            )
        ws.freeze_panes = "A2"
        header = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        sheets.append(ws)
        state["rows"] = 1
        return ws

    def close_sheet(ws) -> None:
        if headers:
            ws.auto_filter.ref = f"A1:{last_col}{state['rows']}"

    ws = None
    total = 0
    for batch in batches:
        if widths is None:
            widths = _column_widths(headers, batch.head(_XLSX_WIDTH_SAMPLE))
            wrapped = {i for i, w in enumerate(widths) if w > _XLSX_MAX_WIDTH}
        for row in batch.itertuples(index=False, name=None):
            if ws is None or state["rows"] >= max_rows:
                if ws is not None:
                    close_sheet(ws)
                ws = new_sheet()
            cells = [_cell(v) for v in row]
            for i in wrapped:
                if cells[i] is not None:
                    cell = WriteOnlyCell(ws, value=cells[i])
                    cell.alignment = wrap
                    cells[i] = cell
            ws.append(cells)
            state["rows"] += 1
            total += 1
    if ws is None:  # no rows: the header alone
        ws = new_sheet()
    close_sheet(ws)
    for ws, name in zip(sheets, _sheet_names(sheet_name, len(sheets)), strict=True):
        ws.title = name
    wb.save(out)
    return total


def _write(df: pd.DataFrame, fmt: str, out: str | Path | BinaryIO, sheet_name: str) -> None:
    if fmt in ("csv", "xlsx"):  # spreadsheets: no cell may run as a formula
        df = neutralize_frame(df)
    if fmt == "csv":
        # utf-8-sig: the BOM is what makes Excel read the Chinese text as UTF-8.
        # CRLF (RFC 4180): the csv writer then quotes a cell holding a lone \r, which Excel would split.
        df.to_csv(out, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    elif fmt == "xlsx":
        write_xlsx(list(df.columns), [df], out, sheet_name)
    else:
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out)


def write_frame(df: pd.DataFrame, fmt: str, out: str | Path | BinaryIO, *, sheet_name: str = "facts") -> None:
    """Write df as csv (UTF-8 with BOM), xlsx or parquet to a file path or a binary buffer.

    A path is written through a temporary file in the same folder and renamed at the end,
    so a failed export never leaves half a file where the old one was.
    """
    fmt = _check_format(fmt)
    if not isinstance(out, (str, os.PathLike)):
        _write(df, fmt, out, sheet_name)
        return
    _write_path(Path(out), lambda tmp: _write(df, fmt, tmp, sheet_name))


def _write_path(path: Path, write: Callable[[str], object]) -> None:
    """``write(tmp)`` into a temporary file beside ``path``, then renamed to it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}: choose another output path") from exc
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}: choose another output path") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def missing_tables(db: Path, exc: duckdb.CatalogException) -> ExportError:
    """What an export says of a database without the tables it reads."""
    return ExportError(f"the database {db} lacks the facts tables ({exc}): rebuild it with `make build`")


def open_for_export(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for an export (open_readonly: it waits for an in-place writer and always sees
    the file now on disk), or an ExportError that says what to do."""
    if not db.is_file():
        raise ExportError(f"no database at {db}: run `make build` first")
    try:
        return open_readonly(db)
    except duckdb.Error as exc:
        raise ExportError(
            f"cannot open the database {db} read-only ({exc}): if a build is running, wait for it "
            "to finish; otherwise rebuild it with `make build`"
        ) from exc


def export_db(db_path: str | Path, fmt: str, out_path: str | Path) -> int:
    """Export every current fact of the DuckDB file at db_path (opened read-only); returns the row count."""
    fmt = _check_format(fmt)
    db = Path(db_path)
    con = open_for_export(db)
    stack = contextlib.ExitStack()
    try:
        if fmt == "xlsx":  # streamed from the database: memory stays flat for any number of facts
            # DuckDB sorts the facts within this much memory and spills the rest to a scratch folder.
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="congress-export-"))
            con.execute(f"SET memory_limit = '{XLSX_DUCKDB_MEMORY}'")
            con.execute("SET threads = 1")  # each sorting thread holds its own run in memory
            con.execute("SET temp_directory = ?", [scratch])
            written: list[int] = []
            batches = (neutralize_frame(b) for b in facts_batches(con, XLSX_BATCH_ROWS))
            _write_path(
                Path(out_path),
                lambda tmp: written.append(
                    write_xlsx(COLUMNS, batches, tmp, "facts", max_rows=EXCEL_MAX_ROWS)
                ),
            )
            return written[0]
        df = facts_frame(con)
    except duckdb.CatalogException as exc:
        raise missing_tables(db, exc) from exc
    finally:
        con.close()
        stack.close()
    write_frame(df, fmt, out_path)
    return len(df)
