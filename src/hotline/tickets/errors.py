"""Ticket errors: a stable code each, and a message that is a catalog id (English text, the
UI catalog has the Chinese), so the API answers in the caller's language; specifics go in
`details`."""

from __future__ import annotations

from typing import Any, ClassVar

from hotline.errors import Conflict, HotlineError, IllegalTransition, InvalidInput, NotFound

__all__ = [
    "AttachmentRefused",
    "IllegalTicketTransition",
    "ReopenExpired",
    "TicketConflict",
    "TicketError",
    "TicketInvalid",
    "TicketNotFound",
]


class TicketError(HotlineError):
    code = "ticket.error"


class TicketNotFound(NotFound):
    code = "ticket.not_found"

    def __init__(self, what: str = "ticket", ident: str = "", **details: Any) -> None:
        messages = {
            "ticket": "No such ticket.",
            "department": "No such department.",
            "category": "No such ticket category.",
            "attachment": "No such attachment.",
            "policy": "No such SLA policy.",
            "webhook": "No such webhook.",
            "delivery": "No such webhook delivery.",
        }
        super().__init__(messages[what], code=f"{what}.not_found", details={"id": ident, **details})


class TicketInvalid(InvalidInput):
    """Bad input naming the field: `TicketInvalid("ticket.department.unknown", "department")`."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "ticket.department.unknown": "No department has this code.",
        "ticket.category.unknown": "No ticket category has this code.",
        "ticket.customer.unknown": "No such customer.",
        "ticket.interaction.unknown": "No such contact.",
        "ticket.assignee.not_member": "The assignee is not a member of the ticket's department.",
        "ticket.assignee.none": "The department has no member to assign the ticket to.",
        "ticket.merge.self": "A ticket cannot be merged into itself.",
        "ticket.merge.merged": "This ticket was already merged into another.",
        "ticket.category.cycle": "A category cannot be placed under itself.",
        "ticket.user.unknown": "No such user in this center.",
        "ticket.number_style.unknown": "Ticket numbers are either sequence or daily.",
        "sla.condition.invalid": "The SLA policy's conditions are not valid.",
        "sla.escalation.invalid": "The SLA policy's escalation levels are not valid.",
        "sla.calendar.unknown": "No business-hours calendar has this name.",
        "webhook.url.invalid": "The webhook address must be an http or https URL.",
        "webhook.events.invalid": (
            "Name at least one event type (e.g. ticket.* or interaction.ended)."
        ),
    }

    def __init__(self, code: str, field: str, **details: Any) -> None:
        super().__init__(self.MESSAGES[code], code=code, details={"field": field, **details})


class AttachmentRefused(InvalidInput):
    def __init__(self, code: str, **details: Any) -> None:
        message = {
            "ticket.attachment.too_large": "The file is larger than attachments may be.",
            "ticket.attachment.type": "Files of this type cannot be attached.",
            "ticket.attachment.empty": "The file is empty.",
        }[code]
        super().__init__(message, code=code, details={"field": "file", **details})


class IllegalTicketTransition(IllegalTransition):
    def __init__(self, state: str, to: str) -> None:
        super().__init__("ticket", state, to, code="ticket.status.illegal")
        self.message = "The ticket cannot move from its current status to that one."


class ReopenExpired(Conflict):
    def __init__(self, reopen_days: int) -> None:
        super().__init__(
            "The ticket was resolved too long ago to be reopened; open a new one.",
            code="ticket.reopen.expired",
            details={"reopen_days": reopen_days},
        )


class TicketConflict(Conflict):
    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message, code=code, details=details)
