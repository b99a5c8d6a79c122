"""Two real processes: a writer in a loop and a reader in a loop; writers queue; readers never block or
tear."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import ROOT, fetch

from etl.ops import corrections as C
from etl.store import corrections_log as CL
from etl.write.lock import WriteLockTimeout

WRITER = textwrap.dedent(
    """
    import random, sys, time
    from pathlib import Path
    from etl.ops import corrections as C
    from etl.store import corrections_log as CL
    from etl.ops.build import build
    from etl.ops.add import add_reports
    from etl.ops.backup import backup, restore
    from etl.write.connect import open_readonly

    db, lib, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    plan = sys.argv[4].split(",")
    rng = random.Random(7)
    src = lib / "002_abb6607c4697feab.txt"
    base = src.read_text(encoding="utf-8")
    done, backup_dir = [], None
    for i, kind in enumerate(plan):
        if kind == "build":
            build(lib, db, progress=False)
        elif kind in ("add", "readd"):
            v = work / f"v{i // 5}" / src.name  # a new version of one report each round, then the same again
            if kind == "add":
                v.parent.mkdir(parents=True, exist_ok=True)
                v.write_text(base + f"\\n（第{i}次修订）\\n", encoding="utf-8")
            s = add_reports([v], db, lib)
            assert s.outcomes[0].status == ("replaced" if kind == "add" else "unchanged"), s.outcomes
        elif kind == "backup":
            backup_dir = backup(db, work / "backups")
        elif kind == "restore":
            restore(backup_dir, db)
        else:
            con = open_readonly(db)
            ids = [r[0] for r in con.execute("SELECT fact_id FROM facts_current ORDER BY fact_id").fetchall()]
            con.close()
            fid = rng.choice(ids)
            if kind == "correct":
                C.correct_fact(db, fid, value=1000 + i, user="writer", reason=f"round {i}")
            else:
                C.reject_fact(db, fid, user="writer", reason=f"round {i}")
        done.append(kind)
    print(" ".join(done))
    """
)

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from etl.write.connect import open_readonly

    db, stop, min_reads = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    reads, errors, generations, last = 0, [], set(), 0
    while not stop.exists() or reads < min_reads:
        # etl's reader (the dashboard's does the same): it waits while an add changes the file in place
        con = None
        try:
            con = open_readonly(db)
            info = dict(con.execute("SELECT key, value FROM build_info").fetchall())
            facts, reports, current, per_report, orphans, corrections = con.execute(
                "SELECT (SELECT count(*) FROM facts), (SELECT count(*) FROM reports),"
                " (SELECT count(*) FROM facts_current),"
                " (SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM facts GROUP BY report_id)),"
                " (SELECT count(*) FROM facts f LEFT JOIN reports r USING (report_id)"
                " WHERE r.report_id IS NULL),"
                " (SELECT count(*) FROM corrections)").fetchall()[0]
            g = int(info["generation"])
            problems = []
            if facts != int(info["n_facts"]) or per_report != facts:
                problems.append(f"facts {facts} / per report {per_report} vs build_info {info['n_facts']}")
            if reports != int(info["n_reports"]):
                problems.append(f"reports {reports} vs build_info {info['n_reports']}")
            if current != int(info["n_facts_current"]):
                problems.append(f"facts_current {current} vs build_info {info['n_facts_current']}")
            if corrections != int(info["n_corrections"]):
                problems.append(f"corrections {corrections} vs build_info {info['n_corrections']}")
            if orphans:
                problems.append(f"{orphans} facts without their report")
            if g < last:
                problems.append(f"generation went back from {last} to {g}")
            if problems:
                errors.append(f"read {reads} (generation {g}): " + "; ".join(problems))
            last = max(last, g)
            generations.add(g)
        except Exception as exc:
            errors.append(f"read {reads}: {type(exc).__name__}: {exc}")
        finally:
            if con is not None:
                con.close()
        reads += 1
    print(json.dumps({"reads": reads, "errors": errors[:20], "generations": sorted(generations)}))
    """
)


# 20 writes of every kind; 'readd' is the same file again (unchanged: nothing written).
PLAN = ["build", "add", "correct", "reject", "readd",
        "build", "add", "correct", "backup", "readd",
        "build", "add", "correct", "reject", "readd",
        "restore", "add", "correct", "reject", "readd"]  # fmt: skip


def python(code: str, *args) -> list[str]:
    return [sys.executable, "-c", code, *map(str, args)]


def test_a_writer_loop_and_a_reader_loop_in_two_processes_never_collide(corpus_copy, tmp_path):
    db, lib = corpus_copy
    stop = tmp_path / "stop"
    reader = subprocess.Popen(python(READER, db, stop, 50), cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    writer = subprocess.run(python(WRITER, db, lib, tmp_path, ",".join(PLAN)), cwd=ROOT, capture_output=True,
                            text=True, timeout=180)  # fmt: skip
    stop.touch()
    out, err = reader.communicate(timeout=120)
    assert writer.returncode == 0, writer.stderr
    assert writer.stdout.split() == PLAN
    assert reader.returncode == 0, err
    result = json.loads(out)
    assert result["errors"] == [], result["errors"]
    assert result["reads"] >= 50
    assert len(result["generations"]) >= 5, result  # the reader really saw the database change under it
    # every write that changed something bumped the generation exactly once ('readd', 'backup' write nothing)
    info = dict(fetch(db, "SELECT key, value FROM build_info"))
    assert int(info["generation"]) == 1 + sum(k not in ("readd", "backup") for k in PLAN)
    assert [e.status for e in C.list_corrections(db)].count("applied") >= 1
    assert not list(db.parent.glob("*staging*")) and not list(lib.glob(".*staging*"))
    # How long this takes is a benchmark's question (make bench), not a test's: no wall-clock bound here.


def test_two_writers_queue_instead_of_colliding(corpus_copy, tmp_path):
    db, _ = corpus_copy
    ids = [r[0] for r in fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 10")]
    code = textwrap.dedent(
        """
        import sys
        from etl.ops import corrections as C
        from etl.store import corrections_log as CL
        db, who, ids = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
        for i, fid in enumerate(ids):
            C.correct_fact(db, fid, value=500 + i, user=who, reason="queue test")
        """
    )
    procs = [
        subprocess.Popen(python(code, db, who, ",".join(part)), cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for who, part in (("a", ids[:5]), ("b", ids[5:]))
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read()
        p.stderr.close()
    entries = C.list_corrections(db)
    assert len(entries) == 10 and {e.status for e in entries} == {"applied"}
    assert sorted(e.user for e in entries) == ["a"] * 5 + ["b"] * 5
    assert len(CL.read_log(CL.corrections_path(db))) == 10
    assert fetch(db, "SELECT count(*) FROM facts_current WHERE corrected") == [(10,)]


def test_a_writer_that_cannot_get_the_lock_in_time_says_who_holds_it(corpus_copy):
    db, _ = corpus_copy
    holder = subprocess.Popen(
        python("import sys, time\nfrom etl.write.lock import write_lock\n"
               "with write_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(30)", db),
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        before = db.read_bytes()
        t = time.monotonic()
        with pytest.raises(WriteLockTimeout, match=rf"pid {holder.pid}"):
            C.correct_fact(db, _any_fact(db), value=1, user="u", reason="r", lock_timeout=0.5)
        assert 0.4 < time.monotonic() - t < 5
        assert db.read_bytes() == before
        # readers are not blocked by a writer holding the lock
        assert fetch(db, "SELECT count(*) FROM reports") == [(5,)]
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    C.correct_fact(db, _any_fact(db), value=1, user="u", reason="r", lock_timeout=5)  # a dead holder frees it


def _any_fact(db) -> str:
    return fetch(db, "SELECT fact_id FROM facts ORDER BY fact_id LIMIT 1")[0][0]


IN_PLACE_WRITER = textwrap.dedent(
    """
    import duckdb, sys, time
    for i in range(15):
        try:
            con = duckdb.connect(sys.argv[1])
        except duckdb.Error:
            continue
        con.execute(
            "INSERT INTO facts SELECT fact_id || 'x' || ?, * EXCLUDE (fact_id) FROM facts LIMIT 3", [str(i)]
        )
        time.sleep(0.05)
        con.execute(
            "UPDATE build_info SET value = (SELECT count(*) FROM facts)::VARCHAR WHERE key = 'n_facts'"
        )
        con.close()
    """
)


def test_control_the_reader_does_catch_a_writer_that_writes_the_live_file_in_place(corpus_copy, tmp_path):
    """Without the staged writer, the same reader fails: its checks are not vacuous."""
    db, _ = corpus_copy
    stop = tmp_path / "stop"
    reader = subprocess.Popen(python(READER, db, stop, 10), cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    subprocess.run(python(IN_PLACE_WRITER, db), cwd=ROOT, check=True, timeout=120)
    stop.touch()
    out, _ = reader.communicate(timeout=120)
    errors = json.loads(out)["errors"]
    assert errors and any("lock" in e.lower() or "build_info" in e for e in errors)
