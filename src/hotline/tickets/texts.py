"""The SMS hook of tickets (ADR 0163): `EventTexts` hands each text to the event log as
`ticket.sms`, in the caller's unit of work, so it is written with the change that caused it
and never sent for a change that rolled back. The SMS channel will follow the log and send;
meanwhile an outbound webhook on `ticket.sms` reaches any SMS gateway."""

from __future__ import annotations

from collections.abc import Callable

from hotline.events import DomainEvent
from hotline.tickets.events import TicketTextWanted

__all__ = ["EventTexts"]


class EventTexts:
    def __init__(self, emit: Callable[[DomainEvent], None], now: Callable[[], float]) -> None:
        self.emit = emit
        self.now = now

    async def send(
        self,
        tenant_id: str,
        to: str,
        text: str,
        *,
        ticket_id: str,
        number: int,
        kind: str,
        language: str,
    ) -> None:
        self.emit(
            TicketTextWanted(
                tenant_id=tenant_id,
                at=self.now(),
                ticket_id=ticket_id,
                number=number,
                kind=kind,
                to=to,
                text=text,
                language=language,
            )
        )
