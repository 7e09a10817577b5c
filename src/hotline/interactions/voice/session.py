"""`VoiceSession`: the voice side of one contact — its call, the customer's leg and every other
party's leg (agents by id, outside numbers as `tel:` parties), the rings in progress, and the
legs the lifecycle ended itself (whose ending it need not be told about).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.calls import Call, Leg
from hotline.ids import AgentId, InteractionId, LegId, QueueId
from hotline.interactions.channel import CUSTOMER, Release

__all__ = ["VoiceSession"]


@dataclass(eq=False)
class VoiceSession:
    contact_id: InteractionId
    call: Call
    customer: Leg | None = None
    caller_number: str | None = None
    did: str | None = None
    early_media: bool = False  # prompts play on a 183 until input is needed
    queue_id: QueueId | None = None  # the queue whose options (music, recording) apply
    legs: dict[str, Leg] = field(default_factory=dict)  # answered parties but the customer
    parties: dict[LegId, str] = field(default_factory=dict)  # every leg's party
    ringing: dict[AgentId, Leg | None] = field(default_factory=dict)  # None: not dialled yet
    cancelled: dict[AgentId, Release] = field(default_factory=dict)  # before its leg existed
    released: set[LegId] = field(default_factory=set)  # ended by the lifecycle itself
    recording_started: bool = False
    recording_paused: bool = False
    voicemails: dict[str, tuple[str, int]] = field(default_factory=dict)  # id → (key, size)
    # The agent party whose browser page went away mid-call: the customer is on hold for it
    # until the page is back (ADR 0121).
    phone_away: str | None = None

    def leg(self, party: str) -> Leg | None:
        if party == CUSTOMER:
            return self.customer
        return self.legs.get(party)

    def add(self, party: str, leg: Leg) -> None:
        self.parties[leg.leg_id] = party
        if party == CUSTOMER:
            self.customer = leg
        else:
            self.legs[party] = leg

    @property
    def customer_live(self) -> bool:
        return self.customer is not None and self.customer.is_live
