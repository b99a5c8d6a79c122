"""Congress work reports → facts with provenance → DuckDB."""

__version__ = "0.1.0"
