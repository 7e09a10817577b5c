"""Customers: CRUD and lookup by phone (E.164 or local form)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.crm.service import CustomerService
from hotline.directory.schemas import CustomerIn
from hotline.store.auth_repo import SqlTenants
from hotline.store.repos import SqlRepos
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
    )


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
