"""`Telephony`: the voice runtime the composition root builds — SIP calls in, one `ContactCenter`
per tenant with its `VoiceChannel`, the agents' phones, start, drain and stop.

    telephony = Telephony(sip, engine, routers, flow_service, dids=…, customers=…,
                          storage=FileRecordingStorage(…), clock=clock, sink=event_log, …)
    sip.on_call = telephony.on_incoming
    await telephony.start()          # reconcile, timers, phone checks
    telephony.phone_event(event)     # the WebRTC gateway's phone.browser_* events
    desk = telephony.tenant(tenant_id)   # what the desk and the admin changes call
    await telephony.drain(30.0)      # SIGTERM: no new calls, live ones finish, rest interrupted
    await telephony.stop()

It is the `CallObserver` of its `CallControl`: hang-ups, REFERs, phone holds and finished
recordings go to the voice channel of the tenant that owns the call. Every event it and the
routers emit also feeds the desks' read model (`DeskBoard`), synchronously, through the sink's
listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Protocol

from hotline.calls import Call, CallControl, CallSettings, Cause, Leg
from hotline.calls.events import CallEnded, LegEnded
from hotline.calls.ports import InboundInvite, SipCalls
from hotline.clock import Clock
from hotline.events import DomainEvent, EventSink
from hotline.flows import EmergencyService, FlowVersion, Program, ProgramCache
from hotline.flows.errors import FlowError
from hotline.flows.variables import Scalar
from hotline.interactions.arrivals import Arrival
from hotline.interactions.center import ContactCenter
from hotline.interactions.desk import DeskBoard
from hotline.interactions.errors import UnknownTenant
from hotline.interactions.model import Contact
from hotline.interactions.ports import (
    AgentSessionFacts,
    BotAdvisor,
    CustomerDirectory,
    DidDirectory,
    DidRoute,
    InMemoryRecordingCatalog,
    InMemoryStartupFacts,
    MailSender,
    OutboxMailSender,
    RecordingCatalog,
    RecordingRow,
    StartupFacts,
    TicketDesk,
)
from hotline.interactions.settings import TelephonySettings
from hotline.interactions.voice.channel import VoiceChannel
from hotline.interactions.voice.desk import TenantRuntime
from hotline.interactions.voice.phones import BrowserPhone, Devices, PhoneKind, SipPhone
from hotline.interactions.voice.ports import (
    BrowserPhones,
    DialogFacts,
    InMemoryDialogFacts,
)
from hotline.media.backend import MediaBackend, RecordingInfo
from hotline.media.storage import RecordingStorage
from hotline.routing import Router
from hotline.sip.policy import OutboundPolicy
from hotline.sip.realms import RealmMap
from hotline.sip.refer import ReferTarget
from hotline.speech import SpeechRecognizer
from hotline.tasks import TaskSet
from hotline.tenants.admission import CallGate

__all__ = [
    "BROWSER_CONNECTED",
    "BROWSER_DETACHED",
    "BROWSER_DISCONNECTED",
    "FlowLookup",
    "Telephony",
]

log = logging.getLogger(__name__)

BROWSER_CONNECTED = "phone.browser_connected"
BROWSER_DISCONNECTED = "phone.browser_disconnected"
_OPEN = CallGate()  # a center the runtime has no gate for takes calls
BROWSER_DETACHED = "phone.browser_detached"


class FlowLookup(Protocol):
    """What the runtime needs of `FlowService`: the version a new call runs, and programs."""

    programs: ProgramCache

    async def active(self, tenant_id: str, name: str) -> FlowVersion: ...

    async def for_did(self, tenant_id: str, did: str) -> FlowVersion | None: ...


class Telephony:
    def __init__(
        self,
        sip: SipCalls,
        media: MediaBackend,
        routers: Mapping[str, Router],
        flows: FlowLookup,
        *,
        dids: DidDirectory,
        customers: CustomerDirectory,
        storage: RecordingStorage,
        clock: Clock,
        sink: EventSink,
        settings: TelephonySettings | None = None,
        catalog: RecordingCatalog | None = None,
        startup: StartupFacts | None = None,
        mail: MailSender | None = None,
        policy: OutboundPolicy | None = None,
        emergency: EmergencyService | None = None,
        browsers: BrowserPhones | None = None,
        dialogs: DialogFacts | None = None,
        realms: RealmMap | None = None,
        tickets: TicketDesk | None = None,
        bot: BotAdvisor | None = None,
        recognizer: SpeechRecognizer | None = None,
        owns: Callable[[str], bool] | None = None,
    ) -> None:
        self._bot = bot
        self._recognizer = recognizer
        self.settings = settings = settings or TelephonySettings()
        self.sip = sip
        self.media = media
        self.flows = flows
        self.dids = dids
        self.clock = clock
        self.sink = sink
        self.startup = startup or InMemoryStartupFacts()
        self.dialogs = dialogs or InMemoryDialogFacts()
        self.emergency = emergency
        self.board = DeskBoard()
        listen = getattr(sink, "listen", None)
        if listen is not None:
            listen(self.board.apply)
        self.calls = CallControl(
            sip,
            media,
            clock=clock,
            sink=sink,
            policy=policy,
            observer=self,
            settings=CallSettings(
                ack_timeout_s=settings.ack_timeout_s, hold_reinvite=settings.hold_reinvite
            ),
        )
        # What each new tenant's runtime is built with (`add_tenant`, also while running).
        self._customers = customers
        self._tickets = tickets
        self._storage = storage
        # Every stored recording (call or voicemail) counts toward its center's storage at once;
        # the server re-reads the totals from the database now and then (`set_recording_usage`).
        self._catalog = _CountingCatalog(catalog or InMemoryRecordingCatalog(), self)
        self.recording_bytes: dict[str, int] = {}
        self._mail = mail or OutboxMailSender()
        self._browsers = browsers
        self.realms = realms
        self.tenants: dict[str, TenantRuntime] = {}
        # Each center's status and concurrent-call limit (`set_gate`); absent: take calls.
        self.gates: dict[str, CallGate] = {}
        # Calls admitted by the gate and not yet in their center's registry (the flow and the
        # customer look-up are awaited in between): counted, so calls arriving together cannot
        # all pass a concurrent-call limit.
        self.admitting: dict[str, int] = {}
        for tenant_id, router in routers.items():
            self.add_tenant(tenant_id, router)
        self.draining = False
        self.started = False  # calls are refused (503) until start() has reconciled
        self.interrupted_at_start = 0
        self.dialogs_ended_at_start = 0
        self._loops = TaskSet("telephony")
        self._timers: dict[str, asyncio.Task[None]] = {}  # each center's timers (start_tenant)
        # Across nodes (ADR 0209): the centers this node owns; None: all of them (one node).
        self.owns = owns
        self._starting: set[str] = set()

    def add_tenant(self, tenant_id: str, router: Router) -> TenantRuntime:
        """A center's lifecycle, voice channel and phones; while running, `start_tenant`
        then starts its timers (a tenant created at runtime needs no restart)."""
        settings = self.settings
        center = ContactCenter(
            tenant_id,
            router,
            clock=self.clock,
            sink=self.sink,
            customers=self._customers,
            settings=settings,
            tickets=self._tickets,
            bot=self._bot,
        )
        realms = self.realms
        devices = Devices(
            tenant_id,
            self.calls,
            self.sip,
            self.clock,
            self.sink,
            browsers=self._browsers,
            aor=partial(realms.aor_of_tenant, tenant_id) if realms is not None else None,
        )
        voice = VoiceChannel(
            tenant_id,
            self.calls,
            self.media,
            devices,
            clock=self.clock,
            sink=self.sink,
            settings=settings,
            storage=self._storage,
            catalog=self._catalog,
            mail=self._mail,
            queue_options=center.options,
            may_record=partial(self.may_record, tenant_id),
            recognizer=self._recognizer,
        )
        voice.events = center
        center.add_channel(voice)
        runtime = TenantRuntime(center, voice, self.board)
        self.tenants[tenant_id] = runtime
        return runtime

    def set_gate(self, tenant_id: str, gate: CallGate) -> None:
        """The center's status and call limit as last read (suspended: new calls refused)."""
        self.gates[tenant_id] = gate

    def set_recording_usage(self, usage: dict[str, int]) -> None:
        """The bytes each center's kept recordings take, as the database last summed them."""
        self.recording_bytes = dict(usage)

    def may_record(self, tenant_id: str) -> bool:
        """May a new call recording of the center start (its recordings-storage limit)?"""
        gate = self.gates.get(tenant_id, _OPEN)
        return gate.records(self.recording_bytes.get(tenant_id, 0))

    def live_calls(self, tenant_id: str) -> int:
        """The center's live voice contacts: what its concurrent-call limit counts."""
        runtime = self.tenants.get(tenant_id)
        if runtime is None:
            return 0
        registered = runtime.center.registry.count(runtime.voice.name)
        return registered + self.admitting.get(tenant_id, 0)

    def tenant(self, tenant_id: str) -> TenantRuntime:
        """One tenant's runtime: the desk's commands, supervision and configuration."""
        runtime = self.tenants.get(tenant_id)
        if runtime is None:
            raise UnknownTenant(tenant_id)
        return runtime

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Close contacts a crash left open, reconcile the routers with the log and the
        phones' registrations, start the timers. Configure queues and agents first."""
        await self._start_owned()
        self._loops.spawn(self._check_phones(), name="phones")
        self.started = True
        if self.owns is not None:  # centers this node gained while the others were starting
            await self._start_owned()

    async def _start_owned(self) -> None:
        for runtime in list(self.tenants.values()):
            if self.owns is None or self.owns(runtime.center.tenant_id):
                await self._start_once(runtime)

    async def _stop_timers(self, tenant_id: str) -> None:
        timers = self._timers.pop(tenant_id, None)
        if timers is not None:
            timers.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timers

    async def _start_once(self, runtime: TenantRuntime) -> None:
        tenant_id = runtime.center.tenant_id
        if tenant_id in self._starting or tenant_id in self._timers:
            return
        self._starting.add(tenant_id)
        try:
            await self.start_tenant(runtime)
        finally:
            self._starting.discard(tenant_id)

    async def take_over(self, tenant_id: str) -> None:
        """This node now owns the center (ADR 0209): what the previous owner left open in the
        log is closed as interrupted, agents come back from their sessions and registrations,
        its timers run here."""
        runtime = self.tenants.get(tenant_id)
        if runtime is not None and self.started:  # before: start() takes what is owned then
            await self._start_once(runtime)

    async def stand_down(self, tenant_id: str) -> None:
        """Another node owns the center now: its timers stop and the calls this node still
        carries for it end (their records are the new owner's to write: it closed them)."""
        await self._stop_timers(tenant_id)
        runtime = self.tenants.get(tenant_id)
        if runtime is not None:
            await runtime.center.interrupt_all()
            await runtime.center.tasks.cancel_all()
            await runtime.voice.tasks.cancel_all()

    async def start_tenant(self, runtime: TenantRuntime) -> None:
        """One center's recovery and timers: at start, or when it was added while running."""
        center, devices = runtime.center, runtime.voice.devices
        self.interrupted_at_start += await center.recover(self.startup)
        await self._end_leftover_dialogs(center.tenant_id)
        sessions = await self.startup.agent_sessions(center.tenant_id)
        grace = self.settings.startup_grace_s
        center.presence.recover(sessions, partial(_restore_phone, devices), grace_s=grace)
        self._timers[center.tenant_id] = self._loops.spawn(
            center.run_timers(), name=f"timers-{center.tenant_id}"
        )

    async def remove_tenant(self, tenant_id: str) -> None:
        """A purged center: its timers stop and its runtime, gate and counters go (its numbers
        and SIP domain are already gone, so no call can reach it)."""
        await self._stop_timers(tenant_id)
        runtime = self.tenants.pop(tenant_id, None)
        if runtime is not None:
            await runtime.center.tasks.cancel_all()
            await runtime.voice.tasks.cancel_all()
        self.gates.pop(tenant_id, None)
        self.admitting.pop(tenant_id, None)
        self.recording_bytes.pop(tenant_id, None)

    async def _end_leftover_dialogs(self, tenant_id: str) -> None:
        """A crash left calls up: every peer (callers, agents' phones, trunks) gets a BYE,
        in the background; the log gets the `leg.ended` and `call.ended` it never had."""
        now = self.clock.now()
        calls: dict[str, tuple[str | None, float, bool]] = {}
        for dialog in await self.dialogs.open_dialogs(tenant_id):
            self._loops.spawn(self.sip.end_dialog(dialog.snapshot), name="bye-leftover")
            self.sink.emit(
                LegEnded(
                    tenant_id=tenant_id,
                    at=now,
                    interaction_id=dialog.interaction_id,
                    leg_id=dialog.leg_id,
                    call_id=dialog.call_id,
                    role=dialog.role,
                    cause=Cause.INTERRUPTED.value,
                    q850=41,
                    sip_status=None,
                    by="local",
                    answered=True,
                    duration_s=round(max(0.0, now - dialog.created_at), 3),
                    talk_s=round(max(0.0, now - dialog.answered_at), 3),
                )
            )
            first = calls.get(dialog.call_id)
            started = min(dialog.created_at, first[1]) if first else dialog.created_at
            calls[dialog.call_id] = (dialog.interaction_id, started, True)
            self.dialogs_ended_at_start += 1
        for call_id, (interaction_id, started, answered) in calls.items():
            self.sink.emit(
                CallEnded(
                    tenant_id=tenant_id,
                    at=now,
                    interaction_id=interaction_id,
                    call_id=call_id,
                    cause=Cause.INTERRUPTED.value,
                    q850=41,
                    duration_s=round(max(0.0, now - started), 3),
                    answered=answered,
                )
            )

    async def _check_phones(self) -> None:
        delay = min(1.0, self.settings.reachability_check_s)  # soon after start, then steady
        while True:
            await asyncio.sleep(delay)
            delay = self.settings.reachability_check_s
            for runtime in self.tenants.values():
                runtime.check_phones()

    async def drain(self, timeout: float) -> None:
        """Take no new calls; let live contacts finish for up to `timeout` seconds; then end
        the rest as `interrupted`."""
        self.draining = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for runtime in self.tenants.values():
            for contact in runtime.center.registry:
                left = deadline - loop.time()
                if left <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(contact.ended.wait(), left)
        for runtime in self.tenants.values():
            await runtime.center.interrupt_all()

    async def stop(self) -> None:
        await self._loops.cancel_all()
        for runtime in self.tenants.values():
            await runtime.center.tasks.cancel_all()
            await runtime.voice.tasks.cancel_all()
        await self.calls.close()

    @property
    def live_interactions(self) -> int:
        return sum(len(r.center.registry) for r in self.tenants.values())

    # --- calls in -------------------------------------------------------------------------

    async def on_incoming(self, invite: InboundInvite) -> None:
        """`SipService.on_call`: a DID → its tenant and flow (or a refusal with a cause)."""
        if self.draining or not self.started:
            await self.calls.refuse(invite, Cause.INTERRUPTED)
            return
        did = invite.did or ""
        route = await self.dids.resolve(did) if did else None
        runtime = self.tenants.get(route.tenant_id) if route is not None else None
        if route is None or runtime is None:
            await self.calls.refuse(invite, Cause.UNALLOCATED)
            return
        if self.owns is not None and not self.owns(route.tenant_id):
            # Another node owns the center: 503, and the proxy in front tries the next node.
            await self.calls.refuse(invite, Cause.INTERRUPTED)
            return
        refusal = self.gates.get(route.tenant_id, _OPEN).refusal(self.live_calls(route.tenant_id))
        if refusal is not None:
            log.warning(
                "call %s to %s refused for tenant %s: %s (%d %s)",
                invite.call_id, did, route.tenant_id, refusal.code, refusal.status, refusal.reason,
            )  # fmt: skip
            await invite.reject(refusal.status, refusal.reason, q850_cause=refusal.q850)
            return
        # No await between the gate's answer and this: the call holds its place at once.
        admitted = _Admission(self.admitting, route.tenant_id)
        try:
            await self._admitted(invite, route, runtime, did, admitted)
        finally:
            admitted.release()

    async def _admitted(
        self,
        invite: InboundInvite,
        route: DidRoute,
        runtime: TenantRuntime,
        did: str,
        admitted: _Admission,
    ) -> None:
        try:
            if route.flow is not None:
                version: FlowVersion | None = await self.flows.active(route.tenant_id, route.flow)
            else:
                version = await self.flows.for_did(route.tenant_id, did)
        except FlowError:
            version = None
        if version is None:
            log.warning("no flow answers %s for tenant %s", did, route.tenant_id)
            await self.calls.refuse(invite, Cause.UNALLOCATED)
            return
        variables = await self.emergency.variables(route.tenant_id) if self.emergency else {}
        await self.arrive(
            runtime,
            invite,
            self.flows.programs.get(version),
            early_media=route.early_media,
            variables=variables,
            registered=admitted.release,
        )

    async def arrive(
        self,
        runtime: TenantRuntime,
        invite: InboundInvite,
        program: Program,
        *,
        early_media: bool = False,
        variables: Mapping[str, Scalar] | None = None,
        registered: Callable[[], None] | None = None,
    ) -> Contact | None:
        """Take an inbound call to a tenant and run `program` for it; `registered` is called
        once its contact is in the center's registry (live calls count it from then on)."""
        center, voice = runtime.center, runtime.voice
        contact_id = center.new_contact_id()
        session = await voice.receive(invite, contact_id, early_media=early_media)
        if session is None:
            return None
        contact = await center.arrive(
            contact_id,
            Arrival(
                voice.name,
                caller_number=invite.caller_id.number,
                caller_name=invite.caller_id.display,
                did=invite.did,
                language=program.flow.language,
                flow=program.flow.name,
                flow_version=program.version,
                call_id=session.call.call_id,
            ),
            None,
        )
        if registered is not None:
            registered()
        if not session.customer_live:  # hung up during the look-up
            contact.customer_present = False
            contact.gone.set()
            center.endings.maybe_end(contact)
            return contact
        await voice.ringing(session)
        center.flows.start(contact, program, {**contact.variables(), **(variables or {})})
        return contact

    # --- browser phones -------------------------------------------------------------------

    def phone_event(self, event: DomainEvent) -> None:
        """The browser-phone gateway's events (`phone.browser_connected` / `_detached` /
        `_disconnected`): the agents at that browser become unreachable, or are back; a call
        waits on hold while its page is away (ADR 0121)."""
        runtime = self.tenants.get(event.tenant_id)
        if runtime is None or event.agent_id is None:
            return
        try:
            endpoint_id = str(getattr(event, "endpoint_id", ""))
            if event.type == BROWSER_DISCONNECTED:
                runtime.browser_gone(event.agent_id, endpoint_id)
            elif event.type == BROWSER_DETACHED:
                runtime.browser_detached(event.agent_id, endpoint_id)
            elif event.type == BROWSER_CONNECTED:
                runtime.browser_back(event.agent_id, endpoint_id)
        except Exception:  # the gateway's event path must never break
            log.exception("browser phone event %s failed", event.type)

    # --- CallObserver ---------------------------------------------------------------------

    def _voice_of(self, call: Call) -> VoiceChannel | None:
        runtime = self.tenants.get(call.tenant_id)
        return runtime.voice if runtime is not None else None

    def leg_ended(self, leg: Leg) -> None:
        voice = self._voice_of(leg.call)
        if voice is not None:
            voice.leg_ended(leg)

    def transfer_requested(self, leg: Leg, target: ReferTarget, referred_by: str | None) -> None:
        voice = self._voice_of(leg.call)
        if voice is not None:
            voice.transfer_requested(leg, target, referred_by)

    def remote_hold(self, leg: Leg, held: bool) -> None:
        voice = self._voice_of(leg.call)
        if voice is not None:
            voice.remote_hold(leg, held)

    def recording_stopped(self, call: Call, info: RecordingInfo) -> None:
        voice = self._voice_of(call)
        if voice is not None:
            voice.recording_stopped(call, info)


def _restore_phone(devices: Devices, session: AgentSessionFacts) -> bool:
    """After a restart the agent is at the phone the log says; is it reachable yet? A browser
    phone never is: its page reconnects after the restart."""
    address = session.phone_address
    if session.phone_kind == PhoneKind.BROWSER.value:
        return devices.restore(session.agent_id, BrowserPhone(address))
    return devices.restore(session.agent_id, SipPhone(address))


class _CountingCatalog:
    """The recordings catalog, adding each stored recording's size to its center's usage."""

    def __init__(self, catalog: RecordingCatalog, host: Telephony) -> None:
        self._catalog = catalog
        self._host = host

    async def add(self, row: RecordingRow) -> None:
        await self._catalog.add(row)
        usage = self._host.recording_bytes
        usage[row.tenant_id] = usage.get(row.tenant_id, 0) + row.size_bytes


class _Admission:
    """One call's place under its center's concurrent-call limit while it is being set up."""

    def __init__(self, counts: dict[str, int], tenant_id: str) -> None:
        self.counts = counts
        self.tenant_id = tenant_id
        self.held = True
        counts[tenant_id] = counts.get(tenant_id, 0) + 1

    def release(self) -> None:
        """Idempotent: when the contact is registered, or the set-up ends without one."""
        if self.held:
            self.held = False
            self.counts[self.tenant_id] -= 1
