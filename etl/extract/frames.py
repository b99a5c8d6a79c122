"""Clause frames: a metric's lexicon (verbs, counted nouns) → the word orders reports use to state a count.

A catalog entry lists `frames`, each a small lexicon:

    frames:
      - verbs: [制定, 出台, 审议通过]          # what the committee did
                                               # (empty: the noun is the activity, 执法检查)
        nouns: [地方性法规, 法规, 条例]          # what was counted
        list_nouns: [常委会]                   # short forms allowed only inside a counted list
                                               # (主任会议12次、常委会7次)
        orders: [vnc, vcn, dui, list_verb, list_noun]   # default: every order that fits (see ORDERS)
        lacks: '修订|废止'                     # regex that must not occur in the matched words
        ...any pattern condition (lead_lacks, sentence_has …)

Each (frame, order) becomes one pattern of the catalog's pattern language; the orders are written once
here, for every metric, so a new wording of a known metric needs a word in the lexicon, not a regex:

    vnc        verb + modifiers + noun + count        制定地方性法规2件; 作出重要决议决定15项;
                                                      审议市"一府一委两院"专项工作报告40个
    vcn        verb + count + unit + noun            制定5部法律; 共召开9次会议; 制定《…》等3部地方性法规;
                                                      修改县乡两级人大代表选举实施细则等17部法规
    dui        对 + count + noun + … + 进行 + verb    对6部法律法规的实施情况进行了检查
    nvc        noun + verb + count (reversed)        开展规范性文件备案审查80件
    act        activity noun + count, count + noun   执法检查7项; 7项执法检查; 专项工作评议和满意度测评各1次
                                                      (frames without verbs)
    list_verb  noun + count continuing a list whose head states the verb   召开主任会议12次、常委会会议8次
    list_noun  verb + count continuing a list whose head states the noun   制定地方性法规2部、修改通过4部

The count itself ({N}{U}) and the rules that apply to every metric (plans, another body's work, parts of
a stated total, lists sharing one count) live in the catalog's pattern language and in extract.py.
"""

from __future__ import annotations

import re

ORDERS = ("vnc", "vcn", "dui", "nvc", "act", "list_verb", "list_noun")
FRAME_KEYS = {"verbs", "nouns", "list_nouns", "orders", "lacks", "units", "priority", "gap"}

# Words between a verb and its noun: modifiers inside one item of one clause (no digits, no clause or
# list punctuation); quoted names (“一府一委两院”) and titles (《…》) may hold anything but a clause end.
# A list of bodies may stand inside the modifiers
# (县人民政府及其组成部门、县人民法院、县人民检察院专项工作报告).
_BODIES = (
    r"(?:[^,，。;；:：!?！？\n\d、《》]{1,14}?(?:政府|法院|检察院|监察委员会|监委|部门|单位)(?:、|和|及))"
)
_MOD = (
    _BODIES + r"{0,4}(?:[^,，。;；:：!?！？\n\d、《》]|《[^》。;；\n]{1,40}》[、和及]?"
    r"|关于[^,，。;；:：!?！？\n\d]{1,40}?等){0,14}?"
)
# Between a count and its noun: a modifier (镇街中心, 村(社区)), never a second item
# (五次工作评议和两次专题询问).
_MOD_SHORT = r"(?:[^,，。;；:：!?！？\n\d、《》和及与“”\"]){0,8}?"
# Between a noun stated first and its verb (专项工作报告听取审议了9个; 群众来信来访共受理417件次).
_NV_GAP = r"(?:共|累计|全年|已|均|已经|一年来|先后|依法)*"
# What an activity noun stated first is done with (执法检查组织了5次; 专题询问开展两次).
_DOING = r"(?:共|累计|全年|先后)*(?:组织开展|开展|组织|进行|举行|召开)(?:了)?"
# Words between a noun and its count: function words only (共/累计/达…), and a batch count (11批53人次).
_FUNC = (
    r"(?:共|累计|合计|总计|计|达到|达|为|了|等|各|分别|先后|全年|一年来|总数|数量|总量|的|有|\s)*"
    r"(?:(?:\d+|[一二两三四五六七八九十]+)批次?)?"
)
_TITLES = r"(?:《[^》]{1,40}》[、和及]?){1,8}(?:等)?"
# A name written without 《》 and closed by 等 before the count (修改县乡两级人大代表选举实施细则等17部法规).
_NAMED_ETC = r"[^,，。;；:：!?！？\n\d、《》“”]{2,20}?等"
_LINK = r"(?:进行|开展|组织|作出|做出|作|予以|实施)?(?:了)?"
_ITEM_START = r"(?:(?<=[、,，;；])|(?<=^))(?:和|及|以及|与|并)?"


def _alt(words) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


def frame_templates(frame: dict) -> list[dict]:
    """The pattern sources of one frame: [{order, regex, inherit, heads, conditions}]."""
    unknown = set(frame) - FRAME_KEYS - _CONDITION_KEYS
    if unknown:
        raise ValueError(f"unknown frame keys {sorted(unknown)}")
    verbs = list(frame.get("verbs") or ())
    nouns = list(frame.get("nouns") or ())
    if not nouns:
        raise ValueError("a frame needs nouns")
    list_nouns = nouns + list(frame.get("list_nouns") or ())
    default = ["act"] if not verbs else ["vnc", "vcn", "dui", "nvc", "list_verb", "list_noun"]
    orders = list(frame.get("orders") or default)
    bad = [o for o in orders if o not in ORDERS]
    if bad:
        raise ValueError(f"unknown frame orders {bad}")
    V, X, XL = (_alt(verbs) if verbs else ""), _alt(nouns), _alt(list_nouns)
    conditions = {k: frame[k] for k in _CONDITION_KEYS if k in frame}
    out = []
    for order in orders:
        inherit, heads = None, ()
        src: str | list[str]
        if order == "vnc":
            src = f"{V}(?:了|到)?{_MOD}{X}{_FUNC}{{N}}{{U}}"
        elif order == "vcn":
            src = (
                f"{V}(?:了|到|的)?(?:“[^”]{{1,12}}”的?)?(?:{_TITLES}|{_NAMED_ETC})?(?:共|计)?{{N}}{{U}}"
                f'{_MOD_SHORT}(?:“[^”]{{1,12}}”)?[“"]?{X}'
            )
        elif order == "dui":
            src = (
                f"对{_MOD}(?:{_TITLES})?{{N}}{{U}}{_MOD_SHORT}{X}{_MOD}{_LINK}"
                f"(?:集中|全面|统一|逐件|认真|专项)?{V}"
            )
        elif order == "nvc":
            src = f"{X}{_NV_GAP}{V}(?:了|到)?{_FUNC}{{N}}{{U}}"
        elif order == "act":
            gap = _MOD_SHORT if frame.get("gap") else ""
            src = [
                f'{X}[”"]?(?:活动|工作)?{gap}{_FUNC}{{N}}{{U}}',
                f'{{N}}{{U}}{_MOD_SHORT}[“"]?{X}',
                f"{X}(?:活动|工作)?{_DOING}{{N}}{{U}}",
                # two activities with one count each (专项工作评议和满意度测评各1次)
                f"{X}(?:和|及|与)[^,，。;；:：!?！？\\n\\d、]{{2,10}}?各{{N}}{{U}}",
            ]
        elif order == "list_verb":
            src = [f"{_ITEM_START}{XL}{_FUNC}{{N}}{{U}}", f"{_ITEM_START}{{N}}{{U}}{_MOD_SHORT}{XL}"]
            inherit, heads = "verb", tuple(verbs)
        elif order == "list_noun":
            src = f"{_ITEM_START}{V}(?:\\([^)]{{1,4}}\\))?(?:了)?{{N}}{{U}}"
            inherit, heads = "noun", tuple(nouns)
        else:  # pragma: no cover - guarded above
            continue
        if order in ("vnc", "vcn", "dui", "nvc", "list_noun") and not verbs:
            continue
        for k, one in enumerate([src] if isinstance(src, str) else src):
            name = order if k == 0 else f"{order}{k + 1}"
            out.append(
                {"order": name, "regex": one, "inherit": inherit, "heads": heads, "conditions": conditions}
            )
    return out


# Conditions a frame may carry (the catalog's pattern conditions, plus `lacks` on the matched words).
_CONDITION_KEYS = {
    "sentence_has", "sentence_lacks", "lead_has", "lead_lacks", "tail_lacks", "prev_has", "prev_lacks",
    "lacks",
}  # fmt: skip


_SEP = re.compile(r"[、,，;；]")
# A count with its unit, in Arabic or Chinese numerals (执法检查7项, 专题调研五项, 修改二十一件次, 11批).
COUNTED_ITEM = re.compile(
    r"(?:\d|(?<![第每逐])[零〇一二两三四五六七八九十百千])[零〇一二两三四五六七八九十百千万亿.\d]*[余多]?\s?"
    r"(?:件次|人次|批次|[件项次个部名条期场家处人份篇批])"
)


def list_head_holds(sentence: str, start: int, heads: tuple[str, ...], max_items: int = 6) -> bool:
    """True when the text before ``start`` is a counted list whose head states one of ``heads``.

    ``召开主任会议12次、党组会议10次，`` before ``常委会会议8次``: the last head word (召开) starts a run of
    items each holding a count, separated by 、，；, and nothing else stands between.
    """
    prefix = sentence[max(0, start - 120) : start]
    at = max((prefix.rfind(h) for h in heads), default=-1)
    if at < 0:
        return False
    run = prefix[at:]
    items = [s for s in _SEP.split(run)]
    if items and not items[-1]:
        items = items[:-1]
    if not items or len(items) > max_items or not _SEP.search(run[-1:] or "x"):
        return False
    return all(COUNTED_ITEM.search(item) for item in items)
