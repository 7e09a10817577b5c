"""`Conversations`: what a text provider (the chat widget's socket, an SMS webhook, a mailbox)
and the agent's desk call, for one tenant and one kind of text contact.

    conversations = Conversations(center, channel)
    contact_id = await conversations.open(Opening(language="zh-CN", queue="support"))
    stored = await conversations.customer_writes(contact_id, "c-1", "你好")   # then acknowledge
    await conversations.agent_writes(agent_id, contact_id, "a-1", "您好，请讲")
    conversations.customer_leaves(contact_id)

A new contact goes through the same lifecycle as a call: `interaction.created`, the flow (a
bot) or straight into a queue, the router's offers, answer, transfers, wrap-up, `ended`.
Every message is stored before the call returns (so a provider acknowledges only what is
kept), and a message written again with the same `client_id` is returned, not stored twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from hotline.channels.text.channel import TextChannel
from hotline.channels.text.errors import (
    ConversationClosed,
    ConversationNotFound,
    NotInConversation,
)
from hotline.channels.text.flows import TextFlow
from hotline.channels.text.model import Attachment, Message, NewMessage, Sender
from hotline.flows import Program
from hotline.flows.variables import Scalar
from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions.arrivals import Arrival
from hotline.interactions.center import ContactCenter
from hotline.interactions.channel import CUSTOMER, Release
from hotline.interactions.transfers import TransferTarget

__all__ = ["Conversations", "Opening"]


@dataclass(frozen=True, slots=True)
class Opening:
    """What a provider knows of a new text contact: who (a phone number or an e-mail address
    links it to the customer record), in which language, and where it goes (a flow's program,
    else straight to `queue`)."""

    language: str = "zh-CN"
    address: str | None = None  # phone number (SMS, pre-chat form) or e-mail address
    name: str | None = None
    queue: QueueId | None = None
    program: Program | None = None
    flow: str | None = None
    flow_version: int | None = None
    priority: int = 0
    seeds: Mapping[str, Scalar] = field(default_factory=dict)

    def with_flow(self, flow: TextFlow | None) -> Opening:
        """The same opening, running `flow` (the tenant's text flow) when there is one."""
        if flow is None:
            return self
        return replace(self, program=flow.program, flow=flow.name, flow_version=flow.version)


class Conversations:
    def __init__(self, center: ContactCenter, channel: TextChannel) -> None:
        self.center = center
        self.channel = channel
        if channel.name not in center.channels:
            center.add_channel(channel)
        channel.events = center

    @property
    def tenant_id(self) -> str:
        return self.center.tenant_id

    async def open(
        self,
        opening: Opening,
        *,
        contact_id: InteractionId | None = None,
        first: tuple[str, str] | None = None,
    ) -> InteractionId:
        """A new contact: created, then in its flow or in its queue's line. A provider that
        had to name the contact before (a mail's conversation, decided in its transaction)
        passes that id. `first` (client id, text) is what the customer wrote to open it (a mail,
        an SMS): stored before the contact is offered, so the agent who takes it reads it; a
        flow reads it as the customer's first turn."""
        contact_id = contact_id or self.center.new_contact_id()
        self.channel.open_room(contact_id, language=opening.language)
        contact = await self.center.arrive(
            contact_id,
            Arrival(
                self.channel.name,
                caller_number=opening.address,
                caller_name=opening.name,
                language=opening.language,
                flow=opening.flow,
                flow_version=opening.flow_version,
            ),
            opening.program,
            # the flow speaks the customer's language (the widget's, the SMS's script)
            {"language": opening.language, **opening.seeds},
        )
        if opening.program is None:
            if first is not None:
                await self.customer_writes(contact_id, *first)
            if opening.queue is not None:
                await self.center.route(contact, opening.queue, priority=opening.priority)
        elif first is not None:
            await self.customer_writes(contact_id, *first)
        return contact_id

    def is_open(self, contact_id: InteractionId) -> bool:
        room = self.channel.room(contact_id)
        return room is not None and not room.ended and CUSTOMER in room.parties

    async def customer_writes(
        self,
        contact_id: InteractionId,
        client_id: str,
        body: str,
        *,
        attachment: Attachment | None = None,
    ) -> Message:
        """The customer's message, stored (a repeat of `client_id` returns the first)."""
        message = NewMessage(
            self.tenant_id, contact_id, Sender.CUSTOMER, client_id, body, attachment=attachment
        )
        if not self.is_open(contact_id):
            return await self._repeat_or(message, ConversationClosed("the chat has ended"))
        stored, _ = await self.channel.write(message)
        return stored

    async def agent_writes(
        self,
        agent_id: AgentId,
        contact_id: InteractionId,
        client_id: str,
        body: str,
        *,
        attachment: Attachment | None = None,
    ) -> Message:
        """The agent's message (a typed reply, a quick reply, a file) to its customer."""
        message = NewMessage(
            self.tenant_id,
            contact_id,
            Sender.AGENT,
            client_id,
            body,
            agent_id=agent_id,
            attachment=attachment,
        )
        room = self.channel.room(contact_id)
        if room is None or room.ended:
            return await self._repeat_or(message, ConversationClosed("the chat has ended"))
        if agent_id not in room.parties:
            raise NotInConversation(
                f"agent {agent_id} is not in conversation {contact_id}",
                details={"agent_id": agent_id, "contact_id": contact_id},
            )
        stored, _ = await self.channel.write(message)
        return stored

    async def _repeat_or(self, message: NewMessage, error: Exception) -> Message:
        """A repeat of a message stored before the end is still acknowledged."""
        for old in await self.history(message.contact_id):
            if old.sender is message.sender and old.client_id == message.client_id:
                return old
        raise error

    async def history(self, contact_id: InteractionId, *, after_seq: int = 0) -> Sequence[Message]:
        return await self.channel.store.history(self.tenant_id, contact_id, after_seq=after_seq)

    def of_agent(self, agent_id: AgentId) -> list[dict[str, str]]:
        """The agent's conversations now: offered to it, or connected (what a desk shows after
        a reload), oldest first."""
        out = []
        for room in self.channel.rooms.values():
            if room.ended:
                continue
            if agent_id in room.parties:
                out.append({"contact_id": room.contact_id, "state": "connected"})
            elif agent_id in room.rings:
                out.append({"contact_id": room.contact_id, "state": "offered"})
        return out

    def customer_leaves(self, contact_id: InteractionId) -> None:
        if self.channel.room(contact_id) is None:
            raise ConversationNotFound(f"no open conversation {contact_id}")
        self.channel.customer_left(contact_id)

    async def accept(self, agent_id: AgentId, contact_id: InteractionId) -> None:
        """The agent takes the offer from the desk."""
        await self.channel.accept(contact_id, agent_id)

    async def decline(self, agent_id: AgentId, contact_id: InteractionId) -> None:
        """The agent declines the offer from the desk (the router offers it elsewhere)."""
        await self.channel.cancel(contact_id, agent_id, Release.REJECTED)

    def focus(self, agent_id: AgentId, contact_id: InteractionId) -> None:
        """The desk's commands (transfer, close, wrap-up) now act on this conversation."""
        self.center.assignments.focus(agent_id, contact_id)

    async def transfer(
        self,
        agent_id: AgentId,
        contact_id: InteractionId,
        target: TransferTarget,
        *,
        note: str | None = None,
    ) -> None:
        """Hand the conversation to another agent or a queue (the lifecycle's blind transfer)."""
        self.focus(agent_id, contact_id)
        await self.center.transfer(agent_id, target, note=note)

    async def close(self, agent_id: AgentId, contact_id: InteractionId) -> None:
        """The agent ends the conversation (solved): the customer is told, wrap-up follows."""
        self.focus(agent_id, contact_id)
        await self.center.close(agent_id)
