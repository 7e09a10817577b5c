"""The audit log of admin changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from hotline.api.deps import Uow, require
from hotline.api.present import Paging, page
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.auth_repo import SqlAudit

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get(
    "/audit",
    summary="Audit log, newest first; `q` finds text in the actor, action, entity, id and "
    "address; filters by object, user, action and time",
)
async def list_audit(
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
    paging: Annotated[Paging, Depends()],
    entity: Annotated[str | None, Query(max_length=32)] = None,
    actor_id: Annotated[str | None, Query(max_length=26)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[float | None, Query(ge=0, description="epoch seconds, inclusive")] = None,
    until: Annotated[float | None, Query(ge=0, description="epoch seconds, exclusive")] = None,
) -> dict[str, Any]:
    rows, total = await SqlAudit(uow.conn).list(
        principal.tenant_id,
        entity=entity,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        search=paging.q,
        limit=paging.limit,
        offset=paging.offset,
    )
    return page(rows, total, paging)
