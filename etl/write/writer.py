"""The one way to change a database.  Every write (build, add, correct, restore, repair) takes these steps:

    1. lock          one writer at a time (lock.write_lock); taking the lock first finishes what a dead
                     writer left (its journal, its DuckDB log, its staging files)
    2. stage         a copy of the database beside it, or a file a build prepared, or a restored one;
                     an add to an existing database instead opens one DuckDB transaction on the live file
    3. load          the caller's change, inside ``with open_writer(...) as w``: reports, a correction …
    4. corrections   the whole corrections log folded in again, with the periods learned from the
                     term reports (session_terms), so corrections survive every rebuild
    5. checks        the consistency checks of the reports whose facts changed
    6. aggregates    the dashboard's pre-aggregated tables, for those reports or all of them
    7. stamp         build_info: a generation that only grows, counts, the schema version
    8. swap          the staged files renamed over the live ones together (journal.Commit), or COMMIT
    9. journal done  the journal removed: the write is whole

Readers are never blocked for long and see the old state or the new one.  On any error, or if the
process is killed, the live files are as they were (or, past the COMMIT or the first rename, as they
will be: the next writer rolls the journal forward); staging files are removed now or by that writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.errors import EtlError
from etl.store import aggregates, session_terms
from etl.store.checks import replace_checks
from etl.store.corrections_apply import ApplyResult, apply_corrections
from etl.store.corrections_log import corrections_path, encode_log, read_log
from etl.store.schema import create_schema, schema_sha256
from etl.write.connect import connect_live, read_build_info
from etl.write.disk import disk_full, ensure_free, is_disk_full
from etl.write.files import fsync_file, pause_point, staging_path, wal_path, write_staged
from etl.write.journal import Commit, clean_stale  # fmt: skip
from etl.write.lock import write_lock, writing_in_place


@dataclass
class StagedWrite:
    """One write in progress: a connection to the staged copy, the corrections log, pending renames."""

    con: duckdb.DuckDBPyConnection
    db_path: Path
    stage: Path
    commit: Commit
    kind: str
    corrections: list = field(default_factory=list)  # the whole log, including this write's additions
    new_corrections: list = field(default_factory=list)
    previous: dict[str, str] = field(default_factory=dict)  # build_info of the database being replaced
    replace_database: bool = True
    applied: ApplyResult = field(default_factory=ApplyResult)  # filled in at step 4
    log_bytes: bytes | None = None  # set by replace_log: the whole new log file
    in_place: bool = False  # changing the live file inside one DuckDB transaction (no staged copy)
    touched: set[str] = field(default_factory=set)  # report ids written or deleted (in-place writes)

    def add_correction(self, rec) -> None:
        self.corrections.append(rec)
        self.new_corrections.append(rec)

    def replace_log(self, records: list, data: bytes) -> None:
        """Swap in a whole corrections log (restore); ``data`` is its exact file content."""
        self.corrections = list(records)
        self.new_corrections = []
        self.log_bytes = data

    def keep_database(self) -> None:
        """Nothing in the database changed: leave the file alone (readers keep their connection)."""
        self.replace_database = False


@contextlib.contextmanager
def open_writer(db_path: str | Path, **options) -> Iterator[StagedWrite]:
    """The one way to change a database (``options`` and the steps: see ``_open_writer``); a full disk or a
    DuckDB failure becomes an EtlError that names the file and says what to do, after the staging files are
    gone."""
    try:
        with _open_writer(db_path, **options) as w:
            yield w
    except (OSError, duckdb.Error) as exc:
        if is_disk_full(exc):
            raise disk_full(getattr(exc, "filename", None) or db_path, exc) from exc
        if isinstance(exc, duckdb.Error):
            raise EtlError(
                f"{db_path}: the write failed ({type(exc).__name__}: {exc}); it was abandoned and the live "
                "files are as they were: if the database is damaged, rebuild it (python -m etl build) or "
                "restore a backup (python -m etl restore)"
            ) from exc
        raise


@contextlib.contextmanager
def _open_writer(
    db_path: str | Path,
    *,
    copy_existing: bool = False,
    require_existing: bool = False,
    kind: str = "build",
    source: str | Path | None = None,
    adopt_source: bool = False,
    lock_timeout: float | None = None,
    on_wait=None,
    in_place: bool = False,
) -> Iterator[StagedWrite]:
    """The steps of the module's note.  ``copy_existing``: stage a copy of the current database (else a
    fresh one); ``source``: stage that file instead (a restore copies it, a build adopts the file it
    extracted into before the lock: ``adopt_source``); ``in_place``: an add to an existing database, in
    one transaction on the live file, so its cost follows the change, not the size of the database."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    corr_path = corrections_path(db_path)
    with write_lock(db_path, timeout=lock_timeout, on_wait=on_wait):  # 1. lock
        clean_stale(db_path, targets=(corr_path,))
        if in_place and db_path.exists() and source is None:
            ensure_free(db_path.parent, 0, f"writing to {db_path.name}")
            with _in_place_writer(
                db_path, kind, read_log(corr_path), lock_timeout
            ) as w:  # 2–9, one transaction
                yield w
            return
        if require_existing and not db_path.exists():
            raise EtlError(f"no database at {db_path}: run `python -m etl build` (or `make build`) first")
        # a restore or a repair replaces the log whole: a bad line in the old one must not stop it
        log = read_log(corr_path, skip_bad=[] if kind in ("restore", "repair") else None)
        w = _stage(db_path, kind, log, source, adopt_source, copy_existing)  # 2. stage
        scoped = kind == "correction"  # builds, restores and first adds refresh everything
        # Taken before the caller's changes: the aggregates match the file as it was opened, and a caller
        # may re-apply the log (a hand-mended line) before this write's own correction.
        before = aggregates.edits_fingerprint(w.con) if scoped else None
        try:
            yield w  # 3. load
            log_changed = bool(w.new_corrections) or w.log_bytes is not None
            if w.replace_database or log_changed:
                dated = _fold_in_corrections(w)  # 4. corrections
                if dated:
                    replace_checks(w.con, sorted(dated))  # 5. checks (the caller ran them for what it loaded)
                if before is not None:  # 6. aggregates (a correction: only the reports it changed)
                    changed = aggregates.changed_reports(before, aggregates.edits_fingerprint(w.con))
                    aggregates.refresh(w.con, sorted(w.touched | changed | dated))
                else:
                    aggregates.refresh(w.con, None)
                _stamp(w.con, w)  # 7. stamp
                w.replace_database = True
            pause_point("staged")
            w.con.execute("CHECKPOINT")
            w.con.close()
            _swap(w, corr_path, log_changed)  # 8. swap, 9. journal done
        except BaseException:
            with contextlib.suppress(Exception):
                w.con.close()
            w.commit.abort()
            _remove_stage(w.stage)
            raise


def _stage(
    db_path: Path, kind: str, log: list, source: str | Path | None, adopt_source: bool, copy_existing: bool
) -> StagedWrite:
    """Step 2: the staged database beside the live one, opened, its schema brought up to date."""
    previous = read_build_info(db_path)
    stage = staging_path(db_path)
    stage.unlink(missing_ok=True)
    copied = Path(source) if source is not None else db_path if copy_existing and db_path.exists() else None
    need = (copied.stat().st_size if copied and not adopt_source else 0) + _size(wal_path(db_path))
    ensure_free(
        db_path.parent, need, f"staging a copy of {copied.name}" if copied else f"writing {db_path.name}"
    )
    try:
        if source is not None and adopt_source:  # a file this process prepared (a build): no copy
            os.replace(source, stage)
        elif source is not None:
            shutil.copyfile(source, stage)
        elif copied is not None:
            shutil.copyfile(db_path, stage)
            wal = wal_path(db_path)
            if wal.exists():  # left by someone who opened the live file read-write: keep its changes
                shutil.copyfile(wal, stage.with_name(stage.name + ".wal"))
    except BaseException:  # a full disk part-way: no database-sized staging file stays behind
        _remove_stage(stage)
        raise
    try:
        con = duckdb.connect(str(stage))
        create_schema(con)
    except duckdb.Error as exc:
        _remove_stage(stage)
        raise EtlError(
            f"{source or db_path}: cannot open the database ({exc}); rebuild it (python -m etl build) "
            "or restore a backup (python -m etl restore)"
        ) from exc
    return StagedWrite(con, db_path, stage, Commit(db_path), kind, list(log), [], previous)


def _fold_in_corrections(w: StagedWrite, jurisdictions: set[str] | None = None) -> set[str]:
    """Step 4: the corrections log applied again, and the periods learned from term reports; returns the
    reports whose dates the learned terms changed.  Learned periods are put back first: the corrections
    snapshot the extractor's values."""
    dated = session_terms.undo(w.con, jurisdictions)
    w.applied = apply_corrections(w.con, w.corrections)  # may carry corrections over to new versions
    return dated | session_terms.learn_and_apply(w.con, jurisdictions)


def _swap(w: StagedWrite, corr_path: Path, log_changed: bool) -> None:
    """Steps 8–9: the staged database and corrections log renamed over the live ones, together."""
    if log_changed:
        if w.log_bytes is not None:
            data = w.log_bytes
        else:  # append: the lines already in the log are copied unchanged
            data = corr_path.read_bytes() if corr_path.exists() else b""
            if data and not data.endswith(b"\n"):
                data += b"\n"
            data += encode_log(w.new_corrections)
        staged_log = write_staged(corr_path, data)
    if w.replace_database:
        fsync_file(w.stage)
        w.commit.replace(w.stage, w.db_path)
    else:
        w.stage.unlink(missing_ok=True)
    if log_changed:  # after the database: a rename refused there leaves the log as it was
        w.commit.replace(staged_log, corr_path)
    pause_point("before_commit")
    w.commit.run()


def _remove_stage(stage: Path) -> None:
    stage.unlink(missing_ok=True)
    stage.with_name(stage.name + ".wal").unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@contextlib.contextmanager
def _in_place_writer(
    db_path: Path, kind: str, log: list, lock_timeout: float | None
) -> Iterator[StagedWrite]:
    """Change the live database in one transaction (the caller holds the writer lock).

    DuckDB makes the transaction atomic and durable: a writer killed before COMMIT leaves the file as
    it was, one killed after leaves the new state.  Corrections of the touched reports are re-applied
    (the log itself is not changed here), checks and aggregates are refreshed for those reports only,
    the file is checkpointed, and only then are staged library files renamed (``w.commit``).
    """
    with writing_in_place(db_path):
        con = connect_live(db_path, lock_timeout)
        commit = Commit(db_path)
        yield from _in_place_transaction(con, commit, db_path, kind, log)


def _in_place_transaction(con, commit: Commit, db_path: Path, kind: str, log: list) -> Iterator[StagedWrite]:
    committed = prepared = False
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            previous = dict(con.execute("SELECT key, value FROM build_info").fetchall())
        except duckdb.CatalogException:
            previous = {}
        if previous.get("schema_sha256") != schema_sha256():
            create_schema(con)  # a database from an older version: bring its tables and views up to date
        w = StagedWrite(con, db_path, db_path, commit, kind, list(log), [], previous, in_place=True)
        yield w
        if w.new_corrections or w.log_bytes is not None:
            raise EtlError("an in-place write cannot change the corrections log")  # a caller bug
        if not w.replace_database:
            con.execute("ROLLBACK")
        else:
            jurisdictions = session_terms.jurisdictions_of(con, sorted(w.touched))
            before = aggregates.edits_fingerprint(con)
            dated = _fold_in_corrections(w, jurisdictions)  # 4. corrections
            changed = aggregates.changed_reports(before, aggregates.edits_fingerprint(con))
            touched = sorted(w.touched | changed | dated)
            replace_checks(con, touched)  # 5. checks
            aggregates.refresh(con, touched)  # 6. aggregates
            _stamp(con, w)  # 7. stamp
            pause_point("staged")
            if commit.ops:  # the library renames, listed durably before the COMMIT (rolled forward)
                commit.prepare(requires_generation=_next_generation(w))
                prepared = True
            pause_point("before_commit")
            con.execute("COMMIT")  # 8. swap: the transaction is the swap
            committed = True
            pause_point("committed")
            # Durable from here: DuckDB fsyncs its log at COMMIT.  A failed checkpoint (a full disk)
            # leaves the log, which the next writer folds in before it swaps any file (journal.settle_wal).
            with contextlib.suppress(duckdb.Error):
                con.execute("CHECKPOINT")
        con.close()
        if prepared:  # 9. the library renames done, the journal removed
            commit.finish()
        else:
            commit.run()
    except BaseException:
        with contextlib.suppress(Exception):
            con.execute("ROLLBACK")
        with contextlib.suppress(Exception):
            con.close()
        if committed:  # the database has the new state: the library files must follow it
            commit.finish() if prepared else commit.run()
        elif prepared:
            commit.discard()
        else:
            commit.abort()
        raise


def _next_generation(w: StagedWrite) -> int:
    try:
        return int(w.previous.get("generation", "0")) + 1
    except ValueError:
        return 1


def _stamp(con: duckdb.DuckDBPyConnection, w: StagedWrite) -> None:
    """What readers can check: a generation that only grows, and the counts this write left behind."""

    generation = _next_generation(w)
    # facts_current without scanning it: edits and additions only ever concern facts/reports that exist.
    ((n_reports, n_facts, n_current),) = con.execute(
        "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts), (SELECT count(*) FROM facts)"
        " + (SELECT count(*) FROM added_facts WHERE report_id IN (SELECT report_id FROM reports))"
        " - (SELECT count(*) FROM fact_edits WHERE rejected)"
    ).fetchall()
    log_hash = hashlib.sha256(b"".join(r.to_json().encode() for r in w.corrections)).hexdigest()
    rows = {
        "generation": generation,
        "last_write": w.kind,
        "last_write_at_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "n_reports": n_reports,
        "n_facts": n_facts,
        "n_facts_current": n_current,
        "n_corrections": len(w.corrections),
        "n_corrections_orphaned": w.applied.count("orphaned"),
        "corrections_sha256": log_hash,
        "schema_sha256": schema_sha256(),
    }
    # one statement: executemany costs a few milliseconds per row
    values = ", ".join("(?, ?)" for _ in rows)
    con.execute(
        f"INSERT OR REPLACE INTO build_info VALUES {values}",
        [x for k, v in rows.items() for x in (k, str(v))],
    )
