"""`make bench`: the scale benchmarks, written as a table to docs/performance.md.

    .venv/bin/python -m benchmarks.run [--sizes 1000,10000,64000] [--facts 10000000] [--work DIR]

1. ETL: a synthetic national corpus (python -m tools.synth) built at each size on every core, beside
   the floor (read + decode + one compiled-regex pass over the same files on the same cores);
2. incremental: one report added to the largest database, beside extracting that report;
3. dashboard: every page's queries and full page runs at --facts facts (benchmarks.bench_dashboard);
4. quality: the synthetic ground truth scored by ../shared/tools/score_extraction.py when it is there.
Generated corpora and databases are kept under --work (default .bench/, git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = Path(os.environ.get("SCORER", ROOT.parent / "shared" / "tools" / "score_extraction.py"))
CORPUS_SEED = 2026
QUALITY_SEED = 7
NEW_SEED = 99
ETL_TARGET = 5.0  # build time ÷ floor
PAGE_TARGET_MS = 300.0  # every filter change, server-side
FIGURES: dict = {}  # what each section measured, for the summary at the top


def _machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, commit {commit.stdout.strip() or '?'}, {dt.date.today().isoformat()}"
    )


def corpus(work: Path, n: int, seed: int, name: str) -> Path:
    """A synthetic corpus of n reports under work/name (generated once, then reused)."""
    from tools.synth import generate

    out = work / name
    done = out / ".done"
    if done.exists() and done.read_text() == f"{n} {seed}":
        return out
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    info = generate(n, out, seed=seed)
    print(f"  generated {n} reports ({info.get('bytes', 0) / 1e6:.0f} MB) in {time.perf_counter() - t:.0f}s",
          flush=True)  # fmt: skip
    done.write_text(f"{n} {seed}")
    return out


def subset(work: Path, docs: Path, n: int) -> Path:
    """The first n files of docs, as symbolic links in a folder of their own."""
    out = work / f"subset-{n}"
    files = sorted(docs.iterdir())[:n]
    if out.exists() and len(list(out.iterdir())) == len(files):
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for f in files:
        (out / f.name).symlink_to(f.resolve())
    return out


def etl_section(work: Path, sizes: list[int], workers: int) -> tuple[str, Path]:
    from benchmarks.etl_scale import measure_scale

    big = corpus(work, max(sizes), CORPUS_SEED, f"synth-{max(sizes)}")
    rows = []
    db = work / "etl.duckdb"
    for n in sizes:
        folder = subset(work, big / "docs", n)
        db = work / f"etl-{n}.duckdb"
        print(f"  ETL at {n} reports …", flush=True)
        r = measure_scale(folder, db, workers)
        FIGURES.setdefault("etl", []).append((n, r))
        rows.append(
            f"| {n:,} | {r.megabytes:,.0f} | {r.loaded:,} | {r.facts:,} | {r.build_s:,.1f} | "
            f"{r.loaded / r.build_s:,.0f} | {r.megabytes / r.build_s:,.2f} | {r.build_rss_mb:,.0f} | "
            f"{r.floor_s:,.1f} | **{r.ratio:,.1f}×** | {r.db_mb:,.0f} |"
        )
    text = (
        f"### ETL throughput ({workers} worker processes)\n\n"
        "Command: `python -m etl build --input DIR --db FILE --quiet --workers "
        f"{workers}` on the first N reports of a synthetic corpus "
        f"(`python -m tools.synth --reports {max(sizes)} --seed {CORPUS_SEED}`), files in the page cache. "
        "Wall time of the whole command (start-up, extraction, loading, checks, aggregates, swap-in); "
        "peak memory is the largest sum of RSS over the build and its worker processes. The floor "
        "(`python -m benchmarks.etl_scale floor`) reads and decodes the same files and runs one compiled "
        "regex (a number followed by a counting unit) over them on the same number of processes.\n\n"
        "| reports | MB | loaded | facts | build s | reports/s | MB/s | peak RSS MB | floor s | "
        "build ÷ floor | DB MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + "\n".join(rows)
        + "\n"
    )
    return text, db


def incremental_section(work: Path, db: Path, n_reports: int) -> str:
    from benchmarks.etl_scale import measure_adds, summarize_adds

    new = corpus(work, 7, NEW_SEED, "new-reports")
    files = sorted((new / "docs").iterdir())
    print(f"  incremental adds to the {n_reports:,}-report database …", flush=True)
    results = measure_adds(db, files)
    s = summarize_adds(results)
    FIGURES["add"] = (n_reports, s)
    lines = "\n".join(
        f"| {r.file} | {_fmt(r.extract_ms)} | {_fmt(r.add_ms)} | "
        f"{_fmt(r.cli_extract_s, 2)} | {_fmt(r.cli_add_s, 2)} |"
        for r in results
    )
    return (
        f"### Incremental add to the {n_reports:,}-report database\n\n"
        "Each new report is added to the database built above, in place (one DuckDB transaction; checks "
        "and aggregates refreshed for that report only). In one warm process: `extract` is "
        "`preview(file)` (read + extract), `add` is `add_reports([file], db)` (read + extract + load). "
        "On the command line: `python -m etl extract FILE --brief` against "
        "`python -m etl add FILE --db DB --no-library`, wall time including Python start-up.\n\n"
        "| file | extract ms | add ms (in process) | CLI extract s | CLI add s |\n|---|---:|---:|---:|---:|\n"
        f"{lines}\n| **median** | **{s['extract_ms']:,.0f}** | **{s['add_ms']:,.0f}** | "
        f"**{s['cli_extract_s']:,.2f}** | **{s['cli_add_s']:,.2f}** |\n"
    )


def summary() -> str:
    """The targets of the scale issue, each beside what this run measured."""
    rows = []
    for n, r in FIGURES.get("etl", []):
        ok = "met" if r.ratio <= ETL_TARGET else "**not met**"
        rows.append(
            f"| ETL at {n:,} reports: build ÷ floor ≤ {ETL_TARGET:g}× | {r.ratio:.1f}× "
            f"({r.loaded / r.build_s:,.0f} reports/s, peak {r.build_rss_mb:,.0f} MB) | {ok} |"
        )
    if "add" in FIGURES:
        n, a = FIGURES["add"]
        rows.append(
            f"| add one report to {n:,}: about the cost of extracting it | "
            f"in process {a['add_ms']:,.0f} ms vs "
            f"{a['extract_ms']:,.0f} ms; command line {a['cli_add_s']:.2f} s vs {a['cli_extract_s']:.2f} s | "
            f"{'met' if a['cli_add_s'] <= 2 * a['cli_extract_s'] else '**not met**'} on the command line, "
            f"{'met' if a['add_ms'] <= 2 * a['extract_ms'] else '**not met**'} in process |"
        )
    if "pages" in FIGURES:
        n, pages = FIGURES["pages"]
        for page, (p50, p95, c50, c95) in pages.items():
            ok = (
                "met"
                if p95 < PAGE_TARGET_MS
                else ("p50 met, **p95 not**" if p50 < PAGE_TARGET_MS else "**not met**")
            )
            rows.append(
                f"| dashboard {page} at {n:,} facts: a filter change < {PAGE_TARGET_MS:.0f} ms server-side | "
                f"p50 {p50:,.0f} ms, p95 {p95:,.0f} ms (cold cache: p50 {c50:,.0f}, p95 {c95:,.0f}) | {ok} |"
            )
    if "quality" in FIGURES:
        n, prec, rec = FIGURES["quality"]
        rows.append(f"| extraction quality on {n:,} synthetic reports | precision {prec}, recall {rec} | – |")
    if not rows:
        return ""
    return "### Against the targets\n\n| target | measured | |\n|---|---|---|\n" + "\n".join(rows) + "\n"


def _fmt(x: float, digits: int = 0) -> str:
    return "–" if x != x else f"{x:,.{digits}f}"


def _current_schema(db: Path) -> bool:
    """The kept database was written with today's etl/store/schema.sql (the dashboard refuses any other)."""
    import duckdb

    from etl.store.schema import schema_sha256

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return False
    try:
        row = con.execute("select value from build_info where key = 'schema_sha256'").fetchone()
    except duckdb.Error:
        row = None
    finally:
        con.close()
    return row is not None and row[0] == schema_sha256()


def dashboard_section(work: Path, n_facts: int, repeats: int) -> str:
    from benchmarks import bench_dashboard, bigdb

    db = work / f"dashboard-{n_facts}.duckdb"
    stamp = work / f"dashboard-{n_facts}.done"
    if not (db.exists() and stamp.exists() and _current_schema(db)):
        print(f"  creating a {n_facts:,}-fact database …", flush=True)
        t = time.perf_counter()
        bigdb.make_big_db(db, n_facts=n_facts, aggregates=True)
        stamp.write_text(f"{time.perf_counter() - t:.0f}")
    print("  timing the dashboard …", flush=True)
    body = bench_dashboard.run(db, repeats=repeats)
    FIGURES["pages"] = (n_facts, {
        m.group(1): tuple(float(m.group(i).replace(",", "")) for i in (2, 3, 4, 5))
        for m in re.finditer(
            r"^\| (\w+) \| ([\d,.]+) \| ([\d,.]+) \| ([\d,.]+) \| ([\d,.]+) \| \d+ \|", body, re.M
        )
    })  # fmt: skip
    return (
        f"### Dashboard at {n_facts:,} facts\n\n"
        f"Database: `python -m benchmarks.bigdb --out FILE --facts {n_facts}` (real schema, generated in "
        f"DuckDB; built in {stamp.read_text()} s), then `python -m benchmarks.bench_dashboard FILE`.\n\n"
        + body.strip()
        + "\n"
    )


def quality_section(work: Path, n: int) -> str:
    out = corpus(work, n, QUALITY_SEED, f"quality-{n}")
    cmd = [sys.executable, str(SCORER), "--docs", str(out / "docs"), "--gold", str(out / "gold"), "--quiet"]
    shown = "python ../shared/tools/score_extraction.py --docs DIR/docs --gold DIR/gold --quiet"
    head = (
        f"### Extraction quality on the synthetic corpus\n\n"
        f"{n:,} reports (`python -m tools.synth --reports {n} --seed {QUALITY_SEED} --out DIR`), scored by "
        f"`{shown}`.\n\n"
    )
    if not SCORER.exists():
        return head + f"Not measured: the scorer {SCORER} is not on this machine (set SCORER=path).\n"
    print(f"  scoring {n} synthetic reports …", flush=True)
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    m = re.search(r"precision ([\d.]+)\s+recall ([\d.]+)\s+f1 ([\d.]+)\s+metadata ([\d.]+)", p.stdout)
    if not m:
        return head + f"The scorer failed:\n\n```\n{p.stdout[-1500:]}{p.stderr[-1500:]}\n```\n"
    FIGURES["quality"] = (n, m.group(1), m.group(2))
    matched = sum(int(x) for x in re.findall(r"matched (\d+)", p.stdout))
    missed = sum(int(x) for x in re.findall(r"missed (\d+)", p.stdout))
    wrong = sum(int(x) for x in re.findall(r"wrong (\d+)", p.stdout))
    return head + (
        "| precision | recall | f1 | metadata | matched | missed | wrong |\n"
        "|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {m.group(1)} | {m.group(2)} | {m.group(3)} | {m.group(4)} | "
        f"{matched:,} | {missed:,} | {wrong:,} |\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,64000", help="corpus sizes for the ETL table")
    ap.add_argument("--facts", type=int, default=10_000_000, help="facts in the dashboard database")
    ap.add_argument("--repeats", type=int, default=20, help="runs per dashboard measurement")
    ap.add_argument("--quality", type=int, default=1000, help="synthetic reports scored for quality")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--work", type=Path, default=ROOT / ".bench")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    ap.add_argument(
        "--skip", default="", help="comma-separated sections to skip: etl,incremental,dashboard,quality"
    )
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    skip = set(filter(None, args.skip.split(",")))
    args.work.mkdir(parents=True, exist_ok=True)
    command = "make bench" if not argv else "python -m benchmarks.run " + " ".join(argv)
    started = time.perf_counter()
    parts = [
        "# Performance\n\n"
        f"Produced by `{command}` (`python -m benchmarks.run`) on {_machine()}.\n"
        "Every figure below is measured in that one run; nothing is copied from elsewhere.\n"
    ]
    db = None
    if "etl" not in skip:
        print("ETL throughput", flush=True)
        text, db = etl_section(args.work, sizes, args.workers)
        parts.append(text)
    if "incremental" not in skip and db is not None:
        parts.append(incremental_section(args.work, db, max(sizes)))
    if "dashboard" not in skip:
        print("dashboard", flush=True)
        parts.append(dashboard_section(args.work, args.facts, args.repeats))
    if "quality" not in skip:
        print("quality", flush=True)
        parts.append(quality_section(args.work, args.quality))
    parts.insert(1, summary())
    parts.append(f"\nTotal benchmark time: {(time.perf_counter() - started) / 60:.1f} min.\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
