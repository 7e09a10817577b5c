"""Tickets over HTTP: list (mine, a department's, overdue), create, read with comments,
attachments, watchers, contacts and SLA clocks; change, status, assign, comment, attach,
watch, link, merge. Handlers only translate HTTP; `hotline.tickets` decides."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import Paging, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.attachments import FileAttachmentStore
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWork
from hotline.tickets.model import OPEN_STATUSES, AttachmentLimits, Ticket, TicketStatus
from hotline.tickets.numbers import grouped
from hotline.tickets.ports import TicketQuery
from hotline.tickets.schemas import (
    AssignIn,
    CommentIn,
    LinkIn,
    MergeIn,
    TicketIn,
    TicketPatch,
    TicketUpdate,
)
from hotline.tickets.service import Actor, TicketService
from hotline.tickets.sla_keeper import SlaKeeper
from hotline.tickets.texts import EventTexts
from hotline.tickets.timers import JobMailer, JobTimers

__all__ = ["router", "ticket_service", "ticket_view"]

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

Reader = Annotated[Principal, Depends(require(Permission.TICKETS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.TICKETS_WRITE))]


def attachment_limits(request: Request) -> AttachmentLimits:
    """The center's size and type limits for attachments (`tickets.attachment_*`)."""
    settings = services_of(request).settings.tickets
    return AttachmentLimits(settings.attachment_max_mb << 20, frozenset(settings.attachment_types))


def attachment_store(request: Request) -> FileAttachmentStore:
    settings = services_of(request).settings
    root = settings.tickets.attachments_dir or Path(settings.var_dir) / "attachments"
    return FileAttachmentStore(root)


def ticket_service(
    request: Request, uow: UnitOfWork, principal: Principal, *, check_interactions: bool = True
) -> TicketService:
    """The ticket service of one unit of work (also the wrap-up panel's and, later, the
    desktop pages')."""
    services = services_of(request)
    repo = SqlTickets(uow.conn)
    timers = JobTimers(uow.conn, services.clock.now, services.jobs.wake)
    mailer = JobMailer(timers)
    return TicketService(
        repo,
        actor=Actor(principal.tenant_id, principal.user_id, principal.agent_id),
        clock=services.clock,
        emit=uow.emit,
        keeper=SlaKeeper(repo, timers, mailer, uow.emit),
        mailer=mailer,
        attachments=attachment_store(request),
        check_interactions=check_interactions,
        texts=EventTexts(uow.emit, services.clock.now)
        if services.settings.tickets.sms_notify
        else None,
    )


def ticket_view(ticket: Ticket) -> dict[str, Any]:
    row = dataclasses.asdict(ticket)
    row["status"] = ticket.status.value
    row["priority"] = ticket.priority.value
    row["number_text"] = grouped(ticket.number)
    return present(row)


@router.get("", summary="List and search tickets (number, subject, description)")
async def list_tickets(
    request: Request,
    uow: Uow,
    principal: Reader,
    paging: Annotated[Paging, Depends()],
    status: Annotated[list[TicketStatus] | None, Query()] = None,
    customer_id: Annotated[str | None, Query(max_length=26)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    assignee_id: Annotated[str | None, Query(max_length=26)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    view: Annotated[
        Literal["all", "mine", "open", "overdue"], Query(description="a desktop list")
    ] = "all",
) -> dict[str, Any]:
    service = ticket_service(request, uow, principal)
    statuses = list(status or [])
    if view in ("mine", "open") and not statuses:
        statuses = sorted(OPEN_STATUSES)
    query = TicketQuery(
        search=paging.q,
        status=statuses,
        customer_id=customer_id,
        department=department,
        assignee_id=principal.user_id if view == "mine" else assignee_id,
        category=category,
        overdue_at=services_of(request).clock.now() if view == "overdue" else None,
        limit=paging.limit,
        offset=paging.offset,
    )
    rows, total = await service.search(query)
    return {
        "items": [ticket_view(t) for t in rows],
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.post("", status_code=201, summary="Create a ticket")
async def create_ticket(
    body: TicketIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    ticket = await ticket_service(request, uow, principal).create(body)
    await uow.commit()
    return ticket_view(ticket)


@router.get("/people", summary="Names of the center's users (assignees, authors)")
async def people(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    names = await SqlTickets(uow.conn).user_names(principal.tenant_id)
    return {"items": [{"id": i, "display_name": n} for i, n in sorted(names.items())]}


@router.get("/by-number/{number}", summary="The ticket with this number")
async def by_number(number: int, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return ticket_view(await ticket_service(request, uow, principal).by_number(number))


@router.get("/{ticket_id}", summary="A ticket with its comments, files, watchers, contacts, SLA")
async def get_ticket(
    ticket_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    detail = await ticket_service(request, uow, principal).detail(ticket_id)
    return {
        **ticket_view(detail["ticket"]),
        "comments": [present(dataclasses.asdict(c)) for c in detail["comments"]],
        "attachments": [present(_attachment(a)) for a in detail["attachments"]],
        "watchers": detail["watchers"],
        "links": [present(link) for link in detail["links"]],
        "sla": [
            present({**dataclasses.asdict(c), "target": c.target.value}) for c in detail["sla"]
        ],
        "activity": [present(a) for a in detail["activity"]],
        "moves": [m.value for m in detail["moves"]],
        "attachment_limits": _limits(attachment_limits(request)),
    }


def _limits(limits: AttachmentLimits) -> dict[str, Any]:
    return {"max_bytes": limits.max_bytes, "types": sorted(limits.types)}


def _attachment(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("key", "tenant_id")}


@router.patch("/{ticket_id}", summary="Change a ticket's fields or status")
async def patch_ticket(
    ticket_id: str, body: TicketPatch, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    ticket = await ticket_service(request, uow, principal).change(ticket_id, body)
    await uow.commit()
    return ticket_view(ticket)


@router.put("/{ticket_id}", summary="Change a ticket's status or description")
async def put_ticket(
    ticket_id: str, body: TicketUpdate, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    patch = TicketPatch(status=body.status, description=body.description)
    ticket = await ticket_service(request, uow, principal).change(ticket_id, patch)
    await uow.commit()
    return ticket_view(ticket)


@router.post("/{ticket_id}/assign", summary="Assign by hand, automatically, or to a department")
async def assign(
    ticket_id: str, body: AssignIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    ticket = await ticket_service(request, uow, principal).assign(ticket_id, body)
    await uow.commit()
    return ticket_view(ticket)


@router.post("/{ticket_id}/comments", status_code=201, summary="Add a public or internal comment")
async def comment(
    ticket_id: str, body: CommentIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    made = await ticket_service(request, uow, principal).comment(ticket_id, body)
    await uow.commit()
    return present(dataclasses.asdict(made))


@router.post("/{ticket_id}/attachments", status_code=201, summary="Attach a file")
async def attach(
    ticket_id: str,
    request: Request,
    uow: Uow,
    principal: Writer,
    file: Annotated[UploadFile, File()],
    name: Annotated[str | None, Form(max_length=255)] = None,
) -> dict[str, Any]:
    limits = attachment_limits(request)
    data = await file.read(limits.max_bytes + 1)
    row = await ticket_service(request, uow, principal).attach(
        ticket_id,
        name=name or file.filename or "file",
        content_type=file.content_type or "application/octet-stream",
        data=data,
        limits=limits,
    )
    await uow.commit()
    return present(_attachment(row))


@router.get("/{ticket_id}/attachments/{attachment_id}", summary="Download an attachment")
async def download(
    ticket_id: str, attachment_id: str, request: Request, uow: Uow, principal: Reader
) -> Response:
    row = await ticket_service(request, uow, principal).attachment(ticket_id, attachment_id)
    with attachment_store(request).open_read(row["key"]) as stream:
        data = stream.read()  # attachments are small (tickets.attachment_max_mb)
    return Response(
        data,
        media_type=row["content_type"],
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )


@router.put("/{ticket_id}/watchers/{user_id}", summary="Watch a ticket")
async def watch(
    ticket_id: str, user_id: str, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    watchers = await ticket_service(request, uow, principal).watch(ticket_id, user_id, True)
    await uow.commit()
    return {"watchers": watchers}


@router.delete("/{ticket_id}/watchers/{user_id}", status_code=204, summary="Stop watching")
async def unwatch(
    ticket_id: str, user_id: str, request: Request, uow: Uow, principal: Writer
) -> Response:
    await ticket_service(request, uow, principal).watch(ticket_id, user_id, False)
    await uow.commit()
    return Response(status_code=204)


@router.post("/{ticket_id}/links", summary="Link a contact of any channel to the ticket")
async def link(
    ticket_id: str, body: LinkIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    ticket = await ticket_service(request, uow, principal).link(ticket_id, body.interaction_id)
    await uow.commit()
    return ticket_view(ticket)


@router.post("/{ticket_id}/merge", summary="Merge this duplicate into another ticket")
async def merge(
    ticket_id: str, body: MergeIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    ticket = await ticket_service(request, uow, principal).merge(ticket_id, body.into_id)
    await uow.commit()
    return ticket_view(ticket)
