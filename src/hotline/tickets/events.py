"""Ticket events: every state change of a ticket is an event (DESIGN §3.3); SLA reminders,
breaches and escalations too, so reports and webhooks see them."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "SlaBreached",
    "SlaReminderDue",
    "TicketAssigned",
    "TicketCommented",
    "TicketCreated",
    "TicketEscalated",
    "TicketLinked",
    "TicketMerged",
    "TicketStatusChanged",
    "TicketTextWanted",
    "TicketUpdated",
]


@domain_event("ticket.created")
class TicketCreated(DomainEvent):
    ticket_id: str
    number: int
    subject: str
    department: str
    priority: str
    customer_id: str | None = None
    due_date: str | None = None
    category: str | None = None
    assignee_id: str | None = None


@domain_event("ticket.status_changed")
class TicketStatusChanged(DomainEvent):
    ticket_id: str
    number: int
    status: str
    previous: str


@domain_event("ticket.updated")
class TicketUpdated(DomainEvent):
    """Fields other than status and assignee changed (names of the fields)."""

    ticket_id: str
    number: int
    fields: tuple[str, ...] = ()


@domain_event("ticket.assigned")
class TicketAssigned(DomainEvent):
    ticket_id: str
    number: int
    assignee_id: str | None
    previous: str | None
    department: str
    how: str  # manual | round_robin | least_open | escalation


@domain_event("ticket.commented")
class TicketCommented(DomainEvent):
    ticket_id: str
    number: int
    comment_id: str
    public: bool
    from_customer: bool


@domain_event("ticket.linked")
class TicketLinked(DomainEvent):
    """A contact (`interaction_id` in the envelope) now belongs to the ticket."""

    ticket_id: str
    number: int


@domain_event("ticket.merged")
class TicketMerged(DomainEvent):
    ticket_id: str  # the duplicate, now closed
    number: int
    into_id: str
    into_number: int


@domain_event("ticket.sla_reminder")
class SlaReminderDue(DomainEvent):
    ticket_id: str
    number: int
    target: str  # first_response | next_response | resolution
    percent: int
    due_at: float


@domain_event("ticket.sla_breached")
class SlaBreached(DomainEvent):
    ticket_id: str
    number: int
    target: str
    due_at: float


@domain_event("ticket.escalated")
class TicketEscalated(DomainEvent):
    ticket_id: str
    number: int
    target: str
    level: int  # 1: the department lead, 2: the manager, … in the policy's order
    to: str  # lead | manager | assignee
    to_user_id: str | None
    reassigned: bool


@domain_event("ticket.sms")
class TicketTextWanted(DomainEvent):
    """A text (SMS) to the customer about the ticket (ADR 0163): the SMS channel sends it;
    until it exists, a webhook subscribed to `ticket.sms` can hand it to a gateway."""

    ticket_id: str
    number: int
    kind: str  # created | resolved
    to: str  # E.164
    text: str
    language: str
