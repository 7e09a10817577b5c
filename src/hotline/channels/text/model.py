"""The text conversation's values: who wrote (`Sender`), what (`Message`, `Attachment`) and
on which kind of text contact (`TextKind`). A message is identified twice: by the server
(`message_id`, and `seq`, its place in the conversation) and by its sender (`client_id`), so a
message sent again after a reconnect is recognised and stored once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotline.channels.text.errors import InvalidMessage
from hotline.ids import AgentId, InteractionId

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_CLIENT_ID_CHARS",
    "Attachment",
    "Message",
    "NewMessage",
    "Sender",
    "TextKind",
]

MAX_BODY_CHARS = 4000
MAX_CLIENT_ID_CHARS = 64


class TextKind(StrEnum):
    """The kinds of text contact; each is a channel name of the lifecycle and the router."""

    CHAT = "chat"
    SMS = "sms"
    EMAIL = "email"


class Sender(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"  # the centre's notices (queue place, agent joined)
    BOT = "bot"  # the flow: its prompts and the knowledge bot's replies (ADR 0256)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message; its bytes are kept by the provider's file store."""

    attachment_id: str
    name: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to store: `client_id` is the sender's own id for it (idempotency key)."""

    tenant_id: str
    contact_id: InteractionId
    sender: Sender
    client_id: str
    body: str
    agent_id: AgentId | None = None
    attachment: Attachment | None = None

    def __post_init__(self) -> None:
        if not self.client_id or len(self.client_id) > MAX_CLIENT_ID_CHARS:
            raise InvalidMessage(
                f"client_id must be 1 to {MAX_CLIENT_ID_CHARS} characters",
                details={"field": "client_id"},
            )
        if not self.body.strip() and self.attachment is None:
            raise InvalidMessage("the message is empty", details={"field": "body"})
        if len(self.body) > MAX_BODY_CHARS:
            raise InvalidMessage(
                f"the message is longer than {MAX_BODY_CHARS} characters",
                details={"field": "body", "max": MAX_BODY_CHARS},
            )
        if (self.sender is Sender.AGENT) != (self.agent_id is not None):
            raise InvalidMessage("an agent's message names its agent", details={"field": "agent"})


@dataclass(frozen=True, slots=True)
class Message:
    """A stored message: `seq` orders it in its conversation (1, 2, 3 …)."""

    message_id: str
    tenant_id: str
    contact_id: InteractionId
    seq: int
    sender: Sender
    client_id: str
    body: str
    at: float
    agent_id: AgentId | None = None
    attachment: Attachment | None = None

    def to_json(self) -> dict[str, object]:
        """The message as the desk and the widget receive it."""
        data: dict[str, object] = {
            "id": self.message_id,
            "contact_id": self.contact_id,
            "seq": self.seq,
            "sender": self.sender.value,
            "client_id": self.client_id,
            "body": self.body,
            "at": self.at,
            "agent_id": self.agent_id,
        }
        if self.attachment is not None:
            a = self.attachment
            data["attachment"] = {
                "id": a.attachment_id,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
            }
        return data
