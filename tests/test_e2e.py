"""End to end: the real `streamlit run dashboard.py`, driven by Debian's chromium through Playwright."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest_app import ROOT

CHROMIUM = "/usr/bin/chromium"
PAGES = [
    ("trends", "趋势"),
    ("compare", "对比"),
    ("data", "数据"),
    ("reports", "报告"),
    ("export", "简报导出"),
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


@pytest.fixture
def server(corpus_db, tmp_path):
    port = _free_port()
    log = open(tmp_path / "streamlit.log", "w+")
    env = {**os.environ, "CONGRESS_DB": str(corpus_db)}
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
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
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


def _select(scope, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label`` (a react-aria combobox in 1.67)."""
    scope.get_by_role("combobox", name=label, exact=True).click()
    scope.page.get_by_role("option", name=option, exact=True).click()


def test_dashboard_in_a_real_browser(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="zh-CN")
            page.goto(server)
            expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=60_000)
            expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
            expect(page.get_by_text("郑州市 · 2023年")).to_be_visible()

            # change a filter: the overview's jurisdiction
            started = time.monotonic()
            _select(page.locator('[data-testid="stMain"]'), "地区", "鹤壁市")
            expect(page.get_by_text("鹤壁市 · 2023年")).to_be_visible(timeout=30_000)
            # the run ends by writing the state to the address bar: 鹤壁市, URL-encoded
            expect(page).to_have_url(re.compile("focus=%E9%B9%A4%E5%A3%81%E5%B8%82"), timeout=30_000)
            expect(page.get_by_text("联系群众：鹤壁市 2023年")).to_be_visible(timeout=30_000)
            elapsed = time.monotonic() - started
            print(f"\nfilter change → new overview rendered in {elapsed:.2f}s")
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(ARTIFACTS / "e2e_overview.png"), full_page=True)

            assert page.locator("svg.main-svg").count() > 0
            body = page.inner_text("body")
            assert "鹤壁市" in body and "分类概况" in body and "来源" in body
            assert elapsed < 15

            # every page through the sidebar navigation, one screenshot each
            for name, title in PAGES:
                page.get_by_role("link", name=title, exact=True).click()
                expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
                if name in ("trends", "compare", "export"):
                    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
                page.wait_for_timeout(800)
                page.screenshot(path=str(ARTIFACTS / f"e2e_{name}.png"), full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0, name

            # 报告: choosing a fact marks its sentence and scrolls the text box to it
            page.get_by_role("link", name="报告", exact=True).click()
            main = page.locator('[data-testid="stMain"]')
            facts = main.get_by_role("combobox", name="定位到一条数据（在原文中标出并滚动到该句）")
            facts.click()
            facts.press_sequentially("1,237")  # the list is long and virtualized: type to filter it
            page.get_by_role("option", name=re.compile("1,237件次")).click()
            expect(page.locator("#sel-fact")).to_have_count(1, timeout=30_000)
            box = page.locator(".report-text").first
            page.wait_for_function(
                "() => { const el = document.getElementById('sel-fact'); let b = el && el.parentElement;"
                " while (b && !(b.scrollHeight > b.clientHeight + 4)) b = b.parentElement;"
                " return b && b.scrollTop > 0; }",
                timeout=15_000,
            )
            expect(box.locator("mark.cur")).to_have_text("1237")
            page.screenshot(path=str(ARTIFACTS / "e2e_reports_fact.png"), full_page=True)

            # 简报导出: the PPTX (built on click, no rerun) opens and holds a native chart
            page.get_by_role("link", name="简报导出", exact=True).click()
            with page.expect_download(timeout=60_000) as dl:
                page.get_by_role("button", name=re.compile("下载 PPTX")).click()
            pptx_path = ARTIFACTS / "e2e_briefing.pptx"
            dl.value.save_as(pptx_path)
            from pptx import Presentation

            deck = Presentation(str(pptx_path))
            assert any(sh.has_chart for slide in deck.slides for sh in slide.shapes)
            from app.export import static_export_status

            if static_export_status()[0]:
                with page.expect_download(timeout=90_000) as dl:
                    page.get_by_role("button", name="PNG").first.click()
                png = ARTIFACTS / "e2e_chart.png"
                dl.value.save_as(png)
                assert png.read_bytes()[:4] == b"\x89PNG"
        finally:
            browser.close()
