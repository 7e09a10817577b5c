"""What a handler gets: the job, the firing's unit of work, progress, checkpoints, cancellation.

    async def send_reminder(ctx: JobContext) -> None:
        ticket = await SqlTickets(ctx.conn).get(ctx.tenant_id, ctx.payload["ticket_id"])
        ...                                   # database writes on ctx.conn, events via ctx.emit
        await sms.send(..., idempotency_key=ctx.idempotency_key)

Everything the handler writes on `ctx.conn` (and every event it emits) commits in the same
transaction that marks the firing done, or not at all. Slow work outside the database (mail,
printing, HTTP) goes in `await ctx.outside(work)`, before the writes, so no transaction (on
SQLite: the one writer lock) is held while it runs (ADR 0175). Effects outside the database carry
`ctx.idempotency_key`, the same for every retry of this firing, so the receiver can drop a
repeat. Long jobs call `await ctx.checkpoint(state)` now and then: it commits what was done so
far together with `state` (the handler reads it back from `ctx.resume` after a crash), renews
the lease, and raises `JobCancelled` if someone cancelled the job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.events import DomainEvent
from hotline.jobs.errors import JobCancelled
from hotline.jobs.model import Progress
from hotline.store.uow import UnitOfWork

__all__ = ["JobContext"]

T = TypeVar("T")


@dataclass(eq=False)
class JobContext:
    job_id: str
    kind: str
    tenant_id: str
    payload: dict[str, Any]
    scheduled_at: float  # the due time (occurrence) this firing is for
    attempt: int  # 1 for the first try of this firing
    run: int  # which successful run this will be (1-based); part of the idempotency key
    uow: UnitOfWork
    now: float  # when the firing started (the host's clock)
    resume: dict[str, Any] | None = None  # the last checkpoint's state, after a crash
    _checkpoint: Callable[[dict[str, Any] | None], Any] | None = field(default=None, repr=False)
    _cancelled: Callable[[], bool] = field(default=lambda: False, repr=False)
    _progress: Callable[[Progress], None] = field(default=lambda _p: None, repr=False)
    _outside: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]] | None = field(
        default=None, repr=False
    )
    progress_state: Progress = field(default_factory=Progress)

    @property
    def conn(self) -> AsyncConnection:
        """The firing's connection: repositories write here; the host commits."""
        return self.uow.conn

    @property
    def idempotency_key(self) -> str:
        """Stable across retries of this firing, different for the next run."""
        return f"{self.job_id}.{self.run}"

    def emit(self, event: DomainEvent) -> None:
        """An event written in the firing's transaction, published after it commits."""
        self.uow.emit(event)

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report progress (shown live on the jobs page; stored at each checkpoint)."""
        self.progress_state = Progress(max(0, done), total, message[:500])
        self._progress(self.progress_state)

    @property
    def cancelled(self) -> bool:
        """True once cancellation was asked for on this node (checkpoints also see it from
        other nodes)."""
        return self._cancelled()

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise JobCancelled(self.job_id)

    async def outside(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run slow work that is not the database's (mail, printing, HTTP) with no transaction
        open, so other writers are not kept waiting (ADR 0175); returns what `work` returns.

        Call it before the firing writes anything: what was read so far is let go (the
        firing's writes after it still commit together with its completion), and a write
        before it raises `RuntimeError` (it would have to be committed early or lost). The
        lease is renewed first; a cancel asked for meanwhile raises `JobCancelled`."""
        if self._outside is None:  # a context made by hand (tests): nothing is held
            return await work()
        result: T = await self._outside(work)
        return result

    async def checkpoint(self, state: dict[str, Any] | None = None) -> None:
        """Commit the work so far with `state` and the progress; continue in a new transaction.
        Raises `JobCancelled` (after the commit) when the job was cancelled."""
        if self._checkpoint is None:
            raise RuntimeError("checkpoints are only available while the host runs the job")
        await self._checkpoint(state)
        self.resume = state
