"""Shared fixtures: the bundled corpus built once into a real DuckDB file with the real CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """`python -m etl build` on data/corpus, as a user runs it."""
    db = tmp_path_factory.mktemp("corpus") / "congress.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "build", "--input", str(CORPUS), "--db", str(db), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return db
