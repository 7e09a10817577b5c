"""The contact projections of the event log (DESIGN §3.3, ADR 0065): the contacts list, each
contact's work items and agent segments, and the worklist of missed contacts — kept up to date
from the bus and caught up from the log after a restart by a per-tenant cursor. Nothing else
writes these rows, so they can always be thrown away and rebuilt from seq 0 (`rebuild`), as
migration 0011 does for a database written by version 1 (its records are converted on read).
How each record moves them: `store/contact_records.py`."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus, Subscription
from hotline.events import EventRecord
from hotline.store.contact_records import HANDLERS
from hotline.store.engine import WRITE
from hotline.store.eventlog import SqlEventReader
from hotline.store.tables import (
    agent_segments,
    interactions,
    projection_cursors,
    tenants,
    work_items,
    worklist,
)

__all__ = ["PROJECTED_TABLES", "InteractionProjector", "apply_record"]

log = logging.getLogger(__name__)
NAME = "contacts"
PROGRESS_EVERY = 50_000  # records between two progress lines of a long catch-up

PROJECTED_TABLES = (interactions, work_items, agent_segments, worklist)


async def apply_record(conn: AsyncConnection, record: EventRecord) -> None:
    handler = HANDLERS.get(record.type)
    if handler is not None and record.interaction_id:
        await handler(conn, record)


class InteractionProjector:
    def __init__(self, engine: AsyncEngine, bus: EventBus) -> None:
        self._engine = engine
        self._bus = bus
        self._reader = SqlEventReader(engine)
        self._task: asyncio.Task[None] | None = None
        self.applied = 0
        self.caught_up = asyncio.Event()

    async def _cursor(self, conn: AsyncConnection, tenant_id: str) -> int:
        q = select(projection_cursors.c.seq).where(
            projection_cursors.c.name == NAME, projection_cursors.c.tenant_id == tenant_id
        )
        return int(await conn.scalar(q) or 0)

    async def _save(self, conn: AsyncConnection, tenant_id: str, seq: int) -> None:
        done = await conn.execute(
            update(projection_cursors)
            .where(projection_cursors.c.name == NAME, projection_cursors.c.tenant_id == tenant_id)
            .values(seq=seq)
        )
        if done.rowcount == 0:
            await conn.execute(
                insert(projection_cursors).values(name=NAME, tenant_id=tenant_id, seq=seq)
            )

    async def apply_batch(self, tenant_id: str, records: list[EventRecord]) -> None:
        """Apply records (in seq order) and move the cursor, in one transaction."""
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                cursor = await self._cursor(conn, tenant_id)
                last = cursor
                for record in records:
                    if record.seq <= cursor:
                        continue
                    await apply_record(conn, record)
                    last = record.seq
                    self.applied += 1
                if last > cursor:
                    await self._save(conn, tenant_id, last)

    async def catch_up(self, tenant_id: str) -> int:
        """Apply the tenant's records after its cursor; the last seq. A long one (the rebuild
        after an upgrade) logs its progress."""
        async with self._engine.connect() as conn:
            cursor = await self._cursor(conn, tenant_id)
        start, reported = cursor, cursor
        latest = self._bus.latest_seq(tenant_id)
        while True:
            batch = await self._reader.read_since(tenant_id, cursor, limit=2000)
            if not batch:
                if cursor - start >= PROGRESS_EVERY:
                    log.info(
                        "contact projection of tenant %s: caught up at seq %d", tenant_id, cursor
                    )
                return cursor
            await self.apply_batch(tenant_id, batch)
            cursor = batch[-1].seq
            if cursor - reported >= PROGRESS_EVERY:
                reported = cursor
                log.info(
                    "contact projection of tenant %s: at seq %d of %d",
                    tenant_id,
                    cursor,
                    max(latest, cursor),
                )

    async def rebuild(self, tenant_id: str) -> int:
        """Throw the tenant's rows away and project its whole log again; the last seq."""
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                for table in PROJECTED_TABLES:
                    await conn.execute(delete(table).where(table.c.tenant_id == tenant_id))
                await conn.execute(
                    delete(projection_cursors).where(
                        projection_cursors.c.name == NAME,
                        projection_cursors.c.tenant_id == tenant_id,
                    )
                )
        return await self.catch_up(tenant_id)

    async def start(self) -> None:
        """Catch up, then follow the bus — in the background: after an upgrade the catch-up is
        a rebuild of the whole log, which must not hold the server's start (the pages fill in
        as it goes; `caught_up` is set when it is done)."""
        # Subscribe first, then catch up: a record committed in between arrives by the bus and
        # the cursor skips what the catch-up already applied.
        sub = self._bus.subscribe(types=set(HANDLERS))
        self._task = asyncio.create_task(self._run(sub), name="contact-projector")

    async def _run(self, sub: Subscription) -> None:
        async with self._engine.connect() as conn:
            tenant_ids = [str(t) for t in (await conn.execute(select(tenants.c.id))).scalars()]
        cursors = {t: await self.catch_up(t) for t in tenant_ids}
        self.caught_up.set()
        await self._follow(sub, cursors)

    async def _follow(self, sub: Subscription, cursors: dict[str, int]) -> None:
        pending: dict[str, list[EventRecord]] = {}
        while True:
            record = await sub.get()
            pending.setdefault(record.tenant_id, []).append(record)
            # Take whatever else is already queued, then write it in one transaction.
            while sub.has_pending() and sum(map(len, pending.values())) < 500:
                more = await sub.get()
                pending.setdefault(more.tenant_id, []).append(more)
            for tenant_id, records in pending.items():
                try:
                    if tenant_id not in cursors:
                        cursors[tenant_id] = await self.catch_up(tenant_id)
                    await self.apply_batch(tenant_id, records)
                except Exception:
                    log.exception("contact projection failed; it catches up at restart")
            pending.clear()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
