"""`Leg`: one party of a call — its SIP dialog (or the INVITE still being set up) and its media
endpoint — with its state machine, the digits it sends and the way it ended.

Legs are created and driven by `CallControl` (b2bua.py); everyone else reads them. Digits from
RFC 4733 events, in-band tones and SIP INFO all land in `digits`, in order, so a flow reads one
stream whatever the phone used.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from hotline.calls.causes import Cause
from hotline.calls.ports import DialogSession, InboundInvite, OutboundInvite
from hotline.calls.states import LegDirection, LegEvent, LegRole, LegState, next_leg_state
from hotline.ids import AgentId, LegId
from hotline.media.backend import EndpointId, LocalMedia
from hotline.sip.policy import OutboundPermit

if TYPE_CHECKING:
    from hotline.calls.call import Call

__all__ = ["Leg"]


class Leg:
    def __init__(
        self,
        leg_id: LegId,
        call: Call,
        *,
        role: LegRole,
        direction: LegDirection,
        created_at: float,
        target: str | None = None,
        agent_id: AgentId | None = None,
    ) -> None:
        self.leg_id = leg_id
        self.call = call
        self.role = role
        self.direction = direction
        self.target = target
        self.agent_id = agent_id
        self.state = LegState.CREATED
        self.created_at = created_at
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        self.cause: Cause | None = None
        self.status: int | None = None  # final SIP status of a leg that never answered
        self.media: LocalMedia | None = None
        self.invite: InboundInvite | None = None
        self.outgoing: OutboundInvite | None = None
        self.session: DialogSession | None = None
        self.permit: OutboundPermit | None = None  # an outbound slot held until the leg ends
        self.held_at: float | None = None
        self.remote_hold = False  # the phone put us on hold (sendonly/inactive re-INVITE)
        self.reinvited = False  # we re-INVITEd it `sendonly` for hold (resume re-INVITEs back)
        self.digits: asyncio.Queue[str] = asyncio.Queue()
        self.answered = asyncio.Event()
        self.ended = asyncio.Event()
        self.session_id = 0  # the SDP o= id of our side
        # The media endpoint belongs to someone else and outlives the leg (a browser phone's
        # persistent session, `CallControl.attach`): ending the leg gives it back, unjoined.
        self.borrowed = False

    def __repr__(self) -> str:
        return f"<Leg {self.leg_id} {self.role.value} {self.state.value}>"

    @property
    def endpoint(self) -> EndpointId:
        """The media endpoint; every leg has one from its creation until it ends."""
        assert self.media is not None, "leg without a media endpoint"
        return self.media.endpoint_id

    @property
    def is_live(self) -> bool:
        return self.state is not LegState.ENDED

    @property
    def is_up(self) -> bool:
        """Answered (or held) and not ended: audio can flow."""
        return self.state in (LegState.ANSWERED, LegState.HELD)

    def step(self, event: LegEvent) -> LegState:
        self.state = next_leg_state(self.state, event)
        return self.state

    def on_dtmf(self, digit: str) -> None:
        if self.is_live:
            self.digits.put_nowait(digit)

    def drain_digits(self) -> str:
        """Keys typed so far and not read yet."""
        out = []
        while not self.digits.empty():
            out.append(self.digits.get_nowait())
        return "".join(out)
