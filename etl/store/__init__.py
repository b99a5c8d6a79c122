"""The database: schema, rows, connections, corrections log, checks, aggregates, Parquet."""
