"""QA scorecards (质检评分表) and the one rule that scores an evaluation (ADR 0217).

A scorecard is a form of sections and questions: yes/no or a 1–N scale, each with a weight,
N/A allowed where the form says so, and critical items (致命项) whose "no" fails the whole
evaluation. A question's points are 1 for yes, 0 for no, (answer − 1) / (N − 1) on a scale; the
score is the weighted mean of the answered questions as a percentage — N/A leaves the question
out of the denominator — and 0 when a critical item is answered "no". Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "NA",
    "Answer",
    "ItemKind",
    "Score",
    "Scorecard",
    "ScorecardItem",
    "ScorecardSection",
    "ScorecardState",
    "answer_problem",
    "item_points",
    "score",
]

NA = "na"
Answer = str | int
"""What an evaluator gives a question: "yes" / "no" (yes/no), 1..N (scale), "na" where allowed."""


class ItemKind(StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"


class ScorecardState(StrEnum):
    DRAFT = "draft"  # editable; no evaluation may use it
    PUBLISHED = "published"  # immutable; evaluations use it
    RETIRED = "retired"  # a newer version was published; evaluations made with it keep it


Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class ScorecardItem(BaseModel):
    """One question of the form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    text_zh: Label
    text_en: Label
    kind: ItemKind = ItemKind.YES_NO
    scale: Annotated[int, Field(ge=2, le=10)] = 5  # scale questions: 1..scale, scale best
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    allow_na: bool = False
    critical: bool = False  # a "no" fails the whole evaluation (score 0)

    @model_validator(mode="after")
    def _critical_is_yes_no(self) -> ScorecardItem:
        if self.critical and self.kind is not ItemKind.YES_NO:
            raise PydanticCustomError(
                "scorecard_critical_yes_no", "A critical item must be a yes/no question."
            )
        return self

    def text(self, language: str) -> str:
        return self.text_zh if language.startswith("zh") else self.text_en


class ScorecardSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    title_zh: Label
    title_en: Label
    items: tuple[ScorecardItem, ...] = Field(min_length=1, max_length=50)


class Scorecard(BaseModel):
    """The form as an admin writes it; its version and state live beside it in the store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Key
    title_zh: Label
    title_en: Label
    sections: tuple[ScorecardSection, ...] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_keys(self) -> Scorecard:
        sections = [s.key for s in self.sections]
        items = [i.key for i in self.items()]
        if len(set(sections)) != len(sections) or len(set(items)) != len(items):
            raise PydanticCustomError(
                "scorecard_keys_duplicate", "Two sections or two questions have the same key."
            )
        return self

    def items(self) -> Iterator[ScorecardItem]:
        for section in self.sections:
            yield from section.items

    def item(self, key: str) -> ScorecardItem | None:
        return next((i for i in self.items() if i.key == key), None)


def answer_problem(item: ScorecardItem, answer: Any) -> str | None:
    """Why this answer does not fit the question ("missing", "na_not_allowed", "invalid"),
    or None when it does."""
    if answer is None or answer == "":
        return "missing"
    if answer == NA:
        return None if item.allow_na else "na_not_allowed"
    if item.kind is ItemKind.YES_NO:
        return None if answer in ("yes", "no") else "invalid"
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "invalid"
    return None if 1 <= answer <= item.scale else "invalid"


def item_points(item: ScorecardItem, answer: Answer) -> float | None:
    """The question's points from 0 to 1, None for N/A. The answer must fit the question."""
    if answer == NA:
        return None
    if item.kind is ItemKind.YES_NO:
        return 1.0 if answer == "yes" else 0.0
    return (int(answer) - 1) / (item.scale - 1)


@dataclass(frozen=True, slots=True)
class Score:
    percent: float | None  # None: every question answered N/A, nothing to score
    critical_failed: tuple[str, ...]  # keys of the critical items answered "no"
    points: dict[str, float | None]  # per question, 0–100, None for N/A


def score(card: Scorecard, answers: Mapping[str, Answer]) -> Score:
    """The evaluation's score from complete, valid answers (see the module docstring)."""
    weighted = 0.0
    weights = 0.0
    failed: list[str] = []
    points: dict[str, float | None] = {}
    for item in card.items():
        got = item_points(item, answers[item.key])
        points[item.key] = None if got is None else round(got * 100, 2)
        if got is None:
            continue
        if item.critical and answers[item.key] == "no":
            failed.append(item.key)
        weighted += item.weight * got
        weights += item.weight
    if failed:
        return Score(0.0, tuple(failed), points)
    if weights == 0:
        return Score(None, (), points)
    return Score(round(100 * weighted / weights, 2), (), points)
