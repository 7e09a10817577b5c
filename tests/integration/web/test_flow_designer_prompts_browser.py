"""In Chromium: the designer's prompt editor. The demo menu's prompt — a list of a per-language
item and an item pinned to English ("For English, press 9") — shows as two items; items are
added, pinned to a language, moved and removed without any JSON, and an item that says nothing
shows its message inline (zh-CN, then en) and is not written until it is fixed. A queue's
announcements and a voicemail's ticket have forms of their own."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from hotline.flows.loader import read_document
from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.integration.web.test_flow_designer_browser import designer_text, open_node
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

ZH_MENU = "售前咨询请按1，售后服务请按2，人工服务请按0。"


async def fill(page: Page, test_id: str, value: str) -> None:
    field = page.get_by_test_id(test_id)
    await field.fill(value)
    await field.blur()


async def menu_prompt(page: Page) -> Any:
    """The menu's prompt in the document the designer holds, empty fields left out."""
    document = read_document(await designer_text(page))
    await open_node(page, "main_menu")
    prompt = document["nodes"]["main_menu"]["prompt"]
    items = [{k: v for k, v in item.items() if v not in (None, {}, "")} for item in _list(prompt)]
    return items if isinstance(prompt, list) else items[0]


def _list(value: Any) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else [value]


async def test_a_list_prompt_is_edited_item_by_item_without_json(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)
    await page.goto(f"{sqlite_server.url}/admin/flows/main")
    await expect(page.locator("#result")).to_have_text("检查通过。")
    await open_node(page, "main_menu")

    # The demo's menu prompt: two items, the second pinned to English.
    await expect(page.get_by_test_id("prop-prompt").locator(".prompt-item")).to_have_count(2)
    await expect(page.get_by_test_id("prop-prompt-zh-CN")).to_have_value(ZH_MENU)
    await expect(page.get_by_test_id("prop-prompt-2-language")).to_have_value("en")
    await expect(page.get_by_test_id("prop-prompt-2-tts")).to_have_value("For English, press 9.")
    await expect(page.get_by_test_id("prop-prompt").locator("textarea.mono")).to_have_count(0)

    # A new item that says nothing: a message at the item, and the document keeps its prompt.
    await page.get_by_test_id("prop-prompt-add").click()
    await expect(page.get_by_test_id("prop-prompt-3-issue")).to_have_text(
        "第 3 项：请填写文字或录音。"
    )
    await page.screenshot(path=ARTIFACTS / "flow-designer-prompt-items-zh-CN.png", full_page=True)
    assert await menu_prompt(page) == [
        {"tts": {"zh-CN": ZH_MENU}},
        {"language": "en", "tts": "For English, press 9."},
    ]
    # Reopening the node shows the document's prompt: the unfinished item was never written.
    await expect(page.get_by_test_id("prop-prompt").locator(".prompt-item")).to_have_count(2)

    # Filled in, pinned to Chinese, a recording for every language, moved to the top.
    await page.get_by_test_id("prop-prompt-add").click()
    await page.get_by_test_id("prop-prompt-3-language").select_option("zh-CN")
    await fill(page, "prop-prompt-3-tts", "您好。")
    await fill(page, "prop-prompt-3-file", "prompts/chime.wav")
    await expect(page.get_by_test_id("prop-prompt-3-issue")).to_have_text("")
    await page.get_by_test_id("prop-prompt-3-up").click()
    await page.get_by_test_id("prop-prompt-2-up").click()
    await expect(page.get_by_test_id("prop-prompt-1-tts")).to_have_value("您好。")
    await expect(page.get_by_test_id("prop-prompt-1-up")).to_be_disabled()
    # A per-language recording on the menu's first Chinese item.
    await fill(page, "prop-prompt-2-file-en", "prompts/menu-en.wav")
    assert await menu_prompt(page) == [
        {"language": "zh-CN", "tts": "您好。", "file": "prompts/chime.wav"},
        {"tts": {"zh-CN": ZH_MENU}, "files": {"en": "prompts/menu-en.wav"}},
        {"language": "en", "tts": "For English, press 9."},
    ]

    # Removing items down to one writes the one item itself, not a list.
    await page.get_by_test_id("prop-prompt-1-remove").click()
    await page.get_by_test_id("prop-prompt-2-remove").click()
    assert await menu_prompt(page) == {
        "tts": {"zh-CN": ZH_MENU},
        "files": {"en": "prompts/menu-en.wav"},
    }
    # The recording is not in the demo's prompt store: the check names it; cleared, it passes.
    await page.get_by_test_id("flow-check").click()
    await expect(page.get_by_test_id("flow-issues")).to_contain_text("menu-en.wav")
    await fill(page, "prop-prompt-1-file-en", "")
    assert await menu_prompt(page) == {"tts": {"zh-CN": ZH_MENU}}
    await page.get_by_test_id("flow-check").click()
    await expect(page.locator("#result")).to_have_text("检查通过。")

    # A field made of fields has its own form, its prompt item by item: a queue's announcements,
    # a voicemail's ticket.
    await open_node(page, "support_queue")
    await expect(page.get_by_test_id("prop-announcements.prompt-zh-CN")).to_have_value(
        "您的来电对我们很重要，请不要挂机。"
    )
    await expect(page.get_by_test_id("prop-announcements.position")).to_be_checked()
    await open_node(page, "voicemail_support")
    await expect(page.get_by_test_id("prop-ticket.department")).to_have_value("售后部")
    await expect(page.locator("#properties-form textarea.mono")).to_have_count(0)

    # The same message in English.
    await page.get_by_test_id("language").select_option("en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.wait_for_load_state("networkidle")
    await page.goto(f"{sqlite_server.url}/admin/flows/main")
    await open_node(page, "main_menu")
    await page.get_by_test_id("prop-prompt-add").click()
    await expect(page.get_by_test_id("prop-prompt-3-issue")).to_have_text(
        "Item 3: give a text or a recording."
    )
    await page.screenshot(path=ARTIFACTS / "flow-designer-prompt-items-en.png", full_page=True)
    assert errors == []
