"""The wallboard WebSocket: a snapshot (or the changes since the page's version), then a delta
every second while anything changed. Message shapes: docs/realtime.md."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect

from hotline.api.deps import principal_from, require, services_of
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import HotlineError
from hotline.store.auth_repo import SqlTenants

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["wallboard"])


@router.websocket("/wallboard")
async def wallboard(
    websocket: WebSocket, version: int | None = None, instance: str | None = None
) -> None:
    try:
        principal = await principal_from(websocket)
    except HotlineError as error:
        await websocket.accept()
        await websocket.close(code=4401, reason=error.code)
        return
    await websocket.accept()
    if not principal.can(Permission.EVENTS_READ):
        await websocket.close(code=4403, reason="auth.forbidden")
        return
    services = services_of(websocket)
    async with services.engine.connect() as conn:
        tenant = await SqlTenants(conn).get(principal.tenant_id)
    zone = str(tenant["timezone"]) if tenant else "Asia/Shanghai"
    hub = services.wallboard
    first, queue = await hub.connect(principal.tenant_id, zone, version=version, instance=instance)
    await websocket.send_json(first)

    async def pump() -> None:
        while True:
            message: dict[str, Any] = await queue.get()
            await websocket.send_json(message)

    sender = asyncio.create_task(pump())
    try:
        while True:
            if await websocket.receive_text() == "ping":
                await websocket.send_json({"type": "pong"})
    except WebSocketDisconnect:
        pass
    finally:
        hub.disconnect(principal.tenant_id, queue)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await sender


@router.get(
    "/wallboard/thresholds",
    summary="Each queue's alert thresholds (waiting, longest wait, SL): the TV mode's colours",
)
async def thresholds(
    request: Request, principal: Annotated[Principal, Depends(require(Permission.EVENTS_READ))]
) -> dict[str, Any]:
    return {"queues": services_of(request).wallboard.thresholds(principal.tenant_id)}
