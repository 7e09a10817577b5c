"""Evaluations (ADR 0218): submit refuses a missing answer naming the question in the
evaluator's language, the agent acknowledges or disputes only her own, and a dispute is
resolved by a second evaluator — upheld, or rescored with the old score kept."""

from __future__ import annotations

import dataclasses

import pytest

from hotline.errors import IllegalTransition
from hotline.quality.errors import AnswerInvalid, EvaluationRefused, QualityInvalid
from hotline.quality.evaluations import (
    Evaluation,
    EvaluationState,
    Resolution,
    acknowledge,
    dispute,
    resolve,
    second_evaluator,
    submit,
)
from hotline.quality.scorecards import Scorecard

CARD = Scorecard.model_validate({
    "name": "calls", "title_zh": "通话", "title_en": "Calls",
    "sections": [{"key": "main", "title_zh": "主要", "title_en": "Main", "items": [
        {"key": "greeting", "text_zh": "规范问候", "text_en": "Proper greeting"},
        {"key": "verified", "text_zh": "核实身份", "text_en": "Identity verified",
         "critical": True},
    ]}],
})  # fmt: skip
ALL_YES = {"greeting": "yes", "verified": "yes"}


def draft() -> Evaluation:
    return Evaluation(
        id="e1", tenant_id="t", interaction_id="i", work_id="w", agent_id="ag",
        evaluator_id="qa1", scorecard="calls", version=1, state=EvaluationState.DRAFT,
        created_at=0.0,
    )  # fmt: skip


def test_submit_names_the_missing_question_in_the_evaluators_language() -> None:
    with pytest.raises(AnswerInvalid) as zh:
        submit(draft(), CARD, {"greeting": "yes"}, "zh-CN", 1.0)
    assert zh.value.details["question"] == "verified"
    assert "核实身份" in zh.value.message
    with pytest.raises(AnswerInvalid) as en:
        submit(draft(), CARD, {"verified": "yes"}, "en", 1.0)
    assert en.value.message == "Answer “Proper greeting” before submitting."
    with pytest.raises(QualityInvalid):
        submit(draft(), CARD, {**ALL_YES, "other": "yes"}, "en", 1.0)


def test_submit_scores_and_a_critical_no_scores_zero() -> None:
    done = submit(draft(), CARD, {"greeting": "yes", "verified": "no"}, "en", 5.0)
    assert (done.state, done.score, done.critical_failed) == (
        EvaluationState.SUBMITTED,
        0.0,
        ("verified",),
    )
    assert done.submitted_at == 5.0
    with pytest.raises(IllegalTransition):
        submit(done, CARD, ALL_YES, "en", 6.0)


def test_the_agent_acknowledges_or_disputes_only_her_own() -> None:
    done = submit(draft(), CARD, ALL_YES, "en", 1.0)
    with pytest.raises(EvaluationRefused):
        acknowledge(done, "someone_else", 2.0)
    assert acknowledge(done, "ag", 2.0).state is EvaluationState.ACKNOWLEDGED
    with pytest.raises(QualityInvalid):
        dispute(done, "ag", "  ", "qa2", 2.0)
    disputed = dispute(done, "ag", "I did verify", "qa2", 2.0)
    assert (disputed.state, disputed.second_evaluator_id) == (EvaluationState.DISPUTED, "qa2")
    with pytest.raises(IllegalTransition):
        acknowledge(disputed, "ag", 3.0)


def test_a_dispute_goes_to_a_second_evaluator() -> None:
    done = submit(draft(), CARD, {"greeting": "yes", "verified": "no"}, "en", 1.0)
    assert second_evaluator(done, ["qa1"], {}) is None
    assert second_evaluator(done, ["qa1", "qa3", "qa2"], {"qa2": 2}) == "qa3"
    disputed = dispute(done, "ag", "I did verify", "qa2", 2.0)
    with pytest.raises(EvaluationRefused, match="second evaluator"):
        resolve(disputed, CARD, "qa1", None, "", "en", 3.0)
    with pytest.raises(EvaluationRefused):
        resolve(disputed, CARD, "qa3", None, "", "en", 3.0)  # given to qa2
    upheld = resolve(disputed, CARD, "qa2", None, "the recording shows no check", "en", 3.0)
    assert (upheld.resolution, upheld.score) == (Resolution.UPHELD, 0.0)
    changed = resolve(disputed, CARD, "qa2", ALL_YES, "verified at 01:10", "en", 3.0)
    assert (changed.resolution, changed.score, changed.original_score) == (
        Resolution.CHANGED,
        100.0,
        0.0,
    )
    assert changed.state is EvaluationState.RESOLVED


def test_qa_averages_by_agent_team_question_and_evaluator() -> None:
    from hotline.quality.qa_figures import qa_averages

    good = submit(draft(), CARD, ALL_YES, "en", 1.0)
    failed = submit(
        dataclasses.replace(draft(), id="e2", agent_id="ag2", evaluator_id="qa2"),
        CARD, {"greeting": "yes", "verified": "no"}, "en", 1.0,
    )  # fmt: skip
    calibration = dataclasses.replace(good, id="e3", calibration_id="c1")
    got = qa_averages([good, failed, calibration, draft()], {"ag": ["一组"], "ag2": ["一组"]})
    assert (got.evaluations, got.average) == (2, 50.0)
    assert [(a.key, a.average, a.critical_failed) for a in got.by_agent] == [
        ("ag", 100.0, 0),
        ("ag2", 0.0, 1),
    ]
    assert [(a.key, a.evaluations, a.average) for a in got.by_team] == [("一组", 2, 50.0)]
    assert [(a.key, a.average) for a in got.by_question] == [
        ("greeting", 100.0),
        ("verified", 50.0),
    ]
    assert [a.key for a in got.by_evaluator] == ["qa1", "qa2"]
