"""Domain events of the interaction lifecycle (DESIGN §3.3), schema version 2 (ADR 0061).

`interaction.created` and `interaction.ended` bracket every contact, whatever its channel; the
envelope's `interaction_id` is always the contact. Work items and agent segments are named by
`work_id` (the router's events carry it too). `interaction.transferred` and the consultation
events say who moved the contact where; voicemail and agent-phone events let projections
rebuild mailboxes and who sits at which phone after a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.events import DomainEvent, domain_event

__all__ = [
    "AgentMuted",
    "AgentPhoneBound",
    "AgentPhoneUnbound",
    "InteractionConsultEnded",
    "InteractionConsultStarted",
    "InteractionCreated",
    "InteractionEnded",
    "InteractionParked",
    "InteractionResumed",
    "InteractionTransferred",
    "RecordingSkipped",
    "SupervisionChanged",
    "SupervisionStarted",
    "SupervisionStopped",
    "VoicemailNotified",
    "VoicemailRecorded",
]


@domain_event("interaction.created")
class InteractionCreated(DomainEvent):
    channel: str  # "voice", "chat", "email", "sms" …
    direction: str  # "inbound" | "outbound"
    caller_number: str | None
    caller_name: str | None
    did: str | None
    customer_id: str | None
    vip_level: int | None
    flow: str | None
    flow_version: int | None
    call_id: str | None = None  # voice only
    origin: str = "customer"  # "customer" | "callback" | "click_to_dial" | "outbound"
    related_interaction_id: str | None = None  # the missed contact a callback answers


@domain_event("interaction.transferred")
class InteractionTransferred(DomainEvent):
    """The envelope's `agent_id` transferred the contact (None: the flow or the router did)."""

    kind: str  # "blind" | "consult"
    target: str  # the agent id, queue id or number
    target_kind: str  # "agent" | "queue" | "number"
    queue_id: str | None  # the queue the transferor's segment came from
    note: str | None = None
    work_id: str | None = None  # the transferor's segment
    to_work_id: str | None = None  # the new work item (None for a number)


@domain_event("interaction.consult_started")
class InteractionConsultStarted(DomainEvent):
    """The envelope's agent consults `target` while the customer holds."""

    work_id: str | None  # the consultation's work item (None for a number)
    from_work_id: str | None  # the consulting agent's segment
    target: str
    target_kind: str  # "agent" | "queue" | "number"
    note: str | None = None


@domain_event("interaction.consult_ended")
class InteractionConsultEnded(DomainEvent):
    work_id: str | None
    # "completed" (handed over), "cancelled", "conference", "failed" (nobody answered)
    result: str


@domain_event("interaction.parked")
class InteractionParked(DomainEvent):
    """An asynchronous contact waits for the customer with no agent on it."""

    reason: str  # "awaiting_customer" …


@domain_event("interaction.resumed")
class InteractionResumed(DomainEvent):
    by: str  # "customer" | "agent" | "system"


@domain_event("interaction.ended")
class InteractionEnded(DomainEvent):
    """The contact is over. Durations are seconds; `queue_s` sums every wait in a queue."""

    reason: str  # InteractionOutcome value
    cause: str  # the customer leg's Cause
    q850: int
    queue_id: str | None
    answered: bool
    ivr_s: float
    queue_s: float
    talk_s: float
    hold_s: float
    total_s: float
    flow_end: str | None = None  # how the flow ended, if it ran


@domain_event("recording.skipped")
class RecordingSkipped(DomainEvent):
    """The call was to be recorded (its queue records) and was not: `reason` says why, e.g.
    `tenant.limit.recordings` (the center's recordings storage is full, docs/tenants.md)."""

    reason: str


@domain_event("voicemail.recorded")
class VoicemailRecorded(DomainEvent):
    mailbox: str
    recording_id: str
    path: str  # key under the recordings storage
    duration_s: float
    caller_number: str | None
    ended_by: str  # "silence" | "max_length" | "key" | "hangup"
    # The ticket the message opens (ADR 0162): department, subject, category, priority,
    # language and the caller's customer_id; the job host opens it once.
    ticket: Mapping[str, Any] | None = None


@domain_event("voicemail.notified")
class VoicemailNotified(DomainEvent):
    mailbox: str
    recording_id: str
    recipients: tuple[str, ...]
    sent: bool
    error: str | None = None


@domain_event("agent.phone_bound")
class AgentPhoneBound(DomainEvent):
    """An agent logged in to work at a phone: `kind` "sip" (a registered extension) or
    "browser" (the WebRTC session the gateway keeps under `address`)."""

    kind: str
    address: str  # the extension for "sip", the session key for "browser"


@domain_event("agent.phone_unbound")
class AgentPhoneUnbound(DomainEvent):
    kind: str
    address: str


@domain_event("agent.muted")
class AgentMuted(DomainEvent):
    """The agent muted (or unmuted) the call from the desk: the customer stops hearing it."""

    muted: bool


@domain_event("supervision.started")
class SupervisionStarted(DomainEvent):
    """A supervisor joined the envelope agent's call (`interaction_id`): 监听 / 耳语 / 强插."""

    supervisor_id: str  # the supervisor's user id
    mode: str  # "listen" | "whisper" | "barge"
    phone_kind: str  # "sip" | "browser"
    phone_address: str


@domain_event("supervision.changed")
class SupervisionChanged(DomainEvent):
    supervisor_id: str
    mode: str
    previous: str


@domain_event("supervision.stopped")
class SupervisionStopped(DomainEvent):
    supervisor_id: str
    # "stopped" (by the supervisor), "call_ended" (the agent's call ended or moved on),
    # "phone" (the supervisor's phone hung up, did not answer or went away)
    reason: str
