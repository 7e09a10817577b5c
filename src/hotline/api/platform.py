"""The platform operator's API: centers (tenants) and their numbers. Only the `operator` role
has `tenants.manage`; a center's admin gets 403 here (docs/tenants.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.present import present
from hotline.app import tenant_service
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.uow import UnitOfWork
from hotline.tenants.model import LimitsIn, TenantIn
from hotline.tenants.service import TenantService, view

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/platform", tags=["platform"])

Operator = Annotated[Principal, Depends(require(Permission.TENANTS_MANAGE))]


class NumberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(pattern=r"^\+?[0-9*#]{1,32}$")
    flow: str = Field("main", min_length=1, max_length=64)
    description: str = Field("", max_length=200)


def _service(request: Request, uow: UnitOfWork, principal: Principal) -> TenantService:
    return tenant_service(services_of(request), uow, principal, ip=client_ip(request))


@router.get("/tenants", summary="List the centers")
async def list_tenants(request: Request, uow: Uow, principal: Operator) -> dict[str, Any]:
    rows = await _service(request, uow, principal).centers()
    return {"items": [present(view(r)) for r in rows], "total": len(rows)}


@router.post("/tenants", status_code=201, summary="Create a center and its first admin")
async def create_tenant(
    body: TenantIn, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    row, password = await _service(request, uow, principal).create(body)
    await uow.commit()
    return {
        **present(view(row)),
        # Shown once: the admin must change it at the first login.
        "admin": {"username": body.admin_username, "one_time_password": password},
    }


@router.get("/tenants/{tenant_id}", summary="Get a center (by id or slug)")
async def get_tenant(
    tenant_id: str, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    service = _service(request, uow, principal)
    row = await service.find(tenant_id)
    return {**present(view(row)), "usage": await service.usage(row)}


@router.post("/tenants/{tenant_id}/suspend", summary="Suspend: refuse new calls and logins")
async def suspend_tenant(
    tenant_id: str, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    row = await _service(request, uow, principal).suspend(tenant_id)
    await uow.commit()
    return present(view(row))


@router.post("/tenants/{tenant_id}/resume", summary="Resume (also cancels a pending deletion)")
async def resume_tenant(
    tenant_id: str, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    row = await _service(request, uow, principal).resume(tenant_id)
    await uow.commit()
    return present(view(row))


@router.delete(
    "/tenants/{tenant_id}",
    status_code=202,
    summary="Delete: refused at once, exported and removed after the grace period",
)
async def delete_tenant(
    tenant_id: str, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    row = await _service(request, uow, principal).delete(tenant_id)
    await uow.commit()
    return present(view(row))


@router.put("/tenants/{tenant_id}/limits", summary="Set a center's limits (null: unlimited)")
async def set_limits(
    tenant_id: str, body: LimitsIn, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    row = await _service(request, uow, principal).set_limits(tenant_id, body)
    await uow.commit()
    return present(view(row))


@router.get("/tenants/{tenant_id}/numbers", summary="A center's numbers")
async def list_numbers(
    tenant_id: str, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    rows = await _service(request, uow, principal).numbers(tenant_id)
    return {"items": [present(r) for r in rows], "total": len(rows)}


@router.post("/tenants/{tenant_id}/numbers", status_code=201, summary="Assign a number")
async def assign_number(
    tenant_id: str, body: NumberIn, request: Request, uow: Uow, principal: Operator
) -> dict[str, Any]:
    row = await _service(request, uow, principal).assign_number(
        tenant_id, body.number, flow=body.flow, description=body.description
    )
    await uow.commit()
    return present(row)


@router.delete(
    "/tenants/{tenant_id}/numbers/{number}", status_code=204, summary="Take a number back"
)
async def release_number(
    tenant_id: str, number: str, request: Request, uow: Uow, principal: Operator
) -> Response:
    await _service(request, uow, principal).release_number(tenant_id, number)
    await uow.commit()
    return Response(status_code=204)
