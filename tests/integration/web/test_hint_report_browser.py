"""Hints during service on the reports screen (issue 17): the agent's answers to a hint —
offered, accepted, declined — recorded through the API on real contacts of the log, shown per
hint on the reports screen in real Chromium, to the supervisor in zh-CN and the admin in en,
with the acceptance rate; an agent's own figures show no center-wide hints, and the API
refuses them to her. Screenshots go to test-artifacts/."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import Browser, expect

from hotline.interactions.events import InteractionCreated
from hotline.store.engine import WRITE, create_engine
from hotline.store.eventlog import write_events
from tests.daytime import center_in_daytime
from tests.integration.desktop.harness import ARTIFACTS, eventually, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

RULE = {
    "name": "换机推荐",
    "condition": "customer.vip_level >= 1",
    "text_zh": "可推荐新款",
    "text_en": "Offer the upgrade",
}
# contact → the agent's answers in order (the last one counts)
ANSWERS = {
    "hint-c1": ["offered", "accepted"],
    "hint-c2": ["offered", "declined"],
    "hint-c3": ["accepted"],
    "hint-c4": ["offered"],
}
WORDS = {
    "zh-CN": {"user": "supervisor", "title": "服务提示", "head": "客户接受", "rate": "66.7%"},
    "en": {"user": "admin", "title": "Hints during service", "head": "Accepted by the customer",
           "rate": "66.7%"},
}  # fmt: skip


async def _contacts(server: ServerProcess) -> tuple[str, str]:
    """The demo center with a hint rule, a VIP customer and four contacts of hers in the log."""
    server.start("demo")
    admin = login(server, "admin")
    tenant_id = admin.get("/api/v1/auth/me").json()["tenant_id"]
    rule = admin.post("/api/v1/hint-rules", json=RULE)
    assert rule.status_code == 201, rule.text
    customer = admin.post(
        "/api/v1/customers", json={"name": "钱多多", "phones": ["13800138099"], "vip_level": 2}
    )
    assert customer.status_code == 201, customer.text
    server.stop()
    now = time.time()
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await center_in_daytime(conn, tenant_id, now)
                await write_events(conn, [
                    InteractionCreated(
                        tenant_id=tenant_id, at=now, interaction_id=contact, channel="voice",
                        direction="inbound", caller_number="+8613800138099", caller_name=None,
                        did="4001", customer_id=customer.json()["id"], vip_level=2,
                        flow="main", flow_version=1, call_id="call-" + contact,
                    )
                    for contact in ANSWERS
                ])  # fmt: skip
    finally:
        await engine.dispose()
    server.start("demo")  # the contacts projection catches up from the log
    return rule.json()["id"], customer.json()["id"]


async def test_the_hints_answers_on_the_reports_screen(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    rule_id, customer_id = await _contacts(sqlite_server)
    agent = login(sqlite_server, "agent1")
    admin = login(sqlite_server, "admin")
    await eventually(
        lambda: admin.get("/api/v1/desk/screenpop/hint-c4").status_code, lambda s: s == 200
    )
    for contact, answers in ANSWERS.items():
        for answer in answers:
            r = agent.post(
                f"/api/v1/desk/hints/{contact}/{rule_id}/responses",
                json={"response": answer, "customer_id": customer_id},
            )
            assert r.status_code == 201, r.text
    report = admin.get("/api/v1/reports/hints").json()
    assert [(h["name"], h["offered"], h["accepted"], h["declined"]) for h in report["items"]] == [
        ("换机推荐", 1, 2, 1)
    ]
    refused = agent.get("/api/v1/reports/hints")  # the center's, not hers
    assert (refused.status_code, refused.json()["code"]) == (403, "reports.forbidden")

    for lang, words in WORDS.items():
        page, errors = await open_page(browser, sqlite_server, words["user"], lang=lang)
        await page.goto(f"{sqlite_server.url}/reports")
        await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
        hints = page.get_by_test_id("report-hints")
        await expect(hints).to_contain_text(words["head"])
        row = hints.locator(f"tbody tr[data-rule='{rule_id}']")
        await expect(row.locator("td")).to_have_text(["换机推荐", "1", "2", "1", words["rate"]])
        await expect(page.get_by_role("heading", name=words["title"])).to_be_visible()
        await hints.scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTIFACTS / f"reports-hints-{lang}.png"), full_page=True)
        # Another day: no answers, said as such.
        await page.get_by_test_id("report-date").fill("2020-01-01")
        await page.get_by_test_id("report-show").click()
        await expect(hints.locator("tbody tr")).to_have_count(1)
        await expect(hints.locator("tbody td")).to_have_text(
            ["本期间没有答复过的服务提示。" if lang == "zh-CN" else
             "No hint was answered in this period."]
        )  # fmt: skip
        assert errors == []
        await page.context.close()

    # An agent's "my figures" have no hints section (and no error line from one).
    page, errors = await open_page(browser, sqlite_server, "agent1", lang="en")
    await page.goto(f"{sqlite_server.url}/reports")
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    await expect(page.get_by_test_id("report-kpis")).not_to_be_empty()
    await expect(page.get_by_test_id("report-hints")).to_have_count(0)
    await expect(page.get_by_test_id("report-error")).to_be_hidden()
    assert errors == []
