"""Quality errors: a stable code each and an English message that is a catalog id (the UI
catalog has the Chinese), so the API answers in the caller's language; specifics in `details`."""

from __future__ import annotations

from typing import Any, ClassVar

from hotline.errors import Conflict, InvalidInput, NotFound, PermissionDenied

__all__ = [
    "TRANSLATED",
    "AnswerInvalid",
    "EvaluationNotFound",
    "EvaluationRefused",
    "QaTaskNotFound",
    "QaTaskRefused",
    "QualityInvalid",
    "ReviewClosedAlready",
    "ReviewNotFound",
    "ReviewNotYours",
    "ScorecardNotFound",
    "ScorecardPublished",
    "SurveyLinkRefused",
    "SurveyNotFound",
]


class QualityInvalid(InvalidInput):
    """Bad input naming the field: `QualityInvalid("quality.review.cause_required", "cause")`."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "quality.review.cause_required": "Choose the root cause before closing the review.",
        "quality.review.action_required": "Choose the action taken before closing the review.",
        "quality.review.cause_unknown": "This root cause is not one of the list.",
        "quality.review.action_unknown": "This action is not one of the list.",
        "quality.survey.answer_invalid": "This answer is not one the question takes.",
        "quality.survey.answer_missing": "Please answer this question.",
        "quality.survey.question_unknown": "The survey has no such question.",
        "quality.survey.questions_duplicate": "Two questions of the survey have the same key.",
        "quality.link.email_invalid": "This is not an e-mail address.",
        "quality.link.contact_unknown": "No such contact, or nobody of the center answered it.",
        "quality.sampling.invalid": "This sampling rule is not valid.",
        "quality.sampling.percent_required": "A random rule needs a percentage from 1 to 100.",
        "quality.sampling.seconds_required": "A length rule needs a number of seconds.",
        "quality.sampling.dispositions_required": (
            "A disposition rule needs at least one disposition."
        ),
        "quality.sampling.weeks_required": "A new-agent rule needs a number of weeks.",
        "quality.sampling.keys_duplicate": "Two sampling rules have the same key.",
        "quality.sampling.week_invalid": "Give the week as year and ISO week, like 2026-W49.",
        "quality.sampling.percent_range": "The percentage must be more than 0 and at most 100.",
        "quality.sampling.seconds_range": (
            "The number of seconds must be more than 0 and at most 86400 (one day)."
        ),
        "quality.sampling.at_most_range": "The rating must be from 1 to 4 (on a 1–5 scale).",
        "quality.sampling.weeks_range": "The number of weeks must be from 1 to 52.",
        "quality.sampling.key_invalid": (
            "A rule's key is 1 to 32 lowercase letters, digits or underscores."
        ),
        "quality.sampling.dispositions_invalid": (
            "Give disposition codes of 1 to 32 characters, separated by commas."
        ),
        "quality.task.reason_required": "Say why the task is cancelled.",
        "quality.task.reason_long": "The reason may be at most 500 characters.",
        "quality.task.assignee_unknown": "Choose one of the center's QA users.",
        "quality.task.assignee_own_work": (
            "This QA user is the agent of the contact: choose another evaluator."
        ),
        "quality.evaluation.question_unknown": "The scorecard has no such question.",
        "quality.evaluation.reason_required": "Say why you dispute this evaluation.",
        "quality.evaluation.time_invalid": "A comment's time must be within the recording.",
        "quality.evaluation.text_required": "Write the comment.",
        "quality.scorecard.invalid": "This scorecard is not valid.",
        "quality.calibration.evaluators_required": ("A calibration needs at least two evaluators."),
    }

    def __init__(self, code: str, field: str, **details: Any) -> None:
        super().__init__(self.MESSAGES[code], code=code, details={"field": field, **details})


class EvaluationRefused(Conflict):
    """What an evaluation does not allow now, or not to this user."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "quality.evaluation.not_yours": "This evaluation is not yours to do this.",
        "quality.evaluation.second_evaluator": (
            "A dispute is resolved by a second evaluator, not the first."
        ),
        "quality.evaluation.own_work": "You may not evaluate your own contact.",
        "quality.evaluation.task_taken": "This QA task has an evaluation already.",
        "quality.evaluation.scorecard_draft": "Publish the scorecard before evaluating with it.",
    }

    def __init__(self, code: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(self.MESSAGES[code], code=code, details=details or {})


class QaTaskRefused(Conflict):
    """What a QA task does not allow now (reassigning or cancelling it)."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "quality.task.not_open": "This QA task is no longer open.",
        "quality.task.started": (
            "Its evaluator has started the evaluation: the task can no longer be reassigned "
            "or cancelled."
        ),
        "quality.sampling.not_scheduled": "Save the sampling rules first: then the job can run.",
    }

    def __init__(self, code: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(self.MESSAGES[code], code=code, details=details or {})


class QaTaskNotFound(NotFound):
    def __init__(self, task_id: str) -> None:
        super().__init__("No such QA task.", code="quality.task.not_found",
                         details={"id": task_id})  # fmt: skip


class AnswerInvalid(InvalidInput):
    """A question of the scorecard unanswered or answered with what it does not take, named
    in the evaluator's language (`details.template` with `params.question`, ADR 0125)."""

    QUESTION: ClassVar[dict[str, str]] = {
        "missing": "Answer “%(question)s” before submitting.",
        "na_not_allowed": "“%(question)s” may not be answered N/A.",
        "invalid": "“%(question)s” does not take this answer.",
    }

    def __init__(self, problem: str, key: str, text: str) -> None:
        template = self.QUESTION[problem]
        super().__init__(
            template % {"question": text}, code=f"quality.evaluation.answer_{problem}",
            details={"question": key, "template": template, "params": {"question": text}},
        )  # fmt: skip


class EvaluationNotFound(NotFound):
    def __init__(self, evaluation_id: str) -> None:
        super().__init__("No such evaluation.", code="quality.evaluation.not_found",
                         details={"id": evaluation_id})  # fmt: skip


class ScorecardNotFound(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__("No such scorecard.", code="quality.scorecard.not_found",
                         details={"name": name})  # fmt: skip


class ScorecardPublished(Conflict):
    def __init__(self, name: str, version: int) -> None:
        super().__init__(
            "A published scorecard cannot be changed: make a new version.",
            code="quality.scorecard.published", details={"name": name, "version": version},
        )  # fmt: skip


class ReviewNotFound(NotFound):
    def __init__(self, review_id: str) -> None:
        super().__init__("No such review.", code="quality.review.not_found",
                         details={"id": review_id})  # fmt: skip


class SurveyNotFound(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__("No such survey.", code="quality.survey.not_found",
                         details={"name": name})  # fmt: skip


class ReviewNotYours(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("This review belongs to another supervisor's team.",
                         code="quality.review.not_yours")  # fmt: skip


class ReviewClosedAlready(Conflict):
    def __init__(self, review_id: str) -> None:
        super().__init__("This review is already closed.", code="quality.review.closed",
                         details={"id": review_id})  # fmt: skip


class SurveyLinkRefused(Conflict):
    """A survey link that cannot be answered: used, expired or not ours (forged)."""

    MESSAGES: ClassVar[dict[str, str]] = {
        "quality.link.used": "This survey was already answered. Thank you!",
        "quality.link.expired": "This survey link has expired.",
        "quality.link.forged": "This survey link is not valid.",
    }

    def __init__(self, code: str) -> None:
        super().__init__(self.MESSAGES[code], code=code)


TRANSLATED: tuple[str, ...] = (
    *QualityInvalid.MESSAGES.values(),
    *SurveyLinkRefused.MESSAGES.values(),
    *EvaluationRefused.MESSAGES.values(),
    *QaTaskRefused.MESSAGES.values(),
    "No such QA task.",
    *AnswerInvalid.QUESTION.values(),
    "No such evaluation.",
    "No such scorecard.",
    "A published scorecard cannot be changed: make a new version.",
    "No such review.",
    "No such survey.",
    "This review belongs to another supervisor's team.",
    "This review is already closed.",
    "Only admins and QA users may do this.",
)
"""Every sentence these errors say: the catalog must translate each (tests/unit/web)."""
