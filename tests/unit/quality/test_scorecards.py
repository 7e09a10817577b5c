"""Scorecard scoring (ADR 0217): weights, N/A left out of the denominator, a critical "no"
fails the whole evaluation, scales scored from their lowest to their best, and forms with
clashing keys or a critical scale refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotline.quality.scorecards import (
    NA,
    ItemKind,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
    answer_problem,
    score,
)


def item(key: str, **kw: object) -> ScorecardItem:
    return ScorecardItem.model_validate({"key": key, "text_zh": key, "text_en": key, **kw})


def card(*items: ScorecardItem) -> Scorecard:
    return Scorecard(
        name="calls", title_zh="通话", title_en="Calls",
        sections=(ScorecardSection(key="main", title_zh="主", title_en="Main", items=items),),
    )  # fmt: skip


CARD = card(
    item("greeting", weight=1),
    item("empathy", kind="scale", scale=5, weight=2, allow_na=True),
    item("verified", critical=True, weight=1),
    item("closing", weight=1, allow_na=True),
)


def test_weighted_mean_of_the_answers_as_a_percentage() -> None:
    got = score(CARD, {"greeting": "yes", "empathy": 3, "verified": "yes", "closing": "no"})
    # (1·1 + 2·0.5 + 1·1 + 1·0) / 5 = 3 / 5
    assert got.percent == 60.0
    assert got.critical_failed == ()
    assert got.points == {"greeting": 100.0, "empathy": 50.0, "verified": 100.0, "closing": 0.0}


def test_na_leaves_the_question_out_of_the_denominator() -> None:
    got = score(CARD, {"greeting": "yes", "empathy": NA, "verified": "yes", "closing": "no"})
    assert got.percent == pytest.approx(100 * 2 / 3, abs=0.01)
    assert got.points["empathy"] is None


def test_a_critical_no_fails_the_whole_evaluation() -> None:
    got = score(CARD, {"greeting": "yes", "empathy": 5, "verified": "no", "closing": "yes"})
    assert got.percent == 0.0
    assert got.critical_failed == ("verified",)


def test_scale_runs_from_its_lowest_to_its_best() -> None:
    one = card(item("q", kind="scale", scale=10))
    assert score(one, {"q": 1}).percent == 0.0
    assert score(one, {"q": 10}).percent == 100.0


def test_all_na_has_nothing_to_score() -> None:
    one = card(item("q", allow_na=True))
    assert score(one, {"q": NA}).percent is None


def test_answer_problems() -> None:
    yes_no, scale = item("a"), item("b", kind=ItemKind.SCALE, scale=4)
    assert answer_problem(yes_no, None) == "missing"
    assert answer_problem(yes_no, NA) == "na_not_allowed"
    assert answer_problem(yes_no, 1) == "invalid"
    assert answer_problem(scale, 5) == "invalid"
    assert answer_problem(scale, True) == "invalid"
    assert answer_problem(scale, "yes") == "invalid"
    assert answer_problem(scale, 4) is None
    assert answer_problem(yes_no, "no") is None


def test_forms_that_cannot_be_scored_are_refused() -> None:
    with pytest.raises(ValidationError, match="scorecard_keys_duplicate"):
        card(item("a"), item("a"))
    with pytest.raises(ValidationError, match="scorecard_critical_yes_no"):
        item("a", kind="scale", critical=True)
    with pytest.raises(ValidationError):
        item("a", weight=0)


def test_calibration_spread_per_question_leaves_na_out() -> None:
    from hotline.quality.calibration import spreads

    got = spreads(
        card(item("a"), item("b", allow_na=True)),
        [{"a": 100.0, "b": None}, {"a": 0.0, "b": 50.0}, {"a": 100.0, "b": 50.0}],
        [100.0, 0.0, 75.0],
    )
    a, b, total = got
    assert (a.key, a.answered, a.low, a.high, a.stddev) == ("a", 3, 0.0, 100.0, 47.14)
    assert (b.answered, b.low, b.high, b.stddev) == (2, 50.0, 50.0, 0.0)
    assert (total.key, total.low, total.high) == ("score", 0.0, 100.0)
