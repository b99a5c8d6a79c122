"""The metric catalog (catalog.yaml): loading, validation and compiling its pattern language.

The catalog is the one source of the metric codes, their kinds (the spec's 24 core codes are the
entries of kind ``core``), categories and labels.  Its shape is checked by its schema
(etl/data/schemas/catalog.schema.json, through etl.vocab); what a schema cannot say is checked here:
codes are unique, each names a known category, every regex compiles and reads a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

# The regex parser of the standard library (re._parser since 3.11; the public sre_parse is deprecated).
# typeshed leaves out these private modules, though they exist at runtime.
from re import _constants as _sre_constants  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]

import ahocorasick

from etl import vocab
from etl.errors import CatalogError
from etl.extract.frames import frame_templates
from etl.read.numbers import NUM, PCT, POST_WORDS

CATALOG_PATH = Path(__file__).parent.parent / "data" / "catalog.yaml"

# The kinds and measures a metric may have, and a pattern's condition keys, are listed in the schema.
# What a count is: a flow over its period (laws enacted), a stock at its end (liaison stations), or a
# rate (%).
# A stock or a rate is never summed over a term; a rate is never averaged across reports.
DEFAULT_PRIORITY = {"blocker": 30, "composite": 20, "sub": 20, "core": 10, "extended": 10}
_PATTERN_SETTINGS = ("regex", "units", "priority")  # a pattern's other keys are conditions (see the schema)

GAP = r"[^,，。;；:：!?！？\n\d]{0,12}?"
GAP_LONG = r"[^。;；!?！？\n\d]{0,30}?"


@dataclass(frozen=True)
class Pattern:
    metric: str
    pid: str  # code#index, kept on each fact to show which rule produced it
    regex: re.Pattern
    priority: int
    conditions: dict[str, re.Pattern]
    percent: bool
    # Words every match contains at least one of (derived from the regex): a sentence with none of
    # them is skipped without running the regex.  None when the regex guarantees no such word.
    needles: tuple[str, ...] | None = None
    rank: int = 0  # the pattern's place among its metric's (the catalog lists the most direct first)
    # Frames only (compiled from a metric's lexicon): 'verb' when the match states no verb and takes the
    # verb of the counted list it continues (召开主任会议12次、常委会会议8次), 'noun' when it takes that
    # list's counted noun (制定地方性法规2部、修改通过4部); `heads` are the words to look for.
    inherit: str | None = None
    heads: tuple[str, ...] = ()
    frame: bool = False
    nouns: tuple[str, ...] = ()  # frames: the counted nouns (parallel parts share one)
    # Frames: a second set of words one of which the sentence must also hold (a frame's verbs and its
    # nouns both), checked after the needle scan so most frames never run their regex.
    also: tuple[str, ...] | None = None

    def may_match(self, sentence: str) -> bool:
        return self.needles is None or any(n in sentence for n in self.needles)


@dataclass(frozen=True)
class Metric:
    code: str
    category: str
    kind: str
    label_zh: str
    label_en: str
    units: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    measure: str = "flow"
    label_zh_national: str | None = None  # 全国's word where it differs (制定法律 for 制定地方性法规)
    frames: tuple[dict, ...] = ()
    examples: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def unit(self) -> str:
        return "/".join(self.units)


@dataclass(frozen=True)
class Catalog:
    metrics: dict[str, Metric]
    categories: dict[str, dict]

    @cached_property
    def patterns(self) -> list[Pattern]:
        return [p for m in self.metrics.values() for p in m.patterns]

    @cached_property
    def _needle_index(self) -> tuple[ahocorasick.Automaton, frozenset[int]]:
        """An Aho-Corasick automaton over every pattern's needles → the patterns each needle admits."""
        auto = ahocorasick.Automaton()
        owners: dict[str, set[int]] = {}
        for i, p in enumerate(self.patterns):
            for n in p.needles or ():
                owners.setdefault(n, set()).add(i)
        for n, idx in owners.items():
            auto.add_word(n, frozenset(idx))
        auto.make_automaton()
        unfiltered = frozenset(i for i, p in enumerate(self.patterns) if p.needles is None)
        return auto, unfiltered

    def patterns_for(self, sentence: str) -> list[Pattern]:
        """The patterns that can match in ``sentence`` (in catalog order): one scan for all needles."""
        auto, wanted = self._needle_index
        found = set(wanted)
        for _, idx in auto.iter(sentence):
            found.update(idx)
        patterns = self.patterns
        out = []
        for i in sorted(found):
            p = patterns[i]
            if p.also is None or any(w in sentence for w in p.also):
                out.append(p)
        return out

    @property
    def core_codes(self) -> tuple[str, ...]:
        """The spec's core codes: the entries of kind ``core``, in catalog order."""
        return tuple(code for code, m in self.metrics.items() if m.kind == "core")

    def fact_metrics(self) -> list[Metric]:
        """Metrics that become facts (everything but blockers)."""
        return [m for m in self.metrics.values() if m.kind != "blocker"]


def required_words(regex: re.Pattern) -> tuple[str, ...] | None:
    """Literal strings one of which every match of ``regex`` must contain (None if none can be proven).

    Read off the parsed regex: runs of literal characters in the top-level sequence, alternatives of a
    branch (each alternative must yield words), groups and repeats of at least one.  Of the candidates
    the most selective (longest shortest word) is kept.
    """
    c, parser = _sre_constants, _sre_parser  # short names for the regex parser's opcodes and entry point

    def seq(items) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None
        run: list[str] = []

        def consider(words: tuple[str, ...] | None) -> None:
            nonlocal best
            if words and all(words) and (best is None or min(map(len, words)) > min(map(len, best))):
                best = words

        for op, av in items:
            if op is c.LITERAL:
                run.append(chr(av))
                continue
            if run:
                consider(("".join(run),))
                run = []
            if op is c.SUBPATTERN:
                consider(seq(av[-1]))
            elif op is c.BRANCH:
                alts = [seq(branch) for branch in av[1]]
                found = [alt for alt in alts if alt]
                if len(found) == len(alts):  # every branch has a literal
                    consider(tuple(dict.fromkeys(w for alt in found for w in alt)))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
                consider(seq(av[2]))
        if run:
            consider(("".join(run),))
        return best

    try:
        return seq(parser.parse(regex.pattern, regex.flags))
    except Exception:  # an unexpected construct: no filter, the regex itself still decides
        return None


def _unit_group(units: list[str]) -> str:
    # 人(次) is written for 人次: both spellings, the unit read back without the brackets.
    spelled = list(units) + [f"{u[0]}({u[1]})" for u in units if len(u) == 2 and u.endswith("次")]
    alts = "|".join(re.escape(u) for u in sorted(spelled, key=len, reverse=True))
    return f"(?P<unit>{alts})(?P<post>{POST_WORDS})?"


def compile_pattern(source: str, units: list[str]) -> tuple[re.Pattern, bool]:
    """Expand the placeholders of a catalog pattern and compile it."""
    percent = "{P}" in source
    expanded = (
        source.replace("{N}", f"(?P<num>{NUM})")
        .replace("{P}", f"(?P<num>{PCT})(?P<post>{POST_WORDS})?")
        .replace("{U}", _unit_group(units))
        .replace("{GL}", GAP_LONG)
        .replace("{G}", GAP)
    )
    try:
        return re.compile(expanded), percent
    except re.error as exc:
        raise CatalogError(f"pattern {source!r} does not compile: {exc}") from exc


def _also(template: dict, frame: dict, needles: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The frame's other word set: the sentence must hold a verb and a noun (or the list's head word)."""
    verbs, nouns = (
        tuple(frame.get("verbs") or ()),
        tuple(frame["nouns"]) + tuple(frame.get("list_nouns") or ()),
    )
    if template["inherit"]:
        return template["heads"] or None
    for words in (verbs, nouns):
        if words and needles is not None and not set(needles) & set(words):
            return words
    return None


def compile_frames(code: str, frames, units: list[str], priority: int) -> list[Pattern]:
    """A metric's frames (its lexicon) compiled into one pattern per word order (etl/frames.py)."""
    out: list[Pattern] = []
    for i, frame in enumerate(frames):
        try:
            templates = frame_templates(frame)
        except ValueError as exc:
            raise CatalogError(f"{code} frame {i}: {exc}") from exc
        for t in templates:
            regex, percent = compile_pattern(t["regex"], frame.get("units", units))
            conds = {k: re.compile(v) for k, v in t["conditions"].items()}
            out.append(Pattern(
                code, f"{code}@{i}{t['order']}", regex, int(frame.get("priority", priority)), conds, percent,
                required_words(regex), rank=len(out), inherit=t["inherit"], heads=t["heads"], frame=True,
                nouns=tuple(sorted(set(frame["nouns"]) | set(frame.get("list_nouns") or ()),
                                   key=len, reverse=True)),
                also=_also(t, frame, required_words(regex)),
            ))  # fmt: skip
    return out


def _parse(data: dict) -> Catalog:
    """Compile catalog data that fits the schema (read_catalog checks it) into metrics and patterns."""
    categories = data["categories"]
    metrics: dict[str, Metric] = {}
    for entry in data["metrics"]:
        code = entry["code"]
        if code in metrics:
            raise CatalogError(f"duplicate catalog code {code!r}: give each metric its own code")
        if entry["category"] not in categories:
            raise CatalogError(
                f"{code}: unknown category {entry['category']!r}; use one of {', '.join(categories)}"
            )
        units = list(entry["units"])
        prio_default = entry.get("priority", DEFAULT_PRIORITY[entry["kind"]])
        patterns = compile_frames(code, entry.get("frames") or (), units, int(prio_default))
        for i, p in enumerate(entry.get("patterns") or ()):
            spec = {"regex": p} if isinstance(p, str) else dict(p)
            regex, percent = compile_pattern(spec["regex"], spec.get("units", units))
            if "num" not in regex.groupindex:
                raise CatalogError(f"{code} pattern {i}: no {{N}} or {{P}} placeholder")
            conds = {k: re.compile(v) for k, v in spec.items() if k not in _PATTERN_SETTINGS}
            prio = spec.get("priority", entry.get("priority", DEFAULT_PRIORITY[entry["kind"]]))
            pattern = Pattern(code, f"{code}#{i}", regex, int(prio), conds, percent, required_words(regex),
                              rank=len(patterns))  # fmt: skip
            patterns.append(pattern)
        metrics[code] = Metric(
            code=code,
            category=entry["category"],
            kind=entry["kind"],
            measure=entry["measure"],
            label_zh=entry["label_zh"],
            label_en=entry["label_en"],
            label_zh_national=entry.get("label_zh_national"),
            units=tuple(units),
            patterns=tuple(patterns),
            examples=tuple(entry.get("examples") or ()),
            frames=tuple(entry.get("frames") or ()),
        )
    return Catalog(metrics=metrics, categories=categories)


@lru_cache(maxsize=4)
def read_catalog(path: str | Path = CATALOG_PATH) -> dict:
    """The catalog file as checked data, nothing compiled (for its codes and labels); do not modify it."""
    return vocab.load(path, "catalog", error=CatalogError)


@lru_cache(maxsize=4)
def load_catalog(path: str | Path = CATALOG_PATH) -> Catalog:
    """Read, check and compile the catalog; raises CatalogError naming the file, the entry and the fix."""
    return _parse(read_catalog(path))


def __getattr__(name: str) -> tuple[str, ...]:
    # CORE_CODES: the catalog's core codes, read on first use (importing the module reads no file)
    if name == "CORE_CODES":
        data = read_catalog()
        return tuple(m["code"] for m in data["metrics"] if m["kind"] == "core")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
