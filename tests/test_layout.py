"""The layout's rules that import-linter cannot see: pages/ and dashboard.py are not a package.

Pages are thin: they import the dashboard's library (app) and UI libraries, never the ETL or DuckDB, and
they write no SQL (STYLE.md: "pages never write SQL"; the layer contract in .importlinter covers app and etl).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHELLS = sorted(ROOT.glob("pages/*.py")) + [ROOT / "dashboard.py"]
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b", re.S)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("path", SHELLS, ids=lambda p: p.name)
def test_a_page_imports_the_app_never_the_etl_or_the_database(path):
    assert not _imports(path) & {"etl", "duckdb"}, f"{path.name}: go through app/"


@pytest.mark.parametrize("path", SHELLS, ids=lambda p: p.name)
def test_a_page_writes_no_sql(path):
    strings = [
        n.value
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    assert not [s for s in strings if SQL.search(s)], f"{path.name}: SQL belongs in app/queries.py"


def test_the_rule_sees_a_page_that_breaks_it(tmp_path):
    bad = tmp_path / "bad_page.py"
    bad.write_text(
        'import duckdb\nfrom etl.ops.add import NEW\nQ = "SELECT * FROM facts"\n', encoding="utf-8"
    )
    assert _imports(bad) & {"etl", "duckdb"} == {"etl", "duckdb"}
    assert SQL.search("SELECT * FROM facts")
