"""The interactions list as a projection of the event log (DESIGN §3.3): one row per
interaction, kept up to date from the bus and rebuilt from the table after a restart by a
per-tenant cursor. Nothing writes these rows but this projector, so the list can always be
thrown away and replayed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus, Subscription
from hotline.events import EventRecord
from hotline.store.engine import WRITE
from hotline.store.eventlog import SqlEventReader
from hotline.store.tables import interactions, projection_cursors, tenants

__all__ = ["InteractionProjector", "apply_record"]

log = logging.getLogger(__name__)
NAME = "contacts"

Handler = Callable[[AsyncConnection, EventRecord], Any]


async def _set(conn: AsyncConnection, record: EventRecord, **values: Any) -> None:
    await conn.execute(
        update(interactions)
        .where(
            interactions.c.tenant_id == record.tenant_id,
            interactions.c.id == record.interaction_id,
        )
        .values(**values)
    )


async def _created(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    exists = await conn.scalar(
        select(interactions.c.id).where(interactions.c.id == r.interaction_id)
    )
    if exists:
        return
    await conn.execute(
        insert(interactions).values(
            id=r.interaction_id,
            tenant_id=r.tenant_id,
            channel=p.get("channel", "voice"),
            direction=p.get("direction", "inbound"),
            caller_number=p.get("caller_number"),
            did=p.get("did"),
            customer_id=p.get("customer_id"),
            vip_level=p.get("vip_level"),
            flow=p.get("flow"),
            agents=[],
            queues=[],
            segments=0,
            consulted=False,
            started_at=r.at,
            abandoned=False,
            voicemail=False,
            callback=False,
            transferred=False,
            recorded=False,
        )
    )


async def _entered(conn: AsyncConnection, r: EventRecord) -> None:
    row = (
        await conn.execute(
            select(interactions.c.queue_id).where(interactions.c.id == r.interaction_id)
        )
    ).first()
    if row is not None and row.queue_id is None:
        await _set(conn, r, queue_id=r.payload.get("queue_id"))


async def _answered(conn: AsyncConnection, r: EventRecord) -> None:
    row = (
        await conn.execute(
            select(interactions.c.agents, interactions.c.answered_at).where(
                interactions.c.id == r.interaction_id
            )
        )
    ).first()
    if row is None:
        return
    agents = list(row.agents)
    if r.agent_id and r.agent_id not in agents:
        agents.append(r.agent_id)
    await _set(
        conn,
        r,
        agent_id=r.agent_id,
        agents=agents,
        answered_at=row.answered_at or r.at,
        wait_s=r.payload.get("wait_s"),
    )


async def _ended(conn: AsyncConnection, r: EventRecord) -> None:
    p = r.payload
    await _set(
        conn,
        r,
        ended_at=r.at,
        outcome=p.get("reason"),
        cause=p.get("cause"),
        talk_s=p.get("talk_s"),
        hold_s=p.get("hold_s"),
        total_s=p.get("total_s"),
        abandoned=p.get("reason") == "abandoned",
    )


async def _flag(name: str, conn: AsyncConnection, r: EventRecord) -> None:
    await _set(conn, r, **{name: True})


async def _dispositioned(conn: AsyncConnection, r: EventRecord) -> None:
    await _set(conn, r, disposition=r.payload.get("disposition"), notes=r.payload.get("notes"))


async def _survey(conn: AsyncConnection, r: EventRecord) -> None:
    await _set(conn, r, csat=r.payload.get("rating"))


async def _followed_up(conn: AsyncConnection, r: EventRecord) -> None:
    await _set(conn, r, followed_up_at=r.at)


HANDLERS: dict[str, Handler] = {
    "interaction.created": _created,
    "queue.entered": _entered,
    "queue.answered": _answered,
    "interaction.ended": _ended,
    "interaction.transferred": lambda c, r: _flag("transferred", c, r),
    "voicemail.recorded": lambda c, r: _flag("voicemail", c, r),
    "queue.callback_requested": lambda c, r: _flag("callback", c, r),
    "queue.abandoned": lambda c, r: _flag("abandoned", c, r),
    "recording.stopped": lambda c, r: _flag("recorded", c, r),
    "interaction.dispositioned": _dispositioned,
    "flow.survey_answered": _survey,
    "interaction.followed_up": _followed_up,
}


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
        async with self._engine.connect() as conn:
            cursor = await self._cursor(conn, tenant_id)
        while True:
            batch = await self._reader.read_since(tenant_id, cursor, limit=2000)
            if not batch:
                return cursor
            await self.apply_batch(tenant_id, batch)
            cursor = batch[-1].seq

    async def start(self) -> None:
        # Subscribe first, then catch up: a record committed in between arrives by the bus and
        # the cursor skips what the catch-up already applied.
        sub = self._bus.subscribe(types=set(HANDLERS))
        async with self._engine.connect() as conn:
            tenant_ids = [str(t) for t in (await conn.execute(select(tenants.c.id))).scalars()]
        cursors = {t: await self.catch_up(t) for t in tenant_ids}
        self._task = asyncio.create_task(self._follow(sub, cursors), name="interaction-projector")

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
                    log.exception("interaction projection failed; it catches up at restart")
            pending.clear()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
