"""In Chromium: the flows list, the diagram of `main`, the validating editor naming the node,
and the emergency switch."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def test_flow_diagram_editor_and_emergency_switch(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)
    await page.goto(f"{sqlite_server.url}/admin/flows")
    await expect(page.get_by_test_id("flows").locator("tbody tr")).to_have_count(1)
    await expect(page.get_by_test_id("flows")).to_contain_text("4001")

    await page.get_by_test_id("emergency").locator("#emergency-active").check()
    await page.get_by_test_id("emergency").locator("#emergency-message").fill("系统维护中")
    await page.locator("#emergency-save").click()
    await expect(page.locator("#emergency-status")).to_contain_text("已开启")
    await page.reload()
    await expect(page.locator("#emergency-active")).to_be_checked()

    await page.get_by_role("link", name="main").click()
    await expect(page.get_by_test_id("canvas").locator(".drawflow-node").first).to_be_visible()
    await page.get_by_test_id("tab-yaml").click()  # the advanced view: YAML and its diagram
    diagram = page.get_by_test_id("diagram")
    await expect(diagram.locator("g.node").first).to_be_visible()
    nodes = await diagram.locator("g.node").count()
    assert nodes > 10
    await page.screenshot(path=ARTIFACTS / "flow-main-zh-CN.png", full_page=True)

    editor = page.get_by_test_id("flow-editor")
    text = await editor.input_value()
    await editor.fill(text.replace("queue: support", "queue: nowhere", 1))
    await page.get_by_test_id("flow-check").click()
    issues = page.get_by_test_id("flow-issues")
    await expect(issues).to_contain_text("queue")
    await expect(diagram.locator("g.node.invalid")).to_have_count(1)
    await page.get_by_test_id("flow-publish").click()
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(1)

    await editor.fill(text.replace("Demo IVR for DID 4001.", "Demo IVR, edited."))
    await page.locator("#note").fill("wording")
    await page.get_by_test_id("flow-publish").click()
    await expect(page.get_by_test_id("flow-diff")).to_contain_text("Demo IVR, edited.")
    await page.get_by_test_id("publish-confirm").click()
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(2)
    await expect(page.get_by_test_id("versions")).to_contain_text("wording")
    assert errors == []
