"""The job host on SQLite and PostgreSQL: scheduling inside a unit of work, firing exactly once
with the handler's effects in the claim's transaction, retries, recurring jobs across a DST
change, checkpoints, cancellation and fencing — time driven by a FakeClock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.jobs import (
    JobContext,
    JobHost,
    JobHostSettings,
    Jobs,
    JobState,
    Retry,
    RetryLater,
    UnknownJobKind,
)
from hotline.jobs.repo import LeaseLost
from hotline.store.tables import counters
from hotline.store.uow import UnitOfWorkFactory

NY = ZoneInfo("America/New_York")


async def bump(ctx: JobContext) -> None:
    """The test effect: +1 on a counter named by the payload, in the firing's transaction."""
    name = str(ctx.payload["counter"])
    row = (
        await ctx.conn.execute(
            select(counters.c.value).where(counters.c.tenant_id == "t", counters.c.name == name)
        )
    ).first()
    if row is None:
        await ctx.conn.execute(counters.insert().values(tenant_id="t", name=name, value=1))
    else:
        await ctx.conn.execute(
            update(counters)
            .where(counters.c.tenant_id == "t", counters.c.name == name)
            .values(value=row[0] + 1)
        )


async def count(engine: AsyncEngine, name: str) -> int:
    async with engine.connect() as conn:
        value = (
            await conn.execute(
                select(counters.c.value).where(counters.c.tenant_id == "t", counters.c.name == name)
            )
        ).scalar_one_or_none()
    return int(value or 0)


def host_for(engine: AsyncEngine, clock: FakeClock, node: str = "node-a") -> JobHost:
    host = JobHost(engine, EventBus(), clock, JobHostSettings(node_id=node, lease_s=60))
    host.register("test.bump", bump, retry=Retry(max_attempts=3, base_s=10, factor=2))
    return host


async def test_a_job_scheduled_in_a_unit_of_work_exists_only_if_it_commits(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    host = host_for(engine, clock)
    uows = UnitOfWorkFactory(engine, None)
    async with uows() as uow:
        await host.schedule(uow.conn, "test.bump", payload={"counter": "a"}, tenant_id="t")
        await uow.rollback()
    async with uows() as uow:
        job_id = await host.schedule(
            uow.conn, "test.bump", due_at=clock.now() + 30, payload={"counter": "a"}, tenant_id="t"
        )
        await uow.commit()
    assert await host.run_due() == 0  # not due yet
    clock.advance(30)
    assert await host.run_due() == 1
    assert await host.run_due() == 0
    assert await count(engine, "a") == 1
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
        listed, total = await Jobs(conn).list("t")
    assert job.state is JobState.DONE
    assert job.runs == 1
    assert job.due_at is None
    assert job.last_run_at == clock.now()
    assert job.last_error is None
    assert total == 1
    assert listed[0].id == job_id


async def test_unknown_kind_is_refused_at_schedule_time(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    host = host_for(engine, clock)
    async with UnitOfWorkFactory(engine, None)() as uow:
        with pytest.raises(UnknownJobKind):
            await host.schedule(uow.conn, "no.such.kind")


async def test_a_dedupe_key_keeps_one_job_and_moves_it(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    host = host_for(engine, clock)
    uows = UnitOfWorkFactory(engine, None)
    async with uows() as uow:
        first = await host.schedule(
            uow.conn,
            "test.bump",
            due_at=clock.now() + 100,
            payload={"counter": "k"},
            tenant_id="t",
            key="ticket:1",
        )
        again = await host.schedule(
            uow.conn,
            "test.bump",
            due_at=clock.now() + 10,
            payload={"counter": "k"},
            tenant_id="t",
            key="ticket:1",
        )
        kept = await host.schedule(
            uow.conn,
            "test.bump",
            due_at=clock.now() + 500,
            payload={"counter": "k"},
            tenant_id="t",
            key="ticket:1",
            replace=False,
        )
        await uow.commit()
    assert first == again == kept
    clock.advance(10)
    assert await host.run_due() == 1
    assert await count(engine, "k") == 1


async def test_a_failing_firing_rolls_back_and_retries_with_backoff(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    calls: list[int] = []

    async def flaky(ctx: JobContext) -> None:
        calls.append(ctx.attempt)
        await bump(ctx)  # written, then rolled back with the failure
        if ctx.attempt < 3:
            raise RuntimeError(f"peer down (attempt {ctx.attempt})")

    host = host_for(engine, clock)
    host.register("test.flaky", flaky, retry=Retry(max_attempts=3, base_s=10, factor=2))
    async with UnitOfWorkFactory(engine, None)() as uow:
        job_id = await host.schedule(
            uow.conn, "test.flaky", payload={"counter": "f"}, tenant_id="t"
        )
        await uow.commit()
    assert await host.run_due() == 1
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.PENDING
    assert job.attempts == 1
    assert job.last_error is not None
    assert "peer down (attempt 1)" in job.last_error
    assert job.due_at == pytest.approx(clock.now() + 10)
    assert await count(engine, "f") == 0
    clock.advance(10)
    assert await host.run_due() == 1
    clock.advance(19)
    assert await host.run_due() == 0  # second backoff is 20 s
    clock.advance(1)
    assert await host.run_due() == 1
    assert calls == [1, 2, 3]
    assert await count(engine, "f") == 1
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.DONE
    assert job.last_error is None
    assert job.attempts == 0


async def test_attempts_used_up_make_a_one_off_job_failed(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async def broken(ctx: JobContext) -> None:
        raise ValueError("bad payload: no 'to'")

    host = host_for(engine, clock)
    host.register("test.broken", broken, retry=Retry(max_attempts=2, base_s=1, factor=1))
    async with UnitOfWorkFactory(engine, None)() as uow:
        job_id = await host.schedule(uow.conn, "test.broken", tenant_id="t")
        await uow.commit()
    await host.run_due()
    clock.advance(1)
    await host.run_due()
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.FAILED
    assert job.attempts == 2
    assert job.last_error == "ValueError: bad payload: no 'to'"


async def test_retry_later_is_not_a_failure(engine: AsyncEngine, clock: FakeClock) -> None:
    async def busy(ctx: JobContext) -> None:
        raise RetryLater("rate limited", delay_s=60)

    host = host_for(engine, clock)
    host.register("test.busy", busy, retry=Retry(max_attempts=1))
    async with UnitOfWorkFactory(engine, None)() as uow:
        job_id = await host.schedule(uow.conn, "test.busy", tenant_id="t")
        await uow.commit()
    await host.run_due()
    clock.advance(60)
    await host.run_due()
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.PENDING
    assert job.attempts == 0
    assert job.last_error == "rate limited"


async def test_a_daily_0800_job_fires_at_0800_local_around_a_dst_change(
    engine: AsyncEngine,
) -> None:
    clock = FakeClock(datetime(2026, 10, 29, 12, 0, tzinfo=NY).timestamp())
    fired: list[datetime] = []

    async def report(ctx: JobContext) -> None:
        fired.append(datetime.fromtimestamp(ctx.now, NY))

    host = host_for(engine, clock)
    host.register("test.report", report)
    async with UnitOfWorkFactory(engine, None)() as uow:
        await host.schedule_recurring(
            uow.conn,
            "test.report",
            cron="0 8 * * *",
            timezone="America/New_York",
            key="daily-report",
            tenant_id="t",
        )
        await uow.commit()
    # Jump from due time to due time through six days (US clocks go back on 2026-11-01);
    # each firing happens when the clock reaches the stored due time, and not a second before.
    end = datetime(2026, 11, 4, 12, 0, tzinfo=NY).timestamp()
    while True:
        async with engine.connect() as conn:
            due = await Jobs(conn).next_due_at(["test.report"])
        assert due is not None
        if due > end:
            break
        clock.set(due - 1)
        assert await host.run_due() == 0
        clock.set(due)
        assert await host.run_due() == 1
    assert [(d.month, d.day, d.hour, d.minute) for d in fired] == [
        (10, 30, 8, 0),
        (10, 31, 8, 0),
        (11, 1, 8, 0),
        (11, 2, 8, 0),
        (11, 3, 8, 0),
        (11, 4, 8, 0),
    ]


async def test_a_recurring_job_missed_while_down_fires_once_on_start(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    host = host_for(engine, clock)
    host.every("test.bump", "*/5 * * * *", timezone="UTC", payload={"counter": "r"})
    await host.start()
    await host.stop()
    clock.advance(3600)  # twelve occurrences missed
    restarted = host_for(engine, clock)
    restarted.every("test.bump", "*/5 * * * *", timezone="UTC", payload={"counter": "r"})
    await restarted.start()
    await restarted.stop()
    assert await restarted.run_due() == 1
    assert await count(engine, "r") == 1
    async with engine.connect() as conn:
        job = await Jobs(conn).find("system", "test.bump")
    assert job is not None
    assert job.due_at is not None
    assert job.due_at > clock.now()


async def test_checkpoints_commit_progress_and_cancel_stops_the_job(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    seen: list[dict[str, object] | None] = []

    async def long_import(ctx: JobContext) -> None:
        seen.append(ctx.resume)
        start = int((ctx.resume or {}).get("row", 0))
        for row in range(start, 10):
            await bump(ctx)
            ctx.progress(row + 1, 10, f"row {row + 1}")
            if row == 4 and start == 0:
                await ctx.checkpoint({"row": row + 1})
                raise RuntimeError("the process died here")  # simulated: rolls back rows 6..
            await ctx.checkpoint({"row": row + 1})

    host = host_for(engine, clock)
    host.register("test.import", long_import, retry=Retry(max_attempts=3, base_s=5))
    async with UnitOfWorkFactory(engine, None)() as uow:
        job_id = await host.schedule(
            uow.conn, "test.import", payload={"counter": "i"}, tenant_id="t"
        )
        await uow.commit()
    await host.run_due()
    assert await count(engine, "i") == 5  # five rows committed by checkpoints
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert (job.progress.done, job.progress.total) == (5, 10)
    clock.advance(5)
    await host.run_due()
    assert seen == [None, {"row": 5}]
    assert await count(engine, "i") == 10  # each row exactly once

    cancelled_id: str
    async with UnitOfWorkFactory(engine, None)() as uow:
        cancelled_id = await host.schedule(
            uow.conn, "test.bump", due_at=clock.now() + 60, payload={"counter": "c"}, tenant_id="t"
        )
        await uow.commit()
    async with UnitOfWorkFactory(engine, None)() as uow:
        view = await host.cancel(uow.conn, cancelled_id, tenant_id="t")
        await uow.commit()
    assert view.state is JobState.CANCELLED
    clock.advance(60)
    assert await host.run_due() == 0
    assert await count(engine, "c") == 0


async def test_a_running_job_cancelled_stops_at_its_checkpoint(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    host = host_for(engine, clock)

    async def chunks(ctx: JobContext) -> None:
        for _ in range(5):
            await bump(ctx)
            if ctx.payload.get("cancel_after_first"):
                ctx.payload["cancel_after_first"] = False
                await host.cancel(ctx.conn, ctx.job_id, tenant_id="t")
            await ctx.checkpoint({})

    host.register("test.chunks", chunks)
    async with UnitOfWorkFactory(engine, None)() as uow:
        job_id = await host.schedule(
            uow.conn,
            "test.chunks",
            payload={"counter": "ch", "cancel_after_first": True},
            tenant_id="t",
        )
        await uow.commit()
    await host.run_due()
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.CANCELLED
    assert await count(engine, "ch") == 1  # the chunk before the cancel stays committed


async def test_a_node_whose_lease_was_taken_over_does_not_fire(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    slow = host_for(engine, clock, node="node-slow")
    async with UnitOfWorkFactory(engine, None)() as uow:
        await slow.schedule(uow.conn, "test.bump", payload={"counter": "l"}, tenant_id="t")
        await uow.commit()
    leased = await slow._lease()
    assert leased is not None
    # The slow node stalls past its lease; node-b takes the job over and fires it.
    clock.advance(61)
    other = host_for(engine, clock, node="node-b")
    assert await other.run_due() == 1
    # The slow node comes back with its stale lease: the fence stops it, nothing is written.
    assert await slow._fire(leased) is False
    assert await count(engine, "l") == 1
    async with engine.connect() as conn:
        job = (await Jobs(conn).list("t"))[0][0]
    assert job.state is JobState.DONE
    assert job.attempts == 0


async def test_a_fenced_completion_refuses_a_stale_attempt(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    host = host_for(engine, clock)
    async with UnitOfWorkFactory(engine, None)() as uow:
        job_id = await host.schedule(uow.conn, "test.bump", payload={"counter": "z"}, tenant_id="t")
        await uow.commit()
    leased = await host._lease()
    assert leased is not None
    async with UnitOfWorkFactory(engine, None)() as uow:
        with pytest.raises(LeaseLost):
            await Jobs(uow.conn).fenced_update(
                job_id, owner="node-a", attempts=int(leased["attempts"]) + 1, values={"runs": 9}
            )
        await Jobs(uow.conn).fenced_update(
            job_id, owner="node-a", attempts=int(leased["attempts"]), values={"runs": 9}
        )
