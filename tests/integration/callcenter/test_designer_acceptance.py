"""Acceptance (issue 19, the designer): against the real `hotline demo`, the admin empties the
canvas of `main` in Chromium and builds the demo's main IVR again by drag and drop, zoomed out —
every node of examples/flows/main.yaml: the emergency switch, the customer lookup and VIP
priority, business hours and the closed/holiday notices, the greeting, the menu with its
English item (1 售前, 2 售后, 0 人工, 9 English), the English menu, the queues, the callback,
voicemail, the survey and the goodbye — prompts typed item by item. It checks it, reads the diff
against the active version, confirms and publishes; the published document means what the
demo's does (titles aside); then a caller (baresip) dials 4001, keys 2 and reaches the support
queue through the published flow. All on 127.0.0.1: real SIP, RTP, Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from hotline.flows.designer import Property, palette
from hotline.flows.loader import parse_flow, read_flow_file
from tests.data.callcenter.tones import CUSTOMER_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.desktop.harness import eventually, items, login
from tests.integration.web.test_admin_browser import ARTIFACTS, _login
from tests.integration.web.test_flow_designer_browser import drop, open_node, wire
from tests.server import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.baresip, pytest.mark.slow]

CALLER = "13900139000"


async def fill(page: Page, test_id: str, value: str) -> None:
    field = page.get_by_test_id(test_id)
    await field.fill(value)
    await field.blur()


MAIN = Path(__file__).parents[3] / "examples" / "flows" / "main.yaml"
KINDS = {entry.type: list(entry.properties) for entry in palette()}

# Where each box's top-left corner is dropped (page pixels from the canvas' corner, the canvas
# zoomed out to 0.6): by columns, roughly in the order a call goes.
PLACES = {
    "emergency_check": (10, 10), "lookup_customer": (10, 185), "vip_check": (10, 360),
    "vip_priority": (10, 535),
    "hours_check": (210, 10), "welcome": (210, 185), "closed_notice": (210, 360),
    "holiday_notice": (210, 535),
    "main_menu": (410, 10), "to_english": (410, 250), "english_menu": (410, 400),
    "sales_queue": (610, 10), "support_queue": (610, 200), "agent_queue": (610, 390),
    "sales_callback": (610, 570),
    "voicemail_sales": (810, 10), "voicemail_support": (810, 185), "voicemail_general": (810, 360),
    "callback_thanks": (810, 535),
    "survey": (1010, 10), "goodbye": (1010, 185),
}  # fmt: skip


def meaning(document: dict[str, Any]) -> dict[str, Any]:
    """A flow document parsed, the boxes' titles left out (labels, not behaviour)."""
    data = parse_flow(document).model_dump(mode="json")
    for node in data["nodes"].values():
        node.pop("title", None)
    return data


async def rename(page: Page, box: str, node_id: str) -> None:
    await open_node(page, box)
    await fill(page, "prop-id", node_id)
    await open_node(page, node_id)


async def fill_prompts(page: Page, name: str, value: Any, default_language: str) -> None:
    """A prompt, item by item, in the designer's prompt editor (no JSON)."""
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        item = {"tts": item} if isinstance(item, str) else item
        prefix = f"prop-{name}-{i + 1}"
        if i > 0:
            await page.get_by_test_id(f"prop-{name}-add").click()
        if item.get("language"):
            await page.get_by_test_id(f"{prefix}-language").select_option(item["language"])
            await fill(page, f"{prefix}-tts", item["tts"])
            continue
        tts = item.get("tts") or {}
        texts = {default_language: tts} if isinstance(tts, str) else tts
        for language, text in texts.items():
            await fill(page, f"prop-{name}-{language}" if i == 0 else f"{prefix}-{language}", text)
        if item.get("file"):
            await fill(page, f"{prefix}-file", item["file"])
        for language, file in (item.get("files") or {}).items():
            await fill(page, f"{prefix}-file-{language}", file)
        await expect(page.get_by_test_id(f"{prefix}-issue")).to_have_text("")


async def fill_form(
    page: Page, kinds: list[Property], node: dict[str, Any], language: str, prefix: str = ""
) -> None:
    """Every property the demo's node sets (its title aside), typed into the node's form; a
    group's fields (a queue's announcements, a voicemail's ticket) on its sub-form."""
    for prop in kinds:
        name, kind, value = f"{prefix}{prop.name}", prop.kind, node.get(prop.name)
        if value is None or name == "title":
            continue
        field = f"prop-{name}"
        if kind == "prompts":
            await fill_prompts(page, name, value, language)
        elif kind == "group":
            await fill_form(page, list(prop.fields), value, language, prefix=f"{name}.")
        elif kind == "bool":
            await page.get_by_test_id(field).set_checked(bool(value))
        elif kind == "choice":
            await page.get_by_test_id(field).select_option(str(value))
        elif kind == "keys":
            await fill(page, field, ",".join(str(k) for k in value))
        elif kind == "list":
            await fill(page, field, ", ".join(value))
        elif kind == "branches":
            await fill(page, field, "\n".join(b["when"] for b in value))
        elif kind == "assign":
            await fill(page, field, "\n".join(f"{k} = {v}" for k, v in value.items()))
        else:
            assert kind != "json", f"{name}: the demo's main flow needs no JSON"
            await fill(page, field, str(value))


async def build_main_ivr(page: Page) -> None:
    """The demo's main IVR (examples/flows/main.yaml), every node, from an empty canvas: boxes
    dragged from the palette, forms filled (prompts item by item), wires drawn with the mouse."""
    source = read_flow_file(MAIN)
    nodes: dict[str, dict[str, Any]] = source["nodes"]
    flow = parse_flow(source)
    await page.get_by_test_id("designer-clear").click()
    canvas = page.get_by_test_id("canvas")
    await expect(canvas.locator(".drawflow-node")).to_have_count(0)
    # Smaller boxes, so the whole IVR fits: the drop lands under the pointer at this zoom too.
    for _ in range(4):
        await page.get_by_role("button", name="缩小").click()
    dropped: dict[str, int] = {}
    boxes: dict[str, str] = {}
    for node_id, place in PLACES.items():
        node_type = nodes[node_id]["type"]
        await drop(page, node_type, *place)
        dropped[node_type] = dropped.get(node_type, 0) + 1
        boxes[node_id] = f"{node_type}_{dropped[node_type]}"
    await expect(canvas.locator(".drawflow-node")).to_have_count(len(nodes))

    for node_id, box in boxes.items():
        await rename(page, box, node_id)
        await fill_form(page, KINDS[nodes[node_id]["type"]], nodes[node_id], flow.language)

    edges = [(n, e.field, e.target) for n, node in flow.nodes.items() for e in node.edges()]
    for node_id, port, target in edges:
        await wire(page, node_id, port, target)
    await expect(canvas.locator("svg.connection")).to_have_count(len(edges))

    # The flow's settings (kept by "Empty canvas": name, numbers, variables, calendars): the
    # start is the emergency switch.
    box = await canvas.bounding_box()
    assert box is not None
    await canvas.click(position={"x": box["width"] - 20, "y": box["height"] - 20})
    await expect(page.get_by_test_id("prop-start")).to_be_visible()
    await page.get_by_test_id("prop-start").select_option(flow.start)


async def test_main_menu_rebuilt_by_drag_and_drop_answers_a_call_into_the_right_queue(
    browser: Browser, sqlite_server: ServerProcess, tmp_path: Path
) -> None:
    server = sqlite_server
    server.start("demo")
    admin = login(server, "admin")
    page = await browser.new_page(viewport={"width": 1900, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await _login(page, server)
    await page.goto(f"{server.url}/admin/flows/main")
    # The page loads the graph editor, the palette and the flow before drawing (a busy machine).
    boxes = page.get_by_test_id("canvas").locator(".drawflow-node")
    await expect(boxes.first).to_be_visible(timeout=30_000)
    assert errors == []

    await build_main_ivr(page)
    await page.get_by_test_id("flow-check").click()
    await expect(page.locator("#result")).to_have_text("检查通过。")
    await expect(page.get_by_test_id("flow-issues").locator("li")).to_have_count(0)
    await page.screenshot(path=ARTIFACTS / "flow-designer-rebuilt-main-zh-CN.png", full_page=True)

    await page.get_by_test_id("flow-publish").click()
    diff = page.get_by_test_id("flow-diff")
    await expect(diff).to_contain_text("-    title: 主菜单 / Main menu")  # titles were not typed
    await expect(page.locator("#diff-summary")).to_contain_text("与生效版本 1 相比")
    await page.screenshot(path=ARTIFACTS / "flow-designer-rebuilt-diff-zh-CN.png", full_page=True)
    await page.get_by_test_id("publish-confirm").click()
    await expect(page.get_by_test_id("versions").locator("tr")).to_have_count(2)
    active = admin.get("/api/v1/flows/main").json()
    assert active["version"] == 2
    # The rebuilt IVR means what the demo's does: every node, field and wire (titles aside).
    assert meaning(active["document"]) == meaning(read_flow_file(MAIN))
    # The boxes' places are kept beside the version (not in the document).
    assert set(active["layout"]) == set(PLACES)
    assert errors == []

    before = {e["interaction_id"] for e in items(admin, "/api/v1/events", type="leg.answered")}
    async with baresip_phone(
        tmp_path, "caller", user=CALLER, server_port=server.sip_port, tone_hz=CUSTOMER_HZ
    ) as caller:
        await caller.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
        await caller.wait_event("CALL_ESTABLISHED")

        def in_menu() -> list[str]:
            rows = items(admin, "/api/v1/events", type="flow.node_entered")
            return [e["interaction_id"] for e in rows if e["interaction_id"] not in before
                    and e["payload"]["node"] == "main_menu"]  # fmt: skip

        (interaction_id,) = await eventually(in_menu, bool)
        # In the menu: the key interrupts its prompt (keys are queued on the leg until read).
        await caller.keys("2")

        def queued() -> list[dict[str, object]]:
            rows = items(admin, "/api/v1/events", interaction_id=interaction_id, limit=1000)
            return [e for e in rows if e["type"] == "queue.entered"]

        (entered,) = await eventually(queued, bool)
        await caller.hangup()
    assert entered["payload"]["queue_id"] == "support"  # the queue the flow's node names
    path = [
        e["payload"]["node"]
        for e in items(admin, "/api/v1/events", interaction_id=interaction_id, limit=1000)
        if e["type"] == "flow.node_entered"
    ]
    assert path[:6] == [
        "emergency_check", "lookup_customer", "hours_check", "welcome", "main_menu",
        "support_queue",
    ]  # fmt: skip
    started = items(admin, "/api/v1/events", interaction_id=interaction_id, type="flow.started")
    assert started[0]["payload"]["version"] == 2
