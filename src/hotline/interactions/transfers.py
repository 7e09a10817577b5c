"""Transfers and three-way calls, always through the router (ADR 0046, ADR 0061).

- **Blind** (the desk, or a REFER from the agent's phone): the agent's segment ends (its
  after-call work is its own) and the contact, customer waiting, becomes a new work item of the
  target: a queue as it is (never offered back to the transferor), an agent on the router's
  personal line. A number is reached through the channel and joined when it answers. A REFER's
  final NOTIFY says 200 only when the target answered; the transferor's hang-up meanwhile does
  not end the transfer (RFC 3515 §2.4.5).
- **Consultative**: the customer holds; the agent talks to the consulted party — an agent or a
  queue reached as a work item of the same contact, or a number. Then *complete* (the customer
  is joined to that party, the first agent's segment ends), *cancel* (back to the customer) or
  *conference* (all three). An agent hanging up during an answered consultation completes it.
- Every transfer by an agent emits `interaction.transferred`; consultations
  `interaction.consult_started` / `_ended`.
- The flow's `transfer` node (before any agent) waits in the router like a queue node does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from hotline.clock import Clock
from hotline.events import DomainEvent, EventSink
from hotline.flows.actions import Transfer
from hotline.flows.inputs import QueueResult, TransferOutcome
from hotline.ids import AgentId, InteractionId, QueueId, WorkId, new_id
from hotline.interactions.assignments import Assignments, Consult
from hotline.interactions.channel import CUSTOMER, Channel, Release, TransferRequest
from hotline.interactions.errors import AgentBusy, InvalidTransferTarget, NothingToDo
from hotline.interactions.events import (
    InteractionConsultEnded,
    InteractionConsultStarted,
    InteractionTransferred,
)
from hotline.interactions.model import Contact, ContactEvent, ContactState, WorkItem, WorkKind
from hotline.interactions.registry import ContactRegistry
from hotline.interactions.routerlink import RouterLink
from hotline.interactions.waits import QueueWaits
from hotline.routing import PERSONAL_QUEUE, RoutingError
from hotline.tasks import TaskSet

__all__ = ["TransferSettings", "TransferTarget", "Transfers"]

log = logging.getLogger(__name__)

# REFER outcomes as a NOTIFY's sipfrag status (RFC 3515 §2.4.5).
_TRYING, _OK, _UNAVAILABLE, _NOT_FOUND = 100, 200, 480, 404


@dataclass(frozen=True, slots=True)
class TransferTarget:
    kind: str  # "agent" | "queue" | "number"
    value: str

    def __post_init__(self) -> None:
        if self.kind not in ("agent", "queue", "number") or not self.value:
            raise InvalidTransferTarget(f"bad transfer target {self.kind}:{self.value}")


@dataclass(frozen=True, slots=True)
class TransferSettings:
    transfer_timeout_s: float = 30.0  # a transfer or consultation waits this long for its target


class Transfers:
    def __init__(
        self,
        link: RouterLink,
        registry: ContactRegistry,
        assignments: Assignments,
        waits: QueueWaits,
        channel_of: Callable[[Contact], Channel],
        tasks: TaskSet,
        clock: Clock,
        sink: EventSink,
        *,
        tenant_id: str,
        settings: TransferSettings,
        end_segment: Callable[[Contact, AgentId], None],
        check_number: Callable[[str], None],
    ) -> None:
        self._link = link
        self._registry = registry
        self._assignments = assignments
        self._waits = waits
        self._channel_of = channel_of
        self._tasks = tasks
        self._clock = clock
        self._sink = sink
        self._tenant_id = tenant_id
        self._settings = settings
        self._end_segment = end_segment
        self._check_number = check_number
        self._refers: dict[InteractionId, AgentId] = {}  # a REFER awaiting its outcome

    def now(self) -> float:
        return self._clock.now()

    def _emit(self, event: DomainEvent) -> None:
        self._sink.emit(event)

    def _talking(self, agent_id: AgentId) -> tuple[Contact, WorkId]:
        contact_id, segment = self._assignments.talking(agent_id)
        contact = self._registry.get(contact_id)
        if contact is None or not self._channel_of(contact).present(contact_id, agent_id):
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        return contact, segment

    def _target_queue(self, target: TransferTarget) -> QueueId:
        router = self._link.router
        if target.kind == "queue":
            if QueueId(target.value) not in router.queue_ids() or target.value == PERSONAL_QUEUE:
                raise InvalidTransferTarget(f"no queue {target.value!r}")
            return QueueId(target.value)
        if AgentId(target.value) not in router.agent_ids():
            raise InvalidTransferTarget(f"no agent {target.value!r}")
        return PERSONAL_QUEUE

    def _transferred(
        self,
        contact: Contact,
        agent_id: AgentId | None,
        kind: str,
        target: TransferTarget,
        note: str | None,
        *,
        work_id: WorkId | None,
        to_work_id: WorkId | None,
        queue_id: QueueId | None = None,
    ) -> None:
        self._emit(
            InteractionTransferred(
                tenant_id=self._tenant_id,
                at=self.now(),
                interaction_id=contact.contact_id,
                agent_id=agent_id,
                kind=kind,
                target=target.value,
                target_kind=target.kind,
                queue_id=queue_id or contact.queue_id,
                note=note,
                work_id=work_id,
                to_work_id=to_work_id,
            )
        )

    # --- blind ----------------------------------------------------------------------------

    async def transfer(
        self,
        agent_id: AgentId,
        target: TransferTarget,
        *,
        note: str | None = None,
        refer: bool = False,
    ) -> None:
        contact, segment = self._talking(agent_id)
        if target.kind == "number":
            self._check_number(target.value)
        else:
            self._target_queue(target)  # an unknown target fails before anything moves
        channel = self._channel_of(contact)
        if refer:
            self._refers[contact.contact_id] = agent_id
            await channel.transfer_progress(contact.contact_id, agent_id, _TRYING)
        contact.primary = None
        contact.transfer_pending = True
        self._end_segment(contact, agent_id)
        if not refer:
            await channel.release(contact.contact_id, agent_id, Release.TRANSFERRED)
        if target.kind == "number":
            self._tasks.spawn(
                self._transfer_out(contact, agent_id, target, note, segment), name="transfer"
            )
            return
        queue_id = self._target_queue(target)
        personal = target.kind == "agent"
        # The transfer's record comes first and names the work item it makes; the queue's
        # records of that work item follow.
        to_work = WorkId(new_id(self.now()))
        self._transferred(
            contact,
            agent_id,
            "blind",
            target,
            note,
            work_id=segment,
            to_work_id=to_work,
            queue_id=contact.queue_id,
        )
        waiter = await self._waits.join(
            contact,
            queue_id,
            kind=WorkKind.TRANSFER,
            exclude=(agent_id,),
            target_agent=AgentId(target.value) if personal else None,
            by_agent=agent_id,
            note=note,
            work_id=to_work,
        )
        if waiter is None:
            self._waits.finish_wait(contact, None, QueueResult.UNAVAILABLE)
        elif personal:
            waiter.arm_max_wait(self._settings.transfer_timeout_s)

    async def _transfer_out(
        self,
        contact: Contact,
        agent_id: AgentId | None,
        target: TransferTarget,
        note: str | None,
        segment: WorkId | None,
    ) -> bool:
        """Reach a number for the customer; join them when it answers."""
        channel = self._channel_of(contact)
        if contact.live:  # hold music while the number rings
            await channel.start_waiting(contact.contact_id, contact.queue_id)
        party = await channel.dial(
            contact.contact_id,
            target.value,
            customer=False,
            timeout_s=self._settings.transfer_timeout_s,
        )
        if party is None:
            log.info("transfer of %s to %s failed", contact.contact_id, target.value)
            await self.transfer_failed(contact)
            if agent_id is not None and contact.live:  # the agent is gone: the flow's `after`
                contact.transfer_pending = False
                contact.agent_left.set()
            return False
        if not contact.live:
            await channel.release(contact.contact_id, party, Release.NORMAL)
            return False
        if agent_id is not None:
            self._transferred(
                contact, agent_id, "blind", target, note, work_id=segment, to_work_id=None
            )
        if contact.state is not ContactState.CONNECTED:
            contact.step(ContactEvent.CONNECT, self.now())
        contact.primary = party
        contact.answered = True
        contact.transfer_pending = False
        await channel.join(contact.contact_id, CUSTOMER, party)
        await self.target_answered(contact)
        return True

    async def target_answered(self, contact: Contact) -> None:
        """The transfer's target took the customer: a REFER hears 200 and its phone goes."""
        agent_id = self._refers.pop(contact.contact_id, None)
        if agent_id is None:
            return
        channel = self._channel_of(contact)
        await channel.transfer_progress(contact.contact_id, agent_id, _OK)
        await channel.release(contact.contact_id, agent_id, Release.TRANSFERRED)

    async def transfer_failed(self, contact: Contact, status: int = _UNAVAILABLE) -> None:
        """Nobody took the transferred customer (or the customer left): a REFER hears it."""
        agent_id = self._refers.pop(contact.contact_id, None)
        if agent_id is None:
            return
        channel = self._channel_of(contact)
        await channel.transfer_progress(contact.contact_id, agent_id, status)
        await channel.release(contact.contact_id, agent_id, Release.TRANSFERRED)

    def refer_pending(self, contact_id: InteractionId, agent_id: AgentId) -> bool:
        """Is this agent's side kept up only for a REFER's outcome?"""
        return self._refers.get(contact_id) == agent_id

    # --- the flow's transfer node ---------------------------------------------------------

    async def flow_transfer(self, contact: Contact, request: Transfer) -> TransferOutcome:
        if request.to == "number":
            if request.caller_id:
                contact.caller_number = contact.caller_number or request.caller_id
            ok = await self._transfer_out(
                contact, None, TransferTarget("number", request.target), None, None
            )
            return TransferOutcome(ok, "" if ok else "no_answer")
        target = TransferTarget(request.to, request.target)
        try:
            queue_id = self._target_queue(target)
        except InvalidTransferTarget as exc:
            return TransferOutcome(False, exc.message)
        waiter = await self._waits.join(
            contact,
            queue_id,
            kind=WorkKind.TRANSFER,
            target_agent=AgentId(target.value) if target.kind == "agent" else None,
        )
        if waiter is None:
            return TransferOutcome(False, "unavailable")
        outcome = await waiter.wait(self.now() + request.timeout, self.now())
        if outcome.result is QueueResult.ANSWERED:
            return TransferOutcome(True)
        return TransferOutcome(False, outcome.result.value)

    # --- REFER from a device --------------------------------------------------------------

    def transfer_requested(self, request: TransferRequest, *, replaces: bool) -> None:
        self._tasks.spawn(self._refer(request, replaces), name="refer")

    async def _refer(self, request: TransferRequest, replaces: bool) -> None:
        agent_id = request.agent_id
        work = self._assignments.peek(agent_id)
        contact = self._registry.get(request.contact_id)
        if contact is None or work is None or work.contact_id != request.contact_id:
            if contact is not None:
                channel = self._channel_of(contact)
                await channel.transfer_progress(request.contact_id, agent_id, 603)
            return
        channel = self._channel_of(contact)
        if replaces and work.consult is not None and work.consult.answered:
            await channel.transfer_progress(contact.contact_id, agent_id, _OK)
            await self.complete(agent_id)
            return
        try:
            target = TransferTarget(request.target_kind, request.target)
            await self.transfer(agent_id, target, refer=True)
        except InvalidTransferTarget:
            await channel.transfer_progress(contact.contact_id, agent_id, _NOT_FOUND)
        except Exception as exc:  # noqa: BLE001 - told to the phone, logged here
            log.info("REFER from %s could not be carried out: %s", agent_id, exc)
            self._refers.pop(contact.contact_id, None)
            await channel.transfer_progress(contact.contact_id, agent_id, 503)

    # --- consultative ---------------------------------------------------------------------

    async def consult(
        self, agent_id: AgentId, target: TransferTarget, *, note: str | None = None
    ) -> None:
        contact, segment = self._talking(agent_id)
        work = self._assignments.of(agent_id)
        if work.consult is not None:
            raise AgentBusy(
                f"agent {agent_id} is already consulting", details={"agent_id": agent_id}
            )
        if target.kind == "agent" and AgentId(target.value) == agent_id:
            raise InvalidTransferTarget("an agent cannot consult itself")
        channel = self._channel_of(contact)
        if target.kind == "number":
            self._check_number(target.value)
            await channel.hold(contact.contact_id, CUSTOMER, by="agent")
            work.consult = Consult(target.value, "number", None, note=note, started_at=self.now())
            self._consult_started(contact, agent_id, work.consult, segment)
            self._tasks.spawn(self._consult_number(contact, agent_id, work.consult), name="consult")
            return
        queue_id = self._target_queue(target)
        await channel.hold(contact.contact_id, CUSTOMER, by="agent")
        now = self.now()
        item = WorkItem(
            WorkId(new_id(now)),
            contact.contact_id,
            WorkKind.CONSULT,
            queue_id,
            now,
            target_agent=AgentId(target.value) if target.kind == "agent" else None,
            by_agent=agent_id,
            note=note,
        )
        self._registry.add_work(item)
        work.consult = Consult(target.value, target.kind, item.work_id, note=note, started_at=now)
        self._consult_started(contact, agent_id, work.consult, segment)
        router = self._link.router
        try:
            if item.target_agent is not None:
                decisions = router.route_to_agent(
                    item.work_id,
                    item.target_agent,
                    now=now,
                    contact_id=contact.contact_id,
                    rules_queue=contact.queue_id,
                )
            else:
                decisions = router.enqueue(
                    item.work_id,
                    queue_id,
                    now=now,
                    contact_id=contact.contact_id,
                    exclude=(agent_id,),
                )
        except RoutingError as exc:
            log.info("consultation of %s failed: %s", target, exc)
            await self.consult_failed(contact, item)
            return
        self._link.route(decisions)
        self._tasks.spawn(self._consult_timeout(contact, item), name="consult-timeout")

    def _consult_started(
        self, contact: Contact, agent_id: AgentId, consult: Consult, segment: WorkId
    ) -> None:
        self._emit(
            InteractionConsultStarted(
                tenant_id=self._tenant_id,
                at=self.now(),
                interaction_id=contact.contact_id,
                agent_id=agent_id,
                work_id=consult.work_id,
                from_work_id=segment,
                target=consult.target,
                target_kind=consult.target_kind,
                note=consult.note,
            )
        )

    def _consult_ended(
        self, contact: Contact, agent_id: AgentId, consult: Consult, result: str
    ) -> None:
        self._emit(
            InteractionConsultEnded(
                tenant_id=self._tenant_id,
                at=self.now(),
                interaction_id=contact.contact_id,
                agent_id=agent_id,
                work_id=consult.work_id,
                result=result,
            )
        )

    async def _consult_number(self, contact: Contact, agent_id: AgentId, consult: Consult) -> None:
        channel = self._channel_of(contact)
        party = await channel.dial(
            contact.contact_id,
            consult.target,
            customer=False,
            timeout_s=self._settings.transfer_timeout_s,
        )
        work = self._assignments.peek(agent_id)
        if work is None or work.consult is not consult:
            if party is not None:
                await channel.release(contact.contact_id, party, Release.NORMAL)
            return
        if party is None or not channel.present(contact.contact_id, agent_id):
            work.consult = None
            self._consult_ended(contact, agent_id, consult, "failed")
            await self.back_to_customer(contact, agent_id)
            return
        consult.party = party
        await channel.join(contact.contact_id, agent_id, party)

    async def _consult_timeout(self, contact: Contact, item: WorkItem) -> None:
        await asyncio.sleep(self._settings.transfer_timeout_s)
        if not item.done:
            self._link.call(
                lambda: self._link.router.remove(item.work_id, now=self.now(), reason="timeout")
            )
            await self.consult_failed(contact, item)

    async def consult_failed(self, contact: Contact, item: WorkItem) -> None:
        """Nobody answered the consultation: the agent is back with the customer."""
        item.done = True
        consultant = self._assignments.consultant_of(item.work_id)
        if consultant is None or consultant.consult is None:
            return
        consult, consultant.consult = consultant.consult, None
        self._consult_ended(contact, consultant.agent_id, consult, "failed")
        await self.back_to_customer(contact, consultant.agent_id)

    async def consult_answered(self, contact: Contact, item: WorkItem, agent_id: AgentId) -> None:
        """The consulted agent answered: it talks to the consulting agent, customer on hold."""
        consultant = self._assignments.consultant_of(item.work_id)
        channel = self._channel_of(contact)
        if (
            consultant is None
            or consultant.consult is None
            or not channel.present(contact.contact_id, consultant.agent_id)
        ):
            await channel.release(contact.contact_id, agent_id, Release.NORMAL)
            self._link.call(
                lambda: self._link.router.interaction_ended(item.work_id, now=self.now())
            )
            return
        consultant.consult.party = agent_id
        self._assignments.connect(agent_id, contact.contact_id, item.work_id)
        self._assignments.of(agent_id).consulted_by = consultant.agent_id
        contact.agents[agent_id] = item.work_id
        await channel.join(contact.contact_id, consultant.agent_id, agent_id)

    async def complete(self, agent_id: AgentId) -> None:
        contact, _ = self._talking(agent_id)
        consult = self._assignments.of(agent_id).consult
        if consult is None or not consult.answered:
            raise NothingToDo(f"agent {agent_id} has no answered consult")
        await self._complete(contact, agent_id, consult)

    async def _complete(self, contact: Contact, agent_id: AgentId, consult: Consult) -> None:
        party = consult.party
        assert party is not None
        work = self._assignments.of(agent_id)
        segment = work.work_id
        work.consult = None
        channel = self._channel_of(contact)
        contact.primary = party
        party_work = self._assignments.peek(AgentId(party))
        if party_work is not None:
            party_work.consulted_by = None
            contact.last_agent = AgentId(party)
            contact.last_segment = consult.work_id
        await channel.resume(contact.contact_id, CUSTOMER)
        await channel.join(contact.contact_id, CUSTOMER, party)
        target = TransferTarget(consult.target_kind, consult.target)
        self._transferred(
            contact,
            agent_id,
            "consult",
            target,
            consult.note,
            work_id=segment,
            to_work_id=consult.work_id,
        )
        self._consult_ended(contact, agent_id, consult, "completed")
        if agent_id in contact.agents:
            self._end_segment(contact, agent_id)
            await channel.release(contact.contact_id, agent_id, Release.TRANSFERRED)

    async def cancel(self, agent_id: AgentId) -> None:
        contact, _ = self._talking(agent_id)
        work = self._assignments.of(agent_id)
        consult = work.consult
        if consult is None:
            raise NothingToDo(f"agent {agent_id} is not consulting")
        channel = self._channel_of(contact)
        work.consult = None
        self._consult_ended(contact, agent_id, consult, "cancelled")
        if consult.party is not None:
            if consult.party in contact.agents:
                self._end_segment(contact, AgentId(consult.party))
            await channel.release(contact.contact_id, consult.party, Release.NORMAL)
        elif consult.work_id is not None:
            item = self._registry.work(consult.work_id)
            if item is not None and not item.done:
                item.done = True
                self._link.call(
                    lambda: self._link.router.remove(
                        consult.work_id or WorkId(""), now=self.now(), reason="cancelled"
                    )
                )
        await self.back_to_customer(contact, agent_id)

    async def back_to_customer(self, contact: Contact, agent_id: AgentId) -> None:
        channel = self._channel_of(contact)
        if not contact.live or not channel.present(contact.contact_id, agent_id):
            return
        await channel.resume(contact.contact_id, CUSTOMER)
        await channel.join(contact.contact_id, CUSTOMER, agent_id)

    async def conference(self, agent_id: AgentId) -> None:
        """Three-way: the customer, the agent and the consulted party all hear each other."""
        contact, _ = self._talking(agent_id)
        work = self._assignments.of(agent_id)
        consult = work.consult
        if consult is None or consult.party is None:
            raise NothingToDo(f"agent {agent_id} has no answered consult to conference")
        channel = self._channel_of(contact)
        await channel.resume(contact.contact_id, CUSTOMER)
        await channel.conference(contact.contact_id, [CUSTOMER, agent_id, consult.party])
        work.consult = None  # the consulted party is now simply in the contact
        party_work = self._assignments.peek(AgentId(consult.party))
        if party_work is not None:
            party_work.consulted_by = None
        self._consult_ended(contact, agent_id, consult, "conference")

    # --- an agent's side ending -----------------------------------------------------------

    async def consultant_left(self, contact: Contact, agent_id: AgentId) -> bool:
        """The consulting agent hung up: an answered consultation becomes the transfer (True);
        a ringing one is withdrawn."""
        work = self._assignments.peek(agent_id)
        consult = work.consult if work is not None else None
        if consult is None:
            return False
        if consult.answered and self._channel_of(contact).present(
            contact.contact_id, consult.party or ""
        ):
            await self._complete(contact, agent_id, consult)
            return True
        assert work is not None
        work.consult = None
        self._consult_ended(contact, agent_id, consult, "cancelled")
        if consult.work_id is not None:
            item = self._registry.work(consult.work_id)
            if item is not None and not item.done:
                item.done = True
                self._link.call(
                    lambda: self._link.router.remove(
                        consult.work_id or WorkId(""), now=self.now(), reason="cancelled"
                    )
                )
        elif consult.party is not None:
            await self._channel_of(contact).release(
                contact.contact_id, consult.party, Release.NORMAL
            )
        return False

    async def consulted_left(self, contact: Contact, party: str) -> bool:
        """The consulted party (agent or number) hung up mid-consultation: the agent who
        consulted is back with the customer. True if `party` was one."""
        for work in self._assignments.on(contact.contact_id):
            consult = work.consult
            if consult is not None and consult.party == party:
                work.consult = None
                self._consult_ended(contact, work.agent_id, consult, "cancelled")
                await self.back_to_customer(contact, work.agent_id)
                return True
        return False
