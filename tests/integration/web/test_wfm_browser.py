"""Workforce planning in real Chromium against `hotline demo`, in zh-CN and en: the supervisor
imports history (a bad file is refused naming row, column and value), adds a shift template,
forecasts a week (chart with its range, backtest score), generates a schedule (grid per team,
coverage over the staffing curve), publishes it and decides a time-off request; an agent sees
only her own week. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.integration.api.test_wfm import WEEK, history_csv
from tests.integration.desktop.harness import ARTIFACTS, items, login, open_page
from tests.integration.desktop.language import (
    FIND_ENGLISH,
    tenant_data,
    untranslatable_ids,
)
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def settle(page: Page) -> None:
    await page.wait_for_load_state("networkidle")


async def english_on(page: Page, data: str) -> list[str]:
    """Untranslated ids or English words on the page (Erlang is a name in both languages)."""
    allowed = ["Hotline", "Erlang"]
    found: list[str] = await page.evaluate(
        FIND_ENGLISH, {"ids": list(untranslatable_ids()), "data": data, "allowed": allowed}
    )
    return [f"{page.url}: {p}" for p in found]


async def test_supervisor_plans_and_publishes_and_an_agent_sees_her_own_week(
    browser: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    sqlite_server.start("demo")
    supervisor_api = login(sqlite_server, "supervisor")
    agent1_api = login(sqlite_server, "agent1")
    me1 = agent1_api.get("/api/v1/auth/me").json()["agent_id"]
    for agent in items(supervisor_api, "/api/v1/wfm/agents"):
        days = {"agent1": range(3), "agent2": range(3, 7), "agent3": range(7)}[agent["username"]]
        supervisor_api.put(
            f"/api/v1/wfm/contracts/{agent['id']}",
            json={"availability": {str(d): [540, 1260] for d in days}},
        ).raise_for_status()
    good, bad = tmp_path / "sales.csv", tmp_path / "bad.csv"
    good.write_text(history_csv(), encoding="utf-8")
    bad.write_text("interval_start,offered\n2026-03-01T09:00:00,很多\n", encoding="utf-8")

    page, errors = await open_page(browser, sqlite_server, "supervisor")
    await page.get_by_role("navigation").get_by_role("link", name="话务预测与排班").click()
    await expect(page.locator("h1")).to_have_text("话务预测与排班")

    # history: a bad cell is named in Chinese, the good file is imported
    await page.get_by_test_id("history-file").set_input_files(bad)
    await page.get_by_test_id("history-import").click()
    await expect(page.get_by_test_id("wfm-error")).to_contain_text(
        "第 2 行，offered 列，值“很多”：不是数字"
    )
    await page.get_by_test_id("history-file").set_input_files(good)
    await page.get_by_test_id("history-import").click()
    await expect(page.get_by_test_id("wfm-status")).to_contain_text("已为 sales 导入")

    # a shift template: 8 h, starting 09:00–13:00, lunch and two breaks
    form = page.get_by_test_id("template-form")
    await form.locator("input[name=name]").fill("白班")
    await form.locator("input[name=earliest]").fill("09:00")
    await form.locator("input[name=latest]").fill("13:00")
    await page.get_by_test_id("template-add").click()
    await expect(page.get_by_test_id("template-rows")).to_contain_text("白班")

    # forecast the week: chart with the range, the backtest with the chosen model
    await page.get_by_test_id("plan-queue").select_option("sales")
    await page.get_by_test_id("plan-week").fill(WEEK.isoformat())
    await page.get_by_test_id("plan-build").click()
    await expect(page.get_by_test_id("plan-view")).to_be_visible(timeout=30_000)
    await expect(page.get_by_test_id("forecast-chart").locator("path.band")).to_have_count(1)
    await expect(page.get_by_test_id("scores")).to_contain_text("已选用")
    await expect(page.get_by_test_id("plan-summary")).to_contain_text("MASE")

    # a schedule for everyone, its grid, coverage drawn over the need; then publish
    await page.get_by_test_id("schedule-generate").click()
    await expect(page.get_by_test_id("schedule-view")).to_be_visible(timeout=60_000)
    shifts = page.get_by_test_id("schedule-grid").get_by_test_id("shift")
    assert await shifts.count() > 0
    await expect(page.get_by_test_id("staffing-chart").locator("path.cover")).to_have_count(1)
    await expect(page.get_by_test_id("schedule-summary")).to_contain_text("人力缺口")
    await page.get_by_test_id("what-if-run").click()
    await expect(page.get_by_test_id("what-if")).to_contain_text("仿真结果", timeout=60_000)
    await page.get_by_test_id("publish").click()
    await expect(page.get_by_test_id("wfm-status")).to_contain_text("已发布")
    await settle(page)
    data = tenant_data(login(sqlite_server, "admin"))
    assert await english_on(page, data) == []
    await page.screenshot(path=ARTIFACTS / "wfm-plan-zh-CN.png", full_page=True)
    async with page.expect_download() as download:
        await page.get_by_test_id("schedule-xlsx").click()
    assert (await download.value).suggested_filename.endswith(".xlsx")

    # the agent's own week, in Chinese: only her shifts; a bad request, then a good one
    agent, agent_errors = await open_page(browser, sqlite_server, "agent1")
    await agent.goto(f"{sqlite_server.url}/my-schedule?week={WEEK.isoformat()}")
    rows = agent.get_by_test_id("my-shift")
    expected = items(agent1_api, "/api/v1/wfm/my-schedule", week_start=WEEK.isoformat())
    await expect(rows).to_have_count(len(expected))
    assert {await r.get_attribute("data-agent") for r in await rows.all()} == {me1}
    first_day = expected[0]["start_at"][:10]
    await agent.get_by_test_id("off-from").fill(f"{first_day}T18:00")
    await agent.get_by_test_id("off-to").fill(f"{first_day}T08:00")
    await agent.get_by_test_id("off-submit").click()
    await expect(agent.get_by_test_id("my-error")).to_have_text("结束时间必须晚于开始时间。")
    await agent.get_by_test_id("off-from").fill(f"{first_day}T00:00")
    await agent.get_by_test_id("off-to").fill(f"{first_day}T23:59")
    await agent.get_by_test_id("off-submit").click()
    await expect(agent.get_by_test_id("request-status")).to_have_text(["待审批"])
    await settle(agent)
    assert await english_on(agent, data) == []
    await agent.screenshot(path=ARTIFACTS / "wfm-my-schedule-zh-CN.png", full_page=True)

    # the supervisor approves; the shift leaves the agent's week
    await page.reload()
    await page.get_by_test_id("approve").click()
    await expect(page.get_by_test_id("wfm-status")).to_contain_text("已批准")
    await agent.reload()
    await expect(agent.get_by_test_id("request-status")).to_have_text(["已批准"])
    await expect(agent.get_by_test_id("my-shift")).to_have_count(len(expected) - 1)

    # English: the same screens after switching language and reloading
    await page.get_by_test_id("language").select_option("en")
    await expect(page.locator("h1")).to_have_text("Workforce planning")
    await page.get_by_test_id("schedule-list").select_option(index=1)
    await expect(page.get_by_test_id("schedule-view")).to_be_visible()
    await expect(page.get_by_test_id("scores")).to_contain_text("chosen")
    await expect(page.get_by_test_id("schedule-summary")).to_contain_text("Published")
    await settle(page)
    await page.screenshot(path=ARTIFACTS / "wfm-plan-en.png", full_page=True)
    await agent.get_by_test_id("language").select_option("en")
    await expect(agent.locator("h1")).to_have_text("My schedule")
    await expect(agent.get_by_test_id("request-status")).to_have_text(["Approved"])
    await settle(agent)
    await agent.screenshot(path=ARTIFACTS / "wfm-my-schedule-en.png", full_page=True)

    # an agent may not open the planning page
    await agent.goto(f"{sqlite_server.url}/wfm")
    await expect(agent.locator("main")).to_contain_text("You may not open this page")
    assert errors == []
    assert agent_errors == []
