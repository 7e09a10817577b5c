"""Domain events of call control: every change of a call or one of its legs (DESIGN §3.3).

The envelope carries `tenant_id`, `interaction_id`, `leg_id` and (for agent legs) `agent_id`;
`call_id` ties the legs of one call together. Causes are `Cause` names plus the Q.850 value
that went on the wire. DTMF digits are never events (PINs, card numbers).
"""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "CallArrived",
    "CallBridged",
    "CallConferenced",
    "CallEnded",
    "CallHeld",
    "CallOriginated",
    "CallResumed",
    "CallTransferred",
    "LegAnswered",
    "LegCreated",
    "LegEnded",
    "LegRinging",
]


@domain_event("call.arrived")
class CallArrived(DomainEvent):
    """An INVITE reached a DID (or an extension) and call control took it."""

    call_id: str
    caller_number: str | None
    caller_name: str | None
    did: str | None
    trunk: str | None
    sip_call_id: str
    source: str


@domain_event("call.originated")
class CallOriginated(DomainEvent):
    """Hotline started a call itself: click-to-dial, a callback, an agent's internal call."""

    call_id: str
    purpose: str  # "click_to_dial" | "callback" | "internal"
    target: str


@domain_event("leg.created")
class LegCreated(DomainEvent):
    call_id: str
    role: str
    direction: str
    target: str | None  # extension, number or URI we called; None for the inbound caller
    caller_number: str | None = None  # caller id presented (outbound) or received (inbound)


@domain_event("leg.ringing")
class LegRinging(DomainEvent):
    call_id: str
    role: str
    early_media: bool


@domain_event("leg.answered")
class LegAnswered(DomainEvent):
    call_id: str
    role: str
    codec: str | None
    ring_s: float  # from the leg's creation to its answer
    # the SIP dialog (ids, route set, target, CSeq, transport, flow), so that a node restarted
    # after a crash can end it with a BYE (issue 13); None for a browser phone's leg
    dialog: dict[str, object] | None = None


@domain_event("leg.ended")
class LegEnded(DomainEvent):
    call_id: str
    role: str
    cause: str
    q850: int
    sip_status: int | None  # the final status of a leg that never answered
    by: str  # "local" | "remote"
    answered: bool
    duration_s: float  # creation to end
    talk_s: float  # answer to end (0 if never answered)


@domain_event("call.bridged")
class CallBridged(DomainEvent):
    call_id: str
    a_leg: str
    b_leg: str


@domain_event("call.held")
class CallHeld(DomainEvent):
    """`held_leg` hears hold music; `by` says who asked ("agent", "phone", "api")."""

    call_id: str
    held_leg: str
    by: str


@domain_event("call.resumed")
class CallResumed(DomainEvent):
    call_id: str
    held_leg: str
    held_s: float


@domain_event("call.transferred")
class CallTransferred(DomainEvent):
    """The customer's side moved from one leg to another (blind or consultative)."""

    call_id: str
    kind: str  # "blind" | "consult"
    from_leg: str | None
    to_leg: str | None
    target: str


@domain_event("call.conferenced")
class CallConferenced(DomainEvent):
    call_id: str
    conference_id: str
    legs: tuple[str, ...]


@domain_event("call.ended")
class CallEnded(DomainEvent):
    call_id: str
    cause: str
    q850: int
    duration_s: float
    answered: bool
