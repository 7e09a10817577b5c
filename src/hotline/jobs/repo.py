"""The `jobs` table: scheduling from any unit of work, and the host's lease/lock/finish steps.

`Jobs(conn)` only executes statements on the caller's connection; whoever opened it commits
(DESIGN §3.7). So a job scheduled inside an API request's unit of work exists exactly when the
request's change does.

Claims work on several nodes: a node *leases* a due job in a short transaction (PostgreSQL:
`FOR UPDATE SKIP LOCKED`, so two nodes never take the same row; SQLite: `BEGIN IMMEDIATE`
serialises writers), then runs the handler in a second transaction that re-locks the row and
ends with a *fenced* update — `WHERE lease_owner = me AND attempts = n` — in the same
transaction as the handler's effects. A node whose lease expired and was taken over finds the
fence gone and rolls its effects back, so a firing's database effects commit exactly once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.ids import new_id
from hotline.jobs.errors import InvalidSchedule, JobNotFound, JobNotRunnable
from hotline.jobs.model import SYSTEM_TENANT, JobState, JobView, Progress, check_transition
from hotline.jobs.timing import check_cron, check_timezone, next_occurrence
from hotline.store.ops_tables import jobs

__all__ = ["Jobs", "LeaseLost", "view"]

MAX_KIND = 64
MAX_KEY = 200
MAX_ERROR = 4000


class LeaseLost(Exception):
    """The fenced update found the job no longer leased by this node at this attempt."""


def view(row: RowMapping | Mapping[str, Any]) -> JobView:
    state = JobState(row["state"])
    return JobView(
        id=row["id"],
        tenant_id=row["tenant_id"],
        kind=row["kind"],
        key=row["key"],
        state=state,
        payload=dict(row["payload"] or {}),
        due_at=row["due_at"] if state in (JobState.PENDING, JobState.RUNNING) else None,
        cron=row["cron"],
        timezone=row["timezone"],
        attempts=int(row["attempts"]),
        max_attempts=int(row["max_attempts"]),
        runs=int(row["runs"]),
        last_run_at=row["last_run_at"],
        last_finished_at=row["last_finished_at"],
        last_error=row["last_error"],
        progress=Progress(
            int(row["progress_done"]), row["progress_total"], row["progress_message"] or ""
        ),
        cancel_requested=bool(row["cancel_requested"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _check_kind(kind: str) -> str:
    if not kind or len(kind) > MAX_KIND:
        raise InvalidSchedule(f"job kind must be 1–{MAX_KIND} characters", field="kind", value=kind)
    return kind


def _check_key(key: str | None) -> str | None:
    if key is not None and (not key or len(key) > MAX_KEY):
        raise InvalidSchedule(f"job key must be 1–{MAX_KEY} characters", field="key", value=key)
    return key


class Jobs:
    """Scheduling, status and control of jobs on the caller's connection (no commit here)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    @property
    def _postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    # == scheduling ==========================================================================

    async def schedule(
        self,
        kind: str,
        *,
        due_at: float,
        now: float,
        tenant_id: str = SYSTEM_TENANT,
        payload: Mapping[str, Any] | None = None,
        key: str | None = None,
        max_attempts: int = 5,
        replace: bool = True,
    ) -> str:
        """A one-off job due at `due_at`. With a `key`, the tenant has at most one job of that
        key: scheduling it again moves the existing job (new due time and payload, attempts
        reset) unless `replace=False`, which keeps it. Returns the job's id."""
        return await self._upsert(
            kind,
            tenant_id=tenant_id,
            key=_check_key(key),
            payload=payload,
            due_at=float(due_at),
            cron=None,
            timezone=None,
            max_attempts=max_attempts,
            replace=replace,
            now=now,
        )

    async def recurring(
        self,
        kind: str,
        *,
        cron: str,
        timezone: str,
        key: str,
        now: float,
        tenant_id: str = SYSTEM_TENANT,
        payload: Mapping[str, Any] | None = None,
        max_attempts: int = 3,
    ) -> str:
        """A job that fires at every occurrence of `cron` in `timezone` (e.g. `0 8 * * *` in
        Asia/Shanghai). Idempotent by (tenant, key): calling it at every start-up keeps one row,
        and a changed expression or zone moves the next due time."""
        cron = check_cron(cron)
        check_timezone(timezone)
        existing = await self.find(tenant_id, key)
        if (
            existing is not None
            and existing.cron == cron
            and existing.timezone == timezone
            and existing.payload == dict(payload or {})
            and existing.state in (JobState.PENDING, JobState.RUNNING)
        ):
            return existing.id
        return await self._upsert(
            kind,
            tenant_id=tenant_id,
            key=_check_key(key),
            payload=payload,
            due_at=next_occurrence(cron, timezone, now),
            cron=cron,
            timezone=timezone,
            max_attempts=max_attempts,
            replace=True,
            now=now,
        )

    async def _upsert(
        self,
        kind: str,
        *,
        tenant_id: str,
        key: str | None,
        payload: Mapping[str, Any] | None,
        due_at: float,
        cron: str | None,
        timezone: str | None,
        max_attempts: int,
        replace: bool,
        now: float,
    ) -> str:
        _check_kind(kind)
        if max_attempts < 1:
            raise InvalidSchedule(
                "max_attempts must be at least 1", field="max_attempts", value=max_attempts
            )
        values: dict[str, Any] = {
            "kind": kind,
            "state": JobState.PENDING.value,
            "payload": dict(payload or {}),
            "due_at": due_at,
            "cron": cron,
            "timezone": timezone,
            "attempts": 0,
            "max_attempts": max_attempts,
            "last_error": None,
            "checkpoint": None,
            "progress_done": 0,
            "progress_total": None,
            "progress_message": "",
            "cancel_requested": False,
            "updated_at": now,
        }
        if key is not None:
            row = await self._row(
                select(jobs).where(jobs.c.tenant_id == tenant_id, jobs.c.key == key)
            )
            if row is not None:
                if not replace or row["state"] == JobState.RUNNING:
                    # A running firing finishes first; its handler sees the old payload.
                    return str(row["id"])
                await self.conn.execute(update(jobs).where(jobs.c.id == row["id"]).values(values))
                return str(row["id"])
        job_id = new_id(now)
        await self.conn.execute(
            jobs.insert().values(
                id=job_id,
                tenant_id=tenant_id,
                key=key,
                runs=0,
                created_at=now,
                lease_owner=None,
                lease_until=None,
                last_run_at=None,
                last_finished_at=None,
                **values,
            )
        )
        return job_id

    # == status and control ==================================================================

    async def get(self, job_id: str, *, tenant_id: str | None = None, own: bool = False) -> JobView:
        """A job by id. With `tenant_id`: that tenant's or a system job (read-only to tenants;
        `own=True` leaves system jobs out, for changes)."""
        query = select(jobs).where(jobs.c.id == job_id)
        if tenant_id is not None:
            visible = (tenant_id,) if own else (tenant_id, SYSTEM_TENANT)
            query = query.where(jobs.c.tenant_id.in_(visible))
        row = await self._row(query)
        if row is None:
            raise JobNotFound(job_id)
        return view(row)

    async def find(self, tenant_id: str, key: str) -> JobView | None:
        row = await self._row(select(jobs).where(jobs.c.tenant_id == tenant_id, jobs.c.key == key))
        return None if row is None else view(row)

    async def list(
        self,
        tenant_id: str | None,
        *,
        kind: str | None = None,
        state: JobState | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[JobView], int]:
        """A tenant's jobs and the system's (all jobs when `tenant_id` is None), soonest due
        first, then the finished ones newest first."""
        conditions: list[ColumnElement[bool]] = []
        if tenant_id is not None:
            conditions.append(jobs.c.tenant_id.in_((tenant_id, SYSTEM_TENANT)))
        if kind:
            conditions.append(jobs.c.kind == kind)
        if state is not None:
            conditions.append(jobs.c.state == state.value)
        where = and_(*conditions) if conditions else None
        count_query = select(func.count()).select_from(jobs)
        query = select(jobs)
        if where is not None:
            count_query = count_query.where(where)
            query = query.where(where)
        total = int((await self.conn.execute(count_query)).scalar_one())
        finished = jobs.c.state.in_(("done", "failed", "cancelled"))
        query = (
            query.order_by(finished, jobs.c.due_at, jobs.c.last_finished_at.desc(), jobs.c.id)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self.conn.execute(query)).mappings().all()
        return [view(r) for r in rows], total

    async def cancel(self, job_id: str, *, now: float, tenant_id: str | None = None) -> JobView:
        """Cancel a pending job at once; ask a running one to stop at its next checkpoint."""
        job = await self.get(job_id, tenant_id=tenant_id, own=tenant_id is not None)
        if job.state is JobState.RUNNING:
            await self.conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(cancel_requested=True, updated_at=now)
            )
        else:
            check_transition(job.state, "cancel")
            await self.conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(state=JobState.CANCELLED.value, updated_at=now, last_finished_at=now)
            )
        return await self.get(job_id)

    async def run_now(self, job_id: str, *, now: float, tenant_id: str | None = None) -> JobView:
        """Make a pending, failed, done or cancelled job due now (a retry by hand)."""
        job = await self.get(job_id, tenant_id=tenant_id, own=tenant_id is not None)
        if job.state is JobState.RUNNING:
            raise JobNotRunnable(f"job {job_id} is running", details={"job_id": job_id})
        check_transition(job.state, "reschedule")
        await self.conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(
                state=JobState.PENDING.value,
                due_at=now,
                attempts=0,
                cancel_requested=False,
                updated_at=now,
            )
        )
        return await self.get(job_id)

    async def next_due_at(self, kinds: Collection[str]) -> float | None:
        """The soonest due time among pending jobs of these kinds (the host's sleep)."""
        if not kinds:
            return None
        value = (
            await self.conn.execute(
                select(func.min(jobs.c.due_at)).where(
                    jobs.c.state == JobState.PENDING.value, jobs.c.kind.in_(list(kinds))
                )
            )
        ).scalar_one_or_none()
        return None if value is None else float(value)

    # == the host's steps ====================================================================

    async def lease(
        self, *, now: float, owner: str, lease_s: float, kinds: Collection[str]
    ) -> RowMapping | None:
        """Take the most overdue job of these kinds (or one whose lease ran out): state
        running, leased to `owner`, attempts + 1. The caller commits at once."""
        if not kinds:
            return None
        query: Select[Any] = (
            select(jobs)
            .where(
                jobs.c.kind.in_(list(kinds)),
                or_(
                    and_(jobs.c.state == JobState.PENDING.value, jobs.c.due_at <= now),
                    and_(jobs.c.state == JobState.RUNNING.value, jobs.c.lease_until < now),
                ),
            )
            .order_by(jobs.c.due_at, jobs.c.id)
            .limit(1)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        row = await self._row(query)
        if row is None:
            return None
        await self.conn.execute(
            update(jobs)
            .where(jobs.c.id == row["id"])
            .values(
                state=JobState.RUNNING.value,
                lease_owner=owner,
                lease_until=now + lease_s,
                attempts=jobs.c.attempts + 1,
                last_run_at=now,
                updated_at=now,
            )
        )
        return await self._row(select(jobs).where(jobs.c.id == row["id"]))

    async def lock(self, job_id: str, *, owner: str, attempts: int) -> RowMapping | None:
        """Inside the firing's transaction: the leased row, locked, if still ours."""
        query: Select[Any] = select(jobs).where(
            jobs.c.id == job_id,
            jobs.c.state == JobState.RUNNING.value,
            jobs.c.lease_owner == owner,
            jobs.c.attempts == attempts,
        )
        if self._postgres:
            query = query.with_for_update()
        return await self._row(query)

    async def fenced_update(
        self, job_id: str, *, owner: str, attempts: int, values: Mapping[str, Any]
    ) -> None:
        """Update the leased row only if still ours at this attempt; else `LeaseLost`."""
        result = await self.conn.execute(
            update(jobs)
            .where(
                jobs.c.id == job_id,
                jobs.c.state == JobState.RUNNING.value,
                jobs.c.lease_owner == owner,
                jobs.c.attempts == attempts,
            )
            .values(dict(values))
        )
        if result.rowcount != 1:
            raise LeaseLost(job_id)

    async def release(self, owner: str, *, now: float) -> int:
        """At start-up: jobs a previous run of this node had leased go back to pending (that
        process is gone; its open transactions were rolled back)."""
        mine = and_(jobs.c.state == JobState.RUNNING.value, jobs.c.lease_owner == owner)
        # A firing that took the process down as often as it may be tried stops here.
        await self.conn.execute(
            update(jobs)
            .where(mine, jobs.c.attempts >= jobs.c.max_attempts)
            .values(
                state=JobState.FAILED.value,
                lease_owner=None,
                lease_until=None,
                last_finished_at=now,
                last_error="interrupted by a restart on every attempt",
                updated_at=now,
            )
        )
        result = await self.conn.execute(
            update(jobs)
            .where(mine)
            .values(
                state=JobState.PENDING.value, lease_owner=None, lease_until=None, updated_at=now
            )
        )
        return int(result.rowcount or 0)

    async def _row(self, query: Select[Any]) -> RowMapping | None:
        row: RowMapping | None = (await self.conn.execute(query)).mappings().first()
        return row
