"""The visual designer's model of a flow: boxes with properties, wires from outputs to inputs.

The designer (web/static/js/flow-designer.js) edits a *graph*: each node is a box with its
type, position and properties; each branch field of the flow document (`next`, `options.1`,
`branches.0.next` …, the fields `Node.edges()` names) is an output port wired to another box.
`to_designer(data)` turns flow document data into that graph (laid out in layers from the start
node), `from_designer(graph)` turns it back into document data: the same model as the YAML, so a
document survives the round trip with the same meaning (comments and key order aside).
`palette()` describes every node type of the schema: its outputs and the form of its
properties. Pure functions over plain data; the page sends the graph, the API converts.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hotline.flows.schema import NODE_TYPES, NodeId, Prompt

__all__ = [
    "COLUMN_WIDTH",
    "ROW_HEIGHT",
    "PaletteEntry",
    "Property",
    "from_designer",
    "json_ready",
    "layout",
    "palette",
    "ports_of",
    "to_designer",
]

COLUMN_WIDTH = 300
ROW_HEIGHT = 150

PropertyKind = Literal[
    "text",
    "number",
    "bool",
    "choice",
    "prompts",
    "keys",
    "branches",
    "assign",
    "list",
    "group",
    "json",
]

_NODE_ID_PATTERN = next(
    m.pattern for m in typing.get_args(NodeId)[1:] if getattr(m, "pattern", None)
)
# Properties whose value holds ports: the keys of a menu's options, a condition's branches.
_DYNAMIC = {"menu": "options", "condition": "branches"}
_SPECIAL_KINDS: dict[str, PropertyKind] = {
    "options": "keys",
    "branches": "branches",
    "assign": "assign",
    "skills": "list",
    "email": "list",
    "languages": "list",
    "dids": "list",
    "priority": "text",
}


@dataclass(frozen=True, slots=True)
class Property:
    """One field of a node's property form."""

    name: str
    kind: PropertyKind
    required: bool
    default: Any = None
    choices: tuple[str, ...] = ()
    fields: tuple[Property, ...] = ()  # a group's own fields (a queue's announcements)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "required": self.required,
            "default": self.default,
            "choices": list(self.choices),
            "fields": [f.as_dict() for f in self.fields],
        }


@dataclass(frozen=True, slots=True)
class PaletteEntry:
    """A node type as the designer offers it: its fixed outputs, the property holding its
    variable outputs (if any), its property form, and what a new box starts with."""

    type: str
    ports: tuple[str, ...]
    required_ports: tuple[str, ...]
    dynamic: str | None
    properties: tuple[Property, ...]
    template: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "ports": list(self.ports),
            "required_ports": list(self.required_ports),
            "dynamic": self.dynamic,
            "properties": [p.as_dict() for p in self.properties],
            "template": dict(self.template),
        }


def _is_node_ref(info: FieldInfo) -> bool:
    """A field holding a node id (a branch): `NodeId` or `NodeId | None`."""
    if any(getattr(m, "pattern", None) == _NODE_ID_PATTERN for m in info.metadata):
        return True
    origin = typing.get_origin(info.annotation)
    if origin is not typing.Union and origin is not types.UnionType:
        return False
    for arg in typing.get_args(info.annotation):
        if typing.get_origin(arg) is typing.Annotated and any(
            getattr(m, "pattern", None) == _NODE_ID_PATTERN for m in typing.get_args(arg)[1:]
        ):
            return True
    return False


def _plain(annotation: Any) -> tuple[Any, ...]:
    """The members of an annotation without `None` and `Annotated` wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
    else:
        members = [annotation]
    return tuple(
        typing.get_args(m)[0] if typing.get_origin(m) is typing.Annotated else m for m in members
    )


def _kind(name: str, info: FieldInfo) -> tuple[PropertyKind, tuple[str, ...]]:
    if name in _SPECIAL_KINDS:
        return _SPECIAL_KINDS[name], ()
    members = _plain(info.annotation)
    if len(members) == 1:
        member = members[0]
        if typing.get_origin(member) is Literal:
            return "choice", tuple(str(a) for a in typing.get_args(member))
        if typing.get_origin(member) is tuple:
            inner = typing.get_args(member)[0]
            inner = (
                typing.get_args(inner)[0] if typing.get_origin(inner) is typing.Annotated else inner
            )
            if inner is Prompt:
                return "prompts", ()
            return "list", ()
        if member is bool:
            return "bool", ()
        if member in (int, float):
            return "number", ()
        if member is str:
            return "text", ()
        if isinstance(member, type) and issubclass(member, BaseModel):
            return "group", ()  # its fields on a sub-form of their own
    return "json", ()


def _property(name: str, info: FieldInfo) -> Property:
    kind_of, choices = _kind(name, info)
    fields: tuple[Property, ...] = ()
    if kind_of == "group":
        model = _plain(info.annotation)[0]
        fields = tuple(_property(n, i) for n, i in model.model_fields.items())
    return Property(name, kind_of, info.is_required(), _default(info), choices, fields)


def _default(info: FieldInfo) -> Any:
    if info.is_required():
        return None
    value = info.get_default(call_default_factory=True)
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


_TEMPLATES: dict[str, dict[str, Any]] = {
    "play": {"prompt": {"tts": ""}},
    "menu": {"prompt": {"tts": ""}, "options": ["1"]},
    "collect": {"prompt": {"tts": ""}, "variable": "entry"},
    "condition": {"branches": [{"when": ""}]},
    "hours": {"calendar": ""},
    "lookup": {},
    "set": {"assign": {}},
    "queue": {"queue": ""},
    "voicemail": {},
    "callback": {
        "queue": "",
        "prompt": {"tts": ""},
        "confirm_prompt": {"tts": ""},
        "number_prompt": {"tts": ""},
    },
    "transfer": {"to": "queue", "target": ""},
    "survey": {"prompt": {"tts": ""}},
    "ticket": {"department": "", "subject": ""},
    "ticket_status": {},
    "bot": {"hand_off": ""},
    "emergency": {"announcement": {"tts": ""}},
    "hangup": {},
}


def palette() -> list[PaletteEntry]:
    """Every node type of the schema, in the schema's order."""
    entries = []
    for kind, model in NODE_TYPES.items():
        ports: list[str] = []
        required: list[str] = []
        properties: list[Property] = []
        for name, info in model.model_fields.items():
            if name == "type":
                continue
            if _is_node_ref(info):
                ports.append(name)
                if info.is_required():
                    required.append(name)
                continue
            properties.append(_property(name, info))
        entries.append(
            PaletteEntry(
                kind,
                tuple(ports),
                tuple(required),
                _DYNAMIC.get(kind),
                tuple(properties),
                _TEMPLATES.get(kind, {}),
            )
        )
    return entries


def ports_of(node_type: str, props: Mapping[str, Any]) -> list[str]:
    """The output ports of one box, in order: its variable ones (menu keys, condition
    branches) first, then the fixed ones of its type. Unknown types have none."""
    model = NODE_TYPES.get(node_type)
    if model is None:
        return []
    found: list[str] = []
    dynamic = _DYNAMIC.get(node_type)
    if dynamic == "options":
        keys = props.get("options")
        found += [f"options.{k}" for k in keys] if isinstance(keys, list) else []
    elif dynamic == "branches":
        branches = props.get("branches")
        count = len(branches) if isinstance(branches, list) else 0
        found += [f"branches.{i}.next" for i in range(count)]
    found += [n for n, info in model.model_fields.items() if n != "type" and _is_node_ref(info)]
    return found


def layout(
    start: str | None, edges: Sequence[tuple[str, str]], ids: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """Positions in layers from left to right: a box's column is its shortest distance from
    the start; boxes no branch reaches go in columns after the last one."""
    depth: dict[str, int] = {}
    if start is not None and start in ids:
        depth[start] = 0
        frontier: list[str] = [start]
        while frontier:
            following: list[str] = []
            for node in frontier:
                for source, target in edges:
                    if source == node and target in ids and target not in depth:
                        depth[target] = depth[node] + 1
                        following.append(target)
            frontier = following
    last = max(depth.values(), default=-1)
    for node in ids:
        if node not in depth:
            last += 1
            depth[node] = last
    rows: dict[int, int] = {}
    positions: dict[str, tuple[int, int]] = {}
    for node in ids:
        column = depth[node]
        row = rows.get(column, 0)
        rows[column] = row + 1
        positions[node] = (40 + column * COLUMN_WIDTH, 40 + row * ROW_HEIGHT)
    return positions


def json_ready(data: Any) -> Any:
    """YAML data as JSON would carry it: dates (holidays, special days) become ISO text,
    which the schema reads back as the same dates."""
    if isinstance(data, Mapping):
        return {
            k.isoformat() if isinstance(k, dt.date) else k: json_ready(v) for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [json_ready(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


def _split_node(node_id: str, raw: Any) -> tuple[str, dict[str, Any], list[tuple[str, str]]]:
    """A document node → (type, properties, [(port, target)])."""
    if not isinstance(raw, Mapping):
        return "", {"value": raw}, []
    node_type = str(raw.get("type", ""))
    props = {k: v for k, v in raw.items() if k != "type"}
    wires: list[tuple[str, str]] = []
    if node_type not in NODE_TYPES:
        return node_type, props, wires
    port_fields = set(ports_of(node_type, {}))
    for name in list(props):
        if name in port_fields and isinstance(props[name], str):
            wires.append((name, props.pop(name)))
    if node_type == "menu" and isinstance(props.get("options"), Mapping):
        options = props["options"]
        props["options"] = [str(k) for k in options]
        wires = [(f"options.{k}", str(v)) for k, v in options.items() if v is not None] + wires
    if node_type == "condition" and isinstance(props.get("branches"), list):
        branches = []
        for i, branch in enumerate(props["branches"]):
            if isinstance(branch, Mapping):
                target = branch.get("next")
                if isinstance(target, str):
                    wires.insert(i, (f"branches.{i}.next", target))
                branches.append({k: v for k, v in branch.items() if k != "next"})
            else:
                branches.append(branch)
        props["branches"] = branches
    return node_type, props, wires


def to_designer(
    data: Mapping[str, Any], positions: Mapping[str, tuple[int, int]] | None = None
) -> dict[str, Any]:
    """Flow document data → the designer's graph (`flow` settings, `nodes`, `edges`), JSON
    ready. Boxes stand at their stored `positions` (flows/layout.py); the others are laid out
    in layers, below the stored ones when there are any."""
    data = json_ready(data)
    nodes_in = data.get("nodes")
    nodes_in = nodes_in if isinstance(nodes_in, Mapping) else {}
    settings = {k: v for k, v in data.items() if k != "nodes"}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, str]] = []
    for node_id, raw in nodes_in.items():
        node_type, props, wires = _split_node(str(node_id), raw)
        nodes.append({"id": str(node_id), "type": node_type, "props": props})
        edges += [{"source": str(node_id), "port": p, "target": t} for p, t in wires]
    start = data.get("start")
    ids = {n["id"] for n in nodes}
    stored = {n: p for n, p in (positions or {}).items() if n in ids}
    auto = layout(
        start if isinstance(start, str) else None,
        [(e["source"], e["target"]) for e in edges],
        [n["id"] for n in nodes],
    )
    below = max((y for _, y in stored.values()), default=-ROW_HEIGHT) + ROW_HEIGHT
    for node in nodes:
        x, y = auto[node["id"]]
        node["x"], node["y"] = stored.get(node["id"], (x, y + below if stored else y))
    return {"flow": settings, "nodes": nodes, "edges": edges}


def _join_node(node: Mapping[str, Any], wires: Mapping[str, str]) -> dict[str, Any]:
    """A designer box and its wires → a document node (ports in the schema's field order)."""
    node_type = str(node.get("type", ""))
    props = dict(node.get("props") or {})
    out: dict[str, Any] = {"type": node_type}
    model = NODE_TYPES.get(node_type)
    if model is None:
        return {**out, **props}
    if node_type == "menu" and isinstance(props.get("options"), list):
        props["options"] = {str(k): wires.get(f"options.{k}") for k in props["options"]}
    if node_type == "condition" and isinstance(props.get("branches"), list):
        props["branches"] = [
            {**b, "next": wires.get(f"branches.{i}.next")} if isinstance(b, Mapping) else b
            for i, b in enumerate(props["branches"])
        ]
    for name, info in model.model_fields.items():
        if name == "type":
            continue
        if _is_node_ref(info):
            if name in wires:
                out[name] = wires[name]
        elif name in props:
            out[name] = props.pop(name)
    out.update(props)  # fields the schema does not know: kept, so the checker names them
    return out


def from_designer(graph: Mapping[str, Any]) -> dict[str, Any]:
    """The designer's graph → flow document data (which `check_flow` then judges)."""
    settings = dict(graph.get("flow") or {})
    wires: dict[str, dict[str, str]] = {}
    for edge in graph.get("edges") or ():
        source, port, target = edge.get("source"), edge.get("port"), edge.get("target")
        if isinstance(source, str) and isinstance(port, str) and isinstance(target, str):
            wires.setdefault(source, {})[port] = target
    nodes: dict[str, Any] = {}
    for node in graph.get("nodes") or ():
        node_id = str(node.get("id", ""))
        nodes[node_id] = _join_node(node, wires.get(node_id, {}))
    return {**settings, "nodes": nodes}
