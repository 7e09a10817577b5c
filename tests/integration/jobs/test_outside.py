"""Slow outside work (mail, printing, HTTP) runs with no transaction open (ADR 0175): another
writer goes ahead while it runs, and the firing's writes still commit with its completion."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.jobs import JobContext, JobHost, JobHostSettings, Jobs, JobState, Retry
from hotline.store.tables import counters
from hotline.store.uow import UnitOfWorkFactory
from tests.integration.jobs.test_host import bump, count


class SlowSender:
    """A handler that reads, waits outside the database until released, then writes."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = False

    async def __call__(self, ctx: JobContext) -> None:
        await count_in(ctx)  # a read first, as a report's figures are

        async def slow() -> str:
            self.entered.set()
            await self.release.wait()
            return "sent"

        assert await ctx.outside(slow) == "sent"
        await bump(ctx)  # written after: commits with the completion
        self.finished = True


async def count_in(ctx: JobContext) -> None:
    await ctx.conn.execute(counters.select().where(counters.c.tenant_id == "t"))


def host_with(engine: AsyncEngine, clock: FakeClock, kind: str, handler: object) -> JobHost:
    host = JobHost(engine, EventBus(), clock, JobHostSettings(node_id="node-a", lease_s=60))
    host.register(kind, handler, retry=Retry(max_attempts=2, base_s=10))  # type: ignore[arg-type]
    return host


async def schedule(host: JobHost, engine: AsyncEngine, kind: str, **kw: object) -> str:
    async with UnitOfWorkFactory(engine, None)() as uow:
        if "cron" in kw:
            job_id = await host.schedule_recurring(
                uow.conn, kind, cron=str(kw["cron"]), timezone="UTC", key=kind,
                tenant_id="t", payload={"counter": "job"},
            )  # fmt: skip
        else:
            job_id = await host.schedule(uow.conn, kind, tenant_id="t", payload={"counter": "job"})
        await uow.commit()
    return job_id


async def test_another_writer_goes_ahead_while_a_job_sends(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    sender = SlowSender()
    host = host_with(engine, clock, "test.slow", sender)
    job_id = await schedule(host, engine, "test.slow")
    firing = asyncio.create_task(host.run_due())
    await sender.entered.wait()
    # The job is inside its outside work and cannot leave it until released: if it held the
    # writer lock, this write would wait for it (SQLite: until its busy timeout, then fail).
    async with UnitOfWorkFactory(engine, None)() as uow:
        await uow.conn.execute(counters.insert().values(tenant_id="t", name="other", value=7))
        await uow.commit()
    assert not sender.finished
    assert await count(engine, "other") == 7
    assert await count(engine, "job") == 0  # the job's own write has not happened yet
    sender.release.set()
    assert await firing == 1
    assert sender.finished
    assert await count(engine, "job") == 1
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.DONE


async def test_outside_work_after_a_write_is_refused_and_nothing_is_kept(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async def wrong_order(ctx: JobContext) -> None:
        await bump(ctx)

        async def nothing() -> None:
            return None

        await ctx.outside(nothing)

    host = host_with(engine, clock, "test.wrong", wrong_order)
    job_id = await schedule(host, engine, "test.wrong")
    assert await host.run_due() == 1
    assert await count(engine, "job") == 0  # the write before it was rolled back
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.PENDING  # a failure: retried later
    assert job.last_error is not None
    assert "outside work after a write" in job.last_error


async def test_a_cancel_during_outside_work_stops_a_recurring_job_after_this_run(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    sender = SlowSender()
    host = host_with(engine, clock, "test.slow", sender)
    job_id = await schedule(host, engine, "test.slow", cron="0 8 * * *")
    async with engine.connect() as conn:
        due = (await Jobs(conn).get(job_id)).due_at
    assert due is not None
    clock.advance(due - clock.now())
    firing = asyncio.create_task(host.run_due())
    await sender.entered.wait()
    async with UnitOfWorkFactory(engine, None)() as uow:
        await Jobs(uow.conn).cancel(job_id, now=clock.now(), tenant_id="t")
        await uow.commit()
    sender.release.set()
    assert await firing == 1
    assert await count(engine, "job") == 1  # the run that was under way counts
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.CANCELLED
    assert job.runs == 1


async def test_a_cancel_before_outside_work_stops_it(engine: AsyncEngine, clock: FakeClock) -> None:
    reached: list[str] = []

    async def cancelled_meanwhile(ctx: JobContext) -> None:
        async with UnitOfWorkFactory(engine, None)() as uow:
            await Jobs(uow.conn).cancel(ctx.job_id, now=clock.now(), tenant_id="t")
            await uow.commit()

        async def send() -> None:
            reached.append("sent")

        await ctx.outside(send)

    host = host_with(engine, clock, "test.cancel", cancelled_meanwhile)
    job_id = await schedule(host, engine, "test.cancel")
    assert await host.run_due() == 1
    assert reached == []
    async with engine.connect() as conn:
        job = await Jobs(conn).get(job_id)
    assert job.state is JobState.CANCELLED
