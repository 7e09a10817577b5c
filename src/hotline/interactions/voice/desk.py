"""`TenantRuntime`: what the agent desktop, supervisors and admin changes call for one tenant —
the tenant's `ContactCenter` (the lifecycle) with its `VoiceChannel` (phones, supervision) and
the desks' read model. A thin facade: every method hands the request to the collaborator that
owns it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from hotline.ids import AgentId, InteractionId, QueueId, WorkId
from hotline.interactions.center import ContactCenter
from hotline.interactions.desk import DeskBoard, DeskView
from hotline.interactions.errors import (
    AgentNotLoggedIn,
    DispositionRequired,
    NothingToDo,
    PhoneUnsupported,
)
from hotline.interactions.settings import QueueOptions
from hotline.interactions.transfers import TransferTarget
from hotline.interactions.voice.channel import VoiceChannel
from hotline.interactions.voice.phones import AgentPhone, SipPhone
from hotline.interactions.voice.supervision import Monitor, MonitorMode
from hotline.routing import AgentProfile, DispositionMissing, QueueConfig, Router

__all__ = ["TenantRuntime"]


class TenantRuntime:
    def __init__(self, center: ContactCenter, voice: VoiceChannel, board: DeskBoard) -> None:
        self.center = center
        self.voice = voice
        self.board = board

    @property
    def tenant_id(self) -> str:
        return self.center.tenant_id

    @property
    def router(self) -> Router:
        return self.center.router

    def now(self) -> float:
        return self.center.now()

    def fire_due(self) -> None:
        self.center.fire_due()

    # --- the desk's read model ------------------------------------------------------------

    def desk_view(self, agent_id: AgentId) -> DeskView:
        """The agent's desk (`routing.UnknownAgent` for an agent the router lacks)."""
        self.router.agent_snapshot(agent_id, now=self.now())
        return self.board.view(self.tenant_id, agent_id)

    def phone_reachable(self, phone: AgentPhone) -> bool:
        return self.voice.devices.reachable(phone)

    def contact_of(self, agent_id: AgentId) -> InteractionId | None:
        """The contact the agent is connected to now, if any."""
        work = self.center.assignments.peek(agent_id)
        return work.contact_id if work is not None else None

    def call_of(self, agent_id: AgentId) -> InteractionId | None:
        """The agent's call (its voice contact), whatever text contacts are beside it."""
        work = self.center.assignments.peek(agent_id)
        if work is None:
            return None
        for contact_id in (work.contact_id, *work.beside):
            contact = self.center.registry.get(contact_id) if contact_id is not None else None
            if contact is not None and contact.channel == self.voice.name:
                return contact_id
        return None

    def _to_the_call(self, agent_id: AgentId) -> None:
        """The desk's call controls act on the agent's call: it takes the focus from a chat
        beside it (ADR 0224); without a call they have nothing to act on."""
        self._seated(agent_id)
        contact_id = self.call_of(agent_id)
        if contact_id is None:
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        self.center.assignments.focus(agent_id, contact_id)

    # --- presence -------------------------------------------------------------------------

    def login(self, agent_id: AgentId, phone: AgentPhone, *, ready: bool = False) -> None:
        """签入 at `phone`: a SIP extension (offered calls once registered) or a browser, whose
        WebRTC session must be connected already (`PhoneNotConnected`)."""
        self.voice.devices.bind(agent_id, phone)
        self.center.login(agent_id, ready=ready)

    def logout(self, agent_id: AgentId) -> None:
        """签出; the phone stays bound until the agent's current call is over."""
        self.center.logout(agent_id)
        if self.call_of(agent_id) is None:
            self.voice.devices.unbind(agent_id)

    def set_available(self, agent_id: AgentId) -> None:
        self._seated(agent_id)
        with _disposition_first():
            self.center.set_available(agent_id)

    def set_not_ready(self, agent_id: AgentId, reason: str) -> None:
        self._seated(agent_id)
        self.center.set_not_ready(agent_id, reason)

    def end_wrap_up(self, agent_id: AgentId) -> None:
        with _disposition_first():
            self.center.end_wrap_up(agent_id)

    def extend_wrap_up(self, agent_id: AgentId, seconds: float) -> None:
        self.center.extend_wrap_up(agent_id, seconds)

    def disposition_saved(self, agent_id: AgentId, contact_id: InteractionId) -> WorkId | None:
        return self.center.disposition_saved(agent_id, contact_id)

    def check_phones(self) -> None:
        """A logged-in agent whose phone is gone is unreachable; one back is reachable."""
        for agent_id, up in self.voice.devices.changes():
            self.center.agent_reachable(agent_id, up)
        self.center.presence.expire()

    def browser_gone(self, key: str, endpoint_id: str) -> None:
        grace = self.center.settings.browser_reconnect_grace_s
        for agent_id in self.voice.browser_gone(key, endpoint_id):
            self.voice.devices.last_reachable[agent_id] = False
            self.center.agent_reachable(agent_id, False, grace_s=grace)

    def browser_detached(self, key: str, endpoint_id: str) -> None:
        """The page of a browser phone went away for now (ADR 0121): a call it was on waits
        on hold, its agent stays as she was; an agent without a call is unreachable until the
        page is back (and gets her availability back if it is back within the grace)."""
        grace = self.center.settings.browser_reconnect_grace_s
        held = set(self.voice.browser_detached(endpoint_id))
        for agent_id in self.voice.devices.browser_agents(key):
            self.voice.devices.last_reachable[agent_id] = False
            if agent_id not in held:
                self.center.agent_reachable(agent_id, False, grace_s=grace)

    def browser_back(self, key: str, endpoint_id: str = "") -> None:
        for agent_id in self.voice.devices.browser_agents(key):
            self.voice.devices.last_reachable[agent_id] = True
            self.center.agent_reachable(agent_id, True)
        if endpoint_id:
            self.voice.browser_back(endpoint_id)

    # --- call controls --------------------------------------------------------------------

    def _seated(self, agent_id: AgentId) -> AgentPhone:
        """The agent's phone (`AgentNotLoggedIn` if it logged in at none)."""
        phone = self.voice.devices.phone_of(agent_id)
        if phone is None:
            raise AgentNotLoggedIn(agent_id)
        return phone

    async def answer(self, agent_id: AgentId) -> None:
        """接听 from the desk: a browser phone's ring. A SIP desk phone is answered on the
        phone (`PhoneUnsupported`)."""
        phone = self._seated(agent_id)
        if isinstance(phone, SipPhone) and self.call_of(agent_id) is None:
            raise PhoneUnsupported(
                f"agent {agent_id} answers on the SIP phone {phone.extension}",
                details={"agent_id": agent_id},
            )
        await self.center.answer(agent_id)

    async def hangup(self, agent_id: AgentId) -> None:
        self._seated(agent_id)
        if self.call_of(agent_id) is not None:
            self._to_the_call(agent_id)
        await self.center.hangup(agent_id, channel=self.voice.name)
        if self.voice.devices.phone_of(agent_id) is not None and not self._logged_in(agent_id):
            self.voice.devices.unbind(agent_id)

    async def hold(self, agent_id: AgentId) -> None:
        self._to_the_call(agent_id)
        await self.center.hold(agent_id)

    async def resume(self, agent_id: AgentId) -> None:
        self._to_the_call(agent_id)
        await self.center.resume(agent_id)

    async def mute(self, agent_id: AgentId, muted: bool) -> None:
        self._to_the_call(agent_id)
        await self.center.mute(agent_id, muted)

    async def send_dtmf(self, agent_id: AgentId, digits: str) -> None:
        self._to_the_call(agent_id)
        await self.center.send_dtmf(agent_id, digits)

    async def pause_recording(self, agent_id: AgentId, paused: bool) -> None:
        self._to_the_call(agent_id)
        await self.center.pause_recording(agent_id, paused)

    async def transfer(
        self, agent_id: AgentId, target: TransferTarget, *, note: str | None = None
    ) -> None:
        self._to_the_call(agent_id)
        await self.center.transfer(agent_id, target, note=note)

    async def consult(
        self, agent_id: AgentId, target: TransferTarget, *, note: str | None = None
    ) -> None:
        self._to_the_call(agent_id)
        await self.center.consult(agent_id, target, note=note)

    async def complete_transfer(self, agent_id: AgentId) -> None:
        self._to_the_call(agent_id)
        await self.center.complete_transfer(agent_id)

    async def cancel_consult(self, agent_id: AgentId) -> None:
        self._to_the_call(agent_id)
        await self.center.cancel_consult(agent_id)

    async def conference(self, agent_id: AgentId) -> None:
        self._to_the_call(agent_id)
        await self.center.conference(agent_id)

    async def dial(
        self, agent_id: AgentId, number: str, *, related_interaction_id: InteractionId | None = None
    ) -> InteractionId:
        self._seated(agent_id)
        return await self.center.dial(
            agent_id, number, related_interaction_id=related_interaction_id
        )

    def _logged_in(self, agent_id: AgentId) -> bool:
        snapshot = self.router.agent_snapshot(agent_id, now=self.now())
        return snapshot.presence.value != "logged_out"

    # --- supervision ----------------------------------------------------------------------

    async def monitor(
        self, supervisor_id: str, agent_id: AgentId, mode: MonitorMode, phone: AgentPhone
    ) -> Monitor:
        contact_id = self.call_of(agent_id)
        if contact_id is None:
            raise NothingToDo(f"agent {agent_id} is not on a call", details={"agent_id": agent_id})
        return await self.voice.supervision.monitor(
            supervisor_id, agent_id, contact_id, mode, phone
        )

    async def stop_monitoring(self, supervisor_id: str) -> None:
        await self.voice.supervision.stop_monitoring(supervisor_id)

    def monitor_of(self, supervisor_id: str) -> Monitor | None:
        return self.voice.supervision.monitor_of(supervisor_id)

    def monitors_of(self, agent_id: AgentId) -> list[Monitor]:
        return self.voice.supervision.monitors_of(agent_id)

    # --- configuration --------------------------------------------------------------------

    def configure_queue(self, config: QueueConfig, options: QueueOptions | None = None) -> None:
        self.center.configure_queue(config, options)

    def remove_queue(self, queue_id: QueueId) -> None:
        self.center.remove_queue(queue_id)

    def configure_agent(self, profile: AgentProfile) -> None:
        self.center.configure_agent(profile)

    def remove_agent(self, agent_id: AgentId) -> None:
        self.center.remove_agent(agent_id)


@contextlib.contextmanager
def _disposition_first() -> Iterator[None]:
    """The router's refusal, as the desk names it (`desk.disposition.required`)."""
    try:
        yield
    except DispositionMissing as exc:
        raise DispositionRequired(exc.message, details=exc.details) from None
