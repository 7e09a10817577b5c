"""Where the designer's boxes stand: kept beside a version, restricted to its nodes, never part
of its meaning; a flow without a stored layout is laid out in layers."""

from __future__ import annotations

from pathlib import Path

from hotline.flows.designer import COLUMN_WIDTH, ROW_HEIGHT, from_designer, to_designer
from hotline.flows.layout import FlowLayout, InMemoryFlowLayoutStore, keep_layout, layout_of
from hotline.flows.loader import parse_flow, read_flow_file
from hotline.flows.versioning import FlowVersion, content_hash

MAIN = Path(__file__).parents[3] / "examples" / "flows" / "main.yaml"


def version(number: int = 1) -> FlowVersion:
    flow = parse_flow(read_flow_file(MAIN))
    return FlowVersion("t1", flow.name, number, content_hash(flow), flow, 0.0)


def test_stored_positions_place_the_boxes_and_change_nothing_in_the_document() -> None:
    data = read_flow_file(MAIN)
    placed = to_designer(data, {"welcome": (512, 77), "main_menu": (-20, 900)})
    boxes = {n["id"]: (n["x"], n["y"]) for n in placed["nodes"]}
    assert boxes["welcome"] == (512, 77)
    assert boxes["main_menu"] == (-20, 900)
    # The others are laid out in layers, below the lowest stored box.
    auto = {n["id"]: (n["x"], n["y"]) for n in to_designer(data)["nodes"]}
    for node, (x, y) in auto.items():
        if node not in ("welcome", "main_menu"):
            assert boxes[node] == (x, y + 900 + ROW_HEIGHT)
    # The document is the same with or without a layout.
    assert from_designer(placed) == from_designer(to_designer(data))


def test_without_a_layout_boxes_are_laid_out_in_layers_from_the_start() -> None:
    graph = to_designer(read_flow_file(MAIN), None)
    start = next(n for n in graph["nodes"] if n["id"] == graph["flow"]["start"])
    assert (start["x"], start["y"]) == (40, 40)
    assert {n["x"] for n in graph["nodes"]} >= {40, 40 + COLUMN_WIDTH}
    # Positions of nodes the flow does not have are left out.
    unknown = to_designer(read_flow_file(MAIN), {"gone": (1, 1)})
    assert unknown["nodes"] == graph["nodes"]


def test_a_layout_reads_what_the_store_carries_and_drops_the_rest() -> None:
    layout = FlowLayout.from_data(
        {"a": {"x": 10.4, "y": -3}, "b": {"x": "left", "y": 1}, "c": [1, 2], "d": {"x": 1}}
    )
    assert layout.positions == {"a": (10, -3)}
    assert FlowLayout.from_data(layout.as_dict()) == layout
    assert not FlowLayout()
    assert FlowLayout.of({"a": (1.6, 2.2), "b": (0, 0)}).restricted_to(["a"]).as_dict() == {
        "a": {"x": 2, "y": 2}
    }


async def test_publishing_keeps_the_layout_of_the_versions_nodes() -> None:
    store = InMemoryFlowLayoutStore()
    v1 = version(1)
    assert await layout_of(store, v1) is None  # laid out automatically
    kept = await keep_layout(
        store, v1, FlowLayout.of({"welcome": (5, 6), "deleted_box": (1, 1)}), at=1.0, by="admin"
    )
    assert kept == FlowLayout({"welcome": (5, 6)})
    assert await layout_of(store, v1) == kept
    # A publish without a layout (the YAML view) keeps what was stored.
    assert await keep_layout(store, v1, None, at=2.0, by="admin") == kept
    assert await keep_layout(store, v1, FlowLayout(), at=2.0, by="admin") == kept
    # Each version keeps its own.
    v2 = version(2)
    await keep_layout(store, v2, FlowLayout.of({"welcome": (300, 6)}), at=3.0, by="admin")
    assert await layout_of(store, v1) == kept
    assert (await layout_of(store, v2)) == FlowLayout({"welcome": (300, 6)})
