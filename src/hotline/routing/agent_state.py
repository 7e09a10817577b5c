"""The agent state machine (坐席状态) and the per-interaction work machine, both as tables.

An agent has a *presence* — what the agent chose for the time it is not working: logged out,
available (示闲) or not ready with a reason (示忙: break, lunch, missed …) — and zero or more *work
items*, one per interaction offered to or handled by the agent. Each work item runs the small
`WORK_TRANSITIONS` machine: ringing → connected → wrap-up → done.

The agent's state is the table-driven `TRANSITIONS` machine over the work items taken together:
RESERVED while an offer rings, BUSY while connected, WRAP_UP during after-call work. When the last
work item is done the agent *resumes* its presence (the `RESUME` pseudo-state, like a statechart's
history state), so a break requested during a call starts when the call's wrap-up ends.

For a voice agent (capacity 1) this is the classic cycle available → reserved → busy → wrap_up →
available. A text agent may hold several items; its state is the "strongest" phase among them
(`aggregate_phase`), which is why a few rows exist only for capacity above one (marked below).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from hotline.routing.errors import IllegalAgentTransition

__all__ = [
    "IDLE_STATES",
    "PHASE_EVENTS",
    "RESUME",
    "TRANSITIONS",
    "WORKING_STATES",
    "WORK_TRANSITIONS",
    "AgentEvent",
    "AgentState",
    "LogIn",
    "LogInReady",
    "LogOut",
    "Resume",
    "SetNotReady",
    "SetReady",
    "WorkConnected",
    "WorkDone",
    "WorkOffered",
    "WorkPhase",
    "WorkStep",
    "WorkWrappingUp",
    "aggregate_phase",
    "next_state",
    "next_work_phase",
]


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    NOT_READY = "not_ready"
    RESERVED = "reserved"
    BUSY = "busy"
    WRAP_UP = "wrap_up"


IDLE_STATES: Final = frozenset({AgentState.LOGGED_OUT, AgentState.AVAILABLE, AgentState.NOT_READY})
"""States an agent with no work is in; they are also the values a presence can take."""

WORKING_STATES: Final = frozenset({AgentState.RESERVED, AgentState.BUSY, AgentState.WRAP_UP})


class Resume:
    """Pseudo-state: "the agent's presence" (available, not ready with its reason, logged out)."""

    def __repr__(self) -> str:
        return "RESUME"


RESUME: Final = Resume()


@dataclass(frozen=True, slots=True)
class AgentEvent:
    """Input to the agent machine. Presence events come from the agent or a supervisor; work
    events are raised by the router when the aggregate phase of the agent's work changes."""


@dataclass(frozen=True, slots=True)
class LogIn(AgentEvent):
    """签入 into not ready: the agent chooses when to become available."""


@dataclass(frozen=True, slots=True)
class LogInReady(AgentEvent):
    """签入 straight into available."""


@dataclass(frozen=True, slots=True)
class SetReady(AgentEvent):
    """示闲. While working it only changes the presence the agent resumes to."""


@dataclass(frozen=True, slots=True)
class SetNotReady(AgentEvent):
    """示忙 with a reason. While working it takes effect when the work is done."""

    reason: str


@dataclass(frozen=True, slots=True)
class LogOut(AgentEvent):
    """签出. While working it takes effect when the work is done."""


@dataclass(frozen=True, slots=True)
class WorkOffered(AgentEvent):
    """An offer rings and nothing is connected."""


@dataclass(frozen=True, slots=True)
class WorkConnected(AgentEvent):
    """At least one interaction is connected."""


@dataclass(frozen=True, slots=True)
class WorkWrappingUp(AgentEvent):
    """Only after-call work remains."""


@dataclass(frozen=True, slots=True)
class WorkDone(AgentEvent):
    """No work remains: resume the presence."""


S = AgentState

TRANSITIONS: Final[dict[tuple[AgentState, type[AgentEvent]], AgentState | Resume]] = {
    # presence, while idle
    (S.LOGGED_OUT, LogIn): S.NOT_READY,
    (S.LOGGED_OUT, LogInReady): S.AVAILABLE,
    (S.AVAILABLE, SetReady): S.AVAILABLE,
    (S.NOT_READY, SetReady): S.AVAILABLE,
    (S.AVAILABLE, SetNotReady): S.NOT_READY,
    (S.NOT_READY, SetNotReady): S.NOT_READY,
    (S.AVAILABLE, LogOut): S.LOGGED_OUT,
    (S.NOT_READY, LogOut): S.LOGGED_OUT,
    # presence, while working: the state stays, the presence to resume to changes
    (S.RESERVED, SetReady): S.RESERVED,
    (S.RESERVED, SetNotReady): S.RESERVED,
    (S.RESERVED, LogOut): S.RESERVED,
    (S.BUSY, SetReady): S.BUSY,
    (S.BUSY, SetNotReady): S.BUSY,
    (S.BUSY, LogOut): S.BUSY,
    (S.WRAP_UP, SetReady): S.WRAP_UP,
    (S.WRAP_UP, SetNotReady): S.WRAP_UP,
    (S.WRAP_UP, LogOut): S.WRAP_UP,
    # work
    (S.AVAILABLE, WorkOffered): S.RESERVED,
    # an outbound call the agent starts while not ready (`Router.assign_outbound`)
    (S.NOT_READY, WorkOffered): S.RESERVED,
    (S.RESERVED, WorkConnected): S.BUSY,
    (S.RESERVED, WorkDone): RESUME,  # declined, no answer, withdrawn, caller gone
    (S.BUSY, WorkWrappingUp): S.WRAP_UP,
    (S.BUSY, WorkDone): RESUME,  # the queue has no wrap-up
    (S.WRAP_UP, WorkDone): RESUME,
    # capacity above one only (a text agent holding several interactions)
    (S.BUSY, WorkOffered): S.RESERVED,
    (S.WRAP_UP, WorkOffered): S.RESERVED,
    (S.RESERVED, WorkWrappingUp): S.WRAP_UP,
}
del S


def next_state(state: AgentState, event: AgentEvent) -> AgentState | Resume:
    """The table's answer for (state, type(event)); `IllegalAgentTransition` if it has none."""
    try:
        return TRANSITIONS[(state, type(event))]
    except KeyError:
        raise IllegalAgentTransition("agent", state.value, type(event).__name__) from None


class WorkPhase(StrEnum):
    RINGING = "ringing"
    CONNECTED = "connected"
    WRAP_UP = "wrap_up"


class WorkStep(StrEnum):
    ANSWER = "answer"
    WITHDRAW = "withdraw"  # declined, no answer, unreachable, caller gone, answered elsewhere
    END = "end"  # the interaction ended; after-call work starts
    FINISH = "finish"  # after-call work done, or the interaction ended with no wrap-up


WORK_TRANSITIONS: Final[dict[tuple[WorkPhase, WorkStep], WorkPhase | None]] = {
    (WorkPhase.RINGING, WorkStep.ANSWER): WorkPhase.CONNECTED,
    (WorkPhase.RINGING, WorkStep.WITHDRAW): None,
    (WorkPhase.CONNECTED, WorkStep.END): WorkPhase.WRAP_UP,
    (WorkPhase.CONNECTED, WorkStep.FINISH): None,
    (WorkPhase.WRAP_UP, WorkStep.FINISH): None,
}
"""`None` means the work item is gone."""


def next_work_phase(phase: WorkPhase, step: WorkStep) -> WorkPhase | None:
    try:
        return WORK_TRANSITIONS[(phase, step)]
    except KeyError:
        raise IllegalAgentTransition("work", phase.value, step.value) from None


# Which phase shows when an agent holds several items: talking beats ringing beats wrap-up.
_PHASE_RANK: Final = {WorkPhase.WRAP_UP: 1, WorkPhase.RINGING: 2, WorkPhase.CONNECTED: 3}

PHASE_EVENTS: Final[dict[WorkPhase | None, AgentEvent]] = {
    WorkPhase.RINGING: WorkOffered(),
    WorkPhase.CONNECTED: WorkConnected(),
    WorkPhase.WRAP_UP: WorkWrappingUp(),
    None: WorkDone(),
}
"""The agent event the router raises when the aggregate phase of an agent's work becomes X."""


def aggregate_phase(phases: Iterable[WorkPhase]) -> WorkPhase | None:
    """The phase an agent's work shows as a whole; `None` when there is no work."""
    return max(phases, key=_PHASE_RANK.__getitem__, default=None)
