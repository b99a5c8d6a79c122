"""Export: facts with report metadata and labels survive a round trip through CSV, XLSX and Parquet."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import catalog_metrics, insert_fact, insert_metrics, insert_report, new_db

from etl.errors import EtlError, ExportError
from etl.ops.export import COLUMNS, FORMATS, export_db, facts_frame, neutralize_frame, write_frame

BOM = b"\xef\xbb\xbf"

REPORTS = [
    # report_id, source_file, title, jurisdiction, level, parent, period_start, period_end, type, delivered
    (
        "r0000000000000001",
        "002_hebi.txt",
        "鹤壁市人大常委会工作报告",
        "鹤壁市",
        "prefecture",
        "河南省",
        2023,
        2023,
        "news_summary",
        None,
    ),
    (
        "r0000000000000002",
        "000_zz.txt",
        "郑州市人民代表大会常务委员会工作报告",
        "郑州市",
        "prefecture",
        "河南省",
        2023,
        2023,
        "annual_report",
        dt.date(2024, 2, 3),
    ),
    (
        "r0000000000000003",
        "003_zz_term.txt",
        "郑州市人大常委会五年工作报告",
        "郑州市",
        "prefecture",
        "河南省",
        2018,
        2022,
        "term_review",
        dt.date(2023, 1, 5),
    ),
]

FACTS = [
    # fact_id, report_id, metric, value, unit, qualifier, period_start, period_end, scope, evidence,
    # value_text
    (
        "f01",
        "r0000000000000001",
        "deputies.suggestions",
        229,
        "件",
        "exact",
        2023,
        2023,
        None,
        "对代表提出的229件建议进行督办",
        "229",
    ),
    (
        "f02",
        "r0000000000000001",
        "deputies.suggestions_resolved",
        211,
        "件",
        "exact",
        2023,
        2023,
        None,
        "其中已解决或基本解决的211件",
        "211",
    ),
    (
        "f03",
        "r0000000000000002",
        "appointments.personnel",
        303,
        "人次",
        "exact",
        2023,
        2023,
        None,
        "依法任免国家机关工作人员303人次",
        "303",
    ),
    (
        "f04",
        "r0000000000000002",
        "liaison.constituents_received",
        70000,
        "人次",
        "approx_at_least",
        2023,
        2023,
        "all_levels",
        "全市五级代表接待群众7万余人次",
        "7万余",
    ),
    (
        "f05",
        "r0000000000000002",
        "deputies.suggestion_satisfaction",
        96.5,
        "%",
        "exact",
        2023,
        2023,
        None,
        "满意率达到了96.5%",
        "96.5",
    ),
    (
        "f06",
        "r0000000000000003",
        "legislation.laws_amended",
        33,
        "件次",
        "exact",
        2018,
        2022,
        None,
        '修改33件次，其中"打包"修改8件',
        "33",
    ),
    (
        "f07",
        "r0000000000000003",
        "self.unlisted_code",
        5,
        "次",
        "exact",
        None,
        None,
        None,
        "开展学习5次",
        "5",
    ),
]

METRICS = catalog_metrics(
    [
        "deputies.suggestions",
        "deputies.suggestions_resolved",
        "appointments.personnel",
        "liaison.constituents_received",
        "deputies.suggestion_satisfaction",
        "legislation.laws_amended",
    ]
)


@pytest.fixture
def db(tmp_path: Path):
    """A temporary DuckDB file with the schema and a few realistic reports and facts."""
    path = tmp_path / "congress.duckdb"
    con = new_db(path)
    for rid, source_file, title, jur, level, parent, ps, pe, rtype, delivered in REPORTS:
        insert_report(
            con,
            rid,
            source_file,
            jur,
            (ps, pe),
            rtype,
            title=title,
            level=level,
            parent=parent,
            delivered=delivered,
        )
    insert_metrics(con, METRICS)
    for i, (fid, rid, metric, value, unit, qual, ps, pe, scope, evidence, vt) in enumerate(FACTS):
        insert_fact(
            con,
            fid,
            rid,
            metric,
            value,
            unit=unit,
            evidence=evidence,
            value_text=vt,
            start=1000 * i,
            qualifier=qual,
            period=(ps, pe),
            scope=scope,
            section="past_work",
        )
    yield path, con
    con.close()


@pytest.fixture
def frame(db) -> pd.DataFrame:
    return facts_frame(db[1])


# facts_frame --------------------------------------------------------------------------------


def test_one_row_per_fact_in_the_public_column_order(db, frame):
    _, con = db
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == con.execute("SELECT count(*) FROM facts").fetchone()[0] == len(FACTS)
    assert frame["fact_id"].is_unique


def test_report_metadata_and_labels_are_joined(frame):
    row = frame.set_index("fact_id").loc["f04"]
    assert row["source_file"] == "000_zz.txt"
    assert row["title"] == "郑州市人民代表大会常务委员会工作报告"
    assert (row["jurisdiction"], row["level"], row["parent"], row["province"]) == (
        "郑州市",
        "prefecture",
        "河南省",
        "河南省",
    )
    assert row["report_type"] == "annual_report"
    assert row["delivered"] == dt.date(2024, 2, 3)
    assert (row["report_period_start"], row["report_period_end"]) == (2023, 2023)
    assert (row["category"], row["label_zh"], row["label_en"]) == (
        "liaison",
        "接待群众",
        "Constituents received",
    )
    assert (row["value"], row["value_text"], row["qualifier"], row["scope"]) == (
        70000,
        "7万余",
        "approx_at_least",
        "all_levels",
    )


def test_a_metric_missing_from_the_catalog_keeps_its_row_without_labels(frame):
    row = frame.set_index("fact_id").loc["f07"]
    assert row["metric"] == "self.unlisted_code"
    assert pd.isna(row["label_zh"]) and pd.isna(row["category"])


def test_sorted_by_jurisdiction_period_metric(frame):
    keys = list(zip(frame["jurisdiction"], frame["period_start"], frame["metric"], strict=True))
    assert keys[:3] == [
        ("郑州市", 2018, "legislation.laws_amended"),
        ("郑州市", 2023, "appointments.personnel"),
        ("郑州市", 2023, "deputies.suggestion_satisfaction"),
    ]
    # NULL periods sort last within their jurisdiction; jurisdictions in a stable (code point) order
    assert [j for j, *_ in keys] == sorted(j for j, *_ in keys)
    assert list(frame["fact_id"]) == ["f06", "f03", "f05", "f04", "f07", "f01", "f02"]


def test_years_stay_integers_even_with_a_missing_period(frame):
    assert str(frame["period_start"].dtype) == "Int64"
    assert frame["period_start"].isna().sum() == 1


def test_empty_database_gives_an_empty_frame_with_all_columns(tmp_path):
    con = new_db(tmp_path / "empty.duckdb")
    df = facts_frame(con)
    con.close()
    assert list(df.columns) == list(COLUMNS) and len(df) == 0


# write_frame: CSV ---------------------------------------------------------------------------


def test_csv_has_a_bom_and_round_trips_chinese_text(frame, tmp_path):
    out = tmp_path / "facts.csv"
    write_frame(frame, "csv", out)
    raw = out.read_bytes()
    assert raw[:3] == BOM
    assert b"2023.0" not in raw  # integer years stay integers
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert list(back.columns) == list(COLUMNS)
    assert len(back) == len(frame)
    row = back.set_index("fact_id").loc["f04"]
    assert row["evidence"] == "全市五级代表接待群众7万余人次"
    assert row["label_zh"] == "接待群众"
    assert row["value"] == 70000 and row["period_start"] == 2023
    assert row["delivered"] == "2024-02-03"
    assert back.set_index("fact_id").loc["f06", "evidence"] == '修改33件次，其中"打包"修改8件'


def test_csv_into_a_binary_buffer(frame):
    buf = io.BytesIO()
    write_frame(frame, "CSV", buf)
    data = buf.getvalue()
    assert data.startswith(BOM)
    assert data.count(BOM) == 1
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert sorted(back["fact_id"]) == sorted(frame["fact_id"])
    assert "鹤壁市" in set(back["jurisdiction"])


# write_frame: XLSX --------------------------------------------------------------------------


def test_xlsx_has_header_frozen_row_widths_and_chinese(frame, tmp_path):
    out = tmp_path / "facts.xlsx"
    write_frame(frame, "xlsx", out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["facts"]
    ws = wb["facts"]
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(frame) + 1
    by_id = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    f04 = by_id["f04"]
    assert f04["evidence"] == "全市五级代表接待群众7万余人次"
    assert f04["value"] == 70000 and f04["period_start"] == 2023
    assert f04["delivered"].date() == dt.date(2024, 2, 3)
    assert by_id["f07"]["period_start"] is None and by_id["f07"]["label_zh"] is None
    assert by_id["f01"]["delivered"] is None
    widths = {
        c: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i, c in enumerate(COLUMNS, 1)
    }
    assert widths["title"] > widths["level"]  # Chinese titles need the room
    assert all(6 <= w <= 60 for w in widths.values())


def test_xlsx_into_a_buffer_with_another_sheet_name(frame):
    buf = io.BytesIO()
    write_frame(frame.head(2), "xlsx", buf, sheet_name="鹤壁市事实")
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["鹤壁市事实"]
    assert ws.max_row == 3


def test_xlsx_rejects_a_sheet_name_excel_cannot_hold(frame):
    with pytest.raises(ExportError, match="sheet name"):
        write_frame(frame, "xlsx", io.BytesIO(), sheet_name="facts/2023")


def test_xlsx_past_the_row_limit_goes_on_in_numbered_sheets_each_with_the_header(frame):
    """Excel's 1,048,576 rows per sheet, injected small: 3 rows per sheet (header + 2) split 7 rows in 4."""
    from etl.ops.export import write_xlsx

    df = pd.concat([frame] * 3, ignore_index=True).head(7)
    df.loc[0, "title"] = "=HYPERLINK(1)"
    df = neutralize_frame(df)
    buf = io.BytesIO()
    assert write_xlsx(list(df.columns), [df.head(4), df.iloc[4:]], buf, "数据", max_rows=3) == 7
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ["数据1", "数据2", "数据3", "数据4"]
    rows = []
    for ws in wb:
        got = list(ws.iter_rows(values_only=True))
        assert list(got[0]) == list(COLUMNS) and ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:AE{len(got)}"
        rows += got[1:]
    assert [len(list(ws.iter_rows())) for ws in wb] == [3, 3, 3, 2]
    assert [r[0] for r in rows] == list(df["fact_id"])
    assert rows[0][COLUMNS.index("title")] == "'=HYPERLINK(1)"  # still text, not a formula
    values = [r[COLUMNS.index("value")] for r in rows]
    assert values == list(df["value"]) and all(isinstance(v, (int, float)) for v in values)


def test_xlsx_at_the_row_limit_stays_one_sheet_with_its_name(frame):
    from etl.ops.export import write_xlsx

    buf = io.BytesIO()
    write_xlsx(list(frame.columns), [neutralize_frame(frame.head(2))], buf, "数据", max_rows=3)
    assert openpyxl.load_workbook(io.BytesIO(buf.getvalue())).sheetnames == ["数据"]
    buf = io.BytesIO()
    write_xlsx(list(frame.columns), [frame.head(0)], buf, "数据", max_rows=3)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["数据"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [list(COLUMNS)]


def test_export_db_streams_xlsx_in_batches_and_splits_past_the_limit(db, tmp_path, monkeypatch):
    import etl.ops.export as export

    path, con = db
    expected = [r[0] for r in con.execute("SELECT fact_id FROM facts").fetchall()]
    con.close()
    monkeypatch.setattr(export, "XLSX_BATCH_ROWS", 2)
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 4)
    out = tmp_path / "facts.xlsx"
    assert export_db(path, "xlsx", out) == len(expected)
    wb = openpyxl.load_workbook(out)
    n_sheets = -(-len(expected) // 3)
    assert wb.sheetnames == [f"facts{i}" for i in range(1, n_sheets + 1)]
    got = [r[0] for ws in wb for r in list(ws.iter_rows(values_only=True))[1:]]
    assert sorted(got) == sorted(expected)


# write_frame: Parquet -----------------------------------------------------------------------


def test_parquet_round_trip(frame, tmp_path):
    out = tmp_path / "facts.parquet"
    write_frame(frame, "parquet", out)
    table = pq.read_table(out)
    assert table.column_names == list(COLUMNS)
    assert table.num_rows == len(frame)
    back = table.to_pandas().set_index("fact_id")
    assert back.loc["f04", "evidence"] == "全市五级代表接待群众7万余人次"
    assert back.loc["f04", "label_en"] == "Constituents received"
    assert back.loc["f05", "value"] == 96.5
    assert str(table.schema.field("delivered").type) == "date32[day]"
    assert str(table.schema.field("period_start").type) == "int64"


def test_parquet_into_a_buffer(frame):
    buf = io.BytesIO()
    write_frame(frame, "parquet", buf)
    buf.seek(0)
    assert pq.read_table(buf).num_rows == len(frame)


def test_unknown_format_is_refused(frame, tmp_path):
    with pytest.raises(ExportError, match="unknown export format 'json'"):
        write_frame(frame, "json", tmp_path / "facts.json")
    assert not (tmp_path / "facts.json").exists()


# export_db ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_db_writes_every_fact(db, tmp_path, fmt):
    path, con = db
    expected = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    con.close()  # one process may not hold the file read-write and read-only at once
    out = tmp_path / "out" / f"facts.{fmt}"
    assert export_db(path, fmt, out) == expected
    assert out.is_file()
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind
    if fmt == "csv":
        assert out.read_bytes()[:3] == BOM
        assert len(pd.read_csv(out, encoding="utf-8-sig")) == expected
    elif fmt == "xlsx":
        assert openpyxl.load_workbook(out)["facts"].max_row == expected + 1
    else:
        assert pq.read_table(out).num_rows == expected


def test_export_db_opens_the_database_read_only(db, tmp_path):
    path, con = db
    con.close()
    before = path.read_bytes()
    export_db(path, "csv", tmp_path / "facts.csv")
    assert path.read_bytes() == before


def test_export_db_without_a_database_says_to_build(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    with pytest.raises(ExportError, match=r"no database at .*nowhere\.duckdb: run `make build` first"):
        export_db(missing, "csv", tmp_path / "facts.csv")
    assert not missing.exists()


def test_export_db_unknown_format(db, tmp_path):
    path, con = db
    con.close()
    with pytest.raises(ExportError, match="choose one of csv, xlsx, parquet"):
        export_db(path, "pdf", tmp_path / "facts.pdf")


def test_export_db_on_a_file_that_is_not_a_database(tmp_path):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(ExportError, match="make build"):
        export_db(bogus, "csv", tmp_path / "facts.csv")


def test_export_error_is_an_etl_error():
    assert issubclass(ExportError, EtlError)
