"""The event log over HTTP: a page of past events, and the live WebSocket stream that
replays from `after_seq` and then follows (the wallboard's and webhooks' source). Both give
records as version 2 (older ones converted on read, ADR 0061)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect

from hotline.api.deps import principal_from, require, services_of
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import HotlineError
from hotline.events import EventRecord
from hotline.store.eventlog import SqlEventReader

__all__ = ["router", "visible"]

router = APIRouter(prefix="/api/v1", tags=["events"])

Reader = Annotated[Principal, Depends(require(Permission.EVENTS_READ))]


def visible(principal: Principal, record: EventRecord) -> bool:
    """Supervisors, QA and admins see the tenant's events; others only their own."""
    if record.tenant_id != principal.tenant_id:
        return False
    if principal.can(Permission.EVENTS_READ):
        return True
    return principal.agent_id is not None and record.agent_id == principal.agent_id


@router.get("/events", summary="Past events of my tenant, in seq order (as version 2)")
async def list_events(
    request: Request,
    principal: Reader,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    type: Annotated[str | None, Query(max_length=64)] = None,
    interaction_id: Annotated[str | None, Query(max_length=26)] = None,
) -> dict[str, Any]:
    records = await SqlEventReader(services_of(request).engine).page(
        principal.tenant_id, after_seq, limit=limit, type_=type, interaction_id=interaction_id
    )
    rows = [r.as_dict() for r in records]
    return {"items": rows, "last_seq": rows[-1]["seq"] if rows else after_seq}


@router.websocket("/events")
async def stream_events(
    websocket: WebSocket, after_seq: Annotated[int | None, Query(ge=0, le=2**62)] = None
) -> None:
    """Send `{"type": "event", "event": {...}}` per record; replays from `after_seq` first."""
    try:
        principal = await principal_from(websocket)
    except HotlineError as error:
        # Accept, then close with an application code: browsers cannot read an HTTP 403 on a
        # WebSocket handshake, but they can read close code 4401 ("log in again").
        await websocket.accept()
        await websocket.close(code=4401, reason=error.code)
        return
    await websocket.accept()
    bus = websocket.app.state.services.bus
    sub = bus.subscribe(tenant_id=principal.tenant_id, after_seq=after_seq, cluster=True)
    await websocket.send_json({"type": "hello", "last_seq": bus.latest_seq(principal.tenant_id)})

    async def pump() -> None:
        async for record in sub:
            if visible(principal, record):
                await websocket.send_json({"type": "event", "event": record.as_dict()})

    sender = asyncio.create_task(pump())
    try:
        while True:
            message = await websocket.receive_text()  # pings; a closed socket ends the loop
            if message == "ping":
                await websocket.send_json({"type": "pong"})
    except WebSocketDisconnect:
        pass
    finally:
        sub.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await sender
