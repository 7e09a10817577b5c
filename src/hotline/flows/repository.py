"""Where published flow versions live: the `FlowRepository` protocol and an in-memory one.

The database implementation (store/) follows the same contract; it flushes, the edge commits
(DESIGN §3.7). Versions are append-only: `add_version` refuses a number that is taken, and
nothing updates or deletes a version. The active pointer is the only thing that moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hotline.flows.errors import FlowVersionConflict, FlowVersionNotFound
from hotline.flows.versioning import FlowVersion

__all__ = ["ActivePointer", "FlowRepository", "InMemoryFlowRepository"]


@dataclass(frozen=True, slots=True)
class ActivePointer:
    version: int
    changed_at: float
    changed_by: str | None


class FlowRepository(Protocol):
    async def add_version(self, version: FlowVersion) -> None:
        """Store a new version; `FlowVersionConflict` if (tenant, name, version) exists."""
        ...

    async def get_version(self, tenant_id: str, name: str, version: int) -> FlowVersion | None: ...

    async def list_versions(self, tenant_id: str, name: str) -> list[FlowVersion]:
        """All versions of a flow, oldest first."""
        ...

    async def get_active(self, tenant_id: str, name: str) -> ActivePointer | None: ...

    async def set_active(
        self, tenant_id: str, name: str, version: int, *, at: float, by: str | None
    ) -> None:
        """Point new calls at `version` (which must exist)."""
        ...

    async def list_names(self, tenant_id: str) -> list[str]:
        """Names of the tenant's flows, sorted."""
        ...

    async def find_by_did(self, tenant_id: str, did: str) -> str | None:
        """The flow the center's number `did` is routed to (the numbers table, ADR 0200)."""
        ...


class InMemoryFlowRepository:
    """A `FlowRepository` in a dict, for tests, the simulator and the embedded demo."""

    def __init__(self) -> None:
        self._versions: dict[tuple[str, str], list[FlowVersion]] = {}
        self._active: dict[tuple[str, str], ActivePointer] = {}
        self._numbers: dict[tuple[str, str], str | None] = {}

    async def add_version(self, version: FlowVersion) -> None:
        versions = self._versions.setdefault((version.tenant_id, version.name), [])
        if any(v.version == version.version for v in versions):
            raise FlowVersionConflict(
                f"flow {version.name!r} already has a version {version.version}"
            )
        versions.append(version)
        versions.sort(key=lambda v: v.version)

    async def get_version(self, tenant_id: str, name: str, version: int) -> FlowVersion | None:
        versions = self._versions.get((tenant_id, name), [])
        return next((v for v in versions if v.version == version), None)

    async def list_versions(self, tenant_id: str, name: str) -> list[FlowVersion]:
        return list(self._versions.get((tenant_id, name), []))

    async def get_active(self, tenant_id: str, name: str) -> ActivePointer | None:
        return self._active.get((tenant_id, name))

    async def set_active(
        self, tenant_id: str, name: str, version: int, *, at: float, by: str | None
    ) -> None:
        if await self.get_version(tenant_id, name, version) is None:
            raise FlowVersionNotFound(f"flow {name!r} has no version {version}")
        self._active[(tenant_id, name)] = ActivePointer(version, at, by)

    async def list_names(self, tenant_id: str) -> list[str]:
        return sorted(name for tenant, name in self._versions if tenant == tenant_id)

    def route_number(self, tenant_id: str, did: str, flow: str | None) -> None:
        """The numbers table's row, in memory: `did` answered by `flow` (None: not routed)."""
        self._numbers[(tenant_id, did)] = flow

    async def find_by_did(self, tenant_id: str, did: str) -> str | None:
        return self._numbers.get((tenant_id, did))
