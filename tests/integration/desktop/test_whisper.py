"""Acceptance (issue 7): the supervisor whispers from the wallboard. 王芳 (a baresip caller)
talks with agent2 (a baresip SIP phone); the supervisor, in Chromium whose microphone plays
SUPERVISOR_HZ, presses 耳语 in agent2's row: her browser phone opens and joins the call.
agent2 hears the supervisor's tone; 王芳 does not (neither in what her phone heard, nor in the
call's recording, whose right channel is what the customer hears); the supervisor hears the
call. Then 停止. All on 127.0.0.1, against the real `hotline demo`."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.data.callcenter.tones import AGENT2_HZ, CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.conftest import SUPERVISOR_HZ
from tests.integration.desktop.harness import (
    ARTIFACTS,
    events,
    eventually,
    heard_by,
    items,
    login,
    open_around_the_clock,
    open_page,
    recording,
    windows_with,
)
from tests.server import PASSWORD, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip]


async def test_the_agent_hears_the_supervisors_whisper_and_the_customer_does_not(
    supervisor_chromium: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    open_around_the_clock(admin)
    agent2_id = next(a["id"] for a in items(admin, "/api/v1/agents") if a["username"] == "agent2")

    board, errors = await open_page(supervisor_chromium, server, "supervisor")
    await board.goto(f"{server.url}/wallboard")
    await expect(board.get_by_test_id("board-status")).to_have_text("实时")

    async with (
        baresip_phone(
            tmp_path, "agent2", user="1002", password=PASSWORD, server_port=server.sip_port,
            tone_hz=AGENT2_HZ,
        ) as phone2,
        baresip_phone(
            tmp_path, "caller", user="13800138001", display="王芳", server_port=server.sip_port,
            tone_hz=CUSTOMER_HZ,
        ) as caller,
    ):  # fmt: skip
        await eventually(lambda: events(admin, "sip.registered"), bool)
        agent2 = login(server, "agent2")
        agent2.post("/api/v1/desk/login", json={"phone": "sip", "ready": True}).raise_for_status()
        row = board.locator(f"tr[data-agent='{agent2_id}']")
        await expect(row.locator("td.state")).to_have_text("示闲")

        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")
        established = time.monotonic()
        await asyncio.sleep(1.5)
        await caller.keys("1")
        await expect(row.locator("td.state")).to_have_text("通话中", timeout=20_000)
        await asyncio.sleep(1.0)  # they talk

        await row.get_by_role("button", name="耳语").click()
        await expect(board.get_by_test_id("supervisor-phone-status")).to_have_text("话机已连接")
        await expect(board.get_by_test_id("monitor-status")).to_have_text("耳语：坐席 王磊")
        await expect(row.get_by_role("button", name="耳语")).to_have_attribute(
            "aria-pressed", "true"
        )
        await board.screenshot(path=ARTIFACTS / "wallboard-whisper-zh-CN.png", full_page=True)
        heard = await heard_by(board, 2500, element="remote-audio")  # the supervisor hears
        assert heard["hz"] == pytest.approx(CUSTOMER_HZ, abs=15) or heard["hz"] == pytest.approx(
            AGENT2_HZ, abs=15
        )
        assert heard["aboveMedianDb"] > 20
        whispered_until = time.monotonic()

        await row.get_by_role("button", name="停止").click()
        await expect(board.get_by_test_id("monitor-status")).to_have_text("")
        await expect(row.get_by_role("button", name="停止")).to_be_hidden()
        await asyncio.sleep(1.0)
        await caller.hangup()
        await eventually(lambda: events(admin, "interaction.ended"), bool)
        audits = items(admin, "/api/v1/audit")
        assert {"monitor.whisper", "monitor.stop"} <= {a["action"] for a in audits}

    agent_heard, _ = phone2.heard()
    customer_heard, _ = caller.heard()
    # The customer's phone wrote what it heard all through the whisper (no re-INVITE cut it).
    assert len(customer_heard) / 8000 >= whispered_until - established - 0.5
    assert windows_with(customer_heard, AGENT2_HZ) >= 2
    assert windows_with(agent_heard, CUSTOMER_HZ) >= 2
    assert windows_with(agent_heard, SUPERVISOR_HZ, level=0.05) >= 2  # the whisper
    assert windows_with(customer_heard, SUPERVISOR_HZ, level=0.01) == 0  # … not for her

    interaction = items(admin, "/api/v1/interactions")[0]
    detail = await eventually(
        lambda: admin.get(f"/api/v1/interactions/{interaction['id']}").json(),
        lambda d: d.get("recordings"),
    )
    stereo = recording(admin, detail["recordings"][0]["id"], tmp_path)
    assert windows_with(stereo[:, 1], AGENT2_HZ) >= 2  # right: what the customer heard
    assert windows_with(stereo[:, 1], SUPERVISOR_HZ, level=0.01) == 0
    assert errors == []
