"""Visitor identity in real Chromium, in zh-CN and en: the host page carries a token its server
signed with the centre's identity secret; the chat opens for that customer (her timeline shows
it). A page with a forged token is refused in the visitor's language and opens no chat."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from hotline.channels.chat.identity import sign
from tests.integration.channels.test_widget_browser import WORDS as WIDGET
from tests.integration.desk.conftest import WANG_FANG, Desk, log_in_browser_agent
from tests.ports import free_port

pytestmark = pytest.mark.browser

SECRET = "the-shop-and-the-centre-share-this-0123456789"
REFUSED = {
    "zh-CN": "无法确认您的身份，请刷新页面后重试",
    "en": "We could not confirm who you are. Reload the page and try again",
}


@contextlib.contextmanager
def signed_in_page(tmp: Path, server_url: str, lang: str, token: str) -> Iterator[str]:
    """The shop's page for a signed-in customer: the widget with her token."""
    (tmp / "account.html").write_text(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>My account</title></head>
<body><h1>My account</h1>
<script src="{server_url}/static/chat/widget.js" data-center="demo" data-lang="{lang}"
        data-identity="{token}" async></script></body></html>""",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/account.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_signed_in_customer_chats_as_herself_and_a_forged_token_is_refused(
    chat_server: Desk, browser: Browser, tmp_path: Path, lang: str
) -> None:
    desk = chat_server
    widget = WIDGET[lang]
    admin = desk.login("admin")
    saved = admin.client.put("/api/v1/chat/settings", json={"identity_secret": SECRET})
    assert saved.status_code == 200, saved.text
    assert saved.json()["settings"]["identity_secret"] == "********"  # never shown again
    claims = {"sub": "shop-7", "name": "王芳", "phone": WANG_FANG, "exp": int(time.time()) + 600}
    async with desk.browser_phone("agent1", 440.0):
        log_in_browser_agent(desk)
        context = await browser.new_context()
        page = await context.new_page()
        forged = sign(claims, "not-the-centres-secret-0123456789abcdef")
        with signed_in_page(tmp_path, desk.server.url, lang, forged) as url:
            await page.goto(url)
            await page.get_by_role("button", name=widget["open"]).click()
            await page.locator(".hlc-form input[name=name]").fill("王芳")
            await page.get_by_role("button", name=widget["start"]).click()
            await expect(page.locator(".hlc-status")).to_have_text(REFUSED[lang])
            await expect(page.locator(".hlc-form")).to_be_visible()  # no chat opened
            await expect(page.locator(".hlc-compose")).to_be_hidden()
        await page.evaluate("() => localStorage.clear()")

        with signed_in_page(tmp_path, desk.server.url, lang, sign(claims, SECRET)) as url:
            await page.goto(url)
            await page.get_by_role("button", name=widget["open"]).click()
            await page.locator(".hlc-form input[name=name]").fill("王芳")
            await page.get_by_role("button", name=widget["start"]).click()
            await page.locator(".hlc-compose textarea").fill(widget["hello"])
            await page.locator(".hlc-compose textarea").press("Enter")
            await expect(page.locator(".hlc-customer", has_text=widget["hello"])).to_have_attribute(
                "data-seq", "2"
            )
        await context.close()

    (customer,) = admin.get(f"/api/v1/customers/lookup?phone={WANG_FANG}").json()["items"]

    def chat_on_timeline() -> bool:
        items = admin.get(f"/api/v1/customers/{customer['id']}/timeline").json()["items"]
        return any(i.get("channel") == "chat" for i in items)

    await desk.until(chat_on_timeline)
