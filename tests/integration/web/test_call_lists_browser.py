"""Call lists imported in real Chromium against the real `hotline demo`, in zh-CN and en: the
import page offers the dialer's target (外呼名单 / Call lists), maps the Chinese and English
headers by themselves, reports the bad number in the user's language, imports the rest; the
lists then hold the entries. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.integration.desktop.language import english_on, tenant_data
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

ZH = "名单,手机,姓名,优先级\n续费,138 0013 8001,王一,5\n续费,12345,坏号,\n续费,13800138002,李二,1\n"
EN = "List,Phone,Name,Time zone\nRenewals,+12125551234,Ann,America/New_York\n"


async def _import(page: Page, url: str, path: Path, target_label: str) -> None:
    await page.goto(f"{url}/admin/imports")
    await page.get_by_test_id("target").select_option(label=target_label)
    await page.get_by_test_id("file").set_input_files(path)
    await page.get_by_test_id("upload").click()
    await page.wait_for_url(f"{url}/admin/imports/*")


async def _run(page: Page, button: str, status: str) -> None:
    await page.get_by_test_id(button).click()
    await expect(page.get_by_test_id("status")).to_have_attribute(
        "data-status", status, timeout=60_000
    )


async def test_call_lists_through_the_import_page_in_both_languages(
    browser: object, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    sqlite_server.start("demo")
    admin_api = login(sqlite_server, "admin")
    url = sqlite_server.url
    page, errors = await open_page(browser, sqlite_server, "admin")  # type: ignore[arg-type]
    path = tmp_path / "外呼名单.csv"
    path.write_text(ZH, encoding="utf-8")
    await _import(page, url, path, "外呼名单")
    await expect(page.get_by_test_id("field-A")).to_have_value("list")
    await expect(page.get_by_test_id("field-B")).to_have_value("phone")
    await expect(page.get_by_test_id("field-D")).to_have_value("priority")
    await _run(page, "check", "checked")
    problems = page.get_by_test_id("problems").locator("tbody tr")
    await expect(problems).to_have_count(1)
    await expect(problems.nth(0)).to_contain_text("不是有效的电话号码")
    await page.screenshot(path=ARTIFACTS / "call-list-dry-run-zh-CN.png", full_page=True)
    assert await english_on(page, tenant_data(admin_api)) == []
    await _run(page, "commit", "done")
    counts = page.get_by_test_id("counts")
    await expect(counts.locator("[data-count=new] strong")).to_have_text("2")
    await page.screenshot(path=ARTIFACTS / "call-list-done-zh-CN.png", full_page=True)
    assert errors == []

    page, errors = await open_page(browser, sqlite_server, "admin", lang="en")  # type: ignore[arg-type]
    path = tmp_path / "renewals.csv"
    path.write_text(EN, encoding="utf-8")
    await _import(page, url, path, "Call lists")
    await expect(page.get_by_test_id("field-D")).to_have_value("time_zone")
    await _run(page, "commit", "done")
    await page.screenshot(path=ARTIFACTS / "call-list-done-en.png", full_page=True)
    assert errors == []

    lists = {
        item["name"]: item["entries"]
        for item in admin_api.get("/api/v1/call-lists").json()["items"]
    }
    assert lists == {"续费": 2, "Renewals": 1}
