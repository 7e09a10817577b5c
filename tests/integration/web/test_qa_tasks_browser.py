"""The QA tasks screen (issue 20, sampling) in real Chromium: a QA user sets the rules (low
ratings, then 100 % random) and samples this week's two contacts; she (zh-CN) and the admin
(en) see each task with its rule in their language and its evaluator; "only mine" filters;
an agent may not open the page. Screenshots in test-artifacts/."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import insert

from hotline.quality.sampling import iso_week
from hotline.store.engine import WRITE, create_engine
from hotline.store.tables import agent_segments
from tests.integration.api.conftest import PASSWORD
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"user": "qa1", "title": "质检任务", "low": "low (差评)", "random": "random (随机)"},
    "en": {"user": "admin", "title": "QA tasks", "low": "low (Low rating)",
           "random": "random (Random)"},
}  # fmt: skip


async def _seed(server: ServerProcess, tenant_id: str, agent: str, now: float) -> None:
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                for seq, (contact, csat) in enumerate((("qa-low", 1), ("qa-any", None)), 1):
                    await conn.execute(
                        insert(agent_segments).values(
                            tenant_id=tenant_id, work_seq=9000 + seq, agent_id=agent,
                            work_id=f"w-{contact}", interaction_id=contact, queue_id="sales",
                            answered_at=now - 600, ended_at=now - 300, talk_s=300.0,
                            hold_s=0.0, csat=csat, csat_scale=5 if csat else None,
                        )
                    )  # fmt: skip
    finally:
        await engine.dispose()


async def test_qa_tasks_screen(browser: Browser, sqlite_server: ServerProcess) -> None:
    sqlite_server.start("demo")
    admin = login(sqlite_server, "admin")
    tenant_id = admin.get("/api/v1/auth/me").json()["tenant_id"]
    agent = str(admin.get("/api/v1/agents").json()["items"][0]["id"])
    made = admin.post(
        "/api/v1/users",
        json={"username": "qa1", "display_name": "质检 李", "password": PASSWORD,
              "roles": ["qa"]},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    now = time.time()
    await _seed(sqlite_server, tenant_id, agent, now)
    qa = login(sqlite_server, "qa1")
    rules = {"rules": [{"key": "low", "kind": "low_rating"},
                       {"key": "random", "kind": "random", "percent": 100}]}  # fmt: skip
    assert qa.put("/api/v1/quality/sampling-rules", json=rules).status_code == 200
    week = iso_week(datetime.fromtimestamp(now, ZoneInfo("Asia/Shanghai")).date())
    ran = qa.post("/api/v1/quality/sampling-runs", json={"week": week})
    assert ran.status_code == 200, ran.text
    assert ran.json()["by_rule"] == {"low": 1, "random": 1}

    for lang, words in WORDS.items():
        page, errors = await open_page(browser, sqlite_server, words["user"], lang=lang)
        await page.goto(f"{sqlite_server.url}/qa-tasks")
        await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
        await expect(page.get_by_role("heading", name=words["title"])).to_be_visible()
        table = page.get_by_test_id("qa-tasks")
        await expect(table).to_have_attribute("data-loaded", "true")
        await expect(table.locator("tr[data-contact=qa-low] [data-testid=rule]")).to_have_text(
            words["low"]
        )
        await expect(table.locator("tr[data-contact=qa-any] [data-testid=rule]")).to_have_text(
            words["random"]
        )
        await expect(table.get_by_test_id("assignee")).to_have_text(["质检 李", "质检 李"])
        await page.screenshot(path=str(ARTIFACTS / f"qa-tasks-{lang}.png"), full_page=True)
        await page.get_by_test_id("mine").check()
        mine = 2 if words["user"] == "qa1" else 0
        await expect(table.locator("tbody tr[data-id]")).to_have_count(mine)
        assert errors == []
        await page.context.close()

    refused = login(sqlite_server, "agent1").get("/qa-tasks")
    assert refused.status_code == 403
