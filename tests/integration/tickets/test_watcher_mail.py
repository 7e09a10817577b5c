"""A ticket's watchers hear of its changes (issue 17): a status change and each comment, public
or internal, mailed through the tickets' one SMTP path to every watcher but the person who made
the change, in the watcher's own language (else the center's); the mails arrive at a real SMTP
sink through the job host."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import FakeClock
from hotline.jobs import JobHost
from hotline.store.tables import users
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWorkFactory
from hotline.tickets.model import TicketStatus
from hotline.tickets.schemas import CommentIn, TicketIn
from hotline.tickets.service import Actor, TicketService
from hotline.tickets.sla_keeper import SlaKeeper
from hotline.tickets.timers import JobMailer, JobTimers
from tests.integration.jobs.test_report_delivery import Sink
from tests.integration.tickets.test_sla_escalation import _seed, at, host_for


def as_user(conn: object, tenant: str, user: str, clock: FakeClock, host: JobHost,
            emit: object) -> TicketService:  # fmt: skip
    repo = SqlTickets(conn)  # type: ignore[arg-type]
    timers = JobTimers(conn, clock.now, host.wake)  # type: ignore[arg-type]
    mailer = JobMailer(timers)
    return TicketService(
        repo, actor=Actor(tenant, user), clock=clock, emit=emit,  # type: ignore[arg-type]
        keeper=SlaKeeper(repo, timers, mailer, emit), mailer=mailer,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_watchers_hear_of_status_changes_and_comments(engine: AsyncEngine) -> None:
    clock = FakeClock(at("2026-09-30T09:00:00"))
    tenant, people = await _seed(engine, clock)  # the center speaks zh-CN
    async with engine.begin() as conn:  # the agent reads English; the others the center's
        await conn.execute(update(users).where(users.c.id == people["agent"]).values(language="en"))
    sink = Sink()
    sink.controller.start()
    try:
        host = host_for(engine, clock, sink.port)
        uows = UnitOfWorkFactory(engine, None)

        async def act(user: str, what: str, *args: object) -> object:
            async with uows() as uow:
                tickets = as_user(uow.conn, tenant, people[user], clock, host, uow.emit)
                done = await getattr(tickets, what)(*args)
                await uow.commit()
            await host.run_due()
            return done

        made = await act("lead", "create", TicketIn(subject="屏幕不亮", department="售后部"))
        for who in ("agent", "lead", "manager"):
            await act("lead", "watch", made.id, people[who], True)  # type: ignore[attr-defined]
        sink.messages.clear()
        number = f"{made.number // 1000} {made.number % 1000:03d}"  # type: ignore[attr-defined]

        await act("lead", "set_status", made.id, TicketStatus.PENDING)  # type: ignore[attr-defined]
        await act("lead", "comment", made.id,  # type: ignore[attr-defined]
                  CommentIn(body="已联系供应商", public=False))  # fmt: skip
        await act("agent", "comment", made.id,  # type: ignore[attr-defined]
                  CommentIn(body="We sent a new screen.", public=True))  # fmt: skip
    finally:
        sink.controller.stop()

    received = sorted((str(m["To"]), str(m["Subject"])) for m in sink.messages)
    assert received == sorted([
        # the status change by the lead: not to the lead
        ("agent@center.test", f"Ticket {number} you watch is now pending on the customer"),
        ("manager@center.test", f"您关注的工单 {number} 状态变为“等待客户”"),
        # the lead's internal comment
        ("agent@center.test", f"New internal comment on ticket {number} you watch"),
        ("manager@center.test", f"您关注的工单 {number} 有新的内部备注"),
        # the agent's public comment: not to the agent
        ("lead@center.test", f"您关注的工单 {number} 有新的公开回复"),
        ("manager@center.test", f"您关注的工单 {number} 有新的公开回复"),
    ])  # fmt: skip
    bodies = {str(m["To"]) + str(m["Subject"]): m.get_content() for m in sink.messages}
    status_en = bodies[f"agent@center.testTicket {number} you watch is now pending on the customer"]
    assert "Status: new → pending on the customer" in status_en  # not the center's words
    assert "屏幕不亮" in status_en
    public = bodies[f"lead@center.test您关注的工单 {number} 有新的公开回复"]
    assert "公开回复：" in public
    assert "We sent a new screen." in public
