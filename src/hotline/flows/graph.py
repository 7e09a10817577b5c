"""A flow as a plain graph, for the admin page's diagram and `hotline flow graph`.

`flow_graph(flow)` gives JSON-ready nodes and edges (the web layer draws them); `to_mermaid`
writes the same graph as a Mermaid flowchart that renders in docs and code review.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from hotline.flows.schema import Flow

__all__ = ["FlowGraph", "GraphEdge", "GraphNode", "flow_graph", "to_mermaid"]


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    type: str
    title: str | None
    start: bool


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    field: str  # the branch: "options.1", "no_answer" …
    waits: bool


@dataclass(frozen=True, slots=True)
class FlowGraph:
    name: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def flow_graph(flow: Flow) -> FlowGraph:
    nodes = tuple(
        GraphNode(node_id, node.kind, node.title, node_id == flow.start)
        for node_id, node in flow.nodes.items()
    )
    edges = tuple(
        GraphEdge(node_id, edge.target, edge.field, edge.waits)
        for node_id, node in flow.nodes.items()
        for edge in node.edges()
    )
    return FlowGraph(flow.name, nodes, edges)


def _label(text: str) -> str:
    return text.replace('"', "'")


def to_mermaid(flow: Flow) -> str:
    graph = flow_graph(flow)
    ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart TD"]
    for node in graph.nodes:
        label = _label(f"{node.id} ({node.type})" + (f"<br/>{node.title}" if node.title else ""))
        shape = f'(["{label}"])' if node.start else f'["{label}"]'
        lines.append(f"    {ids[node.id]}{shape}")
    for edge in graph.edges:
        arrow = "-->" if edge.waits else "-.->"
        target = ids.get(edge.target, edge.target)
        lines.append(f"    {ids[edge.source]} {arrow}|{_label(edge.field)}| {target}")
    return "\n".join(lines) + "\n"
