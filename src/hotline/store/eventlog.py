"""The interaction log: append first, then publish (DESIGN §3.3).

`EventLog.emit()` never blocks the caller: events queue in memory and a single writer task
commits them in batches (group commit) every `batch_window` (≤ 50 ms). Each batch is one
transaction that also bumps the tenant's row in `event_sequences`, so `seq` is gap-free per
tenant even with several writers (other processes, or a unit of work committing API changes with
their events). Only after the commit are the records published on the bus. A `kill -9` loses at
most the events still queued — never one whose future has resolved (acknowledged).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus
from hotline.events import DomainEvent, EventRecord
from hotline.store.engine import WRITE
from hotline.store.tables import contact_aliases, event_sequences, events
from hotline.store.upcast import Alias, upcast

__all__ = ["EventLog", "FencedOut", "SqlEventReader", "latest_sequences", "write_events"]

log = logging.getLogger(__name__)


class FencedOut(Exception):
    """A center's log refused a write: this node's ownership token is below the fence a newer
    owner raised (ADR 0209). Nothing of the batch was written."""

    def __init__(self, tenant_id: str, token: int) -> None:
        super().__init__(f"tenant {tenant_id}: ownership token {token} is fenced out")
        self.tenant_id = tenant_id
        self.token = token


async def _allocate(conn: AsyncConnection, tenant_id: str, count: int, token: int | None) -> int:
    """Reserve `count` sequence numbers for a tenant; returns the first one. With an ownership
    `token` (ADR 0209) the row must not have seen a higher one, else `FencedOut`."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(
        insert(event_sequences)
        .values(tenant_id=tenant_id, last_seq=0, fence=0)
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    bump = update(event_sequences).where(event_sequences.c.tenant_id == tenant_id)
    if token is None:
        bump = bump.values(last_seq=event_sequences.c.last_seq + count)
    else:
        bump = bump.where(event_sequences.c.fence <= token).values(
            last_seq=event_sequences.c.last_seq + count, fence=token
        )
    last = (await conn.execute(bump.returning(event_sequences.c.last_seq))).scalar_one_or_none()
    if last is None:
        raise FencedOut(tenant_id, token if token is not None else 0)
    return int(last) - count + 1


async def write_events(
    conn: AsyncConnection,
    batch: Sequence[DomainEvent],
    tokens: Callable[[str], int | None] | None = None,
) -> list[EventRecord]:
    """Insert events inside the caller's transaction; returns the records in append order.
    `tokens`: this node's ownership token per tenant (ADR 0209), checked against the fence."""
    by_tenant: dict[str, list[int]] = defaultdict(list)
    for index, event in enumerate(batch):
        by_tenant[event.tenant_id].append(index)
    records: list[EventRecord | None] = [None] * len(batch)
    # Lock tenants' sequence rows in a fixed order so concurrent writers cannot deadlock.
    for tenant_id in sorted(by_tenant):
        indexes = by_tenant[tenant_id]
        first = await _allocate(
            conn, tenant_id, len(indexes), tokens(tenant_id) if tokens is not None else None
        )
        for offset, index in enumerate(indexes):
            e = batch[index]
            records[index] = EventRecord(
                tenant_id=tenant_id,
                seq=first + offset,
                at=e.at,
                type=e.type,
                interaction_id=e.interaction_id,
                leg_id=e.leg_id,
                agent_id=e.agent_id,
                payload=e.payload(),
                v=e.schema_version,
            )
    done = [r for r in records if r is not None]
    await conn.execute(events.insert(), [r.row() for r in done])
    return done


async def latest_sequences(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(event_sequences.c.tenant_id, event_sequences.c.last_seq))
        return {str(t): int(s) for t, s in rows}


def _record(row: Any) -> EventRecord:
    """A row of `_with_aliases()` as a version-2 record (ADR 0061: converted on read)."""
    alias = Alias(str(row.alias_contact_id), row.alias_agent_id) if row.alias_contact_id else None
    return upcast(_stored(row), alias)


def _stored(row: Any) -> EventRecord:
    return EventRecord(
        tenant_id=row.tenant_id,
        seq=int(row.seq),
        at=float(row.at),
        type=row.type,
        interaction_id=row.interaction_id,
        leg_id=row.leg_id,
        agent_id=row.agent_id,
        payload=dict(row.payload),
        v=int(row.v),
    )


def _with_aliases() -> Any:
    """Events with the alias row of their interaction, if it is a version-1 consultation."""
    return select(
        events,
        contact_aliases.c.contact_id.label("alias_contact_id"),
        contact_aliases.c.agent_id.label("alias_agent_id"),
    ).outerjoin(
        contact_aliases,
        and_(
            contact_aliases.c.tenant_id == events.c.tenant_id,
            contact_aliases.c.alias_id == events.c.interaction_id,
        ),
    )


class SqlEventReader:
    """Reads the events table for catch-up and replay (`hotline.bus.EventReader`).

    Every record comes out as version 2: older ones are converted on read (`store/upcast.py`).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def read_since(
        self, tenant_id: str, after_seq: int, *, until_seq: int | None = None, limit: int = 1000
    ) -> list[EventRecord]:
        query = (
            _with_aliases()
            .where(events.c.tenant_id == tenant_id, events.c.seq > after_seq)
            .order_by(events.c.seq)
            .limit(limit)
        )
        if until_seq is not None:
            query = query.where(events.c.seq <= until_seq)
        async with self._engine.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]

    async def page(
        self,
        tenant_id: str,
        after_seq: int,
        *,
        limit: int,
        type_: str | None = None,
        interaction_id: str | None = None,
    ) -> list[EventRecord]:
        """A page of the log for the events API, filtered by stored type and interaction (a
        contact's own records and its folded version-1 consultations')."""
        query = (
            _with_aliases()
            .where(events.c.tenant_id == tenant_id, events.c.seq > after_seq)
            .order_by(events.c.seq)
            .limit(limit)
        )
        if type_:
            query = query.where(events.c.type == type_)
        if interaction_id:
            contact = await self.contact_of(tenant_id, interaction_id)
            folded = select(contact_aliases.c.alias_id).where(
                contact_aliases.c.tenant_id == tenant_id, contact_aliases.c.contact_id == contact
            )
            query = query.where(
                or_(events.c.interaction_id == contact, events.c.interaction_id.in_(folded))
            )
        async with self._engine.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]

    async def seq_before(self, tenant_id: str, at: float) -> int:
        """The last seq of events before `at` (a replay from a point in time starts after it)."""
        query = select(func.max(events.c.seq)).where(
            events.c.tenant_id == tenant_id, events.c.at < at
        )
        async with self._engine.connect() as conn:
            return int(await conn.scalar(query) or 0)

    async def contact_of(self, tenant_id: str, interaction_id: str) -> str:
        """The contact an id names: itself, or the customer's contact of a version-1
        consultation."""
        query = select(contact_aliases.c.contact_id).where(
            contact_aliases.c.tenant_id == tenant_id, contact_aliases.c.alias_id == interaction_id
        )
        async with self._engine.connect() as conn:
            return str(await conn.scalar(query) or interaction_id)

    async def for_interaction(self, tenant_id: str, interaction_id: str) -> list[EventRecord]:
        """The timeline of a contact: its records and those of the version-1 consultations
        folded into it (asked by a consultation's id, the customer's whole contact)."""
        contact = await self.contact_of(tenant_id, interaction_id)
        folded = select(contact_aliases.c.alias_id).where(
            contact_aliases.c.tenant_id == tenant_id, contact_aliases.c.contact_id == contact
        )
        query = (
            _with_aliases()
            .where(
                events.c.tenant_id == tenant_id,
                or_(events.c.interaction_id == contact, events.c.interaction_id.in_(folded)),
            )
            .order_by(events.c.seq)
        )
        async with self._engine.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]


class EventLog:
    """Group-committing writer of domain events; also the process's `EventSink`."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: EventBus,
        *,
        batch_window_s: float = 0.02,
        max_batch: int = 500,
        retry_s: float = 0.5,
        tokens: Callable[[str], int | None] | None = None,
        on_fenced: Callable[[str], None] | None = None,
        stall_limit_s: float = 3.0,
    ) -> None:
        if not 0 < batch_window_s <= 0.05:
            raise ValueError("batch_window_s must be in (0, 0.05]")
        self._engine = engine
        self._bus = bus
        self._window = batch_window_s
        self._max_batch = max_batch
        self._retry_s = retry_s
        self._listeners: list[Callable[[DomainEvent], None]] = []
        self._queue: list[tuple[DomainEvent, asyncio.Future[EventRecord] | None]] = []
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        # Events queued and events committed so far (FIFO): `caught_up` waits on the difference.
        self._enqueued = 0
        self._committed = 0
        self._progress = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.appended = 0
        self.batches = 0
        self.write_errors = 0
        # Ownership across nodes (ADR 0209): the token each center's records are written with,
        # and who hears that a newer owner fenced this node out of a center.
        self._tokens = tokens
        self._on_fenced = on_fenced
        # A node stopped in the middle of a write holds the center's sequence row: PostgreSQL
        # ends a transaction left idle this long, so the next owner's take-over is not held.
        self._stall_limit_ms = max(1, round(stall_limit_s * 1000))
        self.fenced_out = 0

    async def start(self) -> None:
        for tenant_id, seq in (await latest_sequences(self._engine)).items():
            self._bus.note_latest(tenant_id, seq)
        self._task = asyncio.create_task(self._run(), name="event-log-writer")

    @property
    def pending(self) -> int:
        return len(self._queue)

    def listen(self, listener: Callable[[DomainEvent], None]) -> None:
        """Call `listener` with every event as it is emitted, before it is committed: an
        in-process read model that must agree with the command that just ran (the desks)."""
        self._listeners.append(listener)

    def emit(self, event: DomainEvent) -> None:
        """`EventSink.emit`: queue the event; never blocks, never drops."""
        self._enqueue(event, None)

    def append(self, event: DomainEvent) -> asyncio.Future[EventRecord]:
        """Queue the event; the future resolves with its record once it is committed."""
        future: asyncio.Future[EventRecord] = asyncio.get_running_loop().create_future()
        self._enqueue(event, future)
        return future

    def _enqueue(self, event: DomainEvent, future: asyncio.Future[EventRecord] | None) -> None:
        if self._stopping and self._task is None:
            raise RuntimeError("the event log is stopped")
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a read model's bug must not lose the event
                log.exception("event listener failed on %s", event.type)
        self._queue.append((event, future))
        self._enqueued += 1
        self._idle.clear()
        self._wakeup.set()

    async def flush(self) -> None:
        """Wait until the queue is empty (under steady load that may take long)."""
        await self._idle.wait()

    async def caught_up(self) -> None:
        """Wait until what was queued before this call is committed and published; what is
        queued after it does not hold the caller (unlike `flush`)."""
        target = self._enqueued
        while self._committed < target:
            await self._progress.wait()

    async def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None

    def _advanced(self, count: int) -> None:
        """`count` more queued records are done with (committed, or refused): `caught_up`
        waiters look again."""
        self._committed += count
        self._progress.set()
        self._progress = asyncio.Event()

    def _drop_fenced(self, fenced: FencedOut) -> None:
        """A newer owner holds the center: its queued records are not this node's to write
        (they fail their futures); the rest of the batch goes again at once."""
        kept: list[tuple[DomainEvent, asyncio.Future[EventRecord] | None]] = []
        dropped = 0
        for event, future in self._queue:
            if event.tenant_id != fenced.tenant_id:
                kept.append((event, future))
                continue
            dropped += 1
            if future is not None and not future.done():
                future.set_exception(fenced)
        self._queue[:] = kept
        self.fenced_out += dropped
        self._advanced(dropped)
        log.warning(
            "event log: %d record(s) of tenant %s refused, ownership token %d fenced out",
            dropped, fenced.tenant_id, fenced.token,
        )  # fmt: skip
        if self._on_fenced is not None:
            self._on_fenced(fenced.tenant_id)

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._idle.set()
                if self._stopping:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if len(self._queue) < self._max_batch and not self._stopping:
                await asyncio.sleep(self._window)  # the group-commit window
            batch = self._queue[: self._max_batch]
            try:
                async with self._engine.connect() as conn:
                    conn = await conn.execution_options(**WRITE)
                    async with conn.begin():
                        if self._tokens is not None and conn.dialect.name == "postgresql":
                            await conn.execute(
                                text(
                                    "SET LOCAL idle_in_transaction_session_timeout = "
                                    f"{self._stall_limit_ms}"
                                )
                            )
                        records = await write_events(conn, [e for e, _ in batch], self._tokens)
            except FencedOut as fenced:
                self._drop_fenced(fenced)
                continue
            except Exception:
                # Never drop: keep the batch at the head of the queue and try again.
                self.write_errors += 1
                log.exception("event log write failed; retrying in %.1f s", self._retry_s)
                await asyncio.sleep(self._retry_s)
                continue
            del self._queue[: len(batch)]
            self.appended += len(records)
            self.batches += 1
            for (_, future), record in zip(batch, records, strict=True):
                self._bus.publish(record)
                if future is not None and not future.done():
                    future.set_result(record)
            self._advanced(len(batch))
