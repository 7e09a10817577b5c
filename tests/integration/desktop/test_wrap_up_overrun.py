"""Wrap-up that means it (issue 10), as an agent sees it in Chromium against the real `hotline
demo`: the queue requires a disposition and gives two seconds of wrap-up; the timer runs out,
the desk says how long she is over, 示闲 is refused with the reason in her language, and saving
the disposition frees her — in zh-CN, then the same screens in English."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.harness import (
    ARTIFACTS,
    events,
    eventually,
    items,
    login,
    open_around_the_clock,
    open_page,
)
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip]

FIELDS = (
    "name", "display_name", "strategy", "sl_target_pct", "sl_threshold_s", "max_wait_s",
    "max_length", "options",
)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "over", "refused", "available"),
    [
        ("zh-CN", "已超时", "请先选择处理结果。", "示闲"),
        ("en", "Over time by", "Choose a disposition first.", "Available"),
    ],
)
async def test_the_desk_holds_wrap_up_until_the_required_disposition(
    chromium: Browser,
    sqlite_server: ServerProcess,
    tmp_path: Path,
    lang: str,
    over: str,
    refused: str,
    available: str,
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    open_around_the_clock(admin)
    [support] = [q for q in items(admin, "/api/v1/queues") if q["name"] == "support"]
    body = {k: support[k] for k in FIELDS}
    body["skills"] = [
        {"skill_id": s["skill_id"], "min_proficiency": s["min_proficiency"]}
        for s in support["skills"]
    ]
    body.update(wrap_up_s=2, disposition_required=True, calendar_id=support.get("calendar_id"))
    admin.put(f"/api/v1/queues/{support['id']}", json=body).raise_for_status()

    async with baresip_phone(
        tmp_path, "caller", user="13800138000", server_port=server.sip_port, tone_hz=CUSTOMER_HZ
    ) as caller:
        desk, errors = await open_page(chromium, server, "agent1", lang=lang)
        await desk.goto(f"{server.url}/desktop")
        await desk.get_by_test_id("desk-login").click()
        await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await eventually(
            lambda: [
                e for e in events(admin, "leg.answered") if e["payload"]["role"] == "customer"
            ],
            bool,
        )
        await asyncio.sleep(1.5)  # the greeting takes the key
        await caller.keys("2")
        toast = desk.get_by_test_id("offer-toast")
        await expect(toast).to_be_visible(timeout=20_000)
        await desk.get_by_test_id("answer").click()
        await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "busy")
        await desk.get_by_test_id("hangup").click()

        timer = desk.get_by_test_id("wrapup-timer")
        await expect(timer).to_contain_text(over, timeout=15_000)  # past the 2 s
        await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "wrap_up")
        await desk.screenshot(
            path=ARTIFACTS / f"desktop-wrap-up-overrun-{lang}.png", full_page=True
        )
        await desk.get_by_test_id("set-available").click()
        await expect(desk.get_by_test_id("desk-error")).to_contain_text(refused)
        await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "wrap_up")
        await desk.get_by_test_id("disposition").select_option("resolved")
        await desk.get_by_test_id("resolved").select_option("yes")  # FCR: marked resolved
        await desk.get_by_test_id("wrapup-save").click()
        await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
        await expect(desk.get_by_test_id("set-available")).to_have_text(available)
        await caller.hangup()
    assert errors == []
    # The event log appends in batches: the page can be ahead of what the API reads.
    [overrun] = await eventually(lambda: events(admin, "agent.wrap_up_overrun"), bool)
    [ended] = await eventually(lambda: events(admin, "agent.wrap_up_ended"), bool)
    assert ended["payload"]["overrun_s"] > 0
    assert overrun["payload"]["work_id"] == ended["payload"]["work_id"]
    dispositioned = await eventually(lambda: events(admin, "interaction.dispositioned"), bool)
    assert [d["payload"]["resolved"] for d in dispositioned] == [True] * len(dispositioned)
