"""Extraction: the metric catalog and its frames → facts with evidence and offsets."""
