"""What the text-conversation core needs from outside: a message store (SQL in production,
`hotline.store.messages_repo`; in memory for tests and the simulator), the provider that
delivers to the customer (`Delivery`: the widget's socket, an SMS gateway, the mail server)
and the agents' desks (`DeskFeed`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from hotline.channels.text.model import Message, NewMessage
from hotline.ids import AgentId, InteractionId, new_id

__all__ = [
    "Delivery",
    "DeskFeed",
    "InMemoryMessageStore",
    "ListDelivery",
    "ListDeskFeed",
    "MessageStore",
]


class MessageStore(Protocol):
    async def append(self, message: NewMessage, *, at: float) -> tuple[Message, bool]:
        """Store the message as the next of its conversation, unless the same sender already
        stored one with that `client_id`: then that one, and False ("already had it")."""
        ...

    async def history(
        self, tenant_id: str, contact_id: InteractionId, *, after_seq: int = 0
    ) -> Sequence[Message]:
        """The conversation's messages after `after_seq`, in order."""
        ...


class InMemoryMessageStore:
    """The store for unit tests and the simulator (same rules as the SQL one)."""

    def __init__(self) -> None:
        self._by_contact: dict[tuple[str, InteractionId], list[Message]] = {}
        self._lock = asyncio.Lock()

    async def append(self, message: NewMessage, *, at: float) -> tuple[Message, bool]:
        async with self._lock:
            rows = self._by_contact.setdefault((message.tenant_id, message.contact_id), [])
            for row in rows:
                if row.sender is message.sender and row.client_id == message.client_id:
                    return row, False
            stored = Message(
                new_id(at),
                message.tenant_id,
                message.contact_id,
                len(rows) + 1,
                message.sender,
                message.client_id,
                message.body,
                at,
                message.agent_id,
                message.attachment,
            )
            rows.append(stored)
            return stored, True

    async def history(
        self, tenant_id: str, contact_id: InteractionId, *, after_seq: int = 0
    ) -> Sequence[Message]:
        rows = self._by_contact.get((tenant_id, contact_id), [])
        return [m for m in rows if m.seq > after_seq]


class Delivery(Protocol):
    """The provider's side toward the customer, for one kind of text contact."""

    async def to_customer(self, message: Message) -> None:
        """Deliver a stored message (an agent's or the system's) to the customer."""
        ...

    async def ended(self, contact_id: InteractionId) -> None:
        """The centre ended the conversation (the widget shows the rating form)."""
        ...


class DeskFeed(Protocol):
    """What the agents' desks are told about text contacts."""

    def offered(self, agent_id: AgentId, contact_id: InteractionId, kind: str) -> None: ...

    def withdrawn(self, agent_id: AgentId, contact_id: InteractionId) -> None: ...

    def message(self, agent_id: AgentId, message: Message) -> None: ...


class ListDelivery:
    """A `Delivery` that keeps what it was handed (tests, and a provider not wired yet)."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.closed: list[InteractionId] = []

    async def to_customer(self, message: Message) -> None:
        self.sent.append(message)

    async def ended(self, contact_id: InteractionId) -> None:
        self.closed.append(contact_id)


class ListDeskFeed:
    """A `DeskFeed` that keeps what it was told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, AgentId, object]] = []

    def offered(self, agent_id: AgentId, contact_id: InteractionId, kind: str) -> None:
        self.events.append(("offered", agent_id, contact_id))

    def withdrawn(self, agent_id: AgentId, contact_id: InteractionId) -> None:
        self.events.append(("withdrawn", agent_id, contact_id))

    def message(self, agent_id: AgentId, message: Message) -> None:
        self.events.append(("message", agent_id, message))

    def messages_to(self, agent_id: str) -> list[str]:
        return [
            m.body
            for kind, a, m in self.events
            if kind == "message" and a == agent_id
            if isinstance(m, Message)
        ]
