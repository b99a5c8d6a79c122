"""The command line as a user meets it: every command's --help and README entry, build (idempotent, atomic,
bad input), extract, export read back, the shared options, errors as one line and an exit code, and the two
entry points (`python -m etl`, the installed `congress` script) in real processes.

Commands run in process (conftest.run_etl: click's CliRunner), so a test costs no interpreter start-up;
run_etl_process launches `python -m etl` for the few tests that must see a real process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import CORPUS, ROOT, fetch, run_etl, run_etl_process

import etl
from etl.cli import cli, main
from etl.cli.shared import DEFAULT_DB, PATH
from etl.ops.export import COLUMNS
from etl.write.lock import write_lock

COMMANDS = sorted(cli.commands)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- every command: --help, and the README


def test_the_group_lists_every_command():
    proc = run_etl("--help", check=True)
    assert "Usage: python -m etl" in proc.stdout
    for name in COMMANDS:
        assert re.search(rf"^  {re.escape(name)}\s", proc.stdout, re.M), name


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    proc = run_etl(command, "--help", check=True)
    assert f"Usage: python -m etl {command} " in proc.stdout
    assert "--help" in proc.stdout and proc.stderr == ""


def _readme_command_line_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Command line")
    return text[start : text.index("\n## ", start + 1)]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    """A new command without a line in the README's command reference fails here."""
    section = _readme_command_line_section()
    assert re.search(rf"(congress|python -m etl) {re.escape(command)}(\s|`|$)", section, re.M), (
        f"README.md's '## Command line' section does not show `congress {command}`"
    )


# ---------------------------------------------------------------- build


def test_build_twice_gives_same_content(tmp_path):
    inp = tmp_path / "in"
    shutil.copytree(CORPUS, inp)
    db = tmp_path / "a.duckdb"
    run_etl("build", "--input", inp, "--db", db, "--quiet", check=True)
    q = "SELECT fact_id, report_id, metric, value, period_start, period_end, evidence FROM facts ORDER BY 1"
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
    assert fetch(db, "SELECT count(*) FROM reports WHERE report_id = ?", [before[victim.name]]) == [(0,)]


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


def test_nothing_loadable_exits_1_and_keeps_old_database(tmp_path):
    db = tmp_path / "a.duckdb"
    run_etl("build", "--input", CORPUS, "--db", db, "--quiet", check=True)
    before = db.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    proc = run_etl("build", "--input", bad, "--db", db, "--quiet")
    assert proc.returncode == 1
    assert "empty.txt" in proc.stdout and "no report could be loaded" in proc.stderr
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("a.duckdb.staging-*"))


def test_missing_input_folder_is_a_clear_error(tmp_path):
    proc = run_etl("build", "--input", tmp_path / "nope", "--db", tmp_path / "x.duckdb")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "nope" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- extract


def test_extract_prints_metadata_and_evidence():
    proc = run_etl("extract", CORPUS / "000_c08ffb83924445c9.txt", check=True)
    assert "郑州市" in proc.stdout
    assert "supervision.law_inspections" in proc.stdout
    assert "开展执法检查7项" in proc.stdout
    brief = run_etl("extract", CORPUS / "000_c08ffb83924445c9.txt", "--brief", check=True)
    assert "supervision.law_inspections" in brief.stdout and "«" not in brief.stdout


def test_evidence_offsets_contain_the_number(corpus_db):
    rows = fetch(
        corpus_db,
        """
        SELECT f.value_text, f.evidence,
               substr(t.norm_text, f.evidence_start + 1, f.evidence_end - f.evidence_start),
               substr(t.norm_text, f.value_start + 1, f.value_end - f.value_start),
               substr(t.raw_text, f.raw_start + 1, f.raw_end - f.raw_start)
        FROM facts f JOIN report_texts t USING (report_id)""",
    )
    assert rows
    for value_text, evidence, sentence, value_slice, raw_slice in rows:
        assert value_slice == value_text
        assert value_text in sentence
        assert raw_slice == evidence


# ---------------------------------------------------------------- export: the files read back


def _read_export(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(path, encoding="utf-8-sig", dtype={"fact_id": str, "report_id": str})
    if fmt == "parquet":
        return pq.read_table(path).to_pandas()
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        (ws,) = wb.worksheets
        # a streamed sheet records no dimensions: a row ends at its last filled cell, so pad to the header
        (header,) = ws.iter_rows(max_row=1, values_only=True)
        rows = list(ws.iter_rows(min_row=2, max_col=len(header), values_only=True))
        return pd.DataFrame(rows, columns=header)
    finally:
        wb.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_writes_every_current_fact_with_its_report(corpus_db, tmp_path, fmt):
    out = tmp_path / f"facts.{fmt}"
    proc = run_etl("export", "--db", corpus_db, "--format", fmt, "--out", out, check=True)
    expected = fetch(
        corpus_db,
        """SELECT f.fact_id, f.metric, f.value, f.evidence, r.source_file, r.jurisdiction
           FROM facts_current f JOIN reports r USING (report_id) ORDER BY f.fact_id""",
    )
    assert f"wrote {len(expected)} facts to {out}" in proc.stdout
    df = _read_export(out, fmt)
    assert list(df.columns) == list(COLUMNS)
    got = df[["fact_id", "metric", "value", "evidence", "source_file", "jurisdiction"]].sort_values("fact_id")
    assert [(a, b, float(c), d, e, f) for a, b, c, d, e, f in got.itertuples(index=False)] == [
        (a, b, float(c), d, e, f) for a, b, c, d, e, f in expected
    ]


def test_export_refuses_an_unknown_format(corpus_db, tmp_path):
    proc = run_etl("export", "--db", corpus_db, "--format", "json", "--out", tmp_path / "x.json")
    assert proc.returncode == 2 and "'json' is not one of" in proc.stderr


# ---------------------------------------------------------------- shared options and errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-mb", "0"], "must be positive, not 0"),
        (["--time-limit", "-1"], "must be 0 (none) or positive, not -1"),
        (["--lock-timeout", "-1"], "--lock-timeout"),
    ],
)
@pytest.mark.parametrize("command", ["build", "add"])
def test_shared_options_refuse_bad_values_the_same_way(tmp_path, command, args, message):
    where = ["--input", tmp_path] if command == "build" else [tmp_path / "x.txt"]
    proc = run_etl(command, *where, "--db", tmp_path / "x.duckdb", *args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_the_db_option_is_the_same_everywhere():
    """--db is one option: the same type everywhere, data/congress.duckdb by default where it is optional."""
    for name in COMMANDS:
        params = {p.name: p for p in cli.commands[name].params}
        if name == "extract":
            assert "db" not in params
            continue
        db = params["db"]
        assert db.type is PATH, name  # the one shared option
        assert db.required or db.default == DEFAULT_DB == Path("data/congress.duckdb"), name


def test_lock_timeout_gives_up_with_a_message_when_another_writer_holds_the_lock(corpus_copy, tmp_path):
    db, _ = corpus_copy
    held, release = threading.Event(), threading.Event()

    def other_writer():  # another thread: the lock is re-entrant only within one thread
        with write_lock(db):
            held.set()
            release.wait(30)

    t = threading.Thread(target=other_writer)
    t.start()
    try:
        assert held.wait(30)
        proc = run_etl("backup", "--db", db, "--out", tmp_path / "b", "--lock-timeout", "0.2")
    finally:
        release.set()
        t.join()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "another writer" in proc.stderr and "try again" in proc.stderr and "Traceback" not in proc.stderr
    assert run_etl("backup", "--db", db, "--out", tmp_path / "b", "--lock-timeout", "0").returncode == 0


def test_ctrl_c_is_exit_130_with_a_message(monkeypatch):
    def interrupted(_path):
        raise KeyboardInterrupt

    monkeypatch.setattr("etl.cli.build.process_file", interrupted)
    proc = run_etl("extract", CORPUS / "000_c08ffb83924445c9.txt")
    assert proc.returncode == 130 and "interrupted" in proc.stderr and "Traceback" not in proc.stderr


def test_an_unknown_option_is_a_usage_error():
    proc = run_etl("build", "--nope")
    assert proc.returncode == 2 and "No such option '--nope'" in proc.stderr


def test_main_returns_the_exit_code(capsys):
    assert main(["--help"]) == 0
    assert main(["correct", "--user", "u", "--reason", "r", "--db", "/nonexistent/x.duckdb"]) == 2
    assert "say what to do" in capsys.readouterr().err


# ---------------------------------------------------------------- the entry points, in real processes


def test_python_dash_m_etl_runs_a_command():
    proc = run_etl_process("extract", CORPUS / "000_c08ffb83924445c9.txt", "--brief", check=True)
    assert "郑州市" in proc.stdout and "supervision.law_inspections" in proc.stdout
    proc = run_etl_process("restore", "/nonexistent-backup")
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_the_console_script_is_the_cli():
    assert PYPROJECT["project"]["scripts"] == {"congress": "etl.cli:main"}
    script = Path(sys.executable).parent / "congress"
    if not script.exists():
        pytest.skip(f"{script} is not installed: `make setup` installs the project (pip install -e .)")
    proc = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0 and "Usage: congress [OPTIONS] COMMAND" in proc.stdout, proc.stderr
    proc = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.stdout.strip().endswith(etl.__version__)


# ---------------------------------------------------------------- packaging: pyproject and the requirements


def _pins(name: str) -> list[str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [x.split("#")[0].strip() for x in lines if x.split("#")[0].strip() and not x.startswith("-r")]


@pytest.mark.parametrize(
    ("requirements", "key"),
    [
        ("requirements.txt", None),
        ("requirements-dev.txt", "dev"),
        ("requirements-distributed.txt", "distributed"),
        ("requirements-map.txt", "map"),
    ],
)
def test_pyproject_and_the_requirements_files_pin_the_same_packages(requirements, key):
    project = PYPROJECT["project"]
    declared = project["dependencies"] if key is None else project["optional-dependencies"][key]
    assert sorted(declared) == sorted(_pins(requirements))
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.]*", p) for p in declared), declared


def test_the_version_is_read_from_the_package():
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "etl.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", etl.__version__)


def test_the_version_is_the_newest_in_the_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## (\d+\.\d+\.\d+)", text, re.M).group(1) == etl.__version__
