"""Interactions and recordings: the list with filters, the detail with its event timeline,
wrap-up (disposition, notes, ticket), the missed-calls worklist, and recordings streamed with a
permission check — agents see their own, supervisors their teams', admins and QA all; every
listen is audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, and_, cast, func, or_, select

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.errors import Forbidden
from hotline.auth.model import Principal
from hotline.auth.roles import Permission, Role
from hotline.crm.contact_events import InteractionDispositioned, InteractionFollowedUp
from hotline.directory.errors import EntityNotFound, UnknownReference
from hotline.ids import AgentId, InteractionId
from hotline.interactions.voice import TenantRuntime
from hotline.media import FileRecordingStorage
from hotline.store.auth_repo import SqlAudit
from hotline.store.counters import SqlCounters
from hotline.store.eventlog import SqlEventReader
from hotline.store.repos import SqlRepos
from hotline.store.tables import (
    agent_teams,
    disposition_codes,
    interactions,
    recordings,
    teams,
)
from hotline.store.uow import UnitOfWork
from hotline.tickets.schemas import TicketIn
from hotline.tickets.service import TicketService

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["interactions"])

Reader = Annotated[Principal, Depends(require(Permission.INTERACTIONS_READ))]


class WrapUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disposition: str = Field(min_length=1, max_length=32)
    notes: str = Field("", max_length=5000)
    ticket: TicketIn | None = None


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=500)


async def _scope(uow: UnitOfWork, principal: Principal) -> Any:
    """The SQL condition for the interactions this caller may see."""
    tenant = interactions.c.tenant_id == principal.tenant_id
    if any(r in principal.roles for r in (Role.ADMIN, Role.QA)):
        return tenant
    mine: list[str] = [principal.agent_id] if principal.agent_id else []
    if Role.SUPERVISOR in principal.roles:
        q = (
            select(agent_teams.c.agent_id)
            .join(teams, teams.c.id == agent_teams.c.team_id)
            .where(
                teams.c.tenant_id == principal.tenant_id, teams.c.supervisor_id == principal.user_id
            )
        )
        team_agents = [str(a) for a in (await uow.conn.execute(q)).scalars()]
        # A supervisor also sees contacts nobody answered (the queue's missed calls).
        return and_(
            tenant,
            or_(
                interactions.c.agent_id.is_(None),
                *[cast(interactions.c.agents, String).like(f'%"{a}"%') for a in team_agents + mine],
            ),
        )
    if not mine:
        return and_(tenant, interactions.c.id.is_(None))
    return and_(tenant, cast(interactions.c.agents, String).like(f'%"{mine[0]}"%'))


async def _visible_row(
    uow: UnitOfWork, principal: Principal, interaction_id: str
) -> dict[str, Any]:
    q = select(interactions).where(
        await _scope(uow, principal), interactions.c.id == interaction_id
    )
    row = (await uow.conn.execute(q)).first()
    if row is None:
        raise EntityNotFound(f"no interaction {interaction_id!r}", details={"id": interaction_id})
    return dict(row._mapping)


def _day_start(text: str, field: str) -> float:
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise UnknownReference(
            f"{field}: not a date or time {text!r}", code="invalid_input", details={"field": field}
        ) from None


@router.get("/interactions", summary="Interactions I may see, newest first, with filters")
async def list_interactions(
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
    q = select(interactions).where(await _scope(uow, principal))
    if since:
        q = q.where(interactions.c.started_at >= _day_start(since, "since"))
    if until:
        q = q.where(interactions.c.started_at < _day_start(until, "until"))
    for column, value in (
        (interactions.c.agent_id, agent_id),
        (interactions.c.queue_id, queue),
        (interactions.c.customer_id, customer_id),
        (interactions.c.disposition, disposition),
        (interactions.c.channel, channel),
        (interactions.c.outcome, outcome),
    ):
        if value:
            q = q.where(column == value)
    if paging.q:
        q = q.where(interactions.c.caller_number.like(f"%{paging.q}%"))
    total = int(await uow.conn.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = await uow.conn.execute(
        q.order_by(interactions.c.started_at.desc()).limit(paging.limit).offset(paging.offset)
    )
    return page([dict(r._mapping) for r in rows], total, paging)


@router.get("/interactions/missed", summary="Missed contacts not yet followed up")
async def missed(
    uow: Uow, principal: Reader, paging: Annotated[Paging, Depends()]
) -> dict[str, Any]:
    q = select(interactions).where(
        await _scope(uow, principal),
        interactions.c.followed_up_at.is_(None),
        interactions.c.ended_at.is_not(None),
        interactions.c.answered_at.is_(None),
        or_(
            interactions.c.abandoned.is_(True),
            interactions.c.voicemail.is_(True),
            interactions.c.outcome == "callback_failed",
        ),
    )
    total = int(await uow.conn.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = await uow.conn.execute(
        q.order_by(interactions.c.started_at.desc()).limit(paging.limit).offset(paging.offset)
    )
    return page([dict(r._mapping) for r in rows], total, paging)


@router.get("/interactions/{interaction_id}", summary="One interaction: row, timeline, recordings")
async def get_interaction(
    interaction_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    row = await _visible_row(uow, principal, interaction_id)
    timeline = await SqlEventReader(services_of(request).engine).for_interaction(
        principal.tenant_id, interaction_id
    )
    recs = await uow.conn.execute(
        select(recordings)
        .where(
            recordings.c.tenant_id == principal.tenant_id,
            recordings.c.interaction_id == interaction_id,
        )
        .order_by(recordings.c.started_at)
    )
    return {
        **present(row),
        "timeline": [{**e.as_dict(), "at_iso": present({"at": e.at})["at"]} for e in timeline],
        "recordings": [
            {k: v for k, v in present(dict(r._mapping)).items() if k != "path"} for r in recs
        ],
    }


@router.post("/interactions/{interaction_id}/wrapup", summary="Wrap-up: disposition, notes, ticket")
async def wrap_up(
    interaction_id: str,
    body: WrapUpIn,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.INTERACTIONS_WRAP_UP))],
) -> dict[str, Any]:
    row = await _visible_row(uow, principal, interaction_id)
    code = (
        await uow.conn.execute(
            select(disposition_codes).where(
                disposition_codes.c.tenant_id == principal.tenant_id,
                disposition_codes.c.code == body.disposition,
                disposition_codes.c.active.is_(True),
            )
        )
    ).first()
    if code is None:
        raise UnknownReference(
            f"disposition: no active code {body.disposition!r}",
            code="interaction.disposition.unknown",
            details={"field": "disposition"},
        )
    ticket_id = None
    ticket_number = None
    if body.ticket is not None:
        ticket_in = body.ticket.model_copy(
            update={
                "interaction_id": interaction_id,
                "customer_id": body.ticket.customer_id or row["customer_id"],
            }
        )
        ticket = await TicketService(
            SqlRepos(uow.conn),
            SqlCounters(uow.conn),
            actor=principal,
            clock=services_of(request).clock,
            emit=uow.emit,
        ).create(ticket_in)
        ticket_id, ticket_number = ticket["id"], ticket["number"]
    # The router holds "wrap-up waits for a required disposition": tell it (and learn the
    # agent's segment the disposition belongs to).
    work_id = None
    runtime = _runtime(request, principal.tenant_id)
    if runtime is not None and principal.agent_id is not None:
        work_id = runtime.disposition_saved(
            AgentId(principal.agent_id), InteractionId(interaction_id)
        )
    uow.emit(
        InteractionDispositioned(
            tenant_id=principal.tenant_id,
            at=services_of(request).clock.now(),
            interaction_id=interaction_id,
            agent_id=principal.agent_id,
            disposition=body.disposition,
            category=str(code.category),
            sale=code.category == "sale",
            notes=body.notes,
            queue_id=row["queue_id"],
            ticket_id=ticket_id,
            work_id=work_id,
        )
    )
    await uow.commit()
    return {
        "interaction_id": interaction_id,
        "disposition": body.disposition,
        "ticket_id": ticket_id,
        "ticket_number": ticket_number,
    }


def _runtime(request: Request, tenant_id: str) -> TenantRuntime | None:
    telephony = services_of(request).telephony
    if telephony is None or telephony.runtime is None:
        return None
    return telephony.runtime.tenants.get(tenant_id)


@router.post("/interactions/{interaction_id}/followed-up", summary="Mark a missed contact handled")
async def followed_up(
    interaction_id: str,
    body: FollowUpIn,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.INTERACTIONS_WRAP_UP))],
) -> dict[str, str]:
    await _visible_row(uow, principal, interaction_id)
    uow.emit(
        InteractionFollowedUp(
            tenant_id=principal.tenant_id,
            at=services_of(request).clock.now(),
            interaction_id=interaction_id,
            agent_id=principal.agent_id,
            by=principal.username,
            note=body.note,
        )
    )
    await uow.commit()
    return {"interaction_id": interaction_id, "status": "followed_up"}


@router.get("/recordings/{recording_id}", summary="A recording (WAV); every listen is audited")
async def get_recording(
    recording_id: str,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.RECORDINGS_LISTEN))],
) -> FileResponse:
    rec = (
        await uow.conn.execute(
            select(recordings).where(
                recordings.c.tenant_id == principal.tenant_id, recordings.c.id == recording_id
            )
        )
    ).first()
    if rec is None:
        raise EntityNotFound(f"no recording {recording_id!r}", details={"id": recording_id})
    try:
        await _visible_row(uow, principal, str(rec.interaction_id))
    except EntityNotFound:
        # It exists in the caller's tenant, but belongs to someone else's contact.
        raise Forbidden(
            "this recording belongs to a contact you may not hear",
            details={"id": recording_id},
        ) from None
    services = services_of(request)
    path = FileRecordingStorage(services.settings.recording.directory).path(str(rec.path))
    if not path.is_file():
        raise EntityNotFound(f"recording {recording_id!r} is no longer stored (retention)")
    await SqlAudit(uow.conn).add(
        {
            "tenant_id": principal.tenant_id,
            "at": services.clock.now(),
            "actor_id": principal.user_id,
            "actor_name": principal.username,
            "action": "listen",
            "entity": "recording",
            "entity_id": recording_id,
            "before": None,
            "after": {"interaction_id": str(rec.interaction_id)},
            "ip": client_ip(request),
        }
    )
    await uow.commit()
    return FileResponse(
        path, media_type="audio/wav", filename=f"{rec.interaction_id}-{rec.kind}.wav"
    )
