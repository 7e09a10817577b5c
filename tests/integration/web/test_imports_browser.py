"""Importing customers in real Chromium against the real `hotline demo`, in zh-CN and en:
upload, map the column the names did not match, dry run, read the report, fix the file,
dry run again, import with the progress bar, see the counts; the page is all Chinese in
zh-CN. Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.imports_data import CUSTOM_FIELDS, build, write_xlsx
from tests.integration.desktop.harness import ARTIFACTS, items, login, open_page
from tests.integration.desktop.language import english_on, tenant_data
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

BAD = """客户名称,联系手机,邮箱,生日,备注
孙悦,186 0000 1111,sunyue@example.com,1990年3月5日,
周敏,+86 186-0000-1112,ZHOUMIN@EXAMPLE.COM,,老客户
吴磊,186000011,wulei@example.com,,
郑洁,0086 186 0000 1114,,1988-02-30,
王刚,１８６００００１１１５,wanggang@example,,
钱芳,186 0000 1116,qianfang@example.com,45356,
"""
CHECKED = "试导入完成，未写入任何数据。核对数量无误后再正式导入。"
CHECKED_EN = "Dry run done: nothing was written. Import when the counts look right."
FIXED = (
    BAD.replace("186000011,", "186 0000 1113,")
    .replace("1988-02-30", "1988-02-28")
    .replace("wanggang@example,", "wanggang@example.com,")
)


async def _upload(page: Page, url: str, path: Path) -> None:
    await page.goto(f"{url}/admin/imports")
    await page.get_by_test_id("file").set_input_files(path)
    await page.get_by_test_id("upload").click()
    await page.wait_for_url(f"{url}/admin/imports/*")


async def _run(page: Page, button: str, status: str, text: str) -> None:
    """Click, wait for the run's end (the page polls), check its words. The status before is
    never the one awaited (uploaded before a check, checked before the import)."""
    await page.get_by_test_id(button).click()
    await expect(page.get_by_test_id("status")).to_have_attribute(
        "data-status", status, timeout=60_000
    )
    await expect(page.get_by_test_id("status")).to_have_text(text)


async def test_upload_map_dry_run_fix_and_import_in_chinese(
    browser: object, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    sqlite_server.start("demo")
    admin_api = login(sqlite_server, "admin")
    for position, field in enumerate(CUSTOM_FIELDS):
        admin_api.post("/api/v1/custom-fields", json={**field, "position": position})
    before = admin_api.get("/api/v1/customers?limit=1").json()["total"]
    url = sqlite_server.url
    page, errors = await open_page(browser, sqlite_server, "admin")  # type: ignore[arg-type]
    path = tmp_path / "客户名单.csv"
    path.write_text(BAD, encoding="gbk")

    await _upload(page, url, path)
    await expect(page.get_by_test_id("file-name")).to_have_text("客户名单.csv")
    await expect(page.get_by_test_id("file-summary")).to_contain_text("编码 GB18030")
    # 联系手机 is no name the customer fields answer to: map it by hand.
    mobile = page.get_by_test_id("field-B")
    await expect(mobile).to_have_value("")
    await expect(page.get_by_test_id("unmapped")).to_contain_text("B 联系手机")
    await expect(page.get_by_test_id("field-D")).to_have_value("custom.birthday")
    await mobile.select_option(label="电话")
    await expect(page.get_by_test_id("unmapped")).to_have_text("")
    await page.screenshot(path=ARTIFACTS / "import-mapping-zh-CN.png", full_page=True)

    await _run(page, "check", "checked", CHECKED)
    counts = page.get_by_test_id("counts")
    await expect(counts.locator("[data-count=rows] strong")).to_have_text("6")
    await expect(counts.locator("[data-count=invalid] strong")).to_have_text("3")
    problems = page.get_by_test_id("problems").locator("tbody tr")
    await expect(problems).to_have_count(3)
    await expect(problems.nth(0)).to_contain_text("不是有效的电话号码")
    await expect(problems.nth(1)).to_contain_text("日期或时间不存在")
    await expect(problems.nth(2)).to_contain_text("不是有效的电子邮箱地址")
    assert await problems.nth(0).get_attribute("data-row") == "4"
    await page.screenshot(path=ARTIFACTS / "import-dry-run-zh-CN.png", full_page=True)
    assert await english_on(page, tenant_data(admin_api)) == []
    href = await page.get_by_test_id("problems-csv").get_attribute("href")
    report = admin_api.get(str(href))
    assert report.content.decode("utf-8-sig").splitlines()[0] == "行,列,值,原因,reason,代码"
    assert admin_api.get("/api/v1/customers?limit=1").json()["total"] == before

    # Fix the file and put it in place of the first: the mapping stays.
    path.write_text(FIXED, encoding="gbk")
    await page.get_by_test_id("replace-file").set_input_files(path)
    await expect(page.get_by_test_id("status")).to_contain_text("然后试导入")
    await expect(page.get_by_test_id("field-B")).to_have_value("phones")
    await _run(page, "check", "checked", CHECKED)
    await expect(counts.locator("[data-count=invalid] strong")).to_have_text("0")
    await expect(page.get_by_test_id("problems").locator("tbody tr")).to_have_count(0)

    await _run(page, "commit", "done", "导入完成。")
    await expect(counts.locator("[data-count=new] strong")).to_have_text("6")
    await expect(page.get_by_test_id("progress")).to_have_attribute("value", "100")
    await expect(page.get_by_test_id("check")).to_be_disabled()
    await page.screenshot(path=ARTIFACTS / "import-done-zh-CN.png", full_page=True)
    assert await english_on(page, tenant_data(admin_api)) == []
    assert admin_api.get("/api/v1/customers?limit=1").json()["total"] == before + 6
    sun = items(admin_api, "/api/v1/customers", q="sunyue@example.com")[0]
    assert sun["phone_keys"] == ["+8618600001111"]
    assert sun["custom"] == {"birthday": "1990-03-05"}

    # A reload shows the same finished import; the list shows it with its result.
    await page.reload()
    await expect(page.get_by_test_id("status")).to_have_text("导入完成。")
    await page.goto(f"{url}/admin/imports")
    first = page.get_by_test_id("imports").locator("tbody tr").first
    await expect(first).to_contain_text("已导入")
    await expect(first).to_contain_text("新增 6")
    assert errors == []


async def test_a_large_workbook_in_english_map_dry_run_fix_import_with_progress_and_export(
    browser: object, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    sqlite_server.start("demo")
    admin_api = login(sqlite_server, "admin")
    for position, field in enumerate(CUSTOM_FIELDS):
        admin_api.post("/api/v1/custom-fields", json={**field, "position": position})
    # Big enough that reading it takes many of the page's polls on any machine.
    bad = build(12_000, bad=40, duplicates=200)
    path = tmp_path / "customers.xlsx"
    write_xlsx(bad, path)
    url = sqlite_server.url
    # open_page switches to English as a user would; choosing it again would reload the page
    # under the next navigation.
    page, errors = await open_page(browser, sqlite_server, "admin", lang="en")  # type: ignore[arg-type]
    await expect(page.locator("h1")).to_contain_text("Welcome")
    await _upload(page, url, path)
    await expect(page.get_by_test_id("file-summary")).to_contain_text(
        "Excel workbook, sheet “客户” · header on row 2, 3"
    )
    # Record every value the bar shows while the runs go.
    await page.evaluate(
        """() => {
          window.barValues = [];
          const bar = document.querySelector('[data-testid=progress]');
          const seen = () => bar.closest('[hidden]') || window.barValues.push(Number(bar.value));
          setInterval(seen, 50);
        }"""
    )
    notes = page.get_by_test_id("field-I")
    await notes.select_option(label="— not imported —")
    await expect(page.get_by_test_id("unmapped")).to_have_text("Not imported: I 备注")
    await notes.select_option(label="Notes")
    await expect(page.get_by_test_id("unmapped")).to_have_text("")

    await _run(page, "check", "checked", CHECKED_EN)
    counts = page.get_by_test_id("counts")
    await expect(counts.locator("[data-count=invalid] strong")).to_have_text("40")
    problems = page.get_by_test_id("problems").locator("tbody tr")
    await expect(problems).to_have_count(40)
    await expect(problems.first).to_contain_text("not a valid phone number")
    await page.screenshot(path=ARTIFACTS / "import-dry-run-en.png", full_page=True)

    fixed = build(12_000, bad=0, duplicates=200)
    write_xlsx(fixed, path)
    await page.get_by_test_id("replace-file").set_input_files(path)
    await expect(page.get_by_test_id("status")).to_have_attribute("data-status", "uploaded")
    await expect(page.get_by_test_id("problems").locator("tbody tr")).to_have_count(0)
    await _run(page, "check", "checked", CHECKED_EN)
    await expect(counts.locator("[data-count=invalid] strong")).to_have_text("0")

    await page.get_by_test_id("commit").click()
    await expect(page.get_by_test_id("status")).to_have_attribute("data-status", "importing")
    await page.screenshot(path=ARTIFACTS / "import-progress-en.png", full_page=True)
    await expect(page.get_by_test_id("status")).to_have_attribute(
        "data-status", "done", timeout=120_000
    )
    await expect(page.get_by_test_id("status")).to_have_text("Imported.")
    await expect(page.get_by_test_id("progress-text")).to_contain_text("100% · ")
    await expect(page.get_by_test_id("progress-text")).to_contain_text(" rows/s")
    shown = await page.evaluate("window.barValues")
    assert any(0 < v < 100 for v in shown), shown
    added = fixed.expected_counts()["new"]
    await expect(counts.locator("[data-count=new] strong")).to_have_text(f"{added:,}")
    await page.screenshot(path=ARTIFACTS / "import-done-en.png", full_page=True)

    await page.goto(f"{url}/admin/imports")
    async with page.expect_download() as download:
        await page.get_by_test_id("export-csv").click()
    saved = tmp_path / "export.csv"
    await (await download.value).save_as(saved)
    lines = saved.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Name,Phones,Emails,VIP level,Tags,Notes,Birthday,Gender")
    assert len(lines) == 1 + 12 + added
    await page.screenshot(path=ARTIFACTS / "imports-list-en.png", full_page=True)
    assert errors == []
