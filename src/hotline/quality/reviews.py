"""Forced reviews (差评复核): an unhappy rating opens a review for the agent's supervisor with a
deadline; closing names a root cause and an action; an open review past its deadline escalates
(ADR 0212). States are data: `TRANSITIONS` is the whole machine."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from hotline.errors import IllegalTransition
from hotline.quality.errors import QualityInvalid, ReviewClosedAlready

__all__ = [
    "TRANSITIONS",
    "Review",
    "ReviewAction",
    "ReviewState",
    "RootCause",
    "close",
    "escalate",
]


class ReviewState(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"  # still open, past its deadline, raised to the escalation users
    CLOSED = "closed"


class RootCause(StrEnum):
    AGENT_SKILL = "agent_skill"  # 坐席技能
    PROCESS = "process"  # 流程
    PRODUCT = "product"  # 产品
    POLICY = "policy"  # 政策
    OTHER = "other"  # 其他


class ReviewAction(StrEnum):
    COACHING = "coaching"  # 辅导
    PROCESS_CHANGE = "process_change"  # 流程改进
    NONE = "none"  # 无需处理


TRANSITIONS: dict[tuple[ReviewState, str], ReviewState] = {
    (ReviewState.OPEN, "close"): ReviewState.CLOSED,
    (ReviewState.ESCALATED, "close"): ReviewState.CLOSED,
    (ReviewState.OPEN, "escalate"): ReviewState.ESCALATED,
}


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    tenant_id: str
    interaction_id: str
    agent_id: str | None
    work_id: str | None
    supervisor_id: str | None  # the agent's team's supervisor when opened; None = any
    survey: str
    question: str
    rating: int
    scale: int
    state: ReviewState
    opened_at: float
    due_at: float
    cause: RootCause | None = None
    action: ReviewAction | None = None
    note: str = ""
    closed_at: float | None = None
    closed_by: str | None = None
    escalated_at: float | None = None


def _move(review: Review, what: str) -> ReviewState:
    after = TRANSITIONS.get((review.state, what))
    if after is None:
        if review.state is ReviewState.CLOSED:
            raise ReviewClosedAlready(review.id)
        raise IllegalTransition("review", review.state.value, what, code="quality.review.illegal")
    return after


def close(
    review: Review, cause: str | None, action: str | None, note: str, by: str, now: float
) -> Review:
    """The closed review; refused without a root cause and an action from the lists."""
    if not cause:
        raise QualityInvalid("quality.review.cause_required", "cause")
    if not action:
        raise QualityInvalid("quality.review.action_required", "action")
    try:
        root = RootCause(cause)
    except ValueError:
        raise QualityInvalid("quality.review.cause_unknown", "cause", value=cause) from None
    try:
        taken = ReviewAction(action)
    except ValueError:
        raise QualityInvalid("quality.review.action_unknown", "action", value=action) from None
    state = _move(review, "close")
    return dataclasses.replace(
        review, state=state, cause=root, action=taken, note=note.strip()[:2000],
        closed_at=now, closed_by=by,
    )  # fmt: skip


def escalate(review: Review, now: float) -> Review | None:
    """The escalated review when it is open and due; None when nothing is to be done (closed in
    time, escalated already, or the firing came early)."""
    if review.state is not ReviewState.OPEN or now < review.due_at:
        return None
    return dataclasses.replace(review, state=_move(review, "escalate"), escalated_at=now)
