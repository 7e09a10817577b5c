"""In Chromium, in zh-CN and en: opening hours drawn on the weekly grid of half hours (drag to
open, drag again to close), copied to the workdays, typed where exactness matters, refused with
the day named when a range cannot be read, saved through the one hours engine."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def _drag(page: Page, grid: Locator, first: int, last: int) -> None:
    start = await grid.locator(f"[data-slot='{first}']").bounding_box()
    end = await grid.locator(f"[data-slot='{last}']").bounding_box()
    assert start is not None
    assert end is not None
    y = start["y"] + start["height"] / 2
    await page.mouse.move(start["x"] + start["width"] / 2, y)
    await page.mouse.down()
    await page.mouse.move(end["x"] + end["width"] / 2, y, steps=3 * (last - first + 1))
    await page.mouse.up()


async def test_opening_hours_on_the_weekly_grid(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)
    await page.goto(f"{sqlite_server.url}/admin/calendars")
    await page.get_by_test_id("create").click()
    dialog = page.locator("dialog#editor")
    await dialog.locator("[data-input=name] input").fill("热线时间")

    monday = dialog.get_by_test_id("hours-mon")
    await _drag(page, monday, 18, 35)  # 09:00 to 18:00
    await expect(dialog.locator("input[data-day=mon]")).to_have_value("09:00-18:00")
    await _drag(page, monday, 24, 25)  # lunch: starts on an open half hour, so it closes
    await expect(dialog.locator("input[data-day=mon]")).to_have_value("09:00-12:00, 13:00-18:00")
    await dialog.get_by_test_id("copy-monday").click()
    await expect(dialog.locator("input[data-day=fri]")).to_have_value("09:00-12:00, 13:00-18:00")
    await expect(dialog.get_by_test_id("hours-thu").locator(".slot.open")).to_have_count(16)
    # Typed, the grid follows; off the half hour the text stays exact.
    await dialog.locator("input[data-day=sat]").fill("10:15-15:00")
    await expect(dialog.get_by_test_id("hours-sat").locator(".slot.open")).to_have_count(10)
    await dialog.locator("input[data-day=sun]").fill("全天")
    await expect(dialog.get_by_test_id("hours-sun")).to_have_class("hours-grid unreadable")
    await dialog.locator("#save").click()
    await expect(dialog.locator("#editor-error")).to_contain_text("周日")
    await expect(dialog.locator("#editor-error")).to_contain_text("全天")
    await expect(dialog.locator("input[data-day=sun]")).to_have_class("invalid")
    await page.screenshot(path=ARTIFACTS / "hours-grid-error-zh-CN.png")
    await dialog.locator("input[data-day=sun]").fill("")
    await dialog.locator("[data-input=holidays]").get_by_role("button", name="添加日期").click()
    entry = dialog.locator(".entry").last
    await entry.locator(".entry-date").fill("2026-12-31")
    await entry.locator(".entry-kind").select_option("closed")
    await entry.locator(".entry-name").fill("年终盘点")
    await page.screenshot(path=ARTIFACTS / "hours-grid-zh-CN.png")
    await dialog.locator("#save").click()
    await expect(dialog).not_to_be_visible()

    row = page.get_by_test_id("grid").locator("tbody tr", has_text="热线时间")
    await expect(row).to_contain_text("周一 09:00–12:00, 13:00–18:00")
    await expect(row).to_contain_text("周六 10:15–15:00")
    stored = await page.evaluate(
        "async () => (await (await fetch('/api/v1/calendars?q=热线时间')).json()).items[0]"
    )
    assert stored["weekly"]["tue"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert "sun" not in stored["weekly"]
    assert stored["holidays"][0]["kind"] == "closed"

    await page.get_by_test_id("language").select_option("en")
    await row.get_by_role("button", name="Edit").click()
    await expect(dialog.get_by_test_id("copy-monday")).to_have_text(
        "Monday's hours for Tuesday to Friday"
    )
    await expect(dialog.get_by_test_id("hours-sat").locator(".slot.open")).to_have_count(10)
    await _drag(page, dialog.get_by_test_id("hours-sun"), 20, 27)
    await expect(dialog.locator("input[data-day=sun]")).to_have_value("10:00-14:00")
    await page.screenshot(path=ARTIFACTS / "hours-grid-en.png")
    await dialog.locator("#save").click()
    await expect(row).to_contain_text("Sun 10:00–14:00")
    assert errors == []
