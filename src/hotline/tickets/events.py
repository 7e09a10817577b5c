"""Ticket events: every state change of a ticket is an event (DESIGN §3.3)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = ["TicketCreated", "TicketStatusChanged"]


@domain_event("ticket.created")
class TicketCreated(DomainEvent):
    ticket_id: str
    number: int
    subject: str
    department: str
    priority: str
    customer_id: str | None = None
    due_date: str | None = None


@domain_event("ticket.status_changed")
class TicketStatusChanged(DomainEvent):
    ticket_id: str
    number: int
    status: str
    previous: str
