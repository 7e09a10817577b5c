"""Where the designer's boxes stand: a layout kept beside a published flow version (ADR 0191).

A layout is no part of the flow's meaning. The document, its content hash and the YAML
round-trip never see it; it is stored under the version's (tenant, name, version) key, so a
version reopens as its author left it and restoring an old version brings its own layout back.
A version without a stored layout (an imported or seeded flow, or one published from the YAML
view of a new flow) is laid out automatically (`designer.layout`). Publishing content equal to
the active version stores nothing new but keeps the boxes where they were moved to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from hotline.flows.versioning import FlowVersion

__all__ = [
    "MAX_COORDINATE",
    "FlowLayout",
    "FlowLayoutStore",
    "InMemoryFlowLayoutStore",
    "keep_layout",
    "layout_of",
]

# A canvas wider than any flow needs; positions beyond it are refused at the edge.
MAX_COORDINATE = 100_000


@dataclass(frozen=True, slots=True)
class FlowLayout:
    """Each box's top-left corner on the canvas, in canvas units (zoom 1), by node id."""

    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, positions: Mapping[str, tuple[float, float]]) -> FlowLayout:
        return cls({node: (round(x), round(y)) for node, (x, y) in positions.items()})

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> FlowLayout:
        """What the store and the API carry: `{node: {"x": …, "y": …}}`; anything else is
        left out (a layout never stops a flow from opening)."""
        kept: dict[str, tuple[int, int]] = {}
        for node, point in data.items():
            if isinstance(point, Mapping):
                x, y = point.get("x"), point.get("y")
                if isinstance(x, int | float) and isinstance(y, int | float):
                    kept[str(node)] = (round(x), round(y))
        return cls(kept)

    def restricted_to(self, node_ids: Iterable[str]) -> FlowLayout:
        """Only the boxes of these nodes (a box deleted since, or never in the flow, goes)."""
        ids = set(node_ids)
        return FlowLayout({n: p for n, p in self.positions.items() if n in ids})

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {node: {"x": x, "y": y} for node, (x, y) in self.positions.items()}

    def __bool__(self) -> bool:
        return bool(self.positions)


class FlowLayoutStore(Protocol):
    async def get(self, tenant_id: str, name: str, version: int) -> FlowLayout | None:
        """The layout kept for a version, or None (laid out automatically)."""
        ...

    async def put(
        self, tenant_id: str, name: str, version: int, layout: FlowLayout, *, at: float,
        by: str | None,
    ) -> None:  # fmt: skip
        """Keep `layout` for an existing version, replacing the one kept before."""
        ...


class InMemoryFlowLayoutStore:
    """A `FlowLayoutStore` in a dict, for tests and the embedded demo."""

    def __init__(self) -> None:
        self._layouts: dict[tuple[str, str, int], FlowLayout] = {}

    async def get(self, tenant_id: str, name: str, version: int) -> FlowLayout | None:
        return self._layouts.get((tenant_id, name, version))

    async def put(
        self, tenant_id: str, name: str, version: int, layout: FlowLayout, *, at: float,
        by: str | None,
    ) -> None:  # fmt: skip
        self._layouts[(tenant_id, name, version)] = layout


async def keep_layout(
    store: FlowLayoutStore,
    version: FlowVersion,
    layout: FlowLayout | None,
    *,
    at: float,
    by: str | None,
) -> FlowLayout | None:
    """Keep the boxes of `version`'s nodes where the author left them; None or an empty
    layout keeps what was stored (a publish from the YAML view moves nothing)."""
    if not layout:
        return await store.get(version.tenant_id, version.name, version.version)
    kept = layout.restricted_to(version.flow.nodes)
    await store.put(version.tenant_id, version.name, version.version, kept, at=at, by=by)
    return kept


async def layout_of(store: FlowLayoutStore, version: FlowVersion) -> FlowLayout | None:
    """The layout a version opens with, restricted to its nodes; None: lay it out."""
    found = await store.get(version.tenant_id, version.name, version.version)
    return found.restricted_to(version.flow.nodes) if found else None
