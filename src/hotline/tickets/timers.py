"""The ticket system on the job host: timers and mail written in the caller's transaction
(`Jobs(conn)`), and the `tickets.sla` handler that fires a clock's steps (docs/jobs.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.jobs import MAIL_KIND, JobContext, Jobs, mail_payload
from hotline.tickets.ports import TicketRepository
from hotline.tickets.sla import Target
from hotline.tickets.sla_keeper import SlaKeeper

__all__ = ["JobMailer", "JobTimers", "SlaTimerJob"]


class JobTimers:
    def __init__(
        self,
        conn: AsyncConnection,
        now: Callable[[], float],
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.conn = conn
        self.now = now
        self.wake = wake

    async def schedule(
        self, kind: str, *, due_at: float, tenant_id: str, payload: Mapping[str, Any], key: str
    ) -> None:
        await Jobs(self.conn).schedule(
            kind, due_at=due_at, now=self.now(), tenant_id=tenant_id, payload=payload, key=key
        )
        if self.wake is not None:
            self.wake()


class JobMailer:
    """Each message is a `mail.send` job: sent after the change commits, retried, logged."""

    def __init__(self, timers: JobTimers) -> None:
        self.timers = timers

    async def send(
        self,
        tenant_id: str,
        to: Sequence[str],
        subject: str,
        body: str,
        *,
        ticket_id: str | None = None,
        customer_id: str | None = None,
    ) -> None:
        await Jobs(self.timers.conn).schedule(
            MAIL_KIND,
            due_at=self.timers.now(),
            now=self.timers.now(),
            tenant_id=tenant_id,
            payload=mail_payload(
                list(to), subject, body, ticket_id=ticket_id, customer_id=customer_id
            ),
        )
        if self.timers.wake is not None:
            self.timers.wake()


class SlaTimerJob:
    """Handler of `tickets.sla`: `host.register(SLA_KIND, SlaTimerJob(SqlTickets))`."""

    def __init__(self, repo_for: Callable[[AsyncConnection], TicketRepository]) -> None:
        self.repo_for = repo_for

    async def __call__(self, ctx: JobContext) -> None:
        timers = JobTimers(ctx.conn, lambda: ctx.now)
        keeper = SlaKeeper(self.repo_for(ctx.conn), timers, JobMailer(timers), ctx.emit)
        await keeper.fire(
            ctx.tenant_id,
            str(ctx.payload["ticket_id"]),
            Target(str(ctx.payload["target"])),
            int(ctx.payload["generation"]),
            ctx.now,
        )
