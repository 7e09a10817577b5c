"""A voicemail opens a ticket (issue 17): the voicemail node's `ticket:` rides on the
`voicemail.recorded` event; the follower opens the ticket once — also across a restart —
linked to the contact with the recording named, and skips a department that no longer exists."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import FakeClock
from hotline.demo import create_tenant
from hotline.interactions.events import VoicemailRecorded
from hotline.server.voicemail_tickets import VoicemailTickets
from hotline.store.ticket_admin import SqlTicketConfig
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWorkFactory
from hotline.tickets.ports import TicketQuery
from hotline.tickets.schemas import CategoryIn, DepartmentIn
from hotline.tickets.setup import TicketSetup


def voicemail(tenant: str, at: float, contact: str, ticket: dict[str, Any] | None) -> Any:
    return VoicemailRecorded(
        tenant_id=tenant, at=at, interaction_id=contact, mailbox="after-sales",
        recording_id=f"rec-{contact}", path=f"{tenant}/x/{contact}-vm.wav", duration_s=12.4,
        caller_number="13900139077", ended_by="hangup", ticket=ticket,
    )  # fmt: skip


WANTED = {"department": "售后部", "subject": "语音留言 13900139077", "category": "repair",
          "priority": "high", "language": "zh-CN", "customer_id": None}  # fmt: skip


async def test_each_voicemail_opens_its_ticket_once(engine: AsyncEngine) -> None:
    clock = FakeClock()
    uows = UnitOfWorkFactory(engine, None)
    tenant = await create_tenant(uows, clock, slug="t", name="t", sip_domain="t.test")
    async with uows() as uow:
        setup = TicketSetup(SqlTicketConfig(uow.conn), tenant_id=tenant, clock=clock)
        await setup.save_department(DepartmentIn(code="售后部", name="售后部"))
        await setup.save_category(CategoryIn(code="repair", name_zh="报修", name_en="Repair"))
        await uow.commit()
    async with uows() as uow:
        uow.emit(voicemail(tenant, clock.now(), "c1", WANTED))
        uow.emit(voicemail(tenant, clock.now(), "c2", None))  # a mailbox without tickets
        uow.emit(voicemail(tenant, clock.now(), "c3", {**WANTED, "department": "已撤销"}))
        uow.emit(voicemail(tenant, clock.now(), "c4", {**WANTED, "priority": "asap"}))  # bad
        await uow.commit()

    follower = VoicemailTickets(uows, EventBus(), clock)
    assert await follower.catch_up(tenant) == 1
    assert await follower.catch_up(tenant) == 0
    restarted = VoicemailTickets(uows, EventBus(), clock)
    assert await restarted.catch_up(tenant) == 0  # the cursor was moved with the ticket

    async with uows(write=False) as uow:
        repo = SqlTickets(uow.conn)
        (ticket,), total = await repo.search(tenant, TicketQuery())
        assert total == 1
        assert (ticket.subject, ticket.department, ticket.category, ticket.priority.value) == (
            "语音留言 13900139077", "售后部", "repair", "high",
        )  # fmt: skip
        assert ticket.interaction_id == "c1"
        assert "rec-c1" in ticket.description
        assert "12 秒" in ticket.description
        links = await repo.links(tenant, ticket.id)
        assert [link["interaction_id"] for link in links] == ["c1"]
        assert ticket.created_by is None  # the IVR opened it


async def test_the_follower_opens_tickets_of_voicemails_as_they_are_logged(
    engine: AsyncEngine,
) -> None:
    clock = FakeClock()
    bus = EventBus()
    uows = UnitOfWorkFactory(engine, bus)
    tenant = await create_tenant(uows, clock, slug="t", name="t", sip_domain="t.test")
    async with uows() as uow:
        setup = TicketSetup(SqlTicketConfig(uow.conn), tenant_id=tenant, clock=clock)
        await setup.save_department(DepartmentIn(code="售后部", name="售后部"))
        await setup.save_category(CategoryIn(code="repair", name_zh="报修", name_en="Repair"))
        uow.emit(voicemail(tenant, clock.now(), "before-start", {**WANTED, "language": "en"}))
        await uow.commit()
    follower = VoicemailTickets(uows, bus, clock)
    await follower.start()  # catches up on what came while it was down
    try:
        assert follower.opened == 1
        created = bus.subscribe()
        async with uows() as uow:
            uow.emit(voicemail(tenant, clock.now(), "live", WANTED))
            await uow.commit()
        async with asyncio.timeout(10):  # the follower's ticket.created comes on the bus
            async for record in created:
                if record.type == "ticket.created" and record.interaction_id == "live":
                    break
    finally:
        await follower.stop()
    async with uows(write=False) as uow:
        rows, _ = await SqlTickets(uow.conn).search(tenant, TicketQuery())
    assert sorted(str(t.interaction_id) for t in rows) == ["before-start", "live"]
    english = next(t for t in rows if t.interaction_id == "before-start")
    assert english.description.startswith("13900139077 left a 12 s message in mailbox after-sales")
