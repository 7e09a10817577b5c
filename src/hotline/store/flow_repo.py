"""SQL implementations of the flows' `FlowRepository` and `EmergencySwitchStore`."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.flows.emergency import EmergencyState
from hotline.flows.errors import FlowVersionConflict, FlowVersionNotFound
from hotline.flows.layout import FlowLayout
from hotline.flows.loader import parse_flow
from hotline.flows.repository import ActivePointer
from hotline.flows.versioning import FlowVersion
from hotline.store.tables import (
    dids,
    emergency_switch,
    flow_active,
    flow_layouts,
    flow_versions,
)

__all__ = ["SqlEmergencySwitchStore", "SqlFlowLayoutStore", "SqlFlowRepository"]


def _version(row: Any) -> FlowVersion:
    return FlowVersion(
        tenant_id=row.tenant_id,
        name=row.name,
        version=int(row.version),
        content_hash=row.content_hash,
        flow=parse_flow(dict(row.document)),
        published_at=float(row.published_at),
        published_by=row.published_by,
        note=row.note,
    )


class SqlFlowRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add_version(self, version: FlowVersion) -> None:
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(
                    insert(flow_versions).values(
                        tenant_id=version.tenant_id,
                        name=version.name,
                        version=version.version,
                        content_hash=version.content_hash,
                        document=version.document(),
                        published_at=version.published_at,
                        published_by=version.published_by,
                        note=version.note,
                    )
                )
        except IntegrityError:
            raise FlowVersionConflict(
                f"flow {version.name!r} already has a version {version.version}"
            ) from None

    async def get_version(self, tenant_id: str, name: str, version: int) -> FlowVersion | None:
        q = select(flow_versions).where(
            flow_versions.c.tenant_id == tenant_id,
            flow_versions.c.name == name,
            flow_versions.c.version == version,
        )
        row = (await self.conn.execute(q)).first()
        return _version(row) if row else None

    async def list_versions(self, tenant_id: str, name: str) -> list[FlowVersion]:
        q = (
            select(flow_versions)
            .where(flow_versions.c.tenant_id == tenant_id, flow_versions.c.name == name)
            .order_by(flow_versions.c.version)
        )
        return [_version(r) for r in await self.conn.execute(q)]

    async def get_active(self, tenant_id: str, name: str) -> ActivePointer | None:
        q = select(flow_active).where(
            flow_active.c.tenant_id == tenant_id, flow_active.c.name == name
        )
        row = (await self.conn.execute(q)).first()
        return (
            ActivePointer(int(row.version), float(row.changed_at), row.changed_by) if row else None
        )

    async def set_active(
        self, tenant_id: str, name: str, version: int, *, at: float, by: str | None
    ) -> None:
        if await self.get_version(tenant_id, name, version) is None:
            raise FlowVersionNotFound(f"flow {name!r} has no version {version}")
        values = {"version": version, "changed_at": at, "changed_by": by}
        if await self.get_active(tenant_id, name) is None:
            await self.conn.execute(
                insert(flow_active).values(tenant_id=tenant_id, name=name, **values)
            )
        else:
            await self.conn.execute(
                update(flow_active)
                .where(flow_active.c.tenant_id == tenant_id, flow_active.c.name == name)
                .values(**values)
            )

    async def list_names(self, tenant_id: str) -> list[str]:
        q = (
            select(flow_versions.c.name)
            .where(flow_versions.c.tenant_id == tenant_id)
            .distinct()
            .order_by(flow_versions.c.name)
        )
        return [str(n) for n in (await self.conn.execute(q)).scalars()]

    async def find_by_did(self, tenant_id: str, did: str) -> str | None:
        """The numbers table is the one route (ADR 0200); a flow's `dids` are not read here."""
        q = select(dids.c.flow).where(dids.c.tenant_id == tenant_id, dids.c.number == did)
        bound = await self.conn.scalar(q)
        return str(bound) if bound else None


class SqlEmergencySwitchStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: str) -> EmergencyState:
        q = select(emergency_switch.c.state).where(emergency_switch.c.tenant_id == tenant_id)
        state = await self.conn.scalar(q)
        return EmergencyState(**state) if state else EmergencyState()

    async def put(self, tenant_id: str, state: EmergencyState) -> None:
        await self.conn.execute(
            delete(emergency_switch).where(emergency_switch.c.tenant_id == tenant_id)
        )
        await self.conn.execute(
            insert(emergency_switch).values(tenant_id=tenant_id, state=dataclasses.asdict(state))
        )


class SqlFlowLayoutStore:
    """`FlowLayoutStore` over the `flow_layouts` table: one row per version, replaced."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: str, name: str, version: int) -> FlowLayout | None:
        q = select(flow_layouts.c.positions).where(
            flow_layouts.c.tenant_id == tenant_id,
            flow_layouts.c.name == name,
            flow_layouts.c.version == version,
        )
        positions = await self.conn.scalar(q)
        return FlowLayout.from_data(positions) if isinstance(positions, dict) else None

    async def put(
        self, tenant_id: str, name: str, version: int, layout: FlowLayout, *, at: float,
        by: str | None,
    ) -> None:  # fmt: skip
        key = (
            flow_layouts.c.tenant_id == tenant_id,
            flow_layouts.c.name == name,
            flow_layouts.c.version == version,
        )
        await self.conn.execute(delete(flow_layouts).where(*key))
        await self.conn.execute(
            insert(flow_layouts).values(
                tenant_id=tenant_id,
                name=name,
                version=version,
                positions=layout.as_dict(),
                saved_at=at,
                saved_by=by,
            )
        )
