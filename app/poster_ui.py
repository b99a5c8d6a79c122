"""The 数说 poster's buttons on 总览 and 简报导出: made on request (Kaleido takes seconds), then
downloaded."""

from __future__ import annotations

import functools

import streamlit as st

from app import db, poster, poster_queries, state
from app.labels import period_zh


@st.cache_data(max_entries=32, show_spinner=False)
def _poster(jurisdiction: str, period: tuple[int, int], fmt: str, version) -> bytes:
    with db.cursor(version) as con:
        data = poster.poster_data(con, jurisdiction, period)
    return poster.render(data, fmt)


@st.cache_data(max_entries=8, show_spinner=False)
def _periods(version) -> list[tuple[str, tuple[int, int]]]:
    with db.cursor(version) as con:
        return poster.all_periods(con)


def _label(period: tuple[int, int]) -> str:
    return period_zh(*period) + ("" if period[0] == period[1] else "（届期合计）")


def poster_buttons(jurisdiction: str, period: tuple[int, int], key: str) -> None:
    """PNG (A4, 300 dpi) and PDF download buttons for this jurisdiction's poster; drawn when clicked."""
    from app.export import static_export_status

    ok, why = static_export_status()
    if not ok:
        st.caption(f"数说海报：{why}")
        return
    version = db.db_version()
    try:
        _check(jurisdiction, period, version)  # a poster with nothing on it is said here, not in a download
    except poster.PosterError as exc:
        st.caption(f"数说海报：{exc}")
        return
    stem = f"数说_{jurisdiction}_{period[0]}" + (f"-{period[1]}" if period[1] != period[0] else "")
    c1, c2, _ = st.columns([1, 1, 2])
    for col, fmt, mime in ((c1, "png", "image/png"), (c2, "pdf", "application/pdf")):
        col.download_button(
            f"数说海报 {fmt.upper()}",
            data=functools.partial(_poster, jurisdiction, period, fmt, version),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/photo:",
            key=f"{key}_{fmt}",
            help="一页 A4 海报：主要数字和单位、与上年比较（仅累计量）、小图、来源报告；点击后生成，需数秒",
        )


@st.cache_data(max_entries=64, show_spinner=False)
def _check(jurisdiction: str, period: tuple[int, int], version) -> None:
    with db.cursor(version) as con:
        if not poster_queries.has_points(con, jurisdiction, period):
            poster.poster_points(con, jurisdiction, period)  # raises, naming the years that have data


def poster_section(key: str = "ex_poster") -> None:
    """简报导出: choose any jurisdiction and period of the database, then make its poster."""
    options = _periods(db.db_version())
    if not options:
        return
    st.subheader("数说海报")
    places = list(dict.fromkeys(j for j, _ in options))
    # opens on the sidebar's place and years (one source of truth), where the database has a poster for them
    f = state.current_filters()
    wanted = next((j for j in f.jurisdictions if j in places), places[0])
    c1, c2 = st.columns(2)
    jur = c1.selectbox("地区", places, index=places.index(wanted), key=f"{key}_j")
    periods = [p for j, p in options if j == jur][::-1]  # latest first
    lo, hi = f.year_from or -9999, f.year_to or 9999
    first = next((i for i, p in enumerate(periods) if lo <= p[0] and p[1] <= hi), 0)
    period = c2.selectbox("年份 / 届期", periods, index=first, key=f"{key}_p", format_func=_label)
    poster_buttons(jur, period, key)
    st.divider()
