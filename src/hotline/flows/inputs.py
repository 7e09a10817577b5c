"""What the world answers: the inputs the interpreter's `step` accepts.

Each input answers the action the flow is waiting on (`ACCEPTS` is that table); `HungUp` may
arrive at any time. Anything else is an `UnexpectedInput` error — a driver bug, not a caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from hotline.flows.state import Awaiting
from hotline.flows.variables import Scalar

__all__ = [
    "ACCEPTS",
    "AgentLeft",
    "BotAnswered",
    "CallbackOutcome",
    "CollectTimedOut",
    "DigitsCollected",
    "FlowInput",
    "HungUp",
    "LookupCompleted",
    "LookupFailed",
    "PlaybackDone",
    "QueueOutcome",
    "QueueResult",
    "RecordingDone",
    "TicketFailed",
    "TicketFound",
    "TicketOpened",
    "TransferOutcome",
]


@dataclass(frozen=True, slots=True)
class PlaybackDone:
    interrupted_by: str = ""  # keys that stopped an interruptible prompt


@dataclass(frozen=True, slots=True)
class DigitsCollected:
    digits: str  # without the terminator; for text channels, the reply text
    terminator: str | None = None


@dataclass(frozen=True, slots=True)
class CollectTimedOut:
    digits: str = ""  # what was typed before the timeout


@dataclass(frozen=True, slots=True)
class LookupCompleted:
    found: bool
    data: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LookupFailed:
    reason: str  # "timeout", "error", "http 500" …


class QueueResult(StrEnum):
    ANSWERED = "answered"
    TIMEOUT = "timeout"  # nobody answered within max_wait
    UNAVAILABLE = "unavailable"  # no agent can ever take it now (none logged in, queue closed)
    CALLBACK_OFFERED = "callback_offered"  # the router suggests a callback; still in line


@dataclass(frozen=True, slots=True)
class QueueOutcome:
    result: QueueResult
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class AgentLeft:
    """The agent's side of the conversation ended; the caller is still on the line."""


@dataclass(frozen=True, slots=True)
class RecordingDone:
    recording_id: str | None  # None: nothing was recorded
    duration: float = 0.0


@dataclass(frozen=True, slots=True)
class TransferOutcome:
    ok: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallbackOutcome:
    ok: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class TicketOpened:
    ticket_id: str
    number: int
    status: str  # the status code ("new", "open")
    status_text: str = ""  # the status as the caller hears it, in the request's language


@dataclass(frozen=True, slots=True)
class TicketFound:
    found: bool
    ticket_id: str = ""
    number: int = 0
    status: str = ""
    status_text: str = ""


@dataclass(frozen=True, slots=True)
class TicketFailed:
    reason: str  # an error code ("ticket.department.unknown"), "timeout", "error: …"


@dataclass(frozen=True, slots=True)
class BotAnswered:
    """The bot's decision on the customer's message (ADR 0256). `outcome`: "answer" (`reply`
    is the article's text), "offer" (`reply` lists `choices`, article ids), "retry" (`reply`
    asks again) or "hand_off" (`reason`: "requested", "low_confidence", "failed_turns",
    "unavailable" — no bot or no recognizer; `reply` tells the customer)."""

    question: str
    outcome: str
    reply: str = ""
    reason: str = ""
    article_id: str = ""
    title: str = ""
    confidence: float = 0.0
    choices: tuple[str, ...] = ()
    failed_turns: int = 0


@dataclass(frozen=True, slots=True)
class HungUp:
    """The caller is gone."""


FlowInput: TypeAlias = (
    PlaybackDone
    | DigitsCollected
    | CollectTimedOut
    | LookupCompleted
    | LookupFailed
    | QueueOutcome
    | AgentLeft
    | RecordingDone
    | TransferOutcome
    | CallbackOutcome
    | TicketOpened
    | TicketFound
    | TicketFailed
    | BotAnswered
    | HungUp
)

ACCEPTS: Mapping[Awaiting, tuple[type, ...]] = {
    Awaiting.PLAYBACK: (PlaybackDone,),
    Awaiting.DIGITS: (DigitsCollected, CollectTimedOut),
    Awaiting.LOOKUP: (LookupCompleted, LookupFailed),
    Awaiting.QUEUE: (QueueOutcome,),
    Awaiting.AGENT_LEFT: (AgentLeft,),
    Awaiting.RECORDING: (RecordingDone,),
    Awaiting.TRANSFER: (TransferOutcome,),
    Awaiting.CALLBACK: (CallbackOutcome,),
    Awaiting.TICKET: (TicketOpened, TicketFound, TicketFailed),
    Awaiting.BOT: (BotAnswered, CollectTimedOut),
    Awaiting.NOTHING: (),
}
