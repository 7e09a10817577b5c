"""In real headless Chromium: the business-hours editor (weekly ranges with a lunch break, a
special day with its own hours, linked holiday calendars) instead of raw JSON, the holiday
calendars page with its imports (shipped year, .ics file, a bad file), and the jobs page —
in zh-CN and en, with bad values and reloads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hotline.calendars.ics import write_ics
from hotline.jobs import MAIL_KIND, Jobs, mail_payload
from hotline.store.engine import create_engine
from tests.server import PASSWORD, ServerProcess

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
ARTIFACTS.mkdir(exist_ok=True)


async def login(page: Page, server: ServerProcess) -> None:
    await page.goto(f"{server.url}/login")
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{server.url}/")


async def test_calendars_holidays_and_jobs_pages(
    browser: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await login(page, sqlite_server)
    grid = page.get_by_test_id("grid")

    # Holiday calendars: the demo's two shipped years, then an .ics import, then a bad file.
    await page.goto(f"{sqlite_server.url}/admin/holiday-calendars")
    await expect(page.locator("h1")).to_have_text("节假日日历")
    await expect(grid.locator("tbody tr")).to_have_count(2)
    await expect(grid.locator("tbody tr", has_text="中国法定节假日 2026")).to_contain_text("39 天")
    ics = tmp_path / "company.ics"
    ics.write_bytes(
        write_ics([{"date": "2026-12-24", "kind": "holiday", "name": "公司年会"}], name="公司")
    )
    imports = page.get_by_test_id("imports")
    await imports.locator("#import-file").set_input_files(str(ics))
    await imports.locator("#import-name").fill("公司假期")
    await imports.locator("#import-ics").click()
    await expect(imports.locator("#import-status")).to_contain_text("已导入 公司假期：1 天")
    await expect(grid.locator("tbody tr")).to_have_count(3)
    bad = tmp_path / "bad.ics"
    bad.write_text("this is not a calendar")
    await imports.locator("#import-file").set_input_files(str(bad))
    await imports.locator("#import-ics").click()
    await expect(page.locator("#list-error")).to_contain_text("该文件不是有效的节假日日历")
    await expect(grid.locator("tbody tr")).to_have_count(3)
    await page.screenshot(path=ARTIFACTS / "holiday-calendars-zh-CN.png", full_page=True)

    # Business hours: edit 工作时间 in the form, not JSON.
    await page.goto(f"{sqlite_server.url}/admin/calendars")
    await expect(page.locator("h1")).to_have_text("工作时间")
    row = grid.locator("tbody tr", has_text="工作时间")
    await expect(row).to_contain_text("中国法定节假日 2026")
    await row.get_by_role("button", name="编辑").click()
    dialog = page.locator("dialog#editor")
    monday = dialog.locator("input[data-day=mon]")
    await expect(monday).to_have_value("09:00-12:00, 13:00-18:00")
    await dialog.locator("input[data-day=sat]").fill("9点到12点")
    await dialog.locator("#save").click()
    await expect(dialog.locator("#editor-error")).to_contain_text("9点到12点")
    await expect(dialog.locator("input[data-day=sat]")).to_have_class("invalid")
    await expect(dialog.locator("input[data-day=mon]")).not_to_have_class("invalid")
    await dialog.locator("input[data-day=sat]").fill("09:00-11:30")
    await dialog.locator("[data-input=holidays]").get_by_role("button", name="添加日期").click()
    entry = dialog.locator(".entry").last
    await entry.locator(".entry-date").fill("2026-12-31")
    await entry.locator(".entry-kind").select_option("workday")
    await entry.locator(".entry-name").fill("年终加班")
    await entry.locator(".entry-hours").fill("10:00-15:00")
    await page.screenshot(path=ARTIFACTS / "calendar-editor-zh-CN.png", full_page=True)
    await dialog.locator("#save").click()
    await expect(dialog).not_to_be_visible()
    await page.reload()
    await expect(grid.locator("tbody tr", has_text="工作时间")).to_contain_text("09:00–11:30")
    await grid.locator("tbody tr", has_text="工作时间").get_by_role("button", name="编辑").click()
    saved = dialog.locator(".entry").last
    await expect(saved.locator(".entry-hours")).to_have_value("10:00-15:00")
    await expect(saved.locator(".entry-kind")).to_have_value("workday")
    await dialog.locator("#cancel").click()

    # Jobs: the hourly retention purge, with its next run; run it now.
    await page.goto(f"{sqlite_server.url}/admin/jobs")
    await expect(page.locator("h1")).to_have_text("后台任务")
    # The system's hourly purge is shown with its next run, not controlled from a tenant.
    purge = grid.locator("tbody tr", has_text="录音保留期清理")
    await expect(purge).to_contain_text("待运行")
    await expect(purge).to_contain_text("17 * * * *")
    await expect(purge.locator("[data-column=due_at]")).not_to_be_empty()
    await expect(purge.locator(".row-actions")).to_have_text("系统")
    # A tenant's e-mail job: run it now (no SMTP server is set: its last error says so).
    tenant = page.context.request
    me = await (await tenant.get(f"{sqlite_server.url}/api/v1/auth/me")).json()
    engine = create_engine(sqlite_server.env["HOTLINE_DATABASE_URL"])
    async with engine.begin() as conn:
        await Jobs(conn).schedule(
            MAIL_KIND,
            due_at=time.time() + 86_400,
            now=time.time(),
            tenant_id=me["tenant_id"],
            payload=mail_payload(["boss@example.com"], "日报", "…"),
        )
    await engine.dispose()
    await page.reload()
    mail = grid.locator("tbody tr", has_text="电子邮件")
    await expect(mail.locator("[data-column=last_run_at]")).to_be_empty()
    await mail.get_by_role("button", name="立即运行").click()
    await expect(mail.locator("[data-column=last_error]")).to_contain_text(
        "no SMTP server", timeout=15_000
    )
    await expect(mail.locator("[data-column=last_run_at]")).not_to_be_empty()
    await mail.get_by_role("button", name="取消").click()
    await expect(mail.locator("[data-column=state]")).to_have_text("已取消")
    await expect(mail.get_by_role("button", name="立即运行")).to_be_visible()
    await page.screenshot(path=ARTIFACTS / "jobs-zh-CN.png", full_page=True)
    await page.get_by_test_id("language").select_option("en")
    await expect(page.locator("h1")).to_have_text("Jobs")
    await expect(page.locator("thead")).to_contain_text("Next run")
    await page.screenshot(path=ARTIFACTS / "jobs-en.png", full_page=True)
    await page.goto(f"{sqlite_server.url}/admin/calendars")
    await grid.locator("tbody tr", has_text="工作时间").get_by_role("button", name="Edit").click()
    await expect(dialog).to_contain_text("Make-up workdays keep the hours of")
    await page.screenshot(path=ARTIFACTS / "calendar-editor-en.png", full_page=True)
    await page.get_by_test_id("language").select_option("zh-CN")
    assert errors == []
