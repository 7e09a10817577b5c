"""Agents' phones: the device each logged-in agent works at, and how call control reaches it.

An agent's "phone" is a registered SIP extension (`SipPhone`), which offers ring with an
INVITE, or a browser (`BrowserPhone`), whose media is the long-lived endpoint of its WebRTC
session: an offer to it is shown on the desk and answering bridges the customer into that
endpoint at once (docs/webrtc.md). `Devices` keeps the binding (`agent.phone_bound` /
`_unbound`), rings a phone as a new leg of a call, and says which phones are reachable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hotline.calls import Call, CallControl, Cause, Leg, LegFailed, LegRole
from hotline.calls.ports import SipCalls
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.events import EventSink
from hotline.ids import AgentId
from hotline.interactions.errors import PhoneNotConnected
from hotline.interactions.events import AgentPhoneBound, AgentPhoneUnbound
from hotline.interactions.voice.ports import BrowserPhones
from hotline.media.backend import EndpointId
from hotline.sip.trunk import CallerId

__all__ = [
    "AgentPhone",
    "BrowserPhone",
    "Devices",
    "PhoneKind",
    "SipPhone",
    "phone_label",
]


class PhoneKind(StrEnum):
    SIP = "sip"
    BROWSER = "browser"


@dataclass(frozen=True, slots=True)
class SipPhone:
    """A SIP phone registered as `extension` (its address-of-record, ADR 0019)."""

    extension: str

    @property
    def kind(self) -> PhoneKind:
        return PhoneKind.SIP

    @property
    def address(self) -> str:
        return self.extension


@dataclass(frozen=True, slots=True)
class BrowserPhone:
    """A browser phone: the WebRTC session the gateway keeps under `key` (the agent's id, or
    a supervisor's key, `supervisor_key`)."""

    key: str

    @property
    def kind(self) -> PhoneKind:
        return PhoneKind.BROWSER

    @property
    def address(self) -> str:
        return self.key


AgentPhone = SipPhone | BrowserPhone


def phone_label(phone: AgentPhone) -> str:
    """How the phone is named to others (the caller id of a consult): its extension, or the
    browser session's key."""
    return phone.extension if isinstance(phone, SipPhone) else phone.key


class Devices:
    """The phones of one tenant's logged-in agents."""

    def __init__(
        self,
        tenant_id: str,
        calls: CallControl,
        sip: SipCalls,
        clock: Clock,
        sink: EventSink,
        *,
        browsers: BrowserPhones | None,
        aor: Callable[[str], str] | None = None,
    ) -> None:
        self._tenant_id = tenant_id
        # Extension → address-of-record: "1001@east.example.com" for a tenant with its own
        # SIP domain (`RealmMap.aor_of_tenant`, ADR 0141); the bare extension otherwise.
        self.aor: Callable[[str], str] = aor or (lambda extension: extension)
        self._calls = calls
        self._sip = sip
        self._clock = clock
        self._sink = sink
        self.browsers = browsers
        self.phones: dict[AgentId, AgentPhone] = {}
        self.last_reachable: dict[AgentId, bool] = {}
        # The task that rings each browser leg (the desk's answer waits for it to connect).
        self.ring_tasks: dict[str, asyncio.Task[object]] = {}

    def phone_of(self, agent_id: AgentId) -> AgentPhone | None:
        return self.phones.get(agent_id)

    def agent_of_extension(self, extension: str) -> AgentId | None:
        """The agent at an extension, named bare or by its address-of-record."""
        return next(
            (
                a
                for a, p in self.phones.items()
                if isinstance(p, SipPhone) and extension in (p.extension, self.aor(p.extension))
            ),
            None,
        )

    def bind(self, agent_id: AgentId, phone: AgentPhone) -> None:
        """签入 at `phone`: a browser's WebRTC session must be connected already."""
        if isinstance(phone, BrowserPhone) and not self.browser_connected(phone.key):
            raise PhoneNotConnected(
                f"agent {agent_id}'s browser phone is not connected",
                details={"agent_id": agent_id},
            )
        if self.phones.get(agent_id) == phone:
            return
        self.phones[agent_id] = phone
        self.last_reachable[agent_id] = self.reachable(phone)
        self._sink.emit(
            AgentPhoneBound(
                tenant_id=self._tenant_id,
                at=self._clock.now(),
                agent_id=agent_id,
                kind=phone.kind.value,
                address=phone.address,
            )
        )

    def restore(self, agent_id: AgentId, phone: AgentPhone) -> bool:
        """After a restart: the agent is at `phone` again (no event: the log says so)."""
        self.phones[agent_id] = phone
        up = self.reachable(phone)
        self.last_reachable[agent_id] = up
        return up

    def unbind(self, agent_id: AgentId) -> None:
        phone = self.phones.pop(agent_id, None)
        self.last_reachable.pop(agent_id, None)
        if phone is None:
            return
        self._sink.emit(
            AgentPhoneUnbound(
                tenant_id=self._tenant_id,
                at=self._clock.now(),
                agent_id=agent_id,
                kind=phone.kind.value,
                address=phone.address,
            )
        )

    # --- reachability ---------------------------------------------------------------------

    def reachable(self, phone: AgentPhone) -> bool:
        if isinstance(phone, BrowserPhone):
            return self.browser_connected(phone.key)
        return any(b.reachable for b in self._sip.contacts(self.aor(phone.extension)))

    def changes(self) -> list[tuple[AgentId, bool]]:
        """Agents whose phone became reachable or unreachable since the last look."""
        out = []
        for agent_id, phone in list(self.phones.items()):
            now_up = self.reachable(phone)
            if self.last_reachable.get(agent_id, True) != now_up:
                out.append((agent_id, now_up))
            self.last_reachable[agent_id] = now_up
        return out

    def browser_agents(self, key: str) -> list[AgentId]:
        return [
            agent_id
            for agent_id, phone in self.phones.items()
            if isinstance(phone, BrowserPhone) and phone.key == key
        ]

    def browser_connected(self, key: str) -> bool:
        if self.browsers is None:
            return False
        session = self.browsers.session(key)
        return session is not None and str(session.state) == "connected"

    def browser_endpoint(self, phone: BrowserPhone) -> EndpointId:
        """The endpoint of a connected browser session; without one the phone is unreachable
        (`LegFailed(UNAVAILABLE)`, like an unregistered extension)."""
        if self.browsers is None or not self.browser_connected(phone.key):
            raise LegFailed(Cause.UNAVAILABLE)
        try:
            return self.browsers.endpoint(phone.key)
        except HotlineError:
            raise LegFailed(Cause.UNAVAILABLE) from None

    # --- ringing --------------------------------------------------------------------------

    async def ring(
        self,
        call: Call,
        agent_id: AgentId,
        *,
        role: LegRole,
        caller: CallerId,
        timeout: float,
        phone: AgentPhone | None = None,
    ) -> Leg:
        """A new leg of `call` ringing the agent's phone: an INVITE to its extension, or a leg
        on its browser session's endpoint — no signalling: the desk shows the offer and its
        answer button answers it. Raises `LegFailed` (UNAVAILABLE: no phone, no registration,
        no browser session) or `DestinationDenied` as `CallControl.dial`."""
        phone = phone or self.phones.get(agent_id)
        if phone is None:
            raise LegFailed(Cause.UNAVAILABLE)
        if isinstance(phone, SipPhone):
            return await self._calls.dial(
                call,
                self.aor(phone.extension),
                role=role,
                agent_id=agent_id,
                caller_id=caller,
                timeout=timeout,
            )
        leg = await self._calls.attach(
            call,
            self.browser_endpoint(phone),
            role=role,
            agent_id=agent_id,
            target=f"browser:{phone.key}",
            caller_number=caller.number,
            timeout=timeout,
        )
        task = asyncio.current_task()
        if task is not None:
            self.ring_tasks[leg.leg_id] = task
        return leg
