"""The tenant runtime's core: its registries, the router plumbing, waiting in line, and the end
of interactions. Offers, transfers and the agents' desk are mixins on top (`offers.py`,
`transfers.py`, `desk.py`); `tenant.py` assembles them with arrival and the flow.

**Router plumbing.** Every router call goes through `route()`, which applies the decisions in
causal order. Decisions that need I/O (ringing a phone, hanging up) spawn tasks; a decision
arriving while others are applied is queued, so handlers may call the router again without
re-entering it. One timer loop per tenant sleeps until `router.next_timer()` (ADR 0030 keeps
the router's timers inside the router).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from hotline.calls import CAUSES, CallControl, Cause, Leg, LegRole, TaskSet
from hotline.clock import Clock
from hotline.events import DomainEvent, EventSink
from hotline.flows.actions import Enqueue
from hotline.flows.inputs import CallbackOutcome, QueueOutcome, QueueResult
from hotline.flows.skills import parse_skills
from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions.agents import Seat
from hotline.interactions.events import InteractionEnded
from hotline.interactions.interaction import (
    InteractionEvent,
    InteractionOutcome,
    InteractionState,
    VoiceInteraction,
)
from hotline.interactions.phones import PhoneLines
from hotline.interactions.ports import (
    BrowserPhones,
    CustomerDirectory,
    MailSender,
    RecordingCatalog,
)
from hotline.interactions.settings import QueueOptions, TelephonySettings
from hotline.interactions.waiting import QueueWaiter
from hotline.media.backend import MediaBackend
from hotline.media.storage import RecordingStorage
from hotline.routing import (
    AgentState,
    Announce,
    CancelOffer,
    Decision,
    Destination,
    DestinationKind,
    DialCallback,
    Exited,
    Offer,
    OfferCallback,
    Overflow,
    Rejected,
    Router,
    RoutingError,
)

if TYPE_CHECKING:
    from hotline.calls.ports import SipCalls

__all__ = ["RuntimeCore"]

log = logging.getLogger(__name__)


class RuntimeCore(PhoneLines):
    def __init__(
        self,
        tenant_id: str,
        router: Router,
        *,
        calls: CallControl,
        media: MediaBackend,
        sip: SipCalls,
        clock: Clock,
        sink: EventSink,
        settings: TelephonySettings,
        customers: CustomerDirectory,
        catalog: RecordingCatalog,
        mail: MailSender,
        storage: RecordingStorage,
        browsers: BrowserPhones | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.router = router
        self.calls = calls
        self.media = media
        self.sip = sip
        self.clock = clock
        self.sink = sink
        self.settings = settings
        self.customers = customers
        self.catalog = catalog
        self.mail = mail
        self.storage = storage
        self.browsers = browsers
        self.interactions: dict[InteractionId, VoiceInteraction] = {}
        self.seats: dict[AgentId, Seat] = {}
        self.queue_options: dict[str, QueueOptions] = dict(settings.queue_options)
        self.tasks = TaskSet(f"tenant {tenant_id}")
        self._waiters: dict[InteractionId, QueueWaiter] = {}
        self._pending: deque[Decision] = deque()
        self._applying = False
        self._rearm = asyncio.Event()
        self.restore_when_reachable: dict[AgentId, float] = {}  # agent -> until (clock time)
        # The task that rings each browser leg (the desk's answer waits for it to connect).
        self.ring_tasks: dict[str, asyncio.Task[object]] = {}

    # --- small helpers ------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def emit(self, event: DomainEvent) -> None:
        self.sink.emit(event)

    def options(self, queue_id: str | None) -> QueueOptions:
        return self.queue_options.get(queue_id or "", QueueOptions())

    def interaction_of(self, leg: Leg) -> VoiceInteraction | None:
        iid = leg.call.interaction_id
        return self.interactions.get(InteractionId(iid)) if iid else None

    # --- router plumbing ----------------------------------------------------------------

    def route(self, decisions: Iterable[Decision]) -> None:
        """Carry out router decisions in order (re-entrant calls queue behind)."""
        self._pending.extend(decisions)
        self._rearm.set()
        if self._applying:
            return
        self._applying = True
        try:
            while self._pending:
                decision = self._pending.popleft()
                try:
                    self._apply(decision)
                except Exception:
                    log.exception("applying %r failed", decision)
        finally:
            self._applying = False

    def safely(self, call: Callable[[], list[Decision]]) -> bool:
        """Call the router and apply its decisions; a refusal (stale offer, unknown
        interaction — races between phones and timers) is logged, not raised."""
        try:
            decisions = call()
        except RoutingError as exc:
            log.info("router refused: %s", exc)
            return False
        self.route(decisions)
        return True

    def _apply(self, d: Decision) -> None:
        if isinstance(d, Offer):
            self._offer(d)
        elif isinstance(d, DialCallback):
            self._dial_callback(d)
        elif isinstance(d, CancelOffer):
            self._cancel_offer(d)
        elif isinstance(d, Announce):
            waiter = self._waiters.get(d.interaction_id)
            if waiter is not None and waiter.flow_waiting:
                self.tasks.spawn(waiter.announce((d.position, d.ewt_s)), name="announce")
        elif isinstance(d, OfferCallback):
            waiter = self._waiters.get(d.interaction_id)
            request = waiter.request if waiter is not None else None
            # Offered only while the flow waits on a queue node that has a callback branch.
            if (
                waiter is not None
                and request is not None
                and request.offer_callback
                and waiter.flow_waiting
            ):
                waiter.resolve(QueueOutcome(QueueResult.CALLBACK_OFFERED))
        elif isinstance(d, Overflow):
            if d.left_queue:
                self._router_let_go(d.interaction_id, d.destination, QueueResult.TIMEOUT)
        elif isinstance(d, Rejected):
            self._router_let_go(d.interaction_id, d.destination, QueueResult.UNAVAILABLE)
        elif isinstance(d, Exited):
            self._router_let_go(d.interaction_id, d.destination, QueueResult.TIMEOUT)

    # implemented by the mixins
    def _offer(self, d: Offer) -> None:
        raise NotImplementedError

    def _dial_callback(self, d: DialCallback) -> None:
        raise NotImplementedError

    def _cancel_offer(self, d: CancelOffer) -> None:
        raise NotImplementedError

    def consult_ended(self, seat: Seat, leg: Leg) -> None:
        raise NotImplementedError

    def supervision_leg_ended(self, leg: Leg) -> None:
        raise NotImplementedError

    def consult_offer(self, d: Offer) -> bool:
        raise NotImplementedError

    def consult_cancel(self, d: CancelOffer) -> bool:
        raise NotImplementedError

    def transfer_on_hangup(self, interaction: VoiceInteraction, seat: Seat) -> bool:
        raise NotImplementedError

    async def run_timers(self) -> None:
        """The router's one timer, forever (cancel the task to stop)."""
        while True:
            due = self.router.next_timer()
            self._rearm.clear()
            delay = None if due is None else max(0.0, due - self.now())
            if delay is None or delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._rearm.wait(), delay)
                continue
            self.fire_due()

    def fire_due(self) -> None:
        """Run the router's timers that are due now (the loop's body; tests call it)."""
        due = self.router.next_timer()
        if due is not None and due <= self.now():
            self.safely(lambda: self.router.on_timer(now=self.now()))

    # --- waiting in line ----------------------------------------------------------------

    def waiter(self, interaction: VoiceInteraction) -> QueueWaiter | None:
        return self._waiters.get(interaction.interaction_id)

    async def join_queue(
        self,
        interaction: VoiceInteraction,
        queue_id: QueueId,
        *,
        request: Enqueue | None,
        priority: int = 0,
        skills: Mapping[str, int] | None = None,
    ) -> QueueWaiter | None:
        """Enqueue with the router and start music; None if the router has no such queue."""
        iid = interaction.interaction_id
        record = interaction.record
        try:
            decisions = self.router.enqueue(
                iid,
                queue_id,
                now=self.now(),
                priority=priority,
                skills=skills or {},
                customer_id=record.customer_id if record else None,
            )
        except RoutingError as exc:
            log.warning("cannot enqueue %s in %s: %s", iid, queue_id, exc)
            return None
        interaction.step(InteractionEvent.ENQUEUE, self.now())
        interaction.queue_id = queue_id
        interaction.wait = request
        options = self.options(queue_id)
        every = request.announcements.every if request else self.settings.announce_every_s
        waiter = QueueWaiter(
            interaction,
            queue_id,
            media=self.media,
            tasks=self.tasks,
            request=request,
            moh=options.moh,
            every_s=every or self.settings.announce_every_s,
            prompts_dir=self.settings.prompts_dir,
            position=lambda: self._place(iid),
        )
        waiter.on_max_wait = lambda: self._max_wait_passed(interaction, waiter)
        self._waiters[iid] = waiter
        await waiter.start()
        self.route(decisions)
        if (
            self._waiters.get(iid) is waiter
            and not interaction.offers
            and not self._servable(queue_id)
        ):
            self.leave_line(interaction, reason="unavailable")
            self._finish_wait(interaction, waiter, QueueResult.UNAVAILABLE)
        return waiter

    async def wait_in_queue(self, interaction: VoiceInteraction, request: Enqueue) -> QueueOutcome:
        """The flow's queue node: enqueue (or keep waiting at the same place, ADR 0044)."""
        queue_id = QueueId(request.queue)
        waiter = self._waiters.get(interaction.interaction_id)
        if (
            waiter is None
            or waiter.closed
            or interaction.queue_id != queue_id
            or interaction.state is not InteractionState.QUEUED
        ):
            if interaction.state is InteractionState.QUEUED:
                self.leave_line(interaction, reason="flow")
            waiter = await self.join_queue(
                interaction,
                queue_id,
                request=request,
                priority=request.priority,
                skills=parse_skills(request.skills),
            )
            if waiter is None:
                return QueueOutcome(QueueResult.UNAVAILABLE)
        timeout_at = request.entered_at + request.max_wait if request.max_wait else None
        return await waiter.wait(timeout_at, self.now())

    def _place(self, iid: InteractionId) -> tuple[int, float | None] | None:
        try:
            snapshot = self.router.waiting_snapshot(iid, now=self.now())
        except RoutingError:
            return None
        return snapshot.position, snapshot.ewt_s

    def _servable(self, queue_id: QueueId) -> bool:
        """Is anyone who could answer this queue logged in? (else the flow's `unavailable`)"""
        try:
            snapshot = self.router.queue_snapshot(queue_id, now=self.now())
        except RoutingError:
            return False
        return any(n for state, n in snapshot.agents.items() if state is not AgentState.LOGGED_OUT)

    def leave_line(self, interaction: VoiceInteraction, *, reason: str) -> None:
        """Take the caller out of the router's line (not an abandon) and back to the IVR."""
        if interaction.state is not InteractionState.QUEUED:
            return
        self.safely(
            lambda: self.router.remove(interaction.interaction_id, now=self.now(), reason=reason)
        )
        interaction.step(InteractionEvent.LEAVE, self.now())

    def _finish_wait(
        self, interaction: VoiceInteraction, waiter: QueueWaiter | None, result: QueueResult
    ) -> None:
        """The wait is over without an answer: tell whoever waits on it."""
        if waiter is not None and self._waiters.get(interaction.interaction_id) is waiter:
            del self._waiters[interaction.interaction_id]
        if waiter is not None and (waiter.request is not None or waiter.flow_waiting):
            waiter.resolve(QueueOutcome(result))
            return
        if waiter is not None:
            self.tasks.spawn(waiter.close(), name="close-waiter")
        # A transfer waited in a queue and failed: the caller goes on with the flow's `after`.
        interaction.transfer_target = None
        interaction.agent_left.set()

    def _max_wait_passed(self, interaction: VoiceInteraction, waiter: QueueWaiter) -> None:
        if interaction.offers:  # a ringing phone finishes its offer first
            waiter.max_wait_passed = True
            return
        self.leave_line(interaction, reason="max_wait")
        self._finish_wait(interaction, waiter, QueueResult.TIMEOUT)

    def _router_let_go(
        self, iid: InteractionId, destination: Destination | None, result: QueueResult
    ) -> None:
        """The router no longer holds the interaction (overflow out, max wait, closed, full)."""
        interaction = self.interactions.get(iid)
        if interaction is None:
            return
        if interaction.state is InteractionState.CALLBACK:
            interaction.outcome = InteractionOutcome.CALLBACK_FAILED
            self.tasks.spawn(self.end_interaction(interaction), name="callback-gone")
            return
        waiter = self._waiters.get(iid)
        if (
            destination is not None
            and destination.kind is DestinationKind.QUEUE
            and destination.target
            and waiter is not None
            and interaction.customer_up
            and self._move_line(interaction, waiter, QueueId(destination.target))
        ):
            return
        if interaction.state is InteractionState.QUEUED:
            interaction.step(InteractionEvent.LEAVE, self.now())
        self._finish_wait(interaction, waiter, result)

    def _move_line(
        self, interaction: VoiceInteraction, waiter: QueueWaiter, queue_id: QueueId
    ) -> bool:
        """Enqueue in another queue keeping the same waiter (music, the flow's future)."""
        record = interaction.record
        request = waiter.request
        try:
            decisions = self.router.enqueue(
                interaction.interaction_id,
                queue_id,
                now=self.now(),
                priority=request.priority if request else 0,
                customer_id=record.customer_id if record else None,
            )
        except RoutingError as exc:
            log.warning("cannot move %s to %s: %s", interaction.interaction_id, queue_id, exc)
            return False
        interaction.queue_id = waiter.queue_id = queue_id
        self.route(decisions)
        return True

    def book_callback(self, interaction: VoiceInteraction, number: str) -> CallbackOutcome:
        iid = interaction.interaction_id
        try:
            decisions = self.router.request_callback(iid, number, now=self.now())
        except RoutingError as exc:
            return CallbackOutcome(False, exc.code)
        interaction.step(InteractionEvent.BOOK_CALLBACK, self.now())
        interaction.callback_number = number
        waiter = self._waiters.pop(iid, None)
        if waiter is not None:
            self.tasks.spawn(waiter.close(), name="close-waiter")
        self.route(decisions)
        return CallbackOutcome(True)

    # --- legs ending --------------------------------------------------------------------

    def leg_ended(self, leg: Leg) -> None:
        """`CallObserver.leg_ended`, routed here by the runtime."""
        self.ring_tasks.pop(leg.leg_id, None)
        self.supervision_leg_ended(leg)
        for seat in list(self.seats.values()):
            if seat.consult is not None and seat.consult.leg is leg:
                self.consult_ended(seat, leg)
        owner = self.seats.get(leg.agent_id) if leg.agent_id is not None else None
        if owner is not None:
            self._seat_leg_ended(owner, leg)
        interaction = self.interaction_of(leg)
        if interaction is None:
            return
        if leg is interaction.customer:
            self.tasks.spawn(self._customer_left(interaction), name="customer-left")
        elif leg is interaction.agent_leg:
            self.tasks.spawn(self._centre_left(interaction, leg), name="centre-left")

    def _seat_leg_ended(self, seat: Seat, leg: Leg) -> None:
        if seat.leg is not leg:
            return
        work, seat.work = seat.work, None
        contact, seat.leg, seat.interaction_id = seat.interaction_id, None, None
        if work is not None:
            self.safely(lambda: self.router.interaction_ended(work, now=self.now()))
            if work != contact and work not in self.interactions:  # a consult's own contact
                talk = self.now() - (leg.answered_at or self.now())
                self.end_child(work, answered=True, agent=seat.agent_id, talk_s=talk)
        if seat.away_for_call:
            seat.away_for_call = False
            self.safely(lambda: self.router.set_available(seat.agent_id, now=self.now()))

    async def _customer_left(self, interaction: VoiceInteraction) -> None:
        interaction.customer_gone.set()
        if interaction.state is InteractionState.QUEUED:
            interaction.abandoned = True
            waiter = self._waiters.pop(interaction.interaction_id, None)
            if waiter is not None:
                await waiter.close()
            self.safely(lambda: self.router.abandon(interaction.interaction_id, now=self.now()))
        centre = interaction.agent_leg
        if centre is not None and centre.is_live:
            await self.calls.hangup(centre, Cause.NORMAL)
        self.maybe_end(interaction)

    async def _centre_left(self, interaction: VoiceInteraction, leg: Leg) -> None:
        """The agent (or transferred-to number) hung up on the customer."""
        if interaction.agent_leg is leg:
            interaction.agent_leg = None
        if interaction.transfer_target is not None or not interaction.customer_up:
            self.maybe_end(interaction)
            return
        seat = self.seats.get(leg.agent_id) if leg.agent_id else None
        if seat is not None and self.transfer_on_hangup(interaction, seat):
            return
        customer = interaction.customer
        assert customer is not None
        if customer.state.value == "held":
            await self.calls.resume(customer)
        if interaction.state is InteractionState.CONNECTED:
            interaction.step(InteractionEvent.AGENT_LEFT, self.now())
        if interaction.flow_task is not None and not interaction.flow_task.done():
            interaction.agent_left.set()  # the flow goes on with the queue node's `after`
        else:
            await self.calls.hangup(customer, Cause.NORMAL)

    def maybe_end(self, interaction: VoiceInteraction) -> None:
        """End the interaction once nothing keeps it alive."""
        if interaction.state is InteractionState.ENDED or interaction.closing:
            return
        if interaction.customer_up or interaction.state is InteractionState.CALLBACK:
            return
        if interaction.flow_task is not None and not interaction.flow_task.done():
            return
        if interaction.agent_leg is not None and interaction.agent_leg.is_live:
            return
        self.tasks.spawn(self.end_interaction(interaction), name="end-interaction")

    async def end_interaction(
        self,
        interaction: VoiceInteraction,
        outcome: InteractionOutcome | None = None,
        cause: Cause | None = None,
    ) -> None:
        if interaction.state is InteractionState.ENDED or interaction.closing:
            return
        interaction.closing = True
        if outcome is not None:
            interaction.outcome = outcome
        iid = interaction.interaction_id
        waiter = self._waiters.pop(iid, None)
        if waiter is not None:
            await waiter.close()
        if interaction.in_line:
            self.safely(lambda: self.router.remove(iid, now=self.now(), reason="ended"))
        for leg in list(interaction.offers.values()):
            if leg is not None and leg.is_live:
                await self.calls.hangup(leg, cause or Cause.NORMAL)
        if interaction.call.live_legs():
            await self.calls.end_call(interaction.call, cause or Cause.NORMAL)
        now = self.now()
        interaction.step(InteractionEvent.END, now)
        self.interactions.pop(iid, None)
        customer = interaction.customer
        leg_cause = cause or (customer.cause if customer and customer.cause else Cause.NORMAL)
        self.emit(
            InteractionEnded(
                tenant_id=self.tenant_id,
                at=now,
                interaction_id=iid,
                agent_id=interaction.agent_id,
                reason=self._outcome(interaction).value,
                cause=leg_cause.value,
                q850=CAUSES[leg_cause].q850,
                queue_id=interaction.queue_id,
                answered=interaction.answered,
                ivr_s=round(interaction.seconds_in(InteractionState.IVR, now), 3),
                queue_s=round(interaction.seconds_in(InteractionState.QUEUED, now), 3),
                talk_s=round(interaction.seconds_in(InteractionState.CONNECTED, now), 3),
                hold_s=round(interaction.hold_s, 3),
                total_s=round(now - interaction.created_at, 3),
                flow_end=interaction.flow_end,
            )
        )
        interaction.ended.set()

    @staticmethod
    def _outcome(interaction: VoiceInteraction) -> InteractionOutcome:
        if interaction.outcome is not None:
            return interaction.outcome
        if interaction.answered:
            return InteractionOutcome.COMPLETED
        if interaction.voicemail:
            return InteractionOutcome.VOICEMAIL
        if interaction.abandoned:
            return InteractionOutcome.ABANDONED
        return InteractionOutcome.IVR

    def end_child(
        self,
        child: InteractionId,
        *,
        answered: bool,
        agent: AgentId | None = None,
        talk_s: float = 0.0,
    ) -> None:
        """`interaction.ended` of an internal consult interaction."""
        self.emit(
            InteractionEnded(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=child,
                agent_id=agent,
                reason=InteractionOutcome.COMPLETED.value
                if answered
                else InteractionOutcome.ABANDONED.value,
                cause=Cause.NORMAL.value,
                q850=16,
                queue_id=None,
                answered=answered,
                ivr_s=0.0,
                queue_s=0.0,
                talk_s=round(talk_s, 3),
                hold_s=0.0,
                total_s=round(talk_s, 3),
            )
        )

    def seat_for(self, leg: Leg) -> Seat | None:
        if leg.role is not LegRole.AGENT and leg.role is not LegRole.CONSULT:
            return None
        return self.seats.get(leg.agent_id) if leg.agent_id else None
