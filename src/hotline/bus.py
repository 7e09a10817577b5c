"""The event bus: fan-out of committed `EventRecord`s to live subscribers.

Publishers never block: each subscriber has a bounded queue, and when it is full the record is
dropped for that subscriber and counted (`Subscription.dropped`). A subscriber notices the gap
by `seq` and catches up from the events table through an `EventReader`, so a slow wallboard or a
webhook that restarts loses nothing that was committed (DESIGN §3.3, §10).

Across nodes (ADR 0206) a `BusRelay` carries the records this node committed to the others
(`hotline.cluster.redis_bus`: Redis Streams) and hands theirs back through `publish_remote`.
Only subscriptions opened with `cluster=True` see other nodes' records: live views (wallboard,
desk, event streams) and caches that follow configuration. Workers with side effects
(projections, webhooks, followers that write) see only what their own node committed, so each
record is worked once in the cluster. Without a relay the bus is the single node's, as before.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Collection
from typing import Protocol

from hotline.events import EventRecord

__all__ = ["BusRelay", "EventBus", "EventReader", "Subscription"]


class EventReader(Protocol):
    async def read_since(
        self, tenant_id: str, after_seq: int, *, until_seq: int | None = None, limit: int = 1000
    ) -> list[EventRecord]:
        """Records of one tenant with `after_seq < seq <= until_seq`, in `seq` order."""
        ...


class BusRelay(Protocol):
    """Carries this node's committed records to the other nodes. Must never block."""

    def forward(self, record: EventRecord) -> None: ...


class EventBus:
    def __init__(self, *, queue_size: int = 10_000, reader: EventReader | None = None) -> None:
        self._queue_size = queue_size
        self._reader = reader
        self._subscriptions: set[Subscription] = set()
        self._latest: dict[str, int] = {}
        self._relay: BusRelay | None = None

    def set_relay(self, relay: BusRelay | None) -> None:
        """Carry what this node publishes to the other nodes (None: this node alone)."""
        self._relay = relay

    def set_reader(self, reader: EventReader) -> None:
        self._reader = reader

    def latest_seq(self, tenant_id: str) -> int:
        return self._latest.get(tenant_id, 0)

    def note_latest(self, tenant_id: str, seq: int) -> None:
        """Tell the bus the newest committed seq (at start-up, from the table)."""
        if seq > self._latest.get(tenant_id, 0):
            self._latest[tenant_id] = seq

    def publish(self, record: EventRecord) -> None:
        """A record this node committed: to every subscriber here, and to the other nodes."""
        self.note_latest(record.tenant_id, record.seq)
        for sub in tuple(self._subscriptions):
            sub._offer(record)
        if self._relay is not None:
            self._relay.forward(record)

    def publish_remote(self, record: EventRecord) -> None:
        """A record another node committed (from the relay): to `cluster` subscribers only."""
        self.note_latest(record.tenant_id, record.seq)
        for sub in tuple(self._subscriptions):
            if sub.cluster:
                sub._offer(record)

    def subscribe(
        self,
        *,
        tenant_id: str | None = None,
        types: Collection[str] | None = None,
        after_seq: int | None = None,
        queue_size: int | None = None,
        cluster: bool = False,
    ) -> Subscription:
        """Subscribe to one tenant (or all). With `after_seq`, replay from the table first.
        `cluster`: also the records other nodes committed (live views, configuration caches);
        without it, only this node's (workers whose effects must happen once)."""
        if after_seq is not None and tenant_id is None:
            raise ValueError("after_seq needs a tenant_id")
        sub = Subscription(
            self,
            tenant_id=tenant_id,
            types=frozenset(types) if types else None,
            queue_size=queue_size or self._queue_size,
            cluster=cluster,
        )
        if after_seq is not None and tenant_id is not None:
            sub._delivered[tenant_id] = after_seq
            sub._catch_up.add(tenant_id)
        self._subscriptions.add(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        self._subscriptions.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    def backlog(self) -> tuple[int, int]:
        """Records published but not yet taken by their subscribers: (all, the largest one
        subscriber's). Each record a subscriber has not taken stays alive until it does, so a
        backlog that does not return to 0 after the calls is memory the server keeps."""
        sizes = [sub.backlog for sub in self._subscriptions]
        return sum(sizes), max(sizes, default=0)

    @property
    def dropped(self) -> int:
        """Records dropped for full subscriber queues (read back from the table later)."""
        return sum(sub.dropped for sub in self._subscriptions)

    @property
    def reader(self) -> EventReader | None:
        return self._reader


class Subscription:
    """A live, gap-free view of the log for one subscriber. Use `await sub.get()` or `async for`."""

    def __init__(
        self,
        bus: EventBus,
        *,
        tenant_id: str | None,
        types: frozenset[str] | None,
        queue_size: int,
        cluster: bool = False,
    ) -> None:
        self._bus = bus
        self.cluster = cluster
        self.tenant_id = tenant_id
        self.types = types
        self._queue: asyncio.Queue[EventRecord] = asyncio.Queue(maxsize=queue_size)
        self._pending: deque[EventRecord] = deque()
        self._held: EventRecord | None = None  # taken from the queue; a gap comes first
        self._delivered: dict[str, int] = {}
        self._catch_up: set[str] = set()
        self.dropped = 0
        self.lost = 0
        self.closed = False

    def _offer(self, record: EventRecord) -> None:
        if self.closed or (self.tenant_id is not None and record.tenant_id != self.tenant_id):
            return
        try:
            self._queue.put_nowait(record)
        except asyncio.QueueFull:
            self.dropped += 1
            self._catch_up.add(record.tenant_id)

    @property
    def backlog(self) -> int:
        """Records queued for this subscriber or taken and not yet returned by `get()`."""
        return self._queue.qsize() + len(self._pending) + (self._held is not None)

    def has_pending(self) -> bool:
        """Whether `get()` would return without waiting for a new publication. Queued records
        that `get()` would skip (other types, redeliveries) do not count: they are consumed
        here, so a batching consumer never waits inside `get()` holding a batch."""
        while not self._pending and self._held is None and not self._queue.empty():
            self._take(self._queue.get_nowait())
        return bool(self._pending) or self._held is not None

    def close(self) -> None:
        self.closed = True
        self._bus._unsubscribe(self)

    def _wanted(self, record: EventRecord) -> bool:
        return self.types is None or record.type in self.types

    async def _fill_gap(self, tenant_id: str, until_seq: int) -> None:
        after = self._delivered.get(tenant_id)
        if after is None or until_seq <= after:
            return
        reader = self._bus.reader
        if reader is None:
            self.lost += until_seq - after
            self._delivered[tenant_id] = until_seq
            return
        while after < until_seq:
            batch = await reader.read_since(tenant_id, after, until_seq=until_seq, limit=1000)
            if not batch:
                break
            for rec in batch:
                if rec.seq > after:
                    after = rec.seq
                    if self._wanted(rec):
                        self._pending.append(rec)
        if after < until_seq:
            self.lost += until_seq - after
        self._delivered[tenant_id] = until_seq

    def _take(self, record: EventRecord) -> None:
        """A record from the queue: skip a redelivery, hold one that a gap precedes (`get()`
        reads the gap from the table first), else deliver it if its type is wanted."""
        last = self._delivered.get(record.tenant_id)
        if last is not None and record.seq <= last:
            return  # already delivered by a catch-up
        if last is not None and record.seq > last + 1:
            self._held = record
            return
        self._delivered[record.tenant_id] = record.seq
        if self._wanted(record):
            self._pending.append(record)

    async def get(self) -> EventRecord:
        while True:
            if self._pending:
                return self._pending.popleft()
            if self._held is not None:
                record, self._held = self._held, None
                await self._fill_gap(record.tenant_id, record.seq - 1)
                self._take(record)
                continue
            if self._catch_up and self._queue.empty():
                tenant_id = self._catch_up.pop()
                await self._fill_gap(tenant_id, self._bus.latest_seq(tenant_id))
                continue
            self._take(await self._queue.get())

    def __aiter__(self) -> AsyncIterator[EventRecord]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[EventRecord]:
        while not self.closed:
            yield await self.get()
