"""Running a contact's flow: the flow's `InteractionPort` made of the channel's media (prompts,
keys, recordings, messages — `Channel.flow_media`) and the lifecycle's parts (queueing,
transfers, callbacks, look-ups, tickets), with one guard: every pending step is cut short when the
customer leaves (`CallerHungUp`) or, while still in a queue's line, when that queue decides
(`QueuePreempted`) — docs/flows.md, ADR 0044.

A survey rating names the agent the customer talked to last and that agent's segment.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from hotline.clock import Clock
from hotline.egress import EgressPolicy
from hotline.events import DomainEvent, EventSink
from hotline.flows import Program, run_flow
from hotline.flows.actions import (
    AskBot,
    Collect,
    Enqueue,
    FindTicket,
    LeaveQueue,
    Lookup,
    NotifyVoicemail,
    OpenTicket,
    RecordVoicemail,
    RequestCallback,
    Transfer,
)
from hotline.flows.errors import CallerHungUp, PortUnsupported
from hotline.flows.events import SurveyAnswered, SurveyOffered
from hotline.flows.inputs import (
    BotAnswered,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    LookupCompleted,
    LookupFailed,
    QueueOutcome,
    RecordingDone,
    TicketFailed,
    TicketFound,
    TicketOpened,
    TransferOutcome,
)
from hotline.flows.port import QueuePreempted
from hotline.flows.prompts import PromptRef
from hotline.flows.state import EndReason
from hotline.flows.variables import Scalar
from hotline.interactions.channel import Channel, FlowMedia
from hotline.interactions.lookup import lookup_customer, lookup_webhook
from hotline.interactions.model import Contact
from hotline.interactions.ports import BotAdvisor, CustomerDirectory, TicketDesk
from hotline.interactions.ticketing import TICKET_TIMEOUT_S, find_ticket, open_ticket
from hotline.interactions.transfers import Transfers
from hotline.interactions.waits import QueueWaits
from hotline.tasks import TaskSet

__all__ = ["ContactPort", "FlowRunner"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Stamped:
    """The flow's sink for one contact: survey ratings name its last agent and segment."""

    def __init__(self, sink: EventSink, contact: Contact) -> None:
        self._sink = sink
        self._contact = contact

    def emit(self, event: DomainEvent) -> None:
        if isinstance(event, SurveyAnswered | SurveyOffered) and event.agent_id is None:
            event = dataclasses.replace(
                event, agent_id=self._contact.last_agent, work_id=self._contact.last_segment
            )
        self._sink.emit(event)


class ContactPort:
    """The flow's `InteractionPort` for one contact."""

    def __init__(
        self,
        contact: Contact,
        channel: Channel,
        *,
        waits: QueueWaits,
        transfers: Transfers,
        customers: CustomerDirectory,
        egress: EgressPolicy,
        tickets: TicketDesk | None = None,
        bot: BotAdvisor | None = None,
    ) -> None:
        self.contact = contact
        self._bot = bot
        self._tickets = tickets
        self._channel = channel
        self._waits = waits
        self._transfers = transfers
        self._customers = customers
        self._egress = egress
        self.media: FlowMedia = channel.flow_media(contact, self.guard)

    @property
    def channel(self) -> str:
        return self.media.channel

    async def guard(self, work: Awaitable[T], *, preemptible: bool = True) -> T:
        """Run `work` unless the customer leaves or the queue decides first."""
        contact = self.contact
        if contact.gone.is_set():
            raise CallerHungUp()
        task = asyncio.ensure_future(work)
        gone = asyncio.ensure_future(contact.gone.wait())
        waits: set[asyncio.Future[object]] = {task, gone}  # type: ignore[arg-type]
        waiter = self._waits.waiter(contact)
        preempt = None
        if preemptible and waiter is not None:
            preempt = asyncio.ensure_future(waiter.preempted.wait())
            waits.add(preempt)  # type: ignore[arg-type]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in (gone, preempt):
                if w is not None:
                    w.cancel()
        if task.done():
            return task.result()
        task.cancel()
        if contact.gone.is_set():
            raise CallerHungUp()
        assert waiter is not None
        assert waiter.preempting is not None
        outcome, waiter.preempting = waiter.preempting, None
        waiter.preempted.clear()
        raise QueuePreempted(outcome)

    # --- the channel's media ----------------------------------------------------------------

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str:
        return await self.media.play(prompts, interruptible=interruptible)

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut:
        return await self.media.collect_digits(request)

    async def record(self, request: RecordVoicemail) -> RecordingDone:
        return await self.media.record(request)

    async def send(self, text: str) -> None:
        await self.guard(self.media.send(text))

    async def await_reply(self, timeout: float) -> str | None:
        return await self.guard(self.media.await_reply(timeout))

    async def listen(self, timeout: float, language: str) -> str | None:
        return await self.guard(self.media.listen(timeout, language))

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None:
        await self.media.notify_voicemail(notice)

    async def hang_up(self, cause: str) -> None:
        await self._channel.hang_up(self.contact.contact_id, cause)

    # --- the lifecycle's parts --------------------------------------------------------------

    async def lookup(self, request: Lookup) -> LookupCompleted | LookupFailed:
        contact = self.contact
        if request.source == "webhook":
            return await self.guard(lookup_webhook(request, self._egress), preemptible=False)
        known = (contact.caller_number, contact.record)
        return await self.guard(
            lookup_customer(self._customers, contact.tenant_id, request, known=known),
            preemptible=False,
        )

    async def open_ticket(self, request: OpenTicket) -> TicketOpened | TicketFailed:
        work = open_ticket(self._tickets, self.contact, request, TICKET_TIMEOUT_S)
        return await self.guard(work, preemptible=False)

    async def find_ticket(self, request: FindTicket) -> TicketFound | TicketFailed:
        work = find_ticket(self._tickets, self.contact, request, TICKET_TIMEOUT_S)
        return await self.guard(work, preemptible=False)

    async def consult_bot(self, question: str, request: AskBot) -> BotAnswered:
        if self._bot is None:
            raise PortUnsupported("this center has no knowledge bot")
        work = self._bot.consult(self.contact.tenant_id, question, request)
        return await self.guard(work, preemptible=False)

    async def enqueue(self, request: Enqueue) -> QueueOutcome:
        await self.media.prepare(for_input=True)
        return await self.guard(self._waits.wait_in_queue(self.contact, request), preemptible=False)

    async def leave_queue(self, request: LeaveQueue) -> None:
        self._waits.leave_line(self.contact, reason="flow")

    async def wait_agent_left(self) -> None:
        await self.guard(self.contact.agent_left.wait(), preemptible=False)
        self.contact.agent_left.clear()

    async def transfer(self, request: Transfer) -> TransferOutcome:
        await self.media.prepare(for_input=True)
        if request.prompts:
            await self.play(request.prompts, interruptible=False)
        return await self.guard(
            self._transfers.flow_transfer(self.contact, request), preemptible=False
        )

    async def request_callback(self, request: RequestCallback) -> CallbackOutcome:
        return self._waits.book_callback(self.contact, request.number)


class FlowRunner:
    def __init__(
        self,
        channel_of: Callable[[Contact], Channel],
        tasks: TaskSet,
        clock: Clock,
        sink: EventSink,
        *,
        tenant_id: str,
        port: Callable[[Contact, Channel], ContactPort],
        flow_over: Callable[[Contact], Awaitable[None]],
    ) -> None:
        self._channel_of = channel_of
        self._tasks = tasks
        self._clock = clock
        self._sink = sink
        self._tenant_id = tenant_id
        self._port = port
        self._flow_over = flow_over

    def start(self, contact: Contact, program: Program, seeds: Mapping[str, Scalar]) -> None:
        contact.flow_name = program.flow.name
        contact.flow_task = self._tasks.spawn(
            self._run(contact, program, seeds), name=f"flow-{contact.contact_id}"
        )

    async def _run(self, contact: Contact, program: Program, seeds: Mapping[str, Scalar]) -> None:
        port = self._port(contact, self._channel_of(contact))
        try:
            state = await run_flow(
                program,
                port,
                seeds,
                self._clock,
                sink=_Stamped(self._sink, contact),
                tenant_id=self._tenant_id,
                interaction_id=contact.contact_id,
            )
            contact.flow_end = state.ended.value if state.ended else None
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("flow of %s failed", contact.contact_id)
            contact.flow_end = EndReason.ERROR.value
        contact.flow_task = None
        await self._flow_over(contact)
