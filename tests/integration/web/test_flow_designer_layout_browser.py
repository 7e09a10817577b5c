"""In Chromium: where the designer's boxes stand. A node dropped from the palette lands under
the pointer whatever the canvas' zoom and after panning it; the places the author left the boxes
in are kept beside the published version and come back when the flow is opened again, while the
YAML stays the same document."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from playwright.async_api import Browser, Page, Route, expect

from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.integration.web.test_flow_designer_browser import drop, open_node, wire
from tests.server import ServerProcess

pytestmark = pytest.mark.browser


async def corner(page: Page, node: str) -> tuple[float, float]:
    """The page coordinates of a box's top-left corner."""
    box = await page.get_by_test_id(f"df-node-{node}").bounding_box()
    assert box is not None
    return box["x"], box["y"]


async def canvas_origin(page: Page) -> tuple[float, float]:
    box = await page.get_by_test_id("canvas").bounding_box()
    assert box is not None
    return box["x"], box["y"]


async def zoom(page: Page) -> float:
    """The scale the drawing is shown at (Drawflow's transform of its inner canvas)."""
    transform = await page.locator("#canvas .drawflow").evaluate("(c) => c.style.transform")
    return float(transform.split("scale(")[1].rstrip(")")) if "scale(" in transform else 1.0


async def pan(page: Page, dx: int, dy: int) -> None:
    """Drag the empty canvas: the drawing moves with the pointer."""
    x, y = await canvas_origin(page)
    await page.mouse.move(x + 760, y + 560)
    await page.mouse.down()
    await page.mouse.move(x + 760 + dx, y + 560 + dy, steps=6)
    await page.mouse.up()


async def dropped_under_pointer(page: Page, node_type: str, node: str, at: tuple[int, int]) -> None:
    """Drop `node_type` at `at` of the canvas: the new box's corner is at the pointer (and
    stays there when the property form that opens makes the canvas taller)."""
    await drop(page, node_type, *at)
    await expect(page.get_by_test_id(f"df-node-{node}")).to_be_visible()
    origin = await canvas_origin(page)
    x, y = await corner(page, node)
    assert abs(x - (origin[0] + at[0])) <= 2, (x, origin, at)
    assert abs(y - (origin[1] + at[1])) <= 2, (y, origin, at)


async def test_a_dropped_box_lands_under_the_pointer_and_its_place_is_kept_on_publish(
    browser: Browser, sqlite_server: ServerProcess
) -> None:
    sqlite_server.start("demo")
    page = await browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, sqlite_server)
    await page.goto(f"{sqlite_server.url}/admin/flows/new")
    boxes = page.get_by_test_id("canvas").locator(".drawflow-node")
    await expect(boxes).to_have_count(2)
    await page.get_by_test_id("designer-clear").click()
    await expect(boxes).to_have_count(0)

    # Zoomed in, not panned.
    for _ in range(2):
        await page.get_by_role("button", name="放大").click()
    assert await zoom(page) > 1.1
    await dropped_under_pointer(page, "menu", "menu_1", (120, 90))
    # Panned, then zoomed out below 1.
    await pan(page, -150, 90)
    for _ in range(4):
        await page.get_by_role("button", name="缩小").click()
    assert await zoom(page) < 0.95
    await dropped_under_pointer(page, "queue", "queue_1", (520, 140))
    await dropped_under_pointer(page, "hangup", "hangup_1", (520, 380))
    # Panned again at that zoom: the next box still lands under the pointer.
    await pan(page, 60, -40)
    await dropped_under_pointer(page, "play", "play_1", (300, 460))
    # A click on the palette adds the box in the part of the canvas in view, not off it.
    await page.get_by_test_id("palette-survey").click()
    added = await page.get_by_test_id("df-node-survey_1").bounding_box()
    view = await page.get_by_test_id("canvas").bounding_box()
    assert added is not None
    assert view is not None
    assert view["x"] <= added["x"]
    assert added["x"] + added["width"] <= view["x"] + view["width"]
    assert view["y"] <= added["y"]
    assert added["y"] + added["height"] <= view["y"] + view["height"]
    await page.get_by_test_id("delete-node").click()
    await expect(boxes).to_have_count(4)
    await page.screenshot(path=ARTIFACTS / "flow-designer-drop-zoomed-zh-CN.png", full_page=True)

    await open_node(page, "menu_1")
    for field, value in [("prop-prompt-zh-CN", "售后请按2。"), ("prop-options", "2")]:
        await page.get_by_test_id(field).fill(value)
        await page.get_by_test_id(field).blur()
    await open_node(page, "queue_1")
    await page.get_by_test_id("prop-queue").fill("support")
    await page.get_by_test_id("prop-queue").blur()
    await wire(page, "menu_1", "options.2", "queue_1")
    await wire(page, "menu_1", "on_failure", "hangup_1")
    await wire(page, "queue_1", "no_answer", "play_1")
    await wire(page, "play_1", "next", "hangup_1")
    canvas = await page.get_by_test_id("canvas").bounding_box()
    assert canvas is not None
    await page.get_by_test_id("canvas").click(position={"x": canvas["width"] - 20, "y": 20})
    await page.get_by_test_id("prop-name").fill("laid-out")
    await page.get_by_test_id("prop-name").blur()
    await expect(page.get_by_test_id("flow-issues").locator("li")).to_have_count(0)

    # Where the boxes stand on the canvas (in its own units, whatever the zoom), before publishing.
    placed = await page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#canvas .drawflow-node')]"
        ".map((n) => [n.dataset.node, [parseFloat(n.style.left), parseFloat(n.style.top)]]))"
    )
    await page.get_by_test_id("flow-publish").click()
    await page.get_by_test_id("publish-confirm").click()
    await page.wait_for_url(f"{sqlite_server.url}/admin/flows/laid-out")
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(1)

    # Opened again (zoom 1, not panned): every box where it was left, none laid out anew.
    await page.goto(f"{sqlite_server.url}/admin/flows/laid-out")
    await expect(boxes).to_have_count(4)
    origin = await canvas_origin(page)
    for node, (x, y) in placed.items():
        at = await corner(page, node)
        assert abs(at[0] - (origin[0] + x)) <= 2, (node, at, origin, x)
        assert abs(at[1] - (origin[1] + y)) <= 2, (node, at, origin, y)
    await expect(page.locator("#result")).to_have_text("检查通过。")
    await page.screenshot(path=ARTIFACTS / "flow-designer-layout-kept-zh-CN.png", full_page=True)
    # Through the YAML view and back: the document holds no positions, the boxes stay put.
    await page.get_by_test_id("tab-yaml").click()
    await expect(page.get_by_test_id("tab-yaml")).to_have_attribute("aria-selected", "true")
    await expect(page.get_by_test_id("flow-editor")).to_be_visible()
    text = await page.get_by_test_id("flow-editor").input_value()
    nodes = yaml.safe_load(text)["nodes"]
    assert set(nodes) == set(placed)
    assert all("x" not in node and "y" not in node for node in nodes.values())
    await page.get_by_test_id("tab-designer").click()
    await expect(page.get_by_test_id("tab-designer")).to_have_attribute("aria-selected", "true")
    await expect(boxes.first).to_be_visible()
    for node, (x, y) in placed.items():
        at = await corner(page, node)
        assert abs(at[0] - (origin[0] + x)) <= 2, (node, at, origin, x)
        assert abs(at[1] - (origin[1] + y)) <= 2, (node, at, origin, y)
    # YAML then straight back to the designer, the second click before the YAML view is ready:
    # the designer is what stays shown (the switches run in turn), boxes in their places.
    # (The YAML is held back until the second click is made, as a busy server would.)
    release = asyncio.Event()

    async def slow(route: Route) -> None:
        await release.wait()
        await route.continue_()

    await page.route("**/api/v1/flows/designer/text", slow)
    await page.get_by_test_id("tab-yaml").click()
    await page.get_by_test_id("tab-designer").click()
    release.set()
    await expect(page.get_by_test_id("view-tabs")).to_have_attribute("aria-busy", "false")
    await page.unroute("**/api/v1/flows/designer/text", slow)
    await expect(page.get_by_test_id("tab-designer")).to_have_attribute("aria-selected", "true")
    await expect(page.get_by_test_id("flow-editor")).to_be_hidden()
    for node, (x, y) in placed.items():
        at = await corner(page, node)
        assert abs(at[0] - (origin[0] + x)) <= 2, (node, at, origin, x)
        assert abs(at[1] - (origin[1] + y)) <= 2, (node, at, origin, y)

    # A box moved and published again with the same content: no new version, the place kept.
    head = page.get_by_test_id("df-node-play_1").locator(".df-head")
    start = await head.bounding_box()
    assert start is not None
    await page.mouse.move(start["x"] + 10, start["y"] + 5)
    await page.mouse.down()
    await page.mouse.move(start["x"] + 90, start["y"] + 65, steps=6)
    await page.mouse.up()
    await page.get_by_test_id("flow-publish").click()
    await expect(page.locator("#diff-summary")).to_contain_text("版本 1")
    await page.get_by_test_id("publish-confirm").click()
    await expect(page.locator("#result")).to_contain_text("1")

    await page.goto(f"{sqlite_server.url}/admin/flows/laid-out")
    await expect(boxes).to_have_count(4)
    origin = await canvas_origin(page)
    moved = await corner(page, "play_1")
    assert abs(moved[0] - (origin[0] + placed["play_1"][0] + 80)) <= 2
    assert abs(moved[1] - (origin[1] + placed["play_1"][1] + 60)) <= 2
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(1)
    assert errors == []
