"""A named reader's place in a tenant's event log (`projection_cursors`), and the events of
one type after it: followers that must act on each event once (ADR 0162) move the cursor in
the transaction that does the work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.rows import row_dict
from hotline.store.tables import events, projection_cursors, tenants

__all__ = ["LogCursor"]


class LogCursor:
    def __init__(self, conn: AsyncConnection, name: str) -> None:
        self.conn = conn
        self.name = name

    async def position(self, tenant_id: str) -> int:
        c = projection_cursors
        q = select(c.c.seq).where(c.c.name == self.name, c.c.tenant_id == tenant_id)
        return int(await self.conn.scalar(q) or 0)

    async def move(self, tenant_id: str, seq: int) -> None:
        c = projection_cursors
        done = await self.conn.execute(
            update(c).where(c.c.name == self.name, c.c.tenant_id == tenant_id).values(seq=seq)
        )
        if done.rowcount == 0:
            await self.conn.execute(insert(c).values(name=self.name, tenant_id=tenant_id, seq=seq))

    async def events_after(
        self, tenant_id: str, after: int, event_type: str, limit: int
    ) -> list[dict[str, Any]]:
        q = (
            select(events)
            .where(events.c.tenant_id == tenant_id, events.c.seq > after)
            .where(events.c.type == event_type)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def tenants(self) -> list[str]:
        """Every tenant (the followers' catch-up at start)."""
        return [str(t) for t in await self.conn.scalars(select(tenants.c.id))]
