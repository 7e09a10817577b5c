"""After-call work (话后处理) through the router, which holds the one rule: a queue that
requires a disposition keeps its agent in wrap-up — past the timer, as an overrun — until one
is saved (`routing.DispositionMissing` otherwise)."""

from __future__ import annotations

from hotline.clock import Clock
from hotline.ids import AgentId, InteractionId, WorkId
from hotline.interactions.routerlink import RouterLink
from hotline.routing import WorkPhase

__all__ = ["WrapUp"]


class WrapUp:
    def __init__(self, link: RouterLink, clock: Clock) -> None:
        self._link = link
        self._clock = clock

    def now(self) -> float:
        return self._clock.now()

    def end(self, agent_id: AgentId) -> None:
        self._link.strict(lambda: self._link.router.end_wrap_up(agent_id, now=self.now()))

    def extend(self, agent_id: AgentId, seconds: float) -> None:
        self._link.strict(
            lambda: self._link.router.extend_wrap_up(agent_id, seconds, now=self.now())
        )

    def segment_of(self, agent_id: AgentId, contact_id: InteractionId) -> WorkId | None:
        """The agent's segment of the contact the router still holds (talking or wrapping
        up), latest first; None once its after-call work is over."""
        router = self._link.router
        if agent_id not in router.agent_ids():
            return None
        snapshot = router.agent_snapshot(agent_id, now=self.now())
        mine = [
            w
            for w in snapshot.work
            if w.phase is not WorkPhase.RINGING and router.contact_of(w.work_id) == contact_id
        ]
        mine.sort(key=lambda w: w.since, reverse=True)
        return mine[0].work_id if mine else None

    def disposition_saved(self, agent_id: AgentId, contact_id: InteractionId) -> WorkId | None:
        """The agent saved a disposition for its segment of the contact; returns the segment
        (None if its work is already over). An overrun wrap-up ends with it."""
        work_id = self.segment_of(agent_id, contact_id)
        if work_id is not None:
            self._link.call(
                lambda: self._link.router.record_disposition(agent_id, work_id, now=self.now())
            )
        return work_id
