"""The ticket system's configuration over HTTP: departments, the category tree, SLA
policies and the center's ticket settings (admins; everyone may read)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.store.ticket_admin import SqlTicketConfig
from hotline.store.tickets_repo import SqlTickets
from hotline.store.uow import UnitOfWork
from hotline.tickets.schemas import CategoryIn, DepartmentIn, SlaPolicyIn
from hotline.tickets.setup import TicketSetup

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["ticket setup"])

Reader = Annotated[Principal, Depends(require(Permission.CONFIG_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]


def _setup(request: Request, uow: UnitOfWork, principal: Principal) -> TicketSetup:
    return TicketSetup(
        SqlTicketConfig(uow.conn), tenant_id=principal.tenant_id, clock=services_of(request).clock
    )


def _collection(path: str, kind: str, schema: type[BaseModel]) -> None:
    async def list_rows(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
        rows = await _setup(request, uow, principal).list(kind)
        return {"items": [present(r) for r in rows], "total": len(rows)}

    async def get_row(row_id: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
        return present(await _setup(request, uow, principal).get(kind, row_id))

    async def save(
        request: Request, uow: Uow, principal: Principal, body: Any, row_id: str | None
    ) -> dict[str, Any]:
        setup = _setup(request, uow, principal)
        if kind == "department":
            row = await setup.save_department(body, row_id)
        elif kind == "category":
            row = await setup.save_category(body, row_id)
        else:
            row = await setup.save_policy(body, row_id)
        await uow.commit()
        return present(row)

    async def create(body: Any, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
        return await save(request, uow, principal, body, None)

    async def put(
        row_id: str, body: Any, request: Request, uow: Uow, principal: Writer
    ) -> dict[str, Any]:
        return await save(request, uow, principal, body, row_id)

    # The body's model is this collection's (FastAPI reads the annotation).
    create.__annotations__["body"] = schema
    put.__annotations__["body"] = schema

    async def delete(row_id: str, request: Request, uow: Uow, principal: Writer) -> Response:
        await _setup(request, uow, principal).delete(kind, row_id)
        await uow.commit()
        return Response(status_code=204)

    router.add_api_route(f"/{path}", list_rows, methods=["GET"], summary=f"List {path}")
    router.add_api_route(
        f"/{path}", create, methods=["POST"], status_code=201, summary=f"Create one of {path}"
    )
    router.add_api_route(
        f"/{path}/{{row_id}}", get_row, methods=["GET"], summary=f"Get one of {path}"
    )
    router.add_api_route(
        f"/{path}/{{row_id}}", put, methods=["PUT"], summary=f"Replace one of {path}"
    )
    router.add_api_route(
        f"/{path}/{{row_id}}",
        delete,
        methods=["DELETE"],
        status_code=204,
        summary=f"Delete one of {path}",
    )


_collection("ticket-departments", "department", DepartmentIn)
_collection("ticket-categories", "category", CategoryIn)
_collection("sla-policies", "policy", SlaPolicyIn)


class TicketSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number_style: Literal["sequence", "daily"] = "sequence"
    reopen_days: int = Field(7, ge=0, le=365)


@router.get("/ticket-settings", summary="The center's ticket settings")
async def get_settings(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    settings = await SqlTickets(uow.conn).settings(principal.tenant_id)
    return {"number_style": settings.number_style, "reopen_days": settings.reopen_days}


@router.put("/ticket-settings", summary="Change the center's ticket settings")
async def put_settings(
    body: TicketSettingsIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    await _setup(request, uow, principal).save_settings(
        number_style=body.number_style, reopen_days=body.reopen_days
    )
    await uow.commit()
    return body.model_dump()
