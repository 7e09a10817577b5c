"""In Chromium at 1920×1080: the wallboard's TV mode shows big figures coloured at the queue's
thresholds, today's service level and waiting per hour, and rotates between queue groups, in
zh-CN and en."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.integration.web.test_wallboard_browser import _seed_events
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def test_tv_mode_colours_charts_and_rotates(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    sqlite_server.stop()
    await _seed_events(sqlite_server.env["HOTLINE_DATABASE_URL"])
    sqlite_server.start("serve")
    page = await browser.new_page(viewport={"width": 1920, "height": 1080})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server, "supervisor")
    await page.goto(f"{sqlite_server.url}/wallboard")
    await page.get_by_test_id("tv-mode").click()
    await expect(page.get_by_test_id("tv")).to_have_attribute("data-ready", "true")
    await expect(page.get_by_test_id("board-status")).to_have_text("实时")
    await expect(page.locator(".topbar")).to_be_hidden()  # nothing but the board on the wall

    # Both demo queues fit one group: support is below its 80 % target (50 %: red), one
    # caller waits (under the alert's clearing level: green).
    support = page.get_by_test_id("tv-queue-support")
    await expect(support.locator("h2")).to_have_text("售后服务")
    await expect(page.get_by_test_id("tv-sl-support")).to_have_text("50.0%")
    sl = page.locator(".tv-figure", has=page.get_by_test_id("tv-sl-support"))
    await expect(sl).to_have_attribute("data-tone", "bad")
    waiting = page.locator(".tv-figure", has=page.get_by_test_id("tv-waiting-support"))
    await expect(waiting).to_have_attribute("data-tone", "ok")
    await expect(support).to_have_class("tv-queue tone-edge-bad")
    await expect(page.get_by_test_id("tv-center-waiting")).to_have_text("1")
    # Figures a room can read: the queue's waiting count is drawn at least 80 px high.
    # (Waited for: a live update redraws the figures, and a node being replaced has no style.)
    await expect(page.get_by_test_id("tv-waiting-support")).to_have_css(
        "font-size", re.compile(r"^(?:[89]\d|[1-9]\d{2,})(?:\.\d+)?px$")
    )
    await expect(page.get_by_test_id("tv-sl-chart")).to_be_visible()
    await page.wait_for_function(
        "() => globalThis.Chart && Chart.getChart(document.getElementById('tv-sl-chart'))"
    )
    await page.screenshot(path=ARTIFACTS / "wallboard-tv-zh-CN.png")

    # A group per queue, rotating every 5 s.
    await page.goto(f"{sqlite_server.url}/wallboard/tv?groups=support;sales&rotate=5")
    await expect(page.get_by_test_id("tv-page")).to_have_text("第 1 组，共 2 组")
    await expect(page.get_by_test_id("tv-group")).to_have_text("售后服务")
    await expect(page.get_by_test_id("tv-page")).to_have_text("第 2 组，共 2 组", timeout=15_000)
    await expect(page.get_by_test_id("tv-group")).to_have_text("售前咨询")

    await page.goto(f"{sqlite_server.url}/wallboard")
    await page.get_by_test_id("language").select_option("en")
    await expect(page.get_by_test_id("board-status")).to_have_text("Live")
    await page.get_by_test_id("tv-mode").click()
    await expect(page.get_by_test_id("board-status")).to_have_text("Live")
    await expect(page.get_by_test_id("tv-center")).to_contain_text("Service level today")
    await page.wait_for_function(
        "() => globalThis.Chart && Chart.getChart(document.getElementById('tv-wait-chart'))"
    )
    await page.screenshot(path=ARTIFACTS / "wallboard-tv-en.png")
    assert errors == []
