"""In Chromium: the supervisor's wallboard shows queue figures and agent states rebuilt from
the event log at start-up, in zh-CN and en."""

from __future__ import annotations

import asyncio
import time

import pytest
from playwright.async_api import Browser, expect

from hotline.bus import EventBus
from hotline.routing.agent_state import AgentState
from hotline.routing.capacity import Channel
from hotline.routing.events import AgentStateChanged, QueueAbandoned, QueueAnswered, QueueEntered
from hotline.store.auth_repo import SqlTenants
from hotline.store.engine import create_engine
from hotline.store.tables import agents
from hotline.store.uow import UnitOfWork
from tests.daytime import center_in_daytime
from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def _seed_events(url: str) -> None:
    """The day's events of a support queue, a minute old. The demo center's day is set in a
    zone where it is daytime now: run near its midnight, the events would be yesterday's."""
    engine = create_engine(url)
    now = time.time()
    async with engine.begin() as conn:
        tenant = (await SqlTenants(conn).by_slug("demo"))["id"]  # type: ignore[index]
        await center_in_daytime(conn, tenant, now)
        agent_ids = [r.id for r in await conn.execute(agents.select().order_by(agents.c.extension))]
    common = {"tenant_id": tenant, "channel": Channel.VOICE, "priority": 0}
    events = [
        AgentStateChanged(
            tenant_id=tenant,
            at=now - 100,
            agent_id=agent_ids[2],
            state=AgentState.AVAILABLE,
            previous=AgentState.LOGGED_OUT,
        ),
        AgentStateChanged(
            tenant_id=tenant,
            at=now - 90,
            agent_id=agent_ids[1],
            state=AgentState.NOT_READY,
            previous=AgentState.LOGGED_OUT,
            reason="lunch",
        ),
        QueueEntered(at=now - 60, interaction_id="i1", queue_id="support", skills=(), **common),
        QueueAnswered(
            at=now - 50,
            interaction_id="i1",
            agent_id=agent_ids[2],
            queue_id="support",
            via_queue_id="support",
            wait_s=10.0,
            sl_threshold_s=20.0,
            **common,
        ),
        QueueEntered(at=now - 40, interaction_id="i2", queue_id="support", skills=(), **common),
        QueueAbandoned(
            at=now - 5,
            interaction_id="i2",
            queue_id="support",
            wait_s=35.0,
            sl_threshold_s=20.0,
            position=1,
            **common,
        ),
        QueueEntered(at=now - 3, interaction_id="i3", queue_id="support", skills=(), **common),
    ]
    async with UnitOfWork(engine, EventBus()) as uow:
        for e in events:
            uow.emit(e)
        await uow.commit()
    await engine.dispose()


async def test_wallboard_rebuilt_from_the_log(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    sqlite_server.stop()
    await _seed_events(sqlite_server.env["HOTLINE_DATABASE_URL"])
    sqlite_server.start("serve")
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server, "supervisor")
    await page.goto(f"{sqlite_server.url}/wallboard")
    await expect(page.get_by_test_id("board-status")).to_have_text("实时")
    await expect(page.get_by_test_id("waiting-support")).to_have_text("1")
    await expect(page.get_by_test_id("answered-support")).to_have_text("1")
    await expect(page.get_by_test_id("abandoned-support")).to_have_text("1")
    await expect(page.get_by_test_id("sl-support")).to_have_text("50.0%")
    agents_table = page.get_by_test_id("agents")
    await expect(agents_table).to_contain_text("示忙 (用餐)")
    await expect(agents_table).to_contain_text("坐席 陈晨")
    await expect(page.locator("article[data-queue=support] h3")).to_have_text("售后服务")
    # The whole center counts each contact once.
    await expect(page.get_by_test_id("center-offered")).to_have_text("3")
    await expect(page.get_by_test_id("center-answered")).to_have_text("1")
    await expect(page.get_by_test_id("center-waiting")).to_have_text("1")
    await asyncio.sleep(1.2)  # the longest wait ticks locally between messages
    await page.screenshot(path=ARTIFACTS / "wallboard-zh-CN.png", full_page=True)
    await page.get_by_test_id("language").select_option("en")
    await expect(page.get_by_test_id("agents")).to_contain_text("Not ready (Lunch)")
    await expect(page.get_by_test_id("board-status")).to_have_text("Live")
    await page.screenshot(path=ARTIFACTS / "wallboard-en.png", full_page=True)
    assert errors == []
