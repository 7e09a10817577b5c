"""Supervision (docs/desk-api.md, "Supervisor"): listen to, whisper to or barge into an agent's
live call from the supervisor's browser phone or SIP phone, switch modes, stop; force an
agent's state; log an agent out. Permission `supervise` (supervisors and admins); an agent of
another tenant is not found (404); every action is written to the audit log (entity `agent`).

The supervisor's browser phone is the same `/api/v1/phone` session an agent's page opens: keyed
by the supervisor's agent id when it has an agent profile, else by `supervisor_key(user id)`.
A SIP phone is the supervisor's own extension (its agent profile), or `extension` in the body.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.desk import at_desk, runtime_of
from hotline.api.desk_object import load_static
from hotline.api.directory import directory
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.directory.errors import EntityNotFound
from hotline.ids import AgentId
from hotline.interactions import NoExtension
from hotline.interactions.voice import (
    AgentPhone,
    BrowserPhone,
    Monitor,
    MonitorMode,
    SipPhone,
    supervisor_key,
)
from hotline.store.auth_repo import SqlAudit
from hotline.store.tables import agents
from hotline.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/supervise", tags=["supervision"])

Supervisor = Annotated[Principal, Depends(require(Permission.SUPERVISE))]


async def tenant_agent(agent_id: str, request: Request, principal: Supervisor) -> AgentId:
    """The agent, if it is one of the caller's tenant (else 404, before the body is read)."""
    async with services_of(request).engine.connect() as conn:
        found = await conn.scalar(
            select(agents.c.id).where(
                agents.c.id == agent_id, agents.c.tenant_id == principal.tenant_id
            )
        )
    if found is None:
        raise EntityNotFound(f"no agent {agent_id!r}", details={"id": agent_id})
    return AgentId(agent_id)


TenantAgent = Annotated[AgentId, Depends(tenant_agent)]


class MonitorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["listen", "whisper", "barge"]
    phone: Literal["browser", "sip"] = "browser"
    extension: str | None = Field(None, min_length=1, max_length=32, pattern=r"^[0-9A-Za-z_.+-]+$")


class ForceStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["available", "not_ready"]
    reason: str | None = Field(None, min_length=1, max_length=32)


async def _audit(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    action: str,
    agent_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    services = services_of(request)
    await SqlAudit(uow.conn).add(
        {
            "tenant_id": principal.tenant_id,
            "at": services.clock.now(),
            "actor_id": principal.user_id,
            "actor_name": principal.username,
            "action": action,
            "entity": "agent",
            "entity_id": agent_id,
            "before": before,
            "after": after,
            "ip": client_ip(request),
        }
    )
    await uow.commit()


async def _phone(request: Request, principal: Principal, body: MonitorIn) -> AgentPhone:
    if body.phone == "browser":
        return BrowserPhone(principal.agent_id or supervisor_key(principal.user_id))
    extension = body.extension
    if extension is None and principal.agent_id is not None:
        services = services_of(request)
        static = await load_static(services, principal.tenant_id, AgentId(principal.agent_id))
        extension = static.extension
    if not extension:
        raise NoExtension(
            "you have no SIP extension: give one in `extension`", details={"field": "extension"}
        )
    return SipPhone(extension)


def _monitor(monitor: Monitor | None) -> dict[str, Any] | None:
    if monitor is None:
        return None
    return {
        "agent_id": monitor.agent_id,
        "supervisor_id": monitor.supervisor_id,
        "interaction_id": monitor.interaction_id,
        "mode": monitor.mode.value,
        "phone": {"kind": monitor.phone.kind.value, "address": monitor.phone.address},
        "state": monitor.state,
        "started_at": monitor.started_at,
    }


def _state(request: Request, principal: Principal, agent_id: AgentId) -> dict[str, Any]:
    runtime = runtime_of(services_of(request), principal.tenant_id)
    snapshot = runtime.router.agent_snapshot(agent_id, now=runtime.now())
    return {"agent_id": agent_id, "state": snapshot.state.value, "reason": snapshot.reason}


@router.post("/{agent_id}/monitor", summary="监听 / 耳语 / 强插 (switching mode keeps the seat)")
async def monitor(
    agent_id: TenantAgent, body: MonitorIn, request: Request, uow: Uow, principal: Supervisor
) -> dict[str, Any]:
    runtime = runtime_of(services_of(request), principal.tenant_id)
    before = _monitor(runtime.monitor_of(principal.user_id))
    phone = await _phone(request, principal, body)
    with at_desk(agent_id):
        seat = await runtime.monitor(principal.user_id, agent_id, MonitorMode(body.mode), phone)
    after = _monitor(seat)
    await _audit(request, uow, principal, f"monitor.{body.mode}", agent_id, before, after)
    assert after is not None
    return after


@router.post("/{agent_id}/stop", summary="Stop listening / whispering / barging")
async def stop(
    agent_id: TenantAgent, request: Request, uow: Uow, principal: Supervisor
) -> dict[str, Any]:
    runtime = runtime_of(services_of(request), principal.tenant_id)
    current = runtime.monitor_of(principal.user_id)
    before = _monitor(current)
    if current is not None and current.agent_id == agent_id:
        await runtime.stop_monitoring(principal.user_id)
    await _audit(request, uow, principal, "monitor.stop", agent_id, before, None)
    return {"agent_id": agent_id, "monitor": None}


@router.post("/{agent_id}/state", summary="Force an agent's state (示闲 / 示忙)")
async def force_state(
    agent_id: TenantAgent, body: ForceStateIn, request: Request, uow: Uow, principal: Supervisor
) -> dict[str, Any]:
    runtime = runtime_of(services_of(request), principal.tenant_id)
    if body.state == "not_ready" and body.reason is not None:
        await (await directory(request, uow, principal)).check_not_ready_reason(body.reason)
    before = _state(request, principal, agent_id)
    with at_desk(agent_id):
        if body.state == "available":
            runtime.set_available(agent_id)
        else:
            runtime.set_not_ready(agent_id, body.reason or "supervisor")
    after = _state(request, principal, agent_id)
    await _audit(request, uow, principal, "force_state", agent_id, before, after)
    return after


@router.post("/{agent_id}/logout", summary="Log an agent out (签出, after its current call)")
async def force_logout(
    agent_id: TenantAgent, request: Request, uow: Uow, principal: Supervisor
) -> dict[str, Any]:
    runtime = runtime_of(services_of(request), principal.tenant_id)
    before = _state(request, principal, agent_id)
    runtime.logout(agent_id)
    after = _state(request, principal, agent_id)
    await _audit(request, uow, principal, "force_logout", agent_id, before, after)
    return after
