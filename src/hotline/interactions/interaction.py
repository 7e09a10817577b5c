"""`VoiceInteraction`: one voice contact from arrival to close, its state machine and clocks.

States follow the customer: in the IVR (`ivr`), waiting in a queue (`queued`, offers may ring),
talking to the centre (`connected` — an agent, a consulted party, a number it was transferred
to), a callback booked while the caller is gone (`callback`), and `ended`. The table is the law;
`InteractionState` moves only through `step`. Times accumulate per state so that
`interaction.ended` can say how long the IVR, the wait, the talk and the hold took.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum

from hotline.calls import Call, Leg
from hotline.errors import IllegalTransition
from hotline.flows.actions import Enqueue
from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions.ports import CustomerRecord

__all__ = [
    "INTERACTION_TRANSITIONS",
    "InteractionEvent",
    "InteractionOutcome",
    "InteractionState",
    "VoiceInteraction",
]


class InteractionState(StrEnum):
    IVR = "ivr"
    QUEUED = "queued"
    CONNECTED = "connected"
    CALLBACK = "callback"
    ENDED = "ended"


class InteractionEvent(StrEnum):
    ENQUEUE = "enqueue"  # joined a queue (flow, transfer, overflow to another queue)
    LEAVE = "leave"  # left the line and is back in the IVR (max wait, unavailable, flow moved on)
    CONNECT = "connect"  # an agent (or a number) answered
    AGENT_LEFT = "agent_left"  # the centre side hung up; the caller stays (survey)
    BOOK_CALLBACK = "book_callback"  # the caller hung up keeping the place
    END = "end"


class InteractionOutcome(StrEnum):
    """Why the contact ended (`interaction.ended.reason`)."""

    COMPLETED = "completed"  # talked to the centre
    ABANDONED = "abandoned"  # hung up while waiting
    IVR = "ivr"  # ended in the IVR without waiting for anyone
    VOICEMAIL = "voicemail"  # left a message
    CALLBACK_FAILED = "callback_failed"  # the booked callback did not reach the customer
    REJECTED = "rejected"  # could not be taken (no media, no flow)
    INTERRUPTED = "interrupted"  # Hotline stopped or restarted


_S, _E = InteractionState, InteractionEvent

INTERACTION_TRANSITIONS: dict[tuple[InteractionState, InteractionEvent], InteractionState] = {
    (_S.IVR, _E.ENQUEUE): _S.QUEUED,
    (_S.IVR, _E.CONNECT): _S.CONNECTED,  # a flow's transfer to a number
    (_S.IVR, _E.LEAVE): _S.IVR,
    (_S.IVR, _E.END): _S.ENDED,
    (_S.QUEUED, _E.ENQUEUE): _S.QUEUED,
    (_S.QUEUED, _E.LEAVE): _S.IVR,
    (_S.QUEUED, _E.CONNECT): _S.CONNECTED,
    (_S.QUEUED, _E.BOOK_CALLBACK): _S.CALLBACK,
    (_S.QUEUED, _E.END): _S.ENDED,
    (_S.CONNECTED, _E.CONNECT): _S.CONNECTED,  # transferred to a number or consulted party
    (_S.CONNECTED, _E.ENQUEUE): _S.QUEUED,  # blind transfer to a queue or an agent
    (_S.CONNECTED, _E.AGENT_LEFT): _S.IVR,
    (_S.CONNECTED, _E.END): _S.ENDED,
    (_S.CALLBACK, _E.CONNECT): _S.CONNECTED,
    (_S.CALLBACK, _E.END): _S.ENDED,
}


class VoiceInteraction:
    def __init__(
        self,
        interaction_id: InteractionId,
        *,
        tenant_id: str,
        call: Call,
        customer: Leg | None,
        created_at: float,
        direction: str = "inbound",
        caller_number: str | None = None,
        did: str | None = None,
        record: CustomerRecord | None = None,
        language: str = "zh-CN",
        parent: InteractionId | None = None,
    ) -> None:
        self.interaction_id = interaction_id
        self.tenant_id = tenant_id
        self.call = call
        self.customer = customer
        self.created_at = created_at
        self.direction = direction
        self.caller_number = caller_number
        self.did = did
        self.record = record
        self.language = language
        self.parent = parent
        self.state = InteractionState.IVR
        self.since = created_at
        self.seconds: dict[InteractionState, float] = {s: 0.0 for s in InteractionState}
        self.hold_s = 0.0
        self.held_since: float | None = None
        self.queue_id: QueueId | None = None  # the queue it waits in, or was answered from
        self.agent_id: AgentId | None = None  # the agent connected now (or last)
        self.handling_agent: AgentId | None = None  # whom the router counts as handling it
        self.agent_leg: Leg | None = None  # the centre side the customer talks to
        self.answered = False
        self.outcome: InteractionOutcome | None = None
        self.voicemail = False
        self.abandoned = False  # hung up while waiting in a queue
        self.flow_name: str | None = None
        self.flow_end: str | None = None
        self.flow_task: asyncio.Task[None] | None = None
        self.wait: Enqueue | None = None  # the queue request the caller is waiting on
        self.offers: dict[AgentId, Leg | None] = {}  # ringing agents (None: INVITE not out yet)
        self.cancelled_offers: set[AgentId] = set()
        self.transfer_target: str | None = None  # set while a transfer waits in a queue
        self.callback_number: str | None = None
        self.closing = False  # end_interaction is under way
        self.early_media = False  # play prompts before answering (183) until input is needed
        self.recording_started = False
        self.recording_paused = False  # 暂停录音 from the desk, until resumed
        self.customer_gone = asyncio.Event()
        self.agent_left = asyncio.Event()
        self.ended = asyncio.Event()

    def __repr__(self) -> str:
        return f"<VoiceInteraction {self.interaction_id} {self.state.value}>"

    def step(self, event: InteractionEvent, now: float) -> InteractionState:
        found = INTERACTION_TRANSITIONS.get((self.state, event))
        if found is None:
            raise IllegalTransition(
                "interaction",
                self.state.value,
                event.value,
                code="interactions.illegal_transition",
            )
        self.seconds[self.state] += max(0.0, now - self.since)
        self.state, self.since = found, now
        return found

    def seconds_in(self, state: InteractionState, now: float) -> float:
        live = max(0.0, now - self.since) if self.state is state else 0.0
        return self.seconds[state] + live

    @property
    def in_line(self) -> bool:
        """Waiting in a router queue (the router has it), callbacks included."""
        return self.state in (InteractionState.QUEUED, InteractionState.CALLBACK)

    @property
    def customer_up(self) -> bool:
        return self.customer is not None and self.customer.is_live
