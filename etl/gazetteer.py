"""China's administrative divisions (from cpca's adcodes.csv) as Jurisdiction records, with name lookup.

The national division code has 12 digits: PP CC XX 000000 (province, prefecture,
county). The level of a division is read from that structure, and its parent
is the division whose code keeps the leading digits:

* ``000000000000`` 全国 → ``national`` (added here; cpca has no row for it)
* ``PP0000000000`` → ``provincial`` (省, 自治区, 直辖市, 特别行政区); parent 全国
* ``PPCC00000000`` → ``prefecture`` (地级市, 自治州, 地区, 盟); parent the province
* ``PPCCXX000000`` → ``county`` (县, 自治县, 县级市, 市辖区, 旗, 林区 …); parent the
  prefecture, or the province where the middle level is only a grouping row
  (直辖市的市辖区/县, 省直辖县级行政区划: 东城区 → 北京市, 济源市 → 河南省).

Names are matched in three forms: the full official name (郑州市), an alias from
``data/jurisdiction_aliases.yaml`` (全国), and short forms derived from the name by
dropping its administrative suffix and the ethnic names before it (郑州, 新郑, 中牟,
延边 / 延边州, 广西). Districts (…区) get no short form: 中原, 朝阳, 鼓楼 are common
words and are ambiguous anyway.

cpca's list is a snapshot (it still has 宁乡县, a 县级市 since 2017, and 莱芜市);
divisions renamed or created later are not here. metadata.py copes with names that
differ only by suffix; anything else can go into the alias file.

find_in() reads a text once: an Aho-Corasick automaton over every searchable form
(pyahocorasick, installed with cpca; an index by first character without it) lists
where names start, and the longest qualifying name is taken left to right, exactly as a
position-by-position scan would.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from etl.errors import EtlError

NATIONAL_CODE = "000000000000"
NATIONAL_NAME = "全国"
LEVELS = ("national", "provincial", "prefecture", "county")
ALIASES_FILE = Path(__file__).parent / "data" / "jurisdiction_aliases.yaml"

# cpca rows that group divisions without being one themselves.
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Administrative suffixes, longest first; each maps to the extra short form it allows
# (延边朝鲜族自治州 → 延边 and 延边州).
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("特别行政区", ""),
    ("自治区", ""),
    ("自治州", "州"),
    ("自治县", "县"),
    ("自治旗", "旗"),
    ("地区", ""),
    ("林区", ""),
    ("特区", ""),
    ("省", ""),
    ("市", ""),
    ("县", ""),
    ("盟", ""),
    ("旗", ""),
)
_LEVEL_RANK = {"national": 0, "provincial": 1, "prefecture": 2, "county": 3}


class GazetteerDataError(EtlError):
    """The division list or the alias file cannot be used."""


@dataclass(frozen=True)
class Jurisdiction:
    """One administrative division: the row of the ``jurisdictions`` table."""

    name: str  # full official name in simplified characters: 郑州市, 中原区, 全国
    level: str  # national | provincial | prefecture | county
    parent: str | None  # full name of the division above (None for 全国)
    province: str | None  # the provincial-level division it belongs to (itself for a province)
    code: str  # 12-digit national division code


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in a text, with every division that name can mean."""

    surface: str  # the characters as they appear: 郑州, 郑州市, 鼓楼区
    start: int
    end: int
    candidates: tuple[Jurisdiction, ...]
    kind: str  # full | alias | short


@dataclass(frozen=True)
class _Form:
    jurisdiction: Jurisdiction
    kind: str  # full | alias | short | abbreviation
    searchable: bool = True  # False: lookup() accepts it, find_in() does not look for it


class _Gazetteer:
    """All divisions and every surface form that names them; built once (see _gazetteer())."""

    def __init__(self, rows: Iterable[tuple[str, str]], aliases: dict, ethnic_names: Iterable[str]):
        self.by_code: dict[str, Jurisdiction] = {}
        self.parent_code: dict[str, str | None] = {}
        self._build(list(rows))
        self.forms: dict[str, list[_Form]] = {}
        self.common_words: frozenset[str] = frozenset()
        self._ethnic = _ethnic_variants(ethnic_names)
        for j in self.by_code.values():
            self._add(j.name, j, "full")
            for short in short_forms(j.name, j.level, self._ethnic):
                # Two-character short names of counties (建平, 和政, 惠民, 同德) are everyday
                # words or cross word boundaries (搭建平台, 和政府): match them only on request.
                searchable = j.level in ("provincial", "prefecture") or len(short) >= 3
                self._add(short, j, "short", searchable)
        self._add_simplified_forms()
        self._load_aliases(aliases)
        self.max_len = max(len(f) for f in self.forms)
        self._scanner = _Scanner(
            f
            for f, entries in self.forms.items()
            if any(e.searchable and e.kind != "abbreviation" for e in entries)
        )

    # -- construction -------------------------------------------------------------

    def _build(self, rows: list[tuple[str, str]]) -> None:
        names = {code: name for code, name in rows}
        national = Jurisdiction(NATIONAL_NAME, "national", None, None, NATIONAL_CODE)
        self.by_code[NATIONAL_CODE] = national
        self.parent_code[NATIONAL_CODE] = None
        for code in sorted(names):
            name = names[code]
            if name in _PLACEHOLDER_NAMES:
                continue
            level = level_from_code(code)
            province_code = code[:2] + "0" * 10
            if level == "provincial":
                parent_code = NATIONAL_CODE
            elif level == "prefecture":
                parent_code = province_code
            else:
                prefecture_code = code[:4] + "0" * 8
                usable = prefecture_code in names and names[prefecture_code] not in _PLACEHOLDER_NAMES
                parent_code = prefecture_code if usable else province_code
            if parent_code not in names and parent_code != NATIONAL_CODE:
                raise GazetteerDataError(f"adcodes.csv: {code} {name} has no parent row {parent_code}")
            parent = NATIONAL_NAME if parent_code == NATIONAL_CODE else names[parent_code]
            province = name if level == "provincial" else names.get(province_code)
            self.by_code[code] = Jurisdiction(name, level, parent, province, code)
            self.parent_code[code] = parent_code

    def _add(self, form: str, j: Jurisdiction, kind: str, searchable: bool = True) -> None:
        entries = self.forms.setdefault(form, [])
        if not any(e.jurisdiction.code == j.code for e in entries):
            entries.append(_Form(j, kind, searchable))

    def _add_simplified_forms(self) -> None:
        """Names as normalize.py's OpenCC t2s rewrites them, as forms of the same division.

        Reports are converted to simplified characters before anything is looked up, and OpenCC
        also rewrites characters that official names keep: 乾安县 → 干安县, 乾县 → 干县.  Each such
        rewritten form (of the whole name, and character by character as normalize.py falls back
        to) names the original division, with the original form's kind, unless it already names
        another division.
        """
        try:
            from etl.normalize import _t2s

            conv = _t2s()
        except Exception:  # OpenCC missing: normalize.py cannot convert either
            return
        forms = list(self.forms.items())
        whole = conv.convert("\n".join(f for f, _ in forms)).split("\n")
        if len(whole) != len(forms):
            whole = [conv.convert(f) for f, _ in forms]
        chars = {ch for f, _ in forms for ch in f}
        by_char = {ch: c for ch in chars if len(c := conv.convert(ch)) == 1 and c != ch}
        originals = set(self.forms)
        for (form, entries), converted in zip(forms, whole, strict=True):
            per_char = "".join(by_char.get(ch, ch) for ch in form)
            for variant in {converted, per_char} - {form}:
                if len(variant) != len(form) or variant in originals:
                    continue
                for e in entries:
                    self._add(variant, e.jurisdiction, e.kind, e.searchable)

    def _load_aliases(self, data: dict) -> None:
        by_name: dict[str, list[Jurisdiction]] = {}
        for j in self.by_code.values():
            by_name.setdefault(j.name, []).append(j)

        def target(section: str, alias: str, name: str) -> Jurisdiction:
            found = by_name.get(name, [])
            if len(found) != 1:
                raise GazetteerDataError(
                    f"{ALIASES_FILE}: {section}: {alias} → {name} must name exactly one jurisdiction "
                    f"(found {len(found)}); use a full official name"
                )
            return found[0]

        for alias, name in (data.get("aliases") or {}).items():
            self._add(str(alias), target("aliases", alias, name), "alias")
        for abbr, name in (data.get("abbreviations") or {}).items():
            self._add(str(abbr), target("abbreviations", abbr, name), "abbreviation")
        words = [str(w) for w in data.get("common_words") or []]
        unknown = [w for w in words if w not in self.forms]
        if unknown:
            raise GazetteerDataError(
                f"{ALIASES_FILE}: common_words {unknown} name no jurisdiction; remove them from the list"
            )
        self.common_words = frozenset(words)

    # -- queries ------------------------------------------------------------------

    def entries(self, form: str) -> list[_Form]:
        return self.forms.get(form, [])

    def ancestors(self, j: Jurisdiction) -> list[Jurisdiction]:
        out = []
        code = self.parent_code.get(j.code)
        while code is not None:
            out.append(self.by_code[code])
            code = self.parent_code.get(code)
        return out


def level_from_code(code: str) -> str:
    """Level of a 12-digit division code: 410000… provincial, 410100… prefecture, 410102… county."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"not a 12-digit division code: {code!r}")
    if code == NATIONAL_CODE:
        return "national"
    if code[2:] == "0" * 10:
        return "provincial"
    if code[4:] == "0" * 8:
        return "prefecture"
    return "county"


def _ethnic_variants(names: Iterable[str]) -> tuple[str, ...]:
    """Ethnic group names as they occur in division names: 朝鲜族, and 维吾尔 / 哈萨克 without 族."""
    out = set()
    for n in names:
        n = n.strip()
        if not n:
            continue
        out.add(n)
        bare = n.removesuffix("族")
        if len(bare) >= 2:
            out.add(bare)
    return tuple(sorted(out, key=len, reverse=True))


def short_forms(name: str, level: str, ethnic_names: Iterable[str] = ()) -> list[str]:
    """Short names of a division: 郑州市 → 郑州; 延边朝鲜族自治州 → 延边, 延边州; 中原区 → none."""
    if level == "national":
        return []
    ethnic = tuple(ethnic_names)
    for suffix, extra in _SUFFIXES:
        if not name.endswith(suffix):
            continue
        stem = name[: -len(suffix)]
        changed = True
        while changed:  # 黔东南苗族侗族 → 黔东南
            changed = False
            for e in ethnic:
                if stem.endswith(e) and len(stem) - len(e) >= 2:
                    stem = stem[: -len(e)]
                    changed = True
                    break
        if len(stem) < 2:
            return []
        if stem in ethnic:  # 鄂温克族自治旗 → 鄂温克旗 only: an ethnic name alone is no place name
            bare = stem.removesuffix("族")
            return [bare + extra] if extra and bare + extra != name else []
        forms = [stem]
        if extra and stem + extra != name:
            forms.append(stem + extra)
        return [f for f in forms if f != name]
    return []  # …区 districts and anything unusual keep only their full name


class _Scanner:
    """Every occurrence of a set of names in a text, in one pass.

    Aho-Corasick (pyahocorasick, which cpca installs) when it is available; otherwise
    an index of names by their first character, so that only positions where some
    name can start are tried.
    """

    def __init__(self, names: Iterable[str]):
        names = [n for n in names if len(n) >= 2]
        self._automaton = None
        try:
            import ahocorasick
        except ImportError:  # pragma: no cover - cpca depends on it
            ahocorasick = None
        if ahocorasick is not None:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for name in names:
                automaton.add_word(name, len(name))
            automaton.make_automaton()
            self._automaton = automaton
        self._by_first: dict[str, dict[str, int]] = {}
        for name in names:
            self._by_first.setdefault(name[0], {})[name] = len(name)
        self._lengths = {c: sorted(set(d.values()), reverse=True) for c, d in self._by_first.items()}

    def matches(self, text: str) -> list[tuple[int, list[int]]]:
        """(start, lengths of the names starting there, longest first), by start."""
        found: dict[int, list[int]] = {}
        if self._automaton is not None:
            for end, length in self._automaton.iter(text):
                found.setdefault(end - length + 1, []).append(length)
        else:
            for i, ch in enumerate(text):
                names = self._by_first.get(ch)
                if names:
                    hits = [n for n in self._lengths[ch] if text[i : i + n] in names]
                    if hits:
                        found[i] = hits
        return [(start, sorted(lengths, reverse=True)) for start, lengths in sorted(found.items())]


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Load cpca's adcodes.csv and the alias file once, on first use."""
    try:
        adcodes = resources.files("cpca").joinpath("resources", "adcodes.csv")
        nations = resources.files("cpca").joinpath("resources", "56_nations.csv")
        with adcodes.open(encoding="utf-8") as fh:
            rows = [(r["adcode"].strip(), r["name"].strip()) for r in csv.DictReader(fh)]
        with nations.open(encoding="utf-8") as fh:
            ethnic = [line.strip() for line in fh if line.strip()]
    except (ModuleNotFoundError, FileNotFoundError, KeyError) as exc:
        raise GazetteerDataError(
            f"cannot read cpca's resources/adcodes.csv ({exc}); install the pinned cpca from requirements.txt"
        ) from exc
    try:
        aliases = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise GazetteerDataError(f"{ALIASES_FILE}: {exc}; fix or restore the file") from exc
    if not isinstance(aliases, dict):
        raise GazetteerDataError(
            f"{ALIASES_FILE}: expected a mapping with aliases/abbreviations/common_words"
        )
    return _Gazetteer(rows, aliases, ethnic)


# -- public API -----------------------------------------------------------------------


def all_jurisdictions() -> list[Jurisdiction]:
    """Every division (全国 first, then by code): the rows of the ``jurisdictions`` table."""
    return list(_gazetteer().by_code.values())


def by_code(code: str) -> Jurisdiction | None:
    """The division with this 12-digit code (6-digit codes are padded), or None."""
    code = code.strip()
    if len(code) == 6 and code.isdigit():
        code += "000000"
    return _gazetteer().by_code.get(code)


def parent_of(j: Jurisdiction) -> Jurisdiction | None:
    """The division directly above ``j`` (全国 for a province, None for 全国)."""
    g = _gazetteer()
    code = g.parent_code.get(j.code)
    return g.by_code.get(code) if code else None


def ancestors(j: Jurisdiction) -> list[Jurisdiction]:
    """The divisions above ``j``, nearest first: 中原区 → [郑州市, 河南省, 全国]."""
    return _gazetteer().ancestors(j)


def candidates(name: str) -> list[Jurisdiction]:
    """Every division a name can mean, best kind first (full name, alias, short form, abbreviation)."""
    order = {"full": 0, "alias": 1, "short": 2, "abbreviation": 3}
    entries = sorted(_gazetteer().entries(name.strip()), key=lambda e: (order[e.kind], e.jurisdiction.code))
    return [e.jurisdiction for e in entries]


def lookup(name: str) -> Jurisdiction | None:
    """The one division a name means, or None when it is unknown or ambiguous.

    Full names win over aliases, aliases over short forms: 吉林市 → 吉林市. Among
    short forms alone, a unique highest-level division wins (吉林 → 吉林省,
    本溪 → 本溪市 rather than 本溪满族自治县); 鼓楼区 (four of them) → None: use resolve().
    """
    entries = _gazetteer().entries(name.strip())
    for kind in ("full", "alias", "short", "abbreviation"):
        found = [e.jurisdiction for e in entries if e.kind == kind]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            if kind != "short":
                return None
            best = min(_LEVEL_RANK[j.level] for j in found)
            top = [j for j in found if _LEVEL_RANK[j.level] == best]
            return top[0] if len(top) == 1 else None
    return None


def resolve(name: str, context_names: Iterable[str] = ()) -> Jurisdiction | None:
    """The division ``name`` means, using other place names of the same text to break ties.

    Each candidate scores 2 for every context name that is one of its ancestors
    (郑州 for 郑州市中原区, 南京 for 南京市鼓楼区) and 1 for every context name that
    shares its parent (玄武区 next to 鼓楼区); repeated names count each time. The
    best unique score wins; a tie (or no support at all among several candidates)
    gives None. A name with one candidate resolves to it whatever the context.
    """
    found = candidates(name)
    if not found:
        return None
    full = [j for j in found if j.name == name.strip()]
    pool = full or found
    if len(pool) == 1:
        return pool[0]
    g = _gazetteer()
    context = [c for c in (c.strip() for c in context_names) if c and c != name.strip()]
    scores: list[tuple[int, Jurisdiction]] = []
    for cand in pool:
        above = {a.code for a in g.ancestors(cand)} - {NATIONAL_CODE}
        parent_code = g.parent_code.get(cand.code)
        score = 0
        for cname in context:
            means = {j.code for j in candidates(cname)}
            if means & above:
                score += 2
            elif any(g.parent_code.get(c) == parent_code for c in means if c != cand.code):
                score += 1
        scores.append((score, cand))
    scores.sort(key=lambda s: -s[0])
    if scores[0][0] > 0 and (len(scores) == 1 or scores[0][0] > scores[1][0]):
        return scores[0][1]
    if not full:
        return lookup(name)  # short forms: fall back to the level preference of lookup()
    return None


def find_in(
    text: str,
    *,
    include_national: bool = False,
    include_common_words: bool = False,
    short: bool = True,
) -> list[PlaceMention]:
    """Place names in ``text``, scanning left to right and taking the longest name at each point.

    全国 (and other national aliases) are skipped unless ``include_national``: 全国文明城市
    is not a place mention. Names listed as ``common_words`` in the alias file (城区,
    大理 in 人大理论 …) are skipped unless ``include_common_words``. Two-character short
    names of counties (新郑, 中牟, 建平) and one-character abbreviations are never
    searched for: too many are everyday words. lookup() still accepts them.
    """
    g = _gazetteer()
    out: list[PlaceMention] = []
    i = 0
    for start, lengths in g._scanner.matches(text):
        if start < i:
            continue  # inside the name taken before
        for length in lengths:
            surface = text[start : start + length]
            mention = _mention(g, surface, start, include_national, include_common_words, short, True)
            if mention:
                out.append(mention)
                i = mention.end
                break
    return out


def name_ending_at(text: str, end: int, *, short: bool = True) -> PlaceMention | None:
    """The longest place name that ends exactly at ``end`` (郑州市 in 郑州市人大常委会), any kind but
    one-character abbreviations; common words and 全国 included, since the caller knows the context."""
    g = _gazetteer()
    for length in range(min(g.max_len, end), 1, -1):
        mention = _mention(g, text[end - length : end], end - length, True, True, short, False)
        if mention:
            return mention
    return None


def is_common_word(surface: str) -> bool:
    """Whether a name is listed as an everyday word in the alias file (城区, 会同, 大理 …)."""
    return surface in _gazetteer().common_words


def context_names(text: str) -> list[str]:
    """Every place name mentioned in ``text`` (with repeats), for resolve()'s context."""
    return [m.surface for m in find_in(text)]


def _mention(
    g: _Gazetteer, surface: str, start: int, national: bool, common: bool, short: bool, scanning: bool
) -> PlaceMention | None:
    entries = [e for e in g.entries(surface) if e.kind != "abbreviation"]
    if scanning:
        entries = [e for e in entries if e.searchable]
    if not short:
        entries = [e for e in entries if e.kind != "short"]
    if not entries:
        return None
    if not common and surface in g.common_words:
        return None
    if not national:
        entries = [e for e in entries if e.jurisdiction.level != "national"]
        if not entries:
            return None
    order = {"full": 0, "alias": 1, "short": 2}
    best = min(order[e.kind] for e in entries)
    chosen = tuple(e.jurisdiction for e in entries if order[e.kind] == best)
    kind = next(k for k, v in order.items() if v == best)
    return PlaceMention(surface, start, start + len(surface), chosen, kind)
