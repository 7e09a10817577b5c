"""`VoiceChannel`: the voice adapter behind the `Channel` port, for one tenant.

It turns the lifecycle's requests into call control — ring an agent's phone as a new leg of the
contact's call, bridge or conference legs, hold with music, record, dial out of the trunk —
and reports what the phones do (a hang-up, a hold, a REFER) back as `ContactEvents`. Parties
are the customer (`CUSTOMER`), agents by id and outside numbers (`tel:`); every leg of a
contact's call belongs to one party (`VoiceSession`). The only module of the lifecycle that
imports call control and media, with its helpers in this package.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from hotline.calls import (
    CAUSES,
    Call,
    CallControl,
    Cause,
    DestinationDenied,
    Leg,
    LegFailed,
    LegRole,
    LegState,
    cause_from_flow,
)
from hotline.calls.events import CallOriginated
from hotline.calls.ports import InboundInvite
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.events import EventSink
from hotline.flows.actions import Enqueue
from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions.channel import (
    CUSTOMER,
    Capability,
    ContactEvents,
    FlowMedia,
    Guard,
    Release,
    Ring,
    RingPurpose,
    RingResult,
    TransferRequest,
    number_party,
)
from hotline.interactions.errors import NothingToDo
from hotline.interactions.events import RecordingSkipped
from hotline.interactions.model import Contact
from hotline.interactions.ports import MailSender, RecordingCatalog, RecordingRow
from hotline.interactions.settings import QueueOptions, TelephonySettings
from hotline.interactions.voice.announce import position_text
from hotline.interactions.voice.media_port import VoiceFlowMedia
from hotline.interactions.voice.phones import Devices
from hotline.interactions.voice.prompts import playlist, spoken
from hotline.interactions.voice.session import VoiceSession
from hotline.interactions.voice.supervision import Supervision
from hotline.media.backend import MediaBackend, RecordingInfo
from hotline.media.player import PlayItem, Tone, TtsText
from hotline.media.storage import RecordingStorage
from hotline.media.tones import CN_RINGBACK
from hotline.sip.refer import ReferTarget
from hotline.sip.trunk import CallerId
from hotline.speech import SpeechRecognizer
from hotline.tasks import TaskSet

__all__ = ["VoiceChannel"]

log = logging.getLogger(__name__)

_REFUSALS = frozenset({Cause.BUSY, Cause.REJECTED, Cause.DENIED, Cause.MEDIA_FAILED})
_RELEASE_CAUSE = {
    Release.NORMAL: Cause.NORMAL,
    Release.TRANSFERRED: Cause.TRANSFERRED,
    Release.REJECTED: Cause.REJECTED,
    Release.NO_ANSWER: Cause.NO_ANSWER,
    Release.CANCELLED: Cause.CANCELLED,
    Release.INTERRUPTED: Cause.INTERRUPTED,
}
_PURPOSE = {
    RingPurpose.CALLBACK: "callback",
    RingPurpose.OUTBOUND: "click_to_dial",
}


def _ring_result(cause: Cause) -> RingResult:
    if cause in _REFUSALS:
        return RingResult.REJECTED
    if cause is Cause.NO_ANSWER:
        return RingResult.NO_ANSWER
    if cause is Cause.CANCELLED:
        return RingResult.CANCELLED
    return RingResult.UNREACHABLE


class VoiceChannel:
    name = "voice"
    capabilities = frozenset(
        {
            Capability.HOLD,
            Capability.MUTE,
            Capability.DTMF,
            Capability.RECORDING,
            Capability.DIAL,
            Capability.CONSULT,
            Capability.CONFERENCE,
        }
    )

    def __init__(
        self,
        tenant_id: str,
        calls: CallControl,
        media: MediaBackend,
        devices: Devices,
        *,
        clock: Clock,
        sink: EventSink,
        settings: TelephonySettings,
        storage: RecordingStorage,
        catalog: RecordingCatalog,
        mail: MailSender,
        queue_options: Callable[[str | None], QueueOptions],
        may_record: Callable[[], bool] = lambda: True,
        recognizer: SpeechRecognizer | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.recognizer = recognizer  # the voice bot's ears (ADR 0258), if the center has one
        self.calls = calls
        self.media = media
        self.devices = devices
        self.clock = clock
        self.sink = sink
        self.settings = settings
        self.storage = storage
        self.catalog = catalog
        self.mail = mail
        self._queue_options = queue_options
        # Whether a new call recording may start now (the center's recordings-storage limit).
        self._may_record = may_record
        self.tasks = TaskSet(f"voice {tenant_id}")
        self.sessions: dict[InteractionId, VoiceSession] = {}
        self.events: ContactEvents | None = None  # the tenant's lifecycle, set when wired
        self.supervision = Supervision(self)

    # --- sessions -------------------------------------------------------------------------

    def session(self, contact_id: InteractionId) -> VoiceSession:
        session = self.sessions.get(contact_id)
        if session is None:
            raise NothingToDo(f"no call for contact {contact_id}")
        return session

    def session_of(self, leg: Leg) -> VoiceSession | None:
        iid = leg.call.interaction_id
        return self.sessions.get(InteractionId(iid)) if iid else None

    async def receive(
        self, invite: InboundInvite, contact_id: InteractionId, *, early_media: bool
    ) -> VoiceSession | None:
        """Take an inbound call for a new contact (None: it was gone before we could)."""
        try:
            customer = await self.calls.receive(
                invite, tenant_id=self.tenant_id, interaction_id=contact_id
            )
        except LegFailed:
            return None
        session = VoiceSession(
            contact_id,
            customer.call,
            caller_number=invite.caller_id.number,
            did=invite.did,
            early_media=early_media,
        )
        session.add(CUSTOMER, customer)
        self.sessions[contact_id] = session
        return session

    async def ringing(self, session: VoiceSession) -> None:
        """180 Ringing to the caller while its flow starts."""
        if session.customer is not None:
            with contextlib.suppress(LegFailed):
                await self.calls.ring(session.customer)

    def opened(self, contact: Contact) -> None:
        """A contact the centre starts (no call yet): its session, for the rings to come."""
        if contact.contact_id not in self.sessions:
            call = self.calls.new_call(tenant_id=self.tenant_id, interaction_id=contact.contact_id)
            self.sessions[contact.contact_id] = VoiceSession(
                contact.contact_id, call, caller_number=contact.caller_number, did=contact.did
            )

    def _fresh_call(self, session: VoiceSession, purpose: RingPurpose, target: str) -> Call:
        """A callback's first ring: the customer's call ended long ago, a new one starts."""
        if session.call.state.value == "ended" or not session.call.legs:
            if session.call.state.value == "ended":
                session.call = self.calls.new_call(
                    tenant_id=self.tenant_id, interaction_id=session.contact_id
                )
                session.customer = None
            self.sink.emit(
                CallOriginated(
                    tenant_id=self.tenant_id,
                    at=self.clock.now(),
                    interaction_id=session.contact_id,
                    call_id=session.call.call_id,
                    purpose=_PURPOSE.get(purpose, "callback"),
                    target=target,
                )
            )
        return session.call

    # --- agents ---------------------------------------------------------------------------

    async def ring(self, ring: Ring) -> RingResult:
        session = self.sessions.get(ring.contact_id)
        if session is None:
            return RingResult.CANCELLED
        agent_id = ring.agent_id
        call = session.call
        if ring.purpose in _PURPOSE:
            call = self._fresh_call(session, ring.purpose, ring.caller_number or "")
        session.ringing[agent_id] = None
        role = LegRole.CONSULT if ring.purpose is RingPurpose.CONSULT else LegRole.AGENT
        try:
            leg = await self.devices.ring(
                call,
                agent_id,
                role=role,
                caller=CallerId(ring.caller_number, ring.caller_name),
                timeout=ring.timeout_s,
            )
        except (LegFailed, DestinationDenied) as exc:
            session.ringing.pop(agent_id, None)
            cancelled = session.cancelled.pop(agent_id, None)
            if cancelled is not None:
                return RingResult.CANCELLED
            return _ring_result(exc.cause if isinstance(exc, LegFailed) else Cause.DENIED)
        session.parties[leg.leg_id] = agent_id
        cancelled = session.cancelled.pop(agent_id, None)
        if cancelled is not None:
            session.ringing.pop(agent_id, None)
            session.released.add(leg.leg_id)
            await self.calls.hangup(leg, _RELEASE_CAUSE[cancelled])
            return RingResult.CANCELLED
        session.ringing[agent_id] = leg
        if ring.purpose is RingPurpose.OUTBOUND and leg.borrowed:
            # the agent clicked "call" at the desk: its browser phone is there already
            await self.calls.answer_attached(leg)
        try:
            await self.calls.wait_answered(leg)
        except LegFailed as exc:
            session.ringing.pop(agent_id, None)
            return _ring_result(exc.cause)
        session.ringing.pop(agent_id, None)
        session.legs[agent_id] = leg
        return RingResult.ANSWERED

    async def cancel(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        session = self.sessions.get(contact_id)
        if session is None:
            return
        agent_id = AgentId(party)
        if agent_id in session.ringing:
            leg = session.ringing[agent_id]
            if leg is None:
                session.cancelled[agent_id] = reason
                return
            if leg.is_live:
                await self.calls.hangup(leg, _RELEASE_CAUSE[reason])
            return
        await self.release(contact_id, party, reason)

    async def accept(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        """接听 from the desk: the agent's ringing browser leg is answered and joined at once
        (returns once the lifecycle connected it, or after `answer_wait_s`)."""
        session = self.session(contact_id)
        leg = session.ringing.get(agent_id)
        if leg is None or not leg.borrowed or leg.state is not LegState.RINGING:
            raise NothingToDo(f"nothing rings for agent {agent_id}", details={"agent_id": agent_id})
        await self.calls.answer_attached(leg)
        task = self.devices.ring_tasks.get(leg.leg_id)
        if task is not None and not task.done():
            # The ring's own task reports the answer and joins the legs: wait for it (not for
            # a callback's customer, who is dialled after the agent answers).
            await asyncio.wait({task}, timeout=self.settings.answer_wait_s)

    def ringing_leg(self, agent_id: AgentId) -> tuple[InteractionId, Leg] | None:
        """The browser leg ringing this agent, if any (what the desk's answer answers)."""
        for session in self.sessions.values():
            leg = session.ringing.get(agent_id)
            if leg is not None and leg.borrowed and leg.state is LegState.RINGING:
                return session.contact_id, leg
        return None

    def present(self, contact_id: InteractionId, party: str) -> bool:
        session = self.sessions.get(contact_id)
        leg = session.leg(party) if session is not None else None
        return leg is not None and leg.is_up

    def agent_leg(self, contact_id: InteractionId, agent_id: AgentId) -> Leg | None:
        session = self.sessions.get(contact_id)
        return session.legs.get(agent_id) if session is not None else None

    async def connected(self, contact_id: InteractionId, agent_id: AgentId) -> None:
        """An agent talks to the customer: record per the queue's options (consent first)."""
        session = self.sessions.get(contact_id)
        if session is None or session.recording_started:
            return
        options = self._queue_options(session.queue_id)
        call = session.call
        if not options.record or call.recording is not None:
            return
        session.recording_started = True
        if not self._may_record():
            log.warning("contact %s not recorded: the center's recordings are full", contact_id)
            self.sink.emit(RecordingSkipped(
                tenant_id=self.tenant_id, at=self.clock.now(), interaction_id=contact_id,
                reason="tenant.limit.recordings",
            ))  # fmt: skip
            return
        language = self.settings.default_language
        announcement: list[PlayItem] = []
        if options.consent_prompt:
            text = options.consent_text.get(language) or next(iter(options.consent_text.values()))
            announcement = spoken(text, language)
        try:
            await self.calls.start_recording(call, announcement)
        except HotlineError as exc:
            log.warning("recording of %s did not start: %s", contact_id, exc)

    # --- who hears whom -------------------------------------------------------------------

    def _legs(self, contact_id: InteractionId, *parties: str) -> list[Leg]:
        session = self.session(contact_id)
        legs = []
        for party in parties:
            leg = session.leg(party)
            if leg is None or not leg.is_live:
                raise NothingToDo(f"{party} is not in the call of contact {contact_id}")
            legs.append(leg)
        return legs

    async def join(self, contact_id: InteractionId, a: str, b: str) -> None:
        """`a` and `b` hear each other: a bridge — or, while a supervisor sits in the call's
        conference, that conference, so the supervisor keeps hearing them."""
        leg_a, leg_b = self._legs(contact_id, a, b)
        if self.supervision.supervised(leg_a) or self.supervision.supervised(leg_b):
            await self.calls.conference(leg_a.call, [leg_a, leg_b])
        else:
            await self.calls.bridge(leg_a, leg_b)

    async def conference(self, contact_id: InteractionId, parties: Sequence[str]) -> None:
        legs = self._legs(contact_id, *parties)
        await self.calls.conference(legs[0].call, legs)

    async def hold(self, contact_id: InteractionId, party: str, *, by: str) -> None:
        (leg,) = self._legs(contact_id, party)
        if leg.state is LegState.ANSWERED:
            await self.calls.hold(leg, by=by)

    async def resume(self, contact_id: InteractionId, party: str) -> None:
        session = self.sessions.get(contact_id)
        leg = session.leg(party) if session is not None else None
        if leg is not None and leg.state is LegState.HELD:
            await self.calls.resume(leg)

    async def release(self, contact_id: InteractionId, party: str, reason: Release) -> None:
        session = self.sessions.get(contact_id)
        if session is None:
            return
        leg = session.leg(party)
        if leg is None and AgentId(party) in session.ringing:
            leg = session.ringing.get(AgentId(party))
        if leg is None or not leg.is_live:
            return
        session.released.add(leg.leg_id)
        await self.calls.hangup(leg, _RELEASE_CAUSE[reason])

    async def dial(
        self,
        contact_id: InteractionId,
        number: str,
        *,
        customer: bool,
        timeout_s: float,
        caller_id: str | None = None,
    ) -> str | None:
        """Reach a number out of the trunk for the contact; its party once it answered."""
        session = self.sessions.get(contact_id)
        if session is None:
            return None
        if customer:  # the agents hear ringback while the customer's phone rings
            for leg in session.legs.values():
                if leg.is_up:
                    with contextlib.suppress(HotlineError):
                        await self.media.play(leg.endpoint, [Tone(CN_RINGBACK, 120.0)])
            presented = caller_id or self.settings.outbound_caller_id or session.did
        else:
            presented = caller_id or session.caller_number or self.settings.outbound_caller_id
        try:
            leg = await self.calls.dial(
                session.call,
                number,
                role=LegRole.CUSTOMER if customer else LegRole.EXTERNAL,
                trunk=self.settings.trunk,
                caller_id=CallerId(presented, None) if presented else None,
                timeout=timeout_s,
            )
            party = CUSTOMER if customer else number_party(number)
            session.parties[leg.leg_id] = party
            await self.calls.wait_answered(leg, timeout_s)
        except (LegFailed, DestinationDenied) as exc:
            log.info("dialling %s for %s failed: %s", number, contact_id, exc)
            return None
        if not customer and not session.customer_live:
            session.released.add(leg.leg_id)
            await self.calls.hangup(leg)
            return None
        session.add(party, leg)
        return party

    def check_number(self, number: str) -> None:
        """The toll-fraud guard before anything moves (the dial checks again, with the cap)."""
        policy = self.calls.policy
        if policy is not None:
            decision = policy.check(self.tenant_id, "agent", number)
            if not decision.allowed:
                raise DestinationDenied(number, decision.reason)

    async def end(self, contact_id: InteractionId, reason: Release) -> tuple[str, int]:
        session = self.sessions.pop(contact_id, None)
        cause = Cause.INTERRUPTED if reason is Release.INTERRUPTED else None
        if session is None:
            leg_cause = cause or Cause.NORMAL
            return leg_cause.value, CAUSES[leg_cause].q850
        if session.call.live_legs():  # the session is gone: their endings are not reported
            with contextlib.suppress(HotlineError):
                await self.calls.end_call(session.call, cause or Cause.NORMAL)
        customer = session.customer
        leg_cause = cause or (customer.cause if customer and customer.cause else Cause.NORMAL)
        return leg_cause.value, CAUSES[leg_cause].q850

    async def hang_up(self, contact_id: InteractionId, cause: str) -> None:
        session = self.sessions.get(contact_id)
        if session is not None and session.customer_live and session.customer is not None:
            await self.calls.hangup(session.customer, cause_from_flow(cause))

    # --- the customer waiting -------------------------------------------------------------

    async def start_waiting(self, contact_id: InteractionId, queue_id: QueueId | None) -> None:
        session = self.sessions.get(contact_id)
        if session is None or not session.customer_live or session.customer is None:
            return
        if queue_id is not None and not queue_id.startswith("@"):
            session.queue_id = queue_id
        customer = session.customer
        with contextlib.suppress(HotlineError):
            if customer.state is LegState.ANSWERED:
                await self.calls.detach(customer)
            await self.media.start_moh(customer.endpoint, self._queue_options(session.queue_id).moh)

    async def stop_waiting(self, contact_id: InteractionId, *, keep_sound: bool) -> None:
        session = self.sessions.get(contact_id)
        if keep_sound or session is None or not session.customer_live:
            return
        assert session.customer is not None
        with contextlib.suppress(HotlineError):
            await self.media.stop_moh(session.customer.endpoint)
            await self.media.stop_playback(session.customer.endpoint)

    async def announce(
        self,
        contact_id: InteractionId,
        place: tuple[int, float | None] | None,
        request: Enqueue | None,
    ) -> None:
        """Play the announcement over the music (it resumes when the playback ends)."""
        session = self.sessions.get(contact_id)
        if session is None or not session.customer_live or session.customer is None:
            return
        language = request.language if request else self.settings.default_language
        items: list[PlayItem] = []
        say_position = request.announcements.position if request else True
        say_ewt = request.announcements.ewt if request else True
        if place is not None and (say_position or say_ewt):
            text = position_text(
                language, place[0], place[1], say_position=say_position, say_ewt=say_ewt
            )
            if text:
                items.append(TtsText(text, language))
        if request is not None:
            items += playlist(request.announcements.prompts, self.settings.prompts_dir)
        if not items:
            return
        customer = session.customer
        try:
            await self.media.play(customer.endpoint, items)
        except HotlineError as exc:
            if customer.is_live:  # else the caller just hung up: nothing to say
                log.warning("announcement for %s failed: %s", contact_id, exc)

    def flow_media(self, contact: Contact, guard: Guard) -> FlowMedia:
        return VoiceFlowMedia(self, self.session(contact.contact_id), contact, guard)

    # --- agent controls -------------------------------------------------------------------

    async def mute(self, contact_id: InteractionId, party: str, muted: bool) -> None:
        (leg,) = self._legs(contact_id, party)
        await self.calls.set_listen_only(leg, muted)

    def muted(self, contact_id: InteractionId, party: str) -> bool:
        session = self.sessions.get(contact_id)
        leg = session.leg(party) if session is not None else None
        if leg is None:
            return False
        return leg.call.conference_modes.get(leg.leg_id) is not None and (
            leg.call.conference_modes[leg.leg_id].value == "listen"
        )

    async def send_dtmf(self, contact_id: InteractionId, party: str, digits: str) -> None:
        (leg,) = self._legs(contact_id, party)
        if not leg.is_up:
            raise NothingToDo("nobody to send keys to")
        await self.media.send_dtmf(leg.endpoint, digits)

    async def pause_recording(self, contact_id: InteractionId, paused: bool) -> None:
        session = self.session(contact_id)
        await self.calls.pause_recording(session.call, paused)
        session.recording_paused = paused

    async def transfer_progress(self, contact_id: InteractionId, party: str, status: int) -> None:
        session = self.sessions.get(contact_id)
        leg = session.leg(party) if session is not None else None
        if leg is not None and leg.session is not None and leg.is_live:
            with contextlib.suppress(HotlineError, TimeoutError):
                await asyncio.wait_for(leg.session.notify_transfer(status), 5)

    # --- what the phones do (CallObserver, routed here by the host) -----------------------

    def leg_ended(self, leg: Leg) -> None:
        self.devices.ring_tasks.pop(leg.leg_id, None)
        self.supervision.leg_ended(leg)
        session = self.session_of(leg)
        if session is None or self.events is None:
            return
        if leg.leg_id in session.released:
            session.released.discard(leg.leg_id)
            if session.legs.get(session.parties.get(leg.leg_id, "")) is leg:
                del session.legs[session.parties[leg.leg_id]]
            return
        party = session.parties.get(leg.leg_id)
        if party is None:
            return
        if party == CUSTOMER and leg is session.customer:
            self.events.party_left(session.contact_id, CUSTOMER)
        elif session.legs.get(party) is leg:
            del session.legs[party]
            self.events.party_left(session.contact_id, party)

    def transfer_requested(self, leg: Leg, refer: ReferTarget, referred_by: str | None) -> None:
        session = self.session_of(leg)
        party = session.parties.get(leg.leg_id) if session is not None else None
        if session is None or party is None or session.legs.get(party) is not leg:
            self.tasks.spawn(self._refuse_refer(leg), name="refer-refused")
            return
        user = refer.user or ""
        agent = self.devices.agent_of_extension(user)
        if agent is not None:
            kind, target = "agent", str(agent)
        else:
            kind, target = "address", user
        if self.events is not None:
            self.events.transfer_requested(
                TransferRequest(
                    session.contact_id,
                    AgentId(party),
                    kind,
                    target,
                    replaces=refer.replaces is not None,
                )
            )

    async def _refuse_refer(self, leg: Leg) -> None:
        if leg.session is not None and leg.is_live:
            with contextlib.suppress(HotlineError, TimeoutError):
                await asyncio.wait_for(leg.session.notify_transfer(603), 5)

    def remote_hold(self, leg: Leg, held: bool) -> None:
        session = self.session_of(leg)
        party = session.parties.get(leg.leg_id) if session is not None else None
        if session is None or party is None or party == CUSTOMER or self.events is None:
            return
        if session.legs.get(party) is leg:
            self.events.party_held(session.contact_id, AgentId(party), held)

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
            started_at=self.clock.now() - info.duration_s,
            leg_id=call.customer.leg_id if call.customer else None,
        )
        self.tasks.spawn(self.catalog.add(row), name="recording-row")

    def browser_gone(self, key: str, endpoint_id: str) -> list[AgentId]:
        """A browser phone's session went away: every leg on its endpoint is over; the
        agents at it are returned (the host makes them unreachable)."""
        for leg in list(self.calls.legs.values()):  # an agent's call or ring, a supervisor's seat
            live = leg.borrowed and leg.is_live and leg.media is not None
            if live and leg.endpoint == endpoint_id and leg.call.tenant_id == self.tenant_id:
                log.info("browser phone %s went away during leg %s", key, leg.leg_id)
                self.tasks.spawn(self.calls.hangup(leg, Cause.UNAVAILABLE), name="browser-gone")
        return self.devices.browser_agents(key)

    def browser_detached(self, endpoint_id: str) -> list[AgentId]:
        """A browser phone's page went away for now (a reload, a network loss): a customer
        who was talking to it alone hears hold music until it is back (`browser_back`) or
        gone for good (`browser_gone`). Returns the agents whose call waits so."""
        waiting = []
        for session in self.sessions.values():
            for party, leg in session.legs.items():
                if leg.endpoint != endpoint_id or not (leg.borrowed and leg.is_live):
                    continue
                customer = session.customer
                if customer is None or not self._alone_with(customer, leg):
                    continue
                session.phone_away = party
                waiting.append(AgentId(party))
                self.tasks.spawn(self._hold_for_phone(customer), name="phone-away")
        return waiting

    def _alone_with(self, customer: Leg, leg: Leg) -> bool:
        """The customer is answered and hears `leg` and nobody else (supervisors aside)."""
        if customer.state is not LegState.ANSWERED or not customer.is_live:
            return False
        call = customer.call
        if call.bridge is not None:
            return customer.leg_id in call.bridge and leg.leg_id in call.bridge
        members = set(call.conference_modes)
        if {customer.leg_id, leg.leg_id} - members:
            return False
        others = [call.legs[i] for i in members - {customer.leg_id, leg.leg_id} if i in call.legs]
        return all(other.role is LegRole.SUPERVISOR for other in others)

    async def _hold_for_phone(self, customer: Leg) -> None:
        # No re-INVITE: the customer's phone need not know; the music says it all.
        with contextlib.suppress(HotlineError):
            await self.calls.hold(customer, by="phone", reinvite=False)

    def browser_back(self, endpoint_id: str) -> None:
        """A browser phone's page is back: the calls that waited for it carry on."""
        for session in self.sessions.values():
            party = session.phone_away
            leg = session.legs.get(party) if party is not None else None
            if party is None or leg is None or leg.endpoint != endpoint_id:
                continue
            session.phone_away = None
            self.tasks.spawn(self._back_from_phone(session, party), name="phone-back")

    async def _back_from_phone(self, session: VoiceSession, party: str) -> None:
        customer = session.customer
        if customer is None or not session.customer_live:
            return
        with contextlib.suppress(HotlineError):
            if customer.state is LegState.HELD:
                await self.calls.resume(customer)
            await self.join(session.contact_id, CUSTOMER, party)

    def read_recording(self, key: str) -> bytes:
        with self.storage.open_read(key) as file:
            return file.read()
