"""The knowledge base in real Chromium against `hotline demo` (issue 23): a visitor uses the
center's public help page without logging in, in zh-CN and en (internal articles never show);
an admin writes an article on the knowledge screen — a half-written one is refused in her
language, nothing is saved — then publishes it and finds it by a paraphrase; an agent gets
suggestions in the desktop's assist box and reads one."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser]


async def test_public_help_page_in_both_languages(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    server = sqlite_server
    server.start("demo")
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{server.url}/help/demo")
    await expect(page.locator("h1")).to_have_text("请问有什么可以帮您？")
    categories = page.get_by_test_id("help-category")
    await expect(categories.first).to_contain_text("账户与银行卡")
    await expect(page.locator("main")).not_to_contain_text("客户投诉处理流程")  # internal
    await page.get_by_test_id("help-q").fill("我的银行卡丢了怎么办")
    await page.get_by_role("button", name="搜索").click()
    results = page.get_by_test_id("help-results")
    await expect(results.locator("li").first).to_have_text("银行卡挂失")
    await page.screenshot(path=ARTIFACTS / "help-search-zh-CN.png", full_page=True)
    await results.locator("a").first.click()
    article = page.get_by_test_id("help-article")
    await expect(article.locator("h1")).to_have_text("银行卡挂失")
    # One paragraph, not broken where the seed file wraps its lines.
    await expect(article.locator("p")).to_have_count(1)
    await expect(article).to_contain_text("口头挂失立即生效，有效期五天")
    await expect(page.get_by_test_id("help-related")).to_contain_text("补办或更换银行卡")
    await page.screenshot(path=ARTIFACTS / "help-article-zh-CN.png", full_page=True)

    await page.get_by_role("link", name="English").click()
    await expect(article.locator("h1")).to_have_text("Report a lost or stolen card")
    await expect(page.get_by_test_id("help-related")).to_contain_text(
        "Replace a damaged or expired card"
    )
    await page.get_by_role("link", name="Back to the help center").click()
    await page.get_by_test_id("help-q").fill("how do I block my card")
    await page.get_by_role("button", name="Search").click()
    found = page.get_by_test_id("help-results").locator("li")
    await expect(found.first).to_have_text("Report a lost or stolen card")
    assert await found.count() <= 5  # a few answers, not every article sharing a word
    await page.screenshot(path=ARTIFACTS / "help-search-en.png", full_page=True)
    await page.get_by_test_id("help-q").fill("who approves a refund")  # an internal article
    await page.get_by_role("button", name="Search").click()
    await expect(page.get_by_test_id("help-results")).not_to_contain_text("refund (internal)")

    missing = await page.goto(f"{server.url}/help/no-such-center")
    assert missing is not None
    assert missing.status == 404
    assert errors == []
    await context.close()


async def test_admin_writes_and_publishes_an_agent_is_assisted(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    server = sqlite_server
    server.start("demo")
    page, errors = await open_page(browser, server, "admin")
    await page.goto(f"{server.url}/knowledge")
    await expect(page.locator("h1")).to_have_text("知识库")
    await expect(page.get_by_test_id("kb-row").first).to_be_visible()
    await page.get_by_test_id("kb-new").click()
    await page.get_by_test_id("kb-title-zh").fill("亲子储蓄卡开户")
    await page.get_by_test_id("kb-save").click()
    await expect(page.get_by_test_id("kb-form-error")).to_have_text(
        "文章的每种语言都需要同时填写标题和正文。"
    )
    api = login(server, "admin")
    titles = [a["title_zh"] for a in api.get("/api/v1/knowledge/articles").json()["items"]]
    assert "亲子储蓄卡开户" not in titles  # nothing half-written
    await page.get_by_test_id("kb-body-zh").fill(
        "为十六岁以下的孩子开立亲子储蓄卡，需要父母一方携带户口本和孩子的出生证明到网点办理。"
    )
    await page.get_by_test_id("kb-audience").select_option("public")
    await page.get_by_test_id("kb-save").click()
    await expect(page.get_by_test_id("kb-status-line")).to_have_text("已保存。")
    await expect(page.get_by_test_id("kb-editor")).to_contain_text("第 1 版")
    await page.get_by_test_id("kb-publish").click()
    await expect(page.get_by_test_id("kb-status-line")).to_contain_text("已发布")
    await page.get_by_test_id("kb-q").fill("给孩子办卡要带什么证件")
    await page.get_by_test_id("kb-go").click()
    hit = page.get_by_test_id("kb-row").first
    # The server's first search loads the Chinese dictionary (1-3 s, longer on a busy machine).
    await expect(hit).to_contain_text("亲子储蓄卡开户", timeout=60_000)
    await expect(hit.get_by_test_id("kb-row-status")).to_have_text("已发布")  # not 发布时间
    await expect(hit).to_contain_text("公开")
    await page.screenshot(path=ARTIFACTS / "knowledge-zh-CN.png", full_page=True)
    assert errors == []

    # An agent: the desktop's assist box suggests articles for what the customer asks.
    agent, agent_errors = await open_page(browser, server, "agent1")
    await agent.goto(f"{server.url}/desktop")
    box = agent.get_by_test_id("kb-assist")
    await expect(box.locator("h2")).to_have_text("推荐文章")
    await agent.get_by_test_id("kb-assist-text").fill("我的信用卡额度太低了，出国想多刷一点")
    await agent.get_by_test_id("kb-assist-go").click()
    first = agent.get_by_test_id("kb-assist-hit").first
    await expect(first.get_by_test_id("kb-assist-title")).to_have_text("信用卡调整额度")
    await first.get_by_test_id("kb-assist-open").click()
    await expect(first.get_by_test_id("kb-assist-body")).to_contain_text("临时额度")
    await agent.screenshot(path=ARTIFACTS / "assist-zh-CN.png", full_page=True)
    await agent.get_by_test_id("language").select_option("en")
    await expect(agent.get_by_test_id("kb-assist").locator("h2")).to_have_text("Suggested articles")
    await agent.get_by_test_id("kb-assist-text").fill("my internet is down at home")
    await agent.get_by_test_id("kb-assist-go").click()
    await expect(
        agent.get_by_test_id("kb-assist-hit").first.get_by_test_id("kb-assist-title")
    ).to_have_text("Broadband not working")
    await agent.screenshot(path=ARTIFACTS / "assist-en.png", full_page=True)
    assert agent_errors == []
