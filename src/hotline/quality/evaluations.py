"""QA evaluations (质检评分) of one agent segment against a published scorecard version, and
what the agent may do with one (ADR 0218): acknowledge it, or dispute it with a reason — a
dispute goes to a second evaluator, never the first, who upholds the score or changes answers.
States are data (`TRANSITIONS`); every function returns the new evaluation and raises a
translated error naming what is wrong. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hotline.errors import IllegalTransition
from hotline.quality.errors import AnswerInvalid, EvaluationRefused, QualityInvalid
from hotline.quality.scorecards import Answer, Scorecard, answer_problem, score

__all__ = [
    "TRANSITIONS",
    "Comment",
    "Evaluation",
    "EvaluationState",
    "Resolution",
    "acknowledge",
    "check_answers",
    "dispute",
    "resolve",
    "second_evaluator",
    "submit",
]


class EvaluationState(StrEnum):
    DRAFT = "draft"  # the evaluator is filling it
    SUBMITTED = "submitted"  # scored; the agent sees it
    ACKNOWLEDGED = "acknowledged"  # the agent accepted it (final)
    DISPUTED = "disputed"  # the agent disputed it; a second evaluator has it
    RESOLVED = "resolved"  # the second evaluator upheld or changed it (final)


class Resolution(StrEnum):
    UPHELD = "upheld"
    CHANGED = "changed"


TRANSITIONS: dict[tuple[EvaluationState, str], EvaluationState] = {
    (EvaluationState.DRAFT, "submit"): EvaluationState.SUBMITTED,
    (EvaluationState.SUBMITTED, "acknowledge"): EvaluationState.ACKNOWLEDGED,
    (EvaluationState.SUBMITTED, "dispute"): EvaluationState.DISPUTED,
    (EvaluationState.DISPUTED, "resolve"): EvaluationState.RESOLVED,
}


@dataclass(frozen=True, slots=True)
class Comment:
    """A remark anchored at a time of the recording (seconds from its start), or about the
    whole contact (`at_s` None)."""

    id: str
    at_s: float | None
    text: str
    by: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: str
    tenant_id: str
    interaction_id: str
    work_id: str
    agent_id: str
    evaluator_id: str
    scorecard: str
    version: int
    state: EvaluationState
    created_at: float
    task_id: str | None = None
    calibration_id: str | None = None  # a calibration's evaluations are not the agent's
    answers: dict[str, Answer] = dataclasses.field(default_factory=dict)
    score: float | None = None
    critical_failed: tuple[str, ...] = ()
    points: dict[str, float | None] = dataclasses.field(default_factory=dict)
    submitted_at: float | None = None
    acknowledged_at: float | None = None
    dispute_reason: str = ""
    disputed_at: float | None = None
    second_evaluator_id: str | None = None  # who resolves the dispute (never the evaluator)
    resolver_id: str | None = None
    resolution: Resolution | None = None
    resolution_note: str = ""
    original_score: float | None = None  # the score before the second evaluator changed it
    resolved_at: float | None = None


def _move(evaluation: Evaluation, what: str) -> EvaluationState:
    after = TRANSITIONS.get((evaluation.state, what))
    if after is None:
        raise IllegalTransition(
            "evaluation", evaluation.state.value, what, code="quality.evaluation.state"
        )
    return after


def check_answers(
    card: Scorecard, answers: Mapping[str, Any], language: str, *, complete: bool
) -> dict[str, Answer]:
    """The answers that fit the form; refused naming the first question (in the form's order)
    that is unknown, unanswered (when `complete`) or answered with what it does not take."""
    for key in answers:
        if card.item(key) is None:
            raise QualityInvalid("quality.evaluation.question_unknown", f"answers.{key}")
    clean: dict[str, Answer] = {}
    for item in card.items():
        given = answers.get(item.key)
        problem = answer_problem(item, given)
        if problem == "missing" and not complete:
            continue
        if problem is not None:
            raise AnswerInvalid(problem, item.key, item.text(language))
        assert given is not None
        clean[item.key] = given
    return clean


def submit(
    evaluation: Evaluation,
    card: Scorecard,
    answers: Mapping[str, Any],
    language: str,
    now: float,
) -> Evaluation:
    """Scored and visible to the agent; refused while a question is unanswered."""
    state = _move(evaluation, "submit")
    clean = check_answers(card, answers, language, complete=True)
    got = score(card, clean)
    return dataclasses.replace(
        evaluation, state=state, answers=clean, score=got.percent,
        critical_failed=got.critical_failed, points=got.points, submitted_at=now,
    )  # fmt: skip


def acknowledge(evaluation: Evaluation, agent_id: str, now: float) -> Evaluation:
    if evaluation.agent_id != agent_id or evaluation.calibration_id is not None:
        raise EvaluationRefused("quality.evaluation.not_yours")
    return dataclasses.replace(
        evaluation, state=_move(evaluation, "acknowledge"), acknowledged_at=now
    )


def dispute(
    evaluation: Evaluation, agent_id: str, reason: str, second: str | None, now: float
) -> Evaluation:
    """The agent disputes her evaluation; refused without a reason. `second`: the evaluator
    who will resolve it (`second_evaluator`), None while the center has no other."""
    if evaluation.agent_id != agent_id or evaluation.calibration_id is not None:
        raise EvaluationRefused("quality.evaluation.not_yours")
    if not reason.strip():
        raise QualityInvalid("quality.evaluation.reason_required", "reason")
    return dataclasses.replace(
        evaluation, state=_move(evaluation, "dispute"), dispute_reason=reason.strip()[:2000],
        disputed_at=now, second_evaluator_id=second,
    )  # fmt: skip


def resolve(
    evaluation: Evaluation,
    card: Scorecard,
    resolver_id: str,
    answers: Mapping[str, Any] | None,
    note: str,
    language: str,
    now: float,
) -> Evaluation:
    """The second evaluator's decision: no answers upholds the score; answers (the whole form)
    rescore it. The first evaluator may not resolve her own evaluation's dispute."""
    if resolver_id == evaluation.evaluator_id:
        raise EvaluationRefused("quality.evaluation.second_evaluator")
    if evaluation.second_evaluator_id not in (None, resolver_id):
        raise EvaluationRefused("quality.evaluation.not_yours")
    state = _move(evaluation, "resolve")
    base = dataclasses.replace(
        evaluation, state=state, resolver_id=resolver_id, resolution_note=note.strip()[:2000],
        resolved_at=now,
    )  # fmt: skip
    if answers is None:
        return dataclasses.replace(base, resolution=Resolution.UPHELD)
    clean = check_answers(card, answers, language, complete=True)
    got = score(card, clean)
    return dataclasses.replace(
        base, resolution=Resolution.CHANGED, answers=clean, score=got.percent,
        critical_failed=got.critical_failed, points=got.points,
        original_score=evaluation.score,
    )  # fmt: skip


def second_evaluator(
    evaluation: Evaluation, evaluators: Sequence[str], open_disputes: Mapping[str, int]
) -> str | None:
    """Who resolves a dispute: the QA user with the fewest open disputes (ties by id), never
    the first evaluator; None when the center has no other."""
    able = sorted(e for e in evaluators if e != evaluation.evaluator_id)
    if not able:
        return None
    return min(able, key=lambda e: (open_disputes.get(e, 0), e))
