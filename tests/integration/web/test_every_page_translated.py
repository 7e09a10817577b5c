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

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from hotline.web.admin import ENTITIES
from hotline.web.i18n import Catalogs
from hotline.web.messages import all_message_ids
from tests.integration.desktop.harness import ARTIFACTS, items, login, open_page
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

# Words that are the same in both languages on purpose.
ALLOWED = {"Hotline", "Excel", "Google", "Microsoft", "Authenticator"}  # product names

# Runs in the page; returns what is an untranslated message id or English not from the data.
FIND_ENGLISH = "\n".join(
    line
    for line in (Path(__file__).parents[1] / "desktop" / "find_english.js").read_text().splitlines()
    if not line.startswith("//")  # Playwright calls the text only when it starts as a function
)


def tenant_data(admin: httpx.Client) -> str:
    """Every string of the tenant's own data that a page may show (English labels of codes,
    customer names, flow titles …), concatenated."""
    chunks: list[Any] = []
    for path in [
        "/api/v1/customers", "/api/v1/dispositions", "/api/v1/not-ready-reasons",
        "/api/v1/quick-replies", "/api/v1/users", "/api/v1/agents", "/api/v1/queues",
        "/api/v1/skills", "/api/v1/teams", "/api/v1/numbers", "/api/v1/calendars",
        "/api/v1/flows", "/api/v1/tickets", "/api/v1/audit",
    ]:  # fmt: skip
        chunks.append(items(admin, path))
    for flow in items(admin, "/api/v1/flows"):
        chunks.append(admin.get(f"/api/v1/flows/{flow['name']}/versions/{flow['version']}").json())
    return "\n".join(json.dumps(c, ensure_ascii=False) for c in chunks)


def untranslatable_ids() -> list[str]:
    """Message ids whose zh-CN text differs from the id (the others look the same anyway)."""
    catalog = Catalogs()
    return sorted(i for i in all_message_ids() if catalog.gettext("zh-CN", i) != i)


async def english_on(page: Page, data: str) -> list[str]:
    problems: list[str] = await page.evaluate(
        FIND_ENGLISH, {"ids": untranslatable_ids(), "data": data, "allowed": sorted(ALLOWED)}
    )
    return [f"{page.url}: {p}" for p in problems]


FIND_CHINESE = "\n".join(
    line
    for line in (Path(__file__).parents[1] / "desktop" / "find_chinese.js").read_text().splitlines()
    if not line.startswith("//")
)


async def chinese_on(page: Page, data: str) -> list[str]:
    # A language is named in itself (the users form offers 中文 and English).
    problems: list[str] = await page.evaluate(FIND_CHINESE, {"data": data + "\n中文"})
    return [f"{page.url}: {p}" for p in problems]


RAW_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+(\.[a-z_]+)*\b|\binvalid_input\b")


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


async def test_every_page_is_chinese_in_zh_cn(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    admin_api = login(sqlite_server, "admin")
    data = tenant_data(admin_api)
    problems: list[str] = []
    url = sqlite_server.url

    # Logged out: the login page.
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{url}/login?lang=zh-CN")
    await expect(page.locator("h1")).to_have_text("登录")
    problems += await english_on(page, data)
    await context.close()

    # The admin: home, every admin page with its form, flows, interactions, missed, errors.
    page, errors = await open_page(browser, sqlite_server, "admin")
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
        "/admin/flows", "/admin/flows/main", "/admin/imports", "/admin/sip-bans",
        "/interactions", "/missed", "/wfm", "/reports", "/account", "/nowhere",
    ]:  # fmt: skip
        await page.goto(url + path)
        await settle(page)
        problems += await english_on(page, data)
        name = path.strip("/").replace("/", "-")
        await page.screenshot(path=ARTIFACTS / f"page-{name}-zh-CN.png", full_page=True)

    # The supervisor's wallboard, with the actions column.
    board, board_errors = await open_page(browser, sqlite_server, "supervisor")
    await board.goto(f"{url}/wallboard")
    await expect(board.get_by_test_id("board-status")).to_have_text("实时")
    problems += await english_on(board, data)
    errors += board_errors

    # The agent's desktop, before and after logging in to work at her browser phone (Chromium's
    # fake microphone).
    desk, desk_errors = await open_page(browser, sqlite_server, "agent1")
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

    assert problems == []
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
        "/wfm", "/reports", "/account", "/nowhere",
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
    assert problems == []
    assert errors + agent_errors == []
