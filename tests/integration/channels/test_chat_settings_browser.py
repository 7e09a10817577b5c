"""The web chat settings screen in real Chromium against `hotline demo` (issue 21), in zh-CN and
in en: an admin's bad values are refused first, each naming its field in the user's language;
then she lists the shop's site, makes the mobile number required, writes the greetings and
saves; a reload shows them; the embed line is copied. With no restart, the next visitor on
the shop's page sees the greeting in her language and cannot start without her mobile, and a
page of a site not listed is refused. An agent may not open the screen."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, expect
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.integration.channels.test_widget_browser import WORDS as WIDGET
from tests.integration.channels.test_widget_browser import host_page
from tests.integration.desk.conftest import Desk, log_in_browser_agent
from tests.integration.desktop.harness import ARTIFACTS, open_page

pytestmark = pytest.mark.browser

GREETING = {"zh": "您好，欢迎光临本店，工作时间 9:00–21:00", "en": "Hi, welcome to our shop!"}
SAID = {
    "zh-CN": {
        "title": "在线客服",
        "bad_origin": "允许嵌入的网站：“shop.example.cn”不是网站地址，应类似 https://shop.example.cn",
        "bad_size": "文件大小上限（MB）",
        "saved": "在线客服设置已保存，新访客立即生效。",
        "copied": "嵌入代码已复制。",
        "need_phone": "请填写：手机号",
    },
    "en": {
        "title": "Web chat",
        "bad_origin": (
            "Allowed sites: “shop.example.cn” is not a site address like https://shop.example.cn"
        ),
        "bad_size": "Largest file (MB)",
        "saved": "Web chat settings saved. New visitors get them now.",
        "copied": "The embed code is copied.",
        "need_phone": "Please fill in: Mobile",
    },
}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_admin_sets_up_the_web_chat_and_the_next_visitor_gets_it(
    chat_server: Desk, browser: Browser, tmp_path: Path, lang: str
) -> None:
    desk, said, widget = chat_server, SAID[lang], WIDGET[lang]
    server = desk.server
    page, errors = await open_page(browser, server, "admin", lang=lang)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await page.goto(f"{server.url}/admin/chat")
    await expect(page.get_by_test_id("chat-settings-title")).to_have_text(said["title"])
    form = page.get_by_test_id("chat-settings")
    await expect(form).to_have_attribute("data-loaded", "true")
    embed = page.get_by_test_id("chat-embed")
    await expect(embed).to_have_value(
        f'<script src="{server.url}/static/chat/widget.js" data-center="demo" '
        'data-lang="zh-CN" async></script>'
    )
    await expect(form.get_by_test_id("chat-survey")).to_have_value("default")
    error = page.get_by_test_id("chat-settings-error")

    with host_page(tmp_path, server.url, lang) as shop:
        site = "{0.scheme}://{0.netloc}".format(urlsplit(shop))
        # Bad values first: each refused, naming its field; nothing is written.
        await form.get_by_test_id("chat-origins").fill("shop.example.cn")
        await form.get_by_test_id("chat-settings-save").click()
        await expect(error).to_have_text(said["bad_origin"])
        await form.get_by_test_id("chat-origins").fill(f"{site}/\nhttps://shop.example.cn")
        await form.get_by_test_id("chat-file-max").fill("500")
        await form.get_by_test_id("chat-settings-save").click()
        await expect(error).to_contain_text(said["bad_size"])
        await expect(error).to_contain_text("15")
        await page.screenshot(path=ARTIFACTS / f"chat-settings-refused-{lang}.png", full_page=True)
        admin = desk.login("admin")
        assert admin.get("/api/v1/chat/settings").json()["settings"]["allowed_origins"] == []

        await form.get_by_test_id("chat-file-max").fill("8")
        await form.get_by_test_id("chat-prechat-phone").select_option("required")
        await form.get_by_test_id("chat-prechat-email").select_option("hidden")
        await form.get_by_test_id("chat-greeting-zh").fill(GREETING["zh"])
        await form.get_by_test_id("chat-greeting-en").fill(GREETING["en"])
        await form.get_by_test_id("chat-settings-save").click()
        await expect(page.get_by_test_id("chat-settings-status")).to_have_text(said["saved"])
        await expect(error).to_be_hidden()

        await page.reload()
        await expect(form).to_have_attribute("data-loaded", "true")
        await expect(form.get_by_test_id("chat-origins")).to_have_value(
            f"{site}\nhttps://shop.example.cn"
        )
        await expect(form.get_by_test_id("chat-prechat-phone")).to_have_value("required")
        await expect(form.get_by_test_id("chat-greeting-en")).to_have_value(GREETING["en"])
        await expect(form.get_by_test_id("chat-file-max")).to_have_value("8")
        await page.get_by_test_id("chat-copy").click()
        await expect(page.get_by_test_id("chat-settings-status")).to_have_text(said["copied"])
        assert await page.evaluate("() => navigator.clipboard.readText()") == (
            await embed.input_value()
        )
        await page.screenshot(path=ARTIFACTS / f"chat-settings-{lang}.png", full_page=True)

        # The next visitor, no restart: the greeting in her language, the mobile required.
        async with desk.browser_phone("agent1", 440.0):
            log_in_browser_agent(desk)
            context = await browser.new_context(viewport={"width": 390, "height": 800})
            visitor = await context.new_page()
            await visitor.goto(shop)
            await visitor.get_by_role("button", name=widget["open"]).click()
            await expect(visitor.locator(".hlc-greeting")).to_have_text(
                GREETING["zh" if lang == "zh-CN" else "en"]
            )
            await expect(visitor.locator(".hlc-form input[name=email]")).to_be_hidden()
            await visitor.locator(".hlc-form input[name=name]").fill("王小明")
            await visitor.get_by_role("button", name=widget["start"]).click()
            await expect(visitor.locator(".hlc-status")).to_have_text(said["need_phone"])
            await visitor.screenshot(path=ARTIFACTS / f"chat-widget-prechat-{lang}.png")
            await visitor.locator(".hlc-form input[name=phone]").fill("13900139055")
            await visitor.get_by_role("button", name=widget["start"]).click()
            await expect(visitor.locator(".hlc-compose textarea")).to_be_visible()
            await expect(visitor.locator(".hlc-greeting")).to_be_hidden()
            await context.close()

            # The server keeps the rules too: a hello without the mobile, a site not listed.
            visitor_url = desk.ws + "/api/v1/chat/visitor?center=demo"
            async with connect(visitor_url, origin=site) as ws:  # type: ignore[arg-type]
                await ws.send(json.dumps({"type": "hello", "language": "en", "name": "Ann"}))
                refused = json.loads(await ws.recv())
                assert (refused["type"], refused["field"]) == ("error", "phone")
            elsewhere = "http://elsewhere.example"
            async with connect(visitor_url, origin=elsewhere) as ws:  # type: ignore[arg-type]
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 4403
    assert errors == []

    agent, _ = await open_page(browser, server, "agent1", lang=lang)
    response = await agent.goto(f"{server.url}/admin/chat")
    assert response is not None
    assert response.status in (403, 404) or "/admin/chat" not in agent.url
