"""What the router tells its caller to do: frozen values returned by every router operation.

`interactions/` (call control) turns each into an action and reports the outcome back:

- `Offer` → ring the agent (phone or browser leg, or show the chat); report
  `offer_answered` / `offer_rejected` / `agent_unreachable`. The router fires RONA by itself
  after `ring_timeout_s` and then returns `CancelOffer(reason=NO_ANSWER)`.
- `DialCallback` → the agent is reserved for a callback: dial `number`, connect it to the
  agent, then report `offer_answered` (or `callback_failed`).
- `CancelOffer` → stop ringing that agent (answered elsewhere, caller gone, no answer).
- `Announce` → tell the caller their position and estimated wait (`ewt_s` None: unknown).
- `OfferCallback` → offer the caller a callback (prompt + DTMF); on yes call
  `request_callback`.
- `Overflow` → an overflow step fired; when `left_queue` the interaction is no longer in the
  router and must go to `destination` (voicemail, transfer out).
- `Rejected` → not queued at all (full, closed): send to `destination`.
- `Exited` → removed from the queue by the router (max wait, closing time): go to `destination`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotline.ids import AgentId, QueueId, WorkId
from hotline.routing.capacity import Channel
from hotline.routing.destinations import Destination

__all__ = [
    "Announce",
    "CancelOffer",
    "Decision",
    "DialCallback",
    "ExitReason",
    "Exited",
    "Offer",
    "OfferCallback",
    "OfferEnd",
    "Overflow",
    "RejectReason",
    "Rejected",
]


class OfferEnd(StrEnum):
    """Why an offer stopped ringing without being answered."""

    NO_ANSWER = "no_answer"  # RONA: ring timeout
    REJECTED = "rejected"  # the agent declined, or the phone refused
    UNREACHABLE = "unreachable"  # phone unregistered, network error
    ANSWERED_ELSEWHERE = "answered_elsewhere"  # ring-all: another agent won
    CALLER_GONE = "caller_gone"  # abandoned while ringing
    WITHDRAWN = "withdrawn"  # reconcile, queue reconfigured


class RejectReason(StrEnum):
    FULL = "full"
    CLOSED = "closed"


class ExitReason(StrEnum):
    MAX_WAIT = "max_wait"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Offer:
    work_id: WorkId
    agent_id: AgentId
    queue_id: QueueId
    channel: Channel
    ring_timeout_s: float
    attempt: int
    priority: int


@dataclass(frozen=True, slots=True)
class DialCallback:
    work_id: WorkId
    agent_id: AgentId
    queue_id: QueueId
    number: str
    ring_timeout_s: float


@dataclass(frozen=True, slots=True)
class CancelOffer:
    work_id: WorkId
    agent_id: AgentId
    reason: OfferEnd


@dataclass(frozen=True, slots=True)
class Announce:
    work_id: WorkId
    queue_id: QueueId
    position: int
    ewt_s: float | None


@dataclass(frozen=True, slots=True)
class OfferCallback:
    work_id: WorkId
    queue_id: QueueId
    position: int
    ewt_s: float | None


@dataclass(frozen=True, slots=True)
class Overflow:
    work_id: WorkId
    queue_id: QueueId
    step: int
    action: str
    target: str | None
    left_queue: bool
    destination: Destination | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    work_id: WorkId
    queue_id: QueueId
    reason: RejectReason
    destination: Destination


@dataclass(frozen=True, slots=True)
class Exited:
    work_id: WorkId
    queue_id: QueueId
    reason: ExitReason
    destination: Destination


Decision = (
    Offer | DialCallback | CancelOffer | Announce | OfferCallback | Overflow | Rejected | Exited
)
