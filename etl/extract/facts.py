"""Catalog patterns → Fact records with spans, sentence by sentence.

For each sentence outside the plans: every catalog pattern proposes candidates; each number is
claimed by at most one metric (blockers, composites and sub-metrics outrank plain metrics); a count
that a list shares with another activity (视察调研、执法检查19项) is not given to either; parallel
parts of one metric in one sentence (街道…14个，社区…67个) are summed; repeats are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract.catalog import Catalog, Pattern, load_catalog
from etl.extract.frames import COUNTED_ITEM, list_head_holds
from etl.metadata.sections import section_at, sentence_period
from etl.models import Fact, Section
from etl.read.normalize import Normalized, sentences
from etl.read.numbers import NumberError, parse_number

_CONJ_END = re.compile(r"(?:、|和|及|与|以及|并)$")
_ALL_LEVELS = re.compile(r"五级|四级|各级|三级人大代表")
# a subject that makes a count the committee's own again (常委会…, 主任会议…, 本级…)
_OWN_SUBJECT = re.compile(r"常委会|主任会议|专门委员会|专委会|本级|机关")
# A clause whose subject is another body: the lower congresses (全市乡镇人大…, 县乡两级人大常委会…) or the
# petition offices (全市信访部门受理…).  Their counts are not the committee's, nor every level's (五级, 各级:
# all_levels); read as the committee's they would outrank its own figure on a chart (2300 beside 860).
# Only at the start of a clause (after 全市/各/此外… at most), so 指导乡镇人大…, 听取…信访工作报告 stay the
# committee's; a later clause without a subject of its own shares it until another subject takes over.
# A government, court or procuratorate that handled something itself (县政府承办人大代表建议117件, in
# its own report or news of its meeting) is another body too; 交市政府承办的代表建议 (sent by the
# committee) is not at a clause's start.
_OTHER_SUBJECT = re.compile(
    r"(?:^|[，,；;：:])(?:同时|此外|另外|其中|全[省市县区州旗盟]|各){0,2}"
    r"(?:(?:乡镇|乡（镇）|乡\(镇\)|街道|县乡两级|乡镇两级|县乡|县区|区县|县（市、区）|下级|基层)"
    r"(?:人大|人民代表大会)(?:常委会|常务委员会|主席团)?|信访(?:部门|机构|局)"
    r"|[省市县区州旗]?(?:人民)?(?:政府|法院|检察院)(?:共|全年)?(?:承办|办理))"
)
_CLAUSE_START = re.compile(r"(?:^|[，,；;：:])")
_SUBJECT_REACH = 10  # a subject of the committee's own counts when it starts this close to its clause's start
_YEAR = re.compile(r"(?<!\d)20\d{2}年")
_BOTH = re.compile(r"[和及、与].{0,8}?(?:均|都|全部)")
_TOTAL_WORDS = re.compile(r"共|累计|合计|总|其中")


@dataclass
class Candidate:
    pattern: Pattern
    kind: str
    start: int  # match span in the sentence
    end: int
    num_start: int
    num_end: int
    value: float
    qualifier: str
    unit: str | None
    lead: str
    pattern_text: str = ""
    parts: int = 1


# Rules written once for every metric (frames and patterns alike).
# A plan for the coming year (将/拟/计划…) states no fact, wherever its sentence stands.
_PLAN = re.compile(
    r"(?:拟|计划|准备|将要?)(?:于|在)?(?:年内|今年|明年|下半年|下一步)?(?:安排)?"
    r"(?:对|制定|出台|审议|开展|组织|修改|修订|修正|废止|审查|讨论|召开|听取|办理)"
)
# How often, not how many (人大常委会每两月召开一次会议; 每季度听取一次): a frequency is no count of a period.
_FREQUENCY = re.compile(r"每(?:[一两二三四五六半]?个?(?:月|季度|季|周|星期|半年|年))[^,，;；。:：]{0,10}$")
_NEXT_YEAR = re.compile(r"明年|下一年度|来年|下一步|新的一年")
# A sentence that names the coming year and then what the committee will do (胡悦介绍,新的一年,省人大常委会将
# 统筹做好…工作,重点审议…9部地方性法规,修改或废止16部法规): everything after its 将/拟/计划 is the plan,
# whichever clause the count stands in.
_FUTURE = re.compile(r"将(?!近)|拟|计划|准备")  # not 要: 要求, 重要, 主要 stand in past sentences too


def _plan_from(sentence: str) -> int | None:
    """Where the plan of a coming-year sentence starts, or None when the sentence names no coming year."""
    m = _NEXT_YEAR.search(sentence)
    f = _FUTURE.search(sentence, m.end()) if m else None
    return f.start() if f else None


# Regulations "in force" are a stock built up over decades (截止2009年,制定现行有效地方性法规289件),
# not a flow.
_IN_FORCE = re.compile(r"现行有效")
# A session of the congress itself (县十五届人民代表大会第六次会议…作出决议7项) is not the committee's act.
_CONGRESS = re.compile(r"人民代表大会第[一二三四五六七八九十\d]+次会议|人代会")
_COMMITTEE = re.compile(r"常委会|常务委员会")
_COMMITTEE_ACTS = ("decisions.", "supervision.work_reports")
# A delegation's motions and suggestions at a higher congress are not this committee's (代表团…提交建议114件).
_DELEGATION = re.compile(r"代表团")
# CPPCC members' proposals (提案) counted together with deputies' suggestions
# (共承办人大代表建议和政协委员提案88件, 其中已经解决或基本解决的有42件) are a joint count of two bodies'
# items, handled by the government's offices: never the committee's count of deputies' suggestions.
_PROPOSALS = re.compile(r"提案")
# Work done with or for another body is not this committee's count (配合省人大开展执法检查).
_OTHER_BODY = re.compile(r"配合|协助|协同|参与|参加|陪同|受[^,，。]{0,12}委托")
_OWN_WORK = ("legislation.", "supervision.", "decisions.")
# Approving a lower body's regulations is not legislating (批准某市制定、修改和废止法规27件).
_APPROVAL = re.compile(r"批准")
_OWN_LAWS = ("legislation.laws_enacted", "legislation.laws_amended", "legislation.laws_repealed")
# A bill the committee sent on to the full congress, which passed it
# (提请自治区人民代表大会审议通过地方性法规1件), is one channel of the bills it reviewed, not its own
# legislating; 提请常委会审议 is the committee's own.
_TO_CONGRESS = re.compile(r"提请[^,，;；。]{0,16}?(?:人民代表大会|人代会|人大|大会)(?!常务委员会|常委会)")
# One deputy's own count (履职十余年来,李远方提出60多件代表建议; 我共提出建议30件) is that person's, not the
# deputies' items the committee counts: a committee's count names the deputies or the session as the ones
# who put them forward (代表提出的229件建议, 大会期间提出的建议, 闭会期间提出了建议).
_PROPOSED = re.compile(r"(?:提出|提交|领衔)")
_PROPOSER = re.compile(r"([\u4e00-\u9fff]*?)(?:共计|共|累计|先后|已经|已|还|又|均|都|曾)*$")
_COLLECTIVE = re.compile(r"代表|会议|期间|大会|闭会|以来|各级|全体|委员|会上|群众")
_PERSON = ("我", "她", "他", "本人")
_NOT_A_NAME = tuple("对就向为在从按据围针关各该本全")
# The government's share of the deputies' items (交由市政府系统办理的议案1件、代表建议93件;
# 市政府共办理…建议57件): the suggestions handed to one handler, a part of those the deputies put forward
# (西安 2023: 445 in all, 427 of them with the government), told by the handler: not the committee's count.
_GOVERNMENT_SHARE = re.compile(
    r"(?:交由|归属)[^,，;；。、]{0,8}政府[^,，;；。、]{0,8}(?:办理|承办)的"
    r"|政府(?:系统)?(?:共计?|累计)(?:办理|承办)"
    # a government that opens its clause handling the deputies' items
    # (2024自治区人民政府办理全国十四届人大二次会议代表建议4件); not one the committee urged or sent them to
    # (督促市政府办理代表建议245件)
    r"|(?:^|[，,；;。：:\s])(?:\d{4}年?[,，]?)?(?:(?![督促交转由请推])[\u4e00-\u9fff]){0,8}?(?:人民)?政府(?:系统)?"
    r"(?:办理|承办)(?!的)[^。]{0,24}?(?:建议|议案)"
)
# A text that tells the government's share speaks for the handler until the committee is named again
# (四川 2017: 归属省政府系统组织办理的778件建议…满意率为90%…已解决或基本解决的232件; 巩留县人民政府共办理…
# 建议52件。…代表们提出的52件建议中…A类建议共33件, two paragraphs on): the deputies' counts that follow
# are the share's. Not the whole it is a part of, told with the share after it (代表共提出建议856件,其中
# 归属省政府系统组织办理的建议778件).
_WHOLE_OF_SHARE = re.compile(r"^[^。]{0,12}其中[^。]{0,16}政府")


def _one_persons(p: Pattern, lead: str, words: str) -> bool:
    """True when a deputies' count is put forward by one named person (李远方提出60多件代表建议)."""
    if p.metric not in ("deputies.suggestions", "deputies.motions"):
        return False
    clause = lead + words
    verb = _PROPOSED.search(clause)
    if not verb:
        return False
    m = _PROPOSER.search(clause[: verb.start()])
    subject = m.group(1) if m else ""
    if subject in _PERSON or subject.endswith(_PERSON[:3]):
        return True
    # a name is two to four characters (李远方); a longer run or one opening with a preposition is what the
    # items are about (对各方面工作提出的8314件建议、批评和意见), not who put them forward
    return 2 <= len(subject) <= 4 and not subject.startswith(_NOT_A_NAME) and not _COLLECTIVE.search(subject)


def _context_allows(p: Pattern, ctx: dict, lead: str, words: str, kind: str) -> bool:
    if kind == "blocker":
        return True
    if ctx["plan"] or _NEXT_YEAR.search(lead + words):
        return False
    if p.metric.startswith("deputies.") and (ctx["delegation"] or ctx["proposals"]):
        return False
    if _one_persons(p, lead, words):
        return False
    if p.metric in ("deputies.suggestions", "deputies.motions") and _GOVERNMENT_SHARE.search(lead + words):
        return False
    if p.metric in _OWN_LAWS and _IN_FORCE.search(ctx["window"]):
        return False
    if p.metric.startswith(_COMMITTEE_ACTS) and ctx["congress"]:
        return False
    if p.metric.startswith(_OWN_WORK) and _OTHER_BODY.search(lead + words):
        return False
    return not (
        p.metric in _OWN_LAWS and (_APPROVAL.search(lead + words) or _TO_CONGRESS.search(lead + words))
    )


# A part of a total the same sentence states (…980件（其中大会建议950件、闭会建议30件）) is not a second fact:
# it follows 其中, or stands in brackets opened right after the total.
_PART_MARK = re.compile(r"其中")
_PARTS_IN_BRACKETS = re.compile(r"^[^,，;；、()（）]{0,4}[（(][^)）]*$")


def _drop_parts(group: list[Candidate], sentence: str) -> list[Candidate]:
    total = group[0]
    return [total] + [
        c
        for c in group[1:]
        if not (
            _PART_MARK.search(sentence[total.num_end : c.num_start])
            or _PARTS_IN_BRACKETS.match(sentence[total.end : c.num_start])
        )
    ]


# A clause is read at most this far on either side of a match: extraction stays linear in a sentence's
# length however many clauses it strings together.
_CLAUSE_REACH = 200


def _lead_tail(sentence: str, start: int, end: int) -> tuple[str, str]:
    before = sentence[max(0, start - _CLAUSE_REACH) : start]
    cut = max(before.rfind(p) for p in ",，;；:：")
    lead = before[cut + 1 :]
    after = sentence[end : end + _CLAUSE_REACH]
    cut = min((after.find(p) for p in ",，;；:：" if p in after), default=len(after))
    return lead, after[:cut]


_SENTENCE_CONDITIONS = ("sentence_has", "sentence_lacks", "prev_has", "prev_lacks")


def _sentence_conditions_hold(p: Pattern, sentence: str, prev: str) -> bool:
    c = p.conditions
    return (
        ("sentence_has" not in c or bool(c["sentence_has"].search(sentence)))
        and ("sentence_lacks" not in c or not c["sentence_lacks"].search(sentence))
        and ("prev_has" not in c or bool(c["prev_has"].search(prev)))
        and ("prev_lacks" not in c or not c["prev_lacks"].search(prev))
    )


def _conditions_hold(p: Pattern, lead: str, tail: str, words: str = "") -> bool:
    """The clause-level conditions (the sentence-level ones are checked once per sentence)."""
    c = p.conditions
    if "lacks" in c and c["lacks"].search(words):
        return False
    if "lead_has" in c and not c["lead_has"].search(lead):
        return False
    if "lead_lacks" in c and c["lead_lacks"].search(lead):
        return False
    return not ("tail_lacks" in c and c["tail_lacks"].search(tail))


def _shares_count(lead: str) -> bool:
    """True when the keyword follows another activity joined by 、/和 that has no count of its own."""
    m = _CONJ_END.search(lead)
    if not m:
        return False
    last = _ITEM_SEP.split(lead[: m.start()])[-1]  # the item just before the conjunction
    if COUNTED_ITEM.search(last):
        return False  # 听取5项重大事项报告、作出5项决定决议: that item has its own count
    return bool(_TWO_CJK.search(last))


_ITEM_SEP = re.compile(r"[、和及与]")
_TWO_CJK = re.compile(r"[\u4e00-\u9fff]{2}")
_BOTH_WORDS = re.compile("均|都")
_NEXT_ITEM = re.compile(r"^(?:和|及|以及|与|、)(?!其他|其它)([^,，;；:：、]*)")


def _shares_count_after(tail: str) -> bool:
    """True when the counted noun is joined to another that has no count of its own
    (16件法律和有关法律问题的决定)."""
    m = _NEXT_ITEM.match(tail)
    return m is not None and not COUNTED_ITEM.search(m.group(1)) and bool(_TWO_CJK.search(m.group(1)))


def candidates_in(sentence: str, catalog: Catalog, prev: str = "", handler: bool = False) -> list[Candidate]:
    """Every pattern's candidates in ``sentence``; ``prev`` is the sentence before it
    (prev_has/prev_lacks); ``handler``: an earlier sentence told the government's share of the deputies'
    items and no sentence since named the committee (extract_facts keeps it)."""
    out: list[Candidate] = []
    share = _GOVERNMENT_SHARE.search(sentence)
    ctx: dict[str, bool | str] = {
        "plan": bool(_PLAN.search(sentence)),
        "delegation": bool(_DELEGATION.search(sentence)),
        "proposals": bool(_PROPOSALS.search(sentence)),
        "congress": bool(_CONGRESS.search(sentence)) and not _COMMITTEE.search(sentence),
    }
    # an earlier sentence told the government's share (市政府共办理…代表意见建议57件): how many of those were
    # resolved, or how satisfied the deputies were, is the share's too
    for_share = handler and not _COMMITTEE.search(sentence)
    plan_from = _plan_from(sentence)
    for p in catalog.patterns_for(sentence):
        if not _sentence_conditions_hold(p, sentence, prev):
            continue
        kind = catalog.metrics[p.metric].kind
        for m in p.regex.finditer(sentence):
            if plan_from is not None and m.start() > plan_from and kind != "blocker":
                continue
            lead, tail = _lead_tail(sentence, m.start(), m.end())
            if not _conditions_hold(p, lead, tail, m.group()):
                continue
            if p.inherit and not list_head_holds(sentence, m.start(), p.heads):
                continue
            ctx["window"] = sentence[max(0, m.start() - 120) : m.end()]
            if kind in ("core", "extended") and _FREQUENCY.search(
                lead + sentence[m.start() : m.start("num")]
            ):
                continue
            # the share's own counts (resolved, satisfied, handled), but not the whole the share is a part
            # of (代表共提出建议856件,其中归属省政府…778件)
            if (
                kind != "blocker"
                and p.metric.startswith("deputies.")
                and (for_share or (share and share.end() <= m.start()))
                and not (
                    p.metric in ("deputies.suggestions", "deputies.motions")
                    and _WHOLE_OF_SHARE.search(sentence[m.end() :])
                )
            ):
                continue
            if not _context_allows(p, ctx, lead, m.group(), kind):
                continue
            keyword_first = m.start("num") > m.start()
            if not keyword_first and lead.endswith("对"):
                continue  # 对1127件建议…表示满意: the count is the object of a predicate read later
            unit_end = m.end("unit") if m.groupdict().get("unit") else m.end("num")
            if m.end() > unit_end and kind in ("core", "extended") and _shares_count_after(tail):
                continue
            if keyword_first and kind in ("core", "extended") and _shares_count(lead):
                if not (p.percent and _BOTH_WORDS.search(m.group())):
                    continue
            try:
                parsed = parse_number(m.group("num"), m.groupdict().get("post") or "")
            except NumberError:
                continue
            unit = (
                "%"
                if p.percent
                else (m.groupdict().get("unit") or "").replace("(", "").replace(")", "") or None
            )
            out.append(
                Candidate(p, kind, m.start(), m.end(), m.start("num"), m.end("num"),
                          parsed.value, parsed.qualifier, unit, lead, m.group())
            )  # fmt: skip
    return out


def resolve(cands: list[Candidate]) -> list[Candidate]:
    """Each number goes to one metric: higher priority first, then the longer (more specific) match."""
    best: dict[tuple[int, int], Candidate] = {}
    shared: list[Candidate] = []
    for c in cands:
        if c.unit == "%" and _BOTH.search(c.lead + c.pattern_text):
            shared.append(c)  # 办结率和满意率均为百分之百: one number stated for both rates
            continue
        key = (c.num_start, c.num_end)
        cur = best.get(key)
        if cur is None or (c.pattern.priority, c.end - c.start) > (cur.pattern.priority, cur.end - cur.start):
            best[key] = c
    # Numbers overlapping a claimed number of higher priority are dropped too.
    kept = sorted(best.values(), key=lambda c: (-c.pattern.priority, c.num_start))
    final: list[Candidate] = []
    for c in kept:
        if any(c.num_start < f.num_end and f.num_start < c.num_end for f in final):
            continue
        final.append(c)
    for c in shared:
        if not any(
            c.num_start < f.num_end and f.num_start < c.num_end and f.kind == "blocker" for f in final
        ):
            if not any(f.pattern.metric == c.pattern.metric and f.num_start == c.num_start for f in final):
                final.append(c)
    return sorted((c for c in final if c.kind != "blocker"), key=lambda c: c.num_start)


def _wording(c: Candidate) -> str:
    """The words of a match around its number: parallel parts share them
    (街道…联络站14个 / 社区…联络站67个)."""
    offset = c.num_start - c.start
    return c.pattern_text[:offset] + "#" + c.pattern_text[offset + (c.num_end - c.num_start) :]


def _noun(c: Candidate) -> str | None:
    """The counted noun of a frame's match (大会期间…建议186件 / 闭会期间…建议42件 share 建议)."""
    return next((n for n in c.pattern.nouns if n in c.pattern_text), None)


def _parallel_key(c: Candidate, catalog: Catalog) -> tuple:
    if catalog.metrics[c.pattern.metric].measure == "stock":
        return (c.pattern.metric, c.unit)  # parts of a level (镇街中心联络站92个、村居联络站499个)
    if c.pattern.frame:
        return ("frame", _noun(c))
    return (c.pattern.pid, _wording(c))


def _sum_parallel(group: list[Candidate], sentence: str, catalog: Catalog) -> list[Candidate]:
    """Parallel parts of one metric in one sentence (街道…14个，社区…67个) → one summed count."""
    if len(group) < 2 or len(group) > 4:
        return group
    units = {c.unit for c in group}
    if len({_parallel_key(c, catalog) for c in group}) != 1:
        # Different wordings of one metric in one sentence are not parallel parts: keep the first
        # statement (of regexes, the most direct: the catalog lists a metric's patterns best first).
        if group[0].pattern.frame:
            return [group[0]]
        return [min(group, key=lambda c: (c.pattern.rank, c.num_start))]
    if len(units) != 1 or "%" in units or len(_YEAR.findall(sentence)) > 1:
        return group
    if any(_TOTAL_WORDS.search(c.lead) for c in group[1:]) or any(
        c.pattern_text[: c.num_start - c.start].endswith("的") for c in group[1:]
    ):
        return group[:1]  # a later total or subset: keep the first statement only
    first = group[0]
    total = sum(c.value for c in group)
    qual = "exact" if all(c.qualifier == "exact" for c in group) else "approx_at_least"
    merged = Candidate(first.pattern, first.kind, first.start, group[-1].end, first.num_start,
                       group[-1].num_end, total, qual, first.unit, first.lead, first.pattern_text,
                       len(group))  # fmt: skip
    return [merged]


# A "sentence" longer than this (a run-on page with no 。) is read in pieces cut at clause punctuation.
_MAX_SENTENCE = 600
_CLAUSE_PUNCT = re.compile(r"[；;，,]")


def _bounded(spans: list[tuple[int, int]], text: str):
    for a, b in spans:
        while b - a > _MAX_SENTENCE:
            cut = None
            for m in _CLAUSE_PUNCT.finditer(text, a + _MAX_SENTENCE // 2, a + _MAX_SENTENCE):
                cut = m.end()
            cut = cut or a + _MAX_SENTENCE
            yield a, cut
            a = cut
        yield a, b


_NUMBERED = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.]")
_HAS_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万]")


# A sentence that opens with a topic (围绕提高经济运行质效,听取报告11项,开展执法检查1次…; 聚焦民生,…) counts
# the year's work on that topic: a part of the year's total when the report states one elsewhere (审议“一府
# 两院”报告23项, 开展执法检查3次), not a second figure for the year. Kept when it is the only statement.
_TOPIC_OPENING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.])?"
    r"(?:围绕|聚焦|针对|着眼|着眼于|紧扣|紧盯|立足)[^,，。;；:：]{1,30}[,，]"
)


# A subtitle line of a news text (no clause punctuation, short) has the tense of the paragraph under it.
_HEADING_LINE = re.compile(r"^\s*[^,，。;；:：!！?？]{2,24}\s*$")


def _drop_topic_parts(facts: list[tuple[Fact, bool]]) -> list[Fact]:
    """Facts of a topic-opened sentence that another statement of the same metric and period exceeds."""
    whole: dict[tuple, float] = {}
    for f, topic in facts:
        if not topic:
            key = (f.metric, f.period_start, f.period_end)
            whole[key] = max(whole.get(key, 0.0), f.value)
    return [
        f
        for f, topic in facts
        if not (topic and whole.get((f.metric, f.period_start, f.period_end), 0) > f.value)
    ]


def extract_facts(
    norm: Normalized,
    sections: list[Section],
    report_type: str | None = None,
    catalog: Catalog | None = None,
) -> list[Fact]:
    """All facts of one report, in text order, with evidence and offsets."""
    catalog = catalog or load_catalog()
    text = norm.text
    facts: list[tuple[Fact, bool]] = []  # with whether its sentence opens with a topic
    seen: set[tuple] = set()
    prev = ""
    plan_list = False  # inside a numbered list that a plan sentence opened (新的一年…包括1、… 2、… 3、…)
    handler = False  # the government's share was told and the committee not named since
    spans = list(_bounded(sentences(text), text))
    for i, (a, b) in enumerate(spans):
        sentence = text[a:b]
        if _HEADING_LINE.match(sentence) and i + 1 < len(spans):
            nxt = text[spans[i + 1][0] : spans[i + 1][1]]
            if _PLAN.search(nxt) or _plan_from(nxt) is not None:
                continue  # a news subtitle over a plan (听取审议8项专项工作报告 / …将安排听取审议…8个…)
        before, prev = prev, sentence
        if _COMMITTEE.search(sentence):
            handler = False
        carry = handler
        if _GOVERNMENT_SHARE.search(sentence):
            handler = True
        numbered = bool(_NUMBERED.match(sentence))
        if plan_list and numbered:
            continue
        plan_list = bool(_PLAN.search(sentence) or _NEXT_YEAR.search(sentence)) or (plan_list and numbered)
        if not _HAS_NUMBER.search(sentence):
            continue
        section = section_at(sections, a)
        period = sentence_period(sentence, section, report_type)
        if period is None:
            continue
        chosen = resolve(candidates_in(sentence, catalog, before, carry))
        by_metric: dict[str, list[Candidate]] = {}
        for c in chosen:
            by_metric.setdefault(c.pattern.metric, []).append(c)
        for metric, group in by_metric.items():
            for c in _sum_parallel(_drop_parts(group, sentence), sentence, catalog):
                key = (metric, c.value, period, c.unit)
                if key in seen:
                    continue
                seen.add(key)
                if _other_body(text[a : a + c.num_start]):
                    continue  # another body's count (乡镇人大…, 信访部门…): not the committee's
                topic = bool(_TOPIC_OPENING.match(sentence))
                facts.append((_fact(norm, metric, c, a, b, period, section, sentence), topic))
    return sorted(_drop_topic_parts(facts), key=lambda f: f.value_start)


def _other_body(before: str) -> bool:
    """Whether the count's clause (``before``: its sentence up to the number) has another body as its
    subject, or shares one from an earlier clause that no later subject (常委会…, 五级人大代表…) replaced."""
    others = list(_OTHER_SUBJECT.finditer(before))
    if not others:
        return False
    last_other = others[-1].end()
    inside = [(m.start(), m.end()) for m in others]
    starts = [m.end() for m in _CLAUSE_START.finditer(before)]

    def subject(pos: int) -> bool:  # near its clause's start, and not part of another body's name
        clause = max((x for x in starts if x <= pos), default=0)
        return pos - clause <= _SUBJECT_REACH and not any(x <= pos < y for x, y in inside)

    own = [m.start() for m in (*_OWN_SUBJECT.finditer(before), *_ALL_LEVELS.finditer(before))]
    return all(start < last_other for start in own if subject(start))


def _scope(before: str, c: Candidate) -> str | None:
    """all_levels when the count is the deputies' of every level (五级人大代表…), else None (the committee's).

    Read in the count's own clause (全市五级人大代表… in one clause, the committee's own count in the next),
    or, for a clause without a subject of its own, in the sentence before it: 五级人大代表…接待群众5362人次,
    收集意见建议2493条 shares the first clause's subject until another one (常委会…) takes over."""
    if _ALL_LEVELS.search(c.lead + c.pattern_text):
        return "all_levels"
    last_all = max((m.end() for m in _ALL_LEVELS.finditer(before)), default=-1)
    last_own = max((m.end() for m in _OWN_SUBJECT.finditer(before)), default=-1)
    return "all_levels" if last_all > last_own else None


def _fact(norm, metric, c: Candidate, a, b, period, section: Section, sentence: str) -> Fact:
    raw_a, raw_b = norm.raw_span(a, b)
    return Fact(
        metric=metric,
        value=float(c.value),
        unit=c.unit,
        qualifier=c.qualifier,
        period_start=period[0],
        period_end=period[1],
        evidence=norm.raw[raw_a:raw_b],
        evidence_start=a,
        evidence_end=b,
        value_text=norm.text[a + c.num_start : a + c.num_end],
        value_start=a + c.num_start,
        value_end=a + c.num_end,
        raw_start=raw_a,
        raw_end=raw_b,
        scope=_scope(norm.text[a : a + c.num_start], c),
        section=section.kind,
        pattern=c.pattern.pid + (f"+sum{c.parts}" if c.parts > 1 else ""),
    )
