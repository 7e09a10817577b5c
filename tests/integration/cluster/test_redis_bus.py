"""The bus across nodes over a real Redis stream (ADR 0206): two nodes' buses in one process,
each with its own relay and consumer group, as two `hotline serve` nodes would have."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from hotline.app import Services, build_services
from hotline.bus import EventBus, Subscription
from hotline.cluster.redis_bus import RedisRelaySettings, RedisStreamRelay
from hotline.config import DatabaseSettings, EventLogSettings, JobSettings, Settings
from hotline.directory.events import ConfigChanged
from hotline.events import EventRecord
from tests.integration.cluster.conftest import REDIS_URL

TENANT = "t-acme"


class SharedLog:
    """The event log every node reads (in the product: the shared PostgreSQL table)."""

    def __init__(self) -> None:
        self.records: list[EventRecord] = []

    async def read_since(
        self, tenant_id: str, after_seq: int, *, until_seq: int | None = None, limit: int = 1000
    ) -> list[EventRecord]:
        found = [
            r
            for r in self.records
            if r.tenant_id == tenant_id
            and r.seq > after_seq
            and (until_seq is None or r.seq <= until_seq)
        ]
        return found[:limit]


class Node:
    def __init__(self, name: str, stream: str, log: SharedLog) -> None:
        self.name = name
        self.bus = EventBus(reader=log)
        self.log = log
        self.relay = RedisStreamRelay(
            self.bus, RedisRelaySettings(url=REDIS_URL, node_id=name, stream=stream, block_ms=100)
        )

    def commit(self, seq: int, kind: str = "leg.answered") -> EventRecord:
        """What the event log does: store, then publish."""
        record = EventRecord(
            tenant_id=TENANT,
            seq=seq,
            at=1000.0 + seq,
            type=kind,
            interaction_id=f"i-{seq}",
            leg_id=None,
            agent_id="a-1",
            payload={"note": f"记录 {seq}", "n": seq},
        )
        self.log.records.append(record)
        self.bus.publish(record)
        return record


@pytest.fixture
async def nodes(stream: str) -> AsyncIterator[Callable[[str], Node]]:
    log = SharedLog()
    made: list[Node] = []

    def make(name: str) -> Node:
        node = Node(name, stream, log)
        made.append(node)
        return node

    yield make
    for node in made:
        if node.relay._tasks:
            await node.relay.stop()


async def take(sub: Subscription, count: int) -> list[EventRecord]:
    return [await asyncio.wait_for(sub.get(), timeout=10) for _ in range(count)]


async def test_a_view_on_one_node_sees_what_another_committed_once_and_in_order(
    nodes: Callable[[str], Node],
) -> None:
    a, b = nodes("node-a"), nodes("node-b")
    await a.relay.start()
    await b.relay.start()
    view_b = b.bus.subscribe(tenant_id=TENANT, cluster=True)
    worker_b = b.bus.subscribe()  # side effects: this node's records only
    view_a = a.bus.subscribe(tenant_id=TENANT, cluster=True)

    sent = [a.commit(seq) for seq in range(1, 51)]

    got = await take(view_b, 50)
    assert got == sent  # every field, the Chinese payload too, in seq order
    assert await take(view_a, 50) == sent  # the committing node: once, not echoed back
    assert not view_a.has_pending()
    assert not worker_b.has_pending()
    assert b.relay.received == 50
    assert a.relay.received == 0
    await _until(lambda: a.relay.forwarded == 50)


async def test_a_record_that_never_crossed_is_read_back_from_the_shared_log(
    nodes: Callable[[str], Node],
) -> None:
    a, b = nodes("node-a"), nodes("node-b")
    await a.relay.start()
    await b.relay.start()
    view_b = b.bus.subscribe(tenant_id=TENANT, cluster=True)
    first = a.commit(1)
    a.bus.set_relay(None)  # Redis missed this one (as when the forward queue was full)
    lost = a.commit(2)
    a.bus.set_relay(a.relay)
    third = a.commit(3)
    assert await take(view_b, 3) == [first, lost, third]
    assert view_b.lost == 0


async def test_a_node_that_comes_back_goes_on_where_it_stopped(
    nodes: Callable[[str], Node], stream: str
) -> None:
    a, b = nodes("node-a"), nodes("node-b")
    await a.relay.start()
    await b.relay.start()
    view_b = b.bus.subscribe(tenant_id=TENANT, cluster=True)
    first = a.commit(1)
    assert await take(view_b, 1) == [first]
    await b.relay.stop()  # node B goes away …
    missed = [a.commit(seq) for seq in (2, 3, 4)]
    await _until(lambda: a.relay.forwarded == 4)

    again = Node("node-b", stream, a.log)  # … and comes back under its name
    await again.relay.start()
    view = again.bus.subscribe(tenant_id=TENANT, cluster=True)
    assert await take(view, 3) == missed
    assert again.relay.received == 3
    await again.relay.stop()


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the relay never got there")


async def test_two_servers_on_one_database_share_their_records_through_redis(
    postgres_url: str, stream: str
) -> None:
    """`events.bus = "redis"`: what node A's event log commits reaches a live view on node B
    with the seq the shared log gave it; B's workers (its own records only) do not see it."""

    def settings(node: str) -> Settings:
        return Settings(
            database=DatabaseSettings(url=postgres_url),
            events=EventLogSettings(bus="redis", redis_url=REDIS_URL, redis_stream=stream),
            jobs=JobSettings(node_id=node, enabled=False),
        )

    a: Services = build_services(settings("node-a"))
    b: Services = build_services(settings("node-b"))
    await a.start()
    await b.start(run_migrations=False)
    try:
        tenant = "t-cluster-relay"
        view = b.bus.subscribe(tenant_id=tenant, cluster=True)
        worker = b.bus.subscribe(types={"config.changed"})
        change = ConfigChanged(
            tenant_id=tenant, at=1.0, entity="queue", entity_id="q-1", action="update"
        )
        committed = await a.event_log.append(change)
        seen = await asyncio.wait_for(view.get(), timeout=10)
        assert seen == committed
        assert seen.payload["entity_id"] == "q-1"
        assert b.bus.latest_seq(tenant) == committed.seq
        assert not worker.has_pending()
        assert b.relay is not None
        assert b.relay.received >= 1
    finally:
        await b.stop()
        await a.stop()
