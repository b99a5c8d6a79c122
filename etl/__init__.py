"""Congress work reports → facts with provenance → DuckDB."""

__version__ = "0.4.0"
