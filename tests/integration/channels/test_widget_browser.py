"""The widget in real Chromium on a host page of another origin, in zh-CN and en: the pre-chat
form, a message in the visitor's language, the agent's quick reply shown once, the page
reloaded mid-chat showing everything once (the panel open again as it was left), the agent's
close, the centre's end-of-chat survey in the visitor's language answered once (a second
submit is refused in her language) and its low rating opening a review of the agent's segment.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.desk.conftest import Desk, log_in_browser_agent
from tests.integration.desktop.harness import ARTIFACTS
from tests.ports import free_port

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "open": "在线客服",
        "start": "开始咨询",
        "hello": "你好，我的快递三天没动了",
        "reply": "您好，已为您查询，明天送达",
        "ended": "本次会话已结束",
        "thanks": "感谢您的评价！",
        "again": "开始新的会话",
        "title": "服务满意度调查",
        "rating": "请为本次服务打分（1–5 分）",
        "no": "否",
        "comment": "等了很久才有人回复",
        "submit": "提交评价",
        "used": "您已经评价过本次会话，谢谢！",
        "missing": "请回答：您的问题解决了吗？",
    },
    "en": {
        "open": "Chat with us",
        "start": "Start chat",
        "hello": "Hello, my parcel has not moved for three days",
        "reply": "Hello, it arrives tomorrow",
        "ended": "This chat has ended",
        "thanks": "Thank you for your rating!",
        "again": "Start a new chat",
        "title": "How did we do?",
        "rating": "Rate this service from 1 to 5",
        "no": "No",
        "comment": "I waited a long time for an answer",
        "submit": "Send my answers",
        "used": "You have already rated this chat, thank you!",
        "missing": "Please answer: Was your problem solved?",
    },
}


@contextlib.contextmanager
def host_page(tmp: Path, server_url: str, lang: str) -> Iterator[str]:
    """A shop's page on its own origin with the one script tag."""
    (tmp / "index.html").write_text(
        f"""<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head>
<body><h1>Shop</h1>
<script src="{server_url}/static/chat/widget.js" data-center="demo" data-lang="{lang}" async>
</script></body></html>""",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp))
    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/index.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def bubbles(page: Page, text: str) -> int:
    return await page.locator(".hlc-msg", has_text=text).count()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_visitor_chats_from_a_host_page_reloads_and_rates(
    chat_server: Desk, browser: Browser, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    desk = chat_server
    agent = desk.login("agent1")
    async with desk.browser_phone("agent1", 440.0):
        log_in_browser_agent(desk)
        with host_page(tmp_path, desk.server.url, lang) as url:
            context = await browser.new_context(viewport={"width": 390, "height": 800})
            page = await context.new_page()
            await page.goto(url)
            await page.get_by_role("button", name=words["open"]).click()
            await page.locator(".hlc-form input[name=name]").fill("王小明")
            await page.get_by_role("button", name=words["start"]).click()
            await page.locator(".hlc-compose textarea").fill(words["hello"])
            await page.locator(".hlc-compose textarea").press("Enter")
            mine = page.locator(".hlc-customer", has_text=words["hello"])
            await expect(mine).to_have_attribute("data-seq", "2")  # acknowledged, stored

            conversation = await page.evaluate(
                "() => JSON.parse(Object.entries(localStorage)[0][1]).conversation"
            )
            await desk.until(
                lambda: agent.post(f"/api/v1/chat/conversations/{conversation}/accept").is_success
            )
            path = f"/api/v1/chat/conversations/{conversation}/messages"
            sent = agent.post(path, {"client_id": "quick-1", "body": words["reply"]})
            assert sent.status_code == 200, sent.text
            await expect(page.locator(".hlc-agent", has_text=words["reply"])).to_be_visible()
            await page.screenshot(path=str(ARTIFACTS / f"chat-widget-{lang}.png"))

            await page.reload()
            # the panel opens again by itself: the chat is not hidden behind the button
            await expect(page.locator(".hlc-agent", has_text=words["reply"])).to_be_visible()
            await expect(page.get_by_role("button", name=words["open"])).to_be_hidden()
            assert await bubbles(page, words["hello"]) == 1
            assert await bubbles(page, words["reply"]) == 1
            await expect(page.locator(".hlc-form")).to_be_hidden()  # no second pre-chat form

            closed = agent.post(f"/api/v1/chat/conversations/{conversation}/close")
            assert closed.status_code == 200, closed.text
            await expect(page.locator(".hlc-status")).to_have_text(words["ended"])
            survey = page.locator(".hlc-survey")
            await expect(survey.locator("strong")).to_have_text(words["title"])
            rating = survey.locator("fieldset[data-key=rating]")
            await expect(rating.locator("legend")).to_have_text(words["rating"])
            await rating.locator("input[value='1']").check()
            await survey.get_by_role("button", name=words["submit"]).click()
            # a required question left empty is named in the visitor's language
            await expect(page.locator(".hlc-status")).to_have_text(words["missing"])
            await survey.locator("fieldset[data-key=solved]").get_by_label(words["no"]).check()
            await survey.locator("textarea[name=q_comment]").fill(words["comment"])
            await page.screenshot(path=str(ARTIFACTS / f"chat-widget-survey-{lang}.png"))
            await survey.get_by_role("button", name=words["submit"]).click()
            await expect(page.locator(".hlc-status")).to_have_text(words["thanks"])
            await expect(survey).to_be_hidden()
            # the same answers submitted again are refused
            await page.evaluate("() => document.querySelector('.hlc-survey').requestSubmit()")
            await expect(page.locator(".hlc-status")).to_have_text(words["used"])
            await page.screenshot(path=str(ARTIFACTS / f"chat-widget-rated-{lang}.png"))
            await page.get_by_role("button", name=words["again"]).click()
            await expect(page.locator(".hlc-form")).to_be_visible()
            assert await page.locator(".hlc-msg").count() == 0
            await context.close()
    history = agent.get(path).json()["items"]
    assert [m["body"] for m in history].count(words["hello"]) == 1

    # the rating of 1 opened a review of agent1's segment; the comment is among its answers
    admin = desk.login("admin")

    def review() -> dict[str, Any] | None:
        items = admin.get("/api/v1/quality/reviews").json()
        return next((r for r in items if r["interaction_id"] == conversation), None)

    await desk.until(lambda: review() is not None)
    opened = review()
    assert opened is not None
    replied = next(m["agent_id"] for m in history if m["sender"] == "agent")
    assert (opened["rating"], opened["agent_id"]) == (1, replied)
    detail = admin.get(f"/api/v1/quality/reviews/{opened['id']}").json()
    assert words["comment"] in json.dumps(detail, ensure_ascii=False)
