"""Bans of SIP source addresses: see them and lift them (issue 13). Admins only.

Bans live in the node's SIP service (the protector), not in the database: this lists and
lifts them on the node that serves the request, and records each lift in the audit log and as
a `sip.source_unbanned` event.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import InvalidInput
from hotline.sip.errors import BanNotFound
from hotline.sip.transport.service import SipService
from hotline.store.auth_repo import SqlAudit

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/sip", tags=["sip"])

Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]


def _sip(request: Request, principal: Principal) -> SipService | None:
    """This node's SIP service, if it runs and belongs to the caller's tenant (the SIP edge
    is the tenant's whose realm it serves; other tenants see no bans, as with any object)."""
    telephony = services_of(request).telephony
    sip = telephony.sip if telephony is not None else None
    if sip is None or sip.config.tenant_id != principal.tenant_id:
        return None
    return sip


@router.get("/bans", summary="Source addresses banned from SIP, the most recent first")
async def list_bans(request: Request, principal: Admin) -> dict[str, Any]:
    sip = _sip(request, principal)
    if sip is None:
        return {"items": [], "telephony": False}
    items = [
        {"source": source, "since": since, "until": until, "reason": reason}
        for source, since, until, reason in sip.bans()
    ]
    return {"items": items, "telephony": True}


@router.delete("/bans/{source}", status_code=204, summary="Lift the ban on a source address")
async def lift_ban(
    request: Request,
    uow: Uow,
    principal: Admin,
    source: Annotated[str, Path(max_length=64)],
) -> Response:
    try:
        ipaddress.ip_address(source)
    except ValueError:
        raise InvalidInput(
            f"{source!r} is not an IP address", details={"field": "source", "value": source}
        ) from None
    sip = _sip(request, principal)
    if sip is None or not sip.lift_ban(source, by=principal.user_id):
        raise BanNotFound(f"{source} is not banned", details={"source": source})
    await SqlAudit(uow.conn).add(
        {
            "tenant_id": principal.tenant_id,
            "at": services_of(request).clock.now(),
            "actor_id": principal.user_id,
            "actor_name": principal.username,
            "action": "delete",
            "entity": "sip_ban",
            "entity_id": None,
            "before": {"source": source},
            "after": None,
            "ip": client_ip(request),
        }
    )
    await uow.commit()
    return Response(status_code=204)
