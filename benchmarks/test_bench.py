"""Speed and memory targets (run with `make bench`; never part of `make test`).

Targets on the reference machine (2 cores): extracting one bundled report < 1 s, building the
bundled corpus < 20 s, extraction peak memory < 200 MB for a 1 MB report.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from etl.extract.pipeline import process_document
from etl.models import Document
from etl.ops.build import build

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_extract_one_report(benchmark, name):
    doc = Document(name, TEXTS[name], "txt", "utf-8")
    rep = benchmark(process_document, doc)
    assert rep.facts
    assert benchmark.stats["mean"] < 1.0


def test_build_bundled_corpus(benchmark, tmp_path):
    db = tmp_path / "bench.duckdb"
    summary = benchmark.pedantic(build, args=(CORPUS, db), kwargs={"progress": False}, rounds=3, iterations=1)
    assert summary.reports == len(TEXTS)
    assert benchmark.stats["mean"] < 20.0


def test_memory_of_a_large_report():
    big = "\n\n".join(TEXTS.values()) * 12  # about 1 MB of report text
    tracemalloc.start()
    rep = process_document(Document("big.txt", big, "txt", "utf-8"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert rep.facts
    assert peak < 200 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


REAL_REPORTS = sorted((ROOT / "data" / "corpus-real").glob("*.txt")) + sorted(
    (ROOT / "data" / "corpus-extra").glob("*.txt")
)


def test_extraction_cpu_per_real_report(benchmark):
    """The extractor alone (frames and regexes) over every bundled real report, already read and normalized:
    the CPU the clause frames cost per report (about 1 ms on the reference machine; target < 5 ms)."""
    from etl.extract.facts import extract_facts

    reps = [
        process_document(Document(p.name, p.read_text(encoding="utf-8"), "txt", "utf-8"))
        for p in REAL_REPORTS
    ]

    def run():
        for r in reps:
            extract_facts(r.norm, r.sections, r.meta.report_type)

    benchmark.pedantic(run, rounds=15, iterations=1)
    per_report = benchmark.stats["min"] / len(reps)
    benchmark.extra_info["ms_per_report"] = round(per_report * 1000, 3)
    assert per_report < 0.005
