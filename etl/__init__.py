"""Congress work reports → facts with provenance → DuckDB."""

__version__ = "0.2.0"
