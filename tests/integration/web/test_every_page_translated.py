"""Every page in zh-CN, in real Chromium against the real `hotline demo`: no message id left
untranslated and no English UI text on the page — admin pages (list and form), flows, the
wallboard (with the supervisor's actions), the agent desktop (before and after logging in to
work), interactions (list and detail), missed calls, login, home and the error page.
Screenshots of the desktop and the wallboard in both languages go to test-artifacts/.

What counts as English UI text: a visible text node, placeholder, title, label or option with
a plain English word (letters only, so codes like `main_menu`, `agent1`, `PCMU`, `VIP` are not
words) that is not part of the tenant's own data (customer names, English labels of codes,
quick replies, flow titles …, fetched from the API for the comparison)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Browser, Page, expect

from hotline.web.admin import ENTITIES
from tests.integration.desktop.harness import ARTIFACTS, login, open_page
from tests.integration.desktop.language import (
    RAW_CODE,
    chinese_on,
    english_on,
    refused,
    tenant_data,
)
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

Check = Callable[[Page, str], Awaitable[list[str]]]
ELSEWHERE = "America/New_York"  # the browser's time zone, 12 or 13 hours from the tenant's


async def bad_value_error(page: Page) -> list[str]:
    """Submit the open admin form empty, the browser's own checks off, so that the server
    refuses it: its message must be in the page's language and name no raw code (ADR 0122)."""
    await page.locator("#editor-form").evaluate("f => { f.noValidate = true; }")
    for field in await page.locator("#editor-fields input:not([type=checkbox])").all():
        if await field.is_visible() and await field.is_editable():
            await field.fill("")
    await page.locator("#save").click()
    error = page.locator("#editor-error")
    await expect(error).to_be_visible()
    text = await error.inner_text()
    return [f"{page.url}: raw code in {text!r}"] if RAW_CODE.search(text) else []


async def settle(page: Page) -> None:
    """Let the page's scripts fetch their data and render."""
    await page.wait_for_load_state("networkidle")


async def forms_outside_the_admin(
    admin: Page, agent: Page, url: str, lang: str, data: str, check: Check
) -> list[str]:
    """One bad value in each form of the pages outside the admin lists (my account, workforce
    planning, my schedule): each error in the page's language naming its field as the form
    does, never a raw code; a screenshot of each."""
    problems: list[str] = []

    async def bad(page: Page, name: str, form: str, box: str, values: dict[str, str]) -> None:
        text, raw = await refused(page, form, box, values, ARTIFACTS / f"form-{name}-{lang}.png")
        problems.extend(raw)
        problems.extend(await check(page, data))
        print(f"{lang} {name}: {text}")

    await admin.goto(url + "/account")
    await settle(admin)
    password = {
        "#password-form [name=current_password]": "not-my-password-1",
        "#password-form [name=password]": "Aq7-long-enough-phrase",
        "#password-form [name=again]": "Aq7-long-enough-phrase",
    }
    await bad(admin, "account-password", "#password-form", "#password-error", password)
    await admin.goto(url + "/wfm")
    await settle(admin)
    await bad(admin, "wfm-plan", "#plan-form", "#wfm-error", {"#plan-week": ""})
    await bad(
        admin, "wfm-template", "#template-form", "#wfm-error",
        {"#template-form [name=name]": "", "#template-form [name=hours]": "99"},
    )  # fmt: skip
    await bad(admin, "wfm-schedule", "#schedule-form", "#wfm-error", {})
    await bad(admin, "wfm-adherence", "#adherence-form", "#wfm-error", {"#adherence-day": ""})
    history = b"interval_start,offered\n2026-03-02T09:00:00,many\n"
    await admin.get_by_test_id("history-file").set_input_files(
        files=[{"name": "history.csv", "mimeType": "text/csv", "buffer": history}]
    )
    await bad(admin, "wfm-history", "#history-form", "#wfm-error", {})

    await agent.goto(url + "/my-schedule")
    await settle(agent)
    await bad(
        agent, "my-time-off", "#time-off-form", "#my-error",
        {"[data-testid=off-from]": "2026-03-05T10:00", "[data-testid=off-to]": "2026-03-04T10:00"},
    )  # fmt: skip
    await bad(agent, "my-swap", "#swap-form", "#my-error", {"#swap-form [name=other_day]": ""})
    await agent.goto(url + "/account")
    await settle(agent)
    await bad(
        agent, "account-again", "#password-form", "#password-error",
        {**password, "#password-form [name=again]": "Aq7-another-phrase"},
    )  # fmt: skip
    return problems


async def test_every_page_is_chinese_in_zh_cn(
    zh_browser: Browser, sqlite_server: ServerProcess
) -> None:
    """Chromium itself in Chinese (its native date and time controls: 年/月/日), in a time zone
    far from the tenant's (the pages show the tenant's times)."""
    browser = zh_browser
    sqlite_server.start("demo")
    admin_api = login(sqlite_server, "admin")
    data = tenant_data(admin_api)
    problems: list[str] = []
    url = sqlite_server.url

    # Logged out: the login page.
    context = await browser.new_context(locale="zh-CN", timezone_id=ELSEWHERE)
    page = await context.new_page()
    await page.goto(f"{url}/login?lang=zh-CN")
    await expect(page.locator("h1")).to_have_text("登录")
    problems += await english_on(page, data)
    await context.close()

    # The admin: home, every admin page with its form, flows, interactions, missed, errors.
    page, errors = await open_page(browser, sqlite_server, "admin", time_zone=ELSEWHERE)
    problems += await english_on(page, data)
    for slug, descriptor in ENTITIES.items():
        await page.goto(f"{url}/admin/{slug}")
        await settle(page)
        problems += await english_on(page, data)
        await page.screenshot(path=ARTIFACTS / f"page-{slug}-zh-CN.png", full_page=True)
        create = page.get_by_test_id("create")
        if descriptor["write"] is not None and await create.count():
            await create.click()
            await expect(page.locator("dialog#editor")).to_be_visible()
            problems += await english_on(page, data)
            problems += await bad_value_error(page)
            problems += await english_on(page, data)
            await page.screenshot(path=ARTIFACTS / f"page-{slug}-error-zh-CN.png")
    for path in [
        "/admin/flows", "/admin/flows/main", "/admin/imports", "/admin/sip-bans", "/admin/sms",
        "/admin/chat",
        "/admin/trunks",
        "/wallboard/tv", "/interactions", "/missed", "/wfm", "/reports", "/reports/settings",
        "/account", "/nowhere",
    ]:  # fmt: skip
        await page.goto(url + path)
        await settle(page)
        problems += await english_on(page, data)
        name = path.strip("/").replace("/", "-")
        await page.screenshot(path=ARTIFACTS / f"page-{name}-zh-CN.png", full_page=True)

    # The supervisor's wallboard, with the actions column.
    board, board_errors = await open_page(browser, sqlite_server, "supervisor", time_zone=ELSEWHERE)
    await board.goto(f"{url}/wallboard")
    await expect(board.get_by_test_id("board-status")).to_have_text("实时")
    problems += await english_on(board, data)
    errors += board_errors

    # The agent's desktop, before and after logging in to work at her browser phone (Chromium's
    # fake microphone).
    desk, desk_errors = await open_page(browser, sqlite_server, "agent1", time_zone=ELSEWHERE)
    await desk.goto(f"{url}/desktop")
    await expect(desk.get_by_test_id("login-panel")).to_be_visible()
    problems += await english_on(desk, data)
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("phone-status")).to_have_text("话机已连接")
    await expect(desk.get_by_test_id("desk-state")).to_have_attribute("data-state", "available")
    await expect(board.get_by_test_id("agents")).to_contain_text("坐席 李娜")
    problems += await english_on(desk, data)
    problems += await english_on(board, data)
    await desk.get_by_test_id("reason").select_option("training")
    await desk.get_by_test_id("set-not-ready").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_text("示忙 (培训)")
    await expect(board.get_by_test_id("agents")).to_contain_text("示忙 (培训)")
    problems += await english_on(desk, data)
    for p, name in ((desk, "desktop"), (board, "wallboard")):
        await p.screenshot(path=ARTIFACTS / f"{name}-zh-CN.png", full_page=True)
    # Leaving the page ends a browser phone's session: log out of work first.
    await desk.get_by_test_id("desk-logout").click()
    await expect(desk.get_by_test_id("login-panel")).to_be_visible()
    for path in ["/interactions", "/missed"]:
        await desk.goto(url + path)
        await settle(desk)
        problems += await english_on(desk, data)
    # The agent's menu names her work, not the center's configuration.
    menu = await desk.locator("nav.nav a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert {h for h in menu if h.startswith("/admin/")} == {"/admin/customers"}
    assert {"/desktop", "/tickets", "/reports", "/missed", "/my-schedule"} <= set(menu)
    problems += await forms_outside_the_admin(page, desk, url, "zh-CN", data, english_on)
    errors += desk_errors

    # The same two screens in English (screenshots only: English is the message ids).
    for p, path in ((desk, "/desktop"), (board, "/wallboard")):
        await p.goto(url + path)
        await p.get_by_test_id("language").select_option("en")
        await expect(p.locator("h1").first).not_to_contain_text("坐席")
    await desk.get_by_test_id("desk-login").click()
    await expect(desk.get_by_test_id("phone-status")).to_have_text("Phone connected")
    await desk.get_by_test_id("reason").select_option("training")
    await desk.get_by_test_id("set-not-ready").click()
    await expect(desk.get_by_test_id("desk-state")).to_have_text("Not ready (Training)")
    await expect(board.get_by_test_id("agents")).to_contain_text("Not ready (Training)")
    for p, name in ((desk, "desktop"), (board, "wallboard")):
        await p.screenshot(path=ARTIFACTS / f"{name}-en.png", full_page=True)
    await desk.get_by_test_id("desk-logout").click()
    await expect(desk.get_by_test_id("login-panel")).to_be_visible()

    assert problems == [], "\n".join(problems)
    assert errors == []


async def test_every_page_is_english_in_en(browser: Browser, sqlite_server: ServerProcess) -> None:
    """The same walk in English: no Chinese but the tenant's own data, the admin forms' errors
    in English, a screenshot of each page."""
    sqlite_server.start("demo")
    admin_api = login(sqlite_server, "admin")
    data = tenant_data(admin_api)
    problems: list[str] = []
    url = sqlite_server.url
    page, errors = await open_page(browser, sqlite_server, "admin", lang="en")
    for slug, descriptor in ENTITIES.items():
        await page.goto(f"{url}/admin/{slug}")
        await settle(page)
        problems += await chinese_on(page, data)
        await page.screenshot(path=ARTIFACTS / f"page-{slug}-en.png", full_page=True)
        create = page.get_by_test_id("create")
        if descriptor["write"] is not None and await create.count():
            await create.click()
            await expect(page.locator("dialog#editor")).to_be_visible()
            problems += await bad_value_error(page)
            problems += await chinese_on(page, data)
            await page.screenshot(path=ARTIFACTS / f"page-{slug}-error-en.png")
    for path in [
        "/", "/admin/flows", "/admin/flows/main", "/admin/imports", "/interactions", "/missed",
        "/wallboard/tv", "/wfm", "/reports", "/reports/settings", "/account", "/nowhere",
    ]:  # fmt: skip
        await page.goto(url + path)
        await settle(page)
        problems += await chinese_on(page, data)
        name = path.strip("/").replace("/", "-") or "home"
        await page.screenshot(path=ARTIFACTS / f"page-{name}-en.png", full_page=True)
    agent, agent_errors = await open_page(browser, sqlite_server, "agent1", lang="en")
    for path in ["/desktop", "/my-schedule", "/missed"]:
        await agent.goto(url + path)
        await settle(agent)
        problems += await chinese_on(agent, data)
        await agent.screenshot(path=ARTIFACTS / f"page-{path.strip('/')}-en.png", full_page=True)
    problems += await forms_outside_the_admin(page, agent, url, "en", data, chinese_on)
    assert problems == [], "\n".join(problems)
    assert errors + agent_errors == []
