"""The lifecycle's side of the flow's ticket nodes: what links the ticket, and how refusals,
a slow desk and a runtime without a desk reach the flow (as `TicketFailed` codes)."""

from __future__ import annotations

import asyncio

from hotline.errors import InvalidInput
from hotline.flows.actions import FindTicket, OpenTicket
from hotline.flows.inputs import TicketFailed, TicketFound, TicketOpened
from hotline.ids import CustomerId, InteractionId
from hotline.interactions.model import Contact
from hotline.interactions.ports import CustomerRecord, TicketFacts, TicketRequest
from hotline.interactions.ticketing import NO_DESK, find_ticket, open_ticket

OPEN = OpenTicket("售后部", "语音报修", "来电报修", "high", "repair", "en")


class Desk:
    """Keeps what it was asked; answers ticket 10001, or refuses, or never answers."""

    def __init__(self, *, refuse: str | None = None, hang: bool = False) -> None:
        self.refuse = refuse
        self.hang = hang
        self.opened: list[tuple[str, TicketRequest]] = []

    async def open(self, tenant_id: str, request: TicketRequest) -> TicketFacts:
        if self.hang:
            await asyncio.Event().wait()
        if self.refuse:
            raise InvalidInput("no", code=self.refuse)
        self.opened.append((tenant_id, request))
        return TicketFacts("t-1", 10001, "open", "being handled")

    async def find(self, tenant_id: str, number: int, language: str) -> TicketFacts | None:
        return TicketFacts("t-1", number, "pending", language) if number == 10001 else None


def contact(record: CustomerRecord | None = None) -> Contact:
    return Contact(
        InteractionId("c1"), tenant_id="t1", channel="voice", created_at=0.0,
        caller_number="13700137003", record=record,
    )  # fmt: skip


async def test_the_ticket_is_linked_to_the_contact_and_its_customer() -> None:
    desk = Desk()
    record = CustomerRecord(CustomerId("cu-1"), "张伟")
    answer = await open_ticket(desk, contact(record), OPEN, 1.0)
    assert answer == TicketOpened("t-1", 10001, "open", "being handled")
    ((tenant, request),) = desk.opened
    assert tenant == "t1"
    assert (request.interaction_id, request.customer_id, request.caller_number) == (
        "c1", "cu-1", "13700137003",
    )  # fmt: skip
    assert (request.department, request.category, request.priority) == ("售后部", "repair", "high")
    assert (request.subject, request.description, request.language) == (
        "语音报修",
        "来电报修",
        "en",
    )


async def test_a_caller_no_customer_has_gets_a_ticket_without_one() -> None:
    desk = Desk()
    await open_ticket(desk, contact(), OPEN, 1.0)
    assert desk.opened[0][1].customer_id is None


async def test_refusals_timeouts_and_no_desk_become_codes_for_the_error_exit() -> None:
    refused = Desk(refuse="ticket.department.unknown")
    assert await open_ticket(refused, contact(), OPEN, 1.0) == TicketFailed(
        "ticket.department.unknown"
    )
    assert await open_ticket(Desk(hang=True), contact(), OPEN, 0.05) == TicketFailed("timeout")
    assert await open_ticket(None, contact(), OPEN, 1.0) == TicketFailed(NO_DESK)
    assert await find_ticket(None, contact(), FindTicket(10001), 1.0) == TicketFailed(NO_DESK)


async def test_a_found_ticket_and_an_unknown_number() -> None:
    desk = Desk()
    found = await find_ticket(desk, contact(), FindTicket(10001, "zh-CN"), 1.0)
    assert found == TicketFound(True, "t-1", 10001, "pending", "zh-CN")
    assert await find_ticket(desk, contact(), FindTicket(20002), 1.0) == TicketFound(False)
