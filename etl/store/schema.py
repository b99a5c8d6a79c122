"""The schema (schema.sql, aggregates.sql) and the reference tables every database carries (metrics,
jurisdictions)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa

from etl.extract.catalog import Catalog, load_catalog
from etl.metadata.gazetteer import all_jurisdictions

SCHEMA_PATH = Path(__file__).with_name("schema.sql")
AGGREGATES_PATH = Path(__file__).with_name("aggregates.sql")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def schema_sha256() -> str:
    """Hash of schema.sql and aggregates.sql: a database stamped with it needs no schema statements before a
    write, and the dashboard reads it as current (a change to either file asks for a rebuild)."""
    digest = hashlib.sha256(SCHEMA_PATH.read_bytes())
    digest.update(AGGREGATES_PATH.read_bytes())
    return digest.hexdigest()


def load_reference_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog | None = None) -> None:
    """The metric catalog and the gazetteer, replaced whole."""
    catalog = catalog or load_catalog()
    metrics = catalog.fact_metrics()
    _replace_rows(con, "metrics", {
        "code": [m.code for m in metrics],
        "category": [m.category for m in metrics],
        "label_zh": [m.label_zh for m in metrics],
        "label_en": [m.label_en for m in metrics],
        "label_zh_national": [m.label_zh_national for m in metrics],
        "unit": [m.unit for m in metrics],
        "kind": [m.kind for m in metrics],
        "measure": [m.measure for m in metrics],
        "description": [catalog.categories[m.category]["label_zh"] for m in metrics],
    })  # fmt: skip
    places = all_jurisdictions()
    _replace_rows(con, "jurisdictions", {
        "name": [j.name for j in places],
        "level": [j.level for j in places],
        "parent": [j.parent for j in places],
        "province": [j.province for j in places],
        "code": [j.code for j in places],
    })  # fmt: skip


def _replace_rows(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list]) -> None:
    """Replace a table's rows with one Arrow scan (executemany costs seconds for thousands of rows)."""
    data = pa.table(columns, schema=pa.schema([(c, pa.string()) for c in columns]))
    con.execute(f"DELETE FROM {table}")
    con.register("_rows_in", data)
    try:
        names = ", ".join(columns)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _rows_in")
    finally:
        con.unregister("_rows_in")
