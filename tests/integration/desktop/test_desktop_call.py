"""Acceptance (issue 7), end to end against the real `hotline demo` (HTTP, SIP, RTP, WebRTC, all
on 127.0.0.1): 王芳 (13800138001, VIP 2) calls DID 4001 from a baresip phone and presses 1; agent1
in Chromium at her browser phone sees the toast with 王芳's screen pop and answers; audio flows
both ways (the caller's tone in the page's received audio, the page's microphone tone in what
the caller heard); she consults agent2 (a baresip SIP phone; agent2's own desktop shows the
note in her screen pop) and completes the transfer; her desk goes to wrap-up, she picks a
disposition and a quick reply and finishes; the interaction is in her list with a playable
two-channel recording (customer left, agents right). The supervisor's wallboard, open all along,
shows each step. States are asserted, never timings."""

from __future__ import annotations

import asyncio
import io
import re
import wave
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.data.callcenter.tones import AGENT1_HZ, AGENT2_HZ, CUSTOMER_HZ
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
    recording,
    windows_with,
)
from tests.server import PASSWORD, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip]

NOTE = "客户想办理理财，身份已核实"
LOOPBACK_PAIR = re.compile(r"127\.0\.0\.1:\d+ ⇄ 127\.0\.0\.1:\d+")


async def test_screen_pop_answer_consult_transfer_wrap_up_and_the_recording(
    chromium: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    open_around_the_clock(admin)
    agents = {a["username"]: a["id"] for a in items(admin, "/api/v1/agents")}

    board, board_errors = await open_page(chromium, server, "supervisor")
    await board.goto(f"{server.url}/wallboard")
    await expect(board.get_by_test_id("board-status")).to_have_text("实时")
    row1 = board.locator(f"tr[data-agent='{agents['agent1']}'] td.state")
    row2 = board.locator(f"tr[data-agent='{agents['agent2']}'] td.state")

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

        # agent2 works at her SIP phone, not ready yet: the call is for agent1.
        desk2, errors2 = await open_page(chromium, server, "agent2")
        await desk2.goto(f"{server.url}/desktop")
        await expect(desk2.locator("input[name=phone-mode][value=sip]")).to_be_checked()
        await desk2.locator("#login-ready").uncheck()
        await desk2.get_by_test_id("desk-login").click()
        await expect(desk2.get_by_test_id("desk-state")).to_have_attribute(
            "data-state", "not_ready"
        )
        await expect(row2).to_contain_text("示忙")

        # agent1 logs in to work at her browser phone: one session from now to logout.
        desk1, errors1 = await open_page(chromium, server, "agent1")
        await desk1.goto(f"{server.url}/desktop")
        await expect(desk1.locator("input[name=phone-mode][value=browser]")).to_be_checked()
        await desk1.get_by_test_id("desk-login").click()
        await expect(desk1.get_by_test_id("phone-status")).to_have_text("话机已连接")
        await expect(desk1.get_by_test_id("desk-state")).to_have_attribute(
            "data-state", "available"
        )
        await expect(row1).to_have_text("示闲")
        await desk1.locator("#phone-details summary").click()
        await expect(desk1.get_by_test_id("phone-info")).to_contain_text("audio/PCMU")
        await expect(desk1.get_by_test_id("phone-info")).to_contain_text(LOOPBACK_PAIR)

        # 王芳 calls the hotline and presses 1 (售前咨询) during the greeting.
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await eventually(
            lambda: [
                e for e in events(admin, "leg.answered") if e["payload"]["role"] == "customer"
            ],
            bool,
        )
        await asyncio.sleep(1.5)
        await caller.keys("1")

        toast = desk1.get_by_test_id("offer-toast")
        await expect(toast).to_be_visible(timeout=20_000)
        await expect(toast).to_contain_text("王芳 来电")
        await expect(toast).to_contain_text("VIP 2")
        pop = desk1.get_by_test_id("screen-pop")
        await expect(desk1.get_by_test_id("pop-customer")).to_have_text("王芳")
        await expect(pop).to_contain_text("理财")  # her tags
        await expect(pop).to_contain_text("13800138001")
        await expect(desk1.get_by_test_id("pop-digits")).to_have_text("1")
        await expect(pop).to_contain_text("售前咨询")  # the queue she chose
        await expect(row1).to_have_text("振铃")
        assert await desk1.evaluate("document.body.dataset.ringing") == "true"
        await desk1.screenshot(path=ARTIFACTS / "desktop-offer-zh-CN.png", full_page=True)

        await desk1.get_by_test_id("answer").click()
        panel = desk1.get_by_test_id("call-panel")
        await expect(panel).to_have_attribute("data-phase", "connected")
        await expect(toast).to_be_hidden()
        await expect(desk1.get_by_test_id("call-party")).to_contain_text("王芳")
        await expect(row1).to_have_text("通话中")
        interaction_id = iid = await panel.get_attribute("data-interaction")
        assert interaction_id

        heard = await heard_by(desk1)  # the caller's tone arrives in the page
        assert heard["hz"] == pytest.approx(CUSTOMER_HZ, abs=15)
        assert heard["aboveMedianDb"] > 30
        await desk1.screenshot(path=ARTIFACTS / "desktop-call-zh-CN.png", full_page=True)

        # agent2 is ready; agent1 consults her with a note, then hands 王芳 over.
        await desk2.get_by_test_id("set-available").click()
        await expect(row2).to_have_text("示闲")
        await desk1.get_by_test_id("open-transfer").click()
        dialog = desk1.get_by_test_id("transfer-dialog")
        await dialog.get_by_test_id("transfer-agent").select_option(agents["agent2"])
        await dialog.get_by_test_id("transfer-note").fill(NOTE)
        await dialog.get_by_test_id("transfer-go").click()
        await expect(dialog).to_be_hidden()
        await expect(panel).to_have_attribute("data-phase", "consulting")
        await expect(desk1.get_by_test_id("consult-info")).to_contain_text("坐席 王磊（已接通）")
        await expect(row2).to_have_text("通话中")
        await expect(desk2.get_by_test_id("pop-customer")).to_have_text("王芳")
        await expect(desk2.get_by_test_id("pop-note")).to_contain_text(NOTE)
        await expect(desk2.get_by_test_id("pop-note")).to_contain_text("坐席 李娜")
        await asyncio.sleep(2.0)  # agent1 tells agent2 about 王芳 before handing her over

        await desk1.get_by_test_id("consult-complete").click()
        wrap = desk1.get_by_test_id("wrapup-panel")
        await expect(wrap).to_be_visible()
        await expect(row1).to_have_text("话后处理")
        await expect(desk1.get_by_test_id("wrapup-timer")).to_contain_text("剩余")
        await desk1.get_by_test_id("disposition").select_option("resolved")
        await desk1.get_by_test_id("quick-replies").get_by_text("问候").click()
        await expect(desk1.get_by_test_id("notes")).to_have_value(re.compile("很高兴为您服务"))
        await desk1.screenshot(path=ARTIFACTS / "desktop-wrap-up-zh-CN.png", full_page=True)
        await desk1.get_by_test_id("wrapup-save").click()
        await expect(wrap).to_be_hidden()
        await expect(desk1.get_by_test_id("desk-state")).to_have_attribute(
            "data-state", "available"
        )
        await expect(row1).to_have_text("示闲")
        await expect(board.get_by_test_id("answered-sales")).to_have_text("1")

        await asyncio.sleep(2.0)  # 王芳 talks with agent2 for a while, then hangs up
        await caller.hangup()
        ended = await eventually(
            lambda: [e for e in events(admin, "interaction.ended") if e["interaction_id"] == iid],
            bool,
        )
        assert ended[0]["payload"]["reason"] == "completed"

    # What the phones heard (baresip 1.0 stops writing after a re-INVITE, so the caller's file
    # ends when agent1 puts her on hold to consult): 王芳 heard agent1's microphone tone from
    # Chromium; agent2 heard agent1 in the consult, then 王芳. The recording below has the rest.
    said, rate = caller.heard()
    assert rate == 8000
    assert windows_with(said, AGENT1_HZ) >= 1
    second, _ = phone2.heard()
    assert windows_with(second, AGENT1_HZ) >= 1
    assert windows_with(second, CUSTOMER_HZ) >= 1

    # The interaction in agent1's list, with its disposition and a two-channel recording.
    detail = await eventually(
        lambda: admin.get(f"/api/v1/interactions/{interaction_id}").json(),
        lambda d: d.get("recordings") and d.get("disposition"),
    )
    assert detail["recordings"][0]["channels"] == 2
    await desk1.goto(f"{server.url}/interactions")
    row = desk1.get_by_test_id("interactions").locator(f"tbody tr[data-id='{interaction_id}']")
    await expect(row).to_contain_text("已解决")
    await expect(row).to_contain_text("售前咨询")
    await row.locator("td").first.get_by_role("link").click()
    audio = desk1.get_by_test_id("recording-audio")
    await expect(audio).to_have_count(1)
    await desk1.wait_for_function(
        "() => document.querySelector('[data-testid=recording-audio]').readyState >= 1"
    )
    assert await audio.evaluate("a => a.duration") > 3
    assert await audio.evaluate("a => a.play().then(() => true)") is True
    await expect(desk1.get_by_test_id("timeline")).to_contain_text("咨询转")
    await expect(desk1.get_by_test_id("timeline")).to_contain_text(NOTE)
    await desk1.screenshot(path=ARTIFACTS / "interaction-detail-zh-CN.png", full_page=True)
    href = await desk1.get_by_test_id("recording-download").get_attribute("href")
    wav = await desk1.request.get(server.url + str(href))
    assert wav.status == 200
    with wave.open(io.BytesIO(await wav.body())) as w:
        assert w.getnchannels() == 2
    stereo = recording(admin, detail["recordings"][0]["id"], tmp_path)
    assert windows_with(stereo[:, 0], CUSTOMER_HZ) >= 2  # left: the customer
    assert windows_with(stereo[:, 1], AGENT1_HZ) >= 1  # right: agent1's page …
    assert windows_with(stereo[:, 1], AGENT2_HZ) >= 1  # … then agent2

    # agent3 (not on this call) may not hear it.
    desk3, errors3 = await open_page(chromium, server, "agent3")
    status = await desk3.evaluate("u => fetch(u).then(r => r.status)", str(href))
    assert status == 403
    assert board_errors + errors1 + errors2 + errors3 == []
