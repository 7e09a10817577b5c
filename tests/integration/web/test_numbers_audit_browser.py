"""In Chromium, through the UI alone, in zh-CN and en: the phone numbers page routes a number
to one of the published flows (the one place the mapping lives, ADR 0200), and the audit log
shows that change in the center's time, with who, what, before and after, and filters."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import login
from tests.integration.desktop.language import chinese_on, english_on, tenant_data
from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def test_route_a_number_then_read_it_in_the_audit_log(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)

    await page.goto(f"{sqlite_server.url}/admin/numbers")
    grid = page.get_by_test_id("grid")
    row = grid.locator("tbody tr", has_text="4001")
    await expect(row.locator("[data-column=flow]")).to_have_text("main")
    await expect(page.get_by_test_id("create")).to_have_count(0)  # the operator gives numbers
    await expect(row.get_by_role("button", name="删除")).to_be_hidden()

    # The flow is picked from the published ones; empty means "not routed".
    await row.get_by_role("button", name="编辑").click()
    dialog = page.locator("dialog#editor")
    await expect(dialog.locator("[data-input=number] input")).to_be_disabled()
    flow = dialog.locator("[data-input=flow] select")
    assert await flow.locator("option").all_inner_texts() == ["—", "main"]
    await flow.select_option("")
    await dialog.locator("#save").click()
    await expect(dialog).not_to_be_visible()
    await expect(row.locator("[data-column=flow]")).to_have_text("未接入语音导航")
    await page.screenshot(path=ARTIFACTS / "admin-numbers-zh-CN.png", full_page=True)
    await row.get_by_role("button", name="编辑").click()
    await flow.select_option("main")
    await dialog.locator("#save").click()
    await expect(row.locator("[data-column=flow]")).to_have_text("main")

    await page.goto(f"{sqlite_server.url}/admin/audit")
    audit = page.get_by_test_id("audit")
    await page.get_by_test_id("filter-entity").select_option("did")
    rows = audit.locator("tbody tr")
    await expect(rows).to_have_count(2)
    newest = rows.first
    await expect(newest).to_contain_text("修改")
    await expect(newest.locator("td").nth(3)).to_have_text("号码 · 4001")  # by name, not id
    await expect(newest).to_contain_text("admin")
    change = newest.locator("li[data-field=flow]")
    await expect(change).to_contain_text("语音导航")
    await expect(change.locator(".before")).to_have_text("—")
    await expect(change.locator(".after")).to_have_text("main")
    await expect(newest.locator("li[data-field=updated_at]")).to_have_count(0)
    # Local time of the center (Asia/Shanghai), in the page's words.
    await expect(newest.locator("td").first).to_contain_text("年")
    # Filters: another user's changes, and days before today, show nothing.
    await page.get_by_test_id("filter-action").select_option("delete")
    await expect(rows).to_have_count(0)
    await page.get_by_test_id("filter-action").select_option("")
    await page.get_by_test_id("filter-to").fill("2020-01-01")
    await page.get_by_test_id("filter-to").dispatch_event("change")
    await expect(rows).to_have_count(0)
    await page.get_by_test_id("filter-to").fill("")
    await page.get_by_test_id("filter-to").dispatch_event("change")
    await expect(rows).to_have_count(2)
    await page.screenshot(path=ARTIFACTS / "admin-audit-zh-CN.png", full_page=True)
    # Every entry the demo's set-up wrote reads in words: codes as code, options by their names.
    data = tenant_data(login(sqlite_server, "admin"))
    await page.get_by_test_id("filter-entity").select_option("")
    await expect(rows).to_have_count(25)
    problems = await english_on(page, data)
    assert problems == [], "\n".join(problems)

    await page.get_by_test_id("language").select_option("en")
    await page.get_by_test_id("filter-entity").select_option("did")
    await expect(audit.locator("thead")).to_contain_text("Changes (before → after)")
    await expect(rows.first.locator("li[data-field=flow]")).to_contain_text("Flow")
    await expect(rows.first).to_contain_text("Changed")
    await page.screenshot(path=ARTIFACTS / "admin-audit-en.png", full_page=True)
    await page.get_by_test_id("filter-entity").select_option("")
    await expect(rows).to_have_count(25)
    problems = await chinese_on(page, data)
    assert problems == [], "\n".join(problems)
    await page.goto(f"{sqlite_server.url}/admin/numbers")
    await row.get_by_role("button", name="Edit").click()
    await page.locator("dialog#editor [data-input=flow] select").select_option("")
    await page.locator("dialog#editor #save").click()
    await expect(row.locator("[data-column=flow]")).to_have_text("Not routed")
    await page.screenshot(path=ARTIFACTS / "admin-numbers-en.png", full_page=True)
    assert errors == []
