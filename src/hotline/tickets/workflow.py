"""The ticket's status workflow as a table (DESIGN §3.4): which status may follow which, and
which of those moves are a reopen (allowed only within the tenant's reopen window)."""

from __future__ import annotations

from enum import StrEnum

from hotline.tickets.errors import IllegalTicketTransition, ReopenExpired
from hotline.tickets.model import Ticket, TicketStatus

__all__ = ["TRANSITIONS", "Move", "check_move", "next_statuses"]

S = TicketStatus


class Move(StrEnum):
    WORK = "work"  # an ordinary step
    PAUSE = "pause"  # into "pending on the customer": SLA clocks stop
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


TRANSITIONS: dict[tuple[TicketStatus, TicketStatus], Move] = {
    (S.NEW, S.OPEN): Move.WORK,
    (S.NEW, S.PENDING): Move.PAUSE,
    (S.NEW, S.ON_HOLD): Move.WORK,
    (S.NEW, S.RESOLVED): Move.RESOLVE,
    (S.NEW, S.CLOSED): Move.CLOSE,
    (S.OPEN, S.PENDING): Move.PAUSE,
    (S.OPEN, S.ON_HOLD): Move.WORK,
    (S.OPEN, S.RESOLVED): Move.RESOLVE,
    (S.OPEN, S.CLOSED): Move.CLOSE,
    (S.PENDING, S.OPEN): Move.WORK,
    (S.PENDING, S.ON_HOLD): Move.WORK,
    (S.PENDING, S.RESOLVED): Move.RESOLVE,
    (S.PENDING, S.CLOSED): Move.CLOSE,
    (S.ON_HOLD, S.OPEN): Move.WORK,
    (S.ON_HOLD, S.PENDING): Move.PAUSE,
    (S.ON_HOLD, S.RESOLVED): Move.RESOLVE,
    (S.ON_HOLD, S.CLOSED): Move.CLOSE,
    (S.RESOLVED, S.CLOSED): Move.CLOSE,
    (S.RESOLVED, S.OPEN): Move.REOPEN,
    (S.CLOSED, S.OPEN): Move.REOPEN,
}


def check_move(ticket: Ticket, to: TicketStatus, *, now: float, reopen_days: int) -> Move:
    """The kind of move from the ticket's status to `to`, or a named error."""
    move = TRANSITIONS.get((ticket.status, to))
    if move is None:
        raise IllegalTicketTransition(ticket.status.value, to.value)
    if move is Move.REOPEN:
        since = ticket.resolved_at or ticket.closed_at or ticket.updated_at
        if ticket.merged_into is not None:
            raise IllegalTicketTransition(ticket.status.value, to.value)
        if reopen_days <= 0 or now - since > reopen_days * 86400:
            raise ReopenExpired(reopen_days)
    return move


def next_statuses(ticket: Ticket, *, now: float, reopen_days: int) -> list[TicketStatus]:
    """The statuses the ticket may move to now (the desktop offers only these), in the
    table's order; a reopen only within the window."""
    allowed: list[TicketStatus] = []
    for (source, target), _move in TRANSITIONS.items():
        if source is not ticket.status:
            continue
        try:
            check_move(ticket, target, now=now, reopen_days=reopen_days)
        except (IllegalTicketTransition, ReopenExpired):
            continue
        allowed.append(target)
    return allowed
