"""What call control (`hotline.calls`, issue 6) holds: incoming calls, outgoing calls, sessions.

These are asyncio-level handles over the sans-I/O dialog and transactions; the `SipService`
creates them and feeds them. A `CallSession` is one confirmed dialog: call control reads its
`events()` (remote hang-up, DTMF, transfer requests, media changes) and acts through its
coroutines (hang up, re-INVITE for hold/resume, REFER, NOTIFY progress).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from hotline.sip.address import Address
from hotline.sip.construct import make_response, new_tag
from hotline.sip.dialog import Dialog
from hotline.sip.dtmf import DtmfInfo, format_dtmf_relay
from hotline.sip.errors import DialogError, SipError
from hotline.sip.message import Request, Response, reason_phrase
from hotline.sip.offeranswer import NegotiatedMedia, wire_offer, with_direction
from hotline.sip.refer import ReferTarget, Replaces, sipfrag
from hotline.sip.sdp import Direction, SessionDescription
from hotline.sip.server_transaction import ServerInviteTransaction, ServerState
from hotline.sip.trunk import CallerId, Trunk

if TYPE_CHECKING:
    from hotline.sip.transport.service import SipService

__all__ = [
    "CallFailed",
    "CallSession",
    "DtmfReceived",
    "IncomingCall",
    "MediaChanged",
    "OfferHandler",
    "OutgoingCall",
    "Progress",
    "RemoteHangup",
    "SessionEvent",
    "TransferProgress",
    "TransferRequested",
    "reason_header",
]


def reason_header(q850_cause: int | None, text: str | None = None) -> str | None:
    """`Reason: Q.850;cause=16;text="Normal call clearing"` (RFC 3326)."""
    if q850_cause is None:
        return None
    label = f';text="{text}"' if text else ""
    return f"Q.850;cause={q850_cause}{label}"


class CallFailed(SipError):
    """An outgoing call ended without answer: `status` (487 when cancelled, 408 on timeout)."""

    code = "sip.call.failed"

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"call failed: {status} {reason}", details={"status": status})
        self.status = status
        self.reason = reason


# --- session events ---


@dataclass(frozen=True, slots=True)
class RemoteHangup:
    """The other side sent BYE (or the dialog failed: `status` 408/481, `reason` says why)."""

    reason: str | None = None
    status: int | None = None


@dataclass(frozen=True, slots=True)
class DtmfReceived:
    """A digit in an in-dialog INFO (`application/dtmf-relay` or `application/dtmf`)."""

    digit: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class MediaChanged:
    """A re-INVITE changed the media (hold, resume, codec, address); already answered."""

    offer: SessionDescription | None
    answer: SessionDescription
    media: NegotiatedMedia | None


@dataclass(frozen=True, slots=True)
class TransferRequested:
    """The phone sent REFER (blind; attended when `target.replaces` is set). It was answered
    202 and a NOTIFY "100 Trying" sent; report progress with `session.notify_transfer`."""

    target: ReferTarget
    referred_by: str | None


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """A NOTIFY about a REFER we sent: the sipfrag status of the transferee's new call."""

    status: int
    final: bool


SessionEvent = RemoteHangup | DtmfReceived | MediaChanged | TransferRequested | TransferProgress

OfferHandler = Callable[[SessionDescription | None], Awaitable[SessionDescription]]
"""Answers a re-INVITE's offer (None: the re-INVITE had no SDP, return an offer)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """A provisional response to our INVITE; `sdp` for early media (183)."""

    status: int
    reason: str
    sdp: SessionDescription | None


class CallSession:
    """A confirmed dialog with its media descriptions."""

    def __init__(
        self,
        service: SipService,
        dialog: Dialog,
        *,
        local_sdp: SessionDescription | None,
        remote_sdp: SessionDescription | None,
        media: NegotiatedMedia | None,
        flow: Address | None,
    ) -> None:
        self._service = service
        self.dialog = dialog
        self.local_sdp = local_sdp
        self.remote_sdp = remote_sdp
        self.media = media
        self.flow = flow
        self.offer_handler: OfferHandler | None = None
        self._events: asyncio.Queue[SessionEvent] = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.ended = asyncio.Event()
        self.end_reason: str | None = None
        self.reinvite_pending = False
        self.refer_subscription = False

    @property
    def call_id(self) -> str:
        return self.dialog.call_id

    @property
    def id(self) -> tuple[str, str, str]:
        return self.dialog.id

    def snapshot(self) -> dict[str, object] | None:
        """The dialog and where its peer's messages come from, for a BYE after a restart."""
        flow = self.flow
        return {
            "dialog": self.dialog.snapshot(),
            "flow": f"{flow.transport}:{flow.host}:{flow.port}" if flow is not None else None,
        }

    async def events(self) -> AsyncIterator[SessionEvent]:
        """Session events until the session ends (the last one is `RemoteHangup` if remote)."""
        while not (self.ended.is_set() and self._events.empty()):
            get = asyncio.ensure_future(self._events.get())
            ended = asyncio.ensure_future(self.ended.wait())
            done, _ = await asyncio.wait({get, ended}, return_when=asyncio.FIRST_COMPLETED)
            if get in done:
                ended.cancel()
                yield get.result()
            else:
                get.cancel()

    def next_event_nowait(self) -> SessionEvent | None:
        try:
            return self._events.get_nowait()
        except asyncio.QueueEmpty:
            return None

    async def next_event(self, timeout: float | None = None) -> SessionEvent:
        return await asyncio.wait_for(self._events.get(), timeout)

    def _post(self, event: SessionEvent) -> None:
        self._events.put_nowait(event)

    def _end(self, reason: str) -> None:
        if not self.ended.is_set():
            self.dialog.terminate()
            self.end_reason = reason
            self.ended.set()
            self._service._forget_session(self)

    # --- actions ---

    async def hangup(self, *, q850_cause: int | None = 16, text: str | None = None) -> int:
        """Send BYE (with a Q.850 Reason) and end the session; returns the BYE's status."""
        if self.ended.is_set():
            return 481
        extra = []
        reason = reason_header(q850_cause, text)
        if reason is not None:
            extra.append(("Reason", reason))
        request = self.dialog.create_request("BYE", extra=extra)
        self._end("local hangup")
        try:
            response = await self._service.send_in_dialog(self, request)
        except CallFailed as exc:
            return exc.status
        return response.status

    async def reinvite(self, sdp: SessionDescription) -> SessionDescription:
        """Offer new media (hold, resume, codec change); returns the remote answer."""
        if self.reinvite_pending:
            raise DialogError("a re-INVITE is already pending")
        self.reinvite_pending = True
        # Keep SRTP on a session that has it; never send keys on one that has not.
        sdp = wire_offer(sdp, encrypt=self.media is not None and self.media.srtp is not None)
        try:
            request = self.dialog.create_request(
                "INVITE", body=bytes(sdp), content_type="application/sdp"
            )
            response = await self._service.send_in_dialog(self, request)
            if response.status >= 300:
                raise CallFailed(response.status, response.reason)
            self.local_sdp = sdp
            answer = self._service.parse_body_sdp(response)
            if answer is not None:
                self.remote_sdp = answer
                self.media = self._service.negotiate_answer(sdp, answer)
            return answer or sdp
        finally:
            self.reinvite_pending = False

    async def hold(self) -> SessionDescription:
        if self.local_sdp is None:
            raise DialogError("no local session description to hold")
        return await self.reinvite(with_direction(self.local_sdp, Direction.SENDONLY))

    async def resume(self) -> SessionDescription:
        if self.local_sdp is None:
            raise DialogError("no local session description to resume")
        return await self.reinvite(with_direction(self.local_sdp, Direction.SENDRECV))

    async def send_dtmf_info(self, digit: str, duration_ms: int = 160) -> int:
        body = format_dtmf_relay(DtmfInfo(digit, duration_ms))
        request = self.dialog.create_request(
            "INFO", body=body, content_type="application/dtmf-relay"
        )
        return (await self._service.send_in_dialog(self, request)).status

    async def refer(self, target: str, *, replaces: Replaces | None = None) -> int:
        """Ask the other side to call `target` (blind transfer; attended with `replaces`)."""
        refer_to = f"<{target}>"
        if replaces is not None:
            refer_to = f"<{target}?Replaces={quote(str(replaces), safe='')}>"
        extra = [("Refer-To", refer_to), ("Referred-By", str(self.dialog.local))]
        request = self.dialog.create_request("REFER", extra=extra)
        return (await self._service.send_in_dialog(self, request)).status

    async def notify_transfer(self, status: int, reason: str | None = None) -> int:
        """Report a transfer's progress to the phone that sent REFER (final when ≥ 200)."""
        final = status >= 200
        state = "terminated;reason=noresource" if final else "active;expires=60"
        request = self.dialog.create_request(
            "NOTIFY",
            body=sipfrag(status, reason),
            content_type="message/sipfrag;version=2.0",
            extra=[("Event", "refer"), ("Subscription-State", state)],
        )
        if final:
            self.refer_subscription = False
        return (await self._service.send_in_dialog(self, request)).status


class IncomingCall:
    """A new INVITE waiting for call control's decision."""

    def __init__(
        self,
        service: SipService,
        transaction: ServerInviteTransaction,
        source: Address,
        *,
        trunk: Trunk | None,
        user: str | None,
        did: str | None,
        caller_id: CallerId,
        offer: SessionDescription | None,
        replaces: Replaces | None,
    ) -> None:
        self._service = service
        self.transaction = transaction
        self.request: Request = transaction.request
        self.source = source
        self.trunk = trunk
        self.user = user
        self.did = did
        self.caller_id = caller_id
        self.offer = offer
        self.replaces = replaces
        self.to_tag = new_tag()
        self.cancelled = asyncio.Event()
        self.session: CallSession | None = None
        self._early_dialog: Dialog | None = None

    @property
    def call_id(self) -> str:
        return self.request.call_id

    @property
    def pending(self) -> bool:
        return self.transaction.state is ServerState.PROCEEDING and not self.cancelled.is_set()

    def _response(
        self,
        status: int,
        reason: str | None = None,
        *,
        extra: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> Response:
        return make_response(
            self.request,
            status,
            reason,
            to_tag=self.to_tag,
            extra=extra,
            body=body,
            content_type=content_type,
        )

    def _check(self) -> None:
        if not self.pending:
            raise CallFailed(487 if self.cancelled.is_set() else 481, "call no longer pending")

    async def ring(self) -> None:
        """180 Ringing."""
        self._check()
        response = self._response(180, extra=[("Contact", self._service.contact_for(self.source))])
        self._service.respond(self.transaction, response)

    async def progress(self, sdp: SessionDescription) -> None:
        """183 Session Progress with SDP: early media (announcements, ring-back)."""
        self._check()
        sdp = self._service.outgoing_sdp(self, sdp)
        response = self._response(
            183,
            extra=[("Contact", self._service.contact_for(self.source))],
            body=bytes(sdp),
            content_type="application/sdp",
        )
        self._service.respond(self.transaction, response)

    async def answer(
        self, sdp: SessionDescription, media: NegotiatedMedia | None = None
    ) -> CallSession:
        """200 OK with our answer (or offer, if the INVITE had none); the session is
        confirmed when the ACK arrives (`session.confirmed`)."""
        self._check()
        self.session = self._service.answer_call(self, sdp, media)
        return self.session

    async def reject(
        self,
        status: int = 486,
        reason: str | None = None,
        *,
        q850_cause: int | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        """A final error response, e.g. `reject(486)`, `reject(603, q850_cause=21)`."""
        if not self.pending:
            return
        headers = list(extra or [])
        reason_value = reason_header(q850_cause, reason)
        if reason_value is not None:
            headers.append(("Reason", reason_value))
        response = self._response(status, reason or reason_phrase(status), extra=headers)
        self._service.respond(self.transaction, response)


class OutgoingCall:
    """An INVITE we sent. `await call.wait()` gives the `CallSession` or raises `CallFailed`."""

    def __init__(self, request: Request, destination: Address, trunk: Trunk | None) -> None:
        self.request = request
        self.destination = destination
        self.trunk = trunk
        self._progress: asyncio.Queue[Progress] = asyncio.Queue()
        self._result: asyncio.Future[CallSession] = asyncio.get_running_loop().create_future()
        self.cancel_requested = False
        self.cancel_hook: Callable[[], None] | None = None
        self.early_sdp: SessionDescription | None = None

    @property
    def call_id(self) -> str:
        return self.request.call_id

    async def wait(self, timeout: float | None = None) -> CallSession:
        return await asyncio.wait_for(asyncio.shield(self._result), timeout)

    async def next_progress(self, timeout: float | None = None) -> Progress:
        return await asyncio.wait_for(self._progress.get(), timeout)

    def cancel(self) -> None:
        """CANCEL the INVITE (ring timeout, caller hung up); `wait()` then raises 487."""
        if not self.cancel_requested and not self._result.done():
            self.cancel_requested = True
            if self.cancel_hook is not None:
                self.cancel_hook()

    def _progress_event(self, event: Progress) -> None:
        self._progress.put_nowait(event)

    def _succeeded(self, session: CallSession) -> None:
        if not self._result.done():
            self._result.set_result(session)

    def _failed(self, status: int, reason: str) -> None:
        if not self._result.done():
            self._result.set_exception(CallFailed(status, reason))
            self._result.exception()  # retrieved: a caller that never waits is not an error

    @property
    def done(self) -> bool:
        return self._result.done()
