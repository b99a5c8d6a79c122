"""Shared fixtures and helpers for the tests.

Fixtures (no import needed): ``corpus_db``, data/corpus built once with the real CLI; ``corpus_copy``, a
private copy of that build and of its report library; ``synth_db``, a synthetic multi-year database
built once per session; ``use_db``, point the dashboard at a database file.

Helpers (``from conftest import …``): run the CLI, read rows from a database file, make a temporary
database with etl/store/schema.sql applied and put reports, facts and metrics into it, read the gold files,
and drive the dashboard under AppTest.

The synthetic database applies etl/store/schema.sql and inserts the five bundled reports with the hand
annotated gold facts (offsets located in the text), plus generated annual reports for 2018–2023 so
trends, deltas and comparisons have something to show that the five-report corpus cannot.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import random
import re
import shutil
import subprocess
import sys
import traceback
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.extract.catalog import load_catalog
from etl.write.connect import open_readonly

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "tests" / "fixtures" / "gold"
SCHEMA = ROOT / "etl" / "store" / "schema.sql"


# --- the fault suite's slow part: `make faults` (pytest --faults) -------------------------------------


def pytest_addoption(parser):
    parser.addoption("--faults", action="store_true", help="also run the slow fault tests (marked faults)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--faults"):
        return
    skip = pytest.mark.skip(reason="slow fault test: run `make faults`")
    for item in items:
        if "faults" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_login_throttle():
    """Failed logins are counted for the whole process (app.auth.THROTTLE): each test starts clean."""
    mod = sys.modules.get("app.auth")
    if mod is not None:
        mod.THROTTLE.reset()


# --- the command line and the database file --------------------------------------------------------------


def run_etl(*args, check: bool = False) -> subprocess.CompletedProcess:
    """`python -m etl <args>` as a user runs it, in this process (click's CliRunner; check: it must succeed).

    Same exit code, stdout and stderr as a separate process, from the repository root; an unexpected exception
    shows up in stderr as the Traceback a real run would print.  Tests that kill a command, or need a second
    process to hold a lock or a file, use run_etl_process.
    """
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="python -m etl")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (in process):\n" + "".join(traceback.format_exception(result.exception))
    proc = subprocess.CompletedProcess(["python -m etl", *args], result.exit_code, result.stdout, stderr)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def run_etl_process(*args, check: bool = False) -> subprocess.CompletedProcess:
    """`python -m etl <args>` in a separate process, as a user runs it (check: it must succeed)."""
    proc = subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def fetch(db: str | Path, sql: str, params: Sequence = ()) -> list[tuple]:
    """Rows of ``sql`` on the database file as it is on disk now (read-only, never a cached instance)."""
    con = open_readonly(db)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def copy_corpus(library: Path, exclude: Iterable[str] = ()) -> Path:
    """Copy the bundled report files (all but ``exclude``) into ``library``, a folder it creates."""
    library.mkdir(parents=True)
    for f in sorted(CORPUS.iterdir()):
        if f.is_file() and f.name not in exclude:
            shutil.copyfile(f, library / f.name)
    return library


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """`python -m etl build` on data/corpus, as a user runs it."""
    db = tmp_path_factory.mktemp("corpus") / "congress.duckdb"
    run_etl("build", "--input", CORPUS, "--db", db, "--quiet", check=True)
    return db


@pytest.fixture
def corpus_copy(corpus_db, tmp_path) -> tuple[Path, Path]:
    """(database, library): a private copy of the corpus build and of its report files, under tmp_path."""
    lib = copy_corpus(tmp_path / "lib")
    db = tmp_path / "congress.duckdb"
    shutil.copyfile(corpus_db, db)
    return db, lib


@pytest.fixture(scope="session")
def synth_db(tmp_path_factory) -> Path:
    """The synthetic database (several jurisdictions, 2018–2023), built once per test session."""
    return make_synthetic_db(tmp_path_factory.mktemp("synth") / "congress.duckdb")


@pytest.fixture(autouse=True)
def own_briefs(tmp_path, monkeypatch) -> Path:
    """Each test keeps its saved briefs (app/briefs.py) in a file of its own, not beside a shared database."""
    path = tmp_path / "briefs.json"
    monkeypatch.setenv("CONGRESS_BRIEFS", str(path))
    return path


@pytest.fixture
def use_db(monkeypatch):
    """use_db(path): the dashboard's queries read ``path`` (as CONGRESS_DB) for the rest of the test."""

    def _use(path):
        monkeypatch.setenv("CONGRESS_DB", str(path))
        return path

    return _use


# --- a temporary database with the schema applied ----------------------------------------------------


def new_db(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A new DuckDB file at ``path`` with etl/store/schema.sql applied; the caller closes the connection."""
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    return con


def insert_metrics(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple]) -> None:
    """Catalog rows: (code, category, label_zh, label_en, unit, kind)."""
    con.executemany(
        "INSERT INTO metrics (code, category, label_zh, label_en, unit, kind) VALUES (?, ?, ?, ?, ?, ?)",
        list(rows),
    )


def insert_report(
    con: duckdb.DuckDBPyConnection,
    report_id: str,
    source_file: str,
    jurisdiction: str,
    period: tuple[int, int],
    report_type: str,
    *,
    title: str,
    level: str = "prefecture",
    parent: str = "河南省",
    province: str = "河南省",
    delivered=None,
) -> None:
    """One report row (no text: the facts below carry their own evidence)."""
    con.execute(
        "INSERT INTO reports (report_id, source_file, title, jurisdiction, level, parent, province, "
        "period_start, period_end, report_type, delivered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report_id,
            source_file,
            title,
            jurisdiction,
            level,
            parent,
            province,
            *period,
            report_type,
            delivered,
        ],
    )


def insert_fact(
    con: duckdb.DuckDBPyConnection,
    fact_id: str,
    report_id: str,
    metric: str,
    value: float,
    *,
    unit: str | None,
    evidence: str,
    value_text: str,
    start: int,
    qualifier: str = "exact",
    period: tuple[int | None, int | None] = (None, None),
    scope: str | None = None,
    section: str | None = None,
) -> None:
    """One fact whose evidence starts at offset ``start``; the value's offsets are where it is in the
    evidence."""
    value_start = start + evidence.index(value_text)
    con.execute(
        "INSERT INTO facts (fact_id, report_id, metric, value, unit, qualifier, period_start, period_end, "
        "scope, evidence, evidence_start, evidence_end, value_text, value_start, value_end, section) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            fact_id,
            report_id,
            metric,
            value,
            unit,
            qualifier,
            *period,
            scope,
            evidence,
            start,
            start + len(evidence),
            value_text,
            value_start,
            value_start + len(value_text),
            section,
        ],
    )


# --- the gold files ----------------------------------------------------------------------------------

# The report fields the gold documents annotate (tests/fixtures/gold/seeds_docs.csv).
GOLD_META_FIELDS = (
    "jurisdiction",
    "level",
    "parent",
    "province",
    "period_start",
    "period_end",
    "report_type",
    "delivered",
)


def fact_pairs(
    text: str, p0: int = 2023, p1: int = 2023, rtype: str = "annual_report"
) -> list[tuple[str, float]]:
    """(metric, value) of the facts extract_facts finds in ``text``, read as one past-work part of p0–p1."""
    from etl.extract.facts import extract_facts
    from etl.models import Section
    from etl.read.normalize import normalize

    n = normalize(text)
    facts = extract_facts(n, [Section("past_work", 0, len(n.text), None, p0, p1)], rtype)
    return [(f.metric, f.value) for f in facts]


def gold_rows(name: str) -> list[dict[str, str]]:
    """The rows of one gold CSV file (seeds_docs.csv, seeds_facts.csv)."""
    with (GOLD / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def score_against_gold(facts: dict[str, set[tuple]], prefix: str):
    """Score extracted core facts {file: {(metric, value, period_start, period_end)}}, periods already
    falling back to the report's, against gold ``prefix``_docs.csv / _facts.csv, as the judge scores:
    report, metric and value agree and the periods overlap; a fact with no period matches nothing and
    is missed, not wrong (no year on the dashboard shows it); duplicates count once; optional rows do not
    count against recall. Returns (tp, fp, fn, missed, wrong)."""
    docs = gold_rows(f"{prefix}_docs.csv")
    key = "report_file" if "report_file" in docs[0] else "file"
    gold = defaultdict(list)
    for r in gold_rows(f"{prefix}_facts.csv"):
        gold[r[key]].append(r)
    tp = fp = fn = 0
    missed, wrong = [], []
    for doc in sorted({r[key] for r in docs}):
        ext, used = set(facts.get(doc, ())), set()
        for row in gold[doc]:
            vals = [float(row["value"])] + [float(v) for v in row["alt_values"].split("|") if v]
            g0, g1 = int(row["period_start"]), int(row["period_end"])
            hit = next((k for k in sorted(ext, key=str) if k not in used and k[0] == row["metric"]
                        and any(math.isclose(k[1], v) for v in vals)
                        and k[2] is not None and k[3] is not None
                        and k[2] <= g1 and g0 <= k[3]), None)  # fmt: skip
            if hit:
                used.add(hit)
                tp += 1
            elif row["optional"] != "1":
                fn += 1
                missed.append((doc, row["metric"], row["value"]))
        dated_extra = {k for k in ext - used if k[2] is not None}
        fp += len(dated_extra)
        wrong.extend((doc, k) for k in sorted(dated_extra, key=str))
    return tp, fp, fn, missed, wrong


# --- the synthetic database --------------------------------------------------------------------------

JURISDICTIONS = [
    # name, level, parent, province, code
    ("河南省", "provincial", None, "河南省", "410000000000"),
    ("郑州市", "prefecture", "河南省", "河南省", "410100000000"),
    ("鹤壁市", "prefecture", "河南省", "河南省", "410600000000"),
    ("中原区", "county", "郑州市", "河南省", "410102000000"),
    ("新郑市", "county", "郑州市", "河南省", "410184000000"),
]
LEVEL = {name: (level, parent, prov) for name, level, parent, prov, _ in JURISDICTIONS}


def catalog_metrics(codes: Sequence[str] | None = None) -> list[tuple]:
    """Metric rows (code, category, label_zh, label_en, unit, kind) from the catalog, the one source."""
    rows = [
        (m.code, m.category, m.label_zh, m.label_en, m.unit, m.kind) for m in load_catalog().fact_metrics()
    ]
    return rows if codes is None else [r for r in rows if r[0] in set(codes)]


METRICS = catalog_metrics()


def metric_label(code: str) -> str:
    """The catalog's Chinese label of a metric: what charts and cards are titled with."""
    return next(r[2] for r in METRICS if r[0] == code)


# Synthetic annual reports: (jurisdiction, year).  The real corpus covers 郑州市 2023, 郑州市 2018–2022
# (term), 鹤壁市 2023, 中原区 2020 and 新郑市 2018; these fill in the other years.
SYNTH_YEARS = {
    "郑州市": [2019, 2020, 2021, 2022],
    "鹤壁市": [2020, 2021, 2022],
    "中原区": [2019, 2021, 2022],
    "新郑市": [2019, 2020, 2021, 2022, 2023],
}

# Sentence templates: metric, template, unit.  {v} is the number as written.
SENTENCES = [
    ("legislation.laws_enacted", "全年制定地方性法规{v}件", "件"),
    ("legislation.laws_amended", "修改地方性法规{v}件", "件"),
    ("legislation.research", "开展立法调研{v}次", "次"),
    ("meetings.standing_committee", "共召开常委会会议{v}次", "次"),
    ("supervision.work_reports", "听取审议工作报告{v}个", "个"),
    ("supervision.law_inspections", "开展执法检查{v}项", "项"),
    ("supervision.special_inquiries", "组织专题询问{v}次", "次"),
    ("decisions.resolutions", "依法作出决议决定{v}项", "项"),
    ("appointments.personnel", "依法任免国家机关工作人员{v}人次", "人次"),
    ("deputies.suggestions", "督办代表建议{v}件", "件"),
    ("deputies.suggestions_resolved", "其中已解决或基本解决的{v}件", "件"),
    ("deputies.suggestion_satisfaction", "代表对办理工作的满意率达到{v}%", "%"),
    ("liaison.stations", "建成代表联络站{v}个", "个"),
    ("liaison.station_visits", "全年代表入站{v}余人次", "人次"),
    ("liaison.constituents_received", "累计接待群众{v}人次", "人次"),
    ("petitions.letters_visits", "办理人民群众来信来访{v}件次", "件次"),
]
BASE = {  # typical sizes: prefecture, county
    "legislation.laws_enacted": (3, 0),
    "legislation.laws_amended": (5, 0),
    "legislation.research": (20, 0),
    "meetings.standing_committee": (8, 10),
    "supervision.work_reports": (24, 14),
    "supervision.law_inspections": (6, 2),
    "supervision.special_inquiries": (2, 1),
    "decisions.resolutions": (11, 9),
    "appointments.personnel": (200, 40),
    "deputies.suggestions": (300, 110),
    "deputies.suggestions_resolved": (200, 80),
    "deputies.suggestion_satisfaction": (97, 96),
    "liaison.stations": (600, 60),
    "liaison.station_visits": (20000, 3000),
    "liaison.constituents_received": (40000, 5000),
    "petitions.letters_visits": (1200, 300),
}


def _report_id(norm_text: str) -> str:
    return "r" + hashlib.sha256(norm_text.encode("utf-8")).hexdigest()[:16]


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around [start, end): from after the previous 。；！？ or line break to the next one."""
    s = start
    while s > 0 and text[s - 1] not in "。；！？\n":
        s -= 1
    e = end
    while e < len(text) and text[e] not in "。；！？\n":
        e += 1
    if e < len(text) and text[e] != "\n":
        e += 1
    while s < e and text[s] in " \u3000\t":
        s += 1
    return s, e


def _value_span(evidence: str, values: list[float]) -> tuple[int, int, float] | None:
    """Where the first of ``values`` is written inside the evidence string (None: not written there)."""
    for value in values:
        iv = int(value) if value == int(value) else value
        needles = [str(iv)] + (["百分之百"] if value == 100 else []) + (["7万余"] if value == 70000 else [])
        for needle in needles:
            m = re.search(r"(?<!\d)" + re.escape(needle) + r"(?!\d)", evidence)
            if m:
                return m.start(), m.end(), value
    return None


def _fact_row(
    rid, metric, value, unit, qualifier, ps, pe, text, ev_start, ev_end, v_start, v_end, scope=None
):
    fid = "f" + hashlib.sha256(f"{rid}|{metric}|{v_start}".encode()).hexdigest()[:16]
    return (
        fid,
        rid,
        metric,
        float(value),
        unit,
        qualifier,
        ps,
        pe,
        scope,
        text[ev_start:ev_end],
        ev_start,
        ev_end,
        text[v_start:v_end],
        v_start,
        v_end,
        ev_start,
        ev_end,
        "past_work",
        "synthetic",
    )


def _corpus_reports() -> tuple[list, list, list]:
    """The five bundled reports with their gold facts, offsets located in the text."""
    docs = {r["report_file"]: r for r in gold_rows("seeds_docs.csv")}
    reports, texts, facts = [], [], []
    by_file: dict[str, list[dict]] = {}
    for row in gold_rows("seeds_facts.csv"):
        by_file.setdefault(row["report_file"], []).append(row)
    for fname, doc in sorted(docs.items()):
        text = (CORPUS / fname).read_text(encoding="utf-8")
        rid = _report_id(text)
        ps = int(doc["period_start"].split("|")[0])
        pe = int(doc["period_end"].split("|")[0])
        rtype = doc["report_type"].split("|")[0]
        title = next((ln.strip() for ln in text.splitlines() if ln.strip()), fname)
        level, parent, prov = LEVEL[doc["jurisdiction"]]
        delivered = doc["delivered"] or None
        reports.append(
            (rid, fname, title, doc["jurisdiction"], level, parent, prov, ps, pe, rtype, delivered)
        )
        texts.append((rid, text, text))
        for g in by_file.get(fname, []):
            i = text.find(g["evidence"])
            assert i >= 0, (fname, g["evidence"])
            values = [float(g["value"])] + [float(a) for a in g["alt_values"].split("|") if a]
            found = _value_span(g["evidence"], values)
            if found is None:
                continue
            vs, ve, value = found
            es, ee = _sentence_bounds(text, i, i + len(g["evidence"]))
            facts.append(
                _fact_row(
                    rid,
                    g["metric"],
                    value,
                    g["unit"],
                    g["qualifier"],
                    int(g["period_start"]),
                    int(g["period_end"]),
                    text,
                    es,
                    ee,
                    i + vs,
                    i + ve,
                )
            )
    return reports, texts, facts


def _synthetic_reports() -> tuple[list, list, list]:
    rng = random.Random(20240203)
    reports, texts, facts = [], [], []
    for jur, years in SYNTH_YEARS.items():
        level, parent, prov = LEVEL[jur]
        col = 0 if level == "prefecture" else 1
        for year in years:
            parts = [
                f"{jur}人民代表大会常务委员会工作报告\n",
                f"——{year + 1}年1月10日在{jur}人民代表大会会议上\n",
                "各位代表：\n",
                f"{year}年的主要工作\n",
            ]
            if jur == "新郑市" and year == 2021:
                # Report text is untrusted: the Reports page must show this as text, never run it.
                parts.append("附：<script>alert('xss')</script> 与 <b>加粗</b> 两段原文照录。\n")
            spans = []
            for metric, tmpl, unit in SENTENCES:
                base = BASE[metric][col]
                if base == 0:
                    continue
                if metric == "deputies.suggestion_satisfaction":
                    v = min(100, base + rng.randint(-1, 3))
                elif metric == "deputies.suggestions_resolved":
                    v = int(BASE["deputies.suggestions"][col] * 0.7 + rng.randint(0, 20))
                else:
                    v = max(1, round(base * (1 + 0.08 * (year - 2020)) * rng.uniform(0.85, 1.15)))
                sentence = tmpl.format(v=v)
                prefix = "".join(parts)
                vpos = len(prefix) + sentence.index(str(v))
                parts.append(sentence + "。")
                qualifier = "approx_at_least" if "余" in tmpl else "exact"
                spans.append((metric, v, unit, qualifier, len(prefix), len(prefix) + len(sentence) + 1, vpos))
                if metric in ("petitions.letters_visits", "liaison.constituents_received"):
                    parts.append("\n")
            parts.append(f"\n{year + 1}年主要任务\n明年将制定地方性法规5件，开展执法检查8项。\n")
            text = "".join(parts)
            rid = _report_id(text)
            title = f"{jur}人民代表大会常务委员会工作报告（{year}年）"
            reports.append(
                (
                    rid,
                    f"synthetic_{jur}_{year}.txt",
                    title,
                    jur,
                    level,
                    parent,
                    prov,
                    year,
                    year,
                    "annual_report",
                    f"{year + 1}-01-10",
                )
            )
            texts.append((rid, text, text))
            for metric, v, unit, qualifier, es, ee, vpos in spans:
                facts.append(
                    _fact_row(
                        rid, metric, v, unit, qualifier, year, year, text, es, ee, vpos, vpos + len(str(v))
                    )
                )
    return reports, texts, facts


def stamp_as_written(con: duckdb.DuckDBPyConnection) -> None:
    """What every write leaves behind (etl/load.py): the aggregate tables in step and the schema version,
    so the dashboard reads a hand-made database as it reads a built one."""
    from etl.store import aggregates
    from etl.store.schema import schema_sha256

    aggregates.refresh(con)
    con.execute("insert or replace into build_info values ('schema_sha256', ?)", [schema_sha256()])


def make_synthetic_db(path: str | Path) -> Path:
    """Write a complete synthetic database (schema + realistic rows) to ``path``."""
    path = Path(path)
    if path.exists():
        path.unlink()
    reports, texts, facts = _corpus_reports()
    r2, t2, f2 = _synthetic_reports()
    reports += r2
    texts += t2
    facts += f2
    con = new_db(path)
    try:
        con.executemany(
            "insert into reports (report_id, source_file, title, jurisdiction, level, parent, province,"
            " period_start, period_end, report_type, delivered, file_format, encoding, n_chars, loaded_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'txt', 'utf-8', 0, now())",
            reports,
        )
        con.executemany("insert into report_texts values (?, ?, ?)", texts)
        con.execute(
            "update reports set n_chars = length(t.norm_text) from report_texts t "
            "where t.report_id = reports.report_id"
        )
        con.executemany("insert into facts values (" + ", ".join(["?"] * 19) + ")", facts)
        insert_metrics(con, METRICS)
        con.executemany("insert into jurisdictions values (?, ?, ?, ?, ?)", JURISDICTIONS)
        con.execute("insert into build_info values ('builder', 'tests/conftest.py synthetic')")
        stamp_as_written(con)
    finally:
        con.close()
    return path


# --- AppTest helpers ---------------------------------------------------------------------------------

DASHBOARD = ROOT / "dashboard.py"
PAGE_URLS = {
    "overview": "",
    "trends": "trends",
    "compare": "compare",
    "data": "data",
    "reports": "reports",
    "export": "export",
    "corrections": "corrections",
    "manage": "manage",
    "metrics": "metrics",
    "quality": "quality",
}


def open_app(
    db_path, monkeypatch, page: str = "overview", query: dict | None = None, secrets: dict | None = None
):
    """Run the dashboard as a new browser tab would open ``/<page>?<query>`` (AppTest)."""
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    monkeypatch.setenv("CONGRESS_DB", str(db_path))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    if PAGE_URLS[page]:
        # st.Page hashes its url_path; starting on that hash is what opening the page's URL does.
        at._page_hash = calc_hash(PAGE_URLS[page])
    if query:
        at.query_params = dict(query)
    if secrets is not None:
        at.secrets = secrets
    return at.run()


# --- analysts and a writable database ------------------------------------------------------------------

ANALYST = "alice"
PASSWORD = "correct horse battery staple"
_HASHES: dict[str, str] = {}


def analyst_secrets(user: str = ANALYST, password: str = PASSWORD) -> dict:
    """Streamlit secrets with one analyst (bcrypt at the lowest cost: the tests log in often)."""
    import bcrypt

    if password not in _HASHES:
        _HASHES[password] = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()
    return {"analysts": {user: _HASHES[password]}}


def district_report(place: str, meetings: int) -> str:
    """A short 2023 work report of ``place``, its title naming the district with its city (北京市朝阳区:
    朝阳区 is also 长春市's), with a dateline and one count (召开常委会会议N次)."""
    return f"""{place}人民代表大会常务委员会工作报告

——2024年1月10日在{place}第十七届人民代表大会第四次会议上

各位代表：

现在，我代表{place}人民代表大会常务委员会向大会报告工作，请予审议。

一、2023年主要工作

过去一年，常委会坚持依法履职，全年召开常委会会议{meetings}次，审议议题30项。

二、2024年主要任务

今年，常委会将继续依法履职。
"""


HELD_BACK = "002_abb6607c4697feab.txt"  # 鹤壁市 2023: left out of the build, uploaded by the tests


def writable_corpus(tmp_path, monkeypatch, held_back: str = HELD_BACK) -> dict[str, Path]:
    """A report library (data/corpus minus one file) built into a database, all under tmp_path.

    Sets CONGRESS_DB and CONGRESS_LIBRARY as `make run` users would, so the dashboard writes here and
    never to data/.  Returns db, library, the held-back report file and the corrections log path.
    """
    from etl.ops.build import build
    from etl.store.corrections_log import corrections_path

    library = copy_corpus(tmp_path / "library", exclude=[held_back])
    db = tmp_path / "db" / "congress.duckdb"
    db.parent.mkdir()
    summary = build(library, db, progress=False)
    assert summary.ok and summary.reports == 4, summary
    monkeypatch.setenv("CONGRESS_DB", str(db))
    monkeypatch.setenv("CONGRESS_LIBRARY", str(library))
    return {"db": db, "library": library, "held_back": CORPUS / held_back, "log": corrections_path(db)}


def login(at, user: str = ANALYST, password: str = PASSWORD):
    """Sign in through the sidebar form, as an analyst would."""
    at.text_input(key="auth_user").input(user)
    at.text_input(key="auth_password").input(password)
    at.button(key="auth_submit").click()
    return at.run()


def widget_keys(at) -> set[str]:
    """The keys of every widget on the page (sidebar included)."""
    keys = set()
    for kind in ("button", "text_input", "text_area", "selectbox", "checkbox", "file_uploader", "radio"):
        for w in getattr(at, kind):
            if getattr(w, "key", None):
                keys.add(str(w.key))
    return keys


def html_bodies(at) -> list[str]:
    """The HTML of every st.html element on the page."""
    return [e.proto.body for e in at.get("html")]


def figures(at) -> list[dict]:
    """The Plotly figures on the page, as dicts (title text, traces)."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def figure_titles(at) -> list[str]:
    return [re.sub(r"<[^>]+>.*", "", f["layout"]["title"]["text"]) for f in figures(at)]


def assert_clean(at) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def page_text(at) -> str:
    """All visible text of the run (titles, markdown, captions, info boxes, metric labels and values)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    return "\n".join(parts)
