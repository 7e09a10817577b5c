"""`ContactCenter`: one tenant's interaction lifecycle, composed in one place (DESIGN §10).

It wires the collaborators — arrivals, flow running, queue waits, offers, transfers, wrap-up,
presence, endings — each with its own ports, around the tenant's router (through one dispatch
table) and the channels that carry its contacts. It is the `ContactEvents` the channels report
to, and the service the agent desktop and the admin changes call: every desk command goes to
the collaborator that owns it, and through the router's service for agent state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.flows import Program
from hotline.flows.inputs import QueueResult
from hotline.flows.variables import Scalar
from hotline.ids import AgentId, InteractionId, QueueId, WorkId, new_id
from hotline.interactions.arrivals import Arrival, Arrivals
from hotline.interactions.assignments import Assignments
from hotline.interactions.channel import (
    CUSTOMER,
    Channel,
    ChannelUnsupported,
    Release,
    TransferRequest,
)
from hotline.interactions.connect import Connector
from hotline.interactions.dispatch import DecisionDispatch
from hotline.interactions.endings import Endings, TransferHooks
from hotline.interactions.errors import AgentBusy, NothingToDo
from hotline.interactions.events import AgentMuted, InteractionParked, InteractionResumed
from hotline.interactions.flowrun import ContactPort, FlowRunner
from hotline.interactions.model import (
    Contact,
    ContactEvent,
    ContactState,
    Direction,
    Origin,
    Outcome,
    WorkItem,
    WorkKind,
)
from hotline.interactions.offers import Offers
from hotline.interactions.ports import BotAdvisor, CustomerDirectory, StartupFacts, TicketDesk
from hotline.interactions.presence import Presence
from hotline.interactions.registry import ContactRegistry
from hotline.interactions.routerlink import RouterLink
from hotline.interactions.settings import QueueOptions, TelephonySettings
from hotline.interactions.transfers import Transfers, TransferSettings, TransferTarget
from hotline.interactions.waits import QueueWaits, WaitSettings
from hotline.interactions.wrapup import WrapUp
from hotline.routing import (
    PERSONAL_QUEUE,
    AgentNotFree,
    AgentProfile,
    Announce,
    CancelOffer,
    DialCallback,
    Exited,
    Offer,
    OfferCallback,
    Overflow,
    QueueConfig,
    Rejected,
    Router,
    RoutingError,
)
from hotline.tasks import TaskSet

__all__ = ["ContactCenter"]

log = logging.getLogger(__name__)


class ContactCenter:
    def __init__(
        self,
        tenant_id: str,
        router: Router,
        *,
        clock: Clock,
        sink: EventSink,
        customers: CustomerDirectory,
        settings: TelephonySettings | None = None,
        tickets: TicketDesk | None = None,
        bot: BotAdvisor | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.router = router
        self.clock = clock
        self.sink = sink
        self.settings = settings or TelephonySettings()
        self.queue_options: dict[str, QueueOptions] = dict(self.settings.queue_options)
        self.channels: dict[str, Channel] = {}
        self.registry = ContactRegistry()
        self.assignments = Assignments()
        self.tasks = TaskSet(f"tenant {tenant_id}")
        dispatch = DecisionDispatch()
        self.link = link = RouterLink(router, clock, dispatch)
        channel_of = self.channel_of
        self.waits = QueueWaits(
            link,
            self.registry,
            channel_of,
            self.tasks,
            clock,
            settings=WaitSettings(announce_every_s=self.settings.announce_every_s),
            end_contact=lambda c, o: self.endings.end_later(c, o),
            transfer_failed=lambda c: self._spawn_transfer_failed(c),
        )
        self.transfers = Transfers(
            link,
            self.registry,
            self.assignments,
            self.waits,
            channel_of,
            self.tasks,
            clock,
            sink,
            tenant_id=tenant_id,
            settings=TransferSettings(transfer_timeout_s=self.settings.transfer_timeout_s),
            end_segment=lambda c, a: self.endings.end_segment(c, a),
            check_number=self._check_number,
        )
        self.endings = Endings(
            link,
            self.registry,
            self.assignments,
            self.waits,
            channel_of,
            self.tasks,
            clock,
            sink,
            tenant_id=tenant_id,
            transfers=TransferHooks(
                self.transfers.consultant_left,
                self.transfers.consulted_left,
                self.transfers.transfer_failed,
            ),
            withdraw_offers=lambda c: self.offers.withdraw_all(c),
        )
        self.connector = Connector(
            self.waits,
            self.assignments,
            channel_of,
            clock,
            on_connected=self._target_answered,
        )
        self.offers = Offers(
            link,
            self.registry,
            self.assignments,
            channel_of,
            self.tasks,
            clock,
            ring_slack_s=self.settings.ring_slack_s,
            on_answered={
                WorkKind.QUEUE: self.connector.connect_customer,
                WorkKind.TRANSFER: self.connector.connect_customer,
                WorkKind.OUTBOUND: self.connector.connect_customer,
                WorkKind.CONSULT: self.transfers.consult_answered,
            },
            on_missed=lambda c, w: self.waits.offer_failed(c),
            on_personal_missed=self._personal_missed,
            end_contact=lambda c, o: self.endings.end_later(c, o),
        )
        self.presence = Presence(link, clock)
        self.wrapup = WrapUp(link, clock)
        self.arrivals = Arrivals(self.registry, customers, clock, sink, tenant_id=tenant_id)
        self.flows = FlowRunner(
            channel_of,
            self.tasks,
            clock,
            sink,
            tenant_id=tenant_id,
            port=lambda c, ch: ContactPort(
                c,
                ch,
                waits=self.waits,
                transfers=self.transfers,
                customers=customers,
                egress=self.settings.webhook_egress,
                tickets=tickets,
                bot=bot,
            ),
            flow_over=self._flow_over,
        )
        dispatch.on(Offer, self.offers.offer)
        dispatch.on(CancelOffer, self.offers.cancel)
        dispatch.on(DialCallback, self.offers.dial_callback)
        dispatch.on(Announce, self.waits.announce)
        dispatch.on(OfferCallback, self.waits.offer_callback)
        dispatch.on(Overflow, self.waits.overflowed)
        dispatch.on(Rejected, self.waits.rejected)
        dispatch.on(Exited, self.waits.exited)

    # --- wiring ---------------------------------------------------------------------------

    def add_channel(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    def channel_of(self, contact: Contact) -> Channel:
        return self.channels[contact.channel]

    def options(self, queue_id: str | None) -> QueueOptions:
        return self.queue_options.get(queue_id or "", QueueOptions())

    def now(self) -> float:
        return self.clock.now()

    def _check_number(self, number: str) -> None:
        voice = self.channels.get("voice")
        check: Callable[[str], None] | None = getattr(voice, "check_number", None)
        if check is not None:
            check(number)

    @property
    def contacts(self) -> ContactRegistry:
        return self.registry

    def fire_due(self) -> None:
        self.link.fire_due()

    async def run_timers(self) -> None:
        await self.link.run_timers()

    # --- contacts arriving ----------------------------------------------------------------

    def new_contact_id(self) -> InteractionId:
        return self.arrivals.new_id()

    async def arrive(
        self,
        contact_id: InteractionId,
        arrival: Arrival,
        program: Program | None,
        seeds: Mapping[str, Scalar] | None = None,
    ) -> Contact:
        """A customer contact a channel reports; its flow starts when `program` is given."""
        contact = await self.arrivals.arrive(contact_id, arrival)
        if program is not None and contact.live:
            self.flows.start(contact, program, {**contact.variables(), **(seeds or {})})
        elif not contact.live:
            self.endings.maybe_end(contact)
        return contact

    async def route(self, contact: Contact, queue_id: QueueId, *, priority: int = 0) -> bool:
        """Queue a contact without a flow (a chat or e-mail routed straight to a queue)."""
        return await self.waits.join(contact, queue_id, priority=priority) is not None

    async def _flow_over(self, contact: Contact) -> None:
        if contact.state is ContactState.IVR and contact.live:
            await self.channel_of(contact).hang_up(contact.contact_id, "normal")
        self.endings.maybe_end(contact)

    # --- ContactEvents (what channels report) ---------------------------------------------

    def party_left(self, contact_id: InteractionId, party: str) -> None:
        contact = self.registry.get(contact_id)
        if contact is not None:
            self.endings.party_left(contact, party)

    def party_held(self, contact_id: InteractionId, agent_id: AgentId, held: bool) -> None:
        """The agent's phone put the customer on hold (or took it off): music, or the join."""
        contact = self.registry.get(contact_id)
        if contact is None or contact.primary != agent_id or not contact.live:
            return
        if held:
            self.tasks.spawn(self._hold(contact, agent_id, by="phone"), name="phone-hold")
        else:
            self.tasks.spawn(self._resume(contact, agent_id), name="phone-resume")

    def transfer_requested(self, request: TransferRequest) -> None:
        if request.target_kind == "address":
            request = self._resolve(request)
        self.transfers.transfer_requested(request, replaces=request.replaces)

    def _resolve(self, request: TransferRequest) -> TransferRequest:
        """A REFER's user part that is no agent's extension: a queue id, or a number."""
        target = request.target
        if QueueId(target) in self.router.queue_ids() and target != PERSONAL_QUEUE:
            kind = "queue"
        elif target.lstrip("+").isdigit():
            kind = "number"
        else:
            kind = "unknown"
        return TransferRequest(
            request.contact_id, request.agent_id, kind, target, replaces=request.replaces
        )

    def agent_reachable(self, agent_id: AgentId, reachable: bool, *, grace_s: float = 0.0) -> None:
        self.presence.reachable(agent_id, reachable, grace_s=grace_s)

    def customer_returned(self, contact_id: InteractionId) -> None:
        contact = self.registry.get(contact_id)
        if contact is not None and contact.state is ContactState.PARKED:
            self.tasks.spawn(self.resume_parked(contact, by="customer"), name="resume")

    # --- parking (asynchronous channels) --------------------------------------------------

    async def park(self, agent_id: AgentId, *, reason: str = "awaiting_customer") -> None:
        """The agent answered and now waits for the customer (an e-mail sent): its segment
        ends, the contact waits with no agent until the customer comes back."""
        contact = self._agent_contact(agent_id)
        channel = self.channel_of(contact)
        if not _can(channel, "park"):
            raise ChannelUnsupported(f"a {channel.name} contact cannot be parked")
        self.endings.end_segment(contact, agent_id)
        await channel.release(contact.contact_id, agent_id, Release.NORMAL)
        contact.step(ContactEvent.PARK, self.now())
        self.sink.emit(
            InteractionParked(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=contact.contact_id,
                agent_id=agent_id,
                reason=reason,
            )
        )

    async def close(self, agent_id: AgentId) -> None:
        """The agent closes its contact (a chat or an e-mail thread resolved): its segment
        ends, and the contact with it."""
        contact = self._agent_contact(agent_id)
        self.endings.end_segment(contact, agent_id)
        await self.channel_of(contact).release(contact.contact_id, agent_id, Release.NORMAL)
        contact.customer_present = False
        contact.gone.set()
        self.endings.maybe_end(contact)

    async def resume_parked(self, contact: Contact, *, by: str) -> None:
        """The parked contact's customer is back: a new work item in its queue, offered to
        its last agent first when that agent is free."""
        self.sink.emit(
            InteractionResumed(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=contact.contact_id,
                agent_id=None,
                by=by,
            )
        )
        queue_id = contact.queue_id
        if queue_id is None:
            contact.step(ContactEvent.RESUME, self.now())
            return
        await self.waits.join(contact, queue_id, preferred_agent=contact.last_agent)

    # --- presence -------------------------------------------------------------------------

    def login(self, agent_id: AgentId, *, ready: bool = False) -> None:
        self.presence.login(agent_id, ready=ready)

    def set_available(self, agent_id: AgentId) -> None:
        self.presence.set_available(agent_id)

    def set_not_ready(self, agent_id: AgentId, reason: str) -> None:
        self.presence.set_not_ready(agent_id, reason)

    def logout(self, agent_id: AgentId) -> None:
        self.presence.logout(agent_id)

    def end_wrap_up(self, agent_id: AgentId) -> None:
        self.wrapup.end(agent_id)

    def extend_wrap_up(self, agent_id: AgentId, seconds: float) -> None:
        self.wrapup.extend(agent_id, seconds)

    def disposition_saved(self, agent_id: AgentId, contact_id: InteractionId) -> WorkId | None:
        return self.wrapup.disposition_saved(agent_id, contact_id)

    # --- call controls --------------------------------------------------------------------

    def _agent_contact(self, agent_id: AgentId) -> Contact:
        contact_id, _ = self.assignments.talking(agent_id)
        contact = self.registry.get(contact_id)
        if contact is None:
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        return contact

    def current_contact(self, agent_id: AgentId) -> Contact | None:
        work = self.assignments.peek(agent_id)
        return self.registry.get(work.contact_id) if work is not None else None

    async def answer(self, agent_id: AgentId) -> None:
        """接听 from the desk (a browser phone's ring; a SIP phone answers on the phone)."""
        work = self.assignments.peek(agent_id)
        if work is not None and work.contact_id is not None:
            contact = self.registry.get(work.contact_id)
            if contact is not None and self.channel_of(contact).present(
                contact.contact_id, agent_id
            ):
                # already connected (a SIP phone answered on the phone) — unless a contact of
                # another channel rings beside it (a call during chats): that one is answered
                ringing = self._ringing_elsewhere(agent_id, contact)
                if ringing is None:
                    return
                await self.channel_of(ringing).accept(ringing.contact_id, agent_id)
                return
        for work_id in self.offers.ringing(agent_id):
            contact = self.registry.of_work(work_id)
            if contact is not None:
                await self.channel_of(contact).accept(contact.contact_id, agent_id)
                return
        raise NothingToDo(f"nothing rings for agent {agent_id}", details={"agent_id": agent_id})

    def _ringing_elsewhere(self, agent_id: AgentId, connected: Contact) -> Contact | None:
        for work_id in self.offers.ringing(agent_id):
            contact = self.registry.of_work(work_id)
            if contact is not None and contact.channel != connected.channel:
                return contact
        return None

    async def hangup(self, agent_id: AgentId, *, channel: str | None = None) -> None:
        """Hang up the agent's side; a ringing offer is declined instead. `channel`: only a
        contact of that channel (the desk's hang-up never ends a chat beside the call)."""
        work = self.assignments.peek(agent_id)
        contact = self.registry.get(work.contact_id) if work is not None else None
        if contact is not None and channel not in (None, contact.channel):
            contact = None
        if contact is not None and self.channel_of(contact).present(contact.contact_id, agent_id):
            await self.channel_of(contact).release(contact.contact_id, agent_id, Release.NORMAL)
            self.endings.party_left(contact, agent_id)
            return
        for work_id in self.offers.ringing(agent_id):
            ringing = self.registry.of_work(work_id)
            if ringing is not None and channel in (None, ringing.channel):
                await self.channel_of(ringing).cancel(
                    ringing.contact_id, agent_id, Release.REJECTED
                )
                return
        raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})

    async def _hold(self, contact: Contact, agent_id: AgentId, *, by: str) -> None:
        await self.channel_of(contact).hold(contact.contact_id, CUSTOMER, by=by)
        if contact.held_since is None:
            contact.held_since = self.now()

    async def _resume(self, contact: Contact, agent_id: AgentId) -> None:
        channel = self.channel_of(contact)
        await channel.resume(contact.contact_id, CUSTOMER)
        if contact.held_since is not None:
            contact.hold_s += self.now() - contact.held_since
            contact.held_since = None
        consult = self.assignments.of(agent_id).consult
        if consult is None or not consult.answered:
            await channel.join(contact.contact_id, CUSTOMER, agent_id)

    async def hold(self, agent_id: AgentId) -> None:
        contact = self._agent_contact(agent_id)
        if not self.channel_of(contact).present(contact.contact_id, CUSTOMER):
            raise NothingToDo("no customer to hold")
        if contact.held_since is not None:
            return
        await self._hold(contact, agent_id, by="agent")

    async def resume(self, agent_id: AgentId) -> None:
        contact = self._agent_contact(agent_id)
        if contact.held_since is None:
            raise NothingToDo("the customer is not on hold")
        await self._resume(contact, agent_id)

    async def mute(self, agent_id: AgentId, muted: bool) -> None:
        """The agent still hears the customer; the customer no longer hears the agent."""
        contact = self._agent_contact(agent_id)
        await self.channel_of(contact).mute(contact.contact_id, agent_id, muted)
        self.sink.emit(
            AgentMuted(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=contact.contact_id,
                agent_id=agent_id,
                muted=muted,
            )
        )

    async def send_dtmf(self, agent_id: AgentId, digits: str) -> None:
        """Keys to whoever the agent talks to (an outside IVR after a transfer out, say)."""
        contact = self._agent_contact(agent_id)
        consult = self.assignments.of(agent_id).consult
        party = consult.party if consult is not None and consult.party else CUSTOMER
        await self.channel_of(contact).send_dtmf(contact.contact_id, party, digits)

    async def pause_recording(self, agent_id: AgentId, paused: bool) -> None:
        """暂停录音 while the customer reads out a card number."""
        contact = self._agent_contact(agent_id)
        await self.channel_of(contact).pause_recording(contact.contact_id, paused)

    # --- transfers ------------------------------------------------------------------------

    async def transfer(
        self, agent_id: AgentId, target: TransferTarget, *, note: str | None = None
    ) -> None:
        await self.transfers.transfer(agent_id, target, note=note)

    async def consult(
        self, agent_id: AgentId, target: TransferTarget, *, note: str | None = None
    ) -> None:
        await self.transfers.consult(agent_id, target, note=note)

    async def complete_transfer(self, agent_id: AgentId) -> None:
        await self.transfers.complete(agent_id)

    async def cancel_consult(self, agent_id: AgentId) -> None:
        await self.transfers.cancel(agent_id)

    async def conference(self, agent_id: AgentId) -> None:
        await self.transfers.conference(agent_id)

    def _target_answered(self, contact: Contact, agent_id: AgentId) -> None:
        self.tasks.spawn(self.transfers.target_answered(contact), name="transfer-answered")

    def _spawn_transfer_failed(self, contact: Contact) -> None:
        self.tasks.spawn(self.transfers.transfer_failed(contact), name="transfer-failed")

    def _personal_missed(self, contact: Contact, work: WorkItem) -> None:
        """The one agent a work item was routed to did not take it: give it up now."""
        if work.kind is WorkKind.CONSULT:
            work.done = True
            self.link.call(
                lambda: self.router.remove(work.work_id, now=self.now(), reason="missed")
            )
            self.tasks.spawn(self.transfers.consult_failed(contact, work), name="consult-missed")
        elif work.kind is WorkKind.TRANSFER:
            self.waits.give_up(contact, QueueResult.UNAVAILABLE)
        elif work.kind is WorkKind.OUTBOUND:
            work.done = True
            self.link.call(
                lambda: self.router.callback_failed(work.work_id, now=self.now(), reason="agent")
            )
            self.endings.end_later(contact, Outcome.NOT_REACHED)

    # --- calls out ------------------------------------------------------------------------

    async def dial(
        self,
        agent_id: AgentId,
        number: str,
        *,
        related_interaction_id: InteractionId | None = None,
        channel_name: str = "voice",
    ) -> InteractionId:
        """Ring the agent's device, then reach `number` and join them (click to dial; with
        `related_interaction_id`, a callback of a missed contact from the worklist)."""
        channel = self.channels[channel_name]
        self._check_number(number)
        origin = Origin.CALLBACK if related_interaction_id else Origin.CLICK_TO_DIAL
        contact = await self.arrivals.arrive(
            self.new_contact_id(),
            Arrival(
                channel.name,
                caller_number=number,
                language=self.settings.default_language,
                direction=Direction.OUTBOUND,
                origin=origin,
                related=related_interaction_id,
                customer_present=False,
            ),
        )
        channel.opened(contact)
        now = self.now()
        work = WorkItem(
            WorkId(new_id(now)),
            contact.contact_id,
            WorkKind.OUTBOUND,
            PERSONAL_QUEUE,
            now,
            target_agent=agent_id,
            by_agent=agent_id,
        )
        self.registry.add_work(work)
        contact.work = work
        contact.callback_number = number
        try:
            decisions = self.router.assign_outbound(
                work.work_id, agent_id, number, now=now, contact_id=contact.contact_id
            )
        except AgentNotFree as exc:
            work.done = True
            await self.endings.end_contact(contact, Outcome.NOT_REACHED)
            raise AgentBusy(exc.message, details={"agent_id": agent_id}) from None
        except RoutingError:
            work.done = True
            await self.endings.end_contact(contact, Outcome.NOT_REACHED)
            raise
        self.link.route(decisions)
        return contact.contact_id

    # --- configuration --------------------------------------------------------------------

    def configure_queue(self, config: QueueConfig, options: QueueOptions | None = None) -> None:
        if options is not None:
            self.queue_options[config.queue_id] = options
        self.link.route(self.router.configure_queue(config, now=self.now()))

    def remove_queue(self, queue_id: QueueId) -> None:
        self.link.route(self.router.remove_queue(queue_id, now=self.now()))
        self.queue_options.pop(queue_id, None)

    def configure_agent(self, profile: AgentProfile) -> None:
        self.link.route(self.router.configure_agent(profile, now=self.now()))

    def remove_agent(self, agent_id: AgentId) -> None:
        self.link.route(self.router.remove_agent(agent_id, now=self.now()))

    # --- restarts and drains --------------------------------------------------------------

    async def recover(self, facts: StartupFacts) -> int:
        return await self.endings.recover(facts)

    async def interrupt_all(self) -> None:
        await self.endings.interrupt_all()
        await self.waits.close_all()


def _can(channel: Channel, capability: str) -> bool:
    return any(c.value == capability for c in channel.capabilities)
