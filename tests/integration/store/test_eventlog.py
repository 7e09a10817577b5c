"""The event log: append first, then publish; gap-free per-tenant seq; group commit; kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.events import DomainEvent, domain_event
from hotline.store.engine import create_engine
from hotline.store.eventlog import EventLog, SqlEventReader
from hotline.store.tables import events
from hotline.store.uow import UnitOfWork


@domain_event("test.logged")
class Logged(DomainEvent):
    n: int


async def _seqs(engine: AsyncEngine, tenant: str) -> list[int]:
    async with engine.connect() as conn:
        q = select(events.c.seq).where(events.c.tenant_id == tenant).order_by(events.c.seq)
        return [int(s) for s in (await conn.execute(q)).scalars()]


async def test_events_are_committed_before_they_are_published(engine: AsyncEngine) -> None:
    bus = EventBus(reader=SqlEventReader(engine))
    log = EventLog(engine, bus, batch_window_s=0.01)
    await log.start()
    sub = bus.subscribe(tenant_id="t1")
    seen_in_table: list[bool] = []

    for n in range(30):
        log.emit(Logged(tenant_id="t1", at=float(n), interaction_id="i1", n=n))
    for _ in range(30):
        record = await asyncio.wait_for(sub.get(), 5)
        seen_in_table.append(record.seq in await _seqs(engine, "t1"))
    assert all(seen_in_table)
    await log.stop()
    assert await _seqs(engine, "t1") == list(range(1, 31))
    assert log.batches < 30  # grouped, not one transaction per event


async def test_caught_up_waits_for_what_was_queued_before_not_after(engine: AsyncEngine) -> None:
    """A screen pop reads the log after `caught_up`: the events queued before it are in the
    table; events queued while it waits do not hold it."""
    log = EventLog(engine, EventBus(), batch_window_s=0.01, max_batch=10)
    await log.start()
    for n in range(25):
        log.emit(Logged(tenant_id="t2", at=float(n), interaction_id="i2", n=n))
    waiting = asyncio.ensure_future(log.caught_up())
    for n in range(25, 40):  # queued after the call: not waited for
        log.emit(Logged(tenant_id="t2", at=float(n), interaction_id="i2", n=n))
    await asyncio.wait_for(waiting, 5)
    assert (await _seqs(engine, "t2"))[:25] == list(range(1, 26))
    await log.stop()
    assert await _seqs(engine, "t2") == list(range(1, 41))


async def test_seq_is_gap_free_per_tenant_with_concurrent_writers(engine: AsyncEngine) -> None:
    bus = EventBus()
    log = EventLog(engine, bus, batch_window_s=0.005)
    await log.start()

    async def api_writer(k: int) -> None:
        async with UnitOfWork(engine, bus) as uow:
            uow.emit(Logged(tenant_id="a", at=1.0, n=1000 + k))
            uow.emit(Logged(tenant_id="b", at=1.0, n=1000 + k))
            await uow.commit()

    for n in range(40):
        log.emit(Logged(tenant_id="a" if n % 2 else "b", at=float(n), n=n))
    await asyncio.gather(*(api_writer(k) for k in range(8)))
    await log.flush()
    await log.stop()
    assert await _seqs(engine, "a") == list(range(1, 29))
    assert await _seqs(engine, "b") == list(range(1, 29))


async def test_a_rolled_back_unit_of_work_leaves_no_event_and_no_gap(engine: AsyncEngine) -> None:
    async with UnitOfWork(engine, None) as uow:
        uow.emit(Logged(tenant_id="r", at=1.0, n=1))
        # no commit: leaving the block rolls back
    async with UnitOfWork(engine, None) as uow:
        uow.emit(Logged(tenant_id="r", at=2.0, n=2))
        records = await uow.commit()
    assert [r.seq for r in records] == [1]
    reader = SqlEventReader(engine)
    got = await reader.read_since("r", 0)
    assert [(r.seq, r.payload) for r in got] == [(1, {"n": 2})]


async def test_replay_after_restart_catches_up_from_the_table(engine: AsyncEngine) -> None:
    bus = EventBus()
    log = EventLog(engine, bus)
    await log.start()
    for n in range(5):
        log.emit(Logged(tenant_id="t", at=float(n), n=n))
    await log.stop()
    # A new process: a fresh bus learns the latest seq at start and replays for a subscriber.
    bus2 = EventBus(reader=SqlEventReader(engine))
    log2 = EventLog(engine, bus2)
    await log2.start()
    sub = bus2.subscribe(tenant_id="t", after_seq=2)
    got = [(await asyncio.wait_for(sub.get(), 5)).payload["n"] for _ in range(2)]
    assert got == [2, 3]  # seqs 3 and 4
    await log2.stop()


def test_kill_9_loses_nothing_acknowledged(database_url: str) -> None:
    async def prepare() -> None:
        from hotline.store.engine import is_sqlite
        from hotline.store.migrate import migrate
        from tests import dbs

        engine = create_engine(database_url)
        if is_sqlite(database_url):
            await migrate(engine)
        else:
            await dbs.truncate_all(engine)
        await engine.dispose()

    asyncio.run(prepare())
    acknowledged: list[int] = []
    with subprocess.Popen(
        [sys.executable, "-m", "tests.integration.store.eventlog_writer", database_url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) >= 400:
                break
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)

    async def stored() -> list[int]:
        engine = create_engine(database_url)
        try:
            return await _seqs(engine, "kill")
        finally:
            await engine.dispose()

    seqs = asyncio.run(stored())
    assert set(acknowledged) <= set(seqs)
    assert seqs == list(range(1, len(seqs) + 1))  # in order, no gap
