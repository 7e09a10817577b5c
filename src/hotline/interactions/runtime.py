"""`Telephony`: the runtime the composition root builds — SIP calls in, flows, the routers'
decisions, the agents' desk — for every tenant, with start, drain and stop.

The lead constructs it with every collaborator passed in (docs/interactions.md):

    telephony = Telephony(sip, engine, routers, flow_service, dids=…, customers=…,
                          storage=FileRecordingStorage(…), clock=clock, sink=event_log, …)
    sip.on_call = telephony.on_incoming
    await telephony.start()          # reconcile, timers, phone checks
    telephony.phone_event(event)     # the WebRTC gateway's phone.browser_* events
    desk = telephony.tenant(tenant_id)   # the agent desktop's API (TenantRuntime)
    await telephony.drain(30.0)      # SIGTERM: no new calls, live ones finish, rest interrupted
    await telephony.stop()

It is also the `CallObserver` of its `CallControl`: hang-ups, REFERs, phone holds and finished
recordings are routed to the tenant that owns the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Protocol

from hotline.calls import Call, CallControl, CallSettings, Cause, Leg, TaskSet
from hotline.calls.ports import InboundInvite, SipCalls
from hotline.clock import Clock
from hotline.events import DomainEvent, EventSink
from hotline.flows import EmergencyService, FlowVersion, ProgramCache
from hotline.flows.errors import FlowError
from hotline.interactions.errors import UnknownTenant
from hotline.interactions.ports import (
    BrowserPhones,
    CustomerDirectory,
    DidDirectory,
    InMemoryRecordingCatalog,
    InMemoryStartupFacts,
    MailSender,
    OutboxMailSender,
    RecordingCatalog,
    StartupFacts,
)
from hotline.interactions.settings import TelephonySettings
from hotline.interactions.tenant import TenantRuntime
from hotline.media.backend import MediaBackend, RecordingInfo
from hotline.media.storage import RecordingStorage
from hotline.routing import Router
from hotline.sip.policy import OutboundPolicy
from hotline.sip.refer import ReferTarget

__all__ = ["FlowLookup", "Telephony"]

log = logging.getLogger(__name__)


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
    ) -> None:
        self.settings = settings or TelephonySettings()
        self.sip = sip
        self.media = media
        self.flows = flows
        self.dids = dids
        self.clock = clock
        self.sink = sink
        self.startup = startup or InMemoryStartupFacts()
        self.emergency = emergency
        self.calls = CallControl(
            sip,
            media,
            clock=clock,
            sink=sink,
            policy=policy,
            observer=self,
            settings=CallSettings(
                ack_timeout_s=self.settings.ack_timeout_s,
                hold_reinvite=self.settings.hold_reinvite,
            ),
        )
        self.tenants: dict[str, TenantRuntime] = {
            tenant_id: TenantRuntime(
                tenant_id,
                router,
                calls=self.calls,
                media=media,
                sip=sip,
                clock=clock,
                sink=sink,
                settings=self.settings,
                customers=customers,
                catalog=catalog or InMemoryRecordingCatalog(),
                mail=mail or OutboxMailSender(),
                storage=storage,
                browsers=browsers,
            )
            for tenant_id, router in routers.items()
        }
        self.draining = False
        self.started = False  # calls are refused (503) until start() has reconciled
        self.interrupted_at_start = 0
        self._loops = TaskSet("telephony")

    def tenant(self, tenant_id: str) -> TenantRuntime:
        """One tenant's runtime: the desk API (login, hold, transfer …) and configuration."""
        runtime = self.tenants.get(tenant_id)
        if runtime is None:
            raise UnknownTenant(tenant_id)
        return runtime

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Configure the hidden transfer queue, close interactions a crash left open, reconcile
        the routers with the log and the phones' registrations, start the timers.

        Configure queues and agents (through the tenant runtimes) before calling it."""
        for runtime in self.tenants.values():
            runtime.ensure_direct_queue()
            self.interrupted_at_start += await runtime.recover(self.startup)
            self._loops.spawn(runtime.run_timers(), name=f"timers-{runtime.tenant_id}")
        self._loops.spawn(self._check_phones(), name="phones")
        self.started = True

    async def _check_phones(self) -> None:
        delay = min(1.0, self.settings.reachability_check_s)  # soon after start, then steady
        while True:
            await asyncio.sleep(delay)
            delay = self.settings.reachability_check_s
            for runtime in self.tenants.values():
                runtime.check_phones()

    async def drain(self, timeout: float) -> None:
        """Take no new calls; let live interactions finish for up to `timeout` seconds; then
        hang up the rest as `interrupted`."""
        self.draining = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for runtime in self.tenants.values():
            for interaction in list(runtime.interactions.values()):
                left = deadline - loop.time()
                if left <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(interaction.ended.wait(), left)
        for runtime in self.tenants.values():
            await runtime.interrupt_all()

    async def stop(self) -> None:
        await self._loops.cancel_all()
        for runtime in self.tenants.values():
            await runtime.tasks.cancel_all()
        await self.calls.close()

    @property
    def live_interactions(self) -> int:
        return sum(len(r.interactions) for r in self.tenants.values())

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
        await runtime.arrive(
            invite,
            self.flows.programs.get(version),
            early_media=route.early_media,
            variables=variables,
        )

    # --- browser phones -------------------------------------------------------------------

    def phone_event(self, event: DomainEvent) -> None:
        """Feed the browser-phone gateway's events here (`phone.browser_connected` /
        `_disconnected`): the tenant's runtime makes the agent unreachable or back."""
        runtime = self.tenants.get(event.tenant_id)
        if runtime is not None:
            try:
                runtime.phone_event(event)
            except Exception:  # the gateway's event path must never break
                log.exception("browser phone event %s failed", event.type)

    # --- CallObserver ---------------------------------------------------------------------

    def _runtime_of(self, call: Call) -> TenantRuntime | None:
        return self.tenants.get(call.tenant_id)

    def leg_ended(self, leg: Leg) -> None:
        runtime = self._runtime_of(leg.call)
        if runtime is not None:
            runtime.leg_ended(leg)

    def transfer_requested(self, leg: Leg, target: ReferTarget, referred_by: str | None) -> None:
        runtime = self._runtime_of(leg.call)
        if runtime is not None:
            runtime.transfer_requested(leg, target, referred_by)

    def remote_hold(self, leg: Leg, held: bool) -> None:
        runtime = self._runtime_of(leg.call)
        if runtime is not None:
            runtime.remote_hold(leg, held)

    def recording_stopped(self, call: Call, info: RecordingInfo) -> None:
        runtime = self._runtime_of(call)
        if runtime is not None:
            runtime.recording_stopped(call, info)
