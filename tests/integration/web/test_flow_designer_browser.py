"""In Chromium: the visual flow designer. `main` loads as boxes and wires and saves back to the
same meaning; a typo in one node shows one message at that node in the user's language; a flow
built on an empty canvas by drag and drop is checked, diffed, confirmed and published; an older
version is restored; the test console walks the flow with typed keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hotline.flows.loader import parse_flow, read_document, read_flow_file
from hotline.flows.schema import NODE_TYPES
from hotline.flows.versioning import content_hash
from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.server import ServerProcess

pytestmark = pytest.mark.browser

MAIN = Path(__file__).parents[3] / "examples" / "flows" / "main.yaml"


async def designer_text(page: Page) -> str:
    """The document the designer holds now, as the YAML view shows it."""
    # Each view shows once it is filled: wait for it, or the next click finds the old view.
    await page.get_by_test_id("tab-yaml").click()
    await expect(page.get_by_test_id("flow-editor")).to_be_visible()
    text = await page.get_by_test_id("flow-editor").input_value()
    await page.get_by_test_id("tab-designer").click()
    await expect(page.get_by_test_id("canvas")).to_be_visible()
    return text


async def drop(page: Page, node_type: str, x: int, y: int) -> None:
    """Drag a node type from the palette onto the canvas at (x, y) of the canvas."""
    canvas = page.get_by_test_id("canvas")
    await page.get_by_test_id(f"palette-{node_type}").drag_to(
        canvas, target_position={"x": x, "y": y}
    )


async def wire(page: Page, source: str, port: str, target: str) -> None:
    """Draw a wire from a node's output to another node's input with the mouse."""
    out = await page.get_by_test_id(f"port-{source}-{port}").bounding_box()
    into = await page.get_by_test_id(f"input-{target}").bounding_box()
    assert out is not None
    assert into is not None
    await page.mouse.move(out["x"] + out["width"] / 2, out["y"] + out["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(into["x"] + 4, into["y"] + into["height"] / 2, steps=8)
    await page.mouse.move(into["x"] + into["width"] / 2, into["y"] + into["height"] / 2, steps=2)
    await page.mouse.up()


async def open_node(page: Page, node: str) -> None:
    await page.get_by_test_id(f"df-node-{node}").locator(".df-id").click()
    await expect(page.get_by_test_id("prop-id")).to_have_value(node)


async def test_main_loads_as_boxes_and_saves_back_to_the_same_meaning(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)
    await page.goto(f"{sqlite_server.url}/admin/flows/main")
    palette = page.get_by_test_id("palette")
    await expect(palette.locator("button")).to_have_count(len(NODE_TYPES))
    boxes = page.get_by_test_id("canvas").locator(".drawflow-node")
    original = parse_flow(read_flow_file(MAIN))
    await expect(boxes).to_have_count(len(original.nodes))
    wires = page.get_by_test_id("canvas").locator("svg.connection")
    edges = sum(len(node.edges()) for node in original.nodes.values())
    await expect(wires).to_have_count(edges)
    await expect(page.locator("#result")).to_have_text("检查通过。")
    await page.screenshot(path=ARTIFACTS / "flow-designer-main-zh-CN.png", full_page=True)

    text = await designer_text(page)
    assert content_hash(parse_flow(read_document(text))) == content_hash(original)

    # A typo in one node: one message, at that node, in Chinese.
    await open_node(page, "vip_check")
    branches = page.get_by_test_id("prop-branches")
    await branches.fill("custmer.vip_level >= 1")
    await branches.blur()
    invalid = page.get_by_test_id("canvas").locator(".drawflow-node.invalid")
    await expect(invalid).to_have_count(1)
    await expect(invalid).to_have_attribute("data-node", "vip_check")
    await expect(invalid.locator(".df-issue")).to_have_text(
        "branches.0.when: 表达式“custmer.vip_level >= 1”第 1 列：变量“custmer.vip_level”不存在"
    )
    await expect(page.get_by_test_id("flow-issues").locator("li")).to_have_count(1)
    await expect(page.locator(".field-issue:not(:empty)")).to_have_count(1)
    await page.screenshot(path=ARTIFACTS / "flow-designer-typo-zh-CN.png", full_page=True)
    # The graph editor deletes the selected box on Delete: not while typing in its form.
    await branches.press("Delete")
    await branches.press("Backspace")
    await expect(boxes).to_have_count(len(original.nodes))
    assert errors == []


async def test_a_flow_built_on_an_empty_canvas_is_diffed_confirmed_published_and_restored(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)
    await page.get_by_test_id("language").select_option("en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.wait_for_load_state("networkidle")
    await page.goto(f"{sqlite_server.url}/admin/flows/new")
    await expect(page.get_by_test_id("canvas").locator(".drawflow-node")).to_have_count(2)
    await page.get_by_test_id("designer-clear").click()
    await expect(page.get_by_test_id("canvas").locator(".drawflow-node")).to_have_count(0)

    await drop(page, "menu", 60, 80)
    await drop(page, "queue", 420, 40)
    await drop(page, "hangup", 420, 260)
    await expect(page.get_by_test_id("canvas").locator(".drawflow-node")).to_have_count(3)

    await open_node(page, "menu_1")
    await page.get_by_test_id("prop-prompt-zh-CN").fill("售后请按2。")
    await page.get_by_test_id("prop-prompt-zh-CN").blur()
    await page.get_by_test_id("prop-options").fill("2")
    await page.get_by_test_id("prop-options").blur()
    await open_node(page, "queue_1")
    await page.get_by_test_id("prop-queue").fill("support")
    await page.get_by_test_id("prop-queue").blur()
    await wire(page, "menu_1", "options.2", "queue_1")
    await wire(page, "menu_1", "on_failure", "hangup_1")

    # A typo in a node: one message, at that node, in English (the user's language here).
    await open_node(page, "queue_1")
    priority = page.get_by_test_id("prop-priority")
    await priority.fill("custmer.vip")
    await priority.blur()
    invalid = page.get_by_test_id("canvas").locator(".drawflow-node.invalid")
    await expect(invalid).to_have_count(1)
    await expect(invalid).to_have_attribute("data-node", "queue_1")
    await expect(invalid.locator(".df-issue")).to_have_text(
        "priority: unknown variable 'custmer.vip' at column 1 of 'custmer.vip'"
    )
    await expect(page.get_by_test_id("flow-issues").locator("li")).to_have_count(1)
    await expect(page.locator(".field-issue:not(:empty)")).to_have_count(1)
    await page.screenshot(path=ARTIFACTS / "flow-designer-typo-en.png", full_page=True)
    await priority.fill("")
    await priority.blur()
    await expect(invalid).to_have_count(0)

    await page.get_by_test_id("canvas").click(position={"x": 200, "y": 450})
    name = page.get_by_test_id("prop-name")
    await name.fill("designed")
    await name.blur()
    await expect(page.get_by_test_id("flow-issues").locator("li")).to_have_count(0)

    await page.get_by_test_id("flow-publish").click()
    dialog = page.get_by_test_id("publish-dialog")
    await expect(dialog).to_be_visible()
    await expect(page.get_by_test_id("flow-diff")).to_contain_text("+  menu_1:")
    await page.screenshot(path=ARTIFACTS / "flow-designer-diff-en.png", full_page=True)
    await page.get_by_test_id("publish-confirm").click()
    await page.wait_for_url(f"{sqlite_server.url}/admin/flows/designed")
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(1)

    # Version 2: the menu's prompt changes; the diff shows that line.
    await open_node(page, "menu_1")
    await page.get_by_test_id("prop-prompt-zh-CN").fill("售后服务请按2。")
    await page.get_by_test_id("prop-prompt-zh-CN").blur()
    await page.get_by_test_id("flow-publish").click()
    await expect(page.get_by_test_id("flow-diff")).to_contain_text(
        "+        zh-CN: 售后服务请按2。"
    )
    await expect(page.locator("#diff-summary")).to_contain_text("1 changed")
    await page.get_by_test_id("publish-confirm").click()
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(2)

    # Restore version 1.
    page.on("dialog", lambda d: d.accept())
    await page.get_by_test_id("version-restore-1").click()
    await expect(page.get_by_test_id("versions").locator("tr[data-version='1']")).to_contain_text(
        "✓"
    )
    # The console: keys typed, what the caller hears, the queue reached.
    await page.get_by_test_id("console-start").click()
    lines = page.get_by_test_id("console-lines")
    await expect(lines).to_contain_text("售后服务请按2。")  # the draft open in the designer
    await page.get_by_test_id("console-keys").fill("2")
    await page.get_by_test_id("console-send").click()
    await expect(lines.locator("li[data-queue='support']")).to_have_count(1)
    # The prompt, spoken as the caller hears it (the calls' TTS), plays in the page.
    await lines.locator("li.console-say button").first.click()
    audio = page.locator("#console-audio")
    await expect(audio).to_have_attribute("data-spoken", "售后服务请按2。")
    assert await audio.evaluate("(a) => a.src.startsWith('blob:')")
    await page.screenshot(path=ARTIFACTS / "flow-designer-console-en.png", full_page=True)
    assert errors == []
