"""Offline web chat: whether a visitor may chat now (`availability`: the chat queue is open by
the one hours engine and someone is logged in to serve it), and the message a visitor leaves
when not (`LeftMessage`), handed to the centre's `OfflineDesk` (a ticket, ADR 0234).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from hotline.channels.chat.protocol import ChatFrameError
from hotline.channels.text.model import MAX_BODY_CHARS
from hotline.routing import QueueSnapshot

__all__ = ["Availability", "LeftMessage", "Offline", "OfflineDesk", "availability", "left_message"]


class Offline(StrEnum):
    NO_QUEUE = "no_queue"  # the centre has no chat queue
    CLOSED = "closed"  # outside the chat queue's business hours
    NO_AGENTS = "no_agents"  # nobody logged in to serve it (or all not ready)


@dataclass(frozen=True, slots=True)
class Availability:
    online: bool
    reason: Offline | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "availability",
            "online": self.online,
            "reason": self.reason.value if self.reason else None,
        }


def availability(snapshot: QueueSnapshot | None) -> Availability:
    """Online when the chat queue is open and staffed (agents busy with other contacts count:
    the chat waits for them, as a call would)."""
    if snapshot is None:
        return Availability(False, Offline.NO_QUEUE)
    if not snapshot.open:
        return Availability(False, Offline.CLOSED)
    if snapshot.staffed == 0:
        return Availability(False, Offline.NO_AGENTS)
    return Availability(True)


@dataclass(frozen=True, slots=True)
class LeftMessage:
    """What the visitor leaves: a message, and how to answer it (a phone or an e-mail)."""

    body: str
    language: str = "zh-CN"
    name: str | None = None
    phone: str | None = None
    email: str | None = None


def left_message(data: dict[str, Any], language: str) -> LeftMessage:
    """The `leave_message` frame's fields, or `ChatFrameError` naming the field."""

    def text(key: str, limit: int) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise ChatFrameError(
                f"{key} must be text of at most {limit} characters", details={"field": key}
            )
        return value.strip() or None

    body = text("body", MAX_BODY_CHARS)
    if body is None:
        raise ChatFrameError("the message is empty", details={"field": "body"})
    phone, email = text("phone", 32), text("email", 254)
    if phone is None and email is None:
        raise ChatFrameError(
            "a phone number or an e-mail address is needed to answer", details={"field": "phone"}
        )
    if email is not None and ("@" not in email or " " in email):
        raise ChatFrameError("the e-mail address is not valid", details={"field": "email"})
    return LeftMessage(body, language, text("name", 100), phone, email)


class OfflineDesk(Protocol):
    async def leave(self, tenant_id: str, message: LeftMessage) -> str:
        """Keep the message for the centre (a ticket); the reference the visitor is shown."""
        ...
