"""The flow's ticket desk over the database (`interactions.ports.TicketDesk`): the ticket nodes
open tickets through the same `TicketService` as the desktop, in their own unit of work, and
read a ticket's status for a caller (ADR 0161).

A ticket the flow opens has no author (`created_by` none: the IVR did it); its contact is the
call under way, which the lifecycle vouches for (its `interaction.created` may still be in the
event log's next batch). Numbers of merged tickets lead to the ticket they were merged into.
"""

from __future__ import annotations

from collections.abc import Callable

from hotline.clock import Clock
from hotline.interactions.ports import TicketFacts, TicketRequest
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWork, UnitOfWorkFactory
from hotline.tickets.model import Priority, Ticket
from hotline.tickets.schemas import TicketIn
from hotline.tickets.service import Actor, TicketService
from hotline.tickets.sla_keeper import SlaKeeper
from hotline.tickets.speech import spoken_status
from hotline.tickets.texts import EventTexts
from hotline.tickets.timers import JobMailer, JobTimers

__all__ = ["SqlTicketDesk", "system_tickets"]


class SqlTicketDesk:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        wake: Callable[[], None] | None = None,
        *,
        texts: bool = False,
    ) -> None:
        """`texts`: text the customer too (`tickets.sms_notify`, the SMS hook)."""
        self._uow = uow
        self._clock = clock
        self._wake = wake
        self._texts = texts

    def _service(self, uow: UnitOfWork, tenant_id: str) -> TicketService:
        return system_tickets(uow, tenant_id, self._clock, self._wake, texts=self._texts)

    async def open(self, tenant_id: str, request: TicketRequest) -> TicketFacts:
        data = TicketIn(
            subject=request.subject[:200],
            department=request.department,
            priority=Priority(request.priority),
            description=request.description,
            category=request.category,
            customer_id=request.customer_id,
            interaction_id=request.interaction_id,
        )
        async with self._uow() as uow:
            ticket = await self._service(uow, tenant_id).create(data)
            await uow.commit()
        return _facts(ticket, request.language)

    async def find(self, tenant_id: str, number: int, language: str) -> TicketFacts | None:
        async with self._uow(write=False) as uow:
            repo = SqlTickets(uow.conn)
            ticket = await repo.get_by_number(tenant_id, number)
            if ticket is not None and ticket.merged_into is not None:
                ticket = await repo.get(tenant_id, ticket.merged_into) or ticket
        return None if ticket is None else _facts(ticket, language)


def _facts(ticket: Ticket, language: str) -> TicketFacts:
    return TicketFacts(
        ticket_id=ticket.id,
        number=ticket.number,
        status=ticket.status.value,
        status_text=spoken_status(ticket.status, language),
    )


def system_tickets(
    uow: UnitOfWork,
    tenant_id: str,
    clock: Clock,
    wake: Callable[[], None] | None,
    *,
    texts: bool,
) -> TicketService:
    """The ticket service as the system (no user) inside `uow`: SLA timers and mails on the job
    host, the SMS hook when `texts`; the contact is the caller's own, not checked again."""
    repo = SqlTickets(uow.conn)
    timers = JobTimers(uow.conn, clock.now, wake)
    mailer = JobMailer(timers)
    return TicketService(
        repo,
        actor=Actor(tenant_id, None),
        clock=clock,
        emit=uow.emit,
        keeper=SlaKeeper(repo, timers, mailer, uow.emit),
        mailer=mailer,
        texts=EventTexts(uow.emit, clock.now) if texts else None,
        check_interactions=False,
    )
