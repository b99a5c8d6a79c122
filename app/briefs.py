"""Saved briefs: named lists of charts (ChartRequest tokens) kept in a JSON file beside the database.

A brief is what a user collects with 加入简报 and downloads on 简报导出.  It lives on the server, not in
the browser session, so a refresh, a new tab or a colleague with the link (``/export?brief=<id>``) sees the
same charts.  The file sits beside the database (``congress.duckdb`` → ``congress.briefs.json``; set
``CONGRESS_BRIEFS`` to put it elsewhere), so rebuilding the database never loses it, and the charts are
drawn afresh from the current data when the brief is opened.

Writes hold an exclusive lock on ``<file>.lock`` and replace the file in one rename: two sessions saving at
once queue, and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app import db

MAX_BRIEFS = 500
MAX_CHARTS = 60
MAX_NAME = 60


class BriefError(Exception):
    """A brief cannot be read or saved; the message says what to do."""


@dataclass
class Brief:
    brief_id: str
    name: str
    charts: list[str] = field(default_factory=list)  # ChartRequest tokens, in slide order
    created: str = ""  # UTC, ISO 8601
    updated: str = ""


def briefs_path() -> Path:
    """$CONGRESS_BRIEFS, else the database's path with .briefs.json instead of .duckdb."""
    env = os.environ.get("CONGRESS_BRIEFS")
    if env:
        return Path(env)
    p = db.db_path()
    return p.with_name(p.stem + ".briefs.json")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read(path: Path) -> list[Brief]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise BriefError(
            f"简报文件 {path} 无法读取（{exc.__class__.__name__}）：请让维护人员检查这个文件。"
        ) from exc
    out = []
    for item in raw.get("briefs", []) if isinstance(raw, dict) else []:
        try:
            out.append(
                Brief(
                    brief_id=str(item["brief_id"]),
                    name=str(item.get("name") or "未命名简报"),
                    charts=[str(t) for t in item.get("charts", [])],
                    created=str(item.get("created") or ""),
                    updated=str(item.get("updated") or ""),
                )
            )
        except (KeyError, TypeError):
            continue  # one damaged entry does not hide the others
    return out


@contextlib.contextmanager
def _locked() -> Iterator[tuple[Path, list[Brief]]]:
    """The briefs under the write lock; what the block leaves in the list is written back in one rename."""
    path = briefs_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(f"{path}.lock", "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise BriefError(f"简报无法保存：{path.parent} 不可写。请让维护人员检查目录权限。") from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        items = _read(path)
        yield path, items
        fd, tmp = tempfile.mkstemp(prefix=".briefs-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"briefs": [asdict(b) for b in items]}, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise BriefError(f"简报无法保存到 {path}：磁盘已满或目录不可写。") from exc


def list_briefs() -> list[Brief]:
    """Every saved brief, most recently changed first."""
    return sorted(_read(briefs_path()), key=lambda b: b.updated, reverse=True)


def get(brief_id: str | None) -> Brief | None:
    if not brief_id:
        return None
    return next((b for b in _read(briefs_path()) if b.brief_id == brief_id), None)


def _clean_name(name: str) -> str:
    return " ".join(str(name).split())[:MAX_NAME] or "未命名简报"


def create(name: str, charts: list[str] | None = None) -> Brief:
    """A new saved brief (its id is short and unguessable enough to share as a link)."""
    with _locked() as (_, items):
        if len(items) >= MAX_BRIEFS:
            raise BriefError(f"已保存 {len(items)} 份简报，达到上限：请先删除不用的简报。")
        now = _now()
        brief = Brief(
            secrets.token_hex(5), _clean_name(name), list(dict.fromkeys(charts or []))[:MAX_CHARTS], now, now
        )
        items.append(brief)
    return brief


def update(brief_id: str, *, name: str | None = None, charts: list[str] | None = None) -> Brief:
    """Rename a brief or replace its charts (in order); raises BriefError when it no longer exists."""
    with _locked() as (_, items):
        brief = next((b for b in items if b.brief_id == brief_id), None)
        if brief is None:
            raise BriefError("这份简报已被删除。请新建一份简报。")
        if name is not None:
            brief.name = _clean_name(name)
        if charts is not None:
            brief.charts = list(dict.fromkeys(charts))[:MAX_CHARTS]
        brief.updated = _now()
    return brief


def add_chart(brief_id: str, token: str) -> Brief:
    """Append a chart to a brief (a chart already in it stays where it is)."""
    with _locked() as (_, items):
        brief = next((b for b in items if b.brief_id == brief_id), None)
        if brief is None:
            raise BriefError("这份简报已被删除。请新建一份简报。")
        if token not in brief.charts:
            if len(brief.charts) >= MAX_CHARTS:
                raise BriefError(f"一份简报最多 {MAX_CHARTS} 张图表。")
            brief.charts.append(token)
        brief.updated = _now()
    return brief


def move(charts: list[str], index: int, step: int) -> list[str]:
    """The list with the chart at ``index`` moved ``step`` places (clamped at the ends)."""
    out = list(charts)
    j = max(0, min(len(out) - 1, index + step))
    out.insert(j, out.pop(index))
    return out


def delete(brief_id: str) -> None:
    with _locked() as (_, items):
        items[:] = [b for b in items if b.brief_id != brief_id]
