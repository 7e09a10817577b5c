"""Hints during service over HTTP (ADR 0164): the agent's response to a hint on a contact,
and how often each hint was offered, accepted and declined. The rules themselves are a
configuration entity (`/api/v1/hint-rules`, api/directory.py); the screen pop shows the
hints (api/screenpop.py). Handlers only translate HTTP; `hotline.crm.hints` decides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from hotline.analytics.reports.errors import ReportForbidden
from hotline.api.deps import Uow, require, services_of
from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission, oversees
from hotline.crm.hints import HintResponse, HintService
from hotline.errors import InvalidInput, NotFound
from hotline.store.hints_repo import SqlHints
from hotline.store.references import SqlInteractionRefs
from hotline.store.repos import SqlRepos
from hotline.store.uow import UnitOfWork

__all__ = ["hint_service", "router"]

router = APIRouter(prefix="/api/v1", tags=["customers"])

Agent = Annotated[Principal, Depends(require(Permission.DESK))]
Reports = Annotated[Principal, Depends(require(Permission.REPORTS_READ))]


def hint_service(request: Request, uow: UnitOfWork, principal: Principal) -> HintService:
    return HintService(
        SqlHints(uow.conn),
        tenant_id=principal.tenant_id,
        emit=uow.emit,
        now=services_of(request).clock.now,
        user_id=principal.user_id,
        agent_id=principal.agent_id,
    )


class HintAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    response: HintResponse
    customer_id: Annotated[str, StringConstraints(min_length=1, max_length=26)] | None = None


@router.post(
    "/desk/hints/{interaction_id}/{rule_id}/responses",
    status_code=201,
    summary="What I did with a hint on this contact: offered, accepted, declined",
)
async def respond(
    interaction_id: str, rule_id: str, body: HintAnswer, request: Request, uow: Uow,
    principal: Agent,
) -> dict[str, Any]:  # fmt: skip
    tenant = principal.tenant_id
    if not await SqlInteractionRefs(uow.conn).exists(tenant, interaction_id):
        raise NotFound("No such contact.", code="interaction.not_found",
                       details={"id": interaction_id})  # fmt: skip
    if body.customer_id and not await SqlRepos(uow.conn).table("customers").get(
        tenant, body.customer_id
    ):
        raise InvalidInput("No such customer.", code="hint.customer.unknown",
                           details={"field": "customer_id"})  # fmt: skip
    row = await hint_service(request, uow, principal).respond(
        interaction_id, rule_id, body.response, body.customer_id
    )
    await uow.commit()
    return present(row)


@router.get("/hints/report", summary="Per hint: contacts where it was offered, accepted, declined")
async def report(
    request: Request,
    uow: Uow,
    principal: Reports,
    since: Annotated[float, Query(ge=0)] = 0.0,
    until: Annotated[float | None, Query(ge=0)] = None,
) -> dict[str, Any]:
    if not oversees(principal.roles):  # the center's counts: not for an agent's own scope
        raise ReportForbidden("hints", None)
    end = until if until is not None else services_of(request).clock.now() + 1
    items = await hint_service(request, uow, principal).report(since, end)
    return {"items": items, "total": len(items)}
