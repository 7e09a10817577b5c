"""Supervision of a live call: 监听 listen, 耳语 whisper, 强插 barge (GLOSSARY), with the
supervisor on a SIP phone or a browser phone.

The supervisor's phone becomes a leg of the agent's call (role `supervisor`) and the call a
conference (docs/media.md): the customer and the agent stay FULL, the supervisor joins as
LISTEN (hears both, heard by none), WHISPER to the agent's leg (only the agent hears it; the
customer's recording, which is what the customer hears, does not have it) or BARGE (all hear
all). Switching modes changes the supervisor's seat in the mixer; nothing is re-dialled.

The seat follows the agent's call while it lasts: hold and resume, a consult and the way back
keep the supervisor in the conference (`VoiceChannel.join`); the agent's leg ending (hang up,
transfer) ends the supervision. Every change is an event (`supervision.*`); auditing who
did it is the API's job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from hotline.calls import Cause, Leg, LegFailed, LegRole
from hotline.errors import HotlineError
from hotline.ids import AgentId, InteractionId
from hotline.interactions.errors import NothingToDo, NotSupervising, PhoneNotConnected
from hotline.interactions.events import (
    SupervisionChanged,
    SupervisionStarted,
    SupervisionStopped,
)
from hotline.interactions.voice.phones import AgentPhone, BrowserPhone, phone_label
from hotline.media.backend import ConferenceMode
from hotline.sip.trunk import CallerId

if TYPE_CHECKING:
    from hotline.interactions.voice.channel import VoiceChannel

__all__ = ["Monitor", "MonitorMode", "Supervision", "supervisor_key"]

log = logging.getLogger(__name__)


def supervisor_key(user_id: str) -> str:
    """The browser-phone session key of a supervisor without an agent profile (the gateway
    keys sessions by a string; agents use their agent id, which can never look like this)."""
    return f"supervisor:{user_id}"


class MonitorMode(StrEnum):
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


_SEAT = {
    MonitorMode.LISTEN: ConferenceMode.LISTEN,
    MonitorMode.WHISPER: ConferenceMode.WHISPER,
    MonitorMode.BARGE: ConferenceMode.BARGE,
}


@dataclass
class Monitor:
    """One supervisor on one agent's call."""

    supervisor_id: str  # the supervisor's user id
    agent_id: AgentId
    interaction_id: InteractionId
    mode: MonitorMode
    phone: AgentPhone
    leg: Leg  # the supervisor's phone in the agent's call
    agent_leg: Leg  # the agent's leg it watches; its end ends the supervision
    started_at: float
    seated: bool = False  # in the conference (its phone answered)
    stop_reason: str | None = None

    @property
    def state(self) -> str:
        return "active" if self.seated else "ringing"


class Supervision:
    """The supervisors of one tenant's calls (composed into `VoiceChannel`)."""

    def __init__(self, voice: VoiceChannel) -> None:
        self._voice = voice
        self.monitors: dict[str, Monitor] = {}  # by supervisor id

    def monitor_of(self, supervisor_id: str) -> Monitor | None:
        return self.monitors.get(supervisor_id)

    def monitors_of(self, agent_id: AgentId) -> list[Monitor]:
        return [m for m in self.monitors.values() if m.agent_id == agent_id]

    def supervised(self, agent_leg: Leg) -> bool:
        return any(
            m.agent_leg is agent_leg and m.seated and m.leg.is_live for m in self.monitors.values()
        )

    def _emit(self, event: object) -> None:
        self._voice.sink.emit(event)  # type: ignore[arg-type]

    async def monitor(
        self,
        supervisor_id: str,
        agent_id: AgentId,
        contact_id: InteractionId,
        mode: MonitorMode,
        phone: AgentPhone,
    ) -> Monitor:
        """Join the agent's current call as `mode` from `phone`, or switch the mode of this
        supervisor's seat in it. Monitoring another agent (or from another phone) ends the
        previous supervision first."""
        voice = self._voice
        agent_leg = voice.agent_leg(contact_id, agent_id)
        if agent_leg is None or not agent_leg.is_up:
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        current = self.monitors.get(supervisor_id)
        if current is not None and current.leg.is_live:
            if current.agent_leg is agent_leg and current.phone == phone:
                await self._change(current, mode)
                return current
            await self.stop_monitoring(supervisor_id)
        leg = await self._supervisor_leg(agent_leg, agent_id, phone)
        now = voice.clock.now()
        monitor = Monitor(supervisor_id, agent_id, contact_id, mode, phone, leg, agent_leg, now)
        self.monitors[supervisor_id] = monitor
        self._emit(
            SupervisionStarted(
                tenant_id=voice.tenant_id,
                at=now,
                interaction_id=contact_id,
                agent_id=agent_id,
                supervisor_id=supervisor_id,
                mode=mode.value,
                phone_kind=phone.kind.value,
                phone_address=phone.address,
            )
        )
        if leg.is_up:
            await self._take_seat(monitor)
        else:
            voice.tasks.spawn(self._when_answered(monitor), name="supervisor-ring")
        return monitor

    async def _supervisor_leg(self, agent_leg: Leg, agent_id: AgentId, phone: AgentPhone) -> Leg:
        voice = self._voice
        calls = voice.calls
        call = agent_leg.call
        agent_phone = voice.devices.phone_of(agent_id)
        label = phone_label(agent_phone) if agent_phone is not None else agent_id
        try:
            if isinstance(phone, BrowserPhone):
                leg = await calls.attach(
                    call,
                    voice.devices.browser_endpoint(phone),
                    role=LegRole.SUPERVISOR,
                    target=f"browser:{phone.key}",
                )
                await calls.answer_attached(leg)  # the supervisor asked from that page
                return leg
            return await calls.dial(
                call,
                voice.devices.aor(phone.extension),
                role=LegRole.SUPERVISOR,
                caller_id=CallerId(label, "监听 Monitor"),
                timeout=voice.settings.supervisor_ring_s,
            )
        except LegFailed as exc:
            raise PhoneNotConnected(
                f"the supervisor's phone {phone.address} cannot be reached ({exc.cause.value})",
                details={"phone": phone.kind.value, "address": phone.address},
            ) from None

    async def _when_answered(self, monitor: Monitor) -> None:
        calls = self._voice.calls
        try:
            await calls.wait_answered(monitor.leg)
        except LegFailed:
            return  # leg_ended reports it
        if self.monitors.get(monitor.supervisor_id) is not monitor:
            await calls.hangup(monitor.leg)
            return
        await self._take_seat(monitor)

    async def _take_seat(self, monitor: Monitor) -> None:
        """Make the agent's call a conference (if it is not one) and seat the supervisor."""
        calls = self._voice.calls
        agent_leg = monitor.agent_leg
        call = agent_leg.call
        if not agent_leg.is_up or not monitor.leg.is_live:
            monitor.stop_reason = monitor.stop_reason or "call_ended"
            await calls.hangup(monitor.leg)
            return
        try:
            if not call.in_conference(agent_leg):
                partner = call.partner(agent_leg)
                parties = [p for p in (partner, agent_leg) if p is not None and p.is_up]
                await calls.conference(call, parties)
            await self._seat_mode(monitor)
        except HotlineError:
            log.exception("supervisor %s could not join the call", monitor.supervisor_id)
            monitor.stop_reason = "failed"
            await calls.hangup(monitor.leg)
            return
        monitor.seated = True

    async def _seat_mode(self, monitor: Monitor) -> None:
        whisper_to = monitor.agent_leg if monitor.mode is MonitorMode.WHISPER else None
        await self._voice.calls.join_as(monitor.leg, _SEAT[monitor.mode], whisper_to=whisper_to)

    async def _change(self, monitor: Monitor, mode: MonitorMode) -> None:
        if monitor.mode is mode:
            return
        previous, monitor.mode = monitor.mode, mode
        if monitor.seated:
            await self._seat_mode(monitor)
        self._emit(
            SupervisionChanged(
                tenant_id=self._voice.tenant_id,
                at=self._voice.clock.now(),
                interaction_id=monitor.interaction_id,
                agent_id=monitor.agent_id,
                supervisor_id=monitor.supervisor_id,
                mode=mode.value,
                previous=previous.value,
            )
        )

    async def stop_monitoring(self, supervisor_id: str) -> None:
        """The supervisor leaves the call (its phone's leg ends; the call goes on)."""
        monitor = self.monitors.get(supervisor_id)
        if monitor is None:
            raise NotSupervising(
                "you are not monitoring a call", details={"supervisor_id": supervisor_id}
            )
        monitor.stop_reason = monitor.stop_reason or "stopped"
        if monitor.leg.is_live:
            await self._voice.calls.hangup(monitor.leg, Cause.NORMAL)
        else:  # already gone: make sure it is forgotten
            self.leg_ended(monitor.leg)

    def leg_ended(self, leg: Leg) -> None:
        """A supervisor's leg ended (forget it), or a watched agent's leg did (end those
        supervisions)."""
        for supervisor_id, monitor in list(self.monitors.items()):
            if monitor.leg is leg:
                del self.monitors[supervisor_id]
                self._emit(
                    SupervisionStopped(
                        tenant_id=self._voice.tenant_id,
                        at=self._voice.clock.now(),
                        interaction_id=monitor.interaction_id,
                        agent_id=monitor.agent_id,
                        supervisor_id=supervisor_id,
                        reason=monitor.stop_reason or "phone",
                    )
                )
            elif monitor.agent_leg is leg and monitor.leg.is_live:
                monitor.stop_reason = "call_ended"
                self._voice.tasks.spawn(
                    self._voice.calls.hangup(monitor.leg), name="supervision-over"
                )
