"""Free space: every write checks it first, and a full disk becomes one clear error."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from etl.errors import EtlError


class DiskFullError(EtlError):
    """Not enough free space for a write; the message names the folder and what to do."""


MIN_FREE = 1 << 20  # headroom every write keeps: DuckDB's log and checkpoint, the journal, lock files


def is_disk_full(exc: BaseException) -> bool:
    """An OSError or a DuckDB error that says the device (or the quota) is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk quota exceeded" in text or "not enough space" in text


def free_bytes(folder: str | Path) -> int | None:
    """Free bytes on the device holding ``folder`` (its nearest existing parent); None if unknown."""
    p = Path(folder).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return shutil.disk_usage(p).free
    except OSError:
        return None


def _mb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1048576:.1f} MB"


def ensure_free(folder: str | Path, need: int, what: str) -> None:
    """Refuse a write before it stages anything when ``folder`` has less than ``need`` (+ headroom) free."""
    free = free_bytes(folder)
    if free is not None and free < need + MIN_FREE:
        raise DiskFullError(
            f"{folder}: {what} needs about {_mb(need + MIN_FREE)} free there, only {_mb(free)} is left; "
            "nothing was changed: free some space and try again"
        )


def disk_full(path: str | Path, exc: BaseException) -> DiskFullError:
    """The error for a write that ran out of space part-way (its staging files already removed)."""
    folder = Path(path).parent
    return DiskFullError(
        f"{path}: no space left on the device ({_mb(free_bytes(folder))} free in {folder}); the write was "
        "abandoned and its staging files removed, the live files are as they were: "
        "free some space and try again"
    )
