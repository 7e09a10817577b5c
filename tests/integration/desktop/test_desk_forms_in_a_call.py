"""The desktop's forms refuse a bad value in the agent's language (issue 18), mid-call: agent1
at her browser phone picks a not-ready reason the center does not have, dials a word, answers
王芳 (a baresip caller), tries to transfer her to a word and to an agent that does not exist,
then wraps up with a disposition that does not exist — each error is in the page's language,
names no raw code, and the page shows no English in zh-CN (no Chinese but the tenant's data in
en). Then she wraps up with a ticket in one of the center's departments. Screenshots of each
step go to test-artifacts/. All on 127.0.0.1 against the real `hotline demo`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, Page, expect

from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.harness import (
    ARTIFACTS,
    events,
    eventually,
    login,
    open_around_the_clock,
    open_page,
)
from tests.integration.desktop.language import chinese_on, english_on, refused, tenant_data
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip]

NO_SUCH_ID = "01J0000000000000000000NONE"  # the form of an id, of nothing


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_desktop_refuses_bad_values_in_the_agents_language(
    chromium: Browser, sqlite_server: ServerProcess, tmp_path: Path, lang: str
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    open_around_the_clock(admin)
    data = tenant_data(admin)
    check = english_on if lang == "zh-CN" else chinese_on
    desk, errors = await open_page(chromium, server, "agent1", lang=lang)
    problems: list[str] = []
    said: dict[str, str] = {}

    async def bad(name: str, form: str, box: str, values: dict[str, str]) -> None:
        shot = ARTIFACTS / f"desk-{name}-{lang}.png"
        said[name], raw = await refused(desk, form, box, values, shot)
        problems.extend(raw)
        problems.extend(await check(desk, data))

    async def looked_at(page: Page, name: str) -> None:
        problems.extend(await check(page, data))
        await page.screenshot(path=ARTIFACTS / f"desk-{name}-{lang}.png", full_page=True)

    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    # The reason select is no form: its button sends it.
    await desk.get_by_test_id("reason").evaluate(
        """(e, v) => { const o = document.createElement("option"); o.value = o.textContent = v;
                       o.dataset.raw = ""; e.append(o); e.value = v; }""",
        "no_such_reason",
    )
    await desk.get_by_test_id("set-not-ready").click()
    await expect(desk.get_by_test_id("desk-error")).to_be_visible()
    said["not-ready"] = await desk.get_by_test_id("desk-error").inner_text()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    await looked_at(desk, "not-ready-refused")
    await bad("dial", "#dial-form", "#desk-error", {"[data-testid=dial-number]": "call mum"})

    async with baresip_phone(
        tmp_path, "caller", user="13800138001", display="王芳", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ,
    ) as caller:  # fmt: skip
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")
        await asyncio.sleep(1.5)  # the greeting: the menu takes keys once it plays
        await caller.keys("1")
        await expect(desk.get_by_test_id("offer-toast")).to_be_visible(timeout=20_000)
        await looked_at(desk, "offered")
        await desk.get_by_test_id("answer").click()
        panel = desk.get_by_test_id("call-panel")
        await expect(panel).to_have_attribute("data-phase", "connected")
        # The dial's error of before the call is gone with the offer.
        await expect(desk.get_by_test_id("desk-error")).to_be_hidden()
        await looked_at(desk, "connected")

        # What would load a new document asks first during the call; she stays.
        asked: list[str] = []

        async def stay(dialog: Dialog) -> None:
            asked.append(dialog.message)
            await dialog.dismiss()

        desk.on("dialog", stay)
        other = "en" if lang == "zh-CN" else "zh-CN"
        await desk.get_by_test_id("language").select_option(other)
        await expect(desk.get_by_test_id("language")).to_have_value(lang)
        await desk.locator("#logout").click()
        await eventually(lambda: asked, lambda a: len(a) == 2)
        desk.remove_listener("dialog", stay)
        await expect(panel).to_have_attribute("data-phase", "connected")
        await expect(desk.locator("html")).to_have_attribute("lang", lang)
        chinese = [any("\u4e00" <= c <= "\u9fff" for c in message) for message in asked]
        assert chinese == [lang == "zh-CN"] * 2, asked

        await desk.get_by_test_id("open-transfer").click()
        await expect(desk.get_by_test_id("transfer-dialog")).to_be_visible()
        await desk.locator("#transfer-form input[name=target_kind][value=number]").check()
        await bad(
            "transfer-number", "#transfer-form", "#transfer-error",
            {"[data-testid=transfer-number]": "call mum"},
        )  # fmt: skip
        await desk.locator("#transfer-form input[name=target_kind][value=agent]").check()
        await bad(
            "transfer-agent", "#transfer-form", "#transfer-error",
            {"[data-testid=transfer-agent]": NO_SUCH_ID},
        )  # fmt: skip
        await desk.locator("#transfer-cancel").click()
        # Nothing happened to the call.
        await expect(panel).to_have_attribute("data-phase", "connected")
        assert events(admin, "interaction.transferred") == []

        await caller.hangup()
        await expect(desk.get_by_test_id("wrapup-panel")).to_be_visible()
        await desk.get_by_test_id("with-ticket").check()
        await bad(
            "wrap-up", "#wrapup-form", "#wrapup-error",
            {"[data-testid=disposition]": "no_such_code", "[data-testid=ticket-subject]": "退款"},
        )  # fmt: skip
        assert events(admin, "interaction.dispositioned") == []

        # The same wrap-up with a real disposition: the ticket goes to the department chosen
        # among the center's (the default one was a word in the page's language before).
        disposition = desk.get_by_test_id("disposition")
        await disposition.select_option(index=1)
        await desk.get_by_test_id("ticket-department").select_option("售后部")
        await desk.get_by_test_id("wrapup-save").click()
        await expect(desk.get_by_test_id("wrapup-panel")).to_be_hidden()
        await looked_at(desk, "wrapped-up")
        tickets = await eventually(lambda: admin.get("/api/v1/tickets").json()["items"], bool)
        assert tickets[0]["department"] == "售后部"

    print(lang, said)
    assert all(said.values()), said
    assert problems == []
    assert errors == []
