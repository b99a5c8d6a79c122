"""数据管理, corrections and 更正记录 under AppTest, on a real database built in a temporary folder.

Every write goes through the real library (etl.ops.add, etl.ops.corrections) into tmp_path: the report
library and the database are a copy of data/corpus with one report held back for uploading.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tomllib
import zipfile

import bcrypt
import pytest
from conftest import (
    ANALYST,
    CORPUS,
    HELD_BACK,
    PASSWORD,
    ROOT,
    analyst_secrets,
    assert_clean,
    fetch,
    figures,
    html_bodies,
    login,
    open_app,
    page_text,
    widget_keys,
    writable_corpus,
)

MANAGE = "pages/manage_page.py"
WRITE_WIDGETS = ("mg_", "au_", "rp_correct")


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    return writable_corpus(tmp_path, monkeypatch)


def analyst_app(corpus, monkeypatch, page: str = "overview"):
    at = open_app(corpus["db"], monkeypatch, page, secrets=analyst_secrets())
    at = login(at)
    assert_clean(at)
    return at


def upload(at, *files):
    """Put files into the 数据管理 uploader and rerun (extraction runs during that run)."""
    at.switch_page(MANAGE).run()
    at.radio(key="mg_section").set_value("upload").run()
    uploader = at.file_uploader[0]
    for name, data in files:
        uploader.upload(name, data, "application/octet-stream")
    return at.run()


def fact_id(db, jurisdiction: str, metric: str, year: int) -> str:
    rows = fetch(
        db,
        "select f.fact_id from facts_current f join reports r using (report_id) where r.jurisdiction = ? "
        "and f.metric = ? and f.period_start = ? and f.period_end = ? and r.report_type = 'annual_report'",
        [jurisdiction, metric, year, year],
    )
    assert len(rows) == 1, rows
    return rows[0][0]


def data_table(at):
    at.switch_page("pages/data_page.py").run()
    assert_clean(at)
    return at.dataframe[0].value


def write_widgets(at) -> set[str]:
    return {k for k in widget_keys(at) if k.startswith(WRITE_WIDGETS)}


# --- who may write -------------------------------------------------------------------------------------


def test_a_viewer_cannot_reach_upload_or_correction(corpus, monkeypatch):
    secrets = analyst_secrets()
    # by URL: /manage tells a viewer 请先登录, with the login form, and offers no write action
    at = open_app(corpus["db"], monkeypatch, "manage", secrets=secrets)
    assert_clean(at)
    assert at.title[0].value == "数据管理"
    assert "请先登录" in at.warning[0].value
    assert at.button(key="lg_submit")
    assert not at.file_uploader and not write_widgets(at)
    # and signing in there opens the real page at the same address
    at.text_input(key="lg_user").input(ANALYST)
    at.text_input(key="lg_password").input(PASSWORD)
    at.button(key="lg_submit").click().run()
    assert_clean(at)
    assert at.title[0].value == "数据管理" and not any("请先登录" in w.value for w in at.warning)
    assert "lg_submit" not in widget_keys(at) and at.file_uploader
    # the pages that are open show no write action either
    for page in ("reports", "data", "corrections"):
        at = open_app(corpus["db"], monkeypatch, page, secrets=secrets)
        assert_clean(at)
        assert not at.file_uploader and not write_widgets(at), page
    # running the page's script on its own (no navigation, no sidebar) still shows no action
    from streamlit.testing.v1 import AppTest

    direct = AppTest.from_file(str(ROOT / MANAGE), default_timeout=60)
    direct.secrets = secrets
    direct.run()
    assert not direct.exception
    assert direct.title[0].value == "数据管理"
    assert "只对登录的分析员开放" in direct.warning[0].value
    assert not direct.file_uploader and not write_widgets(direct)


def test_wrong_password_is_refused_and_repeated_failures_lock_the_form(corpus, monkeypatch):
    at = open_app(corpus["db"], monkeypatch, secrets=analyst_secrets())
    at = login(at, ANALYST, "wrong password")
    assert "用户名或密码错误" in at.error[0].value
    at = login(at, "mallory", PASSWORD)
    assert "用户名或密码错误" in at.error[0].value
    with pytest.raises(ValueError):  # the page is not registered for this session: nothing to switch to
        at.switch_page(MANAGE)
    for _ in range(3):
        at = login(at, ANALYST, "still wrong")
    at = login(at, ANALYST, PASSWORD)  # the right password, but after five failures the form waits
    assert "错误次数过多" in at.error[0].value
    assert "auth_logout" not in widget_keys(at)


def test_no_analysts_configured_says_how_to_add_one(corpus, monkeypatch):
    at = open_app(corpus["db"], monkeypatch, secrets={"analysts": {}})
    assert_clean(at)
    assert any("尚未配置分析员账号" in c.value for c in at.sidebar.caption)
    at = login(at)
    assert "还没有配置分析员账号" in at.error[0].value
    from streamlit.testing.v1 import AppTest

    direct = AppTest.from_file(str(ROOT / MANAGE), default_timeout=60)
    direct.secrets = {"analysts": {}}
    direct.run()
    assert "python -m app.auth hash" in direct.info[0].value and "[analysts]" in direct.info[0].value


def test_login_then_logout_and_revoked_analysts_lose_access(corpus, monkeypatch):
    at = analyst_app(corpus, monkeypatch)
    assert f"已登录分析员：**{ANALYST}**" in [c.value for c in at.sidebar.caption]
    at.switch_page(MANAGE).run()
    assert at.title[0].value == "数据管理" and at.file_uploader
    # the analyst is removed from secrets.toml: the next run no longer lets the session in
    at.secrets = {"analysts": {"bob": analyst_secrets("bob")["analysts"]["bob"]}}
    at.run()
    assert any("请先登录" in w.value for w in at.warning) and not at.file_uploader
    # logging out does the same
    at = analyst_app(corpus, monkeypatch)
    at.button(key="auth_logout").click().run()
    assert "auth_logout" not in widget_keys(at)
    with pytest.raises(ValueError):
        at.switch_page(MANAGE)


def test_every_write_checks_the_role_on_the_server(corpus, monkeypatch):
    """Called without an analyst session (as a forged request would be), the write never reaches the
    library."""
    from app import auth, manage

    fid = fact_id(corpus["db"], "郑州市", "appointments.personnel", 2023)
    before = corpus["db"].stat().st_mtime_ns
    for call in (
        lambda: manage.correct(fid, reason="x", value=1),
        lambda: manage.reject(fid, reason="x"),
        lambda: manage.add_missing("r", metric="deputies.suggestions", value=1, evidence="x", reason="x"),
        lambda: manage.revert("c1", reason="x"),
        lambda: manage.load([]),
    ):
        with pytest.raises(auth.NotAuthorizedError):
            call()
    assert corpus["db"].stat().st_mtime_ns == before
    assert not corpus["log"].exists()


def test_password_check():
    from app.auth import verify

    analysts = analyst_secrets()["analysts"]
    assert verify(ANALYST, PASSWORD, analysts)
    assert verify(f"  {ANALYST} ", PASSWORD, analysts)  # a stray space in the name field
    assert not verify(ANALYST, PASSWORD + "x", analysts)
    assert not verify(ANALYST, "", analysts)
    assert not verify("bob", PASSWORD, analysts)
    assert not verify(ANALYST, "长" * 30, analysts)  # 90 bytes: past bcrypt's 72, never a match
    assert not verify(ANALYST, PASSWORD, {ANALYST: "$2b$12$not-a-real-hash"})


def test_hash_command_prints_a_bcrypt_hash():
    run = subprocess.run(
        [sys.executable, "-m", "app.auth", "hash", "--user", "alice", "--rounds", "4"],
        input="a long enough password\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    table = tomllib.loads("[analysts]\n" + run.stdout)["analysts"]
    hashed = table["alice"]
    assert list(table) == ["alice"] and hashed.startswith("$2b$04$")
    assert bcrypt.checkpw(b"a long enough password", hashed.encode())
    short = subprocess.run(
        [sys.executable, "-m", "app.auth", "hash"], input="short\n", capture_output=True, text=True, cwd=ROOT
    )
    assert short.returncode == 2 and "至少" in short.stderr
    long = subprocess.run(
        [sys.executable, "-m", "app.auth", "hash"],
        input="长" * 30 + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert long.returncode == 2 and "72" in long.stderr


@pytest.mark.parametrize("user", ["王分析", "bob.smith", 'say "hi"', "a b", "alice"])
def test_hash_command_prints_a_valid_toml_line_for_any_user_name(user):
    """A Chinese or dotted name printed bare breaks secrets.toml (尚未配置分析员账号): it is always quoted."""
    run = subprocess.run(
        [sys.executable, "-m", "app.auth", "hash", "--user", user, "--rounds", "4"],
        input="a long enough password\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.strip().splitlines()) == 1
    table = tomllib.loads("[analysts]\n" + run.stdout)["analysts"]
    assert list(table) == [user]
    assert bcrypt.checkpw(b"a long enough password", table[user].encode())


# --- uploads -------------------------------------------------------------------------------------------


def test_upload_preview_confirm_then_the_same_file_is_unchanged(corpus, monkeypatch):
    at = analyst_app(corpus, monkeypatch)
    assert "鹤壁市" not in set(data_table(at)["地区"])
    held = corpus["held_back"]
    at = upload(at, (held.name, held.read_bytes()))
    assert_clean(at)

    # the preview: metadata, the facts with their sentences, and that the report is new
    assert len(at.expander) == 1 and "新报告" in at.expander[0].label and "21 条数据" in at.expander[0].label
    meta, facts = at.dataframe[0].value, at.dataframe[1].value
    assert dict(zip(meta["项目"], meta["内容"], strict=True))["地区"] == "鹤壁市"
    row = facts[facts["指标代码"] == "appointments.personnel"].iloc[0]
    assert row["数值"] == "102人次" and "102人次" in row["原文"]
    assert any("由正文地名推断" in w.value for w in at.warning)  # the extractor's warning
    assert at.checkbox[0].value is True
    assert fetch(corpus["db"], "select count(*) from reports")[0][0] == 4  # nothing written yet

    # confirm: the library loads it; the Data page shows it
    at.button(key="mg_confirm").click().run()
    assert_clean(at)
    assert "已载入 1 份报告" in at.success[0].value
    assert not at.expander  # the uploader starts empty again
    table = data_table(at)
    jur = table[table["地区"] == "鹤壁市"]
    assert len(jur) == 21 and set(jur["来源文件"]) == {held.name}
    assert (corpus["library"] / held.name).read_bytes() == held.read_bytes()

    # the same content again: recognized, unchecked, and loading it changes nothing
    mtime = corpus["db"].stat().st_mtime_ns
    at = upload(at, ("copy-" + held.name, held.read_bytes()))
    assert "未变化" in at.expander[0].label
    assert at.checkbox[0].value is False and at.button(key="mg_confirm").disabled
    at.checkbox[0].check().run()
    at.button(key="mg_confirm").click().run()
    assert "没有新的数据需要载入" in at.info[0].value and "未变化" in at.info[0].value
    assert corpus["db"].stat().st_mtime_ns == mtime


def test_a_new_version_replaces_the_old_report(corpus, monkeypatch):
    at = analyst_app(corpus, monkeypatch)
    name = "000_c08ffb83924445c9.txt"
    text = (corpus["library"] / name).read_text(encoding="utf-8").replace("303人次", "305人次")
    at = upload(at, (name, text.encode("utf-8")))
    assert "新版本" in at.expander[0].label
    replaces = next(c.value for c in at.caption if "将替换" in c.value).replace("\\", "")  # unescape md
    # the old version named as a reader knows it (place, period, title, date), its file name only last
    old = fetch(corpus["db"], "select title, delivered from reports where source_file = ?", [name])[0]
    assert "郑州市" in replaces and "2023年" in replaces and old[0] in replaces
    assert f"{old[1]:%Y年%-m月%-d日}" in replaces
    assert replaces.index(old[0]) < replaces.index(name)
    # what the new version changes, per metric: old value → new value, the changed ones first
    diff = at.dataframe[0].value
    first = diff.iloc[0]
    assert (first["指标"], first["期间"], first["旧版本"], first["新版本"], first["变化"]) == (
        "任免国家机关工作人员",
        "2023年",
        "303人次",
        "305人次",
        "改变",
    )
    assert set(diff["变化"][1:]) == {"不变"}
    assert any("1 项有变化" in m.value for m in at.markdown)
    at.button(key="mg_confirm").click().run()
    done = at.success[0].value.replace("\\", "")
    assert "已载入并替换旧版本" in done
    # the confirmation names the replaced version as the preview did, not by its file name alone
    replaced = done.split("替换了 ", 1)[1]
    assert "郑州市" in replaced and old[0] in replaced and replaced.index(old[0]) < replaced.index(name)
    table = data_table(at)
    rows = table[(table["地区"] == "郑州市") & (table["指标代码"] == "appointments.personnel")]
    assert 305 in set(rows["数值"]) and 303 not in set(rows["数值"])
    assert fetch(corpus["db"], "select count(*) from reports")[0][0] == 4


def _docx_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("word/media/zeros.bin", b"\0" * (20 << 20))
    return buf.getvalue()


def _scanned_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for _ in range(3):
        c.rect(100, 100, 200, 200, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_bad_files_are_refused_by_name_and_the_good_one_still_loads(corpus, monkeypatch):
    monkeypatch.setenv("CONGRESS_MAX_MB", "1")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 2000
    at = analyst_app(corpus, monkeypatch)
    held = corpus["held_back"]
    at = upload(
        at,
        ("huge.txt", "人大常委会".encode() * 120_000),  # 1.7 MB
        ("photo.pdf", png),  # a PNG under a .pdf name
        ("bomb.docx", _docx_bomb()),
        ("scan.pdf", _scanned_pdf()),
        ("notes.txt", "今天天气很好，我们去公园散步。".encode()),
        (held.name, held.read_bytes()),
    )
    assert not at.exception and len(at.error) == 1
    refused = at.error[0].value
    for name, reason in [
        ("huge", "文件过大"),
        ("photo", "与扩展名不符"),
        ("bomb", "压缩"),
        ("scan", "没有文字层"),
        ("notes", "不是人大常委会工作报告"),
    ]:
        line = next(ln for ln in refused.splitlines() if name in ln)
        assert reason in line, line
    assert len(at.expander) == 1 and "新报告" in at.expander[0].label
    at.button(key="mg_confirm").click().run()
    assert "已载入 1 份报告" in at.success[0].value
    assert fetch(corpus["db"], "select count(*) from reports")[0][0] == 5


# --- corrections ---------------------------------------------------------------------------------------


def choose_fact(at, fid: str):
    at.switch_page(MANAGE).run()
    at.radio(key="mg_section").set_value("correct").run()
    report = sql_report_of(at, fid)
    at.selectbox(key="mg_r").set_value(report).run()
    fact_select(at).set_value(fid).run()
    assert_clean(at)
    return at


def fact_select(at):
    """The 数据管理 page's fact list (its key changes after every write, its label does not)."""
    return next(s for s in at.selectbox if s.label.startswith("数据（本报告"))


def sql_report_of(at, fid: str) -> str:
    import os

    return fetch(os.environ["CONGRESS_DB"], "select report_id from facts_current where fact_id = ?", [fid])[
        0
    ][0]


def test_correct_reject_revert_and_the_audit_lists_them(corpus, monkeypatch):
    db = corpus["db"]
    fid = fact_id(db, "郑州市", "appointments.personnel", 2023)
    wrong = fact_id(db, "郑州市", "deputies.suggestions", 2023)
    at = analyst_app(corpus, monkeypatch)

    # correct a value: a reason is required, then the new value shows everywhere, marked
    at = choose_fact(at, fid)
    at.text_input(key=f"mg_c_value_{fid}").input("310")
    at.button(key=f"mg_c_submit_{fid}").click().run()
    assert "请填写更正理由" in at.error[0].value
    at.text_area(key=f"mg_c_reason_{fid}").input("原文为310人次，抽取有误")
    at.button(key=f"mg_c_submit_{fid}").click().run()
    assert_clean(at)
    assert "已更正这条数据" in at.success[0].value and ANALYST in at.success[0].value
    assert any("已更正" in h for h in html_bodies(at))  # the fact card
    assert fact_select(at).value == fid
    assert "任免国家机关工作人员：310人次 · 2023年（已更正）" in fact_select(at).options
    table = data_table(at)
    row = table[table["事实ID"] == fid].iloc[0]
    assert row["数值"] == 310 and bool(row["已更正"]) and row["更正ID"]
    assert "已由分析员更正或补充" in page_text(at)
    from app.export import frame_bytes

    csv = frame_bytes(table, "csv").decode("utf-8-sig").splitlines()
    assert "已更正" in csv[0].split(",") and any(fid in line and ",是," in line for line in csv[1:])

    at.switch_page("pages/overview_page.py").run()
    cards = {m.label: m.value for m in at.metric}
    assert cards["任免国家机关工作人员（已更正）"] == "310人次"
    at.switch_page("pages/trends_page.py").run()
    at.sidebar.multiselect(key="f_metrics").select("appointments.personnel").run()
    spec = json.dumps(figures(at), ensure_ascii=False)
    assert "已更正" in spec and "含 1 个已更正的数值" in spec
    at.sidebar.multiselect(key="f_metrics").set_value([]).run()

    # reject a wrong fact: it disappears
    at = choose_fact(at, wrong)
    at.text_area(key=f"mg_r_reason_{wrong}").input("这是计划数")
    at.button(key=f"mg_r_submit_{wrong}").click().run()
    assert "已驳回这条数据" in at.success[0].value
    assert wrong not in set(data_table(at)["事实ID"])

    # the audit: who, what, old → new, why, status — for everyone, read only
    at.switch_page("pages/audit_page.py").run()
    assert_clean(at)
    audit = at.dataframe[0].value
    assert list(audit["操作"]) == ["驳回", "更正"]
    assert set(audit["分析员"]) == {ANALYST}
    assert audit.iloc[1]["变更"] == "数值 303人次 → 310人次"
    assert audit.iloc[0]["变更"].startswith("驳回：代表建议 358")
    assert list(audit["理由"]) == ["这是计划数", "原文为310人次，抽取有误"]
    assert set(audit["状态"]) == {"生效"}
    viewer = open_app(db, monkeypatch, "corrections", secrets=analyst_secrets())
    assert len(viewer.dataframe[0].value) == 2 and not write_widgets(viewer)

    # an analyst may undo the reject there: the fact is back, the log keeps both
    at.selectbox(key="au_cid").set_value(audit.iloc[0]["更正ID"])
    at.text_area(key="au_reason").input("误驳回")
    at.button(key="au_submit").click().run()
    assert_clean(at)
    assert "已撤销更正" in at.success[0].value
    assert list(at.dataframe[0].value["状态"]) == ["生效", "已撤销", "生效"]
    assert wrong in set(data_table(at)["事实ID"])
    assert len(corpus["log"].read_text(encoding="utf-8").splitlines()) == 3


def test_the_reports_page_leads_an_analyst_to_the_fact_to_correct(corpus, monkeypatch):
    fid = fact_id(corpus["db"], "郑州市", "appointments.personnel", 2023)
    at = analyst_app(corpus, monkeypatch, "reports")
    at.selectbox(key="rp_r").set_value(sql_report_of(at, fid)).run()
    at.selectbox(key="rp_f").set_value(fid).run()
    at.button(key="rp_correct").click().run()
    assert_clean(at)
    assert at.title[0].value == "数据管理"
    assert fact_select(at).value == fid
    assert f"mg_c_submit_{fid}" in widget_keys(at)


XSS_REPORT = """洛阳市人民代表大会常务委员会工作报告
——2024年1月12日在洛阳市第十六届人民代表大会第三次会议上
各位代表：
现在，我代表市人大常委会向大会报告工作，请予审议。
一、2023年主要工作
过去一年，常委会共召开常委会会议8次，制定地方性法规3件<script>alert(1)</script>，听取审议工作报告<b>24</b>个。
依法任免国家机关工作人员120人次。督办代表建议356件，代表对办理工作的满意率达到98%。
二、2024年主要任务
明年将制定地方性法规5件。
"""


def test_markup_in_a_report_renders_as_text_and_a_missing_fact_needs_its_sentence(corpus, monkeypatch):
    at = analyst_app(corpus, monkeypatch)
    name = "洛阳<i>2023.txt"
    at = upload(at, (name, XSS_REPORT.encode("utf-8")))
    assert_clean(at)
    # Markdown elements get the escaped name, never a live tag
    assert "\\<i\\>" in at.expander[0].label and "<i>" not in at.expander[0].label
    at.button(key="mg_confirm").click().run()
    assert "\\<i\\>2023" in at.success[0].value and "<i>" not in at.success[0].value

    # the fact card and the report text are escaped HTML
    db = corpus["db"]
    fid = fact_id(db, "洛阳市", "legislation.laws_enacted", 2023)
    at = choose_fact(at, fid)
    bodies = "\n".join(html_bodies(at))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bodies and "&lt;b&gt;24&lt;/b&gt;" in bodies
    assert "<script>" not in bodies and "<b>24" not in bodies
    at.switch_page("pages/reports_page.py").run()
    at.selectbox(key="rp_r").set_value(sql_report_of(at, fid)).run()
    at.selectbox(key="rp_f").set_value(fid).run()
    bodies = "\n".join(html_bodies(at))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bodies and "<script>alert" not in bodies

    # add the number the extractor missed: the sentence must be in the report
    at = choose_fact(at, fid)
    rid = at.selectbox(key="mg_r").value
    at.selectbox(key=f"mg_a_metric_{rid}").set_value("supervision.work_reports")
    at.text_input(key=f"mg_a_value_{rid}").input("24")
    at.text_input(key=f"mg_a_unit_{rid}").input("个")
    at.text_area(key=f"mg_a_evidence_{rid}").input("听取审议工作报告24个")  # not what the report says
    at.text_area(key=f"mg_a_reason_{rid}").input("抽取遗漏")
    at.button(key=f"mg_a_submit_{rid}").click().run()
    assert "原句在这份报告的原文中找不到" in at.error[0].value
    at.text_area(key=f"mg_a_evidence_{rid}").input("听取审议工作报告<b>24</b>个")
    at.button(key=f"mg_a_submit_{rid}").click().run()
    assert_clean(at)
    assert "已补充这条数据" in at.success[0].value
    table = data_table(at)
    added = table[(table["地区"] == "洛阳市") & (table["指标代码"] == "supervision.work_reports")]
    assert list(added["数值"]) == [24] and bool(added.iloc[0]["已更正"])
    at.switch_page("pages/audit_page.py").run()
    audit = at.dataframe[0].value
    assert (
        audit.iloc[0]["操作"] == "补充" and audit.iloc[0]["变更"] == "补充：听取审议工作报告 24个（2023年）"
    )
    assert "<b>24</b>" in audit.iloc[0]["原文"]  # shown by st.dataframe, which never renders HTML


# --- an old database ----------------------------------------------------------------------------------


def test_a_database_of_an_older_version_asks_for_a_rebuild(tmp_path, monkeypatch):
    """A file written before corrections (no facts_current, an older schema) is not read half-way: every
    page says 数据库版本过旧 and how to rebuild."""
    import duckdb
    from conftest import make_synthetic_db

    db = make_synthetic_db(tmp_path / "old.duckdb")
    con = duckdb.connect(str(db))
    con.execute("drop view facts_dated")
    con.execute("drop view facts_current")
    for table in ("corrections", "fact_edits", "added_facts"):
        con.execute(f"drop table {table}")
    con.execute("delete from build_info where key = 'schema_sha256'")
    con.close()
    for page in ("overview", "trends", "data", "reports", "corrections"):
        at = open_app(db, monkeypatch, page)
        assert not at.exception
        assert "数据库版本过旧，请重建" in at.error[0].value and "make build" in at.error[0].value


def test_an_analyst_can_load_the_first_report_into_a_missing_database(tmp_path, monkeypatch):
    db = tmp_path / "new" / "congress.duckdb"
    monkeypatch.setenv("CONGRESS_LIBRARY", str(tmp_path / "library"))
    at = open_app(db, monkeypatch, secrets=analyst_secrets())
    assert "还没有数据库" in at.error[0].value
    at = login(at)
    held = CORPUS / HELD_BACK
    at = upload(at, (held.name, held.read_bytes()))
    assert not at.exception and "新报告" in at.expander[0].label
    at.button(key="mg_confirm").click().run()
    assert "已载入 1 份报告" in at.success[0].value
    assert fetch(db, "select count(*) from facts_current")[0][0] == 21
    assert set(data_table(at)["地区"]) == {"鹤壁市"}


def test_a_correction_whose_fact_is_gone_after_a_rebuild_is_listed_as_orphaned(corpus, monkeypatch):
    from etl.ops.build import build
    from etl.ops.corrections import correct_fact

    db = corpus["db"]
    fid = fact_id(db, "郑州市", "appointments.personnel", 2023)
    correct_fact(db, fid, user="bob", reason="核对原文", value=310)
    # the report's file is replaced by a version that states another number; the database is rebuilt
    path = corpus["library"] / "000_c08ffb83924445c9.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("303人次", "305人次"), encoding="utf-8")
    build(corpus["library"], db, progress=False)

    at = open_app(db, monkeypatch, "corrections")
    assert_clean(at)
    row = at.dataframe[0].value.iloc[0]
    assert row["状态"] == "失效（原数据已不存在）" and "已不存在" in row["说明"]
    assert row["分析员"] == "bob" and row["变更"] == "数值 303 → 310"  # the fact (and its unit) is gone
    assert "失效（原数据已不存在） 1" in page_text(at)


def test_an_uploaded_year_is_selectable_at_once_in_the_uploaders_session(tmp_path, monkeypatch):
    from conftest import copy_corpus

    from etl.ops.build import build

    # a library whose last year is 2022: both 2023 reports held back
    library = copy_corpus(tmp_path / "library", exclude=[HELD_BACK, "000_c08ffb83924445c9.txt"])
    db = tmp_path / "db" / "congress.duckdb"
    db.parent.mkdir()
    assert build(library, db, progress=False).ok
    monkeypatch.setenv("CONGRESS_LIBRARY", str(library))
    at = analyst_app({"db": db}, monkeypatch)
    slider = at.sidebar.slider(key="f_years")
    assert slider.max == 2022 and slider.value[1] == 2022

    held = CORPUS / HELD_BACK  # 鹤壁市 2023
    at = upload(at, (held.name, held.read_bytes()))
    at.button(key="mg_confirm").click().run()
    assert_clean(at)
    at.switch_page("pages/overview_page.py").run()
    slider = at.sidebar.slider(key="f_years")
    assert slider.max == 2023 and slider.value[1] == 2023  # widened, not left at the old maximum
    assert "鹤壁市" in at.selectbox(key="ov_j").options


def test_an_analyst_corrects_report_metadata_on_the_reports_page(corpus, monkeypatch):
    rid = fetch(corpus["db"], "select report_id from reports where jurisdiction = '新郑市'")[0][0]
    at = analyst_app(corpus, monkeypatch, "reports")
    at.selectbox(key="rp_r").set_value(rid).run()
    assert_clean(at)
    at.text_input(key=f"rp_correct_meta_d_{rid}").input("2019-01-15")
    at.selectbox(key=f"rp_correct_meta_t_{rid}").set_value("term_review")
    # no reason: refused with a sentence, nothing written
    at.button(key=f"rp_correct_meta_s_{rid}").click().run()
    assert "请填写更正理由" in at.error[0].value
    assert fetch(corpus["db"], "select delivered from reports where report_id = ?", [rid])[0][0] is None
    at.text_input(key=f"rp_correct_meta_r_{rid}").input("报告首页写明日期")
    at.button(key=f"rp_correct_meta_s_{rid}").click().run()
    assert_clean(at)
    assert "已记录更正" in at.success[0].value
    row = fetch(
        corpus["db"], "select cast(delivered as varchar), report_type from reports where report_id = ?", [rid]
    )
    assert row == [("2019-01-15", "term_review")]
    # logged with who and why, shown in the audit
    at.switch_page("pages/audit_page.py").run()
    assert_clean(at)
    audit = at.dataframe[0].value
    first = audit.iloc[0]
    assert first["分析员"] == ANALYST and first["理由"] == "报告首页写明日期" and first["操作"] == "报告信息"
    assert "报告日期 — → 2019-01-15" in first["变更"] and "None" not in first["变更"]
    # a viewer sees no such form
    viewer = open_app(corpus["db"], monkeypatch, "reports", {"report": rid})
    assert not [k for k in widget_keys(viewer) if k.startswith("rp_correct")]


def test_report_metadata_set_in_the_upload_preview_is_applied_and_logged(corpus, monkeypatch):
    at = analyst_app(corpus, monkeypatch)
    held = corpus["held_back"]
    at = upload(at, (held.name, held.read_bytes()))
    key = at.toggle[0].key.removeprefix("mg_meta_on_")
    at.toggle[0].set_value(True).run()
    at.text_input(key=f"mg_meta_delivered_{key}").input("2024-01-20")
    at.button(key="mg_confirm").click().run()
    assert "请填写更正理由" in at.error[0].value  # nothing loaded without a reason
    assert fetch(corpus["db"], "select count(*) from reports")[0][0] == 4
    at.text_input(key=f"mg_meta_reason_{key}").input("鹤壁日报刊发日期")
    at.button(key="mg_confirm").click().run()
    assert_clean(at)
    assert "报告信息已更正" in at.success[0].value
    row = fetch(
        corpus["db"], "select cast(delivered as varchar) from reports where source_file = ?", [held.name]
    )
    assert row == [("2024-01-20",)]
    log = [json.loads(line) for line in corpus["log"].read_text(encoding="utf-8").splitlines()]
    assert log[-1]["user"] == ANALYST and log[-1]["reason"] == "鹤壁日报刊发日期"
