"""Acceptance (issue 21, SMS): during a call from a baresip phone, agent1 texts the caller a
quick reply from the desktop's call panel (Chromium); the text reaches the SMSC double (a real
SMPP server on loopback) addressed to the caller's number, and the desk says it was sent.
In zh-CN and in en."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.harness import (
    ARTIFACTS,
    eventually,
    items,
    login,
    open_around_the_clock,
    open_page,
)
from tests.server import ServerProcess
from tests.smsc import Smsc

pytestmark = [pytest.mark.browser, pytest.mark.baresip]

NUMBER = "13900139077"
WORDS = {
    "zh-CN": {"button": "发短信", "reply": "问候", "sent": f"短信已发送至 {NUMBER}"},
    "en": {
        "button": "Text the customer",
        "reply": "Greeting (en)",
        "sent": f"Text sent to {NUMBER}",
    },
}
TEXTS = {
    "问候": "您好，很高兴为您服务，请问有什么可以帮您？",
    "Greeting (en)": "Hello, thank you for calling. How may I help you?",
}


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The demo whose egress policy lets it reach the SMSC double on loopback."""
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_EGRESS__ALLOW_NETWORKS='["127.0.0.0/8"]',
    )
    yield server
    server.stop()


@pytest.fixture
async def smsc() -> AsyncIterator[Smsc]:
    server = await Smsc().start()
    yield server
    await server.stop()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_quick_reply_texted_during_the_call_reaches_the_smsc(
    chromium: Browser, loopback_server: ServerProcess, smsc: Smsc, tmp_path: Path, lang: str
) -> None:
    server = loopback_server
    server.start("demo")
    admin = login(server, "admin")
    open_around_the_clock(admin)
    settings = {
        "provider": "smpp",
        "smpp": {"host": "127.0.0.1", "port": smsc.port, "system_id": "hotline",
                 "password": "secret"},
        "sender_ids": ["10690123"],
    }  # fmt: skip
    saved = await asyncio.to_thread(admin.put, "/api/v1/sms/settings", json=settings)
    assert saved.status_code == 200, saved.text
    await smsc.wait(lambda: smsc.binds >= 1)
    words = WORDS[lang]

    desk, errors = await open_page(chromium, server, "agent1", lang=lang)
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")

    async with baresip_phone(
        tmp_path, "caller", user=NUMBER, display="刘洋", server_port=server.sip_port,
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

        await expect(desk.get_by_test_id("open-sms")).to_have_text(words["button"])
        await desk.get_by_test_id("open-sms").click()
        form = desk.get_by_test_id("sms-form")
        await form.get_by_test_id("sms-reply").filter(has_text=words["reply"]).click()
        await expect(form.get_by_test_id("sms-text")).to_have_value(TEXTS[words["reply"]])
        await expect(form.get_by_test_id("sms-count")).to_contain_text("1")
        await desk.screenshot(path=ARTIFACTS / f"desktop-sms-in-call-{lang}.png", full_page=True)
        await form.get_by_test_id("sms-send").click()
        await expect(desk.get_by_test_id("desk-status")).to_contain_text(words["sent"])
        await expect(form).to_be_hidden()
        await smsc.wait(lambda: len(smsc.submitted) >= 1)
        assert smsc.joined() == [TEXTS[words["reply"]]]
        submitted = smsc.submitted[0].pdu
        assert submitted.get("destination_addr") == NUMBER
        assert submitted.get("source_addr") == "10690123"
        assert submitted.get("data_coding") == (8 if lang == "zh-CN" else 0)
        await expect(panel).to_have_attribute("data-phase", "connected")  # the call goes on
        await caller.hangup()

    # The SMSC double's delivery receipt comes back over SMPP: the message is delivered.
    rows = await eventually(
        lambda: items(admin, "/api/v1/sms/messages"),
        lambda rows: bool(rows) and rows[0]["status"] == "delivered",
    )
    row = rows[0]
    assert (row["purpose"], row["recipient"], row["parts"]) == ("quick_reply", NUMBER, 1)
    assert row["reference"]  # the call's contact
    assert errors == []
