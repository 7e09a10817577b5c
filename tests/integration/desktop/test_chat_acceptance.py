"""Acceptance of issue 21's web chat, in Chromium, in zh-CN and in en: a shop's page with the
widget; the visitor chats (in Chinese in the zh-CN run); agent1, already on a call from a
baresip phone, receives the chat because her capacity rule lets text in during a call, answers
with a quick reply, and transfers the chat to agent2, who wraps it up; the visitor rates the
chat, and the rating is agent2's segment. The call panel keeps the call throughout. A reload of
the visitor's page and of either desk loses nothing and shows nothing twice. Screenshots go to
test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.channels.test_widget_browser import WORDS as WIDGET
from tests.integration.channels.test_widget_browser import host_page
from tests.integration.desktop.harness import (
    ARTIFACTS,
    events,
    eventually,
    login,
    open_around_the_clock,
    open_page,
)
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip]

REPLY = {"zh-CN": "问候", "en": "Greeting (en)"}  # the demo's quick replies
TEXTS = {
    "问候": "您好，很高兴为您服务，请问有什么可以帮您？",
    "Greeting (en)": "Hello, thank you for calling. How may I help you?",
}
NO_LIMIT = {"zh-CN": "不限时", "en": "No time limit"}
RATED = {"zh-CN": "是", "en": "Yes"}  # "was your problem solved?"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The demo, open all day, with a web chat queue."""
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    server.start("demo")
    try:
        admin = login(server, "admin")
        open_around_the_clock(admin)
        created = admin.post(
            "/api/v1/queues",
            json={"name": "webchat", "display_name": "在线客服", "channel": "chat", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        yield server
    finally:
        server.stop()


def blend_text_during_call(server: ServerProcess, agent_id: str) -> None:
    """The agent's capacity rule: chats may arrive during a call (ADR 0221)."""
    admin = login(server, "admin")
    profile = admin.get(f"/api/v1/agents/{agent_id}").json()
    drop = {"id", "created_at", "updated_at", "tenant_id", "teams"}
    body = {k: v for k, v in profile.items() if k not in drop}
    body["skills"] = [{k: v for k, v in s.items() if k != "name"} for s in body.get("skills", [])]
    saved = admin.put(f"/api/v1/agents/{agent_id}", json={**body, "text_during_call": True})
    assert saved.status_code == 200, saved.text


async def log_in_to_work(desk: Page, server: ServerProcess) -> None:
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")


async def once(page: Page, test_id: str, text: str) -> None:
    """`text` shows exactly once among the page's `test_id` elements."""
    await expect(page.get_by_test_id(test_id).filter(has_text=text)).to_have_count(1)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_chat_during_a_call_is_answered_transferred_and_wrapped_up(
    chromium: Browser, server: ServerProcess, tmp_path: Path, lang: str
) -> None:
    widget, answer = WIDGET[lang], TEXTS[REPLY[lang]]
    admin = login(server, "admin")
    agent1_id = login(server, "agent1").get("/api/v1/desk").json()["agent_id"]
    agent2_id = login(server, "agent2").get("/api/v1/desk").json()["agent_id"]
    blend_text_during_call(server, agent1_id)
    desk1, errors1 = await open_page(chromium, server, "agent1", lang=lang)
    await log_in_to_work(desk1, server)

    async with baresip_phone(
        tmp_path, "caller", user="13900139078", display="刘洋", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ,
    ) as caller:  # fmt: skip
        # agent1 is on a call: the caller presses 1 once the menu listens, agent1 answers.
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await eventually(
            lambda: events(admin, "flow.node_entered"),
            lambda found: any(e["payload"]["node_type"] == "menu" for e in found),
        )
        await caller.keys("1")
        await expect(desk1.get_by_test_id("offer-toast")).to_be_visible(timeout=20_000)
        await desk1.get_by_test_id("answer").click()
        panel = desk1.get_by_test_id("call-panel")
        await expect(panel).to_have_attribute("data-phase", "connected")
        call = await panel.get_attribute("data-interaction")
        assert call

        with host_page(tmp_path, server.url, lang) as url:
            context = await chromium.new_context(viewport={"width": 390, "height": 800})
            visitor = await context.new_page()
            await visitor.goto(url)
            await visitor.get_by_role("button", name=widget["open"]).click()
            await visitor.locator(".hlc-form input[name=name]").fill(
                "王小明" if lang == "zh-CN" else "Ann Lee"
            )
            await visitor.get_by_role("button", name=widget["start"]).click()
            compose = visitor.locator(".hlc-compose textarea")
            await compose.fill(widget["hello"])
            await compose.press("Enter")
            await expect(
                visitor.locator(".hlc-customer", has_text=widget["hello"])
            ).to_have_attribute("data-seq", "2")  # stored, acknowledged

            # Her capacity rule lets the chat in during the call; the call panel keeps it.
            pane1 = desk1.get_by_test_id("chat-pane")
            await pane1.get_by_test_id("chat-accept").click(timeout=20_000)
            await pane1.get_by_test_id("chat-quick-reply").filter(has_text=REPLY[lang]).click()
            await expect(visitor.locator(".hlc-agent", has_text=answer)).to_have_count(1)
            await once(desk1, "chat-message", answer)
            await expect(panel).to_have_attribute("data-phase", "connected")
            await expect(panel).to_have_attribute("data-interaction", call)
            await desk1.screenshot(
                path=ARTIFACTS / f"acceptance-chat-during-call-{lang}.png", full_page=True
            )

            # agent2 comes to work; agent1 transfers the chat to her.
            desk2, errors2 = await open_page(chromium, server, "agent2", lang=lang)
            await log_in_to_work(desk2, server)
            await pane1.get_by_test_id("chat-open-transfer").click()
            await pane1.get_by_test_id("chat-transfer-agent").select_option(agent2_id)
            await pane1.get_by_test_id("chat-transfer-go").click()
            await expect(pane1).to_be_hidden()
            pane2 = desk2.get_by_test_id("chat-pane")
            await pane2.get_by_test_id("chat-accept").click(timeout=20_000)
            conversation2 = pane2.get_by_test_id("chat-conversation")
            await expect(conversation2).to_be_visible()
            await once(desk2, "chat-message", widget["hello"])
            await once(desk2, "chat-message", answer)
            await expect(panel).to_have_attribute("data-phase", "connected")  # the call goes on

            # Reloads on every side: nothing lost, nothing twice.
            await visitor.reload()
            await expect(visitor.locator(".hlc-agent", has_text=answer)).to_have_count(1)
            await expect(visitor.locator(".hlc-customer", has_text=widget["hello"])).to_have_count(
                1
            )
            await desk2.reload()
            await expect(pane2.get_by_test_id("chat-conversation")).to_be_visible(timeout=20_000)
            await once(desk2, "chat-message", widget["hello"])
            await once(desk2, "chat-message", answer)
            assert await pane2.get_by_test_id("chat-item").count() == 1
            await desk1.reload()
            await expect(panel).to_have_attribute("data-phase", "connected", timeout=20_000)
            await expect(panel).to_have_attribute("data-interaction", call)
            await expect(pane1).to_be_hidden()  # the chat is agent2's now
            await desk2.screenshot(
                path=ARTIFACTS / f"acceptance-chat-transferred-{lang}.png", full_page=True
            )

            # agent2 ends the chat and wraps it up.
            await pane2.get_by_test_id("chat-close").click()
            await expect(visitor.locator(".hlc-status")).to_have_text(widget["ended"])
            wrapup = desk2.get_by_test_id("wrapup-panel")
            await expect(wrapup).to_be_visible()
            await expect(wrapup.get_by_test_id("wrapup-timer")).to_have_text(NO_LIMIT[lang])
            disposition = wrapup.get_by_test_id("disposition")
            options = await disposition.locator("option").evaluate_all(
                "(nodes) => nodes.map((n) => n.value).filter(Boolean)"
            )
            await disposition.select_option(options[0])
            await wrapup.get_by_test_id("notes").fill("快递延误" if lang == "zh-CN" else "late")
            await wrapup.get_by_test_id("wrapup-save").click()
            await expect(wrapup).to_be_hidden()
            await expect(desk2.get_by_test_id("desk-error")).to_be_hidden()
            # The visitor rates the chat: the centre's survey, in her language.
            survey = visitor.locator(".hlc-survey")
            await expect(survey.locator("strong")).to_have_text(widget["title"])
            await survey.locator("fieldset[data-key=rating] input[value='5']").check()
            await survey.locator("fieldset[data-key=solved]").get_by_label(RATED[lang]).check()
            await visitor.screenshot(path=ARTIFACTS / f"acceptance-chat-rated-{lang}.png")
            await survey.get_by_role("button", name=widget["submit"]).click()
            await expect(visitor.locator(".hlc-status")).to_have_text(widget["thanks"])
            await expect(survey).to_be_hidden()
            await visitor.reload()
            await expect(survey).to_be_hidden()  # rated once: not asked again
            await expect(visitor.locator(".hlc-agent", has_text=answer)).to_have_count(1)
            await context.close()

        # The chat's record: one wrap-up, agent2's; the call is still agent1's, connected.
        chat = await visitor_conversation(admin, call)
        dispositioned = await eventually(
            lambda: events(admin, "interaction.dispositioned"),
            lambda found: any(e["interaction_id"] == chat for e in found),
        )
        assert [e["agent_id"] for e in dispositioned if e["interaction_id"] == chat] == [agent2_id]
        # The rating is agent2's: her segment (the one after the transfer), not agent1's.
        answered = await eventually(
            lambda: events(admin, "flow.survey_answered"),
            lambda found: sum(e["interaction_id"] == chat for e in found) >= 2,
        )
        rated = [e for e in answered if e["interaction_id"] == chat]
        assert {e["agent_id"] for e in rated} == {agent2_id}
        assert {e["payload"]["question"]: e["payload"]["rating"] for e in rated} == {
            "rating": 5,
            "solved": 2,
        }
        segments = {
            e["agent_id"]: e["payload"]["work_id"]
            for e in events(admin, "queue.answered")
            if e["interaction_id"] == chat
        }
        assert set(segments) == {agent1_id, agent2_id}
        assert {e["payload"]["work_id"] for e in rated} == {segments[agent2_id]}
        await expect(panel).to_have_attribute("data-phase", "connected")
        await caller.hangup()
    assert errors1 == []
    assert errors2 == []


async def visitor_conversation(admin: httpx.Client, call: str) -> str:
    """The chat of this run: the one contact created on the chat channel."""
    created = await eventually(
        lambda: events(admin, "interaction.created"),
        lambda found: any(e["payload"]["channel"] == "chat" for e in found),
    )
    chats = [e["interaction_id"] for e in created if e["payload"]["channel"] == "chat"]
    assert len(chats) == 1
    assert call not in chats
    return str(chats[0])
