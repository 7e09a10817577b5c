"""Legs on a borrowed media endpoint: a party whose audio already reaches the media backend
without a SIP dialog — a browser phone's persistent WebRTC session (docs/webrtc.md) — joins a
call like any phone would.

`attach()` makes a ringing leg on that endpoint (no INVITE: whoever owns the endpoint tells
its user, e.g. the agent desktop); `answer_attached()` answers it at once; `hangup()` ends it as
it ends any leg. The endpoint is never released with the leg: ending it only undoes what this
call did to it (bridge, conference seat, prompts, music), so the next call finds it clean.

`AttachedLegs` is a base of `CallControl` (b2bua.py), on top of `Topology`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from hotline.calls.causes import Cause
from hotline.calls.errors import CallConflict
from hotline.calls.events import LegAnswered, LegRinging
from hotline.calls.leg import Leg
from hotline.calls.states import CallEvent, CallState, LegDirection, LegEvent, LegRole
from hotline.calls.topology import Topology
from hotline.errors import HotlineError
from hotline.ids import AgentId
from hotline.media.backend import EndpointId, LocalMedia

if TYPE_CHECKING:
    from hotline.calls.call import Call
    from hotline.tasks import TaskSet

__all__ = ["AttachedLegs"]


class AttachedLegs(Topology):
    tasks: TaskSet

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
        raise NotImplementedError

    async def _finish(self, leg: Leg, cause: Cause, *, by: str, status: int | None = None) -> None:
        raise NotImplementedError

    async def attach(
        self,
        call: Call,
        endpoint: EndpointId,
        *,
        role: LegRole,
        agent_id: AgentId | None = None,
        target: str | None = None,
        caller_number: str | None = None,
        timeout: float | None = None,
    ) -> Leg:
        """A new ringing leg of `call` on `endpoint`, which someone else owns. It rings until
        `answer_attached(leg)`, `hangup(leg)` or `timeout` seconds (then it ends NO_ANSWER, as an
        unanswered INVITE would); `wait_answered(leg)` works as for a dialled leg."""
        leg = self._new_leg(
            call,
            role,
            LegDirection.OUTBOUND,
            target=target,
            agent_id=agent_id,
            caller_number=caller_number,
        )
        leg.borrowed = True
        # No SDP of our own to describe: the owner negotiated the media (WebRTC).
        leg.media = LocalMedia(endpoint, "", 0, 0, (), 0)
        leg.step(LegEvent.RING)
        self._emit(leg, LegRinging, call_id=call.call_id, role=role.value, early_media=False)
        if timeout is not None:
            self.tasks.spawn(self._ring_out(leg, timeout), name=f"attached-{leg.leg_id}")
        return leg

    async def _ring_out(self, leg: Leg, timeout: float) -> None:
        waits = [asyncio.ensure_future(e.wait()) for e in (leg.answered, leg.ended)]
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if leg.is_live and not leg.is_up:
            await self._finish(leg, Cause.NO_ANSWER, by="local")

    async def answer_attached(self, leg: Leg) -> None:
        """The party answered (the agent clicked "answer"): audio can flow at once, the media
        path being up already."""
        if not leg.borrowed:
            raise CallConflict(f"leg {leg.leg_id} is not on a borrowed endpoint")
        if leg.is_up:
            return
        if not leg.is_live:
            raise CallConflict(f"leg {leg.leg_id} has ended")
        now = self.clock.now()
        leg.step(LegEvent.ANSWER)
        leg.answered_at = now
        leg.answered.set()
        call = leg.call
        if call.state is CallState.SETUP:
            call.answered_at = now
        call.step(CallEvent.ANSWER)
        self._emit(
            leg,
            LegAnswered,
            call_id=call.call_id,
            role=leg.role.value,
            codec="PCMU",  # browser phones are negotiated to PCMU (docs/webrtc.md)
            ring_s=round(now - leg.created_at, 3),
        )

    async def give_back(self, leg: Leg) -> None:
        """Undo this call's joins and sounds on a borrowed endpoint (releasing an endpoint of
        our own would have done it in the backend). The endpoint may be gone already (the
        browser closed): nothing is left to undo then."""
        call = leg.call
        conference = call.conference if leg.leg_id in call.conference_modes else None
        self.detach_now(leg)
        endpoint = leg.endpoint
        with contextlib.suppress(HotlineError):
            await self.media.unbridge(endpoint)
        if conference is not None:
            with contextlib.suppress(HotlineError):
                await self.media.leave_conference(conference, endpoint)
        with contextlib.suppress(HotlineError):
            await self.media.stop_playback(endpoint)
        with contextlib.suppress(HotlineError):
            await self.media.stop_moh(endpoint)
