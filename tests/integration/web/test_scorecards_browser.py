"""The scorecards screen in real Chromium against `hotline demo` (issue 20): an admin writes a
scorecard of two sections — a critical yes/no item and a weighted scale question — and a
question without its Chinese text is refused naming the question in the user's language with
nothing saved (only a yes/no item can be ticked critical); the draft is published after a
confirmation, is read only from then on, and a new version starts as a draft copy. In zh-CN
and in en."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser]

SAID = {
    "zh-CN": {"title": "质检评分表", "empty": "问题（中文）（第 1 项）",
              "saved": "草稿 calls v1 已保存。",
              "published": "calls v1 已发布。", "in_use": "使用中", "draft": "草稿"},
    "en": {"title": "Scorecards", "empty": "Question (Chinese) (item 1)",
           "saved": "Draft calls v1 was saved.", "published": "calls v1 is published.",
           "in_use": "In use", "draft": "Draft"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_admin_writes_and_publishes_a_scorecard(
    browser: Browser, sqlite_server: ServerProcess, lang: str
) -> None:
    server = sqlite_server
    server.start("demo")
    said = SAID[lang]
    page, errors = await open_page(browser, server, "admin", lang=lang)
    await page.goto(f"{server.url}/admin/scorecards")
    await expect(page.get_by_test_id("scorecards-title")).to_have_text(said["title"])
    await expect(page.get_by_test_id("scorecards")).to_have_attribute("data-loaded", "true")

    await page.get_by_test_id("new-scorecard").click()
    form = page.get_by_test_id("card-form")
    await form.get_by_test_id("card-name").fill("calls")
    await form.get_by_test_id("card-title-zh").fill("通话质检")
    await form.get_by_test_id("card-title-en").fill("Call quality")
    first = form.get_by_test_id("card-section").nth(0)
    await first.locator("[name=section_key]").fill("opening")
    await first.locator("[name=section_title_zh]").fill("开场")
    await first.locator("[name=section_title_en]").fill("Opening")
    identity = first.get_by_test_id("card-item").nth(0)
    await identity.locator("[name=key]").fill("identity")
    await identity.locator("[name=text_en]").fill("Checked the caller's identity")
    await identity.locator("[name=critical]").check()
    await form.get_by_test_id("add-section").click()
    second = form.get_by_test_id("card-section").nth(1)
    await second.locator("[name=section_key]").fill("care")
    await second.locator("[name=section_title_zh]").fill("服务")
    await second.locator("[name=section_title_en]").fill("Care")
    empathy = second.get_by_test_id("card-item").nth(0)
    await empathy.locator("[name=key]").fill("empathy")
    await empathy.locator("[name=text_zh]").fill("同理心")
    await empathy.locator("[name=text_en]").fill("Empathy")
    await empathy.locator("[name=kind]").select_option("scale")
    await expect(empathy.locator("[name=critical]")).to_be_disabled()  # only yes/no is critical
    await empathy.locator("[name=weight]").fill("2")
    await form.get_by_test_id("card-save").click()
    await expect(page.get_by_test_id("card-error")).to_contain_text(said["empty"])
    admin = login(server, "admin")
    assert admin.get("/api/v1/quality/scorecards").json() == []  # nothing half-written

    await identity.locator("[name=text_zh]").fill("核实身份")
    await form.get_by_test_id("card-save").click()
    await expect(page.get_by_test_id("card-status")).to_have_text(said["saved"])
    row = page.locator("tr[data-name=calls][data-version='1']")
    await expect(row).to_have_attribute("data-state", "draft")
    await expect(row).to_contain_text(said["draft"])
    await page.screenshot(path=ARTIFACTS / f"scorecards-{lang}.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_test_id("card-publish").click()
    await expect(page.get_by_test_id("card-status")).to_have_text(said["published"])
    await expect(row).to_have_attribute("data-state", "published")
    await expect(row).to_contain_text(said["in_use"])
    await expect(row.get_by_test_id("card-edit")).to_have_count(0)  # read only now
    (card,) = admin.get("/api/v1/quality/scorecards").json()
    items = [i for s in card["form"]["sections"] for i in s["items"]]
    assert [(i["key"], i["kind"], i["critical"], i["weight"]) for i in items] == [
        ("identity", "yes_no", True, 1.0), ("empathy", "scale", False, 2.0)
    ]  # fmt: skip

    await row.get_by_test_id("card-new-version").click()  # a draft copy, v2
    await expect(form.get_by_test_id("card-name")).to_have_value("calls")
    await expect(form.get_by_test_id("card-item")).to_have_count(2)
    await form.get_by_test_id("card-save").click()
    await expect(page.locator("tr[data-name=calls][data-version='2']")).to_have_attribute(
        "data-state", "draft"
    )
    assert errors == []
