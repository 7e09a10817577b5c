"""`ChatHub`: carries what the conversation core hands out to the open sockets — the visitors'
widgets (`Delivery`) and the agents' chat desks (`DeskFeed`). Each socket has a bounded queue of
frames; a socket that falls that far behind is dropped (`overflowed`) and, reconnecting, reads
what it missed from the store by `after_seq`: nothing is lost, since every message was stored
before it got here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hotline.channels.text.model import Message
from hotline.ids import AgentId, InteractionId

__all__ = ["ChatHub", "Link"]

Frame = dict[str, Any]
QUEUE_FRAMES = 500


class Link:
    """One open socket's queue of frames to send."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[Frame] = asyncio.Queue(QUEUE_FRAMES)
        self.overflowed = asyncio.Event()

    def put(self, frame: Frame) -> None:
        try:
            self.frames.put_nowait(frame)
        except asyncio.QueueFull:
            self.overflowed.set()


class ChatHub:
    def __init__(self) -> None:
        self._visitors: dict[InteractionId, set[Link]] = {}
        self._desks: dict[AgentId, set[Link]] = {}

    @contextmanager
    def visitor(self, contact_id: InteractionId) -> Iterator[Link]:
        link = Link()
        self._visitors.setdefault(contact_id, set()).add(link)
        try:
            yield link
        finally:
            _drop(self._visitors, contact_id, link)

    @contextmanager
    def desk(self, agent_id: AgentId) -> Iterator[Link]:
        link = Link()
        self._desks.setdefault(agent_id, set()).add(link)
        try:
            yield link
        finally:
            _drop(self._desks, agent_id, link)

    def visitors_of(self, contact_id: InteractionId) -> int:
        return len(self._visitors.get(contact_id, ()))

    def _to_visitors(self, contact_id: InteractionId, frame: Frame) -> None:
        for link in list(self._visitors.get(contact_id, ())):
            link.put(frame)

    def _to_desk(self, agent_id: AgentId, frame: Frame) -> None:
        for link in list(self._desks.get(agent_id, ())):
            link.put(frame)

    # --- Delivery (toward the visitor) ----------------------------------------------------

    async def to_customer(self, message: Message) -> None:
        self._to_visitors(message.contact_id, {"type": "message", **message.to_json()})

    async def ended(self, contact_id: InteractionId) -> None:
        self._to_visitors(contact_id, {"type": "ended"})

    def typing_to_visitor(self, contact_id: InteractionId) -> None:
        self._to_visitors(contact_id, {"type": "typing", "sender": "agent"})

    # --- DeskFeed (toward the agents) -----------------------------------------------------

    def offered(self, agent_id: AgentId, contact_id: InteractionId, kind: str) -> None:
        self._to_desk(agent_id, {"type": "offer", "contact_id": contact_id, "kind": kind})

    def withdrawn(self, agent_id: AgentId, contact_id: InteractionId) -> None:
        self._to_desk(agent_id, {"type": "withdrawn", "contact_id": contact_id})

    def message(self, agent_id: AgentId, message: Message) -> None:
        self._to_desk(agent_id, {"type": "message", **message.to_json()})

    def typing_to_agents(self, agents: list[AgentId], contact_id: InteractionId) -> None:
        for agent_id in agents:
            self._to_desk(agent_id, {"type": "typing", "contact_id": contact_id})


def _drop(links: dict[Any, set[Link]], key: Any, link: Link) -> None:
    group = links.get(key)
    if group is not None:
        group.discard(link)
        if not group:
            del links[key]
