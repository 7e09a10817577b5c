"""Call scripts: checked whole with the problem's place named, merge fields, branching paths,
and answers saved into the record's fields all or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.dialer.errors import DialerError
from hotline.dialer.script import (
    apply_answers,
    opening_for,
    parse_script,
    render,
    saved_answers,
    walk,
)

SCRIPT: dict[str, Any] = {
    "opening_zh": "您好，{name}，您的{custom.plan}套餐即将到期。",
    "opening_en": "Hello {name}, your {custom.plan} plan ends soon.",
    "questions": [
        {"key": "renew", "text_zh": "您愿意续费吗？", "text_en": "Would you renew?",
         "type": "choice", "choices": ["yes", "no", "later"], "field": "custom.renewal",
         "next": {"no": "reason", "later": "when"}, "required": True},
        {"key": "months", "text_zh": "续几个月？", "text_en": "How many months?",
         "type": "number", "next": None},
        {"key": "reason", "text_zh": "原因？", "text_en": "Why not?", "next": None},
        {"key": "when", "text_zh": "何时回电？", "text_en": "When to call back?", "type": "date"},
    ],
}  # fmt: skip


def test_merge_fields_fill_the_opening() -> None:
    script = parse_script(SCRIPT)
    fields = {"name": "王一", "plan": "金卡"}
    assert render(script.opening("zh-CN"), fields) == "您好，王一，您的金卡套餐即将到期。"
    assert render(script.opening("en"), {}) == "Hello , your  plan ends soon."


def test_the_path_follows_the_answers() -> None:
    script = parse_script(SCRIPT)
    assert [q.key for q in walk(script, {})] == ["renew"]
    assert [q.key for q in walk(script, {"renew": "yes"})] == ["renew", "months"]
    assert [q.key for q in walk(script, {"renew": "no", "reason": "x"})] == ["renew", "reason"]
    assert [q.key for q in walk(script, {"renew": "later"})] == ["renew", "when"]


def test_answers_land_in_the_fields() -> None:
    script = parse_script(SCRIPT)
    fields = {"name": "王一", "plan": "金卡"}
    out = apply_answers(script, fields, {"renew": "yes", "months": "12"})
    assert out == {"name": "王一", "plan": "金卡", "renewal": "yes", "months": 12}
    assert fields == {"name": "王一", "plan": "金卡"}  # nothing changed in place


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({}, "answers.renew"),  # required
        ({"renew": "maybe"}, "answers.renew"),
        ({"renew": "yes", "months": "many"}, "answers.months"),
        ({"renew": "yes", "months": "nan"}, "answers.months"),
        ({"renew": "yes", "reason": "x"}, "answers.reason"),  # off the path
        ({"renew": "later", "when": "tomorrow"}, "answers.when"),
    ],
)
def test_a_bad_answer_names_its_question(answers: dict[str, Any], field: str) -> None:
    with pytest.raises(DialerError) as caught:
        apply_answers(parse_script(SCRIPT), {}, answers)
    assert caught.value.details["field"] == field


def broken(index: int, **change: Any) -> dict[str, Any]:
    questions = [dict(q) for q in SCRIPT["questions"]]
    questions[index].update(change)
    return {**SCRIPT, "questions": questions}


@pytest.mark.parametrize(
    ("script", "field"),
    [
        (broken(0, key="Renew"), "script.questions.0.key"),
        (broken(1, key="renew"), "script.questions.1.key"),
        (broken(1, type="slider"), "script.questions.1.type"),
        (broken(0, choices=["yes"]), "script.questions.0.choices"),
        (broken(2, text_en=" "), "script.questions.2.text_en"),
        (broken(0, next={"maybe": "reason"}), "script.questions.0.next.maybe"),
        (broken(0, next={"no": "nowhere"}), "script.questions.0.next.no"),
        (broken(3, next="renew"), "script.questions.3.next"),
        (broken(1, field="Custom Field"), "script.questions.1.field"),
        ({"questions": "none"}, "script.questions"),
    ],
)
def test_a_bad_script_names_the_place(script: dict[str, Any], field: str) -> None:
    with pytest.raises(DialerError) as caught:
        parse_script(script)
    assert caught.value.details["field"] == field


def test_the_opening_of_a_record_fills_its_fields_and_number() -> None:
    script = parse_script({**SCRIPT, "opening_en": "Hello {name} at {phone}."})
    fields = {"name": "王一", "plan": "金卡"}
    assert opening_for(script, fields, "+8613800138001", "en") == "Hello 王一 at +8613800138001."
    assert opening_for(script, fields, "+86", "zh-CN") == "您好，王一，您的金卡套餐即将到期。"


def test_answers_the_record_already_holds_come_back_on_their_path() -> None:
    script = parse_script(SCRIPT)
    assert saved_answers(script, {"name": "王一"}) == {}
    # saved under the question's field (custom.renewal → renewal) and key (months)
    saved = saved_answers(script, {"renewal": "yes", "months": 12, "reason": "off the path"})
    assert saved == {"renew": "yes", "months": 12}
    assert [q.key for q in walk(script, saved)] == ["renew", "months"]
    # the branch taken decides what else comes back; a later unanswered question stops it
    assert saved_answers(script, {"renewal": "no", "months": 12}) == {"renew": "no"}
    # a value no longer among the choices is asked again
    assert saved_answers(script, {"renewal": "maybe", "months": 12}) == {}
    # what comes back saves again unchanged
    fields = {"renewal": "later", "when": "2026-12-31"}
    assert apply_answers(script, fields, saved_answers(script, fields)) == fields
