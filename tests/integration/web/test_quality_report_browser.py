"""Surveys and reviews on the reports screen (issue 20) in real Chromium: three rated contacts
in the log (1, 2 and 5 on 1–5, one offered and never answered); the server's survey follower
opens two reviews at start; the supervisor closes one with a root cause. The supervisor (zh-CN)
and the admin (en) see review completion 50 %, the root cause in their language and the IVR's
response rate 75 %; an agent's own figures have no such section. Screenshots in
test-artifacts/."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import Browser, expect

from hotline.events import DomainEvent
from hotline.flows.events import SurveyAnswered, SurveyOffered
from hotline.store.engine import WRITE, create_engine
from hotline.store.eventlog import write_events
from tests.daytime import center_in_daytime
from tests.integration.desktop.harness import ARTIFACTS, eventually, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

RATINGS = {"qa-c1": 1, "qa-c2": 2, "qa-c3": 5, "qa-c4": None}
WORDS = {
    "zh-CN": {"user": "supervisor", "title": "满意度调查与复核", "cause": "流程",
              "ivr": "语音导航"},
    "en": {"user": "admin", "title": "Surveys and reviews", "cause": "Process", "ivr": "IVR"},
}  # fmt: skip


async def _rated(server: ServerProcess) -> str:
    server.start("demo")
    admin = login(server, "admin")
    tenant_id = admin.get("/api/v1/auth/me").json()["tenant_id"]
    agent = str(admin.get("/api/v1/agents").json()["items"][0]["id"])
    server.stop()
    now = time.time()
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await center_in_daytime(conn, tenant_id, now)
                logged: list[DomainEvent] = []
                for contact, rating in RATINGS.items():
                    envelope = {"tenant_id": tenant_id, "at": now, "interaction_id": contact,
                                "agent_id": agent}  # fmt: skip
                    logged.append(SurveyOffered(**envelope, node="survey"))
                    if rating is not None:
                        logged.append(
                            SurveyAnswered(**envelope, node="survey", rating=rating, scale=5)
                        )
                await write_events(conn, logged)
    finally:
        await engine.dispose()
    server.start("demo")  # the survey follower catches up from the log
    return agent


async def test_review_completion_and_response_rates_on_the_reports_screen(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    await _rated(sqlite_server)
    supervisor = login(sqlite_server, "supervisor")
    reviews = await eventually(
        lambda: supervisor.get("/api/v1/quality/reviews").json(), lambda found: len(found) == 2
    )
    first = next(r for r in reviews if r["interaction_id"] == "qa-c1")
    closed = supervisor.post(
        f"/api/v1/quality/reviews/{first['id']}/close", json={"cause": "process", "action": "none"}
    )
    assert closed.status_code == 200, closed.text
    figures = supervisor.get("/api/v1/reports/quality").json()
    assert figures["reviews"]["opened"] == 2
    assert figures["reviews"]["causes"] == {"process": 1}
    assert figures["responses"] == [
        {"survey": "ivr", "channel": "ivr", "offered": 4, "answered": 3}
    ]
    refused = login(sqlite_server, "agent1").get("/api/v1/reports/quality")
    assert (refused.status_code, refused.json()["code"]) == (403, "reports.forbidden")

    for lang, words in WORDS.items():
        page, errors = await open_page(browser, sqlite_server, words["user"], lang=lang)
        await page.goto(f"{sqlite_server.url}/reports")
        await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
        section = page.get_by_test_id("report-quality")
        await expect(section.get_by_role("heading", name=words["title"])).to_be_visible()
        await expect(page.get_by_test_id("report-reviews").locator("tbody td")).to_have_text(
            ["2", "1", "50.0%", "0"]
        )
        cause = page.get_by_test_id("report-causes").locator("tr[data-cause=process] td")
        await expect(cause).to_have_text([words["cause"], "1"])
        ivr = page.get_by_test_id("report-responses").locator("tr[data-channel=ivr] td")
        await expect(ivr).to_have_text(["ivr", words["ivr"], "4", "3", "75.0%"])
        await section.scroll_into_view_if_needed()
        await page.screenshot(path=str(ARTIFACTS / f"reports-quality-{lang}.png"), full_page=True)
        assert errors == []
        await page.context.close()

    page, errors = await open_page(browser, sqlite_server, "agent1", lang="en")
    await page.goto(f"{sqlite_server.url}/reports")
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    await expect(page.get_by_test_id("report-kpis")).not_to_be_empty()
    await expect(page.get_by_test_id("report-quality")).to_have_count(0)
    await expect(page.get_by_test_id("report-error")).to_be_hidden()
    assert errors == []


REVIEW_WORDS = {
    "zh-CN": {"user": "supervisor", "title": "差评复核",
              "no_cause": "请先选择根本原因，再关闭复核。", "state": "待处理",
              "closed": "复核已关闭。", "cause": "流程"},
    "en": {"user": "admin", "title": "Reviews of low ratings",
           "no_cause": "Choose the root cause before closing the review.", "state": "Open",
           "closed": "Review closed.", "cause": "Process"},
}  # fmt: skip


async def test_the_supervisor_closes_a_review_on_the_reviews_screen(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    await _rated(sqlite_server)
    supervisor = login(sqlite_server, "supervisor")
    await eventually(
        lambda: supervisor.get("/api/v1/quality/reviews").json(), lambda found: len(found) == 2
    )
    for lang, words in REVIEW_WORDS.items():
        page, errors = await open_page(browser, sqlite_server, words["user"], lang=lang)
        await page.goto(f"{sqlite_server.url}/reviews")
        await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
        await expect(page.get_by_role("heading", name=words["title"])).to_be_visible()
        reviews = page.get_by_test_id("reviews")
        rows = reviews.locator("tbody tr[data-state=open]")
        await expect(rows).to_have_count(2 if lang == "zh-CN" else 1)
        await expect(rows.first.get_by_test_id("state")).to_have_text(words["state"])
        await page.screenshot(path=str(ARTIFACTS / f"reviews-{lang}.png"), full_page=True)
        # Closing without a root cause: refused in my language, the dialog stays open.
        await rows.first.get_by_test_id("close-review").click()
        dialog = page.get_by_test_id("close-dialog")
        await dialog.get_by_test_id("action").select_option("coaching")
        await dialog.get_by_test_id("close-save").click()
        await expect(dialog.get_by_test_id("close-error")).to_have_text(words["no_cause"])
        await page.screenshot(path=str(ARTIFACTS / f"reviews-{lang}-refused.png"))
        await dialog.get_by_test_id("cause").select_option("process")
        await dialog.get_by_test_id("note").fill("IVR 菜单太长")
        await dialog.get_by_test_id("close-save").click()
        await expect(page.get_by_test_id("list-status")).to_have_text(words["closed"])
        await expect(rows).to_have_count(1 if lang == "zh-CN" else 0)
        await page.get_by_test_id("include-closed").check()
        closed = reviews.locator("tbody tr[data-state=closed]")
        await expect(closed).to_have_count(1 if lang == "zh-CN" else 2)
        await expect(closed.first.locator("td").nth(5)).to_have_text(words["cause"])
        assert errors == []
        await page.context.close()

    # An agent has no reviews screen in her menu; the page shows her own only (none here).
    page, errors = await open_page(browser, sqlite_server, "agent2", lang="en")
    await expect(page.locator("nav a[href='/reviews']")).to_have_count(0)
    assert errors == []
