"""Webhooks and their deliveries on SQL; the event log read after a webhook's cursor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.rows import count, row_dict
from hotline.store.tables import events
from hotline.store.ticket_tables import webhook_deliveries, webhooks

__all__ = ["SqlWebhooks"]


class SqlWebhooks:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def webhooks(
        self, tenant_id: str | None, *, active_only: bool = False
    ) -> list[dict[str, Any]]:
        q = select(webhooks).order_by(webhooks.c.name)
        if tenant_id is not None:
            q = q.where(webhooks.c.tenant_id == tenant_id)
        if active_only:
            q = q.where(webhooks.c.active)
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def webhook(self, tenant_id: str, webhook_id: str) -> dict[str, Any] | None:
        q = select(webhooks).where(webhooks.c.tenant_id == tenant_id, webhooks.c.id == webhook_id)
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def add_webhook(self, values: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(webhooks).values(**values))

    async def update_webhook(
        self, tenant_id: str, webhook_id: str, values: Mapping[str, Any]
    ) -> None:
        await self.conn.execute(
            update(webhooks)
            .where(webhooks.c.tenant_id == tenant_id, webhooks.c.id == webhook_id)
            .values(**values)
        )

    async def delete_webhook(self, tenant_id: str, webhook_id: str) -> None:
        await self.conn.execute(
            webhooks.delete().where(webhooks.c.tenant_id == tenant_id, webhooks.c.id == webhook_id)
        )

    async def last_seq(self, tenant_id: str) -> int:
        q = select(func.max(events.c.seq)).where(events.c.tenant_id == tenant_id)
        return int(await self.conn.scalar(q) or 0)

    async def events_after(self, tenant_id: str, after: int, limit: int) -> list[dict[str, Any]]:
        q = (
            select(events)
            .where(events.c.tenant_id == tenant_id, events.c.seq > after)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def add_delivery(self, values: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(webhook_deliveries).values(**values))

    async def delivery(self, tenant_id: str | None, delivery_id: str) -> dict[str, Any] | None:
        d = webhook_deliveries
        q = select(d).where(d.c.id == delivery_id)
        if tenant_id is not None:
            q = q.where(d.c.tenant_id == tenant_id)
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def deliveries(
        self, tenant_id: str, *, state: str | None, webhook_id: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        d = webhook_deliveries
        q = select(d).where(d.c.tenant_id == tenant_id)
        if state is not None:
            q = q.where(d.c.state == state)
        if webhook_id is not None:
            q = q.where(d.c.webhook_id == webhook_id)
        total = await count(self.conn, q)
        rows = await self.conn.execute(
            q.order_by(d.c.created_at.desc(), d.c.id.desc()).limit(limit).offset(offset)
        )
        return [row_dict(r) for r in rows], total

    async def set_delivery(self, delivery_id: str, values: Mapping[str, Any]) -> None:
        d = webhook_deliveries
        await self.conn.execute(update(d).where(d.c.id == delivery_id).values(**values))
