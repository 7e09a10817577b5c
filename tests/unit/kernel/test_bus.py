from __future__ import annotations

import asyncio

from hotline.bus import EventBus
from hotline.events import EventRecord


def rec(seq: int, tenant: str = "t", type_: str = "x.y") -> EventRecord:
    return EventRecord(tenant, seq, float(seq), type_, None, None, None, {"n": seq})


class TableReader:
    """The events table, in memory."""

    def __init__(self, records: list[EventRecord]) -> None:
        self.records = records

    async def read_since(
        self, tenant_id: str, after_seq: int, *, until_seq: int | None = None, limit: int = 1000
    ) -> list[EventRecord]:
        out = [
            r
            for r in self.records
            if r.tenant_id == tenant_id
            and r.seq > after_seq
            and (until_seq is None or r.seq <= until_seq)
        ]
        return out[:limit]


async def test_a_slow_subscriber_drops_then_catches_up_from_the_table() -> None:
    table = [rec(i) for i in range(1, 51)]
    bus = EventBus(queue_size=5, reader=TableReader(table))
    sub = bus.subscribe(tenant_id="t")
    for r in table:
        bus.publish(r)  # never blocks, even though the queue holds 5
    assert sub.dropped == 45
    got = [(await sub.get()).seq for _ in range(50)]
    assert got == list(range(1, 51))
    assert sub.lost == 0


async def test_subscribe_after_seq_replays_then_goes_live() -> None:
    table = [rec(i) for i in range(1, 11)]
    bus = EventBus(reader=TableReader(table))
    bus.note_latest("t", 10)
    sub = bus.subscribe(tenant_id="t", after_seq=6)
    table.append(rec(11))
    bus.publish(table[-1])
    got = [(await sub.get()).seq for _ in range(5)]
    assert got == [7, 8, 9, 10, 11]


async def test_type_filter_and_tenant_isolation() -> None:
    bus = EventBus(reader=TableReader([]))
    sub = bus.subscribe(tenant_id="a", types={"keep"})
    bus.publish(rec(1, "a", "drop"))
    bus.publish(rec(1, "b", "keep"))
    bus.publish(rec(2, "a", "keep"))
    got = await asyncio.wait_for(sub.get(), 1)
    assert (got.tenant_id, got.seq, got.type) == ("a", 2, "keep")
    sub.close()
    assert bus.subscriber_count == 0


async def test_duplicates_from_a_catch_up_are_not_delivered_twice() -> None:
    table = [rec(i) for i in range(1, 4)]
    bus = EventBus(reader=TableReader(table))
    sub = bus.subscribe(tenant_id="t")
    bus.publish(table[0])
    assert (await sub.get()).seq == 1
    bus.publish(table[2])  # 2 missing: read from the table
    bus.publish(table[1])  # late duplicate
    assert [(await sub.get()).seq for _ in range(2)] == [2, 3]
    bus.publish(rec(4))
    table.append(rec(4))
    assert (await sub.get()).seq == 4


async def test_has_pending_ignores_what_get_would_skip() -> None:
    """A batching consumer asks `has_pending()` before `get()`: records of other types, or
    redelivered ones, must not make it wait inside `get()` with a batch in hand."""
    table = [rec(1, type_="keep"), rec(2, type_="drop"), rec(3, type_="drop")]
    bus = EventBus(reader=TableReader(table))
    sub = bus.subscribe(types={"keep"})
    for r in table:
        bus.publish(r)
    assert (await sub.get()).seq == 1
    assert not sub.has_pending()
    bus.publish(rec(1, type_="keep"))  # a redelivery
    assert not sub.has_pending()
    table.append(rec(4, type_="keep"))
    bus.publish(table[-1])
    assert sub.has_pending()
    assert (await asyncio.wait_for(sub.get(), 1)).seq == 4


async def test_has_pending_holds_a_record_behind_a_gap() -> None:
    table = [rec(i, type_="keep") for i in range(1, 5)]
    bus = EventBus(reader=TableReader(table))
    sub = bus.subscribe(types={"keep"})
    bus.publish(table[0])
    assert (await sub.get()).seq == 1
    bus.publish(table[3])  # 2 and 3 never published: read from the table
    assert sub.has_pending()
    assert [(await asyncio.wait_for(sub.get(), 1)).seq for _ in range(3)] == [2, 3, 4]
    assert not sub.has_pending()


async def test_backlog_counts_what_subscribers_have_not_taken() -> None:
    bus = EventBus(reader=TableReader([]), queue_size=2)
    slow = bus.subscribe(tenant_id="t")
    quick = bus.subscribe(tenant_id="t")
    for seq in (1, 2, 3):
        bus.publish(rec(seq))
    assert bus.backlog() == (4, 2)  # each queue holds 2; the third record was dropped for both
    assert bus.dropped == 2
    assert (await quick.get()).seq == 1
    assert quick.backlog == 1
    assert bus.backlog() == (3, 2)
    slow.close()
    quick.close()
    assert bus.backlog() == (0, 0)
