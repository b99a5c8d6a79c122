"""The dashboard's library: database access, queries, chart builders and exporters (pages stay thin)."""
