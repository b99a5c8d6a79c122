"""The dashboard's write side: uploads and corrections, every one through the etl library, analysts only.

Pages never write the database.  They call the functions here, each of which first asks
``auth.require_analyst()`` (so a write re-checks the session's role on the server, whatever the page
showed) and then calls etl.ops.add or etl.ops.corrections, which lock, stage and swap the files.  Typed
library errors become one Chinese sentence that says what to do, with the library's own message kept
as the detail.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from app import auth, db, queries
from app.charts import report_label
from app.highlight import escape_md
from app.labels import format_value, level_zh, period_zh, report_type_zh
from etl import errors as etl_errors
from etl.extract.pipeline import ExtractedReport
from etl.ops.add import NEW, REPLACES, UNCHANGED, AddSummary, PlannedAdd, load_extracted, plan_add
from etl.ops.add import preview as _preview
from etl.ops.add import stage_upload as _stage_upload
from etl.read import DEFAULT_MAX_BYTES
from etl.store.corrections_log import QUALIFIERS, REPORT_TYPES, Correction, CorrectionError
from etl.write.lock import WriteLockTimeout

DEFAULT_LIBRARY = "data/corpus"  # the same default as `python -m etl add --library`
UPLOAD_TYPES = ["txt", "htm", "html", "pdf", "docx"]
LOCK_TIMEOUT = 30.0  # seconds a write waits for another writer before telling the analyst to retry

log = logging.getLogger("dashboard.manage")


# --- configuration -----------------------------------------------------------------------------------


def library_path() -> Path:
    """Where uploaded files are kept so a rebuild reproduces them: $CONGRESS_LIBRARY, else data/corpus."""
    return Path(os.environ.get("CONGRESS_LIBRARY") or DEFAULT_LIBRARY)


def max_bytes() -> int:
    """The upload size limit: $CONGRESS_MAX_MB megabytes, else the readers' default (50 MB)."""
    raw = os.environ.get("CONGRESS_MAX_MB")
    try:
        mb = float(raw) if raw else 0.0
    except ValueError:
        mb = 0.0
    return int(mb * 1024 * 1024) if mb > 0 else DEFAULT_MAX_BYTES


def corrections_file() -> Path:
    from etl.store.corrections_log import corrections_path

    return corrections_path(db.db_path())


# --- errors in words ---------------------------------------------------------------------------------

# (library message pattern, what the analyst reads).  The first match wins; the library's message stays
# beside it as the detail, so nothing is lost in translation.
_CORRECTION_WORDS = [
    (
        r"corrections --repair",
        "更正日志中有无法识别的行：请管理员运行 python -m etl corrections --repair（坏行另存，不会删除）。",
    ),
    (r"evidence does not occur", "原句在这份报告的原文中找不到：请从报告原文中逐字复制写明该数字的那一句。"),
    (
        r"does not appear in the evidence sentence",
        "这句原文中没有这个数值：请引用写明该数字的那一句，或核对数值。",
    ),
    (r"value text .* does not occur", "填写的数字写法不在这句原文中。"),
    (r"needs its evidence", "补充数据需要原文：请粘贴报告中写明该数字的句子。"),
    (r"needs a reason|needs a user", "请填写更正理由。"),
    (r"must be plain text", "理由请写成不超过 2000 字的纯文本。"),
    (r"unknown metric code", "未知的指标代码。"),
    (r"not in the division table", "这个地区不在行政区划表中：请写完整的正式名称，如“许昌市”“中原区”。"),
    (r"ambiguous \(", "这个地名对应多个行政区：请写完整的正式名称（如“郑州市中原区”的“中原区”）。"),
    (r"is not a date", "日期请写成 2024-01-13 的格式。"),
    (r"nothing to correct", "没有改动：报告已经是这些值。"),
    (r"no report with id", "数据库中没有这份报告（可能刚被替换），请刷新页面后重选。"),
    (r"nothing to correct", "没有要更正的内容：新填写的值与当前值相同。"),
    (r"already has this fact", "抽取结果里已经有这条数据：请在列表中选中它直接更正。"),
    (r"already added by correction", "这条数据已经补充过了。"),
    (r"was rejected by correction", "这条数据已被驳回：如需恢复，请在“更正记录”页撤销那条驳回。"),
    (r"already been reverted", "这条更正已经撤销过了。"),
    (r"is itself a revert", "不能撤销一条“撤销”：请重新做那次更正。"),
    (r"^period|years must be", "期间请写一个年份（2023）或起止年份（2018-2022）。"),
    (r"must be a finite number|is not a number", "数值必须是不小于 0 的数字。"),
    (r"^unit", "单位请按报告原文写（件、次、人次、% 等），不超过 10 个字。"),
    (r"^(qualifier|scope)", "限定或范围的取值无效。"),
    (r"no fact with id", "数据库中没有这条数据（可能刚被重建或替换）：请刷新页面后重选。"),
    (r"no report with id", "数据库中没有这份报告（可能刚被替换）：请刷新页面后重选。"),
    (r"other version of the normalizer", "这份报告是用旧版本程序构建的：请先重建数据库（make build）。"),
    (r"no database at", "还没有数据库：请先运行 make run 或 python -m etl build。"),
]


def _read_reason(exc: Exception) -> str:
    """One Chinese phrase for why a file was refused."""
    detail = getattr(exc, "reason", str(exc))
    if isinstance(exc, etl_errors.FileTooLargeError):
        if re.search(r"zip|compress|members|expand", detail, re.I):
            return "压缩内容展开后过大（疑似“压缩炸弹”），已拒绝"
        return f"文件过大（上限 {max_bytes() / 1048576:g} MB）"
    if isinstance(exc, etl_errors.NoTextLayerError):
        return "PDF 没有文字层（可能是扫描件）：请先做文字识别（OCR）再上传"
    if isinstance(exc, etl_errors.EmptyFileError):
        return "文件是空的"
    if isinstance(exc, etl_errors.BinaryFileError | etl_errors.UnsupportedFormatError):
        return "文件内容与扩展名不符，或不是支持的格式（txt、html、pdf、docx）"
    if isinstance(exc, etl_errors.UndecodableError):
        return "无法识别文字编码"
    if isinstance(exc, etl_errors.NotAReportError):
        return "看起来不是人大常委会工作报告（文中没有“人大”“常委会”等字样）"
    if re.search(r"hidden file|lock file|no usable name", detail):
        return "这个文件名不是报告文件（隐藏文件或编辑器的临时文件，构建时会跳过）：请改名后再上传"
    if "unsupported file type" in detail:
        return "不支持的文件类型：请上传 txt、html、pdf 或 docx"
    if "MB limit" in detail:
        return f"文件过大（上限 {max_bytes() / 1048576:g} MB）"
    return "无法读取这个文件"


def explain(exc: BaseException) -> str:
    """What went wrong with a write, in one sentence that says what to do (Markdown-safe)."""
    if isinstance(exc, auth.NotAuthorizedError):
        return str(exc)
    if isinstance(exc, WriteLockTimeout):
        head = "另一个写入（构建、上传或更正）正在进行，请稍后再试。"
    elif isinstance(exc, CorrectionError):
        msg = str(exc)
        head = next((zh for rx, zh in _CORRECTION_WORDS if re.search(rx, msg)), "无法记录这条更正。")
    elif isinstance(exc, etl_errors.EtlError):
        msg = str(exc)
        head = next((zh for rx, zh in _CORRECTION_WORDS if re.search(rx, msg)), "写入数据库失败。")
    else:
        head = "出现了意外错误，数据库没有改动。"
    return f"{head}（详情：{escape_md(str(exc))}）"


def attempt(call, *args, **kwargs):
    """Run one write: (result, None) on success, (None, message) when it failed; never raises.

    Unexpected exceptions are logged with their traceback; the analyst reads a sentence either way.
    """
    db.release()  # this run's read-only connection must not be open while the writer has the file
    try:
        return call(*args, **kwargs), None
    except (auth.NotAuthorizedError, etl_errors.EtlError) as exc:
        return None, explain(exc)
    except Exception as exc:  # noqa: BLE001 - the user gets a sentence, the log gets the traceback
        log.exception("write %s failed", getattr(call, "__name__", call))
        return None, explain(exc)


# --- uploads -----------------------------------------------------------------------------------------


@dataclass
class Upload:
    """One uploaded file after extraction: a report to preview, or the reason it was refused."""

    key: str  # the uploader's file id
    name: str
    size: int
    path: Path | None = None
    report: ExtractedReport | None = None
    problem: str | None = None  # why it was refused, in Chinese
    detail: str | None = None  # the library's message
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report is not None


def extract_upload(key: str, name: str, data: bytes) -> Upload:
    """Stage the bytes in a private temporary folder and extract them (no database write)."""
    started = time.monotonic()
    up = Upload(key, name, len(data))
    try:
        up.path = _stage_upload(name, data, max_bytes=max_bytes())
        up.report = _preview(up.path, max_bytes=max_bytes())
        up.warnings = list(up.report.warnings)
    except etl_errors.EtlError as exc:
        up.problem, up.detail = _read_reason(exc), getattr(exc, "reason", str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others; it is named
        log.exception("extracting upload %r failed", name)
        up.problem, up.detail = "读取时出现意外错误", f"{type(exc).__name__}: {exc}"
    if not up.ok:
        discard(up)
    up.seconds = time.monotonic() - started
    return up


def discard(up: Upload) -> None:
    """Remove an upload's staged copy (its private temporary folder)."""
    if up.path is not None and up.path.parent.name.startswith("etl-upload-"):
        shutil.rmtree(up.path.parent, ignore_errors=True)
    up.path = None


def plan(uploads: list[Upload]) -> dict[str, PlannedAdd]:
    """report_id → what loading it would do (new / unchanged / replaces), against the current database."""
    reports = [u.report for u in uploads if u.report is not None]
    if not reports:
        return {}
    return {p.report_id: p for p in plan_add(reports, db.db_path())}


# What the pages use from the library, through this module (pages import only app: .importlinter).
PLAN_NEW, PLAN_UNCHANGED, PLAN_REPLACES = NEW, UNCHANGED, REPLACES
REPORT_TYPE_CHOICES: tuple[str, ...] = REPORT_TYPES

ACTION_ZH = {NEW: "新报告", UNCHANGED: "未变化：相同内容已经载入", REPLACES: "新版本：将替换已载入的旧版本"}
OUTCOME_ZH = {
    "added": "已载入",
    "replaced": "已载入并替换旧版本",
    "unchanged": "未变化（相同内容已载入，没有改动）",
    "rejected": "未载入",
}


def load(uploads: list[Upload]) -> AddSummary:
    """Load previewed uploads through the library (analysts only); staged copies are removed afterwards."""
    user = auth.require_analyst()
    items = [(u.path, u.report) for u in uploads if u.report is not None and u.path is not None]
    summary = load_extracted(items, db.db_path(), library_path(), lock_timeout=LOCK_TIMEOUT)
    log.info(
        "analyst %s loaded %s",
        user,
        ", ".join(f"{o.file}: {o.status}" for o in summary.outcomes) or "nothing",
    )
    for u in uploads:
        discard(u)
    return summary


def replaced_label(report_id: str, source_file: str) -> str:
    """The loaded version an upload replaces, as a reader names it: place, period, title and date, with its
    file name last ('郑州市 · 2023年 · 《…工作报告》（2024年1月10日）· 文件 000_….txt'), never the hashed file
    name alone."""
    found = queries.report_meta(report_id)
    if found.empty:  # gone between the plan and this read: the file name is all there is
        return f"文件 {source_file}"
    row = found.iloc[0].to_dict()
    place = row.get("jurisdiction")
    place = str(place) if isinstance(place, str) and place else "地区待确认"
    period = period_zh(row.get("period_start"), row.get("period_end"))
    return f"{place} · {period} · {report_label(row)} · 文件 {source_file}"


def preview_meta(up: Upload) -> pd.DataFrame:
    """The report's metadata as the preview shows it (two columns: 项目, 内容)."""
    rep = up.report
    assert rep is not None
    m, d = rep.meta, rep.document
    rows = [
        ("标题", m.title or "—"),
        ("地区", m.jurisdiction or "未识别"),
        ("层级", level_zh(m.level) if m.level else "—"),
        ("上级", m.parent or "—"),
        ("省份", m.province or "—"),
        ("期间", period_zh(m.period_start, m.period_end) if m.period_start else "未识别"),
        ("类型", report_type_zh(m.report_type)),
        ("报告日期", f"{m.delivered:%Y年%m月%d日}" if m.delivered else "—"),
        (
            "文件",
            f"{d.source_file}（{d.file_format}{'，' + d.encoding if d.encoding else ''}，{up.size:,} 字节）",
        ),
        ("字数", f"{len(d.text):,}"),
        ("数据", f"{len(rep.facts)} 条"),
        ("报告ID", rep.report_id),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def preview_facts(up: Upload) -> pd.DataFrame:
    """The extracted facts, in text order, with their evidence sentences."""
    rep = up.report
    assert rep is not None
    labels = metric_labels()
    facts = sorted(rep.facts, key=lambda f: (f.value_start, f.metric))
    return pd.DataFrame(
        {
            "指标": [labels.get(f.metric, f.metric) for f in facts],
            "数值": [format_value(f.value, f.unit, f.qualifier) for f in facts],
            "期间": [period_zh(f.period_start, f.period_end) for f in facts],
            "原文": [f.evidence for f in facts],
            "指标代码": [f.metric for f in facts],
        }
    )


def version_diff(up: Upload, old_facts: pd.DataFrame) -> pd.DataFrame:
    """What a new version changes, per metric and period: old value → new value (as written), and whether
    it is 新增 / 删除 / 改变 / 不变.  ``old_facts``: queries.report_facts() of the report(s) it replaces."""
    rep = up.report
    assert rep is not None
    labels = metric_labels()

    def cells(rows) -> dict[tuple, list[str]]:
        out: dict[tuple, list[str]] = {}
        for metric, value, unit, qualifier, ps, pe in rows:
            out.setdefault((metric, ps, pe), []).append(format_value(value, unit, qualifier))
        return out

    new = cells((f.metric, f.value, f.unit, f.qualifier, f.period_start, f.period_end) for f in rep.facts)
    old = cells(
        zip(
            old_facts["metric"],
            old_facts["value"],
            old_facts["unit"],
            old_facts["qualifier"],
            [None if pd.isna(v) else int(v) for v in old_facts["period_start"]],
            [None if pd.isna(v) else int(v) for v in old_facts["period_end"]],
            strict=True,
        )
    )
    rows = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[1] or 0, k[2] or 0)):
        a, b = "、".join(sorted(old.get(key, []))), "、".join(sorted(new.get(key, [])))
        change = "新增" if not a else "删除" if not b else "不变" if a == b else "改变"
        rows.append({"指标": labels.get(key[0], key[0]), "期间": period_zh(key[1], key[2]),
                     "旧版本": a or "—", "新版本": b or "—", "变化": change})  # fmt: skip
    order = {"改变": 0, "新增": 1, "删除": 2, "不变": 3}
    df = pd.DataFrame(rows, columns=["指标", "期间", "旧版本", "新版本", "变化"])
    return df.sort_values("变化", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


@functools.cache
def metric_labels() -> dict[str, str]:
    """Metric code → Chinese label from the catalog (works before any database exists)."""
    from etl.extract.catalog import load_catalog

    return {m.code: m.label_zh for m in load_catalog().metrics.values()}


@functools.cache
def correctable_metrics() -> list[str]:
    """The metric codes a correction may use, in catalog order."""
    from etl.extract.catalog import load_catalog

    return [m.code for m in load_catalog().fact_metrics()]


# --- corrections -------------------------------------------------------------------------------------


def correct(
    fact_id: str,
    *,
    reason: str,
    value: float | None = None,
    metric: str | None = None,
    period: str | None = None,
    unit: str | None = None,
    qualifier: str | None = None,
) -> Correction:
    """Change a fact's value, metric, period, unit or qualifier (only the fields given)."""
    from etl.ops.corrections import correct_fact

    user = auth.require_analyst()
    return correct_fact(
        db.db_path(),
        fact_id,
        user=user,
        reason=reason,
        value=value,
        metric=metric,
        period=period,
        unit=unit,
        qualifier=qualifier,
        lock_timeout=LOCK_TIMEOUT,
    )


def correct_report_meta(
    report_id: str,
    *,
    reason: str,
    jurisdiction: str | None = None,
    period: str | None = None,
    report_type: str | None = None,
    delivered: str | None = None,
) -> Correction:
    """Set or confirm a report's jurisdiction, period, type or delivery date (only the fields given);
    logged with who and why like a fact correction, re-applied on every write."""
    from etl.ops.corrections import correct_report

    user = auth.require_analyst()
    return correct_report(
        db.db_path(),
        report_id,
        user=user,
        reason=reason,
        jurisdiction=jurisdiction,
        period=period,
        report_type=report_type,
        delivered=delivered,
        lock_timeout=LOCK_TIMEOUT,
    )


def reject(fact_id: str, *, reason: str) -> Correction:
    """Hide a wrong fact (it stays in the extracted facts and in the log)."""
    from etl.ops.corrections import reject_fact

    user = auth.require_analyst()
    return reject_fact(db.db_path(), fact_id, user=user, reason=reason, lock_timeout=LOCK_TIMEOUT)


def add_missing(
    report_id: str,
    *,
    metric: str,
    value: float,
    evidence: str,
    reason: str,
    period: str | None = None,
    unit: str | None = None,
    qualifier: str | None = None,
) -> Correction:
    """Add a fact the extractor missed; the library checks that its evidence is in the report's text."""
    from etl.ops.corrections import add_fact

    user = auth.require_analyst()
    return add_fact(
        db.db_path(),
        report_id,
        metric=metric,
        value=value,
        evidence=evidence,
        user=user,
        reason=reason,
        period=period,
        unit=unit,
        qualifier=qualifier,
        lock_timeout=LOCK_TIMEOUT,
    )


def revert(correction_id: str, *, reason: str) -> Correction:
    """Undo an earlier correction (both stay in the log)."""
    from etl.ops.corrections import revert_correction

    user = auth.require_analyst()
    return revert_correction(db.db_path(), correction_id, user=user, reason=reason, lock_timeout=LOCK_TIMEOUT)


QUALIFIER_CHOICES = list(QUALIFIERS)
