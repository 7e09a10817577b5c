"""Acceptance (issue 18): the missed worklist, a screen of the shell. 王芳 (a baresip caller
behind a test trunk) gives up waiting in the support queue. agent1 (Chromium, browser phone,
not ready) and agent3 (another Chromium page) both see the missed call; agent1 claims it,
agent3 sees it claimed by 坐席 李娜 and cannot claim it; agent1 presses 回拨: her browser phone
takes the call, 王芳's phone rings and answers, and they talk (the caller's tone in agent1's page).
All on 127.0.0.1, against the real `hotline demo`."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.harness import (
    ARTIFACTS,
    events,
    eventually,
    heard_by,
    login,
    open_around_the_clock,
    open_page,
)
from tests.server import ServerProcess, free_port

pytestmark = [pytest.mark.browser, pytest.mark.baresip]


async def test_two_agents_one_claims_the_other_sees_it_and_the_callback_connects(
    chromium: Browser, tmp_path: Path
) -> None:
    caller_port = free_port(socket.SOCK_DGRAM)
    trunk = {
        "name": "pstn", "host": "127.0.0.1", "port": caller_port,
        "inbound_sources": [f"127.0.0.1:{caller_port}"],
    }  # fmt: skip
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_SIP__TRUNKS=json.dumps([trunk]),
    )
    try:
        server.start("demo")
        admin = login(server, "admin")
        open_around_the_clock(admin)
        desk1, errors1 = await open_page(chromium, server, "agent1")
        await desk1.goto(f"{server.url}/desktop")
        await desk1.locator("#login-ready").uncheck()
        await desk1.get_by_test_id("desk-login").click()
        await expect(desk1.get_by_test_id("desk-state")).to_have_attribute(
            "data-state", "not_ready"
        )
        page3, errors3 = await open_page(chromium, server, "agent3")
        await page3.goto(f"{server.url}/missed")

        async with baresip_phone(
            tmp_path, "caller", user="13800138001", display="王芳",
            server_port=server.sip_port, sip_port=caller_port, tone_hz=CUSTOMER_HZ,
        ) as caller:  # fmt: skip
            await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
            await caller.wait_event("CALL_ESTABLISHED")
            await asyncio.sleep(1.5)
            await caller.keys("2")  # support; nobody is ready
            await eventually(lambda: events(admin, "queue.entered"), bool)
            await asyncio.sleep(1.0)  # 王芳 waits a little, then gives up
            await caller.hangup()
            await eventually(lambda: events(admin, "interaction.ended"), bool)

            # agent1 opens the worklist from the menu (a screen of the shell) and claims it.
            await desk1.locator("nav.nav a[href='/missed']").click()
            row1 = desk1.get_by_test_id("missed").locator("tbody tr").first
            await expect(row1).to_contain_text("13800138001", timeout=20_000)
            await row1.get_by_test_id("claim").click()
            await expect(row1.get_by_test_id("claimed-by")).to_have_text("我")

            # agent3 sees who has it and may not claim it.
            await page3.get_by_test_id("refresh").click()
            row3 = page3.get_by_test_id("missed").locator("tbody tr").first
            await expect(row3.get_by_test_id("claimed-by")).to_have_text("坐席 李娜")
            await expect(row3.get_by_test_id("claim")).to_have_count(0)
            await page3.screenshot(path=ARTIFACTS / "missed-claimed-by-zh-CN.png", full_page=True)

            # One click calls back: agent1's phone first, then 王芳's, which answers.
            await row1.get_by_test_id("call-back").click()
            # A browser phone takes it at once: the strip shows the call on this screen.
            await expect(desk1.get_by_test_id("call-chip")).to_be_visible(timeout=20_000)
            await expect(desk1.get_by_test_id("call-chip")).to_contain_text("王芳")
            await expect(desk1.get_by_test_id("offer-toast")).to_be_hidden()
            await caller.wait_event("CALL_ESTABLISHED", timeout=20)
            heard: dict[str, float] = {}
            for _ in range(20):
                heard = await heard_by(desk1, 500)
                if heard["hz"] == pytest.approx(CUSTOMER_HZ, abs=15):
                    break
            assert heard["hz"] == pytest.approx(CUSTOMER_HZ, abs=15), heard
            await desk1.screenshot(path=ARTIFACTS / "missed-call-back-zh-CN.png", full_page=True)
            await caller.hangup()
        assert errors1 + errors3 == []
    finally:
        server.stop()
