"""The contact projections of the event log (DESIGN §3.3, ADR 0065): the contacts list, each
contact's work items and agent segments, and the worklist of missed contacts — kept up to date
from the bus and caught up from the log after a restart by a per-tenant cursor. Nothing else
writes these rows, so they can always be thrown away and rebuilt from seq 0 (`rebuild`), as
migration 0011 does for a database written by version 1 (its records are converted on read).
How each record moves them: `store/contact_records.py`; a batch's rows are read once, moved in
memory and written once (`store/contact_batch.py`, ADR 0199)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus, Subscription
from hotline.events import EventRecord
from hotline.store.contact_batch import ContactBatch
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

__all__ = ["PROJECTED_TABLES", "InteractionProjector", "apply_records"]

log = logging.getLogger(__name__)
NAME = "contacts"
PROGRESS_EVERY = 50_000  # records between two progress lines of a long catch-up
# How long the follower lets records gather after the first one of a batch (ADR 0199). None:
# the lists agents act on (the missed-call worklist, contacts) are read right after a command
# (a page refreshes once after "Mark handled"), and records queued while a batch is written
# make the next batch anyway under load. Seen in CI: at 0.1 s the refreshed worklist still
# showed the contact just marked handled.
GATHER_S = 0.0
BATCH_MAX = 2000

PROJECTED_TABLES = (interactions, work_items, agent_segments, worklist)


async def apply_records(conn: AsyncConnection, tenant_id: str, records: list[EventRecord]) -> int:
    """Move the projections by records of one tenant (in seq order): their rows are read
    once, changed in memory and written once (ADR 0199); the statements written."""
    mine = [r for r in records if r.interaction_id and r.type in HANDLERS]
    if not mine:
        return 0
    batch = ContactBatch(tenant_id)
    await batch.load(conn, mine)
    for record in mine:
        HANDLERS[record.type](batch, record)
    return await batch.flush(conn)


class InteractionProjector:
    def __init__(self, engine: AsyncEngine, bus: EventBus, *, gather_s: float = GATHER_S) -> None:
        self._engine = engine
        self._gather_s = gather_s
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
                fresh = [record for record in records if record.seq > cursor]
                if not fresh:
                    return
                await apply_records(conn, tenant_id, fresh)
                await self._save(conn, tenant_id, fresh[-1].seq)
                self.applied += len(fresh)

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
            if self._gather_s > 0:
                await asyncio.sleep(self._gather_s)
            # Take whatever else is queued, then write each tenant's in one transaction.
            taken = 1
            while sub.has_pending() and taken < BATCH_MAX:
                more = await sub.get()
                pending.setdefault(more.tenant_id, []).append(more)
                taken += 1
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
