"""Forced reviews as a state machine (ADR 0212): closing needs a root cause and an action from
the lists, escalation only of an open review at or past its deadline, nothing after closing."""

from __future__ import annotations

import pytest

from hotline.errors import IllegalTransition
from hotline.quality import Review, ReviewState
from hotline.quality.errors import QualityInvalid, ReviewClosedAlready
from hotline.quality.reviews import TRANSITIONS, close, escalate

OPEN = Review(
    id="r1", tenant_id="t", interaction_id="c1", agent_id="a1", work_id="w1",
    supervisor_id="s1", survey="ivr", question="rating", rating=1, scale=5,
    state=ReviewState.OPEN, opened_at=100.0, due_at=200.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("cause", "action", "code"),
    [
        (None, "coaching", "quality.review.cause_required"),
        ("", "coaching", "quality.review.cause_required"),
        ("process", None, "quality.review.action_required"),
        ("weather", "coaching", "quality.review.cause_unknown"),
        ("process", "firing", "quality.review.action_unknown"),
    ],
)
def test_closing_needs_a_cause_and_an_action(
    cause: str | None, action: str | None, code: str
) -> None:
    with pytest.raises(QualityInvalid) as refused:
        close(OPEN, cause, action, "", "s1", 150.0)
    assert refused.value.code == code
    assert refused.value.details["field"] in ("cause", "action")


def test_close_and_escalate() -> None:
    closed = close(OPEN, "agent_skill", "coaching", " 语气生硬 ", "s1", 150.0)
    assert (closed.state, closed.cause, closed.action, closed.note) == (
        ReviewState.CLOSED, "agent_skill", "coaching", "语气生硬",
    )  # fmt: skip
    with pytest.raises(ReviewClosedAlready):
        close(closed, "other", "none", "", "s1", 160.0)
    assert escalate(closed, 300.0) is None
    assert escalate(OPEN, 199.9) is None  # early firing: nothing
    escalated = escalate(OPEN, 200.0)
    assert escalated is not None
    assert escalated.state is ReviewState.ESCALATED
    assert escalate(escalated, 400.0) is None  # once
    late = close(escalated, "process", "process_change", "", "s1", 500.0)
    assert late.state is ReviewState.CLOSED


def test_the_table_is_the_machine() -> None:
    assert set(TRANSITIONS.values()) == {ReviewState.CLOSED, ReviewState.ESCALATED}
    from hotline.quality.reviews import _move

    with pytest.raises(IllegalTransition):
        _move(OPEN, "reopen")
