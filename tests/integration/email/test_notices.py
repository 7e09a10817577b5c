"""A ticket's notice to the customer leaves through the tenant's mailbox (its SMTP server, its
signature, the thread's token) from the `mail.send` job, is kept in the customer's timeline,
and the customer's answer to it lands in the ticket's thread; a retried job sends it once.
Against the real dovecot and SMTP relay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.channels.email.desk import MailDesk
from hotline.channels.email.repository import SqlMail
from hotline.channels.email.smtp import SmtpTransport
from hotline.crm.profile import CustomerProfile
from hotline.jobs import (
    MAIL_KIND,
    JobHost,
    JobHostSettings,
    Jobs,
    MailJob,
    SmtpTarget,
    mail_payload,
)
from hotline.server.ticket_desk import system_tickets
from hotline.store.customer_history import SqlCustomerHistory
from hotline.store.mail_tables import mails
from hotline.store.ops_tables import mail_log
from hotline.store.tables import customer_emails, customers
from hotline.store.ticket_admin import SqlTicketConfig
from hotline.store.uow import UnitOfWorkFactory
from hotline.tickets.schemas import DepartmentIn, TicketIn
from hotline.tickets.setup import TicketSetup
from tests.integration.email.harness import (
    CENTER,
    CUSTOMER,
    TENANT,
    MailWorld,
    customer_mail,
    eventually,
    mail_world,
)


async def _seed(world: MailWorld) -> None:
    async with world.engine.begin() as conn:
        await conn.execute(
            insert(customers).values(
                id="C1", tenant_id=TENANT, name="张三", vip_level=0, tags=[], custom={},
                notes="", created_at=0.0, updated_at=0.0,
            )
        )  # fmt: skip
        await conn.execute(
            insert(customer_emails).values(tenant_id=TENANT, customer_id="C1", email=CUSTOMER)
        )
        setup = TicketSetup(SqlTicketConfig(conn), tenant_id=TENANT, clock=world.clock)
        await setup.save_department(DepartmentIn(code="客服部", name="客服部"))


async def test_a_ticket_notice_goes_through_the_mailbox_and_the_answer_joins_the_ticket(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, auto_reply=False) as world:
        await _seed(world)
        desk = MailDesk(engine, world.clock, world.files, SmtpTransport(), secrets=world.secrets)
        host = JobHost(engine, EventBus(), world.clock, JobHostSettings(node_id="test"))
        # no center-wide SMTP server at all: the tenant's mailbox is the only way out
        host.register(MAIL_KIND, MailJob(SmtpTarget(host=None), desk))
        uows = UnitOfWorkFactory(engine, None)
        async with uows() as uow:
            ticket = await system_tickets(uow, TENANT, world.clock, host.wake, texts=False).create(
                TicketIn(subject="屏幕不亮", customer_id="C1")
            )
            await uow.commit()
        assert await host.run_due() == 1

        notice = (await eventually(world.customer_messages))[0]
        assert CENTER in str(notice["From"])
        assert notice["X-Hotline-Mailbox"] == world.mailbox.id
        assert "Center Help Desk" in notice.get_content()  # the mailbox's signature
        async with engine.connect() as conn:
            kept = (await conn.execute(select(mails).where(mails.c.direction == "out"))).one()
            logged = (await conn.execute(select(mail_log))).all()
            timeline = await CustomerProfile(
                SqlCustomerHistory(conn), tenant_id=TENANT, emit=lambda _e: None,
                now=world.clock.now,
            ).timeline("C1")  # fmt: skip
        assert (kept.kind, kept.ticket_id, kept.customer_id) == ("notice", ticket.id, "C1")
        assert f"[#{kept.token}]" in str(notice["Subject"])
        assert str(notice["Message-ID"]) == f"<{kept.message_id}>"
        assert len(logged) == 1
        sent = [i for i in timeline if i["kind"] == "mail"]
        assert [(i["id"], i["ticket_id"]) for i in sent] == [(kept.id, ticket.id)]

        # the customer answers the notice: the answer is in the notice's thread and the ticket's
        world.dovecot.deliver("help", customer_mail("Re: 屏幕不亮", "Still dark.", parent=notice))
        await eventually(lambda: len(world.inbox.received) == 1)
        answer = world.inbox.received[0][1]
        assert (answer.thread_key, answer.resumes) == (kept.thread_key, kept.id)

        async def answer_row() -> object:  # the inbox hears of it before the commit
            async with engine.connect() as conn:
                return (await conn.execute(select(mails).where(mails.c.id == answer.id))).first()

        row = await eventually(answer_row)
        assert row.ticket_id == ticket.id

        # the next notice of the ticket answers the customer's mail in the same thread, and a
        # retried job (the same key) sends nothing more
        for _ in range(2):
            again = await desk.notice(
                TENANT, [CUSTOMER], "工单已解决", "您的工单已解决。", key="retry-1",
                ticket_id=ticket.id, customer_id="C1",
            )  # fmt: skip
            assert again is not None
            assert again.thread_key == kept.thread_key
        second = (await eventually(lambda: world.customer_messages()[1:]))[0]
        assert str(second["In-Reply-To"]) == str(answer.message_id).join("<>")
        assert len(world.customer_messages()) == 2


async def test_a_tenant_without_an_active_mailbox_mails_through_the_center_server(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    async with mail_world(engine, tmp_path, auto_reply=False, read=False) as world:
        async with engine.begin() as conn:
            await SqlMail(conn, world.secrets).update_mailbox(
                replace(world.mailbox, active=False), world.clock.now()
            )
            await Jobs(conn).schedule(
                MAIL_KIND, due_at=world.clock.now(), now=world.clock.now(), tenant_id=TENANT,
                payload=mail_payload([CUSTOMER], "问卷", "请评价", customer=True),
            )  # fmt: skip
        desk = MailDesk(engine, world.clock, world.files, SmtpTransport(), secrets=world.secrets)
        host = JobHost(engine, EventBus(), world.clock, JobHostSettings(node_id="test"))
        center = SmtpTarget(host="127.0.0.1", port=world.relay.port, sender="center@hotline.test")
        host.register(MAIL_KIND, MailJob(center, desk))
        assert await host.run_due() == 1
        (sent,) = await eventually(world.customer_messages)
        assert str(sent["From"]) == "center@hotline.test"
        assert "X-Hotline-Mailbox" not in sent
        async with engine.connect() as conn:
            assert (await conn.execute(select(mails))).all() == []
