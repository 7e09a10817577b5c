"""Browser phones coming and going: what the runtime does when an agent's (or a supervisor's)
WebRTC session connects or goes away (docs/webrtc.md, events `phone.browser_connected` /
`phone.browser_disconnected`).

A browser session that goes away is an unregistered phone: the agent is made unreachable (not
ready, offers withdrawn, DESIGN §10 "telephony facts reach the router as events") and every leg
on its endpoint ends — the gateway has released the endpoint, so that audio is gone already. A
session that comes back soon (a page reload) gives the agent back the availability the loss
took (`TelephonySettings.browser_reconnect_grace_s`), as a phone that re-registers after a
restart does.
"""

from __future__ import annotations

import logging

from hotline.calls import Cause
from hotline.events import DomainEvent
from hotline.ids import AgentId
from hotline.interactions.agents import BrowserPhone
from hotline.interactions.core import RuntimeCore
from hotline.routing import AgentState

__all__ = ["BROWSER_CONNECTED", "BROWSER_DISCONNECTED", "BrowserEvents"]

log = logging.getLogger(__name__)

BROWSER_CONNECTED = "phone.browser_connected"
BROWSER_DISCONNECTED = "phone.browser_disconnected"


class BrowserEvents(RuntimeCore):
    def _restore(self, agent_id: AgentId) -> None:
        raise NotImplementedError

    def _unreachable(self, agent_id: AgentId) -> None:
        raise NotImplementedError

    def phone_event(self, event: DomainEvent) -> None:
        """The gateway's events for this tenant (the envelope's `agent_id` is the session key,
        the payload names the endpoint)."""
        key = event.agent_id
        if key is None:
            return
        if event.type == BROWSER_DISCONNECTED:
            self._browser_gone(key, str(getattr(event, "endpoint_id", "")))
        elif event.type == BROWSER_CONNECTED:
            self._browser_back(key)

    def _browser_seats(self, key: str) -> list[AgentId]:
        return [
            agent_id
            for agent_id, seat in self.seats.items()
            if isinstance(seat.phone, BrowserPhone) and seat.phone.key == key
        ]

    def _browser_gone(self, key: str, endpoint_id: str) -> None:
        now = self.now()
        for agent_id in self._browser_seats(key):
            seat = self.seats[agent_id]
            if seat.reachable:
                snapshot = self.router.agent_snapshot(seat.agent_id, now=now)
                if snapshot.presence is AgentState.AVAILABLE:
                    grace = self.settings.browser_reconnect_grace_s
                    self.restore_when_reachable[seat.agent_id] = now + grace
                seat.reachable = False
                self._unreachable(seat.agent_id)
        # Every leg on that endpoint (an agent's call or ring, a supervisor's seat) is over.
        for leg in list(self.calls.legs.values()):
            if leg.borrowed and leg.is_live and leg.media and leg.endpoint == endpoint_id:
                log.info("browser phone %s went away during leg %s", key, leg.leg_id)
                self.tasks.spawn(self.calls.hangup(leg, Cause.UNAVAILABLE), name="browser-gone")

    def _browser_back(self, key: str) -> None:
        now = self.now()
        for agent_id in self._browser_seats(key):
            seat = self.seats[agent_id]
            seat.reachable = True
            until = self.restore_when_reachable.pop(seat.agent_id, None)
            if until is not None and now <= until:
                self._restore(seat.agent_id)
