"""`TenantRuntime`: one tenant's telephony — arrivals, flows, queueing, offers, transfers, the
desk, voicemail and the start-up reconciliation — around that tenant's `Router`.

A call arrives: the customer is looked up by caller number, `interaction.created` is written,
the call is answered (or gets early media first), and its flow runs through a `VoicePort`.
From there the mixins take over: `core.py` (router plumbing, phones, waiting, endings),
`offers.py`, `transfers.py`, `desk.py` (+ `desk_view.py`), `supervision.py`, `browser.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Mapping

from hotline.calls import Call, CallControl, Cause, Leg, LegFailed, LegState, cause_from_flow
from hotline.calls.ports import InboundInvite, SipCalls
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.events import EventSink
from hotline.flows import Program, run_flow
from hotline.flows.actions import NotifyVoicemail, RecordVoicemail
from hotline.flows.errors import CallerHungUp
from hotline.flows.inputs import RecordingDone
from hotline.flows.state import EndReason
from hotline.flows.variables import Scalar
from hotline.ids import InteractionId, new_id
from hotline.interactions.agents import AgentPhone, BrowserPhone, PhoneKind, Seat, SipPhone
from hotline.interactions.browser import BrowserEvents
from hotline.interactions.desk import Desk
from hotline.interactions.desk_view import DeskViews
from hotline.interactions.events import (
    InteractionCreated,
    InteractionEnded,
    VoicemailNotified,
    VoicemailRecorded,
)
from hotline.interactions.interaction import InteractionOutcome, InteractionState, VoiceInteraction
from hotline.interactions.mail import voicemail_notice
from hotline.interactions.offers import Offers
from hotline.interactions.ports import (
    BrowserPhones,
    CustomerDirectory,
    CustomerRecord,
    MailSender,
    RecordingCatalog,
    RecordingRow,
    StartupFacts,
)
from hotline.interactions.prompts import playlist
from hotline.interactions.settings import TelephonySettings
from hotline.interactions.supervision import Monitor, Supervision
from hotline.interactions.transfers import Transfers, _ConsultRing
from hotline.interactions.voice_port import VoicePort
from hotline.interactions.voicemail import record_message, store_message
from hotline.media.backend import EndpointContext, MediaBackend, RecordingInfo
from hotline.media.storage import RecordingStorage
from hotline.routing import AgentFacts, AgentState, ReconcileSnapshot, Router

__all__ = ["TenantRuntime"]

log = logging.getLogger(__name__)


class TenantRuntime(Desk, Transfers, Offers, Supervision, BrowserEvents, DeskViews):
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
        super().__init__(
            tenant_id,
            router,
            calls=calls,
            media=media,
            sip=sip,
            clock=clock,
            sink=sink,
            settings=settings,
            customers=customers,
            catalog=catalog,
            mail=mail,
            storage=storage,
            browsers=browsers,
        )
        self._consults: dict[InteractionId, _ConsultRing] = {}
        self.monitors: dict[str, Monitor] = {}
        self._voicemails: dict[str, tuple[str, int]] = {}  # recording id -> (key, size)

    # --- arrival --------------------------------------------------------------------------

    async def arrive(
        self,
        invite: InboundInvite,
        program: Program,
        *,
        early_media: bool = False,
        variables: Mapping[str, Scalar] | None = None,
    ) -> VoiceInteraction | None:
        """Take an inbound call to this tenant and run `program` for it."""
        now = self.now()
        iid = InteractionId(new_id(now))
        try:
            customer = await self.calls.receive(
                invite, tenant_id=self.tenant_id, interaction_id=iid
            )
        except LegFailed:
            return None
        number = invite.caller_id.number
        record = await self._customer(number)
        interaction = VoiceInteraction(
            iid,
            tenant_id=self.tenant_id,
            call=customer.call,
            customer=customer,
            created_at=now,
            caller_number=number,
            did=invite.did,
            record=record,
            language=program.flow.language,
        )
        interaction.early_media = early_media
        interaction.flow_name = program.flow.name
        self.interactions[iid] = interaction
        self.emit(
            InteractionCreated(
                tenant_id=self.tenant_id,
                at=now,
                interaction_id=iid,
                leg_id=customer.leg_id,
                channel="voice",
                direction="inbound",
                caller_number=number,
                caller_name=invite.caller_id.display,
                did=invite.did,
                customer_id=record.customer_id if record else None,
                vip_level=record.vip_level if record else None,
                flow=program.flow.name,
                flow_version=program.version,
                call_id=customer.call.call_id,
            )
        )
        if not customer.is_live:  # cancelled during the look-up
            self.maybe_end(interaction)
            return interaction
        seeds: dict[str, Scalar] = {
            "caller.number": number or "",
            "caller.name": invite.caller_id.display,
            "dialed.number": invite.did or "",
            **(variables or {}),
        }
        with contextlib.suppress(LegFailed):
            await self.calls.ring(customer)
        interaction.flow_task = self.tasks.spawn(
            self._run_flow(interaction, program, seeds), name=f"flow-{iid}"
        )
        return interaction

    async def _customer(self, number: str | None) -> CustomerRecord | None:
        if not number:
            return None
        try:
            return await asyncio.wait_for(
                self.customers.find_by_number(self.tenant_id, number), 3.0
            )
        except Exception:  # a slow or broken CRM must not lose the call
            log.exception("customer look-up for %s failed", number)
            return None

    async def _run_flow(
        self, interaction: VoiceInteraction, program: Program, seeds: Mapping[str, Scalar]
    ) -> None:
        port = VoicePort(self, interaction)
        try:
            state = await run_flow(
                program,
                port,
                seeds,
                self.clock,
                sink=self.sink,
                tenant_id=self.tenant_id,
                interaction_id=interaction.interaction_id,
            )
            interaction.flow_end = state.ended.value if state.ended else None
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("flow of %s failed", interaction.interaction_id)
            interaction.flow_end = EndReason.ERROR.value
        interaction.flow_task = None
        await self._flow_over(interaction)

    async def _flow_over(self, interaction: VoiceInteraction) -> None:
        customer = interaction.customer
        if interaction.state is InteractionState.IVR and customer is not None and customer.is_live:
            await self.hang_up_customer(interaction, "normal")
        self.maybe_end(interaction)

    async def ensure_answered(self, interaction: VoiceInteraction, *, for_input: bool) -> None:
        """Answer before anything but prompts; with early media, prompts play on a 183 first."""
        customer = interaction.customer
        if customer is None or not customer.is_live:
            raise CallerHungUp()
        if customer.is_up:
            return
        try:
            if interaction.early_media and not for_input:
                await self.calls.early_media(customer)
            else:
                await self.calls.answer(customer)
        except LegFailed:
            raise CallerHungUp() from None

    async def hang_up_customer(self, interaction: VoiceInteraction, cause: str) -> None:
        customer = interaction.customer
        if customer is None or not customer.is_live:
            return
        await self.calls.hangup(customer, cause_from_flow(cause))

    # --- voicemail ------------------------------------------------------------------------

    async def record_voicemail(
        self, interaction: VoiceInteraction, request: RecordVoicemail
    ) -> RecordingDone:
        customer = interaction.customer
        if customer is None or not customer.is_live:
            return RecordingDone(None)
        context = EndpointContext(self.tenant_id, interaction.interaction_id, customer.leg_id)
        message = await record_message(
            self.media,
            customer.endpoint,
            context,
            greeting=playlist(request.greeting, self.settings.prompts_dir),
            beep=request.beep,
            max_s=request.max_length,
            silence_s=request.silence_end,
            silence_level=self.settings.voicemail_silence_level,
            digits=customer.digits,
            gone=interaction.customer_gone,
        )
        if message.duration_s < self.settings.voicemail_min_s:
            return RecordingDone(None)
        now = self.now()
        recording_id = new_id(now)
        key, size = await store_message(
            self.storage,
            message,
            tenant_id=self.tenant_id,
            interaction_id=interaction.interaction_id,
            mailbox=request.mailbox,
            now=now,
        )
        interaction.voicemail = True
        self._voicemails[recording_id] = (key, size)
        self.emit(
            VoicemailRecorded(
                tenant_id=self.tenant_id,
                at=now,
                interaction_id=interaction.interaction_id,
                leg_id=customer.leg_id,
                mailbox=request.mailbox,
                recording_id=recording_id,
                path=key,
                duration_s=message.duration_s,
                caller_number=interaction.caller_number,
                ended_by=message.ended_by.value,
            )
        )
        digest = hashlib.sha256(message.audio.astype("<i2").tobytes()).hexdigest()
        with contextlib.suppress(Exception):
            await self.catalog.add(
                RecordingRow(
                    tenant_id=self.tenant_id,
                    interaction_id=interaction.interaction_id,
                    recording_id=recording_id,
                    kind="voicemail",
                    path=key,
                    duration_s=message.duration_s,
                    channels=1,
                    sha256=digest,
                    size_bytes=size,
                    paused_spans=(),
                    started_at=now - message.duration_s,
                    leg_id=customer.leg_id,
                    mailbox=request.mailbox,
                )
            )
        return RecordingDone(recording_id, message.duration_s)

    def notify_voicemail(self, interaction: VoiceInteraction, notice: NotifyVoicemail) -> None:
        self.tasks.spawn(self._send_notice(interaction, notice), name="voicemail-mail")

    async def _send_notice(self, interaction: VoiceInteraction, notice: NotifyVoicemail) -> None:
        key, size = self._voicemails.get(notice.recording_id, ("", 0))
        wav = None
        if key and size <= self.settings.mail.attach_max_bytes:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(OSError, HotlineError):
                wav = await loop.run_in_executor(None, self._read, key)
        message = voicemail_notice(
            sender=self.settings.mail.sender,
            recipients=notice.emails,
            mailbox=notice.mailbox,
            caller_number=interaction.caller_number,
            duration_s=notice.duration,
            at=self.now(),
            time_zone=self.settings.time_zone,
            interaction_id=interaction.interaction_id,
            wav=wav,
        )
        error = None
        try:
            await self.mail.send(message)
        except Exception as exc:  # noqa: BLE001 - SMTP down: recorded in voicemail.notified
            error = f"{type(exc).__name__}: {exc}"
            log.warning("voicemail notice for %s failed: %s", interaction.interaction_id, error)
        self.emit(
            VoicemailNotified(
                tenant_id=self.tenant_id,
                at=self.now(),
                interaction_id=interaction.interaction_id,
                mailbox=notice.mailbox,
                recording_id=notice.recording_id,
                recipients=tuple(notice.emails),
                sent=error is None,
                error=error,
            )
        )

    def _read(self, key: str) -> bytes:
        with self.storage.open_read(key) as file:
            return file.read()

    # --- call-control reports -------------------------------------------------------------

    def recording_stopped(self, call: Call, info: RecordingInfo) -> None:
        row = RecordingRow(
            tenant_id=self.tenant_id,
            interaction_id=call.interaction_id or "",
            recording_id=info.recording_id,
            kind="call",
            path=info.path,
            duration_s=info.duration_s,
            channels=info.channels,
            sha256=info.sha256,
            size_bytes=info.size_bytes,
            paused_spans=info.paused_spans,
            started_at=self.now() - info.duration_s,
            leg_id=call.customer.leg_id if call.customer else None,
        )
        self.tasks.spawn(self.catalog.add(row), name="recording-row")

    def remote_hold(self, leg: Leg, held: bool) -> None:
        """The agent's phone put the customer on hold (or took it off): music, or the bridge."""
        interaction = self.interaction_of(leg)
        if interaction is None or leg is not interaction.agent_leg:
            return
        customer = interaction.customer
        if customer is None or not customer.is_live:
            return
        if held and customer.state is LegState.ANSWERED:
            interaction.held_since = self.now()
            self.tasks.spawn(self.calls.hold(customer, by="phone"), name="phone-hold")
        elif not held and customer.state is LegState.HELD:
            if interaction.held_since is not None:
                interaction.hold_s += self.now() - interaction.held_since
                interaction.held_since = None
            self.tasks.spawn(self._phone_resume(customer, leg), name="phone-resume")

    async def _phone_resume(self, customer: Leg, leg: Leg) -> None:
        await self.calls.resume(customer)
        await self.join_agent(customer, leg)

    # --- start-up and shut-down -----------------------------------------------------------

    async def recover(self, facts: StartupFacts) -> int:
        """After a restart: close what the log left open as `interrupted`, and rebuild agents'
        presence from the log and their phones' registrations (`router.reconcile`)."""
        closed = 0
        now = self.now()
        for open_ in await facts.open_interactions(self.tenant_id):
            if open_.interaction_id in self.interactions:
                continue
            self.emit(
                InteractionEnded(
                    tenant_id=self.tenant_id,
                    at=now,
                    interaction_id=open_.interaction_id,
                    agent_id=open_.agent_id,
                    reason=InteractionOutcome.INTERRUPTED.value,
                    cause=Cause.INTERRUPTED.value,
                    q850=41,
                    queue_id=open_.queue_id,
                    answered=open_.answered,
                    ivr_s=0.0,
                    queue_s=0.0,
                    talk_s=0.0,
                    hold_s=0.0,
                    total_s=round(max(0.0, now - open_.created_at), 3),
                )
            )
            closed += 1
        sessions = await facts.agent_sessions(self.tenant_id)
        agents = []
        known = set(self.router.agent_ids())
        for session in sessions:
            if session.agent_id not in known:
                continue
            phone: AgentPhone = (
                BrowserPhone(session.phone_address)
                if session.phone_kind == PhoneKind.BROWSER.value
                else SipPhone(session.phone_address)
            )
            # A browser phone is never back yet: the page reconnects after the restart.
            reachable = (
                self.phone_reachable(phone)
                if isinstance(phone, BrowserPhone)
                else (bool(self.sip.contacts(phone.extension)))
            )
            seat = self.seats.get(session.agent_id)
            if seat is None:
                seat = self.seats[session.agent_id] = Seat(session.agent_id, phone, now)
            seat.reachable = reachable
            if session.presence is AgentState.AVAILABLE and not reachable:
                # Phones re-register after a restart (or their saved bindings load after us):
                # an agent who was available gets that back if its phone returns in time.
                self.restore_when_reachable[session.agent_id] = now + self.settings.startup_grace_s
            agents.append(
                AgentFacts(
                    session.agent_id,
                    presence=session.presence,
                    reason=session.reason,
                    reachable=reachable,
                    handled_today=session.handled_today,
                )
            )
        self.route(self.router.reconcile(ReconcileSnapshot(agents=tuple(agents)), now=now))
        return closed

    async def interrupt_all(self) -> None:
        """Hang up every live interaction as `interrupted` (the end of a drain)."""
        for interaction in list(self.interactions.values()):
            if interaction.flow_task is not None:
                interaction.flow_task.cancel()
                interaction.flow_task = None
            await self.end_interaction(
                interaction, InteractionOutcome.INTERRUPTED, Cause.INTERRUPTED
            )
