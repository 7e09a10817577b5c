"""SLA acceptance (issue 17, part 2): a resolution target of 8 business hours on a calendar
with a lunch break and the 国庆 holiday, counted by the one hours engine, paused while the
ticket is pending on the customer; the reminder at 80 %, the breach escalated to the
department lead and then to the manager — each a timer on the job host, driven by a
FakeClock, surviving a restart of the host; e-mails arrive at a real SMTP sink."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.demo import create_tenant
from hotline.jobs import MAIL_KIND, JobHost, JobHostSettings, MailJob, SmtpTarget
from hotline.store.tables import calendars, customer_emails, customers, events, users
from hotline.store.ticket_admin import SqlTicketConfig
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWorkFactory
from hotline.tickets.model import TicketStatus
from hotline.tickets.schemas import DepartmentIn, SlaPolicyIn, TicketIn
from hotline.tickets.service import Actor, TicketService
from hotline.tickets.setup import TicketSetup
from hotline.tickets.sla_keeper import SLA_KIND, SlaKeeper
from hotline.tickets.timers import JobMailer, JobTimers, SlaTimerJob
from tests.integration.jobs.test_report_delivery import Sink

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


def host_for(engine: AsyncEngine, clock: FakeClock, port: int) -> JobHost:
    host = JobHost(engine, EventBus(), clock, JobHostSettings(node_id="test"))
    host.register(MAIL_KIND, MailJob(SmtpTarget(host="127.0.0.1", port=port)))
    host.register(SLA_KIND, SlaTimerJob(SqlTickets))
    return host


async def _seed(engine: AsyncEngine, clock: FakeClock) -> tuple[str, dict[str, str]]:
    uows = UnitOfWorkFactory(engine, None)
    tenant = await create_tenant(uows, clock, slug="t", name="t", sip_domain="t.test")
    people = {"agent": "U-AGENT", "lead": "U-LEAD", "manager": "U-MANAGER"}
    async with engine.begin() as conn:
        for role, user_id in people.items():
            await conn.execute(
                insert(users).values(
                    id=user_id, tenant_id=tenant, username=role, display_name=role,
                    email=f"{role}@center.test", password_hash="x", roles=["agent"],
                    active=True, created_at=0.0, updated_at=0.0,
                )
            )  # fmt: skip
        await conn.execute(
            insert(calendars).values(
                id="CAL", tenant_id=tenant, name="工作时间", timezone="Asia/Shanghai",
                weekly={"mon-fri": ["09:00-12:00", "13:00-18:00"]},
                holidays=[{"date": "2026-10-01..2026-10-07", "name": "国庆节"}],
                holiday_calendar_ids=[], makeup_day="mon", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
        await conn.execute(
            insert(customers).values(
                id="C1", tenant_id=tenant, name="张三", vip_level=2, tags=[], custom={},
                notes="", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
        await conn.execute(
            insert(customer_emails).values(
                tenant_id=tenant, customer_id="C1", email="zhang@example.com"
            )
        )
        setup = TicketSetup(SqlTicketConfig(conn), tenant_id=tenant, clock=clock)
        await setup.save_department(
            DepartmentIn(
                code="售后部", name="售后部", lead_id=people["lead"],
                manager_id=people["manager"], members=[people["agent"]],
            )
        )  # fmt: skip
        await setup.save_policy(
            SlaPolicyIn.model_validate(
                {
                    "name": "VIP", "min_vip_level": 1, "resolution_s": 8 * 3600,
                    "calendar": "工作时间", "remind_percent": 80,
                    "escalation": [{"to": "lead"}, {"to": "manager", "after_s": 3 * 3600}],
                }
            )
        )  # fmt: skip
    return tenant, people


def service(
    conn: object, tenant: str, clock: FakeClock, host: JobHost, emit: object
) -> TicketService:
    repo = SqlTickets(conn)  # type: ignore[arg-type]
    timers = JobTimers(conn, clock.now, host.wake)  # type: ignore[arg-type]
    mailer = JobMailer(timers)
    return TicketService(
        repo, actor=Actor(tenant, "U-LEAD"), clock=clock, emit=emit,  # type: ignore[arg-type]
        keeper=SlaKeeper(repo, timers, mailer, emit), mailer=mailer,  # type: ignore[arg-type]
    )  # fmt: skip


async def _events(engine: AsyncEngine, tenant: str) -> list[tuple[str, dict[str, object]]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(events.c.type, events.c.payload)
            .where(events.c.tenant_id == tenant, events.c.type.like("ticket.%"))
            .order_by(events.c.seq)
        )
        return [(r.type, dict(r.payload)) for r in rows]


async def test_reminder_at_80_percent_then_lead_then_manager(engine: AsyncEngine) -> None:
    clock = FakeClock(at("2026-09-30T09:00:00"))  # a Wednesday, the day before 国庆
    tenant, people = await _seed(engine, clock)
    sink = Sink()
    sink.controller.start()
    try:
        host = host_for(engine, clock, sink.port)
        uows = UnitOfWorkFactory(engine, None)
        async with uows() as uow:
            made = await service(uow.conn, tenant, clock, host, uow.emit).create(
                TicketIn(
                    subject="屏幕不亮", department="售后部", customer_id="C1",
                    assignee_id=people["agent"],
                )
            )  # fmt: skip
            await uow.commit()
        await host.run_due()
        # Pending on the customer from 10:00 to 11:00: that hour does not count.
        for when, status in (("10:00", TicketStatus.PENDING), ("11:00", TicketStatus.OPEN)):
            clock.set(at(f"2026-09-30T{when}:00"))
            async with uows() as uow:
                await service(uow.conn, tenant, clock, host, uow.emit).set_status(made.id, status)
                await uow.commit()

        async def until(text: str) -> list[str]:
            clock.set(at(text))
            await host.run_due()
            await host.run_due()  # the mail jobs the first firing scheduled
            return [t for t, _ in await _events(engine, tenant) if t.startswith("ticket.sla")
                    or t == "ticket.escalated"]  # fmt: skip

        # 80 % of 8 h = 6 h 24 min: 1 h before the pause, 1 h to noon, lunch, 4 h 24 min.
        assert await until("2026-09-30T17:23:59") == []
        assert await until("2026-09-30T17:24:00") == ["ticket.sla_reminder"]
        # The last 1 h 36 min: 17:24–18:00, then 国庆 (10-01..10-07), then 09:00–10:00.
        assert await until("2026-10-08T09:59:59") == ["ticket.sla_reminder"]
        # A restart of the host loses nothing and repeats nothing.
        host = host_for(engine, clock, sink.port)
        assert await until("2026-10-08T10:00:00") == [
            "ticket.sla_reminder", "ticket.sla_breached", "ticket.escalated",
        ]  # fmt: skip
        # Level 2 three business hours later: 10:00–12:00, lunch, 13:00–14:00.
        assert len(await until("2026-10-08T13:59:59")) == 3
        assert await until("2026-10-08T14:00:00") == [
            "ticket.sla_reminder", "ticket.sla_breached", "ticket.escalated", "ticket.escalated",
        ]  # fmt: skip
        assert len(await until("2026-10-20T14:00:00")) == 4  # nothing more, even much later
    finally:
        sink.controller.stop()

    escalated = [p for t, p in await _events(engine, tenant) if t == "ticket.escalated"]
    assert [(p["level"], p["to"], p["to_user_id"]) for p in escalated] == [
        (1, "lead", people["lead"]),
        (2, "manager", people["manager"]),
    ]
    received = [(str(m["To"]), str(m["Subject"])) for m in sink.messages]
    number = f"{made.number // 1000} {made.number % 1000:03d}"
    assert sorted(received[:2]) == [  # both due at creation
        ("agent@center.test", f"工单 {number} 已分配给您"),
        ("zhang@example.com", f"您的工单 {number} 已受理"),
    ]
    assert received[2:] == [
        ("agent@center.test", f"工单 {number} 即将超时（解决）"),
        ("lead@center.test", f"工单 {number} 已超时升级（第 1 级）"),
        ("manager@center.test", f"工单 {number} 已超时升级（第 2 级）"),
    ]
    reminder = next(m for m in sink.messages if "即将超时" in str(m["Subject"]))
    assert "截止 2026-10-08 10:00" in reminder.get_content()
