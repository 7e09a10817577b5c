"""The real server process under `kill -9`: 100 jobs due, the server killed half-way through
them (a firing's mail_log row written, its SMTP exchange in progress); 50 more come due while
it is down; after the restart every job's database effect happened exactly once and every
mail reached the SMTP sink once. Then two nodes on one PostgreSQL database: one is killed in
the middle of a batch both are firing, and the other fires the rest, the killed node's cut
firings included once their leases run out — each job once in the cluster (issue 26)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.jobs import MAIL_KIND, Jobs, JobState, mail_payload
from hotline.store.tables import jobs, mail_log
from tests.server import ServerProcess, free_port

BATCH = 100  # jobs due at once; BATCH // 2 more come due while the server is down


class HoldingSink:
    """An SMTP sink that counts messages by Message-ID and can hold every exchange at RCPT
    once it has `hold_after` messages (the test kills the server meanwhile)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.message_ids: Counter[str] = Counter()
        self.hold_after: int | None = None
        self.accept_held = False  # a held exchange goes on once released (else: 451)
        self.holding = threading.Event()
        self.release = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.hold_after is not None and sum(self.message_ids.values()) >= self.hold_after:
            self.holding.set()
            await asyncio.to_thread(self.release.wait)
            if not self.accept_held:
                return "451 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        self.message_ids[str(message["Message-ID"])] += 1
        return "250 OK"


async def schedule(engine: AsyncEngine, count: int, *, due_in: float, tag: str) -> list[str]:
    now = time.time()
    ids = []
    async with engine.begin() as conn:
        for n in range(count):
            ids.append(
                await Jobs(conn).schedule(
                    MAIL_KIND,
                    due_at=now + due_in,
                    now=now,
                    payload=mail_payload([f"{tag}-{n}@example.com"], f"{tag} {n}", "你好"),
                    max_attempts=5,
                )
            )
    return ids


async def effects(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(mail_log.c.job_id))).scalars().all()
    return Counter(rows)


async def committed(engine: AsyncEngine, count: int) -> bool:
    return sum((await effects(engine)).values()) >= count


async def until(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def states(engine: AsyncEngine, ids: list[str]) -> Counter[str]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(jobs.c.state, func.count()).where(jobs.c.id.in_(ids)).group_by(jobs.c.state)
            )
        ).all()
    return Counter({str(state): int(n) for state, n in rows})


async def test_jobs_fire_exactly_once_across_kill_9(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    sink = HoldingSink()
    sink.controller.start()
    server = ServerProcess(
        tmp_path / "var",
        database_url,
        HOTLINE_SMTP__HOST="127.0.0.1",
        HOTLINE_SMTP__PORT=str(sink.port),
        HOTLINE_JOBS__POLL_S="0.2",
        HOTLINE_JOBS__NODE_ID="kill-test",
    )
    try:
        await asyncio.to_thread(server.start, "serve")

        async def all_done(ids: list[str]) -> bool:
            return (await states(engine, ids))["done"] == len(ids)

        # 100 jobs due now; the 31st mail stops at RCPT, its mail_log row written but not
        # committed — kill the server there: the firing in progress is cut, the rest of the
        # batch has not fired yet.
        sink.hold_after = 30
        batch = await schedule(engine, BATCH, due_in=0.0, tag="a")
        assert await asyncio.to_thread(sink.holding.wait, 60)

        # Two firings run at once: both may pass RCPT before the 30th message is in, so 30 or
        # 31 are accepted before the hold; one may have had its 250 for DATA and not yet
        # committed — a kill in that instant is the documented at-least-once window
        # (docs/jobs.md), not what this test is about. Kill once every accepted mail is committed.
        async def accepted_are_committed() -> bool:
            accepted = sum(sink.message_ids.values())
            return accepted >= 30 and await committed(engine, accepted)

        await until(accepted_are_committed)
        accepted = sum(sink.message_ids.values())
        server.kill()
        sink.release.set()
        sink.hold_after = None
        written = await effects(engine)
        assert sum(written.values()) == accepted  # the firings held at RCPT left nothing behind
        # While it is down, 50 more come due.
        batch += await schedule(engine, BATCH // 2, due_in=-60.0, tag="b")
        await asyncio.to_thread(server.start, "serve")
        await until(lambda: all_done(batch))

        written = await effects(engine)
        assert {j: written[j] for j in batch} == {j: 1 for j in batch}
        assert len(sink.message_ids) == len(batch)
        assert set(sink.message_ids.values()) == {1}
        async with engine.connect() as conn:
            cut = [await Jobs(conn).get(j) for j in batch]
        assert all(j.state is JobState.DONE and j.runs == 1 for j in cut)
        # The firings the kill cut short were tried again (their lease counted an attempt).
        assert any(j.last_run_at is not None for j in cut)
    finally:
        sink.release.set()
        server.stop()
        sink.controller.stop()


async def running_owners(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(jobs.c.lease_owner, func.count())
                .where(jobs.c.state == "running")
                .group_by(jobs.c.lease_owner)
            )
        ).all()
    return Counter({str(owner): int(n) for owner, n in rows})


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_nodes_fire_a_batch_and_one_killed_midway_loses_and_repeats_nothing(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    sink = HoldingSink()
    sink.controller.start()
    common = {
        "HOTLINE_SMTP__HOST": "127.0.0.1",
        "HOTLINE_SMTP__PORT": str(sink.port),
        "HOTLINE_JOBS__POLL_S": "0.2",
        "HOTLINE_JOBS__LEASE_S": "10",  # the shortest allowed: the take-over waits this long
    }
    a = ServerProcess(tmp_path / "a", database_url, HOTLINE_JOBS__NODE_ID="node-a", **common)
    b = ServerProcess(tmp_path / "b", database_url, HOTLINE_JOBS__NODE_ID="node-b", **common)
    try:
        await asyncio.to_thread(a.start, "serve")
        await asyncio.to_thread(b.start, "serve")
        sink.hold_after = 30
        batch = await schedule(engine, BATCH, due_in=0.0, tag="c")
        assert await asyncio.to_thread(sink.holding.wait, 60)

        # Both nodes are in the middle of firings (held at RCPT) and every mail the sink took
        # is committed: kill node A there.
        async def both_firing() -> bool:
            owners = await running_owners(engine)
            accepted = sum(sink.message_ids.values())
            return (
                owners["node-a"] >= 1
                and owners["node-b"] >= 1
                and await committed(engine, accepted)
            )

        await until(both_firing)
        cut = (await running_owners(engine))["node-a"]
        a.kill()
        sink.accept_held = True  # node B's held exchanges go on; node A's are gone with it
        sink.hold_after = None
        sink.release.set()

        async def all_done() -> bool:
            return (await states(engine, batch))["done"] == len(batch)

        await until(all_done, timeout=120)
        written = await effects(engine)
        assert {j: written[j] for j in batch} == {j: 1 for j in batch}
        assert len(sink.message_ids) == len(batch)
        assert set(sink.message_ids.values()) == {1}
        assert cut >= 1
    finally:
        sink.release.set()
        a.stop()
        b.stop()
        sink.controller.stop()
