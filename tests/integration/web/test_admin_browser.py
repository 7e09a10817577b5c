"""In real headless Chromium: log in as admin, create an agent with two skills, see it listed,
switch zh-CN ↔ en and see the page change."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.server import PASSWORD, ServerProcess

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
ARTIFACTS.mkdir(exist_ok=True)


async def _login(page: Page, server: ServerProcess, username: str = "admin") -> None:
    await page.goto(f"{server.url}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/")


async def test_admin_creates_an_agent_with_two_skills_and_switches_language(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)
    await expect(page.locator("h1")).to_contain_text("欢迎")

    await page.goto(f"{sqlite_server.url}/admin/agents")
    await expect(page.locator("h1")).to_have_text("坐席")
    await expect(page.get_by_test_id("grid").locator("tbody tr")).to_have_count(3)
    await page.get_by_test_id("create").click()
    dialog = page.locator("dialog#editor")
    await dialog.locator("[data-input=username] input").fill("agent7")
    await dialog.locator("[data-input=display_name] input").fill("坐席 七")
    await dialog.locator("[data-input=password] input").fill("secret-pass-7")
    skills = dialog.locator("[data-input=skills]")
    for name, level in (("售前", "7"), ("售后", "4")):
        await skills.get_by_role("button", name="添加").click()
        line = skills.locator(".pair").last
        await line.locator("select").select_option(label=name)
        await line.locator("input").fill(level)
    await dialog.locator("#save").click()
    await expect(dialog).not_to_be_visible()
    row = page.get_by_test_id("grid").locator("tbody tr", has_text="agent7")
    await expect(row).to_contain_text("售前 (7)")
    await expect(row).to_contain_text("售后 (4)")

    # A bad save names the field and writes nothing.
    await page.get_by_test_id("create").click()
    await dialog.locator("[data-input=username] input").fill("agent1")
    await dialog.locator("[data-input=display_name] input").fill("重复")
    await dialog.locator("[data-input=password] input").fill("secret-pass-1")
    await dialog.locator("#save").click()
    await expect(dialog.locator("#editor-error")).to_contain_text("agent1")
    await dialog.locator("#cancel").click()
    await expect(page.get_by_test_id("grid").locator("tbody tr")).to_have_count(4)

    await page.screenshot(path=ARTIFACTS / "admin-agents-zh-CN.png", full_page=True)
    await page.get_by_test_id("language").select_option("en")
    await expect(page.locator("h1")).to_have_text("Agents")
    await expect(page.locator("thead")).to_contain_text("Skills")
    await page.screenshot(path=ARTIFACTS / "admin-agents-en.png", full_page=True)
    await page.get_by_test_id("language").select_option("zh-CN")
    await expect(page.locator("h1")).to_have_text("坐席")
    assert errors == []
