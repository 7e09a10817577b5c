"""Customers: CRUD and lookup by phone (E.164 or local form)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import update

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.crm.profile import CustomerProfile
from hotline.crm.service import CustomerService
from hotline.directory.schemas import CustomerIn
from hotline.store.auth_repo import SqlTenants
from hotline.store.customer_history import SqlCustomerHistory
from hotline.store.repos import SqlRepos
from hotline.store.tables import tenants
from hotline.store.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

Reader = Annotated[Principal, Depends(require(Permission.CUSTOMERS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CUSTOMERS_WRITE))]


async def customers(request: Request, uow: UnitOfWork, principal: Principal) -> CustomerService:
    tenant = await SqlTenants(uow.conn).get(principal.tenant_id)
    return CustomerService(
        SqlRepos(uow.conn),
        tenant_id=principal.tenant_id,
        clock=services_of(request).clock,
        emit=uow.emit,
        region=str(tenant["region"]) if tenant else "CN",
        actor=principal,
        area_code=tenant.get("area_code") if tenant else None,
        time_zone=str(tenant["timezone"]) if tenant else "Asia/Shanghai",
    )


def profile(request: Request, uow: UnitOfWork, principal: Principal) -> CustomerProfile:
    return CustomerProfile(
        SqlCustomerHistory(uow.conn),
        tenant_id=principal.tenant_id,
        emit=uow.emit,
        now=services_of(request).clock.now,
        actor_id=principal.user_id,
        agent_id=principal.agent_id,
    )


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into_id: Annotated[str, StringConstraints(min_length=1, max_length=26)]


class CustomerSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    area_code: Annotated[str, StringConstraints(pattern=r"^0?[1-9]\d{1,2}$")] | None = Field(
        None, description="the center's own area code: local landlines without one are in it"
    )


@router.get("/settings", summary="The center's customer settings (its area code)")
async def get_settings(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    tenant = await SqlTenants(uow.conn).get(principal.tenant_id)
    return {"area_code": tenant.get("area_code") if tenant else None}


@router.put("/settings", summary="Change the center's customer settings")
async def put_settings(
    body: CustomerSettingsIn,
    request: Request,
    uow: Uow,
    principal: Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))],
) -> dict[str, Any]:
    code = body.area_code.lstrip("0") if body.area_code else None
    await uow.conn.execute(
        update(tenants).where(tenants.c.id == principal.tenant_id).values(area_code=code)
    )
    await uow.commit()
    return {"area_code": code}


@router.get("", summary="List or search customers (name, phone, email)")
async def list_customers(
    request: Request,
    uow: Uow,
    principal: Reader,
    paging: Annotated[Paging, Depends()],
    vip: Annotated[bool, Query(description="only VIP customers")] = False,
) -> dict[str, Any]:
    service = await customers(request, uow, principal)
    rows, total = await service.search(
        search=paging.q, vip_only=vip, limit=paging.limit, offset=paging.offset
    )
    return page(rows, total, paging)


@router.get("/lookup", summary="Customers with this phone number")
async def lookup(
    request: Request,
    uow: Uow,
    principal: Reader,
    phone: Annotated[str, Query(min_length=2, max_length=64)],
) -> dict[str, Any]:
    rows = await (await customers(request, uow, principal)).lookup_by_phone(phone)
    return {"items": [present(r) for r in rows], "total": len(rows)}


@router.get("/{customer_id}/summary", summary="Contacts, last contact, average CSAT, open tickets")
async def summary(
    customer_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    found = await profile(request, uow, principal).summary(customer_id)
    found["open_ticket_list"] = [present(t) for t in found["open_ticket_list"]]
    return present(found)


@router.get("/{customer_id}/timeline", summary="Contacts of every channel, tickets, CSAT, notes")
async def timeline(
    customer_id: str,
    request: Request,
    uow: Uow,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    items = await profile(request, uow, principal).timeline(customer_id, limit)
    return {"items": [present(i) for i in items], "total": len(items)}


@router.post("/{customer_id}/merge", summary="Merge this duplicate into another customer")
async def merge(
    customer_id: str, body: MergeIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    found = await profile(request, uow, principal).merge(customer_id, body.into_id)
    await uow.commit()
    found["open_ticket_list"] = [present(t) for t in found["open_ticket_list"]]
    return present(found)


@router.get("/{customer_id}", summary="Get a customer")
async def get_customer(
    customer_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    return present(await (await customers(request, uow, principal)).get(customer_id))


@router.post("", status_code=201, summary="Create a customer")
async def create_customer(
    body: CustomerIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await (await customers(request, uow, principal)).create(body)
    await uow.commit()
    return present(row)


@router.put("/{customer_id}", summary="Replace a customer")
async def put_customer(
    customer_id: str, body: CustomerIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await (await customers(request, uow, principal)).update(customer_id, body)
    await uow.commit()
    return present(row)


@router.delete("/{customer_id}", status_code=204, summary="Delete a customer")
async def delete_customer(
    customer_id: str, request: Request, uow: Uow, principal: Writer
) -> Response:
    await (await customers(request, uow, principal)).delete(customer_id)
    await uow.commit()
    return Response(status_code=204)
