"""Acceptance (issue 23, the bot): a visitor asks in the chat widget (Chromium); the tenant's
`web-chat` flow — the example flow, pointed at a chat queue — lets the knowledge bot answer from
a seeded article; the visitor asks for a person ("转人工" / "agent") and leaves a number; agent1
accepts in the desktop's conversation pane and sees the bot conversation first, then answers.
In zh-CN and in en; in en the visitor first asks something no article answers, and the admin
finds it among the knowledge screen's unanswered questions and starts an article from it.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.async_api import Browser, expect

from tests.integration.channels.test_widget_browser import WORDS as WIDGET
from tests.integration.channels.test_widget_browser import host_page
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "flows" / "web-chat.yaml"
WORDS = {
    "zh-CN": {
        "greeting": "我是智能客服",
        "question": "我的银行卡丢了怎么办",
        "article": "银行卡挂失",
        "person": "帮我转人工",
        "handing": "正在为您转接人工客服",
        "details": "请留下手机号或订单号",
        "bot": "智能客服",
        "answer": "您好，很高兴为您服务，请问有什么可以帮您？",
        "reply": "问候",
        "unknown": "",
    },
    "en": {
        "greeting": "virtual assistant",
        "question": "I lost my card, what should I do?",
        "article": "Report a lost or stolen card",
        "person": "I want to talk to an agent",
        "handing": "connecting you to an agent",
        "details": "order number",
        "bot": "Bot",
        "answer": "Hello, thank you for calling. How may I help you?",
        "reply": "Greeting (en)",
        "unknown": "what is the weather like today",
    },
}


def chat_flow() -> str:
    """The example web-chat flow, open around the clock and queueing in the test's chat queue."""
    flow: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    nodes = flow["nodes"]
    nodes["hello"]["next"] = "bot"
    del nodes["open_check"], flow["calendars"]
    nodes["support"] = {"type": "queue", "queue": "webchat", "max_wait": 600,
                        "no_answer": "after_hours"}  # fmt: skip
    del nodes["rate"]
    return yaml.safe_dump(flow, allow_unicode=True)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The demo (its knowledge base seeded) with a web chat queue and the web-chat flow."""
    server = ServerProcess(tmp_path / "var", f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db")
    server.start("demo")
    try:
        admin = login(server, "admin")
        created = admin.post(
            "/api/v1/queues",
            json={"name": "webchat", "display_name": "在线客服", "channel": "chat", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        published = admin.post("/api/v1/flows", json={"text": chat_flow()})
        assert published.status_code == 201, published.text
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_bot_answers_then_hands_off_and_the_agent_sees_its_transcript(
    chromium: Browser, server: ServerProcess, tmp_path: Path, lang: str
) -> None:
    words, widget = WORDS[lang], WIDGET[lang]
    desk, errors = await open_page(chromium, server, "agent1", lang=lang)
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    pane = desk.get_by_test_id("chat-pane")

    with host_page(tmp_path, server.url, lang) as url:
        context = await chromium.new_context(viewport={"width": 390, "height": 800})
        visitor = await context.new_page()
        await visitor.goto(url)
        await visitor.get_by_role("button", name=widget["open"]).click()
        await visitor.locator(".hlc-form input[name=name]").fill("王小明")
        await visitor.get_by_role("button", name=widget["start"]).click()
        await expect(visitor.locator(".hlc-bot", has_text=words["greeting"])).to_be_visible()
        compose = visitor.locator(".hlc-compose textarea")

        if words["unknown"]:  # nothing in the knowledge base: the bot asks to say it again
            await compose.fill(words["unknown"])
            await compose.press("Enter")
            await expect(visitor.locator(".hlc-bot", has_text="did not understand")).to_be_visible(
                timeout=20_000
            )

        # The bot answers from the seeded article; nobody is offered the chat yet.
        await compose.fill(words["question"])
        await compose.press("Enter")
        await expect(visitor.locator(".hlc-bot", has_text=words["article"])).to_be_visible(
            timeout=20_000
        )
        await expect(pane).to_be_hidden()
        await visitor.screenshot(path=ARTIFACTS / f"bot-answer-{lang}.png", full_page=True)

        # Asking for a person: the bot says so, asks for a number, then the queue.
        await compose.fill(words["person"])
        await compose.press("Enter")
        await expect(visitor.locator(".hlc-bot", has_text=words["handing"])).to_be_visible()
        await expect(visitor.locator(".hlc-bot", has_text=words["details"])).to_be_visible()
        await compose.fill("13800138000")
        await compose.press("Enter")

        # The agent accepts and reads the bot conversation first, labelled as the bot's.
        await expect(pane).to_be_visible(timeout=20_000)
        await pane.get_by_test_id("chat-accept").click()
        conversation = pane.get_by_test_id("chat-conversation")
        await expect(conversation).to_be_visible()
        messages = conversation.get_by_test_id("chat-message")
        await expect(messages.first).to_have_attribute("data-sender", "bot")
        article = messages.filter(has_text=words["article"])
        await expect(article).to_have_attribute("data-sender", "bot")
        await expect(article).to_contain_text(words["bot"])
        question = messages.filter(has_text=words["question"])
        await expect(question).to_have_attribute("data-sender", "customer")
        seqs = {
            name: int(await loc.get_attribute("data-seq") or 0)
            for name, loc in (("question", question), ("article", article))
        }
        assert seqs["question"] < seqs["article"]
        await desk.screenshot(path=ARTIFACTS / f"bot-transcript-desk-{lang}.png", full_page=True)

        # Then the agent answers; the visitor sees it after the bot's lines.
        await pane.get_by_test_id("chat-quick-reply").filter(has_text=words["reply"]).click()
        await expect(visitor.locator(".hlc-agent", has_text=words["answer"])).to_have_count(1)
        answer_seq = await messages.filter(has_text=words["answer"]).get_attribute("data-seq")
        assert int(answer_seq or 0) > seqs["article"]
        await context.close()

    admin = login(server, "admin")
    figures = admin.get("/api/v1/knowledge/bot/figures").json()
    assert (figures["conversations"], figures["handed_off"]) == (1, 1)
    assert figures["hand_off_reasons"] == [{"reason": "requested", "count": 1}]
    assert errors == []
    if not words["unknown"]:
        return
    assert [u["question"] for u in figures["unanswered"]] == [words["unknown"]]
    page, page_errors = await open_page(chromium, server, "admin", lang=lang)
    await page.goto(f"{server.url}/knowledge")
    bot = page.get_by_test_id("kb-bot")
    await expect(bot.get_by_test_id("kb-bot-containment")).to_have_text("0%")
    await expect(bot.get_by_test_id("kb-bot-reason")).to_contain_text("asked for a person")
    question = bot.get_by_test_id("kb-bot-question").filter(has_text=words["unknown"])
    await question.get_by_test_id("kb-bot-write").click()
    await expect(page.get_by_test_id("kb-editor")).to_be_visible()
    await expect(page.get_by_test_id("kb-title-en")).to_have_value(words["unknown"])
    await page.screenshot(path=ARTIFACTS / "bot-unanswered-en.png", full_page=True)
    assert page_errors == []
