"""The database's life: backup (a verified copy with the corrections log) and restore (put one back)."""

from __future__ import annotations

from pathlib import Path

import click

from etl.cli.shared import PATH, command, db_option, lock_timeout_option, warn
from etl.errors import EtlError
from etl.ops.backup import backup, restore, verify_backup
from etl.store.corrections_log import scan_log


def _warn_bad_log(path: Path, what: str) -> None:
    _, bad = scan_log(path)
    if bad:
        warn(
            f"{path} has {len(bad)} bad lines (line {bad[0].line}: {bad[0].reason}); {what}; "
            "run `python -m etl corrections --repair` to set them aside"
        )


@command("backup", short_help="copy the database and the corrections log into a timestamped folder")
@db_option()
@click.option("--out", type=PATH, help="folder for backups (default: backups/ beside the database)")
@lock_timeout_option()
def backup_cmd(db: Path, out: Path | None, lock_timeout: float | None) -> int:
    """Write <out>/<db name>-<UTC time>/ with database.duckdb, corrections.jsonl and manifest.json
    (sha256 of each). Taken under the writer lock; readers carry on."""
    folder = backup(db, out, lock_timeout=lock_timeout)
    click.echo(f"backup: {folder}")
    try:
        m = verify_backup(folder, deep=False)  # backup() has just read it back whole
    except EtlError as exc:
        warn(
            f"this backup cannot be restored: {exc}; its files are kept for a rescue; rebuild the database "
            "(python -m etl build) or restore an older backup (python -m etl restore FOLDER)"
        )
        return 1
    c = m["counts"]
    click.echo(
        f"reports: {c['reports']}  facts: {c['facts']}  corrections: {c['corrections']}  "
        "(sha256 in manifest.json)"
    )
    _warn_bad_log(folder / "corrections.jsonl", "the backup keeps the log as it was")
    return 0


@command("restore", short_help="put a backup's database and corrections log back, atomically")
@click.argument("backup_dir", metavar="BACKUP", type=PATH)
@db_option()
@click.option("--no-safety-backup", is_flag=True, help="do not back up the current state first")
@lock_timeout_option()
def restore_cmd(backup_dir: Path, db: Path, no_safety_backup: bool, lock_timeout: float | None) -> int:
    """Verify BACKUP (a folder written by `python -m etl backup`) against its manifest, save the current
    state as a new backup, then swap in the backup's database and corrections log together."""
    r = restore(backup_dir, db, safety_backup=not no_safety_backup, lock_timeout=lock_timeout)
    if r.safety_backup:
        click.echo(f"the previous state was saved first: {r.safety_backup}")
    click.echo(
        f"restored {r.db_path} from {r.restored_from}: reports {r.reports}, facts {r.facts}, "
        f"corrections {r.corrections}"
    )
    if r.bad_lines:
        _warn_bad_log(backup_dir / "corrections.jsonl", "they were restored as they were but not applied")
    return 0
