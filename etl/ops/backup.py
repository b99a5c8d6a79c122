"""Backups: the database and its corrections log copied into a dated folder, verified by sha256 and by
reading every table; restore puts one back in one write."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import __version__
from etl.errors import EtlError
from etl.ops.add import _sha256
from etl.store.corrections_log import BadLine, corrections_path, read_log, scan_log
from etl.write.connect import connect_live, open_readonly
from etl.write.disk import disk_full, ensure_free, is_disk_full
from etl.write.files import fsync_dir, fsync_file, wal_path
from etl.write.lock import write_lock
from etl.write.writer import open_writer

BACKUP_FORMAT = 1


class BackupError(EtlError):
    """A backup that cannot be written, read or trusted; the message names the file."""


@dataclass(frozen=True)
class RestoreSummary:
    restored_from: Path
    db_path: Path
    safety_backup: Path | None
    reports: int
    facts: int
    corrections: int
    bad_lines: tuple[BadLine, ...] = ()  # lines of the restored log left out (see corrections --repair)


def backup(
    db_path: str | Path, out_dir: str | Path | None = None, *, lock_timeout: float | None = None
) -> Path:
    """Copy the database and its corrections log into a new timestamped folder with a sha256 manifest.

    Taken under the writer lock, so the two files belong together; readers are not disturbed.
    Returns the backup folder (default: ``<db folder>/backups/<db stem>-<UTC time>``).
    """
    db_path = Path(db_path)
    out = Path(out_dir) if out_dir is not None else db_path.parent / "backups"
    with write_lock(db_path, timeout=lock_timeout):
        if not db_path.is_file():
            raise BackupError(f"no database at {db_path}: nothing to back up")
        sizes = [
            p.stat().st_size for p in (db_path, wal_path(db_path), corrections_path(db_path)) if p.exists()
        ]
        ensure_free(out, sum(sizes) + sizes[0], f"a backup of {db_path.name} (and its check)")
        now = dt.datetime.now(dt.UTC)
        final = out / f"{db_path.stem}-{now:%Y%m%dT%H%M%SZ}"
        n = 1
        while final.exists():
            n += 1
            final = out / f"{db_path.stem}-{now:%Y%m%dT%H%M%SZ}-{n}"
        partial = final.with_name("." + final.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        try:
            if db_path.with_name(db_path.name + ".wal").exists():
                # committed changes still in DuckDB's log (an add interrupted before its checkpoint):
                # fold them into the file, which is all a backup copies
                con = connect_live(db_path, lock_timeout)
                try:
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
            db_copy = partial / "database.duckdb"
            shutil.copyfile(db_path, db_copy)
            corr = corrections_path(db_path)
            log_copy = partial / "corrections.jsonl"
            shutil.copyfile(corr, log_copy) if corr.exists() else log_copy.write_bytes(b"")
            try:  # a damaged database is still copied (restore refuses it; a person may rescue it)
                check_database(db_copy, partial)  # garbage in a late block is found now, not at restore
                con = open_readonly(db_copy)
                try:
                    counts, readable = _counts(con), None
                    info = dict(con.execute("SELECT key, value FROM build_info").fetchall())
                finally:
                    con.close()
            except duckdb.Error as exc:
                counts, info, readable = {}, {}, f"{type(exc).__name__}: {exc}"[:500]
            manifest = {
                "format": BACKUP_FORMAT,
                "created_at_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "etl_version": __version__,
                "source_database": str(db_path.resolve()),
                "generation": info.get("generation"),
                "database_error": readable,
                "counts": {**counts, "corrections": _log_size(log_copy)},
                "files": {
                    p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in (db_copy, log_copy)
                },
            }
            (partial / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                   encoding="utf-8")  # fmt: skip
            for p in partial.iterdir():
                fsync_file(p)
            os.replace(partial, final)
            fsync_dir(out)
        except BaseException as exc:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(exc, OSError | duckdb.Error) and is_disk_full(exc):
                raise disk_full(partial, exc) from exc
            raise
    return final


def _log_size(path: Path) -> int | None:
    """Valid corrections in the log (a bad line is copied as it is; restore and --repair name it)."""
    return len(scan_log(path)[0])


def check_database(path: Path, scratch_dir: Path) -> dict[str, int]:
    """Read a database back whole: every row of every table, then every index; rows per table.

    Raises DuckDB's error at the first damaged block.  Indexes are only read when a committed change
    touches them, so that part runs on a scratch copy in ``scratch_dir`` (removed afterwards): every row
    of every indexed table is deleted there, which walks each index entirely.
    """
    con = open_readonly(path)
    try:
        rows = read_every_table(con)
    finally:
        con.close()
    try:
        fd, name = tempfile.mkstemp(prefix=".verify-", suffix=".duckdb", dir=scratch_dir)
    except OSError:  # a read-only backup folder
        fd, name = tempfile.mkstemp(prefix=".verify-", suffix=".duckdb")
    os.close(fd)
    scratch = Path(name)
    try:
        shutil.copyfile(path, scratch)
        con = duckdb.connect(str(scratch))
        try:
            indexed = con.execute(
                "SELECT DISTINCT table_name FROM duckdb_constraints()"
                " WHERE database_name = current_database() AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
                " UNION SELECT table_name FROM duckdb_indexes() WHERE database_name = current_database()"
                " ORDER BY 1"
            ).fetchall()
            for (table,) in indexed:
                con.execute(f'DELETE FROM "{table}"')
        finally:
            con.close()
    finally:
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
    return rows


def read_every_table(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Read every row and column of every table (DuckDB checks each block's checksum as it reads it), in
    batches so memory stays flat; rows per table.  Raises DuckDB's error at the first damaged block."""
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
    ).fetchall()
    rows = {}
    for (table,) in tables:
        reader = con.sql(f'SELECT * FROM "{table}"').to_arrow_reader(65_536)
        rows[table] = sum(batch.num_rows for batch in reader)
    return rows


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for table in ("reports", "facts", "facts_current"):
        try:
            ((out[table],),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
        except duckdb.CatalogException:
            out[table] = None
    return out


def verify_backup(backup_dir: str | Path, *, deep: bool = True) -> dict:
    """Check a backup folder against its manifest (files present, sha256) and, ``deep``, read its database
    back whole (``check_database``; ``backup`` has just done that); returns the manifest."""

    folder = Path(backup_dir)
    mf = folder / "manifest.json"
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
        files = manifest["files"]
    except FileNotFoundError:
        raise BackupError(
            f"{folder}: no manifest.json: not a backup made by `python -m etl backup`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{mf}: the manifest is unreadable ({exc})") from exc
    if manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{mf}: backup format {manifest.get('format')!r} is not one this version reads")
    if manifest.get("database_error"):
        raise BackupError(
            f"{folder}: the database was already unreadable when this backup was taken "
            f"({manifest['database_error']}); restore an older backup"
        )
    for name in ("database.duckdb", "corrections.jsonl"):
        path = folder / name
        if name not in files or not path.is_file():
            raise BackupError(f"{folder}: {name} is missing from the backup")
        if _sha256(path) != files[name]["sha256"]:
            raise BackupError(f"{path}: its sha256 does not match the manifest: the backup is damaged")
    if not deep:
        return manifest
    try:
        check_database(folder / "database.duckdb", folder)
    except duckdb.Error as exc:
        raise BackupError(
            f"{folder / 'database.duckdb'}: the backup's database is damaged ({type(exc).__name__}: "
            f"{str(exc)[:300]}); restore an older backup"
        ) from exc
    return manifest


def restore(
    backup_dir: str | Path,
    db_path: str | Path,
    *,
    safety_backup: bool = True,
    lock_timeout: float | None = None,
) -> RestoreSummary:
    """Put a backup's database and corrections log back in place, together, through the single writer.

    The backup is verified first.  Unless ``safety_backup`` is False, the current state is backed up
    before it is replaced, so a restore never loses the newest corrections.
    """
    folder = Path(backup_dir)
    db_path = Path(db_path)
    verify_backup(folder)
    log_file = folder / "corrections.jsonl"
    with write_lock(db_path, timeout=lock_timeout):
        safety = backup(db_path) if safety_backup and db_path.is_file() else None
        with open_writer(db_path, source=folder / "database.duckdb", kind="restore") as w:
            bad: list[BadLine] = []  # restored byte for byte; bad lines are skipped when applied
            w.replace_log(read_log(log_file, skip_bad=bad), log_file.read_bytes())
            counts = _counts(w.con)
    return RestoreSummary(
        folder, db_path, safety, counts["reports"] or 0, counts["facts"] or 0, len(w.corrections), tuple(bad)
    )


def list_backups(out_dir: str | Path) -> list[tuple[Path, dict]]:
    """Backups in a folder, newest first, with their manifests (unreadable ones are skipped)."""
    found = []
    for d in Path(out_dir).glob("*/manifest.json"):
        try:
            found.append((d.parent, json.loads(d.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    # two backups in one second are named …Z and …Z-2: the name breaks the tie
    return sorted(found, key=lambda x: (str(x[1].get("created_at_utc", "")), x[0].name), reverse=True)
