"""Domain events of flows: what a call did in its IVR, and what admins did to flows.

Interaction timeline and screen pop ("IVR path and digits collected") are projections of the
`flow.*` events the interpreter returns with each step; the driver hands them to the
`EventSink`. Values of variables marked sensitive (PINs) appear as "***".
"""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "BotHandedOff",
    "BotTurn",
    "DigitsCollectedEvent",
    "EmergencySwitched",
    "ExpressionFailed",
    "FlowActivated",
    "FlowEnded",
    "FlowPublished",
    "FlowStarted",
    "NodeEntered",
    "PromptSpoken",
    "SmsWanted",
    "SurveyAnswered",
    "SurveyOffered",
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
    rating: int  # normalised: higher is better (a satisfied / solved "yes" is 2 of 2)
    scale: int
    work_id: str | None = None
    # Which survey definition and question (docs/quality.md); `kind` "scale" and "satisfied"
    # are CSAT answers, "solved", "nps" and "text" are not. `channel`: ivr, email (link) …
    survey: str | None = None
    question: str | None = None
    kind: str = "scale"
    text: str | None = None
    channel: str = "ivr"


@domain_event("flow.survey_offered")
class SurveyOffered(DomainEvent):
    """The caller reached a survey question (the denominator of the response rate)."""

    node: str
    survey: str | None = None
    question: str | None = None
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


@domain_event("sms.wanted")
class SmsWanted(DomainEvent):
    """A text the flow asks for ("we will text you a link"): the center's SMS template in the
    caller's language, filled with `values`; the SMS channel sends it (docs/sms.md)."""

    node: str
    to: str
    template: str
    values: dict[str, str]
    language: str


@domain_event("flow.bot_turn")
class BotTurn(DomainEvent):
    """One question the bot took and what it did (the containment and unanswered-question
    figures read these): `outcome` "answer" | "offer" | "retry" | "hand_off" | "no_reply"."""

    node: str
    question: str
    outcome: str
    article_id: str | None = None
    title: str | None = None
    confidence: float = 0.0
    reason: str | None = None
    language: str = "zh-CN"


@domain_event("flow.bot_handed_off")
class BotHandedOff(DomainEvent):
    """The bot passed the customer on to a person; `reason` as in `BotTurn`."""

    node: str
    reason: str
    turns: int
