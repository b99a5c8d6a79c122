"""The extractor on Ray Data: report files → Hive-partitioned Parquet, on one machine or a cluster.

    python -m etl.ops.distributed --input DIR --out DIR
        [--address local|auto|ray://HOST:10001] [--parallelism N]

The extractor is a pure function of one file (``process_document(read_document(path))``), and
``etl.store.records`` is the only place that turns its result into rows, so the workers run exactly what the
local build runs:

1. the driver lists the report files as ``python -m etl build`` does (``etl.ops.build.list_report_files``);
2. ``ray.data.from_items(paths).map_batches(...)``: each worker extracts its files and returns, per file,
   its report row and fact rows with their province/year partition values (etl/parquet.py) — or the
   reason the file failed, which becomes a problem row instead of failing the job;
3. the driver drops repeated texts like the build does (same report_id: the first file in sorted order
   is kept; the others become "same text as …: loaded once" problems);
4. the kept rows stream back to the driver as Arrow batches (``iter_batches``) and
   ``etl.ops.parquet.write_partitioned`` writes ``DIR/facts/province=<省>/year=<YYYY>/part-0.parquet`` (and
   the same for reports/) plus ``DIR/problems.parquet``, then moves the new dataset into place.

On a cluster, --input must be a folder every node sees (a shared file system), and every node
needs ``pip install -r requirements.txt -r requirements-distributed.txt``; the ``etl`` package itself is
shipped to the workers with the job.  Ray is an optional extra: ``pip install -r
requirements-distributed.txt``.  See docs/distributed.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from etl.errors import EtlError
from etl.ops.build import list_report_files
from etl.ops.extract_one import try_extract
from etl.ops.parquet import (
    PARTITIONED_SCHEMAS,
    TABLES,
    commit_staging,
    discard_staging,
    new_staging,
    report_tables,
    write_partitioned,
    write_problems,
)
from etl.read import DEFAULT_MAX_BYTES

INSTALL_HINT = "pip install -r requirements-distributed.txt"

# What the extraction step returns for each file.
_EXTRACTED_SCHEMA = pa.schema([
    ("order", pa.int64()), ("file", pa.string()), ("report_id", pa.string()), ("problem", pa.string()),
    ("n_facts", pa.int64()), ("warnings", pa.list_(pa.string())),
    ("facts_ipc", pa.binary()), ("reports_ipc", pa.binary()),
])  # fmt: skip


def import_ray():
    """The ray module, or an EtlError that says how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise EtlError(
            f"the distributed runner needs Ray, which is an optional extra: {INSTALL_HINT} ({exc})"
        ) from exc
    return ray


# --- worker side: pure functions of their input ----------------------------------------------------------


def _to_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


class ExtractBatch:
    """map_batches: a batch of (order, path) → one row per file with its rows as Arrow IPC, or its problem."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes

    def __call__(self, batch: pa.Table) -> pa.Table:
        out: dict[str, list] = {name: [] for name in _EXTRACTED_SCHEMA.names}
        loaded_at = dt.datetime.now()
        for order, path in zip(
            batch.column("order").to_pylist(), batch.column("path").to_pylist(), strict=True
        ):
            name = Path(path).name
            rep, problem = try_extract(path, max_bytes=self.max_bytes, time_limit=None)
            tables = report_tables(rep, loaded_at) if rep is not None else None
            out["order"].append(order)
            out["file"].append(name)
            out["report_id"].append(rep.report_id if rep else None)
            out["problem"].append(problem)
            out["n_facts"].append(len(rep.facts) if rep else 0)
            out["warnings"].append([w.removeprefix(f"{name}: ") for w in rep.warnings] if rep else [])
            out["facts_ipc"].append(_to_ipc(tables["facts"]) if tables else None)
            out["reports_ipc"].append(_to_ipc(tables["reports"]) if tables else None)
        return pa.table(out, schema=_EXTRACTED_SCHEMA)


class KeptRows:
    """map_batches: extracted files → the partitioned rows of one table, for the files that are kept."""

    def __init__(self, table: str, keep: frozenset[int]):
        self.table, self.keep = table, keep

    def __call__(self, batch: pa.Table) -> pa.Table:
        schema = PARTITIONED_SCHEMAS[self.table]
        parts = [
            _from_ipc(blob).select(schema.names).cast(schema)
            for order, blob in zip(
                batch.column("order").to_pylist(), batch.column(f"{self.table}_ipc").to_pylist(), strict=True
            )
            if order in self.keep and blob is not None
        ]
        return pa.concat_tables(parts) if parts else schema.empty_table()


# --- driver side -----------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    out_dir: str
    files: int = 0
    reports: int = 0
    facts: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, reason), in file order
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, message)
    written: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.reports > 0

    @property
    def partitions(self) -> list[tuple[str, str]]:
        return sorted({(w["province"], w["year"]) for w in self.written if w["table"] == "facts"})


def choose_kept(index: list[dict]) -> tuple[frozenset[int], list[tuple[str, str]], list[tuple[str, str]]]:
    """Which files load, as etl.ops.build decides (etl.ops.build.collect): (kept orders, problems,
    warnings) in file order."""
    seen: dict[str, str] = {}
    keep: set[int] = set()
    problems: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    for row in sorted(index, key=lambda r: r["order"]):
        name = row["file"]
        if row["problem"] is not None:
            problems.append((name, row["problem"]))
        elif row["report_id"] in seen:
            problems.append((name, f"same text as {seen[row['report_id']]}: loaded once"))
        else:
            seen[row["report_id"]] = name
            keep.add(row["order"])
            warnings.extend((name, w) for w in row["warnings"] or [])
    return frozenset(keep), problems, warnings


def _init_ray(ray, address: str, num_cpus: int | None) -> bool:
    """Connect or start Ray; True when this call started it (and so should shut it down)."""
    if ray.is_initialized():
        return False
    common = {"logging_level": logging.WARNING, "log_to_driver": True}
    if address in ("local", "", None):
        ray.init(
            address="local", num_cpus=num_cpus, include_dashboard=False, **common
        )  # never a stale cluster
        return True
    package = Path(__file__).resolve().parent  # a cluster: ship this package (code, catalog, gazetteer data)
    try:
        ray.init(address=address, runtime_env={"py_modules": [str(package)]}, **common)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise EtlError(f"cannot connect to a Ray cluster at {address!r} ({exc}): start one with "
                       "`ray start --head`, or use --address local") from exc  # fmt: skip
    return True


def _quiet_ray_data(ray, progress: bool) -> None:
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = progress
    for name in ("ray.data", "ray"):
        logging.getLogger(name).setLevel(logging.INFO if progress else logging.WARNING)


def run(
    input_dir: str | Path,
    out_dir: str | Path,
    *,
    address: str = "local",
    parallelism: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = False,
) -> RunSummary:
    """Extract every report file under input_dir on Ray and write out_dir's Parquet dataset."""
    ray = import_ray()
    started = time.monotonic()
    paths = list_report_files(input_dir)
    summary = RunSummary(out_dir=str(out_dir), files=len(paths))
    if parallelism is not None and parallelism < 1:
        raise EtlError(f"--parallelism must be at least 1, not {parallelism}")
    if not paths:
        summary.seconds = time.monotonic() - started
        return summary
    started_ray = _init_ray(ray, address, parallelism if address in ("local", "", None) else None)
    try:
        _quiet_ray_data(ray, progress)
        stage = new_staging(out_dir)
        try:
            _run(ray, paths, stage, summary, parallelism, max_bytes)
            if summary.ok:
                write_problems(summary.problems, stage)
                commit_staging(stage, out_dir)
                root = Path(out_dir)
                for w in summary.written:  # paths as they are after the move out of the staging folder
                    w["path"] = str(root / Path(w["path"]).relative_to(stage))
        finally:
            discard_staging(stage)
    finally:
        if started_ray:
            ray.shutdown()
    summary.seconds = time.monotonic() - started
    return summary


def _run(
    ray, paths: list[Path], stage: Path, summary: RunSummary, parallelism: int | None, max_bytes: int
) -> None:
    items = [{"order": i, "path": str(p.resolve())} for i, p in enumerate(paths)]
    blocks = min(len(items), parallelism * 4 if parallelism else 200)
    extracted = (
        ray.data.from_items(items, override_num_blocks=blocks)
        .map_batches(ExtractBatch(max_bytes), batch_format="pyarrow", batch_size=1)
        .materialize()
    )
    index = extracted.select_columns(
        ["order", "file", "report_id", "problem", "n_facts", "warnings"]
    ).take_all()
    keep, summary.problems, summary.warnings = choose_kept(index)
    summary.reports = len(keep)
    summary.facts = sum(r["n_facts"] for r in index if r["order"] in keep)
    if not keep:
        return  # nothing loadable: the existing output is left as it was
    # The rows come back to the driver as Arrow batches and are written there: facts are small (no report
    # texts), so even millions of them fit; the extraction, which is the cost, ran on the workers.
    for table in TABLES:
        rows = extracted.map_batches(KeptRows(table, keep), batch_format="pyarrow")
        batches = rows.iter_batches(batch_format="pyarrow", batch_size=None)
        summary.written += write_partitioned(batches, stage, table)
        (stage / table).mkdir(parents=True, exist_ok=True)  # a table with no rows is an empty folder


# --- command line ----------------------------------------------------------------------------------------


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m etl.ops.distributed",
        description="Extract every report file under --input on Ray Data and write facts and reports as "
        "Parquet partitioned by province and year under --out (facts/, reports/, problems.parquet), the "
        f"same rows as `python -m etl build` + `python -m etl export-parquet`. Needs: {INSTALL_HINT}",
    )
    p.add_argument("--input", required=True, type=Path, help="folder of report files (shared by all nodes)")
    p.add_argument("--out", required=True, type=Path, help="output folder (shared by all nodes)")
    p.add_argument(
        "--address",
        default="local",
        help="'local' (default): start Ray on this machine; 'auto': join the cluster `ray start` runs here; "
        "'ray://HOST:10001': a remote cluster",
    )
    p.add_argument(
        "--parallelism", type=int, help="local: CPUs Ray may use; also sets the number of blocks (4 per CPU)"
    )
    p.add_argument("--max-mb", type=float, default=50, help="refuse files larger than this (default 50)")
    p.add_argument("--progress", action="store_true", help="show Ray Data's progress output")
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        if args.max_mb <= 0:
            raise EtlError(f"--max-mb must be positive, not {args.max_mb:g}")
        s = run(args.input, args.out, address=args.address, parallelism=args.parallelism,
                max_bytes=int(args.max_mb * 1024 * 1024), progress=args.progress)  # fmt: skip
    except EtlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"output: {s.out_dir}")
    print(f"files: {s.files}  reports loaded: {s.reports}  facts: {s.facts}  "
          f"partitions: {len(s.partitions)}  time: {s.seconds:.1f}s")  # fmt: skip
    if s.problems:
        print(f"problems ({len(s.problems)}): these files were not loaded (also in problems.parquet)")
        for name, reason in s.problems:
            print(f"  {name}: {reason}")
    if s.warnings:
        print(f"warnings ({len(s.warnings)}):")
        for name, msg in s.warnings:
            print(f"  {name}: {msg}")
    if not s.ok:
        print(
            "error: no report could be loaded; the existing output (if any) was left unchanged",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
