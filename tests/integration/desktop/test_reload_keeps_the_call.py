"""Acceptance (issue 18, ADR 0121): a reload or a short network loss mid-call keeps the call.
王芳 (a baresip caller) talks with agent1 at her browser phone (Chromium, microphone
AGENT1_HZ). agent1 reloads the page (it warns first): the server keeps the call and plays 王芳
hold music; the page re-attaches the phone and the call and the audio flows again both ways.
Then the page's network is cut for 10 s — Playwright's offline mode, and a relay between the
page and the server drops the page's connections and refuses new ones (cut.py says why offline
mode alone cuts nothing that matters here): the server detaches the phone, 王芳 hears hold music,
and the page re-attaches when the network is back and they talk again. Then the page
goes away for longer than the grace: the call goes on as the queue's flow says after an agent
(the survey), and agent1 is 示忙 (phone unreachable). All on 127.0.0.1, against the real
`hotline demo`."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.async_api import Browser, Dialog, Page, expect

from tests.data.callcenter.tones import AGENT1_HZ, CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.cut import CuttableLink
from tests.integration.desktop.harness import (
    ARTIFACTS,
    events,
    eventually,
    heard_by,
    items,
    login,
    open_around_the_clock,
    open_page,
    windows_with,
)
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip, pytest.mark.slow]

GRACE_S = 15


async def hears_the_caller(page: Page, timeout: float = 15.0) -> float:
    """Wait until the page's phone hears the caller's tone; returns when (monotonic)."""
    deadline = time.monotonic() + timeout
    while True:
        heard = await heard_by(page, 400)
        if heard["hz"] == pytest.approx(CUSTOMER_HZ, abs=15) and heard["aboveMedianDb"] > 20:
            return time.monotonic()
        assert time.monotonic() < deadline, heard


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if samples.size else 0.0


async def test_a_reload_and_a_network_loss_keep_the_call_a_longer_loss_lets_it_go(
    chromium: Browser, tmp_path: Path
) -> None:
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_MEDIA__WEBRTC_REATTACH_S=str(GRACE_S),
    )
    link = CuttableLink(server.port)
    try:
        await run(chromium, server, link, tmp_path)
    finally:
        await link.close()
        server.stop()


async def run(chromium: Browser, server: ServerProcess, link: CuttableLink, tmp_path: Path) -> None:
    server.start("demo")
    await link.start()
    admin = login(server, "admin")
    open_around_the_clock(admin)
    agent1_id = next(a["id"] for a in items(admin, "/api/v1/agents") if a["username"] == "agent1")
    desk, errors = await open_page(chromium, server, "agent1", url=link.url)
    await desk.goto(f"{link.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("phone-status")).to_have_text("话机已连接")
    panel = desk.get_by_test_id("call-panel")
    warnings: list[str] = []

    async def accept(dialog: Dialog) -> None:
        warnings.append(dialog.type)
        await dialog.accept()

    async with baresip_phone(
        tmp_path, "caller", user="13800138001", display="王芳", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ,
    ) as caller:  # fmt: skip
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")
        established = time.time()
        await asyncio.sleep(1.5)
        await caller.keys("1")
        await expect(desk.get_by_test_id("offer-toast")).to_be_visible(timeout=20_000)
        await desk.get_by_test_id("answer").click()
        await expect(panel).to_have_attribute("data-phase", "connected")
        interaction_id = await panel.get_attribute("data-interaction")
        await hears_the_caller(desk)
        # They talk before the reload: 王芳 hears agent1 (checked below). The page hearing her
        # says nothing of the other way, which a loaded machine may start later.
        await asyncio.sleep(2.5)

        # 1. A reload: the page warns, the call waits on hold, the page re-attaches it.
        desk.on("dialog", accept)
        reloaded = time.monotonic()
        await desk.reload()
        await expect(panel).to_have_attribute("data-phase", "connected", timeout=15_000)
        assert await panel.get_attribute("data-interaction") == interaction_id
        back = await hears_the_caller(desk)
        print(f"reload: the page hears the caller again {back - reloaded:.1f} s after it")
        assert warnings == ["beforeunload"]
        await desk.screenshot(path=ARTIFACTS / "desktop-after-reload-zh-CN.png", full_page=True)
        held = await eventually(lambda: events(admin, "call.held"), bool)
        await eventually(lambda: events(admin, "call.resumed"), bool)
        assert held[0]["payload"]["by"] == "phone"

        # 2. The tab closed by mistake and opened again a few seconds later: the same, and the
        # caller hears the hold music meanwhile (checked below in what her phone heard).
        await desk.close(run_before_unload=False)
        await asyncio.sleep(3)
        desk = await desk.context.new_page()
        desk.on("pageerror", lambda e: errors.append(str(e)))
        await desk.goto(f"{link.url}/desktop")
        panel = desk.get_by_test_id("call-panel")
        await expect(panel).to_have_attribute("data-phase", "connected", timeout=15_000)
        await hears_the_caller(desk)
        held = await eventually(lambda: events(admin, "call.held")[1:], bool)
        resumed = await eventually(lambda: events(admin, "call.resumed")[1:], bool)
        await asyncio.sleep(1.5)  # they talk again: 王芳 hears agent1 (checked below)
        talked_again = time.time()

        # 3. Ten seconds without network: the server notices, holds the call and detaches the
        # phone; the page re-attaches when the network is back.
        await desk.context.set_offline(True)
        link.cut_off()
        offline = time.monotonic()
        detached = await eventually(lambda: events(admin, "phone.browser_detached")[2:], bool)
        held_offline = await eventually(lambda: events(admin, "call.held")[2:], bool)
        await asyncio.sleep(max(0.0, 10 - (time.monotonic() - offline)))  # the loss lasts 10 s
        assert events(admin, "call.resumed")[2:] == []  # nothing came back while it was cut
        link.restore()
        await desk.context.set_offline(False)
        online = time.monotonic()
        offline_back = await hears_the_caller(desk, timeout=20.0)
        await expect(panel).to_have_attribute("data-phase", "connected")
        assert await panel.get_attribute("data-interaction") == interaction_id
        resumed_online = await eventually(lambda: events(admin, "call.resumed")[2:], bool)
        print(f"offline: the page hears the caller {offline_back - online:.1f} s after it is back")
        assert detached[0]["agent_id"] == agent1_id
        assert held_offline[0]["payload"]["by"] == "phone"
        await asyncio.sleep(1.5)  # they talk again: 王芳 hears agent1 (checked below)
        talked_after_loss = time.time()
        await desk.screenshot(path=ARTIFACTS / "desktop-after-offline-zh-CN.png", full_page=True)

        # 4. The page goes away for longer than the grace: the call goes on as after an agent.
        await desk.close(run_before_unload=False)
        gone = await eventually(
            lambda: [
                e for e in events(admin, "phone.browser_disconnected")
                if e["payload"]["reason"] == "gone"
            ],
            bool,
            timeout=GRACE_S + 15,
        )  # fmt: skip
        assert gone[0]["agent_id"] == agent1_id
        await eventually(
            lambda: [
                e for e in events(admin, "flow.node_entered")
                if e["interaction_id"] == interaction_id and e["payload"]["node"] == "survey"
            ],
            bool,
        )  # fmt: skip
        await caller.hangup()
        await eventually(lambda: events(admin, "interaction.ended"), bool)

    heard, rate = caller.heard()

    def segment(start: float, end: float) -> np.ndarray:
        return heard[int((start - established) * rate) : int((end - established) * rate)]

    # While the page was away 王芳 heard music, not agent1 and not silence; before and after,
    # agent1's microphone.
    away = segment(held[0]["at"] + 0.3, resumed[0]["at"] - 0.2)
    assert away.size >= 2 * rate
    assert rms(away) > 300
    assert windows_with(away, AGENT1_HZ) == 0
    assert windows_with(segment(held[0]["at"] - 2.5, held[0]["at"] - 0.2), AGENT1_HZ) >= 1
    assert windows_with(segment(resumed[0]["at"] + 0.3, talked_again), AGENT1_HZ) >= 1
    # The same around the network loss: music while the page was cut off, agent1 after. The
    # phone's dump is placed on the wall clock by its length from the answer; a loaded machine
    # makes it drift by a second over the call, so the cut is read well inside its ends.
    cut = segment(held_offline[0]["at"] + 0.5, resumed_online[0]["at"] - 1.5)
    assert cut.size >= 2 * rate
    assert rms(cut) > 300
    assert windows_with(cut, AGENT1_HZ) == 0
    assert windows_with(segment(resumed_online[0]["at"] + 0.3, talked_after_loss), AGENT1_HZ) >= 1
    assert errors == []
