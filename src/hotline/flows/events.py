"""Domain events of flows: what a call did in its IVR, and what admins did to flows.

Interaction timeline and screen pop ("IVR path and digits collected") are projections of the
`flow.*` events the interpreter returns with each step; the driver hands them to the
`EventSink`. Values of variables marked sensitive (PINs) appear as "***".
"""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "DigitsCollectedEvent",
    "EmergencySwitched",
    "ExpressionFailed",
    "FlowActivated",
    "FlowEnded",
    "FlowPublished",
    "FlowStarted",
    "NodeEntered",
    "PromptSpoken",
    "SurveyAnswered",
    "VariableSet",
]


@domain_event("flow.started")
class FlowStarted(DomainEvent):
    flow: str
    version: int | None
    content_hash: str | None
    start: str
    language: str


@domain_event("flow.node_entered")
class NodeEntered(DomainEvent):
    flow: str
    node: str
    node_type: str
    title: str | None = None


@domain_event("flow.variable_set")
class VariableSet(DomainEvent):
    node: str
    name: str
    value: str | int | float | bool | None


@domain_event("flow.digits_collected")
class DigitsCollectedEvent(DomainEvent):
    node: str
    digits: str
    outcome: str  # "matched" | "invalid" | "timeout"
    attempt: int


@domain_event("flow.expression_failed")
class ExpressionFailed(DomainEvent):
    """An expression met values it could not work on; the flow went on as documented."""

    node: str
    field: str
    message: str


@domain_event("flow.prompt_spoken")
class PromptSpoken(DomainEvent):
    """Text a node filled with data and read to the caller (a ticket's number or status), as
    it was sent to the voice: what the caller was told stays in the contact's timeline."""

    node: str
    language: str
    text: str


@domain_event("flow.survey_answered")
class SurveyAnswered(DomainEvent):
    """A survey rating; the lifecycle stamps the envelope's `agent_id` and `work_id` with the
    contact's last answered segment (ADR 0061)."""

    node: str
    rating: int
    scale: int
    work_id: str | None = None


@domain_event("flow.ended")
class FlowEnded(DomainEvent):
    flow: str
    node: str
    reason: str  # EndReason value
    detail: str = ""


@domain_event("flow.published")
class FlowPublished(DomainEvent):
    name: str
    version: int
    content_hash: str
    published_by: str | None = None


@domain_event("flow.activated")
class FlowActivated(DomainEvent):
    """The version new calls get changed (publish or rollback)."""

    name: str
    version: int
    previous_version: int | None
    reason: str  # "publish" | "rollback"
    by: str | None = None


@domain_event("flow.emergency_switched")
class EmergencySwitched(DomainEvent):
    active: bool
    message: str | None = None
    by: str | None = None
