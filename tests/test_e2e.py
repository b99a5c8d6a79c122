"""End to end: the real `streamlit run dashboard.py`, driven by Debian's chromium through Playwright."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ANALYST, PASSWORD, ROOT, analyst_secrets, writable_corpus

CHROMIUM = "/usr/bin/chromium"
PAGES = [
    ("trends", "趋势"),
    ("compare", "对比"),
    ("data", "数据"),
    ("reports", "报告"),
    ("export", "简报导出"),
    ("corrections", "更正记录"),
    ("overview", "总览"),
]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy in {timeout}s")


def _run_once(url: str) -> None:
    """One script run (/_stcore/script-health-check, .streamlit/config.toml), as `make run` does after the
    start: Streamlit then knows the app uses st.navigation, and a first visit by deep link is not answered
    with "Page not found" (it decides that at the process's first session)."""
    opener = urllib.request.OpenerDirector()  # any answer will do: no error for a 503
    opener.add_handler(urllib.request.HTTPHandler())
    opener.open(f"{url}/_stcore/script-health-check", timeout=120).read()


@contextlib.contextmanager
def _streamlit(tmp_path, env: dict[str, str], extra_args: tuple[str, ...] = ()):
    """`streamlit run dashboard.py` on a free port; yields its URL; no traceback may reach its log."""
    port = _free_port()
    log = open(tmp_path / "streamlit.log", "w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            *extra_args,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        _run_once(url)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        tail = log.read()[-3000:]
        log.close()
        assert "Traceback" not in tail, tail


@pytest.fixture
def server(corpus_db, tmp_path):
    with _streamlit(tmp_path, {"CONGRESS_DB": str(corpus_db)}) as url:
        yield url


@pytest.fixture
def analyst_server(tmp_path, monkeypatch):
    """A server on a database of its own (data/corpus minus one report) with one analyst in its secrets."""
    corpus = writable_corpus(tmp_path, monkeypatch)
    secrets = tmp_path / "secrets.toml"
    hashed = analyst_secrets()["analysts"][ANALYST]
    secrets.write_text(f'[analysts]\n{ANALYST} = "{hashed}"\n', encoding="utf-8")
    env = {"CONGRESS_DB": str(corpus["db"]), "CONGRESS_LIBRARY": str(corpus["library"])}
    with _streamlit(tmp_path, env, ("--secrets.files", str(secrets))) as url:
        yield url, corpus


def _select(scope, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label`` (a react-aria combobox in 1.67)."""
    scope.get_by_role("combobox", name=label, exact=True).click()
    scope.page.get_by_role("option", name=option, exact=True).click()


@contextlib.contextmanager
def _browser_page(url: str, height: int):
    """A chromium page on ``url`` once the overview is drawn; screenshots go to tests/artifacts."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": height}, locale="zh-CN")
            page.goto(url)
            expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=60_000)
            yield page
        finally:
            browser.close()


def test_dashboard_in_a_real_browser(server):
    from playwright.sync_api import expect

    with _browser_page(server, height=1800) as page:
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
        expect(page.get_by_text("郑州市 · 2023年")).to_be_visible()

        # change a filter: the overview's jurisdiction
        started = time.monotonic()
        _select(page.locator('[data-testid="stMain"]'), "地区", "鹤壁市")
        expect(page.get_by_text("鹤壁市 · 2023年")).to_be_visible(timeout=30_000)
        # the run ends by writing the state to the address bar: 鹤壁市, URL-encoded
        # (the overview's 地区 is the sidebar's: the URL's j)
        expect(page).to_have_url(re.compile("j=%E9%B9%A4%E5%A3%81%E5%B8%82"), timeout=30_000)
        expect(page.get_by_text("联系群众：鹤壁市 2023年").first).to_be_visible(timeout=30_000)
        elapsed = time.monotonic() - started
        print(f"\nfilter change → new overview rendered in {elapsed:.2f}s")
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(ARTIFACTS / "e2e_overview.png"), full_page=True)

        assert page.locator("svg.main-svg").count() > 0
        body = page.inner_text("body")
        assert "鹤壁市" in body and "分类概况" in body and "来源" in body
        assert elapsed < 15

        # mixed units never share an axis: every drawn label ends with its chart's axis unit
        page.wait_for_timeout(1500)
        axes = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].map(el => ({
                unit: (el.layout.xaxis.title || {}).text || '',
                labels: el.data.flatMap(t => (t.text || []).filter(x => x)),
            }))"""
        )
        assert len(axes) > 2
        for ax in axes:
            units = {re.sub(r"^[≥约]?[0-9,.]+", "", x).removesuffix("（已更正）") for x in ax["labels"]}
            assert units == {ax["unit"]}, ax

        # 加入简报, then a refresh: the brief is on the server and the URL names it
        page.get_by_role("button", name="加入简报").first.click()
        expect(page).to_have_url(re.compile("brief=[0-9a-f]{10}"), timeout=30_000)
        page.reload()
        expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="已在简报中").first).to_be_visible(timeout=30_000)

        # every page through the sidebar navigation, one screenshot each
        for name, title in PAGES:
            page.get_by_role("link", name=title, exact=True).click()
            expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
            if name in ("trends", "compare"):
                expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / f"e2e_{name}.png"), full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0, name

        # 报告: choosing a fact marks its sentence and scrolls the text box to it
        page.get_by_role("link", name="报告", exact=True).click()
        main = page.locator('[data-testid="stMain"]')
        facts = main.get_by_role("combobox", name="定位到一条数据（在原文中标出并滚动到该句）")
        facts.click()
        # (the sidebar's 地区 is 鹤壁市 since the overview chose it: one source of truth)
        facts.press_sequentially("102")  # the list is long and virtualized: type to filter it
        page.get_by_role("option", name=re.compile("102人次")).click()
        expect(page.locator("#sel-fact")).to_have_count(1, timeout=30_000)
        box = page.locator(".report-text").first
        page.wait_for_function(
            "() => { const el = document.getElementById('sel-fact'); let b = el && el.parentElement;"
            " while (b && !(b.scrollHeight > b.clientHeight + 4)) b = b.parentElement;"
            " return b && b.scrollTop > 0; }",
            timeout=15_000,
        )
        expect(box.locator("mark.cur")).to_have_text("102")
        page.screenshot(path=str(ARTIFACTS / "e2e_reports_fact.png"), full_page=True)

        # 简报导出: the brief picked on 总览 (and only it); the PPTX (built on click, no rerun) opens, holds a
        # native chart, every label carries its unit and the cover names what the slides show
        page.get_by_role("link", name="简报导出", exact=True).click()
        expect(page.get_by_text("鹤壁市 2023年").first).to_be_visible(timeout=30_000)
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name=re.compile("下载 PPTX")).click()
        pptx_path = ARTIFACTS / "e2e_briefing.pptx"
        dl.value.save_as(pptx_path)
        from pptx import Presentation
        from pptx.oxml.ns import qn

        deck = Presentation(str(pptx_path))
        slides = list(deck.slides)
        assert len(slides) == 2 and any(sh.has_chart for sh in slides[1].shapes)
        cover = "\n".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
        assert "鹤壁市" in cover and "2023年" in cover and "筛选" not in cover
        (frame,) = [sh for sh in slides[1].shapes if sh.has_chart]
        unit = frame.chart.value_axis.axis_title.text_frame.text.removeprefix("单位：")
        labels = [
            "".join(t.text for t in d.iter(qn("a:t"))) for d in frame.chart._chartSpace.iter(qn("c:dLbl"))
        ]
        assert labels and all(x.removesuffix("（已更正）").endswith(unit) for x in labels), (unit, labels)
        from app.export import static_export_status

        if static_export_status()[0]:
            with page.expect_download(timeout=90_000) as dl:
                page.get_by_role("button", name="PNG").first.click()
            png = ARTIFACTS / "e2e_chart.png"
            dl.value.save_as(png)
            assert png.read_bytes()[:4] == b"\x89PNG"


def test_analyst_uploads_a_report_in_a_real_browser(analyst_server):
    """Log in, upload through the real file chooser, preview, confirm, find the report on 数据."""
    from playwright.sync_api import expect

    url, corpus = analyst_server
    held = corpus["held_back"]
    with _browser_page(url, height=1600) as page:
        sidebar = page.locator('[data-testid="stSidebar"]')
        # a visitor's 数据管理 says 请先登录 and offers no upload
        sidebar.get_by_role("link", name="数据管理").click()
        expect(page.get_by_text("请先登录").first).to_be_visible(timeout=30_000)
        expect(page.locator('[data-testid="stFileUploaderDropzoneInput"]')).to_have_count(0)

        # a wrong password first: refused, no 数据管理 in the navigation
        sidebar.get_by_text("分析员登录").click()
        sidebar.get_by_label("用户名").fill(ANALYST)
        sidebar.get_by_label("密码", exact=True).fill("not the password")
        sidebar.get_by_role("button", name="登录").click()
        expect(sidebar.get_by_text("用户名或密码错误")).to_be_visible(timeout=30_000)
        expect(page.locator('[data-testid="stFileUploaderDropzoneInput"]')).to_have_count(0)

        sidebar.get_by_label("用户名").fill(ANALYST)
        sidebar.get_by_label("密码", exact=True).fill(PASSWORD)
        sidebar.get_by_role("button", name="登录").click()
        expect(sidebar.get_by_text(f"已登录分析员：{ANALYST}")).to_be_visible(timeout=30_000)
        sidebar.get_by_role("link", name="数据管理").click()
        expect(page.get_by_role("heading", name="数据管理")).to_be_visible(timeout=30_000)

        # the real uploader: the preview shows the report as new, with its facts
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(held))
        expect(page.get_by_text("新报告 · 21 条数据")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="确认载入 1 份报告")).to_be_enabled()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "e2e_upload_preview.png"), full_page=True)

        page.get_by_role("button", name="确认载入 1 份报告").click()
        expect(page.get_by_text("已载入 1 份报告")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "e2e_upload_done.png"), full_page=True)

        # 数据: the new report's rows are there (the search box filters the table and its count)
        page.get_by_role("link", name="数据", exact=True).click()
        expect(page.get_by_role("heading", name="数据", exact=True)).to_be_visible(timeout=30_000)
        expect(sidebar.get_by_text("数据库：5 份报告")).to_be_visible(timeout=30_000)
        page.get_by_label("原文、指标或地区包含").fill("鹤壁")
        page.get_by_label("原文、指标或地区包含").press("Enter")
        expect(page.get_by_text(re.compile(r"共 21 条"))).to_be_visible(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "e2e_upload_data.png"), full_page=True)

        # correct one of its numbers, then find the correction in 更正记录
        sidebar.get_by_role("link", name="数据管理").click()
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("更正数据", exact=True).click()
        _select(main, "报告", f"鹤壁市 · 2023年 · 新闻综述 · {held.name}")
        facts = main.get_by_role("combobox", name=re.compile("^数据（本报告"))
        facts.click()
        facts.press_sequentially("任免")
        page.get_by_role("option", name=re.compile("任免国家机关工作人员：102人次")).click()
        form = main.locator('[data-testid="stForm"]').filter(has_text="更正数值、指标或期间")
        form.get_by_label("数值", exact=True).fill("103")
        form.get_by_label("更正理由（必填）").fill("原文核对为103人次")
        form.get_by_role("button", name="保存更正").click()
        expect(page.get_by_text("已更正这条数据")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "e2e_correction.png"), full_page=True)
        sidebar.get_by_role("link", name="更正记录").click()
        expect(page.get_by_text(re.compile("共 1 条更正"))).to_be_visible(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "e2e_audit.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
