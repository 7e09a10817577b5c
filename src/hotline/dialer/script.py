"""A campaign's call script: an opening with merge fields (`{name}`, `{custom.plan}`) and
branching questions whose answers are saved into the record's fields (and so into the
customer's custom fields of the same key).

    {"opening_zh": "您好，{name}，我是…", "opening_en": "Hello {name}, …",
     "questions": [
       {"key": "interested", "text_zh": "…", "text_en": "…", "type": "choice",
        "choices": ["yes", "no"], "field": "custom.interest",
        "next": {"yes": "budget", "no": null}},
       {"key": "budget", "text_zh": "…", "text_en": "…", "type": "number"}]}

`next` is a question key, null (the end), or per choice a key or null; absent means the next
question in the list. A script is checked whole when saved (`parse_script`); answers are
checked against the path they walk (`apply_answers`), all or nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hotline.dialer.errors import DialerError

__all__ = [
    "Question",
    "Script",
    "apply_answers",
    "opening_for",
    "parse_script",
    "render",
    "saved_answers",
    "walk",
]

TYPES = ("text", "choice", "number", "boolean", "date")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MERGE = re.compile(r"\{([a-z][a-z0-9_.]{0,60})\}")
_END = object()


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    text_zh: str
    text_en: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    field: str = ""  # where the answer lands; default custom.<key>
    required: bool = False
    next: str | Mapping[str, str | None] | object | None = _END  # _END: the following one

    def text(self, language: str) -> str:
        return self.text_zh if language.startswith("zh") else self.text_en

    @property
    def target(self) -> str:
        return self.field or f"custom.{self.key}"


@dataclass(frozen=True, slots=True)
class Script:
    opening_zh: str = ""
    opening_en: str = ""
    questions: tuple[Question, ...] = ()

    def opening(self, language: str) -> str:
        return self.opening_zh if language.startswith("zh") else self.opening_en

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)


def _text(data: Mapping[str, Any], name: str, where: str, *, limit: int) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise DialerError("must be text", field=f"{where}.{name}", value=value)
    if len(value) > limit:
        raise DialerError(f"at most {limit} characters", field=f"{where}.{name}")
    return value


def parse_script(data: Mapping[str, Any]) -> Script:
    """A stored or submitted script, checked whole; a problem names its place
    (`script.questions.1.next.yes`)."""
    if not isinstance(data, Mapping):
        raise DialerError("a script is a mapping", field="script")
    raw = data.get("questions") or []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise DialerError("questions are a list", field="script.questions")
    if len(raw) > 50:
        raise DialerError("at most 50 questions", field="script.questions")
    questions: list[Question] = []
    keys: set[str] = set()
    for index, item in enumerate(raw):
        where = f"script.questions.{index}"
        if not isinstance(item, Mapping):
            raise DialerError("a question is a mapping", field=where)
        key = str(item.get("key") or "")
        if not _KEY.match(key):
            raise DialerError(
                "a key is lower-case letters, digits and _", field=f"{where}.key", value=key
            )
        if key in keys:
            raise DialerError("the key is used twice", field=f"{where}.key", value=key)
        keys.add(key)
        kind = str(item.get("type") or "text")
        if kind not in TYPES:
            raise DialerError(
                f"a type is one of {', '.join(TYPES)}", field=f"{where}.type", value=kind
            )
        choices = tuple(str(c) for c in item.get("choices") or ())
        if kind == "choice" and len(choices) < 2:
            raise DialerError("a choice question needs two choices", field=f"{where}.choices")
        text_zh = _text(item, "text_zh", where, limit=500)
        text_en = _text(item, "text_en", where, limit=500)
        if not text_zh.strip() or not text_en.strip():
            raise DialerError(
                "a question is written in zh-CN and en",
                field=f"{where}.text_zh" if not text_zh.strip() else f"{where}.text_en",
            )
        target = str(item.get("field") or "")
        if target and not re.match(r"^(custom\.)?[a-z][a-z0-9_]{0,39}$", target):
            raise DialerError("not a field name", field=f"{where}.field", value=target)
        nxt: str | Mapping[str, str | None] | object | None = _END
        if "next" in item:
            nxt = item["next"]
            if isinstance(nxt, Mapping):
                for choice in nxt:
                    if str(choice) not in choices:
                        raise DialerError(
                            "not one of the question's choices", field=f"{where}.next.{choice}"
                        )
                nxt = {str(k): (None if v is None else str(v)) for k, v in nxt.items()}
            elif nxt is not None:
                nxt = str(nxt)
        questions.append(
            Question(key, text_zh, text_en, kind, choices, target, bool(item.get("required")), nxt)
        )
    for index, q in enumerate(questions):
        targets = q.next.values() if isinstance(q.next, Mapping) else [q.next]
        for choice, target in zip(
            q.next.keys() if isinstance(q.next, Mapping) else [""], targets, strict=False
        ):
            if isinstance(target, str) and target not in keys:
                place = f".next.{choice}" if choice else ".next"
                raise DialerError(
                    "no question has this key",
                    field=f"script.questions.{index}{place}",
                    value=target,
                )
            if isinstance(target, str) and _position(questions, target) <= index:
                place = f".next.{choice}" if choice else ".next"
                raise DialerError(
                    "a question leads only to a later one (no loops)",
                    field=f"script.questions.{index}{place}",
                    value=target,
                )
    return Script(
        _text(data, "opening_zh", "script", limit=2000),
        _text(data, "opening_en", "script", limit=2000),
        tuple(questions),
    )


def _position(questions: Sequence[Question], key: str) -> int:
    return next(i for i, q in enumerate(questions) if q.key == key)


def render(text: str, fields: Mapping[str, Any]) -> str:
    """Merge fields: `{name}`, `{phone}`, `{custom.plan}` (custom fields stored by key);
    an unknown or empty field leaves nothing."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = fields.get(name, fields.get(name.removeprefix("custom.")))
        return "" if found is None else str(found)

    return _MERGE.sub(value, text)


def opening_for(script: Script, fields: Mapping[str, Any], phone: str, language: str) -> str:
    """The opening the agent reads to the callee of a record with `fields` and `phone`: the
    preview card's and a live call's alike."""
    return render(script.opening(language), {**fields, "phone": phone})


def saved_answers(script: Script, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a record's fields already hold, on the script's path: what the agent
    answered earlier (a reloaded screen, a second look in wrap-up) — or what the list brought
    — comes back into the questions. A saved value that is no longer one of a choice
    question's choices is left out (asked again)."""
    answers: dict[str, Any] = {}
    while True:
        path = walk(script, answers)
        if not path or path[-1].key in answers:  # the path's end
            return answers
        asked = path[-1]
        value = fields.get(asked.target.removeprefix("custom."))
        if value is None or value == "":
            return answers
        if asked.type == "choice" and str(value) not in asked.choices:
            return answers
        answers[asked.key] = value


def walk(script: Script, answers: Mapping[str, Any]) -> list[Question]:
    """The questions asked, in order, given the answers so far (the path stops at the first
    unanswered question, which is included)."""
    path: list[Question] = []
    index = 0
    while index < len(script.questions):
        q = script.questions[index]
        path.append(q)
        if q.key not in answers:
            break
        nxt = q.next
        if isinstance(nxt, Mapping):
            nxt = nxt.get(str(answers[q.key]), _END)
        if nxt is None:
            break
        index = index + 1 if nxt is _END else _position(script.questions, str(nxt))
    return path


def _clean(q: Question, value: Any, where: str) -> Any:
    if q.type == "choice":
        if str(value) not in q.choices:
            raise DialerError("not one of the choices", field=where, value=value)
        return str(value)
    if q.type == "number":
        if isinstance(value, bool):
            raise DialerError("must be a number", field=where, value=value)
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise DialerError("must be a number", field=where, value=value) from None
        if not math.isfinite(number):
            raise DialerError("must be a number", field=where, value=value)
        return int(number) if number.is_integer() else number
    if q.type == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "是", "1"):
            return True
        if text in ("false", "no", "否", "0"):
            return False
        raise DialerError("must be yes or no", field=where, value=value)
    if q.type == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise DialerError("must be a date like 2026-12-31", field=where, value=value) from None
    text = str(value)
    if len(text) > 1000:
        raise DialerError("at most 1000 characters", field=where)
    return text


def apply_answers(
    script: Script, fields: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The record's fields with the answers saved (`custom.<key>` land under `<key>`).
    Only the questions on the answers' path count; an answer off the path, a bad value or a
    missing required answer is refused, naming `answers.<key>` — nothing is saved then."""
    path = walk(script, answers)
    on_path = {q.key for q in path}
    for key in answers:
        if key not in on_path:
            raise DialerError("this question is not on the script's path", field=f"answers.{key}")
    out = dict(fields)
    for q in path:
        where = f"answers.{q.key}"
        value = answers.get(q.key)
        try:
            if value is None or value == "":
                if q.required:
                    raise DialerError("an answer is required", field=where)
                continue
            out[q.target.removeprefix("custom.")] = _clean(q, value, where)
        except DialerError as error:
            # The agent is told which question, as the script asks it (not its key).
            error.details["labels"] = {"zh-CN": q.text_zh, "en": q.text_en}
            raise
    return out
