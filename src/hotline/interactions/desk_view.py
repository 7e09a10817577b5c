"""What the agent desktop shows of one agent, read from the router and the live calls: the
agent's state, its phone, and the work in front of it — ringing, on a call (connected, held,
consulting, in a three-way conference), or in after-call work (docs/desk-api.md, `GET /desk`).

Read-only and synchronous: the API serialises `DeskView` as the desk object and sends it again
whenever it changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.calls import Leg, LegRole, LegState
from hotline.ids import AgentId, InteractionId
from hotline.interactions.agents import AgentPhone, Seat
from hotline.interactions.core import RuntimeCore
from hotline.interactions.transfers import _ConsultRing
from hotline.media.backend import ConferenceMode
from hotline.routing import WorkPhase

__all__ = ["CallView", "ConsultView", "DeskView", "DeskViews", "PhoneView", "WrapUpView"]


@dataclass(frozen=True, slots=True)
class PhoneView:
    kind: str  # "sip" | "browser"
    address: str  # the extension, or the browser session's key
    connected: bool  # registered / WebRTC session connected


@dataclass(frozen=True, slots=True)
class ConsultView:
    target: str
    target_kind: str  # "agent" | "queue" | "number"
    phase: str  # "ringing" | "connected"


@dataclass(frozen=True, slots=True)
class CallView:
    interaction_id: InteractionId  # the router's work (a consult's own contact for its target)
    phase: str  # "ringing" | "connected" | "held" | "consulting" | "conference" | "wrap_up"
    customer_number: str | None
    queue_id: str | None
    muted: bool
    recording_paused: bool
    since: float
    consult: ConsultView | None = None


@dataclass(frozen=True, slots=True)
class WrapUpView:
    interaction_id: InteractionId
    queue_id: str | None
    ends_at: float | None


@dataclass(frozen=True, slots=True)
class DeskView:
    agent_id: AgentId
    state: str
    reason: str | None
    since: float
    phone: PhoneView | None  # None: not logged in at a phone
    current: CallView | None
    wrap_up: WrapUpView | None


class DeskViews(RuntimeCore):
    _consults: dict[InteractionId, _ConsultRing]

    def phone_reachable(self, phone: AgentPhone) -> bool:
        raise NotImplementedError

    def desk_view(self, agent_id: AgentId) -> DeskView:
        """The agent's desk now (`routing.UnknownAgent` for an agent the router lacks)."""
        now = self.now()
        snapshot = self.router.agent_snapshot(agent_id, now=now)
        seat = self.seats.get(agent_id)
        phone = None
        if seat is not None:
            phone = PhoneView(
                seat.phone.kind.value, seat.phone.address, self.phone_reachable(seat.phone)
            )
        by_phase = {phase: [w for w in snapshot.work if w.phase is phase] for phase in WorkPhase}
        connected = by_phase[WorkPhase.CONNECTED]
        ringing = by_phase[WorkPhase.RINGING]
        wraps = by_phase[WorkPhase.WRAP_UP]
        current: CallView | None = None
        if seat is not None and seat.leg is not None and seat.leg.is_live and seat.interaction_id:
            work_id = connected[0].interaction_id if connected else seat.interaction_id
            queue = connected[0].queue_id if connected else None
            current = self._call_view(seat, seat.leg, work_id, queue)
        elif ringing:
            work = ringing[0]
            current = CallView(
                work.interaction_id,
                "ringing",
                self._number(work.interaction_id),
                work.queue_id,
                muted=False,
                recording_paused=False,
                since=work.since,
            )
        elif wraps:
            work = wraps[0]
            current = CallView(
                work.interaction_id,
                "wrap_up",
                self._number(work.interaction_id),
                work.queue_id,
                muted=False,
                recording_paused=False,
                since=work.since,
            )
        wrap_up = None
        if wraps:
            wrap_up = WrapUpView(wraps[0].interaction_id, wraps[0].queue_id, wraps[0].wrap_up_until)
        return DeskView(
            agent_id,
            snapshot.state.value,
            snapshot.reason,
            snapshot.since,
            phone,
            current,
            wrap_up,
        )

    def _number(self, interaction_id: InteractionId) -> str | None:
        """The customer's number behind a piece of work (a consult's: its customer's)."""
        interaction = self.interactions.get(interaction_id)
        if interaction is None:
            ring = self._consults.get(interaction_id)
            interaction = ring.interaction if ring is not None else None
        return interaction.caller_number if interaction is not None else None

    def _call_view(
        self, seat: Seat, leg: Leg, work: InteractionId, queue_id: str | None
    ) -> CallView:
        assert seat.interaction_id is not None
        interaction = self.interactions.get(seat.interaction_id)
        call = leg.call
        customer = interaction.customer if interaction is not None else None
        primary = interaction is not None and interaction.agent_leg is leg
        in_conference = [
            other
            for other in call.live_legs()
            if other.role is not LegRole.SUPERVISOR and call.in_conference(other)
        ]
        since = leg.answered_at or leg.created_at
        consult = None
        if leg.state in (LegState.CREATED, LegState.RINGING, LegState.EARLY):
            phase = "ringing"  # click-to-dial ringing the agent's own SIP phone
        elif seat.consult is not None:
            phase = "consulting"
            partner = seat.consult.leg
            consult = ConsultView(
                seat.consult.target,
                seat.consult.target_kind,
                "connected" if partner is not None and partner.is_up else "ringing",
            )
        elif primary and customer is not None and customer.state is LegState.HELD:
            phase = "held"
            since = customer.held_at or since
        elif len(in_conference) >= 3 and leg in in_conference:
            phase = "conference"
        else:
            phase = "connected"
        return CallView(
            work,
            phase,
            interaction.caller_number if interaction is not None else None,
            queue_id or (interaction.queue_id if interaction is not None else None),
            muted=call.conference_modes.get(leg.leg_id) is ConferenceMode.LISTEN,
            recording_paused=interaction.recording_paused if interaction is not None else False,
            since=since,
            consult=consult,
        )
