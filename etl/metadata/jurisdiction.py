"""Whose standing committee reports: the jurisdiction, always an entry of the dated division table.

* **Jurisdiction** (find_jurisdiction): every place named right before a committee
  phrase (郑州市人民代表大会常务委员会, 全国人大常委会) or at a congress session
  (在中原区第十六届人民代表大会第六次会议上) is a candidate. It scores 100 in the
  title, 50 at a session in the header (``header_chars``), 10 before a committee
  phrase in the lead (``lead_chars``), 2–3 deeper in, plus 15 when its suffix agrees
  with the committee's own generic self-reference (市人大常委会, 区人大常委会 … and
  我市/全区, counted where no place is named). The author is the best candidate
  named in the title, at a header session, or in the lead with the right suffix;
  one named only deeper in, with words that show another committee (赴许昌市人大常委会
  学习, 配合郑州市人大常委会, 在全国人大常委会指导下), or of the wrong kind (省人大
  常委会 in a 市 text) is a mention. A name that several divisions share
  (鼓楼区) is resolved with the places written before it (南京市鼓楼区) and the
  other places the text names. Without such an author, the place of the
  self-reference's kind that the text names most wins (鹤壁 in a 市人大常委会 summary),
  with a warning; a 省人大常委会 text that names no province, only places inside one
  (深入怒江、迪庆、昭通…等6个州市), is that province's, when three in four of them agree, or
  one that calls it by its literary name twice (推动龙江高质量发展: jurisdiction_aliases.yaml).
* **Places** come from the dated division table (``etl.metadata.gazetteer``, past names included); a name
  outside it is never the author: the jurisdiction is left empty and the report is pending.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from etl.metadata import gazetteer
from etl.metadata.cues import Cues
from etl.metadata.gazetteer import Jurisdiction, PlaceMention
from etl.metadata.text import _Text

_ORDINAL_BEFORE = re.compile(r"第?[一二三四五六七八九十百\d]+届$")
_GENERIC_TYPES = ("自治区", "自治州", "自治县", "省", "市", "区", "县", "州", "旗", "盟")
_SELF_WORDS = {"我": 1.0, "全": 0.5, "本": 0.5}  # 我市, 全区, 本县: the committee's own territory


@dataclass
class _Candidate:
    mention: PlaceMention
    score: float = 0.0
    in_title: bool = False
    at_header_session: bool = False
    in_header: bool = False
    strong: bool = False
    hits: int = 0  # how often it is named at a committee phrase or session
    prefix: tuple[str, ...] = ()  # places written right before it: 南京市 in 南京市鼓楼区


def _prefix_chain(compact: str, start: int) -> tuple[str, ...]:
    names: list[str] = []
    while len(names) < 3:
        m = gazetteer.name_ending_at(compact, start)
        if not m:
            break
        names.append(m.surface)
        start = m.start
    return tuple(names)


def _generic_type(compact: str, end: int) -> str | None:
    """The kind of committee in a generic phrase ending at ``end``: 市 in 市人大常委会.

    Lists of kinds (各县区人大常委会, 县市区人大常委会) name other committees, not the
    reporting one, and give None.
    """
    head = compact[max(0, end - 3) : end]
    for t in _GENERIC_TYPES:
        if head.endswith(t):
            before = compact[end - len(t) - 1] if end - len(t) >= 1 else ""
            if len(t) == 1 and before and before in "省市区县州旗盟各":
                return None
            return t
    return None


def _names_another_committee(compact: str, place: PlaceMention, phrase_end: int, cues: Cues) -> bool:
    """赴许昌市人大常委会学习, 会同开封、许昌市人大常委会, 在全国人大常委会指导下, or a compilation's
    table of contents (天津市人民代表大会常务委员会工作报告19): not the author."""
    start = place.start
    while (outer := gazetteer.name_ending_at(compact, start)) is not None:  # 河南省许昌市
        start = outer.start
    before = re.split(r"[,;:。!?]", compact[max(0, start - 10) : start])[-1]
    after = re.split(r"[,;:。!?]", compact[phrase_end : phrase_end + 8])[0]
    if cues.toc_entry_after.match(compact, phrase_end):  # …工作报告19: a contents line
        return True
    return any(w in before for w in cues.other_before) or any(w in after for w in cues.other_after)


def _committee_refs(compact: str, cues: Cues) -> tuple[list[tuple[int, PlaceMention, bool]], Counter]:
    """Places named right before a committee phrase (and whether the wording shows another
    committee than the author), and generic self-references by kind."""
    named: list[tuple[int, PlaceMention, bool]] = []
    generic: Counter[str] = Counter()
    for m in cues.committee.finditer(compact):
        end = m.start()
        ordinal = _ORDINAL_BEFORE.search(compact[max(0, end - 8) : end])
        if ordinal:  # 郑州市第十六届人民代表大会常务委员会, 市十五届人大常委会
            end -= len(ordinal.group(0))
        place = _place_before(compact, end)
        before = compact[place.start - 1] if place and place.start > 0 else ""
        if place and gazetteer.is_common_word(place.surface) and before and before in "各全本该":
            place = None  # 各城区人大常委会: a kind of committee, not a place
        if place:
            named.append((m.start(), place, _names_another_committee(compact, place, m.end(), cues)))
        else:
            kind = _generic_type(compact, end)
            if kind:
                generic[kind] += 1
    for word, weight in _SELF_WORDS.items():
        for t in ("市", "区", "县", "州", "省", "旗", "盟"):
            # A weighted count: Counter holds any number, typeshed types its values as int.
            generic[t] += weight * compact.count(word + t)  # type: ignore[assignment]
    return named, generic


def _place_before(compact: str, end: int) -> PlaceMention | None:
    """The place written right before ``end``.

    The division table is dated and keeps past names (宁乡县 and 宁乡市 are both entries), so a name
    is never assembled from a short form and a suffix: 某某作区 is a chairman's name, not a district."""
    return gazetteer.name_ending_at(compact, end)


def _session_refs(compact: str, cues: Cues) -> list[tuple[int, PlaceMention | None, str | None]]:
    """Congress sessions with the place they belong to (or the generic kind: 市十六届人大二次会议)."""
    out = []
    for m in cues.session.finditer(compact):
        inner = m.group("inner")
        place = None
        if inner:
            found = gazetteer.candidates(inner)
            if found:
                place = PlaceMention(inner, m.start("inner"), m.end("inner"), tuple(found[:1]), "full")
        if place is None:
            place = _place_before(compact, m.start())
        kind = None if place else _generic_type(compact, m.start())
        out.append((m.start(), place, kind))
    return out


def _fits(j: Jurisdiction, kind: str) -> bool:
    """Whether a division is of the kind a generic self-reference names (市 → 郑州市, 新郑市)."""
    if kind == "省":
        return j.level == "provincial" and j.name.endswith("省")
    if kind == "区":
        return j.level == "county" and j.name.endswith("区")
    if kind == "州":
        return j.name.endswith("州") and j.level == "prefecture"
    return j.level != "national" and j.name.endswith(kind)


def _unique(m: PlaceMention) -> Jurisdiction | None:
    return m.candidates[0] if len(m.candidates) == 1 else None


def find_jurisdiction(
    text: _Text, title_span: tuple[int, int] | None, cues: Cues, warnings: list[str]
) -> tuple[Jurisdiction | None, bool]:
    """Whose standing committee reports (see the module docstring for the scores), and whether it was
    only inferred from the places the body names (no committee named with its place up front)."""
    compact = text.compact
    header_end = cues.header_chars
    named, generic = _committee_refs(compact, cues)
    sessions = _session_refs(compact, cues)
    for _pos, _place, kind in sessions:
        if kind:
            generic[kind] += 1
    top = generic.most_common(1)
    own_kind = top[0][0] if top and top[0][1] >= 2 else None  # 市 from 市人大常委会 …, 我市, 全市

    pool: dict[tuple, _Candidate] = {}

    def add(pos: int, place: PlaceMention, session: bool, other: bool = False) -> None:
        key = tuple(j.code for j in place.candidates)  # 郑州市 and 郑州 add up
        cand = pool.setdefault(key, _Candidate(place, prefix=_prefix_chain(compact, place.start)))
        cand.hits += 1
        if other:  # 赴许昌市人大常委会学习: a mention wherever it stands
            cand.score += 2
        elif title_span and title_span[0] <= pos < title_span[1]:
            cand.score += 100
            cand.in_title = True
        elif pos < (header_end if session else cues.lead_chars) or (
            title_span and title_span[1] <= pos < title_span[1] + cues.lead_chars
        ):
            cand.score += 50 if session else 10
            cand.at_header_session |= session
            cand.in_header = True
        else:
            cand.score += 3 if session else 2

    for pos, place, other in named:
        add(pos, place, False, other)
    for pos, held_place, _kind in sessions:
        if held_place:
            add(pos, held_place, True)
    national_committee_named = any(
        any(j.level == "national" for j in place.candidates) for _pos, place, _other in named
    )
    for cand in pool.values():
        fits = own_kind is None or any(_fits(j, own_kind) for j in cand.mention.candidates)
        if own_kind and fits:
            cand.score += 15
        # A session of the national congress in the header of a text whose committee calls itself by a
        # local kind (自治区人大常委会) and that never names the national committee (全国人大常委会):
        # the session a delegation attended (十三届全国人大五次会议召开期间,内蒙古代表团… in a
        # province's yearbook), not the author's own.
        venue_only = (
            not fits
            and not national_committee_named
            and any(j.level == "national" for j in cand.mention.candidates)
        )
        # Named in the opening, but of another kind than the committee calls itself
        # (在全国人大常委会和省人大常委会指导下 in a 市人大常委会 text): a mention, not the author.
        held_here = cand.at_header_session and not venue_only
        cand.strong = cand.in_title or held_here or (cand.in_header and fits)

    if any(c.strong for c in pool.values()):
        best = max(pool.values(), key=lambda c: c.score)
        # The places named in the whole text: only needed (and only scanned for) when the name is ambiguous.
        found = _resolve(best, lambda: gazetteer.context_names(compact), warnings)
        if not found:
            warnings.append(f"地区名“{best.mention.surface}”有歧义：未选定地区")
        return found, False

    unknown = _unknown_division(compact, title_span, cues)
    if unknown:  # never a string assembled from the title: the report waits for an analyst
        warnings.append(f"地区待确认：标题中的“{unknown}”不在行政区划表中（含历史名称）")
        return None, False

    # No committee is named with its place in the header: the place of the committee's kind
    # that the text names most, where naming it at a committee phrase counts as a mention too
    # (a report that visits 许昌市人大常委会 once is still 鹤壁's if it names 鹤壁 throughout).
    counts: Counter[str] = Counter()
    for m in gazetteer.find_in(compact):
        j = _unique(m)
        if j is None or (own_kind and not _fits(j, own_kind)):
            continue
        counts[j.code] += 2 if m.kind == "full" else 1
    for cand in pool.values():
        j = _unique(cand.mention)
        if j is not None and (not own_kind or _fits(j, own_kind)):
            counts[j.code] += 2 * cand.hits
    if counts:
        code, _n = counts.most_common(1)[0]
        j = gazetteer.by_code(code)
        assert j is not None  # every code counted is a division of the gazetteer (by_code keeps past ones)
        warnings.append(f"地区“{j.name}”由正文地名推断：标题和开头未写明常委会所属地区")
        return j, True
    if own_kind == "省" and (province := _province_of_places(compact)):
        # 省人大常委会 … 深入怒江、迪庆、昭通、红河、文山、丽江等6个州市: a province's committee that names
        # only the places inside it
        warnings.append(f"地区“{province.name}”由正文中其下辖地名推断：正文未写明省名")
        return province, True
    if own_kind == "省" and (province := _province_of_nickname(compact)):
        # 省人大常委会2019年工作综述 … 推动龙江高质量发展: a province's committee calling it by its
        # literary name
        warnings.append(f"地区“{province.name}”由正文中的省份别称推断：正文未写明省名")
        return province, True
    warnings.append("未找到所属地区：未写明常委会所属地区，正文也未提到同级地名")
    return None, False


def _province_of_nickname(compact: str) -> Jurisdiction | None:
    """The province whose literary name (龙江) the text uses at least twice, when it uses only one
    province's."""
    used = {j.name: j for nick, j in gazetteer.nicknames().items() if compact.count(nick) >= 2}
    return next(iter(used.values())) if len(used) == 1 else None


_MIN_PLACES = 3  # distinct places below a province that must agree on it (three in four at least)


def _province_of_places(compact: str) -> Jurisdiction | None:
    """The province that the prefectures and counties a text names (each unambiguous) belong to, when at
    least ``_MIN_PLACES`` distinct ones and three in four of them agree on it."""
    places = {
        j.code: j.province
        for m in gazetteer.find_in(compact)
        if (j := _unique(m)) is not None and j.level in ("prefecture", "county") and j.province
    }
    if len(places) < _MIN_PLACES:
        return None
    name, n = Counter(places.values()).most_common(1)[0]
    if n < _MIN_PLACES or 4 * n < 3 * len(places):
        return None
    return next((j for j in gazetteer.candidates(name) if j.level == "provincial"), None)


def _unknown_division(compact: str, span: tuple[int, int] | None, cues: Cues) -> str | None:
    """The name of a division the table does not know, written in the title before the committee
    phrase (深圳市前海区人大常委会工作报告 → 前海区): never the author, but worth a warning."""
    if span is None:
        return None
    title = compact[span[0] : span[1]]
    phrase = cues.committee.search(title)
    if not phrase:
        return None
    # the whole run of Chinese characters before the phrase, not after a number (2023年市…)
    head = re.search(r"(?<![\u4e00-\u9fff\d])[\u4e00-\u9fff]{2,12}$", title[: phrase.start()])
    if not head or head.group(0)[-1] not in "区县市旗州盟" or head.group(0)[0] in "全我本各该省市区县州旗盟":
        return None  # 全区人大常委会, 市区人大常委会: generic, not a name
    name = head.group(0)
    while True:  # strip the known places written before it: 深圳市 in 深圳市前海区
        prefix = next((m for m in gazetteer.find_in(name, include_common_words=True) if m.start == 0), None)
        if prefix is None or prefix.end >= len(name) or len(prefix.candidates) != 1:
            break
        name = name[prefix.end :]
    if len(name) < 2 or gazetteer.candidates(name):
        return None
    return name


def _resolve(cand: _Candidate, context: Callable[[], list[str]], warnings: list[str]) -> Jurisdiction | None:
    m = cand.mention
    if len(m.candidates) == 1:
        return m.candidates[0]
    j = gazetteer.resolve(m.surface, list(cand.prefix) * 5 + context())
    if j:
        warnings.append(f"“{m.surface}”对应{len(m.candidates)}个行政区划：根据上下文选定{j.parent}{j.name}")
    return j
