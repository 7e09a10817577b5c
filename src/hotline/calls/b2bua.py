"""`CallControl`: the back-to-back user agent joining SIP dialogs with media endpoints.

Every leg gets its own media endpoint and its own dialog; audio between legs is joined by the
media backend (bridge or conference, `topology.py`), never by passing SDP from one dialog to
the other. That is what lets Hotline play prompts, record, transfer and conference without the
phones' help (RFC 3261 §6 "B2BUA"; offer/answer per RFC 3264 through `media_sdp.py`).

This module creates and ends legs: inbound INVITEs (`receive`, `ring`, `early_media`, `answer`,
`reject`), outbound INVITEs to phones, URIs and trunk numbers (`dial`, `wait_answered`,
`hangup`; legs on a browser phone's endpoint are `attached.py`), and reads each dialog's
events (BYE with its Q.850 `Reason`, INFO digits, re-INVITEs, REFER). What to *do* with a
hang-up or a REFER is not decided here: the `CallObserver` (interactions/) is told. Every
change is an event (`events.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from hotline.calls.attached import AttachedLegs
from hotline.calls.call import Call
from hotline.calls.causes import CAUSES, Cause, cause_from_reason, cause_from_status
from hotline.calls.errors import CallConflict, DestinationDenied, LegFailed, OutboundCapFull
from hotline.calls.events import (
    CallArrived,
    CallEnded,
    CallTransferred,
    LegAnswered,
    LegCreated,
    LegEnded,
    LegRinging,
)
from hotline.calls.leg import Leg
from hotline.calls.media_sdp import answer_for, new_session_id, offer_for, remote_media
from hotline.calls.ports import DialogSession, InboundInvite, OutboundInvite, SipCalls
from hotline.calls.states import CallEvent, CallState, LegDirection, LegEvent, LegRole, LegState
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.events import DomainEvent, EventSink
from hotline.ids import AgentId, CallId, LegId, new_id
from hotline.media.backend import EndpointContext, EndpointId, MediaBackend, RecordingInfo
from hotline.media.dtmf import DtmfDigit
from hotline.sip.errors import OutboundCapReached, OutboundDenied, SdpNegotiationFailed
from hotline.sip.offeranswer import accept_answer
from hotline.sip.policy import OutboundPolicy
from hotline.sip.refer import ReferTarget
from hotline.sip.sdp import SessionDescription
from hotline.sip.transport.calls import (
    CallFailed,
    DtmfReceived,
    MediaChanged,
    RemoteHangup,
    TransferRequested,
)
from hotline.sip.trunk import CallerId
from hotline.tasks import TaskSet

__all__ = ["CallControl", "CallObserver", "CallSettings"]

log = logging.getLogger(__name__)


class CallObserver(Protocol):
    """What call control reports to its owner (interactions/). Called on the event loop; must
    not block (spawn work instead)."""

    def leg_ended(self, leg: Leg) -> None:
        """The leg is over (either side hung up, it failed, or was cancelled)."""

    def transfer_requested(self, leg: Leg, target: ReferTarget, referred_by: str | None) -> None:
        """The phone on `leg` sent REFER (202 and NOTIFY 100 already sent)."""

    def remote_hold(self, leg: Leg, held: bool) -> None:
        """The phone on `leg` put us on hold (True) or took us off hold (False)."""

    def recording_stopped(self, call: Call, info: RecordingInfo) -> None:
        """The customer leg's recording was closed (call end or explicit stop)."""


class _NoObserver:
    def leg_ended(self, leg: Leg) -> None:
        pass

    def transfer_requested(self, leg: Leg, target: ReferTarget, referred_by: str | None) -> None:
        pass

    def remote_hold(self, leg: Leg, held: bool) -> None:
        pass

    def recording_stopped(self, call: Call, info: RecordingInfo) -> None:
        pass


@dataclass(frozen=True, slots=True)
class CallSettings:
    ack_timeout_s: float = 32.0  # 64·T1: how long a 200 OK waits for its ACK
    dial_timeout_s: float = 60.0  # an outbound leg with no timeout of its own gives up then
    moh_source: str = "default"
    bye_timeout_s: float = 5.0  # a BYE that gets no answer does not hold anything up
    hold_reinvite: bool = True  # re-INVITE a held party `sendonly` (else music only)


class CallControl(AttachedLegs):
    def __init__(
        self,
        sip: SipCalls,
        media: MediaBackend,
        *,
        clock: Clock,
        sink: EventSink,
        policy: OutboundPolicy | None = None,
        settings: CallSettings | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self.sip = sip
        self.media = media
        self.clock = clock
        self.sink = sink
        self.policy = policy
        self.settings = settings or CallSettings()
        self.observer: CallObserver = observer or _NoObserver()
        self.calls: dict[CallId, Call] = {}
        self.legs: dict[LegId, Leg] = {}
        self._by_endpoint: dict[EndpointId, Leg] = {}
        self._pending_cause: dict[LegId, Cause] = {}
        self.tasks = TaskSet("calls")

    # --- calls and legs -------------------------------------------------------------------

    def new_call(
        self, *, tenant_id: str, interaction_id: str | None, sip_call_id: str | None = None
    ) -> Call:
        now = self.clock.now()
        call = Call(
            CallId(new_id(now)),
            tenant_id=tenant_id,
            interaction_id=interaction_id,
            started_at=now,
            sip_call_id=sip_call_id,
        )
        self.calls[call.call_id] = call
        return call

    def _new_leg(
        self,
        call: Call,
        role: LegRole,
        direction: LegDirection,
        *,
        target: str | None = None,
        agent_id: AgentId | None = None,
        caller_number: str | None = None,
    ) -> Leg:
        now = self.clock.now()
        leg = Leg(
            LegId(new_id(now)),
            call,
            role=role,
            direction=direction,
            created_at=now,
            target=target,
            agent_id=agent_id,
        )
        leg.session_id = new_session_id()
        call.legs[leg.leg_id] = leg
        self.legs[leg.leg_id] = leg
        self._emit(
            leg,
            LegCreated,
            call_id=call.call_id,
            role=role.value,
            direction=direction.value,
            target=target,
            caller_number=caller_number,
        )
        return leg

    def move_leg(self, leg: Leg, to: Call) -> None:
        """Make `leg` part of another call (an attended transfer joins two calls)."""
        if leg.call is to:
            return
        self.detach_now(leg)
        del leg.call.legs[leg.leg_id]
        leg.call = to
        to.legs[leg.leg_id] = leg

    async def _endpoint(self, leg: Leg) -> None:
        call = leg.call
        context = EndpointContext(call.tenant_id, call.interaction_id, leg.leg_id, leg.agent_id)
        leg.media = await self.media.create_endpoint(context, on_dtmf=self._on_media_dtmf)
        self._by_endpoint[leg.media.endpoint_id] = leg

    def _on_media_dtmf(self, endpoint: EndpointId, digit: DtmfDigit) -> None:
        leg = self._by_endpoint.get(endpoint)
        if leg is not None:
            leg.on_dtmf(digit.digit)

    def leg_of_session(self, session: DialogSession) -> Leg | None:
        return next((leg for leg in self.legs.values() if leg.session is session), None)

    # --- inbound --------------------------------------------------------------------------

    async def receive(
        self, invite: InboundInvite, *, tenant_id: str, interaction_id: str | None
    ) -> Leg:
        """Take an INVITE: a new call with its customer leg and media endpoint (not answered).

        Raises `LegFailed(CONGESTION)` (and rejects 503) when no media endpoint is free."""
        call = self.new_call(
            tenant_id=tenant_id, interaction_id=interaction_id, sip_call_id=invite.call_id
        )
        caller = invite.caller_id
        self._emit_call(
            call,
            CallArrived,
            call_id=call.call_id,
            caller_number=caller.number,
            caller_name=caller.display,
            did=invite.did,
            trunk=invite.trunk.name if invite.trunk else None,
            sip_call_id=invite.call_id,
            source=f"{invite.source.transport}:{invite.source.host}:{invite.source.port}",
        )
        leg = self._new_leg(
            call, LegRole.CUSTOMER, LegDirection.INBOUND, caller_number=caller.number
        )
        leg.invite = invite
        try:
            await self._endpoint(leg)
        except HotlineError:
            log.exception("no media endpoint for call %s", call.call_id)
            await self.reject(leg, Cause.CONGESTION)
            raise LegFailed(Cause.CONGESTION) from None
        self.tasks.spawn(self._watch_cancel(leg), name=f"cancel-{leg.leg_id}")
        return leg

    async def refuse(self, invite: InboundInvite, cause: Cause) -> None:
        """Reject an INVITE call control will not take (unknown DID, draining)."""
        info = CAUSES[cause]
        await invite.reject(info.status, q850_cause=info.q850)

    async def _watch_cancel(self, leg: Leg) -> None:
        invite = leg.invite
        assert invite is not None
        waits = [
            asyncio.ensure_future(e.wait()) for e in (invite.cancelled, leg.answered, leg.ended)
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
        if invite.cancelled.is_set() and leg.state not in (LegState.ANSWERED, LegState.HELD):
            await self._finish(leg, Cause.CANCELLED, by="remote", status=487)

    async def ring(self, leg: Leg) -> None:
        """180 Ringing to the caller."""
        invite = self._inbound(leg)
        with contextlib.suppress(CallFailed):
            await invite.ring()
            leg.step(LegEvent.RING)
            self._emit(
                leg, LegRinging, call_id=leg.call.call_id, role=leg.role.value, early_media=False
            )

    async def early_media(self, leg: Leg) -> None:
        """183 Session Progress with our answer: prompts play before the call is answered."""
        invite = self._inbound(leg)
        if leg.state is LegState.EARLY:
            return
        sdp = await self._local_answer(leg, invite)
        await invite.progress(sdp)
        leg.step(LegEvent.EARLY_MEDIA)
        self._emit(leg, LegRinging, call_id=leg.call.call_id, role=leg.role.value, early_media=True)

    async def answer(self, leg: Leg) -> None:
        """200 OK with our answer, then wait for the ACK. Raises `LegFailed` if the caller has
        gone (CANCEL), the offer has no usable codec (488) or no ACK comes."""
        if leg.is_up:
            return
        invite = self._inbound(leg)
        if not invite.pending or not leg.is_live:
            raise LegFailed(leg.cause or Cause.CANCELLED)
        sdp = await self._local_answer(leg, invite)
        try:
            session = await invite.answer(sdp)
        except CallFailed as exc:
            await self._finish(leg, Cause.CANCELLED, by="remote", status=exc.status)
            raise LegFailed(Cause.CANCELLED, status=exc.status) from None
        leg.session = session
        try:
            await asyncio.wait_for(session.confirmed.wait(), self.settings.ack_timeout_s)
        except TimeoutError:
            await self._finish(leg, Cause.TIMEOUT, by="remote")
            raise LegFailed(Cause.TIMEOUT) from None
        if invite.offer is None and session.media is not None:  # late offer: answer was in ACK
            await self.media.apply_remote(leg.endpoint, remote_media(session.media))
        if not leg.is_live:  # hung up while we waited for the ACK
            raise LegFailed(leg.cause or Cause.NORMAL)
        self._answered(leg, session)

    async def _local_answer(self, leg: Leg, invite: InboundInvite) -> SessionDescription:
        """Our SDP for this INVITE (the same for 183 and 200), applying the remote side."""
        assert leg.media is not None
        if invite.offer is None:
            return offer_for(leg.media, session_id=leg.session_id)
        try:
            sdp, negotiated = answer_for(invite.offer, leg.media, session_id=leg.session_id)
        except SdpNegotiationFailed:
            await self.reject(leg, Cause.MEDIA_FAILED)
            raise LegFailed(Cause.MEDIA_FAILED, status=488) from None
        await self.media.apply_remote(leg.endpoint, remote_media(negotiated))
        return sdp

    async def reject(self, leg: Leg, cause: Cause) -> None:
        """Refuse an inbound leg that was not answered (status and Q.850 from `cause`)."""
        invite = self._inbound(leg)
        info = CAUSES[cause]
        if invite.pending:
            await invite.reject(info.status, q850_cause=info.q850)
        await self._finish(leg, cause, by="local", status=info.status)

    def _inbound(self, leg: Leg) -> InboundInvite:
        if leg.invite is None:
            raise CallConflict(f"leg {leg.leg_id} is not an inbound call")
        return leg.invite

    # --- outbound -------------------------------------------------------------------------

    async def dial(
        self,
        call: Call,
        target: str,
        *,
        role: LegRole,
        agent_id: AgentId | None = None,
        caller_id: CallerId | None = None,
        trunk: str | None = None,
        policy_role: str = "agent",
        timeout: float | None = None,
    ) -> Leg:
        """INVITE `target` — an extension of a registered phone ("1001"), a SIP URI, or a number
        out of `trunk` (checked against the tenant's `OutboundPolicy` first) — as a new leg of
        `call`. Returns once the INVITE is sent; `wait_answered(leg)` for the outcome. Raises
        `DestinationDenied` or `LegFailed` (e.g. UNAVAILABLE: not registered) at once."""
        leg = self._new_leg(
            call,
            role,
            LegDirection.OUTBOUND,
            target=target,
            agent_id=agent_id,
            caller_number=caller_id.number if caller_id else None,
        )
        if trunk is not None and self.policy is not None:
            try:
                leg.permit = self.sip.acquire_outbound(
                    self.policy, call.tenant_id, policy_role, target
                )
            except (OutboundDenied, OutboundCapReached) as exc:
                denied = isinstance(exc, OutboundDenied)
                await self._finish(leg, Cause.DENIED if denied else Cause.CONGESTION, by="local")
                if denied:
                    raise DestinationDenied(target, exc.message) from None
                raise OutboundCapFull(target, exc.message) from None
        try:
            await self._endpoint(leg)
        except HotlineError:
            await self._finish(leg, Cause.CONGESTION, by="local")
            raise LegFailed(Cause.CONGESTION) from None
        assert leg.media is not None
        offer = offer_for(leg.media, session_id=leg.session_id)
        try:
            outgoing = await self.sip.invite(target, sdp=offer, caller_id=caller_id, trunk=trunk)
        except CallFailed as exc:
            cause = cause_from_status(exc.status)
            await self._finish(leg, cause, by="remote", status=exc.status)
            raise LegFailed(cause, status=exc.status, reason=exc.reason) from None
        leg.outgoing = outgoing
        self.tasks.spawn(
            self._run_outgoing(leg, outgoing, offer, timeout or self.settings.dial_timeout_s),
            name=f"dial-{leg.leg_id}",
        )
        return leg

    async def _run_outgoing(
        self, leg: Leg, outgoing: OutboundInvite, offer: SessionDescription, timeout: float
    ) -> None:
        progress = self.tasks.spawn(self._progress(leg, outgoing, offer))
        try:
            session = await outgoing.wait(timeout)
        except CallFailed as exc:
            cause = self._pending_cause.pop(leg.leg_id, None) or cause_from_status(exc.status)
            await self._finish(leg, cause, by="remote", status=exc.status)
            return
        except TimeoutError:
            outgoing.cancel()
            await self._finish(leg, Cause.NO_ANSWER, by="local")
            return
        finally:
            progress.cancel()
        if not leg.is_live:  # we gave up while the 200 was on its way
            with contextlib.suppress(HotlineError, TimeoutError):
                await asyncio.wait_for(session.hangup(), self.settings.bye_timeout_s)
            return
        leg.session = session
        if session.media is not None:
            await self.media.apply_remote(leg.endpoint, remote_media(session.media))
        self._answered(leg, session)

    async def _progress(
        self, leg: Leg, outgoing: OutboundInvite, offer: SessionDescription
    ) -> None:
        ringing = (LegState.CREATED, LegState.RINGING, LegState.EARLY)
        while leg.state in ringing:
            progress = await outgoing.next_progress()
            early = progress.status == 183 and progress.sdp is not None
            if early and progress.sdp is not None:
                try:
                    negotiated = accept_answer(offer, progress.sdp)
                    await self.media.apply_remote(leg.endpoint, remote_media(negotiated))
                except (SdpNegotiationFailed, HotlineError):
                    continue
            elif progress.status not in (180, 181, 182):
                continue
            if leg.state not in ringing:  # answered or ended while we looked at the response
                return
            first = leg.state is LegState.CREATED or (early and leg.state is LegState.RINGING)
            leg.step(LegEvent.EARLY_MEDIA if early else LegEvent.RING)
            if first:
                self._emit(
                    leg,
                    LegRinging,
                    call_id=leg.call.call_id,
                    role=leg.role.value,
                    early_media=early,
                )

    async def wait_answered(self, leg: Leg, timeout: float | None = None) -> None:
        """Until the leg is answered; raises `LegFailed` with its cause if it ended first."""
        if not leg.is_up:
            waits = [
                asyncio.ensure_future(leg.answered.wait()),
                asyncio.ensure_future(leg.ended.wait()),
            ]
            try:
                await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waits:
                    w.cancel()
        if leg.is_up:
            return
        if leg.is_live:
            raise LegFailed(Cause.NO_ANSWER)
        raise LegFailed(leg.cause or Cause.FAILED, status=leg.status)

    def _answered(self, leg: Leg, session: DialogSession) -> None:
        now = self.clock.now()
        leg.step(LegEvent.ANSWER)
        leg.answered_at = now
        leg.answered.set()
        call = leg.call
        if call.state is CallState.SETUP:
            call.answered_at = now
        call.step(CallEvent.ANSWER)
        codec = session.media.codec.name if session.media else None
        self._emit(
            leg,
            LegAnswered,
            call_id=call.call_id,
            role=leg.role.value,
            codec=codec,
            ring_s=round(now - leg.created_at, 3),
            dialog=session.snapshot(),
        )
        self.tasks.spawn(self._pump(leg, session), name=f"session-{leg.leg_id}")

    # --- the dialog's events --------------------------------------------------------------

    async def _pump(self, leg: Leg, session: DialogSession) -> None:
        async for event in session.events():
            if isinstance(event, RemoteHangup):
                if event.status is not None:
                    cause = Cause.TIMEOUT if event.status == 408 else Cause.FAILED
                else:
                    cause = cause_from_reason(event.reason)
                await self._finish(leg, cause, by="remote")
            elif isinstance(event, DtmfReceived):
                leg.on_dtmf(event.digit)
            elif isinstance(event, MediaChanged):
                await self._media_changed(leg, event)
            elif isinstance(event, TransferRequested):
                self.observer.transfer_requested(leg, event.target, event.referred_by)
        if leg.is_live:  # the dialog ended without a BYE we saw (481/408 on a request)
            await self._finish(leg, Cause.FAILED, by="remote")

    async def _media_changed(self, leg: Leg, event: MediaChanged) -> None:
        if event.media is None or not leg.is_live:
            return
        with contextlib.suppress(HotlineError):
            await self.media.apply_remote(leg.endpoint, remote_media(event.media))
        held = event.media.on_hold
        if held != leg.remote_hold:
            leg.remote_hold = held
            self.observer.remote_hold(leg, held)

    # --- ending ---------------------------------------------------------------------------

    async def hangup(self, leg: Leg, cause: Cause = Cause.NORMAL) -> None:
        """End a leg from our side: BYE (answered, with a Q.850 Reason), CANCEL (ringing out)
        or a final error response (ringing in)."""
        if not leg.is_live:
            return
        info = CAUSES[cause]
        if leg.session is not None:
            session = leg.session
            await self._finish(leg, cause, by="local")
            with contextlib.suppress(HotlineError, TimeoutError):
                await asyncio.wait_for(
                    session.hangup(q850_cause=info.q850, text=info.text),
                    self.settings.bye_timeout_s,
                )
        elif leg.outgoing is not None:
            self._pending_cause[leg.leg_id] = cause
            leg.outgoing.cancel()
            await self._finish(leg, cause, by="local")
        elif leg.invite is not None:
            await self.reject(leg, cause)
        else:
            await self._finish(leg, cause, by="local")

    async def end_call(self, call: Call, cause: Cause = Cause.NORMAL) -> None:
        """Hang up every live leg (the call ends with the last one)."""
        for leg in call.live_legs():
            await self.hangup(leg, cause)
        if call.state is not CallState.ENDED:
            await self._end_call(call, cause)

    async def _finish(self, leg: Leg, cause: Cause, *, by: str, status: int | None = None) -> None:
        """The one place a leg ends: media released, permit returned, events, observer."""
        if not leg.is_live:
            return
        now = self.clock.now()
        answered = leg.answered_at is not None
        leg.step(LegEvent.END)
        leg.cause, leg.status, leg.ended_at = cause, status, now
        self._pending_cause.pop(leg.leg_id, None)
        if leg.permit is not None:
            leg.permit.release()
        call = leg.call
        if call.recording is not None and leg.role is LegRole.CUSTOMER:
            await self.stop_recording(call)
        if leg.borrowed:
            await self.give_back(leg)  # the endpoint outlives the leg (attached.py)
        else:
            self.detach_now(leg)
        if leg.media is not None and not leg.borrowed:
            self._by_endpoint.pop(leg.media.endpoint_id, None)
            with contextlib.suppress(HotlineError):
                await self.media.release(leg.media.endpoint_id)
        leg.ended.set()
        self.legs.pop(leg.leg_id, None)
        info = CAUSES[cause]
        self._emit(
            leg,
            LegEnded,
            call_id=call.call_id,
            role=leg.role.value,
            cause=cause.value,
            q850=info.q850,
            sip_status=status,
            by=by,
            answered=answered,
            duration_s=round(now - leg.created_at, 3),
            talk_s=round(now - leg.answered_at, 3) if leg.answered_at else 0.0,
        )
        try:
            self.observer.leg_ended(leg)
        except Exception:
            log.exception("observer failed on the end of leg %s", leg.leg_id)
        if not call.live_legs() and call.state is not CallState.ENDED:
            await self._end_call(call, cause)

    async def _end_call(self, call: Call, cause: Cause) -> None:
        customer = call.customer
        if customer is not None and customer.cause is not None:
            cause = customer.cause
        if call.conference is not None:
            with contextlib.suppress(HotlineError):
                await self.media.destroy_conference(call.conference)
            call.conference = None
        now = self.clock.now()
        call.step(CallEvent.END)
        call.ended_at = now
        self.calls.pop(call.call_id, None)
        info = CAUSES[cause]
        self._emit_call(
            call,
            CallEnded,
            call_id=call.call_id,
            cause=cause.value,
            q850=info.q850,
            duration_s=round(now - call.started_at, 3),
            answered=call.answered_at is not None,
        )

    def note_transfer(
        self, call: Call, *, kind: str, from_leg: Leg | None, to_leg: Leg | None, target: str
    ) -> None:
        """Record that the customer's side moved (`call.transferred`); the media work is the
        caller's (bridge, hang up)."""
        self._emit_call(
            call,
            CallTransferred,
            call_id=call.call_id,
            kind=kind,
            from_leg=from_leg.leg_id if from_leg else None,
            to_leg=to_leg.leg_id if to_leg else None,
            target=target,
        )

    # --- events ---------------------------------------------------------------------------

    def _emit(self, leg: Leg, cls: type[DomainEvent], **fields: Any) -> None:
        call = leg.call
        self.sink.emit(
            cls(
                tenant_id=call.tenant_id,
                at=self.clock.now(),
                interaction_id=call.interaction_id,
                leg_id=leg.leg_id,
                agent_id=leg.agent_id,
                **fields,
            )
        )

    def _emit_call(self, call: Call, cls: type[DomainEvent], **fields: Any) -> None:
        self.sink.emit(
            cls(
                tenant_id=call.tenant_id,
                at=self.clock.now(),
                interaction_id=call.interaction_id,
                **fields,
            )
        )

    async def close(self) -> None:
        """Stop the background tasks (the service is shutting down)."""
        await self.tasks.cancel_all()
