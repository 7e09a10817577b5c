"""The bus across nodes over Redis Streams (ADR 0206).

Every node appends the records it commits to one stream (`XADD`, trimmed to about
`max_len` entries) and reads the stream through a consumer group of its own, so each node gets
every record once and acknowledges it (`XACK`) after handing it to its bus. A node that stops
and comes back under the same name first re-reads what it had been given and not acknowledged,
then goes on from there; its own records are skipped. Redis is the transport, not the store:
anything missed (a full forward queue, Redis unreachable, a trimmed stream) shows up as a gap in
a tenant's `seq` and the bus's subscribers read it back from the event log, which every node
shares.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from hotline.bus import EventBus
from hotline.events import EventRecord

__all__ = [
    "RedisRelaySettings",
    "RedisStreamRelay",
    "StreamGroup",
    "decode_record",
    "encode_record",
    "stream_groups",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RedisRelaySettings:
    url: str
    node_id: str
    stream: str = "hotline:events"
    max_len: int = 100_000
    forward_queue: int = 50_000
    batch: int = 500
    block_ms: int = 1000


def encode_record(record: EventRecord, node_id: str) -> dict[str, str]:
    return {
        "node": node_id,
        "r": json.dumps(record.row(), separators=(",", ":"), ensure_ascii=False),
    }


def decode_record(fields: dict[bytes, bytes]) -> tuple[str, EventRecord]:
    """(the node that committed it, the record)."""
    row: dict[str, Any] = json.loads(fields[b"r"])
    return fields[b"node"].decode(), EventRecord(**row)


class RedisStreamRelay:
    """Attach to a node's `EventBus`: forwards what it publishes, publishes what others did."""

    def __init__(self, bus: EventBus, settings: RedisRelaySettings) -> None:
        self._bus = bus
        self.settings = settings
        self._group = f"node:{settings.node_id}"
        self._redis: aioredis.Redis = aioredis.from_url(settings.url)
        self._outbox: asyncio.Queue[EventRecord | None] = asyncio.Queue(
            maxsize=settings.forward_queue
        )
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self.forwarded = 0
        self.forward_dropped = 0
        self.received = 0
        self.errors = 0

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        """Join the stream (fails loudly when Redis cannot be reached at start)."""
        try:
            await self._redis.xgroup_create(
                self.settings.stream, self._group, id="$", mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._bus.set_relay(self)
        self._tasks = [
            asyncio.create_task(self._send_loop(), name="redis-relay-send"),
            asyncio.create_task(self._receive_loop(), name="redis-relay-receive"),
        ]

    async def stop(self) -> None:
        """Forward what is queued (for up to 2 s), then leave. The loops end on their own: a
        blocked stream read is never cancelled (the client library can hang on that)."""
        self._bus.set_relay(None)
        self._stopping = True
        with contextlib.suppress(asyncio.QueueFull):
            self._outbox.put_nowait(None)
        done, pending = await asyncio.wait(self._tasks, timeout=2.0 + self.settings.block_ms / 1000)
        for task in pending:
            task.cancel()
        for task in done:
            with contextlib.suppress(asyncio.CancelledError, RedisError):
                await task
        self._tasks = []
        await self._redis.aclose()

    def metrics(self) -> list[tuple[str, float, str]]:
        return [
            ("hotline_bus_forwarded_total", float(self.forwarded), "records sent to other nodes"),
            (
                "hotline_bus_forward_dropped_total",
                float(self.forward_dropped),
                "records not sent (queue full); other nodes read them from the log",
            ),
            ("hotline_bus_received_total", float(self.received), "records from other nodes"),
            ("hotline_bus_errors_total", float(self.errors), "failed Redis calls, retried"),
        ]

    # -- out --------------------------------------------------------------------------------
    def forward(self, record: EventRecord) -> None:
        try:
            self._outbox.put_nowait(record)
        except asyncio.QueueFull:
            self.forward_dropped += 1  # the other nodes read it from the log at the next gap

    async def _send_loop(self) -> None:
        backoff = 0.1
        while True:
            first = await self._outbox.get()
            batch = [first] if first is not None else []
            while len(batch) < self.settings.batch and not self._outbox.empty():
                record = self._outbox.get_nowait()
                if record is not None:
                    batch.append(record)
            if not batch:
                return  # stopped, nothing left
            while True:
                try:
                    async with self._redis.pipeline(transaction=False) as pipe:
                        for record in batch:
                            pipe.xadd(
                                self.settings.stream,
                                encode_record(record, self.settings.node_id),  # type: ignore[arg-type]
                                maxlen=self.settings.max_len,
                                approximate=True,
                            )
                        await pipe.execute()
                    self.forwarded += len(batch)
                    backoff = 0.1
                    break
                except RedisError:
                    if self._stopping:
                        return
                    self.errors += 1
                    log.warning("redis relay: cannot forward %d records; retrying", len(batch))
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)

    # -- in ---------------------------------------------------------------------------------
    async def _receive_loop(self) -> None:
        # First what this node was given before and did not acknowledge, then new entries.
        position = "0"
        backoff = 0.1
        while not self._stopping:
            try:
                answer: Any = await self._redis.xreadgroup(
                    self._group,
                    self.settings.node_id,
                    {self.settings.stream: position},
                    count=self.settings.batch,
                    block=self.settings.block_ms,
                )
                backoff = 0.1
            except ResponseError as exc:
                if "NOGROUP" in str(exc):  # the stream was deleted: join it again
                    await self._redis.xgroup_create(
                        self.settings.stream, self._group, id="$", mkstream=True
                    )
                    continue
                raise
            except RedisError:
                if self._stopping:
                    return
                self.errors += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            entries = answer[0][1] if answer else []
            if position == "0" and not entries:
                position = ">"
                continue
            done: list[bytes] = []
            for entry_id, fields in entries:
                done.append(entry_id)
                if not fields:  # trimmed away while pending
                    continue
                node, record = decode_record(fields)
                if node != self.settings.node_id:
                    self.received += 1
                    self._bus.publish_remote(record)
            if done:
                await self._redis.xack(self.settings.stream, self._group, *done)
                if position != ">":
                    position = done[-1].decode()


@dataclass(frozen=True, slots=True)
class StreamGroup:
    """One node's reading position on the stream (`XINFO GROUPS`)."""

    node: str
    pending: int  # given to the node, not yet acknowledged
    lag: int | None  # entries not yet given to it (None: Redis cannot tell)


async def stream_groups(url: str, stream: str) -> list[StreamGroup]:
    """Every node's consumer group on the stream, for `hotline cluster status`."""
    client: aioredis.Redis = aioredis.from_url(url)
    try:
        try:
            groups = await client.xinfo_groups(stream)
        except ResponseError as exc:  # no such stream yet: no node has started
            if "no such key" in str(exc).lower():
                return []
            raise
    finally:
        await client.aclose()

    def text(value: object) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    return [
        StreamGroup(
            node=text(g["name"]).removeprefix("node:"),
            pending=int(g.get("pending", 0)),
            lag=int(g["lag"]) if g.get("lag") is not None else None,
        )
        for g in groups
    ]
