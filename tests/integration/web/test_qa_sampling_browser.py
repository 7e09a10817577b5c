"""The QA sampling rules screen and the QA tasks' reassign and cancel (issue 20) in real
Chromium, in zh-CN (a QA user) and en (the admin): a bad value is refused beside its field in
the page's language and nothing is saved; the fixed rules are saved; "Run now" samples the last
whole week on the job host and says how many tasks it made; on the QA tasks screen one task
goes to the other QA user and another is cancelled (a reason first). Screenshots in
test-artifacts/."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import insert

from hotline.quality.sampling import previous_week, week_bounds
from hotline.store.engine import WRITE, create_engine
from hotline.store.tables import agent_segments
from tests.integration.api.conftest import PASSWORD
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.integration.desktop.language import chinese_on, english_on, tenant_data
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

ZONE = "Asia/Shanghai"  # the demo center's

CASES = {
    "zh-CN": {
        "user": "qa1", "title": "质检抽检规则", "kind": "random", "field": "percent",
        "bad": "150", "good": "100", "said": "百分比必须大于 0 且不超过 100。",
        "saved": "抽检规则已保存。", "done": "完成：已生成 3 条质检任务。",
        "reason_needed": "请说明取消任务的原因。", "cancelled": "已取消",
        "moved": "该任务已转派给", "start": 0,
    },
    "en": {
        "user": "admin", "title": "QA sampling rules", "kind": "longer_than",
        "field": "seconds", "bad": "-30", "good": "600",
        "said": "The number of seconds must be more than 0 and at most 86400 (one day).",
        "saved": "The sampling rules were saved.", "done": "Done: 3 QA tasks made.",
        "reason_needed": "Say why the task is cancelled.", "cancelled": "Cancelled",
        "moved": "The task now goes to", "start": 3,
    },
}  # fmt: skip


async def _seed(server: ServerProcess, tenant_id: str, agent: str, first: int) -> list[str]:
    """Three contacts of `agent` in the last whole week (the one "Run now" samples)."""
    start, _ = week_bounds(previous_week(time.time(), ZONE), ZONE)
    contacts = [f"sample-{n}" for n in range(first, first + 3)]
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                for n, contact in enumerate(contacts, first):
                    at = start + 3600 + n * 900
                    await conn.execute(
                        insert(agent_segments).values(
                            tenant_id=tenant_id, work_seq=9100 + n, agent_id=agent,
                            work_id=f"w-{contact}", interaction_id=contact, queue_id="sales",
                            answered_at=at, ended_at=at + 200, talk_s=200.0, hold_s=0.0,
                        )
                    )  # fmt: skip
    finally:
        await engine.dispose()
    return contacts


async def _edit_rules(page: Page, case: dict[str, str], shot: str) -> None:
    table = page.get_by_test_id("rules")
    await expect(table).to_have_attribute("data-loaded", "true")
    await page.get_by_test_id("add-kind").select_option(case["kind"])
    await page.get_by_test_id("add-rule").click()
    row = page.locator(f"tr[data-testid=rule][data-kind={case['kind']}]").last
    value = row.get_by_test_id(f"rule-{case['field']}")
    await value.fill(case["bad"])
    await page.get_by_test_id("rules-save").click()
    await expect(row.get_by_test_id("rule-error")).to_have_text(case["said"])
    await expect(value).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_test_id("rules-error")).to_contain_text(case["said"])
    await page.screenshot(path=str(ARTIFACTS / f"qa-sampling-bad-{shot}.png"), full_page=True)
    await value.fill(case["good"])
    await page.get_by_test_id("rules-save").click()
    await expect(page.get_by_test_id("rules-status")).to_have_text(case["saved"])
    await expect(page.get_by_test_id("rule-error")).to_have_count(0)


async def _reassign_and_cancel(
    page: Page, case: dict[str, str], contacts: list[str], shot: str
) -> None:
    table = page.get_by_test_id("qa-tasks")
    await expect(table).to_have_attribute("data-loaded", "true")
    moved = table.locator(f"tr[data-contact={contacts[0]}]")
    before = await moved.get_by_test_id("assignee").inner_text()
    await moved.get_by_test_id("reassign").click()
    form = page.get_by_test_id("reassign-form")
    await expect(form).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / f"qa-tasks-reassign-{shot}.png"), full_page=True)
    await form.get_by_test_id("reassign-save").click()
    await expect(page.get_by_test_id("list-status")).to_contain_text(case["moved"])
    await expect(moved.get_by_test_id("assignee")).not_to_have_text(before)

    cancelled = table.locator(f"tr[data-contact={contacts[1]}]")
    await cancelled.get_by_test_id("cancel").click()
    form = page.get_by_test_id("cancel-form")
    await form.get_by_test_id("cancel-save").click()  # no reason yet
    await expect(form.get_by_test_id("form-error")).to_have_text(case["reason_needed"])
    await page.screenshot(path=str(ARTIFACTS / f"qa-tasks-cancel-{shot}.png"), full_page=True)
    await form.get_by_test_id("cancel-reason").fill("测试来电 / a test call")
    await form.get_by_test_id("cancel-save").click()
    await expect(form).to_be_hidden()
    await expect(cancelled.get_by_test_id("state")).to_have_text(case["cancelled"])
    await expect(cancelled.get_by_test_id("cancel")).to_have_count(0)


async def test_sampling_rules_screen_and_task_actions(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    admin = login(sqlite_server, "admin")
    tenant_id = admin.get("/api/v1/auth/me").json()["tenant_id"]
    agent = str(admin.get("/api/v1/agents").json()["items"][0]["id"])
    for username, name in (("qa1", "质检 李"), ("qa2", "QA Wang")):
        made = admin.post(
            "/api/v1/users",
            json={"username": username, "display_name": name, "password": PASSWORD,
                  "roles": ["qa"]},
        )  # fmt: skip
        assert made.status_code == 201, made.text

    for lang, case in CASES.items():
        contacts = await _seed(sqlite_server, tenant_id, agent, int(case["start"]))
        page, errors = await open_page(browser, sqlite_server, str(case["user"]), lang=lang)
        await page.goto(f"{sqlite_server.url}/qa-sampling")
        await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
        await expect(page.get_by_role("heading", name=str(case["title"]))).to_be_visible()
        await expect(page.locator("nav a[href='/qa-sampling']")).to_be_visible()
        before = admin.get("/api/v1/quality/sampling-rules").json()
        await _edit_rules(page, case, lang)
        # nothing of the other language on the screen (the tenant's own data aside)
        other = english_on if lang == "zh-CN" else chinese_on
        assert await other(page, tenant_data(admin)) == []
        saved = admin.get("/api/v1/quality/sampling-rules").json()["rules"]
        assert len(saved) == len(before["rules"]) + 1
        assert saved[-1][str(case["field"])] == float(case["good"])

        job = page.get_by_test_id("sampling-job")
        await expect(page.get_by_test_id("next-run")).not_to_be_empty()
        await page.get_by_test_id("run-now").click()
        await expect(page.get_by_test_id("job-status")).to_have_text(case["done"], timeout=20_000)
        await expect(page.get_by_test_id("tasks-made")).to_have_text("3")
        await expect(job).not_to_have_attribute("data-runs", "0")
        await page.screenshot(path=str(ARTIFACTS / f"qa-sampling-{lang}.png"), full_page=True)

        await page.get_by_test_id("to-tasks").click()
        await expect(page).to_have_url(f"{sqlite_server.url}/qa-tasks")
        await _reassign_and_cancel(page, case, contacts, lang)
        await page.screenshot(path=str(ARTIFACTS / f"qa-tasks-actions-{lang}.png"), full_page=True)
        assert errors == []
        await page.context.close()

    tasks = {t["interaction_id"]: t for t in admin.get("/api/v1/quality/qa-tasks").json()}
    assert tasks["sample-1"]["state"] == tasks["sample-4"]["state"] == "cancelled"
    audit = admin.get("/api/v1/audit", params={"entity": "qa_task"}).json()["items"]
    assert sorted(a["action"] for a in audit) == ["cancel", "cancel", "reassign", "reassign"]

    refused = login(sqlite_server, "agent1")
    assert refused.get("/qa-sampling").status_code == 403
