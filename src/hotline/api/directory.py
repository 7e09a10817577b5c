"""REST CRUD of the center's configuration: skills, teams, calendars, numbers, disposition and
not-ready codes (generic), agents, queues and users (their own shapes)."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.present import Paging, page, present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.directory.schemas import AgentIn, QueueIn, UserIn, UserUpdate
from hotline.directory.service import SIMPLE, DirectoryService
from hotline.store.auth_repo import SqlTenants
from hotline.store.repos import SqlRepos
from hotline.store.uow import UnitOfWork
from hotline.tenants.model import Limits

__all__ = ["PATHS", "router"]

router = APIRouter(prefix="/api/v1", tags=["configuration"])

# URL path of each simple entity.
PATHS = {
    "skill": "skills",
    "team": "teams",
    "calendar": "calendars",
    "holiday_calendar": "holiday-calendars",
    "did": "numbers",
    "disposition": "dispositions",
    "reason": "not-ready-reasons",
    "quick_reply": "quick-replies",
    "custom_field": "custom-fields",
    "hint_rule": "hint-rules",
}

Reader = Annotated[Principal, Depends(require(Permission.CONFIG_READ))]
Writer = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
UsersReader = Annotated[Principal, Depends(require(Permission.USERS_READ))]
UsersWriter = Annotated[Principal, Depends(require(Permission.USERS_WRITE))]


async def directory(request: Request, uow: UnitOfWork, principal: Principal) -> DirectoryService:
    services = services_of(request)
    tenant = await SqlTenants(uow.conn).get(principal.tenant_id)
    return DirectoryService(
        SqlRepos(uow.conn),
        actor=principal,
        clock=services.clock,
        emit=uow.emit,
        sip_realm=str(tenant["sip_domain"]) if tenant else services.settings.sip.realm,
        ip=client_ip(request),
        max_agents=Limits.of(tenant).agents if tenant else None,
    )


def _typed(func: Any, **annotations: Any) -> Any:
    """Give a generated endpoint concrete parameter types (FastAPI reads the signature)."""
    signature = inspect.signature(func)
    params = [
        p.replace(annotation=annotations.get(name, p.annotation))
        for name, p in signature.parameters.items()
    ]
    func.__signature__ = signature.replace(parameters=params)
    return func


def _simple_routes(entity: str, path: str) -> None:
    schema: type[BaseModel] = SIMPLE[entity].schema

    async def list_(
        request: Request, uow: Uow, principal: Reader, paging: Annotated[Paging, Depends()]
    ) -> dict[str, Any]:
        service = await directory(request, uow, principal)
        rows, total = await service.list_simple(
            entity, search=paging.q, limit=paging.limit, offset=paging.offset
        )
        return page(rows, total, paging)

    async def get(item_id: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
        return present(await (await directory(request, uow, principal)).get_simple(entity, item_id))

    async def create(body: Any, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
        row = await (await directory(request, uow, principal)).create_simple(entity, body)
        await uow.commit()
        return present(row)

    async def replace(
        item_id: str, body: Any, request: Request, uow: Uow, principal: Writer
    ) -> dict[str, Any]:
        row = await (await directory(request, uow, principal)).update_simple(entity, item_id, body)
        await uow.commit()
        return present(row)

    async def delete(item_id: str, request: Request, uow: Uow, principal: Writer) -> Response:
        await (await directory(request, uow, principal)).delete_simple(entity, item_id)
        await uow.commit()
        return Response(status_code=204)

    name = path.replace("-", "_")
    router.get(f"/{path}", summary=f"List {path}", name=f"list_{name}")(list_)
    router.get(f"/{path}/{{item_id}}", summary=f"Get one of {path}", name=f"get_{name}")(get)
    router.post(
        f"/{path}", status_code=201, summary=f"Create one of {path}", name=f"create_{name}"
    )(_typed(create, body=schema))
    router.put(f"/{path}/{{item_id}}", summary=f"Replace one of {path}", name=f"put_{name}")(
        _typed(replace, body=schema)
    )
    router.delete(
        f"/{path}/{{item_id}}", status_code=204, summary=f"Delete one of {path}", name=f"del_{name}"
    )(delete)


for _entity, _path in PATHS.items():
    _simple_routes(_entity, _path)


# -- agents ------------------------------------------------------------------------------------


@router.get("/agents", summary="List agents")
async def list_agents(
    request: Request,
    uow: Uow,
    principal: Reader,
    paging: Annotated[Paging, Depends()],
    skill_id: Annotated[str | None, Query(max_length=26)] = None,
) -> dict[str, Any]:
    service = await directory(request, uow, principal)
    rows, total = await service.list_agents(
        search=paging.q, skill_id=skill_id, limit=paging.limit, offset=paging.offset
    )
    return page(rows, total, paging)


@router.get("/agents/{agent_id}", summary="Get an agent")
async def get_agent(agent_id: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return present(await (await directory(request, uow, principal)).get_agent(agent_id))


@router.post("/agents", status_code=201, summary="Create an agent (and its user)")
async def create_agent(
    body: AgentIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    view = await (await directory(request, uow, principal)).create_agent(body)
    await uow.commit()
    return present(view)


@router.put("/agents/{agent_id}", summary="Replace an agent's profile")
async def put_agent(
    agent_id: str, body: AgentIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    view = await (await directory(request, uow, principal)).update_agent(agent_id, body)
    await uow.commit()
    return present(view)


@router.delete("/agents/{agent_id}", status_code=204, summary="Delete an agent")
async def delete_agent(agent_id: str, request: Request, uow: Uow, principal: Writer) -> Response:
    await (await directory(request, uow, principal)).delete_agent(agent_id)
    await uow.commit()
    return Response(status_code=204)


# -- queues ------------------------------------------------------------------------------------


@router.get("/queues", summary="List queues")
async def list_queues(
    request: Request, uow: Uow, principal: Reader, paging: Annotated[Paging, Depends()]
) -> dict[str, Any]:
    service = await directory(request, uow, principal)
    rows, total = await service.list_queues(
        search=paging.q, limit=paging.limit, offset=paging.offset
    )
    return page(rows, total, paging)


@router.get("/queues/{queue_id}", summary="Get a queue")
async def get_queue(queue_id: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    return present(await (await directory(request, uow, principal)).get_queue(queue_id))


@router.post("/queues", status_code=201, summary="Create a queue")
async def create_queue(
    body: QueueIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    view = await (await directory(request, uow, principal)).create_queue(body)
    await uow.commit()
    return present(view)


@router.put("/queues/{queue_id}", summary="Replace a queue")
async def put_queue(
    queue_id: str, body: QueueIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    view = await (await directory(request, uow, principal)).update_queue(queue_id, body)
    await uow.commit()
    return present(view)


@router.delete("/queues/{queue_id}", status_code=204, summary="Delete a queue")
async def delete_queue(queue_id: str, request: Request, uow: Uow, principal: Writer) -> Response:
    await (await directory(request, uow, principal)).delete_queue(queue_id)
    await uow.commit()
    return Response(status_code=204)


# -- users -------------------------------------------------------------------------------------


@router.get("/users", summary="List users")
async def list_users(
    request: Request, uow: Uow, principal: UsersReader, paging: Annotated[Paging, Depends()]
) -> dict[str, Any]:
    service = await directory(request, uow, principal)
    rows, total = await service.list_users(
        search=paging.q, limit=paging.limit, offset=paging.offset
    )
    return page(rows, total, paging)


@router.get("/users/{user_id}", summary="Get a user")
async def get_user(
    user_id: str, request: Request, uow: Uow, principal: UsersReader
) -> dict[str, Any]:
    return present(await (await directory(request, uow, principal)).get_user(user_id))


@router.post("/users", status_code=201, summary="Create a user")
async def create_user(
    body: UserIn, request: Request, uow: Uow, principal: UsersWriter
) -> dict[str, Any]:
    view = await (await directory(request, uow, principal)).create_user(body)
    await uow.commit()
    return present(view)


@router.put("/users/{user_id}", summary="Replace a user")
async def put_user(
    user_id: str, body: UserUpdate, request: Request, uow: Uow, principal: UsersWriter
) -> dict[str, Any]:
    view = await (await directory(request, uow, principal)).update_user(user_id, body)
    await uow.commit()
    return present(view)


@router.delete("/users/{user_id}", status_code=204, summary="Delete a user")
async def delete_user(user_id: str, request: Request, uow: Uow, principal: UsersWriter) -> Response:
    await (await directory(request, uow, principal)).delete_user(user_id)
    await uow.commit()
    return Response(status_code=204)
