"""Who hears whom in a call: bridges, conferences, hold, mute and the customer's recording.

All of it is media work through the `MediaBackend`; SIP only enters for hold and resume, which
re-INVITE the held phone with `sendonly` / `sendrecv` (RFC 3264 §8.4) so that it shows the
call as held. A call has at most one bridge or one conference (`Call.bridge`,
`Call.conference`); joining legs in one takes them out of the other.

`Topology` is a mixin of `CallControl` (b2bua.py) and uses its media backend, clock and sink.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hotline.calls.call import Bridge, Call
from hotline.calls.errors import CallConflict
from hotline.calls.events import CallBridged, CallConferenced, CallHeld, CallResumed
from hotline.calls.leg import Leg
from hotline.calls.media_sdp import remote_media
from hotline.calls.states import LegEvent, LegState
from hotline.errors import HotlineError
from hotline.events import DomainEvent
from hotline.media.backend import ConferenceMode, EndpointContext, RecordingInfo
from hotline.media.player import PlayItem

if TYPE_CHECKING:
    from hotline.calls.b2bua import CallObserver, CallSettings
    from hotline.clock import Clock
    from hotline.media.backend import MediaBackend

__all__ = ["Topology"]

log = logging.getLogger(__name__)


class Topology:
    media: MediaBackend
    clock: Clock
    settings: CallSettings
    observer: CallObserver

    def _emit(self, leg: Leg, cls: type[DomainEvent], **fields: Any) -> None:
        raise NotImplementedError

    def _emit_call(self, call: Call, cls: type[DomainEvent], **fields: Any) -> None:
        raise NotImplementedError

    # --- bridges --------------------------------------------------------------------------

    async def bridge(self, a: Leg, b: Leg) -> None:
        """Let `a` and `b` (two answered legs of one call) hear each other; whatever either
        was joined to, playing or hearing before stops."""
        if a.call is not b.call:
            raise CallConflict("only legs of one call can be bridged")
        call = a.call
        for leg in (a, b):
            if not leg.is_live or leg.media is None:
                raise CallConflict(f"leg {leg.leg_id} has ended")
        if call.bridge == Bridge(a.leg_id, b.leg_id) or call.bridge == Bridge(b.leg_id, a.leg_id):
            return
        for leg in (a, b):
            await self.detach(leg)
            await self.silence(leg)
        await self.media.bridge(a.endpoint, b.endpoint)
        call.bridge = Bridge(a.leg_id, b.leg_id)
        self._emit_call(call, CallBridged, call_id=call.call_id, a_leg=a.leg_id, b_leg=b.leg_id)

    async def detach(self, leg: Leg) -> None:
        """Take `leg` out of its bridge or conference (its partner is left alone)."""
        call = leg.call
        if call.bridge is not None and leg.leg_id in call.bridge:
            call.bridge = None
            with contextlib.suppress(HotlineError):
                await self.media.unbridge(leg.endpoint)
        if leg.leg_id in call.conference_modes and call.conference is not None:
            del call.conference_modes[leg.leg_id]
            with contextlib.suppress(HotlineError):
                await self.media.leave_conference(call.conference, leg.endpoint)

    def detach_now(self, leg: Leg) -> None:
        """Forget `leg`'s joins without media work (the endpoint is being released, which
        undoes them in the backend)."""
        call = leg.call
        if call.bridge is not None and leg.leg_id in call.bridge:
            call.bridge = None
        call.conference_modes.pop(leg.leg_id, None)

    async def silence(self, leg: Leg) -> None:
        """Stop prompts and hold music on `leg`."""
        if leg.media is None or not leg.is_live:
            return
        with contextlib.suppress(HotlineError):
            await self.media.stop_playback(leg.endpoint)
            await self.media.stop_moh(leg.endpoint)

    # --- conferences ----------------------------------------------------------------------

    async def conference(self, call: Call, legs: Sequence[Leg]) -> None:
        """Mix `legs` (and whoever is already in the call's conference): all hear each other."""
        if call.conference is None:
            context = EndpointContext(call.tenant_id, call.interaction_id)
            call.conference = await self.media.create_conference(context)
        for leg in legs:
            if leg.call is not call or not leg.is_live:
                raise CallConflict(f"leg {leg.leg_id} is not a live leg of this call")
            if leg.leg_id in call.conference_modes:
                continue
            if call.bridge is not None and leg.leg_id in call.bridge:
                call.bridge = None  # joining unbridges in the backend
            await self.silence(leg)
            await self.media.join_conference(call.conference, leg.endpoint, ConferenceMode.FULL)
            call.conference_modes[leg.leg_id] = ConferenceMode.FULL
        self._emit_call(
            call,
            CallConferenced,
            call_id=call.call_id,
            conference_id=call.conference,
            legs=tuple(call.conference_modes),
        )

    async def join_as(
        self, leg: Leg, mode: ConferenceMode, *, whisper_to: Leg | None = None
    ) -> None:
        """Seat `leg` in its call's conference as `mode` — LISTEN (监听: hears all, heard by
        none), WHISPER (耳语: heard by `whisper_to` only) or BARGE (强插) — or change its mode.
        The supervision seam: whoever is conferenced already keeps hearing the others."""
        call = leg.call
        if not leg.is_live:
            raise CallConflict(f"leg {leg.leg_id} has ended")
        target = None
        if mode is ConferenceMode.WHISPER:
            if whisper_to is None or not call.in_conference(whisper_to):
                raise CallConflict("a whisper needs a party of the conference to whisper to")
            target = whisper_to.endpoint
        if call.conference is None:
            context = EndpointContext(call.tenant_id, call.interaction_id)
            call.conference = await self.media.create_conference(context)
        if leg.leg_id in call.conference_modes:
            await self.media.set_conference_mode(
                call.conference, leg.endpoint, mode, whisper_to=target
            )
        else:
            if call.bridge is not None and leg.leg_id in call.bridge:
                call.bridge = None  # joining unbridges in the backend
            await self.silence(leg)
            await self.media.join_conference(call.conference, leg.endpoint, mode, whisper_to=target)
        call.conference_modes[leg.leg_id] = mode
        self._emit_call(
            call,
            CallConferenced,
            call_id=call.call_id,
            conference_id=call.conference,
            legs=tuple(call.conference_modes),
        )

    async def set_listen_only(self, leg: Leg, listen_only: bool) -> None:
        """Mute (`True`): the leg still hears everyone but nobody hears it. A bridged pair
        becomes a two-party conference for that, since a bridge has no per-side mute."""
        call = leg.call
        if leg.leg_id not in call.conference_modes:
            if not listen_only:
                return
            partner = call.partner(leg)
            if partner is None:
                raise CallConflict(f"leg {leg.leg_id} is not talking to anyone")
            await self.conference(call, [partner, leg])
        assert call.conference is not None
        mode = ConferenceMode.LISTEN if listen_only else ConferenceMode.FULL
        await self.media.set_conference_mode(call.conference, leg.endpoint, mode)
        call.conference_modes[leg.leg_id] = mode

    # --- hold -----------------------------------------------------------------------------

    async def hold(self, leg: Leg, *, by: str, reinvite: bool = True) -> None:
        """Put `leg`'s party on hold: out of its bridge/conference, hold music, and (unless the
        phone itself asked) a `sendonly` re-INVITE."""
        if leg.state is LegState.HELD:
            return
        if leg.state is not LegState.ANSWERED:
            raise CallConflict(f"leg {leg.leg_id} is not answered")
        await self.detach(leg)
        with contextlib.suppress(HotlineError):
            await self.media.stop_playback(leg.endpoint)
        await self.media.start_moh(leg.endpoint, self.settings.moh_source)
        reinvite = reinvite and self.settings.hold_reinvite
        if reinvite and leg.session is not None and not leg.remote_hold:
            try:
                await leg.session.hold()
                leg.reinvited = True
                if leg.session.media is not None:
                    await self.media.apply_remote(leg.endpoint, remote_media(leg.session.media))
            except (HotlineError, TimeoutError) as exc:
                log.warning("hold re-INVITE of leg %s failed: %s", leg.leg_id, exc)
        leg.step(LegEvent.HOLD)
        leg.held_at = self.clock.now()
        self._emit(leg, CallHeld, call_id=leg.call.call_id, held_leg=leg.leg_id, by=by)

    async def resume(self, leg: Leg) -> None:
        """End the hold music (and re-INVITE `sendrecv`); rejoining is the caller's choice."""
        if leg.state is not LegState.HELD:
            raise CallConflict(f"leg {leg.leg_id} is not on hold")
        with contextlib.suppress(HotlineError):
            await self.media.stop_moh(leg.endpoint)
        if leg.session is not None and not leg.remote_hold and leg.reinvited:
            leg.reinvited = False
            try:
                await leg.session.resume()
                if leg.session.media is not None:
                    await self.media.apply_remote(leg.endpoint, remote_media(leg.session.media))
            except (HotlineError, TimeoutError) as exc:
                log.warning("resume re-INVITE of leg %s failed: %s", leg.leg_id, exc)
        held_s = self.clock.now() - (leg.held_at or self.clock.now())
        leg.step(LegEvent.RESUME)
        leg.held_at = None
        self._emit(
            leg, CallResumed, call_id=leg.call.call_id, held_leg=leg.leg_id, held_s=round(held_s, 3)
        )

    # --- recording ------------------------------------------------------------------------

    async def start_recording(self, call: Call, announcement: Sequence[PlayItem] = ()) -> None:
        """Record the customer leg in stereo (customer left, what it hears right); with an
        `announcement` (the consent prompt) played to the customer first."""
        customer = call.customer
        if customer is None or not customer.is_live or call.recording is not None:
            return
        call.recording = await self.media.start_recording(customer.endpoint)
        if announcement:
            await self.media.play(customer.endpoint, announcement)

    async def pause_recording(self, call: Call, paused: bool) -> None:
        if call.recording is None:
            raise CallConflict("the call is not being recorded")
        if paused:
            await self.media.pause_recording(call.recording)
        else:
            await self.media.resume_recording(call.recording)

    async def stop_recording(self, call: Call) -> RecordingInfo | None:
        recording, call.recording = call.recording, None
        if recording is None:
            return None
        try:
            info = await self.media.stop_recording(recording)
        except HotlineError:
            log.exception("recording of call %s could not be closed", call.call_id)
            return None
        try:
            self.observer.recording_stopped(call, info)
        except Exception:
            log.exception("observer failed on a recording of call %s", call.call_id)
        return info
