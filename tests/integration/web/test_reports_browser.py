"""The reports screen in real Chromium against `hotline demo` (issue 16): the golden day (played
by the real router and interaction core, written to the server's log before it starts, rolled
up by the server itself) as the supervisor's daily report in zh-CN and the admin's in en —
headline figures with targets met or missed, charts drawn by the served chart library, rows by
skill group — a drill-down from a figure to the contacts behind it and on to one contact, the
XLSX and PDF downloads read back; and an agent who sees only herself. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest
from playwright.async_api import Browser, Page, expect

from hotline.store.engine import WRITE, create_engine
from hotline.store.eventlog import write_events
from hotline.web.report_print import shown
from tests.conftest import require_tool
from tests.integration.desktop.harness import ARTIFACTS, eventually, items, login, open_page
from tests.pdf_reading import pdf_images, pdf_text
from tests.server import ServerProcess
from tests.unit.reports.golden_day import golden_day

pytestmark = pytest.mark.browser

DAY = "2026-11-25"


async def _serve_the_golden_day(server: ServerProcess, tmp: Path) -> dict[str, str]:
    """The demo center with the golden day in its log (a1, a2 as agent1, agent2)."""
    server.start("demo")
    admin = login(server, "admin")
    tenant_id = admin.get("/api/v1/auth/me").json()["tenant_id"]
    ids = {a["username"]: a["id"] for a in items(admin, "/api/v1/agents")}
    server.stop()
    who = {"a1": ids["agent1"], "a2": ids["agent2"]}
    played = await golden_day(tmp)
    moved = [
        dataclasses.replace(e, tenant_id=tenant_id, agent_id=who.get(e.agent_id or "", e.agent_id))
        for e in played
    ]
    engine = create_engine(server.env["HOTLINE_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await write_events(conn, moved)
    finally:
        await engine.dispose()
    server.start("demo")  # the projections and the rollup catch up from the log
    admin = login(server, "admin")
    params = {"period": "day", "date": DAY, "by": "center"}
    await eventually(
        lambda: admin.get("/api/v1/reports/summary", params=params).json()["rows"],
        lambda rows: bool(rows) and rows[0]["figures"]["offered"] == 43,
        timeout=60,
    )
    return who


async def _show_day(page: Page) -> None:
    await expect(page.locator("#screen")).to_have_attribute("data-mounted", "true")
    await page.get_by_test_id("report-date").fill(DAY)
    await page.get_by_test_id("report-show").click()


async def test_daily_report_drill_down_downloads_and_my_figures(
    browser: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    require_tool("pdftotext")
    who = await _serve_the_golden_day(sqlite_server, tmp_path)

    # The supervisor's daily report, in Chinese
    page, errors = await open_page(browser, sqlite_server, "supervisor")
    await page.get_by_role("navigation").get_by_role("link", name="报表").click()
    await expect(page.get_by_test_id("reports-title")).to_have_text("报表")
    await _show_day(page)
    kpis = page.get_by_test_id("report-kpis")
    await expect(page.get_by_test_id("kpi-value-offered")).to_have_text("43")
    await expect(page.get_by_test_id("kpi-value-answer_rate")).to_have_text("85.0%")
    await expect(page.get_by_test_id("kpi-target-answer_rate")).to_contain_text("达标")
    await expect(page.get_by_test_id("kpi-target-service_level")).to_contain_text("未达标")
    await expect(page.get_by_test_id("kpi-target-csat")).to_contain_text("目标 90.0%")
    await expect(kpis).to_contain_text("首次解决率")
    await expect(page.locator("#screen")).to_have_attribute("data-charts", "3")
    await expect(page.get_by_test_id("report-charts-missing")).to_be_hidden()
    rows = page.get_by_test_id("report-rows")
    await expect(rows.locator("tbody tr")).to_have_count(2)
    await expect(rows).to_contain_text("售后服务")
    await expect(page.get_by_test_id("report-reasons")).to_contain_text("修改套餐")
    await expect(page.get_by_test_id("report-ranking").locator("tbody tr")).to_have_count(2)
    await expect(page.get_by_test_id("report-vip")).to_contain_text("50.0%")
    await page.screenshot(path=str(ARTIFACTS / "reports-daily-zh.png"), full_page=True)

    # Drill-down: the 7 abandoned calls of 售后服务, then one of them on its own page
    await page.get_by_test_id("drill-support-abandoned").click()
    await expect(page.get_by_test_id("drill-title")).to_contain_text("放弃量")
    drill_rows = page.get_by_test_id("drill-rows").locator("tr")
    await expect(drill_rows).to_have_count(7)
    await expect(page.get_by_test_id("drill-rows")).to_contain_text("排队中放弃")
    await page.screenshot(path=str(ARTIFACTS / "reports-drill-zh.png"), full_page=True)
    first = drill_rows.first
    interaction = await first.get_attribute("data-interaction")
    await first.locator("a").click()
    await expect(page).to_have_url(f"{sqlite_server.url}/interactions/{interaction}")
    await page.go_back()
    await expect(page.get_by_test_id("kpi-value-offered")).to_have_text("43")

    # The agents' "resolved?" marks: the answered calls of 售后服务 that were marked resolved
    await page.get_by_test_id("drill-support-answered").click()
    await expect(page.get_by_test_id("drill-mark")).to_have_value("")
    await page.get_by_test_id("drill-mark").select_option("resolved")
    drill_rows = page.get_by_test_id("drill-rows").locator("tr")
    await expect(drill_rows).to_have_count(2)  # one marked by a1, one by a2 after a transfer
    await expect(page.get_by_test_id("drill-resolved").first).to_have_text("已解决")
    await page.get_by_test_id("drill-mark").select_option("not_resolved")
    await expect(drill_rows).to_have_count(1)
    await expect(page.get_by_test_id("drill-resolved")).to_have_text("未解决")
    await page.screenshot(path=str(ARTIFACTS / "reports-drill-resolved-zh.png"), full_page=True)
    await page.get_by_test_id("drill-mark").select_option("resolved")
    marked = drill_rows.filter(has_text="13850000000")
    await expect(marked).to_have_count(1)
    marked_id = await marked.get_attribute("data-interaction")
    await marked.locator("a").click()
    await expect(page).to_have_url(f"{sqlite_server.url}/interactions/{marked_id}")
    await expect(page.locator("#summary")).to_contain_text("是否已解决")
    await expect(page.get_by_test_id("segment-resolved")).to_have_text("已解决")
    await page.screenshot(path=str(ARTIFACTS / "contact-resolved-zh.png"), full_page=True)
    await page.go_back()
    await expect(page.get_by_test_id("kpi-value-offered")).to_have_text("43")

    # Downloads: the XLSX in Chinese, the PDF with its headings, figures and charts
    async with page.expect_download() as xlsx_download:
        await page.get_by_test_id("export-xlsx").click()
    xlsx = tmp_path / "daily.xlsx"
    await (await xlsx_download.value).save_as(xlsx)
    book = openpyxl.load_workbook(xlsx)
    sheet = book.active
    assert sheet is not None
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert lines[1][:3] == ["技能组", "联络量", "呼入量"]
    assert sorted(line[0] for line in lines[2:]) == ["sales", "support"]
    async with page.expect_download() as pdf_download:
        await page.get_by_test_id("export-pdf").click()
    pdf = tmp_path / "daily.pdf"
    await (await pdf_download.value).save_as(pdf)
    printed = pdf_text(pdf)
    for heading in ("日报", "关键指标", "每小时分布", "按技能组", "来电原因前十", "坐席排名"):
        assert heading in printed, heading
    for figure, value in (("offered", 43), ("answer_rate", 0.85), ("asa_s", 15.9)):
        kind = {"offered": "count", "answer_rate": "rate", "asa_s": "seconds"}[figure]
        assert shown(value, kind) in printed, figure
    assert len(pdf_images(pdf)) == 3  # the three charts
    assert errors == []
    await page.context.close()

    # The admin's report in English, by agent with one agent chosen
    page, errors = await open_page(browser, sqlite_server, "admin", lang="en")
    await page.goto(f"{sqlite_server.url}/reports?period=day&date={DAY}&by=agent&key={who['a1']}")
    await expect(page.get_by_test_id("reports-title")).to_have_text("Reports")
    await expect(page.get_by_test_id("report-key")).to_have_value(who["a1"])
    await expect(page.get_by_test_id("kpi-value-handled")).to_have_text("31")
    await expect(page.get_by_test_id("report-kpis")).to_contain_text("Average talk (s)")
    await expect(page.locator("#screen")).to_have_attribute("data-charts", "3")
    await page.screenshot(path=str(ARTIFACTS / "reports-agent-en.png"), full_page=True)
    await page.get_by_test_id("kpi-drill-handled").click()
    await expect(page.get_by_test_id("drill-rows").locator("tr")).to_have_count(31)
    await expect(page.get_by_test_id("drill")).to_contain_text("Resolved?")
    await page.get_by_test_id("drill-mark").select_option("resolved")  # a1's own answers
    await expect(page.get_by_test_id("drill-rows").locator("tr")).to_have_count(1)
    await expect(page.get_by_test_id("drill-resolved")).to_have_text("Resolved")
    await page.screenshot(path=str(ARTIFACTS / "reports-drill-resolved-en.png"), full_page=True)
    await page.goto(f"{sqlite_server.url}/interactions/{marked_id}")
    await expect(page.locator("#summary")).to_contain_text("Resolved?")
    await expect(page.get_by_test_id("segment-resolved")).to_have_text("Resolved")
    await page.screenshot(path=str(ARTIFACTS / "contact-resolved-en.png"), full_page=True)
    assert errors == []
    await page.context.close()

    # An agent sees only herself: her own figures, no groupings, no ranking
    page, errors = await open_page(browser, sqlite_server, "agent1")
    await page.get_by_role("navigation").get_by_role("link", name="我的数据").click()
    await expect(page.get_by_test_id("reports-title")).to_have_text("我的数据")
    await _show_day(page)
    await expect(page.get_by_test_id("kpi-value-handled")).to_have_text("31")
    await expect(page.get_by_test_id("report-rows").locator("tbody tr")).to_have_count(1)
    await expect(page.get_by_test_id("report-by")).to_have_count(0)
    await expect(page.get_by_test_id("report-ranking")).to_have_count(0)
    await page.screenshot(path=str(ARTIFACTS / "reports-mine-zh.png"), full_page=True)
    assert errors == []
    await page.context.close()
