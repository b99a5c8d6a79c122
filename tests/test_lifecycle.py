"""Living with the data: add (unchanged / new / new version / bad files), kills mid-write, backup and
restore."""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import CORPUS, ROOT, district_report, fetch, run_etl

from etl.errors import ReadError
from etl.ops import corrections as C
from etl.ops.add import SUPERSEDED_DIR, add_reports, plan_add, preview, stage_upload
from etl.ops.backup import BackupError, backup, list_backups, restore, verify_backup
from etl.ops.build import build
from etl.store import corrections_log as CL
from etl.write.files import journal_path

ZZ = "000_c08ffb83924445c9.txt"  # 郑州市 2023 annual report
ZY = "004_66608173c0941186.txt"  # 中原区 2020 report excerpt


def snapshot(db) -> dict:
    """Everything a reader could see, as plain rows: equal snapshots mean equal content."""
    return {
        t: fetch(db, f"SELECT * EXCLUDE ({excl}) FROM {t} ORDER BY ALL") if excl
        else fetch(db, f"SELECT * FROM {t} ORDER BY ALL")
        for t, excl in [("reports", "loaded_at"), ("facts", ""), ("facts_current", ""), ("corrections", ""),
                        ("report_texts", "")]
    }  # fmt: skip


def variant(src: Path, dest: Path, extra: str) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(src.read_text(encoding="utf-8") + f"\n{extra}\n", encoding="utf-8")
    return dest


# ---------------------------------------------------------------- add


def test_same_content_again_is_unchanged_and_writes_nothing(corpus_copy, tmp_path):
    db, lib = corpus_copy
    st = db.stat()
    lib_before = sorted(p.name for p in lib.iterdir())
    copy = tmp_path / "upload" / "renamed.txt"
    copy.parent.mkdir()
    shutil.copyfile(lib / ZZ, copy)
    summary = add_reports([lib / ZZ, copy], db, lib)
    assert [o.status for o in summary.outcomes] == ["unchanged", "unchanged"]
    assert summary.ok
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == (st.st_ino, st.st_mtime_ns)  # readers keep their file
    assert sorted(p.name for p in lib.iterdir()) == lib_before


def test_a_new_report_is_added_and_copied_into_the_library(corpus_copy, tmp_path):
    db, lib = corpus_copy
    incoming = tmp_path / "incoming" / ZY
    incoming.parent.mkdir()
    (lib / ZY).rename(incoming)
    build(lib, db, progress=False)
    assert fetch(db, "SELECT count(*) FROM reports") == [(4,)]
    [planned] = plan_add([preview(incoming)], db)
    assert planned.action == "new"
    summary = add_reports([incoming], db, lib)
    (o,) = summary.outcomes
    assert (o.status, o.file, o.library_file) == ("added", ZY, str(lib / ZY))
    assert (lib / ZY).read_bytes() == incoming.read_bytes()
    assert fetch(db, "SELECT count(*) FROM reports") == [(5,)]
    assert fetch(db, "SELECT count(*) FROM facts WHERE report_id = ?", [o.report_id])[0][0] == o.facts > 0
    info = dict(fetch(db, "SELECT key, value FROM build_info"))
    assert (
        info["last_write"] == "add" and int(info["n_facts"]) == fetch(db, "SELECT count(*) FROM facts")[0][0]
    )
    assert fetch(db, "SELECT count(*) FROM checks")[0][0] >= 0


def test_a_new_version_with_the_same_name_replaces_the_old_facts_and_keeps_the_old_file(
    corpus_copy, tmp_path
):
    db, lib = corpus_copy
    old_id = fetch(db, "SELECT report_id FROM reports WHERE source_file = ?", [ZZ])[0][0]
    old_bytes = (lib / ZZ).read_bytes()
    v2 = variant(lib / ZZ, tmp_path / "v2" / ZZ, "会后补充：开展执法检查3项。")
    [planned] = plan_add([preview(v2)], db)
    assert planned.action == "replaces" and planned.replaces == ((old_id, ZZ),)
    (o,) = add_reports([v2], db, lib).outcomes
    assert o.status == "replaced" and o.replaced == [(old_id, ZZ)]
    assert fetch(db, "SELECT count(*) FROM facts WHERE report_id = ?", [old_id]) == [(0,)]
    assert fetch(db, "SELECT count(*) FROM reports WHERE source_file = ?", [ZZ]) == [(1,)]
    assert (lib / ZZ).read_bytes() == v2.read_bytes()
    (kept,) = (lib / SUPERSEDED_DIR).iterdir()
    assert kept.read_bytes() == old_bytes
    # the library reproduces the database: a rebuild gives the same reports and facts
    facts = fetch(db, "SELECT report_id, fact_id, value FROM facts ORDER BY ALL")
    build(lib, db, progress=False)
    assert fetch(db, "SELECT report_id, fact_id, value FROM facts ORDER BY ALL") == facts


def test_a_new_version_under_another_name_replaces_by_jurisdiction_period_and_type(corpus_copy, tmp_path):
    db, lib = corpus_copy
    v2 = variant(lib / ZZ, tmp_path / "zz-2023-final.txt", "（定稿）")
    (o,) = add_reports([v2], db, lib).outcomes
    assert o.status == "replaced" and o.replaced[0][1] == ZZ
    assert not (lib / ZZ).exists() and (lib / "zz-2023-final.txt").exists()
    assert [p.name.endswith(ZZ) for p in (lib / SUPERSEDED_DIR).iterdir()] == [True]
    assert fetch(db, "SELECT count(*) FROM reports") == [(5,)]


def test_a_district_sharing_its_name_with_another_citys_is_not_a_new_version_of_it(corpus_copy, tmp_path):
    """朝阳区 is 北京市's and 长春市's: the same year and type, even the same file name, are two reports."""
    db, lib = corpus_copy
    for place, n in (("北京市朝阳区", 8), ("长春市朝阳区", 12)):
        incoming = tmp_path / place / "朝阳区2023年工作报告.txt"
        incoming.parent.mkdir()
        incoming.write_text(district_report(place, n), encoding="utf-8")
        (o,) = add_reports([incoming], db, lib).outcomes
        assert o.status == "added" and not o.replaced, o.message
    parents = fetch(db, "SELECT parent FROM reports WHERE jurisdiction = '朝阳区'")
    assert sorted(parents) == [("北京市",), ("长春市",)]
    assert fetch(db, "SELECT count(*) FROM reports") == [(7,)]


def test_a_different_file_with_a_taken_name_is_stored_under_another_name(corpus_copy, tmp_path):
    db, lib = corpus_copy
    (lib / "notes.txt").write_text(
        "今天天气很好，我们去公园散步。" * 5, encoding="utf-8"
    )  # in the library, not a report
    incoming = tmp_path / "in" / "notes.txt"
    incoming.parent.mkdir()
    (lib / ZY).rename(incoming)
    build(lib, db, progress=False)
    (o,) = add_reports([incoming], db, lib).outcomes
    assert o.status == "added"
    assert "already has a different file named notes.txt" in o.message
    stored = Path(o.library_file)
    assert stored.name.startswith("notes-") and stored.read_bytes() == incoming.read_bytes()
    assert (lib / "notes.txt").read_text(encoding="utf-8").startswith("今天天气")


def _bad_files(folder: Path) -> dict[str, str]:
    """Each kind of bad input the issue names, with words its rejection message must contain."""
    from reportlab.pdfgen import canvas

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "huge.txt").write_text("人大常委会" * 400_000, encoding="utf-8")  # 6 MB, over a 5 MB limit
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    (folder / "program.pdf").write_bytes(b"\x7fELF\x02\x01\x01" + os.urandom(2000))
    sheet = io.BytesIO()
    with zipfile.ZipFile(sheet, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    (folder / "sheet.docx").write_bytes(sheet.getvalue())
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<" + b"a" * (30 * 1024 * 1024))
    (folder / "bomb.docx").write_bytes(bomb.getvalue())
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 200, 200, fill=1)
    c.showPage()
    c.save()
    (folder / "scan.pdf").write_bytes(buf.getvalue())
    (folder / "script.html").write_text(
        "<html><body><script>alert('人大常委会')</script></body></html>", encoding="utf-8"
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "weather.txt").write_text("今天天气很好，我们去公园散步。" * 5, encoding="utf-8")
    return {
        "huge.txt": "over the 5.0 MB limit",
        "photo.txt": "PNG image",
        "program.pdf": "executable",
        "sheet.docx": "Excel",
        "bomb.docx": "zip bomb",
        "scan.pdf": "no text layer",
        "script.html": "only markup or scripts",
        "empty.txt": "empty",
        "weather.txt": "not a work report",
    }


def test_bad_files_are_rejected_by_name_and_reason_and_the_good_one_loads(corpus_copy, tmp_path):
    db, lib = corpus_copy
    bad = _bad_files(tmp_path / "bad")
    incoming = tmp_path / "in" / ZY
    incoming.parent.mkdir()
    (lib / ZY).rename(incoming)
    build(lib, db, progress=False)
    lib_before = sorted(p.name for p in lib.iterdir())
    summary = add_reports(
        [*(tmp_path / "bad" / n for n in bad), incoming], db, lib, max_bytes=5 * 1024 * 1024
    )
    outcome = {o.file: o for o in summary.outcomes}
    for name, words in bad.items():
        assert outcome[name].status == "rejected", name
        assert words.lower() in outcome[name].message.lower(), (name, outcome[name].message)
    assert outcome[ZY].status == "added" and summary.ok
    assert sorted(p.name for p in lib.iterdir()) == sorted([*lib_before, ZY])  # no bad file in the library


def test_cli_add_exits_non_zero_only_when_nothing_loaded(corpus_copy, tmp_path):
    db, lib = corpus_copy
    bad = _bad_files(tmp_path / "bad")
    before = db.read_bytes()
    p = run_etl("add", *(tmp_path / "bad" / n for n in bad), "--db", db, "--library", lib, "--max-mb", "5")
    assert p.returncode == 1, p.stdout + p.stderr
    for name in bad:
        assert f"rejected   {name}: " in p.stdout
    assert "no file could be loaded; the database was left unchanged" in p.stderr
    assert db.read_bytes() == before
    p = run_etl("add", tmp_path / "bad" / "empty.txt", lib / ZZ, "--db", db, "--library", lib)
    assert p.returncode == 0, p.stderr
    assert "unchanged  000_" in p.stdout and "rejected   empty.txt" in p.stdout


def test_html_with_scripts_loads_as_text_without_the_script(corpus_copy, tmp_path):
    db, lib = corpus_copy
    text = (lib / ZY).read_text(encoding="utf-8")
    page = tmp_path / "page.html"
    body = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    page.write_text(f"<html><head><script>document.cookie='x'</script></head><body>{body}"
                    "<script>alert('pwned')</script></body></html>", encoding="utf-8")  # fmt: skip
    (o,) = add_reports([page], db, lib).outcomes
    assert o.status in ("added", "replaced"), o.message
    raw = fetch(db, "SELECT raw_text FROM report_texts WHERE report_id = ?", [o.report_id])[0][0]
    assert "alert" not in raw and "document.cookie" not in raw and "<p>" not in raw


def test_preview_writes_nothing_and_uploads_keep_a_safe_name(corpus_copy, tmp_path):
    db, lib = corpus_copy
    st = db.stat()
    path = stage_upload("../../etc/" + ZZ, (lib / ZZ).read_bytes(), folder=tmp_path)
    assert path.name == ZZ and path.parent.parent == tmp_path
    rep = preview(path)
    assert rep.meta.jurisdiction == "郑州市" and rep.facts
    assert db.stat().st_mtime_ns == st.st_mtime_ns
    with pytest.raises(ReadError, match="unsupported file type"):
        stage_upload("virus.exe", b"MZ", folder=tmp_path)
    with pytest.raises(ReadError, match="over the"):
        stage_upload("big.txt", b"x" * 2000, folder=tmp_path, max_bytes=1000)


# ---------------------------------------------------------------- killed writers


def _start_paused(point: str, *args) -> subprocess.Popen:
    env = {**os.environ, "ETL_TEST_PAUSE": f"{point}:60"}
    proc = subprocess.Popen([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if f"ETL_TEST_PAUSE: paused at {point}" in line:
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"the writer never reached {point}: {proc.stdout.read()} {proc.stderr.read()}")


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def test_a_build_killed_mid_write_leaves_the_previous_database_intact(corpus_copy, tmp_path):
    db, lib = corpus_copy
    C.correct_fact(
        db,
        fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0],
        value=1,
        user="u",
        reason="r",
    )
    before_bytes, before = db.read_bytes(), snapshot(db)
    variant(lib / ZZ, lib / "extra.txt", "（另一版本）")
    proc = _start_paused("staged", "build", "--input", lib, "--db", db, "--quiet")
    assert list(tmp_path.glob("congress.duckdb.staging-*"))  # the new database was being written
    _kill(proc)
    assert db.read_bytes() == before_bytes and snapshot(db) == before
    p = run_etl("build", "--input", lib, "--db", db, "--quiet")
    assert p.returncode == 0, p.stderr
    assert fetch(db, "SELECT count(*) FROM reports") == [(6,)]
    assert not list(tmp_path.glob("congress.duckdb.staging-*")) and not journal_path(db).exists()
    assert [e.status for e in C.list_corrections(db)] == ["applied"]


def test_a_correction_killed_before_its_commit_changes_nothing(corpus_copy, tmp_path):
    db, _ = corpus_copy
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    before_bytes = db.read_bytes()
    proc = _start_paused("before_commit", "correct", "--db", db, "--fact", fid, "--value", "99",
                         "--user", "u", "--reason", "r")  # fmt: skip
    _kill(proc)
    assert db.read_bytes() == before_bytes and not CL.corrections_path(db).exists()
    assert list(tmp_path.glob(".congress.corrections.jsonl.staging-*"))  # left behind by the dead writer
    C.correct_fact(db, fid, value=98, user="u", reason="r")
    assert [e.summary.split()[-1] for e in C.list_corrections(db)] == ["98"]
    assert not list(tmp_path.glob("*staging*")) and not list(tmp_path.glob(".*staging*"))


def test_an_add_killed_between_its_renames_is_finished_by_the_next_writer(corpus_copy, tmp_path):
    db, lib = corpus_copy
    before = snapshot(db)
    v2 = variant(lib / ZZ, tmp_path / "new" / "zz-final.txt", "（定稿）")
    proc = _start_paused("mid_commit", "add", v2, "--db", db, "--library", lib)
    _kill(proc)
    # an add changes the database in place: its transaction committed before the library's renames
    # began; the first rename (the old version's copy into .superseded/) happened, the others did not
    assert journal_path(db).exists()
    assert len(list((lib / SUPERSEDED_DIR).iterdir())) == 1 and (lib / ZZ).exists()
    assert snapshot(db) != before
    assert fetch(db, "SELECT count(*) FROM reports WHERE source_file = 'zz-final.txt'") == [(1,)]
    # any later writer (or `python -m etl corrections`) rolls the commit forward before doing its own work
    p = run_etl("corrections", "--db", db)
    assert p.returncode == 0, p.stderr
    assert not journal_path(db).exists()
    assert fetch(db, "SELECT count(*) FROM reports WHERE source_file = 'zz-final.txt'") == [(1,)]
    assert not (lib / ZZ).exists() and (lib / "zz-final.txt").read_bytes() == v2.read_bytes()
    (o,) = add_reports([v2], db, lib).outcomes
    assert o.status == "unchanged"


def test_builds_killed_at_random_moments_never_damage_the_database(corpus_copy, tmp_path):
    db, lib = corpus_copy
    for i in range(24):
        src = sorted(CORPUS.glob("*.txt"))[i % 5]
        variant(src, lib / f"copy{i:02d}.txt", f"（第{i}份副本）")
    old = snapshot(db)
    build = [sys.executable, "-m", "etl", "build", "--input", str(lib), "--db", str(db), "--quiet"]
    # how long a whole build takes here, measured on a scratch copy: the kills are spread over that time
    scratch = tmp_path / "timing" / "congress.duckdb"
    started = time.monotonic()
    subprocess.run([*build[:-2], str(scratch), "--quiet"], cwd=ROOT, check=True, capture_output=True)
    duration = time.monotonic() - started
    rng = random.Random(4)
    outcomes = []
    for _ in range(5):
        proc = subprocess.Popen(build, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 0.8) * duration)
        assert proc.poll() is None, "the build had finished: this kill would test nothing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        n = fetch(db, "SELECT count(*) FROM reports")[0][0]
        assert n in (5, 29)
        if n == 5:
            assert snapshot(db) == old
        info = dict(fetch(db, "SELECT key, value FROM build_info"))
        assert int(info["n_facts"]) == fetch(db, "SELECT count(*) FROM facts")[0][0]
        outcomes.append(n)
    # the database only ever moves from the old state to the whole new one, never back or part-way
    assert outcomes == sorted(outcomes)
    assert run_etl("build", "--input", lib, "--db", db, "--quiet").returncode == 0
    assert fetch(db, "SELECT count(*) FROM reports") == [(29,)]


# ---------------------------------------------------------------- backup and restore


def test_backup_then_damage_then_restore_gives_the_same_content(corpus_copy, tmp_path):
    db, _ = corpus_copy
    fid = fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]
    C.correct_fact(db, fid, value=42, user="u", reason="r")
    before, log_before = snapshot(db), CL.corrections_path(db).read_bytes()
    folder = backup(db, tmp_path / "backups")
    manifest = verify_backup(folder)
    assert manifest["counts"]["corrections"] == 1 and manifest["counts"]["reports"] == 5
    assert set(manifest["files"]) == {"database.duckdb", "corrections.jsonl"}
    # damage both: garbage over the database, a later correction in the log
    C.correct_fact(db, fid, value=43, user="u", reason="after the backup")
    with open(db, "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(65536))
    with pytest.raises(duckdb.Error):
        fetch(db, "SELECT count(*) FROM facts")
    result = restore(folder, db)
    assert snapshot(db) == before
    assert CL.corrections_path(db).read_bytes() == log_before
    assert result.safety_backup is not None and result.safety_backup.is_dir()  # the damaged state was kept
    assert [b for b, _ in list_backups(tmp_path / "backups")][-1] == folder


def test_restore_refuses_a_damaged_backup_and_leaves_the_database_alone(corpus_copy, tmp_path):
    db, _ = corpus_copy
    folder = backup(db, tmp_path / "backups")
    data = bytearray((folder / "database.duckdb").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "database.duckdb").write_bytes(bytes(data))
    before = db.read_bytes()
    with pytest.raises(BackupError, match="database.duckdb: its sha256 does not match the manifest"):
        restore(folder, db)
    assert db.read_bytes() == before
    with pytest.raises(BackupError, match="no manifest.json"):
        restore(tmp_path, db)


def test_cli_backup_and_restore(corpus_copy, tmp_path):
    db, _ = corpus_copy
    p = run_etl("backup", "--db", db, "--out", tmp_path / "bk")
    assert p.returncode == 0, p.stderr
    folder = Path(p.stdout.split("backup: ", 1)[1].splitlines()[0])
    assert (folder / "manifest.json").is_file() and "reports: 5" in p.stdout
    db.unlink()
    p = run_etl("restore", folder, "--db", db)
    assert p.returncode == 0, p.stderr
    assert "restored" in p.stdout and fetch(db, "SELECT count(*) FROM reports") == [(5,)]
    p = run_etl("restore", tmp_path / "nowhere", "--db", db)
    assert p.returncode == 2 and "no manifest.json" in p.stderr


def test_a_damaged_database_gives_a_clear_message_and_a_way_out(corpus_copy, tmp_path):
    db, lib = corpus_copy
    folder = backup(db, tmp_path / "backups")
    with open(db, "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(65536))
    damaged = db.read_bytes()
    p = run_etl("correct", "--db", db, "--fact", "abcdef", "--value", "1", "--user", "u", "--reason", "r")
    assert p.returncode == 2 and "cannot open the database" in p.stderr and "restore" in p.stderr
    assert "Traceback" not in p.stderr
    p = run_etl("add", CORPUS / ZZ, "--db", db, "--library", lib)
    assert p.returncode == 2 and "cannot open the database" in p.stderr and "Traceback" not in p.stderr
    assert db.read_bytes() == damaged  # nothing was written over it
    assert run_etl("restore", folder, "--db", db).returncode == 0
    assert fetch(db, "SELECT count(*) FROM reports") == [(5,)]


def test_one_batch_with_two_versions_and_a_duplicate_keeps_only_the_last_version(corpus_copy, tmp_path):
    db, lib = corpus_copy
    (lib / ZY).rename(tmp_path / ZY)
    build(lib, db, progress=False)
    v1 = variant(tmp_path / ZY, tmp_path / "in" / "zy-draft.txt", "（征求意见稿）")
    dup = tmp_path / "in" / "zy-draft-copy.txt"
    shutil.copyfile(v1, dup)
    v2 = variant(tmp_path / ZY, tmp_path / "in" / "zy-final.txt", "（定稿）")
    summary = add_reports([v1, dup, v2], db, lib)
    status = {o.file: (o.status, o.message) for o in summary.outcomes}
    assert status["zy-draft.txt"] == ("added", "replaced later in this batch by zy-final.txt")
    assert status["zy-draft-copy.txt"][0] == "unchanged"
    assert status["zy-final.txt"][0] == "replaced"
    new_files = sorted(p.name for p in lib.iterdir() if p.suffix == ".txt" and not p.name[0].isdigit())
    assert new_files == ["zy-final.txt"]
    assert fetch(db, "SELECT source_file FROM reports WHERE jurisdiction = '中原区'") == [("zy-final.txt",)]
    assert not list(lib.glob(".*staging*"))


def _pdf_bomb(path: Path, inflated: int = 48 * 1024 * 1024) -> Path:
    """A small PDF whose one content stream inflates to tens of MB (pdfminer needed minutes for it)."""
    import zlib

    stream = zlib.compress(b"0" * inflated, 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /MediaBox [0 0 612 792] >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream + b"\nendstream"]  # fmt: skip
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(out)
    return path


def test_a_file_that_takes_too_long_to_read_is_stopped_and_the_others_load(
    corpus_copy, tmp_path, monkeypatch
):
    db, lib = corpus_copy
    stuck = tmp_path / "stuck.txt"
    stuck.write_text((CORPUS / ZZ).read_text(encoding="utf-8") + "\n补充。", encoding="utf-8")
    (lib / ZY).rename(tmp_path / ZY)
    build(lib, db, progress=False)
    monkeypatch.setenv("ETL_TEST_PAUSE", "extract-stuck.txt:60")  # its reader hangs like on a hostile file
    t = time.monotonic()
    # 10 s: room for the other file on a loaded machine (a fresh child imports the extractor first)
    summary = add_reports([stuck, tmp_path / ZY], db, lib, time_limit=10)
    assert time.monotonic() - t < 50
    outcome = {o.file: o for o in summary.outcomes}
    assert outcome["stuck.txt"].status == "rejected"
    assert "took longer than 10 s and was stopped" in outcome["stuck.txt"].message
    assert outcome[ZY].status == "added", outcome[ZY].message


def test_a_pdf_bomb_is_rejected_quickly_and_the_others_load(corpus_copy, tmp_path):
    db, lib = corpus_copy
    bomb = _pdf_bomb(tmp_path / "bomb.pdf", inflated=300 * 1024 * 1024)
    assert bomb.stat().st_size < 1_000_000
    (lib / ZY).rename(tmp_path / ZY)
    build(lib, db, progress=False)
    t = time.monotonic()
    summary = add_reports([bomb, tmp_path / ZY], db, lib, time_limit=60)
    assert time.monotonic() - t < 30
    outcome = {o.file: o for o in summary.outcomes}
    assert outcome["bomb.pdf"].status == "rejected"
    assert "no text layer" in outcome["bomb.pdf"].message
    assert outcome[ZY].status == "added", outcome[ZY].message


def test_preview_in_a_child_process_gives_the_same_result_and_the_same_errors(tmp_path):
    isolated, local = preview(CORPUS / ZZ), preview(CORPUS / ZZ, time_limit=None)
    assert isolated.report_id == local.report_id
    assert [(f.metric, f.value, f.evidence_start) for f in isolated.facts] == [
        (f.metric, f.value, f.evidence_start) for f in local.facts
    ]
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(ReadError, match=r"^photo.txt: .*PNG image") as exc:
        preview(tmp_path / "photo.txt")
    assert type(exc.value).__name__ == "BinaryFileError"
