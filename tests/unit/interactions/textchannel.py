"""A test-only channel behind the lifecycle's `Channel` port, proving the port carries more than
voice: a chat-like one (synchronous: messages both ways while the customer is there), an
e-mail-like one (asynchronous: the contact is parked for days and resumed) and one for contacts
the centre starts itself (outbound: the customer is reached only after the agent took it).

Everything the lifecycle asks is recorded in `log`; the test plays the customer and the agents'
devices (`accept`, `decline`, `customer_says`, `customer_leaves`, `agent_leaves`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from hotline.flows.actions import Collect, Enqueue, NotifyVoicemail, RecordVoicemail
from hotline.flows.errors import CallerHungUp, PortUnsupported
from hotline.flows.inputs import CollectTimedOut, DigitsCollected, RecordingDone
from hotline.flows.prompts import PromptRef
from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions import (
    CUSTOMER,
    Capability,
    ChannelUnsupported,
    Contact,
    ContactEvents,
    Guard,
    Release,
    Ring,
    RingResult,
    number_party,
)


@dataclass
class Room:
    """One contact on the test channel."""

    contact_id: InteractionId
    parties: set[str] = field(default_factory=lambda: {CUSTOMER})
    joined: list[frozenset[str]] = field(default_factory=list)  # who hears whom, latest last
    held: bool = False
    waiting_in: QueueId | None = None
    to_customer: list[str] = field(default_factory=list)  # messages the customer got
    from_customer: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    rings: dict[AgentId, asyncio.Future[RingResult]] = field(default_factory=dict)
    ended: bool = False


class TestChannel:
    """A fake of the `Channel` port (a whole channel, not a mock of the lifecycle)."""

    __test__ = False  # not a pytest class

    def __init__(
        self, name: str, capabilities: frozenset[Capability] = frozenset(), *, events: ContactEvents
    ) -> None:
        self.name = name
        self.capabilities = capabilities
        self.events = events
        self.rooms: dict[InteractionId, Room] = {}
        self.log: list[tuple[str, ...]] = []
        self.reachable_numbers: set[str] = set()

    def room(self, contact_id: InteractionId) -> Room:
        room = self.rooms.get(contact_id)
        if room is None:
            room = self.rooms[contact_id] = Room(contact_id)
        return room

    # --- the test plays the devices -------------------------------------------------------

    def ringing(self, agent_id: str) -> InteractionId | None:
        for room in self.rooms.values():
            ring = room.rings.get(AgentId(agent_id))
            if ring is not None and not ring.done():
                return room.contact_id
        return None

    def take(self, agent_id: str) -> None:
        """The agent accepts the offer on its device."""
        self._answer(agent_id, RingResult.ANSWERED)

    def decline(self, agent_id: str) -> None:
        self._answer(agent_id, RingResult.REJECTED)

    def _answer(self, agent_id: str, result: RingResult) -> None:
        contact_id = self.ringing(agent_id)
        assert contact_id is not None, f"nothing rings {agent_id}"
        self.rooms[contact_id].rings[AgentId(agent_id)].set_result(result)

    def customer_says(self, contact_id: InteractionId, text: str) -> None:
        self.room(contact_id).from_customer.put_nowait(text)

    def customer_leaves(self, contact_id: InteractionId) -> None:
        room = self.room(contact_id)
        room.parties.discard(CUSTOMER)
        self.events.party_left(contact_id, CUSTOMER)

    def agent_leaves(self, contact_id: InteractionId, agent_id: str) -> None:
        self.room(contact_id).parties.discard(agent_id)
        self.events.party_left(contact_id, agent_id)

    def customer_returns(self, contact_id: InteractionId, text: str) -> None:
        """An e-mail reply to a parked contact."""
        self.room(contact_id).from_customer.put_nowait(text)
        self.events.customer_returned(contact_id)

    def heard_by(self, contact_id: InteractionId, party: str) -> set[str]:
        joined = self.room(contact_id).joined
        return set().union(*[j for j in joined[-1:] if party in j]) - {party} if joined else set()

    # --- the Channel port -----------------------------------------------------------------

    def opened(self, contact: Contact) -> None:
        self.rooms[contact.contact_id] = Room(contact.contact_id, parties=set())

    async def ring(self, ring: Ring) -> RingResult:
        room = self.room(ring.contact_id)
        future: asyncio.Future[RingResult] = asyncio.get_running_loop().create_future()
        room.rings[ring.agent_id] = future
        self.log.append(("ring", ring.agent_id, ring.purpose.value))
        try:
            result = await asyncio.wait_for(future, ring.timeout_s)
        except TimeoutError:
            result = RingResult.NO_ANSWER
        if result is RingResult.ANSWERED:
            room.parties.add(ring.agent_id)
        return result

    async def cancel(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        room = self.room(contact_id)
        ring = room.rings.get(AgentId(party))
        if ring is not None and not ring.done():
            ring.set_result(RingResult.CANCELLED)
        else:
            room.parties.discard(party)
        self.log.append(("cancel", party, reason.value))

    def present(self, contact_id: InteractionId, party: str) -> bool:
        room = self.rooms.get(contact_id)
        return room is not None and party in room.parties and not room.ended

    async def connected(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        self.log.append(("connected", agent_id))

    async def accept(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        self.room(contact_id).rings[agent_id].set_result(RingResult.ANSWERED)

    async def join(self, contact_id: InteractionId, a: str, b: str) -> None:
        self.room(contact_id).joined.append(frozenset({a, b}))
        self.log.append(("join", a, b))

    async def conference(self, contact_id: InteractionId, parties: Sequence[str]) -> None:
        if Capability.CONFERENCE not in self.capabilities:
            raise ChannelUnsupported(f"{self.name} has no conferences")
        self.room(contact_id).joined.append(frozenset(parties))

    async def hold(self, contact_id: InteractionId, party: str, *, by: str) -> None:
        self.room(contact_id).held = True
        self.log.append(("hold", party))

    async def resume(self, contact_id: InteractionId, party: str) -> None:
        self.room(contact_id).held = False

    async def release(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        self.room(contact_id).parties.discard(party)
        self.log.append(("release", party, reason.value))

    async def dial(
        self,
        contact_id: InteractionId,
        number: str,
        *,
        customer: bool,
        timeout_s: float,
        caller_id: str | None = None,
    ) -> str | None:
        self.log.append(("dial", number))
        if number not in self.reachable_numbers:
            return None
        party = CUSTOMER if customer else number_party(number)
        self.room(contact_id).parties.add(party)
        return party

    async def end(self, contact_id: InteractionId, reason: Release) -> tuple[str, int]:
        room = self.room(contact_id)
        room.ended = True
        self.log.append(("end", reason.value))
        return ("normal", 16)

    async def hang_up(self, contact_id: InteractionId, cause: str) -> None:
        self.log.append(("hang_up", cause))
        self.customer_leaves(contact_id)  # reported like any ending of the customer's side

    async def start_waiting(self, contact_id: InteractionId, queue_id: QueueId | None) -> None:
        room = self.room(contact_id)
        room.waiting_in = queue_id
        room.to_customer.append(f"waiting:{queue_id}")

    async def stop_waiting(self, contact_id: InteractionId, *, keep_sound: bool) -> None:
        self.room(contact_id).waiting_in = None

    async def announce(
        self,
        contact_id: InteractionId,
        place: tuple[int, float | None] | None,
        request: Enqueue | None,
    ) -> None:
        if place is not None:
            self.room(contact_id).to_customer.append(f"position:{place[0]}")

    def flow_media(self, contact: Contact, guard: Guard) -> TextMedia:
        return TextMedia(self, self.room(contact.contact_id), guard)

    async def mute(self, contact_id: InteractionId, party: str, muted: bool) -> None:
        raise ChannelUnsupported(f"{self.name} cannot mute")

    async def send_dtmf(self, contact_id: InteractionId, party: str, digits: str) -> None:
        raise ChannelUnsupported(f"{self.name} has no keys")

    async def pause_recording(self, contact_id: InteractionId, paused: bool) -> None:
        raise ChannelUnsupported(f"{self.name} records nothing")

    async def transfer_progress(self, contact_id: InteractionId, party: str, status: int) -> None:
        self.log.append(("transfer_progress", party, str(status)))


class TextMedia:
    """The flow's media on a text channel: prompts are messages, replies are keys."""

    def __init__(self, channel: TestChannel, room: Room, guard: Guard) -> None:
        self._channel = channel
        self._room = room
        self._guard = guard

    @property
    def channel(self) -> str:
        return self._channel.name

    async def prepare(self, *, for_input: bool) -> None:
        if CUSTOMER not in self._room.parties:
            raise CallerHungUp()

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str:
        for prompt in prompts:
            if prompt.text:
                await self.send(prompt.text)
        return ""

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut:
        raise PortUnsupported("text channels read replies")

    async def record(self, request: RecordVoicemail) -> RecordingDone:
        raise PortUnsupported("text channels record no voicemail")

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None:
        raise PortUnsupported("text channels record no voicemail")

    async def send(self, text: str) -> None:
        self._room.to_customer.append(text)

    async def await_reply(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self._room.from_customer.get(), timeout)
        except TimeoutError:
            return None
