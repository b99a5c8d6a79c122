"""ETL at scale: throughput and memory of a build against a floor, and the cost of an incremental add.

The floor is the least any extractor must do with the same files on the same cores: read every file,
decode it, and run one compiled regex (numbers followed by a counting unit, the candidates every
count comes from) over the text.  ``python -m benchmarks.etl_scale floor --input DIR --workers N``
runs it alone so that the harness can time it like a build, as a separate process.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_REGEX = None  # compiled in each process


def _floor_regex() -> re.Pattern:
    global FLOOR_REGEX
    if FLOOR_REGEX is None:
        from etl.read.numbers import NUM

        FLOOR_REGEX = re.compile(f"(?:{NUM})[件项次个部条人场家名所]")
    return FLOOR_REGEX


def _floor_one(path: str) -> int:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    return sum(1 for _ in _floor_regex().finditer(text))


def floor(paths: list[str], workers: int) -> int:
    """Read, decode and scan every file once on ``workers`` processes; returns the number of hits."""
    if workers <= 1:
        return sum(map(_floor_one, paths))
    with mp.get_context("fork").Pool(workers) as pool:
        return sum(pool.imap_unordered(_floor_one, paths, chunksize=64))


# ---------------------------------------------------------------- timing a command with its memory


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float  # the largest sum of RSS over the process and its children, sampled every 50 ms
    returncode: int
    stdout: str


def _tree_rss_kb(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str], env: dict | None = None) -> Run:
    """Run ``cmd`` from the project root; wall time and the peak RSS of its process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    peak = 0
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    reader.join()
    return Run(time.perf_counter() - started, peak / 1024, proc.returncode, "".join(out))


def warm(paths: list[Path]) -> None:
    """Read every file once so the floor and the build both start from the page cache."""
    for p in paths:
        p.read_bytes()


@dataclass
class ScaleResult:
    reports: int
    megabytes: float
    floor_s: float
    floor_rss_mb: float
    build_s: float
    build_rss_mb: float
    loaded: int
    facts: int
    db_mb: float

    @property
    def ratio(self) -> float:
        return self.build_s / self.floor_s


def measure_scale(input_dir: Path, db: Path, workers: int) -> ScaleResult:
    from etl.ops.build import list_report_files

    paths = list_report_files(input_dir)
    warm(paths)
    mb = sum(p.stat().st_size for p in paths) / 1e6
    py = sys.executable
    fl = timed(
        [py, "-m", "benchmarks.etl_scale", "floor", "--input", str(input_dir), "--workers", str(workers)]
    )
    if fl.returncode != 0:
        raise RuntimeError(f"floor failed: {fl.stdout}")
    db.unlink(missing_ok=True)
    b = timed([py, "-m", "etl", "build", "--input", str(input_dir), "--db", str(db), "--quiet",
               "--workers", str(workers)])  # fmt: skip
    if b.returncode != 0:
        raise RuntimeError(f"build failed: {b.stdout[-2000:]}")
    m = re.search(r"reports loaded: (\d+)\s+facts: (\d+)", b.stdout)
    return ScaleResult(len(paths), mb, fl.seconds, fl.peak_rss_mb, b.seconds, b.peak_rss_mb,
                       int(m.group(1)), int(m.group(2)), db.stat().st_size / 1e6)  # fmt: skip


# ---------------------------------------------------------------- incremental add


@dataclass
class AddResult:
    file: str
    extract_ms: float  # process_document(read_document()) in a warm process
    add_ms: float  # add_reports([file], db) in the same process: extract + in-place transaction
    cli_extract_s: float  # `python -m etl extract FILE --brief`, wall
    cli_add_s: float  # `python -m etl add FILE --db DB --no-library`, wall


def measure_adds(db: Path, files: list[Path]) -> list[AddResult]:
    """Add each file to ``db`` (one at a time) and time it beside extracting the same file."""
    from etl.ops.add import add_reports, preview

    results = []
    py = sys.executable
    # Warm-up: the first add in a process pays for imports (loader, checks, aggregates) and for
    # the catalog, gazetteer and OpenCC; it is timed and reported apart from the median.
    preview(files[0], time_limit=None)
    t = time.perf_counter()
    summary = add_reports([files[0]], db, None, time_limit=None)
    assert summary.loaded, [o.message for o in summary.outcomes]
    warm_ms = (time.perf_counter() - t) * 1000
    results.append(
        AddResult(files[0].name + " (first, cold)", float("nan"), warm_ms, float("nan"), float("nan"))
    )
    for i, f in enumerate(files[1:]):
        t = time.perf_counter()
        preview(f, time_limit=None)
        extract_ms = (time.perf_counter() - t) * 1000
        if i % 2 == 0:  # half in this process …
            t = time.perf_counter()
            summary = add_reports([f], db, None, time_limit=None)
            add_ms = (time.perf_counter() - t) * 1000
            assert summary.loaded, [o.message for o in summary.outcomes]
            cli_add = float("nan")
        else:  # … half through the command line, as a user would
            add_ms = float("nan")
            cli_add = timed([py, "-m", "etl", "add", str(f), "--db", str(db), "--no-library"]).seconds
        cli_extract = timed([py, "-m", "etl", "extract", str(f), "--brief"]).seconds
        results.append(AddResult(f.name, extract_ms, add_ms, cli_extract, cli_add))
    return results


def _median(xs: list[float]) -> float:
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def summarize_adds(results: list[AddResult]) -> dict[str, float]:
    """Medians over the warm adds (the cold first add is left out)."""
    warm = [r for r in results if not r.file.endswith("(first, cold)")]
    return {k: _median([getattr(r, k) for r in warm]) for k in asdict(warm[0]) if k != "file"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("floor", help="read + decode + one regex pass over every file")
    f.add_argument("--input", required=True, type=Path)
    f.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    from etl.ops.build import list_report_files

    paths = [str(p) for p in list_report_files(args.input)]
    t = time.perf_counter()
    hits = floor(paths, args.workers)
    print(json.dumps({"files": len(paths), "hits": hits, "seconds": time.perf_counter() - t}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
