"""Organizations (单位) customers belong to: a name and notes, per center."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import Conflict, NotFound
from hotline.ids import new_id
from hotline.store.repos import SqlRepos

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/organizations", tags=["customers"])

Reader = Annotated[Principal, Depends(require(Permission.CUSTOMERS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CUSTOMERS_WRITE))]


class OrganizationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""


async def _get(repos: SqlRepos, tenant: str, organization_id: str) -> dict[str, Any]:
    row = await repos.table("organizations").get(tenant, organization_id)
    if row is None:
        raise NotFound("No such organization.", code="organization.not_found")
    return row


async def _unique(repos: SqlRepos, tenant: str, name: str, own: str | None) -> None:
    rows, _ = await repos.table("organizations").list(tenant, filters={"name": name}, limit=2)
    if any(r["id"] != own for r in rows):
        raise Conflict(
            "This name or code is already in use.",
            code="organization.duplicate",
            details={"field": "name"},
        )


@router.get("", summary="List or search organizations")
async def list_organizations(
    uow: Uow, principal: Reader, paging: Annotated[Paging, Depends()]
) -> dict[str, Any]:
    rows, total = (
        await SqlRepos(uow.conn)
        .table("organizations")
        .list(
            principal.tenant_id,
            search=paging.q,
            search_fields=("name", "notes"),
            order_by="name",
            limit=paging.limit,
            offset=paging.offset,
        )
    )
    return page(rows, total, paging)


@router.post("", status_code=201, summary="Create an organization")
async def create_organization(
    body: OrganizationIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    repos = SqlRepos(uow.conn)
    await _unique(repos, principal.tenant_id, body.name, None)
    now = services_of(request).clock.now()
    row = {
        "id": new_id(now),
        "tenant_id": principal.tenant_id,
        **body.model_dump(),
        "created_at": now,
        "updated_at": now,
    }
    await repos.table("organizations").insert(row)
    await uow.commit()
    return present(row)


@router.get("/{organization_id}", summary="Get an organization")
async def get_organization(organization_id: str, uow: Uow, principal: Reader) -> dict[str, Any]:
    return present(await _get(SqlRepos(uow.conn), principal.tenant_id, organization_id))


@router.put("/{organization_id}", summary="Change an organization")
async def put_organization(
    organization_id: str, body: OrganizationIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    repos = SqlRepos(uow.conn)
    await _get(repos, principal.tenant_id, organization_id)
    await _unique(repos, principal.tenant_id, body.name, organization_id)
    values = {**body.model_dump(), "updated_at": services_of(request).clock.now()}
    await repos.table("organizations").update(principal.tenant_id, organization_id, values)
    await uow.commit()
    return present(await _get(repos, principal.tenant_id, organization_id))


@router.delete("/{organization_id}", status_code=204, summary="Delete an organization")
async def delete_organization(organization_id: str, uow: Uow, principal: Writer) -> Response:
    repos = SqlRepos(uow.conn)
    await _get(repos, principal.tenant_id, organization_id)
    await repos.table("organizations").delete(principal.tenant_id, organization_id)
    await uow.commit()
    return Response(status_code=204)
