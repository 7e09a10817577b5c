"""The surveys screen in real Chromium against `hotline demo` (issue 20): an admin defines a
survey of two questions in Chinese and English; an empty question text and two questions with
one key are refused with the field named in the user's language and nothing saved; the saved
survey is what the API gives back, and editing it keeps its name. In zh-CN and in en. An agent
may not open the screen."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser]

SAID = {
    "zh-CN": {"title": "满意度调查", "saved": "调查 after_call 已保存。",
              "empty": "问题（中文）（第 2 项）", "twice": "调查中有两个问题的标识相同。"},
    "en": {"title": "Surveys", "saved": "Survey after_call was saved.",
           "empty": "Question (Chinese) (item 2)",
           "twice": "Two questions of the survey have the same key."},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_admin_defines_a_survey(
    browser: Browser, sqlite_server: ServerProcess, lang: str
) -> None:
    server = sqlite_server
    server.start("demo")
    said = SAID[lang]
    page, errors = await open_page(browser, server, "admin", lang=lang)
    await page.goto(f"{server.url}/admin/surveys")
    await expect(page.get_by_test_id("surveys-title")).to_have_text(said["title"])
    await expect(page.locator("tr[data-name=default]")).to_be_visible()  # the center's default

    await page.get_by_test_id("new-survey").click()
    form = page.get_by_test_id("survey-form")
    await form.get_by_test_id("survey-name").fill("after_call")
    await form.get_by_test_id("survey-title-zh").fill("通话后调查")
    await form.get_by_test_id("survey-title-en").fill("After the call")
    first = form.get_by_test_id("survey-question").nth(0)
    await first.locator("[name=key]").fill("rating")
    await first.locator("[name=text_zh]").fill("请为本次服务打分")
    await first.locator("[name=text_en]").fill("Rate this service")
    await first.locator("[name=scale]").fill("7")
    await first.locator("[name=review_at_most]").fill("4")
    await form.get_by_test_id("add-question").click()
    second = form.get_by_test_id("survey-question").nth(1)
    await second.locator("[name=key]").fill("rating")
    await second.locator("[name=kind]").select_option("solved")
    await expect(second.locator("[name=scale]")).to_be_disabled()  # a yes/no question
    await second.locator("[name=text_en]").fill("Was your problem solved?")
    await form.get_by_test_id("survey-save").click()
    await expect(page.get_by_test_id("survey-error")).to_contain_text(said["empty"])
    await page.screenshot(path=ARTIFACTS / f"surveys-refused-{lang}.png", full_page=True)

    await second.locator("[name=text_zh]").fill("您的问题解决了吗？")
    await form.get_by_test_id("survey-save").click()
    await expect(page.get_by_test_id("survey-error")).to_have_text(said["twice"])
    admin = login(server, "admin")
    assert [s["name"] for s in admin.get("/api/v1/quality/surveys").json()] == ["default"]

    await second.locator("[name=key]").fill("solved")
    await form.get_by_test_id("survey-save").click()
    await expect(page.get_by_test_id("survey-status")).to_have_text(said["saved"])
    await expect(page.get_by_test_id("survey-error")).to_be_hidden()
    await expect(form).to_be_hidden()
    row = page.locator("tr[data-name=after_call]")
    await expect(row).to_contain_text("通话后调查" if lang == "zh-CN" else "After the call")
    await page.screenshot(path=ARTIFACTS / f"surveys-{lang}.png", full_page=True)

    saved = admin.get("/api/v1/quality/surveys/after_call").json()
    assert [(q["key"], q["kind"]) for q in saved["questions"]] == [
        ("rating", "scale"), ("solved", "solved")
    ]  # fmt: skip
    assert (saved["questions"][0]["scale"], saved["questions"][0]["review_at_most"]) == (7, 4)

    await page.reload()  # edit after a reload: the name is kept, the order can change
    await page.locator("tr[data-name=after_call]").get_by_test_id("survey-edit").click()
    await expect(form.get_by_test_id("survey-name")).to_have_value("after_call")
    await expect(form.get_by_test_id("survey-name")).to_have_attribute("readonly", "")
    await form.get_by_test_id("survey-question").nth(1).get_by_test_id("question-up").click()
    await form.get_by_test_id("survey-save").click()
    await expect(page.get_by_test_id("survey-status")).to_have_text(said["saved"])
    again = admin.get("/api/v1/quality/surveys/after_call").json()
    assert [q["key"] for q in again["questions"]] == ["solved", "rating"]
    assert errors == []

    agent, _ = await open_page(browser, server, "agent1", lang=lang)
    response = await agent.goto(f"{server.url}/admin/surveys")
    assert response is not None
    assert response.status in (403, 404) or "/admin/surveys" not in agent.url
