"""Flows over HTTP: list, versions, validate, publish, roll back, the graph for the diagram,
and the tenant-wide emergency switch."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, client_ip, require, services_of
from hotline.api.directory import directory
from hotline.api.errors import in_language
from hotline.api.present import iso
from hotline.app import calendar_names, flow_service, queue_names, ticket_names
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.flows.emergency import EmergencyService
from hotline.flows.errors import FlowInvalid, FlowIssue
from hotline.flows.graph import flow_graph
from hotline.flows.layout import MAX_COORDINATE, FlowLayout, keep_layout, layout_of
from hotline.flows.loader import read_document
from hotline.flows.validate import check_flow
from hotline.flows.versioning import FlowVersion
from hotline.store.auth_repo import SqlAudit
from hotline.store.flow_repo import (
    SqlEmergencySwitchStore,
    SqlFlowLayoutStore,
    SqlFlowRepository,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["flows"])

MAX_VERSION = 2**31 - 1
Reader = Annotated[Principal, Depends(require(Permission.FLOWS_READ))]
Writer = Annotated[Principal, Depends(require(Permission.FLOWS_WRITE))]


class FlowText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500_000, description="the flow as YAML or JSON")
    format: Literal["yaml", "json"] = "yaml"
    note: str | None = Field(None, max_length=500)


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: float = Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE)
    y: float = Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE)


LayoutIn = Annotated[
    dict[Annotated[str, Field(max_length=64)], PositionIn],
    Field(max_length=2000, description="where each node's box stands in the designer"),
]


def layout_in(positions: dict[str, PositionIn] | None) -> FlowLayout | None:
    return (
        None if positions is None else FlowLayout.of({n: (p.x, p.y) for n, p in positions.items()})
    )


class PublishIn(FlowText):
    layout: LayoutIn | None = None


class RollbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: int | None = Field(None, ge=1, le=MAX_VERSION)


class EmergencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool
    message: str | None = Field(None, max_length=500)


def _version(
    v: FlowVersion, *, active: int | None, full: bool, layout: FlowLayout | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": v.name,
        "version": v.version,
        "content_hash": v.content_hash,
        "published_at": iso(v.published_at),
        "published_by": v.published_by,
        "note": v.note,
        "active": v.version == active,
        "description": v.flow.description,
        "dids": list(v.flow.dids),
    }
    if full:
        document = v.document()
        out["document"] = document
        # The editor shows what an author writes: unset optional fields (None) are left out.
        shown = v.flow.model_dump(mode="json", exclude_none=True)
        out["yaml"] = yaml.safe_dump(shown, allow_unicode=True, sort_keys=False, width=100)
        out["graph"] = flow_graph(v.flow).as_dict()
        # The designer's boxes as they were left; null: laid out automatically.
        out["layout"] = layout.as_dict() if layout else None
    return out


@router.get("/flows", summary="Flows of my tenant with their active version")
async def list_flows(uow: Uow, principal: Reader) -> dict[str, Any]:
    repo = SqlFlowRepository(uow.conn)
    items = []
    for name in await repo.list_names(principal.tenant_id):
        versions = await repo.list_versions(principal.tenant_id, name)
        pointer = await repo.get_active(principal.tenant_id, name)
        active = pointer.version if pointer else None
        shown = next((v for v in versions if v.version == active), versions[-1])
        items.append({**_version(shown, active=active, full=False), "versions": len(versions)})
    return {"items": items, "total": len(items)}


@router.get(
    "/flows/{name}", summary="A flow: its active version (document, YAML, graph) and history"
)
async def get_flow(name: str, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    flows = flow_service(services_of(request), uow)
    active = await flows.active(principal.tenant_id, name)
    history = await flows.repository.list_versions(principal.tenant_id, name)
    layout = await layout_of(SqlFlowLayoutStore(uow.conn), active)
    return {
        **_version(active, active=active.version, full=True, layout=layout),
        "history": [_version(v, active=active.version, full=False) for v in history],
    }


@router.get("/flows/{name}/versions/{version}", summary="One published version of a flow")
async def get_flow_version(
    name: str,
    version: Annotated[int, Path(ge=1, le=MAX_VERSION)],
    request: Request,
    uow: Uow,
    principal: Reader,
) -> dict[str, Any]:
    flows = flow_service(services_of(request), uow)
    found = await flows.version(principal.tenant_id, name, version)
    pointer = await flows.repository.get_active(principal.tenant_id, name)
    layout = await layout_of(SqlFlowLayoutStore(uow.conn), found)
    return _version(found, active=pointer.version if pointer else None, full=True, layout=layout)


def _issues(request: Request, issues: tuple[FlowIssue, ...]) -> list[dict[str, Any]]:
    """The issues with each message in the caller's language, said from its template."""
    return [
        {
            **issue.as_dict(),
            "message": in_language(
                request,
                issue.code,
                issue.message,
                {"template": issue.template, "params": dict(issue.params)},
                422,
            ),
        }
        for issue in issues
    ]


@router.post("/flows/check", summary="Validate a flow document; every issue names node and field")
async def check(body: FlowText, request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    data = read_document(body.text, fmt=body.format)
    result = check_flow(
        data,
        prompts_root=services_of(request).settings.media.prompts_dir,
        queues=await queue_names(uow, principal.tenant_id),
        calendars=await calendar_names(uow, principal.tenant_id),
        tickets=await ticket_names(uow, principal.tenant_id),
    )
    return {
        "ok": result.flow is not None and not result.issues,
        "issues": _issues(request, result.issues),
        "graph": flow_graph(result.flow).as_dict() if result.flow is not None else None,
    }


@router.post("/flows", status_code=201, summary="Publish a flow (a new version, made active)")
async def publish(body: PublishIn, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
    data = read_document(body.text, fmt=body.format)
    flows = flow_service(services_of(request), uow)
    try:
        version = await flows.publish_document(
            principal.tenant_id,
            data,
            by=principal.username,
            note=body.note,
            queues=await queue_names(uow, principal.tenant_id),
            calendars=await calendar_names(uow, principal.tenant_id),
            tickets=await ticket_names(uow, principal.tenant_id),
        )
    except FlowInvalid as exc:
        exc.details["issues"] = _issues(request, exc.issues)
        raise
    # The document's `dids` route the center's numbers here: written to the numbers table, the
    # one route (ADR 0200); a number the center does not have refuses the whole publish.
    await (await directory(request, uow, principal)).bind_numbers(version.name, version.flow.dids)
    # The boxes' places are kept beside the version, also when its content did not change.
    await keep_layout(
        SqlFlowLayoutStore(uow.conn),
        version,
        layout_in(body.layout),
        at=services_of(request).clock.now(),
        by=principal.username,
    )
    await _audit(
        uow, request, principal, "publish", version.name, None, {"version": version.version}
    )
    await uow.commit()
    return _version(version, active=version.version, full=False)


@router.post("/flows/{name}/rollback", summary="Make an earlier version the active one")
async def rollback(
    name: str, body: RollbackIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    flows = flow_service(services_of(request), uow)
    version = await flows.rollback(principal.tenant_id, name, to=body.to, by=principal.username)
    await _audit(uow, request, principal, "rollback", name, None, {"version": version.version})
    await uow.commit()
    return _version(version, active=version.version, full=False)


@router.get("/emergency", summary="The tenant-wide emergency switch")
async def get_emergency(request: Request, uow: Uow, principal: Reader) -> dict[str, Any]:
    state = await SqlEmergencySwitchStore(uow.conn).get(principal.tenant_id)
    return {
        "active": state.active,
        "message": state.message,
        "since": iso(state.since),
        "by": state.by,
    }


@router.put("/emergency", summary="Turn the emergency switch on or off")
async def put_emergency(
    body: EmergencyIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    store = SqlEmergencySwitchStore(uow.conn)
    before = await store.get(principal.tenant_id)
    service = EmergencyService(store, uow, services_of(request).clock)
    await service.switch(
        principal.tenant_id, active=body.active, message=body.message, by=principal.username
    )
    after = await store.get(principal.tenant_id)
    await _audit(
        uow,
        request,
        principal,
        "update",
        "emergency",
        {"active": before.active},
        {"active": after.active, "message": after.message},
    )
    await uow.commit()
    return {
        "active": after.active,
        "message": after.message,
        "since": iso(after.since),
        "by": after.by,
    }


async def _audit(
    uow: Uow,
    request: Request,
    principal: Principal,
    action: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await SqlAudit(uow.conn).add(
        {
            "tenant_id": principal.tenant_id,
            "at": services_of(request).clock.now(),
            "actor_id": principal.user_id,
            "actor_name": principal.username,
            "action": action,
            "entity": "flow" if entity_id != "emergency" else "emergency",
            "entity_id": entity_id,
            "before": before,
            "after": after,
            "ip": client_ip(request),
        }
    )
