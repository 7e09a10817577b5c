"""`FlowService`: publish, roll back and look up flow versions through a `FlowRepository`.

The API and the CLI (`hotline flow publish / versions / rollback`) call it inside a unit of
work; interactions/ calls `active()` / `for_did()` when a call arrives and `version()` to
resume one, then `programs.get(version)` for the ready-to-run `Program`. Every change is an
event (`flow.published`, `flow.activated`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.flows.errors import FlowInvalid, FlowNotFound, FlowVersionNotFound
from hotline.flows.events import FlowActivated, FlowPublished
from hotline.flows.repository import FlowRepository
from hotline.flows.schema import Flow
from hotline.flows.validate import TicketNames, check_flow, ensure_valid
from hotline.flows.versioning import FlowVersion, ProgramCache, plan_publish, plan_rollback

__all__ = ["FlowService", "VersionInfo"]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One line of `hotline flow versions`."""

    version: int
    content_hash: str
    published_at: float
    published_by: str | None
    note: str | None
    active: bool


class FlowService:
    def __init__(
        self,
        repository: FlowRepository,
        sink: EventSink,
        clock: Clock,
        *,
        prompts_root: Path | None = None,
        programs: ProgramCache | None = None,
    ) -> None:
        self.repository = repository
        self.sink = sink
        self.clock = clock
        self.prompts_root = prompts_root
        self.programs = programs or ProgramCache()

    async def publish(
        self,
        tenant_id: str,
        flow: Flow,
        *,
        by: str | None = None,
        note: str | None = None,
        queues: Collection[str] | None = None,
        calendars: Collection[str] | None = None,
        tickets: TicketNames | None = None,
    ) -> FlowVersion:
        """Validate and publish; the new version becomes active. Identical content to the
        active version is a no-op that returns it. Raises `FlowInvalid` with every issue.
        `queues` / `calendars` / `tickets`: the center's names, when known, to check
        references against."""
        ensure_valid(
            flow,
            prompts_root=self.prompts_root,
            queues=queues,
            calendars=calendars,
            tickets=tickets,
        )
        repo = self.repository
        pointer = await repo.get_active(tenant_id, flow.name)
        active = None if pointer is None else pointer.version
        now = self.clock.now()
        plan = plan_publish(
            flow,
            await repo.list_versions(tenant_id, flow.name),
            active,
            tenant_id=tenant_id,
            now=now,
            by=by,
            note=note,
        )
        if not plan.new:
            return plan.version
        version = plan.version
        await repo.add_version(version)
        await repo.set_active(tenant_id, flow.name, version.version, at=now, by=by)
        self.sink.emit(
            FlowPublished(
                tenant_id=tenant_id,
                at=now,
                name=flow.name,
                version=version.version,
                content_hash=version.content_hash,
                published_by=by,
            )
        )
        self.sink.emit(
            FlowActivated(
                tenant_id=tenant_id,
                at=now,
                name=flow.name,
                version=version.version,
                previous_version=active,
                reason="publish",
                by=by,
            )
        )
        return version

    async def publish_document(
        self,
        tenant_id: str,
        data: Any,
        *,
        by: str | None = None,
        note: str | None = None,
        queues: Collection[str] | None = None,
        calendars: Collection[str] | None = None,
        tickets: TicketNames | None = None,
    ) -> FlowVersion:
        """Publish parsed YAML/JSON data (schema and graph checked in one go)."""
        result = check_flow(
            data,
            prompts_root=self.prompts_root,
            queues=queues,
            calendars=calendars,
            tickets=tickets,
        )
        if result.flow is None or result.issues:
            raise FlowInvalid(result.issues, name=None if result.flow is None else result.flow.name)
        return await self.publish(
            tenant_id,
            result.flow,
            by=by,
            note=note,
            queues=queues,
            calendars=calendars,
            tickets=tickets,
        )

    async def rollback(
        self, tenant_id: str, name: str, *, to: int | None = None, by: str | None = None
    ) -> FlowVersion:
        """Make an earlier version (the previous one, or `to`) the one new calls get."""
        repo = self.repository
        history = await repo.list_versions(tenant_id, name)
        if not history:
            raise FlowNotFound(f"no flow {name!r}", details={"name": name})
        pointer = await repo.get_active(tenant_id, name)
        active = None if pointer is None else pointer.version
        target = plan_rollback(history, active, to)
        now = self.clock.now()
        await repo.set_active(tenant_id, name, target, at=now, by=by)
        self.sink.emit(
            FlowActivated(
                tenant_id=tenant_id,
                at=now,
                name=name,
                version=target,
                previous_version=active,
                reason="rollback",
                by=by,
            )
        )
        return next(v for v in history if v.version == target)

    async def versions(self, tenant_id: str, name: str) -> list[VersionInfo]:
        history = await self.repository.list_versions(tenant_id, name)
        if not history:
            raise FlowNotFound(f"no flow {name!r}", details={"name": name})
        pointer = await self.repository.get_active(tenant_id, name)
        active = None if pointer is None else pointer.version
        return [
            VersionInfo(
                version=v.version,
                content_hash=v.content_hash,
                published_at=v.published_at,
                published_by=v.published_by,
                note=v.note,
                active=v.version == active,
            )
            for v in history
        ]

    async def active(self, tenant_id: str, name: str) -> FlowVersion:
        """The version a new call of flow `name` runs."""
        pointer = await self.repository.get_active(tenant_id, name)
        if pointer is None:
            raise FlowNotFound(f"no published flow {name!r}", details={"name": name})
        return await self.version(tenant_id, name, pointer.version)

    async def version(self, tenant_id: str, name: str, version: int) -> FlowVersion:
        """A given version (a call in progress keeps the one it started with)."""
        found = await self.repository.get_version(tenant_id, name, version)
        if found is None:
            raise FlowVersionNotFound(
                f"flow {name!r} has no version {version}",
                details={"name": name, "version": version},
            )
        return found

    async def for_did(self, tenant_id: str, did: str) -> FlowVersion | None:
        """The active version of the flow that answers `did`, if any."""
        name = await self.repository.find_by_did(tenant_id, did)
        return None if name is None else await self.active(tenant_id, name)
