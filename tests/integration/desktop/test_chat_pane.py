"""Acceptance (issue 21, the conversation pane): a visitor chats from the widget on a host page;
agent1 takes the chat in the desktop's conversation pane (Chromium), sees the visitor typing,
answers with a quick reply that sends at once; the visitor sees it once; the agent reloads and
sees the history once; she closes the chat and wraps it up in the same panel as a call.
In zh-CN and in en. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.channels.test_widget_browser import WORDS as WIDGET
from tests.integration.channels.test_widget_browser import host_page
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "pane": "在线会话",
        "accept": "接入",
        "reply": "问候",
        "typing": "访客正在输入…",
        "close": "结束会话",
        "visitor": "访客",
        "no_limit": "不限时",
    },
    "en": {
        "pane": "Conversations",
        "accept": "Accept",
        "reply": "Greeting (en)",
        "typing": "The visitor is typing…",
        "close": "End chat",
        "visitor": "Visitor",
        "no_limit": "No time limit",
    },
}
TEXTS = {
    "问候": "您好，很高兴为您服务，请问有什么可以帮您？",
    "Greeting (en)": "Hello, thank you for calling. How may I help you?",
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The demo with a web chat queue."""
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    server.start("demo")
    try:
        admin = login(server, "admin")
        created = admin.post(
            "/api/v1/queues",
            json={"name": "webchat", "display_name": "在线客服", "channel": "chat", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        yield server
    finally:
        server.stop()


async def said(page: Page, text: str) -> int:
    return await page.get_by_test_id("chat-message").filter(has_text=text).count()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_an_agent_takes_answers_reloads_and_wraps_up_a_chat_in_the_pane(
    chromium: Browser, server: ServerProcess, tmp_path: Path, lang: str
) -> None:
    words, widget = WORDS[lang], WIDGET[lang]
    answer = TEXTS[words["reply"]]
    desk, errors = await open_page(chromium, server, "agent1", lang=lang)
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    pane = desk.get_by_test_id("chat-pane")
    await expect(pane).to_be_hidden()  # no chats: the desk stays calm

    with host_page(tmp_path, server.url, lang) as url:
        context = await chromium.new_context(viewport={"width": 390, "height": 800})
        visitor = await context.new_page()
        await visitor.goto(url)
        await visitor.get_by_role("button", name=widget["open"]).click()
        await visitor.locator(".hlc-form input[name=name]").fill("王小明")
        await visitor.get_by_role("button", name=widget["start"]).click()
        compose = visitor.locator(".hlc-compose textarea")
        await compose.fill(widget["hello"])
        await compose.press("Enter")
        await expect(visitor.locator(".hlc-customer", has_text=widget["hello"])).to_have_attribute(
            "data-seq", "2"
        )

        # The offer shows in the pane; the agent takes it and reads what the visitor wrote.
        await expect(pane).to_be_visible(timeout=20_000)
        await expect(pane.get_by_role("heading")).to_have_text(words["pane"])
        offered = pane.get_by_test_id("chat-item").filter(has=desk.get_by_test_id("chat-accept"))
        await expect(offered).to_have_attribute("data-state", "offered")
        await pane.get_by_test_id("chat-accept").click()
        conversation = pane.get_by_test_id("chat-conversation")
        await expect(conversation).to_be_visible()
        # The history from its start, though "an agent joined" (seq 3) came live before it.
        await expect(
            conversation.get_by_test_id("chat-message").filter(has_text=widget["hello"])
        ).to_contain_text(words["visitor"])

        await expect(desk.get_by_test_id("call-panel")).to_be_hidden()  # a chat is no call

        # The visitor types: the pane says so.
        await compose.press_sequentially("还在吗" if lang == "zh-CN" else "still there?")
        await expect(pane.get_by_test_id("chat-typing")).to_have_text(words["typing"])

        # A quick reply sends at once; the visitor sees it once.
        await pane.get_by_test_id("chat-quick-reply").filter(has_text=words["reply"]).click()
        await expect(
            conversation.get_by_test_id("chat-message").filter(has_text=answer)
        ).to_have_count(1)
        await expect(visitor.locator(".hlc-agent", has_text=answer)).to_have_count(1)
        await desk.screenshot(path=ARTIFACTS / f"desktop-chat-pane-{lang}.png", full_page=True)

        # A reload rebuilds the pane from the server: each message once.
        await desk.reload()
        await expect(pane.get_by_test_id("chat-conversation")).to_be_visible(timeout=20_000)
        await expect(pane.get_by_test_id("chat-message").filter(has_text=answer)).to_be_visible()
        assert await said(desk, widget["hello"]) == 1
        assert await said(desk, answer) == 1
        assert await pane.get_by_test_id("chat-item").count() == 1
        await desk.screenshot(
            path=ARTIFACTS / f"desktop-chat-pane-reloaded-{lang}.png", full_page=True
        )

        # Close → the same wrap-up panel as a call.
        await pane.get_by_test_id("chat-close").click()
        await expect(visitor.locator(".hlc-status")).to_have_text(widget["ended"])
        wrapup = desk.get_by_test_id("wrapup-panel")
        await expect(wrapup).to_be_visible()
        await expect(wrapup.get_by_test_id("wrapup-timer")).to_have_text(words["no_limit"])
        await expect(pane).to_be_hidden()
        disposition = wrapup.get_by_test_id("disposition")
        options = await disposition.locator("option").evaluate_all(
            "(nodes) => nodes.map((n) => n.value).filter(Boolean)"
        )
        await disposition.select_option(options[0])
        await wrapup.get_by_test_id("notes").fill("快递延误" if lang == "zh-CN" else "parcel late")
        await desk.screenshot(path=ARTIFACTS / f"desktop-chat-wrapup-{lang}.png", full_page=True)
        await wrapup.get_by_test_id("wrapup-save").click()
        await expect(wrapup).to_be_hidden()
        await expect(desk.get_by_test_id("desk-error")).to_be_hidden()
        await expect(visitor.locator(".hlc-agent", has_text=answer)).to_have_count(1)
        await context.close()

    agent = login(server, "agent1")
    assert agent.get("/api/v1/chat/mine").json()["items"] == []
    assert errors == []


@pytest.mark.baresip
async def test_a_chat_taken_during_a_call_leaves_the_call_panel_alone(
    chromium: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    """Text blend on: agent1, on a call from a baresip phone, takes a chat in the pane and
    answers it; the call panel keeps the call, connected, and its hang-up ends the call only."""
    import asyncio

    from tests.data.callcenter.tones import CUSTOMER_HZ
    from tests.integration.callcenter.phones import baresip_phone
    from tests.integration.desktop.harness import events, eventually, open_around_the_clock

    admin = login(server, "admin")
    open_around_the_clock(admin)
    agent = login(server, "agent1")
    me = agent.get("/api/v1/desk").json()["agent_id"]
    profile = admin.get(f"/api/v1/agents/{me}").json()
    drop = {"id", "created_at", "updated_at", "tenant_id", "teams"}
    body = {k: v for k, v in profile.items() if k not in drop}
    body["skills"] = [{k: v for k, v in s.items() if k != "name"} for s in body.get("skills", [])]
    saved = admin.put(f"/api/v1/agents/{me}", json={**body, "text_during_call": True})
    assert saved.status_code == 200, saved.text
    widget = WIDGET["en"]
    desk, errors = await open_page(chromium, server, "agent1", lang="en")
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    async with baresip_phone(
        tmp_path, "caller", user="13900139078", display="刘洋", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ,
    ) as caller:  # fmt: skip
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")
        await asyncio.sleep(1.5)  # the greeting carries the key to the menu
        await caller.keys("1")
        await expect(desk.get_by_test_id("offer-toast")).to_be_visible(timeout=20_000)
        await desk.get_by_test_id("answer").click()
        panel = desk.get_by_test_id("call-panel")
        await expect(panel).to_have_attribute("data-phase", "connected")
        call = await panel.get_attribute("data-interaction")

        with host_page(tmp_path, server.url, "en") as url:
            context = await chromium.new_context()
            visitor = await context.new_page()
            await visitor.goto(url)
            await visitor.get_by_role("button", name=widget["open"]).click()
            await visitor.locator(".hlc-form input[name=name]").fill("Ann")
            await visitor.get_by_role("button", name=widget["start"]).click()
            await visitor.locator(".hlc-compose textarea").fill(widget["hello"])
            await visitor.locator(".hlc-compose textarea").press("Enter")
            pane = desk.get_by_test_id("chat-pane")
            await pane.get_by_test_id("chat-accept").click(timeout=20_000)
            await pane.get_by_test_id("chat-quick-reply").filter(has_text="Greeting (en)").click()
            answer = TEXTS["Greeting (en)"]
            await expect(visitor.locator(".hlc-agent", has_text=answer)).to_have_count(1)
            await expect(panel).to_be_visible()
            await expect(panel).to_have_attribute("data-phase", "connected")
            await expect(panel).to_have_attribute("data-interaction", call or "")
            await desk.screenshot(
                path=ARTIFACTS / "desktop-chat-during-call-en.png", full_page=True
            )
            # The call panel's hang-up ends the call, never the chat beside it.
            await panel.get_by_test_id("hangup").click()
            await expect(panel).to_be_hidden()
            ended = await eventually(
                lambda: events(admin, "agent.interaction_ended"),
                lambda found: any(e["interaction_id"] == call for e in found),
            )
            assert {e["interaction_id"] for e in ended} == {call}  # the chat goes on
            await expect(pane.get_by_test_id("chat-conversation")).to_be_visible()
            await expect(visitor.locator(".hlc-status")).not_to_have_text(widget["ended"])
            await context.close()
    assert errors == []
