"""The life of one agent's browser phone session, as a transition table (DESIGN §3.4).

A session outlives its peer connections: a new offer on a live session (the page reconnected,
or changed microphone) replaces the peer connection but keeps the engine endpoint, so a call
bridged to the agent carries on. A session whose page went away (a reload, a network loss)
is `DETACHED`: no peer connection, the endpoint kept for a grace period in which a new offer
re-attaches it (ADR 0121). `CLOSED` is final.
"""

from __future__ import annotations

import enum

from hotline.errors import IllegalTransition

__all__ = ["TRANSITIONS", "SessionInput", "SessionState", "next_state"]


class SessionState(enum.StrEnum):
    CONNECTING = "connecting"  # offer answered, ICE/DTLS not up yet
    CONNECTED = "connected"  # media flows
    DETACHED = "detached"  # the page went away; its endpoint waits for it to come back
    CLOSED = "closed"  # endpoint released; the agent has no browser phone


class SessionInput(enum.StrEnum):
    CONNECTED = "connected"  # the current peer connection reached "connected"
    RENEGOTIATED = "renegotiated"  # a new offer replaced the peer connection
    DETACHED = "detached"  # signalling gone or the peer connection failed, page may come back
    ENDED = "ended"  # bye, ICE/DTLS failure without a grace, the grace ran out, or shutdown


TRANSITIONS: dict[tuple[SessionState, SessionInput], SessionState] = {
    (SessionState.CONNECTING, SessionInput.CONNECTED): SessionState.CONNECTED,
    (SessionState.CONNECTING, SessionInput.RENEGOTIATED): SessionState.CONNECTING,
    (SessionState.CONNECTING, SessionInput.ENDED): SessionState.CLOSED,
    (SessionState.CONNECTED, SessionInput.RENEGOTIATED): SessionState.CONNECTING,
    (SessionState.CONNECTED, SessionInput.ENDED): SessionState.CLOSED,
    (SessionState.CONNECTING, SessionInput.DETACHED): SessionState.DETACHED,
    (SessionState.CONNECTED, SessionInput.DETACHED): SessionState.DETACHED,
    (SessionState.DETACHED, SessionInput.RENEGOTIATED): SessionState.CONNECTING,
    (SessionState.DETACHED, SessionInput.ENDED): SessionState.CLOSED,
}


def next_state(state: SessionState, event: SessionInput) -> SessionState:
    found = TRANSITIONS.get((state, event))
    if found is None:
        raise IllegalTransition(
            "browser phone session", state, event, code="webrtc.session.illegal_transition"
        )
    return found
