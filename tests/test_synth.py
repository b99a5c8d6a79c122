"""The synthetic corpus generator (tools/synth.py): determinism, formats, ground truth and a small
end-to-end score."""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from etl.extract.catalog import CORE_CODES
from etl.read import read_document
from tools import synth

N_SMALL = 60  # enough for every format and report type with the test seed
# Measured with 300–1,000 reports (seed 1): precision 1.000, recall ≈ 0.93. The threshold leaves room for
# the extractor to change without making this test a judge of recall.
MIN_PRECISION = 0.95


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth")
    summary = synth.generate(N_SMALL, out, seed=11, workers=2)
    return out, summary


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_generate_writes_the_scorers_files(small):
    out, summary = small
    assert summary["reports"] == N_SMALL
    assert summary["bytes"] == sum(p.stat().st_size for p in (out / "docs").iterdir())
    docs = _rows(out / "gold_docs.csv")
    facts = _rows(out / "gold_facts.csv")
    assert list(docs[0]) == synth.DOC_FIELDS
    assert list(facts[0]) == synth.FACT_FIELDS
    assert {d["report_file"] for d in docs} == {p.name for p in (out / "docs").iterdir()}
    assert len(facts) == summary["facts"] > N_SMALL * 5
    for f in facts:
        assert f["metric"] in CORE_CODES
        assert f["qualifier"] in ("exact", "approx_at_least", "approx")
        assert int(f["period_start"]) <= int(f["period_end"])
        float(f["value"])


def test_deterministic_for_a_seed_whatever_the_workers(tmp_path):
    a = synth.generate(12, tmp_path / "a", seed=5, workers=2)
    b = synth.generate(12, tmp_path / "b", seed=5, workers=1)
    synth.generate(12, tmp_path / "c", seed=6, workers=1)
    assert a["bytes"] == b["bytes"]
    for name in ("gold_docs.csv", "gold_facts.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    for p in (tmp_path / "a" / "docs").iterdir():
        assert p.read_bytes() == (tmp_path / "b" / "docs" / p.name).read_bytes()
    assert (tmp_path / "a" / "gold_facts.csv").read_bytes() != (
        tmp_path / "c" / "gold_facts.csv"
    ).read_bytes()


def test_formats_and_encodings_are_readable(small):
    out, summary = small
    assert set(summary["formats"]) == {"txt", "gb18030", "html"}
    seen = set()
    for p in sorted((out / "docs").iterdir()):
        doc = read_document(p)
        assert "常务委员会" in doc.text or "人大常委会" in doc.text
        raw = p.read_bytes()
        if doc.file_format == "html":
            assert b"<script" in raw and b"<head>" in raw and "footer" in raw.decode("utf-8")
            assert "hm.baidu.com" not in doc.text  # the shell's script is not report text
            seen.add("html")
        else:
            try:
                raw.decode("utf-8")
                seen.add("utf-8")
            except UnicodeDecodeError:
                assert raw.decode("gb18030") == doc.text
                seen.add("gb18030")
    assert seen == {"html", "utf-8", "gb18030"}


def test_gold_evidence_occurs_in_the_report_text(small):
    out, _ = small
    facts = defaultdict(list)
    for f in _rows(out / "gold_facts.csv"):
        facts[f["report_file"]].append(f)
    for name, rows in facts.items():
        text = read_document(out / "docs" / name).text
        for f in rows:
            assert f["evidence"] in text, (name, f["evidence"])


def test_gold_periods_follow_the_report_type(small):
    out, _ = small
    docs = {d["report_file"]: d for d in _rows(out / "gold_docs.csv")}
    assert {d["report_type"] for d in docs.values()} >= {"annual_report", "term_review"}
    for f in _rows(out / "gold_facts.csv"):
        d = docs[f["report_file"]]
        assert (f["period_start"], f["period_end"]) == (d["period_start"], d["period_end"])
        span = int(d["period_end"]) - int(d["period_start"])
        assert span == (4 if d["report_type"] == "term_review" else 0)


def test_every_core_metric_has_several_phrasings():
    tpl = synth.templates()["metrics"]
    assert set(tpl) == set(CORE_CODES)  # the catalog's core codes, each with its sentences
    for code, m in tpl.items():
        phrasings = m["sentences"] + m["first"] + m["later"]
        assert len(phrasings) >= 3, code
        for e in m["sentences"]:
            assert e["t"].count("[") == 1 and ("{N}" in e["t"] or "{P}" in e["t"]), (code, e["t"])


def test_filler_holds_no_arabic_digits():
    filler = synth.templates()["filler"]["filler"]
    for section, entries in filler.items():
        for e in entries:
            assert not re.search(r"\d", e["t"]), (section, e["t"])


def test_distractors_are_in_the_reports_and_not_in_the_gold(small):
    out, _ = small
    texts = "\n".join(read_document(p).text for p in (out / "docs").iterdir())
    evidence = "\n".join(f["evidence"] for f in _rows(out / "gold_facts.csv"))
    for needle in ("组织代表参加常委会调研、视察、执法检查", "计划", "第", "“两个"):
        assert needle in texts
    # a plan section after the past work, with counts in it
    assert re.search(r"(?:\d{4}年|今年|新的一年|今后五年)的?(?:主要)?(?:工作)?(?:任务|安排|建议)", texts)
    for needle in ("计划", "拟", "人次参加", "列席", "宣誓", "星级", "重要信访"):
        assert needle not in evidence


def test_numbers_as_reports_write_them():
    import random

    assert synth.cn_number(12) == "十二"
    assert synth.cn_number(23) == "二十三"
    assert synth.cn_number(303) == "三百零三"
    assert synth.cn_number(1010) == "一千零一十"
    rng = random.Random(1)
    seen = {}
    for _ in range(3000):
        v = rng.choice([7, 45, 1237, 55023])
        text, value, qual = synth.number_text(rng, v)
        seen.setdefault(qual, text)
        if qual == "exact" and text.isdigit():
            assert value == v
        if "余" in text or "多" in text:
            assert qual == "approx_at_least" and value <= v
        if text.startswith("近"):
            assert qual == "approx" and value >= v
        if "万" in text:
            assert value % 1000 == 0
    assert set(seen) == {"exact", "approx_at_least", "approx"}


def test_small_end_to_end_precision(tmp_path):
    """Generate 40 reports, build them with the real pipeline and score the core facts like the scorer."""
    from etl.ops.build import build

    out = tmp_path / "corpus"
    synth.generate(40, out, seed=3, workers=2)
    db = tmp_path / "synth.duckdb"
    build(out / "docs", db, progress=False)
    con = duckdb.connect(str(db), read_only=True)
    reports = dict(con.execute("select report_id, source_file from reports").fetchall())
    got = defaultdict(set)
    for rid, metric, value, p0, p1 in con.execute(
        "select report_id, metric, value, period_start, period_end from facts"
    ).fetchall():
        if metric in CORE_CODES and value is not None:
            got[Path(reports[rid]).name].add((metric, float(value), p0, p1))
    con.close()
    gold = defaultdict(list)
    for f in _rows(out / "gold_facts.csv"):
        gold[f["report_file"]].append(f)
    tp = fp = fn = 0
    for name in {p.name for p in (out / "docs").iterdir()}:
        used = set()
        for g in gold[name]:
            hit = next((k for k in got[name] if k not in used and k[0] == g["metric"]
                        and math.isclose(k[1], float(g["value"]))
                        and (k[2] is None or k[2] <= int(g["period_end"]))
                        and (k[3] is None or int(g["period_start"]) <= k[3])), None)  # fmt: skip
            if hit:
                used.add(hit)
                tp += 1
            else:
                fn += 1
        fp += len(got[name]) - len(used)
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    assert precision >= MIN_PRECISION, (precision, recall)
    assert recall > 0.5, (precision, recall)
