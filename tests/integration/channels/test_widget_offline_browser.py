"""Offline web chat in real Chromium, in zh-CN and en: with nobody logged in to the chat queue,
the widget on a host page offers the form to leave a message instead of a chat; a message
without a way to answer is refused in the visitor's language; the message left becomes a
ticket of the centre whose number the visitor is shown. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.integration.channels.test_widget_browser import WORDS as WIDGET
from tests.integration.channels.test_widget_browser import host_page
from tests.integration.desk.conftest import Desk
from tests.integration.desktop.harness import ARTIFACTS

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "note": "客服暂时不在线，请留言，我们会尽快回复您。",
        "send": "提交留言",
        "need": "请留下手机号或邮箱，方便我们回复您",
        "body": "我的发票抬头开错了，请帮忙重开",
        "left": "留言已收到，编号",
        "subject": "网页留言：王小明",
    },
    "en": {
        "note": "No agent is available now. Leave us a message and we will answer soon.",
        "send": "Leave a message",
        "need": "Please give a mobile number or an e-mail address so we can answer",
        "body": "The invoice has the wrong company name, please issue it again",
        "left": "Thank you, we have your message (number",
        "subject": "Web chat message: 王小明",
    },
}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_with_nobody_to_chat_the_visitor_leaves_a_message_that_becomes_a_ticket(
    chat_server: Desk, browser: Browser, tmp_path: Path, lang: str
) -> None:
    words, widget = WORDS[lang], WIDGET[lang]
    desk = chat_server
    with host_page(tmp_path, desk.server.url, lang) as url:
        context = await browser.new_context(viewport={"width": 390, "height": 800})
        page = await context.new_page()
        await page.goto(url)
        await page.get_by_role("button", name=widget["open"]).click()
        offline = page.locator(".hlc-offline")
        await expect(offline).to_be_visible()
        await expect(page.locator(".hlc-form")).to_be_hidden()
        await expect(offline.locator(".hlc-note")).to_have_text(words["note"])
        await offline.locator("input[name=name]").fill("王小明")
        await offline.locator("textarea[name=body]").fill(words["body"])
        await offline.get_by_role("button", name=words["send"]).click()
        await expect(page.locator(".hlc-status")).to_have_text(words["need"])
        await offline.locator("input[name=phone]").fill("13800138000")
        await offline.get_by_role("button", name=words["send"]).click()
        await expect(page.locator(".hlc-status")).to_contain_text(words["left"])
        await expect(offline).to_be_hidden()
        status = await page.locator(".hlc-status").text_content() or ""
        await page.screenshot(path=str(ARTIFACTS / f"chat-widget-offline-{lang}.png"))
        await context.close()

    number = "".join(c for c in status if c.isdigit())
    admin = desk.login("admin")
    found = admin.get(f"/api/v1/tickets/by-number/{number}")
    assert found.status_code == 200, found.text
    ticket = found.json()
    assert ticket["subject"] == words["subject"]
    assert words["body"] in ticket["description"]
    assert "13800138000" in ticket["description"]
