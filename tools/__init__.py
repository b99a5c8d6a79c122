"""Tooling: the synthetic corpus, the division table's regeneration."""
