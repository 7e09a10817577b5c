"""Campaign calls on the interaction core: the voice side of the live dialer (ADR 0266).

Each call is an interaction of direction outbound (origin `outbound`): the customer's number is
dialled out of the trunk; a final response ends it with the status and Q.850 cause the dialer
classifies. An answered call goes to the campaign's queue at once when an agent of it is idle;
if no agent has answered it within the connect grace (1.5 s of the 2 s the regulators allow),
or none was idle, the callee hears the safe-harbor message, the call is hung up and it counts
as abandoned. An agentless campaign's answered call runs the campaign's flow instead (a
reminder, a survey), with the record's fields as flow variables.

When the campaign says what to do with answering machines (ADR 0197), the answered callee is
listened to first: the media backend runs the detector next to the audio (in this process or in
the media process) and hands back its verdict. A person then goes on as above (the 2 s run from
the end of the greeting the detector heard); a machine is hung up on, or hears the campaign's
message once its greeting and beep are over. A callee who hangs up while listened to ends the
call; when the backend cannot listen, or gives no verdict in time (its process went), the call
goes on undetected, as a person's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import replace

from hotline.amd import AmdResult, Verdict
from hotline.calls import CAUSES, DestinationDenied, Leg, LegFailed, LegRole, OutboundCapFull
from hotline.dialer.events import AmdDecided, CampaignCallPlaced, MachineMessageEnded
from hotline.dialer.live import AgentFacts, CallReport, PlaceCall
from hotline.dialer.machine import AmdReport, MachineAction, MachineHandling
from hotline.dialer.model import DialMode
from hotline.dialer.outcomes import DialEnd
from hotline.errors import HotlineError
from hotline.flows.actions import Enqueue, QueueAnnouncements
from hotline.flows.errors import FlowError
from hotline.flows.inputs import QueueResult
from hotline.flows.variables import Scalar
from hotline.ids import QueueId
from hotline.interactions.arrivals import Arrival
from hotline.interactions.channel import CUSTOMER
from hotline.interactions.model import Contact, ContactState, Direction, Origin, Outcome
from hotline.interactions.voice.desk import TenantRuntime
from hotline.interactions.voice.host import FlowLookup
from hotline.media.backend import Capability
from hotline.media.detection import DetectionEnd, MachineDetection, MachineVerdict
from hotline.media.player import PlaybackEnd, TtsText
from hotline.media.prompts import PromptLibrary
from hotline.routing import AgentState, RoutingError
from hotline.sip.trunk import CallerId

__all__ = ["SAFE_HARBOR", "CampaignCalls"]

log = logging.getLogger(__name__)

SAFE_HARBOR: Mapping[str, str] = {
    "zh-CN": "您好，我们刚才给您打电话，但暂时没有空闲的客服人员。我们稍后再联系您，谢谢。",
    "en": "Hello, we called you but no agent is free right now. We will call you again later. "
    "Thank you.",
}
CAMPAIGN_PRIORITY = 100  # an answered callee waits on nobody in line
LONGEST_CALL_S = 4 * 3600.0
RING_SLACK_S = 5.0
MIN_GRACE_S = 0.3  # an agent's phone needs a moment to answer, even after detection
# The media side ends its listening by itself (its limits count audio frames); this much more
# is waited for its word before the call goes on without it (a media process that went).
DETECTION_SLACK_S = 3.0


class CampaignCalls:
    """The `CallPlacer` of one tenant's campaigns."""

    def __init__(
        self,
        runtime: TenantRuntime,
        *,
        connect_grace_s: float = 1.5,
        language: str = "zh-CN",
        safe_harbor: Mapping[str, str] = SAFE_HARBOR,
        flows: FlowLookup | None = None,
    ) -> None:
        self.runtime = runtime
        self.flows = flows
        self._warm: asyncio.Future[None] | None = None
        self.connect_grace_s = connect_grace_s
        self.language = language
        self.safe_harbor = safe_harbor
        # Records of the calls handed to `place` that have not reached the policy yet.
        self._before_policy: set[str] = set()

    def agents(self, queue_id: str | None, now: float) -> AgentFacts:
        if queue_id is None:
            return AgentFacts(0)
        router = self.runtime.router
        try:
            snapshot = router.queue_snapshot(QueueId(queue_id), now=now)
        except RoutingError:
            return AgentFacts(0)
        busy: list[float] = []
        for agent_id in router.agent_ids():
            agent = router.agent_snapshot(agent_id, now=now)
            if agent.state in (AgentState.BUSY, AgentState.WRAP_UP, AgentState.RESERVED):
                mine = [w for w in agent.work if w.queue_id == queue_id]
                if mine:
                    busy.append(max(0.0, now - min(w.since for w in mine)))
        return AgentFacts(snapshot.agents.get(AgentState.AVAILABLE, 0), tuple(busy))

    def lines_free(self) -> int | None:
        policy = self.runtime.voice.calls.policy
        if policy is None:
            return None
        return max(0, policy.room(self.runtime.tenant_id) - len(self._before_policy))

    def now(self) -> float:
        return self.runtime.now()

    def _safe_harbor_item(self, language: str) -> TtsText:
        return TtsText(self.safe_harbor.get(language) or self.safe_harbor["en"], language)

    async def _make_ready(self) -> None:
        """Speak the safe-harbor message once ahead (TTS is cached by text and voice), so the
        first callee who needs it does not wait for the synthesis."""
        prompts = getattr(self.runtime.voice.media, "prompts", None)
        if isinstance(prompts, PromptLibrary):
            with contextlib.suppress(HotlineError):
                await prompts.resolve([self._safe_harbor_item(self.language)])

    async def place(self, call: PlaceCall) -> CallReport:
        if self._warm is None:  # made while the first calls ring
            self._warm = asyncio.ensure_future(self._make_ready())
        self._before_policy.add(call.record_id)
        try:
            return await self._place(call)
        finally:
            self._before_policy.discard(call.record_id)

    async def _place(self, call: PlaceCall) -> CallReport:
        center, voice = self.runtime.center, self.runtime.voice
        contact = await center.arrivals.arrive(
            center.new_contact_id(),
            Arrival(
                voice.name,
                caller_number=call.phone,
                language=self.language,
                direction=Direction.OUTBOUND,
                origin=Origin.OUTBOUND,
                customer_present=False,
            ),
        )
        voice.opened(contact)
        center.sink.emit(
            CampaignCallPlaced(
                tenant_id=center.tenant_id, at=self.now(), interaction_id=contact.contact_id,
                campaign_id=call.campaign_id, record_id=call.record_id,
            )
        )  # fmt: skip
        session = voice.session(contact.contact_id)
        try:
            try:
                leg = await voice.calls.dial(
                    session.call,
                    call.phone,
                    role=LegRole.CUSTOMER,
                    trunk=voice.settings.trunk,
                    caller_id=CallerId(call.caller_id, None) if call.caller_id else None,
                    timeout=call.ring_timeout_s,
                )
            finally:  # it holds a permit of the cap now, or was refused
                self._before_policy.discard(call.record_id)
            session.parties[leg.leg_id] = CUSTOMER
            # Call control gives up ringing (CANCEL) at the ring timeout; wait for its end.
            await voice.calls.wait_answered(leg, call.ring_timeout_s + RING_SLACK_S)
        except LegFailed as exc:
            await center.endings.end_contact(contact, Outcome.NOT_REACHED)
            return CallReport(DialEnd(exc.status or 480, CAUSES[exc.cause].q850))
        except OutboundCapFull:  # another outbound call took the last line first
            await center.endings.end_contact(contact, Outcome.NOT_REACHED)
            return CallReport(DialEnd(503), placed=False)
        except DestinationDenied:
            await center.endings.end_contact(contact, Outcome.NOT_REACHED)
            return CallReport(DialEnd(403))
        answered_at = self.now()
        call.answered(answered_at)
        session.add(CUSTOMER, leg)
        contact.customer_present = True
        contact.gone.clear()
        if call.mode is DialMode.AGENTLESS:
            call.settled()
            return await self._run_flow(contact, call, answered_at)
        amd: AmdReport | None = None
        grace = self.connect_grace_s
        if call.machine is not None:
            heard = await self._detect(leg, call.machine)
            if heard is not None and heard[0].end is DetectionEnd.ENDED:
                # The callee hung up while listened to: nobody to put through, no verdict.
                call.settled()
                await center.endings.end_contact(contact, Outcome.NOT_REACHED)
                talk_s = self.now() - answered_at
                return CallReport(DialEnd(200, talk_s=talk_s, callee_hung_up=True))
            if heard is not None and heard[0].result is not None:
                result, detection = heard[0].result, heard[1]
                if result.verdict is Verdict.MACHINE:
                    call.settled()
                    return await self._machine(
                        contact, leg, call, answered_at, result, call.machine, detection
                    )
                amd = self._decided(contact, leg, call, answered_at, result, "connect")
                if not leg.is_live:  # hung up as the verdict came: nobody to put through
                    call.settled()
                    await center.endings.end_contact(contact, Outcome.NOT_REACHED)
                    talk_s = self.now() - answered_at
                    return CallReport(DialEnd(200, talk_s=talk_s, callee_hung_up=True), amd=amd)
                # The 2 s run from the end of the greeting: the wait for the verdict counts.
                grace = max(MIN_GRACE_S, grace - result.trailing_silence_s)
        connected = call.queue_id is not None and await self._connect(contact, call.queue_id, grace)
        call.settled()
        if connected:
            return replace(await self._talk(contact, answered_at), amd=amd)
        return replace(await self._safe_harbor(contact, answered_at), amd=amd)

    # --- answering machines (ADR 0197) ----------------------------------------------------

    async def _detect(
        self, leg: Leg, handling: MachineHandling
    ) -> tuple[MachineVerdict, MachineDetection] | None:
        """Have the media backend listen to the callee until the detector decides (or the
        callee hangs up: ENDED); None when it cannot listen or gave no word in time (the
        call then goes on undetected, as a person's)."""
        media = self.runtime.voice.media
        if not media.capabilities.supports(Capability.MACHINE_DETECTION):
            return None
        greeting = handling.greeting_end_s if handling.action is MachineAction.MESSAGE else None
        try:
            detection = await media.detect_machine(
                leg.endpoint, handling.detector, greeting_end_s=greeting,
                max_greeting_wait_s=handling.max_greeting_wait_s,
            )  # fmt: skip
        except HotlineError as exc:
            log.warning("campaign call on %s connected undetected: %s", leg.leg_id, exc)
            return None
        limit = handling.detector.total_s + DETECTION_SLACK_S
        try:
            verdict = await asyncio.wait_for(detection.verdict(), limit)
        except TimeoutError:
            log.warning(
                "campaign call on %s connected undetected: no verdict in %.1f s",
                leg.leg_id, limit,
            )  # fmt: skip
            await self._stop_detection(leg)
            return None
        except BaseException:
            await self._stop_detection(leg)
            raise
        if verdict.end in (DetectionEnd.LOST, DetectionEnd.STOPPED):
            log.warning("campaign call on %s connected undetected: %s", leg.leg_id, verdict.end)
            return None
        return verdict, detection

    async def _stop_detection(self, leg: Leg) -> None:
        with contextlib.suppress(HotlineError):
            await self.runtime.voice.media.stop_detection(leg.endpoint)

    def _decided(
        self,
        contact: Contact,
        leg: Leg,
        call: PlaceCall,
        answered_at: float,
        result: AmdResult,
        action: str,
    ) -> AmdReport:
        center = self.runtime.center
        now = self.now()
        report = AmdReport(
            result.verdict, result.sure, result.decided_after_s, max(0.0, now - answered_at),
            action,
        )  # fmt: skip
        center.sink.emit(
            AmdDecided(
                tenant_id=center.tenant_id, at=now, interaction_id=contact.contact_id,
                leg_id=leg.leg_id, campaign_id=call.campaign_id, record_id=call.record_id,
                verdict=str(result.verdict), sure=result.sure, heard_s=report.heard_s,
                decision_s=report.decision_s, action=action,
            )
        )  # fmt: skip
        return report

    async def _machine(
        self,
        contact: Contact,
        leg: Leg,
        call: PlaceCall,
        answered_at: float,
        result: AmdResult,
        handling: MachineHandling,
        detection: MachineDetection,
    ) -> CallReport:
        """A machine answered: hang up, or leave the message after its greeting."""
        center, media = self.runtime.center, self.runtime.voice.media
        report = self._decided(contact, leg, call, answered_at, result, str(handling.action))
        if handling.action is MachineAction.MESSAGE:
            decided_at = self.now()
            try:  # None: it did not end in time; the message is left anyway
                await asyncio.wait_for(
                    detection.greeting_end(), handling.max_greeting_wait_s + DETECTION_SLACK_S
                )
            except TimeoutError:
                await self._stop_detection(leg)
            except BaseException:
                await self._stop_detection(leg)
                raise
            waited_s = self.now() - decided_at
            left = False
            if leg.is_live:
                text, language = handling.message_in(contact.language)
                with contextlib.suppress(HotlineError):
                    playback = await media.play(leg.endpoint, [TtsText(text, language)])
                    left = await playback.wait() is PlaybackEnd.COMPLETED
            center.sink.emit(
                MachineMessageEnded(
                    tenant_id=center.tenant_id, at=self.now(), interaction_id=contact.contact_id,
                    leg_id=leg.leg_id, campaign_id=call.campaign_id, record_id=call.record_id,
                    left=left, waited_s=waited_s,
                )
            )  # fmt: skip
            report = replace(report, message_left=left)
        await center.endings.end_contact(contact, Outcome.NOT_REACHED)
        return CallReport(DialEnd(200, talk_s=self.now() - answered_at, machine=True), amd=report)

    async def _connect(self, contact: Contact, queue_id: str, grace_s: float) -> bool:
        """Hand the answered callee to an idle agent of the queue; False if none took it
        within the grace (it is out of the line again)."""
        center = self.runtime.center
        now = self.now()
        if self.agents(queue_id, now).idle <= 0:
            return False
        request = Enqueue(
            queue_id,
            CAMPAIGN_PRIORITY,
            (),
            QueueAnnouncements(False, False, 0.0, (), None),
            None,
            now,
            contact.language,
        )
        waiting = asyncio.ensure_future(center.waits.wait_in_queue(contact, request))
        done, _ = await asyncio.wait({waiting}, timeout=grace_s)
        if (
            waiting in done
            and not waiting.cancelled()
            and waiting.exception() is None
            and waiting.result().result is QueueResult.ANSWERED
        ):
            return True
        waiting.cancel()
        if contact.state is ContactState.CONNECTED:  # the agent answered as we gave up
            return True
        center.waits.leave_line(contact, reason="safe_harbor")
        center.waits.withdraw(contact, reason="safe_harbor")
        center.offers.withdraw_all(contact)
        return False

    async def _talk(self, contact: Contact, answered_at: float) -> CallReport:
        connected_at = self.now()
        await self._ended(contact)
        end = self.now()
        return CallReport(
            DialEnd(200, talk_s=end - answered_at, callee_hung_up=contact.gone.is_set()),
            handle_s=end - connected_at,
        )

    async def _run_flow(self, contact: Contact, call: PlaceCall, answered_at: float) -> CallReport:
        """An agentless call: the campaign's flow talks to the callee until it ends."""
        center = self.runtime.center
        program = None
        if self.flows is not None and call.flow_id:
            try:
                version = await self.flows.active(center.tenant_id, call.flow_id)
                program = self.flows.programs.get(version)
            except FlowError as exc:
                log.warning("campaign %s: no flow %s: %s", call.campaign_id, call.flow_id, exc)
        if program is None:
            await center.endings.end_contact(contact, Outcome.REJECTED)
            return CallReport(DialEnd(500))
        seeds: dict[str, Scalar] = {
            k: v for k, v in call.fields.items() if isinstance(v, str | int | float | bool)
        }
        center.flows.start(contact, program, {**contact.variables(), **seeds})
        await self._ended(contact)
        return CallReport(
            DialEnd(200, talk_s=self.now() - answered_at, callee_hung_up=contact.gone.is_set())
        )

    async def _safe_harbor(self, contact: Contact, answered_at: float) -> CallReport:
        center, voice = self.runtime.center, self.runtime.voice
        contact.abandoned = True
        session = voice.sessions.get(contact.contact_id)
        customer = session.customer if session is not None else None
        if self._warm is not None:
            await asyncio.shield(self._warm)
        if customer is not None and customer.is_live:
            with contextlib.suppress(HotlineError):
                await voice.media.stop_moh(customer.endpoint)
                playback = await voice.media.play(
                    customer.endpoint, [self._safe_harbor_item(contact.language)]
                )
                await playback.wait()
        await center.endings.end_contact(contact, Outcome.ABANDONED)
        return CallReport(DialEnd(200, talk_s=self.now() - answered_at, abandoned=True))

    async def _ended(self, contact: Contact) -> None:
        try:
            await asyncio.wait_for(contact.ended.wait(), LONGEST_CALL_S)
        except TimeoutError:
            log.warning("campaign call %s outlived %s s: ended", contact.contact_id, LONGEST_CALL_S)
            await self.runtime.center.endings.end_contact(contact, Outcome.INTERRUPTED)
