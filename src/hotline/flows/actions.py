"""What the interpreter asks the world to do. The driver turns each into an `InteractionPort` call.

Each step ends with at most one action that the flow waits on (its `awaits` says which input
answers it), possibly preceded by actions that need no answer (`NotifyVoicemail`, `LeaveQueue`)
and followed by nothing. `Hangup` ends the flow. Actions are plain frozen values: no SIP, no
RTP, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, TypeAlias

from hotline.flows.prompts import PromptRef
from hotline.flows.state import Awaiting

__all__ = [
    "Action",
    "AskBot",
    "AwaitAgentLeft",
    "Collect",
    "Enqueue",
    "FindTicket",
    "Hangup",
    "LeaveQueue",
    "Lookup",
    "NotifyVoicemail",
    "OpenTicket",
    "Play",
    "PromptRef",
    "QueueAnnouncements",
    "RecordVoicemail",
    "RequestCallback",
    "Transfer",
    "VoicemailTicketRequest",
]


@dataclass(frozen=True, slots=True)
class Play:
    """Play prompts in order. `interruptible`: a key stops playback and is reported back."""

    awaits: ClassVar[Awaiting] = Awaiting.PLAYBACK
    prompts: tuple[PromptRef, ...]
    interruptible: bool = False


@dataclass(frozen=True, slots=True)
class Collect:
    """Play prompts (a key stops them) and collect keys.

    Done at `max_digits` keys or the `terminator` (not included in the answer); a timeout
    (`first_digit_timeout` before the first key, `inter_digit_timeout` between keys) answers
    `CollectTimedOut` with what was typed. `prefix` holds keys typed ahead during an earlier
    prompt: they count as already entered."""

    awaits: ClassVar[Awaiting] = Awaiting.DIGITS
    prompts: tuple[PromptRef, ...]
    min_digits: int
    max_digits: int
    terminator: str | None
    first_digit_timeout: float
    inter_digit_timeout: float
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class Lookup:
    """Find data: `source` "customer" (by caller id in the CRM) or "webhook" (HTTP at `url`).

    The port must answer within `timeout` seconds, with `LookupFailed("timeout")` if need be."""

    awaits: ClassVar[Awaiting] = Awaiting.LOOKUP
    source: str
    key: str
    timeout: float
    url: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OpenTicket:
    """Open a ticket about this contact (linked to it, to the caller's customer if there is
    one) in `department`. Answered by `TicketOpened`, or `TicketFailed` with the reason's code
    (an unknown department, a refused ticket, the port's time-out)."""

    awaits: ClassVar[Awaiting] = Awaiting.TICKET
    department: str
    subject: str
    description: str = ""
    priority: str = "normal"
    category: str | None = None
    language: str = "zh-CN"  # the caller's: the status words come back in it


@dataclass(frozen=True, slots=True)
class FindTicket:
    """The ticket with `number`, for the caller's self-service status. Answered by
    `TicketFound` (found or not) or `TicketFailed`."""

    awaits: ClassVar[Awaiting] = Awaiting.TICKET
    number: int
    language: str = "zh-CN"


@dataclass(frozen=True, slots=True)
class QueueAnnouncements:
    position: bool
    ewt: bool
    every: float
    prompts: tuple[PromptRef, ...]
    music: str | None


@dataclass(frozen=True, slots=True)
class Enqueue:
    """Put the interaction in `queue` (→ `router.enqueue`), or, when it is still in that
    queue's line (back from a declined callback offer), just keep waiting. `entered_at` is when
    the call joined this line. Answered by `QueueOutcome`: an agent answered, `max_wait`
    passed (or an overflow step took the caller out of line), nobody can answer (rejected,
    closed), or — with `offer_callback` — the router offers a callback."""

    awaits: ClassVar[Awaiting] = Awaiting.QUEUE
    queue: str
    priority: int
    skills: tuple[str, ...]
    announcements: QueueAnnouncements
    max_wait: float | None
    entered_at: float
    language: str
    offer_callback: bool = False  # answer CALLBACK_OFFERED when the router offers one


@dataclass(frozen=True, slots=True)
class LeaveQueue:
    """The flow moves on while the caller is still in `queue`'s line: withdraw it (not an
    abandon — the caller is still here). No answer expected; harmless if already gone."""

    awaits: ClassVar[Awaiting] = Awaiting.NOTHING
    queue: str


@dataclass(frozen=True, slots=True)
class AwaitAgentLeft:
    """The caller is talking to an agent; answer `AgentLeft` when the agent's side ends and the
    caller is still there (for a post-call survey)."""

    awaits: ClassVar[Awaiting] = Awaiting.AGENT_LEFT


@dataclass(frozen=True, slots=True)
class RecordVoicemail:
    """Play the greeting, beep, record until `max_length`, `silence_end` seconds of silence,
    the caller's `#`, or hang-up; answer `RecordingDone` even when the caller hung up."""

    awaits: ClassVar[Awaiting] = Awaiting.RECORDING
    mailbox: str
    greeting: tuple[PromptRef, ...]
    beep: bool
    max_length: float
    silence_end: float
    ticket: VoicemailTicketRequest | None = None  # the message opens this ticket (ADR 0162)


@dataclass(frozen=True, slots=True)
class VoicemailTicketRequest:
    """The ticket a message left in the mailbox opens, after the caller has gone: the log's
    `voicemail.recorded` carries it to the job host, which opens it once."""

    department: str
    subject: str
    category: str | None = None
    priority: str = "normal"
    language: str = "zh-CN"


@dataclass(frozen=True, slots=True)
class NotifyVoicemail:
    """Send the voicemail notice (email through the configured SMTP). No answer expected."""

    awaits: ClassVar[Awaiting] = Awaiting.NOTHING
    mailbox: str
    recording_id: str
    duration: float
    emails: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Transfer:
    """Hand the caller to a number (through `trunk`), an agent, or a queue."""

    awaits: ClassVar[Awaiting] = Awaiting.TRANSFER
    to: str  # "number" | "agent" | "queue"
    target: str
    timeout: float
    prompts: tuple[PromptRef, ...] = ()
    trunk: str | None = None
    caller_id: str | None = None


@dataclass(frozen=True, slots=True)
class RequestCallback:
    """Ask the router to call `number` back, keeping the place the caller had since
    `entered_at`. Answered by `CallbackOutcome`."""

    awaits: ClassVar[Awaiting] = Awaiting.CALLBACK
    queue: str
    number: str
    entered_at: float


@dataclass(frozen=True, slots=True)
class AskBot:
    """Say `prompts`, take the customer's next message (on calls: what they say, recognized)
    and let the knowledge base's bot decide on it (ADR 0256). `failed_turns` and `choices`
    (the article ids offered last turn: a reply "2" picks the second) are the conversation so
    far; the thresholds are the node's. Answered by `BotAnswered`, or `CollectTimedOut` when
    nothing came within `timeout` seconds."""

    awaits: ClassVar[Awaiting] = Awaiting.BOT
    prompts: tuple[PromptRef, ...]
    language: str
    timeout: float
    answer_at: float
    offer_at: float
    hand_off_below: float
    max_failed_turns: int
    failed_turns: int = 0
    choices: tuple[str, ...] = ()
    audience: str = "public"


@dataclass(frozen=True, slots=True)
class Hangup:
    awaits: ClassVar[Awaiting] = Awaiting.NOTHING
    cause: str = "normal"


Action: TypeAlias = (
    Play
    | Collect
    | Lookup
    | Enqueue
    | LeaveQueue
    | AwaitAgentLeft
    | RecordVoicemail
    | NotifyVoicemail
    | Transfer
    | RequestCallback
    | OpenTicket
    | FindTicket
    | AskBot
    | Hangup
)
