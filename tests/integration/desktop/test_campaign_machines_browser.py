"""The campaigns screen sets what answering-machine detection does (issue 24, ADR 0197), in
real Chromium against the real `hotline demo`, in zh-CN and en: the admin picks "leave a
message after the greeting" and writes the message in both languages; the campaign is saved
with that machine rule. A bad rule sent to the API is refused naming its field. Screenshots go
to test-artifacts/."""

from __future__ import annotations

import json
import socket

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess, free_port

pytestmark = [pytest.mark.browser]

MESSAGE = {"zh-CN": "您好，这里是回访中心，请回电四零零。", "en": "Hello, please call us back."}


DESCRIBE = """async () => {
  const i18n = await import("/static/js/i18n.js");
  await i18n.loadCatalog();
  const format = await import("/static/js/interaction-format.js");
  const names = { agent: (id) => id || "", queue: (id) => id || "" };
  return [
    format.describeEvent({ type: "dialer.amd.decided", payload: { verdict: "machine",
      sure: true, decision_s: 2.24, action: "message" } }, names),
    format.describeEvent({ type: "dialer.amd.decided", payload: { verdict: "human",
      sure: false, decision_s: 5.04, action: "connect" } }, names),
    format.describeEvent({ type: "dialer.amd.message_ended", payload: { left: true } }, names),
  ];
}"""
EXPECTED = {
    "zh-CN": [
        ["答录机识别", ["答录机", "用时 2.2秒", "问候语结束后留言"]],
        ["答录机识别", ["真人", "不确定", "用时 5.0秒", "已接通"]],
        ["已在答录机上留言", []],
    ],
    "en": [
        ["Answering-machine check", ["an answering machine", "decided after 2.2 s",
                                     "message after the greeting"]],
        ["Answering-machine check", ["a person", "not sure", "decided after 5.0 s", "put through"]],
        ["Message left on the answering machine", []],
    ],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_campaign_is_created_with_its_answering_machine_rule(
    chromium: Browser, tmp_path: object, lang: str
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    # The demo's own trunk would take a fixed port: one of our own, as parallel runs need.
    port = free_port(socket.SOCK_DGRAM)
    trunk = {"name": "pstn", "host": "127.0.0.1", "port": port,
             "inbound_sources": [f"127.0.0.1:{port}"]}  # fmt: skip
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_SIP__TRUNKS=json.dumps([trunk]),
    )
    try:
        server.start("demo")
        admin = login(server, "admin")
        refused = admin.post(
            "/api/v1/campaigns",
            json={"name": "坏规则", "mode": "predictive", "queue_id": "support",
                  "retry": {"machine": {"action": "beep"}}},
        )  # fmt: skip
        assert refused.status_code == 422, refused.text
        assert refused.json()["details"]["field"] == "retry.machine.action"

        page, errors = await open_page(chromium, server, "admin", lang=lang)
        await page.goto(f"{server.url}/admin/campaigns")
        await page.get_by_test_id("new-campaign").click()
        await expect(page.get_by_test_id("campaign-form")).to_be_visible()
        await page.get_by_test_id("campaign-name").fill("回访 " + lang)
        await page.get_by_test_id("campaign-mode").select_option("predictive")
        await page.get_by_test_id("campaign-queue").select_option(index=1)
        machine = page.get_by_test_id("campaign-machine")
        label = "识别后在问候语结束时留言" if lang == "zh-CN" else "Detect and leave a message"
        await expect(machine.locator("option[value=message]")).to_contain_text(label)
        await machine.select_option("message")
        await page.get_by_test_id("campaign-machine-message-zh").fill(MESSAGE["zh-CN"])
        await page.get_by_test_id("campaign-machine-message-en").fill(MESSAGE["en"])
        await page.screenshot(path=ARTIFACTS / f"campaign-machines-{lang}.png", full_page=True)
        await page.get_by_test_id("campaign-save").click()
        row = page.get_by_test_id("campaign-row")
        await expect(row).to_have_attribute("data-status", "draft")
        (campaign,) = admin.get("/api/v1/campaigns").json()["items"]
        assert campaign["retry"] == {"machine": {"action": "message", "message": MESSAGE}}
        # A campaign call's timeline says what the check decided, in the page's language.
        described = await page.evaluate(DESCRIBE)
        assert described == EXPECTED[lang]
        assert errors == []
    finally:
        server.stop()
