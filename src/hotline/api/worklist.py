"""The worklist of missed contacts over HTTP: the list (per queue I may see), claim, release,
mark handled, and call back from my desk. Two agents claiming at once: one gets 200, the other
409 `worklist.claimed` naming the winner (`details.agent_id`). Rules: `hotline.history`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, require, services_of
from hotline.api.desk import at_desk, runtime_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.history import WorklistQuery, WorklistService
from hotline.ids import AgentId, InteractionId
from hotline.store.contacts_repo import SqlQueueMembership, SqlWorklist
from hotline.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["worklist"])

Reader = Annotated[Principal, Depends(require(Permission.INTERACTIONS_READ))]
Worker = Annotated[Principal, Depends(require(Permission.INTERACTIONS_WRAP_UP))]


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=500)


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> WorklistService:
    return WorklistService(
        SqlWorklist(uow.conn),
        SqlQueueMembership(uow.conn),
        principal=principal,
        clock=services_of(request).clock,
        emit=uow.emit,
    )


class _RuntimeDialer:
    """`Dialer` over the tenant's live runtime (the desk's `runtime_of`): 503
    `desk.unavailable` in a process that runs no telephony."""

    def __init__(self, request: Request, tenant_id: str) -> None:
        self._request = request
        self._tenant_id = tenant_id

    async def dial(self, agent_id: str, number: str, *, related_interaction_id: str) -> str:
        runtime = runtime_of(services_of(self._request), self._tenant_id)
        with at_desk(agent_id):
            made = await runtime.dial(
                AgentId(agent_id),
                number,
                related_interaction_id=InteractionId(related_interaction_id),
            )
        return str(made)


@router.get("/worklist", summary="Missed contacts of the queues I may see, newest first")
async def list_worklist(
    request: Request,
    uow: Uow,
    principal: Reader,
    paging: Annotated[Paging, Depends()],
    queue: Annotated[str | None, Query(max_length=64)] = None,
    include_done: Annotated[bool, Query(description="also the ones dealt with")] = False,
) -> dict[str, Any]:
    query = WorklistQuery(
        queue=queue, include_done=include_done, limit=paging.limit, offset=paging.offset
    )
    rows, total = await _service(request, uow, principal).list(query)
    return page([dict(r) for r in rows], total, paging)


@router.post("/worklist/{interaction_id}/claim", summary="Take a missed contact in hand")
async def claim(
    interaction_id: str, request: Request, uow: Uow, principal: Worker
) -> dict[str, Any]:
    row = await _service(request, uow, principal).claim(interaction_id)
    await uow.commit()
    return present(dict(row))


@router.post("/worklist/{interaction_id}/release", summary="Let my claim go")
async def release(
    interaction_id: str, request: Request, uow: Uow, principal: Worker
) -> dict[str, str]:
    await _service(request, uow, principal).release(interaction_id)
    await uow.commit()
    return {"interaction_id": interaction_id, "status": "released"}


@router.post("/worklist/{interaction_id}/followed-up", summary="Mark a missed contact handled")
async def followed_up(
    interaction_id: str,
    request: Request,
    uow: Uow,
    principal: Worker,
    body: FollowUpIn | None = None,
) -> dict[str, str]:
    note = body.note if body is not None else None
    await _service(request, uow, principal).followed_up(interaction_id, note)
    await uow.commit()
    return {"interaction_id": interaction_id, "status": "followed_up"}


@router.post("/worklist/{interaction_id}/callback", summary="Call the customer back from my desk")
async def call_back(
    interaction_id: str, request: Request, uow: Uow, principal: Worker
) -> dict[str, str]:
    service = _service(request, uow, principal)
    made = await service.call_back(
        interaction_id,
        _RuntimeDialer(request, principal.tenant_id),
        commit=uow.commit,
    )
    return {"interaction_id": made, "related_interaction_id": interaction_id}
