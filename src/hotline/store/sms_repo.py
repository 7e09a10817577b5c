"""The SMS layer's rows on SQL: messages, their parts' provider ids and status, the
opt-out list, each center's settings. Flushes only; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.rows import row_dict
from hotline.store.sms_tables import sms_messages, sms_opt_outs, sms_parts, sms_settings

__all__ = ["SqlSms"]


class SqlSms:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # -- messages and parts --
    async def add_message(self, values: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(sms_messages).values(**values))

    async def update_message(
        self, tenant_id: str, message_id: str, values: Mapping[str, Any]
    ) -> None:
        await self.conn.execute(
            update(sms_messages)
            .where(sms_messages.c.tenant_id == tenant_id, sms_messages.c.id == message_id)
            .values(**values)
        )

    async def message(self, tenant_id: str, message_id: str) -> dict[str, Any] | None:
        q = select(sms_messages).where(
            sms_messages.c.tenant_id == tenant_id, sms_messages.c.id == message_id
        )
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def messages(
        self, tenant_id: str, *, number: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        q = select(sms_messages).where(sms_messages.c.tenant_id == tenant_id)
        if number is not None:
            q = q.where((sms_messages.c.sender == number) | (sms_messages.c.recipient == number))
        q = q.order_by(sms_messages.c.created_at.desc(), sms_messages.c.id.desc()).limit(limit)
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def add_part(self, values: Mapping[str, Any]) -> None:
        await self.conn.execute(insert(sms_parts).values(**values))

    async def part(self, tenant_id: str, provider: str, provider_id: str) -> dict[str, Any] | None:
        q = select(sms_parts).where(
            sms_parts.c.tenant_id == tenant_id,
            sms_parts.c.provider == provider,
            sms_parts.c.provider_id == provider_id,
        )
        row = (await self.conn.execute(q)).first()
        return row_dict(row) if row else None

    async def parts_of(self, message_id: str) -> list[dict[str, Any]]:
        q = select(sms_parts).where(sms_parts.c.message_id == message_id).order_by(sms_parts.c.part)
        return [row_dict(r) for r in await self.conn.execute(q)]

    async def update_part(
        self, tenant_id: str, provider: str, provider_id: str, values: Mapping[str, Any]
    ) -> None:
        await self.conn.execute(
            update(sms_parts)
            .where(
                sms_parts.c.tenant_id == tenant_id,
                sms_parts.c.provider == provider,
                sms_parts.c.provider_id == provider_id,
            )
            .values(**values)
        )

    # -- opt-outs --
    async def opted_out(self, tenant_id: str, number: str) -> bool:
        q = select(sms_opt_outs.c.number).where(
            sms_opt_outs.c.tenant_id == tenant_id, sms_opt_outs.c.number == number
        )
        return (await self.conn.execute(q)).first() is not None

    async def opt_out(
        self, tenant_id: str, number: str, *, source: str, word: str | None, now: float
    ) -> bool:
        """Puts the number on the list; False if it was already there."""
        if await self.opted_out(tenant_id, number):
            return False
        await self.conn.execute(
            insert(sms_opt_outs).values(
                tenant_id=tenant_id, number=number, source=source, word=word, created_at=now
            )
        )
        return True

    async def opt_in(self, tenant_id: str, number: str) -> bool:
        result = await self.conn.execute(
            delete(sms_opt_outs).where(
                sms_opt_outs.c.tenant_id == tenant_id, sms_opt_outs.c.number == number
            )
        )
        return bool(result.rowcount)

    async def opt_outs(self, tenant_id: str) -> list[dict[str, Any]]:
        q = (
            select(sms_opt_outs)
            .where(sms_opt_outs.c.tenant_id == tenant_id)
            .order_by(sms_opt_outs.c.created_at.desc())
        )
        return [row_dict(r) for r in await self.conn.execute(q)]

    # -- settings --
    async def settings(self, tenant_id: str) -> dict[str, Any] | None:
        q = select(sms_settings.c.config).where(sms_settings.c.tenant_id == tenant_id)
        value = await self.conn.scalar(q)
        return dict(value) if value is not None else None

    async def all_settings(self) -> list[tuple[str, dict[str, Any]]]:
        rows = await self.conn.execute(select(sms_settings.c.tenant_id, sms_settings.c.config))
        return [(r.tenant_id, dict(r.config)) for r in rows]

    async def save_settings(self, tenant_id: str, config: Mapping[str, Any], now: float) -> None:
        exists = await self.settings(tenant_id) is not None
        if exists:
            await self.conn.execute(
                update(sms_settings)
                .where(sms_settings.c.tenant_id == tenant_id)
                .values(config=dict(config), updated_at=now)
            )
        else:
            await self.conn.execute(
                insert(sms_settings).values(
                    tenant_id=tenant_id, config=dict(config), updated_at=now
                )
            )
