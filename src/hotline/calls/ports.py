"""What call control needs of the SIP service, as protocols.

`hotline.sip.transport.SipService` (and its `IncomingCall`, `OutgoingCall`, `CallSession`)
satisfy these structurally; unit tests pass small fakes instead of a socket-owning service.
Only the members call control uses are listed (docs/sip.md has the full surface).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Protocol

from hotline.sip.address import Address
from hotline.sip.offeranswer import NegotiatedMedia
from hotline.sip.policy import OutboundPermit, OutboundPolicy
from hotline.sip.refer import Replaces
from hotline.sip.registrar import Binding
from hotline.sip.sdp import SessionDescription
from hotline.sip.transport.calls import OfferHandler, Progress, SessionEvent
from hotline.sip.trunk import CallerId, Trunk

__all__ = ["DialogSession", "InboundInvite", "OutboundInvite", "SipCalls"]


class DialogSession(Protocol):
    """A confirmed dialog (`CallSession`)."""

    media: NegotiatedMedia | None
    local_sdp: SessionDescription | None
    offer_handler: OfferHandler | None

    @property
    def call_id(self) -> str: ...

    @property
    def confirmed(self) -> asyncio.Event: ...

    @property
    def ended(self) -> asyncio.Event: ...

    def events(self) -> AsyncIterator[SessionEvent]: ...

    async def hangup(self, *, q850_cause: int | None = 16, text: str | None = None) -> int: ...

    async def reinvite(self, sdp: SessionDescription) -> SessionDescription: ...

    async def hold(self) -> SessionDescription: ...

    async def resume(self) -> SessionDescription: ...

    async def refer(self, target: str, *, replaces: Replaces | None = None) -> int: ...

    async def notify_transfer(self, status: int, reason: str | None = None) -> int: ...

    def snapshot(self) -> dict[str, object] | None:
        """What a restarted node needs to end this dialog with a BYE (JSON values)."""
        ...


class InboundInvite(Protocol):
    """A new INVITE waiting for a decision (`IncomingCall`)."""

    source: Address
    trunk: Trunk | None
    user: str | None
    did: str | None
    caller_id: CallerId
    offer: SessionDescription | None
    replaces: Replaces | None
    cancelled: asyncio.Event

    @property
    def call_id(self) -> str: ...

    @property
    def pending(self) -> bool: ...

    async def ring(self) -> None: ...

    async def progress(self, sdp: SessionDescription) -> None: ...

    async def answer(
        self, sdp: SessionDescription, media: NegotiatedMedia | None = None
    ) -> DialogSession: ...

    async def reject(
        self,
        status: int = 486,
        reason: str | None = None,
        *,
        q850_cause: int | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> None: ...


class OutboundInvite(Protocol):
    """An INVITE we sent (`OutgoingCall`)."""

    @property
    def call_id(self) -> str: ...

    @property
    def done(self) -> bool: ...

    async def wait(self, timeout: float | None = None) -> DialogSession: ...

    async def next_progress(self, timeout: float | None = None) -> Progress: ...

    def cancel(self) -> None: ...


class SipCalls(Protocol):
    """The call-control surface of `SipService`."""

    async def invite(
        self,
        target: str,
        *,
        sdp: SessionDescription,
        caller_id: CallerId | None = None,
        trunk: Trunk | str | None = None,
        transport: str | None = None,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> OutboundInvite: ...

    def contacts(self, aor: str) -> list[Binding]: ...

    def acquire_outbound(
        self, policy: OutboundPolicy, tenant_id: str, role: str, number: str
    ) -> OutboundPermit: ...

    def find_replaced(self, replaces: Replaces) -> DialogSession | None: ...

    async def end_dialog(self, snapshot: Mapping[str, object], *, q850_cause: int = 41) -> int:
        """BYE a dialog a previous run of the process had (from `DialogSession.snapshot`);
        the status of the BYE, or 408 when nobody answered."""
        ...
