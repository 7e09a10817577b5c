"""A survey node asking one question of a survey definition (docs/quality.md): the offer is
logged when the caller reaches it, and "满意请按 1，不满意请按 2" is stored higher-is-better."""

from __future__ import annotations

from typing import Any

from hotline.flows.events import SurveyAnswered, SurveyOffered
from hotline.flows.inputs import DigitsCollected
from hotline.flows.interpreter import Program
from hotline.flows.loader import parse_flow

NOW = 1_795_400_000.0


def program(**survey: Any) -> Program:
    nodes = {
        "s": {"type": "survey", "prompt": "满意请按1，不满意请按2", "next": "x", **survey},
        "x": {"type": "hangup"},
    }
    return Program(
        parse_flow({"name": "t", "start": "s", "nodes": nodes}), version=1, content_hash="h"
    )


def answered(p: Program, key: str) -> list[Any]:
    first = p.start(tenant_id="t1", now=NOW, variables={}, interaction_id="i-1")
    offered = [e for e in first.events if isinstance(e, SurveyOffered)]
    assert [(e.survey, e.question) for e in offered] == [
        (p.flow.nodes["s"].survey, p.flow.nodes["s"].question)  # type: ignore[union-attr]
    ]
    r = p.step(first.state, DigitsCollected(key), NOW + 3)
    return [e for e in r.events if isinstance(e, SurveyAnswered)]


def test_a_satisfied_question_stores_key_1_as_the_upper_answer() -> None:
    p = program(survey="after_call", question="satisfied", answers="satisfied")
    [yes] = answered(p, "1")
    assert (yes.rating, yes.scale, yes.kind, yes.survey, yes.question, yes.channel) == (
        2, 2, "satisfied", "after_call", "satisfied", "ivr",
    )  # fmt: skip
    [no] = answered(p, "2")
    assert (no.rating, no.scale) == (1, 2)
    assert answered(p, "3") == []  # not an answer: asked again


def test_a_plain_scale_survey_is_as_before() -> None:
    [rated] = answered(program(), "4")
    assert (rated.rating, rated.scale, rated.kind, rated.survey, rated.question) == (
        4, 5, "scale", None, None,
    )  # fmt: skip
