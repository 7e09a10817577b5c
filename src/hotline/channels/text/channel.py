"""`TextChannel`: the interaction core's `Channel` port for text contacts — web chat, SMS and
e-mail alike; one instance per tenant and kind, its name the kind (`chat`, `sms`, `email`).

A contact is a *room*: the customer and the agents connected to it. Ringing an agent is an
offer on the agent's chat desk (`DeskFeed.offered`) answered from the desk (`accept`); joining
is adding the agent to the room; what one party writes is stored first (`MessageStore`) and then
fanned out — to the customer through the provider's `Delivery`, to the agents in the room
through their desks, and to the flow's bot while no agent is there. A text contact has no
sound, keys or recording: those raise `ChannelUnsupported`. SMS and e-mail declare `PARK`
(the contact waits days for the customer's reply); chat does not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hotline.channels.text.model import Message, NewMessage, Sender, TextKind
from hotline.channels.text.notices import agent_joined, place_in_line, please_wait
from hotline.channels.text.ports import Delivery, DeskFeed, MessageStore
from hotline.clock import Clock
from hotline.flows.actions import Collect, Enqueue, NotifyVoicemail, RecordVoicemail
from hotline.flows.errors import CallerHungUp, PortUnsupported
from hotline.flows.inputs import CollectTimedOut, DigitsCollected, RecordingDone
from hotline.flows.prompts import PromptRef
from hotline.ids import AgentId, InteractionId, QueueId, new_id
from hotline.interactions.channel import (
    CUSTOMER,
    Capability,
    ChannelUnsupported,
    ContactEvents,
    Guard,
    Release,
    Ring,
    RingResult,
)
from hotline.interactions.model import Contact

__all__ = ["Room", "TextChannel", "TextFlowMedia"]

log = logging.getLogger(__name__)

_CAPABILITIES: dict[TextKind, frozenset[Capability]] = {
    TextKind.CHAT: frozenset({Capability.CONFERENCE}),
    TextKind.SMS: frozenset({Capability.CONFERENCE, Capability.PARK}),
    TextKind.EMAIL: frozenset({Capability.CONFERENCE, Capability.PARK}),
}


@dataclass(eq=False)
class Room:
    """One text contact as the channel keeps it."""

    contact_id: InteractionId
    tenant_id: str
    language: str = "zh-CN"
    parties: set[str] = field(default_factory=lambda: {CUSTOMER})
    rings: dict[AgentId, asyncio.Future[RingResult]] = field(default_factory=dict)
    waiting_in: QueueId | None = None
    replies: asyncio.Queue[str] = field(default_factory=asyncio.Queue)  # for the flow's bot
    ended: bool = False

    @property
    def agents(self) -> list[AgentId]:
        return [AgentId(p) for p in self.parties if p != CUSTOMER]


class TextChannel:
    """The `Channel` port for one kind of text contact of one tenant."""

    def __init__(
        self,
        tenant_id: str,
        kind: TextKind,
        *,
        store: MessageStore,
        delivery: Delivery,
        desks: DeskFeed,
        clock: Clock,
        agent_name: Callable[[AgentId], str | None] | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.kind = kind
        self.name = kind.value
        self.capabilities = _CAPABILITIES[kind]
        self.store = store
        self.delivery = delivery
        self.desks = desks
        self.clock = clock
        self.agent_name: Callable[[AgentId], str | None] = agent_name or (lambda _: None)
        self.events: ContactEvents | None = None  # the tenant's ContactCenter, set when wired
        self.rooms: dict[InteractionId, Room] = {}

    # --- rooms and messages ---------------------------------------------------------------

    def open_room(self, contact_id: InteractionId, *, language: str) -> Room:
        """A customer's new contact (before the lifecycle hears of it)."""
        room = self.rooms[contact_id] = Room(contact_id, self.tenant_id, language)
        return room

    def room(self, contact_id: InteractionId) -> Room | None:
        return self.rooms.get(contact_id)

    async def write(self, message: NewMessage) -> tuple[Message, bool]:
        """Store, then fan out (once: a message seen before is returned, not sent again)."""
        stored, new = await self.store.append(message, at=self.clock.now())
        if new:
            await self._fan_out(stored)
        return stored, new

    async def _fan_out(self, message: Message) -> None:
        room = self.rooms.get(message.contact_id)
        if room is None:
            return
        for agent_id in room.agents:
            if agent_id != message.agent_id:
                self.desks.message(agent_id, message)
        if message.sender is Sender.CUSTOMER:
            if not room.agents and message.body:
                room.replies.put_nowait(message.body)
        elif CUSTOMER in room.parties and not room.ended:
            try:
                await self.delivery.to_customer(message)
            except Exception:  # the provider retries on its own; the message is stored
                log.exception("delivering message %s failed", message.message_id)

    async def notice(self, contact_id: InteractionId, text: str) -> None:
        """A message from the centre itself (stored like any other)."""
        if contact_id not in self.rooms:
            return
        await self.write(
            NewMessage(self.tenant_id, contact_id, Sender.SYSTEM, "sys-" + new_id(), text)
        )

    async def bot_says(self, contact_id: InteractionId, text: str) -> None:
        """A line of the contact's flow (its bot), stored and shown as the bot's."""
        if contact_id not in self.rooms:
            return
        await self.write(
            NewMessage(self.tenant_id, contact_id, Sender.BOT, "bot-" + new_id(), text)
        )

    def customer_left(self, contact_id: InteractionId) -> None:
        """The customer closed the chat (or the provider says they are gone)."""
        room = self.rooms.get(contact_id)
        if room is None or CUSTOMER not in room.parties:
            return
        room.parties.discard(CUSTOMER)
        if self.events is not None:
            self.events.party_left(contact_id, CUSTOMER)

    def agent_left(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        """The agent closed its side from the desk."""
        room = self.rooms.get(contact_id)
        if room is None or agent_id not in room.parties:
            return
        room.parties.discard(agent_id)
        if self.events is not None:
            self.events.party_left(contact_id, agent_id)

    # --- the Channel port: agents ---------------------------------------------------------

    def opened(self, contact: Contact) -> None:
        room = self.open_room(contact.contact_id, language=contact.language)
        room.parties.clear()

    async def ring(self, ring: Ring) -> RingResult:
        room = self.rooms.get(ring.contact_id)
        if room is None or room.ended:
            return RingResult.CANCELLED
        future: asyncio.Future[RingResult] = asyncio.get_running_loop().create_future()
        room.rings[ring.agent_id] = future
        self.desks.offered(ring.agent_id, ring.contact_id, self.name)
        try:
            result = await asyncio.wait_for(asyncio.shield(future), ring.timeout_s)
        except TimeoutError:
            result = RingResult.NO_ANSWER
        finally:
            room.rings.pop(ring.agent_id, None)
        if result is RingResult.ANSWERED:
            room.parties.add(ring.agent_id)
        else:
            self.desks.withdrawn(ring.agent_id, ring.contact_id)
        return result

    async def accept(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        room = self.rooms.get(contact_id)
        ring = room.rings.get(agent_id) if room is not None else None
        if ring is not None and not ring.done():
            ring.set_result(RingResult.ANSWERED)

    async def cancel(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        room = self.rooms.get(contact_id)
        if room is None:
            return
        ring = room.rings.get(AgentId(party))
        if ring is not None and not ring.done():
            ring.set_result(
                RingResult.REJECTED if reason is Release.REJECTED else RingResult.CANCELLED
            )
        elif party in room.parties:
            await self.release(contact_id, party, reason)

    def present(self, contact_id: InteractionId, party: str) -> bool:
        room = self.rooms.get(contact_id)
        return room is not None and not room.ended and party in room.parties

    async def connected(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        room = self.rooms.get(contact_id)
        if room is not None:
            await self.notice(contact_id, agent_joined(room.language, self.agent_name(agent_id)))

    # --- who reads whom -------------------------------------------------------------------

    async def join(self, contact_id: InteractionId, a: str, b: str) -> None:
        room = self.rooms.get(contact_id)
        if room is not None:
            # the customer's side is the customer's own: a join never brings it back
            room.parties.update(p for p in (a, b) if p != CUSTOMER)

    async def conference(self, contact_id: InteractionId, parties: Sequence[str]) -> None:
        room = self.rooms.get(contact_id)
        if room is not None:
            room.parties.update(parties)

    async def hold(self, contact_id: InteractionId, party: str, *, by: str) -> None:
        # The lifecycle's own holds (a consultation) cost a reader nothing; the agent's
        # hold button has no meaning on text.
        if by == "agent":
            raise ChannelUnsupported(f"a {self.name} contact cannot be held")

    async def resume(self, contact_id: InteractionId, party: str) -> None:
        return None

    async def release(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        room = self.rooms.get(contact_id)
        if room is None:
            return
        room.parties.discard(party)
        if party != CUSTOMER:
            self.desks.withdrawn(AgentId(party), contact_id)

    async def dial(
        self, contact_id: InteractionId, number: str, *, customer: bool, timeout_s: float
    ) -> str | None:
        raise ChannelUnsupported(f"a {self.name} contact cannot dial a number")

    async def end(self, contact_id: InteractionId, reason: Release) -> tuple[str, int]:
        room = self.rooms.pop(contact_id, None)
        if room is None:
            return ("normal", 16)
        room.ended = True
        for ring in room.rings.values():
            if not ring.done():
                ring.set_result(RingResult.CANCELLED)
        for agent_id in room.agents:
            self.desks.withdrawn(agent_id, contact_id)
        customer_there = CUSTOMER in room.parties
        room.parties.clear()
        if customer_there:
            try:
                await self.delivery.ended(contact_id)
            except Exception:
                log.exception("telling the customer of %s the end failed", contact_id)
        return ("normal", 16) if reason is not Release.INTERRUPTED else ("interrupted", 41)

    async def hang_up(self, contact_id: InteractionId, cause: str) -> None:
        room = self.rooms.get(contact_id)
        if room is not None and CUSTOMER in room.parties:
            try:
                await self.delivery.ended(contact_id)
            except Exception:
                log.exception("telling the customer of %s the end failed", contact_id)
        self.customer_left(contact_id)

    # --- the customer waiting -------------------------------------------------------------

    async def start_waiting(self, contact_id: InteractionId, queue_id: QueueId | None) -> None:
        room = self.rooms.get(contact_id)
        if room is None:
            return
        first = room.waiting_in is None
        room.waiting_in = queue_id
        if first:
            await self.notice(contact_id, please_wait(room.language))

    async def stop_waiting(self, contact_id: InteractionId, *, keep_sound: bool) -> None:
        room = self.rooms.get(contact_id)
        if room is not None:
            room.waiting_in = None

    async def announce(
        self,
        contact_id: InteractionId,
        place: tuple[int, float | None] | None,
        request: Enqueue | None,
    ) -> None:
        room = self.rooms.get(contact_id)
        if room is not None and place is not None:
            await self.notice(contact_id, place_in_line(room.language, place[0], place[1]))

    def flow_media(self, contact: Contact, guard: Guard) -> TextFlowMedia:
        room = self.rooms.get(contact.contact_id) or self.open_room(
            contact.contact_id, language=contact.language
        )
        return TextFlowMedia(self, room)

    # --- agent controls a text contact does not have --------------------------------------

    async def mute(self, contact_id: InteractionId, party: str, muted: bool) -> None:
        raise ChannelUnsupported(f"a {self.name} contact cannot be muted")

    async def send_dtmf(self, contact_id: InteractionId, party: str, digits: str) -> None:
        raise ChannelUnsupported(f"a {self.name} contact has no keys")

    async def pause_recording(self, contact_id: InteractionId, paused: bool) -> None:
        raise ChannelUnsupported(f"a {self.name} contact is not recorded")

    async def transfer_progress(self, contact_id: InteractionId, party: str, status: int) -> None:
        return None  # transfers are asked for on the desk, which sees the result itself


class TextFlowMedia:
    """The flow's media on a text contact: prompts' texts are messages, replies are read."""

    def __init__(self, channel: TextChannel, room: Room) -> None:
        self._channel = channel
        self._room = room

    @property
    def channel(self) -> str:
        return self._channel.name

    async def prepare(self, *, for_input: bool) -> None:
        if CUSTOMER not in self._room.parties or self._room.ended:
            raise CallerHungUp()

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str:
        for prompt in prompts:
            if prompt.text:
                await self.send(prompt.text)
        return ""

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut:
        raise PortUnsupported("a text contact answers with a reply, not keys")

    async def record(self, request: RecordVoicemail) -> RecordingDone:
        raise PortUnsupported("a text contact records no voicemail")

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None:
        raise PortUnsupported("a text contact records no voicemail")

    async def send(self, text: str) -> None:
        await self._channel.bot_says(self._room.contact_id, text)

    async def listen(self, timeout: float, language: str) -> str | None:
        raise PortUnsupported("a text contact writes, it does not speak")

    async def await_reply(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self._room.replies.get(), timeout)
        except TimeoutError:
            return None
