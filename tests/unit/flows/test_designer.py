"""The designer's graph is the flow document's model: every example survives the round trip
with the same meaning, and the palette offers every node type of the schema with its outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hotline.flows.designer import from_designer, json_ready, palette, ports_of, to_designer
from hotline.flows.loader import parse_flow, read_flow_file
from hotline.flows.schema import NODE_TYPES, Node
from hotline.flows.validate import check_flow
from hotline.flows.versioning import content_hash

EXAMPLES = sorted((Path(__file__).parents[3] / "examples" / "flows").glob("*.yaml"))


def through_the_page(graph: dict[str, Any]) -> dict[str, Any]:
    """What the browser sends back: the same graph as JSON."""
    return json.loads(json.dumps(graph, ensure_ascii=False))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_round_trips_to_the_same_meaning(path: Path) -> None:
    data = read_flow_file(path)
    back = from_designer(through_the_page(to_designer(data)))
    assert content_hash(parse_flow(back)) == content_hash(parse_flow(data))
    assert back == json_ready(data)  # not only the meaning: the same fields and values
    assert list(back["nodes"]) == list(data["nodes"])  # the nodes keep their order


def test_there_are_examples() -> None:
    assert {p.name for p in EXAMPLES} >= {"main.yaml", "tickets.yaml"}


def test_the_palette_has_every_node_type_of_the_schema() -> None:
    entries = {entry.type: entry for entry in palette()}
    assert list(entries) == list(NODE_TYPES)
    union = Node.__origin__.__args__  # type: ignore[attr-defined]
    assert {cls.model_fields["type"].annotation.__args__[0] for cls in union} == set(entries)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_branch_of_every_node_is_a_port(path: Path) -> None:
    flow = parse_flow(read_flow_file(path))
    graph = to_designer(read_flow_file(path))
    boxes = {n["id"]: n for n in graph["nodes"]}
    for node_id, node in flow.nodes.items():
        ports = ports_of(node.type, boxes[node_id]["props"])
        assert {e.field for e in node.edges()} <= set(ports), node_id
        wired = {(e["port"], e["target"]) for e in graph["edges"] if e["source"] == node_id}
        assert wired == {(e.field, e.target) for e in node.edges()}


def test_every_property_of_every_type_is_in_its_form() -> None:
    for entry in palette():
        model = NODE_TYPES[entry.type]
        named = {p.name for p in entry.properties} | set(entry.ports)
        assert named == set(model.model_fields) - {"type"}, entry.type
        if entry.dynamic:
            assert entry.dynamic in {p.name for p in entry.properties}


def test_a_new_box_of_each_type_is_judged_at_that_box() -> None:
    """A box fresh from the palette, unwired and unfilled, gives issues at that box only."""
    for entry in palette():
        graph = {
            "flow": {"name": "t", "start": "a"},
            "nodes": [
                {"id": "a", "type": "hangup", "props": {}, "x": 0, "y": 0},
                {"id": "box", "type": entry.type, "props": dict(entry.template), "x": 0, "y": 0},
            ],
            "edges": [],
        }
        result = check_flow(from_designer(graph))
        assert {i.node for i in result.issues} <= {"box", None}, entry.type


def test_a_menu_key_not_wired_is_named_at_the_menu() -> None:
    graph = {
        "flow": {"name": "t", "start": "m"},
        "nodes": [
            {"id": "m", "type": "menu", "props": {"prompt": {"tts": "hi"}, "options": ["1", "2"]}},
            {"id": "bye", "type": "hangup", "props": {}},
        ],
        "edges": [{"source": "m", "port": "options.1", "target": "bye"}],
    }
    result = check_flow(from_designer(graph))
    assert [(i.node, i.field) for i in result.issues] == [("m", "options.2")]


def test_layout_puts_columns_by_distance_from_the_start() -> None:
    graph = to_designer(read_flow_file(EXAMPLES[0]))
    boxes = {n["id"]: (n["x"], n["y"]) for n in graph["nodes"]}
    start = graph["flow"]["start"]
    assert boxes[start][0] == min(x for x, _ in boxes.values())
    assert len(set(boxes.values())) == len(boxes)  # no two boxes on each other


def test_a_field_made_of_fields_is_a_group_with_its_own_form() -> None:
    kinds = {e.type: {p.name: p for p in e.properties} for e in palette()}
    announcements = kinds["queue"]["announcements"]
    assert announcements.kind == "group"
    assert {f.name: f.kind for f in announcements.fields} == {
        "position": "bool", "ewt": "bool", "every": "number", "prompt": "prompts", "music": "text",
    }  # fmt: skip
    ticket = kinds["voicemail"]["ticket"]
    assert (ticket.kind, ticket.fields[0].name, ticket.fields[0].required) == (
        "group", "department", True,
    )  # fmt: skip
    assert announcements.as_dict()["fields"][3] == {
        "name": "prompt", "kind": "prompts", "required": False, "default": [], "choices": [],
        "fields": [],
    }  # fmt: skip
