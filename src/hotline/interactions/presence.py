"""Presence: 签入 / 示闲 / 示忙 / 签出 through the router's service (DESIGN §10), and what the
agents' devices coming and going does to it.

A device that goes away (a SIP phone unregistered, a browser closed) makes its agent
unreachable: not ready, offers withdrawn. One that comes back within a grace period (a page
reload; the phones re-registering after a restart) gives the agent back the availability the
loss took.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hotline.clock import Clock
from hotline.ids import AgentId
from hotline.interactions.ports import AgentSessionFacts
from hotline.interactions.routerlink import RouterLink
from hotline.routing import AgentFacts, AgentState, ReconcileSnapshot

__all__ = ["Presence"]

UNREACHABLE = "unreachable"


class Presence:
    def __init__(self, link: RouterLink, clock: Clock) -> None:
        self._link = link
        self._clock = clock
        self._restore_until: dict[AgentId, float] = {}

    def now(self) -> float:
        return self._clock.now()

    def login(self, agent_id: AgentId, *, ready: bool = False) -> None:
        self._link.strict(lambda: self._link.router.login(agent_id, now=self.now(), ready=ready))

    def set_available(self, agent_id: AgentId) -> None:
        """Refused (`routing.DispositionMissing`) while after-call work owes a disposition."""
        self._link.strict(lambda: self._link.router.set_available(agent_id, now=self.now()))

    def set_not_ready(self, agent_id: AgentId, reason: str) -> None:
        self._link.strict(lambda: self._link.router.set_not_ready(agent_id, reason, now=self.now()))

    def logout(self, agent_id: AgentId) -> None:
        self._link.strict(lambda: self._link.router.logout(agent_id, now=self.now()))
        self._restore_until.pop(agent_id, None)

    def state(self, agent_id: AgentId) -> AgentState:
        return self._link.router.agent_snapshot(agent_id, now=self.now()).state

    def reachable(self, agent_id: AgentId, reachable: bool, *, grace_s: float = 0.0) -> None:
        """The agent's device came or went; with `grace_s`, an agent available when it went
        is available again if it comes back within that time."""
        if agent_id not in self._link.router.agent_ids():
            return
        now = self.now()
        if not reachable:
            snapshot = self._link.router.agent_snapshot(agent_id, now=now)
            if grace_s > 0 and snapshot.presence is AgentState.AVAILABLE:
                self._restore_until[agent_id] = now + grace_s
            self._link.call(lambda: self._link.router.agent_unreachable(agent_id, now=now))
            return
        until = self._restore_until.pop(agent_id, None)
        if until is not None and now <= until:
            self._restore(agent_id)

    def expire(self) -> None:
        """Forget restorations whose grace has passed (the periodic device check)."""
        now = self.now()
        for agent_id, until in list(self._restore_until.items()):
            if now > until:
                del self._restore_until[agent_id]

    def _restore(self, agent_id: AgentId) -> None:
        snapshot = self._link.router.agent_snapshot(agent_id, now=self.now())
        if snapshot.state is AgentState.NOT_READY and snapshot.reason == UNREACHABLE:
            self._link.call(lambda: self._link.router.set_available(agent_id, now=self.now()))

    def recover(
        self,
        sessions: Sequence[AgentSessionFacts],
        reachable: Callable[[AgentSessionFacts], bool],
        *,
        grace_s: float,
    ) -> None:
        """After a restart: rebuild agents' presence from the log and their devices
        (`router.reconcile`); available agents whose device is not back yet get `grace_s`."""
        now = self.now()
        known = set(self._link.router.agent_ids())
        facts = []
        for session in sessions:
            if session.agent_id not in known:
                continue
            up = reachable(session)
            if session.presence is AgentState.AVAILABLE and not up:
                self._restore_until[session.agent_id] = now + grace_s
            facts.append(
                AgentFacts(
                    session.agent_id,
                    presence=session.presence,
                    reason=session.reason,
                    reachable=up,
                    handled_today=session.handled_today,
                )
            )
        self._link.route(
            self._link.router.reconcile(ReconcileSnapshot(agents=tuple(facts)), now=now)
        )
