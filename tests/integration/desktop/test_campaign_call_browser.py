"""Acceptance (issue 24): a progressive campaign's call put through to an agent brings the
campaign's record and script to her desktop, in real Chromium against the real `hotline demo`,
in zh-CN and en. The admin imports a call list and starts a progressive campaign with a
branching script and dispositions; agent2 works at her SIP phone (a baresip that answers by
itself) and is available. The live dialer calls the number — a baresip callee behind the test
trunk answers — and puts it through to agent2: with the call the desktop shows the record's
fields, the opening with the merge field filled in and the first question; 'yes' opens the
branch's next question, a bad answer is refused naming it, and the answers are saved into the
record. She clicks every entry of her menu mid-call and comes back: the call and the record's
saved answers are still there. After the callee hangs up she gives the campaign's disposition
at wrap-up: the record is done with the answers in its fields, counted as a conversion.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.data.callcenter.tones import AGENT2_HZ, CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.harness import (
    ARTIFACTS,
    events,
    eventually,
    login,
    open_around_the_clock,
    open_page,
)
from tests.integration.web.test_call_lists_browser import _import, _run
from tests.server import PASSWORD, ServerProcess, free_port

pytestmark = [pytest.mark.browser, pytest.mark.baresip]

LIST = "名单,手机,姓名\n续约,13800138009,王芳\n"
SCRIPT = {
    "opening_zh": "您好，{name}，我是客服小王。",
    "opening_en": "Hello {name}, this is Wang from customer care.",
    "questions": [
        {"key": "interested", "text_zh": "您对新套餐感兴趣吗？",
         "text_en": "Interested in the new plan?", "type": "choice", "choices": ["yes", "no"],
         "required": True, "next": {"yes": "months", "no": None}},
        {"key": "months", "text_zh": "您想签几个月？", "text_en": "How many months?",
         "type": "number"},
    ],
}  # fmt: skip
SALE = {"code": "sale", "label_zh": "成交", "label_en": "Sale", "conversion": True,
        "right_party": True}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_a_progressive_call_brings_the_record_and_script_to_the_agents_desktop(
    chromium: Browser, tmp_path: Path, lang: str
) -> None:
    zh = lang == "zh-CN"
    callee_port = free_port(socket.SOCK_DGRAM)
    trunk = {"name": "pstn", "host": "127.0.0.1", "port": callee_port,
             "inbound_sources": [f"127.0.0.1:{callee_port}"]}  # fmt: skip
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_SIP__TRUNKS=json.dumps([trunk]),
    )
    try:
        server.start("demo")
        admin = login(server, "admin")
        open_around_the_clock(admin)

        # The admin imports the list; the campaign is made and its list attached.
        page, admin_errors = await open_page(chromium, server, "admin", lang=lang)
        path = tmp_path / "续约.csv"
        path.write_text(LIST, encoding="utf-8")
        await _import(page, server.url, path, "外呼名单" if zh else "Call lists")
        await _run(page, "commit", "done")
        made = admin.post(
            "/api/v1/campaigns",
            json={"name": "续约 " + lang, "mode": "progressive", "queue_id": "sales",
                  "script": SCRIPT, "dispositions": [SALE]},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        campaign = made.json()["id"]
        (call_list,) = admin.get("/api/v1/call-lists").json()["items"]
        attached = admin.post(
            f"/api/v1/campaigns/{campaign}/lists", json={"list_id": call_list["id"]}
        )
        assert attached.json()["added"] == 1, attached.text

        async with (
            baresip_phone(
                tmp_path, "agent2", user="1002", password=PASSWORD, server_port=server.sip_port,
                tone_hz=AGENT2_HZ,
            ),
            baresip_phone(
                tmp_path, "callee", user="+8613800138009", display="王芳",
                server_port=server.sip_port, sip_port=callee_port, tone_hz=CUSTOMER_HZ,
            ) as callee,
        ):  # fmt: skip
            await eventually(lambda: events(admin, "sip.registered"), bool)
            # agent2 works at her SIP phone, available for the campaign's queue.
            desk, errors = await open_page(chromium, server, "agent2", lang=lang)
            await desk.goto(f"{server.url}/desktop")
            await expect(desk.locator("input[name=phone-mode][value=sip]")).to_be_checked()
            await desk.get_by_test_id("desk-login").click()
            await expect(desk.get_by_test_id("desk-state")).to_have_attribute(
                "data-state", "available"
            )
            started = admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "start"})
            assert started.json()["status"] == "running", started.text

            # The dialer calls 王芳 and puts her through to agent2: the record comes with it.
            await callee.wait_event("CALL_ESTABLISHED", timeout=60)
            await expect(desk.get_by_test_id("call-panel")).to_have_attribute(
                "data-phase", "connected", timeout=30_000
            )
            panel = desk.get_by_test_id("campaign-call-panel")
            await expect(panel).to_be_visible(timeout=20_000)
            await expect(desk.get_by_test_id("campaign-call-name")).to_have_text("续约 " + lang)
            await expect(desk.get_by_test_id("campaign-call-phone")).to_have_text("+8613800138009")
            fields = desk.get_by_test_id("campaign-call-fields")
            await expect(fields).to_contain_text("姓名" if zh else "Full name")
            await expect(fields.locator("dd[data-field=name]")).to_have_text("王芳")
            opening = (
                "您好，王芳，我是客服小王。"
                if zh
                else "Hello 王芳, this is Wang from customer care."
            )
            await expect(desk.get_by_test_id("campaign-call-opening")).to_have_text(opening)
            question = "您对新套餐感兴趣吗？" if zh else "Interested in the new plan?"
            await expect(desk.get_by_test_id("campaign-call-questions")).to_contain_text(question)
            await expect(desk.get_by_test_id("campaign-answer-months")).to_have_count(0)
            await desk.screenshot(path=ARTIFACTS / f"campaign-call-{lang}.png", full_page=True)

            # Saving without the required answer is refused, naming the question.
            await desk.get_by_test_id("campaign-call-save").click()
            refused = desk.get_by_test_id("campaign-call-error")
            await expect(refused).to_contain_text(f"“{question}”{'：' if zh else ': '}")
            await expect(refused).not_to_contain_text("interested")
            await expect(refused).to_contain_text("必须回答" if zh else "an answer is required")
            # 'yes' opens the branch's next question; a word where a number goes is refused.
            await desk.get_by_test_id("campaign-answer-interested").select_option("yes")
            months = desk.get_by_test_id("campaign-answer-months")
            await expect(months).to_be_visible()
            await months.fill("12")
            await months.dispatch_event("change")
            await expect(refused).to_be_hidden()
            await desk.get_by_test_id("campaign-call-save").click()
            note = desk.get_by_test_id("campaign-call-note")
            await expect(note).to_contain_text("+8613800138009")
            await expect(fields.locator("dd[data-field=months]")).to_have_text("12")
            await desk.screenshot(
                path=ARTIFACTS / f"campaign-call-answers-saved-{lang}.png", full_page=True
            )
            records = admin.get(f"/api/v1/campaigns/{campaign}/records").json()["items"]
            assert records[0]["fields"] == {"name": "王芳", "interested": "yes", "months": 12}

            # Mid-call she clicks every entry of her menu and comes back: the call stays, and
            # the record comes back with its saved answers.
            links = desk.locator("nav.nav a")
            hrefs = await links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
            screen = desk.locator("#screen")
            for href in [*[str(h) for h in hrefs], "/desktop"]:
                await desk.locator(f"nav.nav a[href='{href}']").click()
                # a screen may write its choices into the query (reports: the period)
                await expect(desk).to_have_url(
                    re.compile(re.escape(server.url + href) + r"(\?.*)?$")
                )
                # a screen that reads a lot (reports) mounts slowly on a loaded machine
                await expect(screen).to_have_attribute("data-mounted", "true", timeout=30_000)
            await expect(desk.get_by_test_id("call-panel")).to_have_attribute(
                "data-phase", "connected"
            )
            await expect(panel).to_be_visible()
            await expect(desk.get_by_test_id("campaign-answer-interested")).to_have_value("yes")
            await expect(desk.get_by_test_id("campaign-answer-months")).to_have_value("12")
            ended = [e for e in events(admin, "leg.ended") if e["payload"]["role"] == "customer"]
            assert ended == []  # 王芳 is still on the line
            await desk.screenshot(
                path=ARTIFACTS / f"campaign-call-after-the-menu-{lang}.png", full_page=True
            )

            # 王芳 hangs up; at wrap-up agent2 gives the campaign's disposition.
            await callee.hangup()
            await expect(desk.get_by_test_id("wrapup-panel")).to_be_visible(timeout=20_000)
            await expect(panel).to_be_visible()  # the record stays through the wrap-up
            result = desk.get_by_test_id("campaign-disposition")
            await expect(result.locator("option[value=sale]")).to_have_text(
                "成交" if zh else "Sale"
            )
            await result.select_option("sale")
            await desk.screenshot(
                path=ARTIFACTS / f"campaign-call-wrap-up-{lang}.png", full_page=True
            )
            # The dialer logs the call as it ends: wait for that before saving the result.
            await eventually(
                lambda: admin.get(f"/api/v1/campaigns/{campaign}/records").json()["items"],
                lambda items: items[0]["status"] == "done",
            )
            await desk.get_by_test_id("wrapup-save").click()
            await expect(desk.get_by_test_id("wrapup-panel")).to_be_hidden(timeout=20_000)
            await expect(panel).to_be_hidden()

        (record,) = admin.get(f"/api/v1/campaigns/{campaign}/records").json()["items"]
        assert record["fields"] == {"name": "王芳", "interested": "yes", "months": 12}
        assert (record["status"], record["last_outcome"]) == ("done", "connected")
        figures = await eventually(
            lambda: admin.get(f"/api/v1/campaigns/{campaign}").json()["figures"],
            lambda f: f["conversions"] == 1,
        )
        assert (figures["connects"], figures["right_party"]) == (1, 1)
        assert errors == []
        assert admin_errors == []
    finally:
        server.stop()
