"""Per-tenant human numbers (ticket 20315 …): bumped inside the writing transaction, so a
rolled-back write leaves no gap and two writers never get the same number."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.tables import counters

__all__ = ["SqlCounters"]


class SqlCounters:
    def __init__(self, conn: AsyncConnection, *, start: int = 10000) -> None:
        self.conn = conn
        self.start = start

    async def next(self, tenant_id: str, name: str) -> int:
        insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        await self.conn.execute(
            insert(counters)
            .values(tenant_id=tenant_id, name=name, value=self.start)
            .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
        )
        value = await self.conn.scalar(
            update(counters)
            .where(counters.c.tenant_id == tenant_id, counters.c.name == name)
            .values(value=counters.c.value + 1)
            .returning(counters.c.value)
        )
        return int(value or 0)
