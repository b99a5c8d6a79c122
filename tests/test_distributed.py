"""The Ray Data runner (etl/distributed.py) in local mode gives the same facts as the local build.

Ray is an optional extra (requirements-distributed.txt): without it these tests are skipped, except the
one that checks the runner says how to install it.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, ROOT, copy_corpus, fetch

from etl.ops.build import build
from etl.ops.parquet import export_db

HAS_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(
    not HAS_RAY, reason="ray is not installed (optional extra: pip install -r requirements-distributed.txt)"
)
PART_FILE = re.compile(r"^(facts|reports)/province=[^/=]+/year=(\d{4}|未知)/part-0\.parquet$")

NATIONAL = """全国人民代表大会常务委员会工作报告
——2024年3月8日在第十四届全国人民代表大会第二次会议上

各位代表：
现在，我受全国人民代表大会常务委员会委托，向大会报告工作。

一、过去一年的主要工作
2023年，常委会共召开常委会会议7次，制定法律6件，修改法律8件，听取审议工作报告25个，开展执法检查5项。

二、今后一年的主要任务
2024年，常委会将制定法律10件。
"""
UNKNOWN = """常委会工作报告

各位代表：
现在，我代表常务委员会报告工作。

一、过去一年的主要工作
常委会共召开常委会会议6次，制定地方性法规3件，开展执法检查4项。
"""


def make_input(root: Path) -> Path:
    """The bundled corpus plus: a GB18030 report, an HTML copy, a national and a placeless report, a
    byte-for-byte duplicate, a GB18030 re-encoding of a corpus text (same text: loaded once), a broken PDF,
    an empty file."""
    lib = copy_corpus(root)
    files = sorted(CORPUS.iterdir())
    text2 = files[2].read_text(encoding="utf-8")
    (root / "010_gb18030.txt").write_bytes(text2.encode("gb18030")
                                           + "\n附：本文为测试副本。\n".encode("gb18030"))  # fmt: skip
    body = "".join(
        f"<p>{line}</p>\n" for line in files[0].read_text(encoding="utf-8").splitlines() if line.strip()
    )
    (root / "011_copy.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>t</title><script>var x=1;</script></head>"
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )
    (root / "012_national.txt").write_text(NATIONAL, encoding="utf-8")
    (root / "013_unknown.txt").write_text(UNKNOWN, encoding="utf-8")
    shutil.copyfile(files[1], root / "014_duplicate.txt")  # same bytes as 001: loaded once
    (root / "015_reencoded.txt").write_bytes(
        files[3].read_text(encoding="utf-8").encode("gb18030")
    )  # same text
    (root / "020_broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    (root / "021_empty.txt").write_bytes(b"")
    sub = root / "sub"
    sub.mkdir()
    shutil.copyfile(files[4], sub / "004_again.txt")  # in a subfolder, same text as 004
    return lib


def run_distributed(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl.ops.distributed", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def parquet_files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.parquet"))}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """(input, distributed output, local database, local output) for one mixed input folder."""
    tmp = tmp_path_factory.mktemp("dist")
    src = make_input(tmp / "in")
    ray_out = tmp / "ray_out"
    proc = run_distributed("--input", src, "--out", ray_out, "--parallelism", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    db = tmp / "local.duckdb"
    summary = build(src, db, progress=False)
    assert summary.ok
    local_out = tmp / "local_out"
    export_db(db, local_out)
    return {
        "input": src,
        "ray": ray_out,
        "db": db,
        "local": local_out,
        "stdout": proc.stdout,
        "summary": summary,
    }


@needs_ray
def test_distributed_facts_equal_local_build(both):
    ray_files, local_files = parquet_files(both["ray"]), parquet_files(both["local"])
    assert ray_files.keys() == local_files.keys()
    facts = [k for k in ray_files if k.startswith("facts/")]
    assert len(facts) >= 4
    for key in facts:  # same rows, same order, same types: the very same bytes
        assert ray_files[key].read_bytes() == local_files[key].read_bytes(), key
    for key in ray_files:
        if key.startswith("reports/"):  # loaded_at is when each engine ran
            a = pq.read_table(ray_files[key]).drop_columns(["loaded_at"])
            b = pq.read_table(local_files[key]).drop_columns(["loaded_at"])
            assert a.equals(b), key
    # files that did not load: the same names, reasons and order as the build's load_problems
    problems = pq.read_table(both["ray"] / "problems.parquet").to_pylist()
    assert problems == pq.read_table(both["local"] / "problems.parquet").to_pylist()
    assert [(p["source_file"], p["reason"]) for p in problems] == both["summary"].problems
    reasons = {p["source_file"]: p["reason"] for p in problems}
    assert reasons["014_duplicate.txt"] == "same text as 001_e5195fff5a83099a.txt: loaded once"
    assert reasons["015_reencoded.txt"] == "same text as 003_efef9b415da91c47.txt: loaded once"
    assert reasons["004_again.txt"] == "same text as 004_66608173c0941186.txt: loaded once"
    assert {"020_broken.pdf", "021_empty.txt"} <= reasons.keys()
    assert f"facts: {both['summary'].facts}" in both["stdout"]


@needs_ray
def test_distributed_layout_and_duckdb_reads_it(both):
    out = both["ray"]
    keys = [k for k in parquet_files(out) if k != "problems.parquet"]
    assert keys and all(PART_FILE.match(k) for k in keys), keys
    provinces = {p.name for p in (out / "facts").iterdir()}
    assert provinces == {"province=河南省", "province=全国", "province=未知"}
    assert (out / "facts" / "province=未知" / "year=未知" / "part-0.parquet").is_file()
    assert (out / "facts" / "province=全国" / "year=2023" / "part-0.parquet").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging folder left behind

    cols = "fact_id, report_id, metric, value, unit, qualifier, period_start, period_end, scope, evidence, " \
           "evidence_start, evidence_end, value_text, value_start, value_end, raw_start, raw_end, " \
           "section, pattern"  # fmt: skip
    got = duckdb.sql(
        f"SELECT {cols}, province, year "
        f"FROM read_parquet('{out}/facts/**/*.parquet', hive_partitioning = true, "
        "hive_types = {'province': VARCHAR, 'year': VARCHAR}) ORDER BY report_id, fact_id"
    ).fetchall()
    want = fetch(
        both["db"],
        f"SELECT {', '.join('f.' + c.strip() for c in cols.split(','))}, "
        "coalesce(r.province, CASE WHEN r.level = 'national' THEN '全国' END, '未知'), "
        "coalesce(CAST(coalesce(f.period_end, r.period_end) AS VARCHAR), '未知') "
        "FROM facts f JOIN reports r USING (report_id) ORDER BY f.report_id, f.fact_id",
    )
    assert got == want
    assert len(got) == both["summary"].facts


@needs_ray
def test_distributed_nothing_loadable(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    proc = run_distributed("--input", src, "--out", out, "--parallelism", "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    assert "a.txt" in proc.stdout and "no report could be loaded" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_distributed_without_ray_says_how_to_install(tmp_path):
    code = (
        "import sys; sys.modules['ray'] = None\n"  # as if ray were not installed
        "from etl.ops.distributed import main\n"
        f"sys.exit(main(['--input', {str(CORPUS)!r}, '--out', {str(tmp_path / 'o')!r}]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "pip install -r requirements-distributed.txt" in proc.stderr
    assert not (tmp_path / "o").exists()
