"""The bot's records in the log (`flow.bot_turn`, `flow.bot_handed_off`) over a period, for
`knowledge.figures` (ADR 0259)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.knowledge.figures import HANDED_OFF, TURN, BotRecord
from hotline.store.tables import events

__all__ = ["SqlBotEvents"]


class SqlBotEvents:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def records(self, tenant_id: str, since: float, until: float) -> list[BotRecord]:
        query = (
            select(events.c.type, events.c.interaction_id, events.c.at, events.c.payload)
            .where(
                events.c.tenant_id == tenant_id,
                events.c.type.in_((TURN, HANDED_OFF)),
                events.c.at >= since,
                events.c.at < until,
            )
            .order_by(events.c.seq)
        )
        async with self._engine.connect() as conn:
            return [
                BotRecord(str(t), None if i is None else str(i), float(at), dict(p or {}))
                for t, i, at, p in await conn.execute(query)
            ]
