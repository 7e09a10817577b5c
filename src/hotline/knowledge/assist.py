"""Agent assist (坐席辅助): what to search the knowledge base for, from what the customer has said
so far and, on calls, from the caller's IVR choices and flow variables. Pure: the API gathers
the inputs (the conversation text, the contact's flow events) and asks the shelf.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["AssistQuery", "assist_query", "ivr_choices"]

# The customer's latest words say most about what they need now: keep this much of the end of
# the conversation.
MAX_TEXT = 400
_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_SEPARATORS = re.compile(r"[_\-./]+")


@dataclass(frozen=True, slots=True)
class AssistQuery:
    text: str  # what is searched
    parts: tuple[str, ...]  # where it came from, for the agent to see

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def _words_of(value: Any) -> str | None:
    """A variable's value as words, when it has any (`card_loss` → "card loss"; 42 → None)."""
    if not isinstance(value, str) or not _WORDY.search(value):
        return None
    return _SEPARATORS.sub(" ", value).strip() or None


def ivr_choices(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The caller's menu choices on a contact: the title (else the name) of the node each matched
    key press led to, in order. `records` are the contact's log entries as dicts with `type`
    and `payload`."""
    out: list[str] = []
    pending = False
    for record in records:
        kind, payload = record.get("type"), record.get("payload") or {}
        if kind == "flow.digits_collected":
            pending = payload.get("outcome") == "matched"
        elif kind == "flow.node_entered" and pending:
            pending = False
            label = payload.get("title") or _words_of(str(payload.get("node") or ""))
            if label:
                out.append(str(label))
    return out


def assist_query(
    text: str = "",
    *,
    variables: Mapping[str, Any] | None = None,
    choices: Sequence[str] = (),
) -> AssistQuery:
    """Join the end of the conversation, the IVR choices and the wordy variable values."""
    parts: list[str] = []
    tail = " ".join(text.split())[-MAX_TEXT:]
    if tail:
        parts.append(tail)
    parts.extend(c for c in choices if c.strip())
    for value in (variables or {}).values():
        words = _words_of(value)
        if words:
            parts.append(words)
    return AssistQuery(text=" ".join(parts), parts=tuple(parts))
