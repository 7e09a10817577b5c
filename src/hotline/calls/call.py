"""`Call` and `Bridge`: the legs of one customer contact and how their audio is joined.

A call joins at most one `Bridge` (two legs hearing each other, relayed by the media backend)
or one conference (several legs mixed, each FULL or LISTEN) at a time; a leg in neither hears
what call control plays to it (prompts, hold music). The customer leg is recorded; its
recording follows whatever the customer hears (ADR 0023), so transfers and conferences need no
recording work.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.calls.leg import Leg
from hotline.calls.states import CallEvent, CallState, LegRole, next_call_state
from hotline.ids import CallId, LegId
from hotline.media.backend import ConferenceId, ConferenceMode, RecordingId

__all__ = ["Bridge", "Call"]


@dataclass(frozen=True, slots=True)
class Bridge:
    """Two legs that hear each other."""

    a: LegId
    b: LegId

    def other(self, leg_id: LegId) -> LegId:
        return self.b if leg_id == self.a else self.a

    def __contains__(self, leg_id: object) -> bool:
        return leg_id in (self.a, self.b)


class Call:
    def __init__(
        self,
        call_id: CallId,
        *,
        tenant_id: str,
        interaction_id: str | None,
        started_at: float,
        sip_call_id: str | None = None,
    ) -> None:
        self.call_id = call_id
        self.tenant_id = tenant_id
        self.interaction_id = interaction_id
        self.started_at = started_at
        self.sip_call_id = sip_call_id
        self.state = CallState.SETUP
        self.legs: dict[LegId, Leg] = {}
        self.bridge: Bridge | None = None
        self.conference: ConferenceId | None = None
        self.conference_modes: dict[LegId, ConferenceMode] = {}
        self.recording: RecordingId | None = None
        self.answered_at: float | None = None
        self.ended_at: float | None = None

    def __repr__(self) -> str:
        return f"<Call {self.call_id} {self.state.value} legs={list(self.legs.values())}>"

    def step(self, event: CallEvent) -> CallState:
        self.state = next_call_state(self.state, event)
        return self.state

    @property
    def customer(self) -> Leg | None:
        """The customer's leg (live or not); None for an internal call."""
        return next((leg for leg in self.legs.values() if leg.role is LegRole.CUSTOMER), None)

    def live_legs(self) -> list[Leg]:
        return [leg for leg in self.legs.values() if leg.is_live]

    def partner(self, leg: Leg) -> Leg | None:
        """The leg bridged to `leg`, if any."""
        if self.bridge is None or leg.leg_id not in self.bridge:
            return None
        return self.legs.get(self.bridge.other(leg.leg_id))

    def in_conference(self, leg: Leg) -> bool:
        return leg.leg_id in self.conference_modes
