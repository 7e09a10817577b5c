"""Survey definitions and the rules that read their answers (ADR 0210): phone keys normalised
to "higher is better", web answers checked per kind, the forced-review threshold per kind."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotline.quality import DEFAULT_SURVEY, Question, QuestionKind, SurveyDefinition, is_low
from hotline.quality.surveys import is_satisfied, keyed_rating, normalise_answer

K = QuestionKind


def test_phone_keys_are_normalised_higher_is_better() -> None:
    # "满意请按 1，不满意请按 2": key 1 is the upper answer
    assert keyed_rating(K.SATISFIED, 1, 2) == 2
    assert keyed_rating(K.SATISFIED, 2, 2) == 1
    assert keyed_rating(K.SOLVED, 1, 2) == 2
    assert keyed_rating(K.SATISFIED, 3, 2) is None
    assert [keyed_rating(K.SCALE, k, 5) for k in (0, 1, 5, 6)] == [None, 1, 5, None]
    assert keyed_rating(K.NPS, 9, 10) is None  # NPS is asked on the link page only


@pytest.mark.parametrize(
    ("kind", "rating", "scale", "low"),
    [
        (K.SCALE, 1, 5, True),
        (K.SCALE, 2, 5, True),
        (K.SCALE, 3, 5, False),
        (K.SCALE, 3, 9, True),  # 2 of 5 scaled to 1–9: at most 3
        (K.SCALE, 4, 9, False),
        (K.SATISFIED, 1, 2, True),
        (K.SATISFIED, 2, 2, False),
        (K.SOLVED, 1, 2, True),
        (K.NPS, 6, 10, True),
        (K.NPS, 7, 10, False),
        (K.TEXT, 0, 0, False),
    ],
)
def test_the_review_threshold_per_kind(
    kind: QuestionKind, rating: int, scale: int, low: bool
) -> None:
    assert is_low(kind, rating, scale, at_most_of_5=2) is low


def test_a_question_of_its_own_threshold_wins() -> None:
    assert is_low(K.SCALE, 3, 5, at_most_of_5=2, own=3)
    assert not is_low(K.SCALE, 2, 5, at_most_of_5=2, own=1)


def test_satisfied_follows_the_centers_mark() -> None:
    assert is_satisfied(4, 5, 4)
    assert not is_satisfied(3, 5, 4)
    assert is_satisfied(2, 2, 4)
    assert not is_satisfied(1, 2, 4)


def test_web_answers_are_checked_per_kind() -> None:
    rating, solved, nps, comment = DEFAULT_SURVEY.questions
    assert normalise_answer(rating, "4") == 4
    assert normalise_answer(solved, "1") == 1
    assert normalise_answer(nps, "0") == 0
    assert normalise_answer(nps, "10") == 10
    assert normalise_answer(nps, "") is None  # optional
    assert normalise_answer(comment, "  态度很好 ") == "态度很好"
    for question, value, why in (
        (rating, "", "missing"),
        (rating, "6", "invalid"),
        (rating, "0", "invalid"),
        (rating, "x", "invalid"),
        (solved, "3", "invalid"),
        (nps, "11", "invalid"),
    ):
        with pytest.raises(ValueError, match=why):
            normalise_answer(question, value)


def test_a_definition_refuses_two_questions_with_one_key() -> None:
    q = Question(key="a", kind=K.SCALE, text_zh="打分", text_en="Rate")
    with pytest.raises(ValidationError, match="same key"):
        SurveyDefinition(name="x", title_zh="调查", title_en="Survey", questions=(q, q))
    survey = SurveyDefinition(name="x", title_zh="调查", title_en="Survey", questions=(q,))
    assert survey.question("a") is q
    assert survey.question("b") is None
    assert survey.title("zh-CN") == "调查"
    assert q.text("en") == "Rate"
