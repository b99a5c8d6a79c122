"""Synthetic corpus of standing-committee work reports, with the ground truth the spec asks for.

    python -m tools.synth --reports 1000 --out /tmp/synth [--seed 0] [--workers 2]

writes ``OUT/docs/<files>`` (UTF-8 txt, GB18030 txt and html pages with a site shell) and, beside them,
``OUT/gold_docs.csv`` and ``OUT/gold_facts.csv`` in the format of ../shared/tools/score_extraction.py:

    .venv/bin/python ../shared/tools/score_extraction.py --docs OUT/docs --gold OUT/gold

Reports are for real jurisdictions of the gazetteer (a mix close to China's: mostly counties, some
prefectures, a few provinces and the NPC), for the years 2005–2024, of three kinds: annual reports,
five-year term reviews (delivered at the first session of a new congress) and journalists' 综述.
All wording comes from the YAML files in tools/synth_data/: metric sentences (metrics.yaml), genre
filler (filler.yaml) and distractors (distractors.yaml: plans, slogans, ordinals, participation,
subset and combined counts), so the corpus can grow without touching code.

The gold rows are what a correct extractor should output (spec: ../shared/spec/metrics.md): one
row per stated past-work count of a core metric, with the value as stated (1200余 → 1200,
approx_at_least), the report's period and the exact evidence phrase. Distractors produce no rows.

Every report is generated from its own random stream (seed, index), so the output for a seed does
not depend on the number of workers; workers write their files directly and return the gold rows.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gc
import hashlib
import math
import multiprocessing as mp
import os
import random
import re
import sys
import time
from pathlib import Path

import yaml

from etl.extract.catalog import CORE_CODES  # the metrics a report states: the catalog's core codes

DATA_DIR = Path(__file__).parent / "synth_data"

DOC_FIELDS = ["report_file", "jurisdiction", "level", "parent", "province", "period_start", "period_end",
              "report_type", "delivered"]  # fmt: skip
FACT_FIELDS = ["report_file", "metric", "value", "alt_values", "unit", "qualifier", "period_start",
               "period_end", "optional", "evidence"]  # fmt: skip

# Share of reports per level: close to the real mix (1 / 31 / ~330 / ~2,850 committees), with the
# upper levels slightly over-sampled so that a few hundred reports still hold some of each.
YEARS = (2005, 2024)  # years reviewed; reports are delivered the year after
FORMAT_WEIGHTS = (("txt", 0.58), ("gb18030", 0.12), ("html", 0.30))
MEAN_CHARS = 7900  # ≈ 23 KB of UTF-8 per report on average
# The sections of the past-work part, in order, and which metrics each one states.
SECTION_ORDER = ("politics", "legislation", "supervision", "decisions", "deputies", "liaison", "self")
SECTION_OF_METRIC = {
    "legislation": "legislation", "supervision": "supervision", "decisions": "decisions",
    "appointments": "decisions", "deputies": "deputies", "liaison": "liaison", "petitions": "liaison",
    "meetings": "politics",
}  # fmt: skip
SECTION_WEIGHT = {"politics": 1.0, "legislation": 1.0, "supervision": 1.6, "decisions": 0.6, "deputies": 1.1,
                  "liaison": 0.8, "self": 0.9}  # fmt: skip
UNITS = ("人次", "件次", "件", "部", "项", "次", "个", "条", "名", "%")
_CN_DIGITS = "零一二三四五六七八九"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_0-9]+)(?::(\d+)-(\d+))?\}")
_ETC = re.compile(r"等[^\[\]，。{}]{0,6}\{N\}")  # 《甲》《乙》等N部, 生态环境保护等N项: N is at least 2
_EVIDENCE = re.compile(r"\[([^\[\]]*)\]")


# --- numbers ------------------------------------------------------------------------------------------


def cn_number(n: int) -> str:
    """0 < n < 10000 in Chinese numerals: 12 → 十二, 23 → 二十三, 303 → 三百零三."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    out, zero = [], False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out.append("零")
            out.append(_CN_DIGITS[d] + name)
            zero = False
        elif out:
            zero = True
    return "".join(out)


def number_text(rng: random.Random, v: int, allow_cn: bool = True) -> tuple[str, float, str]:
    """How a report writes the count v: (text, value as stated, qualifier)."""
    r = rng.random()
    if v >= 10000 and r < 0.55:
        w = v // 1000 / 10  # 23456 → 2.3
        ws = f"{w:g}"
        kind = rng.random()
        if kind < 0.5:
            return f"{ws}万余", w * 10000, "approx_at_least"
        if kind < 0.65:
            up = math.ceil(v / 10000)
            return f"近{up}万", up * 10000.0, "approx"
        return f"{ws}万", w * 10000, "exact"
    if v >= 30 and r < 0.16:
        step = 100 if v >= 1000 else 10
        low = v // step * step
        if low and low != v:
            word = "余" if rng.random() < 0.7 else "多"
            return f"{low}{word}", float(low), "approx_at_least"
    if v >= 30 and r > 0.96:
        step = 100 if v >= 1000 else 10
        up = -(-v // step) * step
        if up != v:
            return f"近{up}", float(up), "approx"
    if allow_cn and (v <= 20 and r > 0.86 or v < 100 and r > 0.97):
        return cn_number(v), float(v), "exact"
    return str(v), float(v), "exact"


def percent_text(rng: random.Random, lo: int, hi: int) -> tuple[str, float, str]:
    v = rng.randint(lo, hi)
    if v >= 100 or rng.random() < 0.12:
        v = 100
        return ("百分之百" if rng.random() < 0.5 else "100%"), 100.0, "exact"
    if rng.random() < 0.25:
        d = rng.randint(1, 9)
        return f"{v - 1}.{d}%", float(f"{v - 1}.{d}"), "exact"
    if rng.random() < 0.2:
        return f"{v}%以上", float(v), "approx_at_least"
    return f"{v}%", float(v), "exact"


# --- data ---------------------------------------------------------------------------------------------


def _load(name: str) -> dict:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _entry(e) -> dict:
    return {"t": e} if isinstance(e, str) else dict(e)


def _fits(e: dict, level: str, year: int) -> bool:
    if "levels" in e and level not in e["levels"]:
        return False
    return e.get("from", 0) <= year <= e.get("to", 9999)


@functools.lru_cache(maxsize=1)
def templates() -> dict:
    """The three YAML files, entries normalised to dicts."""
    metrics = _load("metrics.yaml")
    filler = _load("filler.yaml")
    distractors = _load("distractors.yaml")
    for m in metrics["metrics"].values():
        for key in ("sentences", "first", "later"):
            m[key] = [_entry(e) for e in m.get(key, [])]
    for key in ("yearnotes", "guides"):
        filler[key] = [_entry(e) for e in filler[key]]
    filler["filler"] = {k: [_entry(e) for e in v] for k, v in filler["filler"].items()}
    distractors["past"] = {k: [_entry(e) for e in v] for k, v in distractors["past"].items()}
    distractors["plan"] = [_entry(e) for e in distractors["plan"]]
    return {"metrics": metrics["metrics"], "clusters": metrics["clusters"], "filler": filler,
            "distractors": distractors}  # fmt: skip


@functools.lru_cache(maxsize=1)
def jurisdictions() -> dict[str, list]:
    """Gazetteer divisions that have a people's congress standing committee, by level."""
    from etl.metadata.gazetteer import all_jurisdictions

    skip_provinces = {"台湾省", "香港特别行政区", "澳门特别行政区"}
    out: dict[str, list] = {"national": [], "provincial": [], "prefecture": [], "county": []}
    names: dict[str, int] = {}
    for j in all_jurisdictions():
        if j.province in skip_provinces or j.name in skip_provinces:
            continue
        if j.level == "prefecture" and j.name.endswith(("地区", "盟")):
            continue  # 地区 and 盟 have a 人大工委, not a standing committee
        out[j.level].append(j)
        names[j.name] = names.get(j.name, 0) + 1
    out["_ambiguous"] = [n for n, c in names.items() if c > 1]
    return out


# --- one report ---------------------------------------------------------------------------------------


def _lvl(j) -> tuple[str, str]:
    """(lvl character, committee word) for a jurisdiction: (市, 市人大常委会), (州, 州人大常委会)."""
    name = j.name
    if j.level == "national":
        return "国", "全国人大常委会"
    if j.level == "provincial":
        if name.endswith("自治区"):
            return "区", "自治区人大常委会"
        return ("市", "市人大常委会") if name.endswith("市") else ("省", "省人大常委会")
    if name.endswith("自治州"):
        return "州", "州人大常委会"
    if name.endswith("旗"):
        return "旗", "旗人大常委会"
    if name.endswith("县"):
        return "县", "县人大常委会"
    if name.endswith("市"):
        return "市", "市人大常委会"
    return "区", "区人大常委会"


def _law_prefix(j) -> str:
    """How a regulation's title names its maker: 河南省 / 郑州市 / 延边朝鲜族自治州."""
    return j.name if j is not None else ""


def _short(name: str) -> str:
    for suf in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省"):
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


_TERM_BASE = {
    "national": (2003, 10),
    "provincial": (2003, 10),
    "prefecture": (2002, None),
    "county": (2006, None),
}


def _term(j, delivered_year: int) -> tuple[int, int]:
    """(term ordinal, session number) of the congress session held in delivered_year."""
    start, ordinal = _TERM_BASE[j.level]
    if ordinal is None:  # local term ordinals differ from place to place: fixed per division
        h = int(hashlib.md5(j.code.encode()).hexdigest()[:6], 16)
        ordinal = (11 if j.level == "prefecture" else 13) + h % 4
    k = (delivered_year - start) // 5
    return ordinal + k, (delivered_year - start) % 5 + 1


@functools.cache
def _slots(seed: int) -> tuple[tuple[str, int, int], ...]:
    """Every (level, jurisdiction, year) a committee reports on, in a seeded random order.

    Report i takes slot i: like the real genre, one report per committee and year (until the slots run
    out: about 64,000), and the levels come in their real proportions (mostly counties).  Report i does
    not depend on how many reports are made, so a smaller corpus is the start of a larger one.
    """
    juris = jurisdictions()
    lo, hi = YEARS
    slots = [
        (level, k, year)
        for level in ("national", "provincial", "prefecture", "county")
        for k in range(len(juris[level]))
        for year in range(lo, hi + 1)
    ]
    random.Random(f"{seed}:slots").shuffle(slots)
    return tuple(slots)


def _slot(index: int, seed: int) -> tuple[str, int, int]:
    slots = _slots(seed)
    return slots[index % len(slots)]


class Report:
    """Builds one report's text blocks and gold rows from a random stream."""

    def __init__(self, index: int, seed: int):
        self.rng = rng = random.Random(f"{seed}:{index}")
        self.tpl = templates()
        juris = jurisdictions()
        level, k, year = _slot(index, seed)
        self.j = j = juris[level][k]
        self.level = level
        delivered_year = year + 1
        self.ordinal, self.session = _term(j, delivered_year)
        if self.session == 1 and rng.random() < 0.75:
            self.rtype = "term_review"
        elif rng.random() < 0.1:
            self.rtype = "news_summary"
        else:
            self.rtype = "annual_report"
        if self.session == 1:
            self.ordinal -= 1  # the outgoing committee reports to the first session of the new congress
        self.year = year
        self.p0 = year - 4 if self.rtype == "term_review" else year
        self.fmt = rng.choices([f for f, _ in FORMAT_WEIGHTS], weights=[w for _, w in FORMAT_WEIGHTS])[0]
        self.lvl, self.org = _lvl(j)
        self.province = next((p for p in juris["provincial"] if p.name == j.province), None)
        self.ambiguous = j.name in juris["_ambiguous"]
        self.facts: list[dict] = []
        self.present: set[str] = set()
        self.values: dict[str, float] = {}
        # words for the placeholders
        lvl = self.lvl
        if level == "national":
            self.words = {"lvl": "国", "area": "全国", "gov": "国务院", "upper": "党中央", "party": "党中央"}
        else:
            gov = {
                "省": "省政府",
                "区": "区政府",
                "市": "市政府",
                "州": "州政府",
                "县": "县政府",
                "旗": "旗政府",
            }[lvl]
            if j.name.endswith("自治区"):
                gov = "自治区人民政府"
            upper = "全国人大常委会" if level == "provincial" else "上级人大常委会"
            self.words = {"lvl": lvl, "area": "全" + lvl, "gov": gov, "upper": upper}
        self.words.update({"org": self.org, "Y": str(year), "Y1": str(year + 1), "Y0": str(self.p0 - 1 + 1),
                           "ord": cn_number(self.ordinal), "ordcn": cn_number(self.ordinal),
                           "place": _short(j.name), "full": j.name})  # fmt: skip
        sess_prev = max(1, self.session - 1)
        if level == "national":
            self.words["session"] = f"十{cn_number(self.ordinal)[-1]}届全国人大{cn_number(sess_prev)}次会议"
        else:
            self.words["session"] = f"{lvl}{cn_number(self.ordinal)}届人大{cn_number(sess_prev)}次会议"
        if self.rtype == "term_review":
            self.words["session"] = "本届人大历次会议"
        self.spans = (["五年来，", "本届以来，", "过去五年，", "五年间，"] if self.rtype == "term_review"
                      else ["一年来，", "过去一年，", "全年", f"{year}年，", ""])  # fmt: skip

    # -- text helpers --

    def fill(self, text: str) -> str:
        """Replace every placeholder except {N} {U} {P}."""
        rng, words = self.rng, self.words
        if "{" not in text:
            return text

        def rep(m: re.Match) -> str:
            key, a, b = m.group(1), m.group(2), m.group(3)
            if key in words:
                return words[key]
            if key == "topic":
                return rng.choice(self.tpl["filler"]["topics"])
            if key in ("law", "law2"):
                if self.level == "national":
                    return "中华人民共和国" + rng.choice(self.tpl["filler"]["national_laws"])
                owner = self.j if self.level != "county" else self.province
                return _law_prefix(owner) + rng.choice(self.tpl["filler"]["law_names"])
            if key == "lawname_nat":
                return rng.choice(self.tpl["filler"]["national_laws"])
            if key == "span":
                return rng.choice(self.spans)
            if key == "n":
                return str(rng.randint(int(a), int(b)))
            if key == "cn":
                return cn_number(rng.randint(int(a), int(b)))
            if key == "mon":
                return str(rng.randint(3, 12))
            if key == "day":
                return str(rng.randint(1, 28))
            if key == "yearnote":
                return self.pick_filler(self.tpl["filler"]["yearnotes"])
            if key == "guide":
                return self.pick_filler(self.tpl["filler"]["guides"])
            if key in ("N", "U", "P"):
                return m.group(0)
            raise KeyError(f"unknown placeholder {{{key}}} in {text!r}")

        return _PLACEHOLDER.sub(rep, text)

    def pick_filler(self, entries: list[dict]) -> str:
        ok = [e for e in entries if _fits(e, self.level, self.year)]
        return self.fill(self.rng.choice(ok)["t"])

    def compose(self) -> str:
        c = self.tpl["filler"]["compose"]
        rng = self.rng
        return self.fill(
            f"{rng.choice(c['principle'])}，{rng.choice(c['action'])}，{rng.choice(c['effect'])}。"
        )

    # -- metrics --

    def draw_value(self, code: str) -> int | None:
        m = self.tpl["metrics"][code]
        if "requires" in m:
            base = self.values.get(m["requires"])
            if base is None:
                return None
            lo, hi = m["share"]
            return max(1, int(base * self.rng.uniform(lo, hi)))
        lo, hi = m["ranges"][self.level]
        v = self.rng.randint(lo, hi)
        if self.rtype == "term_review":
            v = int(v * m.get("term", 1.0) * self.rng.uniform(0.85, 1.15))
        return max(v, 1)

    def metric_text(self, code: str, template: str, whole: bool) -> str:
        """Render a metric template; record the gold row; return the text without [ ]."""
        m = self.tpl["metrics"][code]
        rng = self.rng
        text = self.fill(template)
        if "{P}" in text:
            lo, hi = m["pct"]
            num, value, qual = percent_text(rng, lo, hi)
            unit = "%"
            text = text.replace("{P}", num)
        else:
            v = self.values[code]
            num, value, qual = number_text(rng, int(v), allow_cn="{U}" in text or v < 100)
            if "{U}" in text:
                unit = rng.choice(m["units"])
                text = text.replace("{N}{U}", num + unit)
            else:
                after = text.split("{N}", 1)[1]
                unit = (
                    "件次"
                    if after.startswith("件（次）")
                    else next((u for u in UNITS if after.startswith(u)), m["units"][0])
                )
            text = text.replace("{N}", num)
        if whole:
            evidence = text
        else:
            ev = _EVIDENCE.search(text)
            evidence = ev.group(1)
            text = text[: ev.start()] + evidence + text[ev.end() :]
        self.facts.append({"metric": code, "value": f"{value:g}", "alt_values": "", "unit": unit,
                           "qualifier": qual, "period_start": self.p0, "period_end": self.year, "optional": 0,
                           "evidence": evidence})  # fmt: skip
        return text

    def choose_metrics(self) -> None:
        rng = self.rng
        for code in CORE_CODES:
            m = self.tpl["metrics"][code]
            if "ranges" in m and self.level not in m["ranges"]:
                continue
            if self.year < m.get("since", {}).get(self.level, 0):
                continue
            if rng.random() >= m["prob"]:
                continue
            if "pct" in m:
                self.present.add(code)
                continue
            v = self.draw_value(code)
            if v is None:
                continue
            self.present.add(code)
            self.values[code] = v

    def _forms(self, code: str, key: str) -> list[dict]:
        return [f for f in self.tpl["metrics"][code][key] if _fits(f, self.level, self.year)]

    def metric_sentences(self) -> dict[str, list[str]]:
        """Sentences stating the chosen metrics, by section (clusters first)."""
        rng = self.rng
        out: dict[str, list[str]] = {s: [] for s in SECTION_ORDER}
        done: set[str] = set()
        for cl in self.tpl["clusters"]:
            members = [c for c in cl["metrics"] if c in self.present and c not in done]
            if cl.get("needs_first") and cl["needs_first"] not in members:
                continue
            if len(members) < 2 or rng.random() < 0.35:
                continue
            # the first clause needs a verb: the first member (in the listed order) that has a `first` form
            lead_code = next((c for c in members if self._forms(c, "first")), None)
            if lead_code is None:
                continue
            members.remove(lead_code)
            if len(members) > 2 and rng.random() < 0.3:
                i = rng.randrange(len(members) - 1)
                members[i], members[i + 1] = members[i + 1], members[i]
            members.insert(0, lead_code)
            sep = rng.choice(cl["seps"])
            parts = []
            for i, code in enumerate(members):
                if i == 1 and cl.get("second_verb") and self._forms(code, "first"):
                    parts.append(
                        "，" + self.metric_text(code, rng.choice(self._forms(code, "first"))["t"], whole=True)
                    )
                    done.add(code)
                    continue
                if i and cl.get("all_first") and self._forms(code, "first"):
                    parts.append(
                        sep + self.metric_text(code, rng.choice(self._forms(code, "first"))["t"], whole=True)
                    )
                    done.add(code)
                    continue
                forms = (
                    self._forms(code, "first")
                    if i == 0
                    else (self._forms(code, "later") or self._forms(code, "first"))
                )
                if not forms:
                    break
                parts.append((sep if i else "") + self.metric_text(code, rng.choice(forms)["t"], whole=True))
                done.add(code)
            lead = self.fill(rng.choice(cl["leads"]))
            tail = self.fill(rng.choice(cl["tails"]))
            section = SECTION_OF_METRIC[members[0].split(".")[0]]
            out[section].append(lead + "".join(parts) + tail)
        for code in CORE_CODES:
            if code not in self.present or code in done:
                continue
            m = self.tpl["metrics"][code]
            forms = [f for f in m["sentences"] if _fits(f, self.level, self.year)]
            v = self.values.get(code)
            if v is not None:  # 《甲》《乙》等N部 needs N > the titles listed
                forms = [
                    f for f in forms if not _ETC.search(f["t"]) or v >= max(2, f["t"].count("》") + 1)
                ] or forms
            if not forms:
                continue
            sent = self.metric_text(code, rng.choice(forms)["t"], whole=False)
            section = SECTION_OF_METRIC[code.split(".")[0]]
            if code in ("deputies.suggestions_resolved", "deputies.suggestion_satisfaction") and out[section]:
                out[section][-1] += sent  # follows the suggestions sentence
            else:
                out[section].append(sent)
            done.add(code)
        return out

    def distractors(self, section: str, k: int) -> list[str]:
        pool = self.tpl["distractors"]["past"].get(section, [])
        ok = [e for e in pool if _fits(e, self.level, self.year)
              and (not e.get("requires") or e["requires"] in self.present)
              and not any(a in self.present for a in e.get("absent", []))]  # fmt: skip
        if not ok:
            return []
        return [self.fill(e["t"]) for e in self.rng.sample(ok, min(k, len(ok)))]

    # -- assembly --

    def paragraphs(self, section: str, facts: list[str], budget: int) -> list[str]:
        """Paragraphs of a section: filler sentences with the metric and distractor sentences mixed in."""
        rng = self.rng
        pool = [e for e in self.tpl["filler"]["filler"][section] if _fits(e, self.level, self.year)]
        rng.shuffle(pool)
        extra = self.distractors(section, rng.randint(0, 2) if section not in ("liaison", "deputies") else 2)
        if section == "liaison":
            extra += self.distractors("petitions", 1)
        if section == "politics":
            extra += self.distractors("meetings", rng.randint(0, 1))
        items = facts + extra
        rng.shuffle(items)
        paras: list[str] = []
        used = 0
        fi = 0
        while used < budget or items:
            sents = []
            lead_words = ""
            if rng.random() < 0.45:
                lead_words = self.fill(rng.choice(self.tpl["filler"]["compose"]["principle"])) + "。"
            for _ in range(rng.randint(2, 5)):
                if items and rng.random() < 0.5:
                    sents.append(items.pop())
                elif fi < len(pool) and rng.random() < 0.6:
                    sents.append(self.fill(pool[fi]["t"]))
                    fi += 1
                else:
                    sents.append(self.compose())
            p = lead_words + "".join(s if s.endswith(("。", "！")) else s + "。" for s in sents)
            paras.append(p)
            used += len(p)
            if len(paras) > 40:
                break
        return paras

    def build(self) -> tuple[list[tuple[str, str]], dict]:
        """Blocks (kind, text) of the report: kind is title, meta, heading or p."""
        rng, j, w = self.rng, self.j, self.words
        self.choose_metrics()
        by_section = self.metric_sentences()
        target = int(MEAN_CHARS * rng.lognormvariate(0, 0.35) / math.exp(0.35**2 / 2))
        if self.rtype == "news_summary":
            target = int(target * 0.6)
        blocks: list[tuple[str, str]] = []
        month = 3 if self.level == "national" else rng.choice((1, 1, 1, 2, 2, 3))
        day = rng.randint(5, 12) if self.level == "national" else rng.randint(3, 28)
        delivered_year = self.year + 1
        delivered = f"{delivered_year}-{month:02d}-{day:02d}"
        full_title_name = j.name
        if self.level == "county" and (self.ambiguous or rng.random() < 0.25) and j.parent:
            full_title_name = j.parent + j.name
        name_speaker = rng.choice(self.tpl["filler"]["surnames"]) + rng.choice(
            self.tpl["filler"]["given_names"]
        )
        if self.level == "national":
            title = "全国人民代表大会常务委员会工作报告"
            session_name = (
                f"第{cn_number(self.ordinal + (1 if self.session == 1 else 0))}届全国人民代表大会"
                f"第{cn_number(self.session)}次会议"
            )
            speaker = f"全国人民代表大会常务委员会委员长 {name_speaker}"
        else:
            title = f"{full_title_name}人民代表大会常务委员会工作报告"
            new_ord = self.ordinal + (1 if self.session == 1 else 0)
            session_name = (
                f"{full_title_name}第{cn_number(new_ord)}届人民代表大会第{cn_number(self.session)}次会议"
            )
            speaker = f"{j.name}人大常委会主任 {name_speaker}"
        if self.rtype == "news_summary":
            delivered = ""
            owner = j.parent if self.level == "county" and j.parent else j.name
            paper = _short(owner) + rng.choice(self.tpl["filler"]["newspapers_suffix"])
            headline = rng.choice(["守正创新担使命 依法履职谱新篇", "凝心聚力开新局 履职尽责显担当",
                                   "践行全过程人民民主 彰显人大担当作为",
                                   "依法履职促发展 为民尽责谱新篇"])  # fmt: skip
            blocks.append(("title", headline))
            blocks.append(("title", f"——{self.year}年{full_title_name}人大常委会工作综述"))
            blocks.append(
                (
                    "meta",
                    f"{delivered_year}-01-{rng.randint(10, 31):02d} 08:{rng.randint(10, 59)} 来源：{paper}",
                )
            )
            reporter = rng.choice(self.tpl["filler"]["surnames"]) + rng.choice(
                self.tpl["filler"]["given_names"]
            )
            blocks.append(("meta", f"本报记者 {reporter}"))
        else:
            if rng.random() < 0.3:
                blocks.append(
                    (
                        "meta",
                        f"{delivered_year}-{month:02d}-{min(day + rng.randint(1, 6), 28):02d} "
                        f"08:{rng.randint(10, 59)}:{rng.randint(10, 59)} 来源：{_short(j.name)}日报",
                    )
                )
            blocks.append(("title", title))
            blocks.append(("meta", f"——{delivered_year}年{month}月{day}日在{session_name}上"))
            blocks.append(("meta", speaker))
            blocks.append(("p", "各位代表："))
            if self.level == "national":
                blocks.append(("p", "我受全国人民代表大会常务委员会委托，向大会报告工作，请予审议。"))
            else:
                blocks.append(
                    (
                        "p",
                        f"受{j.name}第{cn_number(self.ordinal)}届人民代表大会常务委员会的委托，我向大会报告工作，请予审议。",
                    )
                )
        term = self.rtype == "term_review"
        f = self.tpl["filler"]
        if self.rtype != "news_summary":
            heads = f["past_headings_term"] if term else f["past_headings_annual"]
            blocks.append(("heading", self.fill(rng.choice(heads))))
        opening = rng.choice(f["openings_term"] if term else f["openings_annual"])
        blocks.append(("p", self.fill(opening)))
        total_w = sum(SECTION_WEIGHT.values())
        plan_share = 0.0 if self.rtype == "news_summary" else 0.16
        body = target * (1 - plan_share) - len(opening)
        numerals = "一二三四五六七八九"
        si = 0
        for section in SECTION_ORDER:
            facts = by_section[section]
            if section == "legislation" and not facts and (self.level == "county" or rng.random() < 0.5):
                continue  # committees without legislative power often skip the section
            budget = int(body * SECTION_WEIGHT[section] / total_w)
            head = self.fill(rng.choice(f["section_titles"][section if section != "liaison" else "deputies"]))
            if section == "liaison":
                head = self.fill(rng.choice(["密切联系人民群众，践行全过程人民民主",
                                             "畅通民意表达渠道，用心用情服务群众",
                                             "深化代表联络站建设，打通联系群众“最后一公里”"]))  # fmt: skip
            if self.rtype == "news_summary":
                blocks.append(("heading", head.replace("，", " ")))
            else:
                blocks.append(("heading", f"{numerals[si]}、{head}"))
            si += 1
            for p in self.paragraphs(section, facts, budget):
                blocks.append(("p", p))
        if self.rtype == "news_summary":
            blocks.append(("p", f"新的一年，{self.org}将"
                           + self.fill(rng.choice(f["filler"]["plan"])["t"])[:-1]
                           + "，为全" + w["lvl"] + "高质量发展贡献人大力量。"))  # fmt: skip
        else:
            blocks.append(("p", self.fill(rng.choice(f["filler"]["closing"][:2])["t"])))
            heads = f["plan_headings_term"] if term else f["plan_headings_annual"]
            blocks.append(("heading", self.fill(rng.choice(heads))))
            plan_pool = [e for e in self.tpl["distractors"]["plan"] if _fits(e, self.level, self.year)]
            plan_items = [
                self.fill(e["t"]) for e in rng.sample(plan_pool, min(len(plan_pool), rng.randint(2, 4)))
            ]
            fill_pool = [e["t"] for e in f["filler"]["plan"]]
            rng.shuffle(fill_pool)
            used = 0
            while used < target * plan_share or plan_items:
                sents = [self.fill(fill_pool.pop()) if fill_pool and rng.random() < 0.5 else self.compose()
                         for _ in range(rng.randint(1, 3))]  # fmt: skip
                if plan_items:
                    sents.insert(rng.randint(0, len(sents)), plan_items.pop())
                p = "".join(sents)
                blocks.append(("p", p))
                used += len(p)
            blocks.append(("p", self.fill(rng.choice(f["filler"]["closing"][2:])["t"])))
        doc = {"jurisdiction": j.name, "level": self.level, "parent": j.parent or "",
               "province": j.province or "", "period_start": self.p0, "period_end": self.year,
               "report_type": self.rtype, "delivered": delivered, "title": title}  # fmt: skip
        return blocks, doc


# --- rendering ----------------------------------------------------------------------------------------

_NAV = ("首页", "人大概况", "新闻动态", "立法工作", "监督工作", "代表工作", "常委会公报", "信息公开")


def render_txt(blocks: list[tuple[str, str]], rng: random.Random) -> str:
    sep = "\n\n" if rng.random() < 0.6 else "\n"
    indent = "　　" if rng.random() < 0.3 else ""
    return sep.join((indent + t) if k == "p" else t for k, t in blocks) + "\n"


def render_html(blocks: list[tuple[str, str]], doc: dict, rng: random.Random, site: str) -> str:
    title = next(t for k, t in blocks if k == "title")
    page_id = rng.randint(100000, 999999)
    head = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}_{site}</title>\n"
            '<link rel="stylesheet" href="/static/css/main.css">\n'
            "<style>.content p{text-indent:2em;line-height:2;font-size:16px}"
            ".nav li{display:inline-block}</style>\n"
            f'<script>var _hmt=_hmt||[];var pageId="{page_id}";'
            '(function(){var hm=document.createElement("script");'
            'hm.src="https://hm.baidu.com/hm.js?0f1a2b3c";var s=document.getElementsByTagName("script")[0];'
            "s.parentNode.insertBefore(hm,s);})();</script>\n</head>\n<body>\n")  # fmt: skip
    nav = ('<div class="header"><div class="logo">' + site + '</div><ul class="nav">'
           + "".join(f'<li><a href="/{i}/">{n}</a></li>' for i, n in enumerate(_NAV))
           + '</ul></div>\n<div class="location">当前位置：<a href="/">首页</a> &gt; '
           '<a href="/6/">常委会公报</a></div>\n')  # fmt: skip
    parts = ['<div class="main">\n<div class="article">\n']
    for k, t in blocks:
        if k == "title":
            parts.append(f"<h1>{t}</h1>\n" if "<h1>" not in "".join(parts) else f"<h2>{t}</h2>\n")
        elif k == "meta":
            parts.append(f'<div class="info">{t}</div>\n')
        elif k == "heading":
            parts.append(f"<p><strong>{t}</strong></p>\n")
        else:
            parts.append(f"<p>{t}</p>\n")
    parts.append("</div>\n</div>\n")
    foot = ('<div class="share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a> '
            '<a href="javascript:window.print()">【打印】</a> '
            '<a href="javascript:window.close()">【关闭】</a></div>\n'
            f'<div class="footer"><p>版权所有：{site}办公室　主办单位：{site}</p>'
            f"<p>ICP备{rng.randint(10000000, 99999999)}号-1　技术支持：信息中心</p></div>\n"
            '<script src="/static/js/jquery.min.js"></script>\n'
            '<script>$(function(){$(".nav li").hover(function(){'
            '$(this).addClass("on")},function(){$(this).removeClass("on")});});</script>\n'
            '</body>\n</html>\n')  # fmt: skip
    return head + nav + "".join(parts) + foot


def make_report(index: int, seed: int) -> tuple[str, bytes, dict, list[dict]]:
    """(file name, file bytes, gold doc row, gold fact rows) of report number `index`."""
    rep = Report(index, seed)
    blocks, doc = rep.build()
    rng = rep.rng
    tag = hashlib.sha1(f"{seed}:{index}".encode()).hexdigest()[:12]
    if rep.fmt == "html":
        site = "全国人大网" if rep.level == "national" else f"{rep.j.name}人大常委会"
        data = render_html(blocks, doc, rng, site).encode("utf-8")
        name = f"{index:06d}_{tag}.html"
    else:
        text = render_txt(blocks, rng)
        data = text.encode("gb18030") if rep.fmt == "gb18030" else text.encode("utf-8")
        name = f"{index:06d}_{tag}.txt"
    doc_row = {k: doc[k] for k in DOC_FIELDS if k != "report_file"}
    doc_row["report_file"] = name
    facts = [{"report_file": name, **f} for f in rep.facts]
    return name, data, doc_row, facts


# --- the corpus ---------------------------------------------------------------------------------------


def _work(args: tuple[int, int, int, str]) -> tuple[list[dict], list[dict], int, dict]:
    start, stop, seed, docs_dir = args
    docs, facts, nbytes = [], [], 0
    formats: dict[str, int] = {}
    for i in range(start, stop):
        name, data, doc, rows = make_report(i, seed)
        with open(os.path.join(docs_dir, name), "wb") as fh:
            fh.write(data)
        nbytes += len(data)
        docs.append(doc)
        facts.extend(rows)
        key = "gb18030" if name.endswith(".txt") and not _is_utf8(data) else name.rsplit(".", 1)[1]
        formats[key] = formats.get(key, 0) + 1
    return docs, facts, nbytes, formats


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def generate(n_reports: int, out_dir: Path, seed: int = 0, workers: int | None = None) -> dict:
    """Write n_reports reports to out_dir/docs and the gold CSVs beside them; return counts and bytes."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    docs_dir = out_dir / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    templates()
    jurisdictions()  # loaded before forking, shared by the workers
    workers = workers or min(os.cpu_count() or 1, 8)
    chunk = max(1, min(200, -(-n_reports // (workers * 4))))
    tasks = [(s, min(s + chunk, n_reports), seed, str(docs_dir)) for s in range(0, n_reports, chunk)]
    if workers > 1 and len(tasks) > 1:
        # the gazetteer and templates stay shared with the forked workers (no copy-on-write by gc)
        gc.freeze()
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with ctx.Pool(workers) as pool:
            results = pool.map(_work, tasks, chunksize=1)
    else:
        results = [_work(t) for t in tasks]
    all_docs, all_facts, nbytes, formats = [], [], 0, {}
    for d, f, b, fm in results:
        all_docs.extend(d)
        all_facts.extend(f)
        nbytes += b
        for k, v in fm.items():
            formats[k] = formats.get(k, 0) + v
    with (out_dir / "gold_docs.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=DOC_FIELDS)
        w.writeheader()
        w.writerows(all_docs)
    with (out_dir / "gold_facts.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FACT_FIELDS)
        w.writeheader()
        w.writerows(all_facts)
    types: dict[str, int] = {}
    levels: dict[str, int] = {}
    for d in all_docs:
        types[d["report_type"]] = types.get(d["report_type"], 0) + 1
        levels[d["level"]] = levels.get(d["level"], 0) + 1
    return {"reports": len(all_docs), "facts": len(all_facts), "bytes": nbytes, "formats": formats,
            "report_types": types, "levels": levels, "seconds": time.perf_counter() - started,
            "out_dir": str(out_dir)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.synth", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--reports", type=int, required=True, help="number of reports")
    ap.add_argument(
        "--out", type=Path, required=True, help="output folder (docs/, gold_docs.csv, gold_facts.csv)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    args = ap.parse_args(argv)
    s = generate(args.reports, args.out, seed=args.seed, workers=args.workers)
    mb = s["bytes"] / 1e6
    print(f"{s['reports']} reports, {s['facts']} gold facts, {mb:.1f} MB in {s['seconds']:.1f} s "
          f"({s['reports'] / max(s['seconds'], 1e-9):.0f} reports/s, "
          f"{mb / max(s['seconds'], 1e-9):.1f} MB/s) "
          f"→ {args.out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    from tools import synth as _synth  # the importable module, so workers pickle its functions by name

    sys.exit(_synth.main())
