"""Fault suite (issue 11): leftover DuckDB logs, long staging names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import fetch

from etl.write.files import staging_path, wal_path
from etl.write.lock import write_lock


def _leave_wal(db) -> None:
    """A committed change that stays in DuckDB's log: the writer process dies before its checkpoint."""
    code = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1]); con.execute('CREATE TABLE t(x INT)'); con.execute('CHECKPOINT')\n"
        "con.execute('INSERT INTO t VALUES (1)'); os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)


def test_a_foreign_wal_beside_a_swapped_file_is_set_aside_on_open(tmp_path):
    old, new = tmp_path / "old.duckdb", tmp_path / "congress.duckdb"
    _leave_wal(old)
    assert wal_path(old).exists()  # the kill landed between COMMIT and CHECKPOINT
    con = duckdb.connect(str(new))
    con.execute("CREATE TABLE u(y INT)")
    con.close()
    shutil.move(wal_path(old), wal_path(new))  # what a swap without its log used to leave
    assert fetch(new, "SELECT count(*) FROM u") == [(0,)]
    assert not wal_path(new).exists() and list(tmp_path.glob("congress.duckdb.wal.orphaned-*"))


def test_a_writer_folds_the_files_own_wal_before_anything_else(tmp_path):
    db = tmp_path / "congress.duckdb"
    _leave_wal(db)
    assert wal_path(db).exists()
    with write_lock(db):
        pass
    assert not wal_path(db).exists() and fetch(db, "SELECT x FROM t") == [(1,)]


def test_long_file_names_stage_under_short_names(tmp_path):
    target = tmp_path / ("报" * 80 + ".txt")  # 243 bytes: legal, but name + staging suffix is not
    stage = staging_path(target, "-1")
    assert len(stage.name.encode()) < 100
    stage.write_bytes(b"x")
    os.replace(stage, target)
    assert target.read_bytes() == b"x"


def test_a_correct_whose_database_rename_fails_leaves_the_log_as_it_was(corpus_copy, monkeypatch):
    import pytest

    from etl.ops import corrections as C
    from etl.store import corrections_log as CL

    db, _ = corpus_copy
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    real = os.replace

    def refuse(src, dst, *a, **k):  # an immutable database file: its rename is refused
        if str(dst) == str(db):
            raise PermissionError(1, "Operation not permitted", str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        C.correct_fact(db, fid, value=99, user="u", reason="r")
    monkeypatch.setattr(os, "replace", real)
    assert not CL.corrections_path(db).exists() or CL.read_log(CL.corrections_path(db)) == []
    C.correct_fact(db, fid, value=98, user="u", reason="r")
    assert [e.summary.split()[-1] for e in C.list_corrections(db)] == ["98"]


def test_a_pending_jurisdiction_never_replaces_a_report(corpus_copy, tmp_path):
    import dataclasses

    from etl.ops.add import NEW, plan_add, preview

    db, lib = corpus_copy
    src = lib / "000_c08ffb83924445c9.txt"  # 郑州市 2023
    other = tmp_path / "other.txt"
    other.write_text(src.read_text(encoding="utf-8") + "\n（另一版本）\n", encoding="utf-8")
    rep = preview(other, time_limit=None)
    assert plan_add([rep], db)[0].action == "replaces"  # resolved: a new version of the loaded report
    rep.meta = dataclasses.replace(rep.meta, status="pending", pending=["jurisdiction"])
    assert plan_add([rep], db)[0].action == NEW


# ---------------------------------------------------------------- item 3: one rule for report files

NOT_REPORTS = ("report.md", "report", "..txt", "~$report.docx", ".hidden.txt", "report.txt.bak")


def test_add_refuses_by_name_what_build_would_skip(corpus_copy, tmp_path):
    from etl.ops.add import REJECTED, add_reports
    from etl.ops.build import list_report_files

    db, lib = corpus_copy
    text = (lib / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8") + "\n（另一版本）\n"
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in NOT_REPORTS:
        (incoming / name).write_text(text, encoding="utf-8")
    before = sorted(p.name for p in lib.rglob("*"))
    generation = fetch(db, "SELECT value FROM build_info WHERE key = 'generation'")
    s = add_reports(sorted(incoming.iterdir()), db, lib, time_limit=None)
    assert {o.file: o.status for o in s.outcomes} == dict.fromkeys(NOT_REPORTS, REJECTED)
    assert all(o.message for o in s.outcomes)
    assert sorted(p.name for p in lib.rglob("*")) == before  # nothing stored that a build would skip
    assert fetch(db, "SELECT value FROM build_info WHERE key = 'generation'") == generation
    assert list_report_files(incoming) == []  # the same rule: build reads none of them


def test_upload_refuses_by_name_what_build_would_skip(tmp_path):
    import pytest

    from etl.errors import ReadError
    from etl.ops.add import stage_upload
    from etl.read import is_report_file, report_file_problem

    for name in NOT_REPORTS:
        with pytest.raises(ReadError) as err:
            stage_upload(name, b"x", folder=tmp_path)
        assert err.value.path == name and err.value.reason == report_file_problem(name)
        assert not is_report_file(name)
    assert list(tmp_path.iterdir()) == []
    long = "报" * 120 + ".txt"  # shortened, but never losing the extension builds look for
    assert is_report_file(stage_upload(long, b"x", folder=tmp_path))


# ---------------------------------------------------------------- item 5: formula injection

PAYLOADS = ('=HYPERLINK("http://example.invalid","点我")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
            "＝1+1", "=cmd|' /C calc'!A0")  # fmt: skip
DANGER = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _xlsx_cells(data: bytes):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def _assert_inert_xlsx(data: bytes) -> tuple[int, int]:
    texts = numbers = 0
    for cell in _xlsx_cells(data):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            texts += 1
            assert not cell.value.startswith(DANGER), (cell.coordinate, cell.value)
        elif isinstance(cell.value, int | float):
            numbers += 1
    return texts, numbers


def _assert_inert_csv(data: bytes, numeric: set[str]) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows
    for row in rows:
        for key, value in row.items():
            assert not key.startswith(DANGER)
            if key in numeric and value:
                float(value)  # a number stays a number
            else:
                assert not value.startswith(DANGER), (key, value)


def test_cli_exports_carry_no_live_formula(corpus_copy, tmp_path):
    import duckdb

    from etl.ops.export import export_db

    db, _ = corpus_copy
    con = duckdb.connect(str(db))
    con.execute("UPDATE reports SET title = ?, source_file = ?, jurisdiction = ?",
                [PAYLOADS[0], PAYLOADS[3] + ".txt", PAYLOADS[1]])  # fmt: skip
    con.execute("UPDATE facts SET evidence = ?, unit = ?, value_text = ?", [PAYLOADS[5], PAYLOADS[6], "-7"])
    con.execute("UPDATE facts SET value = -value WHERE fact_id IN (SELECT fact_id FROM facts LIMIT 3)")
    con.close()
    n = export_db(db, "xlsx", tmp_path / "f.xlsx")
    texts, numbers = _assert_inert_xlsx((tmp_path / "f.xlsx").read_bytes())
    assert texts and numbers >= n  # every fact's value is still a number cell (negative ones too)
    export_db(db, "csv", tmp_path / "f.csv")
    numeric = {"value", "evidence_start", "evidence_end", "value_start", "value_end", "period_start",
               "period_end", "report_period_start", "report_period_end"}  # fmt: skip
    _assert_inert_csv((tmp_path / "f.csv").read_bytes(), numeric)
    raw = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in raw and ",-" in raw  # neutralized text kept whole; negative numbers kept


def test_dashboard_exports_carry_no_live_formula():
    import pandas as pd

    from app import export
    from app.charts import ChartData, Point, Series

    table = pd.DataFrame({"报告": list(PAYLOADS), "数值": [-1.5, 2, 3, -4, 5, 6, 7, 8],
                          PAYLOADS[0]: list(range(8))})  # fmt: skip
    _assert_inert_csv(export.frame_bytes(table, "csv"), {"数值", "'" + PAYLOADS[0]})
    texts, numbers = _assert_inert_xlsx(export.frame_bytes(table, "xlsx"))
    assert numbers == 16 and texts == 8 + 3
    chart = ChartData("k", PAYLOADS[0], PAYLOADS[3], "line", [PAYLOADS[1], "2023"],
                      [Series(PAYLOADS[2], [Point(-3.0, "件", evidence=PAYLOADS[4], report=PAYLOADS[7]),
                                            Point(4.0, note=PAYLOADS[5])])],
                      subtitle=PAYLOADS[6], sources=[PAYLOADS[0]])  # fmt: skip
    texts, numbers = _assert_inert_xlsx(export.charts_xlsx([chart]))
    assert numbers >= 2


# ---------------------------------------------------------------- item 8: a fragile corrections log


def _good_line(**over) -> dict:
    d = {"v": 1, "correction_id": "c20250101000000-aaaaaa", "action": "set", "user": "u",
         "at": "2025-01-01T00:00:00Z", "reason": "r", "fact_id": "f", "report_id": "r",
         "changes": {"value": [1.0, 2.0]}, "before": {}, "fact": None, "target": None}  # fmt: skip
    d.update(over)
    return d


def _line(**over) -> bytes:
    import json

    return json.dumps(_good_line(**over), ensure_ascii=False).encode() + b"\n"


BAD_LINES = {
    "value as text": _line(changes={"value": [1.0, "十二"]}),
    "period as text": _line(changes={"period_start": [2020, "2021"]}),
    "changes as a list": _line(changes=[["value", 1, 2]]),
    "unknown field changed": _line(changes={"evidence": ["a", "b"]}),
    "user as a number": _line(user=7),
    "at not a time": _line(at="yesterday"),
    "unknown action": _line(action="delete"),
    "add without its fact": _line(action="add", fact={"value": "x"}),
    "revert without target": _line(action="revert"),
    "report with a bad type": _line(action="report", changes={"report_type": ["annual_report", 3]}),
    "qualifier out of range": _line(changes={"qualifier": ["exact", "roughly"]}),
    "not an object": b"[1, 2, 3]\n",
    "non-UTF-8 byte": _line(reason="r\xff").replace("\xff".encode(), b"\xff"),
    "duplicate id": _line(),
    "truncated last line": _line()[:40].replace(b"aaaaaa", b"bbbbbb"),
}


def test_the_schema_takes_every_line_the_code_writes(corpus_copy):
    import jsonschema

    from etl.ops import corrections as C
    from etl.store import corrections_log as CL

    schema = json.loads(CL.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)

    db, _ = corpus_copy
    # a fact whose sentence reads the same after normalization (add_fact looks for it in the normalized text)
    fid, rid = fetch(
        db,
        "SELECT f.fact_id, f.report_id FROM facts f JOIN report_texts t USING (report_id)"
        " WHERE strpos(t.norm_text, f.evidence) > 0 ORDER BY f.fact_id LIMIT 1",
    )[0]
    C.correct_fact(db, fid, value=99, period=2020, unit="件", qualifier="approx", user="u", reason="r")
    rec = C.reject_fact(db, fid, user="u", reason="r")
    C.revert_correction(db, rec.correction_id, user="u", reason="r")
    C.correct_report(db, rid, period="2019", report_type="annual_report", user="u", reason="r")
    sentence = fetch(db, "SELECT evidence, value FROM facts WHERE fact_id = ?", [fid])[0]
    C.reject_fact(db, fid, user="u", reason="r")
    C.add_fact(db, rid, metric="supervision.special_inquiries", value=sentence[1], evidence=sentence[0],
               user="u", reason="r")  # fmt: skip
    good, bad = CL.scan_log(CL.corrections_path(db))
    assert len(good) == 6 and bad == []


def test_every_bad_log_line_is_named_by_its_number(tmp_path):
    from etl.store import corrections_log as CL

    log = tmp_path / "congress.corrections.jsonl"
    for kind, line in BAD_LINES.items():
        ended = line if line.endswith(b"\n") else line + b"\n"  # as a later append leaves it
        log.write_bytes(_line() + ended + _line(correction_id="c20250101000000-cccccc"))
        with pytest.raises(CL.CorrectionError, match=rf"{log.name}, line 2: .*--repair"):
            CL.read_log(log)
        skipped: list = []
        assert len(CL.read_log(log, skip_bad=skipped)) == 2, kind
        assert [(b.line, b.raw) for b in skipped] == [(2, line.rstrip(b"\n"))], kind


FAST_KINDS = ("value as text", "non-UTF-8 byte", "truncated last line")


@pytest.mark.parametrize(
    "kind", [k if k in FAST_KINDS else pytest.param(k, marks=pytest.mark.faults) for k in sorted(BAD_LINES)]
)
def test_a_bad_log_line_is_named_and_every_write_says_what_to_do(corpus_copy, kind):
    from etl.ops import corrections as C
    from etl.ops.add import add_reports
    from etl.ops.backup import backup, restore, verify_backup
    from etl.store import corrections_log as CL

    db, lib = corpus_copy
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    log = CL.corrections_path(db)
    log.write_bytes(_line() + BAD_LINES[kind])
    with pytest.raises(CL.CorrectionError, match=rf"{log.name}, line 2: .*--repair"):
        C.correct_fact(db, fid, value=5, user="u", reason="r")
    with pytest.raises(CL.CorrectionError, match="line 2"):
        add_reports([lib / "000_c08ffb83924445c9.txt"], db, None, time_limit=None)
    folder = backup(db)  # whatever the log holds
    assert verify_backup(folder) and (folder / "corrections.jsonl").read_bytes() == log.read_bytes()
    r = restore(folder, db, safety_backup=True)
    assert [b.line for b in r.bad_lines] == [2] and log.read_bytes() == _line() + BAD_LINES[kind]
    s = C.repair_log(db)
    assert [b.line for b in s.quarantined] == [2] and s.side_file.read_bytes().rstrip(b"\n") == BAD_LINES[
        kind
    ].rstrip(b"\n")  # kept byte for byte
    assert log.read_bytes() == _line() and s.kept == 1
    C.correct_fact(db, fid, value=5, user="u", reason="r")  # writes work again
    assert len(CL.read_log(log)) == 2


def test_cli_names_the_bad_line_without_a_traceback(corpus_copy, tmp_path):
    from conftest import run_etl

    from etl.store import corrections_log as CL

    db, _ = corpus_copy
    log = CL.corrections_path(db)
    log.write_bytes(_line() + BAD_LINES["value as text"] + BAD_LINES["non-UTF-8 byte"])
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    p = run_etl("correct", "--db", db, "--fact", fid, "--value", "3", "--user", "u", "--reason", "r")
    assert (
        p.returncode == 2 and "line 2" in p.stderr and "--repair" in p.stderr and "Traceback" not in p.stderr
    )
    p = run_etl("backup", "--db", db, "--out", tmp_path / "b")
    assert p.returncode == 0 and "2 bad lines" in p.stderr and "Traceback" not in p.stderr
    p = run_etl("corrections", "--db", db, "--repair")
    assert p.returncode == 0 and "line 2:" in p.stdout and "line 3:" in p.stdout, p.stdout + p.stderr
    assert len(list(db.parent.glob("congress.corrections.quarantine-*.jsonl"))) == 1
    p = run_etl("correct", "--db", db, "--fact", fid, "--value", "3", "--user", "u", "--reason", "r")
    assert p.returncode == 0, p.stderr


# ---------------------------------------------------------------- item 13: disk full


def _leftovers(folder) -> list:
    return sorted(p.name for p in folder.rglob("*") if ".staging-" in p.name or p.name.endswith(".partial"))


def test_a_full_disk_is_refused_before_staging_and_names_the_folder(corpus_copy, monkeypatch):
    from etl.ops import corrections as C
    from etl.ops.add import add_reports
    from etl.ops.backup import backup
    from etl.store import corrections_log as CL
    from etl.write import disk as writer

    db, lib = corpus_copy
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    monkeypatch.setattr(writer, "free_bytes", lambda folder: 4096)
    with pytest.raises(
        writer.DiskFullError, match=rf"{db.parent}: .*only 0.0 MB is left; nothing was changed"
    ):
        C.correct_fact(db, fid, value=5, user="u", reason="r")
    with pytest.raises(writer.DiskFullError, match="free some space"):
        backup(db)
    with pytest.raises(writer.DiskFullError, match=str(lib)):
        add_reports([lib / "000_c08ffb83924445c9.txt"], db, lib, time_limit=None)
    assert _leftovers(db.parent) == [] and not CL.corrections_path(db).exists()


def test_running_out_of_space_mid_copy_leaves_no_staging_file(corpus_copy, monkeypatch):
    import errno

    from etl.ops import corrections as C
    from etl.store import corrections_log as CL
    from etl.write import disk as writer

    db, _ = corpus_copy
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    real = shutil.copyfile

    def half_then_full(src, dst, *a, **k):  # the device fills up half-way through the staged copy
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read(os.path.getsize(src) // 2))
        raise OSError(errno.ENOSPC, "No space left on device")  # no file name, as sendfile raises it

    monkeypatch.setattr(shutil, "copyfile", half_then_full)
    with pytest.raises(
        writer.DiskFullError, match=rf"{db.name}: no space left on the device .*free some space"
    ):
        C.correct_fact(db, fid, value=5, user="u", reason="r")
    monkeypatch.setattr(shutil, "copyfile", real)
    assert _leftovers(db.parent) == [] and not CL.corrections_path(db).exists()
    C.correct_fact(db, fid, value=5, user="u", reason="r")


def test_writing_a_staged_file_on_a_full_disk_removes_it_and_names_it(tmp_path, monkeypatch):
    import builtins
    import errno

    from etl.write.files import write_staged

    real_open = builtins.open

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(builtins, "open", lambda p, m="r", *a, **k: Full(real_open(p, m, *a, **k)))
    with pytest.raises(OSError) as err:
        write_staged(tmp_path / "x.jsonl", b"0123456789" * 100)
    monkeypatch.setattr(builtins, "open", real_open)
    assert err.value.filename and ".staging-" in err.value.filename and list(tmp_path.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB tmpfs of our own, room for the database, a staged copy and a backup (skipped where
    mounting is not allowed)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    p = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mnt)], capture_output=True, text=True
    )
    if p.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs here ({p.stderr.strip() or p.returncode}): disk-full test skipped"
        )
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.faults
@pytest.mark.parametrize("free_kb", [0, 4, 64, 1024, 6 * 1024, 11 * 1024])
def test_commands_on_a_full_disk_name_the_path_and_leave_no_staging_files(
    corpus_db, small_disk, free_kb, tmp_path
):
    from conftest import CORPUS, run_etl

    db = small_disk / "congress.duckdb"
    shutil.copyfile(corpus_db, db)
    fid = fetch(db, "SELECT fact_id FROM facts JOIN reports USING (report_id) WHERE source_file <> "
                "'000_c08ffb83924445c9.txt' ORDER BY fact_id LIMIT 1")[0][0]  # fmt: skip
    before = fetch(db, "SELECT count(*) FROM reports")
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    with open(filler, "wb") as f:
        f.truncate(0)
        f.write(b"\0" * max(0, free - free_kb * 1024))
    new = tmp_path / "in" / "new.txt"  # the file to add lives elsewhere
    new.parent.mkdir()
    new.write_text(
        (CORPUS / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8") + "\n（另一版本）\n",
        encoding="utf-8",
    )
    runs = [
        run_etl("correct", "--db", db, "--fact", fid, "--value", "5", "--user", "u", "--reason", "r"),
        run_etl("add", "--db", db, "--no-library", "--time-limit", "0", new),
        run_etl("backup", "--db", db, "--out", small_disk / "backups"),
    ]
    for p in runs:
        assert "Traceback" not in p.stderr and p.returncode in (0, 1, 2), p.stderr
        if p.returncode:
            assert str(small_disk) in p.stderr and "space" in p.stderr, p.stderr
    assert _leftovers(small_disk) == []
    assert fetch(db, "SELECT count(*) FROM reports") == before  # readable, whole (the add replaces one)
    filler.unlink()
    p = run_etl("correct", "--db", db, "--fact", fid, "--value", "6", "--user", "u", "--reason", "r")
    assert p.returncode == 0, p.stderr


# ---------------------------------------------------------------- item 12: corruption found late


def _damage_last_block(db) -> None:
    """64 KB of garbage in the file's last block (an index DuckDB only reads when a write touches it)."""
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.seek(size - 200_000)
        f.write(os.urandom(65536))


def test_backup_reads_everything_back_and_refuses_a_damaged_database(corpus_copy, tmp_path):
    from etl.ops.backup import BackupError, backup, restore, verify_backup

    db, _ = corpus_copy
    good = backup(db, tmp_path / "b")
    _damage_last_block(db)
    bad = backup(db, tmp_path / "b")
    manifest = json.loads((bad / "manifest.json").read_text(encoding="utf-8"))
    assert "Corrupt" in manifest["database_error"] or "checksum" in manifest["database_error"]
    with pytest.raises(BackupError, match="restore an older backup"):
        verify_backup(bad)
    with pytest.raises(BackupError, match="restore an older backup"):
        restore(bad, db)
    r = restore(good, db)  # the damaged live file is kept in a safety backup, the good one comes back
    assert r.reports == 5 and r.safety_backup is not None
    assert not [p for p in bad.parent.rglob("*") if p.name.startswith(".verify-")]


@pytest.mark.faults
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_every_command_on_a_damaged_database_says_what_to_do(corpus_copy, tmp_path, damage):
    from conftest import CORPUS, run_etl

    db, _ = corpus_copy
    good = run_etl("backup", "--db", db, "--out", tmp_path / "good", check=True)
    folder = good.stdout.split("backup: ")[1].split()[0]
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    if damage == "truncated":
        os.truncate(db, os.path.getsize(db) // 2)
    else:
        _damage_last_block(db)
    commands = [
        ("corrections", "--db", db),
        ("export", "--db", db, "--format", "csv", "--out", tmp_path / "x.csv"),
        ("export-parquet", "--db", db, "--out", tmp_path / "pq"),
        ("correct", "--db", db, "--fact", fid, "--value", "5", "--user", "u", "--reason", "r"),
        ("add", "--db", db, "--no-library", "--time-limit", "0", CORPUS / "000_c08ffb83924445c9.txt"),
        ("backup", "--db", db, "--out", tmp_path / "b"),
    ]
    for args in commands:
        p = run_etl(*args)
        assert "Traceback" not in p.stderr, (args[0], p.stderr)
        if p.returncode:
            assert "python -m etl build" in p.stderr or "restore" in p.stderr, (args[0], p.stderr)
    assert run_etl("backup", "--db", db, "--out", tmp_path / "b").returncode == 1  # never a trusted backup
    p = run_etl("restore", folder, "--db", db)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    assert fetch(db, "SELECT count(*) FROM reports") == [(5,)]


# ---------------------------------------------------------------- item 10: build extracts outside the lock


def test_build_extracts_before_it_takes_the_writer_lock(corpus_copy, monkeypatch):
    import errno
    import fcntl

    from etl.ops import build as B
    from etl.write.files import lock_path

    db, lib = corpus_copy
    real = B.extract_files
    seen = []

    def watching(*a, **k):
        for ex in real(*a, **k):
            fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT)
            try:  # another writer could take the lock now: the build does not hold it while extracting
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                seen.append("free")
            except OSError as exc:
                assert exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK)
                seen.append("held")
            finally:
                os.close(fd)
            yield ex

    monkeypatch.setattr(B, "extract_files", watching)
    s = B.build(lib, db, progress=False, workers=1)
    assert s.reports == 5 and seen == ["free"] * 5
    assert not list(db.parent.glob(".*building*")) and not list(db.parent.glob("*.staging-*"))


def test_build_stops_a_file_past_its_time_limit_and_loads_the_others(corpus_copy, monkeypatch):
    import time

    from etl.ops import build as B
    from etl.ops import extract_one

    db, lib = corpus_copy
    (lib / "slow.txt").write_text((lib / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8") + "\n补。\n",
                                  encoding="utf-8")  # fmt: skip
    real = extract_one.process_document

    def hang_on_slow(doc):
        if doc.source_file == "slow.txt":
            time.sleep(60)  # a pathological file
        return real(doc)

    monkeypatch.setattr(extract_one, "process_document", hang_on_slow)
    t = time.monotonic()
    s = B.build(lib, db, progress=False, workers=1, time_limit=1)
    assert time.monotonic() - t < 30
    assert [(f, r.split(" and ")[0]) for f, r in s.problems] == [
        ("slow.txt", "reading it took longer than 1 s")
    ]
    assert s.reports == 5


# ---------------------------------------------------------------- item 6: login lockout across sessions


def test_the_lockout_backs_off_per_user_name_and_per_address():
    from app.auth import LOCKOUT_SECONDS, MAX_FAILURES, MAX_LOCKOUT_SECONDS, LoginThrottle

    t = LoginThrottle()
    alice = t.keys("alice", "10.0.0.1")
    for i in range(MAX_FAILURES - 1):
        t.failed(alice, now=100.0 + i)
    assert t.wait(alice, now=110.0) == 0
    t.failed(alice, now=110.0)
    assert t.wait(alice, now=110.0) == LOCKOUT_SECONDS
    assert t.wait(t.keys("alice", "10.9.9.9"), now=110.0) == LOCKOUT_SECONDS  # another address: same name
    assert t.wait(t.keys(" Alice ", None), now=110.0) == LOCKOUT_SECONDS
    assert t.wait(t.keys("bob", "10.0.0.1"), now=110.0) == LOCKOUT_SECONDS  # another name: same address
    assert t.wait(t.keys("bob", "10.0.0.2"), now=110.0) == 0
    t.failed(alice, now=200.0)
    assert t.wait(alice, now=200.0) == 2 * LOCKOUT_SECONDS  # backoff
    for _ in range(20):
        t.failed(alice, now=300.0)
    assert t.wait(alice, now=300.0) == MAX_LOCKOUT_SECONDS
    t.succeeded(alice)
    assert t.wait(alice, now=300.0) == 0
    assert not any("alice" in k for k in t._fails) and all(len(k) < 40 for k in alice)


def test_fresh_sessions_do_not_reset_the_lockout_and_the_log_never_shows_the_user_field(
    tmp_path, monkeypatch, caplog
):
    import logging

    from conftest import ANALYST, PASSWORD, analyst_secrets, login, open_app, writable_corpus

    corpus = writable_corpus(tmp_path, monkeypatch)
    caplog.set_level(logging.INFO, logger="dashboard.auth")
    for i in range(5):  # five browsers, or one pressing F5: each a new session
        at = open_app(corpus["db"], monkeypatch, secrets=analyst_secrets())
        at = login(at, ANALYST if i % 2 else "MyS3cret!pw", "wrong password")
        assert "用户名或密码错误" in at.error[0].value
    at = open_app(corpus["db"], monkeypatch, secrets=analyst_secrets())
    at = login(at, ANALYST, PASSWORD)
    assert "错误次数过多" in at.error[0].value and "auth_logout" not in {str(b.key) for b in at.button}
    assert "MyS3cret!pw" not in caplog.text and "an unknown name (sha256" in caplog.text


# ---------------------------------------------------------------- item 2: an add killed right after COMMIT


def test_an_add_killed_right_after_its_commit_is_rolled_forward_by_the_next_writer(corpus_copy, tmp_path):
    from test_lifecycle import ZY, ZZ, _kill, _start_paused, variant

    from etl.ops.add import SUPERSEDED_DIR, add_reports
    from etl.ops.build import build
    from etl.write.files import intent_path, journal_path

    db, lib = corpus_copy
    v2 = variant(lib / ZZ, tmp_path / "new" / "zz-final.txt", "（定稿）")
    proc = _start_paused("committed", "add", v2, "--db", db, "--library", lib)
    pid = proc.pid
    _kill(proc)
    # the kill landed mid-write: COMMIT done (its generation is the one the journal waits for), the library
    # renames listed durably but not made, the in-place announcement still there
    entry = json.loads(journal_path(db).read_text(encoding="utf-8"))
    assert entry["pid"] == pid and entry["requires_generation"] >= 2
    staged = [Path(op[1]) for op in entry["ops"] if op[0] == "replace"]
    assert staged and all(p.exists() and p.name.startswith(".") for p in staged)
    assert not (lib / "zz-final.txt").exists() and (lib / ZZ).exists()
    assert intent_path(db).read_text(encoding="ascii").split()[0] == str(pid)
    # the next writer (another add, which also clears dead writers' staging files) rolls forward first
    other = variant(lib / ZY, tmp_path / "new" / "zy-other.txt", "（另一份）")
    other.write_text(other.read_text(encoding="utf-8").replace("中原区", "二七区"), encoding="utf-8")
    (o,) = add_reports([other], db, lib, time_limit=None).outcomes
    assert o.status != "rejected", o.message
    assert not journal_path(db).exists() and not any(p.exists() for p in staged)
    assert (lib / "zz-final.txt").read_bytes() == v2.read_bytes() and not (lib / ZZ).exists()
    assert len(list((lib / SUPERSEDED_DIR).iterdir())) == 1
    assert fetch(db, "SELECT count(*) FROM reports WHERE source_file = 'zz-final.txt'") == [(1,)]
    # and a rebuild from the library keeps the report: nothing was lost
    s = build(lib, db, progress=False)
    assert s.ok and fetch(db, "SELECT count(*) FROM reports WHERE source_file = 'zz-final.txt'") == [(1,)]


# ---------------------------------------------------------------- item 7: readers and an in-place add


def test_a_dashboard_run_does_not_hold_the_file_while_an_add_waits(corpus_copy, tmp_path, monkeypatch):
    import time

    from conftest import CORPUS, run_etl_process

    from app import db as appdb

    db, lib = corpus_copy
    monkeypatch.setenv("CONGRESS_DB", str(db))
    new = tmp_path / "new" / "zz.txt"
    new.parent.mkdir()
    new.write_text(
        (CORPUS / "000_c08ffb83924445c9.txt").read_text(encoding="utf-8") + "\n（定稿）\n", encoding="utf-8"
    )
    with appdb.session():  # a page run that has read something and is now waiting on something else
        with appdb.cursor() as cur:
            assert cur.execute("SELECT count(*) FROM reports").fetchone() == (5,)
        t = time.monotonic()
        # a separate process, as the CLI is beside a dashboard (in this process DuckDB would share the
        # instance)
        p = run_etl_process("add", new, "--db", db, "--no-library", "--time-limit", "0")
        waited = time.monotonic() - t
        assert p.returncode == 0, p.stderr
        assert waited < 15, waited  # it used to wait the writer's 30 s for this run, then fail
        t = time.monotonic()
        with appdb.cursor() as cur:  # and the run reads on, the new state, at once
            assert cur.execute("SELECT count(*) FROM reports WHERE source_file = 'zz.txt'").fetchone() == (1,)
        assert time.monotonic() - t < 1


TWO_WRITES = """
import sys, time
from etl.write.lock import writing_in_place
db = sys.argv[1]
with writing_in_place(db):
    time.sleep(0.3)
    first_end = time.time()
with writing_in_place(db):
    second_start = time.time()
    time.sleep(0.3)
time.sleep(0.5)
t = time.time()
with writing_in_place(db):  # long after the last write: no turn to wait out
    third_wait = time.time() - t
print(first_end, second_start, third_wait)
"""


def test_readers_get_their_turn_between_two_in_place_writes(tmp_path):
    import threading
    import time

    from etl.write.files import intent_path
    from etl.write.lock import READERS_TURN, wait_for_writer

    db = tmp_path / "congress.duckdb"
    seen: list[float] = []  # when a polling reader found no writer at work
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            wait_for_writer(db, timeout=30)
            seen.append(time.time())
            time.sleep(0.005)

    t = threading.Thread(target=reader)
    t.start()
    try:
        p = subprocess.run(
            [sys.executable, "-c", TWO_WRITES, str(db)], capture_output=True, text=True, timeout=60
        )
    finally:
        stop.set()
        t.join()
    assert p.returncode == 0, p.stderr
    first_end, second_start, third_wait = map(float, p.stdout.split())
    assert second_start - first_end >= READERS_TURN * 0.9  # the next write waited out the readers' turn
    assert any(first_end < s < second_start for s in seen)  # and a reader got in between
    assert third_wait < READERS_TURN / 2
    assert intent_path(db).read_text(encoding="ascii").startswith("done ")


def test_the_readers_turn_lasts_as_long_as_the_last_write_held_the_file():
    import time

    from etl.write.lock import MAX_READERS_TURN, READERS_TURN, readers_turn

    now = time.time()
    assert readers_turn(f"done {now:.3f} 0.8") == pytest.approx(0.8, abs=0.05)  # a slow write, a long turn
    assert readers_turn(f"done {now:.3f} 0.01") == pytest.approx(READERS_TURN, abs=0.05)
    assert readers_turn(f"done {now:.3f} 60") == pytest.approx(MAX_READERS_TURN, abs=0.05)
    assert readers_turn(f"done {now - 30:.3f} 0.8") == 0.0  # long over
    assert readers_turn(f"done {now + 3600:.3f} 0.8") <= 0.8  # a clock set back: never longer
    for notice in ("", "4242 777", "done", "done x y", "done 1.0"):  # a live or crashed writer, garbage
        assert readers_turn(notice) == 0.0


def test_a_stale_writing_notice_with_a_reused_pid_does_not_make_readers_wait(tmp_path):
    import time

    from etl.write.files import intent_path
    from etl.write.lock import wait_for_writer

    db = tmp_path / "congress.duckdb"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:  # a crashed writer's notice whose pid now belongs to another (live) process
        intent_path(db).write_text(f"{sleeper.pid} 1\n", encoding="ascii")
        t = time.monotonic()
        wait_for_writer(db, timeout=30)
        assert time.monotonic() - t < 5  # not the 30 s of a live writer
    finally:
        sleeper.kill()
        sleeper.wait()


READER_LOOP = """
import json, sys, time
from pathlib import Path
from etl.write.connect import open_readonly
db, stop = sys.argv[1], Path(sys.argv[2])
waits, errors = [], []
Path(sys.argv[3]).touch()  # imports done: reading from now on
while not stop.exists():
    t = time.monotonic()
    try:
        con = open_readonly(db)
        try:
            con.execute("SELECT count(*) FROM facts_current").fetchone()
        finally:
            con.close()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}"[:200])
    waits.append(time.monotonic() - t)
    time.sleep(0.02)
print(json.dumps({"waits": waits, "errors": errors[:10]}))
"""


@pytest.mark.faults
def test_three_readers_against_in_place_adds_wait_under_a_second_and_no_add_fails(corpus_copy, tmp_path):
    import statistics
    import time

    from conftest import CORPUS
    from test_lifecycle import ZZ, variant

    from etl.ops.add import REJECTED, add_reports

    db, lib = corpus_copy
    stop = tmp_path / "stop"
    ready = [tmp_path / f"ready-{i}" for i in range(3)]
    readers = [subprocess.Popen([sys.executable, "-c", READER_LOOP, str(db), str(stop), str(r)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for r in ready]  # fmt: skip
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    outcomes = []
    try:
        started, i = time.monotonic(), 0
        while i < 8 or time.monotonic() - started < 15:  # a new version each time: every add writes in place
            i += 1
            v = variant(CORPUS / ZZ, tmp_path / f"v{i}" / "zz-next.txt", f"（第{i}版）")
            outcomes += add_reports([v], db, lib, time_limit=None, lock_timeout=120).outcomes
    finally:
        stop.touch()
    results = [json.loads(p.communicate(timeout=120)[0]) for p in readers]
    assert [o.status for o in outcomes if o.status == REJECTED] == [], [o.message for o in outcomes]
    waits = sorted(w for r in results for w in r["waits"])
    assert all(r["errors"] == [] for r in results), [r["errors"] for r in results]
    p95 = statistics.quantiles(waits, n=20)[-1]
    # Back-to-back adds took the file again within milliseconds of letting it go, and readers waited
    # through one add after another: p95 1.5–2.8 s on an idle machine, 7.4 s on a busy CI one.  With the
    # readers' turn between two in-place writes a reader waits for at most one add (0.3 s idle, 0.5 s at
    # load 3 on 2 cores).
    load = os.getloadavg()[0]
    assert len(waits) >= 20 and p95 < 1.0, (f"p95 {p95:.2f} s at load {load:.1f}", waits[-5:])


# ---------------------------------------------------------------- item 2: kills at every step of an add


def _library_agrees(db, lib) -> bool:
    """Every report in the database has its very file in the library, and the library nothing more."""
    from etl.write.files import sha256_file

    in_db = set(fetch(db, "SELECT source_file, file_sha256 FROM reports"))
    in_lib = {(p.name, sha256_file(p)) for p in lib.iterdir() if p.is_file() and not p.name.startswith(".")}
    return in_db == in_lib


@pytest.mark.faults
@pytest.mark.parametrize("point", ["staged", "before_commit", "committed", "mid_commit"])
def test_an_add_killed_at_any_step_leaves_database_and_library_agreeing(corpus_copy, tmp_path, point):
    from conftest import run_etl
    from test_lifecycle import ZZ, _kill, _start_paused, variant

    from etl.ops.add import add_reports
    from etl.write.files import intent_path, journal_path

    db, lib = corpus_copy
    assert _library_agrees(db, lib)
    v2 = variant(lib / ZZ, tmp_path / "new" / "zz-final.txt", "（定稿）")
    proc = _start_paused(point, "add", v2, "--db", db, "--library", lib)
    pid = proc.pid
    _kill(proc)
    assert intent_path(db).read_text(encoding="ascii").split()[0] == str(pid)  # killed inside the write
    p = run_etl("corrections", "--db", db)  # any writer, or this reader, finishes a committed add first
    assert p.returncode == 0, p.stderr
    assert not journal_path(db).exists() and _library_agrees(db, lib)
    committed = point in ("committed", "mid_commit")
    assert fetch(db, "SELECT count(*) FROM reports WHERE source_file = 'zz-final.txt'") == [(int(committed),)]
    (o,) = add_reports([v2], db, lib, time_limit=None).outcomes  # the next add: rolled forward or redone
    assert o.status == ("unchanged" if committed else "replaced"), o.message
    assert not list(lib.glob(".*staging*")) and _library_agrees(db, lib)


# One dashboard session (AppTest runs dashboard.py in this process, so patching app.db.attach_readonly times
# every open of the file): it cycles through the pages a visitor's navigation offers, with the query cache
# emptied before each run so every run reads the file, until the stop file appears.
SESSION_LOOP = """
import json, os, re, sys, time
from pathlib import Path
db, stop, ready, root = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
os.environ["CONGRESS_DB"] = db
import streamlit as st
from streamlit.testing.v1 import AppTest
import app.db
pages = [(p, t) for p, t in re.findall(r'st\\.Page\\(\\s*"([^"]+)",\\s*title="([^"]+)"',
                                       (root / "dashboard.py").read_text(encoding="utf-8"))
         if p != "pages/manage_page.py"]  # analysts only: a visitor gets the login page at that address
real, waits, failed = app.db.attach_readonly, [], []
def timed(*args, **kwargs):
    t = time.monotonic()
    try:
        return real(*args, **kwargs)
    except Exception as exc:
        failed.append(f"{type(exc).__name__}: {exc}"[:300])
        raise
    finally:
        waits.append(time.monotonic() - t)
app.db.attach_readonly = timed
at = AppTest.from_file(str(root / "dashboard.py"), default_timeout=120)
at.run()  # imports and the first view: before the adds start
waits.clear()
Path(ready).touch()
runs, during, took, problems = 0, 0, [], []
while not stop.exists():
    path, title = pages[runs % len(pages)]
    st.cache_data.clear()
    t, n = time.monotonic(), len(waits)
    at.switch_page(path).run()
    took.append((time.monotonic() - t, sum(waits[n:])))  # the run, and its opens' waits
    runs += 1
    during += not stop.exists()  # finished while the adds still ran
    problems += [f"{path}: exception {e.value}"[:300] for e in at.exception]
    problems += [f"{path}: error {e.value}"[:300] for e in at.error]
    if [e.value for e in at.title][:1] != [title]:
        problems.append(f"{path}: titled {[e.value for e in at.title][:1]}, not {title}")
print(json.dumps({"runs": during, "took": took, "waits": waits, "failed": failed[:10],
                  "problems": problems[:10]}))
"""


@pytest.mark.faults
def test_three_dashboard_sessions_against_in_place_adds_wait_under_a_second_and_no_add_fails(
    corpus_copy, tmp_path
):
    import statistics
    import time

    from conftest import CORPUS, ROOT
    from test_lifecycle import ZZ, variant

    from etl.ops.add import REJECTED, add_reports

    db, lib = corpus_copy
    stop = tmp_path / "stop"
    ready = [tmp_path / f"ready-{i}" for i in range(3)]
    logs = [(tmp_path / f"session-{i}.log").open("w") for i in range(3)]
    sessions = [subprocess.Popen([sys.executable, "-c", SESSION_LOOP, str(db), str(stop), str(r), str(ROOT)],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
                for r, log in zip(ready, logs, strict=True)]  # fmt: skip
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    outcomes, add_errors = [], []
    try:
        started, i = time.monotonic(), 0
        while i < 8 or time.monotonic() - started < 15:  # a new version each time: every add writes in place
            i += 1
            v = variant(CORPUS / ZZ, tmp_path / f"v{i}" / "zz-next.txt", f"（第{i}版）")
            try:
                outcomes += add_reports([v], db, lib, time_limit=None, lock_timeout=120).outcomes
            except Exception as exc:  # noqa: BLE001 - counted: a failed add is what the test is about
                add_errors.append(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        stop.touch()
        results = [json.loads(p.communicate(timeout=180)[0] or "null") for p in sessions]
        for log in logs:
            log.close()
    failed_adds = add_errors + [o.message for o in outcomes if o.status == REJECTED]
    assert failed_adds == [], failed_adds
    assert None not in results, [(tmp_path / f"session-{i}.log").read_text()[-2000:] for i in range(3)]
    waits = sorted(w for r in results for w in r["waits"])
    p50, p95 = statistics.quantiles(waits, n=20)[9], statistics.quantiles(waits, n=20)[-1]
    took = sorted(t for r in results for t, _ in r["took"])
    waited = sorted(w for r in results for _, w in r["took"])
    load = os.getloadavg()[0]
    figures = (
        f"{i} adds; page runs per session {[r['runs'] for r in results]}; {len(waits)} opens, wait "
        f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {waits[-1]:.2f} s; page runs p50 "
        f"{statistics.median(took):.1f} s, max {took[-1]:.1f} s, waiting to open p50 "
        f"{statistics.median(waited):.1f} s, max {waited[-1]:.1f} s; load {load:.1f}"
    )
    print(figures)
    # a page that failed logged its traceback (dashboard.py) to its session's log
    logged = [line for log in tmp_path.glob("session-*.log") for line in log.read_text().splitlines()
              if line.startswith(("  File", "page ")) or "Error" in line]  # fmt: skip
    assert all(r["failed"] == [] and r["problems"] == [] for r in results), (
        [(r["failed"], r["problems"]) for r in results],
        logged[-20:],
    )
    # Every session kept going while the adds ran (issue 11 item 7: page runs stalled 30.4–30.9 s behind
    # the writer).  Without the readers' turn between two adds a page run waited through one add after
    # another for the ~15 opens it makes: 0–2 page runs per session in 15 s, 5–17 s each.
    assert all(r["runs"] >= 2 for r in results), figures
    # A reader's wait is at most about one add: the next add leaves readers their turn first.
    assert p95 < 1.0, figures
