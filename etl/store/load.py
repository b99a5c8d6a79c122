"""DuckDB schema and writes: reference tables, one transaction per report, the single staged writer."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.errors import EtlError
from etl.extract.catalog import Catalog, load_catalog
from etl.extract.pipeline import ExtractedReport
from etl.store.records import TABLES, rows_of, to_arrow
from etl.write.journal import (
    Commit,
    ForeignWalError,
    clean_stale,
    disk_full,
    ensure_free,
    fsync_file,
    is_disk_full,
    is_foreign_wal_error,
    pause_point,
    set_wal_aside,
    staging_path,
    try_recover,
    wait_for_writer,
    wal_path,
    write_lock,
    write_staged,
    writing_in_place,
)  # fmt: skip

SCHEMA_PATH = Path(__file__).with_name("schema.sql")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def schema_sha256() -> str:
    """Hash of schema.sql: a database stamped with it needs no schema statements before a write."""
    return hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest()


def load_reference_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog | None = None) -> None:
    """The metric catalog and the gazetteer, replaced whole."""
    from etl.metadata.gazetteer import all_jurisdictions

    catalog = catalog or load_catalog()
    metrics = catalog.fact_metrics()
    _replace_rows(con, "metrics", {
        "code": [m.code for m in metrics],
        "category": [m.category for m in metrics],
        "label_zh": [m.label_zh for m in metrics],
        "label_en": [m.label_en for m in metrics],
        "unit": [m.unit for m in metrics],
        "kind": [m.kind for m in metrics],
        "measure": [m.measure for m in metrics],
        "description": [catalog.categories[m.category]["label_zh"] for m in metrics],
    })  # fmt: skip
    places = all_jurisdictions()
    _replace_rows(con, "jurisdictions", {
        "name": [j.name for j in places],
        "level": [j.level for j in places],
        "parent": [j.parent for j in places],
        "province": [j.province for j in places],
        "code": [j.code for j in places],
    })  # fmt: skip


def _replace_rows(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list]) -> None:
    """Replace a table's rows with one Arrow scan (executemany costs seconds for thousands of rows)."""
    import pyarrow as pa

    data = pa.table(columns, schema=pa.schema([(c, pa.string()) for c in columns]))
    con.execute(f"DELETE FROM {table}")
    con.register("_rows_in", data)
    try:
        names = ", ".join(columns)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _rows_in")
    finally:
        con.unregister("_rows_in")


def delete_report(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    for table in ("facts", "sections", "report_texts", "checks", "reports"):
        con.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])


def write_report(con: duckdb.DuckDBPyConnection, rep: ExtractedReport) -> None:
    """Replace one report and all its rows in a single transaction: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        delete_report(con, rep.report_id)
        insert_rows(con, rows_of(rep))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def insert_rows(con: duckdb.DuckDBPyConnection, rows: dict[str, list[tuple]]) -> None:
    """Append row tuples (records.rows_of layout), or Arrow tables made from them, one scan per table."""
    for table in TABLES:
        batch = rows.get(table)
        if batch is None or len(batch) == 0:
            continue
        data = batch if hasattr(batch, "column_names") else to_arrow(table, batch)  # rows, or Arrow already
        names = ", ".join(data.column_names)
        con.register("_rows_in", data)
        try:
            con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _rows_in")
        finally:
            con.unregister("_rows_in")


class RowBuffer:
    """Rows of many reports gathered and written in large batches (a build streams through one)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, max_rows: int = 100_000, max_chars: int = 16_000_000):
        self.con = con
        self.max_rows = max_rows
        self.max_chars = max_chars
        self._rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
        self._n = 0
        self._chars = 0

    def add(self, rows: dict[str, list[tuple]]) -> None:
        for table, batch in rows.items():
            self._rows[table].extend(batch)
            self._n += len(batch)
        for _, raw, norm in rows.get("report_texts", ()):
            self._chars += len(raw) + len(norm)
        if self._n >= self.max_rows or self._chars >= self.max_chars:
            self.flush()

    def flush(self) -> None:
        if self._n:
            insert_rows(self.con, self._rows)
        self._rows = {t: [] for t in TABLES}
        self._n = self._chars = 0


def is_busy_error(exc: BaseException) -> bool:
    """The file is held by another connection: a lock held by another process, or (DuckDB 2) the same
    file already open in this process with another configuration.  Worth waiting for, not a damaged file."""
    return isinstance(exc, duckdb.ResourceInUseException) or (
        isinstance(exc, duckdb.Error) and "lock" in str(exc).lower()
    )


def open_readonly(
    db_path: str | Path, *, alias: str = "db", timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection that always sees the file now at ``db_path`` (attached as ``alias``).

    ``duckdb.connect(path)`` reuses an instance this process already has open for the same path, even
    after a writer has swapped a new file in: that connection would show the old data.  Attaching the
    file to a fresh in-memory database never goes through that cache.  While a writer holds the file,
    it waits up to ``timeout`` seconds (default LIVE_LOCK_WAIT) and then raises DuckDB's error.
    """
    db_path = Path(db_path)
    deadline = time.monotonic() + (LIVE_LOCK_WAIT if timeout is None else timeout)
    recovered = False
    while True:
        wait_for_writer(db_path, min(READER_INTENT_WAIT, max(0.0, deadline - time.monotonic())))
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(db_path)])
            con.execute(f"USE {alias}")
            return con
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            con.close()
            if is_foreign_wal_error(exc):
                # a log left beside a swapped-in file: any writer sets it aside; be that writer if none runs
                if not recovered and try_recover(db_path):
                    recovered = True
                    continue
                raise ForeignWalError(
                    f"{wal_path(db_path)} does not belong to {db_path.name} (left by an interrupted "
                    "write); run `python -m etl corrections` once no write is running (it moves the log "
                    "aside), or move that file aside by hand"
                ) from exc
            if not is_busy_error(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)  # a writer took the file between the check and the attach
        except BaseException:
            con.close()
            raise


def read_build_info(db_path: str | Path) -> dict[str, str]:
    """build_info of the database file at db_path ({} when there is none or it cannot be read)."""
    if not Path(db_path).is_file():
        return {}
    try:
        con = open_readonly(db_path)
    except duckdb.Error:
        return {}
    try:
        return dict(con.execute("SELECT key, value FROM build_info").fetchall())
    except duckdb.Error:
        return {}
    finally:
        con.close()


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
    applied: object = None  # corrections.ApplyResult, once applied
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
            raise disk_full(exc.filename if getattr(exc, "filename", None) else db_path, exc) from exc
        if isinstance(exc, duckdb.Error):
            raise EtlError(
                f"{db_path}: the write failed ({type(exc).__name__}: {exc}); it was abandoned and the live files "
                "are as they were: if the database is damaged, rebuild it (python -m etl build) or restore a "
                "backup (python -m etl restore)"
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
    """The one way to change a database: lock, stage, change, re-apply corrections, swap in.

    ``in_place`` (incremental adds to an existing database): no staged copy; the live file is changed in
    one DuckDB transaction, so the cost follows the change, not the size of the database.  See
    ``_in_place_writer``.

    Under the writer lock (other writers queue), the current database is copied to a staging file
    (or a fresh one is started, or ``source`` is copied: restore, or taken over with ``adopt_source``: a
    build that extracted into it before the lock), the caller changes it, the corrections log is folded in again, the file
    is checkpointed and closed, and then the staged files replace the live ones (see writer.Commit).
    Readers are never blocked and see either the old file or the new one.  On any error, or if the
    process is killed, the live files are untouched; staging files are removed now or by the next writer.
    """
    from etl.store import aggregates, session_terms
    from etl.store.checks import replace_checks
    from etl.store.corrections import apply_corrections, corrections_path, encode_log, read_log

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    corr_path = corrections_path(db_path)
    with write_lock(db_path, timeout=lock_timeout, on_wait=on_wait):
        clean_stale(db_path, targets=(corr_path,))
        if in_place and db_path.exists() and source is None:
            ensure_free(db_path.parent, 0, f"writing to {db_path.name}")
            with _in_place_writer(db_path, kind, read_log(corr_path), lock_timeout) as w:
                yield w
            return
        if require_existing and not db_path.exists():
            raise EtlError(f"no database at {db_path}: run `python -m etl build` (or `make build`) first")
        # a restore or a repair replaces the log whole: a bad line in the old one must not stop it
        log = read_log(corr_path, skip_bad=[] if kind in ("restore", "repair") else None)
        previous = read_build_info(db_path)
        stage = staging_path(db_path)
        stage.unlink(missing_ok=True)
        copied = (
            Path(source) if source is not None else db_path if copy_existing and db_path.exists() else None
        )
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
            stage.unlink(missing_ok=True)
            stage.with_name(stage.name + ".wal").unlink(missing_ok=True)
            raise
        commit = Commit(db_path)
        try:
            con = duckdb.connect(str(stage))
            create_schema(con)
        except duckdb.Error as exc:
            stage.unlink(missing_ok=True)
            stage.with_name(stage.name + ".wal").unlink(missing_ok=True)
            what = source or db_path
            raise EtlError(
                f"{what}: cannot open the database ({exc}); rebuild it (python -m etl build) "
                "or restore a backup (python -m etl restore)"
            ) from exc
        w = StagedWrite(con, db_path, stage, commit, kind, list(log), [], previous)
        scoped = kind == "correction"  # builds, restores and first adds refresh everything
        # Taken before the caller's changes: the aggregates match the file as it was opened, and a caller
        # may re-apply the log (a hand-mended line) before this write's own correction.
        before = aggregates.edits_fingerprint(con) if scoped else None
        try:
            yield w
            log_changed = bool(w.new_corrections) or w.log_bytes is not None
            if w.replace_database or log_changed:
                # learned periods are put back before the corrections, which snapshot the extractor's values
                dated = session_terms.undo(con)
                w.applied = apply_corrections(con, w.corrections)
                dated |= session_terms.learn_and_apply(con)
                if dated:
                    replace_checks(con, sorted(dated))
                if scoped:
                    after = aggregates.edits_fingerprint(con)
                    changed = aggregates.changed_reports(before, after)
                    aggregates.refresh(con, sorted(w.touched | changed | dated))
                else:
                    aggregates.refresh(con, None)
                _stamp(con, w)
                w.replace_database = True
            pause_point("staged")
            con.execute("CHECKPOINT")
            con.close()
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
                fsync_file(stage)
                commit.replace(stage, db_path)
            else:
                stage.unlink(missing_ok=True)
            if log_changed:  # after the database: a rename refused there leaves the log as it was
                commit.replace(staged_log, corr_path)
            pause_point("before_commit")
            commit.run()
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            commit.abort()
            stage.unlink(missing_ok=True)
            stage.with_name(stage.name + ".wal").unlink(missing_ok=True)
            raise


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


READER_INTENT_WAIT = 1.0  # a reader waits this long for an in-place writer, then tries the file itself
LIVE_LOCK_WAIT = 30.0  # seconds a writer waits for dashboard readers to let go of the live file


def connect_live(db_path: Path, timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the live file, waiting while readers hold DuckDB's file lock."""
    deadline = time.monotonic() + (LIVE_LOCK_WAIT if timeout is None else timeout)
    while True:
        try:
            return duckdb.connect(str(db_path))
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            if not is_busy_error(exc) or time.monotonic() >= deadline:
                raise EtlError(f"{db_path}: cannot open the database for writing ({exc})") from exc
            time.sleep(0.02)
        except duckdb.Error as exc:
            if is_foreign_wal_error(exc) and set_wal_aside(db_path) is not None:
                continue
            raise EtlError(
                f"{db_path}: cannot open the database ({exc}); rebuild it (python -m etl build) "
                "or restore a backup (python -m etl restore)"
            ) from exc


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
    from etl.store import aggregates, session_terms
    from etl.store.corrections import apply_corrections

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
            dated = session_terms.undo(con, jurisdictions)
            before = aggregates.edits_fingerprint(con)
            w.applied = apply_corrections(con, w.corrections)  # may carry corrections over to new versions
            changed = aggregates.changed_reports(before, aggregates.edits_fingerprint(con))
            dated |= session_terms.learn_and_apply(con, jurisdictions)
            _refresh_derived(con, sorted(w.touched | changed | dated))
            _stamp(con, w)
            pause_point("staged")
            if commit.ops:  # the library renames, listed durably before the COMMIT (rolled forward)
                commit.prepare(requires_generation=_next_generation(w))
                prepared = True
            pause_point("before_commit")
            con.execute("COMMIT")
            committed = True
            pause_point("committed")
            # Durable from here: DuckDB fsyncs its log at COMMIT.  A failed checkpoint (a full disk)
            # leaves the log, which the next writer folds in before it swaps any file (writer.settle_wal).
            with contextlib.suppress(duckdb.Error):
                con.execute("CHECKPOINT")
        con.close()
        if prepared:
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


def _refresh_derived(con: duckdb.DuckDBPyConnection, report_ids: list[str] | None) -> None:
    """Checks and pre-aggregated tables for the given reports (None: all of them)."""
    from etl.store import aggregates
    from etl.store.checks import replace_checks

    replace_checks(con, report_ids)
    aggregates.refresh(con, report_ids)


def _next_generation(w: StagedWrite) -> int:
    try:
        return int(w.previous.get("generation", "0")) + 1
    except ValueError:
        return 1


def _stamp(con: duckdb.DuckDBPyConnection, w: StagedWrite) -> None:
    """What readers can check: a generation that only grows, and the counts this write left behind."""

    generation = _next_generation(w)
    n_reports, n_facts = con.execute(
        "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts)"
    ).fetchone()
    # facts_current without scanning it: edits and additions only ever concern facts/reports that exist.
    n_current = (
        n_facts
        + con.execute(
            "SELECT (SELECT count(*) FROM added_facts WHERE report_id IN (SELECT report_id FROM reports))"
            " - (SELECT count(*) FROM fact_edits WHERE rejected)"
        ).fetchone()[0]
    )
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
