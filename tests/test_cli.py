"""The command line as a user meets it: build (idempotent, atomic, bad input), extract, export, --help."""

from __future__ import annotations

import shutil

import pytest
from conftest import CORPUS, fetch, run_etl


@pytest.mark.parametrize("command", [[], ["build"], ["extract"], ["export"]])
def test_help_for_every_command(command):
    proc = run_etl(*command, "--help", check=True)
    assert "usage:" in proc.stdout


def test_build_twice_gives_same_content(tmp_path):
    inp = tmp_path / "in"
    shutil.copytree(CORPUS, inp)
    db = tmp_path / "a.duckdb"
    run_etl("build", "--input", inp, "--db", db, "--quiet", check=True)
    q = "SELECT fact_id, report_id, metric, value, period_start, period_end, evidence FROM facts ORDER BY fact_id"
    first = fetch(db, q)
    run_etl("build", "--input", inp, "--db", db, "--quiet", check=True)
    assert fetch(db, q) == first
    assert len(first) > 50


def test_changed_file_replaces_and_removed_file_disappears(tmp_path):
    inp = tmp_path / "in"
    shutil.copytree(CORPUS, inp)
    db = tmp_path / "a.duckdb"
    run_etl("build", "--input", inp, "--db", db, "--quiet", check=True)
    before = dict(fetch(db, "SELECT source_file, report_id FROM reports"))
    victim = sorted(inp.iterdir())[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n开展执法检查99次。\n", encoding="utf-8")
    removed = sorted(inp.iterdir())[1]
    removed.unlink()
    run_etl("build", "--input", inp, "--db", db, "--quiet", check=True)
    after = dict(fetch(db, "SELECT source_file, report_id FROM reports"))
    assert removed.name not in after
    assert after[victim.name] != before[victim.name]
    assert len(after) == len(before) - 1
    assert (
        fetch(
            db, "SELECT count(*) FROM reports WHERE report_id = ?".replace("?", f"'{before[victim.name]}'")
        )[0][0]
        == 0
    )


def test_bad_files_are_named_and_the_rest_load(tmp_path):
    inp = tmp_path / "in"
    shutil.copytree(CORPUS, inp)
    (inp / "empty.txt").write_bytes(b"")
    (inp / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (inp / "scan.pdf").write_bytes(b"%PDF-1.4\n%broken\n")
    (inp / "notes.txt").write_text("今天天气很好，我们去公园散步。" * 5, encoding="utf-8")
    db = tmp_path / "a.duckdb"
    proc = run_etl("build", "--input", inp, "--db", db, "--quiet")
    assert proc.returncode == 0, proc.stderr
    for name in ("empty.txt", "binary.txt", "scan.pdf", "notes.txt"):
        assert name in proc.stdout
    assert fetch(db, "SELECT count(*) FROM reports")[0][0] == 5
    problems = {r[0] for r in fetch(db, "SELECT source_file FROM load_problems")}
    assert problems == {"empty.txt", "binary.txt", "scan.pdf", "notes.txt"}


def test_nothing_loadable_exits_nonzero_and_keeps_old_database(tmp_path):
    db = tmp_path / "a.duckdb"
    run_etl("build", "--input", CORPUS, "--db", db, "--quiet", check=True)
    before = db.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    proc = run_etl("build", "--input", bad, "--db", db, "--quiet")
    assert proc.returncode != 0
    assert "empty.txt" in proc.stdout
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("a.duckdb.staging-*"))


def test_missing_input_folder_is_a_clear_error(tmp_path):
    proc = run_etl("build", "--input", tmp_path / "nope", "--db", tmp_path / "x.duckdb")
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "Traceback" not in proc.stderr


def test_extract_prints_metadata_and_evidence():
    proc = run_etl("extract", CORPUS / "000_c08ffb83924445c9.txt", check=True)
    assert "郑州市" in proc.stdout
    assert "supervision.law_inspections" in proc.stdout
    assert "开展执法检查7项" in proc.stdout


def test_evidence_offsets_contain_the_number(corpus_db):
    rows = fetch(
        corpus_db,
        """
        SELECT f.value_text, f.evidence, substr(t.norm_text, f.evidence_start + 1, f.evidence_end - f.evidence_start),
               substr(t.norm_text, f.value_start + 1, f.value_end - f.value_start),
               substr(t.raw_text, f.raw_start + 1, f.raw_end - f.raw_start)
        FROM facts f JOIN report_texts t USING (report_id)""",
    )
    assert rows
    for value_text, evidence, sentence, value_slice, raw_slice in rows:
        assert value_slice == value_text
        assert value_text in sentence
        assert raw_slice == evidence


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_formats(corpus_db, tmp_path, fmt):
    out = tmp_path / f"facts.{fmt}"
    proc = run_etl("export", "--db", corpus_db, "--format", fmt, "--out", out, check=True)
    assert out.stat().st_size > 0
    n = fetch(corpus_db, "SELECT count(*) FROM facts")[0][0]
    assert str(n) in proc.stdout
