"""Acceptance (issue 17, hints during service; seed 001: 该客户手机已使用 2 年，可推荐新款), in
zh-CN and in English: an admin writes the hint on the admin page (a condition that does not
parse is refused in the page's language, naming the field); 钱多多, whose phone is older than
24 months, calls from a baresip phone; agent1's offer and screen pop show the hint in her
language with the months filled in; she records "offered", then "accepted" — the pop shows
the answer, the log has both and the report counts the contact once, as accepted."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect

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
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip]

NUMBER = "13900139088"
WORDS = {
    "zh-CN": {"hint": "该客户手机已使用 {m} 个月，可推荐新款", "accept": "客户接受",
              "recorded": "已记录：客户接受", "field": "条件",
              "reason": "表达式不完整，结束得太早（第 33 列）"},
    "en": {"hint": "Phone in use for {m} months: offer the upgrade", "accept": "Accepted",
           "recorded": "Recorded: Accepted", "field": "Condition",
           "reason": "expression ends too early (column 33)"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_the_hint_shows_during_the_call_and_the_agents_answer_is_recorded(
    chromium: Browser, sqlite_server: ServerProcess, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    open_around_the_clock(admin)
    field = {"key": "device_bought", "label_zh": "购机日期", "label_en": "Phone bought",
             "type": "date"}  # fmt: skip
    admin.post("/api/v1/custom-fields", json=field).raise_for_status()
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    bought = today.replace(year=today.year - 2, day=1) - dt.timedelta(days=1)
    months = (today.year - bought.year) * 12 + today.month - bought.month
    months -= 1 if today.day < bought.day else 0
    customer = admin.post(
        "/api/v1/customers",
        json={"name": "钱多多", "phones": [NUMBER], "vip_level": 1,
              "custom": {"device_bought": bought.isoformat()}},
    )  # fmt: skip
    customer.raise_for_status()

    # The admin page: a condition that does not parse is refused, then the rule is saved.
    boss, boss_errors = await open_page(chromium, server, "admin", lang=lang)
    await boss.goto(f"{server.url}/admin/hint-rules")
    await boss.get_by_test_id("create").click()
    form = boss.locator("#editor-form")
    await form.locator("[name=name]").fill("换机推荐")
    await form.locator("[name=condition]").fill("customer.device_bought.months >=")
    await form.locator("[name=text_zh]").fill(
        "该客户手机已使用 {customer.device_bought.months} 个月，可推荐新款"
    )
    await form.locator("[name=text_en]").fill(
        "Phone in use for {customer.device_bought.months} months: offer the upgrade"
    )
    await boss.locator("#save").click()
    await expect(boss.locator("#editor-error")).to_contain_text(words["field"])
    await expect(boss.locator("#editor-error")).to_contain_text(words["reason"])  # the parser's
    await boss.screenshot(path=ARTIFACTS / f"hint-rule-refused-{lang}.png", full_page=True)
    assert admin.get("/api/v1/hint-rules").json()["total"] == 0
    await form.locator("[name=condition]").fill(
        "customer.device_bought.months >= 24 and customer.vip_level >= 1"
    )
    await boss.locator("#save").click()
    await expect(boss.get_by_test_id("grid")).to_contain_text("换机推荐")
    (rule,) = admin.get("/api/v1/hint-rules").json()["items"]

    desk, errors = await open_page(chromium, server, "agent1", lang=lang)
    await desk.goto(f"{server.url}/desktop")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    async with baresip_phone(
        tmp_path, "caller", user=NUMBER, display="钱多多", server_port=server.sip_port,
        tone_hz=CUSTOMER_HZ,
    ) as caller:  # fmt: skip
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")
        await asyncio.sleep(1.5)  # into the greeting: the key goes to the menu
        await caller.keys("1")
        await expect(desk.get_by_test_id("offer-toast")).to_be_visible(timeout=20_000)
        hint = desk.get_by_test_id("pop-hint")
        await expect(hint).to_contain_text(words["hint"].format(m=months))
        await desk.get_by_test_id("answer").click()
        panel = desk.get_by_test_id("call-panel")
        await expect(panel).to_have_attribute("data-phase", "connected")
        await hint.get_by_test_id("hint-offered").click()
        await expect(hint).to_have_attribute("data-response", "offered")
        await hint.get_by_test_id("hint-accepted").click()
        await expect(hint).to_have_attribute("data-response", "accepted")
        await expect(hint.get_by_test_id("hint-response")).to_have_text(words["recorded"])
        await desk.screenshot(path=ARTIFACTS / f"desktop-hint-{lang}.png", full_page=True)
        await caller.hangup()
        await expect(desk.get_by_test_id("wrapup-panel")).to_be_visible()

    answers = await eventually(
        lambda: events(admin, "customer.hint_responded"), lambda e: len(e) == 2
    )
    assert [a["payload"]["response"] for a in answers] == ["offered", "accepted"]
    assert {a["payload"]["customer_id"] for a in answers} == {customer.json()["id"]}
    report = admin.get("/api/v1/hints/report").json()["items"]
    assert [(r["rule_id"], r["accepted"], r["offered"]) for r in report] == [(rule["id"], 1, 0)]
    assert errors == []
    assert boss_errors == []
