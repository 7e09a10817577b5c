"""Quality events (DESIGN §3.3): reviews opened, escalated and closed, and survey links sent, so
the timeline, the reports and webhooks see them. Survey answers themselves are
`flow.survey_answered` records whatever the channel (ADR 0210)."""

from __future__ import annotations

from hotline.events import DomainEvent, domain_event

__all__ = [
    "EvaluationAcknowledged",
    "EvaluationDisputed",
    "EvaluationResolved",
    "EvaluationSubmitted",
    "QaTaskCancelled",
    "QaTaskCreated",
    "QaTaskReassigned",
    "ReviewClosed",
    "ReviewEscalated",
    "ReviewOpened",
    "SurveyLinkSent",
]


@domain_event("quality.review_opened")
class ReviewOpened(DomainEvent):
    """`agent_id` (envelope) is the agent rated; `supervisor_id` who must review."""

    review_id: str
    supervisor_id: str | None
    survey: str
    question: str
    rating: int
    scale: int
    due_at: float
    work_id: str | None = None


@domain_event("quality.review_escalated")
class ReviewEscalated(DomainEvent):
    review_id: str
    supervisor_id: str | None
    due_at: float


@domain_event("quality.review_closed")
class ReviewClosed(DomainEvent):
    review_id: str
    cause: str
    action: str
    closed_by: str
    late: bool = False


@domain_event("quality.survey_link_sent")
class SurveyLinkSent(DomainEvent):
    """A link survey went out for the segment of `agent_id` / `work_id` (an offer: response
    rates divide the answered by these and the IVR's offers)."""

    link_id: str
    survey: str
    channel: str  # email (sms and chat arrive with their channels)
    expires_at: float
    work_id: str | None = None


@domain_event("quality.qa_task_created")
class QaTaskCreated(DomainEvent):
    """The sampling job picked the contact's segment of `agent_id` for a QA evaluation."""

    task_id: str
    work_id: str
    rule: str
    week: str
    assignee_id: str | None = None


@domain_event("quality.qa_task_reassigned")
class QaTaskReassigned(DomainEvent):
    """An admin or a QA user (`by`) gave the open task to another QA user."""

    task_id: str
    from_id: str | None
    to_id: str
    by: str


@domain_event("quality.qa_task_cancelled")
class QaTaskCancelled(DomainEvent):
    """An admin or a QA user (`by`) cancelled the open task; its contact stays sampled."""

    task_id: str
    reason: str
    by: str


@domain_event("quality.evaluation_submitted")
class EvaluationSubmitted(DomainEvent):
    """A QA evaluation of the segment `work_id` of `agent_id` was scored (a calibration's too,
    with its `calibration_id`)."""

    evaluation_id: str
    work_id: str
    evaluator_id: str
    scorecard: str
    version: int
    score: float | None
    critical_failed: tuple[str, ...] = ()
    calibration_id: str | None = None


@domain_event("quality.evaluation_acknowledged")
class EvaluationAcknowledged(DomainEvent):
    evaluation_id: str


@domain_event("quality.evaluation_disputed")
class EvaluationDisputed(DomainEvent):
    evaluation_id: str
    reason: str
    second_evaluator_id: str | None


@domain_event("quality.evaluation_resolved")
class EvaluationResolved(DomainEvent):
    evaluation_id: str
    resolver_id: str
    resolution: str  # upheld | changed
    score: float | None
    original_score: float | None = None
