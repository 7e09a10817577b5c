"""The agent desktop's API (docs/desk-api.md): `GET /desk` (my state, phone, queues, current
work, wrap-up, today's figures), `WS /desk/stream` (that object whenever an event changed it,
and offers with their screen pop), the screen pop itself, and the commands — log in at a browser
or SIP phone, state, call controls, transfers, click-to-call, after-call work.

Every command goes to the telephony runtime of the caller's tenant (`TenantRuntime`): the desk
changes the agent's state only through the router's service (DESIGN §10); the desk it shows is
the runtime's read model, kept from events. "Me" is the caller's agent profile; a user without
one gets 403 `desk.not_an_agent`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from hotline.api.deps import Uow, principal_from, require, services_of
from hotline.api.desk_object import DeskStatic, desk_object, load_static
from hotline.api.directory import directory
from hotline.api.screenpop import screen_pop
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.bus import Subscription
from hotline.errors import HotlineError
from hotline.events import EventRecord
from hotline.ids import AgentId, InteractionId
from hotline.interactions import (
    AgentNotLoggedIn,
    DeskNotLoggedIn,
    DeskUnavailable,
    NoExtension,
    NotAnAgent,
    TransferTarget,
)
from hotline.interactions.voice import BrowserPhone, SipPhone, TenantRuntime

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = ["router", "runtime_of"]

router = APIRouter(prefix="/api/v1", tags=["desk"])

Agent = Annotated[Principal, Depends(require(Permission.DESK))]
Reader = Annotated[Principal, Depends(require(Permission.INTERACTIONS_READ))]
# Events about no agent and no contact that still change a desk: the phones' own.
_DEVICE_EVENTS = frozenset(
    {"sip.registered", "sip.unregistered", "sip.reachability", "phone.browser_connected",
     "phone.browser_disconnected"}
)  # fmt: skip


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Literal["browser", "sip"]
    ready: bool = False


class StateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["available", "not_ready"]
    reason: str | None = Field(None, min_length=1, max_length=32)


class MuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    muted: bool


class DtmfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digits: str = Field(pattern=r"^[0-9*#A-Da-d]{1,32}$")


class RecordingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paused: bool


_NUMBER = re.compile(r"^\+?[0-9]+$")


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["blind", "consult"]
    target_kind: Literal["agent", "queue", "number"]
    target: str = Field(min_length=1, max_length=64)
    note: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _number(self) -> TransferIn:
        # A number is dialled as it is: the same form as the click-to-call's.
        if self.target_kind == "number" and not (
            2 <= len(self.target) <= 32 and _NUMBER.fullmatch(self.target)
        ):
            raise PydanticCustomError(
                "transfer_number_invalid", "target: not a phone number (digits, + first)"
            )
        return self


class DialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=2, max_length=32, pattern=_NUMBER.pattern)


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(gt=0, le=3600)


def runtime_of(services: Services, tenant_id: str) -> TenantRuntime:
    """The tenant's telephony runtime (503 `desk.unavailable` in a process without one)."""
    telephony = services.telephony
    runtime = telephony.runtime if telephony is not None else None
    if runtime is None:
        raise DeskUnavailable("this server runs no telephony")
    return runtime.tenant(tenant_id)


def me(principal: Principal) -> AgentId:
    if principal.agent_id is None:
        raise NotAnAgent("only agents work at the desk", details={"user_id": principal.user_id})
    return AgentId(principal.agent_id)


@contextlib.contextmanager
def at_desk(agent_id: str) -> Iterator[None]:
    """The runtime's "not logged in" is a 404 of its own; at the desk it is a wrong state."""
    try:
        yield
    except AgentNotLoggedIn:
        raise DeskNotLoggedIn(agent_id) from None


async def _desk(request: Request, principal: Principal) -> dict[str, Any]:
    services = services_of(request)
    agent_id = me(principal)
    runtime = runtime_of(services, principal.tenant_id)
    static = await load_static(services, principal.tenant_id, agent_id)
    return desk_object(services, runtime, static, agent_id)


# --- reading ------------------------------------------------------------------------------


@router.get("/desk", summary="My desk: state, phone, queues, current work, wrap-up, today")
async def get_desk(request: Request, principal: Agent) -> dict[str, Any]:
    return await _desk(request, principal)


@router.get("/desk/screenpop/{interaction_id}", summary="Screen pop of a contact (来电弹屏)")
async def get_screen_pop(
    interaction_id: str, request: Request, principal: Reader
) -> dict[str, Any]:
    services = services_of(request)
    async with services.uow(write=False) as uow:  # reads only: no SQLite write lock
        return await screen_pop(services, uow, principal, InteractionId(interaction_id))


# --- presence -----------------------------------------------------------------------------


@router.post("/desk/login", summary="签入 at my browser phone or my SIP phone")
async def login(body: LoginIn, request: Request, principal: Agent) -> dict[str, Any]:
    services = services_of(request)
    agent_id = me(principal)
    runtime = runtime_of(services, principal.tenant_id)
    if body.phone == "browser":
        runtime.login(agent_id, BrowserPhone(agent_id), ready=body.ready)
    else:
        static = await load_static(services, principal.tenant_id, agent_id)
        if not static.extension:
            raise NoExtension(f"agent {agent_id} has no SIP extension")
        runtime.login(agent_id, SipPhone(static.extension), ready=body.ready)
    return await _desk(request, principal)


@router.post("/desk/state", summary="示闲 / 示忙 (with a reason)")
async def set_state(body: StateIn, request: Request, uow: Uow, principal: Agent) -> dict[str, Any]:
    agent_id = me(principal)
    if body.state == "not_ready" and body.reason is not None:
        await (await directory(request, uow, principal)).check_not_ready_reason(body.reason)
    runtime = runtime_of(services_of(request), principal.tenant_id)
    with at_desk(agent_id):
        if body.state == "available":
            runtime.set_available(agent_id)
        else:
            runtime.set_not_ready(agent_id, body.reason or "break")
    return await _desk(request, principal)


@router.post("/desk/logout", summary="签出 (after the current call)")
async def logout(request: Request, principal: Agent) -> dict[str, Any]:
    agent_id = me(principal)
    runtime_of(services_of(request), principal.tenant_id).logout(agent_id)
    return await _desk(request, principal)


# --- call controls ------------------------------------------------------------------------


async def _command(request: Request, principal: Principal, action: str, **args: Any) -> Any:
    agent_id = me(principal)
    runtime = runtime_of(services_of(request), principal.tenant_id)
    with at_desk(agent_id):
        return await getattr(runtime, action)(agent_id, **args)


@router.post("/desk/answer", summary="接听 (browser phone: bridged at once)")
async def answer(request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "answer")
    return await _desk(request, principal)


@router.post("/desk/hangup", summary="挂断 (a ringing offer is declined)")
async def hangup(request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "hangup")
    return await _desk(request, principal)


@router.post("/desk/hold", summary="保持: the customer hears music")
async def hold(request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "hold")
    return await _desk(request, principal)


@router.post("/desk/resume", summary="恢复")
async def resume(request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "resume")
    return await _desk(request, principal)


@router.post("/desk/mute", summary="静音: the customer stops hearing me")
async def mute(body: MuteIn, request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "mute", muted=body.muted)
    return await _desk(request, principal)


@router.post("/desk/dtmf", summary="Keys to whoever I talk to")
async def dtmf(body: DtmfIn, request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "send_dtmf", digits=body.digits.upper())
    return await _desk(request, principal)


@router.post("/desk/recording", summary="暂停录音 / resume the recording")
async def recording(body: RecordingIn, request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "pause_recording", paused=body.paused)
    return await _desk(request, principal)


@router.post("/desk/transfer", summary="转接: blind, or consult first (with a note)")
async def transfer(body: TransferIn, request: Request, principal: Agent) -> dict[str, Any]:
    target = TransferTarget(body.target_kind, body.target)
    action = "transfer" if body.kind == "blind" else "consult"
    await _command(request, principal, action, target=target, note=body.note)
    return await _desk(request, principal)


@router.post("/desk/consult/complete", summary="Hand the customer to the consulted party")
async def consult_complete(request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "complete_transfer")
    return await _desk(request, principal)


@router.post("/desk/consult/cancel", summary="Back to the customer")
async def consult_cancel(request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "cancel_consult")
    return await _desk(request, principal)


@router.post("/desk/conference", summary="三方通话: customer, me and the consulted party")
async def conference(request: Request, principal: Agent) -> dict[str, Any]:
    await _command(request, principal, "conference")
    return await _desk(request, principal)


@router.post("/desk/dial", summary="Click-to-call: my phone, then the number")
async def dial(body: DialIn, request: Request, principal: Agent) -> dict[str, str]:
    interaction_id = await _command(request, principal, "dial", number=body.number)
    return {"interaction_id": str(interaction_id)}


# --- after-call work ----------------------------------------------------------------------


@router.post("/desk/wrapup/end", summary="End after-call work (the record is final then)")
async def wrap_up_end(request: Request, principal: Agent) -> dict[str, Any]:
    """Refused (409 `desk.disposition.required`) while the queue's required disposition is
    missing: the router holds that rule."""
    agent_id = me(principal)
    runtime = runtime_of(services_of(request), principal.tenant_id)
    with at_desk(agent_id):
        runtime.end_wrap_up(agent_id)
    return await _desk(request, principal)


@router.post("/desk/wrapup/extend", summary="More after-call work time")
async def wrap_up_extend(body: ExtendIn, request: Request, principal: Agent) -> dict[str, Any]:
    agent_id = me(principal)
    runtime_of(services_of(request), principal.tenant_id).extend_wrap_up(agent_id, body.seconds)
    return await _desk(request, principal)


# --- the stream ---------------------------------------------------------------------------


class _DeskStream:
    """One desk page's stream: the desk object when it changed, offers with their pop."""

    def __init__(self, services: Services, principal: Principal, websocket: WebSocket) -> None:
        self.services = services
        self.principal = principal
        self.websocket = websocket
        self.agent_id = me(principal)
        self.static: DeskStatic | None = None
        self.last: dict[str, Any] | None = None
        self.offered: set[str] = set()

    def _watched(self) -> set[str]:
        """Interactions whose events change my desk (my work, my call's contact)."""
        out: set[str] = set()
        current = (self.last or {}).get("current") or {}
        wrap = (self.last or {}).get("wrap_up") or {}
        for value in (current.get("interaction_id"), wrap.get("interaction_id")):
            if value:
                out.add(str(value))
        runtime = runtime_of(self.services, self.principal.tenant_id)
        contact_id = runtime.contact_of(self.agent_id)
        if contact_id is not None:
            out.add(contact_id)
        return out

    async def send_desk(self) -> None:
        if self.static is None:
            self.static = await load_static(self.services, self.principal.tenant_id, self.agent_id)
        runtime = runtime_of(self.services, self.principal.tenant_id)
        desk = desk_object(self.services, runtime, self.static, self.agent_id)
        if desk != self.last:
            self.last = desk
            await self.websocket.send_json({"type": "desk", **desk})
        current = desk.get("current") or {}
        if current.get("phase") == "ringing":
            await self.send_offer(str(current["interaction_id"]))

    async def send_offer(self, interaction_id: str) -> None:
        if interaction_id in self.offered:
            return
        self.offered.add(interaction_id)
        pop: dict[str, Any] | None
        # The desk rings as soon as the command ran; what the pop reads (a consultation's note,
        # the transfer) is in the log once the event log has committed what was queued before
        # (within its 20 ms group-commit window; later events do not hold the offer).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.services.event_log.caught_up(), timeout=1.0)
        try:
            async with self.services.uow(write=False) as uow:
                pop = await screen_pop(
                    self.services, uow, self.principal, InteractionId(interaction_id)
                )
        except HotlineError:
            pop = None  # the page can ask /desk/screenpop itself
        await self.websocket.send_json(
            {"type": "offer", "interaction_id": interaction_id, "screen_pop": pop}
        )

    def relevant(self, record: EventRecord) -> bool:
        """Can this event change my desk? (Then it is sent again if it did change.)"""
        if record.type == "config.changed":
            self.static = None
            return True
        if record.agent_id == self.agent_id or record.type in _DEVICE_EVENTS:
            return True
        if record.interaction_id is not None and record.interaction_id in self._watched():
            return True
        # my queues' figures (service level today) move with their events
        mine = {queue_id for queue_id, _ in self.static.queues} if self.static else set()
        return record.type.startswith("queue.") and record.payload.get("queue_id") in mine

    async def run(self, subscription: Subscription) -> None:
        await self.send_desk()
        while True:
            record = await subscription.get()
            if not self.relevant(record):
                continue
            await self.send_desk()
            # An offer that a SIP phone answered at once never shows as "ringing" on the
            # desk: the router's reservation is what says it rang me.
            if (
                record.type == "agent.state_changed"
                and record.agent_id == self.agent_id
                and record.payload.get("state") == "reserved"
                and record.interaction_id
            ):
                await self.send_offer(record.interaction_id)


@router.websocket("/desk/stream")
async def stream(websocket: WebSocket) -> None:
    try:
        principal = await principal_from(websocket)
    except HotlineError as error:
        await websocket.accept()
        await websocket.close(code=4401, reason=error.code)
        return
    await websocket.accept()
    if not principal.can(Permission.DESK) or principal.agent_id is None:
        await websocket.close(code=4403, reason="desk.not_an_agent")
        return
    services = services_of(websocket)
    if services.telephony is None or services.telephony.runtime is None:
        await websocket.close(code=1013, reason="desk.unavailable")
        return
    desk = _DeskStream(services, principal, websocket)
    subscription = services.bus.subscribe(tenant_id=principal.tenant_id, cluster=True)
    sender = asyncio.create_task(desk.run(subscription))
    receiver = asyncio.create_task(_answer_pings(websocket))
    try:
        await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        failure = sender.exception() if sender.done() and not sender.cancelled() else None
        if failure is not None:
            # An agent the router does not know yet, say: a close code, not a silent page.
            reason = failure.code if isinstance(failure, HotlineError) else "internal"
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(code=1011, reason=reason)
    finally:
        subscription.close()
        for task in (sender, receiver):
            task.cancel()
        await asyncio.gather(sender, receiver, return_exceptions=True)


async def _answer_pings(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            if await websocket.receive_text() == "ping":
                await websocket.send_json({"type": "pong"})
