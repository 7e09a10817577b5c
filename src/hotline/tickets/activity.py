"""A ticket's activity: every ticket event is also written as a row of the ticket's timeline
(`ticket_activity`), in the same unit of work as the event, so the detail screen reads one
ticket's history by its index instead of scanning the event log."""

from __future__ import annotations

from collections.abc import Callable

from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.tickets.ports import TicketRepository

__all__ = ["ACTIVITY_LIMIT", "Recorder"]

ACTIVITY_LIMIT = 500  # rows a timeline shows (a ticket with more is an outlier)
_ENVELOPE = ("ticket_id", "number")


class Recorder:
    """Emits a ticket event and records it in the ticket's activity."""

    def __init__(
        self, repo: TicketRepository, emit: Callable[[DomainEvent], None], user_id: str | None
    ) -> None:
        self._repo = repo
        self._emit = emit
        self._user_id = user_id

    async def __call__(self, event: DomainEvent) -> None:
        self._emit(event)
        payload = event.payload()
        ticket_id = payload.get("ticket_id")
        if not ticket_id:
            return
        data = {k: v for k, v in payload.items() if k not in _ENVELOPE}
        if event.interaction_id:
            data["interaction_id"] = event.interaction_id
        await self._repo.add_activity(
            event.tenant_id,
            {
                "id": new_id(event.at),
                "ticket_id": ticket_id,
                "at": event.at,
                "type": event.type,
                "user_id": self._user_id,
                "data": data,
            },
        )
