"""The SMS settings page in real Chromium against `hotline demo` (issue 21): an admin sets an
SMPP provider, sender ids and a template, saves, and a reload shows them (the password kept
masked); a bad value is refused with the field named in the user's language; a number is
opted out and back in. In zh-CN and in en. An agent may not open the page."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser]

SAID = {
    "zh-CN": {"title": "短信", "saved": "短信设置已保存。",
              "bad_port": "SMPP 通道需要主机、端口和系统 ID（system id）。",
              "opted": "13900139077 将不再收到短信。", "back": "13900139077 可以再次接收短信。"},
    "en": {"title": "SMS", "saved": "SMS settings saved.",
           "bad_port": "The SMPP provider needs a host, a port and a system id.",
           "opted": "13900139077 will not be texted.", "back": "13900139077 may be texted again."},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_admin_sets_up_sms(browser: Browser, sqlite_server: ServerProcess, lang: str) -> None:
    server = sqlite_server
    server.start("demo")
    said = SAID[lang]
    page, errors = await open_page(browser, server, "admin", lang=lang)
    await page.goto(f"{server.url}/admin/sms")
    await expect(page.get_by_test_id("sms-title")).to_have_text(said["title"])
    form = page.get_by_test_id("sms-settings")
    await expect(form).to_have_attribute("data-loaded", "true")
    await expect(page.get_by_test_id("sms-inbound-url")).to_contain_text(
        "/api/v1/sms/http/inbound?tenant="
    )

    await expect(form.get_by_test_id("sms-opt-out-words")).to_have_value(
        "退订, STOP, TD, UNSUBSCRIBE, T, 取消订阅"
    )
    await form.get_by_test_id("sms-provider").select_option("smpp")
    await form.get_by_test_id("sms-smpp-host").fill("127.0.0.1")
    await form.get_by_test_id("sms-smpp-port").fill("2775")
    await form.get_by_test_id("sms-smpp-system-id").fill("")  # refused: names the SMPP settings
    await form.get_by_test_id("sms-smpp-password").fill("secret")
    await form.get_by_test_id("sms-senders").fill("10690123\nHotline")
    await form.get_by_test_id("sms-add-template").click()
    row = form.get_by_test_id("sms-template").last
    await row.locator("[name=t_name]").fill("self_service")
    await row.locator("[name=t_zh]").fill("请点击自助办理：{link}")
    await row.locator("[name=t_en]").fill("Help yourself here: {link}")
    await form.get_by_test_id("sms-save").click()
    await expect(page.get_by_test_id("sms-error")).to_contain_text(said["bad_port"])

    await form.get_by_test_id("sms-smpp-system-id").fill("hotline")
    await form.get_by_test_id("sms-save").click()
    await expect(page.get_by_test_id("sms-status")).to_have_text(said["saved"])
    await expect(page.get_by_test_id("sms-error")).to_be_hidden()
    await page.screenshot(path=ARTIFACTS / f"sms-settings-{lang}.png", full_page=True)

    await page.reload()
    await expect(form).to_have_attribute("data-loaded", "true")
    await expect(form.get_by_test_id("sms-provider")).to_have_value("smpp")
    await expect(form.get_by_test_id("sms-smpp-port")).to_have_value("2775")
    await expect(form.get_by_test_id("sms-smpp-password")).to_have_value("********")
    await expect(form.get_by_test_id("sms-senders")).to_have_value("10690123\nHotline")
    await expect(form.get_by_test_id("sms-template").locator("[name=t_zh]")).to_have_value(
        "请点击自助办理：{link}"
    )
    await form.get_by_test_id("sms-save").click()  # saved again as shown: the password stays
    await expect(page.get_by_test_id("sms-status")).to_have_text(said["saved"])
    admin = login(server, "admin")
    shown = admin.get("/api/v1/sms/settings").json()["settings"]
    assert shown["smpp"]["password"] == "********"
    assert "退订" in shown["opt_out_words"]
    assert shown["templates"] == {
        "self_service": {"zh-CN": "请点击自助办理：{link}", "en": "Help yourself here: {link}"}
    }

    await page.get_by_test_id("opt-out-number").fill("13900139077")
    await page.get_by_test_id("opt-out-add").click()
    await expect(page.get_by_test_id("sms-status")).to_have_text(said["opted"])
    listed = page.locator("tr[data-number='13900139077']")
    await expect(listed).to_be_visible()
    await page.screenshot(path=ARTIFACTS / f"sms-opt-outs-{lang}.png", full_page=True)
    await listed.get_by_test_id("opt-in").click()
    await expect(page.get_by_test_id("sms-status")).to_have_text(said["back"])
    await expect(listed).to_have_count(0)
    assert errors == []

    agent, _ = await open_page(browser, server, "agent1", lang=lang)
    response = await agent.goto(f"{server.url}/admin/sms")
    assert response is not None
    assert response.status in (403, 404) or "/admin/sms" not in agent.url
