"""Survey definitions (满意度调查) and the rules that read their answers: which kinds of
question there are, what each takes, which answers count as satisfied (CSAT) and which are low
enough to force a review (docs/quality.md, ADR 0210).

Every answer is normalised to "higher is better": on the phone "满意请按 1，不满意请按 2" is a
`satisfied` question whose key 1 is stored as 2 of 2 (satisfied) and key 2 as 1 of 2, so the
CSAT figures, the forced-review threshold and the reports read one direction on every scale.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "CSAT_KINDS",
    "DEFAULT_SURVEY",
    "Question",
    "QuestionKind",
    "SurveyDefinition",
    "is_low",
    "is_satisfied",
    "keyed_rating",
    "normalise_answer",
]


class QuestionKind(StrEnum):
    SCALE = "scale"  # 1–scale (default 1–5), 5 best
    SATISFIED = "satisfied"  # 满意 / 不满意: stored 2 = satisfied, 1 = unsatisfied
    SOLVED = "solved"  # 问题是否解决: stored 2 = yes, 1 = no (feeds "solved by the customer")
    NPS = "nps"  # 0–10 would you recommend us (link surveys; a phone has one key per answer)
    TEXT = "text"  # free text (link surveys only)


CSAT_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.SATISFIED})
"""The kinds whose answers are CSAT answers (客户满意度); `solved`, NPS and text are not."""

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: Key
    kind: QuestionKind
    text_zh: Text
    text_en: Text
    scale: Annotated[int, Field(ge=2, le=9)] = 5  # `scale` questions only
    required: bool = True
    # A review is forced when the answer is at most this (normalised); None = the center's
    # default (`quality.review_at_most` on 1–5, scaled; unsatisfied; NPS 0–6).
    review_at_most: Annotated[int, Field(ge=0, le=10)] | None = None

    @property
    def top(self) -> int:
        """The best normalised answer."""
        return {
            QuestionKind.SCALE: self.scale,
            QuestionKind.SATISFIED: 2,
            QuestionKind.SOLVED: 2,
            QuestionKind.NPS: 10,
            QuestionKind.TEXT: 0,
        }[self.kind]

    @property
    def bottom(self) -> int:
        return 0 if self.kind is QuestionKind.NPS else 1

    def text(self, language: str) -> str:
        return self.text_zh if language.lower().startswith("zh") else self.text_en


class SurveyDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
    title_zh: Text
    title_en: Text
    questions: Annotated[tuple[Question, ...], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _keys_unique(self) -> SurveyDefinition:
        keys = [q.key for q in self.questions]
        if len(set(keys)) != len(keys):
            raise PydanticCustomError(
                "survey_keys_duplicate", "Two questions of the survey have the same key."
            )
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def title(self, language: str) -> str:
        return self.title_zh if language.lower().startswith("zh") else self.title_en


DEFAULT_SURVEY = SurveyDefinition(
    name="default",
    title_zh="服务满意度调查",
    title_en="How did we do?",
    questions=(
        Question(key="rating", kind=QuestionKind.SCALE, text_zh="请为本次服务打分（1–5 分）",
                 text_en="Rate this service from 1 to 5"),
        Question(key="solved", kind=QuestionKind.SOLVED, text_zh="您的问题解决了吗？",
                 text_en="Was your problem solved?"),
        Question(key="nps", kind=QuestionKind.NPS, required=False,
                 text_zh="您有多大可能向朋友推荐我们？（0–10）",
                 text_en="How likely are you to recommend us to a friend? (0–10)"),
        Question(key="comment", kind=QuestionKind.TEXT, required=False,
                 text_zh="还有什么想告诉我们的吗？", text_en="Anything else you want to tell us?"),
    ),
)  # fmt: skip
"""The survey a center has before it defines its own (link surveys name it by default)."""


def keyed_rating(kind: QuestionKind, key: int, scale: int) -> int | None:
    """The normalised answer of a phone key, or None when the key is not an answer: scale
    questions take 1–scale as is; yes/no questions take 1 (yes, 满意) and 2 (no)."""
    if kind is QuestionKind.SCALE:
        return key if 1 <= key <= scale else None
    if kind in (QuestionKind.SATISFIED, QuestionKind.SOLVED):
        return {1: 2, 2: 1}.get(key)
    return None


def normalise_answer(question: Question, value: Any) -> int | str | None:
    """The stored form of a web answer; None for an optional question left empty. Raises
    ValueError naming what is wrong (the service turns it into `QualityInvalid`)."""
    if value is None or value == "":
        if question.required:
            raise ValueError("missing")
        return None
    if question.kind is QuestionKind.TEXT:
        text = str(value).strip()
        if len(text) > 2000:
            raise ValueError("invalid")
        return text or None
    try:
        number = int(str(value))
    except ValueError:
        raise ValueError("invalid") from None
    if not question.bottom <= number <= question.top:
        raise ValueError("invalid")
    return number


def is_satisfied(rating: int, scale: int, satisfied_from: int) -> bool:
    """A CSAT answer is satisfied at or above the center's mark (GLOSSARY: 4–5 on 1–5; the
    upper answer of a two-answer question)."""
    return rating >= (2 if scale == 2 else satisfied_from)


def is_low(
    kind: QuestionKind,
    rating: int,
    scale: int,
    *,
    at_most_of_5: int,
    nps_at_most: int = 6,
    own: int | None = None,
) -> bool:
    """Whether a normalised answer forces a review: at most the question's own threshold,
    else the center's (`at_most_of_5` on 1–5, scaled to the question's scale and rounded
    down; the unsatisfied / not-solved answer; NPS detractors 0–6)."""
    if kind is QuestionKind.TEXT:
        return False
    if own is not None:
        return rating <= own
    if kind is QuestionKind.NPS:
        return rating <= nps_at_most
    if scale == 2 or kind is not QuestionKind.SCALE:
        return rating <= 1
    return rating <= max(1, (at_most_of_5 * scale) // 5)
