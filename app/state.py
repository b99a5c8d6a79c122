"""The shared sidebar filters and the URL ↔ widget-state round trip.

Widgets get their starting value from the URL the first time a session sees a key, afterwards from what
the user last chose (kept across page switches), and an invalid value falls back to the default instead
of raising.  At the end of every run dashboard.py writes the current state back to st.query_params, so
the address bar always reproduces the view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from app import db, queries
from app.filters import Filters
from app.labels import category_order, category_zh, kind_zh, level_order, level_zh

_RUN_PARAMS = "_url_params_this_run"
_CONSUMED = "_url_consumed"
_KEPT = "_kept_values"
_BOUNDS = "_year_bounds_seen"  # the data's first and last year when the year slider was last drawn
_REQUEST = "_page_request"  # (page, {widget key: value}) asked for by a click, followed by the next run


def _store(name: str, factory: Callable[[], Any]) -> Any:
    if name not in st.session_state:
        st.session_state[name] = factory()
    return st.session_state[name]


def begin_run() -> None:
    """Forget the URL parameters collected by the previous run (call first thing in dashboard.py)."""
    st.session_state[_RUN_PARAMS] = {}


def request_page(page: str | None, **values: Any) -> None:
    """Open ``page`` (None: stay) on the next run with these widget values (a click on a chart, a map).

    Safe in widget callbacks and after the widgets are drawn: the values are applied by follow_request()
    at the start of the next run, before any widget exists, then kept like a choice the user made.
    """
    st.session_state[_REQUEST] = (page, values)


def follow_request() -> None:
    """Apply a request_page() and switch to its page (dashboard.py calls it right after st.navigation)."""
    request = st.session_state.pop(_REQUEST, None)
    if not request:
        return
    page, values = request
    kept: dict = _store(_KEPT, dict)
    for key, value in values.items():
        st.session_state[key] = value
        kept[key] = value
    if page is not None:
        st.switch_page(page)


def _from_url(url_key: str, multi: bool, split: bool = True) -> Any:
    """The URL's value(s); a list for ``multi`` (repeated keys, and with ``split`` also a,b,c)."""
    if url_key not in st.query_params:
        return None
    if multi:
        values: list[str] = []
        for raw in st.query_params.get_all(url_key):
            values.extend(v for v in (raw.split(",") if split else [raw]) if v)
        return values
    return st.query_params.get(url_key)


def url_once(url_key: str, multi: bool = False, split: bool = True) -> Any:
    """The URL's value for ``url_key`` the first time this session asks, afterwards None."""
    consumed: set = _store(_CONSUMED, set)
    if url_key in consumed:
        return None
    consumed.add(url_key)
    return _from_url(url_key, multi, split)


def seed(
    key: str,
    url_key: str,
    options: Sequence[Any] | None,
    default: Any,
    *,
    multi: bool = False,
    parse: Callable[[Any], Any] | None = None,
) -> None:
    """Give widget ``key`` its value before it is drawn: live state, else kept state, else URL, else default.

    ``options`` (when given) validates the value; ``parse`` turns the URL's string(s) into the widget's type.
    """
    consumed: set = _store(_CONSUMED, set)
    kept: dict = _store(_KEPT, dict)
    if key in st.session_state:
        value = st.session_state[key]
    elif key in kept:
        value = kept[key]
    elif url_key not in consumed and url_key in st.query_params:
        raw = _from_url(url_key, multi)
        try:
            value = parse(raw) if parse else raw
        except (TypeError, ValueError):
            value = default
    else:
        value = default
    consumed.add(url_key)
    if options is not None:
        allowed = list(options)
        if multi:
            value = [v for v in (value or []) if v in allowed]
        elif value not in allowed:
            value = default if default in allowed else (allowed[0] if allowed else None)
    st.session_state[key] = value


def keep(key: str, url_key: str | None = None, to_url: Callable[[Any], Any] | None = None) -> Any:
    """Remember a widget's value across page switches and (with ``url_key``) put it in the URL."""
    value = st.session_state.get(key)
    _store(_KEPT, dict)[key] = value
    if url_key:
        set_param(url_key, to_url(value) if to_url else value)
    return value


def set_param(url_key: str, value: Any) -> None:
    """Put ``value`` in this run's URL (None, '' and [] leave it out)."""
    _store(_RUN_PARAMS, dict)[url_key] = value


def write_url() -> None:
    """Replace the query string with the state collected during this run."""
    params: dict[str, str | list[str]] = {}
    for k, v in _store(_RUN_PARAMS, dict).items():
        if v is None or v == "" or v == [] or v == ():
            continue
        params[k] = [str(x) for x in v] if isinstance(v, list | tuple) else str(v)
    if params == _url_now():
        return
    if params:
        st.query_params.from_dict(params)
    else:
        st.query_params.clear()  # from_dict({}) would not tell the browser


def _url_now() -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for k in st.query_params:
        values = st.query_params.get_all(k)
        out[k] = values if len(values) > 1 else values[0]
    return out


def parse_years(raw: Any) -> tuple[int, int]:
    """'2018-2022' → (2018, 2022); '2023' → (2023, 2023) (the URL's years; raises ValueError otherwise)."""
    a, _, b = str(raw).partition("-")
    lo, hi = int(a), int(b or a)
    return (min(lo, hi), max(lo, hi))


def years_key(years: Sequence[int]) -> str:
    """(2018, 2022) → '2018-2022'; (2023, 2023) → '2023' (the URL's form of a year range)."""
    lo, hi = int(years[0]), int(years[1])
    return str(lo) if lo == hi else f"{lo}-{hi}"


def years_for_period(period: tuple[int, int], f: Filters, terms: set[tuple[int, int]]) -> tuple[int, int]:
    """The sidebar's 年份 that makes 总览 show ``period``: a term is its own span; a year keeps the range's
    start (趋势 still sees the years before it) unless the range would then be one of ``terms``."""
    a, b = int(period[0]), int(period[1])
    if a != b:
        return (a, b)
    lo = a if f.year_from is None else min(int(f.year_from), a)
    return (lo, a) if lo == a or (lo, a) not in terms else (a, a)


# --- the sidebar -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Places:
    """The sidebar's place lists, made once per database version (not on every run: sorting and labelling
    3,179 places cost 10–15 ms a run at national scale)."""

    levels: list[str]  # highest first
    provinces: dict[str | None, list[str]]  # level (None: any) → its provinces, sorted
    names: dict[tuple[str | None, str | None], list[str]]  # (level, province) → places, level then name order
    label: dict[str, str]  # place → 郑州市（地市级）


@functools.lru_cache(maxsize=8)
def _places(version: db.DbVersion) -> _Places:
    jur = queries.jurisdictions()
    jur = jur.assign(_o=jur["level"].map(level_order)).sort_values(["_o", "name"])
    rows = list(zip(jur["name"], jur["level"], jur["province"], strict=True))
    levels = sorted({lv for _, lv, _ in rows if isinstance(lv, str)}, key=level_order)
    provinces: dict[str | None, list[str]] = {}
    names: dict[tuple[str | None, str | None], list[str]] = {}
    for level in (None, *levels):
        at = [r for r in rows if level is None or r[1] == level]
        provinces[level] = sorted({p for _, _, p in at if isinstance(p, str)})
        names[(level, None)] = [n for n, _, _ in at]
        for prov in provinces[level]:
            names[(level, prov)] = [n for n, _, p in at if p == prov]
    label = {n: f"{n}（{level_zh(lv if isinstance(lv, str) else None)}）" for n, lv, _ in rows}
    return _Places(levels, provinces, names, label)


def sidebar() -> Filters:
    """Draw the shared filters in the sidebar and return them (and register them for the URL)."""
    places = _places(db.db_version())
    catalog = queries.metrics_catalog()
    bounds = queries.year_bounds()
    sb = st.sidebar
    sb.markdown("### 筛选")

    # 1. level
    levels = places.levels
    seed("f_level", "level", ["", *levels], "")
    level = sb.selectbox(
        "层级",
        ["", *levels],
        key="f_level",
        format_func=lambda v: level_zh(v) if v else "全部层级",
        help="省级、地市级、县级分开比较，避免把区县和地市放在一起排名",
    )
    keep("f_level", "level")

    # 2. province
    level = level or None
    provinces = places.provinces.get(level, [])
    seed("f_province", "prov", ["", *provinces], "")
    province = sb.selectbox("省份", ["", *provinces], key="f_province", format_func=lambda v: v or "全部省份")
    keep("f_province", "prov")
    province = province or None

    # 3. jurisdictions
    names = places.names.get((level, province), [])
    seed("f_jurs", "j", names, [], multi=True)
    chosen = sb.multiselect(
        "地区",
        names,
        key="f_jurs",
        placeholder="全部地区",
        # Streamlit's bulk action reads "Select all" (English, no option to reword it); nothing chosen
        # already means all here
        select_all=False,
        format_func=places.label.__getitem__,
    )
    keep("f_jurs", "j")

    # 4. years
    y0, y1 = bounds if bounds else (2018, 2023)
    if y0 < y1:
        seed("f_years", "years", None, (y0, y1), parse=parse_years)
        lo, hi = st.session_state["f_years"]
        # After a write (an upload in this session, a build elsewhere) the data may reach further: a range
        # that ran to the old first or last year runs to the new one, so new data is selectable at once.
        seen = st.session_state.get(_BOUNDS)
        if seen is not None and tuple(seen) != (y0, y1):
            if int(hi) >= seen[1] and y1 > seen[1]:
                hi = y1
            if int(lo) <= seen[0] and y0 < seen[0]:
                lo = y0
        st.session_state[_BOUNDS] = (y0, y1)
        lo, hi = max(y0, min(int(lo), y1)), min(y1, max(int(hi), y0))
        st.session_state["f_years"] = (min(lo, hi), max(lo, hi))
        years = sb.slider("年份", min_value=y0, max_value=y1, key="f_years", step=1)
        keep("f_years", "years", to_url=lambda v: None if tuple(v) == (y0, y1) else years_key(v))
    else:
        years = (y0, y1)
        sb.caption(f"年份：{y0}年（数据库只有这一年）")

    # 5. category
    with_facts = catalog[catalog["n_facts"] > 0]
    cats = sorted({c for c in with_facts["category"].dropna()}, key=category_order)
    seed("f_cat", "cat", ["", *cats], "")
    category = sb.selectbox(
        "类别", ["", *cats], key="f_cat", format_func=lambda c: category_zh(c) if c else "全部类别"
    )
    keep("f_cat", "cat")
    category = category or None

    # 6. metrics
    pool = with_facts if category is None else with_facts[with_facts["category"] == category]
    pool = pool.assign(_o=pool["category"].map(category_order)).sort_values(["_o", "kind", "code"])
    label_of = dict(zip(catalog["code"], catalog["label_zh"], strict=False))
    meta = {r.code: r for r in catalog.itertuples()}
    codes = pool["code"].tolist()
    seed("f_metrics", "m", codes, [], multi=True)

    def metric_label(code: str) -> str:
        r = meta.get(code)
        extra = "" if r is None or r.kind == "core" else f"·{kind_zh(r.kind)}"
        cat = "" if category is not None or r is None else f"〔{category_zh(r.category)}〕"
        return f"{cat}{label_of.get(code, code)}{extra}"

    metrics = sb.multiselect(
        "指标",
        codes,
        key="f_metrics",
        placeholder="该类别全部指标",
        format_func=metric_label,
        select_all=False,  # as for 地区: none chosen means all
    )
    keep("f_metrics", "m")

    return Filters(
        level=level,
        province=province,
        jurisdictions=tuple(chosen),
        year_from=int(years[0]),
        year_to=int(years[1]),
        category=category,
        metrics=tuple(metrics),
    )


def current_filters() -> Filters:
    """The filters the sidebar drew in this run (pages call this)."""
    return st.session_state.get("_filters") or Filters()


def jurisdictions_in_scope(f: Filters) -> list[str]:
    """The jurisdictions the filters select: the chosen ones, else all matching level and province."""
    if f.jurisdictions:
        return list(f.jurisdictions)
    return list(_scope(db.db_version(), f.level, f.province))


@functools.lru_cache(maxsize=64)
def _scope(version: db.DbVersion, level: str | None, province: str | None) -> tuple[str, ...]:
    """jurisdictions_in_scope() of a level and province, made once per database version."""
    jur = queries.jurisdictions()
    if level is not None:
        jur = jur[jur["level"] == level]
    if province is not None:
        jur = jur[jur["province"] == province]
    # Highest level first, then the best documented: the overview's default is then e.g. 郑州市, not a
    # district.
    jur = jur.assign(_o=jur["level"].map(level_order)).sort_values(
        ["_o", "n_reports", "name"], ascending=[True, False, True]
    )
    return tuple(jur["name"].tolist())
