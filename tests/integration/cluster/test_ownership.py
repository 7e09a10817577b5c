"""Each center owned by one node at a time (issue 26, ADR 0209): leases with fencing tokens in
the shared database. Two nodes' ownership in one process on a fake clock (both databases), and
a real node process paused with SIGSTOP past its lease, then let go on (PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock, SystemClock
from hotline.cluster.leases import TenantLeases, preferred_owner
from hotline.cluster.ownership import Ownership, OwnershipSettings
from hotline.events import DomainEvent, domain_event
from hotline.store.engine import create_engine
from hotline.store.eventlog import EventLog, FencedOut
from hotline.store.tables import events
from tests import dbs

CENTERS = ["c1", "c2", "c3"]


@domain_event("test.node_wrote")
class NodeWrote(DomainEvent):
    node: str


async def _centers() -> list[str]:
    return list(CENTERS)


def node(engine: AsyncEngine, clock: FakeClock, name: str) -> Ownership:
    return Ownership(engine, clock, OwnershipSettings(node=name, ttl_s=3.0), centers=_centers)


async def rows(engine: AsyncEngine, tenant: str) -> list[tuple[int, str]]:
    async with engine.connect() as conn:
        q = select(events.c.seq, events.c.payload).where(events.c.tenant_id == tenant)
        return [
            (int(r.seq), str(r.payload["node"]))
            for r in await conn.execute(q.order_by(events.c.seq))
        ]


async def test_one_owner_a_paused_node_is_fenced_out_and_stands_down(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    a, b = node(engine, clock, "node-a"), node(engine, clock, "node-b")
    lost_by_a: list[str] = []
    all_lost = asyncio.Event()

    async def note_lost(tenant_id: str) -> None:
        lost_by_a.append(tenant_id)
        if sorted(lost_by_a) == CENTERS:
            all_lost.set()

    a.lost.append(note_lost)
    await a.round()  # alone: every center falls to it
    await b.round()  # the leases are live: b takes none
    assert a.owned == CENTERS
    assert b.owned == []
    assert {a.token(c) for c in CENTERS} == {1}
    assert b.token("c1") == 0

    log_a = EventLog(engine, EventBus(), batch_window_s=0.005, tokens=a.token, on_fenced=a.fenced)
    log_b = EventLog(engine, EventBus(), batch_window_s=0.005, tokens=b.token, on_fenced=b.fenced)
    await log_a.start()
    await log_b.start()
    await log_a.append(NodeWrote(tenant_id="c1", at=clock.now(), node="node-a"))
    # A node that does not own the center cannot write its live records.
    with pytest.raises(FencedOut):
        await log_b.append(NodeWrote(tenant_id="c1", at=clock.now(), node="node-b"))

    # Renewed, a keeps them; then a stalls past its lease (no round) and b takes everything,
    # each with a token one higher.
    clock.advance(1.0)
    await a.round()
    await b.round()
    assert a.owned == CENTERS
    clock.advance(3.5)
    await b.round()
    assert b.owned == CENTERS
    assert {b.token(c) for c in CENTERS} == {2}
    # a wakes up still believing it owns c1: its write is refused by the storage, not by its
    # own idea of the time, and it stops serving the center at once.
    with pytest.raises(FencedOut):
        await log_a.append(NodeWrote(tenant_id="c1", at=clock.now(), node="node-a"))
    assert not a.owns("c1")
    await log_b.append(NodeWrote(tenant_id="c1", at=clock.now(), node="node-b"))
    # Its next round finds the other leases gone too.
    await a.round()
    assert a.owned == []
    await asyncio.wait_for(all_lost.wait(), 5)
    assert log_a.fenced_out == 1
    assert await rows(engine, "c1") == [(1, "node-a"), (2, "node-b")]  # no gap, no duplicate
    await log_a.stop()
    await log_b.stop()

    # A clean stop releases: the other node takes over at its next round, not a lease later.
    await b.stop()
    clock.advance(0.5)
    await a.round()
    assert a.owned == CENTERS
    assert {a.token(c) for c in CENTERS} == {3}
    async with engine.connect() as conn:
        leases = await TenantLeases(conn).all()
        nodes = await TenantLeases(conn).nodes()
    assert [(x.tenant_id, x.owner, x.token) for x in leases] == [(c, "node-a", 3) for c in CENTERS]
    assert [n.node for n in nodes] == ["node-a", "node-b"]


async def test_free_centers_spread_over_the_live_nodes(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    a, b = node(engine, clock, "node-a"), node(engine, clock, "node-b")
    # Both seen alive before any center is taken: each takes the ones that hash to it.
    async with engine.begin() as conn:
        for name in ("node-a", "node-b"):
            await TenantLeases(conn).seen(name, started_at=clock.now(), now=clock.now(), owned=0)
    await a.round()
    await b.round()
    assert sorted(a.owned + b.owned) == CENTERS
    for center in CENTERS:
        owner = a if preferred_owner(center, ["node-a", "node-b"]) == "node-a" else b
        assert owner.owns(center)


def _lines(child: subprocess.Popen[str]) -> Iterator[str]:
    assert child.stdout is not None
    for line in child.stdout:
        yield line.strip()


def test_a_node_paused_past_its_lease_does_not_write_as_owner(postgres_url: str) -> None:
    """SIGSTOP a real node past its lease: another takes the center; SIGCONT: every record the
    paused node still had queued is refused, and the log stays one gap-free sequence."""
    ttl = 1.0

    async def clean() -> None:
        engine = create_engine(postgres_url)
        try:
            await dbs.truncate_all(engine)
        finally:
            await engine.dispose()

    asyncio.run(clean())
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.cluster.owner_child",
            postgres_url,
            "paused-a",
            str(ttl),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    try:
        lines = _lines(child)
        assert next(lines) == "owns 1"
        written = 0
        for line in lines:  # it writes as owner
            if line.startswith("ok "):
                written += 1
            if written >= 20:
                break
        child.send_signal(signal.SIGSTOP)
        after_pause = asyncio.run(_take_over_and_write(postgres_url, ttl))
        child.send_signal(signal.SIGCONT)
        for line in lines:  # woken up: refused, never written
            assert not line.startswith("ok "), line
            if line == "fenced":
                break
    finally:
        child.kill()
        child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()

    async def stored() -> list[tuple[int, str]]:
        engine = create_engine(postgres_url)
        try:
            return await rows(engine, "paused")
        finally:
            await engine.dispose()

    records = asyncio.run(stored())
    assert [seq for seq, _ in records] == list(range(1, len(records) + 1))
    first_b = next(seq for seq, who in records if who == "paused-b")
    assert first_b == after_pause
    assert all(who == "paused-b" for seq, who in records if seq >= first_b)
    assert sum(who == "paused-a" for _, who in records) >= 20


async def _take_over_and_write(url: str, ttl: float) -> int:
    """The second node: waits until the paused one's lease has run out, takes the center and
    writes one record; returns its seq."""
    engine = create_engine(url)
    clock = SystemClock()

    async def centers() -> list[str]:
        return ["paused"]

    b = Ownership(engine, clock, OwnershipSettings(node="paused-b", ttl_s=ttl), centers=centers)
    log = EventLog(engine, EventBus(), batch_window_s=0.005, tokens=b.token, on_fenced=b.fenced)
    await log.start()
    try:
        deadline = time.monotonic() + 10 * ttl
        while not b.owns("paused"):
            assert time.monotonic() < deadline, "the paused node's lease was never taken over"
            await b.round()
            await asyncio.sleep(ttl / 3)
        assert b.token("paused") == 2
        record = await log.append(NodeWrote(tenant_id="paused", at=clock.now(), node="paused-b"))
        return record.seq
    finally:
        await log.stop()
        await b.stop(release=False)
        await engine.dispose()


async def test_a_late_round_writes_a_whole_lease(engine: AsyncEngine, clock: FakeClock) -> None:
    """A round whose first steps were slow (a busy node) still takes a lease that runs a whole
    `lease_s` from when it is written, not from when the round began."""

    async def slow_centers() -> list[str]:
        clock.advance(2.5)  # most of a 3 s lease goes by before the round gets to the leases
        return ["c1"]

    a = Ownership(engine, clock, OwnershipSettings(node="node-a", ttl_s=3.0), centers=slow_centers)
    await a.round()
    async with engine.connect() as conn:
        lease = await TenantLeases(conn).get("c1")
    assert lease is not None
    assert lease.expires_at == clock.now() + 3.0
    await a.round()  # renewed, not lost and taken again with a new token
    assert a.token("c1") == 1
