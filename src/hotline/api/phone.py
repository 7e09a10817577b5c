"""The browser phone's signalling WebSocket, `/api/v1/phone` (docs/webrtc.md).

The agent's page opens it at login, authenticated by the session cookie like `/api/v1/events`,
and sends its SDP offer with ICE already complete (no trickle); the gateway answers. Keys typed
on the page's keypad and the page's `bye` travel here too; the server pushes the session's
state. The session lives as long as this socket: when it closes, the agent's phone is closed
(unless another socket has taken the session over since).

Page → server: `{"type": "offer", "sdp": …}`, `{"type": "dtmf", "digit": "5"[, "duration_ms"]}`,
`{"type": "bye"}`, `{"type": "ping"}` (or the text `ping`).
Server → page: `{"type": "answer", "sdp": …}`, `{"type": "state", "state": "connected"}`,
`{"type": "state", "state": "closed", "reason": "failed" | "closed" | "shutdown"}`,
`{"type": "replaced"}` (then close 4409), `{"type": "bye"}` (then close 1000), `{"type": "pong"}`,
`{"type": "error", "code": …, "message": …, "details": {…}}`.
Close codes: 4401 log in again, 4403 neither an agent nor a supervisor, 4409 replaced by another
page, 1013 no phone service on this server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from hotline.api.deps import principal_from, services_of
from hotline.auth.roles import Role
from hotline.errors import HotlineError, InvalidInput
from hotline.interactions.voice import supervisor_key
from hotline.media.webrtc import WebRtcGateway

__all__ = [
    "CLOSE_FORBIDDEN",
    "CLOSE_REPLACED",
    "CLOSE_UNAUTHENTICATED",
    "CLOSE_UNAVAILABLE",
    "gateway_of",
    "router",
]

router = APIRouter(prefix="/api/v1", tags=["phone"])

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_REPLACED = 4409
CLOSE_UNAVAILABLE = 1013  # "try again later" (RFC 6455 §7.4.1 registry)


def gateway_of(websocket: WebSocket) -> WebRtcGateway | None:
    """The process's gateway (`services.telephony.webrtc`, or `services.webrtc`), or None when
    this server runs no browser phones."""
    services = services_of(websocket)
    for holder in (getattr(services, "telephony", None), services):
        gateway = getattr(holder, "webrtc", None)
        if isinstance(gateway, WebRtcGateway):
            return gateway
    return None


class _Connection:
    """One signalling socket: at most one session (one agent), possibly re-offered."""

    def __init__(self, gateway: WebRtcGateway, agent_id: str, tenant_id: str) -> None:
        self.gateway = gateway
        self.agent_id = agent_id
        self.tenant_id = tenant_id
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.offers = 0  # offers made on this socket; only the latest one's states count
        self.generation: int | None = None  # the session generation this socket opened
        self.closing = False  # we end the session ourselves: the page knows, say nothing

    def _listener(self, offer: int) -> Any:
        def on_state(state: str) -> None:
            if offer != self.offers or self.closing:
                return  # an earlier offer of this same socket (replaced by a later one)
            if state == "connected":
                self.outbox.put_nowait({"type": "state", "state": "connected"})
            elif state == "replaced":
                self.generation = None
                self.outbox.put_nowait({"type": "replaced"})
            else:
                self.generation = None
                self.outbox.put_nowait({"type": "state", "state": "closed", "reason": state})

        return on_state

    async def handle(self, message: dict[str, Any]) -> bool:
        """Act on one message; False when the page said bye."""
        kind = message.get("type")
        if kind == "offer":
            sdp = message.get("sdp")
            if not isinstance(sdp, str):
                raise InvalidInput("an offer needs its SDP text", details={"field": "sdp"})
            self.offers += 1
            answer = await self.gateway.open(
                self.agent_id, self.tenant_id, sdp, on_state=self._listener(self.offers)
            )
            session = self.gateway.session(self.agent_id)
            self.generation = None if session is None else session.generation
            self.outbox.put_nowait({"type": "answer", "sdp": answer})
        elif kind == "dtmf":
            duration = message.get("duration_ms", 100)
            if not isinstance(duration, int) or isinstance(duration, bool):
                raise InvalidInput(
                    "duration_ms is a whole number", details={"field": "duration_ms"}
                )
            digit = message.get("digit")
            self.gateway.dtmf(
                self.agent_id, digit if isinstance(digit, str) else "", duration_ms=duration
            )
        elif kind == "bye":
            await self.close()
            self.outbox.put_nowait({"type": "bye"})
            return False
        elif kind == "ping":
            self.outbox.put_nowait({"type": "pong"})
        else:
            raise InvalidInput(
                f"unknown phone message type {kind!r}",
                code="phone.message.unknown",
                details={"field": "type"},
            )
        return True

    async def close(self) -> None:
        """Bye: the page ends its phone (logout)."""
        self.closing = True
        generation, self.generation = self.generation, None
        if generation is not None:
            await self.gateway.close(self.agent_id, generation=generation)

    async def detach(self) -> None:
        """The socket went away without bye (a reload, a network loss): the session waits for
        the page to come back, within the gateway's grace (ADR 0121)."""
        generation, self.generation = self.generation, None
        if generation is not None and not self.closing:
            await self.gateway.detach(self.agent_id, generation=generation)


@router.websocket("/phone")
async def phone(websocket: WebSocket) -> None:
    try:
        principal = await principal_from(websocket)
    except HotlineError as error:
        await websocket.accept()  # browsers can read a close code, not a handshake's 403
        await websocket.close(code=CLOSE_UNAUTHENTICATED, reason=error.code)
        return
    await websocket.accept()
    # Agents' sessions are keyed by their agent id; a supervisor without an agent profile gets
    # a session of its own to listen, whisper and barge from (docs/desk-api.md). The role, not
    # the permission: an admin's page is no phone unless the admin is a supervisor too.
    key = principal.agent_id
    if key is None and Role.SUPERVISOR in principal.roles:
        key = supervisor_key(principal.user_id)
    if key is None:
        await websocket.close(code=CLOSE_FORBIDDEN, reason="phone.not_an_agent")
        return
    gateway = gateway_of(websocket)
    if gateway is None:
        await websocket.close(code=CLOSE_UNAVAILABLE, reason="phone.unavailable")
        return
    connection = _Connection(gateway, key, principal.tenant_id)

    async def pump() -> None:
        while True:
            message = await connection.outbox.get()
            await websocket.send_json(message)
            if message["type"] == "replaced":
                await websocket.close(code=CLOSE_REPLACED, reason="phone.replaced")
                return
            if message["type"] == "bye":
                await websocket.close(code=1000)
                return

    sender = asyncio.create_task(pump())
    try:
        while not sender.done():
            text = await websocket.receive_text()
            if text == "ping":
                connection.outbox.put_nowait({"type": "pong"})
                continue
            try:
                message = json.loads(text)
                if not isinstance(message, dict):
                    raise ValueError("not an object")
                if not await connection.handle(message):
                    break
            except ValueError:
                connection.outbox.put_nowait(_error(InvalidInput(
                    "a phone message is one JSON object", code="phone.message.malformed"
                )))  # fmt: skip
            except HotlineError as error:
                connection.outbox.put_nowait(_error(error))
        with contextlib.suppress(
            asyncio.CancelledError, TimeoutError, WebSocketDisconnect, RuntimeError
        ):
            await asyncio.wait_for(sender, timeout=5)  # the last message, then the close
    except WebSocketDisconnect:
        pass
    finally:
        await connection.detach()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await sender


def _error(error: HotlineError) -> dict[str, Any]:
    return {"type": "error", "code": error.code, "message": error.message, "details": error.details}
