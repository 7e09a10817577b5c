"""The job host: one scheduler for the process (and, on PostgreSQL, for several nodes).

    host = JobHost(engine, bus, clock, settings.jobs)
    host.register("tickets.deadline", on_deadline, retry=Retry(max_attempts=5))
    host.every("recordings.purge", "0 * * * *", timezone="UTC")      # recurring, system-wide
    await host.start()           # fires what came due while the process was down, then waits

    async with uow:              # anywhere, inside a unit of work:
        await host.schedule(uow.conn, "tickets.deadline", due_at=t, tenant_id=tenant,
                            payload={"ticket": id}, key=f"ticket:{id}:first-response")
        await uow.commit()       # the job exists exactly when the caller's change does

Due times live in the `jobs` table (`repo.Jobs`), so a restart loses nothing; a firing's
database effects and its completion commit in one transaction, so a `kill -9` repeats nothing
that committed and keeps nothing that did not. Slow work outside the database runs in
`ctx.outside(...)` with no transaction open (ADR 0175). Tests drive `run_due()` with a `FakeClock`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.bus import EventBus
from hotline.clock import Clock
from hotline.jobs.context import JobContext
from hotline.jobs.errors import JobCancelled, RetryLater, UnknownJobKind
from hotline.jobs.model import SYSTEM_TENANT, JobState, JobView, Progress, Retry
from hotline.jobs.repo import MAX_ERROR, Jobs, LeaseLost
from hotline.jobs.timing import check_cron, check_timezone, next_due
from hotline.jobs.writes import WriteWatch
from hotline.store.engine import WRITE
from hotline.store.uow import UnitOfWork

__all__ = ["Handler", "JobHost", "JobHostSettings"]

log = logging.getLogger(__name__)

Handler = Callable[[JobContext], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobHostSettings:
    poll_s: float = 1.0  # longest sleep between looks at the table (jobs scheduled elsewhere)
    lease_s: float = 300.0  # a firing not finished (or checkpointed) by then may be taken over
    concurrency: int = 2  # firings at once on this node
    node_id: str = ""  # empty: the host name


@dataclass(frozen=True, slots=True)
class _Kind:
    handler: Handler
    retry: Retry


@dataclass(frozen=True, slots=True)
class _Recurring:
    kind: str
    cron: str
    timezone: str
    key: str
    tenant_id: str
    payload: Mapping[str, Any]


@dataclass
class _Running:
    job_id: str
    kind: str
    progress: Progress = field(default_factory=Progress)
    cancel: bool = False


class JobHost:
    def __init__(
        self,
        engine: AsyncEngine,
        bus: EventBus | None,
        clock: Clock,
        settings: JobHostSettings | None = None,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.clock = clock
        self.settings = settings or JobHostSettings()
        self.node_id = self.settings.node_id or socket.gethostname()
        self._kinds: dict[str, _Kind] = {}
        self._recurring: list[_Recurring] = []
        self._running: dict[str, _Running] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._firings: set[asyncio.Task[bool]] = set()
        self.fired = 0  # firings completed by this host (metrics)
        self.failed = 0

    # == registration (before start) =========================================================

    def register(self, kind: str, handler: Handler, *, retry: Retry | None = None) -> None:
        """The handler of one job kind (`"tickets.deadline"`); one per kind."""
        if kind in self._kinds:
            raise ValueError(f"job kind {kind!r} is registered twice")
        self._kinds[kind] = _Kind(handler, retry or Retry())

    @property
    def kinds(self) -> list[str]:
        return sorted(self._kinds)

    def every(
        self,
        kind: str,
        cron: str,
        *,
        timezone: str = "UTC",
        key: str | None = None,
        tenant_id: str = SYSTEM_TENANT,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """A recurring job the host keeps in the table (created or updated at start)."""
        self._recurring.append(
            _Recurring(
                kind,
                check_cron(cron),
                check_timezone(timezone).key,
                key or kind,
                tenant_id,
                dict(payload or {}),
            )
        )

    # == scheduling from a unit of work ======================================================

    def _known(self, kind: str) -> _Kind:
        try:
            return self._kinds[kind]
        except KeyError:
            raise UnknownJobKind(kind) from None

    async def schedule(
        self,
        conn: AsyncConnection,
        kind: str,
        *,
        due_at: float | None = None,
        tenant_id: str = SYSTEM_TENANT,
        payload: Mapping[str, Any] | None = None,
        key: str | None = None,
        replace: bool = True,
    ) -> str:
        """A one-off job on the caller's connection (committed with the caller's change).
        `due_at` None means now. See `Jobs.schedule` for `key` and `replace`."""
        spec = self._known(kind)
        now = self.clock.now()
        job_id = await Jobs(conn).schedule(
            kind,
            due_at=now if due_at is None else due_at,
            now=now,
            tenant_id=tenant_id,
            payload=payload,
            key=key,
            max_attempts=spec.retry.max_attempts,
            replace=replace,
        )
        self.wake()
        return job_id

    async def schedule_recurring(
        self,
        conn: AsyncConnection,
        kind: str,
        *,
        cron: str,
        timezone: str,
        key: str,
        tenant_id: str = SYSTEM_TENANT,
        payload: Mapping[str, Any] | None = None,
    ) -> str:
        """A recurring job of a tenant (e.g. a report at `0 8 * * 1-5` in its time zone)."""
        spec = self._known(kind)
        job_id = await Jobs(conn).recurring(
            kind,
            cron=cron,
            timezone=timezone,
            key=key,
            now=self.clock.now(),
            tenant_id=tenant_id,
            payload=payload,
            max_attempts=spec.retry.max_attempts,
        )
        self.wake()
        return job_id

    async def cancel(self, conn: AsyncConnection, job_id: str, *, tenant_id: str | None) -> JobView:
        running = self._running.get(job_id)
        if running is not None:
            running.cancel = True
        return self.live(await Jobs(conn).cancel(job_id, now=self.clock.now(), tenant_id=tenant_id))

    async def run_now(
        self, conn: AsyncConnection, job_id: str, *, tenant_id: str | None
    ) -> JobView:
        job = await Jobs(conn).run_now(job_id, now=self.clock.now(), tenant_id=tenant_id)
        self.wake()
        return job

    def live(self, job: JobView) -> JobView:
        """The job with this node's live progress of a running firing."""
        running = self._running.get(job.id)
        if running is None or job.state is not JobState.RUNNING:
            return job
        return replace(job, progress=running.progress)

    def wake(self) -> None:
        """Look at the table now (a job was scheduled or made due in this process)."""
        self._wake.set()

    # == running =============================================================================

    async def start(self) -> None:
        """Take back this node's interrupted firings, sync the recurring jobs, start firing."""
        now = self.clock.now()
        async with self._write() as conn:
            released = await Jobs(conn).release(self.node_id, now=now)
            for rec in self._recurring:
                spec = self._known(rec.kind)
                await Jobs(conn).recurring(
                    rec.kind,
                    cron=rec.cron,
                    timezone=rec.timezone,
                    key=rec.key,
                    now=now,
                    tenant_id=rec.tenant_id,
                    payload=rec.payload,
                    max_attempts=spec.retry.max_attempts,
                )
        if released:
            log.info("job host: %d interrupted firing(s) will run again", released)
        self._task = asyncio.create_task(self._loop(), name="job-host")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._firings):
            task.cancel()
        for task in list(self._firings):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_due(self, *, limit: int = 10_000) -> int:
        """Fire every job due now, one after another; returns how many fired (tests, CLI)."""
        count = 0
        while count < limit and await self._fire_next():
            count += 1
        return count

    async def _loop(self) -> None:
        while True:
            try:
                while len(self._firings) < max(1, self.settings.concurrency):
                    row = await self._lease()
                    if row is None:
                        break
                    task = asyncio.create_task(self._fire(row), name=f"job-{row['kind']}")
                    self._firings.add(task)
                    task.add_done_callback(self._firing_done)
                wait = await self._sleep_s()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job host: looking for due jobs failed")
                wait = self.settings.poll_s
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    def _firing_done(self, task: asyncio.Task[bool]) -> None:
        self._firings.discard(task)
        self._wake.set()
        if not task.cancelled() and task.exception() is not None:
            # The database went away mid-firing: its transaction is gone, the lease expires
            # (or this node's restart releases it) and the job fires again.
            log.error("job host: a firing failed", exc_info=task.exception())

    async def _sleep_s(self) -> float:
        if len(self._firings) >= max(1, self.settings.concurrency):
            return self.settings.poll_s
        async with self.engine.connect() as conn:
            due = await Jobs(conn).next_due_at(self._kinds)
        if due is None:
            return self.settings.poll_s
        return max(0.0, min(self.settings.poll_s, due - self.clock.now()))

    @contextlib.asynccontextmanager
    async def _write(self) -> Any:
        async with self.engine.connect() as raw:
            conn = await raw.execution_options(**WRITE)
            async with conn.begin():
                yield conn

    async def _lease(self) -> RowMapping | None:
        async with self._write() as conn:
            return await Jobs(conn).lease(
                now=self.clock.now(),
                owner=self.node_id,
                lease_s=self.settings.lease_s,
                kinds=list(self._kinds),
            )

    async def _fire_next(self) -> bool:
        row = await self._lease()
        if row is None:
            return False
        await self._fire(row)
        return True

    async def _still_ours(self, job_id: str, attempts: int) -> RowMapping | None:
        """The leased row if this node still holds it, read in a short transaction of its
        own: the firing holds no lock while its handler runs; the fenced completion is what
        keeps a taken-over firing from committing (ADR 0175)."""
        async with self.engine.connect() as conn:
            return await Jobs(conn).lock(job_id, owner=self.node_id, attempts=attempts)

    async def _fire(self, leased: RowMapping) -> bool:
        """One firing: check the lease, run the handler, finish; the handler's writes and the
        completion commit in one transaction, its slow outside work runs with none open."""
        job_id, attempts = str(leased["id"]), int(leased["attempts"])
        spec = self._kinds[str(leased["kind"])]
        running = self._running[job_id] = _Running(job_id, str(leased["kind"]))
        uow = UnitOfWork(self.engine, self.bus, write=True)
        try:
            row = await self._still_ours(job_id, attempts)
            if row is None:  # taken over meanwhile
                return False
            async with uow:
                writes = WriteWatch(uow.conn)
                ctx = self._context(row, uow, running, writes)
                try:
                    if row["cancel_requested"]:
                        raise JobCancelled(job_id)
                    await spec.handler(ctx)
                    # Read again in the completing transaction: a cancel may have come while
                    # the handler ran outside any transaction.
                    final = await Jobs(uow.conn).lock(job_id, owner=self.node_id, attempts=attempts)
                    if final is None:
                        raise LeaseLost(job_id)
                    await Jobs(uow.conn).fenced_update(
                        job_id,
                        owner=self.node_id,
                        attempts=attempts,
                        values=self._success(final, ctx.progress_state),
                    )
                    await uow.commit()
                    self.fired += 1
                    return True
                except LeaseLost:
                    await uow.rollback()
                    log.warning("job %s: lease lost; its effects were rolled back", job_id)
                    return False
                except JobCancelled:
                    await uow.rollback()
                    await self._finish_after_rollback(
                        uow, job_id, attempts, self._cancelled_values()
                    )
                    return True
                except RetryLater as later:
                    await uow.rollback()
                    await self._finish_after_rollback(
                        uow, job_id, attempts, self._later(row, later)
                    )
                    return True
                except Exception as error:  # noqa: BLE001 - a handler bug must not stop the host
                    await uow.rollback()
                    self.failed += 1
                    log.warning("job %s (%s) failed: %s", job_id, row["kind"], error)
                    await self._finish_after_rollback(
                        uow, job_id, attempts, self._failure(row, spec.retry, error)
                    )
                    return True
                finally:
                    writes.close()
        finally:
            self._running.pop(job_id, None)

    async def _finish_after_rollback(
        self, uow: UnitOfWork, job_id: str, attempts: int, values: dict[str, Any]
    ) -> None:
        try:
            await Jobs(uow.conn).fenced_update(
                job_id, owner=self.node_id, attempts=attempts, values=values
            )
            await uow.commit()
        except LeaseLost:
            await uow.rollback()

    async def _renew(self, job_id: str, attempts: int, running: _Running) -> None:
        """Before outside work: renew the lease and see a cancel, in a short transaction."""
        now = self.clock.now()
        async with self._write() as conn:
            row = await Jobs(conn).lock(job_id, owner=self.node_id, attempts=attempts)
            if row is None:
                raise LeaseLost(job_id)
            if row["cancel_requested"] or running.cancel:
                raise JobCancelled(job_id)
            await Jobs(conn).fenced_update(
                job_id,
                owner=self.node_id,
                attempts=attempts,
                values={"lease_until": now + self.settings.lease_s, "updated_at": now},
            )

    def _context(
        self, row: RowMapping, uow: UnitOfWork, running: _Running, writes: WriteWatch
    ) -> JobContext:
        job_id, attempts = str(row["id"]), int(row["attempts"])

        def report(progress: Progress) -> None:
            running.progress = progress

        async def checkpoint(state: dict[str, Any] | None) -> None:
            now = self.clock.now()
            progress = ctx.progress_state
            await Jobs(uow.conn).fenced_update(
                job_id,
                owner=self.node_id,
                attempts=attempts,
                values={
                    "checkpoint": state,
                    "lease_until": now + self.settings.lease_s,
                    "progress_done": progress.done,
                    "progress_total": progress.total,
                    "progress_message": progress.message,
                    "updated_at": now,
                },
            )
            await uow.commit()
            writes.dirty = False
            locked = await self._still_ours(job_id, attempts)
            if locked is None:
                raise LeaseLost(job_id)
            if locked["cancel_requested"] or running.cancel:
                raise JobCancelled(job_id)

        async def outside(work: Callable[[], Awaitable[Any]]) -> Any:
            if writes.dirty or uow.pending_events:
                raise RuntimeError(
                    f"job {job_id}: outside work after a write; write after it (or checkpoint)"
                )
            await uow.rollback()  # only reads so far: let go of them and of the writer lock
            await self._renew(job_id, attempts, running)
            return await work()

        ctx = JobContext(
            job_id=job_id,
            kind=str(row["kind"]),
            tenant_id=str(row["tenant_id"]),
            payload=dict(row["payload"] or {}),
            scheduled_at=float(row["due_at"]),
            attempt=attempts,
            run=int(row["runs"]) + 1,
            uow=uow,
            now=self.clock.now(),
            resume=dict(row["checkpoint"]) if row["checkpoint"] else None,
            _checkpoint=checkpoint,
            _cancelled=lambda: running.cancel,
            _progress=report,
            _outside=outside,
            progress_state=Progress(
                int(row["progress_done"]), row["progress_total"], row["progress_message"] or ""
            ),
        )
        return ctx

    def _base(self, now: float, progress: Progress | None) -> dict[str, Any]:
        """Values every end of a firing writes. `progress` None keeps what the last
        checkpoint committed (after a rollback)."""
        values: dict[str, Any] = {
            "lease_owner": None,
            "lease_until": None,
            "last_finished_at": now,
            "updated_at": now,
        }
        if progress is not None:
            values.update(
                progress_done=progress.done,
                progress_total=progress.total,
                progress_message=progress.message,
            )
        return values

    def _success(self, row: RowMapping, progress: Progress) -> dict[str, Any]:
        now = self.clock.now()
        values = self._base(now, progress)
        values.update(runs=int(row["runs"]) + 1, last_error=None, attempts=0, checkpoint=None)
        if row["cron"] and row["cancel_requested"]:
            # cancelled while this run was outside any transaction: the run counts, no more
            values.update(state=JobState.CANCELLED.value, cancel_requested=False)
        elif row["cron"]:
            values.update(
                state=JobState.PENDING.value,
                due_at=next_due(
                    row["cron"], row["timezone"], scheduled=float(row["due_at"]), now=now
                ),
                cancel_requested=False,
            )
        else:
            values.update(state=JobState.DONE.value)
        return values

    def _cancelled_values(self) -> dict[str, Any]:
        values = self._base(self.clock.now(), None)
        values.update(state=JobState.CANCELLED.value, last_error="cancelled")
        return values

    def _later(self, row: RowMapping, later: RetryLater) -> dict[str, Any]:
        now = self.clock.now()
        values = self._base(now, None)
        values.update(
            state=JobState.PENDING.value,
            due_at=now + later.delay_s,
            attempts=max(0, int(row["attempts"]) - 1),  # not a failure
            last_error=later.message[:MAX_ERROR],
        )
        return values

    def _failure(self, row: RowMapping, retry: Retry, error: BaseException) -> dict[str, Any]:
        now = self.clock.now()
        attempts = int(row["attempts"])
        text = "".join(traceback.format_exception_only(error)).strip()[:MAX_ERROR]
        values = self._base(now, None)
        values["last_error"] = text
        if attempts < int(row["max_attempts"]):
            values.update(state=JobState.PENDING.value, due_at=now + retry.delay_s(attempts))
        elif row["cron"]:  # used up: skip to the next occurrence, start counting again
            values.update(
                state=JobState.PENDING.value,
                attempts=0,
                due_at=next_due(
                    row["cron"], row["timezone"], scheduled=float(row["due_at"]), now=now
                ),
            )
        else:
            values.update(state=JobState.FAILED.value)
        return values

    def metrics(self) -> list[tuple[str, float, str]]:
        return [
            ("hotline_jobs_fired_total", float(self.fired), "job firings completed"),
            ("hotline_jobs_failed_total", float(self.failed), "job firings that raised"),
            ("hotline_jobs_running", float(len(self._running)), "job firings in progress"),
        ]
