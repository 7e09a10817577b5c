"""Contacts and recordings over HTTP: the list with filters, one contact's page (queue visits,
agent segments, timeline, recordings), the wrap-up of one's segment (disposition, notes,
ticket), the missed contacts still open, and recordings streamed after the permission check
and the audit. The rules live in `hotline.history`; handlers only translate HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.present import Paging, page, present
from hotline.api.recording_files import recording_response
from hotline.api.screenpop import live_desk
from hotline.api.tickets import ticket_service
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import InvalidInput
from hotline.history import ContactQuery, ContactService, WorklistQuery, WorklistService
from hotline.history.ports import Row
from hotline.media import RecordingStorage
from hotline.store.auth_repo import SqlAudit
from hotline.store.contacts_repo import SqlContacts, SqlQueueMembership, SqlWorklist
from hotline.store.eventlog import SqlEventReader
from hotline.store.uow import UnitOfWork
from hotline.tickets.schemas import TicketIn
from hotline.vault import recording_storage

__all__ = ["contacts_of", "router"]

router = APIRouter(prefix="/api/v1", tags=["interactions"])

Reader = Annotated[Principal, Depends(require(Permission.INTERACTIONS_READ))]
WrapUpper = Annotated[Principal, Depends(require(Permission.INTERACTIONS_WRAP_UP))]


class WrapUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disposition: str = Field(min_length=1, max_length=32)
    notes: str = Field("", max_length=5000)
    ticket: TicketIn | None = None
    resolved: bool | None = Field(
        None, description='the agent\'s "resolved?" answer; counts for first-contact resolution'
    )


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=500)


def contacts_of(request: Request, uow: UnitOfWork, principal: Principal) -> ContactService:
    services = services_of(request)
    return ContactService(
        SqlContacts(uow.conn),
        SqlEventReader(services.engine),
        SqlQueueMembership(uow.conn),
        principal=principal,
        clock=services.clock,
        emit=uow.emit,
    )


class _Tickets:
    def __init__(self, request: Request, uow: UnitOfWork, principal: Principal) -> None:
        self._service = ticket_service(request, uow, principal, check_interactions=False)

    async def create(self, data: TicketIn) -> Row:
        ticket = await self._service.create(data)
        return {"id": ticket.id, "number": ticket.number}


class _Files:
    def __init__(self, storage: RecordingStorage) -> None:
        self.storage = storage

    def stored(self, key: str) -> bool:
        try:
            self.storage.open_read(key).close()
        except FileNotFoundError:
            return False
        return True


def _when(text: str | None, field: str) -> float | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise InvalidInput(
            f"{field}: not a date or time {text!r}", details={"field": field, "value": text}
        ) from None


def _recording(row: Row) -> dict[str, Any]:
    return {k: v for k, v in present(dict(row)).items() if k != "path"}


@router.get("/interactions", summary="Contacts I may see, newest first, with filters")
async def list_interactions(
    request: Request,
    uow: Uow,
    principal: Reader,
    paging: Annotated[Paging, Depends()],
    since: Annotated[str | None, Query(description="ISO date/time (inclusive)")] = None,
    until: Annotated[str | None, Query(description="ISO date/time (exclusive)")] = None,
    agent_id: Annotated[str | None, Query(max_length=26)] = None,
    queue: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=26)] = None,
    disposition: Annotated[str | None, Query(max_length=32)] = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    outcome: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    query = ContactQuery(
        since=_when(since, "since"),
        until=_when(until, "until"),
        agent_id=agent_id,
        queue=queue,
        customer_id=customer_id,
        disposition=disposition,
        channel=channel,
        outcome=outcome,
        number=paging.q,
        limit=paging.limit,
        offset=paging.offset,
    )
    rows, total = await contacts_of(request, uow, principal).list(query)
    return page([dict(r) for r in rows], total, paging)


@router.get("/interactions/missed", summary="Missed contacts not yet followed up (see /worklist)")
async def missed(
    request: Request, uow: Uow, principal: Reader, paging: Annotated[Paging, Depends()]
) -> dict[str, Any]:
    services = services_of(request)
    worklist = WorklistService(
        SqlWorklist(uow.conn),
        SqlQueueMembership(uow.conn),
        principal=principal,
        clock=services.clock,
        emit=uow.emit,
    )
    rows, total = await worklist.list(WorklistQuery(limit=paging.limit, offset=paging.offset))
    return page([{"id": r["interaction_id"], **r} for r in rows], total, paging)


@router.get("/interactions/{interaction_id}", summary="One contact: visits, segments, timeline")
async def get_interaction(
    interaction_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    detail = await contacts_of(request, uow, principal).detail(interaction_id)
    return {
        **present({k: v for k, v in detail.items() if not isinstance(v, list)}),
        "queues": detail["queues"],
        "agents": detail["agents"],
        "work_items": [present(dict(w)) for w in detail["work_items"]],
        "segments": [present(dict(s)) for s in detail["segments"]],
        "timeline": [
            {**e.as_dict(), "at_iso": present({"at": e.at})["at"]} for e in detail["timeline"]
        ],
        "recordings": [_recording(r) for r in detail["recordings"]],
    }


@router.post("/interactions/{interaction_id}/wrapup", summary="Wrap-up of my segment")
async def wrap_up(
    interaction_id: str, body: WrapUpIn, request: Request, uow: Uow, principal: WrapUpper
) -> dict[str, Any]:
    done = await contacts_of(request, uow, principal).wrap_up(
        interaction_id,
        disposition=body.disposition,
        notes=body.notes,
        resolved=body.resolved,
        ticket=body.ticket,
        tickets=_Tickets(request, uow, principal),
        desk=live_desk(services_of(request), principal.tenant_id),
    )
    await uow.commit()
    return done


@router.post("/interactions/{interaction_id}/followed-up", summary="Mark a missed contact handled")
async def followed_up(
    interaction_id: str, body: FollowUpIn, request: Request, uow: Uow, principal: WrapUpper
) -> dict[str, str]:
    contact = await contacts_of(request, uow, principal).followed_up(interaction_id, body.note)
    await uow.commit()
    return {"interaction_id": contact, "status": "followed_up"}


@router.get("/recordings/{recording_id}", summary="A recording (WAV); every listen is audited")
async def get_recording(
    recording_id: str,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.RECORDINGS_LISTEN))],
) -> Response:
    settings = services_of(request).settings.recording
    storage = recording_storage(
        settings.directory, encrypt=settings.encrypt, key_dir=settings.key_dir
    )
    rec = await contacts_of(request, uow, principal).listen(
        recording_id, files=_Files(storage), audit=SqlAudit(uow.conn), ip=client_ip(request)
    )
    await uow.commit()
    return recording_response(
        request, storage, str(rec["path"]), filename=f"{rec['interaction_id']}-{rec['kind']}.wav"
    )
