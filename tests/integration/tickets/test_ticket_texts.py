"""The SMS hook (issue 17): with `tickets.sms_notify`, opening and resolving a ticket hands a
short text to the customer's first phone to the event log as `ticket.sms`, written with the
change (a refused change texts nobody); a customer without a phone gets none; the texts are
short enough for one SMS in zh-CN."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import FakeClock
from hotline.demo import create_tenant
from hotline.store.tables import customer_phones, customers, events
from hotline.store.ticket_admin import SqlTicketConfig
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWork, UnitOfWorkFactory
from hotline.tickets.errors import TicketInvalid
from hotline.tickets.model import Ticket, TicketStatus
from hotline.tickets.notify import TEXT_KINDS, text_message
from hotline.tickets.schemas import DepartmentIn, TicketIn
from hotline.tickets.service import Actor, TicketService
from hotline.tickets.setup import TicketSetup
from hotline.tickets.sla_keeper import SlaKeeper
from hotline.tickets.texts import EventTexts
from hotline.tickets.timers import JobMailer, JobTimers


def service(uow: UnitOfWork, tenant: str, clock: FakeClock) -> TicketService:
    repo = SqlTickets(uow.conn)
    timers = JobTimers(uow.conn, clock.now)
    mailer = JobMailer(timers)
    return TicketService(
        repo, actor=Actor(tenant, None), clock=clock, emit=uow.emit,
        keeper=SlaKeeper(repo, timers, mailer, uow.emit), mailer=mailer,
        texts=EventTexts(uow.emit, clock.now),
    )  # fmt: skip


async def texts(engine: AsyncEngine, tenant: str) -> list[dict[str, object]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(events.c.payload)
            .where(events.c.tenant_id == tenant, events.c.type == "ticket.sms")
            .order_by(events.c.seq)
        )
        return [dict(r.payload) for r in rows]


async def test_the_customer_is_texted_when_the_ticket_is_opened_and_resolved(
    engine: AsyncEngine,
) -> None:
    clock = FakeClock()
    uows = UnitOfWorkFactory(engine, None)
    tenant = await create_tenant(uows, clock, slug="t", name="t", sip_domain="t.test")
    async with uows() as uow:
        for cid, name in (("C1", "张三"), ("C2", "李四")):
            await uow.conn.execute(
                insert(customers).values(
                    id=cid, tenant_id=tenant, name=name, vip_level=0, tags=[], custom={},
                    notes="", created_at=0.0, updated_at=0.0,
                )
            )  # fmt: skip
        await uow.conn.execute(
            insert(customer_phones).values(
                tenant_id=tenant, customer_id="C1", e164="+8613900139077", raw="13900139077"
            )
        )
        setup = TicketSetup(SqlTicketConfig(uow.conn), tenant_id=tenant, clock=clock)
        await setup.save_department(DepartmentIn(code="售后部", name="售后部"))
        await uow.commit()

    async with uows() as uow:
        made: Ticket = await service(uow, tenant, clock).create(
            TicketIn(subject="屏幕不亮", department="售后部", customer_id="C1")
        )
        await service(uow, tenant, clock).create(
            TicketIn(subject="无电话", department="售后部", customer_id="C2")
        )
        await uow.commit()
    async with uows() as uow:
        await service(uow, tenant, clock).set_status(made.id, TicketStatus.RESOLVED)
        await uow.commit()
    async with uows() as uow:  # refused: nothing is written, nobody is texted
        try:
            await service(uow, tenant, clock).create(
                TicketIn(subject="x", department="无此部门", customer_id="C1")
            )
        except TicketInvalid:
            await uow.rollback()

    sent = await texts(engine, tenant)
    assert [(t["kind"], t["to"], t["number"]) for t in sent] == [
        ("created", "+8613900139077", made.number),
        ("resolved", "+8613900139077", made.number),
    ]
    assert sent[0]["text"] == text_message("created", "zh-CN", made)
    assert str(made.number) in str(sent[0]["text"])
    assert sent[0]["language"] == "zh-CN"


def test_each_text_fits_one_sms() -> None:
    ticket = Ticket(
        id="T", tenant_id="t", number=261206_0001, subject="s", description="",
        department="d", status=TicketStatus.OPEN, priority="normal",  # type: ignore[arg-type]
        category=None, customer_id=None, interaction_id=None, assignee_id=None,
        created_by=None, due_date=None, first_response_at=None, resolved_at=None,
        closed_at=None, merged_into=None, created_at=0.0, updated_at=0.0,
    )  # fmt: skip
    for kind in TEXT_KINDS:
        assert len(text_message(kind, "zh-CN", ticket)) <= 70  # one UCS-2 SMS
        assert len(text_message(kind, "en", ticket)) <= 160  # one GSM-7 SMS
