"""The report settings screen in real Chromium against `hotline demo` (issue 16): the admin
sets how the figures count (a wrong value refused in her language, naming the field), a
queue's own targets and the center's again, and who receives the daily report by e-mail; the
same screen in English; an agent cannot open it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def test_targets_counting_and_subscribers(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page, errors = await open_page(browser, sqlite_server, "admin")
    await page.get_by_role("navigation").get_by_role("link", name="报表").click()
    await page.get_by_test_id("report-settings-link").click()
    await expect(page).to_have_url(f"{sqlite_server.url}/reports/settings")
    await expect(page.get_by_test_id("report-settings-title")).to_have_text("报表设置")
    await expect(page.locator("#report-settings")).to_have_attribute("data-ready", "true")

    # How the figures count: the GLOSSARY's defaults, then the center's own
    await expect(page.get_by_test_id("short-abandon")).to_have_value("5")
    await expect(page.get_by_test_id("fcr-window")).to_have_value("7")
    await expect(page.get_by_test_id("vip-threshold")).to_have_value("15")
    await expect(page.get_by_test_id("satisfied-from")).to_have_value("4")
    await page.get_by_test_id("short-abandon").fill("8")
    await page.get_by_test_id("counting-save").click()
    await expect(page.get_by_test_id("settings-status")).to_have_text(
        "已保存。正在根据事件日志重新统计指标。"
    )
    api = login(sqlite_server, "admin")
    assert api.get("/api/v1/reports/counting").json()["counting"]["short_abandon_s"] == 8.0
    # past the form's own limits, the server refuses and says which field, in Chinese
    await page.get_by_test_id("fcr-window").evaluate("(input) => input.removeAttribute('max')")
    await page.get_by_test_id("fcr-window").fill("45")
    await page.get_by_test_id("counting-save").click()
    await expect(page.get_by_test_id("settings-error")).to_have_text(
        "首次解决率观察期（天）不能大于 30"
    )
    assert api.get("/api/v1/reports/counting").json()["counting"]["fcr_window_days"] == 7

    # Targets: 售后服务 measured at 80 % answered, then at the center's again
    rows = page.get_by_test_id("target-rows").locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("全中心")
    await expect(rows.first.get_by_test_id("target-answer_rate")).to_have_text("85%")
    await page.get_by_test_id("target-queue").select_option("support")
    # the queue's targets fill the form first (here: the center's)
    await expect(page.get_by_test_id("target-form")).to_have_attribute("data-filled", "support")
    await page.get_by_test_id("target-answer-rate").fill("80")
    await page.get_by_test_id("target-save").click()
    await expect(rows).to_have_count(2)
    support = page.locator("[data-testid=target-row][data-queue=support]")
    await expect(support).to_contain_text("售后服务")
    await expect(support.get_by_test_id("target-answer_rate")).to_have_text("80%")
    await expect(support.get_by_test_id("target-asa_s")).to_have_text("20")
    targets = api.get("/api/v1/reports/targets").json()
    assert targets["queues"]["support"]["answer_rate"] == 0.8
    # only what differs is the queue's own: the rest follows the center's
    assert api.put("/api/v1/reports/targets", json={"asa_s": 25}).status_code == 200
    assert api.get("/api/v1/reports/targets").json()["queues"]["support"]["asa_s"] == 25.0
    await page.screenshot(path=str(ARTIFACTS / "report-settings-zh.png"), full_page=True)
    await support.get_by_test_id("target-remove").click()
    await expect(rows).to_have_count(1)
    assert api.get("/api/v1/reports/targets").json()["queues"] == {}

    # Reports by e-mail: the daily report to two people at 07:30; a bad address refused
    await expect(page.get_by_test_id("no-subscriptions")).to_be_visible()
    await page.get_by_test_id("subscription-to").fill("boss@example.com, ops@example.com")
    await page.get_by_test_id("subscription-at").fill("07:30")
    await page.get_by_test_id("subscription-add").click()
    subscription = page.get_by_test_id("subscription-row")
    await expect(subscription).to_have_count(1)
    await expect(subscription).to_contain_text("日报")
    await expect(subscription.get_by_test_id("subscription-recipients")).to_have_text(
        "boss@example.com, ops@example.com"
    )
    await expect(subscription).to_contain_text("07:30")
    (made,) = api.get("/api/v1/reports/subscriptions").json()["items"]
    assert (made["cron"], made["to"], made["period"]) == (
        "30 7 * * *", ["boss@example.com", "ops@example.com"], "day",
    )  # fmt: skip
    await page.get_by_test_id("subscription-to").fill("not-an-address")
    await page.get_by_test_id("subscription-add").click()
    await expect(page.get_by_test_id("settings-error")).to_contain_text("收件人")
    await expect(subscription).to_have_count(1)
    await page.screenshot(path=str(ARTIFACTS / "report-settings-mail-zh.png"), full_page=True)
    await subscription.get_by_test_id("subscription-stop").click()
    await expect(page.get_by_test_id("no-subscriptions")).to_be_visible()
    assert errors == []
    await page.context.close()

    # The same screen in English
    page, errors = await open_page(browser, sqlite_server, "admin", lang="en")
    await page.goto(f"{sqlite_server.url}/reports/settings")
    await expect(page.get_by_test_id("report-settings-title")).to_have_text("Report settings")
    await expect(page.locator("#report-settings")).to_have_attribute("data-ready", "true")
    await expect(page.get_by_test_id("short-abandon")).to_have_value("8")
    await expect(page.get_by_test_id("counting")).to_contain_text("FCR window (days)")
    await expect(page.get_by_test_id("target-rows")).to_contain_text("The whole center")
    await page.get_by_test_id("short-abandon").fill("-1")
    await page.get_by_test_id("short-abandon").evaluate("(input) => input.removeAttribute('min')")
    await page.get_by_test_id("counting-save").click()
    await expect(page.get_by_test_id("settings-error")).to_have_text(
        "Short-abandon threshold (seconds) must be at least 0"
    )
    await page.screenshot(path=str(ARTIFACTS / "report-settings-en.png"), full_page=True)
    assert errors == []
    await page.context.close()

    # An agent has "my figures" and no settings
    page, errors = await open_page(browser, sqlite_server, "agent1")
    await page.get_by_role("navigation").get_by_role("link", name="我的数据").click()
    await expect(page.get_by_test_id("reports-title")).to_have_text("我的数据")
    await expect(page.get_by_test_id("report-settings-link")).to_have_count(0)
    response = await page.goto(f"{sqlite_server.url}/reports/settings")
    assert response is not None
    assert response.status == 403
    await page.context.close()
