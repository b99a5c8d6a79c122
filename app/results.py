"""A DuckDB result as the DataFrame the pages expect: text columns of Python str with None for NULL.

DuckDB's ``.df()`` hands pandas object arrays of str, pandas 3 turns each into its own string dtype (with
NaN, a truthy float, for NULL), and the pages need them back as objects with None: two conversions of every
text cell, about half a millisecond per text column of a few hundred rows (metric_points has 21 of them:
10–20 ms a call at 10 M facts).  ``frame()`` builds the frame from ``fetchnumpy()`` instead, keeping the
object arrays as they come, and gives every other column the dtype ``.df()`` would (a nullable integer
column as Int32/Int64 with <NA>, a nullable boolean as boolean, NaN / NaT for a missing float or time).
A result with a column type outside that set goes through ``.df()`` and the old conversion.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

# DuckDB type names (str(description type)) whose fetchnumpy() arrays are exactly .df()'s columns (with
# the masks handled below).  DECIMAL(p,s) is matched by its prefix.
_DIRECT = {
    "VARCHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DOUBLE", "FLOAT", "DATE", "TIMESTAMP",
}  # fmt: skip


def _direct(type_name: str) -> bool:
    return type_name in _DIRECT or type_name.startswith("DECIMAL(")


def _column(values: np.ndarray) -> pd.Series | np.ndarray | pd.api.extensions.ExtensionArray:
    """One fetchnumpy() column as .df() would give it (objects kept as objects, None for NULL)."""
    if values.dtype == object:
        data = np.ma.getdata(values)
        if isinstance(values, np.ma.MaskedArray) and values.mask is not np.ma.nomask:
            data = data.copy()
            data[np.ma.getmaskarray(values)] = None
        return pd.Series(data, dtype=object, copy=False)
    if not isinstance(values, np.ma.MaskedArray) or not np.ma.getmaskarray(values).any():
        return np.ma.getdata(values)
    mask, data = np.ma.getmaskarray(values), np.ma.getdata(values)
    if data.dtype.kind == "i":
        return pd.arrays.IntegerArray(data, mask)
    if data.dtype == np.bool_:
        return pd.arrays.BooleanArray(data, mask)
    if data.dtype.kind == "f":
        return np.where(mask, np.nan, data)
    if data.dtype.kind == "M":
        return np.where(mask, np.datetime64("NaT"), data).astype(data.dtype)
    raise TypeError(f"unexpected column dtype {data.dtype}")


def _slow(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    df = result.df()
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype) in ("str", "string"):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The executed ``result`` (a connection or cursor after execute()) as a DataFrame: text as str / None."""
    desc = result.description or []
    names = [d[0] for d in desc]
    if len(set(names)) != len(names) or not all(_direct(str(d[1])) for d in desc):
        return _slow(result)
    arrays = result.fetchnumpy()
    return pd.DataFrame({name: _column(arrays[name]) for name in names}, copy=False)
