"""Does a referenced interaction exist? Answered from the event log (DESIGN §3.3: an interaction
exists once `interaction.created` is logged), so a ticket written a moment after the call began
does not wait for the interactions projection to catch up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.tables import events

__all__ = ["SqlInteractionRefs"]


class SqlInteractionRefs:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def exists(self, tenant_id: str, interaction_id: str) -> bool:
        q = (
            select(events.c.seq)
            .where(events.c.tenant_id == tenant_id, events.c.interaction_id == interaction_id)
            .limit(1)
        )
        return (await self.conn.scalar(q)) is not None
