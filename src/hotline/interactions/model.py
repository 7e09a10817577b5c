"""The live contact, its work items and agent segments (ADR 0061), channel-neutral.

A `Contact` is one customer contact from arrival to close, whatever its channel. Its state
follows the customer: in the flow (`ivr`), waiting in a queue (`queued`), talking to the centre
(`connected`), in line for a callback with the customer gone (`callback`), waiting for the
customer with no agent (`parked`, an e-mail answered and awaiting a reply), and `ended`. The
table is the law; the state moves only through `step`. Times accumulate per state so that
`interaction.ended` can say how long the flow, the waits and the talk took.

A `WorkItem` is one visit to a queue (or to one named agent) — what the router routes. An agent
who answers a work item has a *segment* of the contact: the router tracks its talk and wrap-up;
the contact keeps which agents are connected now (`agents`) and who talks to the customer
(`primary`). Nothing here knows SIP, RTP or legs: the voice adapter keeps those per contact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from hotline.errors import IllegalTransition
from hotline.ids import AgentId, InteractionId, QueueId, WorkId

if TYPE_CHECKING:
    from hotline.flows.actions import Enqueue
    from hotline.interactions.ports import CustomerRecord

__all__ = [
    "CONTACT_TRANSITIONS",
    "Contact",
    "ContactEvent",
    "ContactState",
    "Direction",
    "Origin",
    "Outcome",
    "WorkItem",
    "WorkKind",
]


class ContactState(StrEnum):
    IVR = "ivr"
    QUEUED = "queued"
    CONNECTED = "connected"
    CALLBACK = "callback"
    PARKED = "parked"
    ENDED = "ended"


class ContactEvent(StrEnum):
    ENQUEUE = "enqueue"  # a work item joined a queue (flow, transfer, overflow, resume)
    LEAVE = "leave"  # out of the line and back in the flow (max wait, unavailable, moved on)
    CONNECT = "connect"  # an agent (or a number) answered
    AGENT_LEFT = "agent_left"  # the centre side ended; the customer stays (survey)
    BOOK_CALLBACK = "book_callback"  # the customer hung up keeping the place
    PARK = "park"  # an asynchronous contact waits for the customer, no agent
    RESUME = "resume"  # the customer came back to a parked contact
    END = "end"


class Outcome(StrEnum):
    """Why the contact ended (`interaction.ended.reason`)."""

    COMPLETED = "completed"  # talked to the centre
    ABANDONED = "abandoned"  # left while waiting in a queue
    IVR = "ivr"  # ended in the flow without waiting for anyone
    VOICEMAIL = "voicemail"  # left a message
    CALLBACK_FAILED = "callback_failed"  # the booked callback did not reach the customer
    REJECTED = "rejected"  # could not be taken (no media, no flow)
    INTERRUPTED = "interrupted"  # Hotline stopped or restarted
    NOT_REACHED = "not_reached"  # an agent's own call out did not reach the customer


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Origin(StrEnum):
    """Who started the contact."""

    CUSTOMER = "customer"  # the customer called, wrote or opened a chat
    CALLBACK = "callback"  # a callback from the worklist (a missed contact)
    CLICK_TO_DIAL = "click_to_dial"  # an agent called out
    OUTBOUND = "outbound"  # created by the system before any customer leg (a campaign)


class WorkKind(StrEnum):
    QUEUE = "queue"  # the flow's queue node, or an overflow to another queue
    TRANSFER = "transfer"  # an agent sent the contact to a queue or another agent
    CONSULT = "consult"  # an agent consults another agent or queue, customer on hold
    OUTBOUND = "outbound"  # an agent reserved for a contact the centre starts


_S, _E = ContactState, ContactEvent

CONTACT_TRANSITIONS: dict[tuple[ContactState, ContactEvent], ContactState] = {
    (_S.IVR, _E.ENQUEUE): _S.QUEUED,
    (_S.IVR, _E.CONNECT): _S.CONNECTED,  # a flow's transfer to a number, an outbound contact
    (_S.IVR, _E.LEAVE): _S.IVR,
    (_S.IVR, _E.PARK): _S.PARKED,
    (_S.IVR, _E.END): _S.ENDED,
    (_S.QUEUED, _E.ENQUEUE): _S.QUEUED,
    (_S.QUEUED, _E.LEAVE): _S.IVR,
    (_S.QUEUED, _E.CONNECT): _S.CONNECTED,
    (_S.QUEUED, _E.BOOK_CALLBACK): _S.CALLBACK,
    (_S.QUEUED, _E.END): _S.ENDED,
    (_S.CONNECTED, _E.CONNECT): _S.CONNECTED,  # transferred to a number or another agent
    (_S.CONNECTED, _E.ENQUEUE): _S.QUEUED,  # a blind transfer to a queue or an agent
    (_S.CONNECTED, _E.AGENT_LEFT): _S.IVR,
    (_S.CONNECTED, _E.PARK): _S.PARKED,
    (_S.CONNECTED, _E.END): _S.ENDED,
    (_S.CALLBACK, _E.CONNECT): _S.CONNECTED,
    (_S.CALLBACK, _E.END): _S.ENDED,
    (_S.PARKED, _E.RESUME): _S.IVR,
    (_S.PARKED, _E.ENQUEUE): _S.QUEUED,
    (_S.PARKED, _E.END): _S.ENDED,
}


@dataclass(eq=False)
class WorkItem:
    """One visit of a contact to a queue or to one agent (what the router routes)."""

    work_id: WorkId
    contact_id: InteractionId
    kind: WorkKind
    queue_id: QueueId  # the queue, or the router's personal line for one agent
    entered_at: float
    target_agent: AgentId | None = None
    request: Enqueue | None = None  # the flow's queue node waiting on it
    by_agent: AgentId | None = None  # who transferred or consulted
    note: str | None = None
    agent_id: AgentId | None = None  # who answered it
    answered_at: float | None = None
    done: bool = False  # left the router (answered and over, abandoned, withdrawn)


@dataclass(eq=False)
class Contact:
    """One customer contact as the lifecycle sees it (no legs: those are the channel's)."""

    contact_id: InteractionId
    tenant_id: str
    channel: str
    created_at: float
    direction: Direction = Direction.INBOUND
    origin: Origin = Origin.CUSTOMER
    caller_number: str | None = None
    caller_name: str | None = None
    did: str | None = None
    record: CustomerRecord | None = None
    language: str = "zh-CN"
    related: InteractionId | None = None  # the missed contact a callback answers
    flow_name: str | None = None
    flow_end: str | None = None
    state: ContactState = ContactState.IVR
    since: float = 0.0
    seconds: dict[ContactState, float] = field(default_factory=dict)
    hold_s: float = 0.0
    held_since: float | None = None
    queue_id: QueueId | None = None  # the real queue it waits in, or was last answered from
    work: WorkItem | None = None  # the work item in the router now (waiting or ringing)
    works: dict[WorkId, WorkItem] = field(default_factory=dict)  # every one, by id
    agents: dict[AgentId, WorkId] = field(default_factory=dict)  # connected now → segment
    primary: str | None = None  # the party (an agent, a number) the customer talks to now
    last_agent: AgentId | None = None  # … or talked to last (CSAT, `interaction.ended`)
    last_segment: WorkId | None = None  # that agent's segment
    answered: bool = False
    outcome: Outcome | None = None
    voicemail: bool = False
    abandoned: bool = False
    callback_number: str | None = None
    customer_present: bool = True  # the customer's side is live (a call up, a chat open)
    closing: bool = False
    transfer_pending: bool = False  # a blind transfer waits in the router for its target
    flow_task: asyncio.Task[None] | None = None
    gone: asyncio.Event = field(default_factory=asyncio.Event)  # the customer left
    agent_left: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.since = self.since or self.created_at
        self.seconds = {s: 0.0 for s in ContactState}

    def __repr__(self) -> str:
        return f"<Contact {self.contact_id} {self.channel} {self.state.value}>"

    def step(self, event: ContactEvent, now: float) -> ContactState:
        found = CONTACT_TRANSITIONS.get((self.state, event))
        if found is None:
            raise IllegalTransition(
                "interaction", self.state.value, event.value, code="interactions.illegal_transition"
            )
        self.seconds[self.state] += max(0.0, now - self.since)
        self.state, self.since = found, now
        return found

    def seconds_in(self, state: ContactState, now: float) -> float:
        live = max(0.0, now - self.since) if self.state is state else 0.0
        return self.seconds[state] + live

    @property
    def in_line(self) -> bool:
        """A work item of it waits in the router (callbacks and calls out included)."""
        return self.work is not None and not self.work.done

    @property
    def live(self) -> bool:
        return self.customer_present and not self.gone.is_set()

    def segment_of(self, agent_id: AgentId) -> WorkId | None:
        return self.agents.get(agent_id)

    def variables(self) -> Mapping[str, str]:
        return {
            "caller.number": self.caller_number or "",
            "caller.name": self.caller_name or "",
            "dialed.number": self.did or "",
        }
