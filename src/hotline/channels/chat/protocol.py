"""The widget's WebSocket frames (JSON objects with a `type`), read into typed commands.

    visitor → server
      {"type": "hello", "language": "zh-CN", "name": "…", "phone": "…", "email": "…",
       "identity": "<the host site's signed token>",
       "resume": {"conversation": "…", "token": "…"}, "after_seq": 12}
      {"type": "say", "client_id": "v-…", "body": "…"}
      {"type": "file", "client_id": "v-…", "name": "…", "content_type": "image/png",
       "size": 1234}                                   followed by one binary frame of the bytes
      {"type": "typing"}
      {"type": "availability"}                        (before hello: may I chat now?)
      {"type": "leave_message", "language": "en", "name": "…", "phone": "…", "email": "…",
       "body": "…"}                                   (before hello, when offline)
      {"type": "leave"}
      {"type": "survey"}                              (after the end: the centre's survey)
      {"type": "survey_answer", "answers": {"rating": 5, "comment": "…"}}
      {"type": "transcript", "email": "…"}           (mail me this chat)
    server → visitor
      {"type": "welcome", "conversation": "…", "token": "…",
       "files": {"max_bytes": …, "types": […]} | null}
      {"type": "message", …Message.to_json()}        (history first, then live)
      {"type": "ack", "client_id": "…", "seq": 7, "id": "…"}
      {"type": "typing", "sender": "agent"}
      {"type": "availability", "online": false, "reason": "closed" | "no_agents" | "no_queue"}
      {"type": "offline", "reason": …}                 (a hello while offline: no chat opened)
      {"type": "left", "reference": "…"}             (the message left, e.g. a ticket number)
      {"type": "transcript_sent", "email": "…"}
      {"type": "survey", "answered": false, "title": "…", "questions": [{"key": "rating",
       "kind": "scale", "text": "…", "bottom": 1, "top": 5, "required": true}, …]}
      {"type": "no_survey"}                           (nobody to rate, or no surveys here)
      {"type": "survey_thanks"}
      {"type": "ended"}
      {"type": "error", "code": "…", "field": "…", "message": "…"}

A bad frame is a `ChatFrameError` naming the field; the session answers it with an `error`
frame and goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hotline.channels.text.errors import InvalidMessage
from hotline.channels.text.model import MAX_BODY_CHARS, MAX_CLIENT_ID_CHARS

__all__ = [
    "AskAvailability",
    "ChatFrameError",
    "FileStart",
    "Hello",
    "Leave",
    "LeaveMessage",
    "Say",
    "SurveyAnswer",
    "SurveyAsk",
    "Transcript",
    "Typing",
    "parse",
]

MAX_FRAME_BYTES = 32_000
_LANGUAGES = ("zh-CN", "en")


class ChatFrameError(InvalidMessage):
    code = "chat.frame.invalid"


@dataclass(frozen=True, slots=True)
class Hello:
    language: str = "zh-CN"
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    conversation: str | None = None  # resume this conversation …
    token: str | None = None  # … proving it is ours
    after_seq: int = 0
    identity: str | None = None  # the host site's signed token (channels/chat/identity.py)


@dataclass(frozen=True, slots=True)
class Say:
    client_id: str
    body: str


@dataclass(frozen=True, slots=True)
class FileStart:
    """A file comes next, as one binary frame of `size` bytes."""

    client_id: str
    name: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Transcript:
    email: str


@dataclass(frozen=True, slots=True)
class AskAvailability:
    """May I chat now? Answered with the greeting and pre-chat fields in `language` too."""

    language: str = "zh-CN"


@dataclass(frozen=True, slots=True)
class LeaveMessage:
    """The offline form; its fields are read by `offline.left_message`."""

    language: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Typing:
    pass


@dataclass(frozen=True, slots=True)
class Leave:
    pass


@dataclass(frozen=True, slots=True)
class SurveyAsk:
    pass


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """The visitor's answers by question key; the survey's rules check each one."""

    answers: dict[str, Any]


Frame = (
    Hello
    | Say
    | FileStart
    | Typing
    | Leave
    | SurveyAsk
    | SurveyAnswer
    | AskAvailability
    | LeaveMessage
    | Transcript
)


def _text(data: dict[str, Any], key: str, *, limit: int, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ChatFrameError(f"{key} is missing", details={"field": key})
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ChatFrameError(
            f"{key} must be text of at most {limit} characters", details={"field": key}
        )
    return value.strip() or None


def parse(raw: str | bytes) -> Frame:
    if len(raw) > MAX_FRAME_BYTES:
        raise ChatFrameError("the frame is too large", details={"field": "frame"})
    try:
        data = json.loads(raw)
    except ValueError:
        raise ChatFrameError("the frame is not JSON", details={"field": "frame"}) from None
    if not isinstance(data, dict):
        raise ChatFrameError("the frame is not a JSON object", details={"field": "frame"})
    kind = data.get("type")
    if kind == "say":
        client_id = _text(data, "client_id", limit=MAX_CLIENT_ID_CHARS, required=True)
        body = data.get("body")
        if not isinstance(body, str):
            raise ChatFrameError("body must be text", details={"field": "body"})
        if len(body) > MAX_BODY_CHARS:
            raise ChatFrameError(
                f"the message is longer than {MAX_BODY_CHARS} characters",
                details={"field": "body", "max": MAX_BODY_CHARS},
            )
        return Say(str(client_id), body)
    if kind == "file":
        size = data.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ChatFrameError("size must be a whole number of bytes", details={"field": "size"})
        return FileStart(
            str(_text(data, "client_id", limit=MAX_CLIENT_ID_CHARS, required=True)),
            str(_text(data, "name", limit=255, required=True)),
            _text(data, "content_type", limit=127) or "application/octet-stream",
            size,
        )
    if kind == "typing":
        return Typing()
    if kind == "transcript":
        return Transcript(str(_text(data, "email", limit=254, required=True)))
    if kind == "availability":
        language = data.get("language") or "zh-CN"
        if language not in _LANGUAGES:
            raise ChatFrameError("language must be zh-CN or en", details={"field": "language"})
        return AskAvailability(language)
    if kind == "leave_message":
        language = data.get("language") or "zh-CN"
        if language not in _LANGUAGES:
            raise ChatFrameError("language must be zh-CN or en", details={"field": "language"})
        return LeaveMessage(language, data)
    if kind == "leave":
        return Leave()
    if kind == "survey":
        return SurveyAsk()
    if kind == "survey_answer":
        answers = data.get("answers")
        if not isinstance(answers, dict) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in answers.values()
        ):
            raise ChatFrameError(
                "answers must be an object of numbers and text", details={"field": "answers"}
            )
        return SurveyAnswer({str(k): v for k, v in answers.items()})
    if kind == "hello":
        language = data.get("language") or "zh-CN"
        if language not in _LANGUAGES:
            raise ChatFrameError("language must be zh-CN or en", details={"field": "language"})
        resume = data.get("resume") or {}
        if not isinstance(resume, dict):
            raise ChatFrameError("resume must be an object", details={"field": "resume"})
        after = data.get("after_seq", 0)
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ChatFrameError("after_seq must be a whole number", details={"field": "after_seq"})
        return Hello(
            language=language,
            name=_text(data, "name", limit=100),
            phone=_text(data, "phone", limit=32),
            email=_text(data, "email", limit=254),
            conversation=_text(resume, "conversation", limit=26),
            token=_text(resume, "token", limit=128),
            after_seq=after,
            identity=_text(data, "identity", limit=4096),
        )
    raise ChatFrameError(f"unknown frame type {kind!r}", details={"field": "type"})
