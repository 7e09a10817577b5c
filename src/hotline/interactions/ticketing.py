"""The flow's ticket nodes on the lifecycle's side: a ticket about the contact under way, or one
found by the number the caller keyed (docs/flows.md, ADR 0161).

The contact supplies what links the ticket: its id (so the caller's number: the screen pop
finds tickets about contacts from that number), the customer found at arrival. The desk
answers within `timeout` seconds, or the node takes its error exit with `timeout`; a center
without a ticket desk answers `ticket.unavailable` — the flow says so by its own exit, never
by silence.
"""

from __future__ import annotations

import asyncio
import logging

from hotline.errors import HotlineError
from hotline.flows.actions import FindTicket, OpenTicket
from hotline.flows.inputs import TicketFailed, TicketFound, TicketOpened
from hotline.interactions.model import Contact
from hotline.interactions.ports import TicketDesk, TicketRequest

__all__ = ["NO_DESK", "TICKET_TIMEOUT_S", "find_ticket", "open_ticket"]

log = logging.getLogger(__name__)

TICKET_TIMEOUT_S = 5.0
NO_DESK = "ticket.unavailable"


async def open_ticket(
    desk: TicketDesk | None, contact: Contact, request: OpenTicket, timeout: float
) -> TicketOpened | TicketFailed:
    if desk is None:
        return TicketFailed(NO_DESK)
    record = contact.record
    wanted = TicketRequest(
        interaction_id=contact.contact_id,
        customer_id=str(record.customer_id) if record is not None else None,
        caller_number=contact.caller_number,
        department=request.department,
        subject=request.subject,
        description=request.description,
        priority=request.priority,
        category=request.category,
        language=request.language,
    )
    try:
        facts = await asyncio.wait_for(desk.open(contact.tenant_id, wanted), timeout)
    except TimeoutError:
        return TicketFailed("timeout")
    except HotlineError as refused:
        return TicketFailed(refused.code)
    except Exception as exc:
        log.exception("ticket for %s could not be opened", contact.contact_id)
        return TicketFailed(f"error: {type(exc).__name__}")
    return TicketOpened(facts.ticket_id, facts.number, facts.status, facts.status_text)


async def find_ticket(
    desk: TicketDesk | None, contact: Contact, request: FindTicket, timeout: float
) -> TicketFound | TicketFailed:
    if desk is None:
        return TicketFailed(NO_DESK)
    try:
        facts = await asyncio.wait_for(
            desk.find(contact.tenant_id, request.number, request.language), timeout
        )
    except TimeoutError:
        return TicketFailed("timeout")
    except Exception as exc:
        log.exception("ticket %s could not be looked up", request.number)
        return TicketFailed(f"error: {type(exc).__name__}")
    if facts is None:
        return TicketFound(False)
    return TicketFound(True, facts.ticket_id, facts.number, facts.status, facts.status_text)
