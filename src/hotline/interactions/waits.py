"""Waiting in line: a contact's work item in a router queue, the customer's treatment while it
waits, and the outcome the flow's queue node waits for (ADR 0044).

`QueueWaits.join` creates a work item, enqueues it with the router and starts the channel's
waiting treatment (hold music and announcements on voice); a `Waiter` carries the outcome:

- `resolve(outcome)` hands an outcome over; if the flow is busy elsewhere while the customer is
  still in line (a callback offer playing), it is kept as `preempting`, which the flow's port
  raises as `QueuePreempted` from whatever it is doing;
- `CALLBACK_OFFERED` keeps the waiter (the customer is still in line); any other closes it.

The router lets go of a work item on its own too (overflow out, closing time, max wait, full):
`let_go` sends the contact on (another queue, or back to the flow), a booked callback that can
no longer be made ends the contact.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hotline.clock import Clock
from hotline.flows.actions import Enqueue
from hotline.flows.inputs import CallbackOutcome, QueueOutcome, QueueResult
from hotline.flows.skills import parse_skills
from hotline.ids import AgentId, QueueId, WorkId, new_id
from hotline.interactions.channel import Channel
from hotline.interactions.model import (
    Contact,
    ContactEvent,
    ContactState,
    Outcome,
    WorkItem,
    WorkKind,
)
from hotline.interactions.registry import ContactRegistry
from hotline.interactions.routerlink import RouterLink
from hotline.routing import (
    PERSONAL_QUEUE,
    AgentState,
    Announce,
    DestinationKind,
    Exited,
    OfferCallback,
    Overflow,
    Rejected,
    RoutingError,
    is_personal,
)
from hotline.tasks import TaskSet

__all__ = ["QueueWaits", "WaitSettings", "Waiter"]

log = logging.getLogger(__name__)

Place = tuple[int, float | None]


@dataclass(frozen=True, slots=True)
class WaitSettings:
    announce_every_s: float = 45.0  # default cadence when a flow gives none


class Waiter:
    """The customer's side of one wait: treatment, announcements, the flow's outcome."""

    def __init__(
        self,
        contact: Contact,
        work: WorkItem,
        *,
        channel: Channel,
        tasks: TaskSet,
        every_s: float,
        position: Callable[[], Place | None],
    ) -> None:
        self.contact = contact
        self.work = work
        self.request = work.request
        self._channel = channel
        self._tasks = tasks
        self._every_s = every_s
        self._position = position
        self._outcome: asyncio.Future[QueueOutcome] | None = None
        self.preempting: QueueOutcome | None = None
        self.preempted = asyncio.Event()
        self.closed = False
        self.max_wait_passed = False
        self._announcer: asyncio.Task[None] | None = None
        self._max_wait: asyncio.TimerHandle | None = None
        self.on_max_wait: Callable[[], None] | None = None

    @property
    def queue_id(self) -> QueueId:
        return self.work.queue_id

    async def start(self) -> None:
        if not self.contact.live:
            return
        await self._channel.start_waiting(self.contact.contact_id, self.work.queue_id)
        self._announcer = self._tasks.spawn(self._announce_loop(), name="announcer")

    async def _announce_loop(self) -> None:
        while not self.closed:
            if self._outcome is not None and not self._outcome.done():
                await self.announce(None)
            await asyncio.sleep(self._every_s)

    async def announce(self, place: Place | None) -> None:
        """Tell the customer their place (the router's, or asked now) over the treatment."""
        if self.closed or not self.contact.live:
            return
        await self._channel.announce(
            self.contact.contact_id, place if place is not None else self._position(), self.request
        )

    async def wait(self, timeout_at: float | None, now: float) -> QueueOutcome:
        """The next outcome for the flow; `timeout_at` (clock seconds) arms the max wait."""
        if self.preempting is not None:
            outcome, self.preempting = self.preempting, None
            self.preempted.clear()
            return outcome
        loop = asyncio.get_running_loop()
        self._outcome = loop.create_future()
        if timeout_at is not None and self._max_wait is None and self.on_max_wait is not None:
            self._max_wait = loop.call_later(max(0.0, timeout_at - now), self.on_max_wait)
        try:
            return await asyncio.shield(self._outcome)
        finally:
            self._outcome = None

    def arm_max_wait(self, delay_s: float) -> None:
        """A wait nobody awaits (an agent's transfer) still ends after `delay_s`."""
        if self._max_wait is None and self.on_max_wait is not None:
            self._max_wait = asyncio.get_running_loop().call_later(delay_s, self.on_max_wait)

    @property
    def flow_waiting(self) -> bool:
        return self._outcome is not None and not self._outcome.done()

    def resolve(self, outcome: QueueOutcome) -> None:
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result(outcome)
        elif self.request is not None:
            self.preempting = outcome
            self.preempted.set()
        if outcome.result is not QueueResult.CALLBACK_OFFERED:
            self._tasks.spawn(self.close(), name="close-waiter")

    async def close(self, *, keep_sound: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        if self._max_wait is not None:
            self._max_wait.cancel()
        if self._announcer is not None:
            self._announcer.cancel()
        if keep_sound or not self.contact.live:
            return
        await self._channel.stop_waiting(self.contact.contact_id, keep_sound=False)


class QueueWaits:
    """Work items in router queues with a customer waiting on them."""

    def __init__(
        self,
        link: RouterLink,
        registry: ContactRegistry,
        channel_of: Callable[[Contact], Channel],
        tasks: TaskSet,
        clock: Clock,
        *,
        settings: WaitSettings,
        end_contact: Callable[[Contact, Outcome | None], None],
        transfer_failed: Callable[[Contact], None],
    ) -> None:
        self._link = link
        self._registry = registry
        self._channel_of = channel_of
        self._tasks = tasks
        self._clock = clock
        self._settings = settings
        self._end_contact = end_contact
        self._transfer_failed = transfer_failed
        self._waiters: dict[str, Waiter] = {}  # by contact id

    def now(self) -> float:
        return self._clock.now()

    def waiter(self, contact: Contact) -> Waiter | None:
        return self._waiters.get(contact.contact_id)

    def take(self, contact: Contact) -> Waiter | None:
        """Stop tracking the contact's waiter (an agent answered): the caller closes it."""
        return self._waiters.pop(contact.contact_id, None)

    # --- joining --------------------------------------------------------------------------

    async def join(
        self,
        contact: Contact,
        queue_id: QueueId,
        *,
        kind: WorkKind = WorkKind.QUEUE,
        request: Enqueue | None = None,
        priority: int = 0,
        skills: Mapping[str, int] | None = None,
        exclude: tuple[AgentId, ...] = (),
        target_agent: AgentId | None = None,
        by_agent: AgentId | None = None,
        note: str | None = None,
        preferred_agent: AgentId | None = None,
        work_id: WorkId | None = None,
    ) -> Waiter | None:
        """A new work item in `queue_id` (or on `target_agent`'s personal line) with the
        customer waiting on it; None if the router has no such queue or agent. A transfer
        names the work item's id beforehand, so its record precedes the queue's."""
        now = self.now()
        router = self._link.router
        record = contact.record
        work = WorkItem(
            work_id or WorkId(new_id(now)),
            contact.contact_id,
            kind,
            queue_id,
            now,
            target_agent=target_agent,
            request=request,
            by_agent=by_agent,
            note=note,
        )
        customer_id = record.customer_id if record else None
        try:
            if target_agent is not None:
                decisions = router.route_to_agent(
                    work.work_id,
                    target_agent,
                    now=now,
                    contact_id=contact.contact_id,
                    priority=priority,
                    customer_id=customer_id,
                    rules_queue=contact.queue_id,
                )
                work.queue_id = PERSONAL_QUEUE
            else:
                decisions = router.enqueue(
                    work.work_id,
                    queue_id,
                    now=now,
                    priority=priority,
                    skills=skills or {},
                    customer_id=customer_id,
                    contact_id=contact.contact_id,
                    exclude=exclude,
                    preferred_agent=preferred_agent,
                )
        except RoutingError as exc:
            log.warning("cannot enqueue %s in %s: %s", contact.contact_id, queue_id, exc)
            return None
        self._registry.add_work(work)
        contact.step(ContactEvent.ENQUEUE, now)
        if not is_personal(work.queue_id):
            contact.queue_id = work.queue_id
        contact.work = work
        every = request.announcements.every if request else None
        waiter = Waiter(
            contact,
            work,
            channel=self._channel_of(contact),
            tasks=self._tasks,
            every_s=every or self._settings.announce_every_s,
            position=lambda: self._place(work.work_id),
        )
        waiter.on_max_wait = lambda: self._max_wait_passed(contact, waiter)
        self._waiters[contact.contact_id] = waiter
        await waiter.start()
        self._link.route(decisions)
        if (
            self._waiters.get(contact.contact_id) is waiter
            and not self._ringing(work.work_id)
            and not self._servable(work.queue_id)
            and target_agent is None
        ):
            self.leave_line(contact, reason="unavailable")
            self.finish_wait(contact, waiter, QueueResult.UNAVAILABLE)
        return waiter

    async def wait_in_queue(self, contact: Contact, request: Enqueue) -> QueueOutcome:
        """The flow's queue node: enqueue (or keep waiting at the same place, ADR 0044)."""
        queue_id = QueueId(request.queue)
        waiter = self._waiters.get(contact.contact_id)
        if (
            waiter is None
            or waiter.closed
            or contact.queue_id != queue_id
            or contact.state is not ContactState.QUEUED
        ):
            if contact.state is ContactState.QUEUED:
                self.leave_line(contact, reason="flow")
            waiter = await self.join(
                contact,
                queue_id,
                request=request,
                priority=request.priority,
                skills=parse_skills(request.skills),
            )
            if waiter is None:
                return QueueOutcome(QueueResult.UNAVAILABLE)
        timeout_at = request.entered_at + request.max_wait if request.max_wait else None
        return await waiter.wait(timeout_at, self.now())

    def _place(self, work_id: WorkId) -> Place | None:
        try:
            snapshot = self._link.router.waiting_snapshot(work_id, now=self.now())
        except RoutingError:
            return None
        return snapshot.position, snapshot.ewt_s

    def _ringing(self, work_id: WorkId) -> bool:
        try:
            return self._link.router.waiting_snapshot(work_id, now=self.now()).ringing
        except RoutingError:
            return False

    def _servable(self, queue_id: QueueId) -> bool:
        """Is anyone who could answer this queue logged in? (else the flow's `unavailable`)"""
        try:
            snapshot = self._link.router.queue_snapshot(queue_id, now=self.now())
        except RoutingError:
            return False
        return any(n for state, n in snapshot.agents.items() if state is not AgentState.LOGGED_OUT)

    # --- leaving --------------------------------------------------------------------------

    def leave_line(self, contact: Contact, *, reason: str) -> None:
        """Take the work item out of the router's line (not an abandon); back to the flow."""
        if contact.state is not ContactState.QUEUED:
            return
        work = contact.work
        if work is not None and not work.done:
            work.done = True
            self._link.call(
                lambda: self._link.router.remove(work.work_id, now=self.now(), reason=reason)
            )
        contact.step(ContactEvent.LEAVE, self.now())

    def abandon(self, contact: Contact) -> None:
        """The customer left while waiting: the router counts an abandon."""
        contact.abandoned = True
        waiter = self._waiters.pop(contact.contact_id, None)
        if waiter is not None:
            self._tasks.spawn(waiter.close(), name="close-waiter")
        work = contact.work
        if work is not None and not work.done:
            work.done = True
            self._link.call(lambda: self._link.router.abandon(work.work_id, now=self.now()))

    def withdraw(self, contact: Contact, *, reason: str) -> None:
        """The contact is over while a work item is still in line: out of the router."""
        waiter = self._waiters.pop(contact.contact_id, None)
        if waiter is not None:
            self._tasks.spawn(waiter.close(), name="close-waiter")
        work = contact.work
        if contact.in_line and work is not None:
            work.done = True
            self._link.call(
                lambda: self._link.router.remove(work.work_id, now=self.now(), reason=reason)
            )

    def finish_wait(self, contact: Contact, waiter: Waiter | None, result: QueueResult) -> None:
        """The wait is over without an answer: tell whoever waits on it."""
        if waiter is not None and self._waiters.get(contact.contact_id) is waiter:
            del self._waiters[contact.contact_id]
        if waiter is not None and (waiter.request is not None or waiter.flow_waiting):
            waiter.resolve(QueueOutcome(result))
            return
        if waiter is not None:
            self._tasks.spawn(waiter.close(), name="close-waiter")
        # A transfer waited in a queue and failed: the customer goes on with the flow's `after`.
        contact.transfer_pending = False
        contact.agent_left.set()
        self._transfer_failed(contact)

    def give_up(self, contact: Contact, result: QueueResult) -> None:
        """Whoever routed the work item stops waiting for it (a transfer's target missed it)."""
        waiter = self._waiters.get(contact.contact_id)
        self.leave_line(contact, reason="gave_up")
        self.finish_wait(contact, waiter, result)

    def _max_wait_passed(self, contact: Contact, waiter: Waiter) -> None:
        if contact.work is not None and self._ringing(contact.work.work_id):
            waiter.max_wait_passed = True  # a ringing device finishes its offer first
            return
        self.leave_line(contact, reason="max_wait")
        self.finish_wait(contact, waiter, QueueResult.TIMEOUT)

    def offer_failed(self, contact: Contact) -> None:
        """An offer of the contact's work item ended unanswered: a max wait that passed while
        it rang takes effect now."""
        waiter = self._waiters.get(contact.contact_id)
        work = contact.work
        ringing = work is not None and self._ringing(work.work_id)
        if waiter is not None and waiter.max_wait_passed and not ringing:
            self.leave_line(contact, reason="max_wait")
            self.finish_wait(contact, waiter, QueueResult.TIMEOUT)

    # --- the router's decisions -----------------------------------------------------------

    def announce(self, d: Announce) -> None:
        contact = self._registry.of_work(d.work_id)
        waiter = self._waiters.get(contact.contact_id) if contact else None
        if waiter is not None and waiter.flow_waiting:
            self._tasks.spawn(waiter.announce((d.position, d.ewt_s)), name="announce")

    def offer_callback(self, d: OfferCallback) -> None:
        contact = self._registry.of_work(d.work_id)
        waiter = self._waiters.get(contact.contact_id) if contact else None
        request = waiter.request if waiter is not None else None
        # Offered only while the flow waits on a queue node that has a callback branch.
        if waiter is not None and request is not None and request.offer_callback:  # noqa: SIM102
            if waiter.flow_waiting:
                waiter.resolve(QueueOutcome(QueueResult.CALLBACK_OFFERED))

    def overflowed(self, d: Overflow) -> None:
        if d.left_queue:
            self._let_go(d.work_id, d.destination, QueueResult.TIMEOUT)

    def rejected(self, d: Rejected) -> None:
        self._let_go(d.work_id, d.destination, QueueResult.UNAVAILABLE)

    def exited(self, d: Exited) -> None:
        self._let_go(d.work_id, d.destination, QueueResult.TIMEOUT)

    def _let_go(self, work_id: WorkId, destination: object, result: QueueResult) -> None:
        """The router no longer holds the work item (overflow out, max wait, closed, full)."""
        contact = self._registry.of_work(work_id)
        work = self._registry.work(work_id)
        if contact is None or work is None:
            return
        work.done = True
        if contact.state is ContactState.CALLBACK:
            self._end_contact(contact, Outcome.CALLBACK_FAILED)
            return
        waiter = self._waiters.get(contact.contact_id)
        target = getattr(destination, "target", None)
        if (
            getattr(destination, "kind", None) is DestinationKind.QUEUE
            and target
            and waiter is not None
            and contact.live
            and self._move_line(contact, waiter, QueueId(target))
        ):
            return
        if contact.state is ContactState.QUEUED:
            contact.step(ContactEvent.LEAVE, self.now())
        self.finish_wait(contact, waiter, result)

    def _move_line(self, contact: Contact, waiter: Waiter, queue_id: QueueId) -> bool:
        """Overflow to another queue: a new work item there, keeping the waiter (music, the
        flow's future) — the contact is offered to that queue too (ADR 0061)."""
        now = self.now()
        request = waiter.request
        record = contact.record
        work = WorkItem(
            WorkId(new_id(now)), contact.contact_id, WorkKind.QUEUE, queue_id, now, request=request
        )
        try:
            decisions = self._link.router.enqueue(
                work.work_id,
                queue_id,
                now=now,
                priority=request.priority if request else 0,
                customer_id=record.customer_id if record else None,
                contact_id=contact.contact_id,
            )
        except RoutingError as exc:
            log.warning("cannot move %s to %s: %s", contact.contact_id, queue_id, exc)
            return False
        self._registry.add_work(work)
        contact.queue_id = queue_id
        contact.work = waiter.work = work
        self._link.route(decisions)
        return True

    # --- callbacks ------------------------------------------------------------------------

    def book_callback(self, contact: Contact, number: str) -> CallbackOutcome:
        work = contact.work
        if work is None or work.done:
            return CallbackOutcome(False, "routing.interaction.unknown")
        try:
            decisions = self._link.router.request_callback(work.work_id, number, now=self.now())
        except RoutingError as exc:
            return CallbackOutcome(False, exc.code)
        contact.step(ContactEvent.BOOK_CALLBACK, self.now())
        contact.callback_number = number
        waiter = self._waiters.pop(contact.contact_id, None)
        if waiter is not None:
            self._tasks.spawn(waiter.close(), name="close-waiter")
        self._link.route(decisions)
        return CallbackOutcome(True)

    async def close_all(self) -> None:
        for waiter in list(self._waiters.values()):
            with contextlib.suppress(Exception):
                await waiter.close()
        self._waiters.clear()
