"""Leg and call states as data (DESIGN §3.4): `StrEnum` states, events, transition tables.

A leg is one party's SIP dialog plus its media endpoint; a call is the set of legs joined for
one customer contact. Illegal moves raise `IllegalLegTransition` / `IllegalCallTransition`
before anything changes.
"""

from __future__ import annotations

from enum import StrEnum

from hotline.calls.errors import IllegalCallTransition, IllegalLegTransition

__all__ = [
    "CALL_TRANSITIONS",
    "LEG_TRANSITIONS",
    "CallEvent",
    "CallState",
    "LegDirection",
    "LegEvent",
    "LegRole",
    "LegState",
    "next_call_state",
    "next_leg_state",
]


class LegRole(StrEnum):
    CUSTOMER = "customer"  # the caller (or the customer we called back)
    AGENT = "agent"  # an agent's phone
    CONSULT = "consult"  # the party an agent consults before a transfer or conference
    EXTERNAL = "external"  # a number reached through a trunk (transfer out)
    SUPERVISOR = "supervisor"


class LegDirection(StrEnum):
    INBOUND = "inbound"  # the party called us
    OUTBOUND = "outbound"  # we called the party


class LegState(StrEnum):
    CREATED = "created"  # INVITE received (inbound) or sent (outbound), nothing more yet
    RINGING = "ringing"  # 180 sent or received
    EARLY = "early"  # early media (183 with SDP)
    ANSWERED = "answered"  # 200/ACK: talking
    HELD = "held"  # we put the party on hold (music)
    ENDED = "ended"


class LegEvent(StrEnum):
    RING = "ring"
    EARLY_MEDIA = "early_media"
    ANSWER = "answer"
    HOLD = "hold"
    RESUME = "resume"
    END = "end"


_S, _E = LegState, LegEvent

LEG_TRANSITIONS: dict[tuple[LegState, LegEvent], LegState] = {
    (_S.CREATED, _E.RING): _S.RINGING,
    (_S.CREATED, _E.EARLY_MEDIA): _S.EARLY,
    (_S.CREATED, _E.ANSWER): _S.ANSWERED,
    (_S.CREATED, _E.END): _S.ENDED,
    (_S.RINGING, _E.RING): _S.RINGING,
    (_S.RINGING, _E.EARLY_MEDIA): _S.EARLY,
    (_S.RINGING, _E.ANSWER): _S.ANSWERED,
    (_S.RINGING, _E.END): _S.ENDED,
    (_S.EARLY, _E.RING): _S.EARLY,  # a 180 after a 183 keeps the early media flowing
    (_S.EARLY, _E.EARLY_MEDIA): _S.EARLY,
    (_S.EARLY, _E.ANSWER): _S.ANSWERED,
    (_S.EARLY, _E.END): _S.ENDED,
    (_S.ANSWERED, _E.HOLD): _S.HELD,
    (_S.ANSWERED, _E.END): _S.ENDED,
    (_S.HELD, _E.HOLD): _S.HELD,
    (_S.HELD, _E.RESUME): _S.ANSWERED,
    (_S.HELD, _E.END): _S.ENDED,
}


def next_leg_state(state: LegState, event: LegEvent) -> LegState:
    found = LEG_TRANSITIONS.get((state, event))
    if found is None:
        raise IllegalLegTransition("leg", state.value, event.value)
    return found


class CallState(StrEnum):
    SETUP = "setup"  # the first leg is not answered yet
    ACTIVE = "active"  # some leg is answered
    ENDED = "ended"


class CallEvent(StrEnum):
    ANSWER = "answer"
    END = "end"


CALL_TRANSITIONS: dict[tuple[CallState, CallEvent], CallState] = {
    (CallState.SETUP, CallEvent.ANSWER): CallState.ACTIVE,
    (CallState.SETUP, CallEvent.END): CallState.ENDED,
    (CallState.ACTIVE, CallEvent.ANSWER): CallState.ACTIVE,
    (CallState.ACTIVE, CallEvent.END): CallState.ENDED,
}


def next_call_state(state: CallState, event: CallEvent) -> CallState:
    found = CALL_TRANSITIONS.get((state, event))
    if found is None:
        raise IllegalCallTransition("call", state.value, event.value)
    return found
