"""Chart requests: what a page is showing, as a small value that pages, the URL and the briefing share.

A ChartRequest names a chart (kind, metric or category group, jurisdictions, period); resolve() turns it
into ChartData through the query layer and the chart builders.  The 简报导出 page resolves the very
requests the other pages added, so the slide shows the chart as it was configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from app import charts, db, queries
from app.charts import ChartData
from app.filters import Filters
from app.labels import (
    NATIONAL,
    category_order,
    category_zh,
    format_value,
    labels,
    level_zh,
    measure_zh,
    period_zh,
    qualifier_word,
    report_type_zh,
    scope_zh,
    tidy_text,
)

KINDS = ("trend", "terms", "compare", "category", "map")  # map: subject a metric, jurisdictions (parent,)
KIND_ZH = {"trend": "趋势", "terms": "届期合计", "compare": "对比", "category": "总览分类", "map": "地图"}


@dataclass(frozen=True)
class ChartRequest:
    kind: str  # trend | terms | compare | category
    subject: str  # a metric code, or an overview group title for kind='category'
    jurisdictions: tuple[str, ...]
    start: int
    end: int
    level: str = ""
    term_mode: str = "separate"  # trend only: separate | average
    part: str = ""  # category only: 'measure:unit' (charts.part_token), one chart per unit and kind

    def token(self) -> str:
        """A compact, URL-safe-enough text form: kind~subject~j1,j2~start~end~level~term_mode[~part]."""
        fields = [
            self.kind,
            self.subject,
            ",".join(self.jurisdictions),
            str(self.start),
            str(self.end),
            self.level,
            self.term_mode,
        ]
        return "~".join(fields + ([self.part] if self.part else []))

    @classmethod
    def from_token(cls, token: str) -> ChartRequest | None:
        """Parse token(); None for anything malformed (a hand-edited URL must not break the page)."""
        parts = str(token).split("~")
        if len(parts) not in (7, 8) or parts[0] not in KINDS:
            return None
        kind, subject, jurs, start, end, level, mode = parts[:7]
        part = parts[7] if len(parts) == 8 and charts.parse_part(parts[7]) else ""
        try:
            s, e = int(start), int(end)
        except ValueError:
            return None
        if not subject or s > e:
            return None
        return cls(
            kind,
            subject,
            tuple(j for j in jurs.split(",") if j),
            s,
            e,
            level,
            mode if mode in ("separate", "average") else "separate",
            part,
        )

    def describe(self) -> str:
        """A one-line Chinese description for lists.

        For example "趋势 · 任免国家机关工作人员 · 郑州市、鹤壁市 · 2018–2023年".
        """
        subject = self.subject
        if self.kind != "category":
            subject = metric_info(self.subject, self.jurisdictions).get("label_zh", self.subject)
        part = charts.parse_part(self.part) if self.part else None
        if part is not None:
            subject += f"（{part[1] or '—'}{'' if part[0] == 'flow' else '，' + measure_zh(part[0])}）"
        jurs = "、".join(self.jurisdictions[:4]) + ("等" if len(self.jurisdictions) > 4 else "")
        return f"{KIND_ZH[self.kind]} · {subject} · {jurs or '—'} · {period_zh(self.start, self.end)}"


def metric_info(code: str, places: Sequence[str] = ()) -> dict:
    """The metrics-table row for ``code`` as a dict (just the code when the catalog lacks it).

    ``places``: what the label will stand over.  The national committee makes 法律, not 地方性法规: for 全国
    alone the label is the catalog's label_zh_national (制定法律), for 全国 beside local places both
    (制定法律／制定地方性法规)."""
    cat = queries.metrics_catalog()
    row = cat[cat["code"] == code]
    if row.empty:
        return {"code": code, "label_zh": code, "unit": None, "category": None}
    info = row.iloc[0].to_dict()
    national = info.get("label_zh_national")
    if national and isinstance(national, str) and NATIONAL in places:
        local = any(p != NATIONAL for p in places)
        info["label_zh"] = f"{national}／{info['label_zh']}" if local else national
    return info


def group_categories(title: str) -> list[str]:
    for g in labels()["overview_groups"]:
        if g["title"] == title:
            return list(g["categories"])
    return []


def resolve(req: ChartRequest, points: pd.DataFrame | None = None) -> ChartData | None:
    """The chart a request describes, drawn from the current database (None when it cannot be drawn).

    ``points``: for a metric chart, metric_points() of the request's jurisdictions and period already
    fetched for several metrics at once (see points_for()); its rows of this metric are used.
    """
    if req.kind == "map":  # a parent's divisions coloured by one metric (app/geo.py)
        from app import geo

        return geo.request_chart(req)
    if req.kind == "category":
        pts = _category_points(req)
        if pts is None:
            return None
        part = charts.parse_part(req.part) if req.part else None
        return charts.category_chart(pts, req.subject, req.jurisdictions[0], (req.start, req.end), part)
    info = metric_info(req.subject, req.jurisdictions)
    f = Filters(jurisdictions=req.jurisdictions, year_from=req.start, year_to=req.end, metrics=(req.subject,))
    if points is not None:
        pts = points[points["metric"] == req.subject]
    else:
        pts = queries.metric_points(f) if req.jurisdictions else queries.metric_points(f).iloc[0:0]
    if req.kind == "trend":
        return charts.trend_chart(pts, info, (req.start, req.end), list(req.jurisdictions), req.term_mode)
    if req.kind == "terms":
        return charts.term_chart(pts, info)
    if req.kind == "compare":
        return _compare_chart(req, pts, info)
    return None


def _compare_chart(req: ChartRequest, points: pd.DataFrame | list[dict], info: dict) -> ChartData:
    return charts.compare_chart(
        points, info, (req.start, req.end), list(req.jurisdictions), level_zh(req.level) if req.level else ""
    )


def place_points(jurisdiction: str) -> pd.DataFrame:
    """Every chart point of one place: the one query behind 总览's cards and its category charts (a point is
    chosen per place, metric and period, so each part of this is what a narrower query would return).  Not
    narrowed by year, so a change of the sidebar's 年份 on 总览 finds it in the cache."""
    return queries.metric_points(Filters(jurisdictions=(jurisdiction,)))


def place_records(jurisdiction: str, up_to: int) -> list[dict]:
    """place_points() whose period begins by ``up_to``, without the parts (kind 'sub'), as row dicts made
    once a run: 总览's cards and its eight category groups read them (filtering the frame for each cost a
    copy of its 26 columns, ~1 ms a time, 50 times a run)."""
    memo = db.run_memo()
    key = ("place_records", jurisdiction, up_to, db.db_version())
    if memo is not None and key in memo:
        return memo[key]
    recs = [
        r
        for r in charts.records(place_points(jurisdiction))
        if r["kind"] != "sub" and r["period_start"] <= up_to
    ]
    if memo is not None:
        memo[key] = recs
    return recs


def _category_points(req: ChartRequest) -> list[dict] | None:
    cats = set(group_categories(req.subject))
    if not cats or not req.jurisdictions:
        return None
    jur = req.jurisdictions[0]
    return [
        r
        for r in place_records(jur, req.end)
        if r["category"] in cats
        and r["jurisdiction"] == jur
        and r["period_start"] == req.start
        and r["period_end"] == req.end
    ]


def category_requests(req: ChartRequest) -> list[tuple[ChartRequest, ChartData]]:
    """A category group's charts, one per unit and kind (never two units on one axis), with the request
    that draws each one (for 加入简报)."""
    recs = _category_points(req)
    if not recs:
        return []
    drawn = charts.category_charts(recs, req.subject, req.jurisdictions[0], (req.start, req.end))
    return [(replace(req, part=charts.part_token(part)), chart) for part, chart in drawn]


def points_for(reqs: list[ChartRequest], within: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """One metric_points() query for metric charts that differ only in their metric (same jurisdictions
    and period): what resolve(req, points=...) reads instead of a query per chart.  Each metric's rows are
    those of its own query (points are chosen per jurisdiction, metric and period).  None when the
    requests do not share jurisdictions and period.

    ``within``: metric_points() of a wider filter with the requests' period (more places or metrics, no
    other restriction); its rows of the requests' places and metrics are the same points, so no query."""
    if not reqs or any(r.kind == "category" for r in reqs):
        return None
    first = reqs[0]
    if any((r.jurisdictions, r.start, r.end) != (first.jurisdictions, first.start, first.end) for r in reqs):
        return None
    if not first.jurisdictions:
        return None
    metrics = tuple(dict.fromkeys(r.subject for r in reqs))
    if within is not None:
        return within[within["jurisdiction"].isin(first.jurisdictions) & within["metric"].isin(metrics)]
    f = Filters(jurisdictions=first.jurisdictions, year_from=first.start, year_to=first.end, metrics=metrics)
    return queries.metric_points(f)


def compare_charts(reqs: list[ChartRequest], points: pd.DataFrame) -> list[ChartData]:
    """resolve() of 对比's charts (kind 'compare', one metric each) from the points read for all of them
    (points_for()): their rows made into dicts once and split by metric, not once per chart."""
    by_metric: dict[str, list[dict]] = {}
    for r in charts.records(points):
        by_metric.setdefault(r["metric"], []).append(r)
    return [
        _compare_chart(req, by_metric.get(req.subject, []), metric_info(req.subject, req.jurisdictions))
        for req in reqs
    ]


def period_options(f: Filters) -> list[tuple[int, int]]:
    """Periods with facts under ``f``: single years first (latest first), then terms."""
    per = queries.periods(f)
    return [(int(r.period_start), int(r.period_end)) for r in per.itertuples()]


def period_coverage(f: Filters) -> dict[str, int]:
    """period_key → how many jurisdictions have facts for that period under ``f``."""
    per = queries.periods(f)
    return {
        period_key((int(r.period_start), int(r.period_end))): int(r.n_jurisdictions) for r in per.itertuples()
    }


def period_key(p: tuple[int, int]) -> str:
    return str(p[0]) if p[0] == p[1] else f"{p[0]}-{p[1]}"


def parse_period(raw: str) -> tuple[int, int]:
    a, _, b = str(raw).partition("-")
    return (int(a), int(b or a))


KIND_RANK = {"core": 0, "composite": 1, "extended": 2, "sub": 3}


def metric_order(catalog: pd.DataFrame) -> list[str]:
    """Metric codes with the headline ones first (labels.yaml order), then core, composite, extended, sub."""
    headline = labels()["headline_metrics"]
    ranked = sorted(
        catalog.itertuples(),
        key=lambda r: (
            headline.index(r.code) if r.code in headline else len(headline),
            KIND_RANK.get(r.kind, 9),
            r.code,
        ),
    )
    return [r.code for r in ranked]


def most_documented_category(counts: pd.DataFrame, categories: list[str]) -> str:
    """The category with the most chart points (ties: catalog order) — the 对比 page's default.

    ``counts`` is queries.point_counts() (per metric n_points, with its category).
    """
    per = counts.groupby("category")["n_points"].sum()
    return max(categories, key=lambda c: (per.get(c, 0), -categories.index(c)))


def default_metric(f: Filters, jurisdictions: list[str]) -> str | None:
    """The metric with the most values for these jurisdictions under ``f`` (趋势 and 简报导出 default)."""
    counts = queries.point_counts(f.with_(jurisdictions=tuple(jurisdictions), metrics=()))
    counts = counts[counts["kind"] != "sub"]
    if counts.empty:
        return None
    counts = counts.sort_values(["n_with_jurisdiction", "metric"], ascending=[False, True], kind="stable")
    return str(counts["metric"].iloc[0])


def headline_cards(jurisdiction: str, period: tuple[int, int], category: str | None = None) -> list[dict]:
    """总览's cards: the headline metrics (labels.yaml order) with a value in ``period``.

    Each card: row (the point), previous (last year's annual point in the same unit, or None),
    history (the metric's annual values up to this year, for the sparkline; empty for a term).
    """
    ps, pe = period
    recs = [r for r in place_records(jurisdiction, pe) if not category or r["category"] == category]
    now = {r["metric"]: r for r in recs if r["period_start"] == ps and r["period_end"] == pe}
    order = [c for c in labels()["headline_metrics"] if c in now]
    order += [c for c in now if c not in order][: max(0, 8 - len(order))]
    history: dict[tuple[str, str], list[dict]] = {}  # (metric, unit) → its annual points, oldest first
    if ps == pe:
        annual = [r for r in recs if r["period_start"] == r["period_end"]]
        for r in sorted(annual, key=lambda r: r["period_start"]):
            history.setdefault((r["metric"], r["unit"] or ""), []).append(r)
    cards = []
    for code in order:
        row = now[code]
        hist = history.get((code, row["unit"] or ""), [])
        prev = [r for r in hist if r["period_start"] == ps - 1]
        cards.append(
            {"row": row, "previous": prev[0] if prev else None, "history": [r["value"] for r in hist]}
        )
    return cards


def compare_table(points: pd.DataFrame, metrics: list[str], jurisdictions: list[str]) -> pd.DataFrame:
    """Jurisdictions × metrics, each cell the value as written ('≥210件'), '—' where the report is silent."""
    rows = points[points["metric"].isin(metrics)]
    labels_of = dict(zip(rows["metric"], rows["label_zh"], strict=False))
    cells = {
        (r["jurisdiction"], r["metric"]): format_value(r["value"], r["unit"], r["qualifier"])
        for r in charts.records(rows)
    }
    data = {
        labels_of.get(m, m): [cells.get((j, m), "—") for j in jurisdictions]
        for m in metrics
        if m in labels_of
    }
    return pd.DataFrame(data, index=pd.Index(jurisdictions, name="地区"))


def points_frame(chart: ChartData) -> pd.DataFrame:
    """The chart's data as a table for the screen (same as the XLSX sheet)."""
    return chart.long_frame()


# --- the 数据 page's table ---------------------------------------------------------------------------

SORTS = {
    "place": "地区、年份",
    "year_desc": "年份（新→旧）",
    "metric": "类别、指标",
    "value_desc": "数值（大→小）",
}
_SORT_COLUMNS = {
    "place": (["jurisdiction", "period_start", "period_end", "category_rank", "metric"], True),
    "year_desc": (["period_end", "period_start", "jurisdiction", "metric"], False),
    "metric": (["category_rank", "metric", "jurisdiction", "period_start"], True),
    "value_desc": (["value", "jurisdiction"], False),
}


def facts_display(rows: pd.DataFrame, sort: str = "place", contains: str = "") -> pd.DataFrame:
    """The facts as the 数据 page shows and downloads them: Chinese headers, chosen order, text search."""
    df = rows.copy()
    if contains:
        needle = contains.strip()
        mask = (
            df["evidence"].fillna("").str.contains(needle, regex=False)
            | df["label_zh"].fillna("").str.contains(needle, regex=False)
            | df["jurisdiction"].fillna("").str.contains(needle, regex=False)
        )
        df = df[mask]
    df["category_rank"] = df["category"].map(category_order)
    cols, ascending = _SORT_COLUMNS.get(sort, _SORT_COLUMNS["place"])
    df = df.sort_values(cols, ascending=ascending, kind="stable")
    out = pd.DataFrame(
        {
            "地区": df["jurisdiction"],
            "层级": df["level"].map(level_zh),
            "期间": [period_zh(a, b) for a, b in zip(df["period_start"], df["period_end"], strict=True)],
            "类别": df["category"].map(category_zh),
            "指标": df["label_zh"],
            "数值": df["value"],
            "已更正": df["corrected"].fillna(False).astype(bool) if "corrected" in df else False,
            "单位": df["unit"],
            "限定": df["qualifier"].map(qualifier_word),
            "范围": df["scope"].map(lambda s: scope_zh(s) if isinstance(s, str) else ""),
            "原文": df["evidence"].map(tidy_text),
            "报告类型": df["report_type"].map(report_type_zh),
            "来源文件": df["source_file"],
            "指标代码": df["metric"],
            "起始年": df["period_start"],
            "截止年": df["period_end"],
            "报告ID": df["report_id"],
            "事实ID": df["fact_id"],
            "更正ID": df["correction_id"].fillna("") if "correction_id" in df else "",
        }
    )
    return out.reset_index(drop=True)


def fact_link(report_id: str, fact_id: str) -> str:
    """The address of 报告 scrolled to a fact's sentence."""
    return f"/reports?report={report_id}&fact={fact_id}"


def fact_links(table: pd.DataFrame) -> pd.Series:
    """fact_link() of each row of a facts_display() table."""
    return pd.Series(
        [fact_link(r, f) for r, f in zip(table["报告ID"], table["事实ID"], strict=True)], index=table.index
    )


# --- the 更正记录 page's table --------------------------------------------------------------------------

ACTION_ZH = {"set": "更正", "reject": "驳回", "add": "补充", "revert": "撤销", "report": "报告信息"}
STATUS_ZH = {"applied": "生效", "orphaned": "失效（原数据已不存在）", "reverted": "已撤销"}
_FIELD_ZH = {"value": "数值", "metric": "指标", "unit": "单位", "qualifier": "限定", "scope": "范围",
             "jurisdiction": "地区", "level": "层级", "parent": "上级", "province": "省份",
             "report_type": "报告类型", "delivered": "报告日期"}  # fmt: skip
_NOTE_ZH = [
    ("the fact no longer exists", "这条数据在重建或替换报告后已不存在；更正保留在记录里，可据此重新更正"),
    ("its report is no longer in the database", "所属报告已被替换或移除"),
    ("its evidence sentence is no longer in the report", "原句已不在报告的新版本中"),
    ("its report's text is missing", "找不到所属报告的原文"),
    ("carried over to fact", "已自动转到报告新版本中的同一条数据"),
    ("the extractor now finds this fact too", "抽取程序现在也能找到这条数据，以分析员填写的为准"),
    ("no correction", "要撤销的更正不在记录中"),
]
BEIJING = pd.Timedelta(hours=8)


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _fact_words(row, metric_label: dict[str, str]) -> str:
    """'制定地方性法规 12件（2023年）' for the fact a reject or add concerns."""
    if _is_missing(row.get("fact_metric")):
        return ""
    label = metric_label.get(row["fact_metric"], row["fact_metric"])
    value = (
        "" if _is_missing(row.get("fact_value")) else format_value(row["fact_value"], row.get("fact_unit"))
    )
    ps, pe = row.get("fact_period_start"), row.get("fact_period_end")
    period = "" if _is_missing(ps) else f"（{period_zh(int(ps), int(pe))}）"
    return f"{label} {value}{period}".strip()


def _period_of(pair) -> str:
    start, end = pair
    return (
        "未定" if _is_missing(start) else period_zh(int(start), int(end if not _is_missing(end) else start))
    )


def change_words(row, metric_label: dict[str, str]) -> str:
    """A correction's effect in words.

    For example '数值 2 → 12；期间 2022年 → 2023年', '驳回：代表建议 358件（2023年）'.
    """
    import json

    action = row["action"]
    if action == "revert":
        return f"撤销更正 {row.get('target_correction_id') or ''}".strip()
    if action in ("reject", "add"):
        words = _fact_words(row, metric_label)
        return f"{ACTION_ZH[action]}：{words}" if words else str(row.get("summary") or "")
    try:
        changes = json.loads(row.get("changes") or "{}")
    except ValueError:
        return str(row.get("summary") or "")
    parts = []
    if "period_start" in changes or "period_end" in changes:
        ps = changes.get("period_start", [row.get("fact_period_start")] * 2)
        pe = changes.get("period_end", [row.get("fact_period_end")] * 2)
        parts.append(f"期间 {_period_of((ps[0], pe[0]))} → {_period_of((ps[1], pe[1]))}")
    for name, (old, new) in changes.items():
        if name in ("period_start", "period_end"):
            continue
        if name == "metric":
            old, new = metric_label.get(old, old), metric_label.get(new, new)
        elif name == "qualifier":
            old, new = qualifier_word(old), qualifier_word(new)
        elif name == "scope":
            old, new = scope_zh(old) if old else "—", scope_zh(new) if new else "—"
        elif name == "level":
            old, new = level_zh(old) if old else "—", level_zh(new) if new else "—"
        elif name == "report_type":
            old, new = report_type_zh(old) if old else "—", report_type_zh(new) if new else "—"
        elif name == "value":
            unit = None if _is_missing(row.get("fact_unit")) else row.get("fact_unit")
            units = changes.get("unit", [unit, unit])
            old, new = format_value(old, units[0]), format_value(new, units[1])
        parts.append(
            f"{_FIELD_ZH.get(name, name)} {old if old is not None else '—'} → "
            f"{new if new is not None else '—'}"
        )
    return "；".join(parts) or str(row.get("summary") or "")


def _note_zh(note) -> str:
    if _is_missing(note) or not note:
        return ""
    return next((zh for en, zh in _NOTE_ZH if str(note).startswith(en)), str(note))


def audit_display(log: pd.DataFrame, metric_label: dict[str, str]) -> pd.DataFrame:
    """The corrections log as the 更正记录 page shows and downloads it (newest first)."""
    if log.empty:
        return pd.DataFrame(
            columns=["时间（北京时间）", "分析员", "操作", "变更", "理由", "状态", "报告", "原文", "说明",
                     "更正ID", "事实ID", "报告ID"]
        )  # fmt: skip
    df = log.sort_values("seq", ascending=False)
    when = pd.to_datetime(df["at_utc"]) + BEIJING
    report = [
        "—"
        if _is_missing(f)
        else f"{j or ''} {'' if _is_missing(ps) else period_zh(int(ps), int(pe))}（{f}）".strip()
        for f, j, ps, pe in zip(
            df["source_file"],
            df["jurisdiction"],
            df["report_period_start"],
            df["report_period_end"],
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "时间（北京时间）": when.dt.strftime("%Y-%m-%d %H:%M").fillna("—"),
            "分析员": df["user_name"],
            "操作": df["action"].map(ACTION_ZH).fillna(df["action"]),
            "变更": [change_words(r, metric_label) for r in df.to_dict("records")],
            "理由": df["reason"],
            "状态": df["status"].map(STATUS_ZH).fillna(df["status"]),
            "报告": report,
            "原文": df["evidence"],
            "说明": df["status_note"].map(_note_zh),
            "更正ID": df["correction_id"],
            "事实ID": df["fact_id"],
            "报告ID": df["report_id"],
        }
    ).reset_index(drop=True)


# --- the 指标说明 page ------------------------------------------------------------------------------


def metric_definitions() -> list[dict]:
    """Every catalog metric as the 指标说明 page explains it: label, unit(s), kind, measure, and the
    catalog's example sentences: those that count (with the value read) and those that do not."""
    from etl.extract.catalog import load_catalog

    cat = load_catalog()
    counts = dict(zip(*(lambda c: (c["code"], c["n_facts"]))(queries.metrics_catalog()), strict=False))
    out = []
    for m in cat.metrics.values():
        counted = [e for e in m.examples if e.get("value") is not None]
        not_counted = [e for e in m.examples if e.get("value") is None]
        out.append(
            {
                "code": m.code,
                "category": m.category,
                "label_zh": m.label_zh,
                "units": "、".join(m.units),
                "kind": m.kind,
                "measure": m.measure,
                "n_facts": int(counts.get(m.code, 0)),
                "counts": [(str(e["text"]), e["value"]) for e in counted],
                "not_counted": [str(e["text"]) for e in not_counted],
            }
        )
    return sorted(out, key=lambda d: (category_order(d["category"]), KIND_RANK.get(d["kind"], 9), d["code"]))
