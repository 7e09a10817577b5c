"""What a campaign does when an answering machine takes its call (ADR 0197).

Set with the machine outcome's retry rule, where the campaign already says when to call a
machine again: `retry.machine.action` is `hang_up` (end the call at once) or `message` (wait
for the greeting and its beep to end, then leave the campaign's recorded message, said in the
callee's language from `retry.machine.message`, or a default). Without an action the call is
not listened to: it goes to an agent as soon as it is answered, as before detection existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hotline.amd import AmdSettings, Verdict
from hotline.dialer.errors import DialerError

__all__ = ["DEFAULT_MACHINE_MESSAGE", "AmdReport", "MachineAction", "MachineHandling"]

DEFAULT_MACHINE_MESSAGE: Mapping[str, str] = {
    "zh-CN": "您好，我们刚才给您来电，没能联系上您。我们稍后会再打给您，谢谢。",
    "en": "Hello, we called you and missed you. We will call you again later. Thank you.",
}
MAX_MESSAGE = 500  # characters of one language's message


class MachineAction(StrEnum):
    HANG_UP = "hang_up"
    MESSAGE = "message"


@dataclass(frozen=True, slots=True)
class MachineHandling:
    """Detection on, and what follows a machine verdict. `greeting_end_s`: the silence that
    ends a machine's greeting; `max_greeting_wait_s`: how long to wait for it at most (a
    message is left then anyway: better late on the tape than not at all)."""

    action: MachineAction
    message: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MACHINE_MESSAGE))
    detector: AmdSettings = field(default_factory=AmdSettings)
    greeting_end_s: float = 1.0
    max_greeting_wait_s: float = 30.0

    def message_in(self, language: str) -> tuple[str, str]:
        """(text, its language): the callee's language, else English, else any."""
        for lang in (language, "en", *self.message):
            if text := self.message.get(lang):
                return text, lang
        return DEFAULT_MACHINE_MESSAGE["en"], "en"

    @classmethod
    def from_retry(cls, retry: Mapping[str, Any]) -> MachineHandling | None:
        """The campaign's stored retry settings → the handling (None: no detection); a bad
        value names its field."""
        rule = retry.get("machine")
        if not isinstance(rule, Mapping) or rule.get("action") is None:
            return None
        try:
            action = MachineAction(rule["action"])
        except ValueError:
            raise DialerError(
                "a machine's action is hang_up or message",
                field="retry.machine.action",
                value=rule["action"],
            ) from None
        message = rule.get("message")
        if message is None:
            return cls(action)
        if not isinstance(message, Mapping) or not message:
            raise DialerError(
                "the machine message is a text per language",
                field="retry.machine.message",
                value=message,
            )
        texts: dict[str, str] = {}
        for language, text in message.items():
            where = f"retry.machine.message.{language}"
            if language not in ("zh-CN", "en"):
                raise DialerError("a message is in zh-CN or en", field=where, value=language)
            if not isinstance(text, str) or not text.strip():
                raise DialerError("a message needs its text", field=where)
            if len(text) > MAX_MESSAGE:
                raise DialerError("a message is at most 500 characters", field=where)
            texts[language] = text.strip()
        return cls(action, texts)


@dataclass(frozen=True, slots=True)
class AmdReport:
    """Detection on one answered call: the verdict, the audio heard before it (`heard_s`) and
    the time from the answer to it (`decision_s`), and what was done: `connect` (a person: an
    agent or the safe-harbor message), `hang_up` or `message` (`message_left` once it was
    played to its end)."""

    verdict: Verdict
    sure: bool
    heard_s: float
    decision_s: float
    action: str
    message_left: bool = False
