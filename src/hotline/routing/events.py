"""Domain events the router emits: every agent state change and every queue happening.

The wallboard and the reports (`analytics/realtime`, issue 7) compute the GLOSSARY metrics from
exactly these events, so each carries what its metric needs without looking up configuration
that may have changed since: the queue, wait seconds, priority, the SL threshold in force.

How the metrics fall out of them (per queue and interval):

- offered = `queue.entered`; answered = `queue.answered`; abandoned = `queue.abandoned`
  (short when `wait_s` ≤ the report's threshold); callbacks = `queue.callback_requested`
- SL = answered with `wait_s` ≤ `sl_threshold_s` / (answered + abandoned with `wait_s` >
  `sl_threshold_s`); ASA = mean `wait_s` of `queue.answered`
- AHT = `agent.interaction_ended.talk_s` + `agent.wrap_up_ended.wrap_up_s`
- occupancy and utilization = sums of `agent.state_changed.previous_duration_s` by `previous`

`queue.offered` is an offer ringing an agent (振铃), not the "offered contacts" metric.
"""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event
from hotline.routing.agent_state import AgentState
from hotline.routing.capacity import Channel

__all__ = [
    "AgentInteractionEnded",
    "AgentStateChanged",
    "AgentWrapUpEnded",
    "AgentWrapUpExtended",
    "AgentWrapUpOverrun",
    "QueueAbandoned",
    "QueueAnswered",
    "QueueCallbackFailed",
    "QueueCallbackRequested",
    "QueueEntered",
    "QueueExited",
    "QueueOfferFailed",
    "QueueOffered",
    "QueueOverflowed",
    "QueueRejected",
]


@domain_event("agent.state_changed")
class AgentStateChanged(DomainEvent):
    """The agent moved from `previous` (held for `previous_duration_s`) to `state`.

    `reason` is the not-ready reason (break, lunch, missed, unreachable, login …) or the cause
    of a logout; `queue_id`/`work_id` name the work that caused a working state.
    """

    state: AgentState
    previous: AgentState
    reason: str | None = None
    queue_id: str | None = None
    channel: Channel | None = None
    previous_duration_s: float = 0.0
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("agent.interaction_ended")
class AgentInteractionEnded(DomainEvent):
    """The connected part of one interaction ended (talk + hold); wrap-up follows."""

    queue_id: str
    channel: Channel
    talk_s: float
    work_id: str | None = None  # the work item (queue visit) this is about
    wrap_up_ends_at: float | None = None  # when the wrap-up timer runs out (None: no wrap-up)


@domain_event("agent.wrap_up_ended")
class AgentWrapUpEnded(DomainEvent):
    queue_id: str
    channel: Channel
    wrap_up_s: float
    by_agent: bool  # ended by the agent, rather than by the queue's timer
    overrun_s: float = 0.0  # how long it ran past its timer waiting for a disposition
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("agent.wrap_up_extended")
class AgentWrapUpExtended(DomainEvent):
    queue_id: str
    extended_by_s: float
    ends_at: float
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("agent.wrap_up_overrun")
class AgentWrapUpOverrun(DomainEvent):
    """The wrap-up timer ran out but the queue requires a disposition that was not saved: the
    agent stays in after-call work until it is (`due_at`: when the timer ran out)."""

    queue_id: str
    due_at: float
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.entered")
class QueueEntered(DomainEvent):
    queue_id: str
    channel: Channel
    priority: int
    skills: tuple[str, ...]  # "skill>=level", the full requirement at entry
    customer_id: str | None = None
    position: int = 1
    ewt_s: float | None = None
    target_agent_id: str | None = None  # the personal line: offered to this agent only
    excluded_agents: tuple[str, ...] = ()  # never offered to them (the transferor)
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.rejected")
class QueueRejected(DomainEvent):
    """Turned away at the door: not counted as offered."""

    queue_id: str
    channel: Channel
    priority: int
    reason: str  # "full" | "closed"
    destination: str
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.offered")
class QueueOffered(DomainEvent):
    """An offer rings one agent (`agent_id`)."""

    queue_id: str
    via_queue_id: str  # the queue whose agents were searched (differs after add-queue overflow)
    priority: int
    wait_s: float
    attempt: int
    ring_timeout_s: float
    callback: bool = False
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.offer_failed")
class QueueOfferFailed(DomainEvent):
    """An offer to `agent_id` ended without an answer; the interaction keeps its place."""

    queue_id: str
    reason: str  # "no_answer" | "rejected" | "unreachable" | "answered_elsewhere" | "withdrawn"
    wait_s: float
    agent_not_ready: bool  # the agent was made not ready (RONA)
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.answered")
class QueueAnswered(DomainEvent):
    queue_id: str
    via_queue_id: str
    channel: Channel
    priority: int
    wait_s: float
    sl_threshold_s: float
    callback: bool = False
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.abandoned")
class QueueAbandoned(DomainEvent):
    """The caller left before an answer (hung up, closed the chat)."""

    queue_id: str
    channel: Channel
    priority: int
    wait_s: float
    sl_threshold_s: float
    position: int
    while_ringing: bool = False
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.overflowed")
class QueueOverflowed(DomainEvent):
    queue_id: str
    step: int
    action: str
    target: str | None
    wait_s: float
    left_queue: bool  # voicemail / transfer: the interaction is no longer in the router
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.callback_requested")
class QueueCallbackRequested(DomainEvent):
    """The caller hung up keeping its place in line; it counts in SL when called back."""

    queue_id: str
    wait_s: float
    number: str
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.callback_failed")
class QueueCallbackFailed(DomainEvent):
    queue_id: str
    wait_s: float
    reason: str
    work_id: str | None = None  # the work item (queue visit) this is about


@domain_event("queue.exited")
class QueueExited(DomainEvent):
    """The router sent the interaction elsewhere: max wait, closing time, or reconcile."""

    queue_id: str
    reason: str  # "max_wait" | "closed" | "reconciled" | "removed"
    destination: str
    wait_s: float
    work_id: str | None = None  # the work item (queue visit) this is about
