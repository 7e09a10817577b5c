"""The trunks page in real Chromium against `hotline demo` (issue 19), in zh-CN and in en: an
admin adds a trunk to a carrier's registrar (sipp) through the page alone and sees it
registered; a wrong password shows failed with the registrar's 403, and so does the test
button; a bad port is refused naming the field in the user's language; putting the password
right registers it again. An agent may not open the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.desktop.harness import ARTIFACTS, open_page
from tests.integration.sip.peers import sipp_registrar
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.sipp]

SAID = {
    "zh-CN": {
        "title": "中继", "name": "电信中继", "saved": "中继 电信中继 已保存。",
        "registered": "已注册（200）", "failed": "注册失败：403 Forbidden",
        "tested": "注册失败：403 Forbidden", "bad_port": "端口：必须在 1 到 65535 之间",
    },
    "en": {
        "title": "Trunks", "name": "carrier-en", "saved": "Trunk carrier-en was saved.",
        "registered": "Registered (200)", "failed": "Failed: 403 Forbidden",
        "tested": "Registration failed: 403 Forbidden",
        "bad_port": "Port: must be between 1 and 65535",
    },
}  # fmt: skip


async def fill_trunk(page: Page, port: str, password: str) -> None:
    form = page.get_by_test_id("trunk-form")
    await form.get_by_test_id("trunk-host").fill("127.0.0.1")
    await form.get_by_test_id("trunk-port").fill(port)
    await form.get_by_test_id("trunk-username").fill("trunk1")
    await form.get_by_test_id("trunk-password").fill(password)
    await form.get_by_test_id("trunk-domain").fill("carrier.test")
    await form.get_by_test_id("trunk-register").check()
    await form.get_by_test_id("trunk-expires").fill("300")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_admin_adds_a_trunk_that_registers(
    browser: Browser, sqlite_server: ServerProcess, lang: str, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    said = SAID[lang]
    page, errors = await open_page(browser, server, "admin", lang=lang)
    async with sipp_registrar(str(tmp_path)) as registrar:
        menu = page.get_by_role("navigation").get_by_role("link", name=said["title"], exact=True)
        await menu.click()
        await expect(page.get_by_test_id("trunks-title")).to_have_text(said["title"])

        await page.get_by_test_id("new-trunk").click()
        await page.get_by_test_id("trunk-name").fill(said["name"])
        await fill_trunk(page, "70000", "s3cret")  # refused: names the port
        await page.get_by_test_id("trunk-save").click()
        await expect(page.get_by_test_id("trunk-error")).to_have_text(said["bad_port"])
        await page.get_by_test_id("trunk-port").fill(str(registrar))
        await page.get_by_test_id("trunk-save").click()
        await expect(page.get_by_test_id("trunk-status")).to_have_text(said["saved"])

        row = page.locator(f"tr[data-name='{said['name']}']")
        await expect(row).to_have_attribute("data-state", "registered")
        await expect(row.get_by_test_id("trunk-state")).to_have_text(said["registered"])
        await page.screenshot(path=ARTIFACTS / f"trunks-registered-{lang}.png", full_page=True)

        # A wrong password: failed with the registrar's status, and the test button says so.
        await row.get_by_test_id("trunk-edit").click()
        await page.get_by_test_id("trunk-password").fill("guess")
        await page.get_by_test_id("trunk-save").click()
        await expect(row).to_have_attribute("data-state", "failed")
        await expect(row.get_by_test_id("trunk-state")).to_have_text(said["failed"])
        await row.get_by_test_id("trunk-test").click()
        await expect(page.get_by_test_id("trunk-error")).to_have_text(said["tested"])
        await page.screenshot(path=ARTIFACTS / f"trunks-failed-{lang}.png", full_page=True)

        # Put right: registered again.
        await row.get_by_test_id("trunk-edit").click()
        await page.get_by_test_id("trunk-password").fill("s3cret")
        await page.get_by_test_id("trunk-save").click()
        await expect(row).to_have_attribute("data-state", "registered")
    assert errors == []

    agent, _ = await open_page(browser, server, "agent1", lang=lang)
    response = await agent.goto(f"{server.url}/admin/trunks")
    assert response is not None
    assert response.status == 403
