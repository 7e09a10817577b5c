"""Minimal tickets: create (from the wrap-up panel), list, read, change status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.counters import SqlCounters
from hotline.store.references import SqlInteractionRefs
from hotline.store.repos import SqlRepos
from hotline.store.uow import UnitOfWork
from hotline.tickets.schemas import TicketIn, TicketStatus, TicketUpdate
from hotline.tickets.service import TicketService

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

Reader = Annotated[Principal, Depends(require(Permission.TICKETS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.TICKETS_WRITE))]


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> TicketService:
    return TicketService(
        SqlRepos(uow.conn),
        SqlCounters(uow.conn),
        actor=principal,
        clock=services_of(request).clock,
        emit=uow.emit,
        interactions=SqlInteractionRefs(uow.conn),
    )


@router.get("", summary="List tickets")
async def list_tickets(
    request: Request,
    uow: Uow,
    principal: Reader,
    paging: Annotated[Paging, Depends()],
    status: Annotated[TicketStatus | None, Query()] = None,
    customer_id: Annotated[str | None, Query(max_length=26)] = None,
) -> dict[str, Any]:
    rows, total = await _service(request, uow, principal).search(
        search=paging.q,
        status=status,
        customer_id=customer_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return page(rows, total, paging)


@router.get("/{ticket_id}", summary="Get a ticket")
async def get_ticket(
    ticket_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    return present(await _service(request, uow, principal).get(ticket_id))


@router.post("", status_code=201, summary="Create a ticket")
async def create_ticket(
    body: TicketIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).create(body)
    await uow.commit()
    return present(row)


@router.put("/{ticket_id}", summary="Change a ticket's status or description")
async def put_ticket(
    ticket_id: str, body: TicketUpdate, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await _service(request, uow, principal).update(ticket_id, body)
    await uow.commit()
    return present(row)
