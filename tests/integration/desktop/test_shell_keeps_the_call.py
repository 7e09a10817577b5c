"""Acceptance (issue 18): the workspace shell keeps the browser phone whatever the user clicks.
王芳 (a baresip caller) talks with agent1 at her browser phone (Chromium, microphone AGENT1_HZ);
the supervisor listens to the call from the wallboard on her browser phone (another Chromium,
microphone SUPERVISOR_HZ). agent1 clicks every entry of her menu in turn and comes back to the
desktop, then the supervisor does the same with hers: on every screen the page still hears the
call, the document never reloads, and the caller's phone heard agent1 all along. All on
127.0.0.1 against the real `hotline demo`."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.data.callcenter.tones import AGENT1_HZ, CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
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

pytestmark = [pytest.mark.browser, pytest.mark.baresip]


async def walk_the_menu(
    page: Page, base: str, home: str, hears: tuple[float, ...], name: str
) -> list[str]:
    """Click every entry of the page's menu in turn, then `home`; on each screen the browser
    phone must still hear one of `hears`. Returns the entries visited."""
    links = page.locator("nav.nav a")
    hrefs = [str(h) for h in await links.evaluate_all("as => as.map(a => a.getAttribute('href'))")]
    screen = page.locator("#screen")
    for href in [*hrefs, home]:
        await page.locator(f"nav.nav a[href='{href}']").click()
        # a screen may write its choices into the query (reports: the period shown)
        await expect(page).to_have_url(re.compile(re.escape(base + href) + r"(\?.*)?$"))
        await expect(screen).to_have_attribute("data-mounted", "true")
        await expect(page.locator(f"nav.nav a[href='{href}']")).to_have_class("active")
        heard = await heard_by(page, 600)
        assert any(heard["hz"] == pytest.approx(hz, abs=15) for hz in hears), (name, href, heard)
        assert heard["aboveMedianDb"] > 20, (name, href, heard)
        if href == "/missed":
            await page.screenshot(path=ARTIFACTS / f"shell-{name}-missed-zh-CN.png", full_page=True)
    await page.screenshot(path=ARTIFACTS / f"shell-{name}-back-zh-CN.png", full_page=True)
    return hrefs


async def test_the_agent_and_the_supervisor_walk_every_screen_and_the_call_stays(
    chromium: Browser, supervisor_chromium: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    open_around_the_clock(admin)
    agent1_id = next(a["id"] for a in items(admin, "/api/v1/agents") if a["username"] == "agent1")

    desk, desk_errors = await open_page(chromium, server, "agent1")
    board, board_errors = await open_page(supervisor_chromium, server, "supervisor")
    loads = {"desk": 0, "board": 0}
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("phone-status")).to_have_text("话机已连接")
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    await board.goto(f"{server.url}/wallboard")
    await expect(board.get_by_test_id("board-status")).to_have_text("实时")
    desk.on("load", lambda _: loads.__setitem__("desk", loads["desk"] + 1))
    board.on("load", lambda _: loads.__setitem__("board", loads["board"] + 1))

    async with baresip_phone(
        tmp_path, "caller", user="13800138001", display="王芳", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ,
    ) as caller:  # fmt: skip
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")
        established = time.monotonic()
        await asyncio.sleep(1.5)
        await caller.keys("1")
        await expect(desk.get_by_test_id("offer-toast")).to_be_visible(timeout=20_000)
        await desk.get_by_test_id("answer").click()
        panel = desk.get_by_test_id("call-panel")
        await expect(panel).to_have_attribute("data-phase", "connected")
        interaction_id = await panel.get_attribute("data-interaction")

        # The supervisor listens on her browser phone.
        row = board.locator(f"tr[data-agent='{agent1_id}']")
        await row.get_by_role("button", name="监听").click()
        await expect(board.get_by_test_id("monitor-status")).to_have_text("监听：坐席 李娜")
        # The wallboard names the customer (not an id), shows no card for the personal line.
        await expect(row.locator("td.customer")).to_have_text("王芳")
        await expect(board.locator("article[data-queue^='@']")).to_have_count(0)

        walk_from = time.monotonic() - established
        agent_menu = await walk_the_menu(desk, server.url, "/desktop", (CUSTOMER_HZ,), "agent")
        # On the other screens the bar showed the call; back on the desktop, the same call.
        await expect(panel).to_have_attribute("data-phase", "connected")
        assert await panel.get_attribute("data-interaction") == interaction_id

        # Away from the wallboard the workspace shows the supervision and can stop it.
        await board.locator("nav.nav a[href='/interactions']").click()
        await expect(board.get_by_test_id("monitor-chip")).to_contain_text("监听：坐席 李娜")
        board_menu = await walk_the_menu(
            board, server.url, "/wallboard", (CUSTOMER_HZ, AGENT1_HZ), "supervisor"
        )
        await expect(board.get_by_test_id("monitor-status")).to_have_text("监听：坐席 李娜")
        walk_to = time.monotonic() - established
        # The listen never dropped on the server either: started once, never stopped.
        assert len(events(admin, "supervision.started")) == 1
        assert events(admin, "supervision.stopped") == []

        await expect(panel).to_have_attribute("data-phase", "connected")
        await caller.hangup()
        await expect(desk.get_by_test_id("wrapup-panel")).to_be_visible()
        # Notes typed in wrap-up survive a look at another screen.
        await desk.get_by_test_id("notes").fill("客户要求明天回电")
        await desk.locator("nav.nav a[href='/missed']").click()
        await expect(desk.locator("#screen")).to_have_attribute("data-mounted", "true")
        await desk.locator("nav.nav a[href='/desktop']").click()
        await expect(desk.get_by_test_id("notes")).to_have_value("客户要求明天回电")
        await eventually(lambda: events(admin, "interaction.ended"), bool)

    assert {"/tickets", "/missed", "/my-schedule"} <= set(agent_menu)
    assert {"/wfm", "/admin/audit", "/admin/flows"} <= set(board_menu)
    assert loads == {"desk": 0, "board": 0}  # no screen change loaded a new document
    # What 王芳's phone heard: agent1's microphone in (nearly) every second of both walks.
    heard, rate = caller.heard()
    walk = heard[int(walk_from * rate) : int(walk_to * rate)]
    windows = (len(walk) - rate) // (rate // 2) + 1
    assert windows >= 10
    assert windows_with(walk, AGENT1_HZ) >= windows - 2
    assert desk_errors + board_errors == []
