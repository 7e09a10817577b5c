"""The `Channel` port: what the lifecycle asks of the channel that carries a contact, and what a
channel reports back (DESIGN §10: voice in `interactions.voice`, chat, e-mail and SMS next).

A contact is a room of *parties*: the customer (`CUSTOMER`), the agents working on it (their
agent ids) and outside numbers (`number_party`). The lifecycle decides who hears or reads whom
— `join`, `conference`, `hold` — and the channel makes it so: a bridge of two legs on a voice
call, a participant added to a chat. Ringing an agent (`ring`) is an offer on that agent's
device: a SIP phone, the browser, the chat desk. Channels that cannot do something raise
`ChannelUnsupported` (a chat has no DTMF) and declare what they can in `capabilities`.

The lifecycle modules never import the channel's own packages (calls, media): only this port.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, TypeVar

from hotline.ids import AgentId, InteractionId, QueueId, WorkId
from hotline.interactions.errors import InteractionError

if TYPE_CHECKING:
    from hotline.flows.actions import Collect, Enqueue, NotifyVoicemail, RecordVoicemail
    from hotline.flows.inputs import CollectTimedOut, DigitsCollected, RecordingDone
    from hotline.flows.prompts import PromptRef
    from hotline.interactions.model import Contact

T = TypeVar("T")

__all__ = [
    "CUSTOMER",
    "Capability",
    "Channel",
    "ChannelUnsupported",
    "ContactEvents",
    "FlowMedia",
    "Guard",
    "Release",
    "Ring",
    "RingPurpose",
    "RingResult",
    "TransferRequest",
    "number_party",
]

CUSTOMER = "customer"
"""The party key of the customer in every contact."""


def number_party(number: str) -> str:
    """The party key of an outside number in a contact (a transfer or consult to a number)."""
    return f"tel:{number}"


class Capability(StrEnum):
    HOLD = "hold"
    MUTE = "mute"
    DTMF = "dtmf"
    RECORDING = "recording"
    DIAL = "dial"  # reach an outside number (transfer out, consult a number, call back)
    CONSULT = "consult"
    CONFERENCE = "conference"
    PARK = "park"  # asynchronous: a contact waits days for the customer


class RingPurpose(StrEnum):
    OFFER = "offer"  # a work item from a queue or a transfer
    CONSULT = "consult"  # another agent consults this one
    CALLBACK = "callback"  # the agent first, then the customer is dialled
    OUTBOUND = "outbound"  # the agent's own call out (click-to-dial, a preview contact)


class RingResult(StrEnum):
    ANSWERED = "answered"
    REJECTED = "rejected"  # declined, busy here
    NO_ANSWER = "no_answer"  # the device gave up ringing
    UNREACHABLE = "unreachable"  # no device (not registered, browser gone, not logged in)
    CANCELLED = "cancelled"  # withdrawn by us


class Release(StrEnum):
    """Why the lifecycle ends one party's side."""

    NORMAL = "normal"
    TRANSFERRED = "transferred"
    REJECTED = "rejected"
    NO_ANSWER = "no_answer"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class Ring:
    """Ring `agent_id` for `work_id` of `contact_id` for up to `timeout_s`."""

    contact_id: InteractionId
    agent_id: AgentId
    work_id: WorkId | None
    purpose: RingPurpose
    timeout_s: float
    caller_number: str | None = None  # what the agent's device shows
    caller_name: str | None = None


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """A transfer asked for on the agent's device (a SIP REFER), target already resolved."""

    contact_id: InteractionId
    agent_id: AgentId
    target_kind: str  # "agent" | "queue" | "number"
    target: str
    replaces: bool = False  # an attended transfer: the target is the agent's consultation


class ChannelUnsupported(InteractionError):
    """The contact's channel cannot do this (hold a chat, dial a number on an e-mail…)."""

    code = "interactions.channel.unsupported"


class Guard(Protocol):
    """Runs one step of the flow unless the customer leaves (`CallerHungUp`) or, while still
    in a queue's line, the queue decides first (`QueuePreempted`)."""

    async def __call__(self, work: Awaitable[T], *, preemptible: bool = True) -> T: ...


class FlowMedia(Protocol):
    """The channel's part of the flow's `InteractionPort` for one contact: prompts, keys,
    recordings, messages. The lifecycle adds queueing, transfers, callbacks and look-ups
    (`flowrun.ContactPort`)."""

    @property
    def channel(self) -> str: ...

    async def prepare(self, *, for_input: bool) -> None:
        """Before input or a queue: answer the call (prompts may play on early media)."""
        ...

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str: ...

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut: ...

    async def record(self, request: RecordVoicemail) -> RecordingDone: ...

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None: ...

    async def send(self, text: str) -> None: ...

    async def await_reply(self, timeout: float) -> str | None: ...

    async def listen(self, timeout: float, language: str) -> str | None:
        """What the caller says, recognized (voice with a recognizer; else `PortUnsupported`)."""
        ...


class Channel(Protocol):
    """One channel's adapter, as the lifecycle uses it."""

    name: str
    capabilities: frozenset[Capability]

    def opened(self, contact: Contact) -> None:
        """The centre started this contact itself (no customer side yet)."""
        ...

    # --- agents ---------------------------------------------------------------------------

    async def ring(self, ring: Ring) -> RingResult:
        """Offer the contact on the agent's device; returns once it is answered or not."""
        ...

    async def cancel(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        """Stop ringing (or end) that party's side."""
        ...

    def present(self, contact_id: InteractionId, party: str) -> bool:
        """Is that party's side up (answered and not ended)?"""
        ...

    async def connected(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        """An agent now talks to the customer (voice starts the queue's recording)."""
        ...

    # --- who hears whom -------------------------------------------------------------------

    async def join(self, contact_id: InteractionId, a: str, b: str) -> None: ...

    async def conference(self, contact_id: InteractionId, parties: Sequence[str]) -> None: ...

    async def hold(self, contact_id: InteractionId, party: str, *, by: str) -> None: ...

    async def resume(self, contact_id: InteractionId, party: str) -> None: ...

    async def release(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        """End that party's side of the contact (the others stay)."""
        ...

    async def dial(
        self, contact_id: InteractionId, number: str, *, customer: bool, timeout_s: float
    ) -> str | None:
        """Reach an outside number for the contact (the customer of an outbound contact when
        `customer`); its party key once it answered, None if it was not reached."""
        ...

    async def end(self, contact_id: InteractionId, reason: Release) -> tuple[str, int]:
        """End every side of the contact; how the customer's side ended (cause, Q.850)."""
        ...

    async def hang_up(self, contact_id: InteractionId, cause: str) -> None:
        """The flow ends the customer's side (`hangup` node: "normal", "busy" …); reported
        back as `party_left(CUSTOMER)` like any ending of it."""
        ...

    # --- the customer waiting -------------------------------------------------------------

    async def start_waiting(self, contact_id: InteractionId, queue_id: QueueId | None) -> None:
        """The customer waits (hold music, a holding message); out of any join."""
        ...

    async def stop_waiting(self, contact_id: InteractionId, *, keep_sound: bool) -> None: ...

    async def announce(
        self,
        contact_id: InteractionId,
        place: tuple[int, float | None] | None,
        request: Enqueue | None,
    ) -> None:
        """Tell the waiting customer their place and wait (and the queue node's message)."""
        ...

    def flow_media(self, contact: Contact, guard: Guard) -> FlowMedia: ...

    # --- agent controls -------------------------------------------------------------------

    async def mute(self, contact_id: InteractionId, party: str, muted: bool) -> None: ...

    async def send_dtmf(self, contact_id: InteractionId, party: str, digits: str) -> None: ...

    async def pause_recording(self, contact_id: InteractionId, paused: bool) -> None: ...

    async def accept(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        """The agent accepts a ring from the desk (a browser phone's answer button)."""
        ...

    async def transfer_progress(self, contact_id: InteractionId, party: str, status: int) -> None:
        """Tell the device that asked for a transfer how it went (a REFER's NOTIFY)."""
        ...


class ContactEvents(Protocol):
    """What a channel reports to the lifecycle (implemented by `ContactCenter`)."""

    def party_left(self, contact_id: InteractionId, party: str) -> None:
        """A party's side ended on its own (the customer hung up, an agent closed the chat)."""
        ...

    def party_held(self, contact_id: InteractionId, agent_id: AgentId, held: bool) -> None:
        """The agent's device put the customer on hold, or took the hold off."""
        ...

    def transfer_requested(self, request: TransferRequest) -> None: ...

    def agent_reachable(self, agent_id: AgentId, reachable: bool, *, grace_s: float = 0.0) -> None:
        """The agent's device came or went (registration, browser session); `grace_s`: an
        available agent is available again if the device is back that soon."""
        ...

    def customer_returned(self, contact_id: InteractionId) -> None:
        """The customer came back to a parked contact (an e-mail reply)."""
        ...
