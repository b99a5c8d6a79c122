"""app/results.frame: a DuckDB result as the frame the pages expect (text as str with None for NULL), with
the same columns, dtypes and values as DuckDB's own .df() followed by the NaN → None conversion."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from app.results import frame

EVERY_TYPE = """
select
    case when i % 2 = 0 then 'x' || i end as text_nulls, '郑州市' as text_full,
    case when i % 2 = 0 then i end::integer as int_nulls, i::integer as int_full,
    case when i % 2 = 0 then i end::bigint as bigint_nulls, i::bigint as bigint_full,
    i::smallint as small, case when i % 2 = 0 then i end::tinyint as tiny_nulls,
    case when i % 2 = 0 then true end as bool_nulls, i > 1 as bool_full,
    case when i % 2 = 0 then i / 3 end as double_nulls, i * 1.5::double as double_full, 1.5::float as real,
    case when i % 2 = 0 then 12.25::decimal(6, 2) end as dec_nulls,
    case when i % 2 = 0 then timestamp '2024-03-01 08:00:00' end as ts_nulls,
    case when i % 2 = 0 then date '2024-03-02' end as date_nulls
from range(5) t(i)
"""


def _reference(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    df = con.execute(sql).df()
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype) in ("str", "string"):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


@pytest.mark.parametrize(
    "sql",
    [
        EVERY_TYPE,
        EVERY_TYPE + " where false",  # no rows
        EVERY_TYPE + " where i % 2 = 1",  # every nullable column all NULL
        "select [1, 2] as a_list, sum(i) as huge, uuid() is not null as u from range(3) t(i)",  # other types
        "select 1 as a, 'b' as a",  # a repeated name
    ],
)
def test_frame_equals_df_then_none(sql):
    con = duckdb.connect()
    got, want = frame(con.execute(sql)), _reference(con, sql)
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.astype(str).tolist() == want.dtypes.astype(str).tolist()
    pd.testing.assert_frame_equal(got, want)
    for col in got.columns:
        if got[col].dtype == object:  # the same Python objects, None where SQL had NULL
            assert [type(v) for v in got[col]] == [type(v) for v in want[col]]


def test_missing_text_is_none_and_nullable_ints_keep_their_type():
    con = duckdb.connect()
    df = frame(con.execute(EVERY_TYPE))
    assert df["text_nulls"].tolist() == ["x0", None, "x2", None, "x4"]
    assert df["text_full"].dtype == object and df["text_full"].iloc[0] == "郑州市"
    assert str(df["int_nulls"].dtype) == "Int32"
    assert df["int_nulls"].isna().tolist() == [False, True, False, True, False]
    assert str(df["bool_nulls"].dtype) == "boolean"
    assert df["int_full"].dtype == "int32" and df["double_nulls"].isna().sum() == 2
    assert pd.isna(df["ts_nulls"].iloc[1]) and df["ts_nulls"].iloc[0] == pd.Timestamp("2024-03-01 08:00")
